/* SPDX-License-Identifier: MIT */
/*
 * gpuproto.h - libgpuproto, the client library of /dev/gpu-proto
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
 * A small opaque-handle API over the ioctls of <gpu-proto/gpu_proto_drm.h>:
 * open a device, ask it the DRM core questions (VERSION, GET_UNIQUE,
 * GET_CAP), the mali-csf queries (DEV_QUERY with its size negotiation) and
 * read its events one at a time.
 *
 * Conventions, for every function below:
 *  - Errors are returned as a negative errno value, and errno is set to the
 *    same (positive) value.  On success errno is left as it was.
 *  - Every function may be called concurrently on the same handle, except
 *    gpc_close(), which must be the last call on it.
 *  - Interrupted system calls are restarted; callers never see EINTR.
 *
 * Reference: docs/libgpuproto.md.  Link with `pkg-config --cflags --libs
 * gpuproto`.
 */
#ifndef GPU_PROTO_GPUPROTO_H
#define GPU_PROTO_GPUPROTO_H

#include <stddef.h>
#include <stdint.h>

#include <gpu-proto/gpu_proto_drm.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** GPC_VERSION_MAJOR, _MINOR, _MICRO - version of this header and library. */
#define GPC_VERSION_MAJOR	0
#define GPC_VERSION_MINOR	2
#define GPC_VERSION_MICRO	0

/** GPC_DEFAULT_PATH - the device node gpc_open() opens when given NULL. */
#define GPC_DEFAULT_PATH	"/dev/gpu-proto"

/**
 * GPC_OPEN_NONBLOCK - gpc_open() flag: open the device O_NONBLOCK.
 *
 * Only raw read(2) calls on gpc_fd() see the difference; gpc_read_event()
 * takes its own timeout and behaves the same either way.
 */
#define GPC_OPEN_NONBLOCK	(1 << 0)

/**
 * struct gpc_device - an open device; opaque.
 */
struct gpc_device;

/**
 * struct gpc_version - the answer of the VERSION ioctl, from gpc_get_version()
 * @major: driver interface major (bumped on incompatible change).
 * @minor: driver interface minor (bumped when features are added).
 * @patchlevel: patch level, informational.
 * @name: driver name, NUL-terminated ("panthor" for mali-csf).
 * @date: driver date, NUL-terminated ("0" on current kernels and gpu-proto).
 * @desc: one-line description, NUL-terminated.
 *
 * Allocated by the library; release with gpc_version_free().
 */
struct gpc_version {
	int major;
	int minor;
	int patchlevel;
	char *name;
	char *date;
	char *desc;
};

/**
 * struct gpc_mali_gpu_id - the fields of a Mali GPU_ID register
 * @arch_major: architecture major (10 for Valhall CSF, e.g. Mali-G610).
 * @arch_minor: architecture minor.
 * @arch_rev: architecture revision.
 * @product_major: product major id.
 * @version_major: the "r" of "r0p0".
 * @version_minor: the "p" of "r0p0".
 * @version_status: version status.
 */
struct gpc_mali_gpu_id {
	unsigned int arch_major;
	unsigned int arch_minor;
	unsigned int arch_rev;
	unsigned int product_major;
	unsigned int version_major;
	unsigned int version_minor;
	unsigned int version_status;
};

/* ------------------------------------------------------------------------ */
/* Opening and closing                                                       */
/* ------------------------------------------------------------------------ */

/**
 * gpc_open() - open a gpu-proto device
 * @path: device node, or NULL for GPC_DEFAULT_PATH ("/dev/gpu-proto").
 * @flags: 0 or GPC_OPEN_NONBLOCK.
 * @out: receives the new handle; set to NULL on failure.
 *
 * Opens @path read-write and close-on-exec.  When @path does not exist
 * but gpu-protod serves it over its socket transport ($GPU_PROTO_SOCKET,
 * else /run/gpu-protod/<basename of @path>.sock), the handle uses the
 * socket instead (machines without CUSE; docs/socket-transport.md).
 *
 * Return: 0, or -EINVAL (NULL @out, unknown @flags), -ENOMEM, or any error
 * of open(2) (-ENOENT when the daemon is not running, -EACCES, ...).  Over
 * the socket the daemon's limits answer as open(2)'s own: -EMFILE when the
 * calling user has --socket-max-per-uid connections open, -ENFILE when the
 * daemon serves --socket-max-connections in all.
 */
int gpc_open(const char *path, int flags, struct gpc_device **out);

/**
 * gpc_open_fd() - wrap an already open device file in a handle
 * @fd: an open file of a gpu-proto device (or anything that behaves like
 *	one, such as one end of a socket pair in a test).
 * @flags: must be 0.
 * @out: receives the new handle; set to NULL on failure.
 *
 * The handle works on a close-on-exec duplicate of @fd; the caller keeps
 * @fd and still closes it itself.  The duplicate shares the open file
 * description, so O_NONBLOCK is whatever @fd has.
 *
 * Return: 0, or -EINVAL (NULL @out, non-zero @flags), -EBADF (@fd is not
 * open), -EMFILE, -ENOMEM.
 */
int gpc_open_fd(int fd, int flags, struct gpc_device **out);

/**
 * gpc_close() - close a handle and free it
 * @dev: the handle, or NULL (nothing happens).
 *
 * Must be the last call on @dev: no other thread may be using it.  Events
 * read from the device but not yet handed out by gpc_read_event() are lost.
 */
void gpc_close(struct gpc_device *dev);

/**
 * gpc_fd() - the file descriptor behind a handle
 * @dev: the handle.
 *
 * For poll(2)/epoll in an event loop: wait for POLLIN, then call
 * gpc_read_event() with a timeout of 0.  The descriptor stays owned by
 * @dev; do not close it, and do not read(2) it yourself while also using
 * gpc_read_event().
 *
 * Return: the descriptor, or -EINVAL if @dev is NULL.
 */
int gpc_fd(const struct gpc_device *dev);

/* ------------------------------------------------------------------------ */
/* Raw ioctls                                                                */
/* ------------------------------------------------------------------------ */

/**
 * gpc_ioctl() - issue one ioctl, as libdrm's drmIoctl
 * @dev: the handle.
 * @request: the ioctl number, a GPU_PROTO_IOCTL_* value.
 * @arg: its argument.
 *
 * Restarts the call while it fails with EINTR or EAGAIN, as drmIoctl does
 * (the CUSE transport may ask a caller to come back).
 *
 * Return: 0 (more precisely, ioctl(2)'s non-negative result, 0 for every
 * gpu-proto ioctl), or -errno: the ioctl's own errors (docs/uapi.md),
 * -EINVAL if @dev is NULL.
 */
int gpc_ioctl(struct gpc_device *dev, unsigned long request, void *arg);

/* ------------------------------------------------------------------------ */
/* DRM core queries                                                          */
/* ------------------------------------------------------------------------ */

/**
 * gpc_get_version() - driver name, version, date and description
 * @dev: the handle.
 * @out: receives a new struct gpc_version; set to NULL on failure.
 *
 * Asks for the string lengths first, then for the strings, as libdrm's
 * drmGetVersion; if a string grew in between, asks again (a few times).
 *
 * Return: 0, or -EINVAL (NULL argument), -ENOMEM, -EAGAIN (the strings kept
 * changing size), -EPROTO (an absurd length), or the ioctl's errors
 * (-ENODEV after unplug, ...).
 */
int gpc_get_version(struct gpc_device *dev, struct gpc_version **out);

/**
 * gpc_version_free() - free what gpc_get_version() returned
 * @version: the structure, or NULL.
 */
void gpc_version_free(struct gpc_version *version);

/**
 * gpc_get_unique() - the device's bus id ("mock", "fb000000.gpu", ...)
 * @dev: the handle.
 * @out: receives a NUL-terminated string to free(3); NULL on failure.
 *
 * Return: 0, or -EACCES on a render node (gpu-proto's default, as DRM),
 * -EINVAL, -ENOMEM, -EAGAIN, -EPROTO (as gpc_get_version()), or the
 * ioctl's errors.
 */
int gpc_get_unique(struct gpc_device *dev, char **out);

/**
 * gpc_get_cap() - read one DRM capability
 * @dev: the handle.
 * @cap: a GPU_PROTO_CAP_* number.
 * @value: receives the value; untouched on failure.
 *
 * Return: 0, or -EOPNOTSUPP for a capability the device does not have
 * (every KMS-only one), -EINVAL (NULL @value), or the ioctl's errors.
 */
int gpc_get_cap(struct gpc_device *dev, uint64_t cap, uint64_t *value);

/* ------------------------------------------------------------------------ */
/* mali-csf personality                                                      */
/* ------------------------------------------------------------------------ */

/**
 * gpc_mali_gpu_info() - DEV_QUERY GPU_INFO, whatever the daemon's version
 * @dev: the handle.
 * @info: receives the structure as this header defines it.
 *
 * Asks the daemon for the size of its structure first and queries with a
 * buffer large enough for both sides: a newer daemon's extra fields are
 * dropped, and fields an older daemon does not have read as 0.
 *
 * Return: 0, or -EINVAL (NULL @info; or the device is not mali-csf),
 * -ENOMEM, -EPROTO (an absurd size), or the ioctl's errors.
 */
int gpc_mali_gpu_info(struct gpc_device *dev, struct gpu_proto_mali_gpu_info *info);

/**
 * gpc_mali_timestamp() - DEV_QUERY TIMESTAMP_INFO: frequency and current value
 * @dev: the handle.
 * @ts: receives the structure; fields the daemon lacks read as 0.
 *
 * Return: as gpc_mali_gpu_info(); -ENODEV also when the GPU vanished during
 * the read.
 */
int gpc_mali_timestamp(struct gpc_device *dev, struct gpu_proto_mali_timestamp_info *ts);

/**
 * gpc_mali_group_priorities() - DEV_QUERY GROUP_PRIORITIES_INFO
 * @dev: the handle.
 * @allowed_mask: receives the mask: bit n set when this caller may create
 *	groups of priority n (enum gpu_proto_mali_group_priority).
 *
 * Return: as gpc_mali_gpu_info().
 */
int gpc_mali_group_priorities(struct gpc_device *dev, uint8_t *allowed_mask);

/**
 * gpc_mali_flush_caches() - start a GPU cache clean+invalidate
 * @dev: the handle.
 * @user_data: returned in the completion event.
 *
 * Returns as soon as the flush is issued.  Its completion arrives as one
 * GPU_PROTO_MALI_EVENT_FLUSH_DONE event (struct
 * gpu_proto_mali_event_flush_done) for gpc_read_event().  This is a
 * gpu-proto prototyping extension, not a panthor ioctl.
 *
 * Return: 0, or -ENOSPC (the file's event queue is full), -EINVAL (the
 * device is not mali-csf, or has no such extension), or the ioctl's errors.
 */
int gpc_mali_flush_caches(struct gpc_device *dev, uint64_t user_data);

/**
 * gpc_mali_decode_gpu_id() - split a GPU_ID register value into its fields
 * @gpu_id: gpu_proto_mali_gpu_info.gpu_id.
 * @out: receives the fields.
 *
 * Example: 0xA8670005 (Mali-G610) is arch 10.8 rev 6, product 7, r0p0,
 * status 5.
 */
void gpc_mali_decode_gpu_id(uint32_t gpu_id, struct gpc_mali_gpu_id *out);

/* ------------------------------------------------------------------------ */
/* Buffer objects: CPU mappings and PRIME (since 0.2)                         */
/* ------------------------------------------------------------------------ */

/*
 * A buffer object's memory is a memfd in the daemon.  The device file cannot
 * be mmap()ed (CUSE cannot map, and the socket transport is a socket), and
 * the daemon cannot put a file descriptor into this process, so these calls
 * mint a one-time token on the device file (GPU_PROTO_IOCTL_FD_TOKEN) and
 * redeem it on the daemon's fd socket, which passes the memfd with
 * SCM_RIGHTS (docs/uapi.md, "The fd socket").  They work over CUSE and over
 * the socket transport alike.
 *
 * The fd socket is $GPU_PROTO_FD_SOCKET when set; else the socket
 * transport's path ($GPU_PROTO_SOCKET, or /run/gpu-protod/NAME.sock for the
 * device /dev/NAME given to gpc_open(); gpc_open_fd() assumes
 * $GPU_PROTO_DEVICE or GPC_DEFAULT_PATH) with ".sock" replaced by
 * ".fd.sock".  The token is bound to this process: a handle cannot be
 * shared through a forked child's calls on an inherited gpc_device.
 *
 * Errors common to all of them, besides their own: -ENOENT (no such handle
 * in this file), -EACCES (the daemon refused the token: another process, or
 * the fd socket's permissions), -ENODEV (the device was unplugged),
 * -ECONNREFUSED/-ENOENT (no fd socket: a daemon older than 0.2),
 * -ETIMEDOUT (the token expired before it reached the daemon, which allows
 * five seconds), -ENOSPC (64 tokens of this file outstanding, which only
 * concurrent calls from many threads reach).
 */

/**
 * gpc_bo_get_memfd() - the memfd behind a buffer object
 * @dev: the handle.
 * @handle: a buffer-object handle of @dev's file (from a driver's BO_CREATE,
 *	or gpc_prime_fd_to_handle()).
 * @fd: receives a new file descriptor, O_RDWR and close-on-exec, of the
 *	object's memory; the caller closes it.  Its size is the object's.
 * @size: receives the object's size in bytes (may be NULL).
 *
 * The memory stays valid, and the descriptor usable, after the handle is
 * closed or the device is unplugged: it is system memory, as a DRM shmem
 * object's.  The memfd is sealed against shrinking and growing.
 *
 * Return: 0, -EINVAL (@handle 0, a NULL pointer), or the errors above.
 */
int gpc_bo_get_memfd(struct gpc_device *dev, uint32_t handle, int *fd, uint64_t *size);

/**
 * gpc_bo_map() - map a buffer object into this process
 * @dev: the handle.
 * @handle: a buffer-object handle of @dev's file.
 * @prot: PROT_READ and/or PROT_WRITE (<sys/mman.h>); 0 maps PROT_NONE.
 * @ptr: receives the address of a MAP_SHARED mapping of the whole object.
 * @size: receives the mapping's length, the object's size (may be NULL).
 *
 * The same memory the device and every other mapping of the object see,
 * with no copy.  Unmap it with gpc_bo_unmap() (or munmap()); like a
 * mapping of a DRM shmem object it outlives the handle, the file and the
 * device (after unplug the pages stay, the GPU no longer reaches them).
 *
 * Return: 0, -EINVAL (bad @prot, @handle 0), the errors above, or mmap()'s.
 */
int gpc_bo_map(struct gpc_device *dev, uint32_t handle, int prot, void **ptr, uint64_t *size);

/**
 * gpc_bo_unmap() - undo gpc_bo_map()
 * @ptr, @size: as gpc_bo_map() returned them.
 *
 * Return: 0, -EINVAL, or munmap()'s error.
 */
int gpc_bo_unmap(void *ptr, uint64_t size);

/**
 * gpc_prime_handle_to_fd() - export a buffer object (PRIME_HANDLE_TO_FD)
 * @dev: the handle.
 * @handle: a buffer-object handle of @dev's file.
 * @flags: GPU_PROTO_CLOEXEC (close-on-exec) and/or GPU_PROTO_RDWR (a
 *	writable descriptor; without it the descriptor is read-only, as a
 *	dma-buf exported without DRM_RDWR).
 * @fd: receives the new descriptor, which stands for the object the way a
 *	dma-buf does: pass it to another process (SCM_RIGHTS, fork), which
 *	imports it with gpc_prime_fd_to_handle() on its own device file, or
 *	mmap() it directly.
 *
 * The descriptor is the object's memfd, not a dma-buf: the kernel's DRM
 * drivers cannot import it, and a dma-buf from a kernel driver cannot be
 * imported here.
 *
 * Return: 0, -EINVAL (unknown @flags, @handle 0), or the errors above.
 */
int gpc_prime_handle_to_fd(struct gpc_device *dev, uint32_t handle, uint32_t flags, int *fd);

/**
 * gpc_prime_fd_to_handle() - import a buffer object (PRIME_FD_TO_HANDLE)
 * @dev: the handle.
 * @fd: a descriptor from gpc_prime_handle_to_fd() (or gpc_bo_get_memfd())
 *	of any process, for an object of the same device; not consumed.
 * @handle: receives the handle in @dev's file.  Importing an object the
 *	file already has a handle on returns that handle, as DRM does, so a
 *	handle imported twice is closed once.
 *
 * Return: 0, -EBADF (@fd is not open), -EINVAL (@fd is not a buffer object
 * of this device, as the kernel answers for a file that is not a dma-buf),
 * or the errors above.
 */
int gpc_prime_fd_to_handle(struct gpc_device *dev, int fd, uint32_t *handle);

/**
 * gpc_gem_close() - release a buffer-object handle (GEM_CLOSE)
 * @dev: the handle.
 * @handle: the handle to close.
 *
 * The object lives on while other handles, exported descriptors or
 * mappings hold it.  Works on an unplugged device too.
 *
 * Return: 0, -EINVAL (no such handle, also on a second close).
 */
int gpc_gem_close(struct gpc_device *dev, uint32_t handle);

/* ------------------------------------------------------------------------ */
/* mali-csf GPU memory: panthor's BO and VM ioctls                           */
/* ------------------------------------------------------------------------ */

/*
 * Thin, typed wrappers of GPU_PROTO_IOCTL_MALI_BO_* and _VM_*, whose
 * arguments and errors docs/uapi.md describes.  Each returns 0 or a
 * negative errno (also set in errno, as everywhere); on failure, out
 * parameters are left untouched.
 */

/**
 * gpc_mali_bo_create() - allocate a buffer object (BO_CREATE)
 * @dev: the handle.
 * @size: bytes wanted, > 0 and at most 64 GiB; rounded up to 4 KiB.
 * @flags: 0 or GPU_PROTO_MALI_BO_NO_MMAP (the object will never be mapped
 *	by the CPU; gpc_mali_bo_mmap_offset() then fails with -EPERM).
 * @exclusive_vm_id: 0, or a VM of this handle the object may only ever be
 *	bound in.
 * @handle: receives the object's handle (>= 1).
 * @alloc_size: receives the size allocated; may be NULL.
 *
 * The object is zero-filled system memory, owned by this handle until
 * GEM_CLOSE or gpc_close(); it outlives the device.
 *
 * Return: 0; -EINVAL (NULL @handle, zero or huge @size, unknown @flags, no
 * such @exclusive_vm_id); -ENOSPC (the handle's object limit); -ENOMEM;
 * -ENODEV once the device is gone.
 */
int gpc_mali_bo_create(struct gpc_device *dev, uint64_t size, uint32_t flags,
		       uint32_t exclusive_vm_id, uint32_t *handle, uint64_t *alloc_size);

/**
 * gpc_mali_bo_mmap_offset() - the offset to mmap() an object at (BO_MMAP_OFFSET)
 * @dev: the handle.
 * @handle: the object.
 * @offset: receives the fake offset, as panthor's; pass it to mmap() on the
 *	device's fd through the shim, or to the library's mapping call.
 *
 * Return: 0; -ENOENT (no such handle here); -EPERM (a NO_MMAP object);
 * -EINVAL; -ENODEV.
 */
int gpc_mali_bo_mmap_offset(struct gpc_device *dev, uint32_t handle, uint64_t *offset);

/**
 * gpc_mali_vm_create() - create a GPU address space (VM_CREATE)
 * @dev: the handle.
 * @user_va_range: bytes of VA for the caller's own mappings, from 0; 0 for
 *	the daemon's default (half of the GPU's VA space).  The driver takes
 *	the top of the space, a power of two of at least 256 MiB.
 * @vm_id: receives the VM's id (>= 1, at most 32 VMs per handle).
 * @granted_range: receives the user range actually granted (binds must stay
 *	below it); may be NULL.
 *
 * Return: 0; -EINVAL (NULL @vm_id, @user_va_range too large); -EBUSY (32
 * VMs already); -ENOMEM; -ENODEV.
 */
int gpc_mali_vm_create(struct gpc_device *dev, uint64_t user_va_range, uint32_t *vm_id,
		       uint64_t *granted_range);

/**
 * gpc_mali_vm_destroy() - destroy a VM and every mapping in it (VM_DESTROY)
 * @dev: the handle.
 * @vm_id: the VM.
 *
 * The objects that were bound stay; only the GPU's view of them goes.
 * Return: 0; -EINVAL (no such VM, e.g. destroyed already); -ENODEV.
 */
int gpc_mali_vm_destroy(struct gpc_device *dev, uint32_t vm_id);

/**
 * gpc_mali_vm_bind_map() - map part of an object into a VM (synchronous VM_BIND MAP)
 * @dev: the handle.
 * @vm_id: the VM.
 * @handle: the object.
 * @bo_offset: where in the object the mapping starts.
 * @va: the GPU virtual address.
 * @size: bytes; @va, @size and @bo_offset are multiples of 4 KiB.
 * @flags: GPU_PROTO_MALI_VM_BIND_OP_MAP_READONLY, _NOEXEC, _UNCACHED.
 *
 * When the call returns the GPU translates the range.  A mapping already in
 * the range is replaced where the new one overlaps it.
 *
 * Return: 0; -EINVAL (no such VM or handle, misaligned or out-of-range
 * arguments, an object exclusive to another VM, an unusable VM); -ENOSPC
 * (device address space exhausted); -ENOMEM; -EIO (the MMU did not
 * respond); -ENODEV.
 */
int gpc_mali_vm_bind_map(struct gpc_device *dev, uint32_t vm_id, uint32_t handle,
			 uint64_t bo_offset, uint64_t va, uint64_t size, uint32_t flags);

/**
 * gpc_mali_vm_bind_unmap() - unmap a VA range (synchronous VM_BIND UNMAP)
 * @dev: the handle.
 * @vm_id: the VM.
 * @va: start, a multiple of 4 KiB.
 * @size: bytes, a multiple of 4 KiB; holes in the range are fine.
 *
 * When the call returns the GPU no longer translates any of the range.
 * Return: 0; -EINVAL (no such VM, misaligned or out-of-range arguments);
 * -ENOMEM; -EIO; -ENODEV.
 */
int gpc_mali_vm_bind_unmap(struct gpc_device *dev, uint32_t vm_id, uint64_t va, uint64_t size);

/**
 * gpc_mali_vm_get_state() - whether a VM is still usable (VM_GET_STATE)
 * @dev: the handle.
 * @vm_id: the VM.
 * @state: receives GPU_PROTO_MALI_VM_STATE_USABLE, or _UNUSABLE once the
 *	GPU faulted in it (new maps then fail; destroy it and make another).
 *
 * Return: 0; -EINVAL (no such VM, NULL @state); -ENODEV.
 */
int gpc_mali_vm_get_state(struct gpc_device *dev, uint32_t vm_id, uint32_t *state);

/* ------------------------------------------------------------------------ */
/* Sync objects: the DRM core's SYNCOBJ ioctls (since 0.4)                    */
/* ------------------------------------------------------------------------ */

/*
 * Typed wrappers of GPU_PROTO_IOCTL_SYNCOBJ_*, in the order and with the
 * arguments of libdrm's drmSyncobj*() calls, with the kernel's semantics
 * and errors (drm_syncobj.c; docs/uapi.md, "Sync objects").  A sync object
 * is a handle of this device file holding a fence (binary) or a timeline of
 * points (timeline); GPU work signals them through the sync operations of
 * gpc_mali_group_submit().
 *
 * Timeouts are absolute CLOCK_MONOTONIC nanoseconds, as the kernel's; use
 * gpc_timeout_abs() to turn a relative one into that.  Waits block the
 * calling thread only (the daemon parks them without holding a worker);
 * they end early with -ENODEV when the device is unplugged.  As in the
 * kernel, a fence signalled with an error (a job that faulted) ends a wait
 * successfully: gpc_syncobj_status() tells whether the work succeeded.
 */

/**
 * gpc_timeout_abs() - an absolute CLOCK_MONOTONIC timeout for the waits
 * @rel_ns: nanoseconds from now; negative or 0 means "now" (poll).
 *
 * Return: now + @rel_ns, saturated at INT64_MAX (wait forever).
 */
int64_t gpc_timeout_abs(int64_t rel_ns);

/**
 * gpc_syncobj_create() - create a sync object (SYNCOBJ_CREATE)
 * @dev: the handle.
 * @flags: 0, or GPU_PROTO_SYNCOBJ_CREATE_SIGNALED to start with a signalled fence.
 * @handle: receives the new handle (>= 1).
 *
 * Return: 0; -EINVAL (NULL @handle, unknown @flags); -ENOMEM; -ENODEV.
 */
int gpc_syncobj_create(struct gpc_device *dev, uint32_t flags, uint32_t *handle);

/**
 * gpc_syncobj_destroy() - release a sync-object handle (SYNCOBJ_DESTROY)
 * @dev: the handle.
 * @handle: the sync object.
 *
 * Waiters on it keep the fence they were given.
 * Return: 0; -EINVAL (no such handle in this file).
 */
int gpc_syncobj_destroy(struct gpc_device *dev, uint32_t handle);

/**
 * gpc_syncobj_wait() - wait for binary sync objects (SYNCOBJ_WAIT)
 * @dev: the handle.
 * @handles: @count sync-object handles.
 * @count: how many; at least 1.
 * @timeout_nsec: absolute CLOCK_MONOTONIC deadline (gpc_timeout_abs()).
 * @flags: GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL (all of them, else any),
 *	_WAIT_FOR_SUBMIT (a handle without a fence yet is waited for, rather
 *	than an error).
 * @first_signaled: receives the index of a signalled one when not waiting
 *	for all; may be NULL.
 *
 * Return: 0 when signalled; -ETIME at the deadline; -EINVAL (no fence
 * without WAIT_FOR_SUBMIT, @count 0, NULL @handles, unknown @flags);
 * -ENOENT (a handle not of this file); -ENODEV (the device went away while
 * waiting).
 */
int gpc_syncobj_wait(struct gpc_device *dev, const uint32_t *handles, uint32_t count,
		     int64_t timeout_nsec, uint32_t flags, uint32_t *first_signaled);

/**
 * gpc_syncobj_timeline_wait() - wait for points of timeline sync objects (SYNCOBJ_TIMELINE_WAIT)
 * @dev: the handle.
 * @handles: @count sync-object handles.
 * @points: the point to wait for on each (0 on a binary one).
 * @count: how many; at least 1.
 * @timeout_nsec: absolute CLOCK_MONOTONIC deadline.
 * @flags: as gpc_syncobj_wait(), and GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE
 *	(only wait for the point to have a fence, not for it to signal).
 * @first_signaled: as gpc_syncobj_wait().
 *
 * Return: as gpc_syncobj_wait().
 */
int gpc_syncobj_timeline_wait(struct gpc_device *dev, const uint32_t *handles,
			      const uint64_t *points, uint32_t count, int64_t timeout_nsec,
			      uint32_t flags, uint32_t *first_signaled);

/**
 * gpc_syncobj_reset() - drop the fences of sync objects (SYNCOBJ_RESET)
 * @dev: the handle.
 * @handles: @count handles.
 * @count: at least 1.
 *
 * Return: 0; -EINVAL (@count 0, NULL @handles); -ENOENT (a handle not of this file).
 */
int gpc_syncobj_reset(struct gpc_device *dev, const uint32_t *handles, uint32_t count);

/**
 * gpc_syncobj_signal() - give sync objects a signalled fence (SYNCOBJ_SIGNAL)
 * @dev, @handles, @count: as gpc_syncobj_reset().
 *
 * Return: as gpc_syncobj_reset().
 */
int gpc_syncobj_signal(struct gpc_device *dev, const uint32_t *handles, uint32_t count);

/**
 * gpc_syncobj_timeline_signal() - signal points of timelines (SYNCOBJ_TIMELINE_SIGNAL)
 * @dev: the handle.
 * @handles: @count handles.
 * @points: the point to signal on each (0 on a binary one: as SIGNAL).
 * @count: at least 1.
 *
 * Return: 0; -EINVAL (@count 0, NULL arrays, a point not after the
 * timeline's last, as the kernel); -ENOENT.
 */
int gpc_syncobj_timeline_signal(struct gpc_device *dev, const uint32_t *handles,
				const uint64_t *points, uint32_t count);

/**
 * gpc_syncobj_query() - the last signalled point of each timeline (SYNCOBJ_QUERY)
 * @dev: the handle.
 * @handles: @count handles.
 * @points: receives a point per handle: the latest signalled one, or with
 *	GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED the latest one that has a
 *	fence; 0 for a binary sync object.
 * @count: at least 1.
 * @flags: 0 or GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED.
 *
 * Return: 0; -EINVAL; -ENOENT.  @points is untouched on failure.
 */
int gpc_syncobj_query(struct gpc_device *dev, const uint32_t *handles, uint64_t *points,
		      uint32_t count, uint32_t flags);

/**
 * gpc_syncobj_transfer() - copy a fence from one sync object (point) to another (SYNCOBJ_TRANSFER)
 * @dev: the handle.
 * @dst_handle, @dst_point: where to put it (point 0: replace a binary fence).
 * @src_handle, @src_point: where to take it from.
 * @flags: 0 or GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT.
 *
 * Return: 0; -EINVAL (no fence at the source point without WAIT_FOR_SUBMIT);
 * -ENOENT (a handle not of this file).
 */
int gpc_syncobj_transfer(struct gpc_device *dev, uint32_t dst_handle, uint64_t dst_point,
			 uint32_t src_handle, uint64_t src_point, uint32_t flags);

/**
 * gpc_syncobj_status() - how points ended: signalled, failed, or pending
 * @dev: the handle.
 * @handles: @count sync objects.
 * @points: the point of each (0 on a binary sync object), or NULL for all 0.
 * @status: receives, per handle, 1 when its fence signalled without error,
 *	0 while it is pending, or the negative errno it was signalled with (a
 *	job that faulted or outlived the watchdog, a device that went away;
 *	docs/uapi.md), as sync_file_info.status.
 * @count: at least 1.
 *
 * A gpu-proto extension (GPU_PROTO_IOCTL_SYNCOBJ_STATUS), never waits:
 * DRM's waits report a fence as signalled whatever its error, so a client
 * that must know whether its job succeeded asks this after the wait.
 *
 * Return: 0; -EINVAL (a point without a fence, @count 0, NULL arrays);
 * -ENOENT (a handle not of this file); -ENODEV.  @status is untouched on
 * failure.
 */
int gpc_syncobj_status(struct gpc_device *dev, const uint32_t *handles, const uint64_t *points,
		       int32_t *status, uint32_t count);

/* ------------------------------------------------------------------------ */
/* mali-csf submission: panthor's GROUP and TILER_HEAP ioctls (since 0.4)     */
/* ------------------------------------------------------------------------ */

/**
 * struct gpc_mali_group_cores - the cores a group may use
 * @compute_core_mask: shader cores for compute jobs (bits of shader_present).
 * @fragment_core_mask: shader cores for fragment jobs.
 * @tiler_core_mask: tiler units (bits of tiler_present).
 * @max_compute_cores: at most this many of @compute_core_mask at a time.
 * @max_fragment_cores: likewise for fragment.
 * @max_tiler_cores: likewise for tiler.
 */
struct gpc_mali_group_cores {
	uint64_t compute_core_mask;
	uint64_t fragment_core_mask;
	uint64_t tiler_core_mask;
	uint8_t max_compute_cores;
	uint8_t max_fragment_cores;
	uint8_t max_tiler_cores;
};

/**
 * gpc_mali_group_create() - create a scheduling group of queues (GROUP_CREATE)
 * @dev: the handle.
 * @vm_id: the VM every job of the group runs in.
 * @priority: an enum gpu_proto_mali_group_priority allowed by
 *	gpc_mali_group_priorities().
 * @queues: @queue_count queue descriptions (priority 0-15, ring buffer
 *	size, a power of two between 4 KiB and 64 KiB).
 * @queue_count: 1 to 32.
 * @cores: the cores to use, or NULL for every core GPU_INFO reports (the
 *	library asks the device).
 * @group_handle: receives the group's handle.
 *
 * Return: 0; -EINVAL (bad arguments, as panthor: no such VM, bad masks or
 * counts, ring-buffer sizes); -EPERM (a priority the caller may not use);
 * -ENOMEM; -ENODEV.
 */
int gpc_mali_group_create(struct gpc_device *dev, uint32_t vm_id, uint8_t priority,
			  const struct gpu_proto_mali_queue_create *queues, uint32_t queue_count,
			  const struct gpc_mali_group_cores *cores, uint32_t *group_handle);

/**
 * gpc_mali_group_destroy() - destroy a group (GROUP_DESTROY)
 * @dev: the handle.
 * @group_handle: the group.
 *
 * Its jobs in flight end with an error on their sync objects.
 * Return: 0; -EINVAL (no such group); -ENODEV.
 */
int gpc_mali_group_destroy(struct gpc_device *dev, uint32_t group_handle);

/**
 * gpc_mali_group_submit() - queue command streams on a group (GROUP_SUBMIT)
 * @dev: the handle.
 * @group_handle: the group.
 * @submits: @count queue submits: a queue index, a stream's GPU address
 *	(64-byte aligned) and size (a multiple of 8; 0 with address 0 makes a
 *	pure synchronisation point), and a gpu_proto_mali_obj_array of
 *	struct gpu_proto_mali_sync_op (waits before, signals after the job).
 * @count: at least 1.
 *
 * All or nothing, as panthor: on failure no job was queued and no sync
 * object changed.
 *
 * Return: 0; -EINVAL (malformed submits or sync arrays, a destroyed group,
 * a stream outside every mapping); -ENOENT (a sync object that is not of
 * this file); -ECANCELED (the group is unusable: it faulted or timed out);
 * -ENOMEM; -ENODEV.
 */
int gpc_mali_group_submit(struct gpc_device *dev, uint32_t group_handle,
			  const struct gpu_proto_mali_queue_submit *submits, uint32_t count);

/**
 * gpc_mali_group_get_state() - whether a group faulted or timed out (GROUP_GET_STATE)
 * @dev: the handle.
 * @group_handle: the group.
 * @state: receives GPU_PROTO_MALI_GROUP_STATE_* flags (0: usable).
 * @fatal_queues: receives the bitmask of queues that faulted; may be NULL.
 *
 * Return: 0; -EINVAL (no such group, NULL @state); -ENODEV.
 */
int gpc_mali_group_get_state(struct gpc_device *dev, uint32_t group_handle, uint32_t *state,
			     uint32_t *fatal_queues);

/**
 * gpc_mali_tiler_heap_create() - create a tiler heap (TILER_HEAP_CREATE)
 * @dev: the handle.
 * @vm_id: the VM the heap is mapped in.
 * @initial_chunk_count: chunks allocated now, at least 1.
 * @chunk_size: bytes per chunk, page-aligned, 128 KiB to 8 MiB.
 * @max_chunks: at least @initial_chunk_count.
 * @target_in_flight: render passes in flight before the tiler waits.
 * @handle: receives the heap's handle.
 * @heap_ctx_va: receives the GPU address of the heap context; may be NULL.
 * @first_chunk_va: receives the GPU address of the first chunk; may be NULL.
 *
 * Return: 0; -EINVAL (arguments out of panthor's ranges, no such VM);
 * -ENOMEM; -ENODEV.
 */
int gpc_mali_tiler_heap_create(struct gpc_device *dev, uint32_t vm_id,
			       uint32_t initial_chunk_count, uint32_t chunk_size,
			       uint32_t max_chunks, uint32_t target_in_flight, uint32_t *handle,
			       uint64_t *heap_ctx_va, uint64_t *first_chunk_va);

/**
 * gpc_mali_tiler_heap_destroy() - destroy a tiler heap (TILER_HEAP_DESTROY)
 * @dev: the handle.
 * @handle: the heap.
 *
 * Return: 0; -EINVAL (no such heap); -ENODEV.
 */
int gpc_mali_tiler_heap_destroy(struct gpc_device *dev, uint32_t handle);

/* ------------------------------------------------------------------------ */
/* Events                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * gpc_read_event() - take the next event, one whole event per call
 * @dev: the handle.
 * @buf: receives the event: a struct gpu_proto_event header followed by
 *	its payload; check the header's type before casting to the type's
 *	structure.
 * @size: bytes available at @buf.
 * @timeout_ms: -1 to wait as long as it takes, 0 to only look, or a
 *	number of milliseconds to wait at most.
 *
 * One read(2) of the device may return several events; the library keeps
 * the ones not yet handed out and returns them, in order, on the next
 * calls.  Several threads may wait on the same handle; each event goes to
 * exactly one of them, whole.  A thread that waits does not hold up
 * another one's timeout.
 *
 * Return: the length of the event copied to @buf (> 0); 0 if none arrived
 * within @timeout_ms; -EINVAL if @size is smaller than the next event (the
 * event stays queued for a call with a bigger buffer; 4096 bytes hold any
 * gpu-proto event) or an argument is invalid; -ENODEV once the device is
 * unplugged or the daemon is gone; -EPROTO if the device returned a
 * malformed event; -ENOMEM; or another error of poll(2)/read(2).
 */
int gpc_read_event(struct gpc_device *dev, void *buf, size_t size, int timeout_ms);

#if defined(__cplusplus)
}
#endif

#endif /* GPU_PROTO_GPUPROTO_H */
