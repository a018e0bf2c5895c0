// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-proto-bench-socket-idle: what an idle socket connection costs the
 * daemon, and how much stack a connection thread needs.
 *
 *   gpu-proto-bench-socket-idle [--connections N] [--stalled N] [--no-stack]
 *
 * Runs the production socket frontend (gp_socket_new/start) in this
 * process on mali-csf bound to the mock through the daemon's binding code,
 * as test_socket does, and prints:
 *
 *   1. RSS: the process's VmRSS before and after opening N connections
 *      (default 1024, the default --socket-max-connections), each of which
 *      has made one GET_CAP and one POLL and then sits idle, and the
 *      difference per connection.  Client ends are raw sockets in this
 *      process (they add no user memory).  Kernel socket buffers are not
 *      RSS; /proc/meminfo's Slab difference is printed next to it.
 *   2. Stack: the smallest connection-thread stack (from a list of sizes)
 *      with which a child process survives a workload touching every path
 *      a connection thread runs: VERSION, GET_CAP, DEV_QUERY, FLUSH_CACHES
 *      and its event through a parked read, POLL, a 128 KiB ioctl payload,
 *      an oversized packet, a malformed request, and the stalled-client
 *      disconnect with its warning.  Run it in an ASan build for the
 *      sanitized figure.
 *   3. Latency: a well-behaved libgpuproto client's GET_CAP, median of
 *      batches, with no other client and with 100 (--stalled N) clients
 *      that parked a READ and flooded POLLs without reading until the
 *      daemon stopped reading them; the two kinds alternate batch by
 *      batch (ABBA order), and the ratio is printed.
 *
 * A benchmark, not a test: the figures are printed, never judged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>
#include <gpu-proto/gpu_proto_socket.h>
#include <gpuproto.h>

#include "binding.h"
#include "log.h"
#include "options.h"
#include "registration.h"
#include "socket.h"

#define NO_NODE "/nonexistent-gp-bench/gpu-proto"

struct server {
	struct gp_binding *binding;
	struct gp_binding_fds fds;
	struct gp_socket *sock;
	char dir[64], path[128];
	pthread_t irq_thread;
	int stop_efd;
};

/* gpu-protod's IRQ path: the interrupt eventfd -> gp_device_handle_irq(). */
static void *irq_main(void *arg)
{
	struct server *srv = arg;
	struct pollfd pfd[GP_BINDING_MAX_IRQS + 1];
	uint64_t count;

	for (;;) {
		pfd[0] = (struct pollfd){ .fd = srv->stop_efd, .events = POLLIN };
		for (unsigned int i = 0; i < srv->fds.num_irqs; i++)
			pfd[i + 1] = (struct pollfd){ .fd = srv->fds.irq_fds[i], .events = POLLIN };
		if (poll(pfd, srv->fds.num_irqs + 1, -1) < 0)
			continue;
		if (pfd[0].revents)
			return NULL;
		for (unsigned int i = 0; i < srv->fds.num_irqs; i++) {
			struct gp_device *dev;

			if (!(pfd[i + 1].revents & POLLIN) ||
			    read(pfd[i + 1].fd, &count, sizeof(count)) != sizeof(count))
				continue;
			dev = gp_binding_current_device(srv->binding);
			if (dev) {
				gp_device_handle_irq(dev, i);
				gp_device_put(&dev);
			}
		}
	}
}

static struct gp_device *current_device(void *ctx)
{
	return gp_binding_current_device(((struct server *)ctx)->binding);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "gpu-proto-bench-socket-idle: %s: %s\n", what, strerror(err));
	exit(2);
}

static void server_start(struct server *srv, unsigned int max_connections, size_t stack_size,
			 unsigned int stall_ms)
{
	char *argv[] = { (char *)"gpu-protod", NULL };
	struct gp_socket_config cfg = {
		.node = GP_NODE_RENDER, .current_device = current_device, .ctx = srv,
		.max_connections = max_connections, .max_per_uid = max_connections,
		.stack_size = stack_size, .stall_timeout_ms = stall_ms,
	};
	struct gp_binding_config bcfg;
	struct gp_options o;
	int r;

	if (gp_options_parse(1, argv, &o) != 0 || gp_options_binding_config(&o, &bcfg) != 0)
		die("options", EINVAL);
	r = gp_binding_new(&bcfg, &srv->binding);
	if (r == 0)
		r = gp_binding_bind(srv->binding, &srv->fds);
	if (r < 0)
		die("bind mali-csf on the mock", -r);
	srv->stop_efd = eventfd(0, EFD_CLOEXEC);
	if (srv->stop_efd < 0 || pthread_create(&srv->irq_thread, NULL, irq_main, srv) != 0)
		die("IRQ thread", errno);
	strcpy(srv->dir, "/tmp/gp-bench-socket-XXXXXX");
	if (!mkdtemp(srv->dir))
		die("mkdtemp", errno);
	snprintf(srv->path, sizeof(srv->path), "%s/gpu-proto.sock", srv->dir);
	cfg.path = srv->path;
	r = gp_socket_new(&cfg, &srv->sock);
	if (r == 0)
		r = gp_socket_start(srv->sock);
	if (r < 0)
		die("socket", -r);
	setenv("GPU_PROTO_SOCKET", srv->path, 1);
}

static void server_stop(struct server *srv)
{
	uint64_t one = 1;

	(void)!write(srv->stop_efd, &one, sizeof(one));
	pthread_join(srv->irq_thread, NULL);
	close(srv->stop_efd);
	gp_binding_unbind(srv->binding);
	gp_socket_free(&srv->sock);
	gp_binding_free(&srv->binding);
	rmdir(srv->dir);
}

/* --- raw client messages ---------------------------------------------- */

static int raw_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct gpsock_hdr hdr;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket", errno);
	strcpy(sun.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die("connect", errno);
	if (recv(fd, &hdr, sizeof(hdr), 0) != sizeof(hdr) || hdr.op != GPSOCK_OPENED || hdr.value)
		die("OPENED", hdr.value ? (int)hdr.value : EPROTO);
	return fd;
}

static struct gpsock_hdr raw_call(int fd, const void *req, size_t len)
{
	unsigned char buf[sizeof(struct gpsock_hdr) + 512];
	struct gpsock_hdr hdr = { 0 };
	ssize_t n;

	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		die("send", errno);
	do {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < (ssize_t)sizeof(hdr))
			die("recv", n < 0 ? errno : EPROTO);
		memcpy(&hdr, buf, sizeof(hdr));
	} while (hdr.op == GPSOCK_WAKE);
	return hdr;
}

/* GET_CAP over the retry protocol, and one POLL: what a client does first. */
static void raw_get_cap_and_poll(int fd)
{
	struct {
		struct gpsock_ioctl io;
		struct gpu_proto_get_cap arg;
	} req = {
		.io = { .hdr.op = GPSOCK_IOCTL, .arg = 0x1000, .cmd = GPU_PROTO_IOCTL_GET_CAP },
		.arg = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC },
	};
	struct gpsock_hdr poll_req = { .op = GPSOCK_POLL, .flags = GPSOCK_POLL_ARM };

	if (raw_call(fd, &req.io, sizeof(req.io)).op != GPSOCK_RETRY)
		die("GET_CAP round 1", EPROTO);
	req.io.in_len = req.io.out_len = sizeof(req.arg);
	if (raw_call(fd, &req, sizeof(req)).op != GPSOCK_DONE)
		die("GET_CAP round 2", EPROTO);
	if (raw_call(fd, &poll_req, sizeof(poll_req)).op != GPSOCK_MASK)
		die("POLL", EPROTO);
}

/* --- 1. RSS per idle connection ----------------------------------------- */

static long proc_kib(const char *file, const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

static void measure_idle(unsigned int n)
{
	struct rlimit rl;
	struct server srv;
	long rss0, rss1, slab0, slab1;
	int *fds = calloc(n, sizeof(*fds));

	/* Both ends of every connection live here: 3 fds each. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 3 * (rlim_t)n + 64) {
		rl.rlim_cur = rl.rlim_max < 3 * (rlim_t)n + 64 ? rl.rlim_max : 3 * (rlim_t)n + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	server_start(&srv, n, 0, 0);
	/* One connection first, so one-time costs (arenas, the driver) are in the baseline. */
	fds[0] = raw_connect(srv.path);
	raw_get_cap_and_poll(fds[0]);
	rss0 = proc_kib("/proc/self/status", "VmRSS:");
	slab0 = proc_kib("/proc/meminfo", "Slab:");
	for (unsigned int i = 1; i < n; i++) {
		fds[i] = raw_connect(srv.path);
		raw_get_cap_and_poll(fds[i]);
	}
	rss1 = proc_kib("/proc/self/status", "VmRSS:");
	slab1 = proc_kib("/proc/meminfo", "Slab:");
	printf("idle connections:           %u (each made GET_CAP and POLL, then idle)\n", n);
	printf("daemon RSS:                 %ld KiB with 1, %ld KiB with %u\n", rss0, rss1, n);
	printf("RSS per idle connection:    %.1f KiB (user memory: thread stack pages touched,\n"
	       "                            struct, malloc arenas)\n",
	       (double)(rss1 - rss0) / (n - 1));
	printf("kernel Slab per connection: %.1f KiB (machine-wide, noisy; both socket ends, eventfd,\n"
	       "                            the thread's kernel stack is not Slab)\n",
	       (double)(slab1 - slab0) / (n - 1));
	printf("total at %u connections:    %.1f MiB RSS above one connection\n", n,
	       (double)(rss1 - rss0) / 1024.0);
	for (unsigned int i = 0; i < n; i++)
		close(fds[i]);
	server_stop(&srv);
	free(fds);
}

/* --- 2. the stack a connection thread needs ---------------------------- */

static int workload(void)
{
	struct gpu_proto_mali_event_flush_done ev;
	struct gpu_proto_mali_gpu_info info;
	struct gpsock_hdr read_req = { .op = GPSOCK_READ, .value = 4096 };
	struct gpsock_hdr poll_req = { .op = GPSOCK_POLL };
	struct gpsock_hdr bogus = { .op = 999 };
	struct gpc_version *v;
	struct gpc_device *dev;
	struct pollfd pfd;
	unsigned char *big;
	uint64_t value;
	int fd;

	if (gpc_open(NO_NODE, 0, &dev) != 0 || gpc_get_version(dev, &v) != 0)
		return 10;
	gpc_version_free(v);
	if (gpc_get_cap(dev, GPU_PROTO_CAP_TIMESTAMP_MONOTONIC, &value) != 0 ||
	    gpc_mali_gpu_info(dev, &info) != 0 || gpc_mali_flush_caches(dev, 7) != 0 ||
	    gpc_read_event(dev, &ev, sizeof(ev), 10000) != (int)sizeof(ev))
		return 11;
	gpc_close(dev);

	fd = raw_connect(getenv("GPU_PROTO_SOCKET"));
	/* The largest packet accepted (an unknown ioctl with 128 KiB in), one too large, junk. */
	big = calloc(1, GPSOCK_MSG_MAX + 64);
	((struct gpsock_ioctl *)big)->hdr.op = GPSOCK_IOCTL;
	((struct gpsock_ioctl *)big)->cmd = GPU_PROTO_IOCTL_GET_CAP;
	((struct gpsock_ioctl *)big)->in_len = GPSOCK_MAX_XFER;
	((struct gpsock_ioctl *)big)->out_len = GPSOCK_MAX_XFER;
	raw_call(fd, big, GPSOCK_MSG_MAX);
	if (raw_call(fd, big, GPSOCK_MSG_MAX + 64).op != GPSOCK_ERR)
		return 12;
	free(big);
	if (raw_call(fd, &bogus, sizeof(bogus)).op != GPSOCK_ERR)
		return 13;
	/* Stall: a parked read, POLLs never read, until the daemon disconnects (and warns). */
	send(fd, &read_req, sizeof(read_req), MSG_NOSIGNAL);
	for (int i = 0; i < 100000; i++) {
		if (send(fd, &poll_req, sizeof(poll_req), MSG_NOSIGNAL | MSG_DONTWAIT) > 0)
			continue;
		if (errno != EAGAIN)
			break;
		/* Keep sending while the daemon takes requests: it stops when its queue is full. */
		pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
		if (poll(&pfd, 1, 50) == 0)
			break;
	}
	pfd = (struct pollfd){ .fd = fd, .events = 0 };
	if (poll(&pfd, 1, 10000) != 1)
		return 14;
	close(fd);
	return 0;
}

static int try_stack(size_t size)
{
	int status;
	pid_t pid;

	fflush(stdout);		/* or the child prints it again */
	pid = fork();

	if (pid < 0)
		die("fork", errno);
	if (pid == 0) {
		struct server srv;
		int r;

		/* The stall's warning is logged (part of the workload), to nowhere. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(20);
		gp_log_set_max_level(LOG_WARNING);
		server_start(&srv, 16, size, 50);
		r = workload();
		server_stop(&srv);
		_exit(r);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid", errno);
	return status;
}

static void measure_stack(void)
{
	/* 8 KiB is below glibc's PTHREAD_STACK_MIN: it shows the size is applied (refused). */
	static const size_t sizes[] = { 8, 16, 24, 32, 48, 64, 96, 128 };
	size_t smallest = 0;

	printf("connection-thread stack (workload in a child per size; default %u KiB):\n",
	       GP_SOCKET_DEFAULT_STACK_SIZE >> 10);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int status = try_stack(sizes[i] << 10);

		if (WIFSIGNALED(status))
			printf("  %4zu KiB: %s\n", sizes[i], strsignal(WTERMSIG(status)));
		else if (WEXITSTATUS(status))
			printf("  %4zu KiB: workload failed at step %d\n", sizes[i], WEXITSTATUS(status));
		else
			printf("  %4zu KiB: ok\n", sizes[i]);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !smallest)
			smallest = sizes[i];
	}
	if (smallest)
		printf("smallest that works: %zu KiB; default/smallest = %.1fx\n", smallest,
		       (double)(GP_SOCKET_DEFAULT_STACK_SIZE >> 10) / (double)smallest);
	else
		printf("no size worked\n");
}

/* --- 3. a good client's latency next to stalled ones -------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* @n clients that park a READ and send POLLs until the daemon reads no more. */
static void stall_clients(const char *path, int *fds, unsigned int n)
{
	struct gpsock_hdr read_req = { .op = GPSOCK_READ, .value = 4096 };
	struct gpsock_hdr poll_req = { .op = GPSOCK_POLL };
	bool more = true;

	for (unsigned int i = 0; i < n; i++) {
		fds[i] = raw_connect(path);
		if (send(fds[i], &read_req, sizeof(read_req), MSG_NOSIGNAL) != sizeof(read_req))
			die("READ", errno);
	}
	/* Round after round until no socket takes another request for 20 ms. */
	while (more) {
		more = false;
		for (unsigned int i = 0; i < n; i++)
			while (send(fds[i], &poll_req, sizeof(poll_req), MSG_NOSIGNAL | MSG_DONTWAIT) > 0)
				more = true;
		if (!more) {
			usleep(20 * 1000);
			for (unsigned int i = 0; i < n && !more; i++) {
				struct pollfd pfd = { .fd = fds[i], .events = POLLOUT };

				more = poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT);
			}
		}
	}
}

/* CPU time of the whole process (the daemon's threads and ours). */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void measure_latency(unsigned int n_stalled)
{
	enum { BATCHES = 40, ITERS = 500 };
	uint64_t ns[2][BATCHES / 2], value, t0;
	unsigned int count[2] = { 0, 0 };
	uint64_t cpu_stalled = 0;
	struct gp_transport_stats st;
	struct gpc_device *dev;
	struct server srv;
	int *fds = calloc(n_stalled, sizeof(*fds));

	/* Never disconnect: the stalled clients stay for their batches. */
	server_start(&srv, 1024, 0, 3600 * 1000);
	if (gpc_open(NO_NODE, 0, &dev) != 0)
		die("gpc_open", EIO);
	for (unsigned int b = 0; b < BATCHES; b++) {
		/* ABBA: none, stalled, stalled, none, ... */
		unsigned int kind = (b % 4 == 1 || b % 4 == 2);

		if (kind)
			stall_clients(srv.path, fds, n_stalled);
		/* Both kinds settle alike after their set-up or clean-up. */
		usleep(50 * 1000);
		if (b == 1) {
			/* The stalled clients' threads must sleep: CPU used while nothing else runs. */
			uint64_t c0 = cpu_ns();

			usleep(200 * 1000);
			cpu_stalled = cpu_ns() - c0;
		}
		for (unsigned int i = 0; i < ITERS / 10; i++)	/* warm-up */
			gpc_get_cap(dev, GPU_PROTO_CAP_TIMESTAMP_MONOTONIC, &value);
		t0 = now_ns();
		for (unsigned int i = 0; i < ITERS; i++)
			if (gpc_get_cap(dev, GPU_PROTO_CAP_TIMESTAMP_MONOTONIC, &value) != 0)
				die("GET_CAP", EIO);
		ns[kind][count[kind]++] = (now_ns() - t0) / ITERS;
		if (getenv("GP_BENCH_VERBOSE"))
			fprintf(stderr, "batch %u (%s): %.2f us\n", b, kind ? "stalled" : "none",
				ns[kind][count[kind] - 1] / 1000.0);
		if (kind) {
			for (unsigned int i = 0; i < n_stalled; i++)
				close(fds[i]);
			/* The next "none" batch starts once their threads are gone. */
			do {
				usleep(1000);
				gp_socket_get_stats(srv.sock, &st);
			} while (st.open_files > 1);
		}
	}
	gpc_close(dev);
	server_stop(&srv);
	free(fds);
	qsort(ns[0], count[0], sizeof(uint64_t), cmp_u64);
	qsort(ns[1], count[1], sizeof(uint64_t), cmp_u64);
	printf("GET_CAP over the socket, median of %u batches of %u each, kinds interleaved ABBA:\n",
	       count[0], ITERS);
	printf("  no other client:          %6.2f us\n", ns[0][count[0] / 2] / 1000.0);
	printf("  %3u stalled clients:      %6.2f us\n", n_stalled, ns[1][count[1] / 2] / 1000.0);
	printf("  ratio stalled/none:       %6.3fx\n",
	       (double)ns[1][count[1] / 2] / (double)ns[0][count[0] / 2]);
	printf("CPU used by the process in 200 ms with %u stalled clients and no other work: %.2f ms\n",
	       n_stalled, cpu_stalled / 1e6);
}

int main(int argc, char **argv)
{
	unsigned int n = GP_SOCKET_DEFAULT_MAX_CONNECTIONS, n_stalled = 100;
	int stack = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--connections") == 0 && i + 1 < argc)
			n = (unsigned int)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--stalled") == 0 && i + 1 < argc)
			n_stalled = (unsigned int)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--no-stack") == 0)
			stack = 0;
		else {
			fprintf(stderr, "usage: gpu-proto-bench-socket-idle [--connections N] "
				"[--stalled N] [--no-stack]\n");
			return 2;
		}
	}
	if (n < 2)
		n = 2;
	gp_log_set_max_level(LOG_WARNING);
	setenv("GPU_PROTO_DEVICE", NO_NODE, 1);
	measure_idle(n);
	if (stack)
		measure_stack();
	if (n_stalled)
		measure_latency(n_stalled);
	return 0;
}
