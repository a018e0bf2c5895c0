// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mock Mali-G610's GPU memory: its DMA model (device-physical memory is
 * what gp_backend_dma_map() mapped) and its MMU model (address spaces
 * programmed through the AS registers, page tables walked from
 * device-physical memory, faults reported as the hardware reports them).
 *
 * The test is the driver: it builds AArch64 stage-1 page tables by hand in
 * DMA-mapped memory, with the few descriptor encodings written out below
 * from the architecture (not from any driver code), and programs the
 * address spaces with register writes.
 */
#define _GNU_SOURCE			/* memfd, MAP_ANONYMOUS */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "mali_csf_regs.h"
#include "mock.h"

#define WAIT_MS		5000
#define PAGE		4096u
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

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

static struct gp_mock_stats stats_of(struct gp_backend *be)
{
	struct gp_mock_stats s;

	gp_mock_get_stats(be, &s);
	return s;
}

/* Daemon memory as the driver maps it: page aligned and MAP_SHARED. */
static void *shared_pages(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	return p;
}

static struct gp_dma_mapping *dma_map(struct gp_backend *be, void *vaddr, size_t size,
				      unsigned int dir)
{
	struct gp_dma_mapping *map = NULL;

	ck_assert_int_eq(gp_backend_dma_map(be, vaddr, size, dir, &map), 0);
	ck_assert_ptr_nonnull(map);
	return map;
}

static uint64_t dma_addr(const struct gp_dma_mapping *map)
{
	ck_assert_uint_eq(map->num_segments, 1);
	return map->segments[0].addr;
}

/* --- DMA model ----------------------------------------------------------- */

START_TEST(test_dma_mask_starts_all_ones)
{
	struct gp_backend *be = mock_open(NULL);

	ck_assert_uint_eq(be->dma_mask, UINT64_MAX);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_dma_map_returns_one_segment_above_the_base)
{
	struct gp_backend *be = mock_open(NULL);
	void *buf = shared_pages(3 * PAGE);
	struct gp_dma_mapping *map = dma_map(be, buf, 3 * PAGE, GP_DMA_BIDIRECTIONAL);

	ck_assert_ptr_eq(map->vaddr, buf);
	ck_assert_uint_eq(map->size, 3 * PAGE);
	ck_assert_uint_eq(map->dir, GP_DMA_BIDIRECTIONAL);
	ck_assert_uint_eq(map->num_segments, 1);
	ck_assert_uint_ge(map->segments[0].addr, GP_MOCK_DMA_BASE);
	ck_assert_uint_eq(map->segments[0].addr % PAGE, 0);
	ck_assert_uint_eq(map->segments[0].len, 3 * PAGE);
	ck_assert_uint_eq(stats_of(be).dma_mappings, 1);
	ck_assert_uint_eq(stats_of(be).dma_maps, 1);

	gp_backend_dma_unmap(be, &map);
	ck_assert_ptr_null(map);
	ck_assert_uint_eq(stats_of(be).dma_mappings, 0);
	ck_assert_uint_eq(stats_of(be).dma_maps, 1);
	gp_backend_release(&be);
	munmap(buf, 3 * PAGE);
}
END_TEST

START_TEST(test_dma_mappings_do_not_overlap)
{
	struct gp_backend *be = mock_open(NULL);
	void *buf = shared_pages(4 * PAGE);
	struct gp_dma_mapping *a = dma_map(be, buf, 2 * PAGE, GP_DMA_BIDIRECTIONAL);
	struct gp_dma_mapping *b = dma_map(be, (char *)buf + 2 * PAGE, 2 * PAGE,
					   GP_DMA_BIDIRECTIONAL);

	ck_assert(dma_addr(a) + 2 * PAGE <= dma_addr(b) || dma_addr(b) + 2 * PAGE <= dma_addr(a));
	ck_assert_uint_eq(stats_of(be).dma_mappings, 2);
	gp_backend_dma_unmap(be, &a);
	gp_backend_dma_unmap(be, &b);
	gp_backend_release(&be);
	munmap(buf, 4 * PAGE);
}
END_TEST

START_TEST(test_dma_map_rejects_bad_ranges)
{
	struct gp_backend *be = mock_open(NULL);
	char *buf = shared_pages(2 * PAGE);
	struct gp_dma_mapping *map = NULL;

	ck_assert_int_eq(gp_backend_dma_map(be, NULL, PAGE, GP_DMA_BIDIRECTIONAL, &map), -EINVAL);
	ck_assert_int_eq(gp_backend_dma_map(be, buf, 0, GP_DMA_BIDIRECTIONAL, &map), -EINVAL);
	ck_assert_int_eq(gp_backend_dma_map(be, buf + 8, PAGE, GP_DMA_BIDIRECTIONAL, &map), -EINVAL);
	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE + 8, GP_DMA_BIDIRECTIONAL, &map), -EINVAL);
	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE, 3, &map), -EINVAL);
	ck_assert_int_eq(gp_backend_dma_map(be, (void *)(UINTPTR_MAX & ~(uintptr_t)(PAGE - 1)),
					    2 * PAGE, GP_DMA_BIDIRECTIONAL, &map), -EINVAL);
	ck_assert_ptr_null(map);
	ck_assert_uint_eq(stats_of(be).dma_mappings, 0);
	ck_assert_uint_eq(stats_of(be).dma_maps, 0);
	gp_backend_release(&be);
	munmap(buf, 2 * PAGE);
}
END_TEST

/*
 * The driver narrows the mask in probe (as dma_set_mask()); every address
 * handed out afterwards ends at or below it, and a space the mask leaves
 * too small is -ENOSPC, not an address the device cannot emit.
 */
START_TEST(test_dma_mask_is_honoured)
{
	struct gp_backend *be = mock_open(NULL);
	char *buf = shared_pages(8 * PAGE);
	struct gp_dma_mapping *a, *b, *c = NULL;

	be->dma_mask = GP_MOCK_DMA_BASE + 3 * PAGE - 1;
	a = dma_map(be, buf, PAGE, GP_DMA_BIDIRECTIONAL);
	b = dma_map(be, buf + PAGE, 2 * PAGE, GP_DMA_BIDIRECTIONAL);
	ck_assert_uint_le(dma_addr(a) + PAGE - 1, be->dma_mask);
	ck_assert_uint_le(dma_addr(b) + 2 * PAGE - 1, be->dma_mask);
	ck_assert_int_eq(gp_backend_dma_map(be, buf + 3 * PAGE, PAGE, GP_DMA_BIDIRECTIONAL, &c),
			 -ENOSPC);
	ck_assert_ptr_null(c);

	/* Below the base there is nothing to hand out: a 32-bit mask fits nothing. */
	be->dma_mask = UINT32_MAX;
	ck_assert_int_eq(gp_backend_dma_map(be, buf + 3 * PAGE, PAGE, GP_DMA_BIDIRECTIONAL, &c),
			 -ENOSPC);
	ck_assert_uint_eq(stats_of(be).dma_mappings, 2);
	gp_backend_dma_unmap(be, &a);
	gp_backend_dma_unmap(be, &b);
	gp_backend_release(&be);
	munmap(buf, 8 * PAGE);
}
END_TEST

START_TEST(test_dma_space_exhaustion_is_enospc_and_unmap_frees_space)
{
	struct gp_backend *be = mock_open("dma-space=0x4000");
	char *buf = shared_pages(5 * PAGE);
	struct gp_dma_mapping *maps[4], *extra = NULL;
	uint64_t freed;

	for (int i = 0; i < 4; i++)
		maps[i] = dma_map(be, buf + i * PAGE, PAGE, GP_DMA_BIDIRECTIONAL);
	ck_assert_int_eq(gp_backend_dma_map(be, buf + 4 * PAGE, PAGE, GP_DMA_BIDIRECTIONAL,
					    &extra), -ENOSPC);
	ck_assert_ptr_null(extra);

	freed = dma_addr(maps[2]);
	gp_backend_dma_unmap(be, &maps[2]);
	extra = dma_map(be, buf + 4 * PAGE, PAGE, GP_DMA_BIDIRECTIONAL);
	ck_assert_uint_eq(dma_addr(extra), freed);

	gp_backend_dma_unmap(be, &extra);
	for (int i = 0; i < 4; i++)
		gp_backend_dma_unmap(be, &maps[i]);
	ck_assert_uint_eq(stats_of(be).dma_mappings, 0);
	gp_backend_release(&be);
	munmap(buf, 5 * PAGE);
}
END_TEST

START_TEST(test_dma_map_fail_after_injects_enomem)
{
	struct gp_backend *be = mock_open("dma-map-fail-after=2");
	char *buf = shared_pages(3 * PAGE);
	struct gp_dma_mapping *a = dma_map(be, buf, PAGE, GP_DMA_BIDIRECTIONAL);
	struct gp_dma_mapping *b = dma_map(be, buf + PAGE, PAGE, GP_DMA_BIDIRECTIONAL);
	struct gp_dma_mapping *c = NULL;

	ck_assert_int_eq(gp_backend_dma_map(be, buf + 2 * PAGE, PAGE, GP_DMA_BIDIRECTIONAL, &c),
			 -ENOMEM);
	ck_assert_ptr_null(c);
	/* Unmapping does not make the next map succeed: the fault is by count. */
	gp_backend_dma_unmap(be, &a);
	ck_assert_int_eq(gp_backend_dma_map(be, buf, PAGE, GP_DMA_BIDIRECTIONAL, &c), -ENOMEM);
	ck_assert_uint_eq(stats_of(be).dma_maps, 2);
	ck_assert_uint_eq(stats_of(be).dma_mappings, 1);
	gp_backend_dma_unmap(be, &b);
	gp_backend_release(&be);
	munmap(buf, 3 * PAGE);
}
END_TEST

START_TEST(test_dma_read_and_write_reach_the_daemon_memory)
{
	struct gp_backend *be = mock_open(NULL);
	char *buf = shared_pages(2 * PAGE);
	struct gp_dma_mapping *map = dma_map(be, buf, 2 * PAGE, GP_DMA_BIDIRECTIONAL);
	char out[32];

	memcpy(buf + PAGE - 5, "across the page", 16);
	ck_assert_int_eq(gp_mock_dma_read(be, dma_addr(map) + PAGE - 5, out, 16), 0);
	ck_assert_str_eq(out, "across the page");

	ck_assert_int_eq(gp_mock_dma_write(be, dma_addr(map) + 2 * PAGE - 6, "device", 6), 0);
	ck_assert(!memcmp(buf + 2 * PAGE - 6, "device", 6));
	gp_backend_dma_unmap(be, &map);
	gp_backend_release(&be);
	munmap(buf, 2 * PAGE);
}
END_TEST

/* -EFAULT as soon as one byte lies outside every live mapping; nothing moves then. */
START_TEST(test_dma_access_outside_live_mappings_faults)
{
	struct gp_backend *be = mock_open(NULL);
	char *buf = shared_pages(PAGE);
	struct gp_dma_mapping *map = dma_map(be, buf, PAGE, GP_DMA_BIDIRECTIONAL);
	uint64_t addr = dma_addr(map);
	char out[8];

	memset(buf, 0x5a, PAGE);
	ck_assert_int_eq(gp_mock_dma_read(be, addr - 1, out, 1), -EFAULT);
	ck_assert_int_eq(gp_mock_dma_read(be, addr + PAGE, out, 1), -EFAULT);
	ck_assert_int_eq(gp_mock_dma_read(be, addr + PAGE - 4, out, 8), -EFAULT);
	ck_assert_int_eq(gp_mock_dma_read(be, 0, out, 8), -EFAULT);
	ck_assert_int_eq(gp_mock_dma_read(be, UINT64_MAX - 3, out, 8), -EFAULT);
	ck_assert_int_eq(gp_mock_dma_write(be, addr + PAGE - 4, "12345678", 8), -EFAULT);
	ck_assert_uint_eq((unsigned char)buf[PAGE - 1], 0x5a);	/* all or nothing */

	gp_backend_dma_unmap(be, &map);
	ck_assert_int_eq(gp_mock_dma_read(be, addr, out, 1), -EFAULT);
	ck_assert_int_eq(gp_mock_dma_write(be, addr, "x", 1), -EFAULT);
	ck_assert_uint_eq((unsigned char)buf[0], 0x5a);
	gp_backend_release(&be);
	munmap(buf, PAGE);
}
END_TEST

START_TEST(test_dma_access_may_span_adjacent_mappings)
{
	struct gp_backend *be = mock_open(NULL);
	char *a_buf = shared_pages(PAGE), *b_buf = shared_pages(PAGE);
	struct gp_dma_mapping *a = dma_map(be, a_buf, PAGE, GP_DMA_BIDIRECTIONAL);
	struct gp_dma_mapping *b = dma_map(be, b_buf, PAGE, GP_DMA_BIDIRECTIONAL);
	char out[8];

	/* First fit from the bottom: the second mapping follows the first. */
	ck_assert_uint_eq(dma_addr(b), dma_addr(a) + PAGE);
	memcpy(a_buf + PAGE - 4, "abcd", 4);
	memcpy(b_buf, "efgh", 4);
	ck_assert_int_eq(gp_mock_dma_read(be, dma_addr(a) + PAGE - 4, out, 8), 0);
	ck_assert(!memcmp(out, "abcdefgh", 8));
	gp_backend_dma_unmap(be, &a);
	gp_backend_dma_unmap(be, &b);
	gp_backend_release(&be);
	munmap(a_buf, PAGE);
	munmap(b_buf, PAGE);
}
END_TEST

/* As an IOMMU mapped with the DMA API's prot bits: TO_DEVICE is read-only to the device. */
START_TEST(test_dma_direction_limits_device_access)
{
	struct gp_backend *be = mock_open(NULL);
	char *buf = shared_pages(2 * PAGE);
	struct gp_dma_mapping *to = dma_map(be, buf, PAGE, GP_DMA_TO_DEVICE);
	struct gp_dma_mapping *from = dma_map(be, buf + PAGE, PAGE, GP_DMA_FROM_DEVICE);
	char out[4];

	ck_assert_int_eq(gp_mock_dma_read(be, dma_addr(to), out, 4), 0);
	ck_assert_int_eq(gp_mock_dma_write(be, dma_addr(to), "abcd", 4), -EFAULT);
	ck_assert_int_eq(gp_mock_dma_write(be, dma_addr(from), "abcd", 4), 0);
	ck_assert_int_eq(gp_mock_dma_read(be, dma_addr(from), out, 4), -EFAULT);
	ck_assert_uint_eq((unsigned char)buf[0], 0);
	ck_assert(!memcmp(buf + PAGE, "abcd", 4));
	gp_backend_dma_unmap(be, &to);
	gp_backend_dma_unmap(be, &from);
	gp_backend_release(&be);
	munmap(buf, 2 * PAGE);
}
END_TEST

START_TEST(test_dma_map_after_removal_fails_but_unmap_works)
{
	struct gp_backend *be = mock_open(NULL);
	char *buf = shared_pages(2 * PAGE);
	struct gp_dma_mapping *map = dma_map(be, buf, PAGE, GP_DMA_BIDIRECTIONAL), *late = NULL;

	gp_mock_simulate_removal(be);
	ck_assert_int_eq(gp_backend_dma_map(be, buf + PAGE, PAGE, GP_DMA_BIDIRECTIONAL, &late),
			 -ENODEV);
	ck_assert_ptr_null(late);
	gp_backend_dma_unmap(be, &map);
	ck_assert_uint_eq(stats_of(be).dma_mappings, 0);
	gp_backend_release(&be);
	munmap(buf, 2 * PAGE);
}
END_TEST

/* Run @fn with stderr going to a file; return what was written (static buffer). */
static const char *capture_stderr(void (*fn)(void *), void *arg)
{
	static char text[4096];
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	ck_assert_ptr_nonnull(tmp);
	ck_assert_int_ge(saved, 0);
	fflush(stderr);
	ck_assert_int_ge(dup2(fileno(tmp), STDERR_FILENO), 0);
	fn(arg);
	fflush(stderr);
	ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
	close(saved);
	rewind(tmp);
	n = fread(text, 1, sizeof(text) - 1, tmp);
	text[n] = '\0';
	fclose(tmp);
	return text;
}

static void release_binding(void *arg)
{
	gp_backend_release(arg);
}

/*
 * Release with live mappings is a driver bug, but it must not leave an IOVA
 * behind: each leftover is named in the log and unmapped (ASan's leak check
 * sees the bookkeeping freed).
 */
START_TEST(test_release_unmaps_live_mappings_and_logs_them)
{
	struct gp_backend *be = mock_open(NULL);
	char *buf = shared_pages(3 * PAGE);
	struct gp_dma_mapping *a = dma_map(be, buf, PAGE, GP_DMA_BIDIRECTIONAL);
	struct gp_dma_mapping *b = dma_map(be, buf + PAGE, 2 * PAGE, GP_DMA_TO_DEVICE);
	char expect_a[128], expect_b[128];
	const char *log;

	snprintf(expect_a, sizeof(expect_a), "DMA mapping 0x%" PRIx64 "+0x1000 still live at release",
		 dma_addr(a));
	snprintf(expect_b, sizeof(expect_b), "DMA mapping 0x%" PRIx64 "+0x2000 still live at release",
		 dma_addr(b));
	log = capture_stderr(release_binding, &be);
	ck_assert_ptr_null(be);
	ck_assert_msg(strstr(log, expect_a), "log lacks \"%s\": %s", expect_a, log);
	ck_assert_msg(strstr(log, expect_b), "log lacks \"%s\": %s", expect_b, log);
	munmap(buf, 3 * PAGE);
}
END_TEST

START_TEST(test_release_without_mappings_logs_nothing)
{
	struct gp_backend *be = mock_open(NULL);
	char *buf = shared_pages(PAGE);
	struct gp_dma_mapping *a = dma_map(be, buf, PAGE, GP_DMA_BIDIRECTIONAL);

	gp_backend_dma_unmap(be, &a);
	ck_assert_str_eq(capture_stderr(release_binding, &be), "");
	munmap(buf, PAGE);
}
END_TEST

/* --- options ------------------------------------------------------------- */

START_TEST(test_config_defaults_of_the_memory_model)
{
	struct gp_mock_config cfg;

	memset(&cfg, 0xa5, sizeof(cfg));
	gp_mock_config_init(&cfg);
	ck_assert_uint_eq(cfg.dma_space, 0);
	ck_assert_uint_eq(cfg.dma_map_fail_after, UINT64_MAX);
	ck_assert_uint_eq(cfg.mmu_command_delay_us, 0);
}
END_TEST

START_TEST(test_config_parses_the_memory_model_options)
{
	struct gp_mock_config cfg;
	char err[512] = "";

	gp_mock_config_init(&cfg);
	ck_assert_int_eq(gp_mock_config_parse(&cfg, "dma-space=0x10000,dma-map-fail-after=3,"
					      "mmu-command-delay-us=250", err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.dma_space, 0x10000);
	ck_assert_uint_eq(cfg.dma_map_fail_after, 3);
	ck_assert_uint_eq(cfg.mmu_command_delay_us, 250);

	ck_assert_int_eq(gp_mock_config_parse(&cfg, "mmu-command-delay-us=4294967296", err,
					      sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "mock option 'mmu-command-delay-us=4294967296': "
				     "out of range"));
	ck_assert_int_eq(gp_mock_config_parse(&cfg, "dma-space", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "needs a value (dma-space=N)"));
	ck_assert_int_eq(gp_mock_config_parse(&cfg, "bogus", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "dma-space=N, dma-map-fail-after=N, "
				     "mmu-command-delay-us=N"));
	ck_assert_uint_eq(cfg.mmu_command_delay_us, 250);
}
END_TEST

/* --- concurrency ------------------------------------------------------- */

#define DMA_ROUNDS	2000

struct dma_hammer {
	struct gp_backend *be;
	uint64_t fixed_addr;		/* a mapping that stays live throughout */
	char *scratch;			/* pages the mapper maps and unmaps */
	atomic_uint bad;
	atomic_bool stop;
};

static void *dma_mapper(void *arg)
{
	struct dma_hammer *h = arg;

	for (int i = 0; i < DMA_ROUNDS; i++) {
		struct gp_dma_mapping *map = NULL;

		if (gp_backend_dma_map(h->be, h->scratch + (i % 4) * PAGE, PAGE,
				       GP_DMA_BIDIRECTIONAL, &map) != 0) {
			atomic_fetch_add(&h->bad, 1);
			continue;
		}
		gp_backend_dma_unmap(h->be, &map);
	}
	return NULL;
}

static void *dma_reader(void *arg)
{
	struct dma_hammer *h = arg;

	while (!atomic_load(&h->stop)) {
		char out[8];

		if (gp_mock_dma_read(h->be, h->fixed_addr, out, 8) != 0 || memcmp(out, "constant", 8))
			atomic_fetch_add(&h->bad, 1);
		if (gp_backend_read32(h->be, GP_MOCK_REGION_GPU, MALI_GPU_ID) != 0xa8670005)
			atomic_fetch_add(&h->bad, 1);
		(void)stats_of(h->be);
	}
	return NULL;
}

START_TEST(test_concurrent_dma_map_unmap_and_reads)
{
	struct dma_hammer h = { .be = mock_open(NULL) };
	char *fixed = shared_pages(PAGE);
	struct gp_dma_mapping *map;
	pthread_t mappers[2], readers[2];

	memcpy(fixed, "constant", 8);
	map = dma_map(h.be, fixed, PAGE, GP_DMA_BIDIRECTIONAL);
	h.fixed_addr = dma_addr(map);
	h.scratch = shared_pages(4 * PAGE);

	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(pthread_create(&readers[i], NULL, dma_reader, &h), 0);
		ck_assert_int_eq(pthread_create(&mappers[i], NULL, dma_mapper, &h), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(mappers[i], NULL);
	atomic_store(&h.stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(readers[i], NULL);

	ck_assert_uint_eq(atomic_load(&h.bad), 0);
	ck_assert_uint_eq(stats_of(h.be).dma_mappings, 1);
	ck_assert_uint_eq(stats_of(h.be).dma_maps, 1 + 2 * DMA_ROUNDS);
	gp_backend_dma_unmap(h.be, &map);
	gp_backend_release(&h.be);
	munmap(fixed, PAGE);
	munmap(h.scratch, 4 * PAGE);
}
END_TEST

static Suite *mock_mmu_suite(void)
{
	Suite *s = suite_create("mock_mmu");
	TCase *tc;

	tc = tcase_create("dma");
	tcase_add_test(tc, test_dma_mask_starts_all_ones);
	tcase_add_test(tc, test_dma_map_returns_one_segment_above_the_base);
	tcase_add_test(tc, test_dma_mappings_do_not_overlap);
	tcase_add_test(tc, test_dma_map_rejects_bad_ranges);
	tcase_add_test(tc, test_dma_mask_is_honoured);
	tcase_add_test(tc, test_dma_space_exhaustion_is_enospc_and_unmap_frees_space);
	tcase_add_test(tc, test_dma_map_fail_after_injects_enomem);
	tcase_add_test(tc, test_dma_read_and_write_reach_the_daemon_memory);
	tcase_add_test(tc, test_dma_access_outside_live_mappings_faults);
	tcase_add_test(tc, test_dma_access_may_span_adjacent_mappings);
	tcase_add_test(tc, test_dma_direction_limits_device_access);
	tcase_add_test(tc, test_dma_map_after_removal_fails_but_unmap_works);
	tcase_add_test(tc, test_release_unmaps_live_mappings_and_logs_them);
	tcase_add_test(tc, test_release_without_mappings_logs_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_add_test(tc, test_config_defaults_of_the_memory_model);
	tcase_add_test(tc, test_config_parses_the_memory_model_options);
	suite_add_tcase(s, tc);

	tc = tcase_create("concurrency");
	tcase_add_test(tc, test_concurrent_dma_map_unmap_and_reads);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mock_mmu_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
