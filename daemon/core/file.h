/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Open files: per-open state, as struct drm_file.
 */
#ifndef GP_CORE_FILE_H
#define GP_CORE_FILE_H

#include <stdbool.h>
#include <sys/types.h>

#include "device.h"

/**
 * struct gp_caller - who issued a request, as the transport learned it
 * (fuse_req_ctx() over CUSE, SO_PEERCRED over a socket).
 */
struct gp_caller {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool cap_sys_admin;	/* ROOT_ONLY ioctls */
	bool cap_sys_nice;	/* high group priorities, as panthor checks */
};

/* What kind of node the file was opened through (drm_minor type). */
enum gp_node_type {
	GP_NODE_RENDER,		/* render client: RENDER_ALLOW ioctls only */
	GP_NODE_PRIMARY,	/* primary node client (no master concept) */
};

struct gp_file {
	struct gp_device *dev;		/* a reference, held until close */
	struct gp_caller caller;	/* the opener */
	enum gp_node_type node;
	bool authenticated;		/* legacy AUTH: root openers of a primary node */
};

/**
 * gp_file_open() - open a file on a device.
 * @dev: the device (borrowed; the file takes its own reference)
 * @caller: the opener
 * @node: the node type it was opened through
 * @out: the new file
 *
 * Return: 0, -ENODEV once the device is unplugged (as drm_open), -ENOMEM.
 */
int gp_file_open(struct gp_device *dev, const struct gp_caller *caller, enum gp_node_type node,
		 struct gp_file **out);

/**
 * gp_file_close() - close a file; works whether or not the device is still
 * registered.  Clears *@pfile; NULL is a no-op.
 */
void gp_file_close(struct gp_file **pfile);

static inline bool gp_file_is_render_client(const struct gp_file *file)
{
	return file->node == GP_NODE_RENDER;
}

#endif /* GP_CORE_FILE_H */
