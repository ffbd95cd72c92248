/*
 * cel_std.h — helpers of the standard library (std.c) that other parts of
 * the CEL engine reuse: Go-compatible number formatting and parsing, UTF-8
 * checks, and CEL's ordering of comparable values.
 */
#ifndef AUTHZ_CEL_STD_H
#define AUTHZ_CEL_STD_H

#include "cel_value.h"

/* Go's strconv.FormatFloat(d, 'g', -1, 64) (string(double)); buf >= 32. */
extern void cel_format_double(double d, char *buf, size_t size);

/* Go's strconv.ParseFloat(s, 64) (double(string)); false on any error. */
extern bool cel_parse_go_float(const char *s, size_t len, double *out);

/* Code points in UTF-8 text (size(string)). */
extern size_t cel_utf8_length(const char *s, size_t len);

/* Whether bytes are valid UTF-8, as Go's utf8.Valid. */
extern bool cel_utf8_valid(const char *s, size_t len);

/*
 * CEL ordering: -1, 0, 1; 2 when unordered (a NaN is involved); 3 when the
 * kinds cannot be compared.  int against uint compares exactly; int or uint
 * against double compares through float64, as cel-go does.
 */
extern int	cel_compare_values(CelValue a, CelValue b);

#endif							/* AUTHZ_CEL_STD_H */
