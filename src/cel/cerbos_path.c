/*
 * cerbos_path.c — Cerbos' path functions: pathMatch, pathMatchAnyOf,
 * pathHasPrefix (global and member forms), basePath, dirPath, extPath,
 * joinPath, relPath and volumeName.
 *
 * Cerbos handles Unix and Windows paths alike through its crosspath
 * package, reproduced here: a path is encoded first (any backslash makes
 * it a Windows path whose backslashes become slashes; "\\\\host\\share"
 * (UNC) becomes "/host/share"; "C:\\x" becomes "/C:/x"; a longer "C:..."
 * without any backslash is refused with "unsupported Win32 path"), then
 * cleaned as Go's path.Clean does; Go's path/filepath functions work on the
 * encoded form and the results are decoded back into the original style.
 *
 * Matching is Go's filepath.Match: '*' is any run of non-'/' characters,
 * '?' one non-'/' character, "[a-z]" / "[^a-z]" classes; a malformed chunk
 * is an error once matching reaches it (the Go version Cerbos is built
 * with does not check the chunks after a failed one).  As backslashes were
 * turned into slashes, a pattern cannot escape anything.
 *
 * Error texts are Cerbos' own, including the Go runtime panic that
 * dirPath("a\\.") provokes (Cerbos reports it as an internal error).
 */
#include "cel_cerbos.h"
#include "cel_goquote.h"

#include <string.h>

/* Go's path.Clean of s[0..len) into out (at least len + 2 bytes). */
static size_t
go_path_clean(const char *s, size_t len, char *out)
{
	bool		rooted = len > 0 && s[0] == '/';
	size_t		r = 0;
	size_t		w = 0;
	size_t		dotdot = 0;		/* where ".." can no longer backtrack */

	if (len == 0)
	{
		out[0] = '.';
		return 1;
	}
	if (rooted)
	{
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < len)
	{
		if (s[r] == '/')
			r++;
		else if (s[r] == '.' && (r + 1 == len || s[r + 1] == '/'))
			r++;
		else if (s[r] == '.' && s[r + 1] == '.' && (r + 2 == len || s[r + 2] == '/'))
		{
			r += 2;
			if (w > dotdot)
			{
				/* drop the last element */
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			}
			else if (!rooted)
			{
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		}
		else
		{
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < len && s[r] != '/'; r++)
				out[w++] = s[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	return w;
}

/* Decodes one UTF-8 rune as Go does (invalid byte = U+FFFD, length 1). */
static int
rune_at(const char *s, size_t len, int32_t *r)
{
	const unsigned char *u = (const unsigned char *) s;
	int			n;
	int32_t		c;

	if (len == 0)
	{
		*r = 0xFFFD;
		return 0;
	}
	if (u[0] < 0x80)
	{
		*r = u[0];
		return 1;
	}
	n = (u[0] & 0xE0) == 0xC0 ? 2 : (u[0] & 0xF0) == 0xE0 ? 3 : (u[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (n == 0 || (size_t) n > len)
	{
		*r = 0xFFFD;
		return 1;
	}
	c = u[0] & (0x7F >> n);
	for (int i = 1; i < n; i++)
	{
		if ((u[i] & 0xC0) != 0x80)
		{
			*r = 0xFFFD;
			return 1;
		}
		c = (c << 6) | (u[i] & 0x3F);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
		c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
	{
		*r = 0xFFFD;
		return 1;
	}
	*r = c;
	return n;
}

/* Go's getEsc: one (possibly escaped) class character; false = bad pattern. */
static bool
get_esc(const char **chunk, size_t *clen, int32_t *r)
{
	const char *c = *chunk;
	size_t		n = *clen;
	int			k;

	if (n == 0 || c[0] == '-' || c[0] == ']')
		return false;
	if (c[0] == '\\')
	{
		c++, n--;
		if (n == 0)
			return false;
	}
	k = rune_at(c, n, r);
	if (*r == 0xFFFD && k == 1 && (unsigned char) c[0] >= 0x80)
		return false;
	c += k, n -= k;
	if (n == 0)
		return false;
	*chunk = c;
	*clen = n;
	return true;
}

/* Go's matchChunk: 1 matched (rest in *rest), 0 not, -1 bad pattern. */
static int
match_chunk(const char *chunk, size_t clen, const char *s, size_t slen,
			const char **rest, size_t *rest_len)
{
	bool		failed = false;

	while (clen > 0)
	{
		if (!failed && slen == 0)
			failed = true;
		if (chunk[0] == '[')
		{
			int32_t		r = 0;
			bool		negated = false;
			bool		match = false;
			int			nrange = 0;

			if (!failed)
			{
				int			k = rune_at(s, slen, &r);

				s += k, slen -= k;
			}
			chunk++, clen--;
			if (clen > 0 && chunk[0] == '^')
			{
				negated = true;
				chunk++, clen--;
			}
			for (;;)
			{
				int32_t		lo, hi;

				if (clen > 0 && chunk[0] == ']' && nrange > 0)
				{
					chunk++, clen--;
					break;
				}
				if (!get_esc(&chunk, &clen, &lo))
					return -1;
				hi = lo;
				if (chunk[0] == '-')
				{
					chunk++, clen--;
					if (!get_esc(&chunk, &clen, &hi))
						return -1;
				}
				if (lo <= r && r <= hi)
					match = true;
				nrange++;
			}
			if (match == negated)
				failed = true;
		}
		else if (chunk[0] == '?')
		{
			if (!failed)
			{
				int32_t		r;
				int			k;

				if (s[0] == '/')
					failed = true;
				k = rune_at(s, slen, &r);
				s += k, slen -= k;
			}
			chunk++, clen--;
		}
		else
		{
			if (chunk[0] == '\\')
			{
				chunk++, clen--;
				if (clen == 0)
					return -1;
			}
			if (!failed)
			{
				if (chunk[0] != s[0])
					failed = true;
				s++, slen--;
			}
			chunk++, clen--;
		}
	}
	if (failed)
		return 0;
	*rest = s;
	*rest_len = slen;
	return 1;
}

/* Go's scanChunk: leading stars, then the chunk up to the next star. */
static void
scan_chunk(const char **pattern, size_t *plen, bool *star,
		   const char **chunk, size_t *clen)
{
	const char *p = *pattern;
	size_t		n = *plen;
	bool		inrange = false;
	size_t		i;

	*star = false;
	while (n > 0 && p[0] == '*')
		p++, n--, *star = true;
	for (i = 0; i < n; i++)
	{
		if (p[i] == '\\')
		{
			if (i + 1 < n)
				i++;
		}
		else if (p[i] == '[')
			inrange = true;
		else if (p[i] == ']')
			inrange = false;
		else if (p[i] == '*' && !inrange)
			break;
	}
	*chunk = p;
	*clen = i;
	*pattern = p + i;
	*plen = n - i;
}

/* Go's filepath.Match on Unix: 1 match, 0 no match, -1 bad pattern. */
static int
go_filepath_match(const char *pattern, size_t plen, const char *name, size_t nlen)
{
	while (plen > 0)
	{
		bool		star;
		const char *chunk;
		size_t		clen;
		const char *t;
		size_t		tlen;
		int			ok;

		scan_chunk(&pattern, &plen, &star, &chunk, &clen);
		if (star && clen == 0)
			return memchr(name, '/', nlen) == NULL ? 1 : 0;
		ok = match_chunk(chunk, clen, name, nlen, &t, &tlen);
		if (ok == 1 && (tlen == 0 || plen > 0))
		{
			name = t, nlen = tlen;
			continue;
		}
		if (ok < 0)
			return -1;
		if (star)
		{
			bool		advanced = false;

			for (size_t i = 0; i < nlen && name[i] != '/'; i++)
			{
				ok = match_chunk(chunk, clen, name + i + 1, nlen - i - 1, &t, &tlen);
				if (ok == 1)
				{
					if (plen == 0 && tlen > 0)
						continue;
					name = t, nlen = tlen;
					advanced = true;
					break;
				}
				if (ok < 0)
					return -1;
			}
			if (advanced)
				continue;
		}
		return 0;
	}
	return nlen == 0 ? 1 : 0;
}

/* ---------- crosspath ---------- */

typedef enum PathKind
{
	PATH_UNKNOWN,
	PATH_DRIVE,
	PATH_UNC
} PathKind;

/* A path in crosspath's encoded form. */
typedef struct Encoded
{
	char	   *value;			/* cleaned, slash-separated, NUL-terminated */
	size_t		len;
	PathKind	kind;
	bool		win32;			/* the original held a backslash */
	bool		root;			/* "\\\\host\\share", "C:", "C:\\" */
} Encoded;

/* Whether s starts with a drive letter and a colon. */
static bool
is_drive_path(const char *s, size_t len)
{
	return len > 1 && s[1] == ':' &&
		((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'));
}

/* Whether s is a UNC path (starts with two backslashes). */
static bool
is_unc_path(const char *s, size_t len)
{
	return len >= 2 && s[0] == '\\' && s[1] == '\\';
}

/* Copies s with every backslash turned into a slash. */
static void
to_slash(char *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		out[i] = s[i] == '\\' ? '/' : s[i];
}

/* Cleans buf[0..n) into a fresh arena string. */
static bool
clean_into(Arena *arena, const char *buf, size_t n, Encoded *e)
{
	e->value = arena_alloc(arena, n + 2);
	if (!e->value)
		return false;
	e->len = go_path_clean(buf, n, e->value);
	e->value[e->len] = '\0';
	return true;
}

/*
 * crosspath.Encode.  Returns 1 on success, 0 for an unsupported Win32
 * path, -1 when the arena fails.
 */
static int
encode(Arena *arena, const char *s, size_t len, Encoded *e)
{
	char	   *buf = arena_alloc(arena, len + 2);
	size_t		n = 0;

	memset(e, 0, sizeof(*e));
	if (!buf)
		return -1;
	e->win32 = memchr(s, '\\', len) != NULL;
	if (is_unc_path(s, len))
	{
		size_t		parts = 1;

		e->kind = PATH_UNC;
		to_slash(buf, s, len);
		n = len;
		/* "\\\\host\\share" is a root: exactly one backslash after the host */
		for (size_t i = 2; i < len && parts < 3; i++)
			if (s[i] == '\\')
				parts++;
		e->root = parts == 2;
	}
	else if (is_drive_path(s, len))
	{
		if (!e->win32 && len > 2)
			return 0;
		e->kind = PATH_DRIVE;
		buf[n++] = '/';
		to_slash(buf + 1, s, len);
		n += len;
		e->root = len == 2 || len == 3;
	}
	else
	{
		e->kind = PATH_UNKNOWN;
		if (e->win32)
			to_slash(buf, s, len);
		else
			memcpy(buf, s, len);
		n = len;
	}
	return clean_into(arena, buf, n, e) ? 1 : -1;
}

/* crosspath.Decode of value[0..len) in e's original style, into the arena. */
static CelValue
decode(Arena *arena, const Encoded *e, const char *value, size_t len)
{
	char	   *out = arena_alloc(arena, len + 2);
	size_t		n = 0;

	if (!out)
		return cel_error(arena, "out of memory");
	if (e->kind == PATH_UNC)
	{
		out[n++] = '\\';
		for (size_t i = 0; i < len; i++)
			out[n++] = value[i] == '/' ? '\\' : value[i];
	}
	else if (e->kind == PATH_DRIVE || e->win32)
	{
		for (size_t i = 0; i < len; i++)
			out[n++] = value[i] == '/' ? '\\' : value[i];
		if (e->kind == PATH_DRIVE && n > 0 && out[0] == '\\')
		{
			memmove(out, out + 1, n - 1);
			n--;
		}
	}
	else
	{
		memcpy(out, value, len);
		n = len;
	}
	out[n] = '\0';
	return cel_string(out, n);
}

/* The error for a path crosspath refuses, with its role in the message. */
static CelValue
encode_error(Arena *arena, int rc, const char *role, const char *s, size_t len)
{
	if (rc < 0)
		return cel_error(arena, "out of memory");
	return cel_error(arena, "failed to encode %s %.*s: unsupported Win32 path",
					 role, (int) len, s);
}

/* ---------- Go's path/filepath on encoded values ---------- */

/* Go's filepath.Join(a, b) for two elements (empty ones are skipped). */
static bool
go_join2(Arena *arena, const char *a, size_t alen, const char *b, size_t blen,
		 Encoded *e)
{
	char	   *buf = arena_alloc(arena, alen + blen + 2);
	size_t		n = 0;

	if (!buf)
		return false;
	if (alen > 0)
	{
		memcpy(buf, a, alen);
		n = alen;
		if (blen > 0)
			buf[n++] = '/';
	}
	memcpy(buf + n, b, blen);
	n += blen;
	if (n == 0)
	{
		e->value = "";
		e->len = 0;
		return true;
	}
	return clean_into(arena, buf, n, e);
}

/*
 * Go's filepath.Rel on Unix.  On success sets *out and *out_len (arena);
 * false with *impossible set when the paths cannot be related.
 */
static bool
go_rel(Arena *arena, const char *base, size_t bl, const char *targ, size_t tl,
	   const char **out, size_t *out_len, bool *impossible)
{
	size_t		b0 = 0, bi = 0, t0 = 0, ti = 0;
	bool		base_slashed, targ_slashed;

	*impossible = false;
	if (bl == tl && memcmp(base, targ, bl) == 0)
	{
		*out = ".";
		*out_len = 1;
		return true;
	}
	/* "." stands for the empty path on either side */
	if (bl == 1 && base[0] == '.')
		bl = 0;
	if (tl == 1 && targ[0] == '.')
		tl = 0;
	base_slashed = bl > 0 && base[0] == '/';
	targ_slashed = tl > 0 && targ[0] == '/';
	if (base_slashed != targ_slashed)
	{
		*impossible = true;
		return false;
	}
	for (;;)
	{
		while (bi < bl && base[bi] != '/')
			bi++;
		while (ti < tl && targ[ti] != '/')
			ti++;
		if (ti - t0 != bi - b0 || memcmp(targ + t0, base + b0, ti - t0) != 0)
			break;
		if (bi < bl)
			bi++;
		if (ti < tl)
			ti++;
		b0 = bi;
		t0 = ti;
	}
	if (bi - b0 == 2 && base[b0] == '.' && base[b0 + 1] == '.')
	{
		*impossible = true;
		return false;
	}
	if (b0 != bl)
	{
		size_t		seps = 0;
		char	   *buf;
		size_t		n = 0;

		for (size_t i = b0; i < bl; i++)
			if (base[i] == '/')
				seps++;
		buf = arena_alloc(arena, 3 + seps * 3 + (tl - t0) + 1);
		if (!buf)
			return false;
		buf[n++] = '.';
		buf[n++] = '.';
		for (size_t i = 0; i < seps; i++)
		{
			buf[n++] = '/';
			buf[n++] = '.';
			buf[n++] = '.';
		}
		if (t0 != tl)
		{
			buf[n++] = '/';
			memcpy(buf + n, targ + t0, tl - t0);
			n += tl - t0;
		}
		*out = buf;
		*out_len = n;
		return true;
	}
	*out = targ + t0;
	*out_len = tl - t0;
	return true;
}

/*
 * crosspath.Rel(base, target) as a CEL value (decoded relative path or
 * Cerbos' error).
 */
static CelValue
crosspath_rel(Arena *arena, const char *base, size_t blen, const char *targ,
			  size_t tlen)
{
	Encoded		eb, et;
	int			rc;
	const char *rel;
	size_t		rlen;
	bool		impossible;

	if ((rc = encode(arena, base, blen, &eb)) != 1)
		return encode_error(arena, rc, "base path", base, blen);
	if ((rc = encode(arena, targ, tlen, &et)) != 1)
		return encode_error(arena, rc, "target path", targ, tlen);
	if (!go_rel(arena, eb.value, eb.len, et.value, et.len, &rel, &rlen, &impossible))
	{
		if (!impossible)
			return cel_error(arena, "out of memory");
		return cel_error(arena, "failed to determine relative path of %.*s: "
						 "Rel: can't make %s relative to %s",
						 (int) tlen, targ, et.value, eb.value);
	}
	if ((rlen == 1 && rel[0] == '.') || (rlen == 2 && rel[0] == '.' && rel[1] == '.'))
		return cel_string(rel, rlen);
	if (et.kind == PATH_UNC)
	{
		/* crosspath only swaps the separators here (no leading backslash) */
		Encoded		plain = et;

		plain.kind = PATH_UNKNOWN;
		plain.win32 = true;
		return decode(arena, &plain, rel, rlen);
	}
	return decode(arena, &et, rel, rlen);
}

/* crosspath.Match as 1 / 0, or an error value in *err. */
static int
crosspath_match(Arena *arena, const char *path, size_t plen, const char *pat,
				size_t patlen, CelValue *err)
{
	Encoded		ep, epat;
	int			rc;
	int			m;

	if ((rc = encode(arena, path, plen, &ep)) != 1)
	{
		*err = encode_error(arena, rc, "path", path, plen);
		return -1;
	}
	if ((rc = encode(arena, pat, patlen, &epat)) != 1)
	{
		*err = encode_error(arena, rc, "pattern", pat, patlen);
		return -1;
	}
	m = go_filepath_match(epat.value, epat.len, ep.value, ep.len);
	if (m < 0)
	{
		const char *qp = cel_go_quote(arena, pat, patlen);
		const char *qs = cel_go_quote(arena, path, plen);

		*err = cel_error(arena, "failed to match pattern %s on path %s: "
						 "syntax error in pattern", qp ? qp : "", qs ? qs : "");
		return -1;
	}
	return m;
}

/* ---------- the CEL functions ---------- */

#define STR(i) args[i].u.str.ptr, args[i].u.str.len

/* pathMatch(path, pattern) and path.pathMatch(pattern). */
CelValue
cel_fn_path_match(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelValue	err;
	int			m = crosspath_match(ctx->arena, STR(0), STR(1), &err);

	return m < 0 ? err : cel_bool(m == 1);
}

/* The strings of a list argument, or Cerbos' conversion error. */
static bool
string_list(CelEvalContext *ctx, CelValue list, CelValue *err)
{
	const CelList *l = list.u.list;

	for (size_t i = 0; i < l->len; i++)
	{
		CelValue	e = l->items[i];
		const char *what;

		if (e.kind == CEL_VAL_STRING)
			continue;
		switch (e.kind)
		{
			case CEL_VAL_INT:
				what = "unsupported type conversion from 'int' to string";
				break;
			case CEL_VAL_UINT:
				what = "unsupported type conversion from 'uint' to string";
				break;
			case CEL_VAL_DOUBLE:
				what = "type conversion error from Double to 'string'";
				break;
			case CEL_VAL_BOOL:
				what = "type conversion error from bool to 'string'";
				break;
			case CEL_VAL_NULL:
				what = "type conversion error from 'null_type' to 'string'";
				break;
			default:
				what = "type conversion error to 'string'";
		}
		*err = cel_error(ctx->arena, "failed to convert list to string slice: %s", what);
		return false;
	}
	return true;
}

/* pathMatchAnyOf(path, patterns): the first matching pattern wins; an
 * error met before it is the answer. */
CelValue
cel_fn_path_match_any_of(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelList *l = args[1].u.list;
	CelValue	err;

	if (!string_list(ctx, args[1], &err))
		return err;
	for (size_t i = 0; i < l->len; i++)
	{
		int			m = crosspath_match(ctx->arena, STR(0), l->items[i].u.str.ptr,
										l->items[i].u.str.len, &err);

		if (m < 0)
			return err;
		if (m == 1)
			return cel_bool(true);
	}
	return cel_bool(false);
}

/*
 * pathHasPrefix(path, prefix): true for identical strings; otherwise the
 * path relative to the prefix must not start with a dot (so "a/.b" is not
 * under "a", and "a/b/" is not under "a/b", as the Cerbos binary answers).
 */
CelValue
cel_fn_path_has_prefix(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelValue	rel;

	if (args[0].u.str.len == args[1].u.str.len &&
		memcmp(args[0].u.str.ptr, args[1].u.str.ptr, args[0].u.str.len) == 0)
		return cel_bool(true);
	rel = crosspath_rel(ctx->arena, STR(1), STR(0));
	if (rel.kind != CEL_VAL_STRING)
		return rel;
	return cel_bool(!(rel.u.str.len >= 1 && rel.u.str.ptr[0] == '.'));
}

/* relPath(base, target). */
CelValue
cel_fn_rel_path(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return crosspath_rel(ctx->arena, STR(0), STR(1));
}

/* basePath(path): Go's filepath.Base of the encoded path. */
CelValue
cel_fn_base_path(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	Encoded		e;
	int			rc = encode(ctx->arena, STR(0), &e);
	size_t		end, i;

	if (rc != 1)
		return encode_error(ctx->arena, rc, "path", STR(0));
	end = e.len;				/* never empty: cleaning yields at least "." */
	while (end > 0 && e.value[end - 1] == '/')
		end--;
	if (end == 0)
		return cel_string("/", 1);
	i = end;
	while (i > 0 && e.value[i - 1] != '/')
		i--;
	return cel_string(e.value + i, end - i);
}

/* extPath(path): Go's filepath.Ext of the encoded path. */
CelValue
cel_fn_ext_path(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	Encoded		e;
	int			rc = encode(ctx->arena, STR(0), &e);

	if (rc != 1)
		return encode_error(ctx->arena, rc, "path", STR(0));
	for (size_t i = e.len; i > 0 && e.value[i - 1] != '/'; i--)
		if (e.value[i - 1] == '.')
			return cel_string(e.value + i - 1, e.len - i + 1);
	return cel_string("", 0);
}

/* dirPath(path): crosspath.Dir. */
CelValue
cel_fn_dir_path(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	Encoded		e;
	int			rc = encode(ctx->arena, STR(0), &e);
	char	   *slash;
	CelValue	v;

	if (rc != 1)
		return encode_error(ctx->arena, rc, "path", STR(0));
	if ((e.kind == PATH_UNC || e.kind == PATH_DRIVE) && e.root)
	{
		v = decode(ctx->arena, &e, e.value, e.len);
		if (e.kind == PATH_DRIVE && v.kind == CEL_VAL_STRING)
		{
			char	   *s = arena_printf(ctx->arena, "%.*s\\", (int) v.u.str.len, v.u.str.ptr);

			return s ? cel_string(s, v.u.str.len + 1) : cel_error(ctx->arena, "out of memory");
		}
		return v;
	}
	if (e.kind != PATH_UNKNOWN || e.win32)
	{
		slash = strrchr(e.value, '/');
		if (!slash)				/* Go slices with index -1 and panics */
			return cel_error(ctx->arena, "internal error: runtime error: "
							 "slice bounds out of range [:-1]");
		return decode(ctx->arena, &e, e.value, (size_t) (slash - e.value));
	}
	/* Go's filepath.Dir */
	{
		size_t		i = e.len;
		char	   *buf;
		size_t		n;

		while (i > 0 && e.value[i - 1] != '/')
			i--;
		buf = arena_alloc(ctx->arena, i + 2);
		if (!buf)
			return cel_error(ctx->arena, "out of memory");
		n = go_path_clean(e.value, i, buf);
		return cel_string(buf, n);
	}
}

/* joinPath(list): crosspath.Join of the elements. */
CelValue
cel_fn_join_path(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const CelList *l = args[0].u.list;
	CelValue	err;
	Encoded		result;
	int			rc;

	if (!string_list(ctx, args[0], &err))
		return err;
	if (l->len == 0)
		return cel_string("", 0);
	if (l->len == 1)
		return l->items[0];
	if ((rc = encode(ctx->arena, l->items[0].u.str.ptr, l->items[0].u.str.len, &result)) != 1)
		return encode_error(ctx->arena, rc, "first path", l->items[0].u.str.ptr,
							l->items[0].u.str.len);
	for (size_t i = 1; i < l->len; i++)
	{
		Encoded		e;
		Encoded		joined = result;

		if ((rc = encode(ctx->arena, l->items[i].u.str.ptr, l->items[i].u.str.len, &e)) != 1)
			return encode_error(ctx->arena, rc, "path", l->items[i].u.str.ptr,
								l->items[i].u.str.len);
		if (!go_join2(ctx->arena, result.value, result.len, e.value, e.len, &joined))
			return cel_error(ctx->arena, "out of memory");
		result.value = joined.value;
		result.len = joined.len;
	}
	return decode(ctx->arena, &result, result.value, result.len);
}

/* volumeName(path): "C:" or "\\\\host\\share", else "". */
CelValue
cel_fn_volume_name(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const char *s = args[0].u.str.ptr;
	size_t		len = args[0].u.str.len;

	if (is_unc_path(s, len))
	{
		/* host and share must both be non-empty */
		const char *host = s + 2;
		const char *end = s + len;
		const char *sep = memchr(host, '\\', (size_t) (end - host));
		const char *share_end;

		if (!sep || sep == host || sep + 1 >= end || sep[1] == '\\')
			return cel_string("", 0);
		share_end = memchr(sep + 1, '\\', (size_t) (end - sep - 1));
		if (!share_end)
			share_end = end;
		return cel_string(s, (size_t) (share_end - s));
	}
	if (is_drive_path(s, len))
		return cel_string(s, 2);
	return cel_string("", 0);
}
