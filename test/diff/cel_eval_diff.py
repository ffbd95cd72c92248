#!/usr/bin/env python3
"""cel_eval_diff.py — differential test of authz's CEL evaluator against the
real Cerbos binary, on conditions over random JSON attributes.

Each round binds a random JSON document (numbers are doubles, as Cerbos
reads attribute JSON) to `x` with the REPL's `:let`, then asks a batch of
random conditions of the shapes policies use: comparisons across numeric
kinds, `in`, has(), size(), indexing, the comprehension macros, string
predicates, conversions, optional chaining, && / || / ?: with erroring
operands.  `cerbos repl` and cel_eval_driver (authz's parser, checker and
evaluator) must give the same value, or both an error with the same
message.

    test/diff/cel_eval_diff.py [--seed N] [--rounds K] [--cerbos PATH]

builds the driver into /tmp unless --driver is given, prints each mismatch
and a summary, and exits 1 on any mismatch.
"""
import argparse
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KEYS = ['a', 'b', 'c', 'd', 'e']
STRINGS = ['', 'a', 'ab', 'abc', 'b', 'admin', 'Admin', 'x-y', '\u00e9t\u00e9', '1', '1.5']


def rand_scalar():
    k = random.random()
    if k < 0.35:
        return float(random.choice([0, 1, 2, -1, 3, 10, 100]))
    if k < 0.5:
        return random.choice([0.5, 1.5, -2.25, 1e21, 2.0 ** 63, 1e-7])
    if k < 0.75:
        return random.choice(STRINGS)
    if k < 0.9:
        return random.choice([True, False])
    return None


def rand_json(depth=0):
    k = random.random()
    if depth < 2 and k < 0.25:
        return [rand_json(depth + 1) for _ in range(random.randint(0, 4))]
    if depth < 2 and k < 0.4:
        return {key: rand_json(depth + 1) for key in random.sample(KEYS, random.randint(0, 3))}
    return rand_scalar()


def cel_lit(v):
    """A CEL literal for a JSON value, numbers as doubles."""
    if v is None:
        return 'null'
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, float):
        r = repr(v)
        return r if ('.' in r or 'e' in r or 'inf' in r or 'nan' in r) else r + '.0'
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return '[' + ', '.join(cel_lit(e) for e in v) + ']'
    return '{' + ', '.join('%s: %s' % (json.dumps(k), cel_lit(e)) for k, e in v.items()) + '}'


def rand_lit():
    return random.choice(['1', '1.0', '1u', '0', '2', '-1', '1.5', '"a"', '"abc"', 'true',
                          'null', '[]', '9223372036854775807', '18446744073709551615u'])


def attr():
    k = random.choice(KEYS)
    r = random.random()
    if r < 0.5:
        return 'x.' + k
    if r < 0.7:
        return 'x.%s.%s' % (k, random.choice(KEYS))
    if r < 0.85:
        return 'x.%s[%d]' % (k, random.randint(0, 2))
    return 'x["%s"]' % k


def condition():
    a, b, lit = attr(), attr(), rand_lit()
    return random.choice([
        '%s == %s' % (a, lit), '%s != %s' % (a, lit), '%s < %s' % (a, lit),
        '%s >= %s' % (a, lit), '%s > %s' % (a, b), '%s == %s' % (a, b),
        '%s in %s' % (lit, a), '%s in [1, 2.0, "a", true]' % a, '%s in {"a": 1, "b": 2}' % a,
        'has(%s)' % a if a.count('.') >= 1 and '[' not in a else 'has(x.%s)' % random.choice(KEYS),
        'size(%s) > 1' % a, '%s.size() == 0' % a,
        '%s.exists(e, e == %s)' % (a, lit), '%s.all(e, e > 0)' % a,
        '%s.exists_one(e, e == 1)' % a, 'size(%s.filter(e, e != null)) >= 1' % a,
        '%s.map(e, e + 1)[0] == 2' % a, '%s.startsWith("a")' % a,
        '%s.contains("b")' % a, '%s.matches("^a")' % a, '%s.endsWith("c")' % a,
        'int(%s) == 1' % a, 'string(%s) == "1"' % a, 'double(%s) < 2.0' % a,
        'type(%s) == double' % a, 'type(%s) == map' % a, 'type(%s) == list' % a,
        '%s || %s' % (a, b), '%s && true' % a, '!%s' % a, '(%s ? 1 : 2) == 1' % a,
        '%s[?0].orValue(1) == 1' % a, 'x.?%s.hasValue()' % random.choice(KEYS),
        'x.?%s.%s.orValue(0) == 0' % (random.choice(KEYS), random.choice(KEYS)),
        '%s + 1.0 > 2.0' % a, '%s - 1 < 0.5' % a, '%s / 2.0 == 0.5' % a, '%s * 2 == 2' % a,
        'dyn(%s) == 1u' % a, '%s + %s == "ab"' % (a, b), '%s + [1] == [1]' % a,
        '%s.exists(k, v, v == 1.0)' % a, '%s.all(i, v, i < 3)' % a,
        '%s.transformList(i, v, v)[0] == %s' % (a, lit), 'size(string(%s)) > 0' % a,
        '%s == %s || (%s)' % (a, lit, attr() + ' > 1'), '(%s) && %s != null' % (a + ' < 3', b),
        '%s.exists(e, e.%s == %s)' % (a, random.choice(KEYS), lit),
        '%s.all(e, has(e.%s))' % (a, random.choice(KEYS)),
        '%s.exists(k, k == "%s")' % (a, random.choice(KEYS)),
        '%s[%s] == %s' % (a, b, lit), '%s[1.0] == %s' % (a, lit),
        '%s in %s' % (a, b), 'string(%s) == "%s"' % (a, random.choice(['1', '100', '1e+21', '0.5'])),
        '%s.filter(e, type(e) == string).size() > 0' % a, 'x.?%s[?0].hasValue()' % random.choice(KEYS),
        '%s.map(e, string(e)).exists(s, s.size() > 1)' % a, '%s + "x" == "ax"' % a,
        'size(%s) == %s' % (a, random.choice(['1', '2.0', '0u'])),
        'int(%s) < 2 && uint(%s) > 0u' % (a, b),
        '%s.exists_one(k, v, v == true)' % a,
    ])


STD_STRINGS = ['"1"', '"-1"', '"+1"', '" 1"', '"1 "', '"0x10"', '"1e3"', '"1.5"',
               '"9223372036854775808"', '"-9223372036854775809"', '"18446744073709551615"',
               '"18446744073709551616"', '""', '"inf"', '"-Inf"', '"NaN"', '"infinity"',
               '"1_000"', '"0x1p3"', '".5"', '"5."', '"1e400"', '"00012"', '"-0"', '"1E5"',
               '"1__0"', '"0x_1p0"']


def std_double():
    k = random.random()
    if k < 0.3:
        return repr(random.uniform(-1e3, 1e3))
    if k < 0.6:
        return repr(random.choice([1e6, 1e5, 123456.0, 1234567.0, 1e21, 1e-4, 1e-5, 0.1, -0.0,
                                   2.5e-7, 9007199254740993.0, 1.7976931348623157e308, 5e-324,
                                   100.0, 1e15, 1e16, 9.223372036854775807e18]))
    return repr(random.uniform(-1, 1) * 10 ** random.randint(-30, 30))


def std_int():
    return random.choice([str(random.randint(-1000, 1000)), '9223372036854775807',
                          '-9223372036854775808', str(random.randint(-2 ** 62, 2 ** 62))])


def std_expression():
    """Standard-library expressions whose answers depend on Go's rules."""
    d, i, t = std_double(), std_int(), random.choice(STD_STRINGS)
    return random.choice([
        'string(%s)' % d, 'int(%s)' % d, 'uint(%s)' % d, 'int(%s)' % t, 'uint(%s)' % t,
        'string(double(%s))' % t, 'dyn(%s) < %s' % (i, d), 'dyn(%s) >= %s' % (d, i),
        'dyn(%su) > %s' % (random.randint(0, 2 ** 64 - 1), d), '%s * %s' % (i, std_int()),
        '%s - %s' % (i, std_int()), '%s / %s' % (i, random.choice(['0', '-1', '3'])),
        '%s %% %s' % (i, random.choice(['0', '-1', '7', '-7'])),
        'string(%s + %s)' % (d, std_double()), 'string(%s / %s)' % (d, std_double()),
        'bool(%s)' % random.choice(['"t"', '"T"', '"tRue"', '"yes"', '"1"', '"FALSE"', '""']),
        'size("%s")' % random.choice(['abc', '\u00e9', '\u65e5\u672c', '\U0001F600x', '']),
        'string(b"\xff")', 'string(duration("%ds"))' % random.randint(-100, 100),
        'string(timestamp(%d))' % random.randint(0, 2 ** 33), 'dyn(null) < 1', 'size(dyn(1))',
        'int(dyn([]))', 'dyn({}) - dyn({})', '"a" - dyn(1)', 'dyn(1.5) %% dyn(1.0)',
        'string(timestamp(%d) + duration("%dms"))' % (random.randint(-2 ** 35, 2 ** 37),
                                                      random.randint(-10 ** 12, 10 ** 12)),
        'string(timestamp(%d) - timestamp(%d))' % (random.randint(-2 ** 35, 2 ** 37),
                                                  random.randint(-2 ** 35, 2 ** 37)),
        'string(duration("%dh") + duration("%dm"))' % (random.randint(-3000000, 3000000),
                                                      random.randint(-10 ** 8, 10 ** 8)),
        'timestamp(%d) < timestamp("2020-01-01T00:00:00+05:30")' % random.randint(0, 2 ** 31),
        'duration("%ds") >= duration("1h")' % random.randint(0, 7200),
        'int(timestamp(%d)) == %d' % ((lambda v: (v, v))(random.randint(-2 ** 35, 2 ** 37))),
        'string(timestamp("9999-12-31T23:59:59Z") + duration("%ds"))' % random.randint(-2, 2),
        'dyn(timestamp(0)) == dyn(duration("0s"))', 'dyn(duration("1s")) < dyn(1)',
    ])


def run_repl(cerbos, lines, nexpr):
    inp = "\n".join(lines) + "\n:quit\n"
    out = subprocess.run([cerbos, "repl"], input=inp, capture_output=True,
                         text=True, timeout=1800).stdout
    out = out[out.index("Type :help to get help"):]
    res = []
    for part in out.split("\n-> ")[1:]:
        part = part.strip("\n")
        if part.startswith("x = ") or part == "":
            continue
        if part.startswith("_ = "):
            text = part[4:].strip()
            try:
                v = json.loads(text)
            except ValueError:
                res.append(("other", text))
                continue
            if isinstance(v, bool):
                res.append(("b", "true" if v else "false"))
            elif isinstance(v, int):
                res.append(("n", float(v)))
            elif isinstance(v, float):
                res.append(("n", v))
            elif isinstance(v, str):
                res.append(("s", v.encode("utf-8").hex()))
            else:
                res.append(("other", text))
        elif part.startswith("Error: Failed to process input"):
            res.append(("err", part.split("\n", 1)[1].strip() if "\n" in part else ""))
        else:
            res.append(("compile", part.split("\n")[0]))
    return res[:nexpr]


def run_driver(driver, lines):
    out = subprocess.run([driver], input="\n".join(lines) + "\n", capture_output=True,
                         text=True, timeout=600).stdout.split("\n")
    res = []
    for line in out:
        if not line:
            continue
        f = line.split("\t")
        if f[0] == "ok" and f[1] in ("i", "d"):
            res.append(("n", float(f[2])))
        elif f[0] == "ok":
            res.append((f[1], f[2]))
        elif f[0] == "other":
            res.append(("other", ""))
        else:
            res.append((f[0], f[1] if len(f) > 1 else ""))
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--per-round", type=int, default=40)
    ap.add_argument("--cerbos", default="/work/cerbos/package/cerbos-linux-x64")
    ap.add_argument("--std", type=int, default=300,
                    help="standard-library expressions in the last batch")
    ap.add_argument("--driver")
    args = ap.parse_args()
    random.seed(args.seed)
    driver = args.driver
    if driver is None:
        build = "/tmp/authz-cel-eval-diff"
        subprocess.run(["make", "-s", "-C", os.path.join(ROOT, "test", "unit"), "B=" + build,
                        "T=test_arena.c"], check=True, capture_output=True)
        driver = build + "/cel_eval_driver"
        subprocess.run(["cc", "-std=gnu11", "-O1", "-I" + os.path.join(ROOT, "src"),
                        os.path.join(HERE, "cel_eval_driver.c"), build + "/libauthzcore.a",
                        "-lyaml", "-ljwt", "-ljansson", "-lpcre2-8", "-lssl", "-lcrypto",
                        "-lm", "-o", driver], check=True)
    total = mismatches = 0
    for _ in range(args.rounds):
        doc = {k: rand_json(1) for k in random.sample(KEYS, random.randint(2, 5))}
        exprs = [condition() for _ in range(args.per_round)]
        lines = [":let x = " + cel_lit(doc)] + exprs
        got_c = run_repl(args.cerbos, lines, len(exprs))
        got_a = run_driver(driver, lines)
        for e, c, a in zip(exprs, got_c, got_a):
            total += 1
            if c == a or (c[0] == "compile" and a[0] == "compile"):
                continue
            mismatches += 1
            print("MISMATCH x=%s\n  %s\n  cerbos %r\n  authz  %r" % (cel_lit(doc), e, c, a))
    exprs = [std_expression() for _ in range(args.std)]
    if exprs:
        got_c = run_repl(args.cerbos, exprs, len(exprs))
        got_a = run_driver(driver, exprs)
        for e, c, a in zip(exprs, got_c, got_a):
            total += 1
            if c == a or (c[0] == "compile" and a[0] == "compile"):
                continue
            mismatches += 1
            print("MISMATCH\n  %s\n  cerbos %r\n  authz  %r" % (e, c, a))
    print("cel_eval_diff: %d expressions, %d mismatches" % (total, mismatches))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
