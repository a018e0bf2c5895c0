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

#define EDU_BAR0_SIZE		(1u << 20)

#endif /* GP_HW_QEMU_EDU_REGS_H */
