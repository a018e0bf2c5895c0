/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mock backend, private: the CSF model (mock_csf.c) and what it needs from
 * the register and memory models (mock.c).
 *
 * Locking: the CSF model has two locks of its own.  @ev_lock (a leaf: never
 * held while taking another lock) carries events from the register file to
 * the model's thread: mock.c posts them while holding its register lock.
 * @state_lock guards the model's state; the model's thread holds it while
 * it runs firmware requests and instructions, and takes the register lock
 * (through the functions below) inside it.  Order: state_lock, then the
 * register lock, then the DMA lock; ev_lock last, alone.
 */
#ifndef GP_MOCK_CSF_H
#define GP_MOCK_CSF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "mock.h"

struct gp_mock_csf;

/* --- called by mock.c (the register lock may be held: these only post events) --- */

/**
 * gp_mock_csf_create() - the model and its thread, idle until MCU_CONTROL.
 * Return: 0, -ENOMEM, or pthread's error.
 */
int gp_mock_csf_create(struct gp_backend *be, const struct gp_mock_config *cfg,
		       struct gp_mock_csf **out);
/** gp_mock_csf_destroy() - stop and join the thread, free the model; NULL is a no-op. */
void gp_mock_csf_destroy(struct gp_mock_csf *csf);

void gp_mock_csf_mcu_control(struct gp_mock_csf *csf, uint32_t value);
void gp_mock_csf_doorbell(struct gp_mock_csf *csf, unsigned int doorbell);
/* A GPU soft/hard reset: the MCU and everything it ran are gone. */
void gp_mock_csf_reset(struct gp_mock_csf *csf);
/* The device vanished: stop every stream, touch no memory again. */
void gp_mock_csf_removed(struct gp_mock_csf *csf);
/* How many GPU resets the model was told of (see gp_mock_csf_job_irq()). */
uint32_t gp_mock_csf_reset_seq(struct gp_mock_csf *csf);
void gp_mock_csf_counters(struct gp_mock_csf *csf, uint64_t *instructions, uint32_t *faults,
			  uint32_t *boots);

/* --- provided by mock.c (take the register lock: never call them holding it) --- */

enum gp_mock_csf_access {
	GP_MOCK_CSF_FETCH = 1,		/* AS_FAULTSTATUS access type EX */
	GP_MOCK_CSF_READ = 2,
	GP_MOCK_CSF_WRITE = 3,
};

/**
 * gp_mock_csf_mem() - a GPU access in address space @as, as
 * gp_mock_gpu_access() (a fault is latched and raises the MMU IRQ).
 * @fault_status: out on -EFAULT: the AS_FAULTSTATUS of the fault
 * Return: 0, -EFAULT, -ENODEV once removed.
 */
int gp_mock_csf_mem(struct gp_backend *be, unsigned int as, uint64_t va, void *buf, size_t len,
		    enum gp_mock_csf_access access, uint32_t *fault_status);
/*
 * Set @bits in JOB_INT_RAWSTAT (the job IRQ fires when STAT becomes
 * non-zero), or MCU_STATUS; both are dropped when a GPU reset came after
 * the model's round began (@reset_seq is gp_mock_csf_reset_seq() then): a
 * reset clears them, and nothing from before it may come back.
 */
void gp_mock_csf_job_irq(struct gp_backend *be, uint32_t reset_seq, uint32_t bits);
void gp_mock_csf_set_mcu_status(struct gp_backend *be, uint32_t reset_seq, uint32_t status);
/* The GPU's 64-bit timestamp and cycle counter, for STORE_STATE. */
uint64_t gp_mock_csf_timestamp(struct gp_backend *be, bool cycles);
struct gp_mock_csf *gp_mock_csf_of(struct gp_backend *be);

#endif /* GP_MOCK_CSF_H */
