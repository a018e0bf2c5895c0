// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VM test helper: client behaviours the shell scripts orchestrate.
 *
 *   gp-vm-client hammer SECONDS THREADS PROCS
 *       PROCS processes x THREADS threads issue ioctls in a loop; every
 *       result must be success or ENODEV, and a file that saw ENODEV must
 *       never succeed again (a rebind never revives old files).  Threads
 *       reopen the node after ENODEV.  Exit 1 on any other result.
 *       With GP_HAMMER_CORE=1 only the core ioctls (any personality); with
 *       GP_HAMMER_STOP_FILE=PATH they stop early once PATH exists.
 *   gp-vm-client block-read
 *       block in read(2) with nothing queued; print and exit 0 when read
 *       fails (ENODEV on revoke, ENOTCONN/ECONNABORTED when the daemon
 *       dies), exit 1 if it returns data.
 *   gp-vm-client libdrm
 *       drmGetVersion, drmGetCap and drmIoctl from Debian's libdrm.
 *   gp-vm-client open-expect ERRNO-NAME
 *       open the node and expect that error (e.g. EACCES as another user).
 *   gp-vm-client poll-hup
 *       poll(2) until the device is revoked: expect POLLERR|POLLHUP.
 *   gp-vm-client gpc-events
 *       through libgpuproto: FLUSH_CACHES, then gpc_read_event() gets the
 *       FLUSH_DONE event with our user_data.
 *   gp-vm-client edu-irq
 *       qemu-edu personality: EDU_INFO, then EDU_RAISE_IRQ; the device's real
 *       interrupt must come back as an EDU_EVENT_IRQ event (poll + read).
 *   gp-vm-client notify-listen SOCKET
 *       stand in for systemd: print every sd_notify() datagram received on
 *       SOCKET, exit 0 after STOPPING=1 (1 after 30 s without it).
 *   gp-vm-client flush-events SECONDS
 *       an event reader that lives through unbinds (tests/vm/soak.sh):
 *       FLUSH_CACHES, poll, read the FLUSH_DONE, again and again.  Every
 *       event must carry its request's user_data, in order; ENODEV (open
 *       while unbound, the ioctl, read after POLLERR|POLLHUP) means reopen,
 *       and a file that saw it must give ENODEV once more; anything else,
 *       or no event within 10 s of its request, is unexpected.  Stops early
 *       at GP_HAMMER_STOP_FILE.  Exit 1 on anything unexpected or when no
 *       event arrived at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <xf86drm.h>

#include <gpuproto.h>

#include <gpu-proto/gpu_proto_drm.h>

static const char *device = "/dev/gpu-proto";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct hammer {
	double until;
	long ok, enodev, reopen_failed;
	atomic_long bad;
};

static bool core_only;
static const char *stop_file;	/* GP_HAMMER_STOP_FILE: stop early once it exists */

static int one_ioctl(int fd, unsigned int which)
{
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };
	struct gpu_proto_mali_gpu_info info;
	struct gpu_proto_mali_timestamp_info ts;
	struct gpu_proto_mali_dev_query q = { .type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO,
					       .size = sizeof(info), .pointer = (uintptr_t)&info };
	char name[16];
	struct gpu_proto_version v = { .name_len = sizeof(name), .name = name };
	int r;

	if (core_only)
		which = which % 2 ? 0 : 3;
	switch (which % 4) {
	case 0:
		r = ioctl(fd, GPU_PROTO_IOCTL_GET_CAP, &cap);
		break;
	case 1:
		r = ioctl(fd, GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q);
		break;
	case 2:
		q = (struct gpu_proto_mali_dev_query){ .type = GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO,
						       .size = sizeof(ts), .pointer = (uintptr_t)&ts };
		r = ioctl(fd, GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q);
		break;
	default:
		r = ioctl(fd, GPU_PROTO_IOCTL_VERSION, &v);
		break;
	}
	return r < 0 ? -errno : 0;
}

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	unsigned int i = 0;
	bool dead = false;
	int fd = open(device, O_RDWR | O_CLOEXEC);

	while (now_s() < h->until && !(stop_file && (i & 63) == 0 && access(stop_file, F_OK) == 0)) {
		int r;

		if (fd < 0) {
			/* Unbound right now: wait for the rebind. */
			usleep(20000);
			fd = open(device, O_RDWR | O_CLOEXEC);
			if (fd < 0 && errno != ENODEV) {
				fprintf(stderr, "open: %s\n", strerror(errno));
				atomic_fetch_add(&h->bad, 1);
			}
			dead = false;
			continue;
		}
		r = one_ioctl(fd, i++);
		if (r == 0) {
			if (dead) {
				fprintf(stderr, "an ioctl succeeded on a file that had seen ENODEV\n");
				atomic_fetch_add(&h->bad, 1);
			}
			__atomic_fetch_add(&h->ok, 1, __ATOMIC_RELAXED);
		} else if (r == -ENODEV) {
			__atomic_fetch_add(&h->enodev, 1, __ATOMIC_RELAXED);
			/* Keep using it a little to check it stays dead, then reopen. */
			if (dead) {
				close(fd);
				fd = -1;
			}
			dead = true;
		} else {
			fprintf(stderr, "ioctl %u: unexpected %s\n", (i - 1) % 4, strerror(-r));
			atomic_fetch_add(&h->bad, 1);
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int hammer_process(double seconds, int threads)
{
	struct hammer h = { .until = now_s() + seconds };
	pthread_t t[64];

	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, hammer_thread, &h);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	printf("pid %d: %ld ok, %ld ENODEV, %ld unexpected\n", (int)getpid(), h.ok, h.enodev,
	       atomic_load(&h.bad));
	/* Revokes raced with these ioctls only if some of them saw ENODEV. */
	return atomic_load(&h.bad) || h.ok == 0 ? 1 : 0;
}

static int cmd_hammer(int argc, char **argv)
{
	double seconds;
	int threads, procs, failed = 0, status;

	if (argc != 3)
		return 2;
	seconds = atof(argv[0]);
	threads = atoi(argv[1]);
	procs = atoi(argv[2]);
	if (threads < 1 || threads > 64 || procs < 1)
		return 2;
	for (int p = 0; p < procs; p++) {
		if (fork() == 0) {
			int r = hammer_process(seconds, threads);

			fflush(stdout);	/* _exit() does not flush stdio */
			_exit(r);
		}
	}
	for (int p = 0; p < procs; p++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	printf("hammer: %d of %d processes failed\n", failed, procs);
	return failed ? 1 : 0;
}

static int cmd_block_read(void)
{
	char buf[256];
	ssize_t n;
	int fd = open(device, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror("open");
		return 1;
	}
	printf("blocking in read\n");
	fflush(stdout);
	n = read(fd, buf, sizeof(buf));
	if (n >= 0) {
		printf("read returned %zd bytes, expected an error\n", n);
		return 1;
	}
	printf("read failed: %s (%s)\n", strerrorname_np(errno), strerror(errno));
	return 0;
}

static int cmd_libdrm(void)
{
	drmVersionPtr v;
	uint64_t value = 0;
	struct drm_get_cap cap = { .capability = DRM_CAP_DUMB_BUFFER };
	int fd = open(device, O_RDWR | O_CLOEXEC), failed = 0;

	if (fd < 0) {
		perror("open");
		return 1;
	}
	v = drmGetVersion(fd);
	if (!v || strcmp(v->name, "panthor") != 0 || v->version_major != 1) {
		printf("drmGetVersion: %s\n", v ? v->name : strerror(errno));
		failed = 1;
	} else {
		printf("drmGetVersion: %s %d.%d.%d date '%s' desc '%s'\n", v->name, v->version_major,
		       v->version_minor, v->version_patchlevel, v->date, v->desc);
	}
	drmFreeVersion(v);
	if (drmGetCap(fd, DRM_CAP_TIMESTAMP_MONOTONIC, &value) != 0 || value != 1) {
		printf("drmGetCap(TIMESTAMP_MONOTONIC): %s, value %llu\n", strerror(errno),
		       (unsigned long long)value);
		failed = 1;
	} else {
		printf("drmGetCap(TIMESTAMP_MONOTONIC) = 1\n");
	}
	if (drmIoctl(fd, DRM_IOCTL_GET_CAP, &cap) != -1 || errno != EOPNOTSUPP) {
		printf("drmIoctl(GET_CAP DUMB_BUFFER): expected EOPNOTSUPP, got %s\n", strerror(errno));
		failed = 1;
	} else {
		printf("drmIoctl(GET_CAP DUMB_BUFFER): EOPNOTSUPP\n");
	}
	close(fd);
	return failed;
}

static int cmd_open_expect(const char *name)
{
	int fd = open(device, O_RDWR | O_CLOEXEC);
	const char *got = fd < 0 ? strerrorname_np(errno) : "success";

	if (fd >= 0)
		close(fd);
	printf("open %s: %s (expected %s)\n", device, got, name);
	return strcmp(got, name) == 0 ? 0 : 1;
}

static int cmd_poll_hup(void)
{
	int fd = open(device, O_RDWR | O_CLOEXEC);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n;

	if (fd < 0) {
		perror("open");
		return 1;
	}
	printf("polling\n");
	fflush(stdout);
	n = poll(&pfd, 1, 20000);
	printf("poll: %d, revents 0x%x\n", n, n > 0 ? pfd.revents : 0);
	close(fd);
	return n == 1 && (pfd.revents & (POLLERR | POLLHUP)) == (POLLERR | POLLHUP) ? 0 : 1;
}

static int cmd_gpc_events(void)
{
	struct gpu_proto_mali_event_flush_done ev;
	struct gpc_device *dev = NULL;
	int r;

	r = gpc_open(device, 0, &dev);
	if (r < 0) {
		printf("gpc_open: %s\n", strerror(-r));
		return 1;
	}
	r = gpc_mali_flush_caches(dev, 0x5eed);
	if (r == 0)
		r = gpc_read_event(dev, &ev, sizeof(ev), 10000);
	gpc_close(dev);
	if (r != (int)sizeof(ev) || ev.base.type != GPU_PROTO_MALI_EVENT_FLUSH_DONE ||
	    ev.user_data != 0x5eed) {
		printf("gpc_read_event: %d (%s)\n", r, r < 0 ? strerror(-r) : "wrong event");
		return 1;
	}
	printf("libgpuproto: FLUSH_DONE user_data 0x%llx\n", (unsigned long long)ev.user_data);
	return 0;
}

static int cmd_edu_irq(void)
{
	struct gpu_proto_edu_info info = { 0 };
	struct gpu_proto_edu_raise_irq req = { .user_data = 0xed0, .status = 0x4 };
	struct gpu_proto_edu_event_irq ev;
	int fd = open(device, O_RDWR | O_CLOEXEC);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (fd < 0 || ioctl(fd, GPU_PROTO_IOCTL_EDU_INFO, &info) < 0) {
		printf("EDU_INFO: %s\n", strerror(errno));
		return 1;
	}
	printf("edu: id 0x%08x liveness 0x%08x\n", info.id, info.liveness);
	if (info.id != 0x010000ed || info.liveness != ~0x12345678u)
		return 1;
	if (ioctl(fd, GPU_PROTO_IOCTL_EDU_RAISE_IRQ, &req) < 0) {
		printf("EDU_RAISE_IRQ: %s\n", strerror(errno));
		return 1;
	}
	if (poll(&pfd, 1, 10000) != 1 || read(fd, &ev, sizeof(ev)) != sizeof(ev)) {
		printf("no interrupt event within 10 s: %s\n", strerror(errno));
		return 1;
	}
	printf("edu: interrupt event type 0x%x user_data 0x%llx status 0x%x\n", ev.base.type,
	       (unsigned long long)ev.user_data, ev.status);
	close(fd);
	return ev.base.type == GPU_PROTO_EDU_EVENT_IRQ && ev.user_data == 0xed0 &&
	       (ev.status & 0x4) ? 0 : 1;
}

static int cmd_notify_listen(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[1024];
	double until = now_s() + 30;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		perror("bind");
		return 1;
	}
	while (now_s() < until) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 500) != 1)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
			printf("notify: %s\n", line);
		fflush(stdout);
		if (strstr(buf, "STOPPING=1"))
			return 0;
	}
	printf("notify: no STOPPING=1 within 30 s\n");
	return 1;
}

struct flush_events {
	long flushes, events, enodev, opens, opens_enodev, bad;
};

static void flush_events_bad(struct flush_events *fe, const char *what, int err)
{
	fe->bad++;
	if (fe->bad <= 10)
		printf("flush-events: %s: %s\n", what, err ? strerrorname_np(err) : "wrong");
}

/* A file that saw ENODEV: one more request must get ENODEV too. */
static void flush_events_check_dead(struct flush_events *fe, int fd)
{
	struct gpu_proto_mali_flush_caches req = { .user_data = 0xdead };

	if (ioctl(fd, GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES, &req) == 0)
		flush_events_bad(fe, "FLUSH_CACHES succeeded on a file that had seen ENODEV", 0);
	else if (errno != ENODEV)
		flush_events_bad(fe, "FLUSH_CACHES on a dead file", errno);
}

/* One request and its event; false when the file is dead (or broken) and must be reopened. */
static bool flush_events_one(struct flush_events *fe, int fd, uint64_t user_data)
{
	struct gpu_proto_mali_flush_caches req = { .user_data = user_data };
	struct gpu_proto_mali_event_flush_done ev;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	if (ioctl(fd, GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES, &req) < 0) {
		if (errno != ENODEV) {
			flush_events_bad(fe, "FLUSH_CACHES", errno);
			return false;
		}
		fe->enodev++;
		flush_events_check_dead(fe, fd);
		return false;
	}
	fe->flushes++;
	r = poll(&pfd, 1, 10000);
	if (r != 1) {
		flush_events_bad(fe, r == 0 ? "no FLUSH_DONE and no hang-up within 10 s" : "poll",
				 r == 0 ? ETIMEDOUT : errno);
		return false;
	}
	if (pfd.revents & (POLLERR | POLLHUP)) {
		/* Revoked before the completion came: the request dies with the device. */
		if ((pfd.revents & (POLLERR | POLLHUP)) != (POLLERR | POLLHUP))
			flush_events_bad(fe, "poll: POLLERR without POLLHUP or the reverse", 0);
		n = read(fd, &ev, sizeof(ev));
		if (n >= 0 || errno != ENODEV)
			flush_events_bad(fe, "read after POLLHUP", n >= 0 ? 0 : errno);
		fe->enodev++;
		flush_events_check_dead(fe, fd);
		return false;
	}
	n = read(fd, &ev, sizeof(ev));
	if (n < 0 && errno == ENODEV) {
		fe->enodev++;
		flush_events_check_dead(fe, fd);
		return false;
	}
	if (n != (ssize_t)sizeof(ev)) {
		flush_events_bad(fe, "read of FLUSH_DONE", n < 0 ? errno : 0);
		return false;
	}
	if (ev.base.type != GPU_PROTO_MALI_EVENT_FLUSH_DONE || ev.base.length != sizeof(ev) ||
	    ev.user_data != user_data) {
		flush_events_bad(fe, "FLUSH_DONE type, length or user_data", 0);
		return false;
	}
	fe->events++;
	return true;
}

static int cmd_flush_events(int argc, char **argv)
{
	struct flush_events fe = { 0 };
	uint64_t user_data = 1;
	double until;
	int fd = -1;

	if (argc != 1)
		return 2;
	until = now_s() + atof(argv[0]);
	while (now_s() < until && !(stop_file && access(stop_file, F_OK) == 0)) {
		if (fd < 0) {
			fd = open(device, O_RDWR | O_CLOEXEC);
			if (fd < 0) {
				/* Unbound right now: wait for the rebind. */
				if (errno == ENODEV)
					fe.opens_enodev++;
				else
					flush_events_bad(&fe, "open", errno);
				usleep(20000);
				continue;
			}
			fe.opens++;
		}
		if (!flush_events_one(&fe, fd, user_data++)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	printf("flush-events: %ld flushes, %ld events, %ld ENODEV, %ld opens (%ld ENODEV), %ld unexpected\n",
	       fe.flushes, fe.events, fe.enodev, fe.opens, fe.opens_enodev, fe.bad);
	return fe.bad || fe.events == 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *env = getenv("GP_DEVICE");

	if (env)
		device = env;
	stop_file = getenv("GP_HAMMER_STOP_FILE");
	env = getenv("GP_HAMMER_CORE");
	core_only = env && strcmp(env, "1") == 0;
	if (argc >= 2 && strcmp(argv[1], "hammer") == 0)
		return cmd_hammer(argc - 2, argv + 2);
	if (argc == 2 && strcmp(argv[1], "block-read") == 0)
		return cmd_block_read();
	if (argc == 2 && strcmp(argv[1], "libdrm") == 0)
		return cmd_libdrm();
	if (argc == 3 && strcmp(argv[1], "open-expect") == 0)
		return cmd_open_expect(argv[2]);
	if (argc == 2 && strcmp(argv[1], "poll-hup") == 0)
		return cmd_poll_hup();
	if (argc == 2 && strcmp(argv[1], "gpc-events") == 0)
		return cmd_gpc_events();
	if (argc == 2 && strcmp(argv[1], "edu-irq") == 0)
		return cmd_edu_irq();
	if (argc == 3 && strcmp(argv[1], "notify-listen") == 0)
		return cmd_notify_listen(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "flush-events") == 0)
		return cmd_flush_events(argc - 2, argv + 2);
	fprintf(stderr, "usage: gp-vm-client hammer SECONDS THREADS PROCS | block-read | libdrm | "
			"open-expect ERRNO-NAME | poll-hup | gpc-events | edu-irq | notify-listen SOCKET | "
			"flush-events SECONDS\n");
	return 2;
}
