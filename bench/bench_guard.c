// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-proto-bench: what a registration guard and an in-process ioctl cost.
 *
 * Every ioctl handler runs inside a guard (gp_dev_enter()/gp_dev_exit(), the
 * twin of drm_dev_enter()/drm_dev_exit()), so the guard is on the hottest
 * path the daemon has.  This program times it next to the two obvious
 * alternatives, in the same run on the same machine, so that the ratios mean
 * something even where the absolute figures do not:
 *
 *   - a pthread_rwlock taken for reading, the textbook "revoke waits for
 *     readers" lock;
 *   - one shared atomic reader counter plus an unplugged flag, which is what
 *     SRCU's read side reduces to without its per-CPU counters (the inc on
 *     enter is ordered by a full barrier, as srcu_read_lock()'s smp_mb()).
 *
 * Each guard is timed on one thread and on two threads running at once (the
 * cost of sharing a cache line shows only then).  A control row does the
 * same calls on thread-local state only: its 2t/1t is what the machine
 * itself gives (other load, vCPUs that share a host core), the floor against
 * which the guards' 2t/1t must be read.  Then comes a whole dispatch
 * (GET_CAP and DEV_QUERY(GPU_INFO)) through the in-process transport.
 *
 * Figures are medians of GP_BENCH_REPS timed batches after a warm-up.
 * Nothing is pinned: the reference machine has two cores and the mock's
 * timer thread sleeps throughout.  A benchmark never fails on its figures:
 * the targets are reported, not asserted; only a failing call exits non-zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "backend.h"
#include "drivers.h"
#include "file.h"
#include "inproc.h"
#include "log.h"
#include "machine.h"
#include "mock.h"
#include "registration.h"

#ifndef _cleanup_
#define _cleanup_(f) __attribute__((cleanup(f)))
#endif

#ifndef GP_BENCH_BUILDTYPE
#define GP_BENCH_BUILDTYPE "unknown"
#endif

#define GP_BENCH_REPS			7
#define GP_BENCH_MAX_THREADS		2
/*
 * About 4 s in total on a 2-core 2.3 GHz Xeon, most of it in the contended
 * 2-thread rwlock and counter rows (120-200 ns per pair there).
 */
#define GP_BENCH_DEFAULT_ITERATIONS	1000000ull
#define GP_BENCH_MIN_ITERATIONS		1000ull
/* A dispatch costs a dozen guards or more: its batches are this much shorter. */
#define GP_BENCH_DISPATCH_DIVISOR	16
#define GP_BENCH_NSEC_PER_SEC		1000000000ull
/*
 * Warm up for at least this long, not for a number of iterations: an idle
 * vCPU takes milliseconds to come up to speed, and a guard batch lasts only
 * a few ms, so an iteration-count warm-up left the first figure of a run
 * (the guard's, at 1 thread) up to 1.7x high now and then.
 */
#define GP_BENCH_WARMUP_NS		(100ull * 1000 * 1000)

/* Targets (docs/performance.md); reported, never asserted. */
#define GP_BENCH_TARGET_GUARD_NS	5.0
#define GP_BENCH_TARGET_RWLOCK_RATIO	5.0
/* "No slower at 2 threads": allow for run-to-run noise of a few percent. */
#define GP_BENCH_TARGET_SCALING		1.05
#define GP_BENCH_TARGET_GET_CAP_NS	150.0

/* Keeps the compiler from merging, hoisting or dropping loop iterations. */
#define gp_bench_compiler_barrier() __asm__ __volatile__("" ::: "memory")

enum gp_bench_guard_kind {
	GP_BENCH_GUARD_GP,
	GP_BENCH_GUARD_RWLOCK,
	GP_BENCH_GUARD_COUNTER,
	GP_BENCH_GUARD_CONTROL,
	GP_BENCH_GUARD_KINDS,
};

static const char *const gp_bench_guard_labels[GP_BENCH_GUARD_KINDS] = {
	[GP_BENCH_GUARD_GP] = "gp guard (liburcu memb)",
	[GP_BENCH_GUARD_RWLOCK] = "pthread_rwlock (read)",
	[GP_BENCH_GUARD_COUNTER] = "atomic counter (SRCU-like)",
	[GP_BENCH_GUARD_CONTROL] = "control: thread-local only",
};

/*
 * The SRCU-like guard: one reader counter shared by every thread, then the
 * unplugged check and the data load, as gp_dev_enter() does them.  Revoke
 * would set @unplugged and wait for @readers to drain.
 */
struct gp_bench_counter_guard {
	_Alignas(64) atomic_long readers;
	atomic_bool unplugged;
	void *_Atomic data;
};

/* What the guards protect, shared by every benchmark thread. */
struct gp_bench_target {
	struct gp_device *dev;			/* the registered mali-csf device */
	pthread_rwlock_t rwlock;
	void *rwlock_data;
	struct gp_bench_counter_guard counter;
};

/* One timed configuration: a guard kind on 1 or 2 threads. */
struct gp_bench_run {
	enum gp_bench_guard_kind kind;
	struct gp_bench_target *target;
	unsigned int nthreads;
	uint64_t iterations;
	atomic_uint arrived;			/* start gate: arrivals so far */
	atomic_int error;			/* first -errno any thread hit */
	double ns[GP_BENCH_MAX_THREADS][GP_BENCH_REPS];
	double on_cpu[GP_BENCH_MAX_THREADS][GP_BENCH_REPS];	/* thread CPU time / wall time */
};

struct gp_bench_worker {
	struct gp_bench_run *run;
	unsigned int index;
	pthread_t thread;
};

static inline void gp_bench_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static int gp_bench_clock_ns(clockid_t clock, uint64_t *out)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) < 0)
		return -errno;
	*out = (uint64_t)ts.tv_sec * GP_BENCH_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	return 0;
}

static int gp_bench_now_ns(uint64_t *out)
{
	return gp_bench_clock_ns(CLOCK_MONOTONIC, out);
}

/*
 * The counter guard's enter and exit are out of line, as gp_dev_enter() and
 * pthread_rwlock_rdlock() are: the comparison is of guards, not of inlining.
 */
static __attribute__((noinline)) void *gp_bench_counter_enter(struct gp_bench_counter_guard *g)
{
	void *data;

	atomic_fetch_add_explicit(&g->readers, 1, memory_order_seq_cst);
	data = atomic_load_explicit(&g->data, memory_order_acquire);
	if (!data || atomic_load_explicit(&g->unplugged, memory_order_acquire)) {
		atomic_fetch_sub_explicit(&g->readers, 1, memory_order_release);
		return NULL;
	}
	return data;
}

static __attribute__((noinline)) void gp_bench_counter_exit(struct gp_bench_counter_guard *g)
{
	atomic_fetch_sub_explicit(&g->readers, 1, memory_order_acq_rel);
}

/* The control: a nesting count as the guards keep one, and nothing shared written. */
static __thread unsigned int gp_bench_control_depth;

static __attribute__((noinline)) void *gp_bench_control_enter(struct gp_bench_target *t)
{
	gp_bench_control_depth++;
	gp_bench_compiler_barrier();
	return t->dev;
}

static __attribute__((noinline)) void gp_bench_control_exit(void)
{
	gp_bench_compiler_barrier();
	gp_bench_control_depth--;
}

/*
 * The loops have the same shape: enter, read the guarded data
 * pointer, exit.  @sink receives the sum of the pointers so the reads are
 * used.
 */
static __attribute__((noinline)) int gp_bench_loop_gp(struct gp_bench_target *t, uint64_t n,
						       uintptr_t *sink)
{
	struct gp_guard guard;
	uintptr_t acc = 0;

	for (uint64_t i = 0; i < n; i++) {
		if (!gp_dev_enter(t->dev, &guard))
			return -ENODEV;
		acc += (uintptr_t)gp_guard_data(&guard);
		gp_dev_exit(&guard);
		gp_bench_compiler_barrier();
	}
	*sink = acc;
	return 0;
}

static __attribute__((noinline)) int gp_bench_loop_rwlock(struct gp_bench_target *t, uint64_t n,
							   uintptr_t *sink)
{
	uintptr_t acc = 0;
	int r;

	for (uint64_t i = 0; i < n; i++) {
		r = pthread_rwlock_rdlock(&t->rwlock);
		if (r != 0)
			return -r;
		acc += (uintptr_t)t->rwlock_data;
		r = pthread_rwlock_unlock(&t->rwlock);
		if (r != 0)
			return -r;
		gp_bench_compiler_barrier();
	}
	*sink = acc;
	return 0;
}

static __attribute__((noinline)) int gp_bench_loop_control(struct gp_bench_target *t, uint64_t n,
							    uintptr_t *sink)
{
	uintptr_t acc = 0;
	void *data;

	for (uint64_t i = 0; i < n; i++) {
		data = gp_bench_control_enter(t);
		if (!data)
			return -ENODEV;
		acc += (uintptr_t)data;
		gp_bench_control_exit();
		gp_bench_compiler_barrier();
	}
	*sink = acc;
	return 0;
}

static __attribute__((noinline)) int gp_bench_loop_counter(struct gp_bench_target *t, uint64_t n,
							    uintptr_t *sink)
{
	uintptr_t acc = 0;
	void *data;

	for (uint64_t i = 0; i < n; i++) {
		data = gp_bench_counter_enter(&t->counter);
		if (!data)
			return -ENODEV;
		acc += (uintptr_t)data;
		gp_bench_counter_exit(&t->counter);
		gp_bench_compiler_barrier();
	}
	*sink = acc;
	return 0;
}

/*
 * Time one batch of @n enter+exit pairs: wall-clock ns per pair in
 * *@ns_per_op, and in *@on_cpu the share of that wall time the thread was
 * running (below 1 when other load preempted it).
 */
static int gp_bench_guard_batch(enum gp_bench_guard_kind kind, struct gp_bench_target *t,
				uint64_t n, double *ns_per_op, double *on_cpu)
{
	static int (*const loops[GP_BENCH_GUARD_KINDS])(struct gp_bench_target *, uint64_t,
							   uintptr_t *) = {
		[GP_BENCH_GUARD_GP] = gp_bench_loop_gp,
		[GP_BENCH_GUARD_RWLOCK] = gp_bench_loop_rwlock,
		[GP_BENCH_GUARD_COUNTER] = gp_bench_loop_counter,
		[GP_BENCH_GUARD_CONTROL] = gp_bench_loop_control,
	};
	volatile uintptr_t sink;
	uintptr_t acc = 0;
	uint64_t t0 = 0, t1 = 0, c0 = 0, c1 = 0;
	int r;

	r = gp_bench_clock_ns(CLOCK_THREAD_CPUTIME_ID, &c0);
	if (r < 0)
		return r;
	r = gp_bench_now_ns(&t0);
	if (r < 0)
		return r;
	r = loops[kind](t, n, &acc);
	if (r < 0)
		return r;
	r = gp_bench_now_ns(&t1);
	if (r < 0)
		return r;
	r = gp_bench_clock_ns(CLOCK_THREAD_CPUTIME_ID, &c1);
	if (r < 0)
		return r;
	sink = acc;
	(void)sink;
	*ns_per_op = (double)(t1 - t0) / (double)n;
	*on_cpu = t1 > t0 ? (double)(c1 - c0) / (double)(t1 - t0) : 1.0;
	return 0;
}

static void gp_bench_run_fail(struct gp_bench_run *run, int r)
{
	int expected = 0;

	atomic_compare_exchange_strong(&run->error, &expected, r);
}

/*
 * The start gate of repetition @rep: every thread arrives, then all go at
 * once.  A spinning gate rather than a pthread barrier so that a failure
 * anywhere (a batch, a pthread_create) releases the waiters instead of
 * leaving them blocked.  Return: false when the run has failed.
 */
static bool gp_bench_gate(struct gp_bench_run *run, unsigned int rep)
{
	unsigned int all = run->nthreads * (rep + 1);

	atomic_fetch_add(&run->arrived, 1);
	while (atomic_load(&run->arrived) < all) {
		if (atomic_load(&run->error))
			return false;
		gp_bench_cpu_relax();
	}
	return !atomic_load(&run->error);
}

/*
 * A benchmark thread: a warm-up (which also registers the thread with
 * liburcu, off the clock), then one batch per repetition, all threads
 * starting each one together.
 */
static void *gp_bench_worker_main(void *arg)
{
	struct gp_bench_worker *w = arg;
	struct gp_bench_run *run = w->run;
	double warm, warm_on_cpu, warmed = 0;
	int r;

	while (warmed < GP_BENCH_WARMUP_NS) {
		uint64_t n = run->iterations / 4 + 1;

		r = gp_bench_guard_batch(run->kind, run->target, n, &warm, &warm_on_cpu);
		if (r < 0) {
			gp_bench_run_fail(run, r);
			return NULL;
		}
		warmed += warm * (double)n;
	}
	for (unsigned int rep = 0; rep < GP_BENCH_REPS; rep++) {
		if (!gp_bench_gate(run, rep))
			return NULL;
		r = gp_bench_guard_batch(run->kind, run->target, run->iterations,
					 &run->ns[w->index][rep], &run->on_cpu[w->index][rep]);
		if (r < 0) {
			gp_bench_run_fail(run, r);
			return NULL;
		}
	}
	return NULL;
}

/*
 * Time @kind on @nthreads concurrent threads.  *@ns_per_op: per repetition
 * the mean over threads of each thread's ns per operation, then the median
 * over repetitions.  *@on_cpu: likewise for the least on-CPU thread's share.
 */
static int gp_bench_guard(enum gp_bench_guard_kind kind, struct gp_bench_target *t,
			  unsigned int nthreads, uint64_t iterations, double *ns_per_op,
			  double *on_cpu)
{
	struct gp_bench_run run = {
		.kind = kind, .target = t, .nthreads = nthreads, .iterations = iterations,
	};
	struct gp_bench_worker workers[GP_BENCH_MAX_THREADS] = { 0 };
	double per_rep[GP_BENCH_REPS], cpu_per_rep[GP_BENCH_REPS];
	unsigned int started = 0;
	int r, create_error = 0;

	for (unsigned int i = 0; i < nthreads; i++) {
		workers[i] = (struct gp_bench_worker){ .run = &run, .index = i };
		r = pthread_create(&workers[i].thread, NULL, gp_bench_worker_main, &workers[i]);
		if (r != 0) {
			/* Releases the threads already waiting at the gate. */
			gp_bench_run_fail(&run, -r);
			create_error = gp_log_errno(LOG_ERR, r, "pthread_create");
			break;
		}
		started++;
	}
	for (unsigned int i = 0; i < started; i++) {
		r = pthread_join(workers[i].thread, NULL);
		if (r != 0)
			return gp_log_errno(LOG_ERR, r, "pthread_join");
	}
	if (create_error < 0)
		return create_error;

	r = atomic_load(&run.error);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "%s on %u thread(s)", gp_bench_guard_labels[kind],
				    nthreads);
	for (unsigned int rep = 0; rep < GP_BENCH_REPS; rep++) {
		per_rep[rep] = 0;
		cpu_per_rep[rep] = 1.0;
		for (unsigned int i = 0; i < nthreads; i++) {
			per_rep[rep] += run.ns[i][rep];
			if (run.on_cpu[i][rep] < cpu_per_rep[rep])
				cpu_per_rep[rep] = run.on_cpu[i][rep];
		}
		per_rep[rep] /= nthreads;
	}
	*ns_per_op = gp_bench_median(per_rep, GP_BENCH_REPS);
	*on_cpu = gp_bench_median(cpu_per_rep, GP_BENCH_REPS);
	return 0;
}

/* What one dispatch benchmark issues. */
struct gp_bench_ioctl {
	const char *label;
	unsigned int cmd;
	void *arg;
};

static __attribute__((noinline)) int gp_bench_dispatch_batch(struct gp_inproc_caller *c,
							      struct gp_file *file,
							      const struct gp_bench_ioctl *io,
							      uint64_t n, double *ns_per_op)
{
	uint64_t t0 = 0, t1 = 0;
	int r;

	r = gp_bench_now_ns(&t0);
	if (r < 0)
		return r;
	for (uint64_t i = 0; i < n; i++) {
		r = gp_inproc_ioctl(c, file, io->cmd, (uintptr_t)io->arg);
		if (r < 0)
			return r;
		gp_bench_compiler_barrier();
	}
	r = gp_bench_now_ns(&t1);
	if (r < 0)
		return r;
	*ns_per_op = (double)(t1 - t0) / (double)n;
	return 0;
}

static int gp_bench_dispatch(enum gp_inproc_mode mode, struct gp_file *file,
			     const struct gp_bench_ioctl *io, size_t nmaps,
			     const struct gp_user_range *maps, uint64_t iterations,
			     double *ns_per_op, unsigned int *round_trips)
{
	_cleanup_(gp_inproc_caller_free) struct gp_inproc_caller *c = NULL;
	double per_rep[GP_BENCH_REPS], warm, warmed = 0;
	int r;

	r = gp_inproc_caller_new(mode, &c);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "in-process transport");
	for (size_t i = 0; i < nmaps; i++) {
		r = gp_inproc_caller_map(c, (const void *)(uintptr_t)maps[i].addr, maps[i].len,
					 maps[i].dir);
		if (r < 0)
			return gp_log_errno(LOG_ERR, r, "in-process transport: map");
	}

	while (warmed < GP_BENCH_WARMUP_NS) {
		uint64_t n = iterations / 4 + 1;

		r = gp_bench_dispatch_batch(c, file, io, n, &warm);
		if (r < 0)
			return gp_log_errno(LOG_ERR, r, "%s", io->label);
		warmed += warm * (double)n;
	}
	*round_trips = gp_inproc_round_trips(c);
	for (unsigned int rep = 0; rep < GP_BENCH_REPS; rep++) {
		r = gp_bench_dispatch_batch(c, file, io, iterations, &per_rep[rep]);
		if (r < 0)
			return gp_log_errno(LOG_ERR, r, "%s", io->label);
	}
	*ns_per_op = gp_bench_median(per_rep, GP_BENCH_REPS);
	return 0;
}

static const char *gp_bench_met(bool met)
{
	return met ? "MET" : "NOT MET";
}

static void gp_usage(FILE *out)
{
	fprintf(out,
		"Usage: gpu-proto-bench [--iterations N]\n"
		"\n"
		"Times the registration guard (gp_dev_enter/gp_dev_exit) against a\n"
		"pthread_rwlock and an SRCU-like atomic counter, on 1 and 2 threads,\n"
		"and a GET_CAP / DEV_QUERY(GPU_INFO) dispatch through the in-process\n"
		"transport, on mali-csf bound to the mock backend.  Prints figures,\n"
		"ratios and whether each target is met; never fails on a figure.\n"
		"\n"
		"Options:\n"
		"      --iterations=N  guard enter+exit pairs per timed batch, per thread\n"
		"                      (dispatch batches are N/%d ioctls; default %llu,\n"
		"                      at least %llu); each figure is the median of %d batches\n"
		"  -h, --help          show this help and exit\n",
		GP_BENCH_DISPATCH_DIVISOR, GP_BENCH_DEFAULT_ITERATIONS, GP_BENCH_MIN_ITERATIONS,
		GP_BENCH_REPS);
}

/* 0 to run, 1 to exit successfully (--help), -EINVAL on bad usage. */
static int gp_parse_args(int argc, char **argv, uint64_t *iterations)
{
	enum { OPT_ITERATIONS = 0x100 };
	static const struct option longopts[] = {
		{ "iterations", required_argument, NULL, OPT_ITERATIONS },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long n;
	char *end;
	int c;

	*iterations = GP_BENCH_DEFAULT_ITERATIONS;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ITERATIONS:
			errno = 0;
			n = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' ||
			    n < GP_BENCH_MIN_ITERATIONS)
				return gp_log_errno(LOG_ERR, EINVAL,
						    "--iterations=%s: expected a number >= %llu",
						    optarg, GP_BENCH_MIN_ITERATIONS);
			*iterations = n;
			break;
		case 'h':
			gp_usage(stdout);
			return 1;
		default:
			fprintf(stderr, "Try 'gpu-proto-bench --help'.\n");
			return -EINVAL;
		}
	}
	if (optind < argc)
		return gp_log_errno(LOG_ERR, EINVAL, "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* Bind mali-csf on a default mock, as gpu-protod --dry-run does. */
static int gp_bench_bind(struct gp_registration **out)
{
	struct gp_backend *be = NULL;
	struct gp_mock_config cfg;
	char unique[sizeof(be->bus_id)];
	int r;

	gp_mock_config_init(&cfg);
	r = gp_mock_open(&cfg, &be);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "mock backend: cannot open");
	snprintf(unique, sizeof(unique), "%s", be->bus_id);
	r = gp_driver_bind(&gp_mali_csf_driver, &be, unique, out);
	if (r < 0) {
		gp_backend_release(&be);
		return gp_log_errno(LOG_ERR, r, "mali-csf: probe on the mock backend (%s) failed",
				    unique);
	}
	return 0;
}

int main(int argc, char **argv)
{
	_cleanup_(gp_registration_free) struct gp_registration *reg = NULL;
	_cleanup_(gp_file_close) struct gp_file *file = NULL;
	const struct gp_caller caller = { .uid = getuid(), .gid = getgid(), .pid = getpid() };
	struct gp_bench_target target = { 0 };
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };
	struct gpu_proto_mali_gpu_info info = { 0 };
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .size = sizeof(info),
		.pointer = (uintptr_t)&info,
	};
	const struct gp_user_range maps[] = {
		{ (uintptr_t)&cap, sizeof(cap), GP_USER_IN | GP_USER_OUT },
		{ (uintptr_t)&q, sizeof(q), GP_USER_IN | GP_USER_OUT },
		{ (uintptr_t)&info, sizeof(info), GP_USER_OUT },
	};
	const struct gp_bench_ioctl ioctls[] = {
		{ "GET_CAP", GPU_PROTO_IOCTL_GET_CAP, &cap },
		{ "DEV_QUERY(GPU_INFO)", GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q },
	};
	double guard_ns[GP_BENCH_GUARD_KINDS][GP_BENCH_MAX_THREADS];
	double guard_on_cpu[GP_BENCH_GUARD_KINDS][GP_BENCH_MAX_THREADS];
	double dispatch_ns[2][2];
	unsigned int round_trips[2][2];
	uint64_t iterations;
	int r;

	r = gp_parse_args(argc, argv, &iterations);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;

	/* The benchmark's own output is the table; keep the daemon's info lines out of it. */
	gp_log_set_max_level(LOG_WARNING);

	r = gp_bench_bind(&reg);
	if (r < 0)
		return EXIT_FAILURE;
	target.dev = gp_registration_device(reg);
	target.rwlock_data = target.dev;
	atomic_init(&target.counter.readers, 0);
	atomic_init(&target.counter.unplugged, false);
	atomic_init(&target.counter.data, target.dev);
	r = pthread_rwlock_init(&target.rwlock, NULL);
	if (r != 0) {
		gp_log_errno(LOG_ERR, r, "pthread_rwlock_init");
		return EXIT_FAILURE;
	}

	r = gp_file_open(target.dev, &caller, GP_NODE_RENDER, &file);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "open mali-csf render node");
		goto out;
	}

	gp_bench_print_host(GP_BENCH_BUILDTYPE);
	printf("method: median of %d batches after a %llu ms warm-up; %" PRIu64
	       " guard pairs per thread per batch, %" PRIu64 " ioctls per dispatch batch\n\n",
	       GP_BENCH_REPS, GP_BENCH_WARMUP_NS / 1000000, iterations,
	       iterations / GP_BENCH_DISPATCH_DIVISOR);
	fflush(stdout);

	for (unsigned int k = 0; k < GP_BENCH_GUARD_KINDS; k++) {
		for (unsigned int t = 0; t < GP_BENCH_MAX_THREADS; t++) {
			r = gp_bench_guard(k, &target, t + 1, iterations, &guard_ns[k][t],
					   &guard_on_cpu[k][t]);
			if (r < 0)
				goto out;
		}
	}
	for (unsigned int m = 0; m < 2; m++) {
		for (unsigned int i = 0; i < 2; i++) {
			r = gp_bench_dispatch(m ? GP_INPROC_RETRY : GP_INPROC_DIRECT, file, &ioctls[i],
					      sizeof(maps) / sizeof(maps[0]), maps,
					      iterations / GP_BENCH_DISPATCH_DIVISOR,
					      &dispatch_ns[m][i], &round_trips[m][i]);
			if (r < 0)
				goto out;
		}
	}

	printf("%-30s %-12s %-12s %-7s %s\n", "guard enter+exit", "1 thread", "2 threads", "2t/1t",
	       "on-CPU 1t/2t");
	for (unsigned int k = 0; k < GP_BENCH_GUARD_KINDS; k++)
		printf("%-30s %6.1f ns    %6.1f ns    %5.2f   %3.0f%%/%3.0f%%\n",
		       gp_bench_guard_labels[k], guard_ns[k][0], guard_ns[k][1],
		       guard_ns[k][1] / guard_ns[k][0], 100.0 * guard_on_cpu[k][0],
		       100.0 * guard_on_cpu[k][1]);
	printf("(on-CPU: share of wall time the least-served thread ran; below ~95%%, other\n"
	       " load shared the cores and the row is not a clean figure.  The control's\n"
	       " 2t/1t is the machine's own scaling, the floor for the guards' 2t/1t.)\n");
	printf("ratios @1 thread: rwlock/gp = %.1fx, atomic/gp = %.1fx\n",
	       guard_ns[GP_BENCH_GUARD_RWLOCK][0] / guard_ns[GP_BENCH_GUARD_GP][0],
	       guard_ns[GP_BENCH_GUARD_COUNTER][0] / guard_ns[GP_BENCH_GUARD_GP][0]);
	printf("ratios @2 threads: rwlock/gp = %.1fx, atomic/gp = %.1fx\n\n",
	       guard_ns[GP_BENCH_GUARD_RWLOCK][1] / guard_ns[GP_BENCH_GUARD_GP][1],
	       guard_ns[GP_BENCH_GUARD_COUNTER][1] / guard_ns[GP_BENCH_GUARD_GP][1]);

	printf("%-30s %-12s %s\n", "dispatch (in-process)", "direct", "retry(CUSE-like)");
	for (unsigned int i = 0; i < 2; i++)
		printf("%-30s %6.1f ns    %6.1f ns (%u round trips)\n", ioctls[i].label,
		       dispatch_ns[0][i], dispatch_ns[1][i], round_trips[1][i]);
	printf("(retry runs retry.c, the server side of CUSE's and the socket's retry protocol,\n"
	       " with the kernel's side in process: its round trips are not in the figure)\n\n");

	printf("target: gp guard <= %.0f ns: %s (%.1f ns)\n", GP_BENCH_TARGET_GUARD_NS,
	       gp_bench_met(guard_ns[GP_BENCH_GUARD_GP][0] <= GP_BENCH_TARGET_GUARD_NS),
	       guard_ns[GP_BENCH_GUARD_GP][0]);
	printf("target: gp guard >= %.0fx cheaper than rwlock @1 thread: %s (%.1fx)\n",
	       GP_BENCH_TARGET_RWLOCK_RATIO,
	       gp_bench_met(guard_ns[GP_BENCH_GUARD_RWLOCK][0] / guard_ns[GP_BENCH_GUARD_GP][0] >=
			    GP_BENCH_TARGET_RWLOCK_RATIO),
	       guard_ns[GP_BENCH_GUARD_RWLOCK][0] / guard_ns[GP_BENCH_GUARD_GP][0]);
	printf("target: gp guard no slower per op @2 threads (2t/1t <= %.2f): %s (%.2f)\n",
	       GP_BENCH_TARGET_SCALING,
	       gp_bench_met(guard_ns[GP_BENCH_GUARD_GP][1] / guard_ns[GP_BENCH_GUARD_GP][0] <=
			    GP_BENCH_TARGET_SCALING),
	       guard_ns[GP_BENCH_GUARD_GP][1] / guard_ns[GP_BENCH_GUARD_GP][0]);
	printf("target: GET_CAP (direct) <= %.0f ns: %s (%.1f ns)\n", GP_BENCH_TARGET_GET_CAP_NS,
	       gp_bench_met(dispatch_ns[0][0] <= GP_BENCH_TARGET_GET_CAP_NS), dispatch_ns[0][0]);
	r = 0;
out:
	pthread_rwlock_destroy(&target.rwlock);
	/* Close before revoking, as a client exits before the device is unbound. */
	gp_file_close(&file);
	gp_registration_free(&reg);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
