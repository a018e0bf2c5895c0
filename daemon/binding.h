/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's binding: which backend and driver, and the registration
 * that is live now, if any.  bind/unbind are the bus-driver probe and
 * remove paths; a hot-unbind (control socket, device removal) and SIGTERM
 * all take gp_binding_unbind().
 */
#ifndef GP_DAEMON_BINDING_H
#define GP_DAEMON_BINDING_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"
#include "mock.h"
#include "vfio.h"

struct gp_binding;

struct gp_binding_config {
	const struct gp_driver *driver;
	const char *driver_name;
	const char *backend_name;	/* as given: "mock", "vfio-pci:0000:00:01.0" */
	enum gp_bus_type bus;		/* GP_BUS_MOCK: @mock; otherwise @vfio */
	struct gp_mock_config mock;
	struct gp_vfio_config vfio;
};

/* Interrupt lines the control plane watches: Mali has three, edu one. */
#define GP_BINDING_MAX_IRQS 4

/* Interrupt and removal fds of the live binding, for the control plane to watch. */
struct gp_binding_fds {
	unsigned int num_irqs;
	int irq_fds[GP_BINDING_MAX_IRQS];
	int removal_fd;			/* -1: none */
};

int gp_binding_new(const struct gp_binding_config *cfg, struct gp_binding **out);
void gp_binding_free(struct gp_binding **pb);

/**
 * gp_binding_bind() - open the backend and probe the driver into a fresh
 * device and registration.
 * @fds: filled with the new binding's fds to watch
 * Return: 0; -EBUSY when already bound; the backend's or probe's error.
 */
int gp_binding_bind(struct gp_binding *b, struct gp_binding_fds *fds);

/**
 * gp_binding_unbind() - revoke the registration: no new guard, wait for
 * in-flight handlers, release the hardware.  Files stay open and get ENODEV.
 * Context: the control-plane thread, after it stopped watching the fds.
 * Return: 0, or -EALREADY when nothing is bound.
 */
int gp_binding_unbind(struct gp_binding *b);

/**
 * gp_binding_removal_pending() - the removal fd became readable: drain it
 * and say whether the bound device is really going away.
 * Context: the control-plane thread.
 */
bool gp_binding_removal_pending(struct gp_binding *b);

/**
 * gp_binding_device_present() - whether the bus device is bound to the
 * driver we need (vfio) again, so a rebind can be tried.
 */
bool gp_binding_device_present(struct gp_binding *b);

/** gp_binding_current_device() - the bound device with a reference, or NULL. */
struct gp_device *gp_binding_current_device(struct gp_binding *b);

struct gp_binding_status {
	bool bound;
	uint64_t serial;		/* of the bound (or last) device */
	char unique[64];
	unsigned int open_files;	/* on the bound device */
	unsigned int binds, unbinds;
};

void gp_binding_get_status(struct gp_binding *b, struct gp_binding_status *st);

#endif /* GP_DAEMON_BINDING_H */
