// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-proto-bench-cuse: what an ioctl costs through gpu-protod over CUSE,
 * next to the floor and to a kernel driver, and over the socket transport,
 * in one run.
 *
 *   gpu-proto-bench-cuse [--iterations N] [--control PATH]
 *                        [--socket-control PATH] NAME=DEVICE-PATH...
 *
 * NAME says what the device is:
 *   gpu-protod  gpu-protod's node; round trips from its control socket
 *               ("status": ioctls and ioctl_round_trips, read around
 *               every timed batch);
 *   minimal     gpu-proto-cuse-minimal (bench/cuse_minimal.c), the same
 *               retry protocol with static answers; round trips from its
 *               read() counters;
 *   vgem        a kernel DRM node (vgem's /dev/dri/card0): GET_CAP only,
 *               as DRM_IOCTL_GET_CAP (same number and layout);
 *   socket      a gpu-protod serving --transport=socket, reached through
 *               the LD_PRELOAD shim: run this program under gpu-proto-run
 *               with --device naming this path; round trips from that
 *               daemon's control socket (--socket-control).
 *
 * The socket device's ioctls go through libc's ioctl(), which is the
 * shim's; every other device's go straight to the kernel (syscall()), so
 * that the shim's own check on an fd it does not know (an fstat() per DRM
 * ioctl, to adopt an inherited connection) stays off their figures: they
 * read the same with or without gpu-proto-run.
 *
 * Timed: GET_CAP(TIMESTAMP_MONOTONIC) and MALI_DEV_QUERY(GPU_INFO) with a
 * result pointer.  Each figure is the median of GP_BENCH_REPS batches after
 * a time-based warm-up; the batches of all devices are interleaved (and
 * the device order rotated every repetition) so that a drift of the
 * machine during the run weighs on every device alike.  Read the figures
 * as ratios within one run: under QEMU TCG the absolute microseconds mean
 * little.  A benchmark never fails on its figures: the target is
 * reported, not asserted; only a failing call exits non-zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "machine.h"

#ifndef _cleanup_
#define _cleanup_(f) __attribute__((cleanup(f)))
#endif

/* Odd, for a true median; TCG runs have an outlier batch or two. */
#define GP_BENCH_REPS			11
/* A CUSE ioctl is ~0.7-1 ms under TCG: 200 of them make a ~150-200 ms batch. */
#define GP_BENCH_DEFAULT_ITERATIONS	200u
#define GP_BENCH_MIN_ITERATIONS		10u
#define GP_BENCH_MAX_ITERATIONS		10000000u
/* A kernel ioctl is ~200x cheaper: its batches are this much longer, to last as long. */
#define GP_BENCH_KERNEL_FACTOR		100u
/*
 * Time-based: with 200 ms the first timed batch of a freshly booted guest
 * still read up to 1.8x now and then.
 */
#define GP_BENCH_WARMUP_NS		(500ull * 1000 * 1000)
#define GP_BENCH_NSEC_PER_SEC		1000000000ull
#define GP_BENCH_CONTROL_DEFAULT	"/run/gpu-protod/control"

/* The target of the issue; reported, never asserted. */
#define GP_BENCH_TARGET_RATIO		1.10

/*
 * vgem is timed with DRM_IOCTL_GET_CAP(DRM_CAP_TIMESTAMP_MONOTONIC); the
 * uapi header already checks that GPU_PROTO_IOCTL_GET_CAP is that number
 * and that the struct has drm_get_cap's layout.
 */
#define GP_BENCH_DRM_IOCTL_GET_CAP	0xC010640Cu
#define GP_BENCH_DRM_CAP_TIMESTAMP_MONOTONIC 0x6
_Static_assert(GP_BENCH_DRM_IOCTL_GET_CAP == GPU_PROTO_IOCTL_GET_CAP,
	       "GPU_PROTO_IOCTL_GET_CAP is DRM_IOCTL_GET_CAP");
_Static_assert(GP_BENCH_DRM_CAP_TIMESTAMP_MONOTONIC == GPU_PROTO_CAP_TIMESTAMP_MONOTONIC,
	       "GPU_PROTO_CAP_TIMESTAMP_MONOTONIC is DRM_CAP_TIMESTAMP_MONOTONIC");

enum gp_bench_kind {
	GP_BENCH_GPU_PROTOD,
	GP_BENCH_MINIMAL,
	GP_BENCH_VGEM,
	GP_BENCH_CUSE_KINDS,			/* the kinds of the main table */
	GP_BENCH_SOCKET = GP_BENCH_CUSE_KINDS,
	GP_BENCH_KINDS,
};

static const char *const gp_bench_kind_names[GP_BENCH_KINDS] = {
	[GP_BENCH_GPU_PROTOD] = "gpu-protod",
	[GP_BENCH_MINIMAL] = "minimal",
	[GP_BENCH_VGEM] = "vgem",
	[GP_BENCH_SOCKET] = "socket",
};

enum gp_bench_op {
	GP_BENCH_GET_CAP,
	GP_BENCH_DEV_QUERY,
	GP_BENCH_OPS,
};

static const char *const gp_bench_op_names[GP_BENCH_OPS] = {
	[GP_BENCH_GET_CAP] = "GET_CAP",
	[GP_BENCH_DEV_QUERY] = "DEV_QUERY(GPU_INFO)",
};

/* Ioctl and round-trip counters of a server, as its status reports them. */
struct gp_bench_counts {
	uint64_t ioctls, round_trips;
};

struct gp_bench_device {
	const char *path;
	bool present;
	int fd;
	double ns[GP_BENCH_OPS][GP_BENCH_REPS];	/* per ioctl, per timed batch */
	struct gp_bench_counts counted[GP_BENCH_OPS];	/* summed over timed batches */
};

struct gp_bench {
	struct gp_bench_device dev[GP_BENCH_KINDS];
	const char *control;
	const char *socket_control;	/* the socket daemon's; NULL: control */
	uint32_t iterations;
	bool verbose;
};

static void gp_bench_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static int gp_bench_fail(int error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "gpu-proto-bench-cuse: <message>: <strerror>" and return -@error. */
static int gp_bench_fail(int error, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gpu-proto-bench-cuse: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(error));
	return -error;
}

static uint64_t gp_bench_now_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * GP_BENCH_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void gp_bench_sorted(const double *values, double *sorted)
{
	memcpy(sorted, values, GP_BENCH_REPS * sizeof(*sorted));
	qsort(sorted, GP_BENCH_REPS, sizeof(*sorted), gp_bench_cmp_double);
}

static double gp_bench_median_reps(const double *values)
{
	return gp_bench_median(values, GP_BENCH_REPS);
}

/* (max - min) / median of the batches: how much one figure moved within the run. */
static double gp_bench_spread(const double *values)
{
	double s[GP_BENCH_REPS];

	gp_bench_sorted(values, s);
	return (s[GP_BENCH_REPS - 1] - s[0]) / gp_bench_median_reps(values);
}

/* --- round-trip counters --- */

/* Parse "key=value" lines: ioctls and ioctl_round_trips. */
static int gp_bench_parse_counts(char *text, struct gp_bench_counts *c)
{
	bool have_ioctls = false, have_rt = false;
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "ioctls=%" SCNu64, &c->ioctls) == 1)
			have_ioctls = true;
		else if (sscanf(line, "ioctl_round_trips=%" SCNu64, &c->round_trips) == 1)
			have_rt = true;
	}
	return have_ioctls && have_rt ? 0 : -EPROTO;
}

/* gpu-protod: "status\n" on the control socket, "ok" then key=value lines. */
static int gp_bench_control_counts(const char *path, struct gp_bench_counts *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	_cleanup_(gp_bench_closep) int fd = -1;
	static const char request[] = "status\n";
	char reply[4096];
	size_t len = 0;
	ssize_t n;

	if (strlen(path) >= sizeof(sun.sun_path))
		return gp_bench_fail(ENAMETOOLONG, "control socket %s", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return gp_bench_fail(errno, "socket");
	if (connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0)
		return gp_bench_fail(errno, "connect %s (is gpu-protod running? --control)", path);
	if (write(fd, request, sizeof(request) - 1) != (ssize_t)(sizeof(request) - 1))
		return gp_bench_fail(EIO, "write to %s", path);
	while (len < sizeof(reply) - 1 && (n = read(fd, reply + len, sizeof(reply) - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return gp_bench_fail(errno, "read from %s", path);
		}
		len += (size_t)n;
	}
	reply[len] = '\0';
	if (strncmp(reply, "ok\n", 3) != 0 || gp_bench_parse_counts(reply + 3, c) < 0)
		return gp_bench_fail(EPROTO, "%s: unexpected status reply '%.60s'", path, reply);
	return 0;
}

/* gpu-proto-cuse-minimal: a read() of its node returns the same two keys. */
static int gp_bench_minimal_counts(const struct gp_bench_device *d, struct gp_bench_counts *c)
{
	char text[256];
	ssize_t n;

	n = read(d->fd, text, sizeof(text) - 1);
	if (n < 0)
		return gp_bench_fail(errno, "read the counters of %s", d->path);
	text[n] = '\0';
	if (gp_bench_parse_counts(text, c) < 0)
		return gp_bench_fail(EPROTO, "%s: unexpected counters '%.60s'", d->path, text);
	return 0;
}

static int gp_bench_counts(const struct gp_bench *b, enum gp_bench_kind kind,
			   struct gp_bench_counts *c)
{
	switch (kind) {
	case GP_BENCH_GPU_PROTOD:
		return gp_bench_control_counts(b->control, c);
	case GP_BENCH_MINIMAL:
		return gp_bench_minimal_counts(&b->dev[kind], c);
	case GP_BENCH_SOCKET:
		return gp_bench_control_counts(b->socket_control ? b->socket_control : b->control, c);
	default:
		*c = (struct gp_bench_counts){ 0 };
		return 0;
	}
}

/* --- timed batches --- */

static bool gp_bench_supported(enum gp_bench_kind kind, enum gp_bench_op op)
{
	return kind != GP_BENCH_VGEM || op == GP_BENCH_GET_CAP;
}

static uint32_t gp_bench_batch_size(const struct gp_bench *b, enum gp_bench_kind kind)
{
	return kind == GP_BENCH_VGEM ? b->iterations * GP_BENCH_KERNEL_FACTOR : b->iterations;
}

/*
 * Issue @n ioctls @op on @fd; *@ns_per_op gets the wall time per ioctl.
 * @libc: through libc's ioctl() (the shim's, under gpu-proto-run), else
 * straight to the kernel.
 */
static __attribute__((noinline)) int gp_bench_batch(int fd, const char *path,
						     enum gp_bench_op op, uint32_t n, bool libc,
						     double *ns_per_op)
{
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };
	struct gpu_proto_mali_gpu_info info = { 0 };
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .size = sizeof(info),
		.pointer = (uintptr_t)&info,
	};
	unsigned long cmd = op == GP_BENCH_GET_CAP ? GPU_PROTO_IOCTL_GET_CAP :
						     GPU_PROTO_IOCTL_MALI_DEV_QUERY;
	void *arg = op == GP_BENCH_GET_CAP ? (void *)&cap : (void *)&q;
	uint64_t t0, t1;

	t0 = gp_bench_now_ns();
	if (libc) {
		for (uint32_t i = 0; i < n; i++) {
			if (ioctl(fd, cmd, arg) < 0)
				return gp_bench_fail(errno, "%s: %s", path, gp_bench_op_names[op]);
		}
	} else {
		for (uint32_t i = 0; i < n; i++) {
			if (syscall(SYS_ioctl, fd, cmd, arg) < 0)
				return gp_bench_fail(errno, "%s: %s", path, gp_bench_op_names[op]);
		}
	}
	t1 = gp_bench_now_ns();
	/* The answers must have come back, or the figure is of something else. */
	if (op == GP_BENCH_GET_CAP ? cap.value != 1 : info.gpu_id == 0)
		return gp_bench_fail(EPROTO, "%s: %s returned no answer", path, gp_bench_op_names[op]);
	*ns_per_op = (double)(t1 - t0) / (double)n;
	return 0;
}

static int gp_bench_warm_up(struct gp_bench *b, enum gp_bench_kind kind, enum gp_bench_op op)
{
	const struct gp_bench_device *d = &b->dev[kind];
	uint32_t n = gp_bench_batch_size(b, kind) / 4 + 1;
	double warm, warmed = 0;
	int r;

	while (warmed < GP_BENCH_WARMUP_NS) {
		r = gp_bench_batch(d->fd, d->path, op, n, kind == GP_BENCH_SOCKET, &warm);
		if (r < 0)
			return r;
		warmed += warm * (double)n;
	}
	return 0;
}

/* One timed batch, with the server's counters read around it (off the clock). */
static int gp_bench_timed(struct gp_bench *b, enum gp_bench_kind kind, enum gp_bench_op op,
			  unsigned int rep)
{
	struct gp_bench_device *d = &b->dev[kind];
	struct gp_bench_counts before, after;
	int r;

	r = gp_bench_counts(b, kind, &before);
	if (r < 0)
		return r;
	r = gp_bench_batch(d->fd, d->path, op, gp_bench_batch_size(b, kind), kind == GP_BENCH_SOCKET,
			   &d->ns[op][rep]);
	if (r < 0)
		return r;
	r = gp_bench_counts(b, kind, &after);
	if (r < 0)
		return r;
	d->counted[op].ioctls += after.ioctls - before.ioctls;
	d->counted[op].round_trips += after.round_trips - before.round_trips;
	return 0;
}

static int gp_bench_run(struct gp_bench *b)
{
	enum gp_bench_kind order[GP_BENCH_KINDS];
	unsigned int n = 0;
	int r;

	for (unsigned int k = 0; k < GP_BENCH_KINDS; k++)
		if (b->dev[k].present)
			order[n++] = (enum gp_bench_kind)k;

	for (unsigned int op = 0; op < GP_BENCH_OPS; op++) {
		for (unsigned int i = 0; i < n; i++) {
			if (!gp_bench_supported(order[i], op))
				continue;
			r = gp_bench_warm_up(b, order[i], op);
			if (r < 0)
				return r;
		}
	}
	for (unsigned int rep = 0; rep < GP_BENCH_REPS; rep++) {
		for (unsigned int op = 0; op < GP_BENCH_OPS; op++) {
			for (unsigned int i = 0; i < n; i++) {
				enum gp_bench_kind kind = order[(i + rep) % n];

				if (!gp_bench_supported(kind, op))
					continue;
				r = gp_bench_timed(b, kind, op, rep);
				if (r < 0)
					return r;
			}
		}
	}
	return 0;
}

/* --- report --- */

static void gp_bench_print_machine(const struct gp_bench *b)
{
	struct utsname u;
	char model[128];

	gp_bench_cpu_model(model, sizeof(model));
	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "unknown");
	printf("machine: nproc %ld, CPU %s, kernel %s\n", sysconf(_SC_NPROCESSORS_ONLN), model,
	       u.release);
	printf("method: median of %d interleaved batches of %" PRIu32 " ioctls (kernel: %" PRIu32
	       ") after a %llu ms warm-up, CLOCK_MONOTONIC\n",
	       GP_BENCH_REPS, b->iterations, b->iterations * GP_BENCH_KERNEL_FACTOR,
	       GP_BENCH_WARMUP_NS / 1000000ull);
	for (unsigned int k = 0; k < GP_BENCH_KINDS; k++)
		if (b->dev[k].present)
			printf("device: %-10s %s%s\n", gp_bench_kind_names[k], b->dev[k].path,
			       k == GP_BENCH_SOCKET ? " (gpu-protod --transport=socket, through the shim)" :
						      "");
}

/* A per-ioctl time in a 12-column cell, in the unit that reads best. */
static void gp_bench_cell_time(char *buf, size_t len, double ns)
{
	if (ns >= 100000.0)
		snprintf(buf, len, "%.1f us", ns / 1000.0);
	else if (ns >= 1000.0)
		snprintf(buf, len, "%.2f us", ns / 1000.0);
	else
		snprintf(buf, len, "%.1f ns", ns);
}

static bool gp_bench_has(const struct gp_bench *b, enum gp_bench_kind kind, enum gp_bench_op op)
{
	return b->dev[kind].present && gp_bench_supported(kind, op);
}

static double gp_bench_figure(const struct gp_bench *b, enum gp_bench_kind kind,
			      enum gp_bench_op op)
{
	return gp_bench_median_reps(b->dev[kind].ns[op]);
}

/* Three decimals where the question is "within 10%?", one where it is "how many times". */
static void gp_bench_cell_ratio_value(char *buf, size_t len, double ratio)
{
	snprintf(buf, len, ratio < 10.0 ? "%.3fx" : "%.1fx", ratio);
}

static void gp_bench_cell_ratio(char *buf, size_t len, const struct gp_bench *b,
				enum gp_bench_kind num, enum gp_bench_kind den, enum gp_bench_op op)
{
	if (!gp_bench_has(b, num, op) || !gp_bench_has(b, den, op))
		snprintf(buf, len, "-");
	else
		gp_bench_cell_ratio_value(buf, len,
					  gp_bench_figure(b, num, op) / gp_bench_figure(b, den, op));
}

static double gp_bench_round_trips(const struct gp_bench *b, enum gp_bench_kind kind,
				   enum gp_bench_op op)
{
	const struct gp_bench_counts *c = &b->dev[kind].counted[op];

	return c->ioctls ? (double)c->round_trips / (double)c->ioctls : 0.0;
}

static bool gp_bench_counted(const struct gp_bench *b, enum gp_bench_kind kind,
			     enum gp_bench_op op)
{
	return gp_bench_has(b, kind, op) && kind != GP_BENCH_VGEM && b->dev[kind].counted[op].ioctls;
}

/* The CUSE table: gpu-protod, the minimal server and vgem side by side. */
static void gp_bench_print_cuse(const struct gp_bench *b)
{
	static const struct { enum gp_bench_kind num, den; const char *label; } ratios[] = {
		{ GP_BENCH_GPU_PROTOD, GP_BENCH_MINIMAL, "gpu-protod/minimal" },
		{ GP_BENCH_GPU_PROTOD, GP_BENCH_VGEM, "gpu-protod/vgem" },
		{ GP_BENCH_MINIMAL, GP_BENCH_VGEM, "minimal/vgem" },
	};
	char cell[64];

	printf("\n%-20s", "per ioctl (median)");
	for (unsigned int k = 0; k < GP_BENCH_CUSE_KINDS; k++)
		printf(" %12s", gp_bench_kind_names[k]);
	for (size_t i = 0; i < sizeof(ratios) / sizeof(ratios[0]); i++)
		printf(" %18s", ratios[i].label);
	printf("\n");
	for (unsigned int op = 0; op < GP_BENCH_OPS; op++) {
		printf("%-20s", gp_bench_op_names[op]);
		for (unsigned int k = 0; k < GP_BENCH_CUSE_KINDS; k++) {
			if (gp_bench_has(b, k, op))
				gp_bench_cell_time(cell, sizeof(cell), gp_bench_figure(b, k, op));
			else
				snprintf(cell, sizeof(cell), "-");
			printf(" %12s", cell);
		}
		for (size_t i = 0; i < sizeof(ratios) / sizeof(ratios[0]); i++) {
			gp_bench_cell_ratio(cell, sizeof(cell), b, ratios[i].num, ratios[i].den, op);
			printf(" %18s", cell);
		}
		printf("\n");
	}

	printf("\n%-20s", "spread (max-min)/med");
	for (unsigned int k = 0; k < GP_BENCH_CUSE_KINDS; k++)
		printf(" %12s", gp_bench_kind_names[k]);
	printf("\n");
	for (unsigned int op = 0; op < GP_BENCH_OPS; op++) {
		printf("%-20s", gp_bench_op_names[op]);
		for (unsigned int k = 0; k < GP_BENCH_CUSE_KINDS; k++) {
			if (gp_bench_has(b, k, op))
				snprintf(cell, sizeof(cell), "%.1f%%",
					 100.0 * gp_bench_spread(b->dev[k].ns[op]));
			else
				snprintf(cell, sizeof(cell), "-");
			printf(" %12s", cell);
		}
		printf("\n");
	}

	/* Measured, not assumed: from the servers' own counters over the timed batches. */
	printf("\n%-20s %12s %12s %18s %18s %18s\n", "round trips/ioctl", "gpu-protod", "minimal",
	       "gpu-protod us/rt", "minimal us/rt", "extra us/rt");
	for (unsigned int op = 0; op < GP_BENCH_OPS; op++) {
		double per_rt[2] = { 0, 0 };

		printf("%-20s", gp_bench_op_names[op]);
		for (unsigned int k = GP_BENCH_GPU_PROTOD; k <= GP_BENCH_MINIMAL; k++) {
			if (gp_bench_counted(b, k, op)) {
				snprintf(cell, sizeof(cell), "%.2f", gp_bench_round_trips(b, k, op));
				per_rt[k] = gp_bench_figure(b, k, op) / gp_bench_round_trips(b, k, op);
			} else {
				snprintf(cell, sizeof(cell), "-");
			}
			printf(" %12s", cell);
		}
		for (unsigned int k = GP_BENCH_GPU_PROTOD; k <= GP_BENCH_MINIMAL; k++) {
			if (per_rt[k] > 0)
				snprintf(cell, sizeof(cell), "%.2f", per_rt[k] / 1000.0);
			else
				snprintf(cell, sizeof(cell), "-");
			printf(" %18s", cell);
		}
		if (per_rt[0] > 0 && per_rt[1] > 0)
			snprintf(cell, sizeof(cell), "%+.2f", (per_rt[0] - per_rt[1]) / 1000.0);
		else
			snprintf(cell, sizeof(cell), "-");
		printf(" %18s\n", cell);
	}
}

static double gp_bench_per_round_trip(const struct gp_bench *b, enum gp_bench_kind kind,
				       enum gp_bench_op op)
{
	return gp_bench_counted(b, kind, op) ?
		       gp_bench_figure(b, kind, op) / gp_bench_round_trips(b, kind, op) : 0.0;
}

/*
 * The socket transport next to CUSE: the same daemon code, the same
 * dispatcher and retry protocol, another way between client and daemon.
 */
static void gp_bench_print_socket(const struct gp_bench *b)
{
	static const enum gp_bench_kind per_rt[] = { GP_BENCH_SOCKET, GP_BENCH_GPU_PROTOD };
	char cell[64];

	printf("\n%-20s %12s %12s %18s %12s %12s %18s %18s\n", "socket vs CUSE", "socket",
	       "gpu-protod", "socket/gpu-protod", "spread", "rt/ioctl", "socket us/rt",
	       "gpu-protod us/rt");
	for (unsigned int op = 0; op < GP_BENCH_OPS; op++) {
		double rt;

		printf("%-20s", gp_bench_op_names[op]);
		gp_bench_cell_time(cell, sizeof(cell), gp_bench_figure(b, GP_BENCH_SOCKET, op));
		printf(" %12s", cell);
		if (gp_bench_has(b, GP_BENCH_GPU_PROTOD, op))
			gp_bench_cell_time(cell, sizeof(cell),
					   gp_bench_figure(b, GP_BENCH_GPU_PROTOD, op));
		else
			snprintf(cell, sizeof(cell), "-");
		printf(" %12s", cell);
		gp_bench_cell_ratio(cell, sizeof(cell), b, GP_BENCH_SOCKET, GP_BENCH_GPU_PROTOD, op);
		printf(" %18s", cell);
		snprintf(cell, sizeof(cell), "%.1f%%",
			 100.0 * gp_bench_spread(b->dev[GP_BENCH_SOCKET].ns[op]));
		printf(" %12s", cell);
		if (gp_bench_counted(b, GP_BENCH_SOCKET, op))
			snprintf(cell, sizeof(cell), "%.2f", gp_bench_round_trips(b, GP_BENCH_SOCKET, op));
		else
			snprintf(cell, sizeof(cell), "-");
		printf(" %12s", cell);
		for (size_t i = 0; i < sizeof(per_rt) / sizeof(per_rt[0]); i++) {
			rt = gp_bench_per_round_trip(b, per_rt[i], op);
			if (rt > 0)
				snprintf(cell, sizeof(cell), "%.2f", rt / 1000.0);
			else
				snprintf(cell, sizeof(cell), "-");
			printf(" %18s", cell);
		}
		printf("\n");
	}
}

static void gp_bench_print(const struct gp_bench *b)
{
	bool cuse = false;

	for (unsigned int k = 0; k < GP_BENCH_CUSE_KINDS; k++)
		cuse |= b->dev[k].present;
	if (cuse)
		gp_bench_print_cuse(b);
	if (b->dev[GP_BENCH_SOCKET].present)
		gp_bench_print_socket(b);

	if (b->verbose) {
		printf("\nbatches, in run order (us per ioctl)\n");
		for (unsigned int op = 0; op < GP_BENCH_OPS; op++) {
			for (unsigned int k = 0; k < GP_BENCH_KINDS; k++) {
				if (!gp_bench_has(b, k, op))
					continue;
				printf("%-20s %-10s", gp_bench_op_names[op], gp_bench_kind_names[k]);
				for (unsigned int rep = 0; rep < GP_BENCH_REPS; rep++)
					printf(" %.2f", b->dev[k].ns[op][rep] / 1000.0);
				printf("\n");
			}
		}
	}

	/* The target is about the CUSE servers; a socket-only run has none. */
	if (!b->dev[GP_BENCH_GPU_PROTOD].present && !b->dev[GP_BENCH_MINIMAL].present)
		return;
	printf("\n");
	for (unsigned int op = 0; op < GP_BENCH_OPS; op++) {
		double ratio;

		if (!gp_bench_has(b, GP_BENCH_GPU_PROTOD, op) || !gp_bench_has(b, GP_BENCH_MINIMAL, op)) {
			printf("target: gpu-protod <= %.2fx minimal for %s: not measured "
			       "(needs gpu-protod= and minimal=)\n",
			       GP_BENCH_TARGET_RATIO, gp_bench_op_names[op]);
			continue;
		}
		ratio = gp_bench_figure(b, GP_BENCH_GPU_PROTOD, op) /
			gp_bench_figure(b, GP_BENCH_MINIMAL, op);
		printf("target: gpu-protod <= %.2fx minimal for %s: %s (%.3f)\n", GP_BENCH_TARGET_RATIO,
		       gp_bench_op_names[op], ratio <= GP_BENCH_TARGET_RATIO ? "MET" : "NOT MET", ratio);
	}
}

/* --- command line --- */

static void gp_usage(FILE *out)
{
	fprintf(out,
		"Usage: gpu-proto-bench-cuse [OPTIONS] NAME=DEVICE-PATH...\n"
		"\n"
		"Times GET_CAP(TIMESTAMP_MONOTONIC) and MALI_DEV_QUERY(GPU_INFO) per ioctl\n"
		"on each device, interleaved in one run, and prints the figures side by\n"
		"side with their ratios, the round trips per ioctl each server counted, and\n"
		"whether gpu-protod is within %.2fx of the minimal server.  Never fails on\n"
		"a figure.\n"
		"\n"
		"NAME is one of:\n"
		"  gpu-protod   gpu-protod's node (counts from its control socket)\n"
		"  minimal      gpu-proto-cuse-minimal's node (counts from its read())\n"
		"  vgem         a kernel DRM node such as /dev/dri/card0 (GET_CAP only)\n"
		"  socket       a path gpu-protod --transport=socket serves through the\n"
		"               LD_PRELOAD shim: run under gpu-proto-run --device PATH\n"
		"               (counts from --socket-control); printed against gpu-protod\n"
		"\n"
		"Options:\n"
		"      --iterations=N  ioctls per timed batch on a CUSE node (default %u,\n"
		"                      at least %u); kernel batches are %ux longer;\n"
		"                      each figure is the median of %d batches\n"
		"  -c, --control=PATH  gpu-protod's control socket (default %s)\n"
		"      --socket-control=PATH  the socket daemon's (default: --control)\n"
		"  -v, --verbose       also print every batch's figure, in run order\n"
		"  -h, --help          show this help and exit\n"
		"\n"
		"Example: gpu-proto-bench-cuse gpu-protod=/dev/gpu-proto \\\n"
		"           minimal=/dev/gpu-proto-minimal vgem=/dev/dri/card0\n"
		"         gpu-proto-run --device /dev/gp-sock --socket /tmp/gp.sock \\\n"
		"           gpu-proto-bench-cuse --control /tmp/control socket=/dev/gp-sock\n",
		GP_BENCH_TARGET_RATIO, GP_BENCH_DEFAULT_ITERATIONS, GP_BENCH_MIN_ITERATIONS,
		GP_BENCH_KERNEL_FACTOR, GP_BENCH_REPS, GP_BENCH_CONTROL_DEFAULT);
}

static int gp_bench_add_device(struct gp_bench *b, const char *spec)
{
	const char *eq = strchr(spec, '=');

	if (!eq || eq[1] != '/')
		return gp_bench_fail(EINVAL, "'%s': expected NAME=/DEVICE/PATH", spec);
	for (unsigned int k = 0; k < GP_BENCH_KINDS; k++) {
		const char *name = gp_bench_kind_names[k];

		if (strlen(name) != (size_t)(eq - spec) || strncmp(spec, name, strlen(name)) != 0)
			continue;
		if (b->dev[k].present)
			return gp_bench_fail(EINVAL, "'%s': %s given twice", spec, name);
		b->dev[k].present = true;
		b->dev[k].path = eq + 1;
		return 0;
	}
	return gp_bench_fail(EINVAL, "'%s': NAME must be gpu-protod, minimal, vgem or socket", spec);
}

/* 0 to run, 1 to exit successfully (--help), -EINVAL on bad usage. */
static int gp_parse_args(int argc, char **argv, struct gp_bench *b)
{
	enum { OPT_ITERATIONS = 0x100, OPT_SOCKET_CONTROL };
	static const struct option longopts[] = {
		{ "iterations", required_argument, NULL, OPT_ITERATIONS },
		{ "socket-control", required_argument, NULL, OPT_SOCKET_CONTROL },
		{ "control", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long n;
	char *end;
	int c, r;

	b->iterations = GP_BENCH_DEFAULT_ITERATIONS;
	b->control = GP_BENCH_CONTROL_DEFAULT;
	while ((c = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ITERATIONS:
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' ||
			    n < GP_BENCH_MIN_ITERATIONS || n > GP_BENCH_MAX_ITERATIONS / GP_BENCH_KERNEL_FACTOR)
				return gp_bench_fail(EINVAL, "--iterations=%s: expected %u to %u", optarg,
						     GP_BENCH_MIN_ITERATIONS,
						     GP_BENCH_MAX_ITERATIONS / GP_BENCH_KERNEL_FACTOR);
			b->iterations = (uint32_t)n;
			break;
		case 'c':
			b->control = optarg;
			break;
		case OPT_SOCKET_CONTROL:
			b->socket_control = optarg;
			break;
		case 'v':
			b->verbose = true;
			break;
		case 'h':
			gp_usage(stdout);
			return 1;
		default:
			fprintf(stderr, "Try 'gpu-proto-bench-cuse --help'.\n");
			return -EINVAL;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "gpu-proto-bench-cuse: no device given\n"
			"Try 'gpu-proto-bench-cuse --help'.\n");
		return -EINVAL;
	}
	for (int i = optind; i < argc; i++) {
		r = gp_bench_add_device(b, argv[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static void gp_bench_close(struct gp_bench *b)
{
	for (unsigned int k = 0; k < GP_BENCH_KINDS; k++)
		gp_bench_closep(&b->dev[k].fd);
}

int main(int argc, char **argv)
{
	_cleanup_(gp_bench_close) struct gp_bench b = { 0 };
	struct stat st;
	int r;

	for (unsigned int k = 0; k < GP_BENCH_KINDS; k++)
		b.dev[k].fd = -1;
	r = gp_parse_args(argc, argv, &b);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : 2;
	for (unsigned int k = 0; k < GP_BENCH_KINDS; k++) {
		if (!b.dev[k].present)
			continue;
		b.dev[k].fd = open(b.dev[k].path, O_RDWR | O_CLOEXEC);
		if (b.dev[k].fd < 0) {
			gp_bench_fail(errno, "open %s%s", b.dev[k].path,
				      k == GP_BENCH_SOCKET ? " (socket=: under gpu-proto-run --device?)" : "");
			return EXIT_FAILURE;
		}
		/* The shim falls back to the real open when no socket is there. */
		if (k == GP_BENCH_SOCKET && (fstat(b.dev[k].fd, &st) < 0 || !S_ISSOCK(st.st_mode))) {
			gp_bench_fail(ENOTSOCK, "socket=%s is not a connection to gpu-protod's socket "
				      "(run under gpu-proto-run --device %s --socket PATH)",
				      b.dev[k].path, b.dev[k].path);
			return EXIT_FAILURE;
		}
	}

	gp_bench_print_machine(&b);
	fflush(stdout);
	r = gp_bench_run(&b);
	if (r < 0)
		return EXIT_FAILURE;
	gp_bench_print(&b);
	return EXIT_SUCCESS;
}
