/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake QEMU edu device behind struct gp_backend, for qemu-edu's unit
 * tests and for fuzz_dispatch.
 *
 * It models edu's BAR0 at the register level, as hw/misc/edu.c behaves:
 * ID, the inverting liveness register, IRQ status/raise/ack, and the DMA
 * engine (src/dst/count/cmd, the 4 KiB buffer at 0x40000, the 28-bit
 * address clamp).  The backend's DMA mappings are its IOMMU: a bus address
 * outside a live mapping, or against its direction, is a fault and copies
 * nothing.
 *
 * A transfer completes when CMD is written with RUN (the copy, RUN
 * cleared, the DMA interrupt: one write to the IRQ eventfd), unless
 * @hold_dma is set: then it runs until fake_edu_dma_complete() or, with
 * @complete_after_cmd_reads, until CMD has been read that many times (a
 * release polling for RUN to clear).  Whoever drains the eventfd and calls
 * gp_device_handle_irq() decides when the driver sees the completion, so a
 * single-threaded caller drives it deterministically.
 *
 * Not thread-safe by itself: the driver serialises register access under
 * its own lock, and a test touches the fake only while the driver is idle.
 * A broken invariant of the driver (a transfer outside the device buffer,
 * unmapping what is not mapped) aborts with a message.
 */
#ifndef GP_TEST_FAKE_EDU_H
#define GP_TEST_FAKE_EDU_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "iova.h"
#include "qemu_edu_regs.h"

#define FAKE_EDU_BUS_ID		"0000:00:01.0"
#define FAKE_EDU_MAX_MAPS	8u
#define FAKE_EDU_MAX_EVENTS	64u

/* What the fake saw, in order (fake_edu_event_index()). */
enum fake_edu_event {
	FAKE_EDU_EV_DMA_START = 1,
	FAKE_EDU_EV_DMA_COPY,
	FAKE_EDU_EV_DMA_UNMAP,
	FAKE_EDU_EV_RELEASE,
};

struct fake_edu_map {
	struct gp_dma_mapping map;
	struct gp_dma_segment seg;
	bool live;
};

struct fake_edu {
	struct gp_backend be;		/* first: the driver holds &be */
	struct gp_backend_region region;
	int irq_fd;			/* the line's eventfd; -1 after release */
	uint32_t id, liveness, irq_status;
	bool broken_liveness;		/* liveness reads back uninverted */
	bool free_on_release;		/* else the test frees it with fake_edu_free() */
	unsigned int unmasks;

	uint64_t dma_src, dma_dst, dma_cnt, dma_cmd;
	uint8_t dma_buf[EDU_DMA_BUF_SIZE];
	bool hold_dma;			/* a transfer stays running until completed by hand */
	unsigned int complete_after_cmd_reads;	/* 0: never by itself */
	atomic_uint dma_starts;
	unsigned int faults;		/* transfers the IOMMU refused */
	struct gp_iova_domain iova;
	struct fake_edu_map maps[FAKE_EDU_MAX_MAPS];
	unsigned int live_maps;
	int events[FAKE_EDU_MAX_EVENTS];
	unsigned int num_events;
};

/* Without DMA operations (no dma_map: the driver's DMA ioctl is off); freed at release. */
struct fake_edu *fake_edu_new(void);
/* With DMA operations; the test frees it after release (fake_edu_free()), unless it sets free_on_release. */
struct fake_edu *fake_edu_new_dma(void);
/* After the backend was released: the fake itself. */
void fake_edu_free(struct fake_edu *e);

/* edu_dma_timer(): the copy, RUN cleared, the DMA interrupt.  Nothing if no transfer runs. */
void fake_edu_dma_complete(struct fake_edu *e);
/* The first position of @ev in the fake's event log, -1 if absent. */
int fake_edu_event_index(const struct fake_edu *e, int ev);

#endif /* GP_TEST_FAKE_EDU_H */
