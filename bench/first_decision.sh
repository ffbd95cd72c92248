#!/usr/bin/env bash
# bench/first_decision.sh [N ...] — what a reload costs the other backends.
#
# For a generated repository of N policies (default 1000 and 10000), loads
# it in one session and times, in a second session, its first decision
# after the reload (taking up the new policy set) and the decision after
# that, on two servers: one that shares the set compiled by the loader
# (authz.compiled_policy_memory, the default) and one that makes every
# backend compile its own copy, as authz did before (= 0).  Also prints the
# load time and the shared memory the compiled set takes per policy.
# Run as root after ./tools/demo or ./tools/test.
source "$(dirname "$0")/../tools/common.sh"
[ $# -gt 0 ] || set -- 1000 10000
WORK=$(mktemp -d /tmp/authz-first.XXXXXX)
chmod 755 "$WORK"
trap 'stop_cluster; rm -rf "$WORK"' EXIT

PRINCIPAL='{"id": "u1", "roles": ["user"], "attr": {"department": "d1"}}'
RESOURCE='{"kind": "doc_1", "id": "r1", "attr": {"owner": "u1", "department": "d1"}}'

# Seconds of one authz_check in a session that has not decided since the reload.
time_decisions() {
	run_psql -Atq -d postgres -c "DO \$\$ DECLARE t0 timestamptz; t1 timestamptz; t2 timestamptz; BEGIN
		t0 := clock_timestamp(); PERFORM authz_check('$PRINCIPAL', '$RESOURCE', 'view');
		t1 := clock_timestamp(); PERFORM authz_check('$PRINCIPAL', '$RESOURCE', 'view');
		t2 := clock_timestamp();
		RAISE NOTICE '% %', extract(epoch FROM t1 - t0), extract(epoch FROM t2 - t1); END \$\$" 2>&1 |
		sed -n 's/.*NOTICE:  //p'
}

for n in "$@"; do
	python3 "$AUTHZ_ROOT/test/diff/gen_policies.py" "$n" "$WORK/gen$n" >/dev/null
done
chmod -R a+rX "$WORK"

for memory in 1024 0; do
	start_cluster "authz.max_image_size = '1GB'" "authz.compiled_policy_memory = ${memory}"
	run_psql -q -d postgres -c 'CREATE EXTENSION authz'
	for n in "$@"; do
		dir=$WORK/gen$n
		load=$(run_psql -Atq -d postgres -c "DO \$\$ DECLARE t0 timestamptz := clock_timestamp(); BEGIN
			PERFORM authz_load('$dir'); RAISE NOTICE '%', extract(epoch FROM clock_timestamp() - t0); END \$\$" 2>&1 |
			sed -n 's/.*NOTICE:  //p')
		# three other sessions, each deciding first after the reload
		firsts=""
		for i in 1 2 3; do firsts="$firsts $(time_decisions)"; done
		bytes=$(run_psql -Atq -d postgres -c "SELECT coalesce(compiled_set_bytes, 0), policies, private_builds, compiles FROM authz_compiled_status(), authz_status()")
		echo "$memory $n $load $firsts $bytes" | awk '{
			split($10, b, "|");
			mode = $1 > 0 ? "shared " : "private";
			first = ($4 + $6 + $8) / 3; next_ = ($5 + $7 + $9) / 3;
			printf "%s policies %5d: load %.2f s; another session: first decision %.4f s, next %.6f s", mode, $2, $3, first, next_;
			if ($1 > 0) printf "; compiled set %d bytes (%d per policy)", b[1], b[1] / (b[2] > 0 ? b[2] : 1);
			printf " [private builds %d, shared compiles %d]\n", b[3], b[4] }'
	done
	stop_cluster
done
