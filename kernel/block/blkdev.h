/*
 * kernel/block/blkdev.h - the block-device interface (design.md section 2).
 *
 * Implemented by the virtio-blk driver, the RAM disk and the host-side
 * simulated disk; consumed by the block layer (blk.h), which is the only
 * user of these ops.  Like littlefs's config: a const ops table, a context
 * pointer, and the device's geometry and properties.
 *
 * Requests are asynchronous.  A request belongs to the device from a
 * successful submit() until the device calls req->done(req), exactly once,
 * with req->status set.  Completions are delivered only from poll() or
 * reset(), never from inside submit(), so a submitter can never be
 * re-entered.  Single-threaded: callers serialise all calls on one device.
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
};

/* Order this request after every earlier one and before every later one
 * (legacy VIRTIO_BLK_F_BARRIER devices only: "tagged" ordering). */
#define BLK_REQ_BARRIER 0x1u

struct blk_req;
typedef void (*blk_done_fn)(struct blk_req *req);

struct blk_req {
	/* Set by the submitter. */
	enum blk_op op;
	u32 flags;	  /* BLK_REQ_* */
	u64 sector;	  /* start, in 512-byte sectors */
	void *buf;	  /* READ/WRITE/GET_ID data */
	u32 len;	  /* bytes, a multiple of the logical block size */
	blk_done_fn done; /* may be NULL */
	void *priv;	  /* for the submitter */

	/* Set before done() is called: 0 or -errno. */
	int status;
	bool completed;

	/* Private to the block layer (blk.c). */
	struct {
		blk_done_fn user_done;
		struct blk_req *next;
		void *owner; /* the struct blk it was submitted to */
		bool tagged; /* BLK_REQ_BARRIER was added by the block layer */
	} blk;
	/* Private to the device driver that currently owns the request. */
	struct {
		struct blk_req *next;
		u32 issued;	 /* bytes handed to the device so far */
		u32 parts;	 /* device commands still outstanding */
		int err;	 /* first error of any part */
		bool all_issued; /* nothing left to hand to the device */
	} drv;
};

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
};

struct blk_dev_ops {
	/*
	 * Queue `req`.  Returns 0 if the device took it (done() follows from
	 * a later poll() or reset()), or -errno without calling done():
	 * -EOPNOTSUPP for an op the device lacks, -EIO if the device is dead.
	 * Range and alignment are checked by the block layer before this.
	 * A full queue is not an error: the device keeps the request until
	 * it has room.
	 */
	int (*submit)(void *ctx, struct blk_req *req);
	/* Reap completions, calling done() for each.  Returns how many. */
	int (*poll)(void *ctx);
	/*
	 * Abandon everything outstanding, completing each request with
	 * `err`, and bring the device back to a working state.  Returns 0,
	 * or -errno if the device could not be revived (it is then dead).
	 */
	int (*reset)(void *ctx, int err);
	/*
	 * Turn the volatile write cache on or off (info.wce_switchable).
	 * Updates info.volatile_cache.  0, -EOPNOTSUPP or -EIO.
	 */
	int (*set_write_cache)(void *ctx, bool writeback);
	/*
	 * Optional: poll() found nothing and the caller will wait; sleep
	 * until the device may have completed something (an interrupt) or at
	 * most `timeout_ns`.  Without it the caller spins on poll().
	 */
	void (*idle)(void *ctx, u64 timeout_ns);
};

struct blk_dev {
	const struct blk_dev_ops *ops;
	void *ctx;
	struct blk_dev_info info;
};

#endif
