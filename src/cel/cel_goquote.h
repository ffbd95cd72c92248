/*
 * cel_goquote.h — Go's strconv.Quote, for error messages that cel-go and
 * Cerbos build with %q (timestamps, IP addresses, CIDRs, SPIFFE ids).
 */
#ifndef AUTHZ_CEL_GOQUOTE_H
#define AUTHZ_CEL_GOQUOTE_H

#include <stddef.h>

#include "../common/arena.h"

/*
 * s[0..len) as a Go double-quoted string literal: printable UTF-8 kept,
 * '"' and '\\' escaped, control characters as \n, \t, \x00, \u0085...,
 * invalid UTF-8 bytes as \xff.  NUL-terminated, in the arena; NULL if the
 * arena fails.
 */
extern char *cel_go_quote(Arena *arena, const char *s, size_t len);

#endif							/* AUTHZ_CEL_GOQUOTE_H */
