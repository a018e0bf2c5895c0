/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mock backend: an in-process model of a Mali-G610 (RK3588) register file.
 *
 * It gives CI and developers without the board a device that behaves like
 * the real GPU for everything the probe and the query ioctls touch: soft
 * reset that completes after a delay and raises RESET_COMPLETED and the GPU
 * IRQ, L2 power-up, a running 64-bit timestamp, and the RAWSTAT / CLEAR /
 * MASK / STAT interrupt registers; and for GPU memory: a DMA model behind
 * the backend's dma_map/dma_unmap, and an MMU that walks the page tables the
 * driver programs; and for GPU work: the MCU's firmware interface and a
 * command-stream frontend that runs queues' ring buffers (mock_csf.c).
 * Faults can be injected to exercise the driver's error paths.
 */
#ifndef GP_MOCK_H
#define GP_MOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"

/*
 * The mock's single register region and its IRQ lines: the GPU IRQ, the
 * MMU IRQ (GP_MOCK_IRQ_MMU, below) and the job IRQ (GP_MOCK_IRQ_JOB: the
 * CSF firmware's interrupt, JOB_INT_*), in the order the driver numbers
 * them.
 */
#define GP_MOCK_REGION_GPU	0
#define GP_MOCK_REGION_SIZE	(2u << 20)	/* tyr maps 2 MiB */
#define GP_MOCK_IRQ_GPU		0
#define GP_MOCK_IRQ_JOB		2
#define GP_MOCK_NUM_IRQS	3

/*
 * The DMA model: device addresses start at 4 GiB, so a driver that keeps
 * them in 32 bits is caught at once; the IOVA granule is the GPU page.
 */
#define GP_MOCK_DMA_BASE	0x100000000ull
#define GP_MOCK_DMA_GRANULE	4096u

/* The address spaces AS_PRESENT reports (0xff). */
#define GP_MOCK_NUM_AS		8

/*
 * Rates of the model's two counters, both invented for the model (see
 * docs/mock.md).  TIMESTAMP follows the RK3588 system counter, 24 MHz; the
 * driver reports GP_MOCK_TIMESTAMP_HZ in TIMESTAMP_INFO.  CYCLE_COUNT follows
 * a GPU clock of 800 MHz.
 */
#define GP_MOCK_TIMESTAMP_HZ	24000000ull
#define GP_MOCK_CYCLE_COUNT_HZ	800000000ull

struct gp_mock_config {
	uint32_t reset_delay_us;	/* soft reset to RESET_COMPLETED */
	uint32_t l2_power_delay_us;	/* L2_PWRON to L2_READY */
	uint32_t flush_delay_us;	/* GPU_CMD FLUSH_CACHES to CLEAN_CACHES_COMPLETED */
	uint32_t access_delay_ns;	/* added to every register access */
	bool reset_never_completes;	/* fault: RESET_COMPLETED never rises */
	bool l2_never_ready;		/* fault: L2_READY never rises */
	uint64_t timestamp_start;	/* TIMESTAMP value at open (test carries) */
	/* DMA model and MMU: see docs/mock.md. */
	uint64_t dma_space;		/* bytes of device address space above the base; 0: up to the mask */
	uint64_t dma_map_fail_after;	/* fault: maps after this many fail (-ENOMEM); UINT64_MAX: never */
	uint32_t mmu_command_delay_us;	/* AS_COMMAND to completion (AS_STATUS ACTIVE meanwhile) */
	/* The CSF model (MCU firmware and command-stream frontend): see docs/mock.md. */
	uint32_t csf_step_budget;	/* instructions a stream runs before the next stream's turn */
	uint32_t csf_instr_delay_ns;	/* added to every instruction executed (a slow GPU) */
	bool mcu_never_boots;		/* fault: MCU_CONTROL is ignored, the GLB interface never appears */
	bool csf_ignore_csg_req;	/* fault: the firmware never acknowledges a CSG request */
};

/** gp_mock_config_init() - fill @cfg with the defaults. */
void gp_mock_config_init(struct gp_mock_config *cfg);

/**
 * gp_mock_config_parse() - apply a comma-separated option string.
 * @cfg: config to update (start from gp_mock_config_init())
 * @opts: e.g. "reset-delay-us=200,l2-never-ready,access-delay-ns=50"
 * @err: on failure, a message naming the bad option (may be NULL)
 *
 * Options are applied all or nothing: on failure @cfg is unchanged.  NULL or
 * "" changes nothing.  Numbers are decimal or 0x-prefixed hexadecimal.
 *
 * Return: 0, or -EINVAL for an unknown option or a malformed value.
 */
int gp_mock_config_parse(struct gp_mock_config *cfg, const char *opts, char *err, size_t errlen);

/**
 * gp_mock_open() - create a mock binding.
 * @cfg: the model's configuration (copied)
 * @out: the new binding, owned by the caller until moved into registration data
 *
 * Return: 0 or -errno (-ENOMEM, or the errno of eventfd/pthread_create).
 */
int gp_mock_open(const struct gp_mock_config *cfg, struct gp_backend **out);

/**
 * gp_mock_simulate_removal() - the device vanishes from the bus.
 *
 * From now on reads return all-ones and writes are dropped, as on a PCIe
 * device after surprise removal, and the binding's removal_fd becomes
 * readable.  Safe from any thread while the binding is alive.
 */
void gp_mock_simulate_removal(struct gp_backend *be);

/**
 * struct gp_mock_stats - what the driver did to the model, for tests.
 * @reads, @writes: 32-bit accesses, including those after removal; a 64-bit
 *	access counts as two
 * @soft_resets: GPU_CMD soft and hard resets accepted (not after removal)
 * @irqs_raised: signals sent on the GPU IRQ eventfd
 * @dma_mappings: DMA mappings live now
 * @dma_maps: successful gp_backend_dma_map() calls since open
 * @mmu_irqs_raised: signals sent on the MMU IRQ eventfd
 * @mmu_faults: faults latched into an AS (gp_mock_gpu_access() only)
 * @as_commands: AS_COMMAND writes accepted (NOP included)
 * @as_commands_dropped: AS_COMMAND writes ignored because the AS was ACTIVE
 */
struct gp_mock_stats {
	uint64_t reads, writes;
	uint32_t soft_resets;
	uint32_t cache_flushes;		/* GPU_CMD FLUSH_CACHES accepted */
	uint32_t irqs_raised;
	uint32_t dma_mappings;
	uint64_t dma_maps;
	uint32_t mmu_irqs_raised;
	uint32_t mmu_faults;
	uint32_t as_commands;
	uint32_t as_commands_dropped;
	uint32_t job_irqs_raised;	/* signals sent on the job IRQ eventfd */
	uint32_t mcu_boots;		/* MCU_CONTROL enables that booted the firmware */
	uint32_t doorbells;		/* doorbell writes accepted */
	uint64_t csf_instructions;	/* CS instructions executed (faulting ones excluded) */
	uint32_t csf_faults;		/* streams stopped by CS_FAULT/CS_FATAL */
};

/** gp_mock_get_stats() - a snapshot of the counters; safe from any thread. */
void gp_mock_get_stats(struct gp_backend *be, struct gp_mock_stats *stats);

/*
 * --- GPU memory model (contract; implemented with the MMU model) ---
 *
 * The mock's device-physical address space is its DMA model: what
 * gp_backend_dma_map() mapped, at the addresses it returned.  The MMU model
 * translates GPU virtual addresses through the page tables the driver
 * programmed in an address space (AS_TRANSTAB/TRANSCFG/MEMATTR and
 * AS_COMMAND UPDATE), reading every table from device-physical memory, as
 * the hardware walks them.  Its interrupt is line GP_MOCK_IRQ_MMU.
 */
#define GP_MOCK_IRQ_MMU		1

/**
 * gp_mock_dma_read() - read device-physical memory, as a bus master would.
 *
 * Device-physical memory is the live DMA mappings, at the addresses
 * gp_backend_dma_map() returned; a range may span adjacent mappings.  The
 * mapping's direction is enforced as an IOMMU does: the device may not read
 * a GP_DMA_FROM_DEVICE mapping nor write a GP_DMA_TO_DEVICE one.
 * Context: any thread while the binding lives (also after removal).
 * Return: 0, or -EFAULT when any byte is outside every live DMA mapping or
 * its direction forbids the access; then no byte is copied.
 */
int gp_mock_dma_read(struct gp_backend *be, uint64_t addr, void *buf, size_t len);
int gp_mock_dma_write(struct gp_backend *be, uint64_t addr, const void *buf, size_t len);

/**
 * gp_mock_gpu_read() - what GPU VA @va reads in address space @as: for tests
 * to ask "what does the GPU see?".
 * @fault_status: out on -EFAULT: the AS_FAULTSTATUS value the hardware
 *	would report for this access (may be NULL)
 *
 * A test query: it does not latch a fault or raise an IRQ.  It is a GPU
 * read otherwise: it uses and fills the AS's TLB, so it sees a stale
 * translation the driver has not flushed.  See gp_mock_gpu_access() for the
 * access a GPU job makes.  docs/mock.md lists the fault codes.
 * Context: any thread while the binding lives.
 * Return: 0 with @len bytes in @buf, or -EFAULT on a translation or
 * permission fault (or an AS that is not enabled, or a bus fault), -EINVAL
 * for a bad @as, -ENODEV once the device is removed.
 */
int gp_mock_gpu_read(struct gp_backend *be, unsigned int as, uint64_t va, void *buf, size_t len,
		     uint32_t *fault_status);

/**
 * gp_mock_gpu_fetch() - what an instruction fetch at GPU VA @va of @as
 * gets: as gp_mock_gpu_read() (a query: nothing latched, no IRQ), with
 * access type EX, so a leaf marked execute-never (bit 54, as io-pgtable's
 * IOMMU_NOEXEC sets it) is a PERM_FAULT.
 * Return: as gp_mock_gpu_read().
 */
int gp_mock_gpu_fetch(struct gp_backend *be, unsigned int as, uint64_t va, void *buf, size_t len,
		      uint32_t *fault_status);

/**
 * gp_mock_gpu_access() - an access by the GPU itself: on a fault it latches
 * AS_FAULTSTATUS/AS_FAULTADDRESS of @as, sets the AS's bit in MMU_IRQ_RAWSTAT
 * and raises the MMU IRQ as the hardware does.  @write selects the access
 * type; @buf is read from or written to.  An access spanning pages stops at
 * the first faulting one; the pages before it were accessed.  A fault
 * already latched in @as (its RAWSTAT bit set) is kept: see docs/mock.md.
 * Return: 0 or -EFAULT; -EINVAL for a bad @as, -ENODEV once removed.
 */
int gp_mock_gpu_access(struct gp_backend *be, unsigned int as, uint64_t va, void *buf, size_t len,
		       bool write);

/*
 * --- CSF model (contract; implemented in mock_csf.c) ---
 *
 * The MCU's firmware interface (hw/mali_csf_fw.h) as panthor drives it.
 * Writing MCU_CONTROL ENABLE or AUTO boots the firmware: it writes the
 * global, group and stream control blocks and their input/output pages
 * into the shared section at MALI_CSF_SHARED_VA of AS0 (the driver must
 * have mapped MALI_CSF_MOCK_SHARED_SIZE bytes there), sets MCU_STATUS
 * ENABLED and raises JOB_INT GLOBAL_IF.  Doorbells make it read the input
 * pages and acknowledge requests; started streams execute the instruction
 * subset of docs/mock.md from their ring buffers through the group's AS.
 * What the firmware reports (and the limits below) is also in docs/mock.md.
 */
#define GP_MOCK_CSF_GROUP_NUM		8	/* CSG slots (GLB group_num) */
#define GP_MOCK_CSF_STREAM_NUM		8	/* streams per group (CSG stream_num) */
#define GP_MOCK_CSF_REG_COUNT		96	/* 32-bit registers per stream */
#define GP_MOCK_CSF_SCOREBOARDS		8
#define GP_MOCK_CSF_CALL_DEPTH		8	/* nested CALLs before CS_CALL_STACK_OVERFLOW */
#define GP_MOCK_CSF_GLB_VERSION		0x01010000u	/* interface 1.1.0 */

/*
 * struct gp_mock_csf_stream_state - a stream as the model sees it, for tests.
 * @running: started and neither stopped nor faulted
 * @blocked_sync_wait: parked on a SYNC_WAIT whose condition does not hold
 * @pc: GPU VA of the next instruction
 * @regs: the register file
 */
struct gp_mock_csf_stream_state {
	bool running;
	bool blocked_sync_wait;
	uint64_t pc;
	uint32_t regs[GP_MOCK_CSF_REG_COUNT];
};

/**
 * gp_mock_csf_stream_state() - a snapshot of stream @cs of group slot @csg.
 * Return: 0, or -EINVAL for a bad slot or stream.
 */
int gp_mock_csf_stream_state(struct gp_backend *be, unsigned int csg, unsigned int cs,
			     struct gp_mock_csf_stream_state *st);

/**
 * gp_mock_csf_wait_idle() - wait until every started stream has run out of
 * instructions, is blocked on a SYNC_WAIT, stopped or faulted, or until
 * @timeout_ms passes: tests use it instead of sleeping.
 * Return: 0 once idle, -ETIMEDOUT.
 */
int gp_mock_csf_wait_idle(struct gp_backend *be, unsigned int timeout_ms);

#endif /* GP_MOCK_H */
