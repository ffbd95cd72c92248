#!/usr/bin/env python3
"""make_requests.py — writes requests.jsonl, the strict-evaluation matrix:
every resource kind of policies/ under the principals and scopes that
exercise it (role order, principal and role policies, scopes with
OVERRIDE_PARENT and REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS), with and without
includeMeta, with the erroring attribute absent and present."""
import json, os, re

HERE = os.path.dirname(os.path.abspath(__file__))
kinds = set()
for f in sorted(os.listdir(os.path.join(HERE, "policies"))):
    m = re.search(r"^\s*resource:\s*(\S+)\s*$", open(os.path.join(HERE, "policies", f)).read(), re.M)
    if m and "resourcePolicy" in open(os.path.join(HERE, "policies", f)).read():
        kinds.add(m.group(1))
actions = ["a", "b", "c", "d", "e", "f", "g"]
out = []
for kind in sorted(kinds):
    principals = [("u", ["user"]), ("u", ["user", "other"]), ("u", ["other", "user"])]
    scopes = [""]
    if kind == "rp":
        principals += [("u", ["r1"]), ("u", ["r1", "r2"]), ("u", ["r2", "r1"]), ("pp", ["user"]), ("pp", ["r1"])]
    if kind == "sc":
        scopes += ["o", "p"]
    for pid, roles in principals:
        for scope in scopes:
            for meta in (True, False):
                for rattr in ({}, {"missing": "x"}):
                    r = {"kind": kind, "id": "r1", "attr": rattr}
                    if scope:
                        r["scope"] = scope
                    out.append({"requestId": "strict", "includeMeta": meta,
                                "principal": {"id": pid, "roles": roles, "attr": {"x": 1}},
                                "resources": [{"actions": actions, "resource": r}]})
with open(os.path.join(HERE, "requests.jsonl"), "w") as f:
    for r in out:
        f.write(json.dumps(r, sort_keys=True) + "\n")
print(len(out), "requests")
