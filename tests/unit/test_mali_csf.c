// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mali-csf personality on the mock Mali-G610: probe (and each injected
 * fault), DEV_QUERY's size negotiation, live timestamps, revoke and rebind.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "backend.h"
#include "drivers.h"
#include "file.h"
#include "inproc.h"
#include "mali_csf.h"
#include "mali_csf_regs.h"
#include "mock.h"
#include "registration.h"
#include "check_run.h"

#if defined(__SANITIZE_ADDRESS__)
#define GP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GP_ASAN 1
#endif
#endif

static struct gp_registration *reg;
static struct gp_inproc_caller *caller;
static struct gp_file *file;

static const struct gp_caller plain_user = { .uid = 1000, .gid = 1000, .pid = 7 };
static const struct gp_caller nice_user = { .uid = 1000, .gid = 1000, .pid = 8, .cap_sys_nice = true };

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int bind_mock(const struct gp_mock_config *cfg, struct gp_backend **leftover)
{
	struct gp_backend *be = NULL;
	int r;

	ck_assert_int_eq(gp_mock_open(cfg, &be), 0);
	r = gp_driver_bind(&gp_mali_csf_driver, &be, "mock", &reg);
	if (r == 0)
		ck_assert_ptr_null(be);	/* moved into the registration data */
	else
		ck_assert_ptr_nonnull(be); /* left with the caller */
	if (leftover)
		*leftover = be;
	else
		gp_backend_release(&be);
	return r;
}

static void setup_bound(const struct gp_caller *who)
{
	struct gp_mock_config cfg;

	gp_mock_config_init(&cfg);
	ck_assert_int_eq(bind_mock(&cfg, NULL), 0);
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_RETRY, &caller), 0);
	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), who, GP_NODE_RENDER, &file), 0);
}

static void teardown(void)
{
	gp_file_close(&file);
	gp_inproc_caller_free(&caller);
	gp_registration_free(&reg);
}

static int dev_query(struct gpu_proto_mali_dev_query *q)
{
	return gp_inproc_ioctl(caller, file, GPU_PROTO_IOCTL_MALI_DEV_QUERY, (uintptr_t)q);
}

static void map(const void *p, size_t len, uint32_t prot)
{
	ck_assert_int_eq(gp_inproc_caller_map(caller, p, len, prot), 0);
}

#define RW (GP_USER_IN | GP_USER_OUT)

/* --- probe --- */

START_TEST(probe_reads_the_g610_identity)
{
	struct gpu_proto_mali_gpu_info info;
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .size = sizeof(info), .pointer = (uintptr_t)&info,
	};

	setup_bound(&plain_user);
	memset(&info, 0xaa, sizeof(info));
	map(&q, sizeof(q), RW);
	map(&info, sizeof(info), GP_USER_OUT);
	ck_assert_int_eq(dev_query(&q), 0);
	ck_assert_uint_eq(gp_inproc_round_trips(caller), 3);
	ck_assert_uint_eq(info.gpu_id, 0xa8670005);
	ck_assert_uint_eq(info.l2_features, 0x07120306);
	ck_assert_uint_eq(info.tiler_features, 0x809);
	ck_assert_uint_eq(info.mem_features, 0x301);
	ck_assert_uint_eq(info.mmu_features, 0x2830);
	ck_assert_uint_eq(info.as_present, 0xff);
	ck_assert_uint_eq(info.shader_present, 0x50005);
	ck_assert_uint_eq(info.l2_present, 0x1);
	ck_assert_uint_eq(info.tiler_present, 0x1);
	ck_assert_uint_eq(info.selected_coherency, GPU_PROTO_MALI_GPU_COHERENCY_NONE);
	ck_assert_uint_eq(info.pad, 0);
	teardown();
}
END_TEST

START_TEST(probe_soft_resets_and_powers_l2)
{
	struct gp_mock_stats stats;
	struct gp_guard guard;
	struct mali_csf_data *mali;

	setup_bound(&plain_user);
	ck_assert(gp_dev_enter(gp_registration_device(reg), &guard));
	mali = gp_guard_data(&guard);
	gp_mock_get_stats(mali->backend, &stats);
	ck_assert_uint_eq(stats.soft_resets, 1);
	ck_assert_uint_eq(gp_backend_read32(mali->backend, 0, MALI_L2_READY_LO), 1);
	/* The probe acknowledged RESET_COMPLETED after seeing it. */
	ck_assert_uint_eq(gp_backend_read32(mali->backend, 0, MALI_GPU_INT_RAWSTAT) &
			  MALI_GPU_IRQ_RESET_COMPLETED, 0);
	gp_dev_exit(&guard);
	teardown();
}
END_TEST

START_TEST(probe_times_out_when_reset_never_completes)
{
	struct gp_mock_config cfg;
	struct gp_backend *be = NULL;
	uint64_t t0 = now_us();

	gp_mock_config_init(&cfg);
	cfg.reset_never_completes = true;
	ck_assert_int_eq(bind_mock(&cfg, &be), -ETIMEDOUT);
	ck_assert_uint_ge(now_us() - t0, MALI_CSF_POLL_TIMEOUT_US);
	ck_assert_ptr_null(reg);
	gp_backend_release(&be);
}
END_TEST

START_TEST(probe_times_out_when_l2_never_ready)
{
	struct gp_mock_config cfg;

	gp_mock_config_init(&cfg);
	cfg.l2_never_ready = true;
	ck_assert_int_eq(bind_mock(&cfg, NULL), -ETIMEDOUT);
	ck_assert_ptr_null(reg);
}
END_TEST

START_TEST(probe_of_removed_device_is_eio)
{
	struct gp_mock_config cfg;
	struct gp_backend *be = NULL;

	gp_mock_config_init(&cfg);
	ck_assert_int_eq(gp_mock_open(&cfg, &be), 0);
	gp_mock_simulate_removal(be);
	ck_assert_int_eq(gp_driver_bind(&gp_mali_csf_driver, &be, "mock", &reg), -EIO);
	ck_assert_ptr_nonnull(be);
	ck_assert_ptr_null(reg);
	gp_backend_release(&be);
}
END_TEST

START_TEST(probe_refuses_a_pci_device)
{
	struct gp_mock_config cfg;
	struct gp_backend *be = NULL;

	gp_mock_config_init(&cfg);
	ck_assert_int_eq(gp_mock_open(&cfg, &be), 0);
	be->bus = GP_BUS_PCI;
	ck_assert_int_eq(gp_driver_bind(&gp_mali_csf_driver, &be, "0000:00:03.0", &reg), -ENODEV);
	ck_assert_ptr_nonnull(be);
	be->bus = GP_BUS_MOCK;
	gp_backend_release(&be);
}
END_TEST

START_TEST(probe_succeeds_on_a_slow_bus)
{
	struct gp_mock_config cfg;

	gp_mock_config_init(&cfg);
	cfg.access_delay_ns = 20000;
	cfg.reset_delay_us = 5000;
	cfg.l2_power_delay_us = 5000;
	ck_assert_int_eq(bind_mock(&cfg, NULL), 0);
	gp_registration_free(&reg);
}
END_TEST

/* --- DEV_QUERY negotiation --- */

START_TEST(null_pointer_reports_the_driver_size)
{
	struct gpu_proto_mali_dev_query q = { .type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO };

	setup_bound(&plain_user);
	map(&q, sizeof(q), RW);
	ck_assert_int_eq(dev_query(&q), 0);
	ck_assert_uint_eq(q.size, sizeof(struct gpu_proto_mali_gpu_info));
	ck_assert_uint_eq(gp_inproc_round_trips(caller), 2);
	q = (struct gpu_proto_mali_dev_query){ .type = GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO };
	ck_assert_int_eq(dev_query(&q), 0);
	ck_assert_uint_eq(q.size, sizeof(struct gpu_proto_mali_timestamp_info));
	q = (struct gpu_proto_mali_dev_query){ .type = GPU_PROTO_MALI_DEV_QUERY_GROUP_PRIORITIES_INFO };
	ck_assert_int_eq(dev_query(&q), 0);
	ck_assert_uint_eq(q.size, sizeof(struct gpu_proto_mali_group_priorities_info));
	teardown();
}
END_TEST

START_TEST(unknown_types_are_einval)
{
	struct gpu_proto_mali_dev_query q = { .type = 77 };

	setup_bound(&plain_user);
	map(&q, sizeof(q), RW);
	ck_assert_int_eq(dev_query(&q), -EINVAL);
	/* CSIF_INFO is served now the mock's firmware runs: test_mali_csf_fw. */
	q = (struct gpu_proto_mali_dev_query){ .type = GPU_PROTO_MALI_DEV_QUERY_CSIF_INFO };
	ck_assert_int_eq(dev_query(&q), 0);
	ck_assert_uint_eq(q.size, sizeof(struct gpu_proto_mali_csif_info));
	teardown();
}
END_TEST

START_TEST(short_buffer_is_einval_and_untouched)
{
	unsigned char buf[GPU_PROTO_MALI_GPU_INFO_MIN_SIZE - 1];
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .size = sizeof(buf), .pointer = (uintptr_t)buf,
	};

	setup_bound(&plain_user);
	memset(buf, 0xaa, sizeof(buf));
	map(&q, sizeof(q), RW);
	map(buf, sizeof(buf), GP_USER_OUT);
	ck_assert_int_eq(dev_query(&q), -EINVAL);
	for (size_t i = 0; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], 0xaa);
	teardown();
}
END_TEST

START_TEST(minimum_size_gets_the_mandatory_fields_only)
{
	unsigned char buf[sizeof(struct gpu_proto_mali_gpu_info)];
	struct gpu_proto_mali_gpu_info *info = (void *)buf;
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .size = GPU_PROTO_MALI_GPU_INFO_MIN_SIZE,
		.pointer = (uintptr_t)buf,
	};

	setup_bound(&plain_user);
	memset(buf, 0xaa, sizeof(buf));
	map(&q, sizeof(q), RW);
	map(buf, sizeof(buf), GP_USER_OUT);
	ck_assert_int_eq(dev_query(&q), 0);
	ck_assert_uint_eq(info->gpu_id, 0xa8670005);
	ck_assert_uint_eq(info->tiler_present, 1);
	for (size_t i = GPU_PROTO_MALI_GPU_INFO_MIN_SIZE; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], 0xaa);
	teardown();
}
END_TEST

START_TEST(longer_buffer_gets_a_zero_filled_tail)
{
	unsigned char buf[sizeof(struct gpu_proto_mali_gpu_info) + 300];
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .size = sizeof(buf), .pointer = (uintptr_t)buf,
	};

	setup_bound(&plain_user);
	memset(buf, 0xaa, sizeof(buf));
	map(&q, sizeof(q), RW);
	map(buf, sizeof(buf), GP_USER_OUT);
	ck_assert_int_eq(dev_query(&q), 0);
	ck_assert_uint_eq(((struct gpu_proto_mali_gpu_info *)buf)->gpu_id, 0xa8670005);
	for (size_t i = sizeof(struct gpu_proto_mali_gpu_info); i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], 0);
	/* As panthor: size is not rewritten when a pointer was given. */
	ck_assert_uint_eq(q.size, sizeof(buf));
	teardown();
}
END_TEST

START_TEST(bad_query_pointer_is_efault)
{
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .size = sizeof(struct gpu_proto_mali_gpu_info),
		.pointer = 0x1000,
	};

	setup_bound(&plain_user);
	map(&q, sizeof(q), RW);
	ck_assert_int_eq(dev_query(&q), -EFAULT);
	teardown();
}
END_TEST

/* --- TIMESTAMP_INFO and GROUP_PRIORITIES_INFO --- */

static struct gpu_proto_mali_timestamp_info query_timestamp(void)
{
	struct gpu_proto_mali_timestamp_info ts = { 0 };
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO, .size = sizeof(ts), .pointer = (uintptr_t)&ts,
	};

	map(&q, sizeof(q), RW);
	map(&ts, sizeof(ts), GP_USER_OUT);
	ck_assert_int_eq(dev_query(&q), 0);
	gp_inproc_caller_unmap(caller, &q);
	gp_inproc_caller_unmap(caller, &ts);
	return ts;
}

START_TEST(timestamps_are_live_and_monotonic)
{
	struct gpu_proto_mali_timestamp_info a, b;

	setup_bound(&plain_user);
	a = query_timestamp();
	ck_assert_uint_eq(a.timestamp_frequency, GP_MOCK_TIMESTAMP_HZ);
	usleep(2000);
	b = query_timestamp();
	/* 2 ms at 24 MHz is 48000 ticks; anything less means a stale value. */
	ck_assert_uint_ge(b.current_timestamp - a.current_timestamp, 48000);
	for (int i = 0; i < 1000; i++) {
		a = b;
		b = query_timestamp();
		ck_assert_uint_ge(b.current_timestamp, a.current_timestamp);
	}
	teardown();
}
END_TEST

START_TEST(timestamp_is_consistent_across_a_32bit_carry)
{
	struct gp_mock_config cfg;
	struct gpu_proto_mali_timestamp_info a, b;
	uint64_t start = (1ull << 32) - GP_MOCK_TIMESTAMP_HZ / 1000;	/* carry ~1 ms after open */
	uint64_t t0 = now_us();

	gp_mock_config_init(&cfg);
	cfg.timestamp_start = start;
	cfg.reset_delay_us = 0;
	cfg.l2_power_delay_us = 0;
	ck_assert_int_eq(bind_mock(&cfg, NULL), 0);
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_DIRECT, &caller), 0);
	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), &plain_user, GP_NODE_RENDER, &file), 0);

	b = query_timestamp();
	ck_assert_uint_ge(b.current_timestamp, start);
	while (now_us() - t0 < 5000) {
		a = b;
		b = query_timestamp();
		ck_assert_uint_ge(b.current_timestamp, a.current_timestamp);
		/* A torn read would jump by about 2^32 ticks (three minutes). */
		ck_assert_uint_lt(b.current_timestamp - a.current_timestamp, GP_MOCK_TIMESTAMP_HZ);
	}
	ck_assert_uint_gt(b.current_timestamp, 1ull << 32);
	teardown();
}
END_TEST

START_TEST(timestamp_of_a_vanished_device_is_enodev)
{
	struct gpu_proto_mali_timestamp_info ts;
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO, .size = sizeof(ts), .pointer = (uintptr_t)&ts,
	};
	struct gp_guard guard;

	setup_bound(&plain_user);
	ck_assert(gp_dev_enter(gp_registration_device(reg), &guard));
	gp_mock_simulate_removal(((struct mali_csf_data *)gp_guard_data(&guard))->backend);
	gp_dev_exit(&guard);
	map(&q, sizeof(q), RW);
	map(&ts, sizeof(ts), GP_USER_OUT);
	ck_assert_int_eq(dev_query(&q), -ENODEV);
	teardown();
}
END_TEST

static uint8_t query_priorities(void)
{
	struct gpu_proto_mali_group_priorities_info info = { .allowed_mask = 0xee };
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_GROUP_PRIORITIES_INFO, .size = sizeof(info),
		.pointer = (uintptr_t)&info,
	};

	map(&q, sizeof(q), RW);
	map(&info, sizeof(info), GP_USER_OUT);
	ck_assert_int_eq(dev_query(&q), 0);
	return info.allowed_mask;
}

START_TEST(group_priorities_depend_on_cap_sys_nice)
{
	setup_bound(&plain_user);
	ck_assert_uint_eq(query_priorities(), 0x3);	/* LOW and MEDIUM */
	teardown();
	setup_bound(&nice_user);
	ck_assert_uint_eq(query_priorities(), 0xf);	/* + HIGH and REALTIME */
	teardown();
}
END_TEST

/* --- revoke and rebind --- */

START_TEST(revoke_then_rebind_gives_a_working_fresh_device)
{
	struct gp_mock_config cfg;
	struct gp_file *old;
	struct gpu_proto_mali_dev_query q = { .type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO };

	setup_bound(&plain_user);
	map(&q, sizeof(q), RW);
	ck_assert_int_eq(dev_query(&q), 0);
	gp_registration_free(&reg);
	ck_assert_int_eq(dev_query(&q), -ENODEV);

	old = file;
	file = NULL;
	gp_mock_config_init(&cfg);
	ck_assert_int_eq(bind_mock(&cfg, NULL), 0);
	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), &plain_user, GP_NODE_RENDER, &file), 0);
	ck_assert_int_eq(dev_query(&q), 0);
	ck_assert_uint_eq(q.size, sizeof(struct gpu_proto_mali_gpu_info));

	/* The old file stays dead. */
	ck_assert_int_eq(gp_inproc_ioctl(caller, old, GPU_PROTO_IOCTL_MALI_DEV_QUERY, (uintptr_t)&q), -ENODEV);
	gp_file_close(&old);
	teardown();
}
END_TEST

struct querier {
	struct gp_file *file;
	atomic_bool *stop;
	atomic_long ok, enodev, other;
};

static void *querier_thread(void *arg)
{
	struct querier *qr = arg;
	struct gp_inproc_caller *c = NULL;
	struct gpu_proto_mali_timestamp_info ts;
	struct gpu_proto_mali_dev_query q;

	if (gp_inproc_caller_new(GP_INPROC_RETRY, &c) < 0)
		return NULL;
	gp_inproc_caller_map(c, &q, sizeof(q), RW);
	gp_inproc_caller_map(c, &ts, sizeof(ts), GP_USER_OUT);
	while (!atomic_load(qr->stop)) {
		int r;

		q = (struct gpu_proto_mali_dev_query){
			.type = GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO, .size = sizeof(ts),
			.pointer = (uintptr_t)&ts,
		};
		r = gp_inproc_ioctl(c, qr->file, GPU_PROTO_IOCTL_MALI_DEV_QUERY, (uintptr_t)&q);
		if (r == 0)
			atomic_fetch_add(&qr->ok, 1);
		else if (r == -ENODEV)
			atomic_fetch_add(&qr->enodev, 1);
		else
			atomic_fetch_add(&qr->other, 1);
	}
	gp_inproc_caller_free(&c);
	return NULL;
}

START_TEST(queries_racing_revoke_get_success_or_enodev)
{
	enum { THREADS = 3 };
	struct querier qr[THREADS];
	pthread_t t[THREADS];
	atomic_bool stop = false;

	setup_bound(&plain_user);
	for (int i = 0; i < THREADS; i++) {
		qr[i] = (struct querier){ .file = file, .stop = &stop };
		pthread_create(&t[i], NULL, querier_thread, &qr[i]);
	}
	usleep(20000);
	/* Revoke while timestamp reads hit the mock's registers: release unmaps them. */
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	/* Until every thread has met the revoked device (a loaded machine is slow). */
	for (int waited_ms = 0; waited_ms < 10000; waited_ms++) {
		bool all = true;

		for (int i = 0; i < THREADS; i++)
			all = all && atomic_load(&qr[i].enodev) > 0;
		if (all)
			break;
		usleep(1000);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(qr[i].other, 0);
		ck_assert_int_gt(qr[i].enodev, 0);
	}
	ck_assert_int_gt(qr[0].ok + qr[1].ok + qr[2].ok, 0);
	teardown();
}
END_TEST


/* --- FLUSH_CACHES: the interrupt path end to end --- */

static int flush(uint64_t user_data, uint32_t flags)
{
	struct gpu_proto_mali_flush_caches req = { .user_data = user_data, .flags = flags };
	int r;

	map(&req, sizeof(req), RW);
	r = gp_inproc_ioctl(caller, file, GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES, (uintptr_t)&req);
	gp_inproc_caller_unmap(caller, &req);
	return r;
}

/* What the control plane does: wait for the IRQ eventfd, drain it, run the handler. */
static void service_irq(void)
{
	struct gp_guard guard;
	struct pollfd pfd = { .events = POLLIN };
	uint64_t count;

	ck_assert(gp_dev_enter(gp_registration_device(reg), &guard));
	pfd.fd = gp_backend_irq_fd(((struct mali_csf_data *)gp_guard_data(&guard))->backend, 0);
	gp_dev_exit(&guard);
	ck_assert_int_eq(poll(&pfd, 1, 2000), 1);
	ck_assert_int_eq(read(pfd.fd, &count, sizeof(count)), sizeof(count));
	ck_assert_int_eq(gp_device_handle_irq(gp_registration_device(reg), 0), 0);
}

static struct gp_mock_stats mock_stats(void)
{
	struct gp_mock_stats stats;
	struct gp_guard guard;

	ck_assert(gp_dev_enter(gp_registration_device(reg), &guard));
	gp_mock_get_stats(((struct mali_csf_data *)gp_guard_data(&guard))->backend, &stats);
	gp_dev_exit(&guard);
	return stats;
}

START_TEST(flush_completion_arrives_as_an_event)
{
	struct gpu_proto_mali_event_flush_done ev;

	setup_bound(&plain_user);
	ck_assert_int_eq(flush(77, 0), 0);
	ck_assert_int_eq(gp_file_read_events(file, &ev, sizeof(ev)), -EAGAIN);
	service_irq();
	ck_assert_int_eq(gp_file_read_events(file, &ev, sizeof(ev)), sizeof(ev));
	ck_assert_uint_eq(ev.base.type, GPU_PROTO_MALI_EVENT_FLUSH_DONE);
	ck_assert_uint_eq(ev.base.length, sizeof(ev));
	ck_assert_uint_eq(ev.user_data, 77);
	ck_assert_uint_gt(ev.gpu_timestamp, 0);
	ck_assert_uint_eq(mock_stats().cache_flushes, 1);
	teardown();
}
END_TEST

START_TEST(flush_requested_during_a_flush_gets_its_own)
{
	struct gpu_proto_mali_event_flush_done ev[2];

	setup_bound(&plain_user);
	ck_assert_int_eq(flush(1, 0), 0);
	ck_assert_int_eq(flush(2, 0), 0);
	ck_assert_int_eq(flush(3, 0), 0);
	service_irq();
	/* Only the first was covered by the flush already running. */
	ck_assert_int_eq(gp_file_read_events(file, ev, sizeof(ev)), sizeof(ev[0]));
	ck_assert_uint_eq(ev[0].user_data, 1);
	service_irq();
	ck_assert_int_eq(gp_file_read_events(file, ev, sizeof(ev)), sizeof(ev));
	ck_assert_uint_eq(ev[0].user_data, 2);
	ck_assert_uint_eq(ev[1].user_data, 3);
	ck_assert_uint_eq(mock_stats().cache_flushes, 2);
	teardown();
}
END_TEST

START_TEST(flush_with_flags_is_einval)
{
	setup_bound(&plain_user);
	ck_assert_int_eq(flush(1, 1), -EINVAL);
	ck_assert_uint_eq(mock_stats().cache_flushes, 0);
	teardown();
}
END_TEST

START_TEST(flushes_beyond_the_event_space_are_enospc)
{
	size_t n = GP_FILE_EVENT_SPACE / sizeof(struct gpu_proto_mali_event_flush_done);

	setup_bound(&plain_user);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(flush(i, 0), 0);
	ck_assert_int_eq(flush(n, 0), -ENOSPC);
	teardown();
}
END_TEST

START_TEST(revoke_with_flushes_pending_leaves_readers_enodev)
{
	char buf[64];

	setup_bound(&plain_user);
	ck_assert_int_eq(flush(1, 0), 0);
	ck_assert_int_eq(flush(2, 0), 0);
	gp_registration_revoke(reg);
	ck_assert_int_eq(gp_file_read_events(file, buf, sizeof(buf)), -ENODEV);
	ck_assert_int_eq(gp_device_handle_irq(file->dev, 0), -ENODEV);
	teardown();
}
END_TEST

#ifdef GP_ASAN
/* A handler that kept the MMIO binding past revoke is caught by ASan. */
START_TEST(register_access_after_revoke_is_caught_by_asan)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct gp_mock_config cfg;
		struct gp_guard guard;
		struct gp_backend *kept;

		gp_mock_config_init(&cfg);
		if (bind_mock(&cfg, NULL) < 0 || !gp_dev_enter(gp_registration_device(reg), &guard))
			_exit(0);
		kept = ((struct mali_csf_data *)gp_guard_data(&guard))->backend;
		gp_dev_exit(&guard);
		gp_registration_free(&reg);
		(void)gp_backend_read32(kept, 0, MALI_GPU_ID);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(!(WIFEXITED(status) && WEXITSTATUS(status) == 0),
		      "register access after revoke went unnoticed");
}
END_TEST
#endif

static Suite *mali_csf_suite(void)
{
	Suite *s = suite_create("mali-csf");
	TCase *probe = tcase_create("probe");
	TCase *query = tcase_create("dev-query");
	TCase *life = tcase_create("lifetime");

	tcase_set_timeout(probe, 60);
	tcase_add_test(probe, probe_reads_the_g610_identity);
	tcase_add_test(probe, probe_soft_resets_and_powers_l2);
	tcase_add_test(probe, probe_times_out_when_reset_never_completes);
	tcase_add_test(probe, probe_times_out_when_l2_never_ready);
	tcase_add_test(probe, probe_of_removed_device_is_eio);
	tcase_add_test(probe, probe_refuses_a_pci_device);
	tcase_add_test(probe, probe_succeeds_on_a_slow_bus);
	suite_add_tcase(s, probe);

	tcase_set_timeout(query, 60);
	tcase_add_test(query, null_pointer_reports_the_driver_size);
	tcase_add_test(query, unknown_types_are_einval);
	tcase_add_test(query, short_buffer_is_einval_and_untouched);
	tcase_add_test(query, minimum_size_gets_the_mandatory_fields_only);
	tcase_add_test(query, longer_buffer_gets_a_zero_filled_tail);
	tcase_add_test(query, bad_query_pointer_is_efault);
	tcase_add_test(query, timestamps_are_live_and_monotonic);
	tcase_add_test(query, timestamp_is_consistent_across_a_32bit_carry);
	tcase_add_test(query, timestamp_of_a_vanished_device_is_enodev);
	tcase_add_test(query, group_priorities_depend_on_cap_sys_nice);
	suite_add_tcase(s, query);

	tcase_add_test(query, flush_completion_arrives_as_an_event);
	tcase_add_test(query, flush_requested_during_a_flush_gets_its_own);
	tcase_add_test(query, flush_with_flags_is_einval);
	tcase_add_test(query, flushes_beyond_the_event_space_are_enospc);
	tcase_add_test(query, revoke_with_flushes_pending_leaves_readers_enodev);

	tcase_set_timeout(life, 120);
	tcase_add_test(life, revoke_then_rebind_gives_a_working_fresh_device);
	tcase_add_test(life, queries_racing_revoke_get_success_or_enodev);
#ifdef GP_ASAN
	tcase_add_test(life, register_access_after_revoke_is_caught_by_asan);
#endif
	suite_add_tcase(s, life);
	return s;
}

int main(void)
{
	return gp_check_run(mali_csf_suite());
}
