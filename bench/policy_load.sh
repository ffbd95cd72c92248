#!/usr/bin/env bash
# bench/policy_load.sh [N ...] — time to load a generated repository of N
# policies (default 1000 and 10000) with authz_load() (YAML, compiler, every
# CEL expression type-checked, publication in shared memory) and with
# `cerbos compile --skip-tests`, the ratio, and the sizes per policy of the
# image and of the set compiled into shared memory (-1: not shared).
# Run as root after ./tools/demo or ./tools/test.
source "$(dirname "$0")/../tools/common.sh"
ensure_cerbos
[ $# -gt 0 ] || set -- 1000 10000
WORK=$(mktemp -d /tmp/authz-load.XXXXXX)
chmod 755 "$WORK"
start_cluster "authz.max_image_size = '1GB'"
trap 'stop_cluster; rm -rf "$WORK"' EXIT
run_psql -q -d postgres -c 'CREATE EXTENSION authz'
for n in "$@"; do
	dir=$WORK/gen$n
	python3 "$AUTHZ_ROOT/test/diff/gen_policies.py" "$n" "$dir" >/dev/null
	chmod -R a+rX "$dir"
	a=$(run_psql -Atq -d postgres -c "DO \$\$ DECLARE t0 timestamptz := clock_timestamp(); BEGIN
		PERFORM authz_load('$dir'); RAISE NOTICE '%', extract(epoch FROM clock_timestamp() - t0); END \$\$" 2>&1 |
		sed -n 's/.*NOTICE:  //p')
	size=$(run_psql -Atq -d postgres -c "SELECT image_size / greatest(policies, 1) FROM authz_status()")
	# the set compiled once into shared memory that every backend decides with
	shared=$(run_psql -Atq -d postgres -c "SELECT CASE WHEN c.shared THEN c.compiled_set_bytes / greatest(s.policies, 1) ELSE -1 END
		FROM authz_compiled_status() c, authz_status() s WHERE authz_check('{\"id\":\"u\",\"roles\":[\"user\"]}', '{\"kind\":\"k\",\"id\":\"1\"}', 'view') IS NOT NULL")
	t0=$(date +%s.%N)
	"$CERBOS" compile --skip-tests "$dir" >/dev/null
	t1=$(date +%s.%N)
	echo "$n $a $t0 $t1 $size $shared" | awk '{c=$4-$3; printf "policies %d: authz_load %.2f s, cerbos compile %.2f s (cerbos/authz %.0fx), image %d bytes per policy, compiled set in shared memory %d bytes per policy\n", $1, $2, c, c/$2, $5, $6}'
done
