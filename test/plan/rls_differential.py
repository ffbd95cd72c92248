#!/usr/bin/env python3
"""Differential test of row filtering against the real Cerbos 0.55 binary.

Generates random resource policies (one resource kind per policy set, with
conditions over text, number, boolean and list attributes, derived roles,
DENY rules and variables), a table of random rows for each kind (some
attributes NULL, which means absent), and random principals.  For every
(kind, principal, action) it compares:
  - the rows Cerbos' CheckResources allows, one by one, with
  - the rows SELECT returns from the table under authz_protect (action view),
  - the rows kept by WHERE authz_plan_sql(...) (every action), when the
    server has authz_plan_sql;
  - the rows kept by WHERE authz_check(<principal>, jsonb_build_object(
    'kind', ..., 'id', id::text, 'attr', jsonb_build_object(<columns>)),
    <action>) with authz.inline_checks on (every action), when the server
    has it: jsonb_build_object makes a NULL column an attribute present
    with the value null, so Cerbos is asked with the nulls present; and
    the same query with inlining on and off over a larger table of random
    rows (NULLs included), row set against row set.
Needs a running server with authz installed (PGPORT/PGHOST/PGUSER as for
psql, run as a user psql can connect as) and the Cerbos binary.

  rls_differential.py [--kinds N] [--rows N] [--principals N] [--seed S]
                      [--cerbos PATH] [--port P] [--psql PATH] [--strict]
--strict turns on strict evaluation on both sides (Cerbos' engine.strictEvaluation,
authz.strict_evaluation through ALTER SYSTEM, reset at the end) and compares
authz_protect only: authz_plan_sql refuses plans that need a per-row check,
and inlined checks leave strict calls alone.
Prints "rls_differential: K kinds, C comparisons, R rows compared, D differences"
and "inline_differential: Q queries (I inlined), R rows compared, D differences".
"""
import argparse, json, os, random, shutil, subprocess, sys, tempfile, time, urllib.request

OWNERS = ["alice", "bob", "carol", "dave"]
DEPTS = ["eng", "ops", "sales"]
TAGS = ["a", "ab", "b", "x"]
ACTIONS = ["view", "edit", "delete"]
ROLES = ["user", "manager", "auditor"]


def condition(rnd, depth=0, variables=True):
    """A random CEL condition over R.attr and P."""
    atoms = [
        "R.attr.owner == P.id",
        "R.attr.owner != P.id",
        "R.attr.dept == P.attr.dept",
        "R.attr.dept in [%s]" % ", ".join('"%s"' % d for d in rnd.sample(DEPTS, rnd.randint(1, 2))),
        "R.attr.level > %d" % rnd.randint(0, 5),
        "R.attr.level <= P.attr.clearance",
        "R.attr.public",
        "R.attr.public == false",
        '"%s" in R.attr.tags' % rnd.choice(TAGS),
        'R.attr.tags.exists(t, t.startsWith("%s"))' % rnd.choice(["a", "x"]),
        "R.attr.tags.all(t, t != \"x\")",
        "size(R.attr.tags) >= %d" % rnd.randint(1, 2),
        "has(R.attr.dept)",
        "!has(R.attr.owner)",
        'R.attr.owner.startsWith("%s")' % rnd.choice(["a", "c", "d"]),
        "R.attr.level + 1 == %d" % rnd.randint(1, 6),
        "P.attr.clearance >= 3",
    ] + (["V.mine"] if variables else [])
    if depth < 2 and rnd.random() < 0.4:
        op = rnd.choice([" && ", " || "])
        return "(" + condition(rnd, depth + 1, variables) + op + condition(rnd, depth + 1, variables) + ")"
    if depth < 2 and rnd.random() < 0.1:
        return "!(" + condition(rnd, depth + 1, variables) + ")"
    return rnd.choice(atoms)


def yaml_condition(rnd, indent, tag, variables=True):
    """A condition block.  Every expression carries a no-op naming its rule
    (tag): Cerbos 0.55 merges rules whose condition lists are equal but
    whose all/any/none differ, even across policies (a bug authz does not
    copy), so no two rules may share a list."""
    pad = " " * indent
    expr = lambda: json.dumps("(%s) && \"%s\" != \"\"" % (condition(rnd, 0, variables), tag))
    if rnd.random() < 0.25:
        comb = rnd.choice(["all", "any", "none"])
        exprs = "".join("%s      - expr: %s\n" % (pad, expr()) for _ in range(rnd.randint(1, 3)))
        return "%scondition:\n%s  match:\n%s    %s:\n%s      of:\n%s" % (pad, pad, pad, comb, pad, exprs.replace(pad + "      - ", pad + "        - "))
    return "%scondition:\n%s  match:\n%s    expr: %s\n" % (pad, pad, pad, expr())


def policy_set(rnd, kind):
    """A derived-roles policy and a resource policy for kind, as YAML text."""
    derived = ("apiVersion: api.cerbos.dev/v1\nderivedRoles:\n  name: dr_%s\n  definitions:\n"
               "    - name: owner\n      parentRoles: [\"user\"]\n      condition:\n        match:\n"
               "          expr: R.attr.owner == P.id\n"
               "    - name: colleague\n      parentRoles: [\"user\", \"manager\"]\n"
               "%s" % (kind, yaml_condition(rnd, 6, kind + "/colleague", False)))
    rules = ""
    for r in range(rnd.randint(1, 4)):
        acts = rnd.sample(ACTIONS, rnd.randint(1, 2))
        effect = "EFFECT_DENY" if rnd.random() < 0.25 else "EFFECT_ALLOW"
        if rnd.random() < 0.3:
            who = "      derivedRoles: [%s]\n" % ", ".join('"%s"' % r for r in rnd.sample(["owner", "colleague"], rnd.randint(1, 2)))
        else:
            who = "      roles: [%s]\n" % ", ".join('"%s"' % r for r in rnd.sample(ROLES + ["*"], rnd.randint(1, 2)))
        cond = yaml_condition(rnd, 6, "%s/%d" % (kind, r)) if rnd.random() < 0.8 else ""
        rules += "    - actions: [%s]\n      effect: %s\n%s%s" % (", ".join('"%s"' % a for a in acts), effect, who, cond)
    resource = ("apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: %s\n  version: default\n"
                "  importDerivedRoles: [dr_%s]\n  variables:\n    local:\n      mine: R.attr.owner == P.id\n"
                "  rules:\n%s" % (kind, kind, rules))
    return derived, resource


def row(rnd, i):
    r = {"id": i}
    if rnd.random() < 0.85: r["owner"] = rnd.choice(OWNERS)
    if rnd.random() < 0.8: r["dept"] = rnd.choice(DEPTS)
    if rnd.random() < 0.8: r["level"] = rnd.randint(0, 6)
    if rnd.random() < 0.8: r["public"] = rnd.random() < 0.4
    if rnd.random() < 0.8: r["tags"] = rnd.sample(TAGS, rnd.randint(0, 3))
    return r


def principal(rnd):
    p = {"id": rnd.choice(OWNERS + ["eve"]), "roles": rnd.sample(ROLES, rnd.randint(1, 2)), "attr": {}}
    if rnd.random() < 0.8: p["attr"]["dept"] = rnd.choice(DEPTS)
    if rnd.random() < 0.8: p["attr"]["clearance"] = rnd.randint(0, 5)
    return p


def sql_literal(s):
    return "'" + s.replace("'", "''") + "'"


class Psql:
    def __init__(self, path):
        self.path = path

    def run(self, script):
        out = subprocess.run([self.path, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", "postgres"],
                             input=script, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError("psql failed: " + out.stderr[-2000:])
        return out.stdout


COLUMNS = ["owner", "dept", "level", "public", "tags"]


def inline_query(kind, p, action, table):
    """authz_check over a table, its resource spelled out as inlining wants it."""
    attrs = ", ".join("'%s', %s" % (c, c) for c in COLUMNS)
    return ("SELECT 'inline:' || coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM %s "
            "WHERE authz_check(%s, jsonb_build_object('kind', '%s', 'id', id::text, 'attr', "
            "jsonb_build_object(%s)), '%s')" % (table, sql_literal(json.dumps(p)), kind, attrs, action))


def cerbos_allowed(port, kind, p, rows, action, nulls=False):
    """The ids Cerbos allows; nulls: absent attributes are sent as JSON null."""
    attr = (lambda r: {c: r.get(c) for c in COLUMNS}) if nulls else \
        (lambda r: {k: v for k, v in r.items() if k != "id"})
    req = {"requestId": "diff", "principal": p, "resources": [
        {"actions": [action], "resource": {"kind": kind, "id": str(r["id"]),
                                           "attr": attr(r)}} for r in rows]}
    http = urllib.request.Request("http://127.0.0.1:%d/api/check/resources" % port, data=json.dumps(req).encode(),
                                  headers={"Content-Type": "application/json"})
    resp = json.loads(urllib.request.urlopen(http).read())
    return sorted(int(r["resource"]["id"]) for r in resp["results"] if r["actions"][action] == "EFFECT_ALLOW")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kinds", type=int, default=40)
    ap.add_argument("--rows", type=int, default=60)
    ap.add_argument("--principals", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cerbos", default="/work/cerbos/package/cerbos-linux-x64")
    ap.add_argument("--port", type=int, default=35792)
    ap.add_argument("--psql", default="psql")
    ap.add_argument("--strict", action="store_true", help="strict evaluation on both sides")
    ap.add_argument("--inline-rows", type=int, default=400)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    psql = Psql(a.psql)

    tmp = tempfile.mkdtemp(prefix="authz-rls-diff-")
    os.chmod(tmp, 0o755)
    pdir = os.path.join(tmp, "policies")
    os.mkdir(pdir)
    kinds = ["doc%d" % k for k in range(a.kinds)]
    setup = ["SET client_min_messages = warning;", "CREATE EXTENSION IF NOT EXISTS authz;",
             "DROP TABLE IF EXISTS %s;" % ", ".join("rls_" + k + ", plain_" + k for k in kinds),
             "DELETE FROM authz_policies WHERE id LIKE 'rlsdiff_%';",
             "DO $$ BEGIN CREATE ROLE rls_diff_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
             "GRANT authz_trusted TO rls_diff_reader;",
             # how many lines of a query's plan show an inlined authz_check's guard
             "CREATE OR REPLACE FUNCTION inline_diff_explain(q text) RETURNS text LANGUAGE plpgsql AS $$ "
             "DECLARE l text; n int := 0; BEGIN FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP "
             "IF l LIKE '%CASE WHEN%' THEN n := n + 1; END IF; END LOOP; RETURN 'explain:' || n; END $$;"]
    tables = {}
    for k in kinds:
        derived, resource = policy_set(rnd, k)
        for name, text in (("dr_" + k, derived), (k, resource)):
            with open(os.path.join(pdir, name + ".yaml"), "w") as f:
                f.write(text)
            setup.append("INSERT INTO authz_policies (id, definition) VALUES (%s, %s);"
                         % (sql_literal("rlsdiff_" + name), sql_literal(text)))
        rows = [row(rnd, i) for i in range(1, a.rows + 1)]
        tables[k] = rows
        setup.append("CREATE TABLE rls_%s (id int PRIMARY KEY, owner text, dept text, level int, public boolean, tags text[]);" % k)
        for r in rows:
            vals = [str(r["id"])]
            vals.append(sql_literal(r["owner"]) if "owner" in r else "NULL")
            vals.append(sql_literal(r["dept"]) if "dept" in r else "NULL")
            vals.append(str(r["level"]) if "level" in r else "NULL")
            vals.append(("true" if r["public"] else "false") if "public" in r else "NULL")
            vals.append("ARRAY[%s]::text[]" % ", ".join(sql_literal(t) for t in r["tags"]) if "tags" in r else "NULL")
            setup.append("INSERT INTO rls_%s VALUES (%s);" % (k, ", ".join(vals)))
        setup.append("CREATE TABLE plain_%s AS SELECT * FROM rls_%s;" % (k, k))
        big = [row(rnd, i) for i in range(1, a.inline_rows + 1)]
        setup.append("DROP TABLE IF EXISTS many_%s;" % k)
        setup.append("CREATE TABLE many_%s (id int PRIMARY KEY, owner text, dept text, level int, public boolean, tags text[]);" % k)
        setup.append("INSERT INTO many_%s SELECT * FROM json_populate_recordset(NULL::many_%s, %s);"
                     % (k, k, sql_literal(json.dumps(big))))
        setup.append("GRANT SELECT ON many_%s TO rls_diff_reader;" % k)
        setup.append("GRANT SELECT ON rls_%s, plain_%s TO rls_diff_reader;" % (k, k))
        setup.append("SELECT authz_protect('rls_%s', '%s', '{\"select\": \"view\"}') IS NULL;" % (k, k))
    # one transaction: the policies compile once, at COMMIT
    psql.run("BEGIN;\n" + "\n".join(setup) + "\nCOMMIT;\n")
    has_plan_sql = psql.run("SELECT count(*) FROM pg_proc WHERE proname = 'authz_plan_sql';").strip() != "0"
    has_inline = psql.run("SELECT count(*) FROM pg_settings WHERE name = 'authz.inline_checks';").strip() != "0"
    if a.strict:
        has_plan_sql = False
        has_inline = False
        psql.run("ALTER SYSTEM SET authz.strict_evaluation = on;\nSELECT pg_reload_conf();\n")
        for _ in range(100):
            if psql.run("SELECT current_setting('authz.strict_evaluation');").strip() == "on":
                break
            time.sleep(0.1)

    conf = os.path.join(tmp, "conf.yaml")
    with open(conf, "w") as f:
        f.write("server:\n  httpListenAddr: \"127.0.0.1:%d\"\n  grpcListenAddr: \"127.0.0.1:%d\"\n" % (a.port, a.port + 1))
        f.write("  requestLimits:\n    maxResourcesPerRequest: %d\n" % max(50, a.rows))
        f.write("storage:\n  driver: disk\n  disk:\n    directory: %s\n" % pdir)
        f.write("audit:\n  enabled: false\ntelemetry:\n  disabled: true\n")
        if a.strict:
            f.write("engine:\n  strictEvaluation: true\n")
    server = subprocess.Popen([a.cerbos, "server", "--config=" + conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    comparisons = rows_compared = allowed = diffs = 0
    inline_queries = inline_inlined = inline_rows = inline_diffs = 0
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/_cerbos/health" % a.port, timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        cases = []
        for k in kinds:
            for _ in range(a.principals):
                p = principal(rnd)
                for action in ACTIONS:
                    cases.append((k, p, action))
        # what authz keeps, all cases in one psql run; one line per query:
        # the protected table as the principal, and the unprotected copy
        # filtered by the plan turned into SQL
        script = []
        for k, p, action in cases:
            pj = sql_literal(json.dumps(p))
            if action == "view":
                script.append("BEGIN; SELECT authz_set_principal(%s) AS p \\gset\n"
                              "SELECT 'protect:' || coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM rls_%s; COMMIT;"
                              % (pj, k))
            if has_plan_sql:
                req = {"requestId": "diff", "action": action, "principal": p, "resource": {"kind": k}}
                script.append("SELECT format('SELECT ''plan:'' || coalesce(string_agg(id::text, '','' ORDER BY id), '''') "
                              "FROM plain_%s WHERE %%s', authz_plan_sql(%s)) \\gexec"
                              % (k, sql_literal(json.dumps(req))))
            if has_inline:
                script.append("SET authz.inline_checks = on;")
                script.append(inline_query(k, p, action, "plain_" + k) + ";")
                # was it rewritten?  (the plan shows the guard's CASE)
                script.append("SELECT inline_diff_explain(%s);" % sql_literal(inline_query(k, p, action, "plain_" + k)))
                script.append(inline_query(k, p, action, "many_" + k) + ";")
                # NOT: a filter that says NULL where the call says false would differ
                script.append(inline_query(k, p, action, "many_" + k).replace("WHERE authz_check", "WHERE NOT authz_check") + ";")
                script.append("SET authz.inline_checks = off;")
                script.append(inline_query(k, p, action, "many_" + k) + ";")
                script.append(inline_query(k, p, action, "many_" + k).replace("WHERE authz_check", "WHERE NOT authz_check") + ";")
        out = psql.run("SET ROLE rls_diff_reader;\n" + "\n".join(script) + "\n").splitlines()
        out = [l for l in out if l.startswith(("protect:", "plan:", "inline:", "explain:"))]
        i = 0
        for k, p, action in cases:
            want = cerbos_allowed(a.port, k, p, tables[k], action)
            got = []
            if action == "view":
                got.append(("authz_protect", out[i])); i += 1
            if has_plan_sql:
                got.append(("authz_plan_sql", out[i])); i += 1
            if has_inline:
                got.append(("inline authz_check", out[i]))
                inline_queries += 1
                inline_inlined += int(out[i + 1].split(":", 1)[1]) > 0
                on, off = out[i + 2] + "/not" + out[i + 3], out[i + 4] + "/not" + out[i + 5]
                i += 6
                inline_rows += a.inline_rows
                if on != off:
                    inline_diffs += 1
                    if inline_diffs <= 5:
                        print("DIFF inline on/off kind=%s action=%s principal=%s" % (k, action, json.dumps(p)))
                        print("  on  ", on)
                        print("  off ", off)
            for how, line in got:
                if how == "inline authz_check":
                    want = cerbos_allowed(a.port, k, p, tables[k], action, nulls=True)
                ids = sorted(int(x) for x in line.split(":", 1)[1].split(",") if x)
                comparisons += 1
                rows_compared += len(tables[k])
                allowed += len(want)
                if ids != want:
                    diffs += 1
                    if diffs <= 5:
                        print("DIFF %s kind=%s action=%s principal=%s" % (how, k, action, json.dumps(p)))
                        print("  authz  ", ids)
                        print("  cerbos ", want)
                        print("  policy:\n" + open(os.path.join(pdir, k + ".yaml")).read())
        if has_inline:
            print("inline_differential: %d queries (%d inlined), %d rows compared, %d differences"
                  % (inline_queries, inline_inlined, inline_rows, inline_diffs))
        print("rls_differential: %d kinds, %d comparisons, %d rows compared (%d allowed), %d differences%s"
              % (len(kinds), comparisons, rows_compared, allowed, diffs,
                 " (strict evaluation: authz_protect only)" if a.strict else
                 "" if has_plan_sql else " (authz_plan_sql absent: authz_protect only)"))
        return 1 if diffs or inline_diffs else 0
    finally:
        server.terminate()
        server.wait()
        if a.strict:
            psql.run("ALTER SYSTEM RESET authz.strict_evaluation;\nSELECT pg_reload_conf();\n")
        (shutil.rmtree(tmp, ignore_errors=True) if not os.environ.get("KEEP") else print("kept", tmp))


if __name__ == "__main__":
    sys.exit(main())
