// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cuse_smoke - the smallest CUSE device that proves the VM tier end to end.
 *
 *   cuse_smoke server          serve /dev/gpu-proto-smoke in the foreground
 *                              until SIGTERM/SIGINT
 *   cuse_smoke client          open the node, check it is a character
 *                              device, run the echo ioctl and an unknown one
 *   cuse_smoke client-denied   opening the node must fail with EACCES (run
 *                              as an unprivileged user: CUSE nodes are 0600)
 *
 * The server answers one _IOWR ioctl through the unrestricted-ioctl retry
 * protocol (shared/reference/cuse.md): the first call carries no data, the
 * server asks for the struct in and out, the second call carries it.  It
 * stands for the daemon's CUSE frontend until that exists; test_cuse_smoke.sh
 * drives it inside the VM.
 */
#define FUSE_USE_VERSION 312

#include <cuse_lowlevel.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define SMOKE_DEVNAME "gpu-proto-smoke"
#define SMOKE_NODE "/dev/" SMOKE_DEVNAME

/* The server answers value -> ~value, so an untouched buffer cannot pass. */
struct smoke_echo {
	uint32_t value;
	uint32_t answer;
};

#define SMOKE_IOCTL_ECHO _IOWR('g', 0x01, struct smoke_echo)
#define SMOKE_IOCTL_UNKNOWN _IOWR('g', 0x7f, struct smoke_echo)

static void smoke_ioctl(fuse_req_t req, int cmd, void *arg,
			struct fuse_file_info *fi, unsigned int flags,
			const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	/* libfuse 3.14 passes the command as int; the encoding is unsigned. */
	unsigned int ucmd = (unsigned int)cmd;
	struct smoke_echo echo;

	if (flags & FUSE_IOCTL_COMPAT) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	if (ucmd != SMOKE_IOCTL_ECHO) {
		fuse_reply_err(req, ENOTTY);
		return;
	}
	if (in_bufsz < sizeof(echo) || out_bufsz < sizeof(echo)) {
		/* First round trip: tell the kernel what to copy in and out. */
		struct iovec iov = { .iov_base = arg, .iov_len = sizeof(echo) };

		fuse_reply_ioctl_retry(req, &iov, 1, &iov, 1);
		return;
	}
	memcpy(&echo, in_buf, sizeof(echo));
	echo.answer = ~echo.value;
	fuse_reply_ioctl(req, 0, &echo, sizeof(echo));
}

static void smoke_open(fuse_req_t req, struct fuse_file_info *fi)
{
	fuse_reply_open(req, fi);
}

static void smoke_init_done(void *userdata)
{
	fprintf(stderr, "cuse_smoke: %s registered\n", SMOKE_NODE);
}

static const struct cuse_lowlevel_ops smoke_ops = {
	.init_done = smoke_init_done,
	.open = smoke_open,
	.ioctl = smoke_ioctl,
};

static int smoke_server(const char *argv0)
{
	const char *dev_info[] = { "DEVNAME=" SMOKE_DEVNAME };
	const struct cuse_info ci = {
		.dev_info_argc = 1,
		.dev_info_argv = dev_info,
		.flags = CUSE_UNRESTRICTED_IOCTL,
	};
	/* -f: stay in the foreground so the test can kill this very process. */
	char *args[] = { (char *)argv0, (char *)"-f", NULL };
	struct fuse_loop_config *cfg;
	struct fuse_session *se;
	int multithreaded;
	int r;

	se = cuse_lowlevel_setup(2, args, &ci, &smoke_ops, &multithreaded, NULL);
	if (!se) {
		fprintf(stderr, "cuse_smoke: cuse_lowlevel_setup failed "
			"(is the cuse module loaded? modprobe cuse)\n");
		return 1;
	}
	cfg = fuse_loop_cfg_create();
	if (!cfg) {
		cuse_lowlevel_teardown(se);
		fprintf(stderr, "cuse_smoke: fuse_loop_cfg_create: out of memory\n");
		return 1;
	}
	fuse_loop_cfg_set_max_threads(cfg, 4);
	/* Returns the signal number when SIGTERM/SIGINT ended the loop. */
	r = fuse_session_loop_mt(se, cfg);
	fuse_loop_cfg_destroy(cfg);
	cuse_lowlevel_teardown(se);
	if (r < 0) {
		fprintf(stderr, "cuse_smoke: session loop: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}

static int smoke_client(void)
{
	struct smoke_echo echo = { .value = 0x12345678u, .answer = 0 };
	struct stat st;
	int fd, r, failed = 0;

	if (stat(SMOKE_NODE, &st) < 0) {
		fprintf(stderr, "FAIL: stat %s: %s\n", SMOKE_NODE, strerror(errno));
		return 1;
	}
	if (!S_ISCHR(st.st_mode)) {
		fprintf(stderr, "FAIL: %s is not a character device\n", SMOKE_NODE);
		return 1;
	}
	fd = open(SMOKE_NODE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "FAIL: open %s: %s\n", SMOKE_NODE, strerror(errno));
		return 1;
	}

	r = ioctl(fd, SMOKE_IOCTL_ECHO, &echo);
	if (r != 0) {
		fprintf(stderr, "FAIL: echo ioctl returned %d: %s\n", r, strerror(errno));
		failed = 1;
	} else if (echo.answer != ~echo.value || echo.value != 0x12345678u) {
		fprintf(stderr, "FAIL: echo ioctl answered 0x%08x for 0x%08x, want 0x%08x\n",
			echo.answer, echo.value, ~echo.value);
		failed = 1;
	} else {
		printf("ok: echo ioctl 0x%08x -> 0x%08x\n", echo.value, echo.answer);
	}

	errno = 0;
	r = ioctl(fd, SMOKE_IOCTL_UNKNOWN, &echo);
	if (r != -1 || errno != ENOTTY) {
		fprintf(stderr, "FAIL: unknown ioctl gave %d (%s), want -1 ENOTTY\n",
			r, strerror(errno));
		failed = 1;
	} else {
		printf("ok: unknown ioctl -> ENOTTY\n");
	}

	close(fd);
	return failed;
}

static int smoke_client_denied(void)
{
	int fd = open(SMOKE_NODE, O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		fprintf(stderr, "FAIL: uid %u opened %s, want EACCES\n",
			(unsigned int)getuid(), SMOKE_NODE);
		return 1;
	}
	if (errno != EACCES) {
		fprintf(stderr, "FAIL: open %s as uid %u: %s, want EACCES\n",
			SMOKE_NODE, (unsigned int)getuid(), strerror(errno));
		return 1;
	}
	printf("ok: uid %u cannot open %s (EACCES)\n", (unsigned int)getuid(), SMOKE_NODE);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (strcmp(mode, "server") == 0)
		return smoke_server(argv[0]);
	if (strcmp(mode, "client") == 0)
		return smoke_client();
	if (strcmp(mode, "client-denied") == 0)
		return smoke_client_denied();
	fprintf(stderr, "usage: %s server|client|client-denied\n", argv[0]);
	return 2;
}
