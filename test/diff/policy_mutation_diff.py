#!/usr/bin/env python3
"""policy_mutation_diff.py [N] [SEED] — random differential test of the policy
loader against `cerbos compile --skip-tests`.

Each round copies one to three policy files (from Cerbos' store in the shared
test data and from test/policies/good), applies a few line-level mutations
that keep YAML mostly well-formed (drop, duplicate or swap a line, replace a
value with one of a list of tricky values, rename a key to snake_case or to
a near miss, re-indent), writes some of them as JSON (when PyYAML is
available), and asks both tools whether the directory compiles.
Rounds where Cerbos' only complaints are about CEL (which authz checks
through the CEL engine, not linked here) are counted apart.  Prints the
agreement counts and keeps disagreeing cases under /tmp/policy_mutation/.

Environment: AUTHZC (default /tmp/authzc-build/authzc, as built by
policy_compile_diff.sh), CERBOS, AUTHZ_DATA (the shared data directory).
"""
import glob, json, os, random, re, shutil, subprocess, sys
try:
    import yaml as as_json      # PyYAML, to write some cases as JSON
except ImportError:
    as_json = None

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.abspath(os.path.join(here, "..", ".."))
authzc = os.environ.get("AUTHZC", "/tmp/authzc-build/authzc")
cerbos = os.environ.get("CERBOS", "/work/cerbos/package/cerbos-linux-x64")
data = os.environ.get("AUTHZ_DATA", os.path.join(top, "..", "shared", "data"))
if not os.path.isdir(data):
    data = "/work/shared/data"
n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)

sources = [f for f in glob.glob(os.path.join(data, "cerbos/policies/store/**/*.yaml"), recursive=True)
           if "/." not in f and "_test" not in f and "testdata" not in f and "_schemas" not in f]
sources += [f for f in glob.glob(os.path.join(top, "test/policies/good/**/*.y*ml"), recursive=True)
            if "/." not in f and "_test" not in f and "testdata" not in f]
values = ["", "~", "null", "[]", "{}", "[a, a]", "true", "yes", "1", "-1", "1.5", '"*"', "x y",
          "EFFECT_ALLOW", "EFFECT_DENY", "EFFECT_NO_MATCH", "SCOPE_PERMISSIONS_OVERRIDE_PARENT",
          "acme..hr", "a.b", "_x", "V.nope", "[view, view]", '"a{b}"', "{of: []}", "|-\n  x"]
keys = ["actions", "roles", "derivedRoles", "effect", "name", "condition", "match", "expr", "all",
        "any", "none", "of", "resource", "version", "scope", "scopePermissions", "rules",
        "variables", "constants", "local", "import", "importDerivedRoles", "parentRoles",
        "definitions", "output", "when", "ruleActivated", "conditionNotMet", "schemas", "bogus"]

def snake(k):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), k)

def mutate(lines):
    op = random.randrange(7)
    if not lines:
        return lines
    i = random.randrange(len(lines))
    line = lines[i]
    m = re.match(r"^(\s*-?\s*)([A-Za-z_$][\w$]*):(.*)$", line)
    if op == 0:
        del lines[i]
    elif op == 1:
        lines.insert(i, line)
    elif op == 2:
        j = random.randrange(len(lines)); lines[i], lines[j] = lines[j], lines[i]
    elif op == 3 and m:
        lines[i] = m.group(1) + m.group(2) + ": " + random.choice(values)
    elif op == 4 and m:
        lines[i] = m.group(1) + snake(m.group(2)) + ":" + m.group(3)
    elif op == 5 and m:
        lines[i] = m.group(1) + random.choice(keys) + ":" + m.group(3)
    elif op == 6:
        lines[i] = ("  " + line) if random.random() < 0.5 else line[2:]
    return lines

def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    return r.returncode, r.stdout + r.stderr

out = "/tmp/policy_mutation"
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
# a private copy, so that rebuilding authzc does not disturb a long run
shutil.copy(authzc, os.path.join(out, "authzc"))
authzc = os.path.join(out, "authzc")
agree = disagree = cel_only = crashes = 0
for it in range(n):
    case = os.path.join(out, "case")
    shutil.rmtree(case, ignore_errors=True)
    os.makedirs(case)
    for k in range(random.randint(1, 3)):
        lines = open(random.choice(sources)).read().split("\n")
        for _ in range(random.randint(1, 3)):
            lines = mutate(lines)
        text = "\n".join(lines)
        name = f"p{k}.yaml"
        if as_json and random.random() < 0.3:
            # the same document as JSON, when it is YAML that JSON can express
            try:
                doc = as_json.safe_load(text)
                text = json.dumps(doc, indent=random.choice([None, 1, "\t"]), default=str)
                name = f"p{k}.json"
            except Exception:
                pass
        open(os.path.join(case, name), "w").write(text)
    arc, aout = run([authzc, "--no-cel", case])
    crc, cout = run([cerbos, "compile", "--skip-tests", case])
    if arc > 1:
        crashes += 1
        shutil.copytree(case, os.path.join(out, f"crash{it}"))
        continue
    a_ok, c_ok = arc == 0, crc == 0
    if a_ok == c_ok:
        agree += 1
        continue
    if a_ok and not c_ok and re.search(r"invalid expression|<invalid expression>|<undefined |unexpected failed resolution|no matching overload|found no matching", cout, re.I) \
            and not re.search(r"Load failures|Missing imports|Duplicate definitions|Missing scopes", cout):
        cel_only += 1
        continue
    disagree += 1
    dest = os.path.join(out, f"disagree{it}")
    shutil.copytree(case, dest)
    open(os.path.join(dest, "..", f"disagree{it}.txt"), "w").write(
        f"authz={'ok' if a_ok else 'reject'} cerbos={'ok' if c_ok else 'reject'}\n--- authz\n{aout}\n--- cerbos\n{cout}\n")
print(f"policy_mutation_diff: {n} rounds, {agree} agree, {disagree} disagree, "
      f"{cel_only} differ only on CEL, {crashes} crashes")
sys.exit(1 if disagree or crashes else 0)
