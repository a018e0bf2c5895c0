// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A fake VFIO kernel; see fake_vfio.h.  Where it checks arguments it does
 * what drivers/vfio/ does (argsz against the struct's minimum size, index
 * ranges, vfio_set_irqs_validate_and_prepare()), so a backend that passes
 * here passes there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_vfio.h"

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

#define MIB (1024u * 1024u)

static struct fake_vfio *fake;

static void fake_die(const char *what)
{
	perror(what);
	abort();
}

__attribute__((format(printf, 3, 4)))
static void fake_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		fake_die("fake_vfio: path too long");
}

static void fake_mkdir_p(const char *path)
{
	char tmp[PATH_MAX];

	fake_path(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			fake_die(tmp);
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		fake_die(tmp);
}

static void fake_touch(const char *path, const char *content)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		fake_die(path);
	if (content)
		fputs(content, fp);
	fclose(fp);
}

static void fake_symlink(const char *target, const char *link)
{
	unlink(link);
	if (symlink(target, link) < 0)
		fake_die(link);
}

static const char *fake_bus_dir(const struct fake_vfio *f)
{
	return f->bus == GP_BUS_PCI ? "pci" : f->bus == GP_BUS_AMBA ? "amba" : "platform";
}

/* Calls that can fail: count them and fail the chosen one. */
static bool fake_inject(void)
{
	if (!fake)
		abort();
	fake->calls++;
	if (fake->fail_call && fake->calls == fake->fail_call) {
		errno = fake->fail_errno ? fake->fail_errno : EIO;
		return true;
	}
	return false;
}

/* --- the world --------------------------------------------------------- */

static void fake_group_nodes(struct fake_vfio *f)
{
	char path[PATH_MAX];

	fake_path(path, sizeof(path), "%s/vfio/%u", f->dev, FAKE_VFIO_GROUP);
	unlink(path);
	fake_path(path, sizeof(path), "%s/vfio/noiommu-%u", f->dev, FAKE_VFIO_GROUP);
	unlink(path);
	fake_path(path, sizeof(path), "%s/kernel/iommu_groups/%u/name", f->sysfs, FAKE_VFIO_GROUP);
	unlink(path);

	/* vfio_noiommu_group_alloc(): the group is named, the node is noiommu-N. */
	if (f->noiommu)
		fake_touch(path, "vfio-noiommu\n");
	fake_path(path, sizeof(path), "%s/vfio/%s%u", f->dev, f->noiommu ? "noiommu-" : "",
		  FAKE_VFIO_GROUP);
	fake_touch(path, NULL);
}

static void fake_build(struct fake_vfio *f)
{
	char path[PATH_MAX], target[PATH_MAX];

	fake_path(f->sysfs, sizeof(f->sysfs), "%s/sys", f->root);
	fake_path(f->dev, sizeof(f->dev), "%s/dev", f->root);
	fake_path(f->devpath, sizeof(f->devpath), "%s/devices/%s/%s", f->sysfs,
		  f->bus == GP_BUS_PCI ? "pci0000:00" : "platform", f->device);
	fake_mkdir_p(f->devpath);

	fake_path(path, sizeof(path), "%s/bus/%s/devices", f->sysfs, fake_bus_dir(f));
	fake_mkdir_p(path);
	fake_path(path, sizeof(path), "%s/bus/%s/devices/%s", f->sysfs, fake_bus_dir(f), f->device);
	fake_path(target, sizeof(target), "../../../devices/%s/%s",
		  f->bus == GP_BUS_PCI ? "pci0000:00" : "platform", f->device);
	fake_symlink(target, path);

	fake_path(path, sizeof(path), "%s/kernel/iommu_groups/%u/devices", f->sysfs,
		  FAKE_VFIO_GROUP);
	fake_mkdir_p(path);
	fake_path(path, sizeof(path), "%s/iommu_group", f->devpath);
	fake_path(target, sizeof(target), "../../../kernel/iommu_groups/%u", FAKE_VFIO_GROUP);
	fake_symlink(target, path);

	fake_path(path, sizeof(path), "%s/vfio", f->dev);
	fake_mkdir_p(path);
	fake_path(path, sizeof(path), "%s/vfio/vfio", f->dev);
	fake_touch(path, NULL);
	fake_group_nodes(f);

	fake_vfio_set_driver(f, f->bus == GP_BUS_PCI ? "vfio-pci" :
			     f->bus == GP_BUS_AMBA ? "vfio-amba" : "vfio-platform");
}

static void fake_describe_platform(struct fake_vfio *f)
{
	snprintf(f->device, sizeof(f->device), "%s", FAKE_VFIO_PLATFORM_DEVICE);
	f->device_flags = VFIO_DEVICE_FLAGS_PLATFORM | VFIO_DEVICE_FLAGS_RESET;
	/* RK3588: reg = <0x0 0xfb000000 0x0 0x200000>, page-aligned, so mmap-able. */
	f->num_regions = 1;
	f->region[0] = (struct fake_vfio_region){
		.size = 2 * MIB,
		.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			 VFIO_REGION_INFO_FLAG_MMAP,
	};
	/* Level-high SPIs: vfio-platform makes them maskable and automasked. */
	f->num_irqs = FAKE_MALI_NUM_IRQS;
	for (unsigned int i = 0; i < FAKE_MALI_NUM_IRQS; i++)
		f->irq[i] = (struct fake_vfio_irq){
			.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
				 VFIO_IRQ_INFO_AUTOMASKED,
			.count = 1,
			.fd = -1,
		};
}

/*
 * QEMU virt's PL031 RTC as vfio-amba shows it: one 4 KiB region, mmap-able,
 * and one level interrupt, maskable and automasked (as measured, see
 * tests/board/).  AMBA devices live under /sys/devices/platform too.
 */
static void fake_describe_amba(struct fake_vfio *f)
{
	snprintf(f->device, sizeof(f->device), "%s", FAKE_VFIO_AMBA_DEVICE);
	f->device_flags = VFIO_DEVICE_FLAGS_AMBA;
	f->num_regions = 1;
	f->region[0] = (struct fake_vfio_region){
		.size = 0x1000,
		.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			 VFIO_REGION_INFO_FLAG_MMAP,
	};
	f->num_irqs = 1;
	f->irq[0] = (struct fake_vfio_irq){
		.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED,
		.count = 1,
		.fd = -1,
	};
}

static void fake_describe_pci(struct fake_vfio *f)
{
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;

	snprintf(f->device, sizeof(f->device), "%s", FAKE_VFIO_PCI_DEVICE);
	f->device_flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	f->num_regions = VFIO_PCI_NUM_REGIONS;
	f->region[VFIO_PCI_BAR0_REGION_INDEX] = (struct fake_vfio_region){
		.size = 1 * MIB, .flags = rw | VFIO_REGION_INFO_FLAG_MMAP,
	};
	f->region[VFIO_PCI_CONFIG_REGION_INDEX] = (struct fake_vfio_region){
		.size = 256, .flags = rw,
	};
	f->num_irqs = VFIO_PCI_NUM_IRQS;
	f->irq[VFIO_PCI_INTX_IRQ_INDEX] = (struct fake_vfio_irq){
		.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED,
		.count = 1,
	};
	f->irq[VFIO_PCI_MSI_IRQ_INDEX] = (struct fake_vfio_irq){
		.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, .count = 1,
	};
	/* edu has no MSI-X; a conventional PCI device has no ERR IRQ. */
	f->irq[VFIO_PCI_MSIX_IRQ_INDEX] = (struct fake_vfio_irq){ .flags = VFIO_IRQ_INFO_EVENTFD };
	f->irq[VFIO_PCI_ERR_IRQ_INDEX] = (struct fake_vfio_irq){ .flags = VFIO_IRQ_INFO_EVENTFD };
	f->irq[VFIO_PCI_REQ_IRQ_INDEX] = (struct fake_vfio_irq){
		.flags = VFIO_IRQ_INFO_EVENTFD, .count = 1,
	};
	for (unsigned int i = 0; i < VFIO_PCI_NUM_IRQS; i++)
		f->irq[i].fd = -1;
}

struct fake_vfio *fake_vfio_new(enum gp_bus_type bus)
{
	struct fake_vfio *f;

	if (fake)
		fake_die("fake_vfio: one at a time");
	f = calloc(1, sizeof(*f));
	if (!f)
		fake_die("calloc");
	f->bus = bus;
	f->api_version = VFIO_API_VERSION;
	f->has_type1v2 = true;
	f->viable = true;
	f->container_fd = f->group_fd = f->device_fd = f->uevent_fd = f->uevent_peer = -1;
	f->pagemap_fd = -1;
	/* An x86 VT-d container: 4K/2M/1G pages, the MSI window reserved, 48 bits. */
	f->iova_pgsizes = (1ull << 12) | (1ull << 21) | (1ull << 30);
	f->num_iova_ranges = 2;
	f->iova_ranges[0] = (struct vfio_iova_range){ 0, 0xfedfffffull };
	f->iova_ranges[1] = (struct vfio_iova_range){ 0xfef00000ull, (1ull << 48) - 1 };
	f->dma_entry_limit = 65535;
	if (bus == GP_BUS_PCI)
		fake_describe_pci(f);
	else if (bus == GP_BUS_AMBA)
		fake_describe_amba(f);
	else
		fake_describe_platform(f);

	fake_path(f->root, sizeof(f->root), "%s/gp-fake-vfio-XXXXXX",
		  getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->root))
		fake_die("mkdtemp");
	fake_build(f);
	fake_path(f->pagemap_path, sizeof(f->pagemap_path), "%s/pagemap", f->root);
	fake_touch(f->pagemap_path, NULL);
	fake = f;
	return f;
}

static int fake_rm(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

void fake_vfio_free(struct fake_vfio *f)
{
	if (!f)
		return;
	nftw(f->root, fake_rm, 16, FTW_DEPTH | FTW_PHYS);
	for (unsigned int i = 0; i < FAKE_VFIO_MAX_REGIONS; i++)
		free(f->region[i].backing);
	if (f->uevent_peer >= 0)
		close(f->uevent_peer);
	if (fake == f)
		fake = NULL;
	free(f);
}

void fake_vfio_config(const struct fake_vfio *f, struct gp_vfio_config *cfg)
{
	*cfg = (struct gp_vfio_config){
		.bus = f->bus,
		.device = f->device,
		.sysfs_root = f->sysfs,
		.dev_root = f->dev,
		.sys = &fake_vfio_sys,
		.pagemap = f->pagemap_path,
	};
}

void fake_vfio_set_driver(struct fake_vfio *f, const char *driver)
{
	char path[PATH_MAX], target[PATH_MAX];

	fake_path(path, sizeof(path), "%s/driver", f->devpath);
	unlink(path);
	if (!driver)
		return;
	fake_path(target, sizeof(target), "%s/bus/%s/drivers/%s", f->sysfs, fake_bus_dir(f),
		  driver);
	fake_mkdir_p(target);
	fake_path(target, sizeof(target), "../../../bus/%s/drivers/%s", fake_bus_dir(f), driver);
	fake_symlink(target, path);
}

void fake_vfio_set_noiommu(struct fake_vfio *f, bool noiommu)
{
	f->noiommu = noiommu;
	f->has_noiommu = noiommu;
	fake_group_nodes(f);
}

void fake_vfio_remove_iommu_group(struct fake_vfio *f)
{
	char path[PATH_MAX];

	fake_path(path, sizeof(path), "%s/iommu_group", f->devpath);
	if (unlink(path) < 0)
		fake_die(path);
}

void fake_vfio_remove_device(struct fake_vfio *f)
{
	char path[PATH_MAX];

	fake_path(path, sizeof(path), "%s/bus/%s/devices/%s", f->sysfs, fake_bus_dir(f), f->device);
	if (unlink(path) < 0)
		fake_die(path);
}

int fake_vfio_send_uevent(struct fake_vfio *f, const void *msg, size_t len)
{
	if (f->uevent_peer < 0)
		return -EBADF;
	return send(f->uevent_peer, msg, len, 0) == (ssize_t)len ? 0 : -errno;
}

int fake_vfio_fire_irq(struct fake_vfio *f, unsigned int index)
{
	if (index >= f->num_irqs || f->irq[index].fd < 0)
		return -EINVAL;
	return eventfd_write(f->irq[index].fd, 1) < 0 ? -errno : 0;
}

static void fake_event(enum fake_vfio_event ev)
{
	if (fake->num_events < FAKE_VFIO_MAX_EVENTS)
		fake->events[fake->num_events++] = ev;
}

int fake_vfio_event_first(const struct fake_vfio *f, enum fake_vfio_event ev)
{
	for (unsigned int i = 0; i < f->num_events; i++)
		if (f->events[i] == ev)
			return (int)i;
	return -1;
}

int fake_vfio_event_last(const struct fake_vfio *f, enum fake_vfio_event ev)
{
	for (unsigned int i = f->num_events; i-- > 0;)
		if (f->events[i] == ev)
			return (int)i;
	return -1;
}

const struct fake_vfio_dma *fake_vfio_dma_at(const struct fake_vfio *f, uint64_t iova)
{
	for (unsigned int i = 0; i < f->num_dma; i++)
		if (iova >= f->dma[i].iova && iova - f->dma[i].iova < f->dma[i].size)
			return &f->dma[i];
	return NULL;
}

void *fake_vfio_mapping(const struct fake_vfio *f, unsigned int region)
{
	for (unsigned int i = 0; i < FAKE_VFIO_MAX_MAPS; i++)
		if (f->map[i].addr && f->map[i].region == region)
			return f->map[i].addr;
	return NULL;
}

/* --- the seam ---------------------------------------------------------- */

static int fake_open(const char *path, int flags)
{
	char container[PATH_MAX], group[PATH_MAX];
	int fd;

	if (fake_inject())
		return -1;
	fake_path(container, sizeof(container), "%s/vfio/vfio", fake->dev);
	fake_path(group, sizeof(group), "%s/vfio/%s%u", fake->dev, fake->noiommu ? "noiommu-" : "",
		  FAKE_VFIO_GROUP);
	/* vfio_group_fops_open(): one opener at a time. */
	if (!strcmp(path, group) && fake->group_fd >= 0) {
		errno = EBUSY;
		return -1;
	}
	fd = open(path, flags);
	if (fd < 0)
		return -1;
	if (!strcmp(path, fake->pagemap_path)) {
		fake->pagemap_fd = fd;
		fake->pagemap_opens++;
	} else if (!strcmp(path, container) && fake->container_fd < 0)
		fake->container_fd = fd;
	else if (!strcmp(path, group))
		fake->group_fd = fd;
	return fd;
}

static void fake_irq_release_all(void)
{
	for (unsigned int i = 0; i < fake->num_irqs; i++) {
		if (fake->irq[i].fd >= 0) {
			fake->order_violations++;
			fake->irq[i].fd = -1;
		}
	}
}

static int fake_close(int fd)
{
	if (!fake)
		abort();
	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	for (unsigned int i = 0; i < fake->num_irqs; i++)
		if (fake->irq[i].fd == fd)
			fake->order_violations++;	/* the kernel would keep signalling it */

	if (fd == fake->pagemap_fd)
		fake->pagemap_fd = -1;
	if (fd == fake->device_fd) {
		fake_event(FAKE_EV_CLOSE_DEVICE);
		/* vfio_device_fops_release(): every VMA would still pin the device. */
		if (fake->live_maps)
			fake->order_violations++;
		fake_irq_release_all();
		for (unsigned int i = 0; i < FAKE_VFIO_MAX_REGIONS; i++) {
			free(fake->region[i].backing);
			fake->region[i].backing = NULL;
		}
		fake->device_fd = -1;
	} else if (fd == fake->group_fd) {
		/* vfio_group_fops_release() detaches the group; the container loses its IOMMU. */
		fake_event(FAKE_EV_CLOSE_GROUP);
		if (fake->num_dma)
			fake->order_violations++;	/* the kernel unmaps them for us */
		fake->num_dma = 0;
		fake->pinned_pages = 0;
		fake->group_fd = -1;
		fake->group_in_container = false;
		fake->iommu_type = 0;
	} else if (fd == fake->container_fd) {
		fake_event(FAKE_EV_CLOSE_CONTAINER);
		if (fake->num_dma)
			fake->order_violations++;
		fake->num_dma = 0;
		fake->pinned_pages = 0;
		fake->container_fd = -1;
	} else if (fd == fake->uevent_fd) {
		fake->uevent_fd = -1;
		close(fake->uevent_peer);
		fake->uevent_peer = -1;
	}
	return close(fd);
}

/* --- the type1 IOMMU, as drivers/vfio/vfio_iommu_type1.c ---------------- */

static uint64_t fake_iommu_pgmask(void)
{
	return (fake->iova_pgsizes & -fake->iova_pgsizes) - 1;
}

/* vfio_iommu_type1_get_info(): the IOVA ranges, migration and DMA-avail capabilities. */
static int fake_iommu_get_info(struct vfio_iommu_type1_info *info)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	size_t iova_sz = 0, mig_sz, avail_sz, caps_sz;
	uint32_t avail = fake->dma_entry_limit - fake->num_dma;
	char caps[1024];
	struct vfio_iommu_type1_info_cap_iova_range *iova;
	struct vfio_iommu_type1_info_cap_migration *mig;
	struct vfio_iommu_type1_info_dma_avail *av;
	size_t off = 0;

	if (info->argsz < minsz) {
		errno = EINVAL;
		return -1;
	}
	info->flags = VFIO_IOMMU_INFO_PGSIZES;
	info->iova_pgsizes = fake->iova_pgsizes;
	if (info->argsz < offsetofend(struct vfio_iommu_type1_info, cap_offset))
		return 0;

	memset(caps, 0, sizeof(caps));
	/* Capabilities are chained by offsets from the start of the info struct. */
	if (fake->num_iova_ranges) {
		iova_sz = sizeof(*iova) + fake->num_iova_ranges * sizeof(iova->iova_ranges[0]);
		iova = (void *)caps;
		iova->header = (struct vfio_info_cap_header){
			.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, .version = 1,
		};
		iova->nr_iovas = fake->num_iova_ranges;
		memcpy(iova->iova_ranges, fake->iova_ranges,
		       fake->num_iova_ranges * sizeof(iova->iova_ranges[0]));
		off = (iova_sz + 7) & ~(size_t)7;
		iova->header.next = (uint32_t)(sizeof(*info) + off);
	}
	mig_sz = sizeof(*mig);
	mig = (void *)(caps + off);
	mig->header = (struct vfio_info_cap_header){
		.id = VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, .version = 1,
		.next = (uint32_t)(sizeof(*info) + off + ((mig_sz + 7) & ~(size_t)7)),
	};
	mig->pgsize_bitmap = fake->iova_pgsizes;
	off += (mig_sz + 7) & ~(size_t)7;
	avail_sz = sizeof(*av);
	av = (void *)(caps + off);
	av->header = (struct vfio_info_cap_header){ .id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
						    .version = 1 };
	av->avail = avail;
	caps_sz = off + avail_sz;

	info->flags |= VFIO_IOMMU_INFO_CAPS;
	if (info->argsz < sizeof(*info) + caps_sz) {
		info->argsz = (uint32_t)(sizeof(*info) + caps_sz);
		info->cap_offset = 0;
		return 0;
	}
	memcpy((char *)info + sizeof(*info), caps, caps_sz);
	info->cap_offset = sizeof(*info);
	return 0;
}

static bool fake_iova_valid(uint64_t start, uint64_t last)
{
	if (!fake->num_iova_ranges)
		return true;
	for (unsigned int i = 0; i < fake->num_iova_ranges; i++)
		if (start >= fake->iova_ranges[i].start && last <= fake->iova_ranges[i].end)
			return true;
	return false;
}

/* vfio_dma_do_map(). */
static int fake_iommu_map(struct vfio_iommu_type1_dma_map *m)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	uint64_t mask = fake_iommu_pgmask();

	if (m->argsz < minsz || m->flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE) ||
	    !(m->flags & (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)) || !m->size ||
	    (m->size | m->iova | m->vaddr) & mask || m->iova + m->size - 1 < m->iova ||
	    m->vaddr + m->size - 1 < m->vaddr)
		goto inval;
	for (unsigned int i = 0; i < fake->num_dma; i++) {
		const struct fake_vfio_dma *d = &fake->dma[i];

		if (m->iova < d->iova + d->size && d->iova < m->iova + m->size) {
			errno = EEXIST;
			return -1;
		}
	}
	if (fake->num_dma >= fake->dma_entry_limit || fake->num_dma >= FAKE_VFIO_MAX_DMA) {
		errno = ENOSPC;
		return -1;
	}
	if (!fake_iova_valid(m->iova, m->iova + m->size - 1))
		goto inval;
	/* vfio_pin_pages_remote(): the memory must be there. */
	if (msync((void *)(uintptr_t)m->vaddr, m->size, MS_ASYNC) < 0) {
		errno = EFAULT;
		return -1;
	}
	fake->dma[fake->num_dma++] = (struct fake_vfio_dma){
		.iova = m->iova, .size = m->size, .vaddr = m->vaddr, .flags = m->flags,
	};
	fake->pinned_pages += m->size / 4096;
	fake_event(FAKE_EV_MAP_DMA);
	return 0;
inval:
	errno = EINVAL;
	return -1;
}

/* vfio_dma_do_unmap(), type1v2: no bisecting a mapping; the unmapped size comes back. */
static int fake_iommu_unmap(struct vfio_iommu_type1_dma_unmap *u)
{
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	uint64_t mask = fake_iommu_pgmask(), unmapped = 0;

	if (u->argsz < minsz || u->flags || !u->size || (u->iova | u->size) & mask ||
	    u->iova + u->size - 1 < u->iova)
		goto inval;
	for (unsigned int i = 0; i < fake->num_dma; i++) {
		const struct fake_vfio_dma *d = &fake->dma[i];

		if ((u->iova > d->iova && u->iova < d->iova + d->size) ||
		    (u->iova + u->size > d->iova && u->iova + u->size < d->iova + d->size))
			goto inval;
	}
	for (unsigned int i = 0; i < fake->num_dma;) {
		struct fake_vfio_dma *d = &fake->dma[i];

		if (d->iova >= u->iova && d->iova + d->size <= u->iova + u->size) {
			unmapped += d->size;
			fake->pinned_pages -= d->size / 4096;
			*d = fake->dma[--fake->num_dma];
			continue;
		}
		i++;
	}
	u->size = unmapped;
	fake_event(FAKE_EV_UNMAP_DMA);
	return 0;
inval:
	errno = EINVAL;
	return -1;
}

static int fake_container_ioctl(unsigned long request, void *arg)
{
	uintptr_t type = (uintptr_t)arg;

	switch (request) {
	case VFIO_GET_API_VERSION:
		return fake->api_version;
	case VFIO_CHECK_EXTENSION:
		if (type == VFIO_TYPE1v2_IOMMU)
			return fake->has_type1v2;
		if (type == VFIO_NOIOMMU_IOMMU)
			return fake->has_noiommu;
		return 0;
	case VFIO_SET_IOMMU:
		/* vfio_ioctl_set_iommu(): a group first, an IOMMU only once. */
		if (!fake->group_in_container || fake->iommu_type)
			break;
		/* Only noiommu containers can use vfio-noiommu, and they nothing else. */
		if (fake->noiommu ? type != VFIO_NOIOMMU_IOMMU || !fake->has_noiommu :
				    type != VFIO_TYPE1v2_IOMMU || !fake->has_type1v2)
			break;
		fake->iommu_type = (uint32_t)type;
		return 0;
	case VFIO_IOMMU_GET_INFO:
	case VFIO_IOMMU_MAP_DMA:
	case VFIO_IOMMU_UNMAP_DMA:
		/* Only a type1 container has them; no-IOMMU has no DMA API at all. */
		if (fake->iommu_type != VFIO_TYPE1v2_IOMMU)
			break;
		if (request == VFIO_IOMMU_GET_INFO)
			return fake_iommu_get_info(arg);
		if (request == VFIO_IOMMU_MAP_DMA)
			return fake_iommu_map(arg);
		return fake_iommu_unmap(arg);
	default:
		errno = ENOTTY;
		return -1;
	}
	errno = EINVAL;
	return -1;
}

static int fake_group_ioctl(unsigned long request, void *arg)
{
	struct vfio_group_status *status = arg;

	switch (request) {
	case VFIO_GROUP_GET_STATUS:
		if (status->argsz < offsetofend(struct vfio_group_status, flags))
			break;
		status->flags = (fake->viable ? VFIO_GROUP_FLAGS_VIABLE : 0) |
				(fake->group_in_container ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
		return 0;
	case VFIO_GROUP_SET_CONTAINER:
		if (*(int *)arg != fake->container_fd || fake->container_fd < 0) {
			errno = EBADF;
			return -1;
		}
		if (fake->group_in_container)
			break;
		if (!fake->viable) {
			/* iommu_group_claim_dma_owner(): a host driver owns a device. */
			errno = EBUSY;
			return -1;
		}
		fake->group_in_container = true;
		return 0;
	case VFIO_GROUP_UNSET_CONTAINER:
		if (!fake->group_in_container)
			break;
		if (fake->device_fd >= 0) {
			/* An open device is a container user. */
			errno = EBUSY;
			return -1;
		}
		fake->group_in_container = false;
		fake->iommu_type = 0;
		fake->unset_container++;
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD: {
		int fd;

		if (!fake->group_in_container || !fake->iommu_type)
			break;
		if (strcmp(arg, fake->device)) {
			errno = ENODEV;
			return -1;
		}
		if (fake->device_fd >= 0) {
			errno = EBUSY;
			return -1;
		}
		/* A real fd to count; deliberately without O_CLOEXEC, which the backend sets. */
		fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			return -1;
		for (unsigned int i = 0; i < fake->num_regions; i++) {
			struct fake_vfio_region *r = &fake->region[i];

			if (r->size && !(r->backing = calloc(1, r->size)))
				fake_die("calloc");
		}
		fake->device_fd = fd;
		return fd;
	}
	default:
		errno = ENOTTY;
		return -1;
	}
	errno = EINVAL;
	return -1;
}

static bool fake_one_bit(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* vfio_set_irqs_validate_and_prepare() and vfio-pci's / vfio-platform's handlers. */
static int fake_set_irqs(struct vfio_irq_set *set)
{
	const size_t minsz = offsetofend(struct vfio_irq_set, count);
	uint32_t data = set->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	uint32_t action = set->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	struct fake_vfio_irq *irq;
	size_t data_size = 0;

	if (set->argsz < minsz || set->index >= fake->num_irqs ||
	    set->count >= UINT32_MAX - set->start ||
	    set->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK) ||
	    !fake_one_bit(data) || !fake_one_bit(action))
		goto inval;
	irq = &fake->irq[set->index];
	if (set->count && (set->start >= irq->count || set->start + set->count > irq->count))
		goto inval;
	if (data == VFIO_IRQ_SET_DATA_BOOL)
		data_size = 1;
	else if (data == VFIO_IRQ_SET_DATA_EVENTFD)
		data_size = sizeof(int32_t);
	if (set->argsz - minsz < set->count * data_size)
		goto inval;

	if (action == VFIO_IRQ_SET_ACTION_TRIGGER && data == VFIO_IRQ_SET_DATA_NONE) {
		if (!set->count) {		/* disable the index */
			irq->fd = -1;
			irq->disables++;
			return 0;
		}
		if (irq->fd >= 0)		/* loopback */
			(void)eventfd_write(irq->fd, 1);
		return 0;
	}
	if (action == VFIO_IRQ_SET_ACTION_TRIGGER && data == VFIO_IRQ_SET_DATA_EVENTFD) {
		int32_t fd;

		if (!set->count)
			goto inval;
		memcpy(&fd, set->data, sizeof(fd));
		if (fd < 0) {
			irq->fd = -1;
			return 0;
		}
		if (fcntl(fd, F_GETFD) < 0) {
			errno = EBADF;
			return -1;
		}
		/* vfio-pci: INTx, MSI and MSI-X exclude each other. */
		if (fake->bus == GP_BUS_PCI && set->index <= VFIO_PCI_MSIX_IRQ_INDEX) {
			for (unsigned int i = 0; i <= VFIO_PCI_MSIX_IRQ_INDEX; i++)
				if (i != set->index && fake->irq[i].fd >= 0)
					goto inval;
		}
		irq->fd = fd;
		irq->assigns++;
		return 0;
	}
	if (action == VFIO_IRQ_SET_ACTION_UNMASK && data == VFIO_IRQ_SET_DATA_NONE) {
		if (!(irq->flags & VFIO_IRQ_INFO_MASKABLE)) {
			errno = ENOTTY;		/* vfio-pci has no MSI unmask handler */
			return -1;
		}
		if (!set->count)
			goto inval;
		irq->unmasks++;
		return 0;
	}
inval:
	errno = EINVAL;
	return -1;
}

static int fake_device_ioctl(unsigned long request, void *arg)
{
	switch (request) {
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info *info = arg;

		if (info->argsz < offsetofend(struct vfio_device_info, num_irqs))
			break;
		info->flags = fake->device_flags;
		info->num_regions = fake->num_regions;
		info->num_irqs = fake->num_irqs;
		return 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO: {
		struct vfio_region_info *info = arg;

		if (info->argsz < offsetofend(struct vfio_region_info, offset) ||
		    info->index >= fake->num_regions)
			break;
		info->flags = fake->region[info->index].size ? fake->region[info->index].flags : 0;
		info->cap_offset = 0;
		info->size = fake->region[info->index].size;
		info->offset = (uint64_t)info->index << 40;	/* VFIO_PCI_INDEX_TO_OFFSET */
		return 0;
	}
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info *info = arg;

		if (info->argsz < offsetofend(struct vfio_irq_info, count) ||
		    info->index >= fake->num_irqs)
			break;
		info->flags = fake->irq[info->index].flags;
		info->count = fake->irq[info->index].count;
		return 0;
	}
	case VFIO_DEVICE_SET_IRQS:
		return fake_set_irqs(arg);
	default:
		errno = ENOTTY;
		return -1;
	}
	errno = EINVAL;
	return -1;
}

/* Every open of /dev/vfio/vfio is a container; only the first one is tracked in full. */
static bool fake_is_container(int fd)
{
	char proc[64], target[PATH_MAX], container[PATH_MAX];
	ssize_t n;

	if (fd < 0)
		return false;
	if (fd == fake->container_fd)
		return true;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	fake_path(container, sizeof(container), "%s/vfio/vfio", fake->dev);
	return !strcmp(target, container);
}

/* The kernel serialises a container's ioctls (iommu->lock); so does the fake, for threaded tests. */
static pthread_mutex_t fake_ioctl_lock = PTHREAD_MUTEX_INITIALIZER;

static int fake_ioctl_locked(int fd, unsigned long request, void *arg);

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
	int r, saved;

	pthread_mutex_lock(&fake_ioctl_lock);
	r = fake_ioctl_locked(fd, request, arg);
	saved = errno;
	pthread_mutex_unlock(&fake_ioctl_lock);
	errno = saved;
	return r;
}

static int fake_ioctl_locked(int fd, unsigned long request, void *arg)
{
	if (fake_inject())
		return -1;
	if (fake->fail_ioctl && request == fake->fail_ioctl) {
		errno = fake->fail_ioctl_errno ? fake->fail_ioctl_errno : EIO;
		return -1;
	}
	if (fake_is_container(fd))
		return fake_container_ioctl(request, arg);
	if (fd >= 0 && fd == fake->group_fd)
		return fake_group_ioctl(request, arg);
	if (fd >= 0 && fd == fake->device_fd)
		return fake_device_ioctl(request, arg);
	errno = fcntl(fd, F_GETFD) < 0 ? EBADF : ENOTTY;
	return -1;
}

/* The region an offset of the device fd falls in, as vfio-pci/-platform decode it. */
static struct fake_vfio_region *fake_region_at(uint64_t off, size_t len, uint64_t *in_region,
					       unsigned int *index)
{
	uint64_t i = off >> 40;
	struct fake_vfio_region *r;

	if (i >= fake->num_regions)
		return NULL;
	r = &fake->region[i];
	*in_region = off & ((1ull << 40) - 1);
	if (!r->size || *in_region > r->size || len > r->size - *in_region)
		return NULL;
	if (index)
		*index = (unsigned int)i;
	return r;
}

static void *fake_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct fake_vfio_region *r;
	unsigned int index, slot;
	uint64_t in_region;
	void *map;

	if (fake_inject())
		return MAP_FAILED;
	if (fd < 0 || fd != fake->device_fd) {
		errno = EBADF;
		return MAP_FAILED;
	}
	r = fake_region_at((uint64_t)off, len, &in_region, &index);
	if (!r || !(r->flags & VFIO_REGION_INFO_FLAG_MMAP) || !(flags & MAP_SHARED) ||
	    ((prot & PROT_WRITE) && !(r->flags & VFIO_REGION_INFO_FLAG_WRITE))) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	for (slot = 0; slot < FAKE_VFIO_MAX_MAPS && fake->map[slot].addr; slot++)
		;
	if (slot == FAKE_VFIO_MAX_MAPS) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	map = mmap(addr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return MAP_FAILED;
	memset(map, fake->mmio_fill, len);
	if (mprotect(map, len, prot) < 0)
		fake_die("mprotect");
	fake->map[slot] = (struct fake_vfio_map){ .addr = map, .len = len, .region = index };
	fake->live_maps++;
	return map;
}

static int fake_munmap(void *addr, size_t len)
{
	if (!fake)
		abort();
	for (unsigned int i = 0; i < FAKE_VFIO_MAX_MAPS; i++) {
		if (fake->map[i].addr == addr && fake->map[i].len == len) {
			fake->map[i] = (struct fake_vfio_map){ 0 };
			fake->live_maps--;
			return munmap(addr, len);
		}
	}
	errno = EINVAL;
	return -1;
}

static int fake_madvise(void *addr, size_t len, int advice)
{
	if (fake_inject())
		return -1;
	if (madvise(addr, len, advice) < 0)
		return -1;
	if (advice == MADV_DONTFORK)
		fake->madvise_dontfork++;
	return 0;
}

static ssize_t fake_readlink(const char *path, char *buf, size_t size)
{
	if (fake_inject())
		return -1;
	return readlink(path, buf, size);
}

static int fake_eventfd(unsigned int initval, int flags)
{
	if (fake_inject())
		return -1;
	return eventfd(initval, flags);
}

static int fake_uevent_socket(void)
{
	int sv[2];

	if (fake_inject())
		return -1;
	if (fake->uevent_fd >= 0) {
		errno = EBUSY;
		return -1;
	}
	/* A datagram pair: the test writes kernel messages into the other end. */
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
		return -1;
	fake->uevent_fd = sv[0];
	fake->uevent_peer = sv[1];
	return sv[0];
}

static ssize_t fake_recv(int fd, void *buf, size_t len, int flags)
{
	return recv(fd, buf, len, flags);
}

static ssize_t fake_pread(int fd, void *buf, size_t count, off_t offset)
{
	struct fake_vfio_region *r;
	uint64_t in_region;

	if (fake_inject())
		return -1;
	if (fd >= 0 && fd == fake->pagemap_fd) {
		uint64_t *e = buf;

		/* pagemap_read(): whole 8-byte entries at vpn * 8. */
		if (count % 8 || offset % 8) {
			errno = EINVAL;
			return -1;
		}
		for (size_t i = 0; i < count / 8; i++) {
			uint64_t vpn = (uint64_t)offset / 8 + i;

			e[i] = fake->pagemap ? fake->pagemap(vpn, fake->pagemap_ctx) :
			       (1ull << 63) | (vpn + 0x1000);
		}
		return (ssize_t)count;
	}
	if (fd < 0 || fd != fake->device_fd)
		return pread(fd, buf, count, offset);
	fake->last_pread_len = count;
	fake->last_pread_off = (uint64_t)offset;
	r = fake_region_at((uint64_t)offset, count, &in_region, NULL);
	if (!r || !(r->flags & VFIO_REGION_INFO_FLAG_READ)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(buf, r->backing + in_region, count);
	return (ssize_t)count;
}

static ssize_t fake_pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	struct fake_vfio_region *r;
	uint64_t in_region;

	if (fake_inject())
		return -1;
	if (fd < 0 || fd != fake->device_fd)
		return pwrite(fd, buf, count, offset);
	fake->last_pwrite_len = count;
	fake->last_pwrite_off = (uint64_t)offset;
	r = fake_region_at((uint64_t)offset, count, &in_region, NULL);
	if (!r || !(r->flags & VFIO_REGION_INFO_FLAG_WRITE)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(r->backing + in_region, buf, count);
	return (ssize_t)count;
}

/* Counted, not done: a test's RLIMIT_MEMLOCK is none of its business. */
static int fake_mlock(const void *addr, size_t len)
{
	if (fake_inject())
		return -1;
	if (msync((void *)((uintptr_t)addr & ~(uintptr_t)4095), len, MS_ASYNC) < 0) {
		errno = ENOMEM;		/* mlock(2): part of the range is not mapped */
		return -1;
	}
	fake->locked_bytes += len;
	fake_event(FAKE_EV_MLOCK);
	return 0;
}

static int fake_munlock(const void *addr, size_t len)
{
	if (!fake)
		abort();
	(void)addr;
	if (len > fake->locked_bytes)
		abort();		/* unlocking what was never locked: a backend bug */
	fake->locked_bytes -= len;
	fake_event(FAKE_EV_MUNLOCK);
	return 0;
}

const struct gp_vfio_sys fake_vfio_sys = {
	.open = fake_open,
	.close = fake_close,
	.ioctl = fake_ioctl,
	.mmap = fake_mmap,
	.munmap = fake_munmap,
	.readlink = fake_readlink,
	.eventfd = fake_eventfd,
	.uevent_socket = fake_uevent_socket,
	.recv = fake_recv,
	.pread = fake_pread,
	.pwrite = fake_pwrite,
	.madvise = fake_madvise,
	.mlock = fake_mlock,
	.munlock = fake_munlock,
};
