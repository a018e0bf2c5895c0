/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wait.pml: parked waits (daemon/core/wait.c) against revoke, file close
 * and fence signals.  The property: every request that parks is answered;
 * none waits forever once the device is unplugged or its file closed (and
 * none misses the signal it waits for).  Checked as end states: a waiter
 * still blocked for its wake when every other process has finished is an
 * invalid end state.
 *
 * What is modelled, one step per shared access:
 *  - a waiter (a request): dispatch's early unplugged check, the guard
 *    (refused once unplugged), the handler's watch on the fence, its
 *    re-check, and gp_wait_park(): under the lock (dev->lock and
 *    gp_wait_lock, one critical section) it fails with ENODEV when the
 *    file is closed or the device unplugged, and otherwise links the
 *    waiter on the file's parked list (or fires it at once when the fence
 *    signalled during arming).  Then the guard is left and the request
 *    waits for its wake; the wake runs it again from the start.
 *  - revoke: stores unplugged, then fires every parked waiter under the
 *    lock (gp_wait_wake_device()), waits for the guards (the grace
 *    period), releases the data;
 *  - close: sets closed, then fires the file's parked waiters;
 *  - the fence: signals once; its callback (one per watch) fires an armed
 *    waiter, or marks one still arming (TRIGGERED).
 * wait.c's thread is abstracted: a fire queued under the lock is delivered
 * (fired[i]), as the thread delivers every queued fire in order.
 *
 * Scenarios (-D flags): REVOKE, CLOSE, SIGNAL say which of those run; NW
 * waiters.  Broken variants, each must be rejected:
 *  BROKEN_WAKE_BEFORE_UNPLUG  revoke wakes the parked list before it sets
 *                             unplugged: a park in between is never seen
 *  BROKEN_PARK_NO_CHECK       park does not check unplugged/closed
 *  BROKEN_CLOSE_WAKE_FIRST    close wakes before it sets closed
 *  BROKEN_NO_TRIGGER          a signal during arming is dropped
 */

#ifndef NW
#define NW 2
#endif

#define NONE	0
#define OK	1
#define ENODEV	2

bool unplugged, closed, signalled, released;
byte in_guard;
bool lk;		/* dev->lock + gp_wait_lock */
bool arming[NW];	/* watches set, not parked yet */
bool triggered[NW];	/* an event came while arming */
bool listed[NW];	/* armed: on the file's parked list */
bool fired[NW];		/* queued for the thread, i.e. delivered */
byte result[NW];
byte done_count;

inline lock()
{
	atomic { !lk -> lk = 1 }
}

inline unlock()
{
	lk = 0
}

/* gp_waiter_fire_locked() */
inline fire(i)
{
	if
	:: listed[i] -> listed[i] = 0; fired[i] = 1
	:: !listed[i] && arming[i] -> triggered[i] = 1
	:: else -> skip
	fi
}

inline wake_all()
{
	lock();
	j = 0;
	do
	:: j < NW -> fire(j); j++
	:: else -> break
	od;
	unlock()
}

proctype waiter(byte i)
{
	bool entered, parked;

again:
	/* gp_ioctl(): the early, racy check */
	if
	:: unplugged -> result[i] = ENODEV; goto done
	:: else -> skip
	fi;
	/* gp_dev_enter() */
	atomic {
		if
		:: !unplugged -> in_guard++; entered = 1
		:: else -> entered = 0
		fi
	}
	if
	:: !entered -> result[i] = ENODEV; goto done
	:: else -> skip
	fi;
	assert(!released);

	/* the handler: watch the fence (gp_wait_watch_fence) ... */
	lock();
	arming[i] = 1;
	triggered[i] = 0;
	unlock();
	/* ... re-check ... */
	if
	:: signalled ->
		lock(); arming[i] = 0; unlock();	/* gp_wait_cancel() */
		in_guard--;
		result[i] = OK;
		goto done
	:: else -> skip
	fi;
	/* ... and gp_wait_park() */
	lock();
#ifndef BROKEN_PARK_NO_CHECK
	if
	:: unplugged || closed -> arming[i] = 0; parked = 0
	:: else ->
#endif
		parked = 1;
		arming[i] = 0;
#ifndef BROKEN_NO_TRIGGER
		if
		:: triggered[i] -> fired[i] = 1
		:: else -> listed[i] = 1
		fi
#else
		listed[i] = 1
#endif
#ifndef BROKEN_PARK_NO_CHECK
	fi;
#endif
	unlock();
	/* gp_dev_exit(): the request is parked, no guard held */
	in_guard--;
	if
	:: !parked -> result[i] = ENODEV; goto done
	:: else -> skip
	fi;
	/* the transport holds the request until the wake (not an end state) */
	fired[i];
	fired[i] = 0;
	/* the wake runs it again from the start */
	goto again;
done:
	assert(result[i] != NONE);
	done_count++
}

proctype revoker()
{
	byte j;

#ifdef BROKEN_WAKE_BEFORE_UNPLUG
	wake_all();
	unplugged = 1;
#else
	unplugged = 1;
	wake_all();	/* gp_wait_wake_device() */
#endif
	/* the grace period: no guard that saw the device bound is left */
	in_guard == 0;
	released = 1
}

proctype closer()
{
	byte j;

#ifdef BROKEN_CLOSE_WAKE_FIRST
	wake_all();
	closed = 1;
#else
	closed = 1;	/* under dev->lock in gp_file_close() */
	wake_all();	/* gp_wait_wake_file() */
#endif
}

proctype signaller()
{
	byte j;

	signalled = 1;
	/* the fence runs each watch's callback */
	j = 0;
	do
	:: j < NW -> lock(); fire(j); unlock(); j++
	:: else -> break
	od
}

init {
	byte k;

	atomic {
		k = 0;
		do
		:: k < NW -> run waiter(k); k++
		:: else -> break
		od;
#ifdef REVOKE
		run revoker();
#endif
#ifdef CLOSE
		run closer();
#endif
#ifdef SIGNAL
		run signaller();
#endif
	}
	/* every waiter answered: none is left waiting for a wake */
	done_count == NW;
	k = 0;
	do
	:: k < NW -> assert(!listed[k] && result[k] != NONE); k++
	:: else -> break
	od
}
