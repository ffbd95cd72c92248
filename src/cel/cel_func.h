/*
 * cel_func.h — the contract between the evaluator and function libraries.
 *
 * Every CEL function (operators included, under cel-go's names such as
 * "_+_", "_[_]", "@in") is a set of overloads.  A library is a static table
 * of CelOverload rows; the checker reads `signature` to type calls, the
 * evaluator calls `impl`.  One file per library (std, strings, lists, math,
 * time, regex, net, encoders, sets, cerbos), each exporting one CelLibrary.
 *
 * Signatures are written in a tiny type language parsed once at start-up:
 *   "string.startsWith(string) -> bool"      receiver-style (member) call
 *   "size(list(A)) -> int"                  global call; A, B... are params
 *   "max(int, int...) -> int"                ... = variadic (rest args)
 * Types: int uint double bool string bytes null_type dyn
 *        timestamp duration (google.protobuf.Timestamp/Duration also read)
 *        list(T) map(K, V) optional_type(T) type(T) and parameters A..Z.
 *
 * Strict overloads (the default) never see error or unknown arguments: the
 * evaluator returns the first such argument instead of calling them.
 */
#ifndef AUTHZ_CEL_FUNC_H
#define AUTHZ_CEL_FUNC_H

#include "cel_value.h"

typedef struct CelEvalContext CelEvalContext;

/* Per-evaluation state a function may use. */
struct CelEvalContext
{
	Arena	   *arena;			/* allocate results here */
	int64_t		now_sec;		/* now() for this request (fixed) */
	int32_t		now_nsec;
	bool		now_set;		/* false: now() takes the clock once, then fixed */
	bool		now_read;		/* some function read now() (the planner's callers
								 * must not reuse a plan made at another time) */
	/* resource limits; exceeding one yields an error value naming it */
	int64_t		max_iterations; /* comprehension steps per evaluation */
	int64_t		iterations;
	size_t		max_string_bytes;	/* largest string/bytes a function builds */
	size_t		max_list_items; /* largest list/map a function builds */
	int64_t		regex_match_limit;	/* PCRE2 match limit */
	void	   *regex_cache;	/* owned by regex library */
	void	   *user;			/* embedding layer's data (engine, pg/) */
	/* polled in loops; returns true when evaluation must stop (cancel) */
	bool		(*interrupted) (void *user);
	size_t		max_regex_bytes;	/* longest regex pattern compiled (0 = any) */
	/*
	 * Called with the limit's name (CEL_LIMIT_*) when an evaluation hits
	 * one of the limits above, before the error value is returned; the
	 * embedding layer may raise its own error from it (pg/ does, so that a
	 * limit is an ERROR naming its setting).  NULL: only the error value.
	 */
	void		(*limit_exceeded) (void *user, const char *limit);
	const char *limit_hit;		/* first limit hit in this evaluation, or NULL */
	bool		stopped;		/* interrupted said stop: every later step fails */
};

/* Names of the limits, as passed to limit_exceeded. */
#define CEL_LIMIT_ITERATIONS "max_iterations"
#define CEL_LIMIT_STRING_BYTES "max_string_bytes"
#define CEL_LIMIT_LIST_ITEMS "max_list_items"
#define CEL_LIMIT_REGEX_BYTES "max_regex_bytes"
#define CEL_LIMIT_REGEX_MATCH "regex_match_limit"

/* Records a limit hit (calling limit_exceeded) and returns its error value. */
extern CelValue cel_limit_error(CelEvalContext *ctx, const char *limit,
								const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

typedef CelValue (*CelFunctionImpl) (CelEvalContext *ctx, const CelValue *args,
									 int nargs);

typedef enum CelOverloadFlags
{
	CEL_FN_STRICT = 0,			/* errors/unknowns in args short-circuit */
	CEL_FN_NONSTRICT = 1 << 0,	/* impl sees error/unknown args itself */
	CEL_FN_NO_FOLD = 1 << 1,	/* never constant-fold (now(), random...) */
	CEL_FN_VARIADIC = 1 << 2	/* set by the signature parser for "..." */
} CelOverloadFlags;

typedef struct CelOverload
{
	const char *id;				/* cel-go's overload id, e.g. "starts_with_string" */
	const char *signature;		/* see above */
	CelFunctionImpl impl;
	uint32_t	flags;			/* CelOverloadFlags */
} CelOverload;

typedef struct CelLibrary
{
	const char *name;			/* "std", "strings", "cerbos", ... */
	const CelOverload *overloads;
	int			count;
} CelLibrary;

/* The libraries, each defined in its own file. */
extern const CelLibrary cel_lib_std;		/* std.c: operators, conversions, size, ... */
extern const CelLibrary cel_lib_time;		/* time.c: timestamp/duration accessors */
extern const CelLibrary cel_lib_strings;	/* strings.c: ext.Strings */
extern const CelLibrary cel_lib_lists;		/* lists.c: ext.Lists */
extern const CelLibrary cel_lib_math;		/* math.c: ext.Math */
extern const CelLibrary cel_lib_sets;		/* sets.c: ext.Sets */
extern const CelLibrary cel_lib_encoders;	/* encoders.c: base64 */
extern const CelLibrary cel_lib_regex;		/* regex.c: matches, ext regex */
extern const CelLibrary cel_lib_net;		/* net.c: ext.Network (ip, cidr) */
extern const CelLibrary cel_lib_optional;	/* optional.c: optional types */
extern const CelLibrary cel_lib_cerbos;		/* cerbos.c: hierarchy, inIPAddrRange, ... */

/*
 * The type a type name denotes when used as a value or in type() results
 * ("int", "list", "map", "type", "null_type", "optional_type",
 * "google.protobuf.Timestamp"...); NULL if the name is not a type.
 * Defined in std.c.
 */
extern const CelType *cel_type_named(const char *name);

/* The optional_type descriptor for type(optional.of(x)) (std.c). */
extern const CelType cel_type_optional;

#endif							/* AUTHZ_CEL_FUNC_H */
