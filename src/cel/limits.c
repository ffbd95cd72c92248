/*
 * limits.c — one place where an evaluation reports a resource limit.
 *
 * Every limit in CelEvalContext (comprehension steps, string and list
 * growth, regex size and backtracking) ends here, so the embedding layer
 * learns which one was hit through a single callback and can turn it into
 * its own error (the PostgreSQL layer raises an ERROR naming the GUC).
 */
#include <stdarg.h>
#include <stdio.h>

#include "cel_func.h"

/* Records the first limit hit, tells the embedding layer, returns the error. */
CelValue
cel_limit_error(CelEvalContext *ctx, const char *limit, const char *fmt,...)
{
	char		buf[256];
	va_list		ap;

	if (ctx->limit_hit == NULL)
		ctx->limit_hit = limit;
	if (ctx->limit_exceeded != NULL)
		ctx->limit_exceeded(ctx->user, limit);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return cel_error(ctx->arena, "%s", buf);
}
