/*
 * kernel/block/blkdev.h - the block-device interface (docs/architecture.md section 5).
 *
 * Implemented by the virtio-blk driver, the RAM disk and the host-side
 * simulated disk; consumed by the block layer (blk.h), which is the only
 * user of these ops.  Like littlefs's config: a const ops table, a context
 * pointer, and the device's geometry and properties.
 *
 * Requests are asynchronous.  A request belongs to the device from a
 * successful submit() until the device hands it back with
 * blk_end_request(req, status), exactly once.  That call belongs to the
 * block layer: it alone writes a request's status and completion and calls
 * the submitter's done().  Devices end requests only from poll() or
 * reset(), never from inside submit(), so a submitter is never re-entered.
 *
 * Doorbells are batched: submit() queues the request (and may publish it
 * to the device's ring), kick() tells the device about everything
 * published since the last kick.  The block layer kicks once per batch,
 * when someone polls or waits, or ends a batch with blk_unplug().
 *
 * Each request has a small area (req->drv) that belongs to whichever
 * device holds the request, for its own per-request state; nobody else
 * reads it.  A device declares a struct for it with BLK_DRV_STATE and
 * reaches it through its own accessor (see blk_req_drv()).
 *
 * Single-threaded: callers serialise all calls on one device.
 */
#ifndef ORDO_BLKDEV_H
#define ORDO_BLKDEV_H

#include "lib/types.h"

#define BLK_SECTOR_SIZE 512u
#define BLK_SECTOR_SHIFT 9
/* Longest device identifier GET_ID returns (not NUL-terminated if full). */
#define BLK_ID_MAX 20u

enum blk_op {
	BLK_OP_READ,
	BLK_OP_WRITE,
	BLK_OP_FLUSH,  /* make completed writes durable */
	BLK_OP_GET_ID, /* device serial into buf (up to 20 bytes) */
	/*
	 * The range's contents are no longer needed: afterwards each block
	 * reads back either as zeros or as its old data (virtio 1.2, 5.2.6),
	 * never as anything else, and a later read sees the same.  No buffer.
	 */
	BLK_OP_DISCARD,
	/* The range reads back as zeros afterwards.  No buffer. */
	BLK_OP_WRITE_ZEROES,
};
#define BLK_OP_COUNT (BLK_OP_WRITE_ZEROES + 1)

/*
 * DISCARD and WRITE_ZEROES modify the media like WRITE: for ordering and
 * durability they are writes (a drain waits for them, a FLUSH makes them
 * durable, one completed before a FLUSH is as volatile as a write).
 */
static inline bool blk_op_is_write(int op)
{
	return op == BLK_OP_WRITE || op == BLK_OP_DISCARD || op == BLK_OP_WRITE_ZEROES;
}

/* Ops that name a range of sectors (sector, len). */
static inline bool blk_op_has_range(int op)
{
	return op == BLK_OP_READ || blk_op_is_write(op);
}

/* Order this request after every earlier one and before every later one
 * (legacy VIRTIO_BLK_F_BARRIER devices only: "tagged" ordering). */
#define BLK_REQ_BARRIER 0x1u
/*
 * WRITE_ZEROES only: the device may deallocate the range instead of
 * writing zeros (it still reads back as zeros).  A hint: dropped when the
 * device cannot unmap (blk_dev_info.wz_may_unmap).
 */
#define BLK_REQ_UNMAP 0x2u

struct blk_req;
typedef void (*blk_done_fn)(struct blk_req *req);

/* Bytes of per-request state a device may keep in a request (req->drv). */
#define BLK_REQ_DRV_BYTES 32u

struct blk_req {
	/* Set by the submitter. */
	enum blk_op op;
	u32 flags;	  /* BLK_REQ_* */
	u64 sector;	  /* start, in 512-byte sectors */
	void *buf;	  /* READ/WRITE/GET_ID data; unused by DISCARD/WRITE_ZEROES */
	u32 len;	  /* bytes, a multiple of the logical block size */
	blk_done_fn done; /* may be NULL */
	void *priv;	  /* for the submitter */

	/* Written by the block layer only, before done() is called: 0 or -errno. */
	int status;
	bool completed;

	/* Private to the block layer (blk.c). */
	struct {
		struct blk_req *next;
		void *owner; /* the struct blk it was submitted to */
		bool tagged; /* BLK_REQ_BARRIER was added by the block layer */
	} blk;
	/* Owned by the device holding the request; opaque to everyone else. */
	_Alignas(8) unsigned char drv[BLK_REQ_DRV_BYTES];
};

/*
 * A device's per-request state lives in req->drv, viewed through a struct
 * declared `struct BLK_DRV_STATE name { ... }` (it may alias the bytes)
 * that fits BLK_REQ_DRV_BYTES (BLK_DRV_STATE_CHECK says so at compile
 * time).  blk_req_drv(req, type) is that view.
 */
#define BLK_DRV_STATE __attribute__((may_alias))
#define BLK_DRV_STATE_CHECK(type)                                                \
	_Static_assert(sizeof(type) <= BLK_REQ_DRV_BYTES && _Alignof(type) <= 8, \
		       #type " must fit struct blk_req's drv area")
#define blk_req_drv(req, type) ((type *)(void *)(req)->drv)

/*
 * A device hands `req` back to the block layer, finished with `status`
 * (0 or -errno).  From poll() or reset() only (see above).
 */
void blk_end_request(struct blk_req *req, int status);

struct blk_dev_info {
	const char *name;     /* "vblk0" */
	u32 block_size;	      /* logical block size: a power of two >= 512 */
	u64 capacity;	      /* in 512-byte sectors, a whole number of blocks */
	u32 max_segments;     /* per device command */
	u32 max_segment_size; /* bytes */
	u32 queue_depth;      /* commands the device can hold at once */
	bool read_only;
	bool has_flush;	     /* the device implements FLUSH */
	bool has_barrier;    /* legacy tagged ordering (BLK_REQ_BARRIER) */
	bool wce_switchable; /* set_write_cache() works */
	bool volatile_cache; /* completed writes are not durable until FLUSH */
	/*
	 * DISCARD and WRITE_ZEROES: the most sectors one request may cover
	 * (a whole number of blocks; the device splits it into commands as
	 * its own limits require), 0 if the device lacks the op.
	 */
	u32 discard_max_sectors;
	u32 wz_max_sectors;
	/*
	 * Device sectors a DISCARD is best aligned to (a whole number of
	 * blocks, at least one): the device splits at multiples of it, and a
	 * range that does not cover whole units of it may be partly ignored
	 * (reads back as old data).  For a view, in the device's sectors.
	 */
	u32 discard_align;
	bool wz_may_unmap; /* WRITE_ZEROES with BLK_REQ_UNMAP may deallocate */
};

/* What a device counts; read through blk_dev_stats() (blk.h). */
struct blk_dev_stats {
	u64 commands;	  /* device commands issued (a request may take several) */
	u64 kicks;	  /* doorbells rung */
	u64 renotifies;	  /* of those, rung again for a ring that stalled */
	u64 resets;	  /* device resets (a timeout, a broken ring) */
	u64 irqs;	  /* interrupts that woke a wait for this device */
	u32 max_inflight; /* most commands outstanding at once */
};

struct blk_dev_ops {
	/*
	 * Queue `req`.  Returns 0 if the device took it (it is ended by a
	 * later poll() or reset()), or -errno without ending it:
	 * -EOPNOTSUPP for an op the device lacks, -EIO if the device is dead.
	 * Range and alignment are checked by the block layer before this, and
	 * DISCARD/WRITE_ZEROES reach only a device whose info names a limit.
	 * A full queue is not an error: the device keeps the request until
	 * it has room.  No doorbell: see kick().
	 */
	int (*submit)(void *ctx, struct blk_req *req);
	/*
	 * Optional: tell the device about everything submitted since the last
	 * kick (one doorbell, if the device asked for one).  NULL for a device
	 * that sees submissions at once.
	 */
	void (*kick)(void *ctx);
	/* Reap completions, ending each request.  Returns how many. */
	int (*poll)(void *ctx);
	/*
	 * Abandon everything outstanding, ending each request with `err`, and
	 * bring the device back to a working state.  Returns 0, or -errno if
	 * the device could not be revived (it is then dead).
	 */
	int (*reset)(void *ctx, int err);
	/*
	 * Optional: turn the volatile write cache on or off; called only while
	 * info.wce_switchable is set.  Updates info.volatile_cache.  0,
	 * -EOPNOTSUPP or -EIO.
	 */
	int (*set_write_cache)(void *ctx, bool writeback);
	/*
	 * Optional: poll() found nothing and the caller will wait; sleep
	 * until the device may have completed something (an interrupt) or at
	 * most `timeout_ns`.  Without it the caller spins on poll().
	 */
	void (*idle)(void *ctx, u64 timeout_ns);
};

/*
 * The block layer's flush bookkeeping for one device, shared by every
 * struct blk over it (the whole disk and its partitions): a FLUSH covers
 * the whole device, and a failed one taints it for all.  Private to
 * kernel/block/blk.c; the device only provides the storage (zeroed).
 */
struct blk_dev_flush {
	u64 writes_done;	 /* successful writes completed, through any view */
	u64 flushed_upto;	 /* writes_done covered by a good FLUSH */
	u64 covers;		 /* writes_done when cmd was sent */
	bool busy;		 /* cmd is at the device */
	bool failed;		 /* sticky: see blk_clear_flush_error() */
	struct blk_req cmd;	 /* the one FLUSH at the device */
	struct blk_req *waiters; /* covered by cmd */
	struct blk_req *next;	 /* need a FLUSH after cmd */
};

struct blk_dev {
	const struct blk_dev_ops *ops;
	void *ctx;
	/*
	 * The device's properties.  The device bumps info_gen whenever it
	 * changes them on its own (after a reset, a cache switch), so the
	 * block layer knows to look again (its ordering mode depends on them).
	 */
	struct blk_dev_info info;
	u32 info_gen;
	struct blk_dev_stats stats;
	struct blk_dev_flush flush; /* the block layer's */
};

#endif
