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
