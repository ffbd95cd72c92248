/* Unit tests for the policy image format and directory loading. */
#include "common/diag.h"
#include "store/image.h"
#include "store/image_source.h"
#include "unit.h"

#define FIXTURES "../fixtures/store"

int
main(void)
{
	Arena	   *a = arena_create(NULL, 0);
	ImagePolicyInput in[3] = {
		{"cerbos.resource.a.vdefault", "RESOURCE", "a", "default", "", "a.yaml"},
		{"cerbos.resource.b.vdefault/x", "RESOURCE", "b", "default", "x", "b.yaml"},
		{"cerbos.derived_roles.r", "DERIVED_ROLES", "r", "", "", "a.yaml"},
	};
	ImageDocumentInput docs[2] = {
		{"a.yaml", "resourcePolicy: {resource: a}\n"},
		{"table:b", "resourcePolicy: {resource: b}\n"},
	};
	ImageDocumentInput rows[2] = {
		{"table:photo", "apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: photo\n  version: default\n"},
		{"table:dup", "apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: album\n  version: default\n"},
	};
	size_t		size = 0;
	void	   *img = image_build(a, in, 3, docs, 2, &size);
	char	   *copy;
	DiagList	dl;
	uint32_t	n = 0;

	CHECK(img != NULL);
	CHECK(image_validate(img, size));
	CHECK(image_header(img)->npolicies == 3);
	CHECK_STR(image_str(img, image_policy(img, 1)->scope), "x");
	CHECK_STR(image_str(img, image_policy(img, 2)->kind), "DERIVED_ROLES");
	/* repeated strings are stored once */
	CHECK(image_policy(img, 0)->source == image_policy(img, 2)->source);
	CHECK(image_policy(img, 0)->kind == image_policy(img, 1)->kind);

	CHECK(image_header(img)->ndocuments == 2);
	CHECK_STR(image_str(img, image_document(img, 1)->source), "table:b");
	CHECK_STR(image_str(img, image_document(img, 0)->text), "resourcePolicy: {resource: a}\n");
	CHECK(image_document(img, 0)->text_len == strlen("resourcePolicy: {resource: a}\n"));

	/* position independence: a copy elsewhere reads the same */
	copy = arena_alloc(a, size);
	memcpy(copy, img, size);
	CHECK(image_validate(copy, size));
	CHECK_STR(image_str(copy, image_policy(copy, 0)->fqn), "cerbos.resource.a.vdefault");

	/* corruption is detected before any offset is followed */
	CHECK(!image_validate(copy, size - 8));
	((ImagePolicy *) (copy + image_header(copy)->policies_off))[1].fqn = 0xfffffff0u;
	CHECK(!image_validate(copy, size));
	memcpy(copy, img, size);
	((ImageHeader *) copy)->format = 99;
	CHECK(!image_validate(copy, size));
	memcpy(copy, img, size);
	((ImageHeader *) copy)->strings_off = (uint32_t) size;
	CHECK(!image_validate(copy, size));
	/* found by fuzz_image: a misaligned table offset must be refused */
	memcpy(copy, img, size);
	((ImageHeader *) copy)->policies_off += 1;
	CHECK(!image_validate(copy, size));

	memcpy(copy, img, size);
	((ImageDocument *) (copy + image_header(copy)->documents_off))[0].text_len += 1;
	CHECK(!image_validate(copy, size));

	/* an empty image is valid */
	img = image_build(a, NULL, 0, NULL, 0, &size);
	CHECK(img != NULL && image_validate(img, size));

	/* directories: good ones load, broken ones report every problem */
	diag_init(&dl, a);
	img = image_from_directory(a, FIXTURES "/v2", 0, &n, &size, &dl);
	CHECK(img != NULL);
	CHECK(n == 4);
	CHECK(dl.count == 0);
	/* the compiled names are Cerbos' */
	CHECK(img != NULL && strcmp(image_str(img, image_policy(img, 0)->fqn), "resource.album.vdefault") == 0);
	img = image_from_directory(a, FIXTURES "/broken", 0, &n, &size, &dl);
	CHECK(img == NULL);
	CHECK(dl.count == 3);
	CHECK(dl.count == 3 && strcmp(dl.items[0].file, "nested/bad_yaml.yaml") == 0);
	CHECK(dl.count == 3 && dl.items[1].line == 2 && dl.items[1].column == 1);
	CHECK(dl.count == 3 && strstr(dl.items[1].message, "unknown field \"somethingElse\"") != NULL);
	/* the sources travel in the image */
	img = image_from_directory(a, FIXTURES "/v1", 0, &n, &size, &dl);
	CHECK(img != NULL && image_header(img)->ndocuments == 2);
	CHECK(img != NULL && strstr(image_str(img, image_document(img, 0)->text), "album") != NULL);

	/* a directory and table rows compile together; a duplicate is an error */
	diag_init(&dl, a);
	img = image_compile(a, FIXTURES "/v1", rows, 1, 0, &n, &size, &dl);
	CHECK(img != NULL && n == 3);
	img = image_compile(a, FIXTURES "/v1", rows, 2, 0, &n, &size, &dl);
	CHECK(img == NULL && dl.count == 1);
	CHECK(dl.count == 1 && strstr(dl.items[0].message, "resource.album.vdefault") != NULL);
	img = image_compile(a, NULL, rows, 1, 0, &n, &size, &dl);
	CHECK(img != NULL && n == 1);

	/* a file size limit is a reported problem, not a crash */
	diag_init(&dl, a);
	img = image_from_directory(a, FIXTURES "/v1", 10, &n, &size, &dl);
	CHECK(img == NULL && dl.count == 2);

	arena_destroy(a);
	UNIT_DONE("image");
}
