/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DRM-style ioctl dispatch, as drm_ioctl().
 */
#ifndef GP_CORE_IOCTL_H
#define GP_CORE_IOCTL_H

#include <stdint.h>

#include "file.h"
#include "user.h"

/*
 * The largest argument struct the dispatcher copies; _IOC_SIZE() is 14
 * bits, so this is the whole encodable range.
 */
#define GP_IOCTL_ARG_MAX ((1u << 14) - 1)

/**
 * gp_ioctl() - dispatch one ioctl.
 * @file: the file it came through
 * @cmd: the ioctl number as the caller encoded it
 * @arg: the caller's argument address
 * @user: the caller's memory
 * @result: the ioctl's result (0 or -errno) when the dispatch completed
 *
 * Checks, in drm_ioctl()'s order: unplugged (-ENODEV), type (-ENOTTY),
 * range and table (-EINVAL), then copies the argument in (zero-extending a
 * shorter caller struct), checks permissions (-EACCES), runs the handler
 * inside a guard (-ENODEV if that fails), and copies the argument out even
 * when the handler failed (a fault there gives -EFAULT).
 *
 * Context: any thread; never inside a guard.
 * Return: 0 when the ioctl completed (see @result); -EAGAIN when the
 * transport asked to fetch caller memory first: nothing has run, and the
 * transport must call gp_ioctl() again with the same arguments; or
 * -EINPROGRESS when the handler parked the request on @user->waiter
 * (wait.h): nothing was copied out, and the transport runs it again when
 * the waiter fires.  Without a waiter gp_ioctl() waits by itself and never
 * returns -EINPROGRESS.
 */
int gp_ioctl(struct gp_file *file, unsigned int cmd, uint64_t arg, const struct gp_user *user,
	     int *result);

/**
 * gp_ioctl_permit() - the permission check of drm_ioctl_permit().
 * @caller: who issued this ioctl (gp_request_caller())
 *
 * Capabilities are asked here, per ioctl and only for flags that need one,
 * so an ordinary ioctl costs no /proc read.
 * Return: 0 or -EACCES.
 */
int gp_ioctl_permit(unsigned int flags, const struct gp_file *file, const struct gp_caller *caller);

#endif /* GP_CORE_IOCTL_H */
