/*
 * kernel/bench_jobs.h - fio-like jobs for `make bench` (kernel/bench_jobs.c).
 */
#ifndef ORDO_KERNEL_BENCH_JOBS_H
#define ORDO_KERNEL_BENCH_JOBS_H

#include "kernel/disk.h"

/*
 * Run the comma-separated jobs of `list` ("all" for every one) on `d`,
 * with `buf` (at least 8 MiB, DMA-able) for data.  Prints a BENCH line per
 * job.  Returns the exit status: 0 if every job ran.
 */
int bench_jobs_run(struct kdisk *d, const char *list, u8 *buf, size_t buf_bytes);

#endif
