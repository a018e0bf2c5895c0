/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Buffer objects in the lifetime model of gpu-proto, in Promela, for spin:
 * the edge issue #12 adds to registration.pml.  An object belongs to files
 * and keeps the device, never the registration data, so it outlives revoke;
 * what the device can reach through an object (a DMA mapping, a per-file
 * VM) is registration data and goes only after the grace period.
 *
 * What is modelled (verify/README.md, "gem.pml", maps each step to the C):
 *
 *   client   gp_file_open() (driver open inside the guard: a per-file VM
 *            that the registration data lists), BO create (one handle), a
 *            DMA map of the object into the registration data (the mapping
 *            holds an object reference), an ioctl whose handler DMAs
 *            through the mapping, maybe GEM_CLOSE, then gp_file_close():
 *            postclose (in a guard, or after revoke's release returned),
 *            drop the handles, drop the file's device reference;
 *   irq      gp_device_handle_irq(): a guard whose handler DMAs through
 *            the mapping it finds in the registration data;
 *   importer a second file imports the object by its memfd
 *            (gp_gem_lookup_by_inode: a reference only if the count is not
 *            zero), checks it, and closes;
 *   revoker  gp_registration_revoke(): unplugged, grace period, the
 *            driver's release (unmap every DMA mapping and put its object,
 *            tear down the VMs of files still open), data released,
 *            dev->released set, the registration's device reference put.
 *
 * Properties:
 *   G1 a DMA through a mapping never finds it unmapped or its object freed
 *   G2 no guard touches registration data after its release
 *   G3 release never touches a file's driver state after postclose freed it
 *   G4 an object's free never touches a freed device; an imported handle
 *      never names a freed object; at the end every
 *      object and the device are freed, no mapping is left       (assert)
 *   G5 no deadlock: every process ends                      (end states)
 *
 * Deliberately broken variants, each of which spin must reject:
 *   BROKEN_UNMAP_BEFORE_GP     the driver unmaps at unplug, before the grace period
 *   BROKEN_MAP_NO_REF          a DMA mapping holds no object reference
 *   BROKEN_POSTCLOSE_NO_WAIT   postclose of an unplugged device runs at once,
 *                              not after release returned
 *   BROKEN_IMPORT_GET_ZERO     PRIME import takes a reference on a dying
 *                              object (a plain get, not get_unless_zero)
 */

#define NR		3	/* RCU readers: the client, the irq thread, the importer */
#define CLIENT		0
#define IRQ		1
#define IMPORTER	2

/* --- the device and its registration (device_priv.h, registration.c) --- */
bool unplugged;			/* gp_device.unplugged */
bool data_released;		/* the registration data was released */
bool dev_released;		/* gp_device.released: release() has returned */
byte dev_ref = 1;		/* gp_device.ref: the registration's to begin with */
bool dev_freed;

/* --- RCU --- */
bool in_cs[NR];
bool gpw[NR];			/* the grace period still waits for reader i */

/* --- the object (gem.c) and what the registration data holds of it --- */
byte obj_ref;			/* gp_gem_object.ref */
bool obj_created;
bool obj_listed;		/* in dev->gem_objects: PRIME import can find it */
bool obj_freed;
bool handle;			/* the client file's handle on the object */
bool imp_handle;		/* the importer file's handle on it */
bool mapped;			/* the driver's DMA mapping of the object (registration data) */
bool unmapped;			/* that mapping was torn down */
byte inflight;			/* DMAs programmed through the mapping, not yet complete */

/* --- the file's driver state (gp_driver.open/.postclose) --- */
bool vm_in_data;		/* the file's VM is listed in the registration data */
bool fpriv_freed;		/* postclose freed file->driver_priv */

byte finished;

inline guard_enter(i, ok)
{
	in_cs[i] = true;			/* urcu_memb_read_lock() */
	atomic {
		if
		:: unplugged -> in_cs[i] = false; gpw[i] = false; ok = false
		:: else -> ok = true
		fi
	}
}

/* gp_dev_exit(): a left mover, merged into the step before it. */
#define GUARD_EXIT(i)	in_cs[i] = false; gpw[i] = false

inline dev_put()
{
	assert(!dev_freed);
	dev_ref--;
	if
	:: dev_ref == 0 -> dev_freed = true
	:: else -> skip
	fi
}

/*
 * gp_gem_object_put(): drop a reference; @last says whether it was the
 * last.  The release that follows the last put is its own step
 * (obj_release): until it has unlinked the object under dev->gem_lock, a
 * PRIME import can still find it in the list with a count of zero.
 */
inline obj_put(last)
{
	assert(!obj_freed && obj_ref > 0);
	obj_ref--;
	last = (obj_ref == 0)
}

inline obj_release(last)
{
	if
	:: last ->
		atomic {
			assert(!dev_freed);		/* G4: dev->gem_lock, the list */
			obj_listed = false;
			obj_freed = true;
			dev_put()
		}
		last = false
	:: else -> skip
	fi
}

/*
 * A DMA through the mapping the registration data holds (G1): the handler
 * looks the mapping up and programs the device under the driver's VM lock,
 * then the transfer completes (its IRQ, a poll) before the guard ends.
 */
inline dma_use(i)
{
	bool m;

	atomic {
		assert(!data_released);		/* G2 */
		m = mapped;
		if
		:: m -> inflight++
		:: else -> skip
		fi
	}
	atomic {
		if
		:: m -> assert(!unmapped); assert(!obj_freed); inflight--	/* G1 */
		:: else -> skip
		fi;
		GUARD_EXIT(i)
	}
}

inline unmap(last)
{
	if
	:: mapped ->
		mapped = false;
		unmapped = true;
#ifndef BROKEN_MAP_NO_REF
		obj_put(last)
#else
		skip
#endif
	:: else -> skip
	fi
}

proctype Client()
{
	bool ok, last;

	/* gp_file_open(): the driver's open runs inside the guard. */
	guard_enter(CLIENT, ok);
	if
	:: !ok -> goto done
	:: else -> atomic { dev_ref++; vm_in_data = true; GUARD_EXIT(CLIENT) }
	fi;

	/* BO create: an object (it takes a device reference) and a handle. */
	guard_enter(CLIENT, ok);
	if
	:: ok -> atomic {
			assert(!data_released);
			obj_created = true; obj_listed = true; obj_ref = 1; handle = true; dev_ref++;
			GUARD_EXIT(CLIENT)
		}
	:: else -> goto close
	fi;

	/* A driver ioctl maps the object for DMA: registration data. */
	guard_enter(CLIENT, ok);
	if
	:: ok -> atomic {
			assert(!data_released && !obj_freed);
			mapped = true;
#ifndef BROKEN_MAP_NO_REF
			obj_ref++;
#endif
			GUARD_EXIT(CLIENT)
		}
	:: else -> goto close
	fi;

	/* GEM_CLOSE, or keep the handle until the file closes. */
	if
	:: guard_enter(CLIENT, ok);
	   if
	   :: ok -> atomic { handle = false; obj_put(last); GUARD_EXIT(CLIENT) };
		     obj_release(last)
	   :: else -> skip
	   fi
	:: skip
	fi;

	/* An ioctl whose handler DMAs through the mapping. */
	guard_enter(CLIENT, ok);
	if
	:: ok -> dma_use(CLIENT)
	:: else -> skip
	fi;

close:
	/* gp_file_close(): postclose ... */
	guard_enter(CLIENT, ok);
	if
	:: ok -> atomic {
			/*
			 * The driver destroys the file's VM: under its VM lock, once
			 * the VM's transfers have completed, it unmaps what it held.
			 */
			inflight == 0;
			assert(!data_released);
			vm_in_data = false;
			unmap(last);
			fpriv_freed = true;
			GUARD_EXIT(CLIENT)
		};
		obj_release(last)
	:: else ->
#ifndef BROKEN_POSTCLOSE_NO_WAIT
		dev_released;			/* wait on dev->released_cond */
#endif
		fpriv_freed = true		/* only the file's own memory is left */
	fi;
	/* ... then the handles (gp_gem_file_release) ... */
	atomic {
		if
		:: handle -> handle = false; obj_put(last)
		:: else -> skip
		fi
	}
	obj_release(last);
	/* ... then the file's device reference (gp_file_release). */
	atomic { dev_put() }
done:
	finished++
}

/*
 * A second client imports the object by its memfd (PRIME through the fd
 * socket): gp_gem_lookup_by_inode() walks dev->gem_objects under
 * gem_lock and takes a reference only if the count is not zero
 * (urcu_ref_get_unless_zero), then gives its file a handle.
 */
proctype Importer()
{
	bool ok, last;

	guard_enter(IMPORTER, ok);
	if
	:: !ok -> goto done
	:: else -> atomic { dev_ref++; GUARD_EXIT(IMPORTER) }
	fi;
	guard_enter(IMPORTER, ok);
	if
	:: ok -> atomic {
			if
#ifndef BROKEN_IMPORT_GET_ZERO
			:: obj_listed && obj_ref > 0 -> obj_ref++; imp_handle = true
#else
			:: obj_listed -> obj_ref++; imp_handle = true
#endif
			:: else -> skip
			fi;
			GUARD_EXIT(IMPORTER)
		}
	:: else -> skip
	fi;
	/* Its handle reaches a live object (FD_TOKEN export reads the memfd). */
	atomic {
		if
		:: imp_handle -> assert(!obj_freed)
		:: else -> skip
		fi
	}
	/* gp_file_close(): no driver state here; drop the handle, then the device. */
	atomic {
		if
		:: imp_handle -> imp_handle = false; obj_put(last)
		:: else -> skip
		fi
	}
	obj_release(last);
	atomic { dev_put() }
done:
	finished++
}

proctype Irq()
{
	bool ok;

	guard_enter(IRQ, ok);
	if
	:: ok -> dma_use(IRQ)
	:: else -> skip
	fi;
	finished++
}

proctype Revoker()
{
	bool last;

	/* unplugged, then the grace period's snapshot (one step: the store precedes it). */
	atomic {
		unplugged = true;
		gpw[CLIENT] = in_cs[CLIENT];
		gpw[IRQ] = in_cs[IRQ];
		gpw[IMPORTER] = in_cs[IMPORTER]
	}
#ifdef BROKEN_UNMAP_BEFORE_GP
	atomic { unmap(last) };
	obj_release(last);
#endif
	(!gpw[CLIENT] && !gpw[IRQ] && !gpw[IMPORTER]);	/* synchronize_rcu() */

	/*
	 * The driver's release: no guard is left, so nothing is in flight
	 * (the grace period is the quiesce), then unmap and tear down the
	 * VMs of files still open.
	 */
	atomic {
		assert(inflight == 0);
		unmap(last);
		if
		:: vm_in_data -> assert(!fpriv_freed); vm_in_data = false	/* G3 */
		:: else -> skip
		fi
	}
	obj_release(last);
	data_released = true;			/* poisoned and freed */
	atomic { dev_released = true }		/* under dev->lock, broadcast */
	atomic { dev_put() }			/* the registration's reference */
	finished++
}

init {
	atomic {
		run Client();
		run Irq();
		run Importer();
		run Revoker()
	}
	finished == 4;
	/* G4: nothing outlives its last holder, nothing is left mapped. */
	assert(!mapped);
	assert(!obj_created || obj_freed);
	assert(!obj_listed);
	assert(dev_freed && dev_ref == 0)
}
