/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging: one line per message on stderr, prefixed with its syslog
 * priority ("<3>") so journald files it at the right level.
 */
#ifndef GP_CORE_LOG_H
#define GP_CORE_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

/** gp_log_set_max_level() - drop messages less important than @level (LOG_*). */
void gp_log_set_max_level(int level);
int gp_log_get_max_level(void);

/**
 * gp_log_errno() - log a message; with @error != 0 append ": strerror(|error|)".
 * Return: -|error|, so "return gp_log_errno(LOG_ERR, r, ...)" reads naturally.
 */
int gp_log_errno(int level, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define gp_log(level, ...)	((void)gp_log_errno((level), 0, __VA_ARGS__))
#define gp_log_error(...)	gp_log(LOG_ERR, __VA_ARGS__)
#define gp_log_warning(...)	gp_log(LOG_WARNING, __VA_ARGS__)
#define gp_log_info(...)	gp_log(LOG_INFO, __VA_ARGS__)
#define gp_log_debug(...)	gp_log(LOG_DEBUG, __VA_ARGS__)

/*
 * Rate limiting for messages a client can trigger at will, as the kernel's
 * printk_ratelimited(): at most GP_RATELIMIT_BURST lines per
 * GP_RATELIMIT_INTERVAL_NS per limiter, so a hostile client cannot flood
 * the journal.  Define one static limiter per message site.
 */
#define GP_RATELIMIT_INTERVAL_NS	(5 * 1000000000ll)
#define GP_RATELIMIT_BURST		10

struct gp_ratelimit {
	pthread_mutex_t lock;	/* a leaf lock, held for a few instructions */
	int64_t begin_ns;	/* start of the current interval */
	unsigned int printed;	/* lines in this interval */
	unsigned int missed;	/* lines dropped since the last one printed */
};

#define GP_RATELIMIT_INIT { .lock = PTHREAD_MUTEX_INITIALIZER }

/**
 * gp_ratelimit_ok() - may the caller log now?
 * @missed: out: lines suppressed since the last one allowed (reported once)
 */
bool gp_ratelimit_ok(struct gp_ratelimit *rl, unsigned int *missed);

#define gp_log_ratelimited(rl, level, fmt, ...)					\
	do {									\
		unsigned int _missed;						\
		if (gp_ratelimit_ok((rl), &_missed))				\
			gp_log((level), fmt "%s%.0u%s", ##__VA_ARGS__,		\
			       _missed ? " (" : "", _missed,			\
			       _missed ? " similar messages suppressed)" : "");	\
	} while (0)

#endif /* GP_CORE_LOG_H */
