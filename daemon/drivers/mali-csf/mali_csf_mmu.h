/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mali-csf GPU virtual memory: VMs, their mappings and page tables.
 * Private to mali_csf_mmu.c (page tables, address spaces, the MMU IRQ) and
 * mali_csf_vm.c (the ioctls and per-file state).
 *
 * A VM has two halves with two lifetimes:
 *  - the shell (id, refcount, VA split): the file's, freed when the file
 *    closes or the VM is destroyed, whether or not the device is still there;
 *  - the device state (page tables, DMA mappings, AS slot): registration
 *    data, linked into mali_csf_data.vms, torn down by VM_DESTROY, by
 *    postclose while registered, or by release() after revoke, whichever
 *    comes first.  @dev_live says whether it is still there.
 */
#ifndef GP_MALI_CSF_MMU_H
#define GP_MALI_CSF_MMU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>

#include "mali_csf.h"

struct gp_dma_mapping;
struct gp_gem_object;

/* The VM page size: the 4 KiB granule (panthor's smallest io-pgtable size). */
#define MALI_CSF_PAGE_SHIFT	12
#define MALI_CSF_PAGE_SIZE	(1ull << MALI_CSF_PAGE_SHIFT)
#define MALI_CSF_PT_ENTRIES	512	/* 4 KiB of 8-byte descriptors */

/*
 * Page-table pages one VM may hold: bounds what a client can make the
 * daemon pin (16 MiB); a bind needing more fails with ENOMEM.
 */
#define MALI_CSF_VM_MAX_PT_PAGES	4096

/* panthor's PANTHOR_VM_MIN_KERNEL_VA_SIZE and PANTHOR_MAX_VMS_PER_FILE. */
#define MALI_CSF_VM_MIN_KERNEL_VA	(256ull << 20)
#define MALI_CSF_MAX_VMS_PER_FILE	32

/** struct mali_csf_pt - one page-table page, device-reachable. */
struct mali_csf_pt {
	uint64_t *cpu;			/* the daemon's mapping: 512 descriptors */
	struct gp_dma_mapping *dma;
	uint64_t pa;			/* its device address, what descriptors point at */
	unsigned int used;		/* valid descriptors */
	struct mali_csf_pt **child;	/* next-level tables; NULL for a last-level table */
	struct mali_csf_pt *free_next;	/* on a list of tables to free after the flush */
};

/*
 * struct mali_csf_pin - one MAP's object range, DMA-mapped.  Shared by the
 * pieces a later MAP or UNMAP splits the mapping into; unmapped when the
 * last piece goes.  Holds an object reference.  Protected by vm->op_lock.
 */
struct mali_csf_pin {
	unsigned int pieces;
	struct gp_gem_object *obj;
	struct gp_dma_mapping *dma;
	uint64_t bo_offset;		/* where in the object the DMA mapping starts */
	struct mali_csf_pin *dead_next;	/* on a list to unmap after the flush */
};

/** struct mali_csf_vma - a mapped VA range (a drm_gpuva), sorted in vm->vmas. */
struct mali_csf_vma {
	struct cds_list_head link;
	uint64_t va, size;
	uint64_t bo_offset;
	uint32_t flags;			/* GPU_PROTO_MALI_VM_BIND_OP_MAP_* */
	struct mali_csf_pin *pin;
};

struct mali_csf_vm {
	/* --- the shell: the file's --- */
	unsigned long refs;		/* __atomic; the pool holds one */
	uint32_t id;
	uint64_t serial;		/* unique per daemon: exclusive-VM identity */
	uint64_t user_va_end;		/* binds stay below: the kernel range's start */
	uint64_t va_end;		/* 2^va_bits: the kernel range's end */

	/*
	 * Kernel VA ranges in use in [@user_va_end, @va_end): the driver's
	 * own objects (ring buffers, sync objects, tiler heaps), first fit.
	 */
	pthread_mutex_t kva_lock;
	struct cds_list_head kvas;	/* struct mali_csf_kva, sorted */
	pthread_mutex_t heaps_lock;	/* TILER_HEAP_* calls on this VM, one at a time */
	struct mali_csf_heap_pool *heaps;	/* under heaps_lock */

	/* --- the device state: registration data, from mali->vms --- */
	pthread_mutex_t op_lock;	/* binds, teardown; before mali->mmu_lock */
	bool dev_live;			/* under op_lock (and mmu_lock to set false) */
	bool unusable;			/* __atomic: took a fault */
	struct mali_csf_data *mali;	/* while @dev_live */
	struct cds_list_head dev_link;	/* in mali->vms; under mmu_lock */
	struct cds_list_head vmas;	/* under op_lock */
	struct mali_csf_pt *root;
	unsigned int pt_pages;
	/* Under mali->mmu_lock: */
	int as;				/* slot, or -1 */
	unsigned int active_cnt;
	struct cds_list_head lru_link;	/* in mali->as_lru while slotted and idle */
};

/* struct mali_csf_file - file->driver_priv: the VM pool and the group pool. */
struct mali_csf_file {
	pthread_mutex_t lock;
	struct mali_csf_vm *vms[MALI_CSF_MAX_VMS_PER_FILE + 1];	/* [id]; [0] unused */
	struct mali_csf_group_pool *groups;			/* mali_csf_sched.c */
};

/**
 * mali_csf_vm_map_kernel() - map all of @obj in @vm's kernel range (above
 * the user range, where VM_BIND cannot reach), at a VA this picks.
 * @flags: GPU_PROTO_MALI_VM_BIND_OP_MAP_* flags
 * @va: out: where it is mapped
 * Return: 0; -ENOSPC when the kernel range has no room; -EINVAL for a VM
 * whose device state is gone or that is unusable; the mapping's errors.
 */
int mali_csf_vm_map_kernel(struct mali_csf_vm *vm, struct gp_gem_object *obj, uint32_t flags,
			   uint64_t *va);

/** mali_csf_vm_unmap_kernel() - undo mali_csf_vm_map_kernel() of @size bytes at @va. */
void mali_csf_vm_unmap_kernel(struct mali_csf_vm *vm, uint64_t va, uint64_t size);

/* Tiler heaps (mali_csf_heap.c): a VM's pool goes when its VM does. */
void mali_csf_heap_pool_destroy(struct mali_csf_vm *vm);

/* Page tables and address spaces (mali_csf_mmu.c). */

/** mali_csf_vm_dev_init() - empty page tables; links @vm into mali->vms. */
int mali_csf_vm_dev_init(struct mali_csf_data *mali, struct mali_csf_vm *vm);

/**
 * mali_csf_vm_dev_teardown() - disable @vm's AS, then unmap and free all
 * its device state.  Idempotent.  Context: inside a guard (or release()).
 */
void mali_csf_vm_dev_teardown(struct mali_csf_vm *vm);

/**
 * mali_csf_vm_map() - map [@va, @va + @size) to [@bo_offset, ...) of @obj,
 * replacing whatever it overlaps.  Arguments already validated.
 */
int mali_csf_vm_map(struct mali_csf_vm *vm, struct gp_gem_object *obj, uint64_t bo_offset,
		    uint64_t va, uint64_t size, uint32_t flags);

/** mali_csf_vm_unmap() - unmap whatever lies in [@va, @va + @size). */
int mali_csf_vm_unmap(struct mali_csf_vm *vm, uint64_t va, uint64_t size);

/* Per-file hooks and ioctl handlers (mali_csf_vm.c), for mali_csf.c's tables. */
struct gp_device;
struct gp_file;
struct gp_registered_device;
struct gp_user;
struct gp_user_plan;

int mali_csf_open(const struct gp_registered_device *rdev, void *data, struct gp_file *file);
void mali_csf_postclose(const struct gp_registered_device *rdev, void *data, struct gp_file *file);
int mali_csf_vm_create(const struct gp_registered_device *rdev, void *data, void *arg,
		       struct gp_file *file, const struct gp_user *user);
int mali_csf_vm_destroy(const struct gp_registered_device *rdev, void *data, void *arg,
			struct gp_file *file, const struct gp_user *user);
int mali_csf_vm_bind_plan(const struct gp_device *dev, const void *arg, struct gp_user_plan *plan);
int mali_csf_vm_bind(const struct gp_registered_device *rdev, void *data, void *arg,
		     struct gp_file *file, const struct gp_user *user);
int mali_csf_vm_get_state(const struct gp_registered_device *rdev, void *data, void *arg,
			  struct gp_file *file, const struct gp_user *user);
int mali_csf_bo_create(const struct gp_registered_device *rdev, void *data, void *arg,
		       struct gp_file *file, const struct gp_user *user);
int mali_csf_bo_mmap_offset(const struct gp_registered_device *rdev, void *data, void *arg,
			    struct gp_file *file, const struct gp_user *user);

#endif /* GP_MALI_CSF_MMU_H */
