// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libgpuproto, without a device: ioctls go to a fake daemon behind the
 * library's test seam (gpuproto-private.h), and events come from a
 * SOCK_SEQPACKET socket pair, whose reads keep message boundaries the way
 * the device returns whole events.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gpuproto.h>
#include "gpuproto-private.h"
#include "check_run.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* A fake daemon answering ioctls with gpu-proto's semantics                 */
/* ------------------------------------------------------------------------ */

struct fake_daemon {
	/* Errors to fail the next calls with, in order, before answering. */
	int transient[8];
	size_t transient_next;
	/* Fail every call that gets past the transient errors. */
	int fail_errno;
	int calls;

	/* VERSION: name switches to name_later after the first call. */
	const char *name, *name_later, *date, *desc;
	bool name_grows_every_call;
	char grown_name[128];
	int version_calls;

	const char *unique;

	/* DEV_QUERY: the daemon's structure for query_type. */
	uint32_t query_type;
	uint32_t query_size;
	unsigned char query_data[256];
	uint32_t query_size_seen;

	struct gpu_proto_mali_flush_caches flush_seen;

	/* mali-csf memory: the last argument seen (binds: its single op). */
	unsigned long mem_request;
	union {
		struct gpu_proto_mali_bo_create bo_create;
		struct gpu_proto_mali_bo_mmap_offset mmap_offset;
		struct gpu_proto_mali_vm_create vm_create;
		struct gpu_proto_mali_vm_destroy vm_destroy;
		struct gpu_proto_mali_vm_bind vm_bind;
		struct gpu_proto_mali_vm_get_state vm_state;
	} mem_seen;
	struct gpu_proto_mali_vm_bind_op bind_op_seen;

	/* Sync objects and submission: the last request and its argument. */
	unsigned long last_request;
	unsigned char last_arg[128];
	int64_t timeouts_seen[4];
	size_t ntimeouts;
};

/* As the daemon: copy min(cap, len) bytes, never a NUL, always report the length. */
static void fake_copy_string(char *buf, __kernel_size_t *cap, const char *s)
{
	size_t len = strlen(s);

	if (buf && *cap)
		memcpy(buf, s, len < *cap ? len : *cap);
	*cap = len;
}

static int fake_version(struct fake_daemon *f, struct gpu_proto_version *v)
{
	const char *name = f->name;

	if (f->name_grows_every_call) {
		memset(f->grown_name, 'x', sizeof(f->grown_name));
		f->grown_name[8 + f->version_calls] = '\0';
		name = f->grown_name;
	} else if (f->version_calls > 0 && f->name_later) {
		name = f->name_later;
	}
	f->version_calls++;
	v->version_major = 1;
	v->version_minor = 2;
	v->version_patchlevel = 3;
	fake_copy_string(v->name, &v->name_len, name);
	fake_copy_string(v->date, &v->date_len, f->date);
	fake_copy_string(v->desc, &v->desc_len, f->desc);
	return 0;
}

static int fake_unique(struct fake_daemon *f, struct gpu_proto_unique *u)
{
	size_t len = strlen(f->unique);

	/* All or nothing, as drm_getunique. */
	if (u->unique_len >= len)
		memcpy(u->unique, f->unique, len);
	u->unique_len = len;
	return 0;
}

static int fake_dev_query(struct fake_daemon *f, struct gpu_proto_mali_dev_query *q)
{
	unsigned char *dst = (unsigned char *)(uintptr_t)q->pointer;

	if (q->type != f->query_type) {
		errno = EINVAL;
		return -1;
	}
	if (!q->pointer) {
		q->size = f->query_size;
		return 0;
	}
	f->query_size_seen = q->size;
	memcpy(dst, f->query_data, q->size < f->query_size ? q->size : f->query_size);
	if (q->size > f->query_size)
		memset(dst + f->query_size, 0, q->size - f->query_size);
	return 0;
}

/* Sync objects and submission: remember the argument, answer as the daemon would. */
static int fake_sync_ioctl(struct fake_daemon *f, unsigned long request, void *arg)
{
	size_t size = _IOC_SIZE(request);

	if (size > sizeof(f->last_arg) || _IOC_TYPE(request) != GPU_PROTO_IOCTL_BASE) {
		errno = ENOTTY;
		return -1;
	}
	f->last_request = request;
	memcpy(f->last_arg, arg, size);
	switch (request) {
	case GPU_PROTO_IOCTL_SYNCOBJ_CREATE:
		((struct gpu_proto_syncobj_create *)arg)->handle = 5;
		return 0;
	case GPU_PROTO_IOCTL_SYNCOBJ_WAIT: {
		struct gpu_proto_syncobj_wait *w = arg;

		if (f->ntimeouts < ARRAY_SIZE(f->timeouts_seen))
			f->timeouts_seen[f->ntimeouts++] = w->timeout_nsec;
		w->first_signaled = 1;
		return 0;
	}
	case GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT:
		((struct gpu_proto_syncobj_timeline_wait *)arg)->first_signaled = 1;
		return 0;
	case GPU_PROTO_IOCTL_SYNCOBJ_QUERY: {
		struct gpu_proto_syncobj_timeline_array *q = arg;
		uint64_t *points = (uint64_t *)(uintptr_t)q->points;

		for (uint32_t i = 0; i < q->count_handles; i++)
			points[i] = 100 + i;
		return 0;
	}
	case GPU_PROTO_IOCTL_SYNCOBJ_STATUS: {
		struct gpu_proto_syncobj_status *st = arg;
		int32_t *status = (int32_t *)(uintptr_t)st->status;

		for (uint32_t i = 0; i < st->count_handles; i++)
			status[i] = i == 0 ? 1 : -EIO;
		return 0;
	}
	case GPU_PROTO_IOCTL_MALI_GROUP_CREATE:
		((struct gpu_proto_mali_group_create *)arg)->group_handle = 9;
		return 0;
	case GPU_PROTO_IOCTL_MALI_GROUP_GET_STATE:
		((struct gpu_proto_mali_group_get_state *)arg)->state =
			GPU_PROTO_MALI_GROUP_STATE_FATAL_FAULT;
		((struct gpu_proto_mali_group_get_state *)arg)->fatal_queues = 0x2;
		return 0;
	case GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE:
		((struct gpu_proto_mali_tiler_heap_create *)arg)->handle = 4;
		((struct gpu_proto_mali_tiler_heap_create *)arg)->tiler_heap_ctx_gpu_va = 0xfff000;
		((struct gpu_proto_mali_tiler_heap_create *)arg)->first_heap_chunk_gpu_va = 0xeee000;
		return 0;
	case GPU_PROTO_IOCTL_SYNCOBJ_DESTROY:
	case GPU_PROTO_IOCTL_SYNCOBJ_RESET:
	case GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL:
	case GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL:
	case GPU_PROTO_IOCTL_SYNCOBJ_TRANSFER:
	case GPU_PROTO_IOCTL_MALI_GROUP_DESTROY:
	case GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT:
	case GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY:
		return 0;
	default:
		errno = EINVAL;
		return -1;
	}
}

static int fake_ioctl(void *data, int fd, unsigned long request, void *arg)
{
	struct fake_daemon *f = data;

	f->calls++;
	if (f->transient_next < ARRAY_SIZE(f->transient) && f->transient[f->transient_next]) {
		errno = f->transient[f->transient_next++];
		return -1;
	}
	if (f->fail_errno) {
		errno = f->fail_errno;
		return -1;
	}
	switch (request) {
	case GPU_PROTO_IOCTL_VERSION:
		return fake_version(f, arg);
	case GPU_PROTO_IOCTL_GET_UNIQUE:
		return fake_unique(f, arg);
	case GPU_PROTO_IOCTL_GET_CAP:
		((struct gpu_proto_get_cap *)arg)->value = 0x1234;
		return 0;
	case GPU_PROTO_IOCTL_MALI_DEV_QUERY:
		return fake_dev_query(f, arg);
	case GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES:
		f->flush_seen = *(struct gpu_proto_mali_flush_caches *)arg;
		return 0;
	case GPU_PROTO_IOCTL_MALI_BO_CREATE:
		f->mem_request = request;
		f->mem_seen.bo_create = *(struct gpu_proto_mali_bo_create *)arg;
		((struct gpu_proto_mali_bo_create *)arg)->handle = 7;
		((struct gpu_proto_mali_bo_create *)arg)->size = 8192;
		return 0;
	case GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET:
		f->mem_seen.mmap_offset = *(struct gpu_proto_mali_bo_mmap_offset *)arg;
		((struct gpu_proto_mali_bo_mmap_offset *)arg)->offset = 0x100000000ull;
		return 0;
	case GPU_PROTO_IOCTL_MALI_VM_CREATE:
		f->mem_seen.vm_create = *(struct gpu_proto_mali_vm_create *)arg;
		((struct gpu_proto_mali_vm_create *)arg)->id = 3;
		((struct gpu_proto_mali_vm_create *)arg)->user_va_range = 1ull << 47;
		return 0;
	case GPU_PROTO_IOCTL_MALI_VM_DESTROY:
		f->mem_seen.vm_destroy = *(struct gpu_proto_mali_vm_destroy *)arg;
		return 0;
	case GPU_PROTO_IOCTL_MALI_VM_BIND:
		f->mem_seen.vm_bind = *(struct gpu_proto_mali_vm_bind *)arg;
		if (f->mem_seen.vm_bind.ops.count == 1)
			f->bind_op_seen = *(struct gpu_proto_mali_vm_bind_op *)(uintptr_t)
						   f->mem_seen.vm_bind.ops.array;
		return 0;
	case GPU_PROTO_IOCTL_MALI_VM_GET_STATE:
		f->mem_seen.vm_state = *(struct gpu_proto_mali_vm_get_state *)arg;
		((struct gpu_proto_mali_vm_get_state *)arg)->state = GPU_PROTO_MALI_VM_STATE_UNUSABLE;
		return 0;
	default:
		return fake_sync_ioctl(f, request, arg);
	}
}

static const struct gpc_sys_ops fake_ops = { .ioctl = fake_ioctl };

static struct fake_daemon fake;
static struct gpc_device *dev;
static int peer = -1;	/* the daemon's end of the socket pair */

/* Every test gets a handle on one end of a fresh socket pair, with fake ioctls. */
static void setup(void)
{
	int sv[2];

	memset(&fake, 0, sizeof(fake));
	fake.name = "panthor";
	fake.date = "0";
	fake.desc = "gpu-proto mali-csf";
	fake.unique = "fb000000.gpu";
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(gpc_open_fd(sv[0], 0, &dev), 0);
	close(sv[0]);	/* the handle holds its own duplicate */
	peer = sv[1];
	gpc_private_set_sys_ops(dev, &fake_ops, &fake);
}

static void teardown(void)
{
	gpc_close(dev);
	dev = NULL;
	if (peer >= 0)
		close(peer);
	peer = -1;
}

/* ------------------------------------------------------------------------ */
/* Opening                                                                   */
/* ------------------------------------------------------------------------ */

START_TEST(open_of_a_missing_node_is_enoent)
{
	struct gpc_device *d = (struct gpc_device *)&d;

	errno = 0;
	ck_assert_int_eq(gpc_open("/nonexistent/gpu-proto", 0, &d), -ENOENT);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(d);
}
END_TEST

START_TEST(open_rejects_unknown_flags)
{
	struct gpc_device *d = NULL;

	ck_assert_int_eq(gpc_open("/dev/null", 0x100, &d), -EINVAL);
	ck_assert_ptr_null(d);
}
END_TEST

START_TEST(open_sets_close_on_exec_and_nonblock_on_request)
{
	struct gpc_device *d = NULL;
	int fl;

	ck_assert_int_eq(gpc_open("/dev/null", GPC_OPEN_NONBLOCK, &d), 0);
	ck_assert(fcntl(gpc_fd(d), F_GETFD) & FD_CLOEXEC);
	fl = fcntl(gpc_fd(d), F_GETFL);
	ck_assert(fl & O_NONBLOCK);
	ck_assert_int_eq(fl & O_ACCMODE, O_RDWR);
	gpc_close(d);
}
END_TEST

START_TEST(open_fd_works_on_a_duplicate_the_caller_keeps_its_fd)
{
	struct gpc_device *d = NULL;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(gpc_open_fd(fd, 0, &d), 0);
	ck_assert_int_ne(gpc_fd(d), fd);
	ck_assert(fcntl(gpc_fd(d), F_GETFD) & FD_CLOEXEC);
	gpc_close(d);
	ck_assert_int_ne(fcntl(fd, F_GETFD), -1);
	close(fd);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* ioctl restart and errno                                                   */
/* ------------------------------------------------------------------------ */

START_TEST(ioctl_is_restarted_on_eintr_and_eagain)
{
	uint64_t value = 0;

	fake.transient[0] = EINTR;
	fake.transient[1] = EAGAIN;
	fake.transient[2] = EINTR;
	ck_assert_int_eq(gpc_get_cap(dev, GPU_PROTO_CAP_TIMESTAMP_MONOTONIC, &value), 0);
	ck_assert_uint_eq(value, 0x1234);
	ck_assert_int_eq(fake.calls, 4);
}
END_TEST

START_TEST(failure_is_returned_negative_and_set_in_errno)
{
	uint64_t value = 77;

	fake.fail_errno = EOPNOTSUPP;
	errno = 0;
	ck_assert_int_eq(gpc_get_cap(dev, GPU_PROTO_CAP_DUMB_BUFFER, &value), -EOPNOTSUPP);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	ck_assert_uint_eq(value, 77);	/* untouched on failure */
}
END_TEST

START_TEST(success_leaves_errno_alone_even_after_a_restart)
{
	uint64_t value;

	fake.transient[0] = EINTR;
	errno = ENOTUNIQ;
	ck_assert_int_eq(gpc_get_cap(dev, GPU_PROTO_CAP_PRIME, &value), 0);
	ck_assert_int_eq(errno, ENOTUNIQ);
}
END_TEST

START_TEST(raw_ioctl_returns_negative_errno)
{
	struct gpu_proto_get_cap arg = { .capability = 1 };

	fake.fail_errno = ENODEV;
	errno = 0;
	ck_assert_int_eq(gpc_ioctl(dev, GPU_PROTO_IOCTL_GET_CAP, &arg), -ENODEV);
	ck_assert_int_eq(errno, ENODEV);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* VERSION and GET_UNIQUE: two passes                                        */
/* ------------------------------------------------------------------------ */

START_TEST(version_asks_lengths_then_strings)
{
	struct gpc_version *v = NULL;

	ck_assert_int_eq(gpc_get_version(dev, &v), 0);
	ck_assert_str_eq(v->name, "panthor");
	ck_assert_str_eq(v->date, "0");
	ck_assert_str_eq(v->desc, "gpu-proto mali-csf");
	ck_assert_int_eq(v->major, 1);
	ck_assert_int_eq(v->minor, 2);
	ck_assert_int_eq(v->patchlevel, 3);
	ck_assert_int_eq(fake.version_calls, 2);
	gpc_version_free(v);
}
END_TEST

START_TEST(version_string_that_grew_between_passes_is_asked_again)
{
	struct gpc_version *v = NULL;

	fake.name_later = "panthor-with-a-much-longer-name";
	ck_assert_int_eq(gpc_get_version(dev, &v), 0);
	ck_assert_str_eq(v->name, "panthor-with-a-much-longer-name");
	ck_assert_int_eq(fake.version_calls, 3);
	gpc_version_free(v);
}
END_TEST

START_TEST(version_that_never_settles_gives_up_with_eagain)
{
	struct gpc_version *v = (struct gpc_version *)&v;

	fake.name_grows_every_call = true;
	ck_assert_int_eq(gpc_get_version(dev, &v), -EAGAIN);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_ptr_null(v);
	ck_assert_int_le(fake.version_calls, 8);
}
END_TEST

START_TEST(version_failure_of_the_first_pass_is_returned)
{
	struct gpc_version *v = NULL;

	fake.fail_errno = ENODEV;
	ck_assert_int_eq(gpc_get_version(dev, &v), -ENODEV);
	ck_assert_int_eq(errno, ENODEV);
	ck_assert_ptr_null(v);
}
END_TEST

START_TEST(unique_asks_length_then_string)
{
	char *s = NULL;

	ck_assert_int_eq(gpc_get_unique(dev, &s), 0);
	ck_assert_str_eq(s, "fb000000.gpu");
	ck_assert_int_eq(fake.calls, 2);
	free(s);
}
END_TEST

START_TEST(unique_on_a_render_node_is_eacces)
{
	char *s = (char *)&s;

	fake.fail_errno = EACCES;
	ck_assert_int_eq(gpc_get_unique(dev, &s), -EACCES);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_ptr_null(s);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* DEV_QUERY size negotiation                                                */
/* ------------------------------------------------------------------------ */

static const struct gpu_proto_mali_gpu_info g610 = {
	.gpu_id = 0xA8670005,
	.csf_id = 0x40a0412,
	.mmu_features = 0x2830,
	.max_threads = 2048,
	.as_present = 0xff,
	.shader_present = 0x50005,
	.l2_present = 1,
	.tiler_present = 1,
	.core_features = 0x2,
	.gpu_features = 0x7,
};

START_TEST(gpu_info_from_a_newer_daemon_drops_its_extra_fields)
{
	struct gpu_proto_mali_gpu_info info;

	fake.query_type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO;
	fake.query_size = sizeof(info) + 16;
	memcpy(fake.query_data, &g610, sizeof(g610));
	memset(fake.query_data + sizeof(g610), 0xEE, 16);

	/* info is exactly our size: copying the daemon's 128 bytes would overflow it (ASan). */
	ck_assert_int_eq(gpc_mali_gpu_info(dev, &info), 0);
	ck_assert_int_ge(fake.query_size_seen, sizeof(info) + 16);
	ck_assert_mem_eq(&info, &g610, sizeof(info));
}
END_TEST

START_TEST(gpu_info_from_an_older_daemon_reads_missing_fields_as_zero)
{
	struct gpu_proto_mali_gpu_info info;

	fake.query_type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO;
	fake.query_size = GPU_PROTO_MALI_GPU_INFO_MIN_SIZE;
	memcpy(fake.query_data, &g610, sizeof(g610));
	memset(&info, 0xAB, sizeof(info));

	ck_assert_int_eq(gpc_mali_gpu_info(dev, &info), 0);
	ck_assert_uint_eq(info.gpu_id, 0xA8670005);
	ck_assert_uint_eq(info.tiler_present, 1);
	ck_assert_uint_eq(info.core_features, 0);
	ck_assert_uint_eq(info.pad, 0);
	ck_assert_uint_eq(info.gpu_features, 0);
}
END_TEST

START_TEST(timestamp_from_a_daemon_without_the_offset_field_has_offset_zero)
{
	struct gpu_proto_mali_timestamp_info ts = { .timestamp_offset = 99 };
	const uint64_t old[2] = { 24000000, 123456789 };

	fake.query_type = GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO;
	fake.query_size = GPU_PROTO_MALI_TIMESTAMP_INFO_MIN_SIZE;
	memcpy(fake.query_data, old, sizeof(old));

	ck_assert_int_eq(gpc_mali_timestamp(dev, &ts), 0);
	ck_assert_uint_eq(ts.timestamp_frequency, 24000000);
	ck_assert_uint_eq(ts.current_timestamp, 123456789);
	ck_assert_uint_eq(ts.timestamp_offset, 0);
}
END_TEST

START_TEST(group_priorities_return_the_allowed_mask)
{
	uint8_t mask = 0;

	fake.query_type = GPU_PROTO_MALI_DEV_QUERY_GROUP_PRIORITIES_INFO;
	fake.query_size = 4;
	fake.query_data[0] = 0x3;
	ck_assert_int_eq(gpc_mali_group_priorities(dev, &mask), 0);
	ck_assert_uint_eq(mask, 0x3);
}
END_TEST

START_TEST(query_of_a_type_the_daemon_lacks_is_einval)
{
	struct gpu_proto_mali_gpu_info info;

	fake.query_type = GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO;	/* not GPU_INFO */
	ck_assert_int_eq(gpc_mali_gpu_info(dev, &info), -EINVAL);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(flush_caches_sends_user_data_with_zero_flags)
{
	fake.flush_seen.flags = 0xdead;
	fake.flush_seen.pad = 0xbeef;
	ck_assert_int_eq(gpc_mali_flush_caches(dev, 0x1122334455667788ull), 0);
	ck_assert_uint_eq(fake.flush_seen.user_data, 0x1122334455667788ull);
	ck_assert_uint_eq(fake.flush_seen.flags, 0);
	ck_assert_uint_eq(fake.flush_seen.pad, 0);
}
END_TEST

START_TEST(mali_bo_calls_send_panthors_arguments)
{
	uint32_t handle = 0;
	uint64_t size = 0, offset = 0;

	ck_assert_int_eq(gpc_mali_bo_create(dev, 5000, GPU_PROTO_MALI_BO_NO_MMAP, 2, &handle, &size), 0);
	ck_assert_uint_eq(fake.mem_request, GPU_PROTO_IOCTL_MALI_BO_CREATE);
	ck_assert_uint_eq(fake.mem_seen.bo_create.size, 5000);
	ck_assert_uint_eq(fake.mem_seen.bo_create.flags, GPU_PROTO_MALI_BO_NO_MMAP);
	ck_assert_uint_eq(fake.mem_seen.bo_create.exclusive_vm_id, 2);
	ck_assert_uint_eq(fake.mem_seen.bo_create.pad, 0);
	ck_assert_uint_eq(handle, 7);
	ck_assert_uint_eq(size, 8192);
	ck_assert_int_eq(gpc_mali_bo_mmap_offset(dev, 7, &offset), 0);
	ck_assert_uint_eq(fake.mem_seen.mmap_offset.handle, 7);
	ck_assert_uint_eq(offset, 0x100000000ull);
}
END_TEST

START_TEST(mali_vm_calls_send_panthors_arguments)
{
	uint32_t id = 0, state = 0;
	uint64_t range = 0;

	ck_assert_int_eq(gpc_mali_vm_create(dev, 1ull << 32, &id, &range), 0);
	ck_assert_uint_eq(fake.mem_seen.vm_create.user_va_range, 1ull << 32);
	ck_assert_uint_eq(fake.mem_seen.vm_create.flags, 0);
	ck_assert_uint_eq(id, 3);
	ck_assert_uint_eq(range, 1ull << 47);

	ck_assert_int_eq(gpc_mali_vm_bind_map(dev, 3, 7, 4096, 0x10000000, 8192,
					      GPU_PROTO_MALI_VM_BIND_OP_MAP_READONLY), 0);
	ck_assert_uint_eq(fake.mem_seen.vm_bind.vm_id, 3);
	ck_assert_uint_eq(fake.mem_seen.vm_bind.flags, 0);	/* synchronous */
	ck_assert_uint_eq(fake.mem_seen.vm_bind.ops.count, 1);
	ck_assert_uint_eq(fake.mem_seen.vm_bind.ops.stride, sizeof(struct gpu_proto_mali_vm_bind_op));
	ck_assert_uint_eq(fake.bind_op_seen.flags, GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP |
						   GPU_PROTO_MALI_VM_BIND_OP_MAP_READONLY);
	ck_assert_uint_eq(fake.bind_op_seen.bo_handle, 7);
	ck_assert_uint_eq(fake.bind_op_seen.bo_offset, 4096);
	ck_assert_uint_eq(fake.bind_op_seen.va, 0x10000000);
	ck_assert_uint_eq(fake.bind_op_seen.size, 8192);
	ck_assert_uint_eq(fake.bind_op_seen.syncs.count, 0);

	ck_assert_int_eq(gpc_mali_vm_bind_unmap(dev, 3, 0x10000000, 4096), 0);
	ck_assert_uint_eq(fake.bind_op_seen.flags, GPU_PROTO_MALI_VM_BIND_OP_TYPE_UNMAP);
	ck_assert_uint_eq(fake.bind_op_seen.bo_handle, 0);
	ck_assert_uint_eq(fake.bind_op_seen.size, 4096);
	/* A type smuggled in through the MAP flags is refused before the daemon. */
	fake.calls = 0;
	ck_assert_int_eq(gpc_mali_vm_bind_map(dev, 3, 7, 0, 0, 4096,
					      GPU_PROTO_MALI_VM_BIND_OP_TYPE_UNMAP), -EINVAL);
	ck_assert_int_eq(fake.calls, 0);

	ck_assert_int_eq(gpc_mali_vm_get_state(dev, 3, &state), 0);
	ck_assert_uint_eq(fake.mem_seen.vm_state.vm_id, 3);
	ck_assert_uint_eq(state, GPU_PROTO_MALI_VM_STATE_UNUSABLE);
	ck_assert_int_eq(gpc_mali_vm_destroy(dev, 3), 0);
	ck_assert_uint_eq(fake.mem_seen.vm_destroy.id, 3);
}
END_TEST

START_TEST(mali_memory_errors_leave_out_parameters_and_errno)
{
	uint32_t handle = 99, id = 99, state = 99;
	uint64_t offset = 99;

	fake.fail_errno = ENOENT;
	errno = 1234;
	ck_assert_int_eq(gpc_mali_bo_create(dev, 4096, 0, 0, &handle, NULL), -ENOENT);
	ck_assert_int_eq(gpc_mali_bo_mmap_offset(dev, 1, &offset), -ENOENT);
	ck_assert_int_eq(gpc_mali_vm_create(dev, 0, &id, NULL), -ENOENT);
	ck_assert_int_eq(gpc_mali_vm_get_state(dev, 1, &state), -ENOENT);
	ck_assert_int_eq(gpc_mali_vm_bind_unmap(dev, 1, 0, 4096), -ENOENT);
	ck_assert_uint_eq(handle, 99);
	ck_assert_uint_eq(offset, 99);
	ck_assert_uint_eq(id, 99);
	ck_assert_uint_eq(state, 99);
	ck_assert_int_eq(gpc_mali_bo_create(dev, 4096, 0, 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(gpc_mali_vm_get_state(dev, 1, NULL), -EINVAL);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Sync objects and submission (GPUPROTO_0.4)                                */
/* ------------------------------------------------------------------------ */

#define SEEN(type) ((const type *)(const void *)fake.last_arg)

START_TEST(syncobj_calls_send_drms_arguments)
{
	const uint32_t handles[2] = { 5, 6 };
	const uint64_t points[2] = { 3, 4 };
	uint64_t got[2] = { 0, 0 };
	int32_t status[2] = { 7, 7 };
	uint32_t handle = 0, first = 99;

	ck_assert_int_eq(gpc_syncobj_create(dev, GPU_PROTO_SYNCOBJ_CREATE_SIGNALED, &handle), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_SYNCOBJ_CREATE);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_create)->flags,
			  GPU_PROTO_SYNCOBJ_CREATE_SIGNALED);
	ck_assert_uint_eq(handle, 5);

	ck_assert_int_eq(gpc_syncobj_destroy(dev, 5), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_SYNCOBJ_DESTROY);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_destroy)->handle, 5);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_destroy)->pad, 0);

	ck_assert_int_eq(gpc_syncobj_wait(dev, handles, 2, 123456789, 0, &first), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_SYNCOBJ_WAIT);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_wait)->handles, (uintptr_t)handles);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_wait)->count_handles, 2);
	ck_assert_int_eq(SEEN(struct gpu_proto_syncobj_wait)->timeout_nsec, 123456789);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_wait)->flags, 0);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_wait)->pad, 0);
	ck_assert_uint_eq(first, 1);

	first = 99;
	ck_assert_int_eq(gpc_syncobj_timeline_wait(dev, handles, points, 2, 42,
						   GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL |
						   GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
						   &first), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_timeline_wait)->handles, (uintptr_t)handles);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_timeline_wait)->points, (uintptr_t)points);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_timeline_wait)->count_handles, 2);
	ck_assert_int_eq(SEEN(struct gpu_proto_syncobj_timeline_wait)->timeout_nsec, 42);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_timeline_wait)->flags,
			  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL |
			  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE);
	ck_assert_uint_eq(first, 1);

	ck_assert_int_eq(gpc_syncobj_reset(dev, handles, 2), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_SYNCOBJ_RESET);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_array)->handles, (uintptr_t)handles);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_array)->count_handles, 2);
	ck_assert_int_eq(gpc_syncobj_signal(dev, handles, 1), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_array)->count_handles, 1);

	ck_assert_int_eq(gpc_syncobj_timeline_signal(dev, handles, points, 2), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_timeline_array)->points, (uintptr_t)points);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_timeline_array)->flags, 0);

	ck_assert_int_eq(gpc_syncobj_query(dev, handles, got, 2,
					   GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_SYNCOBJ_QUERY);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_timeline_array)->flags,
			  GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED);
	ck_assert_uint_eq(got[0], 100);
	ck_assert_uint_eq(got[1], 101);

	ck_assert_int_eq(gpc_syncobj_transfer(dev, 6, 8, 5, 3,
					      GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_SYNCOBJ_TRANSFER);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_transfer)->dst_handle, 6);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_transfer)->dst_point, 8);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_transfer)->src_handle, 5);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_transfer)->src_point, 3);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_transfer)->flags,
			  GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT);

	ck_assert_int_eq(gpc_syncobj_status(dev, handles, points, status, 2), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_SYNCOBJ_STATUS);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_status)->handles, (uintptr_t)handles);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_status)->points, (uintptr_t)points);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_status)->count_handles, 2);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_status)->flags, 0);
	ck_assert_int_eq(status[0], 1);
	ck_assert_int_eq(status[1], -EIO);
	/* Binary objects: no points array at all. */
	ck_assert_int_eq(gpc_syncobj_status(dev, handles, NULL, status, 1), 0);
	ck_assert_uint_eq(SEEN(struct gpu_proto_syncobj_status)->points, 0);
}
END_TEST

START_TEST(syncobj_errors_leave_out_parameters_and_set_errno)
{
	const uint32_t handles[2] = { 5, 6 };
	const uint64_t points[2] = { 1, 2 };
	uint64_t got[2] = { 77, 77 };
	int32_t status[2] = { 77, 77 };
	uint32_t handle = 77, first = 77;

	/* Refused before the daemon: NULL arrays, empty arrays. */
	ck_assert_int_eq(gpc_syncobj_create(dev, 0, NULL), -EINVAL);
	ck_assert_int_eq(gpc_syncobj_wait(dev, NULL, 1, 0, 0, NULL), -EINVAL);
	ck_assert_int_eq(gpc_syncobj_wait(dev, handles, 0, 0, 0, NULL), -EINVAL);
	ck_assert_int_eq(gpc_syncobj_timeline_wait(dev, handles, NULL, 1, 0, 0, NULL), -EINVAL);
	ck_assert_int_eq(gpc_syncobj_reset(dev, handles, 0), -EINVAL);
	ck_assert_int_eq(gpc_syncobj_signal(dev, NULL, 1), -EINVAL);
	ck_assert_int_eq(gpc_syncobj_timeline_signal(dev, handles, NULL, 1), -EINVAL);
	ck_assert_int_eq(gpc_syncobj_query(dev, handles, NULL, 1, 0), -EINVAL);
	ck_assert_int_eq(gpc_syncobj_status(dev, handles, points, NULL, 1), -EINVAL);
	ck_assert_int_eq(gpc_syncobj_destroy(NULL, 1), -EINVAL);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(fake.calls, 0);

	/* The daemon's errors come back as they are; outputs stay as they were. */
	fake.fail_errno = ENOENT;
	errno = 0;
	ck_assert_int_eq(gpc_syncobj_create(dev, 0, &handle), -ENOENT);
	ck_assert_int_eq(errno, ENOENT);
	fake.fail_errno = ETIME;
	ck_assert_int_eq(gpc_syncobj_wait(dev, handles, 2, 0, 0, &first), -ETIME);
	ck_assert_int_eq(errno, ETIME);
	ck_assert_int_eq(gpc_syncobj_timeline_wait(dev, handles, points, 2, 0, 0, &first), -ETIME);
	fake.fail_errno = EINVAL;
	ck_assert_int_eq(gpc_syncobj_query(dev, handles, got, 2, 0), -EINVAL);
	ck_assert_int_eq(gpc_syncobj_status(dev, handles, points, status, 2), -EINVAL);
	ck_assert_uint_eq(handle, 77);
	ck_assert_uint_eq(first, 77);
	ck_assert_uint_eq(got[0], 77);
	ck_assert_uint_eq(got[1], 77);
	ck_assert_int_eq(status[0], 77);
	ck_assert_int_eq(status[1], 77);
}
END_TEST

START_TEST(syncobj_wait_restarted_after_eintr_keeps_its_absolute_deadline)
{
	const uint32_t h = 5;
	int64_t deadline = gpc_timeout_abs(5000000000);

	fake.transient[0] = EINTR;
	fake.transient[1] = EAGAIN;
	/* The fake records timeouts only for calls it answers: make it answer twice. */
	ck_assert_int_eq(gpc_syncobj_wait(dev, &h, 1, deadline, 0, NULL), 0);
	ck_assert_int_eq(gpc_syncobj_wait(dev, &h, 1, deadline, 0, NULL), 0);
	ck_assert_int_eq(fake.calls, 4);
	ck_assert_uint_eq(fake.ntimeouts, 2);
	ck_assert_int_eq(fake.timeouts_seen[0], deadline);
	ck_assert_int_eq(fake.timeouts_seen[1], deadline);
}
END_TEST

START_TEST(timeout_abs_is_now_plus_the_delay_saturated)
{
	struct timespec ts;
	int64_t now, t;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	t = gpc_timeout_abs(1000000000);
	ck_assert_int_ge(t, now + 1000000000);
	ck_assert_int_lt(t, now + 1000000000 + 60 * 1000000000ll);
	ck_assert_int_ge(gpc_timeout_abs(0), now);
	ck_assert_int_le(gpc_timeout_abs(-5), gpc_timeout_abs(0));
	ck_assert_int_eq(gpc_timeout_abs(INT64_MAX), INT64_MAX);
	ck_assert_int_eq(gpc_timeout_abs(INT64_MAX - 1), INT64_MAX);
}
END_TEST

START_TEST(group_create_without_cores_uses_every_core_gpu_info_reports)
{
	const struct gpu_proto_mali_queue_create queues[2] = {
		{ .priority = 1, .ringbuf_size = 4096 }, { .priority = 15, .ringbuf_size = 65536 },
	};
	const struct gpu_proto_mali_group_create *seen = SEEN(struct gpu_proto_mali_group_create);
	uint32_t group = 0;

	fake.query_type = GPU_PROTO_MALI_DEV_QUERY_GPU_INFO;
	fake.query_size = sizeof(g610);
	memcpy(fake.query_data, &g610, sizeof(g610));
	ck_assert_int_eq(gpc_mali_group_create(dev, 3, GPU_PROTO_MALI_GROUP_PRIORITY_MEDIUM,
					       queues, 2, NULL, &group), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_MALI_GROUP_CREATE);
	ck_assert_uint_eq(group, 9);
	ck_assert_uint_eq(seen->vm_id, 3);
	ck_assert_uint_eq(seen->priority, GPU_PROTO_MALI_GROUP_PRIORITY_MEDIUM);
	ck_assert_uint_eq(seen->queues.count, 2);
	ck_assert_uint_eq(seen->queues.stride, sizeof(queues[0]));
	ck_assert_uint_eq(seen->queues.array, (uintptr_t)queues);
	/* G610 of the fake: shader_present 0x50005 (4 cores), one tiler. */
	ck_assert_uint_eq(seen->compute_core_mask, 0x50005);
	ck_assert_uint_eq(seen->fragment_core_mask, 0x50005);
	ck_assert_uint_eq(seen->tiler_core_mask, 1);
	ck_assert_uint_eq(seen->max_compute_cores, 4);
	ck_assert_uint_eq(seen->max_fragment_cores, 4);
	ck_assert_uint_eq(seen->max_tiler_cores, 1);
	ck_assert_uint_eq(seen->pad, 0);
}
END_TEST

START_TEST(group_create_with_cores_passes_them_as_given)
{
	const struct gpu_proto_mali_queue_create q = { .ringbuf_size = 8192 };
	const struct gpc_mali_group_cores cores = {
		.compute_core_mask = 0x1, .fragment_core_mask = 0x4, .tiler_core_mask = 0x1,
		.max_compute_cores = 1, .max_fragment_cores = 1, .max_tiler_cores = 1,
	};
	const struct gpu_proto_mali_group_create *seen = SEEN(struct gpu_proto_mali_group_create);
	uint32_t group = 0;

	ck_assert_int_eq(gpc_mali_group_create(dev, 2, GPU_PROTO_MALI_GROUP_PRIORITY_LOW, &q, 1,
					       &cores, &group), 0);
	ck_assert_int_eq(fake.calls, 1);	/* no DEV_QUERY */
	ck_assert_uint_eq(seen->compute_core_mask, 0x1);
	ck_assert_uint_eq(seen->fragment_core_mask, 0x4);
	ck_assert_uint_eq(seen->tiler_core_mask, 0x1);
	ck_assert_uint_eq(seen->max_compute_cores, 1);
	ck_assert_uint_eq(seen->priority, GPU_PROTO_MALI_GROUP_PRIORITY_LOW);
	ck_assert_uint_eq(group, 9);
}
END_TEST

START_TEST(submission_calls_send_panthors_arguments)
{
	const struct gpu_proto_mali_sync_op sync = {
		.flags = GPU_PROTO_MALI_SYNC_OP_SIGNAL |
			 GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_TIMELINE_SYNCOBJ,
		.handle = 5, .timeline_value = 1,
	};
	const struct gpu_proto_mali_queue_submit qs = {
		.queue_index = 0, .stream_size = 8, .stream_addr = 0x100000,
		.syncs = { .stride = sizeof(sync), .count = 1, .array = (uintptr_t)&sync },
	};
	uint32_t state = 0, fatal = 0, heap = 0;
	uint64_t ctx = 0, chunk = 0;

	ck_assert_int_eq(gpc_mali_group_submit(dev, 9, &qs, 1), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT);
	ck_assert_uint_eq(SEEN(struct gpu_proto_mali_group_submit)->group_handle, 9);
	ck_assert_uint_eq(SEEN(struct gpu_proto_mali_group_submit)->pad, 0);
	ck_assert_uint_eq(SEEN(struct gpu_proto_mali_group_submit)->queue_submits.count, 1);
	ck_assert_uint_eq(SEEN(struct gpu_proto_mali_group_submit)->queue_submits.stride,
			  sizeof(qs));
	ck_assert_uint_eq(SEEN(struct gpu_proto_mali_group_submit)->queue_submits.array,
			  (uintptr_t)&qs);

	ck_assert_int_eq(gpc_mali_group_get_state(dev, 9, &state, &fatal), 0);
	ck_assert_uint_eq(SEEN(struct gpu_proto_mali_group_get_state)->group_handle, 9);
	ck_assert_uint_eq(state, GPU_PROTO_MALI_GROUP_STATE_FATAL_FAULT);
	ck_assert_uint_eq(fatal, 0x2);
	ck_assert_int_eq(gpc_mali_group_get_state(dev, 9, &state, NULL), 0);

	ck_assert_int_eq(gpc_mali_group_destroy(dev, 9), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_MALI_GROUP_DESTROY);
	ck_assert_uint_eq(SEEN(struct gpu_proto_mali_group_destroy)->group_handle, 9);

	ck_assert_int_eq(gpc_mali_tiler_heap_create(dev, 3, 2, 128 * 1024, 8, 1, &heap, &ctx,
						    &chunk), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE);
	ck_assert_uint_eq(SEEN(struct gpu_proto_mali_tiler_heap_create)->vm_id, 3);
	ck_assert_uint_eq(SEEN(struct gpu_proto_mali_tiler_heap_create)->initial_chunk_count, 2);
	ck_assert_uint_eq(SEEN(struct gpu_proto_mali_tiler_heap_create)->chunk_size, 128 * 1024);
	ck_assert_uint_eq(SEEN(struct gpu_proto_mali_tiler_heap_create)->max_chunks, 8);
	ck_assert_uint_eq(SEEN(struct gpu_proto_mali_tiler_heap_create)->target_in_flight, 1);
	ck_assert_uint_eq(heap, 4);
	ck_assert_uint_eq(ctx, 0xfff000);
	ck_assert_uint_eq(chunk, 0xeee000);
	ck_assert_int_eq(gpc_mali_tiler_heap_destroy(dev, 4), 0);
	ck_assert_uint_eq(fake.last_request, GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY);
	ck_assert_uint_eq(SEEN(struct gpu_proto_mali_tiler_heap_destroy)->handle, 4);
}
END_TEST

START_TEST(submission_errors_leave_out_parameters_and_set_errno)
{
	const struct gpu_proto_mali_queue_create q = { .ringbuf_size = 8192 };
	const struct gpc_mali_group_cores cores = { .compute_core_mask = 1 };
	const struct gpu_proto_mali_queue_submit qs = { 0 };
	uint32_t group = 77, state = 77, fatal = 77, heap = 77;
	uint64_t ctx = 77;

	ck_assert_int_eq(gpc_mali_group_create(dev, 1, 1, NULL, 1, &cores, &group), -EINVAL);
	ck_assert_int_eq(gpc_mali_group_create(dev, 1, 1, &q, 0, &cores, &group), -EINVAL);
	ck_assert_int_eq(gpc_mali_group_create(dev, 1, 1, &q, 1, &cores, NULL), -EINVAL);
	ck_assert_int_eq(gpc_mali_group_submit(dev, 1, &qs, 0), -EINVAL);
	ck_assert_int_eq(gpc_mali_group_submit(dev, 1, NULL, 1), -EINVAL);
	ck_assert_int_eq(gpc_mali_group_get_state(dev, 1, NULL, &fatal), -EINVAL);
	ck_assert_int_eq(gpc_mali_tiler_heap_create(dev, 1, 1, 1 << 17, 1, 1, NULL, NULL, NULL),
			 -EINVAL);
	ck_assert_int_eq(fake.calls, 0);

	fake.fail_errno = ENODEV;
	errno = 0;
	ck_assert_int_eq(gpc_mali_group_create(dev, 1, 1, &q, 1, &cores, &group), -ENODEV);
	ck_assert_int_eq(errno, ENODEV);
	/* Without cores the GPU_INFO query fails first, with the same error. */
	ck_assert_int_eq(gpc_mali_group_create(dev, 1, 1, &q, 1, NULL, &group), -ENODEV);
	ck_assert_int_eq(gpc_mali_group_submit(dev, 1, &qs, 1), -ENODEV);
	ck_assert_int_eq(gpc_mali_group_get_state(dev, 1, &state, &fatal), -ENODEV);
	ck_assert_int_eq(gpc_mali_tiler_heap_create(dev, 1, 1, 1 << 17, 1, 1, &heap, &ctx, NULL),
			 -ENODEV);
	ck_assert_int_eq(gpc_mali_group_destroy(dev, 1), -ENODEV);
	ck_assert_int_eq(gpc_mali_tiler_heap_destroy(dev, 1), -ENODEV);
	ck_assert_uint_eq(group, 77);
	ck_assert_uint_eq(state, 77);
	ck_assert_uint_eq(fatal, 77);
	ck_assert_uint_eq(heap, 77);
	ck_assert_uint_eq(ctx, 77);
}
END_TEST

START_TEST(gpu_id_of_mali_g610_decodes_as_arch_10_8_rev_6_product_7_r0p0_status_5)
{
	struct gpc_mali_gpu_id id;

	gpc_mali_decode_gpu_id(0xA8670005, &id);
	ck_assert_uint_eq(id.arch_major, 10);
	ck_assert_uint_eq(id.arch_minor, 8);
	ck_assert_uint_eq(id.arch_rev, 6);
	ck_assert_uint_eq(id.product_major, 7);
	ck_assert_uint_eq(id.version_major, 0);
	ck_assert_uint_eq(id.version_minor, 0);
	ck_assert_uint_eq(id.version_status, 5);
}
END_TEST

START_TEST(gpu_id_version_minor_is_eight_bits_wide)
{
	struct gpc_mali_gpu_id id;

	gpc_mali_decode_gpu_id(0x00001ff0, &id);
	ck_assert_uint_eq(id.version_major, 1);
	ck_assert_uint_eq(id.version_minor, 0xff);
	ck_assert_uint_eq(id.version_status, 0);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Events                                                                    */
/* ------------------------------------------------------------------------ */

static struct gpu_proto_mali_event_flush_done flush_done(uint64_t user_data)
{
	return (struct gpu_proto_mali_event_flush_done){
		.base = { .type = GPU_PROTO_MALI_EVENT_FLUSH_DONE, .length = 24 },
		.user_data = user_data,
		.gpu_timestamp = ~user_data,
	};
}

/* One write on the SEQPACKET pair is what one read(2) of the device returns. */
static void daemon_sends(const void *events, size_t len)
{
	ck_assert_int_eq(write(peer, events, len), (ssize_t)len);
}

/* Real read(2), counted. */
static atomic_int reads;

static ssize_t counting_read(void *data, int fd, void *buf, size_t count)
{
	atomic_fetch_add(&reads, 1);
	return read(fd, buf, count);
}

static const struct gpc_sys_ops counting_ops = { .read = counting_read };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

START_TEST(two_events_of_one_read_are_handed_out_one_per_call)
{
	struct gpu_proto_mali_event_flush_done two[2] = { flush_done(1), flush_done(2) }, ev;

	gpc_private_set_sys_ops(dev, &counting_ops, NULL);
	atomic_store(&reads, 0);
	daemon_sends(two, sizeof(two));

	ck_assert_int_eq(gpc_read_event(dev, &ev, sizeof(ev), 1000), 24);
	ck_assert_uint_eq(ev.user_data, 1);
	ck_assert_int_eq(gpc_read_event(dev, &ev, sizeof(ev), 1000), 24);
	ck_assert_uint_eq(ev.user_data, 2);
	ck_assert_uint_eq(ev.gpu_timestamp, ~(uint64_t)2);
	ck_assert_int_eq(atomic_load(&reads), 1);
}
END_TEST

START_TEST(buffer_too_small_for_the_event_is_einval_and_the_event_stays_queued)
{
	struct gpu_proto_mali_event_flush_done ev = flush_done(5);
	unsigned char small[16];

	daemon_sends(&ev, sizeof(ev));
	memset(&ev, 0, sizeof(ev));
	errno = 0;
	ck_assert_int_eq(gpc_read_event(dev, small, sizeof(small), 1000), -EINVAL);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(gpc_read_event(dev, &ev, sizeof(ev), 0), 24);
	ck_assert_uint_eq(ev.user_data, 5);
}
END_TEST

START_TEST(polling_with_nothing_queued_returns_0_at_once)
{
	unsigned char buf[64];
	uint64_t t0 = now_ms();

	errno = ENOTUNIQ;
	ck_assert_int_eq(gpc_read_event(dev, buf, sizeof(buf), 0), 0);
	ck_assert_int_eq(errno, ENOTUNIQ);
	ck_assert_uint_lt(now_ms() - t0, 1000);
}
END_TEST

START_TEST(waiting_with_nothing_queued_returns_0_after_the_timeout)
{
	unsigned char buf[64];
	uint64_t t0 = now_ms();

	ck_assert_int_eq(gpc_read_event(dev, buf, sizeof(buf), 100), 0);
	ck_assert_uint_ge(now_ms() - t0, 100);
}
END_TEST

START_TEST(hangup_is_enodev)
{
	unsigned char buf[64];

	close(peer);
	peer = -1;
	errno = 0;
	ck_assert_int_eq(gpc_read_event(dev, buf, sizeof(buf), -1), -ENODEV);
	ck_assert_int_eq(errno, ENODEV);
}
END_TEST

START_TEST(events_read_before_a_hangup_are_still_handed_out)
{
	struct gpu_proto_mali_event_flush_done two[2] = { flush_done(1), flush_done(2) }, ev;

	daemon_sends(two, sizeof(two));
	ck_assert_int_eq(gpc_read_event(dev, &ev, sizeof(ev), 1000), 24);
	close(peer);
	peer = -1;
	ck_assert_int_eq(gpc_read_event(dev, &ev, sizeof(ev), 1000), 24);
	ck_assert_uint_eq(ev.user_data, 2);
	ck_assert_int_eq(gpc_read_event(dev, &ev, sizeof(ev), 1000), -ENODEV);
}
END_TEST

START_TEST(event_shorter_than_its_header_is_eproto)
{
	const struct gpu_proto_event bad = { .type = GPU_PROTO_MALI_EVENT_FLUSH_DONE, .length = 4 };
	unsigned char buf[64];

	daemon_sends(&bad, sizeof(bad));
	ck_assert_int_eq(gpc_read_event(dev, buf, sizeof(buf), 1000), -EPROTO);
}
END_TEST

/* A daemon whose next event is 8 KiB: reads with a smaller buffer get EINVAL, as drm_read. */
static ssize_t big_event_read(void *data, int fd, void *buf, size_t count)
{
	struct gpu_proto_event hdr = { .type = GPU_PROTO_EVENT_DRIVER_BASE + 0x42, .length = 8192 };

	if (count < hdr.length) {
		errno = EINVAL;
		return -1;
	}
	memset(buf, 0x5A, hdr.length);
	memcpy(buf, &hdr, sizeof(hdr));
	return hdr.length;
}

static int always_readable(void *data, struct pollfd *fds, nfds_t nfds, int timeout)
{
	fds[0].revents = POLLIN;
	return 1;
}

START_TEST(event_larger_than_the_read_buffer_grows_it)
{
	static const struct gpc_sys_ops ops = { .read = big_event_read, .poll = always_readable };
	static unsigned char buf[8192];

	gpc_private_set_sys_ops(dev, &ops, NULL);
	ck_assert_int_eq(gpc_read_event(dev, buf, sizeof(buf), 0), 8192);
	ck_assert_uint_eq(buf[8191], 0x5A);
}
END_TEST

static int unplugged(void *data, struct pollfd *fds, nfds_t nfds, int timeout)
{
	fds[0].revents = POLLERR | POLLHUP;
	return 1;
}

START_TEST(pollerr_pollhup_from_the_device_is_enodev)
{
	static const struct gpc_sys_ops ops = { .poll = unplugged };
	unsigned char buf[64];

	gpc_private_set_sys_ops(dev, &ops, NULL);
	ck_assert_int_eq(gpc_read_event(dev, buf, sizeof(buf), -1), -ENODEV);
}
END_TEST

/* Two readers share one handle; every event must reach exactly one, whole. */
enum { EVENTS = 3000 };
#define STOP_TYPE (GPU_PROTO_EVENT_DRIVER_BASE + 0x7f)

static atomic_int seen[EVENTS];
static atomic_int torn;

static void *reader(void *arg)
{
	struct gpu_proto_mali_event_flush_done ev;
	int r;

	for (;;) {
		memset(&ev, 0, sizeof(ev));
		r = gpc_read_event(dev, &ev, sizeof(ev), 10000);
		if (r != 24) {
			atomic_fetch_add(&torn, 1);
			return NULL;
		}
		if (ev.base.type == STOP_TYPE)
			return NULL;
		if (ev.base.type != GPU_PROTO_MALI_EVENT_FLUSH_DONE || ev.base.length != 24 ||
		    ev.user_data >= EVENTS || ev.gpu_timestamp != ~ev.user_data)
			atomic_fetch_add(&torn, 1);
		else
			atomic_fetch_add(&seen[ev.user_data], 1);
	}
}

START_TEST(two_threads_reading_one_handle_each_get_whole_events)
{
	struct gpu_proto_mali_event_flush_done batch[3];
	pthread_t t[2];
	uint64_t next = 0;

	gpc_private_set_sys_ops(dev, NULL, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, reader, NULL), 0);

	/* Batches of 1, 2 and 3 events, so reads hand over varying leftovers. */
	while (next < EVENTS) {
		size_t n = 1 + next % 3;

		if (n > EVENTS - next)
			n = EVENTS - next;
		for (size_t i = 0; i < n; i++)
			batch[i] = flush_done(next++);
		daemon_sends(batch, n * sizeof(batch[0]));
	}
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		batch[0] = flush_done(0);
		batch[0].base.type = STOP_TYPE;
		daemon_sends(batch, sizeof(batch[0]));
	}
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		pthread_join(t[i], NULL);

	ck_assert_int_eq(atomic_load(&torn), 0);
	for (int i = 0; i < EVENTS; i++)
		ck_assert_msg(atomic_load(&seen[i]) == 1, "event %d seen %d times", i,
			      atomic_load(&seen[i]));
}
END_TEST

static atomic_int blocked_result;

static void *blocked_reader(void *arg)
{
	struct gpu_proto_mali_event_flush_done ev;

	atomic_store(&blocked_result, gpc_read_event(dev, &ev, sizeof(ev), -1));
	return NULL;
}

START_TEST(a_blocked_reader_does_not_hold_up_another_readers_timeout)
{
	struct gpu_proto_mali_event_flush_done ev = flush_done(9);
	pthread_t t;
	uint64_t t0;

	gpc_private_set_sys_ops(dev, NULL, NULL);
	atomic_store(&blocked_result, -1);
	ck_assert_int_eq(pthread_create(&t, NULL, blocked_reader, NULL), 0);
	usleep(50 * 1000);	/* let it settle into its wait */

	t0 = now_ms();
	ck_assert_int_eq(gpc_read_event(dev, &ev, sizeof(ev), 20), 0);
	ck_assert_uint_lt(now_ms() - t0, 2000);

	daemon_sends(&ev, sizeof(ev));
	pthread_join(t, NULL);
	ck_assert_int_eq(atomic_load(&blocked_result), 24);
}
END_TEST

static Suite *libclient_suite(void)
{
	Suite *s = suite_create("libclient");
	TCase *open_ = tcase_create("open");
	TCase *ioctl_ = tcase_create("ioctl");
	TCase *strings = tcase_create("two-pass strings");
	TCase *query = tcase_create("dev-query");
	TCase *events = tcase_create("events");
	TCase *sync = tcase_create("sync objects and submission");

	tcase_add_test(open_, open_of_a_missing_node_is_enoent);
	tcase_add_test(open_, open_rejects_unknown_flags);
	tcase_add_test(open_, open_sets_close_on_exec_and_nonblock_on_request);
	tcase_add_test(open_, open_fd_works_on_a_duplicate_the_caller_keeps_its_fd);
	suite_add_tcase(s, open_);

	tcase_add_checked_fixture(ioctl_, setup, teardown);
	tcase_add_test(ioctl_, ioctl_is_restarted_on_eintr_and_eagain);
	tcase_add_test(ioctl_, failure_is_returned_negative_and_set_in_errno);
	tcase_add_test(ioctl_, success_leaves_errno_alone_even_after_a_restart);
	tcase_add_test(ioctl_, raw_ioctl_returns_negative_errno);
	suite_add_tcase(s, ioctl_);

	tcase_add_checked_fixture(strings, setup, teardown);
	tcase_add_test(strings, version_asks_lengths_then_strings);
	tcase_add_test(strings, version_string_that_grew_between_passes_is_asked_again);
	tcase_add_test(strings, version_that_never_settles_gives_up_with_eagain);
	tcase_add_test(strings, version_failure_of_the_first_pass_is_returned);
	tcase_add_test(strings, unique_asks_length_then_string);
	tcase_add_test(strings, unique_on_a_render_node_is_eacces);
	suite_add_tcase(s, strings);

	tcase_add_checked_fixture(query, setup, teardown);
	tcase_add_test(query, gpu_info_from_a_newer_daemon_drops_its_extra_fields);
	tcase_add_test(query, gpu_info_from_an_older_daemon_reads_missing_fields_as_zero);
	tcase_add_test(query, timestamp_from_a_daemon_without_the_offset_field_has_offset_zero);
	tcase_add_test(query, group_priorities_return_the_allowed_mask);
	tcase_add_test(query, query_of_a_type_the_daemon_lacks_is_einval);
	tcase_add_test(query, flush_caches_sends_user_data_with_zero_flags);
	tcase_add_test(query, mali_bo_calls_send_panthors_arguments);
	tcase_add_test(query, mali_vm_calls_send_panthors_arguments);
	tcase_add_test(query, mali_memory_errors_leave_out_parameters_and_errno);
	tcase_add_test(query, gpu_id_of_mali_g610_decodes_as_arch_10_8_rev_6_product_7_r0p0_status_5);
	tcase_add_test(query, gpu_id_version_minor_is_eight_bits_wide);
	suite_add_tcase(s, query);

	tcase_add_checked_fixture(sync, setup, teardown);
	tcase_add_test(sync, syncobj_calls_send_drms_arguments);
	tcase_add_test(sync, syncobj_errors_leave_out_parameters_and_set_errno);
	tcase_add_test(sync, syncobj_wait_restarted_after_eintr_keeps_its_absolute_deadline);
	tcase_add_test(sync, timeout_abs_is_now_plus_the_delay_saturated);
	tcase_add_test(sync, group_create_without_cores_uses_every_core_gpu_info_reports);
	tcase_add_test(sync, group_create_with_cores_passes_them_as_given);
	tcase_add_test(sync, submission_calls_send_panthors_arguments);
	tcase_add_test(sync, submission_errors_leave_out_parameters_and_set_errno);
	suite_add_tcase(s, sync);

	tcase_add_checked_fixture(events, setup, teardown);
	tcase_set_timeout(events, 30);
	tcase_add_test(events, two_events_of_one_read_are_handed_out_one_per_call);
	tcase_add_test(events, buffer_too_small_for_the_event_is_einval_and_the_event_stays_queued);
	tcase_add_test(events, polling_with_nothing_queued_returns_0_at_once);
	tcase_add_test(events, waiting_with_nothing_queued_returns_0_after_the_timeout);
	tcase_add_test(events, hangup_is_enodev);
	tcase_add_test(events, events_read_before_a_hangup_are_still_handed_out);
	tcase_add_test(events, event_shorter_than_its_header_is_eproto);
	tcase_add_test(events, event_larger_than_the_read_buffer_grows_it);
	tcase_add_test(events, pollerr_pollhup_from_the_device_is_enodev);
	tcase_add_test(events, two_threads_reading_one_handle_each_get_whole_events);
	tcase_add_test(events, a_blocked_reader_does_not_hold_up_another_readers_timeout);
	suite_add_tcase(s, events);
	return s;
}

int main(void)
{
	return gp_check_run(libclient_suite());
}
