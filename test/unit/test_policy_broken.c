/*
 * test_policy_broken.c — every case of the broken corpus is rejected with
 * the error line recorded for it in test/policies/broken/EXPECTED
 * ("<case> TAB file:line:column: message"), and nothing else is accepted.
 */
#include <dirent.h>
#include <string.h>

#include "compiler/compiler.h"
#include "policy_paths.h"
#include "unit.h"

/* Whether a case directory is listed in EXPECTED. */
static bool
listed(char lines[][1024], int n, const char *name)
{
	int			i;
	size_t		len = strlen(name);

	for (i = 0; i < n; i++)
		if (strncmp(lines[i], name, len) == 0 && lines[i][len] == '\t')
			return true;
	return false;
}

int
main(void)
{
	static char lines[256][1024];
	FILE	   *f = fopen(POLICY_CORPUS "/broken/EXPECTED", "r");
	int			n = 0,
				i;
	DIR		   *d;
	struct dirent *de;

	CHECK(f != NULL);
	if (f == NULL)
		UNIT_DONE("policy_broken");
	while (n < 256 && fgets(lines[n], sizeof(lines[n]), f))
	{
		lines[n][strcspn(lines[n], "\n")] = '\0';
		if (lines[n][0] != '#' && lines[n][0] != '\0')
			n++;
	}
	fclose(f);
	CHECK(n >= 30);

	for (i = 0; i < n; i++)
	{
		char	   *tab = strchr(lines[i], '\t');
		char		dir[1200 + 1024];
		Arena	   *arena;
		DiagList	diags;
		PolicySet  *set = NULL;
		bool		ok;
		const char *rendered;

		CHECK(tab != NULL);
		if (tab == NULL)
			continue;
		*tab = '\0';
		snprintf(dir, sizeof(dir), "%s/broken/%.1000s", POLICY_CORPUS, lines[i]);
		arena = arena_create(NULL, 0);
		diag_init(&diags, arena);
		ok = compile_policy_dir(arena, dir, NULL, &set, &diags);
		rendered = diag_render(&diags);
		CHECK(!ok);
		if (strstr(rendered, tab + 1) == NULL)
		{
			fprintf(stderr, "case %s: want \"%s\", got:\n%s\n", lines[i], tab + 1, rendered);
			unit_failed++;
		}
		else
			unit_passed++;
		*tab = '\t';
		arena_destroy(arena);
	}

	/* every case directory has an expectation */
	d = opendir(POLICY_CORPUS "/broken");
	CHECK(d != NULL);
	while (d && (de = readdir(d)) != NULL)
	{
		if (de->d_name[0] == '.' || strcmp(de->d_name, "EXPECTED") == 0)
			continue;
		if (!listed(lines, n, de->d_name))
		{
			fprintf(stderr, "case %s has no line in EXPECTED\n", de->d_name);
			unit_failed++;
		}
	}
	if (d)
		closedir(d);
	UNIT_DONE("policy_broken");
}
