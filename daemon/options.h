/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gpu-protod's command line.  Separate from main.c so the parser can be
 * unit-tested and fuzzed.
 */
#ifndef GP_DAEMON_OPTIONS_H
#define GP_DAEMON_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "binding.h"
#include "file.h"

#define GP_VERSION_STRING "0.1.0"

/* How clients reach the daemon. */
enum gp_transport {
	GP_TRANSPORT_AUTO,	/* CUSE when /dev/cuse opens, else the socket */
	GP_TRANSPORT_CUSE,
	GP_TRANSPORT_SOCKET,
};

/* The node's group and mode in 60-gpu-proto.rules, the socket's defaults. */
#define GP_SOCKET_DEFAULT_GROUP "render"
#define GP_SOCKET_DEFAULT_MODE 0660

/* The socket's directory; the default socket is GP_SOCKET_DIR "/<devname>.sock". */
#define GP_SOCKET_DIR "/run/gpu-protod"
/* The most --gem-max-handles and --gem-max-mib accept (1 Mi handles, 1 TiB). */
#define GP_GEM_MAX_HANDLES_LIMIT (1u << 20)
#define GP_GEM_MAX_MIB_LIMIT (1u << 20)
/* --job-timeout-ms: panthor's JOB_TIMEOUT_MS by default; 10 ms to 10 minutes. */
#define GP_JOB_TIMEOUT_MS_DEFAULT 5000u
#define GP_JOB_TIMEOUT_MS_MIN 10u
#define GP_JOB_TIMEOUT_MS_MAX 600000u

/* The most --socket-max-connections and --socket-max-per-uid accept. */
#define GP_SOCKET_MAX_CONNECTIONS_LIMIT 65536

struct gp_options {
	bool rebind_auto;
	const char *backend;
	const char *driver;
	const char *devname;
	const char *control;
	enum gp_transport transport;
	const char *socket;		/* NULL: GP_SOCKET_DIR/<devname>.sock */
	const char *fd_socket;		/* NULL: the socket's path, ".sock" -> ".fd.sock" */
	/* Who may use the socket: the node's rule (60-gpu-proto.rules). */
	const char *socket_owner;	/* user name or uid; NULL: the daemon's euid */
	const char *socket_group;	/* group name or gid; NULL: GP_SOCKET_DEFAULT_GROUP */
	unsigned int socket_mode;	/* permission bits */
	unsigned int socket_max_connections;
	unsigned int socket_max_per_uid;
	/* Per-file buffer-object limits (gem.h): handles, and MiB behind them. */
	unsigned int gem_max_handles;
	unsigned int gem_max_mib;
	/* mali-csf's job watchdog (mali_csf_job_timeout_ms). */
	unsigned int job_timeout_ms;
	const char *mock_options;
	unsigned int threads;
	enum gp_node_type node;
	bool foreground;
	bool dry_run;
	/*
	 * --test-removal=poll: vfio-platform/vfio-amba removal detection by
	 * polling the driver link only, no uevent socket.  Exists so the
	 * virtual-board tier can measure the fallback a kernel without the
	 * early vfio-dev uevent (6.1) depends on.
	 */
	bool removal_poll_only;
};

/**
 * gp_options_parse() - parse @argv into @o (defaults first).
 *
 * Prints --help/--version to stdout; logs what is wrong otherwise.
 * Resets getopt's state, so it may be called more than once.
 * Return: 0 to run, 1 when --help/--version was answered, -EINVAL on bad
 * usage.
 */
int gp_options_parse(int argc, char **argv, struct gp_options *o);

/**
 * gp_options_socket_path() - the socket path @o asks for: --socket, or
 * GP_SOCKET_DIR/<devname>.sock.
 */
void gp_options_socket_path(const struct gp_options *o, char *buf, size_t len);

/**
 * gp_options_fd_socket_path() - the fd socket's path (memfds for FD_TOKEN
 * tokens, with either transport): --fd-socket, or the socket transport's
 * path with its ".sock" suffix replaced by ".fd.sock" (".fd" appended when
 * it has none), so GP_SOCKET_DIR/<devname>.fd.sock by default.
 * libgpuproto and the shim derive it the same way from $GPU_PROTO_SOCKET.
 */
void gp_options_fd_socket_path(const struct gp_options *o, char *buf, size_t len);

/**
 * gp_options_socket_perm() - resolve --socket-owner/--socket-group/--socket-mode.
 *
 * Names are looked up in the user and group databases; numbers are taken
 * as ids.  Without --socket-group the group is "render", as the udev rule
 * gives the node; where that group does not exist, or the daemon is neither
 * root nor in it (a user's own daemon, which could not give it), the
 * daemon's own group (logged).
 * Return: 0, or -EINVAL (logged) for a user or group that does not exist.
 */
int gp_options_socket_perm(const struct gp_options *o, uid_t *uid, gid_t *gid, mode_t *mode);

/** gp_options_usage() - the --help text. */
void gp_options_usage(FILE *out);

/**
 * gp_options_binding_config() - the binding configuration @o asks for:
 * the driver, the backend (mock with its options, or vfio), checked.
 * Return: 0 or -EINVAL (logged).
 */
int gp_options_binding_config(const struct gp_options *o, struct gp_binding_config *cfg);

#endif /* GP_DAEMON_OPTIONS_H */
