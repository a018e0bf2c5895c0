// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mali-csf submission on the mock Mali-G610 through the real dispatcher:
 * panthor's GROUP_CREATE/DESTROY/GET_STATE, TILER_HEAP_CREATE/DESTROY and
 * GROUP_SUBMIT with sync objects, streams the mock's CSF runs, faults, the
 * watchdog, and revoke with jobs and waiters in flight.
 *
 * The control plane is not running here: an IRQ pump thread does what it
 * does, handing every raised line to gp_device_handle_irq().
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_cs.h>
#include <gpu-proto/gpu_proto_drm.h>

#include "backend.h"
#include "check_run.h"
#include "device.h"
#include "drivers.h"
#include "fence.h"
#include "file.h"
#include "gem.h"
#include "inproc.h"
#include "mali_csf.h"
#include "mali_csf_sched.h"
#include "mock.h"
#include "registration.h"
#include "syncobj.h"

#define PAGE		4096ull
#define ARENA_SIZE	(64u << 10)
#define VA		0x10000000ull
/* Arena layout: the ioctl argument, the outer array, the sync arrays, syncobj ioctl arrays. */
#define OFF_ARRAY	0x100
#define OFF_SYNCS	0x1000
#define OFF_SOBJ	0x3000

static const struct gp_caller plain_user = { .uid = 1000, .gid = 1000, .pid = 7 };
static const struct gp_caller nice_user = { .uid = 1000, .gid = 1000, .pid = 8,
					    .cap_sys_nice = true };

struct client {
	struct gp_inproc_caller *caller;
	struct gp_file *file;
	bool owns_file;
	uint8_t *arena;
};

static struct gp_registration *reg;
static struct client A, B;
static pthread_t pump;
static atomic_bool pump_stop;
static bool pump_running;

static struct gp_backend *backend(void)
{
	struct gp_guard guard;
	struct gp_backend *be;

	ck_assert(gp_dev_enter(gp_registration_device(reg), &guard));
	be = ((struct mali_csf_data *)gp_guard_data(&guard))->backend;
	gp_dev_exit(&guard);
	return be;
}

/* The control plane's job: every raised line to the driver. */
static void *irq_pump(void *arg)
{
	struct gp_backend *be = arg;
	struct gp_device *dev = gp_registration_device(reg);
	struct pollfd pfd[GP_MOCK_NUM_IRQS];

	for (unsigned int i = 0; i < GP_MOCK_NUM_IRQS; i++)
		pfd[i] = (struct pollfd){ .fd = gp_backend_irq_fd(be, i), .events = POLLIN };
	while (!atomic_load(&pump_stop)) {
		if (poll(pfd, GP_MOCK_NUM_IRQS, 20) <= 0)
			continue;
		for (unsigned int i = 0; i < GP_MOCK_NUM_IRQS; i++) {
			uint64_t count;

			if (!(pfd[i].revents & POLLIN))
				continue;
			if (read(pfd[i].fd, &count, sizeof(count)) == sizeof(count))
				(void)gp_device_handle_irq(dev, i);
		}
	}
	return NULL;
}

static void pump_start(void)
{
	atomic_store(&pump_stop, false);
	ck_assert_int_eq(pthread_create(&pump, NULL, irq_pump, backend()), 0);
	pump_running = true;
}

static void pump_end(void)
{
	if (!pump_running)
		return;
	atomic_store(&pump_stop, true);
	pthread_join(pump, NULL);
	pump_running = false;
}

static void client_open_as(struct client *c, const struct gp_caller *who)
{
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_RETRY, &c->caller), 0);
	c->arena = aligned_alloc(PAGE, ARENA_SIZE);
	ck_assert_ptr_nonnull(c->arena);
	memset(c->arena, 0, ARENA_SIZE);
	ck_assert_int_eq(gp_inproc_caller_map(c->caller, c->arena, ARENA_SIZE,
					      GP_USER_IN | GP_USER_OUT), 0);
	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), who, GP_NODE_RENDER,
				      &c->file), 0);
	c->owns_file = true;
}

/* A second caller on the same file (another thread of the same client). */
static void client_share(struct client *c, const struct client *of)
{
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_RETRY, &c->caller), 0);
	c->arena = aligned_alloc(PAGE, ARENA_SIZE);
	ck_assert_ptr_nonnull(c->arena);
	memset(c->arena, 0, ARENA_SIZE);
	ck_assert_int_eq(gp_inproc_caller_map(c->caller, c->arena, ARENA_SIZE,
					      GP_USER_IN | GP_USER_OUT), 0);
	c->file = of->file;
	c->owns_file = false;
}

static void client_close(struct client *c)
{
	if (c->owns_file)
		gp_file_close(&c->file);
	c->file = NULL;
	gp_inproc_caller_free(&c->caller);
	free(c->arena);
	c->arena = NULL;
}

static void setup_cfg(void (*tweak)(struct gp_mock_config *))
{
	struct gp_mock_config cfg;
	struct gp_backend *be = NULL;

	gp_mock_config_init(&cfg);
	cfg.reset_delay_us = 0;
	cfg.l2_power_delay_us = 0;
	if (tweak)
		tweak(&cfg);
	ck_assert_int_eq(gp_mock_open(&cfg, &be), 0);
	ck_assert_int_eq(gp_driver_bind(&gp_mali_csf_driver, &be, "mock", &reg), 0);
	pump_start();
	client_open_as(&A, &plain_user);
	client_open_as(&B, &plain_user);
}

static void setup(void)
{
	mali_csf_job_timeout_ms = MALI_CSF_JOB_TIMEOUT_MS_DEFAULT;
	setup_cfg(NULL);
}

static void teardown(void)
{
	client_close(&A);
	client_close(&B);
	pump_end();
	gp_registration_free(&reg);
	mali_csf_job_timeout_ms = MALI_CSF_JOB_TIMEOUT_MS_DEFAULT;
}

static int cl_ioctl(struct client *c, unsigned int cmd, void *arg, size_t size)
{
	int r;

	memcpy(c->arena, arg, size);
	r = gp_inproc_ioctl(c->caller, c->file, cmd, (uintptr_t)c->arena);
	memcpy(arg, c->arena, size);
	return r;
}

static uint64_t arena_addr(struct client *c, size_t off)
{
	return (uintptr_t)(c->arena + off);
}

/* --- memory --- */

static uint32_t vm_create(struct client *c)
{
	struct gpu_proto_mali_vm_create a = { 0 };

	ck_assert_int_eq(cl_ioctl(c, GPU_PROTO_IOCTL_MALI_VM_CREATE, &a, sizeof(a)), 0);
	return a.id;
}

static uint32_t bo_create(struct client *c, uint64_t size)
{
	struct gpu_proto_mali_bo_create a = { .size = size };

	ck_assert_int_eq(cl_ioctl(c, GPU_PROTO_IOCTL_MALI_BO_CREATE, &a, sizeof(a)), 0);
	return a.handle;
}

static void vm_map(struct client *c, uint32_t vm, uint32_t bo, uint64_t va, uint64_t size)
{
	struct gpu_proto_mali_vm_bind_op op = {
		.flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP, .bo_handle = bo, .va = va, .size = size,
	};
	struct gpu_proto_mali_vm_bind a = {
		.vm_id = vm,
		.ops = { .stride = sizeof(op), .count = 1, .array = arena_addr(c, OFF_ARRAY) },
	};

	memcpy(c->arena + OFF_ARRAY, &op, sizeof(op));
	ck_assert_int_eq(cl_ioctl(c, GPU_PROTO_IOCTL_MALI_VM_BIND, &a, sizeof(a)), 0);
}

static uint8_t *bo_mem(struct client *c, uint32_t handle)
{
	struct gp_gem_object *obj = gp_gem_object_lookup(c->file, handle);
	uint8_t *p;

	ck_assert_ptr_nonnull(obj);
	p = obj->vaddr;
	gp_gem_object_put(&obj);
	return p;
}

/*
 * A VM with one 64 KiB object mapped at VA: streams in its first half,
 * data in its second.
 */
struct ctx {
	uint32_t vm, bo;
	uint8_t *mem;
};

#define STREAM_OFF	0x0
#define DATA_OFF	0x8000

static void ctx_init(struct client *c, struct ctx *x)
{
	x->vm = vm_create(c);
	x->bo = bo_create(c, 64 << 10);
	vm_map(c, x->vm, x->bo, VA, 64 << 10);
	x->mem = bo_mem(c, x->bo);
}

/* Write @n instructions at stream offset @off; return the stream's VA. */
static uint64_t put_stream(struct ctx *x, size_t off, const uint64_t *instrs, size_t n)
{
	memcpy(x->mem + STREAM_OFF + off, instrs, n * sizeof(*instrs));
	return VA + STREAM_OFF + off;
}

/* A stream that stores the four words @v at data offset @doff. */
static uint64_t fill_stream(struct ctx *x, size_t off, size_t doff, const uint32_t v[4])
{
	uint64_t s[] = {
		gpu_proto_cs_move48(0, VA + DATA_OFF + doff),
		gpu_proto_cs_move32(2, v[0]),
		gpu_proto_cs_move32(3, v[1]),
		gpu_proto_cs_move32(4, v[2]),
		gpu_proto_cs_move32(5, v[3]),
		gpu_proto_cs_store_multiple(2, 0, 0xf, 0),
		gpu_proto_cs_wait(0xff, false),
	};

	return put_stream(x, off, s, sizeof(s) / sizeof(s[0]));
}

/* --- groups --- */

static int group_create_q(struct client *c, uint32_t vm, uint8_t prio,
			  const struct gpu_proto_mali_queue_create *qs, uint32_t n, uint32_t stride,
			  uint32_t *handle)
{
	const struct gpu_proto_mali_gpu_info *gi = NULL;
	struct gpu_proto_mali_group_create a = {
		.queues = { .stride = stride, .count = n, .array = arena_addr(c, OFF_ARRAY) },
		.max_compute_cores = 1, .max_fragment_cores = 1, .max_tiler_cores = 1,
		.priority = prio, .vm_id = vm,
	};
	struct gp_guard guard;
	int r;

	ck_assert(gp_dev_enter(gp_registration_device(reg), &guard));
	gi = &((struct mali_csf_data *)gp_guard_data(&guard))->gpu_info;
	a.compute_core_mask = gi->shader_present;
	a.fragment_core_mask = gi->shader_present;
	a.tiler_core_mask = gi->tiler_present;
	gp_dev_exit(&guard);
	memset(c->arena + OFF_ARRAY, 0, (size_t)n * stride);
	for (uint32_t i = 0; i < n; i++)
		memcpy(c->arena + OFF_ARRAY + (size_t)i * stride, &qs[i],
		       stride < sizeof(qs[i]) ? stride : sizeof(qs[i]));
	r = cl_ioctl(c, GPU_PROTO_IOCTL_MALI_GROUP_CREATE, &a, sizeof(a));
	if (handle)
		*handle = a.group_handle;
	return r;
}

static uint32_t group_create(struct client *c, uint32_t vm, unsigned int nqueues)
{
	struct gpu_proto_mali_queue_create qs[8];
	uint32_t h;

	for (unsigned int i = 0; i < nqueues; i++)
		qs[i] = (struct gpu_proto_mali_queue_create){ .ringbuf_size = 4096 };
	ck_assert_int_eq(group_create_q(c, vm, GPU_PROTO_MALI_GROUP_PRIORITY_MEDIUM, qs, nqueues,
					sizeof(qs[0]), &h), 0);
	return h;
}

/* Raw GROUP_CREATE with a full argument, one 4 KiB queue. */
static int group_create_args(struct client *c, struct gpu_proto_mali_group_create *a)
{
	struct gpu_proto_mali_queue_create q = { .ringbuf_size = 4096 };

	memcpy(c->arena + OFF_ARRAY, &q, sizeof(q));
	a->queues = (struct gpu_proto_mali_obj_array){
		.stride = sizeof(q), .count = 1, .array = arena_addr(c, OFF_ARRAY) };
	return cl_ioctl(c, GPU_PROTO_IOCTL_MALI_GROUP_CREATE, a, sizeof(*a));
}

static int group_destroy(struct client *c, uint32_t h)
{
	struct gpu_proto_mali_group_destroy a = { .group_handle = h };

	return cl_ioctl(c, GPU_PROTO_IOCTL_MALI_GROUP_DESTROY, &a, sizeof(a));
}

static int group_state(struct client *c, uint32_t h, uint32_t *state, uint32_t *fatal)
{
	struct gpu_proto_mali_group_get_state a = { .group_handle = h, .state = 0xdead,
						    .fatal_queues = 0xdead };
	int r = cl_ioctl(c, GPU_PROTO_IOCTL_MALI_GROUP_GET_STATE, &a, sizeof(a));

	if (state)
		*state = a.state;
	if (fatal)
		*fatal = a.fatal_queues;
	return r;
}

/* --- sync objects --- */

static uint32_t syncobj_create(struct client *c, uint32_t flags)
{
	struct gpu_proto_syncobj_create a = { .flags = flags };

	ck_assert_int_eq(cl_ioctl(c, GPU_PROTO_IOCTL_SYNCOBJ_CREATE, &a, sizeof(a)), 0);
	return a.handle;
}

/* SYNCOBJ_STATUS of one point: 1 done, 0 pending, -errno failed; or the ioctl's error. */
static int syncobj_status(struct client *c, uint32_t handle, uint64_t point, int *status)
{
	struct gpu_proto_syncobj_status a = {
		.handles = arena_addr(c, OFF_SOBJ), .points = arena_addr(c, OFF_SOBJ + 8),
		.status = arena_addr(c, OFF_SOBJ + 16), .count_handles = 1,
	};
	int32_t st = 0x7777;
	int r;

	memcpy(c->arena + OFF_SOBJ, &handle, sizeof(handle));
	memcpy(c->arena + OFF_SOBJ + 8, &point, sizeof(point));
	memcpy(c->arena + OFF_SOBJ + 16, &st, sizeof(st));
	r = cl_ioctl(c, GPU_PROTO_IOCTL_SYNCOBJ_STATUS, &a, sizeof(a));
	memcpy(&st, c->arena + OFF_SOBJ + 16, sizeof(st));
	*status = st;
	return r;
}

/* SYNCOBJ_TIMELINE_SIGNAL of one point (a signalled fence there, from the CPU). */
static int timeline_signal(struct client *c, uint32_t handle, uint64_t point)
{
	struct gpu_proto_syncobj_timeline_array a = {
		.handles = arena_addr(c, OFF_SOBJ), .points = arena_addr(c, OFF_SOBJ + 8),
		.count_handles = 1,
	};

	memcpy(c->arena + OFF_SOBJ, &handle, sizeof(handle));
	memcpy(c->arena + OFF_SOBJ + 8, &point, sizeof(point));
	return cl_ioctl(c, GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &a, sizeof(a));
}

/* Wait (bounded, 10 s: a hang fails the test) until the point is signalled; its status. */
static int syncobj_settle(struct client *c, uint32_t handle, uint64_t point)
{
	const struct timespec ms = { .tv_nsec = 1000000 };

	for (int i = 0; i < 10000; i++) {
		int st;

		ck_assert_int_eq(syncobj_status(c, handle, point, &st), 0);
		if (st != 0)
			return st;
		nanosleep(&ms, NULL);
	}
	ck_abort_msg("sync object %u point %llu never signalled", handle,
		     (unsigned long long)point);
	return 0;
}

/* --- submission --- */

struct job {
	uint32_t queue;
	uint64_t addr;
	uint32_t size;
	unsigned int nsyncs;
	struct gpu_proto_mali_sync_op syncs[4];
};

static struct gpu_proto_mali_sync_op sig_bin(uint32_t h)
{
	return (struct gpu_proto_mali_sync_op){
		.flags = GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_SYNCOBJ |
			 (uint32_t)GPU_PROTO_MALI_SYNC_OP_SIGNAL, .handle = h };
}

static struct gpu_proto_mali_sync_op wait_bin(uint32_t h)
{
	return (struct gpu_proto_mali_sync_op){
		.flags = GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_SYNCOBJ, .handle = h };
}

static struct gpu_proto_mali_sync_op sig_tl(uint32_t h, uint64_t point)
{
	return (struct gpu_proto_mali_sync_op){
		.flags = GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_TIMELINE_SYNCOBJ |
			 (uint32_t)GPU_PROTO_MALI_SYNC_OP_SIGNAL,
		.handle = h, .timeline_value = point };
}

static struct gpu_proto_mali_sync_op wait_tl(uint32_t h, uint64_t point)
{
	return (struct gpu_proto_mali_sync_op){
		.flags = GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_TIMELINE_SYNCOBJ,
		.handle = h, .timeline_value = point };
}

/* GROUP_SUBMIT of @n jobs; each job's syncs get their own array in the arena. */
static int submit(struct client *c, uint32_t group, const struct job *jobs, uint32_t n)
{
	struct gpu_proto_mali_group_submit a = {
		.group_handle = group,
		.queue_submits = { .stride = sizeof(struct gpu_proto_mali_queue_submit), .count = n,
				   .array = arena_addr(c, OFF_ARRAY) },
	};
	size_t soff = OFF_SYNCS;

	for (uint32_t i = 0; i < n; i++) {
		struct gpu_proto_mali_queue_submit qs = {
			.queue_index = jobs[i].queue, .stream_addr = jobs[i].addr,
			.stream_size = jobs[i].size,
			.syncs = { .stride = sizeof(struct gpu_proto_mali_sync_op),
				   .count = jobs[i].nsyncs, .array = arena_addr(c, soff) },
		};

		memcpy(c->arena + soff, jobs[i].syncs, jobs[i].nsyncs * sizeof(jobs[i].syncs[0]));
		/* A gap between arrays: each needs its own range. */
		soff += jobs[i].nsyncs * sizeof(jobs[i].syncs[0]) + 64;
		memcpy(c->arena + OFF_ARRAY + i * sizeof(qs), &qs, sizeof(qs));
	}
	return cl_ioctl(c, GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT, &a, sizeof(a));
}

static int submit_one(struct client *c, uint32_t group, uint32_t queue, uint64_t addr,
		      uint32_t size, struct gpu_proto_mali_sync_op op)
{
	struct job j = { .queue = queue, .addr = addr, .size = size, .nsyncs = 1, .syncs = { op } };

	return submit(c, group, &j, 1);
}

/* A stream that never ends: a branch to itself. */
static uint64_t endless_stream(struct ctx *x, size_t off)
{
	uint64_t s[8] = {
		gpu_proto_cs_move32(10, 1),
		gpu_proto_cs_branch(10, GPU_PROTO_CS_COND_ALWAYS, -1),
	};

	for (unsigned int i = 2; i < 8; i++)
		s[i] = gpu_proto_cs_nop();
	return put_stream(x, off, s, 8);
}

/* ===================================================================== */

START_TEST(group_handles_are_per_file_from_1_lowest_free_first)
{
	uint32_t vm = vm_create(&A), vmb = vm_create(&B);
	uint32_t st, fq;

	ck_assert_uint_eq(group_create(&A, vm, 1), 1);
	ck_assert_uint_eq(group_create(&A, vm, 2), 2);
	ck_assert_uint_eq(group_create(&B, vmb, 1), 1);
	ck_assert_int_eq(group_state(&A, 1, &st, &fq), 0);
	ck_assert_uint_eq(st, 0);
	ck_assert_uint_eq(fq, 0);
	ck_assert_int_eq(group_destroy(&A, 1), 0);
	ck_assert_int_eq(group_destroy(&A, 1), -EINVAL);
	ck_assert_int_eq(group_state(&A, 1, &st, NULL), -EINVAL);
	ck_assert_uint_eq(group_create(&A, vm, 1), 1);
	/* B's group 1 is not A's to destroy by number: A's own 1 went */
	ck_assert_int_eq(group_destroy(&A, 1), 0);
	ck_assert_int_eq(group_state(&B, 1, &st, NULL), 0);
	ck_assert_int_eq(group_destroy(&A, 0), -EINVAL);
	ck_assert_int_eq(group_destroy(&A, 129), -EINVAL);
	{
		struct gpu_proto_mali_group_destroy d = { .group_handle = 2, .pad = 1 };

		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_GROUP_DESTROY, &d, sizeof(d)),
				 -EINVAL);
	}
	{
		struct gpu_proto_mali_group_get_state g = { .group_handle = 2, .pad = 1 };

		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_GROUP_GET_STATE, &g, sizeof(g)),
				 -EINVAL);
	}
}
END_TEST

START_TEST(a_file_has_at_most_128_groups)
{
	uint32_t vm = vm_create(&A);
	struct gpu_proto_mali_queue_create q = { .ringbuf_size = 4096 };
	uint32_t h;

	for (unsigned int i = 1; i <= 128; i++) {
		ck_assert_int_eq(group_create_q(&A, vm, 1, &q, 1, sizeof(q), &h), 0);
		ck_assert_uint_eq(h, i);
	}
	ck_assert_int_eq(group_create_q(&A, vm, 1, &q, 1, sizeof(q), &h), -EBUSY);
	ck_assert_int_eq(group_destroy(&A, 77), 0);
	ck_assert_int_eq(group_create_q(&A, vm, 1, &q, 1, sizeof(q), &h), 0);
	ck_assert_uint_eq(h, 77);
}
END_TEST

START_TEST(group_create_errors_are_panthors)
{
	struct gpu_proto_mali_queue_create q[33], big[2];
	struct gpu_proto_mali_group_create a;
	uint32_t vm = vm_create(&A);
	uint8_t wide[16] = { 0 };

	for (unsigned int i = 0; i < 33; i++)
		q[i] = (struct gpu_proto_mali_queue_create){ .ringbuf_size = 4096 };
	/* queue counts: 0, more than panthor's 32, more than the firmware's streams */
	ck_assert_int_eq(group_create_q(&A, vm, 1, q, 0, sizeof(q[0]), NULL), -EINVAL);
	ck_assert_int_eq(group_create_q(&A, vm, 1, q, 33, sizeof(q[0]), NULL), -EINVAL);
	ck_assert_int_eq(group_create_q(&A, vm, 1, q, GP_MOCK_CSF_STREAM_NUM + 1, sizeof(q[0]),
					NULL), -EINVAL);
	/* element size below the first published one; larger with a non-zero tail */
	ck_assert_int_eq(group_create_q(&A, vm, 1, q, 1, 4, NULL), -EINVAL);
	memcpy(wide, &q[0], sizeof(q[0]));
	wide[12] = 1;
	memcpy(big, wide, sizeof(big));
	{
		struct gpu_proto_mali_group_create g = {
			.queues = { .stride = 16, .count = 1, .array = arena_addr(&A, OFF_ARRAY) },
			.vm_id = vm, .priority = 1,
		};

		memcpy(A.arena + OFF_ARRAY, wide, sizeof(wide));
		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_GROUP_CREATE, &g, sizeof(g)),
				 -E2BIG);
		wide[12] = 0;
		memcpy(A.arena + OFF_ARRAY, wide, sizeof(wide));
		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_GROUP_CREATE, &g, sizeof(g)), 0);
		ck_assert_uint_eq(g.group_handle, 1);
		/* an array outside the caller's memory */
		g.queues.array = 0x1000;
		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_GROUP_CREATE, &g, sizeof(g)),
				 -EFAULT);
	}
	/* priorities: past REALTIME; HIGH and REALTIME without CAP_SYS_NICE */
	ck_assert_int_eq(group_create_q(&A, vm, 4, q, 1, sizeof(q[0]), NULL), -EINVAL);
	ck_assert_int_eq(group_create_q(&A, vm, 2, q, 1, sizeof(q[0]), NULL), -EACCES);
	ck_assert_int_eq(group_create_q(&A, vm, 3, q, 1, sizeof(q[0]), NULL), -EACCES);
	/* ring sizes: not a power of two, below 4 KiB, above 64 KiB; queue priority, pad */
	q[0].ringbuf_size = 12288;
	ck_assert_int_eq(group_create_q(&A, vm, 1, q, 1, sizeof(q[0]), NULL), -EINVAL);
	q[0].ringbuf_size = 2048;
	ck_assert_int_eq(group_create_q(&A, vm, 1, q, 1, sizeof(q[0]), NULL), -EINVAL);
	q[0].ringbuf_size = 128 << 10;
	ck_assert_int_eq(group_create_q(&A, vm, 1, q, 1, sizeof(q[0]), NULL), -EINVAL);
	q[0].ringbuf_size = 64 << 10;
	q[0].priority = 16;
	ck_assert_int_eq(group_create_q(&A, vm, 1, q, 1, sizeof(q[0]), NULL), -EINVAL);
	q[0].priority = 15;
	q[0].pad[1] = 1;
	ck_assert_int_eq(group_create_q(&A, vm, 1, q, 1, sizeof(q[0]), NULL), -EINVAL);
	q[0].pad[1] = 0;
	ck_assert_int_eq(group_create_q(&A, vm, 1, q, 1, sizeof(q[0]), NULL), 0);
	/* unknown VM, another file's VM */
	ck_assert_int_eq(group_create_q(&A, 77, 1, q, 1, sizeof(q[0]), NULL), -EINVAL);
	ck_assert_int_eq(group_create_q(&B, vm, 1, q, 1, sizeof(q[0]), NULL), -EINVAL);

	/* pad, masks outside what is present, more cores than the mask has */
	memset(&a, 0, sizeof(a));
	a.vm_id = vm;
	a.priority = 1;
	a.pad = 1;
	ck_assert_int_eq(group_create_args(&A, &a), -EINVAL);
	a.pad = 0;
	a.compute_core_mask = 1ull << 63;
	ck_assert_int_eq(group_create_args(&A, &a), -EINVAL);
	a.compute_core_mask = 0;
	a.tiler_core_mask = 1ull << 40;
	ck_assert_int_eq(group_create_args(&A, &a), -EINVAL);
	a.tiler_core_mask = 0;
	a.max_fragment_cores = 1;
	ck_assert_int_eq(group_create_args(&A, &a), -EINVAL);
	a.max_fragment_cores = 0;
	ck_assert_int_eq(group_create_args(&A, &a), 0);
}
END_TEST

START_TEST(group_priorities_follow_the_allowed_mask_dev_query_reports)
{
	struct gpu_proto_mali_queue_create q = { .ringbuf_size = 4096 };
	struct client N;

	client_open_as(&N, &nice_user);
	for (int who = 0; who < 2; who++) {
		struct client *c = who ? &N : &A;
		struct gpu_proto_mali_group_priorities_info info = { 0 };
		struct gpu_proto_mali_dev_query dq = {
			.type = GPU_PROTO_MALI_DEV_QUERY_GROUP_PRIORITIES_INFO,
			.size = sizeof(info), .pointer = arena_addr(c, OFF_SOBJ),
		};
		uint32_t vm = vm_create(c);

		ck_assert_int_eq(cl_ioctl(c, GPU_PROTO_IOCTL_MALI_DEV_QUERY, &dq, sizeof(dq)), 0);
		memcpy(&info, c->arena + OFF_SOBJ, sizeof(info));
		ck_assert_uint_eq(info.allowed_mask, who ? 0xf : 0x3);
		for (uint8_t p = 0; p <= GPU_PROTO_MALI_GROUP_PRIORITY_REALTIME; p++) {
			int want = (info.allowed_mask & (1u << p)) ? 0 : -EACCES;

			ck_assert_int_eq(group_create_q(c, vm, p, &q, 1, sizeof(q), NULL), want);
		}
	}
	client_close(&N);
}
END_TEST

START_TEST(tiler_heap_create_destroy_and_errors)
{
	uint32_t vm = vm_create(&A), vm2 = vm_create(&A);
	struct gpu_proto_mali_vm_create vc = { 0 };
	struct gpu_proto_mali_tiler_heap_create h = {
		.vm_id = vm, .initial_chunk_count = 2, .chunk_size = 128 << 10, .max_chunks = 4,
		.target_in_flight = 1,
	};
	struct gpu_proto_mali_tiler_heap_destroy d = { 0 };
	uint64_t kstart;

	/* The kernel range starts where the user range ends. */
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_VM_CREATE, &vc, sizeof(vc)), 0);
	kstart = vc.user_va_range;

	/* destroy before any heap: the VM has no pool yet (ENOENT) */
	d.handle = vm << 16;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY, &d, sizeof(d)),
			 -ENOENT);

	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, &h, sizeof(h)), 0);
	ck_assert_uint_eq(h.handle, vm << 16 | 0);
	ck_assert_uint_ge(h.tiler_heap_ctx_gpu_va, kstart);
	ck_assert_uint_ge(h.first_heap_chunk_gpu_va, kstart);
	ck_assert_uint_eq(h.first_heap_chunk_gpu_va & 4095, 0);
	ck_assert_uint_ne(h.first_heap_chunk_gpu_va, h.tiler_heap_ctx_gpu_va);
	h.handle = 0;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, &h, sizeof(h)), 0);
	ck_assert_uint_eq(h.handle, vm << 16 | 1);
	h.vm_id = vm2;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, &h, sizeof(h)), 0);
	ck_assert_uint_eq(h.handle, vm2 << 16 | 0);

	/* bad arguments */
	h.vm_id = 99;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, &h, sizeof(h)),
			 -EINVAL);
	h.vm_id = vm;
	h.initial_chunk_count = 0;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, &h, sizeof(h)),
			 -EINVAL);
	h.initial_chunk_count = 5;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, &h, sizeof(h)),
			 -EINVAL);
	h.initial_chunk_count = 1;
	h.chunk_size = (128 << 10) + 100;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, &h, sizeof(h)),
			 -EINVAL);
	h.chunk_size = 64 << 10;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, &h, sizeof(h)),
			 -EINVAL);
	h.chunk_size = 16 << 20;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, &h, sizeof(h)),
			 -EINVAL);
	/* another file's VM */
	h.chunk_size = 128 << 10;
	ck_assert_int_eq(cl_ioctl(&B, GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, &h, sizeof(h)),
			 -EINVAL);

	d.handle = vm << 16 | 1;
	d.pad = 1;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY, &d, sizeof(d)),
			 -EINVAL);
	d.pad = 0;
	ck_assert_int_eq(cl_ioctl(&B, GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY, &d, sizeof(d)),
			 -EINVAL);
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY, &d, sizeof(d)), 0);
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY, &d, sizeof(d)),
			 -EINVAL);
	d.handle = vm << 16 | 200;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY, &d, sizeof(d)),
			 -EINVAL);
	/* the freed id is reused, lowest first */
	h.handle = 0;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, &h, sizeof(h)), 0);
	ck_assert_uint_eq(h.handle, vm << 16 | 1);
	/* VM_DESTROY takes its heaps along; the file's close takes the rest */
	{
		struct gpu_proto_mali_vm_destroy vd = { .id = vm2 };

		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_VM_DESTROY, &vd, sizeof(vd)), 0);
	}
	d.handle = vm2 << 16;
	ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY, &d, sizeof(d)),
			 -EINVAL);
}
END_TEST

START_TEST(submit_fills_a_buffer_and_signals_binary_and_timeline)
{
	const uint32_t v[4] = { 0x11111111, 0x22222222, 0x33333333, 0x44444444 };
	struct ctx x;
	uint32_t g, sb, st;
	struct job j;
	int status;

	ctx_init(&A, &x);
	g = group_create(&A, x.vm, 2);
	sb = syncobj_create(&A, 0);
	st = syncobj_create(&A, 0);

	j = (struct job){ .queue = 0, .addr = fill_stream(&x, 0, 0, v), .size = 7 * 8,
			  .nsyncs = 2, .syncs = { sig_bin(sb), sig_tl(st, 5) } };
	ck_assert_int_eq(submit(&A, g, &j, 1), 0);
	ck_assert_int_eq(syncobj_settle(&A, sb, 0), 1);
	ck_assert_int_eq(syncobj_settle(&A, st, 5), 1);
	ck_assert_mem_eq(x.mem + DATA_OFF, v, sizeof(v));

	/* the second queue, again, on the same group; waits on the first job's points */
	{
		const uint32_t w[4] = { 5, 6, 7, 8 };

		j = (struct job){ .queue = 1, .addr = fill_stream(&x, 0x100, 0x40, w), .size = 7 * 8,
				  .nsyncs = 3, .syncs = { wait_bin(sb), wait_tl(st, 5), sig_tl(st, 6) } };
		ck_assert_int_eq(submit(&A, g, &j, 1), 0);
		ck_assert_int_eq(syncobj_settle(&A, st, 6), 1);
		ck_assert_mem_eq(x.mem + DATA_OFF + 0x40, w, sizeof(w));
	}
	ck_assert_int_eq(syncobj_status(&A, sb, 0, &status), 0);
	ck_assert_int_eq(status, 1);
	ck_assert_int_eq(group_state(&A, g, &st, NULL), 0);
	ck_assert_uint_eq(st, 0);
}
END_TEST

START_TEST(empty_stream_only_signals)
{
	struct ctx x;
	uint32_t g, s;

	ctx_init(&A, &x);
	g = group_create(&A, x.vm, 1);
	s = syncobj_create(&A, 0);
	ck_assert_int_eq(submit_one(&A, g, 0, 0, 0, sig_bin(s)), 0);
	ck_assert_int_eq(syncobj_settle(&A, s, 0), 1);
}
END_TEST

/*
 * A job on queue 1 that waits on what a slow job on queue 0 signals reads
 * what that job wrote: without the dependency it would read 0.
 */
START_TEST(wait_dependency_across_queues_orders_the_jobs)
{
	uint64_t slow[64], reader[8];
	unsigned int n = 0;
	struct ctx x;
	uint32_t g, s, done;
	struct job j[2];

	ctx_init(&A, &x);
	g = group_create(&A, x.vm, 2);
	s = syncobj_create(&A, 0);
	done = syncobj_create(&A, 0);
	for (n = 0; n < 56; n++)
		slow[n] = gpu_proto_cs_nop();
	slow[n++] = gpu_proto_cs_move48(0, VA + DATA_OFF);
	slow[n++] = gpu_proto_cs_move32(2, 0xabcd);
	slow[n++] = gpu_proto_cs_store_multiple(2, 0, 0x1, 0);
	slow[n++] = gpu_proto_cs_wait(0xff, false);
	reader[0] = gpu_proto_cs_move48(0, VA + DATA_OFF);
	reader[1] = gpu_proto_cs_load_multiple(4, 0, 0x1, 0);
	reader[2] = gpu_proto_cs_wait(0xff, false);
	reader[3] = gpu_proto_cs_store_multiple(4, 0, 0x1, 0x10);
	reader[4] = gpu_proto_cs_wait(0xff, false);
	reader[5] = gpu_proto_cs_nop();
	reader[6] = gpu_proto_cs_nop();
	reader[7] = gpu_proto_cs_nop();
	j[0] = (struct job){ .queue = 0, .addr = put_stream(&x, 0, slow, n), .size = n * 8,
			     .nsyncs = 1, .syncs = { sig_bin(s) } };
	j[1] = (struct job){ .queue = 1, .addr = put_stream(&x, 0x400, reader, 8), .size = 64,
			     .nsyncs = 2, .syncs = { wait_bin(s), sig_bin(done) } };
	ck_assert_int_eq(submit(&A, g, j, 2), 0);
	ck_assert_int_eq(syncobj_settle(&A, done, 0), 1);
	ck_assert_uint_eq(*(uint32_t *)(x.mem + DATA_OFF + 0x10), 0xabcd);
}
END_TEST

/* Streams take turns one instruction at a time: a short stream overtakes a long one. */
static void interleaved_gpu(struct gp_mock_config *cfg)
{
	cfg->csf_step_budget = 1;
	cfg->csf_instr_delay_ns = 20000;
}

START_TEST(wait_dependency_holds_when_streams_interleave)
{
	teardown();
	mali_csf_job_timeout_ms = MALI_CSF_JOB_TIMEOUT_MS_DEFAULT;
	setup_cfg(interleaved_gpu);
	/* the same check, where the reader would finish first if it did not wait */
	{
		uint64_t slow[64], reader[8];
		unsigned int n;
		struct ctx x;
		uint32_t g, s, done;
		struct job j[2];

		ctx_init(&A, &x);
		g = group_create(&A, x.vm, 2);
		s = syncobj_create(&A, 0);
		done = syncobj_create(&A, 0);
		for (n = 0; n < 56; n++)
			slow[n] = gpu_proto_cs_nop();
		slow[n++] = gpu_proto_cs_move48(0, VA + DATA_OFF);
		slow[n++] = gpu_proto_cs_move32(2, 0x5151);
		slow[n++] = gpu_proto_cs_store_multiple(2, 0, 0x1, 0);
		slow[n++] = gpu_proto_cs_wait(0xff, false);
		reader[0] = gpu_proto_cs_move48(0, VA + DATA_OFF);
		reader[1] = gpu_proto_cs_load_multiple(4, 0, 0x1, 0);
		reader[2] = gpu_proto_cs_wait(0xff, false);
		reader[3] = gpu_proto_cs_store_multiple(4, 0, 0x1, 0x10);
		reader[4] = gpu_proto_cs_wait(0xff, false);
		reader[5] = reader[6] = reader[7] = gpu_proto_cs_nop();
		j[0] = (struct job){ .queue = 0, .addr = put_stream(&x, 0, slow, n), .size = n * 8,
				     .nsyncs = 1, .syncs = { sig_bin(s) } };
		j[1] = (struct job){ .queue = 1, .addr = put_stream(&x, 0x400, reader, 8), .size = 64,
				     .nsyncs = 2, .syncs = { wait_bin(s), sig_bin(done) } };
		ck_assert_int_eq(submit(&A, g, j, 2), 0);
		ck_assert_int_eq(syncobj_settle(&A, done, 0), 1);
		ck_assert_uint_eq(*(uint32_t *)(x.mem + DATA_OFF + 0x10), 0x5151);
	}
}
END_TEST

START_TEST(submit_bad_input_gets_panthors_errors_and_commits_nothing)
{
	const uint32_t v[4] = { 1, 2, 3, 4 };
	struct ctx x;
	uint32_t g, s, t, sig;
	uint64_t stream;
	int status;

	ctx_init(&A, &x);
	g = group_create(&A, x.vm, 1);
	s = syncobj_create(&A, GPU_PROTO_SYNCOBJ_CREATE_SIGNALED);
	t = syncobj_create(&A, 0);		/* no fence: nothing to wait on */
	sig = syncobj_create(&A, 0);
	stream = fill_stream(&x, 0, 0, v);

	/* the submit itself */
	{
		struct gpu_proto_mali_group_submit a = { .group_handle = g, .pad = 1 };

		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT, &a, sizeof(a)),
				 -EINVAL);
		a.pad = 0;
		/* no jobs at all: nothing to do, as panthor */
		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT, &a, sizeof(a)), 0);
		a.queue_submits = (struct gpu_proto_mali_obj_array){
			.stride = 32, .count = 1, .array = arena_addr(&A, OFF_ARRAY) };
		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT, &a, sizeof(a)),
				 -EINVAL);
		a.queue_submits.stride = 40;
		a.queue_submits.array = 0x2000;	/* outside the caller's memory */
		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT, &a, sizeof(a)),
				 -EFAULT);
	}
	/* unknown group, another file's group, queue index, stream fields */
	ck_assert_int_eq(submit_one(&A, 9, 0, stream, 56, sig_bin(sig)), -EINVAL);
	ck_assert_int_eq(submit_one(&B, g, 0, stream, 56, sig_bin(sig)), -EINVAL);
	ck_assert_int_eq(submit_one(&A, g, 1, stream, 56, sig_bin(sig)), -EINVAL);
	ck_assert_int_eq(submit_one(&A, g, 0, stream + 8, 56, sig_bin(sig)), -EINVAL);
	ck_assert_int_eq(submit_one(&A, g, 0, stream, 52, sig_bin(sig)), -EINVAL);
	ck_assert_int_eq(submit_one(&A, g, 0, 0, 56, sig_bin(sig)), -EINVAL);
	ck_assert_int_eq(submit_one(&A, g, 0, stream, 0, sig_bin(sig)), -EINVAL);
	/* sync operations */
	{
		struct gpu_proto_mali_sync_op op = sig_bin(sig);

		op.flags |= 1u << 8;		/* unknown flag */
		ck_assert_int_eq(submit_one(&A, g, 0, stream, 56, op), -EINVAL);
		op = sig_bin(sig);
		op.flags |= 2;			/* unknown handle type */
		ck_assert_int_eq(submit_one(&A, g, 0, stream, 56, op), -EINVAL);
		op = sig_bin(sig);
		op.timeline_value = 3;		/* a point on a binary op */
		ck_assert_int_eq(submit_one(&A, g, 0, stream, 56, op), -EINVAL);
	}
	ck_assert_int_eq(submit_one(&A, g, 0, stream, 56, sig_bin(77)), -EINVAL);
	ck_assert_int_eq(submit_one(&A, g, 0, stream, 56, wait_bin(77)), -ENOENT);
	ck_assert_int_eq(submit_one(&A, g, 0, stream, 56, wait_bin(t)), -EINVAL);
	ck_assert_int_eq(submit_one(&A, g, 0, stream, 56, wait_tl(s, 4)), -EINVAL);
	/* B has no sync object 1 of its own: A's handles mean nothing there */
	{
		struct ctx y;
		uint32_t gb;

		ctx_init(&B, &y);
		gb = group_create(&B, y.vm, 1);
		ck_assert_int_eq(submit_one(&B, gb, 0, VA, 8, wait_bin(s)), -ENOENT);
		ck_assert_int_eq(submit_one(&B, gb, 0, VA, 8, sig_bin(s)), -EINVAL);
	}
	/* a sync array with a short element, a non-zero tail, outside memory */
	{
		struct gpu_proto_mali_queue_submit qs = {
			.stream_addr = stream, .stream_size = 56,
			.syncs = { .stride = 8, .count = 1, .array = arena_addr(&A, OFF_SYNCS) },
		};
		struct gpu_proto_mali_group_submit a = {
			.group_handle = g,
			.queue_submits = { .stride = sizeof(qs), .count = 1,
					   .array = arena_addr(&A, OFF_ARRAY) },
		};
		struct gpu_proto_mali_sync_op op = sig_bin(sig);

		memcpy(A.arena + OFF_ARRAY, &qs, sizeof(qs));
		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT, &a, sizeof(a)),
				 -EINVAL);
		qs.syncs.stride = 24;
		memcpy(A.arena + OFF_SYNCS, &op, sizeof(op));
		memset(A.arena + OFF_SYNCS + 16, 0, 8);
		A.arena[OFF_SYNCS + 20] = 1;
		memcpy(A.arena + OFF_ARRAY, &qs, sizeof(qs));
		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT, &a, sizeof(a)),
				 -E2BIG);
		qs.syncs.stride = 16;
		qs.syncs.array = 0x3000;
		memcpy(A.arena + OFF_ARRAY, &qs, sizeof(qs));
		ck_assert_int_eq(cl_ioctl(&A, GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT, &a, sizeof(a)),
				 -EFAULT);
	}
	/* all or nothing: a good job before a bad one commits nothing */
	{
		struct job jj[2] = {
			{ .queue = 0, .addr = stream, .size = 56, .nsyncs = 1, .syncs = { sig_bin(sig) } },
			{ .queue = 3, .addr = stream, .size = 56 },
		};

		ck_assert_int_eq(submit(&A, g, jj, 2), -EINVAL);
	}
	/* nothing was ever signalled or installed on sig */
	ck_assert_int_eq(syncobj_status(&A, sig, 0, &status), -EINVAL);
	ck_assert_uint_eq(*(uint32_t *)(x.mem + DATA_OFF), 0);
	/* the group is fine and runs what is right */
	ck_assert_int_eq(submit_one(&A, g, 0, stream, 56, sig_bin(sig)), 0);
	ck_assert_int_eq(syncobj_settle(&A, sig, 0), 1);
	/* a destroyed group takes no submit */
	ck_assert_int_eq(group_destroy(&A, g), 0);
	ck_assert_int_eq(submit_one(&A, g, 0, stream, 56, sig_bin(sig)), -EINVAL);
}
END_TEST

/* A group holds at most 4096 unfinished jobs: past it ENOMEM, and room comes back. */
START_TEST(a_group_holds_at_most_4096_unfinished_jobs)
{
	static struct gpu_proto_mali_queue_submit qs[1000];
	struct ctx x;
	uint32_t g, s;
	struct gpu_proto_mali_group_submit a;
	uint8_t *big = aligned_alloc(PAGE, 64 << 10);
	struct gp_inproc_caller *caller;

	ctx_init(&A, &x);
	g = group_create(&A, x.vm, 1);
	s = syncobj_create(&A, 0);
	/* one job that never ends holds every later job of its queue */
	ck_assert_int_eq(submit_one(&A, g, 0, endless_stream(&x, 0), 64, sig_bin(s)), 0);
	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_DIRECT, &caller), 0);
	ck_assert_int_eq(gp_inproc_caller_map(caller, big, 64 << 10, GP_USER_IN | GP_USER_OUT), 0);
	memset(qs, 0, sizeof(qs));
	memcpy(big + 4096, qs, sizeof(qs));
	a = (struct gpu_proto_mali_group_submit){
		.group_handle = g,
		.queue_submits = { .stride = sizeof(qs[0]), .count = 1000,
				   .array = (uintptr_t)(big + 4096) },
	};
	for (int i = 0; i < 4; i++) {
		memcpy(big, &a, sizeof(a));
		ck_assert_int_eq(gp_inproc_ioctl(caller, A.file, GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT,
						 (uintptr_t)big), 0);
	}
	/* 4001 held: 95 more fit, 96 do not */
	a.queue_submits.count = 96;
	memcpy(big, &a, sizeof(a));
	ck_assert_int_eq(gp_inproc_ioctl(caller, A.file, GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT,
					 (uintptr_t)big), -ENOMEM);
	a.queue_submits.count = 95;
	memcpy(big, &a, sizeof(a));
	ck_assert_int_eq(gp_inproc_ioctl(caller, A.file, GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT,
					 (uintptr_t)big), 0);
	gp_inproc_caller_free(&caller);
	free(big);
	/* destroying the group frees them all */
	ck_assert_int_eq(group_destroy(&A, g), 0);
	ck_assert_int_eq(syncobj_settle(&A, s, 0), -ECANCELED);
}
END_TEST

/* More non-empty sync arrays than a request's ranges can carry. */
START_TEST(submit_with_many_sync_arrays)
{
	struct ctx x;
	struct job j[8];
	uint32_t g, s[8];

	ctx_init(&A, &x);
	g = group_create(&A, x.vm, 1);
	for (unsigned int i = 0; i < 8; i++) {
		s[i] = syncobj_create(&A, 0);
		j[i] = (struct job){ .queue = 0, .nsyncs = 1, .syncs = { sig_bin(s[i]) } };
	}
	/* five separate arrays fit; eight do not (E2BIG, documented) */
	ck_assert_int_eq(submit(&A, g, j, 5), 0);
	for (unsigned int i = 0; i < 5; i++)
		ck_assert_int_eq(syncobj_settle(&A, s[i], 0), 1);
	ck_assert_int_eq(submit(&A, g, j, 8), -E2BIG);
}
END_TEST

static void assert_group_lost(struct client *c, uint32_t g, uint32_t want_state,
			      uint32_t want_fatal)
{
	const struct timespec ms = { .tv_nsec = 1000000 };
	uint32_t st = 0, fq = 0;

	for (int i = 0; i < 10000 && !st; i++) {
		ck_assert_int_eq(group_state(c, g, &st, &fq), 0);
		if (!st)
			nanosleep(&ms, NULL);
	}
	ck_assert_uint_eq(st, want_state);
	ck_assert_uint_eq(fq, want_fatal);
}

/* A stream with @bad as its second instruction: faults its queue. */
static void check_faulting_stream(uint64_t bad)
{
	const uint32_t v[4] = { 9, 9, 9, 9 };
	uint64_t s[8] = { gpu_proto_cs_nop(), bad, gpu_proto_cs_nop() };
	struct ctx x, y;
	uint32_t ga, gb, sa, sb, sc, tl;
	struct job j = { .queue = 1, .size = 64, .nsyncs = 2 };

	ctx_init(&A, &x);
	ctx_init(&B, &y);
	gb = group_create(&B, y.vm, 2);
	ga = group_create(&A, x.vm, 1);
	sb = syncobj_create(&B, 0);
	sc = syncobj_create(&B, 0);
	tl = syncobj_create(&B, 0);
	sa = syncobj_create(&A, 0);

	j.addr = put_stream(&y, 0, s, 8);
	j.syncs[0] = sig_bin(sb);
	j.syncs[1] = sig_tl(tl, 1);
	ck_assert_int_eq(submit(&B, gb, &j, 1), 0);
	assert_group_lost(&B, gb, GPU_PROTO_MALI_GROUP_STATE_FATAL_FAULT, 1u << 1);
	ck_assert_int_eq(syncobj_settle(&B, sb, 0), -EINVAL);
	/* The job's timeline point reports the fault too, not a success. */
	ck_assert_int_eq(syncobj_settle(&B, tl, 1), -EINVAL);
	/* So do the points above it, also once point 1 was collected. */
	ck_assert_int_eq(timeline_signal(&B, tl, 2), 0);
	ck_assert_int_eq(syncobj_settle(&B, tl, 1), -EINVAL);
	ck_assert_int_eq(syncobj_settle(&B, tl, 2), -EINVAL);
	ck_assert_int_eq(syncobj_settle(&B, tl, 0), -EINVAL);
	/* no more submits there */
	ck_assert_int_eq(submit_one(&B, gb, 0, 0, 0, sig_bin(sc)), -EINVAL);
	/* the other client's group still runs */
	ck_assert_int_eq(submit_one(&A, ga, 0, fill_stream(&x, 0, 0, v), 56, sig_bin(sa)), 0);
	ck_assert_int_eq(syncobj_settle(&A, sa, 0), 1);
	ck_assert_mem_eq(x.mem + DATA_OFF, v, sizeof(v));
}

START_TEST(unknown_instruction_faults_only_its_group)
{
	check_faulting_stream(gpu_proto_cs_op(0x3f));
}
END_TEST

START_TEST(unmapped_store_faults_only_its_group)
{
	/* r0:r1 = an address nothing maps, then a store there */
	uint64_t s[8] = {
		gpu_proto_cs_move48(0, 0x7000000000ull), gpu_proto_cs_move32(2, 1),
		gpu_proto_cs_store_multiple(2, 0, 1, 0), gpu_proto_cs_wait(0xff, false),
	};
	struct ctx x;
	uint32_t g, sb;

	ctx_init(&B, &x);
	g = group_create(&B, x.vm, 1);
	sb = syncobj_create(&B, 0);
	ck_assert_int_eq(submit_one(&B, g, 0, put_stream(&x, 0, s, 8), 64, sig_bin(sb)), 0);
	ck_assert_int_lt(syncobj_settle(&B, sb, 0), 0);
	assert_group_lost(&B, g, GPU_PROTO_MALI_GROUP_STATE_FATAL_FAULT, 1u << 0);
}
END_TEST

START_TEST(stream_outside_any_mapping_faults_its_group)
{
	struct ctx x;
	uint32_t g, sb;

	ctx_init(&A, &x);
	g = group_create(&A, x.vm, 1);
	sb = syncobj_create(&A, 0);
	/* aligned, sized, and nowhere mapped */
	ck_assert_int_eq(submit_one(&A, g, 0, 0x40000000ull, 64, sig_bin(sb)), 0);
	ck_assert_int_lt(syncobj_settle(&A, sb, 0), 0);
	assert_group_lost(&A, g, GPU_PROTO_MALI_GROUP_STATE_FATAL_FAULT, 1u << 0);
}
END_TEST


START_TEST(watchdog_times_out_an_endless_stream)
{
	const uint32_t v[4] = { 3, 1, 4, 1 };
	struct ctx x, y;
	uint32_t g, gb, s, s2, sb;

	teardown();
	mali_csf_job_timeout_ms = 200;
	setup_cfg(NULL);
	ctx_init(&A, &x);
	ctx_init(&B, &y);
	g = group_create(&A, x.vm, 1);
	gb = group_create(&B, y.vm, 1);
	s = syncobj_create(&A, 0);
	s2 = syncobj_create(&A, 0);
	sb = syncobj_create(&B, 0);
	ck_assert_int_eq(submit_one(&A, g, 0, endless_stream(&x, 0), 64, sig_bin(s)), 0);
	/* queued behind it on the same queue: cancelled with the group */
	ck_assert_int_eq(submit_one(&A, g, 0, 0, 0, sig_bin(s2)), 0);
	ck_assert_int_eq(syncobj_settle(&A, s, 0), -ETIMEDOUT);
	ck_assert_int_eq(syncobj_settle(&A, s2, 0), -ETIMEDOUT);
	assert_group_lost(&A, g, GPU_PROTO_MALI_GROUP_STATE_TIMEDOUT, 0);
	ck_assert_int_eq(submit_one(&A, g, 0, 0, 0, sig_bin(s2)), -EINVAL);
	/* another client is unaffected */
	ck_assert_int_eq(submit_one(&B, gb, 0, fill_stream(&y, 0, 0, v), 56, sig_bin(sb)), 0);
	ck_assert_int_eq(syncobj_settle(&B, sb, 0), 1);
	ck_assert_mem_eq(y.mem + DATA_OFF, v, sizeof(v));
}
END_TEST

/*
 * The watchdog covers a job's time on the hardware, as drm_sched's timeout
 * (armed when run_job() hands the job over) and panthor's (stopped while
 * a group is off its slot): time spent waiting for a CSG slot does not
 * count.  Two waves of endless streams hold all 8 slots for two timeouts;
 * a job queued behind them waits longer than a timeout, then runs and
 * succeeds.
 */
START_TEST(watchdog_does_not_count_the_wait_for_a_slot)
{
	enum { ENDLESS = 16 };
	const uint32_t v[4] = { 2, 7, 1, 8 };
	struct ctx x, y;
	uint32_t g, gb, s, sb, state, fatal;
	int status;

	teardown();
	mali_csf_job_timeout_ms = 300;
	setup_cfg(NULL);
	ctx_init(&A, &x);
	ctx_init(&B, &y);
	for (unsigned int i = 0; i < ENDLESS; i++) {
		g = group_create(&A, x.vm, 1);
		s = syncobj_create(&A, 0);
		ck_assert_int_eq(submit_one(&A, g, 0, endless_stream(&x, 0x100 * i), 64,
					    sig_bin(s)), 0);
	}
	gb = group_create(&B, y.vm, 1);
	sb = syncobj_create(&B, 0);
	ck_assert_int_eq(submit_one(&B, gb, 0, fill_stream(&y, 0, 0, v), 56, sig_bin(sb)), 0);
	/* Past one timeout it still waits for a slot, and has not failed. */
	usleep(400000);
	ck_assert_int_eq(syncobj_status(&B, sb, 0, &status), 0);
	ck_assert_int_eq(status, 0);
	ck_assert_int_eq(syncobj_settle(&B, sb, 0), 1);
	ck_assert_mem_eq(y.mem + DATA_OFF, v, sizeof(v));
	ck_assert_int_eq(group_state(&B, gb, &state, &fatal), 0);
	ck_assert_uint_eq(state, 0);
	/* The endless ones did time out. */
	ck_assert_int_eq(syncobj_settle(&A, s, 0), -ETIMEDOUT);
}
END_TEST

/*
 * A client whose streams never end holds no one else up: another client's
 * job runs and completes while they spin (well before the 5 s watchdog).
 */
START_TEST(endless_streams_do_not_hold_other_clients_up)
{
	const uint32_t v[4] = { 7, 7, 7, 7 };
	struct ctx x, y;
	uint32_t g[4], gb, s[4], sb;
	int status;

	ctx_init(&A, &x);
	ctx_init(&B, &y);
	for (unsigned int i = 0; i < 4; i++) {
		g[i] = group_create(&A, x.vm, 1);
		s[i] = syncobj_create(&A, 0);
		ck_assert_int_eq(submit_one(&A, g[i], 0, endless_stream(&x, 0x100 * i), 64,
					    sig_bin(s[i])), 0);
	}
	gb = group_create(&B, y.vm, 1);
	sb = syncobj_create(&B, 0);
	ck_assert_int_eq(submit_one(&B, gb, 0, fill_stream(&y, 0, 0, v), 56, sig_bin(sb)), 0);
	ck_assert_int_eq(syncobj_settle(&B, sb, 0), 1);
	ck_assert_mem_eq(y.mem + DATA_OFF, v, sizeof(v));
	for (unsigned int i = 0; i < 4; i++) {
		ck_assert_int_eq(syncobj_status(&A, s[i], 0, &status), 0);
		ck_assert_int_eq(status, 0);	/* still spinning */
	}
	/* destroying a busy group cancels its job */
	ck_assert_int_eq(group_destroy(&A, g[0]), 0);
	ck_assert_int_eq(syncobj_settle(&A, s[0], 0), -ECANCELED);
}
END_TEST

/* --- revoke --- */

struct waiter {
	struct client c;
	uint32_t handle;
	int r;
};

static void *syncobj_waiter(void *arg)
{
	struct waiter *w = arg;
	struct gpu_proto_syncobj_wait a = {
		.handles = arena_addr(&w->c, OFF_SOBJ), .count_handles = 1,
		.timeout_nsec = INT64_MAX,
	};

	memcpy(w->c.arena + OFF_SOBJ, &w->handle, sizeof(w->handle));
	w->r = cl_ioctl(&w->c, GPU_PROTO_IOCTL_SYNCOBJ_WAIT, &a, sizeof(a));
	return NULL;
}

START_TEST(revoke_fails_jobs_in_flight_and_wakes_every_waiter)
{
	enum { WAITERS = 4 };
	struct waiter w[WAITERS];
	pthread_t t[WAITERS];
	struct ctx x;
	uint32_t g, s[WAITERS];
	int status;

	ctx_init(&A, &x);
	g = group_create(&A, x.vm, 2);
	for (unsigned int i = 0; i < WAITERS; i++)
		s[i] = syncobj_create(&A, 0);
	/* queue 0 never ends; queue 1 waits behind queue 0's fence */
	ck_assert_int_eq(submit_one(&A, g, 0, endless_stream(&x, 0), 64, sig_bin(s[0])), 0);
	ck_assert_int_eq(submit_one(&A, g, 0, 0, 0, sig_bin(s[1])), 0);
	{
		struct job j = { .queue = 1, .addr = endless_stream(&x, 0x100), .size = 64,
				 .nsyncs = 2, .syncs = { wait_bin(s[0]), sig_bin(s[2]) } };

		ck_assert_int_eq(submit(&A, g, &j, 1), 0);
	}
	ck_assert_int_eq(submit_one(&A, g, 1, 0, 0, sig_bin(s[3])), 0);
	for (unsigned int i = 0; i < WAITERS; i++) {
		client_share(&w[i].c, &A);
		w[i].handle = s[i];
		w[i].r = 1;
		ck_assert_int_eq(pthread_create(&t[i], NULL, syncobj_waiter, &w[i]), 0);
	}
	ck_assert_int_eq(syncobj_status(&A, s[0], 0, &status), 0);
	ck_assert_int_eq(status, 0);

	/* The pump's descriptors go with the backend: stop it first. */
	pump_end();
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	for (unsigned int i = 0; i < WAITERS; i++) {
		pthread_join(t[i], NULL);
		/* a wait that was parked wakes with ENODEV; one that started later gets it at once */
		ck_assert_int_eq(w[i].r, -ENODEV);
		client_close(&w[i].c);
	}
	/* every job's fence ended in error, none in success, none pending */
	for (unsigned int i = 0; i < WAITERS; i++) {
		struct gp_syncobj *obj = gp_syncobj_find(A.file, s[i]);
		struct gp_fence *f = NULL;

		ck_assert_ptr_nonnull(obj);
		ck_assert_int_eq(gp_syncobj_get_fence(obj, 0, &f), 0);
		ck_assert_int_eq(gp_fence_get_status(f), -ENODEV);
		gp_fence_put(&f);
		gp_syncobj_put(&obj);
	}
	/* no new submit */
	ck_assert_int_eq(submit_one(&A, g, 0, 0, 0, sig_bin(s[0])), -ENODEV);
}
END_TEST

/*
 * The GPU vanished from the bus with a job on it: the slot's terminate and
 * the MCU's halt cannot be acknowledged, yet revoke ends, the job fails
 * with ENODEV and nothing stays DMA-mapped.
 */
static struct gp_mock_stats release_stats;
static bool release_ran;

static void record_release(struct gp_backend *be)
{
	gp_mock_get_stats(be, &release_stats);
	release_ran = true;
}

START_TEST(revoke_after_surprise_removal_fails_the_jobs)
{
	struct ctx x;
	uint32_t g, s;
	struct gp_syncobj *obj;
	struct gp_fence *f = NULL;

	ctx_init(&A, &x);
	g = group_create(&A, x.vm, 1);
	s = syncobj_create(&A, 0);
	ck_assert_int_eq(submit_one(&A, g, 0, endless_stream(&x, 0), 64, sig_bin(s)), 0);
	obj = gp_syncobj_find(A.file, s);
	ck_assert_int_eq(gp_syncobj_get_fence(obj, 0, &f), 0);
	/*
	 * On the hardware first: a group the scheduler had not bound yet
	 * fails to start on the removed device, which is the next test's
	 * case, not this one's.
	 */
	for (int i = 0; i < 10000; i++) {
		gp_mock_get_stats(backend(), &release_stats);
		if (release_stats.csf_instructions)
			break;
		usleep(1000);
	}
	ck_assert_uint_ne(release_stats.csf_instructions, 0);
	release_ran = false;
	mali_csf_release_probe = record_release;
	pump_end();
	gp_mock_simulate_removal(backend());
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	mali_csf_release_probe = NULL;
	ck_assert(release_ran);
	ck_assert_uint_eq(release_stats.dma_mappings, 0);
	ck_assert_int_eq(gp_fence_get_status(f), -ENODEV);
	gp_fence_put(&f);
	gp_syncobj_put(&obj);
}
END_TEST

/*
 * The device vanishes before the scheduler binds the group: the start
 * fails on the removed device, and the job fails with ENODEV (the device
 * is gone), not ECANCELED (which says the group was lost for a reason of
 * its own).
 */
START_TEST(a_group_that_cannot_start_on_a_removed_device_fails_with_enodev)
{
	struct ctx x;
	uint32_t g, s;
	struct gp_syncobj *obj;
	struct gp_fence *f = NULL;
	int status = 0;

	ctx_init(&A, &x);
	g = group_create(&A, x.vm, 1);
	s = syncobj_create(&A, 0);
	gp_mock_simulate_removal(backend());
	ck_assert_int_eq(submit_one(&A, g, 0, endless_stream(&x, 0), 64, sig_bin(s)), 0);
	obj = gp_syncobj_find(A.file, s);
	ck_assert_int_eq(gp_syncobj_get_fence(obj, 0, &f), 0);
	for (int i = 0; i < 5000 && !(status = gp_fence_get_status(f)); i++)
		usleep(1000);
	ck_assert_int_eq(status, -ENODEV);
	gp_fence_put(&f);
	gp_syncobj_put(&obj);
}
END_TEST

/* Files closed with jobs in flight: their groups go, their jobs are cancelled. */
START_TEST(closing_a_file_with_jobs_in_flight)
{
	struct ctx x;
	uint32_t g, s;
	struct gp_syncobj *obj;
	struct gp_fence *f = NULL;

	ctx_init(&A, &x);
	g = group_create(&A, x.vm, 1);
	s = syncobj_create(&A, 0);
	ck_assert_int_eq(submit_one(&A, g, 0, endless_stream(&x, 0), 64, sig_bin(s)), 0);
	obj = gp_syncobj_find(A.file, s);
	ck_assert_ptr_nonnull(obj);
	ck_assert_int_eq(gp_syncobj_get_fence(obj, 0, &f), 0);
	client_close(&A);
	ck_assert_int_eq(gp_fence_get_status(f), -ECANCELED);
	gp_fence_put(&f);
	gp_syncobj_put(&obj);
	client_open_as(&A, &plain_user);
}
END_TEST

/* Many clients submitting while the device is revoked: everything settles (TSan). */
struct submitter {
	struct client c;
	atomic_int ok, failed;
};

static void *submit_loop(void *arg)
{
	struct submitter *sm = arg;
	struct ctx x;
	uint32_t g;
	uint32_t s;

	x.vm = 0;
	{
		struct gpu_proto_mali_vm_create a = { 0 };

		if (cl_ioctl(&sm->c, GPU_PROTO_IOCTL_MALI_VM_CREATE, &a, sizeof(a)) < 0)
			return NULL;
		x.vm = a.id;
	}
	{
		struct gpu_proto_mali_queue_create q = { .ringbuf_size = 4096 };

		if (group_create_q(&sm->c, x.vm, 1, &q, 1, sizeof(q), &g) < 0)
			return NULL;
	}
	{
		struct gpu_proto_syncobj_create a = { 0 };

		if (cl_ioctl(&sm->c, GPU_PROTO_IOCTL_SYNCOBJ_CREATE, &a, sizeof(a)) < 0)
			return NULL;
		s = a.handle;
	}
	for (int i = 0; i < 2000; i++) {
		int r = submit_one(&sm->c, g, 0, 0, 0, sig_bin(s));

		if (r == -ENODEV)
			break;
		if (r == 0)
			atomic_fetch_add(&sm->ok, 1);
		else
			atomic_fetch_add(&sm->failed, 1);
	}
	return NULL;
}

START_TEST(revoke_while_clients_submit)
{
	enum { N = 3 };
	struct submitter sm[N];
	pthread_t t[N];

	for (unsigned int i = 0; i < N; i++) {
		memset(&sm[i], 0, sizeof(sm[i]));
		client_open_as(&sm[i].c, &plain_user);
		ck_assert_int_eq(pthread_create(&t[i], NULL, submit_loop, &sm[i]), 0);
	}
	usleep(20000);
	pump_end();
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	for (unsigned int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(atomic_load(&sm[i].failed), 0);
		client_close(&sm[i].c);
	}
}
END_TEST

/*
 * Several clients, each submitting small jobs one at a time and waiting
 * for each: every job must signal within a second.  A job interrupt the
 * mock raised while the driver was between reading and clearing JOB_INT
 * used to stay pending with no fresh edge on the line, and the job then
 * completed only when the 5 s watchdog woke the scheduler.
 */
struct ping_pong {
	struct client c;
	uint32_t group, sobj;
	uint64_t stream;
	int done;		/* jobs signalled in time */
	int err;		/* the first submit or status error */
	int stalled;		/* 1-based index of the job that missed its second */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *ping_pong_loop(void *arg)
{
	struct ping_pong *pp = arg;
	const struct timespec tick = { .tv_nsec = 20000 };

	for (int i = 1; i <= 200; i++) {
		uint64_t deadline;
		int r, st = 0;

		r = submit_one(&pp->c, pp->group, 0, pp->stream, 7 * 8, sig_tl(pp->sobj, (uint64_t)i));
		if (r < 0) {
			pp->err = r;
			return NULL;
		}
		deadline = mono_ns() + 1000000000u;
		while ((r = syncobj_status(&pp->c, pp->sobj, (uint64_t)i, &st)) == 0 && st == 0 &&
		       mono_ns() < deadline)
			nanosleep(&tick, NULL);
		if (r < 0 || st < 0) {
			pp->err = r < 0 ? r : st;
			return NULL;
		}
		if (st == 0) {
			pp->stalled = i;
			return NULL;
		}
		pp->done++;
	}
	return NULL;
}

START_TEST(concurrent_clients_never_wait_for_the_watchdog)
{
	enum { N = 4 };
	static const uint32_t v[4] = { 1, 2, 3, 4 };
	struct ping_pong pp[N];
	pthread_t t[N];

	for (unsigned int i = 0; i < N; i++) {
		struct ctx x;

		memset(&pp[i], 0, sizeof(pp[i]));
		client_open_as(&pp[i].c, &plain_user);
		ctx_init(&pp[i].c, &x);
		pp[i].stream = fill_stream(&x, 0, 0, v);
		pp[i].group = group_create(&pp[i].c, x.vm, 1);
		pp[i].sobj = syncobj_create(&pp[i].c, 0);
	}
	for (unsigned int i = 0; i < N; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, ping_pong_loop, &pp[i]), 0);
	for (unsigned int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	for (unsigned int i = 0; i < N; i++) {
		ck_assert_msg(pp[i].err == 0, "client %u: error %d", i, pp[i].err);
		ck_assert_msg(pp[i].stalled == 0, "client %u: job %d not signalled within 1 s",
			      i, pp[i].stalled);
		ck_assert_int_eq(pp[i].done, 200);
		client_close(&pp[i].c);
	}
}
END_TEST

static Suite *mali_csf_sched_suite(void)
{
	Suite *s = suite_create("mali-csf-sched");
	TCase *grp = tcase_create("groups");
	TCase *sub = tcase_create("submit");
	TCase *bad = tcase_create("faults");
	TCase *life = tcase_create("lifetime");

	tcase_add_checked_fixture(grp, setup, teardown);
	tcase_add_test(grp, group_handles_are_per_file_from_1_lowest_free_first);
	tcase_add_test(grp, group_create_errors_are_panthors);
	tcase_add_test(grp, a_file_has_at_most_128_groups);
	tcase_add_test(grp, group_priorities_follow_the_allowed_mask_dev_query_reports);
	tcase_add_test(grp, tiler_heap_create_destroy_and_errors);
	suite_add_tcase(s, grp);

	tcase_set_timeout(sub, 60);
	tcase_add_checked_fixture(sub, setup, teardown);
	tcase_add_test(sub, submit_fills_a_buffer_and_signals_binary_and_timeline);
	tcase_add_test(sub, empty_stream_only_signals);
	tcase_add_test(sub, wait_dependency_across_queues_orders_the_jobs);
	tcase_add_test(sub, wait_dependency_holds_when_streams_interleave);
	tcase_add_test(sub, submit_bad_input_gets_panthors_errors_and_commits_nothing);
	tcase_add_test(sub, submit_with_many_sync_arrays);
	tcase_add_test(sub, a_group_holds_at_most_4096_unfinished_jobs);
	tcase_add_test(sub, concurrent_clients_never_wait_for_the_watchdog);
	suite_add_tcase(s, sub);

	tcase_set_timeout(bad, 60);
	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_test(bad, unknown_instruction_faults_only_its_group);
	tcase_add_test(bad, unmapped_store_faults_only_its_group);
	tcase_add_test(bad, stream_outside_any_mapping_faults_its_group);
	tcase_add_test(bad, watchdog_times_out_an_endless_stream);
	tcase_add_test(bad, watchdog_does_not_count_the_wait_for_a_slot);
	tcase_add_test(bad, endless_streams_do_not_hold_other_clients_up);
	suite_add_tcase(s, bad);

	tcase_set_timeout(life, 60);
	tcase_add_checked_fixture(life, setup, teardown);
	tcase_add_test(life, revoke_fails_jobs_in_flight_and_wakes_every_waiter);
	tcase_add_test(life, revoke_after_surprise_removal_fails_the_jobs);
	tcase_add_test(life, a_group_that_cannot_start_on_a_removed_device_fails_with_enodev);
	tcase_add_test(life, closing_a_file_with_jobs_in_flight);
	tcase_add_test(life, revoke_while_clients_submit);
	suite_add_tcase(s, life);
	return s;
}

int main(void)
{
	return gp_check_run(mali_csf_sched_suite());
}
