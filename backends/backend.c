// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bus backend interface: what all bindings share.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

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

/*
 * As dma_set_mask() with dma_supported(): a backend without DMA accepts no
 * mask, and a mask must cover at least one page above address 0 (no
 * backend hands out address 0, so a smaller one could reach nothing).
 * Whether addresses under the mask are still free is the map's business
 * (-ENOSPC then), as the kernel's IOVA allocator decides at map time.
 */
int gp_backend_dma_set_mask(struct gp_backend *be, uint64_t mask)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	assert(be);
	if (!be->ops->dma_map)
		return -EIO;
	if (mask < 2 * page - 1)
		return -EIO;
	be->dma_mask = mask;
	return 0;
}
