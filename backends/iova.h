/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An IOVA allocator: ranges of a device's address space, as the kernel's
 * iova_domain.  Used by every backend that hands out device addresses (the
 * VFIO type1 IOMMU, the mock's DMA model) so that they honour a DMA mask
 * the same way.
 *
 * Not thread-safe: the backend serialises calls with its own DMA lock.
 */
#ifndef GP_IOVA_H
#define GP_IOVA_H

#include <stdint.h>

struct gp_iova_range;

struct gp_iova_domain {
	uint64_t start;			/* lowest address handed out (never 0) */
	uint64_t granule;		/* alignment and size unit, a power of two */
	struct gp_iova_range *used;	/* sorted by start */
	uint64_t bytes_used;
	unsigned int ranges;
};

/**
 * gp_iova_domain_init() - an empty domain.
 * @start: lowest address; rounded up to @granule, and at least @granule so
 *	that address 0 is never handed out (a device reading 0 is a bug)
 * @granule: the IOMMU page size, a power of two
 */
void gp_iova_domain_init(struct gp_iova_domain *dom, uint64_t start, uint64_t granule);

/**
 * gp_iova_alloc() - reserve @size bytes (rounded up to the granule), first
 * fit from the bottom, entirely at or below @limit (an inclusive DMA mask).
 * Return: 0 and *@iova; -EINVAL for size 0; -ENOSPC when no hole fits;
 * -ENOMEM.
 */
int gp_iova_alloc(struct gp_iova_domain *dom, uint64_t size, uint64_t limit, uint64_t *iova);

/**
 * gp_iova_free() - release a range gp_iova_alloc() returned.
 * Return: 0 or -ENOENT when @iova is not the start of an allocated range.
 */
int gp_iova_free(struct gp_iova_domain *dom, uint64_t iova);

/** gp_iova_domain_fini() - free the bookkeeping (ranges still allocated are forgotten). */
void gp_iova_domain_fini(struct gp_iova_domain *dom);

#endif /* GP_IOVA_H */
