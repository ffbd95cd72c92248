#!/bin/sh
# cross_check.sh — our verifier against supertokens-node's, both ways.
#
# Mints tokens with our C code (mint_tool) in the SuperTokens v5/v4/v3
# layouts plus forgeries, serves the JWKS on 127.0.0.1 and lets
# supertokens-node's own verification judge them; then lets jose mint
# tokens in the same layout and our verifier judge those.  Needs node, npm
# and a C compiler; `npm install supertokens-node jose` goes into a
# temporary directory that is removed afterwards (set ST_NODE_MODULES to an
# existing node_modules to skip the install).
#
# Exit status 0 when every verdict matches the expectations below.  The
# tokens supertokens-node accepts and we refuse are printed: those are the
# places SUPERTOKENS.md says we must be stricter than node.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/authz-crosscheck.XXXXXX")
trap 'rm -rf "$work"' EXIT

cc -O1 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-I"$top/src" -I"$top/test/unit" "$here/mint_tool.c" \
	"$top"/src/common/*.c "$top"/src/session/*.c -ljansson -lcrypto -lm \
	-o "$work/mint_tool"

if [ -n "${ST_NODE_MODULES:-}" ]; then
	modules=$ST_NODE_MODULES
else
	mkdir "$work/npm"
	(cd "$work/npm" && npm init -y >/dev/null && \
		npm install --silent --no-audit --no-fund supertokens-node@24 jose >/dev/null)
	modules=$work/npm/node_modules
fi
echo "supertokens-node $(node -p "require('$modules/supertokens-node/package.json').version")," \
	"jose $(node -p "require('$modules/jose/package.json').version")"

"$work/mint_tool" mint "$work"
node "$here/cross_check.js" "$work" "$modules"
"$work/mint_tool" verify "$work/jose_jwks.json" "$work/jose_tokens.tsv" > "$work/ours_on_jose.tsv"

fail=0
pass=0
# name, our expected status, node's expected verdict (accept/reject)
expect_ours() {
	got=$(awk -F '\t' -v n="$1" '$1 == n { print $2 }' "$work/node_verdicts.tsv")
	node=$(awk -F '\t' -v n="$1" '$1 == n { print $3 }' "$work/node_verdicts.tsv" | cut -d' ' -f1)
	if [ "$got" = "$2" ] && [ "$node" = "$3" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "MISMATCH $1: ours=$got (want $2), node=$node (want $3)"
	fi
	if [ "$got" != ok ] && [ "$node" = accept ]; then
		echo "  node accepts, we refuse: $1 ($got)"
	fi
}
expect_ours v5 ok accept
expect_ours v5_custom ok accept
expect_ours v4 ok accept
expect_ours v3 ok accept
expect_ours expired expired reject
expect_ours iat_future not_yet_valid accept
expect_ours other_key bad_signature reject
expect_ours unknown_kid unknown_kid reject
expect_ours version_6 unsupported_version accept
expect_ours version_5abc unsupported_version accept
expect_ours version_2 unsupported_version reject
expect_ours no_version unsupported_version accept
expect_ours typ_missing bad_type reject
expect_ours v5_no_tId missing_claim accept
expect_ours v5_no_rsub missing_claim reject
expect_ours stt_1 wrong_token_type reject
expect_ours dup_sub duplicate_key accept
expect_ours crit unsupported_crit reject
expect_ours alg_rs256_lower wrong_algorithm reject
expect_ours alg_RS512 wrong_algorithm reject
expect_ours alg_PS256 wrong_algorithm reject
expect_ours alg_HS256_pem wrong_algorithm reject
expect_ours alg_HS256_jwks wrong_algorithm reject
expect_ours alg_none malformed reject
expect_ours padded_sig bad_base64 accept
expect_ours four_segments malformed reject
expect_ours two_segments malformed reject

# node's identities for the accepted tokens must be the ones we minted
for want in "v5	ok	accept user=user-1 tenant=acme rsub=login-1 v=5" \
	"v4	ok	accept user=user-4 tenant=public rsub=user-4 v=4" \
	"v3	ok	accept user=user-3 tenant=public rsub=user-3 v=3"; do
	if grep -qxF "$want" "$work/node_verdicts.tsv"; then pass=$((pass + 1)); else
		fail=$((fail + 1)); echo "MISMATCH identity: want '$want'"; fi
done

# jose-minted tokens: our status, and node's verdict on the same token
expect_jose() {
	got=$(awk -F '\t' -v n="$1" '$1 == n { print $2 }' "$work/ours_on_jose.tsv")
	node=$(awk -F '\t' -v n="$1" '$1 == n { print $2 }' "$work/node_on_jose.tsv")
	if [ "$got" = "$2" ] && [ "$node" = "$3" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "MISMATCH $1: ours=$got (want $2), node=$node (want $3)"
	fi
}
expect_jose jose_v5 ok accept
expect_jose jose_v4 ok accept
expect_jose jose_v3 ok accept
expect_jose jose_expired expired reject
expect_jose jose_RS512 wrong_algorithm reject
expect_jose jose_PS256_same_key wrong_algorithm reject
expect_jose jose_PS256_other_key wrong_algorithm reject
expect_jose jose_HS256_pem wrong_algorithm reject
expect_jose jose_HS256_jwks wrong_algorithm reject
expect_jose jose_none malformed reject
expect_jose jose_stt_1 wrong_token_type reject
expect_jose jose_version_6 unsupported_version accept

echo "cross_check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
