// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mali-csf scheduling: panthor's GROUP_CREATE, GROUP_DESTROY, GROUP_SUBMIT
 * and GROUP_GET_STATE with panthor's validation and errors
 * (panthor_drv.c, panthor_sched.c), and a scheduler that binds groups to
 * CSG slots, writes each job into its queue's ring buffer with the
 * instruction sequence of panthor's queue_run_job(), and signals the job's
 * done fence when the ring's sync object says so.
 *
 * Policy (docs/uapi.md): a group gets a free CSG slot when it has a job
 * ready to run, higher group priority first, then in the order groups
 * asked; a bound group with nothing left to do gives its slot back when
 * another group waits for one.  There is no time slicing: a group keeps
 * its slot while it has work, bounded by the watchdog.
 *
 * Errors of jobs (their done fences), as panthor's
 * group_term_post_processing(): a queue that faulted fails its jobs with
 * -EINVAL, a timed-out group with -ETIMEDOUT, the other queues of a lost
 * group and a destroyed group with -ECANCELED; revoke fails everything
 * left with -ENODEV.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_cs.h>

#include "device.h"
#include "fence.h"
#include "file.h"
#include "gem.h"
#include "log.h"
#include "mali_csf.h"
#include "mali_csf_fw.h"
#include "mali_csf_mmu.h"
#include "mali_csf_sched.h"
#include "syncobj.h"
#include "user.h"

unsigned int mali_csf_job_timeout_ms = MALI_CSF_JOB_TIMEOUT_MS_DEFAULT;

/* panthor's MAX_GROUPS_PER_POOL, CSF_MAX_QUEUE_PRIO, ring size bounds. */
#define MALI_CSF_MAX_GROUPS_PER_FILE	128
#define MALI_CSF_MAX_QUEUE_PRIO		15
#define MALI_CSF_RING_MIN		(4u << 10)
#define MALI_CSF_RING_MAX		(64u << 10)
/*
 * Unfinished jobs one group may hold: panthor has no such bound, but here
 * every job costs the daemon memory all clients share.  A submit past it
 * is ENOMEM.
 */
#define MALI_CSF_MAX_JOBS_PER_GROUP	4096
/* panthor's MAX_CS_PER_CSG: the most queues GROUP_CREATE accepts at all. */
#define MALI_CSF_MAX_QUEUES		32

/* The first published sizes of the arrays' elements (PANTHOR_UOBJ_MIN_SIZE). */
#define QUEUE_CREATE_MIN	sizeof(struct gpu_proto_mali_queue_create)
#define QUEUE_SUBMIT_MIN	sizeof(struct gpu_proto_mali_queue_submit)
#define SYNC_OP_MIN		sizeof(struct gpu_proto_mali_sync_op)
/* Bytes of one array a call may pass: beyond, ENOMEM (kvmalloc's answer). */
#define MALI_CSF_ARRAY_MAX_BYTES	(16u << 20)

/*
 * The ring sequence of a job: 11 instructions, padded with NOPs to two
 * 64-byte lines, as panthor pads to please the prefetcher.
 */
#define JOB_RING_INSTRS		16
#define JOB_RING_BYTES		(JOB_RING_INSTRS * GPU_PROTO_CS_INSTR_SIZE)


/* A ring's input and output pages (hw/mali_csf_iface.h): INSERT and EXTRACT_INIT, EXTRACT. */
#define RING_IN_INSERT		0x00
#define RING_IN_EXTRACT_INIT	0x08
#define RING_IFACE_BYTES	(2 * 4096u)	/* input page, then output page */

/* One queue's sync object in kernel memory, as struct panthor_syncobj_64b. */
struct mali_csf_syncobj64 {
	uint64_t seqno;
	uint32_t status;
	uint32_t pad;
};

struct mali_csf_group;
struct mali_csf_job;

/* A dependency of a job: a fence whose callback counts the job down. */
struct mali_csf_dep {
	struct gp_fence_cb cb;
	struct gp_fence *fence;
	struct mali_csf_job *job;
};

struct mali_csf_job {
	struct cds_list_head link;	/* in queue->pending, then queue->inflight */
	struct mali_csf_sched *sched;
	uint64_t stream_addr;
	uint32_t stream_size;
	uint32_t latest_flush;
	struct gp_fence *done;
	unsigned int ndeps;
	struct mali_csf_dep *deps;
	unsigned int deps_left;		/* __atomic: dependencies not yet signalled */
	uint64_t seqno;			/* the queue's sync object value that means done */
	int status;			/* the done fence's status once decided */
};

struct mali_csf_queue {
	uint8_t priority;
	uint32_t ringbuf_size;
	struct gp_gem_object *ring;	/* kernel object, mapped in the group's VM */
	uint64_t ring_va;
	struct mali_csf_fw_mem iface;	/* input and output pages, MCU-mapped */
	uint64_t insert;		/* bytes ever written to the ring */
	uint64_t seqno;			/* last seqno given to a job */
	uint64_t progress_ns;		/* last start or completion: the watchdog's origin */
	struct cds_list_head pending;	/* submitted, not yet in the ring */
	struct cds_list_head inflight;	/* in the ring, in order */
};

struct mali_csf_group {
	unsigned long refs;		/* __atomic: the file's pool, the scheduler, lookups */
	uint32_t handle;
	struct mali_csf_vm *vm;		/* a reference */
	uint8_t priority;
	uint8_t max_compute_cores, max_fragment_cores, max_tiler_cores;
	uint64_t compute_mask, fragment_mask, tiler_mask;

	/* Under sched->lock: */
	struct cds_list_head link;	/* in sched->groups while it has device state */
	bool live;			/* device state present (not destroyed, not revoked) */
	bool waiting;			/* wants a slot */
	uint64_t wait_since;		/* order among waiters */
	int slot;			/* CSG slot, or -1 */
	unsigned int as;		/* while bound: the VM's AS */
	uint32_t state;			/* GPU_PROTO_MALI_GROUP_STATE_* */
	uint32_t fatal_queues;
	unsigned int njobs;		/* pending and in flight */

	struct gp_gem_object *syncobjs;	/* one mali_csf_syncobj64 per queue */
	uint64_t syncobjs_va;
	struct mali_csf_fw_mem suspend, protm_suspend;
	unsigned int queue_count;
	struct mali_csf_queue queues[];
};

struct mali_csf_sched {
	struct mali_csf_data *mali;
	pthread_mutex_t lock;
	pthread_t worker;
	bool worker_started;
	int efd;			/* eventfd: wakes the worker */
	bool stop;			/* under lock */
	uint64_t timeout_ns;
	unsigned int csg_count, cs_per_csg;
	/*
	 * Registers the ring sequence uses: the first of those user streams
	 * may not expect preserved (cs_reg_count - unpreserved, 96 - 4 on the
	 * G610), as panthor's get_job_cs_params(); and every scoreboard.
	 */
	unsigned int addr_reg, val_reg;
	uint16_t waitall_mask;
	uint64_t wait_seq;
	struct cds_list_head groups;	/* live groups */
	struct mali_csf_group *slots[MALI_CSF_MAX_CSG];

	/*
	 * Set by the IRQ path, taken by the worker: atomics, no lock.  A sync
	 * update needs no record: it only kicks the worker, which checks every
	 * bound group's seqno anyway, since updates coalesce.
	 */
	uint32_t ev_fault[MALI_CSF_MAX_CSG];	/* streams that faulted, per slot */
};

/* struct mali_csf_group_pool - a file's groups, handles 1..128. */
struct mali_csf_group_pool {
	pthread_mutex_t lock;
	struct mali_csf_group *groups[MALI_CSF_MAX_GROUPS_PER_FILE + 1];
};

/* Unlink @node and append it to @head. */
static void list_move_tail(struct cds_list_head *node, struct cds_list_head *head)
{
	cds_list_del(node);
	cds_list_add_tail(node, head);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sched_kick(struct mali_csf_sched *sched)
{
	uint64_t one = 1;

	/* Non-blocking; a full counter still wakes the worker. */
	if (write(sched->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: already pending */
	}
}

/* --- groups: references and device state --- */

static struct mali_csf_group *group_get(struct mali_csf_group *group)
{
	__atomic_add_fetch(&group->refs, 1, __ATOMIC_RELAXED);
	return group;
}

static void group_put(struct mali_csf_group **pgroup)
{
	struct mali_csf_group *group = *pgroup;

	*pgroup = NULL;
	if (!group || __atomic_sub_fetch(&group->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	mali_csf_vm_put(&group->vm);
	free(group);
}

static void fw_mem_release(struct mali_csf_data *mali, struct mali_csf_fw_mem *mem)
{
	if (mem->cpu)
		mali_csf_fw_mem_free(mali, mem);
	memset(mem, 0, sizeof(*mem));
}

/*
 * Free what a group has on the device.  Not bound, no jobs left; no sched
 * lock held.  Idempotent: what it frees it forgets.
 */
static void group_free_dev(struct mali_csf_data *mali, struct mali_csf_group *group)
{
	for (unsigned int i = 0; i < group->queue_count; i++) {
		struct mali_csf_queue *q = &group->queues[i];

		if (q->ring) {
			if (q->ring_va)
				mali_csf_vm_unmap_kernel(group->vm, q->ring_va, q->ring->size);
			q->ring_va = 0;
			gp_gem_object_put(&q->ring);
		}
		fw_mem_release(mali, &q->iface);
	}
	if (group->syncobjs) {
		if (group->syncobjs_va)
			mali_csf_vm_unmap_kernel(group->vm, group->syncobjs_va,
						 group->syncobjs->size);
		group->syncobjs_va = 0;
		gp_gem_object_put(&group->syncobjs);
	}
	fw_mem_release(mali, &group->suspend);
	fw_mem_release(mali, &group->protm_suspend);
}

/* --- jobs --- */

static void job_dep_signalled(struct gp_fence *fence, struct gp_fence_cb *cb)
{
	struct mali_csf_dep *dep = (struct mali_csf_dep *)((char *)cb - offsetof(struct mali_csf_dep, cb));
	struct mali_csf_job *job = dep->job;

	/* The signalling thread: count down and hand over, never block. */
	if (__atomic_sub_fetch(&job->deps_left, 1, __ATOMIC_ACQ_REL) == 0)
		sched_kick(job->sched);
}

/* Drop a job's dependencies: callbacks off (or run), fences put. */
static void job_drop_deps(struct mali_csf_job *job)
{
	for (unsigned int i = 0; i < job->ndeps; i++) {
		struct mali_csf_dep *dep = &job->deps[i];

		if (dep->job)
			gp_fence_remove_callback(dep->fence, &dep->cb);
		gp_fence_put(&dep->fence);
	}
	free(job->deps);
	job->deps = NULL;
	job->ndeps = 0;
}

static void job_free(struct mali_csf_job *job)
{
	if (!job)
		return;
	job_drop_deps(job);
	gp_fence_put(&job->done);
	free(job);
}

/*
 * Finished jobs are collected under sched->lock and signalled after it is
 * dropped: fence callbacks may take other locks (syncobj waits).
 */
static void jobs_signal(struct cds_list_head *done)
{
	struct mali_csf_job *job, *tmp;

	cds_list_for_each_entry_safe(job, tmp, done, link) {
		cds_list_del(&job->link);
		job_drop_deps(job);
		gp_fence_signal(job->done, job->status);
		job_free(job);
	}
}

static bool job_ready(struct mali_csf_job *job)
{
	return __atomic_load_n(&job->deps_left, __ATOMIC_ACQUIRE) == 0;
}

/* Move every job of @group to @done with the errors of a lost group. */
static void group_fail_jobs_locked(struct mali_csf_group *group, int err_override,
				   struct cds_list_head *done)
{
	for (unsigned int i = 0; i < group->queue_count; i++) {
		struct mali_csf_queue *q = &group->queues[i];
		struct mali_csf_job *job, *tmp;
		int err = err_override;

		if (!err) {
			if (group->fatal_queues & (1u << i))
				err = -EINVAL;
			else if (group->state & GPU_PROTO_MALI_GROUP_STATE_TIMEDOUT)
				err = -ETIMEDOUT;
			else
				err = -ECANCELED;
		}
		cds_list_for_each_entry_safe(job, tmp, &q->inflight, link) {
			job->status = err;
			list_move_tail(&job->link, done);
			group->njobs--;
		}
		cds_list_for_each_entry_safe(job, tmp, &q->pending, link) {
			job->status = err;
			list_move_tail(&job->link, done);
			group->njobs--;
		}
	}
}

static bool group_has_jobs(struct mali_csf_group *group)
{
	for (unsigned int i = 0; i < group->queue_count; i++)
		if (!cds_list_empty(&group->queues[i].pending) ||
		    !cds_list_empty(&group->queues[i].inflight))
			return true;
	return false;
}

static bool group_has_ready(struct mali_csf_group *group)
{
	for (unsigned int i = 0; i < group->queue_count; i++) {
		struct mali_csf_queue *q = &group->queues[i];

		if (!cds_list_empty(&q->pending) &&
		    job_ready(cds_list_entry(q->pending.next, struct mali_csf_job, link)))
			return true;
	}
	return false;
}

/* --- slots --- */

static void group_unbind_locked(struct mali_csf_sched *sched, struct mali_csf_group *group)
{
	struct mali_csf_data *mali = sched->mali;
	int r;

	if (group->slot < 0)
		return;
	r = mali_csf_csg_terminate(mali, (unsigned int)group->slot);
	if (r < 0)
		gp_log_errno(LOG_WARNING, r, "mali-csf: group %u: slot %d did not terminate cleanly",
			     group->handle, group->slot);
	sched->slots[group->slot] = NULL;
	group->slot = -1;
	mali_csf_vm_idle(mali, group->vm);
}

static int group_bind_locked(struct mali_csf_sched *sched, struct mali_csf_group *group,
			     unsigned int slot)
{
	struct mali_csf_data *mali = sched->mali;
	struct mali_csf_csg_config *cfg;
	unsigned int as;
	int r;

	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	r = mali_csf_vm_activate(mali, group->vm, &as);
	if (r < 0) {
		free(cfg);
		return r;
	}
	cfg->as = as;
	/* Group priorities 0..3 spread over the CSG range 0..15. */
	cfg->priority = (uint8_t)(group->priority * 5);
	cfg->compute_mask = group->compute_mask;
	cfg->fragment_mask = group->fragment_mask;
	cfg->tiler_mask = (uint32_t)group->tiler_mask;
	cfg->max_compute_cores = group->max_compute_cores;
	cfg->max_fragment_cores = group->max_fragment_cores;
	cfg->max_tiler_cores = group->max_tiler_cores;
	cfg->suspend_buf = group->suspend.mcu_va;
	cfg->protm_suspend_buf = group->protm_suspend.mcu_va;
	cfg->cs_count = group->queue_count;
	for (unsigned int i = 0; i < group->queue_count; i++) {
		struct mali_csf_queue *q = &group->queues[i];
		uint8_t *in = q->iface.cpu;

		/* The stream resumes where the ring stands: nothing is in flight. */
		__atomic_store_n((uint64_t *)(in + RING_IN_EXTRACT_INIT), q->insert,
				 __ATOMIC_RELAXED);
		__atomic_store_n((uint64_t *)(in + RING_IN_INSERT), q->insert, __ATOMIC_RELEASE);
		cfg->cs[i] = (struct mali_csf_cs_config){
			.enabled = true,
			.priority = q->priority,
			.ringbuf_va = q->ring_va,
			.ringbuf_size = q->ringbuf_size,
			.ringbuf_input_va = q->iface.mcu_va,
			.ringbuf_output_va = q->iface.mcu_va + 4096,
		};
	}
	r = mali_csf_csg_start(mali, slot, cfg);
	free(cfg);
	if (r < 0) {
		mali_csf_vm_idle(mali, group->vm);
		return r;
	}
	group->slot = (int)slot;
	group->as = as;
	sched->slots[slot] = group;
	group->waiting = false;
	return 0;
}

/* --- the ring --- */

/* panthor's queue_run_job() sequence for @job, written at the ring's INSERT. */
static void queue_write_job(const struct mali_csf_sched *sched, struct mali_csf_group *group,
			    unsigned int qi, struct mali_csf_job *job)
{
	const unsigned int JOB_ADDR_REG = sched->addr_reg, JOB_VAL_REG = sched->val_reg;
	struct mali_csf_queue *q = &group->queues[qi];
	uint64_t sync_va = group->syncobjs_va + qi * sizeof(struct mali_csf_syncobj64);
	uint64_t instrs[JOB_RING_INSTRS];
	uint8_t *ring = q->ring->vaddr;
	unsigned int n = 0;
	uint64_t off;

	/* Flush and invalidate everything, unless nothing was written since latest_flush. */
	instrs[n++] = gpu_proto_cs_move32(JOB_VAL_REG, job->latest_flush);
	instrs[n++] = gpu_proto_cs_flush_cache2(GPU_PROTO_CS_FLUSH_CLEAN_INVALIDATE,
						GPU_PROTO_CS_FLUSH_CLEAN_INVALIDATE,
						GPU_PROTO_CS_OTHER_FLUSH_INVALIDATE, JOB_VAL_REG, 0, 0);
	/* Call the client's stream once the flush is done. */
	instrs[n++] = gpu_proto_cs_move48(JOB_ADDR_REG, job->stream_addr);
	instrs[n++] = gpu_proto_cs_move32(JOB_VAL_REG, job->stream_size);
	instrs[n++] = gpu_proto_cs_wait(1u << 0, false);
	instrs[n++] = gpu_proto_cs_call(JOB_ADDR_REG, JOB_VAL_REG);
	/* Then, once all its work is done, add 1 to the queue's seqno. */
	instrs[n++] = gpu_proto_cs_move48(JOB_ADDR_REG, sync_va);
	instrs[n++] = gpu_proto_cs_move48(JOB_VAL_REG, 1);
	instrs[n++] = gpu_proto_cs_wait(sched->waitall_mask, false);
	instrs[n++] = gpu_proto_cs_sync_op(GPU_PROTO_CS_OP_SYNC_ADD64, JOB_ADDR_REG, JOB_VAL_REG,
					   GPU_PROTO_CS_SCOPE_SYSTEM, true, 0, 0);
	instrs[n++] = gpu_proto_cs_error_barrier();
	while (n < JOB_RING_INSTRS)
		instrs[n++] = gpu_proto_cs_nop();

	/* JOB_RING_BYTES divides every ring size: the sequence never wraps. */
	off = q->insert & (q->ringbuf_size - 1);
	memcpy(ring + off, instrs, sizeof(instrs));
	q->insert += JOB_RING_BYTES;
	job->seqno = ++q->seqno;
	/* The ring's bytes before INSERT. */
	__atomic_store_n((uint64_t *)((uint8_t *)q->iface.cpu + RING_IN_INSERT), q->insert,
			 __ATOMIC_RELEASE);
}

static uint64_t queue_read_seqno(struct mali_csf_group *group, unsigned int qi, uint32_t *status)
{
	struct mali_csf_syncobj64 *s =
		(struct mali_csf_syncobj64 *)group->syncobjs->vaddr + qi;

	*status = __atomic_load_n(&s->status, __ATOMIC_ACQUIRE);
	return __atomic_load_n(&s->seqno, __ATOMIC_ACQUIRE);
}

/*
 * Move what is ready of @group's queues into their rings: in order, while
 * the head job's dependencies have signalled and the ring has room.  A
 * job without a stream takes no ring space: it completes with the jobs
 * before it.
 */
static void group_run_locked(struct mali_csf_sched *sched, struct mali_csf_group *group)
{
	for (unsigned int i = 0; i < group->queue_count; i++) {
		struct mali_csf_queue *q = &group->queues[i];
		struct mali_csf_job *job, *tmp;
		bool kick = false;

		cds_list_for_each_entry_safe(job, tmp, &q->pending, link) {
			unsigned int used = 0;
			struct mali_csf_job *j;

			if (!job_ready(job))
				break;
			if (job->stream_size) {
				cds_list_for_each_entry(j, &q->inflight, link)
					if (j->stream_size)
						used += JOB_RING_BYTES;
				if (used + JOB_RING_BYTES > q->ringbuf_size)
					break;
				queue_write_job(sched, group, i, job);
				kick = true;
			} else {
				job->seqno = q->seqno;
			}
			if (cds_list_empty(&q->inflight))
				q->progress_ns = now_ns();
			list_move_tail(&job->link, &q->inflight);
		}
		if (kick)
			mali_csf_cs_ring_doorbell(sched->mali, (unsigned int)group->slot, i);
	}
}

/* Jobs whose seqno the queue's sync object reached are done. */
static void group_complete_locked(struct mali_csf_group *group, struct cds_list_head *done)
{
	for (unsigned int i = 0; i < group->queue_count; i++) {
		struct mali_csf_queue *q = &group->queues[i];
		struct mali_csf_job *job, *tmp;
		uint32_t status;
		uint64_t seqno = queue_read_seqno(group, i, &status);

		cds_list_for_each_entry_safe(job, tmp, &q->inflight, link) {
			if (job->seqno > seqno)
				break;
			/* An error the stream propagated into the sync object. */
			job->status = status ? -EINVAL : 0;
			q->progress_ns = now_ns();
			list_move_tail(&job->link, done);
			group->njobs--;
		}
	}
}

/*
 * @err: what the jobs fail with; 0 derives it from the group's state
 * (group_fail_jobs_locked()).
 */
static void group_lose_locked(struct mali_csf_sched *sched, struct mali_csf_group *group,
			      int err, struct cds_list_head *done)
{
	group_unbind_locked(sched, group);
	/* What completed before the fault still counts as done. */
	group_complete_locked(group, done);
	group_fail_jobs_locked(group, err, done);
	group->waiting = false;
}

/* --- the worker --- */

static struct mali_csf_group *next_waiter(struct mali_csf_sched *sched)
{
	struct mali_csf_group *g, *best = NULL;

	cds_list_for_each_entry(g, &sched->groups, link) {
		if (!g->waiting)
			continue;
		if (!best || g->priority > best->priority ||
		    (g->priority == best->priority && g->wait_since < best->wait_since))
			best = g;
	}
	return best;
}

/* One pass over everything; returns the next watchdog deadline (UINT64_MAX: none). */
static uint64_t sched_process_locked(struct mali_csf_sched *sched, struct cds_list_head *done)
{
	uint64_t now = now_ns(), deadline = UINT64_MAX;
	struct mali_csf_group *g;

	for (unsigned int s = 0; s < sched->csg_count; s++) {
		uint32_t fault = __atomic_exchange_n(&sched->ev_fault[s], 0, __ATOMIC_ACQ_REL);

		g = sched->slots[s];
		if (fault && g) {
			g->fatal_queues |= fault;
			g->state |= GPU_PROTO_MALI_GROUP_STATE_FATAL_FAULT;
		}
	}

	cds_list_for_each_entry(g, &sched->groups, link) {
		if (g->slot < 0)
			continue;
		/* A VM the MMU marked unusable: its running queues are lost. */
		if (!(g->state & GPU_PROTO_MALI_GROUP_STATE_FATAL_FAULT) &&
		    mali_csf_vm_is_unusable(g->vm)) {
			g->state |= GPU_PROTO_MALI_GROUP_STATE_FATAL_FAULT;
			for (unsigned int i = 0; i < g->queue_count; i++)
				if (!cds_list_empty(&g->queues[i].inflight))
					g->fatal_queues |= 1u << i;
		}
		if (g->state)
			continue;
		group_complete_locked(g, done);
		for (unsigned int i = 0; i < g->queue_count; i++) {
			struct mali_csf_queue *q = &g->queues[i];

			if (cds_list_empty(&q->inflight))
				continue;
			if (now - q->progress_ns >= sched->timeout_ns) {
				gp_log_warning("mali-csf: group %u queue %u: job timeout (%u ms)",
					       g->handle, i, mali_csf_job_timeout_ms);
				g->state |= GPU_PROTO_MALI_GROUP_STATE_TIMEDOUT;
			} else if (q->progress_ns + sched->timeout_ns < deadline) {
				deadline = q->progress_ns + sched->timeout_ns;
			}
		}
	}

	/* Lost groups: off their slots, their jobs failed. */
	cds_list_for_each_entry(g, &sched->groups, link)
		if (g->state && (g->slot >= 0 || group_has_jobs(g)))
			group_lose_locked(sched, g, 0, done);

	/* Who wants a slot; idle groups give theirs up to them. */
	cds_list_for_each_entry(g, &sched->groups, link) {
		if (g->state || g->slot >= 0 || g->waiting || !group_has_ready(g))
			continue;
		g->waiting = true;
		g->wait_since = ++sched->wait_seq;
	}
	if (next_waiter(sched)) {
		cds_list_for_each_entry(g, &sched->groups, link)
			if (g->slot >= 0 && !group_has_jobs(g))
				group_unbind_locked(sched, g);
	}
	for (;;) {
		unsigned int slot;
		int r;

		g = next_waiter(sched);
		if (!g)
			break;
		for (slot = 0; slot < sched->csg_count; slot++)
			if (!sched->slots[slot])
				break;
		if (slot == sched->csg_count)
			break;
		r = group_bind_locked(sched, g, slot);
		if (r == -EBUSY)
			break;		/* every AS held by a running group: wait */
		if (r < 0) {
			gp_log_errno(LOG_WARNING, r, "mali-csf: group %u: cannot start on slot %u",
				     g->handle, slot);
			g->state |= GPU_PROTO_MALI_GROUP_STATE_FATAL_FAULT;
			/*
			 * A device that vanished fails the jobs with ENODEV, as
			 * revoke does; any other refusal is the group's loss.
			 */
			group_lose_locked(sched, g, r == -ENODEV ? -ENODEV : 0, done);
		}
	}

	cds_list_for_each_entry(g, &sched->groups, link) {
		if (g->slot < 0 || g->state)
			continue;
		group_run_locked(sched, g);
		/* Jobs without a stream may be done at once. */
		group_complete_locked(g, done);
		for (unsigned int i = 0; i < g->queue_count; i++) {
			struct mali_csf_queue *q = &g->queues[i];

			if (!cds_list_empty(&q->inflight) &&
			    q->progress_ns + sched->timeout_ns < deadline)
				deadline = q->progress_ns + sched->timeout_ns;
		}
	}
	return deadline;
}

static void *sched_worker(void *arg)
{
	struct mali_csf_sched *sched = arg;
	uint64_t deadline = UINT64_MAX;

	for (;;) {
		struct pollfd pfd = { .fd = sched->efd, .events = POLLIN };
		struct cds_list_head done;
		int timeout = -1;
		uint64_t v;

		if (deadline != UINT64_MAX) {
			uint64_t now = now_ns();

			timeout = deadline <= now ? 0 : (int)((deadline - now) / 1000000u) + 1;
		}
		if (poll(&pfd, 1, timeout) > 0 && read(sched->efd, &v, sizeof(v)) < 0) {
			/* EAGAIN: another reader took it; nothing lost */
		}
		CDS_INIT_LIST_HEAD(&done);
		pthread_mutex_lock(&sched->lock);
		if (sched->stop) {
			pthread_mutex_unlock(&sched->lock);
			break;
		}
		deadline = sched_process_locked(sched, &done);
		pthread_mutex_unlock(&sched->lock);
		jobs_signal(&done);
	}
	return NULL;
}

int mali_csf_sched_init(struct mali_csf_data *mali)
{
	const struct mali_csf_fw_info *info = mali_csf_fw_get_info(mali);
	struct mali_csf_sched *sched;
	int r;

	sched = calloc(1, sizeof(*sched));
	if (!sched)
		return -ENOMEM;
	sched->mali = mali;
	sched->csg_count = info->csg_count < MALI_CSF_MAX_CSG ? info->csg_count : MALI_CSF_MAX_CSG;
	sched->cs_per_csg = info->cs_per_csg < MALI_CSF_MAX_CS ? info->cs_per_csg : MALI_CSF_MAX_CS;
	sched->timeout_ns = (uint64_t)mali_csf_job_timeout_ms * 1000000u;
	if (info->cs_reg_count < info->unpreserved_cs_reg_count + 4 ||
	    info->cs_reg_count - info->unpreserved_cs_reg_count + 3 > 255 ||
	    !info->scoreboard_slot_count || info->scoreboard_slot_count > 16) {
		free(sched);
		return gp_log_errno(LOG_ERR, EPROTO,
				    "mali-csf: %u CS registers (%u unpreserved), %u scoreboards: no room for the ring sequence",
				    info->cs_reg_count, info->unpreserved_cs_reg_count,
				    info->scoreboard_slot_count);
	}
	sched->addr_reg = info->cs_reg_count - info->unpreserved_cs_reg_count;
	sched->val_reg = sched->addr_reg + 2;
	sched->waitall_mask = (uint16_t)((1u << info->scoreboard_slot_count) - 1);
	CDS_INIT_LIST_HEAD(&sched->groups);
	pthread_mutex_init(&sched->lock, NULL);
	sched->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (sched->efd < 0) {
		r = -errno;
		goto err;
	}
	r = -pthread_create(&sched->worker, NULL, sched_worker, sched);
	if (r < 0)
		goto err;
	sched->worker_started = true;
	mali->sched = sched;
	return 0;

err:
	if (sched->efd >= 0)
		close(sched->efd);
	pthread_mutex_destroy(&sched->lock);
	free(sched);
	return gp_log_errno(LOG_ERR, r, "mali-csf: cannot start the scheduler");
}

void mali_csf_sched_unplug(struct mali_csf_data *mali)
{
	struct mali_csf_sched *sched = mali->sched;
	struct mali_csf_group *g, *tmp;
	struct cds_list_head done, gone;

	if (!sched)
		return;
	pthread_mutex_lock(&sched->lock);
	sched->stop = true;
	pthread_mutex_unlock(&sched->lock);
	sched_kick(sched);
	if (sched->worker_started)
		pthread_join(sched->worker, NULL);

	/* Stop the CSF: every slot terminated, then the MCU halted. */
	CDS_INIT_LIST_HEAD(&done);
	CDS_INIT_LIST_HEAD(&gone);
	pthread_mutex_lock(&sched->lock);
	cds_list_for_each_entry(g, &sched->groups, link)
		group_unbind_locked(sched, g);
	pthread_mutex_unlock(&sched->lock);
	mali_csf_fw_halt(mali);

	/* Nothing runs any more: whatever did not complete fails with ENODEV. */
	pthread_mutex_lock(&sched->lock);
	cds_list_for_each_entry_safe(g, tmp, &sched->groups, link) {
		group_complete_locked(g, &done);
		group_fail_jobs_locked(g, -ENODEV, &done);
		g->live = false;
		list_move_tail(&g->link, &gone);
	}
	pthread_mutex_unlock(&sched->lock);
	jobs_signal(&done);

	cds_list_for_each_entry_safe(g, tmp, &gone, link) {
		cds_list_del(&g->link);
		group_free_dev(mali, g);
		group_put(&g);		/* the scheduler's reference */
	}
	close(sched->efd);
	pthread_mutex_destroy(&sched->lock);
	free(sched);
	mali->sched = NULL;
}

/* --- events from the firmware layer (IRQ path: never block) --- */

void mali_csf_sched_sync_update(struct mali_csf_data *mali, unsigned int slot)
{
	struct mali_csf_sched *sched = mali->sched;

	if (!sched || slot >= MALI_CSF_MAX_CSG)
		return;
	sched_kick(sched);
}

static void sched_cs_lost(struct mali_csf_data *mali, unsigned int slot, unsigned int cs,
			  const struct mali_csf_cs_status *st, const char *what)
{
	struct mali_csf_sched *sched = mali->sched;

	gp_log_warning("mali-csf: CSG %u CS %u %s: exception 0x%02x info 0x%llx at 0x%llx",
		       slot, cs, what, (st->fatal ? st->fatal : st->fault) & 0xff,
		       (unsigned long long)(st->fatal ? st->fatal_info : st->fault_info),
		       (unsigned long long)st->cmd_ptr);
	if (!sched || slot >= MALI_CSF_MAX_CSG || cs >= 32)
		return;
	__atomic_or_fetch(&sched->ev_fault[slot], 1u << cs, __ATOMIC_ACQ_REL);
	sched_kick(sched);
}

void mali_csf_sched_cs_fault(struct mali_csf_data *mali, unsigned int slot, unsigned int cs,
			     const struct mali_csf_cs_status *st)
{
	sched_cs_lost(mali, slot, cs, st, "fault");
}

void mali_csf_sched_cs_fatal(struct mali_csf_data *mali, unsigned int slot, unsigned int cs,
			     const struct mali_csf_cs_status *st)
{
	sched_cs_lost(mali, slot, cs, st, "fatal error");
}

void mali_csf_sched_csg_idle(struct mali_csf_data *mali, unsigned int slot)
{
	struct mali_csf_sched *sched = mali->sched;

	if (sched)
		sched_kick(sched);
}

/* --- the per-file pool --- */

int mali_csf_groups_file_open(struct mali_csf_file *mfile)
{
	struct mali_csf_group_pool *pool = calloc(1, sizeof(*pool));

	if (!pool)
		return -ENOMEM;
	pthread_mutex_init(&pool->lock, NULL);
	mfile->groups = pool;
	return 0;
}

/* Take @group off the device: unbind, fail its jobs with -ECANCELED, free its memory. */
static void group_destroy_dev(struct mali_csf_data *mali, struct mali_csf_group *group)
{
	struct mali_csf_sched *sched = mali ? mali->sched : NULL;
	struct cds_list_head done;
	bool was_live = false;

	if (!sched)
		return;		/* revoked: release() already took everything */
	CDS_INIT_LIST_HEAD(&done);
	pthread_mutex_lock(&sched->lock);
	if (group->live) {
		was_live = true;
		group->live = false;
		group_unbind_locked(sched, group);
		group_complete_locked(group, &done);
		group_fail_jobs_locked(group, -ECANCELED, &done);
		cds_list_del(&group->link);
	}
	pthread_mutex_unlock(&sched->lock);
	jobs_signal(&done);
	if (was_live) {
		group_free_dev(mali, group);
		group_put(&group);	/* the scheduler's reference */
	}
	sched_kick(sched);		/* a slot may be free for a waiter */
}

void mali_csf_groups_file_close(void *data, struct mali_csf_file *mfile)
{
	struct mali_csf_group_pool *pool = mfile->groups;

	if (!pool)
		return;
	for (unsigned int h = 1; h <= MALI_CSF_MAX_GROUPS_PER_FILE; h++) {
		struct mali_csf_group *group = pool->groups[h];

		if (!group)
			continue;
		pool->groups[h] = NULL;
		group_destroy_dev(data, group);
		group_put(&group);
	}
	pthread_mutex_destroy(&pool->lock);
	free(pool);
	mfile->groups = NULL;
}

static struct mali_csf_group *group_lookup(struct gp_file *file, uint32_t handle)
{
	struct mali_csf_file *mfile = file->driver_priv;
	struct mali_csf_group_pool *pool = mfile->groups;
	struct mali_csf_group *group = NULL;

	if (handle == 0 || handle > MALI_CSF_MAX_GROUPS_PER_FILE)
		return NULL;
	pthread_mutex_lock(&pool->lock);
	if (pool->groups[handle])
		group = group_get(pool->groups[handle]);
	pthread_mutex_unlock(&pool->lock);
	return group;
}

/* --- copying arrays of versioned elements --- */

/* copy_struct_from_user(): an element larger than ours must have zeros past it. */
static int copy_elem(const struct gp_user *user, uint64_t addr, uint32_t stride, void *dst,
		     size_t size)
{
	uint8_t tail[64];
	size_t n = stride < size ? stride : size;
	int r;

	memset(dst, 0, size);
	r = gp_copy_from_user(user, dst, addr, n);
	if (r < 0)
		return -EFAULT;
	for (uint64_t off = size; off < stride;) {
		size_t chunk = stride - off < sizeof(tail) ? stride - off : sizeof(tail);

		r = gp_copy_from_user(user, tail, addr + off, chunk);
		if (r < 0)
			return -EFAULT;
		for (size_t i = 0; i < chunk; i++)
			if (tail[i])
				return -E2BIG;
		off += chunk;
	}
	return 0;
}

/*
 * PANTHOR_UOBJ_GET_ARRAY(): @count elements of @stride bytes (at least
 * @min) into a new array of @size-byte elements.  A zero count is no array.
 */
static int copy_array(const struct gp_user *user, const struct gpu_proto_mali_obj_array *a,
		      size_t min, size_t size, void **out)
{
	uint64_t bytes = (uint64_t)a->stride * a->count;
	uint8_t *buf;
	int r;

	*out = NULL;
	if (!a->count)
		return 0;
	if (a->stride < min)
		return -EINVAL;
	if (bytes > MALI_CSF_ARRAY_MAX_BYTES)
		return -ENOMEM;
	buf = calloc(a->count, size);
	if (!buf)
		return -ENOMEM;
	for (uint32_t i = 0; i < a->count; i++) {
		r = copy_elem(user, a->array + (uint64_t)i * a->stride, a->stride, buf + i * size,
			      size);
		if (r < 0) {
			free(buf);
			return r;
		}
	}
	*out = buf;
	return 0;
}

static int plan_array(const struct gpu_proto_mali_obj_array *a, size_t min,
		      struct gp_user_plan *plan)
{
	uint64_t bytes = (uint64_t)a->stride * a->count;

	if (!a->count || a->stride < min || bytes > MALI_CSF_ARRAY_MAX_BYTES)
		return 0;
	return gp_user_plan_add(plan, a->array, (uint32_t)bytes, GP_USER_IN);
}

/* --- GROUP_CREATE --- */

int mali_csf_group_create_plan(const struct gp_device *dev, const void *arg,
			       struct gp_user_plan *plan)
{
	const struct gpu_proto_mali_group_create *args = arg;

	if (args->queues.count > MALI_CSF_MAX_QUEUES)
		return 0;
	return plan_array(&args->queues, QUEUE_CREATE_MIN, plan);
}

static int popcount64(uint64_t x)
{
	return __builtin_popcountll(x);
}

static int group_alloc_dev(const struct gp_registered_device *rdev, struct mali_csf_data *mali,
			   struct mali_csf_group *group)
{
	const struct mali_csf_fw_info *info = mali_csf_fw_get_info(mali);
	struct gp_device *dev = gp_registered_to_device(rdev);
	const uint32_t kflags = GPU_PROTO_MALI_VM_BIND_OP_MAP_NOEXEC |
				GPU_PROTO_MALI_VM_BIND_OP_MAP_UNCACHED;
	int r;

	r = mali_csf_fw_mem_alloc(mali, info->csg_suspend_size ? info->csg_suspend_size : 4096,
				  &group->suspend);
	if (r < 0)
		return r;
	if (info->csg_protm_suspend_size) {
		r = mali_csf_fw_mem_alloc(mali, info->csg_protm_suspend_size,
					  &group->protm_suspend);
		if (r < 0)
			return r;
	}
	r = gp_gem_object_create(dev, 4096, &group->syncobjs);
	if (r < 0)
		return r;
	memset(group->syncobjs->vaddr, 0, group->syncobjs->size);
	r = mali_csf_vm_map_kernel(group->vm, group->syncobjs, kflags, &group->syncobjs_va);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < group->queue_count; i++) {
		struct mali_csf_queue *q = &group->queues[i];

		r = gp_gem_object_create(dev, q->ringbuf_size, &q->ring);
		if (r < 0)
			return r;
		memset(q->ring->vaddr, 0, q->ring->size);
		/* The CS fetches its instructions: executable (the mock checks). */
		r = mali_csf_vm_map_kernel(group->vm, q->ring, GPU_PROTO_MALI_VM_BIND_OP_MAP_UNCACHED,
					   &q->ring_va);
		if (r < 0)
			return r;
		r = mali_csf_fw_mem_alloc(mali, RING_IFACE_BYTES, &q->iface);
		if (r < 0)
			return r;
	}
	return 0;
}

int mali_csf_group_create(const struct gp_registered_device *rdev, void *data, void *arg,
			  struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_group_create *args = arg;
	struct mali_csf_file *mfile = file->driver_priv;
	struct mali_csf_group_pool *pool = mfile->groups;
	struct gpu_proto_mali_queue_create *qargs = NULL;
	struct mali_csf_data *mali = data;
	struct mali_csf_sched *sched = mali->sched;
	struct mali_csf_group *group = NULL;
	uint32_t handle;
	int r;

	/* panthor_ioctl_group_create(), then panthor_group_create(), in order. */
	if (!args->queues.count || args->queues.count > MALI_CSF_MAX_QUEUES)
		return -EINVAL;
	r = copy_array(user, &args->queues, QUEUE_CREATE_MIN, sizeof(*qargs), (void **)&qargs);
	if (r < 0)
		return r;
	r = -EINVAL;
	if (args->priority > GPU_PROTO_MALI_GROUP_PRIORITY_REALTIME)
		goto out;
	if (!(mali_csf_allowed_priorities(gp_request_caller(file, user)) & (1u << args->priority))) {
		r = -EACCES;
		goto out;
	}
	r = -EINVAL;
	if (args->pad)
		goto out;
	if ((args->compute_core_mask & ~mali->gpu_info.shader_present) ||
	    (args->fragment_core_mask & ~mali->gpu_info.shader_present) ||
	    (args->tiler_core_mask & ~mali->gpu_info.tiler_present))
		goto out;
	if (popcount64(args->compute_core_mask) < args->max_compute_cores ||
	    popcount64(args->fragment_core_mask) < args->max_fragment_cores ||
	    popcount64(args->tiler_core_mask) < args->max_tiler_cores)
		goto out;
	if (!sched) {
		r = -EOPNOTSUPP;	/* no firmware: nothing to schedule on */
		goto out;
	}
	if (args->queues.count > sched->cs_per_csg)
		goto out;

	group = calloc(1, sizeof(*group) + args->queues.count * sizeof(group->queues[0]));
	if (!group) {
		r = -ENOMEM;
		goto out;
	}
	group->refs = 1;
	group->slot = -1;
	group->priority = args->priority;
	group->max_compute_cores = args->max_compute_cores;
	group->max_fragment_cores = args->max_fragment_cores;
	group->max_tiler_cores = args->max_tiler_cores;
	group->compute_mask = args->compute_core_mask;
	group->fragment_mask = args->fragment_core_mask;
	group->tiler_mask = args->tiler_core_mask;
	group->queue_count = args->queues.count;
	for (unsigned int i = 0; i < group->queue_count; i++) {
		CDS_INIT_LIST_HEAD(&group->queues[i].pending);
		CDS_INIT_LIST_HEAD(&group->queues[i].inflight);
	}
	group->vm = mali_csf_vm_lookup(file, args->vm_id);
	if (!group->vm)
		goto out;
	/* panthor_queue_create(), per queue. */
	for (unsigned int i = 0; i < group->queue_count; i++) {
		const struct gpu_proto_mali_queue_create *qa = &qargs[i];

		if (qa->pad[0] || qa->pad[1] || qa->pad[2])
			goto out;
		if (qa->ringbuf_size < MALI_CSF_RING_MIN || qa->ringbuf_size > MALI_CSF_RING_MAX ||
		    (qa->ringbuf_size & (qa->ringbuf_size - 1)))
			goto out;
		if (qa->priority > MALI_CSF_MAX_QUEUE_PRIO)
			goto out;
		group->queues[i].priority = qa->priority;
		group->queues[i].ringbuf_size = qa->ringbuf_size;
	}
	r = group_alloc_dev(rdev, mali, group);
	if (r < 0)
		goto out;

	/*
	 * The scheduler's first, then the pool's: once a handle is
	 * published, a GROUP_DESTROY racing this finds the group live and
	 * takes everything down.
	 */
	pthread_mutex_lock(&sched->lock);
	group->live = true;
	cds_list_add_tail(&group->link, &sched->groups);
	group_get(group);
	pthread_mutex_unlock(&sched->lock);
	pthread_mutex_lock(&pool->lock);
	for (handle = 1; handle <= MALI_CSF_MAX_GROUPS_PER_FILE; handle++)
		if (!pool->groups[handle])
			break;
	if (handle <= MALI_CSF_MAX_GROUPS_PER_FILE) {
		group->handle = handle;
		pool->groups[handle] = group_get(group);
	}
	pthread_mutex_unlock(&pool->lock);
	if (handle > MALI_CSF_MAX_GROUPS_PER_FILE) {
		group_destroy_dev(mali, group);
		r = -EBUSY;	/* xa_alloc() with the id range full */
		goto out;
	}
	args->group_handle = handle;
	r = 0;
out:
	if (group && r < 0)
		group_free_dev(mali, group);
	group_put(&group);
	free(qargs);
	return r;
}

/* --- GROUP_DESTROY, GROUP_GET_STATE --- */

int mali_csf_group_destroy(const struct gp_registered_device *rdev, void *data, void *arg,
			   struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_group_destroy *args = arg;
	struct mali_csf_file *mfile = file->driver_priv;
	struct mali_csf_group_pool *pool = mfile->groups;
	struct mali_csf_group *group = NULL;

	if (args->pad)
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	if (args->group_handle >= 1 && args->group_handle <= MALI_CSF_MAX_GROUPS_PER_FILE) {
		group = pool->groups[args->group_handle];
		pool->groups[args->group_handle] = NULL;
	}
	pthread_mutex_unlock(&pool->lock);
	if (!group)
		return -EINVAL;
	group_destroy_dev(data, group);
	group_put(&group);
	return 0;
}

int mali_csf_group_get_state(const struct gp_registered_device *rdev, void *data, void *arg,
			     struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_group_get_state *args = arg;
	struct mali_csf_data *mali = data;
	struct mali_csf_group *group;

	if (args->pad)
		return -EINVAL;
	group = group_lookup(file, args->group_handle);
	if (!group)
		return -EINVAL;
	/* Groups exist only with a scheduler. */
	pthread_mutex_lock(&mali->sched->lock);
	args->state = group->state;
	args->fatal_queues = group->fatal_queues;
	pthread_mutex_unlock(&mali->sched->lock);
	group_put(&group);
	return 0;
}

/* --- GROUP_SUBMIT: panthor_submit_ctx --- */

/* A distinct (handle, point) some job of the submit signals. */
struct submit_signal {
	uint32_t handle;
	uint64_t point;
	struct gp_syncobj *syncobj;
	struct gp_syncobj_point *chain;	/* timeline points only */
	struct gp_fence *fence;		/* the object's current fence, then the last job's */
};

struct submit_ctx {
	uint32_t count;
	struct gpu_proto_mali_queue_submit *qs;
	struct gpu_proto_mali_sync_op **ops;	/* [job]: its sync ops */
	struct mali_csf_job **jobs;
	unsigned int nsignals;
	struct submit_signal *signals;
};

static void submit_ctx_cleanup(struct submit_ctx *ctx)
{
	for (uint32_t i = 0; i < ctx->count; i++) {
		if (ctx->ops)
			free(ctx->ops[i]);
		if (ctx->jobs)
			job_free(ctx->jobs[i]);
	}
	for (unsigned int i = 0; i < ctx->nsignals; i++) {
		gp_syncobj_put(&ctx->signals[i].syncobj);
		gp_syncobj_point_free(&ctx->signals[i].chain);
		gp_fence_put(&ctx->signals[i].fence);
	}
	free(ctx->signals);
	free(ctx->ops);
	free(ctx->jobs);
	free(ctx->qs);
}

static bool op_is_signal(const struct gpu_proto_mali_sync_op *op)
{
	return op->flags & (uint32_t)GPU_PROTO_MALI_SYNC_OP_SIGNAL;
}

/* panthor_check_sync_op(). */
static int check_sync_op(const struct gpu_proto_mali_sync_op *op)
{
	uint32_t type = op->flags & GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_MASK;
	const uint32_t known = GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_MASK |
			       (uint32_t)GPU_PROTO_MALI_SYNC_OP_SIGNAL;

	if (op->flags & ~known)
		return -EINVAL;
	if (type != GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_SYNCOBJ &&
	    type != GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_TIMELINE_SYNCOBJ)
		return -EINVAL;
	if (type == GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_SYNCOBJ && op->timeline_value)
		return -EINVAL;
	return 0;
}

static struct submit_signal *find_signal(struct submit_ctx *ctx, uint32_t handle, uint64_t point)
{
	for (unsigned int i = 0; i < ctx->nsignals; i++)
		if (ctx->signals[i].handle == handle && ctx->signals[i].point == point)
			return &ctx->signals[i];
	return NULL;
}

static int add_signal(struct submit_ctx *ctx, struct gp_file *file, uint32_t handle,
		      uint64_t point, unsigned int max)
{
	struct submit_signal *sig;
	int r;

	if (find_signal(ctx, handle, point))
		return 0;
	if (!ctx->signals) {
		ctx->signals = calloc(max, sizeof(*ctx->signals));
		if (!ctx->signals)
			return -ENOMEM;
	}
	sig = &ctx->signals[ctx->nsignals];
	sig->handle = handle;
	sig->point = point;
	if (point) {
		r = gp_syncobj_point_alloc(&sig->chain);
		if (r < 0)
			return r;
	}
	ctx->nsignals++;	/* cleanup frees what it holds from here on */
	sig->syncobj = gp_syncobj_find(file, handle);
	if (!sig->syncobj)
		return -EINVAL;
	if (gp_syncobj_get_fence(sig->syncobj, point, &sig->fence) < 0)
		sig->fence = NULL;
	return 0;
}

/*
 * The sync arrays hang off the submits: make them reachable in as few
 * ranges as they allow (overlapping or touching arrays merge).
 */
static int submit_prepare_syncs(const struct gp_user *user, struct submit_ctx *ctx)
{
	struct gp_user_range ranges[GP_USER_RANGES_MAX];
	unsigned int n = 0;

	for (uint32_t i = 0; i < ctx->count; i++) {
		const struct gpu_proto_mali_obj_array *a = &ctx->qs[i].syncs;
		uint64_t bytes = (uint64_t)a->stride * a->count;
		uint64_t start = a->array, end;
		unsigned int j;

		if (!a->count || a->stride < SYNC_OP_MIN || bytes > MALI_CSF_ARRAY_MAX_BYTES)
			continue;	/* copy_array() reports it, in order */
		end = start + bytes;
		if (end < start)
			return -EFAULT;
		/* Merge with every range it overlaps or touches. */
		for (j = 0; j < n;) {
			if (start <= ranges[j].addr + ranges[j].len && ranges[j].addr <= end) {
				uint64_t rend = ranges[j].addr + ranges[j].len;

				start = start < ranges[j].addr ? start : ranges[j].addr;
				end = end > rend ? end : rend;
				ranges[j] = ranges[--n];
				j = 0;
				continue;
			}
			j++;
		}
		if (end - start > MALI_CSF_ARRAY_MAX_BYTES)
			return -ENOMEM;
		if (n == GP_USER_RANGES_MAX)
			return -E2BIG;
		ranges[n++] = (struct gp_user_range){
			.addr = start, .len = (uint32_t)(end - start), .dir = GP_USER_IN,
		};
	}
	return n ? gp_user_prepare_more(user, ranges, n) : 0;
}

int mali_csf_group_submit_plan(const struct gp_device *dev, const void *arg,
			       struct gp_user_plan *plan)
{
	const struct gpu_proto_mali_group_submit *args = arg;

	if (args->pad)
		return 0;
	return plan_array(&args->queue_submits, QUEUE_SUBMIT_MIN, plan);
}

/* panthor_job_create()'s checks of one queue submit. */
static int check_queue_submit(const struct mali_csf_group *group,
			      const struct gpu_proto_mali_queue_submit *qs)
{
	if (qs->pad)
		return -EINVAL;
	if ((qs->stream_size == 0) != (qs->stream_addr == 0))
		return -EINVAL;
	if ((qs->stream_addr & 63) || (qs->stream_size & 7))
		return -EINVAL;
	if (qs->latest_flush & 0x7f000000u)	/* bits 24..30 */
		return -EINVAL;
	if (group->state || !group->live)
		return -EINVAL;
	if (qs->queue_index >= group->queue_count)
		return -EINVAL;
	return 0;
}

static int job_add_dep(struct mali_csf_job *job, struct gp_fence *fence)
{
	struct mali_csf_dep *deps;

	deps = realloc(job->deps, (job->ndeps + 1) * sizeof(*deps));
	if (!deps) {
		gp_fence_put(&fence);
		return -ENOMEM;
	}
	job->deps = deps;
	deps[job->ndeps++] = (struct mali_csf_dep){ .fence = fence };
	return 0;
}

int mali_csf_group_submit(const struct gp_registered_device *rdev, void *data, void *arg,
			  struct gp_file *file, const struct gp_user *user)
{
	struct gpu_proto_mali_group_submit *args = arg;
	struct mali_csf_data *mali = data;
	struct mali_csf_sched *sched = mali->sched;
	struct submit_ctx ctx = { 0 };
	struct mali_csf_group *group = NULL;
	unsigned int max_signals = 0;
	int r;

	if (args->pad)
		return -EINVAL;
	if (!sched)
		return -EOPNOTSUPP;
	r = copy_array(user, &args->queue_submits, QUEUE_SUBMIT_MIN, sizeof(*ctx.qs),
		       (void **)&ctx.qs);
	if (r < 0 || !args->queue_submits.count)
		return r;
	ctx.count = args->queue_submits.count;
	r = submit_prepare_syncs(user, &ctx);
	if (r < 0)
		goto out;	/* -EAGAIN: nothing done yet, the transport fetches and reruns */

	ctx.ops = calloc(ctx.count, sizeof(*ctx.ops));
	ctx.jobs = calloc(ctx.count, sizeof(*ctx.jobs));
	if (!ctx.ops || !ctx.jobs) {
		r = -ENOMEM;
		goto out;
	}
	group = group_lookup(file, args->group_handle);

	/* Jobs, each with its sync array (panthor_job_create(), _submit_ctx_add_job()). */
	for (uint32_t i = 0; i < ctx.count; i++) {
		const struct gpu_proto_mali_queue_submit *qs = &ctx.qs[i];
		struct mali_csf_job *job;

		if (!group) {
			r = -EINVAL;
			goto out;
		}
		pthread_mutex_lock(&sched->lock);
		r = check_queue_submit(group, qs);
		pthread_mutex_unlock(&sched->lock);
		if (r < 0)
			goto out;
		job = calloc(1, sizeof(*job));
		if (!job) {
			r = -ENOMEM;
			goto out;
		}
		ctx.jobs[i] = job;
		job->sched = sched;
		job->stream_addr = qs->stream_addr;
		job->stream_size = qs->stream_size;
		job->latest_flush = qs->latest_flush;
		r = gp_fence_create(&job->done);
		if (r < 0)
			goto out;
		r = copy_array(user, &qs->syncs, SYNC_OP_MIN, sizeof(**ctx.ops), (void **)&ctx.ops[i]);
		if (r < 0)
			goto out;
		max_signals += qs->syncs.count;
	}

	/* Every signal operation, validated and resolved (…_collect_jobs_signal_ops()). */
	for (uint32_t i = 0; i < ctx.count; i++) {
		for (uint32_t k = 0; k < ctx.qs[i].syncs.count; k++) {
			const struct gpu_proto_mali_sync_op *op = &ctx.ops[i][k];

			if (!op_is_signal(op))
				continue;
			r = check_sync_op(op);
			if (r == 0)
				r = add_signal(&ctx, file, op->handle, op->timeline_value, max_signals);
			if (r < 0)
				goto out;
		}
	}

	/* Waits, then the job's fence into its signals (…_add_deps_and_arm_jobs()). */
	for (uint32_t i = 0; i < ctx.count; i++) {
		for (uint32_t k = 0; k < ctx.qs[i].syncs.count; k++) {
			const struct gpu_proto_mali_sync_op *op = &ctx.ops[i][k];
			struct submit_signal *sig;
			struct gp_fence *fence = NULL;

			if (op_is_signal(op))
				continue;
			r = check_sync_op(op);
			if (r < 0)
				goto out;
			sig = find_signal(&ctx, op->handle, op->timeline_value);
			if (sig) {
				if (!sig->fence) {
					r = -EINVAL;
					goto out;
				}
				fence = gp_fence_get(sig->fence);
			} else {
				struct gp_syncobj *obj = gp_syncobj_find(file, op->handle);

				/* drm_syncobj_find_fence(): ENOENT without the object. */
				if (!obj) {
					r = -ENOENT;
					goto out;
				}
				r = gp_syncobj_get_fence(obj, op->timeline_value, &fence);
				gp_syncobj_put(&obj);
				if (r < 0)
					goto out;
			}
			r = job_add_dep(ctx.jobs[i], fence);
			if (r < 0)
				goto out;
		}
		for (uint32_t k = 0; k < ctx.qs[i].syncs.count; k++) {
			const struct gpu_proto_mali_sync_op *op = &ctx.ops[i][k];
			struct submit_signal *sig;

			if (!op_is_signal(op))
				continue;
			sig = find_signal(&ctx, op->handle, op->timeline_value);
			gp_fence_put(&sig->fence);
			sig->fence = gp_fence_get(ctx.jobs[i]->done);
		}
	}

	/* Commit: nothing fails past this point but a group lost meanwhile. */
	pthread_mutex_lock(&sched->lock);
	if (group->state || !group->live) {
		pthread_mutex_unlock(&sched->lock);
		r = -EINVAL;
		goto out;
	}
	if (ctx.count > MALI_CSF_MAX_JOBS_PER_GROUP - group->njobs) {
		pthread_mutex_unlock(&sched->lock);
		r = -ENOMEM;
		goto out;
	}
	group->njobs += ctx.count;
	for (uint32_t i = 0; i < ctx.count; i++) {
		struct mali_csf_job *job = ctx.jobs[i];
		struct mali_csf_queue *q = &group->queues[ctx.qs[i].queue_index];

		/* One count for the arming itself, so no callback reaches 0 early. */
		job->deps_left = job->ndeps + 1;
		cds_list_add_tail(&job->link, &q->pending);
		ctx.jobs[i] = NULL;
		for (unsigned int d = 0; d < job->ndeps; d++) {
			struct mali_csf_dep *dep = &job->deps[d];

			dep->job = job;
			if (gp_fence_add_callback(dep->fence, &dep->cb, job_dep_signalled) < 0) {
				dep->job = NULL;	/* already signalled */
				__atomic_sub_fetch(&job->deps_left, 1, __ATOMIC_ACQ_REL);
			}
		}
		__atomic_sub_fetch(&job->deps_left, 1, __ATOMIC_ACQ_REL);
	}
	pthread_mutex_unlock(&sched->lock);

	/* The fences become visible (…_push_fences()). */
	for (unsigned int i = 0; i < ctx.nsignals; i++) {
		struct submit_signal *sig = &ctx.signals[i];

		if (sig->chain)
			gp_syncobj_add_point(sig->syncobj, &sig->chain, sig->fence, sig->point);
		else
			gp_syncobj_replace_fence(sig->syncobj, sig->fence);
	}
	sched_kick(sched);
	r = 0;
out:
	submit_ctx_cleanup(&ctx);
	group_put(&group);
	return r;
}
