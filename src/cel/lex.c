/*
 * lex.c — CEL's lexer, following the token rules of cel-go's CEL.g4.
 *
 * Tokens are produced on demand as (kind, start, end) byte ranges; the
 * parser decodes literal text itself (numbers) or through cel_lex_unquote
 * (strings and bytes).  The lexer accepts exactly the escape sequences the
 * grammar accepts, so an invalid escape is a token recognition error here,
 * as it is in cel-go, while the semantic checks the grammar cannot express
 * (surrogate code points, \u in bytes) happen while unquoting.
 *
 * Positions: offsets are bytes; cel_offset_position turns one into the
 * 1-based line and column cel-go prints, where the column counts code
 * points, as cel-go's source (a rune slice) does.
 */
#include "cel_parser.h"

#include <stdio.h>
#include <string.h>

/* Starts lexing src[0..len). */
void
cel_lex_init(CelLexer *lx, const char *src, size_t len)
{
	lx->src = src;
	lx->len = len;
	lx->pos = 0;
	lx->error = false;
	lx->error_text[0] = '\0';
}

/* Character classes of the CEL lexer (ASCII only, as CEL.g4). */
static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Whether c is a hexadecimal digit. */
static bool
is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Whether c may start an identifier (with _). */
static bool
is_letter(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Byte at i, or -1 past the end. */
static int
at(const CelLexer *lx, size_t i)
{
	return i < lx->len ? (unsigned char) lx->src[i] : -1;
}

/* Length of a valid escape sequence starting at the backslash at i, or 0. */
static size_t
escape_length(const CelLexer *lx, size_t i)
{
	int			c = at(lx, i + 1);
	size_t		n;

	if (c < 0)
		return 0;
	if (strchr("abfnrtv\"'\\?`", c) != NULL && c != 0)
		return 2;
	if (c == 'u' || c == 'U' || c == 'x' || c == 'X')
	{
		n = c == 'u' ? 4 : c == 'U' ? 8 : 2;
		for (size_t k = 0; k < n; k++)
			if (!is_hex(at(lx, i + 2 + k)))
				return 0;
		return 2 + n;
	}
	if (c >= '0' && c <= '3')
	{
		if (at(lx, i + 2) >= '0' && at(lx, i + 2) <= '7' &&
			at(lx, i + 3) >= '0' && at(lx, i + 3) <= '7')
			return 4;
	}
	return 0;
}

/* Records a token recognition error covering src[start..end). */
static CelToken
lex_error(CelLexer *lx, size_t start, size_t end)
{
	CelToken	t;
	size_t		n = end - start;

	if (n > sizeof(lx->error_text) - 1)
		n = sizeof(lx->error_text) - 1;
	memcpy(lx->error_text, lx->src + start, n);
	lx->error_text[n] = '\0';
	lx->error = true;
	t.kind = TK_ERROR;
	t.start = (int32_t) start;
	t.end = (int32_t) end;
	lx->pos = lx->len;
	return t;
}

/*
 * Scans a quoted literal whose quote starts at q (after any r/b prefixes);
 * returns the end offset, or 0 with an error token in *err.
 */
static size_t
scan_quoted(CelLexer *lx, size_t start, size_t q, bool raw, CelToken *err)
{
	int			quote = at(lx, q);
	bool		triple = at(lx, q + 1) == quote && at(lx, q + 2) == quote;
	size_t		i = q + (triple ? 3 : 1);

	for (;;)
	{
		int			c = at(lx, i);

		if (c < 0)
		{
			*err = lex_error(lx, start, i);
			return 0;
		}
		if (triple)
		{
			if (c == quote && at(lx, i + 1) == quote && at(lx, i + 2) == quote)
				return i + 3;
		}
		else
		{
			if (c == quote)
				return i + 1;
			if (c == '\n' || c == '\r')
			{
				*err = lex_error(lx, start, i + 1);
				return 0;
			}
		}
		if (c == '\\' && !raw)
		{
			size_t		n = escape_length(lx, i);

			if (n == 0)
			{
				*err = lex_error(lx, start, i + 2 > lx->len ? lx->len : i + 2);
				return 0;
			}
			i += n;
			continue;
		}
		i++;
	}
}

/* Next token; whitespace and // comments are skipped. */
CelToken
cel_lex_next(CelLexer *lx)
{
	CelToken	t;
	size_t		i;
	int			c;

	for (;;)
	{
		c = at(lx, lx->pos);
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
			lx->pos++;
		else if (c == '/' && at(lx, lx->pos + 1) == '/')
		{
			while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
				lx->pos++;
		}
		else
			break;
	}
	i = lx->pos;
	t.start = (int32_t) i;
	if (c < 0)
	{
		t.kind = TK_EOF;
		t.end = t.start;
		return t;
	}

	/* string and bytes literals, with their r/R and b/B prefixes */
	{
		size_t		q = i;
		bool		bytes = false;
		bool		raw = false;

		if (c == 'b' || c == 'B')
		{
			bytes = true;
			q++;
		}
		if (at(lx, q) == 'r' || at(lx, q) == 'R')
		{
			raw = true;
			q++;
		}
		if ((q > i || c == '"' || c == '\'') &&
			(at(lx, q) == '"' || at(lx, q) == '\''))
		{
			CelToken	err;
			size_t		end = scan_quoted(lx, i, q, raw, &err);

			if (end == 0)
				return err;
			t.kind = bytes ? TK_BYTES : TK_STRING;
			t.end = (int32_t) end;
			lx->pos = end;
			return t;
		}
	}

	if (is_letter(c) || c == '_')
	{
		size_t		n;

		while (is_letter(at(lx, i)) || is_digit(at(lx, i)) || at(lx, i) == '_')
			i++;
		n = i - lx->pos;
		t.kind = TK_IDENT;
		if (n == 2 && memcmp(lx->src + lx->pos, "in", 2) == 0)
			t.kind = TK_IN;
		else if (n == 4 && memcmp(lx->src + lx->pos, "true", 4) == 0)
			t.kind = TK_TRUE;
		else if (n == 5 && memcmp(lx->src + lx->pos, "false", 5) == 0)
			t.kind = TK_FALSE;
		else if (n == 4 && memcmp(lx->src + lx->pos, "null", 4) == 0)
			t.kind = TK_NULL;
		t.end = (int32_t) i;
		lx->pos = i;
		return t;
	}

	if (c == '`')
	{
		i++;
		while (is_letter(at(lx, i)) || is_digit(at(lx, i)) ||
			   (at(lx, i) >= 0 && strchr("_.-/ ", at(lx, i)) != NULL && at(lx, i) != 0))
			i++;
		if (at(lx, i) != '`' || i == lx->pos + 1)
			return lex_error(lx, lx->pos, i < lx->len ? i + 1 : i);
		t.kind = TK_ESC_IDENT;
		t.end = (int32_t) (i + 1);
		lx->pos = i + 1;
		return t;
	}

	if (is_digit(c) || (c == '.' && is_digit(at(lx, i + 1))))
	{
		bool		is_float = false;

		if (c == '0' && (at(lx, i + 1) == 'x' || at(lx, i + 1) == 'X') &&
			is_hex(at(lx, i + 2)))
		{
			i += 2;
			while (is_hex(at(lx, i)))
				i++;
		}
		else
		{
			while (is_digit(at(lx, i)))
				i++;
			if (at(lx, i) == '.' && is_digit(at(lx, i + 1)))
			{
				is_float = true;
				i++;
				while (is_digit(at(lx, i)))
					i++;
			}
			if (at(lx, i) == 'e' || at(lx, i) == 'E')
			{
				size_t		j = i + 1;

				if (at(lx, j) == '+' || at(lx, j) == '-')
					j++;
				if (is_digit(at(lx, j)))
				{
					is_float = true;
					while (is_digit(at(lx, j)))
						j++;
					i = j;
				}
			}
		}
		if (!is_float && (at(lx, i) == 'u' || at(lx, i) == 'U'))
		{
			i++;
			t.kind = TK_UINT;
		}
		else
			t.kind = is_float ? TK_DOUBLE : TK_INT;
		t.end = (int32_t) i;
		lx->pos = i;
		return t;
	}

	/* operators and punctuation */
	{
		int			d = at(lx, i + 1);
		size_t		n = 1;

		switch (c)
		{
			case '=':
				if (d != '=')
					return lex_error(lx, i, d >= 0 ? i + 2 : i + 1);
				t.kind = TK_EQ;
				n = 2;
				break;
			case '!':
				if (d == '=')
				{
					t.kind = TK_NE;
					n = 2;
				}
				else
					t.kind = TK_NOT;
				break;
			case '<':
				if (d == '=')
				{
					t.kind = TK_LE;
					n = 2;
				}
				else
					t.kind = TK_LT;
				break;
			case '>':
				if (d == '=')
				{
					t.kind = TK_GE;
					n = 2;
				}
				else
					t.kind = TK_GT;
				break;
			case '&':
				if (d != '&')
					return lex_error(lx, i, d >= 0 ? i + 2 : i + 1);
				t.kind = TK_AND;
				n = 2;
				break;
			case '|':
				if (d != '|')
					return lex_error(lx, i, d >= 0 ? i + 2 : i + 1);
				t.kind = TK_OR;
				n = 2;
				break;
			case '[':
				t.kind = TK_LBRACKET;
				break;
			case ']':
				t.kind = TK_RBRACKET;
				break;
			case '{':
				t.kind = TK_LBRACE;
				break;
			case '}':
				t.kind = TK_RBRACE;
				break;
			case '(':
				t.kind = TK_LPAREN;
				break;
			case ')':
				t.kind = TK_RPAREN;
				break;
			case '.':
				t.kind = TK_DOT;
				break;
			case ',':
				t.kind = TK_COMMA;
				break;
			case '-':
				t.kind = TK_MINUS;
				break;
			case '?':
				t.kind = TK_QUESTION;
				break;
			case ':':
				t.kind = TK_COLON;
				break;
			case '+':
				t.kind = TK_PLUS;
				break;
			case '*':
				t.kind = TK_STAR;
				break;
			case '/':
				t.kind = TK_SLASH;
				break;
			case '%':
				t.kind = TK_PERCENT;
				break;
			default:
				{
					/* one whole UTF-8 character in the message */
					size_t		e = i + 1;

					while (e < lx->len && (lx->src[e] & 0xC0) == 0x80)
						e++;
					return lex_error(lx, i, e);
				}
		}
		t.end = (int32_t) (i + n);
		lx->pos = i + n;
		return t;
	}
}

/* Token text as ANTLR quotes it in syntax errors. */
const char *
cel_tok_describe(const char *src, CelToken t, char *buf, size_t size)
{
	int			n = t.end - t.start;

	if (t.kind == TK_EOF)
		snprintf(buf, size, "'<EOF>'");
	else
	{
		if (n > 40)
			n = 40;
		snprintf(buf, size, "'%.*s'", n, src + t.start);
	}
	return buf;
}

/* Appends code point cp as UTF-8. */
static size_t
put_utf8(char *out, uint32_t cp)
{
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

/* Value of n hexadecimal digits (already validated by the lexer). */
static uint32_t
hex_value(const char *s, int n)
{
	uint32_t	v = 0;

	for (int i = 0; i < n; i++)
	{
		int			c = (unsigned char) s[i];

		v = v * 16 + (uint32_t) (is_digit(c) ? c - '0' :
								 (c >= 'a' ? c - 'a' + 10 : c - 'A' + 10));
	}
	return v;
}

/*
 * Decodes a literal token.  Strings turn \x and octal escapes into code
 * points (UTF-8 encoded); bytes keep them as single bytes and reject \u/\U,
 * as cel-go's unescape does.
 */
bool
cel_lex_unquote(Arena *arena, const char *text, size_t len, bool is_bytes,
				char **out, size_t *out_len, const char **err)
{
	size_t		i = 0;
	bool		raw = false;
	size_t		qlen;
	size_t		end;
	char	   *buf;
	size_t		n = 0;

	*err = NULL;
	if (i < len && (text[i] == 'b' || text[i] == 'B'))
		i++;
	if (i < len && (text[i] == 'r' || text[i] == 'R'))
	{
		raw = true;
		i++;
	}
	qlen = (len - i >= 6 && text[i] == text[i + 1] && text[i] == text[i + 2]) ? 3 : 1;
	if (len < i + 2 * qlen)
	{
		*err = "invalid syntax";
		return false;
	}
	end = len - qlen;
	i += qlen;
	buf = (char *) arena_alloc(arena, end - i + 1);
	if (buf == NULL)
	{
		*err = "out of memory";
		return false;
	}
	while (i < end)
	{
		char		c = text[i];

		if (c != '\\' || raw)
		{
			buf[n++] = c;
			i++;
			continue;
		}
		c = text[i + 1];
		i += 2;
		switch (c)
		{
			case 'a':
				buf[n++] = '\a';
				break;
			case 'b':
				buf[n++] = '\b';
				break;
			case 'f':
				buf[n++] = '\f';
				break;
			case 'n':
				buf[n++] = '\n';
				break;
			case 'r':
				buf[n++] = '\r';
				break;
			case 't':
				buf[n++] = '\t';
				break;
			case 'v':
				buf[n++] = '\v';
				break;
			case '\\':
			case '\'':
			case '"':
			case '`':
			case '?':
				buf[n++] = c;
				break;
			case 'x':
			case 'X':
			case 'u':
			case 'U':
				{
					int			digits = (c == 'u') ? 4 : (c == 'U') ? 8 : 2;
					uint32_t	cp;

					if (i + (size_t) digits > end)
					{
						*err = "invalid syntax";
						return false;
					}
					cp = hex_value(text + i, digits);
					i += (size_t) digits;
					if (c == 'x' || c == 'X')
					{
						if (is_bytes)
							buf[n++] = (char) cp;
						else
							n += put_utf8(buf + n, cp);
						break;
					}
					if (is_bytes || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
					{
						*err = "invalid syntax";
						return false;
					}
					n += put_utf8(buf + n, cp);
					break;
				}
			case '0':
			case '1':
			case '2':
			case '3':
				{
					uint32_t	cp;

					if (i + 2 > end)
					{
						*err = "invalid syntax";
						return false;
					}
					cp = (uint32_t) (c - '0') * 64 + (uint32_t) (text[i] - '0') * 8 +
						(uint32_t) (text[i + 1] - '0');
					i += 2;
					if (is_bytes)
						buf[n++] = (char) cp;
					else
						n += put_utf8(buf + n, cp);
					break;
				}
			default:
				*err = "invalid syntax";
				return false;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return true;
}

/* 1-based line and code-point column of a byte offset. */
void
cel_offset_position(const char *source, int32_t offset, int *line, int *column)
{
	int			l = 1;
	int			col = 1;

	if (source == NULL || offset < 0)
	{
		*line = 1;
		*column = 1;
		return;
	}
	for (int32_t i = 0; i < offset; i++)
	{
		unsigned char c = (unsigned char) source[i];

		if (c == '\n')
		{
			l++;
			col = 1;
		}
		else if ((c & 0xC0) != 0x80)
			col++;
	}
	*line = l;
	*column = col;
}
