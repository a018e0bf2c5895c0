// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "log.h"

/* A client has this long to send its line. */
#define GP_CONTROL_TIMEOUT_S 5

struct gp_control {
	struct evconnlistener *listener;
	char *path;
	gp_control_handler_t handler;
	void *ctx;
};

static void gp_control_reply_error(struct evbuffer *out, int error, const char *msg)
{
	const char *name = strerrorname_np(error);

	evbuffer_add_printf(out, "error %s %s\n", name ? name : "EIO", msg);
}

/* Once the reply is flushed, the connection is done. */
static void gp_control_write_done(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		bufferevent_free(bev);
}

static void gp_control_event(struct bufferevent *bev, short what, void *arg);

/*
 * Reply queued: free the connection once it is flushed, or when writing
 * fails (the client hung up before reading): both end it.
 */
static void gp_control_finish(struct bufferevent *bev)
{
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, gp_control_write_done, gp_control_event, NULL);
	gp_control_write_done(bev, NULL);
}

static void gp_control_read(struct bufferevent *bev, void *arg)
{
	struct gp_control *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *out = bufferevent_get_output(bev);
	struct evbuffer *reply;
	char msg[256] = "";
	size_t len;
	char *line;
	int r;

	line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
	if (!line) {
		if (evbuffer_get_length(in) > GP_CONTROL_LINE_MAX) {
			gp_control_reply_error(out, EMSGSIZE, "request line too long");
			gp_control_finish(bev);
		}
		return;		/* wait for the rest of the line */
	}
	if (len > GP_CONTROL_LINE_MAX) {
		gp_control_reply_error(out, EMSGSIZE, "request line too long");
		free(line);
		gp_control_finish(bev);
		return;
	}
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';

	reply = evbuffer_new();
	if (!reply) {
		gp_control_reply_error(out, ENOMEM, "out of memory");
	} else {
		r = c->handler(c->ctx, line, reply, msg, sizeof(msg));
		if (r < 0) {
			gp_control_reply_error(out, -r, msg[0] ? msg : strerror(-r));
		} else {
			evbuffer_add_printf(out, "ok\n");
			evbuffer_add_buffer(out, reply);
		}
		evbuffer_free(reply);
	}
	free(line);
	gp_control_finish(bev);
}

static void gp_control_event(struct bufferevent *bev, short what, void *arg)
{
	/* EOF before a full line, a timeout or an error: just drop the client. */
	bufferevent_free(bev);
}

static void gp_control_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
			      int socklen, void *arg)
{
	struct gp_control *c = arg;
	struct event_base *base = evconnlistener_get_base(l);
	const struct timeval timeout = { .tv_sec = GP_CONTROL_TIMEOUT_S };
	struct bufferevent *bev;
	struct ucred cred;
	socklen_t credlen = sizeof(cred);

	bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		close(fd);
		return;
	}
	/* The socket's mode already keeps others out; check anyway, it is cheap. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) < 0 ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		gp_control_reply_error(bufferevent_get_output(bev), EPERM,
				       "the control socket is for root only");
		gp_control_finish(bev);
		return;
	}
	bufferevent_setcb(bev, gp_control_read, NULL, gp_control_event, c);
	bufferevent_set_timeouts(bev, &timeout, &timeout);
	bufferevent_setwatermark(bev, EV_READ, 0, GP_CONTROL_LINE_MAX + 2);
	bufferevent_enable(bev, EV_READ);
}

int gp_control_new(struct event_base *base, const char *path, gp_control_handler_t handler,
		   void *ctx, struct gp_control **out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct gp_control *c;
	struct stat st;
	char *dir, *slash;
	mode_t old_umask;
	int r;

	if (strlen(path) >= sizeof(sun.sun_path))
		return gp_log_errno(LOG_ERR, ENAMETOOLONG, "control socket %s", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);

	/* Running by hand, without systemd's RuntimeDirectory=: make the directory. */
	dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			r = gp_log_errno(LOG_ERR, errno, "control socket directory %s", dir);
			free(dir);
			return r;
		}
	}
	free(dir);

	/* Replace a stale socket from an earlier run, never anything else. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return gp_log_errno(LOG_ERR, EEXIST, "control socket %s: exists and is not a socket",
					    path);
		unlink(path);
	}

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->path = strdup(path);
	c->handler = handler;
	c->ctx = ctx;
	old_umask = umask(0077);	/* created 0600: root only */
	c->listener = evconnlistener_new_bind(base, gp_control_accept, c,
					      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 8,
					      (struct sockaddr *)&sun, sizeof(sun));
	r = errno;
	umask(old_umask);
	if (!c->listener || !c->path) {
		r = gp_log_errno(LOG_ERR, c->path ? r : ENOMEM, "control socket %s", path);
		free(c->path);
		free(c);
		return r;
	}
	/* Connecting needs write permission only: rw for root, nothing for others. */
	if (chmod(path, 0600) < 0) {
		r = gp_log_errno(LOG_ERR, errno, "control socket %s: chmod", path);
		gp_control_free(&c);
		return r;
	}
	*out = c;
	return 0;
}

void gp_control_free(struct gp_control **pc)
{
	struct gp_control *c = *pc;

	if (!c)
		return;
	evconnlistener_free(c->listener);
	unlink(c->path);
	free(c->path);
	free(c);
	*pc = NULL;
}
