-- Loading policy directories into the shared store: all or nothing.
\getenv abs_srcdir PG_ABS_SRCDIR
\set v1 :abs_srcdir '/test/fixtures/store/v1'
\set v2 :abs_srcdir '/test/fixtures/store/v2'
\set broken :abs_srcdir '/test/fixtures/store/broken'
SELECT set_config('regress.broken', :'broken', false) IS NOT NULL AS ok;

-- a directory is compiled and published as this database's policy set
SELECT authz_load(:'v1');
SELECT fqn, kind, version, scope, source FROM authz_policies_loaded() ORDER BY fqn;
SELECT policies, image_size > 0 AS has_image, source LIKE 'directory:%/v1' AS from_v1
  FROM authz_status();
CREATE TEMP TABLE gen AS SELECT generation FROM authz_status();

-- test suites, testdata/ and JSON policies are handled as Cerbos does
SELECT authz_load(:'v2');
SELECT fqn, kind, scope, source FROM authz_policies_loaded() ORDER BY fqn;
SELECT s.generation = g.generation + 1 AS generation_bumped
  FROM authz_status() s, gen g;
UPDATE gen SET generation = (SELECT generation FROM authz_status());

-- a broken directory reports every problem with its position...
DO $$
DECLARE
	state text;
	detail text;
BEGIN
	PERFORM authz_load(current_setting('regress.broken'));
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
	RAISE NOTICE 'sqlstate %', state;
	RAISE NOTICE '%', detail;
END
$$;
-- ...and changes nothing
SELECT s.generation = g.generation AS generation_unchanged, s.policies
  FROM authz_status() s, gen g;
SELECT count(*) AS still_v2 FROM authz_policies_loaded() WHERE fqn LIKE '%photo%';

-- a missing directory is an error too
SELECT authz_load('/nonexistent/authz/policies');

-- reloading needs authz.policy_dir
SELECT authz_reload();

-- only superusers and authz_admin members may load
CREATE ROLE authz_regress_user;
SET ROLE authz_regress_user;
SELECT authz_load(:'v1');
SELECT policies FROM authz_status();
RESET ROLE;
GRANT authz_admin TO authz_regress_user;
SET ROLE authz_regress_user;
SELECT authz_load(:'v1');
RESET ROLE;
DROP ROLE authz_regress_user;

-- DROP EXTENSION leaves no policy set of this database behind
SELECT authz_load(:'v1');
SELECT policies > 0 AS has_own_set FROM authz_status();
DROP EXTENSION authz;
CREATE EXTENSION authz;
SELECT policies, source FROM authz_status();

-- every policy kind Cerbos has, with schemas, test suites and testdata beside them
\set all_kinds :abs_srcdir '/test/policies/good/all_kinds'
SELECT authz_load(:'all_kinds');
SELECT kind, fqn, version, scope FROM authz_policies_loaded() ORDER BY kind, fqn;

-- a condition that does not type-check is refused with its position
\set bad_cel :abs_srcdir '/test/fixtures/store/bad_cel'
SELECT set_config('regress.bad_cel', :'bad_cel', false) IS NOT NULL AS ok;
DO $$
DECLARE
	detail text;
BEGIN
	PERFORM authz_load(current_setting('regress.bad_cel'));
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
	RAISE NOTICE '%', detail;
END
$$;
SELECT count(*) AS still_all_kinds FROM authz_policies_loaded();
