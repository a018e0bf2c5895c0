/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Open files: per-open state and event queues, as struct drm_file.
 *
 * A file is refcounted: the frontend's open file descriptor holds one
 * reference (dropped by gp_file_close()), and pending events hold one each,
 * so an event completing after close finds a closed file, never a freed one.
 */
#ifndef GP_CORE_FILE_H
#define GP_CORE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <urcu/list.h>
#include <urcu/ref.h>

#include "device.h"
#include "user.h"

/* Capabilities the core checks, numbered as in <linux/capability.h>. */
#define GP_CAP_DAC_OVERRIDE	1
#define GP_CAP_SYS_ADMIN	21
#define GP_CAP_SYS_NICE		23

struct gp_caller;
struct gp_gem_handles;
struct gp_syncobj_table;

/**
 * struct gp_caller_ops - how a transport answers for a caller that is
 * another process.
 * @capable: whether the caller holds capability @cap *now*, in the
 *	daemon's user namespace, as the kernel's capable() asks current's
 *	credentials at the moment of the check.  Must fail closed (false)
 *	when the answer cannot be known.  May read /proc: call it only when a
 *	check needs it.
 * @release: give back what the caller holds (its pidfd); called once, when
 *	the file that owns this caller is freed.  May be NULL.
 */
struct gp_caller_ops {
	bool (*capable)(const struct gp_caller *caller, int cap);
	void (*release)(struct gp_caller *caller);
};

/**
 * struct gp_caller - who issued a request, as the transport learned it
 * (fuse_req_ctx() over CUSE per request, SO_PEERCRED at connect over a
 * socket).  See gp_caller_capable() for capabilities.
 */
struct gp_caller {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	/* Capabilities fixed up front (in-process callers, tests); unused with @ops. */
	bool cap_sys_admin;	/* ROOT_ONLY ioctls */
	bool cap_sys_nice;	/* high group priorities, as panthor checks */
	/* A caller in another process: capabilities asked when checked. */
	const struct gp_caller_ops *ops;
	int pidfd;		/* for @ops: the caller's process, pinned; -1 for none */
};

/**
 * gp_caller_capable() - does @caller hold capability @cap (GP_CAP_*)?
 *
 * As capable(): asked at the moment of the check, through the transport's
 * ops when the caller is another process, so a permission follows the
 * caller's credentials as they are now, not as they were at open.
 * Context: any thread, no core locks held; may sleep briefly (it may read
 * /proc, whose files for a caller take no lock the caller can hold), so
 * a handler may ask inside its guard.
 */
static inline bool gp_caller_capable(const struct gp_caller *caller, int cap)
{
	if (caller->ops)
		return caller->ops->capable && caller->ops->capable(caller, cap);
	if (cap == GP_CAP_SYS_ADMIN)
		return caller->cap_sys_admin;
	if (cap == GP_CAP_SYS_NICE)
		return caller->cap_sys_nice;
	return false;
}

/**
 * gp_pidfd_exited() - has the process behind @pidfd exited?  A pidfd polls
 * readable then.  Fails closed: true when it cannot tell.  Used wherever a
 * caller's pid is pinned by a pidfd, so a recycled pid is never believed.
 */
bool gp_pidfd_exited(int pidfd);

/* What kind of node the file was opened through (drm_minor type). */
enum gp_node_type {
	GP_NODE_RENDER,		/* render client: RENDER_ALLOW ioctls only */
	GP_NODE_PRIMARY,	/* primary node client (no master concept) */
};

struct gp_file;

/* Bytes of events a file may have queued or reserved, as drm_file's event_space. */
#define GP_FILE_EVENT_SPACE 4096

/*
 * Called when the file may have become readable or dead: an event was
 * queued, or the device was unplugged.  Called without core locks held,
 * with a reference on the file; must not block for long.
 */
typedef void (*gp_file_notify_t)(struct gp_file *file, void *ctx);

struct gp_file {
	struct urcu_ref ref;
	struct gp_device *dev;		/* a reference, held until the last put */
	struct gp_caller caller;	/* the opener; the file owns its resources */
	enum gp_node_type node;
	bool authenticated;		/* legacy AUTH: root openers of a primary node */
	void *driver_priv;		/* the driver's per-file state (gp_driver.open) */
	struct gp_gem_handles *gem;	/* handle table (gem.c); owned */
	struct gp_syncobj_table *syncobjs; /* handle table (syncobj.c); owned */

	/* Protected by dev->lock. */
	struct cds_list_head link;	/* in dev->files while open */
	struct cds_list_head events;	/* queued, ready to read */
	size_t event_space;
	bool closed;
	gp_file_notify_t notify;
	void *notify_ctx;
	unsigned int notifying;		/* notify calls in flight */
	bool wake_pending;		/* revoke has yet to notify it */

	/* Requests parked on this file (wait.h); wait.c's lock protects it. */
	struct cds_list_head parked;
};

/**
 * gp_file_open() - open a file on a device.
 * @dev: the device (borrowed; the file takes its own reference)
 * @caller: the opener; on success the file takes over what it holds (its
 *	ops' release runs when the file is freed); on failure it stays the
 *	caller's
 * @node: the node type it was opened through
 * @out: the new file, holding the opener's reference
 *
 * As drm_open_helper(), a primary node's opener is authenticated when it
 * holds CAP_SYS_ADMIN at open; that is the one check made at open.  The
 * driver's open hook runs inside the guard the open holds, before the file
 * joins the device; its failure undoes the open.
 *
 * Return: 0, -ENODEV once the device is unplugged (as drm_open), -ENOMEM,
 * or the driver's open error.
 */
int gp_file_open(struct gp_device *dev, const struct gp_caller *caller, enum gp_node_type node,
		 struct gp_file **out);

/**
 * gp_file_set_notify() - install the frontend's wake-up callback.
 * Call right after open, before the file is used from other threads.
 */
void gp_file_set_notify(struct gp_file *file, gp_file_notify_t notify, void *ctx);

/**
 * gp_file_close() - close a file: drop its queued events, stop notifying,
 * run the driver's postclose (inside a guard while registered; once
 * unplugged, only after revoke's release returned, waiting for it if
 * needed), drop the file's buffer-object handles, drop the opener's
 * reference.  Works whether or not the device is still registered.  Clears
 * *@pfile; NULL is a no-op.
 *
 * Context: not inside a guard (it may wait for a revoke in progress).
 *
 * When it returns, no notify call for the file is running or will run, so
 * the frontend may free the notify context.  Must not be called from the
 * notify callback itself.
 */
void gp_file_close(struct gp_file **pfile);

struct gp_file *gp_file_get(struct gp_file *file);
void gp_file_put(struct gp_file **pfile);

static inline bool gp_file_is_render_client(const struct gp_file *file)
{
	return file->node == GP_NODE_RENDER;
}

/**
 * gp_request_caller() - who issued the request behind @user: the
 * transport's per-request caller when it has one (CUSE), else the file's
 * opener (a socket connection, the in-process transport).  Handlers that
 * check a privilege (as panthor's CAP_SYS_NICE) ask gp_caller_capable() of it.
 */
static inline const struct gp_caller *gp_request_caller(const struct gp_file *file,
							 const struct gp_user *user)
{
	return user && user->caller ? user->caller : &file->caller;
}

/**
 * gp_file_read_events() - take whole events off the queue, as drm_read().
 * @buf: destination; @size: its size
 *
 * Return: bytes copied (> 0); -EAGAIN when nothing is queued; -EINVAL when
 * @size cannot hold the next event; -ENODEV once the device is unplugged.
 */
ssize_t gp_file_read_events(struct gp_file *file, void *buf, size_t size);

/**
 * gp_file_poll() - POLLIN|POLLRDNORM when an event is queued,
 * POLLERR|POLLHUP once the device is unplugged, else 0.
 */
unsigned int gp_file_poll(struct gp_file *file);

/* --- sending events, as drm_event_reserve_init() / drm_send_event() --- */

struct gp_pending_event;

/**
 * gp_event_reserve() - reserve queue space for an event to send later.
 * @file: the file to deliver to (a reference is taken)
 * @length: the event's full length, header included
 * @out: the reservation
 *
 * Return: 0, -ENOSPC when the file's event space is exhausted, -ENODEV when
 * the file is closed, -ENOMEM.
 */
int gp_event_reserve(struct gp_file *file, uint32_t length, struct gp_pending_event **out);

/**
 * gp_event_send() - deliver a reserved event and wake the file.
 * @ppe: the reservation; consumed
 * @event: the event; its length must be the reserved length
 *
 * If the file was closed meanwhile, the event is dropped.
 */
void gp_event_send(struct gp_pending_event **ppe, const void *event);

/** gp_event_cancel() - give the reserved space back; consumes *@ppe. */
void gp_event_cancel(struct gp_pending_event **ppe);

#endif /* GP_CORE_FILE_H */
