/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mali CSF firmware interface: what the MCU firmware and the host share.
 *
 * The layout panthor speaks (facts from panthor_fw.h, panthor_fw.c,
 * panthor_regs.h and panthor_sched.c of Linux 6.12): the firmware image
 * declares a shared section at MCU VA MALI_CSF_SHARED_VA; at its start
 * the firmware writes the global control block, at MALI_CSF_GROUP_CONTROL
 * + n * group_stride one control block per command stream group (CSG), and
 * MALI_CSF_STREAM_CONTROL + m * stream_stride after a group's control block
 * one per command stream (CS).  Each control block names (as MCU VAs inside
 * the shared section) an input page the host writes and an output page the
 * firmware writes.  A request is a bit the host toggles in an input REQ
 * word; the firmware acknowledges by making the same bit of the output
 * ACK word equal to it.  Events go the other way: the firmware toggles an
 * ACK bit, the host acknowledges by copying it into REQ.  Doorbells say
 * "look at the input pages"; JOB_INT says "look at the output pages".
 *
 * All offsets are bytes; all fields are little-endian 32-bit words, or
 * 64-bit ones at 8-byte-aligned offsets.  A description of the interface
 * shared by the mali-csf driver and the mock's firmware (docs/mock.md).
 */
#ifndef GP_HW_MALI_CSF_FW_H
#define GP_HW_MALI_CSF_FW_H

/* --- the shared section --- */

#define MALI_CSF_SHARED_VA		0x04000000ull	/* MCU VA, in AS0 */
#define MALI_CSF_SHARED_MAX_SIZE	0x04000000ull	/* the MCU VA range panthor reserves */
/*
 * Bytes of shared section the mock's firmware "image" declares: the driver
 * allocates and maps this much at MALI_CSF_SHARED_VA before it starts the
 * MCU.  On hardware the size comes from the image's section entry.
 */
#define MALI_CSF_MOCK_SHARED_SIZE	0x20000u

#define MALI_CSF_GROUP_CONTROL		0x1000u	/* first CSG control block */
#define MALI_CSF_STREAM_CONTROL		0x40u	/* first CS control, from its CSG's */
#define MALI_CSF_UNPRESERVED_REG_COUNT	4u

/* The maxima panthor accepts. */
#define MALI_CSF_MAX_CSGS		31u
#define MALI_CSF_MAX_CS_PER_CSG		32u

#define MALI_CSF_IFACE_VERSION(major, minor, patch) \
	(((uint32_t)(major) << 24) | ((uint32_t)(minor) << 16) | (uint32_t)(patch))
#define MALI_CSF_IFACE_VERSION_MAJOR(v)	((v) >> 24)
#define MALI_CSF_IFACE_VERSION_MINOR(v)	(((v) >> 16) & 0xff)
#define MALI_CSF_IFACE_VERSION_PATCH(v)	((v) & 0xffff)

/* --- global interface --- */

/* Control block (firmware-written, read-only to the host). */
#define MALI_GLB_CONTROL_VERSION	0x00
#define MALI_GLB_CONTROL_FEATURES	0x04
#define MALI_GLB_CONTROL_INPUT_VA	0x08
#define MALI_GLB_CONTROL_OUTPUT_VA	0x0c
#define MALI_GLB_CONTROL_GROUP_NUM	0x10
#define MALI_GLB_CONTROL_GROUP_STRIDE	0x14
#define MALI_GLB_CONTROL_PERFCNT_SIZE	0x18
#define MALI_GLB_CONTROL_INSTR_FEATURES	0x1c
#define MALI_GLB_CONTROL_SIZE		0x20

/* Input page (host-written). */
#define MALI_GLB_REQ			0x00
#define MALI_GLB_ACK_IRQ_MASK		0x04
#define MALI_GLB_DB_REQ			0x08	/* bit n: look at CSG n */
#define MALI_GLB_PROGRESS_TIMER		0x10
#define MALI_GLB_POWEROFF_TIMER		0x14
#define MALI_GLB_CORE_EN_MASK		0x18	/* 64-bit */
#define MALI_GLB_PERFCNT_AS		0x24
#define MALI_GLB_PERFCNT_BASE		0x28	/* 64-bit */
#define MALI_GLB_PERFCNT_EXTRACT	0x30
#define MALI_GLB_PERFCNT_CONFIG		0x40
#define MALI_GLB_PERFCNT_CSG_SELECT	0x44
#define MALI_GLB_PERFCNT_FW_ENABLE	0x48
#define MALI_GLB_PERFCNT_CSG_ENABLE	0x4c
#define MALI_GLB_PERFCNT_CSF_ENABLE	0x50
#define MALI_GLB_PERFCNT_SHADER_ENABLE	0x54
#define MALI_GLB_PERFCNT_TILER_ENABLE	0x58
#define MALI_GLB_PERFCNT_MMU_L2_ENABLE	0x5c
#define MALI_GLB_IDLE_TIMER		0x80
#define MALI_GLB_INPUT_SIZE		0x84

/* Output page (firmware-written). */
#define MALI_GLB_ACK			0x00
#define MALI_GLB_DB_ACK			0x08
#define MALI_GLB_HALT_STATUS		0x10
#define MALI_GLB_PERFCNT_STATUS		0x14
#define MALI_GLB_PERFCNT_INSERT		0x18
#define MALI_GLB_OUTPUT_SIZE		0x1c

/* GLB_REQ / GLB_ACK bits: requests [10:0], events [26:20]. */
#define MALI_GLB_HALT			(1u << 0)
#define MALI_GLB_CFG_PROGRESS_TIMER	(1u << 1)
#define MALI_GLB_CFG_ALLOC_EN		(1u << 2)
#define MALI_GLB_CFG_POWEROFF_TIMER	(1u << 3)
#define MALI_GLB_PROTM_ENTER		(1u << 4)
#define MALI_GLB_PERFCNT_EN		(1u << 5)
#define MALI_GLB_PERFCNT_SAMPLE		(1u << 6)
#define MALI_GLB_COUNTER_EN		(1u << 7)
#define MALI_GLB_PING			(1u << 8)
#define MALI_GLB_FWCFG_UPDATE		(1u << 9)
#define MALI_GLB_IDLE_EN		(1u << 10)
#define MALI_GLB_SLEEP			(1u << 12)
#define MALI_GLB_INACTIVE_COMPUTE	(1u << 20)
#define MALI_GLB_INACTIVE_FRAGMENT	(1u << 21)
#define MALI_GLB_INACTIVE_TILER		(1u << 22)
#define MALI_GLB_PROTM_EXIT		(1u << 23)
#define MALI_GLB_PERFCNT_THRESHOLD	(1u << 24)
#define MALI_GLB_PERFCNT_OVERFLOW	(1u << 25)
#define MALI_GLB_IDLE			(1u << 26)
#define MALI_GLB_DBG_CSF		(1u << 30)
#define MALI_GLB_DBG_HOST		(1u << 31)
#define MALI_GLB_REQ_MASK		0x000007ffu	/* [10:0] */
#define MALI_GLB_EVT_MASK		0x07f00000u	/* [26:20] */

/* GLB_PROGRESS_TIMER / GLB_POWEROFF_TIMER / GLB_IDLE_TIMER values. */
#define MALI_GLB_TIMER_VAL(x)		((x) & 0x7fffffffu)
#define MALI_GLB_TIMER_SOURCE_GPU_COUNTER (1u << 31)

/* GLB_HALT_STATUS. */
#define MALI_GLB_HALT_OK		0x00
#define MALI_GLB_HALT_ON_PANIC		0x4e
#define MALI_GLB_HALT_ON_WATCHDOG	0x4f

/* --- command stream group (CSG) interface --- */

/* Control block. */
#define MALI_CSG_CONTROL_FEATURES	0x00
#define MALI_CSG_CONTROL_INPUT_VA	0x04
#define MALI_CSG_CONTROL_OUTPUT_VA	0x08
#define MALI_CSG_CONTROL_SUSPEND_SIZE	0x0c
#define MALI_CSG_CONTROL_PROTM_SUSPEND_SIZE 0x10
#define MALI_CSG_CONTROL_STREAM_NUM	0x14
#define MALI_CSG_CONTROL_STREAM_STRIDE	0x18
#define MALI_CSG_CONTROL_SIZE		0x1c

/* Input page. */
#define MALI_CSG_REQ			0x00
#define MALI_CSG_ACK_IRQ_MASK		0x04
#define MALI_CSG_DB_REQ			0x08	/* bit n: look at CS n */
#define MALI_CSG_IRQ_ACK		0x0c	/* bit n: the host took CS n's events */
#define MALI_CSG_ALLOW_COMPUTE		0x20	/* 64-bit core mask */
#define MALI_CSG_ALLOW_FRAGMENT		0x28	/* 64-bit core mask */
#define MALI_CSG_ALLOW_OTHER		0x30	/* tiler mask */
#define MALI_CSG_EP_REQ			0x34
#define MALI_CSG_SUSPEND_BUF		0x40	/* 64-bit MCU VA */
#define MALI_CSG_PROTM_SUSPEND_BUF	0x48	/* 64-bit MCU VA */
#define MALI_CSG_CONFIG			0x50	/* [3:0]: the group's address space */
#define MALI_CSG_ITER_TRACE_CONFIG	0x54
#define MALI_CSG_INPUT_SIZE		0x58

/* Output page. */
#define MALI_CSG_ACK			0x00
#define MALI_CSG_DB_ACK			0x08
#define MALI_CSG_IRQ_REQ		0x0c	/* bit n: CS n has events */
#define MALI_CSG_STATUS_EP_CURRENT	0x10
#define MALI_CSG_STATUS_EP_REQ		0x14
#define MALI_CSG_STATUS_STATE		0x18
#define   MALI_CSG_STATUS_STATE_IS_IDLE	(1u << 0)
#define MALI_CSG_RESOURCE_DEP		0x1c
#define MALI_CSG_OUTPUT_SIZE		0x20

/* CSG_REQ / CSG_ACK: a state in [2:0], requests, events [31:28]. */
#define MALI_CSG_STATE_MASK		0x7u
#define MALI_CSG_STATE_TERMINATE	0u
#define MALI_CSG_STATE_START		1u
#define MALI_CSG_STATE_SUSPEND		2u
#define MALI_CSG_STATE_RESUME		3u
#define MALI_CSG_ENDPOINT_CONFIG	(1u << 4)
#define MALI_CSG_STATUS_UPDATE		(1u << 5)
#define MALI_CSG_SYNC_UPDATE		(1u << 28)
#define MALI_CSG_IDLE			(1u << 29)
#define MALI_CSG_DOORBELL		(1u << 30)
#define MALI_CSG_PROGRESS_TIMER_EVENT	(1u << 31)
#define MALI_CSG_REQ_MASK		(MALI_CSG_STATE_MASK | MALI_CSG_ENDPOINT_CONFIG | \
					 MALI_CSG_STATUS_UPDATE)
#define MALI_CSG_EVT_MASK		(MALI_CSG_SYNC_UPDATE | MALI_CSG_IDLE | \
					 MALI_CSG_PROGRESS_TIMER_EVENT)

/* CSG_EP_REQ: the endpoints a group may use, and its priority. */
#define MALI_CSG_EP_REQ_COMPUTE(x)	((uint32_t)(x) & 0xffu)
#define MALI_CSG_EP_REQ_FRAGMENT(x)	(((uint32_t)(x) << 8) & 0xff00u)
#define MALI_CSG_EP_REQ_TILER(x)	(((uint32_t)(x) << 16) & 0xf0000u)
#define MALI_CSG_EP_REQ_EXCL_COMPUTE	(1u << 20)
#define MALI_CSG_EP_REQ_EXCL_FRAGMENT	(1u << 21)
#define MALI_CSG_EP_REQ_PRIORITY(x)	(((uint32_t)(x) << 28) & 0xf0000000u)
#define MALI_CSG_EP_REQ_PRIORITY_GET(r)	((r) >> 28)
#define MALI_CSG_EP_REQ_PRIORITY_MASK	0xf0000000u

/* --- command stream (CS) interface --- */

/* Control block. */
#define MALI_CS_CONTROL_FEATURES	0x00
#define   MALI_CS_FEATURES_WORK_REGS(x)	(((x) & 0xffu) + 1)	/* registers in the file */
#define   MALI_CS_FEATURES_SCOREBOARDS(x) (((x) >> 8) & 0xffu)
#define   MALI_CS_FEATURES_COMPUTE	(1u << 16)
#define   MALI_CS_FEATURES_FRAGMENT	(1u << 17)
#define   MALI_CS_FEATURES_TILER	(1u << 18)
#define MALI_CS_CONTROL_INPUT_VA	0x04
#define MALI_CS_CONTROL_OUTPUT_VA	0x08
#define MALI_CS_CONTROL_SIZE		0x0c

/* Input page. */
#define MALI_CS_REQ			0x00
#define MALI_CS_CONFIG			0x04
#define   MALI_CS_CONFIG_PRIORITY(x)	((uint32_t)(x) & 0xfu)
#define   MALI_CS_CONFIG_DOORBELL(x)	(((uint32_t)(x) << 8) & 0xff00u)
#define   MALI_CS_CONFIG_DOORBELL_GET(c) (((c) >> 8) & 0xffu)
#define MALI_CS_ACK_IRQ_MASK		0x0c
#define MALI_CS_RINGBUF_BASE		0x10	/* 64-bit GPU VA, in the group's AS */
#define MALI_CS_RINGBUF_SIZE		0x18	/* bytes, a power of two */
#define MALI_CS_HEAP_START		0x20	/* 64-bit */
#define MALI_CS_HEAP_END		0x28	/* 64-bit */
#define MALI_CS_RINGBUF_INPUT		0x30	/* 64-bit MCU VA of the ring's input page */
#define MALI_CS_RINGBUF_OUTPUT		0x38	/* 64-bit MCU VA of the ring's output page */
#define MALI_CS_INSTR_CONFIG		0x40
#define MALI_CS_INSTRBUF_SIZE		0x44
#define MALI_CS_INSTRBUF_BASE		0x48	/* 64-bit */
#define MALI_CS_INSTRBUF_OFFSET_PTR	0x50	/* 64-bit */
#define MALI_CS_INPUT_SIZE		0x58

/* Output page. */
#define MALI_CS_ACK			0x00
#define MALI_CS_STATUS_CMD_PTR		0x40	/* 64-bit GPU VA of the current instruction */
#define MALI_CS_STATUS_WAIT		0x48
#define   MALI_CS_STATUS_WAIT_SB_MASK	0xffffu
#define   MALI_CS_STATUS_WAIT_SYNC_COND_LE (0u << 24)
#define   MALI_CS_STATUS_WAIT_SYNC_COND_GT (1u << 24)
#define   MALI_CS_STATUS_WAIT_SYNC_COND_MASK (0xfu << 24)
#define   MALI_CS_STATUS_WAIT_PROGRESS	(1u << 28)
#define   MALI_CS_STATUS_WAIT_PROTM	(1u << 29)
#define   MALI_CS_STATUS_WAIT_SYNC_64B	(1u << 30)
#define   MALI_CS_STATUS_WAIT_SYNC	(1u << 31)
#define MALI_CS_STATUS_REQ_RESOURCE	0x4c
#define MALI_CS_STATUS_WAIT_SYNC_PTR	0x50	/* 64-bit */
#define MALI_CS_STATUS_WAIT_SYNC_VALUE	0x58
#define MALI_CS_STATUS_SCOREBOARDS	0x5c
#define MALI_CS_STATUS_BLOCKED_REASON	0x60
#define   MALI_CS_BLOCKED_UNBLOCKED	0u
#define   MALI_CS_BLOCKED_SB_WAIT	1u
#define   MALI_CS_BLOCKED_PROGRESS_WAIT	2u
#define   MALI_CS_BLOCKED_SYNC_WAIT	3u
#define   MALI_CS_BLOCKED_DEFERRED	4u
#define   MALI_CS_BLOCKED_RESOURCE	5u
#define   MALI_CS_BLOCKED_FLUSH		6u
#define   MALI_CS_BLOCKED_REASON_MASK	0xfu
#define MALI_CS_STATUS_WAIT_SYNC_VALUE_HI 0x64
#define MALI_CS_FAULT			0x80	/* exception type [7:0], data [31:8] */
#define MALI_CS_FATAL			0x84
#define   MALI_CS_EXCEPTION_TYPE(x)	((x) & 0xffu)
#define   MALI_CS_EXCEPTION_DATA(x)	(((x) >> 8) & 0xffffffu)
#define MALI_CS_FAULT_INFO		0x88	/* 64-bit: the faulting VA, for MMU faults */
#define MALI_CS_FATAL_INFO		0x90	/* 64-bit */
#define MALI_CS_HEAP_VT_START		0xc0
#define MALI_CS_HEAP_VT_END		0xc4
#define MALI_CS_HEAP_FRAG_END		0xcc
#define MALI_CS_HEAP_ADDRESS		0xd0	/* 64-bit */
#define MALI_CS_OUTPUT_SIZE		0xd8

/* CS_REQ / CS_ACK: a state in [2:0], requests, events [31:26]. */
#define MALI_CS_STATE_MASK		0x7u
#define MALI_CS_STATE_STOP		0u
#define MALI_CS_STATE_START		1u
#define MALI_CS_EXTRACT_EVENT		(1u << 4)
#define MALI_CS_IDLE_SYNC_WAIT		(1u << 8)
#define MALI_CS_IDLE_PROTM_PENDING	(1u << 9)
#define MALI_CS_IDLE_EMPTY		(1u << 10)
#define MALI_CS_IDLE_RESOURCE_REQ	(1u << 11)
#define MALI_CS_TILER_OOM		(1u << 26)
#define MALI_CS_PROTM_PENDING		(1u << 27)
#define MALI_CS_FATAL_EVT		(1u << 30)	/* panthor's CS_FATAL bit */
#define MALI_CS_FAULT_EVT		(1u << 31)	/* panthor's CS_FAULT bit */
#define MALI_CS_REQ_MASK		(MALI_CS_STATE_MASK | MALI_CS_EXTRACT_EVENT | \
					 MALI_CS_IDLE_SYNC_WAIT | MALI_CS_IDLE_PROTM_PENDING | \
					 MALI_CS_IDLE_EMPTY | MALI_CS_IDLE_RESOURCE_REQ)
#define MALI_CS_EVT_MASK		(MALI_CS_TILER_OOM | MALI_CS_PROTM_PENDING | \
					 MALI_CS_FATAL_EVT | MALI_CS_FAULT_EVT)

/*
 * A ring buffer's input page (host-written: INSERT, and EXTRACT_INIT,
 * where the stream starts) and output page (firmware-written: EXTRACT,
 * ACTIVE).  INSERT and EXTRACT are byte counts that only grow; the ring
 * holds the instructions at RINGBUF_BASE + (offset % RINGBUF_SIZE).
 */
#define MALI_RINGBUF_INSERT		0x00	/* 64-bit */
#define MALI_RINGBUF_EXTRACT_INIT	0x08	/* 64-bit */
#define MALI_RINGBUF_INPUT_SIZE		0x10
#define MALI_RINGBUF_EXTRACT		0x00	/* 64-bit */
#define MALI_RINGBUF_ACTIVE		0x08
#define MALI_RINGBUF_OUTPUT_SIZE	0x0c

/*
 * --- exception types (CS_FAULT / CS_FATAL [7:0], as panthor's
 * drm_panthor_exception_type names them); the MMU ones are in
 * mali_csf_regs.h (MALI_EXC_TRANSLATION_FAULT() and friends) ---
 */
#define MALI_EXC_OK				0x00u
#define MALI_EXC_TERMINATED			0x04u
#define MALI_EXC_KABOOM				0x05u
#define MALI_EXC_EUREKA				0x06u
#define MALI_EXC_ACTIVE				0x08u
#define MALI_EXC_CS_RES_TERM			0x0fu
#define MALI_EXC_MAX_NON_FAULT			0x3fu
#define MALI_EXC_CS_CONFIG_FAULT		0x40u
#define MALI_EXC_CS_UNRECOVERABLE		0x41u
#define MALI_EXC_CS_ENDPOINT_FAULT		0x44u
#define MALI_EXC_CS_BUS_FAULT			0x48u
#define MALI_EXC_CS_INSTR_INVALID		0x49u
#define MALI_EXC_CS_CALL_STACK_OVERFLOW		0x4au
#define MALI_EXC_CS_INHERIT_FAULT		0x4bu
#define MALI_EXC_INSTR_INVALID_PC		0x50u
#define MALI_EXC_INSTR_INVALID_ENC		0x51u
#define MALI_EXC_INSTR_BARRIER_FAULT		0x55u
#define MALI_EXC_DATA_INVALID_FAULT		0x58u
#define MALI_EXC_TILE_RANGE_FAULT		0x59u
#define MALI_EXC_ADDR_RANGE_FAULT		0x5au
#define MALI_EXC_IMPRECISE_FAULT		0x5bu
#define MALI_EXC_OOM				0x60u
#define MALI_EXC_CSF_FW_INTERNAL_ERROR		0x68u
#define MALI_EXC_CSF_RES_EVICTION_TIMEOUT	0x69u
#define MALI_EXC_GPU_SHAREABILITY_FAULT		0x88u
#define MALI_EXC_SYS_SHAREABILITY_FAULT		0x89u
#define MALI_EXC_GPU_CACHEABILITY_FAULT		0x8au

#endif /* GP_HW_MALI_CSF_FW_H */
