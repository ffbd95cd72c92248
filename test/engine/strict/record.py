#!/usr/bin/env python3
"""record.py — asks the reference Cerbos 0.55 binary for the answers of the
strict-evaluation matrix (requests.jsonl over policies/), once with
engine.strictEvaluation off and once on, and writes expected.jsonl: one
line per request, {"lenient": results, "strict": results}; and
expected_plans.jsonl: Cerbos' PlanResources filter under strict evaluation
for each (principal, kind, scope, action) of the matrix, in the order
test/unit/test_engine_strict.c plans them.  That test checks the engine
against both.

  record.py [--cerbos PATH] [--port N]"""
import argparse, json, os, subprocess, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def plan_requests(reqs):
    """The strict plans the unit test makes: one per principal, kind, scope
    (requests with includeMeta and no attributes) and action."""
    out = []
    for r in reqs:
        res = r["resources"][0]["resource"]
        if res.get("attr") or not r.get("includeMeta"):
            continue
        for a in r["resources"][0]["actions"]:
            out.append({"requestId": "p", "action": a, "principal": r["principal"],
                        "resource": {"kind": res["kind"], "scope": res.get("scope", ""), "attr": {}}})
    return out


def answers(cerbos, port, strict, reqs, path="/api/check/resources", key="results"):
    tmp = tempfile.mkdtemp(prefix="authz-strict-")
    conf = os.path.join(tmp, "conf.yaml")
    with open(conf, "w") as f:
        f.write("server:\n  httpListenAddr: \"127.0.0.1:%d\"\n  grpcListenAddr: \"127.0.0.1:%d\"\n" % (port, port + 1))
        f.write("storage:\n  driver: disk\n  disk:\n    directory: %s\n" % os.path.join(HERE, "policies"))
        f.write("engine:\n  strictEvaluation: %s\n" % ("true" if strict else "false"))
        f.write("audit:\n  enabled: false\ntelemetry:\n  disabled: true\n")
    server = subprocess.Popen([cerbos, "server", "--config=" + conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/_cerbos/health" % port, timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        out = []
        for r in reqs:
            http = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=json.dumps(r).encode(),
                                          headers={"Content-Type": "application/json"})
            out.append(json.loads(urllib.request.urlopen(http).read())[key])
        return out
    finally:
        server.terminate()
        server.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cerbos", default="/work/cerbos/package/cerbos-linux-x64")
    ap.add_argument("--port", type=int, default=36620)
    a = ap.parse_args()
    reqs = [json.loads(l) for l in open(os.path.join(HERE, "requests.jsonl")) if l.strip()]
    lenient = answers(a.cerbos, a.port, False, reqs)
    strict = answers(a.cerbos, a.port, True, reqs)
    with open(os.path.join(HERE, "expected.jsonl"), "w") as f:
        for l, s in zip(lenient, strict):
            f.write(json.dumps({"lenient": l, "strict": s}, sort_keys=True) + "\n")
    plans = answers(a.cerbos, a.port, True, plan_requests(reqs), "/api/plan/resources", "filter")
    with open(os.path.join(HERE, "expected_plans.jsonl"), "w") as f:
        for p in plans:
            f.write(json.dumps(p, sort_keys=True) + "\n")
    differ = sum(1 for l, s in zip(lenient, strict) if json.dumps(l, sort_keys=True) != json.dumps(s, sort_keys=True))
    print("record: %d requests, %d answered differently in strict mode" % (len(reqs), differ))


if __name__ == "__main__":
    main()
