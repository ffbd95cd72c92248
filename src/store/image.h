/*
 * image.h — the compiled policy set as one position-independent block.
 *
 * An image is what the store publishes in shared memory and every backend
 * reads in place: a header, fixed-size tables and a string pool, all linked
 * by byte offsets from the start of the image, never by pointers, so the
 * same bytes work at whatever address a backend maps the DSA segment.
 *
 * Layout (all offsets relative to the image start, 8-byte aligned):
 *   ImageHeader
 *   ImagePolicy[npolicies]
 *   ImageDocument[ndocuments]
 *   string pool (NUL-terminated strings)
 *
 * Documents are the policy sources the set was compiled from (file path or
 * table row id, and text).  Every backend builds its evaluation structures
 * from them once per generation; the loading backend has already proved
 * they compile, so that step cannot fail differently elsewhere.
 *
 * The format carries a magic number and a version so that a backend never
 * interprets bytes written by a different build.
 */
#ifndef AUTHZ_STORE_IMAGE_H
#define AUTHZ_STORE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"

#define AUTHZ_IMAGE_MAGIC	0x5a48545541ULL	/* "AUTHZ" */
#define AUTHZ_IMAGE_FORMAT	2

typedef uint32_t ImageStr;		/* offset of a NUL-terminated string; 0 = "" */

typedef struct ImageHeader
{
	uint64_t	magic;
	uint32_t	format;
	uint32_t	npolicies;
	uint32_t	ndocuments;
	uint32_t	documents_off;	/* offset of ImageDocument[0] */
	uint64_t	total_size;		/* bytes, header included */
	uint32_t	policies_off;	/* offset of ImagePolicy[0] */
	uint32_t	strings_off;	/* offset of the string pool */
	uint32_t	strings_len;
	uint32_t	reserved;
} ImageHeader;

typedef struct ImagePolicy
{
	ImageStr	fqn;			/* cerbos.resource.leave_request.vdefault/acme */
	ImageStr	kind;			/* RESOURCE, PRINCIPAL, DERIVED_ROLES, ... */
	ImageStr	name;
	ImageStr	version;
	ImageStr	scope;
	ImageStr	source;			/* file the policy came from */
} ImagePolicy;

typedef struct ImageDocument
{
	ImageStr	source;			/* file path (relative) or "table:<id>" */
	ImageStr	text;			/* the document's full text */
	uint32_t	text_len;
	uint32_t	reserved;
} ImageDocument;

typedef struct ImageDocumentInput
{
	const char *source;
	const char *text;			/* NUL-terminated */
} ImageDocumentInput;

/* What a compiler hands to the builder for each policy. */
typedef struct ImagePolicyInput
{
	const char *fqn;
	const char *kind;
	const char *name;
	const char *version;
	const char *scope;
	const char *source;
} ImagePolicyInput;

/* Serialises policies into one image allocated in arena; NULL on failure. */
extern void *image_build(Arena *arena, const ImagePolicyInput *policies,
						 uint32_t npolicies, const ImageDocumentInput *documents,
						 uint32_t ndocuments, size_t *size_out);

/* Checks magic, format and that every offset stays inside size. */
extern bool image_validate(const void *image, size_t size);

static inline const ImageHeader *
image_header(const void *image)
{
	return (const ImageHeader *) image;
}

static inline const ImagePolicy *
image_policy(const void *image, uint32_t i)
{
	const ImageHeader *h = image_header(image);

	return (const ImagePolicy *) ((const char *) image + h->policies_off) + i;
}

static inline const ImageDocument *
image_document(const void *image, uint32_t i)
{
	const ImageHeader *h = image_header(image);

	return (const ImageDocument *) ((const char *) image + h->documents_off) + i;
}

static inline const char *
image_str(const void *image, ImageStr s)
{
	const ImageHeader *h = image_header(image);

	return (const char *) image + h->strings_off + s;
}

#endif							/* AUTHZ_STORE_IMAGE_H */
