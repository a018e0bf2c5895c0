// SPDX-License-Identifier: GPL-2.0-or-later
#include <stddef.h>
#include <string.h>

#include "drivers.h"

static const struct {
	const char *name;
	const struct gp_driver *driver;
} gp_drivers[] = {
	{ "mali-csf", &gp_mali_csf_driver },
	{ "qemu-edu", &gp_qemu_edu_driver },
	{ "qemu-pl031", &gp_qemu_pl031_driver },
	{ "qemu-virtio-mmio", &gp_qemu_virtio_mmio_driver },
};

static const char *const gp_driver_name_list[] = { "mali-csf", "qemu-edu", "qemu-pl031",
							   "qemu-virtio-mmio", NULL };

const struct gp_driver *gp_driver_find(const char *name)
{
	for (size_t i = 0; i < sizeof(gp_drivers) / sizeof(gp_drivers[0]); i++)
		if (strcmp(gp_drivers[i].name, name) == 0)
			return gp_drivers[i].driver;
	return NULL;
}

const char *const *gp_driver_names(void)
{
	return gp_driver_name_list;
}
