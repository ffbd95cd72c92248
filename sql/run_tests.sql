-- Cerbos policy test suites run inside the database: authz_run_tests(dir).
\getenv abs_srcdir PG_ABS_SRCDIR
\set suites :abs_srcdir '/test/policies/suites'

-- every case of every suite; expected DENYs included (pairs a test does not mention)
SELECT suite, test, principal, resource, action, expected, actual, passed, skipped
  FROM authz_run_tests(:'suites')
 WHERE test IS NOT NULL
 ORDER BY suite, test, principal, resource, action;

-- the summary: failures are reported, not raised
SELECT count(*) AS cases,
       count(*) FILTER (WHERE passed) AS passed,
       count(*) FILTER (WHERE NOT passed AND NOT skipped AND actual IS NOT NULL) AS failed,
       count(*) FILTER (WHERE skipped) AS skipped,
       count(*) FILTER (WHERE NOT passed AND NOT skipped AND actual IS NULL) AS errored
  FROM authz_run_tests(:'suites');

-- a wrong expected effect and wrong outputs fail, with the reason
SELECT test, principal, action, expected, actual, message
  FROM authz_run_tests(:'suites')
 WHERE test IS NOT NULL AND NOT passed AND NOT skipped
 ORDER BY test, principal, action;

-- outputs: expected ones are compared with the actual ones (numbers as doubles)
SELECT test, principal, resource, action, expected_outputs, actual_outputs
  FROM authz_run_tests(:'suites')
 WHERE expected_outputs IS NOT NULL
 ORDER BY test, principal, resource, action;

-- suites that did not run: skipped as a whole, or errors as Cerbos words them
SELECT suite, skipped, regexp_replace(message, E'\n.*', '', 'g') AS message
  FROM authz_run_tests(:'suites')
 WHERE test IS NULL
 ORDER BY suite;

-- policies that do not compile: no test runs
\set broken :abs_srcdir '/test/fixtures/store/broken'
SELECT set_config('regress.broken_suites', :'broken', false) IS NOT NULL AS ok;
DO $$
DECLARE
	state text;
	msg text;
BEGIN
	PERFORM * FROM authz_run_tests(current_setting('regress.broken_suites'));
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RAISE NOTICE '% %', state, regexp_replace(msg, '"[^"]*"', '"..."');
END
$$;

-- a directory is required
SELECT * FROM authz_run_tests();

-- administrators only
CREATE ROLE run_tests_nobody;
SET ROLE run_tests_nobody;
SELECT * FROM authz_run_tests(:'suites');
RESET ROLE;
DROP ROLE run_tests_nobody;
