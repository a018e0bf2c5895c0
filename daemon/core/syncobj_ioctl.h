/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SYNCOBJ_* ioctl handlers and their plans (syncobj_ioctl.c), for the
 * core table (drm_ioctls.c).
 */
#ifndef GP_CORE_SYNCOBJ_IOCTL_H
#define GP_CORE_SYNCOBJ_IOCTL_H

#include "driver.h"

int gp_syncobj_create_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
	struct gp_file *file, const struct gp_user *user);
int gp_syncobj_destroy_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
	struct gp_file *file, const struct gp_user *user);
int gp_syncobj_handle_to_fd_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
	struct gp_file *file, const struct gp_user *user);
int gp_syncobj_fd_to_handle_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
	struct gp_file *file, const struct gp_user *user);
int gp_syncobj_eventfd_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
	struct gp_file *file, const struct gp_user *user);
int gp_syncobj_wait_plan(const struct gp_device *dev, const void *arg, struct gp_user_plan *plan);
int gp_syncobj_wait_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
	struct gp_file *file, const struct gp_user *user);
int gp_syncobj_timeline_wait_plan(const struct gp_device *dev, const void *arg, struct gp_user_plan *plan);
int gp_syncobj_timeline_wait_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
	struct gp_file *file, const struct gp_user *user);
int gp_syncobj_array_plan(const struct gp_device *dev, const void *arg, struct gp_user_plan *plan);
int gp_syncobj_reset_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
	struct gp_file *file, const struct gp_user *user);
int gp_syncobj_signal_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
	struct gp_file *file, const struct gp_user *user);
int gp_syncobj_timeline_signal_plan(const struct gp_device *dev, const void *arg, struct gp_user_plan *plan);
int gp_syncobj_timeline_signal_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
	struct gp_file *file, const struct gp_user *user);
int gp_syncobj_query_plan(const struct gp_device *dev, const void *arg, struct gp_user_plan *plan);
int gp_syncobj_query_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
	struct gp_file *file, const struct gp_user *user);
int gp_syncobj_transfer_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
	struct gp_file *file, const struct gp_user *user);
int gp_syncobj_status_plan(const struct gp_device *dev, const void *arg, struct gp_user_plan *plan);
int gp_syncobj_status_ioctl(const struct gp_registered_device *rdev, void *data, void *arg,
	struct gp_file *file, const struct gp_user *user);

#endif /* GP_CORE_SYNCOBJ_IOCTL_H */
