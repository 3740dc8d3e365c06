/*
 * kernel/block/blk.h - the block layer: ordering, flush policy, waits.
 *
 * Interface: a struct blk wraps one struct blk_dev (blkdev.h) and is what
 * the filesystem, the tests and the benchmarks use.  It checks every request
 * (range, alignment, read-only), counts what completes, and implements the
 * three ordering primitives on top of whatever the device offers:
 *
 *   blk_drain()   wait until every submitted request has completed;
 *   blk_flush()   make every write that has completed durable (a FLUSH to
 *                 the device, skipped when none is needed, merged with
 *                 flushes already under way);
 *   blk_sync()    the durability primitive: drain, then FLUSH where the
 *                 cache is volatile; on return every earlier write is on
 *                 stable storage (blk_sync_many(): several devices, each
 *                 flushed only if it needs it);
 *   blk_barrier() order everything before it ahead of everything after it,
 *                 in the cheapest way the ordering mode allows: blk_sync()
 *                 with a volatile cache, a drain otherwise; in TAG mode it
 *                 only orders (the next request carries the barrier tag).
 *
 * The ordering mode is chosen from the device's properties by
 * blk_order_select(), the table of docs/architecture.md section 6 (Linux's
 * virtblk_probe after "support barriers without FLUSH feature"):
 *
 *   FLUSH and a volatile cache     -> DRAIN_FLUSH  drain, FLUSH
 *   FLUSH, cache off (CONFIG_WCE)  -> DRAIN        drain only
 *   legacy BARRIER, no FLUSH       -> TAG          next request tagged
 *   neither                        -> DRAIN        assume no volatile cache
 *   ignore-flush (opt-in, unsafe)  -> NONE         drain, FLUSH never sent
 *
 * Every wait is bounded by the queue's timeout: a device that stops
 * answering gets -ETIMEDOUT for everything outstanding and a reset, never a
 * hang.  Polled: waits call the device's poll().  With threads (lib/sched.h)
 * a wait that finds nothing lets the others run, so several threads may
 * have requests in flight on one device, each waiting for its own; a
 * thread switch happens only there, never inside a call's bookkeeping.
 */
#ifndef ORDO_BLK_H
#define ORDO_BLK_H

#include "kernel/block/blkdev.h"

enum blk_order {
	BLK_ORDER_DRAIN_FLUSH,
	BLK_ORDER_DRAIN,
	BLK_ORDER_TAG,
	BLK_ORDER_NONE,
};

/* "drain-flush", "drain", "tag" or "none", as in the probe line. */
const char *blk_order_name(enum blk_order order);

/* The ordering mode for a device with these properties (see above). */
enum blk_order blk_order_select(const struct blk_dev_info *info, bool ignore_flush);

struct blk_stats {
	u64 reads, writes; /* requests completed successfully */
	u64 bytes_read, bytes_written;
	u64 discards, write_zeroes; /* requests completed successfully */
	u64 bytes_discarded, bytes_zeroed;
	u64 flush_requests;  /* blk_flush()/FLUSH requests asked for */
	u64 flushes_sent;    /* FLUSH commands sent to the device */
	u64 flushes_elided;  /* nothing completed since the last FLUSH */
	u64 flushes_merged;  /* satisfied by a FLUSH sent for others */
	u64 flushes_ignored; /* ignore-flush mode */
	u64 errors;	     /* requests completed with an error */
	u64 timeouts;	     /* waits that expired (each reset once) */
};

#define BLK_DEFAULT_TIMEOUT_MS 30000u

#define BLK_NAME_MAX 16

struct blk {
	struct blk_dev *dev;
	/*
	 * A view's blk_info(): the device's properties with the view's own
	 * name and capacity, refreshed by blk_update_order().
	 */
	struct blk_dev_info info;
	/* A view (blk_init_view): its first sector on the device, its name. */
	u64 start;
	u64 view_sectors; /* 0: the whole device */
	char name[BLK_NAME_MAX];
	enum blk_order order;
	u32 info_gen; /* the device's info_gen that order and info reflect */
	bool ignore_flush;
	bool barrier_pending; /* TAG: tag the next request */
	u32 timeout_ms;
	u32 inflight;		  /* requests at the device */
	struct blk_req *deferred; /* finished without the device */
	struct blk_stats stats;
};

/*
 * Wrap `dev`, the whole device.  `ignore_flush` selects the unsafe NONE
 * mode.  The device's flush bookkeeping starts afresh.
 */
void blk_init(struct blk *b, struct blk_dev *dev, bool ignore_flush);

/*
 * A view of part of the device under `disk` (a partition): sectors
 * [start, start + nsectors) of the device, reported as a device of its own
 * named `name` (copied).  Requests are checked against the view and moved
 * to device sectors on the way down (and back before completion); the
 * ordering mode, FLUSH and the timeout are those of the device (a FLUSH
 * makes the whole device's completed writes durable).  Several views and
 * the whole disk may share a device; each counts its own requests, and
 * they share the device's flush bookkeeping: a FLUSH sent for one covers
 * the others' completed writes, and a failed FLUSH fails them all.
 * 0, -EINVAL (empty or not a whole number of blocks), -ERANGE (beyond the
 * device or wrapping).
 */
int blk_init_view(struct blk *view, const struct blk *disk, u64 start, u64 nsectors,
		  const char *name);

struct disk_io;

/* The disk parsers' reader (lib/diskio.h) over `b`; io->ctx is b. */
void blk_disk_io(struct blk *b, struct disk_io *io);

/*
 * Writes completed on the device (through any view) that no good FLUSH
 * covers yet: 0 once a FLUSH made everything durable.
 */
static inline u64 blk_unflushed_writes(const struct blk *b)
{
	return b->dev->flush.writes_done - b->dev->flush.flushed_upto;
}

/*
 * After a FLUSH failed, every flush fails with -EIO (the device may have
 * dropped cached writes, so no later FLUSH can vouch for them).  The owner
 * calls this once it has rewritten what it needs on stable storage.
 */
void blk_clear_flush_error(struct blk *b);

/* Recompute the ordering mode (after the device's cache changed). */
void blk_update_order(struct blk *b);

/* What the block layer counted for this block device (a view counts its own). */
static inline const struct blk_stats *blk_stats(const struct blk *b)
{
	return &b->stats;
}

/* What the device under it counted (shared by every view of the device). */
static inline const struct blk_dev_stats *blk_dev_stats(const struct blk *b)
{
	return &b->dev->stats;
}

/* The device's properties as this block device sees them. */
static inline const struct blk_dev_info *blk_info(const struct blk *b)
{
	return b->view_sectors ? &b->info : &b->dev->info;
}

/*
 * Submit `req` asynchronously; req->done(req) runs from a later
 * blk_poll()/blk_wait() with req->status set.  Returns 0, or -errno without
 * calling done(): -EINVAL (empty or misaligned: offset and length must be
 * multiples of the logical block size; NULL buffer for READ/WRITE;
 * BLK_REQ_UNMAP on a DISCARD), -ERANGE (beyond the end of the device; never
 * wraps), -EROFS (write, DISCARD or WRITE_ZEROES to a read-only device),
 * -EOPNOTSUPP (DISCARD or WRITE_ZEROES on a device without it: checked
 * first), -EIO (device dead).  A FLUSH completes at once (status 0) when it
 * has nothing to do; see blk_flush().  DISCARD and WRITE_ZEROES are writes
 * for every ordering primitive below (blkdev.h): drained like writes, made
 * durable by the next FLUSH, and volatile until then.
 */
int blk_submit(struct blk *b, struct blk_req *req);

/*
 * Reap completions, then ring the doorbell once for everything submitted
 * since the last one.  Returns how many requests the device completed.
 */
int blk_poll(struct blk *b);

/*
 * Ring the doorbell for everything submitted so far.  Submissions are
 * batched: blk_submit() only queues, and polls and waits ring once per
 * batch.  A caller that submits and then does something other than wait
 * calls this, or the device may not see the batch until the next poll.
 */
void blk_unplug(struct blk *b);

/*
 * Wait for `req` (submitted with blk_submit) to complete, at most the
 * queue's timeout.  Returns req->status, or -ETIMEDOUT after resetting the
 * device, which completes everything outstanding with -ETIMEDOUT.
 */
int blk_wait(struct blk *b, struct blk_req *req);

/* Wait until nothing is in flight.  0 or -ETIMEDOUT (device reset). */
int blk_drain(struct blk *b);

/*
 * Make durable every write that completed before this call.  Sends a
 * FLUSH only if the cache is volatile and a write completed since the last
 * successful FLUSH was sent; joins a FLUSH already under way when that one
 * covers everything.  0, -EIO (the device failed this or an earlier FLUSH:
 * nothing may be assumed durable; see blk_clear_flush_error()), -ETIMEDOUT.
 */
int blk_flush(struct blk *b);

/*
 * The durability primitive: return once every write submitted before this
 * call has completed and is on stable storage, on each of the `n` devices.
 * Drains them all first (a FLUSH covers only completed writes), then sends
 * one FLUSH to each device whose cache is volatile and that completed a
 * write since its last good FLUSH, all at once; the others need none (a
 * write-through cache, a legacy BARRIER device, the unsafe NONE mode).
 * 0, or the first -errno: -EIO (a FLUSH failed, see blk_flush()),
 * -ETIMEDOUT.
 */
int blk_sync_many(struct blk *const *bs, unsigned n);

static inline int blk_sync(struct blk *b)
{
	return blk_sync_many(&b, 1);
}

/*
 * Order every request before this call ahead of every request after it,
 * as cheaply as the ordering mode allows: blk_sync() in DRAIN_FLUSH, a
 * drain in DRAIN and NONE, and in TAG only a tag on the next request (it
 * returns at once; wait for that request, or sync, to know it is done).
 */
int blk_barrier(struct blk *b);

/* Synchronous helpers: submit and wait.  0 or -errno as above. */
int blk_read(struct blk *b, u64 sector, void *buf, u32 len);
int blk_write(struct blk *b, u64 sector, const void *buf, u32 len);
int blk_get_id(struct blk *b, char *buf, u32 len);

/*
 * DISCARD [sector, sector + nsectors) (blkdev.h: each block then reads back
 * as zeros or as its old data), in requests of at most
 * blk_info(b)->discard_max_sectors, one after the other; stops at the first
 * error.  A discard is a write: it is durable only after a later
 * blk_sync()/blk_flush(), and until then a crash may leave the old data
 * (a filesystem discards freed blocks only once the free is durable).
 * 0 or -errno as blk_submit(): -EOPNOTSUPP if blk_info(b)->discard_max_sectors
 * is 0, -EINVAL, -ERANGE, -EROFS.
 */
int blk_discard(struct blk *b, u64 sector, u64 nsectors);

/*
 * WRITE_ZEROES [sector, sector + nsectors): it reads back as zeros.
 * `unmap`: the device may deallocate the range instead (honoured only when
 * blk_info(b)->wz_may_unmap).  Split, ordered and durable as blk_discard();
 * -EOPNOTSUPP if blk_info(b)->wz_max_sectors is 0.
 */
int blk_write_zeroes(struct blk *b, u64 sector, u64 nsectors, bool unmap);

/*
 * Switch the device's volatile write cache (CONFIG_WCE).  Turning it off
 * first drains and flushes, so nothing is left only in the cache.  Updates
 * the ordering mode.  0, -EOPNOTSUPP (device cannot switch), -errno.
 */
int blk_set_write_cache(struct blk *b, bool writeback);

#endif
