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
#define MALI_MCU_STATUS			0x704

/* The register window tyr and panthor map. */
#define MALI_GPU_MMIO_SIZE		(2u << 20)

#endif /* GP_HW_MALI_CSF_REGS_H */
