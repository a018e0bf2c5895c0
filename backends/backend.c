// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bus backend interface: what all bindings share.
 */
#include <assert.h>
#include <stddef.h>

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
