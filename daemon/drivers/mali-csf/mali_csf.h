/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mali-csf: the Arm Mali CSF (Valhall, e.g. Mali-G610) personality, serving
 * panthor's UAPI.
 */
#ifndef GP_MALI_CSF_H
#define GP_MALI_CSF_H

#include <gpu-proto/gpu_proto_drm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>

struct gp_backend;
struct gp_file;
struct mali_csf_fw;
struct mali_csf_vm;

/* Address-space slots the register map has (MALI_MMU_MAX_AS). */
#define MALI_CSF_MAX_AS			16

/* Probe timing, as tyr and panthor poll: 1 ms steps, 100 ms budget. */
#define MALI_CSF_POLL_INTERVAL_US	1000
#define MALI_CSF_POLL_TIMEOUT_US	100000

/**
 * struct mali_csf_data - registration data: everything bound to the GPU.
 *
 * Released only by revoke, after the grace period.
 */
struct mali_csf_data {
	struct gp_backend *backend;		/* owned: the MMIO binding */
	struct gpu_proto_mali_gpu_info gpu_info;	/* read at probe */
	uint64_t timestamp_frequency;		/* Hz */
	unsigned int gpu_irq_line;		/* the binding's line of the GPU interrupt */
	unsigned int mmu_irq_line;		/* the MMU interrupt's line; UINT_MAX: none */
	unsigned int job_irq_line;		/* the job (firmware) interrupt's line; UINT_MAX: none */

	/*
	 * The MCU and its firmware interface (mali_csf_fw.c); NULL when the
	 * firmware does not run (no loader for real hardware yet): then the
	 * device serves queries and memory, and submission answers ENODEV.
	 */
	struct mali_csf_fw *fw;

	/*
	 * GPU virtual memory (mali_csf_mmu.c).  Every VM's device state (page
	 * tables, DMA mappings of page tables and bound objects, its AS slot)
	 * is reachable from here, so release() can quiesce and unmap it all
	 * even though the VMs themselves belong to files.
	 *
	 * @mmu_lock: AS slots, the LRU, @vms and every AS register sequence.
	 * Taken by the IRQ path; held only for register work bounded by the
	 * AS_STATUS poll, never across page-table writes or DMA mapping.
	 * Lock order: vm->op_lock, then @mmu_lock.
	 */
	pthread_mutex_t mmu_lock;
	unsigned int va_bits, pa_bits;		/* from MMU_FEATURES */
	unsigned int pt_start_level;		/* first level of the walk, from va_bits */
	uint64_t memattr;			/* AS_MEMATTR: the MAIR translated */
	uint32_t as_user_mask;			/* slots VMs may get: AS_PRESENT less AS0 */
	struct mali_csf_vm *as_slot[MALI_CSF_MAX_AS];
	struct cds_list_head as_lru;		/* VMs with a slot and no active user, LRU first */
	struct cds_list_head vms;		/* every VM with live device state */

	/*
	 * FLUSH_CACHES requests.  @flush_running: completed by the interrupt
	 * of the flush in progress; @flush_queued: arrived after it started,
	 * so they need a flush of their own, issued when it completes.
	 */
	pthread_mutex_t flush_lock;
	bool flush_in_progress;
	struct cds_list_head flush_running;
	struct cds_list_head flush_queued;

	/* Groups, queues and jobs on the CSG slots (mali_csf_sched.c). */
	struct mali_csf_sched *sched;
};

/*
 * Query structs' sizes: the driver's own and the least a caller must pass
 * (the end of the last field that was there from the start), as panthor's
 * PANTHOR_UOBJ_MIN_SIZE.  Return: 0 or -EINVAL for a type not served.
 */
int mali_csf_query_sizes(uint32_t type, uint32_t *kern_size, uint32_t *min_size);

struct gp_caller;

/**
 * mali_csf_allowed_priorities() - the group priorities @caller may use, a
 * mask of 1 << GPU_PROTO_MALI_GROUP_PRIORITY_*, as DEV_QUERY
 * GROUP_PRIORITIES_INFO reports it: above MEDIUM needs CAP_SYS_NICE.
 */
uint8_t mali_csf_allowed_priorities(const struct gp_caller *caller);

/* --- GPU virtual memory: the internal API (mali_csf_mmu.c, mali_csf_vm.c) --- */

/* mali_csf_mmu.c: probe-time setup and the release-time teardown. */
int mali_csf_mmu_init(struct mali_csf_data *mali);
void mali_csf_mmu_release(struct mali_csf_data *mali);
void mali_csf_mmu_irq(struct mali_csf_data *mali);

/**
 * mali_csf_vm_lookup() - the VM @id of @file, with a reference the caller
 * drops with mali_csf_vm_put(), or NULL.  For the ioctls and for the
 * job-submission code of the next issue.
 */
struct mali_csf_vm *mali_csf_vm_lookup(struct gp_file *file, uint32_t id);
void mali_csf_vm_put(struct mali_csf_vm **pvm);

/**
 * mali_csf_vm_activate() - give @vm an address-space slot and keep it
 * there until mali_csf_vm_idle(), as panthor_vm_active(): a free slot, or
 * the least recently used idle VM's slot (that VM's AS is disabled; it gets
 * a slot again on its next activation).
 * @as: out: the slot, valid until the matching idle
 *
 * Context: inside a guard.  Return: 0; -EBUSY when every slot is held by an
 * active VM; -EINVAL for a VM whose device state is gone (destroyed or
 * revoked); -EIO/-ENODEV when the MMU does not complete UPDATE.
 */
int mali_csf_vm_activate(struct mali_csf_data *mali, struct mali_csf_vm *vm, unsigned int *as);
void mali_csf_vm_idle(struct mali_csf_data *mali, struct mali_csf_vm *vm);

/** mali_csf_vm_is_unusable() - the VM took a GPU fault (or is gone). */
bool mali_csf_vm_is_unusable(const struct mali_csf_vm *vm);

/*
 * The MCU's VM (mali_csf_mmu.c, for mali_csf_fw.c): page tables on AS0,
 * which no file VM can take.  A mapping covers a whole DMA mapping the
 * caller owns and unmaps after mali_csf_vm_unmap() (or the VM's destroy)
 * took it out of the tables (mali_csf_mmu.h).  @flags: GPU_PROTO_MALI_VM_BIND_OP_MAP_*.
 */
struct gp_dma_mapping;
int mali_csf_mcu_vm_create(struct mali_csf_data *mali, struct mali_csf_vm **out);
int mali_csf_mcu_vm_map(struct mali_csf_vm *vm, uint64_t va, const struct gp_dma_mapping *dma,
			uint32_t flags);
void mali_csf_mcu_vm_destroy(struct mali_csf_vm **pvm);

/*
 * Test seam: when set, release() calls it after it quiesced the MMU and
 * unmapped every DMA mapping, right before it releases the backend, so a
 * test can ask the mock what the device can still reach.
 */
extern void (*mali_csf_release_probe)(struct gp_backend *be);

/*
 * Test seam: when set, mali_csf_fw_init() calls it once the MCU booted and
 * before it reads the interface, with the shared section's memory, so a
 * test can make the firmware's answer malformed.
 */
extern void (*mali_csf_fw_boot_probe)(void *shared, uint64_t size);

#endif /* GP_MALI_CSF_H */
