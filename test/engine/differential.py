#!/usr/bin/env python3
"""Differential test: the engine against the real Cerbos 0.55 binary.

Generates random CheckResources requests over the names found in a policy
directory (principals, roles, resource kinds, scopes, versions, actions,
attributes, some absent, integers and lists), sends each to a Cerbos server
started on 127.0.0.1 (audit and telemetry off) and to test/engine/check_cli,
and compares actions, meta (matchedPolicy, matchedScope) and
effectiveDerivedRoles and outputs as sets.

  differential.py [--policies DIR] [--count N] [--seed S] [--globals JSON]
                  [--build DIR] [--cerbos PATH] [--lenient] [--mutate]
                  [--strict] [--requests FILE.jsonl] [--random-policies K]
--strict runs both sides with Cerbos' engine.strictEvaluation on;
--requests sends the given requests instead of random ones;
--random-policies K decides over K random policy sets instead of --policies
(test/plan/rls_differential.py's generator: conditions over attributes that
are often absent, so they error, in DENY and ALLOW rules, derived roles,
variables and all/any/none lists) with random principals and resources.
Prints "differential: N requests, M decisions, K differences".
"""
import argparse, json, os, random, re, shutil, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def names(policy_dir):
    text = ""
    for root, _, files in os.walk(policy_dir):
        if "testdata" in root or "_schemas" in root:
            continue
        for f in files:
            if f.endswith((".yaml", ".yml", ".json")) and not f.endswith("_test.yaml"):
                text += open(os.path.join(root, f), errors="replace").read() + "\n"
    grab = lambda pat: sorted(set(m.strip().strip("'\"") for m in re.findall(pat, text, re.M)))
    lists = lambda key: sorted(set(x.strip().strip("'\"") for m in re.findall(r"^\s*-?\s*%s:\s*\[([^\]]*)\]" % key, text, re.M) for x in m.split(",") if x.strip()))
    kinds = [k for k in grab(r"^\s*resource:\s*(\S+)\s*$") if "*" not in k]
    roles = lists("roles") + grab(r"^\s*role:\s*(\S+)") + lists("parentRoles")
    roles = sorted(set(r for r in roles if r != "*")) or ["user"]
    actions = sorted(set(a.replace("*", "x") for a in lists("actions") + lists("allowActions") + grab(r"^\s*-?\s*action:\s*(\S+)")))
    return {
        "principals": grab(r"^\s*principal:\s*(\S+)") + ["nobody"],
        "roles": roles,
        "kinds": kinds or ["thing"],
        "scopes": [""] + grab(r"^\s*scope:\s*(\S+)") + ["nowhere"],
        "versions": ["", "default"] + grab(r"^\s*version:\s*(\S+)"),
        "actions": actions or ["view"],
    }


def attrs(rnd):
    pool = [("department", ["marketing", "engineering", "accounting"]), ("geography", ["GB", "US"]),
            ("team", ["design", "backend"]), ("owner", ["john", "jenny", "donald_duck", "sam"]),
            ("status", ["PENDING_APPROVAL", "DRAFT", "APPROVED"]), ("id", ["XX125"]),
            ("dev_record", [True, False]), ("public", [True, False]), ("reader", [True, False]),
            ("ip_address", ["10.20.5.5", "1.2.3.4"]), ("amount", [10, 1000, 5.5, -1]),
            ("city", ["london", "paris"]), ("tags", [["a", "b"], []]), ("a", [1, 2]), ("b", [1, 2]),
            ("pages", [3, 10, 11]), ("locked", [True, False])]
    return {k: rnd.choice(v) for k, v in pool if rnd.random() < 0.5}


def request(rnd, n):
    p = {"id": rnd.choice(n["principals"]), "roles": rnd.sample(n["roles"], min(len(n["roles"]), rnd.choice([1, 1, 2, 3]))), "attr": attrs(rnd)}
    for key, pool in (("policyVersion", n["versions"]), ("scope", n["scopes"])):
        v = rnd.choice(pool)
        if v:
            p[key] = v
    res = []
    for _ in range(rnd.choice([1, 2])):
        r = {"kind": rnd.choice(n["kinds"]), "id": "r1", "attr": attrs(rnd)}
        for key, pool in (("policyVersion", n["versions"]), ("scope", n["scopes"])):
            v = rnd.choice(pool)
            if v:
                r[key] = v
        res.append({"actions": rnd.sample(n["actions"], min(len(n["actions"]), rnd.choice([1, 3, 5]))), "resource": r})
    return {"requestId": "diff", "includeMeta": rnd.random() < 0.7, "principal": p, "resources": res}


MUTANTS = [None, 1, -1.5, "", "x", [], {}, [1], {"a": 1}, True, "a" * 300, [[[[]]]],
           {"attr": {"x": {"y": [1, {"z": None}]}}}]


def mutate(rnd, o):
    """Deletes or replaces one field somewhere in o (for --mutate)."""
    if isinstance(o, dict) and o:
        k = rnd.choice(list(o))
        r = rnd.random()
        if r < 0.3:
            del o[k]
        elif r < 0.6:
            o[k] = json.loads(json.dumps(rnd.choice(MUTANTS)))
        else:
            mutate(rnd, o[k])
    elif isinstance(o, list) and o:
        i = rnd.randrange(len(o))
        if rnd.random() < 0.5:
            o[i] = json.loads(json.dumps(rnd.choice(MUTANTS)))
        else:
            mutate(rnd, o[i])


def random_policies(rnd, k, out):
    """Writes k random policy sets into out; returns a request maker."""
    sys.path.insert(0, os.path.join(TOP, "test", "plan"))
    import rls_differential as gen
    kinds = ["kind%d" % i for i in range(k)]
    for kind in kinds:
        derived, resource = gen.policy_set(rnd, kind)
        with open(os.path.join(out, "dr_%s.yaml" % kind), "w") as f:
            f.write(derived)
        with open(os.path.join(out, "%s.yaml" % kind), "w") as f:
            f.write(resource)
    # scoped policies and principal policies, from a generator of their own
    # (the sets above stay what they were): the walk across scopes and from
    # principal to resource policies, where strict errors end it
    xr = random.Random(rnd.random())
    perms = ["", "  scopePermissions: SCOPE_PERMISSIONS_OVERRIDE_PARENT\n",
             "  scopePermissions: SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS\n"]
    perm = xr.choice(perms)  # policies sharing a scope must agree on it
    for kind in kinds:
        if xr.random() < 0.5:
            rules = ""
            for r in range(xr.randint(1, 3)):
                cond = gen.yaml_condition(xr, 6, "%s/s1/%d" % (kind, r), False) if xr.random() < 0.8 else ""
                rules += "    - actions: [%s]\n      effect: %s\n      roles: [%s]\n%s" % (
                    ", ".join('"%s"' % a for a in xr.sample(gen.ACTIONS, xr.randint(1, 2))),
                    "EFFECT_DENY" if xr.random() < 0.3 else "EFFECT_ALLOW",
                    ", ".join('"%s"' % r for r in xr.sample(gen.ROLES, xr.randint(1, 2))), cond)
            with open(os.path.join(out, "%s_s1.yaml" % kind), "w") as f:
                f.write("apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: %s\n  version: default\n"
                        "  scope: s1\n%s  rules:\n%s" % (kind, perm, rules))
    for who in ("alice", "bob"):
        rules = ""
        for kind in xr.sample(kinds, min(len(kinds), 3)):
            acts = ""
            for a in xr.sample(gen.ACTIONS, xr.randint(1, 2)):
                cond = gen.yaml_condition(xr, 10, "%s/%s/%s" % (who, kind, a), False) if xr.random() < 0.8 else ""
                acts += "        - action: %s\n          effect: %s\n%s" % (
                    a, "EFFECT_DENY" if xr.random() < 0.4 else "EFFECT_ALLOW", cond)
            rules += "    - resource: %s\n      actions:\n%s" % (kind, acts)
        with open(os.path.join(out, "principal_%s.yaml" % who), "w") as f:
            f.write("apiVersion: api.cerbos.dev/v1\nprincipalPolicy:\n  principal: %s\n  version: default\n"
                    "  rules:\n%s" % (who, rules))

    def make(rnd):
        res = []
        for i in range(rnd.choice([1, 2])):
            attr = gen.row(rnd, i)
            del attr["id"]
            r = {"kind": rnd.choice(kinds), "id": "r%d" % i, "attr": attr}
            scope = rnd.choice(["", "", "s1", "s1.s2"])
            if scope:
                r["scope"] = scope
            res.append({"actions": rnd.sample(gen.ACTIONS, rnd.randint(1, 3)), "resource": r})
        return {"requestId": "diff", "includeMeta": rnd.random() < 0.7, "principal": gen.principal(rnd), "resources": res}
    return make


def norm(resp):
    if "results" not in resp:
        return "rejected"
    out = []
    for r in resp["results"]:
        m = r.get("meta", {})
        out.append((json.dumps(r["actions"], sort_keys=True), json.dumps(m.get("actions"), sort_keys=True),
                    sorted(m.get("effectiveDerivedRoles", [])),
                    sorted(json.dumps(o, sort_keys=True) for o in r.get("outputs", []))))
    return out


def ours_after_restarts(a, conf, req, ours, tries):
    """Whether a freshly started Cerbos gives our answer within tries starts.

    Under strict evaluation Cerbos 0.55 answers some requests differently
    from one server start to another (the same start always answers the same
    way): which erroring condition it meets first, and so the effect or the
    matched policy, follows an order that is fixed only per process.  Such a
    request counts as agreeing when one of Cerbos' own starts gives our
    answer; one that never does is a difference."""
    alt = conf + ".alt"
    with open(conf) as f:
        text = f.read()
    with open(alt, "w") as f:
        f.write(text.replace(":%d\"" % a.port, ":%d\"" % (a.port + 2)).replace(":%d\"" % (a.port + 1), ":%d\"" % (a.port + 3)))
    for _ in range(tries):
        server = subprocess.Popen([a.cerbos, "server", "--config=" + alt], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            theirs = None
            for _ in range(50):
                try:
                    http = urllib.request.Request("http://127.0.0.1:%d/api/check/resources" % (a.port + 2),
                                                  data=json.dumps(req).encode(), headers={"Content-Type": "application/json"})
                    theirs = json.loads(urllib.request.urlopen(http, timeout=2).read())
                    break
                except Exception:
                    time.sleep(0.2)
            if theirs is not None and norm(theirs) == ours:
                return True
        finally:
            server.terminate()
            server.wait()
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--policies", default=os.path.join(TOP, "..", "..", "shared", "data", "cerbos", "policies", "store"))
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--globals", default='{"environment":"test"}')
    ap.add_argument("--build", default="/tmp/authz-engine-diff")
    ap.add_argument("--cerbos", default="/work/cerbos/package/cerbos-linux-x64")
    ap.add_argument("--port", type=int, default=35692)
    ap.add_argument("--lenient", action="store_true", help="lenientScopeSearch on both sides")
    ap.add_argument("--mutate", action="store_true", help="break requests: rejections must agree too")
    ap.add_argument("--strict", action="store_true", help="engine.strictEvaluation on both sides")
    ap.add_argument("--requests", help="a JSON-lines file of requests to send instead of random ones")
    ap.add_argument("--random-policies", type=int, default=0, metavar="K", help="K random policy sets instead of --policies")
    a = ap.parse_args()
    policies = os.path.abspath(a.policies)

    subprocess.run(["make", "-s", "-C", os.path.join(TOP, "test", "unit"), "B=" + a.build, "T=none", a.build + "/libauthzcore.a"], check=True)
    cli = os.path.join(a.build, "check_cli")
    subprocess.run(["cc", "-std=gnu11", "-O1", "-I" + os.path.join(TOP, "src"), os.path.join(HERE, "check_cli.c"),
                    a.build + "/libauthzcore.a", "-lyaml", "-ljwt", "-ljansson", "-lpcre2-8", "-lssl", "-lcrypto", "-lm", "-o", cli], check=True)

    tmp = tempfile.mkdtemp(prefix="authz-diff-")
    make_request = None
    if a.random_policies:
        policies = os.path.join(tmp, "policies")
        os.makedirs(policies)
        make_request = random_policies(random.Random(a.seed), a.random_policies, policies)
    conf = os.path.join(tmp, "conf.yaml")
    with open(conf, "w") as f:
        f.write("server:\n  httpListenAddr: \"127.0.0.1:%d\"\n  grpcListenAddr: \"127.0.0.1:%d\"\n" % (a.port, a.port + 1))
        f.write("storage:\n  driver: disk\n  disk:\n    directory: %s\n" % policies)
        f.write("engine:\n  globals: %s\n  lenientScopeSearch: %s\n  strictEvaluation: %s\n" % (
            a.globals, "true" if a.lenient else "false", "true" if a.strict else "false"))
        f.write("audit:\n  enabled: false\ntelemetry:\n  disabled: true\n")
    server = subprocess.Popen([a.cerbos, "server", "--config=" + conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/_cerbos/health" % a.port, timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        rnd = random.Random(a.seed)
        n = names(policies)
        if a.requests:
            reqs = [json.loads(l) for l in open(a.requests) if l.strip()]
        elif make_request:
            reqs = [make_request(rnd) for _ in range(a.count)]
        else:
            reqs = [request(rnd, n) for _ in range(a.count)]
        if a.mutate:
            for r in reqs:
                for _ in range(rnd.randint(1, 3)):
                    mutate(rnd, r)
        flags = (["lenient"] if a.lenient else []) + (["strict"] if a.strict else [])
        mine = subprocess.run([cli, policies, a.globals] + flags, input="".join(json.dumps(r) + "\n" for r in reqs),
                              capture_output=True, text=True, check=True).stdout.splitlines()
        sensitive = 0
        if a.strict:
            # how many decisions strict evaluation changes (the engine without it)
            loose = subprocess.run([cli, policies, a.globals] + [f for f in flags if f != "strict"],
                                   input="".join(json.dumps(r) + "\n" for r in reqs),
                                   capture_output=True, text=True, check=True).stdout.splitlines()
            for x, y in zip(mine, loose):
                for rx, ry in zip(json.loads(x).get("results", []), json.loads(y).get("results", [])):
                    sensitive += sum(1 for k in rx["actions"] if rx["actions"][k] != ry["actions"].get(k))
        diffs = decisions = rejected = unstable = 0
        for req, m in zip(reqs, mine):
            http = urllib.request.Request("http://127.0.0.1:%d/api/check/resources" % a.port, data=json.dumps(req).encode(),
                                          headers={"Content-Type": "application/json"})
            try:
                theirs = json.loads(urllib.request.urlopen(http).read())
            except urllib.error.HTTPError:
                theirs = {}
                rejected += 1
            decisions += sum(len(r["actions"]) for r in theirs.get("results", []))
            if norm(json.loads(m)) != norm(theirs) and a.strict and \
                    ours_after_restarts(a, conf, req, norm(json.loads(m)), tries=10):
                unstable += 1
            elif norm(json.loads(m)) != norm(theirs):
                diffs += 1
                if diffs <= 5:
                    print("DIFF", json.dumps(req))
                    print("  engine", m)
                    print("  cerbos", json.dumps(theirs))
        print("differential: %d requests, %d decisions, %d differences" % (len(reqs), decisions, diffs))
        if a.strict:
            print("  (%d decisions differ from the same engine without strict evaluation)" % sensitive)
            print("  (%d requests whose answer from Cerbos changes from one server start to another, ours among them)" % unstable)
        if a.mutate:
            print("  (%d requests rejected by Cerbos)" % rejected)
        return 1 if diffs else 0
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
