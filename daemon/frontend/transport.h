/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every client-facing transport (CUSE, the socket) reports, so the
 * control plane shows the same counters whichever one serves.
 */
#ifndef GP_FRONTEND_TRANSPORT_H
#define GP_FRONTEND_TRANSPORT_H

#include <stdint.h>

struct gp_transport_stats {
	uint64_t opens;
	uint64_t open_files;
	uint64_t ioctls;		/* completed */
	uint64_t ioctl_round_trips;	/* ioctl requests, retries included */
	uint64_t reads;
	uint64_t reads_parked;
	uint64_t polls;
	/* Ioctls that parked (wait.h), ever; and parked right now, unanswered. */
	uint64_t ioctls_parked;
	uint64_t ioctls_waiting;
	/* Socket only: connections turned away by a limit, clients disconnected for not reading. */
	uint64_t connections_refused;
	uint64_t clients_stalled;
};

#endif /* GP_FRONTEND_TRANSPORT_H */
