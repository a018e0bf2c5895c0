/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mali-csf: the MCU and its firmware interface (mali_csf_fw.c), and the
 * slot-level operations the scheduler (mali_csf_sched.c) builds on, as
 * panthor_fw.c serves panthor_sched.c.
 *
 * The firmware interface is the one panthor speaks (hw/mali_csf_fw.h): a
 * global interface, one group interface per CSG slot and one stream
 * interface per CS, each a control page the firmware fills and input and
 * output pages in the shared section; requests are bits the host toggles in
 * an input page and the firmware acknowledges by toggling the same bits in
 * the output page, with a doorbell to say "look" and the job interrupt to
 * say "answered".  On the mock there is no firmware image to load: the
 * mock's MCU serves the interface from the shared section at the address a
 * real image declares (docs/mock.md); on hardware, loading mali_csffw.bin
 * is not implemented yet and probe says so.
 *
 * Locking: @fw_lock (in struct mali_csf_fw) serialises every request on the
 * global and group interfaces and their ack waits, which are bounded (they
 * poll the output page with a timeout, as panthor_fw_glb_wait_acks()).  The
 * IRQ path never takes it: it takes only @req_lock, which covers the
 * read-modify-writes of REQ, DB_REQ and IRQ_ACK words and is never held
 * across a wait (panthor's per-interface spinlocks).  No client-owned lock
 * is ever held while taking either.
 */
#ifndef GP_MALI_CSF_FW_H
#define GP_MALI_CSF_FW_H

#include <stdbool.h>
#include <stdint.h>

struct mali_csf_data;

/* Upper bounds of what the interface may report (the hardware's maxima). */
#define MALI_CSF_MAX_CSG	16
#define MALI_CSF_MAX_CS		32

/* What the firmware reported at boot; fixed afterwards. */
struct mali_csf_fw_info {
	uint32_t glb_version;		/* GLB_VERSION */
	uint32_t glb_features;
	uint32_t instr_features;	/* GLB instr_features: for DEV_QUERY CSIF_INFO */
	unsigned int csg_count;		/* group slots */
	unsigned int cs_per_csg;	/* streams per group (the least any group has) */
	uint32_t csg_suspend_size;	/* bytes of a group's suspend buffer */
	uint32_t csg_protm_suspend_size;
	/* DEV_QUERY CSIF_INFO, as panthor derives them from CS0's features. */
	unsigned int cs_reg_count;		/* CS_FEATURES work registers */
	unsigned int scoreboard_slot_count;	/* CS_FEATURES scoreboards */
	unsigned int unpreserved_cs_reg_count;	/* panthor's CSF_UNPRESERVED_REG_COUNT */
};

/* --- kernel memory the MCU can reach (AS0), for queue interfaces and suspend buffers --- */

/* A DMA-mapped, CPU-mapped buffer in the MCU's address space. */
struct mali_csf_fw_mem {
	void *cpu;			/* the daemon's mapping */
	uint64_t mcu_va;		/* where the MCU sees it */
	uint64_t dma_addr;		/* device address, for the MCU's page tables */
	uint64_t size;			/* bytes, a multiple of 4 KiB */
};

/**
 * mali_csf_fw_mem_alloc() - memory of @size bytes, zeroed, mapped for the MCU.
 * Context: inside a guard (probe or an ioctl).  Return: 0, -EINVAL (@size
 * 0), -ENOMEM, -ENOSPC (MCU VA), -ENODEV (no firmware), or the DMA
 * mapping's error.  Freeing after mali_csf_fw_fini() (which freed what was
 * left) only clears @mem.
 */
int mali_csf_fw_mem_alloc(struct mali_csf_data *mali, uint64_t size, struct mali_csf_fw_mem *mem);
void mali_csf_fw_mem_free(struct mali_csf_data *mali, struct mali_csf_fw_mem *mem);

/* --- boot and teardown (probe / release) --- */

/**
 * mali_csf_fw_init() - map the shared section for the MCU (AS0), start the
 * MCU, wait for the global interface, parse every interface, and program
 * the global interface as panthor_fw_init_glb_state() does (IRQ masks,
 * progress and idle timers), then enable the job IRQ.
 * Context: probe, after mali_csf_mmu_init().
 * Return: 0, -ETIMEDOUT (the MCU did not boot within a second, panthor's
 * budget),
 * -EPROTO (a malformed interface, logged with what was wrong), -ENOTSUP (no
 * firmware loader for real hardware), or an allocation error.
 */
int mali_csf_fw_init(struct mali_csf_data *mali);

/**
 * mali_csf_fw_halt() - stop the MCU: request GLB HALT and wait (bounded),
 * as on unplug.  After it returns the firmware touches no memory.  Safe to
 * call twice; used by release and by the revoke path.
 */
void mali_csf_fw_halt(struct mali_csf_data *mali);

/** mali_csf_fw_fini() - free what mali_csf_fw_init() set up (release). */
void mali_csf_fw_fini(struct mali_csf_data *mali);

/**
 * mali_csf_fw_get_info() - what the firmware reported at boot, or NULL when
 * no firmware runs (mali_csf_fw_init() failed with -ENOTSUP on hardware and
 * probe carried on): then there is no submission, and the scheduler answers
 * its ioctls with -EOPNOTSUPP.
 */
const struct mali_csf_fw_info *mali_csf_fw_get_info(const struct mali_csf_data *mali);

/* --- group slots: what the scheduler asks of the firmware --- */

/* One stream of a group, as panthor's cs_slot_prog_locked() programs it. */
struct mali_csf_cs_config {
	bool enabled;
	uint8_t priority;		/* 0..15 */
	uint64_t ringbuf_va;		/* in the group's VM */
	uint32_t ringbuf_size;		/* bytes, a power of two >= 4 KiB */
	uint64_t ringbuf_input_va;	/* MCU VA of the ring's input page (INSERT, EXTRACT_INIT) */
	uint64_t ringbuf_output_va;	/* MCU VA of the ring's output page (EXTRACT, ACTIVE) */
	uint64_t heap_start, heap_end;	/* tiler heap context, 0 for none */
};

/* A group, as panthor's csg_slot_prog_locked() programs a CSG slot. */
struct mali_csf_csg_config {
	unsigned int as;		/* the address space of the group's VM */
	uint8_t priority;		/* CSG priority 0..15 */
	uint64_t compute_mask, fragment_mask;
	uint32_t tiler_mask;
	uint8_t max_compute_cores, max_fragment_cores, max_tiler_cores;
	uint64_t suspend_buf, protm_suspend_buf;	/* MCU VAs */
	unsigned int cs_count;
	struct mali_csf_cs_config cs[MALI_CSF_MAX_CS];
};

/**
 * mali_csf_csg_start() - program slot @slot with @cfg, start its streams and
 * the group (CSG_REQ state START), ring its doorbell and wait (bounded) for
 * the acknowledgement.
 * Return: 0; -EINVAL for a bad slot or config; -ETIMEDOUT when the firmware
 * does not acknowledge; -ENODEV after halt or removal.
 */
int mali_csf_csg_start(struct mali_csf_data *mali, unsigned int slot,
		       const struct mali_csf_csg_config *cfg);

/**
 * mali_csf_csg_terminate() - stop the group in @slot (CSG_REQ state
 * TERMINATE) and wait (bounded) for the ack; afterwards the firmware no
 * longer reads its ring buffers and the slot is free.  Return: 0 or
 * -ETIMEDOUT/-ENODEV (the slot is considered free anyway: the caller
 * treats the group as lost).
 */
int mali_csf_csg_terminate(struct mali_csf_data *mali, unsigned int slot);

/**
 * mali_csf_cs_ring_doorbell() - the ring of stream @cs in @slot has new
 * instructions (its INSERT was written): ring the stream's doorbell, as
 * panthor's queue kick.  Never blocks.
 */
void mali_csf_cs_ring_doorbell(struct mali_csf_data *mali, unsigned int slot, unsigned int cs);

/* Stream state the firmware reports, read from its output page. */
struct mali_csf_cs_status {
	uint64_t cmd_ptr;		/* CS_STATUS_CMD_PTR */
	uint32_t blocked_reason;
	uint32_t fault, fatal;		/* CS_FAULT / CS_FATAL (exception type in bits 0-7) */
	uint64_t fault_info, fatal_info;
};

void mali_csf_cs_get_status(struct mali_csf_data *mali, unsigned int slot, unsigned int cs,
			    struct mali_csf_cs_status *st);

/*
 * --- events: the job IRQ, decoded ---
 *
 * mali_csf_job_irq() (mali_csf_fw.c) acknowledges the job interrupt and
 * the interface events, then calls the scheduler for what happened.  These
 * are implemented by mali_csf_sched.c; they run on the IRQ path inside a
 * guard and must not block.
 */
void mali_csf_job_irq(struct mali_csf_data *mali);

/* A group signalled a sync update (CSG_SYNC_UPDATE): some job may be done. */
void mali_csf_sched_sync_update(struct mali_csf_data *mali, unsigned int slot);
/* Stream @cs of @slot faulted (CS_FAULT, recoverable in hardware, fatal to the group here). */
void mali_csf_sched_cs_fault(struct mali_csf_data *mali, unsigned int slot, unsigned int cs,
			     const struct mali_csf_cs_status *st);
/* Stream @cs of @slot hit a fatal error (CS_FATAL): the group is lost. */
void mali_csf_sched_cs_fatal(struct mali_csf_data *mali, unsigned int slot, unsigned int cs,
			     const struct mali_csf_cs_status *st);
/* The group in @slot became idle (CSG_IDLE). */
void mali_csf_sched_csg_idle(struct mali_csf_data *mali, unsigned int slot);

#endif /* GP_MALI_CSF_FW_H */
