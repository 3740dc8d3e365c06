/*
 * kernel/ktest/ktest.h - helpers shared by the in-kernel KTAP test files.
 */
#ifndef ORDO_KTEST_H
#define ORDO_KTEST_H

#include "drivers/block/virtio_blk.h"
#include "kernel/disk.h"
#include "kernel/ktest/ktap.h"

#define KT_BUF_BYTES (5u << 20)
#define KT_INFLIGHT 64u

/* Two KT_BUF_BYTES scratch buffers, allocated by ktest_run(). */
extern u8 *kt_wbuf, *kt_rbuf;

/* May the suite write to `d`?  (Writable, and blank or named: kdisk_scratch.) */
bool kt_may_write(const struct kdisk *d);

/* Fill `buf` with a pattern that depends on `sector` and `salt`. */
void kt_fill(u8 *buf, u32 len, u64 sector, u32 salt);

/* Write `len` bytes at `sector`, read them back, compare; false on error. */
bool kt_roundtrip(struct ktap *k, struct kdisk *d, u64 sector, u32 len, u32 salt);

/* Completion callback counting into *(unsigned *)req->priv. */
void kt_done_count(struct blk_req *req);

/* Submit n one-block requests (every other block) at once, then drain. */
int kt_batch(struct kdisk *d, enum blk_op op, struct blk_req *reqs, unsigned n, u8 *buf,
	     unsigned *done);

static inline u32 kt_bs(const struct kdisk *d)
{
	return blk_info(&d->blk)->block_size;
}

static inline u64 kt_cap(const struct kdisk *d)
{
	return blk_info(&d->blk)->capacity;
}

/* Cases in ktest_order.c. */
void kt_flush(struct ktap *k, struct kdisk *d);
void kt_flush_merge(struct ktap *k, struct kdisk *d);
void kt_barrier(struct ktap *k, struct kdisk *d);
void kt_wce_switch(struct ktap *k, struct kdisk *d);
void kt_multi_disk(struct ktap *k);
void kt_discard(struct ktap *k, struct kdisk *d);
void kt_write_zeroes(struct ktap *k, struct kdisk *d);
void kt_dwz_range(struct ktap *k, struct kdisk *d);
/* "ktest.trim": discard every writable disk whole, at the end of the run. */
void kt_trim_all(void);

/* Filesystem cases in ktest_fs.c: how many, and run them all. */
unsigned ktest_fs_count(void);
void ktest_fs_run(struct ktap *k);

/* Scheduler cases in ktest_sched.c (they need no disk): how many, run them. */
unsigned ktest_sched_count(void);
void ktest_sched_run(struct ktap *k);

#endif
