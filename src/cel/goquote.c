/*
 * goquote.c — Go's strconv.Quote for error messages.
 *
 * Go's rule for "printable" is unicode.IsPrint; we keep every valid code
 * point from U+00A0 up except a few invisible ones (soft hyphen, line and
 * paragraph separators, BOM), which is what the messages we reproduce need.
 */
#include "cel_goquote.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (0 if invalid), code point in *cp. */
static int
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	int			n;
	uint32_t	c;
	uint32_t	min;

	if (s[0] < 0x80)
	{
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0)
		n = 2, c = s[0] & 0x1F, min = 0x80;
	else if ((s[0] & 0xF0) == 0xE0)
		n = 3, c = s[0] & 0x0F, min = 0x800;
	else if ((s[0] & 0xF8) == 0xF0)
		n = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if ((size_t) n > len)
		return 0;
	for (int i = 1; i < n; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Go's strconv.Quote of s[0..len) in the arena (long input is cut at 4 KiB). */
char *
cel_go_quote(Arena *arena, const char *s, size_t len)
{
	size_t		cap = len * 10 + 3;
	char	   *out;
	size_t		o = 0;
	size_t		i = 0;

	if (len > 4096)
		len = 4096, cap = len * 10 + 3;
	out = arena_alloc(arena, cap);
	if (!out)
		return NULL;
	out[o++] = '"';
	while (i < len)
	{
		uint32_t	cp;
		int			n = utf8_decode((const unsigned char *) s + i, len - i, &cp);

		if (n == 0)
		{
			o += sprintf(out + o, "\\x%02x", (unsigned char) s[i]);
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\')
		{
			out[o++] = '\\';
			out[o++] = (char) cp;
		}
		else if (cp >= 0x20 && cp < 0x7F)
			out[o++] = (char) cp;
		else if (cp >= 0xA0 && cp != 0xAD && cp != 0x2028 && cp != 0x2029 &&
				 cp != 0xFEFF)
		{
			memcpy(out + o, s + i, n);
			o += n;
		}
		else
		{
			switch (cp)
			{
				case '\a': o += sprintf(out + o, "\\a"); break;
				case '\b': o += sprintf(out + o, "\\b"); break;
				case '\f': o += sprintf(out + o, "\\f"); break;
				case '\n': o += sprintf(out + o, "\\n"); break;
				case '\r': o += sprintf(out + o, "\\r"); break;
				case '\t': o += sprintf(out + o, "\\t"); break;
				case '\v': o += sprintf(out + o, "\\v"); break;
				default:
					if (cp < 0x80)
						o += sprintf(out + o, "\\x%02x", (unsigned) cp);
					else
						o += sprintf(out + o, "\\u%04x", (unsigned) cp);
			}
		}
		i += n;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}
