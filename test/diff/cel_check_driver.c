/*
 * cel_check_driver.c — the authz side of cel_check_diff.py: reads one CEL
 * expression per line, parses it and type-checks it in the Cerbos
 * environment (cel_env_cerbos), and prints one line per expression:
 *
 *   <expression><TAB>OK
 *   <expression><TAB><message>, <message>, ...   every problem, in order
 *
 * which is how cel_check_diff.py reads `cerbos compile`'s report.
 */
#include <stdio.h>
#include <string.h>

#include "cel/cel.h"

int
main(int argc, char **argv)
{
	char		line[65536];
	FILE	   *in = argc > 1 ? fopen(argv[1], "r") : stdin;

	if (in == NULL)
	{
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), in) != NULL)
	{
		Arena	   *arena;
		DiagList	diags;
		CelAst	   *ast;
		bool		ok;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		arena = arena_create(NULL, 0);
		diag_init(&diags, arena);
		ast = cel_parse(arena, line, strlen(line), NULL, &diags);
		ok = ast != NULL && cel_check(cel_env_cerbos(arena), ast, arena, &diags);
		printf("%s\t", line);
		if (ok)
			printf("OK");
		for (int i = 0; !ok && i < diags.count; i++)
			printf("%s%s", i ? ", " : "", diags.items[i].message);
		printf("\n");
		arena_destroy(arena);
	}
	return 0;
}
