// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stress: revoke/rebind cycles under client load, in process.
 *
 * The main thread plays the daemon's control plane: it binds mali-csf on the
 * mock (no delays), publishes the device, services the mock's interrupt so
 * FLUSH_CACHES completions arrive as events, then revokes and frees the
 * registration, GP_STRESS_CYCLES times (default 1000).  Four client threads
 * play CUSE workers: each has its own in-process caller in retry mode, holds
 * a file on the published device, issues VERSION, GET_CAP,
 * DEV_QUERY(GPU_INFO), DEV_QUERY(TIMESTAMP_INFO) and FLUSH_CACHES, reads
 * its events and polls, and reopens once its file is dead.
 *
 * What must hold, whatever the interleaving:
 *   - every ioctl returns 0 or -ENODEV, every open 0 or -ENODEV, every
 *     read bytes, -EAGAIN or -ENODEV (clients read, so FLUSH never gets
 *     -ENOSPC: each keeps at most STRESS_MAX_OUTSTANDING flushes pending);
 *   - a file that saw ENODEV never succeeds again (a rebind never revives
 *     an old file), and never polls anything but POLLERR|POLLHUP;
 *   - flush events arrive whole, in request order, with the right
 *     user_data, and never more than were requested;
 *   - every bind is released exactly once: releases == binds after each
 *     cycle; the IRQ handler runs only on a bound device.
 *
 * Half the cycles unpublish the device before revoking it (as
 * gp_binding_unbind() does), half revoke it while it is still published,
 * so opens race the revoke too.  A device stays bound until every client
 * has reopened on it and made GP_STRESS_OPS (default 8) successful calls,
 * at most 2 s.
 *
 * Exit status 0 when everything held, 1 otherwise; the counts are printed
 * either way.  Built as a meson test in suites unit (ASan+UBSan),
 * concurrency (TSan) and stress.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
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
#include "mock.h"
#include "registration.h"

#define STRESS_CLIENTS		4
#define STRESS_DEFAULT_CYCLES	1000
/* Successful ioctls each client makes on a device before it is revoked. */
#define STRESS_DEFAULT_OPS	8
/* A bound window never lasts longer than this, even if a client starves. */
#define STRESS_WINDOW_MAX_NS	(2ull * 1000000000ull)
/* Flushes a client keeps pending: 4 x 24 bytes, far below the 4096 of event space. */
#define STRESS_MAX_OUTSTANDING	4
/* Unexpected results printed in full; the rest are only counted. */
#define STRESS_REPORT_MAX	20

#define RW (GP_USER_IN | GP_USER_OUT)

static const struct gp_caller stress_user = { .uid = 1000, .gid = 1000, .pid = 4242 };

/* --- what went wrong ---------------------------------------------------- */

static atomic_long stress_failures;

static void __attribute__((format(printf, 1, 2))) stress_fail(const char *fmt, ...)
{
	long n = atomic_fetch_add(&stress_failures, 1);
	va_list ap;

	if (n >= STRESS_REPORT_MAX)
		return;
	va_start(ap, fmt);
	fputs("FAIL: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static uint64_t stress_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void stress_pause_us(unsigned int us)
{
	struct timespec ts = { .tv_nsec = (long)us * 1000L };

	nanosleep(&ts, NULL);
}

/* --- the driver, with its releases counted ------------------------------- */

static struct gp_driver stress_driver;
static atomic_long stress_releases;

static void stress_release(void *data)
{
	atomic_fetch_add(&stress_releases, 1);
	gp_mali_csf_driver.release(data);
}

/* --- the published device, as gp_binding_current_device() -------------- */

struct stress_world {
	pthread_mutex_t lock;
	struct gp_device *current;	/* a reference; NULL while unbound */
	uint64_t generation;		/* bumped at every publish */
	atomic_bool stop;
};

static struct stress_world world = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void world_publish(struct gp_device *dev)
{
	pthread_mutex_lock(&world.lock);
	world.current = gp_device_get(dev);
	world.generation++;
	pthread_mutex_unlock(&world.lock);
}

static void world_unpublish(void)
{
	struct gp_device *old;

	pthread_mutex_lock(&world.lock);
	old = world.current;
	world.current = NULL;
	pthread_mutex_unlock(&world.lock);
	gp_device_put(&old);
}

/* A reference on the published device and its generation, or NULL. */
static struct gp_device *world_get(uint64_t *generation)
{
	struct gp_device *dev = NULL;

	pthread_mutex_lock(&world.lock);
	if (world.current)
		dev = gp_device_get(world.current);
	*generation = world.generation;
	pthread_mutex_unlock(&world.lock);
	return dev;
}

/* --- clients -------------------------------------------------------------- */

enum stress_op {
	OP_VERSION,
	OP_GET_CAP,
	OP_GPU_INFO,
	OP_TIMESTAMP,
	OP_FLUSH,
	OP_READ,
	OP_POLL,
	OP_COUNT,
};

static const char *const stress_op_names[OP_COUNT] = {
	"VERSION", "GET_CAP", "DEV_QUERY(GPU_INFO)", "DEV_QUERY(TIMESTAMP_INFO)",
	"FLUSH_CACHES", "read", "poll",
};

struct stress_client {
	unsigned int id;
	pthread_t thread;

	/* Progress on the current generation, read by the control thread. */
	atomic_uint_fast64_t generation;	/* of the device the file is on */
	atomic_long ok_on_generation;

	/* Totals, read after join. */
	long ok[OP_COUNT], enodev[OP_COUNT];
	long opens_ok, opens_enodev;
	long reads_eagain, events, flushes_uncompleted;
};

/* The caller's memory: everything the dispatcher may touch is mapped. */
struct stress_args {
	char name[32], date[32], desc[96];
	struct gpu_proto_version version;
	struct gpu_proto_get_cap cap;
	struct gpu_proto_mali_dev_query query;
	struct gpu_proto_mali_gpu_info info;
	struct gpu_proto_mali_timestamp_info ts;
	struct gpu_proto_mali_flush_caches flush;
};

static int stress_map_args(struct gp_inproc_caller *c, struct stress_args *a)
{
	int r = 0;

	r |= gp_inproc_caller_map(c, a->name, sizeof(a->name), GP_USER_OUT);
	r |= gp_inproc_caller_map(c, a->date, sizeof(a->date), GP_USER_OUT);
	r |= gp_inproc_caller_map(c, a->desc, sizeof(a->desc), GP_USER_OUT);
	r |= gp_inproc_caller_map(c, &a->version, sizeof(a->version), RW);
	r |= gp_inproc_caller_map(c, &a->cap, sizeof(a->cap), RW);
	r |= gp_inproc_caller_map(c, &a->query, sizeof(a->query), RW);
	r |= gp_inproc_caller_map(c, &a->info, sizeof(a->info), GP_USER_OUT);
	r |= gp_inproc_caller_map(c, &a->ts, sizeof(a->ts), GP_USER_OUT);
	r |= gp_inproc_caller_map(c, &a->flush, sizeof(a->flush), RW);
	return r;
}

/* One ioctl of the mix; its result. */
static int stress_ioctl(struct gp_inproc_caller *c, struct gp_file *file, struct stress_args *a,
			enum stress_op op, uint64_t user_data)
{
	switch (op) {
	case OP_VERSION:
		a->version = (struct gpu_proto_version){
			.name_len = sizeof(a->name), .name = a->name,
			.date_len = sizeof(a->date), .date = a->date,
			.desc_len = sizeof(a->desc), .desc = a->desc,
		};
		return gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_VERSION, (uintptr_t)&a->version);
	case OP_GET_CAP:
		a->cap = (struct gpu_proto_get_cap){ .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };
		return gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_GET_CAP, (uintptr_t)&a->cap);
	case OP_GPU_INFO:
		a->query = (struct gpu_proto_mali_dev_query){
			.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .size = sizeof(a->info),
			.pointer = (uintptr_t)&a->info,
		};
		return gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_MALI_DEV_QUERY, (uintptr_t)&a->query);
	case OP_TIMESTAMP:
		a->query = (struct gpu_proto_mali_dev_query){
			.type = GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO, .size = sizeof(a->ts),
			.pointer = (uintptr_t)&a->ts,
		};
		return gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_MALI_DEV_QUERY, (uintptr_t)&a->query);
	case OP_FLUSH:
		a->flush = (struct gpu_proto_mali_flush_caches){ .user_data = user_data };
		return gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES,
				       (uintptr_t)&a->flush);
	default:
		return -EINVAL;
	}
}

/* What a successful ioctl must have written. */
static void stress_check_output(const struct stress_client *cl, const struct stress_args *a,
				enum stress_op op)
{
	switch (op) {
	case OP_VERSION:
		if (a->version.version_major != 1 || a->version.name_len != strlen("panthor") ||
		    memcmp(a->name, "panthor", strlen("panthor")) != 0)
			stress_fail("client %u: VERSION returned 0 with a wrong answer", cl->id);
		break;
	case OP_GET_CAP:
		if (a->cap.value != 1)
			stress_fail("client %u: GET_CAP(TIMESTAMP_MONOTONIC) = %llu", cl->id,
				    (unsigned long long)a->cap.value);
		break;
	case OP_GPU_INFO:
		if (a->info.gpu_id != 0xa8670005)
			stress_fail("client %u: GPU_INFO gpu_id 0x%x", cl->id, a->info.gpu_id);
		break;
	case OP_TIMESTAMP:
		if (a->ts.timestamp_frequency != GP_MOCK_TIMESTAMP_HZ)
			stress_fail("client %u: TIMESTAMP_INFO frequency %llu", cl->id,
				    (unsigned long long)a->ts.timestamp_frequency);
		break;
	default:
		break;
	}
}

/* A client's open file and what it expects of it. */
struct stress_file {
	struct gp_file *file;
	bool dead;			/* saw ENODEV */
	uint64_t next_user_data;	/* of the next FLUSH_CACHES */
	uint64_t next_event;		/* user_data the next FLUSH_DONE must carry */
};

/* Open a file on the published device; leaves f->file NULL when there is none to open. */
static void stress_file_open(struct stress_client *cl, struct stress_file *f, uint64_t *dead_gen)
{
	struct gp_device *dev;
	uint64_t gen;
	int r;

	dev = world_get(&gen);
	if (!dev || gen == *dead_gen) {
		/* Unbound, or the device that refused us is still the current one. */
		gp_device_put(&dev);
		stress_pause_us(50);
		return;
	}
	r = gp_file_open(dev, &stress_user, GP_NODE_RENDER, &f->file);
	gp_device_put(&dev);
	if (r == -ENODEV) {
		cl->opens_enodev++;
		*dead_gen = gen;
		return;
	}
	if (r < 0) {
		stress_fail("client %u: open: %s", cl->id, strerror(-r));
		stress_pause_us(50);
		return;
	}
	cl->opens_ok++;
	f->dead = false;
	f->next_user_data = f->next_event = (uint64_t)cl->id << 48;
	atomic_store(&cl->ok_on_generation, 0);
	atomic_store(&cl->generation, gen);
}

static void stress_file_close(struct stress_client *cl, struct stress_file *f)
{
	/* Requests cancelled by revoke (or pending at the end): never to complete. */
	cl->flushes_uncompleted += (long)(f->next_user_data - f->next_event);
	gp_file_close(&f->file);
}

/* Take the queued events; check each against the flushes requested. */
static int stress_read(struct stress_client *cl, struct stress_file *f)
{
	unsigned char buf[GP_FILE_EVENT_SPACE];
	ssize_t n = gp_file_read_events(f->file, buf, sizeof(buf));

	if (n == -EAGAIN) {
		cl->reads_eagain++;
		return 0;
	}
	if (n < 0)
		return (int)n;
	for (size_t off = 0; off < (size_t)n;) {
		struct gpu_proto_mali_event_flush_done ev;

		if ((size_t)n - off < sizeof(ev)) {
			stress_fail("client %u: a partial event (%zu bytes left)", cl->id, (size_t)n - off);
			break;
		}
		memcpy(&ev, buf + off, sizeof(ev));
		if (ev.base.type != GPU_PROTO_MALI_EVENT_FLUSH_DONE || ev.base.length != sizeof(ev)) {
			stress_fail("client %u: event type 0x%x length %u", cl->id, ev.base.type,
				    ev.base.length);
			break;
		}
		if (ev.user_data != f->next_event || f->next_event == f->next_user_data)
			stress_fail("client %u: FLUSH_DONE user_data 0x%llx, expected 0x%llx (%llu pending)",
				    cl->id, (unsigned long long)ev.user_data,
				    (unsigned long long)f->next_event,
				    (unsigned long long)(f->next_user_data - f->next_event));
		f->next_event = ev.user_data + 1;
		cl->events++;
		off += sizeof(ev);
	}
	return (int)n;
}

/* One operation on a live-or-dead file; returns false once the file should be dropped. */
static bool stress_step(struct stress_client *cl, struct gp_inproc_caller *c, struct stress_file *f,
			struct stress_args *a, unsigned int i)
{
	enum stress_op op = (enum stress_op)(i % OP_COUNT);
	int r;

	if (op == OP_FLUSH && f->next_user_data - f->next_event >= STRESS_MAX_OUTSTANDING)
		op = OP_READ;

	if (op == OP_POLL) {
		unsigned int mask = gp_file_poll(f->file);

		if (mask == (POLLERR | POLLHUP)) {
			r = -ENODEV;
		} else if (mask == 0 || mask == (POLLIN | POLLRDNORM)) {
			r = 0;
		} else {
			stress_fail("client %u: poll mask 0x%x", cl->id, mask);
			return true;
		}
	} else if (op == OP_READ) {
		r = stress_read(cl, f);
		if (r > 0)
			r = 0;
	} else {
		r = stress_ioctl(c, f->file, a, op, f->next_user_data);
		if (r == 0 && op == OP_FLUSH)
			f->next_user_data++;
		if (r == 0)
			stress_check_output(cl, a, op);
	}

	if (r == 0) {
		if (f->dead)
			stress_fail("client %u: %s succeeded on a file that had seen ENODEV", cl->id,
				    stress_op_names[op]);
		cl->ok[op]++;
		atomic_fetch_add(&cl->ok_on_generation, 1);
		return true;
	}
	if (r == -ENODEV) {
		cl->enodev[op]++;
		/* Use a dead file a little longer to see it stays dead, then reopen. */
		if (f->dead)
			return false;
		f->dead = true;
		return true;
	}
	stress_fail("client %u: %s returned %d (%s)", cl->id, stress_op_names[op], r, strerror(-r));
	return true;
}

static void *stress_client_main(void *arg)
{
	struct stress_client *cl = arg;
	struct gp_inproc_caller *c = NULL;
	struct stress_args *a = calloc(1, sizeof(*a));
	struct stress_file f = { 0 };
	uint64_t dead_gen = 0;
	unsigned int i = cl->id;	/* clients start at different points of the mix */

	if (!a || gp_inproc_caller_new(GP_INPROC_RETRY, &c) < 0 || stress_map_args(c, a) < 0) {
		stress_fail("client %u: set-up failed", cl->id);
		goto out;
	}
	while (!atomic_load_explicit(&world.stop, memory_order_relaxed)) {
		if (!f.file) {
			stress_file_open(cl, &f, &dead_gen);
			continue;
		}
		/*
		 * A dead file is closed and the published device opened again
		 * at once: while a revoke runs on a still-published device,
		 * that open races it and must get ENODEV.
		 */
		if (!stress_step(cl, c, &f, a, i++))
			stress_file_close(cl, &f);
	}
	if (f.file)
		stress_file_close(cl, &f);
out:
	gp_inproc_caller_free(&c);
	free(a);
	return NULL;
}

/* --- the control plane ------------------------------------------------------ */

static unsigned long stress_env(const char *name, unsigned long def)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return def;
	v = strtoul(s, &end, 10);
	if (*end || v == 0) {
		fprintf(stderr, "%s=%s: expected a positive number\n", name, s);
		exit(2);
	}
	return v;
}

/* Drain the IRQ eventfd and run the handler, as the daemon's control plane. */
static long stress_service_irq(struct gp_device *dev, int irq_fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = irq_fd, .events = POLLIN };
	uint64_t count;
	int r;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return 0;
	if (read(irq_fd, &count, sizeof(count)) != sizeof(count))
		return 0;
	r = gp_device_handle_irq(dev, GP_MOCK_IRQ_GPU);
	if (r != 0)
		stress_fail("IRQ handler on a bound device: %s", strerror(-r));
	return 1;
}

/* Whether every client has made @ops successful operations on generation @gen. */
static bool stress_clients_busy_enough(struct stress_client *cl, uint64_t gen, long ops)
{
	for (unsigned int i = 0; i < STRESS_CLIENTS; i++)
		if (atomic_load(&cl[i].generation) != gen || atomic_load(&cl[i].ok_on_generation) < ops)
			return false;
	return true;
}

int main(void)
{
	unsigned long cycles = stress_env("GP_STRESS_CYCLES", STRESS_DEFAULT_CYCLES);
	long ops = (long)stress_env("GP_STRESS_OPS", STRESS_DEFAULT_OPS);
	struct stress_client cl[STRESS_CLIENTS];
	struct gp_mock_config cfg;
	long binds = 0, irqs = 0, slow_windows = 0, irq_after_revoke = 0;
	long tot_ok = 0, tot_enodev = 0, opens_ok = 0, opens_enodev = 0, events = 0, eagain = 0;
	long uncompleted = 0;
	uint64_t t0 = stress_now_ns(), bound_ns = 0, revoke_ns = 0, bind_ns = 0;
	double secs;

	stress_driver = gp_mali_csf_driver;
	stress_driver.release = stress_release;

	gp_mock_config_init(&cfg);
	cfg.reset_delay_us = 0;
	cfg.l2_power_delay_us = 0;
	cfg.flush_delay_us = 0;

	memset(cl, 0, sizeof(cl));
	for (unsigned int i = 0; i < STRESS_CLIENTS; i++) {
		cl[i].id = i;
		if (pthread_create(&cl[i].thread, NULL, stress_client_main, &cl[i]) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	}

	for (unsigned long n = 0; n < cycles; n++) {
		struct gp_registration *reg = NULL;
		struct gp_backend *be = NULL;
		struct gp_device *dev;
		uint64_t gen, t_bind, t_window, t_revoke;
		int irq_fd, r;

		t_bind = stress_now_ns();
		r = gp_mock_open(&cfg, &be);
		if (r < 0) {
			stress_fail("cycle %lu: gp_mock_open: %s", n, strerror(-r));
			break;
		}
		/* Valid until the release, which this thread does. */
		irq_fd = gp_backend_irq_fd(be, GP_MOCK_IRQ_GPU);
		r = gp_driver_bind(&stress_driver, &be, "mock", &reg);
		if (r < 0) {
			stress_fail("cycle %lu: bind: %s", n, strerror(-r));
			gp_backend_release(&be);
			break;
		}
		binds++;
		dev = gp_device_get(gp_registration_device(reg));
		world_publish(dev);
		pthread_mutex_lock(&world.lock);
		gen = world.generation;
		pthread_mutex_unlock(&world.lock);

		/* The bound window: clients reopen and work; flushes complete. */
		t_window = stress_now_ns();
		bind_ns += t_window - t_bind;
		while (!stress_clients_busy_enough(cl, gen, ops)) {
			if (stress_now_ns() - t_window > STRESS_WINDOW_MAX_NS) {
				slow_windows++;
				break;
			}
			irqs += stress_service_irq(dev, irq_fd, 1);
		}
		irqs += stress_service_irq(dev, irq_fd, 0);

		/* Unbind: half the cycles as gp_binding_unbind(), half still published. */
		t_revoke = stress_now_ns();
		bound_ns += t_revoke - t_window;
		if (n % 2)
			world_unpublish();
		gp_registration_free(&reg);
		if (!(n % 2))
			world_unpublish();
		revoke_ns += stress_now_ns() - t_revoke;

		if (atomic_load(&stress_releases) != binds)
			stress_fail("cycle %lu: %ld releases after %ld binds", n,
				    atomic_load(&stress_releases), binds);
		/* The interrupt of a revoked device finds no driver to run. */
		if (gp_device_handle_irq(dev, GP_MOCK_IRQ_GPU) != -ENODEV)
			stress_fail("cycle %lu: IRQ handler ran after revoke", n);
		else
			irq_after_revoke++;
		gp_device_put(&dev);
	}

	atomic_store(&world.stop, true);
	for (unsigned int i = 0; i < STRESS_CLIENTS; i++)
		pthread_join(cl[i].thread, NULL);
	secs = (double)(stress_now_ns() - t0) / 1e9;

	printf("stress_rebind: %lu cycles, %d clients (retry mode), %.2f s\n", cycles, STRESS_CLIENTS,
	       secs);
	printf("  %-26s %10s %10s\n", "operation", "ok", "ENODEV");
	for (unsigned int op = 0; op < OP_COUNT; op++) {
		long ok = 0, enodev = 0;

		for (unsigned int i = 0; i < STRESS_CLIENTS; i++) {
			ok += cl[i].ok[op];
			enodev += cl[i].enodev[op];
		}
		printf("  %-26s %10ld %10ld\n", stress_op_names[op], ok, enodev);
		if (op != OP_READ && op != OP_POLL) {
			tot_ok += ok;
			tot_enodev += enodev;
		}
	}
	for (unsigned int i = 0; i < STRESS_CLIENTS; i++) {
		opens_ok += cl[i].opens_ok;
		opens_enodev += cl[i].opens_enodev;
		events += cl[i].events;
		eagain += cl[i].reads_eagain;
		uncompleted += cl[i].flushes_uncompleted;
	}
	printf("  ioctls: %ld (%ld ok, %ld ENODEV); unexpected results: %ld\n", tot_ok + tot_enodev,
	       tot_ok, tot_enodev, atomic_load(&stress_failures));
	printf("  opens: %ld ok, %ld ENODEV; reads: %ld events, %ld EAGAIN; flushes cancelled by revoke: %ld\n",
	       opens_ok, opens_enodev, events, eagain, uncompleted);
	printf("  binds %ld, releases %ld, IRQs handled %ld, IRQ after revoke refused %ld, windows capped %ld\n",
	       binds, atomic_load(&stress_releases), irqs, irq_after_revoke, slow_windows);
	printf("  per cycle: bind %.1f us, bound %.1f us, unbind (revoke+release) %.1f us\n",
	       binds ? (double)bind_ns / 1e3 / (double)binds : 0.0,
	       binds ? (double)bound_ns / 1e3 / (double)binds : 0.0,
	       binds ? (double)revoke_ns / 1e3 / (double)binds : 0.0);

	if (binds != (long)cycles)
		stress_fail("%ld binds, expected %lu", binds, cycles);
	if (atomic_load(&stress_releases) != binds)
		stress_fail("%ld releases for %ld binds", atomic_load(&stress_releases), binds);
	if (tot_ok == 0 || tot_enodev == 0)
		stress_fail("no ioctl %s: the run proved nothing", tot_ok ? "raced a revoke" : "succeeded");
	if (events == 0)
		stress_fail("no FLUSH_DONE event was read");

	if (atomic_load(&stress_failures)) {
		printf("stress_rebind: FAIL (%ld unexpected results)\n", atomic_load(&stress_failures));
		return 1;
	}
	printf("stress_rebind: PASS\n");
	return 0;
}
