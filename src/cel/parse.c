/*
 * parse.c — recursive-descent parser for CEL, producing the AST cel-go's
 * parser (v0.30, with optional syntax and the macros Cerbos enables) would
 * produce.
 *
 * Grammar, loosest binding first (as CEL.g4):
 *   expr     = or ['?' or ':' expr]
 *   or       = and {'||' and}            (built as a balanced tree)
 *   and      = relation {'&&' relation}  (likewise)
 *   relation = calc {('<'|'<='|'>='|'>'|'=='|'!='|'in') calc}
 *   calc     = mul {('+'|'-') mul};  mul = unary {('*'|'/'|'%') unary}
 *   unary    = member | '!'+ member | '-'+ member   (even counts cancel)
 *   member   = primary {'.' ['?'] name ['(' args ')'] | '[' ['?'] expr ']'}
 *   primary  = ['.'] ident ['(' args ')'] | '(' expr ')' | list | map
 *            | ['.'] ident {'.' ident} '{' fields '}' | literal
 * A '-' directly before a number literal is part of the literal, so
 * -9223372036854775808 is an int.  Node offsets are the ones cel-go records:
 * the operator token for operators, '(' for calls, '.' for selections,
 * '[' / '{' for indexing and aggregates.
 *
 * The AST arrays and node builders are in parse_build.c.
 *
 * Depth is bounded twice, at the points where Cerbos (cel-go) draws the
 * line: parser recursion (nested parentheses, arguments: "expression
 * recursion limit exceeded: 250") and the height of the resulting tree
 * (long operator or selection chains: "max recursion depth exceeded"
 * beyond 251 levels), so neither this parser nor the later recursive
 * stages can run out of stack.
 */
#include "cel_parser.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_DEPTH 250
#define DEFAULT_MAX_LENGTH 100000
#define DEFAULT_MAX_NODES 100000

static const char *const reserved_words[] = {
	"as", "break", "const", "continue", "else", "for", "function", "if",
	"import", "let", "loop", "package", "namespace", "return", "var", "void",
	"while", NULL
};

static const char *const primary_expected =
	"{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}";

/* ---------- errors ---------- */

/* A syntax error at the current token, then parsing stops. */
static void
syntax_error(CelParser *p, const char *expecting)
{
	char		desc[64];

	if (p->fatal)
		return;
	if (p->tok.kind == TK_ERROR)
		cel_parse_error(p, p->tok.start, "Syntax error: token recognition error at: '%s'",
						p->lx.error_text);
	else
		cel_parse_error(p, p->tok.start, "Syntax error: mismatched input %s expecting %s",
						cel_tok_describe(p->src, p->tok, desc, sizeof(desc)),
						expecting);
	p->fatal = true;
}

/* ---------- token stream ---------- */

/* Consumes the current token. */
static void
advance(CelParser *p)
{
	p->prev = p->tok;
	p->tok = cel_lex_next(&p->lx);
}

/* Consumes the current token if it is of the given kind. */
static bool
accept(CelParser *p, CelTokKind kind)
{
	if (p->tok.kind != kind)
		return false;
	advance(p);
	return true;
}

/* Consumes a token of the given kind or reports a syntax error. */
static bool
expect(CelParser *p, CelTokKind kind, const char *text)
{
	if (accept(p, kind))
		return true;
	syntax_error(p, text);
	return false;
}

/* Copy of the current token's text (NUL-terminated, in the arena). */
static char *
token_text(CelParser *p, CelToken t)
{
	char	   *s = arena_strndup(p->arena, p->src + t.start, (size_t) (t.end - t.start));

	if (s == NULL)
		p->fatal = true;
	return s;
}

static CelNodeRef parse_expr(CelParser *p);

/* ---------- literals ---------- */

/* An int or double literal token, negated when neg (the '-' at sign_off). */
static CelNodeRef
parse_number(CelParser *p, CelToken t, bool neg, int32_t off)
{
	char	   *text = token_text(p, t);
	CelNodeRef	r;

	if (text == NULL)
		return CEL_NO_NODE;
	r = cel_pnode(p, CEL_EXPR_CONST, off);
	if (r < 0)
		return r;
	if (t.kind == TK_DOUBLE)
	{
		double		d;

		errno = 0;
		d = strtod(text, NULL);
		if (isinf(d))
		{
			cel_parse_error(p, off, "invalid double literal");
			return CEL_NO_NODE;
		}
		p->nodes[r].u.constant.kind = CEL_CONST_DOUBLE;
		p->nodes[r].u.constant.u.d = neg ? -d : d;
		return r;
	}
	else
	{
		bool		is_uint = t.kind == TK_UINT;
		size_t		n = strlen(text);
		bool		hex = n > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
		uint64_t	v = 0;
		bool		overflow = false;

		if (is_uint)
			text[--n] = '\0';
		for (size_t i = hex ? 2 : 0; i < n; i++)
		{
			int			c = (unsigned char) text[i];
			unsigned	dv = (c >= '0' && c <= '9') ? (unsigned) (c - '0') :
				(c >= 'a' && c <= 'f') ? (unsigned) (c - 'a' + 10) : (unsigned) (c - 'A' + 10);
			unsigned	base = hex ? 16 : 10;

			if (v > (UINT64_MAX - dv) / base)
				overflow = true;
			v = v * base + dv;
		}
		if (is_uint)
		{
			if (overflow)
			{
				cel_parse_error(p, off, "invalid uint literal");
				return CEL_NO_NODE;
			}
			p->nodes[r].u.constant.kind = CEL_CONST_UINT;
			p->nodes[r].u.constant.u.u = v;
			return r;
		}
		if (overflow || v > (neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX))
		{
			cel_parse_error(p, off, "invalid int literal");
			return CEL_NO_NODE;
		}
		p->nodes[r].u.constant.kind = CEL_CONST_INT;
		p->nodes[r].u.constant.u.i = neg ? (int64_t) (0 - v) : (int64_t) v;
		return r;
	}
}

/* A string or bytes literal token. */
static CelNodeRef
parse_string_literal(CelParser *p, CelToken t)
{
	char	   *out;
	size_t		len;
	const char *err;
	bool		bytes = t.kind == TK_BYTES;
	CelNodeRef	r;

	if (!cel_lex_unquote(p->arena, p->src + t.start, (size_t) (t.end - t.start),
						 bytes, &out, &len, &err))
	{
		cel_parse_error(p, t.start, "%s", strcmp(err, "out of memory") == 0 ? err :
						"unable to unescape string");
		return CEL_NO_NODE;
	}
	r = cel_pmk_string(p, t.start, out, len);
	if (r >= 0 && bytes)
		p->nodes[r].u.constant.kind = CEL_CONST_BYTES;
	return r;
}

/* ---------- calls ---------- */

/*
 * Parses "( args )" with the '(' current; then expands a macro or builds
 * the call.  off is the '(' offset (cel-go's call position).
 */
static CelNodeRef
parse_call(CelParser *p, CelNodeRef target, const char *function)
{
	int32_t		off = p->tok.start;
	uint32_t	mark = p->nscratch;
	uint32_t	nargs;
	CelNodeRef *args;
	CelNodeRef	out;

	advance(p);					/* ( */
	if (p->tok.kind != TK_RPAREN)
	{
		for (;;)
		{
			CelNodeRef	a = parse_expr(p);

			if (p->fatal)
			{
				p->nscratch = mark;
				return CEL_NO_NODE;
			}
			cel_pscratch_push(p, a);
			if (!accept(p, TK_COMMA))
				break;
		}
	}
	if (!expect(p, TK_RPAREN, "{')', ','}"))
	{
		p->nscratch = mark;
		return CEL_NO_NODE;
	}
	nargs = p->nscratch - mark;
	/* copy: macro expansion may push onto the scratch stack itself */
	args = (CelNodeRef *) arena_alloc(p->arena, (nargs + 1) * sizeof(CelNodeRef));
	if (args == NULL)
	{
		p->fatal = true;
		return CEL_NO_NODE;
	}
	if (nargs > 0)
		memcpy(args, p->scratch + mark, nargs * sizeof(CelNodeRef));
	p->nscratch = mark;
	for (uint32_t i = 0; i < nargs; i++)
		if (args[i] < 0)
			return CEL_NO_NODE;
	if (target != CEL_NO_NODE || true)
	{
		if (cel_expand_macro(p, off, target, function, args, nargs, &out))
			return out;
	}
	return cel_pmk_call(p, off, target, function, args, nargs);
}

/* ---------- aggregates ---------- */

/* '[' [ ['?'] expr {',' ['?'] expr} ] [','] ']' */
static CelNodeRef
parse_list(CelParser *p)
{
	int32_t		off = p->tok.start;
	uint32_t	mark = p->nscratch;
	CelNodeRef *opts = NULL;
	uint32_t	nopts = 0;
	uint32_t	capopts = 0;
	uint32_t	n;
	CelNodeRef	r;

	advance(p);					/* [ */
	while (p->tok.kind != TK_RBRACKET)
	{
		bool		opt = accept(p, TK_QUESTION);
		CelNodeRef	e = parse_expr(p);

		if (p->fatal)
		{
			p->nscratch = mark;
			return CEL_NO_NODE;
		}
		if (opt)
		{
			if (!cel_pgrow(p, (void **) &opts, &capopts, nopts + 1, sizeof(CelNodeRef)))
				return CEL_NO_NODE;
			opts[nopts++] = (CelNodeRef) (p->nscratch - mark);
		}
		cel_pscratch_push(p, e);
		if (!accept(p, TK_COMMA))
			break;
	}
	if (!expect(p, TK_RBRACKET, "{']', ','}"))
	{
		p->nscratch = mark;
		return CEL_NO_NODE;
	}
	n = p->nscratch - mark;
	for (uint32_t i = 0; i < n; i++)
		if (p->scratch[mark + i] < 0)
		{
			p->nscratch = mark;
			return CEL_NO_NODE;
		}
	r = cel_pnode(p, CEL_EXPR_LIST, off);
	if (r < 0)
	{
		p->nscratch = mark;
		return r;
	}
	for (uint32_t i = 0; i < n; i++)
		cel_pattach(p, r, p->scratch[mark + i]);
	{
		uint32_t	start = cel_pscratch_commit(p, mark);
		uint32_t	ostart = cel_pargs_from(p, opts, nopts);

		p->nodes[r].u.list.elems = start;
		p->nodes[r].u.list.nelems = n;
		p->nodes[r].u.list.optional = ostart;
		p->nodes[r].u.list.noptional = nopts;
	}
	return r;
}

/* '{' [ ['?'] key ':' value {',' ...} ] [','] '}' */
static CelNodeRef
parse_map(CelParser *p)
{
	int32_t		off = p->tok.start;
	uint32_t	mark = p->nscratch;
	CelNodeRef *opts = NULL;
	uint32_t	nopts = 0;
	uint32_t	capopts = 0;
	uint32_t	n;
	CelNodeRef	r;

	advance(p);					/* { */
	while (p->tok.kind != TK_RBRACE)
	{
		bool		opt = accept(p, TK_QUESTION);
		CelNodeRef	k = parse_expr(p);
		CelNodeRef	v;

		if (p->fatal || !expect(p, TK_COLON, "{':'}"))
		{
			p->nscratch = mark;
			return CEL_NO_NODE;
		}
		v = parse_expr(p);
		if (p->fatal)
		{
			p->nscratch = mark;
			return CEL_NO_NODE;
		}
		if (opt)
		{
			if (!cel_pgrow(p, (void **) &opts, &capopts, nopts + 1, sizeof(CelNodeRef)))
				return CEL_NO_NODE;
			opts[nopts++] = (CelNodeRef) ((p->nscratch - mark) / 2);
		}
		cel_pscratch_push(p, k);
		cel_pscratch_push(p, v);
		if (!accept(p, TK_COMMA))
			break;
	}
	if (!expect(p, TK_RBRACE, "{'}', ','}"))
	{
		p->nscratch = mark;
		return CEL_NO_NODE;
	}
	n = p->nscratch - mark;
	for (uint32_t i = 0; i < n; i++)
		if (p->scratch[mark + i] < 0)
		{
			p->nscratch = mark;
			return CEL_NO_NODE;
		}
	r = cel_pnode(p, CEL_EXPR_MAP, off);
	if (r < 0)
	{
		p->nscratch = mark;
		return r;
	}
	for (uint32_t i = 0; i < n; i++)
		cel_pattach(p, r, p->scratch[mark + i]);
	{
		uint32_t	start = cel_pscratch_commit(p, mark);
		uint32_t	ostart = cel_pargs_from(p, opts, nopts);

		p->nodes[r].u.map.entries = start;
		p->nodes[r].u.map.nentries = n / 2;
		p->nodes[r].u.map.optional = ostart;
		p->nodes[r].u.map.noptional = nopts;
	}
	return r;
}

/* Field name of an identifier or `escaped` token (arena copy). */
static char *
field_name(CelParser *p, CelToken t)
{
	if (t.kind == TK_ESC_IDENT)
	{
		char	   *s = arena_strndup(p->arena, p->src + t.start + 1,
									  (size_t) (t.end - t.start - 2));

		if (s == NULL)
			p->fatal = true;
		return s;
	}
	return token_text(p, t);
}

/* Msg{field: value, ...} with the '{' current; name is the type name. */
static CelNodeRef
parse_struct(CelParser *p, const char *name)
{
	int32_t		off = p->tok.start;
	uint32_t	mark = p->nscratch;
	uint32_t	n;
	CelNodeRef	r;

	advance(p);					/* { */
	while (p->tok.kind != TK_RBRACE)
	{
		char	   *fname;
		CelNodeRef	v;

		(void) accept(p, TK_QUESTION);
		if (p->tok.kind != TK_IDENT && p->tok.kind != TK_ESC_IDENT)
		{
			syntax_error(p, "{'?', IDENTIFIER, ESC_IDENTIFIER}");
			p->nscratch = mark;
			return CEL_NO_NODE;
		}
		fname = field_name(p, p->tok);
		advance(p);
		if (fname == NULL || !expect(p, TK_COLON, "{':'}"))
		{
			p->nscratch = mark;
			return CEL_NO_NODE;
		}
		v = parse_expr(p);
		if (p->fatal)
		{
			p->nscratch = mark;
			return CEL_NO_NODE;
		}
		cel_pscratch_push(p, (int32_t) cel_pstr(p, fname, strlen(fname)));
		cel_pscratch_push(p, v);
		if (!accept(p, TK_COMMA))
			break;
	}
	if (!expect(p, TK_RBRACE, "{'}', ','}"))
	{
		p->nscratch = mark;
		return CEL_NO_NODE;
	}
	n = p->nscratch - mark;
	r = cel_pnode(p, CEL_EXPR_STRUCT, off);
	if (r < 0)
	{
		p->nscratch = mark;
		return r;
	}
	for (uint32_t i = 1; i < n; i += 2)
		cel_pattach(p, r, p->scratch[mark + i]);
	{
		uint32_t	start = cel_pscratch_commit(p, mark);
		CelStrRef	tn = cel_pstr(p, name, strlen(name));

		p->nodes[r].u.strct.type_name = tn;
		p->nodes[r].u.strct.fields = start;
		p->nodes[r].u.strct.nfields = n / 2;
	}
	return r;
}

/* ---------- primaries and members ---------- */

/* Whether a name is one of CEL's reserved words. */
static bool
is_reserved(const char *name)
{
	for (int i = 0; reserved_words[i] != NULL; i++)
		if (strcmp(reserved_words[i], name) == 0)
			return true;
	return false;
}

/* Whether IDENT {'.' IDENT} '{' follows (a message literal). */
static bool
looks_like_struct(CelParser *p)
{
	CelLexer	save = p->lx;
	CelToken	t = p->tok;
	bool		result = false;

	for (;;)
	{
		if (t.kind != TK_IDENT)
			break;
		t = cel_lex_next(&p->lx);
		if (t.kind == TK_LBRACE)
		{
			result = true;
			break;
		}
		if (t.kind != TK_DOT)
			break;
		t = cel_lex_next(&p->lx);
	}
	p->lx = save;
	return result;
}

/* An identifier, a global call or a message literal (IDENT current). */
static CelNodeRef
parse_ident_primary(CelParser *p, bool leading_dot)
{
	CelToken	id = p->tok;
	char	   *name;
	char	   *full;

	if (looks_like_struct(p))
	{
		size_t		cap = (size_t) 1 + (leading_dot ? 1 : 0);
		char	   *type_name;

		/* gather the dotted type name */
		type_name = arena_strdup(p->arena, leading_dot ? "." : "");
		while (type_name != NULL && p->tok.kind == TK_IDENT)
		{
			char	   *part = token_text(p, p->tok);

			if (part == NULL)
				return CEL_NO_NODE;
			type_name = arena_printf(p->arena, "%s%s", type_name, part);
			advance(p);
			if (p->tok.kind == TK_DOT)
			{
				type_name = type_name ? arena_printf(p->arena, "%s.", type_name) : NULL;
				advance(p);
			}
		}
		(void) cap;
		if (type_name == NULL)
		{
			p->fatal = true;
			return CEL_NO_NODE;
		}
		return parse_struct(p, type_name);
	}
	name = token_text(p, id);
	if (name == NULL)
		return CEL_NO_NODE;
	advance(p);
	if (is_reserved(name))
	{
		cel_parse_error(p, id.start, "reserved identifier: %s", name);
		return CEL_NO_NODE;
	}
	full = leading_dot ? arena_printf(p->arena, ".%s", name) : name;
	if (full == NULL)
	{
		p->fatal = true;
		return CEL_NO_NODE;
	}
	if (p->tok.kind == TK_LPAREN)
		return parse_call(p, CEL_NO_NODE, full);
	return cel_pmk_ident(p, id.start, full);
}

/* primary; neg_literal: a single '-' was seen before a number literal. */
static CelNodeRef
parse_primary(CelParser *p)
{
	CelToken	t = p->tok;
	CelNodeRef	r;

	switch (t.kind)
	{
		case TK_DOT:
			advance(p);
			if (p->tok.kind != TK_IDENT)
			{
				syntax_error(p, "IDENTIFIER");
				return CEL_NO_NODE;
			}
			return parse_ident_primary(p, true);
		case TK_IDENT:
			return parse_ident_primary(p, false);
		case TK_LPAREN:
			advance(p);
			r = parse_expr(p);
			if (p->fatal)
				return CEL_NO_NODE;
			if (!accept(p, TK_RPAREN))
			{
				char		desc[64];

				/* ANTLR's single-token insertion wording */
				cel_parse_error(p, p->tok.start, "Syntax error: missing ')' at %s",
								cel_tok_describe(p->src, p->tok, desc, sizeof(desc)));
				p->fatal = true;
				return CEL_NO_NODE;
			}
			return r;
		case TK_LBRACKET:
			return parse_list(p);
		case TK_LBRACE:
			return parse_map(p);
		case TK_MINUS:
			/* a signed number literal */
			advance(p);
			if (p->tok.kind == TK_INT || p->tok.kind == TK_DOUBLE)
			{
				CelToken	num = p->tok;

				advance(p);
				return parse_number(p, num, true, t.start);
			}
			syntax_error(p, primary_expected);
			return CEL_NO_NODE;
		case TK_INT:
		case TK_UINT:
		case TK_DOUBLE:
			advance(p);
			return parse_number(p, t, false, t.start);
		case TK_STRING:
		case TK_BYTES:
			advance(p);
			return parse_string_literal(p, t);
		case TK_TRUE:
		case TK_FALSE:
			advance(p);
			return cel_pmk_bool(p, t.start, t.kind == TK_TRUE);
		case TK_NULL:
			advance(p);
			r = cel_pnode(p, CEL_EXPR_CONST, t.start);
			if (r >= 0)
				p->nodes[r].u.constant.kind = CEL_CONST_NULL;
			return r;
		default:
			syntax_error(p, primary_expected);
			return CEL_NO_NODE;
	}
}

/* primary followed by selections, member calls and indexing. */
static CelNodeRef
parse_member(CelParser *p)
{
	CelNodeRef	r = parse_primary(p);

	while (!p->fatal)
	{
		CelToken	op = p->tok;

		if (op.kind == TK_DOT)
		{
			bool		opt;
			CelToken	id;
			char	   *name;

			advance(p);
			opt = accept(p, TK_QUESTION);
			id = p->tok;
			if (id.kind != TK_IDENT && id.kind != TK_ESC_IDENT)
			{
				if (id.kind == TK_ERROR)
					syntax_error(p, "");
				else
				{
					cel_parse_error(p, id.start, "Syntax error: no viable alternative at input '%.*s'",
									id.kind == TK_EOF ? 1 : (int) (id.end - op.start),
									p->src + op.start);
					p->fatal = true;
				}
				return CEL_NO_NODE;
			}
			name = field_name(p, id);
			if (name == NULL)
				return CEL_NO_NODE;
			advance(p);
			if (!opt && id.kind == TK_IDENT && p->tok.kind == TK_LPAREN)
			{
				if (r < 0)
					return CEL_NO_NODE;
				r = parse_call(p, r, name);
				continue;
			}
			if (r < 0)
				continue;
			if (opt)
			{
				CelNodeRef	args[2];

				args[0] = r;
				args[1] = cel_pmk_string(p, id.start, name, strlen(name));
				r = cel_pmk_call(p, op.start, CEL_NO_NODE, "_?._", args, 2);
			}
			else
			{
				CelNodeRef	s = cel_pnode(p, CEL_EXPR_SELECT, op.start);

				if (s >= 0)
				{
					CelStrRef	f = cel_pstr(p, name, strlen(name));

					p->nodes[s].u.select.operand = r;
					p->nodes[s].u.select.field = f;
					cel_pattach(p, s, r);
				}
				r = s;
			}
		}
		else if (op.kind == TK_LBRACKET)
		{
			bool		opt;
			CelNodeRef	args[2];

			advance(p);
			opt = accept(p, TK_QUESTION);
			args[1] = parse_expr(p);
			if (p->fatal || !expect(p, TK_RBRACKET, "']'"))
				return CEL_NO_NODE;
			args[0] = r;
			if (r < 0 || args[1] < 0)
			{
				r = CEL_NO_NODE;
				continue;
			}
			r = cel_pmk_call(p, op.start, CEL_NO_NODE, opt ? "_[?_]" : "_[_]", args, 2);
		}
		else
			break;
	}
	return r;
}

/* '!'* / '-'* prefixes; pairs cancel out as in cel-go. */
static CelNodeRef
parse_unary(CelParser *p)
{
	CelToken	first = p->tok;
	int			count = 0;
	CelNodeRef	r;

	if (first.kind == TK_NOT)
	{
		while (accept(p, TK_NOT))
			count++;
		r = parse_member(p);
		if (count % 2 == 0 || r < 0)
			return r;
		return cel_pmk_call(p, first.start, CEL_NO_NODE, "!_", &r, 1);
	}
	if (first.kind == TK_MINUS)
	{
		CelLexer	save = p->lx;
		CelToken	next = cel_lex_next(&p->lx);

		p->lx = save;
		/* exactly one '-' before a number: a negative literal */
		if (next.kind == TK_INT || next.kind == TK_DOUBLE)
			return parse_member(p);
		while (accept(p, TK_MINUS))
			count++;
		r = parse_member(p);
		if (count % 2 == 0 || r < 0)
			return r;
		return cel_pmk_call(p, first.start, CEL_NO_NODE, "-_", &r, 1);
	}
	return parse_member(p);
}

/* Left-associative binary levels. */
static CelNodeRef
parse_mul(CelParser *p)
{
	CelNodeRef	l = parse_unary(p);

	while (!p->fatal)
	{
		const char *fn;
		CelToken	op = p->tok;
		CelNodeRef	args[2];

		if (op.kind == TK_STAR)
			fn = "_*_";
		else if (op.kind == TK_SLASH)
			fn = "_/_";
		else if (op.kind == TK_PERCENT)
			fn = "_%_";
		else
			break;
		advance(p);
		args[0] = l;
		args[1] = parse_unary(p);
		l = cel_pmk_call(p, op.start, CEL_NO_NODE, fn, args, 2);
	}
	return l;
}

/* calc = mul {('+'|'-') mul} */
static CelNodeRef
parse_add(CelParser *p)
{
	CelNodeRef	l = parse_mul(p);

	while (!p->fatal)
	{
		const char *fn;
		CelToken	op = p->tok;
		CelNodeRef	args[2];

		if (op.kind == TK_PLUS)
			fn = "_+_";
		else if (op.kind == TK_MINUS)
			fn = "_-_";
		else
			break;
		advance(p);
		args[0] = l;
		args[1] = parse_mul(p);
		l = cel_pmk_call(p, op.start, CEL_NO_NODE, fn, args, 2);
	}
	return l;
}

/* relation = calc {relop calc}, all relations at one level. */
static CelNodeRef
parse_relation(CelParser *p)
{
	CelNodeRef	l = parse_add(p);

	while (!p->fatal)
	{
		const char *fn;
		CelToken	op = p->tok;
		CelNodeRef	args[2];

		switch (op.kind)
		{
			case TK_LT:
				fn = "_<_";
				break;
			case TK_LE:
				fn = "_<=_";
				break;
			case TK_GT:
				fn = "_>_";
				break;
			case TK_GE:
				fn = "_>=_";
				break;
			case TK_EQ:
				fn = "_==_";
				break;
			case TK_NE:
				fn = "_!=_";
				break;
			case TK_IN:
				fn = "@in";
				break;
			default:
				return l;
		}
		advance(p);
		args[0] = l;
		args[1] = parse_add(p);
		l = cel_pmk_call(p, op.start, CEL_NO_NODE, fn, args, 2);
	}
	return l;
}

/* Balanced tree over terms[lo..hi+1] joined by ops[lo..hi], as cel-go. */
static CelNodeRef
balanced(CelParser *p, const char *fn, CelNodeRef *terms, int32_t *ops,
		 int lo, int hi)
{
	int			mid = (lo + hi + 1) / 2;
	CelNodeRef	args[2];

	args[0] = mid == lo ? terms[mid] : balanced(p, fn, terms, ops, lo, mid - 1);
	args[1] = mid == hi ? terms[mid + 1] : balanced(p, fn, terms, ops, mid + 1, hi);
	return cel_pmk_call(p, ops[mid], CEL_NO_NODE, fn, args, 2);
}

/* a && b && ... or a || b || ... */
static CelNodeRef
parse_logic(CelParser *p, bool is_or)
{
	CelTokKind	kind = is_or ? TK_OR : TK_AND;
	CelNodeRef	first = is_or ? parse_logic(p, false) : parse_relation(p);
	CelNodeRef *terms = NULL;
	int32_t    *ops = NULL;
	uint32_t	n = 0;
	uint32_t	capt = 0;
	uint32_t	capo = 0;

	if (p->tok.kind != kind || p->fatal)
		return first;
	if (!cel_pgrow(p, (void **) &terms, &capt, 1, sizeof(CelNodeRef)))
		return CEL_NO_NODE;
	terms[n++] = first;
	while (p->tok.kind == kind && !p->fatal)
	{
		if (!cel_pgrow(p, (void **) &terms, &capt, n + 1, sizeof(CelNodeRef)) ||
			!cel_pgrow(p, (void **) &ops, &capo, n, sizeof(int32_t)))
			return CEL_NO_NODE;
		ops[n - 1] = p->tok.start;
		advance(p);
		terms[n++] = is_or ? parse_logic(p, false) : parse_relation(p);
	}
	if (p->fatal)
		return CEL_NO_NODE;
	for (uint32_t i = 0; i < n; i++)
		if (terms[i] < 0)
			return CEL_NO_NODE;
	return balanced(p, is_or ? "_||_" : "_&&_", terms, ops, 0, (int) n - 2);
}

/* expr = or ['?' or ':' expr] */
static CelNodeRef
parse_expr(CelParser *p)
{
	CelNodeRef	c;

	if (p->fatal)
		return CEL_NO_NODE;
	if (++p->depth > p->max_depth)
	{
		cel_parse_error(p, p->tok.start, "expression recursion limit exceeded: %d",
						p->max_depth);
		p->fatal = true;
		p->depth--;
		return CEL_NO_NODE;
	}
	c = parse_logic(p, true);
	if (p->tok.kind == TK_QUESTION && !p->fatal)
	{
		CelToken	q = p->tok;
		CelNodeRef	args[3];

		advance(p);
		args[0] = c;
		args[1] = parse_logic(p, true);
		if (!p->fatal && expect(p, TK_COLON, "':'"))
		{
			args[2] = parse_expr(p);
			c = cel_pmk_call(p, q.start, CEL_NO_NODE, "_?_:_", args, 3);
		}
		else
			c = CEL_NO_NODE;
	}
	p->depth--;
	return c;
}

/* ---------- entry point ---------- */

/* Limits used when a caller passes no options (cel_parse_set_defaults). */
static CelParseOptions default_options;

/*
 * Sets the limits of every cel_parse call made without options: policy
 * conditions are parsed in several stages (compiler, engine, image) that
 * all take them from here, so the embedding layer sets them once (pg/
 * from its GUCs).  Zero fields keep the built-in defaults.
 */
void
cel_parse_set_defaults(const CelParseOptions *options)
{
	if (options)
		default_options = *options;
	else
		memset(&default_options, 0, sizeof(default_options));
}

/* Parses a whole expression into a fresh CelAst (NULL with diags on error). */
CelAst *
cel_parse(Arena *arena, const char *source, size_t len,
		  const CelParseOptions *options, DiagList *diags)
{
	CelParser	p;
	CelNodeRef	root;
	CelAst	   *ast;
	size_t		max_length;

	if (options == NULL)
		options = &default_options;
	max_length = options->max_length ? options->max_length : DEFAULT_MAX_LENGTH;
	memset(&p, 0, sizeof(p));
	p.arena = arena;
	p.src = source;
	p.len = len;
	p.diags = diags;
	p.max_depth = options && options->max_depth > 0 ? options->max_depth : DEFAULT_MAX_DEPTH;
	p.max_nodes = options && options->max_nodes > 0 ? options->max_nodes : DEFAULT_MAX_NODES;
	/* cel-go accepts trees up to one level taller than its depth limit */
	p.max_height = p.max_depth + 1;
	if (source == NULL)
		source = p.src = "";
	if (len > max_length)
	{
		/* the limit counts code points, as cel-go's does */
		size_t		points = 0;

		for (size_t i = 0; i < len; i++)
			if (((unsigned char) source[i] & 0xC0) != 0x80)
				points++;
		if (points > max_length)
		{
			cel_parse_error(&p, 0, "expression code point size exceeds limit: size: %zu, limit %zu",
							points, max_length);
			return NULL;
		}
	}
	/* the string pool starts with "" at offset 0 */
	if (!cel_pgrow(&p, (void **) &p.strings, &p.cap_strings, 1, 1))
		return NULL;
	p.strings[0] = '\0';
	p.strings_len = 1;

	cel_lex_init(&p.lx, source, len);
	p.tok = cel_lex_next(&p.lx);
	root = parse_expr(&p);
	if (!p.fatal && !p.failed && p.tok.kind != TK_EOF)
	{
		char		desc[64];

		if (p.tok.kind == TK_ERROR)
			syntax_error(&p, "<EOF>");
		else
			cel_parse_error(&p, p.tok.start, "Syntax error: extraneous input %s expecting <EOF>",
							cel_tok_describe(p.src, p.tok, desc, sizeof(desc)));
	}
	if (p.failed || p.fatal || root < 0 || arena->failed)
	{
		if (!p.failed)
			cel_parse_error(&p, 0, "out of memory");
		return NULL;
	}
	/* never leave the argument array NULL: consumers index into it freely */
	if (p.args == NULL && !cel_pgrow(&p, (void **) &p.args, &p.cap_args, 1, sizeof(int32_t)))
		return NULL;
	ast = (CelAst *) arena_alloc0(arena, sizeof(CelAst));
	if (ast == NULL)
		return NULL;
	ast->nodes = p.nodes;
	ast->nnodes = p.nnodes;
	ast->args = p.args;
	ast->nargs = p.nargs;
	ast->strings = p.strings;
	ast->strings_len = p.strings_len;
	ast->root = root;
	ast->source = arena_strndup(arena, source, len);
	return ast;
}
