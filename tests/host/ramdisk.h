/*
 * tests/host/ramdisk.h - a RAM-backed struct blk_dev for filesystem tests.
 *
 * Interface: implements kernel/block/blkdev.h over a calloc'd store.  Like
 * a real device it queues what it is given and completes requests only
 * from poll() (oldest first, all that are queued), never from submit().
 * It claims a volatile write cache with FLUSH, so the block layer sends
 * FLUSHes, which it counts (it keeps no separate cache: the store is what
 * a crash would leave after the last completed write).  A test can make
 * it read-only, fail the n-th next write, or copy its store to clone the
 * device as it stands (a crash image).
 */
#ifndef ORDO_TESTS_RAMDISK_H
#define ORDO_TESTS_RAMDISK_H

#include "kernel/block/blk_queue.h"

struct ramdisk {
	struct blk_queue q; /* q.dev is the device */
	u8 *store;
	u64 bytes;
	/* Counters. */
	unsigned reads, writes, flushes;
	/* Fault injection: > 0: the write this many writes from now fails. */
	unsigned fail_write_in;
};

/* A device of `bytes` (a multiple of block_size) with that logical block size. */
void ramdisk_init(struct ramdisk *rd, u64 bytes, u32 block_size);
/* A new device holding a copy of rd's store (its first `bytes`, 0 = all). */
void ramdisk_clone(struct ramdisk *dst, const struct ramdisk *src, u64 bytes);
void ramdisk_free(struct ramdisk *rd);

#endif
