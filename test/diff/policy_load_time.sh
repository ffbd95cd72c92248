#!/bin/sh
# policy_load_time.sh [N ...] — load time of a generated repository of N
# policies (default 1000 and 10000) with authz's compiler (authzc, -O2) and
# with `cerbos compile --skip-tests`, and the ratio.  CEL is not checked by
# authzc here (--no-cel) until the CEL engine is linked in.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CERBOS=${CERBOS:-/work/cerbos/package/cerbos-linux-x64}
B=${B:-/tmp/authzc-time}
mkdir -p "$B"
${CC:-cc} -std=gnu11 -O2 -I"$top/src" "$top/tools/authzc.c" "$top"/src/common/*.c \
	"$top"/src/policy/*.c "$top"/src/compiler/*.c "$top"/src/cel/*.c \
	-lyaml -ljansson -lpcre2-8 -lssl -lcrypto -lm -o "$B/authzc" || exit 2
[ $# -gt 0 ] || set -- 1000 10000
for n in "$@"; do
	dir=$B/gen$n
	rm -rf "$dir"
	python3 "$here/gen_policies.py" "$n" "$dir" >/dev/null || exit 2
	t0=$(date +%s.%N); "$B/authzc" --no-cel "$dir" >/dev/null || exit 1; t1=$(date +%s.%N)
	"$CERBOS" compile --skip-tests "$dir" >/dev/null || exit 1; t2=$(date +%s.%N)
	echo "$n $t0 $t1 $t2" | awk '{a=$3-$2; c=$4-$3; printf "policies %d: authz %.2f s, cerbos compile %.2f s, cerbos/authz %.0fx\n", $1, a, c, c/a}'
done
