/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mali-csf job scheduling (mali_csf_sched.c): panthor's groups, queues and
 * GROUP_SUBMIT on top of the firmware interface (mali_csf_fw.h).
 *
 * Threads and locks.  One scheduler worker per device owns the CSG slots:
 * it binds groups, writes rings, reads completions, handles faults and the
 * watchdog.  Everything it and the ioctls share is under sched->lock,
 * which nothing holds while signalling a fence, and which the IRQ path and
 * fence callbacks never take: they set atomic event bits and wake the
 * worker through an eventfd, so a client can never make them wait.
 * Firmware requests made under sched->lock are bounded by the firmware's
 * ack timeout.
 */
#ifndef GP_MALI_CSF_SCHED_H
#define GP_MALI_CSF_SCHED_H

#include <stdint.h>

struct gp_device;
struct gp_file;
struct gp_registered_device;
struct gp_user;
struct gp_user_plan;
struct mali_csf_data;
struct mali_csf_file;

/*
 * Watchdog: a queue that makes no progress (no job completes) for this
 * long while it has a job on the GPU loses its group, as panthor's
 * JOB_TIMEOUT_MS.  Read at probe; tests lower it before binding.
 */
#define MALI_CSF_JOB_TIMEOUT_MS_DEFAULT	5000u
extern unsigned int mali_csf_job_timeout_ms;

/* Probe/release: the worker, the slot table. */
int mali_csf_sched_init(struct mali_csf_data *mali);

/**
 * mali_csf_sched_unplug() - revoke's part (release()): stop the worker,
 * terminate every bound group, halt the firmware, and signal every job
 * that has not completed with -ENODEV, before the MMU is quiesced and the
 * memory unmapped.
 */
void mali_csf_sched_unplug(struct mali_csf_data *mali);

/* Per file (open/postclose, from mali_csf_vm.c). */
int mali_csf_groups_file_open(struct mali_csf_file *mfile);
/* @data: the registration data, or NULL once unplugged (release already ran). */
void mali_csf_groups_file_close(void *data, struct mali_csf_file *mfile);

/* The ioctls. */
int mali_csf_group_create_plan(const struct gp_device *dev, const void *arg,
			       struct gp_user_plan *plan);
int mali_csf_group_create(const struct gp_registered_device *rdev, void *data, void *arg,
			  struct gp_file *file, const struct gp_user *user);
int mali_csf_group_destroy(const struct gp_registered_device *rdev, void *data, void *arg,
			   struct gp_file *file, const struct gp_user *user);
int mali_csf_group_submit_plan(const struct gp_device *dev, const void *arg,
			       struct gp_user_plan *plan);
int mali_csf_group_submit(const struct gp_registered_device *rdev, void *data, void *arg,
			  struct gp_file *file, const struct gp_user *user);
int mali_csf_group_get_state(const struct gp_registered_device *rdev, void *data, void *arg,
			     struct gp_file *file, const struct gp_user *user);
int mali_csf_tiler_heap_create(const struct gp_registered_device *rdev, void *data, void *arg,
			       struct gp_file *file, const struct gp_user *user);
int mali_csf_tiler_heap_destroy(const struct gp_registered_device *rdev, void *data, void *arg,
				struct gp_file *file, const struct gp_user *user);

#endif /* GP_MALI_CSF_SCHED_H */
