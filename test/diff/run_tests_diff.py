#!/usr/bin/env python3
"""run_tests_diff.py — authz's policy test runner against `cerbos compile`.

For each policy directory, runs Cerbos 0.55's `compile --output=json` (which
runs the directory's *_test.yaml suites) and run_tests_driver (authz's
src/testsuite/ over the same directory), then compares verdicts:

  * per case (suite file, test, principal, resource, action): the result
    (passed / failed / skipped / errored) and, where both ran it, the
    actual effect;
  * per suite that did not run (errored or skipped as a whole): the same
    suite-level result.

    test/diff/run_tests_diff.py [--cerbos PATH] [--driver PATH]
                                [--random N] [--seed S] [DIR ...]

Without DIRs it uses every directory with suites under
../shared/data/cerbos/policies/, test/policies/suites and
test/policies/suites_edge, test/policies/suites_strict (twice: as is, and
with --strict-evaluation on both sides), plus (with --random N, default 40) a copy of
the shared store's policies with N generated suites: principals,
resources, actions and auxData JWT claims taken from the store's requests
in ../shared/data/cerbos/check.jsonl, random groups, random expected
effects (so about half the cases fail), random options (now, globals,
lenientScopeSearch, strictEvaluation), a few skipped tests and broken
expectations.
Prints each difference and the counts; exits 1 on any difference.
"""
import argparse
import base64
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# ../shared beside the checkout (as CI lays it out), or one level up (a
# git worktree in a subdirectory)
SHARED = next((d for d in (os.path.join(base, "shared", "data", "cerbos", "policies")
                           for base in (os.path.dirname(ROOT), os.path.dirname(os.path.dirname(ROOT))))
               if os.path.isdir(d)),
              os.path.join(os.path.dirname(ROOT), "shared", "data", "cerbos", "policies"))
RESULT = {"RESULT_PASSED": "passed", "RESULT_FAILED": "failed",
          "RESULT_SKIPPED": "skipped", "RESULT_ERRORED": "errored"}


def build_driver(path):
    build = os.path.dirname(path)
    subprocess.run(["make", "-s", "-C", os.path.join(ROOT, "test", "unit"), "B=" + build,
                    "T=none", build + "/libauthzcore.a"], check=True)
    subprocess.run(["cc", "-std=gnu11", "-O1", "-g", "-Wall", "-Wextra", "-Werror",
                    "-Wno-unused-parameter", "-I" + os.path.join(ROOT, "src"),
                    os.path.join(HERE, "run_tests_driver.c"), build + "/libauthzcore.a",
                    "-lyaml", "-ljwt", "-ljansson", "-lpcre2-8", "-lssl", "-lcrypto", "-lm",
                    "-o", path], check=True)


def has_suites(d):
    for dirpath, dirnames, filenames in os.walk(d):
        dirnames[:] = [x for x in dirnames if x != "testdata" and not x.startswith(".")]
        for f in filenames:
            if f.rsplit(".", 1)[0].endswith("_test") and f.rsplit(".", 1)[-1].lower() in ("yaml", "yml", "json"):
                return True
    return False


def jwt_claims(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def store_inputs():
    """Principals, resources, actions and auxData from the store's requests."""
    principals, resources, actions, aux = {}, {}, set(), {}
    with open(os.path.join(os.path.dirname(SHARED), "check.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r["policy_set"] != "store" or r["config"] == "server":
                continue
            q = r["request"]
            p = q.get("principal")
            if not p or not p.get("id") or not p.get("roles"):
                continue
            principals["p%d" % len(principals)] = p
            for e in q.get("resources", []):
                res = e.get("resource")
                if res and res.get("kind") and res.get("id"):
                    resources["r%d" % len(resources)] = res
                actions.update(a for a in e.get("actions", []) if a)
            tok = (q.get("auxData") or {}).get("jwt", {}).get("token")
            if tok:
                aux["a%d" % len(aux)] = {"jwt": jwt_claims(tok)}
    return principals, resources, sorted(actions), aux


def random_suite(rng, n, principals, resources, actions, aux):
    pk, rk = sorted(principals), sorted(resources)
    suite = {"name": "Random suite %d" % n, "principals": {}, "resources": {}, "tests": []}
    used_p = rng.sample(pk, min(len(pk), rng.randint(2, 6)))
    used_r = rng.sample(rk, min(len(rk), rng.randint(2, 6)))
    for k in used_p:
        suite["principals"][k] = principals[k]
    for k in used_r:
        suite["resources"][k] = resources[k]
    if aux and rng.random() < 0.5:
        suite["auxData"] = dict(aux)
    if rng.random() < 0.3:
        suite["principalGroups"] = {"pg": {"principals": rng.sample(used_p, 2)}}
    if rng.random() < 0.3:
        suite["resourceGroups"] = {"rg": {"resources": rng.sample(used_r, 2)}}
    if rng.random() < 0.5:
        suite["options"] = {"now": "2024-01-16T10:18:27.395+13:00", "globals": {"environment": "test"}}
    for t in range(rng.randint(1, 4)):
        ps = rng.sample(used_p, rng.randint(1, min(3, len(used_p))))
        rs = rng.sample(used_r, rng.randint(1, min(3, len(used_r))))
        acts = rng.sample(actions, rng.randint(1, 4))
        test = {"name": "test %d" % t, "input": {"principals": ps, "resources": rs, "actions": acts}, "expected": []}
        if "principalGroups" in suite and rng.random() < 0.5:
            test["input"]["principalGroups"] = ["pg"]
        if "resourceGroups" in suite and rng.random() < 0.5:
            test["input"]["resourceGroups"] = ["rg"]
        if "auxData" in suite and rng.random() < 0.5:
            test["input"]["auxData"] = rng.choice(sorted(suite["auxData"]))
        k = rng.random()
        if k < 0.3:
            test["options"] = {"now": "2024-01-16T10:18:27.395+13:00", "globals": {"environment": "test"},
                               "lenientScopeSearch": rng.random() < 0.5}
        elif k < 0.4:
            test["options"] = {"globals": {"environment": rng.choice(["test", "prod"])}}
        if rng.random() < 0.1:
            test["skip"] = True
            test["skipReason"] = "random"
        for p in ps:
            for r in rs:
                if rng.random() < 0.7:
                    test["expected"].append({"principal": p, "resource": r, "actions": {
                        a: rng.choice(["EFFECT_ALLOW", "EFFECT_DENY"]) for a in rng.sample(acts, rng.randint(1, len(acts)))}})
        if rng.random() < 0.3:
            # expectations through lists and groups, sometimes overlapping
            covered = {(x["principal"], x["resource"]) for x in test["expected"] if "principal" in x}
            free = [p for p in ps if (p, rs[0]) not in covered]
            e = {"principals": free, "resources": rs[:1], "actions": {acts[0]: rng.choice(["EFFECT_ALLOW", "EFFECT_DENY"])}}
            if "principalGroups" in test["input"] and rng.random() < 0.2:
                e["principalGroups"] = ["pg"]
            if "resourceGroups" in test["input"] and rng.random() < 0.2:
                e["resourceGroups"] = ["rg"]
            if free or "principalGroups" in e:
                if not free:
                    del e["principals"]
                test["expected"].append(e)
        if test["expected"] and rng.random() < 0.2:
            e = rng.choice(test["expected"])
            e["outputs"] = [{"action": rng.choice(list(e["actions"])), "expected": [
                {"src": rng.choice(["resource.leave_request.v20210210#rule-001", "x#y"]),
                 "val": rng.choice([1, 1.0, "a", True, None, [1, "a"], {"k": 2}])}]}]
        if not test["expected"]:
            test["expected"].append({"principal": ps[0], "resource": rs[0], "actions": {acts[0]: "EFFECT_DENY"}})
        if rng.random() < 0.04:
            test["expected"].append({"principal": "ghost", "resource": rs[0], "actions": {acts[0]: "EFFECT_DENY"}})
        suite["tests"].append(test)
    # strictEvaluation from a generator of its own, so that the suites
    # above stay what they were before it was added
    srng = random.Random(n * 7919 + 17)
    for o in [suite.get("options")] + [t.get("options") for t in suite["tests"]]:
        if o is not None and srng.random() < 0.5:
            o["strictEvaluation"] = True
    return suite


def random_dir(n, seed):
    rng = random.Random(seed)
    d = tempfile.mkdtemp(prefix="run-tests-random.")
    shutil.copytree(os.path.join(SHARED, "store"), os.path.join(d, "store"))
    principals, resources, actions, aux = store_inputs()
    os.makedirs(os.path.join(d, "store", "random"), exist_ok=True)
    for i in range(n):
        with open(os.path.join(d, "store", "random", "suite_%03d_test.json" % i), "w") as f:
            json.dump(random_suite(rng, i, principals, resources, actions, aux), f, indent=1)
    return d


def cerbos_verdicts(cerbos, d, strict=False):
    p = subprocess.run([cerbos, "compile", "--output=json", "--no-color"] + (["--strict-evaluation"] if strict else []) + [d],
                       capture_output=True, text=True, cwd="/tmp")
    try:
        out = json.loads(p.stdout)
    except ValueError:
        return None, p.stdout + p.stderr
    cases, suites, outputs = {}, {}, {}
    for s in out.get("suites", []):
        res = RESULT.get(s["summary"].get("overallResult"), "?")
        if "testCases" not in s:
            suites[s["file"]] = res
            continue
        for tc in s["testCases"]:
            for pr in tc.get("principals", []):
                for rs in pr.get("resources", []):
                    for ac in rs.get("actions", []):
                        det = ac["details"]
                        eff = (det.get("success") or {}).get("effect") or (det.get("failure") or {}).get("actual")
                        key = (s["file"], tc["name"], pr["name"], rs["name"], ac["name"])
                        cases[key] = (RESULT[det["result"]], eff)
                        if "success" in det:
                            outputs[key] = {o["src"]: o.get("val") for o in det["success"].get("outputs", [])}
    return (cases, suites, outputs), None


def authz_verdicts(driver, d, strict=False):
    p = subprocess.run([driver] + (["--strict-evaluation"] if strict else []) + [d], capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr
    cases, suites, outputs = {}, {}, {}
    for line in p.stdout.splitlines():
        r = json.loads(line)
        if r["test"] is None:
            suites[r["file"]] = r["status"]
        else:
            eff = r["actual"] if r["status"] in ("passed", "failed") else None
            key = (r["file"], r["test"], r["principal"], r["resource"], r["action"])
            cases[key] = (r["status"], eff)
            if r["status"] == "passed":
                outputs[key] = r["actual_outputs"] or {}
    return (cases, suites, outputs), None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cerbos", default="/work/cerbos/package/cerbos-linux-x64")
    ap.add_argument("--driver", default=None)
    ap.add_argument("--random", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("dirs", nargs="*")
    a = ap.parse_args()
    # a fresh build directory: the unit Makefile tracks no header
    # dependencies, so objects left by another checkout could be stale
    driver = a.driver or os.path.join(tempfile.mkdtemp(prefix="run-tests-diff-"), "run_tests_driver")
    if a.driver is None:
        build_driver(driver)
    dirs = [os.path.abspath(x) for x in a.dirs]
    if not dirs:
        dirs = [os.path.join(SHARED, x) for x in sorted(os.listdir(SHARED))] if os.path.isdir(SHARED) else []
        dirs.append(os.path.join(ROOT, "test", "policies", "suites"))
        dirs.append(os.path.join(ROOT, "test", "policies", "suites_edge"))
        dirs.append(os.path.join(ROOT, "test", "policies", "suites_strict"))
        dirs = [x for x in dirs if has_suites(x)]
    runs = [(x, False) for x in dirs]
    if not a.dirs:
        runs.append((os.path.join(ROOT, "test", "policies", "suites_strict"), True))
    tmp = None
    if not a.dirs and a.random > 0 and os.path.isdir(os.path.join(SHARED, "store")):
        tmp = random_dir(a.random, a.seed)
        runs.append((os.path.join(tmp, "store"), False))
    ndiff = ncases = nsuites = noutputs = 0
    tally = {}
    for d, strict in runs:
        want, err = cerbos_verdicts(a.cerbos, d, strict)
        if want is None:
            print("%s: cerbos compile gave no JSON: %s" % (d, err.strip()[:300]))
            ndiff += 1
            continue
        have, err = authz_verdicts(driver, d, strict)
        if strict:
            d += " (--strict-evaluation)"
        if have is None:
            print("%s: authz did not run the suites: %s" % (d, err.strip()[:300]))
            ndiff += 1
            continue
        wc, ws, wo = want
        hc, hs, ho = have
        for k in sorted(set(wc) | set(hc), key=lambda k: tuple(str(x) for x in k)):
            ncases += 1
            if wc.get(k) != hc.get(k):
                ndiff += 1
                print("%s: %s: cerbos %s, authz %s" % (d, " / ".join(k), wc.get(k), hc.get(k)))
            else:
                tally[wc[k][0]] = tally.get(wc[k][0], 0) + 1
        # the outputs of passed cases, which Cerbos lists (numbers compare as numbers)
        for k in sorted(set(wo) & set(ho), key=lambda k: tuple(str(x) for x in k)):
            noutputs += 1
            if wo[k] != ho[k]:
                ndiff += 1
                print("%s: %s: outputs: cerbos %s, authz %s" % (d, " / ".join(k), json.dumps(wo[k]), json.dumps(ho[k])))
        for f in sorted(set(ws) | set(hs)):
            nsuites += 1
            if ws.get(f) != hs.get(f):
                ndiff += 1
                print("%s: suite %s: cerbos %s, authz %s" % (d, f, ws.get(f), hs.get(f)))
            else:
                tally["suite " + ws[f]] = tally.get("suite " + ws[f], 0) + 1
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    print("run_tests_diff: %d directories, %d cases, %d suite-level verdicts, %d differences (agreeing: %s; outputs of %d passed cases compared)"
          % (len(runs), ncases, nsuites, ndiff, ", ".join("%s %d" % kv for kv in sorted(tally.items())), noutputs))
    return 1 if ndiff else 0


if __name__ == "__main__":
    sys.exit(main())
