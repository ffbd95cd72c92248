#!/usr/bin/env python3
"""Semantic test of authz_filter_sql against the CEL engine, row by row.

For every KIND_CONDITIONAL filter Cerbos' plan tests expect
(../shared/data/cerbos/plan.jsonl), build a table of resources whose
attribute values are harvested from the filter's literals, plus absent
(NULL) and unrelated values, twice: once with typed columns (text, numeric,
boolean, text[], numeric[]) and once with every attribute in a jsonb
column.  Then check that

    SELECT rowno FROM t WHERE <authz_filter_sql(filter, columns)>

(and the same with the column types read from the table's catalog) keeps
exactly the rows for which the filter evaluated by the CEL engine
(authz_filter_check: and/or/not/if/authz.condition walked with CEL's error
rules, every other subtree as its CEL text) on the row's resource (its
non-NULL columns as attributes) is true, an error counting as false.

Runs psql against a server given by PGHOST/PGPORT (or --port) with the
authz extension created; prints one summary line:
    filter_semantic: F filters, V tables, R rows compared, M mismatches, B using the fallback
and exits non-zero on a mismatch or an error.
"""
import argparse
import json
import os
import random
import subprocess
import sys

ATTR_PREFIXES = ("request.resource.attr.", "R.attr.")
COMPREHENSIONS = {"all", "exists", "exists_one", "existsOne", "filter", "map",
                  "transformList", "transformMap", "transformMapEntry"}
LIST_FUNCS = {"hasIntersection", "isSubset", "intersect", "except"}
STRING_FUNCS = {"startsWith", "endsWith", "contains", "upperAscii", "lowerAscii",
                "matches", "hierarchy"}


def data_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in (os.environ.get("AUTHZ_DATA"), os.path.join(here, "../../../shared/data"),
                 os.path.join(here, "../../../../shared/data"), "/work/shared/data"):
        if cand and os.path.isdir(cand):
            return cand
    sys.exit("filter_semantic: shared data not found (set AUTHZ_DATA)")


class Attr:
    def __init__(self, name):
        self.name = name
        self.scalars = []        # literal values it is compared with
        self.is_list = False
        self.is_bool = False
        self.is_map = False
        self.elem_paths = set()  # x.path used on elements of a list attr
        self.paths = set()       # R.attr.name.path


def attr_of(var):
    for p in ATTR_PREFIXES:
        if var.startswith(p):
            rest = var[len(p):]
            name, _, path = rest.partition(".")
            return name, path
    return None, None


def literals(node, out):
    if isinstance(node, dict):
        if "value" in node:
            v = node["value"]
            if isinstance(v, list):
                out.extend(x for x in v if not isinstance(x, (list, dict)))
            elif isinstance(v, dict):
                out.extend(v.keys())
            else:
                out.append(v)
        elif "expression" in node:
            for o in node["expression"].get("operands", []):
                literals(o, out)


def analyse(cond):
    attrs = {}

    def get(name):
        if name not in attrs:
            attrs[name] = Attr(name)
        return attrs[name]

    def var_attr(node):
        if isinstance(node, dict) and "variable" in node:
            name, path = attr_of(node["variable"])
            if name:
                a = get(name)
                if path:
                    a.paths.add(path)
                return a
        return None

    def walk(node, lambda_ranges):
        if not isinstance(node, dict):
            return
        if "variable" in node:
            var_attr(node)
            v = node["variable"]
            head, _, path = v.partition(".")
            if head in lambda_ranges and path and lambda_ranges[head] is not None:
                lambda_ranges[head].elem_paths.add(path)
            return
        if "expression" not in node:
            return
        e = node["expression"]
        op, args = e["operator"], e.get("operands", [])
        if op in COMPREHENSIONS and len(args) == 2:
            rng = var_attr(args[0])
            lam = args[1].get("expression", {})
            lops = lam.get("operands", [])
            names = [o["variable"] for o in lops[1:] if "variable" in o and "." not in o["variable"]]
            inner = dict(lambda_ranges)
            if rng is not None:
                if len(names) == 2 and op in ("all", "exists", "exists_one"):
                    rng.is_map = True
                else:
                    rng.is_list = True
            for n in names:
                inner[n] = rng
            walk(args[0], lambda_ranges)
            for o in lops:
                walk(o, inner)
            return
        if op in ("not", "and", "or"):
            for o in args:
                a = var_attr(o)
                if a:
                    a.is_bool = True
        if op == "if" and args:
            a = var_attr(args[0])
            if a:
                a.is_bool = True
        if op in LIST_FUNCS or (op == "in" and len(args) == 2):
            targets = args if op in LIST_FUNCS else args[1:]
            for o in targets:
                a = var_attr(o)
                if a:
                    a.is_list = True
        if op in ("eq", "ne", "lt", "le", "gt", "ge", "in") and len(args) == 2:
            for i in (0, 1):
                a = var_attr(args[i])
                other = args[1 - i]
                if a and isinstance(other, dict) and "value" in other:
                    v = other["value"]
                    if isinstance(v, list) and op in ("eq", "ne"):
                        a.is_list = True
                        a.scalars.extend(x for x in v if not isinstance(x, (list, dict)))
                    elif isinstance(v, list):
                        a.scalars.extend(x for x in v if not isinstance(x, (list, dict)))
                    else:
                        a.scalars.append(v)
        if op in STRING_FUNCS:
            for o in args:
                a = var_attr(o)
                if a:
                    a.scalars.append("")
        for o in args:
            walk(o, lambda_ranges)

    walk(cond, {})
    return attrs


def candidate_values(a, strings, rng):
    """JSON values an attribute takes across the rows (None = absent)."""
    pool = [None]
    strs = sorted(set(strings)) + ["zz", "a.b.c", "a.b", "x"]
    if a.is_map:
        for _ in range(6):
            keys = rng.sample(strs, min(len(strs), rng.randint(0, 3)))
            pool.append({k: rng.choice(strs) for k in keys})
        pool.append({"a": "a"})
        return pool
    if a.is_list:
        if a.elem_paths:
            for _ in range(30):
                items = []
                for _ in range(rng.randint(0, 3)):
                    obj = {}
                    for p in sorted(a.elem_paths):
                        r = rng.random()
                        if r < 0.4:
                            obj[p] = rng.sample(strs, min(len(strs), rng.randint(0, 3)))
                        elif r < 0.5:
                            obj[p] = "2020-01-01T00:00:00Z" if rng.random() < 0.5 else "2999-01-01T00:00:00Z"
                        elif r < 0.9:
                            obj[p] = rng.choice(strs)
                    items.append(obj)
                pool.append(items)
            return pool
        scal = [s for s in a.scalars if not isinstance(s, bool) and isinstance(s, (int, float))]
        base = scal if scal and all(isinstance(s, (int, float)) for s in a.scalars) else strs
        for n in (0, 1, 1, 2, 2, 3):
            pool.append(rng.sample(base, min(len(base), n)))
        pool.append(sorted(set(x for x in a.scalars if isinstance(x, str)))[:3])
        return pool
    if a.is_bool or (a.scalars and all(isinstance(s, bool) for s in a.scalars)):
        return pool + [True, False, True, False]
    own = [s for s in a.scalars if isinstance(s, str)]
    if a.scalars and all(s is None for s in a.scalars):
        return pool + [JSON_NULL, JSON_NULL, "x"]
    nums = [s for s in a.scalars if isinstance(s, (int, float)) and not isinstance(s, bool)]
    if nums and len(nums) == len([s for s in a.scalars if s is not None]):
        vals = set()
        for n in nums:
            vals.update([n, n - 1, n + 1, n + 0.5])
        return pool + sorted(vals) + [0]
    return pool + strs + ["", "PENDING", "harry"] + own * 3


class JsonNull:
    """A JSON null stored in a jsonb column (None is SQL NULL: absent)."""


JSON_NULL = JsonNull()


def column_type(values):
    vals = [v for v in values if v is not None]
    if any(v is JSON_NULL for v in vals):
        return "jsonb"
    if vals and all(isinstance(v, str) for v in vals):
        return "text"
    if vals and all(isinstance(v, bool) for v in vals):
        return "boolean"
    if vals and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
        return "numeric"
    if vals and all(isinstance(v, list) for v in vals):
        items = [x for v in vals for x in v]
        if all(isinstance(x, str) for x in items):
            return "text[]"
        if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in items):
            return "numeric[]"
    return "jsonb"


def sql_lit(s):
    return "'" + s.replace("'", "''") + "'"


def sql_value(v, typ):
    if v is None:
        return "NULL"
    if v is JSON_NULL:
        return "'null'::jsonb"
    if typ == "jsonb":
        return sql_lit(json.dumps(v)) + "::jsonb"
    if typ == "text":
        return sql_lit(v)
    if typ == "boolean":
        return "true" if v else "false"
    if typ == "numeric":
        return repr(v)
    if typ == "text[]":
        return "ARRAY[" + ", ".join(sql_lit(x) for x in v) + "]::text[]" if v else "'{}'::text[]"
    if typ == "timestamptz":
        return sql_lit(v) + "::timestamptz"
    if typ == "numeric[]":
        return "ARRAY[" + ", ".join(repr(x) for x in v) + "]::numeric[]" if v else "'{}'::numeric[]"
    raise ValueError(typ)


def ident(s):
    return '"' + s.replace('"', '""') + '"'


def build_case(idx, case, variant, rng, nrows=150, schema=None):
    cond = case["expected"]["filter"]
    if schema is None:
        attrs = analyse(cond["condition"])
        strings = []
        literals(cond["condition"], strings)
        strings = [s for s in strings if isinstance(s, str)]
        names = sorted(attrs)
        pools = {n: candidate_values(attrs[n], strings + [x for x in attrs[n].scalars if isinstance(x, str)], rng)
                 for n in names}
        types = {n: ("jsonb" if variant == "jsonb" else column_type(pools[n])) for n in names}
    else:
        names = sorted(schema)
        pools = {n: list(schema[n][1]) for n in names}
        types = {n: ("jsonb" if variant == "jsonb" else schema[n][0]) for n in names}
    if variant == "jsonb":
        # jsonb columns may also hold values of an unexpected type
        for n in names:
            pools[n] = pools[n] + [7, "7", True, [], {}]
    tbl = "t%d_%s" % (idx, variant)
    cols = ["rowno int", "id text"] + ["%s %s" % (ident("c_" + n), types[n]) for n in names]
    stmts = ["CREATE TABLE %s (%s);" % (tbl, ", ".join(cols))]
    ids = ["z0", "z1", ""]
    rows = [[None] * len(names)]
    for _ in range(nrows - 1):
        rows.append([rng.choice(pools[n]) for n in names])
    for n_i, n in enumerate(names):
        for v in pools[n]:
            r = [rng.choice(pools[m]) for m in names]
            r[n_i] = v
            rows.append(r)
    values = []
    for i, r in enumerate(rows):
        vals = [str(i), sql_lit(ids[i % len(ids)])] + [sql_value(v, types[n]) for v, n in zip(r, names)]
        values.append("(" + ", ".join(vals) + ")")
    stmts.append("INSERT INTO %s VALUES %s;" % (tbl, ", ".join(values)))
    columns = {n: {"column": "c_" + n, "type": types[n]} for n in names}
    renames = {n: "c_" + n for n in names}
    columns["id"] = {"column": "id", "type": "text", "not_null": True}
    attrs_sql = "'{}'::jsonb" + "".join(
        " || CASE WHEN %s IS NULL THEN '{}'::jsonb ELSE jsonb_build_object(%s, %s) END"
        % (ident("c_" + n), sql_lit(n), ident("c_" + n)) for n in names)
    stmts.append("SELECT 'RESULT', %s, %s, r.* FROM pg_temp.check_filter(%s, %s::jsonb, %s::jsonb, %s::jsonb, %s) r;" % (
        sql_lit(case["id"]), sql_lit(variant), sql_lit(tbl), sql_lit(json.dumps(cond)),
        sql_lit(json.dumps(columns)), sql_lit(json.dumps(renames)), sql_lit(attrs_sql)))
    stmts.append("DROP TABLE %s;" % tbl)
    return "\n".join(stmts)


PRELUDE = r"""
\set ON_ERROR_STOP 0
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.check_filter(tbl text, filter jsonb, columns jsonb, renames jsonb, attrs text,
	OUT nrows int, OUT kept int, OUT mismatches int, OUT fallback boolean, OUT detail text) AS $$
DECLARE
	s text;
	c text;
	got int[];
	got2 int[];
	want int[];
BEGIN
	s := authz_filter_sql(filter, columns);
	c := authz_filter_cel_text(filter);
	BEGIN
		PERFORM authz_filter_cel(c, '{}');
	EXCEPTION WHEN OTHERS THEN
		-- a random filter the CEL checker rejects (no policy could hold it)
		nrows := 0; kept := 0; mismatches := 0; fallback := false; detail := 'SKIP';
		RETURN;
	END;
	EXECUTE format('SELECT coalesce(array_agg(rowno ORDER BY rowno), ''{}'') FROM %I WHERE %s', tbl, s) INTO got;
	EXECUTE format('SELECT coalesce(array_agg(rowno ORDER BY rowno), ''{}'') FROM %I WHERE authz_filter_check(%L, %s, id)',
				   tbl, filter, attrs) INTO want;
	-- the same filter typed from the table's catalog instead
	EXECUTE format('SELECT coalesce(array_agg(rowno ORDER BY rowno), ''{}'') FROM %I WHERE %s', tbl,
				   authz_filter_sql(filter, renames, tbl::regclass)) INTO got2;
	IF got2 IS DISTINCT FROM got THEN
		got := got || ARRAY[-1];
	END IF;
	EXECUTE format('SELECT count(*) FROM %I', tbl) INTO nrows;
	kept := cardinality(want);
	SELECT count(*) INTO mismatches FROM
		((SELECT unnest(got) EXCEPT SELECT unnest(want)) UNION ALL (SELECT unnest(want) EXCEPT SELECT unnest(got))) d;
	fallback := s LIKE '%authz_filter_cel(%';
	detail := '';
	IF mismatches > 0 THEN
		EXECUTE format('SELECT string_agg(rowno || '': '' || (%s)::text, ''; '') FROM %I WHERE rowno = ANY(%L::int[])',
					   attrs, tbl,
					   (SELECT array_agg(x) FROM ((SELECT unnest(got) EXCEPT SELECT unnest(want)) UNION ALL (SELECT unnest(want) EXCEPT SELECT unnest(got))) d(x)))
			INTO detail;
		detail := 'CEL: ' || c || ' | SQL: ' || s || ' | rows (got ' || got::text || ', want ' || want::text || '): ' || detail;
	END IF;
END $$ LANGUAGE plpgsql;
"""


# ---------- random filters over a fixed schema ----------

STRS = ["a", "ab", "B", "é", "a%", "a_b", "it's", "", "US", "UK"]
RANDOM_SCHEMA = {
    "s": ("text", [None] + STRS),
    "n": ("numeric", [None, 0, 1, 2, 2.5, -1, 10, 4.7, 0.1]),
    "b": ("boolean", [None, True, False]),
    "l": ("text[]", [None, [], ["a"], ["a", "B"], ["US", "UK", "ab"], ["é"], ["", "a%"]]),
    "nl": ("numeric[]", [None, [], [1], [1, 2], [2.5, 10]]),
    "j": ("jsonb", [None, JSON_NULL, "a", "US", 1, 2.5, 4.7, [0.1], True, False, [], ["a", "US"], [1, "a"],
                    {"a": 1}, {"US": "x", "k": "k"}, [["a"]], [{"c": ["US"]}]]),
    "t": ("timestamptz", [None, "2020-01-01T00:00:00Z", "2020-01-01T00:00:00.5+02:00", "infinity",
                          "2999-12-31T23:59:59.999999Z", "0044-03-15 00:00:00+00 BC", "1850-06-01T12:00:00Z"]),
    "o": ("jsonb", [None, [], [{"c": ["US"]}], [{"c": ["UK"]}, {"c": ["US", "a"]}], [{"c": "US"}],
                    [{"d": 1}], [{"c": []}, {"c": ["US"]}], {"c": ["US"]}]),
}


def V(name):
    return {"variable": "request.resource.attr." + name}


def X(op, *args):
    return {"expression": {"operator": op, "operands": list(args)}}


def VAL(v):
    return {"value": v}


def random_literal(rng):
    r = rng.random()
    if r < 0.5:
        return rng.choice(STRS)
    if r < 0.7:
        return rng.choice([0, 1, 2, 2.5, -1, 4.7, 0.1])
    if r < 0.8:
        return rng.choice([True, False])
    if r < 0.85:
        return None
    return rng.sample(STRS, rng.randint(0, 3)) if rng.random() < 0.7 else [1, 2]


def random_scalar(rng, lvars):
    r = rng.random()
    if lvars and r < 0.35:
        v = rng.choice(lvars)
        if v[1] == "obj" and rng.random() < 0.7:
            return {"variable": v[0] + ".c"}
        return {"variable": v[0]}
    if r < 0.7:
        return V(rng.choice(["s", "n", "b", "j", "s", "n"]))
    if r < 0.8:
        return X(rng.choice(["size", "upperAscii", "lowerAscii"]), V(rng.choice(["s", "l", "j"])))
    if r < 0.85:
        return X("index", V("j"), VAL(rng.choice([0, "a", "US"])))
    if r < 0.9:
        return X("timestamp", V("t") if rng.random() < 0.7 else
                 VAL(rng.choice(["2020-01-01T00:00:00Z", "2021-06-01T10:00:00.25+01:00", "2020-01-01T00:00:00.123456789Z"])))
    return VAL(random_literal(rng))


def random_cond(rng, depth, lvars):
    ops = ["eq", "ne", "lt", "le", "gt", "ge", "in", "in_list", "and", "or", "not", "if",
           "cond", "startsWith", "endsWith", "contains", "hasIntersection", "isSubset",
           "exists", "all", "exists_one", "map_in", "filter_in", "var"]
    if depth <= 0:
        ops = ["eq", "ne", "lt", "in", "in_list", "startsWith", "hasIntersection", "var"]
    op = rng.choice(ops)
    if op in ("eq", "ne", "lt", "le", "gt", "ge"):
        a, b = random_scalar(rng, lvars), VAL(random_literal(rng)) if rng.random() < 0.7 else random_scalar(rng, lvars)
        return X(op, *((a, b) if rng.random() < 0.7 else (b, a)))
    if op == "in":
        return X("in", VAL(random_literal(rng)) if rng.random() < 0.6 else random_scalar(rng, lvars),
                 V(rng.choice(["l", "nl", "j", "o", "s"])))
    if op == "in_list":
        return X("in", random_scalar(rng, lvars), VAL(rng.sample(STRS + [1, 2.5, True], rng.randint(0, 3))))
    if op in ("and", "or"):
        return X(op, *[random_cond(rng, depth - 1, lvars) for _ in range(rng.randint(2, 3))])
    if op == "cond" and lvars:
        # the planner wraps rule conditions, never a lambda's body (and the
        # reference evaluates comprehensions as CEL text, which drops it)
        op = "not"
    if op in ("not", "cond"):
        return X("not" if op == "not" else "authz.condition", random_cond(rng, depth - 1, lvars))
    if op == "if":
        return X("if", random_cond(rng, depth - 1, lvars), random_cond(rng, depth - 1, lvars),
                 random_cond(rng, depth - 1, lvars))
    if op in ("startsWith", "endsWith", "contains"):
        a, b = random_scalar(rng, lvars), VAL(rng.choice(STRS))
        return X(op, *((a, b) if rng.random() < 0.7 else (b, a)))
    if op in ("hasIntersection", "isSubset"):
        a, b = V(rng.choice(["l", "nl", "j"])), VAL(rng.sample(STRS + [1], rng.randint(0, 3)))
        return X(op, *((a, b) if rng.random() < 0.6 else (b, a)))
    if op in ("exists", "all", "exists_one"):
        rngname = rng.choice(["l", "nl", "j", "o", "o"])
        var = "x%d" % depth
        kind = "obj" if rngname == "o" else "scalar"
        if rngname == "j" and rng.random() < 0.3:
            var2 = "y%d" % depth
            body = random_cond(rng, depth - 1, lvars + [(var, "scalar"), (var2, "scalar")])
            return X(op, V(rngname), X("lambda", body, {"variable": var}, {"variable": var2}))
        body = random_cond(rng, depth - 1, lvars + [(var, kind)])
        return X(op, V(rngname), X("lambda", body, {"variable": var}))
    if op in ("map_in", "filter_in"):
        rngname = rng.choice(["l", "j", "o"])
        var = "x%d" % depth
        kind = "obj" if rngname == "o" else "scalar"
        if op == "map_in":
            body = {"variable": var + ".c"} if kind == "obj" else X("upperAscii", {"variable": var})
            return X("in", VAL(rng.choice(STRS)), X("map", V(rngname), X("lambda", body, {"variable": var})))
        body = random_cond(rng, depth - 1, lvars + [(var, kind)])
        return X("in", VAL(rng.choice(STRS)), X("filter", V(rngname), X("lambda", body, {"variable": var})))
    return random_scalar(rng, lvars)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--psql", default="psql")
    ap.add_argument("--dbname", default="postgres")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--random", type=int, default=0,
                    help="also check N random filters over a fixed schema")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    cases = []
    seen = set()
    with open(os.path.join(data_dir(), "cerbos", "plan.jsonl")) as f:
        for line in f:
            c = json.loads(line)
            flt = c["expected"].get("filter", {})
            if flt.get("kind") != "KIND_CONDITIONAL":
                continue
            cases.append(c)
            seen.add(json.dumps(flt, sort_keys=True))
    script = [PRELUDE]
    for i, c in enumerate(cases):
        for variant in ("typed", "jsonb"):
            script.append(build_case(i, c, variant, rng))
    for k in range(args.random):
        cond = random_cond(rng, 3, [])
        c = {"id": "random#%d" % k,
             "expected": {"filter": {"kind": "KIND_CONDITIONAL", "condition": cond}}}
        cases.append(c)
        for variant in ("typed", "jsonb"):
            script.append(build_case(len(cases) + k, c, variant, rng, nrows=60, schema=RANDOM_SCHEMA))
    proc = subprocess.run([args.psql, "-X", "-At", "-F", "\t", "-d", args.dbname],
                          input="\n".join(script), capture_output=True, text=True)
    filters = len(cases)
    tables = rows = mismatches = fallbacks = errors = kept = trivial = skipped = 0
    fallback_filters = set()
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if parts[0] != "RESULT":
            continue
        _, cid, variant, nrows, nkept, mism, fb, detail = parts
        if detail == "SKIP":
            skipped += 1
            continue
        tables += 1
        kept += int(nkept)
        if int(nkept) == 0 or int(nkept) == int(nrows):
            trivial += 1
        rows += int(nrows)
        mismatches += int(mism)
        if fb == "t":
            fallbacks += 1
            fallback_filters.add(cid)
        if int(mism) > 0 or args.verbose:
            print("%s [%s]: %s rows, %s kept, %s mismatches %s" % (cid, variant, nrows, nkept, mism, detail))
    for line in proc.stderr.splitlines():
        if "ERROR" in line or "error" in line:
            errors += 1
            print(line)
    print("filter_semantic: %d filters, %d tables, %d rows compared (%d kept; %d tables keep none or all), "
          "%d mismatches, %d errors, %d tables (%d filters) using the fallback, "
          "%d random tables skipped (CEL rejects the filter)"
          % (filters, tables, rows, kept, trivial, mismatches, errors, fallbacks, len(fallback_filters),
             skipped))
    sys.exit(1 if mismatches or errors or tables + skipped != 2 * filters else 0)


if __name__ == "__main__":
    main()
