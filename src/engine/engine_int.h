/*
 * engine_int.h — the engine's internal structures, shared by its files.
 *
 * The compiled set (EngineSet) is arrays plus indexes into them: rows of
 * Cerbos' rule table, the policies they came from, derived roles, variable
 * tables ("params") and scope facts.  Strings and CEL ASTs point into the
 * compile arena; nothing here is written after compilation, so a serialiser
 * can turn pointers into offsets one array at a time.
 *
 * Per-request state (ECheck) is separate and lives in the request arena.
 */
#ifndef AUTHZ_ENGINE_INT_H
#define AUTHZ_ENGINE_INT_H

#include "../common/jansson_safe.h"

#include "engine.h"
#include "../cel/cel.h"
#include "../compiler/compiler.h"

/* ---------- compiled conditions and expressions ---------- */

typedef enum ECondOp
{
	ECOND_EXPR = 1,
	ECOND_ALL,
	ECOND_ANY,
	ECOND_NONE
} ECondOp;

/* A rule condition keeping its own combinator (no merging of equal lists). */
typedef struct ECond
{
	int			op;
	const CelAst *ast;			/* ECOND_EXPR; NULL = could not compile (false) */
	const char *text;
	const struct ECond *of;
	int			nof;
} ECond;

typedef struct EVar
{
	const char *name;
	const CelAst *ast;			/* NULL = not compiled: evaluates to an error */
	const char *text;
} EVar;

/* A policy's variables (dependency order) and constants. */
typedef struct EParams
{
	int			id;				/* index into EngineSet.params, for the per-request cache */
	const EVar *vars;
	int			nvars;
	CelValue	constants;		/* map name -> value */
} EParams;

typedef struct EDerivedRole
{
	const char *name;
	const char **parents;
	int			nparents;
	const ECond *cond;			/* NULL = unconditional */
	const EParams *params;		/* of the derived_roles policy */
} EDerivedRole;

/* ---------- the rule table ---------- */

typedef enum ERowType
{
	EROW_PRINCIPAL = 1,			/* principal policy rule (any role) */
	EROW_RESOURCE,				/* resource policy rule for one role */
	EROW_ROLE_POLICY			/* role policy rule: allowActions for a role */
} ERowType;

typedef struct ERow
{
	int			type;
	const char *resource;		/* kind or glob */
	const char *principal;		/* EROW_PRINCIPAL: principal id */
	const char *role;			/* "*", a role (or glob); for derived-role rows a parent role */
	const char *action;			/* glob; NULL for role-policy rows */
	const char **allow_actions; /* EROW_ROLE_POLICY */
	int			nallow_actions;
	int			effect;			/* ENGINE_EFFECT_* */
	const ECond *cond;			/* NULL = always */
	const EDerivedRole *derived_role;	/* row stands for this derived role */
	const EParams *params;
	const char *name;			/* rule name ("rule-001" when unnamed) */
	const char *policy_key;		/* "resource.leave_request.vdefault/acme" */
	const char *scope;
	const char *version;
	const CelAst *out_activated;	/* output.when.ruleActivated or output.expr */
	const CelAst *out_not_met;
	bool		has_out_activated;
	bool		has_out_not_met;
	int			cond_key;		/* per-request condition cache slot; -1 = none */
} ERow;

/* Rows of one (policy type, version, scope), in policy order. */
typedef struct EBucket
{
	int			type;			/* EROW_PRINCIPAL or EROW_RESOURCE (role policies too) */
	const char *version;
	const char *scope;
	int		   *rows;
	int			nrows;
	int			cap;
} EBucket;

/* A schema a resource policy refers to, loaded as a CEL value. */
typedef struct ESchemaRef
{
	bool		present;
	CelValue	schema;
	const char **ignore;		/* ignoreWhen.actions */
	int			nignore;
} ESchemaRef;

/* A resource or principal policy (or role policy) identity. */
typedef struct EPolicy
{
	int			kind;			/* POLICY_RESOURCE, POLICY_PRINCIPAL, POLICY_ROLE */
	const char *name;
	const char *version;
	const char *scope;
	const char *key;			/* "resource.x.vV/scope" */
	const EDerivedRole **derived_roles; /* referenced by its rules, import order */
	int			nderived_roles;
	const char **parent_roles;	/* role policies */
	int			nparent_roles;
	const char **resources;		/* role policies: resource globs of its rules */
	int			nresources;
	ESchemaRef	principal_schema;	/* resource policies */
	ESchemaRef	resource_schema;
} EPolicy;

typedef struct EScopePerm
{
	const char *scope;
	int			perm;
} EScopePerm;

/* A simple string hash index: key -> int (open addressing, -1 empty). */
typedef struct EIndex
{
	const char **keys;
	int		   *vals;
	int			size;
} EIndex;

struct EngineSet
{
	EngineConfig config;
	const char *default_version;
	CelValue	globals;
	ERow	   *rows;
	int			nrows;
	EBucket    *buckets;
	int			nbuckets;
	EIndex		bucket_index;	/* "type|version|scope" -> bucket */
	EPolicy    *policies;
	int			npolicies;
	EIndex		policy_index;	/* "kind|name|version|scope" -> policy */
	EParams   **params;
	int			nparams;
	EIndex		role_index;		/* "role|scope" -> role policy (any version) */
	EIndex		scope_index;	/* "type|scope": a policy of that type exists there */
	int			ncond_keys;		/* condition cache slots (rules x derived roles) */
	EScopePerm *scope_perms;
	int			nscope_perms;
	int			nsource_policies;
};

/* ---------- the request model ---------- */

/* The public request parts (engine.h) under the engine's short names. */
typedef EnginePrincipal EPrincipal;
typedef EngineResource EResource;

typedef struct EResourceEntry
{
	EResource	resource;
	const char **actions;
	int			nactions;
} EResourceEntry;

typedef struct ERequest
{
	const char *request_id;
	bool		include_meta;
	EPrincipal	principal;
	EResourceEntry *resources;
	int			nresources;
	CelValue	aux_data;		/* map {jwt: {...}} */
} ERequest;

/* ---------- results ---------- */

typedef struct EActionResult
{
	const char *action;
	int			effect;
	const char *policy;
	const char *scope;
} EActionResult;

typedef struct EOutputEntry
{
	const char *src;
	const char *action;
	bool		has_val;
	CelValue	val;
	const char *error;			/* the CEL error when the expression failed */
} EOutputEntry;

typedef struct EValidationError
{
	const char *path;
	const char *message;
	const char *source;			/* SOURCE_PRINCIPAL or SOURCE_RESOURCE */
} EValidationError;

typedef struct EResult
{
	const EResourceEntry *entry;
	EActionResult *actions;
	EOutputEntry *outputs;
	int			noutputs;
	int			outputs_cap;
	const char **derived_roles; /* effective, sorted */
	int			nderived_roles;
	EValidationError *validation_errors;
	int			nvalidation_errors;
} EResult;

/* ---------- functions shared between files ---------- */

/* glob.c: Cerbos' action/role/resource globs (':' separates segments). */
extern bool engine_glob_match(const char *pattern, const char *value);

/* index.c */
extern bool eindex_init(Arena *arena, EIndex *ix, int capacity);
extern bool eindex_put(EIndex *ix, const char *key, int val);
extern int	eindex_get(const EIndex *ix, const char *key);

/* values.c: JSON and YAML nodes as CEL values. */
extern CelValue engine_json_to_cel(Arena *arena, const json_t *j, int depth);
extern json_t *engine_cel_to_json(CelValue v, int depth);
struct PNode;
extern CelValue engine_pnode_to_cel(Arena *arena, const struct PNode *n, int depth);
extern CelValue engine_string_list(Arena *arena, const char **items, int n);

/* cel_bridge.c: the CEL engine behind the engine. */
extern const CelEnv *engine_cel_env(Arena *arena);
struct PExpr;
extern const CelAst *engine_cel_compile(Arena *arena, const CelEnv *env,
										const char *file, const struct PExpr *expr,
										DiagList *diags);
extern bool engine_cel_available(void);

/* the compiler's checked ASTs, by PExpr address (cel_bridge.c) */
typedef struct EAstCache EAstCache;
struct CompiledPolicy;
extern EAstCache *engine_ast_cache_new(Arena *arena);
extern const CelAst *engine_ast_cache_get(const EAstCache *cache, const void *key);

/* state of engine_compile_hook: the compiler's CEL hook plus the AST table */
typedef struct EngineHookState
{
	CompileCelState cel;
	EAstCache  *cache;
} EngineHookState;

extern bool engine_compile_hook(void *state, const char *file,
								const struct CompiledPolicy *policy,
								const struct PExpr *expr, CompileExprRole role,
								void **handle, DiagList *diags);

/* ruletable.c */
struct PolicySet;
extern EngineSet *engine_build(Arena *arena, const struct PolicySet *ps,
							   const EngineConfig *config, const EAstCache *asts,
							   DiagList *diags);
extern const EBucket *engine_bucket(const EngineSet *set, int type,
									const char *version, const char *scope);
extern const EPolicy *engine_policy(const EngineSet *set, int kind, const char *name,
									const char *version, const char *scope);
extern int	engine_scope_permissions(const EngineSet *set, const char *scope);
extern const EPolicy *engine_role_policy(const EngineSet *set, const char *role,
										 const char *scope);
extern bool engine_scope_exists(const EngineSet *set, int type, const char *scope);
extern const char *engine_policy_key(Arena *arena, const char *kind, const char *name,
									 const char *version, const char *scope);

/* set_config.c */
extern bool engine_apply_config(Arena *arena, EngineSet *set, const EngineConfig *config,
								DiagList *diags);

/* request_json.c / response_json.c */
extern bool engine_decode_request(Arena *arena, const char *text, size_t len,
								  const EngineSet *set, const EngineCheckOptions *options,
								  ERequest *out, const char **error);
extern bool engine_decode_principal(Arena *arena, const json_t *j, EPrincipal *out,
									const char **error);
extern bool engine_decode_resource(Arena *arena, const json_t *j, EResource *out,
								   const char *path, const char **error);
extern bool engine_decode_request_parts(Arena *arena, const char *principal_json,
										const char *resource_json, ERequest *req,
										EResourceEntry *entry, const char **error);
extern bool engine_decode_aux_data(Arena *arena, const json_t *j, CelValue *out,
								  const EngineCheckOptions *options, const char **error);
extern char *engine_encode_response(Arena *arena, const ERequest *req,
									const EResult *results);

/* schema.c */
struct PolicyDir;
struct Policy;
struct PSchemaRef;
extern bool engine_load_schema_ref(Arena *arena, const struct PolicyDir *dir,
								   const struct Policy *pol, const struct PSchemaRef *ref,
								   ESchemaRef *out, DiagList *diags);
extern int	engine_validate(Arena *arena, const EPolicy *pol, const EPrincipal *principal,
							const EResourceEntry *entry, EValidationError **errors);

/* ---------- per-request evaluation state (evaluate.c) ---------- */

typedef struct ECheck
{
	const EngineSet *set;
	Arena	   *arena;
	const ERequest *req;
	const EResourceEntry *entry;
	CelEvalContext ctx;
	CelActivation act;
	CelValue	P;
	CelValue	R;
	CelValue	request;
	/* derived roles active for runtime.effectiveDerivedRoles */
	const char **edr;
	int			nedr;
	bool		edr_pending;	/* recorded, evaluated when runtime is read */
	const char *edr_version;
	const char *edr_scope;
	const char **edr_roles;
	int			edr_nroles;
	bool		runtime_built;
	CelValue	runtime;
	/* variables per EParams.id, evaluated on first use */
	CelValue   *vars;
	uint8_t    *vars_done;
	const EParams *cur;
	CelValue	cur_vars;
	uint8_t    *cond_cache;		/* per EngineSet.ncond_keys: 0 unknown, 1 met, 2 not */
	EResult    *out;
	/* strict evaluation: a condition's CEL error stops the action (check.c) */
	bool		strict;
	bool		strict_error;	/* set by engine_cond_holds, cleared per action */
	bool		edr_error;		/* a derived role errored: runtime reads fail */
} ECheck;

#define ENGINE_MAX_SCOPES 64
#define ENGINE_MAX_ROLES 256

extern bool engine_eval_begin(ECheck *c, const EngineSet *set, Arena *arena,
							  const ERequest *req, const EResourceEntry *entry,
							  const EngineCheckOptions *options, EResult *out);
extern void engine_eval_request_values(ECheck *c);
extern void engine_use_params(ECheck *c, const EParams *p);
extern bool engine_cond_holds(ECheck *c, const ECond *cond, int depth);
extern void engine_emit_output(ECheck *c, const ERow *row, const CelAst *ast,
							   const char *action);

/* scopes.c */
extern const char *engine_scope_value(const char *scope);
extern bool engine_scoped_rows_exist(const EngineSet *set, bool principal, const char *kind,
									 const char *version, const char **scopes, int n);
extern int	engine_scope_chain(ECheck *c, bool principal, const char *name,
							   const char *version, const char *scope,
							   const char **scopes, const char **key);
extern int	engine_add_parent_roles(ECheck *c, const char *scope, const char **roles,
									int n, int max);

/* roles.c */
extern void engine_derived_roles_at(ECheck *c, const char *version, const char *scope,
									const char **all_roles, int nall);
extern void engine_derived_roles_eval(ECheck *c);
extern bool engine_role_matches(const char *row_role, const char **roles, int n);
extern int	engine_role_policy_denies(ECheck *c, const EBucket *bk, const char *action,
									  const char **roles, int nroles, const char **policy);

/* check.c */
extern void engine_check_resource(const EngineSet *set, Arena *arena,
								  const ERequest *req, const EResourceEntry *entry,
								  const EngineCheckOptions *options, EResult *out);

/* api.c: shared by the check and plan entry points */
extern EngineCheckOptions engine_fixed_now(const EngineCheckOptions *options);
extern bool engine_decoded_request(Arena *arena, const EnginePrincipal *principal,
								   const EngineResource *resource,
								   const EngineCheckOptions *options,
								   ERequest *req, EResourceEntry *entry,
								   const char **error);

#endif							/* AUTHZ_ENGINE_INT_H */
