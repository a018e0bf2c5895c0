// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VFIO backend: a bus device bound to vfio-pci or vfio-platform, reached
 * through the legacy group/container interface (include/uapi/linux/vfio.h).
 *
 * The steps of gp_vfio_open() follow the kernel's order: the IOMMU group
 * (sysfs), the container, the group attached to it, the IOMMU model, the
 * device fd, then regions and interrupts.  Every step records what it
 * opened in struct gp_vfio, so one teardown function, gp_vfio_free(),
 * serves both a failed open and the release op.
 *
 * Everything the kernel is asked goes through struct gp_vfio_sys, so the
 * unit tests can stand a fake VFIO in for it.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <urcu/list.h>

#include "iova.h"
#include "log.h"
#include "vfio.h"

#ifndef _cleanup_
#define _cleanup_(f) __attribute__((cleanup(f)))
#endif

#if __BYTE_ORDER != __LITTLE_ENDIAN
#error "register accessors assume a little-endian host, as Mali and PCI registers are"
#endif

/*
 * Sanity limits on what VFIO_DEVICE_GET_INFO may report: a GPU has a few
 * regions and interrupts; anything beyond these is a broken device.
 */
#define GP_VFIO_MAX_REGIONS	64u
#define GP_VFIO_MAX_IRQS	64u

/* Larger than the kernel's UEVENT_BUFFER_SIZE (2048), so nothing is truncated. */
#define GP_VFIO_UEVENT_BUF	8192

/* Datagrams handled per gp_vfio_removal_pending() call: a uevent storm cannot starve the loop. */
#define GP_VFIO_UEVENT_BATCH	1024

/* Asked of the kernel for the uevent socket; best effort. */
#define GP_VFIO_UEVENT_RCVBUF	(1 << 20)

#define GP_VFIO_NOIOMMU_GROUP_NAME	"vfio-noiommu"

/* VFIO_IOMMU_GET_INFO: a capability chain longer than this is a broken kernel. */
#define GP_VFIO_MAX_CAPS		64u
#define GP_VFIO_MAX_IOVA_WINDOWS	64u

/* /proc/self/pagemap (Documentation/admin-guide/mm/pagemap.rst). */
#define GP_PAGEMAP_PRESENT		(1ull << 63)
#define GP_PAGEMAP_PFN_MASK		((1ull << 55) - 1)
#define GP_PAGEMAP_BATCH		512u	/* entries per pread */

struct gp_vfio_region {
	void *map;			/* NULL: reached with pread/pwrite */
	uint64_t size;			/* 0: absent (an unimplemented PCI BAR) */
	uint64_t offset;		/* of the region within the device fd */
	uint32_t flags;			/* VFIO_REGION_INFO_FLAG_* */
	char name[16];			/* "BAR0", "mem0" */
};

struct gp_vfio_irq {
	uint32_t index;			/* VFIO IRQ index */
	uint32_t flags;			/* VFIO_IRQ_INFO_* */
	bool assigned;			/* the kernel holds our eventfd (SET_IRQS) */
};

/* One usable IOVA range of the type1 IOMMU, with its own allocator. */
struct gp_vfio_iova_window {
	uint64_t last;			/* inclusive */
	struct gp_iova_domain dom;	/* dom.start: the window's first address */
};

/* A live DMA mapping; the driver sees only @map. */
struct gp_vfio_dma {
	struct gp_dma_mapping map;
	struct cds_list_head link;	/* in gp_vfio.dma_maps */
	struct gp_dma_segment seg;	/* IOMMU: the one segment */
	struct gp_dma_segment *segs;	/* no-IOMMU: one per physically contiguous run */
	struct gp_vfio_iova_window *window;	/* IOMMU: where the IOVA came from */
};

struct gp_vfio {
	struct gp_backend be;		/* first: the ops receive &be */

	const struct gp_vfio_sys *sys;
	struct gp_vfio_config cfg;	/* device and sysfs_root point at copies we own */
	char *sysfs_root;
	char *dev_root;

	unsigned int group_id;
	bool noiommu;
	int container_fd;
	int group_fd;
	bool group_attached;		/* VFIO_GROUP_SET_CONTAINER succeeded */
	int device_fd;
	uint32_t device_flags;		/* VFIO_DEVICE_FLAGS_* */
	unsigned int num_vfio_irqs;	/* IRQ indexes of the device (not our lines) */

	struct gp_vfio_region *region;	/* be.num_regions entries */
	struct gp_backend_region *region_desc;

	struct gp_vfio_irq *irq;	/* be.num_irqs entries, parallel to irq_fds */
	int *irq_fds;

	/* Removal: vfio-pci's request IRQ, or a uevent socket. */
	struct gp_vfio_irq req;
	int req_fd;
	int uevent_fd;

	atomic_bool io_error_logged;	/* pread/pwrite accessor failures: say it once */

	/*
	 * DMA.  dma_lock guards the IOVA windows and the list of live
	 * mappings, and only them: it is never held across a syscall (the
	 * pinning MAP_DMA, mlock, pagemap reads), so a client mapping a huge
	 * buffer delays nobody, and neither revoke nor the IRQ path takes it.
	 */
	pthread_mutex_t dma_lock;
	bool dma_lock_ready;
	uint64_t dma_granule;		/* IOMMU page size (at least the CPU's), or the CPU's */
	struct gp_vfio_iova_window *iova_window;
	unsigned int num_iova_windows;
	struct cds_list_head dma_maps;
	unsigned int num_dma_maps;
	bool bus_master;		/* PCI: Bus Master Enable set (MSI at open, or the first map) */
	char *pagemap;			/* no-IOMMU: the pagemap file */
};

#define gp_vfio_err(v, r, fmt, ...) \
	gp_log_errno(LOG_ERR, (r), "%s %s: " fmt, gp_vfio_driver_name((v)->cfg.bus), \
		     (v)->cfg.device, ##__VA_ARGS__)

/* --- the real kernel --------------------------------------------------- */

static int gp_vfio_linux_open(const char *path, int flags)
{
	return open(path, flags);
}

static int gp_vfio_linux_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg);
}

static int gp_vfio_linux_eventfd(unsigned int initval, int flags)
{
	return eventfd(initval, flags);
}

/*
 * The kernel's uevent multicast group 1.  Only a sender with CAP_NET_ADMIN
 * (or the kernel) can multicast there: the socket is not a channel for
 * unprivileged spoofing, and udev's rebroadcasts (group 2) do not reach it.
 */
static int gp_vfio_linux_uevent_socket(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int rcvbuf = GP_VFIO_UEVENT_RCVBUF;
	int fd, saved;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -1;
	/* A bigger buffer makes ENOBUFS rarer; losing a uevent is covered by sysfs anyway. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

const struct gp_vfio_sys gp_vfio_sys_linux = {
	.open = gp_vfio_linux_open,
	.close = close,
	.ioctl = gp_vfio_linux_ioctl,
	.mmap = mmap,
	.munmap = munmap,
	.readlink = readlink,
	.eventfd = gp_vfio_linux_eventfd,
	.uevent_socket = gp_vfio_linux_uevent_socket,
	.recv = recv,
	.pread = pread,
	.pwrite = pwrite,
	.madvise = madvise,
	.mlock = mlock,
	.munlock = munlock,
};

/* --- names and paths --------------------------------------------------- */

static const char *gp_vfio_driver_name(enum gp_bus_type bus)
{
	switch (bus) {
	case GP_BUS_PCI:
		return "vfio-pci";
	case GP_BUS_AMBA:
		return "vfio-amba";
	default:
		return "vfio-platform";
	}
}

static const char *gp_vfio_bus_dir(enum gp_bus_type bus)
{
	switch (bus) {
	case GP_BUS_PCI:
		return "pci";
	case GP_BUS_AMBA:
		return "amba";
	default:
		return "platform";
	}
}

static bool gp_vfio_is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/*
 * A PCI address as sysfs and VFIO_GROUP_GET_DEVICE_FD spell it:
 * DOMAIN:BUS:SLOT.FUNCTION in lower-case hex, the domain 4 to 8 digits
 * (%04x), bus 2, slot 2 (at most 0x1f), function one digit 0-7.
 */
static int gp_vfio_check_pci_name(const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name);
	size_t domain_len;
	unsigned int slot;

	/* The short lspci form: the kernel's names always carry the domain. */
	if (len == 7 && name[2] == ':' && name[5] == '.')
		return gp_backend_config_error(err, errlen,
					 "PCI address '%s' lacks its domain: write 0000:%s as in "
					 "/sys/bus/pci/devices", name, name);

	domain_len = strcspn(name, ":");
	if (domain_len < 4 || domain_len > 8 || len != domain_len + 8)
		goto bad;
	for (size_t i = 0; i < len; i++) {
		size_t j = i - domain_len;	/* position after the domain */
		char c = name[i];

		if (i < domain_len || j == 1 || j == 2 || j == 4 || j == 5) {
			if (c >= 'A' && c <= 'F')
				return gp_backend_config_error(err, errlen,
							 "PCI address '%s': use lower-case hex, as sysfs does",
							 name);
			if (!gp_vfio_is_lower_hex(c))
				goto bad;
		} else if ((j == 0 || j == 3) && c != ':') {
			goto bad;
		} else if (j == 6 && c != '.') {
			goto bad;
		} else if (j == 7 && (c < '0' || c > '7')) {
			goto bad;
		}
	}
	slot = (unsigned int)strtoul(name + domain_len + 4, NULL, 16);
	if (slot > 0x1f)
		goto bad;
	return 0;
bad:
	return gp_backend_config_error(err, errlen,
				 "'%s' is not a PCI address (expected DOMAIN:BUS:SLOT.FUNCTION, "
				 "e.g. 0000:00:03.0)", name);
}

/* The name becomes a path component under /sys: nothing that could leave it. */
static int gp_vfio_check_device_name(enum gp_bus_type bus, const char *name, char *err,
				     size_t errlen)
{
	if (!*name)
		return gp_backend_config_error(err, errlen, "empty device name");
	if (strlen(name) >= sizeof(((struct gp_backend *)NULL)->bus_id))
		return gp_backend_config_error(err, errlen, "device name '%.32s...' is too long", name);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return gp_backend_config_error(err, errlen, "'%s' is not a device name", name);
	for (const char *p = name; *p; p++) {
		if (*p == '/' || *p <= ' ' || *p == 0x7f)
			return gp_backend_config_error(err, errlen,
						 "device name '%s' contains '/', a blank or a control "
						 "character", name);
	}
	if (bus == GP_BUS_PCI)
		return gp_vfio_check_pci_name(name, err, errlen);
	return 0;
}

int gp_vfio_parse_backend(const char *spec, struct gp_vfio_config *cfg, char *err, size_t errlen)
{
	static const char platform[] = "vfio-platform:";
	static const char amba[] = "vfio-amba:";
	static const char pci[] = "vfio-pci:";
	enum gp_bus_type bus;
	const char *name;
	int r;

	assert(spec);
	assert(cfg);

	if (!strncmp(spec, platform, sizeof(platform) - 1)) {
		bus = GP_BUS_PLATFORM;
		name = spec + sizeof(platform) - 1;
	} else if (!strncmp(spec, amba, sizeof(amba) - 1)) {
		bus = GP_BUS_AMBA;
		name = spec + sizeof(amba) - 1;
	} else if (!strncmp(spec, pci, sizeof(pci) - 1)) {
		bus = GP_BUS_PCI;
		name = spec + sizeof(pci) - 1;
	} else {
		return gp_backend_config_error(err, errlen,
					 "unknown backend (expected mock, vfio-platform:DEVICE, "
					 "vfio-amba:DEVICE or vfio-pci:DOMAIN:BUS:SLOT.FUNCTION)");
	}

	r = gp_vfio_check_device_name(bus, name, err, errlen);
	if (r < 0)
		return r;
	cfg->bus = bus;
	cfg->device = name;
	return 0;
}

/* snprintf() into a path buffer; -ENAMETOOLONG rather than a truncated path. */
__attribute__((format(printf, 3, 4)))
static int gp_vfio_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int gp_vfio_device_path(const struct gp_vfio_config *cfg, const char *sysfs_root,
			       const char *leaf, char *buf, size_t size)
{
	return gp_vfio_path(buf, size, "%s/bus/%s/devices/%s%s%s", sysfs_root,
			    gp_vfio_bus_dir(cfg->bus), cfg->device, leaf ? "/" : "", leaf ? leaf : "");
}

/* readlink() into a string; -errno, -ENAMETOOLONG if it did not fit. */
static int gp_vfio_readlink(const struct gp_vfio_sys *sys, const char *path, char *buf,
			    size_t size)
{
	ssize_t n = sys->readlink(path, buf, size);

	if (n < 0)
		return -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

static const char *gp_vfio_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * Which driver sysfs shows @cfg's device bound to: 1 with its name in
 * @driver, 0 when unbound (no driver link), -errno when sysfs cannot say.
 */
static int gp_vfio_driver_of(const struct gp_vfio_config *cfg, const struct gp_vfio_sys *sys,
			     const char *sysfs_root, char *driver, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	int r;

	r = gp_vfio_device_path(cfg, sysfs_root, "driver", path, sizeof(path));
	if (r < 0)
		return r;
	r = gp_vfio_readlink(sys, path, link, sizeof(link));
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if ((size_t)snprintf(driver, size, "%s", gp_vfio_basename(link)) >= size)
		return -ENAMETOOLONG;
	return 1;
}

/*
 * vfio-pci, vfio-platform, vfio-amba and the vendor variants of vfio-pci
 * (mlx5_vfio_pci, ...) all carry "vfio" in their name.
 */
static bool gp_vfio_is_vfio_driver(const char *driver)
{
	return strstr(driver, "vfio") != NULL;
}

/* 1: bound to a vfio driver, 0: unbound or bound elsewhere, -errno: unknown. */
static int gp_vfio_driver_state(const struct gp_vfio_config *cfg, const struct gp_vfio_sys *sys,
				const char *sysfs_root)
{
	char driver[NAME_MAX + 1];
	int r;

	r = gp_vfio_driver_of(cfg, sys, sysfs_root, driver, sizeof(driver));
	if (r <= 0)
		return r;
	return gp_vfio_is_vfio_driver(driver) ? 1 : 0;
}

bool gp_vfio_driver_bound(const struct gp_vfio_config *cfg)
{
	assert(cfg && cfg->device);

	return gp_vfio_driver_state(cfg, cfg->sys ? cfg->sys : &gp_vfio_sys_linux,
				    cfg->sysfs_root ? cfg->sysfs_root : "/sys") == 1;
}

/*
 * Why the device has no usable group, for the error message: which driver
 * it is bound to, and what to do about it.
 */
static void gp_vfio_binding_hint(const struct gp_vfio *v, char *hint, size_t size)
{
	const char *want = gp_vfio_driver_name(v->cfg.bus);
	char driver[NAME_MAX + 1];
	int r;

	r = gp_vfio_driver_of(&v->cfg, v->sys, v->sysfs_root, driver, sizeof(driver));
	if (r < 0)
		snprintf(hint, size, "is the device bound to %s?", want);
	else if (r == 0)
		snprintf(hint, size, "the device is bound to no driver: bind it to %s "
			 "(driver_override, then drivers_probe)", want);
	else if (!gp_vfio_is_vfio_driver(driver))
		snprintf(hint, size, "the device is bound to %s, not to %s: unbind it and bind it "
			 "to %s (driver_override, then drivers_probe)", driver, want, want);
	else
		snprintf(hint, size, "the device is bound to %s; a device without an IOMMU needs "
			 "no-IOMMU mode before it binds (CONFIG_VFIO_NOIOMMU, "
			 "vfio.enable_unsafe_noiommu_mode=1)", driver);
}

/* --- opening ----------------------------------------------------------- */

static int gp_vfio_close_fd(const struct gp_vfio_sys *sys, int *fd)
{
	int r = 0;

	if (*fd >= 0 && sys->close(*fd) < 0)
		r = -errno;
	*fd = -1;
	return r;
}

static int gp_vfio_irq_disable(struct gp_vfio *v, struct gp_vfio_irq *irq);
static void gp_vfio_dma_unmap_leftovers(struct gp_vfio *v);

/*
 * Tears down whatever gp_vfio_open() got to build, in the order that lets
 * the kernel's unbind finish with nothing of ours left behind: DMA mappings
 * still live first (the container fd is what VFIO_IOMMU_UNMAP_DMA needs,
 * and an IOVA must be gone before the device could be handed to another
 * owner), interrupts off while their eventfds exist, the eventfds, the
 * region mappings (each VMA pins the device file), the device, then the
 * group and the container.  NULL is a no-op.
 */
static void gp_vfio_free(struct gp_vfio *v)
{
	if (!v)
		return;

	gp_vfio_dma_unmap_leftovers(v);

	for (unsigned int i = 0; i < v->be.num_irqs; i++)
		(void)gp_vfio_irq_disable(v, &v->irq[i]);
	(void)gp_vfio_irq_disable(v, &v->req);

	for (unsigned int i = 0; i < v->be.num_irqs; i++)
		(void)gp_vfio_close_fd(v->sys, &v->irq_fds[i]);
	(void)gp_vfio_close_fd(v->sys, &v->req_fd);

	for (unsigned int i = 0; i < v->be.num_regions; i++) {
		struct gp_vfio_region *r = &v->region[i];

		if (r->map && v->sys->munmap(r->map, r->size) < 0)
			gp_vfio_err(v, errno, "munmap %s", r->name);
		r->map = NULL;
	}

	(void)gp_vfio_close_fd(v->sys, &v->device_fd);
	/* Closing the group detaches it too; explicit, so a failure is visible in a trace. */
	if (v->group_attached && v->sys->ioctl(v->group_fd, VFIO_GROUP_UNSET_CONTAINER, NULL) < 0)
		gp_log_errno(LOG_DEBUG, errno, "%s: VFIO_GROUP_UNSET_CONTAINER", v->cfg.device);
	v->group_attached = false;
	(void)gp_vfio_close_fd(v->sys, &v->group_fd);
	(void)gp_vfio_close_fd(v->sys, &v->container_fd);
	(void)gp_vfio_close_fd(v->sys, &v->uevent_fd);

	for (unsigned int i = 0; i < v->num_iova_windows; i++)
		gp_iova_domain_fini(&v->iova_window[i].dom);
	free(v->iova_window);
	free(v->pagemap);
	if (v->dma_lock_ready)
		pthread_mutex_destroy(&v->dma_lock);
	free(v->irq_fds);
	free(v->irq);
	free(v->region_desc);
	free(v->region);
	free(v->sysfs_root);
	free(v->dev_root);
	/* One allocation per field, freed here: a use after release is an ASan report. */
	free(v);
}

static void gp_vfio_freep(struct gp_vfio **pv)
{
	gp_vfio_free(*pv);
}

static struct gp_vfio *gp_vfio_from_backend(struct gp_backend *be)
{
	assert(be);
	return (struct gp_vfio *)((char *)be - offsetof(struct gp_vfio, be));
}

static const struct gp_backend_ops gp_vfio_ops;

static struct gp_vfio *gp_vfio_new(const struct gp_vfio_config *cfg)
{
	_cleanup_(gp_vfio_freep) struct gp_vfio *v = NULL;
	struct gp_vfio *ret;

	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->container_fd = v->group_fd = v->device_fd = v->req_fd = v->uevent_fd = -1;
	v->be.removal_fd = -1;
	v->be.ops = &gp_vfio_ops;
	v->be.bus = cfg->bus;
	snprintf(v->be.bus_id, sizeof(v->be.bus_id), "%s", cfg->device);
	atomic_init(&v->io_error_logged, false);
	CDS_INIT_LIST_HEAD(&v->dma_maps);
	if (pthread_mutex_init(&v->dma_lock, NULL) != 0)
		return NULL;
	v->dma_lock_ready = true;
	v->dma_granule = (uint64_t)sysconf(_SC_PAGESIZE);

	v->sys = cfg->sys ? cfg->sys : &gp_vfio_sys_linux;
	v->sysfs_root = strdup(cfg->sysfs_root ? cfg->sysfs_root : "/sys");
	v->dev_root = strdup(cfg->dev_root ? cfg->dev_root : "/dev");
	v->pagemap = strdup(cfg->pagemap ? cfg->pagemap : "/proc/self/pagemap");
	if (!v->sysfs_root || !v->dev_root || !v->pagemap)
		return NULL;
	v->cfg = (struct gp_vfio_config){
		.bus = cfg->bus,
		.device = v->be.bus_id,
		.sysfs_root = v->sysfs_root,
		.dev_root = v->dev_root,
		.sys = v->sys,
		.no_uevents = cfg->no_uevents,
		.pagemap = v->pagemap,
	};
	ret = v;
	v = NULL;
	return ret;
}

/*
 * The IOMMU group: the basename of the device's iommu_group link.  A group
 * VFIO made up for a device without an IOMMU is named "vfio-noiommu"
 * (vfio_noiommu_group_alloc(); /sys/kernel/iommu_groups/N/name) and its
 * node is /dev/vfio/noiommu-N.  Emulated-IOMMU (mdev) groups share that
 * name, but they are on neither the platform nor the PCI bus.
 */
static int gp_vfio_find_group(struct gp_vfio *v)
{
	char path[PATH_MAX], link[PATH_MAX], name[64], hint[1024];
	const char *base;
	char *end;
	unsigned long id;
	ssize_t n;
	int fd, r;

	r = gp_vfio_device_path(&v->cfg, v->sysfs_root, NULL, path, sizeof(path));
	if (r < 0)
		return gp_vfio_err(v, r, "sysfs path");
	/* Entries of /sys/bus/X/devices are links; EINVAL (not a link) still means "exists". */
	r = gp_vfio_readlink(v->sys, path, link, sizeof(link));
	if (r == -ENOENT)
		return gp_vfio_err(v, ENODEV, "%s does not exist (no such %s device)", path,
				   gp_vfio_bus_dir(v->cfg.bus));
	if (r < 0 && r != -EINVAL)
		return gp_vfio_err(v, r, "readlink %s", path);

	r = gp_vfio_device_path(&v->cfg, v->sysfs_root, "iommu_group", path, sizeof(path));
	if (r < 0)
		return gp_vfio_err(v, r, "sysfs path");
	r = gp_vfio_readlink(v->sys, path, link, sizeof(link));
	if (r == -ENOENT) {
		gp_vfio_binding_hint(v, hint, sizeof(hint));
		return gp_vfio_err(v, ENODEV, "no IOMMU group (%s is missing): %s", path, hint);
	}
	if (r < 0)
		return gp_vfio_err(v, r, "readlink %s", path);

	base = gp_vfio_basename(link);
	errno = 0;
	id = strtoul(base, &end, 10);
	if (!*base || *end || base[0] < '0' || base[0] > '9' || errno || id > UINT_MAX)
		return gp_vfio_err(v, EINVAL, "unexpected iommu_group link %s -> %s", path, link);
	v->group_id = (unsigned int)id;

	r = gp_vfio_path(path, sizeof(path), "%s/kernel/iommu_groups/%u/name", v->sysfs_root,
			 v->group_id);
	if (r < 0)
		return gp_vfio_err(v, r, "sysfs path");
	/* Only named groups have the file: ENOENT is an ordinary IOMMU group. */
	fd = v->sys->open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return gp_vfio_err(v, errno, "open %s", path);
	n = v->sys->pread(fd, name, sizeof(name) - 1, 0);
	r = n < 0 ? -errno : 0;
	(void)gp_vfio_close_fd(v->sys, &fd);
	if (r < 0)
		return gp_vfio_err(v, r, "read %s", path);
	name[n] = '\0';
	name[strcspn(name, "\n")] = '\0';
	v->noiommu = !strcmp(name, GP_VFIO_NOIOMMU_GROUP_NAME);
	return 0;
}

static uint32_t gp_vfio_iommu_type(const struct gp_vfio *v)
{
	return v->noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
}

static int gp_vfio_open_container(struct gp_vfio *v)
{
	char path[PATH_MAX];
	int r;

	r = gp_vfio_path(path, sizeof(path), "%s/vfio/vfio", v->dev_root);
	if (r < 0)
		return gp_vfio_err(v, r, "container path");
	v->container_fd = v->sys->open(path, O_RDWR | O_CLOEXEC);
	if (v->container_fd < 0) {
		r = errno;
		if (r == ENOENT)
			return gp_vfio_err(v, r, "open %s (is the vfio module loaded? modprobe vfio)",
					   path);
		return gp_vfio_err(v, r, "open %s", path);
	}

	r = v->sys->ioctl(v->container_fd, VFIO_GET_API_VERSION, NULL);
	if (r < 0)
		return gp_vfio_err(v, errno, "VFIO_GET_API_VERSION");
	if (r != VFIO_API_VERSION)
		return gp_vfio_err(v, EPROTO, "the kernel speaks VFIO API version %d, gpu-proto %d",
				   r, VFIO_API_VERSION);

	r = v->sys->ioctl(v->container_fd, VFIO_CHECK_EXTENSION,
			  (void *)(uintptr_t)gp_vfio_iommu_type(v));
	if (r < 0)
		return gp_vfio_err(v, errno, "VFIO_CHECK_EXTENSION");
	if (r == 0 && v->noiommu)
		return gp_vfio_err(v, EOPNOTSUPP,
				   "group %u is a no-IOMMU group but the container offers no "
				   "no-IOMMU mode (CONFIG_VFIO_NOIOMMU, "
				   "vfio.enable_unsafe_noiommu_mode=1)", v->group_id);
	if (r == 0)
		return gp_vfio_err(v, EOPNOTSUPP,
				   "the VFIO container offers no Type1v2 IOMMU (is vfio_iommu_type1 "
				   "loaded? is the IOMMU on, e.g. intel_iommu=on?)");
	return 0;
}

static int gp_vfio_open_group(struct gp_vfio *v)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[PATH_MAX], hint[1024];
	int r;

	r = gp_vfio_path(path, sizeof(path), "%s/vfio/%s%u", v->dev_root,
			 v->noiommu ? "noiommu-" : "", v->group_id);
	if (r < 0)
		return gp_vfio_err(v, r, "group path");
	v->group_fd = v->sys->open(path, O_RDWR | O_CLOEXEC);
	if (v->group_fd < 0) {
		r = errno;
		switch (r) {
		case ENOENT:
			gp_vfio_binding_hint(v, hint, sizeof(hint));
			return gp_vfio_err(v, r, "open %s: %s", path, hint);
		case EPERM:
		case EACCES:
			return gp_vfio_err(v, r, "open %s (%s)", path,
					   v->noiommu ? "no-IOMMU groups need CAP_SYS_RAWIO" :
					   "check the node's owner and the unit's DeviceAllow=");
		case EBUSY:
			return gp_vfio_err(v, r, "open %s (another process, a VM or a second "
					   "gpu-protod, has the group open)", path);
		default:
			return gp_vfio_err(v, r, "open %s", path);
		}
	}

	if (v->sys->ioctl(v->group_fd, VFIO_GROUP_GET_STATUS, &status) < 0)
		return gp_vfio_err(v, errno, "VFIO_GROUP_GET_STATUS");
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return gp_vfio_err(v, EBUSY,
				   "group %u is not viable: bind every device in "
				   "%s/kernel/iommu_groups/%u/devices to vfio (or leave it unbound)",
				   v->group_id, v->sysfs_root, v->group_id);

	if (v->sys->ioctl(v->group_fd, VFIO_GROUP_SET_CONTAINER, &v->container_fd) < 0)
		return gp_vfio_err(v, errno, "VFIO_GROUP_SET_CONTAINER");
	v->group_attached = true;

	if (v->sys->ioctl(v->container_fd, VFIO_SET_IOMMU,
			  (void *)(uintptr_t)gp_vfio_iommu_type(v)) < 0)
		return gp_vfio_err(v, errno, "VFIO_SET_IOMMU(%s)",
				   v->noiommu ? "no-IOMMU" : "Type1v2");
	return 0;
}

/* --- the type1 IOMMU's geometry ----------------------------------------- */

static void gp_vfio_freep_void(void *p)
{
	free(*(void **)p);
}

/*
 * Keep the part of [@start, @last] that whole granules cover as a window;
 * a window too small for one granule is dropped.
 */
static void gp_vfio_add_iova_window(struct gp_vfio *v, uint64_t start, uint64_t last)
{
	uint64_t g = v->dma_granule;
	struct gp_vfio_iova_window *w;

	if (start > last)
		return;
	if (start > UINT64_MAX - (g - 1))
		return;
	start = (start + g - 1) & ~(g - 1);
	if (last != UINT64_MAX)
		last = ((last + 1) & ~(g - 1)) - 1;
	/* gp_iova_domain_init() never hands out 0: the first granule is skipped. */
	if (start == 0)
		start = g;
	if (last < start || last - start < g - 1)
		return;
	w = &v->iova_window[v->num_iova_windows++];
	w->last = last;
	gp_iova_domain_init(&w->dom, start, g);
}

/*
 * VFIO_IOMMU_GET_INFO: the smallest IOMMU page size is the mapping granule
 * (vfio_dma_do_map() refuses anything not aligned to it), and the
 * IOVA_RANGE capability lists the ranges a MAP_DMA may use (reserved
 * regions such as x86's MSI window at 0xfee00000 excluded).  A kernel
 * without the capability (before 5.4) allows the whole space.
 */
static int gp_vfio_iommu_info(struct gp_vfio *v)
{
	_cleanup_(gp_vfio_freep_void) void *buf = NULL;
	struct vfio_iommu_type1_info *info;
	const struct vfio_iommu_type1_info_cap_iova_range *cap = NULL;
	uint32_t argsz = sizeof(*info), offset;

	if (v->noiommu)
		return 0;	/* no IOMMU, no VFIO_IOMMU_GET_INFO */

	for (unsigned int tries = 0;; tries++) {
		void *nbuf = realloc(buf, argsz);

		if (!nbuf)
			return gp_vfio_err(v, ENOMEM, "VFIO_IOMMU_GET_INFO buffer");
		buf = nbuf;
		memset(buf, 0, argsz);
		info = buf;
		info->argsz = argsz;
		if (v->sys->ioctl(v->container_fd, VFIO_IOMMU_GET_INFO, info) < 0)
			return gp_vfio_err(v, errno, "VFIO_IOMMU_GET_INFO");
		if (info->argsz <= argsz)
			break;
		/* The capabilities did not fit: the kernel said how much they need. */
		if (tries > 0 || info->argsz > 65536)
			return gp_vfio_err(v, EPROTO, "VFIO_IOMMU_GET_INFO wants %u bytes",
					   info->argsz);
		argsz = info->argsz;
	}

	if (info->flags & VFIO_IOMMU_INFO_PGSIZES) {
		uint64_t smallest;

		if (!info->iova_pgsizes)
			return gp_vfio_err(v, EPROTO, "the IOMMU reports no page size");
		smallest = info->iova_pgsizes & -info->iova_pgsizes;
		if (smallest > v->dma_granule)
			v->dma_granule = smallest;
	}

	offset = (info->flags & VFIO_IOMMU_INFO_CAPS) ? info->cap_offset : 0;
	for (unsigned int n = 0; offset; n++) {
		const struct vfio_info_cap_header *hdr;

		if (n >= GP_VFIO_MAX_CAPS || offset < sizeof(*info) ||
		    offset > argsz - sizeof(*hdr) || offset % alignof(struct vfio_info_cap_header))
			return gp_vfio_err(v, EPROTO, "VFIO_IOMMU_GET_INFO: broken capability chain "
					   "(offset %u)", offset);
		hdr = (const void *)((const char *)buf + offset);
		if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			cap = (const void *)hdr;
			if (offset + sizeof(*cap) > argsz ||
			    cap->nr_iovas > (argsz - offset - sizeof(*cap)) /
					    sizeof(cap->iova_ranges[0]))
				return gp_vfio_err(v, EPROTO, "VFIO_IOMMU_GET_INFO: IOVA range "
						   "capability larger than its buffer");
			break;
		}
		offset = hdr->next;
	}

	if (cap && cap->nr_iovas > GP_VFIO_MAX_IOVA_WINDOWS)
		return gp_vfio_err(v, EPROTO, "the IOMMU reports %u IOVA ranges", cap->nr_iovas);
	v->iova_window = calloc(cap ? (cap->nr_iovas ? cap->nr_iovas : 1) : 1,
				sizeof(*v->iova_window));
	if (!v->iova_window)
		return gp_vfio_err(v, ENOMEM, "IOVA windows");
	if (!cap) {
		gp_vfio_add_iova_window(v, 0, UINT64_MAX);
	} else {
		for (uint32_t i = 0; i < cap->nr_iovas; i++)
			gp_vfio_add_iova_window(v, cap->iova_ranges[i].start,
						cap->iova_ranges[i].end);
	}
	if (!v->num_iova_windows)
		gp_log_warning("%s: the IOMMU offers no usable IOVA range: no DMA possible",
			       v->cfg.device);
	gp_log_debug("%s: IOMMU granule 0x%" PRIx64 ", %u IOVA window(s)", v->cfg.device,
		     v->dma_granule, v->num_iova_windows);
	return 0;
}

static const char *gp_vfio_flags_bus(uint32_t flags)
{
	if (flags & VFIO_DEVICE_FLAGS_PCI)
		return "a PCI device";
	if (flags & VFIO_DEVICE_FLAGS_PLATFORM)
		return "a platform device";
	if (flags & VFIO_DEVICE_FLAGS_AMBA)
		return "an AMBA device";
	return "a device of another bus";
}

static int gp_vfio_open_device(struct gp_vfio *v)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint32_t want;
	char hint[1024];
	int fl;

	v->device_fd = v->sys->ioctl(v->group_fd, VFIO_GROUP_GET_DEVICE_FD, (void *)v->cfg.device);
	if (v->device_fd < 0) {
		int r = errno;

		v->device_fd = -1;
		gp_vfio_binding_hint(v, hint, sizeof(hint));
		return gp_vfio_err(v, r, "VFIO_GROUP_GET_DEVICE_FD (%s)", hint);
	}
	/* The kernel sets it today; a child must never pin the device, so be sure. */
	fl = fcntl(v->device_fd, F_GETFD);
	if (fl < 0 || fcntl(v->device_fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return gp_vfio_err(v, errno, "fcntl(FD_CLOEXEC) on the device fd");

	if (v->sys->ioctl(v->device_fd, VFIO_DEVICE_GET_INFO, &info) < 0)
		return gp_vfio_err(v, errno, "VFIO_DEVICE_GET_INFO");
	want = v->cfg.bus == GP_BUS_PCI ? VFIO_DEVICE_FLAGS_PCI :
	       v->cfg.bus == GP_BUS_AMBA ? VFIO_DEVICE_FLAGS_AMBA : VFIO_DEVICE_FLAGS_PLATFORM;
	if (!(info.flags & want))
		return gp_vfio_err(v, ENODEV, "%s is %s, not %s", v->cfg.device,
				   gp_vfio_flags_bus(info.flags), gp_vfio_flags_bus(want));
	if (info.num_regions > GP_VFIO_MAX_REGIONS || info.num_irqs > GP_VFIO_MAX_IRQS)
		return gp_vfio_err(v, EINVAL, "implausible device: %u regions, %u IRQs",
				   info.num_regions, info.num_irqs);
	v->device_flags = info.flags;

	/* Regions: PCI BARs only (config space, ROM and VGA are not registers). */
	v->be.num_regions = info.num_regions;
	if (v->cfg.bus == GP_BUS_PCI && v->be.num_regions > VFIO_PCI_BAR5_REGION_INDEX + 1)
		v->be.num_regions = VFIO_PCI_BAR5_REGION_INDEX + 1;
	if (v->be.num_regions) {
		v->region = calloc(v->be.num_regions, sizeof(*v->region));
		v->region_desc = calloc(v->be.num_regions, sizeof(*v->region_desc));
		if (!v->region || !v->region_desc) {
			v->be.num_regions = 0;
			return gp_vfio_err(v, ENOMEM, "region table");
		}
	}
	v->be.regions = v->region_desc;
	v->num_vfio_irqs = info.num_irqs;
	return 0;
}

/*
 * Map the regions that allow it; the others are reached with pread/pwrite
 * on the device fd.  Region i of the binding is VFIO region i, so a driver
 * says "BAR2" as region 2 even when BAR0 is absent (size 0).
 */
static int gp_vfio_map_regions(struct gp_vfio *v)
{
	for (unsigned int i = 0; i < v->be.num_regions; i++) {
		struct vfio_region_info info = { .argsz = sizeof(info), .index = i };
		struct gp_vfio_region *r = &v->region[i];
		int prot = 0;
		void *map;

		snprintf(r->name, sizeof(r->name), "%s%u", v->cfg.bus == GP_BUS_PCI ? "BAR" : "mem",
			 i);
		v->region_desc[i].name = r->name;
		if (v->sys->ioctl(v->device_fd, VFIO_DEVICE_GET_REGION_INFO, &info) < 0)
			return gp_vfio_err(v, errno, "VFIO_DEVICE_GET_REGION_INFO(%u)", i);
		r->size = info.size;
		r->offset = info.offset;
		r->flags = info.flags;
		v->region_desc[i].size = info.size;
		if (!info.size || !(info.flags & VFIO_REGION_INFO_FLAG_MMAP))
			continue;

		if (info.flags & VFIO_REGION_INFO_FLAG_READ)
			prot |= PROT_READ;
		if (info.flags & VFIO_REGION_INFO_FLAG_WRITE)
			prot |= PROT_WRITE;
		if (info.size > SIZE_MAX || info.offset > (uint64_t)INT64_MAX)
			return gp_vfio_err(v, EOVERFLOW, "region %s: size or offset out of range",
					   r->name);
		map = v->sys->mmap(NULL, (size_t)info.size, prot, MAP_SHARED, v->device_fd,
				   (off_t)info.offset);
		if (map == MAP_FAILED)
			return gp_vfio_err(v, errno, "mmap %s (%" PRIu64 " bytes)", r->name,
					   (uint64_t)info.size);
		r->map = map;
		/*
		 * A forked child would inherit the VMA, which holds the device
		 * file, and with it block every unbind until the child exits.
		 */
		if (v->sys->madvise(map, (size_t)info.size, MADV_DONTFORK) < 0)
			return gp_vfio_err(v, errno, "madvise(MADV_DONTFORK) %s", r->name);
	}
	return 0;
}

static int gp_vfio_irq_info(struct gp_vfio *v, uint32_t index, struct vfio_irq_info *info)
{
	*info = (struct vfio_irq_info){ .argsz = sizeof(*info), .index = index };
	if (v->sys->ioctl(v->device_fd, VFIO_DEVICE_GET_IRQ_INFO, info) < 0)
		return gp_vfio_err(v, errno, "VFIO_DEVICE_GET_IRQ_INFO(%u)", index);
	return 0;
}

static bool gp_vfio_irq_usable(const struct vfio_irq_info *info)
{
	return info->count > 0 && (info->flags & VFIO_IRQ_INFO_EVENTFD);
}

/* VFIO_DEVICE_SET_IRQS with no data: ACTION_TRIGGER count 0 disables, ACTION_UNMASK unmasks. */
static int gp_vfio_set_irqs_none(struct gp_vfio *v, uint32_t index, uint32_t action,
				 uint32_t count)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | action,
		.index = index,
		.start = 0,
		.count = count,
	};

	return v->sys->ioctl(v->device_fd, VFIO_DEVICE_SET_IRQS, &set) < 0 ? -errno : 0;
}

/* Have vector 0 of @irq signal @fd. */
static int gp_vfio_irq_assign(struct gp_vfio *v, struct gp_vfio_irq *irq, int fd)
{
	alignas(struct vfio_irq_set) uint8_t buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int32_t data = fd;

	*set = (struct vfio_irq_set){
		.argsz = sizeof(buf),
		.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = irq->index,
		.start = 0,
		.count = 1,
	};
	memcpy(set->data, &data, sizeof(data));
	if (v->sys->ioctl(v->device_fd, VFIO_DEVICE_SET_IRQS, set) < 0)
		return gp_vfio_err(v, errno, "VFIO_DEVICE_SET_IRQS(index %u, eventfd)", irq->index);
	irq->assigned = true;
	return 0;
}

/* De-assign: the kernel drops its eventfd reference and frees the host IRQ. */
static int gp_vfio_irq_disable(struct gp_vfio *v, struct gp_vfio_irq *irq)
{
	int r;

	if (!irq->assigned)
		return 0;
	irq->assigned = false;
	r = gp_vfio_set_irqs_none(v, irq->index, VFIO_IRQ_SET_ACTION_TRIGGER, 0);
	if (r < 0)
		gp_log_errno(LOG_WARNING, r, "%s: VFIO_DEVICE_SET_IRQS(index %u, off)",
			     v->cfg.device, irq->index);
	return r;
}

static int gp_vfio_new_eventfd(struct gp_vfio *v, int *fd)
{
	*fd = v->sys->eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (*fd < 0) {
		*fd = -1;
		return gp_vfio_err(v, errno, "eventfd");
	}
	return 0;
}

/*
 * MSI is a memory write by the device: without Bus Master Enable in the
 * command register it is never sent (vfio-pci leaves the bit to the user,
 * as DPDK's pci_vfio_set_bus_master() knows).
 */
static int gp_vfio_pci_enable_bus_master(struct gp_vfio *v)
{
	struct vfio_region_info info = { .argsz = sizeof(info),
					  .index = VFIO_PCI_CONFIG_REGION_INDEX };
	uint16_t cmd;
	ssize_t n;

	if (v->sys->ioctl(v->device_fd, VFIO_DEVICE_GET_REGION_INFO, &info) < 0)
		return gp_vfio_err(v, errno, "VFIO_DEVICE_GET_REGION_INFO(config)");
	n = v->sys->pread(v->device_fd, &cmd, sizeof(cmd), (off_t)(info.offset + PCI_COMMAND));
	if (n != (ssize_t)sizeof(cmd))
		return gp_vfio_err(v, n < 0 ? errno : EIO, "read of the PCI command register");
	cmd = le16toh(cmd);
	if (cmd & PCI_COMMAND_MASTER)
		return 0;
	cmd = htole16(cmd | PCI_COMMAND_MASTER);
	n = v->sys->pwrite(v->device_fd, &cmd, sizeof(cmd), (off_t)(info.offset + PCI_COMMAND));
	if (n != (ssize_t)sizeof(cmd))
		return gp_vfio_err(v, n < 0 ? errno : EIO, "write of the PCI command register");
	return 0;
}

/*
 * Interrupt lines.  PCI: one line, MSI vector 0 when the device has MSI,
 * else INTx.  Platform: line i is VFIO IRQ index i, which is the i-th
 * interrupt of the device tree node (Mali: job, mmu, gpu).
 */
static int gp_vfio_setup_irqs(struct gp_vfio *v)
{
	unsigned int num_vfio_irqs = v->num_vfio_irqs;
	struct vfio_irq_info info;
	unsigned int lines = 0;
	uint32_t pci_index = 0;
	int r;

	if (v->cfg.bus == GP_BUS_PCI) {
		if (num_vfio_irqs > VFIO_PCI_MSI_IRQ_INDEX) {
			r = gp_vfio_irq_info(v, VFIO_PCI_MSI_IRQ_INDEX, &info);
			if (r < 0)
				return r;
			if (gp_vfio_irq_usable(&info)) {
				pci_index = VFIO_PCI_MSI_IRQ_INDEX;
				lines = 1;
			}
		}
		if (!lines && num_vfio_irqs > VFIO_PCI_INTX_IRQ_INDEX) {
			r = gp_vfio_irq_info(v, VFIO_PCI_INTX_IRQ_INDEX, &info);
			if (r < 0)
				return r;
			if (gp_vfio_irq_usable(&info)) {
				pci_index = VFIO_PCI_INTX_IRQ_INDEX;
				lines = 1;
			}
		}
	} else {
		lines = num_vfio_irqs;
	}
	if (!lines)
		return 0;

	v->irq = calloc(lines, sizeof(*v->irq));
	v->irq_fds = malloc(lines * sizeof(*v->irq_fds));
	if (!v->irq || !v->irq_fds)
		return gp_vfio_err(v, ENOMEM, "IRQ table");
	for (unsigned int i = 0; i < lines; i++)
		v->irq_fds[i] = -1;
	v->be.num_irqs = lines;
	v->be.irq_fds = v->irq_fds;

	if (v->cfg.bus == GP_BUS_PCI) {
		v->irq[0] = (struct gp_vfio_irq){ .index = pci_index, .flags = info.flags };
	} else {
		for (unsigned int i = 0; i < lines; i++) {
			r = gp_vfio_irq_info(v, i, &info);
			if (r < 0)
				return r;
			if (!gp_vfio_irq_usable(&info))
				return gp_vfio_err(v, EOPNOTSUPP,
						   "IRQ %u cannot signal an eventfd (flags 0x%x, "
						   "count %u)", i, info.flags, info.count);
			v->irq[i] = (struct gp_vfio_irq){ .index = i, .flags = info.flags };
		}
	}

	for (unsigned int i = 0; i < lines; i++) {
		r = gp_vfio_new_eventfd(v, &v->irq_fds[i]);
		if (r < 0)
			return r;
		r = gp_vfio_irq_assign(v, &v->irq[i], v->irq_fds[i]);
		if (r < 0)
			return r;
	}

	if (v->cfg.bus == GP_BUS_PCI && pci_index == VFIO_PCI_MSI_IRQ_INDEX) {
		r = gp_vfio_pci_enable_bus_master(v);
		if (r < 0)
			return r;
		v->bus_master = true;
	}
	return 0;
}

/*
 * The removal signal.  vfio-pci asks for the device back through its
 * request IRQ; vfio-platform has no request callback, so there we listen
 * to kernel uevents (and the caller polls the driver link as well).
 */
static int gp_vfio_setup_removal(struct gp_vfio *v)
{
	unsigned int num_vfio_irqs = v->num_vfio_irqs;
	struct vfio_irq_info info;
	int r;

	if (v->cfg.bus == GP_BUS_PCI && num_vfio_irqs > VFIO_PCI_REQ_IRQ_INDEX) {
		r = gp_vfio_irq_info(v, VFIO_PCI_REQ_IRQ_INDEX, &info);
		if (r < 0)
			return r;
		if (gp_vfio_irq_usable(&info)) {
			v->req = (struct gp_vfio_irq){ .index = VFIO_PCI_REQ_IRQ_INDEX,
						       .flags = info.flags };
			r = gp_vfio_new_eventfd(v, &v->req_fd);
			if (r < 0)
				return r;
			r = gp_vfio_irq_assign(v, &v->req, v->req_fd);
			if (r < 0)
				return r;
			v->be.removal_fd = v->req_fd;
			return 0;
		}
		gp_log_info("%s: vfio-pci offers no request IRQ: watching uevents instead",
			    v->cfg.device);
	}

	if (v->cfg.no_uevents) {
		gp_log_info("%s: uevents off (--test-removal=poll): removal seen by polling the "
			    "driver link", v->cfg.device);
		return 0;
	}
	v->uevent_fd = v->sys->uevent_socket();
	if (v->uevent_fd < 0) {
		v->uevent_fd = -1;
		return gp_vfio_err(v, errno, "NETLINK_KOBJECT_UEVENT socket (removal detection)");
	}
	v->be.removal_fd = v->uevent_fd;
	return 0;
}

int gp_vfio_open(const struct gp_vfio_config *cfg, struct gp_backend **out)
{
	_cleanup_(gp_vfio_freep) struct gp_vfio *v = NULL;
	char err[256];
	int r;

	assert(cfg);
	assert(out);
	assert(cfg->device);
	assert(cfg->bus == GP_BUS_PLATFORM || cfg->bus == GP_BUS_AMBA || cfg->bus == GP_BUS_PCI);

	*out = NULL;
	r = gp_vfio_check_device_name(cfg->bus, cfg->device, err, sizeof(err));
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "%s: %s", gp_vfio_driver_name(cfg->bus), err);

	v = gp_vfio_new(cfg);
	if (!v)
		return gp_log_errno(LOG_ERR, ENOMEM, "%s %s", gp_vfio_driver_name(cfg->bus),
				    cfg->device);

	r = gp_vfio_find_group(v);
	if (r < 0)
		return r;
	r = gp_vfio_open_container(v);
	if (r < 0)
		return r;
	r = gp_vfio_open_group(v);
	if (r < 0)
		return r;
	r = gp_vfio_iommu_info(v);
	if (r < 0)
		return r;
	r = gp_vfio_open_device(v);
	if (r < 0)
		return r;
	r = gp_vfio_map_regions(v);
	if (r < 0)
		return r;
	r = gp_vfio_setup_irqs(v);
	if (r < 0)
		return r;
	r = gp_vfio_setup_removal(v);
	if (r < 0)
		return r;

	gp_log_info("%s %s: group %s%u, %u region(s), %u IRQ line(s), removal via %s",
		    gp_vfio_driver_name(v->cfg.bus), v->cfg.device, v->noiommu ? "noiommu-" : "",
		    v->group_id, v->be.num_regions, v->be.num_irqs,
		    v->req_fd >= 0 ? "the request IRQ" : v->uevent_fd >= 0 ? "uevents" :
		    "polling the driver link");
	v->be.dma_mask = UINT64_MAX;	/* as a new struct device: the driver narrows it */
	*out = &v->be;
	v = NULL;
	return 0;
}

uint32_t gp_vfio_device_flags(const struct gp_backend *be)
{
	assert(be && be->ops == &gp_vfio_ops);
	return gp_vfio_from_backend((struct gp_backend *)be)->device_flags;
}

/* --- register access --------------------------------------------------- */

static struct gp_vfio_region *gp_vfio_region_check(struct gp_vfio *v, unsigned int region,
						   uint64_t offset, unsigned int width)
{
	struct gp_vfio_region *r;

	assert(region < v->be.num_regions);
	r = &v->region[region];
	assert(r->size > 0);
	assert(offset % 4 == 0);
	assert(offset <= r->size && width <= r->size - offset);
	(void)width;
	return r;
}

/* A failed pread/pwrite reads as all-ones, like a master abort; said once per binding. */
static void gp_vfio_io_error(struct gp_vfio *v, const struct gp_vfio_region *r, uint64_t offset,
			     const char *what, int error)
{
	if (!atomic_exchange(&v->io_error_logged, true))
		gp_log_errno(LOG_WARNING, error, "%s: %s of %s+0x%" PRIx64 " failed (further "
			     "failures are not logged)", v->cfg.device, what, r->name, offset);
}

static void gp_vfio_region_pread(struct gp_vfio *v, struct gp_vfio_region *r, uint64_t offset,
				 void *buf, size_t len)
{
	ssize_t n = v->sys->pread(v->device_fd, buf, len, (off_t)(r->offset + offset));

	if (n != (ssize_t)len) {
		gp_vfio_io_error(v, r, offset, "read", n < 0 ? errno : EIO);
		memset(buf, 0xff, len);
	}
}

static void gp_vfio_region_pwrite(struct gp_vfio *v, struct gp_vfio_region *r, uint64_t offset,
				  const void *buf, size_t len)
{
	ssize_t n = v->sys->pwrite(v->device_fd, buf, len, (off_t)(r->offset + offset));

	if (n != (ssize_t)len)
		gp_vfio_io_error(v, r, offset, "write", n < 0 ? errno : EIO);
}

/*
 * Mapped registers are reached with one volatile load or store of the
 * access's width: the compiler may neither split, merge nor elide it, and
 * never uses memcpy()-style or paired instructions that device memory
 * would fault on (arm64).  Ordering among MMIO accesses comes from the
 * device memory type the kernel maps them with.
 */
static uint32_t gp_vfio_read32(struct gp_backend *be, unsigned int region, uint64_t offset)
{
	struct gp_vfio *v = gp_vfio_from_backend(be);
	struct gp_vfio_region *r = gp_vfio_region_check(v, region, offset, 4);
	uint32_t value;

	if (r->map)
		return le32toh(*(volatile uint32_t *)((char *)r->map + offset));
	gp_vfio_region_pread(v, r, offset, &value, sizeof(value));
	return le32toh(value);
}

static void gp_vfio_write32(struct gp_backend *be, unsigned int region, uint64_t offset,
			    uint32_t value)
{
	struct gp_vfio *v = gp_vfio_from_backend(be);
	struct gp_vfio_region *r = gp_vfio_region_check(v, region, offset, 4);

	value = htole32(value);
	if (r->map)
		*(volatile uint32_t *)((char *)r->map + offset) = value;
	else
		gp_vfio_region_pwrite(v, r, offset, &value, sizeof(value));
}

/*
 * 64-bit registers: at an 8-byte aligned offset one 64-bit access (a
 * single ldr/str x on arm64, where Mali's 64-bit registers are meant to
 * be read that way); at an offset that is only 4-byte aligned two 32-bit
 * accesses, low address first, which is not atomic.  Through pread the
 * bus driver decides: vfio-platform splits 8 bytes into 32-bit accesses.
 */
static uint64_t gp_vfio_read64(struct gp_backend *be, unsigned int region, uint64_t offset)
{
	struct gp_vfio *v = gp_vfio_from_backend(be);
	struct gp_vfio_region *r = gp_vfio_region_check(v, region, offset, 8);
	uint64_t value;

	if (r->map && offset % 8 == 0)
		return le64toh(*(volatile uint64_t *)((char *)r->map + offset));
	if (r->map) {
		uint64_t lo = gp_vfio_read32(be, region, offset);
		uint64_t hi = gp_vfio_read32(be, region, offset + 4);

		return hi << 32 | lo;
	}
	gp_vfio_region_pread(v, r, offset, &value, sizeof(value));
	return le64toh(value);
}

static void gp_vfio_write64(struct gp_backend *be, unsigned int region, uint64_t offset,
			    uint64_t value)
{
	struct gp_vfio *v = gp_vfio_from_backend(be);
	struct gp_vfio_region *r = gp_vfio_region_check(v, region, offset, 8);
	uint64_t le = htole64(value);

	if (r->map && offset % 8 == 0) {
		*(volatile uint64_t *)((char *)r->map + offset) = le;
	} else if (r->map) {
		gp_vfio_write32(be, region, offset, (uint32_t)value);
		gp_vfio_write32(be, region, offset + 4, (uint32_t)(value >> 32));
	} else {
		gp_vfio_region_pwrite(v, r, offset, &le, sizeof(le));
	}
}

/*
 * Level-triggered lines (vfio-platform's level IRQs, PCI INTx) are masked
 * by the kernel when they fire (VFIO_IRQ_INFO_AUTOMASKED) and stay masked
 * until unmasked here; edge lines and MSI need nothing.
 */
static int gp_vfio_irq_unmask(struct gp_backend *be, unsigned int line)
{
	struct gp_vfio *v = gp_vfio_from_backend(be);
	struct gp_vfio_irq *irq;
	int r;

	assert(line < v->be.num_irqs);
	irq = &v->irq[line];
	if (!(irq->flags & VFIO_IRQ_INFO_AUTOMASKED))
		return 0;
	r = gp_vfio_set_irqs_none(v, irq->index, VFIO_IRQ_SET_ACTION_UNMASK, 1);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "%s: VFIO_DEVICE_SET_IRQS(index %u, unmask)",
				    v->cfg.device, irq->index);
	return 0;
}

/* --- DMA ---------------------------------------------------------------- */

static struct gp_vfio_dma *gp_vfio_dma_from_mapping(struct gp_dma_mapping *map)
{
	return (struct gp_vfio_dma *)((char *)map - offsetof(struct gp_vfio_dma, map));
}

/*
 * An IOVA for @size bytes: the first window, lowest address first, whose
 * range below the DMA mask has a hole.  Called with dma_lock held.
 */
static int gp_vfio_iova_alloc(struct gp_vfio *v, uint64_t size, struct gp_vfio_dma *d)
{
	for (unsigned int i = 0; i < v->num_iova_windows; i++) {
		struct gp_vfio_iova_window *w = &v->iova_window[i];
		uint64_t limit = w->last < v->be.dma_mask ? w->last : v->be.dma_mask;
		int r;

		if (w->dom.start > limit)
			continue;
		r = gp_iova_alloc(&w->dom, size, limit, &d->seg.addr);
		if (r == -ENOSPC)
			continue;
		if (r < 0)
			return r;
		d->window = w;
		return 0;
	}
	return -ENOSPC;
}

static unsigned int gp_vfio_dma_flags(unsigned int dir)
{
	/* As the IOMMU sees it: TO_DEVICE is a device read of our memory. */
	switch (dir) {
	case GP_DMA_TO_DEVICE:
		return VFIO_DMA_MAP_FLAG_READ;
	case GP_DMA_FROM_DEVICE:
		return VFIO_DMA_MAP_FLAG_WRITE;
	default:
		return VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	}
}

static int gp_vfio_dma_map_iommu(struct gp_vfio *v, struct gp_vfio_dma *d)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = gp_vfio_dma_flags(d->map.dir),
		.vaddr = (uintptr_t)d->map.vaddr,
		.size = d->map.size,
	};
	int r;

	pthread_mutex_lock(&v->dma_lock);
	r = gp_vfio_iova_alloc(v, d->map.size, d);
	pthread_mutex_unlock(&v->dma_lock);
	if (r == -ENOSPC)
		return gp_log_errno(LOG_WARNING, ENOSPC, "%s: no IOVA space left for %zu bytes under "
				    "the DMA mask 0x%" PRIx64, v->cfg.device, d->map.size,
				    v->be.dma_mask);
	if (r < 0)
		return gp_vfio_err(v, r, "IOVA allocation");

	/* Pins the pages: may take long for a big buffer, so outside the lock. */
	m.iova = d->seg.addr;
	if (v->sys->ioctl(v->container_fd, VFIO_IOMMU_MAP_DMA, &m) < 0) {
		r = -errno;
		pthread_mutex_lock(&v->dma_lock);
		(void)gp_iova_free(&d->window->dom, d->seg.addr);
		pthread_mutex_unlock(&v->dma_lock);
		return gp_log_errno(LOG_ERR, r, "%s: VFIO_IOMMU_MAP_DMA of %zu bytes at IOVA "
				    "0x%" PRIx64 "%s", v->cfg.device, d->map.size, d->seg.addr,
				    r == -ENOSPC ? " (the kernel's dma_entry_limit is reached)" :
				    r == -ENOMEM ? " (RLIMIT_MEMLOCK? raise LimitMEMLOCK= of the unit)" :
				    "");
	}
	d->seg.len = d->map.size;
	d->map.segments = &d->seg;
	d->map.num_segments = 1;
	return 0;
}

static void gp_vfio_dma_unmap_iommu(struct gp_vfio *v, struct gp_vfio_dma *d)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.iova = d->seg.addr,
		.size = d->seg.len,
	};

	int r = 0;

	if (v->sys->ioctl(v->container_fd, VFIO_IOMMU_UNMAP_DMA, &u) < 0)
		r = errno;
	else if (u.size != d->seg.len)
		r = EIO;
	if (r) {
		/* The IOMMU may still translate it: never hand that IOVA out again. */
		gp_log_errno(LOG_ERR, r, "%s: VFIO_IOMMU_UNMAP_DMA of IOVA 0x%" PRIx64
			     " (%" PRIu64 " bytes) failed (%" PRIu64 " unmapped); the IOVA stays "
			     "reserved", v->cfg.device, d->seg.addr, d->seg.len, (uint64_t)u.size);
		return;
	}
	pthread_mutex_lock(&v->dma_lock);
	(void)gp_iova_free(&d->window->dom, d->seg.addr);
	pthread_mutex_unlock(&v->dma_lock);
}

/*
 * No-IOMMU (EXPERIMENTAL): the device is given physical addresses.  The
 * pages are locked (mlock: resident, never swapped) and their frame
 * numbers read from pagemap.  What this does NOT guarantee: the kernel may
 * still migrate a locked page (compaction, NUMA balancing, THP splitting
 * and collapse), after which the device writes to a frame that belongs to
 * someone else.  docs/deploy-rk3588.md says what would be needed.
 */
static int gp_vfio_dma_read_pagemap(struct gp_vfio *v, struct gp_vfio_dma *d)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t npages = d->map.size / page, done = 0;
	uint64_t first = (uintptr_t)d->map.vaddr / page;
	uint64_t entries[GP_PAGEMAP_BATCH];
	unsigned int cap = 0;
	int fd, r = 0;

	fd = v->sys->open(v->pagemap, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gp_vfio_err(v, errno, "open %s (no-IOMMU DMA)", v->pagemap);

	while (done < npages) {
		uint64_t n = npages - done < GP_PAGEMAP_BATCH ? npages - done : GP_PAGEMAP_BATCH;
		ssize_t got = v->sys->pread(fd, entries, n * sizeof(entries[0]),
					    (off_t)((first + done) * sizeof(entries[0])));

		if (got != (ssize_t)(n * sizeof(entries[0]))) {
			r = gp_vfio_err(v, got < 0 ? errno : EIO, "read of %s", v->pagemap);
			goto out;
		}
		for (uint64_t i = 0; i < n; i++) {
			uint64_t pfn = entries[i] & GP_PAGEMAP_PFN_MASK;
			uint64_t addr = pfn * page;
			struct gp_dma_segment *last = d->map.num_segments ?
				&d->segs[d->map.num_segments - 1] : NULL;

			if (!(entries[i] & GP_PAGEMAP_PRESENT)) {
				r = gp_vfio_err(v, EFAULT, "page %" PRIu64 " of a locked buffer is "
						"not present", done + i);
				goto out;
			}
			if (!pfn) {
				/* Since Linux 4.2 the PFN field reads 0 without CAP_SYS_ADMIN. */
				r = gp_vfio_err(v, EPERM, "%s shows no page frame numbers: no-IOMMU "
						"DMA needs CAP_SYS_ADMIN to learn physical addresses",
						v->pagemap);
				goto out;
			}
			if (pfn > UINT64_MAX / page || addr + (page - 1) > v->be.dma_mask) {
				r = gp_log_errno(LOG_WARNING, ERANGE, "%s: page at physical 0x%"
						 PRIx64 " is above the DMA mask 0x%" PRIx64
						 " (no bounce buffers here)", v->cfg.device, addr,
						 v->be.dma_mask);
				goto out;
			}
			if (last && last->addr + last->len == addr) {
				last->len += page;
				continue;
			}
			if (d->map.num_segments == cap) {
				unsigned int ncap = cap ? cap * 2 : 4;
				struct gp_dma_segment *segs = reallocarray(d->segs, ncap,
									  sizeof(*segs));

				if (!segs) {
					r = gp_vfio_err(v, ENOMEM, "DMA segment list");
					goto out;
				}
				d->segs = segs;
				cap = ncap;
			}
			d->segs[d->map.num_segments++] = (struct gp_dma_segment){ addr, page };
		}
		done += n;
	}
	d->map.segments = d->segs;
out:
	(void)gp_vfio_close_fd(v->sys, &fd);
	return r;
}

static int gp_vfio_dma_map_noiommu(struct gp_vfio *v, struct gp_vfio_dma *d)
{
	int r;

	if (v->sys->mlock(d->map.vaddr, d->map.size) < 0) {
		r = errno;
		return gp_vfio_err(v, r, "mlock of %zu bytes for no-IOMMU DMA%s", d->map.size,
				   r == ENOMEM || r == EPERM ?
				   " (RLIMIT_MEMLOCK: raise LimitMEMLOCK= of the unit)" : "");
	}
	r = gp_vfio_dma_read_pagemap(v, d);
	if (r < 0) {
		(void)v->sys->munlock(d->map.vaddr, d->map.size);
		free(d->segs);
		d->segs = NULL;
		d->map.num_segments = 0;
	}
	return r;
}

static int gp_vfio_dma_map(struct gp_backend *be, void *vaddr, size_t size, unsigned int dir,
			   struct gp_dma_mapping **out)
{
	struct gp_vfio *v = gp_vfio_from_backend(be);
	struct gp_vfio_dma *d;
	int r;

	assert(out);
	*out = NULL;
	if (!size || (uintptr_t)vaddr % v->dma_granule || size % v->dma_granule ||
	    (uintptr_t)vaddr > UINTPTR_MAX - size || dir > GP_DMA_FROM_DEVICE)
		return -EINVAL;

	/*
	 * A PCI device masters the bus for DMA, as pci_set_master() in a
	 * kernel driver's probe; with INTx nothing has set it yet.  Under the
	 * DMA lock only so two first maps do not both write the register.
	 */
	if (v->cfg.bus == GP_BUS_PCI) {
		pthread_mutex_lock(&v->dma_lock);
		r = v->bus_master ? 0 : gp_vfio_pci_enable_bus_master(v);
		if (r == 0)
			v->bus_master = true;
		pthread_mutex_unlock(&v->dma_lock);
		if (r < 0)
			return r;
	}

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->map.vaddr = vaddr;
	d->map.size = size;
	d->map.dir = dir;
	r = v->noiommu ? gp_vfio_dma_map_noiommu(v, d) : gp_vfio_dma_map_iommu(v, d);
	if (r < 0) {
		free(d);
		return r;
	}

	pthread_mutex_lock(&v->dma_lock);
	cds_list_add_tail(&d->link, &v->dma_maps);
	v->num_dma_maps++;
	pthread_mutex_unlock(&v->dma_lock);
	*out = &d->map;
	return 0;
}

/* Unmap and unpin @d, which is off the list already, and free it. */
static void gp_vfio_dma_destroy(struct gp_vfio *v, struct gp_vfio_dma *d)
{
	if (v->noiommu) {
		if (v->sys->munlock(d->map.vaddr, d->map.size) < 0)
			gp_vfio_err(v, errno, "munlock of a no-IOMMU DMA buffer");
		free(d->segs);
	} else {
		gp_vfio_dma_unmap_iommu(v, d);
	}
	free(d);
}

static void gp_vfio_dma_unmap(struct gp_backend *be, struct gp_dma_mapping *map)
{
	struct gp_vfio *v = gp_vfio_from_backend(be);
	struct gp_vfio_dma *d = gp_vfio_dma_from_mapping(map);

	pthread_mutex_lock(&v->dma_lock);
	cds_list_del(&d->link);
	v->num_dma_maps--;
	pthread_mutex_unlock(&v->dma_lock);
	gp_vfio_dma_destroy(v, d);
}

/*
 * Release with mappings still live: the driver forgot to unmap (it must
 * quiesce the device and unmap in its release), so say so; then unmap
 * anyway, while the container fd still exists, so that the unbind leaves
 * no IOVA mapped and no page pinned.  No other thread can reach the
 * binding any more: no lock.
 */
static void gp_vfio_dma_unmap_leftovers(struct gp_vfio *v)
{
	struct gp_vfio_dma *d, *tmp;

	if (!v->num_dma_maps)
		return;
	gp_log_error("%s: driver bug: %u DMA mapping(s) still live at release; unmapping them "
		     "before the fds close", v->cfg.device, v->num_dma_maps);
	cds_list_for_each_entry_safe(d, tmp, &v->dma_maps, link) {
		cds_list_del(&d->link);
		v->num_dma_maps--;
		gp_vfio_dma_destroy(v, d);
	}
}

static void gp_vfio_release(struct gp_backend *be)
{
	struct gp_vfio *v = gp_vfio_from_backend(be);

	gp_log_debug("%s %s: released", gp_vfio_driver_name(v->cfg.bus), v->cfg.device);
	gp_vfio_free(v);
}

static const struct gp_backend_ops gp_vfio_ops = {
	.read32 = gp_vfio_read32,
	.write32 = gp_vfio_write32,
	.read64 = gp_vfio_read64,
	.write64 = gp_vfio_write64,
	.irq_unmask = gp_vfio_irq_unmask,
	.dma_map = gp_vfio_dma_map,
	.dma_unmap = gp_vfio_dma_unmap,
	.release = gp_vfio_release,
};

/* --- removal ----------------------------------------------------------- */

/* Drain the uevent socket; true if any datagram announced our removal. */
static bool gp_vfio_drain_uevents(struct gp_vfio *v)
{
	char buf[GP_VFIO_UEVENT_BUF];
	bool removal = false;

	for (unsigned int i = 0; i < GP_VFIO_UEVENT_BATCH; i++) {
		struct gp_uevent ev;
		ssize_t n;

		n = v->sys->recv(v->uevent_fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOBUFS) {
				/* The kernel dropped uevents: sysfs, checked next, still knows. */
				gp_log_debug("%s: uevents were lost (ENOBUFS)", v->cfg.device);
				continue;
			}
			gp_log_errno(LOG_WARNING, errno, "%s: recv on the uevent socket",
				     v->cfg.device);
			break;
		}
		if (gp_uevent_parse(buf, (size_t)n, &ev) < 0)
			continue;
		if (gp_uevent_is_removal(&ev, v->cfg.device)) {
			gp_log_info("%s: uevent %s %s", v->cfg.device, ev.action, ev.devpath);
			removal = true;
		}
	}
	return removal;
}

bool gp_vfio_removal_pending(struct gp_backend *be)
{
	struct gp_vfio *v = gp_vfio_from_backend(be);
	bool removal = false;
	int state;

	assert(be->ops == &gp_vfio_ops);

	if (v->req_fd >= 0) {
		uint64_t count;

		/* Non-blocking: EAGAIN means the request IRQ has not fired. */
		if (read(v->req_fd, &count, sizeof(count)) == (ssize_t)sizeof(count) && count) {
			gp_log_info("%s: vfio-pci requests the device back", v->cfg.device);
			removal = true;
		}
	}
	if (v->uevent_fd >= 0 && gp_vfio_drain_uevents(v))
		removal = true;

	/*
	 * The driver link goes before the driver's remove() runs
	 * (__device_release_driver()), so an unbind in progress shows here
	 * whatever the uevents said or lost.  Unknown (-errno) is not gone.
	 */
	state = gp_vfio_driver_state(&v->cfg, v->sys, v->sysfs_root);
	if (state == 0) {
		gp_log_info("%s: no longer bound to a vfio driver", v->cfg.device);
		removal = true;
	}
	return removal;
}
