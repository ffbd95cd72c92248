#!/usr/bin/env python3
"""cel_libs_diff.py — differential test of authz's time, network and Cerbos
CEL libraries against the real Cerbos binary.

Random cases (timestamps and durations to parse and print, calendar
accessors in many time zones, duration accessors, IP/CIDR parsing and
printing, inIPAddrRange, SPIFFE IDs, hierarchies, the set functions) are
put to `cerbos repl` as CEL expressions and to cel_libs_driver (which calls
the C library code directly); every answer, value or error message, must
match.  The REPL prints strings JSON-escaped and null inside lists as 0;
those are the only normalisations.

    test/diff/cel_libs_diff.py [--seed N] [--scale K] [--cerbos PATH]

builds the driver from src/ into /tmp unless --driver is given, prints
each mismatch and a summary, and exits 1 on any mismatch.
"""
import argparse
import datetime
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def q(s):
    """A CEL double-quoted string literal body."""
    return s.replace("\\", "\\\\").replace('"', '\\"')


def run_repl(cerbos, exprs):
    """Answers of `cerbos repl` for each expression: (kind, text)."""
    inp = "\n".join(exprs) + "\n:quit\n"
    out = subprocess.run([cerbos, "repl"], input=inp, capture_output=True,
                         text=True, timeout=900).stdout
    out = out[out.index("Type :help to get help"):]
    res = []
    for part in out.split("\n-> ")[1:len(exprs) + 1]:
        part = part.strip("\n")
        if part.startswith("_ = "):
            res.append(("ok", part[4:].strip()))
        elif part.startswith("Error: Failed to process input"):
            res.append(("err", part.split("\n", 1)[1].strip() if "\n" in part else ""))
        else:
            res.append(("other", part.strip()))
    return res


def gen_timestamps(cases, n):
    for _ in range(n):
        if random.random() < 0.6:
            sec = random.randint(-62135596800, 253402300799)
            off = random.choice([0, 0, 60, -30, 330, 1439, -1439, 780])
            dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=sec + off * 60)
            if not 1 <= dt.year <= 9999:
                continue
            frac = random.choice(["", "." + str(random.randint(0, 999999999)).zfill(9)[:random.randint(1, 9)],
                                  ".000000000", ".1234567890123"])
            zone = "Z" if off == 0 and random.random() < 0.7 else \
                "%s%02d:%02d" % ("+" if off >= 0 else "-", abs(off) // 60, abs(off) % 60)
            s = "%04d-%02d-%02dT%02d:%02d:%02d" % (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)
            s += frac + zone
        else:
            s = (random.choice(["2009", "0001", "9999", "2000", "1900", "0000", "2024"]) + "-" +
                 random.choice(["01", "02", "12", "13", "00", "2"]) + "-" +
                 random.choice(["01", "28", "29", "30", "31", "32", "00"]) +
                 random.choice(["T", "T", "t", " "]) +
                 random.choice(["00", "23", "24", "7"]) + ":" + random.choice(["00", "59", "60"]) + ":" +
                 random.choice(["00", "59", "60", "5"]) +
                 random.choice(["", ".5", ".123456789", ".1234567891", ".", ".12a"]) +
                 random.choice(["Z", "z", "+01:00", "-00:00", "+23:59", "+24:00", "+05", "+0530", "", "+01:60"]))
        cases.append(('string(timestamp(dyn("%s")))' % q(s), "ts\t" + s))


def gen_durations(cases, n):
    units = ["ns", "us", "\u00b5s", "ms", "s", "m", "h", "x", "", "S", "d"]
    for _ in range(n):
        s = random.choice(["", "", "-", "+"])
        for _ in range(random.randint(1, 3)):
            if random.random() < 0.6:
                num = str(random.randint(0, 10 ** random.randint(0, 12)))
                if random.random() < 0.5:
                    num += "." + str(random.randint(0, 10 ** random.randint(0, 12)))
            else:
                num = random.choice(["0", "1.5", ".5", "5.", "9223372036854775807", "9223372036854775808",
                                     "2562047", "2562048", "0.000000001", "00012", ".",
                                     "3.14159265358979323846"])
            s += num + (random.choice(units[:7]) if random.random() < 0.85 else random.choice(units))
        cases.append(('string(duration(dyn("%s")))' % q(s), "dur\t" + s))


ZONES = ["UTC", "", "Local", "America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kathmandu",
         "America/St_Johns", "Pacific/Chatham", "Africa/Casablanca", "Europe/Dublin", "America/Sao_Paulo",
         "Asia/Tehran", "Pacific/Apia", "Antarctica/Troll", "+05:30", "-08:00", "02:00", "-0:30", "+5:3",
         "x:y", "Nowhere/X", "US/Pacific", "Etc/GMT+5", "America/Godthab"]
ACCESSORS = ["year:getFullYear", "month:getMonth", "day_of_year:getDayOfYear", "day_of_month:getDayOfMonth",
             "day_of_month_1_based:getDate", "day_of_week:getDayOfWeek", "hours:getHours",
             "minutes:getMinutes", "seconds:getSeconds"]


def gen_accessors(cases, n):
    for _ in range(n):
        sec = random.choice([random.randint(-62135596800, 253402300799), random.randint(0, 4102444800),
                             random.randint(1600000000, 1800000000), random.randint(-2208988800, 0)])
        zone = random.choice(ZONES)
        oid, fn = random.choice(ACCESSORS).split(":")
        cases.append(('timestamp(dyn(%d)).%s(dyn("%s"))' % (sec, fn, zone),
                      "acc\ttimestamp_to_%s_with_tz\t%d\t%s" % (oid, sec, zone)))
    for _ in range(n // 5):
        ns = random.choice([random.randint(-2 ** 63, 2 ** 63 - 1), random.randint(-10 ** 13, 10 ** 13)])
        oid, fn = random.choice(["hours:getHours", "minutes:getMinutes", "seconds:getSeconds",
                                 "milliseconds:getMilliseconds"]).split(":")
        cases.append(('duration(dyn("%dns")).%s()' % (ns, fn), "dacc\tduration_to_%s\t%d" % (oid, ns)))


def random_ip():
    parts4 = ["0", "1", "10", "255", "256", "01", "", "192", "1a"]
    parts6 = ["", "0", "1", "ffff", "FFFF", "12345", "g", "db8", "2001", "0000", "00ef"]
    if random.random() < 0.4:
        return ".".join(random.choice(parts4) for _ in range(random.choice([3, 4, 4, 4, 5])))
    s = ":".join(random.choice(parts6) for _ in range(random.randint(2, 9)))
    if random.random() < 0.2:
        s += ":" + ".".join(random.choice(parts4) for _ in range(4))
    if random.random() < 0.1:
        s += "%eth0"
    if random.random() < 0.2:
        s = "::" + s
    return s


def gen_network(cases, n):
    for _ in range(n):
        s = random_ip()
        cases.append(('string(ip(dyn("%s")))' % q(s), "ip\t" + s))
    for _ in range(n):
        s = random_ip() + random.choice(["/0", "/8", "/24", "/32", "/33", "/64", "/128", "/129", "/", "/08", "/-1", ""])
        cases.append(('string(cidr(dyn("%s")))' % q(s), "cidr\t" + s))
    for _ in range(n):
        a = random.choice([random_ip(), "10.0.0.1", "::ffff:10.0.0.1", "2001:db8::1"])
        c = random.choice([random_ip() + "/" + str(random.choice([0, 8, 24, 32, 96, 104, 128])),
                           "10.0.0.0/8", "::ffff:10.0.0.0/104", "2001:db8::/32", "0.0.0.0/0"])
        cases.append(('dyn("%s").inIPAddrRange(dyn("%s"))' % (q(a), q(c)), "inrange\t%s\t%s" % (a, c)))


def gen_cerbos(cases, n):
    for _ in range(n):
        s = (random.choice(["spiffe://", "spiffe:/", "", "SPIFFE://"]) +
             random.choice(["a.b", "A.b", "", "x_y-z.9"]) +
             random.choice(["", "/", "/c", "/c/", "//c", "/./c", "/c/..", "/c$", "/C-d_e.f", "/.../x"]))
        cases.append(('spiffeID(dyn("%s")).path()' % q(s), "spiffe\t" + s))
    for _ in range(2 * n):
        def rh():
            return ".".join(random.choice(["a", "b", "c", ""]) for _ in range(random.randint(1, 5)))
        fn = random.choice(["ancestorOf", "commonAncestors", "descendentOf", "immediateChildOf",
                            "immediateParentOf", "overlaps", "siblingOf"])
        a, b = rh(), rh()
        e = 'hierarchy("%s").%s(hierarchy("%s"))' % (a, fn, b)
        if fn == "commonAncestors":
            e += ".size()"
        cases.append((e, "hier\t%s\t%s\t%s" % (fn, a, b)))
    for _ in range(n):
        s = "".join(random.choice(["a", "b", "::", ":", "xx", "\u00e9", ""]) for _ in range(random.randint(0, 6)))
        d = random.choice([".", ":", "::", "", "xx", "a"])
        i = random.randint(-1, 6)
        cases.append(('hierarchy("%s", "%s")[%d]' % (s, d, i), "hsplit\t%s\t%s\t%d" % (s, d, i)))

    def tok():
        k, v = random.choice("iiidduusnb"), random.choice("1230")
        return {"i": ("i:" + v, v), "u": ("u:" + v, v + "u"), "d": ("d:" + v, v + ".0"),
                "s": ("s:" + v, '"' + v + '"'), "n": ("n:", "null"), "b": ("b:t", "true")}[k]
    for _ in range(2 * n):
        oid, name = random.choice(["intersect_member_overload:intersect", "except_member_overload:except",
                                   "hasIntersection_member_overload:hasIntersection",
                                   "isSubset_member_overload:isSubset"]).split(":")
        a = [tok() for _ in range(random.randint(0, 5))]
        b = [tok() for _ in range(random.randint(0, 5))]
        e = "dyn([%s]).%s(dyn([%s]))" % (",".join(x[1] for x in a), name, ",".join(x[1] for x in b))
        cases.append((e, "set\t%s\t%s\t%s" % (oid, " ".join(x[0] for x in a) or "-",
                                               " ".join(x[0] for x in b) or "-")))


def gen_paths(cases, n):
    def rp(pattern):
        pieces = ["a", "b", "/", "//", ".", "..", "\\", "C:", "c:", "x.y", ""]
        if pattern:
            pieces += ["*", "?", "[a-c]", "[^a]", "[", "]", "[]", "[-]", "\\*", "**", "[a-]", "[\\]"]
        return "".join(random.choice(pieces) for _ in range(random.randint(0, 6)))
    for _ in range(n):
        p, pat = rp(False), rp(True)
        if random.random() < 0.3:
            pat = p
        # the REPL's line reader mistakes a backslash before the closing quote
        # for an escaped quote, and "://" for something else: avoid both
        p, pat = p + "z" if p.endswith("\\") else p, pat + "z" if pat.endswith("\\") else pat
        if "://" in p + pat:
            continue
        cases.append(('pathMatch("%s", "%s")' % (q(p), q(pat)), "path\t%s\t%s" % (p, pat)))


def random_path():
    pieces = ["a", "b", "/", "//", ".", "..", "\\", "\\\\", "C:", "c:", "x.y", "", "h\\s", ".z"]
    p = "".join(random.choice(pieces) for _ in range(random.randint(0, 6)))
    if random.random() < 0.2:
        p = random.choice(["C:\\", "c:\\", "\\\\h\\s\\", "/", "\\\\h\\"]) + p
    if p.endswith("\\"):
        p += "z"    # the REPL's line reader trips on a backslash before a quote
    return p


def gen_path_functions(cases, n):
    def cel_list(items):
        return "[" + ",".join('"%s"' % q(x) for x in items) + "]"
    for _ in range(n):
        fn = random.choice(["basePath", "dirPath", "extPath", "volumeName", "relPath", "pathHasPrefix",
                            "joinPath", "pathMatchAnyOf"])
        a, b = random_path(), random_path()
        if "://" in a + b or "|" in a + b:
            continue
        if fn in ("basePath", "dirPath", "extPath", "volumeName"):
            cases.append(('%s("%s")' % (fn, q(a)), "pfn\t%s_string\t%s" % (fn, a)))
        elif fn in ("relPath", "pathHasPrefix"):
            cases.append(('%s("%s", "%s")' % (fn, q(a), q(b)), "pfn\t%s_string_string\t%s\t%s" % (fn, a, b)))
        elif fn == "joinPath":
            items = [random_path() for _ in range(random.randint(0, 4))]
            if any("://" in x or "|" in x for x in items):
                continue
            cases.append(('joinPath(%s)' % cel_list(items), "plist\tjoinPath_stringarray\t%s" % ("|".join(items) if items else "-")))
        else:
            items = [random_path() + random.choice(["", "*", "?", "[a-c]", "["]) for _ in range(random.randint(0, 3))]
            if any("://" in x or "|" in x for x in items):
                continue
            cases.append(('pathMatchAnyOf("%s", %s)' % (q(a), cel_list(items)),
                          "plist\tpathMatchAnyOf_string_stringarray\t%s\t%s" % (a, "|".join(items) if items else "-")))


def normalise_list(text):
    """JSON list text with nulls as the REPL prints them (0)."""
    try:
        return json.dumps([0 if x is None else x for x in json.loads(text)], separators=(",", ":"))
    except ValueError:
        return text


def build_driver():
    out = "/tmp/authz_cel_libs_driver"
    srcs = [os.path.join(ROOT, "src/cel", f) for f in sorted(os.listdir(os.path.join(ROOT, "src/cel")))
            if f.endswith(".c")]
    srcs += [os.path.join(ROOT, "src/common", f) for f in sorted(os.listdir(os.path.join(ROOT, "src/common")))
             if f.endswith(".c")]
    subprocess.run(["cc", "-std=gnu11", "-O1", "-g", "-I" + os.path.join(ROOT, "src"),
                    os.path.join(HERE, "cel_libs_driver.c")] + srcs +
                   ["-lpcre2-8", "-ljansson", "-lm", "-o", out], check=True)
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
    gen_timestamps(cases, 3 * args.scale)
    gen_durations(cases, 3 * args.scale)
    gen_accessors(cases, 5 * args.scale)
    gen_network(cases, 2 * args.scale)
    gen_cerbos(cases, args.scale)
    gen_paths(cases, 3 * args.scale)
    gen_path_functions(cases, 5 * args.scale)
    driver = args.driver or build_driver()
    ref = run_repl(args.cerbos, [c[0] for c in cases])
    ours = subprocess.run([driver], input="\n".join(c[1] for c in cases) + "\n",
                          capture_output=True, text=True).stdout.splitlines()
    bad = 0
    for (expr, _), want, got in zip(cases, ref, ours):
        kind, text = got.split("\t", 1)
        if want[0] == "ok" and kind == "ok" and want[1].startswith('"') and text.startswith('"'):
            # the REPL prints strings JSON-escaped, the driver raw
            want = ("ok", json.loads(want[1]))
            text = text[1:-1]
        elif want[0] == "ok" and want[1].startswith("["):
            want = ("ok", json.dumps(json.loads(want[1]), separators=(",", ":")))
            text = normalise_list(text)
        if (kind, text) != want:
            bad += 1
            print("MISMATCH %s\n  cerbos: %s\n  authz:  %s" % (expr, want, (kind, text)))
    print("cel_libs_diff: %d cases, %d mismatches (seed %d)" % (len(cases), bad, args.seed))
    sys.exit(1 if bad or len(ours) != len(cases) or len(ref) != len(cases) else 0)


if __name__ == "__main__":
    main()
