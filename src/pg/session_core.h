/*
 * session_core.h — reading the SuperTokens core's own tables (session_core.c)
 * for authz_set_session (session_pg.c).
 */
#ifndef AUTHZ_SESSION_CORE_H
#define AUTHZ_SESSION_CORE_H

#include "postgres.h"

#include "session/session.h"

/* The refusal of a token whose session row is gone. */
#define AUTHZ_CORE_REVOKED_MESSAGE "the session has ended or was revoked"

/* What a cached token's core facts look like now (authz_core_recheck). */
typedef enum AuthzCoreCheck
{
	AUTHZ_CORE_SAME,			/* nothing changed: the cached principal holds */
	AUTHZ_CORE_CHANGED,			/* roles, permissions or metadata changed */
	AUTHZ_CORE_REVOKED			/* revocation is checked and the session is gone */
} AuthzCoreCheck;

/*
 * A digest of the core's key rows (and of the settings naming them), or 0
 * when authz.supertokens_schema is empty.  Cheap (no key material is read):
 * a change means the key set must be rebuilt.
 */
extern uint64 authz_core_keys_fingerprint(void);

/* Whether the settings naming the core's tables changed since the last
 * authz_core_keys_fingerprint (so that its value no longer applies). */
extern bool authz_core_config_changed(void);

/* Adds the core's public signing keys (static and dynamic) to keys. */
extern void authz_core_add_keys(StKeySet *keys);

/*
 * st_session_authenticate with the core's facts: verifies the token, then
 * (revocation on) refuses it with ST_SESSION_REVOKED when its session row is
 * gone, and adds the user's roles, permissions and metadata.  *digest
 * identifies the facts used, for authz_core_recheck.
 */
extern StStatus authz_core_authenticate(const StKeySet *keys, const char *token,
										size_t len, const StVerifyOptions *options,
										const StMapping *mapping, Arena *arena,
										StSession *out, uint64 *digest,
										StError *err);

/*
 * Reads a cached token's facts again and compares them with digest; in the
 * same read, *fingerprint receives authz_core_keys_fingerprint's value.
 */
extern AuthzCoreCheck authz_core_recheck(const char *sub, const char *tenant,
										 const char *session_handle, uint64 digest,
										 uint64 *fingerprint);

#endif							/* AUTHZ_SESSION_CORE_H */
