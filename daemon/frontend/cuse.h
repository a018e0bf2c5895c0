/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CUSE frontend: /dev/NAME served through libfuse3's CUSE lowlevel API.
 *
 * The only code in the daemon that knows libfuse.  It turns CUSE requests
 * into core calls: open/release into gp_file_open()/gp_file_close(), ioctl
 * into gp_ioctl() with caller memory moved by the unrestricted-ioctl retry
 * protocol, read/poll into the file's event queue (a blocking read with
 * nothing queued is parked and answered later: an event, EINTR when the
 * caller is interrupted, ENODEV on revoke).
 */
#ifndef GP_FRONTEND_CUSE_H
#define GP_FRONTEND_CUSE_H

#include <stdint.h>

#include "transport.h"
#include "device.h"
#include "file.h"

/* The kernel's limits for one CUSE ioctl (fs/fuse/ioctl.c). */
#define GP_CUSE_MAX_IOV		256		/* FUSE_IOCTL_MAX_IOV */
#define GP_CUSE_MAX_XFER	(128u << 10)	/* 32 pages: CUSE never negotiates max_pages */

struct gp_cuse;

struct gp_cuse_config {
	const char *devname;		/* creates /dev/<devname> */
	unsigned int max_threads;	/* libfuse workers */
	enum gp_node_type node;

	/*
	 * The device new opens attach to, with a reference the frontend
	 * drops; NULL when nothing is bound (the open fails with ENODEV).
	 * Called from worker threads.
	 */
	struct gp_device *(*current_device)(void *ctx);
	/* The kernel answered CUSE_INIT: the node is being created.  Worker thread. */
	void (*init_done)(void *ctx);
	/* The session ended on its own (kernel abort, fatal error).  Loop thread. */
	void (*session_ended)(void *ctx, int error);
	void *ctx;
};

/**
 * gp_cuse_new() - open /dev/cuse and create the session (no node yet).
 * Return: 0; -ENOENT/-ENODEV when /dev/cuse is missing (logged with the
 * "modprobe cuse" hint); -EACCES; -ENOMEM; -EIO if libfuse refuses.
 */
int gp_cuse_new(const struct gp_cuse_config *cfg, struct gp_cuse **out);

/**
 * gp_cuse_start() - start the session loop on its own thread.  The node
 * appears once the kernel has processed CUSE_INIT (see init_done).
 */
int gp_cuse_start(struct gp_cuse *cuse);

/**
 * gp_cuse_stop() - end the session loop and wait for it.  Requests still
 * in flight in the kernel fail (ECONNABORTED) once the session is freed.
 * Context: not from a worker thread.
 */
void gp_cuse_stop(struct gp_cuse *cuse);

/** gp_cuse_free() - stop if needed, destroy the session (the node goes away). */
void gp_cuse_free(struct gp_cuse **pcuse);

void gp_cuse_get_stats(struct gp_cuse *cuse, struct gp_transport_stats *stats);

#endif /* GP_FRONTEND_CUSE_H */
