// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Mock backend: the CSF model.  The MCU's firmware, as far as panthor can
 * tell it apart from the real one at the firmware interface
 * (hw/mali_csf_fw.h), and the command-stream frontend that runs the
 * queues' ring buffers.
 *
 * One thread per binding plays both.  Register writes (MCU_CONTROL,
 * doorbells, a GPU reset, removal) are posted to it as events; it serves
 * them by reading the input pages and writing the output pages through the
 * MMU model in AS0, as the MCU reaches the shared section, and then runs
 * every started stream for a bounded slice (csf-step-budget instructions),
 * round-robin, reading ring buffers and memory through the MMU model in
 * the group's address space.  A stream parked on SYNC_WAIT is re-evaluated
 * every millisecond and after every event, never by spinning.  What the
 * firmware reports, the instruction subset and the faults: docs/mock.md.
 */
#define _GNU_SOURCE			/* pthread_setname_np */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpu-proto/gpu_proto_cs.h"
#include "mali_csf_fw.h"
#include "mali_csf_regs.h"
#include "mock_csf.h"

#define NSEC_PER_SEC		1000000000ull
#define NSEC_PER_MSEC		1000000ull
/* How often a stream parked on SYNC_WAIT looks at its sync object again. */
#define CSF_SYNC_POLL_NS	NSEC_PER_MSEC

/*
 * The firmware "image": where it puts the interfaces in the shared section
 * (offsets from MALI_CSF_SHARED_VA).  Each input and output block gets its
 * own 256 bytes; a group's blocks and its streams' share 8 KiB.
 */
#define SH_GLB_INPUT		0x2000u
#define SH_GLB_OUTPUT		0x3000u
#define SH_CSG_BASE		0x4000u
#define SH_CSG_SPAN		0x2000u
#define SH_CSG_INPUT(n)		(SH_CSG_BASE + (n) * SH_CSG_SPAN)
#define SH_CSG_OUTPUT(n)	(SH_CSG_INPUT(n) + 0x100u)
#define SH_CS_INPUT(n, m)	(SH_CSG_INPUT(n) + 0x800u + (m) * 0x100u)
#define SH_CS_OUTPUT(n, m)	(SH_CSG_INPUT(n) + 0x1000u + (m) * 0x100u)
#define SH_GROUP_STRIDE		0x100u
#define SH_STREAM_STRIDE	0x10u
#define SH_CSG_CONTROL(n)	(MALI_CSF_GROUP_CONTROL + (n) * SH_GROUP_STRIDE)
#define SH_CS_CONTROL(n, m)	(SH_CSG_CONTROL(n) + MALI_CSF_STREAM_CONTROL + (m) * SH_STREAM_STRIDE)
/* Suspend buffers the firmware asks for (it never writes them: SUSPEND saves nothing). */
#define CSF_SUSPEND_SIZE	0x1000u

_Static_assert(SH_CS_OUTPUT(GP_MOCK_CSF_GROUP_NUM - 1, GP_MOCK_CSF_STREAM_NUM - 1) + 0x100u <=
	       MALI_CSF_MOCK_SHARED_SIZE, "interfaces fit the shared section");
_Static_assert(SH_CS_CONTROL(GP_MOCK_CSF_GROUP_NUM - 1, GP_MOCK_CSF_STREAM_NUM) <= SH_GLB_INPUT,
	       "control blocks fit before the GLB input page");
_Static_assert(MALI_CS_OUTPUT_SIZE <= 0x100u && MALI_CS_INPUT_SIZE <= 0x100u,
	       "stream pages fit their 256 bytes");

/* Where a CALL came from and where the called buffer ends. */
struct csf_frame {
	uint64_t pc, start, end;
};

struct csf_stream {
	bool enabled;			/* CS_REQ state START acknowledged */
	bool faulted;			/* stopped by CS_FAULT/CS_FATAL until restarted */
	bool blocked;			/* parked on SYNC_WAIT */
	uint8_t doorbell;		/* CS_CONFIG_DOORBELL */
	uint64_t ring_base;
	uint32_t ring_size;
	uint64_t ring_input, ring_output;	/* MCU VAs */
	uint64_t insert, extract, extract_written;
	unsigned int depth;		/* CALL nesting; 0: running from the ring */
	struct csf_frame frames[GP_MOCK_CSF_CALL_DEPTH];
	uint64_t pc;			/* VA of the next instruction, for tests */
	uint32_t regs[GP_MOCK_CSF_REG_COUNT];
};

struct csf_group {
	bool running;			/* CSG state START/RESUME acknowledged */
	unsigned int as;		/* CSG_CONFIG: the group's address space */
	uint32_t ep_req;
	bool sync_update;		/* a SYNC_ADD/SET this round: raise CSG_SYNC_UPDATE */
	bool worked;			/* ran instructions since it was last idle */
	struct csf_stream cs[GP_MOCK_CSF_STREAM_NUM];
};

struct gp_mock_csf {
	struct gp_backend *be;
	struct gp_mock_config cfg;
	pthread_t thread;
	bool thread_started;

	pthread_mutex_t ev_lock;
	pthread_cond_t ev_cond;		/* events for the thread */
	pthread_cond_t idle_cond;	/* the thread went idle */
	/* Under @ev_lock. */
	bool stop;
	bool ev_mcu, ev_reset, ev_removed, ev_kick;
	uint32_t mcu_value;
	uint32_t doorbells;		/* bit n: doorbell n rang */
	uint32_t reset_seq;		/* GPU resets so far */
	bool idle;			/* the thread waits with nothing to run */
	bool mcu_on;			/* booted, as of the end of the last round */

	pthread_mutex_t state_lock;
	/* Under @state_lock (written by the thread only). */
	bool booted, halted, dead;
	bool fw_error;			/* an MCU access faulted this round */
	uint32_t irq;			/* JOB_INT bits to raise at the end of the round */
	uint64_t delay_ns;		/* csf-instr-delay-ns owed */
	uint32_t round_seq;		/* reset_seq when the round began */
	struct csf_group groups[GP_MOCK_CSF_GROUP_NUM];
	uint64_t instructions;
	uint32_t faults, boots;
};

static uint64_t csf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static struct timespec csf_timespec(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / NSEC_PER_SEC),
				  .tv_nsec = (long)(ns % NSEC_PER_SEC) };
}

/* --- MCU memory: AS0, little-endian words ----------------------------------- */

static uint32_t get_le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put_le32(unsigned char *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *b)
{
	return (uint64_t)get_le32(b) | (uint64_t)get_le32(b + 4) << 32;
}

static void put_le64(unsigned char *b, uint64_t v)
{
	put_le32(b, (uint32_t)v);
	put_le32(b + 4, (uint32_t)(v >> 32));
}

/*
 * The MCU's own accesses.  A fault is latched in AS0 by the MMU model and
 * makes the round's firmware fail (fw_error): the MCU stops as on a fatal
 * firmware error.  Reads that fail return 0.
 */
static uint32_t mcu_rd32(struct gp_mock_csf *c, uint64_t va)
{
	unsigned char b[4];

	if (c->fw_error || gp_mock_csf_mem(c->be, 0, va, b, 4, GP_MOCK_CSF_READ, NULL) < 0) {
		c->fw_error = true;
		return 0;
	}
	return get_le32(b);
}

static uint64_t mcu_rd64(struct gp_mock_csf *c, uint64_t va)
{
	unsigned char b[8];

	if (c->fw_error || gp_mock_csf_mem(c->be, 0, va, b, 8, GP_MOCK_CSF_READ, NULL) < 0) {
		c->fw_error = true;
		return 0;
	}
	return get_le64(b);
}

static void mcu_wr32(struct gp_mock_csf *c, uint64_t va, uint32_t v)
{
	unsigned char b[4];

	put_le32(b, v);
	if (c->fw_error || gp_mock_csf_mem(c->be, 0, va, b, 4, GP_MOCK_CSF_WRITE, NULL) < 0)
		c->fw_error = true;
}

static void mcu_wr64(struct gp_mock_csf *c, uint64_t va, uint64_t v)
{
	unsigned char b[8];

	put_le64(b, v);
	if (c->fw_error || gp_mock_csf_mem(c->be, 0, va, b, 8, GP_MOCK_CSF_WRITE, NULL) < 0)
		c->fw_error = true;
}

/* Shared-section offsets. */
static uint32_t sh_rd32(struct gp_mock_csf *c, uint32_t off)
{
	return mcu_rd32(c, MALI_CSF_SHARED_VA + off);
}

static uint64_t sh_rd64(struct gp_mock_csf *c, uint32_t off)
{
	return mcu_rd64(c, MALI_CSF_SHARED_VA + off);
}

static void sh_wr32(struct gp_mock_csf *c, uint32_t off, uint32_t v)
{
	mcu_wr32(c, MALI_CSF_SHARED_VA + off, v);
}

static void sh_wr64(struct gp_mock_csf *c, uint32_t off, uint64_t v)
{
	mcu_wr64(c, MALI_CSF_SHARED_VA + off, v);
}

/* --- streams and groups -------------------------------------------------- */

/* Tell the ring's output page where the stream is and whether it runs. */
static void cs_publish(struct gp_mock_csf *c, struct csf_stream *s, bool active)
{
	if (!s->ring_output)
		return;
	mcu_wr64(c, s->ring_output + MALI_RINGBUF_EXTRACT, s->extract);
	mcu_wr32(c, s->ring_output + MALI_RINGBUF_ACTIVE, active);
	s->extract_written = s->extract;
}

/* Stream @m of group @n has events: CSG_IRQ_REQ bit @m, JOB_INT bit @n. */
static void cs_irq(struct gp_mock_csf *c, unsigned int n, unsigned int m)
{
	uint32_t irq_req = sh_rd32(c, SH_CSG_OUTPUT(n) + MALI_CSG_IRQ_REQ);
	uint32_t irq_ack = sh_rd32(c, SH_CSG_INPUT(n) + MALI_CSG_IRQ_ACK);

	if (!((irq_req ^ irq_ack) & (1u << m)))
		sh_wr32(c, SH_CSG_OUTPUT(n) + MALI_CSG_IRQ_REQ, irq_req ^ (1u << m));
	c->irq |= MALI_JOB_INT_CSG_IF(n);
}

/* A firmware-initiated event on a CS: toggle @bit of CS_ACK unless one is pending. */
static void cs_event(struct gp_mock_csf *c, unsigned int n, unsigned int m, uint32_t bit)
{
	uint32_t ack = sh_rd32(c, SH_CS_OUTPUT(n, m) + MALI_CS_ACK);
	uint32_t req = sh_rd32(c, SH_CS_INPUT(n, m) + MALI_CS_REQ);

	if (!((req ^ ack) & bit))
		sh_wr32(c, SH_CS_OUTPUT(n, m) + MALI_CS_ACK, ack ^ bit);
	if (sh_rd32(c, SH_CS_INPUT(n, m) + MALI_CS_ACK_IRQ_MASK) & bit)
		cs_irq(c, n, m);
}

/* The same for a group's events (CSG_SYNC_UPDATE, CSG_IDLE). */
static void csg_event(struct gp_mock_csf *c, unsigned int n, uint32_t bit)
{
	uint32_t ack = sh_rd32(c, SH_CSG_OUTPUT(n) + MALI_CSG_ACK);
	uint32_t req = sh_rd32(c, SH_CSG_INPUT(n) + MALI_CSG_REQ);

	if (!((req ^ ack) & bit))
		sh_wr32(c, SH_CSG_OUTPUT(n) + MALI_CSG_ACK, ack ^ bit);
	if (sh_rd32(c, SH_CSG_INPUT(n) + MALI_CSG_ACK_IRQ_MASK) & bit)
		c->irq |= MALI_JOB_INT_CSG_IF(n);
}

/*
 * Stop stream @m of group @n with an exception: CS_FATAL (@fatal) or
 * CS_FAULT, the exception type and data, and the info word.
 */
static void cs_fail(struct gp_mock_csf *c, unsigned int n, unsigned int m, bool fatal,
		    uint32_t exception, uint64_t info)
{
	struct csf_stream *s = &c->groups[n].cs[m];
	uint32_t out = SH_CS_OUTPUT(n, m);

	s->faulted = true;
	s->blocked = false;
	c->faults++;
	sh_wr32(c, out + (fatal ? MALI_CS_FATAL : MALI_CS_FAULT), exception);
	sh_wr64(c, out + (fatal ? MALI_CS_FATAL_INFO : MALI_CS_FAULT_INFO), info);
	sh_wr64(c, out + MALI_CS_STATUS_CMD_PTR, s->pc);
	cs_publish(c, s, false);
	cs_event(c, n, m, fatal ? MALI_CS_FATAL_EVT : MALI_CS_FAULT_EVT);
}

static void cs_stop(struct gp_mock_csf *c, struct csf_stream *s)
{
	if (s->enabled && !s->faulted)
		cs_publish(c, s, false);
	s->enabled = false;
	s->blocked = false;
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* CS_REQ state START: load the stream's configuration, as the firmware does. */
static void cs_start(struct gp_mock_csf *c, unsigned int n, unsigned int m)
{
	struct csf_stream *s = &c->groups[n].cs[m];
	uint32_t in = SH_CS_INPUT(n, m);

	memset(s, 0, sizeof(*s));
	s->doorbell = (uint8_t)MALI_CS_CONFIG_DOORBELL_GET(sh_rd32(c, in + MALI_CS_CONFIG));
	s->ring_base = sh_rd64(c, in + MALI_CS_RINGBUF_BASE);
	s->ring_size = sh_rd32(c, in + MALI_CS_RINGBUF_SIZE);
	s->ring_input = sh_rd64(c, in + MALI_CS_RINGBUF_INPUT);
	s->ring_output = sh_rd64(c, in + MALI_CS_RINGBUF_OUTPUT);
	s->enabled = true;
	if (!is_pow2(s->ring_size) || s->ring_size < GPU_PROTO_CS_INSTR_SIZE ||
	    s->ring_base % GPU_PROTO_CS_INSTR_SIZE || !s->ring_input || !s->ring_output) {
		s->ring_output = 0;	/* nothing trustworthy to publish to */
		cs_fail(c, n, m, true, MALI_EXC_CS_CONFIG_FAULT, 0);
		return;
	}
	s->extract = mcu_rd64(c, s->ring_input + MALI_RINGBUF_EXTRACT_INIT);
	s->insert = mcu_rd64(c, s->ring_input + MALI_RINGBUF_INSERT);
	s->pc = s->ring_base + (s->extract & (s->ring_size - 1));
	cs_publish(c, s, true);
}

/* TERMINATE or SUSPEND: the group's streams stop and their ACK state reads STOP. */
static void csg_stop(struct gp_mock_csf *c, unsigned int n)
{
	struct csf_group *g = &c->groups[n];

	g->running = false;
	for (unsigned int m = 0; m < GP_MOCK_CSF_STREAM_NUM; m++) {
		struct csf_stream *s = &g->cs[m];
		uint32_t ack;

		if (!s->enabled)
			continue;
		cs_stop(c, s);
		ack = sh_rd32(c, SH_CS_OUTPUT(n, m) + MALI_CS_ACK);
		sh_wr32(c, SH_CS_OUTPUT(n, m) + MALI_CS_ACK,
			(ack & ~MALI_CS_STATE_MASK) | MALI_CS_STATE_STOP);
	}
}

/* Everything stops (halt, disable, reset, removal); @touch_memory: say so in the rings. */
static void csf_stop_all(struct gp_mock_csf *c, bool touch_memory)
{
	for (unsigned int n = 0; n < GP_MOCK_CSF_GROUP_NUM; n++) {
		struct csf_group *g = &c->groups[n];

		for (unsigned int m = 0; m < GP_MOCK_CSF_STREAM_NUM; m++) {
			if (touch_memory)
				cs_stop(c, &g->cs[m]);
			g->cs[m].enabled = false;
			g->cs[m].blocked = false;
		}
		g->running = false;
		g->sync_update = false;
	}
}

/* --- the firmware's request handling ----------------------------------- */

static void cs_process(struct gp_mock_csf *c, unsigned int n, unsigned int m)
{
	uint32_t req = sh_rd32(c, SH_CS_INPUT(n, m) + MALI_CS_REQ);
	uint32_t ack = sh_rd32(c, SH_CS_OUTPUT(n, m) + MALI_CS_ACK);
	uint32_t changed = (req ^ ack) & MALI_CS_REQ_MASK;

	if (!changed || c->fw_error)
		return;
	if (changed & MALI_CS_STATE_MASK) {
		if ((req & MALI_CS_STATE_MASK) == MALI_CS_STATE_START)
			cs_start(c, n, m);
		else
			cs_stop(c, &c->groups[n].cs[m]);
		/* cs_start() may have raised an event in ACK: read it again. */
		ack = sh_rd32(c, SH_CS_OUTPUT(n, m) + MALI_CS_ACK);
	}
	sh_wr32(c, SH_CS_OUTPUT(n, m) + MALI_CS_ACK,
		(ack & ~MALI_CS_REQ_MASK) | (req & MALI_CS_REQ_MASK));
	if (sh_rd32(c, SH_CS_INPUT(n, m) + MALI_CS_ACK_IRQ_MASK) & changed)
		cs_irq(c, n, m);
}

/* Idle: no stream of the group has an instruction it could run now. */
static bool csg_is_idle(const struct csf_group *g)
{
	for (unsigned int m = 0; m < GP_MOCK_CSF_STREAM_NUM; m++) {
		const struct csf_stream *s = &g->cs[m];

		if (g->running && s->enabled && !s->faulted && !s->blocked &&
		    (s->depth || s->extract < s->insert))
			return false;
	}
	return true;
}

static void csg_process(struct gp_mock_csf *c, unsigned int n)
{
	struct csf_group *g = &c->groups[n];
	uint32_t in = SH_CSG_INPUT(n), out = SH_CSG_OUTPUT(n);
	uint32_t req, ack, changed;

	sh_wr32(c, out + MALI_CSG_DB_ACK, sh_rd32(c, in + MALI_CSG_DB_REQ));
	if (c->cfg.csf_ignore_csg_req)
		return;		/* fault injection: the driver's ack wait must time out */

	req = sh_rd32(c, in + MALI_CSG_REQ);
	ack = sh_rd32(c, out + MALI_CSG_ACK);
	changed = (req ^ ack) & MALI_CSG_REQ_MASK;
	if (changed & MALI_CSG_STATE_MASK) {
		switch (req & MALI_CSG_STATE_MASK) {
		case MALI_CSG_STATE_START:
		case MALI_CSG_STATE_RESUME:
			g->running = true;
			g->as = sh_rd32(c, in + MALI_CSG_CONFIG) & 0xfu;
			g->ep_req = sh_rd32(c, in + MALI_CSG_EP_REQ);
			break;
		default:	/* TERMINATE, SUSPEND (nothing to save) */
			csg_stop(c, n);
			break;
		}
	}
	if (changed & MALI_CSG_ENDPOINT_CONFIG)
		g->ep_req = sh_rd32(c, in + MALI_CSG_EP_REQ);
	if (changed & (MALI_CSG_ENDPOINT_CONFIG | MALI_CSG_STATUS_UPDATE | MALI_CSG_STATE_MASK)) {
		sh_wr32(c, out + MALI_CSG_STATUS_EP_REQ, g->ep_req);
		sh_wr32(c, out + MALI_CSG_STATUS_EP_CURRENT, g->running ? g->ep_req : 0);
		sh_wr32(c, out + MALI_CSG_STATUS_STATE,
			csg_is_idle(g) ? MALI_CSG_STATUS_STATE_IS_IDLE : 0);
	}
	if (changed) {
		sh_wr32(c, out + MALI_CSG_ACK,
			(ack & ~MALI_CSG_REQ_MASK) | (req & MALI_CSG_REQ_MASK));
		if (sh_rd32(c, in + MALI_CSG_ACK_IRQ_MASK) & changed)
			c->irq |= MALI_JOB_INT_CSG_IF(n);
	}
	/*
	 * Stream requests are served while the group runs: a terminated
	 * group's streams read STOP and start again when the group does.
	 */
	for (unsigned int m = 0; m < GP_MOCK_CSF_STREAM_NUM && g->running; m++)
		cs_process(c, n, m);
}

static void glb_process(struct gp_mock_csf *c)
{
	uint32_t req = sh_rd32(c, SH_GLB_INPUT + MALI_GLB_REQ);
	uint32_t ack = sh_rd32(c, SH_GLB_OUTPUT + MALI_GLB_ACK);
	uint32_t changed = (req ^ ack) & MALI_GLB_REQ_MASK;

	sh_wr32(c, SH_GLB_OUTPUT + MALI_GLB_DB_ACK, sh_rd32(c, SH_GLB_INPUT + MALI_GLB_DB_REQ));
	if (changed) {
		/*
		 * Every request the model knows is accepted as is: timers,
		 * idle enable, allocation, counters and ping change nothing
		 * it models.  HALT stops the MCU.
		 */
		if (changed & MALI_GLB_HALT) {
			csf_stop_all(c, true);
			sh_wr32(c, SH_GLB_OUTPUT + MALI_GLB_HALT_STATUS, MALI_GLB_HALT_OK);
			c->halted = true;
		}
		sh_wr32(c, SH_GLB_OUTPUT + MALI_GLB_ACK,
			(ack & ~MALI_GLB_REQ_MASK) | (req & MALI_GLB_REQ_MASK));
		if (sh_rd32(c, SH_GLB_INPUT + MALI_GLB_ACK_IRQ_MASK) & changed)
			c->irq |= MALI_JOB_INT_GLOBAL_IF;
		if (c->halted) {
			gp_mock_csf_set_mcu_status(c->be, c->round_seq, MALI_MCU_STATUS_HALT);
			return;
		}
	}
	for (unsigned int n = 0; n < GP_MOCK_CSF_GROUP_NUM && !c->fw_error; n++)
		csg_process(c, n);
}

/*
 * Boot: write the interface into the shared section.  Output pages start
 * with every request acknowledged (ACK = REQ), groups terminated and
 * streams stopped, so stale input from a previous boot asks for nothing.
 */
static void csf_boot(struct gp_mock_csf *c)
{
	uint32_t cs_features = (GP_MOCK_CSF_REG_COUNT - 1) | GP_MOCK_CSF_SCOREBOARDS << 8 |
			       MALI_CS_FEATURES_COMPUTE | MALI_CS_FEATURES_FRAGMENT |
			       MALI_CS_FEATURES_TILER;

	csf_stop_all(c, false);
	c->halted = false;
	sh_wr32(c, MALI_GLB_CONTROL_VERSION, GP_MOCK_CSF_GLB_VERSION);
	sh_wr32(c, MALI_GLB_CONTROL_FEATURES, 0);
	sh_wr32(c, MALI_GLB_CONTROL_INPUT_VA, (uint32_t)(MALI_CSF_SHARED_VA + SH_GLB_INPUT));
	sh_wr32(c, MALI_GLB_CONTROL_OUTPUT_VA, (uint32_t)(MALI_CSF_SHARED_VA + SH_GLB_OUTPUT));
	sh_wr32(c, MALI_GLB_CONTROL_GROUP_NUM, GP_MOCK_CSF_GROUP_NUM);
	sh_wr32(c, MALI_GLB_CONTROL_GROUP_STRIDE, SH_GROUP_STRIDE);
	sh_wr32(c, MALI_GLB_CONTROL_PERFCNT_SIZE, 0);
	sh_wr32(c, MALI_GLB_CONTROL_INSTR_FEATURES, 0);
	sh_wr32(c, SH_GLB_OUTPUT + MALI_GLB_ACK, sh_rd32(c, SH_GLB_INPUT + MALI_GLB_REQ));
	sh_wr32(c, SH_GLB_OUTPUT + MALI_GLB_DB_ACK, sh_rd32(c, SH_GLB_INPUT + MALI_GLB_DB_REQ));
	sh_wr32(c, SH_GLB_OUTPUT + MALI_GLB_HALT_STATUS, 0);

	for (unsigned int n = 0; n < GP_MOCK_CSF_GROUP_NUM; n++) {
		uint32_t ctl = SH_CSG_CONTROL(n);

		sh_wr32(c, ctl + MALI_CSG_CONTROL_FEATURES, 0);
		sh_wr32(c, ctl + MALI_CSG_CONTROL_INPUT_VA,
			(uint32_t)(MALI_CSF_SHARED_VA + SH_CSG_INPUT(n)));
		sh_wr32(c, ctl + MALI_CSG_CONTROL_OUTPUT_VA,
			(uint32_t)(MALI_CSF_SHARED_VA + SH_CSG_OUTPUT(n)));
		sh_wr32(c, ctl + MALI_CSG_CONTROL_SUSPEND_SIZE, CSF_SUSPEND_SIZE);
		sh_wr32(c, ctl + MALI_CSG_CONTROL_PROTM_SUSPEND_SIZE, CSF_SUSPEND_SIZE);
		sh_wr32(c, ctl + MALI_CSG_CONTROL_STREAM_NUM, GP_MOCK_CSF_STREAM_NUM);
		sh_wr32(c, ctl + MALI_CSG_CONTROL_STREAM_STRIDE, SH_STREAM_STRIDE);
		sh_wr32(c, SH_CSG_OUTPUT(n) + MALI_CSG_ACK,
			sh_rd32(c, SH_CSG_INPUT(n) + MALI_CSG_REQ) & ~MALI_CSG_STATE_MASK);
		sh_wr32(c, SH_CSG_OUTPUT(n) + MALI_CSG_DB_ACK,
			sh_rd32(c, SH_CSG_INPUT(n) + MALI_CSG_DB_REQ));
		sh_wr32(c, SH_CSG_OUTPUT(n) + MALI_CSG_IRQ_REQ,
			sh_rd32(c, SH_CSG_INPUT(n) + MALI_CSG_IRQ_ACK));
		sh_wr32(c, SH_CSG_OUTPUT(n) + MALI_CSG_STATUS_STATE, 0);
		for (unsigned int m = 0; m < GP_MOCK_CSF_STREAM_NUM; m++) {
			uint32_t cs_ctl = SH_CS_CONTROL(n, m);

			sh_wr32(c, cs_ctl + MALI_CS_CONTROL_FEATURES, cs_features);
			sh_wr32(c, cs_ctl + MALI_CS_CONTROL_INPUT_VA,
				(uint32_t)(MALI_CSF_SHARED_VA + SH_CS_INPUT(n, m)));
			sh_wr32(c, cs_ctl + MALI_CS_CONTROL_OUTPUT_VA,
				(uint32_t)(MALI_CSF_SHARED_VA + SH_CS_OUTPUT(n, m)));
			sh_wr32(c, SH_CS_OUTPUT(n, m) + MALI_CS_ACK,
				sh_rd32(c, SH_CS_INPUT(n, m) + MALI_CS_REQ) & ~MALI_CS_STATE_MASK);
			sh_wr32(c, SH_CS_OUTPUT(n, m) + MALI_CS_FAULT, 0);
			sh_wr32(c, SH_CS_OUTPUT(n, m) + MALI_CS_FATAL, 0);
		}
	}
	if (c->fw_error)
		return;
	c->booted = true;
	c->boots++;
	gp_mock_csf_set_mcu_status(c->be, c->round_seq, MALI_MCU_STATUS_ENABLED);
	c->irq |= MALI_JOB_INT_GLOBAL_IF;
}

/* --- the command-stream frontend --------------------------------------- */

enum csf_step {
	STEP_NEXT,		/* executed; go on */
	STEP_EMPTY,		/* nothing left to run */
	STEP_BLOCKED,		/* SYNC_WAIT condition false */
	STEP_STOPPED,		/* faulted, or the device is gone */
};

struct csf_exec {
	struct gp_mock_csf *c;
	unsigned int n, m;
	struct csf_group *g;
	struct csf_stream *s;
	uint64_t va;		/* of the instruction */
	uint64_t instr;
};

static enum csf_step exec_fatal(struct csf_exec *x, uint32_t exception)
{
	cs_fail(x->c, x->n, x->m, true, exception, x->va);
	return STEP_STOPPED;
}

/* A GPU access by the stream, in its group's AS: faults stop it with CS_FAULT. */
static enum csf_step exec_mem(struct csf_exec *x, uint64_t va, void *buf, size_t len,
			      enum gp_mock_csf_access access)
{
	uint32_t status = 0;
	int r = gp_mock_csf_mem(x->c->be, x->g->as, va, buf, len, access, &status);

	if (r == 0)
		return STEP_NEXT;
	if (r == -EFAULT) {
		/* The MMU's exception type, and the access type as the data. */
		cs_fail(x->c, x->n, x->m, false,
			MALI_CS_EXCEPTION_TYPE(status) | ((status >> 8) & 0x3u) << 8, va);
	} else {
		x->s->enabled = false;	/* removed: nobody to tell */
	}
	return STEP_STOPPED;
}

static bool reg_ok(unsigned int reg, unsigned int count)
{
	return reg + count <= GP_MOCK_CSF_REG_COUNT;
}

static uint64_t reg64(const struct csf_stream *s, unsigned int reg)
{
	return (uint64_t)s->regs[reg] | (uint64_t)s->regs[reg + 1] << 32;
}

static void set_reg64(struct csf_stream *s, unsigned int reg, uint64_t v)
{
	s->regs[reg] = (uint32_t)v;
	s->regs[reg + 1] = (uint32_t)(v >> 32);
}

/* The position after this instruction, in the ring or the called buffer. */
static void exec_advance(struct csf_stream *s)
{
	if (s->depth)
		s->frames[s->depth - 1].pc += GPU_PROTO_CS_INSTR_SIZE;
	else
		s->extract += GPU_PROTO_CS_INSTR_SIZE;
}

static enum csf_step exec_multiple(struct csf_exec *x, bool store)
{
	struct csf_stream *s = x->s;
	unsigned int base = GPU_PROTO_CS_DST(x->instr), addr = GPU_PROTO_CS_SRC(x->instr);
	uint16_t mask = GPU_PROTO_CS_MASK16(x->instr);
	uint64_t va;

	if (!reg_ok(addr, 2))
		return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
	for (unsigned int i = 0; i < 16; i++)
		if ((mask & (1u << i)) && !reg_ok(base + i, 1))
			return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
	va = reg64(s, addr) + (uint64_t)(int64_t)GPU_PROTO_CS_OFFSET16(x->instr);
	for (unsigned int i = 0; i < 16; i++) {
		unsigned char b[4];
		enum csf_step r;

		if (!(mask & (1u << i)))
			continue;
		if (store) {
			put_le32(b, s->regs[base + i]);
			r = exec_mem(x, va + 4 * i, b, 4, GP_MOCK_CSF_WRITE);
		} else {
			r = exec_mem(x, va + 4 * i, b, 4, GP_MOCK_CSF_READ);
			if (r == STEP_NEXT)
				s->regs[base + i] = get_le32(b);
		}
		if (r != STEP_NEXT)
			return r;
	}
	exec_advance(s);
	return STEP_NEXT;
}

/* BRANCH's comparison of a register with 0 (signed, as a loop counter). */
static bool branch_taken(unsigned int cond, int32_t v, bool *valid)
{
	*valid = true;
	switch (cond) {
	case GPU_PROTO_CS_COND_LEQUAL:	return v <= 0;
	case GPU_PROTO_CS_COND_GREATER:	return v > 0;
	case GPU_PROTO_CS_COND_EQUAL:	return v == 0;
	case GPU_PROTO_CS_COND_NEQUAL:	return v != 0;
	case GPU_PROTO_CS_COND_LESS:	return v < 0;
	case GPU_PROTO_CS_COND_GEQUAL:	return v >= 0;
	case GPU_PROTO_CS_COND_ALWAYS:	return true;
	default:			*valid = false; return false;
	}
}

static enum csf_step exec_branch(struct csf_exec *x)
{
	struct csf_stream *s = x->s;
	unsigned int reg = GPU_PROTO_CS_SRC(x->instr);
	int64_t skip = (int64_t)GPU_PROTO_CS_OFFSET16(x->instr) * GPU_PROTO_CS_INSTR_SIZE;
	bool valid, taken;

	if (!reg_ok(reg, 1))
		return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
	taken = branch_taken((unsigned int)GPU_PROTO_CS_BITS(x->instr, 28, 3),
			     (int32_t)s->regs[reg], &valid);
	if (!valid)
		return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
	exec_advance(s);
	if (!taken)
		return STEP_NEXT;
	if (s->depth) {
		struct csf_frame *f = &s->frames[s->depth - 1];
		uint64_t to = f->pc + (uint64_t)skip;

		/* Inside the buffer, or its end (a return). */
		if (to < f->start || to > f->end)
			return exec_fatal(x, MALI_EXC_INSTR_INVALID_PC);
		f->pc = to;
	} else {
		uint64_t to = s->extract + (uint64_t)skip;

		/* Not past what the host inserted, not before the ring's start. */
		if ((skip < 0 && (uint64_t)-skip > s->extract) || to > s->insert)
			return exec_fatal(x, MALI_EXC_INSTR_INVALID_PC);
		s->extract = to;
	}
	return STEP_NEXT;
}

static enum csf_step exec_call(struct csf_exec *x, bool jump)
{
	struct csf_stream *s = x->s;
	unsigned int addr = GPU_PROTO_CS_SRC(x->instr), len_reg = GPU_PROTO_CS_SRC1(x->instr);
	uint64_t target;
	uint32_t len;

	if (!reg_ok(addr, 2) || !reg_ok(len_reg, 1))
		return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
	target = reg64(s, addr);
	len = s->regs[len_reg];
	if (target % GPU_PROTO_CS_INSTR_SIZE || len % GPU_PROTO_CS_INSTR_SIZE ||
	    target + len < target)
		return exec_fatal(x, MALI_EXC_INSTR_INVALID_PC);
	exec_advance(s);
	if (!len)
		return STEP_NEXT;
	/* A JUMP from a called buffer replaces it; from the ring it is a CALL. */
	if (!jump || !s->depth) {
		if (s->depth == GP_MOCK_CSF_CALL_DEPTH)
			return exec_fatal(x, MALI_EXC_CS_CALL_STACK_OVERFLOW);
		s->depth++;
	}
	s->frames[s->depth - 1] = (struct csf_frame){ .pc = target, .start = target,
						      .end = target + len };
	return STEP_NEXT;
}

static enum csf_step exec_sync(struct csf_exec *x, unsigned int op)
{
	struct csf_stream *s = x->s;
	bool wide = op == GPU_PROTO_CS_OP_SYNC_ADD64 || op == GPU_PROTO_CS_OP_SYNC_SET64;
	bool add = op == GPU_PROTO_CS_OP_SYNC_ADD32 || op == GPU_PROTO_CS_OP_SYNC_ADD64;
	unsigned int addr = GPU_PROTO_CS_SRC(x->instr), data = GPU_PROTO_CS_SRC1(x->instr);
	size_t size = wide ? 8 : 4;
	unsigned char b[8];
	uint64_t va, v;
	enum csf_step r;

	if (!reg_ok(addr, 2) || !reg_ok(data, wide ? 2 : 1))
		return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
	va = reg64(s, addr);
	if (va % size)
		return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
	v = wide ? reg64(s, data) : s->regs[data];
	if (add) {
		r = exec_mem(x, va, b, size, GP_MOCK_CSF_READ);
		if (r != STEP_NEXT)
			return r;
		v += wide ? get_le64(b) : get_le32(b);
	}
	if (wide)
		put_le64(b, v);
	else
		put_le32(b, (uint32_t)v);
	r = exec_mem(x, va, b, size, GP_MOCK_CSF_WRITE);
	if (r != STEP_NEXT)
		return r;
	/* System scope tells the host (CSG_SYNC_UPDATE); group scope only the group. */
	if (GPU_PROTO_CS_SCOPE(x->instr) == GPU_PROTO_CS_SCOPE_SYSTEM)
		x->g->sync_update = true;
	exec_advance(s);
	return STEP_NEXT;
}

static enum csf_step exec_sync_wait(struct csf_exec *x, bool wide)
{
	struct gp_mock_csf *c = x->c;
	struct csf_stream *s = x->s;
	unsigned int addr = GPU_PROTO_CS_SRC(x->instr), data = GPU_PROTO_CS_SRC1(x->instr);
	unsigned int cond = GPU_PROTO_CS_COND(x->instr);
	uint32_t out = SH_CS_OUTPUT(x->n, x->m);
	unsigned char b[8];
	uint64_t va, ref, v;
	bool holds;
	enum csf_step r;

	if (!reg_ok(addr, 2) || !reg_ok(data, wide ? 2 : 1) ||
	    (cond != GPU_PROTO_CS_COND_LEQUAL && cond != GPU_PROTO_CS_COND_GREATER))
		return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
	va = reg64(s, addr);
	if (va % (wide ? 8 : 4))
		return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
	ref = wide ? reg64(s, data) : s->regs[data];
	r = exec_mem(x, va, b, wide ? 8 : 4, GP_MOCK_CSF_READ);
	if (r != STEP_NEXT)
		return r;
	v = wide ? get_le64(b) : get_le32(b);
	holds = cond == GPU_PROTO_CS_COND_GREATER ? v > ref : v <= ref;
	if (!holds) {
		if (!s->blocked) {
			/* What panthor reads to decide whom to wake (CS_STATUS_WAIT*). */
			sh_wr32(c, out + MALI_CS_STATUS_WAIT, MALI_CS_STATUS_WAIT_SYNC |
				(wide ? MALI_CS_STATUS_WAIT_SYNC_64B : 0) |
				(cond == GPU_PROTO_CS_COND_GREATER ? MALI_CS_STATUS_WAIT_SYNC_COND_GT :
				 MALI_CS_STATUS_WAIT_SYNC_COND_LE));
			sh_wr64(c, out + MALI_CS_STATUS_WAIT_SYNC_PTR, va);
			sh_wr32(c, out + MALI_CS_STATUS_WAIT_SYNC_VALUE, (uint32_t)ref);
			sh_wr32(c, out + MALI_CS_STATUS_WAIT_SYNC_VALUE_HI, (uint32_t)(ref >> 32));
			sh_wr32(c, out + MALI_CS_STATUS_BLOCKED_REASON, MALI_CS_BLOCKED_SYNC_WAIT);
			sh_wr64(c, out + MALI_CS_STATUS_CMD_PTR, x->va);
			s->blocked = true;
		}
		return STEP_BLOCKED;
	}
	if (s->blocked) {
		sh_wr32(c, out + MALI_CS_STATUS_WAIT, 0);
		sh_wr32(c, out + MALI_CS_STATUS_BLOCKED_REASON, MALI_CS_BLOCKED_UNBLOCKED);
		s->blocked = false;
	}
	exec_advance(s);
	return STEP_NEXT;
}

static enum csf_step exec_store_state(struct csf_exec *x)
{
	struct csf_stream *s = x->s;
	unsigned int addr = GPU_PROTO_CS_SRC(x->instr);
	unsigned int state = (unsigned int)GPU_PROTO_CS_BITS(x->instr, 32, 2);
	unsigned char b[8];
	uint64_t va;
	enum csf_step r;

	if (!reg_ok(addr, 2) || state > GPU_PROTO_CS_STATE_CYCLE_COUNT)
		return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
	va = reg64(s, addr) + (uint64_t)(int64_t)GPU_PROTO_CS_OFFSET16(x->instr);
	put_le64(b, gp_mock_csf_timestamp(x->c->be, state == GPU_PROTO_CS_STATE_CYCLE_COUNT));
	r = exec_mem(x, va, b, 8, GP_MOCK_CSF_WRITE);
	if (r == STEP_NEXT)
		exec_advance(s);
	return r;
}

static enum csf_step exec_one(struct csf_exec *x)
{
	struct csf_stream *s = x->s;
	unsigned int op = GPU_PROTO_CS_OPCODE(x->instr);
	unsigned int dst = GPU_PROTO_CS_DST(x->instr), src = GPU_PROTO_CS_SRC(x->instr);

	switch (op) {
	case GPU_PROTO_CS_OP_NOP:
	case GPU_PROTO_CS_OP_WAIT:		/* nothing asynchronous runs: every scoreboard is done */
	case GPU_PROTO_CS_OP_FLUSH_CACHE2:	/* the model's memory is coherent */
	case GPU_PROTO_CS_OP_ERROR_BARRIER:	/* every error is reported where it happens */
		exec_advance(s);
		return STEP_NEXT;
	case GPU_PROTO_CS_OP_MOVE48:
		if (!reg_ok(dst, 2))
			return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
		set_reg64(s, dst, GPU_PROTO_CS_IMM48(x->instr));
		exec_advance(s);
		return STEP_NEXT;
	case GPU_PROTO_CS_OP_MOVE32:
		if (!reg_ok(dst, 1))
			return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
		s->regs[dst] = GPU_PROTO_CS_IMM32(x->instr);
		exec_advance(s);
		return STEP_NEXT;
	case GPU_PROTO_CS_OP_ADD_IMMEDIATE32:
		if (!reg_ok(dst, 1) || !reg_ok(src, 1))
			return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
		s->regs[dst] = s->regs[src] + GPU_PROTO_CS_IMM32(x->instr);
		exec_advance(s);
		return STEP_NEXT;
	case GPU_PROTO_CS_OP_ADD_IMMEDIATE64:
		if (!reg_ok(dst, 2) || !reg_ok(src, 2))
			return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
		set_reg64(s, dst, reg64(s, src) +
			  (uint64_t)(int64_t)(int32_t)GPU_PROTO_CS_IMM32(x->instr));
		exec_advance(s);
		return STEP_NEXT;
	case GPU_PROTO_CS_OP_LOAD_MULTIPLE:
		return exec_multiple(x, false);
	case GPU_PROTO_CS_OP_STORE_MULTIPLE:
		return exec_multiple(x, true);
	case GPU_PROTO_CS_OP_BRANCH:
		return exec_branch(x);
	case GPU_PROTO_CS_OP_CALL:
		return exec_call(x, false);
	case GPU_PROTO_CS_OP_JUMP:
		return exec_call(x, true);
	case GPU_PROTO_CS_OP_SYNC_ADD32:
	case GPU_PROTO_CS_OP_SYNC_SET32:
	case GPU_PROTO_CS_OP_SYNC_ADD64:
	case GPU_PROTO_CS_OP_SYNC_SET64:
		return exec_sync(x, op);
	case GPU_PROTO_CS_OP_SYNC_WAIT32:
		return exec_sync_wait(x, false);
	case GPU_PROTO_CS_OP_SYNC_WAIT64:
		return exec_sync_wait(x, true);
	case GPU_PROTO_CS_OP_STORE_STATE:
		return exec_store_state(x);
	default:
		/* Outside the subset (docs/mock.md): the stream cannot go on. */
		return exec_fatal(x, MALI_EXC_CS_INSTR_INVALID);
	}
}

/* Where the next instruction is; false when the stream has nothing to run. */
static bool stream_next_va(struct csf_stream *s, uint64_t *va)
{
	/* Returns from called buffers that have run to their end. */
	while (s->depth && s->frames[s->depth - 1].pc >= s->frames[s->depth - 1].end)
		s->depth--;
	if (s->depth) {
		*va = s->frames[s->depth - 1].pc;
		return true;
	}
	if (s->extract >= s->insert)
		return false;
	*va = s->ring_base + (s->extract & (s->ring_size - 1));
	return true;
}

/* One slice of stream @m of group @n; true when it may have more to run now. */
static bool stream_run(struct gp_mock_csf *c, unsigned int n, unsigned int m)
{
	struct csf_group *g = &c->groups[n];
	struct csf_exec x = { .c = c, .n = n, .m = m, .g = g, .s = &g->cs[m] };
	struct csf_stream *s = x.s;
	uint32_t budget = c->cfg.csf_step_budget ? c->cfg.csf_step_budget : 1;
	enum csf_step r = STEP_NEXT;
	uint32_t done = 0;

	while (done < budget && !c->fw_error) {
		unsigned char b[8];

		if (!stream_next_va(s, &x.va)) {
			r = STEP_EMPTY;
			break;
		}
		s->pc = x.va;
		r = exec_mem(&x, x.va, b, sizeof(b), GP_MOCK_CSF_FETCH);
		if (r != STEP_NEXT)
			break;
		x.instr = get_le64(b);
		r = exec_one(&x);
		if (r != STEP_NEXT)
			break;
		done++;
	}
	if (stream_next_va(s, &s->pc) == false && s->depth == 0)
		s->pc = s->ring_base + (s->extract & (s->ring_size - 1));
	c->instructions += done;
	c->delay_ns += (uint64_t)done * c->cfg.csf_instr_delay_ns;
	if (s->enabled && !s->faulted && s->extract != s->extract_written)
		cs_publish(c, s, true);
	return r == STEP_NEXT;
}

/* A user doorbell: the streams it belongs to look at INSERT again. */
static void csf_doorbell(struct gp_mock_csf *c, unsigned int doorbell)
{
	for (unsigned int n = 0; n < GP_MOCK_CSF_GROUP_NUM; n++)
		for (unsigned int m = 0; m < GP_MOCK_CSF_STREAM_NUM; m++) {
			struct csf_stream *s = &c->groups[n].cs[m];

			if (s->enabled && !s->faulted && s->doorbell == doorbell)
				s->insert = mcu_rd64(c, s->ring_input + MALI_RINGBUF_INSERT);
		}
}

/*
 * One round: the events, then a slice of every runnable stream.  Sets
 * *@busy when some stream has more to run, *@parked when one waits on a
 * sync object.
 */
static void csf_round(struct gp_mock_csf *c, bool ev_mcu, uint32_t mcu_value, bool ev_reset,
		      bool ev_removed, uint32_t doorbells, bool *busy, bool *parked)
{
	*busy = false;
	*parked = false;
	c->fw_error = false;
	c->irq = 0;

	if (ev_removed && !c->dead) {
		c->dead = true;
		csf_stop_all(c, false);
	}
	if (c->dead)
		return;
	if (ev_reset) {
		csf_stop_all(c, false);
		c->booted = false;
		c->halted = false;
	}
	if (ev_mcu) {
		if (mcu_value == MALI_MCU_CONTROL_DISABLE) {
			/* Power goes: nothing is written on the way out. */
			csf_stop_all(c, false);
			c->booted = false;
			c->halted = false;
			gp_mock_csf_set_mcu_status(c->be, c->round_seq, MALI_MCU_STATUS_DISABLED);
		} else if (!c->booted || c->halted) {
			csf_boot(c);
		}
	}
	if (c->booted && !c->halted && !c->fw_error) {
		/* Streams first: a STATUS_UPDATE served below sees their new INSERT. */
		for (unsigned int d = 1; d < 32 && !c->fw_error; d++)
			if (doorbells & (1u << d))
				csf_doorbell(c, d);
		if (doorbells & (1u << MALI_CSF_GLB_DOORBELL_ID))
			glb_process(c);
	}
	for (unsigned int n = 0; n < GP_MOCK_CSF_GROUP_NUM && c->booted && !c->halted; n++) {
		struct csf_group *g = &c->groups[n];

		if (!g->running)
			continue;
		for (unsigned int m = 0; m < GP_MOCK_CSF_STREAM_NUM && !c->fw_error; m++) {
			struct csf_stream *s = &g->cs[m];

			uint64_t before = c->instructions;

			if (!s->enabled || s->faulted)
				continue;
			if (stream_run(c, n, m))
				*busy = true;
			if (c->instructions != before)
				g->worked = true;
			if (s->blocked)
				*parked = true;
		}
		if (g->sync_update && !c->fw_error) {
			g->sync_update = false;
			csg_event(c, n, MALI_CSG_SYNC_UPDATE);
		}
		/* Busy to idle (all empty or parked): CSG_IDLE, as the firmware tells panthor. */
		if (g->worked && csg_is_idle(g) && !c->fw_error) {
			g->worked = false;
			csg_event(c, n, MALI_CSG_IDLE);
		}
	}
	if (c->fw_error) {
		/* The MCU could not reach its own memory: as a fatal firmware error. */
		csf_stop_all(c, false);
		c->booted = false;
		*busy = *parked = false;
		gp_mock_csf_set_mcu_status(c->be, c->round_seq, MALI_MCU_STATUS_FATAL);
		return;
	}
	if (c->irq)
		gp_mock_csf_job_irq(c->be, c->round_seq, c->irq);
}

static bool csf_events_pending(const struct gp_mock_csf *c)
{
	return c->ev_mcu || c->ev_reset || c->ev_removed || c->ev_kick || c->doorbells;
}

static void *csf_main(void *arg)
{
	struct gp_mock_csf *c = arg;
	bool busy = false, parked = false;
	uint64_t resume_ns = 0;		/* csf-instr-delay-ns: not before this */

	pthread_mutex_lock(&c->ev_lock);
	for (;;) {
		bool ev_mcu, ev_reset, ev_removed;
		uint32_t mcu_value, doorbells, round_seq;
		uint64_t delay;
		bool mcu_on;

		while (!c->stop && !csf_events_pending(c)) {
			uint64_t now = csf_now_ns(), until;
			struct timespec ts;

			if (busy && now >= resume_ns)
				break;
			c->idle = !busy;
			if (c->idle)
				pthread_cond_broadcast(&c->idle_cond);
			if (!busy && !parked) {
				pthread_cond_wait(&c->ev_cond, &c->ev_lock);
				continue;
			}
			until = busy ? resume_ns : now + CSF_SYNC_POLL_NS;
			ts = csf_timespec(until);
			if (pthread_cond_timedwait(&c->ev_cond, &c->ev_lock, &ts) == ETIMEDOUT &&
			    !busy)
				break;	/* time to look at the sync objects again */
		}
		c->idle = false;
		if (c->stop)
			break;
		ev_mcu = c->ev_mcu;
		mcu_value = c->mcu_value;
		ev_reset = c->ev_reset;
		ev_removed = c->ev_removed;
		doorbells = c->doorbells;
		round_seq = c->reset_seq;
		c->ev_mcu = c->ev_reset = c->ev_removed = c->ev_kick = false;
		c->doorbells = 0;
		pthread_mutex_unlock(&c->ev_lock);

		pthread_mutex_lock(&c->state_lock);
		c->round_seq = round_seq;
		csf_round(c, ev_mcu, mcu_value, ev_reset, ev_removed, doorbells, &busy, &parked);
		delay = c->delay_ns;
		c->delay_ns = 0;
		mcu_on = c->booted;
		pthread_mutex_unlock(&c->state_lock);

		resume_ns = delay ? csf_now_ns() + delay : 0;
		pthread_mutex_lock(&c->ev_lock);
		c->mcu_on = mcu_on;
	}
	pthread_mutex_unlock(&c->ev_lock);
	return NULL;
}

/* --- the interface to mock.c and tests ------------------------------------ */

static void csf_post(struct gp_mock_csf *c, void (*set)(struct gp_mock_csf *, uint32_t),
		     uint32_t arg)
{
	pthread_mutex_lock(&c->ev_lock);
	set(c, arg);
	pthread_cond_signal(&c->ev_cond);
	pthread_mutex_unlock(&c->ev_lock);
}

static void set_mcu(struct gp_mock_csf *c, uint32_t value)
{
	c->ev_mcu = true;
	c->mcu_value = value;
}

static void set_doorbell(struct gp_mock_csf *c, uint32_t doorbell)
{
	c->doorbells |= 1u << doorbell;
}

static void set_reset(struct gp_mock_csf *c, uint32_t unused)
{
	(void)unused;
	c->ev_reset = true;
	c->reset_seq++;
	c->doorbells = 0;
	c->ev_mcu = false;
}

static void set_removed(struct gp_mock_csf *c, uint32_t unused)
{
	(void)unused;
	c->ev_removed = true;
}

static void set_kick(struct gp_mock_csf *c, uint32_t unused)
{
	(void)unused;
	c->ev_kick = true;
}

void gp_mock_csf_mcu_control(struct gp_mock_csf *c, uint32_t value)
{
	csf_post(c, set_mcu, value);
}

void gp_mock_csf_doorbell(struct gp_mock_csf *c, unsigned int doorbell)
{
	if (doorbell < 32)
		csf_post(c, set_doorbell, doorbell);
}

void gp_mock_csf_reset(struct gp_mock_csf *c)
{
	pthread_mutex_lock(&c->ev_lock);
	set_reset(c, 0);
	/*
	 * A reset of a GPU whose MCU never ran has nothing to stop: the event
	 * waits for the thread's next wake-up instead of causing one (drivers
	 * and tests reset often).
	 */
	if (c->mcu_on || !c->idle)
		pthread_cond_signal(&c->ev_cond);
	pthread_mutex_unlock(&c->ev_lock);
}

void gp_mock_csf_removed(struct gp_mock_csf *c)
{
	csf_post(c, set_removed, 0);
}

uint32_t gp_mock_csf_reset_seq(struct gp_mock_csf *c)
{
	uint32_t seq;

	pthread_mutex_lock(&c->ev_lock);
	seq = c->reset_seq;
	pthread_mutex_unlock(&c->ev_lock);
	return seq;
}

void gp_mock_csf_counters(struct gp_mock_csf *c, uint64_t *instructions, uint32_t *faults,
			  uint32_t *boots)
{
	pthread_mutex_lock(&c->state_lock);
	*instructions = c->instructions;
	*faults = c->faults;
	*boots = c->boots;
	pthread_mutex_unlock(&c->state_lock);
}

int gp_mock_csf_stream_state(struct gp_backend *be, unsigned int csg, unsigned int cs,
			     struct gp_mock_csf_stream_state *st)
{
	struct gp_mock_csf *c = gp_mock_csf_of(be);
	const struct csf_stream *s;

	if (csg >= GP_MOCK_CSF_GROUP_NUM || cs >= GP_MOCK_CSF_STREAM_NUM || !st)
		return -EINVAL;
	pthread_mutex_lock(&c->state_lock);
	s = &c->groups[csg].cs[cs];
	st->running = c->groups[csg].running && s->enabled && !s->faulted;
	st->blocked_sync_wait = s->blocked;
	st->pc = s->pc;
	memcpy(st->regs, s->regs, sizeof(st->regs));
	pthread_mutex_unlock(&c->state_lock);
	return 0;
}

int gp_mock_csf_wait_idle(struct gp_backend *be, unsigned int timeout_ms)
{
	struct gp_mock_csf *c = gp_mock_csf_of(be);
	struct timespec ts = csf_timespec(csf_now_ns() + timeout_ms * NSEC_PER_MSEC);
	int r = 0;

	/* A kick makes the thread run a round (parked streams look again) before idling. */
	pthread_mutex_lock(&c->ev_lock);
	set_kick(c, 0);
	pthread_cond_signal(&c->ev_cond);
	while (!(c->idle && !csf_events_pending(c)) && r == 0)
		r = pthread_cond_timedwait(&c->idle_cond, &c->ev_lock, &ts);
	if (c->idle && !csf_events_pending(c))
		r = 0;
	pthread_mutex_unlock(&c->ev_lock);
	return r ? -ETIMEDOUT : 0;
}

static int csf_init_cond(pthread_cond_t *cond)
{
	pthread_condattr_t attr;
	int r;

	r = pthread_condattr_init(&attr);
	if (r)
		return r;
	r = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!r)
		r = pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
	return r;
}

int gp_mock_csf_create(struct gp_backend *be, const struct gp_mock_config *cfg,
		       struct gp_mock_csf **out)
{
	struct gp_mock_csf *c;
	sigset_t all, old;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->be = be;
	c->cfg = *cfg;
	r = pthread_mutex_init(&c->ev_lock, NULL);
	if (r)
		goto err_free;
	r = pthread_mutex_init(&c->state_lock, NULL);
	if (r)
		goto err_ev_lock;
	r = csf_init_cond(&c->ev_cond);
	if (r)
		goto err_state_lock;
	r = csf_init_cond(&c->idle_cond);
	if (r)
		goto err_ev_cond;

	/* As the timer thread: no process signal is ever delivered to the model. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&c->thread, NULL, csf_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r)
		goto err_idle_cond;
	c->thread_started = true;
	(void)pthread_setname_np(c->thread, "gp-mock-csf");
	*out = c;
	return 0;

err_idle_cond:
	pthread_cond_destroy(&c->idle_cond);
err_ev_cond:
	pthread_cond_destroy(&c->ev_cond);
err_state_lock:
	pthread_mutex_destroy(&c->state_lock);
err_ev_lock:
	pthread_mutex_destroy(&c->ev_lock);
err_free:
	free(c);
	return -r;
}

void gp_mock_csf_destroy(struct gp_mock_csf *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->ev_lock);
	c->stop = true;
	pthread_cond_signal(&c->ev_cond);
	pthread_mutex_unlock(&c->ev_lock);
	if (c->thread_started)
		pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->idle_cond);
	pthread_cond_destroy(&c->ev_cond);
	pthread_mutex_destroy(&c->state_lock);
	pthread_mutex_destroy(&c->ev_lock);
	free(c);
}
