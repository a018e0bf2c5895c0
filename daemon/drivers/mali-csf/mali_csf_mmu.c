// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mali-csf GPU MMU: page tables, address spaces and the MMU interrupt.
 *
 * Page tables use the format CSF GPUs walk and panthor selects through
 * io-pgtable's ARM_64_LPAE_S1: AArch64 stage-1 descriptors, 4 KiB granule,
 * 9 bits per level, as many levels as MMU_FEATURES' VA width needs (four
 * for the G610's 48 bits, starting at level 0).  Every table is a page of
 * daemon memory DMA-mapped for the device; descriptors hold device
 * addresses (an IOVA with an IOMMU, the mock's device-physical address on
 * the mock).  Only 4 KiB pages are written, never 2 MiB blocks.
 *
 * Address spaces are programmed as panthor does: FLUSH_MEM, then TRANSTAB,
 * MEMATTR (the MAIR translated), TRANSCFG and AS_COMMAND UPDATE to enable;
 * LOCK, FLUSH_PT and UNLOCK over a range after its descriptors changed;
 * every command waits for AS_STATUS with a bounded poll.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "backend.h"
#include "gem.h"
#include "log.h"
#include "mali_csf.h"
#include "mali_csf_mmu.h"
#include "mali_csf_regs.h"
#include "mock.h"

#define MALI_REGION 0

/* AArch64 stage-1 descriptor bits (the Arm ARM; io-pgtable-arm's names). */
#define PTE_VALID		(1ull << 0)
#define PTE_TYPE_MASK		3ull
#define PTE_TYPE_TABLE		3ull	/* levels 0-2 */
#define PTE_TYPE_PAGE		3ull	/* level 3 */
#define PTE_AP_UNPRIV		(1ull << 6)
#define PTE_AP_RDONLY		(1ull << 7)
#define PTE_SH_OS		(2ull << 8)
#define PTE_SH_IS		(3ull << 8)
#define PTE_AF			(1ull << 10)
#define PTE_NG			(1ull << 11)
#define PTE_XN			(3ull << 53)
#define PTE_ADDR_MASK		0x0000fffffffff000ull	/* bits [47:12] */
#define PTE_ATTRINDX(n)		((uint64_t)(n) << 2)

/* The MAIR io-pgtable programs for stage 1, and the indices into it. */
#define MAIR_ATTR_NC		0x44
#define MAIR_ATTR_WBRWA		0xff
#define MAIR_ATTR_DEVICE	0x04
#define MAIR_ATTR_INC_OWBRWA	0xf4
#define MAIR_IDX_NC		0
#define MAIR_IDX_CACHE		1
#define MAIR_IDX_DEV		2
#define MAIR_IDX_INC_OCACHE	3

/* AS_MEMATTR byte fields (panthor_regs.h's meaning). */
#define MEMATTR_ALLOC_EXPL(w, r)	((3u << 2) | ((w) ? 1u : 0u) | ((r) ? 2u : 0u))
#define MEMATTR_SH_MIDGARD_INNER	(0u << 4)
#define MEMATTR_SH_CPU_INNER		(1u << 4)
#define MEMATTR_INNER_OUTER_NC		(1u << 6)
#define MEMATTR_INNER_OUTER_WB		(2u << 6)

/* AS_STATUS poll: panthor's 10 us steps and 100 ms budget. */
#define MALI_AS_POLL_INTERVAL_US	10
#define MALI_AS_POLL_TIMEOUT_US		100000

void (*mali_csf_release_probe)(struct gp_backend *be);

static uint32_t mmu_read(struct mali_csf_data *mali, uint32_t reg)
{
	return gp_backend_read32(mali->backend, MALI_REGION, reg);
}

static void mmu_write(struct mali_csf_data *mali, uint32_t reg, uint32_t value)
{
	gp_backend_write32(mali->backend, MALI_REGION, reg, value);
}

static void mmu_write64(struct mali_csf_data *mali, uint32_t lo, uint64_t value)
{
	mmu_write(mali, lo, (uint32_t)value);
	mmu_write(mali, lo + 4, (uint32_t)(value >> 32));
}

static uint64_t mmu_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Wait for AS @as to finish its command, as panthor's wait_ready(). */
static int as_wait_ready(struct mali_csf_data *mali, unsigned int as)
{
	const struct timespec interval = { .tv_nsec = MALI_AS_POLL_INTERVAL_US * 1000L };
	uint64_t deadline = mmu_now_us() + MALI_AS_POLL_TIMEOUT_US;

	for (;;) {
		bool late = mmu_now_us() > deadline;
		uint32_t status = mmu_read(mali, MALI_AS_STATUS(as));

		/* All-ones: the device is gone; waiting would only delay revoke. */
		if (status == UINT32_MAX)
			return -ENODEV;
		if (!(status & MALI_AS_STATUS_ACTIVE))
			return 0;
		if (late)
			return gp_log_errno(LOG_ERR, EIO,
					    "mali-csf: AS%u: command still active after %d ms (AS_STATUS 0x%x)",
					    as, MALI_AS_POLL_TIMEOUT_US / 1000, status);
		nanosleep(&interval, NULL);
	}
}

static int as_command(struct mali_csf_data *mali, unsigned int as, uint32_t cmd)
{
	int r = as_wait_ready(mali, as);

	if (r < 0)
		return r;
	mmu_write(mali, MALI_AS_COMMAND(as), cmd);
	return as_wait_ready(mali, as);
}

/*
 * LOCKADDR: the smallest naturally aligned power-of-two block holding
 * [@start, @start + @size), at least 32 KiB, encoded as its base with
 * log2(size) - 1 in the low bits.  @size 0 means the whole VA space.
 */
static uint64_t as_lock_region(uint64_t start, uint64_t size)
{
	unsigned int log2_size;
	uint64_t last;

	if (!size || start + size < start)
		return 63;	/* 2^64: everything */
	last = start + size - 1;
	log2_size = start == last ? 0 : 64 - (unsigned int)__builtin_clzll(start ^ last);
	if (log2_size < 15)
		log2_size = 15;
	if (log2_size >= 64)
		return 63;
	return (start & ~((1ull << log2_size) - 1)) | (log2_size - 1);
}

/*
 * Make the AS forget translations of a range whose descriptors changed:
 * LOCK it, FLUSH_PT (or FLUSH_MEM, which also writes back and invalidates
 * the caches), UNLOCK.  Context: mmu_lock held.
 */
static int as_flush(struct mali_csf_data *mali, unsigned int as, uint64_t start, uint64_t size,
		    uint32_t op)
{
	int r;

	mmu_write64(mali, MALI_AS_LOCKADDR_LO(as), as_lock_region(start, size));
	r = as_command(mali, as, MALI_AS_COMMAND_LOCK);
	if (r == 0)
		r = as_command(mali, as, op);
	if (r == 0)
		r = as_command(mali, as, MALI_AS_COMMAND_UNLOCK);
	return r;
}

static uint64_t as_transcfg(const struct mali_csf_data *mali)
{
	/* panthor's: write-back, read-allocate table walks, AArch64 4K, 55 - va_bits. */
	return MALI_AS_TRANSCFG_PTW_MEMATTR_WB | MALI_AS_TRANSCFG_PTW_RA |
	       MALI_AS_TRANSCFG_ADRMODE_AARCH64_4K | MALI_AS_TRANSCFG_INA_BITS(55 - mali->va_bits);
}

/* Context: mmu_lock held. */
static int as_enable(struct mali_csf_data *mali, unsigned int as, const struct mali_csf_vm *vm)
{
	int r = as_flush(mali, as, 0, 0, MALI_AS_COMMAND_FLUSH_MEM);

	if (r < 0)
		return r;
	mmu_write64(mali, MALI_AS_TRANSTAB_LO(as), vm->root->pa);
	mmu_write64(mali, MALI_AS_MEMATTR_LO(as), mali->memattr);
	mmu_write64(mali, MALI_AS_TRANSCFG_LO(as), as_transcfg(mali));
	return as_command(mali, as, MALI_AS_COMMAND_UPDATE);
}

/*
 * Turn an AS off: after UPDATE with ADRMODE_UNMAPPED every access through
 * it faults, so no translation of the VM that had it is left behind.
 * Context: mmu_lock held (or release(), alone).
 */
static int as_disable(struct mali_csf_data *mali, unsigned int as)
{
	int r = as_flush(mali, as, 0, 0, MALI_AS_COMMAND_FLUSH_MEM), r2;

	/* Even when the flush timed out, unhook the tables before they are freed. */
	mmu_write64(mali, MALI_AS_TRANSTAB_LO(as), 0);
	mmu_write64(mali, MALI_AS_MEMATTR_LO(as), 0);
	mmu_write64(mali, MALI_AS_TRANSCFG_LO(as), MALI_AS_TRANSCFG_ADRMODE_UNMAPPED);
	if (r == -ENODEV)
		return r;
	/* The UPDATE's own failure first; else the flush's. */
	r2 = as_command(mali, as, MALI_AS_COMMAND_UPDATE);
	return r2 < 0 ? r2 : r;
}

/* Take @vm's slot away.  Context: mmu_lock held, @vm holds a slot. */
static void vm_release_as_locked(struct mali_csf_data *mali, struct mali_csf_vm *vm)
{
	as_disable(mali, (unsigned int)vm->as);
	mali->as_slot[vm->as] = NULL;
	if (!vm->active_cnt)
		cds_list_del_init(&vm->lru_link);
	vm->as = -1;
	vm->active_cnt = 0;
}

/* As panthor's mair_to_memattr(): write-back only when inner and outer are. */
static uint64_t mmu_mair_to_memattr(uint64_t mair)
{
	uint64_t memattr = 0;

	for (unsigned int i = 0; i < 8; i++) {
		unsigned int attr = (mair >> (8 * i)) & 0xff;
		unsigned int outer = attr >> 4, inner = attr & 0xf;
		unsigned int out;

		if (!(outer & 3) || !(outer & 4) || !(inner & 4))
			out = MEMATTR_INNER_OUTER_NC | MEMATTR_SH_MIDGARD_INNER |
			      MEMATTR_ALLOC_EXPL(0, 0);
		else
			out = MEMATTR_INNER_OUTER_WB | MEMATTR_SH_CPU_INNER |
			      MEMATTR_ALLOC_EXPL(inner & 1, inner & 2);
		memattr |= (uint64_t)out << (8 * i);
	}
	return memattr;
}

int mali_csf_mmu_init(struct mali_csf_data *mali)
{
	struct gp_backend *be = mali->backend;
	uint32_t features = mali->gpu_info.mmu_features;
	uint64_t mair;
	int r;

	mali->va_bits = features & 0xff;
	mali->pa_bits = (features >> 8) & 0xff;
	/* What a 4 KiB-granule, four-level LPAE walk can translate. */
	if (mali->va_bits < 32 || mali->va_bits > 48 || mali->pa_bits < 32 || mali->pa_bits > 48)
		return gp_log_errno(LOG_ERR, ENODEV,
				    "mali-csf: %s: MMU_FEATURES 0x%x: %u VA / %u PA bits not supported by a 4 KiB LPAE walk",
				    be->bus_id, features, mali->va_bits, mali->pa_bits);
	/* ARM_LPAE levels: ceil((va_bits - 12) / 9), the walk ending at level 3. */
	mali->pt_start_level = 4 - (mali->va_bits - MALI_CSF_PAGE_SHIFT + 8) / 9;

	mair = (uint64_t)MAIR_ATTR_NC << (8 * MAIR_IDX_NC) |
	       (uint64_t)MAIR_ATTR_WBRWA << (8 * MAIR_IDX_CACHE) |
	       (uint64_t)MAIR_ATTR_DEVICE << (8 * MAIR_IDX_DEV) |
	       (uint64_t)MAIR_ATTR_INC_OWBRWA << (8 * MAIR_IDX_INC_OCACHE);
	mali->memattr = mmu_mair_to_memattr(mair);

	/* AS0 is the MCU's in panthor; VMs get the others. */
	mali->as_user_mask = mali->gpu_info.as_present & ((1u << MALI_CSF_MAX_AS) - 1) & ~1u;
	if (!mali->as_user_mask)
		return gp_log_errno(LOG_ERR, ENODEV, "mali-csf: %s: AS_PRESENT 0x%x leaves no address space for VMs",
				    be->bus_id, mali->gpu_info.as_present);

	/*
	 * Page tables and objects must be reachable with the GPU's PA bits.
	 * A binding without DMA (a no-IOMMU group) still serves the queries;
	 * its VMs cannot get page tables (VM_CREATE fails with EOPNOTSUPP).
	 */
	if (be->ops->dma_map) {
		r = gp_backend_dma_set_mask(be, (1ull << mali->pa_bits) - 1);
		if (r < 0)
			return gp_log_errno(LOG_ERR, r, "mali-csf: %s: cannot limit DMA to %u bits",
					    be->bus_id, mali->pa_bits);
	} else {
		gp_log_info("mali-csf: %s: the binding has no DMA; GPU memory ioctls will fail with EOPNOTSUPP",
			    be->bus_id);
	}

	/*
	 * vfio-platform numbers lines in device-tree order ("job", "mmu",
	 * "gpu"); the mock's MMU line is GP_MOCK_IRQ_MMU.
	 */
	if (be->bus == GP_BUS_MOCK && be->num_irqs > GP_MOCK_IRQ_MMU)
		mali->mmu_irq_line = GP_MOCK_IRQ_MMU;
	else if (be->num_irqs >= 3)
		mali->mmu_irq_line = 1;
	else
		mali->mmu_irq_line = UINT_MAX;

	pthread_mutex_init(&mali->mmu_lock, NULL);
	CDS_INIT_LIST_HEAD(&mali->as_lru);
	CDS_INIT_LIST_HEAD(&mali->vms);
	mmu_write(mali, MALI_MMU_INT_CLEAR, UINT32_MAX);
	mmu_write(mali, MALI_MMU_INT_MASK, mali->as_user_mask | mali->as_user_mask << 16);
	return 0;
}

/* --- page-table pages --- */

static void pt_free(struct mali_csf_data *mali, struct mali_csf_vm *vm, struct mali_csf_pt *pt)
{
	gp_backend_dma_unmap(mali->backend, &pt->dma);
	munmap(pt->cpu, MALI_CSF_PAGE_SIZE);
	free(pt->child);
	free(pt);
	vm->pt_pages--;
}

static int pt_alloc(struct mali_csf_data *mali, struct mali_csf_vm *vm, unsigned int level,
		    struct mali_csf_pt **out)
{
	struct mali_csf_pt *pt;
	int r;

	if (vm->pt_pages >= MALI_CSF_VM_MAX_PT_PAGES)
		return -ENOMEM;
	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	if (level < 3) {
		pt->child = calloc(MALI_CSF_PT_ENTRIES, sizeof(*pt->child));
		if (!pt->child) {
			free(pt);
			return -ENOMEM;
		}
	}
	/* Zeroed shared memory: every descriptor starts invalid. */
	pt->cpu = mmap(NULL, MALI_CSF_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (pt->cpu == MAP_FAILED) {
		r = -errno;
		free(pt->child);
		free(pt);
		return r;
	}
	r = gp_backend_dma_map(mali->backend, pt->cpu, MALI_CSF_PAGE_SIZE, GP_DMA_TO_DEVICE, &pt->dma);
	if (r < 0) {
		munmap(pt->cpu, MALI_CSF_PAGE_SIZE);
		free(pt->child);
		free(pt);
		return r;
	}
	pt->pa = pt->dma->segments[0].addr;
	vm->pt_pages++;
	*out = pt;
	return 0;
}

static void pt_free_tree(struct mali_csf_data *mali, struct mali_csf_vm *vm, struct mali_csf_pt *pt)
{
	if (!pt)
		return;
	if (pt->child)
		for (unsigned int i = 0; i < MALI_CSF_PT_ENTRIES; i++)
			pt_free_tree(mali, vm, pt->child[i]);
	pt_free(mali, vm, pt);
}

static unsigned int pt_shift(unsigned int level)
{
	return MALI_CSF_PAGE_SHIFT + 9 * (3 - level);
}

static unsigned int pt_index(uint64_t va, unsigned int level)
{
	return (va >> pt_shift(level)) & (MALI_CSF_PT_ENTRIES - 1);
}

/* A descriptor store the walker sees whole. */
static void pt_set(struct mali_csf_pt *pt, unsigned int idx, uint64_t desc)
{
	__atomic_store_n(&pt->cpu[idx], desc, __ATOMIC_RELEASE);
}

/* The last-level table for @va, creating the tables on the way. */
static int pt_walk_alloc(struct mali_csf_data *mali, struct mali_csf_vm *vm, uint64_t va,
			 struct mali_csf_pt **leaf)
{
	struct mali_csf_pt *pt = vm->root;

	for (unsigned int level = mali->pt_start_level; level < 3; level++) {
		unsigned int idx = pt_index(va, level);

		if (!pt->child[idx]) {
			struct mali_csf_pt *child;
			int r = pt_alloc(mali, vm, level + 1, &child);

			if (r < 0)
				return r;
			pt->child[idx] = child;
			pt_set(pt, idx, (child->pa & PTE_ADDR_MASK) | PTE_TYPE_TABLE);
			pt->used++;
		}
		pt = pt->child[idx];
	}
	*leaf = pt;
	return 0;
}

/*
 * Create every table [@va, @va + @size) needs, so the descriptor writes
 * that follow cannot fail half-way.  Tables made before a failure stay,
 * empty; the next unmap over them or the VM's teardown frees them.
 */
static int pt_prepare(struct mali_csf_data *mali, struct mali_csf_vm *vm, uint64_t va, uint64_t size)
{
	uint64_t end = va + size;

	while (va < end) {
		struct mali_csf_pt *leaf;
		int r = pt_walk_alloc(mali, vm, va, &leaf);

		if (r < 0)
			return r;
		va = (va | ((1ull << pt_shift(2)) - 1)) + 1;	/* next 2 MiB */
	}
	return 0;
}

static struct mali_csf_pt *pt_leaf(struct mali_csf_data *mali, struct mali_csf_vm *vm, uint64_t va)
{
	struct mali_csf_pt *pt = vm->root;

	for (unsigned int level = mali->pt_start_level; level < 3 && pt; level++)
		pt = pt->child[pt_index(va, level)];
	return pt;
}

/* io-pgtable's stage-1 attributes for panthor's bind flags. */
static uint64_t pt_page_attrs(uint32_t flags)
{
	uint64_t attrs = PTE_TYPE_PAGE | PTE_AF | PTE_NG | PTE_AP_UNPRIV;

	if (flags & GPU_PROTO_MALI_VM_BIND_OP_MAP_READONLY)
		attrs |= PTE_AP_RDONLY;
	if (flags & GPU_PROTO_MALI_VM_BIND_OP_MAP_NOEXEC)
		attrs |= PTE_XN;
	if (flags & GPU_PROTO_MALI_VM_BIND_OP_MAP_UNCACHED)
		attrs |= PTE_ATTRINDX(MAIR_IDX_NC) | PTE_SH_OS;
	else
		attrs |= PTE_ATTRINDX(MAIR_IDX_CACHE) | PTE_SH_IS;
	return attrs;
}

/* Write page descriptors for [@va, @va + @size) from @dma starting at byte @off. */
static void pt_write_pages(struct mali_csf_data *mali, struct mali_csf_vm *vm, uint64_t va,
			   uint64_t size, const struct gp_dma_mapping *dma, uint64_t off,
			   uint32_t flags)
{
	uint64_t attrs = pt_page_attrs(flags);
	unsigned int seg = 0;

	/* A cursor over the segments: one pass, however many runs there are. */
	while (seg < dma->num_segments && off >= dma->segments[seg].len)
		off -= dma->segments[seg++].len;
	for (uint64_t done = 0; done < size; done += MALI_CSF_PAGE_SIZE) {
		struct mali_csf_pt *leaf = pt_leaf(mali, vm, va + done);
		unsigned int idx = pt_index(va + done, 3);
		uint64_t pa = dma->segments[seg].addr + off;

		if (!(leaf->cpu[idx] & PTE_VALID))
			leaf->used++;
		pt_set(leaf, idx, (pa & PTE_ADDR_MASK) | attrs);
		off += MALI_CSF_PAGE_SIZE;
		if (off >= dma->segments[seg].len) {
			off = 0;
			seg++;
		}
	}
}

/*
 * Invalidate [@va, @end) below @pt (at @level), freeing tables left empty
 * onto *@freed: they are unmapped only after the TLB flush.
 */
static void pt_clear(struct mali_csf_pt *pt, unsigned int level, uint64_t va, uint64_t end,
		     struct mali_csf_pt **freed)
{
	unsigned int shift = pt_shift(level);

	while (va < end) {
		uint64_t next = (va | ((1ull << shift) - 1)) + 1;
		unsigned int idx = pt_index(va, level);

		if (next > end || next == 0)
			next = end;
		if (level == 3) {
			if (pt->cpu[idx] & PTE_VALID) {
				pt_set(pt, idx, 0);
				pt->used--;
			}
		} else if (pt->child[idx]) {
			struct mali_csf_pt *child = pt->child[idx];

			pt_clear(child, level + 1, va, next, freed);
			if (!child->used) {
				pt_set(pt, idx, 0);
				pt->used--;
				pt->child[idx] = NULL;
				child->free_next = *freed;
				*freed = child;
			}
		}
		va = next;
	}
}

/* --- pins and mappings --- */

static void pin_release(struct mali_csf_data *mali, struct mali_csf_pin *pin)
{
	gp_backend_dma_unmap(mali->backend, &pin->dma);
	gp_gem_object_put(&pin->obj);
	free(pin);
}

static void pins_release(struct mali_csf_data *mali, struct mali_csf_pin *dead)
{
	while (dead) {
		struct mali_csf_pin *next = dead->dead_next;

		pin_release(mali, dead);
		dead = next;
	}
}

static void vma_drop_piece(struct mali_csf_vma *vma, struct mali_csf_pin **dead)
{
	if (--vma->pin->pieces == 0) {
		vma->pin->dead_next = *dead;
		*dead = vma->pin;
	}
}

/*
 * Take [@va, @end) out of the VM's mappings, as drm_gpuvm's split: pieces
 * outside the range stay, sharing their pin.  @spare: a zeroed vma for the
 * one case that needs a new one (a range strictly inside a mapping).
 */
static void vmas_cut(struct mali_csf_vm *vm, uint64_t va, uint64_t end, struct mali_csf_vma **spare,
		     struct mali_csf_pin **dead)
{
	struct mali_csf_vma *vma, *tmp;

	cds_list_for_each_entry_safe(vma, tmp, &vm->vmas, link) {
		uint64_t vend = vma->va + vma->size;

		if (vend <= va)
			continue;
		if (vma->va >= end)
			break;
		if (vma->va < va && vend > end) {
			struct mali_csf_vma *tail = *spare;

			*spare = NULL;
			*tail = *vma;
			tail->va = end;
			tail->size = vend - end;
			tail->bo_offset = vma->bo_offset + (end - vma->va);
			tail->pin->pieces++;
			vma->size = va - vma->va;
			cds_list_add(&tail->link, &vma->link);
			break;
		} else if (vma->va < va) {
			vma->size = va - vma->va;
		} else if (vend > end) {
			vma->bo_offset += end - vma->va;
			vma->size = vend - end;
			vma->va = end;
		} else {
			cds_list_del(&vma->link);
			vma_drop_piece(vma, dead);
			free(vma);
		}
	}
}

static void vmas_insert(struct mali_csf_vm *vm, struct mali_csf_vma *new)
{
	struct mali_csf_vma *vma;

	cds_list_for_each_entry(vma, &vm->vmas, link) {
		if (vma->va > new->va) {
			cds_list_add_tail(&new->link, &vma->link);
			return;
		}
	}
	cds_list_add_tail(&new->link, &vm->vmas);
}

/* Flush @vm's AS over a range, if it has one.  Context: op_lock held. */
static int vm_flush(struct mali_csf_data *mali, struct mali_csf_vm *vm, uint64_t va, uint64_t size)
{
	int r = 0;

	pthread_mutex_lock(&mali->mmu_lock);
	if (vm->as >= 0)
		r = as_flush(mali, (unsigned int)vm->as, va, size, MALI_AS_COMMAND_FLUSH_PT);
	pthread_mutex_unlock(&mali->mmu_lock);
	return r;
}

/*
 * Give a VM that has no slot one, for its mappings to be live in the GPU,
 * then let it be evicted again.  Context: op_lock held.
 */
static int vm_make_resident(struct mali_csf_data *mali, struct mali_csf_vm *vm)
{
	unsigned int as;
	int r;

	r = mali_csf_vm_activate(mali, vm, &as);
	if (r < 0)
		return r;
	mali_csf_vm_idle(mali, vm);
	return 0;
}

int mali_csf_vm_map(struct mali_csf_vm *vm, struct gp_gem_object *obj, uint64_t bo_offset,
		    uint64_t va, uint64_t size, uint32_t flags)
{
	struct mali_csf_vma *vma, *spare;
	struct mali_csf_pin *pin, *dead = NULL;
	struct mali_csf_data *mali;
	bool resident;
	int r;

	vma = calloc(1, sizeof(*vma));
	spare = calloc(1, sizeof(*spare));
	pin = calloc(1, sizeof(*pin));
	if (!vma || !spare || !pin) {
		r = -ENOMEM;
		goto out_free;
	}

	pthread_mutex_lock(&vm->op_lock);
	/* As panthor_vm_exec_op(): no new MAP on an unusable VM. */
	if (!vm->dev_live || __atomic_load_n(&vm->unusable, __ATOMIC_ACQUIRE)) {
		r = -EINVAL;
		goto out_unlock;
	}
	mali = vm->mali;
	r = gp_backend_dma_map(mali->backend, (char *)obj->vaddr + bo_offset, size,
			       GP_DMA_BIDIRECTIONAL, &pin->dma);
	if (r < 0)
		goto out_unlock;
	pin->obj = gp_gem_object_get(obj);
	pin->bo_offset = bo_offset;
	pin->pieces = 1;
	r = pt_prepare(mali, vm, va, size);
	if (r < 0) {
		pin_release(mali, pin);
		pin = NULL;
		goto out_unlock;
	}

	/* Nothing can fail from here on: replace what the range overlaps. */
	vmas_cut(vm, va, va + size, &spare, &dead);
	vma->va = va;
	vma->size = size;
	vma->bo_offset = bo_offset;
	vma->flags = flags;
	vma->pin = pin;
	vmas_insert(vm, vma);
	pt_write_pages(mali, vm, va, size, pin->dma, 0, flags);
	vma = NULL;
	pin = NULL;

	pthread_mutex_lock(&mali->mmu_lock);
	resident = vm->as >= 0;
	pthread_mutex_unlock(&mali->mmu_lock);
	if (resident) {
		r = vm_flush(mali, vm, va, size);
	} else {
		/* The first mapping gives the VM a slot (see docs: AS slots). */
		r = vm_make_resident(mali, vm);
		if (r == -EBUSY)
			r = 0;	/* every slot in use by an active VM: it gets one later */
	}
	/* Replaced mappings' memory goes only once the TLB forgot it. */
	pins_release(mali, dead);
out_unlock:
	pthread_mutex_unlock(&vm->op_lock);
out_free:
	free(vma);
	free(spare);
	free(pin);
	return r;
}

int mali_csf_vm_unmap(struct mali_csf_vm *vm, uint64_t va, uint64_t size)
{
	struct mali_csf_pt *freed = NULL;
	struct mali_csf_pin *dead = NULL;
	struct mali_csf_vma *spare;
	struct mali_csf_data *mali;
	int r;

	spare = calloc(1, sizeof(*spare));
	if (!spare)
		return -ENOMEM;
	pthread_mutex_lock(&vm->op_lock);
	if (!vm->dev_live) {
		r = -EINVAL;
		goto out_unlock;
	}
	mali = vm->mali;
	vmas_cut(vm, va, va + size, &spare, &dead);
	pt_clear(vm->root, mali->pt_start_level, va, va + size, &freed);
	r = vm_flush(mali, vm, va, size);
	/* Tables and pages leave the device's reach after the flush, not before. */
	while (freed) {
		struct mali_csf_pt *next = freed->free_next;

		pt_free(mali, vm, freed);
		freed = next;
	}
	pins_release(mali, dead);
out_unlock:
	pthread_mutex_unlock(&vm->op_lock);
	free(spare);
	return r;
}

/* --- address-space slots --- */

int mali_csf_vm_activate(struct mali_csf_data *mali, struct mali_csf_vm *vm, unsigned int *as)
{
	unsigned int slot;
	int r = 0;

	pthread_mutex_lock(&mali->mmu_lock);
	if (!vm->dev_live) {
		r = -EINVAL;
		goto out;
	}
	if (vm->as >= 0) {
		if (vm->active_cnt++ == 0)
			cds_list_del_init(&vm->lru_link);
		*as = (unsigned int)vm->as;
		goto out;
	}
	for (slot = 0; slot < MALI_CSF_MAX_AS; slot++)
		if ((mali->as_user_mask & (1u << slot)) && !mali->as_slot[slot])
			break;
	if (slot == MALI_CSF_MAX_AS) {
		struct mali_csf_vm *lru;

		/* No free slot: evict the least recently used idle VM, as panthor. */
		if (cds_list_empty(&mali->as_lru)) {
			r = -EBUSY;
			goto out;
		}
		lru = cds_list_first_entry(&mali->as_lru, struct mali_csf_vm, lru_link);
		slot = (unsigned int)lru->as;
		vm_release_as_locked(mali, lru);
	}
	r = as_enable(mali, slot, vm);
	if (r < 0) {
		as_disable(mali, slot);
		goto out;
	}
	mali->as_slot[slot] = vm;
	vm->as = (int)slot;
	vm->active_cnt = 1;
	*as = slot;
out:
	pthread_mutex_unlock(&mali->mmu_lock);
	return r;
}

void mali_csf_vm_idle(struct mali_csf_data *mali, struct mali_csf_vm *vm)
{
	pthread_mutex_lock(&mali->mmu_lock);
	/* The slot may have gone meanwhile (a fault, a teardown). */
	if (vm->as >= 0 && vm->active_cnt && --vm->active_cnt == 0)
		cds_list_add_tail(&vm->lru_link, &mali->as_lru);
	pthread_mutex_unlock(&mali->mmu_lock);
}

bool mali_csf_vm_is_unusable(const struct mali_csf_vm *vm)
{
	return __atomic_load_n(&vm->unusable, __ATOMIC_ACQUIRE);
}

/* --- VM device state --- */

int mali_csf_vm_dev_init(struct mali_csf_data *mali, struct mali_csf_vm *vm)
{
	int r;

	pthread_mutex_init(&vm->op_lock, NULL);
	CDS_INIT_LIST_HEAD(&vm->vmas);
	CDS_INIT_LIST_HEAD(&vm->lru_link);
	vm->as = -1;
	r = pt_alloc(mali, vm, mali->pt_start_level, &vm->root);
	if (r < 0) {
		pthread_mutex_destroy(&vm->op_lock);
		return r;
	}
	vm->mali = mali;
	pthread_mutex_lock(&mali->mmu_lock);
	vm->dev_live = true;
	cds_list_add_tail(&vm->dev_link, &mali->vms);
	pthread_mutex_unlock(&mali->mmu_lock);
	return 0;
}

/* Unmap and free what the VM has on the device; its AS is already off. */
static void vm_dev_free(struct mali_csf_data *mali, struct mali_csf_vm *vm)
{
	struct mali_csf_vma *vma, *tmp;
	struct mali_csf_pin *dead = NULL;

	cds_list_for_each_entry_safe(vma, tmp, &vm->vmas, link) {
		cds_list_del(&vma->link);
		vma_drop_piece(vma, &dead);
		free(vma);
	}
	pins_release(mali, dead);
	pt_free_tree(mali, vm, vm->root);
	vm->root = NULL;
}

void mali_csf_vm_dev_teardown(struct mali_csf_vm *vm)
{
	struct mali_csf_data *mali;

	pthread_mutex_lock(&vm->op_lock);
	if (!vm->dev_live) {
		pthread_mutex_unlock(&vm->op_lock);
		return;
	}
	mali = vm->mali;
	pthread_mutex_lock(&mali->mmu_lock);
	if (vm->as >= 0)
		vm_release_as_locked(mali, vm);
	cds_list_del(&vm->dev_link);
	vm->dev_live = false;
	pthread_mutex_unlock(&mali->mmu_lock);
	vm_dev_free(mali, vm);
	vm->mali = NULL;
	pthread_mutex_unlock(&vm->op_lock);
}

/* --- the MCU's VM (AS0), for mali_csf_fw.c --- */

/*
 * As panthor_vm_create(ptdev, true, ...) for the firmware: a VM that owns
 * AS0 for its whole life.  AS0 is outside as_user_mask, so no file VM can
 * take or evict it; the VM is on mali->vms like any other, so release()
 * finds it should fw_fini() not have run.
 */
int mali_csf_mcu_vm_create(struct mali_csf_data *mali, struct mali_csf_vm **out)
{
	struct mali_csf_vm *vm;
	int r;

	if (!mali->backend->ops->dma_map)
		return -EOPNOTSUPP;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->refs = 1;
	vm->user_va_end = UINT64_MAX;
	r = mali_csf_vm_dev_init(mali, vm);
	if (r < 0) {
		free(vm);
		return r;
	}
	pthread_mutex_lock(&mali->mmu_lock);
	r = as_enable(mali, 0, vm);
	if (r == 0) {
		mali->as_slot[0] = vm;
		vm->as = 0;
		vm->active_cnt = 1;	/* never idle: never on the LRU */
	}
	pthread_mutex_unlock(&mali->mmu_lock);
	if (r < 0) {
		mali_csf_vm_dev_teardown(vm);
		pthread_mutex_destroy(&vm->op_lock);
		free(vm);
		return r;
	}
	*out = vm;
	return 0;
}

int mali_csf_mcu_vm_map(struct mali_csf_vm *vm, uint64_t va, const struct gp_dma_mapping *dma,
			uint32_t flags)
{
	uint64_t size = dma->size;
	int r;

	if (va % MALI_CSF_PAGE_SIZE || size % MALI_CSF_PAGE_SIZE || !size || va + size < va)
		return -EINVAL;
	pthread_mutex_lock(&vm->op_lock);
	if (!vm->dev_live) {
		r = -ENODEV;
		goto out;
	}
	r = pt_prepare(vm->mali, vm, va, size);
	if (r < 0)
		goto out;
	pt_write_pages(vm->mali, vm, va, size, dma, 0, flags);
	r = vm_flush(vm->mali, vm, va, size);
out:
	pthread_mutex_unlock(&vm->op_lock);
	return r;
}

void mali_csf_mcu_vm_destroy(struct mali_csf_vm **pvm)
{
	struct mali_csf_vm *vm = *pvm;

	if (!vm)
		return;
	*pvm = NULL;
	/* Turns AS0 off (the slot is freed with it) and frees the tables. */
	mali_csf_vm_dev_teardown(vm);
	pthread_mutex_destroy(&vm->op_lock);
	free(vm);
}

/*
 * After the grace period: quiesce first (every AS off, MMU interrupts
 * masked), then unmap every page table and object range, so the device can
 * reach nothing by the time the backend goes.  The VM shells stay with
 * their files, marked dead.
 */
void mali_csf_mmu_release(struct mali_csf_data *mali)
{
	struct mali_csf_vm *vm, *tmp;

	if (!mali->as_user_mask)
		return;		/* probe failed before the MMU was set up */
	mmu_write(mali, MALI_MMU_INT_MASK, 0);
	for (unsigned int as = 0; as < MALI_CSF_MAX_AS; as++) {
		vm = mali->as_slot[as];
		if (vm) {
			pthread_mutex_lock(&mali->mmu_lock);
			vm_release_as_locked(mali, vm);
			pthread_mutex_unlock(&mali->mmu_lock);
		}
	}
	cds_list_for_each_entry_safe(vm, tmp, &mali->vms, dev_link)
		mali_csf_vm_dev_teardown(vm);
	pthread_mutex_destroy(&mali->mmu_lock);
}

/* --- the MMU interrupt --- */

static const char *mmu_exception_name(uint32_t exc)
{
	if (exc >= 0xc0 && exc <= 0xc4)
		return "TRANSLATION_FAULT";
	if (exc >= 0xc8 && exc <= 0xcb)
		return "PERMISSION_FAULT";
	if (exc >= 0xd0 && exc <= 0xd3)
		return "TRANSTAB_BUS_FAULT";
	if (exc >= 0xd8 && exc <= 0xdb)
		return "ACCESS_FLAG";
	if (exc == 0xe0)
		return "ADDRESS_SIZE_FAULT_IN";
	if (exc >= 0xe4 && exc <= 0xe7)
		return "ADDRESS_SIZE_FAULT_OUT";
	return "UNKNOWN";
}

static const char *mmu_access_name(uint32_t status)
{
	static const char *const names[] = { "ATOMIC", "EXECUTE", "READ", "WRITE" };

	return names[(status >> 8) & 3];
}

/*
 * As panthor's MMU IRQ handler: a fault is terminal for the VM.  Read and
 * log it, mark the VM unusable (GET_STATE reports it; its MAPs fail), turn
 * its AS off so nothing else runs on it, and clear the interrupt.
 * Context: the driver's irq hook, inside a guard.
 */
void mali_csf_mmu_irq(struct mali_csf_data *mali)
{
	uint32_t stat = mmu_read(mali, MALI_MMU_INT_STAT);
	uint32_t pending;

	if (stat == UINT32_MAX)
		return;		/* the device is gone; revoke follows */
	pending = (stat | stat >> 16) & 0xffffu;
	while (pending) {
		unsigned int as = (unsigned int)__builtin_ctz(pending);
		uint32_t bits = (1u << as) | (1u << (as + 16));
		uint32_t status = mmu_read(mali, MALI_AS_FAULTSTATUS(as));
		uint64_t addr = (uint64_t)mmu_read(mali, MALI_AS_FAULTADDRESS_HI(as)) << 32 |
				mmu_read(mali, MALI_AS_FAULTADDRESS_LO(as));
		struct mali_csf_vm *vm;

		pthread_mutex_lock(&mali->mmu_lock);
		vm = mali->as_slot[as];
		if (vm) {
			__atomic_store_n(&vm->unusable, true, __ATOMIC_RELEASE);
			vm_release_as_locked(mali, vm);
		}
		gp_log_error("mali-csf: GPU %s fault in AS%u at VA 0x%016" PRIx64
			     ": FAULTSTATUS 0x%x (exception 0x%x %s, access %s, source 0x%x); %s %u",
			     stat & (1u << (as + 16)) ? "bus" : "page", as, addr, status,
			     status & 0xff, mmu_exception_name(status & 0xff), mmu_access_name(status),
			     status >> 16, vm ? "unusable now: the file's VM" : "no VM holds the AS, VM",
			     vm ? vm->id : 0);
		pthread_mutex_unlock(&mali->mmu_lock);
		mmu_write(mali, MALI_MMU_INT_CLEAR, bits);
		pending &= ~(1u << as);
	}
}
