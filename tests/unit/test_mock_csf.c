// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mock Mali-G610's CSF model: the MCU firmware interface and the
 * command-stream frontend that runs queues' ring buffers.
 *
 * The test is the driver, as panthor is: it builds page tables for the
 * MCU (AS0: the shared section at MALI_CSF_SHARED_VA, the rings' input and
 * output pages) and for a group (AS1: ring buffer, data, called buffers),
 * boots the MCU with MCU_CONTROL, talks to the firmware through the input
 * and output pages with toggled request bits and doorbells, and checks
 * what the streams did through the MMU model and the CPU's view of memory.
 * Instructions are encoded with include/gpu-proto/gpu_proto_cs.h.
 */
#define _GNU_SOURCE			/* MAP_ANONYMOUS */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
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
#include "gpu-proto/gpu_proto_cs.h"
#include "mali_csf_fw.h"
#include "mali_csf_regs.h"
#include "mock.h"

#define PAGE		4096u
#define WAIT_MS		5000
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* AArch64 stage-1 descriptors (4 KiB granule), written out from the architecture. */
#define D_TABLE		0x3ull
#define D_PAGE		0x3ull
#define D_AF		(1ull << 10)
#define D_ATTR(i)	((uint64_t)(i) << 2)
#define D_LEAF		(D_PAGE | D_AF | D_ATTR(1))
#define D_OA_MASK	0x0000fffffffff000ull
#define TRANSCFG_48	(MALI_AS_TRANSCFG_ADRMODE_AARCH64_4K | MALI_AS_TRANSCFG_INA_BITS(55 - 48) | \
			 MALI_AS_TRANSCFG_PTW_MEMATTR_WB | MALI_AS_TRANSCFG_PTW_RA)
#define MEMATTR_OK	0x4848484848488848ull

/* The MCU's address space and the group's. */
#define MCU_AS		0
#define GRP_AS		1
/* MCU VAs: the shared section, then a page of ring input/output pages. */
#define RING_IO_VA	0x05000000ull
#define RING_IN_VA(i)	(RING_IO_VA + (i) * 0x100u)
#define RING_OUT_VA(i)	(RING_IO_VA + 0x800u + (i) * 0x100u)
/* Group VAs. */
#define RING_VA		0x0000001000000000ull
#define RING_SIZE	PAGE
#define DATA_VA		0x0000002000000000ull
#define DATA_PAGES	4
#define CALL_VA		0x0000003000000000ull
#define CALL_PAGES	2
#define UNMAPPED_VA	0x0000004000000000ull

#define ARENA_PAGES	192

/* Registers the tests' streams use. */
#define R_ADDR		10	/* pair 10:11 */
#define R_VAL		12	/* pair 12:13 */
#define R_LEN		14

struct env {
	struct gp_backend *be;
	char *arena;
	struct gp_dma_mapping *map;
	uint64_t dev;
	unsigned int next_page;
	unsigned int root[2];		/* L0 table page of AS0, AS1 */
	unsigned int shared_page;	/* first page of the shared section */
	unsigned int ring_io_page;
	unsigned int ring_page;
	unsigned int data_page;
	unsigned int call_page;
	uint64_t inserted[GP_MOCK_CSF_GROUP_NUM][GP_MOCK_CSF_STREAM_NUM];
};

static uint32_t rd(struct gp_backend *be, uint64_t off)
{
	return gp_backend_read32(be, GP_MOCK_REGION_GPU, off);
}

static void wr(struct gp_backend *be, uint64_t off, uint32_t v)
{
	gp_backend_write32(be, GP_MOCK_REGION_GPU, off, v);
}

static char *pg_cpu(const struct env *e, unsigned int page)
{
	return e->arena + (size_t)page * PAGE;
}

static uint64_t pg_dev(const struct env *e, unsigned int page)
{
	return e->dev + (uint64_t)page * PAGE;
}

/* Memory the mock's CSF thread also touches: relaxed atomics, as a driver would. */
static uint32_t mem32(const void *p)
{
	return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
}

static void set_mem32(void *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)p, v, __ATOMIC_RELAXED);
}

static uint64_t mem64(const void *p)
{
	return mem32(p) | (uint64_t)mem32((const char *)p + 4) << 32;
}

static void set_mem64(void *p, uint64_t v)
{
	set_mem32(p, (uint32_t)v);
	set_mem32((char *)p + 4, (uint32_t)(v >> 32));
}

static unsigned int alloc_page(struct env *e)
{
	ck_assert_uint_lt(e->next_page, ARENA_PAGES);
	return e->next_page++;
}

/* Map GPU VA @va of the AS whose L0 table is @root to device address @pa. */
static void map_page(struct env *e, unsigned int root, uint64_t va, uint64_t pa)
{
	unsigned int table = root;

	for (unsigned int level = 0; level < 3; level++) {
		char *slot = pg_cpu(e, table) + 8 * ((va >> (39 - 9 * level)) & 511);
		uint64_t desc = mem64(slot);

		if (!desc) {
			unsigned int next = alloc_page(e);

			desc = pg_dev(e, next) | D_TABLE;
			set_mem64(slot, desc);
		}
		table = (unsigned int)(((desc & D_OA_MASK) - e->dev) / PAGE);
	}
	set_mem64(pg_cpu(e, table) + 8 * ((va >> 12) & 511), pa | D_LEAF);
}

static void map_range(struct env *e, unsigned int root, uint64_t va, unsigned int first_page,
		      unsigned int pages)
{
	for (unsigned int i = 0; i < pages; i++)
		map_page(e, root, va + (uint64_t)i * PAGE, pg_dev(e, first_page + i));
}

static unsigned int alloc_pages(struct env *e, unsigned int n)
{
	unsigned int first = e->next_page;

	for (unsigned int i = 0; i < n; i++)
		alloc_page(e);
	return first;
}

static void as_program(struct gp_backend *be, unsigned int as, uint64_t transtab)
{
	gp_backend_write64(be, GP_MOCK_REGION_GPU, MALI_AS_TRANSTAB_LO(as), transtab);
	gp_backend_write64(be, GP_MOCK_REGION_GPU, MALI_AS_MEMATTR_LO(as), MEMATTR_OK);
	gp_backend_write64(be, GP_MOCK_REGION_GPU, MALI_AS_TRANSCFG_LO(as), TRANSCFG_48);
	wr(be, MALI_AS_COMMAND(as), MALI_AS_COMMAND_UPDATE);
}

/* The shared section as the driver's CPU mapping sees it. */
static char *sh(const struct env *e, uint64_t mcu_va)
{
	ck_assert_uint_ge(mcu_va, MALI_CSF_SHARED_VA);
	ck_assert_uint_lt(mcu_va, MALI_CSF_SHARED_VA + MALI_CSF_MOCK_SHARED_SIZE);
	return pg_cpu(e, e->shared_page) + (mcu_va - MALI_CSF_SHARED_VA);
}

static char *ring_in(const struct env *e, unsigned int i)
{
	return pg_cpu(e, e->ring_io_page) + (RING_IN_VA(i) - RING_IO_VA);
}

static char *ring_out(const struct env *e, unsigned int i)
{
	return pg_cpu(e, e->ring_io_page) + (RING_OUT_VA(i) - RING_IO_VA);
}

static char *data(const struct env *e)
{
	return pg_cpu(e, e->data_page);
}

static struct env env_open(const char *opts, bool map_mcu)
{
	struct gp_mock_config cfg;
	struct env e = { 0 };
	char err[256] = "";

	gp_mock_config_init(&cfg);
	ck_assert_msg(gp_mock_config_parse(&cfg, opts, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(gp_mock_open(&cfg, &e.be), 0);
	e.arena = mmap(NULL, ARENA_PAGES * PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(e.arena, MAP_FAILED);
	ck_assert_int_eq(gp_backend_dma_map(e.be, e.arena, ARENA_PAGES * PAGE,
					    GP_DMA_BIDIRECTIONAL, &e.map), 0);
	e.dev = e.map->segments[0].addr;
	e.root[0] = alloc_page(&e);
	e.root[1] = alloc_page(&e);
	e.shared_page = alloc_pages(&e, MALI_CSF_MOCK_SHARED_SIZE / PAGE);
	e.ring_io_page = alloc_page(&e);
	e.ring_page = alloc_page(&e);
	e.data_page = alloc_pages(&e, DATA_PAGES);
	e.call_page = alloc_pages(&e, CALL_PAGES);
	if (map_mcu) {
		map_range(&e, e.root[0], MALI_CSF_SHARED_VA, e.shared_page,
			  MALI_CSF_MOCK_SHARED_SIZE / PAGE);
		map_range(&e, e.root[0], RING_IO_VA, e.ring_io_page, 1);
		as_program(e.be, MCU_AS, pg_dev(&e, e.root[0]));
	}
	map_range(&e, e.root[1], RING_VA, e.ring_page, 1);
	map_range(&e, e.root[1], DATA_VA, e.data_page, DATA_PAGES);
	map_range(&e, e.root[1], CALL_VA, e.call_page, CALL_PAGES);
	as_program(e.be, GRP_AS, pg_dev(&e, e.root[1]));
	wr(e.be, MALI_JOB_INT_MASK, UINT32_MAX);
	return e;
}

static void env_close(struct env *e)
{
	gp_backend_release(&e->be);	/* joins the CSF thread, then unmaps */
	munmap(e->arena, ARENA_PAGES * PAGE);
}

static int job_fd(const struct env *e)
{
	return gp_backend_irq_fd(e->be, GP_MOCK_IRQ_JOB);
}

static bool fd_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r == 1 && (pfd.revents & POLLIN);
}

static void drain(int fd)
{
	eventfd_t v;

	(void)eventfd_read(fd, &v);
}

static void idle(const struct env *e)
{
	ck_assert_int_eq(gp_mock_csf_wait_idle(e->be, WAIT_MS), 0);
}

static struct gp_mock_stats stats(const struct env *e)
{
	struct gp_mock_stats s;

	gp_mock_get_stats(e->be, &s);
	return s;
}

/* --- the driver's side of the firmware interface -------------------------- */

static uint32_t glb_ctl(const struct env *e, uint32_t off)
{
	return mem32(sh(e, MALI_CSF_SHARED_VA + off));
}

static char *glb_in(const struct env *e)
{
	return sh(e, glb_ctl(e, MALI_GLB_CONTROL_INPUT_VA));
}

static char *glb_out(const struct env *e)
{
	return sh(e, glb_ctl(e, MALI_GLB_CONTROL_OUTPUT_VA));
}

static uint32_t csg_ctl_off(const struct env *e, unsigned int n)
{
	return MALI_CSF_GROUP_CONTROL + n * glb_ctl(e, MALI_GLB_CONTROL_GROUP_STRIDE);
}

static char *csg_in(const struct env *e, unsigned int n)
{
	return sh(e, glb_ctl(e, csg_ctl_off(e, n) + MALI_CSG_CONTROL_INPUT_VA));
}

static char *csg_out(const struct env *e, unsigned int n)
{
	return sh(e, glb_ctl(e, csg_ctl_off(e, n) + MALI_CSG_CONTROL_OUTPUT_VA));
}

static uint32_t cs_ctl_off(const struct env *e, unsigned int n, unsigned int m)
{
	return csg_ctl_off(e, n) + MALI_CSF_STREAM_CONTROL +
	       m * glb_ctl(e, csg_ctl_off(e, n) + MALI_CSG_CONTROL_STREAM_STRIDE);
}

static char *cs_in(const struct env *e, unsigned int n, unsigned int m)
{
	return sh(e, glb_ctl(e, cs_ctl_off(e, n, m) + MALI_CS_CONTROL_INPUT_VA));
}

static char *cs_out(const struct env *e, unsigned int n, unsigned int m)
{
	return sh(e, glb_ctl(e, cs_ctl_off(e, n, m) + MALI_CS_CONTROL_OUTPUT_VA));
}

/* Toggle @bits of a REQ word (panthor_fw_toggle_reqs()). */
static void toggle(char *req_word, uint32_t bits)
{
	set_mem32(req_word, mem32(req_word) ^ bits);
}

/* Set a field of a REQ word (panthor_fw_update_reqs()). */
static void update(char *req_word, uint32_t value, uint32_t mask)
{
	set_mem32(req_word, (mem32(req_word) & ~mask) | (value & mask));
}

static void ring_glb_doorbell(const struct env *e)
{
	wr(e->be, MALI_CSF_DOORBELL(MALI_CSF_GLB_DOORBELL_ID), 1);
}

/* Deliver the CSG @n's requests, as panthor_fw_ring_csg_doorbells(). */
static void ring_csg(const struct env *e, unsigned int n)
{
	toggle(glb_in(e) + MALI_GLB_DB_REQ, 1u << n);
	ring_glb_doorbell(e);
}

static void boot(const struct env *e)
{
	wr(e->be, MALI_MCU_CONTROL, MALI_MCU_CONTROL_AUTO);
	idle(e);
	ck_assert(fd_readable(job_fd(e), WAIT_MS));
	drain(job_fd(e));
	ck_assert_uint_eq(rd(e->be, MALI_MCU_STATUS), MALI_MCU_STATUS_ENABLED);
	ck_assert_uint_eq(rd(e->be, MALI_JOB_INT_RAWSTAT) & MALI_JOB_INT_GLOBAL_IF,
			  MALI_JOB_INT_GLOBAL_IF);
	wr(e->be, MALI_JOB_INT_CLEAR, UINT32_MAX);
	/* The masks panthor's glb init programs: every ack and event interrupts. */
	set_mem32(glb_in(e) + MALI_GLB_ACK_IRQ_MASK, UINT32_MAX);
}

/*
 * Program stream @m of group @n (ring @m of the test's ring page, split in
 * eighths when @ring_size is small) and start the group, as panthor's
 * cs_slot_prog_locked() and csg_slot_prog_locked() do.
 */
/* The test's rings: two streams in each of the first four groups, 512 bytes each. */
static unsigned int ring_of(unsigned int n, unsigned int m)
{
	ck_assert_uint_lt(n, 4);
	ck_assert_uint_lt(m, 2);
	return n * 2 + m;
}

static void start_stream_sized(struct env *e, unsigned int n, unsigned int m, uint64_t ring_va,
			       uint32_t ring_size)
{
	char *in = cs_in(e, n, m);
	unsigned int ring = ring_of(n, m);

	set_mem32(csg_in(e, n) + MALI_CSG_ACK_IRQ_MASK, UINT32_MAX);
	set_mem32(in + MALI_CS_CONFIG, MALI_CS_CONFIG_PRIORITY(1) | MALI_CS_CONFIG_DOORBELL(n + 1));
	set_mem32(in + MALI_CS_ACK_IRQ_MASK, UINT32_MAX);
	set_mem64(in + MALI_CS_RINGBUF_BASE, ring_va);
	set_mem32(in + MALI_CS_RINGBUF_SIZE, ring_size);
	set_mem64(in + MALI_CS_RINGBUF_INPUT, RING_IN_VA(ring));
	set_mem64(in + MALI_CS_RINGBUF_OUTPUT, RING_OUT_VA(ring));
	set_mem64(ring_in(e, ring) + MALI_RINGBUF_INSERT, 0);
	set_mem64(ring_in(e, ring) + MALI_RINGBUF_EXTRACT_INIT, 0);
	e->inserted[n][m] = 0;
	update(in + MALI_CS_REQ, MALI_CS_STATE_START, MALI_CS_STATE_MASK);
	toggle(csg_in(e, n) + MALI_CSG_DB_REQ, 1u << m);

	set_mem32(csg_in(e, n) + MALI_CSG_CONFIG, GRP_AS);
	set_mem32(csg_in(e, n) + MALI_CSG_EP_REQ, MALI_CSG_EP_REQ_COMPUTE(4) |
		  MALI_CSG_EP_REQ_PRIORITY(7));
	update(csg_in(e, n) + MALI_CSG_REQ, MALI_CSG_STATE_START, MALI_CSG_STATE_MASK);
	ring_csg(e, n);
	idle(e);
}

static void start_stream(struct env *e, unsigned int n, unsigned int m)
{
	start_stream_sized(e, n, m, RING_VA + ring_of(n, m) * (RING_SIZE / 8), RING_SIZE / 8);
}

/* Wait until the ring of stream @m of group @n has room for @bytes more, as a driver must. */
static void wait_ring_space(const struct env *e, unsigned int n, unsigned int m, uint64_t bytes)
{
	uint32_t size = mem32(cs_in(e, n, m) + MALI_CS_RINGBUF_SIZE);
	char *out = ring_out(e, ring_of(n, m));

	for (int i = 0; i < WAIT_MS && e->inserted[n][m] + bytes -
	     mem64(out + MALI_RINGBUF_EXTRACT) > size; i++)
		usleep(1000);
	ck_assert_uint_le(e->inserted[n][m] + bytes - mem64(out + MALI_RINGBUF_EXTRACT), size);
}

/* Append @count instructions to the ring of stream @m of group @n, kick it, wait for idle. */
static void submit(struct env *e, unsigned int n, unsigned int m, const uint64_t *instrs,
		   size_t count)
{
	unsigned int ring = ring_of(n, m);
	char *in = cs_in(e, n, m);
	uint64_t base = mem64(in + MALI_CS_RINGBUF_BASE);
	uint32_t size = mem32(in + MALI_CS_RINGBUF_SIZE);
	char *cpu = pg_cpu(e, e->ring_page) + (base - RING_VA);

	for (size_t i = 0; i < count; i++) {
		uint64_t at = e->inserted[n][m] + i * 8;

		set_mem64(cpu + (at & (size - 1)), instrs[i]);
	}
	e->inserted[n][m] += count * 8;
	set_mem64(ring_in(e, ring) + MALI_RINGBUF_INSERT, e->inserted[n][m]);
	wr(e->be, MALI_CSF_DOORBELL(n + 1), 1);
	idle(e);
}

static struct gp_mock_csf_stream_state state(const struct env *e, unsigned int n, unsigned int m)
{
	struct gp_mock_csf_stream_state st;

	ck_assert_int_eq(gp_mock_csf_stream_state(e->be, n, m, &st), 0);
	return st;
}

/* One stream in group 0, started, running @instrs. */
static struct env run(const uint64_t *instrs, size_t count)
{
	struct env e = env_open(NULL, true);

	boot(&e);
	start_stream(&e, 0, 0);
	submit(&e, 0, 0, instrs, count);
	return e;
}

/* --- boot and the firmware interface ----------------------------------------- */

START_TEST(test_boot_publishes_the_interface)
{
	struct env e = env_open(NULL, true);
	uint32_t features;

	ck_assert_uint_eq(rd(e.be, MALI_MCU_STATUS), MALI_MCU_STATUS_DISABLED);
	boot(&e);
	ck_assert_uint_eq(rd(e.be, MALI_MCU_CONTROL), MALI_MCU_CONTROL_AUTO);
	ck_assert_uint_eq(glb_ctl(&e, MALI_GLB_CONTROL_VERSION), GP_MOCK_CSF_GLB_VERSION);
	ck_assert_uint_eq(MALI_CSF_IFACE_VERSION_MAJOR(glb_ctl(&e, MALI_GLB_CONTROL_VERSION)), 1);
	ck_assert_uint_eq(glb_ctl(&e, MALI_GLB_CONTROL_GROUP_NUM), GP_MOCK_CSF_GROUP_NUM);
	/* The values docs/mock.md lists. */
	ck_assert_uint_eq(GP_MOCK_CSF_GLB_VERSION, 0x01010000);
	ck_assert_uint_eq(glb_ctl(&e, MALI_GLB_CONTROL_GROUP_STRIDE), 0x100);
	ck_assert_uint_eq(glb_ctl(&e, MALI_GLB_CONTROL_INSTR_FEATURES), 0);
	ck_assert_uint_eq(glb_ctl(&e, MALI_GLB_CONTROL_INPUT_VA), MALI_CSF_SHARED_VA + 0x2000);
	ck_assert_uint_eq(glb_ctl(&e, MALI_GLB_CONTROL_OUTPUT_VA), MALI_CSF_SHARED_VA + 0x3000);
	ck_assert_uint_eq(glb_ctl(&e, csg_ctl_off(&e, 0) + MALI_CSG_CONTROL_STREAM_STRIDE), 0x10);
	ck_assert_uint_eq(glb_ctl(&e, cs_ctl_off(&e, 0, 0) + MALI_CS_CONTROL_FEATURES),
			  0x0007085f);
	for (unsigned int n = 0; n < GP_MOCK_CSF_GROUP_NUM; n++) {
		uint32_t ctl = csg_ctl_off(&e, n);

		ck_assert_uint_eq(glb_ctl(&e, ctl + MALI_CSG_CONTROL_STREAM_NUM),
				  GP_MOCK_CSF_STREAM_NUM);
		ck_assert_uint_gt(glb_ctl(&e, ctl + MALI_CSG_CONTROL_SUSPEND_SIZE), 0);
		for (unsigned int m = 0; m < GP_MOCK_CSF_STREAM_NUM; m++) {
			features = glb_ctl(&e, cs_ctl_off(&e, n, m) + MALI_CS_CONTROL_FEATURES);
			ck_assert_uint_eq(MALI_CS_FEATURES_WORK_REGS(features), 96);
			ck_assert_uint_eq(MALI_CS_FEATURES_SCOREBOARDS(features), 8);
			/* Every page lies in the shared section (sh() checks) and is distinct. */
			ck_assert_ptr_ne(cs_in(&e, n, m), cs_out(&e, n, m));
		}
		ck_assert_ptr_ne(csg_in(&e, n), csg_out(&e, n));
	}
	ck_assert_ptr_ne(glb_in(&e), glb_out(&e));
	ck_assert_uint_eq(stats(&e).mcu_boots, 1);
	ck_assert_uint_ge(stats(&e).job_irqs_raised, 1);
	env_close(&e);
}
END_TEST

START_TEST(test_boot_without_the_mcu_mapping_is_fatal)
{
	struct env e = env_open(NULL, false);

	as_program(e.be, MCU_AS, pg_dev(&e, e.root[0]));	/* tables, but nothing mapped */
	wr(e.be, MALI_MMU_INT_MASK, UINT32_MAX);
	wr(e.be, MALI_MCU_CONTROL, MALI_MCU_CONTROL_ENABLE);
	idle(&e);
	ck_assert_uint_eq(rd(e.be, MALI_MCU_STATUS), MALI_MCU_STATUS_FATAL);
	ck_assert_uint_eq(rd(e.be, MALI_MMU_INT_RAWSTAT) & MALI_MMU_IRQ_PAGE_FAULT(MCU_AS),
			  MALI_MMU_IRQ_PAGE_FAULT(MCU_AS));
	ck_assert_uint_eq(gp_backend_read64(e.be, GP_MOCK_REGION_GPU,
					    MALI_AS_FAULTADDRESS_LO(MCU_AS)), MALI_CSF_SHARED_VA);
	ck_assert_uint_eq(rd(e.be, MALI_JOB_INT_RAWSTAT), 0);
	ck_assert_uint_eq(stats(&e).mcu_boots, 0);
	env_close(&e);
}
END_TEST

START_TEST(test_mcu_never_boots_knob)
{
	struct env e = env_open("mcu-never-boots", true);

	wr(e.be, MALI_MCU_CONTROL, MALI_MCU_CONTROL_AUTO);
	idle(&e);
	ck_assert_uint_eq(rd(e.be, MALI_MCU_STATUS), MALI_MCU_STATUS_DISABLED);
	ck_assert_uint_eq(glb_ctl(&e, MALI_GLB_CONTROL_VERSION), 0);
	ck_assert(!fd_readable(job_fd(&e), 0));
	env_close(&e);
}
END_TEST

START_TEST(test_glb_requests_are_acknowledged_with_the_job_irq)
{
	struct env e = env_open(NULL, true);
	const uint32_t reqs[] = { MALI_GLB_PING, MALI_GLB_CFG_PROGRESS_TIMER, MALI_GLB_IDLE_EN,
				  MALI_GLB_CFG_POWEROFF_TIMER | MALI_GLB_CFG_ALLOC_EN };

	boot(&e);
	for (size_t i = 0; i < ARRAY_SIZE(reqs); i++) {
		toggle(glb_in(&e) + MALI_GLB_REQ, reqs[i]);
		/* No doorbell, no answer. */
		idle(&e);
		ck_assert_uint_ne(mem32(glb_out(&e) + MALI_GLB_ACK) & reqs[i],
				  mem32(glb_in(&e) + MALI_GLB_REQ) & reqs[i]);
		ring_glb_doorbell(&e);
		ck_assert(fd_readable(job_fd(&e), WAIT_MS));
		drain(job_fd(&e));
		idle(&e);
		ck_assert_uint_eq(mem32(glb_out(&e) + MALI_GLB_ACK) & MALI_GLB_REQ_MASK,
				  mem32(glb_in(&e) + MALI_GLB_REQ) & MALI_GLB_REQ_MASK);
		ck_assert_uint_eq(rd(e.be, MALI_JOB_INT_STAT), MALI_JOB_INT_GLOBAL_IF);
		wr(e.be, MALI_JOB_INT_CLEAR, MALI_JOB_INT_GLOBAL_IF);
		ck_assert_uint_eq(rd(e.be, MALI_JOB_INT_RAWSTAT), 0);
	}
	/* A request outside ACK_IRQ_MASK is acknowledged without an interrupt. */
	set_mem32(glb_in(&e) + MALI_GLB_ACK_IRQ_MASK, 0);
	toggle(glb_in(&e) + MALI_GLB_REQ, MALI_GLB_PING);
	ring_glb_doorbell(&e);
	idle(&e);
	ck_assert_uint_eq(mem32(glb_out(&e) + MALI_GLB_ACK) & MALI_GLB_PING,
			  mem32(glb_in(&e) + MALI_GLB_REQ) & MALI_GLB_PING);
	ck_assert_uint_eq(rd(e.be, MALI_JOB_INT_RAWSTAT), 0);
	env_close(&e);
}
END_TEST

START_TEST(test_glb_halt_stops_the_mcu_and_enable_reboots_it)
{
	struct env e = env_open(NULL, true);
	uint64_t forever = gpu_proto_cs_branch(0, GPU_PROTO_CS_COND_ALWAYS, -1);

	boot(&e);
	start_stream(&e, 0, 0);
	set_mem64(pg_cpu(&e, e.ring_page), forever);
	set_mem64(ring_in(&e, 0) + MALI_RINGBUF_INSERT, 8);
	wr(e.be, MALI_CSF_DOORBELL(1), 1);
	toggle(glb_in(&e) + MALI_GLB_REQ, MALI_GLB_HALT);
	ring_glb_doorbell(&e);
	idle(&e);
	ck_assert_uint_eq(rd(e.be, MALI_MCU_STATUS), MALI_MCU_STATUS_HALT);
	ck_assert_uint_eq(mem32(glb_out(&e) + MALI_GLB_HALT_STATUS), MALI_GLB_HALT_OK);
	ck_assert(!state(&e, 0, 0).running);
	ck_assert_uint_eq(mem32(ring_out(&e, 0) + MALI_RINGBUF_ACTIVE), 0);

	wr(e.be, MALI_MCU_CONTROL, MALI_MCU_CONTROL_DISABLE);
	idle(&e);
	ck_assert_uint_eq(rd(e.be, MALI_MCU_STATUS), MALI_MCU_STATUS_DISABLED);
	boot(&e);
	ck_assert_uint_eq(stats(&e).mcu_boots, 2);
	env_close(&e);
}
END_TEST

START_TEST(test_csg_start_and_terminate_are_acknowledged)
{
	struct env e = env_open(NULL, true);
	char *out;

	boot(&e);
	out = csg_out(&e, 0);
	start_stream(&e, 0, 0);
	ck_assert_uint_eq(mem32(out + MALI_CSG_ACK) & MALI_CSG_STATE_MASK, MALI_CSG_STATE_START);
	ck_assert_uint_eq(mem32(cs_out(&e, 0, 0) + MALI_CS_ACK) & MALI_CS_STATE_MASK,
			  MALI_CS_STATE_START);
	ck_assert_uint_eq(mem32(out + MALI_CSG_DB_ACK), mem32(csg_in(&e, 0) + MALI_CSG_DB_REQ));
	ck_assert_uint_eq(mem32(out + MALI_CSG_STATUS_EP_REQ),
			  mem32(csg_in(&e, 0) + MALI_CSG_EP_REQ));
	ck_assert_uint_eq(mem32(ring_out(&e, 0) + MALI_RINGBUF_ACTIVE), 1);
	ck_assert(state(&e, 0, 0).running);
	ck_assert_uint_eq(rd(e.be, MALI_JOB_INT_RAWSTAT) & MALI_JOB_INT_CSG_IF(0),
			  MALI_JOB_INT_CSG_IF(0));

	update(csg_in(&e, 0) + MALI_CSG_REQ, MALI_CSG_STATE_TERMINATE, MALI_CSG_STATE_MASK);
	ring_csg(&e, 0);
	idle(&e);
	ck_assert_uint_eq(mem32(out + MALI_CSG_ACK) & MALI_CSG_STATE_MASK,
			  MALI_CSG_STATE_TERMINATE);
	ck_assert_uint_eq(mem32(cs_out(&e, 0, 0) + MALI_CS_ACK) & MALI_CS_STATE_MASK,
			  MALI_CS_STATE_STOP);
	ck_assert_uint_eq(mem32(ring_out(&e, 0) + MALI_RINGBUF_ACTIVE), 0);
	ck_assert(!state(&e, 0, 0).running);

	/* Started again, as panthor reprograms a slot. */
	start_stream(&e, 0, 0);
	ck_assert(state(&e, 0, 0).running);
	env_close(&e);
}
END_TEST

START_TEST(test_ignore_csg_req_knob_never_acknowledges)
{
	struct env e = env_open("csf-ignore-csg-req", true);

	boot(&e);
	start_stream(&e, 0, 0);
	ck_assert_uint_eq(mem32(csg_out(&e, 0) + MALI_CSG_ACK) & MALI_CSG_STATE_MASK,
			  MALI_CSG_STATE_TERMINATE);
	ck_assert(!state(&e, 0, 0).running);
	env_close(&e);
}
END_TEST

/* --- the instruction subset, one test each ----------------------------------- */

static uint32_t data32(const struct env *e, unsigned int off)
{
	return mem32(data(e) + off);
}

static uint64_t data64(const struct env *e, unsigned int off)
{
	return mem64(data(e) + off);
}

/* Store registers @reg.. (@mask) at DATA_VA + @off, so a test can look at them. */
static uint64_t store(unsigned int reg, uint16_t mask, int16_t off)
{
	return gpu_proto_cs_store_multiple(reg, R_ADDR, mask, off);
}

static void assert_ran_cleanly(const struct env *e, uint64_t bytes)
{
	ck_assert_uint_eq(mem64(ring_out(e, 0) + MALI_RINGBUF_EXTRACT), bytes);
	ck_assert(state(e, 0, 0).running);
	ck_assert_uint_eq(stats(e).csf_faults, 0);
}

START_TEST(test_instr_nop)
{
	const uint64_t p[] = { gpu_proto_cs_nop(), gpu_proto_cs_nop() };
	struct env e = run(p, ARRAY_SIZE(p));

	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_eq(stats(&e).csf_instructions, 2);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_move48_and_move32)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(20, 0xba9876543210ull),
		gpu_proto_cs_move32(22, 0xcafef00d),
		gpu_proto_cs_move48(24, 0xffffffffffffffffull),	/* only 48 bits */
	};
	struct env e = run(p, ARRAY_SIZE(p));
	struct gp_mock_csf_stream_state st = state(&e, 0, 0);

	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_eq(st.regs[20], 0x76543210);
	ck_assert_uint_eq(st.regs[21], 0xba98);
	ck_assert_uint_eq(st.regs[22], 0xcafef00d);
	ck_assert_uint_eq(st.regs[24], 0xffffffff);
	ck_assert_uint_eq(st.regs[25], 0xffff);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_add_immediate32)
{
	const uint64_t p[] = {
		gpu_proto_cs_move32(20, 0xfffffffe),
		gpu_proto_cs_add_imm32(21, 20, 5),	/* wraps */
		gpu_proto_cs_add_imm32(22, 20, -0x10),
	};
	struct env e = run(p, ARRAY_SIZE(p));
	struct gp_mock_csf_stream_state st = state(&e, 0, 0);

	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_eq(st.regs[21], 3);
	ck_assert_uint_eq(st.regs[22], 0xffffffee);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_add_immediate64)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(20, 0x1ffffffffull),
		gpu_proto_cs_add_imm64(22, 20, 1),	/* carries into the high word */
		gpu_proto_cs_add_imm64(24, 20, -2),
	};
	struct env e = run(p, ARRAY_SIZE(p));
	struct gp_mock_csf_stream_state st = state(&e, 0, 0);

	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_eq(st.regs[22], 0);
	ck_assert_uint_eq(st.regs[23], 2);
	ck_assert_uint_eq(st.regs[24], 0xfffffffd);	/* sign-extended: 0x1fffffffd */
	ck_assert_uint_eq(st.regs[25], 1);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_store_multiple)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(R_ADDR, DATA_VA + 0x100),
		gpu_proto_cs_move32(30, 0x11111111),
		gpu_proto_cs_move32(31, 0x22222222),
		gpu_proto_cs_move32(33, 0x44444444),
		/* registers 30, 31 and 33 (mask 0b1011) at +0x10, +0x14 and +0x1c */
		gpu_proto_cs_store_multiple(30, R_ADDR, 0xb, 0x10),
		gpu_proto_cs_store_multiple(30, R_ADDR, 0x1, -0x100),	/* negative offset */
	};
	struct env e = run(p, ARRAY_SIZE(p));
	unsigned char b[4];

	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_eq(data32(&e, 0x110), 0x11111111);
	ck_assert_uint_eq(data32(&e, 0x114), 0x22222222);
	ck_assert_uint_eq(data32(&e, 0x118), 0);	/* bit 2 clear: untouched */
	ck_assert_uint_eq(data32(&e, 0x11c), 0x44444444);
	ck_assert_uint_eq(data32(&e, 0x0), 0x11111111);
	/* What the GPU sees agrees. */
	ck_assert_int_eq(gp_mock_gpu_read(e.be, GRP_AS, DATA_VA + 0x11c, b, 4, NULL), 0);
	ck_assert_uint_eq(b[0], 0x44);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_load_multiple)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(R_ADDR, DATA_VA + 0x200),
		gpu_proto_cs_load_multiple(40, R_ADDR, 0x5, 0x8),	/* 40 <- +8, 42 <- +0x10 */
	};
	struct env e = env_open(NULL, true);

	set_mem32(data(&e) + 0x208, 0xa0a0a0a0);
	set_mem32(data(&e) + 0x20c, 0xbbbbbbbb);
	set_mem32(data(&e) + 0x210, 0xc0c0c0c0);
	boot(&e);
	start_stream(&e, 0, 0);
	submit(&e, 0, 0, p, ARRAY_SIZE(p));
	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_eq(state(&e, 0, 0).regs[40], 0xa0a0a0a0);
	ck_assert_uint_eq(state(&e, 0, 0).regs[41], 0);
	ck_assert_uint_eq(state(&e, 0, 0).regs[42], 0xc0c0c0c0);
	env_close(&e);
}
END_TEST

/* The sync-object tests: each checks memory, CSG_SYNC_UPDATE and the job IRQ. */
static void assert_sync_update(const struct env *e)
{
	uint32_t req = mem32(csg_in(e, 0) + MALI_CSG_REQ);
	uint32_t ack = mem32(csg_out(e, 0) + MALI_CSG_ACK);

	ck_assert_uint_eq((req ^ ack) & MALI_CSG_SYNC_UPDATE, MALI_CSG_SYNC_UPDATE);
	ck_assert_uint_eq(rd(e->be, MALI_JOB_INT_RAWSTAT) & MALI_JOB_INT_CSG_IF(0),
			  MALI_JOB_INT_CSG_IF(0));
}

static struct env run_sync(const uint64_t *p, size_t count, uint64_t initial)
{
	struct env e = env_open(NULL, true);

	set_mem64(data(&e) + 0x40, initial);
	boot(&e);
	start_stream(&e, 0, 0);
	wr(e.be, MALI_JOB_INT_CLEAR, UINT32_MAX);
	submit(&e, 0, 0, p, count);
	return e;
}

START_TEST(test_instr_sync_add32)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(R_ADDR, DATA_VA + 0x40),
		gpu_proto_cs_move32(R_VAL, 5),
		gpu_proto_cs_sync_add32(R_ADDR, R_VAL),
	};
	struct env e = run_sync(p, ARRAY_SIZE(p), 0x1fffffffeull);

	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_eq(data64(&e, 0x40), 0x100000003ull);	/* 32 bits wrap; high word kept */
	assert_sync_update(&e);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_sync_add64)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(R_ADDR, DATA_VA + 0x40),
		gpu_proto_cs_move48(R_VAL, 0x100000001ull),
		gpu_proto_cs_sync_add64(R_ADDR, R_VAL),
	};
	struct env e = run_sync(p, ARRAY_SIZE(p), 0xffffffffull);

	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_eq(data64(&e, 0x40), 0x200000000ull);
	assert_sync_update(&e);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_sync_set32)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(R_ADDR, DATA_VA + 0x40),
		gpu_proto_cs_move32(R_VAL, 77),
		gpu_proto_cs_sync_set32(R_ADDR, R_VAL),
	};
	struct env e = run_sync(p, ARRAY_SIZE(p), 0xaaaaaaaa00000001ull);

	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_eq(data64(&e, 0x40), 0xaaaaaaaa0000004dull);
	assert_sync_update(&e);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_sync_set64)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(R_ADDR, DATA_VA + 0x40),
		gpu_proto_cs_move48(R_VAL, 0x123456789abcull),
		gpu_proto_cs_sync_set64(R_ADDR, R_VAL),
	};
	struct env e = run_sync(p, ARRAY_SIZE(p), 99);

	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_eq(data64(&e, 0x40), 0x123456789abcull);
	assert_sync_update(&e);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_sync_csg_scope_does_not_interrupt)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(R_ADDR, DATA_VA + 0x40),
		gpu_proto_cs_move32(R_VAL, 1),
		gpu_proto_cs_sync_op(GPU_PROTO_CS_OP_SYNC_ADD32, R_ADDR, R_VAL,
				     GPU_PROTO_CS_SCOPE_CSG, false, 0, 0),
	};
	struct env e = run_sync(p, ARRAY_SIZE(p), 1);

	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_eq(data64(&e, 0x40), 2);
	ck_assert_uint_eq((mem32(csg_in(&e, 0) + MALI_CSG_REQ) ^
			   mem32(csg_out(&e, 0) + MALI_CSG_ACK)) & MALI_CSG_SYNC_UPDATE, 0);
	env_close(&e);
}
END_TEST

/*
 * SYNC_WAIT parks the stream while the condition is false, reports what it
 * waits on in CS_STATUS_WAIT*, and goes on when the CPU changes the word.
 */
static void check_sync_wait(bool wide)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(R_ADDR, DATA_VA + 0x40),
		gpu_proto_cs_move48(R_VAL, wide ? 0x100000004ull : 4),
		wide ? gpu_proto_cs_sync_wait64(R_ADDR, R_VAL, GPU_PROTO_CS_COND_GREATER) :
		       gpu_proto_cs_sync_wait32(R_ADDR, R_VAL, GPU_PROTO_CS_COND_GREATER),
		gpu_proto_cs_move32(50, 0x600d),
	};
	struct env e = run_sync(p, ARRAY_SIZE(p), wide ? 0x100000004ull : 4);
	char *out = cs_out(&e, 0, 0);
	uint64_t deadline;

	ck_assert(state(&e, 0, 0).blocked_sync_wait);
	ck_assert_uint_eq(state(&e, 0, 0).regs[50], 0);
	ck_assert_uint_eq(mem64(ring_out(&e, 0) + MALI_RINGBUF_EXTRACT), 16);
	ck_assert_uint_eq(mem32(out + MALI_CS_STATUS_BLOCKED_REASON), MALI_CS_BLOCKED_SYNC_WAIT);
	ck_assert_uint_eq(mem32(out + MALI_CS_STATUS_WAIT),
			  MALI_CS_STATUS_WAIT_SYNC | MALI_CS_STATUS_WAIT_SYNC_COND_GT |
			  (wide ? MALI_CS_STATUS_WAIT_SYNC_64B : 0));
	ck_assert_uint_eq(mem64(out + MALI_CS_STATUS_WAIT_SYNC_PTR), DATA_VA + 0x40);
	ck_assert_uint_eq(mem32(out + MALI_CS_STATUS_WAIT_SYNC_VALUE), 4);

	/* The CPU signals: no doorbell, the model looks again by itself. */
	set_mem64(data(&e) + 0x40, wide ? 0x100000005ull : 5);
	deadline = (uint64_t)time(NULL) + WAIT_MS / 1000;
	while (state(&e, 0, 0).regs[50] != 0x600d && (uint64_t)time(NULL) <= deadline)
		usleep(1000);
	ck_assert_uint_eq(state(&e, 0, 0).regs[50], 0x600d);
	idle(&e);
	ck_assert(!state(&e, 0, 0).blocked_sync_wait);
	ck_assert_uint_eq(mem32(out + MALI_CS_STATUS_BLOCKED_REASON), MALI_CS_BLOCKED_UNBLOCKED);
	assert_ran_cleanly(&e, sizeof(p));
	env_close(&e);
}

START_TEST(test_instr_sync_wait32_blocks_until_the_cpu_signals)
{
	check_sync_wait(false);
}
END_TEST

START_TEST(test_instr_sync_wait64_blocks_until_the_cpu_signals)
{
	check_sync_wait(true);
}
END_TEST

START_TEST(test_instr_sync_wait_lequal_holds_at_once)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(R_ADDR, DATA_VA + 0x40),
		gpu_proto_cs_move32(R_VAL, 4),
		gpu_proto_cs_sync_wait32(R_ADDR, R_VAL, GPU_PROTO_CS_COND_LEQUAL),
	};
	struct env e = run_sync(p, ARRAY_SIZE(p), 4);

	assert_ran_cleanly(&e, sizeof(p));
	ck_assert(!state(&e, 0, 0).blocked_sync_wait);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_wait_flush_cache2_and_error_barrier_complete)
{
	const uint64_t p[] = {
		gpu_proto_cs_flush_cache2(GPU_PROTO_CS_FLUSH_CLEAN_INVALIDATE,
					  GPU_PROTO_CS_FLUSH_CLEAN_INVALIDATE,
					  GPU_PROTO_CS_OTHER_FLUSH_INVALIDATE, R_VAL, 0, 0),
		gpu_proto_cs_wait(0xff, false),
		gpu_proto_cs_error_barrier(),
		gpu_proto_cs_move32(50, 1),
	};
	struct env e = run(p, ARRAY_SIZE(p));

	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_eq(state(&e, 0, 0).regs[50], 1);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_branch_loops_and_falls_through)
{
	/* r20 = 5; do { r21 += 3; r20 -= 1; } while (r20 > 0); r22 = 1 */
	const uint64_t p[] = {
		gpu_proto_cs_move32(20, 5),
		gpu_proto_cs_add_imm32(21, 21, 3),
		gpu_proto_cs_add_imm32(20, 20, -1),
		gpu_proto_cs_branch(20, GPU_PROTO_CS_COND_GREATER, -3),
		gpu_proto_cs_branch(20, GPU_PROTO_CS_COND_NEQUAL, 1),	/* not taken */
		gpu_proto_cs_move32(22, 1),
		gpu_proto_cs_branch(20, GPU_PROTO_CS_COND_EQUAL, 1),	/* taken: skips */
		gpu_proto_cs_move32(23, 1),
	};
	struct env e = run(p, ARRAY_SIZE(p));
	struct gp_mock_csf_stream_state st = state(&e, 0, 0);

	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_eq(st.regs[21], 15);
	ck_assert_uint_eq(st.regs[22], 1);
	ck_assert_uint_eq(st.regs[23], 0);
	env_close(&e);
}
END_TEST

/* Write @count instructions at the called-buffer page + @off. */
static void put_call_buffer(const struct env *e, unsigned int off, const uint64_t *instrs,
			    size_t count)
{
	for (size_t i = 0; i < count; i++)
		set_mem64(pg_cpu(e, e->call_page) + off + i * 8, instrs[i]);
}

START_TEST(test_instr_call_runs_a_buffer_and_returns)
{
	const uint64_t inner[] = { gpu_proto_cs_add_imm32(60, 60, 1) };
	const uint64_t outer[] = {
		gpu_proto_cs_add_imm32(61, 61, 1),
		gpu_proto_cs_move48(R_ADDR, CALL_VA + 0x100),
		gpu_proto_cs_move32(R_LEN, sizeof(inner)),
		gpu_proto_cs_call(R_ADDR, R_LEN),	/* nested */
		gpu_proto_cs_add_imm32(62, 62, 1),
	};
	const uint64_t ring[] = {
		gpu_proto_cs_move48(R_ADDR, CALL_VA),
		gpu_proto_cs_move32(R_LEN, sizeof(outer)),
		gpu_proto_cs_call(R_ADDR, R_LEN),
		gpu_proto_cs_move32(63, 1),		/* after the return */
	};
	struct env e = env_open(NULL, true);
	struct gp_mock_csf_stream_state st;

	put_call_buffer(&e, 0, outer, ARRAY_SIZE(outer));
	put_call_buffer(&e, 0x100, inner, ARRAY_SIZE(inner));
	boot(&e);
	start_stream(&e, 0, 0);
	submit(&e, 0, 0, ring, ARRAY_SIZE(ring));
	st = state(&e, 0, 0);
	assert_ran_cleanly(&e, sizeof(ring));
	ck_assert_uint_eq(st.regs[60], 1);
	ck_assert_uint_eq(st.regs[61], 1);
	ck_assert_uint_eq(st.regs[62], 1);
	ck_assert_uint_eq(st.regs[63], 1);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_jump_replaces_the_called_buffer)
{
	const uint64_t second[] = { gpu_proto_cs_move32(61, 2) };
	const uint64_t first[] = {
		gpu_proto_cs_move48(R_ADDR, CALL_VA + 0x200),
		gpu_proto_cs_move32(R_LEN, sizeof(second)),
		gpu_proto_cs_jump(R_ADDR, R_LEN),
		gpu_proto_cs_move32(60, 0xbad),		/* never: JUMP does not come back */
	};
	const uint64_t ring[] = {
		gpu_proto_cs_move48(R_ADDR, CALL_VA),
		gpu_proto_cs_move32(R_LEN, sizeof(first)),
		gpu_proto_cs_call(R_ADDR, R_LEN),
		gpu_proto_cs_move32(62, 3),
	};
	struct env e = env_open(NULL, true);

	put_call_buffer(&e, 0, first, ARRAY_SIZE(first));
	put_call_buffer(&e, 0x200, second, ARRAY_SIZE(second));
	boot(&e);
	start_stream(&e, 0, 0);
	submit(&e, 0, 0, ring, ARRAY_SIZE(ring));
	assert_ran_cleanly(&e, sizeof(ring));
	ck_assert_uint_eq(state(&e, 0, 0).regs[60], 0);
	ck_assert_uint_eq(state(&e, 0, 0).regs[61], 2);
	ck_assert_uint_eq(state(&e, 0, 0).regs[62], 3);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_store_state_writes_the_timestamp)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(R_ADDR, DATA_VA),
		gpu_proto_cs_store_state(R_ADDR, 0x80, GPU_PROTO_CS_STATE_TIMESTAMP, 0, 0),
		gpu_proto_cs_store_state(R_ADDR, 0x88, GPU_PROTO_CS_STATE_CYCLE_COUNT, 0, 0),
	};
	struct env e = env_open("timestamp-start=0x100000000", true);

	boot(&e);
	start_stream(&e, 0, 0);
	submit(&e, 0, 0, p, ARRAY_SIZE(p));
	assert_ran_cleanly(&e, sizeof(p));
	ck_assert_uint_ge(data64(&e, 0x80), 0x100000000ull);
	ck_assert_uint_gt(data64(&e, 0x88), 0);
	env_close(&e);
}
END_TEST

/* panthor's ring sequence (queue_run_job()), with its encodings written as panthor writes them. */
START_TEST(test_panthor_job_sequence_runs_and_signals)
{
	const unsigned int addr_reg = 66, val_reg = 68;
	const uint64_t user[] = {
		gpu_proto_cs_move48(R_ADDR, DATA_VA + 0x300),
		gpu_proto_cs_move32(R_VAL, 0x5eed),
		store(R_VAL, 1, 0),
	};
	const uint64_t seq[] = {
		(2ull << 56) | ((uint64_t)val_reg << 48) | 0,			/* MOV32 flush id */
		(36ull << 56) | ((uint64_t)val_reg << 40) | 0x233,		/* FLUSH_CACHE2 */
		(1ull << 56) | ((uint64_t)addr_reg << 48) | CALL_VA,		/* MOV48 start */
		(2ull << 56) | ((uint64_t)val_reg << 48) | sizeof(user),	/* MOV32 size */
		(3ull << 56) | (1 << 16),					/* WAIT */
		(32ull << 56) | ((uint64_t)addr_reg << 40) | ((uint64_t)val_reg << 32), /* CALL */
		(1ull << 56) | ((uint64_t)addr_reg << 48) | (DATA_VA + 0x40),	/* MOV48 sync */
		(1ull << 56) | ((uint64_t)val_reg << 48) | 1,			/* MOV48 1 */
		(3ull << 56) | (0xffull << 16),					/* WAIT all */
		(51ull << 56) | ((uint64_t)addr_reg << 40) | ((uint64_t)val_reg << 32) | 1,
		(47ull << 56),							/* ERROR_BARRIER */
	};
	struct env e = env_open(NULL, true);

	/* The encoders agree with panthor's numbers. */
	ck_assert_uint_eq(seq[1], gpu_proto_cs_flush_cache2(3, 3, 2, val_reg, 0, 0));
	ck_assert_uint_eq(seq[5], gpu_proto_cs_call(addr_reg, val_reg));
	ck_assert_uint_eq(seq[9], gpu_proto_cs_sync_op(GPU_PROTO_CS_OP_SYNC_ADD64, addr_reg,
						       val_reg, GPU_PROTO_CS_SCOPE_SYSTEM, true,
						       0, 0));
	ck_assert_uint_eq(seq[4], gpu_proto_cs_wait(1, false));
	put_call_buffer(&e, 0, user, ARRAY_SIZE(user));
	set_mem64(data(&e) + 0x40, 41);
	boot(&e);
	start_stream(&e, 0, 0);
	wr(e.be, MALI_JOB_INT_CLEAR, UINT32_MAX);
	drain(job_fd(&e));
	submit(&e, 0, 0, seq, ARRAY_SIZE(seq));
	assert_ran_cleanly(&e, sizeof(seq));
	ck_assert_uint_eq(data32(&e, 0x300), 0x5eed);
	ck_assert_uint_eq(data64(&e, 0x40), 42);
	assert_sync_update(&e);
	ck_assert(fd_readable(job_fd(&e), WAIT_MS));
	env_close(&e);
}
END_TEST

/* CSG_STATUS_UPDATE: STATUS_STATE says whether the group has anything to run. */
START_TEST(test_csg_status_update_reports_idle)
{
	const uint64_t forever = gpu_proto_cs_branch(0, GPU_PROTO_CS_COND_ALWAYS, -1);
	struct env e = env_open(NULL, true);
	char *state_word;

	boot(&e);
	start_stream(&e, 0, 0);
	state_word = csg_out(&e, 0) + MALI_CSG_STATUS_STATE;
	toggle(csg_in(&e, 0) + MALI_CSG_REQ, MALI_CSG_STATUS_UPDATE);
	ring_csg(&e, 0);
	idle(&e);
	ck_assert_uint_eq(mem32(state_word), MALI_CSG_STATUS_STATE_IS_IDLE);

	set_mem64(pg_cpu(&e, e.ring_page), forever);
	set_mem64(ring_in(&e, 0) + MALI_RINGBUF_INSERT, 8);
	wr(e.be, MALI_CSF_DOORBELL(1), 1);
	toggle(csg_in(&e, 0) + MALI_CSG_REQ, MALI_CSG_STATUS_UPDATE);
	ring_csg(&e, 0);
	for (int i = 0; i < WAIT_MS && (mem32(csg_out(&e, 0) + MALI_CSG_ACK) ^
					mem32(csg_in(&e, 0) + MALI_CSG_REQ)) & MALI_CSG_STATUS_UPDATE;
	     i++)
		usleep(1000);
	ck_assert_uint_eq(mem32(state_word), 0);
	env_close(&e);
}
END_TEST

/* A group that ran and has nothing left raises CSG_IDLE, once per busy period. */
START_TEST(test_csg_idle_after_the_work_is_done)
{
	const uint64_t p[] = { gpu_proto_cs_move32(20, 1), gpu_proto_cs_move32(21, 2) };
	struct env e = env_open(NULL, true);
	uint32_t evt;

	boot(&e);
	start_stream(&e, 0, 0);
	ck_assert_uint_eq((mem32(csg_in(&e, 0) + MALI_CSG_REQ) ^
			   mem32(csg_out(&e, 0) + MALI_CSG_ACK)) & MALI_CSG_IDLE, 0);
	wr(e.be, MALI_JOB_INT_CLEAR, UINT32_MAX);
	submit(&e, 0, 0, p, ARRAY_SIZE(p));
	evt = (mem32(csg_in(&e, 0) + MALI_CSG_REQ) ^ mem32(csg_out(&e, 0) + MALI_CSG_ACK)) &
	      MALI_CSG_IDLE;
	ck_assert_uint_eq(evt, MALI_CSG_IDLE);
	ck_assert_uint_eq(rd(e.be, MALI_JOB_INT_RAWSTAT), MALI_JOB_INT_CSG_IF(0));
	/* The host acknowledges; with nothing new to run, no new event. */
	toggle(csg_in(&e, 0) + MALI_CSG_REQ, MALI_CSG_IDLE);
	wr(e.be, MALI_JOB_INT_CLEAR, UINT32_MAX);
	wr(e.be, MALI_CSF_DOORBELL(1), 1);
	idle(&e);
	ck_assert_uint_eq((mem32(csg_in(&e, 0) + MALI_CSG_REQ) ^
			   mem32(csg_out(&e, 0) + MALI_CSG_ACK)) & MALI_CSG_IDLE, 0);
	ck_assert_uint_eq(rd(e.be, MALI_JOB_INT_RAWSTAT), 0);
	env_close(&e);
}
END_TEST

START_TEST(test_ring_wraps_modulo_its_size)
{
	struct env e = env_open(NULL, true);
	uint64_t batch[5];

	boot(&e);
	/* A 64-byte ring: 8 instructions; three batches of five wrap it twice. */
	start_stream_sized(&e, 0, 0, RING_VA, 64);
	for (unsigned int round = 0; round < 3; round++) {
		for (unsigned int i = 0; i < 5; i++)
			batch[i] = gpu_proto_cs_add_imm32(20, 20, 1);
		submit(&e, 0, 0, batch, 5);
		ck_assert_uint_eq(state(&e, 0, 0).regs[20], 5 * (round + 1));
	}
	assert_ran_cleanly(&e, 15 * 8);
	env_close(&e);
}
END_TEST

START_TEST(test_doorbell_is_needed_to_see_new_instructions)
{
	const uint64_t one = gpu_proto_cs_move32(20, 1);
	struct env e = env_open(NULL, true);

	boot(&e);
	start_stream(&e, 0, 0);
	set_mem64(pg_cpu(&e, e.ring_page), one);
	set_mem64(ring_in(&e, 0) + MALI_RINGBUF_INSERT, 8);
	idle(&e);
	ck_assert_uint_eq(state(&e, 0, 0).regs[20], 0);
	wr(e.be, MALI_CSF_DOORBELL(2), 1);	/* another group's doorbell */
	idle(&e);
	ck_assert_uint_eq(state(&e, 0, 0).regs[20], 0);
	wr(e.be, MALI_CSF_DOORBELL(1), 1);
	idle(&e);
	ck_assert_uint_eq(state(&e, 0, 0).regs[20], 1);
	ck_assert_uint_ge(stats(&e).doorbells, 3);
	env_close(&e);
}
END_TEST

/* --- faults -------------------------------------------------------------- */

static void assert_cs_event(const struct env *e, uint32_t bit)
{
	uint32_t req = mem32(cs_in(e, 0, 0) + MALI_CS_REQ);
	uint32_t ack = mem32(cs_out(e, 0, 0) + MALI_CS_ACK);

	ck_assert_uint_eq((req ^ ack) & bit, bit);
	ck_assert_uint_eq((mem32(csg_out(e, 0) + MALI_CSG_IRQ_REQ) ^
			   mem32(csg_in(e, 0) + MALI_CSG_IRQ_ACK)) & 1u, 1u);
	ck_assert_uint_eq(rd(e->be, MALI_JOB_INT_RAWSTAT) & MALI_JOB_INT_CSG_IF(0),
			  MALI_JOB_INT_CSG_IF(0));
	ck_assert(!state(e, 0, 0).running);
	ck_assert_uint_eq(mem32(ring_out(e, 0) + MALI_RINGBUF_ACTIVE), 0);
	ck_assert_uint_eq(stats(e).csf_faults, 1);
}

START_TEST(test_fault_unknown_opcode_is_cs_fatal)
{
	const uint64_t p[] = {
		gpu_proto_cs_move32(20, 1),
		gpu_proto_cs_op(GPU_PROTO_CS_OP_RUN_COMPUTE),	/* outside the subset */
		gpu_proto_cs_move32(21, 1),
	};
	struct env e = run_sync(p, ARRAY_SIZE(p), 0);
	char *out = cs_out(&e, 0, 0);

	assert_cs_event(&e, MALI_CS_FATAL_EVT);
	ck_assert_uint_eq(MALI_CS_EXCEPTION_TYPE(mem32(out + MALI_CS_FATAL)),
			  MALI_EXC_CS_INSTR_INVALID);
	ck_assert_uint_eq(mem64(out + MALI_CS_FATAL_INFO), RING_VA + 8);
	ck_assert_uint_eq(mem64(out + MALI_CS_STATUS_CMD_PTR), RING_VA + 8);
	ck_assert_uint_eq(state(&e, 0, 0).regs[20], 1);
	ck_assert_uint_eq(state(&e, 0, 0).regs[21], 0);
	env_close(&e);
}
END_TEST

START_TEST(test_fault_bad_register_is_cs_fatal)
{
	const uint64_t p[] = { gpu_proto_cs_move48(GP_MOCK_CSF_REG_COUNT - 1, 1) };
	struct env e = run_sync(p, ARRAY_SIZE(p), 0);

	assert_cs_event(&e, MALI_CS_FATAL_EVT);
	ck_assert_uint_eq(MALI_CS_EXCEPTION_TYPE(mem32(cs_out(&e, 0, 0) + MALI_CS_FATAL)),
			  MALI_EXC_CS_INSTR_INVALID);
	env_close(&e);
}
END_TEST

START_TEST(test_fault_unmapped_store_is_cs_fault_and_latches_the_mmu)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(R_ADDR, UNMAPPED_VA + 0x10),
		store(20, 1, 0),
	};
	struct env e = run_sync(p, ARRAY_SIZE(p), 0);
	char *out = cs_out(&e, 0, 0);
	uint32_t fault = mem32(out + MALI_CS_FAULT);

	assert_cs_event(&e, MALI_CS_FAULT_EVT);
	ck_assert_uint_eq(MALI_CS_EXCEPTION_TYPE(fault) & 0xf8, MALI_EXC_TRANSLATION_FAULT(0));
	ck_assert_uint_eq(MALI_CS_EXCEPTION_DATA(fault), MALI_AS_FAULTSTATUS_ACCESS_WRITE >> 8);
	ck_assert_uint_eq(mem64(out + MALI_CS_FAULT_INFO), UNMAPPED_VA + 0x10);
	ck_assert_uint_eq(rd(e.be, MALI_MMU_INT_RAWSTAT) & MALI_MMU_IRQ_PAGE_FAULT(GRP_AS),
			  MALI_MMU_IRQ_PAGE_FAULT(GRP_AS));
	ck_assert_uint_eq(gp_backend_read64(e.be, GP_MOCK_REGION_GPU,
					    MALI_AS_FAULTADDRESS_LO(GRP_AS)), UNMAPPED_VA + 0x10);
	ck_assert_uint_eq(rd(e.be, MALI_AS_FAULTSTATUS(GRP_AS)) & 0x300,
			  MALI_AS_FAULTSTATUS_ACCESS_WRITE);
	env_close(&e);
}
END_TEST

START_TEST(test_fault_call_into_unmapped_memory_faults_the_fetch)
{
	const uint64_t p[] = {
		gpu_proto_cs_move48(R_ADDR, UNMAPPED_VA),
		gpu_proto_cs_move32(R_LEN, 8),
		gpu_proto_cs_call(R_ADDR, R_LEN),
	};
	struct env e = run_sync(p, ARRAY_SIZE(p), 0);

	assert_cs_event(&e, MALI_CS_FAULT_EVT);
	ck_assert_uint_eq(mem64(cs_out(&e, 0, 0) + MALI_CS_FAULT_INFO), UNMAPPED_VA);
	ck_assert_uint_eq(rd(e.be, MALI_AS_FAULTSTATUS(GRP_AS)) & 0x300,
			  MALI_AS_FAULTSTATUS_ACCESS_EX);
	env_close(&e);
}
END_TEST

START_TEST(test_fault_call_nesting_overflows)
{
	/* A buffer that calls itself: the stack overflows at the hardware's depth. */
	const uint64_t self[] = {
		gpu_proto_cs_add_imm32(20, 20, 1),
		gpu_proto_cs_call(R_ADDR, R_LEN),
	};
	const uint64_t ring[] = {
		gpu_proto_cs_move48(R_ADDR, CALL_VA),
		gpu_proto_cs_move32(R_LEN, sizeof(self)),
		gpu_proto_cs_call(R_ADDR, R_LEN),
	};
	struct env e = env_open(NULL, true);

	put_call_buffer(&e, 0, self, ARRAY_SIZE(self));
	boot(&e);
	start_stream(&e, 0, 0);
	wr(e.be, MALI_JOB_INT_CLEAR, UINT32_MAX);
	submit(&e, 0, 0, ring, ARRAY_SIZE(ring));
	assert_cs_event(&e, MALI_CS_FATAL_EVT);
	ck_assert_uint_eq(MALI_CS_EXCEPTION_TYPE(mem32(cs_out(&e, 0, 0) + MALI_CS_FATAL)),
			  MALI_EXC_CS_CALL_STACK_OVERFLOW);
	ck_assert_uint_eq(state(&e, 0, 0).regs[20], GP_MOCK_CSF_CALL_DEPTH);
	env_close(&e);
}
END_TEST

START_TEST(test_fault_bad_ring_config_is_cs_config_fault)
{
	struct env e = env_open(NULL, true);

	boot(&e);
	start_stream_sized(&e, 0, 0, RING_VA, 100);	/* not a power of two */
	ck_assert(!state(&e, 0, 0).running);
	ck_assert_uint_eq(MALI_CS_EXCEPTION_TYPE(mem32(cs_out(&e, 0, 0) + MALI_CS_FATAL)),
			  MALI_EXC_CS_CONFIG_FAULT);
	env_close(&e);
}
END_TEST

START_TEST(test_restart_after_a_fault_runs_again)
{
	const uint64_t bad = gpu_proto_cs_op(GPU_PROTO_CS_OP_RUN_FRAGMENT);
	const uint64_t good = gpu_proto_cs_move32(20, 7);
	struct env e = env_open(NULL, true);

	boot(&e);
	start_stream(&e, 0, 0);
	submit(&e, 0, 0, &bad, 1);
	ck_assert(!state(&e, 0, 0).running);
	/* The driver terminates and restarts the group, as panthor after a fault. */
	update(csg_in(&e, 0) + MALI_CSG_REQ, MALI_CSG_STATE_TERMINATE, MALI_CSG_STATE_MASK);
	ring_csg(&e, 0);
	idle(&e);
	start_stream(&e, 0, 0);
	submit(&e, 0, 0, &good, 1);
	ck_assert_uint_eq(state(&e, 0, 0).regs[20], 7);
	env_close(&e);
}
END_TEST

/* --- never-ending streams, termination, removal ---------------------------------- */

static uint64_t instructions_now(const struct env *e)
{
	return stats(e).csf_instructions;
}

/* Wait until the model has executed @more instructions beyond @from. */
static void wait_progress(const struct env *e, uint64_t from, uint64_t more)
{
	for (int i = 0; i < WAIT_MS && instructions_now(e) < from + more; i++)
		usleep(1000);
	ck_assert_uint_ge(instructions_now(e), from + more);
}

START_TEST(test_endless_stream_is_sliced_and_terminate_stops_it)
{
	const uint64_t forever = gpu_proto_cs_branch(0, GPU_PROTO_CS_COND_ALWAYS, -1);
	const uint64_t work = gpu_proto_cs_move32(20, 0x77);
	struct env e = env_open("csf-step-budget=16", true);
	struct gp_mock_csf_stream_state st;
	uint64_t at;

	boot(&e);
	start_stream(&e, 0, 0);
	start_stream(&e, 1, 0);
	/* Group 0 loops forever: it is never idle. */
	set_mem64(pg_cpu(&e, e.ring_page), forever);
	set_mem64(ring_in(&e, 0) + MALI_RINGBUF_INSERT, 8);
	e.inserted[0][0] = 8;
	wr(e.be, MALI_CSF_DOORBELL(1), 1);
	ck_assert_int_eq(gp_mock_csf_wait_idle(e.be, 50), -ETIMEDOUT);
	wait_progress(&e, 0, 1000);
	/* Group 1 still gets its turn. */
	set_mem64(pg_cpu(&e, e.ring_page) + (ring_of(1, 0) * (RING_SIZE / 8)), work);
	set_mem64(ring_in(&e, ring_of(1, 0)) + MALI_RINGBUF_INSERT, 8);
	wr(e.be, MALI_CSF_DOORBELL(2), 1);
	for (int i = 0; i < WAIT_MS && state(&e, 1, 0).regs[20] != 0x77; i++)
		usleep(1000);
	ck_assert_uint_eq(state(&e, 1, 0).regs[20], 0x77);

	/* A watchdog's answer: TERMINATE, acknowledged promptly. */
	update(csg_in(&e, 0) + MALI_CSG_REQ, MALI_CSG_STATE_TERMINATE, MALI_CSG_STATE_MASK);
	ring_csg(&e, 0);
	idle(&e);
	ck_assert_uint_eq(mem32(csg_out(&e, 0) + MALI_CSG_ACK) & MALI_CSG_STATE_MASK,
			  MALI_CSG_STATE_TERMINATE);
	st = state(&e, 0, 0);
	ck_assert(!st.running);
	at = instructions_now(&e);
	idle(&e);
	ck_assert_uint_eq(instructions_now(&e), at);
	ck_assert_uint_eq(stats(&e).csf_faults, 0);
	env_close(&e);
}
END_TEST

START_TEST(test_instr_delay_knob_slows_but_finishes)
{
	const uint64_t p[] = { gpu_proto_cs_nop(), gpu_proto_cs_nop(), gpu_proto_cs_move32(20, 9) };
	struct env e = env_open("csf-instr-delay-ns=200000,csf-step-budget=1", true);

	boot(&e);
	start_stream(&e, 0, 0);
	submit(&e, 0, 0, p, ARRAY_SIZE(p));
	ck_assert_uint_eq(state(&e, 0, 0).regs[20], 9);
	env_close(&e);
}
END_TEST

START_TEST(test_removal_mid_stream_stops_everything)
{
	const uint64_t forever = gpu_proto_cs_branch(0, GPU_PROTO_CS_COND_ALWAYS, -1);
	struct env e = env_open(NULL, true);
	uint64_t at;

	boot(&e);
	start_stream(&e, 0, 0);
	set_mem64(pg_cpu(&e, e.ring_page), forever);
	set_mem64(ring_in(&e, 0) + MALI_RINGBUF_INSERT, 8);
	wr(e.be, MALI_CSF_DOORBELL(1), 1);
	wait_progress(&e, 0, 100);
	gp_mock_simulate_removal(e.be);
	idle(&e);
	ck_assert(!state(&e, 0, 0).running);
	at = instructions_now(&e);
	wr(e.be, MALI_CSF_DOORBELL(1), 1);	/* dropped: the device is gone */
	idle(&e);
	ck_assert_uint_eq(instructions_now(&e), at);
	ck_assert_uint_eq(rd(e.be, MALI_MCU_STATUS), UINT32_MAX);
	env_close(&e);
}
END_TEST

START_TEST(test_gpu_reset_stops_the_mcu)
{
	const uint64_t forever = gpu_proto_cs_branch(0, GPU_PROTO_CS_COND_ALWAYS, -1);
	struct env e = env_open(NULL, true);

	boot(&e);
	start_stream(&e, 0, 0);
	set_mem64(pg_cpu(&e, e.ring_page), forever);
	set_mem64(ring_in(&e, 0) + MALI_RINGBUF_INSERT, 8);
	wr(e.be, MALI_CSF_DOORBELL(1), 1);
	wr(e.be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	idle(&e);
	ck_assert(!state(&e, 0, 0).running);
	ck_assert_uint_eq(rd(e.be, MALI_MCU_STATUS), MALI_MCU_STATUS_DISABLED);
	ck_assert_uint_eq(rd(e.be, MALI_JOB_INT_MASK), 0);
	env_close(&e);
}
END_TEST

START_TEST(test_close_with_a_stream_running_joins_cleanly)
{
	const uint64_t forever = gpu_proto_cs_branch(0, GPU_PROTO_CS_COND_ALWAYS, -1);
	struct env e = env_open(NULL, true);

	boot(&e);
	start_stream(&e, 0, 0);
	set_mem64(pg_cpu(&e, e.ring_page), forever);
	set_mem64(ring_in(&e, 0) + MALI_RINGBUF_INSERT, 8);
	wr(e.be, MALI_CSF_DOORBELL(1), 1);
	wait_progress(&e, 0, 100);
	env_close(&e);
}
END_TEST

/* --- concurrency (ThreadSanitizer) ---------------------------------------- */

#define SIGNAL_ROUNDS	50

struct signaller {
	struct env *e;
};

/* The CPU side of a fence: bumps the sync object the stream waits on. */
static void *cpu_signaller(void *arg)
{
	struct signaller *s = arg;

	for (uint64_t v = 1; v <= SIGNAL_ROUNDS; v++) {
		usleep(200);
		__atomic_store_n((uint32_t *)(void *)(data(s->e) + 0x40), (uint32_t)v,
				 __ATOMIC_RELAXED);
	}
	return NULL;
}

START_TEST(test_concurrent_cpu_signals_doorbells_and_queries)
{
	struct env e = env_open("csf-step-budget=4", true);
	struct signaller sig = { .e = &e };
	pthread_t t;

	boot(&e);
	start_stream(&e, 0, 0);
	start_stream(&e, 1, 0);
	ck_assert_int_eq(pthread_create(&t, NULL, cpu_signaller, &sig), 0);
	/* Stream 0 waits for each value in turn; stream 1 counts meanwhile. */
	for (uint32_t v = 1; v <= SIGNAL_ROUNDS; v++) {
		const uint64_t waitp[] = {
			gpu_proto_cs_move48(R_ADDR, DATA_VA + 0x40),
			gpu_proto_cs_move32(R_VAL, v - 1),
			gpu_proto_cs_sync_wait32(R_ADDR, R_VAL, GPU_PROTO_CS_COND_GREATER),
			gpu_proto_cs_add_imm32(20, 20, 1),
		};
		const uint64_t count = gpu_proto_cs_add_imm32(20, 20, 1);
		unsigned int ring = ring_of(0, 0);
		char *cpu = pg_cpu(&e, e.ring_page);

		wait_ring_space(&e, 0, 0, sizeof(waitp));
		for (size_t i = 0; i < ARRAY_SIZE(waitp); i++)
			set_mem64(cpu + ((e.inserted[0][0] + i * 8) & (RING_SIZE / 8 - 1)), waitp[i]);
		e.inserted[0][0] += sizeof(waitp);
		set_mem64(ring_in(&e, ring) + MALI_RINGBUF_INSERT, e.inserted[0][0]);
		wr(e.be, MALI_CSF_DOORBELL(1), 1);

		wait_ring_space(&e, 1, 0, 8);
		set_mem64(cpu + ring_of(1, 0) * (RING_SIZE / 8) +
			  (e.inserted[1][0] & (RING_SIZE / 8 - 1)), count);
		e.inserted[1][0] += 8;
		set_mem64(ring_in(&e, ring_of(1, 0)) + MALI_RINGBUF_INSERT, e.inserted[1][0]);
		wr(e.be, MALI_CSF_DOORBELL(2), 1);
		(void)state(&e, 0, 0);
		(void)stats(&e);
	}
	pthread_join(t, NULL);
	for (int i = 0; i < WAIT_MS && (state(&e, 0, 0).regs[20] != SIGNAL_ROUNDS ||
					state(&e, 1, 0).regs[20] != SIGNAL_ROUNDS); i++)
		usleep(1000);
	ck_assert_uint_eq(state(&e, 0, 0).regs[20], SIGNAL_ROUNDS);
	ck_assert_uint_eq(state(&e, 1, 0).regs[20], SIGNAL_ROUNDS);
	ck_assert_uint_eq(stats(&e).csf_faults, 0);
	env_close(&e);
}
END_TEST

START_TEST(test_config_parses_the_csf_knobs)
{
	struct gp_mock_config cfg;
	char err[256] = "";

	gp_mock_config_init(&cfg);
	ck_assert_uint_eq(cfg.csf_step_budget, 256);
	ck_assert_uint_eq(cfg.csf_instr_delay_ns, 0);
	ck_assert(!cfg.mcu_never_boots);
	ck_assert(!cfg.csf_ignore_csg_req);
	ck_assert_int_eq(gp_mock_config_parse(&cfg, "csf-step-budget=7,csf-instr-delay-ns=9,"
					      "mcu-never-boots,csf-ignore-csg-req",
					      err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.csf_step_budget, 7);
	ck_assert_uint_eq(cfg.csf_instr_delay_ns, 9);
	ck_assert(cfg.mcu_never_boots);
	ck_assert(cfg.csf_ignore_csg_req);
	ck_assert_int_eq(gp_mock_config_parse(&cfg, "mcu-never-boots=1", err, sizeof(err)),
			 -EINVAL);
}
END_TEST

static Suite *mock_csf_suite(void)
{
	Suite *s = suite_create("mock_csf");
	TCase *tc;

	tc = tcase_create("firmware");
	tcase_add_test(tc, test_boot_publishes_the_interface);
	tcase_add_test(tc, test_boot_without_the_mcu_mapping_is_fatal);
	tcase_add_test(tc, test_mcu_never_boots_knob);
	tcase_add_test(tc, test_glb_requests_are_acknowledged_with_the_job_irq);
	tcase_add_test(tc, test_glb_halt_stops_the_mcu_and_enable_reboots_it);
	tcase_add_test(tc, test_csg_start_and_terminate_are_acknowledged);
	tcase_add_test(tc, test_ignore_csg_req_knob_never_acknowledges);
	tcase_add_test(tc, test_csg_status_update_reports_idle);
	tcase_add_test(tc, test_csg_idle_after_the_work_is_done);
	tcase_add_test(tc, test_config_parses_the_csf_knobs);
	suite_add_tcase(s, tc);

	tc = tcase_create("instructions");
	tcase_add_test(tc, test_instr_nop);
	tcase_add_test(tc, test_instr_move48_and_move32);
	tcase_add_test(tc, test_instr_add_immediate32);
	tcase_add_test(tc, test_instr_add_immediate64);
	tcase_add_test(tc, test_instr_store_multiple);
	tcase_add_test(tc, test_instr_load_multiple);
	tcase_add_test(tc, test_instr_sync_add32);
	tcase_add_test(tc, test_instr_sync_add64);
	tcase_add_test(tc, test_instr_sync_set32);
	tcase_add_test(tc, test_instr_sync_set64);
	tcase_add_test(tc, test_instr_sync_csg_scope_does_not_interrupt);
	tcase_add_test(tc, test_instr_sync_wait32_blocks_until_the_cpu_signals);
	tcase_add_test(tc, test_instr_sync_wait64_blocks_until_the_cpu_signals);
	tcase_add_test(tc, test_instr_sync_wait_lequal_holds_at_once);
	tcase_add_test(tc, test_instr_wait_flush_cache2_and_error_barrier_complete);
	tcase_add_test(tc, test_instr_branch_loops_and_falls_through);
	tcase_add_test(tc, test_instr_call_runs_a_buffer_and_returns);
	tcase_add_test(tc, test_instr_jump_replaces_the_called_buffer);
	tcase_add_test(tc, test_instr_store_state_writes_the_timestamp);
	tcase_add_test(tc, test_panthor_job_sequence_runs_and_signals);
	tcase_add_test(tc, test_ring_wraps_modulo_its_size);
	tcase_add_test(tc, test_doorbell_is_needed_to_see_new_instructions);
	suite_add_tcase(s, tc);

	tc = tcase_create("faults");
	tcase_add_test(tc, test_fault_unknown_opcode_is_cs_fatal);
	tcase_add_test(tc, test_fault_bad_register_is_cs_fatal);
	tcase_add_test(tc, test_fault_unmapped_store_is_cs_fault_and_latches_the_mmu);
	tcase_add_test(tc, test_fault_call_into_unmapped_memory_faults_the_fetch);
	tcase_add_test(tc, test_fault_call_nesting_overflows);
	tcase_add_test(tc, test_fault_bad_ring_config_is_cs_config_fault);
	tcase_add_test(tc, test_restart_after_a_fault_runs_again);
	suite_add_tcase(s, tc);

	tc = tcase_create("lifetime");
	tcase_add_test(tc, test_endless_stream_is_sliced_and_terminate_stops_it);
	tcase_add_test(tc, test_instr_delay_knob_slows_but_finishes);
	tcase_add_test(tc, test_removal_mid_stream_stops_everything);
	tcase_add_test(tc, test_gpu_reset_stops_the_mcu);
	tcase_add_test(tc, test_close_with_a_stream_running_joins_cleanly);
	suite_add_tcase(s, tc);

	tc = tcase_create("concurrency");
	tcase_add_test(tc, test_concurrent_cpu_signals_doorbells_and_queries);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mock_csf_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
