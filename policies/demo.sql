-- The authz demo, run by tools/demo against a throwaway cluster whose
-- authz.policy_dir points at a copy of this folder.
\pset footer off
\echo
\echo '== authz is preloaded; the extension installs into this database'
CREATE EXTENSION IF NOT EXISTS authz;

\echo '== the policies in authz.policy_dir were compiled at server start'
-- the start-up loader runs in the background: wait for its first publication
DO $$
BEGIN
	FOR i IN 1..100 LOOP
		EXIT WHEN (SELECT generation FROM authz_status()) > 0;
		PERFORM pg_sleep(0.1);
	END LOOP;
END
$$;
SELECT generation, policies, source FROM authz_status();
SELECT fqn, kind, source FROM authz_policies_loaded() ORDER BY fqn;

\echo '== reloading the directory publishes a new generation'
SELECT authz_reload() AS policies_reloaded;
SELECT generation, policies FROM authz_status();

\echo
\echo '== decisions: who may do what with which document (policies/document.yaml)'
CREATE TABLE documents (id text PRIMARY KEY, title text, owner text, tenant text,
	public boolean DEFAULT false, locked boolean DEFAULT false);
INSERT INTO documents VALUES
	('d1', 'Acme roadmap', 'alice', 'acme', false, false),
	('d2', 'Globex press kit', 'carol', 'globex', true, true),
	('d3', 'Acme budget', 'bob', 'acme', false, true);

SELECT d.id, d.title, a.action,
	authz_check('{"id": "bob", "roles": ["user", "editor"], "attr": {"tenantId": "acme"}}',
		jsonb_build_object('kind', 'document', 'id', d.id, 'attr', to_jsonb(d) - 'id' - 'title'),
		a.action) AS bob_may
  FROM documents d, (VALUES ('view'), ('update'), ('delete')) a(action)
 ORDER BY d.id, a.action;

\echo '== the same question as Cerbos'' CheckResources API, answered in SQL'
SELECT jsonb_pretty(authz_check_resources(jsonb_build_object(
	'requestId', 'demo',
	'includeMeta', true,
	'principal', '{"id": "alice", "roles": ["user"], "attr": {"tenantId": "acme"}}'::jsonb,
	'resources', (SELECT jsonb_agg(jsonb_build_object(
		'actions', '["view", "delete"]'::jsonb,
		'resource', jsonb_build_object('kind', 'document', 'id', id, 'attr', to_jsonb(d) - 'id' - 'title')))
		FROM documents d WHERE id IN ('d1', 'd2')))));

\echo
\echo '== SuperTokens sessions: the application passes the user''s access token'
SELECT authz_set_jwks(:'jwks') AS keys_stored;

\echo '-- alice (tenant acme) logs in'
BEGIN;
SELECT authz_set_session(:'token_alice') ->> 'id' AS principal;
SELECT id, title, authz_check(jsonb_build_object('kind', 'document', 'id', id, 'attr', to_jsonb(d) - 'id' - 'title'), 'view') AS may_view,
	authz_check(jsonb_build_object('kind', 'document', 'id', id, 'attr', to_jsonb(d) - 'id' - 'title'), 'update') AS may_update
  FROM documents d ORDER BY id;
COMMIT;

\echo '-- carol (tenant globex, editor) logs in: different answers on the same rows'
BEGIN;
SELECT authz_set_session(:'token_carol') ->> 'id' AS principal;
SELECT id, title, authz_check(jsonb_build_object('kind', 'document', 'id', id, 'attr', to_jsonb(d) - 'id' - 'title'), 'view') AS may_view,
	authz_check(jsonb_build_object('kind', 'document', 'id', id, 'attr', to_jsonb(d) - 'id' - 'title'), 'update') AS may_update
  FROM documents d ORDER BY id;
COMMIT;

\echo '-- after the transaction nobody is logged in: nothing is allowed'
SELECT count(*) FILTER (WHERE authz_check(jsonb_build_object('kind', 'document', 'id', id, 'attr', to_jsonb(d) - 'id' - 'title'), 'view')) AS visible
  FROM documents d;

\echo '-- an expired and a forged token get nothing'
\set ON_ERROR_STOP 0
SELECT authz_set_session(:'token_expired');
SELECT authz_set_session(:'token_forged');
\set ON_ERROR_STOP 1
SELECT authz_principal() IS NULL AS still_nobody;

\echo
\echo '== row-level security from the same policies: each user sees only their rows'
SELECT authz_protect('documents', 'document');
-- the application's role: not the table's owner, so row-level security applies to it
DO $$ BEGIN CREATE ROLE demo_app; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT SELECT, UPDATE ON documents TO demo_app;
SET ROLE demo_app;

\echo '-- alice (tenant acme)'
BEGIN;
SELECT authz_set_session(:'token_alice') ->> 'id' AS principal;
SELECT id, title FROM documents ORDER BY id;
\echo '-- the filter is plain SQL that PostgreSQL plans like any other'
EXPLAIN (COSTS OFF) SELECT id, title FROM documents;
COMMIT;

\echo '-- carol (tenant globex, editor): the same query, other rows'
BEGIN;
SELECT authz_set_session(:'token_carol') ->> 'id' AS principal;
SELECT id, title FROM documents ORDER BY id;
\echo '-- carol may update only what the policies let her update'
UPDATE documents SET title = title || ' (reviewed)' RETURNING id, title;
COMMIT;

\echo '-- with a rejected token nobody is logged in, and no row is visible'
\set ON_ERROR_STOP 0
SELECT authz_set_session(:'token_forged');
\set ON_ERROR_STOP 1
SELECT count(*) AS visible_rows FROM documents;
RESET ROLE;
