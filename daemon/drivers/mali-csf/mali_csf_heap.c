// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mali-csf tiler heaps: panthor's TILER_HEAP_CREATE and TILER_HEAP_DESTROY
 * (panthor_heap.c), with its validation, handles and errors.
 *
 * A VM has one heap pool, made at its first heap: a context area of 64
 * bytes per heap (the GPU's heap context, zeroed) and up to 128 heaps.  A
 * heap is its initial chunks, kernel objects mapped in the VM's kernel
 * range and linked as panthor links them: each chunk's header starts with
 * the GPU VA of the next chunk (page-aligned) or'ed with the chunk size in
 * pages.  The heap never grows: the mock's tiler never runs out of heap
 * (docs/uapi.md), so @max_chunks and @target_in_flight are checked and
 * kept, not acted on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "file.h"
#include "gem.h"
#include "mali_csf.h"
#include "mali_csf_mmu.h"
#include "mali_csf_sched.h"

/* panthor's MAX_HEAPS_PER_POOL, HEAP_CONTEXT_SIZE aligned to a 64-byte line. */
#define MALI_CSF_MAX_HEAPS_PER_POOL	128
#define MALI_CSF_HEAP_CTX_STRIDE	64
#define MALI_CSF_HEAP_CHUNK_MIN		(128u << 10)
#define MALI_CSF_HEAP_CHUNK_MAX		(8u << 20)

/*
 * Bytes of chunks one VM's heaps may hold: panthor bounds them by memory
 * only; here all clients share the daemon's, so a heap past it is ENOMEM.
 */
#define MALI_CSF_HEAP_POOL_MAX_BYTES	(512ull << 20)

struct mali_csf_heap_chunk {
	struct gp_gem_object *bo;
	uint64_t va;
};

struct mali_csf_heap {
	uint32_t chunk_size, max_chunks, target_in_flight;
	unsigned int nchunks;
	struct mali_csf_heap_chunk chunks[];
};

/* A VM's heaps; everything under the VM's heaps_lock. */
struct mali_csf_heap_pool {
	struct gp_gem_object *ctx;	/* heap contexts, [id] at id * stride */
	uint64_t ctx_va;
	uint64_t bytes;			/* of all chunks */
	struct mali_csf_heap *heaps[MALI_CSF_MAX_HEAPS_PER_POOL];
};

static void heap_free(struct mali_csf_vm *vm, struct mali_csf_heap *heap)
{
	if (!heap)
		return;
	for (unsigned int i = 0; i < heap->nchunks; i++) {
		if (heap->chunks[i].va)
			mali_csf_vm_unmap_kernel(vm, heap->chunks[i].va, heap->chunks[i].bo->size);
		gp_gem_object_put(&heap->chunks[i].bo);
	}
	free(heap);
}

void mali_csf_heap_pool_destroy(struct mali_csf_vm *vm)
{
	struct mali_csf_heap_pool *pool;

	pthread_mutex_lock(&vm->heaps_lock);
	pool = vm->heaps;
	vm->heaps = NULL;
	if (pool) {
		for (unsigned int i = 0; i < MALI_CSF_MAX_HEAPS_PER_POOL; i++)
			heap_free(vm, pool->heaps[i]);
		if (pool->ctx_va)
			mali_csf_vm_unmap_kernel(vm, pool->ctx_va, pool->ctx->size);
		gp_gem_object_put(&pool->ctx);
		free(pool);
	}
	pthread_mutex_unlock(&vm->heaps_lock);
}

/* panthor_vm_get_heap_pool(vm, true): the pool, made at the first heap.  Under heaps_lock. */
static int heap_pool_get_locked(const struct gp_registered_device *rdev, struct mali_csf_vm *vm,
				struct mali_csf_heap_pool **out)
{
	struct mali_csf_heap_pool *pool = vm->heaps;
	int r;

	if (pool) {
		*out = pool;
		return 0;
	}
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	r = gp_gem_object_create(gp_registered_to_device(rdev),
				 MALI_CSF_MAX_HEAPS_PER_POOL * MALI_CSF_HEAP_CTX_STRIDE, &pool->ctx);
	if (r == 0) {
		memset(pool->ctx->vaddr, 0, pool->ctx->size);
		r = mali_csf_vm_map_kernel(vm, pool->ctx, GPU_PROTO_MALI_VM_BIND_OP_MAP_NOEXEC |
					   GPU_PROTO_MALI_VM_BIND_OP_MAP_UNCACHED, &pool->ctx_va);
	}
	if (r < 0) {
		gp_gem_object_put(&pool->ctx);
		free(pool);
		return r;
	}
	vm->heaps = *out = pool;
	return 0;
}

int mali_csf_tiler_heap_create(const struct gp_registered_device *rdev, void *data, void *arg,
			       struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_tiler_heap_create *args = arg;
	struct mali_csf_heap_pool *pool;
	struct mali_csf_heap *heap = NULL;
	struct mali_csf_vm *vm;
	uint64_t bytes;
	unsigned int id;
	int r;

	vm = mali_csf_vm_lookup(file, args->vm_id);
	if (!vm)
		return -EINVAL;
	/* panthor_heap_create()'s checks. */
	r = -EINVAL;
	if (!args->initial_chunk_count || args->initial_chunk_count > args->max_chunks)
		goto out;
	if ((args->chunk_size & 4095) || args->chunk_size < MALI_CSF_HEAP_CHUNK_MIN ||
	    args->chunk_size > MALI_CSF_HEAP_CHUNK_MAX)
		goto out;
	bytes = (uint64_t)args->chunk_size * args->initial_chunk_count;
	r = -ENOMEM;
	if (bytes > MALI_CSF_HEAP_POOL_MAX_BYTES)
		goto out;
	pthread_mutex_lock(&vm->heaps_lock);
	r = heap_pool_get_locked(rdev, vm, &pool);
	if (r < 0)
		goto out_unlock;
	r = -ENOMEM;
	if (pool->bytes + bytes > MALI_CSF_HEAP_POOL_MAX_BYTES)
		goto out_unlock;
	for (id = 0; id < MALI_CSF_MAX_HEAPS_PER_POOL; id++)
		if (!pool->heaps[id])
			break;
	r = -EBUSY;	/* xa_alloc() with the id range full */
	if (id == MALI_CSF_MAX_HEAPS_PER_POOL)
		goto out_unlock;

	heap = calloc(1, sizeof(*heap) + args->initial_chunk_count * sizeof(heap->chunks[0]));
	if (!heap) {
		r = -ENOMEM;
		goto out_unlock;
	}
	heap->chunk_size = args->chunk_size;
	heap->max_chunks = args->max_chunks;
	heap->target_in_flight = args->target_in_flight;
	for (unsigned int i = 0; i < args->initial_chunk_count; i++) {
		struct mali_csf_heap_chunk *c = &heap->chunks[i];

		r = gp_gem_object_create(gp_registered_to_device(rdev), args->chunk_size, &c->bo);
		if (r < 0)
			goto out_unlock;
		heap->nchunks++;
		memset(c->bo->vaddr, 0, 64);	/* the chunk header */
		r = mali_csf_vm_map_kernel(vm, c->bo, GPU_PROTO_MALI_VM_BIND_OP_MAP_NOEXEC, &c->va);
		if (r < 0)
			goto out_unlock;
		/* As panthor, each new chunk goes first and points at the previous first. */
		if (i > 0)
			*(uint64_t *)c->bo->vaddr = (heap->chunks[i - 1].va & ~4095ull) |
						    (args->chunk_size >> 12);
	}

	pool->heaps[id] = heap;
	pool->bytes += bytes;
	memset((uint8_t *)pool->ctx->vaddr + id * MALI_CSF_HEAP_CTX_STRIDE, 0,
	       MALI_CSF_HEAP_CTX_STRIDE);
	args->handle = args->vm_id << 16 | id;
	args->tiler_heap_ctx_gpu_va = pool->ctx_va + id * MALI_CSF_HEAP_CTX_STRIDE;
	args->first_heap_chunk_gpu_va = heap->chunks[heap->nchunks - 1].va;
	pthread_mutex_unlock(&vm->heaps_lock);
	mali_csf_vm_put(&vm);
	return 0;

out_unlock:
	heap_free(vm, heap);
	pthread_mutex_unlock(&vm->heaps_lock);
out:
	mali_csf_vm_put(&vm);
	return r;
}

int mali_csf_tiler_heap_destroy(const struct gp_registered_device *rdev, void *data, void *arg,
				struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_tiler_heap_destroy *args = arg;
	struct mali_csf_heap_pool *pool;
	struct mali_csf_heap *heap = NULL;
	uint32_t id = args->handle & 0xffff;
	struct mali_csf_vm *vm;

	if (args->pad)
		return -EINVAL;
	vm = mali_csf_vm_lookup(file, args->handle >> 16);
	if (!vm)
		return -EINVAL;
	pthread_mutex_lock(&vm->heaps_lock);
	pool = vm->heaps;
	if (pool && id < MALI_CSF_MAX_HEAPS_PER_POOL) {
		heap = pool->heaps[id];
		pool->heaps[id] = NULL;
		if (heap)
			pool->bytes -= (uint64_t)heap->chunk_size * heap->nchunks;
	}
	heap_free(vm, heap);
	pthread_mutex_unlock(&vm->heaps_lock);
	mali_csf_vm_put(&vm);
	/* No pool yet: panthor_vm_get_heap_pool(vm, false)'s ENOENT. */
	if (!pool)
		return -ENOENT;
	return heap ? 0 : -EINVAL;
}
