/*
 * cerbos_spiffe.c — Cerbos' SPIFFE functions: spiffeID(), spiffeTrustDomain(),
 * the spiffeMatch*() matchers and their members.
 *
 * IDs and trust domains are validated as go-spiffe's spiffeid package does
 * (lower-case trust domain characters, no empty/dot path segments, no
 * trailing slash...) with its error texts, prefixed as Cerbos prefixes them
 * ("failed to parse SPIFFE ID: scheme is missing or invalid").
 *
 * An ID is kept as its text plus the offset where the path starts; a trust
 * domain as its name; a matcher as a kind plus the IDs or the trust domain
 * it accepts.  Matchers never compare equal (as in Cerbos).
 */
#include "cel_cerbos.h"

#include <string.h>

#define SPIFFE_SCHEME "spiffe://"
#define SPIFFE_SCHEME_LEN 9

typedef struct SpiffeID
{
	const char *id;
	size_t		len;
	size_t		path_at;		/* index of the path (== len when empty) */
} SpiffeID;

typedef struct SpiffeTD
{
	const char *name;
	size_t		len;
} SpiffeTD;

typedef enum MatcherKind
{
	MATCH_ANY,
	MATCH_IDS,
	MATCH_TRUST_DOMAIN
} MatcherKind;

typedef struct SpiffeMatcher
{
	MatcherKind kind;
	size_t		nids;
	const SpiffeID *ids;
	SpiffeTD	td;
} SpiffeMatcher;

static bool spiffe_id_equals(const void *a, const void *b);
static bool spiffe_td_equals(const void *a, const void *b);
static bool spiffe_never_equal(const void *a, const void *b);

static const CelType id_desc = {CEL_T_OPAQUE, {NULL, NULL}, "cerbos.lib.spiffeID"};
static const CelType td_desc = {CEL_T_OPAQUE, {NULL, NULL}, "cerbos.lib.spiffeTrustDomain"};
static const CelType matcher_desc = {CEL_T_OPAQUE, {NULL, NULL}, "cerbos.lib.spiffeMatcher"};

const CelOpaqueType cel_spiffe_id_type = {"cerbos.lib.spiffeID", &id_desc, spiffe_id_equals};
const CelOpaqueType cel_spiffe_td_type = {"cerbos.lib.spiffeTrustDomain", &td_desc, spiffe_td_equals};
const CelOpaqueType cel_spiffe_matcher_type = {"cerbos.lib.spiffeMatcher", &matcher_desc, spiffe_never_equal};

/* IDs are equal when their texts are. */
static bool
spiffe_id_equals(const void *a, const void *b)
{
	const SpiffeID *x = a;
	const SpiffeID *y = b;

	return x->len == y->len && memcmp(x->id, y->id, x->len) == 0;
}

/* Trust domains are equal when their names are. */
static bool
spiffe_td_equals(const void *a, const void *b)
{
	const SpiffeTD *x = a;
	const SpiffeTD *y = b;

	return x->len == y->len && memcmp(x->name, y->name, x->len) == 0;
}

/* Cerbos' matcher Equal always answers false. */
static bool
spiffe_never_equal(const void *a, const void *b)
{
	return false;
}

/* go-spiffe's trust domain alphabet. */
static bool
td_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		c == '.' || c == '_';
}

/* go-spiffe's path segment alphabet. */
static bool
path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

/* Whether seg[0..n) is "/", "/." or "/..", and which error that makes. */
static const char *
segment_error(const char *seg, size_t n, bool last)
{
	if (n == 1)
		return last ? "path cannot have a trailing slash" : "path cannot contain empty segments";
	if ((n == 2 && seg[1] == '.') || (n == 3 && seg[1] == '.' && seg[2] == '.'))
		return "path cannot contain dot segments";
	return NULL;
}

/* go-spiffe's ValidatePath; NULL when valid. */
static const char *
validate_path(const char *p, size_t n)
{
	size_t		start = 0;
	const char *e;

	if (n == 0)
		return NULL;
	if (p[0] != '/')
		return "path must have a leading slash";
	for (size_t i = 0; i < n; i++)
	{
		if (p[i] == '/')
		{
			if (i > 0 && (e = segment_error(p + start, i - start, false)) != NULL)
				return e;
			start = i;
			continue;
		}
		if (!path_char(p[i]))
			return "path segment characters are limited to letters, numbers, dots, dashes, and underscores";
	}
	return segment_error(p + start, n - start, true);
}

/* go-spiffe's spiffeid.FromString; NULL when valid. */
static const char *
parse_id(const char *s, size_t len, SpiffeID *out)
{
	size_t		i = SPIFFE_SCHEME_LEN;
	const char *e;

	if (len == 0)
		return "cannot be empty";
	if (len < SPIFFE_SCHEME_LEN || memcmp(s, SPIFFE_SCHEME, SPIFFE_SCHEME_LEN) != 0)
		return "scheme is missing or invalid";
	for (; i < len && s[i] != '/'; i++)
		if (!td_char(s[i]))
			return "trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores";
	if (i == SPIFFE_SCHEME_LEN)
		return "trust domain is missing";
	if ((e = validate_path(s + i, len - i)) != NULL)
		return e;
	out->id = s;
	out->len = len;
	out->path_at = i;
	return NULL;
}

/* go-spiffe's TrustDomainFromString; NULL when valid. */
static const char *
parse_td(const char *s, size_t len, SpiffeTD *out)
{
	if (len == 0)
		return "trust domain is missing";
	for (size_t i = 0; i + 1 < len; i++)
	{
		if (s[i] == ':' && s[i + 1] == '/')
		{
			SpiffeID	id;
			const char *e = parse_id(s, len, &id);

			if (e)
				return e;
			out->name = id.id + SPIFFE_SCHEME_LEN;
			out->len = id.path_at - SPIFFE_SCHEME_LEN;
			return NULL;
		}
	}
	for (size_t i = 0; i < len; i++)
		if (!td_char(s[i]))
			return "trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores";
	out->name = s;
	out->len = len;
	return NULL;
}

/* Wraps library data as an opaque value. */
static CelValue
opaque_value(const CelOpaqueType *type, const void *data)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_OPAQUE;
	v.u.opaque.type = type;
	v.u.opaque.data = data;
	return v;
}

/* Whether v is an opaque value of the given type. */
static inline bool
is_opaque(CelValue v, const CelOpaqueType *type)
{
	return v.kind == CEL_VAL_OPAQUE && v.u.opaque.type == type;
}

/* spiffeID(string) for other callers. */
CelValue
cel_spiffe_id_parse(Arena *arena, const char *s, size_t len)
{
	SpiffeID   *id = arena_alloc(arena, sizeof(SpiffeID));
	const char *e;

	if (!id)
		return cel_error(arena, "out of memory");
	if ((e = parse_id(s, len, id)) != NULL)
		return cel_error(arena, "failed to parse SPIFFE ID: %s", e);
	return opaque_value(&cel_spiffe_id_type, id);
}

/* spiffeID(string). */
CelValue
cel_fn_spiffe_id(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	if (is_opaque(args[0], &cel_spiffe_id_type))
		return args[0];
	if (args[0].kind != CEL_VAL_STRING)
		return cel_error_no_such_overload(ctx->arena, NULL);
	return cel_spiffe_id_parse(ctx->arena, args[0].u.str.ptr, args[0].u.str.len);
}

/* spiffeTrustDomain(string). */
CelValue
cel_fn_spiffe_trust_domain(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	SpiffeTD   *td;
	const char *e;

	if (is_opaque(args[0], &cel_spiffe_td_type))
		return args[0];
	td = arena_alloc(ctx->arena, sizeof(SpiffeTD));
	if (!td)
		return cel_error(ctx->arena, "out of memory");
	if (is_opaque(args[0], &cel_spiffe_id_type))
	{
		const SpiffeID *id = args[0].u.opaque.data;

		td->name = id->id + SPIFFE_SCHEME_LEN;
		td->len = id->path_at - SPIFFE_SCHEME_LEN;
		return opaque_value(&cel_spiffe_td_type, td);
	}
	if (args[0].kind != CEL_VAL_STRING)
		return cel_error_no_such_overload(ctx->arena, NULL);
	if ((e = parse_td(args[0].u.str.ptr, args[0].u.str.len, td)) != NULL)
		return cel_error(ctx->arena, "failed to parse SPIFFE trust domain: %s", e);
	return opaque_value(&cel_spiffe_td_type, td);
}

/* A new matcher of a kind. */
static SpiffeMatcher *
matcher_new(Arena *arena, MatcherKind kind)
{
	SpiffeMatcher *m = arena_alloc0(arena, sizeof(SpiffeMatcher));

	if (m)
		m->kind = kind;
	return m;
}

/* spiffeMatchAny(). */
CelValue
cel_fn_spiffe_match_any(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	SpiffeMatcher *m = matcher_new(ctx->arena, MATCH_ANY);

	if (!m)
		return cel_error(ctx->arena, "out of memory");
	return opaque_value(&cel_spiffe_matcher_type, m);
}

/* spiffeMatchExact(spiffeID | string). */
CelValue
cel_fn_spiffe_match_exact(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	SpiffeMatcher *m = matcher_new(ctx->arena, MATCH_IDS);
	CelValue	id = cel_fn_spiffe_id(ctx, args, 1);

	if (id.kind == CEL_VAL_ERROR)
		return id;
	if (!m)
		return cel_error(ctx->arena, "out of memory");
	m->nids = 1;
	m->ids = id.u.opaque.data;
	return opaque_value(&cel_spiffe_matcher_type, m);
}

/* spiffeMatchOneOf(list(spiffeID) | list(string)). */
CelValue
cel_fn_spiffe_match_one_of(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelList *l = args[0].u.list;
	SpiffeMatcher *m = matcher_new(ctx->arena, MATCH_IDS);
	SpiffeID   *ids = arena_alloc(ctx->arena, sizeof(SpiffeID) * (l->len ? l->len : 1));
	bool		all_ids = true;

	if (!m || !ids)
		return cel_error(ctx->arena, "out of memory");
	for (size_t i = 0; i < l->len; i++)
		if (!is_opaque(l->items[i], &cel_spiffe_id_type))
			all_ids = false;
	for (size_t i = 0; i < l->len; i++)
	{
		CelValue	e = l->items[i];

		if (all_ids)
			ids[i] = *(const SpiffeID *) e.u.opaque.data;
		else if (e.kind != CEL_VAL_STRING ||
				 parse_id(e.u.str.ptr, e.u.str.len, &ids[i]) != NULL)
			return cel_error_no_such_overload(ctx->arena, NULL);
	}
	m->nids = l->len;
	m->ids = ids;
	return opaque_value(&cel_spiffe_matcher_type, m);
}

/* spiffeMatchTrustDomain(spiffeTrustDomain | string). */
CelValue
cel_fn_spiffe_match_trust_domain(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	SpiffeMatcher *m = matcher_new(ctx->arena, MATCH_TRUST_DOMAIN);
	CelValue	td;

	if (!m)
		return cel_error(ctx->arena, "out of memory");
	if (!is_opaque(args[0], &cel_spiffe_td_type) && args[0].kind != CEL_VAL_STRING)
		return cel_error_no_such_overload(ctx->arena, NULL);
	td = cel_fn_spiffe_trust_domain(ctx, args, 1);
	if (td.kind == CEL_VAL_ERROR)
		return td;
	m->td = *(const SpiffeTD *) td.u.opaque.data;
	return opaque_value(&cel_spiffe_matcher_type, m);
}

/* Whether an ID belongs to a trust domain. */
static bool
member_of(const SpiffeID *id, const SpiffeTD *td)
{
	size_t		n = id->path_at - SPIFFE_SCHEME_LEN;

	return n == td->len && memcmp(id->id + SPIFFE_SCHEME_LEN, td->name, n) == 0;
}

/* <spiffeID>.isMemberOf(spiffeTrustDomain). */
CelValue
cel_fn_spiffe_id_is_member_of(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(member_of(args[0].u.opaque.data, args[1].u.opaque.data));
}

/* <spiffeID>.path(). */
CelValue
cel_fn_spiffe_id_path(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const SpiffeID *id = args[0].u.opaque.data;

	return cel_string(id->id + id->path_at, id->len - id->path_at);
}

/* <spiffeID>.trustDomain(). */
CelValue
cel_fn_spiffe_id_trust_domain(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_fn_spiffe_trust_domain(ctx, args, 1);
}

/*
 * <spiffeTrustDomain>.id(): "spiffe://" + name.  (Cerbos 0.55 actually
 * answers with the trust domain itself, because cel-go binds the member
 * overload "id" to the global identity function id(); that value compares
 * equal to both "a.b" and "spiffe://a.b".  We return the declared string,
 * which agrees on the common comparison with "spiffe://...".)
 */
CelValue
cel_fn_spiffe_td_id(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const SpiffeTD *td = args[0].u.opaque.data;
	char	   *s = arena_printf(ctx->arena, SPIFFE_SCHEME "%.*s", (int) td->len, td->name);

	if (!s)
		return cel_error(ctx->arena, "out of memory");
	return cel_string(s, td->len + SPIFFE_SCHEME_LEN);
}

/* <spiffeTrustDomain>.name(). */
CelValue
cel_fn_spiffe_td_name(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const SpiffeTD *td = args[0].u.opaque.data;

	return cel_string(td->name, td->len);
}

/* <spiffeMatcher>.matchesID(spiffeID | string). */
CelValue
cel_fn_spiffe_matches_id(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const SpiffeMatcher *m = args[0].u.opaque.data;
	SpiffeID	parsed;
	const SpiffeID *id;

	if (is_opaque(args[1], &cel_spiffe_id_type))
		id = args[1].u.opaque.data;
	else if (args[1].kind == CEL_VAL_STRING)
	{
		const char *e = parse_id(args[1].u.str.ptr, args[1].u.str.len, &parsed);

		if (e)
			return cel_error(ctx->arena, "invalid SPIFFE ID: %s", e);
		id = &parsed;
	}
	else
		return cel_error_no_such_overload(ctx->arena, NULL);

	switch (m->kind)
	{
		case MATCH_ANY:
			return cel_bool(true);
		case MATCH_TRUST_DOMAIN:
			return cel_bool(member_of(id, &m->td));
		case MATCH_IDS:
			for (size_t i = 0; i < m->nids; i++)
				if (spiffe_id_equals(&m->ids[i], id))
					return cel_bool(true);
			return cel_bool(false);
	}
	return cel_bool(false);
}
