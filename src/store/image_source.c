/*
 * image_source.c — turn a policy directory into an image.
 *
 * This is the store's entry point for "compile this directory": it finds
 * the policy files the way Cerbos does (nested folders; .yaml, .yml and
 * .json; test suites, testdata/ and _schemas/ kept out; hidden files
 * skipped), reads every YAML document in them with libyaml, identifies each
 * document's policy kind and identity, and builds the image.  Any problem
 * in any file fails the whole load, and every problem is reported.
 *
 * The full policy model and its compiler (src/policy, src/compiler) plug in
 * here; until then the image lists the policies found.
 */
#include "image_source.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define MAX_DEPTH 32

typedef struct SourceState
{
	Arena	   *arena;
	DiagList   *diags;
	const char *root;
	ImagePolicyInput *policies;
	uint32_t	npolicies;
	uint32_t	cap;
	ImageDocumentInput *documents;
	uint32_t	ndocuments;
	uint32_t	doc_cap;
	size_t		max_file_size;
} SourceState;

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t		n = strlen(s),
				m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Policy files are .yaml/.yml/.json that are not test suites. */
static bool
is_policy_file(const char *name)
{
	if (!(has_suffix(name, ".yaml") || has_suffix(name, ".yml") || has_suffix(name, ".json")))
		return false;
	if (has_suffix(name, "_test.yaml") || has_suffix(name, "_test.yml") ||
		has_suffix(name, "_test.json"))
		return false;
	return true;
}

/* Scalar value of key in a mapping node, or NULL. */
static const char *
mapping_scalar(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *pair;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++)
	{
		yaml_node_t *k = yaml_document_get_node(doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(doc, pair->value);

		if (k && k->type == YAML_SCALAR_NODE && strcmp((char *) k->data.scalar.value, key) == 0)
			return (v && v->type == YAML_SCALAR_NODE) ? (const char *) v->data.scalar.value : NULL;
	}
	return NULL;
}

/* Node of key in a mapping node, or NULL. */
static yaml_node_t *
mapping_node(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *pair;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++)
	{
		yaml_node_t *k = yaml_document_get_node(doc, pair->key);

		if (k && k->type == YAML_SCALAR_NODE && strcmp((char *) k->data.scalar.value, key) == 0)
			return yaml_document_get_node(doc, pair->value);
	}
	return NULL;
}

static bool
add_policy(SourceState *st, const ImagePolicyInput *in)
{
	if (st->npolicies == st->cap)
	{
		uint32_t	cap = st->cap ? st->cap * 2 : 64;
		ImagePolicyInput *p = arena_realloc(st->arena, st->policies,
											sizeof(*p) * st->cap, sizeof(*p) * cap);

		if (p == NULL)
			return false;
		st->policies = p;
		st->cap = cap;
	}
	st->policies[st->npolicies++] = *in;
	return true;
}

typedef struct KindInfo
{
	const char *key;			/* top-level YAML key */
	const char *kind;			/* kind as authz_policies_loaded() shows it */
	const char *prefix;			/* fqn prefix */
	const char *name_key;		/* field holding the policy's name */
} KindInfo;

static const KindInfo kinds[] = {
	{"resourcePolicy", "RESOURCE", "cerbos.resource.", "resource"},
	{"principalPolicy", "PRINCIPAL", "cerbos.principal.", "principal"},
	{"derivedRoles", "DERIVED_ROLES", "cerbos.derived_roles.", "name"},
	{"exportVariables", "EXPORT_VARIABLES", "cerbos.export_variables.", "name"},
	{"exportConstants", "EXPORT_CONSTANTS", "cerbos.export_constants.", "name"},
	{"rolePolicy", "ROLE", "cerbos.role.", "role"},
};

/* Records one YAML document as a policy, or reports why it is not one. */
static void
add_document(SourceState *st, const char *relpath, yaml_document_t *doc)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	size_t		i;

	if (root == NULL)
		return;					/* empty document: Cerbos skips it too */
	if (root->type != YAML_MAPPING_NODE)
	{
		diag_add(st->diags, relpath, (int) root->start_mark.line + 1,
				 (int) root->start_mark.column + 1, "policy document is not a mapping");
		return;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
	{
		yaml_node_t *body = mapping_node(doc, root, kinds[i].key);
		ImagePolicyInput in = {0};
		const char *name,
				   *version,
				   *scope;

		if (body == NULL)
			continue;
		name = mapping_scalar(doc, body, kinds[i].name_key);
		if (name == NULL || *name == '\0')
		{
			diag_add(st->diags, relpath, (int) body->start_mark.line + 1,
					 (int) body->start_mark.column + 1,
					 "%s has no %s", kinds[i].key, kinds[i].name_key);
			return;
		}
		version = mapping_scalar(doc, body, "version");
		scope = mapping_scalar(doc, body, "scope");
		in.kind = kinds[i].kind;
		in.name = arena_strdup(st->arena, name);
		in.version = version ? arena_strdup(st->arena, version) : "";
		in.scope = scope ? arena_strdup(st->arena, scope) : "";
		in.source = arena_strdup(st->arena, relpath);
		if (version && *version)
			in.fqn = arena_printf(st->arena, "%s%s.v%s%s%s", kinds[i].prefix, name,
								  version, (scope && *scope) ? "/" : "",
								  (scope && *scope) ? scope : "");
		else
			in.fqn = arena_printf(st->arena, "%s%s", kinds[i].prefix, name);
		if (in.name == NULL || in.source == NULL || in.fqn == NULL || !add_policy(st, &in))
			diag_add(st->diags, relpath, 0, 0, "out of memory");
		return;
	}
	diag_add(st->diags, relpath, (int) root->start_mark.line + 1,
			 (int) root->start_mark.column + 1,
			 "document is not a policy (no resourcePolicy, principalPolicy, derivedRoles, "
			 "exportVariables, exportConstants or rolePolicy)");
}

/* Keeps a document's text for the image. */
static bool
add_document_text(SourceState *st, const char *source, const char *text)
{
	if (st->ndocuments == st->doc_cap)
	{
		uint32_t	cap = st->doc_cap ? st->doc_cap * 2 : 64;
		ImageDocumentInput *p = arena_realloc(st->arena, st->documents,
											  sizeof(*p) * st->doc_cap, sizeof(*p) * cap);

		if (p == NULL)
			return false;
		st->documents = p;
		st->doc_cap = cap;
	}
	st->documents[st->ndocuments].source = source;
	st->documents[st->ndocuments].text = text;
	st->ndocuments++;
	return true;
}

/* Reads every YAML document of one source text. */
static void
load_text(SourceState *st, const char *source, const char *text, size_t len)
{
	yaml_parser_t parser;

	if (memchr(text, '\0', len) != NULL)
	{
		diag_add(st->diags, source, 0, 0, "policy text contains a NUL byte");
		return;
	}
	if (!yaml_parser_initialize(&parser))
	{
		diag_add(st->diags, source, 0, 0, "out of memory");
		return;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
	for (;;)
	{
		yaml_document_t doc;

		if (!yaml_parser_load(&parser, &doc))
		{
			diag_add(st->diags, source, (int) parser.problem_mark.line + 1,
					 (int) parser.problem_mark.column + 1, "invalid YAML: %s",
					 parser.problem ? parser.problem : "parse error");
			break;
		}
		if (yaml_document_get_root_node(&doc) == NULL)
		{
			yaml_document_delete(&doc);
			break;				/* end of stream */
		}
		add_document(st, source, &doc);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	if (!add_document_text(st, source, text))
		diag_add(st->diags, source, 0, 0, "out of memory");
}

/* Reads one policy file into memory and loads it. */
static void
load_file(SourceState *st, const char *path, const char *relpath)
{
	FILE	   *f;
	struct stat sb;
	char	   *text;
	size_t		got;

	if (stat(path, &sb) != 0)
	{
		diag_add(st->diags, relpath, 0, 0, "could not stat file: %s", strerror(errno));
		return;
	}
	if (st->max_file_size && (size_t) sb.st_size > st->max_file_size)
	{
		diag_add(st->diags, relpath, 0, 0, "file is larger than the limit of %zu bytes",
				 st->max_file_size);
		return;
	}
	f = fopen(path, "rb");
	if (f == NULL)
	{
		diag_add(st->diags, relpath, 0, 0, "could not open file: %s", strerror(errno));
		return;
	}
	text = arena_alloc(st->arena, (size_t) sb.st_size + 1);
	if (text == NULL)
	{
		fclose(f);
		diag_add(st->diags, relpath, 0, 0, "out of memory");
		return;
	}
	got = fread(text, 1, (size_t) sb.st_size, f);
	fclose(f);
	text[got] = '\0';
	load_text(st, relpath, text, got);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Walks dir (relative path rel) in name order so loads are deterministic. */
static void
walk(SourceState *st, const char *dir, const char *rel, int depth)
{
	DIR		   *d;
	struct dirent *e;
	char	  **names = NULL;
	size_t		n = 0,
				cap = 0,
				i;

	if (depth > MAX_DEPTH)
	{
		diag_add(st->diags, rel[0] ? rel : ".", 0, 0, "directories nested too deeply");
		return;
	}
	d = opendir(dir);
	if (d == NULL)
	{
		diag_add(st->diags, rel[0] ? rel : dir, 0, 0, "could not open directory: %s",
				 strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL)
	{
		if (e->d_name[0] == '.')
			continue;			/* hidden files and folders, like Cerbos */
		if (n == cap)
		{
			size_t		ncap = cap ? cap * 2 : 32;
			char	  **p = arena_realloc(st->arena, names, sizeof(char *) * cap,
										  sizeof(char *) * ncap);

			if (p == NULL)
				break;
			names = p;
			cap = ncap;
		}
		names[n++] = arena_strdup(st->arena, e->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(char *), compare_names);
	for (i = 0; i < n; i++)
	{
		char	   *path = arena_printf(st->arena, "%s/%s", dir, names[i]);
		char	   *relpath = rel[0] ? arena_printf(st->arena, "%s/%s", rel, names[i])
			: arena_strdup(st->arena, names[i]);
		struct stat sb;

		if (path == NULL || relpath == NULL || stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
		{
			if (strcmp(names[i], "testdata") == 0 || strcmp(names[i], "_schemas") == 0)
				continue;
			walk(st, path, relpath, depth + 1);
		}
		else if (S_ISREG(sb.st_mode) && is_policy_file(names[i]))
			load_file(st, path, relpath);
	}
}

/* Reports policies defined twice (in files or rows), as Cerbos does. */
static void
check_duplicates(SourceState *st)
{
	uint32_t	i,
				j;

	/* policy sets are small enough at load time for a quadratic scan to be
	 * dwarfed by YAML parsing; sorted order would need a copy anyway */
	for (i = 0; i < st->npolicies; i++)
		for (j = 0; j < i; j++)
			if (strcmp(st->policies[i].fqn, st->policies[j].fqn) == 0)
			{
				diag_add(st->diags, st->policies[i].source, 0, 0,
						 "duplicate policy %s (also defined in %s)",
						 st->policies[i].fqn, st->policies[j].source);
				break;
			}
}

void *
image_compile(Arena *arena, const char *dir, const ImageDocumentInput *extra,
			  uint32_t nextra, size_t max_file_size, uint32_t *npolicies,
			  size_t *size_out, DiagList *diags)
{
	SourceState st = {0};
	struct stat sb;
	void	   *image;
	uint32_t	i;
	int			before = diags->count + diags->dropped;

	st.arena = arena;
	st.diags = diags;
	st.root = dir;
	st.max_file_size = max_file_size;
	if (dir != NULL)
	{
		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		{
			diag_add(diags, dir, 0, 0, "not a directory");
			return NULL;
		}
		walk(&st, dir, "", 0);
	}
	for (i = 0; i < nextra; i++)
	{
		size_t		len = strlen(extra[i].text);

		if (max_file_size && len > max_file_size)
			diag_add(diags, extra[i].source, 0, 0,
					 "policy is larger than the limit of %zu bytes", max_file_size);
		else
			load_text(&st, extra[i].source, extra[i].text, len);
	}
	check_duplicates(&st);
	if (diags->count + diags->dropped > before)
		return NULL;
	image = image_build(arena, st.policies, st.npolicies, st.documents,
						st.ndocuments, size_out);
	if (image == NULL)
	{
		diag_add(diags, dir ? dir : "policies", 0, 0,
				 "out of memory while building the policy image");
		return NULL;
	}
	*npolicies = st.npolicies;
	return image;
}

void *
image_from_directory(Arena *arena, const char *dir, size_t max_file_size,
					 uint32_t *npolicies, size_t *size_out, DiagList *diags)
{
	return image_compile(arena, dir, NULL, 0, max_file_size, npolicies,
						 size_out, diags);
}
