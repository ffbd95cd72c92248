/*
 * time_zone.c — the UTC offset of a cel-go time-zone argument at an instant.
 *
 * cel-go accepts three kinds of zone in getHours('...') and friends:
 *   - "" / "UTC" / "Local" (Go's special names; authz runs its backends as
 *     UTC, so Local is UTC too),
 *   - anything containing ':' as a numeric offset "±hh:mm", read with two
 *     strconv.Atoi calls and no range checks (so "+05:99" is 6h39m east),
 *   - an IANA name, which Go loads from the system zoneinfo files.
 *
 * IANA zones are read here from TZif files under /usr/share/zoneinfo (the
 * 64-bit v2+ section), then kept for the life of the process in a small
 * cache (names that failed are cached too, so a bad name costs one open).
 * The cache is process-global and not thread-safe, which suits PostgreSQL
 * backends and the single-threaded tests and fuzzers.
 * Instants after the last transition use the file's POSIX TZ footer rule,
 * as Go does (modern "slim" files stop their transitions early).  Instants
 * before the first transition use the zone Go's lookupFirstZone picks.
 */
#include "cel_time.h"
#include "cel_goquote.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZONE_DIR "/usr/share/zoneinfo/"
#define ZONE_CACHE_MAX 128
#define ZONE_FILE_MAX (256 * 1024)

/* One POSIX TZ rule date ("Jn", "n" or "Mm.w.d") and time of day. */
typedef struct TzRule
{
	char		kind;			/* 'J', 'D' (day of year) or 'M' */
	int			day;
	int			week;
	int			mon;
	int			time;			/* seconds after local midnight */
} TzRule;

/* A parsed POSIX TZ string (the TZif footer). */
typedef struct TzExtend
{
	bool		valid;
	bool		has_dst;
	int			std_offset;		/* seconds east */
	int			dst_offset;
	TzRule		start;
	TzRule		end;
} TzExtend;

/* A loaded IANA zone. */
typedef struct Zone
{
	char	   *name;
	bool		ok;				/* false: loading failed (cached negative) */
	const char *error;			/* when !ok: Go's message, NULL = unknown zone */
	int			ntrans;
	int64_t    *trans;			/* transition instants */
	uint8_t    *trans_type;
	int			ntypes;
	int32_t    *type_offset;
	bool	   *type_dst;
	int			first_type;		/* Go's lookupFirstZone */
	TzExtend	extend;
} Zone;

static Arena *zone_arena;
static Zone *zone_cache[ZONE_CACHE_MAX];
static int	zone_cache_count;

/* ---------- POSIX TZ strings (Go's tzset) ---------- */

/* Reads a zone abbreviation; false if malformed. */
static bool
tz_name(const char **sp)
{
	const char *s = *sp;
	int			n = 0;

	if (*s == '<')
	{
		s++;
		while (*s && *s != '>')
			s++;
		if (*s != '>')
			return false;
		*sp = s + 1;
		return true;
	}
	while (*s && !(*s >= '0' && *s <= '9') && *s != ',' && *s != '-' &&
		   *s != '+')
		s++, n++;
	if (n < 3)
		return false;
	*sp = s;
	return true;
}

/* Reads [+-]hh[:mm[:ss]] as seconds (sign as written). */
static bool
tz_offset(const char **sp, int *out)
{
	const char *s = *sp;
	int			sign = 1;
	int			parts[3] = {0, 0, 0};

	if (*s == '+' || *s == '-')
	{
		sign = *s == '-' ? -1 : 1;
		s++;
	}
	for (int i = 0; i < 3; i++)
	{
		int			v = 0;
		int			digits = 0;

		if (i > 0)
		{
			if (*s != ':')
				break;
			s++;
		}
		while (*s >= '0' && *s <= '9' && digits < 4)
			v = v * 10 + (*s++ - '0'), digits++;
		if (digits == 0)
			return false;
		parts[i] = v;
	}
	if (parts[0] > 24 * 7 || parts[1] > 59 || parts[2] > 59)
		return false;
	*out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
	*sp = s;
	return true;
}

/* Reads a small decimal number. */
static bool
tz_num(const char **sp, int *out)
{
	const char *s = *sp;
	int			v = 0;
	int			digits = 0;

	while (*s >= '0' && *s <= '9' && digits < 4)
		v = v * 10 + (*s++ - '0'), digits++;
	if (digits == 0)
		return false;
	*out = v;
	*sp = s;
	return true;
}

/* Reads one rule date with its optional /time. */
static bool
tz_rule(const char **sp, TzRule *r)
{
	const char *s = *sp;

	memset(r, 0, sizeof(*r));
	if (*s == 'J')
	{
		s++;
		r->kind = 'J';
		if (!tz_num(&s, &r->day) || r->day < 1 || r->day > 365)
			return false;
	}
	else if (*s == 'M')
	{
		s++;
		r->kind = 'M';
		if (!tz_num(&s, &r->mon) || r->mon < 1 || r->mon > 12 || *s++ != '.' ||
			!tz_num(&s, &r->week) || r->week < 1 || r->week > 5 ||
			*s++ != '.' || !tz_num(&s, &r->day) || r->day > 6)
			return false;
	}
	else
	{
		r->kind = 'D';
		if (!tz_num(&s, &r->day) || r->day > 365)
			return false;
	}
	r->time = 2 * 3600;
	if (*s == '/')
	{
		s++;
		if (!tz_offset(&s, &r->time))
			return false;
	}
	*sp = s;
	return true;
}

/* Parses a TZif footer; leaves ext->valid false when Go would ignore it. */
static void
tz_parse_extend(const char *s, TzExtend *ext)
{
	int			off;

	memset(ext, 0, sizeof(*ext));
	if (!*s || !tz_name(&s) || !tz_offset(&s, &off))
		return;
	ext->std_offset = -off;
	if (!*s)
	{
		ext->valid = true;
		return;
	}
	if (!tz_name(&s))
		return;
	if (!*s || *s == ',')
		ext->dst_offset = ext->std_offset + 3600;
	else
	{
		if (!tz_offset(&s, &off))
			return;
		ext->dst_offset = -off;
	}
	if (!*s)
		s = ",M3.2.0,M11.1.0";
	if (*s++ != ',' || !tz_rule(&s, &ext->start) || *s++ != ',' ||
		!tz_rule(&s, &ext->end) || *s)
		return;
	ext->has_dst = true;
	ext->valid = true;
}

/* Whether year is a leap year. */
static bool
leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* Seconds from the start of year to the rule's moment, in UTC (Go's tzruleTime). */
static int64_t
tz_rule_time(int64_t year, const TzRule *r, int off)
{
	static const int before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};
	int64_t		s = 0;

	if (r->kind == 'J')
	{
		s = (int64_t) (r->day - 1) * 86400;
		if (leap(year) && r->day >= 60)
			s += 86400;
	}
	else if (r->kind == 'D')
		s = (int64_t) r->day * 86400;
	else
	{
		int			m1 = (r->mon + 9) % 12 + 1;
		int64_t		yy0 = year - (r->mon <= 2);
		int64_t		yy1 = yy0 / 100;
		int64_t		yy2 = yy0 % 100;
		int64_t		dow = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7;
		int64_t		d;
		int			dim = before[r->mon] - before[r->mon - 1] +
			(r->mon == 2 && leap(year));

		if (dow < 0)
			dow += 7;
		d = r->day - dow;
		if (d < 0)
			d += 7;
		for (int i = 1; i < r->week; i++)
		{
			if (d + 7 >= dim)
				break;
			d += 7;
		}
		d += before[r->mon - 1];
		if (leap(year) && r->mon > 2)
			d++;
		s = d * 86400;
	}
	return s + r->time - off;
}

/* The offset a POSIX rule gives at instant sec. */
static int
tz_extend_offset(const TzExtend *ext, int64_t sec)
{
	CelCivilTime c;
	int64_t		year_start;
	int64_t		ysec;
	int64_t		start, end;
	int			std = ext->std_offset, dst = ext->dst_offset;

	if (!ext->has_dst)
		return ext->std_offset;
	cel_civil_from_unix(sec, 0, &c);
	year_start = sec - ((int64_t) (c.yday - 1) * 86400 + c.hour * 3600 +
						c.minute * 60 + c.second);
	ysec = sec - year_start;
	start = tz_rule_time(c.year, &ext->start, std);
	end = tz_rule_time(c.year, &ext->end, dst);
	if (end < start)
	{
		int64_t		t = start;

		start = end, end = t;
		std = ext->dst_offset, dst = ext->std_offset;
	}
	if (ysec < start || ysec >= end)
		return std;
	return dst;
}

/* ---------- TZif files ---------- */

/* Reads a big-endian 64-bit integer. */
static int64_t
be64(const unsigned char *p)
{
	uint64_t	v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return (int64_t) v;
}

/* Reads a big-endian 32-bit integer. */
static int32_t
be32(const unsigned char *p)
{
	return (int32_t) (((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
					  ((uint32_t) p[2] << 8) | p[3]);
}

/* Fills z from TZif bytes; false if they are not a usable TZif file. */
static bool
zone_from_tzif(Zone *z, const unsigned char *b, size_t n)
{
	const unsigned char *p;
	uint32_t	cnt[6];
	size_t		v1len;
	size_t		need;
	int			timesize = 4;
	char		footer[256];

	if (n < 44 || memcmp(b, "TZif", 4) != 0)
		return false;
	for (int i = 0; i < 6; i++)
		cnt[i] = (uint32_t) be32(b + 20 + 4 * i);
	/* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
	v1len = (size_t) cnt[3] * 5 + (size_t) cnt[4] * 6 + cnt[5] +
		(size_t) cnt[2] * 8 + cnt[1] + cnt[0];
	p = b + 44;
	if (b[4] >= '2')
	{
		if (44 + v1len + 44 > n || memcmp(b + 44 + v1len, "TZif", 4) != 0)
			return false;
		p = b + 44 + v1len;
		for (int i = 0; i < 6; i++)
			cnt[i] = (uint32_t) be32(p + 20 + 4 * i);
		p += 44;
		timesize = 8;
	}
	need = (size_t) cnt[3] * (timesize + 1) + (size_t) cnt[4] * 6 + cnt[5] +
		(size_t) cnt[2] * (timesize + 4) + cnt[1] + cnt[0];
	if (cnt[4] == 0 || cnt[4] > 256 || cnt[3] > 100000 ||
		(size_t) (p - b) + need > n)
		return false;

	z->ntrans = (int) cnt[3];
	z->ntypes = (int) cnt[4];
	z->trans = arena_alloc(zone_arena, sizeof(int64_t) * (z->ntrans + 1));
	z->trans_type = arena_alloc(zone_arena, z->ntrans + 1);
	z->type_offset = arena_alloc(zone_arena, sizeof(int32_t) * z->ntypes);
	z->type_dst = arena_alloc(zone_arena, sizeof(bool) * z->ntypes);
	if (!z->trans || !z->trans_type || !z->type_offset || !z->type_dst)
		return false;
	for (int i = 0; i < z->ntrans; i++)
		z->trans[i] = timesize == 8 ? be64(p + 8 * i) : be32(p + 4 * i);
	p += (size_t) z->ntrans * timesize;
	for (int i = 0; i < z->ntrans; i++)
	{
		z->trans_type[i] = p[i];
		if (p[i] >= z->ntypes)
			return false;
	}
	p += z->ntrans;
	for (int i = 0; i < z->ntypes; i++)
	{
		z->type_offset[i] = be32(p + 6 * i);
		z->type_dst[i] = p[6 * i + 4] != 0;
	}
	p += (size_t) z->ntypes * 6 + cnt[5] + (size_t) cnt[2] * (timesize + 4) +
		cnt[1] + cnt[0];

	/* Go's lookupFirstZone */
	z->first_type = 0;
	{
		bool		used = false;

		for (int i = 0; i < z->ntrans; i++)
			if (z->trans_type[i] == 0)
				used = true;
		if (used)
		{
			int			found = -1;

			if (z->ntrans > 0 && z->type_dst[z->trans_type[0]])
				for (int t = z->trans_type[0] - 1; t >= 0 && found < 0; t--)
					if (!z->type_dst[t])
						found = t;
			for (int t = 0; t < z->ntypes && found < 0; t++)
				if (!z->type_dst[t])
					found = t;
			z->first_type = found < 0 ? 0 : found;
		}
	}
	/* with no transitions Go invents one at the beginning of time */
	if (z->ntrans == 0)
	{
		z->trans[0] = INT64_MIN;
		z->trans_type[0] = 0;
		z->ntrans = 1;
	}

	/* footer: "\n<POSIX TZ>\n" */
	memset(&z->extend, 0, sizeof(z->extend));
	if (timesize == 8 && (size_t) (p - b) < n && *p == '\n')
	{
		size_t		k = 0;

		p++;
		while ((size_t) (p - b) < n && *p != '\n' && k < sizeof(footer) - 1)
			footer[k++] = (char) *p++;
		footer[k] = '\0';
		tz_parse_extend(footer, &z->extend);
	}
	return true;
}

/*
 * Reads a zone file into a static buffer (TZif files are a few KiB; the
 * backend is single-threaded); NULL if absent, unreadable or too big.
 * *is_dir is set when the name is a directory.
 */
static unsigned char *
read_file(const char *path, size_t *len, bool *is_dir)
{
	static unsigned char buf[ZONE_FILE_MAX];
	FILE	   *f = fopen(path, "rb");
	size_t		n;

	*is_dir = false;
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf), f);
	if (n == 0 && ferror(f) && errno == EISDIR)
		*is_dir = true;
	fclose(f);
	*len = n;
	return n == sizeof(buf) ? NULL : buf;
}

/* Finds or loads the named zone (NULL only if memory ran out). */
static Zone *
zone_get(const char *name)
{
	Zone	   *z;
	char		path[512];
	unsigned char *data;
	size_t		len = 0;
	bool		is_dir = false;

	for (int i = 0; i < zone_cache_count; i++)
		if (strcmp(zone_cache[i]->name, name) == 0)
			return zone_cache[i];
	if (!zone_arena)
	{
		zone_arena = arena_create(NULL, 64 * 1024 * 1024);
		if (!zone_arena)
			return NULL;
	}
	/* a full cache starts over rather than growing without bound */
	if (zone_cache_count == ZONE_CACHE_MAX)
	{
		arena_reset(zone_arena);
		zone_cache_count = 0;
	}
	z = arena_alloc0(zone_arena, sizeof(Zone));
	if (!z || !(z->name = arena_strdup(zone_arena, name)))
		return NULL;
	if (strlen(name) < sizeof(path) - sizeof(ZONE_DIR))
	{
		snprintf(path, sizeof(path), "%s%s", ZONE_DIR, name);
		data = read_file(path, &len, &is_dir);
		if (is_dir)
			z->error = "is a directory";
		else if (data)
		{
			z->ok = zone_from_tzif(z, data, len);
			if (!z->ok)
				z->error = "malformed time zone information";
		}
	}
	zone_cache[zone_cache_count++] = z;
	return z;
}

/* The offset of a loaded zone at instant sec (Go's Location.lookup). */
static int64_t
zone_lookup(const Zone *z, int64_t sec)
{
	int			lo = 0;
	int			hi = z->ntrans;

	if (sec < z->trans[0])
		return z->type_offset[z->first_type];
	while (hi - lo > 1)
	{
		int			mid = lo + (hi - lo) / 2;

		if (sec < z->trans[mid])
			hi = mid;
		else
			lo = mid;
	}
	if (lo == z->ntrans - 1 && z->extend.valid)
		return tz_extend_offset(&z->extend, sec);
	return z->type_offset[z->trans_type[lo]];
}

/* ---------- cel-go's numeric offsets ---------- */

/* Go's strconv.Atoi with its error text. */
static bool
go_atoi(Arena *arena, const char *s, size_t len, int64_t *out,
		const char **error)
{
	size_t		i = 0;
	bool		neg = false;
	uint64_t	v = 0;
	bool		range = false;
	char	   *quoted;

	if (len > 0 && (s[0] == '+' || s[0] == '-'))
	{
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		goto syntax;
	for (; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			goto syntax;
		if (!range)
		{
			if (v > (UINT64_MAX - 9) / 10)
				range = true;
			else
				v = v * 10 + (uint64_t) (s[i] - '0');
		}
	}
	if (range || v > (uint64_t) INT64_MAX + (neg ? 1 : 0))
	{
		quoted = cel_go_quote(arena, s, len);
		quoted = quoted ? arena_printf(arena, "strconv.Atoi: parsing %s: value out of range",
									   quoted) : NULL;
		*error = quoted ? quoted : "value out of range";
		return false;
	}
	*out = neg ? (int64_t) (0 - v) : (int64_t) v;
	return true;

syntax:
	quoted = cel_go_quote(arena, s, len);
	quoted = quoted ? arena_printf(arena, "strconv.Atoi: parsing %s: invalid syntax",
								   quoted) : NULL;
	*error = quoted ? quoted : "invalid syntax";
	return false;
}

/* The offset of a time-zone argument at instant sec; see cel_time.h. */
bool
cel_zone_offset(Arena *arena, const char *tz, size_t len, int64_t sec,
				int64_t *offset, const char **error)
{
	const char *colon = memchr(tz, ':', len);
	char		name[256];
	Zone	   *z;

	*error = NULL;
	if (colon)
	{
		int64_t		hr, min;
		uint64_t	minutes;
		int64_t		nanos;

		if (!go_atoi(arena, tz, (size_t) (colon - tz), &hr, error) ||
			!go_atoi(arena, colon + 1, len - (size_t) (colon - tz) - 1, &min, error))
			return false;
		/* Go's int arithmetic wraps; so does ours, on purpose */
		minutes = (uint64_t) hr * 60;
		minutes = tz[0] == '-' ? minutes - (uint64_t) min : minutes + (uint64_t) min;
		nanos = (int64_t) (minutes * UINT64_C(60000000000));
		*offset = (int64_t) ((double) (nanos / 1000000000) +
							 (double) (nanos % 1000000000) / 1e9);
		return true;
	}
	if (len == 0 || (len == 3 && memcmp(tz, "UTC", 3) == 0) ||
		(len == 5 && memcmp(tz, "Local", 5) == 0))
	{
		*offset = 0;
		return true;
	}
	if (len >= sizeof(name) || memchr(tz, '\0', len))
		goto unknown;
	memcpy(name, tz, len);
	name[len] = '\0';
	if (strstr(name, "..") || name[0] == '/' || name[0] == '\\')
	{
		*error = "time: invalid location name";
		return false;
	}
	z = zone_get(name);
	if (!z)
	{
		*error = "out of memory loading time zone";
		return false;
	}
	if (!z->ok && z->error)
	{
		*error = z->error;
		return false;
	}
	if (!z->ok)
		goto unknown;
	*offset = zone_lookup(z, sec);
	return true;

unknown:
	*error = arena_printf(arena, "unknown time zone %.*s",
						  (int) (len > 200 ? 200 : len), tz);
	if (!*error)
		*error = "unknown time zone";
	return false;
}
