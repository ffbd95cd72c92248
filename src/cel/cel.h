/*
 * cel.h — public entry points of the CEL engine (pure C, no postgres.h).
 *
 *   parse:  text -> CelAst (macros expanded, positions kept)
 *   check:  CelAst + CelEnv -> typed CelAst (overloads resolved, constants
 *           folded) or positioned errors, as cel-go's checker would report
 *   eval:   typed CelAst + activation -> CelValue (possibly an error value)
 *
 * The embedding layer (engine/, pg/) supplies variables through a
 * CelActivation callback so that attributes can be materialised lazily.
 */
#ifndef AUTHZ_CEL_H
#define AUTHZ_CEL_H

#include "../common/diag.h"
#include "cel_ast.h"
#include "cel_func.h"
#include "cel_value.h"

typedef struct CelParseOptions
{
	int			max_depth;		/* nesting limit (0 = default 250) */
	size_t		max_length;		/* source bytes (0 = default 100000) */
	int			max_nodes;		/* AST nodes (0 = default 100000) */
} CelParseOptions;

/* Limits for cel_parse calls given NULL options (NULL = built-in defaults). */
extern void cel_parse_set_defaults(const CelParseOptions *options);

/* Parses source[0..len); on failure returns NULL with diags (line:column). */
extern CelAst *cel_parse(Arena *arena, const char *source, size_t len,
						 const CelParseOptions *options, DiagList *diags);

/*
 * The diags of a failed cel_parse/cel_check as cel-go (and so Cerbos)
 * displays them: "ERROR: <input>:L:C: message\n | <line>\n | ....^", one
 * block per problem joined by newlines (error_display.c).
 */
extern char *cel_errors_display(Arena *arena, const char *source,
								size_t source_len, const DiagList *diags);

/* Declarations visible to the checker: variables with types and libraries. */
typedef struct CelEnv CelEnv;

extern CelEnv *cel_env_new(Arena *arena);
extern void cel_env_declare(CelEnv *env, const char *name, const CelType *type);
extern void cel_env_use_library(CelEnv *env, const CelLibrary *library);
/* The environment Cerbos 0.55 compiles conditions in (R, P, V, C, G,
 * request, runtime, variables, constants, globals; all its libraries). */
extern CelEnv *cel_env_cerbos(Arena *arena);

/* Type-checks in place; false with diags when Cerbos would reject it. */
extern bool cel_check(const CelEnv *env, CelAst *ast, Arena *arena,
					  DiagList *diags);

/* Variable lookup during evaluation; return false when unbound. */
typedef struct CelActivation
{
	bool		(*resolve) (void *state, const char *name, CelValue *out);
	void	   *state;
} CelActivation;

extern CelValue cel_eval(CelEvalContext *ctx, const CelEnv *env,
						 const CelAst *ast, const CelActivation *activation);

#endif							/* AUTHZ_CEL_H */
