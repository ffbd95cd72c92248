/*
 * cel_value.h — CEL's runtime value model and type descriptors.
 *
 * A CelValue is a small tagged union passed by value.  Aggregates (lists,
 * maps), strings and bytes point into an Arena owned by the evaluation;
 * nothing is reference counted, everything dies with the arena.
 *
 * Errors are values too (CEL_VAL_ERROR): CEL absorbs them in &&, ||, ?: and
 * comprehensions, so the evaluator must be able to carry them around.
 * Unknowns (CEL_VAL_UNKNOWN) are reserved for partial evaluation (plans).
 */
#ifndef AUTHZ_CEL_VALUE_H
#define AUTHZ_CEL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"

/* ---------- types (for the checker and for type() values) ---------- */

typedef enum CelTypeKind
{
	CEL_T_DYN = 0,
	CEL_T_NULL,
	CEL_T_BOOL,
	CEL_T_INT,
	CEL_T_UINT,
	CEL_T_DOUBLE,
	CEL_T_STRING,
	CEL_T_BYTES,
	CEL_T_LIST,					/* param[0] = element */
	CEL_T_MAP,					/* param[0] = key, param[1] = value */
	CEL_T_TIMESTAMP,			/* google.protobuf.Timestamp */
	CEL_T_DURATION,				/* google.protobuf.Duration */
	CEL_T_TYPE,					/* param[0] = the type it denotes (may be NULL) */
	CEL_T_OPTIONAL,				/* param[0] = wrapped type */
	CEL_T_ERROR,
	CEL_T_PARAM,				/* type parameter, name = "A", "B", ... */
	CEL_T_MESSAGE,				/* named message type, name = full name */
	CEL_T_ANY,					/* google.protobuf.Any-ish: assignable to all */
	CEL_T_OPAQUE				/* library-defined type, name = "net.IP", ... */
} CelTypeKind;

typedef struct CelType
{
	CelTypeKind kind;
	const struct CelType *param[2];
	const char *name;			/* for PARAM and MESSAGE */
} CelType;

/* Singletons for the simple types (never freed). */
extern const CelType cel_type_dyn, cel_type_null, cel_type_bool, cel_type_int,
			cel_type_uint, cel_type_double, cel_type_string, cel_type_bytes,
			cel_type_timestamp, cel_type_duration, cel_type_error,
			cel_type_list_dyn, cel_type_map_dyn, cel_type_type;

/* CEL's name for a type as type() and error messages spell it: "int",
 * "list", "map", "google.protobuf.Timestamp", "type", "optional_type"... */
extern const char *cel_type_name(const CelType *t);

/* ---------- values ---------- */

typedef enum CelValueKind
{
	CEL_VAL_NULL = 0,
	CEL_VAL_BOOL,
	CEL_VAL_INT,
	CEL_VAL_UINT,
	CEL_VAL_DOUBLE,
	CEL_VAL_STRING,				/* UTF-8, not NUL-terminated necessarily */
	CEL_VAL_BYTES,
	CEL_VAL_LIST,
	CEL_VAL_MAP,
	CEL_VAL_TIMESTAMP,			/* UTC instant: seconds + nanos */
	CEL_VAL_DURATION,			/* nanoseconds, as Go's time.Duration */
	CEL_VAL_TYPE,				/* a type used as a value: type(1) == int */
	CEL_VAL_OPTIONAL,			/* optional.of(x) / optional.none() */
	CEL_VAL_ERROR,
	CEL_VAL_UNKNOWN,
	CEL_VAL_OPAQUE				/* library-defined: net.IP, hierarchy, spiffe.ID */
} CelValueKind;

typedef struct CelValue CelValue;
typedef struct CelList CelList;
typedef struct CelMap CelMap;
typedef struct CelErrorInfo CelErrorInfo;

/* A library-defined value type (ext.Network's IP and CIDR, Cerbos'
 * hierarchy and SPIFFE ids).  equals may be NULL (identity never equal). */
typedef struct CelOpaqueType
{
	const char *name;			/* as type() reports it */
	const CelType *type;		/* CEL_T_OPAQUE descriptor for the checker */
	bool		(*equals) (const void *a, const void *b);
} CelOpaqueType;

struct CelValue
{
	uint8_t		kind;			/* CelValueKind */
	uint8_t		flags;			/* reserved */
	union
	{
		bool		b;
		int64_t		i;
		uint64_t	u;
		double		d;
		struct
		{
			const char *ptr;
			size_t		len;
		}			str;		/* STRING and BYTES */
		const CelList *list;
		const CelMap *map;
		struct
		{
			int64_t		sec;	/* since 1970-01-01T00:00:00Z */
			int32_t		nsec;	/* 0..999999999 */
			int32_t		offset; /* UTC offset (s east) kept for string(); 0 = UTC */
		}			ts;
		int64_t		dur;		/* nanoseconds */
		const CelType *type;
		const CelValue *opt;	/* NULL = optional.none() */
		const CelErrorInfo *err;
		const void *unknown;	/* planner-defined */
		struct
		{
			const CelOpaqueType *type;
			const void *data;
		}			opaque;
	}			u;
};

struct CelList
{
	size_t		len;
	const CelValue *items;
};

/*
 * Maps keep insertion order (JSON output, iteration order of comprehensions
 * over maps follows it).  Keys are bool, int, uint or string; lookups use
 * CEL's numeric key equality (1 == 1u == 1.0).  msg_type is non-NULL when the
 * map stands for a protobuf message (Cerbos' Resource, Principal, Request...):
 * then selecting an absent field yields its default instead of an error and
 * has() tests presence as for messages.
 */
struct CelMap
{
	size_t		len;
	const CelValue *keys;
	const CelValue *values;
	const void *index;			/* optional lookup accelerator; NULL = scan */
	const char *msg_type;		/* message full name or NULL */
};

struct CelErrorInfo
{
	const char *message;		/* cel-go's wording, e.g. "no such overload" */
	int32_t		node;			/* AST node that raised it, -1 if none */
};

/* ---------- constructors ---------- */

static inline CelValue
cel_null(void)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_NULL;
	return v;
}

static inline CelValue
cel_bool(bool b)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_BOOL;
	v.u.b = b;
	return v;
}

static inline CelValue
cel_int(int64_t i)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_INT;
	v.u.i = i;
	return v;
}

static inline CelValue
cel_uint(uint64_t u)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_UINT;
	v.u.u = u;
	return v;
}

static inline CelValue
cel_double(double d)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_DOUBLE;
	v.u.d = d;
	return v;
}

/* The string is not copied: it must outlive the value (arena or static). */
static inline CelValue
cel_string(const char *ptr, size_t len)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_STRING;
	v.u.str.ptr = ptr;
	v.u.str.len = len;
	return v;
}

static inline CelValue
cel_bytes(const char *ptr, size_t len)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_BYTES;
	v.u.str.ptr = ptr;
	v.u.str.len = len;
	return v;
}

static inline CelValue
cel_list(const CelList *list)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_LIST;
	v.u.list = list;
	return v;
}

static inline CelValue
cel_map(const CelMap *map)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_MAP;
	v.u.map = map;
	return v;
}

static inline CelValue
cel_timestamp(int64_t sec, int32_t nsec)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_TIMESTAMP;
	v.u.ts.sec = sec;
	v.u.ts.nsec = nsec;
	return v;
}

static inline CelValue
cel_duration(int64_t nanos)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_DURATION;
	v.u.dur = nanos;
	return v;
}

static inline CelValue
cel_type_value(const CelType *t)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_TYPE;
	v.u.type = t;
	return v;
}

/* optional.none() */
static inline CelValue
cel_optional_none(void)
{
	CelValue	v = {0};

	v.kind = CEL_VAL_OPTIONAL;
	v.u.opt = NULL;
	return v;
}

/* optional.of(x): the wrapped value is copied into the arena. */
static inline CelValue
cel_optional_of(Arena *arena, CelValue inner)
{
	CelValue	v = {0};
	CelValue   *box = (CelValue *) arena_alloc(arena, sizeof(CelValue));

	if (box == NULL)
		return cel_optional_none();
	*box = inner;
	v.kind = CEL_VAL_OPTIONAL;
	v.u.opt = box;
	return v;
}

static inline bool
cel_is_error(CelValue v)
{
	return v.kind == CEL_VAL_ERROR;
}

static inline bool
cel_is_error_or_unknown(CelValue v)
{
	return v.kind == CEL_VAL_ERROR || v.kind == CEL_VAL_UNKNOWN;
}

/* Error value with a formatted message allocated in the arena. */
extern CelValue cel_error(Arena *arena, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

/* Commonly raised errors, worded as cel-go words them. */
extern CelValue cel_error_no_such_overload(Arena *arena, const char *function);
extern CelValue cel_error_no_such_key(Arena *arena, CelValue key);
extern CelValue cel_error_overflow(Arena *arena, const char *what);

/* ---------- helpers every library needs ---------- */

/* CEL equality (heterogeneous numeric equality for dyn, deep for aggregates).
 * Returns an error value only when comparing errors/unknowns. */
extern CelValue cel_equals(Arena *arena, CelValue a, CelValue b);
extern bool cel_equal_bool(CelValue a, CelValue b);

/* Map lookup with CEL key semantics; found=false when absent. */
extern bool cel_map_get(const CelMap *map, CelValue key, CelValue *out);

/* Builders that allocate in the arena (NULL/failed arena -> error value). */
extern CelValue cel_list_from(Arena *arena, const CelValue *items, size_t n);
extern CelValue cel_map_from(Arena *arena, const CelValue *keys,
							 const CelValue *values, size_t n);
extern CelValue cel_string_copy(Arena *arena, const char *s, size_t len);

/* The CelType of a runtime value (list(dyn) for lists, etc.). */
extern const CelType *cel_value_type(CelValue v);

#endif							/* AUTHZ_CEL_VALUE_H */
