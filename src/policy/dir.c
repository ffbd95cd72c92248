/*
 * dir.c — reading a policy directory as Cerbos' disk store reads it.
 *
 * What Cerbos 0.55 does (checked with `cerbos compile`): it walks the tree
 * in lexical order; files and directories whose names start with "." are
 * ignored (except under _schemas/, where schemas are opened by name); only .yaml, .yml and .json files count (extension in any case);
 * the top-level _schemas/ directory holds JSON schemas, not policies;
 * *_test.{yaml,yml,json} files are test suites and anything under a
 * directory named testdata/ (at any depth) is test fixtures.  Symbolic
 * links to files are read; symbolic links to directories are not followed.
 *
 * Policies are decoded as they are read; errors from every file are
 * collected before the load fails.
 */
#include "policy.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_DIR_DEPTH 64
#define MAX_FILE_SIZE (64 * 1024 * 1024)

typedef struct Walk
{
	Arena	   *arena;
	const PolicyLoadOptions *options;
	PolicyDir  *out;
	DiagList   *diags;
	int			schema_capacity;
	int			test_capacity;
	int			testdata_capacity;
	bool		ok;
} Walk;

/* Whether Cerbos would read a file at this relative path as a policy. */
PolicyFileRole
policy_file_role(const char *relpath)
{
	const char *base = strrchr(relpath, '/');
	const char *ext;
	const char *p;
	size_t		stem;
	bool		in_testdata = false;

	base = base ? base + 1 : relpath;
	/* schemas are read by name, hidden or not */
	if (strncmp(relpath, "_schemas/", 9) == 0)
		return PFILE_SCHEMA;
	/* hidden components anywhere in the path */
	for (p = relpath; *p; p++)
	{
		if ((p == relpath || p[-1] == '/') && *p == '.')
			return PFILE_IGNORED;
		if ((p == relpath || p[-1] == '/') && strncmp(p, "testdata/", 9) == 0)
			in_testdata = true;
	}
	if (in_testdata)
		return PFILE_TESTDATA;
	ext = strrchr(base, '.');
	if (ext == NULL)
		return PFILE_IGNORED;
	if (strcasecmp(ext, ".yaml") != 0 && strcasecmp(ext, ".yml") != 0 &&
		strcasecmp(ext, ".json") != 0)
		return PFILE_IGNORED;
	stem = (size_t) (ext - base);
	if (stem >= 5 && strncmp(ext - 5, "_test", 5) == 0)
		return PFILE_TEST;
	return PFILE_POLICY;
}

/* Reads a whole file into the arena; NULL (with a diag) on failure. */
static char *
read_file(Walk *w, const char *abs, const char *rel, size_t *len)
{
	FILE	   *f = fopen(abs, "rb");
	char	   *buf;
	long		size;

	if (f == NULL)
	{
		diag_add(w->diags, rel, 0, 0, "cannot open file: %s", strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
	{
		diag_add(w->diags, rel, 0, 0, "cannot read file: %s", strerror(errno));
		fclose(f);
		return NULL;
	}
	if (size > MAX_FILE_SIZE)
	{
		diag_add(w->diags, rel, 0, 0, "file larger than %d bytes", MAX_FILE_SIZE);
		fclose(f);
		return NULL;
	}
	buf = arena_alloc(w->arena, (size_t) size + 1);
	if (buf == NULL || fread(buf, 1, (size_t) size, f) != (size_t) size)
	{
		diag_add(w->diags, rel, 0, 0, "cannot read file");
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[size] = '\0';
	*len = (size_t) size;
	return buf;
}

/* Appends a string to a growing array. */
static void
push_path(Walk *w, const char ***items, int *count, int *capacity, const char *s)
{
	if (*count == *capacity)
	{
		int			cap = *capacity ? *capacity * 2 : 8;
		const char **n = arena_realloc(w->arena, (void *) *items,
									   sizeof(char *) * *capacity, sizeof(char *) * cap);

		if (n == NULL)
			return;
		*items = n;
		*capacity = cap;
	}
	(*items)[(*count)++] = s;
}

/* Handles one regular file by its role. */
static void
visit_file(Walk *w, const char *abs, const char *rel)
{
	PolicyFileRole role = policy_file_role(rel);
	char	   *text;
	size_t		len;

	switch (role)
	{
		case PFILE_POLICY:
			text = read_file(w, abs, rel, &len);
			if (text == NULL)
			{
				w->ok = false;
				return;
			}
			w->out->nfiles++;
			if (!policy_load_text(w->arena, rel, text, len, w->options,
								  &w->out->policies, &w->out->npolicies, w->diags))
				w->ok = false;
			break;
		case PFILE_SCHEMA:
			text = read_file(w, abs, rel, &len);
			if (text == NULL)
				return;			/* Cerbos only fails when a policy uses it */
			if (w->out->nschemas == w->schema_capacity)
			{
				int			cap = w->schema_capacity ? w->schema_capacity * 2 : 8;
				PSchemaFile *s = arena_realloc(w->arena, w->out->schemas,
											   sizeof(PSchemaFile) * w->schema_capacity,
											   sizeof(PSchemaFile) * cap);

				if (s == NULL)
					return;
				w->out->schemas = s;
				w->schema_capacity = cap;
			}
			w->out->schemas[w->out->nschemas].name = rel + strlen("_schemas/");
			w->out->schemas[w->out->nschemas].text = text;
			w->out->schemas[w->out->nschemas].len = len;
			w->out->nschemas++;
			break;
		case PFILE_TEST:
			push_path(w, &w->out->test_files, &w->out->ntest_files,
					  &w->test_capacity, rel);
			break;
		case PFILE_TESTDATA:
			push_path(w, &w->out->testdata_files, &w->out->ntestdata_files,
					  &w->testdata_capacity, rel);
			break;
		default:
			break;
	}
}

/* Lexical order of directory entries, as Go's fs.WalkDir uses. */
static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Walks one directory (rel is "" at the root) in lexical order. */
static void
walk(Walk *w, const char *abs, const char *rel, int depth)
{
	DIR		   *dir;
	struct dirent *de;
	char	  **names = NULL;
	int			n = 0,
				cap = 0,
				i;

	if (depth > MAX_DIR_DEPTH)
	{
		diag_add(w->diags, rel, 0, 0, "directories nested deeper than %d levels", MAX_DIR_DEPTH);
		w->ok = false;
		return;
	}
	dir = opendir(abs);
	if (dir == NULL)
	{
		diag_add(w->diags, *rel ? rel : abs, 0, 0, "cannot open directory: %s", strerror(errno));
		w->ok = false;
		return;
	}
	while ((de = readdir(dir)) != NULL)
	{
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* hidden entries are skipped, except inside _schemas/ */
		if (de->d_name[0] == '.' && strcmp(rel, "_schemas") != 0 &&
			strncmp(rel, "_schemas/", 9) != 0)
			continue;
		if (n == cap)
		{
			int			c = cap ? cap * 2 : 32;
			char	  **nn = arena_realloc(w->arena, names, sizeof(char *) * cap, sizeof(char *) * c);

			if (nn == NULL)
				break;
			names = nn;
			cap = c;
		}
		names[n++] = arena_strdup(w->arena, de->d_name);
	}
	closedir(dir);
	if (n > 1)
		qsort(names, n, sizeof(char *), compare_names);
	for (i = 0; i < n; i++)
	{
		const char *child_abs = arena_printf(w->arena, "%s/%s", abs, names[i]);
		const char *child_rel = *rel ? arena_printf(w->arena, "%s/%s", rel, names[i])
			: names[i];
		struct stat st;

		if (child_abs == NULL || child_rel == NULL)
			return;
		if (lstat(child_abs, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(w, child_abs, child_rel, depth + 1);
		else if (S_ISLNK(st.st_mode))
		{
			if (stat(child_abs, &st) == 0 && S_ISREG(st.st_mode))
				visit_file(w, child_abs, child_rel);
		}
		else if (S_ISREG(st.st_mode))
			visit_file(w, child_abs, child_rel);
	}
}

/* Reads every policy file under root (as Cerbos' disk store would). */
bool
policy_load_dir(Arena *arena, const char *root, const PolicyLoadOptions *options,
				PolicyDir *out, DiagList *diags)
{
	Walk		w;
	PolicyLoadOptions defaults;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	if (options == NULL)
	{
		memset(&defaults, 0, sizeof(defaults));
		options = &defaults;
	}
	out->root = arena_strdup(arena, root);
	w.arena = arena;
	w.options = options;
	w.out = out;
	w.diags = diags;
	w.ok = true;
	walk(&w, root, "", 0);
	if (arena->failed)
	{
		diag_add(diags, root, 0, 0, "out of memory while loading policies");
		return false;
	}
	return w.ok;
}

/* Finds a schema by name ("principal.json"); NULL when absent. */
const PSchemaFile *
policy_dir_schema(const PolicyDir *dir, const char *name)
{
	int			i;

	for (i = 0; i < dir->nschemas; i++)
		if (strcmp(dir->schemas[i].name, name) == 0)
			return &dir->schemas[i];
	return NULL;
}

/*
 * Adds one more source of policies (a row of the authz_policies table, say)
 * to a loaded directory; `name` is what errors show as the file, so a
 * policy defined both here and in a file is reported as a duplicate that
 * names both places.
 */
bool
policy_dir_add_text(Arena *arena, PolicyDir *dir, const char *name, const char *text,
					size_t len, const PolicyLoadOptions *options, DiagList *diags)
{
	dir->nfiles++;
	return policy_load_text(arena, arena_strdup(arena, name), text, len, options,
							&dir->policies, &dir->npolicies, diags);
}
