/*
 * kernel/block/blk_queue.h - a block device over a synchronous back end.
 *
 * Interface: a struct blk_dev (blkdev.h) whose requests are carried out
 * by a backend callback, but, like a real device, only from poll():
 * submit() queues, poll() carries out what was queued when it started,
 * oldest first, and unlinks each request before ending it, so a completion
 * may submit again.  reset(err) ends everything queued with `err`.  No
 * write cache switch, no doorbell.
 *
 * Used by the ordofs tool's file device (tools/ordofs_filedev.c) and the
 * host tests' RAM disk (tests/host/ramdisk.c): each embeds a struct
 * blk_queue and passes its own `execute`.
 */
#ifndef ORDO_BLK_QUEUE_H
#define ORDO_BLK_QUEUE_H

#include "kernel/block/blk_fifo.h"

struct blk_queue {
	struct blk_dev dev;
	struct blk_fifo fifo; /* queued, oldest first */
	/* Carry out one request now: its status (0 or -errno). */
	int (*execute)(struct blk_queue *q, struct blk_req *req);
};

/* Set up `q` as a device with these properties; dev.ctx is `q`. */
void blk_queue_init(struct blk_queue *q, const struct blk_dev_info *info,
		    int (*execute)(struct blk_queue *q, struct blk_req *req));

#endif
