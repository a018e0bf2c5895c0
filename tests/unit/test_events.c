// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-file event queues, as drm_event_reserve_init()/drm_send_event()/
 * drm_read()/drm_poll(), and how revoke wakes readers.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "fake_driver.h"
#include "file.h"
#include "registration.h"
#include "check_run.h"

struct test_event {
	struct gpu_proto_event base;
	uint64_t value;
};

static struct gp_registration *reg;
static struct gp_file *file;
static const struct gp_caller user = { .uid = 1000, .gid = 1000, .pid = 9 };
static atomic_int notified;

static void count_notify(struct gp_file *f, void *ctx)
{
	atomic_fetch_add(&notified, 1);
}

static void setup(void)
{
	fake_driver_reset();
	atomic_store(&notified, 0);
	reg = fake_bind();
	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), &user, GP_NODE_RENDER, &file), 0);
	gp_file_set_notify(file, count_notify, NULL);
}

static void teardown(void)
{
	gp_file_close(&file);
	gp_registration_free(&reg);
}

static void send_event(struct gp_file *f, uint64_t value)
{
	struct gp_pending_event *pe = NULL;
	struct test_event ev = {
		.base = { .type = GPU_PROTO_EVENT_DRIVER_BASE + 7, .length = sizeof(ev) },
		.value = value,
	};

	ck_assert_int_eq(gp_event_reserve(f, sizeof(ev), &pe), 0);
	gp_event_send(&pe, &ev);
	ck_assert_ptr_null(pe);
}

START_TEST(empty_queue_reads_eagain_and_polls_nothing)
{
	char buf[64];

	ck_assert_int_eq(gp_file_read_events(file, buf, sizeof(buf)), -EAGAIN);
	ck_assert_uint_eq(gp_file_poll(file), 0);
}
END_TEST

START_TEST(sent_event_wakes_and_reads_back_whole)
{
	struct test_event ev;

	send_event(file, 42);
	ck_assert_int_eq(atomic_load(&notified), 1);
	ck_assert_uint_eq(gp_file_poll(file), POLLIN | POLLRDNORM);
	ck_assert_int_eq(gp_file_read_events(file, &ev, sizeof(ev)), sizeof(ev));
	ck_assert_uint_eq(ev.base.type, GPU_PROTO_EVENT_DRIVER_BASE + 7);
	ck_assert_uint_eq(ev.base.length, sizeof(ev));
	ck_assert_uint_eq(ev.value, 42);
	ck_assert_uint_eq(gp_file_poll(file), 0);
}
END_TEST

START_TEST(read_returns_as_many_whole_events_as_fit)
{
	struct test_event evs[3];

	send_event(file, 1);
	send_event(file, 2);
	send_event(file, 3);
	/* Room for two and a half: two come out, the third stays queued. */
	ck_assert_int_eq(gp_file_read_events(file, evs, sizeof(evs) - 8), 2 * sizeof(evs[0]));
	ck_assert_uint_eq(evs[0].value, 1);
	ck_assert_uint_eq(evs[1].value, 2);
	ck_assert_int_eq(gp_file_read_events(file, evs, sizeof(evs)), sizeof(evs[0]));
	ck_assert_uint_eq(evs[0].value, 3);
}
END_TEST

START_TEST(buffer_too_small_for_next_event_is_einval)
{
	char small[8];

	send_event(file, 1);
	ck_assert_int_eq(gp_file_read_events(file, small, sizeof(small)), -EINVAL);
	/* Nothing was lost. */
	ck_assert_uint_eq(gp_file_poll(file), POLLIN | POLLRDNORM);
}
END_TEST

START_TEST(event_space_is_bounded_and_given_back)
{
	struct gp_pending_event *pe[GP_FILE_EVENT_SPACE / sizeof(struct test_event) + 1] = { 0 };
	size_t n = GP_FILE_EVENT_SPACE / sizeof(struct test_event);
	struct gp_pending_event *extra = NULL;

	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(gp_event_reserve(file, sizeof(struct test_event), &pe[i]), 0);
	ck_assert_int_eq(gp_event_reserve(file, sizeof(struct test_event), &extra), -ENOSPC);
	gp_event_cancel(&pe[0]);
	ck_assert_int_eq(gp_event_reserve(file, sizeof(struct test_event), &extra), 0);
	gp_event_cancel(&extra);
	for (size_t i = 1; i < n; i++)
		gp_event_cancel(&pe[i]);
}
END_TEST

START_TEST(event_for_a_closed_file_is_dropped)
{
	struct gp_pending_event *pe = NULL;
	struct test_event ev = { .base = { .type = 1, .length = sizeof(ev) } };

	ck_assert_int_eq(gp_event_reserve(file, sizeof(ev), &pe), 0);
	gp_file_close(&file);
	/* The reservation kept the file alive; sending drops the event. */
	gp_event_send(&pe, &ev);
	ck_assert_int_eq(atomic_load(&notified), 0);
}
END_TEST

START_TEST(revoke_wakes_readers_with_enodev_and_pollers_with_hup)
{
	char buf[64];

	send_event(file, 1);
	atomic_store(&notified, 0);
	gp_registration_revoke(reg);
	ck_assert_int_eq(atomic_load(&notified), 1);
	ck_assert_int_eq(gp_file_read_events(file, buf, sizeof(buf)), -ENODEV);
	ck_assert_uint_eq(gp_file_poll(file), POLLERR | POLLHUP);
}
END_TEST

START_TEST(open_files_are_counted)
{
	struct gp_file *second = NULL;
	struct gp_device *dev = gp_registration_device(reg);

	ck_assert_uint_eq(gp_device_open_files(dev), 1);
	ck_assert_int_eq(gp_file_open(dev, &user, GP_NODE_RENDER, &second), 0);
	ck_assert_uint_eq(gp_device_open_files(dev), 2);
	gp_file_close(&second);
	ck_assert_uint_eq(gp_device_open_files(dev), 1);
}
END_TEST

static Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("queue");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, empty_queue_reads_eagain_and_polls_nothing);
	tcase_add_test(tc, sent_event_wakes_and_reads_back_whole);
	tcase_add_test(tc, read_returns_as_many_whole_events_as_fit);
	tcase_add_test(tc, buffer_too_small_for_next_event_is_einval);
	tcase_add_test(tc, event_space_is_bounded_and_given_back);
	tcase_add_test(tc, event_for_a_closed_file_is_dropped);
	tcase_add_test(tc, revoke_wakes_readers_with_enodev_and_pollers_with_hup);
	tcase_add_test(tc, open_files_are_counted);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gp_check_run(events_suite());
}
