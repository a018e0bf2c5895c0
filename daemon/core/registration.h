/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Registration, guard and revoke: the lifetime model.
 *
 * A registration makes an unregistered device reachable by clients and owns
 * the registration data (everything bound to the bus device).  Code reaches
 * the registered device and its data only inside a guard: an RCU read-side
 * section over the binding plus the unplugged check, the twin of
 * drm_dev_enter()/drm_dev_exit().  Revoke is drm_dev_unplug(): no new guard
 * succeeds, every guard that saw the device bound is waited for, then the
 * data is released exactly once and the registration's device reference is
 * dropped.
 */
#ifndef GP_CORE_REGISTRATION_H
#define GP_CORE_REGISTRATION_H

#include <stdbool.h>

#include "device.h"

struct gp_backend;

struct gp_registration;

/**
 * gp_registration_new() - register a probed device.
 * @pudev: the unregistered device; consumed (cleared) whatever the result
 * @pdata: the registration data filled by probe; consumed (cleared) whatever
 *	the result: on failure it is released through the driver
 * @out: the registration, owned by the caller (the binding)
 *
 * From the moment this returns 0, clients can open the device and guards on
 * it succeed.
 * Return: 0 or -ENOMEM.
 */
int gp_registration_new(struct gp_unregistered_device **pudev, void **pdata,
			struct gp_registration **out);

/**
 * gp_driver_bind() - probe @driver on a bus binding and register the result.
 * @driver: the chip personality
 * @backend: the bus binding; moved into the registration data on success,
 *	left with the caller (who releases it) on failure
 * @unique: the bus identity, for GET_UNIQUE
 * @out: the registration
 *
 * The bus-driver probe path: create an unregistered device, let the driver
 * probe into fresh registration data, register.  A rebind is simply another
 * call: a new device, never the old one revived.
 * Return: 0, or the driver's probe error, or -ENOMEM/-EINVAL.
 */
int gp_driver_bind(const struct gp_driver *driver, struct gp_backend **backend, const char *unique,
		   struct gp_registration **out);

/**
 * gp_registration_device() - the device, for opening files on it.
 * The returned pointer is borrowed: take a reference to keep it.
 */
struct gp_device *gp_registration_device(const struct gp_registration *reg);

/**
 * gp_registration_revoke() - unplug: the hot-unbind path.
 *
 * Marks the device unplugged, waits for a grace period (every in-flight
 * guard has exited), releases the registration data and drops the
 * registration's device reference.  Concurrent callers are serialised; the
 * later ones wait until the first has finished.
 *
 * Context: must not be called inside a guard (it would wait for itself);
 * such a call is refused with -EDEADLK and an assertion in debug builds.
 * Return: 0 when this call revoked, -EALREADY when it was already revoked.
 */
int gp_registration_revoke(struct gp_registration *reg);

/**
 * gp_registration_free() - revoke if needed and free; clears *@preg.
 *
 * Context: as gp_registration_revoke(), and the caller must own @reg
 * exclusively by now: concurrent revokes are serialised, but none may
 * still be running or start once free has begun (the registration's
 * memory goes away).
 */
void gp_registration_free(struct gp_registration **preg);

/**
 * struct gp_guard - a registration guard (drm_dev_enter/exit section).
 *
 * Lives on the stack of the code that entered it; must be exited on the
 * same thread.
 */
struct gp_guard {
	struct gp_device *dev;
	void *data;
};

/**
 * gp_dev_enter() - enter a guard.
 *
 * Return: true with @guard filled when the device is registered and not
 * unplugged; the caller must then call gp_dev_exit().  false otherwise (the
 * caller reports -ENODEV).  Nestable.
 */
bool gp_dev_enter(struct gp_device *dev, struct gp_guard *guard);

/** gp_dev_exit() - leave a guard entered by gp_dev_enter(). */
void gp_dev_exit(struct gp_guard *guard);

/** gp_guard_device() - the registered device, valid until gp_dev_exit(). */
static inline const struct gp_registered_device *gp_guard_device(const struct gp_guard *guard)
{
	return (const struct gp_registered_device *)guard->dev;
}

/** gp_guard_data() - the registration data, valid until gp_dev_exit(). */
static inline void *gp_guard_data(const struct gp_guard *guard)
{
	return guard->data;
}

/**
 * gp_device_handle_irq() - run the driver's IRQ handler inside a guard.
 * Return: 0, or -ENODEV when the device is no longer registered.
 */
int gp_device_handle_irq(struct gp_device *dev, unsigned int line);

/** gp_guard_held() - whether the calling thread is inside any guard. */
bool gp_guard_held(void);

#endif /* GP_CORE_REGISTRATION_H */
