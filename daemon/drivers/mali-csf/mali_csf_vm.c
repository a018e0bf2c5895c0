// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mali-csf memory ioctls: panthor's BO_CREATE, BO_MMAP_OFFSET, VM_CREATE,
 * VM_DESTROY, VM_BIND (synchronous) and VM_GET_STATE, with panthor's
 * validation order and errors (panthor_drv.c, panthor_mmu.c).
 *
 * Per-file state is a VM pool (ids 1..32, lowest free first, as panthor's
 * xarray).  A VM's shell belongs to the file; its device state belongs to
 * the registration (see mali_csf_mmu.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "file.h"
#include "gem.h"
#include "log.h"
#include "mali_csf.h"
#include "mali_csf_mmu.h"
#include "mali_csf_sched.h"

/* struct mali_csf_bo - a panthor buffer object. */
struct mali_csf_bo {
	struct gp_gem_object base;
	uint32_t flags;			/* GPU_PROTO_MALI_BO_* */
	uint64_t exclusive_vm;		/* the VM's serial, or 0 */
};

/* Counts VMs ever made, so an exclusive BO never matches a later VM. */
static uint64_t mali_csf_vm_serial;

static void mali_csf_bo_free(struct gp_gem_object *obj)
{
	free((struct mali_csf_bo *)((char *)obj - offsetof(struct mali_csf_bo, base)));
}

static struct mali_csf_bo *to_mali_bo(struct gp_gem_object *obj);

/* NO_MMAP: the memory never reaches a client's CPU, as BO_MMAP_OFFSET refuses. */
static int mali_csf_bo_mmap(struct gp_gem_object *obj)
{
	return to_mali_bo(obj)->flags & GPU_PROTO_MALI_BO_NO_MMAP ? -EPERM : 0;
}

/* As panthor_gem_prime_export(): objects of an exclusive VM stay in their file. */
static int mali_csf_bo_prime_export(struct gp_gem_object *obj)
{
	return to_mali_bo(obj)->exclusive_vm ? -EINVAL : 0;
}

static const struct gp_gem_object_funcs mali_csf_bo_funcs = {
	.free = mali_csf_bo_free,
	.mmap = mali_csf_bo_mmap,
	.prime_export = mali_csf_bo_prime_export,
};

/* The panthor BO behind @obj, or NULL for an object made elsewhere (a PRIME import). */
static struct mali_csf_bo *to_mali_bo(struct gp_gem_object *obj)
{
	if (obj->funcs != &mali_csf_bo_funcs)
		return NULL;
	return (struct mali_csf_bo *)((char *)obj - offsetof(struct mali_csf_bo, base));
}

/* --- VMs and the pool --- */

struct mali_csf_vm *mali_csf_vm_lookup(struct gp_file *file, uint32_t id)
{
	struct mali_csf_file *mfile = file->driver_priv;
	struct mali_csf_vm *vm = NULL;

	if (!mfile || id == 0 || id > MALI_CSF_MAX_VMS_PER_FILE)
		return NULL;
	pthread_mutex_lock(&mfile->lock);
	vm = mfile->vms[id];
	if (vm)
		__atomic_add_fetch(&vm->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&mfile->lock);
	return vm;
}

/*
 * Drop a reference.  The last one frees the shell; the device state must
 * be gone by then (torn down by destroy, postclose or release).
 */
void mali_csf_vm_put(struct mali_csf_vm **pvm)
{
	struct mali_csf_vm *vm = *pvm;

	*pvm = NULL;
	if (!vm || __atomic_sub_fetch(&vm->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	pthread_mutex_destroy(&vm->op_lock);
	pthread_mutex_destroy(&vm->kva_lock);
	pthread_mutex_destroy(&vm->heaps_lock);
	free(vm);
}

/* struct mali_csf_kva - a kernel VA range in use. */
struct mali_csf_kva {
	struct cds_list_head link;
	uint64_t va, size;
};

int mali_csf_vm_map_kernel(struct mali_csf_vm *vm, struct gp_gem_object *obj, uint32_t flags,
			   uint64_t *va)
{
	struct mali_csf_kva *k, *pos, *next = NULL;
	uint64_t start = vm->user_va_end, size = obj->size;
	int r;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	pthread_mutex_lock(&vm->kva_lock);
	/* First fit between the sorted ranges. */
	cds_list_for_each_entry(pos, &vm->kvas, link) {
		if (pos->va - start >= size) {
			next = pos;
			break;
		}
		start = pos->va + pos->size;
	}
	if (!next && (start > vm->va_end || vm->va_end - start < size)) {
		pthread_mutex_unlock(&vm->kva_lock);
		free(k);
		return -ENOSPC;
	}
	k->va = start;
	k->size = size;
	if (next)
		cds_list_add_tail(&k->link, &next->link);
	else
		cds_list_add_tail(&k->link, &vm->kvas);
	pthread_mutex_unlock(&vm->kva_lock);

	r = mali_csf_vm_map(vm, obj, 0, k->va, size, flags);
	if (r < 0) {
		pthread_mutex_lock(&vm->kva_lock);
		cds_list_del(&k->link);
		pthread_mutex_unlock(&vm->kva_lock);
		free(k);
		return r;
	}
	*va = k->va;
	return 0;
}

void mali_csf_vm_unmap_kernel(struct mali_csf_vm *vm, uint64_t va, uint64_t size)
{
	struct mali_csf_kva *pos, *found = NULL;

	/* A torn-down VM has nothing mapped: unmap fails harmlessly then. */
	mali_csf_vm_unmap(vm, va, size);
	pthread_mutex_lock(&vm->kva_lock);
	cds_list_for_each_entry(pos, &vm->kvas, link) {
		if (pos->va == va) {
			found = pos;
			cds_list_del(&pos->link);
			break;
		}
	}
	pthread_mutex_unlock(&vm->kva_lock);
	free(found);
}

int mali_csf_open(const struct gp_registered_device *rdev, void *data, struct gp_file *file)
{
	struct mali_csf_file *mfile = calloc(1, sizeof(*mfile));
	int r;

	if (!mfile)
		return -ENOMEM;
	r = mali_csf_groups_file_open(mfile);
	if (r < 0) {
		free(mfile);
		return r;
	}
	pthread_mutex_init(&mfile->lock, NULL);
	file->driver_priv = mfile;
	return 0;
}

/*
 * Registered: tear every VM's device state down here, inside the guard.
 * Unplugged: release() already did, only the shells are left to free.
 */
void mali_csf_postclose(const struct gp_registered_device *rdev, void *data,
			       struct gp_file *file)
{
	struct mali_csf_file *mfile = file->driver_priv;

	if (!mfile)
		return;
	/* Groups first: they run in the VMs. */
	mali_csf_groups_file_close(data, mfile);
	for (unsigned int id = 1; id <= MALI_CSF_MAX_VMS_PER_FILE; id++) {
		struct mali_csf_vm *vm = mfile->vms[id];

		if (!vm)
			continue;
		mfile->vms[id] = NULL;
		mali_csf_heap_pool_destroy(vm);
		if (data)
			mali_csf_vm_dev_teardown(vm);
		mali_csf_vm_put(&vm);
	}
	pthread_mutex_destroy(&mfile->lock);
	free(mfile);
	file->driver_priv = NULL;
}

/*
 * panthor_vm_create_get_user_va_range(): the caller's value, or by default
 * half the space above 4 GiB (panthor's choice when the task's VA is not
 * smaller than the GPU's; the daemon cannot use the caller's TASK_SIZE);
 * always leaving 256 MiB to the kernel.  0: the space is too small.
 */
static uint64_t mali_csf_user_va_range(uint64_t asked, uint64_t full)
{
	uint64_t user;

	if (full < MALI_CSF_VM_MIN_KERNEL_VA)
		return 0;
	if (asked)
		user = asked;
	else
		user = full > (4ull << 30) ? full / 2 : full - MALI_CSF_VM_MIN_KERNEL_VA;
	if (full - MALI_CSF_VM_MIN_KERNEL_VA < user)
		user = full - MALI_CSF_VM_MIN_KERNEL_VA;
	return user;
}

static uint64_t rounddown_pow2(uint64_t x)
{
	return x ? 1ull << (63 - __builtin_clzll(x)) : 0;
}

int mali_csf_vm_create(const struct gp_registered_device *rdev, void *data, void *arg,
			      struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_vm_create *args = arg;
	struct mali_csf_file *mfile = file->driver_priv;
	struct mali_csf_data *mali = data;
	uint64_t full = 1ull << mali->va_bits, user_range, kernel_range;
	struct mali_csf_vm *vm;
	unsigned int id;
	int r;

	if (args->flags)
		return -EINVAL;
	user_range = mali_csf_user_va_range(args->user_va_range, full);
	if (!user_range || (args->user_va_range && args->user_va_range > user_range))
		return -EINVAL;
	/* A power-of-two kernel range at the top: a clear split, as panthor. */
	kernel_range = rounddown_pow2(full - user_range);

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->refs = 1;
	vm->serial = __atomic_add_fetch(&mali_csf_vm_serial, 1, __ATOMIC_RELAXED);
	vm->user_va_end = full - kernel_range;
	vm->va_end = full;
	pthread_mutex_init(&vm->kva_lock, NULL);
	pthread_mutex_init(&vm->heaps_lock, NULL);
	CDS_INIT_LIST_HEAD(&vm->kvas);
	r = mali_csf_vm_dev_init(mali, vm);
	if (r < 0) {
		pthread_mutex_destroy(&vm->kva_lock);
		pthread_mutex_destroy(&vm->heaps_lock);
		free(vm);
		return r;
	}

	pthread_mutex_lock(&mfile->lock);
	for (id = 1; id <= MALI_CSF_MAX_VMS_PER_FILE; id++)
		if (!mfile->vms[id])
			break;
	if (id <= MALI_CSF_MAX_VMS_PER_FILE) {
		vm->id = id;
		mfile->vms[id] = vm;
	}
	pthread_mutex_unlock(&mfile->lock);
	if (id > MALI_CSF_MAX_VMS_PER_FILE) {
		/* xa_alloc()'s answer when the id range is full. */
		mali_csf_vm_dev_teardown(vm);
		mali_csf_vm_put(&vm);
		return -EBUSY;
	}
	args->id = id;
	args->user_va_range = vm->user_va_end;
	return 0;
}

int mali_csf_vm_destroy(const struct gp_registered_device *rdev, void *data, void *arg,
			       struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_vm_destroy *args = arg;
	struct mali_csf_file *mfile = file->driver_priv;
	struct mali_csf_vm *vm = NULL;

	if (args->pad)
		return -EINVAL;
	pthread_mutex_lock(&mfile->lock);
	if (args->id >= 1 && args->id <= MALI_CSF_MAX_VMS_PER_FILE) {
		vm = mfile->vms[args->id];
		mfile->vms[args->id] = NULL;
	}
	pthread_mutex_unlock(&mfile->lock);
	if (!vm)
		return -EINVAL;
	mali_csf_heap_pool_destroy(vm);
	/* Binds that still hold a reference find it dead and fail. */
	mali_csf_vm_dev_teardown(vm);
	mali_csf_vm_put(&vm);
	return 0;
}

int mali_csf_vm_get_state(const struct gp_registered_device *rdev, void *data, void *arg,
				 struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_vm_get_state *args = arg;
	struct mali_csf_vm *vm = mali_csf_vm_lookup(file, args->vm_id);

	if (!vm)
		return -EINVAL;
	args->state = mali_csf_vm_is_unusable(vm) ? GPU_PROTO_MALI_VM_STATE_UNUSABLE
						  : GPU_PROTO_MALI_VM_STATE_USABLE;
	mali_csf_vm_put(&vm);
	return 0;
}

/* --- buffer objects --- */

int mali_csf_bo_create(const struct gp_registered_device *rdev, void *data, void *arg,
			      struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_bo_create *args = arg;
	struct gp_gem_object *obj;
	struct mali_csf_bo *bo;
	uint64_t exclusive = 0;
	int r;

	if (!args->size || args->pad || (args->flags & ~(uint32_t)GPU_PROTO_MALI_BO_NO_MMAP))
		return -EINVAL;
	if (args->exclusive_vm_id) {
		struct mali_csf_vm *vm = mali_csf_vm_lookup(file, args->exclusive_vm_id);

		if (!vm)
			return -EINVAL;
		exclusive = vm->serial;
		mali_csf_vm_put(&vm);
	}
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return -ENOMEM;
	bo->flags = args->flags;
	bo->exclusive_vm = exclusive;
	r = gp_gem_object_init(gp_registered_to_device(rdev), &bo->base, &mali_csf_bo_funcs,
			       args->size);
	if (r < 0) {
		free(bo);
		return r;
	}
	obj = &bo->base;
	r = gp_gem_handle_create(file, obj, &args->handle);
	if (r == 0)
		args->size = obj->size;
	/* The handle holds the object now, or nothing does. */
	gp_gem_object_put(&obj);
	return r;
}

int mali_csf_bo_mmap_offset(const struct gp_registered_device *rdev, void *data, void *arg,
				   struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_bo_mmap_offset *args = arg;
	struct gp_gem_object *obj;
	struct mali_csf_bo *bo;
	int r = 0;

	if (args->pad)
		return -EINVAL;
	obj = gp_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	/*
	 * panthor hands out the offset and refuses the mmap() with EPERM; a
	 * client here maps through the memfd, which the daemon cannot refuse
	 * once given, so the offset itself is refused.
	 */
	bo = to_mali_bo(obj);
	if (bo && (bo->flags & GPU_PROTO_MALI_BO_NO_MMAP))
		r = -EPERM;
	else
		args->offset = obj->mmap_offset;
	gp_gem_object_put(&obj);
	return r;
}

/* --- VM_BIND --- */

#define MALI_CSF_VM_BIND_OP_MIN_SIZE	sizeof(struct gpu_proto_mali_vm_bind_op)
/* Bytes of ops one call may pass: beyond it, ENOMEM (kvmalloc's answer). */
#define MALI_CSF_VM_BIND_MAX_BYTES	(16u << 20)

int mali_csf_vm_bind_plan(const struct gp_device *dev, const void *arg,
				 struct gp_user_plan *plan)
{
	const struct gpu_proto_mali_vm_bind *args = arg;
	uint64_t bytes = (uint64_t)args->ops.stride * args->ops.count;

	if (!args->ops.count || args->ops.stride < MALI_CSF_VM_BIND_OP_MIN_SIZE ||
	    bytes > MALI_CSF_VM_BIND_MAX_BYTES || (args->flags & GPU_PROTO_MALI_VM_BIND_ASYNC))
		return 0;
	return gp_user_plan_add(plan, args->ops.array, (uint32_t)bytes, GP_USER_IN);
}

/* copy_struct_from_user(): a larger element's extra bytes must be zero. */
static int mali_csf_copy_op(const struct gp_user *user, uint64_t addr, uint32_t stride,
			    struct gpu_proto_mali_vm_bind_op *op)
{
	uint8_t tail[64];
	int r;

	r = gp_copy_from_user(user, op, addr, sizeof(*op));
	if (r < 0)
		return r;
	for (uint64_t off = sizeof(*op); off < stride;) {
		size_t n = stride - off < sizeof(tail) ? stride - off : sizeof(tail);

		r = gp_copy_from_user(user, tail, addr + off, n);
		if (r < 0)
			return r;
		for (size_t i = 0; i < n; i++)
			if (tail[i])
				return -E2BIG;
		off += n;
	}
	return 0;
}

#define MALI_CSF_MAP_FLAGS						\
	(GPU_PROTO_MALI_VM_BIND_OP_MAP_READONLY | GPU_PROTO_MALI_VM_BIND_OP_MAP_NOEXEC | \
	 GPU_PROTO_MALI_VM_BIND_OP_MAP_UNCACHED | (uint32_t)GPU_PROTO_MALI_VM_BIND_OP_TYPE_MASK)

static int mali_csf_bind_map(struct gp_file *file, struct mali_csf_vm *vm,
			     const struct gpu_proto_mali_vm_bind_op *op)
{
	struct gp_gem_object *obj;
	struct mali_csf_bo *bo;
	int r = -EINVAL;

	/* As panthor_vm_prepare_map_op_ctx(): a failed lookup is EINVAL there. */
	obj = gp_gem_object_lookup(file, op->bo_handle);
	if (!obj)
		return -EINVAL;
	if (op->flags & ~(uint32_t)MALI_CSF_MAP_FLAGS)
		goto out;
	if (op->size > obj->size || op->bo_offset > obj->size - op->size)
		goto out;
	bo = to_mali_bo(obj);
	if (bo && bo->exclusive_vm && bo->exclusive_vm != vm->serial)
		goto out;
	r = mali_csf_vm_map(vm, obj, op->bo_offset, op->va, op->size, op->flags);
out:
	gp_gem_object_put(&obj);
	return r;
}

/* panthor_vm_bind_exec_sync_op() and panthor_vm_bind_prepare_op_ctx(). */
static int mali_csf_bind_op(struct gp_file *file, struct mali_csf_vm *vm,
			    const struct gpu_proto_mali_vm_bind_op *op)
{
	if (op->syncs.count)
		return -EINVAL;		/* no sync operations on synchronous binds */
	if (!op->size)
		return 0;
	if ((op->va | op->size | op->bo_offset) & (MALI_CSF_PAGE_SIZE - 1))
		return -EINVAL;
	/* range_overflows(va, size, user range): nothing in the kernel's part. */
	if (op->va >= vm->user_va_end || op->size > vm->user_va_end - op->va)
		return -EINVAL;

	switch (op->flags & (uint32_t)GPU_PROTO_MALI_VM_BIND_OP_TYPE_MASK) {
	case GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP:
		return mali_csf_bind_map(file, vm, op);
	case GPU_PROTO_MALI_VM_BIND_OP_TYPE_UNMAP:
		if (op->flags & ~(uint32_t)GPU_PROTO_MALI_VM_BIND_OP_TYPE_MASK)
			return -EINVAL;
		if (op->bo_handle || op->bo_offset)
			return -EINVAL;
		return mali_csf_vm_unmap(vm, op->va, op->size);
	default:
		/* SYNC_ONLY needs a non-zero size to get here: always invalid. */
		return -EINVAL;
	}
}

int mali_csf_vm_bind(const struct gp_registered_device *rdev, void *data, void *arg,
			    struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_vm_bind *args = arg;
	uint64_t bytes = (uint64_t)args->ops.stride * args->ops.count;
	struct mali_csf_vm *vm;
	int r = 0;

	/* Asynchronous binds need VM-bind queues and sync objects: not here. */
	if (args->flags & GPU_PROTO_MALI_VM_BIND_ASYNC)
		return -EINVAL;
	vm = mali_csf_vm_lookup(file, args->vm_id);
	if (!vm)
		return -EINVAL;
	if (args->ops.count) {
		if (args->ops.stride < MALI_CSF_VM_BIND_OP_MIN_SIZE)
			r = -EINVAL;
		else if (bytes > MALI_CSF_VM_BIND_MAX_BYTES)
			r = -ENOMEM;
	}
	for (uint32_t i = 0; r == 0 && i < args->ops.count; i++) {
		struct gpu_proto_mali_vm_bind_op op;

		/*
		 * Revoke waits for this guard: a client's long array must not
		 * hold it up, so stop at the next operation once it started.
		 */
		if (gp_device_is_unplugged(gp_registered_to_device(rdev))) {
			r = -ENODEV;
			args->ops.count = i;
			break;
		}
		r = mali_csf_copy_op(user, args->ops.array + (uint64_t)i * args->ops.stride,
				     args->ops.stride, &op);
		if (r == 0)
			r = mali_csf_bind_op(file, vm, &op);
		if (r < 0)
			args->ops.count = i;	/* where it stopped, as panthor */
	}
	mali_csf_vm_put(&vm);
	return r;
}
