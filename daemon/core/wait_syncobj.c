// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Watching a sync object for a parked wait.  Its own object file, so that
 * binaries that never wait on sync objects need none of syncobj.c.
 */
#include "syncobj.h"
#include "wait.h"
#include "wait_priv.h"

static void gp_wait_syncobj_put(void *obj)
{
	struct gp_syncobj *syncobj = obj;

	gp_syncobj_put(&syncobj);
}

int gp_wait_watch_syncobj(const struct gp_user *user, struct gp_syncobj *syncobj)
{
	return gp_wait_watch_queue(user, gp_syncobj_wait_queue(syncobj), gp_syncobj_get(syncobj),
				   gp_wait_syncobj_put);
}
