#!/usr/bin/env python3
"""gen_policies.py N DIR — writes a policy repository of about N policies:
resource policies with scopes, derived roles, exported variables and
constants, principal and role policies, every condition form.  Used to time
authz's loader against `cerbos compile --skip-tests` on the same files."""
import os, sys

n = int(sys.argv[1]); out = sys.argv[2]
os.makedirs(out, exist_ok=True)
for sub in ("resources", "derived", "principals", "exports", "roles"):
    os.makedirs(os.path.join(out, sub), exist_ok=True)
groups = max(1, n // 10)
count = 0
for g in range(groups):
    with open(f"{out}/exports/vars_{g}.yaml", "w") as f:
        f.write(f"""apiVersion: api.cerbos.dev/v1
exportVariables:
  name: vars_{g}
  definitions:
    is_owner: R.attr.owner == P.id
    same_dept: P.attr.department == R.attr.department
""")
    with open(f"{out}/exports/consts_{g}.yaml", "w") as f:
        f.write(f"""apiVersion: api.cerbos.dev/v1
exportConstants:
  name: consts_{g}
  definitions:
    limit: {g}
    statuses: [draft, published]
""")
    with open(f"{out}/derived/roles_{g}.yaml", "w") as f:
        f.write(f"""apiVersion: api.cerbos.dev/v1
derivedRoles:
  name: roles_{g}
  variables:
    import: [vars_{g}]
  definitions:
    - name: owner
      parentRoles: [user]
      condition:
        match:
          expr: V.is_owner
    - name: colleague
      parentRoles: [user]
      condition:
        match:
          all:
            of:
              - expr: V.same_dept
              - expr: R.attr.status != "draft"
""")
    count += 3
    scopes = ["", f"org{g}", f"org{g}.dept"]
    for s in scopes:
        scope_line = f"  scope: {s}\n" if s else ""
        with open(f"{out}/resources/doc_{g}_{s or 'root'}.yaml", "w") as f:
            f.write(f"""apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc_{g}
  version: default
{scope_line}  importDerivedRoles: [roles_{g}]
  variables:
    import: [vars_{g}]
    local:
      big: R.attr.size > C.limit
  constants:
    import: [consts_{g}]
  rules:
    - actions: ["view", "list"]
      roles: ["*"]
      effect: EFFECT_ALLOW
      condition:
        match:
          any:
            of:
              - expr: R.attr.public == true
              - expr: V.same_dept
    - actions: ["edit"]
      derivedRoles: [owner]
      effect: EFFECT_ALLOW
      name: owner-edit
      output:
        when:
          ruleActivated: '"edited"'
    - actions: ["delete"]
      roles: [user]
      effect: EFFECT_DENY
      condition:
        match:
          none:
            of:
              - expr: V.big
""")
        count += 1
    with open(f"{out}/principals/p_{g}.yaml", "w") as f:
        f.write(f"""apiVersion: api.cerbos.dev/v1
principalPolicy:
  principal: user_{g}
  version: default
  rules:
    - resource: doc_{g}
      actions:
        - action: "*"
          effect: EFFECT_ALLOW
          condition:
            match:
              expr: R.attr.owner == P.id
""")
    with open(f"{out}/roles/r_{g}.yaml", "w") as f:
        f.write(f"""apiVersion: api.cerbos.dev/v1
rolePolicy:
  role: auditor_{g}
  parentRoles: [user]
  rules:
    - resource: doc_{g}
      allowActions: [view, list]
""")
    count += 2
    # two more resource policies without scopes, to reach about 10 per group
    for k in range(2):
        with open(f"{out}/resources/plain_{g}_{k}.yaml", "w") as f:
            f.write(f"""apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: plain_{g}_{k}
  version: default
  rules:
    - actions: ["*"]
      roles: [admin]
      effect: EFFECT_ALLOW
""")
        count += 1
print(count)
