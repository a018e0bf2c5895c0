// SPDX-License-Identifier: GPL-2.0-or-later
/* A fake QEMU edu device behind struct gp_backend (fake_edu.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fake_edu.h"

#define fake_edu_bug(...)						\
	do {								\
		fprintf(stderr, "fake_edu: " __VA_ARGS__);		\
		fputc('\n', stderr);					\
		abort();						\
	} while (0)

static void fake_edu_event(struct fake_edu *e, int ev)
{
	if (e->num_events < FAKE_EDU_MAX_EVENTS)
		e->events[e->num_events++] = ev;
}

int fake_edu_event_index(const struct fake_edu *e, int ev)
{
	for (unsigned int i = 0; i < e->num_events; i++)
		if (e->events[i] == ev)
			return (int)i;
	return -1;
}

static void fake_edu_raise(struct fake_edu *e)
{
	uint64_t one = 1;

	if (write(e->irq_fd, &one, sizeof(one)) != sizeof(one))
		fake_edu_bug("signalling the IRQ eventfd failed");
}

/* The host address behind a bus address, if a live mapping allows the access there. */
static uint8_t *fake_edu_translate(struct fake_edu *e, uint64_t bus, uint64_t len, bool write)
{
	for (unsigned int i = 0; i < FAKE_EDU_MAX_MAPS; i++) {
		struct fake_edu_map *m = &e->maps[i];

		if (!m->live || bus < m->seg.addr || bus - m->seg.addr >= m->seg.len ||
		    len > m->seg.len - (bus - m->seg.addr))
			continue;
		if (write ? m->map.dir == GP_DMA_TO_DEVICE : m->map.dir == GP_DMA_FROM_DEVICE)
			return NULL;
		return (uint8_t *)m->map.vaddr + (bus - m->seg.addr);
	}
	return NULL;
}

void fake_edu_dma_complete(struct fake_edu *e)
{
	bool to_ram = e->dma_cmd & EDU_DMA_CMD_TO_RAM;
	uint64_t bus = (to_ram ? e->dma_dst : e->dma_src) & EDU_DMA_MASK;
	uint64_t local = (to_ram ? e->dma_src : e->dma_dst) - EDU_DMA_BUF;
	uint8_t *host;

	if (!(e->dma_cmd & EDU_DMA_CMD_RUN))
		return;
	/* QEMU 7.2 aborts the VM here: the driver must never ask for it. */
	if (local > EDU_DMA_BUF_SIZE || e->dma_cnt > EDU_DMA_BUF_SIZE - local)
		fake_edu_bug("a transfer of %llu bytes at buffer offset %llu",
			     (unsigned long long)e->dma_cnt, (unsigned long long)local);
	host = fake_edu_translate(e, bus, e->dma_cnt, to_ram);
	if (!host) {
		e->faults++;
	} else {
		if (to_ram)
			memcpy(host, e->dma_buf + local, e->dma_cnt);
		else
			memcpy(e->dma_buf + local, host, e->dma_cnt);
		fake_edu_event(e, FAKE_EDU_EV_DMA_COPY);
	}
	e->dma_cmd &= ~(uint64_t)EDU_DMA_CMD_RUN;
	if (e->dma_cmd & EDU_DMA_CMD_IRQ) {
		e->irq_status |= EDU_IRQ_DMA;
		fake_edu_raise(e);
	}
}

static uint64_t fake_edu_read64(struct gp_backend *be, unsigned int region, uint64_t off)
{
	struct fake_edu *e = (struct fake_edu *)be;

	switch (off) {
	case EDU_ID:
		return e->id;
	case EDU_LIVENESS:
		return e->broken_liveness ? e->liveness : ~e->liveness;
	case EDU_IRQ_STATUS:
		return e->irq_status;
	case EDU_DMA_CMD:
		/* The timer fires while someone polls: the quiesce path. */
		if (e->complete_after_cmd_reads && !--e->complete_after_cmd_reads)
			fake_edu_dma_complete(e);
		return e->dma_cmd;
	}
	return 0;
}

static uint32_t fake_edu_read32(struct gp_backend *be, unsigned int region, uint64_t off)
{
	return (uint32_t)fake_edu_read64(be, region, off);
}

static void fake_edu_write64(struct gp_backend *be, unsigned int region, uint64_t off, uint64_t v)
{
	struct fake_edu *e = (struct fake_edu *)be;

	/* dma_rw(): the registers are read-only while a transfer runs. */
	if (off >= EDU_DMA_SRC && (e->dma_cmd & EDU_DMA_CMD_RUN))
		return;
	switch (off) {
	case EDU_LIVENESS:
		e->liveness = (uint32_t)v;
		break;
	case EDU_IRQ_RAISE:
		e->irq_status |= (uint32_t)v;
		fake_edu_raise(e);
		break;
	case EDU_IRQ_ACK:
		e->irq_status &= ~(uint32_t)v;
		break;
	case EDU_DMA_SRC:
		e->dma_src = v;
		break;
	case EDU_DMA_DST:
		e->dma_dst = v;
		break;
	case EDU_DMA_COUNT:
		e->dma_cnt = v;
		break;
	case EDU_DMA_CMD:
		if (!(v & EDU_DMA_CMD_RUN))
			break;
		e->dma_cmd = v;
		atomic_fetch_add(&e->dma_starts, 1);
		fake_edu_event(e, FAKE_EDU_EV_DMA_START);
		if (!e->hold_dma)
			fake_edu_dma_complete(e);
		break;
	}
}

static void fake_edu_write32(struct gp_backend *be, unsigned int region, uint64_t off, uint32_t v)
{
	fake_edu_write64(be, region, off, v);
}

static int fake_edu_unmask(struct gp_backend *be, unsigned int line)
{
	((struct fake_edu *)be)->unmasks++;
	return 0;
}

/* The backend's DMA: IOVAs under the mask from the shared allocator. */
static int fake_edu_dma_map(struct gp_backend *be, void *vaddr, size_t size, unsigned int dir,
			    struct gp_dma_mapping **out)
{
	struct fake_edu *e = (struct fake_edu *)be;

	for (unsigned int i = 0; i < FAKE_EDU_MAX_MAPS; i++) {
		struct fake_edu_map *m = &e->maps[i];
		int r;

		if (m->live)
			continue;
		r = gp_iova_alloc(&e->iova, size, be->dma_mask, &m->seg.addr);
		if (r < 0)
			return r;
		m->seg.len = size;
		m->map = (struct gp_dma_mapping){ .vaddr = vaddr, .size = size, .dir = dir,
						  .num_segments = 1, .segments = &m->seg };
		m->live = true;
		e->live_maps++;
		*out = &m->map;
		return 0;
	}
	return -ENOMEM;
}

static void fake_edu_dma_unmap(struct gp_backend *be, struct gp_dma_mapping *map)
{
	struct fake_edu *e = (struct fake_edu *)be;
	struct fake_edu_map *m = (struct fake_edu_map *)map;

	if (!m->live)
		fake_edu_bug("unmapping a mapping that is not live");
	if (gp_iova_free(&e->iova, m->seg.addr) != 0)
		fake_edu_bug("freeing IOVA %#llx failed", (unsigned long long)m->seg.addr);
	m->live = false;
	e->live_maps--;
	fake_edu_event(e, FAKE_EDU_EV_DMA_UNMAP);
}

void fake_edu_free(struct fake_edu *e)
{
	if (!e)
		return;
	gp_iova_domain_fini(&e->iova);
	free(e);
}

static void fake_edu_release(struct gp_backend *be)
{
	struct fake_edu *e = (struct fake_edu *)be;

	close(e->irq_fd);
	e->irq_fd = -1;
	fake_edu_event(e, FAKE_EDU_EV_RELEASE);
	if (e->free_on_release)
		fake_edu_free(e);
}

static const struct gp_backend_ops fake_edu_ops = {
	.read32 = fake_edu_read32, .write32 = fake_edu_write32,
	.read64 = fake_edu_read64, .write64 = fake_edu_write64,
	.irq_unmask = fake_edu_unmask, .release = fake_edu_release,
};

static const struct gp_backend_ops fake_edu_dma_ops = {
	.read32 = fake_edu_read32, .write32 = fake_edu_write32,
	.read64 = fake_edu_read64, .write64 = fake_edu_write64,
	.irq_unmask = fake_edu_unmask, .dma_map = fake_edu_dma_map,
	.dma_unmap = fake_edu_dma_unmap, .release = fake_edu_release,
};

struct fake_edu *fake_edu_new(void)
{
	struct fake_edu *e = calloc(1, sizeof(*e));

	if (!e)
		fake_edu_bug("out of memory");
	e->be.ops = &fake_edu_ops;
	e->be.bus = GP_BUS_PCI;
	strcpy(e->be.bus_id, FAKE_EDU_BUS_ID);
	e->region = (struct gp_backend_region){ .name = "BAR0", .size = EDU_BAR0_SIZE };
	e->be.regions = &e->region;
	e->be.num_regions = 1;
	e->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->irq_fd < 0)
		fake_edu_bug("eventfd failed");
	e->be.irq_fds = &e->irq_fd;
	e->be.num_irqs = 1;
	e->be.removal_fd = -1;
	e->be.dma_mask = UINT64_MAX;
	e->id = EDU_ID_VALUE;
	e->free_on_release = true;
	atomic_init(&e->dma_starts, 0);
	gp_iova_domain_init(&e->iova, 0x10000, 4096);
	return e;
}

struct fake_edu *fake_edu_new_dma(void)
{
	struct fake_edu *e = fake_edu_new();

	e->be.ops = &fake_edu_dma_ops;
	e->free_on_release = false;
	return e;
}
