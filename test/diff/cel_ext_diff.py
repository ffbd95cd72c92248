#!/usr/bin/env python3
"""cel_ext_diff.py — differential test of authz's strings, format, math,
lists, sets, encoders and regex CEL libraries against the real Cerbos
binary.

Random expressions are put to `cerbos repl` and to cel_ext_driver (authz's
parser, checker and evaluator); every answer (bool, int, string, runtime
error message, or compile error position and message) must match.  Groups:

  regex-syntax  patterns built from tricky RE2 pieces: Go's verdict and
                message for ''.matches(dyn(r'...'))
  regex-match   accepted patterns against assorted subjects
  regex-fold    (?i) with Unicode classes, \\w and POSIX classes on letters
                with unusual case variants (Kelvin sign, long s, ...)
  strings       indexOf/lastIndexOf/substring/charAt/split/replace/trim/
                reverse/lowerAscii/upperAscii/quote on random Unicode text
  format        string.format on random doubles (%s %d %f %e, precisions)
  format-mixed  random format strings over values of every type, through
                dyn() so that errors are runtime errors
  format-literal  the same with list literals, checked when compiling
  regex-literal literal patterns, which Cerbos validates when compiling
  math          math.greatest/least over mixed int/uint/double arguments
  lists         distinct/sort/flatten/slice and sets.* over mixed lists
  json          json.encode / base64 round trips

    test/diff/cel_ext_diff.py [--seed N] [--scale K] [--cerbos PATH]

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

RE_PIECES = [
    'a', 'b', '.', '^', '$', '*', '+', '?', '??', '*?', '{2}', '{2,}', '{1,3}', '{,3}', '{1001}',
    '{0}', '(', ')', '(?:', '(?i)', '(?i:', '(?P<n>', '(?<n>', '(?=', '(?!', '|', '[a-z]', '[^a]',
    '[]a]', '[a-]', '[z-a]', '[[:alpha:]]', '[[:foo:]]', '[\\d]', '[\\s\\S]', '\\d', '\\s', '\\S',
    '\\w', '\\b', '\\B', '\\A', '\\z', '\\Z', '\\1', '\\0', '\\12', '\\8', '\\x41', '\\x{263a}',
    '\\xZ', '\\pL', '\\p{Greek}', '\\p{Foo}', '\\PN', '\\p{^Lu}', '\\Q*+\\E', '\\.', '\\-', '\\_',
    '\\q', '\\e', '\\k', '\\C', '\\X', '\\R', '\\h', '\u00e9', '{', '}', ']', '(?s)', '(?m)',
    '(?U)', '(?-i)', '(?i-)', '(?)', '(?P=n)', '(?#c)', '[\\b]', '[a-\\d]', 'x{2}{3}',
    '(x{100}){20}', '\\v', '\\f', '[[:^digit:]]', '(?P<>x)', '(?P<a-b>x)', '\\p{latin}',
    '\\p{Letter}', '[\\p{Lu}\\d]', '\\p{Old_Italic}', '\\p{Alphabetic}', '\\p{Cased_Letter}',
    '\\p{Assigned}', '\\P{ASCII}', '\\p{Latn}', '[^\\p{Nko}]', '\\p{Lowercase Letter}',
]
SUBJECTS = ['', 'a', 'ab', 'aB\\n', '\u00e9', 'x{2}', 'A1 b_', '\\v', 'abc\\nb', 'foo bar',
            'admin@x.com', 'aab', '123-4567', '\u00c9a', 'a\\nb', '\u03b1\u03b2\u03b3']
TEXT = ['a', 'b', 'c', ' ', '\u00e9', '\u00a9', '\u03b1', '\U0001F600', '\\t', '-', ',', 'ab']


def lit(s):
    """A CEL double-quoted string literal."""
    return '"' + s.replace('"', '\\"') + '"'


def run_repl(cerbos, exprs):
    """Answers of `cerbos repl`: ('b'|'i'|'s', value) or ('err', message)."""
    inp = "\n".join(exprs) + "\n:quit\n"
    out = subprocess.run([cerbos, "repl"], input=inp, capture_output=True,
                         text=True, timeout=1800).stdout
    out = out[out.index("Type :help to get help"):]
    res = []
    for part in out.split("\n-> ")[1:len(exprs) + 1]:
        part = part.strip("\n")
        if part.startswith("_ = "):
            v = json.loads(part[4:].strip())
            if isinstance(v, bool):
                res.append(("b", "true" if v else "false"))
            elif isinstance(v, int):
                res.append(("i", str(v)))
            elif isinstance(v, str):
                res.append(("s", v.encode("utf-8").hex()))
            else:
                res.append(("other", part))
        elif part.startswith("Error: Failed to process input"):
            res.append(("err", part.split("\n", 1)[1].strip() if "\n" in part else ""))
        elif part.startswith("ERROR: <input>:"):
            res.append(("compile", part.split("\n")[0][len("ERROR: <input>:"):]))
        else:
            res.append(("other", part.split("\n")[0]))
    return res


def run_driver(driver, exprs):
    """Answers of cel_ext_driver in the same form."""
    out = subprocess.run([driver], input="\n".join(exprs) + "\n", capture_output=True,
                         text=True, timeout=600).stdout.split("\n")
    res = []
    for line in out[:len(exprs)]:
        f = line.split("\t")
        res.append((f[1], f[2]) if f[0] == "ok" else (f[0], f[1] if len(f) > 1 else ""))
    return res


def gen_regex(cases, n):
    accepted = []
    for _ in range(n):
        p = ''.join(random.choice(RE_PIECES) for _ in range(random.randint(1, 4)))
        if "'" in p or p.endswith('\\'):
            continue
        cases.append(("regex-syntax", "''.matches(dyn(r'%s'))" % p))
        if random.random() < 0.3:
            cases.append(("regex-literal", "'ab'.matches(r'%s')" % p))
        accepted.append(p)
    extra = ['^[a-z]+@[a-z]+\\.com$', '(?i)^ADMIN', '^\\w+$', '^\\s*$', '^(a|ab)(c|bcd)$',
             '\\bfoo\\b', '[[:upper:]]+', '^\\p{Lu}', '(?m)^b$', '(?s)a.b', '^.{2}$', '[^\\n]+',
             '(?U)a+b', '\\Aab\\z', '^\\d{3}-\\d{4}$', 'a$', '^\\PL+$']
    for p in accepted[: n // 2] + extra:
        for s in random.sample(SUBJECTS, 4):
            cases.append(("regex-match", "'%s'.matches(dyn(r'%s'))" % (s, p)))
            if random.random() < 0.3:
                cases.append(("regex-match", "regex.replace('%s', dyn(r'%s'), '<\\\\0>')" % (s, p)))
                cases.append(("regex-match", "regex.extractAll('%s', dyn(r'%s')).join('|')" % (s, p)))


def gen_regex_fold(cases, n):
    pieces = ['(?i)', '(?-i)', '\\p{Lu}', '\\p{Ll}', '\\p{Lt}', '\\pL', '\\p{Greek}', '\\P{Lu}',
              '\\w', '\\W', '[[:lower:]]', '[[:upper:]]', '[a-z]', '[^k]', 'k', 's', '\u00df',
              '[\\p{Lu}x]', '.', '+']
    subjects = ['K', '\u212a', '\u017f', '\u00df', '\u1e9e', '\u00b5', '\u03bc', '\u01c5', '\u01c6',
                '\u0345', '\u0399', 'a', 'A', '\u0138', '\u2160', '\u24b6', '\u1f80', 'ks', 'SK']
    for _ in range(n):
        p = '^' + ''.join(random.choice(pieces) for _ in range(random.randint(1, 3))) + '$'
        s = random.choice(subjects)
        cases.append(("regex-fold", "'%s'.matches(dyn(r'%s'))" % (s, p)))


def gen_strings(cases, n):
    def rs(k):
        return ''.join(random.choice(TEXT) for _ in range(k))
    for _ in range(n):
        s, t, u = rs(random.randint(0, 8)), rs(random.randint(0, 2)), rs(random.randint(0, 2))
        k, k2 = random.randint(-2, 10), random.randint(-1, 10)
        e = random.choice([
            '%s.indexOf(%s)' % (lit(s), lit(t)),
            '%s.indexOf(%s, %d)' % (lit(s), lit(t), k),
            '%s.lastIndexOf(%s)' % (lit(s), lit(t)),
            '%s.lastIndexOf(%s, %d)' % (lit(s), lit(t), k),
            '%s.substring(%d)' % (lit(s), k),
            '%s.substring(%d, %d)' % (lit(s), k, k2),
            '%s.charAt(%d)' % (lit(s), k),
            '%s.split(%s).join("|")' % (lit(s), lit(t)),
            '%s.split(%s, %d).join("|")' % (lit(s), lit(t), k - 3),
            '%s.replace(%s, %s)' % (lit(s), lit(t), lit(u)),
            '%s.replace(%s, %s, %d)' % (lit(s), lit(t), lit(u), k - 3),
            '%s.trim()' % lit(s), '%s.reverse()' % lit(s), '%s.lowerAscii()' % lit(s),
            '%s.upperAscii()' % lit(s), 'strings.quote(%s)' % lit(s),
        ])
        cases.append(("strings", e))


def rand_double():
    k = random.random()
    if k < 0.3:
        x = random.uniform(-1000, 1000)
    elif k < 0.5:
        x = random.uniform(-1, 1) * 10 ** random.randint(-30, 30)
    elif k < 0.7:
        x = float(random.randint(-10 ** 6, 10 ** 6)) / random.choice([1, 2, 4, 8, 10, 100, 1000])
    else:
        x = random.choice([0.1, 0.2, 1 / 3, 1e21, 1e22, 123456789012345678.0, 5e-324, 2.5, 0.5,
                           1.5, 1e-7, 9007199254740993.0, 1.7976931348623157e308])
    r = repr(x)
    return r if ('e' in r or '.' in r) else r + '.0'


def gen_format(cases, n):
    for _ in range(n):
        v = rand_double()
        cases.append(("format", '"%%s|%%f|%%.3e|%%d|%%.0f|%%e|%%.12f".format([%s])' % ', '.join([v] * 7)))


def gen_format_mixed(cases, n):
    vals = ['1', '-255', '2u', '0u', '18446744073709551615u', '-9223372036854775808', '1.5', '-0.0',
            '1e21', '0.1', 'true', 'false', 'null', '"x<y>"', '"h\u00e9llo"', 'b"ab"', 'b"\xff"',
            '[1, "a", 2.5, null]', '{"b": 1, "a": [true]}', '{2: "x", 1: "y"}',
            'timestamp("2023-01-02T03:04:05.678Z")', 'duration("-90.5s")', 'duration("0s")',
            'type(1)', 'type("")', '[timestamp("2000-01-01T00:00:00Z"), duration("1ms")]',
            'optional.of(1)', 'double("NaN")', 'double("-Infinity")']
    clauses = ['%s', '%d', '%f', '%.2f', '%e', '%.0e', '%b', '%x', '%X', '%o', '%%', '%.3s', '%q',
               '%', '%.', '%.100f', '%.101f']
    for _ in range(n):
        k = random.randint(0, 3)
        fmt = ' '.join(random.choice(clauses) for _ in range(k)) + random.choice(['', '!', ' end'])
        args = [random.choice(vals) for _ in range(random.randint(0, 3))]
        cases.append(("format-mixed", '%s.format(dyn([%s]))' % (lit(fmt), ', '.join(args))))
        # the same with a list literal: Cerbos checks it when compiling
        cases.append(("format-literal", '%s.format([%s])' % (lit(fmt), ', '.join(args))))


def gen_math(cases, n):
    def num():
        k = random.random()
        if k < 0.3:
            return str(random.randint(-5, 5))
        if k < 0.45:
            return str(random.randint(0, 5)) + 'u'
        if k < 0.6:
            return repr(random.choice([0.5, -0.5, 1.0, 2.0, -1e300, 1e300, 9.223372036854776e18,
                                       -9.223372036854776e18, 1.8446744073709552e19, 3.0]))
        if k < 0.7:
            return random.choice(['9223372036854775807', '-9223372036854775808',
                                  '18446744073709551615u', '9223372036854775807u'])
        return repr(random.uniform(-5, 5))
    for _ in range(n):
        f = random.choice(['greatest', 'least'])
        args = [num() for _ in range(random.randint(1, 4))]
        call = 'math.%s(%s)' % (f, ', '.join(args))
        if len(args) > 2 and random.random() < 0.5:
            call = 'math.%s([%s])' % (f, ', '.join(args))
        cases.append(("math", '(type(%s) == int ? "int" : type(%s) == uint ? "uint" : "double") + "|" + string(%s)'
                      % (call, call, call)))


def gen_lists(cases, n):
    def el():
        return random.choice(['1', '2', '1.0', '2u', '"a"', '"b"', 'true', '[1]', '[1.0]',
                              '[[2]]', '-1', '0.5'])

    def lst():
        return '[' + ', '.join(el() for _ in range(random.randint(0, 4))) + ']'
    for _ in range(n):
        e = random.choice([
            'json.encode(dyn(%s).distinct())' % lst(),
            'json.encode(dyn(%s).sort())' % random.choice([lst(), '[3, 1, 2, -5]', '["b", "a", "ab", ""]',
                                                          '[2.5, -1.0, 0.0]', '[true, false, true]']),
            'json.encode(dyn(%s).flatten(%d))' % (lst(), random.randint(-1, 3)),
            'json.encode(dyn(%s).slice(%d, %d))' % (lst(), random.randint(-1, 3), random.randint(-1, 4)),
            'json.encode(dyn(%s).reverse())' % lst(),
            'json.encode([%s].sortBy(x, x %% %d))' % (','.join(str(random.randint(0, 999)) for _ in range(random.randint(0, 120))),
                                                    random.choice([2, 3, 7, 1000])),
            'sets.contains(dyn(%s), dyn(%s))' % (lst(), lst()),
            'sets.intersects(dyn(%s), dyn(%s))' % (lst(), lst()),
            'sets.equivalent(dyn(%s), dyn(%s))' % (lst(), lst()),
        ])
        cases.append(("lists", e))


def gen_json(cases, n):
    vals = ['1', '2u', '1.5', '-0.0', '1e21', '1e-7', '9007199254740992', '"<a&b>"', 'b"xyz"',
            'null', 'true', '[1, "x"]', '{"b": 1, "a": [2]}', 'timestamp("2023-01-01T00:00:00.5Z")',
            'duration("90m")', '{1: 2}', '0.0/0.0', 'optional.of(3)', '"\\u2028\\t\\u0001"']
    for _ in range(n):
        v = random.choice(vals)
        if random.random() < 0.5:
            v = '[%s, %s]' % (v, random.choice(vals))
        cases.append(("json", 'json.encode(%s)' % v))
        s = ''.join(random.choice(['a', 'b', 'Y', 'Q', '=', '+', '/', '\\n', '!'])
                    for _ in range(random.randint(0, 9)))
        cases.append(("json", 'base64.encode(base64.decode("%s"))' % s))


def build_driver():
    out = "/tmp/authz_cel_ext_driver"
    srcs = [os.path.join(ROOT, "src/cel", f) for f in sorted(os.listdir(os.path.join(ROOT, "src/cel")))
            if f.endswith(".c")]
    srcs += [os.path.join(ROOT, "src/common", f) for f in sorted(os.listdir(os.path.join(ROOT, "src/common")))
             if f.endswith(".c")]
    subprocess.run(["cc", "-std=gnu11", "-O1", "-g", "-I" + os.path.join(ROOT, "src"),
                    os.path.join(HERE, "cel_ext_driver.c")] + srcs +
                   ["-lpcre2-8", "-ljansson", "-lyaml", "-ljwt", "-lssl", "-lcrypto", "-lm", "-o", out],
                   check=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=int, default=100, help="cases per group (roughly)")
    ap.add_argument("--cerbos", default="/work/cerbos/package/cerbos-linux-x64")
    ap.add_argument("--driver", default=None)
    args = ap.parse_args()
    random.seed(args.seed)
    cases = []
    gen_regex(cases, 4 * args.scale)
    gen_regex_fold(cases, 2 * args.scale)
    gen_strings(cases, 3 * args.scale)
    gen_format(cases, args.scale)
    gen_format_mixed(cases, 2 * args.scale)
    gen_math(cases, 2 * args.scale)
    gen_lists(cases, 2 * args.scale)
    gen_json(cases, args.scale)
    driver = args.driver or build_driver()
    exprs = [c[1] for c in cases]
    theirs = run_repl(args.cerbos, exprs)
    ours = run_driver(driver, exprs)
    stats = {}
    bad = 0
    for (group, expr), t, o in zip(cases, theirs, ours):
        s = stats.setdefault(group, [0, 0, 0])
        if t[0] == "compile":
            s[2] += 1
        if t == o:
            s[0] += 1
        else:
            s[1] += 1
            bad += 1
            print("MISMATCH [%s] %s\n  cerbos: %s\n  authz:  %s" % (group, expr, t, o))
    for g, (ok, ko, skip) in sorted(stats.items()):
        print("%-13s %5d agree %4d differ (%d of them compile errors in Cerbos)" % (g, ok, ko, skip))
    print("total: %d cases, %d mismatches" % (len(cases), bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
