/*
 * cel_ast_dump.h — renders a CelAst as a compact S-expression for the
 * parser and checker tests: idents bare, calls as fn(args) or
 * target.fn(args), selects as a.f (has: a.f~test), lists [..], maps {k:v},
 * comprehensions as __comp__(iter, range, accu, init, cond, step, result).
 */
#ifndef CEL_AST_DUMP_H
#define CEL_AST_DUMP_H

#include "cel/cel.h"

#include <stdio.h>
#include <string.h>

static void
dump_node(const CelAst *ast, CelNodeRef r, char *buf, size_t size)
{
	const CelExpr *e = cel_ast_node(ast, r);
	size_t		n = strlen(buf);
	char	   *out = buf + n;
	size_t		left = size - n;

#define PUT(...) do { snprintf(out, left, __VA_ARGS__); n = strlen(buf); out = buf + n; left = size - n; } while (0)
	switch (e->kind)
	{
		case CEL_EXPR_CONST:
			switch (e->u.constant.kind)
			{
				case CEL_CONST_NULL: PUT("null"); break;
				case CEL_CONST_BOOL: PUT("%s", e->u.constant.u.b ? "true" : "false"); break;
				case CEL_CONST_INT: PUT("%lld", (long long) e->u.constant.u.i); break;
				case CEL_CONST_UINT: PUT("%lluu", (unsigned long long) e->u.constant.u.u); break;
				case CEL_CONST_DOUBLE: PUT("%g", e->u.constant.u.d); break;
				case CEL_CONST_STRING: PUT("\"%s\"", cel_ast_str(ast, e->u.constant.u.str.off)); break;
				case CEL_CONST_BYTES:
					PUT("b\"");
					for (uint32_t i = 0; i < e->u.constant.u.str.len; i++)
						PUT("\\x%02x", (unsigned char) cel_ast_str(ast, e->u.constant.u.str.off)[i]);
					PUT("\"");
					break;
			}
			break;
		case CEL_EXPR_IDENT:
			PUT("%s", cel_ast_str(ast, e->u.ident.name));
			break;
		case CEL_EXPR_SELECT:
			dump_node(ast, e->u.select.operand, buf, size);
			n = strlen(buf); out = buf + n; left = size - n;
			PUT(".%s%s", cel_ast_str(ast, e->u.select.field),
				(e->flags & CEL_EXPR_F_TEST_ONLY) ? "~test" : "");
			break;
		case CEL_EXPR_CALL:
			if (e->u.call.target >= 0)
			{
				dump_node(ast, e->u.call.target, buf, size);
				n = strlen(buf); out = buf + n; left = size - n;
				PUT(".");
			}
			PUT("%s(", cel_ast_str(ast, e->u.call.function));
			for (uint32_t i = 0; i < e->u.call.nargs; i++)
			{
				if (i) PUT(", ");
				dump_node(ast, ast->args[e->u.call.args + i], buf, size);
				n = strlen(buf); out = buf + n; left = size - n;
			}
			PUT(")");
			break;
		case CEL_EXPR_LIST:
			PUT("[");
			for (uint32_t i = 0; i < e->u.list.nelems; i++)
			{
				bool opt = false;
				for (uint32_t j = 0; j < e->u.list.noptional; j++)
					if ((uint32_t) ast->args[e->u.list.optional + j] == i) opt = true;
				if (i) PUT(", ");
				if (opt) PUT("?");
				dump_node(ast, ast->args[e->u.list.elems + i], buf, size);
				n = strlen(buf); out = buf + n; left = size - n;
			}
			PUT("]");
			break;
		case CEL_EXPR_MAP:
			PUT("{");
			for (uint32_t i = 0; i < e->u.map.nentries; i++)
			{
				bool opt = false;
				for (uint32_t j = 0; j < e->u.map.noptional; j++)
					if ((uint32_t) ast->args[e->u.map.optional + j] == i) opt = true;
				if (i) PUT(", ");
				if (opt) PUT("?");
				dump_node(ast, ast->args[e->u.map.entries + 2 * i], buf, size);
				n = strlen(buf); out = buf + n; left = size - n;
				PUT(": ");
				dump_node(ast, ast->args[e->u.map.entries + 2 * i + 1], buf, size);
				n = strlen(buf); out = buf + n; left = size - n;
			}
			PUT("}");
			break;
		case CEL_EXPR_STRUCT:
			PUT("%s{", cel_ast_str(ast, e->u.strct.type_name));
			for (uint32_t i = 0; i < e->u.strct.nfields; i++)
			{
				if (i) PUT(", ");
				PUT("%s: ", cel_ast_str(ast, (CelStrRef) ast->args[e->u.strct.fields + 2 * i]));
				dump_node(ast, ast->args[e->u.strct.fields + 2 * i + 1], buf, size);
				n = strlen(buf); out = buf + n; left = size - n;
			}
			PUT("}");
			break;
		case CEL_EXPR_COMPREHENSION:
			PUT("__comp__(%s%s%s, ", cel_ast_str(ast, e->u.comp.iter_var),
				e->u.comp.iter_var2 ? "," : "", cel_ast_str(ast, e->u.comp.iter_var2));
			dump_node(ast, e->u.comp.iter_range, buf, size);
			n = strlen(buf); out = buf + n; left = size - n;
			PUT(", %s, ", cel_ast_str(ast, e->u.comp.accu_var));
			dump_node(ast, e->u.comp.accu_init, buf, size);
			n = strlen(buf); out = buf + n; left = size - n;
			PUT(", ");
			dump_node(ast, e->u.comp.loop_cond, buf, size);
			n = strlen(buf); out = buf + n; left = size - n;
			PUT(", ");
			dump_node(ast, e->u.comp.loop_step, buf, size);
			n = strlen(buf); out = buf + n; left = size - n;
			PUT(", ");
			dump_node(ast, e->u.comp.result, buf, size);
			n = strlen(buf); out = buf + n; left = size - n;
			PUT(")");
			break;
	}
#undef PUT
}

/* The whole tree as text (static buffer). */
static const char *
dump_ast(const CelAst *ast)
{
	static char buf[8192];

	buf[0] = '\0';
	if (ast == NULL)
		return "(null)";
	dump_node(ast, ast->root, buf, sizeof(buf));
	return buf;
}

#endif
