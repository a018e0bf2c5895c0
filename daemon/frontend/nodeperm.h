/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who may open the device: the owner, group and mode the node gets from
 * udev (60-gpu-proto.rules: root:render 0660), given to the socket
 * transport's socket and checked again for every connecting peer.
 */
#ifndef GP_FRONTEND_NODEPERM_H
#define GP_FRONTEND_NODEPERM_H

#include <stdbool.h>
#include <sys/types.h>

#include "file.h"

/* The udev rule's MODE; its OWNER is udev's default, root; GROUP "render". */
#define GP_NODE_PERM_DEFAULT_MODE 0660
#define GP_NODE_PERM_DEFAULT_GROUP "render"

struct gp_node_perm {
	uid_t uid;
	gid_t gid;
	mode_t mode;		/* permission bits only (0 to 0777) */
};

/**
 * gp_node_perm_apply() - give the socket at @path @perm's owner, group and mode.
 *
 * Never follows a symlink: the path is opened O_PATH|O_NOFOLLOW, must be a
 * socket the daemon owns (one it just bound, not something put there), and
 * is changed through that fd.  Call it between bind() and listen(), so no
 * client connects before the mode is right.
 * Return: 0, -ENOTSOCK (a symlink or anything else is there), -EPERM (not
 * ours), or -errno from chown/chmod; logged.
 */
int gp_node_perm_apply(const char *path, const struct gp_node_perm *perm);

/**
 * gp_node_perm_permits() - may the peer of @fd open the node?
 * @caller: the peer, from gp_caller_from_socket(@fd)
 *
 * The kernel's rule for opening the node read-write: the owner's bits for
 * the owner, else the group's bits when the peer's group or one of its
 * supplementary groups (SO_PEERGROUPS) is @perm's group, else the others'
 * bits; each must grant read and write.  A peer holding CAP_DAC_OVERRIDE
 * in the daemon's user namespace passes, as it would open the node.
 * Checked on top of the socket file's own mode, so a socket passed to
 * another process, or a mode made too wide, gives no one more access.
 * Return: 0, -EACCES, or -errno when the groups cannot be read (-ENOMEM).
 */
int gp_node_perm_permits(const struct gp_node_perm *perm, int fd, const struct gp_caller *caller);

#endif /* GP_FRONTEND_NODEPERM_H */
