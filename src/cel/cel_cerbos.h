/*
 * cel_cerbos.h — Cerbos 0.55's own CEL functions and value types.
 *
 * The library table lives in cerbos.c (sets, now/timeSince, id,
 * inIPAddrRange); the hierarchy type in cerbos_hierarchy.c, the SPIFFE
 * types in cerbos_spiffe.c and the path functions in cerbos_path.c, whose
 * implementations the table refers to.
 *
 * Opaque type names are Cerbos' own ("cerbos.lib.hierarchy",
 * "cerbos.lib.spiffeID", "cerbos.lib.spiffeTrustDomain",
 * "cerbos.lib.spiffeMatcher"); type() of such a value prints them.
 */
#ifndef AUTHZ_CEL_CERBOS_H
#define AUTHZ_CEL_CERBOS_H

#include "cel_func.h"

/* A hierarchy: the parts of "a.b.c" (or of a list of strings). */
typedef struct CelHierarchy
{
	size_t		n;
	const char *const *part;
	const size_t *len;
} CelHierarchy;

extern const CelOpaqueType cel_hierarchy_type;
extern const CelOpaqueType cel_spiffe_id_type;
extern const CelOpaqueType cel_spiffe_td_type;
extern const CelOpaqueType cel_spiffe_matcher_type;

/* The type a Cerbos type name denotes ("cerbos.lib.hierarchy",
 * "cerbos.lib.spiffeID", ...), else NULL; for cel_type_named. */
extern const CelType *cel_cerbos_type_named(const char *name);

/* hierarchy(string[, delimiter]) as Go's strings.Split builds it. */
extern CelValue cel_hierarchy_from_string(Arena *arena, const char *s,
										  size_t len, const char *delim,
										  size_t delim_len);

/* hierarchy.size() for callers that only need the count. */
extern size_t cel_hierarchy_size(CelValue h);

/*
 * spiffeID(string): a SPIFFE ID per go-spiffe's spiffeid.FromString, or
 * "failed to parse SPIFFE ID: <reason>".
 */
extern CelValue cel_spiffe_id_parse(Arena *arena, const char *s, size_t len);

/* Overload implementations (the table is in cerbos.c). */
extern CelValue cel_fn_hierarchy(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_hierarchy_delim(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_hierarchy_list(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_hierarchy_ancestor_of(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_hierarchy_common_ancestors(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_hierarchy_descendent_of(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_hierarchy_immediate_child_of(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_hierarchy_immediate_parent_of(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_hierarchy_overlaps(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_hierarchy_sibling_of(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_hierarchy_size(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_hierarchy_index(CelEvalContext *ctx, const CelValue *args, int nargs);

extern CelValue cel_fn_path_match(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_path_match_any_of(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_path_has_prefix(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_rel_path(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_base_path(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_ext_path(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_dir_path(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_join_path(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_volume_name(CelEvalContext *ctx, const CelValue *args, int nargs);

extern CelValue cel_fn_spiffe_id(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_spiffe_trust_domain(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_spiffe_match_any(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_spiffe_match_exact(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_spiffe_match_one_of(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_spiffe_match_trust_domain(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_spiffe_id_is_member_of(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_spiffe_id_path(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_spiffe_id_trust_domain(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_spiffe_td_id(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_spiffe_td_name(CelEvalContext *ctx, const CelValue *args, int nargs);
extern CelValue cel_fn_spiffe_matches_id(CelEvalContext *ctx, const CelValue *args, int nargs);

#endif							/* AUTHZ_CEL_CERBOS_H */
