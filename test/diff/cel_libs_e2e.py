#!/usr/bin/env python3
"""cel_libs_e2e.py — end-to-end differential test of the time, network and
Cerbos libraries: whole CEL expressions through authz's parser, checker and
evaluator (cel_ext_driver) against `cerbos repl`.

cel_libs_diff.py calls the library code directly; this one also covers what
sits around it: overload resolution and dispatch (global and member forms,
opaque types), literal validation at compile time (timestamp(), duration(),
ip(), cidr() with constant arguments, their error positions), operators on
timestamps and durations, string() conversions, type() names, equality of
opaque values.  Answers (bool, int, string, runtime error, compile error
position and message) must match.

    test/diff/cel_libs_e2e.py [--seed N] [--scale K] [--cerbos PATH]

Known open mismatches (2026-11-29, not in the libraries): hierarchy[i]
(eval.c indexes opaque values itself instead of dispatching "_[_]"), and
ip()/cidr() literal errors with a '%' (check_literals.c does not apply the
Go fmt quirk that literals.c's cel_literal_call_error reproduces).
"""
import argparse
import random
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import subprocess  # noqa: E402
from cel_ext_diff import HERE, ROOT, run_driver, run_repl  # noqa: E402


def build_driver():
    """cel_ext_driver built into its own /tmp path (other scripts use theirs)."""
    out = "/tmp/authz_cel_libs_e2e_driver"
    srcs = [os.path.join(ROOT, d, f) for d in ("src/cel", "src/common")
            for f in sorted(os.listdir(os.path.join(ROOT, d))) if f.endswith(".c")]
    subprocess.run(["cc", "-std=gnu11", "-O1", "-g", "-I" + os.path.join(ROOT, "src"),
                    os.path.join(HERE, "cel_ext_driver.c")] + srcs +
                   ["-lpcre2-8", "-ljansson", "-lyaml", "-ljwt", "-lssl", "-lcrypto", "-lm", "-o", out],
                   check=True)
    return out


def lit(s):
    """A CEL double-quoted string literal (backslashes and quotes escaped)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


TIMESTAMPS = ["2009-02-13T23:31:30Z", "2009-02-13T23:31:30.5+01:00", "0001-01-01T00:00:00Z",
              "9999-12-31T23:59:59.999999999Z", "2024-03-10T06:59:59-05:00", "1970-01-01T00:00:00.000001Z",
              "2009-02-29T00:00:00Z", "bad", "2009-02-13T23:31:30", "0000-01-01T00:00:00Z",
              "2024-01-16T10:18:27.395+13:00"]
DURATIONS = ["1h", "1.5h", "-90m", "1ms", "0", "2562047h", "2562048h", "1x", "", "1h2m3.004005006s",
             "9223372036854775807ns", "-9223372036854775808ns", "0.1s"]
ZONES = ["UTC", "America/New_York", "Australia/Sydney", "Asia/Kathmandu", "+05:30", "-08:00", "x:y",
         "Nowhere/Land", "", "Europe/London"]
ACCESSORS = ["getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth", "getDate", "getDayOfWeek",
             "getHours", "getMinutes", "getSeconds", "getMilliseconds"]
IPS = ["192.168.0.1", "10.0.0.1", "::1", "2001:db8::68", "::ffff:1.2.3.4", "fe80::1%en0", "1.2.3",
       "0.0.0.0", "::", "224.0.0.1", "169.254.1.1", "ff02::1", "2001:DB8::1"]
CIDRS = ["10.0.0.0/8", "192.168.0.1/24", "2001:db8::/32", "::/0", "0.0.0.0/0", "1.2.3.4", "10.0.0.0/33",
         "::ffff:1.2.3.0/120", "10.0.0.0/08"]
PATHS = ["a/b", "a/b.c", "C:\\x\\y", "\\\\h\\s\\f", "c:x", "", "/", "a/../b", "a\\.", "x.tar.gz"]


def ts_expr(dynamic):
    s = random.choice(TIMESTAMPS)
    return "timestamp(dyn(%s))" % lit(s) if dynamic else "timestamp(%s)" % lit(s)


def dur_expr(dynamic):
    s = random.choice(DURATIONS)
    return "duration(dyn(%s))" % lit(s) if dynamic else "duration(%s)" % lit(s)


def gen_time(cases, n):
    for _ in range(n):
        d = random.random() < 0.5
        k = random.random()
        if k < 0.2:
            e = "string(%s)" % ts_expr(d)
        elif k < 0.35:
            e = "string(%s)" % dur_expr(d)
        elif k < 0.6:
            acc = random.choice(ACCESSORS)
            z = random.choice(ZONES + [None, None])
            e = "%s.%s(%s)" % (ts_expr(d), acc, "" if z is None else lit(z))
        elif k < 0.7:
            e = "%s.%s()" % (dur_expr(d), random.choice(["getHours", "getMinutes", "getSeconds", "getMilliseconds"]))
        elif k < 0.85:
            e = "string(%s %s %s)" % (ts_expr(d), random.choice(["+", "-"]), dur_expr(d))
        elif k < 0.9:
            e = "string(%s - %s)" % (ts_expr(d), ts_expr(d))
        elif k < 0.95:
            e = "string(%s %s %s)" % (dur_expr(d), random.choice(["+", "-"]), dur_expr(d))
        else:
            e = "%s %s %s" % (ts_expr(d), random.choice(["==", "<", ">=", "!="]), ts_expr(d))
        cases.append(("time", e))
    for _ in range(n // 5):
        i = random.choice([0, 1234567890, -62135596800, -62135596801, 253402300799, 253402300800])
        cases.append(("time", "string(timestamp(%s))" % (i if random.random() < 0.5 else "dyn(%d)" % i)))
        cases.append(("time", "int(timestamp(%s))" % lit(random.choice(TIMESTAMPS[:6]))))
        cases.append(("time", "int(%s)" % dur_expr(False)))


def gen_net(cases, n):
    for _ in range(n):
        d = random.random() < 0.5
        ip = random.choice(IPS)
        c = random.choice(CIDRS)
        ipe = "ip(dyn(%s))" % lit(ip) if d else "ip(%s)" % lit(ip)
        ce = "cidr(dyn(%s))" % lit(c) if d else "cidr(%s)" % lit(c)
        k = random.random()
        if k < 0.15:
            e = "string(%s)" % ipe
        elif k < 0.25:
            e = "string(%s)" % ce
        elif k < 0.45:
            e = "%s.%s()" % (ipe, random.choice(["family", "isLoopback", "isGlobalUnicast", "isUnspecified",
                                                 "isLinkLocalMulticast", "isLinkLocalUnicast"]))
        elif k < 0.6:
            e = "%s.%s()" % (ce, random.choice(["prefixLength", "isMask"]))
            if random.random() < 0.5:
                e = "string(%s.%s())" % (ce, random.choice(["ip", "masked"]))
        elif k < 0.75:
            e = "%s.containsIP(%s)" % (ce, random.choice([ipe, lit(ip)]))
        elif k < 0.85:
            e = "%s.containsCIDR(%s)" % (ce, lit(random.choice(CIDRS)))
        elif k < 0.9:
            e = "%s(%s)" % (random.choice(["isIP", "isCIDR", "ip.isCanonical"]), lit(random.choice(IPS + CIDRS)))
        elif k < 0.95:
            e = "%s == %s" % (ipe, "ip(%s)" % lit(random.choice(IPS)))
        else:
            e = "%s.inIPAddrRange(%s)" % (lit(ip), lit(c))
        cases.append(("net", e))


def gen_cerbos(cases, n):
    def h():
        return "hierarchy(%s)" % lit(".".join(random.choice("abc") for _ in range(random.randint(1, 4))))
    for _ in range(n):
        k = random.random()
        if k < 0.3:
            fn = random.choice(["ancestorOf", "descendentOf", "immediateChildOf", "immediateParentOf",
                                "overlaps", "siblingOf"])
            e = "%s.%s(%s)" % (h(), fn, h())
        elif k < 0.4:
            e = random.choice(["%s.commonAncestors(%s).size()" % (h(), h()), "%s[%d]" % (h(), random.randint(-1, 4)),
                               "%s == %s" % (h(), h()), "%s.size()" % h()])
        elif k < 0.55:
            s = random.choice(["spiffe://a.b/c", "spiffe://a.b", "spiffe://A.b/c", "bad", "spiffe://a.b/c/"])
            e = random.choice(["spiffeID(%s).path()" % lit(s), "spiffeID(%s).trustDomain().name()" % lit(s),
                               "spiffeMatchTrustDomain(\"a.b\").matchesID(%s)" % lit(s),
                               "spiffeMatchOneOf([\"spiffe://a.b/c\"]).matchesID(%s)" % lit(s),
                               "spiffeID(%s).isMemberOf(spiffeTrustDomain(\"a.b\"))" % lit(s),
                               "spiffeID(%s) == spiffeID(\"spiffe://a.b/c\")" % lit(s)])
        elif k < 0.8:
            p, q = random.choice(PATHS), random.choice(PATHS + ["a/*", "*.c", "["])
            e = random.choice(["pathMatch(%s, %s)" % (lit(p), lit(q)), "%s.pathMatch(%s)" % (lit(p), lit(q)),
                               "pathHasPrefix(%s, %s)" % (lit(p), lit(q)), "relPath(%s, %s)" % (lit(p), lit(q)),
                               "basePath(%s)" % lit(p), "dirPath(%s)" % lit(p), "extPath(%s)" % lit(p),
                               "volumeName(%s)" % lit(p), "joinPath([%s, %s])" % (lit(p), lit(q)),
                               "pathMatchAnyOf(%s, [%s])" % (lit(p), lit(q))])
        else:
            a = "[%s]" % ", ".join(random.choice(["1", "2", "3"]) for _ in range(random.randint(0, 4)))
            b = "[%s]" % ", ".join(random.choice(["1", "2", "4"]) for _ in range(random.randint(0, 4)))
            fn = random.choice(["intersect", "except", "hasIntersection", "isSubset", "has_intersection", "is_subset"])
            e = random.choice(["%s(%s, %s)" % (fn, a, b), "%s.%s(%s)" % (a, fn, b)])
            if fn in ("intersect", "except"):
                e = "size(%s)" % e
        cases.append(("cerbos", e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=int, default=100)
    ap.add_argument("--cerbos", default="/work/cerbos/package/cerbos-linux-x64")
    ap.add_argument("--driver", default=None)
    args = ap.parse_args()
    random.seed(args.seed)
    cases = []
    gen_time(cases, 4 * args.scale)
    gen_net(cases, 3 * args.scale)
    gen_cerbos(cases, 3 * args.scale)
    # the REPL's line reader trips on a backslash right before a closing quote
    cases = [c for c in cases if '\\\\"' not in c[1]]
    driver = args.driver or build_driver()
    exprs = [c[1] for c in cases]
    theirs = run_repl(args.cerbos, exprs)
    ours = run_driver(driver, exprs)
    stats = {}
    bad = 0
    for (group, expr), t, o in zip(cases, theirs, ours):
        s = stats.setdefault(group, [0, 0])
        if t == o:
            s[0] += 1
        else:
            s[1] += 1
            bad += 1
            print("MISMATCH [%s] %s\n  cerbos: %s\n  authz:  %s" % (group, expr, t, o))
    for g, (ok, ko) in sorted(stats.items()):
        print("  %-8s %5d match, %d mismatch" % (g, ok, ko))
    print("cel_libs_e2e: %d cases, %d mismatches (seed %d)" % (len(cases), bad, args.seed))
    sys.exit(1 if bad or len(ours) != len(cases) or len(theirs) != len(cases) else 0)


if __name__ == "__main__":
    main()
