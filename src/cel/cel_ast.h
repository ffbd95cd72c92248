/*
 * cel_ast.h — the parsed (and, after checking, typed) form of one CEL
 * expression.
 *
 * The AST follows cel-go's canonical shape so that semantics fall out the
 * same way: operators are calls named as cel-go names them ("_+_", "_&&_",
 * "_?_:_", "_[_]", "@in", "!_", "-_", "@not_strictly_false", "_?._",
 * "_[?_]"), has(x.f) is a test-only select, and macros (all, exists,
 * exists_one, map, filter, the two-variable forms, cel.bind, optMap...)
 * are expanded by the parser into comprehensions exactly as cel-go expands
 * them.
 *
 * Position independence: nodes refer to each other by index into
 * `nodes`, argument lists are runs in `args`, and every string (names,
 * string/bytes literals) is an offset into `strings`.  A CelAst is therefore
 * three flat arrays that can be copied into the shared policy image as they
 * are and used from any address.
 */
#ifndef AUTHZ_CEL_AST_H
#define AUTHZ_CEL_AST_H

#include "cel_value.h"

typedef int32_t CelNodeRef;		/* index into nodes; -1 = none */
typedef uint32_t CelStrRef;		/* offset into strings (NUL-terminated) */

#define CEL_NO_NODE (-1)

typedef enum CelExprKind
{
	CEL_EXPR_CONST = 1,
	CEL_EXPR_IDENT,
	CEL_EXPR_SELECT,
	CEL_EXPR_CALL,
	CEL_EXPR_LIST,
	CEL_EXPR_MAP,
	CEL_EXPR_STRUCT,			/* Msg{f: v} — parsed; checker rejects unknown types */
	CEL_EXPR_COMPREHENSION
} CelExprKind;

typedef enum CelConstKind
{
	CEL_CONST_NULL = 1,
	CEL_CONST_BOOL,
	CEL_CONST_INT,
	CEL_CONST_UINT,
	CEL_CONST_DOUBLE,
	CEL_CONST_STRING,
	CEL_CONST_BYTES
} CelConstKind;

typedef struct CelConst
{
	uint8_t		kind;			/* CelConstKind */
	union
	{
		bool		b;
		int64_t		i;
		uint64_t	u;
		double		d;
		struct
		{
			CelStrRef	off;
			uint32_t	len;	/* bytes may hold NULs */
		}			str;
	}			u;
} CelConst;

typedef struct CelExpr
{
	uint8_t		kind;			/* CelExprKind */
	uint8_t		flags;			/* CEL_EXPR_F_* */
	int32_t		offset;			/* byte offset of the node in the source */
	union
	{
		CelConst	constant;
		struct
		{
			CelStrRef	name;	/* may be dotted after checker resolution */
		}			ident;
		struct
		{
			CelNodeRef	operand;
			CelStrRef	field;
			/* CEL_EXPR_F_TEST_ONLY in flags for has() */
		}			select;
		struct
		{
			CelNodeRef	target; /* CEL_NO_NODE for a global call */
			CelStrRef	function;
			uint32_t	args;	/* first index into ast->args */
			uint32_t	nargs;
		}			call;
		struct
		{
			uint32_t	elems;	/* run in ast->args */
			uint32_t	nelems;
			uint32_t	optional;	/* run in ast->args of optional element
									 * indices (ints), count in noptional */
			uint32_t	noptional;
		}			list;
		struct
		{
			/* entries: run of 2*nentries node refs in ast->args: k0,v0,k1,v1 */
			uint32_t	entries;
			uint32_t	nentries;
			uint32_t	optional;	/* run in ast->args: entry indices that are
									 * optional ("?k: v") */
			uint32_t	noptional;
		}			map;
		struct
		{
			CelStrRef	type_name;
			/* fields: run of nfields (field-name-strref, value-node) pairs in
			 * ast->args, stored as two int32 each */
			uint32_t	fields;
			uint32_t	nfields;
		}			strct;
		struct
		{
			CelStrRef	iter_var;
			CelStrRef	iter_var2;	/* 0 (empty string) if single-variable */
			CelNodeRef	iter_range;
			CelStrRef	accu_var;
			CelNodeRef	accu_init;
			CelNodeRef	loop_cond;
			CelNodeRef	loop_step;
			CelNodeRef	result;
		}			comp;
	}			u;
} CelExpr;

#define CEL_EXPR_F_TEST_ONLY	0x01	/* select: has(a.b) */
#define CEL_EXPR_F_OPTIONAL		0x02	/* select: a.?b (also call _?._) */
#define CEL_EXPR_F_MACRO		0x04	/* comprehension came from a macro */

typedef struct CelAst
{
	CelExpr    *nodes;
	int32_t		nnodes;
	int32_t    *args;			/* argument runs, see above */
	uint32_t	nargs;
	char	   *strings;		/* string pool; offset 0 is "" */
	uint32_t	strings_len;
	CelNodeRef	root;
	/* filled by the checker (NULL before checking) */
	const CelType **types;		/* per node: its static type */
	int32_t    *overload;		/* per call node: resolved overload index or -1 (dynamic dispatch) */
	const char *source;			/* the expression text (for positions) */
} CelAst;

static inline const char *
cel_ast_str(const CelAst *ast, CelStrRef ref)
{
	return ast->strings + ref;
}

static inline const CelExpr *
cel_ast_node(const CelAst *ast, CelNodeRef ref)
{
	return &ast->nodes[ref];
}

/* 1-based line and column of a byte offset in ast->source. */
extern void cel_offset_position(const char *source, int32_t offset,
								int *line, int *column);

#endif							/* AUTHZ_CEL_AST_H */
