/*
 * strings.c — cel-go's ext.Strings library as Cerbos 0.55 enables it (all
 * versions: charAt, indexOf, lastIndexOf, lowerAscii, upperAscii, replace,
 * split, substring, trim, join, format, strings.quote, reverse).
 *
 * Indexes count code points, not bytes, as cel-go does by converting to
 * []rune.  The index checks follow the cel-go release Cerbos ships, which
 * differs from the CEL spec past the end of the string: indexOf and
 * lastIndexOf then answer -1 instead of failing, and an empty needle
 * answers the offset clamped to the length.  replace and split follow Go's
 * strings.Replace and strings.SplitN (an empty separator splits between code
 * points).  format lives in format.c.
 */
#include "cel_strings.h"

#include <stdlib.h>

/* Byte offsets of every code point of s, plus one for the end. */
static size_t *
rune_offsets(Arena *arena, const char *s, size_t len, size_t *count)
{
	size_t	   *offs = (size_t *) arena_alloc(arena, (len + 1) * sizeof(size_t));
	size_t		pos = 0;
	size_t		n = 0;

	if (offs == NULL)
		return NULL;
	while (pos < len)
	{
		offs[n++] = pos;
		cel_utf8_next(s, len, &pos, NULL);
	}
	offs[n] = len;
	*count = n;
	return offs;
}

/* The error value for an allocation the arena refused. */
static CelValue
oom(CelEvalContext *ctx)
{
	return cel_error(ctx->arena, "out of memory");
}

/*
 * Advances *pos over up to k code points of s; returns how many it passed
 * (fewer than k when the string ends first).
 */
static int64_t
rune_seek(const char *s, size_t len, size_t *pos, int64_t k)
{
	int64_t		i = 0;

	while (i < k && *pos < len)
	{
		cel_utf8_next(s, len, pos, NULL);
		i++;
	}
	return i;
}

/* string.charAt(int): the code point at an index; "" at the end. */
static CelValue
str_char_at(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const char *s = args[0].u.str.ptr;
	size_t		len = args[0].u.str.len;
	int64_t		i = args[1].u.i;
	size_t		pos = 0;
	size_t		end;

	if (i < 0 || rune_seek(s, len, &pos, i) < i)
		return cel_error(ctx->arena, "index out of range: %lld", (long long) i);
	if (pos == len)
		return cel_string("", 0);
	end = pos;
	cel_utf8_next(s, len, &end, NULL);
	return cel_string(s + pos, end - pos);
}

/* Shared body of indexOf with and without a start offset. */
static CelValue
index_of(CelEvalContext *ctx, CelValue str, CelValue sub, int64_t off)
{
	const char *s = str.u.str.ptr;
	size_t		len = str.u.str.len;
	size_t		pos = 0;
	int64_t		i;

	if (off < 0)
		return cel_error(ctx->arena, "index out of range: %lld", (long long) off);
	i = rune_seek(s, len, &pos, off);
	if (sub.u.str.len == 0)
		return cel_int(i);		/* the offset, clamped to the length */
	if (i < off || pos == len)
		return cel_int(-1);
	while (pos < len && pos + sub.u.str.len <= len)
	{
		if (memcmp(s + pos, sub.u.str.ptr, sub.u.str.len) == 0)
			return cel_int(i);
		cel_utf8_next(s, len, &pos, NULL);
		i++;
	}
	return cel_int(-1);
}

/* string.indexOf(string) */
static CelValue
str_index_of(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return index_of(ctx, args[0], args[1], 0);
}

/* string.indexOf(string, int) */
static CelValue
str_index_of_offset(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return index_of(ctx, args[0], args[1], args[2].u.i);
}

/*
 * Shared body of lastIndexOf; off is the last start position considered
 * (whole: the entire string).
 */
static CelValue
last_index_of(CelEvalContext *ctx, CelValue str, CelValue sub, int64_t off,
			  bool whole)
{
	const char *s = str.u.str.ptr;
	size_t		len = str.u.str.len;
	int64_t		n = (int64_t) cel_utf8_count(s, len);
	int64_t		subn;
	int64_t		start;
	int64_t		found = -1;
	size_t		pos = 0;

	if (whole)
	{
		if (sub.u.str.len == 0)
			return cel_int(n);
		off = n - 1;
	}
	if (off < 0)
	{
		if (whole)
			return cel_int(-1);
		return cel_error(ctx->arena, "index out of range: %lld", (long long) off);
	}
	if (sub.u.str.len == 0)
		return cel_int(off > n ? n : off);
	if (off >= n)
		return cel_int(-1);
	subn = (int64_t) cel_utf8_count(sub.u.str.ptr, sub.u.str.len);
	start = off < n - subn ? off : n - subn;
	for (int64_t i = 0; i <= start && pos < len; i++)
	{
		if (pos + sub.u.str.len <= len &&
			memcmp(s + pos, sub.u.str.ptr, sub.u.str.len) == 0)
			found = i;
		cel_utf8_next(s, len, &pos, NULL);
	}
	return cel_int(found);
}

/* string.lastIndexOf(string) */
static CelValue
str_last_index_of(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return last_index_of(ctx, args[0], args[1], 0, true);
}

/* string.lastIndexOf(string, int) */
static CelValue
str_last_index_of_offset(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return last_index_of(ctx, args[0], args[1], args[2].u.i, false);
}

/* Copies s with its ASCII letters upper- or lower-cased (others unchanged). */
static CelValue
ascii_case(CelEvalContext *ctx, CelValue str, bool upper)
{
	char	   *out = arena_strndup(ctx->arena, str.u.str.ptr, str.u.str.len);

	if (out == NULL)
		return oom(ctx);
	for (size_t i = 0; i < str.u.str.len; i++)
	{
		if (upper && out[i] >= 'a' && out[i] <= 'z')
			out[i] = (char) (out[i] - 'a' + 'A');
		else if (!upper && out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char) (out[i] - 'A' + 'a');
	}
	return cel_string(out, str.u.str.len);
}

/* string.lowerAscii() */
static CelValue
str_lower_ascii(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return ascii_case(ctx, args[0], false);
}

/* string.upperAscii() */
static CelValue
str_upper_ascii(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return ascii_case(ctx, args[0], true);
}

/* Index of needle in hay[from..), or -1 (byte offsets). */
static int64_t
find_bytes(const char *hay, size_t len, size_t from, const char *needle,
		   size_t nlen)
{
	if (nlen == 0)
		return (int64_t) from;
	for (size_t i = from; i + nlen <= len; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
			return (int64_t) i;
	return -1;
}

/* Go's strings.Replace: at most limit replacements (negative = all). */
static CelValue
replace_n(CelEvalContext *ctx, CelValue str, CelValue old, CelValue new,
		  int64_t limit)
{
	const char *s = str.u.str.ptr;
	size_t		len = str.u.str.len;
	size_t		olen = old.u.str.len;
	int64_t		count = 0;
	size_t		start = 0;
	CelStrBuf	sb;

	if (limit == 0)
		return str;
	/* count matches as Go does, to cap the limit */
	if (olen == 0)
		count = (int64_t) cel_utf8_count(s, len) + 1;
	else
	{
		int64_t		at = 0;

		while ((at = find_bytes(s, len, (size_t) at, old.u.str.ptr, olen)) >= 0)
		{
			count++;
			at += (int64_t) olen;
		}
	}
	if (count == 0)
		return str;
	if (limit < 0 || count < limit)
		limit = count;
	cel_strbuf_init(&sb, ctx);
	for (int64_t i = 0; i < limit; i++)
	{
		size_t		j = start;

		if (olen == 0)
		{
			if (i > 0 && j < len)
				cel_utf8_next(s, len, &j, NULL);
		}
		else
			j = (size_t) find_bytes(s, len, start, old.u.str.ptr, olen);
		cel_strbuf_append(&sb, s + start, j - start);
		cel_strbuf_append(&sb, new.u.str.ptr, new.u.str.len);
		start = j + olen;
	}
	cel_strbuf_append(&sb, s + start, len - start);
	return cel_strbuf_string(&sb);
}

/* string.replace(string, string) */
static CelValue
str_replace(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return replace_n(ctx, args[0], args[1], args[2], -1);
}

/* string.replace(string, string, int) */
static CelValue
str_replace_n(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return replace_n(ctx, args[0], args[1], args[2], args[3].u.i);
}

/* Builds a list value of n strings, checking the list size limit. */
static CelValue
string_list(CelEvalContext *ctx, CelValue *items, size_t n)
{
	if (ctx->max_list_items && n > ctx->max_list_items)
		return cel_limit_error(ctx, CEL_LIMIT_LIST_ITEMS,
							   "list exceeds the size limit of %zu items", ctx->max_list_items);
	return cel_list_from(ctx->arena, items, n);
}

/* Go's strings.SplitN: limit 0 = empty list, negative = no limit. */
static CelValue
split_n(CelEvalContext *ctx, CelValue str, CelValue sep, int64_t limit)
{
	const char *s = str.u.str.ptr;
	size_t		len = str.u.str.len;
	size_t		slen = sep.u.str.len;
	CelValue   *items;
	size_t		n = 0;
	size_t		max;

	if (limit == 0)
		return cel_list_from(ctx->arena, NULL, 0);
	if (slen == 0)
	{
		/* explode into code points, the last one taking the rest */
		size_t		runes = cel_utf8_count(s, len);
		size_t		pos = 0;

		max = (limit < 0 || (uint64_t) limit > runes) ? runes : (size_t) limit;
		items = (CelValue *) arena_alloc(ctx->arena, (max + 1) * sizeof(CelValue));
		if (items == NULL)
			return oom(ctx);
		while (n + 1 < max)
		{
			size_t		at = pos;
			bool		ok;

			cel_utf8_next(s, len, &pos, &ok);
			items[n++] = ok ? cel_string(s + at, pos - at)
				: cel_string("\xEF\xBF\xBD", 3);
		}
		if (max > 0)
			items[n++] = cel_string(s + pos, len - pos);
		return string_list(ctx, items, n);
	}
	else
	{
		size_t		count = 0;
		int64_t		at = 0;
		size_t		start = 0;

		while ((at = find_bytes(s, len, (size_t) at, sep.u.str.ptr, slen)) >= 0)
		{
			count++;
			at += (int64_t) slen;
		}
		max = count + 1;
		if (limit > 0 && (uint64_t) limit < max)
			max = (size_t) limit;
		items = (CelValue *) arena_alloc(ctx->arena, max * sizeof(CelValue));
		if (items == NULL)
			return oom(ctx);
		while (n + 1 < max)
		{
			size_t		j = (size_t) find_bytes(s, len, start, sep.u.str.ptr, slen);

			items[n++] = cel_string(s + start, j - start);
			start = j + slen;
		}
		items[n++] = cel_string(s + start, len - start);
		return string_list(ctx, items, n);
	}
}

/* string.split(string) */
static CelValue
str_split(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return split_n(ctx, args[0], args[1], -1);
}

/* string.split(string, int) */
static CelValue
str_split_n(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return split_n(ctx, args[0], args[1], args[2].u.i);
}

/* string.substring(int) */
static CelValue
str_substring(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	int64_t		start = args[1].u.i;
	size_t		pos = 0;

	if (start < 0 || rune_seek(args[0].u.str.ptr, args[0].u.str.len, &pos, start) < start)
		return cel_error(ctx->arena, "index out of range: %lld", (long long) start);
	return cel_string(args[0].u.str.ptr + pos, args[0].u.str.len - pos);
}

/* string.substring(int, int) */
static CelValue
str_substring_range(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const char *s = args[0].u.str.ptr;
	size_t		len = args[0].u.str.len;
	int64_t		start = args[1].u.i;
	int64_t		end = args[2].u.i;
	size_t		from = 0;
	size_t		to;

	if (start > end)
		return cel_error(ctx->arena,
						 "invalid substring range. start: %lld, end: %lld",
						 (long long) start, (long long) end);
	if (start < 0 || rune_seek(s, len, &from, start) < start)
		return cel_error(ctx->arena, "index out of range: %lld", (long long) start);
	to = from;
	if (rune_seek(s, len, &to, end - start) < end - start)
		return cel_error(ctx->arena, "index out of range: %lld", (long long) end);
	return cel_string(s + from, to - from);
}

/* Go's unicode.IsSpace: the Unicode White_Space property. */
static bool
is_space(uint32_t c)
{
	switch (c)
	{
		case '\t':
		case '\n':
		case '\v':
		case '\f':
		case '\r':
		case ' ':
		case 0x85:
		case 0xA0:
		case 0x1680:
		case 0x2028:
		case 0x2029:
		case 0x202F:
		case 0x205F:
		case 0x3000:
			return true;
		default:
			return c >= 0x2000 && c <= 0x200A;
	}
}

/* string.trim(): strips leading and trailing Unicode white space. */
static CelValue
str_trim(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const char *s = args[0].u.str.ptr;
	size_t		len = args[0].u.str.len;
	size_t		start = 0;
	size_t		end = len;

	while (start < len)
	{
		size_t		pos = start;
		bool		ok;
		uint32_t	c = cel_utf8_next(s, len, &pos, &ok);

		if (!ok || !is_space(c))
			break;
		start = pos;
	}
	while (end > start)
	{
		/* step back to the start of the last code point */
		size_t		back = end - 1;
		size_t		pos;
		bool		ok;
		uint32_t	c;

		while (back > start && end - back < 4 &&
			   ((unsigned char) s[back] & 0xC0) == 0x80)
			back--;
		pos = back;
		c = cel_utf8_next(s, len, &pos, &ok);
		if (pos != end || !ok || !is_space(c))
			break;
		end = back;
	}
	return cel_string(s + start, end - start);
}

/* Shared body of list.join() with an optional separator. */
static CelValue
join(CelEvalContext *ctx, const CelList *list, const char *sep, size_t seplen)
{
	CelStrBuf	sb;

	cel_strbuf_init(&sb, ctx);
	for (size_t i = 0; i < list->len; i++)
	{
		CelValue	item = list->items[i];

		if (item.kind != CEL_VAL_STRING)
		{
			CelStrBuf	shown;

			cel_strbuf_init(&shown, ctx);
			cel_format_append_go_value(&shown, item, 0);
			cel_strbuf_putc(&shown, '\0');
			return cel_error(ctx->arena, "join: invalid input: %s",
							 shown.data ? shown.data : "");
		}
		if (i > 0)
			cel_strbuf_append(&sb, sep, seplen);
		cel_strbuf_append(&sb, item.u.str.ptr, item.u.str.len);
	}
	return cel_strbuf_string(&sb);
}

/* list(string).join() */
static CelValue
list_join(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return join(ctx, args[0].u.list, "", 0);
}

/* list(string).join(string) */
static CelValue
list_join_sep(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return join(ctx, args[0].u.list, args[1].u.str.ptr, args[1].u.str.len);
}

/* strings.quote(string): a double-quoted literal with escapes. */
static CelValue
strings_quote(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const char *s = args[0].u.str.ptr;
	size_t		len = args[0].u.str.len;
	size_t		pos = 0;
	CelStrBuf	sb;

	cel_strbuf_init(&sb, ctx);
	cel_strbuf_putc(&sb, '"');
	while (pos < len)
	{
		uint32_t	c = cel_utf8_next(s, len, &pos, NULL);

		switch (c)
		{
			case '\a':
				cel_strbuf_puts(&sb, "\\a");
				break;
			case '\b':
				cel_strbuf_puts(&sb, "\\b");
				break;
			case '\f':
				cel_strbuf_puts(&sb, "\\f");
				break;
			case '\n':
				cel_strbuf_puts(&sb, "\\n");
				break;
			case '\r':
				cel_strbuf_puts(&sb, "\\r");
				break;
			case '\t':
				cel_strbuf_puts(&sb, "\\t");
				break;
			case '\v':
				cel_strbuf_puts(&sb, "\\v");
				break;
			case '\\':
				cel_strbuf_puts(&sb, "\\\\");
				break;
			case '"':
				cel_strbuf_puts(&sb, "\\\"");
				break;
			default:
				cel_strbuf_put_rune(&sb, c);
		}
	}
	cel_strbuf_putc(&sb, '"');
	return cel_strbuf_string(&sb);
}

/* string.reverse(): the code points in reverse order. */
static CelValue
str_reverse(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const char *s = args[0].u.str.ptr;
	size_t		len = args[0].u.str.len;
	size_t		n;
	size_t	   *offs = rune_offsets(ctx->arena, s, len, &n);
	CelStrBuf	sb;

	if (offs == NULL)
		return oom(ctx);
	cel_strbuf_init(&sb, ctx);
	for (size_t i = n; i > 0; i--)
	{
		size_t		pos = offs[i - 1];
		uint32_t	c = cel_utf8_next(s, len, &pos, NULL);

		cel_strbuf_put_rune(&sb, c);
	}
	return cel_strbuf_string(&sb);
}

/* string.format(list): see format.c. */
static CelValue
str_format(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_strings_format(ctx, args[0].u.str.ptr, args[0].u.str.len,
							  args[1].u.list);
}

static const CelOverload string_overloads[] = {
	{"string_char_at_int", "string.charAt(int) -> string", str_char_at, 0},
	{"string_index_of_string", "string.indexOf(string) -> int", str_index_of, 0},
	{"string_index_of_string_int", "string.indexOf(string, int) -> int",
	str_index_of_offset, 0},
	{"string_last_index_of_string", "string.lastIndexOf(string) -> int",
	str_last_index_of, 0},
	{"string_last_index_of_string_int", "string.lastIndexOf(string, int) -> int",
	str_last_index_of_offset, 0},
	{"string_lower_ascii", "string.lowerAscii() -> string", str_lower_ascii, 0},
	{"string_upper_ascii", "string.upperAscii() -> string", str_upper_ascii, 0},
	{"string_replace_string_string", "string.replace(string, string) -> string",
	str_replace, 0},
	{"string_replace_string_string_int",
	"string.replace(string, string, int) -> string", str_replace_n, 0},
	{"string_split_string", "string.split(string) -> list(string)", str_split, 0},
	{"string_split_string_int", "string.split(string, int) -> list(string)",
	str_split_n, 0},
	{"string_substring_int", "string.substring(int) -> string", str_substring, 0},
	{"string_substring_int_int", "string.substring(int, int) -> string",
	str_substring_range, 0},
	{"string_trim", "string.trim() -> string", str_trim, 0},
	{"string_format", "string.format(list(dyn)) -> string", str_format, 0},
	{"strings_quote", "strings.quote(string) -> string", strings_quote, 0},
	{"list_join", "list(string).join() -> string", list_join, 0},
	{"list_join_string", "list(string).join(string) -> string", list_join_sep, 0},
	{"string_reverse", "string.reverse() -> string", str_reverse, 0},
};

const CelLibrary cel_lib_strings = {
	"strings", string_overloads,
	(int) (sizeof(string_overloads) / sizeof(string_overloads[0]))
};
