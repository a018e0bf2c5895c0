/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The chip personalities compiled into the daemon.
 */
#ifndef GP_DRIVERS_H
#define GP_DRIVERS_H

#include "driver.h"

extern const struct gp_driver gp_mali_csf_driver;
/* Test-only: QEMU's edu PCI device, to prove the VFIO path in the VM. */
extern const struct gp_driver gp_qemu_edu_driver;
/* Test-only personalities of the virtual board (tests/board/). */
extern const struct gp_driver gp_qemu_pl031_driver;
extern const struct gp_driver gp_qemu_virtio_mmio_driver;

/** gp_driver_find() - a driver by its option name ("mali-csf"), or NULL. */
const struct gp_driver *gp_driver_find(const char *name);

/** gp_driver_names() - the option names, NULL-terminated, for --help. */
const char *const *gp_driver_names(void);

#endif /* GP_DRIVERS_H */
