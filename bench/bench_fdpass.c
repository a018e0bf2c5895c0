// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-proto-bench-fdpass: what a client's buffer mapping costs, as a
 * multiple of one GET_CAP, in process.
 *
 * The daemon's pieces run here for real: the dispatcher (through the
 * in-process transport, as libgpuproto's test seam reaches it), FD_TOKEN,
 * and the fd socket's server on its own thread; the client is libgpuproto.
 * Three variants, timed in interleaved batches (A B C A B C ...), each
 * figure the median of the batches:
 *
 *   getcap   gpc_get_cap(): one ioctl through the dispatcher
 *   bo-map   a 4 KiB object created (core API, as a driver's BO_CREATE
 *            does: object + handle, on a driver that has nothing else), gpc_bo_map() (FD_TOKEN ioctl, connect,
 *            redeem, SCM_RIGHTS, mmap), gpc_bo_unmap(), gpc_gem_close()
 *   bo       the same without the mapping: what the fd path adds
 *
 * and their ratios.  Over CUSE in the VM each ioctl is a kernel round trip
 * instead; bench-vm's tables cover that once mali-csf creates objects.
 * Not a test: nothing asserts a time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>
#include <gpuproto.h>
#include "gpuproto-private.h"

#include "driver.h"
#include "fdsock.h"
#include "fdtoken.h"
#include "file.h"
#include "gem.h"
#include "inproc.h"
#include "machine.h"
#include "registration.h"

#define BATCHES 21
#define PER_BATCH 200

static struct gp_inproc_caller *caller;

/*
 * A driver with buffer objects and nothing else: what is timed is the
 * core's objects and the fd path, not a driver's create ioctl.
 */
static int bench_probe(struct gp_unregistered_device *udev, void *data, struct gp_backend **backend)
{
	return 0;
}

static void bench_release(void *data)
{
}

static const struct gp_driver bench_driver = {
	.name = "bench", .desc = "gpu-proto fd-path benchmark", .date = "0",
	.features = GP_DRIVER_GEM, .data_size = 8,
	.probe = bench_probe, .release = bench_release,
};

static int seam_ioctl(void *data, int fd, unsigned long request, void *arg)
{
	int r;

	(void)fd;
	if (gp_inproc_caller_map(caller, arg, _IOC_SIZE(request), GP_USER_IN | GP_USER_OUT) < 0) {
		errno = ENOMEM;
		return -1;
	}
	r = gp_inproc_ioctl(caller, data, (unsigned int)request, (uint64_t)(uintptr_t)arg);
	gp_inproc_caller_unmap(caller, arg);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

static const struct gpc_sys_ops seam_ops = { .ioctl = seam_ioctl };

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int bo_cycle(struct gpc_device *dev, struct gp_file *file, bool map)
{
	struct gp_gem_object *obj;
	uint32_t handle;
	void *p;
	int r;

	r = gp_gem_object_create(file->dev, 4096, &obj);
	if (r < 0)
		return r;
	r = gp_gem_handle_create(file, obj, &handle);
	gp_gem_object_put(&obj);
	if (r < 0)
		return r;
	if (map) {
		r = gpc_bo_map(dev, handle, PROT_READ | PROT_WRITE, &p, NULL);
		if (r < 0)
			return r;
		((volatile char *)p)[0] = 1;
		gpc_bo_unmap(p, 4096);
	}
	return gpc_gem_close(dev, handle);
}

int main(void)
{
	struct gp_caller who = { .uid = getuid(), .gid = getgid(), .pid = getpid(), .pidfd = -1 };
	struct gp_fdsock_config cfg = { 0 };
	double a[BATCHES], b[BATCHES], c[BATCHES], ma, mb, mc;
	struct gp_registration *reg;
	struct gp_backend *be = NULL;
	struct gpc_device *dev;
	struct gp_fdsock *fds;
	struct gp_file *file;
	char dir[] = "/tmp/gp-bench-fdpass-XXXXXX", path[128], cpu[128], load[64];
	uint64_t v;
	int fd, r;

	r = gp_driver_bind(&bench_driver, &be, "bench:0", &reg);
	if (r < 0) {
		fprintf(stderr, "bind the bench driver: %s\n", strerror(-r));
		return 1;
	}
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/gpu-proto.fd.sock", dir);
	cfg.path = path;
	cfg.perm = (struct gp_node_perm){ .uid = getuid(), .gid = getgid(), .mode = 0600 };
	if (gp_fdsock_new(&cfg, &fds) < 0 || gp_fdsock_start(fds) < 0)
		return 1;
	setenv("GPU_PROTO_FD_SOCKET", path, 1);
	if (gp_inproc_caller_new(GP_INPROC_DIRECT, &caller) < 0 ||
	    gp_file_open(gp_registration_device(reg), &who, GP_NODE_RENDER, &file) < 0)
		return 1;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0 || gpc_open_fd(fd, 0, &dev) < 0)
		return 1;
	close(fd);
	gpc_private_set_sys_ops(dev, &seam_ops, file);

	/* Warm-up, and a check that the path works at all. */
	for (int i = 0; i < PER_BATCH; i++) {
		r = bo_cycle(dev, file, true);
		if (r == 0)
			r = gpc_get_cap(dev, GPU_PROTO_CAP_TIMESTAMP_MONOTONIC, &v);
		if (r < 0) {
			fprintf(stderr, "warm-up: %s\n", strerror(-r));
			return 1;
		}
	}
	for (int k = 0; k < BATCHES; k++) {
		double t0 = now_ns();

		for (int i = 0; i < PER_BATCH; i++)
			gpc_get_cap(dev, GPU_PROTO_CAP_TIMESTAMP_MONOTONIC, &v);
		a[k] = (now_ns() - t0) / PER_BATCH;
		t0 = now_ns();
		for (int i = 0; i < PER_BATCH; i++)
			bo_cycle(dev, file, true);
		b[k] = (now_ns() - t0) / PER_BATCH;
		t0 = now_ns();
		for (int i = 0; i < PER_BATCH; i++)
			bo_cycle(dev, file, false);
		c[k] = (now_ns() - t0) / PER_BATCH;
	}
	ma = gp_bench_median(a, BATCHES);
	mb = gp_bench_median(b, BATCHES);
	mc = gp_bench_median(c, BATCHES);
	gp_bench_cpu_model(cpu, sizeof(cpu));
	gp_bench_loadavg(load, sizeof(load));
	printf("cpu: %s\nloadavg: %s\n", cpu, load);
	printf("method: median of %d interleaved batches of %d, in process\n", BATCHES, PER_BATCH);
	printf("getcap                         %10.0f ns\n", ma);
	printf("bo create+map+unmap+close 4K   %10.0f ns\n", mb);
	printf("bo create+close 4K (no map)    %10.0f ns\n", mc);
	printf("ratio bo-map / getcap          %10.1fx\n", mb / ma);
	printf("ratio bo-map / bo create+close %10.1fx\n", mb / mc);

	gpc_close(dev);
	gp_file_close(&file);
	gp_inproc_caller_free(&caller);
	gp_fdsock_free(&fds);
	gp_fd_tokens_clear();
	gp_registration_free(&reg);
	rmdir(dir);
	return 0;
}
