// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * First-fit IOVA allocation over a sorted list of used ranges.  Mappings
 * per device are few (buffer objects a driver maps, page-table pages) and
 * long-lived, so a linear walk is cheaper to get right than a tree and fast
 * enough; bench/ measures map/unmap with the backends that use it.
 */
#include <errno.h>
#include <stdlib.h>

#include "iova.h"

struct gp_iova_range {
	struct gp_iova_range *next;
	uint64_t start;
	uint64_t size;
};

void gp_iova_domain_init(struct gp_iova_domain *dom, uint64_t start, uint64_t granule)
{
	dom->granule = granule;
	dom->start = (start + granule - 1) & ~(granule - 1);
	if (dom->start == 0)
		dom->start = granule;
	dom->used = NULL;
	dom->bytes_used = 0;
	dom->ranges = 0;
}

/* Does [@start, @start + @size) end at or below the inclusive @limit? */
static int gp_iova_fits(uint64_t start, uint64_t size, uint64_t limit)
{
	return start <= limit && size - 1 <= limit - start;
}

int gp_iova_alloc(struct gp_iova_domain *dom, uint64_t size, uint64_t limit, uint64_t *iova)
{
	struct gp_iova_range **link = &dom->used, *r;
	uint64_t candidate = dom->start;

	if (size == 0)
		return -EINVAL;
	if (size > UINT64_MAX - (dom->granule - 1))
		return -ENOSPC;
	size = (size + dom->granule - 1) & ~(dom->granule - 1);

	/* Walk the holes in address order: before each used range, then after the last. */
	for (;;) {
		uint64_t hole_end = *link ? (*link)->start : 0;	/* exclusive; 0: unbounded */

		if (!gp_iova_fits(candidate, size, limit))
			return -ENOSPC;
		if (!*link || size <= hole_end - candidate)
			break;
		candidate = (*link)->start + (*link)->size;
		link = &(*link)->next;
		if (candidate == 0)	/* the last range ended at the top of the space */
			return -ENOSPC;
	}

	r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->start = candidate;
	r->size = size;
	r->next = *link;
	*link = r;
	dom->bytes_used += size;
	dom->ranges++;
	*iova = candidate;
	return 0;
}

int gp_iova_free(struct gp_iova_domain *dom, uint64_t iova)
{
	struct gp_iova_range **link, *r;

	for (link = &dom->used; *link; link = &(*link)->next) {
		if ((*link)->start != iova)
			continue;
		r = *link;
		*link = r->next;
		dom->bytes_used -= r->size;
		dom->ranges--;
		free(r);
		return 0;
	}
	return -ENOENT;
}

void gp_iova_domain_fini(struct gp_iova_domain *dom)
{
	struct gp_iova_range *r, *next;

	for (r = dom->used; r; r = next) {
		next = r->next;
		free(r);
	}
	dom->used = NULL;
	dom->bytes_used = 0;
	dom->ranges = 0;
}
