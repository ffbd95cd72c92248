/*
 * cel_check.h — internals shared by the checker (check.c and its type
 * algebra in check_types.c), its literal validators (check_literals.c) and
 * constant folding (fold.c).
 */
#ifndef AUTHZ_CEL_CHECK_H
#define AUTHZ_CEL_CHECK_H

#include "cel.h"

/* A type as cel-go prints it ("list(int)", "map(string, dyn)"). */
extern const char *cel_check_format_type(Arena *arena, const CelType *t);

/*
 * Cerbos' compile-time checks of literal arguments on a typed AST
 * (ast->types set): timestamp('...'), timestamp(int), duration('...'),
 * ip('...'), cidr('...'), "...".format([...]) and x.matches('...').  Sets
 * *failed and adds diags for each bad literal.
 */
extern void cel_check_validate(CelAst *ast, Arena *arena, DiagList *diags,
							   bool *failed);

/*
 * Replaces constant sub-expressions of a checked AST by their values where
 * that cannot change the outcome (the value is a literal; errors are never
 * folded).  Types and overloads of folded nodes are kept consistent.
 */
extern void cel_fold(CelAst *ast, Arena *arena);

/* ---------- checker internals (check.c, check_types.c) ---------- */

#include "cel_registry.h"

#define CHECK_MAX_LOCALS 512

typedef struct Subst
{
	const char *var;
	const CelType *type;
} Subst;

typedef struct Mapping
{
	Subst	   *items;
	int			n;
	int			cap;
} Mapping;

/*
 * The substitution of type variables, indexed by variable number (variables
 * are "_var<n>").  Trial assignments record what they overwrite in an undo
 * log so that a failed overload attempt is rolled back without copying.
 */
typedef struct Undo
{
	int			var;
	const CelType *old;
} Undo;

typedef struct Subs
{
	const CelType **sub;
	int			cap;
	Undo	   *undo;
	int			nundo;
	int			capundo;
} Subs;

typedef struct Local
{
	const char *name;
	const CelType *type;
} Local;

typedef struct CheckError
{
	int32_t		offset;
	const char *message;
} CheckError;

typedef struct Checker
{
	const CelEnv *env;
	CelAst	   *ast;
	Arena	   *arena;
	DiagList   *diags;
	const CelRegistry *reg;
	const CelType **types;
	int32_t    *overload;
	Subs		s;
	int			nextvar;
	Local		locals[CHECK_MAX_LOCALS];
	int			nlocals;
	int			depth;
	bool		failed;
	bool		oom;
	size_t		pool_cap;		/* capacity of ast->strings once copied, else 0 */
	CheckError *errors;			/* reported at the end, sorted by position */
	int			nerrors;
	int			caperrors;
} Checker;


extern const CelType *ck_mk_type(Checker *c, CelTypeKind kind, const CelType *p0,
								 const CelType *p1, const char *name);
extern const CelType *ck_mk_list(Checker *c, const CelType *elem);
extern const CelType *ck_mk_map(Checker *c, const CelType *k, const CelType *v);
extern const CelType *ck_mk_optional(Checker *c, const CelType *t);
extern const CelType *ck_new_var(Checker *c);
extern int	ck_nparams_of(const CelType *t);
extern bool ck_type_exact(const CelType *a, const CelType *b);
extern void ck_format_into(char *buf, size_t size, const CelType *t);
extern const CelType *ck_m_find(const Mapping *m, const char *var);
extern void ck_m_add(Checker *c, Mapping *m, const char *var, const CelType *t);
extern void ck_s_rollback(Checker *c, int mark);
extern const CelType *ck_substitute(Checker *c, const CelType *t, bool to_dyn, int depth);
extern bool ck_is_dyn(const CelType *t);
extern bool ck_is_dyn_or_error(const CelType *t);
extern const CelType *ck_most_general(const CelType *a, const CelType *b);
extern bool ck_assignable_in(Checker *c, const CelType *t1, const CelType *t2, int depth);
extern bool ck_is_assignable(Checker *c, const CelType *t1, const CelType *t2);

#endif							/* AUTHZ_CEL_CHECK_H */
