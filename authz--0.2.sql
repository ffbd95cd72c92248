-- authz 0.2: Cerbos-compatible authorization inside PostgreSQL.
--
-- The full script of version 0.2, the default (authz.control).  Version 0.1
-- is frozen as released (authz--0.1.sql: the SQL of the first landing on
-- main); an installed 0.1 reaches this one with authz--0.1--0.2.sql.
--
-- INTEGRATORS: a new SQL object goes at the end of THIS file AND at the end
-- of authz--0.1--0.2.sql (or of a new authz--0.2--0.3.sql once 0.2 is
-- released).  Blocks appended to authz--0.1.sql on other branches must be
-- moved here and into the upgrade script; test/t/011_upgrade.pl fails when
-- this file and the upgrade path disagree.
\echo Use "CREATE EXTENSION authz" to load this file. \quit

-- Members of authz_admin may load policies (roles are cluster-wide, so the
-- role outlives the extension and is shared by every database).
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'authz_admin') THEN
		CREATE ROLE authz_admin NOLOGIN;
	END IF;
END
$$;

CREATE FUNCTION authz_load(dir text)
RETURNS integer
AS 'MODULE_PATHNAME', 'authz_load'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION authz_load(text) IS
	'Compile every policy under a directory and make it this database''s active policy set; returns the number of policies. Nothing changes if any file has an error.';

CREATE FUNCTION authz_reload()
RETURNS integer
AS 'MODULE_PATHNAME', 'authz_reload'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION authz_reload() IS
	'Recompile authz.policy_dir and publish it as the server-wide policy set; returns the number of policies.';

CREATE FUNCTION authz_status(
	OUT generation bigint,
	OUT loaded_at timestamptz,
	OUT image_size bigint,
	OUT policies integer,
	OUT source text,
	OUT shared_image_bytes bigint,
	OUT shared_images integer)
RETURNS record
AS 'MODULE_PATHNAME', 'authz_status'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION authz_status() IS
	'The policy set this session decides with: its generation, load time, image size, policy count and source, and the shared memory held by all images.';

CREATE FUNCTION authz_policies_loaded(
	OUT fqn text,
	OUT kind text,
	OUT version text,
	OUT scope text,
	OUT source text,
	OUT generation bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'authz_policies_loaded'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION authz_policies_loaded() IS
	'One row per policy of the active policy set.';

REVOKE ALL ON FUNCTION authz_load(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION authz_reload() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authz_load(text) TO authz_admin;
GRANT EXECUTE ON FUNCTION authz_reload() TO authz_admin;

-- The session principal.  It lives in backend memory, never in a GUC, so
-- plain SQL cannot forge it; see the README's Security model.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'authz_trusted') THEN
		CREATE ROLE authz_trusted NOLOGIN;
	END IF;
END
$$;

CREATE FUNCTION authz_set_principal(principal jsonb, for_session boolean DEFAULT false)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'authz_set_principal'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION authz_set_principal(jsonb, boolean) IS
	'Make a Cerbos principal the current one until the end of the transaction (or the session with for_session => true), for applications that verify identity elsewhere. Superusers, authz_admin and authz_trusted only.';

CREATE FUNCTION authz_principal()
RETURNS jsonb
AS 'MODULE_PATHNAME', 'authz_principal'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION authz_principal() IS
	'The current principal, or NULL when none is set.';

CREATE FUNCTION authz_reset_session()
RETURNS void
AS 'MODULE_PATHNAME', 'authz_reset_session'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION authz_reset_session() IS
	'Forget the current principal, whatever its scope.';

REVOKE ALL ON FUNCTION authz_set_principal(jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authz_set_principal(jsonb, boolean) TO authz_admin, authz_trusted;

-- Policies kept in the database.  A transaction that changes this table
-- recompiles the database's policy set when it commits (a COMMIT that
-- would publish a broken set fails instead); a rollback publishes nothing.
CREATE TABLE authz_policies (
	id text PRIMARY KEY,
	definition text NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE authz_policies IS
	'Cerbos policies (YAML or JSON, one or more documents per row) compiled together with the database''s policy directory when a change commits.';
SELECT pg_catalog.pg_extension_config_dump('authz_policies', '');

CREATE FUNCTION authz_policies_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'authz_policies_changed'
LANGUAGE C;

CREATE TRIGGER authz_policies_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON authz_policies
	FOR EACH STATEMENT EXECUTE FUNCTION authz_policies_changed();

REVOKE ALL ON authz_policies FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON authz_policies TO authz_admin;

-- CEL, for psql and tests: the same compiler and evaluator as conditions.
CREATE FUNCTION authz_cel_eval(expr text, bindings jsonb DEFAULT '{}', typed boolean DEFAULT false)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'authz_cel_eval'
LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION authz_cel_eval(text, jsonb, boolean) IS
	'Compile one CEL expression as Cerbos compiles conditions (bindings declared dyn) and evaluate it: {"type","value"}, the typed encoding when typed, or {"error"} for a runtime error. Compile errors are SQL errors with line:column.';

-- SuperTokens sessions.  Public keys (JWKS) are stored in authz_jwks so that
-- they replicate and survive restarts; a commit that changes them makes
-- every backend rebuild its keys.
CREATE TABLE authz_jwks (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	jwks jsonb NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE authz_jwks IS
	'The SuperTokens JWKS (public keys) that verify access tokens; set it with authz_set_jwks().';
SELECT pg_catalog.pg_extension_config_dump('authz_jwks', '');
REVOKE ALL ON authz_jwks FROM PUBLIC;
-- public keys are not secret; writers are checked by the trigger below
GRANT SELECT ON authz_jwks TO PUBLIC;
GRANT INSERT, UPDATE, DELETE, TRUNCATE ON authz_jwks TO authz_admin;

CREATE FUNCTION authz_jwks_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'authz_jwks_changed'
LANGUAGE C;

-- every row written is validated; every committed change reaches all backends
CREATE TRIGGER authz_jwks_validate
	BEFORE INSERT OR UPDATE ON authz_jwks
	FOR EACH ROW EXECUTE FUNCTION authz_jwks_changed();
CREATE TRIGGER authz_jwks_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON authz_jwks
	FOR EACH STATEMENT EXECUTE FUNCTION authz_jwks_changed();

CREATE FUNCTION authz_validate_jwks(jwks jsonb)
RETURNS integer
AS 'MODULE_PATHNAME', 'authz_validate_jwks'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION authz_validate_jwks(jsonb) IS
	'Check a SuperTokens JWKS and return how many RS256 signing keys it holds; errors name what is wrong.';
REVOKE ALL ON FUNCTION authz_validate_jwks(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authz_validate_jwks(jsonb) TO authz_admin;

CREATE FUNCTION authz_set_jwks(jwks jsonb)
RETURNS integer
LANGUAGE sql VOLATILE PARALLEL UNSAFE
AS $$
	INSERT INTO authz_jwks (singleton, jwks, updated_at) VALUES (true, jwks, now())
	ON CONFLICT (singleton) DO UPDATE SET jwks = EXCLUDED.jwks, updated_at = EXCLUDED.updated_at;
	SELECT authz_validate_jwks(jwks);
$$;
COMMENT ON FUNCTION authz_set_jwks(jsonb) IS
	'Store the SuperTokens JWKS (several keys at once for rotation) that verifies access tokens; returns the number of keys. Superusers and authz_admin only.';
REVOKE ALL ON FUNCTION authz_set_jwks(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authz_set_jwks(jsonb) TO authz_admin;

CREATE FUNCTION authz_set_session(access_token text, for_session boolean DEFAULT false)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'authz_set_session'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION authz_set_session(text, boolean) IS
	'Verify a SuperTokens access token and make its principal the current one until the end of the transaction (or the session with for_session => true); returns the principal.';

-- Decisions.
CREATE FUNCTION authz_check(principal jsonb, resource jsonb, action text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'authz_check'
LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION authz_check(jsonb, jsonb, text) IS
	'Whether the principal ({"id","roles","attr","policyVersion","scope"}) may perform the action on the resource ({"kind","id","attr","policyVersion","scope"}), as Cerbos decides it with the active policies.';

CREATE FUNCTION authz_check(resource jsonb, action text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'authz_check_session'
LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION authz_check(jsonb, text) IS
	'authz_check for the current principal (authz_set_session or authz_set_principal); false when there is none.';

CREATE FUNCTION authz_check_resources(request jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'authz_check_resources'
LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION authz_check_resources(jsonb) IS
	'The body of Cerbos'' POST /api/check/resources in, the body Cerbos returns out.';

CREATE FUNCTION authz_allowed_actions(principal jsonb, resource jsonb)
RETURNS text[]
AS 'MODULE_PATHNAME', 'authz_allowed_actions'
LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION authz_allowed_actions(jsonb, jsonb) IS
	'The actions named in the policies for the resource''s kind that the principal may perform on it, sorted (actions granted only through wildcard rules are not listed).';

-- The decision log (authz.decision_log): recent decisions, kept in shared memory.
CREATE FUNCTION authz_decision_log(
	OUT seq bigint,
	OUT decided_at timestamptz,
	OUT principal_id text,
	OUT resource_kind text,
	OUT resource_id text,
	OUT action text,
	OUT effect text,
	OUT policy text,
	OUT generation bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'authz_decision_log'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION authz_decision_log() IS
	'The decisions recorded while authz.decision_log was on, oldest first (the last authz.decision_log_size of them).';
REVOKE ALL ON FUNCTION authz_decision_log() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authz_decision_log() TO authz_admin;

-- Row-level security decided by the policies (authz_protect).  One row per
-- protected table: the resource kind its rows are, the action each SQL
-- command needs, and how resource attributes map to columns.
CREATE TABLE authz_protected (
	relid oid PRIMARY KEY,
	kind text NOT NULL CHECK (kind <> ''),
	actions jsonb NOT NULL,
	columns jsonb
);
COMMENT ON TABLE authz_protected IS
	'Tables whose row-level security follows the policies: see authz_protect().';
REVOKE ALL ON authz_protected FROM PUBLIC;
GRANT SELECT ON authz_protected TO PUBLIC;

CREATE FUNCTION authz_protect_validate(tbl regclass, kind text, actions jsonb, columns jsonb)
RETURNS void
AS 'MODULE_PATHNAME', 'authz_protect_validate'
LANGUAGE C;

CREATE FUNCTION authz_protect(tbl regclass, kind text,
	actions jsonb DEFAULT '{"select":"view","insert":"create","update":"update","delete":"delete"}',
	columns jsonb DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM @extschema@.authz_protect_validate(tbl, kind, actions, columns);
	INSERT INTO @extschema@.authz_protected (relid, kind, actions, columns)
		VALUES (tbl, kind, actions, columns)
		ON CONFLICT (relid) DO UPDATE
		SET kind = EXCLUDED.kind, actions = EXCLUDED.actions, columns = EXCLUDED.columns;
	-- also invalidates cached plans of the table when it was protected already
	EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
END
$$;

CREATE FUNCTION authz_unprotect(tbl regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM @extschema@.authz_protect_validate(tbl, NULL, NULL, NULL);
	DELETE FROM @extschema@.authz_protected WHERE relid = tbl;
	-- row-level security stays on while the table has policies of its own
	IF NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = tbl) THEN
		EXECUTE format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', tbl);
	ELSE
		EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
	END IF;
END
$$;

REVOKE ALL ON FUNCTION authz_protect_validate(regclass, text, jsonb, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION authz_protect(regclass, text, jsonb, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION authz_unprotect(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authz_protect_validate(regclass, text, jsonb, jsonb) TO authz_admin;
GRANT EXECUTE ON FUNCTION authz_protect(regclass, text, jsonb, jsonb) TO authz_admin;
GRANT EXECUTE ON FUNCTION authz_unprotect(regclass) TO authz_admin;
GRANT INSERT, UPDATE, DELETE ON authz_protected TO authz_admin;

-- A dropped table stops being protected (its OID could be reused).
CREATE FUNCTION authz_protected_dropped()
RETURNS event_trigger
LANGUAGE plpgsql
-- runs for whoever drops a table, who cannot write authz_protected
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM @extschema@.authz_protected p
	USING pg_event_trigger_dropped_objects() d
	WHERE d.classid = 'pg_class'::regclass AND d.objid = p.relid AND d.objsubid = 0;
END
$$;
CREATE EVENT TRIGGER authz_protected_dropped ON sql_drop
	EXECUTE FUNCTION authz_protected_dropped();

-- Query-plan filters (Cerbos' PlanResources AST) as SQL and as CEL.
CREATE FUNCTION authz_filter_sql(filter jsonb, columns jsonb DEFAULT NULL, tbl regclass DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'authz_filter_sql'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION authz_filter_sql(jsonb, jsonb, regclass) IS
	'A Cerbos query-plan filter (its condition, the filter or the whole PlanResources response) as a SQL boolean expression over a table''s columns; columns maps attributes to columns or expressions and their types, tbl types the other attributes from the table''s columns.';

CREATE FUNCTION authz_filter_cel_text(filter jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'authz_filter_cel_text'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION authz_filter_cel_text(jsonb) IS
	'A Cerbos query-plan filter as CEL source text over R.attr / request.resource.attr.';

CREATE FUNCTION authz_filter_cel(expr text, attr jsonb, id text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'authz_filter_cel'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION authz_filter_cel(text, jsonb, text) IS
	'Evaluates a CEL condition for one resource (R.attr = attr, R.id = id); NULL when the evaluation errs. The per-row fallback of authz_filter_sql.';

-- Query planning: Cerbos' PlanResources, and the plan as a SQL filter.
CREATE FUNCTION authz_plan_resources(request jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'authz_plan_resources'
LANGUAGE C STRICT STABLE PARALLEL SAFE;

CREATE FUNCTION authz_plan_sql(request jsonb, columns jsonb DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'authz_plan_sql'
LANGUAGE C STABLE PARALLEL SAFE;
-- Cerbos policy test suites run inside the database (admin only: the server reads the directory).
CREATE FUNCTION authz_run_tests(dir text DEFAULT NULL)
RETURNS TABLE(suite text, test text, principal text, resource text, action text,
	expected text, actual text, passed boolean, skipped boolean,
	expected_outputs jsonb, actual_outputs jsonb, message text)
AS 'MODULE_PATHNAME', 'authz_run_tests'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION authz_run_tests(text) IS
	'Compile the policies under a directory and run its Cerbos test suites (*_test.yaml with testdata/ fixtures): one row per suite, test, principal, resource and action, with the expected and actual effect and outputs; verdicts as cerbos compile gives them.';
REVOKE ALL ON FUNCTION authz_run_tests(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authz_run_tests(text) TO authz_admin;

CREATE FUNCTION authz_filter_check(filter jsonb, attr jsonb, id text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'authz_filter_check'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION authz_filter_check(jsonb, jsonb, text) IS
	'Evaluates a query-plan filter for one resource (R.attr = attr, R.id = id): true, false, or NULL when it errs; authz.condition counts its errors as false.';

-- authz_check calls the planner can rewrite into their query plan's SQL
-- (src/pg/inline_check.c; authz.inline_checks turns it off).
CREATE FUNCTION authz_check_support(internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'authz_check_support'
LANGUAGE C STRICT;
COMMENT ON FUNCTION authz_check_support(internal) IS
	'Planner support of authz_check: replaces a call with a constant principal and action and a jsonb_build_object resource by the SQL filter of its query plan.';
ALTER FUNCTION authz_check(jsonb, jsonb, text) SUPPORT authz_check_support;
ALTER FUNCTION authz_check(jsonb, text) SUPPORT authz_check_support;

-- Compiled policy sets shared in memory (src/pg/compiled_shmem.c).
CREATE FUNCTION authz_compiled_status(
	OUT shared boolean,
	OUT compiled_set_bytes bigint,
	OUT region_bytes bigint,
	OUT region_used_bytes bigint,
	OUT compiled_sets integer,
	OUT compiles bigint,
	OUT shared_uses bigint,
	OUT private_builds bigint,
	OUT backend_shared_uses bigint,
	OUT backend_private_builds bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'authz_compiled_status'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION authz_compiled_status() IS
	'Whether this session decides with the policy set compiled once in shared memory, its size, the region (authz.compiled_policy_memory), and how often sets were compiled by loaders, taken up by sessions, or compiled privately (server-wide and this session).';
