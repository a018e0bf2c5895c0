// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz gpu-protod's command line: gp_options_parse() and
 * gp_options_binding_config() (driver, backend, --mock-options), and the
 * mock option parser gp_mock_config_parse() on the raw input.
 *
 * The input is split at NUL bytes into at most FZ_ARGS_MAX arguments after
 * argv[0]; each lives in a heap block of exactly its length, so
 * AddressSanitizer sees any read past its end.  Checked besides the
 * sanitizers: the documented return values, the parsed options' ranges,
 * and that a refused mock option string leaves the configuration as it was.
 *
 * --help and --version print to stdout, which goes to /dev/null; log
 * messages are switched off.  getopt's and the parser's complaints go to
 * stderr, so fd 2 is silenced through libFuzzer's -close_fd_mask=2, which
 * LLVMFuzzerInitialize() adds unless the command line sets a mask:
 * libFuzzer then prints (and the sanitizers report) on a copy of stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "log.h"
#include "mock.h"
#include "options.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_ARGS_MAX 32

#define fz_assert(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "fuzz_options: " __VA_ARGS__);		\
			fputc('\n', stderr);					\
			abort();						\
		}								\
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char mask[] = "-close_fd_mask=2";
	char **args;
	int i;

	if (!freopen("/dev/null", "w", stdout))
		abort();
	for (i = 0; i < *argc; i++)
		if (!strncmp((*argv)[i], "-close_fd_mask=", 15))
			return 0;
	/* libFuzzer parses its flags after this returns: append ours (never freed). */
	args = calloc((size_t)*argc + 2, sizeof(*args));
	if (!args)
		abort();
	memcpy(args, *argv, (size_t)*argc * sizeof(*args));
	args[(*argc)++] = mask;
	*argv = args;
	return 0;
}

static void fz_check_options(const struct gp_options *o)
{
	fz_assert(o->backend && o->driver && o->devname && o->control, "a NULL string option");
	fz_assert(o->threads >= 1 && o->threads <= 64, "threads %u", o->threads);
	fz_assert(o->node == GP_NODE_RENDER || o->node == GP_NODE_PRIMARY, "node %d", o->node);
}

static void fz_binding_config(const struct gp_options *o)
{
	struct gp_binding_config cfg;
	int r = gp_options_binding_config(o, &cfg);

	fz_assert(r == 0 || r == -EINVAL, "gp_options_binding_config: %d", r);
	if (r < 0)
		return;
	fz_assert(cfg.driver, "no driver");
	if (!strcmp(o->backend, "mock")) {
		fz_assert(cfg.bus == GP_BUS_MOCK, "mock backend on bus %d", cfg.bus);
	} else {
		fz_assert(cfg.bus == GP_BUS_PLATFORM || cfg.bus == GP_BUS_AMBA ||
			  cfg.bus == GP_BUS_PCI, "vfio on bus %d", cfg.bus);
		fz_assert(cfg.vfio.device && *cfg.vfio.device, "vfio without a device name");
		fz_assert(cfg.vfio.device >= o->backend &&
				  cfg.vfio.device < o->backend + strlen(o->backend),
			  "the device name is not inside --backend");
		fz_assert(!strchr(cfg.vfio.device, '/'), "a device name with '/': %s", cfg.vfio.device);
		fz_assert(strcmp(cfg.vfio.device, ".") && strcmp(cfg.vfio.device, ".."),
			  "device name %s", cfg.vfio.device);
	}
}

/* The socket's owner, group and mode: resolved or refused, never wider than 0777. */
static void fz_socket_perm(const struct gp_options *o)
{
	uid_t uid;
	gid_t gid;
	mode_t mode;
	int r = gp_options_socket_perm(o, &uid, &gid, &mode);

	fz_assert(r == 0 || r == -EINVAL, "gp_options_socket_perm: %d", r);
	fz_assert(o->socket_mode <= 0777, "socket mode %o", o->socket_mode);
	if (r == 0)
		fz_assert(mode == o->socket_mode, "mode %o for --socket-mode %o", (unsigned int)mode,
			  o->socket_mode);
}

static void fz_options(const uint8_t *data, size_t size)
{
	char *argv[FZ_ARGS_MAX + 2] = { NULL };
	struct gp_options o;
	int argc = 0, r;

	argv[argc] = strdup("gpu-protod");
	fz_assert(argv[argc], "out of memory");
	argc++;
	for (size_t at = 0; at < size && argc <= FZ_ARGS_MAX;) {
		const uint8_t *nul = memchr(data + at, '\0', size - at);
		size_t len = nul ? (size_t)(nul - (data + at)) : size - at;

		argv[argc] = malloc(len + 1);
		fz_assert(argv[argc], "out of memory");
		memcpy(argv[argc], data + at, len);
		argv[argc][len] = '\0';
		argc++;
		at += len + 1;
	}

	gp_log_set_max_level(-1);
	r = gp_options_parse(argc, argv, &o);
	fz_assert(r == 0 || r == 1 || r == -EINVAL, "gp_options_parse: %d", r);
	/* --log-level may have switched logging on again. */
	gp_log_set_max_level(-1);
	if (r == 0) {
		fz_check_options(&o);
		fz_binding_config(&o);
		fz_socket_perm(&o);
	}
	/* getopt permutes argv; every pointer is still one of ours. */
	for (int i = 0; i < argc; i++)
		free(argv[i]);
}

static void fz_mock_options(const uint8_t *data, size_t size)
{
	struct gp_mock_config cfg, before;
	char err[256];
	char *opts = malloc(size + 1);
	int r;

	fz_assert(opts, "out of memory");
	memcpy(opts, data, size);
	opts[size] = '\0';
	gp_mock_config_init(&cfg);
	before = cfg;
	memset(err, 'x', sizeof(err));
	r = gp_mock_config_parse(&cfg, opts, err, sizeof(err));
	fz_assert(r == 0 || r == -EINVAL, "gp_mock_config_parse: %d", r);
	if (r < 0) {
		fz_assert(!memcmp(&cfg, &before, sizeof(cfg)), "a refused option string changed the config");
		fz_assert(memchr(err, '\0', sizeof(err)) && err[0], "no error message");
	} else if (!opts[0]) {
		fz_assert(!memcmp(&cfg, &before, sizeof(cfg)), "an empty option string changed the config");
	}
	/* Without an error buffer too. */
	gp_mock_config_init(&cfg);
	fz_assert(gp_mock_config_parse(&cfg, opts, NULL, 0) == r, "the result depends on the error buffer");
	free(opts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_options(data, size);
	fz_mock_options(data, size);
	return 0;
}
