/*
 * time.c — CEL's timestamp and duration accessors (cel-go v0.30's standard
 * library "get*" member functions).
 *
 * Timestamp accessors read the calendar fields of the instant in UTC, or in
 * the zone named by their optional argument (see cel_zone_offset); the
 * offset a timestamp was written with plays no part, as in cel-go.  Month,
 * day of month (getDayOfMonth) and day of year are 0-based, getDate is
 * 1-based, Sunday is day 0 of the week.
 *
 * Duration accessors reproduce Go's time.Duration methods, which go through
 * float64 (Hours(), Minutes(), Seconds()) before cel-go truncates to int, so
 * the rounding of very large durations matches too.
 *
 * Parsing, printing and arithmetic live in time_value.c; zones in
 * time_zone.c; the declarations shared with std.c in cel_time.h.
 */
#include "cel_time.h"

#include <string.h>

typedef enum TimeField
{
	TF_YEAR,
	TF_MONTH,
	TF_DAY_OF_YEAR,
	TF_DAY_OF_MONTH,
	TF_DATE,
	TF_DAY_OF_WEEK,
	TF_HOURS,
	TF_MINUTES,
	TF_SECONDS,
	TF_MILLISECONDS
} TimeField;

/* One calendar field of a timestamp, in UTC or in args[1]'s zone. */
static CelValue
timestamp_field(CelEvalContext *ctx, const CelValue *args, int nargs,
				TimeField field)
{
	int64_t		sec = args[0].u.ts.sec;
	int64_t		offset = 0;
	CelCivilTime c;

	if (nargs > 1)
	{
		const char *error = NULL;

		if (args[1].kind != CEL_VAL_STRING)
			return cel_error_no_such_overload(ctx->arena, NULL);
		if (!cel_zone_offset(ctx->arena, args[1].u.str.ptr, args[1].u.str.len,
							 sec, &offset, &error))
			return cel_error(ctx->arena, "%s", error ? error : "unknown time zone");
	}
	/* Go's arithmetic on absurd offsets wraps rather than failing */
	cel_civil_from_unix((int64_t) ((uint64_t) sec + (uint64_t) offset),
						args[0].u.ts.nsec, &c);
	switch (field)
	{
		case TF_YEAR:
			return cel_int(c.year);
		case TF_MONTH:
			return cel_int(c.month - 1);
		case TF_DAY_OF_YEAR:
			return cel_int(c.yday - 1);
		case TF_DAY_OF_MONTH:
			return cel_int(c.day - 1);
		case TF_DATE:
			return cel_int(c.day);
		case TF_DAY_OF_WEEK:
			return cel_int(c.wday);
		case TF_HOURS:
			return cel_int(c.hour);
		case TF_MINUTES:
			return cel_int(c.minute);
		case TF_SECONDS:
			return cel_int(c.second);
		case TF_MILLISECONDS:
			return cel_int(c.nsec / 1000000);
	}
	return cel_int(0);
}

#define TS_ACCESSOR(fn, field) \
	static CelValue \
	fn(CelEvalContext *ctx, const CelValue *args, int nargs) \
	{ \
		return timestamp_field(ctx, args, nargs, field); \
	}

TS_ACCESSOR(ts_year, TF_YEAR)
TS_ACCESSOR(ts_month, TF_MONTH)
TS_ACCESSOR(ts_day_of_year, TF_DAY_OF_YEAR)
TS_ACCESSOR(ts_day_of_month, TF_DAY_OF_MONTH)
TS_ACCESSOR(ts_date, TF_DATE)
TS_ACCESSOR(ts_day_of_week, TF_DAY_OF_WEEK)
TS_ACCESSOR(ts_hours, TF_HOURS)
TS_ACCESSOR(ts_minutes, TF_MINUTES)
TS_ACCESSOR(ts_seconds, TF_SECONDS)
TS_ACCESSOR(ts_milliseconds, TF_MILLISECONDS)

/* Go's float64 view of a duration in units, truncated as cel-go's Int(). */
static int64_t
duration_in(int64_t d, int64_t unit)
{
	int64_t		whole = d / unit;
	int64_t		rest = d % unit;

	return (int64_t) ((double) whole + (double) rest / (double) unit);
}

/* duration.getHours(): int(d.Hours()). */
static CelValue
dur_hours(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(duration_in(args[0].u.dur, INT64_C(3600000000000)));
}

/* duration.getMinutes(): int(d.Minutes()). */
static CelValue
dur_minutes(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(duration_in(args[0].u.dur, INT64_C(60000000000)));
}

/* duration.getSeconds(): int(d.Seconds()). */
static CelValue
dur_seconds(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(duration_in(args[0].u.dur, INT64_C(1000000000)));
}

/* duration.getMilliseconds(): d.Milliseconds(), exact integer division. */
static CelValue
dur_milliseconds(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(args[0].u.dur / 1000000);
}

static const CelOverload time_overloads[] = {
	{"timestamp_to_year", "timestamp.getFullYear() -> int", ts_year, 0},
	{"timestamp_to_year_with_tz", "timestamp.getFullYear(string) -> int", ts_year, 0},
	{"timestamp_to_month", "timestamp.getMonth() -> int", ts_month, 0},
	{"timestamp_to_month_with_tz", "timestamp.getMonth(string) -> int", ts_month, 0},
	{"timestamp_to_day_of_year", "timestamp.getDayOfYear() -> int", ts_day_of_year, 0},
	{"timestamp_to_day_of_year_with_tz", "timestamp.getDayOfYear(string) -> int", ts_day_of_year, 0},
	{"timestamp_to_day_of_month", "timestamp.getDayOfMonth() -> int", ts_day_of_month, 0},
	{"timestamp_to_day_of_month_with_tz", "timestamp.getDayOfMonth(string) -> int", ts_day_of_month, 0},
	{"timestamp_to_day_of_month_1_based", "timestamp.getDate() -> int", ts_date, 0},
	{"timestamp_to_day_of_month_1_based_with_tz", "timestamp.getDate(string) -> int", ts_date, 0},
	{"timestamp_to_day_of_week", "timestamp.getDayOfWeek() -> int", ts_day_of_week, 0},
	{"timestamp_to_day_of_week_with_tz", "timestamp.getDayOfWeek(string) -> int", ts_day_of_week, 0},
	{"timestamp_to_hours", "timestamp.getHours() -> int", ts_hours, 0},
	{"timestamp_to_hours_with_tz", "timestamp.getHours(string) -> int", ts_hours, 0},
	{"duration_to_hours", "duration.getHours() -> int", dur_hours, 0},
	{"timestamp_to_minutes", "timestamp.getMinutes() -> int", ts_minutes, 0},
	{"timestamp_to_minutes_with_tz", "timestamp.getMinutes(string) -> int", ts_minutes, 0},
	{"duration_to_minutes", "duration.getMinutes() -> int", dur_minutes, 0},
	{"timestamp_to_seconds", "timestamp.getSeconds() -> int", ts_seconds, 0},
	{"timestamp_to_seconds_with_tz", "timestamp.getSeconds(string) -> int", ts_seconds, 0},
	{"duration_to_seconds", "duration.getSeconds() -> int", dur_seconds, 0},
	{"timestamp_to_milliseconds", "timestamp.getMilliseconds() -> int", ts_milliseconds, 0},
	{"timestamp_to_milliseconds_with_tz", "timestamp.getMilliseconds(string) -> int", ts_milliseconds, 0},
	{"duration_to_milliseconds", "duration.getMilliseconds() -> int", dur_milliseconds, 0},
};

const CelLibrary cel_lib_time = {
	"time", time_overloads,
	(int) (sizeof(time_overloads) / sizeof(time_overloads[0]))
};
