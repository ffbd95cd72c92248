-- authz 0.1: Cerbos-compatible authorization inside PostgreSQL.
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
