/*
 * authzc.c — load and compile a policy directory with authz's core and
 * print "ok N policies" or every error, one "file:line:column: message" a
 * line.  Used by test/diff/policy_compile_diff.sh against `cerbos compile`.
 *
 *   authzc [--multi-doc] [--no-cel] <dir>
 *
 * Exit status 0 when the directory compiles, 1 if not.  CEL expressions are
 * checked when the CEL engine is linked in (see compiler/cel_hook.c), unless
 * --no-cel is given.
 */
#include <stdio.h>
#include <string.h>

#include "compiler/compiler.h"

int
main(int argc, char **argv)
{
	Arena	   *arena;
	DiagList	diags;
	CompileOptions options;
	CompileCelState cel;
	bool		use_cel = true;
	PolicySet  *set = NULL;
	const char *dir = NULL;
	int			i;
	bool		ok;

	memset(&options, 0, sizeof(options));
	for (i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--multi-doc") == 0)
			options.load.allow_multiple_documents = true;
		else if (strcmp(argv[i], "--no-cel") == 0)
			use_cel = false;
		else
			dir = argv[i];
	}
	if (dir == NULL)
	{
		fprintf(stderr, "usage: authzc [--multi-doc] [--no-cel] <policy-dir>\n");
		return 2;
	}
	arena = arena_create(NULL, 0);
	if (arena == NULL)
		return 2;
	diag_init(&diags, arena);
	diags.max_items = 1000;
	if (use_cel && !compile_use_cel(&options, &cel, arena) && compile_cel_available())
	{
		fprintf(stderr, "authzc: cannot create the CEL environment\n");
		return 2;
	}
	ok = compile_policy_dir(arena, dir, &options, &set, &diags);
	if (ok)
		printf("ok %d policies\n", set->npolicies + set->ndisabled);
	else
		printf("%s\n", diag_render(&diags));
	arena_destroy(arena);
	return ok ? 0 : 1;
}
