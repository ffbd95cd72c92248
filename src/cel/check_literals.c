/*
 * check_literals.c — the literal-argument validation Cerbos 0.55 runs after
 * type checking (cel-go's AST validators and the extensions' own): a call
 * whose literal argument would certainly fail at runtime is a compile
 * error, reported at the literal.
 *
 *   timestamp('...') / timestamp(<int>)   "invalid timestamp argument"
 *   duration('...')                       "invalid duration argument"
 *   ip('...') / cidr('...')               "invalid ip argument: <why>"
 *   '<fmt>'.format([...])                 the strings extension's message
 *   x.matches('<pattern>')                "invalid matches argument"
 */
#include "cel_check.h"
#include "cel_net.h"
#include "cel_regex.h"
#include "cel_strings.h"
#include "cel_time.h"

#include <string.h>

/* Reports message at node ref. */
static void
report_at(const CelAst *ast, CelNodeRef ref, DiagList *diags, bool *failed,
		  const char *message)
{
	int			line;
	int			column;

	*failed = true;
	if (diags == NULL)
		return;
	cel_offset_position(ast->source, ast->nodes[ref].offset, &line, &column);
	diag_add(diags, "<input>", line, column, "%s", message);
}

/* The single literal argument of a global call named fn, or -1. */
static CelNodeRef
literal_arg(const CelAst *ast, const CelExpr *e, const char *fn)
{
	CelNodeRef	a;

	if (e->u.call.target >= 0 || e->u.call.nargs != 1 ||
		strcmp(cel_ast_str(ast, e->u.call.function), fn) != 0)
		return CEL_NO_NODE;
	a = ast->args[e->u.call.args];
	return ast->nodes[a].kind == CEL_EXPR_CONST ? a : CEL_NO_NODE;
}

/* Validates the literal arguments of every call (see cel_check.h). */
void
cel_check_validate(CelAst *ast, Arena *arena, DiagList *diags, bool *failed)
{
	for (CelNodeRef i = 0; i < ast->nnodes; i++)
	{
		const CelExpr *e = &ast->nodes[i];
		CelNodeRef	a;
		CelNodeRef	bad;
		const char *msg;

		if (e->kind != CEL_EXPR_CALL)
			continue;
		if ((a = literal_arg(ast, e, "timestamp")) >= 0)
		{
			const CelConst *k = &ast->nodes[a].u.constant;
			CelValue	v = cel_null();

			if (k->kind == CEL_CONST_STRING)
				v = cel_timestamp_parse(arena, cel_ast_str(ast, k->u.str.off), k->u.str.len);
			else if (k->kind == CEL_CONST_INT)
				v = cel_timestamp_from_unix(arena, k->u.i);
			if (cel_is_error(v))
				report_at(ast, a, diags, failed, "invalid timestamp argument");
		}
		else if ((a = literal_arg(ast, e, "duration")) >= 0)
		{
			const CelConst *k = &ast->nodes[a].u.constant;

			if (k->kind == CEL_CONST_STRING &&
				cel_is_error(cel_duration_parse(arena, cel_ast_str(ast, k->u.str.off),
												k->u.str.len)))
				report_at(ast, a, diags, failed, "invalid duration argument");
		}
		else if ((a = literal_arg(ast, e, "ip")) >= 0 || (a = literal_arg(ast, e, "cidr")) >= 0)
		{
			const CelConst *k = &ast->nodes[a].u.constant;
			bool		is_ip = strcmp(cel_ast_str(ast, e->u.call.function), "ip") == 0;

			if (k->kind == CEL_CONST_STRING)
			{
				const char *s = cel_ast_str(ast, k->u.str.off);
				CelValue	v = is_ip ? cel_net_ip_parse(arena, s, k->u.str.len) :
					cel_net_cidr_parse(arena, s, k->u.str.len);

				if (cel_is_error(v))
					report_at(ast, a, diags, failed,
							  arena_printf(arena, "invalid %s argument: %s",
										   is_ip ? "ip" : "cidr", v.u.err->message));
			}
		}
		else
		{
			bad = CEL_NO_NODE;
			msg = NULL;
			if (!cel_strings_check_format(ast, i, arena, &bad, &msg))
				report_at(ast, bad >= 0 ? bad : i, diags, failed,
						  msg ? msg : "invalid format");
			bad = CEL_NO_NODE;
			msg = NULL;
			if (!cel_regex_check_call(ast, i, arena, &bad, &msg))
				report_at(ast, bad >= 0 ? bad : i, diags, failed,
						  msg ? msg : "invalid matches argument");
		}
	}
}
