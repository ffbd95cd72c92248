/*
 * format.c — string.format() of cel-go's strings extension, formatting
 * version 2 (what an unversioned ext.Strings() gives in cel-go 0.30), and
 * the compile-time check of literal format calls.
 *
 * One parser walks the format string for both uses.  For each clause it
 * calls a callback: at run time the callback renders the argument, in the
 * checker it inspects the static type of the list literal's element.  The
 * parser reproduces cel-go's order of checks and its error texts exactly,
 * since a wrong message is a visible difference ("index 1 out of range",
 * "unexpected end of string", "could not parse formatting clause: ...").
 *
 * Numbers follow Go: %s and %d of a double print the shortest decimal that
 * reads back to the same double, never in exponent form ('f', -1); %f and
 * %e use C's printf, which rounds exactly as Go's fmt does.  Map entries are
 * rendered sorted by their rendered key.
 */
#include "cel_strings.h"

#include <math.h>
#include <stdlib.h>

#define FORMAT_MAX_PRECISION 100
#define FORMAT_MAX_DEPTH 100

/* What the parser asks of its user for each clause. */
typedef struct FormatOps
{
	/* renders or checks argument argi for verb; NULL or an error text */
	const char *(*clause) (void *state, char verb, int precision, int argi);
	void	   *state;
	int			nargs;
	bool		runtime;		/* Arg() fails past the end before any check */
} FormatOps;

/* cel-go's type name of a runtime value in messages. */
const char *
cel_format_value_type_name(CelValue v)
{
	switch (v.kind)
	{
		case CEL_VAL_NULL:
			return "null_type";
		case CEL_VAL_BOOL:
			return "bool";
		case CEL_VAL_INT:
			return "int";
		case CEL_VAL_UINT:
			return "uint";
		case CEL_VAL_DOUBLE:
			return "double";
		case CEL_VAL_STRING:
			return "string";
		case CEL_VAL_BYTES:
			return "bytes";
		case CEL_VAL_LIST:
			return "list";
		case CEL_VAL_MAP:
			return "map";
		case CEL_VAL_TIMESTAMP:
			return "google.protobuf.Timestamp";
		case CEL_VAL_DURATION:
			return "google.protobuf.Duration";
		case CEL_VAL_TYPE:
			return "type";
		case CEL_VAL_OPTIONAL:
			return "optional_type";
		case CEL_VAL_OPAQUE:
			return v.u.opaque.type ? v.u.opaque.type->name : "opaque";
		case CEL_VAL_ERROR:
			return "error";
		default:
			return "unknown";
	}
}

/*
 * The shortest decimal digits that read back as d (d finite, non-zero):
 * digits without sign or point, and the power of ten of the first digit,
 * as Go's strconv with precision -1 chooses them.
 */
int
cel_format_shortest_digits(double d, char *digits, int *exp10)
{
	char		buf[64];
	int			ndigits = 0;
	char	   *e;

	for (int prec = 1; prec <= 17; prec++)
	{
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* buf is "-d.ddde+XX": split into digits and exponent */
	for (char *p = buf; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[ndigits++] = *p;
	e = strchr(buf, 'e');
	*exp10 = e ? atoi(e + 1) : 0;
	while (ndigits > 1 && digits[ndigits - 1] == '0')
		ndigits--;
	return ndigits;
}

/* Appends d as Go's strconv.FormatFloat(d, 'f', -1, 64). */
void
cel_format_append_shortest(CelStrBuf *sb, double d)
{
	char		digits[32];
	int			ndigits;
	int			exp10;

	if (d == 0)
	{
		cel_strbuf_puts(sb, signbit(d) ? "-0" : "0");
		return;
	}
	ndigits = cel_format_shortest_digits(d, digits, &exp10);
	if (d < 0)
		cel_strbuf_putc(sb, '-');
	if (exp10 < 0)
	{
		cel_strbuf_puts(sb, "0.");
		for (int i = 0; i < -exp10 - 1; i++)
			cel_strbuf_putc(sb, '0');
		cel_strbuf_append(sb, digits, (size_t) ndigits);
	}
	else if (exp10 + 1 >= ndigits)
	{
		cel_strbuf_append(sb, digits, (size_t) ndigits);
		for (int i = ndigits; i < exp10 + 1; i++)
			cel_strbuf_putc(sb, '0');
	}
	else
	{
		cel_strbuf_append(sb, digits, (size_t) exp10 + 1);
		cel_strbuf_putc(sb, '.');
		cel_strbuf_append(sb, digits + exp10 + 1, (size_t) (ndigits - exp10 - 1));
	}
}

/* Appends NaN/Infinity/-Infinity; false for a finite double. */
static bool
append_special_double(CelStrBuf *sb, double d)
{
	if (isnan(d))
		cel_strbuf_puts(sb, "NaN");
	else if (isinf(d))
		cel_strbuf_puts(sb, d < 0 ? "-Infinity" : "Infinity");
	else
		return false;
	return true;
}

/* Civil date of a day count since 1970-01-01 (proleptic Gregorian). */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t		era;
	int64_t		doe;
	int64_t		yoe;
	int64_t		doy;
	int64_t		mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Appends a timestamp as Go's time.RFC3339Nano in UTC. */
static void
append_timestamp(CelStrBuf *sb, int64_t sec, int32_t nsec)
{
	int64_t		days = sec / 86400;
	int64_t		rem = sec % 86400;
	int64_t		y;
	int			m;
	int			d;

	if (rem < 0)
	{
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	cel_strbuf_printf(sb, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long) y, m, d,
					  (int) (rem / 3600), (int) (rem / 60 % 60), (int) (rem % 60));
	if (nsec > 0)
	{
		char		frac[16];
		int			n;

		snprintf(frac, sizeof(frac), "%09d", (int) nsec);
		n = 9;
		while (n > 0 && frac[n - 1] == '0')
			n--;
		cel_strbuf_putc(sb, '.');
		cel_strbuf_append(sb, frac, (size_t) n);
	}
	cel_strbuf_putc(sb, 'Z');
}

/* Appends a duration as Go's strconv 'f' -1 of its seconds, plus "s". */
static void
append_duration(CelStrBuf *sb, int64_t nanos)
{
	double		secs = (double) (nanos / 1000000000) +
		(double) (nanos % 1000000000) / 1e9;

	cel_format_append_shortest(sb, secs);
	cel_strbuf_putc(sb, 's');
}

typedef struct MapEntryText
{
	char	   *key;
	size_t		keylen;
	char	   *val;
	size_t		vallen;
	size_t		order;
} MapEntryText;

/* Orders rendered map entries by key bytes, then by position (stable). */
static int
cmp_entry(const void *a, const void *b)
{
	const MapEntryText *x = (const MapEntryText *) a;
	const MapEntryText *y = (const MapEntryText *) b;
	size_t		n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int			c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	return x->order < y->order ? -1 : (x->order > y->order);
}

static const char *append_value(CelStrBuf *sb, CelValue v, int depth);

/* Renders v into a fresh arena string. */
static const char *
render_alone(CelStrBuf *like, CelValue v, int depth, char **out, size_t *len)
{
	CelStrBuf	sb = *like;
	const char *err;

	sb.data = NULL;
	sb.len = 0;
	sb.cap = 0;
	err = append_value(&sb, v, depth);
	*out = sb.data ? sb.data : (char *) "";
	*len = sb.len;
	if (sb.failed)
		like->failed = true;
	if (sb.too_long)
		like->too_long = true;
	return err;
}

/* The %s rendering of v (cel-go's appendingFormatterV2.format). */
static const char *
append_value(CelStrBuf *sb, CelValue v, int depth)
{
	if (depth > FORMAT_MAX_DEPTH)
		return "value nests too deeply to format";
	switch (v.kind)
	{
		case CEL_VAL_BOOL:
			cel_strbuf_puts(sb, v.u.b ? "true" : "false");
			return NULL;
		case CEL_VAL_INT:
			cel_strbuf_printf(sb, "%lld", (long long) v.u.i);
			return NULL;
		case CEL_VAL_UINT:
			cel_strbuf_printf(sb, "%llu", (unsigned long long) v.u.u);
			return NULL;
		case CEL_VAL_DOUBLE:
			if (!append_special_double(sb, v.u.d))
				cel_format_append_shortest(sb, v.u.d);
			return NULL;
		case CEL_VAL_BYTES:
		case CEL_VAL_STRING:
			cel_strbuf_append(sb, v.u.str.ptr, v.u.str.len);
			return NULL;
		case CEL_VAL_DURATION:
			append_duration(sb, v.u.dur);
			return NULL;
		case CEL_VAL_TIMESTAMP:
			append_timestamp(sb, v.u.ts.sec, v.u.ts.nsec);
			return NULL;
		case CEL_VAL_NULL:
			cel_strbuf_puts(sb, "null");
			return NULL;
		case CEL_VAL_TYPE:
			cel_strbuf_puts(sb, cel_type_name(v.u.type));
			return NULL;
		case CEL_VAL_LIST:
			cel_strbuf_putc(sb, '[');
			for (size_t i = 0; i < v.u.list->len; i++)
			{
				const char *err;

				if (i > 0)
					cel_strbuf_puts(sb, ", ");
				err = append_value(sb, v.u.list->items[i], depth + 1);
				if (err)
					return err;
			}
			cel_strbuf_putc(sb, ']');
			return NULL;
		case CEL_VAL_MAP:
			{
				const CelMap *m = v.u.map;
				MapEntryText *ents;

				ents = (MapEntryText *) arena_alloc(sb->arena,
													(m->len + 1) * sizeof(MapEntryText));
				if (ents == NULL)
				{
					sb->failed = true;
					return NULL;
				}
				for (size_t i = 0; i < m->len; i++)
				{
					const char *err;

					err = render_alone(sb, m->keys[i], depth + 1, &ents[i].key,
									   &ents[i].keylen);
					if (err)
						return err;
					err = render_alone(sb, m->values[i], depth + 1, &ents[i].val,
									   &ents[i].vallen);
					if (err)
						return err;
					ents[i].order = i;
				}
				qsort(ents, m->len, sizeof(MapEntryText), cmp_entry);
				cel_strbuf_putc(sb, '{');
				for (size_t i = 0; i < m->len; i++)
				{
					if (i > 0)
						cel_strbuf_puts(sb, ", ");
					cel_strbuf_append(sb, ents[i].key, ents[i].keylen);
					cel_strbuf_puts(sb, ": ");
					cel_strbuf_append(sb, ents[i].val, ents[i].vallen);
				}
				cel_strbuf_putc(sb, '}');
				return NULL;
			}
		default:
			return arena_printf(sb->arena,
								"string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given %s",
								cel_format_value_type_name(v));
	}
}

/* Appends a Go-style fraction: n/10^digits with trailing zeros dropped. */
static void
append_go_fraction(CelStrBuf *sb, uint64_t whole, uint64_t frac, int digits)
{
	char		buf[16];
	int			n = digits;

	cel_strbuf_printf(sb, "%llu", (unsigned long long) whole);
	snprintf(buf, sizeof(buf), "%0*llu", digits, (unsigned long long) frac);
	while (n > 0 && buf[n - 1] == '0')
		n--;
	if (n > 0)
	{
		cel_strbuf_putc(sb, '.');
		cel_strbuf_append(sb, buf, (size_t) n);
	}
}

/* Appends a duration as Go's time.Duration.String() ("1h30m0s", "1.5ms"). */
static void
append_go_duration(CelStrBuf *sb, int64_t d)
{
	uint64_t	u = d < 0 ? (uint64_t) 0 - (uint64_t) d : (uint64_t) d;

	if (d < 0)
		cel_strbuf_putc(sb, '-');
	if (u == 0)
		cel_strbuf_puts(sb, "0s");
	else if (u < 1000)
		cel_strbuf_printf(sb, "%lluns", (unsigned long long) u);
	else if (u < 1000000)
	{
		append_go_fraction(sb, u / 1000, u % 1000, 3);
		cel_strbuf_puts(sb, "\xc2\xb5s");
	}
	else if (u < 1000000000)
	{
		append_go_fraction(sb, u / 1000000, u % 1000000, 6);
		cel_strbuf_puts(sb, "ms");
	}
	else
	{
		uint64_t	secs = u / 1000000000;

		if (secs >= 3600)
			cel_strbuf_printf(sb, "%lluh", (unsigned long long) (secs / 3600));
		if (secs >= 60)
			cel_strbuf_printf(sb, "%llum", (unsigned long long) (secs / 60 % 60));
		append_go_fraction(sb, secs % 60, u % 1000000000, 9);
		cel_strbuf_putc(sb, 's');
	}
}

/* Appends a double as Go's %v (strconv 'g' with the shortest digits). */
static void
append_go_float(CelStrBuf *sb, double d)
{
	char		digits[32];
	int			n;
	int			exp10;

	if (isnan(d))
	{
		cel_strbuf_puts(sb, "NaN");
		return;
	}
	if (isinf(d))
	{
		cel_strbuf_puts(sb, d < 0 ? "-Inf" : "+Inf");
		return;
	}
	if (d == 0)
	{
		cel_strbuf_puts(sb, signbit(d) ? "-0" : "0");
		return;
	}
	n = cel_format_shortest_digits(d, digits, &exp10);
	/* Go's 'g' with the shortest digits switches to %e outside [-4, 6) */
	if (exp10 >= -4 && exp10 < 6)
	{
		cel_format_append_shortest(sb, d);
		return;
	}
	if (d < 0)
		cel_strbuf_putc(sb, '-');
	cel_strbuf_putc(sb, digits[0]);
	if (n > 1)
	{
		cel_strbuf_putc(sb, '.');
		cel_strbuf_append(sb, digits + 1, (size_t) n - 1);
	}
	cel_strbuf_printf(sb, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
}

/* Appends v as Go's fmt %v prints a cel-go value (join's error message). */
void
cel_format_append_go_value(CelStrBuf *sb, CelValue v, int depth)
{
	if (depth > FORMAT_MAX_DEPTH)
		return;
	switch (v.kind)
	{
		case CEL_VAL_NULL:
			cel_strbuf_putc(sb, '0');	/* structpb.NullValue is an enum */
			break;
		case CEL_VAL_DOUBLE:
			append_go_float(sb, v.u.d);
			break;
		case CEL_VAL_BYTES:
			cel_strbuf_putc(sb, '[');
			for (size_t i = 0; i < v.u.str.len; i++)
				cel_strbuf_printf(sb, i ? " %u" : "%u", (unsigned char) v.u.str.ptr[i]);
			cel_strbuf_putc(sb, ']');
			break;
		case CEL_VAL_DURATION:
			append_go_duration(sb, v.u.dur);
			break;
		case CEL_VAL_TIMESTAMP:
			{
				int64_t		days = v.u.ts.sec / 86400;
				int64_t		rem = v.u.ts.sec % 86400;
				int64_t		y;
				int			m;
				int			d;

				if (rem < 0)
				{
					rem += 86400;
					days--;
				}
				civil_from_days(days, &y, &m, &d);
				cel_strbuf_printf(sb, "%04lld-%02d-%02d %02d:%02d:", (long long) y, m, d,
								  (int) (rem / 3600), (int) (rem / 60 % 60));
				if (rem % 60 < 10)
					cel_strbuf_putc(sb, '0');
				append_go_fraction(sb, (uint64_t) (rem % 60), (uint64_t) v.u.ts.nsec, 9);
				cel_strbuf_puts(sb, " +0000 UTC");
				break;
			}
		case CEL_VAL_LIST:
			cel_strbuf_putc(sb, '[');
			for (size_t i = 0; i < v.u.list->len; i++)
			{
				if (i > 0)
					cel_strbuf_puts(sb, ", ");
				cel_format_append_go_value(sb, v.u.list->items[i], depth + 1);
			}
			cel_strbuf_putc(sb, ']');
			break;
		case CEL_VAL_MAP:
			cel_strbuf_putc(sb, '{');
			for (size_t i = 0; i < v.u.map->len; i++)
			{
				if (i > 0)
					cel_strbuf_puts(sb, ", ");
				cel_format_append_go_value(sb, v.u.map->keys[i], depth + 1);
				cel_strbuf_puts(sb, ": ");
				cel_format_append_go_value(sb, v.u.map->values[i], depth + 1);
			}
			cel_strbuf_putc(sb, '}');
			break;
		default:
			if (append_value(sb, v, depth) != NULL)
				cel_strbuf_puts(sb, cel_format_value_type_name(v));
	}
}

/* Public form of the %s rendering (join's messages use it too). */
const char *
cel_format_append_string(CelStrBuf *sb, CelValue v)
{
	return append_value(sb, v, 0);
}

/* Appends an integer in base 2, 8 or 16 as Go's strconv/fmt do. */
static void
append_radix(CelStrBuf *sb, bool negative, uint64_t mag, int base, bool upper)
{
	char		tmp[72];
	int			n = 0;
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do
	{
		tmp[n++] = dig[mag % (uint64_t) base];
		mag /= (uint64_t) base;
	} while (mag);
	if (negative)
		cel_strbuf_putc(sb, '-');
	while (n > 0)
		cel_strbuf_putc(sb, tmp[--n]);
}

/* Appends an int's sign and magnitude in a base. */
static void
append_int_radix(CelStrBuf *sb, CelValue v, int base, bool upper)
{
	if (v.kind == CEL_VAL_UINT)
		append_radix(sb, false, v.u.u, base, upper);
	else
		append_radix(sb, v.u.i < 0,
					 v.u.i < 0 ? (uint64_t) 0 - (uint64_t) v.u.i : (uint64_t) v.u.i,
					 base, upper);
}

typedef struct RuntimeFormat
{
	CelStrBuf  *sb;
	const CelList *args;
} RuntimeFormat;

/* Renders one clause at run time (cel-go's stringFormatterV2). */
static const char *
runtime_clause(void *state, char verb, int precision, int argi)
{
	RuntimeFormat *rf = (RuntimeFormat *) state;
	CelStrBuf  *sb = rf->sb;
	CelValue	v = rf->args->items[argi];
	const char *tn = cel_format_value_type_name(v);
	bool		numeric = v.kind == CEL_VAL_INT || v.kind == CEL_VAL_UINT ||
		v.kind == CEL_VAL_DOUBLE;

	switch (verb)
	{
		case 's':
			return append_value(sb, v, 0);
		case 'd':
			if (!numeric)
				return arena_printf(sb->arena, "decimal clause can only be used on ints, uints, and doubles, was given %s", tn);
			return append_value(sb, v, 0);
		case 'f':
		case 'e':
			{
				double		d;

				if (!numeric)
					return arena_printf(sb->arena, verb == 'f'
										? "fixed-point clause can only be used on ints, uints, and doubles, was given %s"
										: "scientific clause can only be used on ints, uints, and doubles, was given %s",
										tn);
				d = v.kind == CEL_VAL_INT ? (double) v.u.i :
					v.kind == CEL_VAL_UINT ? (double) v.u.u : v.u.d;
				if (append_special_double(sb, d))
					return NULL;
				cel_strbuf_printf(sb, verb == 'f' ? "%.*f" : "%.*e", precision, d);
				return NULL;
			}
		case 'b':
			if (v.kind == CEL_VAL_BOOL)
			{
				cel_strbuf_putc(sb, v.u.b ? '1' : '0');
				return NULL;
			}
			if (v.kind != CEL_VAL_INT && v.kind != CEL_VAL_UINT)
				return arena_printf(sb->arena, "only ints, uints, and bools can be formatted as binary, was given %s", tn);
			append_int_radix(sb, v, 2, false);
			return NULL;
		case 'o':
			if (v.kind != CEL_VAL_INT && v.kind != CEL_VAL_UINT)
				return arena_printf(sb->arena, "octal clause can only be used on ints and uints, was given %s", tn);
			append_int_radix(sb, v, 8, false);
			return NULL;
		case 'x':
		case 'X':
			if (v.kind == CEL_VAL_INT || v.kind == CEL_VAL_UINT)
			{
				append_int_radix(sb, v, 16, verb == 'X');
				return NULL;
			}
			if (v.kind == CEL_VAL_STRING || v.kind == CEL_VAL_BYTES)
			{
				for (size_t i = 0; i < v.u.str.len; i++)
					cel_strbuf_printf(sb, verb == 'X' ? "%02X" : "%02x",
									  (unsigned char) v.u.str.ptr[i]);
				return NULL;
			}
			return arena_printf(sb->arena, "only ints, uints, bytes, and strings can be formatted as hex, was given %s", tn);
	}
	return "unreachable formatting clause";
}

/*
 * Walks fmt, copying text to out (may be NULL) and calling ops->clause for
 * each clause; returns NULL or the full error text.  *clauses counts the
 * clauses seen.
 */
static const char *
parse_format(Arena *arena, const char *fmt, size_t len, CelStrBuf *out,
			 const FormatOps *ops, int *clauses)
{
	size_t		i = 0;
	int			argi = 0;

	*clauses = 0;
	while (i < len)
	{
		size_t		j;
		int			precision = 6;
		char		verb;
		const char *err;

		if (fmt[i] != '%')
		{
			if (out)
				cel_strbuf_putc(out, fmt[i]);
			i++;
			continue;
		}
		if (i + 1 < len && fmt[i + 1] == '%')
		{
			if (out)
				cel_strbuf_putc(out, '%');
			i += 2;
			continue;
		}
		(*clauses)++;
		if (ops->runtime && argi >= ops->nargs)
			return arena_printf(arena, "index %d out of range", argi);
		if (i + 1 >= len)
			return "unexpected end of string";
		if (argi >= ops->nargs)
			return arena_printf(arena, "index %d out of range", argi);
		j = i + 1;
		if (fmt[j] == '.')
		{
			size_t		dstart = ++j;
			size_t		ndig;
			uint64_t	p = 0;
			bool		overflow = false;

			while (true)
			{
				if (j >= len)
					return "could not parse formatting clause: error while parsing precision: could not find end of precision specifier";
				if (fmt[j] < '0' || fmt[j] > '9')
					break;
				if (p > (uint64_t) INT64_MAX / 10)
					overflow = true;
				else
					p = p * 10 + (uint64_t) (fmt[j] - '0');
				if (p > (uint64_t) INT64_MAX)
					overflow = true;
				j++;
			}
			ndig = j - dstart;
			if (ndig == 0)
				return "could not parse formatting clause: error while parsing precision: error while converting precision to integer: strconv.Atoi: parsing \"\": invalid syntax";
			if (overflow)
				return arena_printf(arena, "could not parse formatting clause: error while parsing precision: error while converting precision to integer: strconv.Atoi: parsing \"%.*s\": value out of range",
									(int) ndig, fmt + dstart);
			if (p > FORMAT_MAX_PRECISION)
				return arena_printf(arena, "could not parse formatting clause: error while parsing precision: precision %llu exceeds maximum allowed precision %d",
									(unsigned long long) p, FORMAT_MAX_PRECISION);
			precision = (int) p;
		}
		verb = fmt[j];
		switch (verb)
		{
			case 's':
			case 'd':
			case 'f':
			case 'e':
			case 'b':
			case 'x':
			case 'X':
			case 'o':
				break;
			default:
				{
					char		shown[4];
					int			n = cel_utf8_encode((unsigned char) verb, shown);

					return arena_printf(arena, "could not parse formatting clause: unrecognized formatting clause \"%.*s\"",
										n, shown);
				}
		}
		err = ops->clause(ops->state, verb, precision, argi);
		if (err)
			return arena_printf(arena, "error during formatting: %s", err);
		i = j + 1;
		argi++;
	}
	return NULL;
}

/* "<fmt>".format(args) at run time. */
CelValue
cel_strings_format(CelEvalContext *ctx, const char *fmt, size_t len,
				   const CelList *args)
{
	CelStrBuf	sb;
	RuntimeFormat rf;
	FormatOps	ops;
	int			clauses;
	const char *err;

	cel_strbuf_init(&sb, ctx);
	rf.sb = &sb;
	rf.args = args;
	ops.clause = runtime_clause;
	ops.state = &rf;
	ops.nargs = (int) (args->len > INT32_MAX ? INT32_MAX : args->len);
	ops.runtime = true;
	err = parse_format(ctx->arena, fmt, len, &sb, &ops, &clauses);
	if (err)
		return cel_error(ctx->arena, "%s", err);
	return cel_strbuf_string(&sb);
}

/* ---------- compile-time check ---------- */

typedef struct CheckFormat
{
	const CelAst *ast;
	Arena	   *arena;
	const int32_t *elems;		/* list literal element nodes */
	CelNodeRef	bad_node;
} CheckFormat;

/* The static type of a node, NULL meaning dyn. */
static const CelType *
node_type(const CelAst *ast, CelNodeRef n)
{
	const CelType *t;

	if (ast->types == NULL || n < 0 || n >= ast->nnodes)
		return NULL;
	t = ast->types[n];
	if (t == NULL || t->kind == CEL_T_DYN || t->kind == CEL_T_PARAM ||
		t->kind == CEL_T_ANY || t->kind == CEL_T_ERROR)
		return NULL;
	return t;
}

/* Whether node n's type is dyn or one of the given kinds. */
static bool
type_one_of(const CelAst *ast, CelNodeRef n, const CelTypeKind *kinds, int nk)
{
	const CelType *t = node_type(ast, n);

	if (t == NULL)
		return true;
	for (int i = 0; i < nk; i++)
		if (t->kind == kinds[i])
			return true;
	return false;
}

/* cel-go's verifyString: %s accepts most types, looking into literals. */
static bool
verify_string(const CelAst *ast, CelNodeRef n, CelNodeRef *bad, int depth)
{
	static const CelTypeKind ok[] = {
		CEL_T_LIST, CEL_T_MAP, CEL_T_INT, CEL_T_UINT, CEL_T_DOUBLE, CEL_T_BOOL,
		CEL_T_STRING, CEL_T_TIMESTAMP, CEL_T_BYTES, CEL_T_DURATION, CEL_T_TYPE,
		CEL_T_NULL
	};
	const CelExpr *e;

	if (!type_one_of(ast, n, ok, (int) (sizeof(ok) / sizeof(ok[0]))))
	{
		*bad = n;
		return false;
	}
	if (depth > FORMAT_MAX_DEPTH)
		return true;
	e = cel_ast_node(ast, n);
	if (e->kind == CEL_EXPR_LIST)
	{
		for (uint32_t i = 0; i < e->u.list.nelems; i++)
			if (!verify_string(ast, ast->args[e->u.list.elems + i], bad, depth + 1))
				return false;
	}
	else if (e->kind == CEL_EXPR_MAP)
	{
		for (uint32_t i = 0; i < 2 * e->u.map.nentries; i++)
			if (!verify_string(ast, ast->args[e->u.map.entries + i], bad, depth + 1))
				return false;
	}
	return true;
}

/* The type name of node n for messages. */
static const char *
node_type_name(const CelAst *ast, CelNodeRef n)
{
	const CelType *t = node_type(ast, n);

	return t ? cel_type_name(t) : "dyn";
}

/* Checks one clause against the literal's element type. */
static const char *
check_clause(void *state, char verb, int precision, int argi)
{
	static const CelTypeKind numeric[] = {CEL_T_INT, CEL_T_UINT, CEL_T_DOUBLE};
	static const CelTypeKind integral[] = {CEL_T_INT, CEL_T_UINT};
	static const CelTypeKind binary[] = {CEL_T_BOOL, CEL_T_INT, CEL_T_UINT};
	static const CelTypeKind hex[] = {CEL_T_INT, CEL_T_UINT, CEL_T_STRING, CEL_T_BYTES};
	CheckFormat *cf = (CheckFormat *) state;
	CelNodeRef	n = cf->elems[argi];
	const char *what = NULL;

	switch (verb)
	{
		case 's':
			{
				CelNodeRef	bad = n;

				if (verify_string(cf->ast, n, &bad, 0))
					return NULL;
				cf->bad_node = bad;
				return arena_printf(cf->arena, "string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given %s",
									node_type_name(cf->ast, bad));
			}
		case 'd':
			if (!type_one_of(cf->ast, n, numeric, 3))
				what = "decimal clause can only be used on ints, uints, and doubles";
			break;
		case 'f':
			if (!type_one_of(cf->ast, n, numeric, 3))
				what = "fixed-point clause can only be used on ints, uints, and doubles";
			break;
		case 'e':
			if (!type_one_of(cf->ast, n, numeric, 3))
				what = "scientific clause can only be used on ints, uints, and doubles";
			break;
		case 'b':
			if (!type_one_of(cf->ast, n, binary, 3))
				what = "only ints, uints, and bools can be formatted as binary";
			break;
		case 'o':
			if (!type_one_of(cf->ast, n, integral, 2))
				what = "octal clause can only be used on ints and uints";
			break;
		case 'x':
		case 'X':
			if (!type_one_of(cf->ast, n, hex, 4))
				what = "only ints, uints, bytes, and strings can be formatted as hex";
			break;
	}
	if (what == NULL)
		return NULL;
	cf->bad_node = n;
	return arena_printf(cf->arena, "%s, was given %s", what,
						node_type_name(cf->ast, n));
}

/* The checker's validation of a literal format call (see cel_strings.h). */
bool
cel_strings_check_format(const CelAst *ast, CelNodeRef call, Arena *arena,
						 CelNodeRef *node, const char **message)
{
	const CelExpr *e = cel_ast_node(ast, call);
	const CelExpr *target;
	const CelExpr *list;
	CheckFormat cf;
	FormatOps	ops;
	int			clauses;
	const char *err;

	if (e->kind != CEL_EXPR_CALL || e->u.call.target == CEL_NO_NODE ||
		e->u.call.nargs != 1 ||
		strcmp(cel_ast_str(ast, e->u.call.function), "format") != 0)
		return true;
	target = cel_ast_node(ast, e->u.call.target);
	if (target->kind != CEL_EXPR_CONST ||
		target->u.constant.kind != CEL_CONST_STRING)
		return true;
	list = cel_ast_node(ast, ast->args[e->u.call.args]);
	if (list->kind != CEL_EXPR_LIST)
		return true;

	cf.ast = ast;
	cf.arena = arena;
	cf.elems = ast->args + list->u.list.elems;
	cf.bad_node = call;
	ops.clause = check_clause;
	ops.state = &cf;
	ops.nargs = (int) list->u.list.nelems;
	ops.runtime = false;
	err = parse_format(arena, cel_ast_str(ast, target->u.constant.u.str.off),
					   target->u.constant.u.str.len, NULL, &ops, &clauses);
	if (err)
	{
		*node = cf.bad_node;
		*message = err;
		return false;
	}
	if ((int) list->u.list.nelems > clauses)
	{
		*node = call;
		*message = arena_printf(arena, "too many arguments supplied to string.format (expected %d, got %d)",
								clauses, (int) list->u.list.nelems);
		return false;
	}
	return true;
}
