// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bus backend interface: what all bindings share.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "backend.h"

void gp_backend_release(struct gp_backend **pbe)
{
	struct gp_backend *be;

	assert(pbe);
	be = *pbe;
	if (!be)
		return;

	/* Clear first: once release starts, no one may reach the binding. */
	*pbe = NULL;
	be->ops->release(be);
}

int gp_backend_config_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}
