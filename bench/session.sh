#!/usr/bin/env bash
# bench/session.sh — authz_set_session per call inside PostgreSQL: the first
# use of a token (RS256 verification, mapping, installation) and repeated
# use of the same token (served from the per-backend cache), against a bare
# OpenSSL RS256 verification of the same token (openssl speed-style loop in
# bench/session_verify.c).  Run as root after ./tools/demo or ./tools/test.
source "$(dirname "$0")/../tools/common.sh"
source "$AUTHZ_ROOT/tools/supertokens_mint.sh"
N=${N:-10000}
WORK=$(mktemp -d /tmp/authz-session.XXXXXX)
start_cluster
trap 'stop_cluster; rm -rf "$WORK"' EXIT
KID="d-$(date +%s)000"
JWKS=$(st_new_key "$WORK" "$KID")
EXP=$(( $(date +%s) + 3600 ))
TOKENS=()
for i in $(seq 1 200); do TOKENS+=("$(st_mint "$WORK" "$KID" "user$i" acme '["user"]' "$EXP")"); done
printf '%s\n' "${TOKENS[@]}" > "$WORK/tokens"
chmod 644 "$WORK/tokens"; chmod 755 "$WORK"
run_psql -q -d postgres <<SQL
CREATE EXTENSION authz;
SELECT authz_set_jwks('$JWKS');
CREATE TABLE tokens (t text);
\copy tokens FROM '$WORK/tokens'
SQL
run_psql -Atq -d postgres <<SQL 2>&1 | sed -n 's/.*NOTICE:  //p'
DO \$\$
DECLARE
	t0 timestamptz;
	first_use interval;
	repeat_use interval;
	tok text;
	n int := 0;
BEGIN
	-- first use: 200 distinct tokens, each verified once
	t0 := clock_timestamp();
	FOR tok IN SELECT t FROM tokens LOOP
		PERFORM authz_set_session(tok);
		n := n + 1;
	END LOOP;
	first_use := (clock_timestamp() - t0) / n;
	-- repeated use of one token
	SELECT t INTO tok FROM tokens LIMIT 1;
	t0 := clock_timestamp();
	FOR i IN 1..$N LOOP
		PERFORM authz_set_session(tok);
	END LOOP;
	repeat_use := (clock_timestamp() - t0) / $N;
	RAISE NOTICE 'authz_set_session first use: % us per call', round(extract(epoch FROM first_use) * 1e6, 1);
	RAISE NOTICE 'authz_set_session repeat use: % us per call', round(extract(epoch FROM repeat_use) * 1e6, 2);
END
\$\$;
SQL
make -C "$AUTHZ_ROOT/bench" -s B="$WORK/build" session 2>&1 | grep -E 'openssl RS256|st_session_authenticate'
