// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The qemu-edu test personality against the fake edu device
 * (tests/lib/fake_edu.h: QEMU's edu at the register level, its DMA engine
 * behind the backend's DMA mappings): probe checks, the info ioctl, a
 * raised interrupt delivered as an event, and DMA: buffer objects copied
 * through the device's DMA engine, bad input, and revoke or a timeout while a
 * transfer is in flight.  (The same driver runs on the real emulated
 * device, through vfio-pci and the IOMMU, in the VM tier.)
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
#include "drivers.h"
#include "file.h"
#include "gem.h"
#include "fake_edu.h"
#include "inproc.h"
#include "qemu_edu_regs.h"
#include "registration.h"
#include "check_run.h"

static int bind_edu(struct fake_edu *e, struct gp_registration **reg)
{
	struct gp_backend *be = &e->be;
	int r = gp_driver_bind(&gp_qemu_edu_driver, &be, FAKE_EDU_BUS_ID, reg);

	if (r < 0)
		gp_backend_release(&be);
	return r;
}

START_TEST(probe_accepts_the_edu_device)
{
	struct gp_registration *reg = NULL;

	ck_assert_int_eq(bind_edu(fake_edu_new(), &reg), 0);
	gp_registration_free(&reg);
}
END_TEST

START_TEST(probe_refuses_a_wrong_id)
{
	struct gp_registration *reg = NULL;
	struct fake_edu *e = fake_edu_new();

	e->id = 0x020000ed;
	ck_assert_int_eq(bind_edu(e, &reg), -ENODEV);
	ck_assert_ptr_null(reg);
}
END_TEST

START_TEST(probe_refuses_a_dead_liveness_register)
{
	struct gp_registration *reg = NULL;
	struct fake_edu *e = fake_edu_new();

	e->broken_liveness = true;
	ck_assert_int_eq(bind_edu(e, &reg), -EIO);
}
END_TEST

START_TEST(probe_refuses_a_non_pci_device)
{
	struct gp_registration *reg = NULL;
	struct fake_edu *e = fake_edu_new();

	e->be.bus = GP_BUS_PLATFORM;
	ck_assert_int_eq(bind_edu(e, &reg), -ENODEV);
}
END_TEST

START_TEST(raised_interrupt_arrives_as_an_event)
{
	const struct gp_caller user = { .uid = 1000 };
	struct gp_registration *reg = NULL;
	struct fake_edu *e = fake_edu_new();
	struct gp_inproc_caller *c = NULL;
	struct gp_file *file = NULL;
	struct gpu_proto_edu_info info = { 0 };
	struct gpu_proto_edu_raise_irq req = { .user_data = 42, .status = 0x10 };
	struct gpu_proto_edu_event_irq ev;
	struct pollfd pfd = { .fd = e->irq_fd, .events = POLLIN };
	uint64_t count;

	ck_assert_int_eq(bind_edu(e, &reg), 0);
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_RETRY, &c), 0);
	gp_inproc_caller_map(c, &info, sizeof(info), GP_USER_IN | GP_USER_OUT);
	gp_inproc_caller_map(c, &req, sizeof(req), GP_USER_IN | GP_USER_OUT);
	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), &user, GP_NODE_RENDER, &file), 0);

	ck_assert_int_eq(gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_EDU_INFO, (uintptr_t)&info), 0);
	ck_assert_uint_eq(info.id, EDU_ID_VALUE);
	ck_assert_uint_eq(info.liveness, ~0x12345678u);

	ck_assert_int_eq(gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_EDU_RAISE_IRQ, (uintptr_t)&req), 0);
	ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
	ck_assert_int_eq(read(e->irq_fd, &count, sizeof(count)), sizeof(count));
	ck_assert_int_eq(gp_device_handle_irq(gp_registration_device(reg), 0), 0);
	ck_assert_int_eq(gp_file_read_events(file, &ev, sizeof(ev)), sizeof(ev));
	ck_assert_uint_eq(ev.base.type, GPU_PROTO_EDU_EVENT_IRQ);
	ck_assert_uint_eq(ev.user_data, 42);
	ck_assert_uint_eq(ev.status, 0x10);
	/* Acknowledged on the device and re-armed on the line. */
	ck_assert_uint_eq(e->irq_status, 0);
	ck_assert_uint_eq(e->unmasks, 1);

	req.status = 0;
	ck_assert_int_eq(gp_inproc_ioctl(c, file, GPU_PROTO_IOCTL_EDU_RAISE_IRQ, (uintptr_t)&req), -EINVAL);

	gp_file_close(&file);
	gp_inproc_caller_free(&c);
	gp_registration_free(&reg);
}
END_TEST

/* --- DMA --------------------------------------------------------------- */

/* The control plane's part: drain the IRQ eventfd, run the handler. */
struct irq_thread {
	pthread_t tid;
	struct fake_edu *e;
	struct gp_device *dev;
	atomic_bool stop;
};

static void *irq_thread_main(void *arg)
{
	struct irq_thread *t = arg;

	while (!atomic_load(&t->stop)) {
		struct pollfd pfd = { .fd = t->e->irq_fd, .events = POLLIN };
		uint64_t count;

		if (poll(&pfd, 1, 10) == 1 && read(t->e->irq_fd, &count, sizeof(count)) > 0)
			(void)gp_device_handle_irq(t->dev, 0);
	}
	return NULL;
}

static void irq_thread_start(struct irq_thread *t, struct fake_edu *e, struct gp_device *dev)
{
	t->e = e;
	t->dev = dev;
	atomic_init(&t->stop, false);
	ck_assert_int_eq(pthread_create(&t->tid, NULL, irq_thread_main, t), 0);
}

static void irq_thread_stop(struct irq_thread *t)
{
	atomic_store(&t->stop, true);
	ck_assert_int_eq(pthread_join(t->tid, NULL), 0);
}

struct edu_client {
	struct gp_inproc_caller *c;
	struct gp_file *file;
	struct gpu_proto_edu_bo_create create;
	struct gpu_proto_edu_dma dma;
};

static void client_open(struct edu_client *cl, struct gp_registration *reg)
{
	const struct gp_caller user = { .uid = 1000 };

	memset(cl, 0, sizeof(*cl));
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_RETRY, &cl->c), 0);
	gp_inproc_caller_map(cl->c, &cl->create, sizeof(cl->create), GP_USER_IN | GP_USER_OUT);
	gp_inproc_caller_map(cl->c, &cl->dma, sizeof(cl->dma), GP_USER_IN | GP_USER_OUT);
	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), &user, GP_NODE_RENDER,
				      &cl->file), 0);
}

static void client_close(struct edu_client *cl)
{
	gp_file_close(&cl->file);
	gp_inproc_caller_free(&cl->c);
}

static uint32_t client_bo_create(struct edu_client *cl, uint64_t size)
{
	cl->create = (struct gpu_proto_edu_bo_create){ .size = size };
	ck_assert_int_eq(gp_inproc_ioctl(cl->c, cl->file, GPU_PROTO_IOCTL_EDU_BO_CREATE,
					 (uintptr_t)&cl->create), 0);
	ck_assert_uint_ge(cl->create.handle, 1);
	return cl->create.handle;
}

static int client_dma(struct edu_client *cl, uint32_t handle, uint32_t dir, uint64_t bo_offset,
		      uint32_t dev_offset, uint32_t length)
{
	cl->dma = (struct gpu_proto_edu_dma){
		.handle = handle, .direction = dir, .bo_offset = bo_offset,
		.dev_offset = dev_offset, .length = length,
	};
	return gp_inproc_ioctl(cl->c, cl->file, GPU_PROTO_IOCTL_EDU_DMA, (uintptr_t)&cl->dma);
}

/* The daemon's mapping of a client's object: what the client sees through its own. */
static uint8_t *bo_bytes(struct edu_client *cl, uint32_t handle)
{
	struct gp_gem_object *obj = gp_gem_object_lookup(cl->file, handle);
	uint8_t *p;

	ck_assert_ptr_nonnull(obj);
	p = obj->vaddr;
	gp_gem_object_put(&obj);
	return p;
}

START_TEST(dma_round_trip_through_the_device_buffer)
{
	struct gp_registration *reg = NULL;
	struct fake_edu *e = fake_edu_new_dma();
	struct irq_thread irq;
	struct edu_client cl;
	uint32_t a, b;
	uint8_t *pa, *pb;

	ck_assert_int_eq(bind_edu(e, &reg), 0);
	/* The device clamps bus addresses to 28 bits: probe said so. */
	ck_assert_uint_eq(e->be.dma_mask, EDU_DMA_MASK);
	client_open(&cl, reg);
	irq_thread_start(&irq, e, gp_registration_device(reg));

	a = client_bo_create(&cl, 2 * 4096);
	ck_assert_uint_eq(cl.create.size, 2 * 4096);
	b = client_bo_create(&cl, 100);
	ck_assert_uint_eq(cl.create.size, 4096);	/* whole pages */
	pa = bo_bytes(&cl, a);
	pb = bo_bytes(&cl, b);
	for (unsigned int i = 0; i < 2 * 4096; i++)
		pa[i] = (uint8_t)(i * 7 + 3);

	/* The second page of A, into the device at 1024, and back into B at 8. */
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 4096, 1024, 2048), 0);
	ck_assert_int_eq(memcmp(e->dma_buf + 1024, pa + 4096, 2048), 0);
	ck_assert_int_eq(client_dma(&cl, b, GPU_PROTO_EDU_DMA_FROM_DEVICE, 8, 1024, 2048), 0);
	ck_assert_int_eq(memcmp(pb + 8, pa + 4096, 2048), 0);
	ck_assert_uint_eq(pb[0], 0);
	ck_assert_uint_eq(pb[8 + 2048], 0);
	/* A transfer that crosses a page boundary of the object: two pages mapped. */
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 4096 - 512, 0, 1024), 0);
	ck_assert_int_eq(memcmp(e->dma_buf, pa + 4096 - 512, 1024), 0);

	/* The largest transfer: everything but the last 8 bytes of the device buffer. */
	ck_assert_int_eq(client_dma(&cl, b, GPU_PROTO_EDU_DMA_FROM_DEVICE, 0, 0,
				    GPU_PROTO_EDU_DMA_USABLE), 0);
	ck_assert_int_eq(memcmp(pb, e->dma_buf, GPU_PROTO_EDU_DMA_USABLE), 0);
	ck_assert_uint_eq(atomic_load(&e->dma_starts), 4);
	ck_assert_uint_eq(e->faults, 0);
	ck_assert_uint_eq(e->live_maps, 0);	/* mapped only for the transfer */
	irq_thread_stop(&irq);
	client_close(&cl);
	gp_registration_free(&reg);
	fake_edu_free(e);
}
END_TEST

START_TEST(dma_bad_input_is_refused_before_the_engine_starts)
{
	struct gp_registration *reg = NULL;
	struct fake_edu *e = fake_edu_new_dma();
	struct edu_client cl, other;
	uint32_t a, theirs;

	ck_assert_int_eq(bind_edu(e, &reg), 0);
	client_open(&cl, reg);
	client_open(&other, reg);
	a = client_bo_create(&cl, 4096);
	theirs = client_bo_create(&other, 2 * 4096);	/* handle 1 there, 1 here too */
	ck_assert_uint_eq(theirs, a);
	theirs = client_bo_create(&other, 4096);	/* handle 2: only the other file has it */

	ck_assert_int_eq(client_dma(&cl, 99, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 8), -ENOENT);
	ck_assert_int_eq(client_dma(&cl, 0, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 8), -ENOENT);
	ck_assert_int_eq(client_dma(&cl, theirs, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 8), -ENOENT);
	/* Outside the object. */
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 4096 - 8, 0, 16), -EINVAL);
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 4096, 0, 8), -EINVAL);
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, UINT64_MAX - 7, 0, 8),
			 -EINVAL);
	/* Outside the device buffer. */
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 4096 - 16, 16), -EINVAL);
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 4096, 8), -EINVAL);
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 4104), -EINVAL);
	/* The last 8 bytes: QEMU 7.2's edu would abort the whole VM (edu_check_range). */
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 4096 - 8, 8), -EINVAL);
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 4096), -EINVAL);
	/* Zero length, misalignment, unknown direction, padding. */
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 0), -EINVAL);
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 4, 0, 8), -EINVAL);
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 4, 8), -EINVAL);
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 12), -EINVAL);
	ck_assert_int_eq(client_dma(&cl, a, 2, 0, 0, 8), -EINVAL);
	cl.dma = (struct gpu_proto_edu_dma){ .handle = a, .length = 8, .pad = 1 };
	ck_assert_int_eq(gp_inproc_ioctl(cl.c, cl.file, GPU_PROTO_IOCTL_EDU_DMA, (uintptr_t)&cl.dma),
			 -EINVAL);
	/* Object creation: zero size, padding. */
	cl.create = (struct gpu_proto_edu_bo_create){ .size = 0 };
	ck_assert_int_eq(gp_inproc_ioctl(cl.c, cl.file, GPU_PROTO_IOCTL_EDU_BO_CREATE,
					 (uintptr_t)&cl.create), -EINVAL);
	cl.create = (struct gpu_proto_edu_bo_create){ .size = 4096, .pad = 1 };
	ck_assert_int_eq(gp_inproc_ioctl(cl.c, cl.file, GPU_PROTO_IOCTL_EDU_BO_CREATE,
					 (uintptr_t)&cl.create), -EINVAL);

	ck_assert_uint_eq(atomic_load(&e->dma_starts), 0);
	ck_assert_uint_eq(e->live_maps, 0);
	client_close(&other);
	client_close(&cl);
	gp_registration_free(&reg);
	fake_edu_free(e);
}
END_TEST

START_TEST(dma_without_backend_dma_is_eopnotsupp)
{
	struct gp_registration *reg = NULL;
	struct fake_edu *e = fake_edu_new();	/* a binding with no dma_map */
	struct edu_client cl;
	uint32_t a;

	ck_assert_int_eq(bind_edu(e, &reg), 0);
	client_open(&cl, reg);
	a = client_bo_create(&cl, 4096);
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 8), -EOPNOTSUPP);
	client_close(&cl);
	gp_registration_free(&reg);
}
END_TEST

struct dma_call {
	struct edu_client *cl;
	uint32_t handle;
	int r;
};

static void *dma_call_main(void *arg)
{
	struct dma_call *call = arg;

	call->r = client_dma(call->cl, call->handle, GPU_PROTO_EDU_DMA_FROM_DEVICE, 0, 0,
			     GPU_PROTO_EDU_DMA_USABLE);
	return NULL;
}

/*
 * Revoke while a transfer runs: the waiting ioctl gives up with ENODEV
 * (revoke does not wait for the device), release lets the engine finish
 * before it unmaps, and the backend goes last.
 */
START_TEST(revoke_with_dma_in_flight_quiesces_then_unmaps)
{
	struct gp_registration *reg = NULL;
	struct fake_edu *e = fake_edu_new_dma();
	struct edu_client cl;
	struct dma_call call;
	pthread_t tid;
	uint8_t *p;
	int copy, unmap, release;

	ck_assert_int_eq(bind_edu(e, &reg), 0);
	client_open(&cl, reg);
	call = (struct dma_call){ .cl = &cl, .handle = client_bo_create(&cl, 4096) };
	p = bo_bytes(&cl, call.handle);
	memset(e->dma_buf, 0x5a, sizeof(e->dma_buf));
	e->hold_dma = true;			/* no completion of its own... */
	e->complete_after_cmd_reads = 3;	/* ...until release has polled CMD a while */
	ck_assert_int_eq(pthread_create(&tid, NULL, dma_call_main, &call), 0);
	while (atomic_load(&e->dma_starts) == 0)
		usleep(1000);

	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	ck_assert_int_eq(pthread_join(tid, NULL), 0);
	ck_assert_int_eq(call.r, -ENODEV);

	/* The copy landed while the object was still mapped; then unmap; then the fds. */
	copy = fake_edu_event_index(e, FAKE_EDU_EV_DMA_COPY);
	unmap = fake_edu_event_index(e, FAKE_EDU_EV_DMA_UNMAP);
	release = fake_edu_event_index(e, FAKE_EDU_EV_RELEASE);
	ck_assert_int_ge(copy, 0);
	ck_assert_int_gt(unmap, copy);
	ck_assert_int_gt(release, unmap);
	ck_assert_uint_eq(e->faults, 0);
	ck_assert_uint_eq(e->live_maps, 0);
	ck_assert_uint_eq(p[0], 0x5a);	/* the object outlives the registration */
	client_close(&cl);
	gp_registration_free(&reg);
	fake_edu_free(e);
}
END_TEST

/*
 * A client's transfer waiting on the engine takes nothing the IRQ path
 * needs: meanwhile another client's interrupt is handled and delivered,
 * and the transfer's own interrupt completes it.
 */
START_TEST(dma_waiting_does_not_block_the_irq_path)
{
	struct gp_registration *reg = NULL;
	struct fake_edu *e = fake_edu_new_dma();
	struct edu_client cl, other;
	/* With the DMA bit too: a client faking the engine's completion. */
	struct gpu_proto_edu_raise_irq raise = { .user_data = 7, .status = 0x100 | 0x10 };
	struct gpu_proto_edu_event_irq ev;
	struct dma_call call;
	pthread_t tid;
	uint64_t count;

	ck_assert_int_eq(bind_edu(e, &reg), 0);
	client_open(&cl, reg);
	client_open(&other, reg);
	gp_inproc_caller_map(other.c, &raise, sizeof(raise), GP_USER_IN | GP_USER_OUT);
	call = (struct dma_call){ .cl = &cl, .handle = client_bo_create(&cl, 4096) };
	e->hold_dma = true;
	ck_assert_int_eq(pthread_create(&tid, NULL, dma_call_main, &call), 0);
	while (atomic_load(&e->dma_starts) == 0)
		usleep(1000);

	ck_assert_int_eq(gp_inproc_ioctl(other.c, other.file, GPU_PROTO_IOCTL_EDU_RAISE_IRQ,
					 (uintptr_t)&raise), 0);
	ck_assert_int_eq(read(e->irq_fd, &count, sizeof(count)), sizeof(count));
	ck_assert_int_eq(gp_device_handle_irq(gp_registration_device(reg), 0), 0);
	ck_assert_int_eq(gp_file_read_events(other.file, &ev, sizeof(ev)), sizeof(ev));
	ck_assert_uint_eq(ev.user_data, 7);

	/* A raised 0x100 is not the engine's completion while RUN is still set. */
	ck_assert_uint_eq(e->live_maps, 1);
	fake_edu_dma_complete(e);
	ck_assert_int_eq(read(e->irq_fd, &count, sizeof(count)), sizeof(count));
	ck_assert_int_eq(gp_device_handle_irq(gp_registration_device(reg), 0), 0);
	ck_assert_int_eq(pthread_join(tid, NULL), 0);
	ck_assert_int_eq(call.r, 0);
	ck_assert_uint_eq(e->live_maps, 0);
	client_close(&other);
	client_close(&cl);
	gp_registration_free(&reg);
	fake_edu_free(e);
}
END_TEST

/*
 * A device that never completes: the ioctl gives up (ETIMEDOUT) without
 * unmapping memory the engine may still write; the late interrupt frees
 * it, and the engine is free for the next transfer.
 */
START_TEST(dma_timeout_leaves_the_transfer_to_the_interrupt)
{
	struct gp_registration *reg = NULL;
	struct fake_edu *e = fake_edu_new_dma();
	struct irq_thread irq;
	struct edu_client cl;
	uint32_t a;
	uint64_t count;

	ck_assert_int_eq(bind_edu(e, &reg), 0);
	client_open(&cl, reg);
	a = client_bo_create(&cl, 4096);
	e->hold_dma = true;
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 64), -ETIMEDOUT);
	ck_assert_uint_eq(e->live_maps, 1);	/* still the engine's */

	fake_edu_dma_complete(e);		/* the late completion */
	ck_assert_int_eq(read(e->irq_fd, &count, sizeof(count)), sizeof(count));
	ck_assert_int_eq(gp_device_handle_irq(gp_registration_device(reg), 0), 0);
	ck_assert_uint_eq(e->live_maps, 0);
	ck_assert_uint_eq(e->faults, 0);

	e->hold_dma = false;
	irq_thread_start(&irq, e, gp_registration_device(reg));
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 64), 0);
	irq_thread_stop(&irq);
	ck_assert_uint_eq(e->live_maps, 0);
	client_close(&cl);
	gp_registration_free(&reg);
	fake_edu_free(e);
}
END_TEST

/*
 * A client may raise every status bit: the all-ones status is then not a
 * device gone from the bus (the ID register still answers), so it is
 * acknowledged and another client's transfer still completes.
 */
START_TEST(all_ones_status_raised_by_a_client_is_not_a_removal)
{
	struct gp_registration *reg = NULL;
	struct fake_edu *e = fake_edu_new_dma();
	struct gpu_proto_edu_raise_irq raise = { .user_data = 1, .status = UINT32_MAX };
	struct gpu_proto_edu_event_irq ev;
	struct edu_client cl, other;
	struct irq_thread irq;
	uint64_t count;
	uint32_t a;

	ck_assert_int_eq(bind_edu(e, &reg), 0);
	client_open(&cl, reg);
	client_open(&other, reg);
	gp_inproc_caller_map(other.c, &raise, sizeof(raise), GP_USER_IN | GP_USER_OUT);
	ck_assert_int_eq(gp_inproc_ioctl(other.c, other.file, GPU_PROTO_IOCTL_EDU_RAISE_IRQ,
					 (uintptr_t)&raise), 0);
	ck_assert_int_eq(read(e->irq_fd, &count, sizeof(count)), sizeof(count));
	ck_assert_int_eq(gp_device_handle_irq(gp_registration_device(reg), 0), 0);
	ck_assert_uint_eq(e->irq_status, 0);
	ck_assert_int_eq(gp_file_read_events(other.file, &ev, sizeof(ev)), sizeof(ev));
	ck_assert_uint_eq(ev.status, UINT32_MAX);

	/* Raised again and left pending: the transfer's interrupt handles both. */
	ck_assert_int_eq(gp_inproc_ioctl(other.c, other.file, GPU_PROTO_IOCTL_EDU_RAISE_IRQ,
					 (uintptr_t)&raise), 0);
	a = client_bo_create(&cl, 4096);
	irq_thread_start(&irq, e, gp_registration_device(reg));
	ck_assert_int_eq(client_dma(&cl, a, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 64), 0);
	irq_thread_stop(&irq);
	ck_assert_uint_eq(e->live_maps, 0);
	client_close(&other);
	client_close(&cl);
	gp_registration_free(&reg);
	fake_edu_free(e);
}
END_TEST

static Suite *edu_suite(void)
{
	Suite *s = suite_create("qemu-edu");
	TCase *tc = tcase_create("driver");

	tcase_add_test(tc, probe_accepts_the_edu_device);
	tcase_add_test(tc, probe_refuses_a_wrong_id);
	tcase_add_test(tc, probe_refuses_a_dead_liveness_register);
	tcase_add_test(tc, probe_refuses_a_non_pci_device);
	tcase_add_test(tc, raised_interrupt_arrives_as_an_event);
	suite_add_tcase(s, tc);

	tc = tcase_create("dma");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, dma_round_trip_through_the_device_buffer);
	tcase_add_test(tc, dma_bad_input_is_refused_before_the_engine_starts);
	tcase_add_test(tc, dma_without_backend_dma_is_eopnotsupp);
	tcase_add_test(tc, revoke_with_dma_in_flight_quiesces_then_unmaps);
	tcase_add_test(tc, dma_waiting_does_not_block_the_irq_path);
	tcase_add_test(tc, dma_timeout_leaves_the_transfer_to_the_interrupt);
	tcase_add_test(tc, all_ones_status_raised_by_a_client_is_not_a_removal);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gp_check_run(edu_suite());
}
