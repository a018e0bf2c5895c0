// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The qemu-edu test personality against an in-test model of QEMU's edu
 * device: probe checks, the info ioctl, and a raised interrupt delivered
 * as an event.  (The same driver runs on the real emulated device, through
 * vfio-pci, in the VM tier.)
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "backend.h"
#include "drivers.h"
#include "file.h"
#include "inproc.h"
#include "qemu_edu_regs.h"
#include "registration.h"
#include "check_run.h"

/* A model of edu's BAR0: ID, inverting liveness, IRQ status/raise/ack. */
struct fake_edu {
	struct gp_backend be;
	struct gp_backend_region region;
	int irq_fd;
	uint32_t id, liveness, irq_status;
	bool broken_liveness;
	unsigned int unmasks;
};

static uint32_t fake_edu_read32(struct gp_backend *be, unsigned int region, uint64_t off)
{
	struct fake_edu *e = (struct fake_edu *)be;

	switch (off) {
	case EDU_ID:
		return e->id;
	case EDU_LIVENESS:
		return e->broken_liveness ? e->liveness : ~e->liveness;
	case EDU_IRQ_STATUS:
		return e->irq_status;
	}
	return 0;
}

static void fake_edu_write32(struct gp_backend *be, unsigned int region, uint64_t off, uint32_t v)
{
	struct fake_edu *e = (struct fake_edu *)be;
	uint64_t one = 1;

	switch (off) {
	case EDU_LIVENESS:
		e->liveness = v;
		break;
	case EDU_IRQ_RAISE:
		e->irq_status |= v;
		if (write(e->irq_fd, &one, sizeof(one)) != sizeof(one))
			abort();
		break;
	case EDU_IRQ_ACK:
		e->irq_status &= ~v;
		break;
	}
}

static uint64_t fake_edu_read64(struct gp_backend *be, unsigned int region, uint64_t off)
{
	return fake_edu_read32(be, region, off);
}

static void fake_edu_write64(struct gp_backend *be, unsigned int region, uint64_t off, uint64_t v)
{
	fake_edu_write32(be, region, off, (uint32_t)v);
}

static int fake_edu_unmask(struct gp_backend *be, unsigned int line)
{
	((struct fake_edu *)be)->unmasks++;
	return 0;
}

static void fake_edu_release(struct gp_backend *be)
{
	struct fake_edu *e = (struct fake_edu *)be;

	close(e->irq_fd);
	free(e);
}

static const struct gp_backend_ops fake_edu_ops = {
	.read32 = fake_edu_read32, .write32 = fake_edu_write32,
	.read64 = fake_edu_read64, .write64 = fake_edu_write64,
	.irq_unmask = fake_edu_unmask, .release = fake_edu_release,
};

static struct fake_edu *fake_edu_new(void)
{
	struct fake_edu *e = calloc(1, sizeof(*e));

	e->be.ops = &fake_edu_ops;
	e->be.bus = GP_BUS_PCI;
	strcpy(e->be.bus_id, "0000:00:01.0");
	e->region = (struct gp_backend_region){ .name = "BAR0", .size = EDU_BAR0_SIZE };
	e->be.regions = &e->region;
	e->be.num_regions = 1;
	e->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	e->be.irq_fds = &e->irq_fd;
	e->be.num_irqs = 1;
	e->be.removal_fd = -1;
	e->id = EDU_ID_VALUE;
	return e;
}

static int bind_edu(struct fake_edu *e, struct gp_registration **reg)
{
	struct gp_backend *be = &e->be;
	int r = gp_driver_bind(&gp_qemu_edu_driver, &be, "0000:00:01.0", reg);

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
	return s;
}

int main(void)
{
	return gp_check_run(edu_suite());
}
