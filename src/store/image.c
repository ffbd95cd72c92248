/*
 * image.c — building and validating position-independent policy images.
 *
 * The builder makes two passes: the first sizes the string pool (identical
 * strings are stored once, as policy sets repeat versions, scopes and file
 * names a lot), the second writes the bytes.  Validation re-derives every
 * bound from the header so that a corrupt or foreign image is refused
 * before any offset in it is followed.
 */
#include "image.h"

#include <string.h>

#define ALIGN8(x) (((x) + 7) & ~((size_t) 7))

typedef struct StringPool
{
	Arena	   *arena;
	char	   *buf;
	size_t		len;
	size_t		cap;
	/* open-addressing table of offsets for de-duplication */
	uint32_t   *slots;
	size_t		nslots;
	size_t		used;
} StringPool;

static uint64_t
hash_string(const char *s)
{
	uint64_t	h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char) *s++) * 1099511628211ULL;
	return h;
}

/* Grows the de-duplication table; false on allocation failure. */
static bool
pool_rehash(StringPool *pool)
{
	size_t		n = pool->nslots ? pool->nslots * 2 : 64;
	uint32_t   *slots = arena_alloc0(pool->arena, n * sizeof(uint32_t));
	size_t		i;

	if (slots == NULL)
		return false;
	for (i = 0; i < pool->nslots; i++)
	{
		uint32_t	off = pool->slots[i];
		size_t		j;

		if (off == 0)
			continue;
		j = hash_string(pool->buf + off) & (n - 1);
		while (slots[j] != 0)
			j = (j + 1) & (n - 1);
		slots[j] = off;
	}
	pool->slots = slots;
	pool->nslots = n;
	return true;
}

/* Interns s; returns its offset, or UINT32_MAX on failure. */
static uint32_t
pool_intern(StringPool *pool, const char *s)
{
	size_t		len,
				j;

	if (s == NULL || *s == '\0')
		return 0;
	if ((pool->used + 1) * 2 > pool->nslots && !pool_rehash(pool))
		return UINT32_MAX;
	j = hash_string(s) & (pool->nslots - 1);
	while (pool->slots[j] != 0)
	{
		if (strcmp(pool->buf + pool->slots[j], s) == 0)
			return pool->slots[j];
		j = (j + 1) & (pool->nslots - 1);
	}
	len = strlen(s) + 1;
	if (pool->len + len > UINT32_MAX / 2)
		return UINT32_MAX;
	if (pool->len + len > pool->cap)
	{
		size_t		cap = pool->cap ? pool->cap * 2 : 1024;
		char	   *buf;

		while (cap < pool->len + len)
			cap *= 2;
		buf = arena_realloc(pool->arena, pool->buf, pool->len, cap);
		if (buf == NULL)
			return UINT32_MAX;
		pool->buf = buf;
		pool->cap = cap;
	}
	memcpy(pool->buf + pool->len, s, len);
	pool->slots[j] = (uint32_t) pool->len;
	pool->len += len;
	pool->used++;
	return pool->slots[j];
}

void *
image_build(Arena *arena, const ImagePolicyInput *policies, uint32_t npolicies,
			const ImageDocumentInput *documents, uint32_t ndocuments,
			size_t *size_out)
{
	StringPool	pool = {0};
	ImagePolicy *table;
	ImageDocument *docs;
	size_t		policies_off,
				documents_off,
				strings_off,
				total;
	char	   *image;
	ImageHeader *h;
	uint32_t	i;

	pool.arena = arena;
	/* offset 0 is the empty string */
	pool.buf = arena_alloc(arena, 1024);
	if (pool.buf == NULL)
		return NULL;
	pool.buf[0] = '\0';
	pool.len = 1;
	pool.cap = 1024;

	table = arena_alloc0(arena, sizeof(ImagePolicy) * (npolicies ? npolicies : 1));
	if (table == NULL)
		return NULL;
	for (i = 0; i < npolicies; i++)
	{
		const ImagePolicyInput *in = &policies[i];
		uint32_t	v[6];
		int			k;

		v[0] = pool_intern(&pool, in->fqn);
		v[1] = pool_intern(&pool, in->kind);
		v[2] = pool_intern(&pool, in->name);
		v[3] = pool_intern(&pool, in->version);
		v[4] = pool_intern(&pool, in->scope);
		v[5] = pool_intern(&pool, in->source);
		for (k = 0; k < 6; k++)
			if (v[k] == UINT32_MAX)
				return NULL;
		table[i].fqn = v[0];
		table[i].kind = v[1];
		table[i].name = v[2];
		table[i].version = v[3];
		table[i].scope = v[4];
		table[i].source = v[5];
	}

	docs = arena_alloc0(arena, sizeof(ImageDocument) * (ndocuments ? ndocuments : 1));
	if (docs == NULL)
		return NULL;
	for (i = 0; i < ndocuments; i++)
	{
		uint32_t	src = pool_intern(&pool, documents[i].source);
		uint32_t	text = pool_intern(&pool, documents[i].text);
		size_t		len = documents[i].text ? strlen(documents[i].text) : 0;

		if (src == UINT32_MAX || text == UINT32_MAX || len > UINT32_MAX / 2)
			return NULL;
		docs[i].source = src;
		docs[i].text = text;
		docs[i].text_len = (uint32_t) len;
	}

	policies_off = ALIGN8(sizeof(ImageHeader));
	documents_off = ALIGN8(policies_off + sizeof(ImagePolicy) * npolicies);
	strings_off = ALIGN8(documents_off + sizeof(ImageDocument) * ndocuments);
	total = ALIGN8(strings_off + pool.len);
	if (total > UINT32_MAX)
		return NULL;
	image = arena_alloc0(arena, total);
	if (image == NULL)
		return NULL;
	h = (ImageHeader *) image;
	h->magic = AUTHZ_IMAGE_MAGIC;
	h->format = AUTHZ_IMAGE_FORMAT;
	h->npolicies = npolicies;
	h->ndocuments = ndocuments;
	h->documents_off = (uint32_t) documents_off;
	h->total_size = total;
	h->policies_off = (uint32_t) policies_off;
	h->strings_off = (uint32_t) strings_off;
	h->strings_len = (uint32_t) pool.len;
	if (npolicies)
		memcpy(image + policies_off, table, sizeof(ImagePolicy) * npolicies);
	if (ndocuments)
		memcpy(image + documents_off, docs, sizeof(ImageDocument) * ndocuments);
	memcpy(image + strings_off, pool.buf, pool.len);
	*size_out = total;
	return image;
}

/* True when s is a valid string offset: inside the pool and NUL-terminated. */
static bool
valid_str(const ImageHeader *h, const char *pool, ImageStr s)
{
	if (s >= h->strings_len)
		return false;
	return memchr(pool + s, '\0', h->strings_len - s) != NULL;
}

bool
image_validate(const void *image, size_t size)
{
	const ImageHeader *h = image;
	const char *pool;
	uint32_t	i;

	if (image == NULL || size < sizeof(ImageHeader))
		return false;
	if (h->magic != AUTHZ_IMAGE_MAGIC || h->format != AUTHZ_IMAGE_FORMAT)
		return false;
	if (h->total_size != size)
		return false;
	if (h->policies_off < sizeof(ImageHeader) || h->policies_off % 8 != 0 ||
		h->documents_off % 8 != 0 ||
		(uint64_t) h->policies_off + (uint64_t) h->npolicies * sizeof(ImagePolicy) > h->documents_off ||
		(uint64_t) h->documents_off + (uint64_t) h->ndocuments * sizeof(ImageDocument) > h->strings_off ||
		(uint64_t) h->strings_off + h->strings_len > size ||
		h->strings_len == 0)
		return false;
	pool = (const char *) image + h->strings_off;
	if (pool[0] != '\0')
		return false;
	for (i = 0; i < h->npolicies; i++)
	{
		const ImagePolicy *p = image_policy(image, i);

		if (!valid_str(h, pool, p->fqn) || !valid_str(h, pool, p->kind) ||
			!valid_str(h, pool, p->name) || !valid_str(h, pool, p->version) ||
			!valid_str(h, pool, p->scope) || !valid_str(h, pool, p->source))
			return false;
	}
	for (i = 0; i < h->ndocuments; i++)
	{
		const ImageDocument *d = image_document(image, i);

		if (!valid_str(h, pool, d->source) || !valid_str(h, pool, d->text) ||
			strlen(pool + d->text) != d->text_len)
			return false;
	}
	return true;
}
