// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel uevents, as NETLINK_KOBJECT_UEVENT delivers them
 * (lib/kobject_uevent.c): one datagram per event, "ACTION@DEVPATH\0"
 * followed by "KEY=VALUE\0" pairs, ACTION, DEVPATH, SUBSYSTEM and SEQNUM
 * always among them.  udev's rebroadcasts start with "libudev\0" and a
 * binary header instead; they are not the kernel's word and are refused.
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "vfio.h"

#define GP_UEVENT_UDEV_MAGIC	"libudev"	/* with its NUL: 8 bytes */

/* Store @value in *@slot; a key given twice makes the message ambiguous. */
static int gp_uevent_take(const char **slot, const char *value)
{
	if (*slot)
		return -EINVAL;
	*slot = value;
	return 0;
}

int gp_uevent_parse(char *buf, size_t len, struct gp_uevent *ev)
{
	const char *end, *header, *at;
	size_t action_len;

	assert(buf || !len);
	assert(ev);

	*ev = (struct gp_uevent){ 0 };

	/* Every string, the last one too, is NUL-terminated: nothing runs off the end. */
	if (!len || buf[len - 1] != '\0')
		return -EINVAL;
	end = buf + len;
	if (len >= sizeof(GP_UEVENT_UDEV_MAGIC) &&
	    !memcmp(buf, GP_UEVENT_UDEV_MAGIC, sizeof(GP_UEVENT_UDEV_MAGIC)))
		return -EINVAL;

	header = buf;
	at = strchr(header, '@');
	if (!at || at == header || at[1] != '/')
		return -EINVAL;

	for (const char *p = header + strlen(header) + 1; p < end; p += strlen(p) + 1) {
		const char *eq = strchr(p, '=');
		size_t key_len;
		int r = 0;

		if (!eq || eq == p)
			goto invalid;
		key_len = (size_t)(eq - p);
		if (key_len == 6 && !memcmp(p, "ACTION", 6))
			r = gp_uevent_take(&ev->action, eq + 1);
		else if (key_len == 7 && !memcmp(p, "DEVPATH", 7))
			r = gp_uevent_take(&ev->devpath, eq + 1);
		else if (key_len == 9 && !memcmp(p, "SUBSYSTEM", 9))
			r = gp_uevent_take(&ev->subsystem, eq + 1);
		else if (key_len == 6 && !memcmp(p, "DRIVER", 6))
			r = gp_uevent_take(&ev->driver, eq + 1);
		if (r < 0)
			goto invalid;
	}
	if (!ev->action || !ev->devpath || !ev->subsystem || !*ev->action || ev->devpath[0] != '/')
		goto invalid;

	/* The header repeats ACTION and DEVPATH; a message that disagrees with itself is junk. */
	action_len = (size_t)(at - header);
	if (strlen(ev->action) != action_len || memcmp(header, ev->action, action_len) ||
	    strcmp(at + 1, ev->devpath))
		goto invalid;
	return 0;

invalid:
	*ev = (struct gp_uevent){ 0 };
	return -EINVAL;
}

/*
 * The @n-th component of @devpath from its end (0: the last), as a
 * pointer and length; false if there are fewer components.
 */
static bool gp_uevent_component(const char *devpath, unsigned int n, const char **s,
				size_t *len)
{
	const char *end = devpath + strlen(devpath);

	for (;;) {
		const char *start = end;

		while (start > devpath && start[-1] != '/')
			start--;
		if (start == devpath)	/* devpath starts with '/': nothing before it */
			return false;
		if (!n--) {
			*s = start;
			*len = (size_t)(end - start);
			return *len > 0;
		}
		end = start - 1;
	}
}

static bool gp_uevent_component_is(const char *devpath, unsigned int n, const char *name)
{
	const char *s;
	size_t len;

	return gp_uevent_component(devpath, n, &s, &len) && len == strlen(name) &&
	       !memcmp(s, name, len);
}

bool gp_uevent_is_removal(const struct gp_uevent *ev, const char *device)
{
	const char *child;
	size_t child_len;

	assert(ev);
	assert(device);

	if (!ev->action || !ev->devpath || !*device)
		return false;

	/*
	 * .../DEVICE/vfio-dev/vfioN: VFIO deletes this child device at the
	 * start of vfio_unregister_group_dev() (kernels with the VFIO cdev,
	 * about 6.5 on), before it waits for user space to let go.
	 * Components are compared whole: fb000000.gpu2 is not fb000000.gpu.
	 */
	if (!strcmp(ev->action, "remove") && ev->subsystem && !strcmp(ev->subsystem, "vfio-dev"))
		return gp_uevent_component(ev->devpath, 0, &child, &child_len) &&
		       gp_uevent_component_is(ev->devpath, 1, "vfio-dev") &&
		       gp_uevent_component_is(ev->devpath, 2, device);

	/* The device itself unbound or deleted. */
	if (!strcmp(ev->action, "unbind") || !strcmp(ev->action, "remove"))
		return gp_uevent_component_is(ev->devpath, 0, device);
	return false;
}
