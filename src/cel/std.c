/*
 * std.c — CEL's standard library as cel-go v0.30 defines it.
 *
 * Operators (arithmetic with int64/uint64 overflow errors, comparisons with
 * cross-type numeric ordering, equality through cel_equals, membership,
 * indexing), size/contains/startsWith/endsWith, and the type conversions
 * int/uint/double/string/bytes/bool/dyn/type with Go's parsing and
 * formatting rules (cel-go uses strconv), plus the timestamp and duration
 * operators and conversions, whose arithmetic, parsing and printing come
 * from cel_time.h (time_value.c); the accessors (getFullYear...) are in
 * time.c.
 *
 * The overload ids are cel-go's, so error messages and checker references
 * line up with what Cerbos reports.  _&&_, _||_, _?_:_ and
 * @not_strictly_false are declared here for the checker but evaluated by
 * eval.c, which needs to see unevaluated or erroneous operands.
 */
#include "cel_func.h"
#include "cel_std.h"
#include "cel_time.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const CelType cel_type_optional = {CEL_T_OPTIONAL, {&cel_type_dyn, NULL}, NULL};

/* Type names usable as values (cel-go's standard type identifiers). */
static const CelType type_list_value = {CEL_T_LIST, {&cel_type_dyn, NULL}, NULL};
static const CelType type_map_value = {CEL_T_MAP, {&cel_type_dyn, &cel_type_dyn}, NULL};

const CelType *
cel_type_named(const char *name)
{
	static const struct
	{
		const char *name;
		const CelType *type;
	}			named[] = {
		{"int", &cel_type_int},
		{"uint", &cel_type_uint},
		{"double", &cel_type_double},
		{"bool", &cel_type_bool},
		{"string", &cel_type_string},
		{"bytes", &cel_type_bytes},
		{"null_type", &cel_type_null},
		{"list", &type_list_value},
		{"map", &type_map_value},
		{"type", &cel_type_type},
		{"optional_type", &cel_type_optional},
		{"google.protobuf.Timestamp", &cel_type_timestamp},
		{"google.protobuf.Duration", &cel_type_duration},
	};

	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strcmp(named[i].name, name) == 0)
			return named[i].type;
	return NULL;
}

/* ---------- shared helpers ---------- */

#define A (ctx->arena)

static CelValue
err_int_overflow(CelEvalContext *ctx)
{
	return cel_error(A, "integer overflow");
}

static CelValue
err_uint_overflow(CelEvalContext *ctx)
{
	return cel_error(A, "unsigned integer overflow");
}

/* Number of Unicode code points in UTF-8 text (invalid bytes count one). */
size_t
cel_utf8_length(const char *s, size_t len)
{
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char) s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Whether bytes are valid UTF-8 (as Go's utf8.Valid). */
bool
cel_utf8_valid(const char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = (unsigned char) s[i];
		int			n;
		uint32_t	cp;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
		{
			n = 1;
			cp = c & 0x1F;
		}
		else if (c >= 0xE0 && c <= 0xEF)
		{
			n = 2;
			cp = c & 0x0F;
		}
		else if (c >= 0xF0 && c <= 0xF4)
		{
			n = 3;
			cp = c & 0x07;
		}
		else
			return false;
		if (i + (size_t) n >= len)
			return false;
		for (int k = 1; k <= n; k++)
		{
			unsigned char cc = (unsigned char) s[i + k];

			if ((cc & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (cc & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
			(cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n + 1;
	}
	return true;
}

/*
 * Formats a double as Go's strconv.FormatFloat(d, 'g', -1, 64): the
 * shortest digits that round-trip, %e style when the decimal exponent is
 * below -4 or at least 6 (Go's rule for the shortest form, so 1e6 prints
 * as "1e+06"), exponents with at least two digits.
 */
void
cel_format_double(double d, char *buf, size_t size)
{
	char		tmp[40];
	char		digits[24];
	int			nd = 0;
	int			exp10;
	int			prec;
	const char *p;
	bool		neg;
	size_t		o = 0;

	if (isnan(d))
	{
		snprintf(buf, size, "NaN");
		return;
	}
	if (isinf(d))
	{
		snprintf(buf, size, d > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (d == 0)
	{
		snprintf(buf, size, signbit(d) ? "-0" : "0");
		return;
	}
	for (prec = 1; prec <= 17; prec++)
	{
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	neg = tmp[0] == '-';
	p = tmp + (neg ? 1 : 0);
	while (*p && *p != 'e')
	{
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
		p++;
	}
	exp10 = atoi(p + 1);
	/* trim trailing zeros the %e rendering may carry */
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';

	if (neg && o + 1 < size)
		buf[o++] = '-';
	if (exp10 < -4 || exp10 >= 6)
	{
		/* d.ddde+XX */
		if (o + 1 < size)
			buf[o++] = digits[0];
		if (nd > 1)
		{
			if (o + 1 < size)
				buf[o++] = '.';
			for (int i = 1; i < nd && o + 1 < size; i++)
				buf[o++] = digits[i];
		}
		snprintf(buf + o, size - o, "e%c%02d", exp10 < 0 ? '-' : '+',
				 exp10 < 0 ? -exp10 : exp10);
		return;
	}
	if (exp10 < 0)
	{
		/* 0.000ddd */
		if (o + 2 < size)
		{
			buf[o++] = '0';
			buf[o++] = '.';
		}
		for (int i = 0; i < -exp10 - 1 && o + 1 < size; i++)
			buf[o++] = '0';
		for (int i = 0; i < nd && o + 1 < size; i++)
			buf[o++] = digits[i];
	}
	else
	{
		for (int i = 0; i <= exp10 && o + 1 < size; i++)
			buf[o++] = i < nd ? digits[i] : '0';
		if (nd > exp10 + 1)
		{
			if (o + 1 < size)
				buf[o++] = '.';
			for (int i = exp10 + 1; i < nd && o + 1 < size; i++)
				buf[o++] = digits[i];
		}
	}
	buf[o] = '\0';
}

/* ---------- arithmetic ---------- */

static CelValue
add_int(CelEvalContext *ctx, const CelValue *a, int n)
{
	int64_t		r;

	if (__builtin_add_overflow(a[0].u.i, a[1].u.i, &r))
		return err_int_overflow(ctx);
	return cel_int(r);
}

static CelValue
add_uint(CelEvalContext *ctx, const CelValue *a, int n)
{
	uint64_t	r;

	if (__builtin_add_overflow(a[0].u.u, a[1].u.u, &r))
		return err_uint_overflow(ctx);
	return cel_uint(r);
}

static CelValue
add_double(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_double(a[0].u.d + a[1].u.d);
}

/* Concatenation of two strings or two byte strings. */
static CelValue
add_text(CelEvalContext *ctx, const CelValue *a, int n)
{
	size_t		len = a[0].u.str.len + a[1].u.str.len;
	char	   *buf;

	if (ctx->max_string_bytes > 0 && len > ctx->max_string_bytes)
		return cel_limit_error(ctx, CEL_LIMIT_STRING_BYTES,
							   "string or bytes result exceeds the size limit of %zu bytes",
							   ctx->max_string_bytes);
	buf = arena_alloc(A, len + 1);
	if (buf == NULL)
		return cel_error(A, "out of memory");
	memcpy(buf, a[0].u.str.ptr, a[0].u.str.len);
	memcpy(buf + a[0].u.str.len, a[1].u.str.ptr, a[1].u.str.len);
	buf[len] = '\0';
	return a[0].kind == CEL_VAL_STRING ? cel_string(buf, len) : cel_bytes(buf, len);
}

static CelValue
add_list(CelEvalContext *ctx, const CelValue *a, int n)
{
	const CelList *l = a[0].u.list,
			   *r = a[1].u.list;
	size_t		len = l->len + r->len;
	CelValue   *items;

	if (l->len == 0)
		return a[1];
	if (r->len == 0)
		return a[0];
	if (ctx->max_list_items > 0 && len > ctx->max_list_items)
		return cel_limit_error(ctx, CEL_LIMIT_LIST_ITEMS,
							   "list result exceeds the size limit of %zu items",
							   ctx->max_list_items);
	items = arena_alloc(A, sizeof(CelValue) * len);
	if (items == NULL)
		return cel_error(A, "out of memory");
	memcpy(items, l->items, sizeof(CelValue) * l->len);
	memcpy(items + l->len, r->items, sizeof(CelValue) * r->len);
	return cel_list_from(A, items, len);
}

static CelValue
sub_int(CelEvalContext *ctx, const CelValue *a, int n)
{
	int64_t		r;

	if (__builtin_sub_overflow(a[0].u.i, a[1].u.i, &r))
		return err_int_overflow(ctx);
	return cel_int(r);
}

static CelValue
sub_uint(CelEvalContext *ctx, const CelValue *a, int n)
{
	if (a[1].u.u > a[0].u.u)
		return err_uint_overflow(ctx);
	return cel_uint(a[0].u.u - a[1].u.u);
}

static CelValue
sub_double(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_double(a[0].u.d - a[1].u.d);
}

static CelValue
mul_int(CelEvalContext *ctx, const CelValue *a, int n)
{
	int64_t		r;

	if (__builtin_mul_overflow(a[0].u.i, a[1].u.i, &r))
		return err_int_overflow(ctx);
	return cel_int(r);
}

static CelValue
mul_uint(CelEvalContext *ctx, const CelValue *a, int n)
{
	uint64_t	r;

	if (__builtin_mul_overflow(a[0].u.u, a[1].u.u, &r))
		return err_uint_overflow(ctx);
	return cel_uint(r);
}

static CelValue
mul_double(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_double(a[0].u.d * a[1].u.d);
}

static CelValue
div_int(CelEvalContext *ctx, const CelValue *a, int n)
{
	if (a[1].u.i == 0)
		return cel_error(A, "division by zero");
	if (a[0].u.i == INT64_MIN && a[1].u.i == -1)
		return err_int_overflow(ctx);
	return cel_int(a[0].u.i / a[1].u.i);
}

static CelValue
div_uint(CelEvalContext *ctx, const CelValue *a, int n)
{
	if (a[1].u.u == 0)
		return cel_error(A, "division by zero");
	return cel_uint(a[0].u.u / a[1].u.u);
}

static CelValue
div_double(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_double(a[0].u.d / a[1].u.d);
}

static CelValue
mod_int(CelEvalContext *ctx, const CelValue *a, int n)
{
	if (a[1].u.i == 0)
		return cel_error(A, "modulus by zero");
	if (a[0].u.i == INT64_MIN && a[1].u.i == -1)
		return err_int_overflow(ctx);
	return cel_int(a[0].u.i % a[1].u.i);
}

static CelValue
mod_uint(CelEvalContext *ctx, const CelValue *a, int n)
{
	if (a[1].u.u == 0)
		return cel_error(A, "modulus by zero");
	return cel_uint(a[0].u.u % a[1].u.u);
}

static CelValue
neg_int(CelEvalContext *ctx, const CelValue *a, int n)
{
	if (a[0].u.i == INT64_MIN)
		return err_int_overflow(ctx);
	return cel_int(-a[0].u.i);
}

static CelValue
neg_double(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_double(-a[0].u.d);
}

static CelValue
logical_not(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_bool(!a[0].u.b);
}

/* Placeholder for operators eval.c evaluates itself (&&, ||, ?:). */
static CelValue
special_form(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_error(A, "no such overload");
}

/* @not_strictly_false: only a plain false is false. */
static CelValue
not_strictly_false(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_bool(!(a[0].kind == CEL_VAL_BOOL && !a[0].u.b));
}

/* ---------- timestamps and durations (arithmetic in time_value.c) ---------- */

static CelValue
add_ts_dur(CelEvalContext *ctx, const CelValue *a, int n)
{
	if (a[0].kind == CEL_VAL_TIMESTAMP)
		return cel_timestamp_add(A, a[0], a[1].u.dur);
	return cel_timestamp_add(A, a[1], a[0].u.dur);
}

static CelValue
sub_ts_dur(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_timestamp_sub_duration(A, a[0], a[1].u.dur);
}

static CelValue
sub_ts_ts(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_timestamp_diff(A, a[0], a[1]);
}

static CelValue
add_dur_dur(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_duration_add(A, a[0].u.dur, a[1].u.dur);
}

static CelValue
sub_dur_dur(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_duration_sub(A, a[0].u.dur, a[1].u.dur);
}

/* ---------- comparisons ---------- */

/*
 * Three-way comparison of two values of comparable kinds, including the
 * cross-type numeric ordering cel-go applies (int/uint exactly, either
 * against double through float64).  Returns -1, 0, 1, or 2 when unordered
 * (NaN) and 3 when the kinds are not comparable.
 */
int
cel_compare_values(CelValue a, CelValue b)
{
#define CMP(x, y) ((x) < (y) ? -1 : (x) > (y) ? 1 : 0)
	switch (a.kind)
	{
		case CEL_VAL_BOOL:
			return b.kind == CEL_VAL_BOOL ? CMP(a.u.b, b.u.b) : 3;
		case CEL_VAL_STRING:
		case CEL_VAL_BYTES:
			{
				size_t		m;
				int			c;

				if (b.kind != a.kind)
					return 3;
				m = a.u.str.len < b.u.str.len ? a.u.str.len : b.u.str.len;
				c = m ? memcmp(a.u.str.ptr, b.u.str.ptr, m) : 0;
				if (c != 0)
					return c < 0 ? -1 : 1;
				return CMP(a.u.str.len, b.u.str.len);
			}
		case CEL_VAL_TIMESTAMP:
			if (b.kind != CEL_VAL_TIMESTAMP)
				return 3;
			return cel_timestamp_compare(a, b);
		case CEL_VAL_DURATION:
			return b.kind == CEL_VAL_DURATION ? CMP(a.u.dur, b.u.dur) : 3;
		case CEL_VAL_INT:
			switch (b.kind)
			{
				case CEL_VAL_INT:
					return CMP(a.u.i, b.u.i);
				case CEL_VAL_UINT:
					if (a.u.i < 0)
						return -1;
					return CMP((uint64_t) a.u.i, b.u.u);
				case CEL_VAL_DOUBLE:
					/* cel-go compares through float64, rounding the int */
					if (isnan(b.u.d))
						return 2;
					return CMP((double) a.u.i, b.u.d);
				default:
					return 3;
			}
		case CEL_VAL_UINT:
			switch (b.kind)
			{
				case CEL_VAL_UINT:
					return CMP(a.u.u, b.u.u);
				case CEL_VAL_INT:
					if (b.u.i < 0)
						return 1;
					return CMP(a.u.u, (uint64_t) b.u.i);
				case CEL_VAL_DOUBLE:
					if (isnan(b.u.d))
						return 2;
					return CMP((double) a.u.u, b.u.d);
				default:
					return 3;
			}
		case CEL_VAL_DOUBLE:
			if (b.kind != CEL_VAL_DOUBLE && b.kind != CEL_VAL_INT && b.kind != CEL_VAL_UINT)
				return 3;
			{
				double		d = a.u.d;
				double		e = b.kind == CEL_VAL_DOUBLE ? b.u.d :
				b.kind == CEL_VAL_INT ? (double) b.u.i : (double) b.u.u;

				if (isnan(d) || isnan(e))
					return 2;
				return CMP(d, e);
			}
		default:
			return 3;
	}
#undef CMP
}

/* One comparison operator over cel_compare_values. */
static CelValue
compare_op(CelEvalContext *ctx, const CelValue *a, int op)
{
	int			c = cel_compare_values(a[0], a[1]);

	if (c == 3)
		return cel_error_no_such_overload(A, NULL);
	if (c == 2)
		return cel_bool(false);
	switch (op)
	{
		case 0:
			return cel_bool(c < 0);
		case 1:
			return cel_bool(c <= 0);
		case 2:
			return cel_bool(c > 0);
		default:
			return cel_bool(c >= 0);
	}
}

static CelValue
op_less(CelEvalContext *ctx, const CelValue *a, int n)
{
	return compare_op(ctx, a, 0);
}

static CelValue
op_less_eq(CelEvalContext *ctx, const CelValue *a, int n)
{
	return compare_op(ctx, a, 1);
}

static CelValue
op_greater(CelEvalContext *ctx, const CelValue *a, int n)
{
	return compare_op(ctx, a, 2);
}

static CelValue
op_greater_eq(CelEvalContext *ctx, const CelValue *a, int n)
{
	return compare_op(ctx, a, 3);
}

static CelValue
op_equals(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_equals(A, a[0], a[1]);
}

static CelValue
op_not_equals(CelEvalContext *ctx, const CelValue *a, int n)
{
	CelValue	r = cel_equals(A, a[0], a[1]);

	if (r.kind != CEL_VAL_BOOL)
		return r;
	return cel_bool(!r.u.b);
}

/* ---------- membership, indexing, size ---------- */

static CelValue
in_list(CelEvalContext *ctx, const CelValue *a, int n)
{
	const CelList *l = a[1].u.list;

	for (size_t i = 0; i < l->len; i++)
		if (cel_equal_bool(a[0], l->items[i]))
			return cel_bool(true);
	return cel_bool(false);
}

static CelValue
in_map(CelEvalContext *ctx, const CelValue *a, int n)
{
	CelValue	ignored;

	switch (a[0].kind)
	{
		case CEL_VAL_STRING:
		case CEL_VAL_INT:
		case CEL_VAL_UINT:
		case CEL_VAL_BOOL:
		case CEL_VAL_DOUBLE:
			return cel_bool(cel_map_get(a[1].u.map, a[0], &ignored));
		default:
			return cel_bool(false);
	}
}

/* list[i] / map[k] for dynamic dispatch (eval.c handles the operator). */
static CelValue
index_op(CelEvalContext *ctx, const CelValue *a, int n)
{
	CelValue	out;

	if (a[0].kind == CEL_VAL_MAP)
	{
		if (cel_map_get(a[0].u.map, a[1], &out))
			return out;
		return cel_error_no_such_key(A, a[1]);
	}
	if (a[1].kind == CEL_VAL_INT)
	{
		if (a[1].u.i < 0 || (uint64_t) a[1].u.i >= a[0].u.list->len)
			return cel_error(A, "index out of bounds: %lld", (long long) a[1].u.i);
		return a[0].u.list->items[a[1].u.i];
	}
	return cel_error_no_such_overload(A, NULL);
}

static CelValue
size_fn(CelEvalContext *ctx, const CelValue *a, int n)
{
	switch (a[0].kind)
	{
		case CEL_VAL_STRING:
			return cel_int((int64_t) cel_utf8_length(a[0].u.str.ptr, a[0].u.str.len));
		case CEL_VAL_BYTES:
			return cel_int((int64_t) a[0].u.str.len);
		case CEL_VAL_LIST:
			return cel_int((int64_t) a[0].u.list->len);
		case CEL_VAL_MAP:
			return cel_int((int64_t) a[0].u.map->len);
		default:
			return cel_error_no_such_overload(A, "size");
	}
}

/* ---------- string predicates ---------- */

static bool
find_sub(const char *h, size_t hl, const char *n, size_t nl)
{
	if (nl == 0)
		return true;
	if (nl > hl)
		return false;
	for (size_t i = 0; i + nl <= hl; i++)
		if (h[i] == n[0] && memcmp(h + i, n, nl) == 0)
			return true;
	return false;
}

static CelValue
contains_string(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_bool(find_sub(a[0].u.str.ptr, a[0].u.str.len,
							 a[1].u.str.ptr, a[1].u.str.len));
}

static CelValue
starts_with(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_bool(a[1].u.str.len <= a[0].u.str.len &&
					memcmp(a[0].u.str.ptr, a[1].u.str.ptr, a[1].u.str.len) == 0);
}

static CelValue
ends_with(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_bool(a[1].u.str.len <= a[0].u.str.len &&
					memcmp(a[0].u.str.ptr + a[0].u.str.len - a[1].u.str.len,
						   a[1].u.str.ptr, a[1].u.str.len) == 0);
}

/* ---------- conversions ---------- */

static CelValue
identity(CelEvalContext *ctx, const CelValue *a, int n)
{
	return a[0];
}

static CelValue
type_of(CelEvalContext *ctx, const CelValue *a, int n)
{
	if (a[0].kind == CEL_VAL_OPTIONAL)
		return cel_type_value(&cel_type_optional);
	return cel_type_value(cel_value_type(a[0]));
}

/* Go's strconv.ParseInt(s, 10, 64) / ParseUint syntax: [sign]digits. */
static bool
parse_decimal(const char *s, size_t len, bool allow_sign, bool *neg,
			  uint64_t *mag, bool *range)
{
	size_t		i = 0;
	uint64_t	v = 0;

	*neg = false;
	*range = false;
	if (len == 0)
		return false;
	if (allow_sign && (s[0] == '+' || s[0] == '-'))
	{
		*neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return false;
	for (; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t) (s[i] - '0')) / 10)
			*range = true;
		else
			v = v * 10 + (uint64_t) (s[i] - '0');
	}
	*mag = v;
	return true;
}

static CelValue
int_from_string(CelEvalContext *ctx, const CelValue *a, int n)
{
	bool		neg,
				range;
	uint64_t	mag = 0;

	if (!parse_decimal(a[0].u.str.ptr, a[0].u.str.len, true, &neg, &mag, &range))
		return cel_error(A, "type conversion error from 'string' to 'int'");
	/* cel-go reports strconv's range error as a conversion error too */
	if (range || (neg ? mag > (uint64_t) INT64_MAX + 1 : mag > (uint64_t) INT64_MAX))
		return cel_error(A, "type conversion error from 'string' to 'int'");
	if (neg)
		return cel_int(mag == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) mag);
	return cel_int((int64_t) mag);
}

static CelValue
uint_from_string(CelEvalContext *ctx, const CelValue *a, int n)
{
	bool		neg,
				range;
	uint64_t	mag = 0;

	if (!parse_decimal(a[0].u.str.ptr, a[0].u.str.len, false, &neg, &mag, &range))
		return cel_error(A, "type conversion error from 'string' to 'uint'");
	if (range)
		return cel_error(A, "type conversion error from 'string' to 'uint'");
	return cel_uint(mag);
}

static CelValue
int_from_uint(CelEvalContext *ctx, const CelValue *a, int n)
{
	if (a[0].u.u > (uint64_t) INT64_MAX)
		return err_int_overflow(ctx);
	return cel_int((int64_t) a[0].u.u);
}

static CelValue
int_from_double(CelEvalContext *ctx, const CelValue *a, int n)
{
	double		d = a[0].u.d;

	/* cel-go: NaN, infinities and the int64 bounds themselves overflow */
	if (isnan(d) || d <= -9223372036854775808.0 || d >= 9223372036854775807.0)
		return err_int_overflow(ctx);
	return cel_int((int64_t) d);
}

static CelValue
int_from_timestamp(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_int(a[0].u.ts.sec);
}

static CelValue
int_from_duration(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_int(a[0].u.dur);
}

static CelValue
uint_from_int(CelEvalContext *ctx, const CelValue *a, int n)
{
	if (a[0].u.i < 0)
		return err_uint_overflow(ctx);
	return cel_uint((uint64_t) a[0].u.i);
}

static CelValue
uint_from_double(CelEvalContext *ctx, const CelValue *a, int n)
{
	double		d = a[0].u.d;

	if (isnan(d) || d < 0 || d >= 18446744073709551615.0)
		return err_uint_overflow(ctx);
	return cel_uint((uint64_t) d);
}

static CelValue
double_from_int(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_double((double) a[0].u.i);
}

static CelValue
double_from_uint(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_double((double) a[0].u.u);
}

/* Case-insensitive match of s[0..len) against a lowercase word. */
static bool
eq_fold(const char *s, size_t len, const char *word)
{
	size_t		wl = strlen(word);

	if (len != wl)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char) (c - 'A' + 'a');
		if (c != word[i])
			return false;
	}
	return true;
}

/* Go's underscoreOK: each '_' sits between digits (a base prefix counts). */
static bool
underscores_ok(const char *s, size_t len)
{
	char		saw = '^';
	size_t		i = 0;
	bool		hex = false;

	if (len >= 1 && (s[0] == '-' || s[0] == '+'))
	{
		s++;
		len--;
	}
	if (len >= 2 && s[0] == '0' &&
		(s[1] == 'x' || s[1] == 'X' || s[1] == 'b' || s[1] == 'B' || s[1] == 'o' || s[1] == 'O'))
	{
		i = 2;
		saw = '0';
		hex = s[1] == 'x' || s[1] == 'X';
	}
	for (; i < len; i++)
	{
		char		c = s[i];

		if ((c >= '0' && c <= '9') ||
			(hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))))
		{
			saw = '0';
			continue;
		}
		if (c == '_')
		{
			if (saw != '0')
				return false;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return false;
		saw = '!';
	}
	return saw != '_';
}

/*
 * Go's strconv.ParseFloat(s, 64): decimal or hex floats with underscores
 * between digits, "inf"/"infinity"/"nan" in any case;
 * out-of-range values are errors.  strtod is close but skips whitespace,
 * accepts hex mantissas without an exponent and takes "nan(...)", so the
 * syntax is checked first.
 */
bool
cel_parse_go_float(const char *s, size_t len, double *out)
{
	size_t		i = 0;
	char		buf[512];
	char	   *end;
	bool		hex = false,
				digits = false;
	const char *body;
	size_t		blen;

	if (len == 0 || len >= sizeof(buf))
		return false;
	if (s[0] == '+' || s[0] == '-')
		i = 1;
	body = s + i;
	blen = len - i;
	if (eq_fold(body, blen, "inf") || eq_fold(body, blen, "infinity"))
	{
		*out = s[0] == '-' ? -INFINITY : INFINITY;
		return true;
	}
	if (eq_fold(body, blen, "nan"))
	{
		*out = NAN;
		return true;
	}
	if (blen > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X'))
		hex = true;
	{
		size_t		o = 0;
		bool		seen_exp = false;
		bool		underscore = false;

		for (size_t k = 0; k < len; k++)
		{
			char		c = s[k];

			if (c == '_')
			{
				underscore = true;
				continue;
			}
			if (c >= '0' && c <= '9')
				digits = digits || !seen_exp;
			else if (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) &&
					 !seen_exp)
				digits = true;
			else if (c == '.' || ((c == '+' || c == '-') && (k == 0 || seen_exp)))
				;
			else if (!hex && (c == 'e' || c == 'E'))
				seen_exp = true;
			else if (hex && (c == 'p' || c == 'P'))
				seen_exp = true;
			else if (hex && (c == 'x' || c == 'X') && k == i + 1)
				;
			else
				return false;
			buf[o++] = c;
		}
		buf[o] = '\0';
		if (!digits || (hex && !seen_exp))
			return false;
		if (underscore && !underscores_ok(s, len))
			return false;
	}
	errno = 0;
	*out = strtod(buf, &end);
	if (*end != '\0')
		return false;
	if (errno == ERANGE && isinf(*out))
		return false;
	return true;
}

static CelValue
double_from_string(CelEvalContext *ctx, const CelValue *a, int n)
{
	double		d;

	if (!cel_parse_go_float(a[0].u.str.ptr, a[0].u.str.len, &d))
		return cel_error(A, "type conversion error from 'string' to 'double'");
	return cel_double(d);
}

static CelValue
string_from_int(CelEvalContext *ctx, const CelValue *a, int n)
{
	char	   *s = arena_printf(A, "%lld", (long long) a[0].u.i);

	return s ? cel_string(s, strlen(s)) : cel_error(A, "out of memory");
}

static CelValue
string_from_uint(CelEvalContext *ctx, const CelValue *a, int n)
{
	char	   *s = arena_printf(A, "%llu", (unsigned long long) a[0].u.u);

	return s ? cel_string(s, strlen(s)) : cel_error(A, "out of memory");
}

static CelValue
string_from_double(CelEvalContext *ctx, const CelValue *a, int n)
{
	char		buf[64];

	cel_format_double(a[0].u.d, buf, sizeof(buf));
	return cel_string_copy(A, buf, strlen(buf));
}

static CelValue
string_from_bool(CelEvalContext *ctx, const CelValue *a, int n)
{
	return a[0].u.b ? cel_string("true", 4) : cel_string("false", 5);
}

static CelValue
string_from_bytes(CelEvalContext *ctx, const CelValue *a, int n)
{
	if (!cel_utf8_valid(a[0].u.str.ptr, a[0].u.str.len))
		return cel_error(A, "invalid UTF-8 in bytes, cannot convert to string");
	return cel_string(a[0].u.str.ptr, a[0].u.str.len);
}

static CelValue
bytes_from_string(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_bytes(a[0].u.str.ptr, a[0].u.str.len);
}

static CelValue
bool_from_string(CelEvalContext *ctx, const CelValue *a, int n)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
	const char *s = a[0].u.str.ptr;
	size_t		len = a[0].u.str.len;

	for (int i = 0; i < 6; i++)
	{
		if (strlen(yes[i]) == len && memcmp(yes[i], s, len) == 0)
			return cel_bool(true);
		if (strlen(no[i]) == len && memcmp(no[i], s, len) == 0)
			return cel_bool(false);
	}
	return cel_error(A, "type conversion error from 'string' to 'bool'");
}

static CelValue
timestamp_from_int(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_timestamp_from_unix(A, a[0].u.i);
}

static CelValue
timestamp_from_string(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_timestamp_parse(A, a[0].u.str.ptr, a[0].u.str.len);
}

static CelValue
duration_from_string(CelEvalContext *ctx, const CelValue *a, int n)
{
	return cel_duration_parse(A, a[0].u.str.ptr, a[0].u.str.len);
}

static CelValue
string_from_timestamp(CelEvalContext *ctx, const CelValue *a, int n)
{
	char	   *s = cel_timestamp_format(A, a[0]);

	return s ? cel_string(s, strlen(s)) : cel_error(A, "out of memory");
}

static CelValue
string_from_duration(CelEvalContext *ctx, const CelValue *a, int n)
{
	char	   *s = cel_duration_format(A, a[0].u.dur);

	return s ? cel_string(s, strlen(s)) : cel_error(A, "out of memory");
}

/* ---------- two-variable comprehension support ---------- */

/*
 * cel.@mapInsert(map, key, value) and cel.@mapInsert(map, map): the
 * accumulator step of transformMap / transformMapEntry.  A key already
 * present is an error, as in cel-go's ext library.
 */
static CelValue
map_insert(CelEvalContext *ctx, const CelValue *a, int n)
{
	const CelMap *m = a[0].u.map;
	const CelValue *addk,
			   *addv;
	size_t		nadd;
	CelValue   *keys,
			   *vals;
	CelValue	ignored;

	if (n == 3)
	{
		addk = &a[1];
		addv = &a[2];
		nadd = 1;
	}
	else
	{
		addk = a[1].u.map->keys;
		addv = a[1].u.map->values;
		nadd = a[1].u.map->len;
	}
	if (ctx->max_list_items > 0 && m->len + nadd > ctx->max_list_items)
		return cel_limit_error(ctx, CEL_LIMIT_LIST_ITEMS,
							   "map result exceeds the size limit of %zu items",
							   ctx->max_list_items);
	keys = arena_alloc(A, sizeof(CelValue) * (m->len + nadd + 1));
	vals = arena_alloc(A, sizeof(CelValue) * (m->len + nadd + 1));
	if (keys == NULL || vals == NULL)
		return cel_error(A, "out of memory");
	if (m->len > 0)
	{
		memcpy(keys, m->keys, sizeof(CelValue) * m->len);
		memcpy(vals, m->values, sizeof(CelValue) * m->len);
	}
	for (size_t i = 0; i < nadd; i++)
	{
		if (cel_map_get(m, addk[i], &ignored))
			return cel_error(A, "insert failed: key already exists");
		keys[m->len + i] = addk[i];
		vals[m->len + i] = addv[i];
	}
	return cel_map_from(A, keys, vals, m->len + nadd);
}

/* ---------- the table ---------- */

static const CelOverload std_overloads[] = {
	/* special forms (evaluated by eval.c) */
	{"conditional", "_?_:_(bool, A, A) -> A", special_form, CEL_FN_NONSTRICT},
	{"logical_and", "_&&_(bool, bool) -> bool", special_form, CEL_FN_NONSTRICT},
	{"logical_or", "_||_(bool, bool) -> bool", special_form, CEL_FN_NONSTRICT},
	{"not_strictly_false", "@not_strictly_false(bool) -> bool", not_strictly_false,
	CEL_FN_NONSTRICT},
	{"logical_not", "!_(bool) -> bool", logical_not, 0},

	/* equality */
	{"equals", "_==_(A, A) -> bool", op_equals, 0},
	{"not_equals", "_!=_(A, A) -> bool", op_not_equals, 0},

	/* arithmetic */
	{"add_int64", "_+_(int, int) -> int", add_int, 0},
	{"add_uint64", "_+_(uint, uint) -> uint", add_uint, 0},
	{"add_double", "_+_(double, double) -> double", add_double, 0},
	{"add_string", "_+_(string, string) -> string", add_text, 0},
	{"add_bytes", "_+_(bytes, bytes) -> bytes", add_text, 0},
	{"add_list", "_+_(list(A), list(A)) -> list(A)", add_list, 0},
	{"add_timestamp_duration", "_+_(timestamp, duration) -> timestamp", add_ts_dur, 0},
	{"add_duration_timestamp", "_+_(duration, timestamp) -> timestamp", add_ts_dur, 0},
	{"add_duration_duration", "_+_(duration, duration) -> duration", add_dur_dur, 0},
	{"subtract_int64", "_-_(int, int) -> int", sub_int, 0},
	{"subtract_uint64", "_-_(uint, uint) -> uint", sub_uint, 0},
	{"subtract_double", "_-_(double, double) -> double", sub_double, 0},
	{"subtract_timestamp_timestamp", "_-_(timestamp, timestamp) -> duration", sub_ts_ts, 0},
	{"subtract_timestamp_duration", "_-_(timestamp, duration) -> timestamp", sub_ts_dur, 0},
	{"subtract_duration_duration", "_-_(duration, duration) -> duration", sub_dur_dur, 0},
	{"multiply_int64", "_*_(int, int) -> int", mul_int, 0},
	{"multiply_uint64", "_*_(uint, uint) -> uint", mul_uint, 0},
	{"multiply_double", "_*_(double, double) -> double", mul_double, 0},
	{"divide_int64", "_/_(int, int) -> int", div_int, 0},
	{"divide_uint64", "_/_(uint, uint) -> uint", div_uint, 0},
	{"divide_double", "_/_(double, double) -> double", div_double, 0},
	{"modulo_int64", "_%_(int, int) -> int", mod_int, 0},
	{"modulo_uint64", "_%_(uint, uint) -> uint", mod_uint, 0},
	{"negate_int64", "-_(int) -> int", neg_int, 0},
	{"negate_double", "-_(double) -> double", neg_double, 0},

	/* ordering */
#define ORDER(fn, idp, impl) \
	{idp "_bool", fn "(bool, bool) -> bool", impl, 0}, \
	{idp "_int64", fn "(int, int) -> bool", impl, 0}, \
	{idp "_int64_double", fn "(int, double) -> bool", impl, 0}, \
	{idp "_int64_uint64", fn "(int, uint) -> bool", impl, 0}, \
	{idp "_uint64", fn "(uint, uint) -> bool", impl, 0}, \
	{idp "_uint64_double", fn "(uint, double) -> bool", impl, 0}, \
	{idp "_uint64_int64", fn "(uint, int) -> bool", impl, 0}, \
	{idp "_double", fn "(double, double) -> bool", impl, 0}, \
	{idp "_double_int64", fn "(double, int) -> bool", impl, 0}, \
	{idp "_double_uint64", fn "(double, uint) -> bool", impl, 0}, \
	{idp "_string", fn "(string, string) -> bool", impl, 0}, \
	{idp "_bytes", fn "(bytes, bytes) -> bool", impl, 0}, \
	{idp "_timestamp", fn "(timestamp, timestamp) -> bool", impl, 0}, \
	{idp "_duration", fn "(duration, duration) -> bool", impl, 0}
	ORDER("_<_", "less", op_less),
	ORDER("_<=_", "less_equals", op_less_eq),
	ORDER("_>_", "greater", op_greater),
	ORDER("_>=_", "greater_equals", op_greater_eq),
#undef ORDER

	/* membership, indexing, size */
	{"in_list", "@in(A, list(A)) -> bool", in_list, 0},
	{"in_map", "@in(A, map(A, B)) -> bool", in_map, 0},
	{"index_list", "_[_](list(A), int) -> A", index_op, 0},
	{"index_map", "_[_](map(A, B), A) -> B", index_op, 0},
	{"size_string", "size(string) -> int", size_fn, 0},
	{"size_bytes", "size(bytes) -> int", size_fn, 0},
	{"size_list", "size(list(A)) -> int", size_fn, 0},
	{"size_map", "size(map(A, B)) -> int", size_fn, 0},
	{"string_size", "string.size() -> int", size_fn, 0},
	{"bytes_size", "bytes.size() -> int", size_fn, 0},
	{"list_size", "list(A).size() -> int", size_fn, 0},
	{"map_size", "map(A, B).size() -> int", size_fn, 0},

	/* strings */
	{"contains_string", "string.contains(string) -> bool", contains_string, 0},
	{"starts_with_string", "string.startsWith(string) -> bool", starts_with, 0},
	{"ends_with_string", "string.endsWith(string) -> bool", ends_with, 0},

	/* conversions */
	{"bool_to_bool", "bool(bool) -> bool", identity, 0},
	{"string_to_bool", "bool(string) -> bool", bool_from_string, 0},
	{"bytes_to_bytes", "bytes(bytes) -> bytes", identity, 0},
	{"string_to_bytes", "bytes(string) -> bytes", bytes_from_string, 0},
	{"double_to_double", "double(double) -> double", identity, 0},
	{"int64_to_double", "double(int) -> double", double_from_int, 0},
	{"uint64_to_double", "double(uint) -> double", double_from_uint, 0},
	{"string_to_double", "double(string) -> double", double_from_string, 0},
	{"int64_to_int64", "int(int) -> int", identity, 0},
	{"uint64_to_int64", "int(uint) -> int", int_from_uint, 0},
	{"double_to_int64", "int(double) -> int", int_from_double, 0},
	{"string_to_int64", "int(string) -> int", int_from_string, 0},
	{"timestamp_to_int64", "int(timestamp) -> int", int_from_timestamp, 0},
	{"duration_to_int64", "int(duration) -> int", int_from_duration, 0},
	{"uint64_to_uint64", "uint(uint) -> uint", identity, 0},
	{"int64_to_uint64", "uint(int) -> uint", uint_from_int, 0},
	{"double_to_uint64", "uint(double) -> uint", uint_from_double, 0},
	{"string_to_uint64", "uint(string) -> uint", uint_from_string, 0},
	{"string_to_string", "string(string) -> string", identity, 0},
	{"int64_to_string", "string(int) -> string", string_from_int, 0},
	{"uint64_to_string", "string(uint) -> string", string_from_uint, 0},
	{"double_to_string", "string(double) -> string", string_from_double, 0},
	{"bool_to_string", "string(bool) -> string", string_from_bool, 0},
	{"bytes_to_string", "string(bytes) -> string", string_from_bytes, 0},
	{"timestamp_to_string", "string(timestamp) -> string", string_from_timestamp, 0},
	{"duration_to_string", "string(duration) -> string", string_from_duration, 0},
	{"timestamp_to_timestamp", "timestamp(timestamp) -> timestamp", identity, 0},
	{"string_to_timestamp", "timestamp(string) -> timestamp", timestamp_from_string, 0},
	{"int64_to_timestamp", "timestamp(int) -> timestamp", timestamp_from_int, 0},
	{"duration_to_duration", "duration(duration) -> duration", identity, 0},
	{"string_to_duration", "duration(string) -> duration", duration_from_string, 0},
	{"to_dyn", "dyn(A) -> dyn", identity, 0},
	{"cel_@mapInsert_map_key_value", "cel.@mapInsert(map(K, V), K, V) -> map(K, V)",
	map_insert, 0},
	{"cel_@mapInsert_map_map", "cel.@mapInsert(map(K, V), map(K, V)) -> map(K, V)",
	map_insert, 0},
	{"type", "type(A) -> type(A)", type_of, 0},
};

const CelLibrary cel_lib_std = {
	"std", std_overloads, (int) (sizeof(std_overloads) / sizeof(std_overloads[0]))
};
