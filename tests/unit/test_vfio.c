// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VFIO backend, specified against a fake VFIO kernel (tests/lib/
 * fake_vfio.c): how it opens a device through its group, what it maps and
 * assigns, that every failure unwinds and release leaves nothing behind,
 * its register accessors, and how it tells a removal from other uevents.
 *
 * No test here touches real hardware; the vfio-pci path runs for real in
 * the VM tier (QEMU's edu device), the vfio-platform path nowhere yet.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/fake_vfio.h"
#include "backend.h"
#include "log.h"
#include "drivers.h"
#include "registration.h"
#include "vfio.h"
#include "check_run.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIB		(1024u * 1024u)

/* --- helpers ----------------------------------------------------------- */

static unsigned int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;	/* includes ".", ".." and the directory's own fd: compare, don't interpret */
}

/* stderr, where gp_log writes, captured into a buffer. */
struct log_capture {
	int saved;
	FILE *tmp;
};

static void log_capture_start(struct log_capture *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	ck_assert_ptr_nonnull(c->tmp);
	c->saved = dup(STDERR_FILENO);
	ck_assert_int_ge(c->saved, 0);
	ck_assert_int_ge(dup2(fileno(c->tmp), STDERR_FILENO), 0);
}

static void log_capture_end(struct log_capture *c, char *buf, size_t size)
{
	size_t n;

	fflush(stderr);
	ck_assert_int_ge(dup2(c->saved, STDERR_FILENO), 0);
	close(c->saved);
	rewind(c->tmp);
	n = fread(buf, 1, size - 1, c->tmp);
	buf[n] = '\0';
	fclose(c->tmp);
	/* Echo it, so a failing test shows what the backend said. */
	fputs(buf, stderr);
}

static struct gp_backend *open_ok(struct fake_vfio *f)
{
	struct gp_vfio_config cfg;
	struct gp_backend *be = NULL;

	fake_vfio_config(f, &cfg);
	ck_assert_int_eq(gp_vfio_open(&cfg, &be), 0);
	ck_assert_ptr_nonnull(be);
	return be;
}

/* An open expected to fail: its return value, the log in @log, and no leak. */
static int open_fails(struct fake_vfio *f, char *log, size_t loglen)
{
	struct gp_vfio_config cfg;
	struct gp_backend *be = (struct gp_backend *)&cfg;	/* must be cleared */
	struct log_capture cap;
	unsigned int fds, maps = f->live_maps;
	int r;

	fake_vfio_config(f, &cfg);
	fds = count_fds();
	log_capture_start(&cap);
	r = gp_vfio_open(&cfg, &be);
	log_capture_end(&cap, log, loglen);
	ck_assert_int_lt(r, 0);
	ck_assert_ptr_null(be);
	ck_assert_uint_eq(count_fds(), fds);
	ck_assert_uint_eq(f->live_maps, maps);
	return r;
}

static bool fd_has(int fd, int getcmd, int flag)
{
	int v = fcntl(fd, getcmd);

	ck_assert_int_ge(v, 0);
	return v & flag;
}

static bool fd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* Where the fixture files are: $GP_TEST_FIXTURES, or found from this source file. */
static const char *fixture_dir(void)
{
	static char dir[PATH_MAX];
	char src[PATH_MAX], exe[PATH_MAX];
	const char *env = getenv("GP_TEST_FIXTURES");
	ssize_t n;

	if (env)
		return env;
	if (dir[0])
		return dir;
	/* __FILE__ is absolute, or relative to the build root the test usually runs in... */
	snprintf(src, sizeof(src), "%s", __FILE__);
	snprintf(dir, sizeof(dir), "%s/fixtures/uevent", dirname(src));
	if (access(dir, R_OK) == 0)
		return dir;
	/* ...or to the build root, which is the parent of this executable's directory. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	snprintf(src, sizeof(src), "%s", __FILE__);
	snprintf(dir, sizeof(dir), "%s/../%s/fixtures/uevent", dirname(exe), dirname(src));
	ck_assert_msg(access(dir, R_OK) == 0, "uevent fixtures not found; set GP_TEST_FIXTURES");
	return dir;
}

static size_t load_fixture(const char *name, char *buf, size_t size)
{
	char path[PATH_MAX + 64];
	FILE *fp;
	size_t n;

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", fixture_dir(), name),
			 (int)sizeof(path));
	fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, size, fp);
	ck_assert(feof(fp));
	fclose(fp);
	return n;
}

static void send_fixture(struct fake_vfio *f, const char *name)
{
	char buf[4096];
	size_t n = load_fixture(name, buf, sizeof(buf));

	ck_assert_int_eq(fake_vfio_send_uevent(f, buf, n), 0);
}

/* --- gp_vfio_parse_backend() ------------------------------------------- */

START_TEST(test_parse_platform)
{
	struct gp_vfio_config cfg = { 0 };
	const char *spec = "vfio-platform:fb000000.gpu";
	char err[256] = "";

	ck_assert_int_eq(gp_vfio_parse_backend(spec, &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.bus, GP_BUS_PLATFORM);
	ck_assert_str_eq(cfg.device, "fb000000.gpu");
	ck_assert_ptr_eq(cfg.device, spec + strlen("vfio-platform:"));
}
END_TEST

START_TEST(test_parse_amba)
{
	struct gp_vfio_config cfg = { 0 };
	char err[256] = "";

	ck_assert_int_eq(gp_vfio_parse_backend("vfio-amba:9010000.pl031", &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.bus, GP_BUS_AMBA);
	ck_assert_str_eq(cfg.device, "9010000.pl031");
}
END_TEST

START_TEST(test_parse_pci_full_address)
{
	struct gp_vfio_config cfg = { 0 };
	char err[256] = "";

	ck_assert_int_eq(gp_vfio_parse_backend("vfio-pci:0000:00:03.0", &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.bus, GP_BUS_PCI);
	ck_assert_str_eq(cfg.device, "0000:00:03.0");
	/* Domains beyond 0xffff (VMD) print with more digits. */
	ck_assert_int_eq(gp_vfio_parse_backend("vfio-pci:10000:e1:1f.7", &cfg, err, sizeof(err)), 0);
}
END_TEST

/* The lspci short form is refused, not guessed: sysfs and VFIO names carry the domain. */
START_TEST(test_parse_pci_short_address_asks_for_domain)
{
	struct gp_vfio_config cfg = { 0 };
	char err[256] = "";

	ck_assert_int_eq(gp_vfio_parse_backend("vfio-pci:00:03.0", &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "0000:00:03.0"));
}
END_TEST

START_TEST(test_parse_rejects_bad_specs)
{
	static const char *const bad[] = {
		"mock", "vfio", "vfio-usb:1-1", "vfio-platform", "vfio-platform:",
		"vfio-platform:..", "vfio-platform:.", "vfio-platform:../../etc",
		"vfio-platform:a/b", "vfio-platform:fb000000 gpu",
		"vfio-platform:0123456789012345678901234567890123456789012345678901234567890123",
		"vfio-pci:", "vfio-pci:0000:00:03", "vfio-pci:0000:00:20.0", "vfio-pci:0000:00:03.8",
		"vfio-pci:0000:00:0A.0", "vfio-pci:000:00:03.0", "vfio-pci:0000-00:03.0",
		"vfio-pci:0000:00:03.0x", "vfio-pci:0000:g0:03.0",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct gp_vfio_config cfg = { .device = "untouched" };
		char err[256] = "";

		ck_assert_msg(gp_vfio_parse_backend(bad[i], &cfg, err, sizeof(err)) == -EINVAL,
			      "accepted '%s'", bad[i]);
		ck_assert_msg(err[0], "no message for '%s'", bad[i]);
		ck_assert_str_eq(cfg.device, "untouched");
	}
}
END_TEST

/* --- opening ----------------------------------------------------------- */

START_TEST(test_open_platform_maps_region_and_assigns_irqs)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_ok(f);

	ck_assert_int_eq(be->bus, GP_BUS_PLATFORM);
	ck_assert_str_eq(be->bus_id, "fb000000.gpu");
	ck_assert_uint_eq(gp_vfio_device_flags(be),
			  VFIO_DEVICE_FLAGS_PLATFORM | VFIO_DEVICE_FLAGS_RESET);

	/* Type1v2 container, group attached, device fd close-on-exec. */
	ck_assert(f->group_in_container);
	ck_assert_uint_eq(f->iommu_type, VFIO_TYPE1v2_IOMMU);
	ck_assert_int_ge(f->device_fd, 0);
	ck_assert(fd_has(f->device_fd, F_GETFD, FD_CLOEXEC));
	ck_assert(fd_has(f->container_fd, F_GETFD, FD_CLOEXEC));
	ck_assert(fd_has(f->group_fd, F_GETFD, FD_CLOEXEC));

	/* The 2 MiB register region, mapped and kept from children. */
	ck_assert_uint_eq(be->num_regions, 1);
	ck_assert_uint_eq(be->regions[0].size, 2 * MIB);
	ck_assert_str_eq(be->regions[0].name, "mem0");
	ck_assert_uint_eq(f->live_maps, 1);
	ck_assert_ptr_nonnull(fake_vfio_mapping(f, 0));
	ck_assert_uint_eq(f->madvise_dontfork, 1);

	/* job, mmu, gpu: line i is VFIO IRQ index i, each with its own eventfd. */
	ck_assert_uint_eq(be->num_irqs, FAKE_MALI_NUM_IRQS);
	for (unsigned int i = 0; i < FAKE_MALI_NUM_IRQS; i++) {
		int fd = gp_backend_irq_fd(be, i);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(f->irq[i].fd, fd);
		ck_assert_uint_eq(f->irq[i].assigns, 1);
		ck_assert(fd_has(fd, F_GETFD, FD_CLOEXEC));
		ck_assert(fd_has(fd, F_GETFL, O_NONBLOCK));
	}
	ck_assert_int_eq(gp_backend_irq_fd(be, FAKE_MALI_NUM_IRQS), -1);

	/* vfio-platform has no request IRQ: the removal fd is the uevent socket. */
	ck_assert_int_ge(be->removal_fd, 0);
	ck_assert_int_eq(be->removal_fd, f->uevent_fd);

	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_open_pci_maps_bar0_and_watches_request_irq)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);

	ck_assert_int_eq(be->bus, GP_BUS_PCI);
	ck_assert_str_eq(be->bus_id, "0000:00:03.0");

	/* BAR0..BAR5 only; region i is BAR i, absent BARs have size 0 and no mapping. */
	ck_assert_uint_eq(be->num_regions, 6);
	ck_assert_uint_eq(be->regions[0].size, 1 * MIB);
	ck_assert_str_eq(be->regions[0].name, "BAR0");
	for (unsigned int i = 1; i < 6; i++)
		ck_assert_uint_eq(be->regions[i].size, 0);
	ck_assert_uint_eq(f->live_maps, 1);
	ck_assert_ptr_nonnull(fake_vfio_mapping(f, 0));

	/* One line: MSI vector 0, preferred to INTx, with bus mastering on so it is sent. */
	ck_assert_uint_eq(be->num_irqs, 1);
	ck_assert_int_eq(f->irq[VFIO_PCI_MSI_IRQ_INDEX].fd, gp_backend_irq_fd(be, 0));
	ck_assert_int_eq(f->irq[VFIO_PCI_INTX_IRQ_INDEX].fd, -1);
	ck_assert(f->region[VFIO_PCI_CONFIG_REGION_INDEX].backing[PCI_COMMAND] &
		  PCI_COMMAND_MASTER);

	/* The request IRQ's eventfd is the removal fd. */
	ck_assert_int_ge(be->removal_fd, 0);
	ck_assert_int_eq(be->removal_fd, f->irq[VFIO_PCI_REQ_IRQ_INDEX].fd);
	ck_assert_int_eq(f->uevent_fd, -1);

	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_open_pci_without_msi_uses_intx)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be;

	f->irq[VFIO_PCI_MSI_IRQ_INDEX].count = 0;
	be = open_ok(f);
	ck_assert_uint_eq(be->num_irqs, 1);
	ck_assert_int_eq(f->irq[VFIO_PCI_INTX_IRQ_INDEX].fd, gp_backend_irq_fd(be, 0));
	/* INTx is not a DMA write: the command register is left alone. */
	ck_assert(!(f->region[VFIO_PCI_CONFIG_REGION_INDEX].backing[PCI_COMMAND] &
		    PCI_COMMAND_MASTER));
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

/* Without a request IRQ (older kernels, other bus drivers) uevents stand in. */
START_TEST(test_open_pci_without_request_irq_watches_uevents)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be;

	f->irq[VFIO_PCI_REQ_IRQ_INDEX].count = 0;
	be = open_ok(f);
	ck_assert_int_ge(f->uevent_fd, 0);
	ck_assert_int_eq(be->removal_fd, f->uevent_fd);
	send_fixture(f, "pci-vfio-dev-remove.uevent");
	ck_assert(gp_vfio_removal_pending(be));
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

/* RK3588's Mali: no IOMMU group of its own, VFIO's no-IOMMU group and container. */
START_TEST(test_open_noiommu_group)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be;

	fake_vfio_set_noiommu(f, true);	/* /dev/vfio/7 no longer exists, noiommu-7 does */
	be = open_ok(f);
	ck_assert_int_ge(f->group_fd, 0);
	ck_assert_uint_eq(f->iommu_type, VFIO_NOIOMMU_IOMMU);
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_open_noiommu_group_without_noiommu_mode)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	char log[4096];

	fake_vfio_set_noiommu(f, true);
	f->has_noiommu = false;
	ck_assert_int_eq(open_fails(f, log, sizeof(log)), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(log, "vfio.enable_unsafe_noiommu_mode=1"));
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_open_bus_mismatch)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	char log[4096];

	f->device_flags = VFIO_DEVICE_FLAGS_PCI;
	ck_assert_int_eq(open_fails(f, log, sizeof(log)), -ENODEV);
	ck_assert_ptr_nonnull(strstr(log, "fb000000.gpu is a PCI device, not a platform device"));
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_open_amba_maps_window_and_assigns_automasked_irq)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_AMBA);
	struct gp_backend *be = open_ok(f);

	ck_assert_int_eq(be->bus, GP_BUS_AMBA);
	ck_assert_str_eq(be->bus_id, "9010000.pl031");
	ck_assert_uint_eq(gp_vfio_device_flags(be), VFIO_DEVICE_FLAGS_AMBA);
	ck_assert_uint_eq(be->num_regions, 1);
	ck_assert_uint_eq(be->regions[0].size, 0x1000);
	ck_assert_uint_eq(f->live_maps, 1);
	ck_assert_uint_eq(be->num_irqs, 1);
	ck_assert_uint_eq(f->irq[0].assigns, 1);
	/* Level line: the kernel masked it when it fired; unmask re-arms it. */
	ck_assert_int_eq(fake_vfio_fire_irq(f, 0), 0);
	ck_assert(fd_readable(gp_backend_irq_fd(be, 0)));
	ck_assert_int_eq(gp_backend_irq_unmask(be, 0), 0);
	ck_assert_uint_eq(f->irq[0].unmasks, 1);
	/* No request IRQ on AMBA either: uevents, as for platform devices. */
	ck_assert_int_eq(be->removal_fd, f->uevent_fd);
	gp_backend_release(&be);
	ck_assert_uint_eq(f->live_maps, 0);
	ck_assert_uint_eq(f->order_violations, 0);
	fake_vfio_free(f);
}
END_TEST

/* vfio-amba:NAME looks under /sys/bus/amba: a platform device of that name is not it. */
START_TEST(test_open_amba_refuses_a_platform_device)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_AMBA);
	char log[4096];

	f->device_flags = VFIO_DEVICE_FLAGS_PLATFORM;
	ck_assert_int_eq(open_fails(f, log, sizeof(log)), -ENODEV);
	ck_assert_ptr_nonnull(strstr(log, "9010000.pl031 is a platform device, not an AMBA device"));
	fake_vfio_free(f);
}
END_TEST

/*
 * A platform region smaller than a page (an empty virtio-mmio transport's
 * 0x200 bytes): VFIO does not offer mmap, so it is not mapped and every
 * access is a pread/pwrite at the region's offset.
 */
START_TEST(test_open_platform_small_region_is_not_mapped)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be;

	f->region[0].size = 0x200;
	f->region[0].flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	be = open_ok(f);
	ck_assert_uint_eq(be->regions[0].size, 0x200);
	ck_assert_uint_eq(f->live_maps, 0);
	ck_assert_ptr_null(fake_vfio_mapping(f, 0));
	gp_backend_write32(be, 0, 0x70, 0x1);
	ck_assert_uint_eq(f->last_pwrite_len, 4);
	ck_assert_uint_eq(gp_backend_read32(be, 0, 0x70), 0x1);
	ck_assert_uint_eq(f->last_pread_len, 4);
	gp_backend_release(&be);
	ck_assert_uint_eq(f->order_violations, 0);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_open_non_viable_group)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	char log[4096], want[PATH_MAX + 128];

	f->viable = false;
	ck_assert_int_eq(open_fails(f, log, sizeof(log)), -EBUSY);
	snprintf(want, sizeof(want),
		 "group 7 is not viable: bind every device in %s/kernel/iommu_groups/7/devices",
		 f->sysfs);
	ck_assert_ptr_nonnull(strstr(log, want));
	ck_assert(!f->group_in_container);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_open_without_group_bound_to_vfio_suggests_noiommu)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	char log[4096];

	fake_vfio_remove_iommu_group(f);
	ck_assert_int_eq(open_fails(f, log, sizeof(log)), -ENODEV);
	ck_assert_ptr_nonnull(strstr(log, "no IOMMU group"));
	ck_assert_ptr_nonnull(strstr(log, "vfio.enable_unsafe_noiommu_mode=1"));
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_open_without_group_bound_elsewhere_says_so)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	char log[4096];

	fake_vfio_remove_iommu_group(f);
	fake_vfio_set_driver(f, "panthor");
	ck_assert_int_eq(open_fails(f, log, sizeof(log)), -ENODEV);
	ck_assert_ptr_nonnull(strstr(log, "bound to panthor, not to vfio-platform"));
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_open_unknown_device)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	char log[4096];

	fake_vfio_remove_device(f);
	ck_assert_int_eq(open_fails(f, log, sizeof(log)), -ENODEV);
	ck_assert_ptr_nonnull(strstr(log, "does not exist"));
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_open_api_version_mismatch)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	char log[4096];

	f->api_version = VFIO_API_VERSION + 1;
	ck_assert_int_eq(open_fails(f, log, sizeof(log)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(log, "VFIO API version 1"));
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_open_without_type1v2)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	char log[4096];

	f->has_type1v2 = false;
	ck_assert_int_eq(open_fails(f, log, sizeof(log)), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(log, "Type1v2"));
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_open_group_busy)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);
	char log[4096];

	/* A second daemon on the same device: the group is exclusive. */
	ck_assert_int_eq(open_fails(f, log, sizeof(log)), -EBUSY);
	ck_assert_ptr_nonnull(strstr(log, "has the group open"));
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

/*
 * Fail each fallible call of a successful open in turn (fake's fail_call):
 * every one must make the open fail with that error and leave no fd, no
 * mapping, no assigned IRQ and no attached group behind.
 */
static void check_every_failure_unwinds(enum gp_bus_type bus, bool noiommu)
{
	struct fake_vfio *f = fake_vfio_new(bus);
	struct gp_vfio_config cfg;
	struct gp_backend *be = NULL;
	unsigned long total;
	unsigned int fds;

	if (noiommu)
		fake_vfio_set_noiommu(f, true);
	fake_vfio_config(f, &cfg);
	fds = count_fds();

	ck_assert_int_eq(gp_vfio_open(&cfg, &be), 0);
	total = f->calls;
	gp_backend_release(&be);
	ck_assert_uint_eq(count_fds(), fds);
	ck_assert_uint_gt(total, 10);

	gp_log_set_max_level(-1);
	for (unsigned long n = 1; n <= total; n++) {
		int r;

		f->calls = 0;
		f->fail_call = n;
		f->fail_errno = EIO;
		r = gp_vfio_open(&cfg, &be);
		ck_assert_msg(r == -EIO, "failing call %lu of %lu: open returned %d", n, total, r);
		ck_assert_ptr_null(be);
		ck_assert_msg(count_fds() == fds, "failing call %lu leaked an fd", n);
		ck_assert_msg(f->live_maps == 0, "failing call %lu leaked a mapping", n);
		ck_assert_msg(f->order_violations == 0, "failing call %lu: release order", n);
		for (unsigned int i = 0; i < f->num_irqs; i++)
			ck_assert_msg(f->irq[i].fd == -1, "failing call %lu left IRQ %u assigned", n,
				      i);
		ck_assert(!f->group_in_container);
		ck_assert_int_eq(f->container_fd, -1);
		ck_assert_int_eq(f->group_fd, -1);
		ck_assert_int_eq(f->device_fd, -1);
		ck_assert_int_eq(f->uevent_fd, -1);
	}
	gp_log_set_max_level(LOG_INFO);

	/* And the fake still opens afterwards: nothing was left half-claimed. */
	f->fail_call = 0;
	ck_assert_int_eq(gp_vfio_open(&cfg, &be), 0);
	gp_backend_release(&be);
	fake_vfio_free(f);
}

START_TEST(test_open_failure_at_each_step_unwinds_platform)
{
	check_every_failure_unwinds(GP_BUS_PLATFORM, false);
}
END_TEST

START_TEST(test_open_failure_at_each_step_unwinds_platform_noiommu)
{
	check_every_failure_unwinds(GP_BUS_PLATFORM, true);
}
END_TEST

START_TEST(test_open_failure_at_each_step_unwinds_pci)
{
	check_every_failure_unwinds(GP_BUS_PCI, false);
}
END_TEST

/* --- release ----------------------------------------------------------- */

static void check_release_leaves_nothing(enum gp_bus_type bus)
{
	struct fake_vfio *f = fake_vfio_new(bus);
	unsigned int fds = count_fds();
	struct gp_backend *be = open_ok(f);

	ck_assert_uint_gt(count_fds(), fds);
	gp_backend_release(&be);
	ck_assert_ptr_null(be);

	/* Each assigned index was disabled while its eventfd was still open. */
	for (unsigned int i = 0; i < f->num_irqs; i++) {
		ck_assert_int_eq(f->irq[i].fd, -1);
		ck_assert_uint_eq(f->irq[i].disables, f->irq[i].assigns);
	}
	ck_assert_uint_eq(f->order_violations, 0);
	ck_assert_uint_eq(f->live_maps, 0);
	ck_assert_uint_eq(f->unset_container, 1);
	ck_assert_int_eq(f->device_fd, -1);
	ck_assert_int_eq(f->group_fd, -1);
	ck_assert_int_eq(f->container_fd, -1);
	ck_assert_int_eq(f->uevent_fd, -1);
	ck_assert_uint_eq(count_fds(), fds);
	fake_vfio_free(f);
}

START_TEST(test_release_platform_leaves_no_fd_or_mapping)
{
	check_release_leaves_nothing(GP_BUS_PLATFORM);
}
END_TEST

START_TEST(test_release_pci_leaves_no_fd_or_mapping)
{
	check_release_leaves_nothing(GP_BUS_PCI);
}
END_TEST

/* --- register access --------------------------------------------------- */

START_TEST(test_accessors_hit_the_mapping_at_the_offset)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_ok(f);
	uint8_t *m = fake_vfio_mapping(f, 0);
	uint32_t w;
	uint64_t q;

	gp_backend_write32(be, 0, 0x1000, 0xdeadbeef);
	memcpy(&w, m + 0x1000, 4);
	ck_assert_uint_eq(w, 0xdeadbeef);
	memcpy(&w, m + 0xffc, 4);
	ck_assert_uint_eq(w, 0);
	memcpy(&w, m + 0x1004, 4);
	ck_assert_uint_eq(w, 0);

	w = 0x0a0b0c0d;
	memcpy(m + 0x34, &w, 4);
	ck_assert_uint_eq(gp_backend_read32(be, 0, 0x34), 0x0a0b0c0d);

	/* 8-byte aligned: one 64-bit access. */
	gp_backend_write64(be, 0, 0x2000, 0x0123456789abcdefull);
	memcpy(&q, m + 0x2000, 8);
	ck_assert_uint_eq(q, 0x0123456789abcdefull);
	q = 0xfedcba9876543210ull;
	memcpy(m + 0x2008, &q, 8);
	ck_assert_uint_eq(gp_backend_read64(be, 0, 0x2008), 0xfedcba9876543210ull);

	/* Only 4-byte aligned: low word at the lower address. */
	w = 0x11111111;
	memcpy(m + 0x3004, &w, 4);
	w = 0x22222222;
	memcpy(m + 0x3008, &w, 4);
	ck_assert_uint_eq(gp_backend_read64(be, 0, 0x3004), 0x2222222211111111ull);
	gp_backend_write64(be, 0, 0x300c, 0x4444444433333333ull);
	memcpy(&q, m + 0x300c, 8);
	ck_assert_uint_eq(q, 0x4444444433333333ull);

	/* The last word of the 2 MiB region is in bounds. */
	gp_backend_write32(be, 0, 2 * MIB - 4, 0x5a5a5a5a);
	ck_assert_uint_eq(gp_backend_read32(be, 0, 2 * MIB - 4), 0x5a5a5a5a);

	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_accessors_use_pread_pwrite_without_mmap)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be;
	const uint64_t base = 1ull << 40;	/* region 1 of the device fd */
	uint32_t w;
	uint64_t q;

	/* A second, sub-page region: vfio-platform offers no mmap for it. */
	f->num_regions = 2;
	f->region[1] = (struct fake_vfio_region){
		.size = 0x100, .flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
	};
	be = open_ok(f);
	ck_assert_uint_eq(be->num_regions, 2);
	ck_assert_uint_eq(f->live_maps, 1);
	ck_assert_ptr_null(fake_vfio_mapping(f, 1));

	gp_backend_write32(be, 1, 0x10, 0xcafef00d);
	ck_assert_uint_eq(f->last_pwrite_off, base + 0x10);
	ck_assert_uint_eq(f->last_pwrite_len, 4);
	memcpy(&w, f->region[1].backing + 0x10, 4);
	ck_assert_uint_eq(w, 0xcafef00d);
	ck_assert_uint_eq(gp_backend_read32(be, 1, 0x10), 0xcafef00d);
	ck_assert_uint_eq(f->last_pread_off, base + 0x10);

	q = 0x8877665544332211ull;
	memcpy(f->region[1].backing + 0x20, &q, 8);
	ck_assert_uint_eq(gp_backend_read64(be, 1, 0x20), q);
	ck_assert_uint_eq(f->last_pread_len, 8);	/* one access; the bus driver may split it */

	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

/* A failed pread reads as all-ones, what a vanished device returns anyway. */
START_TEST(test_accessor_pread_failure_reads_all_ones)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be;

	f->region[0].flags &= ~VFIO_REGION_INFO_FLAG_MMAP;
	be = open_ok(f);
	f->calls = 0;
	f->fail_call = 1;
	gp_log_set_max_level(-1);
	ck_assert_uint_eq(gp_backend_read32(be, 0, 0x0), 0xffffffff);
	gp_log_set_max_level(LOG_INFO);
	ck_assert_uint_eq(gp_backend_read32(be, 0, 0x0), 0);
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

#ifndef NDEBUG
START_TEST(test_accessor_outside_region_asserts)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_ok(f);

	/* Clean the temporary tree first: the abort ends this (forked) test. */
	fake_vfio_free(f);
	(void)gp_backend_read32(be, 0, 2 * MIB);
}
END_TEST
#endif

/*
 * Mali with its clocks or power domain off reads all-ones.  The backend
 * returns what the bus returns; recognising it ("GPU_ID reads 0xffffffff:
 * clocks off?") is the driver's job: mali-csf's probe fails with EIO.
 */
START_TEST(test_clocks_off_reads_all_ones_unchanged)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be;

	f->mmio_fill = 0xff;
	be = open_ok(f);
	ck_assert_uint_eq(gp_backend_read32(be, 0, 0x0), 0xffffffff);
	ck_assert_uint_eq(gp_backend_read64(be, 0, 0x8), UINT64_MAX);
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

/*
 * mali-csf on vfio-platform: the driver's probe through the VFIO backend.
 * With the clocks off the probe must say so (EIO and the reason) and hand
 * the binding back; with a GPU that never finishes its reset, ETIMEDOUT.
 */
static int bind_mali(struct gp_backend **be, char *log, size_t loglen)
{
	struct gp_registration *reg = NULL;
	struct log_capture cap;
	int r;

	log_capture_start(&cap);
	r = gp_driver_bind(&gp_mali_csf_driver, be, "fb000000.gpu", &reg);
	log_capture_end(&cap, log, loglen);
	gp_registration_free(&reg);
	return r;
}

START_TEST(test_mali_probe_with_clocks_off_is_eio_and_says_why)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be;
	char log[1024];

	f->mmio_fill = 0xff;
	be = open_ok(f);
	ck_assert_int_eq(bind_mali(&be, log, sizeof(log)), -EIO);
	ck_assert_ptr_nonnull(be);	/* the binding stays with the caller */
	ck_assert_ptr_nonnull(strstr(log, "GPU_ID reads all-ones"));
	ck_assert_ptr_nonnull(strstr(log, "clocks or power domain off"));
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_mali_probe_of_a_gpu_that_never_resets_times_out)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be;
	char log[1024];

	be = open_ok(f);
	/* A plausible GPU_ID, but plain memory: RESET_COMPLETED never rises. */
	gp_backend_write32(be, 0, 0x0, 0xa8670005);
	ck_assert_int_eq(bind_mali(&be, log, sizeof(log)), -ETIMEDOUT);
	ck_assert_ptr_nonnull(be);
	ck_assert_ptr_nonnull(strstr(log, "soft reset did not complete"));
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

/* --- interrupts -------------------------------------------------------- */

START_TEST(test_irq_eventfd_fires_with_the_line)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_ok(f);
	eventfd_t count = 0;

	ck_assert(!fd_readable(gp_backend_irq_fd(be, FAKE_MALI_IRQ_GPU)));
	ck_assert_int_eq(fake_vfio_fire_irq(f, FAKE_MALI_IRQ_GPU), 0);
	ck_assert(fd_readable(gp_backend_irq_fd(be, FAKE_MALI_IRQ_GPU)));
	ck_assert(!fd_readable(gp_backend_irq_fd(be, FAKE_MALI_IRQ_JOB)));
	ck_assert_int_eq(eventfd_read(gp_backend_irq_fd(be, FAKE_MALI_IRQ_GPU), &count), 0);
	ck_assert_uint_eq(count, 1);
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_irq_unmask_unmasks_automasked_line)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_ok(f);

	ck_assert_int_eq(gp_backend_irq_unmask(be, FAKE_MALI_IRQ_GPU), 0);
	ck_assert_uint_eq(f->irq[FAKE_MALI_IRQ_GPU].unmasks, 1);
	ck_assert_uint_eq(f->irq[FAKE_MALI_IRQ_JOB].unmasks, 0);
	ck_assert_uint_eq(f->irq[FAKE_MALI_IRQ_MMU].unmasks, 0);
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_irq_unmask_is_a_no_op_for_msi)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);
	unsigned long calls = f->calls;

	ck_assert_int_eq(gp_backend_irq_unmask(be, 0), 0);
	ck_assert_uint_eq(f->calls, calls);	/* not even an ioctl */
	ck_assert_uint_eq(f->irq[VFIO_PCI_MSI_IRQ_INDEX].unmasks, 0);
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_irq_unmask_unmasks_intx)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be;

	f->irq[VFIO_PCI_MSI_IRQ_INDEX].count = 0;
	be = open_ok(f);
	ck_assert_int_eq(gp_backend_irq_unmask(be, 0), 0);
	ck_assert_uint_eq(f->irq[VFIO_PCI_INTX_IRQ_INDEX].unmasks, 1);
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_irq_unmask_failure_is_reported)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_ok(f);
	char log[4096];
	struct log_capture cap;

	f->fail_ioctl = VFIO_DEVICE_SET_IRQS;
	f->fail_ioctl_errno = ENODEV;
	log_capture_start(&cap);
	ck_assert_int_eq(gp_backend_irq_unmask(be, FAKE_MALI_IRQ_MMU), -ENODEV);
	log_capture_end(&cap, log, sizeof(log));
	ck_assert_ptr_nonnull(strstr(log, "unmask"));
	f->fail_ioctl = 0;
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

/* --- removal ----------------------------------------------------------- */

START_TEST(test_removal_pci_request_irq)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);

	ck_assert(!fd_readable(be->removal_fd));
	ck_assert(!gp_vfio_removal_pending(be));

	/* vfio_unregister_group_dev() calls vfio-pci's request callback. */
	ck_assert_int_eq(fake_vfio_fire_irq(f, VFIO_PCI_REQ_IRQ_INDEX), 0);
	ck_assert(fd_readable(be->removal_fd));
	ck_assert(gp_vfio_removal_pending(be));
	ck_assert(!fd_readable(be->removal_fd));	/* drained */
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_removal_platform_vfio_dev_remove_uevent)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_ok(f);

	ck_assert(!gp_vfio_removal_pending(be));
	send_fixture(f, "platform-vfio-dev-remove.uevent");
	ck_assert(fd_readable(be->removal_fd));
	ck_assert(gp_vfio_removal_pending(be));
	ck_assert(!fd_readable(be->removal_fd));
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

/* No uevent at all (older kernel, lost datagram): the driver link is gone. */
START_TEST(test_removal_platform_driver_link_gone)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_ok(f);

	ck_assert(!gp_vfio_removal_pending(be));
	fake_vfio_set_driver(f, NULL);
	ck_assert(!fd_readable(be->removal_fd));
	ck_assert(gp_vfio_removal_pending(be));
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

/* The test-only poll mode: no uevent socket, and the driver link still tells. */
START_TEST(test_removal_without_uevents_polls_the_driver_link)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_AMBA);
	struct gp_vfio_config cfg;
	struct gp_backend *be;

	fake_vfio_config(f, &cfg);
	cfg.no_uevents = true;
	ck_assert_int_eq(gp_vfio_open(&cfg, &be), 0);
	ck_assert_int_eq(be->removal_fd, -1);
	ck_assert_int_eq(f->uevent_fd, -1);
	ck_assert(!gp_vfio_removal_pending(be));
	fake_vfio_set_driver(f, NULL);
	ck_assert(gp_vfio_removal_pending(be));
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

/*
 * The removal check runs on the control plane while an unbind may hold the
 * device lock: it may follow the driver link (a symlink lookup takes no
 * device lock) but must not open or read a sysfs attribute of the device
 * (some 2024 stable kernels took the device lock in uevent_show()).
 */
static unsigned int counted_opens, counted_preads;

static int counting_open(const char *path, int flags)
{
	counted_opens++;
	return fake_vfio_sys.open(path, flags);
}

static ssize_t counting_pread(int fd, void *buf, size_t count, off_t offset)
{
	counted_preads++;
	return fake_vfio_sys.pread(fd, buf, count, offset);
}

START_TEST(test_removal_check_opens_and_reads_no_sysfs_file)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_vfio_sys sys = fake_vfio_sys;
	struct gp_vfio_config cfg;
	struct gp_backend *be;

	sys.open = counting_open;
	sys.pread = counting_pread;
	fake_vfio_config(f, &cfg);
	cfg.sys = &sys;
	ck_assert_int_eq(gp_vfio_open(&cfg, &be), 0);
	counted_opens = counted_preads = 0;
	ck_assert(!gp_vfio_removal_pending(be));
	send_fixture(f, "platform-vfio-dev-remove.uevent");
	ck_assert(gp_vfio_removal_pending(be));
	fake_vfio_set_driver(f, NULL);
	ck_assert(gp_vfio_removal_pending(be));
	ck_assert(!gp_vfio_driver_bound(&cfg));
	ck_assert_uint_eq(counted_opens, 0);
	ck_assert_uint_eq(counted_preads, 0);
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_removal_not_pending_on_unrelated_uevents)
{
	static const char *const unrelated[] = {
		"platform-other-vfio-dev-remove.uevent",	/* fb000000.gpu2 */
		"platform-vfio-dev-add.uevent",
		"platform-bind-vfio.uevent",
		"pci-vfio-dev-remove.uevent",
		"libudev-vfio-dev-remove.uevent",		/* udev's copy, not the kernel's */
	};
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_ok(f);

	for (size_t i = 0; i < ARRAY_SIZE(unrelated); i++)
		send_fixture(f, unrelated[i]);
	ck_assert_int_eq(fake_vfio_send_uevent(f, "garbage", 7), 0);
	ck_assert(fd_readable(be->removal_fd));
	ck_assert(!gp_vfio_removal_pending(be));
	ck_assert(!fd_readable(be->removal_fd));	/* all of them drained */
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_driver_bound_follows_sysfs)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_vfio_config cfg;

	fake_vfio_config(f, &cfg);
	ck_assert(gp_vfio_driver_bound(&cfg));
	fake_vfio_set_driver(f, "panthor");
	ck_assert(!gp_vfio_driver_bound(&cfg));
	fake_vfio_set_driver(f, NULL);
	ck_assert(!gp_vfio_driver_bound(&cfg));
	fake_vfio_set_driver(f, "vfio-platform");
	ck_assert(gp_vfio_driver_bound(&cfg));
	fake_vfio_free(f);
}
END_TEST

/* --- uevents ----------------------------------------------------------- */

START_TEST(test_uevent_parse_kernel_message)
{
	char buf[4096];
	size_t n = load_fixture("platform-vfio-dev-remove.uevent", buf, sizeof(buf));
	struct gp_uevent ev;

	ck_assert_int_eq(gp_uevent_parse(buf, n, &ev), 0);
	ck_assert_str_eq(ev.action, "remove");
	ck_assert_str_eq(ev.devpath, "/devices/platform/fb000000.gpu/vfio-dev/vfio0");
	ck_assert_str_eq(ev.subsystem, "vfio-dev");
	ck_assert_ptr_null(ev.driver);

	n = load_fixture("platform-bind-vfio.uevent", buf, sizeof(buf));
	ck_assert_int_eq(gp_uevent_parse(buf, n, &ev), 0);
	ck_assert_str_eq(ev.action, "bind");
	ck_assert_str_eq(ev.subsystem, "platform");
	ck_assert_str_eq(ev.driver, "vfio-platform");
}
END_TEST

START_TEST(test_uevent_parse_rejects_udev_messages)
{
	char buf[4096];
	size_t n = load_fixture("libudev-vfio-dev-remove.uevent", buf, sizeof(buf));
	struct gp_uevent ev;

	ck_assert_int_eq(gp_uevent_parse(buf, n, &ev), -EINVAL);
	ck_assert_ptr_null(ev.action);
}
END_TEST

START_TEST(test_uevent_parse_rejects_malformed)
{
#define M(s) { s, sizeof(s) - 1 }
	static const struct {
		const char *msg;
		size_t len;
	} bad[] = {
		M(""),
		/* not NUL-terminated */
		M("remove@/devices/x\0ACTION=remove\0DEVPATH=/devices/x\0SUBSYSTEM=s"),
		/* no '@' header */
		M("remove/devices/x\0ACTION=remove\0DEVPATH=/devices/x\0SUBSYSTEM=s\0"),
		/* header and keys disagree */
		M("add@/devices/x\0ACTION=remove\0DEVPATH=/devices/x\0SUBSYSTEM=s\0"),
		M("remove@/devices/y\0ACTION=remove\0DEVPATH=/devices/x\0SUBSYSTEM=s\0"),
		/* a key missing, given twice, or a pair without '=' */
		M("remove@/devices/x\0ACTION=remove\0DEVPATH=/devices/x\0"),
		M("remove@/devices/x\0ACTION=remove\0ACTION=remove\0DEVPATH=/devices/x\0SUBSYSTEM=s\0"),
		M("remove@/devices/x\0ACTION=remove\0DEVPATH=/devices/x\0SUBSYSTEM=s\0junk\0"),
		M("remove@/devices/x\0ACTION=remove\0DEVPATH=/devices/x\0SUBSYSTEM=s\0\0"),
		/* a relative DEVPATH */
		M("remove@devices/x\0ACTION=remove\0DEVPATH=devices/x\0SUBSYSTEM=s\0"),
	};
#undef M

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char buf[256];
		struct gp_uevent ev;

		memcpy(buf, bad[i].msg, bad[i].len);
		ck_assert_msg(gp_uevent_parse(buf, bad[i].len, &ev) == -EINVAL, "accepted #%zu", i);
	}
}
END_TEST

static bool fixture_is_removal(const char *fixture, const char *device)
{
	char buf[4096];
	size_t n = load_fixture(fixture, buf, sizeof(buf));
	struct gp_uevent ev;

	ck_assert_int_eq(gp_uevent_parse(buf, n, &ev), 0);
	return gp_uevent_is_removal(&ev, device);
}

START_TEST(test_uevent_parse_of_nothing_is_einval)
{
	struct gp_uevent ev;

	ck_assert_int_eq(gp_uevent_parse(NULL, 0, &ev), -EINVAL);
}
END_TEST

START_TEST(test_uevent_refused_message_leaves_no_field_set)
{
	static const char msg[] = "add@/devices/x\0ACTION=add\0DEVPATH=/devices/x\0NOEQUALS";
	char buf[sizeof(msg)];
	struct gp_uevent ev;

	memcpy(buf, msg, sizeof(msg));
	ck_assert_int_eq(gp_uevent_parse(buf, sizeof(buf), &ev), -EINVAL);
	ck_assert_ptr_null(ev.action);
	ck_assert_ptr_null(ev.devpath);
}
END_TEST

START_TEST(test_uevent_removal_of_vfio_dev_child)
{
	ck_assert(fixture_is_removal("platform-vfio-dev-remove.uevent", "fb000000.gpu"));
	ck_assert(fixture_is_removal("pci-vfio-dev-remove.uevent", "0000:00:03.0"));
}
END_TEST

/* Components compare whole: neither a longer nor a shorter name matches. */
START_TEST(test_uevent_removal_needs_the_exact_device)
{
	ck_assert(!fixture_is_removal("platform-other-vfio-dev-remove.uevent", "fb000000.gpu"));
	ck_assert(fixture_is_removal("platform-other-vfio-dev-remove.uevent", "fb000000.gpu2"));
	ck_assert(!fixture_is_removal("platform-vfio-dev-remove.uevent", "fb000000.gpu2"));
	ck_assert(!fixture_is_removal("platform-vfio-dev-remove.uevent", "fb000000.gp"));
	ck_assert(!fixture_is_removal("platform-vfio-dev-remove.uevent", "gpu"));
	ck_assert(!fixture_is_removal("platform-vfio-dev-remove.uevent", "vfio0"));
	ck_assert(!fixture_is_removal("platform-vfio-dev-remove.uevent", "vfio-dev"));
	ck_assert(!fixture_is_removal("pci-vfio-dev-remove.uevent", "0000:00:03.1"));
	ck_assert(!fixture_is_removal("platform-vfio-dev-remove.uevent", ""));
}
END_TEST

START_TEST(test_uevent_unbind_of_device_is_removal)
{
	ck_assert(fixture_is_removal("platform-unbind.uevent", "fb000000.gpu"));
	ck_assert(!fixture_is_removal("platform-unbind.uevent", "fb000000.gpu2"));
}
END_TEST

START_TEST(test_uevent_add_and_bind_are_not_removal)
{
	ck_assert(!fixture_is_removal("platform-vfio-dev-add.uevent", "fb000000.gpu"));
	ck_assert(!fixture_is_removal("platform-bind-vfio.uevent", "fb000000.gpu"));
}
END_TEST

/* --- DMA --------------------------------------------------------------- */

#define PAGE 4096u

/* @pages of MAP_SHARED memory, as a buffer object's daemon mapping is. */
static void *buffer_new(size_t pages)
{
	void *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	return p;
}

static void buffer_free(void *p, size_t pages)
{
	ck_assert_int_eq(munmap(p, pages * PAGE), 0);
}

START_TEST(test_dma_map_type1_maps_the_buffer_at_an_iova)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);
	struct gp_dma_mapping *map = NULL;
	void *buf = buffer_new(3);
	const struct fake_vfio_dma *d;

	ck_assert_uint_eq(be->dma_mask, UINT64_MAX);
	ck_assert_int_eq(gp_backend_dma_map(be, buf, 3 * PAGE, GP_DMA_BIDIRECTIONAL, &map), 0);
	ck_assert_ptr_nonnull(map);
	ck_assert_uint_eq(map->num_segments, 1);
	ck_assert_uint_eq(map->segments[0].len, 3 * PAGE);
	ck_assert_ptr_eq(map->vaddr, buf);
	ck_assert_uint_eq(map->size, 3 * PAGE);
	/* Never address 0, page aligned, and the kernel's mapping says the same. */
	ck_assert_uint_ne(map->segments[0].addr, 0);
	ck_assert_uint_eq(map->segments[0].addr % PAGE, 0);
	d = fake_vfio_dma_at(f, map->segments[0].addr);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->iova, map->segments[0].addr);
	ck_assert_uint_eq(d->vaddr, (uintptr_t)buf);
	ck_assert_uint_eq(d->size, 3 * PAGE);
	ck_assert_uint_eq(d->flags, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
	ck_assert_uint_eq(f->pinned_pages, 3);

	gp_backend_dma_unmap(be, &map);
	ck_assert_ptr_null(map);
	ck_assert_uint_eq(f->num_dma, 0);
	ck_assert_uint_eq(f->pinned_pages, 0);
	gp_backend_release(&be);
	ck_assert_uint_eq(f->order_violations, 0);
	buffer_free(buf, 3);
	fake_vfio_free(f);
}
END_TEST

/* With INTx nothing set Bus Master Enable at open; a DMA map does, as pci_set_master(). */
START_TEST(test_dma_map_on_pci_enables_bus_mastering)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be;
	struct gp_dma_mapping *map = NULL;
	void *buf = buffer_new(1);

	f->irq[VFIO_PCI_MSI_IRQ_INDEX].count = 0;
	be = open_ok(f);
	ck_assert(!(f->region[VFIO_PCI_CONFIG_REGION_INDEX].backing[PCI_COMMAND] &
		    PCI_COMMAND_MASTER));
	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE, GP_DMA_TO_DEVICE, &map), 0);
	ck_assert(f->region[VFIO_PCI_CONFIG_REGION_INDEX].backing[PCI_COMMAND] &
		  PCI_COMMAND_MASTER);
	gp_backend_dma_unmap(be, &map);
	gp_backend_release(&be);
	buffer_free(buf, 1);
	fake_vfio_free(f);
}
END_TEST

/* The IOMMU permission follows the direction: a device never writes a TO_DEVICE buffer. */
START_TEST(test_dma_map_direction_sets_the_iommu_permission)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);
	struct gp_dma_mapping *to = NULL, *from = NULL;
	void *buf = buffer_new(2);

	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE, GP_DMA_TO_DEVICE, &to), 0);
	ck_assert_int_eq(gp_backend_dma_map(be, (char *)buf + PAGE, PAGE, GP_DMA_FROM_DEVICE,
					    &from), 0);
	ck_assert_uint_eq(fake_vfio_dma_at(f, to->segments[0].addr)->flags, VFIO_DMA_MAP_FLAG_READ);
	ck_assert_uint_eq(fake_vfio_dma_at(f, from->segments[0].addr)->flags,
			  VFIO_DMA_MAP_FLAG_WRITE);
	gp_backend_dma_unmap(be, &to);
	gp_backend_dma_unmap(be, &from);
	gp_backend_release(&be);
	buffer_free(buf, 2);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_dma_unmap_frees_the_iova_for_reuse)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);
	struct gp_dma_mapping *a = NULL, *b = NULL;
	void *buf = buffer_new(2);
	uint64_t first;

	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE, GP_DMA_TO_DEVICE, &a), 0);
	first = a->segments[0].addr;
	gp_backend_dma_unmap(be, &a);
	ck_assert_int_eq(gp_backend_dma_map(be, (char *)buf + PAGE, PAGE, GP_DMA_TO_DEVICE, &b), 0);
	ck_assert_uint_eq(b->segments[0].addr, first);
	gp_backend_dma_unmap(be, &b);
	gp_backend_release(&be);
	buffer_free(buf, 2);
	fake_vfio_free(f);
}
END_TEST

/* Map one-page buffers until the space under @mask is full; how many fit. */
static unsigned int map_pages_until_full(struct gp_backend *be, void *buf, unsigned int max,
					 struct gp_dma_mapping **maps, uint64_t mask)
{
	unsigned int n;

	for (n = 0; n < max; n++) {
		int r = gp_backend_dma_map(be, (char *)buf + n * PAGE, PAGE, GP_DMA_TO_DEVICE,
					   &maps[n]);

		if (r == -ENOSPC)
			break;
		ck_assert_int_eq(r, 0);
		ck_assert_uint_le(maps[n]->segments[0].addr + maps[n]->segments[0].len - 1, mask);
	}
	return n;
}

START_TEST(test_dma_mask_is_honoured_and_exhaustion_is_enospc)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);
	struct gp_dma_mapping *maps[12] = { 0 };
	void *buf = buffer_new(12);
	unsigned int n;

	/* 0x8000 bytes below the mask, the page at 0 never used: 7 pages. */
	ck_assert_int_eq(gp_backend_dma_set_mask(be, 0x7fff), 0);
	ck_assert_uint_eq(be->dma_mask, 0x7fff);
	n = map_pages_until_full(be, buf, 12, maps, 0x7fff);
	ck_assert_uint_eq(n, 7);
	ck_assert_uint_eq(f->num_dma, 7);	/* the refused one reached no kernel */
	/* Widen it: the same request now fits, above the old limit. */
	ck_assert_int_eq(gp_backend_dma_set_mask(be, UINT64_MAX), 0);
	ck_assert_int_eq(gp_backend_dma_map(be, (char *)buf + 7 * PAGE, PAGE, GP_DMA_TO_DEVICE,
					    &maps[7]), 0);
	ck_assert_uint_eq(maps[7]->segments[0].addr, 0x8000);
	for (unsigned int i = 0; i < 8; i++)
		gp_backend_dma_unmap(be, &maps[i]);
	ck_assert_uint_eq(f->pinned_pages, 0);
	gp_backend_release(&be);
	buffer_free(buf, 12);
	fake_vfio_free(f);
}
END_TEST

/* IOVAs come only from the ranges the IOMMU reports usable (the MSI window is not). */
START_TEST(test_dma_map_stays_inside_the_usable_iova_ranges)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be;
	struct gp_dma_mapping *maps[3] = { 0 };
	void *buf = buffer_new(4);

	f->num_iova_ranges = 2;
	f->iova_ranges[0] = (struct vfio_iova_range){ 0x0, 0x2fff };
	f->iova_ranges[1] = (struct vfio_iova_range){ 0x100000, 0xffffffff };
	be = open_ok(f);
	for (unsigned int i = 0; i < 3; i++)
		ck_assert_int_eq(gp_backend_dma_map(be, (char *)buf + i * PAGE, PAGE,
						    GP_DMA_TO_DEVICE, &maps[i]), 0);
	ck_assert_uint_eq(maps[0]->segments[0].addr, 0x1000);
	ck_assert_uint_eq(maps[1]->segments[0].addr, 0x2000);
	ck_assert_uint_eq(maps[2]->segments[0].addr, 0x100000);
	/* Two pages fit in neither hole of the first window: the second window. */
	gp_backend_dma_unmap(be, &maps[0]);
	ck_assert_int_eq(gp_backend_dma_map(be, (char *)buf + 2 * PAGE, 2 * PAGE,
					    GP_DMA_TO_DEVICE, &maps[0]), 0);
	ck_assert_uint_eq(maps[0]->segments[0].addr, 0x101000);
	for (unsigned int i = 0; i < 3; i++)
		gp_backend_dma_unmap(be, &maps[i]);
	gp_backend_release(&be);
	buffer_free(buf, 4);
	fake_vfio_free(f);
}
END_TEST

/* An IOMMU with 64 KiB pages: everything is aligned to 64 KiB, 4 KiB is refused. */
START_TEST(test_dma_granule_is_the_smallest_iommu_page)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be;
	struct gp_dma_mapping *map = NULL;
	char *raw = buffer_new(32), *buf;

	f->iova_pgsizes = (1ull << 16) | (1ull << 29);
	be = open_ok(f);
	buf = (char *)(((uintptr_t)raw + 0xffff) & ~(uintptr_t)0xffff);
	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE, GP_DMA_TO_DEVICE, &map), -EINVAL);
	ck_assert_ptr_null(map);
	ck_assert_int_eq(gp_backend_dma_map(be, buf, 0x10000, GP_DMA_TO_DEVICE, &map), 0);
	ck_assert_uint_eq(map->segments[0].addr, 0x10000);
	gp_backend_dma_unmap(be, &map);
	gp_backend_release(&be);
	buffer_free(raw, 32);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_dma_map_refuses_bad_ranges)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);
	struct gp_dma_mapping *map = (struct gp_dma_mapping *)&f;	/* must be cleared */
	char *buf = buffer_new(2);

	ck_assert_int_eq(gp_backend_dma_map(be, buf, 0, GP_DMA_TO_DEVICE, &map), -EINVAL);
	ck_assert_ptr_null(map);
	ck_assert_int_eq(gp_backend_dma_map(be, buf + 8, PAGE, GP_DMA_TO_DEVICE, &map), -EINVAL);
	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE + 8, GP_DMA_TO_DEVICE, &map), -EINVAL);
	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE, 3, &map), -EINVAL);
	ck_assert_int_eq(gp_backend_dma_map(be, (void *)(UINTPTR_MAX & ~(uintptr_t)(PAGE - 1)),
					    2 * PAGE, GP_DMA_TO_DEVICE, &map), -EINVAL);
	ck_assert_uint_eq(f->num_dma, 0);
	ck_assert_int_eq(fake_vfio_event_first(f, FAKE_EV_MAP_DMA), -1);
	gp_backend_release(&be);
	buffer_free(buf, 2);
	fake_vfio_free(f);
}
END_TEST

/* A failed MAP_DMA returns the kernel's errno and gives the IOVA back. */
START_TEST(test_dma_map_kernel_failure_returns_errno_and_the_iova)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);
	struct gp_dma_mapping *a = NULL, *b = NULL;
	char *buf = buffer_new(2), *gone = buffer_new(1);
	uint64_t first;

	buffer_free(gone, 1);		/* nothing to pin there: EFAULT */
	ck_assert_int_eq(gp_backend_dma_map(be, gone, PAGE, GP_DMA_TO_DEVICE, &a), -EFAULT);
	ck_assert_ptr_null(a);
	f->dma_entry_limit = 1;		/* vfio_iommu_type1.dma_entry_limit */
	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE, GP_DMA_TO_DEVICE, &a), 0);
	first = a->segments[0].addr;
	ck_assert_int_eq(gp_backend_dma_map(be, buf + PAGE, PAGE, GP_DMA_TO_DEVICE, &b), -ENOSPC);
	gp_backend_dma_unmap(be, &a);
	ck_assert_int_eq(gp_backend_dma_map(be, buf + PAGE, PAGE, GP_DMA_TO_DEVICE, &b), 0);
	ck_assert_uint_eq(b->segments[0].addr, first);
	gp_backend_dma_unmap(be, &b);
	gp_backend_release(&be);
	buffer_free(buf, 2);
	fake_vfio_free(f);
}
END_TEST

/* An UNMAP_DMA that fails leaves the IOVA reserved: the IOMMU may still translate it. */
START_TEST(test_dma_unmap_failure_keeps_the_iova_reserved)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);
	struct gp_dma_mapping *a = NULL, *b = NULL;
	struct log_capture cap;
	char *buf = buffer_new(2), log[4096];
	uint64_t first;

	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE, GP_DMA_TO_DEVICE, &a), 0);
	first = a->segments[0].addr;
	f->fail_ioctl = VFIO_IOMMU_UNMAP_DMA;
	log_capture_start(&cap);
	gp_backend_dma_unmap(be, &a);
	log_capture_end(&cap, log, sizeof(log));
	ck_assert_ptr_nonnull(strstr(log, "the IOVA stays reserved"));
	f->fail_ioctl = 0;
	ck_assert_int_eq(gp_backend_dma_map(be, buf + PAGE, PAGE, GP_DMA_TO_DEVICE, &b), 0);
	ck_assert_uint_ne(b->segments[0].addr, first);
	gp_backend_dma_unmap(be, &b);
	gp_backend_release(&be);
	buffer_free(buf, 2);
	fake_vfio_free(f);
}
END_TEST

/* Before Linux 5.4 there is no IOVA_RANGE capability: the whole space is usable. */
START_TEST(test_dma_without_iova_range_capability)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be;
	struct gp_dma_mapping *map = NULL;
	char *buf = buffer_new(1);

	f->num_iova_ranges = 0;
	be = open_ok(f);
	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE, GP_DMA_TO_DEVICE, &map), 0);
	ck_assert_uint_eq(map->segments[0].addr, PAGE);
	gp_backend_dma_unmap(be, &map);
	gp_backend_release(&be);
	buffer_free(buf, 1);
	fake_vfio_free(f);
}
END_TEST

struct dma_thread {
	pthread_t tid;
	struct gp_backend *be;
	char *buf;
	unsigned int failures;
};

static void *dma_thread_main(void *arg)
{
	struct dma_thread *t = arg;

	for (unsigned int i = 0; i < 200; i++) {
		struct gp_dma_mapping *map = NULL;
		size_t pages = 1 + i % 3;

		if (gp_backend_dma_map(t->be, t->buf, pages * PAGE, GP_DMA_BIDIRECTIONAL, &map) < 0 ||
		    map->segments[0].len != pages * PAGE) {
			t->failures++;
			continue;
		}
		gp_backend_dma_unmap(t->be, &map);
	}
	return NULL;
}

/*
 * Threads map and unmap at once: the DMA lock keeps the IOVA allocator and
 * the list consistent while MAP_DMA runs outside it, so the kernel never
 * sees two mappings at one IOVA (EEXIST) and nothing is left over.
 */
START_TEST(test_dma_map_and_unmap_from_several_threads)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);
	struct dma_thread t[4];
	char *buf = buffer_new(4 * 3);

	for (unsigned int i = 0; i < 4; i++) {
		t[i] = (struct dma_thread){ .be = be, .buf = buf + i * 3 * PAGE };
		ck_assert_int_eq(pthread_create(&t[i].tid, NULL, dma_thread_main, &t[i]), 0);
	}
	for (unsigned int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i].tid, NULL), 0);
		ck_assert_uint_eq(t[i].failures, 0);
	}
	ck_assert_uint_eq(f->num_dma, 0);
	ck_assert_uint_eq(f->pinned_pages, 0);
	ck_assert_int_eq(fake_vfio_event_last(f, FAKE_EV_MAP_DMA) >= 0, 1);
	gp_backend_release(&be);
	ck_assert_uint_eq(f->order_violations, 0);
	buffer_free(buf, 4 * 3);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_release_unmaps_leftover_dma_before_closing_fds)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);
	struct gp_dma_mapping *a = NULL, *b = NULL;
	struct log_capture cap;
	char *buf = buffer_new(3), log[4096];
	int last_unmap;

	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE, GP_DMA_TO_DEVICE, &a), 0);
	ck_assert_int_eq(gp_backend_dma_map(be, buf + PAGE, 2 * PAGE, GP_DMA_FROM_DEVICE, &b), 0);
	ck_assert_uint_eq(f->pinned_pages, 3);
	log_capture_start(&cap);
	gp_backend_release(&be);	/* a buggy driver: never unmapped */
	log_capture_end(&cap, log, sizeof(log));
	ck_assert_ptr_nonnull(strstr(log, "driver bug: 2 DMA mapping(s) still live"));
	ck_assert_uint_eq(f->num_dma, 0);
	ck_assert_uint_eq(f->pinned_pages, 0);
	ck_assert_uint_eq(f->order_violations, 0);
	last_unmap = fake_vfio_event_last(f, FAKE_EV_UNMAP_DMA);
	ck_assert_int_ge(last_unmap, 0);
	ck_assert_int_ne(fake_vfio_event_first(f, FAKE_EV_UNMAP_DMA), last_unmap);
	ck_assert_int_lt(last_unmap, fake_vfio_event_first(f, FAKE_EV_CLOSE_DEVICE));
	ck_assert_int_lt(last_unmap, fake_vfio_event_first(f, FAKE_EV_CLOSE_GROUP));
	ck_assert_int_lt(last_unmap, fake_vfio_event_first(f, FAKE_EV_CLOSE_CONTAINER));
	buffer_free(buf, 3);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_dma_set_mask_refuses_what_cannot_be_honoured)
{
	static const struct gp_backend_ops no_dma_ops = { 0 };
	struct gp_backend no_dma = { .ops = &no_dma_ops, .dma_mask = UINT64_MAX };
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PCI);
	struct gp_backend *be = open_ok(f);

	ck_assert_int_eq(gp_backend_dma_set_mask(be, 0), -EIO);
	ck_assert_int_eq(gp_backend_dma_set_mask(be, 0xfff), -EIO);
	ck_assert_uint_eq(be->dma_mask, UINT64_MAX);
	ck_assert_int_eq(gp_backend_dma_set_mask(be, (1ull << 28) - 1), 0);
	ck_assert_uint_eq(be->dma_mask, (1ull << 28) - 1);
	ck_assert_int_eq(gp_backend_dma_set_mask(&no_dma, (1ull << 32) - 1), -EIO);
	ck_assert_uint_eq(no_dma.dma_mask, UINT64_MAX);
	gp_backend_release(&be);
	fake_vfio_free(f);
}
END_TEST

/* --- no-IOMMU DMA (experimental) --- */

struct pagemap_table {
	uint64_t base_vpn;
	uint64_t entry[8];
};

static uint64_t pagemap_from_table(uint64_t vpn, void *ctx)
{
	const struct pagemap_table *t = ctx;

	if (vpn < t->base_vpn || vpn - t->base_vpn >= 8)
		return 0;
	return t->entry[vpn - t->base_vpn];
}

#define PRESENT (1ull << 63)

static struct gp_backend *open_noiommu(struct fake_vfio *f)
{
	fake_vfio_set_noiommu(f, true);
	return open_ok(f);
}

START_TEST(test_noiommu_dma_segments_follow_physical_contiguity)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_noiommu(f);
	struct gp_dma_mapping *map = NULL;
	char *buf = buffer_new(4);
	struct pagemap_table t = {
		.base_vpn = (uintptr_t)buf / PAGE,
		.entry = { PRESENT | 100, PRESENT | 101, PRESENT | 300, PRESENT | 301 },
	};

	f->pagemap = pagemap_from_table;
	f->pagemap_ctx = &t;
	ck_assert_int_eq(gp_backend_dma_map(be, buf, 4 * PAGE, GP_DMA_BIDIRECTIONAL, &map), 0);
	ck_assert_uint_eq(map->num_segments, 2);
	ck_assert_uint_eq(map->segments[0].addr, 100ull * PAGE);
	ck_assert_uint_eq(map->segments[0].len, 2 * PAGE);
	ck_assert_uint_eq(map->segments[1].addr, 300ull * PAGE);
	ck_assert_uint_eq(map->segments[1].len, 2 * PAGE);
	ck_assert_uint_eq(f->locked_bytes, 4 * PAGE);
	ck_assert_uint_eq(f->pagemap_opens, 1);
	ck_assert_int_eq(f->pagemap_fd, -1);	/* not kept open */
	ck_assert_uint_eq(f->num_dma, 0);	/* no IOMMU: nothing asked of VFIO */
	/* The MLOCK came before pagemap was believed: frames of unlocked pages mean nothing. */
	ck_assert_int_ge(fake_vfio_event_first(f, FAKE_EV_MLOCK), 0);
	gp_backend_dma_unmap(be, &map);
	ck_assert_uint_eq(f->locked_bytes, 0);
	gp_backend_release(&be);
	buffer_free(buf, 4);
	fake_vfio_free(f);
}
END_TEST

/* Without CAP_SYS_ADMIN pagemap's PFNs read as 0: refuse, say why, unlock. */
START_TEST(test_noiommu_dma_without_cap_sys_admin_is_eperm)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_noiommu(f);
	struct gp_dma_mapping *map = NULL;
	struct log_capture cap;
	char *buf = buffer_new(2), log[4096];
	struct pagemap_table t = {
		.base_vpn = (uintptr_t)buf / PAGE,
		.entry = { PRESENT, PRESENT },
	};
	int r;

	f->pagemap = pagemap_from_table;
	f->pagemap_ctx = &t;
	log_capture_start(&cap);
	r = gp_backend_dma_map(be, buf, 2 * PAGE, GP_DMA_TO_DEVICE, &map);
	log_capture_end(&cap, log, sizeof(log));
	ck_assert_int_eq(r, -EPERM);
	ck_assert_ptr_null(map);
	ck_assert_ptr_nonnull(strstr(log, "CAP_SYS_ADMIN"));
	ck_assert_uint_eq(f->locked_bytes, 0);
	ck_assert_int_eq(f->pagemap_fd, -1);
	gp_backend_release(&be);
	buffer_free(buf, 2);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_noiommu_dma_above_the_mask_is_refused)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_noiommu(f);
	struct gp_dma_mapping *map = NULL;
	char *buf = buffer_new(2);
	struct pagemap_table t = {
		.base_vpn = (uintptr_t)buf / PAGE,
		.entry = { PRESENT | 0x100, PRESENT | 0x10000 },	/* the second at 256 MiB */
	};

	f->pagemap = pagemap_from_table;
	f->pagemap_ctx = &t;
	ck_assert_int_eq(gp_backend_dma_set_mask(be, (1ull << 28) - 1), 0);
	ck_assert_int_eq(gp_backend_dma_map(be, buf, 2 * PAGE, GP_DMA_TO_DEVICE, &map), -ERANGE);
	ck_assert_uint_eq(f->locked_bytes, 0);
	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE, GP_DMA_TO_DEVICE, &map), 0);
	ck_assert_uint_eq(map->segments[0].addr, 0x100000);
	gp_backend_dma_unmap(be, &map);
	gp_backend_release(&be);
	buffer_free(buf, 2);
	fake_vfio_free(f);
}
END_TEST

/* A page that is not present after mlock is an error, never a frame 0 handed out. */
START_TEST(test_noiommu_dma_of_a_missing_page_is_efault)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_noiommu(f);
	struct gp_dma_mapping *map = NULL;
	char *buf = buffer_new(2);
	struct pagemap_table t = { .base_vpn = (uintptr_t)buf / PAGE, .entry = { PRESENT | 7, 0 } };

	f->pagemap = pagemap_from_table;
	f->pagemap_ctx = &t;
	ck_assert_int_eq(gp_backend_dma_map(be, buf, 2 * PAGE, GP_DMA_TO_DEVICE, &map), -EFAULT);
	ck_assert_uint_eq(f->locked_bytes, 0);
	gp_backend_release(&be);
	buffer_free(buf, 2);
	fake_vfio_free(f);
}
END_TEST

START_TEST(test_noiommu_release_unlocks_leftovers_before_closing_fds)
{
	struct fake_vfio *f = fake_vfio_new(GP_BUS_PLATFORM);
	struct gp_backend *be = open_noiommu(f);
	struct gp_dma_mapping *map = NULL;
	struct log_capture cap;
	char *buf = buffer_new(2), log[4096];

	ck_assert_int_eq(gp_backend_dma_map(be, buf, 2 * PAGE, GP_DMA_TO_DEVICE, &map), 0);
	ck_assert_uint_eq(map->num_segments, 1);	/* the default fake: contiguous */
	log_capture_start(&cap);
	gp_backend_release(&be);
	log_capture_end(&cap, log, sizeof(log));
	ck_assert_ptr_nonnull(strstr(log, "driver bug"));
	ck_assert_uint_eq(f->locked_bytes, 0);
	ck_assert_int_lt(fake_vfio_event_last(f, FAKE_EV_MUNLOCK),
			 fake_vfio_event_first(f, FAKE_EV_CLOSE_DEVICE));
	buffer_free(buf, 2);
	fake_vfio_free(f);
}
END_TEST

static Suite *vfio_suite(void)
{
	Suite *s = suite_create("vfio");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_platform);
	tcase_add_test(tc, test_parse_amba);
	tcase_add_test(tc, test_parse_pci_full_address);
	tcase_add_test(tc, test_parse_pci_short_address_asks_for_domain);
	tcase_add_test(tc, test_parse_rejects_bad_specs);
	suite_add_tcase(s, tc);

	tc = tcase_create("open");
	tcase_add_test(tc, test_open_platform_maps_region_and_assigns_irqs);
	tcase_add_test(tc, test_open_pci_maps_bar0_and_watches_request_irq);
	tcase_add_test(tc, test_open_pci_without_msi_uses_intx);
	tcase_add_test(tc, test_open_pci_without_request_irq_watches_uevents);
	tcase_add_test(tc, test_open_noiommu_group);
	tcase_add_test(tc, test_open_noiommu_group_without_noiommu_mode);
	tcase_add_test(tc, test_open_bus_mismatch);
	tcase_add_test(tc, test_open_amba_maps_window_and_assigns_automasked_irq);
	tcase_add_test(tc, test_open_amba_refuses_a_platform_device);
	tcase_add_test(tc, test_open_platform_small_region_is_not_mapped);
	tcase_add_test(tc, test_open_non_viable_group);
	tcase_add_test(tc, test_open_without_group_bound_to_vfio_suggests_noiommu);
	tcase_add_test(tc, test_open_without_group_bound_elsewhere_says_so);
	tcase_add_test(tc, test_open_unknown_device);
	tcase_add_test(tc, test_open_api_version_mismatch);
	tcase_add_test(tc, test_open_without_type1v2);
	tcase_add_test(tc, test_open_group_busy);
	tcase_add_test(tc, test_open_failure_at_each_step_unwinds_platform);
	tcase_add_test(tc, test_open_failure_at_each_step_unwinds_platform_noiommu);
	tcase_add_test(tc, test_open_failure_at_each_step_unwinds_pci);
	suite_add_tcase(s, tc);

	tc = tcase_create("release");
	tcase_add_test(tc, test_release_platform_leaves_no_fd_or_mapping);
	tcase_add_test(tc, test_release_pci_leaves_no_fd_or_mapping);
	suite_add_tcase(s, tc);

	tc = tcase_create("access");
	tcase_add_test(tc, test_accessors_hit_the_mapping_at_the_offset);
	tcase_add_test(tc, test_accessors_use_pread_pwrite_without_mmap);
	tcase_add_test(tc, test_accessor_pread_failure_reads_all_ones);
#ifndef NDEBUG
	tcase_add_test_raise_signal(tc, test_accessor_outside_region_asserts, SIGABRT);
#endif
	tcase_add_test(tc, test_clocks_off_reads_all_ones_unchanged);
	tcase_add_test(tc, test_mali_probe_with_clocks_off_is_eio_and_says_why);
	tcase_add_test(tc, test_mali_probe_of_a_gpu_that_never_resets_times_out);
	suite_add_tcase(s, tc);

	tc = tcase_create("irq");
	tcase_add_test(tc, test_irq_eventfd_fires_with_the_line);
	tcase_add_test(tc, test_irq_unmask_unmasks_automasked_line);
	tcase_add_test(tc, test_irq_unmask_is_a_no_op_for_msi);
	tcase_add_test(tc, test_irq_unmask_unmasks_intx);
	tcase_add_test(tc, test_irq_unmask_failure_is_reported);
	suite_add_tcase(s, tc);

	tc = tcase_create("removal");
	tcase_add_test(tc, test_removal_pci_request_irq);
	tcase_add_test(tc, test_removal_platform_vfio_dev_remove_uevent);
	tcase_add_test(tc, test_removal_platform_driver_link_gone);
	tcase_add_test(tc, test_removal_without_uevents_polls_the_driver_link);
	tcase_add_test(tc, test_removal_check_opens_and_reads_no_sysfs_file);
	tcase_add_test(tc, test_removal_not_pending_on_unrelated_uevents);
	tcase_add_test(tc, test_driver_bound_follows_sysfs);
	suite_add_tcase(s, tc);

	tc = tcase_create("dma");
	tcase_add_test(tc, test_dma_map_type1_maps_the_buffer_at_an_iova);
	tcase_add_test(tc, test_dma_map_direction_sets_the_iommu_permission);
	tcase_add_test(tc, test_dma_map_on_pci_enables_bus_mastering);
	tcase_add_test(tc, test_dma_unmap_frees_the_iova_for_reuse);
	tcase_add_test(tc, test_dma_mask_is_honoured_and_exhaustion_is_enospc);
	tcase_add_test(tc, test_dma_map_stays_inside_the_usable_iova_ranges);
	tcase_add_test(tc, test_dma_granule_is_the_smallest_iommu_page);
	tcase_add_test(tc, test_dma_map_refuses_bad_ranges);
	tcase_add_test(tc, test_dma_map_kernel_failure_returns_errno_and_the_iova);
	tcase_add_test(tc, test_dma_unmap_failure_keeps_the_iova_reserved);
	tcase_add_test(tc, test_dma_without_iova_range_capability);
	tcase_add_test(tc, test_dma_map_and_unmap_from_several_threads);
	tcase_add_test(tc, test_release_unmaps_leftover_dma_before_closing_fds);
	tcase_add_test(tc, test_dma_set_mask_refuses_what_cannot_be_honoured);
	tcase_add_test(tc, test_noiommu_dma_segments_follow_physical_contiguity);
	tcase_add_test(tc, test_noiommu_dma_without_cap_sys_admin_is_eperm);
	tcase_add_test(tc, test_noiommu_dma_above_the_mask_is_refused);
	tcase_add_test(tc, test_noiommu_dma_of_a_missing_page_is_efault);
	tcase_add_test(tc, test_noiommu_release_unlocks_leftovers_before_closing_fds);
	suite_add_tcase(s, tc);

	tc = tcase_create("uevent");
	tcase_add_test(tc, test_uevent_parse_kernel_message);
	tcase_add_test(tc, test_uevent_parse_rejects_udev_messages);
	tcase_add_test(tc, test_uevent_parse_rejects_malformed);
	tcase_add_test(tc, test_uevent_parse_of_nothing_is_einval);
	tcase_add_test(tc, test_uevent_refused_message_leaves_no_field_set);
	tcase_add_test(tc, test_uevent_removal_of_vfio_dev_child);
	tcase_add_test(tc, test_uevent_removal_needs_the_exact_device);
	tcase_add_test(tc, test_uevent_unbind_of_device_is_removal);
	tcase_add_test(tc, test_uevent_add_and_bind_are_not_removal);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	return gp_check_run(vfio_suite());
}
