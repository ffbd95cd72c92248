/*
 * decode_common.c — reading test-suite fields from PNode trees.
 *
 * Test suites and fixtures are protobuf messages that Cerbos reads with
 * protojson, so a field may be spelled in camelCase or snake_case, unknown
 * fields are rejected and scalars must have the right YAML type.  Every
 * problem is recorded with the node's position and decoding carries on, so
 * one pass reports every mistake in a file.
 */
#include "ts_int.h"
#include "../cel/cel_time.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Records one problem at a node's position. */
void
ts_error(TsDec *d, const PNode *at, const char *fmt,...)
{
	char		buf[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	diag_add(d->diags, d->file, at ? at->line : 0, at ? at->column : 0, "%s", buf);
	d->failed = true;
}

/* Whether a map key names a field, in either spelling. */
bool
ts_key_is(const PNode *key, const char *camel, const char *snake)
{
	return strcmp(key->text, camel) == 0 || (snake != NULL && strcmp(key->text, snake) == 0);
}

/* A mapping, or an error naming what was expected. */
bool
ts_expect_map(TsDec *d, const PNode *n, const char *what)
{
	if (n != NULL && n->kind == PNODE_MAP)
		return true;
	ts_error(d, n, "%s: expected a mapping, got %s", what, pnode_type_name(n));
	return false;
}

/* A string scalar ("" and an error otherwise). */
const char *
ts_get_string(TsDec *d, const PNode *n, const char *what)
{
	if (n != NULL && n->kind == PNODE_SCALAR && !pnode_is_null(n))
	{
		const char *t = pnode_type_name(n);

		/* protojson takes numbers for strings nowhere; YAML numbers are not strings */
		if (!n->plain || strcmp(t, "String") == 0)
			return arena_strndup(d->arena, n->text, n->len);
	}
	if (pnode_is_null(n))
		return "";
	ts_error(d, n, "%s: expected a string, got %s", what, pnode_type_name(n));
	return "";
}

/* A boolean scalar. */
bool
ts_get_bool(TsDec *d, const PNode *n, const char *what)
{
	if (n != NULL && strcmp(pnode_type_name(n), "Bool") == 0)
		return n->text[0] == 't' || n->text[0] == 'T';
	if (pnode_is_null(n))
		return false;
	ts_error(d, n, "%s: expected a boolean, got %s", what, pnode_type_name(n));
	return false;
}

/* A sequence of non-empty, distinct strings. */
void
ts_get_names(TsDec *d, const PNode *n, const char *what, TsNames *out)
{
	int			i,
				j;

	memset(out, 0, sizeof(*out));
	if (pnode_is_null(n))
		return;
	if (n->kind != PNODE_SEQ)
	{
		ts_error(d, n, "%s: expected a sequence, got %s", what, pnode_type_name(n));
		return;
	}
	out->items = arena_alloc0(d->arena, sizeof(char *) * (n->count + 1));
	if (out->items == NULL)
		return;
	for (i = 0; i < n->count; i++)
	{
		const char *s = ts_get_string(d, n->values[i], what);

		if (s[0] == '\0')
		{
			ts_error(d, n->values[i], "%s: value length must be at least 1 characters", what);
			continue;
		}
		for (j = 0; j < out->count; j++)
			if (strcmp(out->items[j], s) == 0)
				break;
		if (j < out->count)
		{
			ts_error(d, n->values[i], "%s: repeated value \"%s\": values must be unique", what, s);
			continue;
		}
		out->items[out->count++] = s;
	}
}

/* An unknown field. */
void
ts_unknown_field(TsDec *d, const PNode *key, const char *where)
{
	ts_error(d, key, "%s: unknown field \"%s\"", where, key->text);
}

/* Starts a name -> node map for a mapping node. */
static bool
map_start(TsDec *d, const PNode *n, const char *what, TsMap *out)
{
	memset(out, 0, sizeof(*out));
	if (pnode_is_null(n))
		return false;
	if (!ts_expect_map(d, n, what))
		return false;
	out->names = arena_alloc0(d->arena, sizeof(char *) * (n->count + 1));
	out->nodes = arena_alloc0(d->arena, sizeof(PNode *) * (n->count + 1));
	return out->names != NULL && out->nodes != NULL;
}

/* Validates one principal: id and roles required, as enginev1.Principal. */
static void
check_principal(TsDec *d, const char *name, const PNode *p)
{
	bool		has_id = false,
				has_roles = false;
	int			i;
	char	   *what = arena_printf(d->arena, "principals.%s", name);

	if (!ts_expect_map(d, p, what))
		return;
	for (i = 0; i < p->count; i++)
	{
		const PNode *k = p->keys[i];
		const PNode *v = p->values[i];

		if (ts_key_is(k, "id", NULL))
			has_id = ts_get_string(d, v, arena_printf(d->arena, "%s.id", what))[0] != '\0';
		else if (ts_key_is(k, "roles", NULL))
		{
			TsNames		roles;

			ts_get_names(d, v, arena_printf(d->arena, "%s.roles", what), &roles);
			has_roles = roles.count > 0;
		}
		else if (ts_key_is(k, "attr", NULL))
		{
			if (!pnode_is_null(v))
				ts_expect_map(d, v, arena_printf(d->arena, "%s.attr", what));
		}
		else if (ts_key_is(k, "policyVersion", "policy_version") || ts_key_is(k, "scope", NULL))
			ts_get_string(d, v, arena_printf(d->arena, "%s.%s", what, k->text));
		else
			ts_unknown_field(d, k, what);
	}
	if (!has_id)
		ts_error(d, p, "%s.id: value length must be at least 1 characters", what);
	if (!has_roles)
		ts_error(d, p, "%s.roles: value must contain at least 1 item(s)", what);
}

/* Validates one resource: kind and id required, as enginev1.Resource. */
static void
check_resource(TsDec *d, const char *name, const PNode *r)
{
	bool		has_id = false,
				has_kind = false;
	int			i;
	char	   *what = arena_printf(d->arena, "resources.%s", name);

	if (!ts_expect_map(d, r, what))
		return;
	for (i = 0; i < r->count; i++)
	{
		const PNode *k = r->keys[i];
		const PNode *v = r->values[i];

		if (ts_key_is(k, "id", NULL))
			has_id = ts_get_string(d, v, arena_printf(d->arena, "%s.id", what))[0] != '\0';
		else if (ts_key_is(k, "kind", NULL))
			has_kind = ts_get_string(d, v, arena_printf(d->arena, "%s.kind", what))[0] != '\0';
		else if (ts_key_is(k, "attr", NULL))
		{
			if (!pnode_is_null(v))
				ts_expect_map(d, v, arena_printf(d->arena, "%s.attr", what));
		}
		else if (ts_key_is(k, "policyVersion", "policy_version") || ts_key_is(k, "scope", NULL))
			ts_get_string(d, v, arena_printf(d->arena, "%s.%s", what, k->text));
		else
			ts_unknown_field(d, k, what);
	}
	if (!has_id)
		ts_error(d, r, "%s.id: value length must be at least 1 characters", what);
	if (!has_kind)
		ts_error(d, r, "%s.kind: value length must be at least 1 characters", what);
}

/* principals: {name: Principal}. */
void
ts_decode_principals(TsDec *d, const PNode *n, TsMap *out)
{
	int			i;

	if (!map_start(d, n, "principals", out))
		return;
	for (i = 0; i < n->count; i++)
	{
		check_principal(d, n->keys[i]->text, n->values[i]);
		out->names[out->count] = n->keys[i]->text;
		out->nodes[out->count++] = n->values[i];
	}
}

/* resources: {name: Resource}. */
void
ts_decode_resources(TsDec *d, const PNode *n, TsMap *out)
{
	int			i;

	if (!map_start(d, n, "resources", out))
		return;
	for (i = 0; i < n->count; i++)
	{
		check_resource(d, n->keys[i]->text, n->values[i]);
		out->names[out->count] = n->keys[i]->text;
		out->nodes[out->count++] = n->values[i];
	}
}

/* principalGroups / resourceGroups: {name: {principals|resources: [names]}}. */
void
ts_decode_groups(TsDec *d, const PNode *n, const char *member_field, TsMap *out)
{
	int			i,
				j;

	if (!map_start(d, n, "groups", out))
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *g = n->values[i];
		const PNode *members = NULL;
		const char *what = arena_printf(d->arena, "groups.%s", n->keys[i]->text);

		if (!ts_expect_map(d, g, what))
			continue;
		for (j = 0; j < g->count; j++)
		{
			if (ts_key_is(g->keys[j], member_field, NULL))
				members = g->values[j];
			else
				ts_unknown_field(d, g->keys[j], what);
		}
		if (members == NULL || members->kind != PNODE_SEQ || members->count == 0)
		{
			ts_error(d, g, "%s.%s: value must contain at least 1 item(s)", what, member_field);
			continue;
		}
		{
			TsNames		names;
			bool		failed_before = d->failed;

			/* a group is kept only when every member is a name */
			d->failed = false;
			ts_get_names(d, members, arena_printf(d->arena, "%s.%s", what, member_field), &names);
			if (d->failed || names.count != members->count)
			{
				d->failed = true;
				continue;
			}
			d->failed = failed_before;
		}
		out->names[out->count] = n->keys[i]->text;
		out->nodes[out->count++] = members;
	}
}

/* auxData: {name: {jwt: {claim: value}}}. */
void
ts_decode_aux_data(TsDec *d, const PNode *n, TsMap *out)
{
	int			i,
				j;

	if (!map_start(d, n, "auxData", out))
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *a = n->values[i];
		const char *what = arena_printf(d->arena, "auxData.%s", n->keys[i]->text);

		if (!pnode_is_null(a) && ts_expect_map(d, a, what))
		{
			for (j = 0; j < a->count; j++)
			{
				if (ts_key_is(a->keys[j], "jwt", NULL))
				{
					if (!pnode_is_null(a->values[j]))
						ts_expect_map(d, a->values[j], arena_printf(d->arena, "%s.jwt", what));
				}
				else
					ts_unknown_field(d, a->keys[j], what);
			}
		}
		out->names[out->count] = n->keys[i]->text;
		out->nodes[out->count++] = a;
	}
}

/*
 * options: now, lenientScopeSearch, globals, defaultPolicyVersion,
 * defaultScope, strictEvaluation.
 */
void
ts_decode_options(TsDec *d, const PNode *n, TsOptions *out)
{
	int			i;

	memset(out, 0, sizeof(*out));
	out->default_policy_version = "";
	out->default_scope = "";
	if (pnode_is_null(n) || !ts_expect_map(d, n, "options"))
		return;
	out->present = true;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (ts_key_is(k, "now", NULL))
		{
			const char *s = ts_get_string(d, v, "options.now");
			int32_t		offset;

			if (s[0] == '\0')
				continue;
			if (cel_timestamp_parse_raw(s, strlen(s), &out->now_sec, &out->now_nsec, &offset) == 0)
				out->has_now = true;
			else
				ts_error(d, v, "options.now: invalid RFC 3339 timestamp \"%s\"", s);
		}
		else if (ts_key_is(k, "lenientScopeSearch", "lenient_scope_search"))
			out->lenient_scope_search = ts_get_bool(d, v, "options.lenientScopeSearch");
		else if (ts_key_is(k, "globals", NULL))
		{
			json_t	   *g;

			if (pnode_is_null(v) || !ts_expect_map(d, v, "options.globals"))
				continue;
			g = ts_pnode_to_json(v, 0);
			if (g == NULL)
			{
				ts_error(d, v, "options.globals: value cannot be represented in JSON");
				continue;
			}
			out->globals_json = ts_json_text(d->arena, g);
			json_decref(g);
		}
		else if (ts_key_is(k, "defaultPolicyVersion", "default_policy_version"))
			out->default_policy_version = ts_get_string(d, v, "options.defaultPolicyVersion");
		else if (ts_key_is(k, "defaultScope", "default_scope"))
			out->default_scope = ts_get_string(d, v, "options.defaultScope");
		else if (ts_key_is(k, "strictEvaluation", "strict_evaluation"))
			out->strict_evaluation = ts_get_bool(d, v, "options.strictEvaluation");
		else
			ts_unknown_field(d, k, "options");
	}
}

/* The node of a name in a map, or NULL. */
const PNode *
ts_map_get(const TsMap *map, const char *name)
{
	int			i;

	for (i = 0; i < map->count; i++)
		if (strcmp(map->names[i], name) == 0)
			return map->nodes[i];
	return NULL;
}
