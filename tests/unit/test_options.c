// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-protod's command line: defaults, every option, and the malformed
 * input that must be a usage error rather than a surprise at run time.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "check_run.h"

#define ARGV(...) ((char *[]){ (char *)"gpu-protod", __VA_ARGS__, NULL })

/* argv is NULL-terminated: argc follows from it. */
static int parse(char **argv, struct gp_options *o)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return gp_options_parse(argc, argv, o);
}

START_TEST(defaults)
{
	char *argv[] = { (char *)"gpu-protod", NULL };
	struct gp_options o;
	struct gp_binding_config cfg;

	ck_assert_int_eq(parse(argv, &o), 0);
	ck_assert_str_eq(o.backend, "mock");
	ck_assert_str_eq(o.driver, "mali-csf");
	ck_assert_str_eq(o.devname, "gpu-proto");
	ck_assert_str_eq(o.control, "/run/gpu-protod/control");
	ck_assert_uint_eq(o.threads, 4);
	ck_assert_int_eq(o.node, GP_NODE_RENDER);
	ck_assert(!o.foreground);
	ck_assert(o.rebind_auto);
	ck_assert_uint_eq(o.socket_max_connections, 1024);
	ck_assert_uint_eq(o.socket_max_per_uid, 128);
	ck_assert_int_eq(gp_options_binding_config(&o, &cfg), 0);
	ck_assert_int_eq(cfg.bus, GP_BUS_MOCK);
}
END_TEST

START_TEST(every_option_is_taken)
{
	char **argv = ARGV("-f", "-n", "gp2", "-t", "8", "-c", "/tmp/ctl", "--node=primary",
			   "--rebind=manual", "--mock-options=reset-delay-us=0", "-d", "mali-csf",
			   "--socket-max-connections=300", "--socket-max-per-uid=7");
	struct gp_options o;
	struct gp_binding_config cfg;

	ck_assert_int_eq(parse(argv, &o), 0);
	ck_assert(o.foreground);
	ck_assert_str_eq(o.devname, "gp2");
	ck_assert_uint_eq(o.threads, 8);
	ck_assert_str_eq(o.control, "/tmp/ctl");
	ck_assert_int_eq(o.node, GP_NODE_PRIMARY);
	ck_assert(!o.rebind_auto);
	ck_assert_uint_eq(o.socket_max_connections, 300);
	ck_assert_uint_eq(o.socket_max_per_uid, 7);
	ck_assert_int_eq(gp_options_binding_config(&o, &cfg), 0);
	ck_assert_uint_eq(cfg.mock.reset_delay_us, 0);
}
END_TEST

START_TEST(vfio_backends_are_parsed)
{
	char **pci = ARGV("--backend=vfio-pci:0000:00:01.0", "--driver=qemu-edu");
	char **plat = ARGV("-b", "vfio-platform:fb000000.gpu");
	struct gp_options o;
	struct gp_binding_config cfg;

	ck_assert_int_eq(parse(pci, &o), 0);
	ck_assert_int_eq(gp_options_binding_config(&o, &cfg), 0);
	ck_assert_int_eq(cfg.bus, GP_BUS_PCI);
	ck_assert_str_eq(cfg.vfio.device, "0000:00:01.0");
	ck_assert_int_eq(parse(plat, &o), 0);
	ck_assert_int_eq(gp_options_binding_config(&o, &cfg), 0);
	ck_assert_int_eq(cfg.bus, GP_BUS_PLATFORM);
	ck_assert_str_eq(cfg.vfio.device, "fb000000.gpu");
}
END_TEST

START_TEST(malformed_values_are_usage_errors)
{
	static const char *bad[][2] = {
		{ "--threads=0", NULL }, { "--threads=65", NULL }, { "--threads=4x", NULL },
		{ "--threads=-1", NULL }, { "--node=secondary", NULL }, { "--rebind=sometimes", NULL },
		{ "--log-level=loud", NULL }, { "--no-such-option", NULL }, { "extra-argument", NULL },
		{ "--socket-max-connections=0", NULL }, { "--socket-max-connections=65537", NULL },
		{ "--socket-max-per-uid=0", NULL }, { "--socket-max-per-uid=ten", NULL },
	};
	struct gp_options o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { (char *)"gpu-protod", (char *)bad[i][0], NULL };

		ck_assert_msg(parse(argv, &o) == -EINVAL, "%s was accepted", bad[i][0]);
	}
}
END_TEST

START_TEST(bad_backend_driver_and_mock_options_fail_the_binding_config)
{
	static const char *bad[] = {
		"--backend=nope", "--backend=vfio-pci:", "--backend=vfio-platform:../x",
		"--driver=nope", "--mock-options=bogus", "--mock-options=reset-delay-us=x",
	};
	struct gp_options o;
	struct gp_binding_config cfg;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { (char *)"gpu-protod", (char *)bad[i], NULL };

		ck_assert_int_eq(parse(argv, &o), 0);
		ck_assert_msg(gp_options_binding_config(&o, &cfg) == -EINVAL, "%s was accepted", bad[i]);
	}
}
END_TEST

START_TEST(mock_options_need_the_mock_backend)
{
	char **argv = ARGV("--backend=vfio-pci:0000:00:01.0", "--mock-options=reset-delay-us=0");
	struct gp_options o;
	struct gp_binding_config cfg;

	ck_assert_int_eq(parse(argv, &o), 0);
	ck_assert_int_eq(gp_options_binding_config(&o, &cfg), -EINVAL);
}
END_TEST

START_TEST(help_and_version_answer_and_stop)
{
	char **help = ARGV("--help");
	char **version = ARGV("--version");
	struct gp_options o;

	ck_assert_int_eq(parse(help, &o), 1);
	ck_assert_int_eq(parse(version, &o), 1);
}
END_TEST

static Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("cli");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, every_option_is_taken);
	tcase_add_test(tc, vfio_backends_are_parsed);
	tcase_add_test(tc, malformed_values_are_usage_errors);
	tcase_add_test(tc, bad_backend_driver_and_mock_options_fail_the_binding_config);
	tcase_add_test(tc, mock_options_need_the_mock_backend);
	tcase_add_test(tc, help_and_version_answer_and_stop);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gp_check_run(options_suite());
}
