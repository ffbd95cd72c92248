/* Unit tests for the arena allocator and positioned diagnostics. */
#include "common/arena.h"
#include "common/diag.h"
#include "unit.h"

int
main(void)
{
	Arena	   *a = arena_create(NULL, 0);
	Arena	   *small = arena_create(NULL, 16 * 1024);
	DiagList	dl;
	char	   *s;
	int			i;
	void	   *p = NULL;

	CHECK(a != NULL);
	s = arena_strdup(a, "hello");
	CHECK_STR(s, "hello");
	CHECK(((uintptr_t) arena_alloc(a, 3) & 7) == 0);
	CHECK(((uintptr_t) arena_alloc(a, 5) & 7) == 0);
	/* large allocations get their own block */
	p = arena_alloc(a, 3 * 1024 * 1024);
	CHECK(p != NULL);
	CHECK_STR(arena_printf(a, "%d-%s", 42, "x"), "42-x");

	/* the byte limit turns into NULL + failed, never a crash */
	for (i = 0; i < 100 && (p = arena_alloc(small, 1000)) != NULL; i++)
		;
	CHECK(p == NULL);
	CHECK(small->failed);
	arena_reset(small);
	CHECK(!small->failed);
	CHECK(arena_alloc(small, 100) != NULL);

	diag_init(&dl, a);
	diag_add(&dl, "a.yaml", 3, 7, "unknown field \"%s\"", "foo");
	diag_add(&dl, NULL, 1, 2, "bad");
	CHECK(dl.count == 2);
	CHECK_STR(diag_render(&dl), "a.yaml:3:7: unknown field \"foo\"\n1:2: bad");
	dl.max_items = 2;
	diag_add(&dl, NULL, 0, 0, "dropped");
	CHECK(dl.count == 2 && dl.dropped == 1);

	arena_destroy(a);
	arena_destroy(small);
	UNIT_DONE("arena");
}
