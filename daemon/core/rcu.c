// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-thread liburcu registration for threads the daemon does not own.
 */
#include <pthread.h>
#include <stdlib.h>

#include "rcu.h"

__thread bool gp_rcu_thread_registered;

static pthread_key_t gp_rcu_key;
static pthread_once_t gp_rcu_key_once = PTHREAD_ONCE_INIT;

/*
 * Runs at thread exit for every thread that registered: a reader thread
 * that exits registered would leave liburcu's registry pointing at freed
 * thread-local storage.
 */
static void gp_rcu_thread_exit(void *unused)
{
	urcu_memb_unregister_thread();
	gp_rcu_thread_registered = false;
}

static void gp_rcu_key_create(void)
{
	/* Only fails on resource exhaustion at start-up: nothing to recover. */
	if (pthread_key_create(&gp_rcu_key, gp_rcu_thread_exit) != 0)
		abort();
}

void gp_rcu_register_slow(void)
{
	pthread_once(&gp_rcu_key_once, gp_rcu_key_create);
	urcu_memb_register_thread();
	gp_rcu_thread_registered = true;
	/* Any non-NULL value arms the destructor. */
	pthread_setspecific(gp_rcu_key, &gp_rcu_thread_registered);
}
