// SPDX-License-Identifier: GPL-2.0-or-later
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "machine.h"

#define _cleanup_(f) __attribute__((cleanup(f)))

void gp_bench_fclosep(FILE **pf)
{
	if (*pf)
		fclose(*pf);
}

void gp_bench_cpu_model(char *buf, size_t len)
{
	_cleanup_(gp_bench_fclosep) FILE *f = NULL;
	char line[256];

	snprintf(buf, len, "unknown");
	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) != 0 || !colon)
			continue;
		colon += strspn(colon + 1, " \t") + 1;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		return;
	}
}

void gp_bench_read_line(const char *path, char *buf, size_t len)
{
	_cleanup_(gp_bench_fclosep) FILE *f = NULL;

	snprintf(buf, len, "unknown");
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	else
		snprintf(buf, len, "unknown");
}

void gp_bench_loadavg(char *buf, size_t len)
{
	gp_bench_read_line("/proc/loadavg", buf, len);
}

void gp_bench_print_host(const char *buildtype)
{
	struct utsname u;
	char model[128], load[128];

	gp_bench_cpu_model(model, sizeof(model));
	gp_bench_loadavg(load, sizeof(load));
	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "unknown");
	printf("machine: nproc %ld, CPU %s, kernel %s\n", sysconf(_SC_NPROCESSORS_ONLN), model,
	       u.release);
	printf("load: %s\n", load);
	printf("build: %s, %s %s\n", buildtype,
#ifdef __clang__
	       "clang",
#else
	       "gcc",
#endif
	       __VERSION__);
}

int gp_bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double gp_bench_median(const double *values, unsigned int n)
{
	double sorted[64];

	assert(n >= 1 && n <= 64);
	memcpy(sorted, values, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), gp_bench_cmp_double);
	return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}
