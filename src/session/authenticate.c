/*
 * authenticate.c — the one call the PostgreSQL layer makes per token.
 *
 * Verification, the caller's database hook (revocation, roles, metadata)
 * and the mapping, with every library object released before returning, so
 * that the caller only ever holds arena text.
 */
#include "session_int.h"

#include <string.h>

/* Verify, consult the hook, and map in one call, leaving only arena text. */
StStatus
st_session_authenticate(const StKeySet *keys, const char *token, size_t len,
						const StVerifyOptions *options,
						const StMapping *mapping,
						const StPrincipalExtras *extras,
						const StSessionHook *hook, Arena *arena,
						StSession *out, StError *err)
{
	StVerified	verified;
	StPrincipalExtras hook_extras;
	StStatus	s;
	StError		local_err;

	if (err == NULL)
		err = &local_err;
	if (out == NULL)
		return st_fail(err, arena, ST_BAD_ARGUMENT, "a result is required");
	memset(out, 0, sizeof(*out));
	if (mapping == NULL)
	{
		mapping = st_mapping_parse(NULL, 0, arena, err);
		if (mapping == NULL)
			return err->status;
	}
	s = st_verify(keys, token, len, options, arena, &verified, err);
	if (s != ST_OK)
		return s;
	if (hook && hook->after_verify)
	{
		if (extras)
			hook_extras = *extras;
		else
			memset(&hook_extras, 0, sizeof(hook_extras));
		err->status = ST_OK;
		err->message = NULL;
		s = hook->after_verify(hook->arg, &verified, arena, &hook_extras, err);
		if (s != ST_OK && err->status != s)
			st_fail(err, arena, s, "the session was refused (%s)", st_status_name(s));
		extras = &hook_extras;
	}
	if (s == ST_OK)
		s = st_principal_build(mapping, &verified, extras, arena,
							   &out->principal_json, &out->claims_json, err);
	if (s == ST_OK)
	{
		out->version = verified.version;
		out->kid = verified.kid;
		out->sub = verified.sub;
		out->session_handle = verified.session_handle;
		out->tenant_id = verified.tenant_id;
		out->recipe_user_id = verified.recipe_user_id;
		out->exp_s = verified.exp_s;
		out->log_label = st_verified_log_label(&verified, arena);
	}
	else
		memset(out, 0, sizeof(*out));
	st_verified_clear(&verified);
	return s;
}
