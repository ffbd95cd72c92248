/*
 * fuzz_image.c — image_validate must refuse any malformed image without
 * reading outside it, and everything it accepts must be safe to walk.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/image.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* copy to an exactly-sized, aligned buffer so ASan sees overreads */
	uint64_t   *buf = malloc(size ? size : 1);
	uint32_t	i;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (image_validate(buf, size))
	{
		const ImageHeader *h = image_header(buf);
		size_t		total = 0;

		for (i = 0; i < h->npolicies; i++)
		{
			const ImagePolicy *p = image_policy(buf, i);

			total += strlen(image_str(buf, p->fqn)) + strlen(image_str(buf, p->kind)) +
				strlen(image_str(buf, p->name)) + strlen(image_str(buf, p->version)) +
				strlen(image_str(buf, p->scope)) + strlen(image_str(buf, p->source));
		}
		if (total > size * 8)
			abort();
	}
	free(buf);
	return 0;
}
