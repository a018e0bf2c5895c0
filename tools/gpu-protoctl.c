// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-protoctl: talk to gpu-protod's control socket.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define GP_CONTROL_DEFAULT_PATH "/run/gpu-protod/control"

enum {
	EXIT_DAEMON_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_CONNECT = 3,
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: gpu-protoctl [--control=PATH] COMMAND\n"
		"\n"
		"Control a running gpu-protod.\n"
		"\n"
		"Commands:\n"
		"  status    device, registration state, open files, ioctl and round-trip counts\n"
		"  unbind    hot-unbind: revoke the device (open files get ENODEV)\n"
		"  bind      probe again into a fresh device\n"
		"\n"
		"Options:\n"
		"  -c, --control=PATH  control socket (default: " GP_CONTROL_DEFAULT_PATH ")\n"
		"  -h, --help          show this help and exit\n"
		"      --version       show the version and exit\n"
		"\n"
		"Exit status: 0 ok, 1 the daemon refused, 2 usage, 3 cannot reach the daemon.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "control", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *path = GP_CONTROL_DEFAULT_PATH, *cmd;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[4096];
	size_t got = 0;
	ssize_t n;
	int c, fd;

	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("gpu-protoctl 0.1.0\n");
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try 'gpu-protoctl --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "gpu-protoctl: expected one command (status, unbind, bind)\n");
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "status") && strcmp(cmd, "unbind") && strcmp(cmd, "bind")) {
		fprintf(stderr, "gpu-protoctl: unknown command '%s' (status, unbind, bind)\n", cmd);
		return EXIT_USAGE;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "gpu-protoctl: %s: path too long\n", path);
		return EXIT_USAGE;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "gpu-protoctl: connect %s: %s (is gpu-protod running? are you root?)\n",
			path, strerror(errno));
		return EXIT_CONNECT;
	}
	snprintf(buf, sizeof(buf), "%s\n", cmd);
	if (write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf)) {
		fprintf(stderr, "gpu-protoctl: write %s: %s\n", path, strerror(errno));
		close(fd);
		return EXIT_CONNECT;
	}
	/* The daemon replies and closes. */
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';

	if (strncmp(buf, "ok\n", 3) == 0) {
		fputs(buf + 3, stdout);
		return EXIT_SUCCESS;
	}
	if (strncmp(buf, "error ", 6) == 0) {
		fprintf(stderr, "gpu-protoctl: %s: %s", cmd, buf + 6);
		return EXIT_DAEMON_ERROR;
	}
	fprintf(stderr, "gpu-protoctl: %s: no valid reply from %s\n", cmd, path);
	return EXIT_CONNECT;
}
