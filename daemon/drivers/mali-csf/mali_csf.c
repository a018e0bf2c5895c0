// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mali-csf: probe and query ioctls for Arm Mali CSF GPUs, panthor's UAPI.
 *
 * The probe follows tyr and panthor: acknowledge any stale RESET_COMPLETED,
 * soft-reset, poll for RESET_COMPLETED, power the L2 up and poll for READY,
 * then read the GPU's identity into the registration data.  Everything the
 * driver holds is registration data; the device itself carries nothing.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "device.h"
#include "drivers.h"
#include "file.h"
#include "log.h"
#include "mali_csf.h"
#include "mali_csf_fw.h"
#include "mali_csf_mmu.h"
#include "mali_csf_regs.h"
#include "mali_csf_sched.h"
#include "mock.h"

#define MALI_REGION 0

/* panthor's GPU_COHERENCY_NONE: no coherency protocol selected. */
#define MALI_COHERENCY_NONE 31

static uint32_t mali_read(struct gp_backend *be, uint32_t reg)
{
	return gp_backend_read32(be, MALI_REGION, reg);
}

static void mali_write(struct gp_backend *be, uint32_t reg, uint32_t value)
{
	gp_backend_write32(be, MALI_REGION, reg, value);
}

static uint64_t mali_read64(struct gp_backend *be, uint32_t lo)
{
	return (uint64_t)mali_read(be, lo + 4) << 32 | mali_read(be, lo);
}

/*
 * A free-running 64-bit counter read as two 32-bit halves: read hi, lo, hi
 * and retry until hi did not move, so a carry between the two reads cannot
 * produce a value 2^32 off.
 */
static uint64_t mali_read64_counter(struct gp_backend *be, uint32_t lo)
{
	uint32_t hi, lo_val, hi2;

	hi2 = mali_read(be, lo + 4);
	do {
		hi = hi2;
		lo_val = mali_read(be, lo);
		hi2 = mali_read(be, lo + 4);
	} while (hi != hi2);
	return (uint64_t)hi << 32 | lo_val;
}

/* A register file reading all-ones has no GPU behind it any more. */
static bool mali_gone(struct gp_backend *be)
{
	return mali_read(be, MALI_GPU_ID) == UINT32_MAX;
}

static uint64_t mali_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * Poll @reg until (value & @mask) == @want, as read_poll_timeout() with
 * tyr's 1 ms interval and 100 ms budget.  One last read after the deadline
 * so a slow scheduler cannot turn success into a timeout.
 */
static int mali_poll(struct gp_backend *be, uint32_t reg, uint32_t mask, uint32_t want)
{
	const struct timespec interval = { .tv_nsec = MALI_CSF_POLL_INTERVAL_US * 1000L };
	uint64_t deadline = mali_now_us() + MALI_CSF_POLL_TIMEOUT_US;

	for (;;) {
		bool late = mali_now_us() > deadline;

		if ((mali_read(be, reg) & mask) == want)
			return 0;
		if (late)
			return -ETIMEDOUT;
		nanosleep(&interval, NULL);
	}
}

static int mali_csf_soft_reset(struct gp_backend *be)
{
	int r;

	mali_write(be, MALI_GPU_INT_CLEAR, MALI_GPU_IRQ_RESET_COMPLETED);
	mali_write(be, MALI_GPU_CMD, MALI_GPU_CMD_SOFT_RESET);
	r = mali_poll(be, MALI_GPU_INT_RAWSTAT, MALI_GPU_IRQ_RESET_COMPLETED,
		      MALI_GPU_IRQ_RESET_COMPLETED);
	if (r < 0)
		return r;
	mali_write(be, MALI_GPU_INT_CLEAR, MALI_GPU_IRQ_RESET_COMPLETED);
	return 0;
}

static int mali_csf_l2_power_on(struct gp_backend *be)
{
	uint32_t l2 = mali_read(be, MALI_GPU_L2_PRESENT_LO);

	if (!l2)
		return -ENODEV;
	mali_write(be, MALI_L2_PWRON_LO, l2);
	return mali_poll(be, MALI_L2_READY_LO, l2, l2);
}

static void mali_csf_read_gpu_info(struct gp_backend *be, struct gpu_proto_mali_gpu_info *info)
{
	memset(info, 0, sizeof(*info));
	info->gpu_id = mali_read(be, MALI_GPU_ID);
	info->gpu_rev = mali_read(be, MALI_GPU_REVID);
	info->csf_id = mali_read(be, MALI_GPU_CSF_ID);
	info->l2_features = mali_read(be, MALI_GPU_L2_FEATURES);
	info->tiler_features = mali_read(be, MALI_GPU_TILER_FEATURES);
	info->mem_features = mali_read(be, MALI_GPU_MEM_FEATURES);
	info->mmu_features = mali_read(be, MALI_GPU_MMU_FEATURES);
	info->thread_features = mali_read(be, MALI_GPU_THREAD_FEATURES);
	info->max_threads = mali_read(be, MALI_GPU_THREAD_MAX_THREADS);
	info->thread_max_workgroup_size = mali_read(be, MALI_GPU_THREAD_MAX_WORKGROUP_SIZE);
	info->thread_max_barrier_size = mali_read(be, MALI_GPU_THREAD_MAX_BARRIER_SIZE);
	info->coherency_features = mali_read(be, MALI_GPU_COHERENCY_FEATURES);
	for (unsigned int i = 0; i < 4; i++)
		info->texture_features[i] = mali_read(be, MALI_GPU_TEXTURE_FEATURES(i));
	info->as_present = mali_read(be, MALI_GPU_AS_PRESENT);
	/* No coherent interconnect is set up from user space. */
	info->selected_coherency = MALI_COHERENCY_NONE;
	info->shader_present = mali_read64(be, MALI_GPU_SHADER_PRESENT_LO);
	info->l2_present = mali_read64(be, MALI_GPU_L2_PRESENT_LO);
	info->tiler_present = mali_read64(be, MALI_GPU_TILER_PRESENT_LO);
	info->core_features = mali_read(be, MALI_GPU_CORE_FEATURES);
	/* GPU_FEATURES exists from arch 11 on; the G610 (arch 10.8) has none. */
	info->gpu_features = 0;
}

/*
 * The timestamp counter runs at the system counter's frequency, which
 * panthor takes from the Arm architected timer (CNTFRQ_EL0, readable at
 * EL0).  The mock models its own counter and says how fast it runs.
 */
static uint64_t mali_csf_timestamp_frequency(const struct gp_backend *be)
{
	if (be->bus == GP_BUS_MOCK)
		return GP_MOCK_TIMESTAMP_HZ;
#if defined(__aarch64__)
	{
		uint64_t freq;

		__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
		return freq;
	}
#else
	return 0;	/* unknown off Arm: reported as 0, never invented */
#endif
}

static int mali_csf_probe(struct gp_unregistered_device *udev, void *data,
			  struct gp_backend **backend)
{
	struct mali_csf_data *mali = data;
	struct gp_backend *be = *backend;
	int r;

	/* A CSF GPU is a platform device (or the mock of one), never PCI. */
	if (be->bus == GP_BUS_PCI)
		return gp_log_errno(LOG_ERR, ENODEV, "mali-csf: %s is a PCI device, not a Mali CSF GPU",
				    be->bus_id);
	if (be->num_regions < 1 || be->regions[MALI_REGION].size < MALI_MCU_STATUS + 4)
		return gp_log_errno(LOG_ERR, ENXIO,
				    "mali-csf: %s has no register region large enough for the GPU",
				    be->bus_id);

	/*
	 * All-ones: nothing answers at the MMIO window.  On a board this is
	 * the GPU's clocks or power domain being off (vfio-platform does not
	 * manage them), or a removed device.
	 */
	if (mali_gone(be))
		return gp_log_errno(LOG_ERR, EIO,
				    "mali-csf: %s: GPU_ID reads all-ones (GPU clocks or power domain off, or device removed)",
				    be->bus_id);

	r = mali_csf_soft_reset(be);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "mali-csf: %s: soft reset did not complete within %d ms",
				    be->bus_id, MALI_CSF_POLL_TIMEOUT_US / 1000);
	r = mali_csf_l2_power_on(be);
	if (r < 0)
		return gp_log_errno(LOG_ERR, r, "mali-csf: %s: L2 cache did not power up within %d ms",
				    be->bus_id, MALI_CSF_POLL_TIMEOUT_US / 1000);

	mali_csf_read_gpu_info(be, &mali->gpu_info);
	mali->timestamp_frequency = mali_csf_timestamp_frequency(be);

	/*
	 * vfio-platform numbers the lines in device-tree order, and Mali CSF
	 * nodes list "job", "mmu", "gpu"; the mock numbers them gpu, mmu, job
	 * (mock.h).
	 */
	if (be->bus == GP_BUS_MOCK) {
		mali->gpu_irq_line = GP_MOCK_IRQ_GPU;
		mali->job_irq_line = be->num_irqs > GP_MOCK_IRQ_JOB ? GP_MOCK_IRQ_JOB : UINT_MAX;
	} else {
		mali->gpu_irq_line = be->num_irqs >= 3 ? 2 : 0;
		mali->job_irq_line = be->num_irqs >= 3 ? 0 : UINT_MAX;
	}

	/* Registers and DMA are the backend's until probe succeeds: borrow them. */
	mali->backend = be;
	r = mali_csf_mmu_init(mali);
	if (r < 0) {
		mali->backend = NULL;
		return r;
	}
	/*
	 * The MCU, after the MMU (its memory is on AS0).  Without a firmware
	 * loader (hardware) the device still serves queries and memory.
	 */
	r = mali_csf_fw_init(mali);
	/* The scheduler needs the firmware; without it GROUP_* say EOPNOTSUPP. */
	if (r == 0) {
		r = mali_csf_sched_init(mali);
		if (r < 0) {
			mali_csf_fw_halt(mali);
			mali_csf_fw_fini(mali);
		}
	}
	mali->backend = NULL;
	if (r < 0 && r != -ENOTSUP) {
		mali->backend = be;
		mali_csf_mmu_release(mali);
		mali->backend = NULL;
		return r;
	}

	pthread_mutex_init(&mali->flush_lock, NULL);
	CDS_INIT_LIST_HEAD(&mali->flush_running);
	CDS_INIT_LIST_HEAD(&mali->flush_queued);
	/* The only interrupt the driver waits for; reset and power are polled. */
	mali_write(be, MALI_GPU_INT_CLEAR, UINT32_MAX);
	mali_write(be, MALI_GPU_INT_MASK, MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED);
	/* The binding is the registration data's from now on. */
	mali->backend = be;
	*backend = NULL;
	return 0;
}

struct mali_csf_flush_waiter {
	struct cds_list_head link;
	struct gp_pending_event *event;
	uint64_t user_data;
};

static void mali_csf_flush_waiters_cancel(struct cds_list_head *list)
{
	struct mali_csf_flush_waiter *w, *tmp;

	cds_list_for_each_entry_safe(w, tmp, list, link) {
		cds_list_del(&w->link);
		gp_event_cancel(&w->event);
		free(w);
	}
}

static void mali_csf_release(void *data)
{
	struct mali_csf_data *mali = data;

	/*
	 * Stop the CSF and fail every unfinished job (-ENODEV) first, so no
	 * waiter hangs: the scheduler terminates its slots and halts the MCU
	 * (it reads queues and writes memory on its own); then free the
	 * MCU's memory, quiesce the MMU and unmap every DMA mapping, and let
	 * the backend go.
	 */
	mali_csf_sched_unplug(mali);
	mali_csf_fw_halt(mali);
	mali_csf_fw_fini(mali);
	mali_csf_mmu_release(mali);
	if (mali_csf_release_probe)
		mali_csf_release_probe(mali->backend);
	/* Nobody can wait for these any more: their files read ENODEV now. */
	mali_csf_flush_waiters_cancel(&mali->flush_running);
	mali_csf_flush_waiters_cancel(&mali->flush_queued);
	pthread_mutex_destroy(&mali->flush_lock);
	gp_backend_release(&mali->backend);
}

static void mali_csf_flush_start(struct gp_backend *be)
{
	mali_write(be, MALI_GPU_CMD,
		   MALI_GPU_FLUSH_CACHES(MALI_GPU_CACHE_CLEAN | MALI_GPU_CACHE_INV,
					 MALI_GPU_CACHE_CLEAN | MALI_GPU_CACHE_INV,
					 MALI_GPU_CACHE_INV));
}

/*
 * PROTO_FLUSH_CACHES: queue a completion event for this file and start a
 * flush, or let the request wait for the next one if a flush is running
 * (it may have started before the caller's writes it is meant to cover).
 */
static int mali_csf_flush_caches(const struct gp_registered_device *rdev, void *data, void *arg,
				 struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_flush_caches *req = arg;
	struct mali_csf_data *mali = data;
	struct mali_csf_flush_waiter *w;
	int r;

	if (req->flags || req->pad)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	r = gp_event_reserve(file, sizeof(struct gpu_proto_mali_event_flush_done), &w->event);
	if (r < 0) {
		free(w);
		return r;
	}
	w->user_data = req->user_data;

	pthread_mutex_lock(&mali->flush_lock);
	if (mali->flush_in_progress) {
		cds_list_add_tail(&w->link, &mali->flush_queued);
	} else {
		cds_list_add_tail(&w->link, &mali->flush_running);
		mali->flush_in_progress = true;
		mali_csf_flush_start(mali->backend);
	}
	pthread_mutex_unlock(&mali->flush_lock);
	return 0;
}

static void mali_csf_flush_done(struct mali_csf_data *mali)
{
	struct cds_list_head done;
	struct mali_csf_flush_waiter *w, *tmp;
	uint64_t now = mali_read64_counter(mali->backend, MALI_GPU_TIMESTAMP_LO);

	CDS_INIT_LIST_HEAD(&done);
	pthread_mutex_lock(&mali->flush_lock);
	cds_list_splice(&mali->flush_running, &done);
	CDS_INIT_LIST_HEAD(&mali->flush_running);
	if (!cds_list_empty(&mali->flush_queued)) {
		cds_list_splice(&mali->flush_queued, &mali->flush_running);
		CDS_INIT_LIST_HEAD(&mali->flush_queued);
		mali_csf_flush_start(mali->backend);
	} else {
		mali->flush_in_progress = false;
	}
	pthread_mutex_unlock(&mali->flush_lock);

	/* Oldest request first, as the list was built. */
	cds_list_for_each_entry_safe(w, tmp, &done, link) {
		struct gpu_proto_mali_event_flush_done ev = {
			.base = { .type = GPU_PROTO_MALI_EVENT_FLUSH_DONE, .length = sizeof(ev) },
			.user_data = w->user_data,
			.gpu_timestamp = now,
		};

		cds_list_del(&w->link);
		gp_event_send(&w->event, &ev);
		free(w);
	}
}

/* The GPU interrupt: acknowledge what is pending, act on it, re-arm the line. */
static void mali_csf_irq(const struct gp_registered_device *rdev, void *data, unsigned int line)
{
	struct mali_csf_data *mali = data;
	uint32_t stat;

	if (line == mali->mmu_irq_line) {
		mali_csf_mmu_irq(mali);
		gp_backend_irq_unmask(mali->backend, line);
		return;
	}
	/*
	 * The job interrupt is unmasked on the GPU only while the firmware
	 * runs; without it, a stray one leaves its line masked rather than
	 * firing in a loop.
	 */
	if (line == mali->job_irq_line && mali->fw) {
		mali_csf_job_irq(mali);
		gp_backend_irq_unmask(mali->backend, line);
		return;
	}
	if (line != mali->gpu_irq_line) {
		gp_log_warning("mali-csf: unexpected interrupt on line %u; leaving it masked", line);
		return;
	}
	stat = mali_read(mali->backend, MALI_GPU_INT_STAT);

	if (stat == UINT32_MAX)
		return;		/* the device is gone; revoke will follow */
	mali_write(mali->backend, MALI_GPU_INT_CLEAR, stat);
	if (stat & MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED)
		mali_csf_flush_done(mali);
	gp_backend_irq_unmask(mali->backend, line);
}

int mali_csf_query_sizes(uint32_t type, uint32_t *kern_size, uint32_t *min_size)
{
	switch (type) {
	case GPU_PROTO_MALI_DEV_QUERY_GPU_INFO:
		*kern_size = sizeof(struct gpu_proto_mali_gpu_info);
		*min_size = GPU_PROTO_MALI_GPU_INFO_MIN_SIZE;
		return 0;
	case GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO:
		*kern_size = sizeof(struct gpu_proto_mali_timestamp_info);
		*min_size = GPU_PROTO_MALI_TIMESTAMP_INFO_MIN_SIZE;
		return 0;
	case GPU_PROTO_MALI_DEV_QUERY_GROUP_PRIORITIES_INFO:
		*kern_size = sizeof(struct gpu_proto_mali_group_priorities_info);
		*min_size = GPU_PROTO_MALI_GROUP_PRIORITIES_INFO_MIN_SIZE;
		return 0;
	case GPU_PROTO_MALI_DEV_QUERY_CSIF_INFO:
		/* Answered only while firmware runs (mali_csf_dev_query()). */
		*kern_size = sizeof(struct gpu_proto_mali_csif_info);
		*min_size = GPU_PROTO_MALI_CSIF_INFO_MIN_SIZE;
		return 0;
	default:
		return -EINVAL;
	}
}

static int mali_csf_dev_query_plan(const struct gp_device *dev, const void *arg,
				   struct gp_user_plan *plan)
{
	const struct gpu_proto_mali_dev_query *q = arg;
	uint32_t kern_size, min_size;

	if (!q->pointer || mali_csf_query_sizes(q->type, &kern_size, &min_size) < 0 ||
	    q->size < min_size)
		return 0;
	return gp_user_plan_add(plan, q->pointer, q->size, GP_USER_OUT);
}

/* As panthor's group_priority_permit(): above MEDIUM needs CAP_SYS_NICE. */
uint8_t mali_csf_allowed_priorities(const struct gp_caller *caller)
{
	uint8_t mask = 1u << GPU_PROTO_MALI_GROUP_PRIORITY_LOW |
		       1u << GPU_PROTO_MALI_GROUP_PRIORITY_MEDIUM;

	if (gp_caller_capable(caller, GP_CAP_SYS_NICE))
		mask |= 1u << GPU_PROTO_MALI_GROUP_PRIORITY_HIGH |
			1u << GPU_PROTO_MALI_GROUP_PRIORITY_REALTIME;
	return mask;
}

static int mali_csf_timestamp_info(struct mali_csf_data *mali,
				   struct gpu_proto_mali_timestamp_info *info)
{
	struct gp_backend *be = mali->backend;

	info->timestamp_frequency = mali->timestamp_frequency;
	info->current_timestamp = mali_read64_counter(be, MALI_GPU_TIMESTAMP_LO);
	info->timestamp_offset = mali_read64(be, MALI_GPU_TIMESTAMP_OFFSET_LO);
	/* A device that vanished mid-call reads all-ones: report it, not garbage. */
	if (info->current_timestamp == UINT64_MAX && mali_gone(be))
		return -ENODEV;
	return 0;
}

static int mali_csf_dev_query(const struct gp_registered_device *rdev, void *data, void *arg,
			      struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_dev_query *q = arg;
	struct mali_csf_data *mali = data;
	uint32_t kern_size, min_size;
	int r;

	r = mali_csf_query_sizes(q->type, &kern_size, &min_size);
	if (r < 0)
		return r;
	/* pointer == 0 asks for the size the driver would write. */
	if (!q->pointer) {
		q->size = kern_size;
		return 0;
	}
	/*
	 * CSIF_INFO describes the firmware's interface: with no firmware
	 * running (hardware, for now) there is nothing true to say.
	 */
	if (q->type == GPU_PROTO_MALI_DEV_QUERY_CSIF_INFO && !mali_csf_fw_get_info(mali))
		return -EINVAL;
	if (q->size < min_size)
		return -EINVAL;

	switch (q->type) {
	case GPU_PROTO_MALI_DEV_QUERY_GPU_INFO:
		return gp_copy_struct_to_user(user, q->pointer, q->size, &mali->gpu_info,
					      sizeof(mali->gpu_info));
	case GPU_PROTO_MALI_DEV_QUERY_CSIF_INFO: {
		const struct mali_csf_fw_info *fwi = mali_csf_fw_get_info(mali);
		/* As panthor_sched_init() and panthor_init_cs_iface() fill csif_info. */
		struct gpu_proto_mali_csif_info info = {
			.csg_slot_count = fwi->csg_count,
			.cs_slot_count = fwi->cs_per_csg,
			.cs_reg_count = fwi->cs_reg_count,
			.scoreboard_slot_count = fwi->scoreboard_slot_count,
			.unpreserved_cs_reg_count = fwi->unpreserved_cs_reg_count,
		};

		return gp_copy_struct_to_user(user, q->pointer, q->size, &info, sizeof(info));
	}
	case GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO: {
		struct gpu_proto_mali_timestamp_info info;

		r = mali_csf_timestamp_info(mali, &info);
		if (r < 0)
			return r;
		return gp_copy_struct_to_user(user, q->pointer, q->size, &info, sizeof(info));
	}
	case GPU_PROTO_MALI_DEV_QUERY_GROUP_PRIORITIES_INFO: {
		struct gpu_proto_mali_group_priorities_info info = {
			.allowed_mask = mali_csf_allowed_priorities(gp_request_caller(file, user)),
		};

		return gp_copy_struct_to_user(user, q->pointer, q->size, &info, sizeof(info));
	}
	}
	return -EINVAL;
}

static const struct gp_ioctl_desc mali_csf_ioctls[] = {
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_DEV_QUERY, mali_csf_dev_query,
			 mali_csf_dev_query_plan, GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_VM_CREATE, mali_csf_vm_create, NULL,
			 GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_VM_DESTROY, mali_csf_vm_destroy, NULL,
			 GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_VM_BIND, mali_csf_vm_bind, mali_csf_vm_bind_plan,
			 GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_VM_GET_STATE, mali_csf_vm_get_state, NULL,
			 GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_BO_CREATE, mali_csf_bo_create, NULL,
			 GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET, mali_csf_bo_mmap_offset, NULL,
			 GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_GROUP_CREATE, mali_csf_group_create,
			 mali_csf_group_create_plan, GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_GROUP_DESTROY, mali_csf_group_destroy, NULL,
			 GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT, mali_csf_group_submit,
			 mali_csf_group_submit_plan, GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_GROUP_GET_STATE, mali_csf_group_get_state, NULL,
			 GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, mali_csf_tiler_heap_create, NULL,
			 GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY, mali_csf_tiler_heap_destroy,
			 NULL, GP_DRM_RENDER_ALLOW),
	GP_IOCTL_DEF_DRV(GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES, mali_csf_flush_caches, NULL,
			 GP_DRM_RENDER_ALLOW),
};

const struct gp_driver gp_mali_csf_driver = {
	.name = "panthor",
	.desc = "gpu-proto Mali CSF personality (panthor UAPI)",
	.date = "0",
	/*
	 * panthor 1.2: TIMESTAMP_INFO came with 1.1 and GROUP_PRIORITIES_INFO
	 * with 1.2, and Mesa checks the minor before issuing them.
	 */
	.major = 1,
	.minor = 2,
	.patchlevel = 0,
	.features = GP_DRIVER_GEM | GP_DRIVER_SYNCOBJ | GP_DRIVER_SYNCOBJ_TIMELINE,
	.ioctls = mali_csf_ioctls,
	.num_ioctls = sizeof(mali_csf_ioctls) / sizeof(mali_csf_ioctls[0]),
	.data_size = sizeof(struct mali_csf_data),
	.probe = mali_csf_probe,
	.irq = mali_csf_irq,
	.open = mali_csf_open,
	.postclose = mali_csf_postclose,
	.release = mali_csf_release,
};
