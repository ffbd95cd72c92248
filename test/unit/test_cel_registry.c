/*
 * test_cel_registry.c — signature parsing, candidate lookup and runtime
 * dispatch of the CEL overload registry, over a small library of its own
 * (so the test does not depend on what the real libraries contain).
 */
#include "cel/cel_registry.h"
#include "unit.h"

/* Returns a marker naming which overload ran. */
static CelValue
impl_mark(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	(void) args;
	return cel_int(nargs);
}

static CelValue
impl_one(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(1);
}

static CelValue
impl_two(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(2);
}

static CelValue
impl_three(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(3);
}

/* Non-strict: reports the kind of its first argument. */
static CelValue
impl_kind(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(args[0].kind);
}

static const CelOverload test_overloads[] = {
	{"add_int", "_+_(int, int) -> int", impl_one, 0},
	{"add_double", "_+_(double, double) -> double", impl_two, 0},
	{"add_list", "_+_(list(A), list(A)) -> list(A)", impl_three, 0},
	{"starts_with", "string.startsWith(string) -> bool", impl_one, 0},
	{"size_string", "size(string) -> int", impl_one, 0},
	{"string_size", "string.size() -> int", impl_two, 0},
	{"greatest_int", "math.greatest(int, int...) -> int", impl_mark, 0},
	{"greatest_list_int", "math.greatest(list(int)) -> int", impl_one, 0},
	{"greatest_list_double", "math.greatest(list(double)) -> double", impl_two, 0},
	{"opt_of", "optional.of(A) -> optional_type(A)", impl_one, 0},
	{"opt_or", "optional_type(A).orValue(A) -> A", impl_two, 0},
	{"ip_family", "net.IP.family() -> int", impl_three, 0},
	{"hier_anc", "opaque(hierarchy).ancestorOf(opaque(hierarchy)) -> bool", impl_one, 0},
	{"ts_year", "google.protobuf.Timestamp.getFullYear() -> int", impl_one, 0},
	{"map_get", "map(K, V).get(K) -> V", impl_two, 0},
	{"type_of", "type(A) -> type(A)", impl_one, 0},
	{"not_strictly", "@not_strictly_false(bool) -> bool", impl_kind, CEL_FN_NONSTRICT},
	{"dyn_fn", "dyn(A) -> dyn", impl_one, 0},
	{"broken", "nonsense(int -> int", impl_one, 0},
};

static const CelLibrary test_lib = {"test", test_overloads,
	(int) (sizeof(test_overloads) / sizeof(test_overloads[0]))};

static const CelOpaqueType ip_type = {"net.IP", NULL, NULL};
static const CelOpaqueType other_type = {"net.CIDR", NULL, NULL};

int
main(void)
{
	Arena	   *arena = arena_create(NULL, 0);
	DiagList	diags;
	const CelLibrary *libs[] = {&test_lib};
	CelRegistry *reg;
	const CelSignature *const *cands;
	const CelSignature *sig;
	int			n;
	CelEvalContext ctx = {0};
	CelValue	args[4];
	CelValue	r;

	ctx.arena = arena;
	diag_init(&diags, arena);
	reg = cel_registry_build(arena, libs, 1, &diags);
	CHECK(reg != NULL);
	/* the malformed signature is reported and skipped */
	CHECK(diags.count == 1);
	CHECK(cel_registry_count(reg) == 18);

	/* parsing: receiver-ness, names, params */
	sig = cel_registry_find_id(reg, "starts_with");
	CHECK(sig && sig->receiver && sig->nparams == 2);
	CHECK_STR(sig->function, "startsWith");
	CHECK(sig->params[0]->kind == CEL_T_STRING && sig->result->kind == CEL_T_BOOL);
	sig = cel_registry_find_id(reg, "greatest_int");
	CHECK(sig && !sig->receiver && sig->variadic && sig->nparams == 2);
	CHECK_STR(sig->function, "math.greatest");
	sig = cel_registry_find_id(reg, "opt_of");
	CHECK(sig && !sig->receiver);
	CHECK_STR(sig->function, "optional.of");
	CHECK(sig->result->kind == CEL_T_OPTIONAL && sig->result->param[0]->kind == CEL_T_PARAM);
	CHECK(sig->nvars == 1);
	sig = cel_registry_find_id(reg, "opt_or");
	CHECK(sig && sig->receiver && sig->params[0]->kind == CEL_T_OPTIONAL);
	CHECK_STR(sig->function, "orValue");
	sig = cel_registry_find_id(reg, "ip_family");
	CHECK(sig && sig->receiver && sig->params[0]->kind == CEL_T_OPAQUE);
	CHECK_STR(sig->params[0]->name, "net.IP");
	CHECK_STR(sig->function, "family");
	sig = cel_registry_find_id(reg, "hier_anc");
	CHECK(sig && sig->receiver && sig->nparams == 2);
	CHECK_STR(sig->params[1]->name, "hierarchy");
	sig = cel_registry_find_id(reg, "ts_year");
	CHECK(sig && sig->receiver && sig->params[0]->kind == CEL_T_TIMESTAMP);
	sig = cel_registry_find_id(reg, "map_get");
	CHECK(sig && sig->params[0]->kind == CEL_T_MAP && sig->nvars == 2);
	CHECK_STR(cel_registry_format_type(arena, sig->params[0]), "map(K, V)");
	sig = cel_registry_find_id(reg, "type_of");
	CHECK(sig && !sig->receiver && sig->result->kind == CEL_T_TYPE);
	CHECK_STR(sig->function, "type");
	CHECK_STR(cel_registry_format_type(arena,
									   cel_registry_parse_type(reg, arena, "list(map(string, optional_type(int)))")),
			  "list(map(string, optional_type(int)))");
	CHECK(cel_registry_parse_type(reg, arena, "list(") == NULL);

	/* candidates by style */
	cel_registry_candidates(reg, "_+_", false, &cands, &n);
	CHECK(n == 3 && cands[0]->index < cands[1]->index);
	cel_registry_candidates(reg, "size", false, &cands, &n);
	CHECK(n == 1);
	cel_registry_candidates(reg, "size", true, &cands, &n);
	CHECK(n == 1 && cands[0]->receiver);
	cel_registry_candidates(reg, "nope", false, &cands, &n);
	CHECK(n == 0 && cands == NULL);
	CHECK(cel_registry_has_function(reg, "startsWith"));
	CHECK(!cel_registry_has_function(reg, "endsWith"));

	/* dispatch on runtime kinds */
	args[0] = cel_int(1);
	args[1] = cel_int(2);
	r = cel_registry_call(&ctx, reg, "_+_", false, args, 2);
	CHECK(r.kind == CEL_VAL_INT && r.u.i == 1);
	args[0] = cel_double(1);
	args[1] = cel_double(2);
	r = cel_registry_call(&ctx, reg, "_+_", false, args, 2);
	CHECK(r.kind == CEL_VAL_INT && r.u.i == 2);
	args[0] = cel_int(1);
	r = cel_registry_call(&ctx, reg, "_+_", false, args, 2);
	CHECK(r.kind == CEL_VAL_ERROR);
	CHECK(r.kind == CEL_VAL_ERROR && strstr(r.u.err->message, "no such overload") != NULL);

	/* lists: shape first, element types break ties */
	{
		CelValue	d[2] = {cel_double(1.5), cel_double(2)};
		CelValue	i[2] = {cel_int(1), cel_int(2)};

		args[0] = cel_list_from(arena, d, 2);
		r = cel_registry_call(&ctx, reg, "math.greatest", false, args, 1);
		CHECK(r.kind == CEL_VAL_INT && r.u.i == 2);
		args[0] = cel_list_from(arena, i, 2);
		r = cel_registry_call(&ctx, reg, "math.greatest", false, args, 1);
		CHECK(r.kind == CEL_VAL_INT && r.u.i == 1);
		args[1] = cel_list_from(arena, d, 2);
		r = cel_registry_call(&ctx, reg, "_+_", false, args, 2);
		CHECK(r.kind == CEL_VAL_INT && r.u.i == 3);
	}

	/* variadic arity */
	args[0] = cel_int(1);
	args[1] = cel_int(2);
	args[2] = cel_int(3);
	r = cel_registry_call(&ctx, reg, "math.greatest", false, args, 3);
	CHECK(r.kind == CEL_VAL_INT && r.u.i == 3);
	args[2] = cel_string("x", 1);
	r = cel_registry_call(&ctx, reg, "math.greatest", false, args, 3);
	CHECK(r.kind == CEL_VAL_ERROR);

	/* receiver style is distinct from global style */
	args[0] = cel_string("abc", 3);
	r = cel_registry_call(&ctx, reg, "size", true, args, 1);
	CHECK(r.kind == CEL_VAL_INT && r.u.i == 2);
	r = cel_registry_call(&ctx, reg, "size", false, args, 1);
	CHECK(r.kind == CEL_VAL_INT && r.u.i == 1);
	r = cel_registry_call(&ctx, reg, "startsWith", false, args, 2);
	CHECK(r.kind == CEL_VAL_ERROR);

	/* opaque types match by name */
	args[0].kind = CEL_VAL_OPAQUE;
	args[0].u.opaque.type = &ip_type;
	args[0].u.opaque.data = NULL;
	r = cel_registry_call(&ctx, reg, "family", true, args, 1);
	CHECK(r.kind == CEL_VAL_INT && r.u.i == 3);
	args[0].u.opaque.type = &other_type;
	r = cel_registry_call(&ctx, reg, "family", true, args, 1);
	CHECK(r.kind == CEL_VAL_ERROR);

	/* strictness: errors short-circuit strict overloads ... */
	args[0] = cel_error(arena, "boom");
	args[1] = cel_int(1);
	r = cel_registry_call(&ctx, reg, "_+_", false, args, 2);
	CHECK(r.kind == CEL_VAL_ERROR && strcmp(r.u.err->message, "boom") == 0);
	sig = cel_registry_find_id(reg, "add_int");
	r = cel_registry_invoke(&ctx, sig, args, 2);
	CHECK(r.kind == CEL_VAL_ERROR && strcmp(r.u.err->message, "boom") == 0);
	/* ... but reach non-strict ones */
	r = cel_registry_call(&ctx, reg, "@not_strictly_false", false, args, 1);
	CHECK(r.kind == CEL_VAL_INT && r.u.i == CEL_VAL_ERROR);

	/* signature matching for resolved overloads */
	sig = cel_registry_find_id(reg, "add_int");
	args[0] = cel_int(1);
	args[1] = cel_uint(1);
	CHECK(!cel_signature_matches(sig, args, 2));
	args[1] = cel_int(1);
	CHECK(cel_signature_matches(sig, args, 2));
	CHECK(!cel_signature_matches(sig, args, 1));

	/* every library's signatures parse (a typo would drop an overload) */
	{
		DiagList	all_diags;
		CelRegistry *all;

		diag_init(&all_diags, arena);
		all = cel_registry_build(arena, cel_all_libraries, cel_all_libraries_count,
								 &all_diags);
		CHECK(all != NULL && cel_registry_count(all) > 100);
		CHECK(all_diags.count == 0);
		if (all_diags.count)
			fprintf(stderr, "%s\n", diag_render(&all_diags));
		CHECK(cel_registry_find_id(all, "add_int64") != NULL);
		CHECK(cel_registry_find_type(all, "net.IP") != NULL);
	}

	/* the default registry builds and numbers overloads stably */
	{
		const CelRegistry *def = cel_registry_default();

		CHECK(def != NULL);
		CHECK(def == cel_registry_default());
		for (int i = 0; i < cel_registry_count(def); i++)
			CHECK(cel_registry_get(def, i)->index == i);
	}

	arena_destroy(arena);
	UNIT_DONE("cel_registry");
}
