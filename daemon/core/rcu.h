/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process's one RCU domain (liburcu, urcu-memb flavour, inline read side).
 *
 * The kernel uses a single SRCU domain for every DRM device
 * (drm_unplug_srcu); gp-proto likewise uses one liburcu domain per process.
 * liburcu requires every reader thread to be registered; threads we do not
 * create (libfuse workers) are registered on first use and unregistered by a
 * thread-exit destructor.
 */
#ifndef GP_CORE_RCU_H
#define GP_CORE_RCU_H

#define _LGPL_SOURCE
#include <urcu/urcu-memb.h>
#include <stdbool.h>

extern __thread bool gp_rcu_thread_registered;

void gp_rcu_register_slow(void);

/** gp_rcu_thread_online() - make sure the calling thread may read-lock. */
static inline void gp_rcu_thread_online(void)
{
	if (__builtin_expect(!gp_rcu_thread_registered, 0))
		gp_rcu_register_slow();
}

/*
 * ThreadSanitizer cannot see the happens-before edge that liburcu's grace
 * period provides (it lives in the uninstrumented library and in the
 * membarrier syscall), so guard exit "releases" and the end of a grace
 * period "acquires" a per-device sync object in TSan builds.
 */
#if defined(__SANITIZE_THREAD__)
#define GP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GP_TSAN 1
#endif
#endif

#ifdef GP_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define gp_tsan_acquire(a) __tsan_acquire(a)
#define gp_tsan_release(a) __tsan_release(a)
#else
#define gp_tsan_acquire(a) ((void)(a))
#define gp_tsan_release(a) ((void)(a))
#endif

#endif /* GP_CORE_RCU_H */
