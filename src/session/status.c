/*
 * status.c — names and messages for session failures.
 *
 * Messages are built only from fixed text, claim names and sanitised
 * header fields; the token itself never reaches them, so the PostgreSQL
 * layer can put any of them in errmsg/errdetail and the server log.
 */
#include "session_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Stable names, indexed by StStatus. */
static const char *const status_names[] = {
	[ST_OK] = "ok",
	[ST_OVERSIZED] = "oversized",
	[ST_MALFORMED] = "malformed",
	[ST_BAD_BASE64] = "bad_base64",
	[ST_BAD_JSON] = "bad_json",
	[ST_DUPLICATE_KEY] = "duplicate_key",
	[ST_WRONG_ALGORITHM] = "wrong_algorithm",
	[ST_BAD_TYPE] = "bad_type",
	[ST_UNSUPPORTED_VERSION] = "unsupported_version",
	[ST_MISSING_KID] = "missing_kid",
	[ST_UNSUPPORTED_CRIT] = "unsupported_crit",
	[ST_UNKNOWN_KID] = "unknown_kid",
	[ST_BAD_SIGNATURE] = "bad_signature",
	[ST_EXPIRED] = "expired",
	[ST_NOT_YET_VALID] = "not_yet_valid",
	[ST_MISSING_CLAIM] = "missing_claim",
	[ST_INVALID_CLAIM] = "invalid_claim",
	[ST_WRONG_TOKEN_TYPE] = "wrong_token_type",
	[ST_WRONG_ISSUER] = "wrong_issuer",
	[ST_SESSION_REVOKED] = "session_revoked",
	[ST_NO_ROLES] = "no_roles",
	[ST_BAD_KEY] = "bad_key",
	[ST_BAD_MAPPING] = "bad_mapping",
	[ST_BAD_ARGUMENT] = "bad_argument",
	[ST_OUT_OF_MEMORY] = "out_of_memory",
	[ST_INTERNAL] = "internal",
};

/* Stable snake_case name of a status. */
const char *
st_status_name(StStatus status)
{
	if ((int) status < 0 ||
		(size_t) status >= sizeof(status_names) / sizeof(status_names[0]) ||
		status_names[status] == NULL)
		return "unknown";
	return status_names[status];
}

/* Whether the token (not the configuration) caused the failure. */
bool
st_status_is_token_failure(StStatus status)
{
	return status >= ST_OVERSIZED && status <= ST_NO_ROLES;
}

/* Records a failure and returns its status. */
StStatus
st_fail(StError *err, Arena *arena, StStatus status, const char *fmt,...)
{
	va_list		ap;
	char		buf[512];

	if (err == NULL)
		return status;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	err->status = status;
	err->message = arena ? arena_strdup(arena, buf) : NULL;
	if (err->message == NULL)
		err->message = st_status_name(status);
	return status;
}

/* A hook's refusal: the same recording as st_fail, exported. */
StStatus
st_session_refuse(StError *err, Arena *arena, StStatus status, const char *fmt,...)
{
	va_list		ap;
	char		buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return st_fail(err, arena, status, "%s", buf);
}

/* Printable, bounded copy of untrusted text for messages. */
const char *
st_sanitize(Arena *arena, const char *text)
{
	size_t		i;
	size_t		len = strlen(text);

	if (len > 64)
		return "(too long to show)";
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) text[i];

		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			return "(unprintable)";
	}
	return text;
}

/* Parses one JSON object, telling duplicate keys from other errors. */
json_t *
st_parse_object(const char *data, size_t len, Arena *arena, const char *what,
				StError *err)
{
	json_error_t jerr;
	json_t	   *value = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);

	if (value == NULL)
	{
		if (json_error_code(&jerr) == json_error_duplicate_key)
			st_fail(err, arena, ST_DUPLICATE_KEY,
					"%s has a duplicate key", what);
		else if (json_error_code(&jerr) == json_error_out_of_memory)
			st_fail(err, arena, ST_OUT_OF_MEMORY, "out of memory parsing %s", what);
		else
			st_fail(err, arena, ST_BAD_JSON, "%s is not valid JSON (at byte %d)",
					what, jerr.position);
		return NULL;
	}
	if (!json_is_object(value))
	{
		json_decref(value);
		st_fail(err, arena, ST_BAD_JSON, "%s is not a JSON object", what);
		return NULL;
	}
	return value;
}
