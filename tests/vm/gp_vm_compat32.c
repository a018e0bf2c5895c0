// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VM test: a 32-bit (i386) caller.  gpu-protod refuses every compat ioctl
 * with ENOTTY, since VERSION and GET_UNIQUE have other layouts in ILP32 and
 * nothing translates them; open and close still work.  Built -m32 -static.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

static int check(const char *what, unsigned long cmd, void *arg)
{
	int fd = open("/dev/gpu-proto", O_RDWR), r, err;

	if (fd < 0) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	r = ioctl(fd, cmd, arg);
	err = errno;
	close(fd);
	printf("32-bit %s (0x%08lx): %s\n", what, cmd, r < 0 ? strerror(err) : "success");
	return r < 0 && err == ENOTTY ? 0 : 1;
}

int main(void)
{
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };
	struct gpu_proto_version v = { 0 };
	int failed = 0;

	if (sizeof(void *) != 4) {
		printf("not a 32-bit build\n");
		return 1;
	}
	/* Same number as in LP64: refused all the same, for consistency. */
	failed |= check("GET_CAP", GPU_PROTO_IOCTL_GET_CAP, &cap);
	/* 36-byte ILP32 layout: a different number that must not be misread. */
	failed |= check("VERSION", GPU_PROTO_IOCTL_VERSION, &v);
	return failed;
}
