/*
 * encoders.c — cel-go's ext.Encoders library: base64.encode(bytes) and
 * base64.decode(string).
 *
 * Decoding mirrors cel-go, which first tries Go's padded standard encoding
 * and, when that reports corrupt input, decodes again without padding; the
 * second attempt's error is the one reported.  Go's decoder skips '\r' and
 * '\n' anywhere in the input and does not insist that unused trailing bits
 * are zero; error messages give the byte offset Go gives
 * ("illegal base64 data at input byte 2").
 */
#include "cel_func.h"

#include <string.h>

static const char b64_alphabet[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of an alphabet character, or -1. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* base64.encode(bytes): standard alphabet with padding. */
static CelValue
b64_encode(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const unsigned char *in = (const unsigned char *) args[0].u.str.ptr;
	size_t		len = args[0].u.str.len;
	size_t		outlen = (len + 2) / 3 * 4;
	char	   *out;
	size_t		o = 0;

	if (len > SIZE_MAX / 2 ||
		(ctx->max_string_bytes && outlen > ctx->max_string_bytes))
		return cel_error(ctx->arena, "string exceeds the size limit of %zu bytes",
						 ctx->max_string_bytes);
	out = (char *) arena_alloc(ctx->arena, outlen + 1);
	if (out == NULL)
		return cel_error(ctx->arena, "out of memory");
	for (size_t i = 0; i < len; i += 3)
	{
		uint32_t	v = (uint32_t) in[i] << 16;
		size_t		rest = len - i;

		if (rest > 1)
			v |= (uint32_t) in[i + 1] << 8;
		if (rest > 2)
			v |= in[i + 2];
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = rest > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = rest > 2 ? b64_alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return cel_string(out, o);
}

/*
 * Go's base64 decoding (encoding/base64 decodeQuantum) with or without
 * padding.  Returns -1 on success (output in out/outlen), otherwise the
 * byte offset Go's CorruptInputError would carry.
 */
static int64_t
b64_decode(const char *src, size_t len, bool padded, unsigned char *out,
		   size_t *outlen)
{
	size_t		si = 0;
	size_t		n = 0;

	while (true)
	{
		int			dbuf[4] = {0, 0, 0, 0};
		int			dlen = 4;
		int			j;

		for (j = 0; j < 4; j++)
		{
			unsigned char in;
			int			v;

			if (si == len)
			{
				if (j == 0)
				{
					*outlen = n;
					return -1;
				}
				if (j == 1 || padded)
					return (int64_t) (si - (size_t) j);
				dlen = j;
				break;
			}
			in = (unsigned char) src[si++];
			v = b64_value(in);
			if (v >= 0)
			{
				dbuf[j] = v;
				continue;
			}
			if (in == '\n' || in == '\r')
			{
				j--;
				continue;
			}
			if (!padded || in != '=')
				return (int64_t) (si - 1);
			/* padding */
			if (j == 0 || j == 1)
				return (int64_t) (si - 1);
			if (j == 2)
			{
				while (si < len && (src[si] == '\n' || src[si] == '\r'))
					si++;
				if (si == len)
					return (int64_t) len;
				if (src[si] != '=')
					return (int64_t) (si - 1);
				si++;
			}
			while (si < len && (src[si] == '\n' || src[si] == '\r'))
				si++;
			if (si < len)
				return (int64_t) si;
			dlen = j;
			break;
		}
		{
			uint32_t	v = (uint32_t) dbuf[0] << 18 | (uint32_t) dbuf[1] << 12 |
				(uint32_t) dbuf[2] << 6 | (uint32_t) dbuf[3];

			if (dlen >= 2)
				out[n++] = (unsigned char) (v >> 16);
			if (dlen >= 3)
				out[n++] = (unsigned char) (v >> 8);
			if (dlen >= 4)
				out[n++] = (unsigned char) v;
		}
		if (dlen < 4)
		{
			*outlen = n;
			return -1;
		}
	}
}

/* base64.decode(string): padded or unpadded standard base64. */
static CelValue
b64_decode_fn(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	const char *src = args[0].u.str.ptr;
	size_t		len = args[0].u.str.len;
	unsigned char *out = (unsigned char *) arena_alloc(ctx->arena, len / 4 * 3 + 4);
	size_t		outlen = 0;
	int64_t		bad;

	if (out == NULL)
		return cel_error(ctx->arena, "out of memory");
	bad = b64_decode(src, len, true, out, &outlen);
	if (bad >= 0)
		bad = b64_decode(src, len, false, out, &outlen);
	if (bad >= 0)
		return cel_error(ctx->arena, "illegal base64 data at input byte %lld",
						 (long long) bad);
	return cel_bytes((const char *) out, outlen);
}

static const CelOverload encoder_overloads[] = {
	{"base64_encode_bytes", "base64.encode(bytes) -> string", b64_encode, 0},
	{"base64_decode_string", "base64.decode(string) -> bytes", b64_decode_fn, 0},
};

const CelLibrary cel_lib_encoders = {
	"encoders", encoder_overloads,
	(int) (sizeof(encoder_overloads) / sizeof(encoder_overloads[0]))
};
