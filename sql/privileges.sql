-- Privileges: every privileged function and table refuses an ordinary role
-- with 42501, and the C checks hold even when EXECUTE is granted by
-- mistake.  No SECURITY DEFINER function may leave search_path open.
CREATE ROLE regress_authz_nobody;
CREATE ROLE regress_authz_trusted_app IN ROLE authz_trusted;
-- the outcome of one statement: 'ok' or its SQLSTATE and message
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
CREATE TEMP TABLE privileged (stmt text);
GRANT SELECT ON privileged TO PUBLIC;
INSERT INTO privileged VALUES
	($$SELECT authz_load('/nonexistent')$$),
	($$SELECT authz_reload()$$),
	($$SELECT authz_set_principal('{"id": "x", "roles": ["admin"]}')$$),
	($$SELECT authz_set_principal('{"id": "x", "roles": ["admin"]}', true)$$),
	($$SELECT authz_validate_jwks('{"keys": []}')$$),
	($$SELECT authz_set_jwks('{"keys": []}')$$),
	($$SELECT * FROM authz_decision_log()$$),
	($$SELECT * FROM authz_policies$$),
	($$INSERT INTO authz_policies VALUES ('x', 'y')$$),
	($$UPDATE authz_policies SET definition = ''$$),
	($$DELETE FROM authz_policies$$),
	($$TRUNCATE authz_policies$$),
	($$INSERT INTO authz_jwks (jwks) VALUES ('{"keys": []}')$$),
	($$DELETE FROM authz_jwks$$),
	($$SET authz.now = '2020-01-01 00:00:00+00'$$),
	($$SET authz.decision_log = on$$),
	($$SET authz.principal_mapping = '{}'$$),
	($$SET authz.supertokens_leeway = 60$$),
	($$SET authz.cel_max_iterations = 2000000000$$);

SET ROLE regress_authz_nobody;
SELECT stmt, pg_temp.try(stmt) AS outcome FROM privileged;
-- what every role may do
SELECT authz_check('{"id": "u", "roles": ["user"]}', '{"kind": "document", "id": "d"}', 'view') IS NOT NULL AS decided;
SELECT authz_principal() IS NULL AS no_principal;
RESET ROLE;

-- EXECUTE granted by mistake: the checks in C still refuse
GRANT EXECUTE ON FUNCTION authz_load(text), authz_reload(), authz_set_principal(jsonb, boolean),
	authz_decision_log() TO regress_authz_nobody;
SET ROLE regress_authz_nobody;
SELECT stmt, pg_temp.try(stmt) AS outcome FROM privileged
 WHERE stmt ~ '^SELECT (\* FROM )?authz_(load|reload|set_principal|decision_log)';
RESET ROLE;
REVOKE EXECUTE ON FUNCTION authz_load(text), authz_reload(), authz_set_principal(jsonb, boolean),
	authz_decision_log() FROM regress_authz_nobody;
-- and the keys' trigger refuses a writer that is not authz_admin
GRANT INSERT, DELETE ON authz_jwks TO regress_authz_nobody;
SET ROLE regress_authz_nobody;
SELECT stmt, pg_temp.try(stmt) AS outcome FROM privileged WHERE stmt ~ 'authz_jwks';
RESET ROLE;
REVOKE INSERT, DELETE ON authz_jwks FROM regress_authz_nobody;

-- authz_trusted may set a principal, and nothing else of the above
SET ROLE regress_authz_trusted_app;
SELECT authz_set_principal('{"id": "app-user", "roles": ["user"]}') ->> 'id' AS principal;
SELECT pg_temp.try($$SELECT authz_load('/nonexistent')$$) AS load;
RESET ROLE;
SELECT authz_reset_session();

-- SECURITY DEFINER functions of the extension that do not pin search_path
SELECT p.oid::regprocedure AS unpinned
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'authz'
 WHERE p.prosecdef
   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%');

DROP ROLE regress_authz_nobody;
DROP ROLE regress_authz_trusted_app;
