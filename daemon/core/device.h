/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Devices and their typestates.
 *
 *   struct gp_unregistered_device  never visible to clients; probe-time work
 *   struct gp_device               refcounted; outlives the binding while
 *                                  files are open; holds no bus resources
 *   struct gp_registered_device    the device as seen inside a guard; handed
 *                                  to handlers, never stored
 *
 * The three are the same object seen through distinct pointer types, as the
 * Rust DRM typestates are one drm_device seen through distinct contexts.
 * Conversions only go the way the type system of the Rust series allows:
 * registered -> normal (Deref), unregistered -> registered only by
 * registration (gp_registration_new()).
 */
#ifndef GP_CORE_DEVICE_H
#define GP_CORE_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "driver.h"

struct gp_device;
struct gp_unregistered_device;
struct gp_registered_device;

/**
 * gp_device_new() - create a device for a driver, not yet registered.
 * @driver: the chip personality (must outlive the device)
 * @unique: the bus identity reported by GET_UNIQUE (copied)
 * @out: the new unregistered device, holding the creator's reference
 *
 * Return: 0, -ENOMEM, or -EINVAL for a malformed driver table.
 */
int gp_device_new(const struct gp_driver *driver, const char *unique,
		  struct gp_unregistered_device **out);

/**
 * gp_unregistered_device_free() - drop a device that was never registered
 * (probe failed).  Clears *@pudev; NULL is a no-op.
 */
void gp_unregistered_device_free(struct gp_unregistered_device **pudev);

/** gp_device_get() - take a reference. */
struct gp_device *gp_device_get(struct gp_device *dev);

/** gp_device_put() - drop a reference and clear *@pdev; NULL is a no-op. */
void gp_device_put(struct gp_device **pdev);

/* Immutable properties, readable in any state. */
const struct gp_driver *gp_device_driver(const struct gp_device *dev);
const char *gp_device_unique(const struct gp_device *dev);
/* A process-unique serial: a rebind gets a new one. */
uint64_t gp_device_serial(const struct gp_device *dev);

/**
 * gp_device_is_unplugged() - whether the device has been revoked.
 *
 * Racy by nature, like drm_dev_is_unplugged(): only a guard gives a stable
 * answer.  Used for early rejection and for reporting.
 */
bool gp_device_is_unplugged(const struct gp_device *dev);

/** gp_device_open_files() - how many files are open on @dev now. */
unsigned int gp_device_open_files(struct gp_device *dev);

static inline struct gp_device *gp_registered_to_device(const struct gp_registered_device *rdev)
{
	return (struct gp_device *)rdev;
}

static inline struct gp_device *gp_unregistered_to_device(const struct gp_unregistered_device *udev)
{
	return (struct gp_device *)udev;
}

#endif /* GP_CORE_DEVICE_H */
