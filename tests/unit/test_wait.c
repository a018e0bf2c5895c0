// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parked waits (wait.h) through the real dispatcher: the fake driver's
 * FAKE_IOCTL_WAIT parks on fences exactly as a driver's wait does, and
 * requests come either from a caller that may block (no waiter: gp_ioctl()
 * sleeps and re-runs) or from a transport-like caller with its own waiter
 * (gp_ioctl() answers -EINPROGRESS and the wake re-runs it).  Only the
 * edges are fakes: the driver and the caller's memory.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>
#include <gpu-proto/gpu_proto_socket.h>

#include "fake_driver.h"
#include "fence.h"
#include "file.h"
#include "ioctl.h"
#include "registration.h"
#include "socket.h"
#include "wait.h"
#include "check_run.h"

static const struct gp_caller plain_user = { .uid = 1000, .gid = 1000, .pid = 42 };

/* --- the caller's memory: this process's, at the argument's address --- */

static int flat_prepare(void *ctx, const struct gp_user_plan *plan)
{
	return 0;
}

static int flat_copy_from(void *ctx, void *dst, uint64_t addr, size_t len)
{
	memcpy(dst, (const void *)(uintptr_t)addr, len);
	return 0;
}

static int flat_copy_to(void *ctx, uint64_t addr, const void *src, size_t len)
{
	memcpy((void *)(uintptr_t)addr, src, len);
	return 0;
}

static const struct gp_user_ops flat_ops = {
	.prepare = flat_prepare,
	.copy_from = flat_copy_from,
	.copy_to = flat_copy_to,
};

static struct gp_registration *reg;

static struct gp_file *open_file(void)
{
	struct gp_file *f = NULL;

	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), &plain_user, GP_NODE_RENDER, &f),
			 0);
	return f;
}

static void new_fence(unsigned int i)
{
	struct gp_fence *f;

	ck_assert_int_eq(gp_fence_create(&f), 0);
	atomic_store(&fake_wait_fences[i], f);
}

static void signal_fence(unsigned int i, int status)
{
	ck_assert_int_eq(gp_fence_signal(atomic_load(&fake_wait_fences[i]), status), 0);
}

static void setup(void)
{
	fake_driver_reset();
	reg = fake_bind();
	for (unsigned int i = 0; i < FAKE_WAIT_FENCES; i++)
		new_fence(i);
}

static void teardown(void)
{
	gp_registration_free(&reg);
	for (unsigned int i = 0; i < FAKE_WAIT_FENCES; i++) {
		struct gp_fence *f = atomic_exchange(&fake_wait_fences[i], NULL);

		gp_fence_put(&f);
	}
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait (no timing assertion: Check's timeout catches a hang) until @n parks happened. */
static void await_parks(int n)
{
	while (atomic_load(&fake_record.parks) < n)
		sleep_ms(1);
}

/* --- a caller that may block: a thread in gp_ioctl() --- */

struct blocked {
	pthread_t thread;
	struct gp_file *file;
	struct fake_wait arg;
	int ret, result;
	atomic_bool done;
};

static void *blocked_main(void *p)
{
	struct blocked *b = p;
	struct gp_user user = { .ops = &flat_ops };

	b->ret = gp_ioctl(b->file, FAKE_IOCTL_WAIT, (uint64_t)(uintptr_t)&b->arg, &user, &b->result);
	atomic_store(&b->done, true);
	return NULL;
}

static void blocked_start(struct blocked *b, struct gp_file *file, uint32_t f0, uint32_t f1,
			  uint32_t count, int64_t deadline)
{
	memset(b, 0, sizeof(*b));
	b->file = file;
	b->arg = (struct fake_wait){ .fences = { f0, f1 }, .count = count, .deadline_ns = deadline };
	ck_assert_int_eq(pthread_create(&b->thread, NULL, blocked_main, b), 0);
}

static void blocked_join(struct blocked *b)
{
	ck_assert_int_eq(pthread_join(b->thread, NULL), 0);
	ck_assert_int_eq(b->ret, 0);
}

START_TEST(signal_wakes_a_blocked_caller)
{
	struct gp_file *file;
	struct blocked b;

	setup();
	file = open_file();
	blocked_start(&b, file, 0, 0, 1, 0);
	await_parks(1);
	ck_assert(!atomic_load(&b.done));
	signal_fence(0, 0);
	blocked_join(&b);
	ck_assert_int_eq(b.result, 0);
	ck_assert_int_eq(b.arg.status, 1);
	/* Parked once, re-run once from the start. */
	ck_assert_int_eq(atomic_load(&fake_record.waits_run), 2);
	ck_assert_int_eq(atomic_load(&fake_record.parks), 1);
	gp_file_close(&file);
	teardown();
}
END_TEST

START_TEST(fence_error_reaches_the_caller)
{
	struct gp_file *file;
	struct blocked b;

	setup();
	file = open_file();
	blocked_start(&b, file, 3, 0, 1, 0);
	await_parks(1);
	signal_fence(3, -EIO);
	blocked_join(&b);
	ck_assert_int_eq(b.result, 0);
	ck_assert_int_eq(b.arg.status, -EIO);
	gp_file_close(&file);
	teardown();
}
END_TEST

START_TEST(deadline_ends_a_wait_with_etime)
{
	struct gp_file *file;
	struct blocked b;

	setup();
	file = open_file();
	blocked_start(&b, file, 0, 0, 1, gp_wait_now_ns() + 20 * 1000000);
	blocked_join(&b);
	ck_assert_int_eq(b.result, -ETIME);
	/* Parked once and re-run once (or, on a slow machine, expired before parking). */
	ck_assert_int_le(atomic_load(&fake_record.parks), 1);
	ck_assert_int_eq(atomic_load(&fake_record.waits_run), atomic_load(&fake_record.parks) + 1);
	/* Nothing stays armed: a late signal wakes nobody and frees nothing twice. */
	signal_fence(0, 0);
	gp_file_close(&file);
	teardown();
}
END_TEST

START_TEST(deadline_in_the_past_does_not_park)
{
	struct gp_file *file;
	struct blocked b;

	setup();
	file = open_file();
	blocked_start(&b, file, 0, 0, 1, 1);
	blocked_join(&b);
	ck_assert_int_eq(b.result, -ETIME);
	ck_assert_int_eq(atomic_load(&fake_record.parks), 0);
	gp_file_close(&file);
	teardown();
}
END_TEST

START_TEST(deadlines_fire_in_their_order)
{
	struct gp_file *file;
	struct blocked late, soon;
	int64_t now = gp_wait_now_ns();

	setup();
	file = open_file();
	/* Parked first with the later deadline: the sorted timer list must not follow arrival. */
	blocked_start(&late, file, 0, 0, 1, now + 5000 * 1000000LL);
	await_parks(1);
	blocked_start(&soon, file, 1, 0, 1, now + 30 * 1000000LL);
	blocked_join(&soon);
	ck_assert_int_eq(soon.result, -ETIME);
	ck_assert(!atomic_load(&late.done));
	signal_fence(0, 0);
	blocked_join(&late);
	ck_assert_int_eq(late.result, 0);
	gp_file_close(&file);
	teardown();
}
END_TEST

START_TEST(a_wake_re_runs_and_re_arms_until_done)
{
	struct gp_file *file;
	struct blocked b;

	setup();
	file = open_file();
	blocked_start(&b, file, 0, 1, 2, 0);
	await_parks(1);
	signal_fence(0, 0);
	/* The re-run finds fence 1 pending and parks again on the same waiter. */
	await_parks(2);
	ck_assert(!atomic_load(&b.done));
	signal_fence(1, 0);
	blocked_join(&b);
	ck_assert_int_eq(b.result, 0);
	ck_assert_int_eq(b.arg.status, 1);
	ck_assert_int_eq(atomic_load(&fake_record.waits_run), 3);
	gp_file_close(&file);
	teardown();
}
END_TEST

START_TEST(signalled_fence_never_parks)
{
	struct gp_file *file;
	struct blocked b;

	setup();
	file = open_file();
	signal_fence(2, 0);
	blocked_start(&b, file, 2, 2, 2, 0);
	blocked_join(&b);
	ck_assert_int_eq(b.result, 0);
	ck_assert_int_eq(b.arg.status, 1);
	ck_assert_int_eq(atomic_load(&fake_record.parks), 0);
	gp_file_close(&file);
	teardown();
}
END_TEST

START_TEST(file_close_wakes_its_waiters_with_enodev)
{
	struct gp_file *file, *other;
	struct blocked b[3], o;

	setup();
	file = open_file();
	other = open_file();
	for (int i = 0; i < 3; i++)
		blocked_start(&b[i], file, 0, 0, 1, 0);
	blocked_start(&o, other, 0, 0, 1, 0);
	await_parks(4);
	gp_file_close(&file);
	for (int i = 0; i < 3; i++) {
		blocked_join(&b[i]);
		ck_assert_int_eq(b[i].result, -ENODEV);
	}
	/* Another file's waiter is not disturbed. */
	ck_assert(!atomic_load(&o.done));
	signal_fence(0, 0);
	blocked_join(&o);
	ck_assert_int_eq(o.result, 0);
	gp_file_close(&other);
	teardown();
}
END_TEST

#define REVOKE_FILES 4
#define REVOKE_WAITERS 4

START_TEST(revoke_wakes_every_waiter_with_enodev)
{
	struct gp_file *files[REVOKE_FILES];
	struct blocked b[REVOKE_FILES][REVOKE_WAITERS];

	setup();
	for (int f = 0; f < REVOKE_FILES; f++) {
		files[f] = open_file();
		for (int i = 0; i < REVOKE_WAITERS; i++)
			blocked_start(&b[f][i], files[f], (uint32_t)i, 0, 1, 0);
	}
	await_parks(REVOKE_FILES * REVOKE_WAITERS);
	/* No fence signals: revoke alone must wake them all. */
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	for (int f = 0; f < REVOKE_FILES; f++) {
		for (int i = 0; i < REVOKE_WAITERS; i++) {
			blocked_join(&b[f][i]);
			ck_assert_int_eq(b[f][i].result, -ENODEV);
		}
		gp_file_close(&files[f]);
	}
	ck_assert_int_eq(atomic_load(&fake_record.releases), 1);
	ck_assert(!atomic_load(&fake_record.release_while_in_flight));
	teardown();
}
END_TEST

START_TEST(park_on_a_closed_file_fails_and_arms_nothing)
{
	struct gp_file *file, *ref;
	struct gp_waiter w;
	struct gp_user user = { .ops = &flat_ops, .waiter = &w };
	static const struct gp_waiter_ops no_wake = { 0 };

	setup();
	file = open_file();
	ref = gp_file_get(file);
	gp_file_close(&file);
	gp_waiter_init(&w, &no_wake);
	ck_assert_int_eq(gp_wait_watch_fence(&user, atomic_load(&fake_wait_fences[0])), 0);
	ck_assert_int_eq(gp_wait_park(&user, ref, GP_WAIT_FOREVER), -ENODEV);
	/* The watch is gone: signalling must not reach the (wake-less) waiter. */
	signal_fence(0, 0);
	gp_waiter_disarm(&w);
	gp_file_put(&ref);
	teardown();
}
END_TEST

/* --- a transport's caller: its own waiter, -EINPROGRESS, re-run on wake --- */

struct parked {
	struct gp_waiter waiter;
	struct gp_file *file;
	struct fake_wait arg;
	atomic_int wakes, answered;
	int result;
	pthread_t wake_thread;
};

static int parked_run(struct parked *p)
{
	struct gp_user user = { .ops = &flat_ops, .waiter = &p->waiter };
	int result = 0, r;

	r = gp_ioctl(p->file, FAKE_IOCTL_WAIT, (uint64_t)(uintptr_t)&p->arg, &user, &result);
	if (r == 0) {
		p->result = result;
		atomic_store(&p->answered, 1);
	}
	return r;
}

static void parked_wake(struct gp_waiter *waiter)
{
	struct parked *p = caa_container_of(waiter, struct parked, waiter);

	p->wake_thread = pthread_self();
	atomic_fetch_add(&p->wakes, 1);
	/* As a transport: run the request again; it answers or parks again. */
	ck_assert_int_ne(parked_run(p), -EAGAIN);
}

static const struct gp_waiter_ops parked_ops = { .wake = parked_wake };

static void parked_start(struct parked *p, struct gp_file *file, uint32_t fence)
{
	memset(p, 0, sizeof(*p));
	gp_waiter_init(&p->waiter, &parked_ops);
	p->file = file;
	p->arg = (struct fake_wait){ .fences = { fence }, .count = 1 };
	ck_assert_int_eq(parked_run(p), -EINPROGRESS);
}

static void await_answer(struct parked *p)
{
	while (!atomic_load(&p->answered))
		sleep_ms(1);
}

START_TEST(transport_gets_einprogress_and_its_wake_answers)
{
	struct gp_file *file;
	struct parked p;

	setup();
	file = open_file();
	parked_start(&p, file, 0);
	ck_assert_int_eq(atomic_load(&p.answered), 0);
	signal_fence(0, 0);
	await_answer(&p);
	ck_assert_int_eq(p.result, 0);
	ck_assert_int_eq(p.arg.status, 1);
	ck_assert_int_eq(atomic_load(&p.wakes), 1);
	/* Delivered by wait.c's thread, never the signaller's. */
	ck_assert(!pthread_equal(p.wake_thread, pthread_self()));
	gp_waiter_disarm(&p.waiter);
	gp_file_close(&file);
	teardown();
}
END_TEST

START_TEST(disarm_stops_the_wake_and_the_waiter_re_arms)
{
	struct gp_file *file;
	struct parked p, q;

	setup();
	file = open_file();
	parked_start(&p, file, 0);
	/* An interrupt: the transport disarms and answers EINTR itself. */
	gp_waiter_disarm(&p.waiter);
	gp_waiter_disarm(&p.waiter);	/* idempotent */
	signal_fence(0, 0);
	/*
	 * The thread delivers in order: once a later waiter's wake has run,
	 * a fire of the disarmed one would have run before it.
	 */
	parked_start(&q, file, 1);
	signal_fence(1, 0);
	await_answer(&q);
	ck_assert_int_eq(atomic_load(&p.wakes), 0);
	ck_assert_int_eq(atomic_load(&p.answered), 0);

	/* The restarted call (drmIoctl() after EINTR) arms the same storage again. */
	p.arg.fences[0] = 2;
	ck_assert_int_eq(parked_run(&p), -EINPROGRESS);
	signal_fence(2, 0);
	await_answer(&p);
	ck_assert_int_eq(p.result, 0);
	gp_waiter_disarm(&p.waiter);
	gp_waiter_disarm(&q.waiter);
	gp_file_close(&file);
	teardown();
}
END_TEST

#define MANY 100

START_TEST(a_hundred_parked_requests_hold_nothing_and_revoke_answers_them)
{
	struct parked *p = calloc(MANY, sizeof(*p));
	struct gp_file *file;
	struct fake_echo e = { .in = 7 };
	struct gp_user user = { .ops = &flat_ops };
	int result = -1;

	ck_assert_ptr_nonnull(p);
	setup();
	file = open_file();
	/* One thread parks them all: no request holds a thread or a guard. */
	for (int i = 0; i < MANY; i++)
		parked_start(&p[i], file, 0);
	ck_assert_int_eq(gp_ioctl(file, FAKE_IOCTL_ECHO, (uint64_t)(uintptr_t)&e, &user, &result), 0);
	ck_assert_int_eq(result, 0);
	ck_assert_uint_eq(e.out, 8);
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	for (int i = 0; i < MANY; i++) {
		await_answer(&p[i]);
		ck_assert_int_eq(p[i].result, -ENODEV);
		gp_waiter_disarm(&p[i].waiter);
	}
	gp_file_close(&file);
	teardown();
	free(p);
}
END_TEST


/* --- over the socket transport: parked in the connection, not its thread --- */

/* A reply that never comes fails the test after this long; nothing here times speed. */
#define WIRE_TIMEOUT_MS 30000
#define ARG 0x7f0000001000ull

static struct gp_socket *sock;
static char sock_dir[64], sock_path[96];

static struct gp_device *sock_current_device(void *ctx)
{
	(void)ctx;
	return reg ? gp_device_get(gp_registration_device(reg)) : NULL;
}

static void sock_setup(unsigned int max_per_uid)
{
	struct gp_socket_config cfg = {
		.node = GP_NODE_RENDER, .current_device = sock_current_device,
		.max_per_uid = max_per_uid,
	};

	setup();
	snprintf(sock_dir, sizeof(sock_dir), "/tmp/gp-wait-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sock_dir));
	snprintf(sock_path, sizeof(sock_path), "%s/gpu-proto.sock", sock_dir);
	cfg.path = sock_path;
	ck_assert_int_eq(gp_socket_new(&cfg, &sock), 0);
	ck_assert_int_eq(gp_socket_start(sock), 0);
}

static void sock_teardown(void)
{
	/* As the daemon's shutdown: revoke first, then the connections go. */
	gp_registration_free(&reg);
	gp_socket_free(&sock);
	rmdir(sock_dir);
	teardown();
}

static int wire_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct gpsock_hdr hdr;
	struct pollfd pfd;
	int fd;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	strcpy(sun.sun_path, sock_path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, WIRE_TIMEOUT_MS), 1);
	ck_assert_int_eq(recv(fd, &hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	ck_assert_uint_eq(hdr.op, GPSOCK_OPENED);
	ck_assert_int_eq(hdr.value, 0);
	return fd;
}

/* An IOCTL message carrying its whole argument, so no RETRY round is needed. */
static void wire_ioctl(int fd, unsigned int cmd, const void *arg, uint32_t size)
{
	unsigned char buf[sizeof(struct gpsock_ioctl) + 256];
	struct gpsock_ioctl req = {
		.hdr.op = GPSOCK_IOCTL, .arg = ARG, .cmd = cmd, .in_len = size, .out_len = size,
	};

	ck_assert_uint_le(size, 256);
	memcpy(buf, &req, sizeof(req));
	memcpy(buf + sizeof(req), arg, size);
	ck_assert_int_eq(send(fd, buf, sizeof(req) + size, MSG_NOSIGNAL),
			 (ssize_t)(sizeof(req) + size));
}

/* The next DONE: its result, and its output copied to @out. */
static int64_t wire_done(int fd, void *out, uint32_t size)
{
	unsigned char buf[GPSOCK_MSG_MAX];
	struct gpsock_hdr hdr;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	do {
		ck_assert_msg(poll(&pfd, 1, WIRE_TIMEOUT_MS) == 1, "no reply");
		n = recv(fd, buf, sizeof(buf), 0);
		ck_assert_int_ge(n, (ssize_t)sizeof(hdr));
		memcpy(&hdr, buf, sizeof(hdr));
	} while (hdr.op == GPSOCK_WAKE);
	ck_assert_uint_eq(hdr.op, GPSOCK_DONE);
	if (out && (size_t)n - sizeof(hdr) == size)
		memcpy(out, buf + sizeof(hdr), size);
	return hdr.value;
}

static void wire_wait(int fd, uint32_t fence)
{
	struct fake_wait w = { .fences = { fence }, .count = 1 };

	wire_ioctl(fd, FAKE_IOCTL_WAIT, &w, sizeof(w));
}

static void wire_echo_works(int fd, uint32_t in)
{
	struct fake_echo e = { .in = in };

	wire_ioctl(fd, FAKE_IOCTL_ECHO, &e, sizeof(e));
	ck_assert_int_eq(wire_done(fd, &e, sizeof(e)), 0);
	ck_assert_uint_eq(e.out, in + 1);
}

static struct gp_transport_stats sock_stats(void)
{
	struct gp_transport_stats st;

	gp_socket_get_stats(sock, &st);
	return st;
}

/* The connection's thread counts a request unparked just after it answered it. */
static void await_waiting(uint64_t n)
{
	while (sock_stats().ioctls_waiting != n)
		sleep_ms(1);
}

START_TEST(socket_parked_wait_answers_on_signal)
{
	struct fake_wait w;
	int fd, other;

	sock_setup(0);
	fd = wire_connect();
	other = wire_connect();
	wire_wait(fd, 0);
	await_parks(1);
	await_waiting(1);
	/* Another client, and the waiter's own connection thread, still serve. */
	wire_echo_works(other, 1);
	signal_fence(0, 0);
	ck_assert_int_eq(wire_done(fd, &w, sizeof(w)), 0);
	ck_assert_int_eq(w.status, 1);
	await_waiting(0);
	ck_assert_uint_eq(sock_stats().ioctls_parked, 1);
	wire_echo_works(fd, 5);
	close(fd);
	close(other);
	sock_teardown();
}
END_TEST

START_TEST(socket_cancel_answers_eintr_and_disarms)
{
	struct gpsock_hdr cancel = { .op = GPSOCK_CANCEL };
	int fd;

	sock_setup(0);
	fd = wire_connect();
	wire_wait(fd, 0);
	await_parks(1);
	ck_assert_int_eq(send(fd, &cancel, sizeof(cancel), MSG_NOSIGNAL), (ssize_t)sizeof(cancel));
	ck_assert_int_eq(wire_done(fd, NULL, 0), -EINTR);
	/* Disarmed: the signal produces no second answer; the next reply is the echo's. */
	signal_fence(0, 0);
	wire_echo_works(fd, 9);
	await_waiting(0);
	close(fd);
	sock_teardown();
}
END_TEST

START_TEST(socket_second_ioctl_while_parked_is_ebusy)
{
	struct fake_echo e = { .in = 1 };
	int fd;

	sock_setup(0);
	fd = wire_connect();
	wire_wait(fd, 0);
	await_parks(1);
	wire_ioctl(fd, FAKE_IOCTL_ECHO, &e, sizeof(e));
	/* The EBUSY is an ERR, not a DONE: read it by hand. */
	{
		struct gpsock_hdr hdr;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		ck_assert_int_eq(poll(&pfd, 1, WIRE_TIMEOUT_MS), 1);
		ck_assert_int_eq(recv(fd, &hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
		ck_assert_uint_eq(hdr.op, GPSOCK_ERR);
		ck_assert_int_eq(hdr.value, EBUSY);
	}
	signal_fence(0, 0);
	ck_assert_int_eq(wire_done(fd, NULL, 0), 0);
	close(fd);
	sock_teardown();
}
END_TEST

/* The next packet, whatever it is. */
static struct gpsock_hdr wire_next(int fd)
{
	unsigned char buf[GPSOCK_MSG_MAX];
	struct gpsock_hdr hdr;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	ck_assert_msg(poll(&pfd, 1, WIRE_TIMEOUT_MS) == 1, "no reply");
	ck_assert_int_ge(recv(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(hdr));
	memcpy(&hdr, buf, sizeof(hdr));
	return hdr;
}

START_TEST(socket_ioctl_wake_is_no_poll_wake)
{
	struct gpsock_hdr poll_req = { .op = GPSOCK_POLL, .flags = GPSOCK_POLL_ARM };
	struct fake_echo e = { .in = 4 };
	struct gpsock_hdr h;
	int fd;

	sock_setup(0);
	fd = wire_connect();
	ck_assert_int_eq(send(fd, &poll_req, sizeof(poll_req), MSG_NOSIGNAL),
			 (ssize_t)sizeof(poll_req));
	h = wire_next(fd);
	ck_assert_uint_eq(h.op, GPSOCK_MASK);
	ck_assert_int_eq(h.value, 0);
	wire_wait(fd, 0);
	await_waiting(1);
	signal_fence(0, 0);
	h = wire_next(fd);
	ck_assert_uint_eq(h.op, GPSOCK_DONE);
	ck_assert_int_eq(h.value, 0);
	/*
	 * The file did not become readable: no WAKE for the armed poll.  One
	 * would have been sent right after the DONE, before the next request
	 * is read, so the echo's answer must come next.
	 */
	wire_ioctl(fd, FAKE_IOCTL_ECHO, &e, sizeof(e));
	h = wire_next(fd);
	ck_assert_uint_eq(h.op, GPSOCK_DONE);
	close(fd);
	sock_teardown();
}
END_TEST

START_TEST(socket_disconnect_disarms_the_parked_wait)
{
	int fd;

	sock_setup(0);
	fd = wire_connect();
	wire_wait(fd, 0);
	await_parks(1);
	close(fd);
	while (sock_stats().open_files != 0)
		sleep_ms(1);
	await_waiting(0);
	/* The connection is freed: a fire now would be a use after free (ASan). */
	signal_fence(0, 0);
	fd = wire_connect();
	wire_echo_works(fd, 3);
	close(fd);
	sock_teardown();
}
END_TEST

/*
 * The hostile case: a hundred clients each park a wait that never
 * completes.  They hold no thread of the dispatcher and no guard: another
 * client's ioctls complete, and revoke answers every one with ENODEV.
 */
START_TEST(socket_hundred_parked_waiters_then_revoke)
{
	int fds[MANY], good;

	sock_setup(MANY + 8);
	for (int i = 0; i < MANY; i++) {
		fds[i] = wire_connect();
		wire_wait(fds[i], (uint32_t)(i % FAKE_WAIT_FENCES));
	}
	await_parks(MANY);
	await_waiting(MANY);
	good = wire_connect();
	for (uint32_t i = 0; i < 20; i++)
		wire_echo_works(good, i);
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	for (int i = 0; i < MANY; i++) {
		ck_assert_int_eq(wire_done(fds[i], NULL, 0), -ENODEV);
		close(fds[i]);
	}
	await_waiting(0);
	ck_assert_uint_eq(sock_stats().ioctls_parked, MANY);
	close(good);
	sock_teardown();
}
END_TEST

/* --- races, for ThreadSanitizer --- */

struct racer {
	pthread_t thread;
	struct gp_file *file;
	unsigned int rounds;
	atomic_int ok, enodev, other;
};

/* Wait on fresh fences that another thread signals at once, until revoke. */
static struct gp_fence *_Atomic race_fence;

static void *race_signaller(void *p)
{
	atomic_bool *stop = p;

	while (!atomic_load(stop)) {
		struct gp_fence *f = atomic_load(&race_fence);

		if (f && !gp_fence_is_signaled(f))
			gp_fence_signal(f, 0);
		sched_yield();
	}
	return NULL;
}

static void *race_waiter(void *p)
{
	struct racer *r = p;
	struct gp_user user = { .ops = &flat_ops };

	for (unsigned int i = 0; i < r->rounds; i++) {
		struct fake_wait w = { .fences = { 0 }, .count = 1 };
		int result = 0;

		ck_assert_int_eq(gp_ioctl(r->file, FAKE_IOCTL_WAIT, (uint64_t)(uintptr_t)&w, &user,
					  &result), 0);
		if (result == 0)
			atomic_fetch_add(&r->ok, 1);
		else if (result == -ENODEV)
			atomic_fetch_add(&r->enodev, 1);
		else
			atomic_fetch_add(&r->other, 1);
	}
	return NULL;
}

#define RACE_ROUNDS 100

START_TEST(signal_park_and_revoke_race_without_a_lost_wake)
{
	struct gp_fence *old[RACE_ROUNDS];
	struct racer r[3];
	pthread_t sig;
	atomic_bool stop = false;

	setup();
	/* Fence 0 is swapped for fresh ones while waiters park on it. */
	for (int i = 0; i < 3; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].file = open_file();
		r[i].rounds = 200;
		ck_assert_int_eq(pthread_create(&r[i].thread, NULL, race_waiter, &r[i]), 0);
	}
	atomic_store(&race_fence, atomic_load(&fake_wait_fences[0]));
	ck_assert_int_eq(pthread_create(&sig, NULL, race_signaller, &stop), 0);
	for (int round = 0; round < RACE_ROUNDS; round++) {
		struct gp_fence *f;

		ck_assert_int_eq(gp_fence_create(&f), 0);
		/* Old fences stay alive until the end: handlers load them unreferenced. */
		old[round] = atomic_exchange(&fake_wait_fences[0], f);
		atomic_store(&race_fence, f);
		sleep_ms(1);
		if (!gp_fence_is_signaled(old[round]))
			gp_fence_signal(old[round], 0);
	}
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(pthread_join(r[i].thread, NULL), 0);
		ck_assert_int_eq(atomic_load(&r[i].other), 0);
		ck_assert_int_eq(atomic_load(&r[i].ok) + atomic_load(&r[i].enodev), 200);
		gp_file_close(&r[i].file);
	}
	atomic_store(&stop, true);
	ck_assert_int_eq(pthread_join(sig, NULL), 0);
	atomic_store(&race_fence, NULL);
	for (int round = 0; round < RACE_ROUNDS; round++)
		gp_fence_put(&old[round]);
	teardown();
}
END_TEST

static Suite *wait_suite(void)
{
	Suite *s = suite_create("wait");
	TCase *tc = tcase_create("wait");

	tcase_add_test(tc, signal_wakes_a_blocked_caller);
	tcase_add_test(tc, fence_error_reaches_the_caller);
	tcase_add_test(tc, deadline_ends_a_wait_with_etime);
	tcase_add_test(tc, deadline_in_the_past_does_not_park);
	tcase_add_test(tc, deadlines_fire_in_their_order);
	tcase_add_test(tc, a_wake_re_runs_and_re_arms_until_done);
	tcase_add_test(tc, signalled_fence_never_parks);
	tcase_add_test(tc, file_close_wakes_its_waiters_with_enodev);
	tcase_add_test(tc, revoke_wakes_every_waiter_with_enodev);
	tcase_add_test(tc, park_on_a_closed_file_fails_and_arms_nothing);
	tcase_add_test(tc, transport_gets_einprogress_and_its_wake_answers);
	tcase_add_test(tc, disarm_stops_the_wake_and_the_waiter_re_arms);
	tcase_add_test(tc, a_hundred_parked_requests_hold_nothing_and_revoke_answers_them);
	tcase_add_test(tc, signal_park_and_revoke_race_without_a_lost_wake);
	suite_add_tcase(s, tc);

	tc = tcase_create("socket");
	tcase_add_test(tc, socket_parked_wait_answers_on_signal);
	tcase_add_test(tc, socket_cancel_answers_eintr_and_disarms);
	tcase_add_test(tc, socket_second_ioctl_while_parked_is_ebusy);
	tcase_add_test(tc, socket_ioctl_wake_is_no_poll_wake);
	tcase_add_test(tc, socket_disconnect_disarms_the_parked_wait);
	tcase_add_test(tc, socket_hundred_parked_waiters_then_revoke);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gp_check_run(wait_suite());
}
