/*
 * fixtures.c — a suite directory's testdata/: principals, resources and
 * auxData shared by the suites next to it.
 *
 * As in Cerbos, <suite dir>/testdata/principals.{yaml,yml,json} holds
 * `principals` and `principalGroups`, resources.* holds `resources` and
 * `resourceGroups`, and auxdata.* (or auxData.*, aux_data.*) holds
 * `auxData`.  A missing file is no fixture; a broken one makes every
 * suite of the directory error.
 */
#include "ts_int.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FIXTURE_SIZE (16 * 1024 * 1024)

/* Reads the first of name.yaml, name.yml, name.json in dir; NULL if none. */
static char *
read_fixture(Arena *arena, const char *root, const char *dir, const char *name,
			 const char **rel, size_t *len, DiagList *diags)
{
	static const char *const exts[] = {"yaml", "yml", "json"};
	int			i;

	for (i = 0; i < 3; i++)
	{
		const char *r = *dir ? arena_printf(arena, "%s/testdata/%s.%s", dir, name, exts[i])
			: arena_printf(arena, "testdata/%s.%s", name, exts[i]);
		const char *abs = arena_printf(arena, "%s/%s", root, r);
		struct stat st;
		FILE	   *f;
		char	   *buf;

		if (r == NULL || abs == NULL || stat(abs, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		*rel = r;
		if (st.st_size > MAX_FIXTURE_SIZE)
		{
			diag_add(diags, r, 0, 0, "fixture file larger than %d bytes", MAX_FIXTURE_SIZE);
			return NULL;
		}
		f = fopen(abs, "rb");
		if (f == NULL)
		{
			diag_add(diags, r, 0, 0, "cannot open fixture file");
			return NULL;
		}
		buf = arena_alloc(arena, (size_t) st.st_size + 1);
		*len = buf ? fread(buf, 1, (size_t) st.st_size, f) : 0;
		fclose(f);
		if (buf == NULL)
			return NULL;
		buf[*len] = '\0';
		return buf;
	}
	*rel = NULL;
	return NULL;
}

/* Parses one fixture file and decodes the fields it may hold. */
static bool
load_one(Arena *arena, const char *root, const char *dir, const char *name,
		 TsFixtures *out, DiagList *diags)
{
	const char *rel;
	size_t		len = 0;
	char	   *text = read_fixture(arena, root, dir, name, &rel, &len, diags);
	PDoc	   *docs = NULL;
	int			ndocs = 0,
				i;
	const PNode *n = NULL;
	TsDec		d;

	if (text == NULL)
		return rel == NULL;		/* absent is fine, unreadable is not */
	if (!ptree_parse(arena, rel, text, len, NULL, &docs, &ndocs, diags))
		return false;
	for (i = 0; i < ndocs && n == NULL; i++)
		n = docs[i].root;
	if (n == NULL)
		return true;
	memset(&d, 0, sizeof(d));
	d.arena = arena;
	d.file = rel;
	d.diags = diags;
	if (!ts_expect_map(&d, n, name))
		return false;
	for (i = 0; i < n->count; i++)
	{
		const PNode *k = n->keys[i];
		const PNode *v = n->values[i];

		if (strcmp(name, "principals") == 0 && ts_key_is(k, "principals", NULL))
			ts_decode_principals(&d, v, &out->principals);
		else if (strcmp(name, "principals") == 0 && ts_key_is(k, "principalGroups", "principal_groups"))
			ts_decode_groups(&d, v, "principals", &out->principal_groups);
		else if (strcmp(name, "resources") == 0 && ts_key_is(k, "resources", NULL))
			ts_decode_resources(&d, v, &out->resources);
		else if (strcmp(name, "resources") == 0 && ts_key_is(k, "resourceGroups", "resource_groups"))
			ts_decode_groups(&d, v, "resources", &out->resource_groups);
		else if (strcmp(name, "principals") != 0 && strcmp(name, "resources") != 0 &&
				 ts_key_is(k, "auxData", "aux_data"))
			ts_decode_aux_data(&d, v, &out->aux_data);
		else
			ts_unknown_field(&d, k, name);
	}
	return !d.failed;
}

/* Checks that a group's members are fixtures of the same file. */
static bool
check_members(TsDec *d, const TsMap *groups, const TsMap *fixtures, const char *what)
{
	int			i,
				j;

	for (i = 0; i < groups->count; i++)
	{
		const PNode *members = groups->nodes[i];

		for (j = 0; j < members->count; j++)
			if (ts_map_get(fixtures, members->values[j]->text) == NULL)
				ts_error(d, members->values[j], "missing %s fixture \"%s\" referenced in group \"%s\"",
						 what, members->values[j]->text, groups->names[i]);
	}
	return !d->failed;
}

/* Loads dir/testdata/ (dir relative to root, "" for root itself). */
bool
ts_load_fixtures(Arena *arena, const char *root, const char *dir, TsFixtures *out,
				 DiagList *diags)
{
	bool		ok = true;
	TsDec		d;

	memset(out, 0, sizeof(*out));
	ok &= load_one(arena, root, dir, "principals", out, diags);
	ok &= load_one(arena, root, dir, "resources", out, diags);
	if (!load_one(arena, root, dir, "auxdata", out, diags))
		ok = false;
	else if (out->aux_data.count == 0 && !load_one(arena, root, dir, "auxData", out, diags))
		ok = false;
	else if (out->aux_data.count == 0 && !load_one(arena, root, dir, "aux_data", out, diags))
		ok = false;
	memset(&d, 0, sizeof(d));
	d.arena = arena;
	d.file = *dir ? arena_printf(arena, "%s/testdata", dir) : "testdata";
	d.diags = diags;
	check_members(&d, &out->principal_groups, &out->principals, "principal");
	check_members(&d, &out->resource_groups, &out->resources, "resource");
	return ok && !d.failed;
}
