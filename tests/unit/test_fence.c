// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fences (daemon/core/fence.c) against dma_fence's documented behaviour:
 * signalled once, status as dma_fence_get_status(), callbacks in order on
 * the signalling thread, add after signal is ENOENT, remove reports whether
 * the callback will still run.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "fence.h"
#include "check_run.h"

struct rec_cb {
	struct gp_fence_cb cb;
	int *log;
	int *n;
	int id;
	int status_seen;
	pthread_t thread;
};

static void rec_func(struct gp_fence *fence, struct gp_fence_cb *cb)
{
	struct rec_cb *r = caa_container_of(cb, struct rec_cb, cb);

	r->log[(*r->n)++] = r->id;
	r->status_seen = gp_fence_get_status(fence);
	r->thread = pthread_self();
}

START_TEST(new_fence_is_pending_and_signals_once)
{
	struct gp_fence *f = NULL;

	ck_assert_int_eq(gp_fence_create(&f), 0);
	ck_assert_int_eq(gp_fence_get_status(f), 0);
	ck_assert(!gp_fence_is_signaled(f));
	ck_assert_int_eq(gp_fence_signal(f, 0), 0);
	ck_assert_int_eq(gp_fence_get_status(f), 1);
	ck_assert(gp_fence_is_signaled(f));
	/* The first status stands. */
	ck_assert_int_eq(gp_fence_signal(f, -EIO), -EINVAL);
	ck_assert_int_eq(gp_fence_get_status(f), 1);
	gp_fence_put(&f);
	ck_assert_ptr_null(f);
	gp_fence_put(&f);	/* NULL: a no-op */
}
END_TEST

START_TEST(error_status_is_the_negative_errno)
{
	struct gp_fence *f = NULL;

	ck_assert_int_eq(gp_fence_create(&f), 0);
	ck_assert_int_eq(gp_fence_signal(f, -ECANCELED), 0);
	ck_assert_int_eq(gp_fence_get_status(f), -ECANCELED);
	ck_assert(gp_fence_is_signaled(f));
	ck_assert_int_eq(gp_fence_signal(f, 0), -EINVAL);
	ck_assert_int_eq(gp_fence_get_status(f), -ECANCELED);
	gp_fence_put(&f);
}
END_TEST

START_TEST(stub_is_signalled_and_shared)
{
	struct gp_fence *a = gp_fence_get_stub(), *b = gp_fence_get_stub();
	struct rec_cb r = { 0 };
	int log[1], n = 0;

	ck_assert_ptr_eq(a, b);
	ck_assert_int_eq(gp_fence_get_status(a), 1);
	ck_assert_int_eq(gp_fence_signal(a, 0), -EINVAL);
	r.log = log;
	r.n = &n;
	ck_assert_int_eq(gp_fence_add_callback(a, &r.cb, rec_func), -ENOENT);
	ck_assert_int_eq(n, 0);
	/* References on the stub never free it. */
	for (int i = 0; i < 3; i++) {
		struct gp_fence *x = gp_fence_get(a);

		gp_fence_put(&x);
	}
	gp_fence_put(&a);
	gp_fence_put(&b);
	ck_assert_int_eq(gp_fence_get_status(gp_fence_get_stub()), 1);
}
END_TEST

START_TEST(callbacks_run_in_order_on_the_signalling_thread)
{
	struct gp_fence *f = NULL;
	struct rec_cb r[4];
	int log[4], n = 0;

	ck_assert_int_eq(gp_fence_create(&f), 0);
	for (int i = 0; i < 4; i++) {
		r[i] = (struct rec_cb){ .log = log, .n = &n, .id = i };
		ck_assert_int_eq(gp_fence_add_callback(f, &r[i].cb, rec_func), 0);
	}
	/* One taken off before the signal never runs. */
	ck_assert(gp_fence_remove_callback(f, &r[2].cb));
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(gp_fence_signal(f, -EIO), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(log[0], 0);
	ck_assert_int_eq(log[1], 1);
	ck_assert_int_eq(log[2], 3);
	/* The status is visible to callbacks. */
	ck_assert_int_eq(r[0].status_seen, -EIO);
	ck_assert(pthread_equal(r[0].thread, pthread_self()));
	/* After the run, removal says it already ran. */
	ck_assert(!gp_fence_remove_callback(f, &r[0].cb));
	ck_assert(!gp_fence_remove_callback(f, &r[2].cb));
	gp_fence_put(&f);
}
END_TEST

START_TEST(add_after_signal_is_enoent_and_never_runs)
{
	struct gp_fence *f = NULL;
	struct rec_cb r = { 0 };
	int log[1], n = 0;

	r.log = log;
	r.n = &n;
	ck_assert_int_eq(gp_fence_create(&f), 0);
	ck_assert_int_eq(gp_fence_signal(f, 0), 0);
	ck_assert_int_eq(gp_fence_add_callback(f, &r.cb, rec_func), -ENOENT);
	ck_assert_int_eq(n, 0);
	ck_assert(!gp_fence_remove_callback(f, &r.cb));
	gp_fence_put(&f);
}
END_TEST

START_TEST(references_keep_the_fence)
{
	struct gp_fence *f = NULL, *g;

	ck_assert_int_eq(gp_fence_create(&f), 0);
	g = gp_fence_get(f);
	ck_assert_ptr_eq(g, f);
	gp_fence_put(&f);
	/* Still alive through g (ASan would report a use after free). */
	ck_assert_int_eq(gp_fence_signal(g, 0), 0);
	ck_assert_int_eq(gp_fence_get_status(g), 1);
	gp_fence_put(&g);
}
END_TEST

/* A callback may free its own storage: nothing touches it after it ran. */
static void free_self(struct gp_fence *fence, struct gp_fence_cb *cb)
{
	(void)fence;
	free(cb);
}

START_TEST(callback_may_free_its_storage)
{
	struct gp_fence *f = NULL;
	struct gp_fence_cb *cb = malloc(sizeof(*cb));

	ck_assert_ptr_nonnull(cb);
	ck_assert_int_eq(gp_fence_create(&f), 0);
	ck_assert_int_eq(gp_fence_add_callback(f, cb, free_self), 0);
	ck_assert_int_eq(gp_fence_signal(f, 0), 0);
	gp_fence_put(&f);
}
END_TEST

/* --- concurrency --- */

#define RACE_ROUNDS 2000

struct race {
	struct gp_fence *fence;
	struct gp_fence_cb cb;
	_Atomic int ran;
	_Atomic int done;	/* set by the callback as it returns */
	pthread_barrier_t *barrier;
};

static void race_func(struct gp_fence *fence, struct gp_fence_cb *cb)
{
	struct race *r = caa_container_of(cb, struct race, cb);

	(void)fence;
	atomic_fetch_add(&r->ran, 1);
	atomic_store(&r->done, 1);
}

static void *race_signaller(void *arg)
{
	struct race *r = arg;

	pthread_barrier_wait(r->barrier);
	ck_assert_int_eq(gp_fence_signal(r->fence, 0), 0);
	return NULL;
}

/* Add racing signal: the callback runs exactly once, or add says ENOENT. */
START_TEST(add_racing_signal_runs_exactly_once_or_enoent)
{
	pthread_barrier_t barrier;

	pthread_barrier_init(&barrier, NULL, 2);
	for (int i = 0; i < RACE_ROUNDS; i++) {
		struct race r = { .barrier = &barrier };
		pthread_t t;
		int a;

		ck_assert_int_eq(gp_fence_create(&r.fence), 0);
		ck_assert_int_eq(pthread_create(&t, NULL, race_signaller, &r), 0);
		pthread_barrier_wait(&barrier);
		a = gp_fence_add_callback(r.fence, &r.cb, race_func);
		pthread_join(t, NULL);
		if (a == 0) {
			ck_assert_int_eq(atomic_load(&r.ran), 1);
		} else {
			ck_assert_int_eq(a, -ENOENT);
			ck_assert_int_eq(atomic_load(&r.ran), 0);
		}
		gp_fence_put(&r.fence);
	}
	pthread_barrier_destroy(&barrier);
}
END_TEST

/*
 * Remove racing signal: when remove says false the callback has already
 * returned (so its storage may go); when true it never runs.
 */
START_TEST(remove_racing_signal_never_leaves_a_running_callback)
{
	pthread_barrier_t barrier;

	pthread_barrier_init(&barrier, NULL, 2);
	for (int i = 0; i < RACE_ROUNDS; i++) {
		struct race r = { .barrier = &barrier };
		pthread_t t;
		bool removed;

		ck_assert_int_eq(gp_fence_create(&r.fence), 0);
		ck_assert_int_eq(gp_fence_add_callback(r.fence, &r.cb, race_func), 0);
		ck_assert_int_eq(pthread_create(&t, NULL, race_signaller, &r), 0);
		pthread_barrier_wait(&barrier);
		removed = gp_fence_remove_callback(r.fence, &r.cb);
		if (!removed)
			ck_assert_int_eq(atomic_load(&r.done), 1);
		pthread_join(t, NULL);
		ck_assert_int_eq(atomic_load(&r.ran), removed ? 0 : 1);
		gp_fence_put(&r.fence);
	}
	pthread_barrier_destroy(&barrier);
}
END_TEST

static Suite *fence_suite(void)
{
	Suite *s = suite_create("fence");
	TCase *tc = tcase_create("fences");
	TCase *tr = tcase_create("concurrency");

	tcase_add_test(tc, new_fence_is_pending_and_signals_once);
	tcase_add_test(tc, error_status_is_the_negative_errno);
	tcase_add_test(tc, stub_is_signalled_and_shared);
	tcase_add_test(tc, callbacks_run_in_order_on_the_signalling_thread);
	tcase_add_test(tc, add_after_signal_is_enoent_and_never_runs);
	tcase_add_test(tc, references_keep_the_fence);
	tcase_add_test(tc, callback_may_free_its_storage);
	suite_add_tcase(s, tc);

	tcase_add_test(tr, add_racing_signal_runs_exactly_once_or_enoent);
	tcase_add_test(tr, remove_racing_signal_never_leaves_a_running_callback);
	suite_add_tcase(s, tr);
	return s;
}

int main(void)
{
	return gp_check_run(fence_suite());
}
