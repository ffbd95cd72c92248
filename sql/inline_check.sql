-- authz_check calls the planner rewrites into their query plan's SQL
-- (src/pg/inline_check.c): what EXPLAIN shows, NULL attributes, errors,
-- calls left alone, the off switch, and cached plans after a policy change.
\getenv abs_srcdir PG_ABS_SRCDIR
\set policies :abs_srcdir '/policies'
SELECT authz_load(:'policies');
SET max_parallel_workers_per_gather = 0;

CREATE TEMP TABLE docs (id int PRIMARY KEY, owner text NOT NULL, tenant text,
	public boolean NOT NULL, locked boolean NOT NULL);
INSERT INTO docs SELECT i, 'u' || (i % 7), CASE WHEN i % 5 = 0 THEN NULL ELSE 't' || (i % 3) END,
	i % 4 = 0, i % 2 = 0 FROM generate_series(1, 300) i;
INSERT INTO docs VALUES (1000, 'bob', 't1', false, false);
ANALYZE docs;

-- bob (user, editor of t1) may view public, owned and same-tenant documents:
-- the filter is the plan; tenant may be NULL, so its rows go to the call
EXPLAIN (COSTS OFF)
SELECT id FROM docs d WHERE authz_check('{"id": "bob", "roles": ["user", "editor"], "attr": {"tenantId": "t1"}}',
	jsonb_build_object('kind', 'document', 'id', d.id::text,
		'attr', jsonb_build_object('owner', owner, 'tenant', tenant, 'public', public, 'locked', locked)), 'view');

-- with only NOT NULL columns there is no guard at all, and an index can serve it
CREATE INDEX ON docs (owner);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT id FROM docs d WHERE authz_check('{"id": "bob", "roles": ["user"]}',
	jsonb_build_object('kind', 'document', 'id', d.id::text,
		'attr', jsonb_build_object('owner', owner, 'locked', locked)), 'delete');
RESET enable_seqscan;

-- the same rows as the call itself, for every action
CREATE TEMP TABLE answers AS
SELECT a.action, array_agg(d.id ORDER BY d.id) AS ids
  FROM docs d, (VALUES ('view'), ('update'), ('delete')) a(action)
 WHERE authz_check('{"id": "bob", "roles": ["user", "editor"], "attr": {"tenantId": "t1"}}',
	jsonb_build_object('kind', 'document', 'id', d.id::text,
		'attr', jsonb_build_object('owner', owner, 'tenant', tenant, 'public', public, 'locked', locked)), a.action)
 GROUP BY a.action;
SET authz.inline_checks = off;
SELECT a.action, array_agg(d.id ORDER BY d.id) = (SELECT ids FROM answers WHERE answers.action = a.action) AS same,
	count(*) AS allowed
  FROM docs d, (VALUES ('view'), ('update'), ('delete')) a(action)
 WHERE authz_check('{"id": "bob", "roles": ["user", "editor"], "attr": {"tenantId": "t1"}}',
	jsonb_build_object('kind', 'document', 'id', d.id::text,
		'attr', jsonb_build_object('owner', owner, 'tenant', tenant, 'public', public, 'locked', locked)), a.action)
 GROUP BY a.action ORDER BY 1;

-- off: the call stays a call
EXPLAIN (COSTS OFF)
SELECT id FROM docs d WHERE authz_check('{"id": "bob", "roles": ["user"]}',
	jsonb_build_object('kind', 'document', 'id', d.id::text, 'attr', jsonb_build_object('owner', owner)), 'view');
RESET authz.inline_checks;

-- NULL is an attribute present with the value null, not an absent one
INSERT INTO authz_policies (id, definition) VALUES ('inline_note', $$
apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: note
  version: default
  rules:
    - actions: ["view"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: R.attr.label == null
    - actions: ["edit"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: has(R.attr.label) && R.attr.level > 2
$$);
CREATE TEMP TABLE notes (id text, label text, level int);
INSERT INTO notes VALUES ('n1', NULL, 3), ('n2', 'x', 3), ('n3', NULL, NULL), ('n4', 'y', 1);
EXPLAIN (COSTS OFF)
SELECT id FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_build_object('label', label, 'level', level)), 'edit');
-- inlined (present null: view n1 and n3; edit n1 and n2), and not: the same
SELECT string_agg(id, ',' ORDER BY id) AS view_inlined FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_build_object('label', label, 'level', level)), 'view');
SELECT string_agg(id, ',' ORDER BY id) AS edit_inlined FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_build_object('label', label, 'level', level)), 'edit');
SET authz.inline_checks = off;
SELECT string_agg(id, ',' ORDER BY id) AS view_called FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_build_object('label', label, 'level', level)), 'view');
SELECT string_agg(id, ',' ORDER BY id) AS edit_called FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_build_object('label', label, 'level', level)), 'edit');
RESET authz.inline_checks;
-- absent attributes (jsonb_strip_nulls) are another resource, and not inlined
SELECT string_agg(id, ',' ORDER BY id) AS view_absent FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_strip_nulls(jsonb_build_object('label', label, 'level', level))), 'view');

-- errors stay errors: a NULL or empty id
INSERT INTO notes VALUES (NULL, 'z', 5);
SELECT count(*) FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_build_object('label', label, 'level', level)), 'edit');
SET authz.inline_checks = off;
SELECT count(*) FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_build_object('label', label, 'level', level)), 'edit');
RESET authz.inline_checks;
UPDATE notes SET id = '' WHERE id IS NULL;
SELECT count(*) FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_build_object('label', label, 'level', level)), 'edit');
DELETE FROM notes WHERE id = '';

-- left alone: a principal that is not a constant, a resource that is not
-- spelled out, an attribute key that is not a constant, the decision log on
EXPLAIN (COSTS OFF)
SELECT id FROM notes WHERE authz_check(jsonb_build_object('id', 'ann', 'roles', jsonb_build_array('user')),
	jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_build_object('label', label)), 'view');
EXPLAIN (COSTS OFF)
SELECT id FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'note', 'id', id, 'attr', to_jsonb(notes) - 'id'), 'view');
EXPLAIN (COSTS OFF)
SELECT id FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_build_object(id, label)), 'view');
SET authz.decision_log = on;
EXPLAIN (COSTS OFF)
SELECT id FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_build_object('label', label)), 'view');
RESET authz.decision_log;

-- cached plans see a policy change: a prepared statement and a PL/pgSQL
-- function, planned generic, then the policy widens
SET plan_cache_mode = force_generic_plan;
PREPARE edits AS SELECT string_agg(id, ',' ORDER BY id) FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_build_object('label', label, 'level', level)), 'edit');
CREATE FUNCTION pg_temp.edits() RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
	SELECT string_agg(id, ',' ORDER BY id) INTO r FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
		jsonb_build_object('kind', 'note', 'id', id, 'attr', jsonb_build_object('label', label, 'level', level)), 'edit');
	RETURN r;
END $$;
-- a simple expression of PL/pgSQL: a plan over no table, which no relation
-- invalidation reaches
CREATE FUNCTION pg_temp.may_edit(n_id text, n_label text, n_level int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	RETURN authz_check('{"id": "ann", "roles": ["user"]}',
		jsonb_build_object('kind', 'note', 'id', n_id, 'attr', jsonb_build_object('label', n_label, 'level', n_level)), 'edit');
END $$;
EXECUTE edits;
SELECT pg_temp.edits();
SELECT pg_temp.may_edit('n4', 'y', 1);
EXECUTE edits;
SELECT pg_temp.edits();
SELECT pg_temp.may_edit('n4', 'y', 1);
UPDATE authz_policies SET definition = replace(definition, 'R.attr.level > 2', 'R.attr.level > 0')
 WHERE id = 'inline_note';
EXECUTE edits;
SELECT pg_temp.edits();
SELECT pg_temp.may_edit('n4', 'y', 1);
-- and a setting that shapes the rewrite (inlining off) reaches them too
SET authz.inline_checks = off;
EXPLAIN (COSTS OFF) EXECUTE edits;
RESET authz.inline_checks;
EXPLAIN (COSTS OFF) EXECUTE edits;
DEALLOCATE edits;

-- authz_check(resource, action), for the session principal: rewritten with
-- the principal of the moment, planned again when it changes
PREPARE mine AS SELECT string_agg(id::text, ',' ORDER BY id) FROM docs d WHERE id < 30 AND authz_check(
	jsonb_build_object('kind', 'document', 'id', d.id::text,
		'attr', jsonb_build_object('owner', owner, 'tenant', tenant, 'public', public, 'locked', locked)), 'delete');
EXECUTE mine;
SELECT authz_set_principal('{"id": "u3", "roles": ["user"]}', true) IS NOT NULL AS set;
EXPLAIN (COSTS OFF) EXECUTE mine;
EXECUTE mine;
SELECT authz_set_principal('{"id": "u5", "roles": ["user"]}', true) IS NOT NULL AS set;
EXECUTE mine;
SET authz.inline_checks = off;
EXECUTE mine;
RESET authz.inline_checks;
SELECT authz_reset_session();
EXECUTE mine;
DEALLOCATE mine;
RESET plan_cache_mode;

DELETE FROM authz_policies WHERE id = 'inline_note';

-- every type jsonb_build_object converts, inlined and called: numbers the
-- engine would round (int8 beyond 10^15, numeric and json with sixteen
-- digits or more) and present nulls go to the call
INSERT INTO authz_policies (id, definition) VALUES ('inline_typed', $$
apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: typed
  version: default
  rules:
    - {actions: ["n_gt"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.n > 2"}}}
    - {actions: ["n_eq"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.n == 2.5"}}}
    - {actions: ["f_eq"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.f == 1.5"}}}
    - {actions: ["f_lt"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.f < 100.0"}}}
    - {actions: ["d_eq"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.d == \"2024-01-01\""}}}
    - {actions: ["ts_gt"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "timestamp(R.attr.ts) > timestamp(\"2024-01-01T00:00:00Z\")"}}}
    - {actions: ["tsz_gt"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "timestamp(R.attr.tsz) > timestamp(\"2024-01-01T00:00:00Z\")"}}}
    - {actions: ["tsz_eq"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.tsz == \"2024-06-01T00:00:00+00:00\""}}}
    - {actions: ["j_a"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.j.a == 1"}}}
    - {actions: ["c_eq"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.c == \"ab \""}}}
    - {actions: ["v_eq"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.v == \"x\""}}}
    - {actions: ["arr_in"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "\"a\" in R.attr.arr"}}}
    - {actions: ["arr_null"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.arr.exists(e, e == null)"}}}
    - {actions: ["iarr_in"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "2 in R.attr.iarr"}}}
    - {actions: ["b"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.b"}}}
    - {actions: ["u_eq"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.u == \"lit\""}}}
    - {actions: ["s_size"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "size(R.attr.s) > 2"}}}
    - {actions: ["s_lt"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.s < \"b\""}}}
    - {actions: ["s_starts"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.s.startsWith(\"a\")"}}}
    - {actions: ["big_eq"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.big == 9007199254740993"}}}
    - {actions: ["big_gt"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.big > 9007199254740992"}}}
    - {actions: ["i_plus"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.i + 1 == 3"}}}
    - {actions: ["i_div"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "10 / R.attr.i == 5"}}}
    - {actions: ["jb_null"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.jb.k == null"}}}
    - {actions: ["jb_has"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "has(R.attr.jb.k)"}}}
    - {actions: ["dom_eq"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.dom == \"q\""}}}
    - {actions: ["id_eq"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.id == \"3\""}}}
    - {actions: ["missing"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.nothere == 1"}}}
    - {actions: ["s_type"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.s == 1"}}}
    - {actions: ["i_str"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "string(R.attr.i) == \"2\""}}}
    - {actions: ["jb_big"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.jb.k == 123456789012345680"}}}
    - {actions: ["big_lt"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.big < -9007199254740992"}}}
    - {actions: ["n_int"], effect: EFFECT_ALLOW, roles: ["user"], condition: {match: {expr: "R.attr.n == 3"}}}
$$);
CREATE DOMAIN inline_shorttext AS text;
CREATE TEMP TABLE typed (id int, n numeric, f float8, d date, ts timestamp, tsz timestamptz, j json,
	c char(3), v varchar, arr text[], iarr int[], b boolean, s text, big int8, i int, jb jsonb, dom inline_shorttext);
INSERT INTO typed VALUES
 (1, 2.5, 1.5, '2024-01-01', '2024-06-01', '2024-06-01 00:00+00', '{"a": 1}', 'ab', 'x', '{a,b}', '{1,2}', true, 'abc', 9007199254740993, 2, '{"k": null}', 'q'),
 (2, 'NaN', 'NaN', '2023-01-01', '2023-06-01', '2023-06-01 00:00+00', '{"a": 2}', 'a', 'y', '{b,NULL}', '{3,NULL}', false, 'b', 9007199254740992, 0, '{"k": 1}', 'r'),
 (3, 'Infinity', 'Infinity', '2024-01-01', '2024-06-01', '2024-06-01 00:00+02', '[1]', 'abc', 'x', '{}', '{}', true, '', -1, 5, '{}', 'q'),
 (4, 3, '-Infinity', '2024-01-02', '2025-01-01', '2025-01-01 00:00+00', '"s"', 'ab', 'X', '{NULL}', '{2}', false, 'ä', 9007199254740994, -2, 'null', 'Q'),
 (5, 2, 1e300, '2024-01-01', '2024-06-01', '2024-06-01 00:00+00', '{"a": 1.0}', 'ab', 'x', '{a}', '{2,2}', true, 'a', 0, 1, '{"k": [1]}', 'q'),
 (7, 2.50000000000000000001, 1.5, '2024-01-01', '2024-06-01', '2024-06-01 00:00+00', '{"a": 1.00000000000000000001}', 'ab', 'x', '{a}', '{2}', true, 'abc', -9007199254740993, 2, '{"k": 123456789012345678}', 'q'),
 (8, 3.000000000000000001, 1.5, '2024-01-01', '2024-06-01', '2024-06-01 00:00+00', '{"a": 1}', 'ab', 'x', '{a}', '{2}', true, 'abc', 999999999999999, 2, '{"k": 1}', 'q'),
 (6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TEMP TABLE actions AS SELECT unnest(ARRAY['n_gt','n_eq','f_eq','f_lt','d_eq','ts_gt','tsz_gt','tsz_eq','j_a','c_eq','v_eq','arr_in','arr_null','iarr_in','b','u_eq','s_size','s_lt','s_starts','big_eq','big_gt','i_plus','i_div','jb_null','jb_has','dom_eq','id_eq','missing','s_type','i_str','n_int','jb_big','big_lt']) AS action;
CREATE TEMP TABLE res (action text, inline text, ids text);
DO $$
DECLARE a text; r text; mode text; q text;
BEGIN
	FOR a IN SELECT action FROM actions LOOP
		FOREACH mode IN ARRAY ARRAY['on', 'off'] LOOP
			PERFORM set_config('authz.inline_checks', mode, true);
			q := format($q$SELECT string_agg(id::text, ',' ORDER BY id) FROM typed t WHERE authz_check('{"id": "ann", "roles": ["user"]}',
				jsonb_build_object('kind', 'typed', 'id', t.id::text, 'attr', jsonb_build_object('n', n, 'f', f, 'd', d, 'ts', ts, 'tsz', tsz, 'j', j,
				'c', c, 'v', v, 'arr', arr, 'iarr', iarr, 'b', b, 'u', 'lit', 's', s, 'big', big, 'i', i, 'jb', jb, 'dom', dom)), %L)$q$, a);
			EXECUTE q INTO r;
			INSERT INTO res VALUES (a, mode, coalesce(r, ''));
			-- and the rows it refuses: NOT of a NULL would refuse them all
			EXECUTE replace(q, 'WHERE authz_check', 'WHERE NOT authz_check') INTO r;
			INSERT INTO res VALUES (a, mode || ' not', coalesce(r, ''));
		END LOOP;
	END LOOP;
END $$;
SELECT a.action, a.ids AS inlined, b.ids AS called, a.ids = b.ids AS same,
	an.ids AS refused_inlined, bn.ids = an.ids AS same_refused
  FROM res a JOIN res b USING (action) JOIN res an USING (action) JOIN res bn USING (action)
 WHERE a.inline = 'on' AND b.inline = 'off' AND an.inline = 'on not' AND bn.inline = 'off not'
 ORDER BY same, same_refused, action;
RESET authz.inline_checks;
DROP TABLE typed;
DROP DOMAIN inline_shorttext;
DELETE FROM authz_policies WHERE id = 'inline_typed';

-- a constant scope or policy version chooses the policies like the kind
INSERT INTO authz_policies (id, definition) VALUES ('inline_memo', $$
apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: memo
  version: default
  rules:
    - actions: ["edit"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: R.attr.level > 2
$$), ('inline_memo_acme', $$
apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: memo
  version: default
  scope: acme
  rules:
    - actions: ["edit"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: R.attr.label == "y"
$$), ('inline_memo_v2', $$
apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: memo
  version: v2
  rules:
    - actions: ["edit"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: R.attr.label == "x"
$$);
EXPLAIN (COSTS OFF)
SELECT id FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'memo', 'scope', 'acme', 'id', id, 'attr', jsonb_build_object('label', label, 'level', level)), 'edit');
EXPLAIN (COSTS OFF)
SELECT id FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
	jsonb_build_object('kind', 'memo', 'policyVersion', 'v2', 'id', id, 'attr', jsonb_build_object('label', label, 'level', level)), 'edit');
CREATE TEMP TABLE memo_answers (how text, inline text, ids text);
DO $$
DECLARE how text; mode text; r text;
BEGIN
	FOREACH how IN ARRAY ARRAY['''kind'', ''memo''', '''kind'', ''memo'', ''scope'', ''acme''',
		'''kind'', ''memo'', ''policyVersion'', ''v2''', '''kind'', ''memo'', ''scope'', ''acme.sub'''] LOOP
		FOREACH mode IN ARRAY ARRAY['on', 'off'] LOOP
			PERFORM set_config('authz.inline_checks', mode, true);
			EXECUTE format($q$SELECT string_agg(id, ',' ORDER BY id) FROM notes WHERE authz_check('{"id": "ann", "roles": ["user"]}',
				jsonb_build_object(%s, 'id', id, 'attr', jsonb_build_object('label', label, 'level', level)), 'edit')$q$, how) INTO r;
			INSERT INTO memo_answers VALUES (how, mode, coalesce(r, ''));
		END LOOP;
	END LOOP;
END $$;
SELECT a.how AS resource, a.ids AS inlined, b.ids AS called
  FROM memo_answers a JOIN memo_answers b USING (how) WHERE a.inline = 'on' AND b.inline = 'off' ORDER BY 1;
RESET authz.inline_checks;
DELETE FROM authz_policies WHERE id LIKE 'inline_memo%';
