// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VM test: the sync object ioctls of gpu-protod, over real CUSE, against
 * the kernel's (drm_syncobj.c) on a DRM render node in the same VM.
 *
 * One script of calls (create with and without SIGNALED, destroy, bad
 * handles, flags and pads, waits for all/any with timeouts of 0, in the
 * past and a little ahead, WAIT_FOR_SUBMIT, reset, signal, the timeline
 * calls, LAST_SUBMITTED, counts of 0, first_signaled, waits woken by
 * another thread or interrupted by a signal, per-file handles) is issued
 * call by call on both nodes, from two files that have seen the same
 * calls, so handle numbers must match too.  For every call the return
 * value, errno, every field of the argument as copied back, and the
 * arrays the call reads or writes are compared; each call prints one
 * line, "same" or "DIFF" with every difference.  Any difference fails.
 *
 * Where the reference lacks a feature we have (vgem has no
 * DRIVER_SYNCOBJ, so every SYNCOBJ ioctl there is EOPNOTSUPP), the calls
 * that need it are made on both nodes but not compared: the output says
 * so and counts them.  GET_CAP(SYNCOBJ) and GET_CAP(SYNCOBJ_TIMELINE) must
 * be 1 on gpu-protod whatever the reference.
 *
 * Usage: gp-vm-syncobj-diff [--reference NODE|DRIVER] [--ours NODE]
 *   NODE is a path; DRIVER (e.g. virtio_gpu, vgem) picks the render node
 *   /dev/dri/renderD* whose DRM_IOCTL_VERSION name it is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

#define MAXN 4

enum {
	FEAT_SYNCOBJ = 1u << 0,
	FEAT_TIMELINE = 1u << 1,
	FEAT_RENDER_ONLY = 1u << 2,	/* no KMS: display caps are EOPNOTSUPP, as ours */
};

/* Symbolic pointer values in call templates, patched per call. */
enum {
	PTR_NULL = 0,
	PTR_HANDLES = 1,	/* the call's handles[] */
	PTR_POINTS = 2,		/* the call's points[] */
	PTR_BAD = 0x10,		/* an unmapped address: EFAULT */
};

struct field {
	const char *name;
	size_t off, size;
	bool ptr;	/* a user pointer (symbolic in templates) */
	bool out;	/* written by the call: printed */
	bool is_signed;
};

struct layout {
	const char *name;
	size_t size;
	ptrdiff_t timeout_off;	/* -1: none */
	struct field fields[9];
};

#define FLD(T, f, ...) { #f, offsetof(struct T, f), sizeof(((struct T *)0)->f), __VA_ARGS__ }

static const struct layout L_get_cap = { "get_cap", sizeof(struct gpu_proto_get_cap), -1, {
	FLD(gpu_proto_get_cap, capability),
	FLD(gpu_proto_get_cap, value, .out = true),
} };
static const struct layout L_create = { "create", sizeof(struct gpu_proto_syncobj_create), -1, {
	FLD(gpu_proto_syncobj_create, handle, .out = true),
	FLD(gpu_proto_syncobj_create, flags),
} };
static const struct layout L_destroy = { "destroy", sizeof(struct gpu_proto_syncobj_destroy), -1, {
	FLD(gpu_proto_syncobj_destroy, handle),
	FLD(gpu_proto_syncobj_destroy, pad),
} };
static const struct layout L_handle = { "handle", sizeof(struct gpu_proto_syncobj_handle), -1, {
	FLD(gpu_proto_syncobj_handle, handle, .out = true),
	FLD(gpu_proto_syncobj_handle, flags),
	FLD(gpu_proto_syncobj_handle, fd, .out = true, .is_signed = true),
	FLD(gpu_proto_syncobj_handle, pad),
} };
static const struct layout L_wait = { "wait", sizeof(struct gpu_proto_syncobj_wait),
	offsetof(struct gpu_proto_syncobj_wait, timeout_nsec), {
	FLD(gpu_proto_syncobj_wait, handles, .ptr = true),
	FLD(gpu_proto_syncobj_wait, timeout_nsec, .is_signed = true),
	FLD(gpu_proto_syncobj_wait, count_handles),
	FLD(gpu_proto_syncobj_wait, flags),
	FLD(gpu_proto_syncobj_wait, first_signaled, .out = true),
	FLD(gpu_proto_syncobj_wait, pad),
	FLD(gpu_proto_syncobj_wait, deadline_nsec),
} };
static const struct layout L_twait = { "timeline_wait", sizeof(struct gpu_proto_syncobj_timeline_wait),
	offsetof(struct gpu_proto_syncobj_timeline_wait, timeout_nsec), {
	FLD(gpu_proto_syncobj_timeline_wait, handles, .ptr = true),
	FLD(gpu_proto_syncobj_timeline_wait, points, .ptr = true),
	FLD(gpu_proto_syncobj_timeline_wait, timeout_nsec, .is_signed = true),
	FLD(gpu_proto_syncobj_timeline_wait, count_handles),
	FLD(gpu_proto_syncobj_timeline_wait, flags),
	FLD(gpu_proto_syncobj_timeline_wait, first_signaled, .out = true),
	FLD(gpu_proto_syncobj_timeline_wait, pad),
	FLD(gpu_proto_syncobj_timeline_wait, deadline_nsec),
} };
static const struct layout L_array = { "array", sizeof(struct gpu_proto_syncobj_array), -1, {
	FLD(gpu_proto_syncobj_array, handles, .ptr = true),
	FLD(gpu_proto_syncobj_array, count_handles),
	FLD(gpu_proto_syncobj_array, pad),
} };
static const struct layout L_tarray = { "timeline_array", sizeof(struct gpu_proto_syncobj_timeline_array), -1, {
	FLD(gpu_proto_syncobj_timeline_array, handles, .ptr = true),
	FLD(gpu_proto_syncobj_timeline_array, points, .ptr = true),
	FLD(gpu_proto_syncobj_timeline_array, count_handles),
	FLD(gpu_proto_syncobj_timeline_array, flags),
} };
static const struct layout L_transfer = { "transfer", sizeof(struct gpu_proto_syncobj_transfer), -1, {
	FLD(gpu_proto_syncobj_transfer, src_handle),
	FLD(gpu_proto_syncobj_transfer, dst_handle),
	FLD(gpu_proto_syncobj_transfer, src_point),
	FLD(gpu_proto_syncobj_transfer, dst_point),
	FLD(gpu_proto_syncobj_transfer, flags),
	FLD(gpu_proto_syncobj_transfer, pad),
} };
static const struct layout L_eventfd = { "eventfd", sizeof(struct gpu_proto_syncobj_eventfd), -1, {
	FLD(gpu_proto_syncobj_eventfd, handle),
	FLD(gpu_proto_syncobj_eventfd, flags),
	FLD(gpu_proto_syncobj_eventfd, point),
	FLD(gpu_proto_syncobj_eventfd, fd, .is_signed = true),
	FLD(gpu_proto_syncobj_eventfd, pad),
} };

/* One ioctl, as a template both nodes get. */
struct call {
	unsigned long cmd;
	unsigned feat;			/* FEAT_* the reference must have to compare */
	const struct layout *layout;
	uint64_t arg[8];		/* the argument; pointer fields symbolic */
	size_t ioc_size;		/* != 0: issue with this size in the command */
	uint32_t handles[MAXN];
	unsigned nh;			/* handles[] entries compared afterwards */
	uint64_t points[MAXN];
	unsigned np;			/* points[] entries compared afterwards */
	int64_t rel_timeout;		/* != 0: timeout_nsec = now + this (ns) */
	const struct call *later;	/* issued from a second thread ... */
	unsigned later_ms;		/* ... this long after the call started */
	unsigned alarm_ms;		/* != 0: SIGALRM (no SA_RESTART) this long after */
};

struct outcome {
	int rc, err;
	uint64_t arg[8];
	uint32_t handles[MAXN];
	uint64_t points[MAXN];
	bool timed;			/* rel_timeout: returned at or after the deadline */
	int64_t late_ns;		/* how long after (negative: before) */
	int later_rc, later_err;
};

struct node {
	const char *label;		/* "kernel" or "gpu-proto" */
	const char *path;
	int fd;
};

static struct node ref = { .label = "kernel" }, ours = { .label = "gpu-proto", .path = "/dev/gpu-proto" };
static unsigned ref_feat;
static unsigned n_same, n_diff, n_skipped;
static bool fatal;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t get_field(const void *arg, const struct field *f)
{
	const unsigned char *p = (const unsigned char *)arg + f->off;

	if (f->size == 4) {
		uint32_t v;

		memcpy(&v, p, 4);
		return f->is_signed ? (uint64_t)(int64_t)(int32_t)v : v;
	}
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void set_field(void *arg, const struct field *f, uint64_t v)
{
	unsigned char *p = (unsigned char *)arg + f->off;

	if (f->size == 4) {
		uint32_t v32 = (uint32_t)v;

		memcpy(p, &v32, 4);
	} else {
		memcpy(p, &v, 8);
	}
}

static const char *errname(int err)
{
	const char *n = err ? strerrorname_np(err) : "0";

	return n ? n : "?";
}

static void fmt_field(char *buf, size_t len, const struct field *f, uint64_t v)
{
	if (f->ptr && v <= PTR_POINTS)
		snprintf(buf, len, "%s", v == PTR_NULL ? "NULL" : v == PTR_HANDLES ? "&handles" : "&points");
	else if (f->ptr)
		snprintf(buf, len, "0x%" PRIx64, v);
	else if (f->is_signed)
		snprintf(buf, len, "%" PRId64, (int64_t)v);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

static void on_alarm(int sig)
{
	(void)sig;
}

struct later_run {
	int fd;
	struct call c;
	unsigned ms;
	int rc, err;
};

static void patch(struct call *w, bool to_real)
{
	for (const struct field *f = w->layout->fields; f->name; f++) {
		uint64_t v;

		if (!f->ptr)
			continue;
		v = get_field(w->arg, f);
		if (to_real && v == PTR_HANDLES)
			set_field(w->arg, f, (uintptr_t)w->handles);
		else if (to_real && v == PTR_POINTS)
			set_field(w->arg, f, (uintptr_t)w->points);
		else if (!to_real && v == (uintptr_t)w->handles)
			set_field(w->arg, f, PTR_HANDLES);
		else if (!to_real && v == (uintptr_t)w->points)
			set_field(w->arg, f, PTR_POINTS);
	}
}

static unsigned long command(const struct call *c)
{
	unsigned long cmd = c->cmd;

	if (c->ioc_size)
		cmd = (cmd & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		      ((unsigned long)c->ioc_size << _IOC_SIZESHIFT);
	return cmd;
}

static void *later_main(void *data)
{
	struct later_run *l = data;

	usleep(l->ms * 1000);
	patch(&l->c, true);
	l->rc = ioctl(l->fd, command(&l->c), l->c.arg);
	l->err = l->rc < 0 ? errno : 0;
	return NULL;
}

static void run_on(const struct node *n, const struct call *c, struct outcome *o)
{
	struct call w = *c;
	struct later_run later = { .fd = n->fd };
	pthread_t thread;
	int64_t deadline = 0;

	memset(o, 0, sizeof(*o));
	patch(&w, true);
	if (c->rel_timeout && c->layout->timeout_off >= 0) {
		deadline = now_ns() + c->rel_timeout;
		memcpy((char *)w.arg + c->layout->timeout_off, &deadline, 8);
	}
	if (c->later) {
		later.c = *c->later;
		later.ms = c->later_ms;
		if (pthread_create(&thread, NULL, later_main, &later)) {
			fprintf(stderr, "pthread_create failed\n");
			exit(2);
		}
	}
	if (c->alarm_ms) {
		/*
		 * Repeating, so a process preempted past the first expiry
		 * before it entered the ioctl still sees one while it waits.
		 */
		struct itimerval it = {
			.it_value = { .tv_usec = c->alarm_ms * 1000 },
			.it_interval = { .tv_usec = c->alarm_ms * 1000 },
		};
		struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */

		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
	}
	o->rc = ioctl(n->fd, command(&w), w.arg);
	o->err = o->rc < 0 ? errno : 0;
	if (deadline) {
		o->late_ns = now_ns() - deadline;
		o->timed = true;
	}
	if (c->alarm_ms) {
		struct itimerval off = { 0 };

		setitimer(ITIMER_REAL, &off, NULL);
	}
	if (c->later) {
		pthread_join(thread, NULL);
		o->later_rc = later.rc;
		o->later_err = later.err;
	}
	/*
	 * The deadline differs per node: compare it relative to the call's
	 * start, as the template had it (a write to the field still shows).
	 */
	if (deadline) {
		int64_t t;

		memcpy(&t, (char *)w.arg + c->layout->timeout_off, 8);
		t = t - deadline + c->rel_timeout;
		memcpy((char *)w.arg + c->layout->timeout_off, &t, 8);
	}
	patch(&w, false);
	memcpy(o->arg, w.arg, sizeof(o->arg));
	memcpy(o->handles, w.handles, sizeof(o->handles));
	memcpy(o->points, w.points, sizeof(o->points));
}

static void describe(char *buf, size_t len, const struct call *c, const struct outcome *o)
{
	size_t at = 0;
	char v[32];

	at += (size_t)snprintf(buf + at, len - at, "%s", o->rc < 0 ? errname(o->err) : "0");
	if (o->rc >= 0)
		for (const struct field *f = c->layout->fields; f->name; f++)
			if (f->out && at < len) {
				fmt_field(v, sizeof(v), f, get_field(o->arg, f));
				at += (size_t)snprintf(buf + at, len - at, " %s=%s", f->name, v);
			}
	if (c->np && at < len && o->rc >= 0) {
		at += (size_t)snprintf(buf + at, len - at, " points=[");
		for (unsigned i = 0; i < c->np && at < len; i++)
			at += (size_t)snprintf(buf + at, len - at, "%s%" PRIu64, i ? "," : "", o->points[i]);
		if (at < len)
			snprintf(buf + at, len - at, "]");
	}
}

/* Differences of the call being compared, printed under its line. */
static char diffs[4096];
static size_t diffs_len;

/* Note one difference; returns 1. */
static int __attribute__((format(printf, 2, 3))) differ(const char *what, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (diffs_len >= sizeof(diffs))
		return 1;
	n = snprintf(diffs + diffs_len, sizeof(diffs) - diffs_len, "      %s: ", what);
	diffs_len += n > 0 ? (size_t)n : 0;
	va_start(ap, fmt);
	if (diffs_len < sizeof(diffs)) {
		n = vsnprintf(diffs + diffs_len, sizeof(diffs) - diffs_len, fmt, ap);
		diffs_len += n > 0 ? (size_t)n : 0;
	}
	va_end(ap);
	if (diffs_len < sizeof(diffs)) {
		n = snprintf(diffs + diffs_len, sizeof(diffs) - diffs_len, "\n");
		diffs_len += n > 0 ? (size_t)n : 0;
	}
	return 1;
}

/* Compare two outcomes; prints each difference under the call's line. */
static int compare(const struct call *c, const struct outcome *k, const struct outcome *g)
{
	char a[32], b[32];
	int d = 0;

	if (k->rc != g->rc)
		d += differ("return", "kernel %d, gpu-proto %d", k->rc, g->rc);
	if (k->err != g->err)
		d += differ("errno", "kernel %s, gpu-proto %s", errname(k->err), errname(g->err));
	for (const struct field *f = c->layout->fields; f->name; f++) {
		uint64_t kv = get_field(k->arg, f), gv = get_field(g->arg, f);

		if (kv == gv)
			continue;
		fmt_field(a, sizeof(a), f, kv);
		fmt_field(b, sizeof(b), f, gv);
		d += differ(f->name, "kernel %s, gpu-proto %s", a, b);
	}
	for (unsigned i = 0; i < c->nh; i++)
		if (k->handles[i] != g->handles[i])
			d += differ("handles[]", "[%u] kernel %" PRIu32 ", gpu-proto %" PRIu32, i,
				    k->handles[i], g->handles[i]);
	for (unsigned i = 0; i < c->np; i++)
		if (k->points[i] != g->points[i])
			d += differ("points[]", "[%u] kernel %" PRIu64 ", gpu-proto %" PRIu64, i,
				    k->points[i], g->points[i]);
	if (c->later && (k->later_rc != g->later_rc || k->later_err != g->later_err))
		d += differ("the other thread's call", "kernel %s, gpu-proto %s",
			    k->later_rc < 0 ? errname(k->later_err) : "0",
			    g->later_rc < 0 ? errname(g->later_err) : "0");
	/* Not a timing assertion: ETIME before the deadline is wrong whatever the speed. */
	if (k->err == ETIME && k->timed && k->late_ns < 0)
		d += differ("deadline", "kernel returned ETIME %" PRId64 " us early", -k->late_ns / 1000);
	if (g->err == ETIME && g->timed && g->late_ns < 0)
		d += differ("deadline", "gpu-proto returned ETIME %" PRId64 " us early", -g->late_ns / 1000);
	return d;
}

/*
 * Issue @c on both nodes and compare.  Returns gpu-proto's outcome when
 * the reference lacks a feature the call needs, else the kernel's (the
 * script goes on with the reference's handles; a difference there is
 * reported and, for handles, ends the run: later calls would compare
 * different objects).
 */
static struct outcome diff(const char *what, const struct call *c)
{
	struct outcome k, g;
	char kd[160], gd[160];
	int d;

	run_on(&ref, c, &k);
	run_on(&ours, c, &g);
	describe(kd, sizeof(kd), c, &k);
	describe(gd, sizeof(gd), c, &g);
	if (c->feat & ~ref_feat) {
		n_skipped++;
		printf("n/c   %-58s kernel %s (feature differs); gpu-proto %s\n", what, kd, gd);
		return g;
	}
	diffs_len = 0;
	diffs[0] = '\0';
	d = compare(c, &k, &g);
	if (d) {
		n_diff++;
		printf("DIFF  %-58s kernel %s; gpu-proto %s\n%s", what, kd, gd, diffs);
	} else {
		n_same++;
		printf("same  %-58s %s\n", what, kd);
	}
	fflush(stdout);
	return k;
}

/* --- call builders ---------------------------------------------------------- */

#define ARG(c, T) ((struct T *)(void *)(c).arg)

static struct call get_cap(uint64_t cap)
{
	struct call c = { .cmd = GPU_PROTO_IOCTL_GET_CAP, .layout = &L_get_cap };

	*ARG(c, gpu_proto_get_cap) = (struct gpu_proto_get_cap){ .capability = cap, .value = 0x5a5a };
	return c;
}

static struct call create(uint32_t flags)
{
	struct call c = { .cmd = GPU_PROTO_IOCTL_SYNCOBJ_CREATE, .feat = FEAT_SYNCOBJ, .layout = &L_create };

	*ARG(c, gpu_proto_syncobj_create) = (struct gpu_proto_syncobj_create){ .handle = 0x5a5a, .flags = flags };
	return c;
}

static struct call destroy(uint32_t handle, uint32_t pad)
{
	struct call c = { .cmd = GPU_PROTO_IOCTL_SYNCOBJ_DESTROY, .feat = FEAT_SYNCOBJ, .layout = &L_destroy };

	*ARG(c, gpu_proto_syncobj_destroy) = (struct gpu_proto_syncobj_destroy){ .handle = handle, .pad = pad };
	return c;
}

static void set_handles(struct call *c, unsigned n, const uint32_t *h)
{
	memcpy(c->handles, h, n * sizeof(*h));
	c->nh = n;
}

static void set_points(struct call *c, unsigned n, const uint64_t *p)
{
	memcpy(c->points, p, n * sizeof(*p));
	c->np = n;
}

/* first_signaled starts at a marker: a write to it shows. */
#define FIRST_MARK 0x5a5a5a5au

static struct call wait_(uint32_t flags, int64_t timeout, unsigned n, const uint32_t *h)
{
	struct call c = { .cmd = GPU_PROTO_IOCTL_SYNCOBJ_WAIT, .feat = FEAT_SYNCOBJ, .layout = &L_wait };

	set_handles(&c, n, h);
	*ARG(c, gpu_proto_syncobj_wait) = (struct gpu_proto_syncobj_wait){
		.handles = PTR_HANDLES, .timeout_nsec = timeout, .count_handles = n, .flags = flags,
		.first_signaled = FIRST_MARK,
	};
	return c;
}
#define WAIT(flags, timeout, ...) \
	wait_(flags, timeout, sizeof((uint32_t[]){ __VA_ARGS__ }) / 4, (uint32_t[]){ __VA_ARGS__ })

static struct call twait_(uint32_t flags, int64_t timeout, unsigned n, const uint32_t *h, const uint64_t *p)
{
	struct call c = { .cmd = GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT, .feat = FEAT_SYNCOBJ | FEAT_TIMELINE,
			  .layout = &L_twait };

	set_handles(&c, n, h);
	set_points(&c, n, p);
	*ARG(c, gpu_proto_syncobj_timeline_wait) = (struct gpu_proto_syncobj_timeline_wait){
		.handles = PTR_HANDLES, .points = PTR_POINTS, .timeout_nsec = timeout, .count_handles = n,
		.flags = flags, .first_signaled = FIRST_MARK,
	};
	return c;
}
#define HS(...) ((uint32_t[]){ __VA_ARGS__ })
#define PS(...) ((uint64_t[]){ __VA_ARGS__ })
/* TWAIT(flags, timeout, n, HS(handles...), PS(points...)) */
#define TWAIT(flags, timeout, n, h, p) twait_(flags, timeout, n, h, p)

static struct call array_(unsigned long cmd, unsigned n, const uint32_t *h)
{
	struct call c = { .cmd = cmd, .feat = FEAT_SYNCOBJ, .layout = &L_array };

	set_handles(&c, n, h);
	*ARG(c, gpu_proto_syncobj_array) = (struct gpu_proto_syncobj_array){
		.handles = PTR_HANDLES, .count_handles = n,
	};
	return c;
}
#define RESET(...) array_(GPU_PROTO_IOCTL_SYNCOBJ_RESET, \
	sizeof((uint32_t[]){ __VA_ARGS__ }) / 4, (uint32_t[]){ __VA_ARGS__ })
#define SIGNAL(...) array_(GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL, \
	sizeof((uint32_t[]){ __VA_ARGS__ }) / 4, (uint32_t[]){ __VA_ARGS__ })

static struct call tarray_(unsigned long cmd, uint32_t flags, unsigned n, const uint32_t *h, const uint64_t *p)
{
	struct call c = { .cmd = cmd, .feat = FEAT_SYNCOBJ | FEAT_TIMELINE, .layout = &L_tarray };

	set_handles(&c, n, h);
	set_points(&c, n, p);
	*ARG(c, gpu_proto_syncobj_timeline_array) = (struct gpu_proto_syncobj_timeline_array){
		.handles = PTR_HANDLES, .points = PTR_POINTS, .count_handles = n, .flags = flags,
	};
	return c;
}
/* QUERY(flags, handle): the point comes back in points[0]; starts at a marker. */
#define QUERY(flags, h) tarray_(GPU_PROTO_IOCTL_SYNCOBJ_QUERY, flags, 1, (uint32_t[]){ h }, \
	(uint64_t[]){ 0x5a5a5a5a5a5aull })
#define TSIGNAL(h, p) tarray_(GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, 0, 1, (uint32_t[]){ h }, \
	(uint64_t[]){ p })

static struct call transfer(uint32_t src, uint64_t src_point, uint32_t dst, uint64_t dst_point, uint32_t flags)
{
	struct call c = { .cmd = GPU_PROTO_IOCTL_SYNCOBJ_TRANSFER, .feat = FEAT_SYNCOBJ | FEAT_TIMELINE,
			  .layout = &L_transfer };

	*ARG(c, gpu_proto_syncobj_transfer) = (struct gpu_proto_syncobj_transfer){
		.src_handle = src, .dst_handle = dst, .src_point = src_point, .dst_point = dst_point,
		.flags = flags,
	};
	return c;
}

static uint32_t handle_of(const struct outcome *o)
{
	return ((const struct gpu_proto_syncobj_create *)(const void *)o->arg)->handle;
}

/* CREATE on both nodes; the handles must be equal for the script to go on. */
static uint32_t create_handle(const char *what, uint32_t flags)
{
	struct call c = create(flags);
	struct outcome o = diff(what, &c);

	if (o.rc < 0 && (c.feat & ~ref_feat) == 0) {
		printf("FATAL: CREATE failed on the reference (%s): cannot go on\n", errname(o.err));
		exit(2);
	}
	return handle_of(&o);
}

/* --- the script ------------------------------------------------------------- */

#define MS (1000 * 1000ll)

static void script_caps(void)
{
	static const struct { uint64_t cap; const char *name; } render_caps[] = {
		{ GPU_PROTO_CAP_TIMESTAMP_MONOTONIC, "TIMESTAMP_MONOTONIC" },
		{ GPU_PROTO_CAP_PRIME, "PRIME" },
		{ GPU_PROTO_CAP_SYNCOBJ, "SYNCOBJ" },
		{ GPU_PROTO_CAP_SYNCOBJ_TIMELINE, "SYNCOBJ_TIMELINE" },
	};
	char what[64];

	for (size_t i = 0; i < sizeof(render_caps) / sizeof(render_caps[0]); i++) {
		struct call c = get_cap(render_caps[i].cap);

		if (render_caps[i].cap == GPU_PROTO_CAP_SYNCOBJ)
			c.feat = FEAT_SYNCOBJ;
		if (render_caps[i].cap == GPU_PROTO_CAP_SYNCOBJ_TIMELINE)
			c.feat = FEAT_TIMELINE;
		snprintf(what, sizeof(what), "GET_CAP(%s)", render_caps[i].name);
		diff(what, &c);
	}
	/* Display caps: compared with a render-only reference (vgem), not a KMS one. */
	for (uint64_t cap = GPU_PROTO_CAP_DUMB_BUFFER; cap <= GPU_PROTO_CAP_ATOMIC_ASYNC_PAGE_FLIP; cap++) {
		struct call c = get_cap(cap);

		/* The four above, and the numbers drm.h leaves out (0xa-0xf). */
		if (cap == GPU_PROTO_CAP_TIMESTAMP_MONOTONIC || cap == GPU_PROTO_CAP_PRIME ||
		    cap == GPU_PROTO_CAP_SYNCOBJ || cap == GPU_PROTO_CAP_SYNCOBJ_TIMELINE ||
		    (cap > GPU_PROTO_CAP_CURSOR_HEIGHT && cap < GPU_PROTO_CAP_ADDFB2_MODIFIERS))
			continue;
		c.feat = FEAT_RENDER_ONLY;
		snprintf(what, sizeof(what), "GET_CAP(0x%" PRIx64 ", display)", cap);
		diff(what, &c);
	}
}

static void script_binary(void)
{
	uint32_t a, s, h;
	struct call c;

	printf("-- binary sync objects\n");
	a = create_handle("CREATE flags 0 -> a", 0);
	s = create_handle("CREATE SIGNALED -> s", GPU_PROTO_SYNCOBJ_CREATE_SIGNALED);
	c = create(2);
	diff("CREATE flags 0x2 (unknown)", &c);
	c = create(0x80000000u);
	diff("CREATE flags 0x80000000", &c);

	c = WAIT(0, 0, s);
	diff("WAIT s, timeout 0", &c);
	c = WAIT(0, 0, a);
	diff("WAIT a (no fence), timeout 0", &c);
	c = WAIT(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, 0, a);
	diff("WAIT a FOR_SUBMIT, timeout 0", &c);
	c = WAIT(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, 1, a);
	diff("WAIT a FOR_SUBMIT, timeout 1 ns (the past)", &c);
	c = WAIT(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, 0, a);
	c.rel_timeout = -1000 * MS;
	diff("WAIT a FOR_SUBMIT, timeout now - 1 s", &c);
	c = WAIT(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, 0, a);
	c.rel_timeout = 50 * MS;
	diff("WAIT a FOR_SUBMIT, timeout now + 50 ms", &c);
	c = WAIT(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, INT64_MIN, a);
	diff("WAIT a FOR_SUBMIT, timeout INT64_MIN", &c);
	c = WAIT(0, 0, a, s);
	diff("WAIT any {a, s} (a has no fence)", &c);
	c = WAIT(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, 0, a, s);
	diff("WAIT any {a, s} FOR_SUBMIT: first_signaled", &c);
	c = WAIT(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT | GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, 0, a, s);
	diff("WAIT all {a, s} FOR_SUBMIT, timeout 0", &c);
	c = WAIT(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, 0, s, s);
	diff("WAIT all {s, s}: first_signaled", &c);
	c = WAIT(0, 0, s, s);
	diff("WAIT any {s, s}", &c);
	c = WAIT(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE, 0, s);
	diff("WAIT s flags WAIT_AVAILABLE (timeline only)", &c);
	c = WAIT(0x100, 0, s);
	diff("WAIT s flags 0x100", &c);
	c = WAIT(0, 0, s);
	ARG(c, gpu_proto_syncobj_wait)->pad = 1;
	diff("WAIT s pad 1", &c);
	c = WAIT(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE, 0, s);
	ARG(c, gpu_proto_syncobj_wait)->deadline_nsec = 12345;
	diff("WAIT s WAIT_DEADLINE", &c);
	c = WAIT(0, 0, s);
	c.ioc_size = offsetof(struct gpu_proto_syncobj_wait, deadline_nsec);
	diff("WAIT s, pre-6.4 size (no deadline_nsec)", &c);
	c = WAIT(0, 0, s);
	ARG(c, gpu_proto_syncobj_wait)->count_handles = 0;
	diff("WAIT count 0", &c);
	c = WAIT(0, 0, 99);
	diff("WAIT handle 99 (none)", &c);
	c = WAIT(0, 0, 0);
	diff("WAIT handle 0", &c);
	c = WAIT(0, 0, s, 99);
	diff("WAIT {s, 99}", &c);
	c = WAIT(0, 0, s);
	ARG(c, gpu_proto_syncobj_wait)->handles = PTR_BAD;
	diff("WAIT handles -> unmapped", &c);
	c = WAIT(0x100, 0, 99);
	diff("WAIT flags 0x100 and handle 99 (which first)", &c);

	c = SIGNAL(a);
	diff("SIGNAL a", &c);
	c = WAIT(0, 0, a);
	diff("WAIT a after SIGNAL", &c);
	c = RESET(a);
	diff("RESET a", &c);
	c = WAIT(0, 0, a);
	diff("WAIT a after RESET", &c);
	c = SIGNAL(a, s);
	diff("SIGNAL {a, s}", &c);
	c = RESET(a, 99);
	diff("RESET {a, 99}", &c);
	c = WAIT(0, 0, a);
	diff("WAIT a after the failed RESET", &c);
	c = RESET(a);
	ARG(c, gpu_proto_syncobj_array)->count_handles = 0;
	diff("RESET count 0", &c);
	c = RESET(a);
	ARG(c, gpu_proto_syncobj_array)->pad = 1;
	diff("RESET pad 1", &c);
	c = RESET(99);
	diff("RESET handle 99", &c);
	c = SIGNAL(a);
	ARG(c, gpu_proto_syncobj_array)->count_handles = 0;
	diff("SIGNAL count 0", &c);
	c = SIGNAL(a);
	ARG(c, gpu_proto_syncobj_array)->pad = 1;
	diff("SIGNAL pad 1", &c);
	c = SIGNAL(99);
	diff("SIGNAL handle 99", &c);
	c = SIGNAL(a);
	ARG(c, gpu_proto_syncobj_array)->handles = PTR_BAD;
	diff("SIGNAL handles -> unmapped", &c);
	c = RESET(a);
	diff("RESET a", &c);

	/* Waits that end on another thread's call, or on a signal. */
	{
		struct call sig = SIGNAL(a);

		c = WAIT(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, 0, a);
		c.rel_timeout = 10000 * MS;
		c.later = &sig;
		c.later_ms = 100;
		diff("WAIT a FOR_SUBMIT, +10 s; SIGNAL a from a thread", &c);
	}
	c = RESET(a);
	diff("RESET a", &c);
	c = WAIT(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, 0, a);
	c.rel_timeout = 10000 * MS;
	c.alarm_ms = 100;
	diff("WAIT a FOR_SUBMIT, +10 s; SIGALRM (no SA_RESTART)", &c);

	c = destroy(s, 0);
	diff("DESTROY s", &c);
	c = destroy(s, 0);
	diff("DESTROY s again", &c);
	c = destroy(a, 1);
	diff("DESTROY a pad 1", &c);
	c = destroy(0, 0);
	diff("DESTROY handle 0", &c);
	h = create_handle("CREATE -> the lowest free handle", 0);
	if (h != s)
		printf("note: the new handle is %" PRIu32 ", s was %" PRIu32 "\n", h, s);
	c = destroy(h, 0);
	diff("DESTROY it", &c);
	c = destroy(a, 0);
	diff("DESTROY a", &c);
}

static void script_timeline(void)
{
	const uint32_t all_flags = GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL;
	const uint32_t fs = GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
	const uint32_t avail = GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE;
	uint32_t t, b, e;
	struct call c;

	printf("-- timelines\n");
	t = create_handle("CREATE -> t (timeline)", 0);
	b = create_handle("CREATE SIGNALED -> b", GPU_PROTO_SYNCOBJ_CREATE_SIGNALED);
	e = create_handle("CREATE -> e (stays empty)", 0);

	c = QUERY(0, t);
	diff("QUERY t (nothing yet)", &c);
	c = QUERY(GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, t);
	diff("QUERY t LAST_SUBMITTED", &c);
	c = QUERY(0, b);
	diff("QUERY b (a binary fence)", &c);
	c = QUERY(2, t);
	diff("QUERY flags 0x2", &c);
	c = QUERY(0, t);
	ARG(c, gpu_proto_syncobj_timeline_array)->count_handles = 0;
	diff("QUERY count 0", &c);
	c = QUERY(0, 99);
	diff("QUERY handle 99", &c);
	c = QUERY(0, t);
	ARG(c, gpu_proto_syncobj_timeline_array)->points = PTR_BAD;
	diff("QUERY points -> unmapped", &c);

	c = TSIGNAL(t, 1);
	diff("TIMELINE_SIGNAL t 1", &c);
	c = QUERY(0, t);
	diff("QUERY t", &c);
	c = TSIGNAL(t, 5);
	diff("TIMELINE_SIGNAL t 5", &c);
	c = QUERY(0, t);
	diff("QUERY t", &c);
	c = QUERY(GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, t);
	diff("QUERY t LAST_SUBMITTED", &c);
	c = TSIGNAL(t, 6);
	ARG(c, gpu_proto_syncobj_timeline_array)->flags = 1;
	diff("TIMELINE_SIGNAL flags 1", &c);
	c = TSIGNAL(t, 6);
	ARG(c, gpu_proto_syncobj_timeline_array)->count_handles = 0;
	diff("TIMELINE_SIGNAL count 0", &c);
	c = TSIGNAL(99, 6);
	diff("TIMELINE_SIGNAL handle 99", &c);
	c = TSIGNAL(t, 6);
	ARG(c, gpu_proto_syncobj_timeline_array)->points = PTR_BAD;
	diff("TIMELINE_SIGNAL points -> unmapped", &c);

	c = TWAIT(0, 0, 1, HS(t), PS(5));
	diff("TIMELINE_WAIT t@5", &c);
	c = TWAIT(0, 0, 1, HS(t), PS(3));
	diff("TIMELINE_WAIT t@3 (between points)", &c);
	c = TWAIT(0, 0, 1, HS(t), PS(6));
	diff("TIMELINE_WAIT t@6 (not submitted)", &c);
	c = TWAIT(fs, 0, 1, HS(t), PS(6));
	diff("TIMELINE_WAIT t@6 FOR_SUBMIT, timeout 0", &c);
	c = TWAIT(fs, 0, 1, HS(t), PS(6));
	c.rel_timeout = 50 * MS;
	diff("TIMELINE_WAIT t@6 FOR_SUBMIT, timeout now + 50 ms", &c);
	c = TWAIT(avail, 0, 1, HS(t), PS(6));
	diff("TIMELINE_WAIT t@6 WAIT_AVAILABLE, timeout 0", &c);
	c = TWAIT(avail, 0, 1, HS(t), PS(5));
	diff("TIMELINE_WAIT t@5 WAIT_AVAILABLE", &c);
	c = TWAIT(0, 0, 1, HS(t), PS(0));
	diff("TIMELINE_WAIT t@0", &c);
	c = TWAIT(0, 0, 1, HS(t), PS(0));
	ARG(c, gpu_proto_syncobj_timeline_wait)->points = PTR_NULL;
	diff("TIMELINE_WAIT t, points NULL", &c);
	c = TWAIT(all_flags, 0, 2, HS(b, t), PS(0, 5));
	diff("TIMELINE_WAIT all {b@0, t@5}", &c);
	c = TWAIT(fs, 0, 3, HS(e, t, b), PS(0, 9, 0));
	diff("TIMELINE_WAIT any {e@0, t@9, b@0} FOR_SUBMIT", &c);
	c = TWAIT(fs | all_flags, 0, 2, HS(t, e), PS(5, 0));
	diff("TIMELINE_WAIT all {t@5, e@0} FOR_SUBMIT, timeout 0", &c);
	c = TWAIT(0x10, 0, 1, HS(t), PS(5));
	diff("TIMELINE_WAIT flags 0x10", &c);
	c = TWAIT(0, 0, 1, HS(t), PS(5));
	ARG(c, gpu_proto_syncobj_timeline_wait)->pad = 1;
	diff("TIMELINE_WAIT pad 1", &c);
	c = TWAIT(0, 0, 1, HS(t), PS(5));
	ARG(c, gpu_proto_syncobj_timeline_wait)->count_handles = 0;
	diff("TIMELINE_WAIT count 0", &c);
	c = TWAIT(0, 0, 1, HS(99), PS(5));
	diff("TIMELINE_WAIT handle 99", &c);
	c = TWAIT(0, 0, 1, HS(t), PS(5));
	ARG(c, gpu_proto_syncobj_timeline_wait)->points = PTR_BAD;
	diff("TIMELINE_WAIT points -> unmapped", &c);
	{
		struct call sig = TSIGNAL(t, 10);

		c = TWAIT(avail, 0, 1, HS(t), PS(10));
		c.rel_timeout = 10000 * MS;
		c.later = &sig;
		c.later_ms = 100;
		diff("TIMELINE_WAIT t@10 WAIT_AVAILABLE, +10 s; TIMELINE_SIGNAL 10 from a thread", &c);
	}
	c = QUERY(0, t);
	diff("QUERY t", &c);

	c = transfer(t, 5, e, 0, 0);
	diff("TRANSFER t@5 -> e (binary)", &c);
	c = WAIT(0, 0, e);
	diff("WAIT e", &c);
	c = transfer(b, 0, t, 12, 0);
	diff("TRANSFER b -> t@12", &c);
	c = QUERY(0, t);
	diff("QUERY t", &c);
	c = transfer(t, 0, e, 0, 0);
	diff("TRANSFER t@0 (the latest) -> e", &c);
	c = transfer(t, 20, e, 0, 0);
	diff("TRANSFER t@20 (not submitted) -> e", &c);
	c = RESET(e);
	diff("RESET e", &c);
	c = transfer(e, 0, t, 13, 0);
	diff("TRANSFER e (no fence) -> t@13", &c);
	c = transfer(b, 0, e, 0, 0);
	ARG(c, gpu_proto_syncobj_transfer)->pad = 1;
	diff("TRANSFER pad 1", &c);
	c = transfer(b, 0, e, 0, GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL);
	diff("TRANSFER flags WAIT_ALL", &c);
	c = transfer(99, 0, e, 0, 0);
	diff("TRANSFER from handle 99", &c);
	c = transfer(b, 0, 99, 0, 0);
	diff("TRANSFER to handle 99", &c);
	c = transfer(b, 0, 99, 4, 0);
	diff("TRANSFER to handle 99, point 4", &c);
	{
		struct call sig = TSIGNAL(t, 21);

		c = transfer(t, 21, e, 0, fs);
		c.later = &sig;
		c.later_ms = 100;
		diff("TRANSFER t@21 FOR_SUBMIT -> e; TIMELINE_SIGNAL 21 from a thread", &c);
	}
	c = WAIT(0, 0, e);
	diff("WAIT e", &c);

	/* Points out of order, and a binary operation on a timeline. */
	c = TSIGNAL(t, 15);
	diff("TIMELINE_SIGNAL t 15 (below 21)", &c);
	c = QUERY(0, t);
	diff("QUERY t", &c);
	c = QUERY(GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, t);
	diff("QUERY t LAST_SUBMITTED", &c);
	c = TWAIT(0, 0, 1, HS(t), PS(21));
	diff("TIMELINE_WAIT t@21", &c);
	c = SIGNAL(t);
	diff("SIGNAL t (binary)", &c);
	c = QUERY(0, t);
	diff("QUERY t", &c);
	c = TWAIT(0, 0, 1, HS(t), PS(1));
	diff("TIMELINE_WAIT t@1", &c);
	c = RESET(t);
	diff("RESET t", &c);
	c = QUERY(GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, t);
	diff("QUERY t LAST_SUBMITTED", &c);
	c = TSIGNAL(t, 0);
	diff("TIMELINE_SIGNAL t 0", &c);
	c = QUERY(0, t);
	diff("QUERY t", &c);
	c = TWAIT(0, 0, 1, HS(t), PS(0));
	diff("TIMELINE_WAIT t@0", &c);
}

/* Handles belong to a file: a second file of each node sees none of them. */
static void script_files(void)
{
	struct node r1 = ref, o1 = ours;
	uint32_t h;
	struct call c;

	printf("-- a second file\n");
	h = create_handle("CREATE in file 1 -> h", GPU_PROTO_SYNCOBJ_CREATE_SIGNALED);
	ref.fd = open(ref.path, O_RDWR | O_CLOEXEC);
	ours.fd = open(ours.path, O_RDWR | O_CLOEXEC);
	if (ref.fd < 0 || ours.fd < 0) {
		printf("FATAL: cannot open a second file: %s\n", strerror(errno));
		exit(2);
	}
	c = WAIT(0, 0, h);
	diff("WAIT h in file 2", &c);
	create_handle("CREATE in file 2 (numbered per file)", 0);
	c = destroy(h, 0);
	diff("DESTROY h in file 2", &c);
	close(ref.fd);
	close(ours.fd);
	ref = r1;
	ours = o1;
	c = WAIT(0, 0, h);
	diff("WAIT h in file 1", &c);
}

/* What gpu-proto refuses by design (docs/uapi.md): shown, not compared. */
static void script_refused(void)
{
	struct call c = { .cmd = GPU_PROTO_IOCTL_SYNCOBJ_HANDLE_TO_FD, .layout = &L_handle };
	struct outcome g;

	printf("-- not compared: fd export/import and eventfd, which gpu-proto refuses\n");
	*ARG(c, gpu_proto_syncobj_handle) = (struct gpu_proto_syncobj_handle){ .handle = 1, .fd = -1 };
	run_on(&ours, &c, &g);
	printf("n/c   %-58s gpu-proto %s\n", "HANDLE_TO_FD", g.rc < 0 ? errname(g.err) : "0");
	c.cmd = GPU_PROTO_IOCTL_SYNCOBJ_FD_TO_HANDLE;
	run_on(&ours, &c, &g);
	printf("n/c   %-58s gpu-proto %s\n", "FD_TO_HANDLE", g.rc < 0 ? errname(g.err) : "0");
	c = (struct call){ .cmd = GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD, .layout = &L_eventfd };
	*ARG(c, gpu_proto_syncobj_eventfd) = (struct gpu_proto_syncobj_eventfd){ .handle = 1, .fd = -1 };
	run_on(&ours, &c, &g);
	printf("n/c   %-58s gpu-proto %s\n", "EVENTFD", g.rc < 0 ? errname(g.err) : "0");
	n_skipped += 3;
}

/* --- setup ------------------------------------------------------------------ */

static int open_node(struct node *n)
{
	n->fd = open(n->path, O_RDWR | O_CLOEXEC);
	if (n->fd < 0)
		fprintf(stderr, "open %s: %s\n", n->path, strerror(errno));
	return n->fd;
}

static bool driver_name(int fd, char *name, size_t len)
{
	struct gpu_proto_version v = { .name_len = len - 1, .name = name };

	memset(name, 0, len);
	return ioctl(fd, GPU_PROTO_IOCTL_VERSION, &v) == 0;
}

/* The render node whose driver is @driver, or NULL. */
static const char *find_render_node(const char *driver)
{
	static char path[64];
	char name[64];

	for (int minor = 128; minor < 192; minor++) {
		int fd;
		bool match;

		snprintf(path, sizeof(path), "/dev/dri/renderD%d", minor);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		match = driver_name(fd, name, sizeof(name)) && strcmp(name, driver) == 0;
		close(fd);
		if (match)
			return path;
	}
	return NULL;
}

static uint64_t cap_value(int fd, uint64_t cap, int *err)
{
	struct gpu_proto_get_cap c = { .capability = cap };

	*err = ioctl(fd, GPU_PROTO_IOCTL_GET_CAP, &c) < 0 ? errno : 0;
	return c.value;
}

int main(int argc, char **argv)
{
	const char *reference = "virtio_gpu";
	char rname[64] = "?", oname[64] = "?";
	struct utsname u;
	uint64_t so, tl;
	int err, err2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reference") == 0 && i + 1 < argc)
			reference = argv[++i];
		else if (strcmp(argv[i], "--ours") == 0 && i + 1 < argc)
			ours.path = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--reference NODE|DRIVER] [--ours NODE]\n", argv[0]);
			return 2;
		}
	}
	ref.path = reference[0] == '/' ? reference : find_render_node(reference);
	if (!ref.path) {
		fprintf(stderr, "no /dev/dri/renderD* of driver %s\n", reference);
		return 2;
	}
	if (open_node(&ref) < 0 || open_node(&ours) < 0)
		return 2;
	driver_name(ref.fd, rname, sizeof(rname));
	driver_name(ours.fd, oname, sizeof(oname));
	uname(&u);
	printf("reference: %s (%s, Linux %s); gpu-proto: %s (%s)\n", ref.path, rname, u.release,
	       ours.path, oname);

	/* The reference's features decide what is compared. */
	if (cap_value(ref.fd, GPU_PROTO_CAP_SYNCOBJ, &err) == 1 && !err)
		ref_feat |= FEAT_SYNCOBJ;
	if (cap_value(ref.fd, GPU_PROTO_CAP_SYNCOBJ_TIMELINE, &err) == 1 && !err)
		ref_feat |= FEAT_TIMELINE;
	cap_value(ref.fd, GPU_PROTO_CAP_DUMB_BUFFER, &err);
	if (err == EOPNOTSUPP)
		ref_feat |= FEAT_RENDER_ONLY;
	printf("reference features: SYNCOBJ %s, SYNCOBJ_TIMELINE %s, %s\n",
	       ref_feat & FEAT_SYNCOBJ ? "yes" : "no (its SYNCOBJ ioctls fail EOPNOTSUPP: not compared)",
	       ref_feat & FEAT_TIMELINE ? "yes" : "no (timeline calls not compared)",
	       ref_feat & FEAT_RENDER_ONLY ? "render-only as gpu-proto"
					   : "KMS (display caps not compared)");

	/* Ours must have both, whatever the reference. */
	so = cap_value(ours.fd, GPU_PROTO_CAP_SYNCOBJ, &err);
	tl = cap_value(ours.fd, GPU_PROTO_CAP_SYNCOBJ_TIMELINE, &err2);
	printf("gpu-proto: GET_CAP(SYNCOBJ) %s %" PRIu64 ", GET_CAP(SYNCOBJ_TIMELINE) %s %" PRIu64 "\n",
	       errname(err), so, errname(err2), tl);
	if (err || err2 || so != 1 || tl != 1) {
		printf("FAIL: gpu-proto must report SYNCOBJ and SYNCOBJ_TIMELINE as 1\n");
		fatal = true;
	}

	script_caps();
	script_binary();
	script_timeline();
	script_files();
	script_refused();

	printf("syncobj diff vs %s: %u same, %u different, %u not compared%s\n", rname, n_same, n_diff,
	       n_skipped, ref_feat & FEAT_SYNCOBJ ? "" : " (the reference has no sync objects)");
	close(ref.fd);
	close(ours.fd);
	return n_diff || fatal ? EXIT_FAILURE : EXIT_SUCCESS;
}
