/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's "edu" educational PCI device (hw/misc/edu.c, docs/specs/edu.rst):
 * BAR0, 1 MiB of MMIO.  Used only to prove the VFIO path on an emulated
 * device.
 */
#ifndef GP_HW_QEMU_EDU_REGS_H
#define GP_HW_QEMU_EDU_REGS_H

#define EDU_PCI_VENDOR		0x1234
#define EDU_PCI_DEVICE		0x11e8

#define EDU_ID			0x00	/* 0xRRrr00edu: major, minor, 0x00, 0xed */
#define   EDU_ID_VALUE		0x010000ed
#define EDU_LIVENESS		0x04	/* reads the bitwise inverse of what was written */
#define EDU_FACTORIAL		0x08
#define EDU_STATUS		0x20
#define EDU_IRQ_STATUS		0x24	/* read */
#define EDU_IRQ_RAISE		0x60	/* write: OR into IRQ status, raise the IRQ */
#define EDU_IRQ_ACK		0x64	/* write: clear bits; the IRQ drops at 0 */
#define   EDU_IRQ_FACTORIAL	0x00000001
#define   EDU_IRQ_DMA		0x00000100	/* raised when a DMA with EDU_DMA_CMD_IRQ ends */

/*
 * The DMA engine: 64-bit registers (4- or 8-byte accesses), ignored while a
 * transfer runs.  Writing CMD with RUN starts a timer (100 ms of QEMU's
 * virtual clock); when it fires the copy happens at once, RUN clears and,
 * with CMD_IRQ, EDU_IRQ_DMA is raised.  A running transfer cannot be
 * cancelled.  One side is the device buffer, [EDU_DMA_BUF, +EDU_DMA_BUF_SIZE);
 * the other a bus address, which the device ANDs with its DMA mask (28 bits
 * unless the dma_mask property says otherwise).
 */
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define   EDU_DMA_CMD_RUN	0x1
#define   EDU_DMA_CMD_TO_RAM	0x2	/* device buffer -> bus address; else the reverse */
#define   EDU_DMA_CMD_IRQ	0x4
#define EDU_DMA_BUF		0x40000
#define EDU_DMA_BUF_SIZE	4096u
#define EDU_DMA_MASK		((1ull << 28) - 1)

#define EDU_BAR0_SIZE		(1u << 20)

#endif /* GP_HW_QEMU_EDU_REGS_H */
