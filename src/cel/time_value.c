/*
 * time_value.c — reading, printing and combining timestamps and durations
 * exactly as cel-go v0.30 does on top of Go's time package.
 *
 * Three Go behaviours are reproduced here rather than approximated:
 *   - timestamp(string): Cerbos first checks the RFC 3339 shape (failing with
 *     "invalid RFC 3339 timestamp %q"), then Go's time.Parse(RFC3339) applies
 *     its stricter rules (real day of month, no second 60, upper-case T and
 *     Z), failing with cel-go's conversion error; last comes cel-go's range
 *     check.  The text's UTC offset is kept for printing, as Go keeps the
 *     zone in time.Time.
 *   - duration(string): Go's time.ParseDuration, digit by digit, with its
 *     overflow rules and its float64 handling of fractions.
 *   - string(duration): Go formats d.Seconds() (a float64!) with
 *     FormatFloat('f', -1), so large durations lose their last digits
 *     ("9223372036.854776s"); we do the same shortest round-trip printing.
 * Arithmetic follows cel-go's overflow.go: seconds and nanoseconds are
 * combined separately with checked int64 operations.
 */
#include "cel_time.h"
#include "cel_goquote.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NANOS_PER_SEC INT64_C(1000000000)

/* ---------- calendar arithmetic ---------- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		era;
	int64_t		yoe;
	int64_t		doy;
	int64_t		doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Whether year is a leap year (Go's rule, so year 0 is one). */
static bool
is_leap(int64_t year)
{
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

/* Days in a month of a year. */
static int
days_in_month(int month, int64_t year)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month == 2 && is_leap(year))
		return 29;
	return days[month - 1];
}

/* Splits seconds since the epoch (local time already applied) into fields. */
void
cel_civil_from_unix(int64_t sec, int32_t nsec, CelCivilTime *out)
{
	int64_t		days = sec / 86400;
	int64_t		rem = sec % 86400;
	int64_t		z;
	int64_t		era;
	int64_t		doe;
	int64_t		yoe;
	int64_t		doy;
	int64_t		mp;
	int64_t		y;
	int			m;

	if (rem < 0)
	{
		rem += 86400;
		days--;
	}
	out->hour = (int) (rem / 3600);
	out->minute = (int) (rem % 3600 / 60);
	out->second = (int) (rem % 60);
	out->nsec = nsec;
	/* 1970-01-01 was a Thursday */
	out->wday = (int) (((days % 7) + 11) % 7);

	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	out->day = (int) (doy - (153 * mp + 2) / 5 + 1);
	m = (int) (mp < 10 ? mp + 3 : mp - 9);
	out->month = m;
	out->year = y + (m <= 2);
	out->yday = (int) (days - days_from_civil(out->year, 1, 1) + 1);
}

/* ---------- timestamps: parsing ---------- */

/* Reads n ASCII digits at s; false if any is not a digit. */
static bool
read_digits(const char *s, int n, int *value)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*value = v;
	return true;
}

/* Parses an RFC 3339 timestamp; see cel_time.h for the result codes. */
int
cel_timestamp_parse_raw(const char *s, size_t len, int64_t *sec_out,
						int32_t *nsec_out, int32_t *offset_out)
{
	int			year, month, day, hour, minute, second;
	int			oh = 0, om = 0;
	int32_t		nsec = 0;
	int32_t		offset = 0;
	size_t		p;
	bool		lower_t, lower_z = false;
	int64_t		sec;

	/* the shape: YYYY-MM-DDThh:mm:ss[.f+](Z|±hh:mm) with field ranges */
	if (len < 20 ||
		!read_digits(s, 4, &year) || s[4] != '-' ||
		!read_digits(s + 5, 2, &month) || s[7] != '-' ||
		!read_digits(s + 8, 2, &day) || (s[10] != 'T' && s[10] != 't') ||
		!read_digits(s + 11, 2, &hour) || s[13] != ':' ||
		!read_digits(s + 14, 2, &minute) || s[16] != ':' ||
		!read_digits(s + 17, 2, &second))
		return 1;
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
		minute > 59 || second > 60)
		return 1;
	lower_t = s[10] == 't';
	p = 19;
	if (p < len && s[p] == '.')
	{
		size_t		start = ++p;

		while (p < len && s[p] >= '0' && s[p] <= '9')
		{
			/* Go keeps the first nine digits and ignores the rest */
			if (p - start < 9)
				nsec = nsec * 10 + (s[p] - '0');
			p++;
		}
		if (p == start)
			return 1;
		for (size_t k = p - start; k < 9; k++)
			nsec *= 10;
	}
	if (p < len && (s[p] == 'Z' || s[p] == 'z'))
	{
		lower_z = s[p] == 'z';
		p++;
	}
	else if (p + 6 == len && (s[p] == '+' || s[p] == '-') &&
			 read_digits(s + p + 1, 2, &oh) && s[p + 3] == ':' &&
			 read_digits(s + p + 4, 2, &om))
	{
		if (oh > 23 || om > 59)
			return 1;
		offset = (oh * 60 + om) * 60;
		if (s[p] == '-')
			offset = -offset;
		p += 6;
	}
	else
		return 1;
	if (p != len)
		return 1;

	/* Go's time.Parse: exact calendar, upper-case separators */
	if (lower_t || lower_z || second > 59 || day > days_in_month(month, year))
		return 2;

	sec = days_from_civil(year, month, day) * 86400 +
		hour * 3600 + minute * 60 + second - offset;
	if (sec < CEL_TS_MIN_SEC || sec > CEL_TS_MAX_SEC)
		return 3;
	*sec_out = sec;
	*nsec_out = nsec;
	*offset_out = offset;
	return 0;
}

/* timestamp(string) with cel-go's runtime errors. */
CelValue
cel_timestamp_parse(Arena *arena, const char *s, size_t len)
{
	int64_t		sec = 0;
	int32_t		nsec = 0;
	int32_t		offset = 0;

	switch (cel_timestamp_parse_raw(s, len, &sec, &nsec, &offset))
	{
		case 0:
			return cel_timestamp_at(sec, nsec, offset);
		case 1:
			{
				const char *q = cel_go_quote(arena, s, len);

				return cel_error(arena, "invalid RFC 3339 timestamp %s",
								 q ? q : "\"\"");
			}
		case 2:
			return cel_error(arena, "type conversion error from 'string' to "
							 "'google.protobuf.Timestamp'");
		default:
			return cel_error(arena, "timestamp overflow");
	}
}

/* timestamp(int) with cel-go's range check. */
CelValue
cel_timestamp_from_unix(Arena *arena, int64_t sec)
{
	if (sec < CEL_TS_MIN_SEC || sec > CEL_TS_MAX_SEC)
		return cel_error(arena, "timestamp overflow");
	return cel_timestamp(sec, 0);
}

/* ---------- timestamps: printing ---------- */

/* Go's RFC3339Nano rendering of an instant in a fixed offset. */
size_t
cel_timestamp_format_buf(char *buf, int64_t sec, int32_t nsec, int32_t offset)
{
	CelCivilTime c;
	size_t		n;

	cel_civil_from_unix(sec + offset, nsec, &c);
	if (c.year < 0)
		n = (size_t) sprintf(buf, "-%04lld", (long long) -c.year);
	else
		n = (size_t) sprintf(buf, "%04lld", (long long) c.year);
	n += (size_t) sprintf(buf + n, "-%02d-%02dT%02d:%02d:%02d",
						  c.month, c.day, c.hour, c.minute, c.second);
	if (nsec > 0)
	{
		char		frac[16];
		int			k;

		sprintf(frac, "%09d", (int) nsec);
		for (k = 9; k > 0 && frac[k - 1] == '0'; k--)
			;
		frac[k] = '\0';
		n += (size_t) sprintf(buf + n, ".%s", frac);
	}
	if (offset == 0)
		buf[n++] = 'Z';
	else
	{
		int32_t		a = offset < 0 ? -offset : offset;

		n += (size_t) sprintf(buf + n, "%c%02d:%02d", offset < 0 ? '-' : '+',
							  (int) (a / 3600), (int) (a / 60 % 60));
	}
	buf[n] = '\0';
	return n;
}

/* string(timestamp) into the arena. */
char *
cel_timestamp_format(Arena *arena, CelValue ts)
{
	char		buf[64];
	size_t		n = cel_timestamp_format_buf(buf, ts.u.ts.sec, ts.u.ts.nsec,
											 ts.u.ts.offset);

	return arena_strndup(arena, buf, n);
}

/* ---------- durations: parsing (Go's time.ParseDuration) ---------- */

/* Go's unit table: the nanoseconds in one unit, 0 if unknown. */
static uint64_t
duration_unit(const char *u, size_t n)
{
	if (n == 2 && memcmp(u, "ns", 2) == 0)
		return 1;
	if ((n == 2 && memcmp(u, "us", 2) == 0) ||
		(n == 3 && memcmp(u, "\xC2\xB5s", 3) == 0) ||	/* U+00B5 micro sign */
		(n == 3 && memcmp(u, "\xCE\xBCs", 3) == 0))	/* U+03BC mu */
		return 1000;
	if (n == 2 && memcmp(u, "ms", 2) == 0)
		return 1000000;
	if (n == 1 && u[0] == 's')
		return 1000000000;
	if (n == 1 && u[0] == 'm')
		return UINT64_C(60000000000);
	if (n == 1 && u[0] == 'h')
		return UINT64_C(3600000000000);
	return 0;
}

/* Sets *err to a Go time-package message quoting parts of the input. */
static void
duration_error(Arena *arena, const char **err, const char *what,
			   const char *unit, size_t unit_len, const char *s, size_t len)
{
	const char *q;

	if (!err)
		return;
	*err = NULL;
	if (!arena)
		return;
	q = cel_go_quote(arena, s, len);
	if (unit)
	{
		const char *qu = cel_go_quote(arena, unit, unit_len);

		*err = arena_printf(arena, "time: unknown unit %s in duration %s",
							qu ? qu : "", q ? q : "");
	}
	else
		*err = arena_printf(arena, "time: %s %s", what, q ? q : "");
}

/* Go's time.ParseDuration over s[0..len). */
bool
cel_duration_parse_raw(Arena *arena, const char *s, size_t len,
					   int64_t *nanos, const char **go_error)
{
	const char *orig = s;
	size_t		orig_len = len;
	const uint64_t limit = UINT64_C(1) << 63;
	uint64_t	d = 0;
	bool		neg = false;
	size_t		i = 0;

	if (len > 0 && (s[0] == '-' || s[0] == '+'))
	{
		neg = s[0] == '-';
		i = 1;
	}
	if (len - i == 1 && s[i] == '0')
	{
		*nanos = 0;
		return true;
	}
	if (i == len)
		goto invalid;
	while (i < len)
	{
		uint64_t	v = 0;
		uint64_t	f = 0;
		double		scale = 1;
		bool		pre = false;
		bool		post = false;
		bool		overflow = false;
		size_t		ustart;
		uint64_t	unit;

		if (!(s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
			goto invalid;
		/* leading integer, failing on overflow */
		while (i < len && s[i] >= '0' && s[i] <= '9')
		{
			if (v > limit / 10)
				goto invalid;
			v = v * 10 + (uint64_t) (s[i] - '0');
			if (v > limit)
				goto invalid;
			i++;
			pre = true;
		}
		/* fraction, silently dropping precision on overflow */
		if (i < len && s[i] == '.')
		{
			i++;
			while (i < len && s[i] >= '0' && s[i] <= '9')
			{
				post = true;
				if (!overflow)
				{
					if (f > (limit - 1) / 10)
						overflow = true;
					else
					{
						uint64_t	y = f * 10 + (uint64_t) (s[i] - '0');

						if (y > limit)
							overflow = true;
						else
						{
							f = y;
							scale *= 10;
						}
					}
				}
				i++;
			}
		}
		if (!pre && !post)
			goto invalid;
		ustart = i;
		while (i < len && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9'))
			i++;
		if (i == ustart)
		{
			duration_error(arena, go_error, "missing unit in duration", NULL, 0,
						   orig, orig_len);
			return false;
		}
		unit = duration_unit(s + ustart, i - ustart);
		if (unit == 0)
		{
			duration_error(arena, go_error, NULL, s + ustart, i - ustart,
						   orig, orig_len);
			return false;
		}
		if (v > limit / unit)
			goto invalid;
		v *= unit;
		if (f > 0)
		{
			v += (uint64_t) ((double) f * ((double) unit / scale));
			if (v > limit)
				goto invalid;
		}
		d += v;
		if (d > limit)
			goto invalid;
	}
	if (neg)
	{
		*nanos = (int64_t) (0 - d);
		return true;
	}
	if (d > limit - 1)
		goto invalid;
	*nanos = (int64_t) d;
	return true;

invalid:
	duration_error(arena, go_error, "invalid duration", NULL, 0, orig, orig_len);
	return false;
}

/* duration(string) with cel-go's runtime error. */
CelValue
cel_duration_parse(Arena *arena, const char *s, size_t len)
{
	int64_t		nanos;

	if (!cel_duration_parse_raw(NULL, s, len, &nanos, NULL))
		return cel_error(arena, "type conversion error from 'string' to "
						 "'google.protobuf.Duration'");
	return cel_duration(nanos);
}

/* ---------- durations: printing ---------- */

/* Go's FormatFloat(d, 'f', -1, 64): shortest round-trip digits, no exponent. */
size_t
cel_format_double_f(char *buf, double d)
{
	char		tmp[40];
	char		digits[24];
	int			ndigits = 0;
	int			exp10;
	int			prec;
	size_t		n = 0;
	char	   *e;

	if (isnan(d))
		return (size_t) sprintf(buf, "NaN");
	if (isinf(d))
		return (size_t) sprintf(buf, d > 0 ? "+Inf" : "-Inf");
	if (d == 0)
		return (size_t) sprintf(buf, signbit(d) ? "-0" : "0");

	for (prec = 1; prec <= 17; prec++)
	{
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* tmp is [-]D[.DDD]e±XX */
	e = strchr(tmp, 'e');
	exp10 = atoi(e + 1);
	for (char *c = tmp; c < e; c++)
		if (*c >= '0' && *c <= '9')
			digits[ndigits++] = *c;
	while (ndigits > 1 && digits[ndigits - 1] == '0')
		ndigits--;

	if (d < 0)
		buf[n++] = '-';
	/* the decimal point goes after digit number exp10 + 1 */
	if (exp10 < 0)
	{
		buf[n++] = '0';
		buf[n++] = '.';
		for (int k = 0; k < -exp10 - 1; k++)
			buf[n++] = '0';
		memcpy(buf + n, digits, ndigits);
		n += ndigits;
	}
	else
	{
		for (int k = 0; k <= exp10; k++)
			buf[n++] = k < ndigits ? digits[k] : '0';
		if (ndigits > exp10 + 1)
		{
			buf[n++] = '.';
			memcpy(buf + n, digits + exp10 + 1, ndigits - exp10 - 1);
			n += ndigits - exp10 - 1;
		}
	}
	buf[n] = '\0';
	return n;
}

/* string(duration) into buf: Go's d.Seconds() printed shortest, plus "s". */
size_t
cel_duration_format_buf(char *buf, int64_t nanos)
{
	double		seconds = (double) (nanos / NANOS_PER_SEC) +
		(double) (nanos % NANOS_PER_SEC) / 1e9;
	size_t		n = cel_format_double_f(buf, seconds);

	buf[n++] = 's';
	buf[n] = '\0';
	return n;
}

/* string(duration) into the arena. */
char *
cel_duration_format(Arena *arena, int64_t nanos)
{
	char		buf[64];
	size_t		n = cel_duration_format_buf(buf, nanos);

	return arena_strndup(arena, buf, n);
}

/* ---------- checked arithmetic ---------- */

/* a + b, false on int64 overflow. */
static bool
add_i64(int64_t a, int64_t b, int64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

/* timestamp + duration as cel-go's addTimeDurationChecked. */
CelValue
cel_timestamp_add(Arena *arena, CelValue ts, int64_t nanos)
{
	int64_t		sec;
	int64_t		nsec = ts.u.ts.nsec + nanos % NANOS_PER_SEC;

	if (!add_i64(ts.u.ts.sec, nanos / NANOS_PER_SEC, &sec))
		return cel_error(arena, "integer overflow");
	if (nsec < 0 || nsec >= NANOS_PER_SEC)
	{
		if (!add_i64(sec, nsec / NANOS_PER_SEC, &sec))
			return cel_error(arena, "integer overflow");
		nsec -= nsec / NANOS_PER_SEC * NANOS_PER_SEC;
		if (nsec < 0)
		{
			if (!add_i64(sec, -1, &sec))
				return cel_error(arena, "integer overflow");
			nsec += NANOS_PER_SEC;
		}
	}
	if (sec < CEL_TS_MIN_SEC || sec > CEL_TS_MAX_SEC)
		return cel_error(arena, "timestamp overflow");
	return cel_timestamp_at(sec, (int32_t) nsec, ts.u.ts.offset);
}

/* timestamp - duration: add the negation, which itself may overflow. */
CelValue
cel_timestamp_sub_duration(Arena *arena, CelValue ts, int64_t nanos)
{
	if (nanos == INT64_MIN)
		return cel_error(arena, "integer overflow");
	return cel_timestamp_add(arena, ts, -nanos);
}

/* timestamp - timestamp as cel-go's subtractTimeChecked. */
CelValue
cel_timestamp_diff(Arena *arena, CelValue a, CelValue b)
{
	int64_t		sec;
	int64_t		tsec;
	int64_t		val;

	if (__builtin_sub_overflow(a.u.ts.sec, b.u.ts.sec, &sec) ||
		__builtin_mul_overflow(sec, NANOS_PER_SEC, &tsec) ||
		!add_i64(tsec, (int64_t) a.u.ts.nsec - b.u.ts.nsec, &val))
		return cel_error(arena, "integer overflow");
	return cel_duration(val);
}

/* duration + duration. */
CelValue
cel_duration_add(Arena *arena, int64_t a, int64_t b)
{
	int64_t		r;

	if (!add_i64(a, b, &r))
		return cel_error(arena, "integer overflow");
	return cel_duration(r);
}

/* duration - duration. */
CelValue
cel_duration_sub(Arena *arena, int64_t a, int64_t b)
{
	int64_t		r;

	if (__builtin_sub_overflow(a, b, &r))
		return cel_error(arena, "integer overflow");
	return cel_duration(r);
}

/* -duration. */
CelValue
cel_duration_negate(Arena *arena, int64_t a)
{
	if (a == INT64_MIN)
		return cel_error(arena, "integer overflow");
	return cel_duration(-a);
}

/* Orders two timestamps by instant. */
int
cel_timestamp_compare(CelValue a, CelValue b)
{
	if (a.u.ts.sec != b.u.ts.sec)
		return a.u.ts.sec < b.u.ts.sec ? -1 : 1;
	if (a.u.ts.nsec != b.u.ts.nsec)
		return a.u.ts.nsec < b.u.ts.nsec ? -1 : 1;
	return 0;
}
