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

/* --- MMU model: the test as driver ------------------------------------- */

/*
 * AArch64 stage-1 descriptors, 4 KiB granule, written out from the
 * architecture: bits [1:0] say table/page (3) or block (1), [4:2] ATTRINDX,
 * [7] AP[2] read-only, [10] the access flag, [47:12] the address.
 */
#define D_TABLE		0x3ull
#define D_PAGE		0x3ull
#define D_BLOCK		0x1ull
#define D_ATTR(i)	((uint64_t)(i) << 2)
#define D_RO		(1ull << 7)
#define D_AF		(1ull << 10)
#define D_XN		(1ull << 54)	/* UXN */
#define D_LEAF		(D_AF | D_ATTR(1))

#define TRANSCFG_48	(MALI_AS_TRANSCFG_ADRMODE_AARCH64_4K | MALI_AS_TRANSCFG_INA_BITS(55 - 48) | \
			 MALI_AS_TRANSCFG_PTW_MEMATTR_WB | MALI_AS_TRANSCFG_PTW_RA)
/* Attribute bytes: index 1 write-back (bits [7:6] = 2), the others non-cacheable (1). */
#define MEMATTR_OK	0x4848484848488848ull

#define ARENA_PAGES	32
/* Arena pages: tables at 0-3 (L0-L3) and 16-19 (a second set), data from 4. */
#define PG_L0		0
#define PG_L1		1
#define PG_L2		2
#define PG_L3		3
#define PG_DATA		4
#define PG_ALT		16

#define TEST_VA		0x0000123456789000ull
#define AS		3

struct gpu_env {
	struct gp_backend *be;
	char *arena;
	struct gp_dma_mapping *map;
	uint64_t dev;			/* device address of arena page 0 */
};

static uint32_t rd(struct gp_backend *be, uint64_t offset)
{
	return gp_backend_read32(be, GP_MOCK_REGION_GPU, offset);
}

static void wr(struct gp_backend *be, uint64_t offset, uint32_t value)
{
	gp_backend_write32(be, GP_MOCK_REGION_GPU, offset, value);
}

static uint64_t rd64(struct gp_backend *be, uint64_t offset)
{
	return gp_backend_read64(be, GP_MOCK_REGION_GPU, offset);
}

static void wr64(struct gp_backend *be, uint64_t offset, uint64_t value)
{
	gp_backend_write64(be, GP_MOCK_REGION_GPU, offset, value);
}

static uint64_t pg_dev(const struct gpu_env *env, unsigned int page)
{
	return env->dev + (uint64_t)page * PAGE;
}

static char *pg_cpu(const struct gpu_env *env, unsigned int page)
{
	return env->arena + (size_t)page * PAGE;
}

/* A device address nothing is mapped at. */
static uint64_t unmapped_dev(const struct gpu_env *env)
{
	return pg_dev(env, ARENA_PAGES) + 0x100000;
}

/* Descriptors are little-endian in memory. */
static void put_desc(const struct gpu_env *env, unsigned int table_page, unsigned int idx,
		     uint64_t desc)
{
	unsigned char *p = (unsigned char *)pg_cpu(env, table_page) + idx * 8;

	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(desc >> (8 * i));
}

static unsigned int va_idx(uint64_t va, unsigned int level)
{
	return (unsigned int)(va >> (12 + 9 * (3 - level))) & 511;
}

/* Tables L0..L3 from @tables (4 consecutive pages) lead @va to the page at @leaf. */
static void map_page(const struct gpu_env *env, unsigned int tables, uint64_t va, uint64_t leaf)
{
	for (unsigned int level = 0; level < 3; level++)
		put_desc(env, tables + level, va_idx(va, level),
			 pg_dev(env, tables + level + 1) | D_TABLE);
	put_desc(env, tables + 3, va_idx(va, 3), leaf);
}

static void as_program(struct gp_backend *be, unsigned int as, uint64_t transtab,
		       uint64_t transcfg, uint64_t memattr)
{
	wr64(be, MALI_AS_TRANSTAB_LO(as), transtab);
	wr64(be, MALI_AS_MEMATTR_LO(as), memattr);
	wr64(be, MALI_AS_TRANSCFG_LO(as), transcfg);
	wr(be, MALI_AS_COMMAND(as), MALI_AS_COMMAND_UPDATE);
}

/* LOCK a region then run @cmd on it, as panthor's mmu_hw_do_operation_locked(). */
static void as_flush(struct gp_backend *be, unsigned int as, uint64_t lockaddr, uint32_t cmd)
{
	wr64(be, MALI_AS_LOCKADDR_LO(as), lockaddr);
	wr(be, MALI_AS_COMMAND(as), MALI_AS_COMMAND_LOCK);
	wr(be, MALI_AS_COMMAND(as), cmd);
}

/* LOCKADDR of the 32 KiB region holding @va (width 14: log2(32 KiB) - 1). */
static uint64_t lock_32k(uint64_t va)
{
	return (va & ~0x7fffull) | 14;
}

/*
 * A binding with a DMA-mapped arena whose data pages hold their own page
 * number in every byte, and AS programmed with TEST_VA -> data page 0.
 */
static struct gpu_env env_open(const char *opts)
{
	struct gpu_env env = { .be = mock_open(opts) };

	env.arena = shared_pages(ARENA_PAGES * PAGE);
	env.map = dma_map(env.be, env.arena, ARENA_PAGES * PAGE, GP_DMA_BIDIRECTIONAL);
	env.dev = dma_addr(env.map);
	for (unsigned int p = PG_DATA; p < PG_ALT; p++)
		memset(pg_cpu(&env, p), (int)p, PAGE);
	map_page(&env, PG_L0, TEST_VA, pg_dev(&env, PG_DATA) | D_PAGE | D_LEAF);
	as_program(env.be, AS, pg_dev(&env, PG_L0), TRANSCFG_48, MEMATTR_OK);
	return env;
}

static void env_close(struct gpu_env *env)
{
	gp_backend_dma_unmap(env->be, &env->map);
	gp_backend_release(&env->be);
	munmap(env->arena, ARENA_PAGES * PAGE);
}

static int mmu_irq_fd(struct gp_backend *be)
{
	return gp_backend_irq_fd(be, GP_MOCK_IRQ_MMU);
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

static uint64_t fd_drain(int fd)
{
	eventfd_t v = 0;

	if (eventfd_read(fd, &v) < 0) {
		ck_assert_int_eq(errno, EAGAIN);
		return 0;
	}
	return v;
}

/* The byte GPU VA @va of AS reads, or -1 on a fault. */
static int gpu_byte(struct gp_backend *be, unsigned int as, uint64_t va)
{
	unsigned char b;

	return gp_mock_gpu_read(be, as, va, &b, 1, NULL) == 0 ? b : -1;
}

START_TEST(test_mmu_starts_with_every_as_disabled)
{
	struct gp_backend *be = mock_open(NULL);
	uint32_t status = 0;
	unsigned char b;

	ck_assert_uint_eq(rd(be, MALI_MMU_INT_RAWSTAT), 0);
	ck_assert_uint_eq(rd(be, MALI_MMU_INT_MASK), 0);
	ck_assert_uint_eq(rd(be, MALI_MMU_INT_STAT), 0);
	for (unsigned int as = 0; as < GP_MOCK_NUM_AS; as++) {
		ck_assert_uint_eq(rd64(be, MALI_AS_TRANSCFG_LO(as)), MALI_AS_TRANSCFG_ADRMODE_UNMAPPED);
		ck_assert_uint_eq(rd(be, MALI_AS_STATUS(as)), 0);
		ck_assert_uint_eq(rd(be, MALI_AS_FAULTSTATUS(as)), 0);
		ck_assert_int_eq(gp_mock_gpu_read(be, as, 0x1000, &b, 1, &status), -EFAULT);
		ck_assert_uint_eq(status, MALI_EXC_TRANSLATION_FAULT(0) | MALI_AS_FAULTSTATUS_ACCESS_READ);
	}
	ck_assert_int_eq(gp_mock_gpu_read(be, GP_MOCK_NUM_AS, 0x1000, &b, 1, &status), -EINVAL);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_as_registers_read_back_and_absent_ases_are_inert)
{
	struct gp_backend *be = mock_open(NULL);

	wr64(be, MALI_AS_TRANSTAB_LO(7), 0x0000001234567000ull);
	wr64(be, MALI_AS_MEMATTR_LO(7), 0x0123456789abcdefull);
	wr64(be, MALI_AS_LOCKADDR_LO(7), 0x000000ab0000000eull);
	wr64(be, MALI_AS_TRANSCFG_LO(7), TRANSCFG_48);
	wr(be, MALI_AS_FAULTSTATUS(7), 0xffffffff);
	wr64(be, MALI_AS_FAULTADDRESS_LO(7), UINT64_MAX);
	wr(be, MALI_AS_STATUS(7), 1);
	ck_assert_uint_eq(rd64(be, MALI_AS_TRANSTAB_LO(7)), 0x0000001234567000ull);
	ck_assert_uint_eq(rd64(be, MALI_AS_MEMATTR_LO(7)), 0x0123456789abcdefull);
	ck_assert_uint_eq(rd64(be, MALI_AS_LOCKADDR_LO(7)), 0x000000ab0000000eull);
	ck_assert_uint_eq(rd64(be, MALI_AS_TRANSCFG_LO(7)), TRANSCFG_48);
	ck_assert_uint_eq(rd(be, MALI_AS_FAULTSTATUS(7)), 0);
	ck_assert_uint_eq(rd64(be, MALI_AS_FAULTADDRESS_LO(7)), 0);
	ck_assert_uint_eq(rd(be, MALI_AS_STATUS(7)), 0);

	/* AS_PRESENT is 0xff: AS 8..15 have no registers. */
	wr64(be, MALI_AS_TRANSTAB_LO(8), 0x1000);
	wr64(be, MALI_AS_TRANSCFG_LO(15), TRANSCFG_48);
	ck_assert_uint_eq(rd64(be, MALI_AS_TRANSTAB_LO(8)), 0);
	ck_assert_uint_eq(rd64(be, MALI_AS_TRANSCFG_LO(15)), 0);
	gp_backend_release(&be);
}
END_TEST

START_TEST(test_4k_pages_translate_to_their_device_pages)
{
	struct gpu_env env = env_open(NULL);
	char out[8];

	map_page(&env, PG_L0, TEST_VA + PAGE, pg_dev(&env, PG_DATA + 5) | D_PAGE | D_LEAF);
	memcpy(pg_cpu(&env, PG_DATA) + PAGE - 4, "GPU-", 4);
	memcpy(pg_cpu(&env, PG_DATA + 5), "page", 4);

	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA + 17), PG_DATA);
	/* One read across two VA pages backed by unrelated device pages. */
	ck_assert_int_eq(gp_mock_gpu_read(env.be, AS, TEST_VA + PAGE - 4, out, 8, NULL), 0);
	ck_assert(!memcmp(out, "GPU-page", 8));
	/* Another AS sees none of it. */
	ck_assert_int_eq(gpu_byte(env.be, AS + 1, TEST_VA), -1);
	env_close(&env);
}
END_TEST

START_TEST(test_gpu_write_reaches_the_cpu_mapping)
{
	struct gpu_env env = env_open(NULL);
	char msg[] = "written by the GPU";

	ck_assert_int_eq(gp_mock_gpu_access(env.be, AS, TEST_VA + 100, msg, sizeof(msg), true), 0);
	ck_assert_str_eq(pg_cpu(&env, PG_DATA) + 100, msg);
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_RAWSTAT), 0);
	env_close(&env);
}
END_TEST

START_TEST(test_2m_block_translates_with_its_offset)
{
	struct gp_backend *be = mock_open(NULL);
	/* First fit from the 4 GiB base: the first mapping is 2 MiB aligned. */
	char *block = shared_pages(2u << 20);
	struct gp_dma_mapping *bmap = dma_map(be, block, 2u << 20, GP_DMA_BIDIRECTIONAL);
	struct gpu_env env = { .be = be };
	uint64_t va = 0x0000004000000000ull + (7ull << 21);
	char out[6];

	ck_assert_uint_eq(dma_addr(bmap) % (2u << 20), 0);
	env.arena = shared_pages(ARENA_PAGES * PAGE);
	env.map = dma_map(be, env.arena, ARENA_PAGES * PAGE, GP_DMA_BIDIRECTIONAL);
	env.dev = dma_addr(env.map);
	put_desc(&env, PG_L0, va_idx(va, 0), pg_dev(&env, PG_L1) | D_TABLE);
	put_desc(&env, PG_L1, va_idx(va, 1), pg_dev(&env, PG_L2) | D_TABLE);
	put_desc(&env, PG_L2, va_idx(va, 2), dma_addr(bmap) | D_BLOCK | D_LEAF);
	as_program(be, 0, pg_dev(&env, PG_L0), TRANSCFG_48, MEMATTR_OK);

	memcpy(block + 0x123456, "block", 6);
	ck_assert_int_eq(gp_mock_gpu_read(be, 0, va + 0x123456, out, 6, NULL), 0);
	ck_assert_str_eq(out, "block");
	ck_assert_int_eq(gp_mock_gpu_read(be, 0, va + (2u << 20), out, 1, NULL), -EFAULT);
	gp_backend_dma_unmap(be, &bmap);
	env_close(&env);
	munmap(block, 2u << 20);
}
END_TEST

/* 39-bit VAs start the walk at level 1, as io-pgtable does for ias = 39. */
START_TEST(test_39_bit_input_starts_the_walk_at_level_1)
{
	struct gpu_env env = env_open(NULL);
	uint64_t va = 0x0000007654321000ull & ((1ull << 39) - 1);

	/* The level-1 table is the top: TRANSTAB points at it. */
	put_desc(&env, PG_L1, va_idx(va, 1), pg_dev(&env, PG_L2) | D_TABLE);
	put_desc(&env, PG_L2, va_idx(va, 2), pg_dev(&env, PG_L3) | D_TABLE);
	put_desc(&env, PG_L3, va_idx(va, 3), pg_dev(&env, PG_DATA + 2) | D_PAGE | D_LEAF);
	as_program(env.be, 0, pg_dev(&env, PG_L1),
		   MALI_AS_TRANSCFG_ADRMODE_AARCH64_4K | MALI_AS_TRANSCFG_INA_BITS(55 - 39), MEMATTR_OK);
	ck_assert_int_eq(gpu_byte(env.be, 0, va), PG_DATA + 2);
	/* Bit 39 is beyond the input size. */
	ck_assert_int_eq(gpu_byte(env.be, 0, va | 1ull << 39), -1);
	env_close(&env);
}
END_TEST

START_TEST(test_identity_mode_reads_device_addresses)
{
	struct gpu_env env = env_open(NULL);

	as_program(env.be, 1, 0, MALI_AS_TRANSCFG_ADRMODE_IDENTITY, 0);
	ck_assert_int_eq(gpu_byte(env.be, 1, pg_dev(&env, PG_DATA + 3) + 9), PG_DATA + 3);
	ck_assert_int_eq(gpu_byte(env.be, 1, unmapped_dev(&env)), -1);
	env_close(&env);
}
END_TEST

/* The registers are only a staging area: UPDATE makes them live. */
START_TEST(test_update_latches_the_configuration)
{
	struct gpu_env env = env_open(NULL);

	/* A second table set maps TEST_VA to another page. */
	map_page(&env, PG_ALT, TEST_VA, pg_dev(&env, PG_DATA + 7) | D_PAGE | D_LEAF);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA);

	wr64(env.be, MALI_AS_TRANSTAB_LO(AS), pg_dev(&env, PG_ALT));
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA);
	wr(env.be, MALI_AS_COMMAND(AS), MALI_AS_COMMAND_UPDATE);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA + 7);

	/* Disabling as panthor does: UNMAPPED and UPDATE. */
	wr64(env.be, MALI_AS_TRANSCFG_LO(AS), MALI_AS_TRANSCFG_ADRMODE_UNMAPPED);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA + 7);
	wr(env.be, MALI_AS_COMMAND(AS), MALI_AS_COMMAND_UPDATE);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), -1);
	env_close(&env);
}
END_TEST

/* Each fault, broken into otherwise good tables, as AS_FAULTSTATUS reports it. */
enum breakage {
	BREAK_L0_INVALID,
	BREAK_L1_INVALID,
	BREAK_L2_INVALID,
	BREAK_L3_INVALID,
	BREAK_L0_BLOCK,
	BREAK_L3_BLOCK_TYPE,
	BREAK_READ_ONLY,
	BREAK_NO_ACCESS_FLAG,
	BREAK_TRANSTAB_UNREACHABLE,
	BREAK_L2_TABLE_UNREACHABLE,
	BREAK_VA_TOO_WIDE,
	BREAK_OA_TOO_WIDE,
	BREAK_MEMATTR_FAULT,
	BREAK_DATA_UNREACHABLE,
	BREAK_AS_UNMAPPED,
};

static const struct fault_case {
	const char *name;
	enum breakage breakage;
	bool write;
	uint32_t exception;
	bool bus;			/* MMU_INT bit 16 + n rather than n */
} fault_cases[] = {
	{ "L0 invalid", BREAK_L0_INVALID, false, MALI_EXC_TRANSLATION_FAULT(0), false },
	{ "L1 invalid", BREAK_L1_INVALID, true, MALI_EXC_TRANSLATION_FAULT(1), false },
	{ "L2 invalid", BREAK_L2_INVALID, false, MALI_EXC_TRANSLATION_FAULT(2), false },
	{ "L3 invalid", BREAK_L3_INVALID, false, MALI_EXC_TRANSLATION_FAULT(3), false },
	{ "block at L0", BREAK_L0_BLOCK, false, MALI_EXC_TRANSLATION_FAULT(0), false },
	{ "block type at L3", BREAK_L3_BLOCK_TYPE, false, MALI_EXC_TRANSLATION_FAULT(3), false },
	{ "write to read-only", BREAK_READ_ONLY, true, MALI_EXC_PERM_FAULT(3), false },
	{ "access flag clear", BREAK_NO_ACCESS_FLAG, false, MALI_EXC_ACCESS_FLAG(3), false },
	{ "TRANSTAB unreachable", BREAK_TRANSTAB_UNREACHABLE, false, MALI_EXC_TRANSTAB_BUS_FAULT(0),
	  false },
	{ "L2 table unreachable", BREAK_L2_TABLE_UNREACHABLE, true, MALI_EXC_TRANSTAB_BUS_FAULT(2),
	  false },
	{ "VA beyond 48 bits", BREAK_VA_TOO_WIDE, false, MALI_EXC_ADDR_SIZE_FAULT_IN, false },
	{ "page beyond 40 bits", BREAK_OA_TOO_WIDE, false, MALI_EXC_ADDR_SIZE_FAULT_OUT(3), false },
	{ "MEMATTR fault", BREAK_MEMATTR_FAULT, false, MALI_EXC_MEM_ATTR_FAULT(3), false },
	{ "data unreachable", BREAK_DATA_UNREACHABLE, true, MALI_EXC_GPU_BUS_FAULT, true },
	{ "AS unmapped", BREAK_AS_UNMAPPED, false, MALI_EXC_TRANSLATION_FAULT(0), false },
};

/* Break env's tables as @c says; return the VA to access. */
static uint64_t break_tables(struct gpu_env *env, const struct fault_case *c)
{
	uint64_t va = TEST_VA + 0x18;
	uint64_t page = pg_dev(env, PG_DATA) | D_PAGE | D_LEAF;

	switch (c->breakage) {
	case BREAK_L0_INVALID:
		put_desc(env, PG_L0, va_idx(va, 0), pg_dev(env, PG_L1) | 0x2);
		break;
	case BREAK_L1_INVALID:
		put_desc(env, PG_L1, va_idx(va, 1), 0);
		break;
	case BREAK_L2_INVALID:
		put_desc(env, PG_L2, va_idx(va, 2), pg_dev(env, PG_L3));
		break;
	case BREAK_L3_INVALID:
		put_desc(env, PG_L3, va_idx(va, 3), pg_dev(env, PG_DATA) | D_LEAF);
		break;
	case BREAK_L0_BLOCK:
		put_desc(env, PG_L0, va_idx(va, 0), D_BLOCK | D_LEAF);
		break;
	case BREAK_L3_BLOCK_TYPE:
		put_desc(env, PG_L3, va_idx(va, 3), pg_dev(env, PG_DATA) | D_BLOCK | D_LEAF);
		break;
	case BREAK_READ_ONLY:
		put_desc(env, PG_L3, va_idx(va, 3), page | D_RO);
		break;
	case BREAK_NO_ACCESS_FLAG:
		put_desc(env, PG_L3, va_idx(va, 3), page & ~D_AF);
		break;
	case BREAK_TRANSTAB_UNREACHABLE:
		as_program(env->be, AS, unmapped_dev(env), TRANSCFG_48, MEMATTR_OK);
		break;
	case BREAK_L2_TABLE_UNREACHABLE:
		put_desc(env, PG_L1, va_idx(va, 1), unmapped_dev(env) | D_TABLE);
		break;
	case BREAK_VA_TOO_WIDE:
		va |= 1ull << 48;
		break;
	case BREAK_OA_TOO_WIDE:
		put_desc(env, PG_L3, va_idx(va, 3), (1ull << 40) | D_PAGE | D_LEAF);
		break;
	case BREAK_MEMATTR_FAULT:
		/* Attribute byte 2 says "fault". */
		as_program(env->be, AS, pg_dev(env, PG_L0), TRANSCFG_48,
			   (MEMATTR_OK & ~(0xffull << 16)) | (uint64_t)MALI_AS_MEMATTR_AARCH64_FAULT << 16);
		put_desc(env, PG_L3, va_idx(va, 3), pg_dev(env, PG_DATA) | D_PAGE | D_AF | D_ATTR(2));
		break;
	case BREAK_DATA_UNREACHABLE:
		put_desc(env, PG_L3, va_idx(va, 3), unmapped_dev(env) | D_PAGE | D_LEAF);
		break;
	case BREAK_AS_UNMAPPED:
		as_program(env->be, AS, pg_dev(env, PG_L0), MALI_AS_TRANSCFG_ADRMODE_UNMAPPED, 0);
		break;
	}
	return va;
}

START_TEST(test_gpu_access_fault_is_reported_as_the_hardware_does)
{
	const struct fault_case *c = &fault_cases[_i];
	struct gpu_env env = env_open(NULL);
	uint32_t access = c->write ? MALI_AS_FAULTSTATUS_ACCESS_WRITE : MALI_AS_FAULTSTATUS_ACCESS_READ;
	uint32_t bit = c->bus ? MALI_MMU_IRQ_BUS_FAULT(AS) : MALI_MMU_IRQ_PAGE_FAULT(AS);
	char buf[4] = "abc";
	uint64_t va;

	/* The unbroken tables translate: the fault below is the breakage's alone. */
	ck_assert_int_eq(gp_mock_gpu_read(env.be, AS, TEST_VA + 0x18, buf, 4, NULL), 0);
	wr(env.be, MALI_MMU_INT_MASK, UINT32_MAX);
	va = break_tables(&env, c);
	/* The TLB would hide a table change until a flush; start cold. */
	as_flush(env.be, AS, 63, MALI_AS_COMMAND_FLUSH_PT);

	ck_assert_int_eq(gp_mock_gpu_access(env.be, AS, va, buf, 4, c->write), -EFAULT);
	ck_assert_msg(rd(env.be, MALI_AS_FAULTSTATUS(AS)) == (c->exception | access),
		      "%s: FAULTSTATUS 0x%x, expected 0x%x", c->name,
		      rd(env.be, MALI_AS_FAULTSTATUS(AS)), c->exception | access);
	ck_assert_uint_eq(rd64(env.be, MALI_AS_FAULTADDRESS_LO(AS)), va);
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_RAWSTAT), bit);
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_STAT), bit);
	ck_assert(fd_readable(mmu_irq_fd(env.be), 0));
	ck_assert_uint_eq(fd_drain(mmu_irq_fd(env.be)), 1);
	ck_assert_uint_eq(stats_of(env.be).mmu_irqs_raised, 1);
	ck_assert_uint_eq(stats_of(env.be).irqs_raised, 0);	/* not the GPU line */
	ck_assert_uint_eq(stats_of(env.be).mmu_faults, 1);
	/* Nothing was written on a faulting write. */
	ck_assert_uint_eq((unsigned char)pg_cpu(&env, PG_DATA)[0x18], PG_DATA);
	env_close(&env);
}
END_TEST

/* gp_mock_gpu_read() is a question, not an access: the same status, nothing latched. */
START_TEST(test_gpu_read_reports_the_fault_without_latching_it)
{
	struct gpu_env env = env_open(NULL);
	uint32_t status = 0;
	char b;

	wr(env.be, MALI_MMU_INT_MASK, UINT32_MAX);
	ck_assert_int_eq(gp_mock_gpu_read(env.be, AS, TEST_VA + PAGE + 5, &b, 1, &status), -EFAULT);
	ck_assert_uint_eq(status, MALI_EXC_TRANSLATION_FAULT(3) | MALI_AS_FAULTSTATUS_ACCESS_READ);
	ck_assert_int_eq(gp_mock_gpu_read(env.be, AS, TEST_VA + PAGE + 5, &b, 1, NULL), -EFAULT);
	ck_assert_uint_eq(rd(env.be, MALI_AS_FAULTSTATUS(AS)), 0);
	ck_assert_uint_eq(rd64(env.be, MALI_AS_FAULTADDRESS_LO(AS)), 0);
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_RAWSTAT), 0);
	ck_assert(!fd_readable(mmu_irq_fd(env.be), 0));
	ck_assert_uint_eq(stats_of(env.be).mmu_faults, 0);
	env_close(&env);
}
END_TEST

START_TEST(test_masked_fault_raises_no_irq_until_unmasked)
{
	struct gpu_env env = env_open(NULL);
	char b;

	ck_assert_int_eq(gp_mock_gpu_access(env.be, AS, TEST_VA + PAGE, &b, 1, false), -EFAULT);
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_RAWSTAT), MALI_MMU_IRQ_PAGE_FAULT(AS));
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_STAT), 0);
	ck_assert(!fd_readable(mmu_irq_fd(env.be), 0));

	/* Another AS's bit does not reveal it. */
	wr(env.be, MALI_MMU_INT_MASK, MALI_MMU_IRQ_PAGE_FAULT(AS + 1));
	ck_assert(!fd_readable(mmu_irq_fd(env.be), 0));
	wr(env.be, MALI_MMU_INT_MASK, MALI_MMU_IRQ_PAGE_FAULT(AS));
	ck_assert(fd_readable(mmu_irq_fd(env.be), 0));
	ck_assert_uint_eq(fd_drain(mmu_irq_fd(env.be)), 1);
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_STAT), MALI_MMU_IRQ_PAGE_FAULT(AS));
	env_close(&env);
}
END_TEST

/*
 * The first fault stays readable until MMU_INT_CLEAR: a second one on the
 * same AS neither overwrites it nor signals again; after CLEAR the next
 * fault latches.  Another AS latches its own.
 */
START_TEST(test_latched_fault_stays_until_cleared)
{
	struct gpu_env env = env_open(NULL);
	uint32_t first = MALI_EXC_TRANSLATION_FAULT(3) | MALI_AS_FAULTSTATUS_ACCESS_READ;
	char b = 0;

	wr(env.be, MALI_MMU_INT_MASK, UINT32_MAX);
	ck_assert_int_eq(gp_mock_gpu_access(env.be, AS, TEST_VA + PAGE, &b, 1, false), -EFAULT);
	ck_assert_uint_eq(fd_drain(mmu_irq_fd(env.be)), 1);
	ck_assert_int_eq(gp_mock_gpu_access(env.be, AS, 1ull << 50, &b, 1, true), -EFAULT);
	ck_assert_uint_eq(rd(env.be, MALI_AS_FAULTSTATUS(AS)), first);
	ck_assert_uint_eq(rd64(env.be, MALI_AS_FAULTADDRESS_LO(AS)), TEST_VA + PAGE);
	ck_assert(!fd_readable(mmu_irq_fd(env.be), 0));
	ck_assert_uint_eq(stats_of(env.be).mmu_faults, 1);

	/* Clearing another bit changes nothing. */
	wr(env.be, MALI_MMU_INT_CLEAR, MALI_MMU_IRQ_PAGE_FAULT(AS + 1));
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_RAWSTAT), MALI_MMU_IRQ_PAGE_FAULT(AS));

	wr(env.be, MALI_MMU_INT_CLEAR, MALI_MMU_IRQ_PAGE_FAULT(AS));
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_RAWSTAT), 0);
	/* CLEAR re-arms but does not erase: the registers keep the last fault. */
	ck_assert_uint_eq(rd(env.be, MALI_AS_FAULTSTATUS(AS)), first);
	ck_assert_int_eq(gp_mock_gpu_access(env.be, AS, 1ull << 50, &b, 1, true), -EFAULT);
	ck_assert_uint_eq(rd(env.be, MALI_AS_FAULTSTATUS(AS)),
			  MALI_EXC_ADDR_SIZE_FAULT_IN | MALI_AS_FAULTSTATUS_ACCESS_WRITE);
	ck_assert_uint_eq(rd64(env.be, MALI_AS_FAULTADDRESS_LO(AS)), 1ull << 50);
	ck_assert_uint_eq(fd_drain(mmu_irq_fd(env.be)), 1);

	/* AS 0 has its own registers and bit. */
	ck_assert_int_eq(gp_mock_gpu_access(env.be, 0, 0x5000, &b, 1, false), -EFAULT);
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_RAWSTAT),
			  MALI_MMU_IRQ_PAGE_FAULT(AS) | MALI_MMU_IRQ_PAGE_FAULT(0));
	ck_assert_uint_eq(rd64(env.be, MALI_AS_FAULTADDRESS_LO(0)), 0x5000);
	ck_assert_uint_eq(rd64(env.be, MALI_AS_FAULTADDRESS_LO(AS)), 1ull << 50);
	ck_assert_uint_eq(stats_of(env.be).mmu_faults, 3);
	env_close(&env);
}
END_TEST

START_TEST(test_mmu_irq_unmask_resignals_while_stat_is_nonzero)
{
	struct gpu_env env = env_open(NULL);
	char b;

	wr(env.be, MALI_MMU_INT_MASK, UINT32_MAX);
	ck_assert_int_eq(gp_mock_gpu_access(env.be, AS, TEST_VA + PAGE, &b, 1, false), -EFAULT);
	ck_assert_uint_eq(fd_drain(mmu_irq_fd(env.be)), 1);
	ck_assert_int_eq(gp_backend_irq_unmask(env.be, GP_MOCK_IRQ_MMU), 0);
	ck_assert_uint_eq(fd_drain(mmu_irq_fd(env.be)), 1);
	wr(env.be, MALI_MMU_INT_CLEAR, UINT32_MAX);
	ck_assert_int_eq(gp_backend_irq_unmask(env.be, GP_MOCK_IRQ_MMU), 0);
	ck_assert_uint_eq(fd_drain(mmu_irq_fd(env.be)), 0);
	ck_assert_int_eq(gp_backend_irq_unmask(env.be, GP_MOCK_NUM_IRQS), -EINVAL);
	env_close(&env);
}
END_TEST

START_TEST(test_mmu_rawstat_write_raises_present_bits_only)
{
	struct gp_backend *be = mock_open(NULL);

	wr(be, MALI_MMU_INT_MASK, UINT32_MAX);
	wr(be, MALI_MMU_INT_RAWSTAT, UINT32_MAX);
	ck_assert_uint_eq(rd(be, MALI_MMU_INT_RAWSTAT), 0x00ff00ff);
	ck_assert_uint_eq(fd_drain(mmu_irq_fd(be)), 1);
	ck_assert_uint_eq(fd_drain(gp_backend_irq_fd(be, GP_MOCK_IRQ_GPU)), 0);
	gp_backend_release(&be);
}
END_TEST

/*
 * The TLB: a driver that changes a descriptor and does not flush still
 * sees the old translation; a flush of a region that does not cover the
 * VA changes nothing; one that covers it (FLUSH_PT or FLUSH_MEM after LOCK),
 * or an UPDATE, makes the walk see the tables again.
 */
START_TEST(test_tlb_keeps_a_stale_translation_until_flushed)
{
	struct gpu_env env = env_open(NULL);

	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA);	/* now cached */
	put_desc(&env, PG_L3, va_idx(TEST_VA, 3), 0);			/* unmapped */
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA);	/* stale */

	as_flush(env.be, AS, lock_32k(TEST_VA + 0x8000), MALI_AS_COMMAND_FLUSH_PT);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA);	/* not covered */
	wr(env.be, MALI_AS_COMMAND(AS + 1), MALI_AS_COMMAND_UPDATE);	/* another AS */
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA);

	as_flush(env.be, AS, lock_32k(TEST_VA), MALI_AS_COMMAND_FLUSH_PT);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), -1);
	env_close(&env);
}
END_TEST

START_TEST(test_flush_mem_and_update_also_invalidate)
{
	struct gpu_env env = env_open(NULL);

	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA);
	put_desc(&env, PG_L3, va_idx(TEST_VA, 3), pg_dev(&env, PG_DATA + 1) | D_PAGE | D_LEAF);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA);
	/* panthor's lock of the whole space: region 0, width 63. */
	as_flush(env.be, AS, 63, MALI_AS_COMMAND_FLUSH_MEM);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA + 1);

	put_desc(&env, PG_L3, va_idx(TEST_VA, 3), pg_dev(&env, PG_DATA + 2) | D_PAGE | D_LEAF);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA + 1);
	wr(env.be, MALI_AS_COMMAND(AS), MALI_AS_COMMAND_UPDATE);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA + 2);
	env_close(&env);
}
END_TEST

/* LOCK then UNLOCK flushes nothing; FLUSH_PT without a LOCK uses the region in LOCKADDR. */
START_TEST(test_unlock_does_not_flush_and_flush_without_lock_uses_lockaddr)
{
	struct gpu_env env = env_open(NULL);

	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA);
	put_desc(&env, PG_L3, va_idx(TEST_VA, 3), 0);
	wr64(env.be, MALI_AS_LOCKADDR_LO(AS), lock_32k(TEST_VA));
	wr(env.be, MALI_AS_COMMAND(AS), MALI_AS_COMMAND_LOCK);
	wr(env.be, MALI_AS_COMMAND(AS), MALI_AS_COMMAND_UNLOCK);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA);
	wr(env.be, MALI_AS_COMMAND(AS), MALI_AS_COMMAND_FLUSH_PT);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), -1);
	env_close(&env);
}
END_TEST

/* A region narrower than the 32 KiB minimum locks (and flushes) 32 KiB. */
START_TEST(test_lock_region_is_at_least_32k)
{
	struct gpu_env env = env_open(NULL);
	uint64_t va = (TEST_VA & ~0x7fffull) + 0x4000;	/* same 32 KiB, another 16 KiB */

	map_page(&env, PG_L0, va, pg_dev(&env, PG_DATA + 6) | D_PAGE | D_LEAF);
	ck_assert_int_eq(gpu_byte(env.be, AS, va), PG_DATA + 6);
	put_desc(&env, PG_L3, va_idx(va, 3), 0);
	/* Width 11: a 4 KiB region at the start of the 32 KiB. */
	as_flush(env.be, AS, (TEST_VA & ~0x7fffull) | 11, MALI_AS_COMMAND_FLUSH_PT);
	ck_assert_int_eq(gpu_byte(env.be, AS, va), -1);
	env_close(&env);
}
END_TEST

/* Faults are not cached: a page mapped after a fault is seen without a flush. */
START_TEST(test_tlb_does_not_cache_faults)
{
	struct gpu_env env = env_open(NULL);

	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA + PAGE), -1);
	put_desc(&env, PG_L3, va_idx(TEST_VA + PAGE, 3), pg_dev(&env, PG_DATA + 4) | D_PAGE | D_LEAF);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA + PAGE), PG_DATA + 4);
	env_close(&env);
}
END_TEST

/* A read-only page in the TLB still refuses writes: permissions are checked on every access. */
START_TEST(test_cached_read_only_translation_still_refuses_writes)
{
	struct gpu_env env = env_open(NULL);
	char b = 'x';

	put_desc(&env, PG_L3, va_idx(TEST_VA, 3), pg_dev(&env, PG_DATA) | D_PAGE | D_LEAF | D_RO);
	wr(env.be, MALI_AS_COMMAND(AS), MALI_AS_COMMAND_UPDATE);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA);
	ck_assert_int_eq(gp_mock_gpu_access(env.be, AS, TEST_VA, &b, 1, true), -EFAULT);
	ck_assert_uint_eq(rd(env.be, MALI_AS_FAULTSTATUS(AS)),
			  MALI_EXC_PERM_FAULT(3) | MALI_AS_FAULTSTATUS_ACCESS_WRITE);
	ck_assert_uint_eq((unsigned char)pg_cpu(&env, PG_DATA)[0], PG_DATA);
	env_close(&env);
}
END_TEST

/* Execute-never refuses instruction fetches only; a fetch is a query like gp_mock_gpu_read(). */
START_TEST(test_execute_never_refuses_fetches_only)
{
	struct gpu_env env = env_open(NULL);
	uint32_t status = 0;
	char b;

	map_page(&env, PG_L0, TEST_VA + PAGE, pg_dev(&env, PG_DATA + 1) | D_PAGE | D_LEAF | D_XN);
	ck_assert_int_eq(gp_mock_gpu_fetch(env.be, AS, TEST_VA, &b, 1, &status), 0);
	ck_assert_int_eq(b, PG_DATA);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA + PAGE), PG_DATA + 1);
	ck_assert_int_eq(gp_mock_gpu_access(env.be, AS, TEST_VA + PAGE, &b, 1, true), 0);
	ck_assert_int_eq(gp_mock_gpu_fetch(env.be, AS, TEST_VA + PAGE, &b, 1, &status), -EFAULT);
	ck_assert_uint_eq(status, MALI_EXC_PERM_FAULT(3) | MALI_AS_FAULTSTATUS_ACCESS_EX);
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_RAWSTAT), 0);
	ck_assert_uint_eq(rd(env.be, MALI_AS_FAULTSTATUS(AS)), 0);
	env_close(&env);
}
END_TEST

/* With mmu-command-delay-us, a command runs (ACTIVE) for a while and takes effect at its end. */
START_TEST(test_as_command_is_active_until_it_completes)
{
	struct gpu_env env = env_open("mmu-command-delay-us=100000");
	uint64_t deadline;

	/* env_open's UPDATE is still running: nothing is live yet. */
	ck_assert_uint_eq(rd(env.be, MALI_AS_STATUS(AS)), MALI_AS_STATUS_ACTIVE);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), -1);
	/* A command written meanwhile is dropped. */
	wr(env.be, MALI_AS_COMMAND(AS), MALI_AS_COMMAND_FLUSH_PT);
	ck_assert_uint_eq(stats_of(env.be).as_commands_dropped, 1);
	ck_assert_uint_eq(rd(env.be, MALI_AS_STATUS(AS + 1)), 0);

	deadline = (uint64_t)time(NULL) + WAIT_MS / 1000;
	while (rd(env.be, MALI_AS_STATUS(AS)) & MALI_AS_STATUS_ACTIVE) {
		ck_assert_uint_le((uint64_t)time(NULL), deadline);
		usleep(1000);
	}
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA);
	ck_assert_uint_eq(stats_of(env.be).as_commands, 1);
	env_close(&env);
}
END_TEST

START_TEST(test_gpu_reset_disables_the_mmu)
{
	struct gpu_env env = env_open("reset-delay-us=0");
	char b;

	wr(env.be, MALI_MMU_INT_MASK, UINT32_MAX);
	ck_assert_int_eq(gp_mock_gpu_access(env.be, AS, TEST_VA + PAGE, &b, 1, false), -EFAULT);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), PG_DATA);
	wr(env.be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_RAWSTAT), 0);
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_MASK), 0);
	ck_assert_uint_eq(rd(env.be, MALI_AS_FAULTSTATUS(AS)), 0);
	ck_assert_uint_eq(rd64(env.be, MALI_AS_TRANSTAB_LO(AS)), 0);
	ck_assert_uint_eq(rd64(env.be, MALI_AS_TRANSCFG_LO(AS)), MALI_AS_TRANSCFG_ADRMODE_UNMAPPED);
	ck_assert_int_eq(gpu_byte(env.be, AS, TEST_VA), -1);
	env_close(&env);
}
END_TEST

/* A removed GPU translates nothing, reports nothing, and its registers read all-ones. */
START_TEST(test_removed_gpu_makes_no_access_and_no_irq)
{
	struct gpu_env env = env_open(NULL);
	uint32_t status = 0x1234;
	char b;

	wr(env.be, MALI_MMU_INT_MASK, UINT32_MAX);
	gp_mock_simulate_removal(env.be);
	ck_assert_int_eq(gp_mock_gpu_read(env.be, AS, TEST_VA, &b, 1, &status), -ENODEV);
	ck_assert_uint_eq(status, 0x1234);
	ck_assert_int_eq(gp_mock_gpu_access(env.be, AS, TEST_VA + PAGE, &b, 1, false), -ENODEV);
	ck_assert_uint_eq(rd(env.be, MALI_MMU_INT_RAWSTAT), UINT32_MAX);
	ck_assert_uint_eq(rd(env.be, MALI_AS_FAULTSTATUS(AS)), UINT32_MAX);
	ck_assert(!fd_readable(mmu_irq_fd(env.be), 0));
	ck_assert_uint_eq(stats_of(env.be).mmu_faults, 0);
	/* The memory itself is the daemon's: still readable by a bus master model. */
	ck_assert_int_eq(gp_mock_dma_read(env.be, pg_dev(&env, PG_DATA), &b, 1), 0);
	env_close(&env);
}
END_TEST

/* A driver that unmaps page-table memory under a live AS gets walk bus faults. */
START_TEST(test_unmapped_tables_give_transtab_bus_faults)
{
	struct gpu_env env = env_open(NULL);
	uint32_t status = 0;
	char b;

	gp_backend_dma_unmap(env.be, &env.map);
	ck_assert_int_eq(gp_mock_gpu_read(env.be, AS, TEST_VA + PAGE, &b, 1, &status), -EFAULT);
	ck_assert_uint_eq(status, MALI_EXC_TRANSTAB_BUS_FAULT(0) | MALI_AS_FAULTSTATUS_ACCESS_READ);
	gp_backend_release(&env.be);
	munmap(env.arena, ARENA_PAGES * PAGE);
}
END_TEST

/* --- concurrency: registers, queries, faults and DMA at once (TSan) ---- */

#define MMU_ROUNDS	1000

struct mmu_hammer {
	struct gpu_env env;
	atomic_uint bad;
	atomic_bool stop;
};

static void *mmu_reader(void *arg)
{
	struct mmu_hammer *h = arg;

	while (!atomic_load(&h->stop))
		if (gpu_byte(h->env.be, AS, TEST_VA + 3) != PG_DATA)
			atomic_fetch_add(&h->bad, 1);
	return NULL;
}

/* The driver's side: flushes and re-UPDATEs of the same tables, register reads. */
static void *mmu_flusher(void *arg)
{
	struct mmu_hammer *h = arg;

	for (int i = 0; i < MMU_ROUNDS; i++) {
		as_flush(h->env.be, AS, lock_32k(TEST_VA), MALI_AS_COMMAND_FLUSH_PT);
		if (i % 8 == 0)
			wr(h->env.be, MALI_AS_COMMAND(AS), MALI_AS_COMMAND_UPDATE);
		(void)rd(h->env.be, MALI_AS_STATUS(AS));
		(void)rd64(h->env.be, MALI_AS_FAULTADDRESS_LO(0));
	}
	return NULL;
}

/* Faults on AS 0 and the IRQ handler that clears them. */
static void *mmu_faulter(void *arg)
{
	struct mmu_hammer *h = arg;
	char b;

	for (int i = 0; i < MMU_ROUNDS; i++) {
		if (gp_mock_gpu_access(h->env.be, 0, 0x10000 + (uint64_t)i * PAGE, &b, 1, false) !=
		    -EFAULT)
			atomic_fetch_add(&h->bad, 1);
		if (fd_readable(mmu_irq_fd(h->env.be), 0)) {
			fd_drain(mmu_irq_fd(h->env.be));
			wr(h->env.be, MALI_MMU_INT_CLEAR, rd(h->env.be, MALI_MMU_INT_STAT));
			gp_backend_irq_unmask(h->env.be, GP_MOCK_IRQ_MMU);
		}
	}
	return NULL;
}

static void *mmu_mapper(void *arg)
{
	struct mmu_hammer *h = arg;
	char *buf = shared_pages(PAGE);

	for (int i = 0; i < MMU_ROUNDS; i++) {
		struct gp_dma_mapping *map = NULL;

		if (gp_backend_dma_map(h->env.be, buf, PAGE, GP_DMA_BIDIRECTIONAL, &map) != 0) {
			atomic_fetch_add(&h->bad, 1);
			continue;
		}
		gp_backend_dma_unmap(h->env.be, &map);
	}
	munmap(buf, PAGE);
	return NULL;
}

START_TEST(test_concurrent_registers_queries_faults_and_dma)
{
	struct mmu_hammer h = { .env = env_open(NULL) };
	pthread_t readers[2], flusher, faulter, mapper;

	wr(h.env.be, MALI_MMU_INT_MASK, UINT32_MAX);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&readers[i], NULL, mmu_reader, &h), 0);
	ck_assert_int_eq(pthread_create(&flusher, NULL, mmu_flusher, &h), 0);
	ck_assert_int_eq(pthread_create(&faulter, NULL, mmu_faulter, &h), 0);
	ck_assert_int_eq(pthread_create(&mapper, NULL, mmu_mapper, &h), 0);
	pthread_join(flusher, NULL);
	pthread_join(faulter, NULL);
	pthread_join(mapper, NULL);
	atomic_store(&h.stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(readers[i], NULL);

	ck_assert_uint_eq(atomic_load(&h.bad), 0);
	ck_assert_uint_gt(stats_of(h.env.be).mmu_faults, 0);
	ck_assert_uint_eq(stats_of(h.env.be).dma_mappings, 1);
	env_close(&h.env);
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

	tc = tcase_create("mmu");
	tcase_add_test(tc, test_mmu_starts_with_every_as_disabled);
	tcase_add_test(tc, test_as_registers_read_back_and_absent_ases_are_inert);
	tcase_add_test(tc, test_4k_pages_translate_to_their_device_pages);
	tcase_add_test(tc, test_gpu_write_reaches_the_cpu_mapping);
	tcase_add_test(tc, test_2m_block_translates_with_its_offset);
	tcase_add_test(tc, test_39_bit_input_starts_the_walk_at_level_1);
	tcase_add_test(tc, test_identity_mode_reads_device_addresses);
	tcase_add_test(tc, test_update_latches_the_configuration);
	tcase_add_loop_test(tc, test_gpu_access_fault_is_reported_as_the_hardware_does, 0,
			    (int)ARRAY_SIZE(fault_cases));
	tcase_add_test(tc, test_gpu_read_reports_the_fault_without_latching_it);
	tcase_add_test(tc, test_masked_fault_raises_no_irq_until_unmasked);
	tcase_add_test(tc, test_latched_fault_stays_until_cleared);
	tcase_add_test(tc, test_mmu_irq_unmask_resignals_while_stat_is_nonzero);
	tcase_add_test(tc, test_mmu_rawstat_write_raises_present_bits_only);
	tcase_add_test(tc, test_tlb_keeps_a_stale_translation_until_flushed);
	tcase_add_test(tc, test_flush_mem_and_update_also_invalidate);
	tcase_add_test(tc, test_unlock_does_not_flush_and_flush_without_lock_uses_lockaddr);
	tcase_add_test(tc, test_lock_region_is_at_least_32k);
	tcase_add_test(tc, test_tlb_does_not_cache_faults);
	tcase_add_test(tc, test_cached_read_only_translation_still_refuses_writes);
	tcase_add_test(tc, test_execute_never_refuses_fetches_only);
	tcase_add_test(tc, test_as_command_is_active_until_it_completes);
	tcase_add_test(tc, test_gpu_reset_disables_the_mmu);
	tcase_add_test(tc, test_removed_gpu_makes_no_access_and_no_irq);
	tcase_add_test(tc, test_unmapped_tables_give_transtab_bus_faults);
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_add_test(tc, test_config_defaults_of_the_memory_model);
	tcase_add_test(tc, test_config_parses_the_memory_model_options);
	suite_add_tcase(s, tc);

	tc = tcase_create("concurrency");
	tcase_add_test(tc, test_concurrent_dma_map_unmap_and_reads);
	tcase_add_test(tc, test_concurrent_registers_queries_faults_and_dma);
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
