/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core ioctls every device answers (type 'd', below the driver range).
 */
#ifndef GP_CORE_DRM_IOCTLS_H
#define GP_CORE_DRM_IOCTLS_H

#include "driver.h"

/* Indexed by _IOC_NR(); holes are NULL handlers (-EINVAL), as in drm_ioctls[]. */
extern const struct gp_ioctl_desc gp_drm_core_ioctls[];
extern const unsigned int gp_drm_core_ioctls_count;

#endif /* GP_CORE_DRM_IOCTLS_H */
