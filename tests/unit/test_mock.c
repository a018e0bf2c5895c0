// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mock Mali-G610 register file, specified by its behaviour.
 *
 * Timing tests assert lower bounds only ("not before the delay", "at least
 * N ticks later"): an upper bound would fail on a loaded CI machine or under
 * a sanitizer without telling us anything about the model.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "mali_csf_regs.h"
#include "mock.h"

/* Generous: only reached when the model is broken. */
#define WAIT_MS		5000

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define IRQ_POWER_BOTH	(MALI_GPU_IRQ_POWER_CHANGED | MALI_GPU_IRQ_POWER_CHANGED_ALL)

static struct gp_backend *mock_open(const char *opts)
{
	struct gp_mock_config cfg;
	struct gp_backend *be = NULL;
	char err[256] = "";

	gp_mock_config_init(&cfg);
	ck_assert_msg(gp_mock_config_parse(&cfg, opts, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(gp_mock_open(&cfg, &be), 0);
	ck_assert_ptr_nonnull(be);
	return be;
}

static uint32_t rd(struct gp_backend *be, uint64_t offset)
{
	return gp_backend_read32(be, GP_MOCK_REGION_GPU, offset);
}

static void wr(struct gp_backend *be, uint64_t offset, uint32_t value)
{
	gp_backend_write32(be, GP_MOCK_REGION_GPU, offset, value);
}

static int irq_fd(struct gp_backend *be)
{
	return gp_backend_irq_fd(be, GP_MOCK_IRQ_GPU);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool fd_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	ck_assert_int_ge(r, 0);
	return r == 1 && (pfd.revents & POLLIN);
}

/* The eventfd counter, reset to zero; 0 if it was not signalled. */
static uint64_t fd_drain(int fd)
{
	eventfd_t v = 0;

	if (eventfd_read(fd, &v) < 0) {
		ck_assert_int_eq(errno, EAGAIN);
		return 0;
	}
	return v;
}

/* Poll a register, as the driver's probe does, until @bits are all set. */
static bool wait_bits(struct gp_backend *be, uint64_t offset, uint32_t bits)
{
	uint64_t deadline = now_ns() + WAIT_MS * 1000000ull;

	while ((rd(be, offset) & bits) != bits) {
		if (now_ns() > deadline)
			return false;
		usleep(100);
	}
	return true;
}

/* A consistent 64-bit counter value: read hi, lo, hi until hi is stable. */
static uint64_t read_counter(struct gp_backend *be, uint64_t lo_offset)
{
	uint32_t hi, lo, hi2;

	hi = rd(be, lo_offset + 4);
	for (;;) {
		lo = rd(be, lo_offset);
		hi2 = rd(be, lo_offset + 4);
		if (hi == hi2)
			return (uint64_t)hi << 32 | lo;
		hi = hi2;
	}
}

static struct gp_mock_stats stats_of(struct gp_backend *be)
{
	struct gp_mock_stats s;

	gp_mock_get_stats(be, &s);
	return s;
}

static unsigned int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

struct reg_value {
	uint32_t offset;
	uint32_t value;
};

/* --- registers ---------------------------------------------------------- */

START_TEST(test_id_registers_match_rk3588_boot_logs)
{
	static const struct reg_value expected[] = {
		{ MALI_GPU_ID, 0xa8670005 },
		{ MALI_GPU_L2_FEATURES, 0x07120306 },
		{ MALI_GPU_TILER_FEATURES, 0x809 },
		{ MALI_GPU_MEM_FEATURES, 0x301 },
		{ MALI_GPU_MMU_FEATURES, 0x2830 },
		{ MALI_GPU_AS_PRESENT, 0xff },
		{ MALI_GPU_SHADER_PRESENT_LO, 0x50005 },
		{ MALI_GPU_SHADER_PRESENT_HI, 0 },
		{ MALI_GPU_TILER_PRESENT_LO, 0x1 },
		{ MALI_GPU_TILER_PRESENT_HI, 0 },
		{ MALI_GPU_L2_PRESENT_LO, 0x1 },
		{ MALI_GPU_L2_PRESENT_HI, 0 },
	};
	struct gp_backend *be = mock_open(NULL);

	for (size_t i = 0; i < ARRAY_SIZE(expected); i++)
		ck_assert_msg(rd(be, expected[i].offset) == expected[i].value,
			      "reg 0x%03x: 0x%08x, expected 0x%08x", expected[i].offset,
			      rd(be, expected[i].offset), expected[i].value);
	ck_assert_uint_eq(gp_backend_read64(be, GP_MOCK_REGION_GPU, MALI_GPU_SHADER_PRESENT_LO),
			  0x50005);
	gp_backend_release(&be);
}
END_TEST

/* The values docs/mock.md lists as invented: changing one must change the doc. */
START_TEST(test_invented_registers_read_documented_values)
{
	static const struct reg_value expected[] = {
		{ MALI_GPU_CORE_FEATURES, 0x0 },
		{ MALI_GPU_CSF_ID, 0x40a00412 },
		{ MALI_GPU_REVID, 0x0 },
		{ MALI_GPU_THREAD_MAX_THREADS, 2048 },
		{ MALI_GPU_THREAD_MAX_WORKGROUP_SIZE, 1024 },
		{ MALI_GPU_THREAD_MAX_BARRIER_SIZE, 1024 },
		{ MALI_GPU_THREAD_FEATURES, 0x04810000 },
		{ MALI_GPU_TEXTURE_FEATURES(0), 0xc1ffff9e },
		{ MALI_GPU_TEXTURE_FEATURES(1), 0x000001ff },
		{ MALI_GPU_TEXTURE_FEATURES(2), 0x00000010 },
		{ MALI_GPU_TEXTURE_FEATURES(3), 0x00000000 },
		{ MALI_GPU_COHERENCY_FEATURES, 0x1 },
		{ MALI_GPU_STATUS, 0x0 },
	};
	struct gp_backend *be = mock_open(NULL);

	for (size_t i = 0; i < ARRAY_SIZE(expected); i++)
		ck_assert_msg(rd(be, expected[i].offset) == expected[i].value,
			      "reg 0x%03x: 0x%08x, expected 0x%08x", expected[i].offset,
			      rd(be, expected[i].offset), expected[i].value);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_interrupt_and_power_registers_start_clear)
{
	struct gp_backend *be = mock_open(NULL);

	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), 0);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_MASK), 0);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_STAT), 0);
	ck_assert_uint_eq(rd(be, MALI_L2_READY_LO), 0);
	ck_assert_uint_eq(rd(be, MALI_L2_PWRTRANS_LO), 0);
	ck_assert_uint_eq(gp_backend_read64(be, GP_MOCK_REGION_GPU, MALI_GPU_TIMESTAMP_OFFSET_LO), 0);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_unknown_offset_reads_zero_and_ignores_writes)
{
	static const uint32_t unknown[] = {
		0x040, 0x708, 0x1010, MALI_CSF_DOORBELL(1) + 4, GP_MOCK_REGION_SIZE - 4,
	};
	struct gp_backend *be = mock_open(NULL);

	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		wr(be, unknown[i], 0xdeadbeef);
		ck_assert_msg(rd(be, unknown[i]) == 0, "reg 0x%x reads 0x%x", unknown[i],
			      rd(be, unknown[i]));
	}
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_read_only_registers_ignore_writes)
{
	struct gp_backend *be = mock_open("reset-delay-us=0");

	wr(be, MALI_GPU_ID, 0);
	wr(be, MALI_GPU_SHADER_PRESENT_LO, 0);
	wr(be, MALI_L2_READY_LO, 1);
	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_RESET_COMPLETED);
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	wr(be, MALI_GPU_INT_STAT, 0);

	ck_assert_uint_eq(rd(be, MALI_GPU_ID), 0xa8670005);
	ck_assert_uint_eq(rd(be, MALI_GPU_SHADER_PRESENT_LO), 0x50005);
	ck_assert_uint_eq(rd(be, MALI_L2_READY_LO), 0);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_STAT), MALI_GPU_IRQ_RESET_COMPLETED);
	gp_backend_release(&be);
}
END_TEST

/* --- reset ------------------------------------------------------------- */

START_TEST(test_soft_reset_raises_reset_completed_and_irq_after_delay)
{
	struct gp_backend *be = mock_open(NULL);

	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_RESET_COMPLETED);
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);

	ck_assert(fd_readable(irq_fd(be), WAIT_MS));
	ck_assert_uint_eq(fd_drain(irq_fd(be)), 1);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), MALI_GPU_IRQ_RESET_COMPLETED);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_STAT), MALI_GPU_IRQ_RESET_COMPLETED);
	ck_assert_uint_eq(stats_of(be).irqs_raised, 1);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_soft_reset_does_not_complete_before_its_delay)
{
	struct gp_backend *be = mock_open("reset-delay-us=200000");
	uint64_t t0;

	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_RESET_COMPLETED);
	t0 = now_ns();
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);

	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), 0);
	ck_assert(!fd_readable(irq_fd(be), 0));

	ck_assert(fd_readable(irq_fd(be), WAIT_MS));
	ck_assert_uint_ge(now_ns() - t0, 200000000ull);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), MALI_GPU_IRQ_RESET_COMPLETED);
	gp_backend_release(&be);
}
END_TEST

/* Polling alone must see completion: the model applies expired work on access. */
START_TEST(test_soft_reset_completion_is_visible_to_a_poller_without_irq)
{
	struct gp_backend *be = mock_open("reset-delay-us=1000");

	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	ck_assert(wait_bits(be, MALI_GPU_INT_RAWSTAT, MALI_GPU_IRQ_RESET_COMPLETED));
	ck_assert(!fd_readable(irq_fd(be), 0));
	ck_assert_uint_eq(stats_of(be).irqs_raised, 0);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_zero_reset_delay_completes_within_the_write)
{
	struct gp_backend *be = mock_open("reset-delay-us=0");

	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_RESET_COMPLETED);
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	ck_assert(fd_readable(irq_fd(be), 0));
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), MALI_GPU_IRQ_RESET_COMPLETED);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_hard_reset_completes_and_counts_as_reset)
{
	struct gp_backend *be = mock_open(NULL);

	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_HARD_RESET);
	ck_assert(wait_bits(be, MALI_GPU_INT_RAWSTAT, MALI_GPU_IRQ_RESET_COMPLETED));
	ck_assert_uint_eq(stats_of(be).soft_resets, 1);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_other_gpu_commands_do_not_reset)
{
	struct gp_backend *be = mock_open("reset-delay-us=0");

	wr(be, MALI_GPU_CMD, 0x1);
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET | 0x1000);
	ck_assert_uint_eq(stats_of(be).soft_resets, 0);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), 0);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_reset_never_completes_fault_keeps_reset_completed_low)
{
	struct gp_backend *be = mock_open("reset-never-completes,reset-delay-us=0");

	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_RESET_COMPLETED);
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	ck_assert(!fd_readable(irq_fd(be), 100));
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), 0);
	ck_assert_uint_eq(stats_of(be).soft_resets, 1);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_reset_powers_l2_down)
{
	struct gp_backend *be = mock_open("reset-delay-us=0,l2-power-delay-us=0");

	wr(be, MALI_L2_PWRON_LO, 1);
	ck_assert_uint_eq(rd(be, MALI_L2_READY_LO), 1);
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	ck_assert_uint_eq(rd(be, MALI_L2_READY_LO), 0);
	ck_assert_uint_eq(rd(be, MALI_L2_PWRTRANS_LO), 0);
	gp_backend_release(&be);
}
END_TEST

/* --- interrupts -------------------------------------------------------- */

/* RESET_COMPLETED | POWER_CHANGED | POWER_CHANGED_ALL pending, none masked in. */
static struct gp_backend *mock_open_with_pending_bits(void)
{
	struct gp_backend *be = mock_open("reset-delay-us=0,l2-power-delay-us=0");

	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	wr(be, MALI_L2_PWRON_LO, 1);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT),
			  MALI_GPU_IRQ_RESET_COMPLETED | IRQ_POWER_BOTH);
	return be;
}

START_TEST(test_int_clear_clears_only_the_written_bits)
{
	struct gp_backend *be = mock_open_with_pending_bits();

	wr(be, MALI_GPU_INT_CLEAR, MALI_GPU_IRQ_POWER_CHANGED);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT),
			  MALI_GPU_IRQ_RESET_COMPLETED | MALI_GPU_IRQ_POWER_CHANGED_ALL);
	wr(be, MALI_GPU_INT_CLEAR, UINT32_MAX);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), 0);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_CLEAR), 0);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_int_stat_is_rawstat_and_mask)
{
	struct gp_backend *be = mock_open_with_pending_bits();

	ck_assert_uint_eq(rd(be, MALI_GPU_INT_STAT), 0);
	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_FAULT | MALI_GPU_IRQ_POWER_CHANGED);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_MASK), MALI_GPU_IRQ_FAULT | MALI_GPU_IRQ_POWER_CHANGED);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_STAT), MALI_GPU_IRQ_POWER_CHANGED);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT),
			  MALI_GPU_IRQ_RESET_COMPLETED | IRQ_POWER_BOTH);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_masked_out_bit_raises_no_irq)
{
	struct gp_backend *be = mock_open_with_pending_bits();

	ck_assert(!fd_readable(irq_fd(be), 0));
	ck_assert_uint_eq(stats_of(be).irqs_raised, 0);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_masking_in_a_pending_bit_raises_the_irq)
{
	struct gp_backend *be = mock_open_with_pending_bits();

	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_RESET_COMPLETED);
	ck_assert(fd_readable(irq_fd(be), 0));
	ck_assert_uint_eq(stats_of(be).irqs_raised, 1);
	gp_backend_release(&be);
}
END_TEST

/* The line is a level: only STAT going 0 -> non-zero is a new edge. */
START_TEST(test_irq_signals_once_while_stat_stays_nonzero)
{
	struct gp_backend *be = mock_open("reset-delay-us=0,l2-power-delay-us=0");

	wr(be, MALI_GPU_INT_MASK, UINT32_MAX);
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	wr(be, MALI_L2_PWRON_LO, 1);
	ck_assert_uint_eq(fd_drain(irq_fd(be)), 1);

	wr(be, MALI_GPU_INT_CLEAR, UINT32_MAX);
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	ck_assert_uint_eq(fd_drain(irq_fd(be)), 1);
	ck_assert_uint_eq(stats_of(be).irqs_raised, 2);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_irq_unmask_resignals_while_stat_is_nonzero)
{
	struct gp_backend *be = mock_open_with_pending_bits();

	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_RESET_COMPLETED);
	ck_assert_uint_eq(fd_drain(irq_fd(be)), 1);

	ck_assert_int_eq(gp_backend_irq_unmask(be, GP_MOCK_IRQ_GPU), 0);
	ck_assert_uint_eq(fd_drain(irq_fd(be)), 1);

	wr(be, MALI_GPU_INT_CLEAR, MALI_GPU_IRQ_RESET_COMPLETED);
	ck_assert_int_eq(gp_backend_irq_unmask(be, GP_MOCK_IRQ_GPU), 0);
	ck_assert(!fd_readable(irq_fd(be), 0));
	ck_assert_int_eq(gp_backend_irq_unmask(be, GP_MOCK_NUM_IRQS), -EINVAL);
	gp_backend_release(&be);
}
END_TEST

/*
 * The job line is a level too: an event raised between the handler's
 * read of JOB_INT_STAT and its clear makes no edge, so unmasking the line
 * must fire it again (it did not, and a job then waited for the watchdog).
 */
START_TEST(test_job_irq_unmask_resignals_a_bit_raised_during_the_handler)
{
	struct gp_backend *be = mock_open(NULL);
	int fd = gp_backend_irq_fd(be, GP_MOCK_IRQ_JOB);
	uint32_t stat;

	wr(be, MALI_JOB_INT_MASK, MALI_JOB_INT_CSG_IF(0) | MALI_JOB_INT_CSG_IF(1));
	wr(be, MALI_JOB_INT_RAWSTAT, MALI_JOB_INT_CSG_IF(0));
	ck_assert_uint_eq(fd_drain(fd), 1);

	/* The handler reads STAT; CSG 1 raises before the clear: no new edge. */
	stat = rd(be, MALI_JOB_INT_STAT);
	ck_assert_uint_eq(stat, MALI_JOB_INT_CSG_IF(0));
	wr(be, MALI_JOB_INT_RAWSTAT, MALI_JOB_INT_CSG_IF(1));
	wr(be, MALI_JOB_INT_CLEAR, stat);
	ck_assert(!fd_readable(fd, 0));

	ck_assert_int_eq(gp_backend_irq_unmask(be, GP_MOCK_IRQ_JOB), 0);
	ck_assert_uint_eq(fd_drain(fd), 1);

	/* Nothing pending: unmasking raises nothing. */
	wr(be, MALI_JOB_INT_CLEAR, MALI_JOB_INT_CSG_IF(1));
	ck_assert_int_eq(gp_backend_irq_unmask(be, GP_MOCK_IRQ_JOB), 0);
	ck_assert(!fd_readable(fd, 0));
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_rawstat_write_raises_bits)
{
	struct gp_backend *be = mock_open(NULL);

	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_FAULT);
	wr(be, MALI_GPU_INT_RAWSTAT, MALI_GPU_IRQ_FAULT);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), MALI_GPU_IRQ_FAULT);
	ck_assert(fd_readable(irq_fd(be), 0));
	gp_backend_release(&be);
}
END_TEST

/* --- L2 power ---------------------------------------------------------- */

START_TEST(test_flush_caches_raises_clean_caches_completed_after_delay)
{
	struct gp_backend *be = mock_open("flush-delay-us=100000");
	const uint32_t flush = MALI_GPU_FLUSH_CACHES(3, 3, 2);

	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED);
	wr(be, MALI_GPU_CMD, flush);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), 0);
	ck_assert(fd_readable(irq_fd(be), WAIT_MS));
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_STAT), MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED);
	ck_assert_uint_eq(stats_of(be).cache_flushes, 1);
	ck_assert_uint_eq(stats_of(be).soft_resets, 0);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_flush_issued_during_a_flush_is_absorbed)
{
	struct gp_backend *be = mock_open("flush-delay-us=50000");
	const uint32_t flush = MALI_GPU_FLUSH_CACHES(3, 3, 2);

	wr(be, MALI_GPU_CMD, flush);
	wr(be, MALI_GPU_CMD, flush);
	ck_assert(wait_bits(be, MALI_GPU_INT_RAWSTAT, MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED));
	wr(be, MALI_GPU_INT_CLEAR, MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED);
	sleep_ms(120);
	/* One completion for the two commands. */
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), 0);
	ck_assert_uint_eq(stats_of(be).cache_flushes, 2);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_l2_power_on_sets_ready_and_power_changed)
{
	struct gp_backend *be = mock_open(NULL);

	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_POWER_CHANGED_ALL);
	wr(be, MALI_L2_PWRON_LO, 1);
	ck_assert(fd_readable(irq_fd(be), WAIT_MS));
	ck_assert_uint_eq(rd(be, MALI_L2_READY_LO), 1);
	ck_assert_uint_eq(rd(be, MALI_L2_PWRTRANS_LO), 0);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), IRQ_POWER_BOTH);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_l2_is_in_transition_until_ready)
{
	struct gp_backend *be = mock_open("l2-power-delay-us=200000");

	wr(be, MALI_L2_PWRON_LO, 1);
	ck_assert_uint_eq(rd(be, MALI_L2_PWRTRANS_LO), 1);
	ck_assert_uint_eq(rd(be, MALI_L2_READY_LO), 0);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), 0);

	ck_assert(wait_bits(be, MALI_L2_READY_LO, 1));
	ck_assert_uint_eq(rd(be, MALI_L2_PWRTRANS_LO), 0);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_l2_power_on_of_absent_slice_is_ignored)
{
	struct gp_backend *be = mock_open("l2-power-delay-us=0");

	wr(be, MALI_L2_PWRON_LO, 0x2);
	ck_assert_uint_eq(rd(be, MALI_L2_READY_LO), 0);
	ck_assert_uint_eq(rd(be, MALI_L2_PWRTRANS_LO), 0);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), 0);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_l2_never_ready_fault_keeps_pwrtrans)
{
	struct gp_backend *be = mock_open("l2-never-ready,l2-power-delay-us=0");

	wr(be, MALI_L2_PWRON_LO, 1);
	sleep_ms(50);
	ck_assert_uint_eq(rd(be, MALI_L2_PWRTRANS_LO), 1);
	ck_assert_uint_eq(rd(be, MALI_L2_READY_LO), 0);
	ck_assert_uint_eq(rd(be, MALI_GPU_INT_RAWSTAT), 0);
	gp_backend_release(&be);
}
END_TEST

/* --- counters ---------------------------------------------------------- */

START_TEST(test_timestamp_is_monotonic_and_advances)
{
	struct gp_backend *be = mock_open(NULL);
	uint64_t first, prev, ts;

	first = prev = read_counter(be, MALI_GPU_TIMESTAMP_LO);
	for (int i = 0; i < 100000; i++) {
		ts = read_counter(be, MALI_GPU_TIMESTAMP_LO);
		ck_assert_uint_ge(ts, prev);
		prev = ts;
	}
	sleep_ms(20);
	ts = read_counter(be, MALI_GPU_TIMESTAMP_LO);
	/* 20 ms of a 24 MHz counter */
	ck_assert_uint_ge(ts - first, GP_MOCK_TIMESTAMP_HZ / 50);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_timestamp_carries_across_a_32bit_boundary)
{
	/* 20 ms of ticks below 2^32 */
	const uint64_t start = (1ull << 32) - GP_MOCK_TIMESTAMP_HZ / 50;
	struct gp_mock_config cfg;
	struct gp_backend *be = NULL;
	uint64_t deadline = now_ns() + WAIT_MS * 1000000ull;
	uint64_t prev = start, ts;

	gp_mock_config_init(&cfg);
	cfg.timestamp_start = start;
	ck_assert_int_eq(gp_mock_open(&cfg, &be), 0);

	do {
		ts = read_counter(be, MALI_GPU_TIMESTAMP_LO);
		ck_assert_uint_ge(ts, prev);
		prev = ts;
		ck_assert_uint_lt(now_ns(), deadline);
	} while (ts < 1ull << 32);
	ck_assert_uint_eq(ts >> 32, 1);
	ck_assert_uint_eq(rd(be, MALI_GPU_TIMESTAMP_HI), 1);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_timestamp_offset_is_added)
{
	const uint64_t offset = 0x123456789aull << 8;
	struct gp_backend *be = mock_open(NULL);
	uint64_t before, with, after;

	before = read_counter(be, MALI_GPU_TIMESTAMP_LO);
	gp_backend_write64(be, GP_MOCK_REGION_GPU, MALI_GPU_TIMESTAMP_OFFSET_LO, offset);
	with = read_counter(be, MALI_GPU_TIMESTAMP_LO);
	ck_assert_uint_eq(gp_backend_read64(be, GP_MOCK_REGION_GPU, MALI_GPU_TIMESTAMP_OFFSET_LO),
			  offset);
	gp_backend_write64(be, GP_MOCK_REGION_GPU, MALI_GPU_TIMESTAMP_OFFSET_LO, 0);
	after = read_counter(be, MALI_GPU_TIMESTAMP_LO);

	ck_assert_uint_ge(with - offset, before);
	ck_assert_uint_le(with - offset, after);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_timestamp_registers_are_read_only)
{
	struct gp_backend *be = mock_open("timestamp-start=0x100000000000");

	wr(be, MALI_GPU_TIMESTAMP_HI, 0);
	ck_assert_uint_ge(read_counter(be, MALI_GPU_TIMESTAMP_LO), 0x100000000000ull);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_cycle_count_advances)
{
	struct gp_backend *be = mock_open(NULL);
	uint64_t first, later;

	first = read_counter(be, MALI_GPU_CYCLE_COUNT_LO);
	sleep_ms(10);
	later = read_counter(be, MALI_GPU_CYCLE_COUNT_LO);
	/* 10 ms of an 800 MHz clock */
	ck_assert_uint_ge(later - first, GP_MOCK_CYCLE_COUNT_HZ / 100);
	gp_backend_release(&be);
}
END_TEST

/* --- faults ------------------------------------------------------------ */

START_TEST(test_access_delay_slows_every_access)
{
	struct gp_backend *be = mock_open("access-delay-ns=1000000");
	uint64_t t0 = now_ns();

	for (int i = 0; i < 50; i++) {
		rd(be, MALI_GPU_ID);
		wr(be, MALI_GPU_INT_MASK, 0);
	}
	ck_assert_uint_ge(now_ns() - t0, 100 * 1000000ull);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_short_access_delay_is_honoured)
{
	struct gp_backend *be = mock_open("access-delay-ns=20000");
	uint64_t t0 = now_ns();

	for (int i = 0; i < 100; i++)
		rd(be, MALI_GPU_ID);
	ck_assert_uint_ge(now_ns() - t0, 100 * 20000ull);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_removal_reads_all_ones_and_signals_removal_fd)
{
	struct gp_backend *be = mock_open(NULL);

	ck_assert(!fd_readable(be->removal_fd, 0));
	gp_mock_simulate_removal(be);
	ck_assert(fd_readable(be->removal_fd, 0));
	ck_assert_uint_eq(fd_drain(be->removal_fd), 1);

	ck_assert_uint_eq(rd(be, MALI_GPU_ID), UINT32_MAX);
	ck_assert_uint_eq(rd(be, 0x1000), UINT32_MAX);
	ck_assert_uint_eq(gp_backend_read64(be, GP_MOCK_REGION_GPU, MALI_GPU_TIMESTAMP_LO),
			  UINT64_MAX);

	/* A second removal is the same removal. */
	gp_mock_simulate_removal(be);
	ck_assert(!fd_readable(be->removal_fd, 0));
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_removal_drops_writes)
{
	struct gp_backend *be = mock_open("reset-delay-us=0");
	struct gp_mock_stats s;

	gp_mock_simulate_removal(be);
	wr(be, MALI_GPU_INT_MASK, UINT32_MAX);
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);

	s = stats_of(be);
	ck_assert_uint_eq(s.writes, 2);
	ck_assert_uint_eq(s.soft_resets, 0);
	ck_assert_uint_eq(s.irqs_raised, 0);
	ck_assert(!fd_readable(irq_fd(be), 0));
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_removed_device_raises_no_pending_irq)
{
	struct gp_backend *be = mock_open("reset-delay-us=50000");

	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_RESET_COMPLETED);
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	gp_mock_simulate_removal(be);
	ck_assert(!fd_readable(irq_fd(be), 200));
	ck_assert_uint_eq(stats_of(be).irqs_raised, 0);
	gp_backend_release(&be);
}
END_TEST

/* --- configuration ----------------------------------------------------- */

START_TEST(test_config_defaults)
{
	struct gp_mock_config cfg;

	memset(&cfg, 0xa5, sizeof(cfg));
	gp_mock_config_init(&cfg);
	ck_assert_uint_eq(cfg.reset_delay_us, 50);
	ck_assert_uint_eq(cfg.l2_power_delay_us, 20);
	ck_assert_uint_eq(cfg.access_delay_ns, 0);
	ck_assert(!cfg.reset_never_completes);
	ck_assert(!cfg.l2_never_ready);
	ck_assert_uint_eq(cfg.timestamp_start, 0);
}
END_TEST

START_TEST(test_config_parse_accepts_each_option)
{
	struct gp_mock_config cfg;
	char err[256] = "";

	gp_mock_config_init(&cfg);
	ck_assert_int_eq(gp_mock_config_parse(&cfg,
					      "reset-delay-us=7,l2-power-delay-us=0x10,"
					      "access-delay-ns=4294967295,reset-never-completes,"
					      "l2-never-ready,timestamp-start=0xFFFFFFFFFFFFFFFF",
					      err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(cfg.reset_delay_us, 7);
	ck_assert_uint_eq(cfg.l2_power_delay_us, 16);
	ck_assert_uint_eq(cfg.access_delay_ns, UINT32_MAX);
	ck_assert(cfg.reset_never_completes);
	ck_assert(cfg.l2_never_ready);
	ck_assert_uint_eq(cfg.timestamp_start, UINT64_MAX);

	/* Later options override earlier ones; leading zeros stay decimal. */
	ck_assert_int_eq(gp_mock_config_parse(&cfg, "timestamp-start=010,timestamp-start=0x0",
					      err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.timestamp_start, 0);
	ck_assert_int_eq(gp_mock_config_parse(&cfg, "timestamp-start=010", err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.timestamp_start, 10);
}
END_TEST

START_TEST(test_config_parse_null_or_empty_changes_nothing)
{
	struct gp_mock_config cfg, orig;

	gp_mock_config_init(&cfg);
	orig = cfg;
	ck_assert_int_eq(gp_mock_config_parse(&cfg, NULL, NULL, 0), 0);
	ck_assert_int_eq(gp_mock_config_parse(&cfg, "", NULL, 0), 0);
	ck_assert(!memcmp(&cfg, &orig, sizeof(cfg)));
}
END_TEST

static const struct {
	const char *opts;
	const char *message;
} bad_options[] = {
	{ "reset-delay-us=abc", "mock option 'reset-delay-us=abc': not a number" },
	{ "reset-delay-us=", "mock option 'reset-delay-us=': not a number" },
	{ "reset-delay-us=12x", "mock option 'reset-delay-us=12x': not a number" },
	{ "reset-delay-us=-1", "mock option 'reset-delay-us=-1': not a number" },
	{ "reset-delay-us=+1", "mock option 'reset-delay-us=+1': not a number" },
	{ "reset-delay-us= 1", "mock option 'reset-delay-us= 1': not a number" },
	{ "reset-delay-us=0x", "mock option 'reset-delay-us=0x': not a number" },
	{ "reset-delay-us=0x0x5", "mock option 'reset-delay-us=0x0x5': not a number" },
	{ "reset-delay-us=0x1g", "mock option 'reset-delay-us=0x1g': not a number" },
	{ "l2-power-delay-us=4294967296",
	  "mock option 'l2-power-delay-us=4294967296': out of range (at most 4294967295)" },
	{ "access-delay-ns=0x100000000",
	  "mock option 'access-delay-ns=0x100000000': out of range (at most 4294967295)" },
	{ "timestamp-start=18446744073709551616",
	  "mock option 'timestamp-start=18446744073709551616': out of range" },
	{ "reset-delay-us", "mock option 'reset-delay-us': needs a value (reset-delay-us=N)" },
	{ "l2-never-ready=1", "mock option 'l2-never-ready=1': takes no value" },
	{ "reset-never-completes=", "mock option 'reset-never-completes=': takes no value" },
	{ "bogus", "mock option 'bogus': unknown (known: reset-delay-us=N" },
	{ "reset-delay", "mock option 'reset-delay': unknown" },
	{ "=5", "mock option '=5': unknown" },
	{ "reset-delay-us=5,,l2-never-ready", "empty option" },
	{ "reset-delay-us=5,", "empty option" },
	{ ",", "empty option" },
	{ "reset-delay-us=0000000000000000000000000000000000000000000000000000000000000000"
	  "00000000000000000000000000000000000000000000000000000000000000001", "too long" },
};

/* Every bad option is rejected with its name in the message, leaving cfg alone. */
START_TEST(test_config_parse_rejects_malformed_option)
{
	struct gp_mock_config cfg, orig;
	char err[512] = "";

	gp_mock_config_init(&cfg);
	orig = cfg;
	ck_assert_int_eq(gp_mock_config_parse(&cfg, bad_options[_i].opts, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, bad_options[_i].message), "'%s': message \"%s\" lacks \"%s\"",
		      bad_options[_i].opts, err, bad_options[_i].message);
	ck_assert(!memcmp(&cfg, &orig, sizeof(cfg)));
}
END_TEST

START_TEST(test_config_parse_failure_is_all_or_nothing)
{
	struct gp_mock_config cfg;

	gp_mock_config_init(&cfg);
	ck_assert_int_eq(gp_mock_config_parse(&cfg, "reset-delay-us=9,l2-never-ready,bogus",
					      NULL, 0), -EINVAL);
	ck_assert_uint_eq(cfg.reset_delay_us, 50);
	ck_assert(!cfg.l2_never_ready);
}
END_TEST

START_TEST(test_config_parse_truncates_message_to_buffer)
{
	struct gp_mock_config cfg;
	char err[8];

	memset(err, 'x', sizeof(err));
	gp_mock_config_init(&cfg);
	ck_assert_int_eq(gp_mock_config_parse(&cfg, "bogus", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "mock op");
}
END_TEST

/* --- binding lifetime and stats --------------------------------------- */

static void assert_cloexec_nonblocking_eventfd(int fd)
{
	eventfd_t v;

	ck_assert_int_ge(fd, 0);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ck_assert_int_eq(eventfd_read(fd, &v), -1);
	ck_assert_int_eq(errno, EAGAIN);
}

START_TEST(test_open_describes_the_binding)
{
	struct gp_backend *be = mock_open(NULL);

	ck_assert_int_eq(be->bus, GP_BUS_MOCK);
	ck_assert_str_eq(be->bus_id, "mock");
	ck_assert_uint_eq(be->num_regions, 1);
	ck_assert_str_eq(be->regions[GP_MOCK_REGION_GPU].name, "gpu");
	ck_assert_uint_eq(be->regions[GP_MOCK_REGION_GPU].size, 2u << 20);
	ck_assert_uint_eq(be->num_irqs, GP_MOCK_NUM_IRQS);
	ck_assert_uint_eq(GP_MOCK_NUM_IRQS, 3);
	assert_cloexec_nonblocking_eventfd(gp_backend_irq_fd(be, GP_MOCK_IRQ_JOB));
	assert_cloexec_nonblocking_eventfd(irq_fd(be));
	assert_cloexec_nonblocking_eventfd(gp_backend_irq_fd(be, GP_MOCK_IRQ_MMU));
	assert_cloexec_nonblocking_eventfd(be->removal_fd);
	ck_assert_int_ne(irq_fd(be), be->removal_fd);
	ck_assert_int_ne(irq_fd(be), gp_backend_irq_fd(be, GP_MOCK_IRQ_MMU));
	ck_assert_int_ne(gp_backend_irq_fd(be, GP_MOCK_IRQ_MMU), be->removal_fd);
	ck_assert_int_eq(gp_backend_irq_fd(be, GP_MOCK_NUM_IRQS), -1);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_stats_count_reads_writes_resets)
{
	struct gp_backend *be = mock_open("reset-delay-us=0");
	struct gp_mock_stats s;

	rd(be, MALI_GPU_ID);
	rd(be, 0x1000);
	gp_backend_read64(be, GP_MOCK_REGION_GPU, MALI_GPU_TIMESTAMP_LO);
	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_RESET_COMPLETED);
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	wr(be, MALI_GPU_INT_CLEAR, UINT32_MAX);
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_HARD_RESET);
	gp_backend_write64(be, GP_MOCK_REGION_GPU, MALI_GPU_TIMESTAMP_OFFSET_LO, 0);

	s = stats_of(be);
	ck_assert_uint_eq(s.reads, 4);
	ck_assert_uint_eq(s.writes, 6);
	ck_assert_uint_eq(s.soft_resets, 2);
	ck_assert_uint_eq(s.irqs_raised, 2);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_backend_release_clears_pointer_and_ignores_null)
{
	struct gp_backend *be = mock_open(NULL);

	gp_backend_release(&be);
	ck_assert_ptr_null(be);
	gp_backend_release(&be);
	ck_assert_ptr_null(be);
}
END_TEST

START_TEST(test_open_release_many_times_leaks_no_fd)
{
	unsigned int before = count_open_fds();

	for (int i = 0; i < 200; i++) {
		/* Some with work pending, so release stops a timer mid-wait. */
		struct gp_backend *be = mock_open(i % 2 ? "reset-delay-us=1000000" : NULL);

		wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
		wr(be, MALI_L2_PWRON_LO, 1);
		gp_backend_release(&be);
	}
	ck_assert_uint_eq(count_open_fds(), before);
}
END_TEST

/* The SigBlk mask of the thread called @name, from /proc; 0 if none. */
static unsigned long long thread_sigblk(const char *name)
{
	DIR *d = opendir("/proc/self/task");
	unsigned long long mask = 0;
	struct dirent *e;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		char path[300], line[256];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(line, sizeof(line), f) || strncmp(line, name, strlen(name))) {
			fclose(f);
			continue;
		}
		fclose(f);

		snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
		f = fopen(path, "re");
		ck_assert_ptr_nonnull(f);
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "SigBlk: %llx", &mask) == 1)
				break;
		fclose(f);
	}
	closedir(d);
	return mask;
}

/* Process signals go to the daemon's own handlers, never to the model's timer. */
START_TEST(test_timer_thread_blocks_signals)
{
	sigset_t none, old;
	struct gp_backend *be;
	unsigned long long blocked;

	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, &old);
	be = mock_open("reset-delay-us=1000");
	/*
	 * A new thread shows a full mask until it starts running; an IRQ from
	 * the timer proves it has run and settled on its own mask.
	 */
	wr(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_RESET_COMPLETED);
	wr(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	ck_assert(fd_readable(irq_fd(be), WAIT_MS));
	blocked = thread_sigblk("gp-mock-timer");
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	ck_assert(blocked & 1ull << (SIGTERM - 1));
	ck_assert(blocked & 1ull << (SIGINT - 1));
	ck_assert(blocked & 1ull << (SIGHUP - 1));
	gp_backend_release(&be);
}
END_TEST

/*
 * Fill every descriptor slot below a lowered RLIMIT_NOFILE, then free
 * @free_slots of them: the next open after those fails with EMFILE.
 * Returns how many placeholders stay open in @placeholders.
 */
static unsigned int exhaust_fds_but(unsigned int free_slots, int *placeholders, unsigned int max)
{
	struct rlimit rl;
	unsigned int n = 0;
	int fd;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	/* Low enough to fill quickly, high enough for what is already open. */
	rl.rlim_cur = (rlim_t)count_open_fds() + 64;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);

	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
		ck_assert_uint_lt(n, max);
		placeholders[n++] = fd;
	}
	ck_assert_int_eq(errno, EMFILE);
	for (unsigned int i = 0; i < free_slots; i++)
		close(placeholders[--n]);
	return n;
}

START_TEST(test_open_failure_returns_errno_and_leaks_no_fd)
{
	/* _i: how many eventfds gp_mock_open() gets before it runs out. */
	int placeholders[256];
	struct gp_mock_config cfg;
	struct gp_backend *be = NULL;
	struct rlimit saved;
	unsigned int n, before;

	gp_mock_config_init(&cfg);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
	before = count_open_fds();
	n = exhaust_fds_but((unsigned int)_i, placeholders, ARRAY_SIZE(placeholders));

	ck_assert_int_eq(gp_mock_open(&cfg, &be), -EMFILE);
	ck_assert_ptr_null(be);

	while (n)
		close(placeholders[--n]);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
	ck_assert_uint_eq(count_open_fds(), before);
}
END_TEST

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

#ifdef HAVE_ASAN
#include <sanitizer/asan_interface.h>

#define ASAN_CAUGHT_EXIT	77

static void asan_caught(void)
{
	_exit(ASAN_CAUGHT_EXIT);
}

/*
 * The project relies on ASan to catch a handler that uses a binding after
 * revoke released it: every access must touch the freed binding.
 */
START_TEST(test_access_after_release_is_caught_by_asan)
{
	struct gp_backend *be = mock_open(NULL);
	struct gp_backend *stale = be;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	gp_backend_release(&be);
	/* The report is expected; keep it out of the test log. */
	ck_assert_int_ge(devnull, 0);
	dup2(devnull, STDERR_FILENO);
	__asan_set_death_callback(asan_caught);
	rd(stale, MALI_GPU_ID);
	/* Not caught: leave before a leak report at exit could die with 77. */
	_exit(0);
}
END_TEST
#endif

/* --- concurrency ------------------------------------------------------- */

#define RESETS		300
#define READS		3000

struct hammer {
	struct gp_backend *be;
	atomic_bool stop;
	atomic_uint bad_id;
	atomic_uint bad_timestamp;
	atomic_uint all_ones_seen;
};

static void *hammer_resetter(void *arg)
{
	struct hammer *h = arg;

	for (int i = 0; i < RESETS; i++) {
		wr(h->be, MALI_GPU_INT_MASK, i % 2 ? UINT32_MAX : MALI_GPU_IRQ_RESET_COMPLETED);
		wr(h->be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
		wr(h->be, MALI_L2_PWRON_LO, 1);
		wr(h->be, MALI_GPU_INT_CLEAR, MALI_GPU_IRQ_POWER_CHANGED);
		if (i % 16 == 0)
			usleep(50);
	}
	return NULL;
}

static void *hammer_reader(void *arg)
{
	struct hammer *h = arg;
	uint64_t prev = 0;

	for (int i = 0; i < READS; i++) {
		uint64_t ts;

		if (rd(h->be, MALI_GPU_ID) != 0xa8670005)
			atomic_fetch_add(&h->bad_id, 1);
		rd(h->be, MALI_GPU_INT_STAT);
		rd(h->be, MALI_L2_READY_LO);
		ts = read_counter(h->be, MALI_GPU_TIMESTAMP_LO);
		if (ts < prev)
			atomic_fetch_add(&h->bad_timestamp, 1);
		prev = ts;
	}
	return NULL;
}

/* The control plane's part: wait for the IRQ, ack it, re-arm the line. */
static void *hammer_irq_handler(void *arg)
{
	struct hammer *h = arg;

	while (!atomic_load(&h->stop)) {
		struct gp_mock_stats s;

		if (fd_readable(irq_fd(h->be), 1)) {
			fd_drain(irq_fd(h->be));
			wr(h->be, MALI_GPU_INT_CLEAR, rd(h->be, MALI_GPU_INT_STAT));
			gp_backend_irq_unmask(h->be, GP_MOCK_IRQ_GPU);
		}
		gp_mock_get_stats(h->be, &s);
	}
	return NULL;
}

START_TEST(test_concurrent_access_during_resets)
{
	struct hammer h = { .be = mock_open("reset-delay-us=5,l2-power-delay-us=3") };
	pthread_t resetter, readers[2], handler;
	struct gp_mock_stats s;

	ck_assert_int_eq(pthread_create(&handler, NULL, hammer_irq_handler, &h), 0);
	ck_assert_int_eq(pthread_create(&resetter, NULL, hammer_resetter, &h), 0);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&readers[i], NULL, hammer_reader, &h), 0);

	pthread_join(resetter, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(readers[i], NULL);
	atomic_store(&h.stop, true);
	pthread_join(handler, NULL);

	ck_assert_uint_eq(atomic_load(&h.bad_id), 0);
	ck_assert_uint_eq(atomic_load(&h.bad_timestamp), 0);
	s = stats_of(h.be);
	ck_assert_uint_eq(s.soft_resets, RESETS);
	ck_assert_uint_ge(s.reads, 2ull * READS * 5);
	ck_assert_uint_ge(s.writes, 4ull * RESETS);
	ck_assert_uint_gt(s.irqs_raised, 0);
	gp_backend_release(&h.be);
}
END_TEST

static void *removal_reader(void *arg)
{
	struct hammer *h = arg;
	uint64_t deadline = now_ns() + WAIT_MS * 1000000ull;

	while (rd(h->be, MALI_GPU_ID) != UINT32_MAX) {
		if (now_ns() > deadline)
			return NULL;
	}
	/* Once gone, gone for good. */
	for (int i = 0; i < 100; i++) {
		if (rd(h->be, MALI_GPU_ID) != UINT32_MAX)
			return NULL;
	}
	atomic_fetch_add(&h->all_ones_seen, 1);
	return NULL;
}

START_TEST(test_concurrent_readers_all_see_removal)
{
	struct hammer h = { .be = mock_open(NULL) };
	pthread_t readers[4];

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&readers[i], NULL, removal_reader, &h), 0);
	sleep_ms(10);
	gp_mock_simulate_removal(h.be);
	for (int i = 0; i < 4; i++)
		pthread_join(readers[i], NULL);

	ck_assert_uint_eq(atomic_load(&h.all_ones_seen), 4);
	ck_assert(fd_readable(h.be->removal_fd, 0));
	gp_backend_release(&h.be);
}
END_TEST

static Suite *mock_suite(void)
{
	Suite *s = suite_create("mock");
	TCase *tc;

	tc = tcase_create("registers");
	tcase_add_test(tc, test_id_registers_match_rk3588_boot_logs);
	tcase_add_test(tc, test_invented_registers_read_documented_values);
	tcase_add_test(tc, test_interrupt_and_power_registers_start_clear);
	tcase_add_test(tc, test_unknown_offset_reads_zero_and_ignores_writes);
	tcase_add_test(tc, test_read_only_registers_ignore_writes);
	suite_add_tcase(s, tc);

	tc = tcase_create("reset");
	tcase_add_test(tc, test_soft_reset_raises_reset_completed_and_irq_after_delay);
	tcase_add_test(tc, test_soft_reset_does_not_complete_before_its_delay);
	tcase_add_test(tc, test_soft_reset_completion_is_visible_to_a_poller_without_irq);
	tcase_add_test(tc, test_zero_reset_delay_completes_within_the_write);
	tcase_add_test(tc, test_hard_reset_completes_and_counts_as_reset);
	tcase_add_test(tc, test_other_gpu_commands_do_not_reset);
	tcase_add_test(tc, test_reset_never_completes_fault_keeps_reset_completed_low);
	tcase_add_test(tc, test_reset_powers_l2_down);
	suite_add_tcase(s, tc);

	tc = tcase_create("interrupts");
	tcase_add_test(tc, test_int_clear_clears_only_the_written_bits);
	tcase_add_test(tc, test_int_stat_is_rawstat_and_mask);
	tcase_add_test(tc, test_masked_out_bit_raises_no_irq);
	tcase_add_test(tc, test_masking_in_a_pending_bit_raises_the_irq);
	tcase_add_test(tc, test_irq_signals_once_while_stat_stays_nonzero);
	tcase_add_test(tc, test_irq_unmask_resignals_while_stat_is_nonzero);
	tcase_add_test(tc, test_job_irq_unmask_resignals_a_bit_raised_during_the_handler);
	tcase_add_test(tc, test_rawstat_write_raises_bits);
	suite_add_tcase(s, tc);

	tc = tcase_create("l2");
	tcase_add_test(tc, test_flush_caches_raises_clean_caches_completed_after_delay);
	tcase_add_test(tc, test_flush_issued_during_a_flush_is_absorbed);
	tcase_add_test(tc, test_l2_power_on_sets_ready_and_power_changed);
	tcase_add_test(tc, test_l2_is_in_transition_until_ready);
	tcase_add_test(tc, test_l2_power_on_of_absent_slice_is_ignored);
	tcase_add_test(tc, test_l2_never_ready_fault_keeps_pwrtrans);
	suite_add_tcase(s, tc);

	tc = tcase_create("counters");
	tcase_add_test(tc, test_timestamp_is_monotonic_and_advances);
	tcase_add_test(tc, test_timestamp_carries_across_a_32bit_boundary);
	tcase_add_test(tc, test_timestamp_offset_is_added);
	tcase_add_test(tc, test_timestamp_registers_are_read_only);
	tcase_add_test(tc, test_cycle_count_advances);
	suite_add_tcase(s, tc);

	tc = tcase_create("faults");
	tcase_add_test(tc, test_access_delay_slows_every_access);
	tcase_add_test(tc, test_short_access_delay_is_honoured);
	tcase_add_test(tc, test_removal_reads_all_ones_and_signals_removal_fd);
	tcase_add_test(tc, test_removal_drops_writes);
	tcase_add_test(tc, test_removed_device_raises_no_pending_irq);
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_add_test(tc, test_config_defaults);
	tcase_add_test(tc, test_config_parse_accepts_each_option);
	tcase_add_test(tc, test_config_parse_null_or_empty_changes_nothing);
	tcase_add_loop_test(tc, test_config_parse_rejects_malformed_option, 0,
			    (int)ARRAY_SIZE(bad_options));
	tcase_add_test(tc, test_config_parse_failure_is_all_or_nothing);
	tcase_add_test(tc, test_config_parse_truncates_message_to_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("lifetime");
	tcase_add_test(tc, test_open_describes_the_binding);
	tcase_add_test(tc, test_stats_count_reads_writes_resets);
	tcase_add_test(tc, test_backend_release_clears_pointer_and_ignores_null);
	tcase_add_test(tc, test_open_release_many_times_leaks_no_fd);
	tcase_add_test(tc, test_timer_thread_blocks_signals);
	/* 0, 1 or 2 eventfds before EMFILE: every unwinding path of gp_mock_open(). */
	tcase_add_loop_test(tc, test_open_failure_returns_errno_and_leaks_no_fd, 0, 3);
	suite_add_tcase(s, tc);

	tc = tcase_create("concurrency");
	tcase_add_test(tc, test_concurrent_access_during_resets);
	tcase_add_test(tc, test_concurrent_readers_all_see_removal);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	Suite *s = mock_suite();
	SRunner *sr = srunner_create(s);
	int failed;

#ifdef HAVE_ASAN
	/* The test ends its process: only possible when Check forks. */
	if (srunner_fork_status(sr) == CK_FORK) {
		TCase *tc = tcase_create("asan");

		tcase_add_exit_test(tc, test_access_after_release_is_caught_by_asan,
				    ASAN_CAUGHT_EXIT);
		suite_add_tcase(s, tc);
	}
#endif

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
