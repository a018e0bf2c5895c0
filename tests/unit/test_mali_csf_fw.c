// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mali-csf's firmware-interface layer (mali_csf_fw.c) on the mock's MCU:
 * boot through AS0 and the shared section, what DEV_QUERY CSIF_INFO then
 * reports, a boot that never comes and an interface that is malformed,
 * memory for the MCU, group slots started and terminated, doorbells, the
 * job interrupt decoded into the scheduler's events, halt after surprise
 * removal, and nothing left mapped at release.
 *
 * The scheduler's event callbacks are observed with the linker's --wrap
 * (tests/meson.build): each call is recorded, then passed on to the real
 * scheduler when the build has one.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_cs.h>
#include <gpu-proto/gpu_proto_drm.h>

#include "backend.h"
#include "check_run.h"
#include "drivers.h"
#include "file.h"
#include "gem.h"
#include "inproc.h"
#include "mali_csf.h"
#include "mali_csf_regs.h"
#include "mock.h"
#include "registration.h"
/* By path: hw/ has a header of the same name (the interface layout). */
#include "../../daemon/drivers/mali-csf/mali_csf_fw.h"
#include "../../hw/mali_csf_fw.h"

#define PAGE		4096ull
#define ARENA_SIZE	(64u << 10)
#define RING_VA		0x10000000ull
#define DATA_VA		0x10100000ull
#define RING_SIZE	(16 * 1024u)

static const struct gp_caller plain_user = { .uid = 1000, .gid = 1000, .pid = 7 };

static struct gp_registration *reg;
static struct gp_inproc_caller *caller;
static struct gp_file *file;
static uint8_t *arena;

/* --- the scheduler's callbacks, recorded --- */

static struct {
	unsigned int sync_update[MALI_CSF_MAX_CSG];
	unsigned int idle[MALI_CSF_MAX_CSG];
	unsigned int fault[MALI_CSF_MAX_CSG], fatal[MALI_CSF_MAX_CSG];
	unsigned int fault_cs, fatal_cs;
	struct mali_csf_cs_status fault_st, fatal_st;
} ev;

void __wrap_mali_csf_sched_sync_update(struct mali_csf_data *mali, unsigned int slot);
void __wrap_mali_csf_sched_csg_idle(struct mali_csf_data *mali, unsigned int slot);
void __wrap_mali_csf_sched_cs_fault(struct mali_csf_data *mali, unsigned int slot, unsigned int cs,
				    const struct mali_csf_cs_status *st);
void __wrap_mali_csf_sched_cs_fatal(struct mali_csf_data *mali, unsigned int slot, unsigned int cs,
				    const struct mali_csf_cs_status *st);
/* The real scheduler's, when the build has one (mali_csf_sched.c). */
extern void __real_mali_csf_sched_sync_update(struct mali_csf_data *mali, unsigned int slot)
	__attribute__((weak));
extern void __real_mali_csf_sched_csg_idle(struct mali_csf_data *mali, unsigned int slot)
	__attribute__((weak));
extern void __real_mali_csf_sched_cs_fault(struct mali_csf_data *mali, unsigned int slot,
					   unsigned int cs, const struct mali_csf_cs_status *st)
	__attribute__((weak));
extern void __real_mali_csf_sched_cs_fatal(struct mali_csf_data *mali, unsigned int slot,
					   unsigned int cs, const struct mali_csf_cs_status *st)
	__attribute__((weak));

void __wrap_mali_csf_sched_sync_update(struct mali_csf_data *mali, unsigned int slot)
{
	ck_assert_uint_lt(slot, MALI_CSF_MAX_CSG);
	ev.sync_update[slot]++;
	if (__real_mali_csf_sched_sync_update)
		__real_mali_csf_sched_sync_update(mali, slot);
}

void __wrap_mali_csf_sched_csg_idle(struct mali_csf_data *mali, unsigned int slot)
{
	ck_assert_uint_lt(slot, MALI_CSF_MAX_CSG);
	ev.idle[slot]++;
	if (__real_mali_csf_sched_csg_idle)
		__real_mali_csf_sched_csg_idle(mali, slot);
}

void __wrap_mali_csf_sched_cs_fault(struct mali_csf_data *mali, unsigned int slot, unsigned int cs,
				    const struct mali_csf_cs_status *st)
{
	ck_assert_uint_lt(slot, MALI_CSF_MAX_CSG);
	ev.fault[slot]++;
	ev.fault_cs = cs;
	ev.fault_st = *st;
	if (__real_mali_csf_sched_cs_fault)
		__real_mali_csf_sched_cs_fault(mali, slot, cs, st);
}

void __wrap_mali_csf_sched_cs_fatal(struct mali_csf_data *mali, unsigned int slot, unsigned int cs,
				    const struct mali_csf_cs_status *st)
{
	ck_assert_uint_lt(slot, MALI_CSF_MAX_CSG);
	ev.fatal[slot]++;
	ev.fatal_cs = cs;
	ev.fatal_st = *st;
	if (__real_mali_csf_sched_cs_fatal)
		__real_mali_csf_sched_cs_fatal(mali, slot, cs, st);
}

/* --- setup --- */

static void test_config(struct gp_mock_config *cfg)
{
	gp_mock_config_init(cfg);
	cfg->reset_delay_us = 0;
	cfg->l2_power_delay_us = 0;
}

static int bind_mock(const struct gp_mock_config *cfg, struct gp_backend **leftover)
{
	struct gp_backend *be = NULL;
	int r;

	ck_assert_int_eq(gp_mock_open(cfg, &be), 0);
	r = gp_driver_bind(&gp_mali_csf_driver, &be, "mock", &reg);
	if (leftover)
		*leftover = be;
	else
		gp_backend_release(&be);
	return r;
}

static void open_file(void)
{
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_RETRY, &caller), 0);
	arena = aligned_alloc(PAGE, ARENA_SIZE);
	ck_assert_ptr_nonnull(arena);
	memset(arena, 0, ARENA_SIZE);
	ck_assert_int_eq(gp_inproc_caller_map(caller, arena, ARENA_SIZE, GP_USER_IN | GP_USER_OUT), 0);
	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), &plain_user, GP_NODE_RENDER, &file),
			 0);
}

static void setup(void)
{
	struct gp_mock_config cfg;

	memset(&ev, 0, sizeof(ev));
	test_config(&cfg);
	ck_assert_int_eq(bind_mock(&cfg, NULL), 0);
	open_file();
}

static void teardown(void)
{
	gp_file_close(&file);
	gp_inproc_caller_free(&caller);
	free(arena);
	arena = NULL;
	gp_registration_free(&reg);
	mali_csf_release_probe = NULL;
	mali_csf_fw_boot_probe = NULL;
}

static int cl_ioctl(unsigned int cmd, void *arg, size_t size)
{
	int r;

	memcpy(arena, arg, size);
	r = gp_inproc_ioctl(caller, file, cmd, (uintptr_t)arena);
	memcpy(arg, arena, size);
	return r;
}

/* The registration data, for the driver-internal calls under test. */
static struct mali_csf_data *enter(struct gp_guard *guard)
{
	ck_assert(gp_dev_enter(gp_registration_device(reg), guard));
	return gp_guard_data(guard);
}

static struct gp_backend *backend(void)
{
	struct gp_guard guard;
	struct gp_backend *be = enter(&guard)->backend;

	gp_dev_exit(&guard);
	return be;
}

static struct gp_mock_stats stats(void)
{
	struct gp_mock_stats s;

	gp_mock_get_stats(backend(), &s);
	return s;
}

/* What the control plane does for the job line: wait, drain, run the handler. */
static void service_job_irq(void)
{
	struct pollfd pfd = { .events = POLLIN, .fd = gp_backend_irq_fd(backend(), GP_MOCK_IRQ_JOB) };
	uint64_t count;

	ck_assert_int_ge(pfd.fd, 0);
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	ck_assert_int_eq(read(pfd.fd, &count, sizeof(count)), sizeof(count));
	ck_assert_int_eq(gp_device_handle_irq(gp_registration_device(reg), GP_MOCK_IRQ_JOB), 0);
}

static bool job_irq_pending(void)
{
	struct pollfd pfd = { .events = POLLIN, .fd = gp_backend_irq_fd(backend(), GP_MOCK_IRQ_JOB) };

	return poll(&pfd, 1, 0) == 1;
}

/* --- a group: a VM with a ring buffer, and the MCU memory for its ring's pages --- */

struct group {
	uint32_t vm_id, bo;
	unsigned int as;
	struct mali_csf_vm *vm;
	struct mali_csf_fw_mem ring_in, ring_out;
	uint8_t *ring;			/* the ring buffer's memory, as the daemon maps it */
	uint8_t *data;			/* DATA_VA's page */
	uint64_t insert;
};

static uint32_t bo_create(uint64_t size)
{
	struct gpu_proto_mali_bo_create a = { .size = size };

	ck_assert_int_eq(cl_ioctl(GPU_PROTO_IOCTL_MALI_BO_CREATE, &a, sizeof(a)), 0);
	return a.handle;
}

static uint8_t *bo_mem(uint32_t handle)
{
	struct gp_gem_object *obj = gp_gem_object_lookup(file, handle);
	uint8_t *p;

	ck_assert_ptr_nonnull(obj);
	p = obj->vaddr;
	gp_gem_object_put(&obj);
	return p;
}

static void vm_map(uint32_t vm, uint32_t bo, uint64_t off, uint64_t va, uint64_t size)
{
	struct gpu_proto_mali_vm_bind_op op = {
		.flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP, .bo_handle = bo, .bo_offset = off,
		.va = va, .size = size,
	};
	struct gpu_proto_mali_vm_bind a = {
		.vm_id = vm, .ops = { .stride = sizeof(op), .count = 1, .array = (uintptr_t)(arena + 256) },
	};

	memcpy(arena + 256, &op, sizeof(op));
	ck_assert_int_eq(cl_ioctl(GPU_PROTO_IOCTL_MALI_VM_BIND, &a, sizeof(a)), 0);
}

static void group_init(struct group *g)
{
	struct gpu_proto_mali_vm_create vc = { 0 };
	struct gp_guard guard;
	struct mali_csf_data *mali;

	memset(g, 0, sizeof(*g));
	ck_assert_int_eq(cl_ioctl(GPU_PROTO_IOCTL_MALI_VM_CREATE, &vc, sizeof(vc)), 0);
	g->vm_id = vc.id;
	g->bo = bo_create(RING_SIZE + PAGE);
	vm_map(g->vm_id, g->bo, 0, RING_VA, RING_SIZE);
	vm_map(g->vm_id, g->bo, RING_SIZE, DATA_VA, PAGE);
	g->ring = bo_mem(g->bo);
	g->data = g->ring + RING_SIZE;

	mali = enter(&guard);
	g->vm = mali_csf_vm_lookup(file, g->vm_id);
	ck_assert_ptr_nonnull(g->vm);
	ck_assert_int_eq(mali_csf_vm_activate(mali, g->vm, &g->as), 0);
	ck_assert_int_eq(mali_csf_fw_mem_alloc(mali, PAGE, &g->ring_in), 0);
	ck_assert_int_eq(mali_csf_fw_mem_alloc(mali, PAGE, &g->ring_out), 0);
	gp_dev_exit(&guard);
}

/* The slot lets go of the ring's pages before they are freed, as the scheduler must. */
static void group_fini(struct group *g, int slot)
{
	struct gp_guard guard;
	struct mali_csf_data *mali = enter(&guard);

	if (slot >= 0)
		ck_assert_int_eq(mali_csf_csg_terminate(mali, (unsigned int)slot), 0);

	mali_csf_fw_mem_free(mali, &g->ring_in);
	mali_csf_fw_mem_free(mali, &g->ring_out);
	mali_csf_vm_idle(mali, g->vm);
	mali_csf_vm_put(&g->vm);
	gp_dev_exit(&guard);
}

static void group_config(const struct group *g, struct mali_csf_csg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->as = g->as;
	cfg->priority = 3;
	cfg->compute_mask = cfg->fragment_mask = 0x50005;
	cfg->tiler_mask = 1;
	cfg->max_compute_cores = cfg->max_fragment_cores = 4;
	cfg->max_tiler_cores = 1;
	cfg->cs_count = 1;
	cfg->cs[0] = (struct mali_csf_cs_config){
		.enabled = true,
		.priority = 1,
		.ringbuf_va = RING_VA,
		.ringbuf_size = RING_SIZE,
		.ringbuf_input_va = g->ring_in.mcu_va,
		.ringbuf_output_va = g->ring_out.mcu_va,
	};
}

static int group_start(struct group *g, unsigned int slot)
{
	struct mali_csf_csg_config cfg;
	struct gp_guard guard;
	int r;

	group_config(g, &cfg);
	r = mali_csf_csg_start(enter(&guard), slot, &cfg);
	gp_dev_exit(&guard);
	return r;
}

/* Append instructions to the ring and publish them (INSERT), as a queue kick does. */
static void ring_emit(struct group *g, const uint64_t *instrs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		memcpy(g->ring + (g->insert % RING_SIZE), &instrs[i], 8);
		g->insert += 8;
	}
	__atomic_store_n((uint64_t *)(void *)((uint8_t *)g->ring_in.cpu + MALI_RINGBUF_INSERT),
			 g->insert, __ATOMIC_RELEASE);
}

static uint64_t ring_extract(const struct group *g)
{
	return __atomic_load_n((const uint64_t *)(const void *)((const uint8_t *)g->ring_out.cpu +
								 MALI_RINGBUF_EXTRACT),
			       __ATOMIC_ACQUIRE);
}

static void ring_doorbell(unsigned int slot)
{
	struct gp_guard guard;

	mali_csf_cs_ring_doorbell(enter(&guard), slot, 0);
	gp_dev_exit(&guard);
}

/* --- boot --- */

START_TEST(probe_boots_the_mcu_through_as0)
{
	const struct mali_csf_fw_info *info;
	struct gp_guard guard;
	struct mali_csf_data *mali;
	uint32_t version;

	setup();
	ck_assert_uint_eq(stats().mcu_boots, 1);
	mali = enter(&guard);
	info = mali_csf_fw_get_info(mali);
	ck_assert_ptr_nonnull(info);
	ck_assert_uint_eq(info->glb_version, GP_MOCK_CSF_GLB_VERSION);
	ck_assert_uint_eq(info->csg_count, GP_MOCK_CSF_GROUP_NUM);
	ck_assert_uint_eq(info->cs_per_csg, GP_MOCK_CSF_STREAM_NUM);
	/* The MCU sees the shared section at its VA through AS0's tables. */
	ck_assert_int_eq(gp_mock_gpu_read(mali->backend, 0, MALI_CSF_SHARED_VA + MALI_GLB_CONTROL_VERSION,
					  &version, sizeof(version), NULL), 0);
	ck_assert_uint_eq(version, GP_MOCK_CSF_GLB_VERSION);
	/* The job interrupt is enabled for the global interface and every slot. */
	ck_assert_uint_eq(gp_backend_read32(mali->backend, 0, MALI_JOB_INT_MASK),
			  MALI_JOB_INT_GLOBAL_IF | ((1u << GP_MOCK_CSF_GROUP_NUM) - 1));
	ck_assert_uint_eq(gp_backend_read32(mali->backend, 0, MALI_MCU_STATUS),
			  MALI_MCU_STATUS_ENABLED);
	gp_dev_exit(&guard);
	teardown();
}
END_TEST

START_TEST(csif_info_reports_the_firmware_interface)
{
	struct gpu_proto_mali_csif_info info;
	struct gpu_proto_mali_dev_query q = {
		.type = GPU_PROTO_MALI_DEV_QUERY_CSIF_INFO, .size = sizeof(info),
		.pointer = (uintptr_t)(0),
	};

	setup();
	q.pointer = (uintptr_t)(arena + 1024);
	memset(arena + 1024, 0xaa, sizeof(info));
	ck_assert_int_eq(cl_ioctl(GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q, sizeof(q)), 0);
	memcpy(&info, arena + 1024, sizeof(info));
	ck_assert_uint_eq(info.csg_slot_count, GP_MOCK_CSF_GROUP_NUM);
	ck_assert_uint_eq(info.cs_slot_count, GP_MOCK_CSF_STREAM_NUM);
	ck_assert_uint_eq(info.cs_reg_count, GP_MOCK_CSF_REG_COUNT);
	ck_assert_uint_eq(info.scoreboard_slot_count, GP_MOCK_CSF_SCOREBOARDS);
	ck_assert_uint_eq(info.unpreserved_cs_reg_count, MALI_CSF_UNPRESERVED_REG_COUNT);
	ck_assert_uint_eq(info.pad, 0);
	teardown();
}
END_TEST

START_TEST(boot_that_never_comes_times_out_and_unwinds)
{
	struct gp_mock_config cfg;
	struct gp_backend *be = NULL;
	struct gp_mock_stats s;

	test_config(&cfg);
	cfg.mcu_never_boots = true;
	ck_assert_int_eq(bind_mock(&cfg, &be), -ETIMEDOUT);
	ck_assert_ptr_null(reg);
	ck_assert_ptr_nonnull(be);
	/* Page tables and the shared section went with the failed probe. */
	gp_mock_get_stats(be, &s);
	ck_assert_uint_eq(s.dma_mappings, 0);
	ck_assert_uint_gt(s.dma_maps, 0);
	gp_backend_release(&be);
}
END_TEST

/* --- a malformed interface: what the firmware wrote, changed before the driver reads it --- */

static uint32_t *shared_word(void *shared, uint64_t off)
{
	return (uint32_t *)(void *)((uint8_t *)shared + off);
}

static uint64_t csg0_control(void)
{
	return MALI_CSF_GROUP_CONTROL;
}

static void break_version(void *shared, uint64_t size)
{
	*shared_word(shared, MALI_GLB_CONTROL_VERSION) = 0;
}

static void break_glb_input_va(void *shared, uint64_t size)
{
	*shared_word(shared, MALI_GLB_CONTROL_INPUT_VA) = (uint32_t)(MALI_CSF_SHARED_VA + size);
}

static void break_glb_output_va_below(void *shared, uint64_t size)
{
	*shared_word(shared, MALI_GLB_CONTROL_OUTPUT_VA) = (uint32_t)(MALI_CSF_SHARED_VA - 0x1000);
}

static void break_group_num(void *shared, uint64_t size)
{
	*shared_word(shared, MALI_GLB_CONTROL_GROUP_NUM) = 2;
}

static void break_group_stride(void *shared, uint64_t size)
{
	/* Eight groups this far apart run off the end of the section. */
	*shared_word(shared, MALI_GLB_CONTROL_GROUP_STRIDE) = (uint32_t)(size / 4);
}

static void break_stream_num(void *shared, uint64_t size)
{
	*shared_word(shared, csg0_control() + MALI_CSG_CONTROL_STREAM_NUM) = 33;
}

static void break_stream_stride(void *shared, uint64_t size)
{
	*shared_word(shared, csg0_control() + MALI_CSG_CONTROL_STREAM_STRIDE) = 4;
}

static void break_csg_input_va(void *shared, uint64_t size)
{
	*shared_word(shared, csg0_control() + MALI_CSG_CONTROL_INPUT_VA) = 0xdead0000;
}

static void break_cs_output_va(void *shared, uint64_t size)
{
	*shared_word(shared, csg0_control() + MALI_CSF_STREAM_CONTROL + MALI_CS_CONTROL_OUTPUT_VA) =
		(uint32_t)(MALI_CSF_SHARED_VA + size - 8);
}

static void break_cs_features(void *shared, uint64_t size)
{
	uint32_t stride = *shared_word(shared, csg0_control() + MALI_CSG_CONTROL_STREAM_STRIDE);

	*shared_word(shared, csg0_control() + MALI_CSF_STREAM_CONTROL + stride +
			     MALI_CS_CONTROL_FEATURES) ^= 0x100;
}

static void (*const breakers[])(void *, uint64_t) = {
	break_version, break_glb_input_va, break_glb_output_va_below, break_group_num,
	break_group_stride, break_stream_num, break_stream_stride, break_csg_input_va,
	break_cs_output_va, break_cs_features,
};

START_TEST(malformed_interface_is_eproto_and_unwinds)
{
	struct gp_mock_config cfg;
	struct gp_backend *be = NULL;
	struct gp_mock_stats s;

	test_config(&cfg);
	mali_csf_fw_boot_probe = breakers[_i];
	ck_assert_int_eq(bind_mock(&cfg, &be), -EPROTO);
	mali_csf_fw_boot_probe = NULL;
	ck_assert_ptr_null(reg);
	gp_mock_get_stats(be, &s);
	ck_assert_uint_eq(s.dma_mappings, 0);
	/* The MCU was stopped before its memory went. */
	ck_assert_uint_eq(gp_backend_read32(be, 0, MALI_MCU_STATUS), MALI_MCU_STATUS_DISABLED);
	gp_backend_release(&be);
}
END_TEST

/* --- memory for the MCU --- */

START_TEST(fw_mem_is_what_the_mcu_sees_until_freed)
{
	struct mali_csf_fw_mem a, b;
	struct gp_guard guard;
	struct mali_csf_data *mali;
	uint32_t seen = 0, fs = 0;
	unsigned int maps;

	setup();
	maps = stats().dma_mappings;
	mali = enter(&guard);
	ck_assert_int_eq(mali_csf_fw_mem_alloc(mali, 100, &a), 0);
	ck_assert_int_eq(mali_csf_fw_mem_alloc(mali, 3 * PAGE, &b), 0);
	ck_assert_uint_eq(a.size, PAGE);
	ck_assert_uint_eq(b.size, 3 * PAGE);
	/* Above the shared section, apart from each other. */
	ck_assert_uint_ge(a.mcu_va, MALI_CSF_SHARED_VA + MALI_CSF_MOCK_SHARED_SIZE);
	ck_assert_uint_ge(b.mcu_va, MALI_CSF_SHARED_VA + MALI_CSF_MOCK_SHARED_SIZE);
	ck_assert(a.mcu_va + a.size <= b.mcu_va || b.mcu_va + b.size <= a.mcu_va);
	ck_assert_uint_lt(b.mcu_va + b.size, MALI_CSF_SHARED_VA + MALI_CSF_SHARED_MAX_SIZE);
	ck_assert_uint_eq(((uint32_t *)b.cpu)[0], 0);	/* zeroed */
	((uint32_t *)b.cpu)[2 * PAGE / 4] = 0x5eed1234;
	ck_assert_int_eq(gp_mock_gpu_read(mali->backend, 0, b.mcu_va + 2 * PAGE, &seen, sizeof(seen),
					  NULL), 0);
	ck_assert_uint_eq(seen, 0x5eed1234);

	mali_csf_fw_mem_free(mali, &b);
	ck_assert_uint_eq(b.size, 0);
	ck_assert_int_eq(gp_mock_gpu_read(mali->backend, 0, a.mcu_va + PAGE, &seen, sizeof(seen), &fs),
			 -EFAULT);
	gp_dev_exit(&guard);
	ck_assert_uint_eq(stats().dma_mappings, maps + 1);
	mali = enter(&guard);
	mali_csf_fw_mem_free(mali, &a);
	mali_csf_fw_mem_free(mali, &a);	/* a freed one is a no-op */
	gp_dev_exit(&guard);
	ck_assert_uint_eq(stats().dma_mappings, maps);
	teardown();
}
END_TEST

START_TEST(fw_mem_va_runs_out_and_is_reused)
{
	const uint64_t half = MALI_CSF_SHARED_MAX_SIZE / 2;
	struct mali_csf_fw_mem a, b;
	struct gp_guard guard;
	struct mali_csf_data *mali;
	uint64_t va;

	setup();
	mali = enter(&guard);
	ck_assert_int_eq(mali_csf_fw_mem_alloc(mali, 0, &a), -EINVAL);
	ck_assert_int_eq(mali_csf_fw_mem_alloc(mali, MALI_CSF_SHARED_MAX_SIZE + 1, &a), -ENOSPC);
	/* The region less the shared section holds one half, not two. */
	ck_assert_int_eq(mali_csf_fw_mem_alloc(mali, half, &a), 0);
	va = a.mcu_va;
	ck_assert_int_eq(mali_csf_fw_mem_alloc(mali, half, &b), -ENOSPC);
	ck_assert_uint_eq(b.size, 0);
	mali_csf_fw_mem_free(mali, &a);
	ck_assert_int_eq(mali_csf_fw_mem_alloc(mali, half, &b), 0);
	ck_assert_uint_eq(b.mcu_va, va);
	mali_csf_fw_mem_free(mali, &b);
	gp_dev_exit(&guard);
	teardown();
}
END_TEST

/* --- group slots --- */

START_TEST(csg_start_runs_the_ring_and_sync_update_reaches_the_scheduler)
{
	struct group g;
	const uint64_t stream[] = {
		gpu_proto_cs_move48(2, DATA_VA),	/* d2: the sync object */
		gpu_proto_cs_move32(4, 1),		/* r4: what to add */
		gpu_proto_cs_sync_add32(2, 4),
	};
	uint32_t db_before;

	setup();
	group_init(&g);
	ck_assert_int_eq(group_start(&g, 2), 0);
	db_before = stats().doorbells;
	ring_emit(&g, stream, 3);
	ring_doorbell(2);
	ck_assert_uint_gt(stats().doorbells, db_before);
	ck_assert_int_eq(gp_mock_csf_wait_idle(backend(), 5000), 0);
	ck_assert_uint_eq(ring_extract(&g), g.insert);
	ck_assert_uint_eq(*(uint32_t *)(void *)g.data, 1);
	/* SYNC_ADD raised the group's SYNC_UPDATE: decoded for slot 2 only. */
	service_job_irq();
	ck_assert_uint_ge(ev.sync_update[2], 1);
	ck_assert_uint_eq(ev.sync_update[0] + ev.sync_update[1] + ev.sync_update[3], 0);
	ck_assert_uint_eq(ev.fault[2] + ev.fatal[2], 0);
	group_fini(&g, 2);
	teardown();
}
END_TEST

START_TEST(terminated_group_runs_nothing_more)
{
	struct group g;
	struct gp_guard guard;
	const uint64_t stream[] = {
		gpu_proto_cs_move48(2, DATA_VA), gpu_proto_cs_move32(4, 1),
		gpu_proto_cs_sync_add32(2, 4),
	};

	setup();
	group_init(&g);
	ck_assert_int_eq(group_start(&g, 0), 0);
	ck_assert_int_eq(mali_csf_csg_terminate(enter(&guard), 0), 0);
	gp_dev_exit(&guard);
	ring_emit(&g, stream, 3);
	ring_doorbell(0);
	ck_assert_int_eq(gp_mock_csf_wait_idle(backend(), 5000), 0);
	ck_assert_uint_eq(ring_extract(&g), 0);
	ck_assert_uint_eq(*(uint32_t *)(void *)g.data, 0);
	/* The slot can take a group again. */
	ck_assert_int_eq(group_start(&g, 0), 0);
	ring_doorbell(0);
	ck_assert_int_eq(gp_mock_csf_wait_idle(backend(), 5000), 0);
	ck_assert_uint_eq(*(uint32_t *)(void *)g.data, 1);
	group_fini(&g, 0);
	teardown();
}
END_TEST

START_TEST(bad_slot_configs_are_einval)
{
	struct mali_csf_csg_config cfg;
	struct gp_guard guard;
	struct mali_csf_data *mali;
	struct group g;

	setup();
	group_init(&g);
	mali = enter(&guard);
	group_config(&g, &cfg);
	ck_assert_int_eq(mali_csf_csg_start(mali, GP_MOCK_CSF_GROUP_NUM, &cfg), -EINVAL);
	cfg.as = 0;	/* the MCU's */
	ck_assert_int_eq(mali_csf_csg_start(mali, 0, &cfg), -EINVAL);
	group_config(&g, &cfg);
	cfg.cs_count = GP_MOCK_CSF_STREAM_NUM + 1;
	ck_assert_int_eq(mali_csf_csg_start(mali, 0, &cfg), -EINVAL);
	group_config(&g, &cfg);
	cfg.cs[0].ringbuf_size = 3 * 4096;
	ck_assert_int_eq(mali_csf_csg_start(mali, 0, &cfg), -EINVAL);
	group_config(&g, &cfg);
	cfg.priority = 16;
	ck_assert_int_eq(mali_csf_csg_start(mali, 0, &cfg), -EINVAL);
	ck_assert_int_eq(mali_csf_csg_terminate(mali, 99), -EINVAL);
	gp_dev_exit(&guard);
	group_fini(&g, -1);
	teardown();
}
END_TEST

START_TEST(unacknowledged_csg_request_times_out)
{
	struct gp_mock_config cfg;
	struct group g;

	memset(&ev, 0, sizeof(ev));
	test_config(&cfg);
	cfg.csf_ignore_csg_req = true;
	ck_assert_int_eq(bind_mock(&cfg, NULL), 0);
	open_file();
	group_init(&g);
	ck_assert_int_eq(group_start(&g, 1), -ETIMEDOUT);
	group_fini(&g, -1);
	teardown();
}
END_TEST

START_TEST(cs_fault_is_decoded_with_its_status)
{
	struct group g;
	/* Opcode 0x3f is outside every encoding the subset knows. */
	const uint64_t stream[] = { gpu_proto_cs_nop(), gpu_proto_cs_op(0x3f) };
	struct mali_csf_cs_status st;
	struct gp_guard guard;

	setup();
	group_init(&g);
	ck_assert_int_eq(group_start(&g, 1), 0);
	ring_emit(&g, stream, 2);
	ring_doorbell(1);
	ck_assert_int_eq(gp_mock_csf_wait_idle(backend(), 5000), 0);
	service_job_irq();
	ck_assert_uint_eq(ev.fault[1] + ev.fatal[1], 1);
	if (ev.fault[1]) {
		ck_assert_uint_eq(ev.fault_cs, 0);
		ck_assert_uint_ne(MALI_CS_EXCEPTION_TYPE(ev.fault_st.fault), 0);
		ck_assert_uint_eq(ev.fault_st.cmd_ptr, RING_VA + 8);
	} else {
		ck_assert_uint_eq(ev.fatal_cs, 0);
		ck_assert_uint_ne(MALI_CS_EXCEPTION_TYPE(ev.fatal_st.fatal), 0);
	}
	mali_csf_cs_get_status(enter(&guard), 1, 0, &st);
	gp_dev_exit(&guard);
	ck_assert_uint_eq(st.fault | st.fatal, ev.fault_st.fault | ev.fatal_st.fatal);
	/* Acknowledged: the event is not reported twice. */
	if (job_irq_pending())
		service_job_irq();
	ck_assert_uint_eq(ev.fault[1] + ev.fatal[1], 1);
	group_fini(&g, 1);
	teardown();
}
END_TEST

/*
 * The IRQ path and requests at once: one thread starts and terminates a
 * slot in a loop (each start runs a SYNC_ADD, so every round interrupts)
 * while this one services the job line, as the control plane does.  Both
 * touch the same REQ words; neither may wait for the other.
 */
struct racer {
	struct group *g;
	int result;
	unsigned int rounds;
	bool done;
};

static void *slot_churn(void *arg)
{
	struct racer *rc = arg;
	const uint64_t stream[] = {
		gpu_proto_cs_move48(2, DATA_VA), gpu_proto_cs_move32(4, 1),
		gpu_proto_cs_sync_add32(2, 4),
	};

	for (unsigned int i = 0; i < rc->rounds && !rc->result; i++) {
		struct gp_guard guard;
		struct mali_csf_data *mali;

		ring_emit(rc->g, stream, 3);
		rc->result = group_start(rc->g, 3);
		ring_doorbell(3);
		mali = enter(&guard);
		if (!rc->result)
			rc->result = mali_csf_csg_terminate(mali, 3);
		gp_dev_exit(&guard);
		/* The next START continues where this one stopped. */
		__atomic_store_n((uint64_t *)(void *)((uint8_t *)rc->g->ring_in.cpu +
						       MALI_RINGBUF_EXTRACT_INIT),
				 ring_extract(rc->g), __ATOMIC_RELEASE);
	}
	__atomic_store_n(&rc->done, true, __ATOMIC_RELEASE);
	return NULL;
}

START_TEST(job_irq_races_slot_requests)
{
	struct group g;
	struct racer rc = { .g = &g, .rounds = 50 };
	pthread_t t;

	setup();
	group_init(&g);
	ck_assert_int_eq(pthread_create(&t, NULL, slot_churn, &rc), 0);
	while (!__atomic_load_n(&rc.done, __ATOMIC_ACQUIRE)) {
		struct pollfd pfd = { .events = POLLIN,
				      .fd = gp_backend_irq_fd(backend(), GP_MOCK_IRQ_JOB) };
		uint64_t count;

		if (poll(&pfd, 1, 10) == 1 && read(pfd.fd, &count, sizeof(count)) == sizeof(count))
			ck_assert_int_eq(gp_device_handle_irq(gp_registration_device(reg),
							      GP_MOCK_IRQ_JOB), 0);
	}
	pthread_join(t, NULL);
	ck_assert_int_eq(rc.result, 0);
	ck_assert_uint_eq(ev.fault[3] + ev.fatal[3], 0);
	group_fini(&g, -1);
	teardown();
}
END_TEST

/* --- removal, halt, release --- */

START_TEST(requests_after_removal_fail_fast_with_enodev)
{
	struct group g;
	struct gp_guard guard;
	struct mali_csf_data *mali;

	setup();
	group_init(&g);
	ck_assert_int_eq(group_start(&g, 0), 0);
	gp_mock_simulate_removal(backend());
	mali = enter(&guard);
	/* ENODEV, not ETIMEDOUT: the all-ones register file ends the wait at once. */
	ck_assert_int_eq(mali_csf_csg_terminate(mali, 0), -ENODEV);
	ck_assert_int_eq(group_start(&g, 1), -ENODEV);
	mali_csf_cs_ring_doorbell(mali, 0, 0);	/* never blocks */
	mali_csf_fw_halt(mali);
	mali_csf_fw_halt(mali);			/* twice is fine */
	/* The IRQ path reads all-ones and leaves. */
	mali_csf_job_irq(mali);
	gp_dev_exit(&guard);
	group_fini(&g, -1);
	teardown();
}
END_TEST

START_TEST(halt_stops_the_mcu_and_requests_then_fail)
{
	struct group g;
	struct gp_guard guard;
	struct mali_csf_data *mali;

	setup();
	group_init(&g);
	mali = enter(&guard);
	mali_csf_fw_halt(mali);
	ck_assert_uint_eq(gp_backend_read32(mali->backend, 0, MALI_MCU_STATUS),
			  MALI_MCU_STATUS_DISABLED);
	ck_assert_uint_eq(gp_backend_read32(mali->backend, 0, MALI_JOB_INT_MASK), 0);
	gp_dev_exit(&guard);
	ck_assert_int_eq(group_start(&g, 0), -ENODEV);
	group_fini(&g, -1);
	teardown();
}
END_TEST

static struct {
	bool ran;
	uint32_t dma_mappings;
	int as0_read;
} at_release;

static void record_at_release(struct gp_backend *be)
{
	struct gp_mock_stats s;
	uint32_t word;

	gp_mock_get_stats(be, &s);
	at_release.dma_mappings = s.dma_mappings;
	at_release.as0_read = gp_mock_gpu_read(be, 0, MALI_CSF_SHARED_VA, &word, sizeof(word), NULL);
	at_release.ran = true;
}

START_TEST(release_leaves_no_dma_mapping)
{
	struct group g;
	struct gp_guard guard;
	struct mali_csf_fw_mem leak;

	setup();
	memset(&at_release, 0, sizeof(at_release));
	mali_csf_release_probe = record_at_release;
	group_init(&g);
	ck_assert_int_eq(group_start(&g, 0), 0);
	/* Memory the scheduler never freed goes with the firmware too. */
	ck_assert_int_eq(mali_csf_fw_mem_alloc(enter(&guard), PAGE, &leak), 0);
	gp_dev_exit(&guard);
	if (_i)
		gp_mock_simulate_removal(backend());
	mali_csf_vm_put(&g.vm);
	gp_file_close(&file);
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	gp_registration_free(&reg);
	ck_assert(at_release.ran);
	ck_assert_uint_eq(at_release.dma_mappings, 0);
	ck_assert_int_ne(at_release.as0_read, 0);
	gp_inproc_caller_free(&caller);
	free(arena);
	arena = NULL;
	mali_csf_release_probe = NULL;
}
END_TEST

/* --- no firmware: hardware, for now --- */

START_TEST(without_firmware_probe_carries_on_without_submission)
{
	struct gp_mock_config cfg;
	struct gp_backend *be = NULL;
	struct gpu_proto_mali_gpu_info gi;
	struct gpu_proto_mali_dev_query q = { .type = GPU_PROTO_MALI_DEV_QUERY_CSIF_INFO };
	struct mali_csf_fw_mem mem;
	struct mali_csf_csg_config csg = { .as = 1, .cs_count = 1 };
	struct gp_guard guard;
	struct mali_csf_data *mali;

	test_config(&cfg);
	ck_assert_int_eq(gp_mock_open(&cfg, &be), 0);
	/* The mock, dressed as a board's vfio-platform binding: no firmware loader. */
	be->bus = GP_BUS_PLATFORM;
	ck_assert_int_eq(gp_driver_bind(&gp_mali_csf_driver, &be, "mock", &reg), 0);
	open_file();
	mali = enter(&guard);
	ck_assert_ptr_null(mali_csf_fw_get_info(mali));
	ck_assert_int_eq(mali_csf_fw_mem_alloc(mali, PAGE, &mem), -ENODEV);
	ck_assert_int_eq(mali_csf_csg_start(mali, 0, &csg), -ENODEV);
	ck_assert_int_eq(mali_csf_csg_terminate(mali, 0), -ENODEV);
	mali_csf_cs_ring_doorbell(mali, 0, 0);
	ck_assert_uint_eq(gp_backend_read32(mali->backend, 0, MALI_MCU_STATUS),
			  MALI_MCU_STATUS_DISABLED);
	gp_dev_exit(&guard);
	ck_assert_int_eq(cl_ioctl(GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q, sizeof(q)), 0);
	q.pointer = (uintptr_t)(arena + 1024);
	q.size = 24;
	ck_assert_int_eq(cl_ioctl(GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q, sizeof(q)), -EINVAL);
	q = (struct gpu_proto_mali_dev_query){
		.type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, .size = sizeof(gi),
		.pointer = (uintptr_t)(arena + 1024),
	};
	ck_assert_int_eq(cl_ioctl(GPU_PROTO_IOCTL_MALI_DEV_QUERY, &q, sizeof(q)), 0);
	memcpy(&gi, arena + 1024, sizeof(gi));
	ck_assert_uint_ne(gi.gpu_id, 0);
	teardown();
}
END_TEST

static Suite *mali_csf_fw_suite(void)
{
	Suite *s = suite_create("mali-csf-fw");
	TCase *boot = tcase_create("boot");
	TCase *slots = tcase_create("slots");
	TCase *life = tcase_create("lifetime");

	tcase_set_timeout(boot, 60);
	tcase_add_test(boot, probe_boots_the_mcu_through_as0);
	tcase_add_test(boot, csif_info_reports_the_firmware_interface);
	tcase_add_test(boot, boot_that_never_comes_times_out_and_unwinds);
	tcase_add_loop_test(boot, malformed_interface_is_eproto_and_unwinds, 0,
			    (int)(sizeof(breakers) / sizeof(breakers[0])));
	tcase_add_test(boot, without_firmware_probe_carries_on_without_submission);
	suite_add_tcase(s, boot);

	tcase_set_timeout(slots, 60);
	tcase_add_test(slots, fw_mem_is_what_the_mcu_sees_until_freed);
	tcase_add_test(slots, fw_mem_va_runs_out_and_is_reused);
	tcase_add_test(slots, csg_start_runs_the_ring_and_sync_update_reaches_the_scheduler);
	tcase_add_test(slots, terminated_group_runs_nothing_more);
	tcase_add_test(slots, bad_slot_configs_are_einval);
	tcase_add_test(slots, unacknowledged_csg_request_times_out);
	tcase_add_test(slots, cs_fault_is_decoded_with_its_status);
	tcase_add_test(slots, job_irq_races_slot_requests);
	suite_add_tcase(s, slots);

	tcase_set_timeout(life, 60);
	tcase_add_test(life, requests_after_removal_fail_fast_with_enodev);
	tcase_add_test(life, halt_stops_the_mcu_and_requests_then_fail);
	tcase_add_loop_test(life, release_leaves_no_dma_mapping, 0, 2);
	suite_add_tcase(s, life);
	return s;
}

int main(void)
{
	return gp_check_run(mali_csf_fw_suite());
}
