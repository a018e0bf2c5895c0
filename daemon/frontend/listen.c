// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers for the daemon's listening sockets (listen.h).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "listen.h"
#include "log.h"

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
	rlim_t need;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	/* On top of what is there: the daemon's other sockets reserved theirs. */
	need = rl.rlim_cur + (rlim_t)fds;
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need ? rl.rlim_max : need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < need)
		gp_log_warning("%s: RLIMIT_NOFILE allows %llu descriptors, its connections need %llu "
			       "more: raise LimitNOFILE= or lower --socket-max-connections",
			       what, (unsigned long long)rl.rlim_cur, fds);
}
