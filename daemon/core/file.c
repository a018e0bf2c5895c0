// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Open files, as drm_file.c.
 */
#include <errno.h>
#include <stdlib.h>

#include "file.h"
#include "registration.h"

int gp_file_open(struct gp_device *dev, const struct gp_caller *caller, enum gp_node_type node,
		 struct gp_file **out)
{
	struct gp_guard guard;
	struct gp_file *file;

	file = calloc(1, sizeof(*file));
	if (!file)
		return -ENOMEM;

	/*
	 * As drm_open() refuses an unplugged minor: the reference is taken
	 * inside a guard, so a file can only be created on a device that was
	 * registered at that moment.
	 */
	if (!gp_dev_enter(dev, &guard)) {
		free(file);
		return -ENODEV;
	}
	file->dev = gp_device_get(dev);
	gp_dev_exit(&guard);

	file->caller = *caller;
	file->node = node;
	/* Legacy AUTH: as drm_open_helper(), privileged primary openers are authenticated. */
	file->authenticated = node == GP_NODE_PRIMARY && caller->cap_sys_admin;

	*out = file;
	return 0;
}

void gp_file_close(struct gp_file **pfile)
{
	struct gp_file *file = *pfile;

	if (!file)
		return;
	gp_device_put(&file->dev);
	free(file);
	*pfile = NULL;
}
