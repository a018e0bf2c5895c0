// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-proto-cuse-minimal: the floor for gpu-protod's CUSE figures.
 *
 *   gpu-proto-cuse-minimal [DEVNAME]     serve /dev/DEVNAME (default
 *                                        gpu-proto-minimal) until SIGTERM/SIGINT
 *
 * The smallest libfuse3 CUSE server that answers the two ioctls
 * gpu-proto-bench-cuse times, with the same round trips gpu-protod needs
 * over the unrestricted-ioctl retry protocol (shared/reference/cuse.md):
 *
 *   GPU_PROTO_IOCTL_GET_CAP: 2 round trips (retry for the struct, reply);
 *   GPU_PROTO_IOCTL_MALI_DEV_QUERY, type GPU_INFO, pointer != 0: 3 round
 *   trips (retry for the struct, retry for the struct and the result
 *   buffer, reply with both).
 *
 * The answers are static: no dispatcher, no guard, no driver, no staging
 * buffer; only the protocol and libfuse's loop, configured as gpu-protod
 * configures it (4 worker threads, all kept idle).  What gpu-protod costs
 * beyond this is what its own code adds.
 *
 * Round trips are counted here so the client can print them measured, not
 * assumed: a read() of the node returns "ioctls=N\nioctl_round_trips=M\n",
 * the keys of gpu-protod's control-socket status.  A read is not an ioctl,
 * so asking does not move the counts.  They are also printed on exit.
 */
#define FUSE_USE_VERSION 312

#include <cuse_lowlevel.h>
#include <errno.h>
#include <fuse_lowlevel.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <gpu-proto/gpu_proto_drm.h>

#define GP_MINIMAL_DEFAULT_DEVNAME	"gpu-proto-minimal"
/* As gpu-protod's default --threads. */
#define GP_MINIMAL_THREADS		4

/* Every callback adds a round trip; every final answer an ioctl. */
static atomic_uint_fast64_t gp_minimal_round_trips, gp_minimal_ioctls;

/* A plausible Mali-G610 (arch 10.8) identity; the client only checks gpu_id != 0. */
static const struct gpu_proto_mali_gpu_info gp_minimal_gpu_info = {
	.gpu_id = 0xa8670000u,
	.l2_features = 0x07110206u,
	.mmu_features = 0x00002830u,
	.max_threads = 2048,
	.thread_max_workgroup_size = 1024,
	.thread_max_barrier_size = 1024,
	.coherency_features = 1u << GPU_PROTO_MALI_GPU_COHERENCY_ACE_LITE,
	.as_present = 0xff,
	.selected_coherency = GPU_PROTO_MALI_GPU_COHERENCY_NONE,
	.shader_present = 0x50005,
	.l2_present = 0x1,
	.tiler_present = 0x1,
};

static void gp_minimal_reply(fuse_req_t req, int error, const struct iovec *iov, int count)
{
	atomic_fetch_add(&gp_minimal_ioctls, 1);
	if (error)
		fuse_reply_err(req, error);
	else
		fuse_reply_ioctl_iov(req, 0, iov, count);
}

static void gp_minimal_get_cap(fuse_req_t req, void *arg, const void *in_buf, size_t in_bufsz,
			       size_t out_bufsz)
{
	struct iovec iov = { .iov_base = arg, .iov_len = sizeof(struct gpu_proto_get_cap) };
	struct gpu_proto_get_cap cap;

	if (in_bufsz < sizeof(cap) || out_bufsz < sizeof(cap)) {
		fuse_reply_ioctl_retry(req, &iov, 1, &iov, 1);
		return;
	}
	memcpy(&cap, in_buf, sizeof(cap));
	if (cap.capability != GPU_PROTO_CAP_TIMESTAMP_MONOTONIC) {
		gp_minimal_reply(req, EINVAL, NULL, 0);
		return;
	}
	cap.value = 1;
	iov = (struct iovec){ .iov_base = &cap, .iov_len = sizeof(cap) };
	gp_minimal_reply(req, 0, &iov, 1);
}

static void gp_minimal_dev_query(fuse_req_t req, void *arg, const void *in_buf, size_t in_bufsz,
				 size_t out_bufsz)
{
	struct gpu_proto_mali_dev_query q;
	struct iovec in = { .iov_base = arg, .iov_len = sizeof(q) };
	struct iovec out[2] = { in };
	size_t info_len;

	if (in_bufsz < sizeof(q) || out_bufsz < sizeof(q)) {
		fuse_reply_ioctl_retry(req, &in, 1, out, 1);
		return;
	}
	memcpy(&q, in_buf, sizeof(q));
	/* Only the benchmarked case; the rest of DEV_QUERY is not the floor's business. */
	if (q.type != GPU_PROTO_MALI_DEV_QUERY_GPU_INFO || !q.pointer ||
	    q.size < GPU_PROTO_MALI_GPU_INFO_MIN_SIZE) {
		gp_minimal_reply(req, EINVAL, NULL, 0);
		return;
	}
	info_len = q.size < sizeof(gp_minimal_gpu_info) ? q.size : sizeof(gp_minimal_gpu_info);
	out[1] = (struct iovec){ .iov_base = (void *)(uintptr_t)q.pointer, .iov_len = info_len };
	if (out_bufsz < sizeof(q) + info_len) {
		fuse_reply_ioctl_retry(req, &in, 1, out, 2);
		return;
	}
	out[0] = (struct iovec){ .iov_base = &q, .iov_len = sizeof(q) };
	out[1] = (struct iovec){ .iov_base = (void *)&gp_minimal_gpu_info, .iov_len = info_len };
	gp_minimal_reply(req, 0, out, 2);
}

static void gp_minimal_ioctl(fuse_req_t req, int cmd, void *arg, struct fuse_file_info *fi,
			     unsigned int flags, const void *in_buf, size_t in_bufsz,
			     size_t out_bufsz)
{
	atomic_fetch_add(&gp_minimal_round_trips, 1);
	if (flags & FUSE_IOCTL_COMPAT) {
		gp_minimal_reply(req, ENOTTY, NULL, 0);
		return;
	}
	/* libfuse 3.14 passes the command as int; the encoding is unsigned. */
	switch ((unsigned int)cmd) {
	case GPU_PROTO_IOCTL_GET_CAP:
		gp_minimal_get_cap(req, arg, in_buf, in_bufsz, out_bufsz);
		break;
	case GPU_PROTO_IOCTL_MALI_DEV_QUERY:
		gp_minimal_dev_query(req, arg, in_buf, in_bufsz, out_bufsz);
		break;
	default:
		gp_minimal_reply(req, ENOTTY, NULL, 0);
		break;
	}
}

static int gp_minimal_format_counts(char *buf, size_t len)
{
	return snprintf(buf, len, "ioctls=%" PRIuFAST64 "\nioctl_round_trips=%" PRIuFAST64 "\n",
			atomic_load(&gp_minimal_ioctls), atomic_load(&gp_minimal_round_trips));
}

/* The counters, as text; every read starts at the beginning (CUSE offsets are 0). */
static void gp_minimal_read(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi)
{
	char buf[128];
	int n = gp_minimal_format_counts(buf, sizeof(buf));

	fuse_reply_buf(req, buf, (size_t)n < size ? (size_t)n : size);
}

static void gp_minimal_open(fuse_req_t req, struct fuse_file_info *fi)
{
	/* As gpu-protod's open. */
	fi->nonseekable = 1;
	fi->direct_io = 1;
	fuse_reply_open(req, fi);
}

static const struct cuse_lowlevel_ops gp_minimal_ops = {
	.open = gp_minimal_open,
	.read = gp_minimal_read,
	.ioctl = gp_minimal_ioctl,
};

int main(int argc, char **argv)
{
	const char *devname = argc > 1 ? argv[1] : GP_MINIMAL_DEFAULT_DEVNAME;
	char devname_arg[128];
	const char *dev_info_argv[] = { devname_arg };
	const struct cuse_info ci = {
		.dev_info_argc = 1,
		.dev_info_argv = dev_info_argv,
		.flags = CUSE_UNRESTRICTED_IOCTL,
	};
	/* -f: stay in the foreground so the script can signal this very process. */
	char *args[] = { argv[0], (char *)"-f", NULL };
	struct fuse_loop_config *lc;
	struct fuse_session *se;
	int multithreaded, r;

	if (argc > 2 || !devname[0] || strchr(devname, '/') || strlen(devname) > 64 ||
	    devname[0] == '-') {
		fprintf(stderr, "Usage: gpu-proto-cuse-minimal [DEVNAME]\n"
			"Serves /dev/DEVNAME (default " GP_MINIMAL_DEFAULT_DEVNAME ") until "
			"SIGTERM: GET_CAP and DEV_QUERY(GPU_INFO)\nwith static answers; "
			"read() returns the ioctl and round-trip counts.\n");
		return 2;
	}
	snprintf(devname_arg, sizeof(devname_arg), "DEVNAME=%s", devname);

	/* Installs SIGTERM/SIGINT handlers that end the loop below. */
	se = cuse_lowlevel_setup(2, args, &ci, &gp_minimal_ops, &multithreaded, NULL);
	if (!se) {
		fprintf(stderr, "gpu-proto-cuse-minimal: cannot set up /dev/%s "
			"(is the cuse module loaded? modprobe cuse)\n", devname);
		return 1;
	}
	lc = fuse_loop_cfg_create();
	if (!lc) {
		cuse_lowlevel_teardown(se);
		fprintf(stderr, "gpu-proto-cuse-minimal: out of memory\n");
		return 1;
	}
	/* The loop gpu-protod runs: same worker limit, idle workers kept. */
	fuse_loop_cfg_set_max_threads(lc, GP_MINIMAL_THREADS);
	fuse_loop_cfg_set_idle_threads(lc, GP_MINIMAL_THREADS);
	r = fuse_session_loop_mt(se, lc);
	fuse_loop_cfg_destroy(lc);
	cuse_lowlevel_teardown(se);

	fprintf(stderr, "gpu-proto-cuse-minimal: ioctls=%" PRIuFAST64 " ioctl_round_trips=%" PRIuFAST64
		"\n", atomic_load(&gp_minimal_ioctls), atomic_load(&gp_minimal_round_trips));
	/* r > 0 is the signal that ended the loop: the normal way out. */
	if (r < 0) {
		fprintf(stderr, "gpu-proto-cuse-minimal: session loop: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
