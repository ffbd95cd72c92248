/*
 * regex.c — the "matches" function of standard CEL and cel-go's ext regex
 * library (regex.extract, regex.extractAll, regex.replace), which Cerbos
 * 0.55 enables.
 *
 * A pattern is first checked and translated by re2_syntax.c (Go's syntax
 * and messages), then compiled by PCRE2.  Compiled patterns are kept in the
 * CelRegexCache the embedding layer may put in CelEvalContext.regex_cache,
 * or else in one process-wide cache (a PostgreSQL backend is a single
 * thread, so evaluations in it never race on it).  Every match runs under PCRE2's match, depth and heap
 * limits, so a pattern that would backtrack forever fails with an error
 * value instead of hanging the backend.
 *
 * Iteration over successive matches (extractAll, replace) follows Go's
 * allMatches: after an empty match the search moves on by one code point,
 * and an empty match right after the previous match is skipped.
 */
#include "cel_regex.h"
#include "cel_strbuf.h"

#include <stdlib.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define REGEX_HEAP_LIMIT_KIB 8192
#define REGEX_DEPTH_LIMIT 100000
#define REGEX_CACHE_DEFAULT 128
#define REGEX_CACHE_MAX_PATTERN 4096

typedef struct RegexEntry
{
	char	   *pattern;		/* malloc'd copy, NULL = empty slot */
	size_t		len;
	pcre2_code *code;
	pcre2_match_data *md;		/* reused by every match of this pattern */
	int			ncap;
} RegexEntry;

struct CelRegexCache
{
	int			capacity;
	int			next;			/* round-robin eviction cursor */
	RegexEntry *entries;
	pcre2_match_context *mctx;	/* shared; limits are set before each use */
};

/* A compiled pattern ready to match, with match data when cached. */
typedef struct Regex
{
	const pcre2_code *code;
	int			ncap;
	pcre2_match_data *md;		/* NULL: make one in the arena */
	pcre2_match_context *mctx;
} Regex;

/* PCRE2 allocation from an Arena (memory_data); frees are no-ops. */
static void *
arena_pcre_alloc(PCRE2_SIZE size, void *data)
{
	return arena_alloc((Arena *) data, size);
}

/* The matching free: arena memory goes away with the arena. */
static void
arena_pcre_free(void *ptr, void *data)
{
}

/* Creates a cache for CelEvalContext.regex_cache. */
CelRegexCache *
cel_regex_cache_create(int capacity)
{
	CelRegexCache *cache = (CelRegexCache *) calloc(1, sizeof(CelRegexCache));

	if (cache == NULL)
		return NULL;
	cache->capacity = capacity > 0 ? capacity : REGEX_CACHE_DEFAULT;
	cache->entries = (RegexEntry *) calloc((size_t) cache->capacity,
										   sizeof(RegexEntry));
	cache->mctx = pcre2_match_context_create(NULL);
	if (cache->entries == NULL || cache->mctx == NULL)
	{
		free(cache->entries);
		pcre2_match_context_free(cache->mctx);
		free(cache);
		return NULL;
	}
	return cache;
}

/* Frees a cache and every pattern in it. */
void
cel_regex_cache_destroy(CelRegexCache *cache)
{
	if (cache == NULL)
		return;
	for (int i = 0; i < cache->capacity; i++)
	{
		free(cache->entries[i].pattern);
		pcre2_match_data_free(cache->entries[i].md);
		pcre2_code_free(cache->entries[i].code);
	}
	pcre2_match_context_free(cache->mctx);
	free(cache->entries);
	free(cache);
}

/* The process-wide cache used when the context brings none. */
static CelRegexCache *
default_cache(void)
{
	static CelRegexCache *cache;
	static bool failed;

	if (cache == NULL && !failed)
	{
		cache = cel_regex_cache_create(REGEX_CACHE_DEFAULT);
		failed = cache == NULL;
	}
	return cache;
}

/* Checks a pattern as Go would (see cel_regex.h). */
const char *
cel_regex_check(Arena *arena, const char *pattern, size_t len)
{
	char	   *out;
	size_t		outlen;
	int			ncap;

	return cel_regex_translate(arena, pattern, len, &out, &outlen, &ncap);
}

/* The checker's literal-pattern check of x.matches('...') (see cel_regex.h). */
bool
cel_regex_check_call(const CelAst *ast, CelNodeRef call, Arena *arena,
					 CelNodeRef *node, const char **message)
{
	const CelExpr *e = cel_ast_node(ast, call);
	CelNodeRef	argref;
	const CelExpr *arg;

	if (e->kind != CEL_EXPR_CALL || e->u.call.target == CEL_NO_NODE ||
		e->u.call.nargs != 1 ||
		strcmp(cel_ast_str(ast, e->u.call.function), "matches") != 0)
		return true;
	argref = ast->args[e->u.call.args];
	arg = cel_ast_node(ast, argref);
	if (arg->kind != CEL_EXPR_CONST || arg->u.constant.kind != CEL_CONST_STRING)
		return true;
	if (cel_regex_check(arena, cel_ast_str(ast, arg->u.constant.u.str.off),
						arg->u.constant.u.str.len) == NULL)
		return true;
	*node = argref;
	*message = "invalid matches argument";
	return false;
}

/* Compiles a translated pattern with Go-compatible options. */
static pcre2_code *
compile_translated(const char *pat, size_t len, pcre2_general_context *gctx,
				   Arena *arena, const char **err)
{
	pcre2_compile_context *cctx = pcre2_compile_context_create(gctx);
	pcre2_code *code;
	int			errcode;
	PCRE2_SIZE	erroff;

	if (cctx == NULL)
	{
		*err = "out of memory";
		return NULL;
	}
	pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
	code = pcre2_compile((PCRE2_SPTR) pat, len,
						 PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C,
						 &errcode, &erroff, cctx);
	pcre2_compile_context_free(cctx);
	if (code == NULL)
	{
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		*err = arena_printf(arena, "error parsing regexp: %s", (const char *) msg);
	}
	return code;
}

/* Finds or compiles pattern; NULL with *err set when it is invalid. */
static bool
get_regex(CelEvalContext *ctx, const char *pattern, size_t len, Regex *rx,
		  const char **err)
{
	CelRegexCache *cache = ctx->regex_cache ? (CelRegexCache *) ctx->regex_cache
		: default_cache();
	char	   *pat;
	size_t		patlen;
	int			ncap;
	pcre2_code *code;

	if (ctx->max_regex_bytes > 0 && len > ctx->max_regex_bytes)
	{
		*err = arena_printf(ctx->arena,
							"regular expression exceeds the size limit of %zu bytes",
							ctx->max_regex_bytes);
		(void) cel_limit_error(ctx, CEL_LIMIT_REGEX_BYTES, "%s", *err ? *err : "regex too long");
		if (*err == NULL)
			*err = "regular expression exceeds the size limit";
		return false;
	}
	if (cache && len <= REGEX_CACHE_MAX_PATTERN)
	{
		for (int i = 0; i < cache->capacity; i++)
		{
			RegexEntry *e = &cache->entries[i];

			if (e->pattern && e->len == len && memcmp(e->pattern, pattern, len) == 0)
			{
				rx->code = e->code;
				rx->ncap = e->ncap;
				rx->md = e->md;
				rx->mctx = cache->mctx;
				return true;
			}
		}
	}
	*err = cel_regex_translate(ctx->arena, pattern, len, &pat, &patlen, &ncap);
	if (*err)
		return false;
	if (cache && len <= REGEX_CACHE_MAX_PATTERN)
	{
		RegexEntry *e = &cache->entries[cache->next];
		char	   *copy = (char *) malloc(len + 1);
		pcre2_match_data *md = NULL;

		code = compile_translated(pat, patlen, NULL, ctx->arena, err);
		if (code != NULL)
			md = pcre2_match_data_create_from_pattern(code, NULL);
		if (code == NULL || copy == NULL || md == NULL)
		{
			free(copy);
			pcre2_match_data_free(md);
			pcre2_code_free(code);
			if (*err == NULL)
				*err = "out of memory";
			return false;
		}
		memcpy(copy, pattern, len);
		copy[len] = '\0';
		free(e->pattern);
		pcre2_match_data_free(e->md);
		pcre2_code_free(e->code);
		e->pattern = copy;
		e->len = len;
		e->code = code;
		e->md = md;
		e->ncap = ncap;
		cache->next = (cache->next + 1) % cache->capacity;
		rx->md = md;
		rx->mctx = cache->mctx;
	}
	else
	{
		pcre2_general_context *gctx =
			pcre2_general_context_create(arena_pcre_alloc, arena_pcre_free,
										 ctx->arena);

		if (gctx == NULL)
		{
			*err = "out of memory";
			return false;
		}
		code = compile_translated(pat, patlen, gctx, ctx->arena, err);
		if (code == NULL)
			return false;
		rx->md = NULL;
		rx->mctx = NULL;
	}
	rx->code = code;
	rx->ncap = ncap;
	return true;
}

/* Per-call matching state: match data and limits (cached or in the arena). */
typedef struct Matcher
{
	Regex		rx;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	const char *subject;
	size_t		len;
	CelEvalContext *ctx;		/* reports the match limit */
} Matcher;

/* Prepares a matcher for pattern over subject; false with *err. */
static bool
matcher_init(CelEvalContext *ctx, Matcher *m, CelValue pattern, CelValue subject,
			 const char **err)
{
	*err = NULL;
	m->ctx = ctx;
	if (!get_regex(ctx, pattern.u.str.ptr, pattern.u.str.len, &m->rx, err))
		return false;
	m->md = m->rx.md;
	m->mctx = m->rx.mctx;
	if (m->md == NULL)
	{
		pcre2_general_context *gctx =
			pcre2_general_context_create(arena_pcre_alloc, arena_pcre_free,
										 ctx->arena);

		m->md = gctx ? pcre2_match_data_create_from_pattern(m->rx.code, gctx) : NULL;
		m->mctx = gctx ? pcre2_match_context_create(gctx) : NULL;
		if (m->md == NULL || m->mctx == NULL)
		{
			*err = "out of memory";
			return false;
		}
	}
	pcre2_set_match_limit(m->mctx, ctx->regex_match_limit > 0
						  ? (uint32_t) (ctx->regex_match_limit > UINT32_MAX
										? UINT32_MAX : ctx->regex_match_limit)
						  : CEL_REGEX_DEFAULT_MATCH_LIMIT);
	pcre2_set_depth_limit(m->mctx, REGEX_DEPTH_LIMIT);
	pcre2_set_heap_limit(m->mctx, REGEX_HEAP_LIMIT_KIB);
	m->subject = subject.u.str.ptr;
	m->len = subject.u.str.len;
	return true;
}

/*
 * Searches from byte offset start: 1 = found (offsets in m->md), 0 = none,
 * -1 = failed with *err.
 */
static int
matcher_find(Matcher *m, size_t start, Arena *arena, const char **err)
{
	int			rc = pcre2_match(m->rx.code, (PCRE2_SPTR) m->subject, m->len,
								 start, 0, m->md, m->mctx);

	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
		rc == PCRE2_ERROR_HEAPLIMIT)
	{
		*err = "regular expression match exceeded its resource limit";
		(void) cel_limit_error(m->ctx, CEL_LIMIT_REGEX_MATCH, "%s", *err);
	}
	else if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
		*err = "regular expression applied to a string that is not valid UTF-8";
	else
	{
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		*err = arena_printf(arena, "regular expression match failed: %s",
							(const char *) msg);
	}
	return -1;
}

/* Start and end of group g of the last match; false if it did not take part. */
static bool
group_span(Matcher *m, int g, size_t *s, size_t *e)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);

	if (ov[2 * g] == PCRE2_UNSET)
		return false;
	*s = ov[2 * g];
	*e = ov[2 * g + 1];
	return true;
}

/* The next search position after a match ending at end (Go's allMatches). */
static size_t
advance(Matcher *m, size_t mstart, size_t mend, size_t pos)
{
	if (mend == pos && mstart == mend)
	{
		if (pos >= m->len)
			return m->len + 1;
		cel_utf8_next(m->subject, m->len, &pos, NULL);
		return pos;
	}
	return mend;
}

/* matches(string, string) and string.matches(string). */
static CelValue
re_matches(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	Matcher		m;
	const char *err;
	int			rc;

	if (!matcher_init(ctx, &m, args[1], args[0], &err))
		return cel_error(ctx->arena, "%s", err);
	rc = matcher_find(&m, 0, ctx->arena, &err);
	if (rc < 0)
		return cel_error(ctx->arena, "%s", err);
	return cel_bool(rc == 1);
}

/* Go's %q of a pattern, for messages. */
static const char *
go_quote(Arena *arena, const char *s, size_t len)
{
	CelStrBuf	sb;
	size_t		pos = 0;

	memset(&sb, 0, sizeof(sb));
	sb.arena = arena;
	cel_strbuf_putc(&sb, '"');
	while (pos < len)
	{
		bool		ok;
		size_t		at = pos;
		uint32_t	c = cel_utf8_next(s, len, &pos, &ok);

		if (!ok)
			cel_strbuf_printf(&sb, "\\x%02x", (unsigned char) s[at]);
		else if (c == '"' || c == '\\')
		{
			cel_strbuf_putc(&sb, '\\');
			cel_strbuf_putc(&sb, (char) c);
		}
		else if (c == '\a')
			cel_strbuf_puts(&sb, "\\a");
		else if (c == '\b')
			cel_strbuf_puts(&sb, "\\b");
		else if (c == '\f')
			cel_strbuf_puts(&sb, "\\f");
		else if (c == '\n')
			cel_strbuf_puts(&sb, "\\n");
		else if (c == '\r')
			cel_strbuf_puts(&sb, "\\r");
		else if (c == '\t')
			cel_strbuf_puts(&sb, "\\t");
		else if (c == '\v')
			cel_strbuf_puts(&sb, "\\v");
		else if (c < 0x20 || c == 0x7F)
			cel_strbuf_printf(&sb, "\\x%02x", (unsigned) c);
		else
			cel_strbuf_put_rune(&sb, c);
	}
	cel_strbuf_putc(&sb, '"');
	return sb.data ? sb.data : "\"\"";
}

/* regex.extract(string, string): the first match or its single group. */
static CelValue
re_extract(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	Matcher		m;
	const char *err;
	int			rc;
	size_t		s = 0;
	size_t		e = 0;

	if (!matcher_init(ctx, &m, args[1], args[0], &err))
		return cel_error(ctx->arena, "%s", err);
	if (m.rx.ncap > 1)
		return cel_error(ctx->arena, "regular expression has more than one capturing group: %s",
						 go_quote(ctx->arena, args[1].u.str.ptr, args[1].u.str.len));
	rc = matcher_find(&m, 0, ctx->arena, &err);
	if (rc < 0)
		return cel_error(ctx->arena, "%s", err);
	if (rc == 0)
		return cel_optional_none();
	if (m.rx.ncap == 1)
	{
		if (!group_span(&m, 1, &s, &e) || s == e)
			return cel_optional_none();
	}
	else
		group_span(&m, 0, &s, &e);
	return cel_optional_of(ctx->arena, cel_string(m.subject + s, e - s));
}

/* regex.extractAll(string, string): every match (or its group if non-empty). */
static CelValue
re_extract_all(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	Matcher		m;
	const char *err;
	size_t		pos = 0;
	size_t		prev_end = SIZE_MAX;
	CelValue   *items = NULL;
	size_t		n = 0;
	size_t		cap = 0;

	if (!matcher_init(ctx, &m, args[1], args[0], &err))
		return cel_error(ctx->arena, "%s", err);
	if (m.rx.ncap > 1)
		return cel_error(ctx->arena, "regular expression has more than one capturing group: %s",
						 go_quote(ctx->arena, args[1].u.str.ptr, args[1].u.str.len));
	while (pos <= m.len)
	{
		size_t		ms = 0;
		size_t		me = 0;
		int			rc = matcher_find(&m, pos, ctx->arena, &err);
		bool		accept = true;

		if (rc < 0)
			return cel_error(ctx->arena, "%s", err);
		if (rc == 0)
			break;
		group_span(&m, 0, &ms, &me);
		if (me == pos && ms == me && ms == prev_end)
			accept = false;
		if (accept)
		{
			size_t		s = ms;
			size_t		e = me;
			bool		keep = true;

			if (m.rx.ncap == 1)
				keep = group_span(&m, 1, &s, &e) && s != e;
			if (keep)
			{
				if (n == cap)
				{
					size_t		ncap = cap ? cap * 2 : 8;

					if (ctx->max_list_items && n >= ctx->max_list_items)
						return cel_limit_error(ctx, CEL_LIMIT_LIST_ITEMS,
											   "list exceeds the size limit of %zu items",
											   ctx->max_list_items);
					items = (CelValue *) arena_realloc(ctx->arena, items,
													   cap * sizeof(CelValue),
													   ncap * sizeof(CelValue));
					if (items == NULL)
						return cel_error(ctx->arena, "out of memory");
					cap = ncap;
				}
				items[n++] = cel_string(m.subject + s, e - s);
			}
		}
		prev_end = me;
		pos = advance(&m, ms, me, pos);
		if (ctx->interrupted && ctx->interrupted(ctx->user))
			return cel_error(ctx->arena, "evaluation interrupted");
	}
	return cel_list_from(ctx->arena, items, n);
}

/* Appends the replacement for the current match (cel-go's replaceStrValidator). */
static const char *
expand_replacement(CelStrBuf *sb, Matcher *m, CelValue repl, Arena *arena)
{
	const char *r = repl.u.str.ptr;
	size_t		len = repl.u.str.len;
	size_t		pos = 0;

	while (pos < len)
	{
		size_t		at = pos;
		uint32_t	c = cel_utf8_next(r, len, &pos, NULL);
		uint32_t	d;
		size_t		s = 0;
		size_t		e = 0;

		if (c != '\\')
		{
			cel_strbuf_append(sb, r + at, pos - at);
			continue;
		}
		if (pos >= len)
			return arena_printf(arena, "invalid replacement string: '%.*s' \\ not allowed at end",
								(int) len, r);
		d = cel_utf8_next(r, len, &pos, NULL);
		if (d == '\\')
		{
			cel_strbuf_putc(sb, '\\');
			continue;
		}
		if (d < '0' || d > '9')
			return arena_printf(arena, "invalid replacement string: '%.*s' \\ must be followed by a digit or \\",
								(int) len, r);
		if ((int) (d - '0') > m->rx.ncap)
			return arena_printf(arena, "replacement string references group %d but regex has only %d group(s)",
								(int) (d - '0'), m->rx.ncap);
		if (group_span(m, (int) (d - '0'), &s, &e))
			cel_strbuf_append(sb, m->subject + s, e - s);
	}
	return NULL;
}

/* Shared body of regex.replace with a count (negative = all). */
static CelValue
replace_n(CelEvalContext *ctx, const CelValue *args, int64_t count)
{
	Matcher		m;
	const char *err;
	CelStrBuf	sb;
	size_t		pos = 0;
	size_t		last = 0;
	size_t		prev_end = SIZE_MAX;
	int64_t		done = 0;

	if (count == 0)
		return args[0];
	if (!matcher_init(ctx, &m, args[1], args[0], &err))
		return cel_error(ctx->arena, "%s", err);
	cel_strbuf_init(&sb, ctx);
	while (pos <= m.len && (count < 0 || done < count))
	{
		size_t		ms = 0;
		size_t		me = 0;
		int			rc = matcher_find(&m, pos, ctx->arena, &err);

		if (rc < 0)
			return cel_error(ctx->arena, "%s", err);
		if (rc == 0)
			break;
		group_span(&m, 0, &ms, &me);
		if (!(me == pos && ms == me && ms == prev_end))
		{
			cel_strbuf_append(&sb, m.subject + last, ms - last);
			err = expand_replacement(&sb, &m, args[2], ctx->arena);
			if (err)
				return cel_error(ctx->arena, "%s", err);
			last = me;
			done++;
		}
		prev_end = me;
		pos = advance(&m, ms, me, pos);
		if (ctx->interrupted && ctx->interrupted(ctx->user))
			return cel_error(ctx->arena, "evaluation interrupted");
	}
	cel_strbuf_append(&sb, m.subject + last, m.len - last);
	return cel_strbuf_string(&sb);
}

/* regex.replace(string, string, string) */
static CelValue
re_replace(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return replace_n(ctx, args, -1);
}

/* regex.replace(string, string, string, int) */
static CelValue
re_replace_n(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return replace_n(ctx, args, args[3].u.i < 0 ? -1 : args[3].u.i);
}

static const CelOverload regex_overloads[] = {
	{"matches", "matches(string, string) -> bool", re_matches, 0},
	{"matches_string", "string.matches(string) -> bool", re_matches, 0},
	{"regex_extract_string_string",
	"regex.extract(string, string) -> optional_type(string)", re_extract, 0},
	{"regex_extractAll_string_string",
	"regex.extractAll(string, string) -> list(string)", re_extract_all, 0},
	{"regex_replace_string_string_string",
	"regex.replace(string, string, string) -> string", re_replace, 0},
	{"regex_replace_string_string_string_int",
	"regex.replace(string, string, string, int) -> string", re_replace_n, 0},
};

const CelLibrary cel_lib_regex = {
	"regex", regex_overloads,
	(int) (sizeof(regex_overloads) / sizeof(regex_overloads[0]))
};
