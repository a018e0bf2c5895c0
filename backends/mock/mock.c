// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Mock backend: an in-process model of a Mali-G610 (RK3588) register file.
 *
 * The model is a handful of registers behind one mutex.  Work the hardware
 * does "later" (reset completion, L2 power-up, AS commands) is kept as a
 * deadline; a timer thread per binding applies it when the deadline passes,
 * so the IRQ eventfd fires without anybody polling, as a real interrupt
 * would.  GPU memory is two more models: DMA (device-physical memory is the
 * live dma_map() mappings, under their own lock) and the MMU (address
 * spaces whose page tables are walked from that memory).  docs/mock.md
 * lists every register and its origin, and what the models leave out.
 */
#define _GNU_SOURCE			/* pthread_setname_np */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "iova.h"
#include "log.h"
#include "mali_csf_regs.h"
#include "mock.h"
#include "mock_csf.h"

#define NSEC_PER_SEC	1000000000ull
#define NSEC_PER_USEC	1000ull

/*
 * Below this an access delay is spun rather than slept: a nanosleep()
 * costs tens of microseconds of timer slack, which would swamp short
 * delays.
 */
#define GP_MOCK_SPIN_LIMIT_NS	100000u

#define GP_MOCK_ALL_ONES	UINT32_MAX

/* Doorbell n is the first word of the n-th 64 KiB page from MALI_CSF_DOORBELL(0). */
#define GP_MOCK_DOORBELL_STRIDE	(MALI_CSF_DOORBELL(1) - MALI_CSF_DOORBELL(0))

/* The L2 cache slices present (L2_PRESENT): one on RK3588. */
#define GP_MOCK_L2_PRESENT	0x1u

/*
 * One live DMA mapping.  The driver holds &map; the model finds it again by
 * device address.  The list is short (buffer objects and page-table pages),
 * so a linear search is enough.
 */
struct gp_mock_dma {
	struct gp_dma_mapping map;	/* first: what the driver holds */
	struct gp_dma_segment seg;	/* one segment: the mock is an IOMMU */
	struct gp_mock_dma *next;
};

/* Work the model finishes after a delay. */
struct gp_mock_deferred {
	bool pending;
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC */
};

/*
 * The MMU, as MMU_FEATURES (0x2830) describes it: 48-bit GPU virtual
 * addresses, 40-bit device-physical addresses.
 */
#define GP_MOCK_MMU_VA_BITS	48u
#define GP_MOCK_MMU_PA_BITS	40u
#define GP_MOCK_AS_PRESENT	((1u << GP_MOCK_NUM_AS) - 1)
/* MMU_INT bits that exist: a page-fault and a bus-fault bit per present AS. */
#define GP_MOCK_MMU_IRQ_BITS	(GP_MOCK_AS_PRESENT | GP_MOCK_AS_PRESENT << 16)

/* Translations each AS caches; small, so that tests reason about it easily. */
#define GP_MOCK_TLB_ENTRIES	16

/*
 * AArch64 stage-1 descriptor fields (4 KiB granule) the walk reads; the
 * encodings are the architecture's, as io-pgtable's ARM_64_LPAE_S1 writes
 * them for panthor.
 */
#define GP_PTE_TYPE_MASK	0x3ull
#define GP_PTE_TYPE_BLOCK	0x1ull		/* levels 1 and 2 */
#define GP_PTE_TYPE_TABLE	0x3ull		/* levels 0 to 2; at level 3: a page */
#define GP_PTE_ATTRINDX(d)	((unsigned int)(((d) >> 2) & 0x7))
#define GP_PTE_AP_RDONLY	(1ull << 7)	/* AP[2] */
#define GP_PTE_AF		(1ull << 10)
#define GP_PTE_XN		(1ull << 54)	/* UXN: kbase's ENTRY_NX_BIT; io-pgtable sets 53 and 54 */
#define GP_PTE_OA_MASK		0x0000fffffffff000ull	/* bits [47:12] */
#define GP_TRANSTAB_MASK	0x0000fffffffffff0ull	/* bits [47:4] */

/* What AS_FAULTSTATUS[9:8] says the access was. */
enum gp_mock_access {
	GP_MOCK_ACCESS_EX = 1,		/* an instruction fetch */
	GP_MOCK_ACCESS_READ = 2,
	GP_MOCK_ACCESS_WRITE = 3,
};

/* A translation the walk found, as the TLB caches it. */
struct gp_mock_leaf {
	uint64_t va;			/* first address the leaf maps */
	uint64_t size;			/* 4 KiB, 2 MiB or 1 GiB; 0: an empty TLB slot */
	uint64_t pa;
	uint64_t desc;
	unsigned int level;
};

/* One address space: its registers, its live configuration, its TLB. */
struct gp_mock_as {
	/* The registers as the driver wrote them. */
	uint64_t transtab, memattr, lockaddr, transcfg;
	/* What the MMU uses: latched by AS_COMMAND UPDATE. */
	uint64_t live_transtab, live_memattr, live_transcfg;
	bool locked;
	uint64_t lock_first, lock_last;	/* inclusive */
	uint32_t faultstatus;
	uint64_t faultaddress;
	uint32_t command;		/* running while cmd_done.pending */
	struct gp_mock_deferred cmd_done;
	struct gp_mock_leaf tlb[GP_MOCK_TLB_ENTRIES];
	unsigned int tlb_next;		/* round-robin victim */
};

struct gp_mock {
	struct gp_backend be;		/* first: the ops receive &be */

	/* Fixed at open. */
	struct gp_mock_config cfg;
	struct gp_backend_region region;
	int irq_fds[GP_MOCK_NUM_IRQS];
	uint64_t open_ns;		/* CLOCK_MONOTONIC; counters start here */
	bool sync_initialized;		/* lock and wake exist (teardown) */
	bool timer_started;		/* timer thread exists (teardown) */
	pthread_t timer;

	pthread_mutex_t lock;
	pthread_cond_t wake;		/* new deadline or stop, for the timer */

	/* Everything below is protected by @lock. */
	bool stopping;
	bool removed;
	uint32_t int_rawstat;
	uint32_t int_mask;
	uint32_t l2_ready;
	uint32_t l2_pwrtrans;
	uint64_t timestamp_offset;
	struct gp_mock_deferred reset_done;
	struct gp_mock_deferred l2_done;
	struct gp_mock_deferred flush_done;
	struct gp_mock_stats stats;
	uint32_t mmu_rawstat;
	uint32_t mmu_mask;
	struct gp_mock_as as[GP_MOCK_NUM_AS];
	/* The CSF's registers; the model behind them is @csf (mock_csf.c). */
	uint32_t mcu_control;
	uint32_t mcu_status;
	uint32_t job_rawstat;
	uint32_t job_mask;
	struct gp_mock_csf *csf;	/* fixed from open to release */

	/*
	 * The DMA model, under @dma_lock alone.  Lock order: @lock, then
	 * @dma_lock (the MMU walks tables while holding @lock).  @dma_lock is
	 * never held while calling out (no logging, no callbacks): only
	 * list walks and memcpy() run under it.
	 */
	pthread_mutex_t dma_lock;
	bool dma_lock_initialized;
	struct gp_iova_domain iova;
	struct gp_mock_dma *dma_maps;
	uint32_t dma_live;
	uint64_t dma_map_calls;		/* attempts, for dma-map-fail-after */
	uint64_t dma_maps_ok;
};

#ifndef _cleanup_
#define _cleanup_(f) __attribute__((cleanup(f)))
#endif

static void freep(void *p)
{
	free(*(void **)p);
}

static struct gp_mock *gp_mock_from_backend(struct gp_backend *be)
{
	assert(be);
	return (struct gp_mock *)((char *)be - offsetof(struct gp_mock, be));
}

static uint64_t gp_mock_now_ns(void)
{
	struct timespec ts;

	/* Cannot fail for CLOCK_MONOTONIC with a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static struct timespec gp_mock_timespec(uint64_t ns)
{
	return (struct timespec){
		.tv_sec = (time_t)(ns / NSEC_PER_SEC),
		.tv_nsec = (long)(ns % NSEC_PER_SEC),
	};
}

/* The slow-bus fault: runs outside the lock, so accesses overlap as on a bus. */
static void gp_mock_bus_delay(const struct gp_mock *m)
{
	uint64_t deadline;
	struct timespec ts;

	if (!m->cfg.access_delay_ns)
		return;

	deadline = gp_mock_now_ns() + m->cfg.access_delay_ns;
	if (m->cfg.access_delay_ns < GP_MOCK_SPIN_LIMIT_NS) {
		while (gp_mock_now_ns() < deadline)
			;
		return;
	}

	ts = gp_mock_timespec(deadline);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Signal an IRQ line.  A removed device raises nothing. */
static void gp_mock_irq_signal(struct gp_mock *m, unsigned int line)
{
	if (m->removed)
		return;
	/* Only fails when the counter would overflow, which 2^64 signals take. */
	(void)eventfd_write(m->irq_fds[line], 1);
	if (line == GP_MOCK_IRQ_GPU)
		m->stats.irqs_raised++;
	else if (line == GP_MOCK_IRQ_MMU)
		m->stats.mmu_irqs_raised++;
	else
		m->stats.job_irqs_raised++;
}

static uint32_t gp_mock_int_stat(const struct gp_mock *m)
{
	return m->int_rawstat & m->int_mask;
}

/*
 * The GPU IRQ is a level: it is asserted while STAT is non-zero.  The
 * eventfd is the edge a handler waits for, so it is signalled when STAT
 * goes from zero to non-zero, whichever of RAWSTAT or MASK caused it.
 */
static void gp_mock_irq_update(struct gp_mock *m, uint32_t old_stat)
{
	if (!old_stat && gp_mock_int_stat(m))
		gp_mock_irq_signal(m, GP_MOCK_IRQ_GPU);
}

static void gp_mock_int_raise(struct gp_mock *m, uint32_t bits)
{
	uint32_t old_stat = gp_mock_int_stat(m);

	m->int_rawstat |= bits;
	gp_mock_irq_update(m, old_stat);
}

static void gp_mock_int_set_mask(struct gp_mock *m, uint32_t mask)
{
	uint32_t old_stat = gp_mock_int_stat(m);

	m->int_mask = mask;
	gp_mock_irq_update(m, old_stat);
}

/* The job IRQ: a level like the GPU's, on its own line. */
static uint32_t gp_mock_job_int_stat(const struct gp_mock *m)
{
	return m->job_rawstat & m->job_mask;
}

static void gp_mock_job_int_update(struct gp_mock *m, uint32_t old_stat)
{
	if (!old_stat && gp_mock_job_int_stat(m))
		gp_mock_irq_signal(m, GP_MOCK_IRQ_JOB);
}

static void gp_mock_job_int_raise(struct gp_mock *m, uint32_t bits)
{
	uint32_t old_stat = gp_mock_job_int_stat(m);

	m->job_rawstat |= bits;
	gp_mock_job_int_update(m, old_stat);
}

static void gp_mock_job_int_set_mask(struct gp_mock *m, uint32_t mask)
{
	uint32_t old_stat = gp_mock_job_int_stat(m);

	m->job_mask = mask;
	gp_mock_job_int_update(m, old_stat);
}

static void gp_mock_defer(struct gp_mock *m, struct gp_mock_deferred *d, uint32_t delay_us)
{
	d->pending = true;
	d->deadline_ns = gp_mock_now_ns() + (uint64_t)delay_us * NSEC_PER_USEC;
	pthread_cond_signal(&m->wake);
}

/* --- MMU model ----------------------------------------------------------- */

static int gp_mock_dma_xfer(struct gp_mock *m, uint64_t addr, void *buf, size_t len,
			    bool device_writes);

static uint32_t gp_mock_mmu_int_stat(const struct gp_mock *m)
{
	return m->mmu_rawstat & m->mmu_mask;
}

/* The MMU IRQ is a level like the GPU's: signalled when MMU_INT_STAT becomes non-zero. */
static void gp_mock_mmu_irq_update(struct gp_mock *m, uint32_t old_stat)
{
	if (!old_stat && gp_mock_mmu_int_stat(m))
		gp_mock_irq_signal(m, GP_MOCK_IRQ_MMU);
}

static void gp_mock_mmu_int_raise(struct gp_mock *m, uint32_t bits)
{
	uint32_t old_stat = gp_mock_mmu_int_stat(m);

	m->mmu_rawstat |= bits & GP_MOCK_MMU_IRQ_BITS;
	gp_mock_mmu_irq_update(m, old_stat);
}

static void gp_mock_mmu_int_set_mask(struct gp_mock *m, uint32_t mask)
{
	uint32_t old_stat = gp_mock_mmu_int_stat(m);

	m->mmu_mask = mask;
	gp_mock_mmu_irq_update(m, old_stat);
}

/* An address space as after reset: disabled (UNMAPPED), nothing cached, no fault. */
static void gp_mock_as_reset(struct gp_mock_as *as)
{
	*as = (struct gp_mock_as){
		.transcfg = MALI_AS_TRANSCFG_ADRMODE_UNMAPPED,
		.live_transcfg = MALI_AS_TRANSCFG_ADRMODE_UNMAPPED,
	};
}

/* A GPU reset resets the MMU with the rest of the GPU's registers. */
static void gp_mock_mmu_reset(struct gp_mock *m)
{
	m->mmu_rawstat = 0;
	m->mmu_mask = 0;
	for (unsigned int i = 0; i < GP_MOCK_NUM_AS; i++)
		gp_mock_as_reset(&m->as[i]);
}

/*
 * LOCKADDR: a naturally aligned power-of-two region, log2(size) - 1 in
 * [5:0] and the base above it.  Widths below the 32 KiB minimum lock 32 KiB
 * (a model choice); width 63 is the whole 64-bit space.
 */
static void gp_mock_lock_region(uint64_t lockaddr, uint64_t *first, uint64_t *last)
{
	unsigned int log2_size = (unsigned int)(lockaddr & 0x3f) + 1;

	if (log2_size < 15)
		log2_size = 15;
	if (log2_size >= 64) {
		*first = 0;
		*last = UINT64_MAX;
		return;
	}
	*first = lockaddr & ~((1ull << log2_size) - 1);
	*last = *first + ((1ull << log2_size) - 1);
}

/* Forget the cached translations that overlap [@first, @last]. */
static void gp_mock_tlb_invalidate(struct gp_mock_as *as, uint64_t first, uint64_t last)
{
	for (unsigned int i = 0; i < GP_MOCK_TLB_ENTRIES; i++) {
		struct gp_mock_leaf *e = &as->tlb[i];

		if (e->size && e->va <= last && e->va + (e->size - 1) >= first)
			e->size = 0;
	}
}

/* What an AS_COMMAND does when it completes. */
static void gp_mock_as_apply(struct gp_mock_as *as, uint32_t command)
{
	uint64_t first, last;

	switch (command) {
	case MALI_AS_COMMAND_UPDATE:
		as->live_transtab = as->transtab;
		as->live_memattr = as->memattr;
		as->live_transcfg = as->transcfg;
		gp_mock_tlb_invalidate(as, 0, UINT64_MAX);
		break;
	case MALI_AS_COMMAND_LOCK:
		as->locked = true;
		gp_mock_lock_region(as->lockaddr, &as->lock_first, &as->lock_last);
		break;
	case MALI_AS_COMMAND_UNLOCK:
		as->locked = false;
		break;
	case MALI_AS_COMMAND_FLUSH_PT:
	case MALI_AS_COMMAND_FLUSH_MEM:
		/* The locked region, else the one LOCKADDR describes; the flush unlocks. */
		if (as->locked) {
			first = as->lock_first;
			last = as->lock_last;
		} else {
			gp_mock_lock_region(as->lockaddr, &first, &last);
		}
		gp_mock_tlb_invalidate(as, first, last);
		as->locked = false;
		break;
	default:
		break;
	}
}

/*
 * AS_COMMAND: AS_STATUS reads ACTIVE until the command completes, after
 * mmu-command-delay-us (at once with 0).  The effect comes at completion,
 * so a driver that does not wait for ACTIVE to clear sees stale state.  A
 * command written while one runs is dropped (and counted): drivers must
 * wait, as panthor's write_cmd() does.
 */
static void gp_mock_as_command(struct gp_mock *m, unsigned int as_nr, uint32_t command)
{
	struct gp_mock_as *as = &m->as[as_nr];

	if (command > MALI_AS_COMMAND_FLUSH_MEM)
		return;			/* not a command the model knows: ignored */
	if (as->cmd_done.pending) {
		m->stats.as_commands_dropped++;
		return;
	}
	m->stats.as_commands++;
	if (command == MALI_AS_COMMAND_NOP)
		return;
	if (!m->cfg.mmu_command_delay_us) {
		gp_mock_as_apply(as, command);
		return;
	}
	as->command = command;
	gp_mock_defer(m, &as->cmd_done, m->cfg.mmu_command_delay_us);
}

static uint64_t gp_mock_set_lo(uint64_t reg, uint32_t value)
{
	return (reg & ~(uint64_t)UINT32_MAX) | value;
}

static uint64_t gp_mock_set_hi(uint64_t reg, uint32_t value)
{
	return (reg & UINT32_MAX) | (uint64_t)value << 32;
}

static uint32_t gp_mock_as_reg_read(const struct gp_mock *m, unsigned int as_nr, uint64_t reg)
{
	const struct gp_mock_as *as = &m->as[as_nr];

	switch (reg) {
	case 0x00: return (uint32_t)as->transtab;
	case 0x04: return (uint32_t)(as->transtab >> 32);
	case 0x08: return (uint32_t)as->memattr;
	case 0x0c: return (uint32_t)(as->memattr >> 32);
	case 0x10: return (uint32_t)as->lockaddr;
	case 0x14: return (uint32_t)(as->lockaddr >> 32);
	case 0x1c: return as->faultstatus;
	case 0x20: return (uint32_t)as->faultaddress;
	case 0x24: return (uint32_t)(as->faultaddress >> 32);
	case 0x28: return as->cmd_done.pending ? MALI_AS_STATUS_ACTIVE : 0;
	case 0x30: return (uint32_t)as->transcfg;
	case 0x34: return (uint32_t)(as->transcfg >> 32);
	default:   return 0;	/* COMMAND, FAULTEXTRA, reserved */
	}
}

static void gp_mock_as_reg_write(struct gp_mock *m, unsigned int as_nr, uint64_t reg,
				 uint32_t value)
{
	struct gp_mock_as *as = &m->as[as_nr];

	switch (reg) {
	case 0x00: as->transtab = gp_mock_set_lo(as->transtab, value); break;
	case 0x04: as->transtab = gp_mock_set_hi(as->transtab, value); break;
	case 0x08: as->memattr = gp_mock_set_lo(as->memattr, value); break;
	case 0x0c: as->memattr = gp_mock_set_hi(as->memattr, value); break;
	case 0x10: as->lockaddr = gp_mock_set_lo(as->lockaddr, value); break;
	case 0x14: as->lockaddr = gp_mock_set_hi(as->lockaddr, value); break;
	case 0x18: gp_mock_as_command(m, as_nr, value); break;
	case 0x30: as->transcfg = gp_mock_set_lo(as->transcfg, value); break;
	case 0x34: as->transcfg = gp_mock_set_hi(as->transcfg, value); break;
	default:   break;	/* FAULTSTATUS, FAULTADDRESS, STATUS, FAULTEXTRA: read-only */
	}
}

/* Is @offset in the window of a present AS?  Sets *@as_nr and *@reg. */
static bool gp_mock_as_window(uint64_t offset, unsigned int *as_nr, uint64_t *reg)
{
	if (offset < MALI_MMU_AS_BASE || offset >= MALI_MMU_AS(GP_MOCK_NUM_AS))
		return false;
	*as_nr = (unsigned int)((offset - MALI_MMU_AS_BASE) / MALI_MMU_AS_STRIDE);
	*reg = (offset - MALI_MMU_AS_BASE) % MALI_MMU_AS_STRIDE;
	return true;
}

static const struct gp_mock_leaf *gp_mock_tlb_lookup(const struct gp_mock_as *as, uint64_t va)
{
	for (unsigned int i = 0; i < GP_MOCK_TLB_ENTRIES; i++) {
		const struct gp_mock_leaf *e = &as->tlb[i];

		if (e->size && va - e->va < e->size)
			return e;
	}
	return NULL;
}

static const struct gp_mock_leaf *gp_mock_tlb_insert(struct gp_mock_as *as,
						     const struct gp_mock_leaf *leaf)
{
	struct gp_mock_leaf *e = &as->tlb[as->tlb_next];

	as->tlb_next = (as->tlb_next + 1) % GP_MOCK_TLB_ENTRIES;
	*e = *leaf;
	return e;
}

/*
 * The table walk of an AArch64 4 KiB-granule stage-1 table, every
 * descriptor read from device-physical memory (the DMA model) as the
 * hardware's walker reads it; nothing of the walk is cached but the leaf.
 * The start level follows from the input size as io-pgtable computes it
 * (48 bits: level 0; 39 bits: level 1), the top table indexed by whatever
 * bits remain.
 *
 * Return: 0 with *@leaf, or the AS_FAULTSTATUS exception type.
 */
static uint32_t gp_mock_mmu_walk(struct gp_mock *m, const struct gp_mock_as *as, uint64_t va,
				 struct gp_mock_leaf *leaf)
{
	unsigned int va_bits = 55 - (unsigned int)MALI_AS_TRANSCFG_INA_BITS_GET(as->live_transcfg);
	unsigned int start, level;
	uint64_t table;

	if (va_bits < 25 || va_bits > GP_MOCK_MMU_VA_BITS || va >> va_bits)
		return MALI_EXC_ADDR_SIZE_FAULT_IN;
	start = 4 - (va_bits - 12 + 8) / 9;

	table = as->live_transtab & GP_TRANSTAB_MASK;
	/* As a TTBR beyond the output size: an address size fault at level 0. */
	if (table >> GP_MOCK_MMU_PA_BITS)
		return MALI_EXC_ADDR_SIZE_FAULT_OUT(0);

	for (level = start;; level++) {
		unsigned int shift = 12 + 9 * (3 - level);
		unsigned int bits = level == start ? va_bits - shift : 9;
		uint64_t idx = (va >> shift) & ((1ull << bits) - 1);
		uint64_t desc, type, oa;
		unsigned char raw[8];

		if (gp_mock_dma_xfer(m, table + idx * 8, raw, sizeof(raw), false) < 0)
			return MALI_EXC_TRANSTAB_BUS_FAULT(level);
		/* Descriptors are little-endian whatever the host. */
		desc = 0;
		for (int i = 7; i >= 0; i--)
			desc = desc << 8 | raw[i];
		type = desc & GP_PTE_TYPE_MASK;

		if (type == GP_PTE_TYPE_TABLE && level < 3) {
			table = desc & GP_PTE_OA_MASK;
			if (table >> GP_MOCK_MMU_PA_BITS)
				return MALI_EXC_ADDR_SIZE_FAULT_OUT(level);
			continue;
		}
		/* Invalid, a block at level 0 (none with 4 KiB), a "block" at level 3. */
		if (!(type == GP_PTE_TYPE_TABLE && level == 3) &&
		    !(type == GP_PTE_TYPE_BLOCK && (level == 1 || level == 2)))
			return MALI_EXC_TRANSLATION_FAULT(level);

		oa = desc & GP_PTE_OA_MASK & ~((1ull << shift) - 1);
		if (oa >> GP_MOCK_MMU_PA_BITS)
			return MALI_EXC_ADDR_SIZE_FAULT_OUT(level);
		if (!(desc & GP_PTE_AF))
			return MALI_EXC_ACCESS_FLAG(level);
		if (((as->live_memattr >> (8 * GP_PTE_ATTRINDX(desc))) & MALI_AS_MEMATTR_AARCH64_FAULT) ==
		    MALI_AS_MEMATTR_AARCH64_FAULT)
			return MALI_EXC_MEM_ATTR_FAULT(level);

		*leaf = (struct gp_mock_leaf){
			.va = va & ~((1ull << shift) - 1),
			.size = 1ull << shift,
			.pa = oa,
			.desc = desc,
			.level = level,
		};
		return 0;
	}
}

/*
 * Translate @va for @access: through the TLB, else a walk whose leaf the
 * TLB keeps (faults are not cached, as on Arm).  *@avail: bytes from @va
 * to the end of the translation.
 * Return: 0, or the exception type.
 */
static uint32_t gp_mock_mmu_translate(struct gp_mock *m, struct gp_mock_as *as, uint64_t va,
				      enum gp_mock_access access, uint64_t *pa, uint64_t *avail)
{
	const struct gp_mock_leaf *e;
	struct gp_mock_leaf leaf;
	uint32_t exc;

	switch (as->live_transcfg & MALI_AS_TRANSCFG_ADRMODE_MASK) {
	case MALI_AS_TRANSCFG_ADRMODE_IDENTITY:
		/* No tables: the GPU address is the device-physical one. */
		*pa = va;
		*avail = 4096 - (va & 4095);
		return 0;
	case MALI_AS_TRANSCFG_ADRMODE_AARCH64_4K:
		break;
	default:
		/* UNMAPPED, and the modes the model lacks: nothing translates. */
		return MALI_EXC_TRANSLATION_FAULT(0);
	}

	e = gp_mock_tlb_lookup(as, va);
	if (!e) {
		exc = gp_mock_mmu_walk(m, as, va, &leaf);
		if (exc)
			return exc;
		e = gp_mock_tlb_insert(as, &leaf);
	}
	if (access == GP_MOCK_ACCESS_WRITE && (e->desc & GP_PTE_AP_RDONLY))
		return MALI_EXC_PERM_FAULT(e->level);
	if (access == GP_MOCK_ACCESS_EX && (e->desc & GP_PTE_XN))
		return MALI_EXC_PERM_FAULT(e->level);
	*pa = e->pa + (va - e->va);
	*avail = e->size - (va - e->va);
	return 0;
}

/*
 * Latch a fault as the hardware does: FAULTSTATUS and FAULTADDRESS of the
 * AS, the AS's bit in MMU_INT_RAWSTAT, the IRQ when it is unmasked.  While
 * either of the AS's bits is pending, later faults of that AS change
 * nothing: the first fault stays readable until MMU_INT_CLEAR.
 */
static void gp_mock_mmu_fault(struct gp_mock *m, unsigned int as_nr, uint32_t status,
			      uint64_t va)
{
	struct gp_mock_as *as = &m->as[as_nr];
	bool bus = (status & 0xff) == MALI_EXC_GPU_BUS_FAULT;

	if (m->mmu_rawstat & (MALI_MMU_IRQ_PAGE_FAULT(as_nr) | MALI_MMU_IRQ_BUS_FAULT(as_nr)))
		return;
	as->faultstatus = status;
	as->faultaddress = va;
	m->stats.mmu_faults++;
	gp_mock_mmu_int_raise(m, bus ? MALI_MMU_IRQ_BUS_FAULT(as_nr) : MALI_MMU_IRQ_PAGE_FAULT(as_nr));
}

/* A GPU access of @len bytes at @va, page by page; see mock.h. */
static int gp_mock_gpu_xfer(struct gp_backend *be, unsigned int as_nr, uint64_t va, void *buf,
			    size_t len, enum gp_mock_access access, bool report,
			    uint32_t *fault_status)
{
	struct gp_mock *m = gp_mock_from_backend(be);
	size_t done = 0;
	int r = 0;

	assert(buf || !len);
	if (as_nr >= GP_MOCK_NUM_AS)
		return -EINVAL;

	pthread_mutex_lock(&m->lock);
	if (m->removed) {
		pthread_mutex_unlock(&m->lock);
		return -ENODEV;
	}
	while (done < len) {
		uint64_t cur = va + done, pa = 0, avail = 0;
		uint32_t exc;
		size_t chunk = 0;

		if (cur < va)
			exc = MALI_EXC_ADDR_SIZE_FAULT_IN;	/* wrapped past 2^64 */
		else
			exc = gp_mock_mmu_translate(m, &m->as[as_nr], cur, access, &pa, &avail);
		if (!exc) {
			chunk = avail < len - done ? (size_t)avail : len - done;
			if (gp_mock_dma_xfer(m, pa, (char *)buf + done, chunk,
					     access == GP_MOCK_ACCESS_WRITE) < 0)
				exc = MALI_EXC_GPU_BUS_FAULT;
		}
		if (exc) {
			/* The mock has no units to name: source id 0. */
			uint32_t status = exc | (uint32_t)access << 8 | MALI_AS_FAULTSTATUS_SOURCE_ID(0);

			if (fault_status)
				*fault_status = status;
			if (report)
				gp_mock_mmu_fault(m, as_nr, status, cur);
			r = -EFAULT;
			break;
		}
		done += chunk;
	}
	pthread_mutex_unlock(&m->lock);
	return r;
}

int gp_mock_gpu_read(struct gp_backend *be, unsigned int as, uint64_t va, void *buf, size_t len,
		     uint32_t *fault_status)
{
	return gp_mock_gpu_xfer(be, as, va, buf, len, GP_MOCK_ACCESS_READ, false, fault_status);
}

int gp_mock_gpu_fetch(struct gp_backend *be, unsigned int as, uint64_t va, void *buf, size_t len,
		      uint32_t *fault_status)
{
	return gp_mock_gpu_xfer(be, as, va, buf, len, GP_MOCK_ACCESS_EX, false, fault_status);
}

int gp_mock_gpu_access(struct gp_backend *be, unsigned int as, uint64_t va, void *buf, size_t len,
		       bool write)
{
	return gp_mock_gpu_xfer(be, as, va, buf, len,
				write ? GP_MOCK_ACCESS_WRITE : GP_MOCK_ACCESS_READ, true, NULL);
}

/* --- what the CSF model (mock_csf.c) uses ---------------------------------- */

_Static_assert((int)GP_MOCK_CSF_FETCH == (int)GP_MOCK_ACCESS_EX &&
	       (int)GP_MOCK_CSF_READ == (int)GP_MOCK_ACCESS_READ &&
	       (int)GP_MOCK_CSF_WRITE == (int)GP_MOCK_ACCESS_WRITE,
	       "the CSF model names the AS_FAULTSTATUS access types");

int gp_mock_csf_mem(struct gp_backend *be, unsigned int as, uint64_t va, void *buf, size_t len,
		    enum gp_mock_csf_access access, uint32_t *fault_status)
{
	return gp_mock_gpu_xfer(be, as, va, buf, len, (enum gp_mock_access)access, true,
				fault_status);
}

/* Resets are posted under @lock, so under it the sequence number is current. */
void gp_mock_csf_job_irq(struct gp_backend *be, uint32_t reset_seq, uint32_t bits)
{
	struct gp_mock *m = gp_mock_from_backend(be);

	pthread_mutex_lock(&m->lock);
	if (gp_mock_csf_reset_seq(m->csf) == reset_seq)
		gp_mock_job_int_raise(m, bits);
	pthread_mutex_unlock(&m->lock);
}

void gp_mock_csf_set_mcu_status(struct gp_backend *be, uint32_t reset_seq, uint32_t status)
{
	struct gp_mock *m = gp_mock_from_backend(be);

	pthread_mutex_lock(&m->lock);
	if (gp_mock_csf_reset_seq(m->csf) == reset_seq)
		m->mcu_status = status;
	pthread_mutex_unlock(&m->lock);
}

struct gp_mock_csf *gp_mock_csf_of(struct gp_backend *be)
{
	return gp_mock_from_backend(be)->csf;
}

static void gp_mock_reset_complete(struct gp_mock *m)
{
	gp_mock_int_raise(m, MALI_GPU_IRQ_RESET_COMPLETED);
}

static void gp_mock_l2_power_complete(struct gp_mock *m)
{
	m->l2_ready |= m->l2_pwrtrans;
	m->l2_pwrtrans = 0;
	gp_mock_int_raise(m, MALI_GPU_IRQ_POWER_CHANGED | MALI_GPU_IRQ_POWER_CHANGED_ALL);
}

/* Apply the deferred work whose deadline has passed. */
static void gp_mock_run_deferred(struct gp_mock *m, uint64_t now)
{
	if (m->reset_done.pending && now >= m->reset_done.deadline_ns) {
		m->reset_done.pending = false;
		gp_mock_reset_complete(m);
	}
	if (m->l2_done.pending && now >= m->l2_done.deadline_ns) {
		m->l2_done.pending = false;
		gp_mock_l2_power_complete(m);
	}
	if (m->flush_done.pending && now >= m->flush_done.deadline_ns) {
		m->flush_done.pending = false;
		gp_mock_int_raise(m, MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED);
	}
	for (unsigned int i = 0; i < GP_MOCK_NUM_AS; i++) {
		struct gp_mock_as *as = &m->as[i];

		if (as->cmd_done.pending && now >= as->cmd_done.deadline_ns) {
			as->cmd_done.pending = false;
			gp_mock_as_apply(as, as->command);
		}
	}
}

/* The earliest pending deadline, or UINT64_MAX when nothing is pending. */
static uint64_t gp_mock_next_deadline(const struct gp_mock *m)
{
	uint64_t next = UINT64_MAX;

	if (m->reset_done.pending && m->reset_done.deadline_ns < next)
		next = m->reset_done.deadline_ns;
	if (m->l2_done.pending && m->l2_done.deadline_ns < next)
		next = m->l2_done.deadline_ns;
	if (m->flush_done.pending && m->flush_done.deadline_ns < next)
		next = m->flush_done.deadline_ns;
	for (unsigned int i = 0; i < GP_MOCK_NUM_AS; i++)
		if (m->as[i].cmd_done.pending && m->as[i].cmd_done.deadline_ns < next)
			next = m->as[i].cmd_done.deadline_ns;
	return next;
}

static void *gp_mock_timer_main(void *arg)
{
	struct gp_mock *m = arg;

	pthread_mutex_lock(&m->lock);
	while (!m->stopping) {
		uint64_t next;

		gp_mock_run_deferred(m, gp_mock_now_ns());
		next = gp_mock_next_deadline(m);
		if (next == UINT64_MAX) {
			pthread_cond_wait(&m->wake, &m->lock);
		} else {
			struct timespec ts = gp_mock_timespec(next);

			pthread_cond_timedwait(&m->wake, &m->lock, &ts);
		}
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

/*
 * GPU_CMD FLUSH_CACHES: CLEAN_CACHES_COMPLETED rises after the delay.  A
 * flush issued while one runs is absorbed by it (the hardware queues
 * nothing): the driver must not rely on one interrupt per command.
 */
static void gp_mock_flush_caches(struct gp_mock *m)
{
	m->stats.cache_flushes++;
	if (m->flush_done.pending)
		return;
	if (!m->cfg.flush_delay_us)
		gp_mock_int_raise(m, MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED);
	else
		gp_mock_defer(m, &m->flush_done, m->cfg.flush_delay_us);
}

/* GPU_CMD SOFT_RESET / HARD_RESET: the GPU comes back with its L2 off. */
static void gp_mock_reset(struct gp_mock *m)
{
	m->stats.soft_resets++;
	m->l2_ready = 0;
	m->l2_pwrtrans = 0;
	m->l2_done.pending = false;
	m->flush_done.pending = false;	/* a reset abandons a running flush */
	gp_mock_mmu_reset(m);		/* and the MMU's state, commands included */
	/* The MCU stops with the rest: disabled, its interrupt cleared. */
	m->mcu_control = MALI_MCU_CONTROL_DISABLE;
	m->mcu_status = MALI_MCU_STATUS_DISABLED;
	m->job_rawstat = 0;
	m->job_mask = 0;
	gp_mock_csf_reset(m->csf);

	/* A reset issued while one is in flight restarts it. */
	m->reset_done.pending = false;
	if (m->cfg.reset_never_completes)
		return;
	if (!m->cfg.reset_delay_us)
		gp_mock_reset_complete(m);
	else
		gp_mock_defer(m, &m->reset_done, m->cfg.reset_delay_us);
}

static void gp_mock_l2_power_on(struct gp_mock *m, uint32_t value)
{
	/* Slices that are absent, already on or already powering up ignore it. */
	uint32_t bits = value & GP_MOCK_L2_PRESENT & ~(m->l2_ready | m->l2_pwrtrans);

	if (!bits)
		return;
	m->l2_pwrtrans |= bits;
	if (m->cfg.l2_never_ready)
		return;
	if (!m->cfg.l2_power_delay_us)
		gp_mock_l2_power_complete(m);
	else
		gp_mock_defer(m, &m->l2_done, m->cfg.l2_power_delay_us);
}

/* TIMESTAMP: start + 24 MHz ticks since open + TIMESTAMP_OFFSET, mod 2^64. */
static uint64_t gp_mock_timestamp(const struct gp_mock *m)
{
	uint64_t elapsed = gp_mock_now_ns() - m->open_ns;

	/* 24 MHz = 3 ticks per 125 ns; exact, and overflows after ~195 years. */
	return m->cfg.timestamp_start + elapsed * 3 / 125 + m->timestamp_offset;
}

/* CYCLE_COUNT: 800 MHz, i.e. 4 cycles per 5 ns, since open. */
static uint64_t gp_mock_cycle_count(const struct gp_mock *m)
{
	return (gp_mock_now_ns() - m->open_ns) * 4 / 5;
}

static uint32_t gp_mock_lo(uint64_t v)
{
	return (uint32_t)v;
}

static uint32_t gp_mock_hi(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

uint64_t gp_mock_csf_timestamp(struct gp_backend *be, bool cycles)
{
	struct gp_mock *m = gp_mock_from_backend(be);
	uint64_t v;

	pthread_mutex_lock(&m->lock);
	v = cycles ? gp_mock_cycle_count(m) : gp_mock_timestamp(m);
	pthread_mutex_unlock(&m->lock);
	return v;
}

static uint32_t gp_mock_reg_read(const struct gp_mock *m, uint64_t offset)
{
	switch (offset) {
	/* Identification, from public RK3588 boot logs. */
	case MALI_GPU_ID:			return 0xa8670005;
	case MALI_GPU_L2_FEATURES:		return 0x07120306;
	case MALI_GPU_TILER_FEATURES:		return 0x809;
	case MALI_GPU_MEM_FEATURES:		return 0x301;
	case MALI_GPU_MMU_FEATURES:		return 0x2830;
	case MALI_GPU_AS_PRESENT:		return 0xff;
	case MALI_GPU_SHADER_PRESENT_LO:	return 0x50005;
	case MALI_GPU_TILER_PRESENT_LO:		return 0x1;
	case MALI_GPU_L2_PRESENT_LO:		return GP_MOCK_L2_PRESENT;

	/* invented: no public G610 value; variant field 0 */
	case MALI_GPU_CORE_FEATURES:		return 0x0;
	/* invented: arbitrary non-zero, so a reader can tell it was read */
	case MALI_GPU_CSF_ID:			return 0x40a00412;
	/* invented: 0, consistent with r0p0 in GPU_ID */
	case MALI_GPU_REVID:			return 0x0;
	/* invented: plausible for a G610 core */
	case MALI_GPU_THREAD_MAX_THREADS:	return 2048;
	/* invented: plausible workgroup limit */
	case MALI_GPU_THREAD_MAX_WORKGROUP_SIZE: return 1024;
	/* invented: plausible barrier limit, equal to the workgroup limit */
	case MALI_GPU_THREAD_MAX_BARRIER_SIZE:	return 1024;
	/* invented: arbitrary non-zero; nothing in gpu-proto decodes it */
	case MALI_GPU_THREAD_FEATURES:		return 0x04810000;
	/* invented: arbitrary format bitmaps, distinct so a mix-up shows */
	case MALI_GPU_TEXTURE_FEATURES(0):	return 0xc1ffff9e;
	/* invented: see TEXTURE_FEATURES(0) */
	case MALI_GPU_TEXTURE_FEATURES(1):	return 0x000001ff;
	/* invented: see TEXTURE_FEATURES(0) */
	case MALI_GPU_TEXTURE_FEATURES(2):	return 0x00000010;
	/* invented: see TEXTURE_FEATURES(0) */
	case MALI_GPU_TEXTURE_FEATURES(3):	return 0x00000000;
	/* invented: ACE-Lite only (bit 0) */
	case MALI_GPU_COHERENCY_FEATURES:	return 0x1;
	/* invented: 0, an idle GPU */
	case MALI_GPU_STATUS:			return 0x0;

	case MALI_GPU_INT_RAWSTAT:		return m->int_rawstat;
	case MALI_GPU_INT_MASK:			return m->int_mask;
	case MALI_GPU_INT_STAT:			return gp_mock_int_stat(m);

	case MALI_L2_READY_LO:			return m->l2_ready;
	case MALI_L2_PWRTRANS_LO:		return m->l2_pwrtrans;

	/* Each half is computed from the clock now: hi, lo, hi can see a carry. */
	case MALI_GPU_TIMESTAMP_LO:		return gp_mock_lo(gp_mock_timestamp(m));
	case MALI_GPU_TIMESTAMP_HI:		return gp_mock_hi(gp_mock_timestamp(m));
	case MALI_GPU_CYCLE_COUNT_LO:		return gp_mock_lo(gp_mock_cycle_count(m));
	case MALI_GPU_CYCLE_COUNT_HI:		return gp_mock_hi(gp_mock_cycle_count(m));
	case MALI_GPU_TIMESTAMP_OFFSET_LO:	return gp_mock_lo(m->timestamp_offset);
	case MALI_GPU_TIMESTAMP_OFFSET_HI:	return gp_mock_hi(m->timestamp_offset);

	case MALI_MCU_CONTROL:			return m->mcu_control;
	case MALI_MCU_STATUS:			return m->mcu_status;
	case MALI_JOB_INT_RAWSTAT:		return m->job_rawstat;
	case MALI_JOB_INT_MASK:			return m->job_mask;
	case MALI_JOB_INT_STAT:			return gp_mock_job_int_stat(m);

	case MALI_MMU_INT_RAWSTAT:		return m->mmu_rawstat;
	case MALI_MMU_INT_MASK:			return m->mmu_mask;
	case MALI_MMU_INT_STAT:			return gp_mock_mmu_int_stat(m);

	default: {
		unsigned int as_nr;
		uint64_t reg;

		if (gp_mock_as_window(offset, &as_nr, &reg))
			return gp_mock_as_reg_read(m, as_nr, reg);
		return 0;
	}
	}
}

static void gp_mock_reg_write(struct gp_mock *m, uint64_t offset, uint32_t value)
{
	switch (offset) {
	case MALI_GPU_INT_RAWSTAT:
		/* Mali lets software raise its own interrupts here (IRQ self-test). */
		gp_mock_int_raise(m, value);
		break;
	case MALI_GPU_INT_CLEAR:
		m->int_rawstat &= ~value;
		break;
	case MALI_GPU_INT_MASK:
		gp_mock_int_set_mask(m, value);
		break;
	case MALI_GPU_CMD:
		if (value == MALI_GPU_CMD_SOFT_RESET || value == MALI_GPU_CMD_HARD_RESET)
			gp_mock_reset(m);
		else if (MALI_GPU_CMD_TYPE(value) == MALI_GPU_CMD_TYPE_FLUSH_CACHES)
			gp_mock_flush_caches(m);
		break;
	case MALI_L2_PWRON_LO:
		gp_mock_l2_power_on(m, value);
		break;
	case MALI_GPU_TIMESTAMP_OFFSET_LO:
		m->timestamp_offset = (m->timestamp_offset & ~(uint64_t)UINT32_MAX) | value;
		break;
	case MALI_GPU_TIMESTAMP_OFFSET_HI:
		m->timestamp_offset = (m->timestamp_offset & UINT32_MAX) | (uint64_t)value << 32;
		break;
	case MALI_MMU_INT_RAWSTAT:
		/* As GPU_INT_RAWSTAT: software may raise its own MMU interrupts. */
		gp_mock_mmu_int_raise(m, value);
		break;
	case MALI_MMU_INT_CLEAR:
		m->mmu_rawstat &= ~value;
		break;
	case MALI_MMU_INT_MASK:
		gp_mock_mmu_int_set_mask(m, value);
		break;
	case MALI_MCU_CONTROL:
		m->mcu_control = value;
		if (!m->cfg.mcu_never_boots)
			gp_mock_csf_mcu_control(m->csf, value);
		break;
	case MALI_JOB_INT_RAWSTAT:
		/* As GPU_INT_RAWSTAT: software may raise its own job interrupts. */
		gp_mock_job_int_raise(m, value);
		break;
	case MALI_JOB_INT_CLEAR:
		m->job_rawstat &= ~value;
		break;
	case MALI_JOB_INT_MASK:
		gp_mock_job_int_set_mask(m, value);
		break;
	default: {
		unsigned int as_nr;
		uint64_t reg;

		/* Read-only and unmodelled registers ignore writes. */
		if (gp_mock_as_window(offset, &as_nr, &reg)) {
			gp_mock_as_reg_write(m, as_nr, reg, value);
		} else if (offset >= MALI_CSF_DOORBELL(0) &&
			   (offset - MALI_CSF_DOORBELL(0)) % GP_MOCK_DOORBELL_STRIDE == 0) {
			/* Any write to a doorbell page's first word rings it. */
			m->stats.doorbells++;
			gp_mock_csf_doorbell(m->csf, (unsigned int)((offset - MALI_CSF_DOORBELL(0)) /
								    GP_MOCK_DOORBELL_STRIDE));
		}
		break;
	}
	}
}

static void gp_mock_check_access(unsigned int region, uint64_t offset)
{
	assert(region == GP_MOCK_REGION_GPU);
	assert(offset < GP_MOCK_REGION_SIZE && offset % 4 == 0);
	(void)region;
	(void)offset;
}

static uint32_t gp_mock_read32(struct gp_backend *be, unsigned int region, uint64_t offset)
{
	struct gp_mock *m = gp_mock_from_backend(be);
	uint32_t value;

	gp_mock_check_access(region, offset);
	gp_mock_bus_delay(m);

	pthread_mutex_lock(&m->lock);
	m->stats.reads++;
	if (m->removed)
		value = GP_MOCK_ALL_ONES;
	else
		value = gp_mock_reg_read(m, offset);
	pthread_mutex_unlock(&m->lock);
	return value;
}

static void gp_mock_write32(struct gp_backend *be, unsigned int region, uint64_t offset,
			    uint32_t value)
{
	struct gp_mock *m = gp_mock_from_backend(be);

	gp_mock_check_access(region, offset);
	gp_mock_bus_delay(m);

	pthread_mutex_lock(&m->lock);
	m->stats.writes++;
	if (!m->removed)
		gp_mock_reg_write(m, offset, value);
	pthread_mutex_unlock(&m->lock);
}

/* Two bus accesses, lo first, as a 32-bit bus does it: not atomic. */
static uint64_t gp_mock_read64(struct gp_backend *be, unsigned int region, uint64_t offset)
{
	uint64_t lo = gp_mock_read32(be, region, offset);
	uint64_t hi = gp_mock_read32(be, region, offset + 4);

	return hi << 32 | lo;
}

static void gp_mock_write64(struct gp_backend *be, unsigned int region, uint64_t offset,
			    uint64_t value)
{
	gp_mock_write32(be, region, offset, gp_mock_lo(value));
	gp_mock_write32(be, region, offset + 4, gp_mock_hi(value));
}

/*
 * A handler that cleared only some bits, or raced with a new one, leaves
 * STAT non-zero without a fresh edge; a level-triggered line fires again
 * when unmasked (VFIO's AUTOMASKED semantics), so does the mock.
 */
static int gp_mock_irq_unmask(struct gp_backend *be, unsigned int line)
{
	struct gp_mock *m = gp_mock_from_backend(be);
	uint32_t stat;

	if (line >= GP_MOCK_NUM_IRQS)
		return -EINVAL;

	pthread_mutex_lock(&m->lock);
	/*
	 * The job line too: an event the CSF raises while the handler is
	 * between reading JOB_INT_STAT and clearing it finds STAT non-zero
	 * and makes no edge; only this re-fire hands it to the driver.
	 */
	if (line == GP_MOCK_IRQ_GPU)
		stat = gp_mock_int_stat(m);
	else if (line == GP_MOCK_IRQ_MMU)
		stat = gp_mock_mmu_int_stat(m);
	else
		stat = gp_mock_job_int_stat(m);
	if (stat)
		gp_mock_irq_signal(m, line);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

/* --- DMA model ----------------------------------------------------------- */

/* The highest device address a new mapping may use: the mask, the dma-space option. */
static uint64_t gp_mock_dma_limit(const struct gp_mock *m)
{
	uint64_t limit = m->be.dma_mask;

	if (m->cfg.dma_space) {
		uint64_t top = GP_MOCK_DMA_BASE + m->cfg.dma_space - 1;

		/* A space that reaches past 2^64 is not a limit. */
		if (top >= GP_MOCK_DMA_BASE && top < limit)
			limit = top;
	}
	return limit;
}

static bool gp_mock_removed(struct gp_mock *m)
{
	bool removed;

	pthread_mutex_lock(&m->lock);
	removed = m->removed;
	pthread_mutex_unlock(&m->lock);
	return removed;
}

static int gp_mock_dma_map(struct gp_backend *be, void *vaddr, size_t size, unsigned int dir,
			   struct gp_dma_mapping **out)
{
	struct gp_mock *m = gp_mock_from_backend(be);
	_cleanup_(freep) struct gp_mock_dma *d = NULL;
	uintptr_t start = (uintptr_t)vaddr;
	uint64_t iova;
	int r;

	assert(out);
	if (!vaddr || !size || start % GP_MOCK_DMA_GRANULE || size % GP_MOCK_DMA_GRANULE ||
	    size > UINTPTR_MAX - start || dir > GP_DMA_FROM_DEVICE)
		return -EINVAL;
	/* A removed device is being revoked: it gets no new mappings. */
	if (gp_mock_removed(m))
		return -ENODEV;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;

	pthread_mutex_lock(&m->dma_lock);
	if (++m->dma_map_calls > m->cfg.dma_map_fail_after) {
		r = -ENOMEM;	/* injected, as VFIO_IOMMU_MAP_DMA over the locked-memory limit */
	} else {
		r = gp_iova_alloc(&m->iova, size, gp_mock_dma_limit(m), &iova);
	}
	if (r == 0) {
		d->seg = (struct gp_dma_segment){ .addr = iova, .len = size };
		d->map = (struct gp_dma_mapping){
			.vaddr = vaddr, .size = size, .dir = dir,
			.num_segments = 1, .segments = &d->seg,
		};
		d->next = m->dma_maps;
		m->dma_maps = d;
		m->dma_live++;
		m->dma_maps_ok++;
		*out = &d->map;
		d = NULL;
	}
	pthread_mutex_unlock(&m->dma_lock);
	return r;
}

/* Unlink @map from the live list; false when it is not a live mapping. */
static bool gp_mock_dma_unlink(struct gp_mock *m, const struct gp_dma_mapping *map)
{
	for (struct gp_mock_dma **link = &m->dma_maps; *link; link = &(*link)->next) {
		struct gp_mock_dma *d = *link;

		if (&d->map != map)
			continue;
		*link = d->next;
		m->dma_live--;
		/* Cannot fail: the range was allocated at this address. */
		(void)gp_iova_free(&m->iova, d->seg.addr);
		return true;
	}
	return false;
}

static void gp_mock_dma_unmap(struct gp_backend *be, struct gp_dma_mapping *map)
{
	struct gp_mock *m = gp_mock_from_backend(be);
	bool found;

	pthread_mutex_lock(&m->dma_lock);
	found = gp_mock_dma_unlink(m, map);
	pthread_mutex_unlock(&m->dma_lock);
	/* Unmapping twice, or another binding's mapping, is a driver bug. */
	assert(found);
	if (found)
		free((struct gp_mock_dma *)map);
}

/* May the device read (@device_writes false) or write a mapping of direction @dir? */
static bool gp_mock_dma_dir_allows(unsigned int dir, bool device_writes)
{
	if (dir == GP_DMA_TO_DEVICE)
		return !device_writes;
	if (dir == GP_DMA_FROM_DEVICE)
		return device_writes;
	return true;
}

/*
 * Copy between daemon memory and the device, word by word as a bus moves
 * it: the daemon's side is accessed with atomics (32-bit when both sides
 * are aligned), so a driver that reads or writes shared memory with
 * atomics while the mock's CSF runs (firmware pages, sync objects) races
 * with nothing, also under ThreadSanitizer.  Stores release and loads
 * acquire, as the bus orders a stream's writes: a driver that reads a
 * sync object's new value with an acquire load (the scheduler does) also
 * sees the data the stream stored before it, which it then hands to the
 * client as done; free on x86 and cheap elsewhere.  @to_daemon: @dst is
 * the daemon's memory, else @src is.
 */
static void gp_mock_bus_copy(void *dst, const void *src, size_t len, bool to_daemon)
{
	char *d = dst;
	const char *s = src;

	if (!(((uintptr_t)d | (uintptr_t)s | len) & 3)) {
		for (size_t i = 0; i < len; i += 4) {
			uint32_t w;

			if (to_daemon) {
				memcpy(&w, s + i, 4);
				__atomic_store_n((uint32_t *)(void *)(d + i), w, __ATOMIC_RELEASE);
			} else {
				w = __atomic_load_n((const uint32_t *)(const void *)(s + i),
						    __ATOMIC_ACQUIRE);
				memcpy(d + i, &w, 4);
			}
		}
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (to_daemon)
			__atomic_store_n(d + i, s[i], __ATOMIC_RELEASE);
		else
			d[i] = __atomic_load_n(s + i, __ATOMIC_ACQUIRE);
	}
}

/*
 * A bus-master access to device-physical memory.  Every byte must lie in a
 * live mapping whose direction allows the access, as an IOMMU mapped with
 * the DMA API's prot bits checks it; a range may span adjacent mappings.
 * All or nothing: the range is checked before a byte moves.
 */
static int gp_mock_dma_xfer(struct gp_mock *m, uint64_t addr, void *buf, size_t len,
			    bool device_writes)
{
	int r = 0;

	if (len && addr + (len - 1) < addr)
		return -EFAULT;

	pthread_mutex_lock(&m->dma_lock);
	for (int pass = 0; pass < 2 && r == 0; pass++) {
		uint64_t a = addr;
		size_t done = 0;

		while (done < len) {
			const struct gp_mock_dma *d;
			size_t chunk;
			char *cpu;

			for (d = m->dma_maps; d; d = d->next)
				if (a >= d->seg.addr && a - d->seg.addr < d->seg.len)
					break;
			if (!d || !gp_mock_dma_dir_allows(d->map.dir, device_writes)) {
				r = -EFAULT;
				break;
			}
			chunk = (size_t)(d->seg.len - (a - d->seg.addr));
			if (chunk > len - done)
				chunk = len - done;
			if (pass == 1) {
				cpu = (char *)d->map.vaddr + (a - d->seg.addr);
				if (device_writes)
					gp_mock_bus_copy(cpu, (const char *)buf + done, chunk, true);
				else
					gp_mock_bus_copy((char *)buf + done, cpu, chunk, false);
			}
			done += chunk;
			a += chunk;
		}
	}
	pthread_mutex_unlock(&m->dma_lock);
	return r;
}

int gp_mock_dma_read(struct gp_backend *be, uint64_t addr, void *buf, size_t len)
{
	assert(buf || !len);
	return gp_mock_dma_xfer(gp_mock_from_backend(be), addr, buf, len, false);
}

int gp_mock_dma_write(struct gp_backend *be, uint64_t addr, const void *buf, size_t len)
{
	assert(buf || !len);
	/* The buffer is only read on this path; the cast serves the shared helper. */
	return gp_mock_dma_xfer(gp_mock_from_backend(be), addr, (void *)buf, len, true);
}

/*
 * Release with mappings still live is a driver bug (it must unmap after
 * quiescing the device): say which, then unmap them so no IOVA outlives
 * the binding, as the contract in backend.h requires.
 */
static void gp_mock_dma_release(struct gp_mock *m)
{
	struct gp_mock_dma *left;

	pthread_mutex_lock(&m->dma_lock);
	left = m->dma_maps;
	m->dma_maps = NULL;
	m->dma_live = 0;
	pthread_mutex_unlock(&m->dma_lock);

	while (left) {
		struct gp_mock_dma *next = left->next;

		gp_log_warning("mock: DMA mapping 0x%" PRIx64 "+0x%zx still live at release "
			       "(driver bug): unmapped", left->seg.addr, left->map.size);
		(void)gp_iova_free(&m->iova, left->seg.addr);
		free(left);
		left = next;
	}
	gp_iova_domain_fini(&m->iova);
}

static void gp_mock_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Tears down whatever gp_mock_open() got to build; NULL is a no-op. */
static void gp_mock_free(struct gp_mock *m)
{
	if (!m)
		return;

	/* The CSF model reaches memory and registers: it goes first. */
	gp_mock_csf_destroy(m->csf);
	/* As backend.h orders it: no IOVA may outlive the rest of the binding. */
	if (m->dma_lock_initialized) {
		gp_mock_dma_release(m);
		pthread_mutex_destroy(&m->dma_lock);
	}
	if (m->timer_started) {
		pthread_mutex_lock(&m->lock);
		m->stopping = true;
		pthread_cond_signal(&m->wake);
		pthread_mutex_unlock(&m->lock);
		pthread_join(m->timer, NULL);
	}
	if (m->sync_initialized) {
		pthread_cond_destroy(&m->wake);
		pthread_mutex_destroy(&m->lock);
	}
	for (unsigned int i = 0; i < GP_MOCK_NUM_IRQS; i++)
		gp_mock_close_fd(&m->irq_fds[i]);
	gp_mock_close_fd(&m->be.removal_fd);
	/*
	 * Everything lives in this one allocation, so a caller that kept the
	 * binding past release touches freed memory, which ASan reports.
	 */
	free(m);
}

static void gp_mock_freep(struct gp_mock **pm)
{
	gp_mock_free(*pm);
}

static void gp_mock_release(struct gp_backend *be)
{
	gp_mock_free(gp_mock_from_backend(be));
}

static const struct gp_backend_ops gp_mock_ops = {
	.read32 = gp_mock_read32,
	.write32 = gp_mock_write32,
	.read64 = gp_mock_read64,
	.write64 = gp_mock_write64,
	.irq_unmask = gp_mock_irq_unmask,
	.dma_map = gp_mock_dma_map,
	.dma_unmap = gp_mock_dma_unmap,
	.release = gp_mock_release,
};

static int gp_mock_init_sync(struct gp_mock *m)
{
	pthread_condattr_t attr;
	int r;

	r = pthread_mutex_init(&m->lock, NULL);
	if (r)
		return -r;

	/* Deadlines are CLOCK_MONOTONIC, immune to wall-clock steps. */
	r = pthread_condattr_init(&attr);
	if (r)
		goto err_mutex;
	r = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!r)
		r = pthread_cond_init(&m->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (r)
		goto err_mutex;

	r = pthread_mutex_init(&m->dma_lock, NULL);
	if (r) {
		pthread_cond_destroy(&m->wake);
		goto err_mutex;
	}
	m->dma_lock_initialized = true;
	m->sync_initialized = true;
	return 0;

err_mutex:
	pthread_mutex_destroy(&m->lock);
	return -r;
}

static int gp_mock_start_timer(struct gp_mock *m)
{
	sigset_t all, old;
	int r;

	/*
	 * The thread inherits the caller's signal mask; block everything so a
	 * process signal is never delivered to the model's timer.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&m->timer, NULL, gp_mock_timer_main, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r)
		return -r;

	m->timer_started = true;
	/* Best effort: the name only helps debuggers and top. */
	(void)pthread_setname_np(m->timer, "gp-mock-timer");
	return 0;
}

int gp_mock_open(const struct gp_mock_config *cfg, struct gp_backend **out)
{
	_cleanup_(gp_mock_freep) struct gp_mock *m = NULL;
	int r;

	assert(cfg);
	assert(out);

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (unsigned int i = 0; i < GP_MOCK_NUM_IRQS; i++)
		m->irq_fds[i] = -1;
	m->be.removal_fd = -1;
	gp_iova_domain_init(&m->iova, GP_MOCK_DMA_BASE, GP_MOCK_DMA_GRANULE);

	m->cfg = *cfg;
	m->region = (struct gp_backend_region){ .name = "gpu", .size = GP_MOCK_REGION_SIZE };
	m->be.ops = &gp_mock_ops;
	m->be.bus = GP_BUS_MOCK;
	snprintf(m->be.bus_id, sizeof(m->be.bus_id), "mock");
	m->be.num_regions = 1;
	m->be.regions = &m->region;
	m->be.num_irqs = GP_MOCK_NUM_IRQS;
	m->be.irq_fds = m->irq_fds;
	/* As dma_set_mask()'s default: the driver narrows it in probe. */
	m->be.dma_mask = UINT64_MAX;

	for (unsigned int i = 0; i < GP_MOCK_NUM_IRQS; i++) {
		m->irq_fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (m->irq_fds[i] < 0)
			return -errno;
	}
	m->be.removal_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m->be.removal_fd < 0)
		return -errno;

	r = gp_mock_init_sync(m);
	if (r < 0)
		return r;

	gp_mock_mmu_reset(m);
	m->open_ns = gp_mock_now_ns();
	r = gp_mock_start_timer(m);
	if (r < 0)
		return r;
	r = gp_mock_csf_create(&m->be, &m->cfg, &m->csf);
	if (r < 0)
		return r;

	*out = &m->be;
	m = NULL;
	return 0;
}

void gp_mock_simulate_removal(struct gp_backend *be)
{
	struct gp_mock *m = gp_mock_from_backend(be);

	pthread_mutex_lock(&m->lock);
	if (!m->removed) {
		m->removed = true;
		(void)eventfd_write(m->be.removal_fd, 1);
		gp_mock_csf_removed(m->csf);
	}
	pthread_mutex_unlock(&m->lock);
}

void gp_mock_get_stats(struct gp_backend *be, struct gp_mock_stats *stats)
{
	struct gp_mock *m = gp_mock_from_backend(be);

	assert(stats);
	pthread_mutex_lock(&m->lock);
	*stats = m->stats;
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_lock(&m->dma_lock);
	stats->dma_mappings = m->dma_live;
	stats->dma_maps = m->dma_maps_ok;
	pthread_mutex_unlock(&m->dma_lock);
	/* Outside the register lock: the CSF model's lock comes before it. */
	gp_mock_csf_counters(m->csf, &stats->csf_instructions, &stats->csf_faults,
			     &stats->mcu_boots);
}

void gp_mock_config_init(struct gp_mock_config *cfg)
{
	assert(cfg);
	*cfg = (struct gp_mock_config){
		.reset_delay_us = 50,
		.l2_power_delay_us = 20,
		.flush_delay_us = 30,
		.access_delay_ns = 0,
		.reset_never_completes = false,
		.l2_never_ready = false,
		.timestamp_start = 0,
		.dma_space = 0,
		.dma_map_fail_after = UINT64_MAX,
		.mmu_command_delay_us = 0,
		.csf_step_budget = 256,
		.csf_instr_delay_ns = 0,
		.mcu_never_boots = false,
		.csf_ignore_csg_req = false,
	};
}

enum gp_mock_option_type {
	GP_MOCK_OPT_U32,
	GP_MOCK_OPT_U64,
	GP_MOCK_OPT_FLAG,
};

struct gp_mock_option {
	const char *name;
	enum gp_mock_option_type type;
	size_t offset;			/* of the field in struct gp_mock_config */
};

static const struct gp_mock_option gp_mock_options[] = {
	{ "reset-delay-us", GP_MOCK_OPT_U32, offsetof(struct gp_mock_config, reset_delay_us) },
	{ "l2-power-delay-us", GP_MOCK_OPT_U32, offsetof(struct gp_mock_config, l2_power_delay_us) },
	{ "flush-delay-us", GP_MOCK_OPT_U32, offsetof(struct gp_mock_config, flush_delay_us) },
	{ "access-delay-ns", GP_MOCK_OPT_U32, offsetof(struct gp_mock_config, access_delay_ns) },
	{ "timestamp-start", GP_MOCK_OPT_U64, offsetof(struct gp_mock_config, timestamp_start) },
	{ "reset-never-completes", GP_MOCK_OPT_FLAG,
	  offsetof(struct gp_mock_config, reset_never_completes) },
	{ "l2-never-ready", GP_MOCK_OPT_FLAG, offsetof(struct gp_mock_config, l2_never_ready) },
	{ "dma-space", GP_MOCK_OPT_U64, offsetof(struct gp_mock_config, dma_space) },
	{ "dma-map-fail-after", GP_MOCK_OPT_U64,
	  offsetof(struct gp_mock_config, dma_map_fail_after) },
	{ "mmu-command-delay-us", GP_MOCK_OPT_U32,
	  offsetof(struct gp_mock_config, mmu_command_delay_us) },
	{ "csf-step-budget", GP_MOCK_OPT_U32, offsetof(struct gp_mock_config, csf_step_budget) },
	{ "csf-instr-delay-ns", GP_MOCK_OPT_U32,
	  offsetof(struct gp_mock_config, csf_instr_delay_ns) },
	{ "mcu-never-boots", GP_MOCK_OPT_FLAG, offsetof(struct gp_mock_config, mcu_never_boots) },
	{ "csf-ignore-csg-req", GP_MOCK_OPT_FLAG,
	  offsetof(struct gp_mock_config, csf_ignore_csg_req) },
};

#define GP_MOCK_OPTIONS_HELP \
	"reset-delay-us=N, l2-power-delay-us=N, flush-delay-us=N, access-delay-ns=N, " \
	"timestamp-start=N, " \
	"reset-never-completes, l2-never-ready, dma-space=N, dma-map-fail-after=N, " \
	"mmu-command-delay-us=N, csf-step-budget=N, csf-instr-delay-ns=N, mcu-never-boots, " \
	"csf-ignore-csg-req"

/* Longest option item accepted; any valid one is far shorter. */
#define GP_MOCK_OPTION_MAX	128

static const struct gp_mock_option *gp_mock_option_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(gp_mock_options) / sizeof(gp_mock_options[0]); i++) {
		if (strlen(gp_mock_options[i].name) == len &&
		    !memcmp(gp_mock_options[i].name, name, len))
			return &gp_mock_options[i];
	}
	return NULL;
}

/*
 * A decimal or 0x-prefixed hexadecimal number, nothing else: strtoull()
 * alone would also take blanks, a sign (wrapping "-1" to 2^64-1), octal and
 * a second "0x", so the digits are checked before it converts them.
 *
 * Return: 0, -EINVAL if @s is not a number, -ERANGE if it exceeds @max.
 */
static int gp_mock_parse_number(const char *s, uint64_t max, uint64_t *out)
{
	const char *digits = "0123456789";
	unsigned long long v;
	char *end;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		digits = "0123456789abcdefABCDEF";
		base = 16;
	}
	if (!*s || s[strspn(s, digits)])
		return -EINVAL;

	errno = 0;
	v = strtoull(s, &end, base);
	assert(!*end);
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int gp_mock_option_apply(struct gp_mock_config *cfg, const char *item, char *err,
				size_t errlen)
{
	const char *eq = strchr(item, '=');
	size_t name_len = eq ? (size_t)(eq - item) : strlen(item);
	const struct gp_mock_option *opt = gp_mock_option_find(item, name_len);
	char *field = (char *)cfg;
	uint64_t max, v;
	int r;

	if (!opt)
		return gp_backend_config_error(err, errlen, "mock option '%s': unknown (known: %s)",
					   item, GP_MOCK_OPTIONS_HELP);

	if (opt->type == GP_MOCK_OPT_FLAG) {
		if (eq)
			return gp_backend_config_error(err, errlen, "mock option '%s': takes no value",
						   item);
		*(bool *)(field + opt->offset) = true;
		return 0;
	}

	if (!eq)
		return gp_backend_config_error(err, errlen, "mock option '%s': needs a value (%s=N)",
					   item, opt->name);

	max = opt->type == GP_MOCK_OPT_U32 ? UINT32_MAX : UINT64_MAX;
	r = gp_mock_parse_number(eq + 1, max, &v);
	if (r == -EINVAL)
		return gp_backend_config_error(err, errlen, "mock option '%s': not a number", item);
	if (r == -ERANGE)
		return gp_backend_config_error(err, errlen,
					   "mock option '%s': out of range (at most %" PRIu64 ")",
					   item, max);

	if (opt->type == GP_MOCK_OPT_U32)
		*(uint32_t *)(field + opt->offset) = (uint32_t)v;
	else
		*(uint64_t *)(field + opt->offset) = v;
	return 0;
}

int gp_mock_config_parse(struct gp_mock_config *cfg, const char *opts, char *err, size_t errlen)
{
	struct gp_mock_config parsed;

	assert(cfg);

	if (!opts || !*opts)
		return 0;

	/* Parse into a copy: a bad option anywhere leaves @cfg as it was. */
	parsed = *cfg;
	for (const char *p = opts;;) {
		size_t len = strcspn(p, ",");
		char item[GP_MOCK_OPTION_MAX];
		int r;

		if (!len)
			return gp_backend_config_error(err, errlen,
						   "mock options '%s': empty option (stray comma?)",
						   opts);
		if (len >= sizeof(item))
			return gp_backend_config_error(err, errlen, "mock option '%.32s...': too long", p);
		memcpy(item, p, len);
		item[len] = '\0';

		r = gp_mock_option_apply(&parsed, item, err, errlen);
		if (r < 0)
			return r;

		if (!p[len])
			break;
		p += len + 1;
	}

	*cfg = parsed;
	return 0;
}
