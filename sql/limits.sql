-- Resource limits on CEL: each one is an ERROR naming its setting, and
-- statement_timeout ends a long evaluation, in authz_cel_eval and in
-- authz_check alike.
\set VERBOSITY default

-- comprehension steps
SET authz.cel_max_iterations = 1000;
SELECT authz_cel_eval('lists.range(2000).all(x, x >= 0)');
SELECT authz_cel_eval('lists.range(20).all(x, x >= 0)');
RESET authz.cel_max_iterations;

-- string growth
SET authz.cel_max_string_size = '1kB';
SELECT authz_cel_eval('s + s', jsonb_build_object('s', repeat('x', 600)));
SELECT authz_cel_eval('size(s + s)', jsonb_build_object('s', repeat('x', 500)));
RESET authz.cel_max_string_size;

-- list growth
SET authz.cel_max_list_items = 100;
SELECT authz_cel_eval('lists.range(int(n))', '{"n": 200}');
SELECT authz_cel_eval('[1, 2].map(x, [x]).flatten()', '{}');
RESET authz.cel_max_list_items;

-- regex size and backtracking
SET authz.cel_max_regex_size = 10;
SELECT authz_cel_eval('s.matches(p)', '{"s": "abc", "p": "a?b?c?d?e?f?g?"}');
RESET authz.cel_max_regex_size;
SET authz.cel_regex_match_limit = 100;
SELECT authz_cel_eval('s.matches("^(a|a)*$")', jsonb_build_object('s', repeat('a', 30) || 'c'));
RESET authz.cel_regex_match_limit;

-- expression size and nesting (parser)
SET authz.cel_max_expression_size = 10;
SELECT authz_cel_eval('1 + 2 + 3 + 4 + 5');
RESET authz.cel_max_expression_size;
SET authz.cel_max_nesting_depth = 5;
SELECT authz_cel_eval('((((((((1))))))))');
SELECT authz_cel_eval('((1))');
RESET authz.cel_max_nesting_depth;

-- the limits are the superuser's: an ordinary role cannot lift them
CREATE ROLE regress_authz_limits;
SET ROLE regress_authz_limits;
SET authz.cel_max_iterations = 2000000000;
RESET ROLE;
DROP ROLE regress_authz_limits;

-- policy conditions are bound by the same limits
\getenv abs_srcdir PG_ABS_SRCDIR
\set heavy :abs_srcdir '/test/fixtures/limits'
SELECT authz_load(:'heavy');
SELECT authz_check('{"id": "u", "roles": ["user"]}', '{"kind": "heavy", "id": "h", "attr": {"n": 10}}', 'loop');
SET authz.cel_max_iterations = 1000;
\set VERBOSITY sqlstate
SELECT authz_check('{"id": "u", "roles": ["user"]}', '{"kind": "heavy", "id": "h", "attr": {"n": 100}}', 'loop');
\set VERBOSITY default
SELECT authz_check('{"id": "u", "roles": ["user"]}', '{"kind": "heavy", "id": "h", "attr": {"n": 100}}', 'loop');
RESET authz.cel_max_iterations;
SET authz.cel_regex_match_limit = 100;
SELECT authz_check('{"id": "u", "roles": ["user"]}',
	jsonb_build_object('kind', 'heavy', 'id', 'h', 'attr', jsonb_build_object('s', repeat('a', 30) || 'c')), 'match');
RESET authz.cel_regex_match_limit;

-- statement_timeout (57014) interrupts a long comprehension
SET authz.cel_max_iterations = 2147483647;
SET statement_timeout = '100ms';
SELECT authz_cel_eval('lists.range(2000).all(i, lists.range(2000).all(j, lists.range(2000).all(k, k >= 0)))');
\set VERBOSITY sqlstate
SELECT authz_check('{"id": "u", "roles": ["user"]}', '{"kind": "heavy", "id": "h", "attr": {"n": 100000}}', 'loop');
\set VERBOSITY default
RESET statement_timeout;
RESET authz.cel_max_iterations;
-- and the backend goes on deciding
SELECT authz_check('{"id": "u", "roles": ["user"]}', '{"kind": "heavy", "id": "h", "attr": {"n": 3}}', 'loop');

-- request size: resources per request, actions per resource
SELECT authz_check_resources(jsonb_build_object('principal', '{"id": "u", "roles": ["user"]}'::jsonb,
	'resources', (SELECT jsonb_agg(jsonb_build_object('actions', '["loop"]'::jsonb,
		'resource', jsonb_build_object('kind', 'heavy', 'id', 'h' || i))) FROM generate_series(1, 51) i)));
SELECT authz_check_resources(jsonb_build_object('principal', '{"id": "u", "roles": ["user"]}'::jsonb,
	'resources', jsonb_build_array(jsonb_build_object('resource', '{"kind": "heavy", "id": "h"}'::jsonb,
		'actions', (SELECT jsonb_agg('a' || i) FROM generate_series(1, 51) i)))));

-- policy size (authz.max_policy_file_size, 1MB): the COMMIT fails, nothing changes
BEGIN;
INSERT INTO authz_policies VALUES ('big', 'apiVersion: api.cerbos.dev/v1' || E'\n# ' || repeat('x', 1100000) ||
	E'\nresourcePolicy: {resource: big, version: default, rules: []}\n');
COMMIT;
SELECT count(*) FROM authz_policies;

-- leave the demo policies loaded, as the earlier suites do
\set policies :abs_srcdir '/policies'
SELECT authz_load(:'policies');
