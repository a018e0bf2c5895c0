/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ioctls that wait: parked requests, never a blocked guard or worker.
 *
 * Every ioctl runs inside a registration guard, and revoke waits for every
 * guard; a handler that slept inside one until a fence signalled would
 * hold up revoke (and over CUSE would hold a libfuse worker: a hundred
 * waiters would starve every other client).  So a handler never sleeps for
 * an event.  When its condition is not met yet it arms a *waiter* on what
 * could change the answer (fences, sync objects, a deadline) and returns
 * -EINPROGRESS; the dispatcher leaves the guard and hands the request back
 * to the transport as parked.  When the waiter fires the transport runs
 * the same ioctl again from the start, with the same arguments, exactly as
 * the kernel restarts a syscall after -ERESTARTSYS: the handler re-checks
 * everything (timeouts are absolute, so nothing drifts), and either
 * answers or parks again.  This is how a parked read already works over
 * CUSE; waits use the same shape.
 *
 * A waiter fires, once per arming, on the first of:
 *  - a watched fence signalling, or a watched sync object changing fence;
 *  - its deadline (CLOCK_MONOTONIC);
 *  - its file being closed, or its device being unplugged (revoke): every
 *    parked request of the device is woken, so the re-run answers ENODEV
 *    from dispatch and no waiter can outlive revoke.
 * The fire is delivered by wait.c's own thread, never on the signalling
 * thread, so the IRQ path and revoke only ever queue it.
 *
 * Transports:
 *  - that can block the calling thread (in-process calls, tests) pass no
 *    waiter (gp_user.waiter NULL): gp_ioctl() then waits and re-runs by
 *    itself, outside any guard, and never returns -EINPROGRESS;
 *  - that must not (CUSE, the socket transport) embed a gp_waiter in their
 *    pending request, set gp_user.waiter, and on -EINPROGRESS keep the
 *    request; their @wake op runs the ioctl again.  A request interrupted
 *    by its caller (FUSE_INTERRUPT) is disarmed with gp_waiter_disarm()
 *    and answered EINTR, which libdrm's drmIoctl() restarts.
 */
#ifndef GP_CORE_WAIT_H
#define GP_CORE_WAIT_H

#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>

struct gp_fence;
struct gp_file;
struct gp_syncobj;
struct gp_user;
struct gp_waiter;
struct gp_waiter_watch;

/* The deadline of a wait without one. */
#define GP_WAIT_FOREVER INT64_MAX

struct gp_waiter_ops {
	/*
	 * The waiter fired: run the request again (or give up on it).  Called
	 * on wait.c's thread, without any core lock, at most once per arming;
	 * it may call gp_ioctl() (which may re-arm the same waiter).  Must not
	 * block on anything a client controls.
	 */
	void (*wake)(struct gp_waiter *waiter);
};

/*
 * Storage a transport embeds in its pending request.  Fields after @ops
 * are wait.c's.
 */
struct gp_waiter {
	const struct gp_waiter_ops *ops;

	struct gp_file *file;		/* while armed: a reference */
	struct cds_list_head watches;	/* struct gp_waiter_watch, allocated per arming */
	struct cds_list_head file_link;	/* in the file's parked list while armed */
	struct cds_list_head timer_link;
	struct cds_list_head fire_link;
	int64_t deadline_ns;
	unsigned int state;		/* atomic: idle, armed, firing */
};

void gp_waiter_init(struct gp_waiter *waiter, const struct gp_waiter_ops *ops);

/**
 * gp_waiter_disarm() - stop a waiter: when this returns, its @wake will
 * not run for the current arming and no fence, sync object or timer refers
 * to it, so its storage may be freed.  Idempotent.  Context: not from its
 * own @wake, not inside a guard.
 */
void gp_waiter_disarm(struct gp_waiter *waiter);

/* --- for handlers --- */

/**
 * gp_wait_watch_fence() / gp_wait_watch_syncobj() - wake @user's request
 * when @fence signals / when @syncobj's fence or timeline changes (for
 * WAIT_FOR_SUBMIT and WAIT_AVAILABLE).  Call before re-checking the
 * condition, then gp_wait_park() if it still does not hold, so that no
 * change falls between the check and the arming.  Takes its own
 * references.
 * Return: 0 or -ENOMEM (the ioctl fails with it; nothing stays armed).
 */
int gp_wait_watch_fence(const struct gp_user *user, struct gp_fence *fence);
int gp_wait_watch_syncobj(const struct gp_user *user, struct gp_syncobj *syncobj);

/**
 * gp_wait_park() - finish arming @user's request for @file, with a
 * deadline (CLOCK_MONOTONIC nanoseconds; GP_WAIT_FOREVER for none).
 * Return: -EINPROGRESS, for the handler to return; or -ENODEV when the
 * file is closed or the device unplugged already (nothing stays armed).
 */
int gp_wait_park(const struct gp_user *user, struct gp_file *file, int64_t deadline_ns);

/**
 * gp_wait_cancel() - a handler that armed watches but then answers (the
 * condition turned true on re-check) drops them.  Safe if nothing is armed.
 */
void gp_wait_cancel(const struct gp_user *user);

/* --- for the core: file close and revoke --- */

/** gp_wait_wake_file() - fire every request parked on @file (close). */
void gp_wait_wake_file(struct gp_file *file);

/** gp_wait_now_ns() - CLOCK_MONOTONIC in nanoseconds, the clock of deadlines. */
int64_t gp_wait_now_ns(void);

#endif /* GP_CORE_WAIT_H */
