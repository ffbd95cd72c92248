/*
 * compiler.h — from a directory of decoded policies to a policy set.
 *
 * compile_policy_dir() loads a directory (policy/dir.c) and then, as
 * `cerbos compile` does:
 *   - leaves disabled policies out of the set;
 *   - rejects duplicate policies (same kind, name, version and scope);
 *   - requires every ancestor scope of a scoped resource or principal
 *     policy ("scoped policy X is not found but is required by ...");
 *   - resolves importDerivedRoles, variables.import and constants.import,
 *     and the derived roles each rule names;
 *   - builds each policy's variable table (imports, local, deprecated
 *     top-level), rejects redefinitions, undefined references and cycles,
 *     and orders variables so each comes after those it uses;
 *   - checks that referenced schemas exist under _schemas/;
 *   - hands every CEL expression to options->check_expr (the hook where
 *     cel_parse/cel_check plug in; NULL skips CEL checking).
 * The result is indexed by (kind, name, version, scope) for the engine.
 */
#ifndef AUTHZ_COMPILER_H
#define AUTHZ_COMPILER_H

#include "../policy/policy.h"

/* Where a CEL expression sits, so the checker can pick its environment. */
typedef enum CompileExprRole
{
	CEXPR_RULE_CONDITION = 1,	/* resource/principal/role rule condition */
	CEXPR_DERIVED_ROLE_CONDITION,
	CEXPR_VARIABLE,				/* a variable's definition */
	CEXPR_OUTPUT				/* output expr / ruleActivated / conditionNotMet */
} CompileExprRole;

struct CompiledPolicy;

/*
 * The CEL hook: parse and type-check one expression written in `file`; add
 * diags (map positions inside the text with pexpr_file_position) and return
 * false to reject it.  `handle` may be set to the checked AST to keep.
 * compile_use_cel() (cel_hook.c) installs the one built on cel_parse and
 * cel_check.
 */
typedef bool (*CompileExprHook) (void *state, const char *file,
								 const struct CompiledPolicy *policy,
								 const PExpr *expr, CompileExprRole role,
								 void **handle, DiagList *diags);

typedef struct CompileOptions
{
	PolicyLoadOptions load;
	CompileExprHook check_expr;	/* NULL: CEL is not checked */
	void	   *check_expr_state;
} CompileOptions;

/* A variable visible to a policy's expressions. */
typedef struct CVariable
{
	const char *name;
	PExpr		expr;
	const char *file;			/* where it is defined */
	int		   *uses;			/* indexes of variables it references */
	int			nuses;
	void	   *checked;		/* set by the CEL hook */
} CVariable;

/* A constant visible to a policy's expressions. */
typedef struct CConstant
{
	const char *name;
	const PNode *value;
	const char *file;
	PPos		pos;
} CConstant;

typedef struct CompiledPolicy
{
	const Policy *policy;
	PolicyKind	kind;
	const char *fqn;			/* resource.doc.vdefault/acme */
	const char *name;
	const char *version;		/* "default" filled in for role policies */
	const char *scope;			/* "" at the root */
	const struct CompiledPolicy *parent;	/* next scope up, NULL at root */
	const struct CompiledPolicy **derived_roles;	/* imported, in order */
	int			nderived_roles;
	CVariable  *variables;		/* dependency order */
	int			nvariables;
	CConstant  *constants;
	int			nconstants;
	bool		imported;		/* derived roles: some resource policy imports it */
} CompiledPolicy;

typedef struct PolicySet
{
	PolicyDir	dir;
	CompiledPolicy *policies;	/* enabled policies, in load order */
	int			npolicies;
	int			ndisabled;
	int		   *index;			/* open addressing over policies; -1 = empty */
	int			index_size;
} PolicySet;

/* State of the CEL hook of cel_hook.c. */
typedef struct CompileCelState
{
	Arena	   *arena;			/* where checked ASTs live */
	struct CelEnv *env;			/* cel_env_cerbos() */
} CompileCelState;

/* Whether the CEL engine is linked into this program. */
extern bool compile_cel_available(void);

/* Makes options check every expression with cel_parse + cel_check; false
 * (options unchanged) when the CEL engine is not linked in. */
extern bool compile_use_cel(CompileOptions *options, CompileCelState *state,
							Arena *arena);

/* The hook itself (CompileExprHook). */
extern bool compile_cel_check_expr(void *state, const char *file,
								   const struct CompiledPolicy *policy,
								   const PExpr *expr, CompileExprRole role,
								   void **handle, DiagList *diags);

/* Loads and compiles a directory; false (with diags) when anything is wrong. */
extern bool compile_policy_dir(Arena *arena, const char *path,
							   const CompileOptions *options, PolicySet **out,
							   DiagList *diags);

/* Compiles policies already loaded (for the authz_policies table). */
extern bool compile_policies(Arena *arena, const PolicyDir *dir,
							 const CompileOptions *options, PolicySet **out,
							 DiagList *diags);

/* The policy with this identity, or NULL.  scope "" is the root. */
extern const CompiledPolicy *policy_set_find(const PolicySet *set, PolicyKind kind,
											 const char *name, const char *version,
											 const char *scope);

/* Internal stages (compile.c calls them in order). */
extern bool compile_resolve_variables(Arena *arena, const PolicySet *set,
									  CompiledPolicy *cp, bool check_references,
									  DiagList *diags);

/* Checks a schema a policy references (schemas.c); true when usable. */
extern bool compile_check_schema_ref(Arena *arena, const PolicySet *set,
									 const CompiledPolicy *cp, const PSchemaRef *ref,
									 const char *which, DiagList *diags);

/* Finds V.x / variables.x (prefix "V"/"variables") references in CEL text. */
typedef void (*CompileRefVisitor) (void *state, const char *name, size_t len);
extern void compile_scan_refs(const char *text, const char *short_prefix,
							  const char *long_prefix, CompileRefVisitor visit,
							  void *state);

#endif							/* AUTHZ_COMPILER_H */
