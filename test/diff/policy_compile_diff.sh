#!/bin/sh
# policy_compile_diff.sh — does authz accept and reject the same policy
# directories as `cerbos compile --skip-tests`?
#
# Runs both on every case under test/policies/{good,broken}/<case>/ (and on
# any extra directories given as arguments) and prints one line per case:
#   agree|DISAGREE  <case>  authz=<ok|reject>  cerbos=<ok|reject>
# followed by the counts.  Exit status 1 when any case disagrees, or when a
# good case is rejected / a broken case accepted by either side.
#
# Environment: CERBOS (default /work/cerbos/package/cerbos-linux-x64),
# AUTHZC (default: built into $B, default /tmp/authzc-build, with the CEL
# engine linked in, so expressions are checked once it implements cel_parse).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CERBOS=${CERBOS:-/work/cerbos/package/cerbos-linux-x64}
B=${B:-/tmp/authzc-build}
if [ -z "${AUTHZC:-}" ]; then
	mkdir -p "$B"
	AUTHZC=$B/authzc
	${CC:-cc} -std=gnu11 -O1 -Wall -Wextra -Werror -Wno-unused-parameter -I"$top/src" \
		"$top/tools/authzc.c" "$top"/src/common/*.c "$top"/src/policy/*.c \
		"$top"/src/compiler/*.c "$top"/src/cel/*.c \
		-lyaml -ljansson -lpcre2-8 -lssl -lcrypto -lm -o "$AUTHZC" || exit 2
fi

agree=0; disagree=0; wrong=0; total=0
run_case() {
	dir=$1; want=$2; name=$3
	if "$AUTHZC" "$dir" >/dev/null 2>&1; then a=ok; else a=reject; fi
	if "$CERBOS" compile --skip-tests "$dir" >/dev/null 2>&1; then c=ok; else c=reject; fi
	total=$((total + 1))
	if [ "$a" = "$c" ]; then agree=$((agree + 1)); verdict=agree; else disagree=$((disagree + 1)); verdict=DISAGREE; fi
	if [ -n "$want" ] && { [ "$a" != "$want" ] || [ "$c" != "$want" ]; }; then
		wrong=$((wrong + 1)); verdict="$verdict(expected $want)"
	fi
	printf '%-8s %-45s authz=%-6s cerbos=%s\n' "$verdict" "$name" "$a" "$c"
}
for d in "$top"/test/policies/good/*/; do
	[ -d "$d" ] && run_case "$d" ok "good/$(basename "$d")"
done
for d in "$top"/test/policies/broken/*/; do
	[ -d "$d" ] && run_case "$d" reject "broken/$(basename "$d")"
done
for d in "$@"; do
	run_case "$d" "" "$d"
done
echo "policy_compile_diff: $agree of $total agree, $disagree disagree, $wrong not as expected"
[ "$disagree" -eq 0 ] && [ "$wrong" -eq 0 ]
