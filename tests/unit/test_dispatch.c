// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ioctl dispatch, as drm_ioctl(): every scenario runs through the
 * in-process transport in both of its modes (direct, and the CUSE retry
 * protocol), since the behaviour must not depend on the transport.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "fake_driver.h"
#include "file.h"
#include "inproc.h"
#include "ioctl.h"
#include "registration.h"
#include "check_run.h"

static struct gp_registration *reg;
static struct gp_inproc_caller *caller;
static struct gp_file *file;

static const struct gp_caller plain_user = { .uid = 1000, .gid = 1000, .pid = 42 };
static const struct gp_caller admin = { .uid = 0, .gid = 0, .pid = 43, .cap_sys_admin = true };

static void open_file(const struct gp_caller *who, enum gp_node_type node)
{
	gp_file_close(&file);
	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), who, node, &file), 0);
}

static void setup_mode(enum gp_inproc_mode mode)
{
	fake_driver_reset();
	reg = fake_bind();
	ck_assert_int_eq(gp_inproc_caller_new(mode, &caller), 0);
	open_file(&plain_user, GP_NODE_RENDER);
}

static void teardown(void)
{
	gp_file_close(&file);
	gp_inproc_caller_free(&caller);
	gp_registration_free(&reg);
}

#define MODE ((enum gp_inproc_mode)_i)

static void map(const void *p, size_t len, uint32_t prot)
{
	ck_assert_int_eq(gp_inproc_caller_map(caller, p, len, prot), 0);
}

static int do_ioctl(unsigned int cmd, const void *arg)
{
	return gp_inproc_ioctl(caller, file, cmd, (uint64_t)(uintptr_t)arg);
}

#define RW (GP_USER_IN | GP_USER_OUT)

/* A caller's encoding of an ioctl with another struct size. */
#define RESIZE(cmd, size) (((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) | ((size) << _IOC_SIZESHIFT))

/* --- sizes and directions --- */

START_TEST(exact_struct_round_trip)
{
	struct fake_echo e = { .in = 41 };

	setup_mode(MODE);
	map(&e, sizeof(e), RW);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_ECHO, &e), 0);
	ck_assert_uint_eq(e.out, 42);
	teardown();
}
END_TEST

START_TEST(shorter_struct_is_zero_extended_and_only_its_size_written)
{
	/* An "older" caller that knows only the first field. */
	struct { uint32_t in; uint32_t guard[3]; } old = { .in = 9, .guard = { 0xa5a5a5a5, 0xa5a5a5a5, 0xa5a5a5a5 } };

	setup_mode(MODE);
	map(&old, sizeof(old), RW);
	ck_assert_int_eq(do_ioctl(RESIZE(FAKE_IOCTL_ECHO, 4), &old), 0);
	ck_assert_uint_eq(old.in, 9);
	/* The handler wrote out = 10 into its zero-extended copy; none of it reaches us. */
	ck_assert_uint_eq(old.guard[0], 0xa5a5a5a5);
	ck_assert_uint_eq(old.guard[1], 0xa5a5a5a5);
	teardown();
}
END_TEST

START_TEST(longer_struct_is_accepted_and_tail_preserved)
{
	struct { struct fake_echo e; uint32_t newer[4]; } big = {
		.e = { .in = 1 }, .newer = { 11, 22, 33, 44 },
	};

	setup_mode(MODE);
	map(&big, sizeof(big), RW);
	ck_assert_int_eq(do_ioctl(RESIZE(FAKE_IOCTL_ECHO, sizeof(big)), &big), 0);
	ck_assert_uint_eq(big.e.out, 2);
	ck_assert_uint_eq(big.newer[0], 11);
	ck_assert_uint_eq(big.newer[3], 44);
	teardown();
}
END_TEST

START_TEST(in_only_ioctl_copies_nothing_back)
{
	struct fake_echo e = { .in = 5, .out = 77 };

	setup_mode(MODE);
	map(&e, sizeof(e), GP_USER_IN);	/* read-only is enough */
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_IN_ONLY, &e), 0);
	ck_assert_uint_eq(e.out, 77);
	ck_assert_int_eq(fake_record.handlers_entered, 1);
	teardown();
}
END_TEST

START_TEST(out_only_ioctl_sees_zeros_and_writes_back)
{
	struct fake_echo e = { .in = 5, .out = 77 };

	setup_mode(MODE);
	map(&e, sizeof(e), GP_USER_OUT);	/* write-only is enough */
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_OUT_ONLY, &e), 0);
	/* Nothing was copied in, so the handler saw in == 0. */
	ck_assert_uint_eq(e.out, 1);
	ck_assert_uint_eq(e.in, 0);
	teardown();
}
END_TEST

START_TEST(direction_is_the_intersection_of_caller_and_table)
{
	/* Caller says read-write; the table says write-only: nothing comes back. */
	struct fake_echo e = { .in = 5, .out = 77 };

	setup_mode(MODE);
	map(&e, sizeof(e), RW);
	ck_assert_int_eq(do_ioctl(_IOWR('d', 0x45, struct fake_echo), &e), 0);
	ck_assert_uint_eq(e.out, 77);
	teardown();
}
END_TEST

START_TEST(argument_copied_out_even_when_handler_fails)
{
	struct fake_echo e = { .in = 100, .fail_with = -EINVAL };

	setup_mode(MODE);
	map(&e, sizeof(e), RW);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_ECHO, &e), -EINVAL);
	ck_assert_uint_eq(e.out, 101);
	teardown();
}
END_TEST

START_TEST(argument_larger_than_stack_buffer)
{
	struct fake_big b;

	setup_mode(MODE);
	for (size_t i = 0; i < sizeof(b.bytes); i++)
		b.bytes[i] = (uint8_t)i;
	map(&b, sizeof(b), RW);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_BIG, &b), 0);
	for (size_t i = 0; i < sizeof(b.bytes); i++)
		ck_assert_uint_eq(b.bytes[i], (uint8_t)(i + 1));
	teardown();
}
END_TEST

START_TEST(ioctl_without_argument)
{
	setup_mode(MODE);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_NOARG, NULL), 7);
	ck_assert_uint_eq(gp_inproc_round_trips(caller), 1);
	teardown();
}
END_TEST

/* --- unknown commands --- */

START_TEST(wrong_type_is_enotty)
{
	struct fake_echo e = { 0 };

	setup_mode(MODE);
	map(&e, sizeof(e), RW);
	ck_assert_int_eq(do_ioctl(_IOWR('x', 0x40, struct fake_echo), &e), -ENOTTY);
	ck_assert_int_eq(fake_record.handlers_entered, 0);
	teardown();
}
END_TEST

START_TEST(unknown_numbers_are_einval)
{
	struct fake_echo e = { 0 };

	setup_mode(MODE);
	map(&e, sizeof(e), RW);
	/* beyond the core table */
	ck_assert_int_eq(do_ioctl(_IOWR('d', 0x30, struct fake_echo), &e), -EINVAL);
	/* a hole in the core table */
	ck_assert_int_eq(do_ioctl(_IOWR('d', 0x02, struct fake_echo), &e), -EINVAL);
	/* beyond the driver table */
	ck_assert_int_eq(do_ioctl(_IOWR('d', 0x60, struct fake_echo), &e), -EINVAL);
	/* a NULL handler inside the driver table */
	ck_assert_int_eq(do_ioctl(_IOWR('d', 0x41, struct fake_echo), &e), -EINVAL);
	/* above the driver range */
	ck_assert_int_eq(do_ioctl(_IOWR('d', 0xa0, struct fake_echo), &e), -EINVAL);
	ck_assert_int_eq(fake_record.handlers_entered, 0);
	teardown();
}
END_TEST

/* --- permissions (drm_ioctl_permit) --- */

START_TEST(root_only_needs_cap_sys_admin)
{
	struct fake_echo e = { .in = 1 };

	setup_mode(MODE);
	map(&e, sizeof(e), RW);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_ROOT_ONLY, &e), -EACCES);
	ck_assert_int_eq(fake_record.handlers_entered, 0);
	open_file(&admin, GP_NODE_RENDER);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_ROOT_ONLY, &e), 0);
	teardown();
}
END_TEST

START_TEST(render_clients_need_render_allow)
{
	struct fake_echo e = { .in = 1 };

	setup_mode(MODE);
	map(&e, sizeof(e), RW);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_NOT_RENDER, &e), -EACCES);
	open_file(&plain_user, GP_NODE_PRIMARY);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_NOT_RENDER, &e), 0);
	teardown();
}
END_TEST

START_TEST(auth_passes_render_clients_and_authenticated_primaries)
{
	struct fake_echo e = { .in = 1 };

	setup_mode(MODE);
	map(&e, sizeof(e), RW);
	/* AUTH without RENDER_ALLOW: the render client fails on RENDER_ALLOW, not AUTH. */
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_AUTH, &e), -EACCES);
	open_file(&plain_user, GP_NODE_PRIMARY);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_AUTH, &e), -EACCES);
	open_file(&admin, GP_NODE_PRIMARY);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_AUTH, &e), 0);
	teardown();
}
END_TEST

START_TEST(master_ioctls_are_never_permitted)
{
	struct fake_echo e = { .in = 1 };

	setup_mode(MODE);
	map(&e, sizeof(e), RW);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_MASTER, &e), -EACCES);
	open_file(&admin, GP_NODE_PRIMARY);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_MASTER, &e), -EACCES);
	teardown();
}
END_TEST

/* --- bad addresses --- */

START_TEST(unmapped_argument_is_efault)
{
	struct fake_echo e = { .in = 1 };

	setup_mode(MODE);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_ECHO, &e), -EFAULT);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_ECHO, NULL), -EFAULT);
	ck_assert_int_eq(fake_record.handlers_entered, 0);
	teardown();
}
END_TEST

START_TEST(partially_mapped_argument_is_efault)
{
	struct fake_echo e = { .in = 1 };

	setup_mode(MODE);
	map(&e, sizeof(e) - 1, RW);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_ECHO, &e), -EFAULT);
	ck_assert_int_eq(fake_record.handlers_entered, 0);
	teardown();
}
END_TEST

START_TEST(read_only_argument_of_a_read_write_ioctl_is_efault)
{
	struct fake_echo e = { .in = 1, .out = 3 };
	int r;

	setup_mode(MODE);
	map(&e, sizeof(e), GP_USER_IN);
	r = do_ioctl(FAKE_IOCTL_ECHO, &e);
	ck_assert_int_eq(r, -EFAULT);
	ck_assert_uint_eq(e.out, 3);
	teardown();
}
END_TEST

START_TEST(bad_embedded_pointer_is_efault)
{
	struct fake_follow f = { .ptr = 0x1000, .len = 16 };

	setup_mode(MODE);
	map(&f, sizeof(f), RW);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_FOLLOW, &f), -EFAULT);
	teardown();
}
END_TEST

START_TEST(embedded_pointer_is_followed)
{
	char buf[32];
	struct fake_follow f = { .ptr = (uintptr_t)buf, .len = 30 };

	setup_mode(MODE);
	memset(buf, 0, sizeof(buf));
	map(&f, sizeof(f), RW);
	map(buf, sizeof(buf), GP_USER_OUT);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_FOLLOW, &f), 0);
	ck_assert_int_eq(memcmp(buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCD", 30), 0);
	ck_assert_int_eq(buf[30], 0);
	teardown();
}
END_TEST

START_TEST(range_planned_in_and_out_is_read_and_written)
{
	unsigned char buf[4] = { 1, 2, 3, 4 };
	struct fake_follow f = { .ptr = (uintptr_t)buf, .len = sizeof(buf) };

	setup_mode(MODE);
	map(&f, sizeof(f), RW);
	map(buf, sizeof(buf), RW);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_INOUT, &f), 0);
	ck_assert_uint_eq(buf[0], 2);
	ck_assert_uint_eq(buf[3], 5);
	teardown();
}
END_TEST

START_TEST(retry_transport_refuses_more_than_cuse_moves)
{
	/* Over CUSE's 128 KiB per direction: ENOMEM before any memory is staged. */
	struct fake_follow f = { .ptr = 0x1000, .len = 1u << 20 };

	setup_mode(GP_INPROC_RETRY);
	map(&f, sizeof(f), RW);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_FOLLOW, &f), -ENOMEM);
	ck_assert_int_eq(fake_record.handlers_entered, 0);
	/* Refused by retry.c in the round that planned it, not asked for. */
	ck_assert_uint_eq(gp_inproc_round_trips(caller), 2);
	teardown();
}
END_TEST

/* --- the retry engine (retry.c): where each range's bytes are --- */

START_TEST(ranges_of_every_direction_are_found_by_position)
{
	unsigned char both[8], src[8], dst[9];
	struct fake_mixed m = {
		.both = (uintptr_t)both, .src = (uintptr_t)src, .dst = (uintptr_t)dst, .len = 8,
	};

	setup_mode(MODE);
	for (unsigned int i = 0; i < 8; i++) {
		both[i] = (unsigned char)(1 + i);
		src[i] = (unsigned char)(10 * (i + 1));
	}
	memset(dst, 0xaa, sizeof(dst));
	map(&m, sizeof(m), GP_USER_IN);
	map(both, sizeof(both), RW);
	map(src, sizeof(src), GP_USER_IN);
	map(dst, sizeof(dst), GP_USER_OUT);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_MIXED, &m), 0);
	for (unsigned int i = 0; i < 8; i++) {
		ck_assert_uint_eq(dst[i], (unsigned char)(10 * (i + 1) + 1 + i));
		ck_assert_uint_eq(both[i], (unsigned char)((1 + i) ^ 0xff));
		ck_assert_uint_eq(src[i], (unsigned char)(10 * (i + 1)));
	}
	ck_assert_uint_eq(dst[8], 0xaa);
	if (MODE == GP_INPROC_RETRY)
		ck_assert_uint_eq(gp_inproc_round_trips(caller), 3);
	teardown();
}
END_TEST

START_TEST(copy_outside_the_plan_is_efault)
{
	unsigned char buf[16];
	struct fake_follow f = { .ptr = (uintptr_t)buf, .len = 8 };

	setup_mode(MODE);
	memset(buf, 'x', sizeof(buf));
	map(&f, sizeof(f), RW);
	/* The byte is the caller's and writable: only the plan forbids it. */
	map(buf, sizeof(buf), RW);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_STRAY, &f), -EFAULT);
	ck_assert_uint_eq(buf[8], 'x');
	teardown();
}
END_TEST

START_TEST(plan_that_never_settles_gives_up)
{
	unsigned char buf[32] = { 0 };
	struct fake_follow f = { .ptr = (uintptr_t)buf, .len = 1 };

	setup_mode(GP_INPROC_RETRY);
	map(&f, sizeof(f), RW);
	map(buf, sizeof(buf), GP_USER_IN);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_UNSETTLED, &f), -EIO);
	ck_assert_uint_eq(gp_inproc_round_trips(caller), GP_INPROC_MAX_ROUND_TRIPS);
	teardown();
}
END_TEST

START_TEST(unreadable_in_range_fails_before_the_handler)
{
	unsigned char both[8] = { 0 }, dst[8];
	struct fake_mixed m = {
		.both = (uintptr_t)both, .src = 0x1000, .dst = (uintptr_t)dst, .len = 8,
	};

	setup_mode(MODE);
	map(&m, sizeof(m), GP_USER_IN);
	map(both, sizeof(both), RW);
	map(dst, sizeof(dst), GP_USER_OUT);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_MIXED, &m), -EFAULT);
	ck_assert_uint_eq(both[0], 0);
	teardown();
}
END_TEST

/*
 * A handler that fails after planning writes nothing: an IN|OUT range goes
 * back as the caller had it (over the retry protocol too), as the kernel
 * leaves memory it does not write.  fake_mixed fails a length above 64
 * with EINVAL before it copies.
 */
START_TEST(in_out_range_a_failing_handler_leaves_is_unchanged)
{
	unsigned char both[72], src[72], dst[72];
	struct fake_mixed m = {
		.both = (uintptr_t)both, .src = (uintptr_t)src, .dst = (uintptr_t)dst, .len = 65,
	};

	setup_mode(MODE);
	memset(both, 0x5a, sizeof(both));
	memset(src, 1, sizeof(src));
	map(&m, sizeof(m), GP_USER_IN);
	map(both, sizeof(both), RW);
	map(src, sizeof(src), GP_USER_IN);
	map(dst, sizeof(dst), GP_USER_OUT);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_MIXED, &m), -EINVAL);
	for (unsigned int i = 0; i < sizeof(both); i++)
		ck_assert_uint_eq(both[i], 0x5a);
	teardown();
}
END_TEST

/* --- round trips: the CUSE retry protocol's minimum --- */

START_TEST(round_trips_match_the_cuse_minimum)
{
	struct fake_echo e = { .in = 1 };
	char buf[8];
	struct fake_follow f = { .ptr = (uintptr_t)buf, .len = sizeof(buf) };

	setup_mode(GP_INPROC_RETRY);
	map(&e, sizeof(e), RW);
	map(&f, sizeof(f), RW);
	map(buf, sizeof(buf), RW);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_ECHO, &e), 0);
	ck_assert_uint_eq(gp_inproc_round_trips(caller), 2);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_FOLLOW, &f), 0);
	ck_assert_uint_eq(gp_inproc_round_trips(caller), 3);
	/* Handlers ran once per ioctl, not once per round trip. */
	ck_assert_int_eq(fake_record.handlers_entered, 2);
	teardown();
}
END_TEST

START_TEST(direct_transport_takes_one_round_trip)
{
	struct fake_echo e = { .in = 1 };

	setup_mode(GP_INPROC_DIRECT);
	map(&e, sizeof(e), RW);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_ECHO, &e), 0);
	ck_assert_uint_eq(gp_inproc_round_trips(caller), 1);
	teardown();
}
END_TEST

/* --- unplug --- */

START_TEST(every_ioctl_is_enodev_after_revoke)
{
	struct fake_echo e = { .in = 1 };
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };

	setup_mode(MODE);
	map(&e, sizeof(e), RW);
	map(&cap, sizeof(cap), RW);
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_ECHO, &e), -ENODEV);
	ck_assert_int_eq(do_ioctl(FAKE_IOCTL_NOARG, NULL), -ENODEV);
	ck_assert_int_eq(do_ioctl(GPU_PROTO_IOCTL_GET_CAP, &cap), -ENODEV);
	/* Even malformed ones: a dead device answers nothing else. */
	ck_assert_int_eq(do_ioctl(_IOWR('x', 1, int), &e), -ENODEV);
	/* Without a round trip spent on it. */
	ck_assert_uint_eq(gp_inproc_round_trips(caller), 1);
	ck_assert_int_eq(fake_record.handlers_entered, 0);
	teardown();
}
END_TEST

/* --- core ioctls --- */

START_TEST(version_reports_lengths_and_copies_without_nul)
{
	char name[16], date[16], desc[64];
	struct gpu_proto_version v = { 0 };

	setup_mode(MODE);
	map(&v, sizeof(v), RW);
	/* First pass, as drmGetVersion: lengths only. */
	ck_assert_int_eq(do_ioctl(GPU_PROTO_IOCTL_VERSION, &v), 0);
	ck_assert_int_eq(v.version_major, 3);
	ck_assert_int_eq(v.version_minor, 14);
	ck_assert_int_eq(v.version_patchlevel, 15);
	ck_assert_uint_eq(v.name_len, strlen("fake"));
	ck_assert_uint_eq(v.date_len, 1);
	ck_assert_uint_eq(v.desc_len, strlen(fake_driver.desc));

	/* Second pass with buffers of len + 1, which the caller terminates. */
	memset(name, 'x', sizeof(name));
	memset(date, 'x', sizeof(date));
	memset(desc, 'x', sizeof(desc));
	v.name = name;
	v.date = date;
	v.desc = desc;
	map(name, sizeof(name), GP_USER_OUT);
	map(date, sizeof(date), GP_USER_OUT);
	map(desc, sizeof(desc), GP_USER_OUT);
	ck_assert_int_eq(do_ioctl(GPU_PROTO_IOCTL_VERSION, &v), 0);
	ck_assert_int_eq(memcmp(name, "fake", 4), 0);
	ck_assert_int_eq(name[4], 'x');		/* no NUL written */
	ck_assert_int_eq(date[0], '0');
	ck_assert_int_eq(date[1], 'x');
	ck_assert_int_eq(memcmp(desc, fake_driver.desc, strlen(fake_driver.desc)), 0);
	if (MODE == GP_INPROC_RETRY)
		ck_assert_uint_eq(gp_inproc_round_trips(caller), 3);
	teardown();
}
END_TEST

START_TEST(version_truncates_to_caller_length)
{
	char name[8];
	struct gpu_proto_version v = { .name_len = 2, .name = name };

	setup_mode(MODE);
	memset(name, 'x', sizeof(name));
	map(&v, sizeof(v), RW);
	map(name, sizeof(name), GP_USER_OUT);
	ck_assert_int_eq(do_ioctl(GPU_PROTO_IOCTL_VERSION, &v), 0);
	ck_assert_int_eq(memcmp(name, "fax", 3), 0);
	ck_assert_uint_eq(v.name_len, 4);	/* the full length, always */
	teardown();
}
END_TEST

START_TEST(version_with_bad_string_pointer_is_efault)
{
	struct gpu_proto_version v = { .name_len = 8, .name = (char *)0x10 };

	setup_mode(MODE);
	map(&v, sizeof(v), RW);
	ck_assert_int_eq(do_ioctl(GPU_PROTO_IOCTL_VERSION, &v), -EFAULT);
	teardown();
}
END_TEST

START_TEST(get_unique_copies_only_into_large_enough_buffer)
{
	char buf[16];
	struct gpu_proto_unique u = { .unique_len = 3, .unique = buf };

	setup_mode(MODE);
	open_file(&plain_user, GP_NODE_PRIMARY);
	memset(buf, 'x', sizeof(buf));
	map(&u, sizeof(u), RW);
	map(buf, sizeof(buf), GP_USER_OUT);
	ck_assert_int_eq(do_ioctl(GPU_PROTO_IOCTL_GET_UNIQUE, &u), 0);
	ck_assert_uint_eq(u.unique_len, strlen("fake:0"));
	ck_assert_int_eq(buf[0], 'x');
	u.unique_len = sizeof(buf);
	ck_assert_int_eq(do_ioctl(GPU_PROTO_IOCTL_GET_UNIQUE, &u), 0);
	ck_assert_uint_eq(u.unique_len, strlen("fake:0"));
	ck_assert_int_eq(memcmp(buf, "fake:0", 6), 0);
	ck_assert_int_eq(buf[6], 'x');
	teardown();
}
END_TEST

START_TEST(get_unique_is_not_for_render_clients)
{
	struct gpu_proto_unique u = { 0 };

	setup_mode(MODE);
	map(&u, sizeof(u), RW);
	ck_assert_int_eq(do_ioctl(GPU_PROTO_IOCTL_GET_UNIQUE, &u), -EACCES);
	teardown();
}
END_TEST

START_TEST(get_cap_answers_render_only_caps)
{
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC, .value = 99 };

	setup_mode(MODE);
	map(&cap, sizeof(cap), RW);
	ck_assert_int_eq(do_ioctl(GPU_PROTO_IOCTL_GET_CAP, &cap), 0);
	ck_assert_uint_eq(cap.value, 1);
	/* The fake driver has buffer objects: PRIME is served (through the fd path). */
	cap = (struct gpu_proto_get_cap){ .capability = GPU_PROTO_CAP_PRIME, .value = 99 };
	ck_assert_int_eq(do_ioctl(GPU_PROTO_IOCTL_GET_CAP, &cap), 0);
	ck_assert_uint_eq(cap.value, GPU_PROTO_PRIME_CAP_IMPORT | GPU_PROTO_PRIME_CAP_EXPORT);
	cap = (struct gpu_proto_get_cap){ .capability = GPU_PROTO_CAP_SYNCOBJ, .value = 99 };
	ck_assert_int_eq(do_ioctl(GPU_PROTO_IOCTL_GET_CAP, &cap), 0);
	ck_assert_uint_eq(cap.value, 0);
	/* KMS caps on a render-only device, as drm_getcap(): EOPNOTSUPP, value zeroed. */
	cap = (struct gpu_proto_get_cap){ .capability = GPU_PROTO_CAP_DUMB_BUFFER, .value = 99 };
	ck_assert_int_eq(do_ioctl(GPU_PROTO_IOCTL_GET_CAP, &cap), -EOPNOTSUPP);
	ck_assert_uint_eq(cap.value, 0);
	cap = (struct gpu_proto_get_cap){ .capability = 0xdeadbeef };
	ck_assert_int_eq(do_ioctl(GPU_PROTO_IOCTL_GET_CAP, &cap), -EOPNOTSUPP);
	teardown();
}
END_TEST

/* --- driver tables --- */

START_TEST(misplaced_driver_table_entry_is_rejected)
{
	struct gp_ioctl_desc bad_ioctls[1] = {
		/* Number 0x41 at index 0: would dispatch the wrong handler. */
		{ .cmd = _IOWR('d', 0x41, struct fake_echo), .handler = fake_driver.ioctls[0].handler,
		  .flags = GP_DRM_RENDER_ALLOW, .name = "misplaced" },
	};
	struct gp_driver bad = fake_driver;
	struct gp_unregistered_device *udev = NULL;

	bad.ioctls = bad_ioctls;
	bad.num_ioctls = 1;
	ck_assert_int_eq(gp_device_new(&bad, "bad", &udev), -EINVAL);
	ck_assert_ptr_null(udev);
}
END_TEST

static Suite *dispatch_suite(void)
{
	Suite *s = suite_create("dispatch");
	TCase *tc = tcase_create("both-transports");
	TCase *one = tcase_create("single");

	/* _i is the transport mode: 0 direct, 1 CUSE-like retry. */
	tcase_add_loop_test(tc, exact_struct_round_trip, 0, 2);
	tcase_add_loop_test(tc, shorter_struct_is_zero_extended_and_only_its_size_written, 0, 2);
	tcase_add_loop_test(tc, longer_struct_is_accepted_and_tail_preserved, 0, 2);
	tcase_add_loop_test(tc, in_only_ioctl_copies_nothing_back, 0, 2);
	tcase_add_loop_test(tc, out_only_ioctl_sees_zeros_and_writes_back, 0, 2);
	tcase_add_loop_test(tc, direction_is_the_intersection_of_caller_and_table, 0, 2);
	tcase_add_loop_test(tc, argument_copied_out_even_when_handler_fails, 0, 2);
	tcase_add_loop_test(tc, argument_larger_than_stack_buffer, 0, 2);
	tcase_add_loop_test(tc, ioctl_without_argument, 0, 2);
	tcase_add_loop_test(tc, wrong_type_is_enotty, 0, 2);
	tcase_add_loop_test(tc, unknown_numbers_are_einval, 0, 2);
	tcase_add_loop_test(tc, root_only_needs_cap_sys_admin, 0, 2);
	tcase_add_loop_test(tc, render_clients_need_render_allow, 0, 2);
	tcase_add_loop_test(tc, auth_passes_render_clients_and_authenticated_primaries, 0, 2);
	tcase_add_loop_test(tc, master_ioctls_are_never_permitted, 0, 2);
	tcase_add_loop_test(tc, unmapped_argument_is_efault, 0, 2);
	tcase_add_loop_test(tc, partially_mapped_argument_is_efault, 0, 2);
	tcase_add_loop_test(tc, read_only_argument_of_a_read_write_ioctl_is_efault, 0, 2);
	tcase_add_loop_test(tc, bad_embedded_pointer_is_efault, 0, 2);
	tcase_add_loop_test(tc, embedded_pointer_is_followed, 0, 2);
	tcase_add_loop_test(tc, range_planned_in_and_out_is_read_and_written, 0, 2);
	tcase_add_loop_test(tc, every_ioctl_is_enodev_after_revoke, 0, 2);
	tcase_add_loop_test(tc, version_reports_lengths_and_copies_without_nul, 0, 2);
	tcase_add_loop_test(tc, version_truncates_to_caller_length, 0, 2);
	tcase_add_loop_test(tc, version_with_bad_string_pointer_is_efault, 0, 2);
	tcase_add_loop_test(tc, get_unique_copies_only_into_large_enough_buffer, 0, 2);
	tcase_add_loop_test(tc, get_unique_is_not_for_render_clients, 0, 2);
	tcase_add_loop_test(tc, get_cap_answers_render_only_caps, 0, 2);
	tcase_add_loop_test(tc, ranges_of_every_direction_are_found_by_position, 0, 2);
	tcase_add_loop_test(tc, copy_outside_the_plan_is_efault, 0, 2);
	tcase_add_loop_test(tc, unreadable_in_range_fails_before_the_handler, 0, 2);
	tcase_add_loop_test(tc, in_out_range_a_failing_handler_leaves_is_unchanged, 0, 2);
	suite_add_tcase(s, tc);

	tcase_add_test(one, round_trips_match_the_cuse_minimum);
	tcase_add_test(one, retry_transport_refuses_more_than_cuse_moves);
	tcase_add_test(one, plan_that_never_settles_gives_up);
	tcase_add_test(one, direct_transport_takes_one_round_trip);
	tcase_add_test(one, misplaced_driver_table_entry_is_rejected);
	suite_add_tcase(s, one);
	return s;
}

int main(void)
{
	return gp_check_run(dispatch_suite());
}
