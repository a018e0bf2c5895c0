/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every listening AF_UNIX socket of the daemon needs before listen():
 * its directory, and descriptors for the connections it may hold.  Shared
 * by the socket transport and the fd socket.
 */
#ifndef GP_FRONTEND_LISTEN_H
#define GP_FRONTEND_LISTEN_H

struct gp_node_perm;

/**
 * gp_listen_socket() - a listening AF_UNIX SOCK_SEQPACKET socket at @path
 * with the node's owner, group and mode.
 * @perm: what udev gives the node (nodeperm.h)
 * @flags: more socket() type flags (SOCK_NONBLOCK); SOCK_CLOEXEC is always set
 * @backlog: for listen()
 * @what: how log lines name the socket, e.g. "socket" or "fd socket"
 *
 * Makes the directory (gp_listen_make_dir()) and replaces a stale socket
 * of an earlier run, never anything else.  The socket is bound owner-only
 * (bind() takes the socket inode's mode, less the umask), given @perm
 * without following symlinks, and only then listens, so no one connects
 * under a wrong mode.
 * Return: the listening fd, or -errno (logged); on failure no socket of
 * ours is left at @path.
 */
int gp_listen_socket(const char *path, const struct gp_node_perm *perm, int flags, int backlog,
		     const char *what);

/**
 * gp_listen_make_dir() - create the directory of socket @path (0755).
 * @what: how log lines name the socket, e.g. "socket" or "fd socket"
 *
 * The directory is made searchable whatever the umask (the unit's is 0077),
 * so that the socket's own owner, group and mode decide who connects.  An
 * existing directory is left as it is.
 * Return: 0 or -errno (logged).
 */
int gp_listen_make_dir(const char *path, const char *what);

/**
 * gp_listen_reserve_fds() - raise the soft RLIMIT_NOFILE by @fds.
 *
 * On top of the current limit, so sockets that each reserve their own add
 * up, as far as the hard limit allows.  Beyond it accept() fails with
 * EMFILE first, which the caller handles by pausing; a warning naming the
 * options that help is logged only when the limit cannot hold even @fds.
 */
void gp_listen_reserve_fds(unsigned long long fds, const char *what);

#endif /* GP_FRONTEND_LISTEN_H */
