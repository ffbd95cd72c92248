/*
 * decode.c — PNode trees into Policy structures, as Cerbos decodes them.
 *
 * Cerbos reads a policy document with protobuf's JSON rules: a field may be
 * spelt as its JSON name (camelCase) or its proto name (snake_case), an
 * unknown field is an error, enums are names or numbers, and a oneof may be
 * set only once.  It then applies the protovalidate rules of policy.proto
 * (required fields, name patterns, unique list items) and a few checks of
 * its own (unique rule and definition names).  This file does the same in
 * one pass and reports each problem at the node it concerns, with the
 * field path Cerbos prints ("resourcePolicy.rules[0].effect: ...").
 *
 * Decoding keeps going after an error so that one load reports everything;
 * the caller discards the document if any diagnostic was added.
 */
#include "policy.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MATCH_DEPTH 100

typedef struct Dec
{
	Arena	   *arena;
	const char *file;
	DiagList   *diags;
	bool		failed;
} Dec;

/* Records an error at a node (or at a fallback position). */
static void
dec_error(Dec *d, int line, int column, const char *fmt, const char *a,
		  const char *b)
{
	char		buf[600];

	snprintf(buf, sizeof(buf), fmt, a ? a : "", b ? b : "");
	diag_add(d->diags, d->file, line, column, "%s", buf);
	d->failed = true;
}

#define ERR_AT(d, n, fmt, a, b) dec_error((d), (n)->line, (n)->column, (fmt), (a), (b))

/* Whether a key is the snake_case proto name or its camelCase JSON name. */
static bool
key_is(const PNode *key, const char *snake)
{
	const char *k = key->text;
	const char *s;

	if (strcmp(k, snake) == 0)
		return true;
	for (s = snake; *s; s++, k++)
	{
		if (*s == '_' && s[1] != '\0')
		{
			s++;
			if (*k != toupper((unsigned char) *s))
				return false;
		}
		else if (*k != *s)
			return false;
	}
	return *k == '\0';
}

/* Child path "parent.field" (or "field" at the top). */
static const char *
subpath(Dec *d, const char *parent, const char *field)
{
	if (parent == NULL || *parent == '\0')
		return field;
	return arena_printf(d->arena, "%s.%s", parent, field);
}

/* Child path "parent[i]". */
static const char *
itempath(Dec *d, const char *parent, int i)
{
	return arena_printf(d->arena, "%s[%d]", parent, i);
}

/* Reports a key the message does not have. */
static void
unknown_field(Dec *d, const PNode *key)
{
	ERR_AT(d, key, "unknown field \"%s\"", key->text, NULL);
}

/* A protobuf message must be a mapping (null is refused, as Cerbos does). */
static bool
expect_map(Dec *d, const PNode *n)
{
	if (n != NULL && n->kind == PNODE_MAP)
		return true;
	if (n != NULL)
		ERR_AT(d, n, "expected object got %s", pnode_type_name(n), NULL);
	return false;
}

/* A protobuf map field must be a mapping too, with Cerbos' other wording. */
static bool
expect_dict(Dec *d, const PNode *n)
{
	if (n != NULL && n->kind == PNODE_MAP)
		return true;
	if (n != NULL)
		ERR_AT(d, n, "expected map got %s", pnode_type_name(n), NULL);
	return false;
}

/* A scalar as a string; null is the empty string. */
static void
get_string(Dec *d, const PNode *key, const PNode *v, PStr *out)
{
	out->present = true;
	out->pos.line = key->line;
	out->pos.column = key->column;
	out->value_pos.line = v ? v->line : key->line;
	out->value_pos.column = v ? v->column : key->column;
	if (pnode_is_null(v))
	{
		out->s = "";
		return;
	}
	/* Cerbos' reader turns integers and booleans into strings, not floats */
	if (v->kind != PNODE_SCALAR || strcmp(pnode_type_name(v), "Float") == 0)
	{
		ERR_AT(d, v, "expected string value got %s", pnode_type_name(v), NULL);
		out->s = "";
		return;
	}
	out->s = v->text;
}

/* A scalar string field without its position. */
static const char *
get_plain_string(Dec *d, const PNode *key, const PNode *v)
{
	PStr		s;

	get_string(d, key, v, &s);
	return s.s;
}

/* A CEL expression: its text and the position of its value. */
static void
get_expr(Dec *d, const PNode *key, const PNode *v, PExpr *out)
{
	PStr		s;

	get_string(d, key, v, &s);
	out->text = s.s;
	out->pos.line = v ? v->line : key->line;
	out->pos.column = v ? v->column : key->column;
	out->content.line = v ? v->content_line : key->line;
	out->content.column = v ? v->content_column : key->column;
	out->block = v ? v->block : false;
}

/* Maps a 1-based line:column inside an expression's text to the file. */
PPos
pexpr_file_position(const PExpr *expr, int line, int column)
{
	PPos		p;

	p.line = expr->content.line + (line > 1 ? line - 1 : 0);
	if (line <= 1)
		p.column = expr->content.column + (column > 1 ? column - 1 : 0);
	else if (expr->block)
		p.column = expr->content.column + (column > 1 ? column - 1 : 0);
	else
		p.column = column;		/* a folded flow scalar: best effort */
	return p;
}

/* A boolean field: true/false in YAML 1.2 core spellings only. */
static bool
get_bool(Dec *d, const PNode *v)
{
	if (v->kind == PNODE_SCALAR && v->plain && !pnode_is_null(v))
	{
		if (strcmp(v->text, "true") == 0 || strcmp(v->text, "True") == 0 ||
			strcmp(v->text, "TRUE") == 0)
			return true;
		if (strcmp(v->text, "false") == 0 || strcmp(v->text, "False") == 0 ||
			strcmp(v->text, "FALSE") == 0)
			return false;
	}
	ERR_AT(d, v, "expected boolean value got %s", pnode_type_name(v), NULL);
	return false;
}

#define ENUM_INVALID INT_MIN

/* An enum by name or number; ENUM_INVALID when invalid (reported). */
static int
get_enum(Dec *d, const PNode *v, const char *const *names, int nnames)
{
	int			i;

	if (pnode_is_null(v))
		return 0;
	if (v->kind != PNODE_SCALAR)
	{
		ERR_AT(d, v, "expected enum value got %s", pnode_type_name(v), NULL);
		return ENUM_INVALID;
	}
	for (i = 0; i < nnames; i++)
		if (strcmp(v->text, names[i]) == 0)
			return i;
	if (v->plain && v->len > 0 && v->len < 10)
	{
		char	   *end;
		long		n = strtol(v->text, &end, 10);

		if (*end == '\0')
			return (int) n;
	}
	ERR_AT(d, v, "invalid enum value \"%s\"", v->text, NULL);
	return ENUM_INVALID;
}

/* A sequence of strings. */
static void
get_strlist(Dec *d, const PNode *key, const PNode *v, PStrList *out)
{
	int			i;

	out->present = true;
	out->pos.line = key->line;
	out->pos.column = key->column;
	if (v == NULL || v->kind != PNODE_SEQ)
	{
		ERR_AT(d, v ? v : key, "expected sequence got %s", pnode_type_name(v), NULL);
		out->bad_type = true;
		return;
	}
	out->items = arena_alloc0(d->arena, sizeof(PStr) * (v->count + 1));
	out->count = 0;				/* a second spelling of the field replaces the first */
	if (out->items == NULL)
		return;
	for (i = 0; i < v->count; i++)
	{
		get_string(d, v->values[i], v->values[i], &out->items[i]);
		/* a non-string item is reported; keep the "" invariant for checks */
		if (out->items[i].s == NULL)
			out->items[i].s = "";
		out->count++;
	}
}

/* Checks a sequence has no repeated items. */
static void
check_unique(Dec *d, const PStrList *list, const char *path)
{
	int			i,
				j;

	for (i = 1; i < list->count; i++)
		for (j = 0; j < i; j++)
			/* items that were not strings are already reported and have no text */
			if (list->items[i].s != NULL && list->items[j].s != NULL &&
				strcmp(list->items[i].s, list->items[j].s) == 0)
			{
				dec_error(d, list->pos.line, list->pos.column,
						  "%s: repeated value must contain unique items", path, NULL);
				return;
			}
}

/* A missing or empty required field: Cerbos prints only the path. */
static void
required(Dec *d, const PNode *where, const char *path)
{
	dec_error(d, where ? where->line : 0, where ? where->column : 0,
			  "%s: value is required", path, NULL);
}

/* A required list that is absent or empty; reported at its key, or at the
 * mapping that lacks it.  A list of the wrong type was reported already. */
static void
required_list(Dec *d, const PStrList *list, const PNode *map, const char *path)
{
	if (list->bad_type)
		return;
	if (list->present)
		dec_error(d, list->pos.line, list->pos.column, "%s: value is required", path, NULL);
	else
		required(d, map, path);
}

/* Reports a value that does not match its policy.proto pattern. */
static void
pattern_error(Dec *d, PPos pos, const char *path, const char *pattern)
{
	dec_error(d, pos.line, pos.column,
			  "%s: does not match regex pattern `%s`", path, pattern);
}

#define PAT_RESOURCE "^[^!*?\\[\\]{}]+$"
#define PAT_VERSION "^[\\w]+$"
#define PAT_VERSION_OPT "^[\\w]*$"
#define PAT_IDENT "^[\\w\\-\\.]+$"
#define PAT_SCOPE "^(^$|\\.|[0-9a-zA-Z][\\w\\-]*(\\.\\w[\\w\\-]*)*)$"
#define PAT_RULE_NAME "^([a-zA-Z][\\w\\@\\.\\-]*)*$"

/* Checks every item against the ident pattern and uniqueness. */
static void
check_ident_list(Dec *d, const PStrList *list, const char *path)
{
	int			i;

	check_unique(d, list, path);
	for (i = 0; i < list->count; i++)
		if (!policy_valid_ident(list->items[i].s))
			pattern_error(d, list->items[i].pos, itempath(d, path, i), PAT_IDENT);
}

/* Checks every item is non-empty and unique. */
static void
check_nonempty_list(Dec *d, const PStrList *list, const char *path)
{
	int			i;

	check_unique(d, list, path);
	for (i = 0; i < list->count; i++)
		if (list->items[i].s[0] == '\0')
			dec_error(d, list->items[i].pos.line, list->items[i].pos.column,
					  "%s: must be at least 1 characters",
					  itempath(d, path, i), NULL);
}

static const char *const effect_names[] = {
	"EFFECT_UNSPECIFIED", "EFFECT_ALLOW", "EFFECT_DENY", "EFFECT_NO_MATCH"
};

static const char *const scope_permission_names[] = {
	"SCOPE_PERMISSIONS_UNSPECIFIED", "SCOPE_PERMISSIONS_OVERRIDE_PARENT",
	"SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS"
};

/* ---------- conditions and outputs ---------- */

static void decode_match(Dec *d, const PNode *n, PMatch *out, const char *path, int depth);

/* ExprList: {of: [Match...]} */
static void
decode_expr_list(Dec *d, const PNode *n, PMatch *out, const char *path, int depth)
{
	int			i;
	const PNode *of = NULL;

	if (!expect_map(d, n))
		return;
	for (i = 0; i < n->count; i++)
	{
		if (key_is(n->keys[i], "of"))
			of = n->values[i];
		else
			unknown_field(d, n->keys[i]);
	}
	path = subpath(d, path, "of");
	if (of != NULL && !pnode_is_null(of) && of->kind != PNODE_SEQ)
	{
		ERR_AT(d, of, "expected sequence got %s", pnode_type_name(of), NULL);
		return;
	}
	if (of == NULL || pnode_is_null(of) || of->count == 0)
	{
		if (of && !pnode_is_null(of))
		{
			/* the key's position is what Cerbos reports */
			for (i = 0; i < n->count; i++)
				if (n->values[i] == of)
					required(d, n->keys[i], path);
		}
		else
			required(d, n, path);
		return;
	}
	out->of = arena_alloc0(d->arena, sizeof(PMatch) * of->count);
	if (out->of == NULL)
		return;
	out->nof = of->count;
	for (i = 0; i < of->count; i++)
		decode_match(d, of->values[i], &out->of[i], itempath(d, path, i), depth + 1);
}

/* Match: exactly one of expr, all, any, none. */
static void
decode_match(Dec *d, const PNode *n, PMatch *out, const char *path, int depth)
{
	const PNode *set_at = NULL;
	int			errors_before = d->diags->count + d->diags->dropped;
	int			i;

	out->pos.line = n ? n->line : 0;
	out->pos.column = n ? n->column : 0;
	if (depth > MAX_MATCH_DEPTH)
	{
		ERR_AT(d, n, "conditions nested deeper than %s levels", "100", NULL);
		return;
	}
	if (!expect_map(d, n))
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];
		PMatchOp	op;

		if (key_is(k, "expr"))
			op = PMATCH_EXPR;
		else if (key_is(k, "all"))
			op = PMATCH_ALL;
		else if (key_is(k, "any"))
			op = PMATCH_ANY;
		else if (key_is(k, "none"))
			op = PMATCH_NONE;
		else
		{
			unknown_field(d, k);
			continue;
		}
		if (set_at != NULL)
		{
			char		at[32];

			snprintf(at, sizeof(at), "%d:%d", set_at->line, set_at->column);
			ERR_AT(d, k, "invalid value: oneof field is already set at [%s]", at, NULL);
			continue;
		}
		set_at = k;
		out->op = op;
		if (op == PMATCH_EXPR)
			get_expr(d, k, v, &out->expr);
		else
			decode_expr_list(d, v, out, subpath(d, path, k->text), depth);
	}
	if (set_at == NULL && d->diags->count + d->diags->dropped == errors_before)
		dec_error(d, n->line, n->column,
				  "%s: exactly one field is required in oneof", subpath(d, path, "op"), NULL);
}

/* Condition: match or the deprecated script. */
static PCondition *
decode_condition(Dec *d, const PNode *n, const char *path)
{
	PCondition *c;
	const PNode *set_at = NULL;
	int			errors_before = d->diags->count + d->diags->dropped;
	int			i;

	if (!expect_map(d, n))
		return NULL;
	c = arena_alloc0(d->arena, sizeof(PCondition));
	if (c == NULL || !expect_map(d, n))
		return c;
	c->pos.line = n->line;
	c->pos.column = n->column;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];
		bool		is_match = key_is(k, "match");

		if (!is_match && !key_is(k, "script"))
		{
			unknown_field(d, k);
			continue;
		}
		if (set_at != NULL)
		{
			char		at[32];

			snprintf(at, sizeof(at), "%d:%d", set_at->line, set_at->column);
			ERR_AT(d, k, "invalid value: oneof field is already set at [%s]", at, NULL);
			continue;
		}
		set_at = k;
		if (is_match)
		{
			c->match = arena_alloc0(d->arena, sizeof(PMatch));
			if (c->match)
				decode_match(d, v, c->match, subpath(d, path, "match"), 0);
		}
		else
		{
			c->has_script = true;
			get_expr(d, k, v, &c->script);
			/* Cerbos reports scripts at the condition's key */
		}
	}
	if (set_at == NULL && d->diags->count + d->diags->dropped == errors_before)
		dec_error(d, n->line, n->column,
				  "%s: exactly one field is required in oneof", path, NULL);
	return c;
}

/* Output: expr (deprecated) and when.{ruleActivated, conditionNotMet}. */
static POutput *
decode_output(Dec *d, const PNode *n)
{
	POutput    *o;
	int			i,
				j;

	if (!expect_map(d, n))
		return NULL;
	o = arena_alloc0(d->arena, sizeof(POutput));
	if (o == NULL || !expect_map(d, n))
		return o;
	o->pos.line = n->line;
	o->pos.column = n->column;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (key_is(k, "expr"))
		{
			o->has_expr = true;
			get_expr(d, k, v, &o->expr);
		}
		else if (key_is(k, "when"))
		{
			if (!expect_map(d, v))
				continue;
			for (j = 0; j < v->count; j++)
			{
				const PNode *wk = v->keys[j];

				if (key_is(wk, "rule_activated"))
				{
					o->has_rule_activated = true;
					get_expr(d, wk, v->values[j], &o->rule_activated);
				}
				else if (key_is(wk, "condition_not_met"))
				{
					o->has_condition_not_met = true;
					get_expr(d, wk, v->values[j], &o->condition_not_met);
				}
				else
					unknown_field(d, wk);
			}
		}
		else
			unknown_field(d, k);
	}
	return o;
}

/* ---------- variables, constants, schemas, metadata ---------- */

/* map<string, string> of CEL definitions. */
static void
decode_var_map(Dec *d, const PNode *n, PVarDef **out, int *count)
{
	int			i;

	*out = NULL;
	*count = 0;
	if (!expect_dict(d, n))
		return;
	*out = arena_alloc0(d->arena, sizeof(PVarDef) * (n->count + 1));
	if (*out == NULL)
		return;
	for (i = 0; i < n->count; i++)
	{
		PVarDef    *v = &(*out)[(*count)++];

		v->name = n->keys[i]->text;
		v->name_pos.line = n->keys[i]->line;
		v->name_pos.column = n->keys[i]->column;
		get_expr(d, n->keys[i], n->values[i], &v->expr);
	}
}

/* map<string, google.protobuf.Value>: any value. */
static void
decode_const_map(Dec *d, const PNode *n, PConstDef **out, int *count)
{
	int			i;

	*out = NULL;
	*count = 0;
	if (!expect_dict(d, n))
		return;
	*out = arena_alloc0(d->arena, sizeof(PConstDef) * (n->count + 1));
	if (*out == NULL)
		return;
	for (i = 0; i < n->count; i++)
	{
		PConstDef  *c = &(*out)[(*count)++];

		c->name = n->keys[i]->text;
		c->name_pos.line = n->keys[i]->line;
		c->name_pos.column = n->keys[i]->column;
		c->value = n->values[i];
	}
}

/* Variables: {import: [...], local: {...}} */
static void
decode_variables(Dec *d, const PNode *key, const PNode *n, PVariables *out,
				 const char *path)
{
	int			i;

	out->present = true;
	out->pos.line = key->line;
	out->pos.column = key->column;
	if (!expect_map(d, n))
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];

		if (key_is(k, "import"))
		{
			get_strlist(d, k, n->values[i], &out->imports);
			check_ident_list(d, &out->imports, subpath(d, path, "import"));
		}
		else if (key_is(k, "local"))
			decode_var_map(d, n->values[i], &out->local, &out->nlocal);
		else
			unknown_field(d, k);
	}
}

/* Constants: {import: [...], local: {...}} */
static void
decode_constants(Dec *d, const PNode *key, const PNode *n, PConstants *out,
				 const char *path)
{
	int			i;

	out->present = true;
	out->pos.line = key->line;
	out->pos.column = key->column;
	if (!expect_map(d, n))
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];

		if (key_is(k, "import"))
		{
			get_strlist(d, k, n->values[i], &out->imports);
			check_ident_list(d, &out->imports, subpath(d, path, "import"));
		}
		else if (key_is(k, "local"))
			decode_const_map(d, n->values[i], &out->local, &out->nlocal);
		else
			unknown_field(d, k);
	}
}

/* Schemas.Schema: {ref, ignoreWhen: {actions}} */
static void
decode_schema(Dec *d, const PNode *key, const PNode *n, PSchemaRef *out,
			  const char *path)
{
	int			i,
				j;

	if (!expect_map(d, n))
		return;
	out->present = true;
	out->pos.line = key->line;
	out->pos.column = key->column;
	if (!expect_map(d, n))
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (key_is(k, "ref"))
			get_string(d, k, v, &out->ref);
		else if (key_is(k, "ignore_when"))
		{
			const char *ipath = subpath(d, path, "ignoreWhen");

			if (!expect_map(d, v))
				continue;
			out->has_ignore_when = true;
			for (j = 0; j < v->count; j++)
			{
				if (key_is(v->keys[j], "actions"))
					get_strlist(d, v->keys[j], v->values[j], &out->ignore_actions);
				else
					unknown_field(d, v->keys[j]);
			}
			if (out->ignore_actions.count == 0)
				required_list(d, &out->ignore_actions, v, subpath(d, ipath, "actions"));
			else
				check_nonempty_list(d, &out->ignore_actions, subpath(d, ipath, "actions"));
		}
		else
			unknown_field(d, k);
	}
	if (out->ref.s == NULL || out->ref.s[0] == '\0')
		required(d, n, subpath(d, path, "ref"));
}

/* Schemas: {principalSchema, resourceSchema} */
static void
decode_schemas(Dec *d, const PNode *n, Policy *p, const char *path)
{
	int			i;

	if (!expect_map(d, n))
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];

		if (key_is(k, "principal_schema"))
			decode_schema(d, k, n->values[i], &p->principal_schema,
						  subpath(d, path, "principalSchema"));
		else if (key_is(k, "resource_schema"))
			decode_schema(d, k, n->values[i], &p->resource_schema,
						  subpath(d, path, "resourceSchema"));
		else
			unknown_field(d, k);
	}
}

/* map<string, string> */
static void
decode_string_map(Dec *d, const PNode *n, PKeyValue **out, int *count)
{
	int			i;

	if (!expect_dict(d, n))
		return;
	*out = arena_alloc0(d->arena, sizeof(PKeyValue) * (n->count + 1));
	if (*out == NULL)
		return;
	for (i = 0; i < n->count; i++)
	{
		(*out)[i].key = n->keys[i]->text;
		(*out)[i].value = get_plain_string(d, n->keys[i], n->values[i]);
	}
	*count = n->count;
}

/* Metadata: sourceFile, annotations, hash, storeIdentifier, sourceAttributes. */
static void
decode_metadata(Dec *d, const PNode *n, PMetadata *m)
{
	int			i,
				j;

	if (!expect_map(d, n))
		return;
	m->present = true;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (key_is(k, "source_file"))
			m->source_file = get_plain_string(d, k, v);
		else if (key_is(k, "annotations"))
			decode_string_map(d, v, &m->annotations, &m->nannotations);
		else if (key_is(k, "hash"))
		{
			char	   *end;

			if (pnode_is_null(v))
			{
				ERR_AT(d, v, "unexpected Null", NULL, NULL);
				continue;
			}
			if (v->kind != PNODE_SCALAR || v->len == 0 || v->text[0] == '-')
			{
				ERR_AT(d, v, "invalid value for uint64 field: %s", pnode_type_name(v), NULL);
				continue;
			}
			m->hash = strtoull(v->text, &end, 10);
			if (*end != '\0')
				ERR_AT(d, v, "invalid value for uint64 field: \"%s\"", v->text, NULL);
			m->has_hash = true;
		}
		else if (key_is(k, "store_identifier") || key_is(k, "store_identifer"))
			m->store_identifier = get_plain_string(d, k, v);
		else if (key_is(k, "source_attributes"))
		{
			if (!expect_map(d, v))
				continue;
			for (j = 0; j < v->count; j++)
			{
				if (key_is(v->keys[j], "attributes"))
				{
					expect_dict(d, v->values[j]);
					m->source_attributes = v->values[j];
				}
				else
					unknown_field(d, v->keys[j]);
			}
		}
		else
			unknown_field(d, k);
	}
}

/* ---------- rules ---------- */

/* The effect of a rule: required and ALLOW or DENY. */
static int
decode_effect(Dec *d, const PNode *key, const PNode *v, const char *path)
{
	int			e = get_enum(d, v, effect_names, 4);

	if (e == 0)
		required(d, key, path);
	else if (e != ENUM_INVALID && e != POLICY_EFFECT_ALLOW && e != POLICY_EFFECT_DENY)
		dec_error(d, key->line, key->column,
				  "%s: must be one of [EFFECT_ALLOW, EFFECT_DENY]", path, NULL);
	return e;
}

/* Checks a rule name against its pattern. */
static void
check_rule_name(Dec *d, const PStr *name, const char *path)
{
	if (name->present && !policy_valid_rule_name(name->s))
		pattern_error(d, name->pos, subpath(d, path, "name"), PAT_RULE_NAME);
}

/* ResourceRule */
static void
decode_resource_rule(Dec *d, const PNode *n, PResourceRule *r, const char *path, int index)
{
	int			i;
	const PNode *effect = NULL;
	const PNode *effect_key = NULL;

	r->pos.line = n->line;
	r->pos.column = n->column;
	if (!expect_map(d, n))
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (key_is(k, "actions"))
			get_strlist(d, k, v, &r->actions);
		else if (key_is(k, "derived_roles"))
			get_strlist(d, k, v, &r->derived_roles);
		else if (key_is(k, "roles"))
			get_strlist(d, k, v, &r->roles);
		else if (key_is(k, "condition"))
			r->condition = decode_condition(d, v, subpath(d, path, "condition"));
		else if (key_is(k, "effect"))
		{
			effect = v;
			effect_key = k;
			r->effect_pos.line = k->line;
			r->effect_pos.column = k->column;
		}
		else if (key_is(k, "name"))
			get_string(d, k, v, &r->name);
		else if (key_is(k, "output"))
			r->output = decode_output(d, v);
		else
			unknown_field(d, k);
	}
	if (r->actions.count == 0)
		required_list(d, &r->actions, n, subpath(d, path, "actions"));
	else
		check_nonempty_list(d, &r->actions, subpath(d, path, "actions"));
	check_ident_list(d, &r->derived_roles, subpath(d, path, "derivedRoles"));
	check_nonempty_list(d, &r->roles, subpath(d, path, "roles"));
	if (r->roles.count == 0 && r->derived_roles.count == 0 && !r->roles.bad_type &&
		!r->derived_roles.bad_type)
		dec_error(d, n->line, n->column,
				  "rule #%s does not specify any roles or derived roles to match",
				  arena_printf(d->arena, "%d", index + 1), NULL);
	if (effect == NULL)
		required(d, n, subpath(d, path, "effect"));
	else
		r->effect = decode_effect(d, effect_key, effect, subpath(d, path, "effect"));
	check_rule_name(d, &r->name, path);
}

/* PrincipalRule.Action */
static void
decode_principal_action(Dec *d, const PNode *n, PPrincipalAction *a, const char *path)
{
	int			i;
	const PNode *effect = NULL;
	const PNode *effect_key = NULL;

	a->pos.line = n->line;
	a->pos.column = n->column;
	if (!expect_map(d, n))
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (key_is(k, "action"))
			get_string(d, k, v, &a->action);
		else if (key_is(k, "condition"))
			a->condition = decode_condition(d, v, subpath(d, path, "condition"));
		else if (key_is(k, "effect"))
		{
			effect = v;
			effect_key = k;
		}
		else if (key_is(k, "name"))
			get_string(d, k, v, &a->name);
		else if (key_is(k, "output"))
			a->output = decode_output(d, v);
		else
			unknown_field(d, k);
	}
	if (a->action.s == NULL || a->action.s[0] == '\0')
		required(d, n, subpath(d, path, "action"));
	if (effect == NULL)
		required(d, n, subpath(d, path, "effect"));
	else
		a->effect = decode_effect(d, effect_key, effect, subpath(d, path, "effect"));
	check_rule_name(d, &a->name, path);
}

/* PrincipalRule */
static void
decode_principal_rule(Dec *d, const PNode *n, PPrincipalRule *r, const char *path)
{
	int			i,
				j;
	const PNode *actions = NULL;
	const PNode *actions_key = NULL;

	r->pos.line = n->line;
	r->pos.column = n->column;
	if (!expect_map(d, n))
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];

		if (key_is(k, "resource"))
			get_string(d, k, n->values[i], &r->resource);
		else if (key_is(k, "actions"))
		{
			actions = n->values[i];
			actions_key = k;
		}
		else
			unknown_field(d, k);
	}
	if (r->resource.s == NULL || r->resource.s[0] == '\0')
		required(d, n, subpath(d, path, "resource"));
	if (actions != NULL && actions->kind != PNODE_SEQ)
		ERR_AT(d, actions, "expected sequence got %s", pnode_type_name(actions), NULL);
	else if (actions == NULL || actions->count == 0)
		required(d, actions_key ? actions_key : n, subpath(d, path, "actions"));
	else
	{
		const char *apath = subpath(d, path, "actions");

		r->actions = arena_alloc0(d->arena, sizeof(PPrincipalAction) * actions->count);
		if (r->actions == NULL)
			return;
		r->nactions = actions->count;
		for (i = 0; i < actions->count; i++)
			decode_principal_action(d, actions->values[i], &r->actions[i],
									itempath(d, apath, i));
		for (i = 1; i < r->nactions; i++)
			for (j = 0; j < i; j++)
				if (r->actions[i].name.s && r->actions[i].name.s[0] &&
					r->actions[j].name.s && strcmp(r->actions[i].name.s, r->actions[j].name.s) == 0)
				{
					char		msg[64];

					snprintf(msg, sizeof(msg), "#%d for resource", i + 1);
					dec_error(d, r->actions[i].name.pos.line, r->actions[i].name.pos.column,
							  "action rule %s has the same name as an earlier action rule: '%s'",
							  msg, r->actions[i].name.s);
					break;
				}
	}
}

/* RoleDef of a derived roles policy. */
static void
decode_role_def(Dec *d, const PNode *n, PRoleDef *r, const char *path)
{
	int			i;

	r->pos.line = n->line;
	r->pos.column = n->column;
	if (!expect_map(d, n))
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (key_is(k, "name"))
			get_string(d, k, v, &r->name);
		else if (key_is(k, "parent_roles"))
			get_strlist(d, k, v, &r->parent_roles);
		else if (key_is(k, "condition"))
			r->condition = decode_condition(d, v, subpath(d, path, "condition"));
		else
			unknown_field(d, k);
	}
	if (r->name.s == NULL || r->name.s[0] == '\0')
		required(d, n, subpath(d, path, "name"));
	else if (!policy_valid_ident(r->name.s))
		pattern_error(d, r->name.pos, subpath(d, path, "name"), PAT_IDENT);
	if (r->parent_roles.count == 0)
		required_list(d, &r->parent_roles, n, subpath(d, path, "parentRoles"));
	else
		check_nonempty_list(d, &r->parent_roles, subpath(d, path, "parentRoles"));
}

/* RoleRule of a role policy. */
static void
decode_role_rule(Dec *d, const PNode *n, PRoleRule *r, const char *path)
{
	int			i;

	r->pos.line = n->line;
	r->pos.column = n->column;
	if (!expect_map(d, n))
		return;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (key_is(k, "resource"))
			get_string(d, k, v, &r->resource);
		else if (key_is(k, "allow_actions"))
			get_strlist(d, k, v, &r->allow_actions);
		else if (key_is(k, "name"))
			get_string(d, k, v, &r->name);
		else if (key_is(k, "output"))
			r->output = decode_output(d, v);
		else if (key_is(k, "condition"))
			r->condition = decode_condition(d, v, subpath(d, path, "condition"));
		else
			unknown_field(d, k);
	}
	if (r->resource.s == NULL || r->resource.s[0] == '\0')
		required(d, n, subpath(d, path, "resource"));
	if (r->allow_actions.count == 0)
		required_list(d, &r->allow_actions, n, subpath(d, path, "allowActions"));
	else
		check_nonempty_list(d, &r->allow_actions, subpath(d, path, "allowActions"));
	check_rule_name(d, &r->name, path);
}

/* A sequence of rule maps: returns the sequence or NULL (reported). */
static const PNode *
rule_list(Dec *d, const PNode *v)
{
	if (v != NULL && v->kind == PNODE_SEQ)
		return v;
	ERR_AT(d, v, "expected sequence got %s", pnode_type_name(v), NULL);
	return NULL;
}

/* ---------- policy kinds ---------- */

/* Fields shared by several kinds; true when the key was one of them. */
static bool
decode_common_field(Dec *d, const PNode *k, const PNode *v, Policy *p, const char *path)
{
	if (key_is(k, "version") && p->kind != POLICY_DERIVED_ROLES)
		get_string(d, k, v, &p->version);
	else if (key_is(k, "scope") && p->kind != POLICY_DERIVED_ROLES)
		get_string(d, k, v, &p->scope);
	else if (key_is(k, "scope_permissions") && p->kind != POLICY_DERIVED_ROLES)
	{
		int			sp = get_enum(d, v, scope_permission_names, 3);

		p->scope_permissions = sp == ENUM_INVALID ? 0 : sp;
		if (p->kind == POLICY_ROLE && sp != ENUM_INVALID && sp != SCOPE_PERMISSIONS_UNSPECIFIED &&
			sp != SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS)
			dec_error(d, k->line, k->column, "%s: must be one of [%s]",
					  subpath(d, path, "scopePermissions"),
					  "SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS, SCOPE_PERMISSIONS_UNSPECIFIED");
	}
	else if (key_is(k, "variables"))
		decode_variables(d, k, v, &p->variables, subpath(d, path, "variables"));
	else if (key_is(k, "constants"))
		decode_constants(d, k, v, &p->constants, subpath(d, path, "constants"));
	else
		return false;
	return true;
}

/* Version and scope patterns of resource, principal and role policies. */
static void
check_version_scope(Dec *d, const PNode *body, Policy *p, const char *path, bool version_required)
{
	if (version_required && (p->version.s == NULL || p->version.s[0] == '\0'))
		required(d, body, subpath(d, path, "version"));
	else if (p->version.s && !policy_valid_version(p->version.s, !version_required))
		pattern_error(d, p->version.pos, subpath(d, path, "version"),
					  version_required ? PAT_VERSION : PAT_VERSION_OPT);
	if (p->scope.s && !policy_valid_scope(p->scope.s))
		pattern_error(d, p->scope.pos, subpath(d, path, "scope"), PAT_SCOPE);
}

/* resourcePolicy: fields, rules and unique rule names. */
static void
decode_resource_policy(Dec *d, const PNode *n, Policy *p)
{
	const char *path = "resourcePolicy";
	const PNode *rules = NULL;
	int			i,
				j;

	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (key_is(k, "resource"))
			get_string(d, k, v, &p->name);
		else if (key_is(k, "import_derived_roles"))
		{
			get_strlist(d, k, v, &p->import_derived_roles);
			check_ident_list(d, &p->import_derived_roles, "resourcePolicy.importDerivedRoles");
		}
		else if (key_is(k, "rules"))
			rules = rule_list(d, v);
		else if (key_is(k, "schemas"))
			decode_schemas(d, v, p, "resourcePolicy.schemas");
		else if (!decode_common_field(d, k, v, p, path))
			unknown_field(d, k);
	}
	if (p->name.s == NULL || p->name.s[0] == '\0')
		required(d, n, "resourcePolicy.resource");
	else if (!policy_valid_resource_name(p->name.s))
		pattern_error(d, p->name.pos, "resourcePolicy.resource", PAT_RESOURCE);
	check_version_scope(d, n, p, path, true);
	if (rules == NULL)
		return;
	p->resource_rules = arena_alloc0(d->arena, sizeof(PResourceRule) * (rules->count + 1));
	if (p->resource_rules == NULL)
		return;
	p->nresource_rules = rules->count;
	for (i = 0; i < rules->count; i++)
		decode_resource_rule(d, rules->values[i], &p->resource_rules[i],
							 itempath(d, "resourcePolicy.rules", i), i);
	for (i = 1; i < p->nresource_rules; i++)
	{
		PResourceRule *r = &p->resource_rules[i];

		if (r->name.s == NULL || r->name.s[0] == '\0')
			continue;
		for (j = 0; j < i; j++)
			if (p->resource_rules[j].name.s &&
				strcmp(p->resource_rules[j].name.s, r->name.s) == 0)
			{
				char		msg[96];

				snprintf(msg, sizeof(msg), "rule #%d has the same name as rule #%d defined at %d:%d",
						 i + 1, j + 1, p->resource_rules[j].name.value_pos.line,
						 p->resource_rules[j].name.value_pos.column);
				dec_error(d, r->name.value_pos.line, r->name.value_pos.column,
						  "duplicate rule name \"%s\": %s", r->name.s, msg);
				break;
			}
	}
}

/* principalPolicy: fields, rules and one rule per resource. */
static void
decode_principal_policy(Dec *d, const PNode *n, Policy *p)
{
	const char *path = "principalPolicy";
	const PNode *rules = NULL;
	int			i,
				j;

	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (key_is(k, "principal"))
			get_string(d, k, v, &p->name);
		else if (key_is(k, "rules"))
			rules = rule_list(d, v);
		else if (!decode_common_field(d, k, v, p, path))
			unknown_field(d, k);
	}
	if (p->name.s == NULL || p->name.s[0] == '\0')
		required(d, n, "principalPolicy.principal");
	else if (!policy_valid_resource_name(p->name.s))
		pattern_error(d, p->name.pos, "principalPolicy.principal", PAT_RESOURCE);
	check_version_scope(d, n, p, path, true);
	if (rules == NULL)
		return;
	p->principal_rules = arena_alloc0(d->arena, sizeof(PPrincipalRule) * (rules->count + 1));
	if (p->principal_rules == NULL)
		return;
	p->nprincipal_rules = rules->count;
	for (i = 0; i < rules->count; i++)
		decode_principal_rule(d, rules->values[i], &p->principal_rules[i],
							  itempath(d, "principalPolicy.rules", i));
	for (i = 1; i < p->nprincipal_rules; i++)
		for (j = 0; j < i; j++)
			if (p->principal_rules[i].resource.s && p->principal_rules[j].resource.s &&
				strcmp(p->principal_rules[i].resource.s, p->principal_rules[j].resource.s) == 0)
			{
				char		msg[96];

				snprintf(msg, sizeof(msg), "at rule #%d: previous definition in rule #%d at %d:%d",
						 i + 1, j + 1, p->principal_rules[j].resource.value_pos.line,
						 p->principal_rules[j].resource.value_pos.column);
				dec_error(d, p->principal_rules[i].resource.value_pos.line,
						  p->principal_rules[i].resource.value_pos.column,
						  "duplicate resource \"%s\" %s", p->principal_rules[i].resource.s, msg);
				break;
			}
}

/* derivedRoles: name, definitions with unique names, variables, constants. */
static void
decode_derived_roles(Dec *d, const PNode *n, Policy *p)
{
	const PNode *defs = NULL;
	const PNode *defs_key = NULL;
	int			i,
				j;

	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (key_is(k, "name"))
			get_string(d, k, v, &p->name);
		else if (key_is(k, "definitions"))
		{
			defs_key = k;
			defs = rule_list(d, v);
		}
		else if (!decode_common_field(d, k, v, p, "derivedRoles"))
			unknown_field(d, k);
	}
	if (p->name.s == NULL || p->name.s[0] == '\0')
		required(d, n, "derivedRoles.name");
	else if (!policy_valid_ident(p->name.s))
		pattern_error(d, p->name.pos, "derivedRoles.name", PAT_IDENT);
	if (defs == NULL || defs->count == 0)
	{
		if (defs_key == NULL || defs != NULL)
			required(d, defs_key, "derivedRoles.definitions");
		return;
	}
	p->role_defs = arena_alloc0(d->arena, sizeof(PRoleDef) * defs->count);
	if (p->role_defs == NULL)
		return;
	p->nrole_defs = defs->count;
	for (i = 0; i < defs->count; i++)
		decode_role_def(d, defs->values[i], &p->role_defs[i],
						itempath(d, "derivedRoles.definitions", i));
	for (i = 1; i < p->nrole_defs; i++)
		for (j = 0; j < i; j++)
			if (p->role_defs[i].name.s && p->role_defs[j].name.s &&
				p->role_defs[i].name.s[0] &&
				strcmp(p->role_defs[i].name.s, p->role_defs[j].name.s) == 0)
			{
				char		msg[96];

				snprintf(msg, sizeof(msg),
						 "definition #%d has the same name as definition #%d at %d:%d",
						 i + 1, j + 1, p->role_defs[j].name.value_pos.line,
						 p->role_defs[j].name.value_pos.column);
				dec_error(d, p->role_defs[i].name.value_pos.line, p->role_defs[i].name.value_pos.column,
						  "duplicate derived role definition \"%s\": %s",
						  p->role_defs[i].name.s, msg);
				break;
			}
}

/* exportVariables / exportConstants: a name and definitions. */
static void
decode_export(Dec *d, const PNode *n, Policy *p, const char *path)
{
	int			i;

	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (key_is(k, "name"))
			get_string(d, k, v, &p->name);
		else if (key_is(k, "definitions"))
		{
			if (p->kind == POLICY_EXPORT_VARIABLES)
				decode_var_map(d, v, &p->export_variables, &p->nexport_variables);
			else
				decode_const_map(d, v, &p->export_constants, &p->nexport_constants);
		}
		else
			unknown_field(d, k);
	}
	if (p->name.s == NULL || p->name.s[0] == '\0')
		required(d, n, subpath(d, path, "name"));
	else if (!policy_valid_ident(p->name.s))
		pattern_error(d, p->name.pos, subpath(d, path, "name"), PAT_IDENT);
}

/* rolePolicy: role, parent roles, rules, variables and constants. */
static void
decode_role_policy(Dec *d, const PNode *n, Policy *p)
{
	const char *path = "rolePolicy";
	const PNode *rules = NULL;
	int			i;

	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (key_is(k, "role"))
			get_string(d, k, v, &p->name);
		else if (key_is(k, "parent_roles"))
		{
			get_strlist(d, k, v, &p->parent_roles);
			check_nonempty_list(d, &p->parent_roles, "rolePolicy.parentRoles");
		}
		else if (key_is(k, "rules"))
			rules = rule_list(d, v);
		else if (!decode_common_field(d, k, v, p, path))
			unknown_field(d, k);
	}
	if (!p->name.present)
		required(d, n, "rolePolicy.policyType");
	else if (!policy_valid_resource_name(p->name.s))
		pattern_error(d, p->name.pos, "rolePolicy.role", PAT_RESOURCE);
	check_version_scope(d, n, p, path, false);
	if (rules == NULL)
		return;
	p->role_rules = arena_alloc0(d->arena, sizeof(PRoleRule) * (rules->count + 1));
	if (p->role_rules == NULL)
		return;
	p->nrole_rules = rules->count;
	for (i = 0; i < rules->count; i++)
		decode_role_rule(d, rules->values[i], &p->role_rules[i],
						 itempath(d, "rolePolicy.rules", i));
}

static const struct
{
	const char *snake;
	PolicyKind	kind;
}			kind_fields[] = {
	{"resource_policy", POLICY_RESOURCE},
	{"principal_policy", POLICY_PRINCIPAL},
	{"derived_roles", POLICY_DERIVED_ROLES},
	{"export_variables", POLICY_EXPORT_VARIABLES},
	{"export_constants", POLICY_EXPORT_CONSTANTS},
	{"role_policy", POLICY_ROLE},
};

/* Decodes one parsed document; NULL for an empty one or on errors. */
Policy *
policy_decode(Arena *arena, const PDoc *doc, DiagList *diags)
{
	Dec			d;
	Policy	   *p;
	const PNode *root = doc->root;
	const PNode *body = NULL;
	const PNode *kind_key = NULL;
	const PNode *api_key = NULL;
	int			i,
				j;

	if (root == NULL || pnode_is_null(root))
		return NULL;
	memset(&d, 0, sizeof(d));
	d.arena = arena;
	d.file = doc->file;
	d.diags = diags;
	if (!expect_map(&d, root))
		return NULL;
	p = arena_alloc0(arena, sizeof(Policy));
	if (p == NULL)
		return NULL;
	p->file = doc->file;
	p->pos.line = root->line;
	p->pos.column = root->column;

	for (i = 0; i < root->count; i++)
	{
		const PNode *k = root->keys[i];
		const PNode *v = root->values[i];
		bool		matched = false;

		for (j = 0; j < (int) (sizeof(kind_fields) / sizeof(kind_fields[0])); j++)
		{
			if (!key_is(k, kind_fields[j].snake))
				continue;
			matched = true;
			if (kind_key != NULL)
			{
				char		at[32];

				snprintf(at, sizeof(at), "%d:%d", kind_key->line, kind_key->column);
				ERR_AT(&d, k, "invalid value: oneof field is already set at [%s]", at, NULL);
				break;
			}
			kind_key = k;
			body = v;
			p->kind = kind_fields[j].kind;
			p->kind_pos.line = k->line;
			p->kind_pos.column = k->column;
		}
		if (matched)
			continue;
		if (key_is(k, "api_version"))
		{
			api_key = k;
			get_string(&d, k, v, &p->api_version);
		}
		else if (key_is(k, "disabled"))
			p->disabled = get_bool(&d, v);
		else if (key_is(k, "description"))
			p->description = get_plain_string(&d, k, v);
		else if (key_is(k, "metadata"))
			decode_metadata(&d, v, &p->metadata);
		else if (key_is(k, "variables"))
			decode_var_map(&d, v, &p->top_variables, &p->ntop_variables);
		else if (strcmp(k->text, "$schema") == 0 || key_is(k, "json_schema"))
			p->json_schema = get_plain_string(&d, k, v);
		else
			unknown_field(&d, k);
	}

	if (api_key == NULL || p->api_version.s[0] == '\0')
		required(&d, root, "apiVersion");
	else if (strcmp(p->api_version.s, "api.cerbos.dev/v1") != 0)
		dec_error(&d, api_key->line, api_key->column,
				  "apiVersion: must equal `%s`", "api.cerbos.dev/v1", NULL);

	if (kind_key == NULL)
		required(&d, root, "policyType");
	else if (expect_map(&d, body))
	{
		switch (p->kind)
		{
			case POLICY_RESOURCE:
				decode_resource_policy(&d, body, p);
				break;
			case POLICY_PRINCIPAL:
				decode_principal_policy(&d, body, p);
				break;
			case POLICY_DERIVED_ROLES:
				decode_derived_roles(&d, body, p);
				break;
			case POLICY_EXPORT_VARIABLES:
				decode_export(&d, body, p, "exportVariables");
				break;
			case POLICY_EXPORT_CONSTANTS:
				decode_export(&d, body, p, "exportConstants");
				break;
			case POLICY_ROLE:
				decode_role_policy(&d, body, p);
				break;
			default:
				break;
		}
	}
	if (d.failed || arena->failed)
		return NULL;
	if (p->name.s == NULL)
		p->name.s = "";
	if (p->version.s == NULL)
		p->version.s = "";
	if (p->scope.s == NULL)
		p->scope.s = "";
	return p;
}

/* The capacity of an array of n policies grown by policy_load_text. */
static size_t
array_capacity(int n)
{
	size_t		c = 8;

	while (c < (size_t) n + 1)
		c *= 2;
	return c;
}

/* Decodes one file's text into policies (appended to *policies). */
bool
policy_load_text(Arena *arena, const char *file, const char *text, size_t len,
				 const PolicyLoadOptions *options, Policy ***policies,
				 int *npolicies, DiagList *diags)
{
	PDoc	   *docs;
	int			ndocs;
	int			i;
	int			nonempty = 0;
	int			before = diags->count + diags->dropped;

	if (len >= 3 && (unsigned char) text[0] == 0xef && (unsigned char) text[1] == 0xbb &&
		(unsigned char) text[2] == 0xbf)
	{
		/* Cerbos reads the mark as part of the first key and rejects it */
		diag_add(diags, file, 1, 1, "unknown field \"\\ufeff...\": the file starts with a byte-order mark");
		return false;
	}
	if (!ptree_parse(arena, file, text, len, options ? &options->limits : NULL,
					 &docs, &ndocs, diags))
		return false;
	for (i = 0; i < ndocs; i++)
		if (docs[i].root != NULL && !pnode_is_null(docs[i].root))
			nonempty++;
	if (ndocs > 1 && !(options && options->allow_multiple_documents))
	{
		/* Cerbos refuses these; report where the second document starts */
		diag_add(diags, file, docs[1].line, docs[1].column,
				 "more than one YAML document detected");
		return false;
	}
	/*
	 * The array only grows through here, so its capacity is the power of two
	 * at or above its count: reallocate only when that is exceeded, which
	 * keeps loading many files linear.
	 */
	{
		size_t		have = array_capacity(*npolicies);
		size_t		need = array_capacity(*npolicies + nonempty);

		if (*policies == NULL || need > have)
		{
			*policies = arena_realloc(arena, *policies,
									  *policies ? sizeof(Policy *) * have : 0,
									  sizeof(Policy *) * need);
			if (*policies == NULL)
				return false;
		}
	}
	for (i = 0; i < ndocs; i++)
	{
		Policy	   *p = policy_decode(arena, &docs[i], diags);

		if (p != NULL)
			(*policies)[(*npolicies)++] = p;
	}
	return diags->count + diags->dropped == before;
}
