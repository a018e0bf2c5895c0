// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VM test: a raw-ioctl client against a running gpu-protod over real CUSE.
 * Every ioctl and its errors, round trips per ioctl (from the control
 * socket's status), events through read and poll, EINTR for a blocked read.
 *
 * The same suite runs on the host over the socket transport, under
 * gpu-proto-run (tests/socket/): everything but the node's mode, which
 * only CUSE has, must behave the same.
 *
 * Usage: gp-vm-ioctl [DEVICE [CONTROL-SOCKET]]
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

static const char *device = "/dev/gpu-proto";
static const char *control = "/run/gpu-protod/control";
static int fd = -1;

static void setup(void)
{
	fd = open(device, O_RDWR | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open %s: %s", device, strerror(errno));
}

static void teardown(void)
{
	close(fd);
}

/* ioctl(2) result as 0 or -errno. */
static int xioctl(unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* A counter from the daemon's status, or -1. */
static long long status_value(const char *key)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[2048], *p;
	size_t got = 0, klen = strlen(key);
	ssize_t n;
	int s;

	strcpy(sun.sun_path, control);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sun, sizeof(sun)) < 0 || write(s, "status\n", 7) != 7)
		return -1;
	while (got < sizeof(buf) - 1 && (n = read(s, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	close(s);
	buf[got] = '\0';
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, klen) == 0 && p[klen] == '=')
			return atoll(p + klen + 1);
	return -1;
}

#define RESIZE(cmd, size) (((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) | ((size) << _IOC_SIZESHIFT))

/* Under gpu-proto-run the device is a socket connection, not a node. */
static int over_socket(void)
{
	const char *preload = getenv("LD_PRELOAD");

	return preload && strstr(preload, "libgpuproto-shim");
}

START_TEST(node_is_a_char_device)
{
	struct stat st;

	if (over_socket())
		return;		/* CUSE only: the socket transport has no node */

	ck_assert_int_eq(stat(device, &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	/* devtmpfs's default without udev; the udev rule widens it on a system. */
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_uint_eq(st.st_uid, 0);
}
END_TEST

START_TEST(version_two_pass_without_nul)
{
	struct gpu_proto_version v = { 0 };
	char name[16], date[8], desc[96];

	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_VERSION, &v), 0);
	ck_assert_int_eq(v.version_major, 1);
	ck_assert_int_eq(v.version_minor, 2);
	ck_assert_uint_eq(v.name_len, 7);
	ck_assert_uint_eq(v.date_len, 1);
	ck_assert_uint_lt(v.desc_len, sizeof(desc));
	memset(name, 'x', sizeof(name));
	memset(desc, 'x', sizeof(desc));
	memset(date, 'x', sizeof(date));
	v.name = name;
	v.date = date;
	v.desc = desc;
	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_VERSION, &v), 0);
	ck_assert_int_eq(memcmp(name, "panthor", 7), 0);
	ck_assert_int_eq(name[7], 'x');
	ck_assert_int_eq(date[0], '0');
	ck_assert_int_eq(date[1], 'x');
}
END_TEST

START_TEST(get_cap_values_and_eopnotsupp)
{
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };

	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_GET_CAP, &cap), 0);
	ck_assert_uint_eq(cap.value, 1);
	cap = (struct gpu_proto_get_cap){ .capability = GPU_PROTO_CAP_DUMB_BUFFER, .value = 5 };
	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_GET_CAP, &cap), -EOPNOTSUPP);
	/* Copied out even on error, as drm_ioctl(): the value was zeroed. */
	ck_assert_uint_eq(cap.value, 0);
}
END_TEST

START_TEST(get_unique_is_eacces_for_render_clients)
{
	struct gpu_proto_unique u = { 0 };

	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_GET_UNIQUE, &u), -EACCES);
}
END_TEST

START_TEST(round_trips_are_two_and_three)
{
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };
	char name[8];
	struct gpu_proto_version v = { .name_len = sizeof(name), .name = name };
	long long rt0, io0;

	rt0 = status_value("ioctl_round_trips");
	io0 = status_value("ioctls");
	ck_assert_int_ge(rt0, 0);
	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_GET_CAP, &cap), 0);
	ck_assert_int_eq(status_value("ioctl_round_trips") - rt0, 2);
	ck_assert_int_eq(status_value("ioctls") - io0, 1);

	rt0 = status_value("ioctl_round_trips");
	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_VERSION, &v), 0);
	ck_assert_int_eq(status_value("ioctl_round_trips") - rt0, 3);
}
END_TEST

START_TEST(dev_query_negotiation)
{
	struct gpu_proto_mali_dev_query q = { .type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO };
	unsigned char buf[sizeof(struct gpu_proto_mali_gpu_info) + 64];
	struct gpu_proto_mali_gpu_info *info = (void *)buf;

	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q), 0);
	ck_assert_uint_eq(q.size, sizeof(struct gpu_proto_mali_gpu_info));

	memset(buf, 0xaa, sizeof(buf));
	q.pointer = (uintptr_t)buf;
	q.size = GPU_PROTO_MALI_GPU_INFO_MIN_SIZE - 1;
	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q), -EINVAL);
	ck_assert_uint_eq(buf[0], 0xaa);

	q.size = sizeof(buf);
	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q), 0);
	ck_assert_uint_eq(info->gpu_id, 0xa8670005);
	ck_assert_uint_eq(info->shader_present, 0x50005);
	for (size_t i = sizeof(*info); i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], 0);
}
END_TEST

START_TEST(timestamps_advance)
{
	struct gpu_proto_mali_timestamp_info a, b;
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO, .size = sizeof(a), .pointer = (uintptr_t)&a,
	};

	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q), 0);
	usleep(10000);
	q.pointer = (uintptr_t)&b;
	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q), 0);
	ck_assert_uint_gt(b.current_timestamp, a.current_timestamp);
	ck_assert_uint_eq(b.timestamp_frequency, 24000000);
}
END_TEST

START_TEST(unknown_commands)
{
	struct gpu_proto_get_cap cap = { 0 };

	ck_assert_int_eq(xioctl(_IOWR('x', 0x0c, struct gpu_proto_get_cap), &cap), -ENOTTY);
	ck_assert_int_eq(xioctl(_IOWR('d', 0x30, struct gpu_proto_get_cap), &cap), -EINVAL);
	/* A hole in mali-csf's table: past panthor's ids, below the prototyping ones. */
	ck_assert_int_eq(xioctl(_IOWR('d', 0x4d, struct gpu_proto_get_cap), &cap), -EINVAL);
	ck_assert_int_eq(xioctl(_IOWR('d', 0x9f, struct gpu_proto_get_cap), &cap), -EINVAL);
}
END_TEST

START_TEST(shorter_and_longer_structs)
{
	/* An older caller that knows only type and size: pointer reads as 0. */
	struct { uint32_t type, size; uint32_t guard[2]; } old = {
		.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .guard = { 0x5a5a5a5a, 0x5a5a5a5a },
	};
	struct { struct gpu_proto_mali_dev_query q; uint64_t newer; } big = {
		.q = { .type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO }, .newer = 0x1122334455667788ull,
	};

	ck_assert_int_eq(xioctl(RESIZE(GPU_PROTO_IOCTL_MALI_DEV_QUERY, 8), &old), 0);
	ck_assert_uint_eq(old.size, sizeof(struct gpu_proto_mali_gpu_info));
	ck_assert_uint_eq(old.guard[0], 0x5a5a5a5a);
	ck_assert_int_eq(xioctl(RESIZE(GPU_PROTO_IOCTL_MALI_DEV_QUERY, sizeof(big)), &big), 0);
	ck_assert_uint_eq(big.q.size, sizeof(struct gpu_proto_mali_gpu_info));
	ck_assert_uint_eq(big.newer, 0x1122334455667788ull);
}
END_TEST

START_TEST(bad_pointers_are_efault)
{
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .size = 112, .pointer = 0x10,
	};
	struct gpu_proto_version v = { .name_len = 8, .name = (char *)0x20 };

	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_GET_CAP, (void *)0x30), -EFAULT);
	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q), -EFAULT);
	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_VERSION, &v), -EFAULT);
}
END_TEST

START_TEST(oversized_transfer_is_enomem)
{
	/* CUSE moves at most 128 KiB per direction; the daemon says so up front. */
	size_t size = 256 << 10;
	unsigned char *buf = malloc(size);
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .size = (uint32_t)size, .pointer = (uintptr_t)buf,
	};

	ck_assert_int_eq(xioctl(GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q), -ENOMEM);
	free(buf);
}
END_TEST

static int flush(uint64_t user_data)
{
	struct gpu_proto_mali_flush_caches req = { .user_data = user_data };

	return xioctl(GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES, &req);
}

START_TEST(flush_event_arrives_through_poll_and_read)
{
	struct gpu_proto_mali_event_flush_done ev;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char small[8];

	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	ck_assert_int_eq(flush(0xabc), 0);
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	ck_assert(pfd.revents & POLLIN);
	ck_assert_int_eq(read(fd, small, sizeof(small)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(read(fd, &ev, sizeof(ev)), sizeof(ev));
	ck_assert_uint_eq(ev.base.type, GPU_PROTO_MALI_EVENT_FLUSH_DONE);
	ck_assert_uint_eq(ev.user_data, 0xabc);
}
END_TEST

START_TEST(blocking_read_waits_for_the_event)
{
	struct gpu_proto_mali_event_flush_done ev;

	ck_assert_int_eq(flush(7), 0);
	/* Nothing queued yet (the mock's flush takes its time): this read parks. */
	ck_assert_int_eq(read(fd, &ev, sizeof(ev)), sizeof(ev));
	ck_assert_uint_eq(ev.user_data, 7);
	ck_assert_int_ge(status_value("reads_parked"), 1);
}
END_TEST

START_TEST(nonblocking_read_with_nothing_queued_is_eagain)
{
	char buf[64];

	fcntl(fd, F_SETFL, O_NONBLOCK);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EAGAIN);
}
END_TEST

static void on_alarm(int sig)
{
}

START_TEST(blocked_read_is_interrupted_with_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	char buf[64];

	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EINTR);
	/* The device still works afterwards. */
	ck_assert_int_eq(flush(9), 0);
	ck_assert_int_gt(read(fd, buf, sizeof(buf)), 0);
}
END_TEST

START_TEST(write_is_einval)
{
	ck_assert_int_eq(write(fd, "x", 1), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

static Suite *vm_ioctl_suite(void)
{
	Suite *s = suite_create("gpu-protod over CUSE");
	TCase *tc = tcase_create("ioctl");
	TCase *ev = tcase_create("events");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, node_is_a_char_device);
	tcase_add_test(tc, version_two_pass_without_nul);
	tcase_add_test(tc, get_cap_values_and_eopnotsupp);
	tcase_add_test(tc, get_unique_is_eacces_for_render_clients);
	tcase_add_test(tc, round_trips_are_two_and_three);
	tcase_add_test(tc, dev_query_negotiation);
	tcase_add_test(tc, timestamps_advance);
	tcase_add_test(tc, unknown_commands);
	tcase_add_test(tc, shorter_and_longer_structs);
	tcase_add_test(tc, bad_pointers_are_efault);
	tcase_add_test(tc, oversized_transfer_is_enomem);
	tcase_add_test(tc, write_is_einval);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(ev, setup, teardown);
	tcase_set_timeout(ev, 60);
	tcase_add_test(ev, flush_event_arrives_through_poll_and_read);
	tcase_add_test(ev, blocking_read_waits_for_the_event);
	tcase_add_test(ev, nonblocking_read_with_nothing_queued_is_eagain);
	tcase_add_test(ev, blocked_read_is_interrupted_with_eintr);
	suite_add_tcase(s, ev);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc > 1)
		device = argv[1];
	if (argc > 2)
		control = argv[2];
	sr = srunner_create(vm_ioctl_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
