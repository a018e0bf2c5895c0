// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lifetime model: registration, guard, revoke, rebind.
 *
 * Concurrency scenarios run threads that sleep inside guards while revoke
 * runs; they are repeated many times and also run under ThreadSanitizer.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake_driver.h"
#include "file.h"
#include "ioctl.h"
#include "registration.h"
#include "check_run.h"

#if defined(__SANITIZE_ADDRESS__)
#define GP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GP_ASAN 1
#endif
#endif

static void sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000L };

	nanosleep(&ts, NULL);
}

static void setup(void)
{
	fake_driver_reset();
}

START_TEST(guard_fails_on_unregistered_device)
{
	struct gp_unregistered_device *udev = NULL;
	struct gp_guard guard;

	ck_assert_int_eq(gp_device_new(&fake_driver, "fake:0", &udev), 0);
	ck_assert(!gp_dev_enter(gp_unregistered_to_device(udev), &guard));
	gp_unregistered_device_free(&udev);
	ck_assert_ptr_null(udev);
}
END_TEST

START_TEST(registration_consumes_device_and_data)
{
	struct gp_unregistered_device *udev = NULL;
	struct gp_registration *reg = NULL;
	struct fake_data *data = calloc(1, sizeof(*data));
	void *pdata = data;
	struct gp_guard guard;

	data->magic = FAKE_DATA_MAGIC;
	ck_assert_int_eq(gp_device_new(&fake_driver, "fake:0", &udev), 0);
	ck_assert_int_eq(gp_registration_new(&udev, &pdata, &reg), 0);
	ck_assert_ptr_null(udev);
	ck_assert_ptr_null(pdata);

	ck_assert(gp_dev_enter(gp_registration_device(reg), &guard));
	ck_assert_ptr_eq(gp_guard_data(&guard), data);
	ck_assert_ptr_eq(gp_registered_to_device(gp_guard_device(&guard)), gp_registration_device(reg));
	gp_dev_exit(&guard);

	gp_registration_free(&reg);
	ck_assert_ptr_null(reg);
	ck_assert_int_eq(fake_record.releases, 1);
}
END_TEST

START_TEST(guard_fails_after_revoke)
{
	struct gp_registration *reg = fake_bind();
	struct gp_device *dev = gp_device_get(gp_registration_device(reg));
	struct gp_guard guard;

	ck_assert(gp_dev_enter(dev, &guard));
	gp_dev_exit(&guard);
	ck_assert(!gp_device_is_unplugged(dev));

	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	ck_assert(gp_device_is_unplugged(dev));
	ck_assert(!gp_dev_enter(dev, &guard));
	ck_assert_int_eq(fake_record.releases, 1);

	gp_device_put(&dev);
	gp_registration_free(&reg);
	ck_assert_int_eq(fake_record.releases, 1);
}
END_TEST

START_TEST(guards_nest)
{
	struct gp_registration *reg = fake_bind();
	struct gp_device *dev = gp_registration_device(reg);
	struct gp_guard outer, inner;

	ck_assert(!gp_guard_held());
	ck_assert(gp_dev_enter(dev, &outer));
	ck_assert(gp_dev_enter(dev, &inner));
	ck_assert(gp_guard_held());
	gp_dev_exit(&inner);
	ck_assert(gp_guard_held());
	gp_dev_exit(&outer);
	ck_assert(!gp_guard_held());
	gp_registration_free(&reg);
}
END_TEST

START_TEST(failed_probe_registers_nothing)
{
	struct gp_registration *reg = NULL;
	struct gp_backend *be = NULL;

	atomic_store(&fake_record.probe_result, -EIO);
	ck_assert_int_eq(gp_driver_bind(&fake_driver, &be, "fake:0", &reg), -EIO);
	ck_assert_ptr_null(reg);
	ck_assert_int_eq(fake_record.probes, 1);
	ck_assert_int_eq(fake_record.releases, 0);
}
END_TEST

/* --- a handler sleeping inside its guard while revoke runs --- */

struct sleeper {
	struct gp_device *dev;
	unsigned int usec;
	atomic_bool inside;
	/* Set as the last thing inside the guard, so it precedes the guard's exit. */
	atomic_bool done;
	bool entered;
};

static void *sleeper_thread(void *arg)
{
	struct sleeper *s = arg;
	struct gp_guard guard;

	s->entered = gp_dev_enter(s->dev, &guard);
	if (s->entered) {
		struct fake_data *d = gp_guard_data(&guard);

		atomic_fetch_add(&d->in_flight, 1);
		atomic_store(&s->inside, true);
		sleep_us(s->usec);
		if (d->magic != FAKE_DATA_MAGIC)
			atomic_store(&fake_record.handler_saw_dead_data, true);
		atomic_fetch_sub(&d->in_flight, 1);
		atomic_store(&s->done, true);
		gp_dev_exit(&guard);
	} else {
		atomic_store(&s->done, true);
	}
	return NULL;
}

struct revoker {
	struct gp_registration *reg;
	int result;
	atomic_bool done;
	/* Whether every sleeper had left its guard when revoke returned. */
	struct sleeper *sleepers;
	unsigned int nsleepers;
	bool sleepers_done_at_return;
};

static void *revoker_thread(void *arg)
{
	struct revoker *rv = arg;

	rv->result = gp_registration_revoke(rv->reg);
	rv->sleepers_done_at_return = true;
	for (unsigned int i = 0; i < rv->nsleepers; i++)
		if (!atomic_load(&rv->sleepers[i].done))
			rv->sleepers_done_at_return = false;
	atomic_store(&rv->done, true);
	return NULL;
}

START_TEST(revoke_waits_for_sleeping_handler)
{
	struct gp_registration *reg = fake_bind();
	struct sleeper s = { .dev = gp_registration_device(reg), .usec = 100000 };
	struct revoker rv = { .reg = reg, .sleepers = &s, .nsleepers = 1 };
	pthread_t st, rt;

	pthread_create(&st, NULL, sleeper_thread, &s);
	while (!atomic_load(&s.inside))
		sleep_us(100);
	pthread_create(&rt, NULL, revoker_thread, &rv);
	pthread_join(rt, NULL);
	pthread_join(st, NULL);

	ck_assert(s.entered);
	ck_assert_int_eq(rv.result, 0);
	ck_assert_msg(rv.sleepers_done_at_return, "revoke returned while a handler was inside");
	ck_assert(!fake_record.release_while_in_flight);
	ck_assert(!fake_record.handler_saw_dead_data);
	ck_assert_int_eq(fake_record.releases, 1);
	gp_registration_free(&reg);
}
END_TEST

START_TEST(no_new_guard_once_revoke_started)
{
	struct gp_registration *reg = fake_bind();
	struct gp_device *dev = gp_device_get(gp_registration_device(reg));
	struct sleeper holder = { .dev = dev, .usec = 300000 };
	struct sleeper late = { .dev = dev, .usec = 0 };
	struct revoker rv = { .reg = reg, .sleepers = &holder, .nsleepers = 1 };
	pthread_t ht, lt, rt;

	pthread_create(&ht, NULL, sleeper_thread, &holder);
	while (!atomic_load(&holder.inside))
		sleep_us(100);
	pthread_create(&rt, NULL, revoker_thread, &rv);
	/* Revoke has started once the device reads unplugged; it is now waiting. */
	while (!gp_device_is_unplugged(dev))
		sleep_us(100);
	ck_assert(!atomic_load(&rv.done));

	pthread_create(&lt, NULL, sleeper_thread, &late);
	pthread_join(lt, NULL);
	ck_assert_msg(!late.entered, "a guard succeeded after revoke started");
	ck_assert(!atomic_load(&holder.done));

	pthread_join(ht, NULL);
	pthread_join(rt, NULL);
	ck_assert(holder.entered);
	ck_assert(rv.sleepers_done_at_return);
	ck_assert_int_eq(fake_record.releases, 1);
	gp_device_put(&dev);
	gp_registration_free(&reg);
}
END_TEST

START_TEST(concurrent_revokes_release_once)
{
	enum { N = 4 };
	struct gp_registration *reg = fake_bind();
	struct sleeper s = { .dev = gp_registration_device(reg), .usec = 50000 };
	struct revoker rv[N];
	pthread_t st, rt[N];
	int won = 0, already = 0;

	pthread_create(&st, NULL, sleeper_thread, &s);
	while (!atomic_load(&s.inside))
		sleep_us(100);
	for (int i = 0; i < N; i++) {
		rv[i] = (struct revoker){ .reg = reg, .sleepers = &s, .nsleepers = 1 };
		pthread_create(&rt[i], NULL, revoker_thread, &rv[i]);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(rt[i], NULL);
		won += rv[i].result == 0;
		already += rv[i].result == -EALREADY;
		/* Even the losers return only once the release has happened. */
		ck_assert(rv[i].sleepers_done_at_return);
	}
	pthread_join(st, NULL);
	ck_assert_int_eq(won, 1);
	ck_assert_int_eq(already, N - 1);
	ck_assert_int_eq(fake_record.releases, 1);
	gp_registration_free(&reg);
}
END_TEST

/*
 * Many rounds of: client threads entering guards in a loop with short
 * sleeps inside, revoke at a random point.  Invariants: release exactly
 * once, never while a handler is inside, no handler ever sees released
 * data, and nothing enters after revoke returned.
 */
struct hammer {
	struct gp_device *dev;
	atomic_bool *stop;
	unsigned int seed;
	long entered, refused;
	bool entered_after_revoke;
	const atomic_bool *revoked;
};

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;

	while (!atomic_load(h->stop)) {
		struct gp_guard guard;
		bool revoked_before = atomic_load(h->revoked);

		if (gp_dev_enter(h->dev, &guard)) {
			struct fake_data *d = gp_guard_data(&guard);

			if (revoked_before)
				h->entered_after_revoke = true;
			atomic_fetch_add(&d->in_flight, 1);
			if (d->magic != FAKE_DATA_MAGIC)
				atomic_store(&fake_record.handler_saw_dead_data, true);
			if (rand_r(&h->seed) % 4 == 0)
				sleep_us(rand_r(&h->seed) % 200);
			if (d->magic != FAKE_DATA_MAGIC)
				atomic_store(&fake_record.handler_saw_dead_data, true);
			atomic_fetch_sub(&d->in_flight, 1);
			gp_dev_exit(&guard);
			h->entered++;
		} else {
			h->refused++;
			if (revoked_before)
				sleep_us(50);
		}
	}
	return NULL;
}

START_TEST(revoke_under_load_repeated)
{
	enum { THREADS = 4 };
	const int rounds = 100;

	for (int round = 0; round < rounds; round++) {
		struct gp_registration *reg;
		struct gp_device *dev;
		struct hammer h[THREADS];
		pthread_t t[THREADS];
		atomic_bool stop = false, revoked = false;
		unsigned int seed = (unsigned int)round * 7919u + 1;

		fake_driver_reset();
		reg = fake_bind();
		dev = gp_device_get(gp_registration_device(reg));
		for (int i = 0; i < THREADS; i++) {
			h[i] = (struct hammer){ .dev = dev, .stop = &stop, .seed = seed + (unsigned)i,
						.revoked = &revoked };
			pthread_create(&t[i], NULL, hammer_thread, &h[i]);
		}
		sleep_us(rand_r(&seed) % 3000);
		ck_assert_int_eq(gp_registration_revoke(reg), 0);
		atomic_store(&revoked, true);
		sleep_us(1000);
		atomic_store(&stop, true);
		for (int i = 0; i < THREADS; i++) {
			pthread_join(t[i], NULL);
			ck_assert_msg(!h[i].entered_after_revoke, "round %d: guard after revoke", round);
		}
		ck_assert_int_eq(fake_record.releases, 1);
		ck_assert(!fake_record.release_while_in_flight);
		ck_assert(!fake_record.handler_saw_dead_data);
		gp_device_put(&dev);
		gp_registration_free(&reg);
	}
}
END_TEST

/* --- files and rebind --- */

static const struct gp_caller user_caller = { .uid = 1000, .gid = 1000, .pid = 1 };

START_TEST(device_outlives_registration_while_file_open)
{
	struct gp_registration *reg = fake_bind();
	struct gp_file *file = NULL;
	uint64_t serial;
	int result = 0;

	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), &user_caller, GP_NODE_RENDER, &file), 0);
	serial = gp_device_serial(file->dev);
	gp_registration_free(&reg);

	/* The registration's reference is gone; the file's keeps the device. */
	ck_assert_uint_eq(gp_device_serial(file->dev), serial);
	ck_assert(gp_device_is_unplugged(file->dev));
	ck_assert_int_eq(gp_ioctl(file, FAKE_IOCTL_NOARG, 0, NULL, &result), 0);
	ck_assert_int_eq(result, -ENODEV);
	gp_file_close(&file);
	ck_assert_ptr_null(file);
}
END_TEST

START_TEST(open_after_revoke_is_enodev)
{
	struct gp_registration *reg = fake_bind();
	struct gp_device *dev = gp_device_get(gp_registration_device(reg));
	struct gp_file *file = NULL;

	gp_registration_revoke(reg);
	ck_assert_int_eq(gp_file_open(dev, &user_caller, GP_NODE_RENDER, &file), -ENODEV);
	ck_assert_ptr_null(file);
	gp_device_put(&dev);
	gp_registration_free(&reg);
}
END_TEST

START_TEST(rebind_creates_fresh_device_and_old_files_stay_dead)
{
	struct gp_registration *reg = fake_bind(), *reg2;
	struct gp_file *old = NULL, *fresh = NULL;
	struct gp_guard guard;

	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), &user_caller, GP_NODE_RENDER, &old), 0);
	gp_registration_free(&reg);

	reg2 = fake_bind();
	ck_assert_ptr_ne(gp_registration_device(reg2), old->dev);
	ck_assert_uint_ne(gp_device_serial(gp_registration_device(reg2)), gp_device_serial(old->dev));
	ck_assert(!gp_dev_enter(old->dev, &guard));
	ck_assert_int_eq(gp_file_open(gp_registration_device(reg2), &user_caller, GP_NODE_RENDER, &fresh), 0);
	ck_assert(gp_dev_enter(fresh->dev, &guard));
	gp_dev_exit(&guard);
	ck_assert_int_eq(fake_record.probes, 2);

	gp_file_close(&old);
	gp_file_close(&fresh);
	gp_registration_free(&reg2);
	ck_assert_int_eq(fake_record.releases, 2);
}
END_TEST

START_TEST(threads_register_with_rcu_on_first_guard)
{
	/* Each short-lived thread registers on first use and unregisters at exit. */
	struct gp_registration *reg = fake_bind();

	for (int i = 0; i < 50; i++) {
		struct sleeper s = { .dev = gp_registration_device(reg), .usec = 0 };
		pthread_t t;

		pthread_create(&t, NULL, sleeper_thread, &s);
		pthread_join(t, NULL);
		ck_assert(s.entered);
	}
	/* A grace period with all those threads gone must not wait for them. */
	gp_registration_free(&reg);
	ck_assert_int_eq(fake_record.releases, 1);
}
END_TEST

/* --- programming errors the design refuses --- */

START_TEST(revoke_inside_guard_is_refused)
{
	struct gp_registration *reg = fake_bind();
	struct gp_guard guard;

	ck_assert(gp_dev_enter(gp_registration_device(reg), &guard));
	/* Debug builds assert (SIGABRT); release builds refuse with -EDEADLK. */
	ck_assert_int_eq(gp_registration_revoke(reg), -EDEADLK);
	gp_dev_exit(&guard);
	ck_assert_int_eq(fake_record.releases, 0);
	gp_registration_free(&reg);
}
END_TEST

#ifdef GP_ASAN
/*
 * A handler that keeps the registration data past its guard and uses it
 * after revoke: AddressSanitizer must stop the process.
 */
START_TEST(use_after_revoke_is_caught_by_asan)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct gp_registration *reg = fake_bind();
		struct gp_guard guard;
		volatile struct fake_data *kept;

		if (!gp_dev_enter(gp_registration_device(reg), &guard))
			_exit(0);
		kept = gp_guard_data(&guard);	/* the bug: keeping it */
		gp_dev_exit(&guard);
		gp_registration_free(&reg);
		_exit(kept->magic == FAKE_DATA_MAGIC ? 0 : 0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(!(WIFEXITED(status) && WEXITSTATUS(status) == 0),
		      "use of registration data after revoke went unnoticed");
}
END_TEST
#endif

static Suite *guard_suite(void)
{
	Suite *s = suite_create("guard");
	TCase *tc = tcase_create("lifetime");
	TCase *cc = tcase_create("concurrency");
	TCase *bugs = tcase_create("programming-errors");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, guard_fails_on_unregistered_device);
	tcase_add_test(tc, registration_consumes_device_and_data);
	tcase_add_test(tc, guard_fails_after_revoke);
	tcase_add_test(tc, guards_nest);
	tcase_add_test(tc, failed_probe_registers_nothing);
	tcase_add_test(tc, device_outlives_registration_while_file_open);
	tcase_add_test(tc, open_after_revoke_is_enodev);
	tcase_add_test(tc, rebind_creates_fresh_device_and_old_files_stay_dead);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(cc, setup, NULL);
	tcase_set_timeout(cc, 300);
	tcase_add_test(cc, revoke_waits_for_sleeping_handler);
	tcase_add_test(cc, no_new_guard_once_revoke_started);
	tcase_add_test(cc, concurrent_revokes_release_once);
	tcase_add_test(cc, revoke_under_load_repeated);
	tcase_add_test(cc, threads_register_with_rcu_on_first_guard);
	suite_add_tcase(s, cc);

	tcase_add_checked_fixture(bugs, setup, NULL);
#ifdef NDEBUG
	tcase_add_test(bugs, revoke_inside_guard_is_refused);
#else
	tcase_add_test_raise_signal(bugs, revoke_inside_guard_is_refused, SIGABRT);
#endif
#ifdef GP_ASAN
	tcase_add_test(bugs, use_after_revoke_is_caught_by_asan);
#endif
	suite_add_tcase(s, bugs);
	return s;
}

int main(void)
{
	return gp_check_run(guard_suite());
}
