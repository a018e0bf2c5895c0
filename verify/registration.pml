/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registration lifetime model of gpu-proto, in Promela, for spin.
 *
 * What is modelled (see verify/README.md for the line-by-line
 * correspondence to the C code and for what is abstracted away):
 *
 *   clients      open a file on the bound device (guard), then per operation
 *                either an ioctl (guard enter, handler reads the registration
 *                data, guard exit) or a blocking read that may park
 *                (daemon/frontend/cuse.c: gp_cuse_read), then close;
 *   irq          the control plane's gp_device_handle_irq(): a guard on the
 *                bound device whose handler sends an event to an open file
 *                (gp_event_reserve/gp_event_send -> gp_file_notify), and once
 *                tries to revoke from inside its guard (-EDEADLK);
 *   interrupter  the kernel delivering FUSE_INTERRUPT for an outstanding read,
 *                with libfuse's handshake (find_interrupted /
 *                fuse_req_interrupt_func) and cuse.c's token protocol;
 *   binder       gpu-protoctl unbind (revoke #1), bind (a fresh device #2),
 *                then SIGTERM (revoke #2);
 *   remover      a second, concurrent revoke of registration #1 (the removal
 *                fd, gp_registration_free): serialised by the revoke lock.
 *
 * The grace period is an abstract primitive with liburcu's guarantee:
 * synchronize_rcu() snapshots which readers are inside a read-side section
 * and waits until each of those has left its section (a reader that enters
 * after the snapshot is not waited for).
 *
 * Properties (verify/run-spin.sh runs each):
 *   P1 no handler touches registration data after its release      (assert)
 *   P2 release happens exactly once per registration               (assert)
 *   P3 revoke terminates when handlers terminate         (end states, LTL)
 *   P4 every parked read is answered exactly once        (assert, end, LTL)
 *   P5 a read whose interrupt was delivered is never parked        (assert)
 *   P6 a file only ever reaches the registration it was opened on  (assert)
 *
 * Deliberately broken variants (-D...), each of which spin must reject:
 *   BROKEN_RELEASE_BEFORE_GP   release the data before synchronize_rcu()
 *   BROKEN_UNPLUG_AFTER_GP     set unplugged after the grace period
 *   BROKEN_NO_REVOKE_LOCK      concurrent revokes not serialised
 *   BROKEN_NO_WAKE             revoke forgets gp_device_wake_files()
 *   BROKEN_NO_EARLY_INTERRUPT  an interrupt for a read still being set up is dropped
 *   BROKEN_REBIND_REUSE        rebind revives the old device
 *   BROKEN_REVOKE_IN_GUARD     revoke without the gp_guard_depth check
 */

#ifndef NC
#define NC	2		/* clients (CUSE worker threads, one file each at a time) */
#endif
#ifndef CLIENT_MODE
#define CLIENT_MODE 0		/* 0: ioctls and reads, 1: ioctls only, 2: reads only */
#endif
#ifndef REMOVER
#define REMOVER	1		/* a second revoker of registration 1 */
#endif
#ifndef NSESS
#define NSESS	2		/* opens per client: the second one can land on the rebound device */
#endif
#ifndef OPS
#define OPS	1		/* ioctls/reads per open */
#endif
#ifndef NEV
#define NEV	1		/* interrupts (IRQs) the irq thread handles */
#endif
#ifndef NI
#define NI	1		/* FUSE_INTERRUPTs the kernel sends */
#endif

#define NF	(NC * NSESS)	/* files: file f belongs to client f / NSESS */
#define NR	(NC + 1)	/* RCU readers: the clients, then the irq thread */
#define IRQ_READER NC
#define NREV	3		/* revoke callers: binder, remover, irq */
#define ND	2		/* devices */
#define NREG	3		/* registration ids 1 and 2; 0 is the NULL data pointer */
/* The device registration reg registered: 1 -> 0, 2 -> 1 (a fresh one). */
#ifndef BROKEN_REBIND_REUSE
#define REG_DEV(reg)	((reg) - 1)
#else
#define REG_DEV(reg)	0
#endif
#define MAXTOK	(NC * NSESS * OPS)

/* The grace period of revoker r no longer waits for any reader. */
#if NC == 2
#define GP_READERS_GONE(r)	(!gpw[(r) * NR + 0] && !gpw[(r) * NR + 1] && !gpw[(r) * NR + 2])
#elif NC == 3
#define GP_READERS_GONE(r)	(!gpw[(r) * NR + 0] && !gpw[(r) * NR + 1] && !gpw[(r) * NR + 2] && \
				 !gpw[(r) * NR + 3])
#else
#error "NC must be 2 or 3"
#endif


/* Answers to a read request (and revoke results). */
#define R_NONE		0
#define R_EVENT		1
#define R_EAGAIN	2
#define R_ENODEV	3
#define R_EINTR		4
#define R_OK		5
#define R_EALREADY	6
#define R_EDEADLK	7

/* --- devices and registrations (daemon/core/registration.c, device_priv.h) --- */
byte dev_data[ND];		/* gp_device.data: a registration id, 0 = NULL */
bool unplugged[ND];		/* gp_device.unplugged */
bit revoke_lock[NREG];		/* gp_registration.revoke_lock */
bool reg_revoked[NREG];		/* gp_registration.revoked */
byte released[NREG];		/* how often the registration data was released */
byte bound;			/* gp_binding.reg: a registration id, 0 = unbound */
byte finished;			/* processes (other than init and the interrupter) done */
bool revoking[NREV];		/* a revoke call is in progress (for P3) */

/* --- RCU (liburcu urcu-memb) --- */
bool in_cs[NR];			/* reader i is inside a read-side section */
bool gpw[NREV * NR];		/* grace period of revoker r still waits for reader i */

/* --- files (daemon/core/file.c) --- */
byte fdev[NF];			/* gp_file.dev */
byte freg[NF];			/* the registration the file was opened under */
bool in_list[NF];		/* on dev->files */
bool fnotify[NF];		/* gp_file.notify != NULL */
bool fclosed[NF];		/* gp_file.closed */
byte notifying[NF];		/* gp_file.notifying */
byte evq[NF];			/* queued events */
bool cf_freed[NF];		/* cuse.c freed the gp_cuse_file (after gp_file_close) */

/* --- read requests: one outstanding per client (a blocking syscall) --- */
bool req_out[NC];		/* sent by the kernel, not yet finished */
bool answered[NC];		/* the daemon replied */
byte answer[NC];
bool rintr[NC];			/* libfuse: req->interrupted */
bool func_set[NC];		/* libfuse: req->u.ni.func registered */
byte ftok[NC];			/* libfuse: req->u.ni.data (the token) */
byte ctok[NC];			/* the token of the current request, 0 = none yet */

/* --- cuse.c state under cuse->lock --- */
byte parked[NC];		/* token of the client's parked read, 0 = none */
byte pfile[NC];			/* and its file (p->cf) */
byte next_token;
bool setting_up[MAXTOK + 1];	/* cuse->setting_up[]: read being set up */
bool setup_intr[MAXTOK + 1];	/* ... and interrupted meanwhile */
bool tok_cb[MAXTOK + 1];	/* gp_cuse_read_interrupted() ran for this token */

/* ------------------------------------------------------------------------ */

/*
 * gp_dev_exit(): urcu_memb_read_unlock(); a grace period waiting for this
 * reader is done with it.  A left mover (it only ever enables the grace
 * period), so it is merged into the step before it.
 */
#define GUARD_EXIT(i) \
	in_cs[i] = false; \
	gpw[0 * NR + i] = false; \
	gpw[1 * NR + i] = false; \
	gpw[2 * NR + i] = false

/*
 * gp_dev_enter(): urcu_memb_read_lock() is one step; loading data and
 * unplugged (and leaving again on failure) is the next.  On success p is
 * the registration id the guard's data pointer names, 0 on failure.
 */
inline guard_enter(i, d, p)
{
	in_cs[i] = true;
	d_step {
		p = dev_data[d];
		if
		:: p != 0 && !unplugged[d] -> skip
		:: else -> GUARD_EXIT(i); p = 0
		fi
	}
}

/* A handler dereferences the data its guard returned (P1, P6). */
inline handler_touch(p, f)
{
	assert(released[p] == 0);	/* P1: use after release */
	assert(p == freg[f])		/* P6: a file reaches only its own registration */
}

/* gp_file_read_events() under dev->lock: unplugged first, then the queue. */
inline read_answer(f, res)
{
	if
	:: unplugged[fdev[f]] -> res = R_ENODEV
	:: else ->
		if
		:: evq[f] > 0 -> evq[f] = 0; res = R_EVENT
		:: else -> res = R_EAGAIN
		fi
	fi
}

/* fuse_reply_*(): one answer per request (P4); fuse_free_req() clears the interrupt func. */
inline reply(c, res)
{
	assert(req_out[c] && !answered[c]);	/* P4: never answered twice */
	answered[c] = true;
	answer[c] = res;
	func_set[c] = false
}

/* gp_cuse_setup_done(): stop tracking the read; was it interrupted meanwhile? */
inline setup_done(t, found)
{
	found = setup_intr[t];
	setting_up[t] = false;
	setup_intr[t] = false
}

/*
 * gp_cuse_read_interrupted(), all under cuse->lock: a parked read with the
 * token gets EINTR; a read still being set up is marked interrupted; any
 * other token (already answered) is ignored.
 */
inline interrupted_cb(t, c, j)
{
	atomic {
		tok_cb[t] = true;
		c = 0;
		do
		:: c < NC && parked[c] == t -> break
		:: c < NC && parked[c] != t -> c++
		:: c >= NC -> break
		od;
		if
		:: c < NC ->
			assert(t == ctok[c]);
			reply(c, R_EINTR);
			parked[c] = 0; pfile[c] = 0
		:: else ->
#ifndef BROKEN_NO_EARLY_INTERRUPT
			if
			:: setting_up[t] -> setup_intr[t] = true
			:: else -> skip
			fi
#else
			skip
#endif
		fi;
		c = 0
	}
}

/*
 * gp_cuse_file_notify(), under cuse->lock: answer the file's parked read if
 * the queue (or revoke) has something for it.  One parked read per file.
 */
inline cuse_file_notify(f, c, res)
{
	atomic {
		assert(!cf_freed[f]);	/* gp_file_close() promised no notify after it */
		c = f / NSESS;
		if
		:: parked[c] != 0 && pfile[c] == f ->
			read_answer(f, res);
			if
			:: res != R_EAGAIN ->
				assert(parked[c] == ctok[c]);
				reply(c, res);
				parked[c] = 0; pfile[c] = 0
			:: else -> skip
			fi
		:: else -> skip
		fi;
		c = 0; res = 0
	}
}

/* gp_file_notify(): the hook runs outside dev->lock, counted in notifying. */
inline file_notify(f, call, c, res)
{
	d_step {
		if
		:: fnotify[f] -> notifying[f]++; call = true
		:: else -> call = false
		fi
	}
	if
	:: call ->
		cuse_file_notify(f, c, res);
		d_step { notifying[f]--; call = false }
	:: else -> skip
	fi
}

/* urcu_memb_synchronize_rcu(), abstractly. */
#define GP_START(r, i) \
	for (i : 0 .. NR - 1) { \
		gpw[r * NR + i] = in_cs[i] \
	}; \
	i = 0

inline synchronize_rcu(r, i)
{
	d_step { GP_START(r, i) }
	GP_READERS_GONE(r)
}

/* gp_registration_data_release() of what atomic_exchange(&dev->data, NULL) returned. */
#define release(reg, d, p) \
	p = dev_data[d]; \
	dev_data[d] = 0; \
	assert(p == reg);		/* P2: the data is still there to release */ \
	released[reg]++; \
	assert(released[reg] == 1);	/* P2: exactly once */ \
	p = 0

/*
 * gp_device_wake_files(): snapshot the file list under dev->lock (a bit
 * mask of files), then notify each file unlocked.
 */
#define WAKE_SNAPSHOT(d, snap, i) \
	snap = 0; \
	for (i : 0 .. NF - 1) { \
		if \
		:: in_list[i] && fdev[i] == d -> snap = snap | (1 << i) \
		:: else -> skip \
		fi \
	}; \
	i = 0

inline wake_snapshot_files(snap, i, call, c, res)
{
	i = 0;
	do
	:: i < NF ->
		if
		:: snap & (1 << i) -> file_notify(i, call, c, res)
		:: else -> skip
		fi;
		i++
	:: else -> break
	od;
	i = 0
}

#ifndef BROKEN_NO_REVOKE_LOCK
#define REVOKE_LOCK(reg, was)	atomic { revoke_lock[reg] == 0 -> revoke_lock[reg] = 1; was = reg_revoked[reg] }
#define REVOKE_UNLOCK(reg)	revoke_lock[reg] = 0
#else
#define REVOKE_LOCK(reg, was)	was = reg_revoked[reg]
#define REVOKE_UNLOCK(reg)	skip
#endif

/*
 * gp_registration_revoke().  The caller has set revoking[r] in its previous
 * step, so that a revoke stuck on the lock counts as started for P3.
 * Steps that only touch state under a lock the revoker holds, or ghost
 * variables, are merged with their neighbours.
 */
inline revoke(reg, r, inguard, res, p, i, snap, call, c, nres)
{
#ifndef BROKEN_REVOKE_IN_GUARD
	if
	:: inguard -> d_step { res = R_EDEADLK; revoking[r] = false }	/* gp_guard_depth != 0 */
	:: else ->
#endif
		REVOKE_LOCK(reg, call);
		if
		:: call ->
			d_step {
				REVOKE_UNLOCK(reg);
				assert(released[reg] == 1);	/* the first revoke has fully finished */
				res = R_EALREADY; call = false; revoking[r] = false
			}
		:: else ->
#ifdef BROKEN_RELEASE_BEFORE_GP
			d_step { unplugged[REG_DEV(reg)] = true; release(reg, REG_DEV(reg), p) }
			synchronize_rcu(r, i);
			d_step { WAKE_SNAPSHOT(REG_DEV(reg), snap, i) }
#elif defined(BROKEN_UNPLUG_AFTER_GP)
			synchronize_rcu(r, i);
			unplugged[REG_DEV(reg)] = true;
			d_step { release(reg, REG_DEV(reg), p); WAKE_SNAPSHOT(REG_DEV(reg), snap, i) }
#else
			/* The store precedes the grace period's start (liburcu: smp_mb()). */
			d_step { unplugged[REG_DEV(reg)] = true; GP_START(r, i) }
			GP_READERS_GONE(r);
			d_step { release(reg, REG_DEV(reg), p); WAKE_SNAPSHOT(REG_DEV(reg), snap, i) }
#endif
#ifndef BROKEN_NO_WAKE
			wake_snapshot_files(snap, i, call, c, nres);
#endif
			d_step {
				reg_revoked[reg] = true; REVOKE_UNLOCK(reg); res = R_OK;
				snap = 0; revoking[r] = false
			}
		fi
#ifndef BROKEN_REVOKE_IN_GUARD
	fi
#endif
}

/* A blocking read on file f: gp_cuse_read() and the client waiting for its answer. */
inline client_read(c, f, res, tok, now, found, j, cc)
{
	/* the kernel sends the request; gp_cuse_read_answer(), unlocked */
	d_step {
		req_out[c] = true; answered[c] = false; answer[c] = R_NONE;
		rintr[c] = false; func_set[c] = false; ftok[c] = 0; ctok[c] = 0;
		read_answer(f, res);
		if
		:: res != R_EAGAIN -> reply(c, res)
		:: else -> skip
		fi
	}
	if
	:: !answered[c] ->
		/*
		 * token = ++cuse->next_token under cuse->lock, then
		 * fuse_req_interrupt_func(): it calls the callback at once if the
		 * request was already interrupted, all under req->lock, which
		 * find_interrupted() takes too.
		 */
		atomic {
			next_token++; tok = next_token; ctok[c] = tok;
			setting_up[tok] = true;
			func_set[c] = true; ftok[c] = tok; now = rintr[c];
			if
			:: now -> interrupted_cb(tok, cc, j)
			:: else -> skip
			fi
		}
		/* cuse->lock: interrupted while set up?  an answer now?  else park */
		atomic {
			setup_done(tok, found);
			if
			:: found -> reply(c, R_EINTR)
			:: else ->
				read_answer(f, res);
				if
				:: res != R_EAGAIN -> reply(c, res)
				:: else ->
					assert(!tok_cb[tok]);	/* P5: its interrupt would be lost */
					parked[c] = tok; pfile[c] = f
				fi
			fi;
			found = false
		}
	:: else -> skip
	fi;
	/* request_wait_answer(): the caller waits for the daemon's reply */
	d_step {
		answered[c];
		req_out[c] = false; ctok[c] = 0; ftok[c] = 0;
		res = 0; tok = 0; now = false
	}
}

proctype Client(byte c)
{
	byte s, k, f, d, p, res, tok, j, cc;
	bool now, found;

	for (s : 0 .. NSESS - 1) {
		f = c * NSESS + s;
		/* gp_cuse_open(): cfg.current_device() = gp_binding_current_device() */
		d_step {
			if
			:: bound != 0 -> d = REG_DEV(bound)
			:: else -> d = 255
			fi
		}
		if
		:: d != 255 ->
			/* gp_file_open(): join the device inside a guard */
			guard_enter(c, d, p);
			if
			:: p != 0 ->
				d_step { fdev[f] = d; freg[f] = p; in_list[f] = true; p = 0; GUARD_EXIT(c) }
				fnotify[f] = true;	/* gp_file_set_notify() */
				for (k : 1 .. OPS) {
					if
#if CLIENT_MODE != 2
					:: /* ioctl: gp_ioctl() runs the handler inside a guard */
						guard_enter(c, d, p);
						if
						:: p != 0 ->
							/* the handler's access, at the guard's last instant */
							d_step { handler_touch(p, f); GUARD_EXIT(c); p = 0 }
						:: else -> skip
						fi
#endif
#if CLIENT_MODE != 1
					:: client_read(c, f, res, tok, now, found, j, cc)
#endif
					fi
				};
				k = 0;
				/* gp_cuse_release(): gp_file_close(), then free(cf) */
				d_step { fclosed[f] = true; fnotify[f] = false }
				d_step { notifying[f] == 0; in_list[f] = false; evq[f] = 0; cf_freed[f] = true }
			:: else -> skip
			fi
		:: else -> skip
		fi;
		d = 0; f = 0
	};
	finished++
}

/* The control plane's interrupt path: gp_device_handle_irq(). */
proctype Irq()
{
	byte e, d, q, f, rres, rp, i, snap, c, nres;
	bool call;

	for (e : 1 .. NEV) {
		d_step {
			if
			:: bound != 0 -> d = REG_DEV(bound)
			:: else -> d = 255
			fi
		}
		if
		:: d != 255 ->
			guard_enter(IRQ_READER, d, q);
			if
			:: q != 0 ->
				if
				:: /* the handler completes a request of an open file */
					select (f : 0 .. NF - 1);
					if
					:: in_list[f] && fdev[f] == d && !fclosed[f] ->
						/* gp_event_reserve() ok; gp_event_send(): queue unless closed */
						d_step {
							if
							:: !fclosed[f] -> evq[f]++; call = true
							:: else -> call = false
							fi
						}
						if
						:: call -> file_notify(f, call, c, nres)
						:: else -> skip
						fi
					:: else -> skip
					fi;
					f = 0
				:: /* the handler finds the GPU gone and asks for a revoke */
					revoking[2] = true;
					revoke(q, 2, true, rres, rp, i, snap, call, c, nres);
					rres = 0
				:: skip
				fi;
				/* the handler touched MMIO through the data until now */
				d_step { assert(released[q] == 0); GUARD_EXIT(IRQ_READER); q = 0 }
			:: else -> skip
			fi
		:: else -> skip
		fi;
		d = 0
	};
	finished++
}

/* The kernel sending FUSE_INTERRUPT, and libfuse's find_interrupted(). */
#define INTERRUPT(c) \
	atomic { n < NI && req_out[c] && !answered[c] && !rintr[c] -> \
		rintr[c] = true; call = func_set[c]; t = ftok[c]; n++ } \
	if \
	:: call -> interrupted_cb(t, cc, j) \
	:: else -> skip \
	fi; \
	call = false; t = 0

proctype Interrupter()
{
	byte n, t, cc, j;
	bool call;

	/*
	 * Idle here is a valid end.  With NI smaller than the number of reads,
	 * some read always has to do without a signal.
	 */
end:
	do
	:: INTERRUPT(0)
	:: INTERRUPT(1)
#if NC > 2
	:: INTERRUPT(2)
#endif
	od
}

/* gpu-protoctl unbind, gpu-protoctl bind, SIGTERM: gp_binding_unbind/bind. */
proctype Binder()
{
	byte res, p, i, snap, c, nres;
	bool call;

	/* gp_binding_unbind(): b->reg = NULL, then gp_registration_free() */
	d_step { bound = 0; revoking[0] = true }
	revoke(1, 0, false, res, p, i, snap, call, c, nres);
	/* gp_binding_bind() -> gp_driver_bind() -> gp_registration_new() */
	d_step {
		assert(res == R_OK || res == R_EALREADY);
#ifdef BROKEN_REBIND_REUSE
		unplugged[0] = false; dev_data[0] = 2; bound = 2
#else
		dev_data[1] = 2; bound = 2	/* a fresh device */
#endif
	}
	/* SIGTERM: unbind again */
	d_step { bound = 0; revoking[0] = true }
	revoke(2, 0, false, res, p, i, snap, call, c, nres);
	d_step { assert(res == R_OK); finished++ }
}

/* A second revoke of registration 1, concurrent with the binder's. */
proctype Remover()
{
	byte res, p, i, snap, c, nres;
	bool call;

	revoking[1] = true;
	revoke(1, 1, false, res, p, i, snap, call, c, nres);
	d_step { assert(res == R_OK || res == R_EALREADY); finished++ }
}

init
{
	byte i;

	d_step {
		dev_data[0] = 1;	/* gp_registration_new(): registration 1 on device 0 */
		bound = 1
	}
	atomic {
#if NI > 0
		run Interrupter();
#endif
		for (i : 0 .. NC - 1) {
			run Client(i)
		};
		i = 0;
		run Irq();
		run Binder();
#if REMOVER
		run Remover()
#else
		skip
#endif
	}
	/* Everything else has finished (otherwise: an invalid end state). */
	finished == NC + 2 + REMOVER;
	d_step {
		assert(released[1] == 1 && released[2] == 1);	/* P2 */
		for (i : 0 .. NC - 1) {
			assert(parked[i] == 0 && !req_out[i])	/* P4 */
		};
		for (i : 0 .. NF - 1) {
			assert(!in_list[i] && notifying[i] == 0)
		};
		i = 0
	}
}

/* P3: every revoke call returns (handlers here always terminate). */
ltl revoke_terminates {
	[] ((revoking[0] -> <> !revoking[0]) &&
	    (revoking[1] -> <> !revoking[1]) &&
	    (revoking[2] -> <> !revoking[2]))
}

/* P4: a parked read does not stay parked. */
ltl parked_answered {
	[] ((parked[0] != 0 -> <> (parked[0] == 0)) &&
	    (parked[1] != 0 -> <> (parked[1] == 0)))
}
