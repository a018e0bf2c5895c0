// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-proto-run: run a command with libgpuproto-shim.so preloaded, so its
 * open("/dev/gpu-proto") reaches gpu-protod's socket transport.
 *
 * The shim is found next to this program in a build tree
 * (../libclient/libgpuproto-shim.so), else at its installed path, unless
 * $GPU_PROTO_SHIM names it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef GP_SHIM_INSTALLED
#define GP_SHIM_INSTALLED "/usr/local/lib/gpu-proto/libgpuproto-shim.so"
#endif

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: gpu-proto-run [--device PATH] [--socket PATH] COMMAND [ARG...]\n"
		"\n"
		"Run COMMAND with libgpuproto-shim.so preloaded: its opens of the device\n"
		"(default /dev/gpu-proto) go to gpu-protod's socket transport\n"
		"(default /run/gpu-protod/NAME.sock).\n"
		"\n"
		"  -d, --device=PATH   the device path the command opens (GPU_PROTO_DEVICE)\n"
		"  -s, --socket=PATH   the daemon's socket (GPU_PROTO_SOCKET)\n"
		"  -h, --help          show this help\n");
}

static int find_shim(char *buf, size_t len)
{
	const char *env = getenv("GPU_PROTO_SHIM");
	char self[PATH_MAX];
	ssize_t n;

	if (env && env[0]) {
		snprintf(buf, len, "%s", env);
		return access(buf, R_OK);
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		snprintf(buf, len, "%s/../libclient/libgpuproto-shim.so", dirname(self));
		if (access(buf, R_OK) == 0)
			return 0;
	}
	snprintf(buf, len, "%s", GP_SHIM_INSTALLED);
	return access(buf, R_OK);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char shim[PATH_MAX], *preload;
	const char *old;
	int c;

	/* '+': options after COMMAND belong to it. */
	while ((c = getopt_long(argc, argv, "+d:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			setenv("GPU_PROTO_DEVICE", optarg, 1);
			break;
		case 's':
			setenv("GPU_PROTO_SOCKET", optarg, 1);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (find_shim(shim, sizeof(shim)) < 0) {
		fprintf(stderr, "gpu-proto-run: %s: %s (set GPU_PROTO_SHIM)\n", shim, strerror(errno));
		return 1;
	}
	old = getenv("LD_PRELOAD");
	if (asprintf(&preload, "%s%s%s", shim, old && old[0] ? ":" : "", old ? old : "") < 0)
		return 1;
	setenv("LD_PRELOAD", preload, 1);
	free(preload);
	execvp(argv[optind], argv + optind);
	fprintf(stderr, "gpu-proto-run: %s: %s\n", argv[optind], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
