/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket: AF_UNIX stream, one request line per connection.
 *
 *   request:  "status" | "unbind" | "bind"  (newline-terminated, <= 255 bytes)
 *   reply:    "ok\n" followed by "key=value\n" lines, or
 *             "error <ERRNO-NAME> <message>\n"
 *
 * Only root (or the daemon's own user) may talk to it: the socket is
 * created 0600 and each peer's SO_PEERCRED is checked as well.
 */
#ifndef GP_DAEMON_CONTROL_H
#define GP_DAEMON_CONTROL_H

#include <event2/buffer.h>
#include <event2/event.h>

#define GP_CONTROL_DEFAULT_PATH "/run/gpu-protod/control"
#define GP_CONTROL_LINE_MAX 255

struct gp_control;

/*
 * Run one command; append "key=value\n" lines to @reply on success.
 * Return: 0, or -errno with @msg (size @msglen) saying why.
 */
typedef int (*gp_control_handler_t)(void *ctx, const char *command, struct evbuffer *reply,
				    char *msg, size_t msglen);

/**
 * gp_control_new() - listen on @path (an old socket there is replaced).
 * Return: 0 or -errno (logged with the path).
 */
int gp_control_new(struct event_base *base, const char *path, gp_control_handler_t handler,
		   void *ctx, struct gp_control **out);

/** gp_control_free() - stop listening and remove the socket file. */
void gp_control_free(struct gp_control **pc);

#endif /* GP_DAEMON_CONTROL_H */
