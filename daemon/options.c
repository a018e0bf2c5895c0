// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "control.h"
#include "drivers.h"
#include "gem.h"
#include "log.h"
#include "options.h"
#include "socket.h"

void gp_options_usage(FILE *out)
{
	fprintf(out,
		"Usage: gpu-protod [OPTIONS]\n"
		"\n"
		"User-space DRM-like GPU device daemon: serves /dev/NAME through CUSE, or an\n"
		"AF_UNIX socket where there is no /dev/cuse.\n"
		"\n"
		"Options:\n"
		"  -b, --backend=NAME       how registers are reached (default: mock):\n"
		"                             mock                  the in-process Mali-G610 model\n"
		"                             vfio-platform:DEVICE  e.g. vfio-platform:fb000000.gpu\n"
		"                             vfio-amba:DEVICE      e.g. vfio-amba:9010000.pl031\n"
		"                             vfio-pci:BDF          e.g. vfio-pci:0000:00:01.0\n"
		"  -d, --driver=NAME        chip personality: mali-csf, or the test-only qemu-edu,\n"
		"                           qemu-pl031, qemu-virtio-mmio (QEMU devices) (default:\n"
		"                           mali-csf)\n"
		"      --rebind=MODE        auto: probe again when a removed device comes back;\n"
		"                           manual: only on 'gpu-protoctl bind' (default: auto)\n"
		"  -n, --devname=NAME       CUSE device name, creates /dev/NAME (default: gpu-proto)\n"
		"  -t, --threads=N          maximum libfuse worker threads, 1-64 (default: 4)\n"
		"  -f, --foreground         stay in the foreground (without it, fork once\n"
		"                           /dev/NAME exists)\n"
		"  -c, --control=PATH       control socket (default: " GP_CONTROL_DEFAULT_PATH ")\n"
		"      --transport=MODE     cuse: /dev/NAME; socket: the socket below (clients\n"
		"                           through libgpuproto or gpu-proto-run); auto: CUSE\n"
		"                           when /dev/cuse opens, else the socket (default: auto)\n"
		"      --socket=PATH        the socket transport's socket\n"
		"                           (default: " GP_SOCKET_DIR "/NAME.sock)\n"
		"      --socket-owner=USER  owner of the socket (default: the daemon's user, root\n"
		"                           as udev makes the node's owner)\n"
		"      --socket-group=GROUP group of the socket (default: " GP_SOCKET_DEFAULT_GROUP ", as\n"
		"                           60-gpu-proto.rules gives the node)\n"
		"      --socket-mode=MODE   octal mode of the socket (default: 0660, the rule's);\n"
		"                           every connecting client is checked against the same\n"
		"                           owner, group and mode\n"
		"      --socket-max-connections=N\n"
		"                           connections the socket serves at once; more are\n"
		"                           refused with ENFILE (default: 1024, at most 65536)\n"
		"      --socket-max-per-uid=N\n"
		"                           connections of one user; more are refused with\n"
		"                           EMFILE (default: 128)\n"
		"      --gem-max-handles=N  buffer-object handles one open file may hold; more\n"
		"                           are refused with ENOSPC (default: 16384)\n"
		"      --gem-max-mib=N      MiB of buffer objects one open file may hold handles\n"
		"                           on; more are refused with ENOMEM (default: 16384)\n"
		"      --fd-socket=PATH     where clients redeem FD_TOKEN tokens for buffer\n"
		"                           memfds, with either transport; the socket's owner,\n"
		"                           group, mode and connection limits apply (default:\n"
		"                           the socket's path with .sock -> .fd.sock)\n"
		"      --node=TYPE          render or primary: permission semantics (default: render)\n"
		"      --mock-options=OPTS  mock model and fault injection, comma-separated:\n"
		"                           reset-delay-us=N, l2-power-delay-us=N, flush-delay-us=N,\n"
		"                           access-delay-ns=N, timestamp-start=N,\n"
		"                           reset-never-completes, l2-never-ready, dma-space=N,\n"
		"                           dma-map-fail-after=N, mmu-command-delay-us=N,\n"
		"                           csf-step-budget=N, csf-instr-delay-ns=N,\n"
		"                           mcu-never-boots, csf-ignore-csg-req\n"
		"      --dry-run            probe, answer VERSION/GET_CAP/DEV_QUERY in-process,\n"
		"                           print the results, revoke and exit (no node)\n"
		"      --log-level=LEVEL    err, warning, notice, info or debug (default: info)\n"
		"  -h, --help               show this help and exit\n"
		"      --version            show the version and exit\n"
		"\n"
		"CUSE needs /dev/cuse (modprobe cuse).  SIGTERM/SIGINT revoke the device and exit.\n"
		"See gpu-protod(8).\n");
}

static int gp_parse_log_level(const char *s)
{
	static const struct { const char *name; int level; } levels[] = {
		{ "err", LOG_ERR }, { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(s, levels[i].name) == 0)
			return levels[i].level;
	return -EINVAL;
}

static int gp_parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/* Permission bits only: set-id and sticky bits mean nothing on a socket. */
static int gp_parse_octal_mode(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || end == s || *end || s[0] == '-' || s[0] == '+' || v > 0777)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/* A decimal id, as chown(1) takes "1000" for a user without a name. */
static bool gp_parse_id(const char *s, unsigned int *out)
{
	return gp_parse_uint(s, 0, 0xfffffffeu, out) == 0;
}

int gp_options_parse(int argc, char **argv, struct gp_options *o)
{
	enum { OPT_MOCK = 0x100, OPT_DRY_RUN, OPT_LOG_LEVEL, OPT_VERSION, OPT_NODE, OPT_REBIND,
	       OPT_TRANSPORT, OPT_SOCKET, OPT_SOCKET_OWNER, OPT_SOCKET_GROUP, OPT_SOCKET_MODE,
	       OPT_SOCKET_MAX, OPT_SOCKET_MAX_UID, OPT_TEST_REMOVAL, OPT_GEM_MAX_HANDLES,
	       OPT_GEM_MAX_MIB, OPT_FD_SOCKET };
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "driver", required_argument, NULL, 'd' },
		{ "devname", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "control", required_argument, NULL, 'c' },
		{ "node", required_argument, NULL, OPT_NODE },
		{ "rebind", required_argument, NULL, OPT_REBIND },
		{ "transport", required_argument, NULL, OPT_TRANSPORT },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "fd-socket", required_argument, NULL, OPT_FD_SOCKET },
		{ "socket-owner", required_argument, NULL, OPT_SOCKET_OWNER },
		{ "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
		{ "socket-mode", required_argument, NULL, OPT_SOCKET_MODE },
		{ "socket-max-connections", required_argument, NULL, OPT_SOCKET_MAX },
		{ "socket-max-per-uid", required_argument, NULL, OPT_SOCKET_MAX_UID },
		{ "gem-max-handles", required_argument, NULL, OPT_GEM_MAX_HANDLES },
		{ "gem-max-mib", required_argument, NULL, OPT_GEM_MAX_MIB },
		{ "mock-options", required_argument, NULL, OPT_MOCK },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "test-removal", required_argument, NULL, OPT_TEST_REMOVAL },
		{ 0 },
	};
	int c, level;

	/* 0 makes glibc's getopt start over, for callers that parse twice. */
	optind = 0;
	*o = (struct gp_options){
		.backend = "mock", .driver = "mali-csf", .devname = "gpu-proto",
		.control = GP_CONTROL_DEFAULT_PATH, .threads = 4, .node = GP_NODE_RENDER,
		.rebind_auto = true, .socket_mode = GP_SOCKET_DEFAULT_MODE,
		.socket_max_connections = GP_SOCKET_DEFAULT_MAX_CONNECTIONS,
		.socket_max_per_uid = GP_SOCKET_DEFAULT_MAX_PER_UID,
		.gem_max_handles = GP_GEM_DEFAULT_MAX_HANDLES,
		.gem_max_mib = (unsigned int)(GP_GEM_DEFAULT_MAX_BYTES >> 20),
	};
	while ((c = getopt_long(argc, argv, "b:d:n:t:fc:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->backend = optarg;
			break;
		case 'd':
			o->driver = optarg;
			break;
		case 'n':
			o->devname = optarg;
			break;
		case 't':
			if (gp_parse_uint(optarg, 1, 64, &o->threads) < 0)
				return gp_log_errno(LOG_ERR, EINVAL, "--threads=%s: expected 1 to 64", optarg);
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'c':
			o->control = optarg;
			break;
		case OPT_NODE:
			if (strcmp(optarg, "render") == 0)
				o->node = GP_NODE_RENDER;
			else if (strcmp(optarg, "primary") == 0)
				o->node = GP_NODE_PRIMARY;
			else
				return gp_log_errno(LOG_ERR, EINVAL, "--node=%s: expected render or primary",
						    optarg);
			break;
		case OPT_REBIND:
			if (strcmp(optarg, "auto") == 0)
				o->rebind_auto = true;
			else if (strcmp(optarg, "manual") == 0)
				o->rebind_auto = false;
			else
				return gp_log_errno(LOG_ERR, EINVAL, "--rebind=%s: expected auto or manual",
						    optarg);
			break;
		case OPT_TRANSPORT:
			if (strcmp(optarg, "auto") == 0)
				o->transport = GP_TRANSPORT_AUTO;
			else if (strcmp(optarg, "cuse") == 0)
				o->transport = GP_TRANSPORT_CUSE;
			else if (strcmp(optarg, "socket") == 0)
				o->transport = GP_TRANSPORT_SOCKET;
			else
				return gp_log_errno(LOG_ERR, EINVAL,
						    "--transport=%s: expected auto, cuse or socket", optarg);
			break;
		case OPT_FD_SOCKET:
			if (!optarg[0] || strlen(optarg) >= 108)
				return gp_log_errno(LOG_ERR, EINVAL,
						    "--fd-socket=%s: expected a path of 1 to 107 characters",
						    optarg);
			o->fd_socket = optarg;
			break;
		case OPT_SOCKET:
			if (!optarg[0] || strlen(optarg) >= 108)
				return gp_log_errno(LOG_ERR, EINVAL,
						    "--socket=%s: expected a path of 1 to 107 characters",
						    optarg);
			o->socket = optarg;
			break;
		case OPT_SOCKET_OWNER:
			if (!optarg[0])
				return gp_log_errno(LOG_ERR, EINVAL, "--socket-owner: expected a user");
			o->socket_owner = optarg;
			break;
		case OPT_SOCKET_GROUP:
			if (!optarg[0])
				return gp_log_errno(LOG_ERR, EINVAL, "--socket-group: expected a group");
			o->socket_group = optarg;
			break;
		case OPT_SOCKET_MODE:
			if (gp_parse_octal_mode(optarg, &o->socket_mode) < 0)
				return gp_log_errno(LOG_ERR, EINVAL,
						    "--socket-mode=%s: expected an octal mode 0 to 0777",
						    optarg);
			break;
		case OPT_SOCKET_MAX:
			if (gp_parse_uint(optarg, 1, GP_SOCKET_MAX_CONNECTIONS_LIMIT,
					  &o->socket_max_connections) < 0)
				return gp_log_errno(LOG_ERR, EINVAL,
						    "--socket-max-connections=%s: expected 1 to %u", optarg,
						    GP_SOCKET_MAX_CONNECTIONS_LIMIT);
			break;
		case OPT_SOCKET_MAX_UID:
			if (gp_parse_uint(optarg, 1, GP_SOCKET_MAX_CONNECTIONS_LIMIT,
					  &o->socket_max_per_uid) < 0)
				return gp_log_errno(LOG_ERR, EINVAL,
						    "--socket-max-per-uid=%s: expected 1 to %u", optarg,
						    GP_SOCKET_MAX_CONNECTIONS_LIMIT);
			break;
		case OPT_GEM_MAX_HANDLES:
			if (gp_parse_uint(optarg, 1, GP_GEM_MAX_HANDLES_LIMIT, &o->gem_max_handles) < 0)
				return gp_log_errno(LOG_ERR, EINVAL, "--gem-max-handles=%s: expected 1 to %u",
						    optarg, GP_GEM_MAX_HANDLES_LIMIT);
			break;
		case OPT_GEM_MAX_MIB:
			if (gp_parse_uint(optarg, 1, GP_GEM_MAX_MIB_LIMIT, &o->gem_max_mib) < 0)
				return gp_log_errno(LOG_ERR, EINVAL, "--gem-max-mib=%s: expected 1 to %u",
						    optarg, GP_GEM_MAX_MIB_LIMIT);
			break;
		case OPT_MOCK:
			o->mock_options = optarg;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_LOG_LEVEL:
			level = gp_parse_log_level(optarg);
			if (level < 0)
				return gp_log_errno(LOG_ERR, EINVAL,
						    "--log-level=%s: expected err, warning, notice, info or debug",
						    optarg);
			gp_log_set_max_level(level);
			break;
		case 'h':
			gp_options_usage(stdout);
			return 1;
		case OPT_TEST_REMOVAL:
			/* Test-only (tests/board/): not in --help. */
			if (strcmp(optarg, "poll") != 0)
				return gp_log_errno(LOG_ERR, EINVAL, "--test-removal=%s: expected poll",
						    optarg);
			o->removal_poll_only = true;
			break;
		case OPT_VERSION:
			printf("gpu-protod " GP_VERSION_STRING "\n");
			return 1;
		default:
			fprintf(stderr, "Try 'gpu-protod --help'.\n");
			return -EINVAL;
		}
	}
	if (optind < argc)
		return gp_log_errno(LOG_ERR, EINVAL, "unexpected argument '%s'", argv[optind]);
	return 0;
}

void gp_options_socket_path(const struct gp_options *o, char *buf, size_t len)
{
	if (o->socket)
		snprintf(buf, len, "%s", o->socket);
	else
		snprintf(buf, len, GP_SOCKET_DIR "/%s.sock", o->devname);
}

void gp_options_fd_socket_path(const struct gp_options *o, char *buf, size_t len)
{
	char sock[PATH_MAX];
	size_t n;

	if (o->fd_socket) {
		snprintf(buf, len, "%s", o->fd_socket);
		return;
	}
	gp_options_socket_path(o, sock, sizeof(sock));
	n = strlen(sock);
	if (n >= 5 && strcmp(sock + n - 5, ".sock") == 0)
		snprintf(buf, len, "%.*s.fd.sock", (int)(n - 5), sock);
	else
		snprintf(buf, len, "%s.fd", sock);
}

/* May we give a file of ours group @gid: root, or a member (chown(2))? */
static bool gp_options_may_give_group(gid_t gid)
{
	gid_t groups[256];
	int n;

	if (geteuid() == 0 || getegid() == gid)
		return true;
	n = getgroups(sizeof(groups) / sizeof(groups[0]), groups);
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

int gp_options_socket_perm(const struct gp_options *o, uid_t *uid, gid_t *gid, mode_t *mode)
{
	const struct passwd *pw;
	const struct group *gr;
	unsigned int id;

	*mode = o->socket_mode;
	*uid = geteuid();
	if (o->socket_owner) {
		pw = getpwnam(o->socket_owner);
		if (pw)
			*uid = pw->pw_uid;
		else if (gp_parse_id(o->socket_owner, &id))
			*uid = id;
		else
			return gp_log_errno(LOG_ERR, EINVAL, "--socket-owner=%s: no such user",
					    o->socket_owner);
	}
	gr = getgrnam(o->socket_group ? o->socket_group : GP_SOCKET_DEFAULT_GROUP);
	if (gr && !o->socket_group && !gp_options_may_give_group(gr->gr_gid)) {
		/* A user's own daemon (scripts/run.sh): its socket, its group. */
		*gid = getegid();
		gp_log_info("not root and not in group \"" GP_SOCKET_DEFAULT_GROUP "\": the socket "
			    "gets our own group (--socket-group=GROUP names another)");
	} else if (gr) {
		*gid = gr->gr_gid;
	} else if (o->socket_group && gp_parse_id(o->socket_group, &id)) {
		*gid = id;
	} else if (o->socket_group) {
		return gp_log_errno(LOG_ERR, EINVAL, "--socket-group=%s: no such group",
				    o->socket_group);
	} else {
		*gid = getegid();
		gp_log_warning("no group \"" GP_SOCKET_DEFAULT_GROUP "\" for the socket: only its owner "
			       "may connect (--socket-group=GROUP names another)");
	}
	return 0;
}

int gp_options_binding_config(const struct gp_options *o, struct gp_binding_config *cfg)
{
	char err[256] = "";
	int r;

	*cfg = (struct gp_binding_config){ .driver_name = o->driver, .backend_name = o->backend };
	cfg->driver = gp_driver_find(o->driver);
	if (!cfg->driver)
		return gp_log_errno(LOG_ERR, EINVAL,
				    "--driver=%s: unknown driver (known: mali-csf, qemu-edu, qemu-pl031, "
				    "qemu-virtio-mmio)", o->driver);
	if (strcmp(o->backend, "mock") != 0) {
		r = gp_vfio_parse_backend(o->backend, &cfg->vfio, err, sizeof(err));
		if (r < 0)
			return gp_log_errno(LOG_ERR, r, "--backend=%s: %s", o->backend, err);
		if (o->mock_options)
			return gp_log_errno(LOG_ERR, EINVAL, "--mock-options needs --backend=mock");
		cfg->bus = cfg->vfio.bus;
		cfg->vfio.sysfs_root = "/sys";
		cfg->vfio.dev_root = "/dev";
		cfg->vfio.no_uevents = o->removal_poll_only;
		return 0;
	}
	cfg->bus = GP_BUS_MOCK;
	gp_mock_config_init(&cfg->mock);
	r = gp_mock_config_parse(&cfg->mock, o->mock_options, err, sizeof(err));
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "--mock-options: %s", err);
	return 0;
}

