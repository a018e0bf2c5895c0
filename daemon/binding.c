// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "binding.h"
#include "log.h"
#include "registration.h"

struct gp_binding {
	struct gp_binding_config cfg;
	/*
	 * Protects @reg against CUSE workers looking up the current device
	 * while the control plane binds or unbinds.  Never held across a
	 * revoke: an open in a worker must not wait for a grace period.
	 */
	pthread_mutex_t lock;
	struct gp_registration *reg;
	/*
	 * The live binding's backend, borrowed for removal detection only.
	 * The registration data owns it; it stays valid until unbind, which
	 * clears this pointer before revoking, and both happen on the
	 * control-plane thread.
	 */
	struct gp_backend *backend;
	uint64_t last_serial;
	char last_unique[64];
	unsigned int binds, unbinds;
};

int gp_binding_new(const struct gp_binding_config *cfg, struct gp_binding **out)
{
	struct gp_binding *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->cfg = *cfg;
	pthread_mutex_init(&b->lock, NULL);
	*out = b;
	return 0;
}

void gp_binding_free(struct gp_binding **pb)
{
	struct gp_binding *b = *pb;

	if (!b)
		return;
	gp_binding_unbind(b);
	pthread_mutex_destroy(&b->lock);
	free(b);
	*pb = NULL;
}

int gp_binding_bind(struct gp_binding *b, struct gp_binding_fds *fds)
{
	struct gp_registration *reg = NULL;
	struct gp_backend *be = NULL, *borrowed;
	char unique[sizeof(be->bus_id)];
	bool busy;
	int r;

	pthread_mutex_lock(&b->lock);
	busy = b->reg != NULL;
	pthread_mutex_unlock(&b->lock);
	if (busy)
		return -EBUSY;

	if (b->cfg.bus == GP_BUS_MOCK)
		r = gp_mock_open(&b->cfg.mock, &be);
	else
		r = gp_vfio_open(&b->cfg.vfio, &be);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "%s backend: cannot open", b->cfg.backend_name);

	/* Copied before probe moves the backend into the registration data. */
	snprintf(unique, sizeof(unique), "%s", be->bus_id);
	*fds = (struct gp_binding_fds){ .removal_fd = be->removal_fd };
	for (unsigned int i = 0; i < be->num_irqs && i < GP_BINDING_MAX_IRQS; i++)
		fds->irq_fds[fds->num_irqs++] = be->irq_fds[i];
	if (be->num_irqs > GP_BINDING_MAX_IRQS)
		gp_log_warning("%s: %u interrupt lines; only the first %u are watched", unique,
			       be->num_irqs, GP_BINDING_MAX_IRQS);

	/* Probe moves the backend into the registration data; we keep a borrowed pointer. */
	borrowed = be;
	r = gp_driver_bind(b->cfg.driver, &be, unique, &reg);
	if (r < 0) {
		gp_backend_release(&be);
		return gp_log_errno(LOG_ERR, r, "%s: probe of %s failed", b->cfg.driver_name, unique);
	}

	pthread_mutex_lock(&b->lock);
	b->reg = reg;
	b->backend = borrowed;
	b->last_serial = gp_device_serial(gp_registration_device(reg));
	snprintf(b->last_unique, sizeof(b->last_unique), "%s", unique);
	b->binds++;
	pthread_mutex_unlock(&b->lock);
	gp_log_info("%s: bound to %s (%s backend), device #%llu", b->cfg.driver_name, unique,
		    b->cfg.backend_name, (unsigned long long)b->last_serial);
	return 0;
}

int gp_binding_unbind(struct gp_binding *b)
{
	struct gp_registration *reg;

	/* New opens see "unbound" from here on; revoke stops everything else. */
	pthread_mutex_lock(&b->lock);
	reg = b->reg;
	b->reg = NULL;
	b->backend = NULL;
	pthread_mutex_unlock(&b->lock);
	if (!reg)
		return -EALREADY;

	gp_registration_free(&reg);
	pthread_mutex_lock(&b->lock);
	b->unbinds++;
	pthread_mutex_unlock(&b->lock);
	gp_log_info("%s: device #%llu revoked and released", b->cfg.driver_name,
		    (unsigned long long)b->last_serial);
	return 0;
}

struct gp_device *gp_binding_current_device(struct gp_binding *b)
{
	struct gp_device *dev = NULL;

	pthread_mutex_lock(&b->lock);
	if (b->reg)
		dev = gp_device_get(gp_registration_device(b->reg));
	pthread_mutex_unlock(&b->lock);
	return dev;
}

void gp_binding_get_status(struct gp_binding *b, struct gp_binding_status *st)
{
	struct gp_device *dev = gp_binding_current_device(b);

	pthread_mutex_lock(&b->lock);
	*st = (struct gp_binding_status){
		.bound = dev != NULL,
		.serial = b->last_serial,
		.binds = b->binds,
		.unbinds = b->unbinds,
	};
	snprintf(st->unique, sizeof(st->unique), "%s", b->last_unique);
	pthread_mutex_unlock(&b->lock);
	if (dev) {
		st->open_files = gp_device_open_files(dev);
		gp_device_put(&dev);
	}
}

bool gp_binding_removal_pending(struct gp_binding *b)
{
	uint64_t count;

	if (!b->backend)
		return false;
	if (b->cfg.bus == GP_BUS_MOCK)
		return read(b->backend->removal_fd, &count, sizeof(count)) == sizeof(count);
	return gp_vfio_removal_pending(b->backend);
}

bool gp_binding_device_present(struct gp_binding *b)
{
	return b->cfg.bus == GP_BUS_MOCK || gp_vfio_driver_bound(&b->cfg.vfio);
}
