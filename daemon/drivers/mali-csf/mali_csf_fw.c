// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mali-csf: the MCU and its firmware interface, as panthor_fw.c serves
 * panthor_sched.c.
 *
 * The MCU sees memory through AS0 (the MCU VM, mali_csf_mmu.c).  The
 * shared section, where the firmware lays out its interfaces, sits at the
 * MCU VA a real image declares for it; the memory the driver allocates for
 * the MCU (queue interfaces, suspend buffers) follows it in the same
 * region, as panthor's kernel BOs do.  All of it is daemon memory the
 * device reaches by DMA: interface words are read and written with atomic
 * 32- and 64-bit accesses, as the firmware on the other side of the bus
 * does.
 *
 * Boot is panthor_fw_start() and panthor_fw_init_ifaces(): MCU_CONTROL
 * AUTO, a bounded wait for JOB_INT's GLOBAL_IF, then every control page
 * read and checked before the driver trusts a pointer in it.  Requests
 * follow the interface's protocol: a "toggle" request flips a bit in an
 * input page's req word and is done when the output page's ack word has
 * the same value in that bit; a doorbell says "look"; the job interrupt
 * says "answered" or reports an event (the firmware toggled an ack bit the
 * host then acknowledges by copying it into req).
 *
 * On anything but the mock there is no firmware to run yet: loading
 * mali_csffw.bin into the MCU's sections is not implemented, and
 * mali_csf_fw_init() returns -ENOTSUP (probe carries on without
 * submission; docs/deploy-rk3588.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "backend.h"
#include "log.h"
#include "mali_csf.h"
#include "mali_csf_fw.h"
#include "mali_csf_mmu.h"
#include "mali_csf_regs.h"
/* hw/'s layout, by path: its name is this directory's contract header's too. */
#include "../../../hw/mali_csf_fw.h"

#define MALI_REGION 0

/* Request and boot waits: 10 us polls of the output page, as panthor busy-waits first. */
#define FW_POLL_INTERVAL_US	10

/*
 * The boot's budget: panthor_fw_start() gives the MCU a second, not the
 * 100 ms of a request, and a loaded machine needs it (the mock's MCU is a
 * thread).  Requests keep MALI_CSF_POLL_TIMEOUT_US, as panthor's 100 ms.
 */
#define FW_BOOT_TIMEOUT_US	1000000

/* Timers of panthor_fw_init_global_iface(). */
#define FW_PWROFF_HYSTERESIS_US		10000
#define FW_IDLE_HYSTERESIS_US		800
#define FW_PROGRESS_TIMEOUT_CYCLES	(5ull * 500 * 1024 * 1024)
#define FW_PROGRESS_TIMEOUT_SCALE_SHIFT	10

/* What panthor_fw_init_ifaces() accepts. */
#define FW_MIN_CSGS		3
#define FW_MIN_CS_PER_CSG	8
#define FW_MAX_CSG_PRIO		0xf

/* Memory for the MCU: pages of the region above the shared section. */
#define FW_VA_PAGES	(MALI_CSF_SHARED_MAX_SIZE / MALI_CSF_PAGE_SIZE)

void (*mali_csf_fw_boot_probe)(void *shared, uint64_t size);

/* One allocation of mali_csf_fw_mem_alloc(), found again by its MCU VA. */
struct fw_alloc {
	struct fw_alloc *next;
	void *cpu;
	uint64_t mcu_va, size;
	struct gp_dma_mapping *dma;
};

/* An interface: its control block, input page and output page in the shared section. */
struct fw_iface {
	uint8_t *control, *input, *output;
};

struct fw_csg {
	struct fw_iface iface;
	unsigned int cs_count;
	struct fw_iface cs[MALI_CSF_MAX_CS];
};

/*
 * struct mali_csf_fw - the MCU: its VM, its memory, its interfaces.
 *
 * @fw_lock serialises requests and their bounded ack waits (boot, slot
 * start and terminate, halt).  @req_lock covers every read-modify-write of
 * an input page's req, doorbell_req and irq_ack words, which the IRQ path
 * makes too (panthor's per-interface spinlocks); it is held for a few
 * memory accesses only, never across a wait, so the IRQ path never waits
 * for a request.  Lock order: @fw_lock, then @req_lock.
 */
struct mali_csf_fw {
	pthread_mutex_t fw_lock;
	pthread_mutex_t req_lock;
	pthread_mutex_t mem_lock;	/* @allocs, @va_used */
	bool halted;			/* __atomic: no request may reach the MCU any more */

	struct mali_csf_vm *vm;		/* AS0 */
	void *shared_cpu;
	uint64_t shared_size;
	struct gp_dma_mapping *shared_dma;
	uint64_t region_first_page;	/* first page of the region after the shared section */

	struct fw_alloc *allocs;
	uint8_t va_used[FW_VA_PAGES / 8];

	struct fw_iface glb;
	struct fw_csg csg[MALI_CSF_MAX_CSG];

	struct mali_csf_fw_info info;
};

/* --- registers and interface words --- */

static uint32_t fw_reg_read(struct mali_csf_data *mali, uint32_t reg)
{
	return gp_backend_read32(mali->backend, MALI_REGION, reg);
}

static void fw_reg_write(struct mali_csf_data *mali, uint32_t reg, uint32_t value)
{
	gp_backend_write32(mali->backend, MALI_REGION, reg, value);
}

/* A register file reading all-ones has no GPU behind it any more. */
static bool fw_gpu_gone(struct mali_csf_data *mali)
{
	return fw_reg_read(mali, MALI_GPU_ID) == UINT32_MAX;
}

/*
 * Interface words: @page is a control block or an input or output page in
 * the shared section, @off a byte offset hw/mali_csf_fw.h names.  Atomic
 * and aligned, as the firmware on the other side of the bus accesses them.
 */
static uint32_t rd32(const uint8_t *page, uint32_t off)
{
	return __atomic_load_n((const uint32_t *)(const void *)(page + off), __ATOMIC_ACQUIRE);
}

static void wr32(uint8_t *page, uint32_t off, uint32_t v)
{
	__atomic_store_n((uint32_t *)(void *)(page + off), v, __ATOMIC_RELEASE);
}

static uint64_t rd64(const uint8_t *page, uint32_t off)
{
	return __atomic_load_n((const uint64_t *)(const void *)(page + off), __ATOMIC_ACQUIRE);
}

static void wr64(uint8_t *page, uint32_t off, uint64_t v)
{
	__atomic_store_n((uint64_t *)(void *)(page + off), v, __ATOMIC_RELEASE);
}

/* Set the @mask bits of the input word at @off to those of @value.  Context: req_lock held. */
static void req_update(uint8_t *in, uint32_t off, uint32_t value, uint32_t mask)
{
	wr32(in, off, (rd32(in, off) & ~mask) | (value & mask));
}

/*
 * A toggle request: make the @mask bits of the input word differ from the
 * output word's, which the firmware answers by flipping them back to
 * equal.  Context: req_lock held.
 */
static void req_toggle(uint8_t *in, uint32_t req_off, const uint8_t *out, uint32_t ack_off,
		       uint32_t mask)
{
	req_update(in, req_off, rd32(out, ack_off) ^ mask, mask);
}

static uint64_t fw_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void fw_sleep_us(unsigned int us)
{
	const struct timespec ts = { .tv_nsec = (long)us * 1000L };

	nanosleep(&ts, NULL);
}

/*
 * Wait until the @mask bits of the output word @ack_off equal those of
 * the input word @req_off, as
 * panthor_fw_wait_acks(), bounded by @timeout_us.  The output
 * page is daemon memory, so a removed device does not show as all-ones
 * there: every poll also reads GPU_ID, and a vanished GPU ends the wait
 * at once with -ENODEV instead of running out the budget.
 * @acked: out: the bits that were acknowledged (may be NULL).
 */
static int fw_wait_acks(struct mali_csf_data *mali, const uint8_t *in, uint32_t req_off,
			const uint8_t *out, uint32_t ack_off, uint32_t mask, uint32_t *acked,
			uint32_t timeout_us)
{
	uint64_t deadline = fw_now_us() + timeout_us;
	uint32_t want = rd32(in, req_off) & mask, got;

	for (;;) {
		bool late = fw_now_us() > deadline;

		got = rd32(out, ack_off) & mask;
		if (got == want)
			break;
		if (fw_gpu_gone(mali)) {
			if (acked)
				*acked = ~(want ^ got) & mask;
			return -ENODEV;
		}
		if (late) {
			if (acked)
				*acked = ~(want ^ got) & mask;
			return -ETIMEDOUT;
		}
		fw_sleep_us(FW_POLL_INTERVAL_US);
	}
	if (acked)
		*acked = mask;
	return 0;
}

/*
 * Poll register @reg until (value & @mask) == @want, bounded; all-ones is
 * a removed device, never a value this waits for.
 */
static int fw_poll_reg(struct mali_csf_data *mali, uint32_t reg, uint32_t mask, uint32_t want,
		       uint32_t *last, uint32_t timeout_us)
{
	uint64_t deadline = fw_now_us() + timeout_us;

	for (;;) {
		bool late = fw_now_us() > deadline;
		uint32_t v = fw_reg_read(mali, reg);

		if (last)
			*last = v;
		if (v == UINT32_MAX && fw_gpu_gone(mali))
			return -ENODEV;
		if ((v & mask) == want)
			return 0;
		if (late)
			return -ETIMEDOUT;
		fw_sleep_us(FW_POLL_INTERVAL_US * 10);
	}
}

/*
 * Wait for MCU_STATUS HALT after a HALT request, bounded.  An MCU in its
 * FATAL state never halts: -EIO at once rather than the whole budget.
 */
static int fw_wait_halt(struct mali_csf_data *mali, uint32_t *status)
{
	uint64_t deadline = fw_now_us() + MALI_CSF_POLL_TIMEOUT_US;

	for (;;) {
		bool late = fw_now_us() > deadline;

		*status = fw_reg_read(mali, MALI_MCU_STATUS);
		if (*status == UINT32_MAX && fw_gpu_gone(mali))
			return -ENODEV;
		if (*status == MALI_MCU_STATUS_HALT)
			return 0;
		if (*status == MALI_MCU_STATUS_FATAL)
			return -EIO;
		if (late)
			return -ETIMEDOUT;
		fw_sleep_us(FW_POLL_INTERVAL_US * 10);
	}
}

static void fw_ring_glb_doorbell(struct mali_csf_data *mali)
{
	fw_reg_write(mali, MALI_CSF_DOORBELL(MALI_CSF_GLB_DOORBELL_ID), 1);
}

/* As panthor_fw_ring_csg_doorbells(): ask the firmware to look at the CSGs of @csg_mask. */
static void fw_ring_csg_doorbells(struct mali_csf_data *mali, uint32_t csg_mask)
{
	struct mali_csf_fw *fw = mali->fw;

	pthread_mutex_lock(&fw->req_lock);
	req_toggle(fw->glb.input, MALI_GLB_DB_REQ, fw->glb.output, MALI_GLB_DB_ACK, csg_mask);
	pthread_mutex_unlock(&fw->req_lock);
	fw_ring_glb_doorbell(mali);
}

/* --- memory the MCU reaches --- */

static int fw_va_alloc(struct mali_csf_fw *fw, uint64_t pages, uint64_t *va)
{
	uint64_t run = 0;

	for (uint64_t p = fw->region_first_page; p < FW_VA_PAGES; p++) {
		if (fw->va_used[p / 8] & (1u << (p % 8))) {
			run = 0;
			continue;
		}
		if (++run == pages) {
			uint64_t first = p + 1 - pages;

			for (uint64_t q = first; q <= p; q++)
				fw->va_used[q / 8] |= (uint8_t)(1u << (q % 8));
			*va = MALI_CSF_SHARED_VA + first * MALI_CSF_PAGE_SIZE;
			return 0;
		}
	}
	return -ENOSPC;
}

static void fw_va_free(struct mali_csf_fw *fw, uint64_t va, uint64_t size)
{
	uint64_t first = (va - MALI_CSF_SHARED_VA) / MALI_CSF_PAGE_SIZE;

	for (uint64_t q = first; q < first + size / MALI_CSF_PAGE_SIZE; q++)
		fw->va_used[q / 8] &= (uint8_t)~(1u << (q % 8));
}

/*
 * Zeroed daemon memory, DMA-mapped and mapped at @va for the MCU: uncached
 * and not executable, as panthor maps the queue interfaces.
 */
static int fw_map_new(struct mali_csf_data *mali, uint64_t va, uint64_t size, void **cpu,
		      struct gp_dma_mapping **dma)
{
	int r;

	*cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (*cpu == MAP_FAILED) {
		*cpu = NULL;
		return -errno;
	}
	r = gp_backend_dma_map(mali->backend, *cpu, size, GP_DMA_BIDIRECTIONAL, dma);
	if (r < 0)
		goto err_unmap;
	r = mali_csf_mcu_vm_map(mali->fw->vm, va, *dma,
				GPU_PROTO_MALI_VM_BIND_OP_MAP_NOEXEC |
				GPU_PROTO_MALI_VM_BIND_OP_MAP_UNCACHED);
	if (r < 0)
		goto err_dma;
	return 0;

err_dma:
	/* Tables the failed map made stay empty until the VM goes. */
	mali_csf_vm_unmap(mali->fw->vm, va, size);
	gp_backend_dma_unmap(mali->backend, dma);
err_unmap:
	munmap(*cpu, size);
	*cpu = NULL;
	return r;
}

/* Take @va out of the MCU's tables (flushed), then the memory out of the device's reach. */
static void fw_unmap(struct mali_csf_data *mali, uint64_t va, uint64_t size, void **cpu,
		     struct gp_dma_mapping **dma)
{
	if (mali->fw->vm)
		mali_csf_vm_unmap(mali->fw->vm, va, size);
	gp_backend_dma_unmap(mali->backend, dma);
	if (*cpu)
		munmap(*cpu, size);
	*cpu = NULL;
}

int mali_csf_fw_mem_alloc(struct mali_csf_data *mali, uint64_t size, struct mali_csf_fw_mem *mem)
{
	struct mali_csf_fw *fw = mali->fw;
	struct fw_alloc *a;
	int r;

	memset(mem, 0, sizeof(*mem));
	if (!fw)
		return -ENODEV;
	if (!size)
		return -EINVAL;
	if (size > MALI_CSF_SHARED_MAX_SIZE)
		return -ENOSPC;
	size = (size + MALI_CSF_PAGE_SIZE - 1) & ~(MALI_CSF_PAGE_SIZE - 1);
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->size = size;

	pthread_mutex_lock(&fw->mem_lock);
	r = fw_va_alloc(fw, size / MALI_CSF_PAGE_SIZE, &a->mcu_va);
	pthread_mutex_unlock(&fw->mem_lock);
	if (r < 0) {
		free(a);
		return r;
	}
	r = fw_map_new(mali, a->mcu_va, size, &a->cpu, &a->dma);
	if (r < 0) {
		pthread_mutex_lock(&fw->mem_lock);
		fw_va_free(fw, a->mcu_va, size);
		pthread_mutex_unlock(&fw->mem_lock);
		free(a);
		return r;
	}

	pthread_mutex_lock(&fw->mem_lock);
	a->next = fw->allocs;
	fw->allocs = a;
	pthread_mutex_unlock(&fw->mem_lock);

	mem->cpu = a->cpu;
	mem->mcu_va = a->mcu_va;
	mem->dma_addr = a->dma->segments[0].addr;
	mem->size = size;
	return 0;
}

void mali_csf_fw_mem_free(struct mali_csf_data *mali, struct mali_csf_fw_mem *mem)
{
	struct mali_csf_fw *fw = mali->fw;
	struct fw_alloc **pa, *a = NULL;

	if (!mem->size) {
		memset(mem, 0, sizeof(*mem));
		return;
	}
	/* After fw_fini() everything was freed already. */
	if (fw) {
		pthread_mutex_lock(&fw->mem_lock);
		for (pa = &fw->allocs; *pa; pa = &(*pa)->next)
			if ((*pa)->mcu_va == mem->mcu_va) {
				a = *pa;
				*pa = a->next;
				break;
			}
		pthread_mutex_unlock(&fw->mem_lock);
	}
	if (a) {
		fw_unmap(mali, a->mcu_va, a->size, &a->cpu, &a->dma);
		pthread_mutex_lock(&fw->mem_lock);
		fw_va_free(fw, a->mcu_va, a->size);
		pthread_mutex_unlock(&fw->mem_lock);
		free(a);
	}
	memset(mem, 0, sizeof(*mem));
}

/* --- the interfaces, read and checked --- */

/* The CPU address of [@mcu_va, + @size) if it lies in the shared section, else NULL. */
static uint8_t *fw_shared_ptr(const struct mali_csf_fw *fw, uint64_t mcu_va, uint64_t size)
{
	uint64_t off;

	if (mcu_va < MALI_CSF_SHARED_VA)
		return NULL;
	off = mcu_va - MALI_CSF_SHARED_VA;
	if (off > fw->shared_size || size > fw->shared_size - off)
		return NULL;
	/* Interface words are accessed atomically: blocks must be aligned. */
	if (off % 8)
		return NULL;
	return (uint8_t *)fw->shared_cpu + off;
}

#define fw_proto_error(mali, fmt, ...)						\
	gp_log_errno(LOG_ERR, EPROTO, "mali-csf: %s: malformed firmware interface: " fmt, \
		     (mali)->backend->bus_id, ##__VA_ARGS__)

/*
 * Point @iface at the control block @off bytes into the shared section and
 * at the input and output pages it names.  Return: 0, or -EPROTO (logged)
 * when any of them is not inside the section.
 */
static int fw_iface_bind(struct mali_csf_data *mali, struct fw_iface *iface, const char *name,
			 uint64_t off, uint32_t control_size, uint32_t in_va_off, uint32_t out_va_off,
			 uint32_t in_size, uint32_t out_size)
{
	struct mali_csf_fw *fw = mali->fw;
	uint32_t in_va, out_va;

	iface->control = fw_shared_ptr(fw, MALI_CSF_SHARED_VA + off, control_size);
	if (!iface->control)
		return fw_proto_error(mali, "%s control block at offset 0x%" PRIx64
				      " does not fit the %" PRIu64 "-byte shared section",
				      name, off, fw->shared_size);
	in_va = rd32(iface->control, in_va_off);
	out_va = rd32(iface->control, out_va_off);
	iface->input = fw_shared_ptr(fw, in_va, in_size);
	iface->output = fw_shared_ptr(fw, out_va, out_size);
	if (!iface->input || !iface->output) {
		/* Half an interface is none: halt must not use it. */
		iface->input = NULL;
		iface->output = NULL;
		return fw_proto_error(mali, "%s input page 0x%x / output page 0x%x not inside the shared section [0x%llx, +0x%" PRIx64 ")",
				      name, in_va, out_va, (unsigned long long)MALI_CSF_SHARED_VA,
				      fw->shared_size);
	}
	return 0;
}

static int fw_parse_csg(struct mali_csf_data *mali, unsigned int g, uint32_t group_stride)
{
	struct mali_csf_fw *fw = mali->fw;
	struct fw_csg *csg = &fw->csg[g];
	uint64_t off = MALI_CSF_GROUP_CONTROL + (uint64_t)g * group_stride;
	uint32_t stream_num, stream_stride;
	char name[32];
	int r;

	snprintf(name, sizeof(name), "CSG%u", g);
	r = fw_iface_bind(mali, &csg->iface, name, off, MALI_CSG_CONTROL_SIZE,
			  MALI_CSG_CONTROL_INPUT_VA, MALI_CSG_CONTROL_OUTPUT_VA, MALI_CSG_INPUT_SIZE,
			  MALI_CSG_OUTPUT_SIZE);
	if (r < 0)
		return r;
	stream_num = rd32(csg->iface.control, MALI_CSG_CONTROL_STREAM_NUM);
	stream_stride = rd32(csg->iface.control, MALI_CSG_CONTROL_STREAM_STRIDE);
	if (stream_num < FW_MIN_CS_PER_CSG || stream_num > MALI_CSF_MAX_CS)
		return fw_proto_error(mali, "CSG%u has %u streams (expected %u to %u)", g, stream_num,
				      FW_MIN_CS_PER_CSG, MALI_CSF_MAX_CS);
	if (stream_stride < MALI_CS_CONTROL_SIZE || stream_stride % 4)
		return fw_proto_error(mali, "CSG%u stream stride %u: not a multiple of 4 of at least %u bytes",
				      g, stream_stride, MALI_CS_CONTROL_SIZE);
	if (g > 0) {
		const uint8_t *c = csg->iface.control, *c0 = fw->csg[0].iface.control;
		static const uint32_t same[] = {
			MALI_CSG_CONTROL_FEATURES, MALI_CSG_CONTROL_SUSPEND_SIZE,
			MALI_CSG_CONTROL_PROTM_SUSPEND_SIZE, MALI_CSG_CONTROL_STREAM_NUM,
		};

		/* panthor's compare_csg(): every slot must be alike. */
		for (unsigned int i = 0; i < sizeof(same) / sizeof(same[0]); i++)
			if (rd32(c, same[i]) != rd32(c0, same[i]))
				return fw_proto_error(mali, "CSG%u differs from CSG0 at control offset 0x%x (0x%x, not 0x%x)",
						      g, same[i], rd32(c, same[i]), rd32(c0, same[i]));
	}
	csg->cs_count = stream_num;
	for (unsigned int s = 0; s < stream_num; s++) {
		struct fw_iface *cs = &csg->cs[s];

		snprintf(name, sizeof(name), "CSG%u CS%u", g, s);
		r = fw_iface_bind(mali, cs, name,
				  off + MALI_CSF_STREAM_CONTROL + (uint64_t)s * stream_stride,
				  MALI_CS_CONTROL_SIZE, MALI_CS_CONTROL_INPUT_VA,
				  MALI_CS_CONTROL_OUTPUT_VA, MALI_CS_INPUT_SIZE, MALI_CS_OUTPUT_SIZE);
		if (r < 0)
			return r;
		/* panthor_init_cs_iface(): every stream must be alike. */
		if (rd32(cs->control, MALI_CS_CONTROL_FEATURES) !=
		    rd32(fw->csg[0].cs[0].control, MALI_CS_CONTROL_FEATURES))
			return fw_proto_error(mali, "CSG%u CS%u features 0x%x differ from CSG0 CS0's 0x%x",
					      g, s, rd32(cs->control, MALI_CS_CONTROL_FEATURES),
					      rd32(fw->csg[0].cs[0].control, MALI_CS_CONTROL_FEATURES));
	}
	return 0;
}

/* As panthor_fw_init_ifaces(), and the counts panthor_sched_init() derives. */
static int fw_parse_ifaces(struct mali_csf_data *mali)
{
	struct mali_csf_fw *fw = mali->fw;
	struct mali_csf_fw_info *info = &fw->info;
	uint32_t version, group_num, group_stride, cs_features;
	const uint8_t *c;
	int r;

	version = rd32(fw->shared_cpu, MALI_GLB_CONTROL_VERSION);
	if (!version)
		return fw_proto_error(mali, "GLB_VERSION is 0 (the firmware did not fill its interface)");
	r = fw_iface_bind(mali, &fw->glb, "GLB", 0, MALI_GLB_CONTROL_SIZE, MALI_GLB_CONTROL_INPUT_VA,
			  MALI_GLB_CONTROL_OUTPUT_VA, MALI_GLB_INPUT_SIZE, MALI_GLB_OUTPUT_SIZE);
	if (r < 0)
		return r;
	c = fw->glb.control;
	group_num = rd32(c, MALI_GLB_CONTROL_GROUP_NUM);
	group_stride = rd32(c, MALI_GLB_CONTROL_GROUP_STRIDE);
	/* JOB_INT has 31 CSG bits. */
	if (group_num < FW_MIN_CSGS || group_num > MALI_CSF_MAX_CSGS)
		return fw_proto_error(mali, "%u CSG slots (expected %u to %u)", group_num, FW_MIN_CSGS,
				      MALI_CSF_MAX_CSGS);
	if (group_stride < MALI_CSG_CONTROL_SIZE || group_stride % 4)
		return fw_proto_error(mali, "group stride %u: not a multiple of 4 of at least %u bytes",
				      group_stride, MALI_CSG_CONTROL_SIZE);
	/* One slot per CSG priority, as panthor_sched_init() clamps. */
	if (group_num > MALI_CSF_MAX_CSG)
		group_num = MALI_CSF_MAX_CSG;
	for (unsigned int g = 0; g < group_num; g++) {
		r = fw_parse_csg(mali, g, group_stride);
		if (r < 0)
			return r;
	}

	cs_features = rd32(fw->csg[0].cs[0].control, MALI_CS_CONTROL_FEATURES);
	info->glb_version = version;
	info->glb_features = rd32(c, MALI_GLB_CONTROL_FEATURES);
	/* instr_features exists from interface 1.1. */
	info->instr_features = version >= MALI_CSF_IFACE_VERSION(1, 1, 0) ?
			       rd32(c, MALI_GLB_CONTROL_INSTR_FEATURES) : 0;
	info->csg_count = group_num;
	info->cs_per_csg = fw->csg[0].cs_count;
	info->csg_suspend_size = rd32(fw->csg[0].iface.control, MALI_CSG_CONTROL_SUSPEND_SIZE);
	info->csg_protm_suspend_size = rd32(fw->csg[0].iface.control,
					    MALI_CSG_CONTROL_PROTM_SUSPEND_SIZE);
	info->cs_reg_count = MALI_CS_FEATURES_WORK_REGS(cs_features);
	info->scoreboard_slot_count = MALI_CS_FEATURES_SCOREBOARDS(cs_features);
	info->unpreserved_cs_reg_count = MALI_CSF_UNPRESERVED_REG_COUNT;
	gp_log_info("mali-csf: %s: CSF firmware interface %u.%u.%u, features 0x%x, %u CSG slots of %u streams",
		    mali->backend->bus_id, MALI_CSF_IFACE_VERSION_MAJOR(version),
		    MALI_CSF_IFACE_VERSION_MINOR(version), MALI_CSF_IFACE_VERSION_PATCH(version),
		    info->glb_features, info->csg_count, info->cs_per_csg);
	return 0;
}

/*
 * A timeout in the firmware's timer units, as panthor_fw_conv_timeout():
 * ticks of the system counter (the timestamp's) in units of 1024, or the
 * GPU-counter source at its maximum when the rate is unknown.
 */
static uint32_t fw_conv_timeout(const struct mali_csf_data *mali, uint32_t timeout_us)
{
	uint64_t rate = mali->timestamp_frequency, cycles;

	if (!rate)
		return MALI_GLB_TIMER_VAL(~0u) | MALI_GLB_TIMER_SOURCE_GPU_COUNTER;
	cycles = ((uint64_t)timeout_us * rate + (1000000ull << 10) - 1) / (1000000ull << 10);
	if (cycles > MALI_GLB_TIMER_VAL(~0u))
		cycles = MALI_GLB_TIMER_VAL(~0u);
	return MALI_GLB_TIMER_VAL((uint32_t)cycles);
}

/* As panthor_fw_init_global_iface(), then waiting for the configuration's acks. */
static int fw_init_glb(struct mali_csf_data *mali)
{
	struct mali_csf_fw *fw = mali->fw;
	uint8_t *in = fw->glb.input;
	const uint32_t cfg = MALI_GLB_CFG_ALLOC_EN | MALI_GLB_CFG_POWEROFF_TIMER |
			     MALI_GLB_CFG_PROGRESS_TIMER;
	uint32_t acked;
	int r;

	wr64(in, MALI_GLB_CORE_EN_MASK, mali->gpu_info.shader_present);
	wr32(in, MALI_GLB_POWEROFF_TIMER, fw_conv_timeout(mali, FW_PWROFF_HYSTERESIS_US));
	wr32(in, MALI_GLB_PROGRESS_TIMER,
	     (uint32_t)(FW_PROGRESS_TIMEOUT_CYCLES >> FW_PROGRESS_TIMEOUT_SCALE_SHIFT));
	wr32(in, MALI_GLB_IDLE_TIMER, fw_conv_timeout(mali, FW_IDLE_HYSTERESIS_US));
	wr32(in, MALI_GLB_ACK_IRQ_MASK,
	     cfg | MALI_GLB_PING | MALI_GLB_IDLE_EN | MALI_GLB_IDLE);

	pthread_mutex_lock(&fw->req_lock);
	req_update(in, MALI_GLB_REQ, MALI_GLB_IDLE_EN, MALI_GLB_IDLE_EN);
	req_toggle(in, MALI_GLB_REQ, fw->glb.output, MALI_GLB_ACK, cfg);
	pthread_mutex_unlock(&fw->req_lock);
	fw_ring_glb_doorbell(mali);

	/* Part of the boot: its budget. */
	r = fw_wait_acks(mali, in, MALI_GLB_REQ, fw->glb.output, MALI_GLB_ACK, cfg, &acked,
			 FW_BOOT_TIMEOUT_US);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r,
				    "mali-csf: %s: firmware did not acknowledge the global configuration within %d ms (acked 0x%x of 0x%x)",
				    mali->backend->bus_id, FW_BOOT_TIMEOUT_US / 1000, acked, cfg);
	return 0;
}

/* As panthor_fw_start(): MCU_CONTROL AUTO, then wait for GLOBAL_IF. */
static int fw_start(struct mali_csf_data *mali)
{
	static const char *const status_names[] = { "disabled", "enabled", "halt", "fatal" };
	uint32_t status;
	int r;

	fw_reg_write(mali, MALI_JOB_INT_MASK, 0);
	fw_reg_write(mali, MALI_JOB_INT_CLEAR, UINT32_MAX);
	fw_reg_write(mali, MALI_MCU_CONTROL, MALI_MCU_CONTROL_AUTO);
	r = fw_poll_reg(mali, MALI_JOB_INT_RAWSTAT, MALI_JOB_INT_GLOBAL_IF, MALI_JOB_INT_GLOBAL_IF,
			NULL, FW_BOOT_TIMEOUT_US);
	if (r < 0) {
		status = fw_reg_read(mali, MALI_MCU_STATUS);
		return gp_log_errno(LOG_ERR, r, "mali-csf: %s: MCU did not boot within %d ms (MCU_STATUS %s)",
				    mali->backend->bus_id, FW_BOOT_TIMEOUT_US / 1000,
				    status < 4 ? status_names[status] : "unknown");
	}
	fw_reg_write(mali, MALI_JOB_INT_CLEAR, MALI_JOB_INT_GLOBAL_IF);
	return 0;
}

/* Free what mali_csf_fw_init() set up, in reverse; also its partial states. */
static void fw_free(struct mali_csf_data *mali)
{
	struct mali_csf_fw *fw = mali->fw;

	while (fw->allocs) {
		struct fw_alloc *a = fw->allocs;

		fw->allocs = a->next;
		fw_unmap(mali, a->mcu_va, a->size, &a->cpu, &a->dma);
		free(a);
	}
	if (fw->shared_cpu || fw->shared_dma)
		fw_unmap(mali, MALI_CSF_SHARED_VA, fw->shared_size, &fw->shared_cpu, &fw->shared_dma);
	mali_csf_mcu_vm_destroy(&fw->vm);
	pthread_mutex_destroy(&fw->mem_lock);
	pthread_mutex_destroy(&fw->req_lock);
	pthread_mutex_destroy(&fw->fw_lock);
	free(fw);
	mali->fw = NULL;
}

int mali_csf_fw_init(struct mali_csf_data *mali)
{
	struct gp_backend *be = mali->backend;
	struct mali_csf_fw *fw;
	int r;

	/*
	 * Only the mock's MCU serves the interface without an image; on a
	 * board the MCU needs mali_csffw.bin's sections loaded first.
	 */
	if (be->bus != GP_BUS_MOCK) {
		gp_log_info("mali-csf: %s: loading the MCU firmware (mali_csffw.bin) is not implemented; "
			    "GPU job submission is unavailable, queries and GPU memory work",
			    be->bus_id);
		return -ENOTSUP;
	}
	if (mali->job_irq_line == UINT_MAX)
		return gp_log_errno(LOG_ERR, ENOTSUP, "mali-csf: %s: the binding has no job interrupt line",
				    be->bus_id);
	if (be->regions[MALI_REGION].size < MALI_CSF_DOORBELL(MALI_CSF_MAX_CSG + 1) + 4)
		return gp_log_errno(LOG_ERR, ENXIO,
				    "mali-csf: %s: register region too small for the CSF doorbell pages",
				    be->bus_id);

	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return -ENOMEM;
	pthread_mutex_init(&fw->fw_lock, NULL);
	pthread_mutex_init(&fw->req_lock, NULL);
	pthread_mutex_init(&fw->mem_lock, NULL);
	/* What the mock's "image" declares; a loader would take it from the image. */
	fw->shared_size = MALI_CSF_MOCK_SHARED_SIZE;
	fw->region_first_page = fw->shared_size / MALI_CSF_PAGE_SIZE;
	mali->fw = fw;

	r = mali_csf_mcu_vm_create(mali, &fw->vm);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "mali-csf: %s: cannot set up the MCU's address space (AS0)",
			     be->bus_id);
		goto err;
	}
	r = fw_map_new(mali, MALI_CSF_SHARED_VA, fw->shared_size, &fw->shared_cpu, &fw->shared_dma);
	if (r < 0) {
		gp_log_errno(LOG_ERR, r, "mali-csf: %s: cannot map the MCU's shared section", be->bus_id);
		goto err;
	}
	r = fw_start(mali);
	if (r < 0)
		goto err_stop;
	if (mali_csf_fw_boot_probe)
		mali_csf_fw_boot_probe(fw->shared_cpu, fw->shared_size);
	r = fw_parse_ifaces(mali);
	if (r < 0)
		goto err_stop;
	r = fw_init_glb(mali);
	if (r < 0)
		goto err_stop;
	/* The global interface and every CSG slot may interrupt from now on. */
	fw_reg_write(mali, MALI_JOB_INT_CLEAR, UINT32_MAX);
	fw_reg_write(mali, MALI_JOB_INT_MASK,
		     MALI_JOB_INT_GLOBAL_IF | ((1u << fw->info.csg_count) - 1));
	return 0;

err_stop:
	mali_csf_fw_halt(mali);
err:
	fw_free(mali);
	return r;
}

/*
 * As panthor_fw_pre_reset() then panthor_fw_stop(): ask the firmware to
 * halt, wait for MCU_STATUS HALT, then disable the MCU.  Every wait is
 * bounded and ends at once on a removed device.
 */
void mali_csf_fw_halt(struct mali_csf_data *mali)
{
	struct mali_csf_fw *fw = mali->fw;
	uint32_t status = 0;
	int r;

	if (!fw)
		return;
	pthread_mutex_lock(&fw->fw_lock);
	if (__atomic_exchange_n(&fw->halted, true, __ATOMIC_ACQ_REL))
		goto out;
	fw_reg_write(mali, MALI_JOB_INT_MASK, 0);
	if (fw_gpu_gone(mali))
		goto out;
	if (fw->glb.input) {
		pthread_mutex_lock(&fw->req_lock);
		req_update(fw->glb.input, MALI_GLB_REQ, MALI_GLB_HALT, MALI_GLB_HALT);
		pthread_mutex_unlock(&fw->req_lock);
		fw_ring_glb_doorbell(mali);
		r = fw_wait_halt(mali, &status);
		if (r == -EIO)
			gp_log_warning("mali-csf: %s: MCU in a fatal state, not halted; disabling it",
				       mali->backend->bus_id);
		else if (r == -ETIMEDOUT)
			gp_log_warning("mali-csf: %s: MCU did not halt within %d ms (MCU_STATUS %u)",
				       mali->backend->bus_id, MALI_CSF_POLL_TIMEOUT_US / 1000, status);
		else if (r == 0 && rd32(fw->glb.output, MALI_GLB_HALT_STATUS) != MALI_GLB_HALT_OK)
			gp_log_warning("mali-csf: %s: MCU halted with status 0x%x",
				       mali->backend->bus_id,
				       rd32(fw->glb.output, MALI_GLB_HALT_STATUS));
		/* The firmware acts on HALT's 0 -> 1 edge: leave it 0 for a next boot. */
		pthread_mutex_lock(&fw->req_lock);
		req_update(fw->glb.input, MALI_GLB_REQ, 0, MALI_GLB_HALT);
		pthread_mutex_unlock(&fw->req_lock);
		if (r == -ENODEV)
			goto out;
	}
	fw_reg_write(mali, MALI_MCU_CONTROL, MALI_MCU_CONTROL_DISABLE);
	r = fw_poll_reg(mali, MALI_MCU_STATUS, UINT32_MAX, MALI_MCU_STATUS_DISABLED, &status,
			MALI_CSF_POLL_TIMEOUT_US);
	if (r == -ETIMEDOUT)
		gp_log_warning("mali-csf: %s: MCU not disabled within %d ms (MCU_STATUS %u)",
			       mali->backend->bus_id, MALI_CSF_POLL_TIMEOUT_US / 1000, status);
out:
	pthread_mutex_unlock(&fw->fw_lock);
}

void mali_csf_fw_fini(struct mali_csf_data *mali)
{
	if (!mali->fw)
		return;
	mali_csf_fw_halt(mali);
	fw_free(mali);
}

const struct mali_csf_fw_info *mali_csf_fw_get_info(const struct mali_csf_data *mali)
{
	return mali->fw ? &mali->fw->info : NULL;
}

/* --- group slots --- */

static int fw_check_csg_config(const struct mali_csf_fw *fw, unsigned int slot,
			       const struct mali_csf_csg_config *cfg)
{
	if (slot >= fw->info.csg_count)
		return -EINVAL;
	/* AS0 is the MCU's. */
	if (cfg->as == 0 || cfg->as >= MALI_CSF_MAX_AS || cfg->priority > FW_MAX_CSG_PRIO)
		return -EINVAL;
	if (!cfg->cs_count || cfg->cs_count > fw->csg[slot].cs_count)
		return -EINVAL;
	for (unsigned int i = 0; i < cfg->cs_count; i++) {
		const struct mali_csf_cs_config *cs = &cfg->cs[i];

		if (!cs->enabled)
			continue;
		if (cs->priority > 15 || cs->ringbuf_size < 4096 ||
		    (cs->ringbuf_size & (cs->ringbuf_size - 1)) || !cs->ringbuf_input_va ||
		    !cs->ringbuf_output_va)
			return -EINVAL;
	}
	return 0;
}

/* As panthor's cs_slot_prog_locked().  Context: req_lock held. */
static void fw_cs_prog(struct fw_iface *cs, unsigned int slot, const struct mali_csf_cs_config *c)
{
	uint8_t *in = cs->input;

	wr64(in, MALI_CS_RINGBUF_BASE, c->ringbuf_va);
	wr32(in, MALI_CS_RINGBUF_SIZE, c->ringbuf_size);
	wr64(in, MALI_CS_RINGBUF_INPUT, c->ringbuf_input_va);
	wr64(in, MALI_CS_RINGBUF_OUTPUT, c->ringbuf_output_va);
	wr64(in, MALI_CS_HEAP_START, c->heap_start);
	wr64(in, MALI_CS_HEAP_END, c->heap_end);
	/* One doorbell per group slot, after the global one, as panthor assigns them. */
	wr32(in, MALI_CS_CONFIG, MALI_CS_CONFIG_PRIORITY(c->priority) |
				 MALI_CS_CONFIG_DOORBELL(slot + 1));
	wr32(in, MALI_CS_ACK_IRQ_MASK, UINT32_MAX);
	req_update(in, MALI_CS_REQ,
		   MALI_CS_IDLE_SYNC_WAIT | MALI_CS_IDLE_EMPTY | MALI_CS_STATE_START |
		   MALI_CS_EXTRACT_EVENT,
		   MALI_CS_IDLE_SYNC_WAIT | MALI_CS_IDLE_EMPTY | MALI_CS_STATE_MASK |
		   MALI_CS_EXTRACT_EVENT);
}

static int fw_csg_wait(struct mali_csf_data *mali, unsigned int slot, uint32_t mask,
		       const char *what)
{
	struct fw_iface *csg = &mali->fw->csg[slot].iface;
	uint32_t acked;
	int r = fw_wait_acks(mali, csg->input, MALI_CSG_REQ, csg->output, MALI_CSG_ACK, mask,
			     &acked, MALI_CSF_POLL_TIMEOUT_US);

	if (r == -ETIMEDOUT)
		gp_log_error("mali-csf: %s: CSG slot %u: %s not acknowledged within %d ms (acked 0x%x of 0x%x)",
			     mali->backend->bus_id, slot, what, MALI_CSF_POLL_TIMEOUT_US / 1000, acked,
			     mask);
	return r;
}

/* A halted or vanished MCU takes no request.  Context: fw_lock held. */
static bool fw_usable(struct mali_csf_data *mali)
{
	return !__atomic_load_n(&mali->fw->halted, __ATOMIC_ACQUIRE) && !fw_gpu_gone(mali);
}

int mali_csf_csg_start(struct mali_csf_data *mali, unsigned int slot,
		       const struct mali_csf_csg_config *cfg)
{
	struct mali_csf_fw *fw = mali->fw;
	uint32_t queue_mask = 0;
	struct fw_csg *csg;
	uint8_t *in;
	int r;

	if (!fw)
		return -ENODEV;
	r = fw_check_csg_config(fw, slot, cfg);
	if (r < 0)
		return r;
	csg = &fw->csg[slot];
	in = csg->iface.input;

	pthread_mutex_lock(&fw->fw_lock);
	if (!fw_usable(mali)) {
		r = -ENODEV;
		goto out;
	}
	/* As panthor's csg_slot_prog_locked(), then the START request of its tick. */
	pthread_mutex_lock(&fw->req_lock);
	for (unsigned int i = 0; i < csg->cs_count; i++) {
		if (i < cfg->cs_count && cfg->cs[i].enabled) {
			fw_cs_prog(&csg->cs[i], slot, &cfg->cs[i]);
			queue_mask |= 1u << i;
		} else {
			req_update(csg->cs[i].input, MALI_CS_REQ, MALI_CS_STATE_STOP,
				   MALI_CS_STATE_MASK);
		}
	}
	wr64(in, MALI_CSG_ALLOW_COMPUTE, cfg->compute_mask);
	wr64(in, MALI_CSG_ALLOW_FRAGMENT, cfg->fragment_mask);
	wr32(in, MALI_CSG_ALLOW_OTHER, cfg->tiler_mask);
	wr32(in, MALI_CSG_EP_REQ,
	     MALI_CSG_EP_REQ_COMPUTE(cfg->max_compute_cores) |
	     MALI_CSG_EP_REQ_FRAGMENT(cfg->max_fragment_cores) |
	     MALI_CSG_EP_REQ_TILER(cfg->max_tiler_cores) | MALI_CSG_EP_REQ_PRIORITY(cfg->priority));
	wr32(in, MALI_CSG_CONFIG, cfg->as);
	wr64(in, MALI_CSG_SUSPEND_BUF, cfg->suspend_buf);
	wr64(in, MALI_CSG_PROTM_SUSPEND_BUF, cfg->protm_suspend_buf);
	wr32(in, MALI_CSG_ACK_IRQ_MASK, UINT32_MAX);
	req_toggle(in, MALI_CSG_DB_REQ, csg->iface.output, MALI_CSG_DB_ACK, queue_mask);
	req_update(in, MALI_CSG_REQ, MALI_CSG_STATE_START, MALI_CSG_STATE_MASK);
	req_toggle(in, MALI_CSG_REQ, csg->iface.output, MALI_CSG_ACK, MALI_CSG_ENDPOINT_CONFIG);
	pthread_mutex_unlock(&fw->req_lock);

	fw_ring_csg_doorbells(mali, 1u << slot);
	r = fw_csg_wait(mali, slot, MALI_CSG_STATE_MASK | MALI_CSG_ENDPOINT_CONFIG, "START");
out:
	pthread_mutex_unlock(&fw->fw_lock);
	return r;
}

int mali_csf_csg_terminate(struct mali_csf_data *mali, unsigned int slot)
{
	struct mali_csf_fw *fw = mali->fw;
	int r;

	if (!fw)
		return -ENODEV;
	if (slot >= fw->info.csg_count)
		return -EINVAL;
	pthread_mutex_lock(&fw->fw_lock);
	if (!fw_usable(mali)) {
		r = -ENODEV;
		goto out;
	}
	pthread_mutex_lock(&fw->req_lock);
	/*
	 * Streams back to STOP too, as panthor's cs_slot_reset_locked(): a
	 * START left in a stream's REQ would ask the firmware to run it again.
	 */
	for (unsigned int i = 0; i < fw->csg[slot].cs_count; i++)
		req_update(fw->csg[slot].cs[i].input, MALI_CS_REQ, MALI_CS_STATE_STOP,
			   MALI_CS_STATE_MASK);
	req_update(fw->csg[slot].iface.input, MALI_CSG_REQ, MALI_CSG_STATE_TERMINATE,
		   MALI_CSG_STATE_MASK);
	pthread_mutex_unlock(&fw->req_lock);
	fw_ring_csg_doorbells(mali, 1u << slot);
	r = fw_csg_wait(mali, slot, MALI_CSG_STATE_MASK, "TERMINATE");
out:
	pthread_mutex_unlock(&fw->fw_lock);
	return r;
}

void mali_csf_cs_ring_doorbell(struct mali_csf_data *mali, unsigned int slot, unsigned int cs)
{
	struct mali_csf_fw *fw = mali->fw;

	if (!fw || slot >= fw->info.csg_count || cs >= fw->csg[slot].cs_count ||
	    __atomic_load_n(&fw->halted, __ATOMIC_ACQUIRE))
		return;
	/* Every stream of a slot shares the slot's doorbell (fw_cs_prog()). */
	fw_reg_write(mali, MALI_CSF_DOORBELL(slot + 1), 1);
}

void mali_csf_cs_get_status(struct mali_csf_data *mali, unsigned int slot, unsigned int cs,
			    struct mali_csf_cs_status *st)
{
	struct mali_csf_fw *fw = mali->fw;
	const uint8_t *out;

	memset(st, 0, sizeof(*st));
	if (!fw || slot >= fw->info.csg_count || cs >= fw->csg[slot].cs_count)
		return;
	out = fw->csg[slot].cs[cs].output;
	st->cmd_ptr = rd64(out, MALI_CS_STATUS_CMD_PTR);
	st->blocked_reason = rd32(out, MALI_CS_STATUS_BLOCKED_REASON);
	st->fault = rd32(out, MALI_CS_FAULT);
	st->fatal = rd32(out, MALI_CS_FATAL);
	st->fault_info = rd64(out, MALI_CS_FAULT_INFO);
	st->fatal_info = rd64(out, MALI_CS_FATAL_INFO);
}

/* --- the job interrupt --- */

/* What one CSG slot reported, gathered under req_lock, acted on after. */
struct fw_csg_events {
	uint32_t csg;			/* MALI_CSG_EVT_MASK bits that fired */
	uint32_t cs_fault, cs_fatal;	/* streams */
};

/*
 * As panthor's sched_process_csg_irq_locked() and
 * cs_slot_process_irq_locked(): acknowledge the stream IRQs first
 * (IRQ_ACK := IRQ_REQ), so an event the firmware raises meanwhile
 * interrupts again; then each stream's FATAL and FAULT (copied from ACK to
 * REQ) and the group's events; a faulted stream gets its doorbell toggled
 * to resume, and the slot's CSG doorbell bit says "look".  The caller
 * rings the global doorbell.  Context: req_lock held.
 */
static void fw_csg_irq(struct mali_csf_fw *fw, unsigned int slot, struct fw_csg_events *ev)
{
	struct fw_csg *csg = &fw->csg[slot];
	uint8_t *in = csg->iface.input;
	const uint8_t *out = csg->iface.output;
	uint32_t req = rd32(in, MALI_CSG_REQ), ack = rd32(out, MALI_CSG_ACK);
	uint32_t irq_req = rd32(out, MALI_CSG_IRQ_REQ);
	uint32_t cs_irqs = irq_req ^ rd32(in, MALI_CSG_IRQ_ACK);
	uint32_t fault_db = 0;

	wr32(in, MALI_CSG_IRQ_ACK, irq_req);
	ev->csg = (req ^ ack) & MALI_CSG_EVT_MASK;
	req_update(in, MALI_CSG_REQ, ack, MALI_CSG_EVT_MASK);
	while (cs_irqs) {
		unsigned int i = (unsigned int)__builtin_ctz(cs_irqs);
		uint32_t cs_ack, evts;

		cs_irqs &= cs_irqs - 1;
		if (i >= csg->cs_count)
			continue;
		cs_ack = rd32(csg->cs[i].output, MALI_CS_ACK);
		evts = (rd32(csg->cs[i].input, MALI_CS_REQ) ^ cs_ack) & MALI_CS_EVT_MASK;
		if (evts & MALI_CS_FATAL_EVT)
			ev->cs_fatal |= 1u << i;
		if (evts & MALI_CS_FAULT_EVT) {
			ev->cs_fault |= 1u << i;
			fault_db |= 1u << i;
		}
		req_update(csg->cs[i].input, MALI_CS_REQ, cs_ack,
			   MALI_CS_FATAL_EVT | MALI_CS_FAULT_EVT);
	}
	if (fault_db)
		req_toggle(in, MALI_CSG_DB_REQ, out, MALI_CSG_DB_ACK, fault_db);
	req_toggle(fw->glb.input, MALI_GLB_DB_REQ, fw->glb.output, MALI_GLB_DB_ACK, 1u << slot);
}

static void fw_csg_report(struct mali_csf_data *mali, unsigned int slot,
			  const struct fw_csg_events *ev)
{
	struct mali_csf_cs_status st;

	if (ev->csg & MALI_CSG_IDLE)
		mali_csf_sched_csg_idle(mali, slot);
	if (ev->csg & MALI_CSG_PROGRESS_TIMER_EVENT)
		gp_log_warning("mali-csf: %s: CSG slot %u: progress timer expired",
			       mali->backend->bus_id, slot);
	for (uint32_t m = ev->cs_fatal; m; m &= m - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(m);

		mali_csf_cs_get_status(mali, slot, i, &st);
		gp_log_warning("mali-csf: %s: CSG slot %u CS %u: CS_FATAL exception 0x%x data 0x%x info 0x%" PRIx64,
			       mali->backend->bus_id, slot, i, MALI_CS_EXCEPTION_TYPE(st.fatal),
			       MALI_CS_EXCEPTION_DATA(st.fatal), st.fatal_info);
		mali_csf_sched_cs_fatal(mali, slot, i, &st);
	}
	for (uint32_t m = ev->cs_fault; m; m &= m - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(m);

		mali_csf_cs_get_status(mali, slot, i, &st);
		gp_log_warning("mali-csf: %s: CSG slot %u CS %u: CS_FAULT exception 0x%x data 0x%x info 0x%" PRIx64,
			       mali->backend->bus_id, slot, i, MALI_CS_EXCEPTION_TYPE(st.fault),
			       MALI_CS_EXCEPTION_DATA(st.fault), st.fault_info);
		mali_csf_sched_cs_fault(mali, slot, i, &st);
	}
	if (ev->csg & MALI_CSG_SYNC_UPDATE)
		mali_csf_sched_sync_update(mali, slot);
}

/*
 * The job interrupt, as panthor's job IRQ handler and its
 * process_fw_events_work() in one: clear JOB_INT, acknowledge every event
 * in the interfaces, ring the global doorbell so the firmware sees the
 * acknowledgements, then tell the scheduler (without any lock held).  The
 * caller re-arms the line.  Context: the driver's irq hook, inside a guard.
 */
void mali_csf_job_irq(struct mali_csf_data *mali)
{
	struct mali_csf_fw *fw = mali->fw;
	struct fw_csg_events ev[MALI_CSF_MAX_CSG];
	uint32_t stat, csgs, glb_evts = 0;

	stat = fw_reg_read(mali, MALI_JOB_INT_STAT);
	if (stat == UINT32_MAX)
		return;		/* the device is gone; revoke follows */
	fw_reg_write(mali, MALI_JOB_INT_CLEAR, stat);
	if (!fw || !fw->glb.input || __atomic_load_n(&fw->halted, __ATOMIC_ACQUIRE))
		return;
	csgs = stat & ~MALI_JOB_INT_GLOBAL_IF & ((1u << fw->info.csg_count) - 1);
	memset(ev, 0, sizeof(ev));

	pthread_mutex_lock(&fw->req_lock);
	if (stat & MALI_JOB_INT_GLOBAL_IF) {
		uint32_t ack = rd32(fw->glb.output, MALI_GLB_ACK);

		/* GLB_IDLE and friends: the scheduler works per CSG; acknowledge them. */
		glb_evts = (rd32(fw->glb.input, MALI_GLB_REQ) ^ ack) & MALI_GLB_EVT_MASK;
		if (glb_evts)
			req_update(fw->glb.input, MALI_GLB_REQ, ack, glb_evts);
	}
	for (uint32_t m = csgs; m; m &= m - 1) {
		unsigned int slot = (unsigned int)__builtin_ctz(m);

		fw_csg_irq(fw, slot, &ev[slot]);
	}
	pthread_mutex_unlock(&fw->req_lock);
	/* Only acknowledgements the firmware must see; a request's ack needs none. */
	if (csgs || glb_evts)
		fw_ring_glb_doorbell(mali);

	for (uint32_t m = csgs; m; m &= m - 1) {
		unsigned int slot = (unsigned int)__builtin_ctz(m);

		fw_csg_report(mali, slot, &ev[slot]);
	}
}
