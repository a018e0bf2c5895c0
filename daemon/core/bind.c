// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bus-driver probe path: unregistered device -> probe -> registration.
 */
#include <errno.h>
#include <stdlib.h>

#include "registration.h"

int gp_driver_bind(const struct gp_driver *driver, struct gp_backend **backend, const char *unique,
		   struct gp_registration **out)
{
	struct gp_unregistered_device *udev = NULL;
	void *data;
	int r;

	r = gp_device_new(driver, unique, &udev);
	if (r < 0)
		return r;

	/* At least one byte: a NULL data pointer means "not registered". */
	data = calloc(1, driver->data_size ? driver->data_size : 1);
	if (!data) {
		gp_unregistered_device_free(&udev);
		return -ENOMEM;
	}

	r = driver->probe(udev, data, backend);
	if (r < 0) {
		/* probe released what it acquired; the backend stays with the caller. */
		free(data);
		gp_unregistered_device_free(&udev);
		return r;
	}

	return gp_registration_new(&udev, &data, out);
}
