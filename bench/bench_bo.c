// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-proto-bench-bo: what buffer objects cost a client, through
 * libgpuproto, in one run.
 *
 *   gpu-proto-bench-bo [OPTIONS] [DEVICE]          a running gpu-protod
 *   gpu-proto-bench-bo [OPTIONS] --in-process      the daemon's code here
 *
 * Two comparisons, each between variants timed batch by batch, interleaved,
 * with the order of the variants rotated every repetition, so that a drift
 * of the machine weighs on both alike; every figure is the median of
 * GP_BENCH_REPS (odd) batches after a time-based warm-up:
 *
 *  1. Write bandwidth of a mapped buffer object (mali-csf BO_CREATE, mapped
 *     with gpc_bo_map(): the object's memfd, MAP_SHARED) against private
 *     anonymous memory of the same size.  "steady" writes a mapping whose
 *     pages are all present (every page was written once before the
 *     batches); "first touch" writes a fresh mapping once, so each 4 KiB
 *     page costs a page fault (a shmem page for the object, an anonymous
 *     one for the other).  The object's mapping and its creation are not
 *     timed in the first-touch row: only the writes.  A third variant,
 *     anonymous memory with MADV_NOHUGEPAGE, is the control for page size:
 *     where the kernel gives anonymous memory transparent huge pages and
 *     shmem 4 KiB ones (the defaults), BO/anonymous measures page size as
 *     well as the mapping; BO/control measures the mapping alone.
 *
 *  2. A 4 KiB object's life through the library: gpc_mali_bo_create()
 *     (BO_CREATE), gpc_bo_map() (FD_TOKEN, the fd socket's SCM_RIGHTS
 *     exchange, mmap), gpc_bo_unmap() (munmap) and gpc_gem_close()
 *     (GEM_CLOSE), against gpc_get_cap() (one GET_CAP) on the same handle
 *     and therefore the same transport.  Each step is timed too, so that
 *     the breakdown shows what bounds the whole.  A GET_CAP batch has as
 *     many calls as last as long as a cycle batch (from the warm-up).
 *
 * With DEVICE (default /dev/gpu-proto) the library opens it as any client
 * does: over CUSE when it is a node, over the socket transport when it is
 * not and gpu-protod serves it on a socket ($GPU_PROTO_SOCKET).  With
 * --in-process, mali-csf is bound to a mock backend in this process, the
 * production fd-socket server (fdsock.c) serves a socket in a temporary
 * directory, and the library's handle issues its ioctls through the
 * in-process transport (its test seam): the library's and the daemon's
 * code, no transport round trips.
 *
 * A benchmark, never a test: the targets are reported, not asserted; only
 * a failing call exits non-zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "backend.h"
#include "drivers.h"
#include "fdsock.h"
#include "fdtoken.h"
#include "file.h"
#include "gpuproto-private.h"
#include "gpuproto.h"
#include "inproc.h"
#include "log.h"
#include "machine.h"
#include "mock.h"
#include "registration.h"

#ifndef GP_BENCH_BUILDTYPE
#define GP_BENCH_BUILDTYPE "unknown"
#endif

/* Odd, for a true median; TCG runs have an outlier batch or two. */
#define GP_BENCH_REPS			11
#define GP_BENCH_NSEC_PER_SEC		1000000000ull
#define GP_BENCH_WARMUP_NS		(500ull * 1000 * 1000)
#define GP_BENCH_DEFAULT_MIB		64u
#define GP_BENCH_DEFAULT_PASSES		4u
#define GP_BENCH_SMALL_BO		4096u
/*
 * Create+map+close cycles per batch: ~1 s per batch over CUSE under TCG
 * (~1 ms a cycle), a few ms on the host socket (~25 us) and in process.
 */
#define GP_BENCH_DEFAULT_CYCLES		200u
#define GP_BENCH_INPROC_CYCLES		2000u
#define GP_BENCH_MAX_CYCLES		10000000u

/* Targets (docs/performance.md, issue 12); reported, never asserted. */
#define GP_BENCH_TARGET_BW_RATIO	0.9
#define GP_BENCH_TARGET_CYCLE_RATIO	3.0

#define gp_bench_compiler_barrier(p) __asm__ __volatile__("" : : "r"(p) : "memory")

/*
 * The control: anonymous memory with transparent huge pages refused, so
 * 4 KiB pages as the memfd's (shmem's THP is off by default).  Where the
 * kernel gives anonymous memory huge pages, BO/anonymous mixes page size
 * into the comparison; BO/control does not.
 */
enum { GP_BENCH_BO, GP_BENCH_ANON, GP_BENCH_ANON_4K, GP_BENCH_MEM_VARIANTS };
static const char *const gp_bench_mem_labels[GP_BENCH_MEM_VARIANTS] = {
	[GP_BENCH_BO] = "BO (gpc_bo_map, memfd MAP_SHARED)",
	[GP_BENCH_ANON] = "anonymous (MAP_PRIVATE)",
	[GP_BENCH_ANON_4K] = "control: anonymous, MADV_NOHUGEPAGE",
};

enum { GP_BENCH_CYCLE, GP_BENCH_GET_CAP, GP_BENCH_OPS };
enum { GP_STEP_CREATE, GP_STEP_MAP, GP_STEP_UNMAP, GP_STEP_CLOSE, GP_STEPS };
static const char *const gp_bench_step_labels[GP_STEPS] = {
	[GP_STEP_CREATE] = "gpc_mali_bo_create (BO_CREATE)",
	[GP_STEP_MAP] = "gpc_bo_map (FD_TOKEN + fd socket + mmap)",
	[GP_STEP_UNMAP] = "gpc_bo_unmap (munmap)",
	[GP_STEP_CLOSE] = "gpc_gem_close (GEM_CLOSE)",
};

struct gp_bench_opts {
	const char *device;
	bool in_process;
	bool verbose;
	unsigned int mib;
	unsigned int passes;
	unsigned int cycles;
	bool skip_bw;
};

/* The daemon's side of --in-process. */
struct gp_bench_inproc {
	struct gp_registration *reg;
	struct gp_file *file;
	struct gp_inproc_caller *caller;
	struct gp_fdsock *fdsock;
	char dir[64];
	char fd_path[128];
};

static uint64_t gp_bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * GP_BENCH_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------------ */
/* --in-process: mali-csf on the mock, the fd socket, the library's seam     */
/* ------------------------------------------------------------------------ */

/*
 * The library's ioctl, routed to the dispatcher: the argument is made part
 * of the in-process caller's address space for the call, as a transport
 * would copy it in and out.
 */
static int gp_bench_seam_ioctl(void *data, int fd, unsigned long request, void *arg)
{
	struct gp_bench_inproc *ip = data;
	int r;

	(void)fd;
	r = gp_inproc_caller_map(ip->caller, arg, _IOC_SIZE(request), GP_USER_IN | GP_USER_OUT);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	r = gp_inproc_ioctl(ip->caller, ip->file, (unsigned int)request, (uintptr_t)arg);
	gp_inproc_caller_unmap(ip->caller, arg);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

static const struct gpc_sys_ops gp_bench_seam_ops = { .ioctl = gp_bench_seam_ioctl };

static void gp_bench_inproc_stop(struct gp_bench_inproc *ip)
{
	gp_fdsock_free(&ip->fdsock);
	gp_fd_tokens_clear();
	gp_file_close(&ip->file);
	gp_inproc_caller_free(&ip->caller);
	gp_registration_free(&ip->reg);
	if (ip->fd_path[0])
		unlink(ip->fd_path);
	if (ip->dir[0])
		rmdir(ip->dir);
}

static int gp_bench_inproc_start(struct gp_bench_inproc *ip, struct gpc_device **out)
{
	const struct gp_caller self = {
		.uid = getuid(), .gid = getgid(), .pid = getpid(), .pidfd = -1,
	};
	struct gp_fdsock_config cfg = { 0 };
	struct gp_backend *be = NULL;
	struct gp_mock_config mcfg;
	char unique[sizeof(be->bus_id)];
	int fd, r;

	gp_mock_config_init(&mcfg);
	r = gp_mock_open(&mcfg, &be);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "mock backend: cannot open");
	snprintf(unique, sizeof(unique), "%s", be->bus_id);
	r = gp_driver_bind(&gp_mali_csf_driver, &be, unique, &ip->reg);
	if (r < 0) {
		gp_backend_release(&be);
		return gp_log_errno(LOG_ERR, r, "mali-csf: probe on the mock backend failed");
	}
	r = gp_file_open(gp_registration_device(ip->reg), &self, GP_NODE_RENDER, &ip->file);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "open mali-csf render node");
	r = gp_inproc_caller_new(GP_INPROC_DIRECT, &ip->caller);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "in-process transport");

	snprintf(ip->dir, sizeof(ip->dir), "%s", "/tmp/gp-bench-bo-XXXXXX");
	if (!mkdtemp(ip->dir)) {
		r = -errno;
		ip->dir[0] = '\0';
		return gp_log_errno(LOG_ERR, r, "mkdtemp");
	}
	snprintf(ip->fd_path, sizeof(ip->fd_path), "%s/gpu-proto.fd.sock", ip->dir);
	cfg.path = ip->fd_path;
	cfg.perm = (struct gp_node_perm){ .uid = getuid(), .gid = getgid(), .mode = 0600 };
	r = gp_fdsock_new(&cfg, &ip->fdsock);
	if (r < 0)
		return r;
	r = gp_fdsock_start(ip->fdsock);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "fd socket: start");
	/* The library reads it when the handle is made. */
	if (setenv("GPU_PROTO_FD_SOCKET", ip->fd_path, 1) < 0)
		return gp_log_errno(LOG_ERR, errno, "setenv");

	/* A handle on any open file; every ioctl goes through the seam. */
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return gp_log_errno(LOG_ERR, errno, "/dev/null");
	r = gpc_open_fd(fd, 0, out);
	close(fd);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "gpc_open_fd");
	gpc_private_set_sys_ops(*out, &gp_bench_seam_ops, ip);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* 1. write bandwidth                                                        */
/* ------------------------------------------------------------------------ */

/* A mapping of one variant; @handle is the object's for GP_BENCH_BO. */
struct gp_bench_mapping {
	void *ptr;
	uint64_t size;
	uint32_t handle;
};

static int gp_bench_map(struct gpc_device *dev, int variant, uint64_t size,
			struct gp_bench_mapping *m)
{
	uint64_t got = 0;
	int r;

	*m = (struct gp_bench_mapping){ 0 };
	if (variant != GP_BENCH_BO) {
		m->ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m->ptr == MAP_FAILED) {
			m->ptr = NULL;
			return gp_log_errno(LOG_ERR, errno, "mmap of %" PRIu64 " anonymous bytes", size);
		}
		m->size = size;
		/* Before the first touch: no huge page is ever put there. */
		if (variant == GP_BENCH_ANON_4K && madvise(m->ptr, size, MADV_NOHUGEPAGE) < 0) {
			r = gp_log_errno(LOG_ERR, errno, "madvise(MADV_NOHUGEPAGE)");
			munmap(m->ptr, size);
			*m = (struct gp_bench_mapping){ 0 };
			return r;
		}
		return 0;
	}
	r = gpc_mali_bo_create(dev, size, 0, 0, &m->handle, &got);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "gpc_mali_bo_create(%" PRIu64 ")", size);
	r = gpc_bo_map(dev, m->handle, PROT_READ | PROT_WRITE, &m->ptr, &m->size);
	if (r < 0) {
		gpc_gem_close(dev, m->handle);
		m->handle = 0;
		return gp_log_errno(LOG_ERR, r, "gpc_bo_map(%" PRIu32 ")", m->handle);
	}
	return 0;
}

static int gp_bench_unmap(struct gpc_device *dev, struct gp_bench_mapping *m)
{
	int r = 0, k;

	if (m->ptr && munmap(m->ptr, m->size) < 0)
		r = gp_log_errno(LOG_ERR, errno, "munmap");
	if (m->handle) {
		k = gpc_gem_close(dev, m->handle);
		if (k < 0 && r == 0)
			r = gp_log_errno(LOG_ERR, k, "gpc_gem_close(%" PRIu32 ")", m->handle);
	}
	*m = (struct gp_bench_mapping){ 0 };
	return r;
}

static uint64_t gp_bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * GP_BENCH_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/*
 * @passes memset()s of the whole mapping: GiB per second of this thread's
 * CPU time (page faults included: the kernel runs them on the thread), so
 * that time other load took the CPU away is not counted; *@on_cpu: that
 * CPU time over the wall-clock time.
 */
static double gp_bench_write(struct gp_bench_mapping *m, unsigned int passes, unsigned int *val,
			     double *on_cpu)
{
	uint64_t t0, t1, c0, c1;

	t0 = gp_bench_now_ns();
	c0 = gp_bench_cpu_ns();
	for (unsigned int i = 0; i < passes; i++) {
		/* A different byte every pass: no pass writes what is already there. */
		memset(m->ptr, (int)(++*val & 0xff), m->size);
		gp_bench_compiler_barrier(m->ptr);
	}
	c1 = gp_bench_cpu_ns();
	t1 = gp_bench_now_ns();
	if (on_cpu)
		*on_cpu = t1 > t0 ? (double)(c1 - c0) / (double)(t1 - t0) : 1.0;
	return (double)m->size * passes / (double)(1ull << 30) /
	       ((double)(c1 > c0 ? c1 - c0 : 1) / GP_BENCH_NSEC_PER_SEC);
}

struct gp_bench_bw {
	double steady[GP_BENCH_MEM_VARIANTS][GP_BENCH_REPS];	/* GiB/s */
	double touch[GP_BENCH_MEM_VARIANTS][GP_BENCH_REPS];	/* GiB/s */
	double on_cpu[GP_BENCH_REPS * GP_BENCH_MEM_VARIANTS * 2];	/* every batch's */
};

static int gp_bench_bandwidth(struct gpc_device *dev, const struct gp_bench_opts *o,
			      struct gp_bench_bw *bw)
{
	struct gp_bench_mapping m[GP_BENCH_MEM_VARIANTS] = { 0 }, fresh;
	uint64_t size = (uint64_t)o->mib << 20, t0;
	unsigned int val = 0;
	int r = 0;

	for (int v = 0; v < GP_BENCH_MEM_VARIANTS; v++) {
		r = gp_bench_map(dev, v, size, &m[v]);
		if (r < 0)
			goto out;
		if (m[v].size != size) {
			r = gp_log_errno(LOG_ERR, EPROTO, "%s: %" PRIu64 " bytes, asked %" PRIu64,
					 gp_bench_mem_labels[v], m[v].size, size);
			goto out;
		}
		/* First touch, then warm up: the steady rows see present pages only. */
		t0 = gp_bench_now_ns();
		do {
			gp_bench_write(&m[v], 1, &val, NULL);
		} while (gp_bench_now_ns() - t0 < GP_BENCH_WARMUP_NS);
	}
	for (unsigned int rep = 0; rep < GP_BENCH_REPS; rep++) {
		for (int i = 0; i < GP_BENCH_MEM_VARIANTS; i++) {
			int v = (int)((rep + (unsigned int)i) % GP_BENCH_MEM_VARIANTS);

			bw->steady[v][rep] = gp_bench_write(&m[v], o->passes, &val,
							    &bw->on_cpu[(rep * GP_BENCH_MEM_VARIANTS + v) * 2]);
			if (o->verbose)
				printf("  batch %2u steady      %-36s %7.2f GiB/s\n", rep,
				       gp_bench_mem_labels[v], bw->steady[v][rep]);
		}
		for (int i = 0; i < GP_BENCH_MEM_VARIANTS; i++) {
			int v = (int)((rep + (unsigned int)i) % GP_BENCH_MEM_VARIANTS);

			r = gp_bench_map(dev, v, size, &fresh);
			if (r < 0)
				goto out;
			bw->touch[v][rep] = gp_bench_write(&fresh, 1, &val,
							   &bw->on_cpu[(rep * GP_BENCH_MEM_VARIANTS + v) * 2 + 1]);
			r = gp_bench_unmap(dev, &fresh);
			if (r < 0)
				goto out;
			if (o->verbose)
				printf("  batch %2u first touch %-36s %7.2f GiB/s\n", rep,
				       gp_bench_mem_labels[v], bw->touch[v][rep]);
		}
	}
out:
	for (int v = 0; v < GP_BENCH_MEM_VARIANTS; v++) {
		int k = gp_bench_unmap(dev, &m[v]);

		if (k < 0 && r == 0)
			r = k;
	}
	return r;
}

/* ------------------------------------------------------------------------ */
/* 2. create + map + close vs GET_CAP                                        */
/* ------------------------------------------------------------------------ */

struct gp_bench_cycle {
	double us[GP_BENCH_OPS][GP_BENCH_REPS];		/* per operation */
	double step_us[GP_STEPS][GP_BENCH_REPS];	/* per cycle, by step */
	unsigned int get_caps;				/* GET_CAPs per batch */
};

/* @n 4 KiB create+map+unmap+close cycles; per-step time added to @step_ns. */
static int gp_bench_cycles(struct gpc_device *dev, unsigned int n, uint64_t *step_ns)
{
	uint64_t t[GP_STEPS + 1], size;
	uint32_t handle;
	void *p;
	int r;

	for (unsigned int i = 0; i < n; i++) {
		t[0] = gp_bench_now_ns();
		r = gpc_mali_bo_create(dev, GP_BENCH_SMALL_BO, 0, 0, &handle, NULL);
		if (r < 0)
			return gp_log_errno(LOG_ERR, r, "gpc_mali_bo_create(4096)");
		t[1] = gp_bench_now_ns();
		r = gpc_bo_map(dev, handle, PROT_READ | PROT_WRITE, &p, &size);
		if (r < 0) {
			gpc_gem_close(dev, handle);
			return gp_log_errno(LOG_ERR, r, "gpc_bo_map(%" PRIu32 ")", handle);
		}
		t[2] = gp_bench_now_ns();
		r = gpc_bo_unmap(p, size);
		if (r < 0) {
			gpc_gem_close(dev, handle);
			return gp_log_errno(LOG_ERR, r, "gpc_bo_unmap");
		}
		t[3] = gp_bench_now_ns();
		r = gpc_gem_close(dev, handle);
		if (r < 0)
			return gp_log_errno(LOG_ERR, r, "gpc_gem_close(%" PRIu32 ")", handle);
		t[4] = gp_bench_now_ns();
		for (int s = 0; s < GP_STEPS; s++)
			step_ns[s] += t[s + 1] - t[s];
	}
	return 0;
}

static int gp_bench_get_caps(struct gpc_device *dev, unsigned int n)
{
	uint64_t v;
	int r;

	for (unsigned int i = 0; i < n; i++) {
		r = gpc_get_cap(dev, GPU_PROTO_CAP_TIMESTAMP_MONOTONIC, &v);
		if (r < 0)
			return gp_log_errno(LOG_ERR, r, "gpc_get_cap(TIMESTAMP_MONOTONIC)");
	}
	return 0;
}

/* One batch of @op: microseconds per operation in *@us. */
static int gp_bench_op_batch(struct gpc_device *dev, int op, unsigned int n, double *us,
			     uint64_t *step_ns)
{
	uint64_t t0, t1, unused[GP_STEPS] = { 0 };
	int r;

	t0 = gp_bench_now_ns();
	if (op == GP_BENCH_CYCLE)
		r = gp_bench_cycles(dev, n, step_ns ? step_ns : unused);
	else
		r = gp_bench_get_caps(dev, n);
	t1 = gp_bench_now_ns();
	if (r < 0)
		return r;
	*us = (double)(t1 - t0) / 1000.0 / n;
	return 0;
}

/*
 * GET_CAP batches are made as long in time as the cycle batches (from the
 * warm-up's figures): batches of the same op count would last 5-2000x
 * less, and a loaded host's noise, which comes in stretches, would weigh
 * on the two differently.
 */
#define GP_BENCH_MAX_GET_CAP_FACTOR	100000u

static int gp_bench_cycle_vs_get_cap(struct gpc_device *dev, const struct gp_bench_opts *o,
				     struct gp_bench_cycle *c)
{
	static const char *const labels[GP_BENCH_OPS] = {
		[GP_BENCH_CYCLE] = "4 KiB create+map+close", [GP_BENCH_GET_CAP] = "GET_CAP",
	};
	double warm[GP_BENCH_OPS] = { 0 }, factor;
	unsigned int n[GP_BENCH_OPS];
	int r;

	for (int op = 0; op < GP_BENCH_OPS; op++) {
		uint64_t t0 = gp_bench_now_ns();

		do {
			r = gp_bench_op_batch(dev, op, o->cycles / 4 + 1, &warm[op], NULL);
			if (r < 0)
				return r;
		} while (gp_bench_now_ns() - t0 < GP_BENCH_WARMUP_NS);
	}
	factor = warm[GP_BENCH_GET_CAP] > 0 ? warm[GP_BENCH_CYCLE] / warm[GP_BENCH_GET_CAP] : 1;
	if (factor < 1)
		factor = 1;
	if (factor > GP_BENCH_MAX_GET_CAP_FACTOR)
		factor = GP_BENCH_MAX_GET_CAP_FACTOR;
	n[GP_BENCH_CYCLE] = o->cycles;
	n[GP_BENCH_GET_CAP] = (uint64_t)(o->cycles * factor + 0.5) > GP_BENCH_MAX_CYCLES ?
			      GP_BENCH_MAX_CYCLES : (unsigned int)(o->cycles * factor + 0.5);
	c->get_caps = n[GP_BENCH_GET_CAP];
	for (unsigned int rep = 0; rep < GP_BENCH_REPS; rep++) {
		for (int i = 0; i < GP_BENCH_OPS; i++) {
			int op = (int)((rep + (unsigned int)i) % GP_BENCH_OPS);
			uint64_t step_ns[GP_STEPS] = { 0 };

			r = gp_bench_op_batch(dev, op, n[op], &c->us[op][rep], step_ns);
			if (r < 0)
				return r;
			if (op == GP_BENCH_CYCLE)
				for (int s = 0; s < GP_STEPS; s++)
					c->step_us[s][rep] = (double)step_ns[s] / 1000.0 / n[op];
			if (o->verbose)
				printf("  batch %2u %-24s %10.3f us\n", rep, labels[op], c->us[op][rep]);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* main                                                                      */
/* ------------------------------------------------------------------------ */

static void gp_bench_print_machine(const struct gp_bench_opts *o, const char *transport)
{
	char thp[128], shmem[128];

	gp_bench_print_host(GP_BENCH_BUILDTYPE);
	gp_bench_read_line("/sys/kernel/mm/transparent_hugepage/enabled", thp, sizeof(thp));
	gp_bench_read_line("/sys/kernel/mm/transparent_hugepage/shmem_enabled", shmem,
			   sizeof(shmem));
	printf("transparent huge pages: anonymous %s; shmem %s\n", thp, shmem);
	printf("path: %s\n", transport);
	printf("method: median of %d batches, variants interleaved and their order rotated every\n"
	       "batch, after a %llu ms warm-up each; %u MiB written %u times per steady batch,\n"
	       "once per first-touch batch; %u create+map+close cycles per batch, and as many\n"
	       "GET_CAPs as take as long (from the warm-up)\n\n",
	       GP_BENCH_REPS, GP_BENCH_WARMUP_NS / 1000000, o->mib, o->passes, o->cycles);
}

/* The largest (@max) or smallest of @n values. */
static double gp_bench_extreme(const double *v, unsigned int n, bool max)
{
	double x = v[0];

	for (unsigned int i = 1; i < n; i++)
		if (max ? v[i] > x : v[i] < x)
			x = v[i];
	return x;
}

static const char *gp_bench_met(bool met)
{
	return met ? "MET" : "NOT MET";
}

static void gp_bench_report(const struct gp_bench_opts *o, const struct gp_bench_bw *bw,
			    const struct gp_bench_cycle *c)
{
	double steady[GP_BENCH_MEM_VARIANTS] = { 0 }, touch[GP_BENCH_MEM_VARIANTS] = { 0 };
	double us[GP_BENCH_OPS], step[GP_STEPS], cycle_ratio[GP_BENCH_REPS];
	double ratio;

	if (!o->skip_bw) {
		for (int v = 0; v < GP_BENCH_MEM_VARIANTS; v++) {
			steady[v] = gp_bench_median(bw->steady[v], GP_BENCH_REPS);
			touch[v] = gp_bench_median(bw->touch[v], GP_BENCH_REPS);
		}
		printf("%-36s %16s %22s\n", "write bandwidth (median)", "steady", "first touch");
		for (int v = 0; v < GP_BENCH_MEM_VARIANTS; v++)
			printf("%-36s %10.2f GiB/s %10.2f GiB/s (%5.0f ns/page)\n",
			       gp_bench_mem_labels[v], steady[v], touch[v],
			       4096.0 / (touch[v] * (double)(1ull << 30)) * 1e9);
		printf("%-36s %15.3fx %21.3fx\n", "BO / anonymous", steady[GP_BENCH_BO] /
		       steady[GP_BENCH_ANON], touch[GP_BENCH_BO] / touch[GP_BENCH_ANON]);
		printf("%-36s %15.3fx %21.3fx\n", "BO / control (4 KiB pages)",
		       steady[GP_BENCH_BO] / steady[GP_BENCH_ANON_4K],
		       touch[GP_BENCH_BO] / touch[GP_BENCH_ANON_4K]);
		printf("(GiB per second of the writing thread's CPU time, faults included; the\n"
		       " batches ran on-CPU %.0f%% of their wall time at the least)\n\n",
		       100.0 * gp_bench_extreme(bw->on_cpu, GP_BENCH_REPS * GP_BENCH_MEM_VARIANTS * 2,
						false));
	}

	for (int op = 0; op < GP_BENCH_OPS; op++)
		us[op] = gp_bench_median(c->us[op], GP_BENCH_REPS);
	for (unsigned int rep = 0; rep < GP_BENCH_REPS; rep++)
		cycle_ratio[rep] = c->us[GP_BENCH_CYCLE][rep] / c->us[GP_BENCH_GET_CAP][rep];
	ratio = us[GP_BENCH_CYCLE] / us[GP_BENCH_GET_CAP];
	printf("%-44s %12s %10s\n", "per operation (median)", "time", "/GET_CAP");
	printf("%-44s %9.3f us %9.2fx\n", "4 KiB create+map+close", us[GP_BENCH_CYCLE], ratio);
	for (int s = 0; s < GP_STEPS; s++) {
		step[s] = gp_bench_median(c->step_us[s], GP_BENCH_REPS);
		printf("  %-42s %9.3f us %9.2fx\n", gp_bench_step_labels[s], step[s],
		       step[s] / us[GP_BENCH_GET_CAP]);
	}
	printf("%-44s %9.3f us %9.2fx  (%u per batch)\n", "GET_CAP (gpc_get_cap)",
	       us[GP_BENCH_GET_CAP], 1.0, c->get_caps);
	printf("(the steps are timed inside the cycle batches, clock reads included;\n"
	       " per-batch create+map+close/GET_CAP ranged %.2f-%.2fx)\n\n",
	       gp_bench_extreme(cycle_ratio, GP_BENCH_REPS, false),
	       gp_bench_extreme(cycle_ratio, GP_BENCH_REPS, true));

	if (!o->skip_bw)
		printf("target: mapped BO steady write >= %.1fx anonymous: %s (%.3fx; %.3fx the "
		       "4 KiB-page control)\n",
		       GP_BENCH_TARGET_BW_RATIO,
		       gp_bench_met(steady[GP_BENCH_BO] / steady[GP_BENCH_ANON] >=
				    GP_BENCH_TARGET_BW_RATIO),
		       steady[GP_BENCH_BO] / steady[GP_BENCH_ANON],
		       steady[GP_BENCH_BO] / steady[GP_BENCH_ANON_4K]);
	printf("aim: 4 KiB create+map+close <= %.0fx GET_CAP: %s (%.2fx)\n",
	       GP_BENCH_TARGET_CYCLE_RATIO, gp_bench_met(ratio <= GP_BENCH_TARGET_CYCLE_RATIO),
	       ratio);
}

static void gp_usage(FILE *out)
{
	fprintf(out,
		"Usage: gpu-proto-bench-bo [OPTIONS] [DEVICE]\n"
		"       gpu-proto-bench-bo [OPTIONS] --in-process\n"
		"\n"
		"Times, through libgpuproto on mali-csf: writing a mapped buffer object\n"
		"(gpc_bo_map) against private anonymous memory, steady and first touch;\n"
		"and a 4 KiB buffer object's create+map+unmap+close against one GET_CAP.\n"
		"DEVICE (default %s) is opened as any client opens it (CUSE\n"
		"node, or the socket transport); --in-process binds mali-csf to a mock\n"
		"backend here and serves the fd socket from this process.  Prints\n"
		"figures and ratios; never fails on a figure.\n"
		"\n"
		"Options:\n"
		"      --in-process    the daemon's code in this process, no transport\n"
		"      --size-mib=N    bytes of the bandwidth buffers, in MiB (default %u)\n"
		"      --passes=N      writes of the buffer per steady batch (default %u)\n"
		"      --cycles=N      create+map+close cycles per batch (default %u;\n"
		"                      %u with --in-process); GET_CAP batches last as long\n"
		"      --no-bandwidth  skip the bandwidth comparison\n"
		"  -v, --verbose       print every batch\n"
		"  -h, --help          show this help and exit\n",
		GPC_DEFAULT_PATH, GP_BENCH_DEFAULT_MIB, GP_BENCH_DEFAULT_PASSES,
		GP_BENCH_DEFAULT_CYCLES, GP_BENCH_INPROC_CYCLES);
}

static int gp_parse_uint(const char *opt, const char *arg, unsigned int min, unsigned int max,
			 unsigned int *out)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || n < min || n > max)
		return gp_log_errno(LOG_ERR, EINVAL, "--%s=%s: expected a number in [%u, %u]", opt,
				    arg, min, max);
	*out = (unsigned int)n;
	return 0;
}

/* 0 to run, 1 to exit successfully (--help), -EINVAL on bad usage. */
static int gp_parse_args(int argc, char **argv, struct gp_bench_opts *o)
{
	enum { OPT_IN_PROCESS = 0x100, OPT_MIB, OPT_PASSES, OPT_CYCLES, OPT_NO_BW };
	static const struct option longopts[] = {
		{ "in-process", no_argument, NULL, OPT_IN_PROCESS },
		{ "size-mib", required_argument, NULL, OPT_MIB },
		{ "passes", required_argument, NULL, OPT_PASSES },
		{ "cycles", required_argument, NULL, OPT_CYCLES },
		{ "no-bandwidth", no_argument, NULL, OPT_NO_BW },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool cycles_set = false;
	int c, r;

	*o = (struct gp_bench_opts){
		.mib = GP_BENCH_DEFAULT_MIB, .passes = GP_BENCH_DEFAULT_PASSES,
		.cycles = GP_BENCH_DEFAULT_CYCLES,
	};
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_IN_PROCESS:
			o->in_process = true;
			break;
		case OPT_MIB:
			r = gp_parse_uint("size-mib", optarg, 1, 4096, &o->mib);
			if (r < 0)
				return r;
			break;
		case OPT_PASSES:
			r = gp_parse_uint("passes", optarg, 1, 1000, &o->passes);
			if (r < 0)
				return r;
			break;
		case OPT_CYCLES:
			r = gp_parse_uint("cycles", optarg, 1, GP_BENCH_MAX_CYCLES, &o->cycles);
			if (r < 0)
				return r;
			cycles_set = true;
			break;
		case OPT_NO_BW:
			o->skip_bw = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			gp_usage(stdout);
			return 1;
		default:
			fprintf(stderr, "Try 'gpu-proto-bench-bo --help'.\n");
			return -EINVAL;
		}
	}
	if (optind < argc)
		o->device = argv[optind++];
	if (optind < argc)
		return gp_log_errno(LOG_ERR, EINVAL, "unexpected argument '%s'", argv[optind]);
	if (o->in_process && o->device)
		return gp_log_errno(LOG_ERR, EINVAL, "--in-process takes no DEVICE");
	if (o->in_process && !cycles_set)
		o->cycles = GP_BENCH_INPROC_CYCLES;
	return 0;
}

int main(int argc, char **argv)
{
	struct gp_bench_inproc ip = { 0 };
	struct gp_bench_opts o;
	struct gpc_device *dev = NULL;
	static struct gp_bench_bw bw;
	static struct gp_bench_cycle cyc;
	char transport[256];
	struct stat st;
	int r;

	r = gp_parse_args(argc, argv, &o);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	gp_log_set_max_level(LOG_WARNING);

	if (o.in_process) {
		r = gp_bench_inproc_start(&ip, &dev);
		snprintf(transport, sizeof(transport),
			 "in process (mali-csf on the mock, in-process transport, fd socket %s)",
			 ip.fd_path);
	} else {
		const char *path = o.device ? o.device : GPC_DEFAULT_PATH;

		r = gpc_open(path, 0, &dev);
		if (r < 0)
			gp_log_errno(LOG_ERR, r, "gpc_open(%s)", path);
		snprintf(transport, sizeof(transport), "%s (%s)", path,
			 stat(path, &st) == 0 && S_ISCHR(st.st_mode) ?
			 "a device node: CUSE" : "no node: the socket transport");
	}
	if (r < 0)
		goto out;

	gp_bench_print_machine(&o, transport);
	fflush(stdout);
	if (!o.skip_bw) {
		r = gp_bench_bandwidth(dev, &o, &bw);
		if (r < 0)
			goto out;
	}
	r = gp_bench_cycle_vs_get_cap(dev, &o, &cyc);
	if (r < 0)
		goto out;
	gp_bench_report(&o, &bw, &cyc);
out:
	gpc_close(dev);
	if (o.in_process)
		gp_bench_inproc_stop(&ip);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
