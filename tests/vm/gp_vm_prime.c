// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gp-vm-prime: an unmodified panthor client, for the VM tier over CUSE.
 *
 * Plain open/ioctl/mmap on /dev/gpu-proto, with panthor's own UAPI
 * (BO_CREATE, BO_MMAP_OFFSET; the layouts and numbers of Linux's
 * include/uapi/drm/panthor_drm.h, written out here as a client built
 * against that header would have them) and DRM's PRIME ioctls.  No
 * gpu-proto header or library: run under the LD_PRELOAD shim, which is
 * what makes mmap() and PRIME work over CUSE.
 *
 *   gp-vm-prime export      create, map, write; export with PRIME; run
 *                           "gp-vm-prime import FD SIZE" as another process
 *                           (the fd inherited), which imports and reads the
 *                           bytes through its own mapping; then unbind the
 *                           device: the mapping stays valid, a new mmap is
 *                           ENODEV
 *   gp-vm-prime noshim      without the shim: mmap of the node fails
 *                           (CUSE has no mmap), raw PRIME is EOPNOTSUPP
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* include/uapi/drm/drm.h */
struct drm_prime_handle {
	uint32_t handle;
	uint32_t flags;
	int32_t fd;
};
#define DRM_CLOEXEC O_CLOEXEC
#define DRM_RDWR O_RDWR
#define DRM_IOCTL_PRIME_HANDLE_TO_FD _IOWR('d', 0x2d, struct drm_prime_handle)
#define DRM_IOCTL_PRIME_FD_TO_HANDLE _IOWR('d', 0x2e, struct drm_prime_handle)
#define DRM_COMMAND_BASE 0x40

/* include/uapi/drm/panthor_drm.h */
struct drm_panthor_bo_create {
	uint64_t size;
	uint32_t flags;
	uint32_t exclusive_vm_id;
	uint32_t handle;
	uint32_t pad;
};
struct drm_panthor_bo_mmap_offset {
	uint32_t handle;
	uint32_t pad;
	uint64_t offset;
};
#define DRM_PANTHOR_BO_CREATE 5
#define DRM_PANTHOR_BO_MMAP_OFFSET 6
#define DRM_IOCTL_PANTHOR_BO_CREATE \
	_IOWR('d', DRM_COMMAND_BASE + DRM_PANTHOR_BO_CREATE, struct drm_panthor_bo_create)
#define DRM_IOCTL_PANTHOR_BO_MMAP_OFFSET \
	_IOWR('d', DRM_COMMAND_BASE + DRM_PANTHOR_BO_MMAP_OFFSET, struct drm_panthor_bo_mmap_offset)
#define DRM_PANTHOR_USER_MMIO_OFFSET (1ull << 56)

#define NODE "/dev/gpu-proto"
#define BO_SIZE (64u * 1024)

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "gp-vm-prime: " __VA_ARGS__);     \
			fprintf(stderr, " (errno %d: %s)\n", errno, strerror(errno)); \
			exit(1);                                          \
		}                                                         \
	} while (0)

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 31 + 7);
}

static uint64_t mmap_offset(int fd, uint32_t handle)
{
	struct drm_panthor_bo_mmap_offset mo = { .handle = handle };

	CHECK(ioctl(fd, DRM_IOCTL_PANTHOR_BO_MMAP_OFFSET, &mo) == 0, "BO_MMAP_OFFSET %u", handle);
	return mo.offset;
}

static int do_import(int argc, char **argv)
{
	struct drm_prime_handle ph;
	unsigned char *p;
	uint32_t handle;
	size_t size;
	int fd, dmabuf;

	CHECK(argc == 4, "usage: import FD SIZE");
	dmabuf = atoi(argv[2]);
	size = strtoul(argv[3], NULL, 0);
	fd = open(NODE, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "open %s", NODE);
	ph = (struct drm_prime_handle){ .fd = dmabuf };
	CHECK(ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph) == 0, "PRIME_FD_TO_HANDLE");
	handle = ph.handle;
	/* Importing twice gives the same handle, as the kernel's PRIME. */
	ph = (struct drm_prime_handle){ .fd = dmabuf };
	CHECK(ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph) == 0, "second PRIME_FD_TO_HANDLE");
	CHECK(ph.handle == handle, "second import gave handle %u, first %u", ph.handle, handle);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)mmap_offset(fd, handle));
	CHECK(p != MAP_FAILED, "mmap of the imported object");
	for (size_t i = 0; i < size; i++)
		CHECK(p[i] == pattern(i), "byte %zu reads %u, the exporter wrote %u", i, p[i],
		      pattern(i));
	/* Write back for the exporter to see: the same memory, not a copy. */
	p[0] = 0xee;
	munmap(p, size);
	close(fd);
	printf("ok: import: handle %u, %zu bytes as written by the exporter\n", handle, size);
	return 0;
}

static int do_export(void)
{
	struct drm_panthor_bo_create bo = { .size = BO_SIZE };
	struct drm_prime_handle ph;
	char fdarg[16], sizearg[32];
	unsigned char *p;
	uint64_t off;
	int fd, status;
	pid_t pid;

	fd = open(NODE, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "open %s", NODE);
	CHECK(ioctl(fd, DRM_IOCTL_PANTHOR_BO_CREATE, &bo) == 0, "BO_CREATE");
	off = mmap_offset(fd, bo.handle);
	p = mmap(NULL, bo.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	CHECK(p != MAP_FAILED, "mmap at the BO's offset 0x%" PRIx64, off);
	for (size_t i = 0; i < bo.size; i++)
		p[i] = pattern(i);
	printf("ok: export: handle %u mapped at offset 0x%" PRIx64 " over CUSE, %" PRIu64
	       " bytes written\n", bo.handle, off, (uint64_t)bo.size);

	/* panthor's USER_MMIO page is not served: the mapping fails, nothing is mapped. */
	errno = 0;
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, (off_t)DRM_PANTHOR_USER_MMIO_OFFSET) ==
	      MAP_FAILED && errno == EINVAL, "mmap of USER_MMIO: expected EINVAL");

	/* Not close-on-exec: the importer inherits it. */
	ph = (struct drm_prime_handle){ .handle = bo.handle, .flags = DRM_RDWR };
	CHECK(ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph) == 0, "PRIME_HANDLE_TO_FD");
	CHECK(ph.fd >= 0 && fcntl(ph.fd, F_GETFD) >= 0, "PRIME gave fd %d, not an fd of ours",
	      ph.fd);
	snprintf(fdarg, sizeof(fdarg), "%d", ph.fd);
	snprintf(sizearg, sizeof(sizearg), "%" PRIu64, (uint64_t)bo.size);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		execlp("gp-vm-prime", "gp-vm-prime", "import", fdarg, sizearg, (char *)NULL);
		_exit(127);
	}
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the importer failed (status %d)",
	      status);
	CHECK(p[0] == 0xee, "the importer's write is not in the exporter's mapping");

	/* Unplug: the mapping is system memory and stays; new mappings are ENODEV. */
	CHECK(system("gpu-protoctl unbind >/dev/null") == 0, "gpu-protoctl unbind");
	p[1] = 0x42;
	CHECK(p[1] == 0x42 && p[2] == pattern(2), "the mapping changed after unplug");
	errno = 0;
	CHECK(mmap(NULL, bo.size, PROT_READ, MAP_SHARED, fd, (off_t)off) == MAP_FAILED &&
	      errno == ENODEV, "mmap after unplug: expected ENODEV");
	printf("ok: export: mapping valid after unplug, new mmap ENODEV\n");
	munmap(p, bo.size);
	close(ph.fd);
	close(fd);
	return 0;
}

static int do_noshim(void)
{
	struct drm_panthor_bo_create bo = { .size = 4096 };
	struct drm_prime_handle ph;
	int fd;

	fd = open(NODE, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "open %s", NODE);
	CHECK(ioctl(fd, DRM_IOCTL_PANTHOR_BO_CREATE, &bo) == 0, "BO_CREATE");
	errno = 0;
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, (off_t)mmap_offset(fd, bo.handle)) ==
	      MAP_FAILED && errno == ENODEV, "mmap of the CUSE node: expected ENODEV");
	ph = (struct drm_prime_handle){ .handle = bo.handle, .flags = DRM_RDWR, .fd = 12345 };
	errno = 0;
	CHECK(ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph) < 0 && errno == EOPNOTSUPP,
	      "raw PRIME_HANDLE_TO_FD: expected EOPNOTSUPP");
	close(fd);
	printf("ok: noshim: mmap ENODEV, raw PRIME EOPNOTSUPP\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return do_export();
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return do_import(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "noshim") == 0)
		return do_noshim();
	fprintf(stderr, "usage: gp-vm-prime export|noshim|import FD SIZE\n");
	return 2;
}
