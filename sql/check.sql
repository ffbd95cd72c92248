-- Decisions with the demo policies (policies/), as Cerbos makes them.
\getenv abs_srcdir PG_ABS_SRCDIR
\set policies :abs_srcdir '/policies'
SELECT authz_load(:'policies');

CREATE TEMP TABLE docs (id text, owner text, tenant text, public boolean, locked boolean);
INSERT INTO docs VALUES
	('d1', 'alice', 'acme', false, false),
	('d2', 'carol', 'globex', true, true),
	('d3', 'bob', 'acme', false, true);
CREATE TEMP TABLE people (id text, roles text[], tenant text);
INSERT INTO people VALUES
	('alice', '{user}', 'acme'), ('bob', '{user,editor}', 'acme'),
	('carol', '{user,editor}', 'globex'), ('root', '{admin}', 'acme');

-- every (person, document, action): the same answers as the policy test suite
SELECT p.id AS principal, d.id AS doc, a.action,
	authz_check(
		jsonb_build_object('id', p.id, 'roles', to_jsonb(p.roles), 'attr', jsonb_build_object('tenantId', p.tenant)),
		jsonb_build_object('kind', 'document', 'id', d.id,
			'attr', jsonb_build_object('owner', d.owner, 'tenant', d.tenant, 'public', d.public, 'locked', d.locked)),
		a.action) AS allowed
  FROM people p, docs d, (VALUES ('view'), ('update'), ('delete')) a(action)
 ORDER BY 1, 2, 3;

-- CheckResources: Cerbos' request body in, its response body out
SELECT jsonb_pretty(authz_check_resources($$
{
  "requestId": "r1",
  "includeMeta": true,
  "principal": {"id": "bob", "roles": ["user", "editor"], "attr": {"tenantId": "acme"}},
  "resources": [
    {"actions": ["view", "delete"],
     "resource": {"kind": "document", "id": "d1", "attr": {"owner": "alice", "tenant": "acme", "public": false}}},
    {"actions": ["view"],
     "resource": {"kind": "invoice", "id": "i1"}}
  ]
}$$));

-- the session principal
BEGIN;
SELECT authz_set_principal('{"id": "alice", "roles": ["user"], "attr": {"tenantId": "acme"}}') IS NOT NULL AS set;
SELECT id, authz_check(jsonb_build_object('kind', 'document', 'id', id,
		'attr', jsonb_build_object('owner', owner, 'tenant', tenant, 'public', public, 'locked', locked)), 'view') AS alice_may_view
  FROM docs ORDER BY id;
COMMIT;
-- with no principal nothing is allowed
SELECT authz_check('{"kind": "document", "id": "d2", "attr": {"public": true}}', 'view') AS nobody_may_view;

-- bad requests name the field (SQLSTATE 22023)
\set VERBOSITY default
SELECT authz_check('{"roles": ["user"]}', '{"kind": "document", "id": "x"}', 'view');
SELECT authz_check('{"id": "a", "roles": ["user"]}', '{"id": "x"}', 'view');
SELECT authz_check_resources('{"principal": {"id": "a", "roles": ["user"]}, "resources": [{"actions": [], "resource": {"kind": "document", "id": "x"}}]}');
SELECT authz_check_resources('{"resources": []}');
SELECT authz_check_resources('[]');

-- the actions a principal may perform on a resource
SELECT p.id, authz_allowed_actions(
		jsonb_build_object('id', p.id, 'roles', to_jsonb(p.roles), 'attr', jsonb_build_object('tenantId', p.tenant)),
		'{"kind": "document", "id": "d1", "attr": {"owner": "alice", "tenant": "acme", "public": false, "locked": false}}')
  FROM people p ORDER BY p.id;

-- the decision log records decisions only while it is on
SELECT count(*) AS logged_before FROM authz_decision_log();
SET authz.decision_log = on;
SELECT authz_check('{"id": "bob", "roles": ["user"], "attr": {"tenantId": "acme"}}',
	'{"kind": "document", "id": "d1", "attr": {"owner": "bob", "tenant": "acme"}}', 'delete') AS allowed;
SELECT authz_check_resources('{"principal": {"id": "carol", "roles": ["user"]}, "includeMeta": true,
	"resources": [{"actions": ["view", "update"], "resource": {"kind": "document", "id": "d2", "attr": {"public": true}}}]}') IS NOT NULL AS answered;
SET authz.decision_log = off;
SELECT authz_check('{"id": "dave", "roles": ["user"]}', '{"kind": "document", "id": "d9"}', 'view') AS not_logged;
SELECT principal_id, resource_kind, resource_id, action, effect, policy
  FROM authz_decision_log() ORDER BY seq;
-- ordinary roles may neither read it nor switch it on
CREATE ROLE authz_regress_reader;
SET ROLE authz_regress_reader;
SELECT count(*) FROM authz_decision_log();
SET authz.decision_log = on;
RESET ROLE;
DROP ROLE authz_regress_reader;

-- engine settings reach the next decision after a configuration reload
ALTER SYSTEM SET authz.default_policy_version = 'v_missing';
SELECT pg_reload_conf();
SELECT pg_sleep(0.2);
SELECT authz_check('{"id": "root", "roles": ["admin"]}', '{"kind": "document", "id": "d1"}', 'view') AS with_missing_default_version;
ALTER SYSTEM RESET authz.default_policy_version;
SELECT pg_reload_conf();
SELECT pg_sleep(0.2);
SELECT authz_check('{"id": "root", "roles": ["admin"]}', '{"kind": "document", "id": "d1"}', 'view') AS with_default_version;

-- many principals interleaved in one query, more than the call site keeps
-- decoded: every row is still decided for its own principal, as the
-- uncached authz_check_resources decides it
WITH req AS (
	SELECT i, jsonb_build_object('id', 'u' || (i % 1500), 'roles',
			CASE WHEN i % 3 = 0 THEN '["user", "editor"]'::jsonb WHEN i % 101 = 0 THEN '["admin"]'::jsonb ELSE '["user"]'::jsonb END,
			'attr', jsonb_build_object('tenantId', 't' || (i % 4))) AS principal,
		jsonb_build_object('kind', 'document', 'id', 'd' || i, 'attr', jsonb_build_object(
			'owner', 'u' || ((i * 7) % 1500), 'tenant', 't' || (i % 5), 'public', i % 11 = 0)) AS resource
	FROM generate_series(1, 6000) i)
SELECT count(*) AS decisions,
	count(*) FILTER (WHERE authz_check(principal, resource, 'update')) AS allowed,
	count(*) FILTER (WHERE authz_check(principal, resource, 'update') IS DISTINCT FROM
		(authz_check_resources(jsonb_build_object('principal', principal, 'resources',
			jsonb_build_array(jsonb_build_object('actions', '["update"]'::jsonb, 'resource', resource))))
			#>> '{results,0,actions,update}') = 'EFFECT_ALLOW') AS differ
FROM req;

-- decisions in parallel workers, which cannot read the policy table: they
-- take the set the leader made sure of when the parallel plan started
SET force_parallel_mode = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
CREATE TABLE parallel_docs AS SELECT i, jsonb_build_object('kind', 'document', 'id', i::text,
	'attr', jsonb_build_object('owner', 'u' || (i % 4))) AS resource FROM generate_series(1, 2000) i;
ANALYZE parallel_docs;
EXPLAIN (COSTS OFF) SELECT count(*) FROM parallel_docs
	WHERE authz_check('{"id": "u1", "roles": ["user"]}', resource, 'update');
SELECT count(*) FROM parallel_docs WHERE authz_check('{"id": "u1", "roles": ["user"]}', resource, 'update');
DROP TABLE parallel_docs;
RESET force_parallel_mode;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
