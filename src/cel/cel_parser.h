/*
 * cel_parser.h — internals shared by the CEL lexer (lex.c), the parser
 * (parse.c, parse_build.c) and the macro expanders (parse_macros.c).  Not part of the
 * engine's public interface: everything outside the parser sees a CelAst.
 *
 * The parser builds the AST straight into three growable arrays (nodes,
 * argument runs, string pool).  Argument runs must be contiguous, so while a
 * call's arguments are being parsed their node refs wait on a scratch stack
 * and are copied into `args` once the call is complete.
 */
#ifndef AUTHZ_CEL_PARSER_H
#define AUTHZ_CEL_PARSER_H

#include "cel.h"

typedef enum CelTokKind
{
	TK_EOF = 0,
	TK_ERROR,					/* unrecognised input (lexer reported it) */
	TK_IDENT,
	TK_ESC_IDENT,				/* `backquoted` field name */
	TK_INT,
	TK_UINT,
	TK_DOUBLE,
	TK_STRING,
	TK_BYTES,
	TK_TRUE,
	TK_FALSE,
	TK_NULL,
	TK_IN,
	TK_EQ,						/* == */
	TK_NE,						/* != */
	TK_LT,
	TK_LE,
	TK_GT,
	TK_GE,
	TK_AND,						/* && */
	TK_OR,						/* || */
	TK_LBRACKET,
	TK_RBRACKET,
	TK_LBRACE,
	TK_RBRACE,
	TK_LPAREN,
	TK_RPAREN,
	TK_DOT,
	TK_COMMA,
	TK_MINUS,
	TK_NOT,
	TK_QUESTION,
	TK_COLON,
	TK_PLUS,
	TK_STAR,
	TK_SLASH,
	TK_PERCENT
} CelTokKind;

typedef struct CelToken
{
	CelTokKind	kind;
	int32_t		start;			/* byte offsets in the source */
	int32_t		end;
} CelToken;

typedef struct CelLexer
{
	const char *src;
	size_t		len;
	size_t		pos;
	bool		error;			/* a token recognition error was reported */
	char		error_text[64];
} CelLexer;

extern void cel_lex_init(CelLexer *lx, const char *src, size_t len);
extern CelToken cel_lex_next(CelLexer *lx);
/* Human text of a token for syntax errors ("'=='", "<EOF>"). */
extern const char *cel_tok_describe(const char *src, CelToken t, char *buf,
									size_t size);

/*
 * Decodes a string or bytes literal token (prefixes, quotes, escapes) into
 * an arena buffer; returns false with *err set when an escape is invalid.
 */
extern bool cel_lex_unquote(Arena *arena, const char *text, size_t len,
							bool is_bytes, char **out, size_t *out_len,
							const char **err);

typedef struct CelParser
{
	Arena	   *arena;
	const char *src;
	size_t		len;
	DiagList   *diags;
	CelLexer	lx;
	CelToken	tok;			/* current (lookahead) token */
	CelToken	prev;			/* last consumed */
	bool		failed;			/* an error was reported: result is NULL */
	bool		fatal;			/* stop parsing (limits, memory) */
	int			depth;
	int			max_depth;
	int			max_nodes;
	int			max_height;		/* tallest tree allowed (operator chains) */

	CelExpr    *nodes;
	int32_t		nnodes;
	int32_t		cap_nodes;
	int32_t    *args;
	uint32_t	nargs;
	uint32_t	cap_args;
	char	   *strings;
	uint32_t	strings_len;
	uint32_t	cap_strings;
	int32_t    *scratch;		/* pending argument refs */
	uint32_t	nscratch;
	uint32_t	cap_scratch;
	int32_t    *height;			/* per node: height of its subtree */
	uint32_t	cap_height;
} CelParser;

/* ---------- AST building (parse_build.c) ---------- */

/* Grows an arena array to hold need elements (false after reporting OOM). */
extern bool cel_pgrow(CelParser *p, void **arr, uint32_t *cap, uint32_t need,
					  size_t elem);
/* Records that child hangs below parent (tree height for the depth limit). */
extern void cel_pattach(CelParser *p, CelNodeRef parent, CelNodeRef child);

extern void cel_parse_error(CelParser *p, int32_t offset, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));
extern CelNodeRef cel_pnode(CelParser *p, CelExprKind kind, int32_t offset);
extern CelStrRef cel_pstr(CelParser *p, const char *s, size_t len);
extern void cel_pscratch_push(CelParser *p, CelNodeRef ref);
/* Moves scratch[mark..] into a fresh args run; returns its start. */
extern uint32_t cel_pscratch_commit(CelParser *p, uint32_t mark);
extern uint32_t cel_pargs_from(CelParser *p, const CelNodeRef *refs, uint32_t n);

/* Builders used by parser and macros. */
extern CelNodeRef cel_pmk_ident(CelParser *p, int32_t off, const char *name);
extern CelNodeRef cel_pmk_bool(CelParser *p, int32_t off, bool b);
extern CelNodeRef cel_pmk_int(CelParser *p, int32_t off, int64_t i);
extern CelNodeRef cel_pmk_string(CelParser *p, int32_t off, const char *s, size_t len);
extern CelNodeRef cel_pmk_call(CelParser *p, int32_t off, CelNodeRef target,
							   const char *function, const CelNodeRef *args,
							   uint32_t nargs);
extern CelNodeRef cel_pmk_list(CelParser *p, int32_t off, const CelNodeRef *elems,
							   uint32_t n);
extern CelNodeRef cel_pmk_map(CelParser *p, int32_t off);
extern CelNodeRef cel_pmk_comprehension(CelParser *p, int32_t off,
										CelNodeRef range, const char *iter,
										const char *iter2, const char *accu,
										CelNodeRef init, CelNodeRef cond,
										CelNodeRef step, CelNodeRef result);
/* Deep copy of a subtree (macros that use their target twice). */
extern CelNodeRef cel_pcopy(CelParser *p, CelNodeRef ref);

/* ---------- macros (parse_macros.c) ---------- */

/*
 * Expands a call if a macro matches (name, argument count, style).  Returns
 * true when the call was a macro (then *out is the expansion, or
 * CEL_NO_NODE after an error was reported); false to build a plain call.
 */
extern bool cel_expand_macro(CelParser *p, int32_t off, CelNodeRef target,
							 const char *function, const CelNodeRef *args,
							 uint32_t nargs, CelNodeRef *out);

#define CEL_ACCU_NAME "@result"
#define CEL_UNUSED_ITER "#unused"

#endif							/* AUTHZ_CEL_PARSER_H */
