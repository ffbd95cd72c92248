/*
 * cel_strbuf.h — a growable byte buffer in an Arena, and UTF-8 helpers,
 * shared by the function libraries that build strings (strings, format,
 * regex, encoders).
 *
 * The buffer never aborts: when the arena refuses memory, or the text would
 * pass the evaluation's size limit, it sets `failed` and ignores further
 * appends; the caller checks `failed` once at the end and returns an error
 * value.  Everything is static inline so that each library stays a single
 * translation unit with no extra link dependencies.
 */
#ifndef AUTHZ_CEL_STRBUF_H
#define AUTHZ_CEL_STRBUF_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cel_func.h"

typedef struct CelStrBuf
{
	Arena	   *arena;
	CelEvalContext *ctx;		/* reports the size limit (cel_limit_error) */
	char	   *data;
	size_t		len;
	size_t		cap;
	size_t		limit;			/* 0 = no limit */
	bool		failed;			/* out of memory */
	bool		too_long;		/* passed limit */
} CelStrBuf;

/* Starts an empty buffer bound to the evaluation's arena and size limit. */
static inline void
cel_strbuf_init(CelStrBuf *sb, CelEvalContext *ctx)
{
	sb->arena = ctx->arena;
	sb->ctx = ctx;
	sb->data = NULL;
	sb->len = 0;
	sb->cap = 0;
	sb->limit = ctx->max_string_bytes;
	sb->failed = false;
	sb->too_long = false;
}

/* Makes room for n more bytes (plus a NUL); false once the buffer failed. */
static inline bool
cel_strbuf_reserve(CelStrBuf *sb, size_t n)
{
	size_t		need;
	size_t		ncap;
	char	   *ndata;

	if (sb->failed || sb->too_long)
		return false;
	if (n > SIZE_MAX / 4 || sb->len + n < sb->len)
	{
		sb->too_long = true;
		return false;
	}
	need = sb->len + n + 1;
	if (sb->limit && need - 1 > sb->limit)
	{
		sb->too_long = true;
		return false;
	}
	if (need <= sb->cap)
		return true;
	ncap = sb->cap ? sb->cap * 2 : 32;
	while (ncap < need)
		ncap *= 2;
	ndata = (char *) arena_realloc(sb->arena, sb->data, sb->cap, ncap);
	if (ndata == NULL)
	{
		sb->failed = true;
		return false;
	}
	sb->data = ndata;
	sb->cap = ncap;
	return true;
}

/* Appends n bytes. */
static inline void
cel_strbuf_append(CelStrBuf *sb, const char *s, size_t n)
{
	if (n == 0 || !cel_strbuf_reserve(sb, n))
		return;
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

/* Appends a NUL-terminated string. */
static inline void
cel_strbuf_puts(CelStrBuf *sb, const char *s)
{
	cel_strbuf_append(sb, s, strlen(s));
}

/* Appends one byte. */
static inline void
cel_strbuf_putc(CelStrBuf *sb, char c)
{
	cel_strbuf_append(sb, &c, 1);
}

/* Appends printf output. */
static inline void
cel_strbuf_printf(CelStrBuf *sb, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

static inline void
cel_strbuf_printf(CelStrBuf *sb, const char *fmt,...)
{
	va_list		ap;
	int			n;
	char		small[128];

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t) n < sizeof(small))
	{
		cel_strbuf_append(sb, small, (size_t) n);
		return;
	}
	if (!cel_strbuf_reserve(sb, (size_t) n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->data + sb->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t) n;
}

/* Encodes one code point as UTF-8 into out (4 bytes); returns the length. */
static inline int
cel_utf8_encode(uint32_t cp, char *out)
{
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80)
	{
		out[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		out[0] = (char) (0xC0 | (cp >> 6));
		out[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		out[0] = (char) (0xE0 | (cp >> 12));
		out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char) (0xF0 | (cp >> 18));
	out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/* Appends one code point as UTF-8. */
static inline void
cel_strbuf_put_rune(CelStrBuf *sb, uint32_t cp)
{
	char		tmp[4];

	cel_strbuf_append(sb, tmp, (size_t) cel_utf8_encode(cp, tmp));
}

/*
 * Decodes the code point at s[*pos] (len bytes in all) and advances *pos.
 * Invalid or truncated sequences decode as U+FFFD consuming one byte, as
 * Go's range loop over a string does; *valid reports which it was.
 */
static inline uint32_t
cel_utf8_next(const char *s, size_t len, size_t *pos, bool *valid)
{
	const unsigned char *p = (const unsigned char *) s + *pos;
	size_t		left = len - *pos;
	uint32_t	cp;
	int			n;

	if (valid)
		*valid = true;
	if (p[0] < 0x80)
	{
		*pos += 1;
		return p[0];
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
	{
		n = 2;
		cp = p[0] & 0x1F;
	}
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
	{
		n = 3;
		cp = p[0] & 0x0F;
	}
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
	{
		n = 4;
		cp = p[0] & 0x07;
	}
	else
		goto bad;
	if (left < (size_t) n)
		goto bad;
	for (int i = 1; i < n; i++)
	{
		if ((p[i] & 0xC0) != 0x80)
			goto bad;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		(n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		goto bad;
	*pos += (size_t) n;
	return cp;
bad:
	if (valid)
		*valid = false;
	*pos += 1;
	return 0xFFFD;
}

/*
 * Appends s[0..len) as a JSON string literal: the two-character escapes for
 * quote, backslash, \b, \f, \n, \r and \t, and \u00XX for the other control
 * characters.
 * go_escapes writes as Go's encoding/json (and so protojson) does: lower-case
 * hex, and <, >, &, U+2028 and U+2029 escaped too; without it, as jansson's
 * compact dump does (upper-case hex, nothing else escaped).  Bytes that are
 * not UTF-8 are copied as they are; callers that must not emit them check
 * first.
 */
static inline void
cel_strbuf_json_string(CelStrBuf *sb, const char *s, size_t len, bool go_escapes)
{
	size_t		pos = 0;

	cel_strbuf_putc(sb, '"');
	while (pos < len)
	{
		size_t		at = pos;
		uint32_t	c = cel_utf8_next(s, len, &pos, NULL);

		switch (c)
		{
			case '"':
				cel_strbuf_puts(sb, "\\\"");
				continue;
			case '\\':
				cel_strbuf_puts(sb, "\\\\");
				continue;
			case '\b':
				cel_strbuf_puts(sb, "\\b");
				continue;
			case '\f':
				cel_strbuf_puts(sb, "\\f");
				continue;
			case '\n':
				cel_strbuf_puts(sb, "\\n");
				continue;
			case '\r':
				cel_strbuf_puts(sb, "\\r");
				continue;
			case '\t':
				cel_strbuf_puts(sb, "\\t");
				continue;
		}
		if (c < 0x20 || (go_escapes && (c == '<' || c == '>' || c == '&' ||
										 c == 0x2028 || c == 0x2029)))
			cel_strbuf_printf(sb, go_escapes ? "\\u%04x" : "\\u%04X", (unsigned) c);
		else
			cel_strbuf_append(sb, s + at, pos - at);
	}
	cel_strbuf_putc(sb, '"');
}

/* Number of code points in s[0..len). */
static inline size_t
cel_utf8_count(const char *s, size_t len)
{
	size_t		pos = 0;
	size_t		n = 0;

	while (pos < len)
	{
		cel_utf8_next(s, len, &pos, NULL);
		n++;
	}
	return n;
}

/* True when s[0..len) is well-formed UTF-8. */
static inline bool
cel_utf8_valid(const char *s, size_t len)
{
	size_t		pos = 0;
	bool		ok;

	while (pos < len)
	{
		cel_utf8_next(s, len, &pos, &ok);
		if (!ok)
			return false;
	}
	return true;
}

/* The buffer as a CEL string value, or the error value it ran into. */
static inline CelValue
cel_strbuf_string(CelStrBuf *sb)
{
	if (sb->too_long)
		return cel_limit_error(sb->ctx, CEL_LIMIT_STRING_BYTES,
							   "string exceeds the size limit of %zu bytes", sb->limit);
	if (sb->failed)
		return cel_error(sb->arena, "out of memory");
	return cel_string(sb->data ? sb->data : "", sb->len);
}

#endif							/* AUTHZ_CEL_STRBUF_H */
