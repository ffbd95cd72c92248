#!/usr/bin/env bash
# bench/decisions.sh — the same 10,000 decisions (a) through the Cerbos
# server over HTTP on loopback, one client and 8 concurrent, (b) through
# authz_check_resources, (c) through authz_check per row of a table; and
# authz_check over 1,000,000 rows against a hand-written SQL expression that
# computes the same answer.  Prints decisions per second and the ratios, and
# fails if the two engines disagree on any of the 10,000 decisions.
# Run as root on Debian 12 after ./tools/demo or ./tools/test has built and
# installed the extension.  N=... changes the number of decisions.
source "$(dirname "$0")/../tools/common.sh"
N=${N:-10000}
ROWS=${ROWS:-1000000}

ensure_cerbos
WORK=$(mktemp -d /tmp/authz-bench.XXXXXX)
cp -r "$AUTHZ_ROOT/policies" "$WORK/policies"
rm -rf "$WORK/policies/tests"
chown -R postgres:postgres "$WORK"
start_cluster "authz.policy_dir = '$WORK/policies'" "max_parallel_workers_per_gather = 0"
CERBOS_PORT=$(( PGPORT + 1 ))
cat > "$WORK/cerbos.yaml" <<EOF
server:
  httpListenAddr: "127.0.0.1:$CERBOS_PORT"
  grpcListenAddr: "127.0.0.1:$(( PGPORT + 2 ))"
storage:
  driver: disk
  disk:
    directory: $WORK/policies
audit:
  enabled: false
telemetry:
  disabled: true
EOF
"$CERBOS" server --config="$WORK/cerbos.yaml" > "$WORK/cerbos.log" 2>&1 &
CERBOS_PID=$!
trap 'kill $CERBOS_PID 2>/dev/null; stop_cluster; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
	curl -fs "http://127.0.0.1:$CERBOS_PORT/_cerbos/health" >/dev/null 2>&1 && break
	python3 - "$CERBOS_PORT" <<'PY' 2>/dev/null && break
import sys, http.client
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=1)
c.request("GET", "/_cerbos/health"); sys.exit(0 if c.getresponse().status == 200 else 1)
PY
	sleep 0.2
done

run_psql -q -d postgres <<SQL
CREATE EXTENSION authz;
SELECT setseed(0.42);
CREATE TABLE bench_req AS
SELECT i,
	jsonb_build_object('id', 'u' || (i % 50), 'roles',
		CASE WHEN i % 7 = 0 THEN '["user","editor"]'::jsonb WHEN i % 97 = 0 THEN '["admin"]'::jsonb ELSE '["user"]'::jsonb END,
		'attr', jsonb_build_object('tenantId', 't' || (i % 5))) AS principal,
	jsonb_build_object('kind', 'document', 'id', 'd' || i, 'attr', jsonb_build_object(
		'owner', 'u' || (i * 7 % 50), 'tenant', 't' || (i % 3), 'public', random() < 0.3, 'locked', random() < 0.5)) AS resource
FROM generate_series(1, $N) i;
ALTER TABLE bench_req ADD COLUMN body jsonb;
UPDATE bench_req SET body = jsonb_build_object('principal', principal,
	'resources', jsonb_build_array(jsonb_build_object('actions', '["view"]'::jsonb, 'resource', resource)));
\copy (SELECT body FROM bench_req ORDER BY i) TO '$WORK/bodies.jsonl'
SQL

# (a) Cerbos over HTTP: one client, then 8 concurrent clients
python3 - "$CERBOS_PORT" "$WORK/bodies.jsonl" > "$WORK/cerbos.out" <<'PY'
import sys, time, json, http.client, multiprocessing
port, path = int(sys.argv[1]), sys.argv[2]
bodies = [l.strip() for l in open(path) if l.strip()]

def run(chunk):
    c = http.client.HTTPConnection("127.0.0.1", port)
    effects = []
    for b in chunk:
        c.request("POST", "/api/check/resources", body=b, headers={"Content-Type": "application/json"})
        r = json.loads(c.getresponse().read())
        effects.append("1" if r["results"][0]["actions"]["view"] == "EFFECT_ALLOW" else "0")
    return "".join(effects)

t0 = time.perf_counter(); effects = run(bodies); t1 = time.perf_counter()
with multiprocessing.Pool(8) as pool:
    t2 = time.perf_counter(); parts = pool.map(run, [bodies[i::8] for i in range(8)]); t3 = time.perf_counter()
print(len(bodies), effects.count("1"), t1 - t0, sum(p.count("1") for p in parts), t3 - t2, effects)
PY
read -r CN CALLOWED CT1 CALLOWED8 CT8 CEFFECTS < "$WORK/cerbos.out"

# (b) and (c) in SQL, timed inside the server
sql_seconds() {
	run_psql -Atq -d postgres -c "DO \$\$ DECLARE t0 timestamptz := clock_timestamp(); n bigint; BEGIN
		$1 INTO n; RAISE NOTICE '% %', n, extract(epoch FROM clock_timestamp() - t0); END \$\$" 2>&1 |
		sed -n 's/.*NOTICE:  //p'
}
read -r AALLOWED AT1 <<< "$(sql_seconds "SELECT count(*) FROM bench_req WHERE authz_check_resources(body)#>>'{results,0,actions,view}' = 'EFFECT_ALLOW'")"
read -r RALLOWED RT1 <<< "$(sql_seconds "SELECT count(*) FROM bench_req WHERE authz_check(principal, resource, 'view')")"
read -r LALLOWED LT1 <<< "$(sql_seconds "PERFORM set_config('authz.decision_log', 'on', true); SELECT count(*) FROM bench_req WHERE authz_check(principal, resource, 'view')")"

# decision by decision, untimed: Cerbos' effects (in request order) against both SQL entry points
EFFECTS_CHECK=$(run_psql -Atq -d postgres -c "SELECT string_agg(CASE WHEN authz_check(principal, resource, 'view') THEN '1' ELSE '0' END, '' ORDER BY i) FROM bench_req")
EFFECTS_RESOURCES=$(run_psql -Atq -d postgres -c "SELECT string_agg(CASE WHEN authz_check_resources(body)#>>'{results,0,actions,view}' = 'EFFECT_ALLOW' THEN '1' ELSE '0' END, '' ORDER BY i) FROM bench_req")
SAME_EACH=0
[ "$EFFECTS_CHECK" = "$CEFFECTS" ] && [ "$EFFECTS_RESOURCES" = "$CEFFECTS" ] && SAME_EACH=1

# authz_check over many rows against the hand-written equivalent for one
# principal (bob: user and editor of tenant acme): public, owned, or same tenant
run_psql -q -d postgres <<SQL
CREATE TABLE docs AS SELECT i AS id, 'u' || (i % 1000) AS owner, 't' || (i % 10) AS tenant,
	(i % 3 = 0) AS public, (i % 2 = 0) AS locked FROM generate_series(1, $ROWS) i;
VACUUM ANALYZE docs;
SQL
read -r HALLOWED HT <<< "$(sql_seconds "SELECT count(*) FROM docs WHERE public OR owner = 'bob' OR tenant = 't1'")"
BOB_CHECK="authz_check('{\"id\": \"bob\", \"roles\": [\"user\", \"editor\"], \"attr\": {\"tenantId\": \"t1\"}}', jsonb_build_object('kind', 'document', 'id', d.id::text, 'attr', jsonb_build_object('owner', owner, 'tenant', tenant, 'public', public, 'locked', locked)), 'view')"
# the planner rewrites the call into the policies' filter (authz.inline_checks, on by default) ...
read -r KALLOWED KT <<< "$(sql_seconds "SELECT count(*) FROM docs d WHERE $BOB_CHECK")"
# ... and without the rewrite, one decision per row
read -r OALLOWED OT <<< "$(sql_seconds "PERFORM set_config('authz.inline_checks', 'off', true); SELECT count(*) FROM docs d WHERE $BOB_CHECK")"

python3 - "$CN" "$CALLOWED" "$CT1" "$CALLOWED8" "$CT8" "$AALLOWED" "$AT1" "$RALLOWED" "$RT1" "$ROWS" "$HALLOWED" "$HT" "$KALLOWED" "$KT" "$LALLOWED" "$LT1" "$OALLOWED" "$OT" "$SAME_EACH" <<'PY'
import sys
n, ca, ct1, ca8, ct8, aa, at1, ra, rt1, rows, ha, ht, ka, kt, la, lt1, oa, ot, same_each = sys.argv[1:]
n = int(n); rows = int(rows)
ct1, ct8, at1, rt1, ht, kt, lt1, ot = map(float, (ct1, ct8, at1, rt1, ht, kt, lt1, ot))
print(f"decisions: {n}, allowed: cerbos {ca} / {ca8} (8 clients), authz_check_resources {aa}, authz_check {ra}")
print(f"  cerbos HTTP, 1 client     {n/ct1:10.0f} decisions/s  {ct1/n*1e6:8.1f} us each")
print(f"  cerbos HTTP, 8 clients    {n/ct8:10.0f} decisions/s  {ct8/n*1e6:8.1f} us each")
print(f"  authz_check_resources     {n/at1:10.0f} decisions/s  {at1/n*1e6:8.1f} us each  ({ct1/at1:.0f}x faster than 1 HTTP client)")
print(f"  authz_check per row       {n/rt1:10.0f} decisions/s  {rt1/n*1e6:8.1f} us each  ({ct1/rt1:.0f}x faster than 1 HTTP client, {ct8/rt1:.0f}x than 8)")
print(f"  authz_check, decision log on {n/lt1:7.0f} decisions/s  {lt1/n*1e6:8.1f} us each  (+{(lt1/rt1-1)*100:.0f}% for logging)")
print(f"rows: {rows}, allowed: hand-written SQL {ha}, authz_check {ka} (inlining off {oa})")
print(f"  hand-written SQL          {ht:8.3f} s")
print(f"  authz_check               {kt:8.3f} s  ({kt/ht:.1f}x the hand-written expression)")
print(f"  authz_check, inlining off {ot:8.3f} s  ({ot/ht:.1f}x the hand-written expression)")
print(f"each of the {n} decisions equal to Cerbos' (authz_check and authz_check_resources): {'yes' if same_each == '1' else 'NO'}")
ok = same_each == "1" and int(ca) == int(ca8) == int(aa) == int(ra) == int(la) and int(ha) == int(ka) == int(oa)
print("same answers everywhere" if ok else "ANSWERS DIFFER")
sys.exit(0 if ok else 1)
PY
