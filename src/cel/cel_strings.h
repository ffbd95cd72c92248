/*
 * cel_strings.h — entry points of the strings extension beyond its
 * overload table: string.format() for the evaluator and the compile-time
 * check cel-go runs on format calls with a literal format string and a
 * list-literal argument (Cerbos rejects "%d".format(["a"]) when compiling).
 */
#ifndef AUTHZ_CEL_STRINGS_H
#define AUTHZ_CEL_STRINGS_H

#include "cel_ast.h"
#include "cel_func.h"
#include "cel_strbuf.h"

/* "<fmt>".format(args) as cel-go's strings extension (formatting v2) does. */
extern CelValue cel_strings_format(CelEvalContext *ctx, const char *fmt,
								   size_t len, const CelList *args);

/*
 * Appends v as the %s clause renders it; returns NULL or, for a value %s
 * cannot render, the error text ("string clause can only be used on ...").
 */
extern const char *cel_format_append_string(CelStrBuf *sb, CelValue v);

/* Appends v as Go's fmt %v prints the cel-go value (for messages). */
extern void cel_format_append_go_value(CelStrBuf *sb, CelValue v, int depth);

/* Appends d as Go's strconv.FormatFloat(d, 'f', -1, 64) ("-0", "1e+21" never). */
extern void cel_format_append_shortest(CelStrBuf *sb, double d);

/*
 * The shortest round-tripping decimal digits of a finite non-zero d: fills
 * digits (at least 17 bytes), sets *exp10 to the power of ten of the first
 * digit and returns the number of digits.
 */
extern int	cel_format_shortest_digits(double d, char *digits, int *exp10);

/* cel-go's type name of a runtime value in messages ("int", "list",
 * "null_type", "google.protobuf.Duration", "optional_type", ...). */
extern const char *cel_format_value_type_name(CelValue v);

/*
 * The checker's validation of one call node of the typed AST.  Applies when
 * the node is a member call "format" whose target is a string literal and
 * whose only argument is a list literal; otherwise returns true.  On a
 * problem returns false with *message (cel-go's wording) and *node (the
 * node to report the position of: the offending list element, or the call).
 */
extern bool cel_strings_check_format(const CelAst *ast, CelNodeRef call,
									 Arena *arena, CelNodeRef *node,
									 const char **message);

#endif							/* AUTHZ_CEL_STRINGS_H */
