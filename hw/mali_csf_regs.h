/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mali CSF GPU register map: the subset gpu-proto's driver and mock use.
 *
 * A description of the hardware, shared by the mali-csf driver (which
 * programs it) and the mock backend (which models it).  Offsets are bytes
 * from the GPU MMIO base; 64-bit registers are LO/HI pairs with HI at +4.
 * Facts from the public panthor_regs.h and tyr sources; the values the
 * mock gives them are listed in docs/mock.md.
 */
#ifndef GP_HW_MALI_CSF_REGS_H
#define GP_HW_MALI_CSF_REGS_H

#define MALI_GPU_ID			0x000
#define   MALI_GPU_ARCH_MAJOR(x)	(((x) >> 28) & 0xf)
#define   MALI_GPU_ARCH_MINOR(x)	(((x) >> 24) & 0xf)
#define   MALI_GPU_ARCH_REV(x)		(((x) >> 20) & 0xf)
#define   MALI_GPU_PROD_MAJOR(x)	(((x) >> 16) & 0xf)
#define   MALI_GPU_VER_MAJOR(x)		(((x) >> 12) & 0xf)
#define   MALI_GPU_VER_MINOR(x)		(((x) >> 4) & 0xff)
#define   MALI_GPU_VER_STATUS(x)	((x) & 0xf)
#define MALI_GPU_L2_FEATURES		0x004
#define MALI_GPU_CORE_FEATURES		0x008
#define MALI_GPU_TILER_FEATURES		0x00c
#define MALI_GPU_MEM_FEATURES		0x010
#define MALI_GPU_MMU_FEATURES		0x014
#define MALI_GPU_AS_PRESENT		0x018
#define MALI_GPU_CSF_ID			0x01c

#define MALI_GPU_INT_RAWSTAT		0x020
#define MALI_GPU_INT_CLEAR		0x024
#define MALI_GPU_INT_MASK		0x028
#define MALI_GPU_INT_STAT		0x02c
#define   MALI_GPU_IRQ_FAULT		(1u << 0)
#define   MALI_GPU_IRQ_RESET_COMPLETED	(1u << 8)
#define   MALI_GPU_IRQ_POWER_CHANGED	(1u << 9)
#define   MALI_GPU_IRQ_POWER_CHANGED_ALL (1u << 10)
#define   MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED (1u << 17)
#define   MALI_GPU_IRQ_DOORBELL_MIRROR	(1u << 18)
#define   MALI_GPU_IRQ_MCU_STATUS_CHANGED (1u << 19)

#define MALI_GPU_CMD			0x030
#define   MALI_GPU_CMD_SOFT_RESET	0x101
#define   MALI_GPU_CMD_HARD_RESET	0x201
/* GPU_CMD type 4, FLUSH_CACHES: payload L2 [3:0], LSC [7:4], other [11:8]. */
#define   MALI_GPU_CMD_TYPE(cmd)	((cmd) & 0xff)
#define   MALI_GPU_CMD_TYPE_FLUSH_CACHES 0x04
#define   MALI_GPU_CACHE_CLEAN		0x1
#define   MALI_GPU_CACHE_INV		0x2
#define   MALI_GPU_FLUSH_CACHES(l2, lsc, oth) \
	(MALI_GPU_CMD_TYPE_FLUSH_CACHES | ((l2) << 8) | ((lsc) << 12) | ((oth) << 16))
#define MALI_GPU_STATUS			0x034

#define MALI_GPU_TIMESTAMP_OFFSET_LO	0x088
#define MALI_GPU_TIMESTAMP_OFFSET_HI	0x08c
#define MALI_GPU_CYCLE_COUNT_LO		0x090
#define MALI_GPU_CYCLE_COUNT_HI		0x094
#define MALI_GPU_TIMESTAMP_LO		0x098
#define MALI_GPU_TIMESTAMP_HI		0x09c

#define MALI_GPU_THREAD_MAX_THREADS	0x0a0
#define MALI_GPU_THREAD_MAX_WORKGROUP_SIZE 0x0a4
#define MALI_GPU_THREAD_MAX_BARRIER_SIZE 0x0a8
#define MALI_GPU_THREAD_FEATURES	0x0ac
#define MALI_GPU_TEXTURE_FEATURES(n)	(0x0b0 + (n) * 4)

#define MALI_GPU_SHADER_PRESENT_LO	0x100
#define MALI_GPU_SHADER_PRESENT_HI	0x104
#define MALI_GPU_TILER_PRESENT_LO	0x110
#define MALI_GPU_TILER_PRESENT_HI	0x114
#define MALI_GPU_L2_PRESENT_LO		0x120
#define MALI_GPU_L2_PRESENT_HI		0x124
#define MALI_L2_READY_LO		0x160
#define MALI_L2_READY_HI		0x164
#define MALI_L2_PWRON_LO		0x1a0
#define MALI_L2_PWRON_HI		0x1a4
#define MALI_L2_PWRTRANS_LO		0x220
#define MALI_L2_PWRTRANS_HI		0x224

#define MALI_GPU_REVID			0x280
#define MALI_GPU_COHERENCY_FEATURES	0x300
#define MALI_MCU_CONTROL		0x700
#define   MALI_MCU_CONTROL_DISABLE	0
#define   MALI_MCU_CONTROL_ENABLE	1
#define   MALI_MCU_CONTROL_AUTO		2
#define MALI_MCU_STATUS			0x704
#define   MALI_MCU_STATUS_DISABLED	0
#define   MALI_MCU_STATUS_ENABLED	1
#define   MALI_MCU_STATUS_HALT		2
#define   MALI_MCU_STATUS_FATAL		3

/*
 * The job interrupt: the CSF firmware's "look at the output pages".  Bit n:
 * CSG n has events or acknowledgements; bit 31: the global interface has.
 */
#define MALI_JOB_INT_RAWSTAT		0x1000
#define MALI_JOB_INT_CLEAR		0x1004
#define MALI_JOB_INT_MASK		0x1008
#define MALI_JOB_INT_STAT		0x100c
#define   MALI_JOB_INT_GLOBAL_IF	(1u << 31)
#define   MALI_JOB_INT_CSG_IF(n)	(1u << (n))

/* LATEST_FLUSH_ID, and the doorbell pages: doorbell 0 is the global one. */
#define MALI_CSF_LATEST_FLUSH_ID	0x10000
#define MALI_CSF_DOORBELL(n)		(0x80000 + (n) * 0x10000)
#define MALI_CSF_GLB_DOORBELL_ID	0
#define MALI_CSF_NUM_DOORBELLS		(((2u << 20) - 0x80000) / 0x10000)	/* in the 2 MiB window */

/*
 * MMU: one interrupt block and 16 address-space (AS) register windows of
 * 64 bytes.  The page-table format the driver selects in TRANSCFG is the
 * AArch64 stage-1 4 KiB granule (LPAE descriptors), as panthor configures
 * it; MMU_FEATURES[7:0] gives the VA width and [15:8] the PA width.
 */
#define MALI_MMU_INT_RAWSTAT		0x2000	/* bit n: AS n faulted; bit 16+n: AS n bus error */
#define MALI_MMU_INT_CLEAR		0x2004
#define MALI_MMU_INT_MASK		0x2008
#define MALI_MMU_INT_STAT		0x200c
#define   MALI_MMU_IRQ_PAGE_FAULT(as)	(1u << (as))		/* translation, permission, ... */
#define   MALI_MMU_IRQ_BUS_FAULT(as)	(1u << (16 + (as)))	/* a data access the bus refused */

#define MALI_MMU_AS_BASE		0x2400
#define MALI_MMU_AS_STRIDE		0x40
#define MALI_MMU_AS(as)			(MALI_MMU_AS_BASE + (as) * MALI_MMU_AS_STRIDE)
#define MALI_AS_TRANSTAB_LO(as)		(MALI_MMU_AS(as) + 0x00)
#define MALI_AS_TRANSTAB_HI(as)		(MALI_MMU_AS(as) + 0x04)
#define MALI_AS_MEMATTR_LO(as)		(MALI_MMU_AS(as) + 0x08)
#define MALI_AS_MEMATTR_HI(as)		(MALI_MMU_AS(as) + 0x0c)
#define MALI_AS_LOCKADDR_LO(as)		(MALI_MMU_AS(as) + 0x10)
#define MALI_AS_LOCKADDR_HI(as)		(MALI_MMU_AS(as) + 0x14)
#define MALI_AS_COMMAND(as)		(MALI_MMU_AS(as) + 0x18)
#define MALI_AS_FAULTSTATUS(as)		(MALI_MMU_AS(as) + 0x1c)
#define MALI_AS_FAULTADDRESS_LO(as)	(MALI_MMU_AS(as) + 0x20)
#define MALI_AS_FAULTADDRESS_HI(as)	(MALI_MMU_AS(as) + 0x24)
#define MALI_AS_STATUS(as)		(MALI_MMU_AS(as) + 0x28)
#define MALI_AS_TRANSCFG_LO(as)		(MALI_MMU_AS(as) + 0x30)
#define MALI_AS_TRANSCFG_HI(as)		(MALI_MMU_AS(as) + 0x34)
#define MALI_AS_FAULTEXTRA_LO(as)	(MALI_MMU_AS(as) + 0x38)
#define MALI_AS_FAULTEXTRA_HI(as)	(MALI_MMU_AS(as) + 0x3c)
#define MALI_MMU_MAX_AS			16

/* AS_COMMAND values. */
#define MALI_AS_COMMAND_NOP		0
#define MALI_AS_COMMAND_UPDATE		1	/* load TRANSTAB/MEMATTR/TRANSCFG */
#define MALI_AS_COMMAND_LOCK		2	/* lock the region in LOCKADDR */
#define MALI_AS_COMMAND_UNLOCK		3
#define MALI_AS_COMMAND_FLUSH_PT	4	/* flush page-table caches (TLB) of the locked region */
#define MALI_AS_COMMAND_FLUSH_MEM	5	/* also flush and invalidate data caches */

/* AS_STATUS: a command is still running. */
#define MALI_AS_STATUS_ACTIVE		(1u << 0)

/*
 * LOCKADDR: region base in the upper bits, log2(size) - 1 in [5:0]; the
 * smallest lockable region is 32 KiB.
 */
#define MALI_AS_LOCK_REGION_MIN_SIZE	(1ull << 15)

/* AS_MEMATTR: eight attribute bytes, indexed by a descriptor's ATTRINDX. */
#define MALI_AS_MEMATTR_AARCH64_FAULT		(3u << 6)	/* in bits [7:6]: accesses fault */

/* AS_TRANSCFG fields. */
#define MALI_AS_TRANSCFG_ADRMODE_MASK		0xfu
#define MALI_AS_TRANSCFG_ADRMODE_UNMAPPED	1u
#define MALI_AS_TRANSCFG_ADRMODE_IDENTITY	2u
#define MALI_AS_TRANSCFG_ADRMODE_AARCH64_4K	6u
#define MALI_AS_TRANSCFG_ADRMODE_AARCH64_64K	8u
#define MALI_AS_TRANSCFG_INA_BITS(x)		((uint64_t)(x) << 6)	/* 55 - VA bits */
#define MALI_AS_TRANSCFG_INA_BITS_GET(cfg)	(((cfg) >> 6) & 0x1f)
#define MALI_AS_TRANSCFG_OUTA_BITS(x)		((uint64_t)(x) << 14)
#define MALI_AS_TRANSCFG_PTW_MEMATTR_WB		(2ull << 24)
#define MALI_AS_TRANSCFG_PTW_RA			(1ull << 30)

/*
 * AS_FAULTSTATUS: exception type in [7:0] (the translation-fault codes
 * carry the table level in their low bits), access type in [9:8], source
 * id in [31:16].
 */
#define MALI_EXC_TRANSLATION_FAULT(level)	(0xc0u + (level))	/* levels 0-4 */
#define MALI_EXC_PERM_FAULT(level)		(0xc8u + (level))	/* levels 0-3 */
#define MALI_EXC_TRANSTAB_BUS_FAULT(level)	(0xd0u + (level))
#define MALI_EXC_ACCESS_FLAG(level)		(0xd8u + (level))
#define MALI_EXC_ADDR_SIZE_FAULT_IN		0xe0u
#define MALI_EXC_ADDR_SIZE_FAULT_OUT(level)	(0xe4u + (level))
#define MALI_EXC_MEM_ATTR_FAULT(level)		(0xe8u + (level))
#define MALI_EXC_GPU_BUS_FAULT			0x80u
#define MALI_AS_FAULTSTATUS_ACCESS_ATOMIC	(0u << 8)
#define MALI_AS_FAULTSTATUS_ACCESS_EX		(1u << 8)
#define MALI_AS_FAULTSTATUS_ACCESS_READ		(2u << 8)
#define MALI_AS_FAULTSTATUS_ACCESS_WRITE	(3u << 8)
#define MALI_AS_FAULTSTATUS_SOURCE_ID(x)	((uint32_t)(x) << 16)

/* The register window tyr and panthor map. */
#define MALI_GPU_MMIO_SIZE		(2u << 20)

#endif /* GP_HW_MALI_CSF_REGS_H */
