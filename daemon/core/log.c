// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static atomic_int gp_log_max_level = LOG_INFO;

void gp_log_set_max_level(int level)
{
	atomic_store(&gp_log_max_level, level);
}

int gp_log_get_max_level(void)
{
	return atomic_load(&gp_log_max_level);
}

int gp_log_errno(int level, int error, const char *fmt, ...)
{
	int saved_errno = errno;
	char msg[512];
	va_list ap;

	error = abs(error);
	if (level <= atomic_load(&gp_log_max_level)) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		/* One fprintf per line: stdio locks the stream, so lines never interleave. */
		if (error)
			fprintf(stderr, "<%d>%s: %s\n", level, msg, strerror(error));
		else
			fprintf(stderr, "<%d>%s\n", level, msg);
	}
	errno = saved_errno;
	return -error;
}

bool gp_ratelimit_ok(struct gp_ratelimit *rl, unsigned int *missed)
{
	struct timespec ts;
	int64_t now;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
	*missed = 0;
	pthread_mutex_lock(&rl->lock);
	if (!rl->begin_ns || now - rl->begin_ns >= GP_RATELIMIT_INTERVAL_NS) {
		rl->begin_ns = now;
		rl->printed = 0;
	}
	ok = rl->printed < GP_RATELIMIT_BURST;
	if (ok) {
		rl->printed++;
		*missed = rl->missed;
		rl->missed = 0;
	} else {
		rl->missed++;
	}
	pthread_mutex_unlock(&rl->lock);
	return ok;
}
