// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "caller.h"

/* Capability numbers from linux/capability.h. */
#define GP_CAP_SYS_ADMIN 21
#define GP_CAP_SYS_NICE 23

static uint64_t gp_caller_effective_caps(pid_t pid)
{
	char path[64], line[256];
	uint64_t caps = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "CapEff:", 7) == 0) {
			if (sscanf(line + 7, "%" SCNx64, &caps) != 1)
				caps = 0;
			break;
		}
	}
	fclose(f);
	return caps;
}

void gp_caller_from_pid(pid_t pid, uid_t uid, gid_t gid, struct gp_caller *caller)
{
	uint64_t caps = pid > 0 ? gp_caller_effective_caps(pid) : 0;

	*caller = (struct gp_caller){
		.uid = uid,
		.gid = gid,
		.pid = pid,
		.cap_sys_admin = !!(caps & (1ull << GP_CAP_SYS_ADMIN)),
		.cap_sys_nice = !!(caps & (1ull << GP_CAP_SYS_NICE)),
	};
}
