/*
 * literals.c — cel-go's literal validators for timestamp(), duration(),
 * ip() and cidr(), which Cerbos runs when it compiles a condition.
 *
 * Each validator evaluates the conversion on the constant and turns a
 * runtime error into a compile error: the time ones with a fixed message,
 * the network ones quoting the runtime message -- which cel-go passes
 * through fmt as a format string, so a '%' in it (an IPv6 zone,
 * "fe80::1%en0") comes out as Go prints a verb without operand:
 * "fe80::1%!e(MISSING)n0".
 */
#include "cel_literals.h"

#include <string.h>

#include "cel_net.h"
#include "cel_time.h"

/* msg as Go's fmt prints it when used as a format with no arguments. */
static const char *
go_format_no_args(Arena *arena, const char *msg)
{
	size_t		len = strlen(msg);
	char	   *out = arena_alloc(arena, len * 12 + 1);
	size_t		o = 0;

	if (!out || !strchr(msg, '%'))
		return msg;
	for (size_t i = 0; i < len;)
	{
		size_t		j;

		if (msg[i] != '%')
		{
			out[o++] = msg[i++];
			continue;
		}
		if (i + 1 < len && msg[i + 1] == '%')
		{
			out[o++] = '%';
			i += 2;
			continue;
		}
		/* flags, width, precision, then the verb (one UTF-8 character) */
		j = i + 1;
		while (j < len && strchr("+-# 0", msg[j]))
			j++;
		while (j < len && msg[j] >= '0' && msg[j] <= '9')
			j++;
		if (j < len && msg[j] == '.')
		{
			j++;
			while (j < len && msg[j] >= '0' && msg[j] <= '9')
				j++;
		}
		if (j >= len)
		{
			memcpy(out + o, "%!(NOVERB)", 10);
			o += 10;
			break;
		}
		{
			size_t		vlen = 1;

			if ((unsigned char) msg[j] >= 0xC0)
				while (j + vlen < len && ((unsigned char) msg[j + vlen] & 0xC0) == 0x80)
					vlen++;
			out[o++] = '%';
			out[o++] = '!';
			memcpy(out + o, msg + j, vlen);
			o += vlen;
			memcpy(out + o, "(MISSING)", 9);
			o += 9;
			i = j + vlen;
		}
	}
	out[o] = '\0';
	return out;
}

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
						   go_format_no_args(arena, r.u.err && r.u.err->message
											 ? r.u.err->message : ""));
		return msg ? msg : "invalid argument";
	}
	return NULL;
}
