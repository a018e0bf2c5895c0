// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gp-vm-edu-dma: the VM tier's client of qemu-edu's DMA (tests/vm/
 * test_vfio_edu_dma.sh), through libgpuproto: objects created with
 * EDU_BO_CREATE, mapped into this process with gpc_bo_map(), copied to the
 * edu device's buffer and back with EDU_DMA, through the real IOMMU.
 *
 *   gp-vm-edu-dma roundtrip
 *       fill object A through its mapping, DMA A -> device -> object B,
 *       compare; also a transfer at offsets.  Exit 0 when the bytes match.
 *   gp-vm-edu-dma loop ID STOPFILE
 *       until STOPFILE exists: the round trip on the device buffer's slice
 *       ID (512 bytes each, so up to 7 clients run side by side), reopening
 *       after ENODEV (an unbind).  Exit 0 when no byte ever mismatched, no
 *       error other than ENODEV (and ENOENT/ENODEV at reopen) was seen, and
 *       at least one round trip succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>
#include <gpuproto.h>

#define SLICE	512u

struct bo {
	uint32_t handle;
	uint8_t *ptr;
	uint64_t size;
};

static int bo_new(struct gpc_device *dev, uint64_t size, struct bo *bo)
{
	struct gpu_proto_edu_bo_create req = { .size = size };
	void *ptr;
	int r;

	r = gpc_ioctl(dev, GPU_PROTO_IOCTL_EDU_BO_CREATE, &req);
	if (r < 0)
		return r;
	bo->handle = req.handle;
	r = gpc_bo_map(dev, req.handle, PROT_READ | PROT_WRITE, &ptr, &bo->size);
	if (r < 0)
		return r;
	bo->ptr = ptr;
	return 0;
}

static void bo_free(struct gpc_device *dev, struct bo *bo)
{
	struct gpu_proto_gem_close close = { .handle = bo->handle };

	if (bo->ptr)
		gpc_bo_unmap(bo->ptr, bo->size);
	if (bo->handle)
		(void)gpc_ioctl(dev, GPU_PROTO_IOCTL_GEM_CLOSE, &close);
	memset(bo, 0, sizeof(*bo));
}

static int dma(struct gpc_device *dev, const struct bo *bo, uint32_t dir, uint64_t bo_off,
	       uint32_t dev_off, uint32_t len)
{
	struct gpu_proto_edu_dma req = {
		.handle = bo->handle, .direction = dir, .bo_offset = bo_off,
		.dev_offset = dev_off, .length = len,
	};

	return gpc_ioctl(dev, GPU_PROTO_IOCTL_EDU_DMA, &req);
}

static void fill(uint8_t *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static int cmd_roundtrip(void)
{
	struct gpc_device *dev = NULL;
	struct bo a = { 0 }, b = { 0 };
	struct timespec t0;
	int r;

	r = gpc_open(NULL, 0, &dev);
	if (r < 0) {
		printf("gpc_open: %s\n", strerror(-r));
		return 1;
	}
	if ((r = bo_new(dev, 8192, &a)) < 0 || (r = bo_new(dev, 4096, &b)) < 0) {
		printf("object: %s\n", strerror(-r));
		return 1;
	}
	fill(a.ptr, a.size, (uint32_t)getpid());
	memset(b.ptr, 0, b.size);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = dma(dev, &a, GPU_PROTO_EDU_DMA_TO_DEVICE, 4096, 0, GPU_PROTO_EDU_DMA_USABLE);
	if (r == 0)
		r = dma(dev, &b, GPU_PROTO_EDU_DMA_FROM_DEVICE, 0, 0, GPU_PROTO_EDU_DMA_USABLE);
	if (r < 0) {
		printf("EDU_DMA: %s\n", strerror(-r));
		return 1;
	}
	printf("roundtrip: %u bytes to the device and back in %.1f ms\n",
	       GPU_PROTO_EDU_DMA_USABLE, ms_since(&t0));
	if (memcmp(a.ptr + 4096, b.ptr, GPU_PROTO_EDU_DMA_USABLE)) {
		printf("roundtrip: MISMATCH\n");
		return 1;
	}
	/* Offsets on both sides, across a page boundary of A. */
	r = dma(dev, &a, GPU_PROTO_EDU_DMA_TO_DEVICE, 4096 - 256, 1024, 512);
	if (r == 0)
		r = dma(dev, &b, GPU_PROTO_EDU_DMA_FROM_DEVICE, 2048, 1024, 512);
	if (r < 0 || memcmp(a.ptr + 4096 - 256, b.ptr + 2048, 512)) {
		printf("offset transfer: %s\n", r < 0 ? strerror(-r) : "MISMATCH");
		return 1;
	}
	/* Bad input through the real transport: a clear errno, nothing started. */
	r = dma(dev, &a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, GPU_PROTO_EDU_DMA_USABLE, 8);
	if (r != -EINVAL) {
		printf("range outside the device buffer: %d, not -EINVAL\n", r);
		return 1;
	}
	printf("roundtrip: bytes match\n");
	bo_free(dev, &a);
	bo_free(dev, &b);
	gpc_close(dev);
	return 0;
}

static int cmd_loop(unsigned int id, const char *stop)
{
	uint32_t off = (id % (GPU_PROTO_EDU_DMA_USABLE / SLICE)) * SLICE;
	unsigned long ok = 0, enodev = 0, reopen = 0, bad = 0, mismatch = 0, iter = 0;
	struct gpc_device *dev = NULL;
	struct bo a = { 0 }, b = { 0 };
	int r;

	while (access(stop, F_OK) != 0) {
		if (!dev) {
			r = gpc_open(NULL, 0, &dev);
			if (r == -ENODEV || r == -ENOENT) {
				usleep(50 * 1000);
				continue;
			}
			if (r < 0) {
				printf("client %u: gpc_open: %s\n", id, strerror(-r));
				bad++;
				break;
			}
			reopen++;
			if ((r = bo_new(dev, 4096, &a)) < 0 || (r = bo_new(dev, 4096, &b)) < 0)
				goto dead;
		}
		fill(a.ptr, SLICE, id << 24 | (uint32_t)iter++);
		memset(b.ptr, 0, SLICE);
		r = dma(dev, &a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, off, SLICE);
		if (r == 0)
			r = dma(dev, &b, GPU_PROTO_EDU_DMA_FROM_DEVICE, 0, off, SLICE);
		if (r == 0) {
			if (memcmp(a.ptr, b.ptr, SLICE)) {
				printf("client %u: MISMATCH at iteration %lu\n", id, iter);
				mismatch++;
			}
			ok++;
			continue;
		}
dead:
		if (r != -ENODEV) {
			printf("client %u: unexpected %s\n", id, strerror(-r));
			bad++;
		} else {
			enodev++;
		}
		/* The device went away: everything built on the handle goes with it. */
		bo_free(dev, &a);
		bo_free(dev, &b);
		gpc_close(dev);
		dev = NULL;
	}
	if (dev) {
		bo_free(dev, &a);
		bo_free(dev, &b);
		gpc_close(dev);
	}
	printf("client %u: %lu round trips ok, %lu ENODEV, %lu opens, %lu mismatches, %lu other "
	       "errors\n", id, ok, enodev, reopen, mismatch, bad);
	return ok && !mismatch && !bad ? 0 : 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "roundtrip"))
		return cmd_roundtrip();
	if (argc == 4 && !strcmp(argv[1], "loop"))
		return cmd_loop((unsigned int)strtoul(argv[2], NULL, 10), argv[3]);
	fprintf(stderr, "usage: gp-vm-edu-dma roundtrip | loop ID STOPFILE\n");
	return 2;
}
