/*
 * image_source.h — compile a policy directory into an image.
 */
#ifndef AUTHZ_STORE_IMAGE_SOURCE_H
#define AUTHZ_STORE_IMAGE_SOURCE_H

#include "../common/diag.h"
#include "../compiler/compiler.h"
#include "../engine/engine.h"
#include "image.h"

/*
 * Loads every policy under dir and builds an image in arena.  Returns NULL
 * when anything is wrong, with every problem in diags (paths relative to
 * dir).  max_file_size 0 = unlimited.
 */
extern void *image_from_directory(Arena *arena, const char *dir,
								  size_t max_file_size, uint32_t *npolicies,
								  size_t *size_out, DiagList *diags);

/*
 * Compiles the policies under dir (NULL = none) together with extra
 * in-memory documents (table rows, source "table:<id>") into one image.
 * A policy defined twice, in files or rows, is an error.
 */
extern void *image_compile(Arena *arena, const char *dir,
						   const ImageDocumentInput *extra, uint32_t nextra,
						   size_t max_file_size, uint32_t *npolicies,
						   size_t *size_out, DiagList *diags);

/*
 * image_compile, also handing back the engine set it compiled on the way
 * (default engine settings, allocated in arena): the same set
 * image_engine_set would rebuild from the image.
 */
extern void *image_compile_set(Arena *arena, const char *dir,
							   const ImageDocumentInput *extra, uint32_t nextra,
							   size_t max_file_size, uint32_t *npolicies,
							   size_t *size_out, EngineSet **set_out,
							   DiagList *diags);

/* Rebuilds the engine's rule table from an image's documents. */
extern EngineSet *image_engine_set(Arena *arena, const void *image,
								   const EngineConfig *config, DiagList *diags);

#endif							/* AUTHZ_STORE_IMAGE_SOURCE_H */
