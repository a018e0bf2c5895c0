// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Write fuzz_dispatch's seed corpus: the scenarios of the dispatch,
 * mali-csf, qemu-edu and event unit tests as fuzz_dispatch.h programs, each in
 * direct and retry mode (and both at once, FZ_F_DIFF, where that is
 * allowed).
 *
 *   gen-dispatch-seeds fuzz/corpus/dispatch
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_dispatch.h"

#define IN 1
#define OUT 2
#define RW 3

struct seed {
	unsigned char b[4096];
	size_t n;
};

static const char *out_dir;
static unsigned int written;

static void put8(struct seed *s, uint8_t v)
{
	if (s->n >= sizeof(s->b)) {
		fprintf(stderr, "seed too long\n");
		exit(1);
	}
	s->b[s->n++] = v;
}

static void put16(struct seed *s, uint16_t v)
{
	put8(s, (uint8_t)v);
	put8(s, (uint8_t)(v >> 8));
}

static void put32(struct seed *s, uint32_t v)
{
	put16(s, (uint16_t)v);
	put16(s, (uint16_t)(v >> 16));
}

static void put64(struct seed *s, uint64_t v)
{
	put32(s, (uint32_t)v);
	put32(s, (uint32_t)(v >> 32));
}

static void op_map(struct seed *s, uint16_t off, uint16_t len, uint8_t prot)
{
	put8(s, FZ_OP_MAP);
	put16(s, off);
	put16(s, len);
	put8(s, prot);
}

static void op_poke(struct seed *s, uint16_t off, const void *p, size_t n)
{
	const unsigned char *bytes = p;

	while (n) {
		size_t k = n > 255 ? 255 : n;

		put8(s, FZ_OP_POKE);
		put16(s, off);
		put8(s, (uint8_t)k);
		for (size_t i = 0; i < k; i++)
			put8(s, bytes[i]);
		off = (uint16_t)(off + k);
		bytes += k;
		n -= k;
	}
}

/* Store a pointer to arena + @to at arena + @at. */
static void op_ptr(struct seed *s, uint16_t at, uint16_t to)
{
	put8(s, FZ_OP_PTR);
	put16(s, at);
	put8(s, FZ_PTR_ARENA);
	put16(s, to);
}

static void op_ptr_wild(struct seed *s, uint16_t at, uint8_t which)
{
	put8(s, FZ_OP_PTR);
	put16(s, at);
	put8(s, FZ_PTR_WILD);
	put8(s, which);
}

static void op_u32(struct seed *s, uint16_t at, uint32_t v)
{
	put8(s, FZ_OP_U32);
	put16(s, at);
	put32(s, v);
}

static void op(struct seed *s, uint8_t code)
{
	put8(s, code);
}

/* An ioctl from fz_known_cmds[@known] with its argument at arena + @arg. */
static void op_ioctl(struct seed *s, uint8_t flags, uint8_t known, uint16_t arg)
{
	put8(s, FZ_OP_IOCTL | flags);
	put8(s, FZ_CMD_KNOWN);
	put8(s, known);
	put8(s, FZ_PTR_ARENA);
	put16(s, arg);
}

/* The same with another size in the command. */
static void op_ioctl_size(struct seed *s, uint8_t flags, uint8_t known, uint16_t size, uint16_t arg)
{
	put8(s, FZ_OP_IOCTL | flags);
	put8(s, FZ_CMD_KNOWN | FZ_CMD_SIZE);
	put8(s, known);
	put16(s, size);
	put8(s, FZ_PTR_ARENA);
	put16(s, arg);
}

/* A raw command and a pointer of kind @kind with operand @v. */
static void op_ioctl_raw(struct seed *s, uint8_t flags, uint32_t cmd, uint8_t kind, uint64_t v)
{
	put8(s, FZ_OP_IOCTL | flags);
	put8(s, FZ_CMD_RAW);
	put32(s, cmd);
	put8(s, kind);
	switch (kind & 7) {
	case FZ_PTR_WILD:
	case FZ_PTR_BEFORE:
		put8(s, (uint8_t)v);
		break;
	case FZ_PTR_RAW:
		put64(s, v);
		break;
	case FZ_PTR_NULL:
		break;
	default:
		put16(s, (uint16_t)v);
	}
}

__attribute__((format(printf, 2, 3)))
static void emit(const struct seed *s, const char *fmt, ...)
{
	char name[256], path[512];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	written++;
}

static const char *mode_name(uint8_t flags)
{
	return flags & FZ_F_DIFF ? "diff" : flags & FZ_F_RETRY ? "retry" : "direct";
}

static const uint8_t modes[] = { 0, FZ_F_RETRY, FZ_F_DIFF };
#define FOR_EACH_MODE(m) for (size_t m##_i = 0; m##_i < 3 && ((m = modes[m##_i]), 1); m##_i++)

/* --- core ioctls on mali-csf --- */

static void seeds_version(void)
{
	struct gpu_proto_version v = { .name_len = 32, .date_len = 8, .desc_len = 64 };
	uint8_t m;

	FOR_EACH_MODE(m) {
		struct seed s = { .n = 0 };

		put8(&s, 0);
		op_poke(&s, 0, &v, sizeof(v));
		op_ptr(&s, offsetof(struct gpu_proto_version, name), 256);
		op_ptr(&s, offsetof(struct gpu_proto_version, date), 512);
		op_ptr(&s, offsetof(struct gpu_proto_version, desc), 768);
		op_map(&s, 0, sizeof(v), RW);
		op_map(&s, 256, 32, OUT);
		op_map(&s, 512, 8, OUT);
		op_map(&s, 768, 64, OUT);
		op_ioctl(&s, m, 0, 0);
		emit(&s, "version-%s", mode_name(m));

		/* libdrm's first call: lengths only. */
		s.n = 0;
		put8(&s, 0);
		op_map(&s, 0, sizeof(v), RW);
		op_ioctl(&s, m, 0, 0);
		emit(&s, "version-lengths-%s", mode_name(m));

		/* Buffers shorter than the strings; the name buffer only half mapped. */
		s.n = 0;
		put8(&s, 0);
		op_poke(&s, 0, &(struct gpu_proto_version){ .name_len = 3, .date_len = 1, .desc_len = 5 },
			sizeof(v));
		op_ptr(&s, offsetof(struct gpu_proto_version, name), 256);
		op_ptr(&s, offsetof(struct gpu_proto_version, date), 512);
		op_ptr(&s, offsetof(struct gpu_proto_version, desc), 768);
		op_map(&s, 0, sizeof(v), RW);
		op_map(&s, 256, 2, OUT);
		op_map(&s, 512, 8, OUT);
		op_map(&s, 768, 64, IN);
		op_ioctl(&s, m, 0, 0);
		emit(&s, "version-short-%s", mode_name(m));

		/* A buffer pointer into the argument itself, and one that is wild. */
		s.n = 0;
		put8(&s, 0);
		op_poke(&s, 0, &v, sizeof(v));
		op_ptr(&s, offsetof(struct gpu_proto_version, name), 8);
		op_ptr_wild(&s, offsetof(struct gpu_proto_version, desc), 9);
		op_map(&s, 0, sizeof(v), RW);
		op_ioctl(&s, m, 0, 0);
		emit(&s, "version-aliased-%s", mode_name(m));
	}
}

static void seeds_unique_and_cap(void)
{
	static const uint64_t caps[] = { 0x6, 0x5, 0x13, 0x14, 0x1, 0xffffffffffffffffull };
	uint8_t m;

	FOR_EACH_MODE(m) {
		struct seed s = { .n = 0 };

		for (uint8_t node = 0; node < 2; node++) {
			s.n = 0;
			put8(&s, node ? FZ_H_PRIMARY : 0);
			op_poke(&s, 0, &(struct gpu_proto_unique){ .unique_len = 16 },
				sizeof(struct gpu_proto_unique));
			op_ptr(&s, offsetof(struct gpu_proto_unique, unique), 64);
			op_map(&s, 0, sizeof(struct gpu_proto_unique), RW);
			op_map(&s, 64, 16, OUT);
			op_ioctl(&s, m, 1, 0);
			emit(&s, "unique-%s-%s", node ? "primary" : "render", mode_name(m));
		}
		for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
			struct gpu_proto_get_cap c = { .capability = caps[i], .value = 0x5a5a };

			s.n = 0;
			put8(&s, 0);
			op_poke(&s, 0, &c, sizeof(c));
			op_map(&s, 0, sizeof(c), RW);
			op_ioctl(&s, m, 2, 0);
			emit(&s, "getcap-%#llx-%s", (unsigned long long)caps[i], mode_name(m));
		}
	}
}

/* --- mali-csf DEV_QUERY --- */

static void seeds_dev_query(void)
{
	static const struct {
		const char *name;
		uint8_t header;
		uint32_t type, size, mapped;
		uint8_t prot;
	} cases[] = {
		{ "gpu-info", 0, 0, 112, 112, OUT },
		{ "gpu-info-min", 0, 0, 96, 96, OUT },
		{ "gpu-info-short", 0, 0, 4, 4, OUT },
		{ "gpu-info-zero-fill", 0, 0, 200, 200, OUT },
		{ "gpu-info-partial", 0, 0, 112, 50, OUT },
		{ "gpu-info-readonly", 0, 0, 112, 112, IN },
		{ "csif", 0, 1, 24, 24, OUT },
		{ "timestamp", 0, 2, 24, 24, OUT },
		{ "priorities", 0, 3, 4, 4, OUT },
		{ "priorities-nice", FZ_H_SYS_NICE, 3, 4, 4, OUT },
		{ "bad-type", 0, 99, 16, 16, OUT },
	};
	uint8_t m;

	FOR_EACH_MODE(m) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct gpu_proto_mali_dev_query q = { .type = cases[i].type, .size = cases[i].size };
			struct seed s = { .n = 0 };

			put8(&s, cases[i].header);
			op_poke(&s, 0, &q, sizeof(q));
			op_ptr(&s, offsetof(struct gpu_proto_mali_dev_query, pointer), 1024);
			op_map(&s, 0, sizeof(q), RW);
			op_map(&s, 1024, (uint16_t)cases[i].mapped, cases[i].prot);
			op_ioctl(&s, m, 3, 0);
			emit(&s, "devquery-%s-%s", cases[i].name, mode_name(m));
		}

		/* pointer 0: the size the driver would write. */
		struct gpu_proto_mali_dev_query q = { .type = 0 };
		struct seed s = { .n = 0 };

		put8(&s, 0);
		op_poke(&s, 0, &q, sizeof(q));
		op_map(&s, 0, sizeof(q), RW);
		op_ioctl(&s, m, 3, 0);
		emit(&s, "devquery-size-%s", mode_name(m));

		/* The argument unmapped, wild, NULL, just past the arena. */
		s.n = 0;
		put8(&s, 0);
		op_ioctl(&s, m, 3, 0);
		op_ioctl_raw(&s, m, GPU_PROTO_IOCTL_MALI_DEV_QUERY, FZ_PTR_WILD, 11);
		op_ioctl_raw(&s, m, GPU_PROTO_IOCTL_MALI_DEV_QUERY, FZ_PTR_NULL, 0);
		op_ioctl_raw(&s, m, GPU_PROTO_IOCTL_MALI_DEV_QUERY, FZ_PTR_ARENA, FZ_ARENA_SIZE - 8);
		op_ioctl_raw(&s, m, GPU_PROTO_IOCTL_MALI_DEV_QUERY, FZ_PTR_BEFORE, 7);
		emit(&s, "devquery-bad-arg-%s", mode_name(m));

		/* Older and newer callers: a shorter and a longer struct. */
		s.n = 0;
		put8(&s, 0);
		op_poke(&s, 0, &(struct gpu_proto_mali_dev_query){ .type = 2, .size = 24 }, 16);
		op_ptr(&s, 8, 1024);
		op_map(&s, 0, 64, RW);
		op_map(&s, 1024, 24, OUT);
		op_ioctl_size(&s, m, 3, 8, 0);
		op_ioctl_size(&s, m, 3, 64, 0);
		emit(&s, "devquery-sizes-%s", mode_name(m));
	}
}

/* --- mali-csf FLUSH_CACHES and events --- */

static void seeds_flush(void)
{
	struct gpu_proto_mali_flush_caches f = { .user_data = 77 };
	struct seed s = { .n = 0 };

	for (uint8_t m = 0; m <= FZ_F_RETRY; m += FZ_F_RETRY) {
		s.n = 0;
		put8(&s, 0);
		op_poke(&s, 0, &f, sizeof(f));
		op_map(&s, 0, sizeof(f), RW);
		op_ioctl(&s, m, 4, 0);
		op(&s, FZ_OP_POLL);
		op(&s, FZ_OP_IRQ);
		op(&s, FZ_OP_POLL);
		op(&s, FZ_OP_READ);
		put16(&s, 1000);
		op(&s, FZ_OP_READ);
		put16(&s, 1000);
		emit(&s, "flush-event-%s", mode_name(m));

		/* Three requests: the first is covered by the running flush, the others by the next. */
		s.n = 0;
		put8(&s, 0);
		op_poke(&s, 0, &f, sizeof(f));
		op_map(&s, 0, sizeof(f), RW);
		op_ioctl(&s, m, 4, 0);
		op_u32(&s, 0, 78);
		op_ioctl(&s, m | FZ_F_FILE1, 4, 0);
		op_u32(&s, 0, 79);
		op_ioctl(&s, m, 4, 0);
		op(&s, FZ_OP_IRQ);
		op(&s, FZ_OP_READ);
		put16(&s, 10);		/* too small: EINVAL */
		op(&s, FZ_OP_READ);
		put16(&s, 24);
		op(&s, FZ_OP_IRQ);
		op(&s, FZ_OP_READ);
		put16(&s, 48);
		op(&s, FZ_OP_READ | FZ_F_FILE1);
		put16(&s, 48);
		emit(&s, "flush-three-%s", mode_name(m));

		/* Flags must be 0. */
		s.n = 0;
		put8(&s, 0);
		op_poke(&s, 0, &(struct gpu_proto_mali_flush_caches){ .flags = 1 }, sizeof(f));
		op_map(&s, 0, sizeof(f), RW);
		op_ioctl(&s, m, 4, 0);
		emit(&s, "flush-flags-%s", mode_name(m));

		/* Fill the event space: ENOSPC. */
		s.n = 0;
		put8(&s, 0);
		op_map(&s, 0, sizeof(f), RW);
		for (int i = 0; i < 175; i++)
			op_ioctl(&s, m, 4, 0);
		emit(&s, "flush-enospc-%s", mode_name(m));

		/* Revoke with flushes pending, read and poll the dead file, rebind. */
		s.n = 0;
		put8(&s, 0);
		op_poke(&s, 0, &f, sizeof(f));
		op_map(&s, 0, sizeof(f), RW);
		op_ioctl(&s, m, 4, 0);
		op_ioctl(&s, m, 4, 0);
		op(&s, FZ_OP_REVOKE);
		op(&s, FZ_OP_IRQ);
		op(&s, FZ_OP_READ);
		put16(&s, 100);
		op(&s, FZ_OP_POLL);
		op_ioctl(&s, m, 4, 0);
		op(&s, FZ_OP_REBIND);
		op_ioctl(&s, m | FZ_F_FILE1, 4, 0);
		op(&s, FZ_OP_IRQ);
		op(&s, FZ_OP_READ | FZ_F_FILE1);
		put16(&s, 100);
		op(&s, FZ_OP_REOPEN);
		op_ioctl(&s, m, 4, 0);
		emit(&s, "flush-revoke-rebind-%s", mode_name(m));

		/* The GPU vanishes from the bus: TIMESTAMP_INFO is ENODEV, a flush never completes. */
		s.n = 0;
		put8(&s, 0);
		op_poke(&s, 0, &f, sizeof(f));
		op_poke(&s, 64, &(struct gpu_proto_mali_dev_query){ .type = 2, .size = 24 }, 16);
		op_ptr(&s, 72, 1024);
		op_map(&s, 0, 128, RW);
		op_map(&s, 1024, 24, OUT);
		op(&s, FZ_OP_REMOVE);
		op_ioctl(&s, m, 4, 0);
		op_ioctl(&s, m, 3, 64);
		op(&s, FZ_OP_IRQ);
		op(&s, FZ_OP_READ);
		put16(&s, 100);
		emit(&s, "removed-%s", mode_name(m));
	}
}

/* --- the fuzz personality: each dispatch rule --- */

/* --- mali-csf BO and VM ioctls --- */

static void seeds_memory(void)
{
	enum { K_VM_CREATE = FZ_KNOWN_MALI_MEMORY, K_VM_DESTROY, K_VM_BIND, K_VM_STATE, K_BO_CREATE,
	       K_BO_OFFSET };
	const struct gpu_proto_mali_bo_create bo = { .size = 3 * 4096 };
	const struct gpu_proto_mali_vm_create vm = { 0 };
	const struct gpu_proto_mali_vm_bind bind = {
		.vm_id = 1, .ops = { .stride = sizeof(struct gpu_proto_mali_vm_bind_op), .count = 2 },
	};
	const struct gpu_proto_mali_vm_bind_op ops[2] = {
		{ .flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP, .bo_handle = 1, .va = 0x10000000,
		  .size = 3 * 4096 },
		{ .flags = GPU_PROTO_MALI_VM_BIND_OP_TYPE_UNMAP, .va = 0x10001000, .size = 4096 },
	};
	const struct gpu_proto_mali_bo_mmap_offset off = { .handle = 1 };
	const struct gpu_proto_mali_vm_get_state state = { .vm_id = 1 };
	const struct gpu_proto_mali_vm_destroy destroy = { .id = 1 };
	struct seed s = { .n = 0 };

	for (uint8_t m = 0; m <= FZ_F_RETRY; m += FZ_F_RETRY) {
		/* Create, map, unmap part, ask, destroy: arguments at 0..255, ops at 256. */
		s.n = 0;
		put8(&s, 0);
		op_poke(&s, 0, &bo, sizeof(bo));
		op_poke(&s, 32, &vm, sizeof(vm));
		op_poke(&s, 64, &bind, sizeof(bind));
		op_ptr(&s, 64 + 16, 256);
		op_poke(&s, 96, &off, sizeof(off));
		op_poke(&s, 128, &state, sizeof(state));
		op_poke(&s, 160, &destroy, sizeof(destroy));
		op_poke(&s, 256, ops, sizeof(ops));
		op_map(&s, 0, 512, RW);
		op_ioctl(&s, m, K_BO_CREATE, 0);
		op_ioctl(&s, m, K_VM_CREATE, 32);
		op_ioctl(&s, m, K_VM_BIND, 64);
		op_ioctl(&s, m, K_BO_OFFSET, 96);
		op_ioctl(&s, m, K_VM_STATE, 128);
		op_ioctl(&s, m | FZ_F_FILE1, K_VM_BIND, 64);	/* another file: no VM 1 */
		op_ioctl(&s, m, K_VM_DESTROY, 160);
		op_ioctl(&s, m, K_VM_DESTROY, 160);		/* twice: EINVAL */
		emit(&s, "memory-%s", mode_name(m));

		/* Binds in flight over revoke and rebind; the ops array half mapped. */
		s.n = 0;
		put8(&s, 0);
		op_poke(&s, 0, &bo, sizeof(bo));
		op_poke(&s, 32, &vm, sizeof(vm));
		op_poke(&s, 64, &bind, sizeof(bind));
		op_ptr(&s, 64 + 16, 256);
		op_poke(&s, 256, ops, sizeof(ops));
		op_map(&s, 0, 256 + sizeof(ops[0]), RW);
		op_ioctl(&s, m, K_BO_CREATE, 0);
		op_ioctl(&s, m, K_VM_CREATE, 32);
		op_ioctl(&s, m, K_VM_BIND, 64);		/* the second op is unmapped: EFAULT */
		op(&s, FZ_OP_REVOKE);
		op_ioctl(&s, m, K_VM_BIND, 64);
		op(&s, FZ_OP_REBIND);
		op(&s, FZ_OP_REOPEN);
		op_ioctl(&s, m, K_VM_CREATE, 32);
		op_ioctl(&s, m, K_BO_CREATE, 0);
		op_ioctl(&s, m, K_VM_BIND, 64);
		emit(&s, "memory-revoke-%s", mode_name(m));
	}
}

/* --- mali-csf groups, submission, tiler heaps --- */

static void seeds_sched(void)
{
	enum { K_VM_CREATE = FZ_KNOWN_MALI_MEMORY,
	       K_GROUP_CREATE = FZ_KNOWN_MALI_SCHED, K_GROUP_DESTROY, K_SUBMIT, K_STATE,
	       K_HEAP_CREATE, K_HEAP_DESTROY };
	const struct gpu_proto_mali_vm_create vm = { 0 };
	const struct gpu_proto_mali_queue_create queues[2] = {
		{ .ringbuf_size = 4096 }, { .priority = 3, .ringbuf_size = 8192 },
	};
	const struct gpu_proto_mali_group_create group = {
		.queues = { .stride = sizeof(queues[0]), .count = 2 },
		.priority = GPU_PROTO_MALI_GROUP_PRIORITY_MEDIUM, .vm_id = 1,
	};
	const struct gpu_proto_mali_queue_submit jobs[2] = {
		{ .queue_index = 0 },
		{ .queue_index = 1,
		  .syncs = { .stride = sizeof(struct gpu_proto_mali_sync_op), .count = 1 } },
	};
	const struct gpu_proto_mali_sync_op wait = { .handle = 1 };
	const struct gpu_proto_mali_group_submit submit = {
		.group_handle = 1,
		.queue_submits = { .stride = sizeof(jobs[0]), .count = 2 },
	};
	const struct gpu_proto_mali_group_get_state state = { .group_handle = 1 };
	const struct gpu_proto_mali_group_destroy destroy = { .group_handle = 1 };
	const struct gpu_proto_mali_tiler_heap_create heap = {
		.vm_id = 1, .initial_chunk_count = 1, .chunk_size = 128 << 10, .max_chunks = 2,
		.target_in_flight = 1,
	};
	const struct gpu_proto_mali_tiler_heap_destroy heap_destroy = { .handle = 1 << 16 };
	struct seed s = { .n = 0 };

	for (uint8_t m = 0; m <= FZ_F_RETRY; m += FZ_F_RETRY) {
		/*
		 * VM, group of two queues, a submit of an empty job and a job
		 * waiting on a sync object the file does not have (ENOENT), an
		 * empty submit, state, heap, destroy twice.  Arguments at
		 * 0..255, arrays from 256.
		 */
		for (int revoke = 0; revoke < 2; revoke++) {
			s.n = 0;
			put8(&s, 0);
			op_poke(&s, 0, &vm, sizeof(vm));
			op_poke(&s, 32, &group, sizeof(group));
			op_ptr(&s, 32 + 8, 256);
			op_poke(&s, 96, &submit, sizeof(submit));
			op_ptr(&s, 96 + 16, 288);
			op_poke(&s, 128, &state, sizeof(state));
			op_poke(&s, 160, &destroy, sizeof(destroy));
			op_poke(&s, 176, &heap, sizeof(heap));
			op_poke(&s, 224, &heap_destroy, sizeof(heap_destroy));
			op_poke(&s, 256, queues, sizeof(queues));
			op_poke(&s, 288, jobs, sizeof(jobs));
			op_ptr(&s, 288 + 40 + 24 + 8, 400);
			op_poke(&s, 400, &wait, sizeof(wait));
			op_map(&s, 0, 512, RW);
			op_ioctl(&s, m, K_VM_CREATE, 0);
			op_ioctl(&s, m, K_GROUP_CREATE, 32);
			op_ioctl(&s, m, K_SUBMIT, 96);
			op_ioctl(&s, m, K_STATE, 128);
			op_ioctl(&s, m | FZ_F_FILE1, K_SUBMIT, 96);	/* another file: no group 1 */
			op_ioctl(&s, m, K_HEAP_CREATE, 176);
			if (revoke) {
				op(&s, FZ_OP_REVOKE);
				op_ioctl(&s, m, K_SUBMIT, 96);
				op(&s, FZ_OP_REBIND);
				op(&s, FZ_OP_REOPEN);
				op_ioctl(&s, m, K_VM_CREATE, 0);
				op_ioctl(&s, m, K_GROUP_CREATE, 32);
			}
			op_ioctl(&s, m, K_HEAP_DESTROY, 224);
			op_ioctl(&s, m, K_GROUP_DESTROY, 160);
			op_ioctl(&s, m, K_GROUP_DESTROY, 160);		/* twice: EINVAL */
			emit(&s, "sched-%s%s", revoke ? "revoke-" : "", mode_name(m));
		}
	}
}

static void seeds_rules(void)
{
	uint8_t m;

	FOR_EACH_MODE(m) {
		struct fz_echo e = { .in = 5 };
		struct seed s = { .n = 0 };

		for (uint8_t h = 0; h < 4; h++) {
			uint8_t header = FZ_H_FUZZ_DRV | (h & 1 ? FZ_H_PRIMARY : 0) |
					 (h & 2 ? FZ_H_SYS_ADMIN : 0);

			s.n = 0;
			put8(&s, header);
			op_poke(&s, 0, &e, sizeof(e));
			op_map(&s, 0, sizeof(e), RW);
			for (uint8_t k = 5; k <= 12; k++)	/* ECHO .. NOARG */
				op_ioctl(&s, m, k, 0);
			emit(&s, "rules-%s%s-%s", h & 1 ? "primary" : "render", h & 2 ? "-admin" : "",
			     mode_name(m));
		}

		/* The handler fails: the argument is copied out anyway. */
		s.n = 0;
		put8(&s, FZ_H_FUZZ_DRV);
		op_poke(&s, 0, &(struct fz_echo){ .in = FZ_ECHO_FAIL }, sizeof(e));
		op_map(&s, 0, sizeof(e), RW);
		op_ioctl(&s, m, 5, 0);
		emit(&s, "echo-fails-%s", mode_name(m));

		/* Shorter and longer caller structs, the argument straddling a mapping's end. */
		s.n = 0;
		put8(&s, FZ_H_FUZZ_DRV | 0x30);
		op_map(&s, 0, 64, RW);
		op_map(&s, 4096, 10, RW);
		op_ioctl_size(&s, m, 5, 2, 0);
		op_ioctl_size(&s, m, 5, 64, 0);
		op_ioctl_size(&s, m, 5, 0, 0);
		op_ioctl(&s, m, 5, 4090);
		op_ioctl_size(&s, m, 14, 64, 0);	/* BIG from a short struct */
		op_ioctl(&s, m, 14, 0);
		emit(&s, "sizes-%s", mode_name(m));

		/* Holes, ranges' ends, another type, raw numbers. */
		s.n = 0;
		put8(&s, FZ_H_FUZZ_DRV);
		op_map(&s, 0, 64, RW);
		for (uint8_t k = 15; k < FZ_KNOWN_MALI_MEMORY; k++)
			op_ioctl(&s, m, k, 0);
		op_ioctl_raw(&s, m, 0, FZ_PTR_NULL, 0);
		op_ioctl_raw(&s, m, 0xffffffffu, FZ_PTR_RAW, 0xffffffffffffffffull);
		op_ioctl_raw(&s, m, _IOWR('d', 0x40, char[16383]), FZ_PTR_ARENA, 0);
		emit(&s, "holes-%s", mode_name(m));

		/* BIG: heap argument, mapped in two halves (never one mapping: EFAULT). */
		s.n = 0;
		put8(&s, FZ_H_FUZZ_DRV | 0x10);
		op_map(&s, 0, 150, RW);
		op_map(&s, 150, 150, RW);
		op_ioctl(&s, m, 14, 0);
		op_map(&s, 0, 300, RW);
		op_ioctl(&s, m, 14, 0);
		emit(&s, "big-%s", mode_name(m));
	}
}

static void seeds_follow(void)
{
	uint8_t m;

	FOR_EACH_MODE(m) {
		struct fz_follow f = { .count = FZ_FOLLOW_MAX, .seed = 3 };
		struct seed s = { .n = 0 };

		for (int i = 0; i < FZ_FOLLOW_MAX; i++) {
			f.r[i].len = 64 + 32 * (uint32_t)i;
			f.r[i].dir = (uint32_t)(i % 3) + 1;
		}
		put8(&s, FZ_H_FUZZ_DRV | 0x50);
		op_poke(&s, 0, &f, sizeof(f));
		for (int i = 0; i < FZ_FOLLOW_MAX; i++) {
			op_ptr(&s, (uint16_t)(offsetof(struct fz_follow, r) + i * sizeof(f.r[0])),
			       (uint16_t)(1024 + 512 * i));
			op_map(&s, (uint16_t)(1024 + 512 * i), (uint16_t)f.r[i].len, (uint8_t)f.r[i].dir);
		}
		op_map(&s, 0, sizeof(f), RW);
		op_ioctl(&s, m, 13, 0);
		emit(&s, "follow-six-%s", mode_name(m));

		/* One range unmapped, one only readable, one past the arena. */
		op(&s, FZ_OP_UNMAP);
		put8(&s, 2);
		op_ioctl(&s, m, 13, 0);
		op_ptr(&s, offsetof(struct fz_follow, r[4].ptr), FZ_ARENA_SIZE + 16);
		op_ioctl(&s, m, 13, 0);
		emit(&s, "follow-faults-%s", mode_name(m));

		/* Too many ranges: the plan refuses, the argument still goes back. */
		s.n = 0;
		put8(&s, FZ_H_FUZZ_DRV);
		op_poke(&s, 0, &(struct fz_follow){ .count = 7 }, sizeof(f));
		op_map(&s, 0, sizeof(f), RW);
		op_ioctl(&s, m, 13, 0);
		emit(&s, "follow-too-many-%s", mode_name(m));

		/* A range overlapping the argument, and a range read and written. */
		s.n = 0;
		put8(&s, FZ_H_FUZZ_DRV | 0x20);
		f = (struct fz_follow){ .count = 2, .seed = 9 };
		f.r[0].len = 16;
		f.r[0].dir = OUT;
		f.r[1].len = 100;
		f.r[1].dir = RW;
		op_poke(&s, 0, &f, sizeof(f));
		op_ptr(&s, offsetof(struct fz_follow, r[0].ptr), 8);
		op_ptr(&s, offsetof(struct fz_follow, r[1].ptr), 2048);
		op_map(&s, 0, sizeof(f), RW);
		op_map(&s, 2048, 100, RW);
		op_ioctl(&s, m, 13, 0);
		emit(&s, "follow-overlap-%s", mode_name(m));
	}
}

/* --- buffer objects: the fuzz personality's BO_CREATE, GEM_CLOSE, raw PRIME --- */

#define K_GEM_CLOSE	20
#define K_PRIME_EXPORT	21
#define K_PRIME_IMPORT	22
#define K_BO_CREATE	23

/* BO_CREATE of @size with its argument at arena + @at. */
static void op_bo_create(struct seed *s, uint8_t m, uint16_t at, uint64_t size)
{
	op_poke(s, at, &(struct fz_bo_create){ .size = size }, sizeof(struct fz_bo_create));
	op_ioctl(s, m, K_BO_CREATE, at);
}

static void op_gem_close(struct seed *s, uint8_t m, uint16_t at, uint32_t handle, uint32_t pad)
{
	op_poke(s, at, &(struct gpu_proto_gem_close){ .handle = handle, .pad = pad },
		sizeof(struct gpu_proto_gem_close));
	op_ioctl(s, m, K_GEM_CLOSE, at);
}

static void seeds_gem(void)
{
	uint8_t m;

	FOR_EACH_MODE(m) {
		struct seed s = { .n = 0 };

		/* Handles from 1, lowest free reused, double close, pad ignored. */
		put8(&s, FZ_H_FUZZ_DRV);
		op_map(&s, 0, 256, RW);
		op_bo_create(&s, m, 0, 100);
		op_bo_create(&s, m, 32, 4096);
		op_bo_create(&s, m, 64, 8192);
		op_gem_close(&s, m, 96, 2, 0);
		op_bo_create(&s, m, 32, 1);
		op_gem_close(&s, m, 96, 1, 0xdeadbeef);
		op_gem_close(&s, m, 96, 1, 0);
		op_gem_close(&s, m, 96, 0, 0);
		op_gem_close(&s, m, 96, 0xffffffffu, 0);
		emit(&s, "gem-handles-%s", mode_name(m));

		/* Sizes: zero, unaligned, over the file's byte limit, over the maximum. */
		s.n = 0;
		put8(&s, FZ_H_FUZZ_DRV);
		op_map(&s, 0, 64, RW);
		op_bo_create(&s, m, 0, 0);
		op_bo_create(&s, m, 0, 4097);
		op_bo_create(&s, m, 0, FZ_GEM_MAX_BYTES + 1);
		op_bo_create(&s, m, 0, (1ull << 36) + 1);
		op_bo_create(&s, m, 0, UINT64_MAX);
		emit(&s, "gem-sizes-%s", mode_name(m));

		/* The per-file handle limit, then one handle freed and taken again. */
		s.n = 0;
		put8(&s, FZ_H_FUZZ_DRV);
		op_map(&s, 0, 64, RW);
		for (unsigned int i = 0; i <= FZ_GEM_MAX_HANDLES; i++)
			op_bo_create(&s, m, 0, 1);
		op_gem_close(&s, m, 32, 7, 0);
		op_bo_create(&s, m, 0, 1);
		emit(&s, "gem-limit-%s", mode_name(m));

		/* Another file's handle; the argument only partly mapped; a short struct. */
		s.n = 0;
		put8(&s, FZ_H_FUZZ_DRV);
		op_map(&s, 0, 64, RW);
		op_bo_create(&s, m, 0, 1);
		op_gem_close(&s, m | FZ_F_FILE1, 32, 1, 0);
		op_map(&s, 4096, 10, RW);
		op_bo_create(&s, m, 4090, 1);
		op_ioctl_size(&s, m, K_GEM_CLOSE, 2, 32);
		op_ioctl_size(&s, m, K_BO_CREATE, 8, 0);
		emit(&s, "gem-files-%s", mode_name(m));

		/* Raw PRIME: EOPNOTSUPP, HANDLE_TO_FD's fd reads -1. */
		for (int dev = 0; dev < 2; dev++) {
			s.n = 0;
			put8(&s, dev ? FZ_H_FUZZ_DRV : 0);
			op_map(&s, 0, 64, RW);
			if (dev)
				op_bo_create(&s, m, 0, 1);
			op_poke(&s, 32, &(struct gpu_proto_prime_handle){ .handle = 1, .fd = 5 },
				sizeof(struct gpu_proto_prime_handle));
			op_ioctl(&s, m, K_PRIME_EXPORT, 32);
			op_ioctl(&s, m, K_PRIME_IMPORT, 32);
			op_gem_close(&s, m, 48, 1, 0);	/* mali-csf: no objects, EOPNOTSUPP */
			emit(&s, "gem-prime-%s-%s", dev ? "fuzz" : "mali", mode_name(m));
		}

		/* Objects outlive revoke: every ioctl, GEM_CLOSE too, is ENODEV; rebind. */
		s.n = 0;
		put8(&s, FZ_H_FUZZ_DRV);
		op_map(&s, 0, 64, RW);
		op_bo_create(&s, m, 0, 4096);
		op_bo_create(&s, m | FZ_F_FILE1, 0, 4096);
		op(&s, FZ_OP_REVOKE);
		op_gem_close(&s, m, 32, 1, 0);
		op(&s, FZ_OP_REBIND);
		op_bo_create(&s, m | FZ_F_FILE1, 0, 4096);
		op_gem_close(&s, m | FZ_F_FILE1, 32, 1, 0);
		op(&s, FZ_OP_REOPEN);
		op_gem_close(&s, m, 32, 1, 0);
		emit(&s, "gem-revoke-%s", mode_name(m));
	}
}

/* --- qemu-edu on the fake edu device --- */

#define K_EDU_INFO	FZ_KNOWN_EDU
#define K_EDU_RAISE	(FZ_KNOWN_EDU + 1)
#define K_EDU_BO	(FZ_KNOWN_EDU + 2)
#define K_EDU_DMA	(FZ_KNOWN_EDU + 3)

static const uint8_t edu_modes[] = { 0, FZ_F_RETRY };

static void op_edu_bo(struct seed *s, uint8_t m, uint16_t at, uint64_t size)
{
	op_poke(s, at, &(struct gpu_proto_edu_bo_create){ .size = size },
		sizeof(struct gpu_proto_edu_bo_create));
	op_ioctl(s, m, K_EDU_BO, at);
}

static void op_edu_dma(struct seed *s, uint8_t m, uint16_t at, uint32_t handle, uint32_t dir,
		       uint64_t bo_offset, uint32_t dev_offset, uint32_t length, uint64_t pad)
{
	op_poke(s, at, &(struct gpu_proto_edu_dma){ .handle = handle, .direction = dir,
						      .bo_offset = bo_offset, .dev_offset = dev_offset,
						      .length = length, .pad = pad },
		sizeof(struct gpu_proto_edu_dma));
	op_ioctl(s, m, K_EDU_DMA, at);
}

static void op_edu_raise(struct seed *s, uint8_t m, uint16_t at, uint64_t user_data, uint32_t status,
			 uint32_t pad)
{
	op_poke(s, at, &(struct gpu_proto_edu_raise_irq){ .user_data = user_data, .status = status,
							    .pad = pad },
		sizeof(struct gpu_proto_edu_raise_irq));
	op_ioctl(s, m, K_EDU_RAISE, at);
}

static void op_read(struct seed *s, uint8_t flags, uint16_t size)
{
	put8(s, FZ_OP_READ | flags);
	put16(s, size);
}

static void seeds_edu(void)
{
	for (size_t i = 0; i < sizeof(edu_modes); i++) {
		uint8_t m = edu_modes[i];
		const char *mode = mode_name(m);
		struct seed s = { .n = 0 };

		/* INFO (both modes at once), interrupts raised and delivered in order, bad raises. */
		put8(&s, FZ_H_EDU);
		op_map(&s, 0, 256, RW);
		op_ioctl(&s, FZ_F_DIFF, K_EDU_INFO, 0);
		op_edu_raise(&s, m, 16, 1, 0x10, 0);
		op_edu_raise(&s, m, 16, 2, 0x20, 0);
		op(&s, FZ_OP_POLL);
		op(&s, FZ_OP_IRQ);
		op(&s, FZ_OP_POLL);
		op_read(&s, 0, 64);
		op_edu_raise(&s, m, 16, 3, 0, 0);
		op_edu_raise(&s, m, 16, 4, 0x1, 7);
		op_edu_raise(&s, m | FZ_F_FILE1, 16, 5, 0x1, 0);
		op(&s, FZ_OP_IRQ);
		op_read(&s, FZ_F_FILE1, 10);
		op_read(&s, FZ_F_FILE1, 24);
		emit(&s, "edu-info-irq-%s", mode);

		/* Objects and DMA both ways: device buffer -> A, A -> device elsewhere, back into B. */
		s.n = 0;
		put8(&s, FZ_H_EDU);
		op_map(&s, 0, 256, RW);
		op_edu_bo(&s, m, 0, 2 * 4096);
		op_edu_bo(&s, m, 0, 100);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_FROM_DEVICE, 4096, 0, 2048, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_TO_DEVICE, 4096 + 8, 2048, 1024, 0);
		op_edu_dma(&s, m, 32, 2, GPU_PROTO_EDU_DMA_FROM_DEVICE, 8, 2048, 1024, 0);
		op_edu_dma(&s, m, 32, 2, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0,
			   GPU_PROTO_EDU_DMA_USABLE, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_FROM_DEVICE, 2 * 4096 - 8, 4080, 8, 0);
		/* An interrupt raised before a transfer is delivered by the time it returns. */
		op_edu_raise(&s, m, 96, 9, 0x40, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 8, 0);
		op_read(&s, 0, 100);
		emit(&s, "edu-dma-%s", mode);

		/* Bad ranges and arguments: nothing reaches the engine. */
		s.n = 0;
		put8(&s, FZ_H_EDU);
		op_map(&s, 0, 256, RW);
		op_edu_bo(&s, m, 0, 4096);
		op_edu_bo(&s, m | FZ_F_FILE1, 0, 4096);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_TO_DEVICE, 4096 - 8, 0, 16, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_TO_DEVICE, 4096, 0, 8, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_TO_DEVICE, UINT64_MAX - 7, 0, 8, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 4096 - 16, 16, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 4096 - 8, 8, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_FROM_DEVICE, 0, 4096, 8, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_FROM_DEVICE, 0, 0, 4096, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_FROM_DEVICE, 0, 0, 0, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_FROM_DEVICE, 4, 0, 8, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_FROM_DEVICE, 0, 4, 8, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_FROM_DEVICE, 0, 0, 12, 0);
		op_edu_dma(&s, m, 32, 1, 2, 0, 0, 8, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 8, 1);
		op_edu_dma(&s, m, 32, 0, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 8, 0);
		op_edu_dma(&s, m, 32, 99, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 8, 0);
		op_edu_dma(&s, m | FZ_F_FILE1, 32, 2, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 8, 0);
		op_edu_bo(&s, m, 0, 0);
		op_poke(&s, 0, &(struct gpu_proto_edu_bo_create){ .size = 4096, .pad = 1 },
			sizeof(struct gpu_proto_edu_bo_create));
		op_ioctl(&s, m, K_EDU_BO, 0);
		op_edu_bo(&s, m, 0, FZ_GEM_MAX_BYTES + 1);
		/* A short struct (zero-extended) and one half mapped. */
		op_ioctl_size(&s, m, K_EDU_DMA, 20, 32);
		op_map(&s, 4096, 16, RW);
		op_edu_dma(&s, m, 4088, 1, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 8, 0);
		emit(&s, "edu-dma-bad-%s", mode);

		/* Revoke while a transfer runs (pending events too), then rebind and DMA again. */
		s.n = 0;
		put8(&s, FZ_H_EDU);
		op_map(&s, 0, 256, RW);
		op_edu_bo(&s, m, 0, 4096);
		op_edu_raise(&s, m, 96, 1, 0x10, 0);
		op(&s, FZ_OP_REVOKE | FZ_F_ON_DMA);
		op_edu_dma(&s, m, 32, 7, GPU_PROTO_EDU_DMA_FROM_DEVICE, 0, 0, 8, 0);	/* ENOENT: no start */
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_FROM_DEVICE, 0, 0,
			   GPU_PROTO_EDU_DMA_USABLE, 0);
		op_ioctl(&s, m, K_EDU_INFO, 0);
		op_gem_close(&s, m, 64, 1, 0);
		op_read(&s, 0, 64);
		op(&s, FZ_OP_POLL);
		op(&s, FZ_OP_REBIND);
		op_edu_bo(&s, m | FZ_F_FILE1, 0, 4096);
		op_edu_dma(&s, m | FZ_F_FILE1, 32, 1, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 64, 0);
		op(&s, FZ_OP_REVOKE | FZ_F_ON_DMA);
		op_edu_dma(&s, m | FZ_F_FILE1, 32, 1, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 8, 64, 0);
		op(&s, FZ_OP_REBIND);
		emit(&s, "edu-revoke-dma-%s", mode);

		/*
		 * Every status bit raised, handled, then raised again and left
		 * pending: transfers still complete (the all-ones status once
		 * read as a removal wedged the engine; fuzz/README.md).
		 */
		s.n = 0;
		put8(&s, FZ_H_EDU);
		op_map(&s, 0, 256, RW);
		op_edu_bo(&s, m, 0, 4096);
		op_edu_raise(&s, m, 96, 1, UINT32_MAX, 0);
		op(&s, FZ_OP_IRQ);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_FROM_DEVICE, 0, 0, 64, 0);
		op_edu_raise(&s, m, 96, 2, UINT32_MAX, 0);
		op_edu_dma(&s, m, 32, 1, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 64, 64, 0);
		op_read(&s, 0, 64);
		emit(&s, "regression-dispatch-edu-all-ones-status-%s", mode);

		/* Handles: GEM_CLOSE, FD_TOKEN on an object, a closed handle, a plain revoke. */
		s.n = 0;
		put8(&s, FZ_H_EDU | FZ_H_PRIMARY);
		op_map(&s, 0, 256, RW);
		op_edu_bo(&s, m, 0, 4096);
		op_edu_bo(&s, m, 0, 4096);
		op_poke(&s, 64, &(struct gpu_proto_fd_token){ .op = GPU_PROTO_FD_TOKEN_EXPORT, .handle = 2 },
			sizeof(struct gpu_proto_fd_token));
		op_ioctl_raw(&s, m, GPU_PROTO_IOCTL_FD_TOKEN, FZ_PTR_ARENA, 64);
		op_gem_close(&s, m, 128, 1, 0);
		op_gem_close(&s, m, 128, 1, 0);
		op_edu_bo(&s, m, 0, 4096);
		op_edu_dma(&s, m, 32, 2, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 8, 0);
		op(&s, FZ_OP_REVOKE);
		op_edu_dma(&s, m, 32, 2, GPU_PROTO_EDU_DMA_TO_DEVICE, 0, 0, 8, 0);
		op(&s, FZ_OP_REBIND);
		op_edu_bo(&s, m | FZ_F_FILE1, 0, 4096);
		emit(&s, "edu-handles-%s", mode);
	}
}

/* --- sync objects on mali-csf --- */

static void seeds_syncobj(void)
{
	enum { K_CREATE = FZ_KNOWN_SYNCOBJ, K_DESTROY, K_TO_FD, K_FROM_FD, K_WAIT, K_RESET, K_SIGNAL,
	       K_TWAIT, K_QUERY, K_TRANSFER, K_TSIGNAL, K_EVENTFD, K_STATUS };
	/* Arguments at 0..255; handles at 256, points at 320, statuses at 448. */
	const struct gpu_proto_syncobj_create create = { .flags = GPU_PROTO_SYNCOBJ_CREATE_SIGNALED };
	const struct gpu_proto_syncobj_create create0 = { 0 };
	const struct gpu_proto_syncobj_wait wait = {
		.count_handles = 2, .flags = GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT };
	const struct gpu_proto_syncobj_timeline_wait twait = {
		.count_handles = 2, .flags = GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL };
	const struct gpu_proto_syncobj_timeline_array tarr = { .count_handles = 2 };
	const struct gpu_proto_syncobj_array arr = { .count_handles = 2 };
	const struct gpu_proto_syncobj_transfer xfer = { .src_handle = 1, .src_point = 0,
							 .dst_handle = 2, .dst_point = 9 };
	const struct gpu_proto_syncobj_status st = { .count_handles = 2 };
	const struct gpu_proto_syncobj_destroy destroy = { .handle = 1 };
	const struct gpu_proto_syncobj_handle fd = { .handle = 1 };
	const uint32_t handles[2] = { 1, 2 };
	const uint64_t points[2] = { 3, 5 };
	struct seed s = { .n = 0 };

	for (uint8_t m = 0; m <= FZ_F_RETRY; m += FZ_F_RETRY) {
		/* Binary: create, wait (any, for submit), signal, reset, status, fd refusals, destroy. */
		s.n = 0;
		put8(&s, 0);
		op_poke(&s, 0, &create, sizeof(create));
		op_poke(&s, 8, &create0, sizeof(create0));
		op_poke(&s, 16, &wait, sizeof(wait));
		op_ptr(&s, 16 + offsetof(struct gpu_proto_syncobj_wait, handles), 256);
		op_poke(&s, 64, &arr, sizeof(arr));
		op_ptr(&s, 64 + offsetof(struct gpu_proto_syncobj_array, handles), 256);
		op_poke(&s, 80, &st, sizeof(st));
		op_ptr(&s, 80 + offsetof(struct gpu_proto_syncobj_status, handles), 256);
		op_ptr(&s, 80 + offsetof(struct gpu_proto_syncobj_status, status), 448);
		op_poke(&s, 112, &fd, sizeof(fd));
		op_poke(&s, 128, &destroy, sizeof(destroy));
		op_poke(&s, 256, handles, sizeof(handles));
		op_map(&s, 0, 512, RW);
		op_ioctl(&s, m, K_CREATE, 0);
		op_ioctl(&s, m, K_CREATE, 8);
		op_ioctl(&s, m, K_WAIT, 16);
		op_ioctl(&s, m, K_STATUS, 80);		/* handle 2 has no fence: EINVAL */
		op_ioctl(&s, m, K_SIGNAL, 64);
		op_ioctl(&s, m, K_STATUS, 80);
		op_ioctl(&s, m, K_RESET, 64);
		op_ioctl(&s, m, K_WAIT, 16);		/* for submit, polled: ETIME */
		op_ioctl(&s, m, K_TO_FD, 112);
		op_ioctl(&s, m, K_FROM_FD, 112);
		op_ioctl(&s, m | FZ_F_FILE1, K_WAIT, 16);	/* another file: ENOENT */
		op_ioctl(&s, m, K_DESTROY, 128);
		op_ioctl(&s, m, K_DESTROY, 128);		/* twice: EINVAL */
		emit(&s, "syncobj-binary-%s", mode_name(m));

		/* Timelines: signal points, query, wait on them, transfer, revoke with objects held. */
		s.n = 0;
		put8(&s, 0);
		op_poke(&s, 0, &create0, sizeof(create0));
		op_poke(&s, 8, &create0, sizeof(create0));
		op_poke(&s, 16, &tarr, sizeof(tarr));
		op_ptr(&s, 16 + offsetof(struct gpu_proto_syncobj_timeline_array, handles), 256);
		op_ptr(&s, 16 + offsetof(struct gpu_proto_syncobj_timeline_array, points), 320);
		op_poke(&s, 48, &twait, sizeof(twait));
		op_ptr(&s, 48 + offsetof(struct gpu_proto_syncobj_timeline_wait, handles), 256);
		op_ptr(&s, 48 + offsetof(struct gpu_proto_syncobj_timeline_wait, points), 320);
		op_poke(&s, 96, &xfer, sizeof(xfer));
		op_poke(&s, 128, &tarr, sizeof(tarr));
		op_ptr(&s, 128 + offsetof(struct gpu_proto_syncobj_timeline_array, handles), 256);
		op_ptr(&s, 128 + offsetof(struct gpu_proto_syncobj_timeline_array, points), 384);
		op_poke(&s, 160, &st, sizeof(st));
		op_ptr(&s, 160 + offsetof(struct gpu_proto_syncobj_status, handles), 256);
		op_ptr(&s, 160 + offsetof(struct gpu_proto_syncobj_status, points), 320);
		op_ptr(&s, 160 + offsetof(struct gpu_proto_syncobj_status, status), 448);
		op_poke(&s, 256, handles, sizeof(handles));
		op_poke(&s, 320, points, sizeof(points));
		op_map(&s, 0, 512, RW);
		op_ioctl(&s, m, K_CREATE, 0);
		op_ioctl(&s, m, K_CREATE, 8);
		op_ioctl(&s, m, K_TWAIT, 48);		/* nothing submitted: EINVAL */
		op_ioctl(&s, m, K_TSIGNAL, 16);
		op_ioctl(&s, m, K_QUERY, 128);
		op_ioctl(&s, m, K_TWAIT, 48);
		op_ioctl(&s, m, K_TRANSFER, 96);
		op_ioctl(&s, m, K_STATUS, 160);
		op_ioctl(&s, m, K_EVENTFD, 112);
		op(&s, FZ_OP_REVOKE);
		op_ioctl(&s, m, K_QUERY, 128);		/* ENODEV */
		op(&s, FZ_OP_REBIND);
		op(&s, FZ_OP_REOPEN);
		op_ioctl(&s, m, K_QUERY, 128);		/* the reopened file has none: ENOENT */
		emit(&s, "syncobj-timeline-%s", mode_name(m));
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	seeds_version();
	seeds_unique_and_cap();
	seeds_dev_query();
	seeds_flush();
	seeds_memory();
	seeds_sched();
	seeds_rules();
	seeds_follow();
	seeds_gem();
	seeds_edu();
	seeds_syncobj();
	printf("%u seeds in %s\n", written, out_dir);
	return 0;
}
