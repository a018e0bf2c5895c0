/* SPDX-License-Identifier: MIT */
/*
 * gpu_proto_drm.h - ioctl interface of the /dev/gpu-proto character device
 *
 * Copyright (c) the gpu-proto authors
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
 * FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 * DEALINGS IN THE SOFTWARE.
 */

/*
 * The device speaks the DRM ioctl ABI byte for byte: the same ioctl type
 * ('d'), the same numbers and the same argument layouts as Linux's
 * include/uapi/drm/drm.h, so libdrm's generic entry points (drmGetVersion,
 * drmGetCap, drmIoctl) work against it unmodified.  Every name here is
 * prefixed gpu_proto_ / GPU_PROTO_ so this header can be included in the
 * same translation unit as libdrm's <drm.h>.
 *
 * Driver-private ioctls use numbers GPU_PROTO_COMMAND_BASE (0x40) up to, but
 * excluding, GPU_PROTO_COMMAND_END (0xA0), like DRM_COMMAND_BASE/END.  Which
 * driver answers them is chosen by the daemon's "chip personality"; the one
 * described here is mali-csf, whose numbers and layouts are those of the
 * Linux panthor driver (include/uapi/drm/panthor_drm.h).
 *
 * ABI notes:
 *  - Structures carrying pointers (gpu_proto_version, gpu_proto_unique) have
 *    a different size on 32-bit callers, which changes their ioctl numbers.
 *    The compile-time checks below pin only the LP64 values; serving 32-bit
 *    callers is a compat question for the frontend, not for this header.
 *  - Every other structure uses fixed-width fields with explicit padding and
 *    has one layout on every ABI (arm64 is the real target); the checks for
 *    those hold everywhere, including i386 where __u64 is 4-byte aligned.
 *  - All ioctls here are _IOWR, whose encoding is the same on every Linux
 *    architecture (the direction bits differ only for _IO/_IOR/_IOW).
 */
#ifndef GPU_PROTO_DRM_H
#define GPU_PROTO_DRM_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * Layout checks at the end of this file use static_assert (C++11) or
 * _Static_assert (C11); older language modes simply skip them.
 */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define GPU_PROTO_ABI_CHECK(expr, msg) static_assert(expr, msg)
#elif !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define GPU_PROTO_ABI_CHECK(expr, msg) _Static_assert(expr, msg)
#endif
#ifdef GPU_PROTO_ABI_CHECK
#include <stddef.h>
#endif

#if defined(__cplusplus)
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* ioctl encoding                                                            */
/* ------------------------------------------------------------------------ */

/** GPU_PROTO_IOCTL_BASE - ioctl type byte, the same as DRM's. */
#define GPU_PROTO_IOCTL_BASE		'd'
#define GPU_PROTO_IO(nr)		_IO(GPU_PROTO_IOCTL_BASE, nr)
#define GPU_PROTO_IOR(nr, type)		_IOR(GPU_PROTO_IOCTL_BASE, nr, type)
#define GPU_PROTO_IOW(nr, type)		_IOW(GPU_PROTO_IOCTL_BASE, nr, type)
#define GPU_PROTO_IOWR(nr, type)	_IOWR(GPU_PROTO_IOCTL_BASE, nr, type)

/**
 * GPU_PROTO_COMMAND_BASE, GPU_PROTO_COMMAND_END - driver-private range.
 *
 * ioctl numbers nr with BASE <= nr < END are routed to the active
 * personality's table at index nr - BASE; all others go to the core table.
 */
#define GPU_PROTO_COMMAND_BASE		0x40
#define GPU_PROTO_COMMAND_END		0xA0

/* ------------------------------------------------------------------------ */
/* Core ioctls                                                               */
/* ------------------------------------------------------------------------ */

/**
 * struct gpu_proto_version - argument of GPU_PROTO_IOCTL_VERSION
 *
 * Layout-identical to struct drm_version.  The caller passes three buffers
 * with their capacities; for each string the device copies
 * min(capacity, strlen(string)) bytes, never writes a terminating NUL, and
 * always stores the full string length back into the *_len field, even when
 * the buffer was too small or NULL.  Callers therefore ask twice: once with
 * zero lengths to learn the sizes, then with buffers of length + 1 which
 * they terminate themselves (this is what libdrm's drmGetVersion does).
 */
struct gpu_proto_version {
	/** @version_major: out: interface major; bumped on incompatible change. */
	int version_major;
	/** @version_minor: out: interface minor; bumped when features are added. */
	int version_minor;
	/** @version_patchlevel: out: patch level, informational only. */
	int version_patchlevel;
	/* 4 bytes of implicit padding on LP64, exactly as in drm_version */
	/** @name_len: in: capacity of @name; out: length of the driver name. */
	__kernel_size_t name_len;
	/** @name: in: buffer receiving the driver name (may be NULL if name_len is 0). */
	char *name;
	/** @date_len: in: capacity of @date; out: length of the date string. */
	__kernel_size_t date_len;
	/** @date: in: buffer receiving the date string ("0", as current Linux). */
	char *date;
	/** @desc_len: in: capacity of @desc; out: length of the description. */
	__kernel_size_t desc_len;
	/** @desc: in: buffer receiving a one-line description of the driver. */
	char *desc;
};

/**
 * struct gpu_proto_unique - argument of GPU_PROTO_IOCTL_GET_UNIQUE
 *
 * Layout-identical to struct drm_unique.  Returns the bus id of the device
 * ("mock", "fb000000.gpu", "0000:00:03.0", ...).  Unlike VERSION, the string
 * is copied only when @unique_len is at least the string's length (all or
 * nothing, no NUL); the length is written back in every case.
 */
struct gpu_proto_unique {
	/** @unique_len: in: capacity of @unique; out: length of the bus id. */
	__kernel_size_t unique_len;
	/** @unique: in: buffer receiving the bus id when it fits. */
	char *unique;
};

/**
 * struct gpu_proto_get_cap - argument of GPU_PROTO_IOCTL_GET_CAP
 *
 * Layout-identical to struct drm_get_cap.  @value is cleared before the
 * capability is looked up and is copied back even when the ioctl fails, so
 * a failed query reads as 0.
 */
struct gpu_proto_get_cap {
	/** @capability: in: one of the GPU_PROTO_CAP_* numbers. */
	__u64 capability;
	/** @value: out: the capability's value. */
	__u64 value;
};

/*
 * Capability numbers for GET_CAP, identical to DRM_CAP_*.  A render-only
 * device answers TIMESTAMP_MONOTONIC, PRIME, SYNCOBJ and SYNCOBJ_TIMELINE;
 * every other number is a display (KMS) capability and fails with
 * EOPNOTSUPP.  See docs/uapi.md for the values gpu-proto reports.
 */
#define GPU_PROTO_CAP_DUMB_BUFFER		0x1
#define GPU_PROTO_CAP_VBLANK_HIGH_CRTC		0x2
#define GPU_PROTO_CAP_DUMB_PREFERRED_DEPTH	0x3
#define GPU_PROTO_CAP_DUMB_PREFER_SHADOW	0x4
/** GPU_PROTO_CAP_PRIME - bitmask of GPU_PROTO_PRIME_CAP_* (dma-buf sharing). */
#define GPU_PROTO_CAP_PRIME			0x5
#define  GPU_PROTO_PRIME_CAP_IMPORT		0x1
#define  GPU_PROTO_PRIME_CAP_EXPORT		0x2
/** GPU_PROTO_CAP_TIMESTAMP_MONOTONIC - 1: event timestamps use CLOCK_MONOTONIC. */
#define GPU_PROTO_CAP_TIMESTAMP_MONOTONIC	0x6
#define GPU_PROTO_CAP_ASYNC_PAGE_FLIP		0x7
#define GPU_PROTO_CAP_CURSOR_WIDTH		0x8
#define GPU_PROTO_CAP_CURSOR_HEIGHT		0x9
#define GPU_PROTO_CAP_ADDFB2_MODIFIERS		0x10
#define GPU_PROTO_CAP_PAGE_FLIP_TARGET		0x11
#define GPU_PROTO_CAP_CRTC_IN_VBLANK_EVENT	0x12
/** GPU_PROTO_CAP_SYNCOBJ - 1: the driver supports DRM sync objects. */
#define GPU_PROTO_CAP_SYNCOBJ			0x13
/** GPU_PROTO_CAP_SYNCOBJ_TIMELINE - 1: the driver supports timeline sync objects. */
#define GPU_PROTO_CAP_SYNCOBJ_TIMELINE		0x14
/** GPU_PROTO_CAP_ATOMIC_ASYNC_PAGE_FLIP - KMS only (Linux 6.8+). */
#define GPU_PROTO_CAP_ATOMIC_ASYNC_PAGE_FLIP	0x15

/**
 * struct gpu_proto_gem_close - argument of GPU_PROTO_IOCTL_GEM_CLOSE
 *
 * Layout-identical to struct drm_gem_close.  Drops one handle of the file;
 * the object lives on while other handles, exports or device mappings hold
 * it.  EINVAL for a handle the file does not have (also on a second close).
 */
struct gpu_proto_gem_close {
	/** @handle: in: the handle to release. */
	__u32 handle;
	/** @pad: set to zero; not checked, as Linux does not check it. */
	__u32 pad;
};

/**
 * struct gpu_proto_prime_handle - argument of the PRIME ioctls
 *
 * Layout-identical to struct drm_prime_handle.  A dma-buf here is the
 * object's memfd, and a file descriptor can only be installed in a client
 * process by that process: PRIME goes through libgpuproto (gpc_prime_*) or
 * the LD_PRELOAD shim, which obtain the memfd over the daemon's fd socket
 * (GPU_PROTO_IOCTL_FD_TOKEN).  Issued raw to the device, both ioctls fail
 * with EOPNOTSUPP and never return a number that is not an fd in the
 * caller's process.  See docs/uapi.md.
 */
struct gpu_proto_prime_handle {
	/** @handle: HANDLE_TO_FD: in; FD_TO_HANDLE: out. */
	__u32 handle;
	/** @flags: HANDLE_TO_FD: GPU_PROTO_CLOEXEC and/or GPU_PROTO_RDWR. */
	__u32 flags;
	/** @fd: HANDLE_TO_FD: out; FD_TO_HANDLE: in. */
	__s32 fd;
};
#define GPU_PROTO_CLOEXEC	02000000	/* O_CLOEXEC, as DRM_CLOEXEC */
#define GPU_PROTO_RDWR		00000002	/* O_RDWR, as DRM_RDWR */

/** GPU_PROTO_IOCTL_VERSION - driver name, version, date and description. */
#define GPU_PROTO_IOCTL_VERSION		GPU_PROTO_IOWR(0x00, struct gpu_proto_version)
/** GPU_PROTO_IOCTL_GET_UNIQUE - bus id; not allowed on render nodes. */
#define GPU_PROTO_IOCTL_GET_UNIQUE	GPU_PROTO_IOWR(0x01, struct gpu_proto_unique)
/** GPU_PROTO_IOCTL_GET_CAP - query one device capability. */
#define GPU_PROTO_IOCTL_GET_CAP		GPU_PROTO_IOWR(0x0C, struct gpu_proto_get_cap)
/** GPU_PROTO_IOCTL_GEM_CLOSE - release a buffer-object handle (DRM_IOCTL_GEM_CLOSE). */
#define GPU_PROTO_IOCTL_GEM_CLOSE	GPU_PROTO_IOW(0x09, struct gpu_proto_gem_close)
/** GPU_PROTO_IOCTL_PRIME_HANDLE_TO_FD - export; see struct gpu_proto_prime_handle. */
#define GPU_PROTO_IOCTL_PRIME_HANDLE_TO_FD	GPU_PROTO_IOWR(0x2d, struct gpu_proto_prime_handle)
/** GPU_PROTO_IOCTL_PRIME_FD_TO_HANDLE - import; see struct gpu_proto_prime_handle. */
#define GPU_PROTO_IOCTL_PRIME_FD_TO_HANDLE	GPU_PROTO_IOWR(0x2e, struct gpu_proto_prime_handle)

/* ------------------------------------------------------------------------ */
/* gpu-proto extension: passing buffer memory to client processes            */
/* ------------------------------------------------------------------------ */

/*
 * CUSE cannot mmap and a daemon cannot install a file descriptor in a
 * client, so memory reaches clients as memfds sent with SCM_RIGHTS over the
 * daemon's fd socket (AF_UNIX, SOCK_SEQPACKET; its path is in docs/uapi.md).
 * A client first asks its device file for a one-time token naming what it
 * wants, then redeems the token on the fd socket.  libgpuproto and the shim
 * do this; clients rarely see it.  The number sits in the core range DRM
 * leaves unused (0xF0), so it can never collide with a driver ioctl.
 */

/** GPU_PROTO_FD_TOKEN_EXPORT - redeem for the object's memfd (map or PRIME export). */
#define GPU_PROTO_FD_TOKEN_EXPORT	1
/** GPU_PROTO_FD_TOKEN_IMPORT - redeem by sending a memfd: a handle in this file (PRIME import). */
#define GPU_PROTO_FD_TOKEN_IMPORT	2

/**
 * struct gpu_proto_fd_token - argument of GPU_PROTO_IOCTL_FD_TOKEN
 *
 * EXPORT: names the object by @handle, or, when @handle is 0, by a fake
 * mmap @offset (as returned by the driver's MMAP_OFFSET ioctl) inside it.
 * IMPORT: @handle and @offset must be 0.  The token is valid once, for a
 * short time (docs/uapi.md), and only for a peer on the fd socket that is
 * the same process that asked for it.
 */
struct gpu_proto_fd_token {
	/** @op: in: GPU_PROTO_FD_TOKEN_EXPORT or _IMPORT. */
	__u32 op;
	/** @handle: in: EXPORT: the handle, or 0 to name the object by @offset. */
	__u32 handle;
	/** @offset: in: EXPORT with @handle 0: a fake mmap offset; out: the object's base offset. */
	__u64 offset;
	/** @size: out: EXPORT: the object's size in bytes. */
	__u64 size;
	/** @token: out: the one-time token to send on the fd socket. */
	__u8 token[32];
};

/** GPU_PROTO_IOCTL_FD_TOKEN - mint a token for the fd socket. */
#define GPU_PROTO_IOCTL_FD_TOKEN	GPU_PROTO_IOWR(0xF0, struct gpu_proto_fd_token)

/* ------------------------------------------------------------------------ */
/* Sync objects (DRM_IOCTL_SYNCOBJ_*)                                        */
/* ------------------------------------------------------------------------ */

/*
 * Layout-identical to drm.h's drm_syncobj_* structures, with the same ioctl
 * numbers, on every ABI (only fixed-size fields).  Handles are per file;
 * arrays are passed as user pointers in __u64 fields.  Semantics and errors
 * are the kernel's (drm_syncobj.c); docs/uapi.md lists them, with what
 * gpu-proto refuses (fd export/import, eventfd) and its one limit below.
 * Requires GET_CAP(SYNCOBJ) (timeline calls: GET_CAP(SYNCOBJ_TIMELINE));
 * without it every call fails with EOPNOTSUPP.
 */

/**
 * GPU_PROTO_SYNCOBJ_MAX_COUNT - most handles one array ioctl may name.
 *
 * The kernel has no limit but memory; here the arrays travel inside one
 * ioctl, which over CUSE carries at most 128 KiB each way.  8192 handles
 * with their points (12 bytes each) always fit; a larger @count_handles
 * fails with E2BIG: split the call (WAIT_ALL into several calls).
 */
#define GPU_PROTO_SYNCOBJ_MAX_COUNT	8192

/** struct gpu_proto_syncobj_create - argument of SYNCOBJ_CREATE (drm_syncobj_create). */
struct gpu_proto_syncobj_create {
	/** @handle: out: the new handle. */
	__u32 handle;
	/** @flags: in: 0 or GPU_PROTO_SYNCOBJ_CREATE_SIGNALED. */
	__u32 flags;
};
/** GPU_PROTO_SYNCOBJ_CREATE_SIGNALED - start with a signalled fence. */
#define GPU_PROTO_SYNCOBJ_CREATE_SIGNALED	(1u << 0)

/** struct gpu_proto_syncobj_destroy - argument of SYNCOBJ_DESTROY (drm_syncobj_destroy). */
struct gpu_proto_syncobj_destroy {
	/** @handle: in: the handle to drop. */
	__u32 handle;
	/** @pad: must be zero (EINVAL). */
	__u32 pad;
};

/**
 * struct gpu_proto_syncobj_handle - argument of SYNCOBJ_HANDLE_TO_FD and
 * SYNCOBJ_FD_TO_HANDLE (drm_syncobj_handle).  Both are refused with
 * EOPNOTSUPP: a daemon cannot install an fd in a client (docs/uapi.md).
 */
struct gpu_proto_syncobj_handle {
	__u32 handle;
	__u32 flags;
	__s32 fd;
	__u32 pad;
};
#define GPU_PROTO_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE	(1u << 0)
#define GPU_PROTO_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE	(1u << 0)

/** struct gpu_proto_syncobj_transfer - argument of SYNCOBJ_TRANSFER (drm_syncobj_transfer). */
struct gpu_proto_syncobj_transfer {
	/** @src_handle: in: where the fence comes from. */
	__u32 src_handle;
	/** @dst_handle: in: where it goes. */
	__u32 dst_handle;
	/** @src_point: in: the source point (0: binary fence or latest point). */
	__u64 src_point;
	/** @dst_point: in: 0: replace @dst_handle's binary fence; else add this timeline point. */
	__u64 dst_point;
	/** @flags: in: 0 or GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT. */
	__u32 flags;
	/** @pad: must be zero (EINVAL). */
	__u32 pad;
};

#define GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL		(1u << 0)
#define GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT	(1u << 1)
/** ..._WAIT_AVAILABLE - TIMELINE_WAIT only: wait for the point to exist, not to signal. */
#define GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE	(1u << 2)
/** ..._WAIT_DEADLINE - @deadline_nsec is a hint; accepted and unused here. */
#define GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE	(1u << 3)

/** struct gpu_proto_syncobj_wait - argument of SYNCOBJ_WAIT (drm_syncobj_wait). */
struct gpu_proto_syncobj_wait {
	/** @handles: in: pointer to @count_handles __u32 handles. */
	__u64 handles;
	/** @timeout_nsec: in: absolute CLOCK_MONOTONIC deadline; 0 (or past): poll. */
	__s64 timeout_nsec;
	/** @count_handles: in: 1 .. GPU_PROTO_SYNCOBJ_MAX_COUNT. */
	__u32 count_handles;
	/** @flags: in: GPU_PROTO_SYNCOBJ_WAIT_FLAGS_{WAIT_ALL,WAIT_FOR_SUBMIT,WAIT_DEADLINE}. */
	__u32 flags;
	/** @first_signaled: out: without WAIT_ALL, the index of a signalled handle. */
	__u32 first_signaled;
	/** @pad: must be zero (EINVAL). */
	__u32 pad;
	/** @deadline_nsec: in: with WAIT_DEADLINE, a hint (Linux 6.4+; older callers omit it). */
	__u64 deadline_nsec;
};

/** struct gpu_proto_syncobj_timeline_wait - argument of SYNCOBJ_TIMELINE_WAIT. */
struct gpu_proto_syncobj_timeline_wait {
	/** @handles: in: pointer to @count_handles __u32 handles. */
	__u64 handles;
	/** @points: in: pointer to @count_handles __u64 points (0: binary fence). */
	__u64 points;
	/** @timeout_nsec: in: absolute CLOCK_MONOTONIC deadline; 0 (or past): poll. */
	__s64 timeout_nsec;
	/** @count_handles: in: 1 .. GPU_PROTO_SYNCOBJ_MAX_COUNT. */
	__u32 count_handles;
	/** @flags: in: any GPU_PROTO_SYNCOBJ_WAIT_FLAGS_*. */
	__u32 flags;
	/** @first_signaled: out: without WAIT_ALL, the index of a signalled handle. */
	__u32 first_signaled;
	/** @pad: must be zero (EINVAL). */
	__u32 pad;
	/** @deadline_nsec: in: with WAIT_DEADLINE, a hint. */
	__u64 deadline_nsec;
};

/** struct gpu_proto_syncobj_eventfd - argument of SYNCOBJ_EVENTFD; refused with EOPNOTSUPP. */
struct gpu_proto_syncobj_eventfd {
	__u32 handle;
	__u32 flags;
	__u64 point;
	__s32 fd;
	__u32 pad;
};

/** struct gpu_proto_syncobj_array - argument of SYNCOBJ_RESET and SYNCOBJ_SIGNAL. */
struct gpu_proto_syncobj_array {
	/** @handles: in: pointer to @count_handles __u32 handles. */
	__u64 handles;
	/** @count_handles: in: 1 .. GPU_PROTO_SYNCOBJ_MAX_COUNT. */
	__u32 count_handles;
	/** @pad: must be zero (EINVAL). */
	__u32 pad;
};

/** GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED - QUERY: the last point added, signalled or not. */
#define GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED	(1u << 0)

/** struct gpu_proto_syncobj_timeline_array - argument of SYNCOBJ_QUERY and SYNCOBJ_TIMELINE_SIGNAL. */
struct gpu_proto_syncobj_timeline_array {
	/** @handles: in: pointer to @count_handles __u32 handles. */
	__u64 handles;
	/** @points: QUERY: out, TIMELINE_SIGNAL: in: pointer to @count_handles __u64. */
	__u64 points;
	/** @count_handles: in: 1 .. GPU_PROTO_SYNCOBJ_MAX_COUNT. */
	__u32 count_handles;
	/** @flags: in: QUERY: 0 or ..._QUERY_FLAGS_LAST_SUBMITTED; TIMELINE_SIGNAL: 0. */
	__u32 flags;
};

#define GPU_PROTO_IOCTL_SYNCOBJ_CREATE		GPU_PROTO_IOWR(0xBF, struct gpu_proto_syncobj_create)
#define GPU_PROTO_IOCTL_SYNCOBJ_DESTROY		GPU_PROTO_IOWR(0xC0, struct gpu_proto_syncobj_destroy)
#define GPU_PROTO_IOCTL_SYNCOBJ_HANDLE_TO_FD	GPU_PROTO_IOWR(0xC1, struct gpu_proto_syncobj_handle)
#define GPU_PROTO_IOCTL_SYNCOBJ_FD_TO_HANDLE	GPU_PROTO_IOWR(0xC2, struct gpu_proto_syncobj_handle)
#define GPU_PROTO_IOCTL_SYNCOBJ_WAIT		GPU_PROTO_IOWR(0xC3, struct gpu_proto_syncobj_wait)
#define GPU_PROTO_IOCTL_SYNCOBJ_RESET		GPU_PROTO_IOWR(0xC4, struct gpu_proto_syncobj_array)
#define GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL		GPU_PROTO_IOWR(0xC5, struct gpu_proto_syncobj_array)
#define GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT	GPU_PROTO_IOWR(0xCA, struct gpu_proto_syncobj_timeline_wait)
#define GPU_PROTO_IOCTL_SYNCOBJ_QUERY		GPU_PROTO_IOWR(0xCB, struct gpu_proto_syncobj_timeline_array)
#define GPU_PROTO_IOCTL_SYNCOBJ_TRANSFER	GPU_PROTO_IOWR(0xCC, struct gpu_proto_syncobj_transfer)
#define GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL	GPU_PROTO_IOWR(0xCD, struct gpu_proto_syncobj_timeline_array)
#define GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD		GPU_PROTO_IOWR(0xCF, struct gpu_proto_syncobj_eventfd)

/* gpu-proto extension: the status of sync object fences. */

/**
 * struct gpu_proto_syncobj_status - argument of GPU_PROTO_IOCTL_SYNCOBJ_STATUS
 *
 * SYNCOBJ_WAIT says that fences signalled, never how: a job that ended in
 * error (a fault, the watchdog, revoke of the device) signals its fences
 * with that error.  This reports, for each handle and point, the status of
 * the fence the point resolves to, as sync_file_info.status: 1 signalled
 * without error, 0 still pending, a negative errno signalled with that
 * error.  It never waits; a point with no fence (not yet submitted, or a
 * reset binary object) fails the call with EINVAL, as WAIT without
 * WAIT_FOR_SUBMIT does.
 */
/*
 * GPU_PROTO_SYNCOBJ_STATUS_MAX_COUNT - most handles one SYNCOBJ_STATUS may
 * name: a failed call leaves @status as the caller had it, so the array
 * travels both ways, 16 bytes a handle in; 4096 keep inside one CUSE
 * ioctl's 128 KiB with room.  More fails with E2BIG.
 */
#define GPU_PROTO_SYNCOBJ_STATUS_MAX_COUNT	4096

struct gpu_proto_syncobj_status {
	/** @handles: in: pointer to @count_handles __u32 handles. */
	__u64 handles;
	/** @points: in: pointer to @count_handles __u64 points, or 0 for all 0 (binary). */
	__u64 points;
	/** @status: in/out: pointer to @count_handles __s32 statuses; unchanged on failure. */
	__u64 status;
	/** @count_handles: in: 1 .. GPU_PROTO_SYNCOBJ_STATUS_MAX_COUNT. */
	__u32 count_handles;
	/** @flags: in: must be zero (EINVAL). */
	__u32 flags;
};

/** GPU_PROTO_IOCTL_SYNCOBJ_STATUS - fence status of sync object points (gpu-proto). */
#define GPU_PROTO_IOCTL_SYNCOBJ_STATUS	GPU_PROTO_IOWR(0xF1, struct gpu_proto_syncobj_status)

/* ------------------------------------------------------------------------ */
/* mali-csf personality (panthor-compatible)                                 */
/* ------------------------------------------------------------------------ */

/**
 * enum gpu_proto_mali_ioctl_id - driver-private ioctl ids of mali-csf
 *
 * The ioctl number is GPU_PROTO_COMMAND_BASE + id; the ids are panthor's and
 * never change meaning.  DEV_QUERY and the memory ioctls (VM_*, BO_*) have
 * their arguments defined here; the group and tiler-heap ids are reserved
 * with panthor's meaning.
 */
enum gpu_proto_mali_ioctl_id {
	/** @GPU_PROTO_MALI_DEV_QUERY: read GPU/firmware properties. */
	GPU_PROTO_MALI_DEV_QUERY = 0,
	/** @GPU_PROTO_MALI_VM_CREATE: create a GPU address space. */
	GPU_PROTO_MALI_VM_CREATE = 1,
	/** @GPU_PROTO_MALI_VM_DESTROY: destroy a GPU address space. */
	GPU_PROTO_MALI_VM_DESTROY = 2,
	/** @GPU_PROTO_MALI_VM_BIND: map or unmap buffer objects in a VM. */
	GPU_PROTO_MALI_VM_BIND = 3,
	/** @GPU_PROTO_MALI_VM_GET_STATE: ask whether a VM is still usable. */
	GPU_PROTO_MALI_VM_GET_STATE = 4,
	/** @GPU_PROTO_MALI_BO_CREATE: allocate a buffer object. */
	GPU_PROTO_MALI_BO_CREATE = 5,
	/** @GPU_PROTO_MALI_BO_MMAP_OFFSET: fake file offset for mmap of a BO. */
	GPU_PROTO_MALI_BO_MMAP_OFFSET = 6,
	/** @GPU_PROTO_MALI_GROUP_CREATE: create a scheduling group of queues. */
	GPU_PROTO_MALI_GROUP_CREATE = 7,
	/** @GPU_PROTO_MALI_GROUP_DESTROY: destroy a scheduling group. */
	GPU_PROTO_MALI_GROUP_DESTROY = 8,
	/** @GPU_PROTO_MALI_GROUP_SUBMIT: queue command streams on a group. */
	GPU_PROTO_MALI_GROUP_SUBMIT = 9,
	/** @GPU_PROTO_MALI_GROUP_GET_STATE: fault/timeout state of a group. */
	GPU_PROTO_MALI_GROUP_GET_STATE = 10,
	/** @GPU_PROTO_MALI_TILER_HEAP_CREATE: create a tiler heap. */
	GPU_PROTO_MALI_TILER_HEAP_CREATE = 11,
	/** @GPU_PROTO_MALI_TILER_HEAP_DESTROY: destroy a tiler heap. */
	GPU_PROTO_MALI_TILER_HEAP_DESTROY = 12
};

/**
 * enum gpu_proto_mali_dev_query_type - what GPU_PROTO_IOCTL_MALI_DEV_QUERY reads
 */
enum gpu_proto_mali_dev_query_type {
	/** @GPU_PROTO_MALI_DEV_QUERY_GPU_INFO: struct gpu_proto_mali_gpu_info. */
	GPU_PROTO_MALI_DEV_QUERY_GPU_INFO = 0,
	/** @GPU_PROTO_MALI_DEV_QUERY_CSIF_INFO: struct gpu_proto_mali_csif_info. */
	GPU_PROTO_MALI_DEV_QUERY_CSIF_INFO = 1,
	/** @GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO: struct gpu_proto_mali_timestamp_info. */
	GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO = 2,
	/** @GPU_PROTO_MALI_DEV_QUERY_GROUP_PRIORITIES_INFO: struct gpu_proto_mali_group_priorities_info. */
	GPU_PROTO_MALI_DEV_QUERY_GROUP_PRIORITIES_INFO = 3
};

/**
 * struct gpu_proto_mali_dev_query - argument of GPU_PROTO_IOCTL_MALI_DEV_QUERY
 *
 * Size negotiation, so that either side can be built against an older or a
 * newer version of a query structure:
 *  - @pointer == 0: the device stores the size of its own structure for
 *    @type in @size and returns 0.  Nothing else is written.
 *  - @pointer != 0 and @size is below the structure's minimum size (the end
 *    of the last field it had when first published, see the
 *    GPU_PROTO_MALI_*_MIN_SIZE constants): EINVAL, nothing is written.
 *  - otherwise the device writes min(@size, its size) bytes at @pointer and,
 *    if @size is larger than its structure, zero-fills the rest of the
 *    caller's @size bytes.  @size itself is left unchanged (panthor's
 *    implementation does not update it either).
 *  - an unknown @type is EINVAL in both cases.
 */
struct gpu_proto_mali_dev_query {
	/** @type: in: an enum gpu_proto_mali_dev_query_type value. */
	__u32 type;
	/** @size: in: bytes available at @pointer; out: structure size when @pointer is 0. */
	__u32 size;
	/** @pointer: in: user address of the result buffer, or 0 to ask for the size. */
	__u64 pointer;
};

/**
 * enum gpu_proto_mali_gpu_coherency - values of gpu_info.selected_coherency
 *
 * coherency_features is a bitmask of (1 << value) for the protocols the GPU
 * implements; selected_coherency is the one the integration actually uses.
 */
enum gpu_proto_mali_gpu_coherency {
	/** @GPU_PROTO_MALI_GPU_COHERENCY_ACE_LITE: IO-coherent (ACE-Lite). */
	GPU_PROTO_MALI_GPU_COHERENCY_ACE_LITE = 0,
	/** @GPU_PROTO_MALI_GPU_COHERENCY_ACE: fully coherent (ACE). */
	GPU_PROTO_MALI_GPU_COHERENCY_ACE = 1,
	/** @GPU_PROTO_MALI_GPU_COHERENCY_NONE: not coherent; caches must be maintained. */
	GPU_PROTO_MALI_GPU_COHERENCY_NONE = 31
};

/**
 * struct gpu_proto_mali_gpu_info - result of DEV_QUERY_GPU_INFO (112 bytes)
 *
 * Mostly raw values of the GPU's identification registers, read once when
 * the device is probed.  Layout of panthor's drm_panthor_gpu_info as of the
 * version that has selected_coherency and gpu_features; older callers that
 * stop after tiler_present (96 bytes) are still served.
 */
struct gpu_proto_mali_gpu_info {
	/** @gpu_id: GPU_ID register; decode with the GPU_PROTO_MALI_ARCH_* and VERSION_* macros. */
	__u32 gpu_id;
#define GPU_PROTO_MALI_ARCH_MAJOR(id)		(((id) >> 28) & 0xf)
#define GPU_PROTO_MALI_ARCH_MINOR(id)		(((id) >> 24) & 0xf)
#define GPU_PROTO_MALI_ARCH_REV(id)		(((id) >> 20) & 0xf)
#define GPU_PROTO_MALI_PRODUCT_MAJOR(id)	(((id) >> 16) & 0xf)
#define GPU_PROTO_MALI_VERSION_MAJOR(id)	(((id) >> 12) & 0xf)
#define GPU_PROTO_MALI_VERSION_MINOR(id)	(((id) >> 4) & 0xff)
#define GPU_PROTO_MALI_VERSION_STATUS(id)	((id) & 0xf)
	/** @gpu_rev: GPU_REVID register (implementation revision). */
	__u32 gpu_rev;
	/** @csf_id: CSF_ID register: command-stream frontend and MCU versions. */
	__u32 csf_id;
	/** @l2_features: L2_FEATURES register (cache geometry, bus width). */
	__u32 l2_features;
	/** @tiler_features: TILER_FEATURES register. */
	__u32 tiler_features;
	/** @mem_features: MEM_FEATURES register. */
	__u32 mem_features;
	/** @mmu_features: MMU_FEATURES register; bits 7:0 are the VA width in bits. */
	__u32 mmu_features;
#define GPU_PROTO_MALI_MMU_VA_BITS(f)		((f) & 0xff)
	/** @thread_features: THREAD_FEATURES register. */
	__u32 thread_features;
	/** @max_threads: THREAD_MAX_THREADS: threads a shader core can hold. */
	__u32 max_threads;
	/** @thread_max_workgroup_size: THREAD_MAX_WORKGROUP_SIZE. */
	__u32 thread_max_workgroup_size;
	/** @thread_max_barrier_size: THREAD_MAX_BARRIER_SIZE: threads one barrier can hold. */
	__u32 thread_max_barrier_size;
	/** @coherency_features: COHERENCY_FEATURES: mask of 1 << gpu_proto_mali_gpu_coherency. */
	__u32 coherency_features;
	/** @texture_features: TEXTURE_FEATURES_0..3 registers. */
	__u32 texture_features[4];
	/** @as_present: AS_PRESENT: bitmask of usable MMU address spaces. */
	__u32 as_present;
	/** @selected_coherency: coherency protocol in use (enum gpu_proto_mali_gpu_coherency). */
	__u32 selected_coherency;
	/** @shader_present: SHADER_PRESENT: bitmask of shader cores. */
	__u64 shader_present;
	/** @l2_present: L2_PRESENT: bitmask of L2 cache slices. */
	__u64 l2_present;
	/** @tiler_present: TILER_PRESENT: bitmask of tiler units; last mandatory field. */
	__u64 tiler_present;
	/** @core_features: CORE_FEATURES: tells core variants of one product apart. */
	__u32 core_features;
	/** @pad: always 0. */
	__u32 pad;
	/** @gpu_features: GPU_FEATURES: bitmask of GPU-wide optional features (0 if absent). */
	__u64 gpu_features;
};

/**
 * struct gpu_proto_mali_csif_info - result of DEV_QUERY_CSIF_INFO (24 bytes)
 *
 * Describes the command-stream interface the MCU firmware exposes, as the
 * firmware reported it at boot.  A device whose firmware does not run
 * (gpu-proto on hardware, where loading it is not implemented yet) rejects
 * the query with EINVAL.
 */
struct gpu_proto_mali_csif_info {
	/** @csg_slot_count: command-stream group slots the firmware offers. */
	__u32 csg_slot_count;
	/** @cs_slot_count: command-stream slots in each group. */
	__u32 cs_slot_count;
	/** @cs_reg_count: registers available to a command stream. */
	__u32 cs_reg_count;
	/** @scoreboard_slot_count: scoreboard entries per command stream. */
	__u32 scoreboard_slot_count;
	/**
	 * @unpreserved_cs_reg_count: registers at the top of the register file
	 * that the kernel's submission stream clobbers when it calls a user
	 * stream; user code must not rely on them across a submit.
	 */
	__u32 unpreserved_cs_reg_count;
	/** @pad: always 0. */
	__u32 pad;
};

/**
 * struct gpu_proto_mali_timestamp_info - result of DEV_QUERY_TIMESTAMP_INFO (24 bytes)
 *
 * The three-field layout panthor published with interface 1.1.  Only the
 * first two fields are mandatory (minimum size 16).
 */
struct gpu_proto_mali_timestamp_info {
	/** @timestamp_frequency: ticks per second of the GPU timestamp counter, 0 if unknown. */
	__u64 timestamp_frequency;
	/** @current_timestamp: GPU_TIMESTAMP read at query time. */
	__u64 current_timestamp;
	/** @timestamp_offset: GPU_TIMESTAMP_OFFSET, the value added to the raw counter. */
	__u64 timestamp_offset;
};

/**
 * enum gpu_proto_mali_group_priority - scheduling group priorities
 *
 * Bit n of gpu_proto_mali_group_priorities_info.allowed_mask stands for
 * priority n.
 */
enum gpu_proto_mali_group_priority {
	/** @GPU_PROTO_MALI_GROUP_PRIORITY_LOW: background work. */
	GPU_PROTO_MALI_GROUP_PRIORITY_LOW = 0,
	/** @GPU_PROTO_MALI_GROUP_PRIORITY_MEDIUM: default; always allowed. */
	GPU_PROTO_MALI_GROUP_PRIORITY_MEDIUM = 1,
	/** @GPU_PROTO_MALI_GROUP_PRIORITY_HIGH: needs CAP_SYS_NICE or DRM master in panthor. */
	GPU_PROTO_MALI_GROUP_PRIORITY_HIGH = 2,
	/** @GPU_PROTO_MALI_GROUP_PRIORITY_REALTIME: same requirement as HIGH. */
	GPU_PROTO_MALI_GROUP_PRIORITY_REALTIME = 3
};

/**
 * struct gpu_proto_mali_group_priorities_info - result of
 * DEV_QUERY_GROUP_PRIORITIES_INFO (4 bytes)
 */
struct gpu_proto_mali_group_priorities_info {
	/** @allowed_mask: bit n set when this caller may create groups of priority n. */
	__u8 allowed_mask;
	/** @pad: always 0. */
	__u8 pad[3];
};

/*
 * Minimum @size accepted by DEV_QUERY for each type: the end of the last
 * field the structure had when it was first published.
 */
#define GPU_PROTO_MALI_GPU_INFO_MIN_SIZE		96	/* through tiler_present */
#define GPU_PROTO_MALI_CSIF_INFO_MIN_SIZE		24	/* through pad */
#define GPU_PROTO_MALI_TIMESTAMP_INFO_MIN_SIZE		16	/* through current_timestamp */
#define GPU_PROTO_MALI_GROUP_PRIORITIES_INFO_MIN_SIZE	4	/* through pad */

/** GPU_PROTO_IOCTL_MALI_DEV_QUERY - read one gpu_proto_mali_dev_query_type structure. */
#define GPU_PROTO_IOCTL_MALI_DEV_QUERY \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_DEV_QUERY, \
		       struct gpu_proto_mali_dev_query)

/* ------------------------------------------------------------------------ */
/* mali-csf: GPU memory (panthor's BO and VM ioctls)                        */
/* ------------------------------------------------------------------------ */

/**
 * struct gpu_proto_mali_obj_array - an array of objects in caller memory
 *
 * The layout of struct drm_panthor_obj_array.  @stride is the size of one
 * element as the caller knows it: smaller than the first published size is
 * EINVAL; larger is accepted when the extra bytes are zero (E2BIG
 * otherwise), as copy_struct_from_user().
 */
struct gpu_proto_mali_obj_array {
	/** @stride: size of one element, for versioning. */
	__u32 stride;
	/** @count: number of elements. */
	__u32 count;
	/** @array: caller pointer to the first element. */
	__u64 array;
};

/** GPU_PROTO_MALI_OBJ_ARRAY() - fill a gpu_proto_mali_obj_array from a C array. */
#define GPU_PROTO_MALI_OBJ_ARRAY(cnt, ptr) \
	{ .stride = sizeof((ptr)[0]), .count = (cnt), .array = (__u64)(unsigned long)(ptr) }

/**
 * enum gpu_proto_mali_sync_op_flags - flags of struct gpu_proto_mali_sync_op
 *
 * The values of enum drm_panthor_sync_op_flags: the handle type in the low
 * byte, the direction in bit 31.
 */
enum gpu_proto_mali_sync_op_flags {
	/** @GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_MASK: the handle type. */
	GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_MASK = 0xff,
	/** @GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_SYNCOBJ: a binary sync object. */
	GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_SYNCOBJ = 0,
	/**
	 * @GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_TIMELINE_SYNCOBJ: a timeline
	 * sync object; @timeline_value names the point.
	 */
	GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_TIMELINE_SYNCOBJ = 1,
	/** @GPU_PROTO_MALI_SYNC_OP_WAIT: wait for the fence before running. */
	GPU_PROTO_MALI_SYNC_OP_WAIT = 0 << 31,
	/** @GPU_PROTO_MALI_SYNC_OP_SIGNAL: attach the job's done fence. */
	GPU_PROTO_MALI_SYNC_OP_SIGNAL = (int)(1u << 31),
};

/**
 * struct gpu_proto_mali_sync_op - a synchronisation operation
 *
 * The layout of struct drm_panthor_sync_op.  GROUP_SUBMIT takes them in
 * each queue submit's @syncs; asynchronous VM_BIND, which gpu-proto does
 * not implement, would too: a VM_BIND's arrays must be empty.
 */
struct gpu_proto_mali_sync_op {
	/** @flags: DRM_PANTHOR_SYNC_OP_* values. */
	__u32 flags;
	/** @handle: sync object handle. */
	__u32 handle;
	/** @timeline_value: timeline point; MBZ for binary sync objects. */
	__u64 timeline_value;
};

/**
 * struct gpu_proto_mali_vm_create - argument of GPU_PROTO_IOCTL_MALI_VM_CREATE
 *
 * The layout of struct drm_panthor_vm_create.  A VM is a GPU address space
 * of 2^va_bits bytes (gpu_info.mmu_features bits [7:0]); the user part is
 * [0, @user_va_range), the rest above it belongs to the driver, whose range
 * is the largest power of two that fits.  VM ids are per file, from 1.
 *
 * Errors: EINVAL for non-zero @flags, for a @user_va_range larger than the
 * VA space less the 256 MiB the kernel part needs at least; ENOMEM; EBUSY
 * when the file has 32 VMs (panthor's limit); ENODEV once unplugged.
 */
struct gpu_proto_mali_vm_create {
	/** @flags: MBZ. */
	__u32 flags;
	/** @id: out: the VM id (>= 1). */
	__u32 id;
	/**
	 * @user_va_range: in: bytes of user VA wanted, 0 for the default
	 * (half the VA space above 4 GiB); out: the user range granted,
	 * which is where the kernel range starts.
	 */
	__u64 user_va_range;
};

/**
 * struct gpu_proto_mali_vm_destroy - argument of GPU_PROTO_IOCTL_MALI_VM_DESTROY
 *
 * Unmaps everything the VM maps; objects stay.  Errors: EINVAL for an
 * unknown id (also a second destroy) or non-zero @pad.
 */
struct gpu_proto_mali_vm_destroy {
	/** @id: the VM. */
	__u32 id;
	/** @pad: MBZ. */
	__u32 pad;
};

/**
 * enum gpu_proto_mali_vm_bind_op_flags - flags of struct gpu_proto_mali_vm_bind_op
 *
 * The values of enum drm_panthor_vm_bind_op_flags.
 */
enum gpu_proto_mali_vm_bind_op_flags {
	/** @GPU_PROTO_MALI_VM_BIND_OP_MAP_READONLY: map read-only (MAP only). */
	GPU_PROTO_MALI_VM_BIND_OP_MAP_READONLY = 1 << 0,
	/** @GPU_PROTO_MALI_VM_BIND_OP_MAP_NOEXEC: map not executable (MAP only). */
	GPU_PROTO_MALI_VM_BIND_OP_MAP_NOEXEC = 1 << 1,
	/** @GPU_PROTO_MALI_VM_BIND_OP_MAP_UNCACHED: map uncached (MAP only). */
	GPU_PROTO_MALI_VM_BIND_OP_MAP_UNCACHED = 1 << 2,
	/** @GPU_PROTO_MALI_VM_BIND_OP_TYPE_MASK: the operation's type. */
	GPU_PROTO_MALI_VM_BIND_OP_TYPE_MASK = (int)(0xfu << 28),
	/** @GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP: map a range of an object. */
	GPU_PROTO_MALI_VM_BIND_OP_TYPE_MAP = 0 << 28,
	/** @GPU_PROTO_MALI_VM_BIND_OP_TYPE_UNMAP: unmap a VA range. */
	GPU_PROTO_MALI_VM_BIND_OP_TYPE_UNMAP = 1 << 28,
	/** @GPU_PROTO_MALI_VM_BIND_OP_TYPE_SYNC_ONLY: no VM change; async binds only. */
	GPU_PROTO_MALI_VM_BIND_OP_TYPE_SYNC_ONLY = 2 << 28,
};

/**
 * struct gpu_proto_mali_vm_bind_op - one VM_BIND operation
 *
 * The layout of struct drm_panthor_vm_bind_op.  @va, @size and @bo_offset
 * must be multiples of the VM's page size (4 KiB) and [@va, @va + @size)
 * inside the user VA range; a MAP's [@bo_offset, @bo_offset + @size) must be
 * inside the object.  A MAP over mapped VA replaces what it overlaps; an
 * UNMAP may cover holes and parts of mappings.  A @size of 0 does nothing.
 */
struct gpu_proto_mali_vm_bind_op {
	/** @flags: enum gpu_proto_mali_vm_bind_op_flags. */
	__u32 flags;
	/** @bo_handle: the object to map; MBZ for UNMAP. */
	__u32 bo_handle;
	/** @bo_offset: where in the object the mapping starts; MBZ for UNMAP. */
	__u64 bo_offset;
	/** @va: GPU virtual address. */
	__u64 va;
	/** @size: bytes. */
	__u64 size;
	/** @syncs: struct gpu_proto_mali_sync_op array; must be empty (synchronous binds). */
	struct gpu_proto_mali_obj_array syncs;
};

/** enum gpu_proto_mali_vm_bind_flags - the values of enum drm_panthor_vm_bind_flags */
enum gpu_proto_mali_vm_bind_flags {
	/** @GPU_PROTO_MALI_VM_BIND_ASYNC: queue the operations (not implemented: EINVAL). */
	GPU_PROTO_MALI_VM_BIND_ASYNC = 1 << 0,
};

/**
 * struct gpu_proto_mali_vm_bind - argument of GPU_PROTO_IOCTL_MALI_VM_BIND
 *
 * The layout of struct drm_panthor_vm_bind.  Operations run in order, each
 * complete (page tables written, TLB flushed) before the next; on the first
 * failure the call returns its error and sets @ops.count to the number of
 * operations that were done.
 *
 * Errors: EINVAL for an unknown VM, ASYNC, a non-empty @syncs, a bad op
 * type or flag, unaligned or out-of-range VA/offset/size, a MAP of a handle
 * the file does not have (as panthor: a NULL object is EINVAL), a MAP of an
 * object exclusive to another VM, a MAP on an unusable VM; EFAULT for
 * unreadable @ops.array; E2BIG for non-zero bytes past a known element;
 * ENOMEM (page tables); ENOSPC when the device's DMA address space is
 * exhausted; EIO when the MMU does not finish a command; ENODEV once
 * unplugged.
 */
struct gpu_proto_mali_vm_bind {
	/** @vm_id: the VM. */
	__u32 vm_id;
	/** @flags: enum gpu_proto_mali_vm_bind_flags. */
	__u32 flags;
	/** @ops: struct gpu_proto_mali_vm_bind_op array; in/out: count. */
	struct gpu_proto_mali_obj_array ops;
};

/** enum gpu_proto_mali_vm_state - the values of enum drm_panthor_vm_state */
enum gpu_proto_mali_vm_state {
	/** @GPU_PROTO_MALI_VM_STATE_USABLE: maps and jobs accepted. */
	GPU_PROTO_MALI_VM_STATE_USABLE = 0,
	/**
	 * @GPU_PROTO_MALI_VM_STATE_UNUSABLE: the VM took an unhandled GPU
	 * fault; new MAPs fail (UNMAPs still work).  Destroy it and make a
	 * new one.
	 */
	GPU_PROTO_MALI_VM_STATE_UNUSABLE = 1,
};

/**
 * struct gpu_proto_mali_vm_get_state - argument of GPU_PROTO_IOCTL_MALI_VM_GET_STATE
 *
 * The layout of struct drm_panthor_vm_get_state.  Errors: EINVAL for an
 * unknown VM.
 */
struct gpu_proto_mali_vm_get_state {
	/** @vm_id: the VM. */
	__u32 vm_id;
	/** @state: out: enum gpu_proto_mali_vm_state. */
	__u32 state;
};

/** enum gpu_proto_mali_bo_flags - the values of enum drm_panthor_bo_flags */
enum gpu_proto_mali_bo_flags {
	/** @GPU_PROTO_MALI_BO_NO_MMAP: the object is never CPU-mapped by clients. */
	GPU_PROTO_MALI_BO_NO_MMAP = 1 << 0,
};

/**
 * struct gpu_proto_mali_bo_create - argument of GPU_PROTO_IOCTL_MALI_BO_CREATE
 *
 * The layout of struct drm_panthor_bo_create.  An object exclusive to a VM
 * can only be bound in that VM.
 *
 * Errors: EINVAL for a zero @size, one above 64 GiB, unknown @flags,
 * non-zero @pad, or an @exclusive_vm_id the file does not have; ENOMEM;
 * ENOSPC at the file's handle limit; ENODEV once unplugged.
 */
struct gpu_proto_mali_bo_create {
	/** @size: in: bytes wanted; out: bytes allocated (rounded up to 4 KiB). */
	__u64 size;
	/** @flags: enum gpu_proto_mali_bo_flags. */
	__u32 flags;
	/** @exclusive_vm_id: 0, or the only VM the object may be bound in. */
	__u32 exclusive_vm_id;
	/** @handle: out: the object's handle (>= 1). */
	__u32 handle;
	/** @pad: MBZ. */
	__u32 pad;
};

/**
 * struct gpu_proto_mali_bo_mmap_offset - argument of GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET
 *
 * The layout of struct drm_panthor_bo_mmap_offset.  Errors: EINVAL for
 * non-zero @pad; ENOENT for a handle the file does not have; EPERM for a
 * NO_MMAP object (panthor refuses its mmap() with EPERM instead).
 */
struct gpu_proto_mali_bo_mmap_offset {
	/** @handle: the object. */
	__u32 handle;
	/** @pad: MBZ. */
	__u32 pad;
	/** @offset: out: the fake offset to pass to mmap(). */
	__u64 offset;
};

#define GPU_PROTO_IOCTL_MALI_VM_CREATE \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_VM_CREATE, \
		       struct gpu_proto_mali_vm_create)
#define GPU_PROTO_IOCTL_MALI_VM_DESTROY \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_VM_DESTROY, \
		       struct gpu_proto_mali_vm_destroy)
#define GPU_PROTO_IOCTL_MALI_VM_BIND \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_VM_BIND, \
		       struct gpu_proto_mali_vm_bind)
#define GPU_PROTO_IOCTL_MALI_VM_GET_STATE \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_VM_GET_STATE, \
		       struct gpu_proto_mali_vm_get_state)
#define GPU_PROTO_IOCTL_MALI_BO_CREATE \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_BO_CREATE, \
		       struct gpu_proto_mali_bo_create)
#define GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_BO_MMAP_OFFSET, \
		       struct gpu_proto_mali_bo_mmap_offset)

/* ------------------------------------------------------------------------ */
/* mali-csf: scheduling groups, submission, tiler heaps (panthor's UAPI)    */
/* ------------------------------------------------------------------------ */

/**
 * struct gpu_proto_mali_queue_create - one queue of a GROUP_CREATE
 *
 * The layout of struct drm_panthor_queue_create.
 */
struct gpu_proto_mali_queue_create {
	/** @priority: priority of the queue inside its group, 0..15 (15 highest). */
	__u8 priority;
	/** @pad: MBZ. */
	__u8 pad[3];
	/** @ringbuf_size: bytes of the kernel ring buffer; a power of two, 4 KiB..64 KiB. */
	__u32 ringbuf_size;
};

/**
 * struct gpu_proto_mali_group_create - argument of GPU_PROTO_IOCTL_MALI_GROUP_CREATE
 *
 * The layout of struct drm_panthor_group_create.  Group handles are per
 * file, from 1.  See docs/uapi.md for the validation rules and errors.
 */
struct gpu_proto_mali_group_create {
	/** @queues: struct gpu_proto_mali_queue_create array, 1..csif_info.cs_slot_count. */
	struct gpu_proto_mali_obj_array queues;
	/** @max_compute_cores: at most the bits set in @compute_core_mask. */
	__u8 max_compute_cores;
	/** @max_fragment_cores: at most the bits set in @fragment_core_mask. */
	__u8 max_fragment_cores;
	/** @max_tiler_cores: at most the bits set in @tiler_core_mask. */
	__u8 max_tiler_cores;
	/** @priority: enum gpu_proto_mali_group_priority. */
	__u8 priority;
	/** @pad: MBZ. */
	__u32 pad;
	/** @compute_core_mask: subset of gpu_info.shader_present. */
	__u64 compute_core_mask;
	/** @fragment_core_mask: subset of gpu_info.shader_present. */
	__u64 fragment_core_mask;
	/** @tiler_core_mask: subset of gpu_info.tiler_present. */
	__u64 tiler_core_mask;
	/** @vm_id: the VM every queue of the group runs in. */
	__u32 vm_id;
	/** @group_handle: out: the group's handle (>= 1). */
	__u32 group_handle;
};

/**
 * struct gpu_proto_mali_group_destroy - argument of GPU_PROTO_IOCTL_MALI_GROUP_DESTROY
 *
 * The layout of struct drm_panthor_group_destroy.
 */
struct gpu_proto_mali_group_destroy {
	/** @group_handle: the group. */
	__u32 group_handle;
	/** @pad: MBZ. */
	__u32 pad;
};

/**
 * struct gpu_proto_mali_queue_submit - one job of a GROUP_SUBMIT
 *
 * The layout of struct drm_panthor_queue_submit.  @stream_addr is 64-byte
 * aligned, @stream_size a multiple of 8; both 0 make a job that only
 * waits and signals.
 */
struct gpu_proto_mali_queue_submit {
	/** @queue_index: the queue of the group. */
	__u32 queue_index;
	/** @stream_size: bytes of command stream to call. */
	__u32 stream_size;
	/** @stream_addr: GPU VA of the command stream. */
	__u64 stream_addr;
	/** @latest_flush: FLUSH_ID when the stream was built; 0 flushes always. */
	__u32 latest_flush;
	/** @pad: MBZ. */
	__u32 pad;
	/** @syncs: struct gpu_proto_mali_sync_op array. */
	struct gpu_proto_mali_obj_array syncs;
};

/**
 * struct gpu_proto_mali_group_submit - argument of GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT
 *
 * The layout of struct drm_panthor_group_submit.  All queue submits are
 * accepted or none is.
 */
struct gpu_proto_mali_group_submit {
	/** @group_handle: the group. */
	__u32 group_handle;
	/** @pad: MBZ. */
	__u32 pad;
	/** @queue_submits: struct gpu_proto_mali_queue_submit array. */
	struct gpu_proto_mali_obj_array queue_submits;
};

/** enum gpu_proto_mali_group_state_flags - the values of enum drm_panthor_group_state_flags */
enum gpu_proto_mali_group_state_flags {
	/** @GPU_PROTO_MALI_GROUP_STATE_TIMEDOUT: a job outlived the watchdog; no more submits. */
	GPU_PROTO_MALI_GROUP_STATE_TIMEDOUT = 1 << 0,
	/** @GPU_PROTO_MALI_GROUP_STATE_FATAL_FAULT: a queue took a fatal fault; no more submits. */
	GPU_PROTO_MALI_GROUP_STATE_FATAL_FAULT = 1 << 1,
};

/**
 * struct gpu_proto_mali_group_get_state - argument of GPU_PROTO_IOCTL_MALI_GROUP_GET_STATE
 *
 * The layout of struct drm_panthor_group_get_state.
 */
struct gpu_proto_mali_group_get_state {
	/** @group_handle: the group. */
	__u32 group_handle;
	/** @state: out: enum gpu_proto_mali_group_state_flags. */
	__u32 state;
	/** @fatal_queues: out: bit n set when queue n took a fatal fault. */
	__u32 fatal_queues;
	/** @pad: MBZ. */
	__u32 pad;
};

/**
 * struct gpu_proto_mali_tiler_heap_create - argument of
 * GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE
 *
 * The layout of struct drm_panthor_tiler_heap_create.
 */
struct gpu_proto_mali_tiler_heap_create {
	/** @vm_id: the VM the heap is mapped in. */
	__u32 vm_id;
	/** @initial_chunk_count: chunks allocated at once, >= 1. */
	__u32 initial_chunk_count;
	/** @chunk_size: bytes per chunk: page multiple in [128 KiB, 8 MiB]. */
	__u32 chunk_size;
	/** @max_chunks: >= @initial_chunk_count. */
	__u32 max_chunks;
	/** @target_in_flight: render passes in flight before tiler jobs wait; > 0. */
	__u32 target_in_flight;
	/** @handle: out: the heap's handle. */
	__u32 handle;
	/** @tiler_heap_ctx_gpu_va: out: GPU VA of the heap context. */
	__u64 tiler_heap_ctx_gpu_va;
	/** @first_heap_chunk_gpu_va: out: GPU VA of the first chunk of the list. */
	__u64 first_heap_chunk_gpu_va;
};

/**
 * struct gpu_proto_mali_tiler_heap_destroy - argument of
 * GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY
 *
 * The layout of struct drm_panthor_tiler_heap_destroy.
 */
struct gpu_proto_mali_tiler_heap_destroy {
	/** @handle: the heap. */
	__u32 handle;
	/** @pad: MBZ. */
	__u32 pad;
};

#define GPU_PROTO_IOCTL_MALI_GROUP_CREATE \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_GROUP_CREATE, \
		       struct gpu_proto_mali_group_create)
#define GPU_PROTO_IOCTL_MALI_GROUP_DESTROY \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_GROUP_DESTROY, \
		       struct gpu_proto_mali_group_destroy)
#define GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_GROUP_SUBMIT, \
		       struct gpu_proto_mali_group_submit)
#define GPU_PROTO_IOCTL_MALI_GROUP_GET_STATE \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_GROUP_GET_STATE, \
		       struct gpu_proto_mali_group_get_state)
#define GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_TILER_HEAP_CREATE, \
		       struct gpu_proto_mali_tiler_heap_create)
#define GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_TILER_HEAP_DESTROY, \
		       struct gpu_proto_mali_tiler_heap_destroy)

/* ------------------------------------------------------------------------ */
/* Events (read(2) on the device)                                           */
/* ------------------------------------------------------------------------ */

/**
 * struct gpu_proto_event - header of every event read(2) returns
 *
 * The layout of struct drm_event.  read(2) returns whole events only,
 * back to back; @length covers the header and the payload and is a
 * multiple of 8.  A buffer too small for the next event gets EINVAL;
 * an empty queue blocks, or gives EAGAIN with O_NONBLOCK; once the device
 * is unplugged, ENODEV.  poll(2) reports POLLIN when an event is queued,
 * and POLLERR|POLLHUP once the device is unplugged.
 */
struct gpu_proto_event {
	__u32 type;
	__u32 length;
};

/*
 * Event types.  DRM's core events use 0x01..0x03; driver events start at
 * 0x80000000, as DRM_EVENT_... for drivers.
 */
#define GPU_PROTO_EVENT_DRIVER_BASE	0x80000000u

/* ------------------------------------------------------------------------ */
/* mali-csf: gpu-proto prototyping extensions                               */
/* ------------------------------------------------------------------------ */

/*
 * Not part of panthor's UAPI: ioctls a prototype needs to exercise the
 * interrupt path end to end.  They live above panthor's ids
 * (GPU_PROTO_MALI_PROTO_BASE), so they can never collide with a future
 * panthor ioctl number below it.
 */
#define GPU_PROTO_MALI_PROTO_BASE	0x20

enum gpu_proto_mali_proto_ioctl_id {
	/** @GPU_PROTO_MALI_PROTO_FLUSH_CACHES: clean+invalidate the GPU caches. */
	GPU_PROTO_MALI_PROTO_FLUSH_CACHES = GPU_PROTO_MALI_PROTO_BASE + 0,
};

/**
 * struct gpu_proto_mali_flush_caches - argument of
 * GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES
 *
 * Issues a cache clean+invalidate (GPU_CMD FLUSH_CACHES) and returns at
 * once.  When the GPU raises CLEAN_CACHES_COMPLETED, the file receives one
 * GPU_PROTO_MALI_EVENT_FLUSH_DONE event carrying @user_data.  A request
 * made while a flush is running waits for a flush of its own, started when
 * the running one completes (requests waiting together share it).
 * Errors: EINVAL if @flags or @pad is non-zero; ENOSPC if the file's event
 * queue has no room left for the completion event.
 */
struct gpu_proto_mali_flush_caches {
	/** @user_data: returned in the completion event. */
	__u64 user_data;
	/** @flags: must be 0. */
	__u32 flags;
	/** @pad: must be 0. */
	__u32 pad;
};

#define GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_PROTO_FLUSH_CACHES, \
		       struct gpu_proto_mali_flush_caches)

/** GPU_PROTO_MALI_EVENT_FLUSH_DONE - a FLUSH_CACHES request completed. */
#define GPU_PROTO_MALI_EVENT_FLUSH_DONE	(GPU_PROTO_EVENT_DRIVER_BASE + 1)

/**
 * struct gpu_proto_mali_event_flush_done - GPU_PROTO_MALI_EVENT_FLUSH_DONE
 */
struct gpu_proto_mali_event_flush_done {
	/** @base: type GPU_PROTO_MALI_EVENT_FLUSH_DONE, length 24. */
	struct gpu_proto_event base;
	/** @user_data: the request's user_data. */
	__u64 user_data;
	/** @gpu_timestamp: GPU TIMESTAMP when the interrupt was handled. */
	__u64 gpu_timestamp;
};

/* ------------------------------------------------------------------------ */
/* qemu-edu: a test-only personality for QEMU's "edu" PCI device            */
/* ------------------------------------------------------------------------ */

/*
 * Exists only to prove the VFIO path end to end on an emulated device
 * (QEMU's -device edu, PCI 1234:11e8): probe, MMIO, real interrupts
 * delivered as events, hot-unbind.  Not a GPU.
 */

/** struct gpu_proto_edu_info - argument of GPU_PROTO_IOCTL_EDU_INFO */
struct gpu_proto_edu_info {
	/** @id: the identification register, 0x010000ed (version 1.0). */
	__u32 id;
	/** @liveness: ~0x12345678 when the liveness register inverts its input. */
	__u32 liveness;
};

/**
 * struct gpu_proto_edu_raise_irq - argument of GPU_PROTO_IOCTL_EDU_RAISE_IRQ
 *
 * Makes the device raise its interrupt with @status; when the daemon
 * handles it, the file receives GPU_PROTO_EDU_EVENT_IRQ with @user_data.
 * Errors: EINVAL for a zero @status or non-zero @pad; ENOSPC when the
 * file's event space is exhausted.
 */
struct gpu_proto_edu_raise_irq {
	__u64 user_data;
	/** @status: bits to raise (IRQ status register), non-zero. */
	__u32 status;
	/** @pad: must be 0. */
	__u32 pad;
};

/**
 * struct gpu_proto_edu_bo_create - argument of GPU_PROTO_IOCTL_EDU_BO_CREATE
 *
 * Creates a buffer object of system memory and a handle on it in this
 * file.  Map it with libgpuproto's gpc_bo_map(); release it with
 * GPU_PROTO_IOCTL_GEM_CLOSE.  Errors: EINVAL for a zero @size, one above
 * 64 GiB, or non-zero @pad; ENOSPC at the file's handle limit; ENOMEM.
 */
struct gpu_proto_edu_bo_create {
	/** @size: in: bytes wanted; out: the object's size (whole pages). */
	__u64 size;
	/** @handle: out: the new handle (>= 1). */
	__u32 handle;
	/** @pad: must be 0. */
	__u32 pad;
};

/** GPU_PROTO_EDU_DMA_TO_DEVICE - copy the object's bytes into the device buffer. */
#define GPU_PROTO_EDU_DMA_TO_DEVICE	0
/** GPU_PROTO_EDU_DMA_FROM_DEVICE - copy the device buffer's bytes into the object. */
#define GPU_PROTO_EDU_DMA_FROM_DEVICE	1
/** GPU_PROTO_EDU_DMA_ALIGN - offsets and lengths are multiples of this. */
#define GPU_PROTO_EDU_DMA_ALIGN		8
/** GPU_PROTO_EDU_DMA_BUF_SIZE - the device's DMA buffer, in bytes. */
#define GPU_PROTO_EDU_DMA_BUF_SIZE	4096
/*
 * GPU_PROTO_EDU_DMA_USABLE - the part of it a transfer may touch: all but
 * the last GPU_PROTO_EDU_DMA_ALIGN bytes.  QEMU before 8.0 (Debian 12 ships
 * 7.2) aborts the whole machine on a transfer that ends at the buffer's last
 * byte (an off-by-one in edu_check_range()), so the driver never asks it.
 */
#define GPU_PROTO_EDU_DMA_USABLE	(GPU_PROTO_EDU_DMA_BUF_SIZE - GPU_PROTO_EDU_DMA_ALIGN)

/**
 * struct gpu_proto_edu_dma - argument of GPU_PROTO_IOCTL_EDU_DMA
 *
 * Copies @length bytes between the buffer object @handle at @bo_offset and
 * the device's 4 KiB DMA buffer at @dev_offset, with the device's DMA
 * engine, and returns when the device's completion interrupt was handled.
 * The object is mapped for the device (through the IOMMU) only for the
 * transfer.  One transfer runs at a time; others wait their turn.
 *
 * Errors: ENOENT for a handle this file does not have (another file's
 * handles are not this file's); EINVAL for a zero @length, an unknown
 * @direction, non-zero @pad, offsets or length not multiples of
 * GPU_PROTO_EDU_DMA_ALIGN, a range outside the object or outside the
 * device buffer's first GPU_PROTO_EDU_DMA_USABLE bytes; EOPNOTSUPP when the device's binding has no DMA;
 * ENOSPC when no device address is free under the device's 28-bit DMA
 * mask; ETIMEDOUT when the device did not complete within a second (the
 * transfer is then abandoned to the driver, which waits for it at
 * release); ENODEV when the device went away, also while waiting.
 */
struct gpu_proto_edu_dma {
	/** @handle: the buffer object. */
	__u32 handle;
	/** @direction: GPU_PROTO_EDU_DMA_TO_DEVICE or _FROM_DEVICE. */
	__u32 direction;
	/** @bo_offset: byte offset in the object. */
	__u64 bo_offset;
	/** @dev_offset: byte offset in the device buffer. */
	__u32 dev_offset;
	/** @length: bytes to copy, 8..GPU_PROTO_EDU_DMA_USABLE. */
	__u32 length;
	/** @pad: must be 0. */
	__u64 pad;
};

#define GPU_PROTO_IOCTL_EDU_INFO \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + 0x00, struct gpu_proto_edu_info)
#define GPU_PROTO_IOCTL_EDU_RAISE_IRQ \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + 0x01, struct gpu_proto_edu_raise_irq)
#define GPU_PROTO_IOCTL_EDU_BO_CREATE \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + 0x02, struct gpu_proto_edu_bo_create)
#define GPU_PROTO_IOCTL_EDU_DMA \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + 0x03, struct gpu_proto_edu_dma)

/** GPU_PROTO_EDU_EVENT_IRQ - the device's interrupt was handled. */
#define GPU_PROTO_EDU_EVENT_IRQ		(GPU_PROTO_EVENT_DRIVER_BASE + 0x100)

/** struct gpu_proto_edu_event_irq - GPU_PROTO_EDU_EVENT_IRQ, 24 bytes */
struct gpu_proto_edu_event_irq {
	struct gpu_proto_event base;
	__u64 user_data;
	/** @status: the IRQ status register when the interrupt was handled. */
	__u32 status;
	__u32 pad;
};

/* ------------------------------------------------------------------------ */
/* qemu-pl031, qemu-virtio-mmio: test-only personalities of the virtual     */
/* board (tests/board/), for devices QEMU's arm64 "virt" machine has         */
/* ------------------------------------------------------------------------ */

/*
 * qemu-pl031: the ARM PrimeCell PL031 RTC on vfio-amba.  A 4 KiB mmap-able
 * register window and one level-triggered, automasked interrupt line: the
 * shape of Mali's lines.  The alarm makes it fire.  Not a GPU.
 */

/** struct gpu_proto_pl031_info - argument of GPU_PROTO_IOCTL_PL031_INFO */
struct gpu_proto_pl031_info {
	/** @periph_id: the AMBA peripheral ID (0xFE0-0xFEC), 0x00141031. */
	__u32 periph_id;
	/** @rtc_time: the data register (seconds). */
	__u32 rtc_time;
	/** @irqs: alarm interrupts handled by this binding so far. */
	__u32 irqs;
	/** @pad: 0. */
	__u32 pad;
};

/**
 * struct gpu_proto_pl031_alarm - argument of GPU_PROTO_IOCTL_PL031_ALARM
 *
 * Sets the alarm @seconds (1-60) ahead; when its interrupt is handled
 * (acknowledged, line unmasked) the file receives GPU_PROTO_PL031_EVENT_ALARM
 * with @user_data.  Errors: EINVAL for @seconds out of range or non-zero
 * @pad; ENOSPC when the file's event space is exhausted.
 */
struct gpu_proto_pl031_alarm {
	__u64 user_data;
	__u32 seconds;
	__u32 pad;
};

#define GPU_PROTO_IOCTL_PL031_INFO \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + 0x00, struct gpu_proto_pl031_info)
#define GPU_PROTO_IOCTL_PL031_ALARM \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + 0x01, struct gpu_proto_pl031_alarm)

/** GPU_PROTO_PL031_EVENT_ALARM - the alarm interrupt was handled. */
#define GPU_PROTO_PL031_EVENT_ALARM	(GPU_PROTO_EVENT_DRIVER_BASE + 0x200)

/** struct gpu_proto_pl031_event_alarm - GPU_PROTO_PL031_EVENT_ALARM, 24 bytes */
struct gpu_proto_pl031_event_alarm {
	struct gpu_proto_event base;
	__u64 user_data;
	/** @rtc_time: the data register when the interrupt was handled. */
	__u32 rtc_time;
	/** @irqs: interrupts handled by this binding, this one included. */
	__u32 irqs;
};

/*
 * qemu-virtio-mmio: an (empty) virtio-mmio transport on vfio-platform.  Its
 * 0x200-byte register region is smaller than a page, so VFIO does not let
 * it be mmap()ed: every access goes through pread/pwrite on the device fd.
 */

/** struct gpu_proto_virtio_info - argument of GPU_PROTO_IOCTL_VIRTIO_INFO */
struct gpu_proto_virtio_info {
	/** @magic: 0x74726976 ("virt"). */
	__u32 magic;
	/** @version: 1 (legacy) or 2. */
	__u32 version;
	/** @device_id: 0 for a transport with no device behind it. */
	__u32 device_id;
	/** @vendor_id: 0x554d4551 ("QEMU") on QEMU. */
	__u32 vendor_id;
};

#define GPU_PROTO_IOCTL_VIRTIO_INFO \
	GPU_PROTO_IOWR(GPU_PROTO_COMMAND_BASE + 0x00, struct gpu_proto_virtio_info)

/* ------------------------------------------------------------------------ */
/* Compile-time layout checks                                                */
/* ------------------------------------------------------------------------ */

#ifdef GPU_PROTO_ABI_CHECK
#define GPU_PROTO_ABI_FIELD(type, field, off) \
	GPU_PROTO_ABI_CHECK(offsetof(struct type, field) == (off), \
			    #type "." #field " must be at offset " #off)
#define GPU_PROTO_ABI_SIZE(type, size) \
	GPU_PROTO_ABI_CHECK(sizeof(struct type) == (size), \
			    "sizeof(struct " #type ") must be " #size)

#if defined(__SIZEOF_POINTER__) && __SIZEOF_POINTER__ == 8
/* LP64 only: these carry pointers and size_t (see the ABI notes above). */
GPU_PROTO_ABI_FIELD(gpu_proto_version, version_major, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_version, version_minor, 4);
GPU_PROTO_ABI_FIELD(gpu_proto_version, version_patchlevel, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_version, name_len, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_version, name, 24);
GPU_PROTO_ABI_FIELD(gpu_proto_version, date_len, 32);
GPU_PROTO_ABI_FIELD(gpu_proto_version, date, 40);
GPU_PROTO_ABI_FIELD(gpu_proto_version, desc_len, 48);
GPU_PROTO_ABI_FIELD(gpu_proto_version, desc, 56);
GPU_PROTO_ABI_SIZE(gpu_proto_version, 64);

GPU_PROTO_ABI_FIELD(gpu_proto_unique, unique_len, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_unique, unique, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_unique, 16);

GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_VERSION == 0xC0406400u,
		    "GPU_PROTO_IOCTL_VERSION must equal DRM_IOCTL_VERSION (LP64)");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_GET_UNIQUE == 0xC0106401u,
		    "GPU_PROTO_IOCTL_GET_UNIQUE must equal DRM_IOCTL_GET_UNIQUE (LP64)");
#endif

GPU_PROTO_ABI_FIELD(gpu_proto_get_cap, capability, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_get_cap, value, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_get_cap, 16);
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_GET_CAP == 0xC010640Cu,
		    "GPU_PROTO_IOCTL_GET_CAP must equal DRM_IOCTL_GET_CAP");

GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_create, handle, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_create, flags, 4);
GPU_PROTO_ABI_SIZE(gpu_proto_syncobj_create, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_destroy, pad, 4);
GPU_PROTO_ABI_SIZE(gpu_proto_syncobj_destroy, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_handle, fd, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_syncobj_handle, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_transfer, src_point, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_transfer, dst_point, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_transfer, flags, 24);
GPU_PROTO_ABI_SIZE(gpu_proto_syncobj_transfer, 32);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_wait, timeout_nsec, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_wait, count_handles, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_wait, first_signaled, 24);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_wait, deadline_nsec, 32);
GPU_PROTO_ABI_SIZE(gpu_proto_syncobj_wait, 40);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_timeline_wait, points, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_timeline_wait, timeout_nsec, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_timeline_wait, count_handles, 24);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_timeline_wait, first_signaled, 32);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_timeline_wait, deadline_nsec, 40);
GPU_PROTO_ABI_SIZE(gpu_proto_syncobj_timeline_wait, 48);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_eventfd, point, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_eventfd, fd, 16);
GPU_PROTO_ABI_SIZE(gpu_proto_syncobj_eventfd, 24);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_array, count_handles, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_syncobj_array, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_timeline_array, points, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_timeline_array, count_handles, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_timeline_array, flags, 20);
GPU_PROTO_ABI_SIZE(gpu_proto_syncobj_timeline_array, 24);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_status, status, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_syncobj_status, count_handles, 24);
GPU_PROTO_ABI_SIZE(gpu_proto_syncobj_status, 32);
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_SYNCOBJ_CREATE == 0xC00864BFu,
		    "GPU_PROTO_IOCTL_SYNCOBJ_CREATE must equal DRM_IOCTL_SYNCOBJ_CREATE");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_SYNCOBJ_WAIT == 0xC02864C3u,
		    "GPU_PROTO_IOCTL_SYNCOBJ_WAIT must equal DRM_IOCTL_SYNCOBJ_WAIT (Linux 6.4+)");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT == 0xC03064CAu,
		    "GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT must equal DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD == 0xC01864CFu,
		    "GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD must equal DRM_IOCTL_SYNCOBJ_EVENTFD");

GPU_PROTO_ABI_FIELD(gpu_proto_mali_dev_query, type, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_dev_query, size, 4);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_dev_query, pointer, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_dev_query, 16);
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_DEV_QUERY == 0xC0106440u,
		    "GPU_PROTO_IOCTL_MALI_DEV_QUERY must equal DRM_IOCTL_PANTHOR_DEV_QUERY");

GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, gpu_id, 0x00);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, gpu_rev, 0x04);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, csf_id, 0x08);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, l2_features, 0x0C);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, tiler_features, 0x10);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, mem_features, 0x14);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, mmu_features, 0x18);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, thread_features, 0x1C);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, max_threads, 0x20);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, thread_max_workgroup_size, 0x24);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, thread_max_barrier_size, 0x28);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, coherency_features, 0x2C);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, texture_features, 0x30);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, as_present, 0x40);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, selected_coherency, 0x44);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, shader_present, 0x48);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, l2_present, 0x50);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, tiler_present, 0x58);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, core_features, 0x60);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, pad, 0x64);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_gpu_info, gpu_features, 0x68);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_gpu_info, 112);
GPU_PROTO_ABI_CHECK(GPU_PROTO_MALI_GPU_INFO_MIN_SIZE ==
		    offsetof(struct gpu_proto_mali_gpu_info, tiler_present) + 8,
		    "GPU_INFO minimum size ends at tiler_present");

GPU_PROTO_ABI_FIELD(gpu_proto_mali_csif_info, csg_slot_count, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_csif_info, cs_slot_count, 4);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_csif_info, cs_reg_count, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_csif_info, scoreboard_slot_count, 12);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_csif_info, unpreserved_cs_reg_count, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_csif_info, pad, 20);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_csif_info, 24);
GPU_PROTO_ABI_CHECK(GPU_PROTO_MALI_CSIF_INFO_MIN_SIZE ==
		    sizeof(struct gpu_proto_mali_csif_info),
		    "CSIF_INFO minimum size is the whole structure");

GPU_PROTO_ABI_FIELD(gpu_proto_mali_timestamp_info, timestamp_frequency, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_timestamp_info, current_timestamp, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_timestamp_info, timestamp_offset, 16);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_timestamp_info, 24);
GPU_PROTO_ABI_CHECK(GPU_PROTO_MALI_TIMESTAMP_INFO_MIN_SIZE ==
		    offsetof(struct gpu_proto_mali_timestamp_info, current_timestamp) + 8,
		    "TIMESTAMP_INFO minimum size ends at current_timestamp");

GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_priorities_info, allowed_mask, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_priorities_info, pad, 1);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_group_priorities_info, 4);
GPU_PROTO_ABI_CHECK(GPU_PROTO_MALI_GROUP_PRIORITIES_INFO_MIN_SIZE ==
		    sizeof(struct gpu_proto_mali_group_priorities_info),
		    "GROUP_PRIORITIES_INFO minimum size is the whole structure");

GPU_PROTO_ABI_FIELD(gpu_proto_mali_obj_array, stride, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_obj_array, count, 4);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_obj_array, array, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_obj_array, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_sync_op, flags, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_sync_op, handle, 4);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_sync_op, timeline_value, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_sync_op, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_create, flags, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_create, id, 4);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_create, user_va_range, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_vm_create, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_destroy, id, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_destroy, pad, 4);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_vm_destroy, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_bind_op, flags, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_bind_op, bo_handle, 4);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_bind_op, bo_offset, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_bind_op, va, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_bind_op, size, 24);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_bind_op, syncs, 32);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_vm_bind_op, 48);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_bind, vm_id, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_bind, flags, 4);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_bind, ops, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_vm_bind, 24);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_get_state, vm_id, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_vm_get_state, state, 4);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_vm_get_state, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_bo_create, size, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_bo_create, flags, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_bo_create, exclusive_vm_id, 12);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_bo_create, handle, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_bo_create, pad, 20);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_bo_create, 24);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_bo_mmap_offset, handle, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_bo_mmap_offset, pad, 4);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_bo_mmap_offset, offset, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_bo_mmap_offset, 16);
/* The numbers of DRM_IOCTL_PANTHOR_*, as the kernel header computes them. */
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_VM_CREATE == 0xC0106441u,
		    "GPU_PROTO_IOCTL_MALI_VM_CREATE must equal DRM_IOCTL_PANTHOR_VM_CREATE");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_VM_DESTROY == 0xC0086442u,
		    "GPU_PROTO_IOCTL_MALI_VM_DESTROY must equal DRM_IOCTL_PANTHOR_VM_DESTROY");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_VM_BIND == 0xC0186443u,
		    "GPU_PROTO_IOCTL_MALI_VM_BIND must equal DRM_IOCTL_PANTHOR_VM_BIND");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_VM_GET_STATE == 0xC0086444u,
		    "GPU_PROTO_IOCTL_MALI_VM_GET_STATE must equal DRM_IOCTL_PANTHOR_VM_GET_STATE");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_BO_CREATE == 0xC0186445u,
		    "GPU_PROTO_IOCTL_MALI_BO_CREATE must equal DRM_IOCTL_PANTHOR_BO_CREATE");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET == 0xC0106446u,
		    "GPU_PROTO_IOCTL_MALI_BO_MMAP_OFFSET must equal DRM_IOCTL_PANTHOR_BO_MMAP_OFFSET");

GPU_PROTO_ABI_FIELD(gpu_proto_mali_queue_create, priority, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_queue_create, pad, 1);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_queue_create, ringbuf_size, 4);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_queue_create, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_create, queues, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_create, max_compute_cores, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_create, max_fragment_cores, 17);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_create, max_tiler_cores, 18);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_create, priority, 19);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_create, pad, 20);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_create, compute_core_mask, 24);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_create, fragment_core_mask, 32);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_create, tiler_core_mask, 40);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_create, vm_id, 48);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_create, group_handle, 52);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_group_create, 56);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_destroy, group_handle, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_destroy, pad, 4);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_group_destroy, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_queue_submit, queue_index, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_queue_submit, stream_size, 4);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_queue_submit, stream_addr, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_queue_submit, latest_flush, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_queue_submit, pad, 20);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_queue_submit, syncs, 24);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_queue_submit, 40);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_submit, group_handle, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_submit, pad, 4);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_submit, queue_submits, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_group_submit, 24);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_get_state, group_handle, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_get_state, state, 4);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_get_state, fatal_queues, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_group_get_state, pad, 12);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_group_get_state, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_tiler_heap_create, vm_id, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_tiler_heap_create, initial_chunk_count, 4);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_tiler_heap_create, chunk_size, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_tiler_heap_create, max_chunks, 12);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_tiler_heap_create, target_in_flight, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_tiler_heap_create, handle, 20);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_tiler_heap_create, tiler_heap_ctx_gpu_va, 24);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_tiler_heap_create, first_heap_chunk_gpu_va, 32);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_tiler_heap_create, 40);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_tiler_heap_destroy, handle, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_tiler_heap_destroy, pad, 4);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_tiler_heap_destroy, 8);
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_GROUP_CREATE == 0xC0386447u,
		    "GPU_PROTO_IOCTL_MALI_GROUP_CREATE must equal DRM_IOCTL_PANTHOR_GROUP_CREATE");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_GROUP_DESTROY == 0xC0086448u,
		    "GPU_PROTO_IOCTL_MALI_GROUP_DESTROY must equal DRM_IOCTL_PANTHOR_GROUP_DESTROY");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT == 0xC0186449u,
		    "GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT must equal DRM_IOCTL_PANTHOR_GROUP_SUBMIT");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_GROUP_GET_STATE == 0xC010644Au,
		    "GPU_PROTO_IOCTL_MALI_GROUP_GET_STATE must equal DRM_IOCTL_PANTHOR_GROUP_GET_STATE");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE == 0xC028644Bu,
		    "GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE must equal DRM_IOCTL_PANTHOR_TILER_HEAP_CREATE");
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY == 0xC008644Cu,
		    "GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY must equal DRM_IOCTL_PANTHOR_TILER_HEAP_DESTROY");

GPU_PROTO_ABI_FIELD(gpu_proto_event, type, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_event, length, 4);
GPU_PROTO_ABI_SIZE(gpu_proto_event, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_flush_caches, user_data, 0);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_flush_caches, flags, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_flush_caches, pad, 12);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_flush_caches, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_event_flush_done, user_data, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_mali_event_flush_done, gpu_timestamp, 16);
GPU_PROTO_ABI_SIZE(gpu_proto_mali_event_flush_done, 24);
GPU_PROTO_ABI_CHECK(GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES == 0xC0106460u,
		    "FLUSH_CACHES is _IOWR('d', 0x60, 16 bytes)");

GPU_PROTO_ABI_SIZE(gpu_proto_edu_info, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_edu_raise_irq, status, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_edu_raise_irq, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_edu_event_irq, user_data, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_edu_event_irq, status, 16);
GPU_PROTO_ABI_SIZE(gpu_proto_edu_event_irq, 24);
GPU_PROTO_ABI_FIELD(gpu_proto_edu_bo_create, handle, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_edu_bo_create, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_edu_dma, bo_offset, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_edu_dma, dev_offset, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_edu_dma, length, 20);
GPU_PROTO_ABI_FIELD(gpu_proto_edu_dma, pad, 24);
GPU_PROTO_ABI_SIZE(gpu_proto_edu_dma, 32);
GPU_PROTO_ABI_SIZE(gpu_proto_pl031_info, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_pl031_alarm, seconds, 8);
GPU_PROTO_ABI_SIZE(gpu_proto_pl031_alarm, 16);
GPU_PROTO_ABI_FIELD(gpu_proto_pl031_event_alarm, user_data, 8);
GPU_PROTO_ABI_FIELD(gpu_proto_pl031_event_alarm, irqs, 20);
GPU_PROTO_ABI_SIZE(gpu_proto_pl031_event_alarm, 24);
GPU_PROTO_ABI_SIZE(gpu_proto_virtio_info, 16);

#undef GPU_PROTO_ABI_FIELD
#undef GPU_PROTO_ABI_SIZE
#endif /* GPU_PROTO_ABI_CHECK */
#undef GPU_PROTO_ABI_CHECK

#if defined(__cplusplus)
}
#endif

#endif /* GPU_PROTO_DRM_H */
