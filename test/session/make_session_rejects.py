#!/usr/bin/env python3
"""make_session_rejects.py — writes sql/session_rejects.sql.

Every token in the suite is minted here from the fixed throwaway keys in
test/fixtures/session/ with fixed times (issued 2023-11-14, expiring
2100-01-01; the expired one in 2000, the not-yet-valid one issued in 2100),
so the file and its expected output never change: RS256 (PKCS#1 v1.5)
signatures are deterministic.  Run it again after changing a case:

    python3 test/session/make_session_rejects.py > sql/session_rejects.sql
"""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
KEY = os.path.join(ROOT, "test", "fixtures", "session", "rs256_test_only.pem")
OTHER = os.path.join(ROOT, "test", "fixtures", "session", "rs256_other_test_only.pem")
KID = "d-1700000000000"
IAT = 1700000000
EXP = 4102444800


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rs256(key, data):
    return subprocess.run(["openssl", "dgst", "-sha256", "-sign", key, "-binary"],
                          input=data, stdout=subprocess.PIPE, check=True).stdout


def jwk_n(key):
    text = subprocess.run(["openssl", "rsa", "-in", key, "-noout", "-modulus"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          check=True).stdout.decode()
    return b64url(bytes.fromhex(text.strip().split("=", 1)[1]))


def public_pem(key):
    return subprocess.run(["openssl", "pkey", "-in", key, "-pubout"],
                          stdout=subprocess.PIPE, check=True).stdout


def header(**fields):
    h = {"kid": KID, "typ": "JWT", "version": "5", "alg": "RS256"}
    h.update(fields)
    return json.dumps({k: v for k, v in h.items() if v is not None}, separators=(",", ":"))


def payload(**fields):
    p = {"iat": IAT, "exp": EXP, "sub": "alice", "tId": "acme", "rsub": "alice",
         "sessionHandle": "0a1b2c3d-aaaa-4000-8000-000000000001",
         "refreshTokenHash1": "r1", "parentRefreshTokenHash1": None, "antiCsrfToken": None,
         "st-role": {"v": ["user"], "t": 1700000000000},
         "st-perm": {"v": ["doc:read"], "t": 1700000000000}}
    p.update(fields)
    return json.dumps(p, separators=(",", ":"))


def signed(h, p, key=KEY):
    data = (b64url(h.encode()) + "." + b64url(p.encode())).encode()
    return data.decode() + "." + b64url(rs256(key, data))


def main():
    good = signed(header(), payload())
    gh, gp, gs = good.split(".")
    hs_input = (b64url(header(alg="HS256").encode()) + "." + gp).encode()
    cases = [
        ("good", good),
        ("alg none", b64url(header(alg="none").encode()) + "." + gp + "." + b64url(b"sig")),
        ("HS256 keyed with the RSA public key", hs_input.decode() + "." +
         b64url(hmac.new(public_pem(KEY), hs_input, hashlib.sha256).digest())),
        ("RS512", signed(header(alg="RS512"), payload())),
        ("unknown kid", signed(header(kid="d-1"), payload())),
        ("missing kid", signed(header(kid=None), payload())),
        ("bad signature (another key)", signed(header(), payload(), key=OTHER)),
        ("bad signature (tampered payload)",
         gh + "." + b64url(payload(sub="admin").encode()) + "." + gs),
        ("expired", signed(header(), payload(iat=946681200, exp=946684800))),
        ("not yet valid", signed(header(), payload(iat=EXP, exp=EXP + 3600))),
        ("malformed (two segments)", gh + "." + gp),
        ("malformed base64 (padding)", gh + "=." + gp + "." + gs),
        ("malformed base64 (standard alphabet)", gh + "." + gp + "." + gs.replace("-", "+").replace("_", "/") + "+/"),
        ("malformed JSON header", signed("{\"kid\":", payload())),
        ("malformed JSON payload", signed(header(), "[1,2,3]")),
        ("duplicate claim", signed(header(), payload()[:-1] + ",\"sub\":\"admin\"}")),
        ("wrong version 2", signed(header(version="2"), payload())),
        ("wrong version 6", signed(header(version="6"), payload())),
        ("version as a number", signed(header(version=5), payload())),
        ("wrong typ", signed(header(typ="JOSE"), payload())),
        ("v5 without tId", signed(header(), payload(tId=None).replace(",\"tId\":null", ""))),
        ("OAuth2 token (stt 1)", signed(header(), payload(stt=1))),
    ]
    jwks = json.dumps({"keys": [{"kty": "RSA", "kid": KID, "n": jwk_n(KEY), "e": "AQAB",
                                 "alg": "RS256", "use": "sig"}]}, separators=(",", ":"))
    out = sys.stdout
    out.write("""-- Every kind of rejected SuperTokens access token: SQLSTATE 28000, its own
-- message and reason, and never the token in the message.  The tokens are
-- minted by test/session/make_session_rejects.py from fixed throwaway keys
-- (test/fixtures/session/) with fixed times, so this file and its output are
-- stable; regenerate the file with that script after changing a case.
SELECT authz_set_jwks('%s');

CREATE TEMP TABLE tokens (n serial, kind text, token text);
""" % jwks)
    for kind, token in cases:
        out.write("INSERT INTO tokens (kind, token) VALUES ('%s', '%s');\n" % (kind, token))
    out.write("""
-- the refusal of one token as text: SQLSTATE, message, detail, and whether
-- the message or detail contains the token or its signature (how long ago a
-- token expired depends on the clock, so numbers of seconds read "N s")
CREATE FUNCTION pg_temp.refusal(token text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	state text;
	message text;
	detail text;
	signature text := split_part(token, '.', 3);
BEGIN
	PERFORM authz_set_session(token);
	RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL;
	RETURN state || ' ' || regexp_replace(message, '[0-9]+ s ', 'N s ') || ' (' || detail || ')' ||
		CASE WHEN position(token IN message || detail) > 0
			OR (length(signature) > 8 AND position(signature IN message || detail) > 0)
		THEN ' ECHOES THE TOKEN' ELSE '' END;
END
$$;

SELECT n, kind, pg_temp.refusal(token) AS result FROM tokens ORDER BY n;

-- oversized: longer than 16 KB, refused before anything is decoded
SELECT pg_temp.refusal(repeat('a', 16385) || '.' || repeat('b', 10) || '.' || repeat('c', 10)) AS oversized;

-- the good token's principal, and a refusal as a client sees it
SELECT jsonb_pretty(authz_set_session(token)) FROM tokens WHERE kind = 'good';
SELECT authz_set_session(token) FROM tokens WHERE kind = 'alg none';
SELECT authz_set_session(token) FROM tokens WHERE kind = 'bad signature (tampered payload)';

-- a refused token neither sets nor replaces the principal
BEGIN;
SELECT pg_temp.refusal(token) AS first FROM tokens WHERE kind = 'expired';
SELECT authz_principal() IS NULL AS no_principal;
SELECT pg_temp.refusal(token) AS second FROM tokens WHERE kind = 'good';
SELECT pg_temp.refusal(token) AS third FROM tokens WHERE kind = 'unknown kid';
SELECT authz_principal()->>'id' AS still_the_good_one;
COMMIT;
SELECT authz_principal() IS NULL AS gone_at_commit;

-- leave the JWKS as the suite found it
DELETE FROM authz_jwks;
""")


if __name__ == "__main__":
    main()
