/*
 * cel_time.h — timestamps and durations as cel-go (v0.30, Go's time package)
 * parses, prints and combines them.
 *
 * A CEL timestamp is a UTC instant (sec since the Unix epoch, nsec in
 * 0..999999999) plus the UTC offset it was written with: cel-go keeps the
 * Go time.Time's zone, so string(timestamp('2009-02-13T23:31:30+01:00'))
 * prints "+01:00" again, while comparisons and the get*() accessors (without
 * a time-zone argument) only look at the instant.  The offset lives in
 * CelValue.u.ts.offset (seconds east of UTC, 0 for timestamps made any
 * other way).  A CEL duration is a Go time.Duration: int64 nanoseconds.
 *
 * Valid timestamps lie in 0001-01-01T00:00:00Z ..
 * 9999-12-31T23:59:59.999999999Z (CEL_TS_MIN_SEC .. CEL_TS_MAX_SEC).
 *
 * Every function that can fail returns a CEL error value worded as
 * cel-go/Cerbos 0.55 words it at runtime (checked against the real
 * binary): "timestamp overflow", "integer overflow", "invalid RFC 3339
 * timestamp \"...\"", "type conversion error from 'string' to
 * 'google.protobuf.Timestamp'", "unknown time zone X", ...
 */
#ifndef AUTHZ_CEL_TIME_H
#define AUTHZ_CEL_TIME_H

#include "cel_func.h"

#define CEL_TS_MIN_SEC INT64_C(-62135596800)	/* 0001-01-01T00:00:00Z */
#define CEL_TS_MAX_SEC INT64_C(253402300799)	/* 9999-12-31T23:59:59Z */

/* A timestamp that remembers the UTC offset (seconds east) it was written in. */
static inline CelValue
cel_timestamp_at(int64_t sec, int32_t nsec, int32_t offset)
{
	CelValue	v = cel_timestamp(sec, nsec);

	v.u.ts.offset = offset;
	return v;
}

/* ---------- text <-> value ---------- */

/*
 * timestamp(string): RFC 3339 as cel-go reads it — "YYYY-MM-DDThh:mm:ss",
 * optional fraction (any number of digits, truncated to nanoseconds), then
 * "Z", "z" or "±hh:mm".  Malformed text gives
 * `invalid RFC 3339 timestamp "<text>"`, an impossible date (Feb 30,
 * second 60) gives "type conversion error from 'string' to
 * 'google.protobuf.Timestamp'", and an instant outside years 1..9999 (after
 * applying the offset) gives "timestamp overflow".
 */
extern CelValue cel_timestamp_parse(Arena *arena, const char *s, size_t len);

/*
 * The same parse without error values, for callers that need only a yes/no
 * (the checker validating literals, typed JSON decoding).  Returns 0 on
 * success, 1 malformed, 2 impossible date, 3 out of range.
 */
extern int	cel_timestamp_parse_raw(const char *s, size_t len, int64_t *sec,
									int32_t *nsec, int32_t *offset);

/*
 * string(timestamp): Go's RFC3339Nano in the timestamp's own offset —
 * "2009-02-13T23:31:30.5+01:00", fraction trimmed of trailing zeros and
 * omitted when zero, "Z" for offset 0.  NUL-terminated, in the arena
 * (NULL if the arena fails).
 */
extern char *cel_timestamp_format(Arena *arena, CelValue ts);

/* Formats into buf (at least 40 bytes); returns the length. */
extern size_t cel_timestamp_format_buf(char *buf, int64_t sec, int32_t nsec,
									   int32_t offset);

/*
 * timestamp(int): seconds since the epoch, "timestamp overflow" outside
 * the valid range.
 */
extern CelValue cel_timestamp_from_unix(Arena *arena, int64_t sec);

/*
 * duration(string): Go's time.ParseDuration — optional sign, then one or
 * more <number><unit> with units ns us µs μs ms s m h, decimal fractions,
 * "0" alone allowed; any failure (including int64 overflow) gives
 * "type conversion error from 'string' to 'google.protobuf.Duration'" as
 * cel-go reports it.
 */
extern CelValue cel_duration_parse(Arena *arena, const char *s, size_t len);

/*
 * The same parse without error values.  Returns true on success; on failure
 * sets *go_error (if not NULL) to Go's own message ("time: invalid duration
 * \"1x\""...) allocated in arena (may be NULL: then *go_error is NULL).
 */
extern bool cel_duration_parse_raw(Arena *arena, const char *s, size_t len,
								   int64_t *nanos, const char **go_error);

/*
 * string(duration): Go's strconv.FormatFloat(d.Seconds(), 'f', -1, 64) +
 * "s": "1.5s", "0s", "-0.000000001s", "9223372036.854776s".
 * NUL-terminated, in the arena (NULL if the arena fails).
 */
extern char *cel_duration_format(Arena *arena, int64_t nanos);

/* Formats into buf (at least 48 bytes); returns the length. */
extern size_t cel_duration_format_buf(char *buf, int64_t nanos);

/*
 * Go's strconv.FormatFloat(d, 'f', -1, 64): the shortest decimal that reads
 * back as d, never in exponent form ("1e+21" is "1000000000000000000000").
 * buf must hold at least 352 bytes; returns the length.  NaN/Inf are
 * written "NaN", "+Inf", "-Inf" as Go does.
 */
extern size_t cel_format_double_f(char *buf, double d);

/* ---------- checked arithmetic (cel-go's overflow.go semantics) ---------- */

/* timestamp + duration (either order): "timestamp overflow" outside the
 * range; the result keeps the timestamp's offset. */
extern CelValue cel_timestamp_add(Arena *arena, CelValue ts, int64_t nanos);

/* timestamp - duration: as add of the negation ("integer overflow" when
 * the duration is the most negative int64). */
extern CelValue cel_timestamp_sub_duration(Arena *arena, CelValue ts,
										   int64_t nanos);

/* timestamp - timestamp: a duration, "integer overflow" beyond int64 ns. */
extern CelValue cel_timestamp_diff(Arena *arena, CelValue a, CelValue b);

/* duration ± duration and -duration: "integer overflow" beyond int64. */
extern CelValue cel_duration_add(Arena *arena, int64_t a, int64_t b);
extern CelValue cel_duration_sub(Arena *arena, int64_t a, int64_t b);
extern CelValue cel_duration_negate(Arena *arena, int64_t a);

/* -1, 0 or 1 comparing two timestamps' instants (offsets are ignored). */
extern int	cel_timestamp_compare(CelValue a, CelValue b);

/* ---------- calendar fields and time zones (time_zone.c) ---------- */

/* A broken-down local time, as Go's time.Time accessors see it. */
typedef struct CelCivilTime
{
	int64_t		year;
	int			month;			/* 1..12 */
	int			day;			/* 1..31 */
	int			yday;			/* 1..366 */
	int			wday;			/* 0 = Sunday */
	int			hour;
	int			minute;
	int			second;
	int32_t		nsec;
} CelCivilTime;

/* Splits sec (already shifted by any UTC offset) into calendar fields. */
extern void cel_civil_from_unix(int64_t sec, int32_t nsec, CelCivilTime *out);

/*
 * The UTC offset (seconds east) of a cel-go time-zone argument at instant
 * sec: "" / "UTC" -> 0, "Local" -> 0 (authz treats the server as UTC),
 * names containing ':' are cel-go's "±hh:mm" offsets (parsed as cel-go does,
 * with strconv.Atoi's errors), anything else an IANA name read from the
 * system's TZif files (cached per process).  On failure returns false and
 * sets *error to cel-go's message (static or in arena).
 */
extern bool cel_zone_offset(Arena *arena, const char *tz, size_t len,
							int64_t sec, int64_t *offset, const char **error);

#endif							/* AUTHZ_CEL_TIME_H */
