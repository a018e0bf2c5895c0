/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake VFIO kernel for the VFIO backend's unit tests.
 *
 * It implements struct gp_vfio_sys the way include/uapi/linux/vfio.h and
 * drivers/vfio/ describe the kernel side: argsz checks, the container /
 * group / device state machine, region and IRQ info, SET_IRQS with its
 * validation, and fault injection.  The file system part is real: a
 * temporary directory holds a small sysfs (with iommu_group and driver
 * symlinks) and a /dev/vfio whose nodes are plain files, so every fd the
 * backend holds is a real fd that a test can count in /proc/self/fd.
 * Mappings are anonymous memory standing in for MMIO.
 *
 * One fake at a time (the seam functions carry no context).
 */
#ifndef GP_TEST_FAKE_VFIO_H
#define GP_TEST_FAKE_VFIO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>

#include "vfio.h"

#define FAKE_VFIO_GROUP		7u
#define FAKE_VFIO_MAX_REGIONS	9u	/* VFIO_PCI_NUM_REGIONS */
#define FAKE_VFIO_MAX_IRQS	5u	/* VFIO_PCI_NUM_IRQS */
#define FAKE_VFIO_MAX_MAPS	16u

#define FAKE_VFIO_PLATFORM_DEVICE	"fb000000.gpu"
#define FAKE_VFIO_PCI_DEVICE		"0000:00:03.0"
#define FAKE_VFIO_AMBA_DEVICE		"9010000.pl031"

/* The Mali's interrupts, in device tree order (arm,mali-valhall-csf.yaml). */
enum { FAKE_MALI_IRQ_JOB, FAKE_MALI_IRQ_MMU, FAKE_MALI_IRQ_GPU, FAKE_MALI_NUM_IRQS };

struct fake_vfio_region {
	uint64_t size;
	uint32_t flags;			/* VFIO_REGION_INFO_FLAG_* */
	uint8_t *backing;		/* what pread/pwrite reach, while the device is open */
};

struct fake_vfio_irq {
	uint32_t flags;			/* VFIO_IRQ_INFO_* */
	uint32_t count;
	int fd;				/* the eventfd the "kernel" signals, -1 if none */
	unsigned int assigns;		/* SET_IRQS DATA_EVENTFD with a valid fd */
	unsigned int disables;		/* SET_IRQS DATA_NONE|ACTION_TRIGGER count 0 */
	unsigned int unmasks;		/* SET_IRQS DATA_NONE|ACTION_UNMASK */
};

struct fake_vfio_map {
	void *addr;
	size_t len;
	unsigned int region;
};

/* A VFIO_IOMMU_MAP_DMA mapping, as vfio_iommu_type1.c's struct vfio_dma. */
struct fake_vfio_dma {
	uint64_t iova, size, vaddr;
	uint32_t flags;
};

#define FAKE_VFIO_MAX_DMA	64u
#define FAKE_VFIO_MAX_IOVA_RANGES	8u

/* What happened, in order, for tests of the teardown order. */
enum fake_vfio_event {
	FAKE_EV_MAP_DMA = 1,
	FAKE_EV_UNMAP_DMA,
	FAKE_EV_MLOCK,
	FAKE_EV_MUNLOCK,
	FAKE_EV_CLOSE_DEVICE,
	FAKE_EV_CLOSE_GROUP,
	FAKE_EV_CLOSE_CONTAINER,
};
#define FAKE_VFIO_MAX_EVENTS	256u

/* The pagemap entry of virtual page @vpn, as /proc/self/pagemap gives it. */
typedef uint64_t (*fake_vfio_pagemap_fn)(uint64_t vpn, void *ctx);

struct fake_vfio {
	/* The world; tests may change it before gp_vfio_open(). */
	enum gp_bus_type bus;
	char device[64];
	char root[PATH_MAX];		/* temporary directory */
	char sysfs[PATH_MAX];		/* root/sys */
	char dev[PATH_MAX];		/* root/dev */
	char devpath[PATH_MAX];		/* sysfs/devices/.../device */
	bool noiommu;			/* change with fake_vfio_set_noiommu() */
	int api_version;
	bool has_type1v2, has_noiommu;
	bool viable;
	uint32_t device_flags;		/* VFIO_DEVICE_FLAGS_* */
	unsigned int num_regions;
	struct fake_vfio_region region[FAKE_VFIO_MAX_REGIONS];
	unsigned int num_irqs;
	struct fake_vfio_irq irq[FAKE_VFIO_MAX_IRQS];
	uint8_t mmio_fill;		/* what new mappings read: 0xff for "clocks off" */

	/* The type1 IOMMU (VFIO_IOMMU_GET_INFO); tests may change it before open. */
	uint64_t iova_pgsizes;		/* default 4 KiB | 2 MiB | 1 GiB */
	unsigned int num_iova_ranges;	/* 0: no IOVA_RANGE capability (before Linux 5.4) */
	struct vfio_iova_range iova_ranges[FAKE_VFIO_MAX_IOVA_RANGES];
	unsigned int dma_entry_limit;	/* vfio_iommu_type1's dma_entry_limit; default 65535 */

	/* No-IOMMU DMA: what the fake pagemap answers (NULL: PFN = vpn + 0x1000). */
	fake_vfio_pagemap_fn pagemap;
	void *pagemap_ctx;
	char pagemap_path[PATH_MAX];	/* root/pagemap, in the config */

	/* Fault injection. */
	unsigned long fail_call;	/* fail the Nth fallible call (1-based); 0: never */
	int fail_errno;
	unsigned long fail_ioctl;	/* fail every ioctl with this request; 0: never */
	int fail_ioctl_errno;
	unsigned long calls;		/* fallible calls so far (not close/munmap/recv) */

	/* Kernel-side state. */
	int container_fd, group_fd, device_fd, uevent_fd, uevent_peer;
	bool group_in_container;
	uint32_t iommu_type;		/* after VFIO_SET_IOMMU */
	struct fake_vfio_map map[FAKE_VFIO_MAX_MAPS];
	unsigned int live_maps;
	unsigned int madvise_dontfork;
	unsigned int unset_container;	/* successful VFIO_GROUP_UNSET_CONTAINER */
	/*
	 * Release-order mistakes the kernel would hold against the process:
	 * an eventfd closed while still assigned, a device closed with live
	 * mappings or assigned IRQs.
	 */
	unsigned int order_violations;
	/* DMA. */
	struct fake_vfio_dma dma[FAKE_VFIO_MAX_DMA];
	unsigned int num_dma;
	uint64_t pinned_pages;		/* pages MAP_DMA pinned, UNMAP_DMA unpinned */
	uint64_t locked_bytes;		/* mlock()ed and not yet munlock()ed */
	int pagemap_fd;
	unsigned int pagemap_opens;
	enum fake_vfio_event events[FAKE_VFIO_MAX_EVENTS];
	unsigned int num_events;
	size_t last_pread_len, last_pwrite_len;
	uint64_t last_pread_off, last_pwrite_off;
};

extern const struct gp_vfio_sys fake_vfio_sys;

/*
 * fake_vfio_new() - a fake kernel with one device bound to vfio.
 * GP_BUS_PLATFORM: a Mali-like fb000000.gpu, one 2 MiB region and three
 * level IRQs (job, mmu, gpu).  GP_BUS_PCI: QEMU's edu at 0000:00:03.0,
 * BAR0 1 MiB, INTx, one MSI vector, the request IRQ, 256 bytes of config.
 * GP_BUS_AMBA: QEMU's PL031 at 9010000.pl031, one 4 KiB region, one level IRQ.
 * Group 7, type1v2.  Aborts on setup failure (it is test scaffolding).
 */
struct fake_vfio *fake_vfio_new(enum gp_bus_type bus);
void fake_vfio_free(struct fake_vfio *f);

/* A backend config pointing at the fake's roots and seam. */
void fake_vfio_config(const struct fake_vfio *f, struct gp_vfio_config *cfg);

/* Bind the device to @driver ("vfio-platform", "panthor"), or unbind (NULL). */
void fake_vfio_set_driver(struct fake_vfio *f, const char *driver);
/* Make group 7 a no-IOMMU group (name file, /dev/vfio/noiommu-7) or not. */
void fake_vfio_set_noiommu(struct fake_vfio *f, bool noiommu);
/* Remove the device's iommu_group link. */
void fake_vfio_remove_iommu_group(struct fake_vfio *f);
/* Remove the device from sysfs altogether. */
void fake_vfio_remove_device(struct fake_vfio *f);

/* Deliver a datagram on the uevent socket the backend holds; 0 or -errno. */
int fake_vfio_send_uevent(struct fake_vfio *f, const void *msg, size_t len);
/* The hardware raises IRQ @index: signal its assigned eventfd; 0 or -errno. */
int fake_vfio_fire_irq(struct fake_vfio *f, unsigned int index);
/* Index of the first event @ev in the log, or -1. */
int fake_vfio_event_first(const struct fake_vfio *f, enum fake_vfio_event ev);
/* Index of the last event @ev in the log, or -1. */
int fake_vfio_event_last(const struct fake_vfio *f, enum fake_vfio_event ev);
/* The live IOMMU mapping containing @iova, or NULL. */
const struct fake_vfio_dma *fake_vfio_dma_at(const struct fake_vfio *f, uint64_t iova);

/* The live mapping of @region, or NULL. */
void *fake_vfio_mapping(const struct fake_vfio *f, unsigned int region);

#endif /* GP_TEST_FAKE_VFIO_H */
