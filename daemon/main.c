// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-protod: a user-space DRM-like GPU device daemon.
 *
 * Threads: this one runs the control plane (a libevent loop: signals, the
 * control socket, interrupt and removal fds, CUSE start-up); the CUSE
 * frontend runs libfuse's workers, which serve clients, or the socket
 * frontend its accepting and per-connection threads; backends may run
 * their own (the mock's timer).  Every bind, unbind and interrupt happens
 * here, so they are ordered without further locking.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "backend.h"
#include "binding.h"
#include "control.h"
#include "cuse.h"
#include "drivers.h"
#include "file.h"
#include "gem.h"
#include "inproc.h"
#include "log.h"
#include "mock.h"
#include "options.h"
#include "registration.h"
#include "socket.h"
#include "fdsock.h"
#include "fdtoken.h"

#define GP_EXIT_USAGE 2

/* How long the node may take to appear after CUSE_INIT was answered. */
#define GP_NODE_WAIT_MS 2000
#define GP_NODE_POLL_MS 10



struct gp_daemon {
	struct gp_options opt;
	struct event_base *base;
	struct gp_binding *binding;
	struct gp_cuse *cuse;
	struct gp_socket *socket;	/* instead of cuse: --transport=socket, or auto without /dev/cuse */
	char socket_path[PATH_MAX];
	struct gp_fdsock *fdsock;	/* memfds for FD_TOKEN tokens, with either transport */
	char fdsock_path[PATH_MAX];
	struct gp_control *control;
	struct event *signals[3];

	struct event *irq_ev[GP_BINDING_MAX_IRQS];
	unsigned int n_irq;
	struct event *removal_ev;
	struct event *removal_poll;	/* vfio-platform: sysfs fallback */
	struct event *rebind_timer;	/* --rebind=auto after a removal */
	bool rebind_failed_logged;

	/* Worker/loop threads hand CUSE start-up and session end to us through these. */
	int init_efd, ended_efd;
	struct event *init_ev, *ended_ev, *node_timer;
	unsigned int node_waited_ms;
	int session_error;

	int ready_fd;			/* to the waiting parent when daemonizing, else -1 */
	bool ready, stopping;
	int exit_code;
};

/* --- --dry-run: the bring-up without a node --- */

static int gp_dry_run_queries(struct gp_device *dev)
{
	const struct gp_caller caller = { .uid = getuid(), .gid = getgid(), .pid = getpid() };
	struct gp_inproc_caller *c = NULL;
	struct gp_file *file = NULL;
	char name[64] = "", desc[128] = "";
	struct gpu_proto_version v = {
		.name_len = sizeof(name) - 1, .name = name,
		.desc_len = sizeof(desc) - 1, .desc = desc,
	};
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };
	struct gpu_proto_mali_gpu_info info = { 0 };
	struct gpu_proto_mali_timestamp_info ts = { 0 };
	struct gpu_proto_mali_dev_query q;
	int r;

	r = gp_inproc_caller_new(GP_INPROC_RETRY, &c);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "in-process transport");
	gp_inproc_caller_map(c, &v, sizeof(v), GP_USER_IN | GP_USER_OUT);
	gp_inproc_caller_map(c, name, sizeof(name), GP_USER_OUT);
	gp_inproc_caller_map(c, desc, sizeof(desc), GP_USER_OUT);
	gp_inproc_caller_map(c, &cap, sizeof(cap), GP_USER_IN | GP_USER_OUT);
	gp_inproc_caller_map(c, &q, sizeof(q), GP_USER_IN | GP_USER_OUT);
	gp_inproc_caller_map(c, &info, sizeof(info), GP_USER_OUT);
	gp_inproc_caller_map(c, &ts, sizeof(ts), GP_USER_OUT);

	r = gp_file_open(dev, &caller, GP_NODE_RENDER, &file);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "open");
		goto out;
	}
	r = gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_VERSION, (uintptr_t)&v);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "VERSION");
		goto out;
	}
	printf("driver: %s %d.%d.%d (%s)\n", name, v.version_major, v.version_minor,
	       v.version_patchlevel, desc);

	r = gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_GET_CAP, (uintptr_t)&cap);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "GET_CAP");
		goto out;
	}
	printf("cap TIMESTAMP_MONOTONIC: %" PRIu64 "\n", (uint64_t)cap.value);

	q = (struct gpu_proto_mali_dev_query){
		.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .size = sizeof(info),
		.pointer = (uintptr_t)&info,
	};
	r = gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_MALI_DEV_QUERY, (uintptr_t)&q);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "DEV_QUERY(GPU_INFO)");
		goto out;
	}
	printf("gpu_id: 0x%08x (arch %u.%u r%up%u)\n", info.gpu_id,
	       GPU_PROTO_MALI_ARCH_MAJOR(info.gpu_id), GPU_PROTO_MALI_ARCH_MINOR(info.gpu_id),
	       GPU_PROTO_MALI_VERSION_MAJOR(info.gpu_id), GPU_PROTO_MALI_VERSION_MINOR(info.gpu_id));
	printf("shader_present: 0x%" PRIx64 "  l2_present: 0x%" PRIx64 "  tiler_present: 0x%" PRIx64 "\n",
	       (uint64_t)info.shader_present, (uint64_t)info.l2_present, (uint64_t)info.tiler_present);

	q = (struct gpu_proto_mali_dev_query){
		.type = GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO, .size = sizeof(ts),
		.pointer = (uintptr_t)&ts,
	};
	r = gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_MALI_DEV_QUERY, (uintptr_t)&q);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "DEV_QUERY(TIMESTAMP_INFO)");
		goto out;
	}
	printf("timestamp: %" PRIu64 " at %" PRIu64 " Hz\n", (uint64_t)ts.current_timestamp,
	       (uint64_t)ts.timestamp_frequency);
out:
	gp_file_close(&file);
	gp_inproc_caller_free(&c);
	return r;
}

static int gp_dry_run(const struct gp_options *o)
{
	struct gp_binding_config cfg;
	struct gp_binding *b = NULL;
	struct gp_binding_fds fds;
	struct gp_device *dev;
	int r;

	r = gp_options_binding_config(o, &cfg);
	if (r < 0)
		return r;
	r = gp_binding_new(&cfg, &b);
	if (r < 0)
		return r;
	r = gp_binding_bind(b, &fds);
	if (r == 0) {
		dev = gp_binding_current_device(b);
		r = gp_dry_run_queries(dev);
		gp_device_put(&dev);
	}
	/* The same path a hot-unbind takes. */
	gp_binding_free(&b);
	return r;
}

/* --- the control plane --- */

static void gp_daemon_unwatch(struct gp_daemon *d)
{
	for (unsigned int i = 0; i < d->n_irq; i++)
		event_free(d->irq_ev[i]);
	d->n_irq = 0;
	if (d->removal_ev)
		event_free(d->removal_ev);
	d->removal_ev = NULL;
	if (d->removal_poll)
		event_free(d->removal_poll);
	d->removal_poll = NULL;
}

/* The hot-unbind path, whoever asked: stop watching the fds first, then revoke. */
static int gp_daemon_unbind(struct gp_daemon *d)
{
	gp_daemon_unwatch(d);
	return gp_binding_unbind(d->binding);
}

static void gp_daemon_irq(evutil_socket_t fd, short what, void *arg)
{
	struct gp_daemon *d = arg;
	struct gp_device *dev;
	uint64_t count;
	unsigned int line;

	for (line = 0; line < d->n_irq; line++)
		if (event_get_fd(d->irq_ev[line]) == fd)
			break;
	if (read(fd, &count, sizeof(count)) != sizeof(count))
		return;		/* spurious wake-up: nothing pending */
	dev = gp_binding_current_device(d->binding);
	if (dev) {
		gp_device_handle_irq(dev, line);
		gp_device_put(&dev);
	}
}

static int gp_daemon_bind(struct gp_daemon *d);

/* --rebind=auto: once the bus device is back on its vfio driver, probe again. */
static void gp_daemon_rebind_tick(evutil_socket_t fd, short what, void *arg)
{
	struct gp_daemon *d = arg;
	int r;

	if (!gp_binding_device_present(d->binding))
		return;
	r = gp_daemon_bind(d);
	if (r == 0 || r == -EBUSY) {
		evtimer_del(d->rebind_timer);
		d->rebind_failed_logged = false;
		if (r == 0)
			gp_log_info("%s: the device is back: rebound", d->opt.driver);
	} else if (!d->rebind_failed_logged) {
		/* Keep trying, but say so once, not every tick. */
		gp_log_errno(LOG_WARNING, r, "%s: the device is back but the rebind failed; retrying",
			     d->opt.driver);
		d->rebind_failed_logged = true;
	}
}

static void gp_daemon_removed(evutil_socket_t fd, short what, void *arg)
{
	struct gp_daemon *d = arg;
	const struct timeval period = { .tv_usec = 250 * 1000 };

	/* A uevent about another device, or a spurious wake-up. */
	if (!gp_binding_removal_pending(d->binding))
		return;
	gp_log_warning("%s: the device is being removed from the bus: revoking", d->opt.driver);
	gp_daemon_unbind(d);
	if (d->opt.rebind_auto && strcmp(d->opt.backend, "mock") != 0 && d->rebind_timer)
		evtimer_add(d->rebind_timer, &period);
}

static int gp_daemon_bind(struct gp_daemon *d)
{
	struct gp_binding_fds fds;
	int r;

	r = gp_binding_bind(d->binding, &fds);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < fds.num_irqs; i++)
		d->irq_ev[d->n_irq++] = event_new(d->base, fds.irq_fds[i], EV_READ | EV_PERSIST,
						  gp_daemon_irq, d);
	if (fds.removal_fd >= 0)
		d->removal_ev = event_new(d->base, fds.removal_fd, EV_READ | EV_PERSIST,
					  gp_daemon_removed, d);
	for (unsigned int i = 0; i < d->n_irq; i++)
		if (!d->irq_ev[i] || event_add(d->irq_ev[i], NULL) < 0)
			goto fail;
	if (d->removal_ev && event_add(d->removal_ev, NULL) < 0)
		goto fail;
	/*
	 * vfio-platform has no request IRQ and kernels without the VFIO cdev
	 * send no uevent at the start of an unbind: poll the driver link too.
	 */
	if (strncmp(d->opt.backend, "vfio-platform:", 14) == 0 ||
	    strncmp(d->opt.backend, "vfio-amba:", 10) == 0) {
		const struct timeval second = { .tv_sec = 1 };

		d->removal_poll = event_new(d->base, -1, EV_PERSIST, gp_daemon_removed, d);
		if (!d->removal_poll || event_add(d->removal_poll, &second) < 0)
			goto fail;
	}
	return 0;
fail:
	gp_daemon_unbind(d);
	return gp_log_errno(LOG_ERR, ENOMEM, "cannot watch the device's interrupts");
}

static void gp_daemon_shutdown(struct gp_daemon *d, int exit_code)
{
	if (d->stopping)
		return;
	d->stopping = true;
	d->exit_code = exit_code;
	sd_notify(0, "STOPPING=1\nSTATUS=Stopping: revoking the device");
	/* Revoke first: in-flight ioctls finish, blocked readers get ENODEV. */
	gp_daemon_unbind(d);
	event_base_loopexit(d->base, NULL);
}

static void gp_daemon_signal(evutil_socket_t sig, short what, void *arg)
{
	struct gp_daemon *d = arg;

	gp_log_info("%s: shutting down", strsignal((int)sig));
	gp_daemon_shutdown(d, EXIT_SUCCESS);
}

static void gp_daemon_report_ready(struct gp_daemon *d, int error)
{
	char status = error ? 1 : 0;

	if (d->ready_fd < 0)
		return;
	if (write(d->ready_fd, &status, 1) != 1)
		gp_log_warning("cannot tell the parent process we are ready");
	close(d->ready_fd);
	d->ready_fd = -1;
}

static void gp_daemon_node_check(evutil_socket_t fd, short what, void *arg)
{
	struct gp_daemon *d = arg;
	const struct timeval step = { .tv_usec = GP_NODE_POLL_MS * 1000 };
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "/dev/%s", d->opt.devname);
	if (stat(path, &st) == 0 && S_ISCHR(st.st_mode)) {
		d->ready = true;
		gp_log_info("serving %s (char %u:%u)", path, major(st.st_rdev), minor(st.st_rdev));
		sd_notifyf(0, "READY=1\nSTATUS=Serving %s (%s on %s)", path, d->opt.driver,
			   d->opt.backend);
		gp_daemon_report_ready(d, 0);
		return;
	}
	d->node_waited_ms += GP_NODE_POLL_MS;
	if (d->node_waited_ms >= GP_NODE_WAIT_MS || d->session_error) {
		/* The kernel refuses a name that is taken and says so only in its log. */
		gp_log_error("%s did not appear after CUSE_INIT (is the name already taken by "
			     "another device? see dmesg)", path);
		gp_daemon_report_ready(d, 1);
		gp_daemon_shutdown(d, EXIT_FAILURE);
		return;
	}
	evtimer_add(d->node_timer, &step);
}

static void gp_daemon_init_done(evutil_socket_t fd, short what, void *arg)
{
	struct gp_daemon *d = arg;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) != sizeof(v) || d->ready)
		return;
	gp_daemon_node_check(-1, 0, d);
}

static void gp_daemon_session_ended(evutil_socket_t fd, short what, void *arg)
{
	struct gp_daemon *d = arg;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return;
	if (!d->ready) {
		/* The node check reports the failure. */
		d->session_error = 1;
		return;
	}
	gp_log_errno(LOG_ERR, d->session_error ? d->session_error : EIO,
		     "the CUSE session ended (aborted through /sys/class/cuse or /dev/cuse failed)");
	gp_daemon_shutdown(d, EXIT_FAILURE);
}

/* From CUSE worker and loop threads: hand over to the control plane. */
static struct gp_device *gp_daemon_cuse_device(void *ctx)
{
	struct gp_daemon *d = ctx;

	return gp_binding_current_device(d->binding);
}

static void gp_daemon_cuse_init_done(void *ctx)
{
	struct gp_daemon *d = ctx;
	uint64_t one = 1;

	if (write(d->init_efd, &one, sizeof(one)) != sizeof(one))
		gp_log_warning("cannot signal CUSE start-up");
}

static void gp_daemon_cuse_ended(void *ctx, int error)
{
	struct gp_daemon *d = ctx;
	uint64_t one = 1;

	d->session_error = error < 0 ? -error : error;
	if (write(d->ended_efd, &one, sizeof(one)) != sizeof(one))
		gp_log_warning("cannot signal the end of the CUSE session");
}

static int gp_daemon_control(void *ctx, const char *cmd, struct evbuffer *reply, char *msg,
			     size_t msglen)
{
	struct gp_daemon *d = ctx;
	struct gp_binding_status st;
	struct gp_transport_stats cs = { 0 };
	int r;

	if (strcmp(cmd, "status") == 0) {
		gp_binding_get_status(d->binding, &st);
		if (d->cuse)
			gp_cuse_get_stats(d->cuse, &cs);
		if (d->socket) {
			gp_socket_get_stats(d->socket, &cs);
			evbuffer_add_printf(reply,
					    "transport=socket\nsocket=%s\nsocket_max_connections=%u\n"
					    "socket_max_per_uid=%u\nconnections_refused=%" PRIu64
					    "\nclients_stalled=%" PRIu64 "\n",
					    d->socket_path, d->opt.socket_max_connections,
					    d->opt.socket_max_per_uid, cs.connections_refused,
					    cs.clients_stalled);
		} else {
			evbuffer_add_printf(reply, "transport=cuse\n");
		}
		if (d->fdsock) {
			struct gp_fdsock_stats fs;

			gp_fdsock_get_stats(d->fdsock, &fs);
			evbuffer_add_printf(reply,
					    "fd_socket=%s\nfd_exports=%" PRIu64 "\nfd_imports=%" PRIu64
					    "\nfd_failed=%" PRIu64 "\nfd_refused=%" PRIu64
					    "\nfd_timed_out=%" PRIu64 "\nfd_tokens=%u\n",
					    d->fdsock_path, fs.exports, fs.imports, fs.failed, fs.refused,
					    fs.timed_out, gp_fd_tokens_outstanding());
		}
		evbuffer_add_printf(reply,
				    "device=/dev/%s\ndriver=%s\nbackend=%s\nstate=%s\n"
				    "serial=%" PRIu64 "\nunique=%s\nopen_files=%" PRIu64 "\n"
				    "device_open_files=%u\nbinds=%u\nunbinds=%u\nopens=%" PRIu64 "\n"
				    "ioctls=%" PRIu64 "\nioctl_round_trips=%" PRIu64 "\n"
				    "round_trips_per_ioctl=%.2f\nreads=%" PRIu64 "\nreads_parked=%" PRIu64
				    "\npolls=%" PRIu64 "\nioctls_parked=%" PRIu64
				    "\nioctls_waiting=%" PRIu64 "\n",
				    d->opt.devname, d->opt.driver, d->opt.backend,
				    st.bound ? "bound" : "unbound", st.serial, st.unique, cs.open_files,
				    st.open_files, st.binds, st.unbinds, cs.opens, cs.ioctls,
				    cs.ioctl_round_trips,
				    cs.ioctls ? (double)cs.ioctl_round_trips / (double)cs.ioctls : 0.0,
				    cs.reads, cs.reads_parked, cs.polls, cs.ioctls_parked,
				    cs.ioctls_waiting);
		return 0;
	}
	if (strcmp(cmd, "unbind") == 0) {
		r = gp_daemon_unbind(d);
		if (r == -EALREADY)
			snprintf(msg, msglen, "no device is bound");
		else if (r == 0)
			evbuffer_add_printf(reply, "state=unbound\n");
		return r;
	}
	if (strcmp(cmd, "bind") == 0) {
		r = gp_daemon_bind(d);
		if (r == -EBUSY) {
			snprintf(msg, msglen, "a device is already bound; unbind first");
		} else if (r < 0) {
			snprintf(msg, msglen, "probe failed: %s", strerror(-r));
		} else {
			gp_binding_get_status(d->binding, &st);
			evbuffer_add_printf(reply, "state=bound\nserial=%" PRIu64 "\n", st.serial);
		}
		return r;
	}
	snprintf(msg, msglen, "unknown command '%.64s' (status, unbind, bind)", cmd);
	return -EINVAL;
}

/*
 * --transport=auto: CUSE when /dev/cuse opens (the probe's fd is closed;
 * gp_cuse_new() opens its own), otherwise the socket, and say why.
 */
static bool gp_daemon_use_socket(struct gp_daemon *d)
{
	int fd;

	if (d->opt.transport != GP_TRANSPORT_AUTO)
		return d->opt.transport == GP_TRANSPORT_SOCKET;
	fd = open("/dev/cuse", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	gp_log_info("no /dev/cuse (%s): serving over the socket %s instead", strerror(errno),
		    d->socket_path);
	return true;
}

/* The socket transport is ready as soon as it listens. */
static int gp_daemon_serve_socket(struct gp_daemon *d)
{
	struct gp_socket_config scfg = {
		.path = d->socket_path, .node = d->opt.node,
		.current_device = gp_daemon_cuse_device, .ctx = d,
		.max_connections = d->opt.socket_max_connections,
		.max_per_uid = d->opt.socket_max_per_uid,
	};
	int r;

	r = gp_options_socket_perm(&d->opt, &scfg.perm.uid, &scfg.perm.gid, &scfg.perm.mode);
	if (r < 0)
		return r;
	r = gp_socket_new(&scfg, &d->socket);
	if (r < 0)
		return r;
	r = gp_socket_start(d->socket);
	if (r < 0)
		return r;
	d->ready = true;
	gp_log_info("serving %s over the socket %s (clients: libgpuproto, or gpu-proto-run CMD)",
		    d->opt.devname, d->socket_path);
	sd_notifyf(0, "READY=1\nSTATUS=Serving %s over the socket %s (%s on %s)", d->opt.devname,
		   d->socket_path, d->opt.driver, d->opt.backend);
	gp_daemon_report_ready(d, 0);
	return 0;
}

/*
 * The fd socket, before either transport serves: a client that can open
 * the device can map its buffers from the start.  The node's permissions
 * and the socket transport's connection limits apply.
 */
static int gp_daemon_serve_fdsock(struct gp_daemon *d)
{
	struct gp_fdsock_config fcfg = {
		.path = d->fdsock_path,
		.max_connections = d->opt.socket_max_connections,
		.max_per_uid = d->opt.socket_max_per_uid,
	};
	int r;

	gp_options_fd_socket_path(&d->opt, d->fdsock_path, sizeof(d->fdsock_path));
	r = gp_options_socket_perm(&d->opt, &fcfg.perm.uid, &fcfg.perm.gid, &fcfg.perm.mode);
	if (r < 0)
		return r;
	r = gp_fdsock_new(&fcfg, &d->fdsock);
	if (r < 0)
		return r;
	r = gp_fdsock_start(d->fdsock);
	if (r < 0)
		return r;
	gp_log_info("buffer memfds for %s on the fd socket %s", d->opt.devname, d->fdsock_path);
	return 0;
}

static int gp_daemon_setup(struct gp_daemon *d)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct gp_binding_config bcfg;
	struct gp_cuse_config ccfg = {
		.devname = d->opt.devname, .max_threads = d->opt.threads, .node = d->opt.node,
		.current_device = gp_daemon_cuse_device, .init_done = gp_daemon_cuse_init_done,
		.session_ended = gp_daemon_cuse_ended, .ctx = d,
	};
	char path[PATH_MAX];
	bool use_socket;
	int r;

	gp_options_socket_path(&d->opt, d->socket_path, sizeof(d->socket_path));
	use_socket = gp_daemon_use_socket(d);
	d->base = event_base_new();
	if (!d->base)
		return gp_log_errno(LOG_ERR, ENOMEM, "libevent: cannot create the event loop");
	signal(SIGPIPE, SIG_IGN);
	for (unsigned int i = 0; i < 3; i++) {
		d->signals[i] = evsignal_new(d->base, sigs[i], gp_daemon_signal, d);
		if (!d->signals[i] || evsignal_add(d->signals[i], NULL) < 0)
			return gp_log_errno(LOG_ERR, ENOMEM, "libevent: cannot watch signals");
	}

	d->init_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d->ended_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->init_efd < 0 || d->ended_efd < 0)
		return gp_log_errno(LOG_ERR, errno, "eventfd");
	d->init_ev = event_new(d->base, d->init_efd, EV_READ | EV_PERSIST, gp_daemon_init_done, d);
	d->ended_ev = event_new(d->base, d->ended_efd, EV_READ | EV_PERSIST, gp_daemon_session_ended, d);
	d->node_timer = evtimer_new(d->base, gp_daemon_node_check, d);
	d->rebind_timer = event_new(d->base, -1, EV_PERSIST, gp_daemon_rebind_tick, d);
	if (!d->init_ev || !d->ended_ev || !d->node_timer || !d->rebind_timer ||
	    event_add(d->init_ev, NULL) < 0 ||
	    event_add(d->ended_ev, NULL) < 0)
		return gp_log_errno(LOG_ERR, ENOMEM, "libevent: cannot watch CUSE start-up");

	/*
	 * The kernel refuses a CUSE name that is taken only in its own log, and
	 * the other device's node would look like ours: check first.
	 */
	snprintf(path, sizeof(path), "/dev/%s", d->opt.devname);
	if (!use_socket && access(path, F_OK) == 0)
		return gp_log_errno(LOG_ERR, EEXIST, "%s already exists (another gpu-protod? use --devname)",
				    path);

	r = gp_options_binding_config(&d->opt, &bcfg);
	if (r < 0)
		return r;
	r = gp_binding_new(&bcfg, &d->binding);
	if (r < 0)
		return r;
	r = gp_daemon_bind(d);
	if (r < 0)
		return r;
	r = gp_control_new(d->base, d->opt.control, gp_daemon_control, d, &d->control);
	if (r < 0)
		return r;
	r = gp_daemon_serve_fdsock(d);
	if (r < 0)
		return r;
	if (use_socket)
		return gp_daemon_serve_socket(d);
	r = gp_cuse_new(&ccfg, &d->cuse);
	if (r < 0)
		return r;
	return gp_cuse_start(d->cuse);
}

static void gp_daemon_teardown(struct gp_daemon *d)
{
	gp_daemon_unwatch(d);
	if (d->binding)
		gp_binding_unbind(d->binding);
	/* After revoke: parked reads are answered, the node goes with the session. */
	gp_cuse_free(&d->cuse);
	gp_socket_free(&d->socket);
	/* After revoke, so tokens still pending fail with ENODEV until the socket goes. */
	gp_fdsock_free(&d->fdsock);
	gp_fd_tokens_clear();
	gp_control_free(&d->control);
	gp_binding_free(&d->binding);
	for (unsigned int i = 0; i < 3; i++)
		if (d->signals[i])
			event_free(d->signals[i]);
	if (d->init_ev)
		event_free(d->init_ev);
	if (d->ended_ev)
		event_free(d->ended_ev);
	if (d->node_timer)
		event_free(d->node_timer);
	if (d->rebind_timer)
		event_free(d->rebind_timer);
	if (d->init_efd >= 0)
		close(d->init_efd);
	if (d->ended_efd >= 0)
		close(d->ended_efd);
	if (d->base)
		event_base_free(d->base);
}

/*
 * Without --foreground: fork before any thread exists; the parent waits
 * until the child reports the node ready (exit 0) or failed (exit 1), so
 * "gpu-protod && use /dev/gpu-proto" works.
 */
static int gp_daemonize(int *ready_fd)
{
	int fds[2];
	pid_t pid;
	char status;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return gp_log_errno(LOG_ERR, errno, "pipe");
	pid = fork();
	if (pid < 0)
		return gp_log_errno(LOG_ERR, errno, "fork");
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &status, 1) != 1)
			status = 1;	/* the child died before it was ready */
		_exit(status ? EXIT_FAILURE : EXIT_SUCCESS);
	}
	close(fds[0]);
	setsid();
	if (chdir("/") < 0)
		return gp_log_errno(LOG_ERR, errno, "chdir /");
	*ready_fd = fds[1];
	return 0;
}

int main(int argc, char **argv)
{
	struct gp_daemon d = { .init_efd = -1, .ended_efd = -1, .ready_fd = -1 };
	int r;

	r = gp_options_parse(argc, argv, &d.opt);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : GP_EXIT_USAGE;
	/* Bad driver, backend or mock options are usage errors too: check them now. */
	if (gp_options_binding_config(&d.opt, &(struct gp_binding_config){ 0 }) < 0)
		return GP_EXIT_USAGE;
	/* So is a socket owner or group that does not exist (the default group may not). */
	if ((d.opt.socket_owner || d.opt.socket_group) &&
	    gp_options_socket_perm(&d.opt, &(uid_t){ 0 }, &(gid_t){ 0 }, &(mode_t){ 0 }) < 0)
		return GP_EXIT_USAGE;
	gp_gem_set_file_limits(d.opt.gem_max_handles, (uint64_t)d.opt.gem_max_mib << 20);
	if (d.opt.dry_run)
		return gp_dry_run(&d.opt) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

	if (!d.opt.foreground && gp_daemonize(&d.ready_fd) < 0)
		return EXIT_FAILURE;

	/*
	 * A daemon of a few MiB gains nothing from transparent huge pages,
	 * and with THP "always" khugepaged would inflate every worker stack
	 * it touched to 2 MiB.
	 */
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0)
		gp_log_errno(LOG_DEBUG, errno, "prctl(PR_SET_THP_DISABLE)");

	d.exit_code = EXIT_SUCCESS;
	r = gp_daemon_setup(&d);
	if (r < 0) {
		gp_daemon_report_ready(&d, 1);
		gp_daemon_teardown(&d);
		return EXIT_FAILURE;
	}
	event_base_dispatch(d.base);
	gp_daemon_teardown(&d);
	if (d.ready_fd >= 0)
		gp_daemon_report_ready(&d, 1);
	return d.exit_code;
}
