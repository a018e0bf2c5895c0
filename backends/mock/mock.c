// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Mock backend: an in-process model of a Mali-G610 (RK3588) register file.
 *
 * The model is a handful of registers behind one mutex.  Work the hardware
 * does "later" (reset completion, L2 power-up) is kept as a deadline; a
 * timer thread per binding applies it when the deadline passes, so the IRQ
 * eventfd fires without anybody polling, as a real interrupt would.
 * docs/mock.md lists every register and its origin.
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

#define NSEC_PER_SEC	1000000000ull
#define NSEC_PER_USEC	1000ull

/*
 * Below this an access delay is spun rather than slept: a nanosleep()
 * costs tens of microseconds of timer slack, which would swamp short
 * delays.
 */
#define GP_MOCK_SPIN_LIMIT_NS	100000u

#define GP_MOCK_ALL_ONES	UINT32_MAX

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

/* Signal the IRQ line.  A removed device raises nothing. */
static void gp_mock_irq_signal(struct gp_mock *m)
{
	if (m->removed)
		return;
	/* Only fails when the counter would overflow, which 2^64 signals take. */
	(void)eventfd_write(m->irq_fds[GP_MOCK_IRQ_GPU], 1);
	m->stats.irqs_raised++;
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
		gp_mock_irq_signal(m);
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

static void gp_mock_defer(struct gp_mock *m, struct gp_mock_deferred *d, uint32_t delay_us)
{
	d->pending = true;
	d->deadline_ns = gp_mock_now_ns() + (uint64_t)delay_us * NSEC_PER_USEC;
	pthread_cond_signal(&m->wake);
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

	default:
		return 0;
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
	default:
		/* Read-only and unmodelled registers ignore writes. */
		break;
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

	if (line != GP_MOCK_IRQ_GPU)
		return -EINVAL;

	pthread_mutex_lock(&m->lock);
	if (gp_mock_int_stat(m))
		gp_mock_irq_signal(m);
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
	/* As a VFIO container whose device is gone: nothing new is mapped. */
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
					memcpy(cpu, (const char *)buf + done, chunk);
				else
					memcpy((char *)buf + done, cpu, chunk);
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

	if (m->timer_started) {
		pthread_mutex_lock(&m->lock);
		m->stopping = true;
		pthread_cond_signal(&m->wake);
		pthread_mutex_unlock(&m->lock);
		pthread_join(m->timer, NULL);
	}
	if (m->dma_lock_initialized) {
		gp_mock_dma_release(m);
		pthread_mutex_destroy(&m->dma_lock);
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

	m->open_ns = gp_mock_now_ns();
	r = gp_mock_start_timer(m);
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
};

#define GP_MOCK_OPTIONS_HELP \
	"reset-delay-us=N, l2-power-delay-us=N, flush-delay-us=N, access-delay-ns=N, " \
	"timestamp-start=N, " \
	"reset-never-completes, l2-never-ready, dma-space=N, dma-map-fail-after=N, " \
	"mmu-command-delay-us=N"

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
