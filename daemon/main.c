// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-protod: a user-space DRM-like GPU device daemon.
 *
 * This build has no client-facing transport yet (the CUSE frontend is the
 * next layer).  What it can do is the whole bring-up below it: open a
 * backend, probe the driver into a registration, answer the core and driver
 * queries through the dispatcher, then revoke, as a hot-unbind would.  That
 * is --dry-run.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "backend.h"
#include "drivers.h"
#include "file.h"
#include "inproc.h"
#include "log.h"
#include "mock.h"
#include "registration.h"

#define GP_VERSION_STRING "0.1.0"

struct gp_options {
	const char *backend;
	const char *driver;
	const char *mock_options;
	bool dry_run;
};

static void gp_usage(FILE *out)
{
	fprintf(out,
		"Usage: gpu-protod [OPTIONS]\n"
		"\n"
		"User-space DRM-like GPU device daemon.\n"
		"\n"
		"Options:\n"
		"  -b, --backend=NAME       how registers are reached: mock (default: mock)\n"
		"  -d, --driver=NAME        chip personality: mali-csf (default: mali-csf)\n"
		"      --mock-options=OPTS  mock model and fault injection, comma-separated:\n"
		"                           reset-delay-us=N, l2-power-delay-us=N,\n"
		"                           access-delay-ns=N, timestamp-start=N,\n"
		"                           reset-never-completes, l2-never-ready\n"
		"      --dry-run            probe, answer VERSION/GET_CAP/DEV_QUERY in-process,\n"
		"                           print the results, revoke and exit\n"
		"      --log-level=LEVEL    err, warning, notice, info or debug (default: info)\n"
		"  -h, --help               show this help and exit\n"
		"      --version            show the version and exit\n"
		"\n"
		"This version has no client transport: /dev/gpu-proto is not created yet,\n"
		"so --dry-run is the only mode that runs.\n");
}

static int gp_parse_log_level(const char *s)
{
	static const struct { const char *name; int level; } levels[] = {
		{ "err", LOG_ERR }, { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(s, levels[i].name) == 0)
			return levels[i].level;
	return -EINVAL;
}

/* 0 to run, 1 to exit successfully (--help, --version), -EINVAL on bad usage. */
static int gp_parse_args(int argc, char **argv, struct gp_options *o)
{
	enum { OPT_MOCK = 0x100, OPT_DRY_RUN, OPT_LOG_LEVEL, OPT_VERSION };
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "driver", required_argument, NULL, 'd' },
		{ "mock-options", required_argument, NULL, OPT_MOCK },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ 0 },
	};
	int c, level;

	*o = (struct gp_options){ .backend = "mock", .driver = "mali-csf" };
	while ((c = getopt_long(argc, argv, "b:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->backend = optarg;
			break;
		case 'd':
			o->driver = optarg;
			break;
		case OPT_MOCK:
			o->mock_options = optarg;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_LOG_LEVEL:
			level = gp_parse_log_level(optarg);
			if (level < 0)
				return gp_log_errno(LOG_ERR, EINVAL, "--log-level=%s: unknown level", optarg);
			gp_log_set_max_level(level);
			break;
		case 'h':
			gp_usage(stdout);
			return 1;
		case OPT_VERSION:
			printf("gpu-protod " GP_VERSION_STRING "\n");
			return 1;
		default:
			fprintf(stderr, "Try 'gpu-protod --help'.\n");
			return -EINVAL;
		}
	}
	if (optind < argc)
		return gp_log_errno(LOG_ERR, EINVAL, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int gp_open_backend(const struct gp_options *o, struct gp_backend **out)
{
	struct gp_mock_config cfg;
	char err[256] = "";
	int r;

	if (strcmp(o->backend, "mock") != 0)
		return gp_log_errno(LOG_ERR, EINVAL,
				    "--backend=%s: unknown backend (this version supports: mock)",
				    o->backend);
	gp_mock_config_init(&cfg);
	r = gp_mock_config_parse(&cfg, o->mock_options, err, sizeof(err));
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "--mock-options: %s", err);
	r = gp_mock_open(&cfg, out);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "mock backend: cannot open");
	return 0;
}

/* Issue the queries a client would, through the real dispatcher. */
static int gp_dry_run_queries(struct gp_device *dev)
{
	const struct gp_caller caller = { .uid = getuid(), .gid = getgid(), .pid = getpid() };
	struct gp_inproc_caller *c = NULL;
	struct gp_file *file = NULL;
	char name[64] = "", desc[128] = "";
	struct gpu_proto_version v = {
		.name_len = sizeof(name) - 1, .name = name,
		.desc_len = sizeof(desc) - 1, .desc = desc,
	};
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };
	struct gpu_proto_mali_gpu_info info = { 0 };
	struct gpu_proto_mali_timestamp_info ts = { 0 };
	struct gpu_proto_mali_dev_query q;
	int r;

	r = gp_inproc_caller_new(GP_INPROC_RETRY, &c);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "in-process transport");
	gp_inproc_caller_map(c, &v, sizeof(v), GP_USER_IN | GP_USER_OUT);
	gp_inproc_caller_map(c, name, sizeof(name), GP_USER_OUT);
	gp_inproc_caller_map(c, desc, sizeof(desc), GP_USER_OUT);
	gp_inproc_caller_map(c, &cap, sizeof(cap), GP_USER_IN | GP_USER_OUT);
	gp_inproc_caller_map(c, &q, sizeof(q), GP_USER_IN | GP_USER_OUT);
	gp_inproc_caller_map(c, &info, sizeof(info), GP_USER_OUT);
	gp_inproc_caller_map(c, &ts, sizeof(ts), GP_USER_OUT);

	r = gp_file_open(dev, &caller, GP_NODE_RENDER, &file);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "open");
		goto out;
	}

	r = gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_VERSION, (uintptr_t)&v);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "VERSION");
		goto out;
	}
	printf("driver: %s %d.%d.%d (%s)\n", name, v.version_major, v.version_minor,
	       v.version_patchlevel, desc);

	r = gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_GET_CAP, (uintptr_t)&cap);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "GET_CAP");
		goto out;
	}
	printf("cap TIMESTAMP_MONOTONIC: %" PRIu64 "\n", (uint64_t)cap.value);

	q = (struct gpu_proto_mali_dev_query){
		.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .size = sizeof(info),
		.pointer = (uintptr_t)&info,
	};
	r = gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_MALI_DEV_QUERY, (uintptr_t)&q);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "DEV_QUERY(GPU_INFO)");
		goto out;
	}
	printf("gpu_id: 0x%08x (arch %u.%u r%up%u)\n", info.gpu_id,
	       GPU_PROTO_MALI_ARCH_MAJOR(info.gpu_id), GPU_PROTO_MALI_ARCH_MINOR(info.gpu_id),
	       GPU_PROTO_MALI_VERSION_MAJOR(info.gpu_id), GPU_PROTO_MALI_VERSION_MINOR(info.gpu_id));
	printf("shader_present: 0x%" PRIx64 "  l2_present: 0x%" PRIx64 "  tiler_present: 0x%" PRIx64 "\n",
	       (uint64_t)info.shader_present, (uint64_t)info.l2_present, (uint64_t)info.tiler_present);

	q = (struct gpu_proto_mali_dev_query){
		.type = GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO, .size = sizeof(ts),
		.pointer = (uintptr_t)&ts,
	};
	r = gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_MALI_DEV_QUERY, (uintptr_t)&q);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "DEV_QUERY(TIMESTAMP_INFO)");
		goto out;
	}
	printf("timestamp: %" PRIu64 " at %" PRIu64 " Hz\n", (uint64_t)ts.current_timestamp,
	       (uint64_t)ts.timestamp_frequency);
out:
	gp_file_close(&file);
	gp_inproc_caller_free(&c);
	return r;
}

int main(int argc, char **argv)
{
	struct gp_registration *reg = NULL;
	struct gp_backend *be = NULL;
	const struct gp_driver *driver;
	struct gp_options o;
	char unique[sizeof(be->bus_id)];
	int r;

	r = gp_parse_args(argc, argv, &o);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;

	driver = gp_driver_find(o.driver);
	if (!driver) {
		gp_log_errno(LOG_ERR, EINVAL, "--driver=%s: unknown driver (known: mali-csf)", o.driver);
		return EXIT_FAILURE;
	}
	if (!o.dry_run) {
		gp_log_error("this version has no client transport (the CUSE frontend is not built yet); "
			     "run with --dry-run");
		return EXIT_FAILURE;
	}

	r = gp_open_backend(&o, &be);
	if (r < 0)
		return EXIT_FAILURE;
	snprintf(unique, sizeof(unique), "%s", be->bus_id);
	r = gp_driver_bind(driver, &be, unique, &reg);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "%s: probe of %s failed", o.driver, unique);
		gp_backend_release(&be);
		return EXIT_FAILURE;
	}
	gp_log_info("%s: bound to %s (%s backend)", o.driver, unique, o.backend);

	r = gp_dry_run_queries(gp_registration_device(reg));

	/* The same path a hot-unbind takes. */
	gp_registration_free(&reg);
	gp_log_info("%s: revoked and released", o.driver);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
