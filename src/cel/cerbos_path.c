/*
 * cerbos_path.c — Cerbos' pathMatch(path, pattern): shell-style matching
 * of file paths that may be written the Unix or the Windows way.
 *
 * Cerbos first normalises both strings (its crosspath package): any
 * backslash makes the string a Windows path whose backslashes become
 * slashes, "C:\\..." becomes "/C:/..." (a longer "C:..." without any
 * backslash is refused: "unsupported Win32 path"), and the result goes through Go's
 * path cleaning (no "//", ".", "..", trailing "/"; "" is ".").  Then Go's
 * filepath.Match compares them: '*' is any run of non-'/' characters, '?'
 * one non-'/' character, "[a-z]" / "[^a-z]" classes; a malformed chunk is
 * an error once matching reaches it (the Go version Cerbos is built with
 * does not check the chunks after a failed one).  Because
 * backslashes were turned into slashes, a pattern cannot escape anything.
 */
#include "cel_cerbos.h"
#include "cel_goquote.h"

#include <string.h>
#include <sys/types.h>

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

/*
 * Cerbos' crosspath encoding, then cleaning; returns the length in out, or
 * -1 for a drive path it refuses: "c:" followed by more text but with no
 * backslash anywhere ("c:x", "c:/x").
 */
static ssize_t
crosspath_encode(const char *s, size_t len, char *out, char *tmp)
{
	bool		win32 = memchr(s, '\\', len) != NULL;
	size_t		n = 0;
	bool		unc = len >= 2 && s[0] == '\\' && s[1] == '\\';
	bool		drive = !unc && len > 1 && s[1] == ':' &&
		((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'));

	if (drive && !win32 && len > 2)
		return -1;
	if (drive)
		tmp[n++] = '/';
	for (size_t i = 0; i < len; i++)
		tmp[n++] = (win32 || unc || drive) && s[i] == '\\' ? '/' : s[i];
	return (ssize_t) go_path_clean(tmp, n, out);
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

/* pathMatch(path, pattern) and path.pathMatch(pattern). */
CelValue
cel_fn_path_match(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const char *path = args[0].u.str.ptr;
	size_t		path_len = args[0].u.str.len;
	const char *pat = args[1].u.str.ptr;
	size_t		pat_len = args[1].u.str.len;
	char	   *buf = arena_alloc(ctx->arena, 4 * (path_len + pat_len) + 16);
	char	   *ep, *epat;
	ssize_t		ep_len, epat_len;
	int			m;

	if (!buf)
		return cel_error(ctx->arena, "out of memory");
	ep = buf;
	epat = buf + 2 * path_len + 4;
	ep_len = crosspath_encode(path, path_len, ep, epat);
	if (ep_len < 0)
		return cel_error(ctx->arena, "failed to encode path %.*s: unsupported Win32 path",
						 (int) path_len, path);
	epat_len = crosspath_encode(pat, pat_len, epat, buf + 2 * path_len + 2 * pat_len + 8);
	if (epat_len < 0)
		return cel_error(ctx->arena, "failed to encode pattern %.*s: unsupported Win32 path",
						 (int) pat_len, pat);
	m = go_filepath_match(epat, (size_t) epat_len, ep, (size_t) ep_len);
	if (m < 0)
	{
		const char *qp = cel_go_quote(ctx->arena, pat, pat_len);
		const char *qs = cel_go_quote(ctx->arena, path, path_len);

		return cel_error(ctx->arena, "failed to match pattern %s on path %s: "
						 "syntax error in pattern", qp ? qp : "", qs ? qs : "");
	}
	return cel_bool(m == 1);
}
