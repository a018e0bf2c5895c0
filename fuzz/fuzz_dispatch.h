/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The input format of fuzz_dispatch, shared with gen_dispatch_seeds.c.
 *
 * An input is a header byte and a program of operations on one caller:
 *
 *   header   FZ_H_* bits: node type, capabilities, which device
 *   op*      opcode byte (low 4 bits: FZ_OP_*, high bits: FZ_F_* flags)
 *            followed by its operands, little endian
 *
 * The caller's memory is an arena of FZ_ARENA_SIZE bytes; maps and
 * pointers are arena offsets in the input, so an input means the same
 * thing in every process whatever address the arena gets.  Pointers can
 * also be wild (FZ_PTR_WILD: a table of addresses that are never mapped),
 * raw 64-bit values, just before the arena, or NULL.  A truncated operand
 * reads as zeros, so every byte string is a valid program.
 */
#ifndef GP_FUZZ_DISPATCH_H
#define GP_FUZZ_DISPATCH_H

#include <gpu-proto/gpu_proto_drm.h>
#include <linux/ioctl.h>
#include <stdint.h>

/* Larger than any ioctl argument (_IOC_SIZE is 14 bits) plus room for buffers. */
#define FZ_ARENA_SIZE	20480u
#define FZ_MAX_OPS	256

/* Header bits. */
#define FZ_H_PRIMARY	0x01	/* open files on the primary node (else render) */
#define FZ_H_SYS_ADMIN	0x02	/* caller has CAP_SYS_ADMIN */
#define FZ_H_SYS_NICE	0x04	/* caller has CAP_SYS_NICE */
#define FZ_H_FUZZ_DRV	0x08	/* the fuzz driver (else mali-csf on the mock) */
#define FZ_H_EDU	0x80	/* qemu-edu on the fake edu device (before FZ_H_FUZZ_DRV) */
/* Bits 4..6: which initial arena contents (fz_fills[]). */
#define FZ_H_FILL(h)	(((h) >> 4) & 7)

enum fz_op {
	FZ_OP_MAP = 0,		/* u16 off, u16 len, u8 prot (GP_USER_* bits) */
	FZ_OP_UNMAP = 1,	/* u8 index into the caller's map table */
	FZ_OP_POKE = 2,		/* u16 off, u8 n, n bytes */
	FZ_OP_PTR = 3,		/* u16 off, ptr: store a 64-bit pointer in the arena */
	FZ_OP_U32 = 4,		/* u16 off, u32 value */
	FZ_OP_IOCTL = 5,	/* cmd, ptr (the argument); flags FZ_F_RETRY, FZ_F_FILE1, FZ_F_DIFF */
	FZ_OP_READ = 6,		/* u16 size: gp_file_read_events; flag FZ_F_FILE1 */
	FZ_OP_POLL = 7,		/* gp_file_poll; flag FZ_F_FILE1 */
	FZ_OP_IRQ = 8,		/* service a pending interrupt, as the control plane does */
	FZ_OP_REVOKE = 9,	/* hot-unbind the device; flag FZ_F_ON_DMA */
	FZ_OP_REBIND = 10,	/* bind again (if revoked) and open file 1 on it */
	FZ_OP_REMOVE = 11,	/* mock: the device vanishes from the bus (reads all-ones) */
	FZ_OP_REOPEN = 12,	/* close a file and open it again; flag FZ_F_FILE1 */
	/* 13..15: FZ_OP_IOCTL as well, to bias programs towards ioctls. */
};

#define FZ_F_RETRY	0x10	/* GP_INPROC_RETRY caller (else direct) */
#define FZ_F_FILE1	0x20	/* the second file slot */
#define FZ_F_DIFF	0x40	/* run in both modes, compare (side-effect-free ioctls) */
/*
 * FZ_OP_REVOKE on qemu-edu: not now, but while the next EDU_DMA's transfer
 * runs (the fake holds it until release polls the engine), as a hot-unbind
 * from the control plane would.
 */
#define FZ_F_ON_DMA	0x40

/*
 * cmd: u8 selector.  (sel & 3) == 0: a raw u32 follows.  Otherwise a u8
 * indexes fz_known_cmds[], then: sel & 0x04: u16 new size; sel & 0x08: the
 * direction becomes (sel >> 4) & 3; sel & 0x40: u8 new nr; sel & 0x80: u8
 * new type.
 */
#define FZ_CMD_RAW	0x00
#define FZ_CMD_KNOWN	0x01
#define FZ_CMD_SIZE	0x04
#define FZ_CMD_DIR	0x08
#define FZ_CMD_NR	0x40
#define FZ_CMD_TYPE	0x80

/* ptr: u8 kind, then its operand. */
enum fz_ptr_kind {
	FZ_PTR_ARENA = 0,	/* u16: arena + (v % (FZ_ARENA_SIZE + 64)): inside or just past */
	FZ_PTR_ARENA_RAW = 3,	/* u16: arena + v, mostly past the end */
	FZ_PTR_WILD = 4,	/* u8: fz_wild_ptrs[v % n] */
	FZ_PTR_RAW = 5,		/* u64 */
	FZ_PTR_BEFORE = 6,	/* u8: arena - 1 - v */
	FZ_PTR_NULL = 7,
	/* kinds 1 and 2 are FZ_PTR_ARENA (kind & 7 picks) */
};

/* The fuzz driver's ioctls (the "fuzz" personality in fuzz_dispatch.c). */
struct fz_echo {
	uint32_t in;		/* handler: out = in + 1 */
	uint32_t out;
	uint32_t pad[2];
};
#define FZ_ECHO_FAIL	0xbadu	/* in == this: the handler fails with -EBADMSG after writing out */

#define FZ_FOLLOW_MAX	6	/* + the argument in and out = GP_USER_RANGES_MAX */
#define FZ_FOLLOW_LEN_MASK 0x1fffu

struct fz_follow_range {
	uint64_t ptr;
	uint32_t len;		/* & FZ_FOLLOW_LEN_MASK */
	uint32_t dir;		/* & 3; 0 skips the range */
};

struct fz_follow {
	struct fz_follow_range r[FZ_FOLLOW_MAX];
	uint32_t count;		/* > FZ_FOLLOW_MAX: the plan and the handler fail with -EINVAL */
	uint32_t seed;		/* pattern the handler writes */
};

struct fz_big {
	uint8_t bytes[300];	/* larger than the dispatcher's on-stack argument */
};

#define FZ_IOCTL_ECHO		_IOWR('d', 0x40, struct fz_echo)
/* 0x41 is a hole */
#define FZ_IOCTL_ROOT_ONLY	_IOWR('d', 0x42, struct fz_echo)
#define FZ_IOCTL_NOT_RENDER	_IOWR('d', 0x43, struct fz_echo)
#define FZ_IOCTL_AUTH		_IOWR('d', 0x44, struct fz_echo)
#define FZ_IOCTL_MASTER		_IOWR('d', 0x45, struct fz_echo)
#define FZ_IOCTL_IN_ONLY	_IOW('d', 0x46, struct fz_echo)
#define FZ_IOCTL_OUT_ONLY	_IOR('d', 0x47, struct fz_echo)
#define FZ_IOCTL_NOARG		_IO('d', 0x48)
#define FZ_IOCTL_FOLLOW		_IOWR('d', 0x49, struct fz_follow)
#define FZ_IOCTL_BIG		_IOWR('d', 0x4a, struct fz_big)
/* A driver-private BO create, as the fake driver's: a bare object and a handle. */
struct fz_bo_create {
	uint64_t size;		/* in; out: rounded up to the page size */
	uint32_t handle;	/* out */
	uint32_t pad;
	uint64_t offset;	/* out: the fake mmap offset */
};
#define FZ_IOCTL_BO_CREATE	_IOWR('d', 0x4b, struct fz_bo_create)
#define FZ_IOCTL_COUNT		(0x4b - 0x40 + 1)

/* The fuzz driver's per-file limits (gp_gem_set_file_limits), kept small. */
#define FZ_GEM_MAX_HANDLES	16u
#define FZ_GEM_MAX_BYTES	(1u << 20)

/* FZ_CMD_KNOWN indexes this: the devices' ioctls, holes, ranges' ends, a wrong type. */
static const uint32_t fz_known_cmds[] = {
	GPU_PROTO_IOCTL_VERSION,			/* 0 */
	GPU_PROTO_IOCTL_GET_UNIQUE,			/* 1 */
	GPU_PROTO_IOCTL_GET_CAP,			/* 2 */
	GPU_PROTO_IOCTL_MALI_DEV_QUERY,			/* 3 */
	GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES,	/* 4 */
	FZ_IOCTL_ECHO,					/* 5 */
	FZ_IOCTL_ROOT_ONLY,				/* 6 */
	FZ_IOCTL_NOT_RENDER,				/* 7 */
	FZ_IOCTL_AUTH,					/* 8 */
	FZ_IOCTL_MASTER,				/* 9 */
	FZ_IOCTL_IN_ONLY,				/* 10 */
	FZ_IOCTL_OUT_ONLY,				/* 11 */
	FZ_IOCTL_NOARG,					/* 12 */
	FZ_IOCTL_FOLLOW,				/* 13 */
	FZ_IOCTL_BIG,					/* 14 */
	_IOWR('d', 0x41, struct fz_echo),		/* 15: fuzz driver hole */
	_IOWR('d', 0x0d, struct fz_echo),		/* 16: past the core table */
	_IOWR('d', 0xa0, struct fz_echo),		/* 17: above the driver range */
	_IOWR('d', 0x9f, struct fz_echo),		/* 18: the driver range's last nr */
	_IOWR('e', 0x40, struct fz_echo),		/* 19: not a DRM ioctl */
	GPU_PROTO_IOCTL_GEM_CLOSE,			/* 20 */
	GPU_PROTO_IOCTL_PRIME_HANDLE_TO_FD,		/* 21 */
	GPU_PROTO_IOCTL_PRIME_FD_TO_HANDLE,		/* 22 */
	FZ_IOCTL_BO_CREATE,				/* 23 */
	GPU_PROTO_IOCTL_MALI_VM_CREATE,			/* 24 */
	GPU_PROTO_IOCTL_MALI_VM_DESTROY,		/* 25 */
	GPU_PROTO_IOCTL_MALI_VM_BIND,			/* 26 */
	GPU_PROTO_IOCTL_MALI_VM_GET_STATE,		/* 27 */
	GPU_PROTO_IOCTL_MALI_BO_CREATE,			/* 28 */
	GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET,		/* 29 */
	GPU_PROTO_IOCTL_EDU_INFO,			/* 30 */
	GPU_PROTO_IOCTL_EDU_RAISE_IRQ,			/* 31 */
	GPU_PROTO_IOCTL_EDU_BO_CREATE,			/* 32 */
	GPU_PROTO_IOCTL_EDU_DMA,			/* 33 */
	GPU_PROTO_IOCTL_SYNCOBJ_CREATE,			/* 34 */
	GPU_PROTO_IOCTL_SYNCOBJ_DESTROY,		/* 35 */
	GPU_PROTO_IOCTL_SYNCOBJ_HANDLE_TO_FD,		/* 36 */
	GPU_PROTO_IOCTL_SYNCOBJ_FD_TO_HANDLE,		/* 37 */
	GPU_PROTO_IOCTL_SYNCOBJ_WAIT,			/* 38 */
	GPU_PROTO_IOCTL_SYNCOBJ_RESET,			/* 39 */
	GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL,			/* 40 */
	GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT,		/* 41 */
	GPU_PROTO_IOCTL_SYNCOBJ_QUERY,			/* 42 */
	GPU_PROTO_IOCTL_SYNCOBJ_TRANSFER,		/* 43 */
	GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL,	/* 44 */
	GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD,		/* 45 */
	GPU_PROTO_IOCTL_SYNCOBJ_STATUS,			/* 46 */
	GPU_PROTO_IOCTL_MALI_GROUP_CREATE,		/* 47 */
	GPU_PROTO_IOCTL_MALI_GROUP_DESTROY,		/* 48 */
	GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT,		/* 49 */
	GPU_PROTO_IOCTL_MALI_GROUP_GET_STATE,		/* 50 */
	GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE,		/* 51 */
	GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY,	/* 52 */
};
/* The first of the sync object ioctls in fz_known_cmds. */
#define FZ_KNOWN_SYNCOBJ	34
/* The first of qemu-edu's ioctls in fz_known_cmds. */
#define FZ_KNOWN_EDU	30
/* The first of mali-csf's memory ioctls in fz_known_cmds. */
#define FZ_KNOWN_MALI_MEMORY	24
/* The first of mali-csf's group, submission and tiler-heap ioctls in fz_known_cmds. */
#define FZ_KNOWN_MALI_SCHED	47
#define FZ_KNOWN_CMDS (sizeof(fz_known_cmds) / sizeof(fz_known_cmds[0]))

/* FZ_PTR_WILD: addresses the fuzzer never maps (so never dereferenced). */
static const uint64_t fz_wild_ptrs[] = {
	0x1, 0x1000, 0x10000, 0xffffffffull, 0x7ffffffff000ull, 0x7ffffffffff8ull,
	0x800000000000ull, 0xdeadbeefdeadbeefull, 0xffff800000000000ull,
	0xfffffffffffff000ull, UINT64_MAX - 7, UINT64_MAX,
};
#define FZ_WILD_PTRS (sizeof(fz_wild_ptrs) / sizeof(fz_wild_ptrs[0]))

#endif /* GP_FUZZ_DISPATCH_H */
