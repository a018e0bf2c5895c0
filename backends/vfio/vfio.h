/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VFIO backend: a bus device bound to vfio-pci or vfio-platform, reached
 * through the group/container interface.
 *
 * Regions are mmap()ed (MAP_SHARED, MADV_DONTFORK), interrupts arrive on
 * eventfds assigned with VFIO_DEVICE_SET_IRQS, and the binding's
 * removal_fd becomes readable when the device is going away: vfio-pci's
 * request IRQ, or for vfio-platform (which has no request callback) a
 * NETLINK_KOBJECT_UEVENT socket, confirmed by gp_vfio_removal_pending().
 *
 * DMA (gp_backend_dma_map()): with an IOMMU, VFIO_IOMMU_MAP_DMA at an IOVA
 * the backend allocates under the device's DMA mask, inside the usable
 * ranges the type1 IOMMU reports (VFIO_IOMMU_GET_INFO, IOVA_RANGE
 * capability), aligned to its smallest page size; one segment per mapping.
 * In a no-IOMMU group (EXPERIMENTAL) there is no DMA API in the kernel: the
 * pages are mlock()ed and their physical addresses read from
 * /proc/self/pagemap (CAP_SYS_ADMIN), one segment per physically contiguous
 * run.  Locked pages can still be migrated by the kernel; see
 * docs/deploy-rk3588.md for what that means and what would make it safe.
 *
 * Release (gp_backend_release()) lets the kernel's unbind finish: DMA
 * mappings still live are unmapped (and unpinned) first, IRQ eventfds are
 * de-assigned, region mappings unmapped, then the device, group and
 * container fds closed.  Afterwards the process holds no fd, no mapping of
 * the device, no IOVA and no pinned or locked page.
 */
#ifndef GP_VFIO_H
#define GP_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "backend.h"

/*
 * The kernel interface, as a seam: unit tests substitute a fake VFIO that
 * follows the UAPI.  All functions follow their libc namesakes (-1/errno).
 */
struct gp_vfio_sys {
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long request, void *arg);
	void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off);
	int (*munmap)(void *addr, size_t len);
	ssize_t (*readlink)(const char *path, char *buf, size_t size);
	int (*eventfd)(unsigned int initval, int flags);
	int (*uevent_socket)(void);	/* a NETLINK_KOBJECT_UEVENT socket fd, or -1 */
	ssize_t (*recv)(int fd, void *buf, size_t len, int flags);
	/* Regions without VFIO_REGION_INFO_FLAG_MMAP, and small sysfs files. */
	ssize_t (*pread)(int fd, void *buf, size_t count, off_t offset);
	ssize_t (*pwrite)(int fd, const void *buf, size_t count, off_t offset);
	int (*madvise)(void *addr, size_t len, int advice);
	/* No-IOMMU DMA only: pages whose physical addresses a device is given. */
	int (*mlock)(const void *addr, size_t len);
	int (*munlock)(const void *addr, size_t len);
};

/* The real kernel. */
extern const struct gp_vfio_sys gp_vfio_sys_linux;

struct gp_vfio_config {
	enum gp_bus_type bus;		/* GP_BUS_PLATFORM or GP_BUS_PCI */
	const char *device;		/* "fb000000.gpu", "0000:00:01.0" */
	const char *sysfs_root;		/* "/sys" unless testing */
	const char *dev_root;		/* "/dev" unless testing */
	const struct gp_vfio_sys *sys;	/* NULL: gp_vfio_sys_linux */
	/*
	 * Platform/AMBA: no uevent socket, removal_fd -1; the caller's poll
	 * of gp_vfio_removal_pending() (the driver link) is all there is.
	 * For measuring that fallback only.
	 */
	bool no_uevents;
	/*
	 * No-IOMMU DMA: where physical addresses are read; NULL:
	 * "/proc/self/pagemap".  Tests point it at a fake.
	 */
	const char *pagemap;
};

/**
 * gp_vfio_parse_backend() - parse "vfio-platform:NAME", "vfio-amba:NAME" or
 * "vfio-pci:BDF".
 * Return: 0 with @cfg's bus and device set (@cfg->device points into
 * @spec), -EINVAL with a message in @err for anything else.
 */
int gp_vfio_parse_backend(const char *spec, struct gp_vfio_config *cfg, char *err, size_t errlen);

/**
 * gp_vfio_open() - open the device through its IOMMU group.
 *
 * Finds the group (sysfs iommu_group link; "noiommu-N" groups too), checks
 * it is viable, attaches a type1v2 container (or the no-IOMMU one),
 * gets the device fd, checks the device is of the configured bus type,
 * maps every mmap-able region and assigns an eventfd to each interrupt
 * line (PCI: the first MSI vector, else INTx; platform: every IRQ index).
 *
 * Numbering: region i is VFIO region i (PCI: BAR i, BAR0..BAR5 only,
 * absent BARs have size 0); regions VFIO cannot mmap are reached with
 * pread/pwrite.  Platform line i is VFIO IRQ index i, the i-th interrupt
 * of the device tree node (RK3588 Mali: 0 job, 1 mmu, 2 gpu); PCI has one
 * line.  With MSI, PCI bus mastering is switched on (MSI is a DMA write);
 * otherwise at the first DMA mapping.
 * removal_fd: vfio-pci's request-IRQ eventfd, else a uevent socket.
 *
 * Return: 0, or -errno with the reason logged ("group 12 is not viable:
 * bind every device of the group to vfio", "is a PCI device, not a
 * platform device", ...).  Nothing is left open on failure.
 */
int gp_vfio_open(const struct gp_vfio_config *cfg, struct gp_backend **out);

/**
 * gp_vfio_device_flags() - the VFIO_DEVICE_FLAGS_* that VFIO_DEVICE_GET_INFO
 * reported for @be (VFIO_DEVICE_FLAGS_RESET: VFIO_DEVICE_RESET works).
 * @be must come from gp_vfio_open().
 */
uint32_t gp_vfio_device_flags(const struct gp_backend *be);

/**
 * gp_vfio_removal_pending() - after removal_fd became readable: drain it
 * and say whether the device is really going away (vfio-pci: the request
 * IRQ fired; vfio-platform: a uevent for this device's vfio-dev child was
 * "remove", or its driver link is gone).
 * Context: the thread that owns the binding, before release.
 */
bool gp_vfio_removal_pending(struct gp_backend *be);

/**
 * gp_vfio_driver_bound() - whether sysfs shows @cfg's device bound to a
 * vfio driver now (the rebind and polling fallback check).
 */
bool gp_vfio_driver_bound(const struct gp_vfio_config *cfg);

/* --- uevents (exposed for unit tests and fuzzing) --- */

struct gp_uevent {
	const char *action;		/* "add", "remove", "bind", "unbind", ... */
	const char *devpath;		/* "/devices/platform/fb000000.gpu/vfio-dev/vfio0" */
	const char *subsystem;		/* "vfio-dev", "platform", ... */
	const char *driver;		/* may be NULL */
};

/**
 * gp_uevent_parse() - parse one kernel uevent datagram ("ACTION@DEVPATH\0"
 * followed by "KEY=VALUE\0" pairs) in place.  Messages from udev
 * ("libudev" header) are rejected.
 * Return: 0, or -EINVAL for a malformed message.
 */
int gp_uevent_parse(char *buf, size_t len, struct gp_uevent *ev);

/**
 * gp_uevent_is_removal() - whether @ev says @device is going away: the
 * removal of its vfio-dev child (kernels with the VFIO cdev) or an
 * "unbind" of the device itself.
 */
bool gp_uevent_is_removal(const struct gp_uevent *ev, const char *device);

#endif /* GP_VFIO_H */
