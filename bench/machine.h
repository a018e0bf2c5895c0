/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every benchmark program here shares: the machine it ran on, and
 * medians of repeated batches.
 */
#ifndef GP_BENCH_MACHINE_H
#define GP_BENCH_MACHINE_H

#include <stddef.h>
#include <stdio.h>

/* For _cleanup_(gp_bench_fclosep). */
void gp_bench_fclosep(FILE **pf);

/* The "model name" of /proc/cpuinfo, or "unknown". */
void gp_bench_cpu_model(char *buf, size_t len);

/* /proc/loadavg: other load on a 2-core machine shows in every figure. */
void gp_bench_loadavg(char *buf, size_t len);

/* The first line of @path, without its newline; "unknown" when it cannot be read. */
void gp_bench_read_line(const char *path, char *buf, size_t len);

/* Print the machine, its load and the build (@buildtype, compiler) a run's figures belong to. */
void gp_bench_print_host(const char *buildtype);

/* qsort() comparator for doubles. */
int gp_bench_cmp_double(const void *a, const void *b);

/* Median of @n values (n <= 64), leaving @values untouched. */
double gp_bench_median(const double *values, unsigned int n);

#endif /* GP_BENCH_MACHINE_H */
