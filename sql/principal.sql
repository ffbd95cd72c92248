-- The session principal: who may set it, how long it lasts, how it is
-- forgotten, and that plain SQL cannot forge it.
SELECT authz_principal() IS NULL AS no_principal;

-- transaction scope (the default): gone at commit and at rollback
BEGIN;
SELECT authz_set_principal('{"id":"alice","roles":["user"],"attr":{"tenantId":"acme"}}');
SELECT authz_principal()->>'id' AS in_transaction;
COMMIT;
SELECT authz_principal() IS NULL AS gone_after_commit;
BEGIN;
SELECT authz_set_principal('{"id":"alice","roles":["user"]}') IS NOT NULL AS set;
ROLLBACK;
SELECT authz_principal() IS NULL AS gone_after_rollback;

-- a principal set in a rolled-back subtransaction is undone
BEGIN;
SELECT authz_set_principal('{"id":"outer","roles":["user"]}') IS NOT NULL AS set;
SAVEPOINT s1;
SELECT authz_set_principal('{"id":"inner","roles":["user"]}') IS NOT NULL AS set;
SELECT authz_principal()->>'id' AS inside_savepoint;
ROLLBACK TO SAVEPOINT s1;
SELECT authz_principal()->>'id' AS after_rollback_to_savepoint;
COMMIT;

-- session scope lasts across transactions and is shadowed by a transaction one
SELECT authz_set_principal('{"id":"bob","roles":["editor"]}', for_session => true) IS NOT NULL AS set;
SELECT authz_principal()->>'id' AS session_principal;
BEGIN;
SELECT authz_set_principal('{"id":"carol","roles":["user"]}') IS NOT NULL AS set;
SELECT authz_principal()->>'id' AS shadowed_by;
COMMIT;
SELECT authz_principal()->>'id' AS back_to_session_principal;

-- parallel workers see the leader's principal
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET force_parallel_mode = on;
EXPLAIN (COSTS OFF) SELECT authz_principal()->>'id';
SELECT authz_principal()->>'id' AS seen_by_worker;
RESET force_parallel_mode;

-- RESET ALL and DISCARD ALL forget it; so does authz_reset_session()
RESET ALL;
SELECT authz_principal() IS NULL AS gone_after_reset_all;
SELECT authz_set_principal('{"id":"bob","roles":["editor"]}', true) IS NOT NULL AS set;
DISCARD ALL;
SELECT authz_principal() IS NULL AS gone_after_discard_all;
SELECT authz_set_principal('{"id":"bob","roles":["editor"]}', true) IS NOT NULL AS set;
SELECT authz_reset_session();
SELECT authz_principal() IS NULL AS gone_after_reset_session;

-- malformed principals are refused with the field named
SELECT authz_set_principal('[]');
SELECT authz_set_principal('{"roles":["user"]}');
SELECT authz_set_principal('{"id":"","roles":["user"]}');
SELECT authz_set_principal('{"id":"a","roles":[]}');
SELECT authz_set_principal('{"id":"a","roles":["user", 7]}');
SELECT authz_set_principal('{"id":"a","roles":["user"],"attr":[1]}');
SELECT authz_set_principal('{"id":"a","roles":["user"],"policyVersion":"v-1"}');
SELECT authz_set_principal('{"id":"a","roles":["user"],"scope":"a/b"}');
SELECT authz_set_principal('{"id":"a","roles":["user"],"role":"admin"}');
SELECT authz_principal() IS NULL AS nothing_was_set;

-- an ordinary role cannot set a principal, by any route
CREATE ROLE authz_regress_mallory;
GRANT CREATE ON SCHEMA public TO authz_regress_mallory;
SET ROLE authz_regress_mallory;
SELECT authz_set_principal('{"id":"admin","roles":["admin"]}');
SET authz.principal = '{"id":"admin","roles":["admin"]}';
SELECT set_config('authz.principal', '{"id":"admin"}', false);
CREATE FUNCTION forge(jsonb, boolean) RETURNS jsonb
	AS '$libdir/authz', 'authz_set_principal' LANGUAGE c;
SELECT authz_principal() IS NULL AS still_nobody;
-- but anyone may forget their own principal
SELECT authz_reset_session();
RESET ROLE;

-- members of authz_trusted may set it
GRANT authz_trusted TO authz_regress_mallory;
SET ROLE authz_regress_mallory;
SELECT authz_set_principal('{"id":"svc","roles":["service"]}')->>'id' AS trusted_can_set;
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM authz_regress_mallory;
DROP ROLE authz_regress_mallory;
