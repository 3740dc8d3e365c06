/*
 * kernel/disk.h - the disks the kernel found, as the applications see them.
 *
 * Filled by kernel/main.c (the composition root) at boot; used by the demo,
 * the benchmarks and the in-kernel tests.
 */
#ifndef ORDO_KERNEL_DISK_H
#define ORDO_KERNEL_DISK_H

#include "kernel/block/blk.h"

#define KDISK_MAX 16

struct kdisk {
	struct blk blk;
	struct blk_dev *bdev;
};

extern struct kdisk kdisks[KDISK_MAX];
extern unsigned nkdisks;

/* Print the disk's probe line ("vblk0: transport=... order=..."). */
void kdisk_print_probe_line(const struct kdisk *d);

/* Run the KTAP suite over every disk; returns the exit status. */
int ktest_run(void);

/* The block-level workload ("bench"); returns the exit status. */
int bench_run(void);

/* The filesystem demo shown by `make run` ("demo"), and "stress". */
int demo_run(void);
int demo_stress(void);

#endif
