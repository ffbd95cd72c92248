-- authz 0.1 -> 0.2: what came after the first release.
\echo Use "ALTER EXTENSION authz UPDATE TO '0.2'" to load this file. \quit

-- Every object 0.2 adds to 0.1, in the order authz--0.2.sql creates them;
-- nothing of 0.1 was removed or changed (the C library still serves every
-- function of 0.1 under its own symbol).  test/t/011_upgrade.pl compares an
-- updated installation with a fresh one object by object.

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
