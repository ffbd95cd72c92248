#!/usr/bin/env bash
# bench/session_core.sh — authz_set_session with the keys in a JWKS
# (authz_set_jwks) against the SuperTokens core's own tables
# (authz.supertokens_schema): first use of a token (RS256 verification,
# mapping, and in core mode the key fingerprint and one read of the session
# row, roles, permissions and metadata) and repeated use of the same token
# (the per-backend cache; in core mode the fingerprint and the facts are read
# again on every use).  The core tables hold 10,000 sessions, users, roles
# and metadata rows.  Run as root; uses AUTHZ_PG_PREFIX like the tests.
source "$(dirname "$0")/../tools/common.sh"
source "$AUTHZ_ROOT/tools/supertokens_mint.sh"
N=${N:-10000}
USERS=${USERS:-200}
WORK=$(mktemp -d /tmp/authz-session-core.XXXXXX)
start_cluster
trap 'stop_cluster; rm -rf "$WORK"' EXIT
CREATED=$(( $(date +%s) * 1000 ))
KID="d-$CREATED"
JWKS=$(st_new_key "$WORK" "$KID")
PUBLIC=$(openssl pkey -in "$WORK/key.pem" -pubout -outform DER | openssl base64 -A)
PRIVATE=$(openssl pkcs8 -topk8 -nocrypt -in "$WORK/key.pem" -outform DER | openssl base64 -A)
EXP=$(( $(date +%s) + 3600 ))
NOW=$(date +%s)
b64() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
: > "$WORK/tokens"
for i in $(seq 1 "$USERS"); do
	handle=$(printf '00000000-0000-4000-8000-%012d' "$i")
	header=$(printf '{"kid":"%s","typ":"JWT","version":"5","alg":"RS256"}' "$KID" | b64)
	payload=$(printf '{"iat":%d,"exp":%d,"sub":"user%d","tId":"public","rsub":"user%d","sessionHandle":"%s","refreshTokenHash1":"x","parentRefreshTokenHash1":null,"antiCsrfToken":null}' \
		"$((NOW - 10))" "$EXP" "$i" "$i" "$handle" | b64)
	sig=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$WORK/key.pem" -binary | b64)
	printf '%s.%s.%s\n' "$header" "$payload" "$sig" >> "$WORK/tokens"
done
chmod 644 "$WORK/tokens"; chmod 755 "$WORK"
run_psql -q -d postgres <<SQL
CREATE EXTENSION authz;
SELECT authz_set_jwks('$JWKS');
CREATE TABLE tokens (t text);
\copy tokens FROM '$WORK/tokens'
CREATE SCHEMA st;
CREATE TABLE st.session_access_token_signing_keys (app_id varchar(64) DEFAULT 'public',
  created_at_time bigint NOT NULL, value text, PRIMARY KEY (app_id, created_at_time));
CREATE TABLE st.jwt_signing_keys (app_id varchar(64) DEFAULT 'public', key_id varchar(255) NOT NULL,
  key_string text NOT NULL, algorithm varchar(10) NOT NULL, created_at bigint, PRIMARY KEY (app_id, key_id));
CREATE TABLE st.session_info (app_id varchar(64) DEFAULT 'public', tenant_id varchar(64) DEFAULT 'public',
  session_handle varchar(255) NOT NULL, user_id varchar(128) NOT NULL, refresh_token_hash_2 varchar(128) NOT NULL,
  session_data text, expires_at bigint NOT NULL, created_at_time bigint NOT NULL, jwt_user_payload text,
  use_static_key boolean NOT NULL, PRIMARY KEY (app_id, tenant_id, session_handle));
CREATE TABLE st.user_roles (app_id varchar(64) DEFAULT 'public', tenant_id varchar(64) DEFAULT 'public',
  user_id varchar(128) NOT NULL, role varchar(255) NOT NULL, PRIMARY KEY (app_id, tenant_id, user_id, role));
CREATE TABLE st.role_permissions (app_id varchar(64) DEFAULT 'public', role varchar(255) NOT NULL,
  permission varchar(255) NOT NULL, PRIMARY KEY (app_id, role, permission));
CREATE TABLE st.user_metadata (app_id varchar(64) DEFAULT 'public', user_id varchar(128) NOT NULL,
  user_metadata text NOT NULL, PRIMARY KEY (app_id, user_id));
CREATE TABLE st.userid_mapping (app_id varchar(64) NOT NULL DEFAULT 'public', supertokens_user_id char(36) NOT NULL,
  external_user_id varchar(128) NOT NULL, external_user_id_info text,
  PRIMARY KEY (app_id, supertokens_user_id, external_user_id), UNIQUE (app_id, external_user_id));
CREATE INDEX ON st.role_permissions (app_id, role);
INSERT INTO st.session_access_token_signing_keys (created_at_time, value) VALUES ($CREATED, '$PUBLIC|$PRIVATE');
INSERT INTO st.session_info (session_handle, user_id, refresh_token_hash_2, expires_at, created_at_time, use_static_key)
  SELECT format('00000000-0000-4000-8000-%s', lpad(i::text, 12, '0')), 'user' || i, 'h', 4102444800000, 0, false
  FROM generate_series(1, 10000) i;
INSERT INTO st.user_roles (user_id, role) SELECT 'user' || i, r FROM generate_series(1, 10000) i, (VALUES ('user'), ('editor')) v(r);
INSERT INTO st.role_permissions (role, permission) VALUES ('user', 'doc:read'), ('editor', 'doc:write'), ('editor', 'doc:read');
INSERT INTO st.user_metadata (user_id, user_metadata) SELECT 'user' || i, '{"plan":"pro"}' FROM generate_series(1, 10000) i;
INSERT INTO st.userid_mapping (supertokens_user_id, external_user_id)
  SELECT format('aaaaaaaa-0000-4000-8000-%s', lpad(i::text, 12, '0')), 'ext' || i FROM generate_series(1, 10000) i;
ANALYZE;
SQL

# one mode: $1 label, $2 settings run first in the session
measure() {
	run_psql -Atq -d postgres <<SQL 2>&1 | sed -n 's/.*NOTICE:  //p'
$2
DO \$\$
DECLARE
	t0 timestamptz;
	first_use interval;
	repeat_use interval;
	tok text;
	n int := 0;
BEGIN
	t0 := clock_timestamp();
	FOR tok IN SELECT t FROM tokens LOOP
		PERFORM authz_set_session(tok);
		n := n + 1;
	END LOOP;
	first_use := (clock_timestamp() - t0) / n;
	SELECT t INTO tok FROM tokens LIMIT 1;
	t0 := clock_timestamp();
	FOR i IN 1..$N LOOP
		PERFORM authz_set_session(tok);
	END LOOP;
	repeat_use := (clock_timestamp() - t0) / $N;
	RAISE NOTICE '% first use: % us per call, repeat use: % us per call', '$1',
		round(extract(epoch FROM first_use) * 1e6, 1), round(extract(epoch FROM repeat_use) * 1e6, 2);
END
\$\$;
SQL
}

measure "JWKS (authz_set_jwks)" ""
# the JWKS key has the same kid as the core's row: drop it so the core's is used
run_psql -q -d postgres -c "DELETE FROM authz_jwks"
measure "core tables, revocation off" "SET authz.supertokens_schema = 'st';"
measure "core tables, revocation on " "SET authz.supertokens_schema = 'st'; SET authz.supertokens_check_revocation = on;"
