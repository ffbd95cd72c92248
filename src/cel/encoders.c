/*
 * encoders.c — cel-go's ext.Encoders library: base64.encode(bytes),
 * base64.decode(string), and json.encode(dyn), which Cerbos 0.55 also has.
 *
 * Decoding mirrors cel-go, which first tries Go's padded standard encoding
 * and, when that reports corrupt input, decodes again without padding; the
 * second attempt's error is the one reported.  Go's decoder skips '\r' and
 * '\n' anywhere in the input and does not insist that unused trailing bits
 * are zero; error messages give the byte offset Go gives
 * ("illegal base64 data at input byte 2").
 *
 * json.encode renders a value the way cel-go does: through
 * google.protobuf.Value and protojson, then Go's json.Marshal compaction.
 * So ints beyond 2^53 become strings, bytes become base64, timestamps and
 * durations their CEL text, map keys must be strings and come out sorted,
 * doubles use Go's JSON number form, and <, >, &, U+2028 and U+2029 are
 * escaped as \u sequences.  protobuf-go writes its error prefix as
 * "proto:" and a no-break space in the Cerbos build; so do we.
 */
#include "cel_strings.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 100
#define JSON_MAX_SAFE_INT 9007199254740991LL

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
		return cel_limit_error(ctx, CEL_LIMIT_STRING_BYTES,
							   "string exceeds the size limit of %zu bytes", ctx->max_string_bytes);
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

/* Appends a JSON string literal (protojson escapes plus Go's HTML escapes). */
static void
json_string(CelStrBuf *sb, const char *s, size_t len)
{
	cel_strbuf_json_string(sb, s, len, true);
}

/* Appends a double as protojson does (Go's encoding/json number form). */
static void
json_double(CelStrBuf *sb, double d)
{
	double		a = fabs(d);

	if (a != 0 && (a < 1e-6 || a >= 1e21))
	{
		char		digits[32];
		int			exp10;
		int			n = cel_format_shortest_digits(d, digits, &exp10);

		if (d < 0)
			cel_strbuf_putc(sb, '-');
		cel_strbuf_putc(sb, digits[0]);
		if (n > 1)
		{
			cel_strbuf_putc(sb, '.');
			cel_strbuf_append(sb, digits + 1, (size_t) n - 1);
		}
		/* Go writes two exponent digits at least, then JSON drops "e-0X"'s 0 */
		if (exp10 < 0 && exp10 > -10)
			cel_strbuf_printf(sb, "e-%d", -exp10);
		else
			cel_strbuf_printf(sb, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
	}
	else
		cel_format_append_shortest(sb, d);
}

typedef struct JsonEntry
{
	const char *key;
	size_t		keylen;
	CelValue	value;
} JsonEntry;

/* Orders map entries by key bytes. */
static int
cmp_json_entry(const void *a, const void *b)
{
	const JsonEntry *x = (const JsonEntry *) a;
	const JsonEntry *y = (const JsonEntry *) b;
	size_t		n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int			c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	return x->keylen < y->keylen ? -1 : (x->keylen > y->keylen);
}

/*
 * Appends v as JSON; NULL or cel-go's error text.  cel-go first converts
 * the value to a google.protobuf.Value (failing on non-string map keys,
 * optional.none(), types...) and only then marshals it (failing on NaN and
 * infinities), so with converting set nothing is written and only the
 * conversion errors are looked for.
 */
static const char *
json_value(CelStrBuf *sb, CelValue v, int depth, bool converting)
{
	if (depth > JSON_MAX_DEPTH)
		return "json.encode: value nests too deeply";
	switch (v.kind)
	{
		case CEL_VAL_NULL:
			cel_strbuf_puts(sb, "null");
			return NULL;
		case CEL_VAL_BOOL:
			cel_strbuf_puts(sb, v.u.b ? "true" : "false");
			return NULL;
		case CEL_VAL_INT:
			if (v.u.i < -JSON_MAX_SAFE_INT || v.u.i > JSON_MAX_SAFE_INT)
				cel_strbuf_printf(sb, "\"%lld\"", (long long) v.u.i);
			else
				cel_strbuf_printf(sb, "%lld", (long long) v.u.i);
			return NULL;
		case CEL_VAL_UINT:
			if (v.u.u > (uint64_t) JSON_MAX_SAFE_INT)
				cel_strbuf_printf(sb, "\"%llu\"", (unsigned long long) v.u.u);
			else
				cel_strbuf_printf(sb, "%llu", (unsigned long long) v.u.u);
			return NULL;
		case CEL_VAL_DOUBLE:
			if (converting)
				return NULL;
			if (isnan(v.u.d))
				return "proto:\xc2\xa0google.protobuf.Value.number_value: invalid NaN value";
			if (isinf(v.u.d))
				return v.u.d > 0 ? "proto:\xc2\xa0google.protobuf.Value.number_value: invalid +Inf value"
					: "proto:\xc2\xa0google.protobuf.Value.number_value: invalid -Inf value";
			json_double(sb, v.u.d);
			return NULL;
		case CEL_VAL_STRING:
			json_string(sb, v.u.str.ptr, v.u.str.len);
			return NULL;
		case CEL_VAL_BYTES:
			{
				CelEvalContext tmp;
				CelValue	enc;

				memset(&tmp, 0, sizeof(tmp));
				tmp.arena = sb->arena;
				enc = b64_encode(&tmp, &v, 1);
				if (enc.kind != CEL_VAL_STRING)
					return "out of memory";
				json_string(sb, enc.u.str.ptr, enc.u.str.len);
				return NULL;
			}
		case CEL_VAL_TIMESTAMP:
		case CEL_VAL_DURATION:
			{
				CelStrBuf	text = *sb;

				text.data = NULL;
				text.len = text.cap = 0;
				cel_format_append_string(&text, v);
				json_string(sb, text.data ? text.data : "", text.len);
				return NULL;
			}
		case CEL_VAL_OPTIONAL:
			if (v.u.opt == NULL)
				return "optional.none() dereference";
			return json_value(sb, *v.u.opt, depth + 1, converting);
		case CEL_VAL_LIST:
			cel_strbuf_putc(sb, '[');
			for (size_t i = 0; i < v.u.list->len; i++)
			{
				const char *err;

				if (i > 0)
					cel_strbuf_putc(sb, ',');
				err = json_value(sb, v.u.list->items[i], depth + 1, converting);
				if (err)
					return err;
			}
			cel_strbuf_putc(sb, ']');
			return NULL;
		case CEL_VAL_MAP:
			{
				const CelMap *m = v.u.map;
				JsonEntry  *ents = (JsonEntry *) arena_alloc(sb->arena,
															 (m->len + 1) * sizeof(JsonEntry));

				if (ents == NULL)
					return "out of memory";
				for (size_t i = 0; i < m->len; i++)
				{
					CelValue	k = m->keys[i];

					switch (k.kind)
					{
						case CEL_VAL_STRING:
							break;
						case CEL_VAL_INT:
							return "unsupported type conversion from 'int' to string";
						case CEL_VAL_UINT:
							return "unsupported type conversion from 'uint' to string";
						case CEL_VAL_BOOL:
							return "type conversion error from bool to 'string'";
						case CEL_VAL_DOUBLE:
							return "type conversion error from Double to 'string'";
						default:
							return "unsupported map key type";
					}
					ents[i].key = k.u.str.ptr;
					ents[i].keylen = k.u.str.len;
					ents[i].value = m->values[i];
				}
				qsort(ents, m->len, sizeof(JsonEntry), cmp_json_entry);
				cel_strbuf_putc(sb, '{');
				for (size_t i = 0; i < m->len; i++)
				{
					const char *err;

					if (i > 0)
						cel_strbuf_putc(sb, ',');
					json_string(sb, ents[i].key, ents[i].keylen);
					cel_strbuf_putc(sb, ':');
					err = json_value(sb, ents[i].value, depth + 1, converting);
					if (err)
						return err;
				}
				cel_strbuf_putc(sb, '}');
				return NULL;
			}
		default:
			return arena_printf(sb->arena, "type conversion not supported for '%s'",
								cel_format_value_type_name(v));
	}
}

/* json.encode(dyn): the value as compact JSON text. */
static CelValue
json_encode(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelStrBuf	sb;
	const char *err;

	cel_strbuf_init(&sb, ctx);
	err = json_value(&sb, args[0], 0, true);
	if (err == NULL)
	{
		cel_strbuf_init(&sb, ctx);
		err = json_value(&sb, args[0], 0, false);
	}
	if (err)
		return cel_error(ctx->arena, "%s", err);
	return cel_strbuf_string(&sb);
}

static const CelOverload encoder_overloads[] = {
	{"base64_encode_bytes", "base64.encode(bytes) -> string", b64_encode, 0},
	{"base64_decode_string", "base64.decode(string) -> bytes", b64_decode_fn, 0},
	{"json_encode_dyn", "json.encode(dyn) -> string", json_encode, 0},
};

const CelLibrary cel_lib_encoders = {
	"encoders", encoder_overloads,
	(int) (sizeof(encoder_overloads) / sizeof(encoder_overloads[0]))
};
