// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers for the daemon's listening sockets (listen.h).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"
#include "log.h"
#include "nodeperm.h"

int gp_listen_make_dir(const char *path, const char *what)
{
	char dir[PATH_MAX], *slash;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0) {
		if (errno == EEXIST)
			return 0;
		return gp_log_errno(LOG_ERR, errno, "%s directory %s", what, dir);
	}
	if (chmod(dir, 0755) < 0)
		return gp_log_errno(LOG_ERR, errno, "%s directory %s: chmod", what, dir);
	return 0;
}

void gp_listen_reserve_fds(unsigned long long fds, const char *what)
{
	struct rlimit rl;
	rlim_t want;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	/* On top of what is there: the daemon's other sockets reserved theirs. */
	want = rl.rlim_cur + (rlim_t)fds;
	if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
		want = rl.rlim_max;
	if (want > rl.rlim_cur) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Only a limit that cannot hold this socket's own connections is worth a word. */
	if (rl.rlim_cur < (rlim_t)fds)
		gp_log_warning("%s: RLIMIT_NOFILE allows %llu descriptors, its connections need %llu: "
			       "raise LimitNOFILE= or lower --socket-max-connections",
			       what, (unsigned long long)rl.rlim_cur, fds);
}

int gp_listen_socket(const char *path, const struct gp_node_perm *perm, int flags, int backlog,
		     const char *what)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (strlen(path) >= sizeof(sun.sun_path))
		return gp_log_errno(LOG_ERR, ENAMETOOLONG, "%s %s", what, path);
	strcpy(sun.sun_path, path);
	r = gp_listen_make_dir(path, what);
	if (r < 0)
		return r;
	/* Replace a stale socket from an earlier run, never anything else. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return gp_log_errno(LOG_ERR, EEXIST, "%s %s: exists and is not a socket",
					    what, path);
		unlink(path);
	}

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | flags, 0);
	if (fd < 0)
		return gp_log_errno(LOG_ERR, errno, "%s %s: socket", what, path);
	if (fchmod(fd, 0600) < 0) {
		r = gp_log_errno(LOG_ERR, errno, "%s %s: fchmod", what, path);
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		r = gp_log_errno(LOG_ERR, errno, "%s %s: bind", what, path);
		goto fail;
	}
	r = gp_node_perm_apply(path, perm);
	if (r < 0)
		goto fail_unlink;
	if (listen(fd, backlog) < 0) {
		r = gp_log_errno(LOG_ERR, errno, "%s %s: listen", what, path);
		goto fail_unlink;
	}
	return fd;

fail_unlink:
	unlink(path);
fail:
	close(fd);
	return r;
}
