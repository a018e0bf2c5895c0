/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mali-csf: the Arm Mali CSF (Valhall, e.g. Mali-G610) personality, serving
 * panthor's UAPI.
 */
#ifndef GP_MALI_CSF_H
#define GP_MALI_CSF_H

#include <gpu-proto/gpu_proto_drm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>

struct gp_backend;

/* Probe timing, as tyr and panthor poll: 1 ms steps, 100 ms budget. */
#define MALI_CSF_POLL_INTERVAL_US	1000
#define MALI_CSF_POLL_TIMEOUT_US	100000

/**
 * struct mali_csf_data - registration data: everything bound to the GPU.
 *
 * Released only by revoke, after the grace period.
 */
struct mali_csf_data {
	struct gp_backend *backend;		/* owned: the MMIO binding */
	struct gpu_proto_mali_gpu_info gpu_info;	/* read at probe */
	uint64_t timestamp_frequency;		/* Hz */
	unsigned int gpu_irq_line;		/* the binding's line of the GPU interrupt */

	/*
	 * FLUSH_CACHES requests.  @flush_running: completed by the interrupt
	 * of the flush in progress; @flush_queued: arrived after it started,
	 * so they need a flush of their own, issued when it completes.
	 */
	pthread_mutex_t flush_lock;
	bool flush_in_progress;
	struct cds_list_head flush_running;
	struct cds_list_head flush_queued;
};

/*
 * Query structs' sizes: the driver's own and the least a caller must pass
 * (the end of the last field that was there from the start), as panthor's
 * PANTHOR_UOBJ_MIN_SIZE.  Return: 0 or -EINVAL for a type not served.
 */
int mali_csf_query_sizes(uint32_t type, uint32_t *kern_size, uint32_t *min_size);

#endif /* GP_MALI_CSF_H */
