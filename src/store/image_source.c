/*
 * image_source.c — from policy sources to an image, and back.
 *
 * Sources are documents: the files of a policy directory (found as Cerbos'
 * disk store finds them, see policy_file_role) and the rows of the
 * authz_policies table ("table:<id>").  Compiling means decoding every
 * document into the policy model and running the compiler over all of them
 * together, so imports, scopes and duplicates are checked across files and
 * rows alike.  Any problem anywhere fails the whole load, and every problem
 * is reported.
 *
 * Compilation goes all the way to the engine's rule table, so every CEL
 * expression is parsed and type-checked at load time.  The image keeps the
 * documents themselves, so every backend can rebuild the same rule table
 * from it (image_engine_set) with the very code that validated it.
 */
#include "image_source.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 32

typedef struct SourceDoc
{
	const char *source;			/* relative path or "table:<id>" */
	const char *text;			/* NUL-terminated */
	size_t		len;
} SourceDoc;

typedef struct Sources
{
	Arena	   *arena;
	DiagList   *diags;
	SourceDoc  *docs;
	uint32_t	ndocs;
	uint32_t	cap;
	size_t		max_file_size;
} Sources;

static bool
add_source(Sources *s, const char *source, const char *text, size_t len)
{
	if (s->ndocs == s->cap)
	{
		uint32_t	cap = s->cap ? s->cap * 2 : 64;
		SourceDoc  *d = arena_realloc(s->arena, s->docs, sizeof(SourceDoc) * s->cap,
									  sizeof(SourceDoc) * cap);

		if (d == NULL)
			return false;
		s->docs = d;
		s->cap = cap;
	}
	s->docs[s->ndocs].source = source;
	s->docs[s->ndocs].text = text;
	s->docs[s->ndocs].len = len;
	s->ndocs++;
	return true;
}

/* Reads one file into the arena as a source document. */
static void
read_source_file(Sources *s, const char *path, const char *relpath)
{
	FILE	   *f;
	struct stat sb;
	char	   *text;
	size_t		got;

	if (stat(path, &sb) != 0)
	{
		diag_add(s->diags, relpath, 0, 0, "could not stat file: %s", strerror(errno));
		return;
	}
	if (s->max_file_size && (size_t) sb.st_size > s->max_file_size)
	{
		diag_add(s->diags, relpath, 0, 0, "file is larger than the limit of %zu bytes",
				 s->max_file_size);
		return;
	}
	f = fopen(path, "rb");
	if (f == NULL)
	{
		diag_add(s->diags, relpath, 0, 0, "could not open file: %s", strerror(errno));
		return;
	}
	text = arena_alloc(s->arena, (size_t) sb.st_size + 1);
	if (text == NULL)
	{
		fclose(f);
		diag_add(s->diags, relpath, 0, 0, "out of memory");
		return;
	}
	got = fread(text, 1, (size_t) sb.st_size, f);
	fclose(f);
	text[got] = '\0';
	if (memchr(text, '\0', got) != NULL)
		diag_add(s->diags, relpath, 0, 0, "file contains a NUL byte");
	else if (!add_source(s, relpath, text, got))
		diag_add(s->diags, relpath, 0, 0, "out of memory");
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Walks dir in lexical order (as Cerbos does), collecting policies and schemas. */
static void
walk(Sources *s, const char *dir, const char *rel, int depth)
{
	DIR		   *d;
	struct dirent *e;
	char	  **names = NULL;
	size_t		n = 0,
				cap = 0,
				i;

	if (depth > MAX_DEPTH)
	{
		diag_add(s->diags, rel[0] ? rel : ".", 0, 0, "directories nested too deeply");
		return;
	}
	d = opendir(dir);
	if (d == NULL)
	{
		diag_add(s->diags, rel[0] ? rel : dir, 0, 0, "could not open directory: %s",
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
			char	  **p = arena_realloc(s->arena, names, sizeof(char *) * cap,
										  sizeof(char *) * ncap);

			if (p == NULL)
				break;
			names = p;
			cap = ncap;
		}
		names[n++] = arena_strdup(s->arena, e->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(char *), compare_names);
	for (i = 0; i < n; i++)
	{
		char	   *path = arena_printf(s->arena, "%s/%s", dir, names[i]);
		char	   *relpath = rel[0] ? arena_printf(s->arena, "%s/%s", rel, names[i])
			: arena_strdup(s->arena, names[i]);
		struct stat sb;
		PolicyFileRole role;

		if (path == NULL || relpath == NULL || stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
		{
			walk(s, path, relpath, depth + 1);
			continue;
		}
		if (!S_ISREG(sb.st_mode))
			continue;
		role = policy_file_role(relpath);
		if (role == PFILE_POLICY || role == PFILE_SCHEMA)
			read_source_file(s, path, relpath);
	}
}

/* Appends one schema document to the policy directory model. */
static bool
add_schema(Arena *arena, PolicyDir *pdir, const char *source, const char *text, size_t len)
{
	PSchemaFile *schemas = arena_realloc(arena, pdir->schemas,
										 sizeof(PSchemaFile) * pdir->nschemas,
										 sizeof(PSchemaFile) * (pdir->nschemas + 1));

	if (schemas == NULL)
		return false;
	pdir->schemas = schemas;
	schemas[pdir->nschemas].name = source + strlen("_schemas/");
	schemas[pdir->nschemas].text = text;
	schemas[pdir->nschemas].len = len;
	pdir->nschemas++;
	return true;
}

/*
 * Decodes every document and compiles them together, CEL included, into
 * an engine set; *pset receives the compiler's view of the policies.
 */
static EngineSet *
compile_sources(Arena *arena, const char *root, const SourceDoc *docs, uint32_t ndocs,
				const EngineConfig *config, PolicySet **pset, DiagList *diags)
{
	PolicyDir  *pdir = arena_alloc0(arena, sizeof(PolicyDir));
	CompileOptions options;
	int			before = diags->count + diags->dropped;
	uint32_t	i;

	if (pdir == NULL)
		return NULL;
	memset(&options, 0, sizeof(options));
	/* unlike `cerbos compile`, several documents per file are allowed */
	options.load.allow_multiple_documents = true;
	pdir->root = root ? root : "";
	for (i = 0; i < ndocs; i++)
	{
		bool		from_table = strncmp(docs[i].source, "table:", 6) == 0;
		PolicyFileRole role = from_table ? PFILE_POLICY : policy_file_role(docs[i].source);

		if (role == PFILE_SCHEMA)
		{
			if (!add_schema(arena, pdir, docs[i].source, docs[i].text, docs[i].len))
				diag_add(diags, docs[i].source, 0, 0, "out of memory");
			continue;
		}
		pdir->nfiles++;
		(void) policy_load_text(arena, docs[i].source, docs[i].text, docs[i].len,
								&options.load, &pdir->policies, &pdir->npolicies, diags);
	}
	if (diags->count + diags->dropped > before)
		return NULL;
	return engine_compile_policies(arena, pdir, config, pset, diags);
}

void *
image_compile(Arena *arena, const char *dir, const ImageDocumentInput *extra,
			  uint32_t nextra, size_t max_file_size, uint32_t *npolicies,
			  size_t *size_out, DiagList *diags)
{
	return image_compile_set(arena, dir, extra, nextra, max_file_size, npolicies,
							 size_out, NULL, diags);
}

void *
image_compile_set(Arena *arena, const char *dir, const ImageDocumentInput *extra,
				  uint32_t nextra, size_t max_file_size, uint32_t *npolicies,
				  size_t *size_out, EngineSet **set_out, DiagList *diags)
{
	EngineSet  *engine;
	Sources		s = {0};
	struct stat sb;
	PolicySet  *set = NULL;
	ImagePolicyInput *pols;
	ImageDocumentInput *docs;
	void	   *image;
	uint32_t	i;
	int			before = diags->count + diags->dropped;

	s.arena = arena;
	s.diags = diags;
	s.max_file_size = max_file_size;
	if (dir != NULL)
	{
		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		{
			diag_add(diags, dir, 0, 0, "not a directory");
			return NULL;
		}
		walk(&s, dir, "", 0);
	}
	for (i = 0; i < nextra; i++)
	{
		size_t		len = strlen(extra[i].text);

		if (max_file_size && len > max_file_size)
			diag_add(diags, extra[i].source, 0, 0,
					 "policy is larger than the limit of %zu bytes", max_file_size);
		else if (!add_source(&s, extra[i].source, extra[i].text, len))
			diag_add(diags, extra[i].source, 0, 0, "out of memory");
	}
	if (diags->count + diags->dropped > before)
		return NULL;
	engine = compile_sources(arena, dir, s.docs, s.ndocs, NULL, &set, diags);
	if (engine == NULL)
		return NULL;

	pols = arena_alloc0(arena, sizeof(ImagePolicyInput) * (set->npolicies ? set->npolicies : 1));
	docs = arena_alloc0(arena, sizeof(ImageDocumentInput) * (s.ndocs ? s.ndocs : 1));
	if (pols == NULL || docs == NULL)
	{
		diag_add(diags, dir ? dir : "policies", 0, 0, "out of memory");
		return NULL;
	}
	for (i = 0; i < (uint32_t) set->npolicies; i++)
	{
		const CompiledPolicy *cp = &set->policies[i];

		pols[i].fqn = cp->fqn;
		pols[i].kind = policy_kind_name(cp->kind);
		pols[i].name = cp->name;
		pols[i].version = cp->version;
		pols[i].scope = cp->scope;
		pols[i].source = cp->policy->file;
	}
	for (i = 0; i < s.ndocs; i++)
	{
		docs[i].source = s.docs[i].source;
		docs[i].text = s.docs[i].text;
	}
	image = image_build(arena, pols, (uint32_t) set->npolicies, docs, s.ndocs, size_out);
	if (image == NULL)
	{
		diag_add(diags, dir ? dir : "policies", 0, 0,
				 "out of memory while building the policy image");
		return NULL;
	}
	*npolicies = (uint32_t) set->npolicies;
	if (set_out)
		*set_out = engine;
	return image;
}

void *
image_from_directory(Arena *arena, const char *dir, size_t max_file_size,
					 uint32_t *npolicies, size_t *size_out, DiagList *diags)
{
	return image_compile(arena, dir, NULL, 0, max_file_size, npolicies,
						 size_out, diags);
}

EngineSet *
image_engine_set(Arena *arena, const void *image, const EngineConfig *config,
				 DiagList *diags)
{
	PolicySet  *pset = NULL;
	const ImageHeader *h = image_header(image);
	SourceDoc  *docs = arena_alloc0(arena, sizeof(SourceDoc) * (h->ndocuments ? h->ndocuments : 1));
	uint32_t	i;

	if (docs == NULL)
		return NULL;
	for (i = 0; i < h->ndocuments; i++)
	{
		const ImageDocument *d = image_document(image, i);

		docs[i].source = image_str(image, d->source);
		docs[i].text = image_str(image, d->text);
		docs[i].len = d->text_len;
	}
	return compile_sources(arena, NULL, docs, h->ndocuments, config, &pset, diags);
}
