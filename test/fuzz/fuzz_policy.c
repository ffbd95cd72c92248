/*
 * fuzz_policy.c — any bytes as a policy file: decoded, then compiled on
 * their own.  Must never crash, leak or read out of bounds; errors are
 * expected.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compiler.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Arena	   *arena = arena_create(NULL, 64 * 1024 * 1024);
	DiagList	diags;
	PolicyDir	dir;
	CompileOptions options;
	PolicySet  *set = NULL;
	char	   *text;

	if (arena == NULL)
		return 0;
	text = arena_alloc(arena, size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	diag_init(&diags, arena);
	memset(&dir, 0, sizeof(dir));
	memset(&options, 0, sizeof(options));
	options.load.allow_multiple_documents = true;
	dir.root = "";
	dir.nfiles = 1;
	if (policy_load_text(arena, "fuzz.yaml", text, size, &options.load,
						 &dir.policies, &dir.npolicies, &diags))
		(void) compile_policies(arena, &dir, &options, &set, &diags);
	(void) diag_render(&diags);
	arena_destroy(arena);
	return 0;
}
