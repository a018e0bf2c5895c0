/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging: one line per message on stderr, prefixed with its syslog
 * priority ("<3>") so journald files it at the right level.
 */
#ifndef GP_CORE_LOG_H
#define GP_CORE_LOG_H

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

#endif /* GP_CORE_LOG_H */
