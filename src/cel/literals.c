/*
 * literals.c — cel-go's literal validators for timestamp(), duration(),
 * ip() and cidr(), which Cerbos runs when it compiles a condition.
 *
 * Each validator evaluates the conversion on the constant and turns a
 * runtime error into a compile error: the time ones with a fixed message,
 * the network ones quoting the runtime message.
 */
#include "cel_literals.h"

#include <string.h>

#include "cel_net.h"
#include "cel_time.h"

/* The compile error for function(arg), or NULL. */
const char *
cel_literal_call_error(Arena *arena, const char *function, CelValue arg)
{
	CelValue	r;

	if (function == NULL)
		return NULL;
	if (strcmp(function, "timestamp") == 0)
	{
		if (arg.kind == CEL_VAL_STRING)
			r = cel_timestamp_parse(arena, arg.u.str.ptr, arg.u.str.len);
		else if (arg.kind == CEL_VAL_INT)
			r = cel_timestamp_from_unix(arena, arg.u.i);
		else
			return NULL;
		return r.kind == CEL_VAL_ERROR ? "invalid timestamp argument" : NULL;
	}
	if (strcmp(function, "duration") == 0)
	{
		if (arg.kind != CEL_VAL_STRING)
			return NULL;
		r = cel_duration_parse(arena, arg.u.str.ptr, arg.u.str.len);
		return r.kind == CEL_VAL_ERROR ? "invalid duration argument" : NULL;
	}
	if (strcmp(function, "ip") == 0 || strcmp(function, "cidr") == 0)
	{
		bool		is_ip = function[0] == 'i';
		const char *msg;

		if (arg.kind != CEL_VAL_STRING)
			return NULL;
		r = is_ip ? cel_net_ip_parse(arena, arg.u.str.ptr, arg.u.str.len)
			: cel_net_cidr_parse(arena, arg.u.str.ptr, arg.u.str.len);
		if (r.kind != CEL_VAL_ERROR)
			return NULL;
		msg = arena_printf(arena, "invalid %s argument: %s", function,
						   r.u.err && r.u.err->message ? r.u.err->message : "");
		return msg ? msg : "invalid argument";
	}
	return NULL;
}
