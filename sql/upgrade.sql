-- Upgrades as pg_stat_statements tests them: install the oldest released
-- version, use it, update to the newest, and check that it still decides
-- with the data it had and serves the new functions.  (That an updated
-- installation equals a fresh one object by object: test/t/011_upgrade.pl.)
-- Runs in its own database, so the regression database keeps its policies.
SELECT current_database() AS regress_db \gset
CREATE DATABASE authz_upgrade;
\c authz_upgrade

SELECT version FROM pg_available_extension_versions WHERE name = 'authz' ORDER BY version;
SELECT source, target, path FROM pg_extension_update_paths('authz')
 WHERE path IS NOT NULL ORDER BY source, target;

CREATE EXTENSION authz VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'authz';
CREATE VIEW authz_members AS
	SELECT pg_describe_object(classid, objid, objsubid) AS member
	  FROM pg_depend
	 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
	   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'authz');
CREATE TEMP TABLE members_01 AS SELECT member FROM authz_members;
SELECT count(*) AS members_01 FROM members_01;

-- 0.1 in use: policies in its table, decisions, the session principal
INSERT INTO authz_policies (id, definition) VALUES ('doc', $$
apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: document
  version: default
  rules:
    - actions: ["view"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: R.attr.owner == P.id
    - actions: ["*"]
      effect: EFFECT_ALLOW
      roles: ["admin"]
$$);
SELECT fqn, kind, source FROM authz_policies_loaded() ORDER BY fqn;
CREATE TABLE docs (id text PRIMARY KEY, owner text);
INSERT INTO docs VALUES ('d1', 'alice'), ('d2', 'bob'), ('d3', 'alice');
CREATE TEMP TABLE decisions_01 AS
SELECT d.id, p.who, a.action,
	authz_check(jsonb_build_object('id', p.who, 'roles', jsonb_build_array(p.role)),
		jsonb_build_object('kind', 'document', 'id', d.id, 'attr', jsonb_build_object('owner', d.owner)),
		a.action) AS allowed
  FROM docs d, (VALUES ('alice', 'user'), ('bob', 'user'), ('root', 'admin')) p(who, role),
	(VALUES ('view'), ('delete')) a(action);
SELECT * FROM decisions_01 ORDER BY 1, 2, 3;
SELECT authz_set_principal('{"id": "alice", "roles": ["user"]}', true) IS NOT NULL AS set;
SELECT id, authz_check(jsonb_build_object('kind', 'document', 'id', id, 'attr', jsonb_build_object('owner', owner)), 'view')
  FROM docs ORDER BY id;
SELECT generation AS generation_01, policies FROM authz_status() \gset
SELECT :policies AS policies_01;

ALTER EXTENSION authz UPDATE TO '0.2';
SELECT extversion FROM pg_extension WHERE extname = 'authz';
-- nothing of 0.1 went away; what 0.2 added
SELECT member AS removed FROM members_01 EXCEPT SELECT member FROM authz_members;
SELECT member AS added FROM authz_members EXCEPT SELECT member FROM members_01 ORDER BY 1;

-- the policies table kept its rows, and the same policies still decide:
-- the update published nothing
SELECT id, definition LIKE '%R.attr.owner == P.id%' AS kept FROM authz_policies ORDER BY id;
SELECT generation = :generation_01 AS same_generation, policies FROM authz_status();
SELECT count(*) AS changed_decisions
  FROM decisions_01 o
 WHERE o.allowed IS DISTINCT FROM authz_check(jsonb_build_object('id', o.who, 'roles',
		jsonb_build_array(CASE o.who WHEN 'root' THEN 'admin' ELSE 'user' END)),
	jsonb_build_object('kind', 'document', 'id', o.id, 'attr',
		jsonb_build_object('owner', (SELECT owner FROM docs WHERE docs.id = o.id))), o.action);
SELECT authz_principal()->>'id' AS session_principal;

-- 0.2's functions work on the updated installation
SELECT authz_protect('docs', 'document');
SELECT id FROM docs ORDER BY id;
CREATE ROLE authz_upgrade_reader;
GRANT SELECT ON docs TO authz_upgrade_reader;
SET ROLE authz_upgrade_reader;
SELECT id FROM docs ORDER BY id;
RESET ROLE;
SELECT authz_plan_sql('{"principal": {"id": "bob", "roles": ["user"]}, "resource": {"kind": "document"}, "action": "view"}');

-- and a policy change after the update publishes as before
UPDATE authz_policies SET definition = replace(definition, '"view"', '"view", "comment"');
SELECT authz_check('{"kind": "document", "id": "d1", "attr": {"owner": "alice"}}', 'comment') AS alice_comments;

SELECT authz_reset_session();
DROP EXTENSION authz;
\c :regress_db
DROP DATABASE authz_upgrade WITH (FORCE);
DROP ROLE authz_upgrade_reader;
