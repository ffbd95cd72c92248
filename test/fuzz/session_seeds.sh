#!/bin/sh
# session_seeds.sh DIR — a starting corpus for fuzz_session: the first byte
# selects the target (0 token, 1 token, 2 JWKS, 3 core key string, 4 spec).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$1
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -std=gnu11 -I"$top/src" -I"$top/test/unit" "$top/test/session/mint_tool.c" \
	"$top"/src/common/[a-z]*.c "$top"/src/session/[a-z]*.c -ljansson -lcrypto -lm -o "$tmp/mint_tool"
"$tmp/mint_tool" mint "$tmp"
n=0
cut -f3 "$tmp/tokens.tsv" | while read -r tok; do
	n=$((n + 1))
	printf '\000%s' "$tok" > "$dir/token-$n"
	printf '\001%s' "$tok" > "$dir/token1-$n"
done
printf '\002%s' "$(cat "$tmp/jwks.json")" > "$dir/jwks"
printf '\003%s' 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE|MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg' > "$dir/corekey"
printf '\004%s' '{"id":"rsub","roles":"st-role.v","defaultRole":null,"scopeFromTenant":true,"attr":{"org":"org.id"}}' > "$dir/spec"
