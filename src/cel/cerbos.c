/*
 * cerbos.c — Cerbos 0.55's CEL library: the set functions (intersect,
 * except, hasIntersection/has_intersection, isSubset/is_subset), now(),
 * timeSince(), id(), inIPAddrRange(), and the table that also lists the
 * hierarchy (cerbos_hierarchy.c), SPIFFE (cerbos_spiffe.c) and path
 * (cerbos_path.c: pathMatch, pathMatchAnyOf, pathHasPrefix, basePath,
 * dirPath, extPath, joinPath, relPath, volumeName) functions.
 *
 * Set functions compare elements with CEL equality (so 1 and 1.0 match,
 * as the real binary shows), keep duplicates, and answer in the order of
 * the list they iterate: intersect walks the shorter list.  Their global
 * forms are non-strict in Cerbos: an unknown argument is returned as is,
 * anything else that is not a list becomes "no such overload".
 *
 * now() is one instant per evaluation: the embedding layer sets
 * ctx->now_*; when it has not, the clock is read once and stored back so
 * every later now() and timeSince() of the evaluation agree.  timeSince
 * saturates like Go's Time.Sub instead of overflowing.
 *
 * inIPAddrRange uses Go's net.ParseIP / net.ParseCIDR / IPNet.Contains,
 * which (unlike ext.Network) accept IPv4-mapped IPv6 and treat it as IPv4.
 */
#include "cel_cerbos.h"
#include "cel_net.h"
#include "cel_time.h"

#include <string.h>
#include <time.h>

/* ---------- sets ---------- */

/*
 * Whether v occurs in l by CEL equality: 1 yes, 0 no, -1 when the
 * embedding layer asked to stop (the set functions are quadratic, so long
 * lists poll ctx->interrupted every few thousand comparisons).
 */
static int
list_has(CelEvalContext *ctx, const CelList *l, CelValue v, uint64_t *steps)
{
	for (size_t i = 0; i < l->len; i++)
	{
		if ((++*steps & 4095) == 0 && ctx->interrupted &&
			ctx->interrupted(ctx->user))
			return -1;
		if (cel_equal_bool(v, l->items[i]))
			return 1;
	}
	return 0;
}

/* Checks the two list arguments of a set function (non-strict forms). */
static bool
set_args(CelEvalContext *ctx, const CelValue *args, CelValue *err)
{
	for (int i = 0; i < 2; i++)
	{
		if (args[i].kind == CEL_VAL_LIST)
			continue;
		if (args[i].kind == CEL_VAL_UNKNOWN)
			*err = args[i];
		else
			*err = cel_error(ctx->arena, "no such overload");
		return false;
	}
	return true;
}

/* intersect(a, b): the elements of the shorter list found in the other. */
static CelValue
fn_intersect(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelList *a, *b;
	CelValue   *out;
	size_t		n = 0;
	CelValue	err;
	uint64_t	steps = 0;

	if (!set_args(ctx, args, &err))
		return err;
	a = args[0].u.list;
	b = args[1].u.list;
	if (a->len > b->len)
	{
		const CelList *t = a;

		a = b, b = t;
	}
	out = arena_alloc(ctx->arena, sizeof(CelValue) * (a->len ? a->len : 1));
	if (!out)
		return cel_error(ctx->arena, "out of memory");
	for (size_t i = 0; i < a->len; i++)
	{
		int			found = list_has(ctx, b, a->items[i], &steps);

		if (found < 0)
			return cel_error(ctx->arena, "evaluation interrupted");
		if (found)
			out[n++] = a->items[i];
	}
	return cel_list_from(ctx->arena, out, n);
}

/* except(a, b): the elements of a not found in b. */
static CelValue
fn_except(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelList *a, *b;
	CelValue   *out;
	size_t		n = 0;
	CelValue	err;
	uint64_t	steps = 0;

	if (!set_args(ctx, args, &err))
		return err;
	a = args[0].u.list;
	b = args[1].u.list;
	out = arena_alloc(ctx->arena, sizeof(CelValue) * (a->len ? a->len : 1));
	if (!out)
		return cel_error(ctx->arena, "out of memory");
	for (size_t i = 0; i < a->len; i++)
	{
		int			found = list_has(ctx, b, a->items[i], &steps);

		if (found < 0)
			return cel_error(ctx->arena, "evaluation interrupted");
		if (!found)
			out[n++] = a->items[i];
	}
	return cel_list_from(ctx->arena, out, n);
}

/* hasIntersection(a, b): some element in both. */
static CelValue
fn_has_intersection(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelList *a, *b;
	CelValue	err;
	uint64_t	steps = 0;

	if (!set_args(ctx, args, &err))
		return err;
	a = args[0].u.list;
	b = args[1].u.list;
	if (a->len > b->len)
	{
		const CelList *t = a;

		a = b, b = t;
	}
	for (size_t i = 0; i < a->len; i++)
	{
		int			found = list_has(ctx, b, a->items[i], &steps);

		if (found < 0)
			return cel_error(ctx->arena, "evaluation interrupted");
		if (found)
			return cel_bool(true);
	}
	return cel_bool(false);
}

/* isSubset(a, b): every element of a is in b. */
static CelValue
fn_is_subset(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelValue	err;
	uint64_t	steps = 0;

	if (!set_args(ctx, args, &err))
		return err;
	for (size_t i = 0; i < args[0].u.list->len; i++)
	{
		int			found = list_has(ctx, args[1].u.list, args[0].u.list->items[i], &steps);

		if (found < 0)
			return cel_error(ctx->arena, "evaluation interrupted");
		if (!found)
			return cel_bool(false);
	}
	return cel_bool(true);
}

/* ---------- time ---------- */

/* The evaluation's fixed instant, reading the clock on first use. */
static void
eval_now(CelEvalContext *ctx, int64_t *sec, int32_t *nsec)
{
	if (!ctx->now_set)
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ctx->now_sec = (int64_t) ts.tv_sec;
		ctx->now_nsec = (int32_t) ts.tv_nsec;
		ctx->now_set = true;
	}
	*sec = ctx->now_sec;
	*nsec = ctx->now_nsec;
	ctx->now_read = true;
}

/* now(). */
static CelValue
fn_now(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	int64_t		sec;
	int32_t		nsec;

	eval_now(ctx, &sec, &nsec);
	return cel_timestamp(sec, nsec);
}

/* timeSince(ts): now - ts, saturated at the int64 range as Go's Time.Sub. */
static CelValue
fn_time_since(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	int64_t		sec;
	int32_t		nsec;
	int64_t		dsec;
	int64_t		d;

	eval_now(ctx, &sec, &nsec);
	dsec = sec - args[0].u.ts.sec;
	if (__builtin_mul_overflow(dsec, INT64_C(1000000000), &d) ||
		__builtin_add_overflow(d, (int64_t) nsec - args[0].u.ts.nsec, &d))
		d = dsec < 0 ? INT64_MIN : INT64_MAX;
	return cel_duration(d);
}

/* id(x): x. */
static CelValue
fn_id(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return args[0];
}

/* ---------- inIPAddrRange ---------- */

/* Go's IP.To4 view: 4 bytes for IPv4 and IPv4-mapped IPv6, else 16. */
static int
ip_bytes(const CelNetAddr *a, uint8_t *out)
{
	if (a->is4)
	{
		memcpy(out, a->ip, 4);
		return 4;
	}
	if (cel_netip_is_4in6(a))
	{
		memcpy(out, a->ip + 12, 4);
		return 4;
	}
	memcpy(out, a->ip, 16);
	return 16;
}

/* Go's net.ParseCIDR: cut at the first '/', address without zone, decimal
 * prefix length (leading zeros allowed) within the address size. */
static bool
go_parse_cidr(const char *s, size_t len, CelNetAddr *addr, int *bits)
{
	const char *slash = memchr(s, '/', len);
	size_t		zone = 0;
	size_t		mlen;
	int			n = 0;

	if (!slash)
		return false;
	if (!cel_netip_parse_addr(NULL, s, (size_t) (slash - s), addr, &zone, NULL) ||
		zone > 0)
		return false;
	mlen = len - (size_t) (slash - s) - 1;
	if (mlen == 0)
		return false;
	for (size_t i = 0; i < mlen; i++)
	{
		char		c = slash[1 + i];

		if (c < '0' || c > '9')
			return false;
		n = n * 10 + (c - '0');
		if (n >= 0xFFFFFF)
			return false;
	}
	if (n > (addr->is4 ? 32 : 128))
		return false;
	*bits = n;
	return true;
}

/* "<ip>".inIPAddrRange("<cidr>"). */
static CelValue
fn_in_ip_addr_range(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelNetAddr	ip, net;
	size_t		zone = 0;
	int			bits = 0;
	uint8_t		a[16], b[16], mask[16];
	int			alen, blen;

	if (!cel_netip_parse_addr(NULL, args[0].u.str.ptr, args[0].u.str.len, &ip,
							  &zone, NULL) || zone > 0)
		return cel_error(ctx->arena, "invalid IP address: %.*s",
						 (int) args[0].u.str.len, args[0].u.str.ptr);
	if (!go_parse_cidr(args[1].u.str.ptr, args[1].u.str.len, &net, &bits))
		return cel_error(ctx->arena, "invalid CIDR address: %.*s",
						 (int) args[1].u.str.len, args[1].u.str.ptr);

	/* the mask as Go builds it, then IPNet.Contains' normalisation */
	memset(mask, 0, sizeof(mask));
	for (int i = 0; i < bits; i++)
		mask[i / 8] |= (uint8_t) (0x80 >> (i % 8));
	alen = ip_bytes(&ip, a);
	blen = ip_bytes(&net, b);
	if (!net.is4 && blen == 4)
		memmove(mask, mask + 12, 4);	/* 16-byte mask over an IPv4 network */
	if (alen != blen)
		return cel_bool(false);
	for (int i = 0; i < alen; i++)
		if ((a[i] & mask[i]) != (b[i] & mask[i]))
			return cel_bool(false);
	return cel_bool(true);
}

/* Cerbos' library types by name. */
const CelType *
cel_cerbos_type_named(const char *name)
{
	const CelOpaqueType *types[] = {&cel_hierarchy_type, &cel_spiffe_id_type,
	&cel_spiffe_td_type, &cel_spiffe_matcher_type};

	for (size_t i = 0; name && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i]->name, name) == 0)
			return types[i]->type;
	return NULL;
}

/* ---------- the library ---------- */

#define HIER "opaque(cerbos.lib.hierarchy)"
#define SID "opaque(cerbos.lib.spiffeID)"
#define STD "opaque(cerbos.lib.spiffeTrustDomain)"
#define SMATCH "opaque(cerbos.lib.spiffeMatcher)"

static const CelOverload cerbos_overloads[] = {
	/* sets: a non-strict global form and a member form each */
	{"except_overload", "except(list(A), list(A)) -> list(A)", fn_except, CEL_FN_NONSTRICT},
	{"except_member_overload", "list(A).except(list(A)) -> list(A)", fn_except, 0},
	{"hasIntersection_overload", "hasIntersection(list(A), list(A)) -> bool", fn_has_intersection, CEL_FN_NONSTRICT},
	{"hasIntersection_member_overload", "list(A).hasIntersection(list(A)) -> bool", fn_has_intersection, 0},
	{"has_intersection_overload", "has_intersection(list(A), list(A)) -> bool", fn_has_intersection, CEL_FN_NONSTRICT},
	{"has_intersection_member_overload", "list(A).has_intersection(list(A)) -> bool", fn_has_intersection, 0},
	{"intersect_overload", "intersect(list(A), list(A)) -> list(A)", fn_intersect, CEL_FN_NONSTRICT},
	{"intersect_member_overload", "list(A).intersect(list(A)) -> list(A)", fn_intersect, 0},
	{"isSubset_overload", "isSubset(list(A), list(A)) -> bool", fn_is_subset, CEL_FN_NONSTRICT},
	{"isSubset_member_overload", "list(A).isSubset(list(A)) -> bool", fn_is_subset, 0},
	{"is_subset_overload", "is_subset(list(A), list(A)) -> bool", fn_is_subset, CEL_FN_NONSTRICT},
	{"is_subset_member_overload", "list(A).is_subset(list(A)) -> bool", fn_is_subset, 0},

	{"inIPAddrRange_string", "string.inIPAddrRange(string) -> bool", fn_in_ip_addr_range, 0},
	{"now", "now() -> timestamp", fn_now, CEL_FN_NO_FOLD},
	{"timeSince_overload", "timeSince(timestamp) -> duration", fn_time_since, CEL_FN_NO_FOLD},
	{"timeSince_member_overload", "timestamp.timeSince() -> duration", fn_time_since, CEL_FN_NO_FOLD},
	{"id_overload", "id(dyn) -> dyn", fn_id, 0},

	/* paths (cerbos_path.c) */
	{"pathMatch_string_string", "pathMatch(string, string) -> bool", cel_fn_path_match, 0},
	{"pathMatch_member_string", "string.pathMatch(string) -> bool", cel_fn_path_match, 0},
	{"pathMatchAnyOf_string_stringarray", "pathMatchAnyOf(string, list(string)) -> bool", cel_fn_path_match_any_of, 0},
	{"pathMatchAnyOf_member_stringarray", "string.pathMatchAnyOf(list(string)) -> bool", cel_fn_path_match_any_of, 0},
	{"pathHasPrefix_string_string", "pathHasPrefix(string, string) -> bool", cel_fn_path_has_prefix, 0},
	{"pathHasPrefix_member_string", "string.pathHasPrefix(string) -> bool", cel_fn_path_has_prefix, 0},
	{"basePath_string", "basePath(string) -> string", cel_fn_base_path, 0},
	{"dirPath_string", "dirPath(string) -> string", cel_fn_dir_path, 0},
	{"extPath_string", "extPath(string) -> string", cel_fn_ext_path, 0},
	{"joinPath_stringarray", "joinPath(list(string)) -> string", cel_fn_join_path, 0},
	{"relPath_string_string", "relPath(string, string) -> string", cel_fn_rel_path, 0},
	{"volumeName_string", "volumeName(string) -> string", cel_fn_volume_name, 0},

	/* hierarchy */
	{"hierarchy_string", "hierarchy(string) -> " HIER, cel_fn_hierarchy, 0},
	{"hierarchy_string_string", "hierarchy(string, string) -> " HIER, cel_fn_hierarchy_delim, 0},
	{"hierarchy_stringarray", "hierarchy(list(string)) -> " HIER, cel_fn_hierarchy_list, 0},
	{"ancestorOf", HIER ".ancestorOf(" HIER ") -> bool", cel_fn_hierarchy_ancestor_of, 0},
	{"commonAncestors", HIER ".commonAncestors(" HIER ") -> " HIER, cel_fn_hierarchy_common_ancestors, 0},
	{"descendentOf", HIER ".descendentOf(" HIER ") -> bool", cel_fn_hierarchy_descendent_of, 0},
	{"immediateChildOf", HIER ".immediateChildOf(" HIER ") -> bool", cel_fn_hierarchy_immediate_child_of, 0},
	{"immediateParentOf", HIER ".immediateParentOf(" HIER ") -> bool", cel_fn_hierarchy_immediate_parent_of, 0},
	{"overlaps", HIER ".overlaps(" HIER ") -> bool", cel_fn_hierarchy_overlaps, 0},
	{"siblingOf", HIER ".siblingOf(" HIER ") -> bool", cel_fn_hierarchy_sibling_of, 0},
	{"hierarchy_size", HIER ".size() -> int", cel_fn_hierarchy_size, 0},
	{"hierarchy_index", "_[_](" HIER ", int) -> string", cel_fn_hierarchy_index, 0},

	/* SPIFFE */
	{"spiffeID_string", "spiffeID(string) -> " SID, cel_fn_spiffe_id, 0},
	{"spiffeTrustDomain_string", "spiffeTrustDomain(string) -> " STD, cel_fn_spiffe_trust_domain, 0},
	{"spiffeMatchAny", "spiffeMatchAny() -> " SMATCH, cel_fn_spiffe_match_any, 0},
	{"spiffeMatchExact_spiffeID", "spiffeMatchExact(" SID ") -> " SMATCH, cel_fn_spiffe_match_exact, 0},
	{"spiffeMatchExact_string", "spiffeMatchExact(string) -> " SMATCH, cel_fn_spiffe_match_exact, 0},
	{"spiffeMatchOneOf_spiffeIDList", "spiffeMatchOneOf(list(" SID ")) -> " SMATCH, cel_fn_spiffe_match_one_of, 0},
	{"spiffeMatchOneOf_stringList", "spiffeMatchOneOf(list(string)) -> " SMATCH, cel_fn_spiffe_match_one_of, 0},
	{"spiffeMatchTrustDomain_spiffeTrustDomain", "spiffeMatchTrustDomain(" STD ") -> " SMATCH, cel_fn_spiffe_match_trust_domain, 0},
	{"spiffeMatchTrustDomain_string", "spiffeMatchTrustDomain(string) -> " SMATCH, cel_fn_spiffe_match_trust_domain, 0},
	{"isMemberOf", SID ".isMemberOf(" STD ") -> bool", cel_fn_spiffe_id_is_member_of, 0},
	{"path", SID ".path() -> string", cel_fn_spiffe_id_path, 0},
	{"trustDomain", SID ".trustDomain() -> " STD, cel_fn_spiffe_id_trust_domain, 0},
	{"id", STD ".id() -> string", cel_fn_spiffe_td_id, 0},
	{"name", STD ".name() -> string", cel_fn_spiffe_td_name, 0},
	{"matchesID_spiffeID", SMATCH ".matchesID(" SID ") -> bool", cel_fn_spiffe_matches_id, 0},
	{"matchesID_string", SMATCH ".matchesID(string) -> bool", cel_fn_spiffe_matches_id, 0},
};

const CelLibrary cel_lib_cerbos = {
	"cerbos", cerbos_overloads,
	(int) (sizeof(cerbos_overloads) / sizeof(cerbos_overloads[0]))
};
