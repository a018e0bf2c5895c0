// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the kernel uevent parser of the VFIO backend's removal detection:
 * gp_uevent_parse() on arbitrary datagrams, then gp_uevent_is_removal().
 *
 * The datagram is copied into a heap buffer of exactly its length, so
 * AddressSanitizer sees any read past its end.  Checked besides the
 * sanitizers: a parsed event's strings lie inside the datagram and agree
 * with its header, a refused one leaves the event empty, and parsing is a
 * pure function (the same bytes parse the same way twice).
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fz_assert(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "fuzz_uevent: " __VA_ARGS__);		\
			fputc('\n', stderr);					\
			abort();						\
		}								\
	} while (0)

/* A string the parser returned: it starts inside the datagram and ends at a NUL there. */
static void fz_check_string(const char *s, const char *buf, size_t len, const char *what)
{
	if (!s)
		return;
	fz_assert(s >= buf && s < buf + len, "%s points outside the datagram", what);
	fz_assert(memchr(s, '\0', (size_t)(buf + len - s)), "%s runs off the datagram", what);
}

/* Whether @device is the last path component of @devpath. */
static const char *fz_last_component(const char *devpath)
{
	const char *slash = strrchr(devpath, '/');

	return slash ? slash + 1 : devpath;
}

static void fz_removal(const struct gp_uevent *ev)
{
	static const char *const devices[] = { "fb000000.gpu", "0000:00:03.0", "gpu", "" };

	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		(void)gp_uevent_is_removal(ev, devices[i]);
	if (ev->devpath) {
		/* Names taken from the path itself are the ones that can match. */
		const char *last = fz_last_component(ev->devpath);
		bool removal = gp_uevent_is_removal(ev, last);

		if (removal)
			fz_assert(!strcmp(ev->action, "remove") || !strcmp(ev->action, "unbind"),
				  "a removal with action '%s'", ev->action);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct gp_uevent empty;
	struct gp_uevent ev, again;
	char *buf, *copy;
	int r, r2;

	buf = malloc(size ? size : 1);
	copy = malloc(size ? size : 1);
	fz_assert(buf && copy, "out of memory");
	if (size)
		memcpy(buf, data, size);
	if (size)
		memcpy(copy, data, size);

	r = gp_uevent_parse(size ? buf : NULL, size, &ev);
	fz_assert(r == 0 || r == -EINVAL, "gp_uevent_parse: %d", r);
	if (r < 0) {
		fz_assert(!memcmp(&ev, &empty, sizeof(ev)), "a refused datagram left fields set");
	} else {
		const char *at = strchr(buf, '@');

		fz_check_string(ev.action, buf, size, "ACTION");
		fz_check_string(ev.devpath, buf, size, "DEVPATH");
		fz_check_string(ev.subsystem, buf, size, "SUBSYSTEM");
		fz_check_string(ev.driver, buf, size, "DRIVER");
		fz_assert(ev.action && ev.devpath && ev.subsystem, "a parsed event lacks a key");
		fz_assert(at && ev.devpath[0] == '/' && !strcmp(at + 1, ev.devpath) &&
				  strlen(ev.action) == (size_t)(at - buf) &&
				  !memcmp(buf, ev.action, strlen(ev.action)),
			  "the event disagrees with its header");
		fz_assert(size < 8 || memcmp(buf, "libudev", 8), "a libudev message was accepted");
	}
	fz_removal(&ev);

	/* Parsing again gives the same answer. */
	r2 = gp_uevent_parse(size ? copy : NULL, size, &again);
	fz_assert(r2 == r, "parsing twice: %d, then %d", r, r2);

	/* gp_uevent_is_removal() on events built some other way: NULL fields, odd strings. */
	if (size) {
		struct gp_uevent odd = { 0 };
		const char *fields[4] = { NULL };
		size_t n = 0;

		buf[size - 1] = '\0';
		for (char *p = buf; p < buf + size && n < 4; p += strlen(p) + 1)
			fields[n++] = p;
		odd.action = fields[0];
		odd.devpath = fields[1];
		odd.subsystem = fields[2];
		odd.driver = fields[3];
		fz_removal(&odd);
	}
	free(copy);
	free(buf);
	return 0;
}
