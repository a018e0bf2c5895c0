// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-proto-bench-submit: what a GPU job costs a client, through
 * libgpuproto, in one run.
 *
 *   gpu-proto-bench-submit [OPTIONS] --in-process [DEVICE]
 *   gpu-proto-bench-submit [OPTIONS] DEVICE
 *
 * Paths: --in-process binds mali-csf to a mock backend in this process
 * (with the production fd-socket server, for gpc_bo_map()) and routes the
 * library's ioctls through the in-process transport (its test seam): the
 * library's, the dispatcher's, the driver's and the mock CSF's code, no
 * transport round trip.  DEVICE is opened as any client opens it: over
 * CUSE when it is a node, over the socket transport otherwise.  Both may
 * be given; their variants are then timed in the same run.
 *
 * 1. Latency: submit-to-signal of a one-instruction stream (a NOP): one
 *    GROUP_SUBMIT with a signal operation on the next point of a timeline
 *    sync object, then SYNCOBJ_TIMELINE_WAIT for that point; against one
 *    GET_CAP on the same handle (the floor of the path: one round trip).
 *    Every variant is timed batch by batch, interleaved, the order rotated
 *    every repetition; each figure is the median of GP_BENCH_REPS batches
 *    after a warm-up; a GET_CAP batch lasts as long as a submit batch.
 *
 * 2. Throughput: jobs per second with 1 and with 4 clients (threads, each
 *    with its own handle, VM, group and sync object) submitting and waiting
 *    in a loop for --batch-ms; 1 and 4 interleaved, median of the batches.
 *
 * A benchmark, never a test: the aim (CUSE submit <= 3x GET_CAP) is
 * reported, not asserted; only a failing call exits non-zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
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

#include <gpu-proto/gpu_proto_cs.h>
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

#define GP_BENCH_REPS		11	/* odd, for a true median */
#define GP_BENCH_TPUT_REPS	5
#define GP_BENCH_CLIENTS	4
#define GP_BENCH_WARMUP_NS	(300ull * 1000 * 1000)
#define GP_BENCH_WAIT_NS	(10ll * 1000 * 1000 * 1000)
#define GP_BENCH_TARGET_RATIO	3.0
#define GP_BENCH_CS_VA		0x01000000ull

enum { PATH_INPROC, PATH_DEVICE, PATHS };
enum { OP_SUBMIT, OP_GET_CAP, OPS };

struct gp_bench_opts {
	const char *device;
	bool in_process;
	bool verbose;
	unsigned int batch_ms;
};

/* The daemon's side of --in-process: one device, a file per client. */
struct gp_bench_inproc {
	struct gp_registration *reg;
	struct gp_fdsock *fdsock;
	int irq_fd[GP_MOCK_NUM_IRQS];
	pthread_t pump;
	bool pump_running;
	atomic_bool pump_stop;
	char dir[64];
	char fd_path[128];
};

struct gp_bench_seam {
	struct gp_file *file;
	struct gp_inproc_caller *caller;
};

/* One client: a handle with a VM, the NOP stream, a group and a timeline. */
struct gp_bench_client {
	struct gpc_device *dev;
	struct gp_bench_seam seam;	/* in-process only */
	uint32_t vm, bo, group, syncobj;
	void *map;
	uint64_t map_size, point;
	/* Throughput threads. */
	pthread_t thread;
	uint64_t jobs;
	int err;
};

static struct gp_bench_inproc inproc;
static atomic_bool tput_stop;

static uint64_t gp_bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------------ */
/* --in-process                                                              */
/* ------------------------------------------------------------------------ */

/*
 * The library's ioctl, routed to the dispatcher.  The whole user half of
 * the address space is the caller's memory, so the arrays the sync and
 * submit ioctls point at are reachable as they are through a transport.
 */
static int gp_bench_seam_ioctl(void *data, int fd, unsigned long request, void *arg)
{
	struct gp_bench_seam *s = data;
	int r;

	(void)fd;
	r = gp_inproc_ioctl(s->caller, s->file, (unsigned int)request, (uintptr_t)arg);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

static const struct gpc_sys_ops gp_bench_seam_ops = { .ioctl = gp_bench_seam_ioctl };

/*
 * The control plane's part in the daemon: every interrupt line the mock
 * raises goes to the driver's handler (job completion is the job IRQ).
 */
static void *gp_bench_irq_pump(void *arg)
{
	struct gp_device *dev = gp_registration_device(inproc.reg);
	struct pollfd pfd[GP_MOCK_NUM_IRQS];

	(void)arg;
	for (unsigned int i = 0; i < GP_MOCK_NUM_IRQS; i++)
		pfd[i] = (struct pollfd){ .fd = inproc.irq_fd[i], .events = POLLIN };
	while (!atomic_load(&inproc.pump_stop)) {
		if (poll(pfd, GP_MOCK_NUM_IRQS, 50) <= 0)
			continue;
		for (unsigned int i = 0; i < GP_MOCK_NUM_IRQS; i++) {
			uint64_t count;

			if ((pfd[i].revents & POLLIN) &&
			    read(pfd[i].fd, &count, sizeof(count)) == sizeof(count))
				(void)gp_device_handle_irq(dev, i);
		}
	}
	return NULL;
}

static void gp_bench_inproc_stop(void)
{
	if (inproc.pump_running) {
		atomic_store(&inproc.pump_stop, true);
		pthread_join(inproc.pump, NULL);
		inproc.pump_running = false;
	}
	gp_fdsock_free(&inproc.fdsock);
	gp_fd_tokens_clear();
	gp_registration_free(&inproc.reg);
	if (inproc.fd_path[0])
		unlink(inproc.fd_path);
	if (inproc.dir[0])
		rmdir(inproc.dir);
}

static int gp_bench_inproc_start(void)
{
	struct gp_fdsock_config cfg = { 0 };
	struct gp_backend *be = NULL;
	struct gp_mock_config mcfg;
	char unique[sizeof(be->bus_id)];
	int r;

	gp_mock_config_init(&mcfg);
	r = gp_mock_open(&mcfg, &be);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "mock backend: cannot open");
	snprintf(unique, sizeof(unique), "%s", be->bus_id);
	/* The eventfds live as long as the backend, which the registration keeps. */
	for (unsigned int i = 0; i < GP_MOCK_NUM_IRQS; i++)
		inproc.irq_fd[i] = gp_backend_irq_fd(be, i);
	r = gp_driver_bind(&gp_mali_csf_driver, &be, unique, &inproc.reg);
	if (r < 0) {
		gp_backend_release(&be);
		return gp_log_errno(LOG_ERR, r, "mali-csf: probe on the mock backend failed");
	}
	atomic_store(&inproc.pump_stop, false);
	r = pthread_create(&inproc.pump, NULL, gp_bench_irq_pump, NULL);
	if (r)
		return gp_log_errno(LOG_ERR, r, "pthread_create (IRQ pump)");
	inproc.pump_running = true;
	snprintf(inproc.dir, sizeof(inproc.dir), "%s", "/tmp/gp-bench-submit-XXXXXX");
	if (!mkdtemp(inproc.dir)) {
		r = -errno;
		inproc.dir[0] = '\0';
		return gp_log_errno(LOG_ERR, r, "mkdtemp");
	}
	snprintf(inproc.fd_path, sizeof(inproc.fd_path), "%s/gpu-proto.fd.sock", inproc.dir);
	cfg.path = inproc.fd_path;
	cfg.perm = (struct gp_node_perm){ .uid = getuid(), .gid = getgid(), .mode = 0600 };
	r = gp_fdsock_new(&cfg, &inproc.fdsock);
	if (r < 0)
		return r;
	r = gp_fdsock_start(inproc.fdsock);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "fd socket: start");
	return 0;
}

/* A handle of a new file of the in-process device. */
static int gp_bench_inproc_open(struct gp_bench_client *c)
{
	const struct gp_caller self = {
		.uid = getuid(), .gid = getgid(), .pid = getpid(), .pidfd = -1,
	};
	const char *saved = getenv("GPU_PROTO_FD_SOCKET");
	int fd, r;

	r = gp_file_open(gp_registration_device(inproc.reg), &self, GP_NODE_RENDER,
			 &c->seam.file);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "open mali-csf render node");
	r = gp_inproc_caller_new(GP_INPROC_DIRECT, &c->seam.caller);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "in-process transport");
	r = gp_inproc_caller_map(c->seam.caller, (const void *)(uintptr_t)4096,
				 ((size_t)1 << 47) - 4096, GP_USER_IN | GP_USER_OUT);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "in-process caller map");
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return gp_log_errno(LOG_ERR, errno, "/dev/null");
	/* The library reads the fd socket's path when the handle is made. */
	setenv("GPU_PROTO_FD_SOCKET", inproc.fd_path, 1);
	r = gpc_open_fd(fd, 0, &c->dev);
	if (saved)
		setenv("GPU_PROTO_FD_SOCKET", saved, 1);
	else
		unsetenv("GPU_PROTO_FD_SOCKET");
	close(fd);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "gpc_open_fd");
	gpc_private_set_sys_ops(c->dev, &gp_bench_seam_ops, &c->seam);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Clients                                                                   */
/* ------------------------------------------------------------------------ */

static void gp_bench_client_close(struct gp_bench_client *c)
{
	if (c->map)
		gpc_bo_unmap(c->map, c->map_size);
	if (c->dev) {
		if (c->group)
			gpc_mali_group_destroy(c->dev, c->group);
		if (c->syncobj)
			gpc_syncobj_destroy(c->dev, c->syncobj);
		if (c->vm)
			gpc_mali_vm_destroy(c->dev, c->vm);
		if (c->bo)
			gpc_gem_close(c->dev, c->bo);
		gpc_close(c->dev);
	}
	gp_file_close(&c->seam.file);
	gp_inproc_caller_free(&c->seam.caller);
	*c = (struct gp_bench_client){ 0 };
}

static int gp_bench_client_open(struct gp_bench_client *c, int path, const char *device)
{
	const struct gpu_proto_mali_queue_create queue = { .priority = 1, .ringbuf_size = 4096 };
	int r;

	*c = (struct gp_bench_client){ 0 };
	if (path == PATH_INPROC)
		r = gp_bench_inproc_open(c);
	else
		r = gpc_open(device, 0, &c->dev);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "open %s", path == PATH_INPROC ? "(in process)" : device);
	r = gpc_mali_vm_create(c->dev, 0, &c->vm, NULL);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "gpc_mali_vm_create");
	r = gpc_mali_bo_create(c->dev, 4096, 0, 0, &c->bo, NULL);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "gpc_mali_bo_create");
	r = gpc_mali_vm_bind_map(c->dev, c->vm, c->bo, 0, GP_BENCH_CS_VA, 4096,
				 GPU_PROTO_MALI_VM_BIND_OP_MAP_READONLY);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "gpc_mali_vm_bind_map");
	r = gpc_bo_map(c->dev, c->bo, PROT_READ | PROT_WRITE, &c->map, &c->map_size);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "gpc_bo_map");
	*(uint64_t *)c->map = gpu_proto_cs_nop();
	r = gpc_mali_group_create(c->dev, c->vm, GPU_PROTO_MALI_GROUP_PRIORITY_MEDIUM, &queue, 1,
				  NULL, &c->group);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "gpc_mali_group_create");
	r = gpc_syncobj_create(c->dev, 0, &c->syncobj);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "gpc_syncobj_create");
	return 0;
}

/* One job: submit the NOP with a signal of the next point, wait for it, check its status. */
static int gp_bench_job(struct gp_bench_client *c)
{
	uint64_t point = c->point + 1;
	const struct gpu_proto_mali_sync_op signal = {
		.flags = GPU_PROTO_MALI_SYNC_OP_SIGNAL |
			 GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_TIMELINE_SYNCOBJ,
		.handle = c->syncobj, .timeline_value = point,
	};
	const struct gpu_proto_mali_queue_submit job = {
		.stream_addr = GP_BENCH_CS_VA, .stream_size = GPU_PROTO_CS_INSTR_SIZE,
		.syncs = { .stride = sizeof(signal), .count = 1, .array = (uintptr_t)&signal },
	};
	int r;

	r = gpc_mali_group_submit(c->dev, c->group, &job, 1);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "gpc_mali_group_submit");
	c->point = point;
	r = gpc_syncobj_timeline_wait(c->dev, &c->syncobj, &point, 1,
				      gpc_timeout_abs(GP_BENCH_WAIT_NS), 0, NULL);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "gpc_syncobj_timeline_wait(point %" PRIu64 ")",
				    point);
	return 0;
}

/* Checked once per client after the batches, not in the timed loop. */
static int gp_bench_check_last(struct gp_bench_client *c)
{
	int32_t status = 0;
	int r;

	if (!c->point)
		return 0;
	r = gpc_syncobj_status(c->dev, &c->syncobj, &c->point, &status, 1);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "gpc_syncobj_status");
	if (status != 1)
		return gp_log_errno(LOG_ERR, status < 0 ? status : -EPROTO,
				    "the last job (point %" PRIu64 ") ended with status %d",
				    c->point, status);
	return 0;
}

static int gp_bench_batch(struct gp_bench_client *c, int op, unsigned int n, double *us)
{
	uint64_t t0, v;
	int r = 0;

	t0 = gp_bench_now_ns();
	for (unsigned int i = 0; i < n && r == 0; i++) {
		if (op == OP_SUBMIT)
			r = gp_bench_job(c);
		else
			r = gpc_get_cap(c->dev, GPU_PROTO_CAP_SYNCOBJ_TIMELINE, &v);
	}
	if (r < 0)
		return op == OP_SUBMIT ? r : gp_log_errno(LOG_ERR, r, "gpc_get_cap");
	*us = (double)(gp_bench_now_ns() - t0) / 1000.0 / n;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* 1. latency                                                                */
/* ------------------------------------------------------------------------ */

static int gp_bench_latency(struct gp_bench_client *clients[PATHS], const bool *have,
			    const struct gp_bench_opts *o, double med[PATHS][OPS])
{
	static const char *const op_names[OPS] = { "submit-to-signal", "GET_CAP" };
	double samples[PATHS][OPS][GP_BENCH_REPS];
	unsigned int n[PATHS][OPS];
	int variants[PATHS * OPS], nv = 0, r;

	for (int p = 0; p < PATHS; p++) {
		if (!have[p])
			continue;
		for (int op = 0; op < OPS; op++) {
			uint64_t t0 = gp_bench_now_ns();
			double us = 0;

			do {
				r = gp_bench_batch(clients[p], op, 16, &us);
				if (r < 0)
					return r;
			} while (gp_bench_now_ns() - t0 < GP_BENCH_WARMUP_NS);
			/* Each batch lasts about --batch-ms, whatever the op costs. */
			n[p][op] = (unsigned int)(o->batch_ms * 1000.0 / (us > 0.01 ? us : 0.01));
			if (n[p][op] < 8)
				n[p][op] = 8;
			if (n[p][op] > 10000000)
				n[p][op] = 10000000;
			variants[nv++] = p * OPS + op;
		}
	}
	for (unsigned int rep = 0; rep < GP_BENCH_REPS; rep++) {
		for (int i = 0; i < nv; i++) {
			int v = variants[(rep + (unsigned int)i) % (unsigned int)nv];
			int p = v / OPS, op = v % OPS;

			r = gp_bench_batch(clients[p], op, n[p][op], &samples[p][op][rep]);
			if (r < 0)
				return r;
			if (o->verbose)
				printf("  batch %2u %-10s %-18s %10.3f us (%u)\n", rep,
				       p == PATH_INPROC ? "in-process" : "device", op_names[op],
				       samples[p][op][rep], n[p][op]);
		}
	}
	for (int p = 0; p < PATHS; p++)
		for (int op = 0; op < OPS && have[p]; op++)
			med[p][op] = gp_bench_median(samples[p][op], GP_BENCH_REPS);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* 2. throughput                                                             */
/* ------------------------------------------------------------------------ */

static void *gp_bench_tput_thread(void *arg)
{
	struct gp_bench_client *c = arg;

	while (!atomic_load_explicit(&tput_stop, memory_order_relaxed)) {
		c->err = gp_bench_job(c);
		if (c->err < 0)
			break;
		c->jobs++;
	}
	return NULL;
}

/* @nclients clients submit for @ms: jobs per second in *@jps. */
static int gp_bench_tput_batch(struct gp_bench_client *clients, unsigned int nclients,
			       unsigned int ms, double *jps)
{
	struct timespec d = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
	uint64_t t0, t1, jobs = 0;
	int r = 0;

	atomic_store(&tput_stop, false);
	t0 = gp_bench_now_ns();
	for (unsigned int i = 0; i < nclients; i++) {
		clients[i].jobs = 0;
		clients[i].err = 0;
		r = pthread_create(&clients[i].thread, NULL, gp_bench_tput_thread, &clients[i]);
		if (r) {
			atomic_store(&tput_stop, true);
			for (unsigned int k = 0; k < i; k++)
				pthread_join(clients[k].thread, NULL);
			return gp_log_errno(LOG_ERR, r, "pthread_create");
		}
	}
	nanosleep(&d, NULL);
	atomic_store(&tput_stop, true);
	for (unsigned int i = 0; i < nclients; i++) {
		pthread_join(clients[i].thread, NULL);
		jobs += clients[i].jobs;
		if (clients[i].err < 0 && r == 0)
			r = clients[i].err;
	}
	t1 = gp_bench_now_ns();
	if (r < 0)
		return r;
	*jps = (double)jobs / ((double)(t1 - t0) / 1e9);
	return 0;
}

static int gp_bench_throughput(struct gp_bench_client all[PATHS][GP_BENCH_CLIENTS],
			       const bool *have, const struct gp_bench_opts *o,
			       double med[PATHS][2])
{
	static const unsigned int counts[2] = { 1, GP_BENCH_CLIENTS };
	double samples[PATHS][2][GP_BENCH_TPUT_REPS];
	int variants[PATHS * 2], nv = 0, r;

	for (int p = 0; p < PATHS; p++)
		for (int k = 0; k < 2 && have[p]; k++)
			variants[nv++] = p * 2 + k;
	for (unsigned int rep = 0; rep < GP_BENCH_TPUT_REPS; rep++) {
		for (int i = 0; i < nv; i++) {
			int v = variants[(rep + (unsigned int)i) % (unsigned int)nv];
			int p = v / 2, k = v % 2;

			r = gp_bench_tput_batch(all[p], counts[k], o->batch_ms * 2,
						&samples[p][k][rep]);
			if (r < 0)
				return r;
			if (o->verbose)
				printf("  batch %u %-10s %u client(s) %10.0f jobs/s\n", rep,
				       p == PATH_INPROC ? "in-process" : "device", counts[k],
				       samples[p][k][rep]);
		}
	}
	for (int p = 0; p < PATHS; p++)
		for (int k = 0; k < 2 && have[p]; k++)
			med[p][k] = gp_bench_median(samples[p][k], GP_BENCH_TPUT_REPS);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* main                                                                      */
/* ------------------------------------------------------------------------ */

static void gp_bench_usage(FILE *out)
{
	fprintf(out,
		"Usage: gpu-proto-bench-submit [OPTIONS] [--in-process] [DEVICE]\n"
		"\n"
		"Submit-to-signal latency of a one-instruction stream against one GET_CAP\n"
		"round trip, and jobs per second with 1 and %d clients, on the in-process\n"
		"path (--in-process: mali-csf on the mock in this process) and/or through\n"
		"DEVICE (CUSE node, or socket transport); variants interleaved batch by\n"
		"batch.  Prints figures and ratios; never fails on a figure.\n"
		"\n"
		"Options:\n"
		"      --in-process   time the in-process path\n"
		"  -b, --batch-ms=MS  length of one latency batch (default 200; throughput\n"
		"                     batches are twice that)\n"
		"  -v, --verbose      print every batch\n"
		"  -h, --help         show this help and exit\n", GP_BENCH_CLIENTS);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "in-process", no_argument, NULL, 'I' },
		{ "batch-ms", required_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct gp_bench_client clients[PATHS][GP_BENCH_CLIENTS];
	struct gp_bench_opts o = { .batch_ms = 200 };
	double lat[PATHS][OPS] = { { 0 } }, tput[PATHS][2] = { { 0 } };
	bool have[PATHS] = { false, false };
	const char *names[PATHS] = { "in-process", NULL };
	char devname[160];
	int c, r = 0;

	while ((c = getopt_long(argc, argv, "b:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'I':
			o.in_process = true;
			break;
		case 'b':
			o.batch_ms = (unsigned int)strtoul(optarg, NULL, 10);
			if (o.batch_ms < 10 || o.batch_ms > 60000) {
				fprintf(stderr, "gpu-proto-bench-submit: --batch-ms: 10 .. 60000\n");
				return 2;
			}
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			gp_bench_usage(stdout);
			return 0;
		default:
			gp_bench_usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		o.device = argv[optind++];
	if (optind != argc || (!o.device && !o.in_process)) {
		gp_bench_usage(stderr);
		return 2;
	}
	have[PATH_INPROC] = o.in_process;
	have[PATH_DEVICE] = o.device != NULL;
	if (o.device) {
		struct stat st;

		snprintf(devname, sizeof(devname), "%s (%s)", o.device,
			 stat(o.device, &st) == 0 && S_ISCHR(st.st_mode) ? "CUSE" : "socket");
		names[PATH_DEVICE] = devname;
	}

	if (o.in_process) {
		r = gp_bench_inproc_start();
		if (r < 0)
			goto out;
	}
	for (int p = 0; p < PATHS; p++)
		for (int i = 0; i < GP_BENCH_CLIENTS && have[p]; i++) {
			r = gp_bench_client_open(&clients[p][i], p, o.device);
			if (r < 0)
				goto out;
		}

	gp_bench_print_host(GP_BENCH_BUILDTYPE);
	printf("method: median of %d batches of ~%u ms, variants interleaved, order rotated\n"
	       "every repetition; throughput: median of %d batches of %u ms\n\n",
	       GP_BENCH_REPS, o.batch_ms, GP_BENCH_TPUT_REPS, o.batch_ms * 2);

	{
		struct gp_bench_client *first[PATHS] = { &clients[0][0], &clients[1][0] };

		r = gp_bench_latency(first, have, &o, lat);
		if (r < 0)
			goto out;
	}
	r = gp_bench_throughput(clients, have, &o, tput);
	if (r < 0)
		goto out;
	for (int p = 0; p < PATHS; p++)
		for (int i = 0; i < GP_BENCH_CLIENTS && have[p]; i++) {
			r = gp_bench_check_last(&clients[p][i]);
			if (r < 0)
				goto out;
		}

	printf("%-34s %18s %12s %16s\n", "latency (median)", "submit-to-signal", "GET_CAP",
	       "submit/GET_CAP");
	for (int p = 0; p < PATHS; p++)
		if (have[p])
			printf("%-34s %15.2f us %9.2f us %15.2fx\n", names[p], lat[p][OP_SUBMIT],
			       lat[p][OP_GET_CAP], lat[p][OP_SUBMIT] / lat[p][OP_GET_CAP]);
	if (have[PATH_INPROC] && have[PATH_DEVICE])
		printf("%-34s %17.2fx %11.2fx\n", "device / in-process",
		       lat[PATH_DEVICE][OP_SUBMIT] / lat[PATH_INPROC][OP_SUBMIT],
		       lat[PATH_DEVICE][OP_GET_CAP] / lat[PATH_INPROC][OP_GET_CAP]);
	printf("\n%-34s %18s %12s %16s\n", "throughput (median)", "1 client", "4 clients",
	       "4 / 1");
	for (int p = 0; p < PATHS; p++)
		if (have[p])
			printf("%-34s %11.0f jobs/s %7.0f jobs/s %15.2fx\n", names[p], tput[p][0],
			       tput[p][1], tput[p][1] / tput[p][0]);
	if (have[PATH_DEVICE])
		printf("\naim: %s submit-to-signal <= %.0fx GET_CAP: %s (%.2fx)\n", names[PATH_DEVICE],
		       GP_BENCH_TARGET_RATIO,
		       lat[PATH_DEVICE][OP_SUBMIT] / lat[PATH_DEVICE][OP_GET_CAP] <=
				       GP_BENCH_TARGET_RATIO ? "met" : "NOT met",
		       lat[PATH_DEVICE][OP_SUBMIT] / lat[PATH_DEVICE][OP_GET_CAP]);
	r = 0;
out:
	for (int p = 0; p < PATHS; p++)
		for (int i = 0; i < GP_BENCH_CLIENTS; i++)
			gp_bench_client_close(&clients[p][i]);
	if (o.in_process)
		gp_bench_inproc_stop();
	return r < 0 ? 1 : 0;
}
