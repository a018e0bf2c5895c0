// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-protod's command line: defaults, every option, and the malformed
 * input that must be a usage error rather than a surprise at run time.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gem.h"
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
	ck_assert_uint_eq(o.gem_max_handles, GP_GEM_DEFAULT_MAX_HANDLES);
	ck_assert_uint_eq((uint64_t)o.gem_max_mib << 20, GP_GEM_DEFAULT_MAX_BYTES);
	ck_assert_uint_eq(o.job_timeout_ms, 5000);
	ck_assert_int_eq(gp_options_binding_config(&o, &cfg), 0);
	ck_assert_int_eq(cfg.bus, GP_BUS_MOCK);
}
END_TEST

START_TEST(every_option_is_taken)
{
	char **argv = ARGV("-f", "-n", "gp2", "-t", "8", "-c", "/tmp/ctl", "--node=primary",
			   "--rebind=manual", "--mock-options=reset-delay-us=0", "-d", "mali-csf",
			   "--socket-max-connections=300", "--socket-max-per-uid=7",
			   "--gem-max-handles=99", "--gem-max-mib=5", "--job-timeout-ms=250");
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
	ck_assert_uint_eq(o.gem_max_handles, 99);
	ck_assert_uint_eq(o.gem_max_mib, 5);
	ck_assert_uint_eq(o.job_timeout_ms, 250);
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
		{ "--gem-max-handles=0", NULL }, { "--gem-max-handles=1048577", NULL },
		{ "--gem-max-mib=0", NULL }, { "--gem-max-mib=-1", NULL }, { "--gem-max-mib=1T", NULL },
		{ "--job-timeout-ms=9", NULL }, { "--job-timeout-ms=600001", NULL },
		{ "--job-timeout-ms=5s", NULL },
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

/* The socket's owner, group and mode: the node's (60-gpu-proto.rules) by default. */
START_TEST(socket_permissions_default_to_the_node_rule)
{
	struct gp_options o;
	uid_t uid;
	gid_t gid;
	mode_t mode;

	ck_assert_int_eq(parse(ARGV("-f"), &o), 0);
	ck_assert_int_eq(gp_options_socket_perm(&o, &uid, &gid, &mode), 0);
	ck_assert_uint_eq(uid, geteuid());
	ck_assert_uint_eq(mode, 0660);

	ck_assert_int_eq(parse(ARGV("--socket-owner=1234", "--socket-group=4321",
				    "--socket-mode=0640"), &o), 0);
	ck_assert_int_eq(gp_options_socket_perm(&o, &uid, &gid, &mode), 0);
	ck_assert_uint_eq(uid, 1234);
	ck_assert_uint_eq(gid, 4321);
	ck_assert_uint_eq(mode, 0640);

	ck_assert_int_eq(parse(ARGV("--socket-owner=root", "--socket-group=root"), &o), 0);
	ck_assert_int_eq(gp_options_socket_perm(&o, &uid, &gid, &mode), 0);
	ck_assert_uint_eq(uid, 0);
	ck_assert_uint_eq(gid, 0);

	ck_assert_int_eq(parse(ARGV("--socket-group=no-such-group-here"), &o), 0);
	ck_assert_int_eq(gp_options_socket_perm(&o, &uid, &gid, &mode), -EINVAL);
	ck_assert_int_eq(parse(ARGV("--socket-owner=no-such-user-here"), &o), 0);
	ck_assert_int_eq(gp_options_socket_perm(&o, &uid, &gid, &mode), -EINVAL);

	/* Permission bits only, in octal. */
	ck_assert_int_eq(parse(ARGV("--socket-mode=4660"), &o), -EINVAL);
	ck_assert_int_eq(parse(ARGV("--socket-mode=0698"), &o), -EINVAL);
	ck_assert_int_eq(parse(ARGV("--socket-mode="), &o), -EINVAL);
	ck_assert_int_eq(parse(ARGV("--socket-mode=-1"), &o), -EINVAL);
	ck_assert_int_eq(parse(ARGV("--socket-group="), &o), -EINVAL);
}
END_TEST

/* A user's own daemon cannot give its socket "render": its own group instead. */
START_TEST(a_daemon_outside_the_render_group_keeps_its_own)
{
	struct gp_options o;
	uid_t uid;
	gid_t gid;
	mode_t mode;
	int status;
	pid_t pid;

	if (geteuid() != 0 || !getgrnam("render"))
		return;		/* needs root to become another user, and the group */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(4201, 4201, 4201) < 0 ||
		    setresuid(4201, 4201, 4201) < 0)
			_exit(10);
		if (parse(ARGV("-f"), &o) < 0 || gp_options_socket_perm(&o, &uid, &gid, &mode) < 0)
			_exit(11);
		_exit(uid == 4201 && gid == 4201 ? 0 : 12);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
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
	tcase_add_test(tc, socket_permissions_default_to_the_node_rule);
	tcase_add_test(tc, a_daemon_outside_the_render_group_keeps_its_own);
	tcase_add_test(tc, help_and_version_answer_and_stop);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gp_check_run(options_suite());
}
