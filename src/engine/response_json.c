/*
 * response_json.c — the body Cerbos returns for POST /api/check/resources.
 *
 * Field for field as protojson prints CheckResourcesResponse: requestId,
 * then per resource {resource {id, kind, policyVersion, scope}, actions
 * {action: EFFECT_ALLOW|EFFECT_DENY}, validationErrors [{path, message,
 * source}], meta {actions {a: {matchedPolicy,
 * matchedScope}}, effectiveDerivedRoles} when includeMeta, outputs [{src,
 * val, action, error}]}.  Empty strings and empty lists are omitted, as protojson
 * omits default values; cerbosCallId is not produced.
 */
#include "engine_int.h"
#include "../cel/cel_strbuf.h"

#include <stdlib.h>
#include <string.h>

/*
 * The body is written straight into one arena buffer.  It used to be built
 * as a jansson tree and dumped, which cost more than deciding: a node and a
 * hash table per object, all of it malloc'd and freed again per request.
 * The text is the same byte for byte as jansson's compact dump: keys in
 * the order written, strings escaped as jansson escapes them, and a string
 * jansson would refuse (not UTF-8) left out with its key, as before.
 */
typedef struct ResponseWriter
{
	CelStrBuf	sb;
	bool		first;			/* no member written yet in the open object */
} ResponseWriter;

/* A JSON string literal, escaped as jansson's dump escapes it. */
static void
put_string(CelStrBuf *sb, const char *s)
{
	cel_strbuf_json_string(sb, s, strlen(s), false);
}

/* Whether jansson would take s as a string value. */
static bool
is_json_string(const char *s)
{
	return s != NULL && cel_utf8_valid(s, strlen(s));
}

/* Opens an object (or array) and notes that it has no member yet. */
static void
open_container(ResponseWriter *w, char bracket)
{
	cel_strbuf_putc(&w->sb, bracket);
	w->first = true;
}

/* Closes the open object (or array); what follows is not its first member. */
static void
close_container(ResponseWriter *w, char bracket)
{
	cel_strbuf_putc(&w->sb, bracket);
	w->first = false;
}

/* The separator before a member or element. */
static void
next_item(ResponseWriter *w)
{
	if (!w->first)
		cel_strbuf_putc(&w->sb, ',');
	w->first = false;
}

/* "key": and leaves the value to the caller. */
static void
put_key(ResponseWriter *w, const char *key)
{
	next_item(w);
	put_string(&w->sb, key);
	cel_strbuf_putc(&w->sb, ':');
}

/* "key":"value" when jansson would have stored value. */
static void
put_member(ResponseWriter *w, const char *key, const char *value)
{
	if (!is_json_string(key) || !is_json_string(value))
		return;
	put_key(w, key);
	put_string(&w->sb, value);
}

/* The same, but only when value is not empty (protojson omits defaults). */
static void
put_nonempty(ResponseWriter *w, const char *key, const char *value)
{
	if (value != NULL && value[0] != '\0')
		put_member(w, key, value);
}

/* An output's value: CEL to JSON, dumped as jansson dumps it. */
static void
put_output_value(ResponseWriter *w, CelValue val)
{
	json_t	   *v = engine_cel_to_json(val, 0);
	char	   *text = v ? json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY) : NULL;

	json_decref(v);
	put_key(w, "val");
	if (text != NULL)
		cel_strbuf_puts(&w->sb, text);
	else
		put_string(&w->sb, "<failed to convert evaluation to protobuf value>");
	free(text);
}

/* One entry of results[]. */
static void
put_result(ResponseWriter *w, const ERequest *req, const EResult *r)
{
	const EResource *rs = &r->entry->resource;
	int			i;

	open_container(w, '{');
	put_key(w, "resource");
	open_container(w, '{');
	put_member(w, "id", rs->id);
	put_member(w, "kind", rs->kind);
	put_nonempty(w, "policyVersion", rs->policy_version);
	put_nonempty(w, "scope", rs->scope);
	close_container(w, '}');
	put_key(w, "actions");
	open_container(w, '{');
	for (i = 0; i < r->entry->nactions; i++)
		put_member(w, r->actions[i].action,
				   r->actions[i].effect == ENGINE_EFFECT_ALLOW ? "EFFECT_ALLOW" : "EFFECT_DENY");
	close_container(w, '}');
	if (r->nvalidation_errors > 0)
	{
		put_key(w, "validationErrors");
		open_container(w, '[');
		for (i = 0; i < r->nvalidation_errors; i++)
		{
			next_item(w);
			open_container(w, '{');
			put_member(w, "path", r->validation_errors[i].path);
			put_member(w, "message", r->validation_errors[i].message);
			put_member(w, "source", r->validation_errors[i].source);
			close_container(w, '}');
		}
		close_container(w, ']');
	}
	if (req->include_meta)
	{
		put_key(w, "meta");
		open_container(w, '{');
		put_key(w, "actions");
		open_container(w, '{');
		for (i = 0; i < r->entry->nactions; i++)
		{
			if (!is_json_string(r->actions[i].action))
				continue;
			put_key(w, r->actions[i].action);
			open_container(w, '{');
			put_nonempty(w, "matchedPolicy", r->actions[i].policy);
			put_nonempty(w, "matchedScope", r->actions[i].scope);
			close_container(w, '}');
		}
		close_container(w, '}');
		if (r->nderived_roles > 0)
		{
			put_key(w, "effectiveDerivedRoles");
			open_container(w, '[');
			for (i = 0; i < r->nderived_roles; i++)
			{
				if (!is_json_string(r->derived_roles[i]))
					continue;
				next_item(w);
				put_string(&w->sb, r->derived_roles[i]);
			}
			close_container(w, ']');
		}
		close_container(w, '}');
	}
	if (r->noutputs > 0)
	{
		put_key(w, "outputs");
		open_container(w, '[');
		for (i = 0; i < r->noutputs; i++)
		{
			const EOutputEntry *e = &r->outputs[i];

			next_item(w);
			open_container(w, '{');
			put_member(w, "src", e->src);
			if (e->has_val)
				put_output_value(w, e->val);
			put_member(w, "action", e->action);
			if (e->error != NULL)
				put_member(w, "error", e->error);
			close_container(w, '}');
		}
		close_container(w, ']');
	}
	close_container(w, '}');
}

/* The response body as JSON text in the arena (NULL on failure). */
char *
engine_encode_response(Arena *arena, const ERequest *req, const EResult *results)
{
	ResponseWriter w;
	int			i;

	memset(&w, 0, sizeof(w));
	w.sb.arena = arena;
	open_container(&w, '{');
	put_nonempty(&w, "requestId", req->request_id);
	put_key(&w, "results");
	open_container(&w, '[');
	for (i = 0; i < req->nresources; i++)
	{
		next_item(&w);
		put_result(&w, req, &results[i]);
	}
	close_container(&w, ']');
	close_container(&w, '}');
	if (w.sb.failed || w.sb.too_long)
		return NULL;
	return w.sb.data;
}
