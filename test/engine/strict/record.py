#!/usr/bin/env python3
"""record.py — asks the reference Cerbos 0.55 binary for the answers of the
strict-evaluation matrix (requests.jsonl over policies/), once with
engine.strictEvaluation off and once on, and writes expected.jsonl: one
line per request, {"lenient": results, "strict": results}.
test/unit/test_engine_strict.c checks the engine against it.

  record.py [--cerbos PATH] [--port N]"""
import argparse, json, os, subprocess, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def answers(cerbos, port, strict, reqs):
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
            http = urllib.request.Request("http://127.0.0.1:%d/api/check/resources" % port, data=json.dumps(r).encode(),
                                          headers={"Content-Type": "application/json"})
            out.append(json.loads(urllib.request.urlopen(http).read())["results"])
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
    differ = sum(1 for l, s in zip(lenient, strict) if json.dumps(l, sort_keys=True) != json.dumps(s, sort_keys=True))
    print("record: %d requests, %d answered differently in strict mode" % (len(reqs), differ))


if __name__ == "__main__":
    main()
