/*
 * cel_jsonb.c — converting between jsonb and CEL values.
 *
 * Two encodings exist.  The plain one is how Cerbos takes attributes:
 * JSON as it is, every number a double, objects as maps with string keys.
 * The typed one (the conformance data's: {"int": "5"}, {"map": [[k, v]]},
 * {"timestamp": "..."}, ...) carries CEL's full value model, so tests can
 * bind and compare ints, uints, bytes and the rest exactly.
 *
 * Decoding goes straight from jsonb containers into arena values with no
 * intermediate text; it is on the hot path of every check.
 */
#include "postgres.h"

#include "common/base64.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "cel_jsonb.h"
#include "cel/cel_time.h"

#define MAX_JSON_DEPTH 200

static CelValue decode_plain(Arena *arena, JsonbValue *v, int depth);

static char *
jsonb_string(JsonbValue *v)
{
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static double
numeric_to_double(Numeric n)
{
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(n)));
}

static CelValue
decode_plain_container(Arena *arena, JsonbContainer *c, int depth)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	uint32		n = JsonContainerSize(c);
	uint32		i = 0;

	if (depth > MAX_JSON_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("JSON value nested more than %d levels deep", MAX_JSON_DEPTH)));
	check_stack_depth();
	it = JsonbIteratorInit(c);
	if (JsonContainerIsArray(c))
	{
		CelValue   *items = arena_alloc(arena, sizeof(CelValue) * (n ? n : 1));
		CelList    *list = arena_alloc(arena, sizeof(CelList));

		if (items == NULL || list == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok == WJB_ELEM && i < n)
				items[i++] = decode_plain(arena, &v, depth + 1);
		}
		list->len = i;
		list->items = items;
		return cel_list(list);
	}
	else
	{
		CelValue   *keys = arena_alloc(arena, sizeof(CelValue) * (n ? n : 1));
		CelValue   *values = arena_alloc(arena, sizeof(CelValue) * (n ? n : 1));
		CelMap	   *map = arena_alloc0(arena, sizeof(CelMap));

		if (keys == NULL || values == NULL || map == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok == WJB_KEY && i < n)
				keys[i] = cel_string(arena_strndup(arena, v.val.string.val, v.val.string.len),
									 v.val.string.len);
			else if (tok == WJB_VALUE && i < n)
				values[i++] = decode_plain(arena, &v, depth + 1);
		}
		map->len = i;
		map->keys = keys;
		map->values = values;
		return cel_map(map);
	}
}

static CelValue
decode_plain(Arena *arena, JsonbValue *v, int depth)
{
	switch (v->type)
	{
		case jbvNull:
			return cel_null();
		case jbvBool:
			return cel_bool(v->val.boolean);
		case jbvNumeric:
			return cel_double(numeric_to_double(v->val.numeric));
		case jbvString:
			return cel_string(arena_strndup(arena, v->val.string.val, v->val.string.len),
							  v->val.string.len);
		case jbvBinary:
			return decode_plain_container(arena, v->val.binary.data, depth);
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
	return cel_null();
}

CelValue
authz_jsonb_to_cel(Arena *arena, Jsonb *j)
{
	JsonbValue	v;

	if (JB_ROOT_IS_SCALAR(j))
	{
		JsonbExtractScalar(&j->root, &v);
		return decode_plain(arena, &v, 0);
	}
	return decode_plain_container(arena, &j->root, 0);
}

CelValue
authz_jsonb_value_to_cel(Arena *arena, JsonbValue *v)
{
	return decode_plain(arena, v, 0);
}

/* ---------- typed encoding ---------- */

static void
bad_typed(const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid typed CEL value: %s", problem)));
}

/* Element i (0-based) of a jsonb array container as a JsonbValue. */
static void
array_element(JsonbContainer *c, uint32 i, JsonbValue *out)
{
	JsonbValue *e = getIthJsonbValueFromContainer(c, i);

	if (e == NULL)
		bad_typed("array too short");
	*out = *e;
}

static CelValue decode_typed(Arena *arena, JsonbValue *v, int depth);

static int64
parse_int64(const char *s)
{
	char	   *end;
	long long	x;

	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0')
		bad_typed("\"int\" must be a decimal int64 string");
	return (int64) x;
}

static uint64
parse_uint64(const char *s)
{
	char	   *end;
	unsigned long long x;

	errno = 0;
	if (*s == '-')
		bad_typed("\"uint\" must not be negative");
	x = strtoull(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0')
		bad_typed("\"uint\" must be a decimal uint64 string");
	return (uint64) x;
}

static CelValue
decode_typed(Arena *arena, JsonbValue *v, int depth)
{
	JsonbContainer *c;
	JsonbIterator *it;
	JsonbValue	key,
				val;
	JsonbIteratorToken tok;
	char	   *tag;

	if (depth > MAX_JSON_DEPTH)
		bad_typed("nested too deeply");
	check_stack_depth();
	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data) ||
		JsonContainerSize(v->val.binary.data) != 1)
		bad_typed("each value must be an object with exactly one type key");
	c = v->val.binary.data;
	it = JsonbIteratorInit(c);
	tok = JsonbIteratorNext(&it, &key, true);	/* WJB_BEGIN_OBJECT */
	tok = JsonbIteratorNext(&it, &key, true);
	if (tok != WJB_KEY)
		bad_typed("missing type key");
	tok = JsonbIteratorNext(&it, &val, true);
	tag = jsonb_string(&key);

	if (strcmp(tag, "null") == 0)
		return cel_null();
	if (strcmp(tag, "bool") == 0)
	{
		if (val.type != jbvBool)
			bad_typed("\"bool\" must be true or false");
		return cel_bool(val.val.boolean);
	}
	if (strcmp(tag, "int") == 0 || strcmp(tag, "uint") == 0)
	{
		char	   *s;

		if (val.type == jbvString)
			s = jsonb_string(&val);
		else if (val.type == jbvNumeric)
			s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(val.val.numeric)));
		else
			bad_typed("\"int\"/\"uint\" must be a string or number");
		if (tag[0] == 'i')
			return cel_int(parse_int64(s));
		return cel_uint(parse_uint64(s));
	}
	if (strcmp(tag, "double") == 0)
	{
		if (val.type == jbvNumeric)
			return cel_double(numeric_to_double(val.val.numeric));
		if (val.type == jbvString)
		{
			char	   *s = jsonb_string(&val);

			if (strcmp(s, "NaN") == 0)
				return cel_double(get_float8_nan());
			if (strcmp(s, "Infinity") == 0)
				return cel_double(get_float8_infinity());
			if (strcmp(s, "-Infinity") == 0)
				return cel_double(-get_float8_infinity());
		}
		bad_typed("\"double\" must be a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
	}
	if (strcmp(tag, "string") == 0)
	{
		if (val.type != jbvString)
			bad_typed("\"string\" must be a string");
		return cel_string(arena_strndup(arena, val.val.string.val, val.val.string.len),
						  val.val.string.len);
	}
	if (strcmp(tag, "bytes") == 0)
	{
		char	   *out;
		int			len;

		if (val.type != jbvString)
			bad_typed("\"bytes\" must be a base64 string");
		out = arena_alloc(arena, pg_b64_dec_len(val.val.string.len) + 1);
		len = pg_b64_decode(val.val.string.val, val.val.string.len, out,
							pg_b64_dec_len(val.val.string.len));
		if (len < 0)
			bad_typed("\"bytes\" is not valid base64");
		return cel_bytes(out, len);
	}
	if (strcmp(tag, "list") == 0)
	{
		uint32		n,
					i;
		CelValue   *items;

		if (val.type != jbvBinary || !JsonContainerIsArray(val.val.binary.data))
			bad_typed("\"list\" must be an array");
		n = JsonContainerSize(val.val.binary.data);
		items = arena_alloc(arena, sizeof(CelValue) * (n ? n : 1));
		for (i = 0; i < n; i++)
		{
			JsonbValue	e;

			array_element(val.val.binary.data, i, &e);
			items[i] = decode_typed(arena, &e, depth + 1);
		}
		return cel_list_from(arena, items, n);
	}
	if (strcmp(tag, "map") == 0)
	{
		uint32		n,
					i;
		CelValue   *keys,
				   *values;

		if (val.type != jbvBinary || !JsonContainerIsArray(val.val.binary.data))
			bad_typed("\"map\" must be an array of [key, value] pairs");
		n = JsonContainerSize(val.val.binary.data);
		keys = arena_alloc(arena, sizeof(CelValue) * (n ? n : 1));
		values = arena_alloc(arena, sizeof(CelValue) * (n ? n : 1));
		for (i = 0; i < n; i++)
		{
			JsonbValue	pair,
						k,
						e;

			array_element(val.val.binary.data, i, &pair);
			if (pair.type != jbvBinary || !JsonContainerIsArray(pair.val.binary.data) ||
				JsonContainerSize(pair.val.binary.data) != 2)
				bad_typed("\"map\" entries must be [key, value] pairs");
			array_element(pair.val.binary.data, 0, &k);
			array_element(pair.val.binary.data, 1, &e);
			keys[i] = decode_typed(arena, &k, depth + 1);
			values[i] = decode_typed(arena, &e, depth + 1);
		}
		return cel_map_from(arena, keys, values, n);
	}
	if (strcmp(tag, "timestamp") == 0 || strcmp(tag, "duration") == 0)
	{
		CelValue	r;

		if (val.type != jbvString)
			bad_typed("\"timestamp\"/\"duration\" must be a string");
		if (tag[0] == 't')
			r = cel_timestamp_parse(arena, val.val.string.val, val.val.string.len);
		else
			r = cel_duration_parse(arena, val.val.string.val, val.val.string.len);
		if (cel_is_error(r))
			bad_typed(r.u.err->message);
		return r;
	}
	if (strcmp(tag, "optional") == 0)
	{
		if (val.type == jbvNull)
			return cel_optional_none();
		return cel_optional_of(arena, decode_typed(arena, &val, depth + 1));
	}
	if (strcmp(tag, "type") == 0)
	{
		const CelType *t;

		if (val.type != jbvString)
			bad_typed("\"type\" must be a type name");
		t = cel_type_named(jsonb_string(&val));
		if (t == NULL)
			bad_typed("unknown type name");
		return cel_type_value(t);
	}
	bad_typed(psprintf("unknown type key \"%s\"", tag));
	return cel_null();
}

CelValue
authz_typed_jsonb_to_cel(Arena *arena, JsonbValue *v)
{
	return decode_typed(arena, v, 0);
}

/* ---------- CEL values to jsonb ---------- */

static void
push_string(JsonbParseState **state, JsonbIteratorToken tok, const char *s, size_t len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = len;
	pushJsonbValue(state, tok, &v);
}

static void
push_numeric(JsonbParseState **state, JsonbIteratorToken tok, Numeric n)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = n;
	pushJsonbValue(state, tok, &v);
}

static Numeric
double_to_numeric(double d)
{
	return DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(d)));
}

static const char *
special_double(double d)
{
	if (isnan(d))
		return "NaN";
	if (isinf(d))
		return d > 0 ? "Infinity" : "-Infinity";
	return NULL;
}

static void encode(Arena *arena, CelValue v, JsonbParseState **state,
				   JsonbIteratorToken tok, bool typed, int depth);

/* Map keys as JSON object keys (plain encoding). */
static char *
key_text(Arena *arena, CelValue k, size_t *len)
{
	char	   *s;

	switch (k.kind)
	{
		case CEL_VAL_STRING:
			*len = k.u.str.len;
			return pnstrdup(k.u.str.ptr, k.u.str.len);
		case CEL_VAL_INT:
			s = psprintf(INT64_FORMAT, (int64) k.u.i);
			break;
		case CEL_VAL_UINT:
			s = psprintf(UINT64_FORMAT, (uint64) k.u.u);
			break;
		case CEL_VAL_BOOL:
			s = pstrdup(k.u.b ? "true" : "false");
			break;
		default:
			s = pstrdup(cel_type_name(cel_value_type(k)));
			break;
	}
	*len = strlen(s);
	return s;
}

static void
encode_tagged_open(JsonbParseState **state, JsonbIteratorToken tok, const char *tag)
{
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	push_string(state, WJB_KEY, tag, strlen(tag));
}

static void
encode(Arena *arena, CelValue v, JsonbParseState **state, JsonbIteratorToken tok,
	   bool typed, int depth)
{
	JsonbValue	scalar;
	size_t		i;

	if (depth > MAX_JSON_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("CEL value nested more than %d levels deep", MAX_JSON_DEPTH)));
	check_stack_depth();

	switch (v.kind)
	{
		case CEL_VAL_NULL:
			if (typed)
				encode_tagged_open(state, tok, "null");
			scalar.type = jbvNull;
			pushJsonbValue(state, typed ? WJB_VALUE : tok, &scalar);
			break;
		case CEL_VAL_BOOL:
			if (typed)
				encode_tagged_open(state, tok, "bool");
			scalar.type = jbvBool;
			scalar.val.boolean = v.u.b;
			pushJsonbValue(state, typed ? WJB_VALUE : tok, &scalar);
			break;
		case CEL_VAL_INT:
			if (typed)
			{
				char	   *s = psprintf(INT64_FORMAT, (int64) v.u.i);

				encode_tagged_open(state, tok, "int");
				push_string(state, WJB_VALUE, s, strlen(s));
			}
			else
				push_numeric(state, tok, int64_to_numeric(v.u.i));
			break;
		case CEL_VAL_UINT:
			{
				char	   *s = psprintf(UINT64_FORMAT, (uint64) v.u.u);

				if (typed)
				{
					encode_tagged_open(state, tok, "uint");
					push_string(state, WJB_VALUE, s, strlen(s));
				}
				else
					push_numeric(state, tok,
								 DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
																	 ObjectIdGetDatum(InvalidOid),
																	 Int32GetDatum(-1))));
				break;
			}
		case CEL_VAL_DOUBLE:
			{
				const char *special = special_double(v.u.d);

				if (typed)
					encode_tagged_open(state, tok, "double");
				if (special)
					push_string(state, typed ? WJB_VALUE : tok, special, strlen(special));
				else
					push_numeric(state, typed ? WJB_VALUE : tok, double_to_numeric(v.u.d));
				break;
			}
		case CEL_VAL_STRING:
			if (typed)
				encode_tagged_open(state, tok, "string");
			push_string(state, typed ? WJB_VALUE : tok, v.u.str.ptr, v.u.str.len);
			break;
		case CEL_VAL_BYTES:
			{
				int			cap = pg_b64_enc_len(v.u.str.len) + 1;
				char	   *out = palloc(cap);
				int			len = pg_b64_encode(v.u.str.ptr, v.u.str.len, out, cap);

				if (typed)
					encode_tagged_open(state, tok, "bytes");
				push_string(state, typed ? WJB_VALUE : tok, out, len < 0 ? 0 : len);
				break;
			}
		case CEL_VAL_LIST:
			if (typed)
				encode_tagged_open(state, tok, "list");
			pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
			for (i = 0; i < v.u.list->len; i++)
				encode(arena, v.u.list->items[i], state, WJB_ELEM, typed, depth + 1);
			pushJsonbValue(state, WJB_END_ARRAY, NULL);
			break;
		case CEL_VAL_MAP:
			if (typed)
			{
				encode_tagged_open(state, tok, "map");
				pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
				for (i = 0; i < v.u.map->len; i++)
				{
					pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
					encode(arena, v.u.map->keys[i], state, WJB_ELEM, true, depth + 1);
					encode(arena, v.u.map->values[i], state, WJB_ELEM, true, depth + 1);
					pushJsonbValue(state, WJB_END_ARRAY, NULL);
				}
				pushJsonbValue(state, WJB_END_ARRAY, NULL);
			}
			else
			{
				pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
				for (i = 0; i < v.u.map->len; i++)
				{
					size_t		len;
					char	   *k = key_text(arena, v.u.map->keys[i], &len);

					push_string(state, WJB_KEY, k, len);
					encode(arena, v.u.map->values[i], state, WJB_VALUE, false, depth + 1);
				}
				pushJsonbValue(state, WJB_END_OBJECT, NULL);
			}
			break;
		case CEL_VAL_TIMESTAMP:
			{
				char	   *s = cel_timestamp_format(arena, v);

				if (typed)
					encode_tagged_open(state, tok, "timestamp");
				push_string(state, typed ? WJB_VALUE : tok, s ? s : "", s ? strlen(s) : 0);
				break;
			}
		case CEL_VAL_DURATION:
			{
				char	   *s = cel_duration_format(arena, v.u.dur);

				if (typed)
					encode_tagged_open(state, tok, "duration");
				push_string(state, typed ? WJB_VALUE : tok, s ? s : "", s ? strlen(s) : 0);
				break;
			}
		case CEL_VAL_TYPE:
			{
				const char *name = cel_type_name(v.u.type);

				if (typed)
					encode_tagged_open(state, tok, "type");
				push_string(state, typed ? WJB_VALUE : tok, name, strlen(name));
				break;
			}
		case CEL_VAL_OPTIONAL:
			if (typed)
				encode_tagged_open(state, tok, "optional");
			if (v.u.opt == NULL)
			{
				scalar.type = jbvNull;
				pushJsonbValue(state, typed ? WJB_VALUE : tok, &scalar);
			}
			else
				encode(arena, *v.u.opt, state, typed ? WJB_VALUE : tok, typed, depth + 1);
			break;
		default:
			{
				/* opaque values print as their type name */
				const char *name = cel_type_name(cel_value_type(v));

				if (typed)
					encode_tagged_open(state, tok, "opaque");
				push_string(state, typed ? WJB_VALUE : tok, name, strlen(name));
				break;
			}
	}
	if (typed)
		pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

Jsonb *
authz_cel_to_jsonb(Arena *arena, CelValue v, bool typed)
{
	JsonbParseState *state = NULL;
	JsonbValue *res;

	/* a scalar at top level must be wrapped in a one-element raw array */
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	encode(arena, v, &state, WJB_ELEM, typed, 0);
	res = pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	{
		Jsonb	   *wrapped = JsonbValueToJsonb(res);
		JsonbValue *first = getIthJsonbValueFromContainer(&wrapped->root, 0);

		if (first->type == jbvBinary)
			return JsonbValueToJsonb(first);
		{
			/* scalar: rebuild as a raw scalar jsonb */
			JsonbParseState *s2 = NULL;
			JsonbValue *r;

			pushJsonbValue(&s2, WJB_BEGIN_ARRAY, NULL);
			s2->contVal.val.array.rawScalar = true;
			pushJsonbValue(&s2, WJB_ELEM, first);
			r = pushJsonbValue(&s2, WJB_END_ARRAY, NULL);
			return JsonbValueToJsonb(r);
		}
	}
}
