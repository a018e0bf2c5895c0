/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bus backend: how a driver reaches its device.
 *
 * A backend binding is what a bound bus device gives user space: register
 * regions reached through 32/64-bit accessors, interrupt lines delivered as
 * eventfds, and a file descriptor that becomes readable when the bus device
 * is going away (VFIO's request IRQ, a uevent socket, the mock's removal
 * switch).  It is the user-space analogue of the resources a kernel driver
 * holds for the duration of its probe()..remove() scope.
 *
 * Ownership: a binding is created by a backend's open function, handed to
 * the driver's probe, which moves it into the registration data, and is
 * released exactly once, by gp_backend_release(), after the registration's
 * grace period.  No accessor may be called after release.
 */
#ifndef GP_BACKEND_H
#define GP_BACKEND_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gp_backend;
struct gp_dma_mapping;

/** Bus types a binding can come from; drivers check this in probe. */
enum gp_bus_type {
	GP_BUS_MOCK,
	GP_BUS_PLATFORM,
	GP_BUS_PCI,
	GP_BUS_AMBA,		/* an ARM AMBA (PrimeCell) device: vfio-amba */
};

struct gp_backend_ops {
	/*
	 * Register accessors.  @region indexes the binding's regions, @offset is
	 * a byte offset that the caller keeps aligned and inside the region
	 * (checked by gp_region_*() wrappers with assert()).
	 */
	uint32_t (*read32)(struct gp_backend *be, unsigned int region, uint64_t offset);
	void (*write32)(struct gp_backend *be, unsigned int region, uint64_t offset, uint32_t value);
	uint64_t (*read64)(struct gp_backend *be, unsigned int region, uint64_t offset);
	void (*write64)(struct gp_backend *be, unsigned int region, uint64_t offset, uint64_t value);

	/*
	 * Re-enable an interrupt line after its handler ran.  Level-triggered
	 * lines are masked when they fire (VFIO's AUTOMASKED); NULL when the
	 * backend needs no unmask.
	 */
	int (*irq_unmask)(struct gp_backend *be, unsigned int line);

	/*
	 * DMA, as dma_map_sgtable()/dma_unmap_sgtable(): make [@vaddr, @vaddr +
	 * @size) of the daemon's memory (page aligned, MAP_SHARED, e.g. a buffer
	 * object's mapping) reachable by the device, pinned, within be->dma_mask.
	 * NULL when the backend has no DMA (the wrappers answer -EOPNOTSUPP).
	 * Context: any thread, inside a guard; never after release.
	 */
	int (*dma_map)(struct gp_backend *be, void *vaddr, size_t size, unsigned int dir,
		       struct gp_dma_mapping **out);
	void (*dma_unmap)(struct gp_backend *be, struct gp_dma_mapping *map);

	/*
	 * Tear the binding down: unmap any DMA mapping still live (a driver bug,
	 * logged), then stop IRQs, unmap regions, close fds, free.  This order is
	 * what lets a sysfs unbind finish with no IOVA mapped and no page pinned.
	 */
	void (*release)(struct gp_backend *be);
};

/** Description of one register region. */
struct gp_backend_region {
	const char *name;
	uint64_t size;
};

/**
 * struct gp_backend - a live bus binding.
 *
 * Backends embed this as their first member.  Fields are filled by the
 * backend's open function and never change afterwards.
 */
struct gp_backend {
	const struct gp_backend_ops *ops;
	enum gp_bus_type bus;
	char bus_id[64];			/* "mock", "fb000000.gpu", "0000:00:03.0" */
	unsigned int num_regions;
	const struct gp_backend_region *regions;
	unsigned int num_irqs;
	const int *irq_fds;			/* eventfd per line, readable when it fires */
	int removal_fd;				/* readable when the bus device goes away; -1 if none */
	/*
	 * Addresses the device can emit, as dma_set_mask(): all-ones from open,
	 * narrowed by the driver in probe before its first mapping.
	 */
	uint64_t dma_mask;
};

/* DMA directions, as enum dma_data_direction. */
#define GP_DMA_BIDIRECTIONAL	0
#define GP_DMA_TO_DEVICE	1
#define GP_DMA_FROM_DEVICE	2

/** struct gp_dma_segment - one device-contiguous run of a mapping. */
struct gp_dma_segment {
	uint64_t addr;		/* device address: IOVA, or a physical address without an IOMMU */
	uint64_t len;
};

/**
 * struct gp_dma_mapping - a live device mapping, as an sg_table after
 * dma_map_sgtable().  With an IOMMU there is one segment; without one there
 * is one per physically contiguous run of pages.  Owned by the backend;
 * read-only to the driver until it passes it to gp_backend_dma_unmap().
 */
struct gp_dma_mapping {
	void *vaddr;
	size_t size;
	unsigned int dir;
	unsigned int num_segments;
	const struct gp_dma_segment *segments;
};

/**
 * gp_backend_release() - release a binding and clear the caller's pointer.
 * @pbe: the binding; *pbe may be NULL (no-op).
 *
 * Context: after the registration's grace period, when no guard can still
 * be using the binding.
 */
void gp_backend_release(struct gp_backend **pbe);

/**
 * gp_backend_config_error() - format a configuration error for the caller.
 * @err, @errlen: where the message goes; may be NULL/0 when not wanted
 * Return: always -EINVAL, so parsers can "return gp_backend_config_error(...)".
 */
int gp_backend_config_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline uint32_t gp_backend_read32(struct gp_backend *be, unsigned int region, uint64_t offset)
{
	return be->ops->read32(be, region, offset);
}

static inline void gp_backend_write32(struct gp_backend *be, unsigned int region, uint64_t offset,
				      uint32_t value)
{
	be->ops->write32(be, region, offset, value);
}

static inline uint64_t gp_backend_read64(struct gp_backend *be, unsigned int region, uint64_t offset)
{
	return be->ops->read64(be, region, offset);
}

static inline void gp_backend_write64(struct gp_backend *be, unsigned int region, uint64_t offset,
				      uint64_t value)
{
	be->ops->write64(be, region, offset, value);
}

/**
 * gp_backend_irq_fd() - the eventfd of interrupt line @line, or -1.
 */
static inline int gp_backend_irq_fd(const struct gp_backend *be, unsigned int line)
{
	return line < be->num_irqs ? be->irq_fds[line] : -1;
}

/**
 * gp_backend_irq_unmask() - re-arm a line after handling; 0 or -errno.
 */
static inline int gp_backend_irq_unmask(struct gp_backend *be, unsigned int line)
{
	return be->ops->irq_unmask ? be->ops->irq_unmask(be, line) : 0;
}

/**
 * gp_backend_dma_set_mask() - the device's addressing limit, as
 * dma_set_mask(); call in probe before the first mapping.
 * Return: 0, or -EIO when the backend cannot honour it (as dma_set_mask()).
 */
int gp_backend_dma_set_mask(struct gp_backend *be, uint64_t mask);

/**
 * gp_backend_dma_map() - map daemon memory for the device.
 * Return: 0; -EOPNOTSUPP without DMA; -EINVAL for an unaligned or empty
 * range; -ENOSPC when the device's address space (IOVA under its mask) is
 * exhausted; -ENOMEM; or the errno of the bus (e.g. VFIO_IOMMU_MAP_DMA).
 * Without an IOMMU (VFIO no-IOMMU, experimental) also -EPERM when physical
 * addresses cannot be read (no CAP_SYS_ADMIN) and -ERANGE when a page lies
 * above the mask (there are no bounce buffers).
 */
static inline int gp_backend_dma_map(struct gp_backend *be, void *vaddr, size_t size,
				     unsigned int dir, struct gp_dma_mapping **out)
{
	if (!be->ops->dma_map)
		return -EOPNOTSUPP;
	return be->ops->dma_map(be, vaddr, size, dir, out);
}

/** gp_backend_dma_unmap() - unmap and unpin; clears *@pmap; NULL is a no-op. */
static inline void gp_backend_dma_unmap(struct gp_backend *be, struct gp_dma_mapping **pmap)
{
	if (*pmap)
		be->ops->dma_unmap(be, *pmap);
	*pmap = NULL;
}

#endif /* GP_BACKEND_H */
