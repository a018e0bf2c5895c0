/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A test personality for the core: ioctls that exercise each dispatch rule,
 * and registration data that records how it is used and released.
 */
#ifndef GP_TEST_FAKE_DRIVER_H
#define GP_TEST_FAKE_DRIVER_H

#include <linux/ioctl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "driver.h"
#include "registration.h"

#define FAKE_DATA_MAGIC 0x6770726f746f2121ull	/* "gproto!!" */

struct fake_echo {
	uint32_t in;		/* handler reads */
	uint32_t out;		/* handler writes in + 1 (or a marker when failing) */
	int32_t fail_with;	/* handler returns this after writing out */
	uint32_t seen_size_marker; /* handler writes 0xfeed when it saw a non-zero tail */
};

struct fake_sleep {
	uint32_t usec;		/* how long the handler sleeps inside the guard */
	uint32_t pad;
};

struct fake_follow {
	uint64_t ptr;		/* buffer the handler fills with 'A'..., len bytes */
	uint32_t len;
	uint32_t pad;
};

/* Three followed ranges of @len bytes, one of each direction. */
struct fake_mixed {
	uint64_t both;		/* IN|OUT: each byte XOR 0xff */
	uint64_t src;		/* IN */
	uint64_t dst;		/* OUT: src[i] + both[i] (both as read) */
	uint32_t len;
	uint32_t pad;
};

struct fake_big {
	uint8_t bytes[200];	/* larger than the dispatcher's stack buffer */
};

#define FAKE_IOCTL_ECHO		_IOWR('d', 0x40, struct fake_echo)
/* 0x41 is a hole: NULL handler */
#define FAKE_IOCTL_ROOT_ONLY	_IOWR('d', 0x42, struct fake_echo)
#define FAKE_IOCTL_NOT_RENDER	_IOWR('d', 0x43, struct fake_echo)
#define FAKE_IOCTL_SLEEP	_IOW('d', 0x44, struct fake_sleep)
#define FAKE_IOCTL_IN_ONLY	_IOW('d', 0x45, struct fake_echo)
#define FAKE_IOCTL_OUT_ONLY	_IOR('d', 0x46, struct fake_echo)
#define FAKE_IOCTL_MASTER	_IOWR('d', 0x47, struct fake_echo)
#define FAKE_IOCTL_AUTH		_IOWR('d', 0x48, struct fake_echo)
#define FAKE_IOCTL_FOLLOW	_IOWR('d', 0x49, struct fake_follow)
#define FAKE_IOCTL_BIG		_IOWR('d', 0x4a, struct fake_big)
#define FAKE_IOCTL_NOARG	_IO('d', 0x4b)
/* Follows ptr/len as one range planned both in and out: adds 1 to each byte. */
#define FAKE_IOCTL_INOUT	_IOWR('d', 0x4c, struct fake_follow)
/* Plans ptr/len OUT, then writes one byte just past it: a handler bug (-EFAULT). */
#define FAKE_IOCTL_STRAY	_IOWR('d', 0x4d, struct fake_follow)
/* A plan that is not a function of the argument: one byte longer each time. */
#define FAKE_IOCTL_UNSETTLED	_IOW('d', 0x4e, struct fake_follow)
#define FAKE_IOCTL_MIXED	_IOW('d', 0x4f, struct fake_mixed)

/* A driver-private BO create, as panthor's BO_CREATE: a bare object and a handle. */
struct fake_bo_create {
	uint64_t size;		/* in: bytes; out: rounded up to the page size */
	uint32_t handle;	/* out */
	uint32_t pad;
	uint64_t offset;	/* out: the fake mmap offset */
};
#define FAKE_IOCTL_BO_CREATE	_IOWR('d', 0x50, struct fake_bo_create)
/*
 * A waiting ioctl, as SYNCOBJ_WAIT(ALL) on fences: parks until every named
 * fence of fake_wait_fences[] has signalled, or the deadline passes.
 */
struct fake_wait {
	uint32_t fences[2];	/* indices into fake_wait_fences[] */
	uint32_t count;		/* 1 or 2 */
	int32_t status;		/* out: 1, or the first fence error */
	int64_t deadline_ns;	/* CLOCK_MONOTONIC; 0: none */
};
#define FAKE_IOCTL_WAIT		_IOWR('d', 0x51, struct fake_wait)
#define FAKE_IOCTL_COUNT	(0x51 - 0x40 + 1)

#define FAKE_WAIT_FENCES 8
struct gp_fence;
/* The fences FAKE_IOCTL_WAIT waits on; the test owns the references. */
extern struct gp_fence *_Atomic fake_wait_fences[FAKE_WAIT_FENCES];

/* The fake driver's per-file state (file->driver_priv). */
struct fake_file_priv {
	uint64_t magic;		/* FAKE_DATA_MAGIC until postclose */
};

/* Registration data of the fake driver. */
struct fake_data {
	uint64_t magic;			/* FAKE_DATA_MAGIC while alive */
	atomic_int in_flight;		/* handlers running now */
};

/* What the fake driver saw; reset with fake_driver_reset(). */
struct fake_record {
	atomic_int probes;
	atomic_int releases;
	atomic_int handlers_entered;
	atomic_int handlers_exited;
	/* Set if release found a handler still inside, or a handler found dead data. */
	atomic_bool release_while_in_flight;
	atomic_bool handler_saw_dead_data;
	atomic_int probe_result;	/* what probe returns */
	atomic_int plans;		/* FAKE_IOCTL_UNSETTLED's plan calls */

	/* Per-file hooks (gp_driver.open/.postclose). */
	atomic_int open_result;		/* what open returns (< 0: fail) */
	atomic_int opens;
	atomic_int postcloses;
	atomic_int postcloses_in_guard;		/* with rdev/data, inside a guard */
	atomic_int postcloses_unplugged;	/* with NULL rdev/data */
	/* A postclose broke driver.h's guarantee: no guard, data dead, or before release. */
	atomic_bool postclose_misplaced;
	atomic_int release_delay_us;	/* release sleeps this long first */
	atomic_bool release_started;
	atomic_int waits_run;		/* FAKE_IOCTL_WAIT handler runs */
	atomic_int parks;		/* ... that parked */
};

extern const struct gp_driver fake_driver;
extern struct fake_record fake_record;

void fake_driver_reset(void);

/** fake_bind() - bind the fake driver; fails the test on error. */
struct gp_registration *fake_bind(void);

#endif /* GP_TEST_FAKE_DRIVER_H */
