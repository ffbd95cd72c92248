/*
 * jansson_safe.h — jansson, usable inside a PostgreSQL backend.
 *
 * The postgres executable exports a function called json_object (the SQL
 * function of that name), and the dynamic linker binds an extension's calls
 * to json_object() to the executable's symbol before libjansson's, so a
 * plain json_object() call inside a backend calls PostgreSQL's fmgr
 * function and crashes.  It is the only jansson symbol PostgreSQL shadows
 * (checked with nm on both).  The core therefore includes this header
 * instead of <jansson.h>; json_pack() builds the same empty object through
 * a symbol nobody shadows, and libjansson's own internal calls are bound
 * inside the library.
 */
#ifndef AUTHZ_JANSSON_SAFE_H
#define AUTHZ_JANSSON_SAFE_H

#include <jansson.h>

static inline json_t *
authz_json_empty_object(void)
{
	return json_pack("{}");
}

#define json_object() authz_json_empty_object()

#endif							/* AUTHZ_JANSSON_SAFE_H */
