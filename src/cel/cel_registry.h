/*
 * cel_registry.h — every overload of every library, parsed and indexed.
 *
 * Libraries describe overloads with signature strings (cel_func.h).  The
 * registry parses each string once into a CelSignature (CelType trees for
 * the parameters and the result), numbers all overloads of all libraries in
 * one global order, and indexes them by function name and call style
 * (global f(x) or receiver x.f()).
 *
 * Two clients:
 *   - the checker enumerates the candidates of a call (cel_registry_candidates)
 *     and records the one it resolved as CelSignature.index in ast->overload;
 *   - the evaluator calls through cel_registry_invoke (a resolved overload)
 *     or cel_registry_call (dynamic dispatch on the runtime kinds of the
 *     arguments, cel-go's "no such overload" when nothing matches).
 *
 * Runtime matching follows cel-go's runtime type guards: a parameter of a
 * concrete type matches values of that kind; list(T) and map(K, V) match any
 * list or map (element types are only consulted to break ties between
 * overloads of the same shape); dyn, type parameters and any match anything.
 * Opaque types match values whose CelOpaqueType has the same name.
 *
 * Opaque (library-defined) types are spelled in signatures either as a
 * dotted name whose last part starts with a capital letter and is longer
 * than one letter ("net.IP", "net.CIDR", "spiffe.ID") or explicitly as
 * opaque(name) ("opaque(hierarchy)").  A dotted prefix before the function
 * name counts as a receiver type only if it is a type by these rules, so
 * "optional.of(A)", "math.greatest(int...)" and "ip.isCanonical(string)"
 * are global functions while "net.IP.family() -> int" is a member call.
 *
 * The default registry (all libraries Cerbos enables) is built on first use
 * into process-lifetime memory and never changes afterwards, so overload
 * indexes stored in a compiled policy image stay valid for the process and
 * for every process running the same build.
 */
#ifndef AUTHZ_CEL_REGISTRY_H
#define AUTHZ_CEL_REGISTRY_H

#include "../common/diag.h"
#include "cel_func.h"

typedef struct CelSignature
{
	int			index;			/* global overload index (ast->overload) */
	const CelOverload *overload;	/* the library row (id, impl, flags) */
	const CelLibrary *library;
	const char *function;		/* "_+_", "startsWith", "math.greatest" */
	bool		receiver;		/* x.f(...) style; params[0] is the receiver */
	bool		variadic;		/* the last parameter repeats ("...") */
	int			nparams;		/* including the receiver */
	const CelType *const *params;
	const CelType *result;
	uint32_t	flags;			/* overload->flags | CEL_FN_VARIADIC */
	int			nvars;			/* distinct type parameters (A, B...) used */
} CelSignature;

typedef struct CelRegistry CelRegistry;

/*
 * Builds a registry over the given libraries in that order.  Signature
 * strings that do not parse are reported to diags (and skipped).  All
 * memory comes from the arena.  Returns NULL only when the arena fails.
 */
extern CelRegistry *cel_registry_build(Arena *arena,
									   const CelLibrary *const *libraries,
									   int nlibraries, DiagList *diags);

/* The registry of every library, built once; NULL if memory ran out. */
extern const CelRegistry *cel_registry_default(void);

/* The fixed list and order of libraries in the default registry. */
extern const CelLibrary *const cel_all_libraries[];
extern const int cel_all_libraries_count;

/* Number of overloads and access by global index (NULL if out of range). */
extern int	cel_registry_count(const CelRegistry *reg);
extern const CelSignature *cel_registry_get(const CelRegistry *reg, int index);

/* The overload with cel-go's overload id, or NULL. */
extern const CelSignature *cel_registry_find_id(const CelRegistry *reg,
												const char *id);

/*
 * The overloads of a function called in one style, in declaration order;
 * sets *out to an array of *count pointers (NULL/0 when there are none).
 * The array belongs to the registry.
 */
extern void cel_registry_candidates(const CelRegistry *reg, const char *function,
									bool receiver,
									const CelSignature *const **out, int *count);

/* True if any library defines the function (in either style). */
extern bool cel_registry_has_function(const CelRegistry *reg,
									  const char *function);

/*
 * An opaque (library-defined) type named in some signature, e.g. "net.IP",
 * for type denotations (type(ip('1.2.3.4')) == net.IP); NULL if none.
 */
extern const CelType *cel_registry_find_type(const CelRegistry *reg,
											 const char *name);

/* Parses one type in the signature language ("list(int)", "map(K, V)"). */
extern const CelType *cel_registry_parse_type(const CelRegistry *reg,
											  Arena *arena, const char *text);

/* Renders a signature's type as cel-go spells it in messages. */
extern const char *cel_registry_format_type(Arena *arena, const CelType *t);

/* Whether a runtime value fits a parameter type (outer kind; deep also
 * checks list elements and map entries). */
extern bool cel_value_fits_type(CelValue v, const CelType *t, bool deep);

/* Whether args fit the signature (arity and runtime kinds). */
extern bool cel_signature_matches(const CelSignature *sig, const CelValue *args,
								  int nargs);

/* The overload a call dispatches to at runtime, or NULL. */
extern const CelSignature *cel_registry_dispatch(const CelRegistry *reg,
												 const char *function,
												 bool receiver,
												 const CelValue *args,
												 int nargs);

/*
 * Calls one overload: strict overloads return the first unknown (else the
 * first error) among the arguments instead of running.  The arguments are
 * not checked against the signature (see cel_signature_matches).
 */
extern CelValue cel_registry_invoke(CelEvalContext *ctx, const CelSignature *sig,
									const CelValue *args, int nargs);

/*
 * Dynamic dispatch: strictness as above (an error among the args of a
 * function whose overloads are all strict is returned as is), then the
 * matching overload is called, else "no such overload".
 */
extern CelValue cel_registry_call(CelEvalContext *ctx, const CelRegistry *reg,
								  const char *function, bool receiver,
								  const CelValue *args, int nargs);

#endif							/* AUTHZ_CEL_REGISTRY_H */
