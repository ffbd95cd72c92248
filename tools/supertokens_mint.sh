# tools/supertokens_mint.sh — mint SuperTokens-style access tokens for the
# demo (sourced).  The tokens have the exact layout SuperTokens v5 issues
# (header kid/typ/version/alg, st-role/st-perm claims as {"v","t"}) and are
# signed with a throwaway RSA key made here; nothing talks to a SuperTokens
# core.

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# st_new_key DIR: an RSA-2048 key in DIR/key.pem; prints its JWKS
st_new_key() {
	local dir=$1 kid=$2
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/key.pem" 2>/dev/null
	local n
	n=$(openssl rsa -in "$dir/key.pem" -noout -modulus | sed 's/Modulus=//' | tr -d '\n' | perl -pe 's/([0-9A-Fa-f]{2})/chr hex $1/ge' | b64url)
	printf '{"keys":[{"kty":"RSA","kid":"%s","n":"%s","e":"AQAB","alg":"RS256","use":"sig"}]}' "$kid" "$n"
}

# st_mint DIR KID SUB TENANT ROLES_JSON EXP: prints a signed access token
st_mint() {
	local dir=$1 kid=$2 sub=$3 tenant=$4 roles=$5 exp=$6 now
	now=$(date +%s)
	local header payload input sig
	header=$(printf '{"kid":"%s","typ":"JWT","version":"5","alg":"RS256"}' "$kid" | b64url)
	payload=$(printf '{"iat":%d,"exp":%d,"sub":"%s","tId":"%s","rsub":"%s","sessionHandle":"%s","refreshTokenHash1":"x","parentRefreshTokenHash1":null,"antiCsrfToken":null,"st-role":{"v":%s,"t":%d000},"st-perm":{"v":[],"t":%d000}}' \
		"$((now - 10))" "$exp" "$sub" "$tenant" "$sub" "$(cat /proc/sys/kernel/random/uuid)" "$roles" "$now" "$now" | b64url)
	input="$header.$payload"
	sig=$(printf '%s' "$input" | openssl dgst -sha256 -sign "$dir/key.pem" -binary | b64url)
	printf '%s.%s' "$input" "$sig"
}
