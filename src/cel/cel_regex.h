/*
 * cel_regex.h — regular expressions with Go's RE2 syntax, run by PCRE2.
 *
 * CEL (cel-go) uses Go's regexp package: RE2 syntax, no backreferences or
 * lookaround, linear-time matching.  authz checks every pattern against
 * that grammar itself (accepting and rejecting exactly what Go does, with
 * Go's messages), translates it into an equivalent PCRE2 pattern and runs
 * it under a match limit, so a pattern Go would reject is an error here too
 * and no input makes a match run unbounded.
 */
#ifndef AUTHZ_CEL_REGEX_H
#define AUTHZ_CEL_REGEX_H

#include "cel_ast.h"
#include "cel_func.h"

/*
 * Checks a pattern against Go's regexp syntax.  Returns NULL when Go would
 * accept it, otherwise Go's message ("error parsing regexp: missing
 * closing ): `a(`"), allocated in the arena.  The checker calls this for
 * literal patterns (Cerbos rejects a bad literal regex at compile time).
 */
extern const char *cel_regex_check(Arena *arena, const char *pattern,
								   size_t len);

/*
 * The checker's validation of one call node of the typed AST, as Cerbos
 * 0.55 does it: a member call x.matches('<string literal>') whose pattern
 * Go rejects is a compile error "invalid matches argument" reported at the
 * literal (the global form matches(x, '<literal>') and the regex.*
 * functions fail only when evaluated).  Returns true when the node is fine
 * or not such a call; otherwise false with *node and *message.
 */
extern bool cel_regex_check_call(const CelAst *ast, CelNodeRef call,
								 Arena *arena, CelNodeRef *node,
								 const char **message);

/*
 * The translation behind cel_regex_check (re2_syntax.c): on success returns
 * NULL and sets *out and *outlen to an equivalent PCRE2 pattern (to compile with
 * PCRE2_UTF | PCRE2_DOLLAR_ENDONLY and newline LF) and *ncap to the number
 * of capturing groups.
 */
extern const char *cel_regex_translate(Arena *arena, const char *pattern,
									   size_t len, char **out, size_t *outlen,
									   int *ncap);

/*
 * A compile cache that outlives evaluations, for CelEvalContext.regex_cache.
 * When regex_cache is NULL each call compiles its pattern into the
 * evaluation's arena instead.  The cache holds at most `capacity` patterns
 * (0 = 128) in malloc'd memory; it is not thread-safe.
 */
typedef struct CelRegexCache CelRegexCache;

extern CelRegexCache *cel_regex_cache_create(int capacity);
extern void cel_regex_cache_destroy(CelRegexCache *cache);

/* Default PCRE2 match limit when CelEvalContext.regex_match_limit is 0. */
#define CEL_REGEX_DEFAULT_MATCH_LIMIT 1000000

#endif							/* AUTHZ_CEL_REGEX_H */
