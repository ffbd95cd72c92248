/*
 * plansql_int.h — what the two translators share: reading the filter
 * tree's nodes and naming the variables in it.
 */
#ifndef AUTHZ_PLANSQL_INT_H
#define AUTHZ_PLANSQL_INT_H

#include "plansql.h"
#include "../cel/cel_strbuf.h"

/* A filter node, read. */
typedef enum FNodeKind
{
	FN_EXPR,
	FN_VAR,
	FN_VALUE
} FNodeKind;

typedef struct FNode
{
	FNodeKind	kind;
	const char *op;				/* FN_EXPR */
	const json_t *operands;		/* FN_EXPR: a JSON array */
	size_t		noperands;
	const char *var;			/* FN_VAR */
	const json_t *value;		/* FN_VALUE */
} FNode;

/* Reads one operand; false when it is none of the three shapes. */
extern bool fnode_read(const json_t *j, FNode *out);

/* Operand i of an expression node. */
static inline const json_t *
fnode_arg(const FNode *n, size_t i)
{
	return json_array_get(n->operands, i);
}

/* Whether s is a CEL identifier (not a reserved word). */
extern bool plansql_is_ident(const char *s, size_t len);

/*
 * A resource variable: request.resource.attr.<a>[.<path>] or R.attr...,
 * request.resource.id / R.id.  Sets *field, *name (the attribute, or "id")
 * and *path (the dotted rest, or NULL); false for any other variable.
 */
extern bool plansql_resource_var(Arena *arena, const char *var, PlanSqlField *field,
								 const char **name, const char **path);

/* A buffer in an arena with no size limit. */
static inline void
plansql_buf_init(CelStrBuf *sb, Arena *arena)
{
	memset(sb, 0, sizeof(*sb));
	sb->arena = arena;
}

/* The buffer's text (NUL-terminated), or NULL when it failed. */
static inline char *
plansql_buf_text(CelStrBuf *sb)
{
	if (sb->failed || sb->too_long)
		return NULL;
	return sb->data ? sb->data : arena_strdup(sb->arena, "");
}

/* Appends a CEL string literal for s[0..len). */
extern void plansql_cel_string(CelStrBuf *sb, const char *s, size_t len);

/* Appends a JSON value as a CEL literal; false for what CEL cannot spell. */
extern bool plansql_cel_value(CelStrBuf *sb, const json_t *v, int depth);

/* Whether a comprehension operator takes a lambda. */
extern bool plansql_is_comprehension(const char *op);

#endif							/* AUTHZ_PLANSQL_INT_H */
