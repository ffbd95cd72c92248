// cross_check.js — supertokens-node and jose judge our tokens; we judge theirs.
//
// Usage: node cross_check.js DIR NODE_MODULES   (run by cross_check.sh;
// NODE_MODULES is a temporary npm install of supertokens-node and jose)
//
// Part A: DIR/jwks.json is served on 127.0.0.1 and every token of
// DIR/tokens.tsv (minted by our C code) is verified with supertokens-node's
// own code: parseJWTWithoutSignatureVerification (recipe/session/jwt.js)
// then getInfoFromAccessToken (recipe/session/accessToken.js) against a
// jose remote JWKS on that URL, which is how the SDK verifies.
// Part B: jose mints tokens in the SuperTokens layout (and forgeries) with
// its own RSA key; they are written to DIR/jose_tokens.tsv with the JWKS
// served (fetched back over HTTP) in DIR/jose_jwks.json for the C side.
"use strict";
const fs = require("fs");
const http = require("http");
const path = require("path");
const crypto = require("crypto");
const { pathToFileURL } = require("url");

const dir = process.argv[2];
const modules = process.argv[3];
const stRoot = path.join(modules, "supertokens-node");
const { parseJWTWithoutSignatureVerification } = require(path.join(stRoot, "lib/build/recipe/session/jwt.js"));
const { getInfoFromAccessToken } = require(path.join(stRoot, "lib/build/recipe/session/accessToken.js"));
// the jose that supertokens-node itself uses
const stJose = require(require.resolve("jose", { paths: [stRoot] }));

async function main() {
    const jose = await import(pathToFileURL(require.resolve("jose", { paths: [modules] })).href);
    const jwks = { ours: fs.readFileSync(path.join(dir, "jwks.json"), "utf8"), jose: null };
    const server = http.createServer((req, res) => {
        const body = req.url === "/ours/.well-known/jwks.json" ? jwks.ours
            : req.url === "/jose/.well-known/jwks.json" ? jwks.jose : null;
        if (body === null) { res.writeHead(404); res.end(); return; }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(body);
    });
    await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
    const base = `http://127.0.0.1:${server.address().port}`;

    // Part A: supertokens-node verifies the tokens our C code minted
    const remote = stJose.createRemoteJWKSet(new URL(`${base}/ours/.well-known/jwks.json`));
    const lines = fs.readFileSync(path.join(dir, "tokens.tsv"), "utf8").trim().split("\n");
    const out = [];
    for (const line of lines) {
        const [name, ours, token] = line.split("\t");
        let node;
        try {
            const info = parseJWTWithoutSignatureVerification(token);
            const r = await getInfoFromAccessToken(info, remote, false);
            node = `accept user=${r.userId} tenant=${r.tenantId} rsub=${r.recipeUserId.getAsString()} v=${info.version}`;
        } catch (e) {
            node = "reject";
        }
        out.push(`${name}\t${ours}\t${node}`);
    }
    fs.writeFileSync(path.join(dir, "node_verdicts.tsv"), out.join("\n") + "\n");

    // Part B: jose mints tokens in the SuperTokens layout with its own key
    // KeyObjects, not CryptoKeys: one RSA key signs RS256, RS512 and PS256 alike
    const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const kid = `d-${Date.now() - 3600 * 1000}`;
    const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
    jwks.jose = JSON.stringify({ keys: [jwk] });
    const now = Math.floor(Date.now() / 1000);
    const payload = (extra = {}) => ({
        iat: now - 5, exp: now + 3600, sub: "jose-user", tId: "tenant-b", rsub: "jose-login",
        sessionHandle: crypto.randomUUID() + "_tenant-b", refreshTokenHash1: "abc",
        parentRefreshTokenHash1: null, antiCsrfToken: null, iss: "https://api.example.com/auth",
        "st-role": { v: ["viewer"], t: Date.now() }, "st-perm": { v: ["doc:read"], t: Date.now() },
        "st-ev": { v: false, t: Date.now() }, plan: "pro", ...extra,
    });
    const header = (alg, version = "5") => ({ kid, typ: "JWT", version, alg });
    const sign = (p, h, key = privateKey) => new jose.SignJWT(p).setProtectedHeader(h).sign(key);
    const { privateKey: psKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = await jose.exportSPKI(publicKey);
    const toks = [
        ["jose_v5", await sign(payload(), header("RS256"))],
        ["jose_v4", await sign({ ...payload(), rsub: undefined }, header("RS256", "4"))],
        ["jose_v3", await sign({ ...payload(), rsub: undefined, tId: undefined }, header("RS256", "3"))],
        ["jose_expired", await sign(payload({ exp: now - 30, iat: now - 3600 }), header("RS256"))],
        ["jose_RS512", await sign(payload(), header("RS512"))],
        ["jose_PS256_same_key", await sign(payload(), header("PS256"))],
        ["jose_PS256_other_key", await sign(payload(), header("PS256"), psKey)],
        ["jose_HS256_pem", await sign(payload(), header("HS256"), new TextEncoder().encode(pem))],
        ["jose_HS256_jwks", await sign(payload(), header("HS256"), new TextEncoder().encode(jwks.jose))],
        ["jose_none", new jose.UnsecuredJWT(payload()).encode()],
        ["jose_stt_1", await sign(payload({ stt: 1 }), header("RS256"))],
        ["jose_version_6", await sign(payload(), header("RS256", "6"))],
    ];
    // supertokens-node's verdict on jose's tokens, for the record
    const joseRemote = stJose.createRemoteJWKSet(new URL(`${base}/jose/.well-known/jwks.json`));
    const nodeOnJose = [];
    for (const [name, t] of toks) {
        let v;
        try {
            const info = parseJWTWithoutSignatureVerification(t);
            await getInfoFromAccessToken(info, joseRemote, false);
            v = "accept";
        } catch (e) { v = "reject"; }
        nodeOnJose.push(`${name}\t${v}`);
    }
    fs.writeFileSync(path.join(dir, "jose_tokens.tsv"), toks.map(([n, t]) => `${n}\t${t}`).join("\n") + "\n");
    fs.writeFileSync(path.join(dir, "node_on_jose.tsv"), nodeOnJose.join("\n") + "\n");
    // the JWKS the C side uses is the one served over HTTP
    const served = await (await fetch(`${base}/jose/.well-known/jwks.json`)).text();
    fs.writeFileSync(path.join(dir, "jose_jwks.json"), served);
    server.close();
}

main().catch((e) => { console.error(e); process.exit(1); });
