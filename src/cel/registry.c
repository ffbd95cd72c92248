/*
 * registry.c — parses overload signatures and dispatches calls.
 *
 * Building happens in two passes over the libraries: the first counts and
 * parses every signature into a CelSignature; the second groups the
 * signatures by (function name, call style) into a small open-addressing
 * hash table whose buckets hold the candidates in declaration order.  The
 * type language is tiny, so the parser is a hand-written recursive descent
 * over the string with no separate lexer.
 *
 * Dispatch mirrors cel-go's runtime type guards: an overload is taken when
 * each argument's runtime kind fits the declared parameter.  When several
 * overloads fit on the outer kinds only (list(int) against list(double)),
 * the first whose element types also fit wins, else the first that fits.
 */
#include "cel_registry.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct RegBucket
{
	const char *function;
	bool		receiver;
	int			count;
	const CelSignature **sigs;
} RegBucket;

struct CelRegistry
{
	Arena	   *arena;
	CelSignature *sigs;
	int			nsigs;
	RegBucket  *buckets;
	int			nbuckets;		/* power of two */
	const CelType **opaque;		/* distinct opaque types named in signatures */
	int			nopaque;
};

const CelLibrary *const cel_all_libraries[] = {
	&cel_lib_std,
	&cel_lib_optional,
	&cel_lib_time,
	&cel_lib_strings,
	&cel_lib_lists,
	&cel_lib_math,
	&cel_lib_sets,
	&cel_lib_encoders,
	&cel_lib_regex,
	&cel_lib_net,
	&cel_lib_cerbos,
};
const int	cel_all_libraries_count =
	(int) (sizeof(cel_all_libraries) / sizeof(cel_all_libraries[0]));

/* ---------- the signature language ---------- */

typedef struct SigParser
{
	Arena	   *arena;
	const char *s;
	const char *p;
	const char *vars[26];		/* type parameters seen, by letter */
	int			nvars;
	bool		failed;
} SigParser;

/* Skips blanks in the signature text. */
static void
sp_skip(SigParser *sp)
{
	while (*sp->p == ' ' || *sp->p == '\t')
		sp->p++;
}

/* Consumes one expected character. */
static bool
sp_eat(SigParser *sp, char c)
{
	sp_skip(sp);
	if (*sp->p != c)
		return false;
	sp->p++;
	return true;
}

/* Length of an identifier (letters, digits, '_') at p. */
static size_t
ident_len(const char *p)
{
	size_t		n = 0;

	if (!(isalpha((unsigned char) p[0]) || p[0] == '_' || p[0] == '@'))
		return 0;
	while (isalnum((unsigned char) p[n]) || p[n] == '_' || p[n] == '@')
		n++;
	return n;
}

/* A fresh composite type in the arena. */
static const CelType *
mk_type(Arena *arena, CelTypeKind kind, const CelType *p0, const CelType *p1,
		const char *name)
{
	CelType    *t = arena_alloc0(arena, sizeof(CelType));

	if (t == NULL)
		return NULL;
	t->kind = kind;
	t->param[0] = p0;
	t->param[1] = p1;
	t->name = name;
	return t;
}

/* The simple type a keyword names, or NULL. */
static const CelType *
simple_type(const char *name, size_t len)
{
	static const struct
	{
		const char *name;
		const CelType *type;
	}			simple[] = {
		{"int", &cel_type_int},
		{"uint", &cel_type_uint},
		{"double", &cel_type_double},
		{"bool", &cel_type_bool},
		{"string", &cel_type_string},
		{"bytes", &cel_type_bytes},
		{"null_type", &cel_type_null},
		{"null", &cel_type_null},
		{"dyn", &cel_type_dyn},
		{"timestamp", &cel_type_timestamp},
		{"duration", &cel_type_duration},
		{"google.protobuf.Timestamp", &cel_type_timestamp},
		{"google.protobuf.Duration", &cel_type_duration},
		{"error", &cel_type_error},
	};

	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
		if (strlen(simple[i].name) == len && memcmp(simple[i].name, name, len) == 0)
			return simple[i].type;
	return NULL;
}

/* Whether a dotted name spells an opaque type by the capital-letter rule. */
static bool
looks_opaque(const char *name, size_t len)
{
	size_t		last = 0;

	for (size_t i = 0; i < len; i++)
		if (name[i] == '.')
			last = i + 1;
	return last > 0 && len - last > 1 && isupper((unsigned char) name[last]);
}

static const CelType *sp_type(SigParser *sp);

/* Parses "(T)" or "(T, U)" after a composite type keyword. */
static bool
sp_params(SigParser *sp, const CelType **p0, const CelType **p1)
{
	if (!sp_eat(sp, '('))
		return false;
	*p0 = sp_type(sp);
	if (*p0 == NULL)
		return false;
	if (p1)
	{
		if (!sp_eat(sp, ','))
			return false;
		*p1 = sp_type(sp);
		if (*p1 == NULL)
			return false;
	}
	return sp_eat(sp, ')');
}

/*
 * Parses the longest type at the cursor; NULL (cursor unspecified) if there
 * is none.  Dotted names are tried longest first so that
 * "google.protobuf.Timestamp" and "net.IP.family" both split correctly.
 */
static const CelType *
sp_type(SigParser *sp)
{
	const char *start;
	size_t		seglen[16];
	int			nseg = 0;
	size_t		total;

	sp_skip(sp);
	start = sp->p;
	total = 0;
	for (;;)
	{
		size_t		n = ident_len(start + total);

		if (n == 0 || nseg == 16)
			break;
		seglen[nseg++] = n;
		total += n;
		if (start[total] == '.' && ident_len(start + total + 1) > 0)
			total++;
		else
			break;
	}
	if (nseg == 0)
		return NULL;

	/* try prefixes made of nseg, nseg-1, ... segments */
	for (int k = nseg; k >= 1; k--)
	{
		size_t		len = 0;
		const CelType *t;

		for (int i = 0; i < k; i++)
			len += seglen[i] + (i > 0 ? 1 : 0);

		if ((t = simple_type(start, len)) != NULL)
		{
			sp->p = start + len;
			return t;
		}
		if (k == 1 && len == 1 && isupper((unsigned char) start[0]))
		{
			int			v = start[0] - 'A';

			if (sp->vars[v] == NULL)
			{
				sp->vars[v] = arena_strndup(sp->arena, start, 1);
				sp->nvars++;
			}
			sp->p = start + 1;
			return mk_type(sp->arena, CEL_T_PARAM, NULL, NULL, sp->vars[v]);
		}
		if (k == 1 && (len == 4 && memcmp(start, "list", 4) == 0))
		{
			const CelType *e;

			sp->p = start + len;
			if (!sp_params(sp, &e, NULL))
				return NULL;
			return mk_type(sp->arena, CEL_T_LIST, e, NULL, NULL);
		}
		if (k == 1 && (len == 3 && memcmp(start, "map", 3) == 0))
		{
			const CelType *kt,
					   *vt;

			sp->p = start + len;
			if (!sp_params(sp, &kt, &vt))
				return NULL;
			return mk_type(sp->arena, CEL_T_MAP, kt, vt, NULL);
		}
		if (k == 1 && ((len == 13 && memcmp(start, "optional_type", 13) == 0) ||
					   (len == 8 && memcmp(start, "optional", 8) == 0 &&
						start[len] == '(')))
		{
			const CelType *e;

			sp->p = start + len;
			if (!sp_params(sp, &e, NULL))
				return NULL;
			return mk_type(sp->arena, CEL_T_OPTIONAL, e, NULL, NULL);
		}
		if (k == 1 && len == 4 && memcmp(start, "type", 4) == 0)
		{
			const CelType *e = NULL;
			const char *save;

			sp->p = start + len;
			save = sp->p;
			sp_skip(sp);
			if (*sp->p == '(')
			{
				if (!sp_params(sp, &e, NULL))
					return NULL;
			}
			else
				sp->p = save;
			return mk_type(sp->arena, CEL_T_TYPE, e, NULL, NULL);
		}
		if (k == 1 && len == 6 && memcmp(start, "opaque", 6) == 0 &&
			start[len] == '(')
		{
			const char *nstart;
			size_t		n = 0;

			sp->p = start + len + 1;
			sp_skip(sp);
			nstart = sp->p;
			while (ident_len(nstart + n) > 0 || (nstart[n] == '.' && n > 0))
				n += nstart[n] == '.' ? 1 : ident_len(nstart + n);
			if (n == 0)
				return NULL;
			sp->p = nstart + n;
			if (!sp_eat(sp, ')'))
				return NULL;
			return mk_type(sp->arena, CEL_T_OPAQUE, NULL, NULL,
						   arena_strndup(sp->arena, nstart, n));
		}
		if (looks_opaque(start, len))
		{
			sp->p = start + len;
			return mk_type(sp->arena, CEL_T_OPAQUE, NULL, NULL,
						   arena_strndup(sp->arena, start, len));
		}
	}
	return NULL;
}

/* Parses one signature string into sig; false if malformed. */
static bool
parse_signature(Arena *arena, const char *text, CelSignature *sig)
{
	SigParser	sp;
	const CelType *recv = NULL;
	const CelType *params[32];
	int			np = 0;
	const char *name;
	size_t		namelen = 0;

	memset(&sp, 0, sizeof(sp));
	sp.arena = arena;
	sp.s = sp.p = text;

	/* receiver: a type followed by '.' and the function name */
	recv = sp_type(&sp);
	if (recv != NULL && *sp.p == '.' && ident_len(sp.p + 1) > 0)
	{
		sp.p++;
		params[np++] = recv;
	}
	else
	{
		recv = NULL;
		memset(sp.vars, 0, sizeof(sp.vars));
		sp.nvars = 0;
		sp.p = text;
	}

	/* function name: everything up to '(' (operators are "_+_", "_[_]") */
	sp_skip(&sp);
	name = sp.p;
	while (name[namelen] != '\0' && name[namelen] != '(' && name[namelen] != ' ')
		namelen++;
	if (namelen == 0 || name[namelen - 1] == '.')
		return false;
	sp.p = name + namelen;

	if (!sp_eat(&sp, '('))
		return false;
	sp_skip(&sp);
	if (*sp.p != ')')
	{
		for (;;)
		{
			const CelType *t = sp_type(&sp);

			if (t == NULL || np == 32)
				return false;
			params[np++] = t;
			sp_skip(&sp);
			if (strncmp(sp.p, "...", 3) == 0)
			{
				sig->variadic = true;
				sp.p += 3;
				sp_skip(&sp);
				if (*sp.p != ')')
					return false;
				break;
			}
			if (!sp_eat(&sp, ','))
				break;
		}
	}
	if (!sp_eat(&sp, ')'))
		return false;
	sp_skip(&sp);
	if (strncmp(sp.p, "->", 2) != 0)
		return false;
	sp.p += 2;
	sig->result = sp_type(&sp);
	if (sig->result == NULL)
		return false;
	sp_skip(&sp);
	if (*sp.p != '\0')
		return false;

	sig->function = arena_strndup(arena, name, namelen);
	sig->receiver = recv != NULL;
	sig->nparams = np;
	sig->nvars = sp.nvars;
	{
		const CelType **arr = arena_alloc(arena, sizeof(CelType *) * (np ? np : 1));

		if (arr == NULL)
			return false;
		memcpy(arr, params, sizeof(CelType *) * np);
		sig->params = arr;
	}
	return sig->function != NULL;
}

/* ---------- building and lookup ---------- */

/* FNV-1a over the function name, mixed with the call style. */
static uint32_t
bucket_hash(const char *function, bool receiver)
{
	uint32_t	h = 2166136261u;

	for (const char *p = function; *p; p++)
		h = (h ^ (unsigned char) *p) * 16777619u;
	return h ^ (receiver ? 0x9e3779b9u : 0);
}

/* The bucket for (function, receiver), or an empty slot for it. */
static RegBucket *
find_bucket(const CelRegistry *reg, const char *function, bool receiver)
{
	uint32_t	mask = (uint32_t) reg->nbuckets - 1;
	uint32_t	i = bucket_hash(function, receiver) & mask;

	for (;;)
	{
		RegBucket  *b = &reg->buckets[i];

		if (b->function == NULL ||
			(b->receiver == receiver && strcmp(b->function, function) == 0))
			return b;
		i = (i + 1) & mask;
	}
}

CelRegistry *
cel_registry_build(Arena *arena, const CelLibrary *const *libraries,
				   int nlibraries, DiagList *diags)
{
	CelRegistry *reg = arena_alloc0(arena, sizeof(CelRegistry));
	int			total = 0;

	if (reg == NULL)
		return NULL;
	reg->arena = arena;
	for (int l = 0; l < nlibraries; l++)
		total += libraries[l]->count;
	reg->sigs = arena_alloc0(arena, sizeof(CelSignature) * (total ? total : 1));
	reg->nbuckets = 64;
	while (reg->nbuckets < total * 2)
		reg->nbuckets *= 2;
	reg->buckets = arena_alloc0(arena, sizeof(RegBucket) * reg->nbuckets);
	if (reg->sigs == NULL || reg->buckets == NULL)
		return NULL;

	for (int l = 0; l < nlibraries; l++)
	{
		const CelLibrary *lib = libraries[l];

		for (int i = 0; i < lib->count; i++)
		{
			const CelOverload *ov = &lib->overloads[i];
			CelSignature *sig = &reg->sigs[reg->nsigs];

			memset(sig, 0, sizeof(*sig));
			if (ov->signature == NULL || !parse_signature(arena, ov->signature, sig))
			{
				if (arena->failed)
					return NULL;
				if (diags)
					diag_add(diags, lib->name, 0, 0,
							 "bad overload signature \"%s\" (%s)",
							 ov->signature ? ov->signature : "(null)",
							 ov->id ? ov->id : "?");
				continue;
			}
			sig->index = reg->nsigs;
			sig->overload = ov;
			sig->library = lib;
			sig->flags = ov->flags | (sig->variadic ? CEL_FN_VARIADIC : 0);
			reg->nsigs++;
		}
	}

	/* remember each opaque type once, for type denotations like net.IP */
	reg->opaque = arena_alloc(arena, sizeof(CelType *) * (reg->nsigs * 2 + 1));
	if (reg->opaque == NULL)
		return NULL;
	for (int i = 0; i < reg->nsigs; i++)
	{
		const CelSignature *sig = &reg->sigs[i];

		for (int k = 0; k <= sig->nparams; k++)
		{
			const CelType *t = k < sig->nparams ? sig->params[k] : sig->result;
			bool		known = false;

			if (t == NULL || t->kind != CEL_T_OPAQUE || t->name == NULL)
				continue;
			for (int j = 0; j < reg->nopaque && !known; j++)
				known = strcmp(reg->opaque[j]->name, t->name) == 0;
			if (!known)
				reg->opaque[reg->nopaque++] = t;
		}
	}

	/* group by (function, receiver): count, then fill */
	for (int i = 0; i < reg->nsigs; i++)
	{
		RegBucket  *b = find_bucket(reg, reg->sigs[i].function, reg->sigs[i].receiver);

		if (b->function == NULL)
		{
			b->function = reg->sigs[i].function;
			b->receiver = reg->sigs[i].receiver;
		}
		b->count++;
	}
	for (int i = 0; i < reg->nbuckets; i++)
	{
		RegBucket  *b = &reg->buckets[i];

		if (b->function == NULL)
			continue;
		b->sigs = arena_alloc(arena, sizeof(CelSignature *) * b->count);
		if (b->sigs == NULL)
			return NULL;
		b->count = 0;
	}
	for (int i = 0; i < reg->nsigs; i++)
	{
		RegBucket  *b = find_bucket(reg, reg->sigs[i].function, reg->sigs[i].receiver);

		b->sigs[b->count++] = &reg->sigs[i];
	}
	return reg;
}

const CelRegistry *
cel_registry_default(void)
{
	static CelRegistry *reg;
	static bool tried;

	if (!tried)
	{
		Arena	   *arena = arena_create(NULL, 0);

		tried = true;
		if (arena != NULL)
		{
			reg = cel_registry_build(arena, cel_all_libraries,
									 cel_all_libraries_count, NULL);
			if (reg == NULL)
				arena_destroy(arena);
		}
	}
	return reg;
}

int
cel_registry_count(const CelRegistry *reg)
{
	return reg ? reg->nsigs : 0;
}

const CelSignature *
cel_registry_get(const CelRegistry *reg, int index)
{
	if (reg == NULL || index < 0 || index >= reg->nsigs)
		return NULL;
	return &reg->sigs[index];
}

const CelSignature *
cel_registry_find_id(const CelRegistry *reg, const char *id)
{
	if (reg == NULL || id == NULL)
		return NULL;
	for (int i = 0; i < reg->nsigs; i++)
		if (reg->sigs[i].overload->id && strcmp(reg->sigs[i].overload->id, id) == 0)
			return &reg->sigs[i];
	return NULL;
}

void
cel_registry_candidates(const CelRegistry *reg, const char *function,
						bool receiver, const CelSignature *const **out,
						int *count)
{
	RegBucket  *b;

	*out = NULL;
	*count = 0;
	if (reg == NULL || function == NULL)
		return;
	b = find_bucket(reg, function, receiver);
	if (b->function == NULL)
		return;
	*out = (const CelSignature *const *) b->sigs;
	*count = b->count;
}

bool
cel_registry_has_function(const CelRegistry *reg, const char *function)
{
	if (reg == NULL || function == NULL)
		return false;
	return find_bucket(reg, function, false)->function != NULL ||
		find_bucket(reg, function, true)->function != NULL;
}

const CelType *
cel_registry_find_type(const CelRegistry *reg, const char *name)
{
	if (reg == NULL || name == NULL)
		return NULL;
	for (int i = 0; i < reg->nopaque; i++)
		if (strcmp(reg->opaque[i]->name, name) == 0)
			return reg->opaque[i];
	return NULL;
}

const CelType *
cel_registry_parse_type(const CelRegistry *reg, Arena *arena, const char *text)
{
	SigParser	sp;
	const CelType *t;

	memset(&sp, 0, sizeof(sp));
	sp.arena = arena;
	sp.s = sp.p = text;
	t = sp_type(&sp);
	sp_skip(&sp);
	return (t != NULL && *sp.p == '\0') ? t : NULL;
}

/* A growing string in the arena, for formatting types. */
typedef struct TypeBuf
{
	Arena	   *arena;
	char	   *buf;
	size_t		len;
	size_t		cap;
} TypeBuf;

/* Appends text to the buffer (silently stops when memory runs out). */
static void
tb_put(TypeBuf *tb, const char *s)
{
	size_t		n = strlen(s);

	if (tb->buf == NULL)
		return;
	if (tb->len + n + 1 > tb->cap)
	{
		size_t		cap = tb->cap;

		while (tb->len + n + 1 > cap)
			cap *= 2;
		tb->buf = arena_realloc(tb->arena, tb->buf, tb->cap, cap);
		tb->cap = cap;
		if (tb->buf == NULL)
			return;
	}
	memcpy(tb->buf + tb->len, s, n + 1);
	tb->len += n;
}

/* Appends a type's spelling, cel-go style: list(int), map(string, dyn). */
static void
format_into(TypeBuf *tb, const CelType *t, int depth)
{
	if (t == NULL)
	{
		tb_put(tb, "dyn");
		return;
	}
	if (depth > 32)
	{
		tb_put(tb, "...");
		return;
	}
	switch (t->kind)
	{
		case CEL_T_LIST:
			tb_put(tb, "list(");
			format_into(tb, t->param[0], depth + 1);
			tb_put(tb, ")");
			break;
		case CEL_T_MAP:
			tb_put(tb, "map(");
			format_into(tb, t->param[0], depth + 1);
			tb_put(tb, ", ");
			format_into(tb, t->param[1], depth + 1);
			tb_put(tb, ")");
			break;
		case CEL_T_OPTIONAL:
			tb_put(tb, "optional_type(");
			format_into(tb, t->param[0], depth + 1);
			tb_put(tb, ")");
			break;
		case CEL_T_TYPE:
			tb_put(tb, "type");
			if (t->param[0] != NULL)
			{
				tb_put(tb, "(");
				format_into(tb, t->param[0], depth + 1);
				tb_put(tb, ")");
			}
			break;
		case CEL_T_PARAM:
		case CEL_T_OPAQUE:
		case CEL_T_MESSAGE:
			tb_put(tb, t->name ? t->name : "?");
			break;
		default:
			tb_put(tb, cel_type_name(t));
			break;
	}
}

const char *
cel_registry_format_type(Arena *arena, const CelType *t)
{
	TypeBuf		tb;

	tb.arena = arena;
	tb.cap = 64;
	tb.len = 0;
	tb.buf = arena_alloc(arena, tb.cap);
	if (tb.buf == NULL)
		return "?";
	tb.buf[0] = '\0';
	format_into(&tb, t, 0);
	return tb.buf ? tb.buf : "?";
}

/* ---------- runtime matching and calls ---------- */

/* Deep/outer fit of a value to a declared type, with a depth bound. */
static bool
fits(CelValue v, const CelType *t, bool deep, int depth)
{
	if (t == NULL)
		return true;
	switch (t->kind)
	{
		case CEL_T_DYN:
		case CEL_T_PARAM:
		case CEL_T_ANY:
			return true;
		case CEL_T_NULL:
			return v.kind == CEL_VAL_NULL;
		case CEL_T_BOOL:
			return v.kind == CEL_VAL_BOOL;
		case CEL_T_INT:
			return v.kind == CEL_VAL_INT;
		case CEL_T_UINT:
			return v.kind == CEL_VAL_UINT;
		case CEL_T_DOUBLE:
			return v.kind == CEL_VAL_DOUBLE;
		case CEL_T_STRING:
			return v.kind == CEL_VAL_STRING;
		case CEL_T_BYTES:
			return v.kind == CEL_VAL_BYTES;
		case CEL_T_TIMESTAMP:
			return v.kind == CEL_VAL_TIMESTAMP;
		case CEL_T_DURATION:
			return v.kind == CEL_VAL_DURATION;
		case CEL_T_TYPE:
			return v.kind == CEL_VAL_TYPE;
		case CEL_T_ERROR:
			return v.kind == CEL_VAL_ERROR;
		case CEL_T_OPTIONAL:
			if (v.kind != CEL_VAL_OPTIONAL)
				return false;
			if (deep && depth < 8 && v.u.opt != NULL)
				return fits(*v.u.opt, t->param[0], deep, depth + 1);
			return true;
		case CEL_T_LIST:
			if (v.kind != CEL_VAL_LIST)
				return false;
			if (deep && depth < 8 && v.u.list != NULL)
			{
				for (size_t i = 0; i < v.u.list->len; i++)
					if (!fits(v.u.list->items[i], t->param[0], deep, depth + 1))
						return false;
			}
			return true;
		case CEL_T_MAP:
			if (v.kind != CEL_VAL_MAP)
				return false;
			if (deep && depth < 8 && v.u.map != NULL)
			{
				for (size_t i = 0; i < v.u.map->len; i++)
					if (!fits(v.u.map->keys[i], t->param[0], deep, depth + 1) ||
						!fits(v.u.map->values[i], t->param[1], deep, depth + 1))
						return false;
			}
			return true;
		case CEL_T_MESSAGE:
			return v.kind == CEL_VAL_MAP && v.u.map != NULL &&
				v.u.map->msg_type != NULL && t->name != NULL &&
				strcmp(v.u.map->msg_type, t->name) == 0;
		case CEL_T_OPAQUE:
			return v.kind == CEL_VAL_OPAQUE && v.u.opaque.type != NULL &&
				t->name != NULL && v.u.opaque.type->name != NULL &&
				strcmp(v.u.opaque.type->name, t->name) == 0;
	}
	return false;
}

bool
cel_value_fits_type(CelValue v, const CelType *t, bool deep)
{
	return fits(v, t, deep, 0);
}

/* Arity and per-argument fit. */
static bool
sig_fits(const CelSignature *sig, const CelValue *args, int nargs, bool deep)
{
	if (sig->variadic)
	{
		if (nargs < sig->nparams - 1)
			return false;
	}
	else if (nargs != sig->nparams)
		return false;
	for (int i = 0; i < nargs; i++)
	{
		const CelType *t = i < sig->nparams ? sig->params[i] :
		sig->params[sig->nparams - 1];

		/* non-strict overloads take errors and unknowns in any position */
		if ((sig->overload->flags & CEL_FN_NONSTRICT) &&
			cel_is_error_or_unknown(args[i]))
			continue;
		if (!fits(args[i], t, deep, 0))
			return false;
	}
	return true;
}

bool
cel_signature_matches(const CelSignature *sig, const CelValue *args, int nargs)
{
	return sig != NULL && sig_fits(sig, args, nargs, false);
}

const CelSignature *
cel_registry_dispatch(const CelRegistry *reg, const char *function,
					  bool receiver, const CelValue *args, int nargs)
{
	const CelSignature *const *cands;
	const CelSignature *first = NULL;
	int			n,
				nfit = 0;

	cel_registry_candidates(reg, function, receiver, &cands, &n);
	for (int i = 0; i < n; i++)
	{
		if (sig_fits(cands[i], args, nargs, false))
		{
			if (first == NULL)
				first = cands[i];
			nfit++;
		}
	}
	if (nfit > 1)
	{
		for (int i = 0; i < n; i++)
			if (sig_fits(cands[i], args, nargs, false) &&
				sig_fits(cands[i], args, nargs, true))
				return cands[i];
	}
	return first;
}

/* The first unknown among args, else the first error, else NULL. */
static const CelValue *
strict_blocker(const CelValue *args, int nargs)
{
	const CelValue *err = NULL;

	for (int i = 0; i < nargs; i++)
	{
		if (args[i].kind == CEL_VAL_UNKNOWN)
			return &args[i];
		if (args[i].kind == CEL_VAL_ERROR && err == NULL)
			err = &args[i];
	}
	return err;
}

CelValue
cel_registry_invoke(CelEvalContext *ctx, const CelSignature *sig,
					const CelValue *args, int nargs)
{
	if (!(sig->flags & CEL_FN_NONSTRICT))
	{
		const CelValue *b = strict_blocker(args, nargs);

		if (b != NULL)
			return *b;
	}
	if (sig->overload->impl == NULL)
		return cel_error_no_such_overload(ctx->arena, sig->function);
	return sig->overload->impl(ctx, args, nargs);
}

/*
 * cel-go's wording when nothing matches: conversions name the argument
 * type ("no such overload: int(list)"); operators dispatched on a trait of
 * their first operand name the function when that operand lacks the trait
 * ("no such overload: _<_" for null < 1) and say just "no such overload"
 * when it has it but the other operand does not fit, or when the operand is
 * a string, timestamp or duration (cel-go's receiver types answer any
 * unknown operator themselves); everything else says "no such overload".
 */
static CelValue
dispatch_failure(CelEvalContext *ctx, const CelRegistry *reg, const char *function,
				 bool receiver, const CelValue *args, int nargs)
{
	static const char *const conversions[] = {
		"int", "uint", "double", "string", "bytes", "bool", "timestamp", "duration",
	};
	static const char *const trait_ops[] = {
		"_<_", "_<=_", "_>_", "_>=_", "_+_", "_-_", "_*_", "_/_", "_%_", "size",
		"matches",
	};
	const CelSignature *const *cands;
	int			n;

	if (!receiver && nargs == 1)
		for (size_t i = 0; i < sizeof(conversions) / sizeof(conversions[0]); i++)
			if (strcmp(function, conversions[i]) == 0)
				return cel_error(ctx->arena, "no such overload: %s(%s)", function,
								 cel_type_name(cel_value_type(args[0])));
	for (size_t i = 0; i < sizeof(trait_ops) / sizeof(trait_ops[0]); i++)
	{
		if (strcmp(function, trait_ops[i]) != 0 || nargs < 1)
			continue;
		if (args[0].kind == CEL_VAL_STRING || args[0].kind == CEL_VAL_TIMESTAMP ||
			args[0].kind == CEL_VAL_DURATION)
			return cel_error_no_such_overload(ctx->arena, NULL);
		cel_registry_candidates(reg, function, receiver, &cands, &n);
		for (int k = 0; k < n; k++)
			if (cands[k]->nparams >= 1 && fits(args[0], cands[k]->params[0], false, 0))
				return cel_error_no_such_overload(ctx->arena, NULL);
		return cel_error_no_such_overload(ctx->arena, function);
	}
	return cel_error_no_such_overload(ctx->arena, NULL);
}

CelValue
cel_registry_call(CelEvalContext *ctx, const CelRegistry *reg,
				  const char *function, bool receiver,
				  const CelValue *args, int nargs)
{
	const CelSignature *const *cands;
	const CelSignature *sig;
	const CelValue *b = strict_blocker(args, nargs);
	int			n;

	if (b != NULL)
	{
		/* errors reach only non-strict overloads that accept them */
		bool		any_nonstrict = false;

		cel_registry_candidates(reg, function, receiver, &cands, &n);
		for (int i = 0; i < n; i++)
			if (cands[i]->flags & CEL_FN_NONSTRICT)
				any_nonstrict = true;
		if (!any_nonstrict)
			return *b;
		sig = cel_registry_dispatch(reg, function, receiver, args, nargs);
		if (sig == NULL || !(sig->flags & CEL_FN_NONSTRICT))
			return *b;
		return sig->overload->impl ? sig->overload->impl(ctx, args, nargs) :
			cel_error_no_such_overload(ctx->arena, function);
	}
	sig = cel_registry_dispatch(reg, function, receiver, args, nargs);
	if (sig == NULL)
		return dispatch_failure(ctx, reg, function, receiver, args, nargs);
	return cel_registry_invoke(ctx, sig, args, nargs);
}
