/*
 * base64.c — strict base64 for tokens (base64url) and key strings (standard).
 *
 * A JWS segment has exactly one valid spelling: the unpadded base64url of
 * its bytes.  Decoders that also take '=' padding, '+' and '/', whitespace
 * or non-zero trailing bits let one signed token be written many ways, and
 * a cache keyed by the token text (or a log that deduplicates tokens) would
 * then see different tokens with one signature.  So anything but the
 * canonical spelling is refused here.
 */
#include "session.h"

#include <string.h>

/* Value of each character in an alphabet, or -1. */
typedef struct B64Alphabet
{
	signed char value[256];
} B64Alphabet;

static const char url_chars[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char std_chars[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static B64Alphabet url_alphabet;
static B64Alphabet std_alphabet;
static bool alphabets_ready;

/* Fills the reverse tables once (idempotent, so a race is harmless). */
static void
init_alphabets(void)
{
	int			i;

	if (alphabets_ready)
		return;
	memset(url_alphabet.value, -1, sizeof(url_alphabet.value));
	memset(std_alphabet.value, -1, sizeof(std_alphabet.value));
	for (i = 0; i < 64; i++)
	{
		url_alphabet.value[(unsigned char) url_chars[i]] = (signed char) i;
		std_alphabet.value[(unsigned char) std_chars[i]] = (signed char) i;
	}
	alphabets_ready = true;
}

/* Decodes len characters of unpadded base64 in the given alphabet. */
static unsigned char *
decode_unpadded(Arena *arena, const B64Alphabet *alpha, const char *text,
				size_t len, size_t *out_len)
{
	size_t		full = len / 4;
	size_t		rest = len % 4;
	size_t		n = full * 3 + (rest ? rest - 1 : 0);
	unsigned char *out;
	size_t		i;
	size_t		o = 0;

	if (rest == 1)
		return NULL;
	out = arena_alloc(arena, n + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i + 4 <= len; i += 4)
	{
		int			a = alpha->value[(unsigned char) text[i]];
		int			b = alpha->value[(unsigned char) text[i + 1]];
		int			c = alpha->value[(unsigned char) text[i + 2]];
		int			d = alpha->value[(unsigned char) text[i + 3]];

		if ((a | b | c | d) < 0)
			return NULL;
		out[o++] = (unsigned char) ((a << 2) | (b >> 4));
		out[o++] = (unsigned char) (((b & 15) << 4) | (c >> 2));
		out[o++] = (unsigned char) (((c & 3) << 6) | d);
	}
	if (rest >= 2)
	{
		int			a = alpha->value[(unsigned char) text[i]];
		int			b = alpha->value[(unsigned char) text[i + 1]];

		if ((a | b) < 0)
			return NULL;
		out[o++] = (unsigned char) ((a << 2) | (b >> 4));
		if (rest == 2)
		{
			/* the last character's low 4 bits must be zero */
			if (b & 15)
				return NULL;
		}
		else
		{
			int			c = alpha->value[(unsigned char) text[i + 2]];

			if (c < 0 || (c & 3))
				return NULL;
			out[o++] = (unsigned char) (((b & 15) << 4) | (c >> 2));
		}
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

/* Strict unpadded base64url; see session.h. */
unsigned char *
st_b64url_decode(Arena *arena, const char *text, size_t len, size_t *out_len)
{
	init_alphabets();
	return decode_unpadded(arena, &url_alphabet, text, len, out_len);
}

/* Standard base64 whose padding is exactly what the length requires. */
unsigned char *
st_b64std_decode(Arena *arena, const char *text, size_t len, size_t *out_len)
{
	size_t		pad = 0;

	init_alphabets();
	if (len % 4 != 0)
		return NULL;
	while (pad < 2 && len > pad && text[len - 1 - pad] == '=')
		pad++;
	return decode_unpadded(arena, &std_alphabet, text, len - pad, out_len);
}

/* Unpadded base64url encoding into the arena. */
char *
st_b64url_encode(Arena *arena, const unsigned char *data, size_t len)
{
	char	   *out = arena_alloc(arena, (len / 3) * 4 + 4 + 1);
	size_t		i;
	size_t		o = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i + 3 <= len; i += 3)
	{
		unsigned	v = ((unsigned) data[i] << 16) | ((unsigned) data[i + 1] << 8) | data[i + 2];

		out[o++] = url_chars[(v >> 18) & 63];
		out[o++] = url_chars[(v >> 12) & 63];
		out[o++] = url_chars[(v >> 6) & 63];
		out[o++] = url_chars[v & 63];
	}
	if (len - i == 1)
	{
		unsigned	v = (unsigned) data[i] << 16;

		out[o++] = url_chars[(v >> 18) & 63];
		out[o++] = url_chars[(v >> 12) & 63];
	}
	else if (len - i == 2)
	{
		unsigned	v = ((unsigned) data[i] << 16) | ((unsigned) data[i + 1] << 8);

		out[o++] = url_chars[(v >> 18) & 63];
		out[o++] = url_chars[(v >> 12) & 63];
		out[o++] = url_chars[(v >> 6) & 63];
	}
	out[o] = '\0';
	return out;
}
