/*
 * cel_libs_driver.c — the authz side of cel_libs_diff.py: reads one case
 * per line (tab-separated: a tag and its arguments), calls the time, net
 * and cerbos library code directly and prints "ok<TAB>value" or
 * "err<TAB>message", the way cel_libs_diff.py reads the Cerbos REPL.
 *
 * Tags:
 *   ts S               string(timestamp(S))
 *   dur S              string(duration(S))
 *   acc ID SEC TZ      timestamp(SEC).<accessor ID>(TZ)
 *   dacc ID NANOS      duration(NANOS ns).<accessor ID>()
 *   ip S / cidr S      string(ip(S)) / string(cidr(S))
 *   inrange IP CIDR    IP.inIPAddrRange(CIDR)
 *   spiffe S           spiffeID(S).path()
 *   hier ID A B        hierarchy(A).<ID>(hierarchy(B)) (hierarchies as sizes)
 *   hsplit S D I       hierarchy(S, D)[I]
 *   set ID A B         list A .<ID>(list B), lists as "i:1 d:2 u:3 s:x n: b:t"
 *   path P PAT         pathMatch(P, PAT)
 *   pfn ID A [B]       a one- or two-string path function by overload id
 *   plist ID [P] L     a path function taking a list, L as "a|b|c" ("-" = empty)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel_cerbos.h"
#include "cel/cel_net.h"
#include "cel/cel_time.h"

static Arena *arena;
static CelEvalContext ctx;

/* The overload with a given id in a library (NULL if none). */
static const CelOverload *
find(const CelLibrary *lib, const char *id)
{
	for (int i = 0; i < lib->count; i++)
		if (strcmp(lib->overloads[i].id, id) == 0)
			return &lib->overloads[i];
	return NULL;
}

/* Calls an overload by id, "err" if the id is unknown. */
static CelValue
call(const CelLibrary *lib, const char *id, CelValue *args, int nargs)
{
	const CelOverload *ov = find(lib, id);

	if (!ov)
		return cel_error(arena, "driver: no overload %s", id);
	return ov->impl(&ctx, args, nargs);
}

/* Prints a scalar or list result. */
static void
print_value(CelValue v, bool top)
{
	switch (v.kind)
	{
		case CEL_VAL_ERROR:
			printf("err\t%s", v.u.err->message);
			break;
		case CEL_VAL_STRING:
			printf("%s\"%.*s\"", top ? "ok\t" : "", (int) v.u.str.len, v.u.str.ptr);
			break;
		case CEL_VAL_INT:
			printf("%s%lld", top ? "ok\t" : "", (long long) v.u.i);
			break;
		case CEL_VAL_UINT:
			printf("%s%llu", top ? "ok\t" : "", (unsigned long long) v.u.u);
			break;
		case CEL_VAL_DOUBLE:
			printf("%s%.17g", top ? "ok\t" : "", v.u.d);
			break;
		case CEL_VAL_BOOL:
			printf("%s%s", top ? "ok\t" : "", v.u.b ? "true" : "false");
			break;
		case CEL_VAL_NULL:
			printf("%snull", top ? "ok\t" : "");
			break;
		case CEL_VAL_LIST:
			printf("%s[", top ? "ok\t" : "");
			for (size_t i = 0; i < v.u.list->len; i++)
			{
				if (i)
					printf(",");
				print_value(v.u.list->items[i], false);
			}
			printf("]");
			break;
		default:
			printf("other\tkind %d", v.kind);
	}
	if (top)
		printf("\n");
}

/* Builds a list from "i:1 d:2 u:3 s:x n: b:t" tokens ("-" = empty). */
static CelValue
parse_list(char *text)
{
	CelValue	items[64];
	size_t		n = 0;

	for (char *tok = strtok(text, " "); tok && n < 64; tok = strtok(NULL, " "))
	{
		switch (tok[0])
		{
			case 'i':
				items[n++] = cel_int(atoll(tok + 2));
				break;
			case 'u':
				items[n++] = cel_uint(strtoull(tok + 2, NULL, 10));
				break;
			case 'd':
				items[n++] = cel_double(atof(tok + 2));
				break;
			case 's':
				items[n++] = cel_string_copy(arena, tok + 2, strlen(tok + 2));
				break;
			case 'n':
				items[n++] = cel_null();
				break;
			case 'b':
				items[n++] = cel_bool(tok[2] == 't');
				break;
		}
	}
	return cel_list_from(arena, items, n);
}

/* Runs one case line. */
static void
run_case(char **f, int n)
{
	CelValue	args[2];
	CelValue	v;

	if (strcmp(f[0], "ts") == 0 && n >= 2)
	{
		v = cel_timestamp_parse(arena, f[1], strlen(f[1]));
		if (v.kind == CEL_VAL_TIMESTAMP)
		{
			char	   *s = cel_timestamp_format(arena, v);

			v = cel_string(s, strlen(s));
		}
	}
	else if (strcmp(f[0], "dur") == 0 && n >= 2)
	{
		v = cel_duration_parse(arena, f[1], strlen(f[1]));
		if (v.kind == CEL_VAL_DURATION)
		{
			char	   *s = cel_duration_format(arena, v.u.dur);

			v = cel_string(s, strlen(s));
		}
	}
	else if (strcmp(f[0], "acc") == 0 && n >= 4)
	{
		args[0] = cel_timestamp(atoll(f[2]), 0);
		args[1] = cel_string(f[3], strlen(f[3]));
		v = call(&cel_lib_time, f[1], args, 2);
	}
	else if (strcmp(f[0], "dacc") == 0 && n >= 3)
	{
		args[0] = cel_duration(atoll(f[2]));
		v = call(&cel_lib_time, f[1], args, 1);
	}
	else if ((strcmp(f[0], "ip") == 0 || strcmp(f[0], "cidr") == 0) && n >= 2)
	{
		v = f[0][0] == 'i' ? cel_net_ip_parse(arena, f[1], strlen(f[1]))
			: cel_net_cidr_parse(arena, f[1], strlen(f[1]));
		if (v.kind == CEL_VAL_OPAQUE)
			v = cel_net_to_string(arena, v);
	}
	else if (strcmp(f[0], "inrange") == 0 && n >= 3)
	{
		args[0] = cel_string(f[1], strlen(f[1]));
		args[1] = cel_string(f[2], strlen(f[2]));
		v = call(&cel_lib_cerbos, "inIPAddrRange_string", args, 2);
	}
	else if (strcmp(f[0], "spiffe") == 0 && n >= 2)
	{
		args[0] = cel_string(f[1], strlen(f[1]));
		v = call(&cel_lib_cerbos, "spiffeID_string", args, 1);
		if (v.kind == CEL_VAL_OPAQUE)
			v = call(&cel_lib_cerbos, "path", &v, 1);
	}
	else if (strcmp(f[0], "hier") == 0 && n >= 4)
	{
		args[0] = cel_hierarchy_from_string(arena, f[2], strlen(f[2]), ".", 1);
		args[1] = cel_hierarchy_from_string(arena, f[3], strlen(f[3]), ".", 1);
		v = call(&cel_lib_cerbos, f[1], args, 2);
		if (v.kind == CEL_VAL_OPAQUE)
			v = cel_int((int64_t) cel_hierarchy_size(v));
	}
	else if (strcmp(f[0], "hsplit") == 0 && n >= 4)
	{
		args[0] = cel_hierarchy_from_string(arena, f[1], strlen(f[1]), f[2], strlen(f[2]));
		args[1] = cel_int(atoll(f[3]));
		v = call(&cel_lib_cerbos, "hierarchy_index", args, 2);
	}
	else if (strcmp(f[0], "path") == 0 && n >= 3)
	{
		args[0] = cel_string(f[1], strlen(f[1]));
		args[1] = cel_string(f[2], strlen(f[2]));
		v = call(&cel_lib_cerbos, "pathMatch_string_string", args, 2);
	}
	else if (strcmp(f[0], "pfn") == 0 && n >= 3)
	{
		args[0] = cel_string(f[2], strlen(f[2]));
		if (n >= 4)
			args[1] = cel_string(f[3], strlen(f[3]));
		v = call(&cel_lib_cerbos, f[1], args, n >= 4 ? 2 : 1);
	}
	else if (strcmp(f[0], "plist") == 0 && n >= 3)
	{
		CelValue	items[64];
		size_t		k = 0;
		char	   *list = f[n - 1];

		if (strcmp(list, "-") != 0)
		{
			for (char *p = list; k < 64;)
			{
				char	   *bar = strchr(p, '|');

				if (bar)
					*bar = '\0';
				items[k++] = cel_string_copy(arena, p, strlen(p));
				if (!bar)
					break;
				p = bar + 1;
			}
		}
		if (n >= 4)
		{
			args[0] = cel_string(f[2], strlen(f[2]));
			args[1] = cel_list_from(arena, items, k);
			v = call(&cel_lib_cerbos, f[1], args, 2);
		}
		else
		{
			args[0] = cel_list_from(arena, items, k);
			v = call(&cel_lib_cerbos, f[1], args, 1);
		}
	}
	else if (strcmp(f[0], "set") == 0 && n >= 4)
	{
		args[0] = parse_list(f[2]);
		args[1] = parse_list(f[3]);
		v = call(&cel_lib_cerbos, f[1], args, 2);
	}
	else
		v = cel_error(arena, "driver: bad case");
	print_value(v, true);
}

int
main(void)
{
	char		line[8192];

	arena = arena_create(NULL, 0);
	ctx.arena = arena;
	while (fgets(line, sizeof(line), stdin))
	{
		char	   *f[8];
		int			n = 0;
		char	   *p = line;

		line[strcspn(line, "\n")] = '\0';
		while (n < 8)
		{
			f[n++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		run_case(f, n);
		fflush(stdout);
		arena_reset(arena);
	}
	arena_destroy(arena);
	return 0;
}
