/*
 * engine.h — Cerbos 0.55's check decision procedure, in pure C.
 *
 * Two phases, kept apart so the compiled part can live in shared memory:
 *
 *   compile  engine_compile_dir() loads a policy directory (policy/),
 *            resolves it (compiler/), parses and type-checks every CEL
 *            expression with cel_env_cerbos(), and builds an EngineSet: a
 *            rule table of flat rows bucketed by (policy type, version,
 *            scope), plus the derived roles, variables, constants, parent
 *            roles and scope permissions each row needs.  Everything lives
 *            in the caller's Arena and is never written after compilation.
 *
 *   check    engine_check_json() takes the body of Cerbos'
 *            POST /api/check/resources and returns the body Cerbos would
 *            answer; engine_check_one() decides one (principal, resource,
 *            action) triple.  Per-request state (variables evaluated on
 *            first use, derived roles, now()) lives in a request Arena that
 *            the caller resets after the call.
 *
 * Errors are values: compilation reports DiagList entries with
 * file:line:column; a bad request yields false and a message naming the
 * field ("principal.roles: value must contain at least 1 item(s)").
 *
 * Semantics follow the real Cerbos 0.55 binary (checked by
 * test/engine/differential.py and test/unit/test_engine_check.c), except
 * that each rule keeps its own all/any/none combinator (Cerbos 0.55 merges
 * rules whose condition lists are equal).  auxData JWTs are verified by the
 * caller's EngineCheckOptions.verify_jwt (without one their claims are
 * decoded unverified, as with Cerbos' jwt.disableVerification).  Cerbos'
 * optional strict evaluation mode (engine.strictEvaluation) is
 * EngineConfig.strict_evaluation, or EngineCheckOptions.strict_evaluation
 * for one call (check.c describes what it changes).
 *
 * Typical use (the PostgreSQL layer):
 *
 *     EngineConfig cfg = {0};                // default version "default"
 *     cfg.globals_json = "{\"env\":\"prod\"}";
 *     EngineSet *set = engine_compile_dir(long_lived_arena, dir, &cfg, &diags);
 *     ...
 *     char *resp = engine_check_json(set, per_call_arena, body, len, NULL, &err);
 *     // NULL: err names the field -> ERROR 22023; else the response JSON
 *     arena_reset(per_call_arena);
 *
 * Link flags: -ljansson -lyaml -lpcre2-8 -lssl -lcrypto -lm (CEL, policy).
 */
#ifndef AUTHZ_ENGINE_H
#define AUTHZ_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/diag.h"
#include "../cel/cel_value.h"

typedef struct EngineSet EngineSet;

/* Cerbos' engine settings (config `engine:`). */
typedef struct EngineConfig
{
	const char *default_policy_version; /* NULL = "default" */
	bool		lenient_scope_search;
	const char *globals_json;	/* JSON object for G/globals; NULL = {} */
	int			schema_enforcement; /* ENGINE_SCHEMA_NONE / _WARN / _REJECT */
	int			max_resources;	/* 0 = unlimited */
	int			max_actions;	/* per resource; 0 = unlimited */
	/*
	 * engine.strictEvaluation: a CEL error in a condition the check
	 * evaluates denies the action instead of making the condition false.
	 * A setting of the set, like Cerbos' server config; the per-call
	 * EngineCheckOptions.strict_evaluation can turn it on for one call
	 * (test suites choose it per suite without recompiling).
	 */
	bool		strict_evaluation;
} EngineConfig;

#define ENGINE_SCHEMA_NONE 0
#define ENGINE_SCHEMA_WARN 1
#define ENGINE_SCHEMA_REJECT 2

/* Compiles a policy directory; NULL (with diags) when anything is wrong. */
extern EngineSet *engine_compile_dir(Arena *arena, const char *dir,
									 const EngineConfig *config, DiagList *diags);

/* Compiles decoded policies (see api.c); *policy_set may be NULL. */
struct PolicyDir;
struct PolicySet;
extern EngineSet *engine_compile_policies(Arena *arena, const struct PolicyDir *dir,
										  const EngineConfig *config,
										  struct PolicySet **policy_set,
										  DiagList *diags);

/*
 * A set sharing base's compiled rule table (read-only, e.g. in shared
 * memory) but deciding with config; only a small header is allocated in
 * arena.  NULL (with diags) when config is invalid.
 */
extern EngineSet *engine_set_with_config(Arena *arena, const EngineSet *base,
										 const EngineConfig *config, DiagList *diags);

/*
 * A copy of a compiled set holding only what checks and plans read (not
 * the compiler's leftovers), in dst, with the default engine settings;
 * scratch holds temporary bookkeeping.  NULL when either arena ran out.
 */
extern EngineSet *engine_set_copy(Arena *dst, const EngineSet *src, Arena *scratch);

/* Number of enabled policies and rule rows in a compiled set. */
extern int	engine_set_policy_count(const EngineSet *set);
extern int	engine_set_row_count(const EngineSet *set);

/*
 * Verifies one auxData JWT (token, keySetId as given, "" if absent) and
 * returns its claims as JSON object text allocated in arena, or NULL with
 * *error set ("token expired", ...), which rejects the request.
 */
typedef const char *(*EngineJwtVerifier) (void *state, Arena *arena, const char *token,
										  const char *key_set_id, const char **error);

/* Per-call options (NULL = defaults: now() read once per call). */
typedef struct EngineCheckOptions
{
	bool		now_pinned;		/* use now_sec/now_nsec for now() (tests, authz GUC) */
	int64_t		now_sec;
	int32_t		now_nsec;
	/* NULL: auxData JWT claims are decoded unverified (Cerbos'
	 * jwt.disableVerification); set it to verify them (session/) */
	EngineJwtVerifier verify_jwt;
	void	   *verify_jwt_state;
	/* engine_check_decoded only: verified claims for request.auxData.jwt
	 * (a CEL map), or NULL for none */
	const CelValue *aux_jwt;

	/*
	 * Limits on each condition's evaluation (CelEvalContext's); 0 takes the
	 * default: 1,000,000 comprehension steps, 16 MiB strings, 1,000,000 list
	 * or map items, a PCRE2 match limit of 1,000,000, any regex size.
	 */
	int64_t		max_iterations;
	size_t		max_string_bytes;
	size_t		max_list_items;
	int64_t		regex_match_limit;
	size_t		max_regex_bytes;
	/* polled during long evaluations: true stops them (query cancel) */
	bool		(*interrupted) (void *state);
	/* told the name of a limit (CEL_LIMIT_*) an evaluation hit */
	void		(*limit_exceeded) (void *state, const char *limit);
	void	   *callback_state;
	/* strict evaluation for this call even when the set's config is off */
	bool		strict_evaluation;
} EngineCheckOptions;

/*
 * CheckResources: request JSON text in, response JSON text out (allocated
 * in `arena`).  Returns NULL for a request Cerbos would reject with 400,
 * with *error set to a message that names the field.
 */
extern char *engine_check_json(const EngineSet *set, Arena *arena,
							   const char *request_json, size_t len,
							   const EngineCheckOptions *options,
							   const char **error);

/*
 * A principal and a resource already decoded (for callers that hold the
 * values in another form, such as jsonb): strings NUL-terminated, "" when
 * absent; attr a CEL map (JSON numbers as doubles, as Cerbos reads them).
 */
typedef struct EnginePrincipal
{
	const char *id;
	const char **roles;
	int			nroles;
	CelValue	attr;
	const char *policy_version;
	const char *scope;
} EnginePrincipal;

typedef struct EngineResource
{
	const char *kind;
	const char *id;
	CelValue	attr;
	const char *policy_version;
	const char *scope;
} EngineResource;

/* Effects as in cerbos.effect.v1.Effect. */
#define ENGINE_EFFECT_ALLOW 1
#define ENGINE_EFFECT_DENY 2

/* One decision. */
typedef struct EngineDecision
{
	int			effect;			/* ENGINE_EFFECT_ALLOW or _DENY */
	const char *policy;			/* matchedPolicy ("NO_MATCH" if none) */
	const char *scope;			/* matchedScope ("" at the root) */
} EngineDecision;

/*
 * One (principal, resource, action) decision.  principal_json and
 * resource_json are the objects of a CheckResources request
 * ({"id","roles","attr","policyVersion","scope"} and
 * {"kind","id","attr","policyVersion","scope"}).  False with *error for a
 * malformed principal or resource.
 */
extern bool engine_check_one(const EngineSet *set, Arena *arena,
							 const char *principal_json, const char *resource_json,
							 const char *action, const EngineCheckOptions *options,
							 EngineDecision *out, const char **error);

/*
 * One decision for a principal and resource the caller decoded itself
 * (validated as the JSON forms are: id, roles and kind required).  The
 * fast path for authz_check over many rows: no JSON text in between.
 */
extern bool engine_check_decoded(const EngineSet *set, Arena *arena,
								 const EnginePrincipal *principal,
								 const EngineResource *resource, const char *action,
								 const EngineCheckOptions *options, EngineDecision *out,
								 const char **error);

/*
 * authz_allowed_actions: the literal action names of the rules that can
 * apply to the resource's kind, each decided as engine_check_one would; the
 * allowed ones, sorted, in *actions (arena).  Actions granted only through
 * a wildcard rule ("*", "view:*") are not listed.
 */
extern bool engine_allowed_actions(const EngineSet *set, Arena *arena,
								   const char *principal_json, const char *resource_json,
								   const EngineCheckOptions *options,
								   const char ***actions, int *nactions,
								   const char **error);

#endif							/* AUTHZ_ENGINE_H */
