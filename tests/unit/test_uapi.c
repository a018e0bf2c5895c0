// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_uapi - the installed UAPI header says what the kernel and libdrm say.
 *
 * Most of the contract is pinned by compile-time checks: those inside
 * gpu_proto_drm.h itself, and below, where libdrm's <drm.h> is available,
 * a field-by-field comparison with the real DRM definitions (included in the
 * same translation unit, which also proves the two headers do not clash).
 * The runtime cases restate the numbers through the _IOC_* decoders so a
 * failure names the part of the encoding that is wrong.
 */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "check_run.h"

#if defined(__has_include)
#if __has_include(<libdrm/drm.h>)
#include <libdrm/drm.h>
#define HAVE_LIBDRM_DRM_H 1
#endif
#endif

#define FIELD_END(type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field))

#ifdef HAVE_LIBDRM_DRM_H
/*
 * Same layout as libdrm means same offsets and sizes on whatever ABI this is
 * built for, so unlike the header's own LP64 checks these hold everywhere.
 */
#define SAME_FIELD(ours, theirs, field) \
	_Static_assert(offsetof(struct ours, field) == offsetof(struct theirs, field) && \
		       sizeof(((struct ours *)0)->field) == sizeof(((struct theirs *)0)->field), \
		       #ours "." #field " differs from " #theirs)

SAME_FIELD(gpu_proto_version, drm_version, version_major);
SAME_FIELD(gpu_proto_version, drm_version, version_minor);
SAME_FIELD(gpu_proto_version, drm_version, version_patchlevel);
SAME_FIELD(gpu_proto_version, drm_version, name_len);
SAME_FIELD(gpu_proto_version, drm_version, name);
SAME_FIELD(gpu_proto_version, drm_version, date_len);
SAME_FIELD(gpu_proto_version, drm_version, date);
SAME_FIELD(gpu_proto_version, drm_version, desc_len);
SAME_FIELD(gpu_proto_version, drm_version, desc);
_Static_assert(sizeof(struct gpu_proto_version) == sizeof(struct drm_version), "drm_version size");

SAME_FIELD(gpu_proto_unique, drm_unique, unique_len);
SAME_FIELD(gpu_proto_unique, drm_unique, unique);
_Static_assert(sizeof(struct gpu_proto_unique) == sizeof(struct drm_unique), "drm_unique size");

SAME_FIELD(gpu_proto_get_cap, drm_get_cap, capability);
SAME_FIELD(gpu_proto_get_cap, drm_get_cap, value);
_Static_assert(sizeof(struct gpu_proto_get_cap) == sizeof(struct drm_get_cap), "drm_get_cap size");

_Static_assert(GPU_PROTO_IOCTL_BASE == DRM_IOCTL_BASE, "ioctl type");
_Static_assert(GPU_PROTO_COMMAND_BASE == DRM_COMMAND_BASE, "driver range start");
_Static_assert(GPU_PROTO_COMMAND_END == DRM_COMMAND_END, "driver range end");
_Static_assert(GPU_PROTO_IOCTL_VERSION == DRM_IOCTL_VERSION, "VERSION number");
_Static_assert(GPU_PROTO_IOCTL_GET_UNIQUE == DRM_IOCTL_GET_UNIQUE, "GET_UNIQUE number");
_Static_assert(GPU_PROTO_IOCTL_GET_CAP == DRM_IOCTL_GET_CAP, "GET_CAP number");

_Static_assert(GPU_PROTO_CAP_DUMB_BUFFER == DRM_CAP_DUMB_BUFFER, "cap");
_Static_assert(GPU_PROTO_CAP_VBLANK_HIGH_CRTC == DRM_CAP_VBLANK_HIGH_CRTC, "cap");
_Static_assert(GPU_PROTO_CAP_DUMB_PREFERRED_DEPTH == DRM_CAP_DUMB_PREFERRED_DEPTH, "cap");
_Static_assert(GPU_PROTO_CAP_DUMB_PREFER_SHADOW == DRM_CAP_DUMB_PREFER_SHADOW, "cap");
_Static_assert(GPU_PROTO_CAP_PRIME == DRM_CAP_PRIME, "cap");
_Static_assert(GPU_PROTO_PRIME_CAP_IMPORT == DRM_PRIME_CAP_IMPORT, "prime import bit");
_Static_assert(GPU_PROTO_PRIME_CAP_EXPORT == DRM_PRIME_CAP_EXPORT, "prime export bit");
_Static_assert(GPU_PROTO_CAP_TIMESTAMP_MONOTONIC == DRM_CAP_TIMESTAMP_MONOTONIC, "cap");
_Static_assert(GPU_PROTO_CAP_ASYNC_PAGE_FLIP == DRM_CAP_ASYNC_PAGE_FLIP, "cap");
_Static_assert(GPU_PROTO_CAP_CURSOR_WIDTH == DRM_CAP_CURSOR_WIDTH, "cap");
_Static_assert(GPU_PROTO_CAP_CURSOR_HEIGHT == DRM_CAP_CURSOR_HEIGHT, "cap");
_Static_assert(GPU_PROTO_CAP_ADDFB2_MODIFIERS == DRM_CAP_ADDFB2_MODIFIERS, "cap");
_Static_assert(GPU_PROTO_CAP_PAGE_FLIP_TARGET == DRM_CAP_PAGE_FLIP_TARGET, "cap");
_Static_assert(GPU_PROTO_CAP_CRTC_IN_VBLANK_EVENT == DRM_CAP_CRTC_IN_VBLANK_EVENT, "cap");
_Static_assert(GPU_PROTO_CAP_SYNCOBJ == DRM_CAP_SYNCOBJ, "cap");
_Static_assert(GPU_PROTO_CAP_SYNCOBJ_TIMELINE == DRM_CAP_SYNCOBJ_TIMELINE, "cap");
#ifdef DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP	/* libdrm >= 2.4.117 */
_Static_assert(GPU_PROTO_CAP_ATOMIC_ASYNC_PAGE_FLIP == DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP, "cap");
#endif

/* Sync objects: every field where libdrm has it (Debian 12's libdrm predates deadline_nsec). */
SAME_FIELD(gpu_proto_syncobj_create, drm_syncobj_create, handle);
SAME_FIELD(gpu_proto_syncobj_create, drm_syncobj_create, flags);
_Static_assert(sizeof(struct gpu_proto_syncobj_create) == sizeof(struct drm_syncobj_create), "size");
SAME_FIELD(gpu_proto_syncobj_destroy, drm_syncobj_destroy, handle);
SAME_FIELD(gpu_proto_syncobj_destroy, drm_syncobj_destroy, pad);
_Static_assert(sizeof(struct gpu_proto_syncobj_destroy) == sizeof(struct drm_syncobj_destroy), "size");
SAME_FIELD(gpu_proto_syncobj_handle, drm_syncobj_handle, handle);
SAME_FIELD(gpu_proto_syncobj_handle, drm_syncobj_handle, flags);
SAME_FIELD(gpu_proto_syncobj_handle, drm_syncobj_handle, fd);
SAME_FIELD(gpu_proto_syncobj_handle, drm_syncobj_handle, pad);
_Static_assert(sizeof(struct gpu_proto_syncobj_handle) == sizeof(struct drm_syncobj_handle), "size");
SAME_FIELD(gpu_proto_syncobj_transfer, drm_syncobj_transfer, src_handle);
SAME_FIELD(gpu_proto_syncobj_transfer, drm_syncobj_transfer, dst_handle);
SAME_FIELD(gpu_proto_syncobj_transfer, drm_syncobj_transfer, src_point);
SAME_FIELD(gpu_proto_syncobj_transfer, drm_syncobj_transfer, dst_point);
SAME_FIELD(gpu_proto_syncobj_transfer, drm_syncobj_transfer, flags);
SAME_FIELD(gpu_proto_syncobj_transfer, drm_syncobj_transfer, pad);
_Static_assert(sizeof(struct gpu_proto_syncobj_transfer) == sizeof(struct drm_syncobj_transfer), "size");
SAME_FIELD(gpu_proto_syncobj_wait, drm_syncobj_wait, handles);
SAME_FIELD(gpu_proto_syncobj_wait, drm_syncobj_wait, timeout_nsec);
SAME_FIELD(gpu_proto_syncobj_wait, drm_syncobj_wait, count_handles);
SAME_FIELD(gpu_proto_syncobj_wait, drm_syncobj_wait, flags);
SAME_FIELD(gpu_proto_syncobj_wait, drm_syncobj_wait, first_signaled);
SAME_FIELD(gpu_proto_syncobj_wait, drm_syncobj_wait, pad);
_Static_assert(sizeof(struct gpu_proto_syncobj_wait) >= sizeof(struct drm_syncobj_wait), "size");
SAME_FIELD(gpu_proto_syncobj_timeline_wait, drm_syncobj_timeline_wait, handles);
SAME_FIELD(gpu_proto_syncobj_timeline_wait, drm_syncobj_timeline_wait, points);
SAME_FIELD(gpu_proto_syncobj_timeline_wait, drm_syncobj_timeline_wait, timeout_nsec);
SAME_FIELD(gpu_proto_syncobj_timeline_wait, drm_syncobj_timeline_wait, count_handles);
SAME_FIELD(gpu_proto_syncobj_timeline_wait, drm_syncobj_timeline_wait, flags);
SAME_FIELD(gpu_proto_syncobj_timeline_wait, drm_syncobj_timeline_wait, first_signaled);
SAME_FIELD(gpu_proto_syncobj_timeline_wait, drm_syncobj_timeline_wait, pad);
_Static_assert(sizeof(struct gpu_proto_syncobj_timeline_wait) >=
	       sizeof(struct drm_syncobj_timeline_wait), "size");
SAME_FIELD(gpu_proto_syncobj_array, drm_syncobj_array, handles);
SAME_FIELD(gpu_proto_syncobj_array, drm_syncobj_array, count_handles);
SAME_FIELD(gpu_proto_syncobj_array, drm_syncobj_array, pad);
_Static_assert(sizeof(struct gpu_proto_syncobj_array) == sizeof(struct drm_syncobj_array), "size");
SAME_FIELD(gpu_proto_syncobj_timeline_array, drm_syncobj_timeline_array, handles);
SAME_FIELD(gpu_proto_syncobj_timeline_array, drm_syncobj_timeline_array, points);
SAME_FIELD(gpu_proto_syncobj_timeline_array, drm_syncobj_timeline_array, count_handles);
SAME_FIELD(gpu_proto_syncobj_timeline_array, drm_syncobj_timeline_array, flags);
_Static_assert(sizeof(struct gpu_proto_syncobj_timeline_array) ==
	       sizeof(struct drm_syncobj_timeline_array), "size");
_Static_assert(GPU_PROTO_SYNCOBJ_CREATE_SIGNALED == DRM_SYNCOBJ_CREATE_SIGNALED, "flag");
_Static_assert(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL == DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, "flag");
_Static_assert(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT ==
	       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, "flag");
_Static_assert(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE == DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
	       "flag");
_Static_assert(GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED ==
	       DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, "flag");
_Static_assert(GPU_PROTO_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE ==
	       DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE, "flag");
_Static_assert(GPU_PROTO_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE ==
	       DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, "flag");
_Static_assert(GPU_PROTO_IOCTL_SYNCOBJ_CREATE == DRM_IOCTL_SYNCOBJ_CREATE, "number");
_Static_assert(GPU_PROTO_IOCTL_SYNCOBJ_DESTROY == DRM_IOCTL_SYNCOBJ_DESTROY, "number");
_Static_assert(GPU_PROTO_IOCTL_SYNCOBJ_HANDLE_TO_FD == DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, "number");
_Static_assert(GPU_PROTO_IOCTL_SYNCOBJ_FD_TO_HANDLE == DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, "number");
_Static_assert(GPU_PROTO_IOCTL_SYNCOBJ_RESET == DRM_IOCTL_SYNCOBJ_RESET, "number");
_Static_assert(GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL == DRM_IOCTL_SYNCOBJ_SIGNAL, "number");
_Static_assert(GPU_PROTO_IOCTL_SYNCOBJ_QUERY == DRM_IOCTL_SYNCOBJ_QUERY, "number");
_Static_assert(GPU_PROTO_IOCTL_SYNCOBJ_TRANSFER == DRM_IOCTL_SYNCOBJ_TRANSFER, "number");
_Static_assert(GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL == DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL,
	       "number");
/* The waits grew deadline_nsec in Linux 6.4: same number apart from the size. */
_Static_assert(_IOC_NR(GPU_PROTO_IOCTL_SYNCOBJ_WAIT) == _IOC_NR(DRM_IOCTL_SYNCOBJ_WAIT), "nr");
_Static_assert(_IOC_NR(GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT) ==
	       _IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT), "nr");
#ifdef DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE	/* libdrm >= 2.4.116 */
_Static_assert(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE == DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE,
	       "flag");
_Static_assert(GPU_PROTO_IOCTL_SYNCOBJ_WAIT == DRM_IOCTL_SYNCOBJ_WAIT, "number");
_Static_assert(GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT == DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, "number");
#endif
#ifdef DRM_IOCTL_SYNCOBJ_EVENTFD
_Static_assert(GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD == DRM_IOCTL_SYNCOBJ_EVENTFD, "number");
#endif
#endif /* HAVE_LIBDRM_DRM_H */

/* ---- core ioctl numbers ------------------------------------------------ */

START_TEST(test_version_is_readwrite_type_d_nr_0_sized_by_its_struct)
{
	ck_assert_uint_eq(_IOC_TYPE(GPU_PROTO_IOCTL_VERSION), 'd');
	ck_assert_uint_eq(_IOC_NR(GPU_PROTO_IOCTL_VERSION), 0x00);
	ck_assert_uint_eq(_IOC_DIR(GPU_PROTO_IOCTL_VERSION), _IOC_READ | _IOC_WRITE);
	ck_assert_uint_eq(_IOC_SIZE(GPU_PROTO_IOCTL_VERSION), sizeof(struct gpu_proto_version));
}
END_TEST

START_TEST(test_get_unique_is_readwrite_type_d_nr_1_sized_by_its_struct)
{
	ck_assert_uint_eq(_IOC_TYPE(GPU_PROTO_IOCTL_GET_UNIQUE), 'd');
	ck_assert_uint_eq(_IOC_NR(GPU_PROTO_IOCTL_GET_UNIQUE), 0x01);
	ck_assert_uint_eq(_IOC_DIR(GPU_PROTO_IOCTL_GET_UNIQUE), _IOC_READ | _IOC_WRITE);
	ck_assert_uint_eq(_IOC_SIZE(GPU_PROTO_IOCTL_GET_UNIQUE), sizeof(struct gpu_proto_unique));
}
END_TEST

START_TEST(test_get_cap_is_0xC010640C_on_every_abi)
{
	ck_assert_uint_eq(_IOC_TYPE(GPU_PROTO_IOCTL_GET_CAP), 'd');
	ck_assert_uint_eq(_IOC_NR(GPU_PROTO_IOCTL_GET_CAP), 0x0C);
	ck_assert_uint_eq(_IOC_DIR(GPU_PROTO_IOCTL_GET_CAP), _IOC_READ | _IOC_WRITE);
	ck_assert_uint_eq(_IOC_SIZE(GPU_PROTO_IOCTL_GET_CAP), 16);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_GET_CAP, 0xC010640Cu);
}
END_TEST

START_TEST(test_core_numbers_have_lp64_values_on_lp64)
{
	if (sizeof(void *) != 8)
		return;	/* 32-bit layouts are a compat matter, see the header */
	ck_assert_uint_eq(sizeof(struct gpu_proto_version), 64);
	ck_assert_uint_eq(offsetof(struct gpu_proto_version, name_len), 16);
	ck_assert_uint_eq(offsetof(struct gpu_proto_version, desc), 56);
	ck_assert_uint_eq(sizeof(struct gpu_proto_unique), 16);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_VERSION, 0xC0406400u);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_GET_UNIQUE, 0xC0106401u);
}
END_TEST

START_TEST(test_core_ioctls_lie_below_the_driver_range)
{
	ck_assert_uint_lt(_IOC_NR(GPU_PROTO_IOCTL_VERSION), GPU_PROTO_COMMAND_BASE);
	ck_assert_uint_lt(_IOC_NR(GPU_PROTO_IOCTL_GET_UNIQUE), GPU_PROTO_COMMAND_BASE);
	ck_assert_uint_lt(_IOC_NR(GPU_PROTO_IOCTL_GET_CAP), GPU_PROTO_COMMAND_BASE);
	ck_assert_uint_eq(GPU_PROTO_COMMAND_BASE, 0x40);
	ck_assert_uint_eq(GPU_PROTO_COMMAND_END, 0xA0);
}
END_TEST

START_TEST(test_cap_numbers_are_drm_cap_numbers)
{
	/* Restated from Linux include/uapi/drm/drm.h, independent of libdrm. */
	ck_assert_uint_eq(GPU_PROTO_CAP_DUMB_BUFFER, 0x1);
	ck_assert_uint_eq(GPU_PROTO_CAP_VBLANK_HIGH_CRTC, 0x2);
	ck_assert_uint_eq(GPU_PROTO_CAP_DUMB_PREFERRED_DEPTH, 0x3);
	ck_assert_uint_eq(GPU_PROTO_CAP_DUMB_PREFER_SHADOW, 0x4);
	ck_assert_uint_eq(GPU_PROTO_CAP_PRIME, 0x5);
	ck_assert_uint_eq(GPU_PROTO_PRIME_CAP_IMPORT, 0x1);
	ck_assert_uint_eq(GPU_PROTO_PRIME_CAP_EXPORT, 0x2);
	ck_assert_uint_eq(GPU_PROTO_CAP_TIMESTAMP_MONOTONIC, 0x6);
	ck_assert_uint_eq(GPU_PROTO_CAP_ASYNC_PAGE_FLIP, 0x7);
	ck_assert_uint_eq(GPU_PROTO_CAP_CURSOR_WIDTH, 0x8);
	ck_assert_uint_eq(GPU_PROTO_CAP_CURSOR_HEIGHT, 0x9);
	ck_assert_uint_eq(GPU_PROTO_CAP_ADDFB2_MODIFIERS, 0x10);
	ck_assert_uint_eq(GPU_PROTO_CAP_PAGE_FLIP_TARGET, 0x11);
	ck_assert_uint_eq(GPU_PROTO_CAP_CRTC_IN_VBLANK_EVENT, 0x12);
	ck_assert_uint_eq(GPU_PROTO_CAP_SYNCOBJ, 0x13);
	ck_assert_uint_eq(GPU_PROTO_CAP_SYNCOBJ_TIMELINE, 0x14);
	ck_assert_uint_eq(GPU_PROTO_CAP_ATOMIC_ASYNC_PAGE_FLIP, 0x15);
}
END_TEST

#ifdef HAVE_LIBDRM_DRM_H
START_TEST(test_core_numbers_equal_libdrm_numbers)
{
	ck_assert_uint_eq(GPU_PROTO_IOCTL_VERSION, DRM_IOCTL_VERSION);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_GET_UNIQUE, DRM_IOCTL_GET_UNIQUE);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_GET_CAP, DRM_IOCTL_GET_CAP);
	ck_assert_uint_eq(GPU_PROTO_CAP_TIMESTAMP_MONOTONIC, DRM_CAP_TIMESTAMP_MONOTONIC);
	ck_assert_uint_eq(GPU_PROTO_CAP_PRIME, DRM_CAP_PRIME);
	ck_assert_uint_eq(GPU_PROTO_CAP_SYNCOBJ, DRM_CAP_SYNCOBJ);
	ck_assert_uint_eq(GPU_PROTO_CAP_SYNCOBJ_TIMELINE, DRM_CAP_SYNCOBJ_TIMELINE);
}
END_TEST

START_TEST(test_core_structs_have_libdrm_layouts)
{
	ck_assert_uint_eq(sizeof(struct gpu_proto_version), sizeof(struct drm_version));
	ck_assert_uint_eq(offsetof(struct gpu_proto_version, name_len),
			  offsetof(struct drm_version, name_len));
	ck_assert_uint_eq(offsetof(struct gpu_proto_version, date),
			  offsetof(struct drm_version, date));
	ck_assert_uint_eq(offsetof(struct gpu_proto_version, desc),
			  offsetof(struct drm_version, desc));
	ck_assert_uint_eq(sizeof(struct gpu_proto_unique), sizeof(struct drm_unique));
	ck_assert_uint_eq(offsetof(struct gpu_proto_unique, unique),
			  offsetof(struct drm_unique, unique));
	ck_assert_uint_eq(sizeof(struct gpu_proto_get_cap), sizeof(struct drm_get_cap));
	ck_assert_uint_eq(offsetof(struct gpu_proto_get_cap, value),
			  offsetof(struct drm_get_cap, value));
}
END_TEST
#endif

/* ---- sync objects --------------------------------------------------------- */

START_TEST(test_syncobj_numbers_are_linux_6_12_numbers)
{
	/* Restated from Linux 6.12 include/uapi/drm/drm.h, independent of libdrm. */
	ck_assert_uint_eq(GPU_PROTO_IOCTL_SYNCOBJ_CREATE, 0xC00864BFu);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_SYNCOBJ_DESTROY, 0xC00864C0u);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_SYNCOBJ_HANDLE_TO_FD, 0xC01064C1u);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_SYNCOBJ_FD_TO_HANDLE, 0xC01064C2u);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_SYNCOBJ_WAIT, 0xC02864C3u);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_SYNCOBJ_RESET, 0xC01064C4u);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_SYNCOBJ_SIGNAL, 0xC01064C5u);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_WAIT, 0xC03064CAu);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_SYNCOBJ_QUERY, 0xC01864CBu);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_SYNCOBJ_TRANSFER, 0xC02064CCu);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, 0xC01864CDu);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_SYNCOBJ_EVENTFD, 0xC01864CFu);
	ck_assert_uint_eq(GPU_PROTO_SYNCOBJ_CREATE_SIGNALED, 1);
	ck_assert_uint_eq(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, 1);
	ck_assert_uint_eq(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, 2);
	ck_assert_uint_eq(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE, 4);
	ck_assert_uint_eq(GPU_PROTO_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE, 8);
	ck_assert_uint_eq(GPU_PROTO_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, 1);
}
END_TEST

START_TEST(test_syncobj_status_is_in_the_core_extension_range)
{
	ck_assert_uint_eq(_IOC_TYPE(GPU_PROTO_IOCTL_SYNCOBJ_STATUS), 'd');
	ck_assert_uint_eq(_IOC_NR(GPU_PROTO_IOCTL_SYNCOBJ_STATUS), 0xF1);
	ck_assert_uint_eq(_IOC_DIR(GPU_PROTO_IOCTL_SYNCOBJ_STATUS), _IOC_READ | _IOC_WRITE);
	ck_assert_uint_eq(_IOC_SIZE(GPU_PROTO_IOCTL_SYNCOBJ_STATUS), 32);
	ck_assert_uint_ne(_IOC_NR(GPU_PROTO_IOCTL_SYNCOBJ_STATUS), _IOC_NR(GPU_PROTO_IOCTL_FD_TOKEN));
	/* The most handles a call may name, with points, fits one CUSE ioctl (128 KiB). */
	ck_assert_uint_le(GPU_PROTO_SYNCOBJ_MAX_COUNT * (4 + 8) +
			  sizeof(struct gpu_proto_syncobj_timeline_wait), 128u << 10);
	/* STATUS's array goes both ways (unchanged on failure): 16 bytes a handle in. */
	ck_assert_uint_le(GPU_PROTO_SYNCOBJ_STATUS_MAX_COUNT * (4 + 8 + 4) +
			  sizeof(struct gpu_proto_syncobj_status), 128u << 10);
	ck_assert_uint_le(GPU_PROTO_SYNCOBJ_STATUS_MAX_COUNT, GPU_PROTO_SYNCOBJ_MAX_COUNT);
}
END_TEST

/* ---- mali-csf personality ---------------------------------------------- */

START_TEST(test_mali_dev_query_is_first_driver_command)
{
	ck_assert_uint_eq(_IOC_TYPE(GPU_PROTO_IOCTL_MALI_DEV_QUERY), 'd');
	ck_assert_uint_eq(_IOC_NR(GPU_PROTO_IOCTL_MALI_DEV_QUERY), GPU_PROTO_COMMAND_BASE);
	ck_assert_uint_eq(_IOC_DIR(GPU_PROTO_IOCTL_MALI_DEV_QUERY), _IOC_READ | _IOC_WRITE);
	ck_assert_uint_eq(_IOC_SIZE(GPU_PROTO_IOCTL_MALI_DEV_QUERY), 16);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_MALI_DEV_QUERY, 0xC0106440u);
}
END_TEST

START_TEST(test_mali_ioctl_ids_are_panthor_ids)
{
	ck_assert_int_eq(GPU_PROTO_MALI_DEV_QUERY, 0);
	ck_assert_int_eq(GPU_PROTO_MALI_VM_CREATE, 1);
	ck_assert_int_eq(GPU_PROTO_MALI_VM_DESTROY, 2);
	ck_assert_int_eq(GPU_PROTO_MALI_VM_BIND, 3);
	ck_assert_int_eq(GPU_PROTO_MALI_VM_GET_STATE, 4);
	ck_assert_int_eq(GPU_PROTO_MALI_BO_CREATE, 5);
	ck_assert_int_eq(GPU_PROTO_MALI_BO_MMAP_OFFSET, 6);
	ck_assert_int_eq(GPU_PROTO_MALI_GROUP_CREATE, 7);
	ck_assert_int_eq(GPU_PROTO_MALI_GROUP_DESTROY, 8);
	ck_assert_int_eq(GPU_PROTO_MALI_GROUP_SUBMIT, 9);
	ck_assert_int_eq(GPU_PROTO_MALI_GROUP_GET_STATE, 10);
	ck_assert_int_eq(GPU_PROTO_MALI_TILER_HEAP_CREATE, 11);
	ck_assert_int_eq(GPU_PROTO_MALI_TILER_HEAP_DESTROY, 12);
	/* every id fits the driver range */
	ck_assert_int_lt(GPU_PROTO_COMMAND_BASE + GPU_PROTO_MALI_TILER_HEAP_DESTROY,
			 GPU_PROTO_COMMAND_END);
}
END_TEST

START_TEST(test_mali_query_types_and_priorities_are_panthor_values)
{
	ck_assert_int_eq(GPU_PROTO_MALI_DEV_QUERY_GPU_INFO, 0);
	ck_assert_int_eq(GPU_PROTO_MALI_DEV_QUERY_CSIF_INFO, 1);
	ck_assert_int_eq(GPU_PROTO_MALI_DEV_QUERY_TIMESTAMP_INFO, 2);
	ck_assert_int_eq(GPU_PROTO_MALI_DEV_QUERY_GROUP_PRIORITIES_INFO, 3);
	ck_assert_int_eq(GPU_PROTO_MALI_GROUP_PRIORITY_LOW, 0);
	ck_assert_int_eq(GPU_PROTO_MALI_GROUP_PRIORITY_MEDIUM, 1);
	ck_assert_int_eq(GPU_PROTO_MALI_GROUP_PRIORITY_HIGH, 2);
	ck_assert_int_eq(GPU_PROTO_MALI_GROUP_PRIORITY_REALTIME, 3);
	ck_assert_int_eq(GPU_PROTO_MALI_GPU_COHERENCY_ACE_LITE, 0);
	ck_assert_int_eq(GPU_PROTO_MALI_GPU_COHERENCY_ACE, 1);
	ck_assert_int_eq(GPU_PROTO_MALI_GPU_COHERENCY_NONE, 31);
}
END_TEST

START_TEST(test_gpu_id_of_mali_g610_decodes_to_arch_10_8_6_r0p0)
{
	/* RK3588 Mali-G610; r0p0 is VERSION_MAJOR/MINOR, the arch rev is 6 */
	const uint32_t id = 0xA8670005u;

	ck_assert_uint_eq(GPU_PROTO_MALI_ARCH_MAJOR(id), 10);
	ck_assert_uint_eq(GPU_PROTO_MALI_ARCH_MINOR(id), 8);
	ck_assert_uint_eq(GPU_PROTO_MALI_ARCH_REV(id), 6);
	ck_assert_uint_eq(GPU_PROTO_MALI_PRODUCT_MAJOR(id), 7);
	ck_assert_uint_eq(GPU_PROTO_MALI_VERSION_MAJOR(id), 0);
	ck_assert_uint_eq(GPU_PROTO_MALI_VERSION_MINOR(id), 0);
	ck_assert_uint_eq(GPU_PROTO_MALI_VERSION_STATUS(id), 5);
}
END_TEST

START_TEST(test_gpu_id_fields_do_not_bleed_into_each_other)
{
	/* all ones: each macro must mask to exactly its own width */
	const uint32_t id = 0xFFFFFFFFu;

	ck_assert_uint_eq(GPU_PROTO_MALI_ARCH_MAJOR(id), 0xf);
	ck_assert_uint_eq(GPU_PROTO_MALI_ARCH_MINOR(id), 0xf);
	ck_assert_uint_eq(GPU_PROTO_MALI_ARCH_REV(id), 0xf);
	ck_assert_uint_eq(GPU_PROTO_MALI_PRODUCT_MAJOR(id), 0xf);
	ck_assert_uint_eq(GPU_PROTO_MALI_VERSION_MAJOR(id), 0xf);
	ck_assert_uint_eq(GPU_PROTO_MALI_VERSION_MINOR(id), 0xff);
	ck_assert_uint_eq(GPU_PROTO_MALI_VERSION_STATUS(id), 0xf);
	ck_assert_uint_eq(GPU_PROTO_MALI_MMU_VA_BITS(0x2830u), 0x30);	/* 48-bit VA */
}
END_TEST

START_TEST(test_mali_structs_have_panthor_sizes)
{
	ck_assert_uint_eq(sizeof(struct gpu_proto_mali_dev_query), 16);
	ck_assert_uint_eq(sizeof(struct gpu_proto_mali_gpu_info), 112);
	ck_assert_uint_eq(sizeof(struct gpu_proto_mali_csif_info), 24);
	ck_assert_uint_eq(sizeof(struct gpu_proto_mali_timestamp_info), 24);
	ck_assert_uint_eq(sizeof(struct gpu_proto_mali_group_priorities_info), 4);
}
END_TEST

START_TEST(test_gpu_info_u64_fields_sit_on_8_byte_boundaries)
{
	/* explicit padding, so i386's 4-byte __u64 alignment cannot move them */
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_gpu_info, texture_features), 0x30);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_gpu_info, selected_coherency), 0x44);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_gpu_info, shader_present), 0x48);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_gpu_info, l2_present), 0x50);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_gpu_info, tiler_present), 0x58);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_gpu_info, core_features), 0x60);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_gpu_info, gpu_features), 0x68);
}
END_TEST

START_TEST(test_dev_query_min_sizes_end_at_last_mandatory_field)
{
	ck_assert_uint_eq(GPU_PROTO_MALI_GPU_INFO_MIN_SIZE,
			  FIELD_END(struct gpu_proto_mali_gpu_info, tiler_present));
	ck_assert_uint_eq(GPU_PROTO_MALI_GPU_INFO_MIN_SIZE, 96);
	ck_assert_uint_eq(GPU_PROTO_MALI_CSIF_INFO_MIN_SIZE,
			  FIELD_END(struct gpu_proto_mali_csif_info, pad));
	ck_assert_uint_eq(GPU_PROTO_MALI_TIMESTAMP_INFO_MIN_SIZE,
			  FIELD_END(struct gpu_proto_mali_timestamp_info, current_timestamp));
	ck_assert_uint_eq(GPU_PROTO_MALI_GROUP_PRIORITIES_INFO_MIN_SIZE,
			  FIELD_END(struct gpu_proto_mali_group_priorities_info, pad));
}
END_TEST

START_TEST(test_mali_submission_structs_have_panthor_layouts)
{
	ck_assert_uint_eq(sizeof(struct gpu_proto_mali_queue_create), 8);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_queue_create, ringbuf_size), 4);
	ck_assert_uint_eq(sizeof(struct gpu_proto_mali_group_create), 56);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_group_create, priority), 19);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_group_create, compute_core_mask), 24);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_group_create, vm_id), 48);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_group_create, group_handle), 52);
	ck_assert_uint_eq(sizeof(struct gpu_proto_mali_group_destroy), 8);
	ck_assert_uint_eq(sizeof(struct gpu_proto_mali_queue_submit), 40);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_queue_submit, stream_addr), 8);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_queue_submit, syncs), 24);
	ck_assert_uint_eq(sizeof(struct gpu_proto_mali_group_submit), 24);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_group_submit, queue_submits), 8);
	ck_assert_uint_eq(sizeof(struct gpu_proto_mali_group_get_state), 16);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_group_get_state, fatal_queues), 8);
	ck_assert_uint_eq(sizeof(struct gpu_proto_mali_tiler_heap_create), 40);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_tiler_heap_create, tiler_heap_ctx_gpu_va), 24);
	ck_assert_uint_eq(offsetof(struct gpu_proto_mali_tiler_heap_create, first_heap_chunk_gpu_va), 32);
	ck_assert_uint_eq(sizeof(struct gpu_proto_mali_tiler_heap_destroy), 8);
}
END_TEST

START_TEST(test_mali_submission_numbers_are_panthor_numbers)
{
	ck_assert_uint_eq(GPU_PROTO_IOCTL_MALI_GROUP_CREATE, 0xC0386447u);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_MALI_GROUP_DESTROY, 0xC0086448u);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_MALI_GROUP_SUBMIT, 0xC0186449u);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_MALI_GROUP_GET_STATE, 0xC010644Au);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_MALI_TILER_HEAP_CREATE, 0xC028644Bu);
	ck_assert_uint_eq(GPU_PROTO_IOCTL_MALI_TILER_HEAP_DESTROY, 0xC008644Cu);
	ck_assert_int_eq(GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_MASK, 0xff);
	ck_assert_int_eq(GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_SYNCOBJ, 0);
	ck_assert_int_eq(GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_TIMELINE_SYNCOBJ, 1);
	ck_assert_int_eq(GPU_PROTO_MALI_SYNC_OP_WAIT, 0);
	ck_assert_uint_eq((uint32_t)GPU_PROTO_MALI_SYNC_OP_SIGNAL, 0x80000000u);
	ck_assert_int_eq(GPU_PROTO_MALI_GROUP_STATE_TIMEDOUT, 1);
	ck_assert_int_eq(GPU_PROTO_MALI_GROUP_STATE_FATAL_FAULT, 2);
}
END_TEST

static Suite *uapi_suite(void)
{
	Suite *s = suite_create("uapi");
	TCase *core = tcase_create("core");
	TCase *mali = tcase_create("mali-csf");

	tcase_add_test(core, test_version_is_readwrite_type_d_nr_0_sized_by_its_struct);
	tcase_add_test(core, test_get_unique_is_readwrite_type_d_nr_1_sized_by_its_struct);
	tcase_add_test(core, test_get_cap_is_0xC010640C_on_every_abi);
	tcase_add_test(core, test_core_numbers_have_lp64_values_on_lp64);
	tcase_add_test(core, test_core_ioctls_lie_below_the_driver_range);
	tcase_add_test(core, test_cap_numbers_are_drm_cap_numbers);
#ifdef HAVE_LIBDRM_DRM_H
	tcase_add_test(core, test_core_numbers_equal_libdrm_numbers);
	tcase_add_test(core, test_core_structs_have_libdrm_layouts);
#endif
	tcase_add_test(core, test_syncobj_numbers_are_linux_6_12_numbers);
	tcase_add_test(core, test_syncobj_status_is_in_the_core_extension_range);
	suite_add_tcase(s, core);

	tcase_add_test(mali, test_mali_dev_query_is_first_driver_command);
	tcase_add_test(mali, test_mali_ioctl_ids_are_panthor_ids);
	tcase_add_test(mali, test_mali_query_types_and_priorities_are_panthor_values);
	tcase_add_test(mali, test_gpu_id_of_mali_g610_decodes_to_arch_10_8_6_r0p0);
	tcase_add_test(mali, test_gpu_id_fields_do_not_bleed_into_each_other);
	tcase_add_test(mali, test_mali_structs_have_panthor_sizes);
	tcase_add_test(mali, test_gpu_info_u64_fields_sit_on_8_byte_boundaries);
	tcase_add_test(mali, test_dev_query_min_sizes_end_at_last_mandatory_field);
	tcase_add_test(mali, test_mali_submission_structs_have_panthor_layouts);
	tcase_add_test(mali, test_mali_submission_numbers_are_panthor_numbers);
	suite_add_tcase(s, mali);

	return s;
}

int main(void)
{
	return gp_check_run(uapi_suite());
}
