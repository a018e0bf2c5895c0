// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mali-csf GPU memory on the mock Mali-G610: panthor's BO_CREATE,
 * BO_MMAP_OFFSET, VM_CREATE, VM_DESTROY, VM_BIND and VM_GET_STATE, checked
 * against what the mock's MMU model sees through the page tables the
 * driver wrote: bytes a client wrote, translation faults, the MMU IRQ, and
 * nothing left reachable after unmap, destroy, close and revoke.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "backend.h"
#include "check_run.h"
#include "drivers.h"
#include "fdtoken.h"
#include "file.h"
#include "gem.h"
#include "inproc.h"
#include "mali_csf.h"
#include "mali_csf_regs.h"
#include "mock.h"
#include "registration.h"

#define PAGE		4096ull
#define ARENA_SIZE	(64u << 10)
#define VA		0x10000000ull	/* 256 MiB: a typical user VA */

static const struct gp_caller plain_user = { .uid = 1000, .gid = 1000, .pid = 7 };

/* One client: a file and a caller whose memory is one mapped arena. */
struct client {
	struct gp_inproc_caller *caller;
	struct gp_file *file;
	uint8_t *arena;
};

static struct gp_registration *reg;
static struct client A, B;
/* DMA mappings the probe leaves: the MCU's page tables and shared section. */
static unsigned int mcu_mappings;

static struct gp_mock_stats stats(void);

static void client_open(struct client *c)
{
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_RETRY, &c->caller), 0);
	c->arena = aligned_alloc(PAGE, ARENA_SIZE);
	ck_assert_ptr_nonnull(c->arena);
	memset(c->arena, 0, ARENA_SIZE);
	ck_assert_int_eq(gp_inproc_caller_map(c->caller, c->arena, ARENA_SIZE,
					      GP_USER_IN | GP_USER_OUT), 0);
	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), &plain_user, GP_NODE_RENDER,
				      &c->file), 0);
}

static void client_close(struct client *c)
{
	gp_file_close(&c->file);
	gp_inproc_caller_free(&c->caller);
	free(c->arena);
	c->arena = NULL;
}

static void bind_mock_cfg(const struct gp_mock_config *cfg)
{
	struct gp_backend *be = NULL;

	ck_assert_int_eq(gp_mock_open(cfg, &be), 0);
	ck_assert_int_eq(gp_driver_bind(&gp_mali_csf_driver, &be, "mock", &reg), 0);
	mcu_mappings = stats().dma_mappings;
}

static void setup_with(const struct gp_mock_config *cfg)
{
	bind_mock_cfg(cfg);
	client_open(&A);
	client_open(&B);
}

/* Reset and power-up complete at once: probe must not time out on a loaded machine. */
static void test_config(struct gp_mock_config *cfg)
{
	gp_mock_config_init(cfg);
	cfg->reset_delay_us = 0;
	cfg->l2_power_delay_us = 0;
}

static void setup(void)
{
	struct gp_mock_config cfg;

	test_config(&cfg);
	setup_with(&cfg);
}

static void teardown(void)
{
	client_close(&A);
	client_close(&B);
	gp_registration_free(&reg);
	mali_csf_release_probe = NULL;
}

/* Issue an ioctl with its argument copied through the client's arena. */
static int cl_ioctl(struct client *c, unsigned int cmd, void *arg, size_t size)
{
	int r;

	memcpy(c->arena, arg, size);
	r = gp_inproc_ioctl(c->caller, c->file, cmd, (uintptr_t)c->arena);
	memcpy(arg, c->arena, size);
	return r;
}

static int bo_create_full(struct client *c, uint64_t size, uint32_t flags, uint32_t excl,
			  uint32_t *handle, uint64_t *out_size)
{
	struct gpu_proto_mali_bo_create a = { .size = size, .flags = flags, .exclusive_vm_id = excl };
	int r = cl_ioctl(c, GPU_PROTO_IOCTL_MALI_BO_CREATE, &a, sizeof(a));

	if (handle)
		*handle = a.handle;
	if (out_size)
		*out_size = a.size;
	return r;
}

static uint32_t bo_create(struct client *c, uint64_t size)
{
	uint32_t h;

	ck_assert_int_eq(bo_create_full(c, size, 0, 0, &h, NULL), 0);
	return h;
}

static int vm_create_range(struct client *c, uint64_t range, uint32_t *id, uint64_t *out_range)
{
	struct gpu_proto_mali_vm_create a = { .user_va_range = range };
	int r = cl_ioctl(c, GPU_PROTO_IOCTL_MALI_VM_CREATE, &a, sizeof(a));

	if (id)
		*id = a.id;
	if (out_range)
		*out_range = a.user_va_range;
	return r;
}

static uint32_t vm_create(struct client *c)
{
	uint32_t id;

	ck_assert_int_eq(vm_create_range(c, 0, &id, NULL), 0);
	return id;
}

static int vm_destroy(struct client *c, uint32_t id)
{
	struct gpu_proto_mali_vm_destroy a = { .id = id };

	return cl_ioctl(c, GPU_PROTO_IOCTL_MALI_VM_DESTROY, &a, sizeof(a));
}

/* VM_BIND of @n ops with element size @stride, placed in the arena after the argument. */
static int vm_bind_raw(struct client *c, uint32_t vm, uint32_t flags, const void *ops, uint32_t n,
		       uint32_t stride, uint32_t *count_out)
{
	struct gpu_proto_mali_vm_bind a = {
		.vm_id = vm, .flags = flags,
		.ops = { .stride = stride, .count = n, .array = (uintptr_t)(c->arena + 256) },
	};
	int r;

	ck_assert_uint_le(256 + (size_t)n * stride, ARENA_SIZE);
	memcpy(c->arena + 256, ops, (size_t)n * stride);
	r = cl_ioctl(c, GPU_PROTO_IOCTL_MALI_VM_BIND, &a, sizeof(a));
	if (count_out)
		*count_out = a.ops.count;
	return r;
}

static int bind_op(struct client *c, uint32_t vm, const struct gpu_proto_mali_vm_bind_op *op)
{
	return vm_bind_raw(c, vm, 0, op, 1, sizeof(*op), NULL);
}

static int vm_map(struct client *c, uint32_t vm, uint32_t bo, uint64_t off, uint64_t va, uint64_t size)
{
	struct gpu_proto_mali_vm_bind_op op = {
		.flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP, .bo_handle = bo, .bo_offset = off,
		.va = va, .size = size,
	};

	return bind_op(c, vm, &op);
}

static int vm_unmap(struct client *c, uint32_t vm, uint64_t va, uint64_t size)
{
	struct gpu_proto_mali_vm_bind_op op = {
		.flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_UNMAP, .va = va, .size = size,
	};

	return bind_op(c, vm, &op);
}

static int vm_state(struct client *c, uint32_t vm, uint32_t *state)
{
	struct gpu_proto_mali_vm_get_state a = { .vm_id = vm, .state = 0xdead };
	int r = cl_ioctl(c, GPU_PROTO_IOCTL_MALI_VM_GET_STATE, &a, sizeof(a));

	*state = a.state;
	return r;
}

/* The object behind a handle, as the daemon maps it: what a client's mmap shares. */
static uint8_t *bo_mem(struct client *c, uint32_t handle)
{
	struct gp_gem_object *obj = gp_gem_object_lookup(c->file, handle);
	uint8_t *p;

	ck_assert_ptr_nonnull(obj);
	p = obj->vaddr;
	gp_gem_object_put(&obj);
	return p;
}

static struct gp_backend *backend(void)
{
	struct gp_guard guard;
	struct gp_backend *be;

	ck_assert(gp_dev_enter(gp_registration_device(reg), &guard));
	be = ((struct mali_csf_data *)gp_guard_data(&guard))->backend;
	gp_dev_exit(&guard);
	return be;
}

static struct gp_mock_stats stats(void)
{
	struct gp_mock_stats s;

	gp_mock_get_stats(backend(), &s);
	return s;
}

/* The AS slot a VM has (activating it as job submission will). */
static unsigned int vm_as(struct client *c, uint32_t id)
{
	struct gp_guard guard;
	struct mali_csf_vm *vm;
	unsigned int as = ~0u;

	ck_assert(gp_dev_enter(gp_registration_device(reg), &guard));
	vm = mali_csf_vm_lookup(c->file, id);
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(mali_csf_vm_activate(gp_guard_data(&guard), vm, &as), 0);
	mali_csf_vm_idle(gp_guard_data(&guard), vm);
	mali_csf_vm_put(&vm);
	gp_dev_exit(&guard);
	return as;
}

static int gpu_read(unsigned int as, uint64_t va, void *buf, size_t len, uint32_t *fs)
{
	return gp_mock_gpu_read(backend(), as, va, buf, len, fs);
}

static void fill(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void assert_gpu_sees(unsigned int as, uint64_t va, const uint8_t *want, size_t len)
{
	uint8_t got[64];

	ck_assert_uint_le(len, sizeof(got));
	ck_assert_int_eq(gpu_read(as, va, got, len, NULL), 0);
	ck_assert_mem_eq(got, want, len);
}

static void assert_gpu_faults(unsigned int as, uint64_t va, uint32_t want_status)
{
	uint8_t got[8];
	uint32_t fs = 0;

	ck_assert_int_eq(gpu_read(as, va, got, sizeof(got), &fs), -EFAULT);
	ck_assert_uint_eq(fs, want_status);
}

/* What the control plane does for the MMU line. */
static void service_mmu_irq(void)
{
	struct pollfd pfd = { .events = POLLIN, .fd = gp_backend_irq_fd(backend(), GP_MOCK_IRQ_MMU) };
	uint64_t count;

	ck_assert_int_ge(pfd.fd, 0);
	ck_assert_int_eq(poll(&pfd, 1, 2000), 1);
	ck_assert_int_eq(read(pfd.fd, &count, sizeof(count)), sizeof(count));
	ck_assert_int_eq(gp_device_handle_irq(gp_registration_device(reg), GP_MOCK_IRQ_MMU), 0);
}

/* --- buffer objects --- */

START_TEST(bo_create_rounds_up_and_gives_distinct_offsets)
{
	struct gpu_proto_mali_bo_mmap_offset mo = { 0 };
	uint64_t size, off1;
	uint32_t h1, h2;
	struct gp_gem_object *obj;

	setup();
	ck_assert_int_eq(bo_create_full(&A, 1, 0, 0, &h1, &size), 0);
	ck_assert_uint_eq(h1, 1);
	ck_assert_uint_eq(size, PAGE);
	ck_assert_int_eq(bo_create_full(&A, PAGE + 1, 0, 0, &h2, &size), 0);
	ck_assert_uint_eq(h2, 2);
	ck_assert_uint_eq(size, 2 * PAGE);

	mo.handle = h1;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET, &mo, sizeof(mo)), 0);
	obj = gp_gem_object_lookup(A.file, h1);
	ck_assert_uint_eq(mo.offset, obj->mmap_offset);
	ck_assert_uint_ne(mo.offset, 0);
	gp_gem_object_put(&obj);
	off1 = mo.offset;
	mo.handle = h2;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET, &mo, sizeof(mo)), 0);
	ck_assert_uint_ne(mo.offset, off1);
	teardown();
}
END_TEST

START_TEST(bo_create_bad_input_is_einval)
{
	struct gpu_proto_mali_bo_create pad = { .size = PAGE, .pad = 1 };

	setup();
	ck_assert_int_eq(bo_create_full(&A, 0, 0, 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(bo_create_full(&A, GP_GEM_MAX_SIZE + 1, 0, 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(bo_create_full(&A, UINT64_MAX, 0, 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(bo_create_full(&A, PAGE, 1u << 1, 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(bo_create_full(&A, PAGE, 0, 1, NULL, NULL), -EINVAL);	/* no VM 1 */
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_BO_CREATE, &pad, sizeof(pad)), -EINVAL);
	/* Nothing was created: the first good object still gets handle 1. */
	ck_assert_uint_eq(bo_create(&A, PAGE), 1);
	teardown();
}
END_TEST

START_TEST(bo_mmap_offset_errors)
{
	struct gpu_proto_mali_bo_mmap_offset mo = { 0 };
	uint32_t h;

	setup();
	h = bo_create(&A, PAGE);
	mo.handle = h;
	mo.pad = 1;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET, &mo, sizeof(mo)), -EINVAL);
	mo.pad = 0;
	mo.handle = 77;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET, &mo, sizeof(mo)), -ENOENT);
	/* Another file's handle is not ours. */
	mo.handle = h;
	ck_assert_int_eq(cl_ioctl(&B, GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET, &mo, sizeof(mo)), -ENOENT);
	ck_assert_int_eq(bo_create_full(&A, PAGE, GPU_PROTO_MALI_BO_NO_MMAP, 0, &h, NULL), 0);
	mo.handle = h;
	mo.offset = 0;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET, &mo, sizeof(mo)), -EPERM);
	ck_assert_uint_eq(mo.offset, 0);
	teardown();
}
END_TEST

/* Mint a token on @c and redeem it at once, as the fd socket does for this process. */
static int fd_token(struct client *c, uint32_t op, uint32_t handle, int import_fd,
		    struct gp_fd_token_result *res)
{
	struct gpu_proto_fd_token t = { .op = op, .handle = handle };
	/* The redeemer is the process that minted: here, the file's caller. */
	struct gp_fd_token_peer peer = { .pid = c->file->caller.pid, .pidfd = -1 };
	int r = cl_ioctl(c, GPU_PROTO_IOCTL_FD_TOKEN, &t, sizeof(t));

	if (r < 0)
		return r;
	memset(res, 0, sizeof(*res));
	return gp_fd_token_redeem(t.token, op, &peer, import_fd, res);
}

/*
 * panthor's rules on where a BO's memory may go hold on the memfd path
 * too: a NO_MMAP object's memfd is never handed out (it would be CPU
 * access), and an exclusive VM's object never gets a handle in another
 * file (panthor_gem_prime_export() refuses it), though its own file may
 * map it and re-import it.
 */
START_TEST(bo_memory_leaves_only_as_panthor_allows)
{
	struct gp_fd_token_result res, imp;
	uint32_t plain, nommap, excl, vm;

	setup();
	plain = bo_create(&A, PAGE);
	ck_assert_int_eq(bo_create_full(&A, PAGE, GPU_PROTO_MALI_BO_NO_MMAP, 0, &nommap, NULL), 0);
	vm = vm_create(&A);
	ck_assert_int_eq(bo_create_full(&A, PAGE, 0, vm, &excl, NULL), 0);

	ck_assert_int_eq(fd_token(&A, GPU_PROTO_FD_TOKEN_EXPORT, nommap, -1, &res), -EPERM);

	/* A plain object goes anywhere: mapped, and imported by another file. */
	ck_assert_int_eq(fd_token(&A, GPU_PROTO_FD_TOKEN_EXPORT, plain, -1, &res), 0);
	ck_assert_int_eq(fd_token(&B, GPU_PROTO_FD_TOKEN_IMPORT, 0, res.obj->memfd, &imp), 0);
	ck_assert_uint_ge(imp.handle, 1);
	gp_gem_object_put(&res.obj);

	/* An exclusive VM's object: its file maps it and re-imports it, no one else imports it. */
	ck_assert_int_eq(fd_token(&A, GPU_PROTO_FD_TOKEN_EXPORT, excl, -1, &res), 0);
	ck_assert_int_eq(fd_token(&B, GPU_PROTO_FD_TOKEN_IMPORT, 0, res.obj->memfd, &imp), -EINVAL);
	ck_assert_int_eq(fd_token(&A, GPU_PROTO_FD_TOKEN_IMPORT, 0, res.obj->memfd, &imp), 0);
	ck_assert_uint_eq(imp.handle, excl);
	gp_gem_object_put(&res.obj);
	teardown();
}
END_TEST

/* --- VM create and destroy --- */

START_TEST(vm_create_splits_the_va_space_as_panthor)
{
	uint64_t full = 1ull << 48, range;	/* the G610's 48 VA bits */
	uint32_t id;

	setup();
	ck_assert_int_eq(vm_create_range(&A, 0, &id, &range), 0);
	ck_assert_uint_eq(id, 1);
	ck_assert_uint_eq(range, full / 2);
	/* 4 GiB asked: the kernel range is the largest power of two left, at the top. */
	ck_assert_int_eq(vm_create_range(&A, 4ull << 30, &id, &range), 0);
	ck_assert_uint_eq(id, 2);
	ck_assert_uint_eq(range, full / 2);
	/* All but the 256 MiB the kernel needs at least. */
	ck_assert_int_eq(vm_create_range(&A, full - (256ull << 20), &id, &range), 0);
	ck_assert_uint_eq(range, full - (256ull << 20));
	/* More than that: EINVAL. */
	ck_assert_int_eq(vm_create_range(&A, full - (256ull << 20) + PAGE, NULL, NULL), -EINVAL);
	teardown();
}
END_TEST

START_TEST(vm_create_and_destroy_errors)
{
	struct gpu_proto_mali_vm_create flags = { .flags = 1 };
	struct gpu_proto_mali_vm_destroy pad = { .id = 1, .pad = 1 };
	uint32_t id;

	setup();
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_VM_CREATE, &flags, sizeof(flags)), -EINVAL);
	for (unsigned int i = 1; i <= 32; i++) {
		ck_assert_int_eq(vm_create_range(&A, 0, &id, NULL), 0);
		ck_assert_uint_eq(id, i);
	}
	ck_assert_int_eq(vm_create_range(&A, 0, NULL, NULL), -EBUSY);
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_VM_DESTROY, &pad, sizeof(pad)), -EINVAL);
	ck_assert_int_eq(vm_destroy(&A, 5), 0);
	ck_assert_int_eq(vm_destroy(&A, 5), -EINVAL);	/* double destroy */
	ck_assert_int_eq(vm_destroy(&A, 0), -EINVAL);
	ck_assert_int_eq(vm_destroy(&A, 33), -EINVAL);
	ck_assert_int_eq(vm_destroy(&B, 6), -EINVAL);	/* another file's VM */
	/* The lowest free id comes back, as xa_alloc. */
	ck_assert_int_eq(vm_create_range(&A, 0, &id, NULL), 0);
	ck_assert_uint_eq(id, 5);
	teardown();
}
END_TEST

/* --- VM_BIND and what the GPU sees --- */

START_TEST(mapped_bytes_are_what_the_gpu_reads)
{
	uint32_t bo, vm;
	unsigned int as;
	uint8_t *mem;

	setup();
	bo = bo_create(&A, 3 * PAGE);
	mem = bo_mem(&A, bo);
	fill(mem, 3 * PAGE, 0x11);
	vm = vm_create(&A);
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, 3 * PAGE), 0);
	as = vm_as(&A, vm);
	ck_assert_uint_ge(as, 1);	/* AS0 is the MCU's */
	assert_gpu_sees(as, VA, mem, 16);
	assert_gpu_sees(as, VA + PAGE + 5, mem + PAGE + 5, 32);
	assert_gpu_sees(as, VA + 3 * PAGE - 8, mem + 3 * PAGE - 8, 8);
	/* A client's later write is visible: the mapping is the memory, not a copy. */
	mem[PAGE] = 0xee;
	assert_gpu_sees(as, VA + PAGE, mem + PAGE, 1);
	/* Past the end: the walk stops at the last-level table. */
	assert_gpu_faults(as, VA + 3 * PAGE, MALI_EXC_TRANSLATION_FAULT(3) | MALI_AS_FAULTSTATUS_ACCESS_READ);
	teardown();
}
END_TEST

START_TEST(bo_offset_selects_the_pages)
{
	uint32_t bo, vm;
	unsigned int as;
	uint8_t *mem;

	setup();
	bo = bo_create(&A, 4 * PAGE);
	mem = bo_mem(&A, bo);
	fill(mem, 4 * PAGE, 0x40);
	vm = vm_create(&A);
	ck_assert_int_eq(vm_map(&A, vm, bo, 2 * PAGE, VA, 2 * PAGE), 0);
	as = vm_as(&A, vm);
	assert_gpu_sees(as, VA, mem + 2 * PAGE, 16);
	assert_gpu_sees(as, VA + PAGE, mem + 3 * PAGE, 16);
	teardown();
}
END_TEST

START_TEST(unmap_leaves_a_translation_fault)
{
	uint32_t bo, vm;
	unsigned int as;
	uint8_t *mem;

	setup();
	bo = bo_create(&A, 3 * PAGE);
	mem = bo_mem(&A, bo);
	fill(mem, 3 * PAGE, 0x22);
	vm = vm_create(&A);
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, 3 * PAGE), 0);
	as = vm_as(&A, vm);
	/* The middle page: its neighbours stay, it faults at the last level. */
	ck_assert_int_eq(vm_unmap(&A, vm, VA + PAGE, PAGE), 0);
	assert_gpu_sees(as, VA, mem, 8);
	assert_gpu_faults(as, VA + PAGE, MALI_EXC_TRANSLATION_FAULT(3) | MALI_AS_FAULTSTATUS_ACCESS_READ);
	assert_gpu_sees(as, VA + 2 * PAGE, mem + 2 * PAGE, 8);
	/* All of it: the empty tables go too, so the walk stops at the root. */
	ck_assert_int_eq(vm_unmap(&A, vm, VA, 3 * PAGE), 0);
	assert_gpu_faults(as, VA, MALI_EXC_TRANSLATION_FAULT(0) | MALI_AS_FAULTSTATUS_ACCESS_READ);
	assert_gpu_faults(as, VA + 2 * PAGE, MALI_EXC_TRANSLATION_FAULT(0) | MALI_AS_FAULTSTATUS_ACCESS_READ);
	/* Unmapping a hole is not an error (drm_gpuvm_sm_unmap). */
	ck_assert_int_eq(vm_unmap(&A, vm, VA, 3 * PAGE), 0);
	teardown();
}
END_TEST

START_TEST(unmap_releases_dma_mappings_and_tables)
{
	struct gp_mock_stats before, mapped, after;
	uint32_t bo, vm;

	setup();
	bo = bo_create(&A, 2 * PAGE);
	vm = vm_create(&A);
	before = stats();	/* the VM's root table */
	ck_assert_uint_eq(before.dma_mappings, mcu_mappings + 1);
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, 2 * PAGE), 0);
	mapped = stats();
	/* The object range plus three tables below the root. */
	ck_assert_uint_eq(mapped.dma_mappings, before.dma_mappings + 4);
	ck_assert_int_eq(vm_unmap(&A, vm, VA, 2 * PAGE), 0);
	after = stats();
	ck_assert_uint_eq(after.dma_mappings, before.dma_mappings);
	teardown();
}
END_TEST

START_TEST(map_over_a_mapping_replaces_the_overlap)
{
	struct gp_mock_stats before;
	uint32_t a, b, vm;
	uint8_t *ma, *mb;
	unsigned int as;

	setup();
	a = bo_create(&A, 4 * PAGE);
	b = bo_create(&A, PAGE);
	ma = bo_mem(&A, a);
	mb = bo_mem(&A, b);
	fill(ma, 4 * PAGE, 0x01);
	fill(mb, PAGE, 0x90);
	vm = vm_create(&A);
	before = stats();
	ck_assert_int_eq(vm_map(&A, vm, a, 0, VA, 4 * PAGE), 0);
	ck_assert_int_eq(vm_map(&A, vm, b, 0, VA + PAGE, PAGE), 0);
	as = vm_as(&A, vm);
	assert_gpu_sees(as, VA, ma, 16);
	assert_gpu_sees(as, VA + PAGE, mb, 16);
	assert_gpu_sees(as, VA + 2 * PAGE, ma + 2 * PAGE, 16);
	assert_gpu_sees(as, VA + 3 * PAGE, ma + 3 * PAGE, 16);
	/* Cut the split pieces away one by one: A's range goes with the last. */
	ck_assert_int_eq(vm_unmap(&A, vm, VA, PAGE), 0);
	ck_assert_uint_eq(stats().dma_mappings, before.dma_mappings + 5);
	ck_assert_int_eq(vm_unmap(&A, vm, VA + 2 * PAGE, 2 * PAGE), 0);
	ck_assert_uint_eq(stats().dma_mappings, before.dma_mappings + 4);
	assert_gpu_sees(as, VA + PAGE, mb, 16);
	/* A MAP covering all of B's mapping drops it entirely. */
	ck_assert_int_eq(vm_map(&A, vm, a, 0, VA, 4 * PAGE), 0);
	ck_assert_uint_eq(stats().dma_mappings, before.dma_mappings + 4);
	assert_gpu_sees(as, VA + PAGE, ma + PAGE, 16);
	teardown();
}
END_TEST

START_TEST(readonly_mapping_refuses_gpu_writes)
{
	struct gpu_proto_mali_vm_bind_op op = {
		.flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP | GPU_PROTO_MALI_VM_BIND_OP_MAP_READONLY,
		.va = VA, .size = PAGE,
	};
	uint8_t byte = 0x5a;
	uint32_t vm;
	unsigned int as;

	setup();
	op.bo_handle = bo_create(&A, PAGE);
	vm = vm_create(&A);
	ck_assert_int_eq(bind_op(&A, vm, &op), 0);
	as = vm_as(&A, vm);
	ck_assert_int_eq(gp_mock_gpu_access(backend(), as, VA, &byte, 1, true), -EFAULT);
	ck_assert_uint_eq(gp_backend_read32(backend(), 0, MALI_AS_FAULTSTATUS(as)) & 0xff,
			  MALI_EXC_PERM_FAULT(3));
	service_mmu_irq();
	teardown();
}
END_TEST

START_TEST(gpu_fault_raises_the_mmu_irq_and_makes_the_vm_unusable)
{
	struct gp_backend *be;
	uint32_t bo, vm, state;
	unsigned int as;
	uint8_t buf[4] = { 1, 2, 3, 4 };
	uint64_t bad = VA + 0x200000;

	setup();
	bo = bo_create(&A, PAGE);
	vm = vm_create(&A);
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, PAGE), 0);
	ck_assert_int_eq(vm_state(&A, vm, &state), 0);
	ck_assert_uint_eq(state, GPU_PROTO_MALI_VM_STATE_USABLE);
	as = vm_as(&A, vm);
	be = backend();
	ck_assert_int_eq(gp_mock_gpu_access(be, as, bad, buf, sizeof(buf), true), -EFAULT);
	/* As the hardware reports it, before the driver looks. */
	ck_assert_uint_eq(gp_backend_read32(be, 0, MALI_MMU_INT_RAWSTAT) & (1u << as), 1u << as);
	ck_assert_uint_eq(gp_backend_read32(be, 0, MALI_AS_FAULTSTATUS(as)) & 0x3ff,
			  MALI_EXC_TRANSLATION_FAULT(2) | MALI_AS_FAULTSTATUS_ACCESS_WRITE);
	ck_assert_uint_eq(gp_backend_read32(be, 0, MALI_AS_FAULTADDRESS_LO(as)), (uint32_t)bad);
	ck_assert_uint_eq(gp_backend_read32(be, 0, MALI_AS_FAULTADDRESS_HI(as)), bad >> 32);
	service_mmu_irq();
	/* The driver cleared it, marked the VM and turned its AS off. */
	ck_assert_uint_eq(gp_backend_read32(be, 0, MALI_MMU_INT_RAWSTAT) & (1u << as), 0);
	ck_assert_int_eq(vm_state(&A, vm, &state), 0);
	ck_assert_uint_eq(state, GPU_PROTO_MALI_VM_STATE_UNUSABLE);
	ck_assert_int_eq(gpu_read(as, VA, buf, sizeof(buf), NULL), -EFAULT);
	/* MAPs fail, UNMAPs work, as panthor's unusable VMs. */
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA + PAGE, PAGE), -EINVAL);
	ck_assert_int_eq(vm_unmap(&A, vm, VA, PAGE), 0);
	/* Another VM is untouched. */
	ck_assert_int_eq(vm_state(&A, vm_create(&A), &state), 0);
	ck_assert_uint_eq(state, GPU_PROTO_MALI_VM_STATE_USABLE);
	ck_assert_int_eq(vm_state(&A, 9, &state), -EINVAL);
	teardown();
}
END_TEST

START_TEST(bind_bad_input_gets_panthors_errors)
{
	struct gpu_proto_mali_vm_bind_op op;
	uint32_t bo, vm, vm2, other, excl, count;
	struct gp_mock_stats before;
	struct {
		struct gpu_proto_mali_vm_bind_op op;
		uint64_t extra;
	} big;

	setup();
	bo = bo_create(&A, 4 * PAGE);
	vm = vm_create(&A);
	vm2 = vm_create(&A);
	ck_assert_uint_eq(bo_create(&B, PAGE), 1);
	other = bo_create(&B, PAGE);	/* handle 2 of B; A has only 1 */
	before = stats();

	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA + 1, PAGE), -EINVAL);		/* unaligned VA */
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, PAGE + 1), -EINVAL);		/* unaligned size */
	ck_assert_int_eq(vm_map(&A, vm, bo, 512, VA, PAGE), -EINVAL);		/* unaligned offset */
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, 5 * PAGE), -EINVAL);		/* larger than the BO */
	ck_assert_int_eq(vm_map(&A, vm, bo, 2 * PAGE, VA, 3 * PAGE), -EINVAL);	/* past its end */
	ck_assert_int_eq(vm_map(&A, vm, bo, UINT64_MAX & ~(PAGE - 1), VA, PAGE), -EINVAL);
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, 1ull << 47, PAGE), -EINVAL);	/* kernel VA */
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, (1ull << 47) - PAGE, 2 * PAGE), -EINVAL);
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, UINT64_MAX & ~(PAGE - 1), 2 * PAGE), -EINVAL);
	ck_assert_int_eq(vm_map(&A, 9, bo, 0, VA, PAGE), -EINVAL);		/* no such VM */
	ck_assert_int_eq(vm_map(&A, vm, other, 0, VA, PAGE), -EINVAL);		/* B's handle */
	ck_assert_int_eq(vm_map(&A, vm, 0, 0, VA, PAGE), -EINVAL);
	ck_assert_int_eq(vm_unmap(&A, vm, VA + 1, PAGE), -EINVAL);

	memset(&op, 0, sizeof(op));
	op.flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP | (1u << 3);	/* unknown MAP flag */
	op.bo_handle = bo, op.va = VA, op.size = PAGE;
	ck_assert_int_eq(bind_op(&A, vm, &op), -EINVAL);
	op.flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_UNMAP | GPU_PROTO_MALI_VM_BIND_OP_MAP_READONLY;
	op.bo_handle = 0;
	ck_assert_int_eq(bind_op(&A, vm, &op), -EINVAL);		/* MAP flag on UNMAP */
	op.flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_UNMAP;
	op.bo_handle = bo;
	ck_assert_int_eq(bind_op(&A, vm, &op), -EINVAL);		/* handle on UNMAP */
	op.flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_SYNC_ONLY;
	op.bo_handle = 0;
	ck_assert_int_eq(bind_op(&A, vm, &op), -EINVAL);
	op.flags = 3u << 28;
	ck_assert_int_eq(bind_op(&A, vm, &op), -EINVAL);		/* unknown type */
	op.flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP;
	op.bo_handle = bo;
	op.syncs.count = 1;
	ck_assert_int_eq(bind_op(&A, vm, &op), -EINVAL);		/* syncs on a sync bind */
	op.syncs.count = 0;
	ck_assert_int_eq(vm_bind_raw(&A, vm, GPU_PROTO_MALI_VM_BIND_ASYNC, &op, 1, sizeof(op), NULL),
			 -EINVAL);
	ck_assert_int_eq(vm_bind_raw(&A, vm, 0, &op, 1, sizeof(op) - 8, NULL), -EINVAL);
	/* A larger element is fine when its tail is zero, E2BIG otherwise. */
	memset(&big, 0, sizeof(big));
	big.op = op;
	big.extra = 1;
	ck_assert_int_eq(vm_bind_raw(&A, vm, 0, &big, 1, sizeof(big), NULL), -E2BIG);
	ck_assert_uint_eq(stats().dma_mappings, before.dma_mappings);
	big.extra = 0;
	ck_assert_int_eq(vm_bind_raw(&A, vm, 0, &big, 1, sizeof(big), NULL), 0);
	ck_assert_int_eq(vm_unmap(&A, vm, VA, PAGE), 0);
	/* Size 0 does nothing, whatever else the op says (panthor checks it first). */
	ck_assert_int_eq(vm_map(&A, vm, bo, 1, 3, 0), 0);
	/* An unreadable ops array. */
	{
		struct gpu_proto_mali_vm_bind a = {
			.vm_id = vm, .ops = { .stride = sizeof(op), .count = 1, .array = 16 },
		};
		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_VM_BIND, &a, sizeof(a)), -EFAULT);
	}
	/* Nothing of the failures stayed mapped. */
	ck_assert_uint_eq(stats().dma_mappings, before.dma_mappings);

	/* The failing op's index comes back in ops.count; those before it were done. */
	{
		struct gpu_proto_mali_vm_bind_op two[2] = {
			{ .flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP, .bo_handle = bo, .va = VA, .size = PAGE },
			{ .flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP, .bo_handle = bo, .va = VA + 1, .size = PAGE },
		};
		ck_assert_int_eq(vm_bind_raw(&A, vm, 0, two, 2, sizeof(two[0]), &count), -EINVAL);
		ck_assert_uint_eq(count, 1);
		assert_gpu_sees(vm_as(&A, vm), VA, bo_mem(&A, bo), 8);
	}

	/* An object exclusive to a VM binds there only. */
	ck_assert_int_eq(bo_create_full(&A, PAGE, 0, vm2, &excl, NULL), 0);
	ck_assert_int_eq(vm_map(&A, vm, excl, 0, VA + 16 * PAGE, PAGE), -EINVAL);
	ck_assert_int_eq(vm_map(&A, vm2, excl, 0, VA, PAGE), 0);
	/* ...and not in a later VM that reuses its id. */
	ck_assert_int_eq(vm_destroy(&A, vm2), 0);
	ck_assert_uint_eq(vm_create(&A), vm2);
	ck_assert_int_eq(vm_map(&A, vm2, excl, 0, VA, PAGE), -EINVAL);
	teardown();
}
END_TEST

START_TEST(exhausted_device_address_space_is_enospc)
{
	struct gp_mock_config cfg;
	struct gp_mock_stats before;
	uint32_t bo, vm;

	test_config(&cfg);
	cfg.dma_space = 64 * PAGE;
	setup_with(&cfg);
	bo = bo_create(&A, 128 * PAGE);
	vm = vm_create(&A);
	before = stats();
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, 128 * PAGE), -ENOSPC);
	ck_assert_uint_eq(stats().dma_mappings, before.dma_mappings);
	/* What fits still maps. */
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, 16 * PAGE), 0);
	assert_gpu_sees(vm_as(&A, vm), VA, bo_mem(&A, bo), 8);
	teardown();
}
END_TEST

/* How many DMA maps a probe makes (the MCU's), counted on a throwaway binding. */
static uint64_t probe_dma_maps(const struct gp_mock_config *cfg)
{
	struct gp_mock_stats s;

	bind_mock_cfg(cfg);
	s = stats();
	gp_registration_free(&reg);
	return s.dma_maps;
}

START_TEST(failed_table_allocation_unmaps_the_object_range)
{
	struct gp_mock_config cfg;
	uint32_t bo, vm;

	/*
	 * After the probe's, maps 1-3 succeed (root table, object range,
	 * level-1 table); the level-2 table fails.
	 */
	test_config(&cfg);
	cfg.dma_map_fail_after = probe_dma_maps(&cfg) + 3;
	setup_with(&cfg);
	bo = bo_create(&A, PAGE);
	vm = vm_create(&A);
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, PAGE), -ENOMEM);
	/* The object range went back; the empty level-1 table stays until an unmap. */
	ck_assert_uint_eq(stats().dma_mappings, mcu_mappings + 2);
	ck_assert_int_eq(vm_unmap(&A, vm, VA, PAGE), 0);
	ck_assert_uint_eq(stats().dma_mappings, mcu_mappings + 1);
	teardown();
}
END_TEST

START_TEST(page_table_budget_is_enomem_and_reclaimed)
{
	uint64_t size = 9ull << 30;	/* needs 4608 last-level tables: over the budget */
	struct gp_mock_stats before;
	uint32_t bo, vm;

	setup();
	bo = bo_create(&A, size);
	vm = vm_create(&A);
	before = stats();
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, size), -ENOMEM);
	/* The tables made before the failure are empty and go with an unmap. */
	ck_assert_int_eq(vm_unmap(&A, vm, VA, size), 0);
	ck_assert_uint_eq(stats().dma_mappings, before.dma_mappings);
	teardown();
}
END_TEST

START_TEST(mmu_commands_are_issued_only_when_the_as_is_ready)
{
	struct gp_mock_config cfg;
	uint32_t bo, vm;
	unsigned int as;

	/* Every AS command keeps AS_STATUS ACTIVE for 1 ms. */
	test_config(&cfg);
	cfg.mmu_command_delay_us = 1000;
	setup_with(&cfg);
	bo = bo_create(&A, 2 * PAGE);
	fill(bo_mem(&A, bo), 2 * PAGE, 0x61);
	vm = vm_create(&A);
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, 2 * PAGE), 0);
	as = vm_as(&A, vm);
	assert_gpu_sees(as, VA + PAGE, bo_mem(&A, bo) + PAGE, 16);
	ck_assert_int_eq(vm_unmap(&A, vm, VA + PAGE, PAGE), 0);
	assert_gpu_faults(as, VA + PAGE, MALI_EXC_TRANSLATION_FAULT(3) | MALI_AS_FAULTSTATUS_ACCESS_READ);
	/* The driver waited each time: the hardware never had to drop one. */
	ck_assert_uint_gt(stats().as_commands, 6);
	ck_assert_uint_eq(stats().as_commands_dropped, 0);
	teardown();
}
END_TEST

/* --- AS slots --- */

START_TEST(vms_beyond_the_slots_evict_the_least_recently_used)
{
	uint32_t bo, vms[8];
	unsigned int as0, as;
	uint8_t *mem;

	setup();
	bo = bo_create(&A, PAGE);
	mem = bo_mem(&A, bo);
	fill(mem, PAGE, 0x77);
	/* AS_PRESENT 0xff less the MCU's AS0: seven slots for eight VMs. */
	for (unsigned int i = 0; i < 8; i++) {
		vms[i] = vm_create(&A);
		ck_assert_int_eq(vm_map(&A, vms[i], bo, 0, VA, PAGE), 0);
	}
	as = vm_as(&A, vms[7]);
	as0 = as;
	/* The eighth took the first VM's slot... */
	ck_assert_uint_eq(as, 1);
	/* ...and the first gets one back, from the next least recently used. */
	as = vm_as(&A, vms[0]);
	ck_assert_uint_eq(as, 2);
	assert_gpu_sees(as, VA, mem, 8);
	assert_gpu_sees(as0, VA, mem, 8);
	teardown();
}
END_TEST

/* --- destroy, close, revoke: nothing left reachable --- */

START_TEST(vm_destroy_leaves_no_translation_and_no_dma)
{
	uint32_t bo, vm;
	unsigned int as;

	setup();
	bo = bo_create(&A, PAGE);
	vm = vm_create(&A);
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, PAGE), 0);
	as = vm_as(&A, vm);
	assert_gpu_sees(as, VA, bo_mem(&A, bo), 4);
	ck_assert_int_eq(vm_destroy(&A, vm), 0);
	/* The AS is off (not merely its tables gone): nothing translates, from level 0. */
	assert_gpu_faults(as, VA, MALI_EXC_TRANSLATION_FAULT(0) | MALI_AS_FAULTSTATUS_ACCESS_READ);
	ck_assert_uint_eq(stats().dma_mappings, mcu_mappings);
	/* The object is the file's still. */
	ck_assert_ptr_nonnull(bo_mem(&A, bo));
	teardown();
}
END_TEST

START_TEST(closing_the_file_tears_its_vms_down)
{
	uint32_t bo, vm;
	unsigned int as;

	setup();
	bo = bo_create(&A, PAGE);
	vm = vm_create(&A);
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, PAGE), 0);
	as = vm_as(&A, vm);
	gp_file_close(&A.file);
	assert_gpu_faults(as, VA, MALI_EXC_TRANSLATION_FAULT(0) | MALI_AS_FAULTSTATUS_ACCESS_READ);
	ck_assert_uint_eq(stats().dma_mappings, mcu_mappings);
	teardown();
}
END_TEST

/* What release() leaves the device: recorded just before the backend goes. */
static struct {
	int read_result[MALI_CSF_MAX_AS];
	uint32_t fault_status[MALI_CSF_MAX_AS];
	uint32_t dma_mappings;
	bool ran;
} at_release;

static void record_at_release(struct gp_backend *be)
{
	struct gp_mock_stats s;
	uint8_t buf[4];

	for (unsigned int as = 0; as < GP_MOCK_NUM_AS; as++)
		at_release.read_result[as] = gp_mock_gpu_read(be, as, VA, buf, sizeof(buf),
							      &at_release.fault_status[as]);
	gp_mock_get_stats(be, &s);
	at_release.dma_mappings = s.dma_mappings;
	at_release.ran = true;
}

START_TEST(revoke_leaves_no_translation_and_no_dma)
{
	struct gp_gem_object *obj;
	uint32_t bo, vm, state;

	setup();
	memset(&at_release, 0, sizeof(at_release));
	mali_csf_release_probe = record_at_release;
	bo = bo_create(&A, 2 * PAGE);
	fill(bo_mem(&A, bo), 2 * PAGE, 0x33);
	for (unsigned int i = 0; i < 3; i++) {
		vm = vm_create(&A);
		ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, 2 * PAGE), 0);
		(void)vm_as(&A, vm);
	}
	vm = vm_create(&B);
	ck_assert_int_eq(vm_map(&B, vm, bo_create(&B, PAGE), 0, VA, PAGE), 0);
	ck_assert_uint_gt(stats().dma_mappings, 8);

	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	ck_assert(at_release.ran);
	/* Every AS off (a fault at level 0, not a bus fault on freed tables), no DMA left. */
	for (unsigned int as = 0; as < GP_MOCK_NUM_AS; as++) {
		ck_assert_int_eq(at_release.read_result[as], -EFAULT);
		ck_assert_uint_eq(at_release.fault_status[as],
				  MALI_EXC_TRANSLATION_FAULT(0) | MALI_AS_FAULTSTATUS_ACCESS_READ);
	}
	ck_assert_uint_eq(at_release.dma_mappings, 0);
	/* Afterwards: ENODEV for the VM ioctls, the objects and their memory remain. */
	ck_assert_int_eq(vm_state(&A, 1, &state), -ENODEV);
	ck_assert_int_eq(vm_create_range(&A, 0, NULL, NULL), -ENODEV);
	obj = gp_gem_object_lookup(A.file, bo);
	ck_assert_ptr_nonnull(obj);
	ck_assert_uint_eq(((uint8_t *)obj->vaddr)[0], 0x33);
	gp_gem_object_put(&obj);
	teardown();	/* postclose after unplug frees the shells; ASan checks the rest */
}
END_TEST

START_TEST(revoke_after_surprise_removal_still_unmaps_everything)
{
	uint32_t bo, vm;

	setup();
	memset(&at_release, 0, sizeof(at_release));
	mali_csf_release_probe = record_at_release;
	bo = bo_create(&A, 4 * PAGE);
	vm = vm_create(&A);
	ck_assert_int_eq(vm_map(&A, vm, bo, 0, VA, 4 * PAGE), 0);
	(void)vm_as(&A, vm);
	/* The GPU is gone: AS_STATUS reads all-ones, no command completes. */
	gp_mock_simulate_removal(backend());
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	ck_assert(at_release.ran);
	ck_assert_uint_eq(at_release.dma_mappings, 0);
	teardown();
}
END_TEST

/* --- revoke while binds are in flight (TSan) --- */

struct binder {
	struct client c;
	atomic_int *stop;
	unsigned int ok, enodev, other;
};

static void *binder_run(void *arg)
{
	struct binder *b = arg;
	uint32_t vm = 0, bo = 0;

	while (!atomic_load(b->stop)) {
		int r;

		if (!vm) {
			struct gpu_proto_mali_vm_create a = { 0 };

			r = cl_ioctl(&b->c, GPU_PROTO_IOCTL_MALI_VM_CREATE, &a, sizeof(a));
			vm = r == 0 ? a.id : 0;
		} else if (!bo) {
			r = bo_create_full(&b->c, 4 * PAGE, 0, 0, &bo, NULL);
			if (r)
				bo = 0;
		} else {
			r = vm_map(&b->c, vm, bo, 0, VA, 4 * PAGE);
			if (r == 0)
				r = vm_unmap(&b->c, vm, VA + PAGE, PAGE);
		}
		if (r == 0)
			__atomic_fetch_add(&b->ok, 1, __ATOMIC_RELAXED);
		else if (r == -ENODEV)
			b->enodev++;
		else
			b->other++;
		if (r == -ENODEV)
			break;
	}
	return NULL;
}

START_TEST(revoke_while_binds_are_in_flight)
{
	enum { N = 3 };
	struct binder b[N];
	pthread_t t[N];
	atomic_int stop = 0;

	struct gp_mock_config cfg;

	test_config(&cfg);
	bind_mock_cfg(&cfg);
	memset(&at_release, 0, sizeof(at_release));
	mali_csf_release_probe = record_at_release;
	for (unsigned int i = 0; i < N; i++) {
		memset(&b[i], 0, sizeof(b[i]));
		client_open(&b[i].c);
		b[i].stop = &stop;
		ck_assert_int_eq(pthread_create(&t[i], NULL, binder_run, &b[i]), 0);
	}
	/* Let them get going: some binds must have succeeded first. */
	for (int spins = 0; spins < 2000; spins++) {
		bool all = true;

		for (unsigned int i = 0; i < N; i++)
			all &= __atomic_load_n(&b[i].ok, __ATOMIC_RELAXED) > 4;
		if (all)
			break;
		usleep(1000);
	}
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	atomic_store(&stop, 1);
	for (unsigned int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		ck_assert_uint_gt(b[i].ok, 0);
		ck_assert_uint_eq(b[i].other, 0);
	}
	ck_assert(at_release.ran);
	ck_assert_uint_eq(at_release.dma_mappings, 0);
	for (unsigned int as = 0; as < GP_MOCK_NUM_AS; as++)
		ck_assert_int_eq(at_release.read_result[as], -EFAULT);
	for (unsigned int i = 0; i < N; i++)
		client_close(&b[i].c);
	gp_registration_free(&reg);
	mali_csf_release_probe = NULL;
}
END_TEST

/*
 * Two threads of one client bind into one VM while a third destroys and
 * recreates it and the GPU faults in it, the control plane handling the
 * MMU interrupt: every call ends in 0 or a documented error, and nothing
 * stays mapped afterwards (TSan checks the locking).
 */
struct racer {
	struct client *c;
	uint32_t bo;
	atomic_int *stop;
	unsigned int ok, other;
	int last_other;
};

static void *racer_bind(void *arg)
{
	struct racer *r = arg;

	while (!atomic_load(r->stop)) {
		int e = vm_map(r->c, 1, r->bo, 0, VA, 2 * PAGE);

		if (e == 0)
			e = vm_unmap(r->c, 1, VA, PAGE);
		if (e == 0)
			__atomic_fetch_add(&r->ok, 1, __ATOMIC_RELAXED);
		else if (e != -EINVAL) {	/* the VM destroyed, or unusable: EINVAL */
			r->other++;
			r->last_other = e;
		}
	}
	return NULL;
}

/* Another caller (thread) on @c's file, with its own arena. */
static void client_thread(struct client *c, const struct client *of)
{
	*c = *of;
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_RETRY, &c->caller), 0);
	c->arena = aligned_alloc(PAGE, ARENA_SIZE);
	ck_assert_ptr_nonnull(c->arena);
	memset(c->arena, 0, ARENA_SIZE);
	ck_assert_int_eq(gp_inproc_caller_map(c->caller, c->arena, ARENA_SIZE,
					      GP_USER_IN | GP_USER_OUT), 0);
}

static void client_thread_free(struct client *c)
{
	gp_inproc_caller_free(&c->caller);
	free(c->arena);
}

START_TEST(binds_racing_destroy_and_faults_on_one_vm)
{
	struct client threads[2];
	struct racer r[2];
	pthread_t t[2];
	atomic_int stop = 0;
	uint8_t byte = 0;

	setup();
	ck_assert_uint_eq(vm_create(&A), 1);
	for (unsigned int i = 0; i < 2; i++) {
		client_thread(&threads[i], &A);
		r[i] = (struct racer){ .c = &threads[i], .stop = &stop, .bo = bo_create(&A, 2 * PAGE) };
	}
	for (unsigned int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, racer_bind, &r[i]), 0);
	for (int round = 0; round < 40; round++) {
		struct gp_guard guard;
		struct mali_csf_vm *vm;
		unsigned int as;

		/*
		 * A GPU access through the VM's AS, when it has one, to a VA
		 * whose root descriptor the binders never write (the model
		 * reads descriptors with plain loads; the driver writes them
		 * atomically, as a CPU racing a table walk does).
		 */
		ck_assert(gp_dev_enter(gp_registration_device(reg), &guard));
		vm = mali_csf_vm_lookup(A.file, 1);
		if (vm && mali_csf_vm_activate(gp_guard_data(&guard), vm, &as) == 0) {
			if (gp_mock_gpu_access(backend(), as, 1ull << 46, &byte, 1, false) < 0)
				(void)gp_device_handle_irq(gp_registration_device(reg), GP_MOCK_IRQ_MMU);
			mali_csf_vm_idle(gp_guard_data(&guard), vm);
		}
		mali_csf_vm_put(&vm);
		gp_dev_exit(&guard);
		usleep(500);
		ck_assert_int_eq(vm_destroy(&A, 1), 0);
		ck_assert_uint_eq(vm_create(&A), 1);
		usleep(500);
	}
	atomic_store(&stop, 1);
	for (unsigned int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		ck_assert_msg(r[i].other == 0, "bind racing destroy: %d", r[i].last_other);
		ck_assert_uint_gt(r[i].ok, 0);
	}
	ck_assert_uint_gt(stats().mmu_faults, 0);
	ck_assert_int_eq(vm_destroy(&A, 1), 0);
	ck_assert_uint_eq(stats().dma_mappings, mcu_mappings);
	for (unsigned int i = 0; i < 2; i++)
		client_thread_free(&threads[i]);
	teardown();
}
END_TEST

/*
 * A client's long VM_BIND array does not hold revoke up: once revoke has
 * begun, the call stops at the next operation.
 */
enum { LONG_OPS = 16384 };

struct long_bind {
	struct gp_inproc_caller *caller;
	struct gp_file *file;
	struct gpu_proto_mali_vm_bind *arg;
	int r;
};

static void *long_bind_run(void *p)
{
	struct long_bind *lb = p;

	lb->r = gp_inproc_ioctl(lb->caller, lb->file, GPU_PROTO_IOCTL_MALI_VM_BIND,
				(uintptr_t)lb->arg);
	return NULL;
}

START_TEST(revoke_stops_a_long_bind_array)
{
	struct gpu_proto_mali_vm_bind_op *ops;
	struct gpu_proto_mali_vm_bind *arg;
	struct long_bind lb = { 0 };
	size_t bytes = sizeof(*arg) + LONG_OPS * sizeof(*ops);
	pthread_t t;
	uint32_t bo, vm;
	void *mem;

	setup();
	bo = bo_create(&A, PAGE);
	vm = vm_create(&A);
	mem = aligned_alloc(PAGE, (bytes + PAGE - 1) & ~(PAGE - 1));
	ck_assert_ptr_nonnull(mem);
	arg = mem;
	ops = (void *)(arg + 1);
	for (unsigned int i = 0; i < LONG_OPS; i++)
		ops[i] = (struct gpu_proto_mali_vm_bind_op){
			.flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP, .bo_handle = bo,
			.va = VA + (uint64_t)i * PAGE, .size = PAGE,
		};
	*arg = (struct gpu_proto_mali_vm_bind){
		.vm_id = vm, .ops = { .stride = sizeof(*ops), .count = LONG_OPS, .array = (uintptr_t)ops },
	};
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_DIRECT, &lb.caller), 0);
	ck_assert_int_eq(gp_inproc_caller_map(lb.caller, mem, bytes, GP_USER_IN | GP_USER_OUT), 0);
	lb.file = A.file;
	lb.arg = arg;
	ck_assert_int_eq(pthread_create(&t, NULL, long_bind_run, &lb), 0);
	/* Revoke once the call is inside its guard, doing binds. */
	while (stats().dma_maps < 64)
		usleep(100);
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(lb.r, -ENODEV);
	ck_assert_uint_gt(arg->ops.count, 0);
	ck_assert_uint_lt(arg->ops.count, LONG_OPS);
	gp_inproc_caller_free(&lb.caller);
	free(mem);
	teardown();
}
END_TEST

static Suite *mali_csf_vm_suite(void)
{
	Suite *s = suite_create("mali-csf-vm");
	TCase *bo = tcase_create("bo");
	TCase *vm = tcase_create("vm");
	TCase *life = tcase_create("lifetime");

	tcase_add_test(bo, bo_create_rounds_up_and_gives_distinct_offsets);
	tcase_add_test(bo, bo_create_bad_input_is_einval);
	tcase_add_test(bo, bo_mmap_offset_errors);
	tcase_add_test(bo, bo_memory_leaves_only_as_panthor_allows);
	suite_add_tcase(s, bo);

	tcase_set_timeout(vm, 120);
	tcase_add_test(vm, vm_create_splits_the_va_space_as_panthor);
	tcase_add_test(vm, vm_create_and_destroy_errors);
	tcase_add_test(vm, mapped_bytes_are_what_the_gpu_reads);
	tcase_add_test(vm, bo_offset_selects_the_pages);
	tcase_add_test(vm, unmap_leaves_a_translation_fault);
	tcase_add_test(vm, unmap_releases_dma_mappings_and_tables);
	tcase_add_test(vm, map_over_a_mapping_replaces_the_overlap);
	tcase_add_test(vm, readonly_mapping_refuses_gpu_writes);
	tcase_add_test(vm, gpu_fault_raises_the_mmu_irq_and_makes_the_vm_unusable);
	tcase_add_test(vm, bind_bad_input_gets_panthors_errors);
	tcase_add_test(vm, exhausted_device_address_space_is_enospc);
	tcase_add_test(vm, page_table_budget_is_enomem_and_reclaimed);
	tcase_add_test(vm, failed_table_allocation_unmaps_the_object_range);
	tcase_add_test(vm, vms_beyond_the_slots_evict_the_least_recently_used);
	tcase_add_test(vm, mmu_commands_are_issued_only_when_the_as_is_ready);
	suite_add_tcase(s, vm);

	tcase_set_timeout(life, 120);
	tcase_add_test(life, vm_destroy_leaves_no_translation_and_no_dma);
	tcase_add_test(life, closing_the_file_tears_its_vms_down);
	tcase_add_test(life, revoke_leaves_no_translation_and_no_dma);
	tcase_add_test(life, revoke_while_binds_are_in_flight);
	tcase_add_test(life, revoke_after_surprise_removal_still_unmaps_everything);
	tcase_add_test(life, binds_racing_destroy_and_faults_on_one_vm);
	tcase_add_test(life, revoke_stops_a_long_bind_array);
	suite_add_tcase(s, life);
	return s;
}

int main(void)
{
	return gp_check_run(mali_csf_vm_suite());
}
