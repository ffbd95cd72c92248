/*
 * eval_limits.c — the GUCs that bound CEL parsing and evaluation, and the two
 * callbacks that connect the evaluator to the backend.
 *
 * Parsing limits (expression size, nesting depth) are handed to the core
 * once, by the GUCs' assign hooks, through cel_parse_set_defaults(): every
 * stage that parses a condition (policy load, the backend's rebuild of the
 * published set, authz_cel_eval) then uses them.  Evaluation limits are
 * copied into each evaluation's context (authz_cel_apply_limits,
 * authz_engine_apply_limits), together with:
 *
 *   interrupted     polled every 64 comprehension steps (and in long regex
 *                   and hierarchy loops); it runs CHECK_FOR_INTERRUPTS(),
 *                   so statement_timeout and query cancel end a long
 *                   evaluation.  The ERROR longjmps out of the core: that
 *                   is safe because the core holds no locks and allocates
 *                   only from arenas that live in memory contexts (the
 *                   request's JSON is decoded and freed before evaluation
 *                   starts; the regex cache is never left half-updated).
 *   limit_exceeded  raises an ERROR (54000) naming the GUC that was hit,
 *                   instead of the condition quietly evaluating to an error.
 *
 * All limits are superuser-only (PGC_SUSET): an ordinary role cannot lift
 * them for its session.
 */
#include "postgres.h"

#include <limits.h>

#include "miscadmin.h"
#include "utils/guc.h"

#include "eval_limits.h"

int			authz_cel_max_expression_size = 100000;
int			authz_cel_max_nesting_depth = 250;
int			authz_cel_max_iterations = 1000000;
int			authz_cel_max_string_size_kb = 16 * 1024;
int			authz_cel_max_list_items = 1000000;
int			authz_cel_max_regex_size = 8192;
int			authz_cel_regex_match_limit = 1000000;

static CelParseOptions parse_limits;

/* The parser's size limit reaches the core. */
static void
assign_expression_size(int newval, void *extra)
{
	parse_limits.max_length = (size_t) newval;
	cel_parse_set_defaults(&parse_limits);
}

/* The parser's nesting limit reaches the core. */
static void
assign_nesting_depth(int newval, void *extra)
{
	parse_limits.max_depth = newval;
	cel_parse_set_defaults(&parse_limits);
}

void
authz_define_limit_gucs(void)
{
	DefineCustomIntVariable("authz.cel_max_expression_size",
							"Longest CEL expression, in characters, that will be parsed.",
							NULL,
							&authz_cel_max_expression_size,
							100000, 1, 10000000,
							PGC_SUSET, 0,
							NULL, assign_expression_size, NULL);
	DefineCustomIntVariable("authz.cel_max_nesting_depth",
							"Deepest nesting of a CEL expression that will be parsed.",
							NULL,
							&authz_cel_max_nesting_depth,
							250, 1, 500,
							PGC_SUSET, 0,
							NULL, assign_nesting_depth, NULL);
	DefineCustomIntVariable("authz.cel_max_iterations",
							"Most comprehension steps (all, exists, map, filter) one CEL evaluation may take.",
							NULL,
							&authz_cel_max_iterations,
							1000000, 1, INT_MAX,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("authz.cel_max_string_size",
							"Largest string or bytes value a CEL evaluation may build.",
							NULL,
							&authz_cel_max_string_size_kb,
							16 * 1024, 1, 1024 * 1024,
							PGC_SUSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("authz.cel_max_list_items",
							"Most items in a list or map a CEL evaluation may build.",
							NULL,
							&authz_cel_max_list_items,
							1000000, 1, 100000000,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("authz.cel_max_regex_size",
							"Longest regular expression, in bytes, a CEL evaluation will compile.",
							NULL,
							&authz_cel_max_regex_size,
							8192, 1, 1024 * 1024,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("authz.cel_regex_match_limit",
							"Backtracking steps one regular-expression match may take (PCRE2's match limit).",
							NULL,
							&authz_cel_regex_match_limit,
							1000000, 1, INT_MAX,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
}

/* Lets statement_timeout and query cancel end a long evaluation. */
static bool
evaluation_interrupted(void *state)
{
	CHECK_FOR_INTERRUPTS();
	return false;
}

/* A limit was hit: an ERROR that names its GUC and value. */
static void
evaluation_limit_exceeded(void *state, const char *limit)
{
	const char *guc = "authz.cel_max_iterations";

	if (strcmp(limit, CEL_LIMIT_STRING_BYTES) == 0)
		guc = "authz.cel_max_string_size";
	else if (strcmp(limit, CEL_LIMIT_LIST_ITEMS) == 0)
		guc = "authz.cel_max_list_items";
	else if (strcmp(limit, CEL_LIMIT_REGEX_BYTES) == 0)
		guc = "authz.cel_max_regex_size";
	else if (strcmp(limit, CEL_LIMIT_REGEX_MATCH) == 0)
		guc = "authz.cel_regex_match_limit";
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("CEL evaluation exceeded the limit %s = %s", guc,
					GetConfigOptionByName(guc, NULL, false)),
			 errhint("Simplify the condition or its input, or have a superuser raise %s.", guc)));
}

void
authz_cel_apply_limits(CelEvalContext *ctx)
{
	ctx->max_iterations = authz_cel_max_iterations;
	ctx->max_string_bytes = (size_t) authz_cel_max_string_size_kb * 1024;
	ctx->max_list_items = (size_t) authz_cel_max_list_items;
	ctx->max_regex_bytes = (size_t) authz_cel_max_regex_size;
	ctx->regex_match_limit = authz_cel_regex_match_limit;
	ctx->interrupted = evaluation_interrupted;
	ctx->limit_exceeded = evaluation_limit_exceeded;
}

void
authz_engine_apply_limits(EngineCheckOptions *opts)
{
	opts->max_iterations = authz_cel_max_iterations;
	opts->max_string_bytes = (size_t) authz_cel_max_string_size_kb * 1024;
	opts->max_list_items = (size_t) authz_cel_max_list_items;
	opts->max_regex_bytes = (size_t) authz_cel_max_regex_size;
	opts->regex_match_limit = authz_cel_regex_match_limit;
	opts->interrupted = evaluation_interrupted;
	opts->limit_exceeded = evaluation_limit_exceeded;
}
