// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gp-vm-syncwait: SYNCOBJ_WAIT over CUSE, for tests/vm/test_daemon_syncwait.sh.
 * Plain open(2)/ioctl(2) on the node, as a DRM client does.
 *
 *   gp-vm-syncwait waiters N
 *       create sync objects A and B (empty), start N threads parked in
 *       SYNCOBJ_WAIT(WAIT_FOR_SUBMIT, no deadline), half on A, half on B;
 *       once GP_SYNCWAIT_GO exists (default /tmp/syncwait-signal), SIGNAL
 *       A: its waiters must return 0; B's must then return ENODEV (the
 *       test unbinds).  Exit 0 only if every wait ended that way.
 *   gp-vm-syncwait getcap COUNT
 *       COUNT GET_CAP(SYNCOBJ) round trips on a new file; each must say 1.
 *   gp-vm-syncwait wait-forever
 *       one SYNCOBJ_WAIT that nothing signals (the test kills us).
 *   gp-vm-syncwait interrupt
 *       a thread waits; SIGUSR1 (a handler, no SA_RESTART) is sent to it
 *       until one of its SYNCOBJ_WAITs has returned EINTR and it waits
 *       again; then SIGNAL: the restarted wait must return 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

static const char *device = "/dev/gpu-proto";

static int node_open(void)
{
	int fd = open(device, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", device, strerror(errno));
		exit(1);
	}
	return fd;
}

static uint32_t syncobj_create(int fd)
{
	struct gpu_proto_syncobj_create c = { 0 };

	if (ioctl(fd, GPU_PROTO_IOCTL_SYNCOBJ_CREATE, &c) != 0) {
		fprintf(stderr, "SYNCOBJ_CREATE: %s\n", strerror(errno));
		exit(1);
	}
	return c.handle;
}

/* One wait with no deadline; 0 or the errno. */
static int syncobj_wait_forever(int fd, uint32_t handle)
{
	struct gpu_proto_syncobj_wait w = {
		.handles = (uintptr_t)&handle,
		.timeout_nsec = INT64_MAX,
		.count_handles = 1,
		.flags = GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};
	int r;

	/* As drmIoctl(): an interrupted wait is restarted. */
	do {
		r = ioctl(fd, GPU_PROTO_IOCTL_SYNCOBJ_WAIT, &w);
	} while (r != 0 && (errno == EINTR || errno == EAGAIN));
	return r == 0 ? 0 : errno;
}

struct waiter {
	pthread_t thread;
	int fd;
	uint32_t handle;
	int result;
};

static void *waiter_main(void *p)
{
	struct waiter *w = p;

	w->result = syncobj_wait_forever(w->fd, w->handle);
	return NULL;
}

static int cmd_waiters(int n)
{
	const char *go = getenv("GP_SYNCWAIT_GO") ? getenv("GP_SYNCWAIT_GO") : "/tmp/syncwait-signal";
	struct waiter *w = calloc((size_t)n, sizeof(*w));
	int fd = node_open(), ok_a = 0, enodev_b = 0, bad = 0;
	uint32_t a = syncobj_create(fd), b = syncobj_create(fd);
	struct gpu_proto_syncobj_array sig = { .handles = (uintptr_t)&a, .count_handles = 1 };
	struct stat st;

	if (!w)
		return 1;
	for (int i = 0; i < n; i++) {
		w[i] = (struct waiter){ .fd = fd, .handle = i % 2 ? b : a };
		if (pthread_create(&w[i].thread, NULL, waiter_main, &w[i]) != 0) {
			fprintf(stderr, "pthread_create: thread %d\n", i);
			return 1;
		}
	}
	printf("started %d waiters\n", n);
	fflush(stdout);
	while (stat(go, &st) != 0)
		usleep(20000);
	if (ioctl(fd, GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL, &sig) != 0) {
		fprintf(stderr, "SYNCOBJ_SIGNAL: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < n; i += 2) {
		pthread_join(w[i].thread, NULL);
		if (w[i].result == 0)
			ok_a++;
		else
			bad++, printf("waiter %d on A: %s\n", i, strerrorname_np(w[i].result));
	}
	printf("signalled: %d waiters returned 0\n", ok_a);
	fflush(stdout);
	for (int i = 1; i < n; i += 2) {
		pthread_join(w[i].thread, NULL);
		if (w[i].result == ENODEV)
			enodev_b++;
		else
			bad++, printf("waiter %d on B: %s\n", i, w[i].result ? strerrorname_np(w[i].result) : "0");
	}
	printf("unbound: %d waiters returned ENODEV\n", enodev_b);
	close(fd);
	free(w);
	return bad ? 1 : 0;
}

static int cmd_getcap(int count)
{
	int fd = node_open();

	for (int i = 0; i < count; i++) {
		struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_SYNCOBJ };

		if (ioctl(fd, GPU_PROTO_IOCTL_GET_CAP, &cap) != 0 || cap.value != 1) {
			printf("GET_CAP(SYNCOBJ) #%d: %s, value %llu\n", i, strerror(errno),
			       (unsigned long long)cap.value);
			return 1;
		}
	}
	printf("getcap: %d round trips answered\n", count);
	close(fd);
	return 0;
}

static atomic_int eintrs;
static int interrupt_result = -1;

static void on_usr1(int sig)
{
	(void)sig;
}

static void *interrupt_waiter(void *p)
{
	struct waiter *w = p;
	struct gpu_proto_syncobj_wait arg = {
		.handles = (uintptr_t)&w->handle,
		.timeout_nsec = INT64_MAX,
		.count_handles = 1,
		.flags = GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};
	int r;

	/* As drmIoctl(): restart after EINTR, counting them. */
	for (;;) {
		r = ioctl(w->fd, GPU_PROTO_IOCTL_SYNCOBJ_WAIT, &arg);
		if (r == 0 || errno != EINTR)
			break;
		atomic_fetch_add(&eintrs, 1);
	}
	interrupt_result = r == 0 ? 0 : errno;
	return NULL;
}

static int cmd_interrupt(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	struct waiter w = { .fd = node_open() };
	struct gpu_proto_syncobj_array sig = { .handles = (uintptr_t)&w.handle, .count_handles = 1 };

	w.handle = syncobj_create(w.fd);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	if (pthread_create(&w.thread, NULL, interrupt_waiter, &w) != 0)
		return 1;
	/* Until the waiter was interrupted in its wait at least once (at most ~30 s). */
	for (int i = 0; atomic_load(&eintrs) == 0 && i < 3000; i++) {
		usleep(10000);
		pthread_kill(w.thread, SIGUSR1);
	}
	if (ioctl(w.fd, GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL, &sig) != 0) {
		fprintf(stderr, "SYNCOBJ_SIGNAL: %s\n", strerror(errno));
		return 1;
	}
	pthread_join(w.thread, NULL);
	printf("interrupt: %d EINTR, then the restarted wait returned %s\n", atomic_load(&eintrs),
	       interrupt_result ? strerrorname_np(interrupt_result) : "0");
	close(w.fd);
	return atomic_load(&eintrs) > 0 && interrupt_result == 0 ? 0 : 1;
}

static int cmd_wait_forever(void)
{
	int fd = node_open();
	int r = syncobj_wait_forever(fd, syncobj_create(fd));

	printf("wait-forever returned %s\n", r ? strerrorname_np(r) : "0");
	return 1;
}

int main(int argc, char **argv)
{
	if (getenv("GP_NODE"))
		device = getenv("GP_NODE");
	if (argc == 3 && strcmp(argv[1], "waiters") == 0)
		return cmd_waiters(atoi(argv[2]));
	if (argc == 3 && strcmp(argv[1], "getcap") == 0)
		return cmd_getcap(atoi(argv[2]));
	if (argc == 2 && strcmp(argv[1], "wait-forever") == 0)
		return cmd_wait_forever();
	if (argc == 2 && strcmp(argv[1], "interrupt") == 0)
		return cmd_interrupt();
	fprintf(stderr, "usage: gp-vm-syncwait waiters N | getcap COUNT | wait-forever | interrupt\n");
	return 2;
}
