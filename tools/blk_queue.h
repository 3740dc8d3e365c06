/*
 * tools/blk_queue.h - the request queue of a host-side block device.
 *
 * Interface: a struct blk_dev (kernel/block/blkdev.h) whose requests are
 * carried out synchronously by a backend callback, but, like a real
 * device, only from poll(): submit() queues (linked through req->drv.next,
 * the field blkdev.h reserves for the device), poll() carries out what was
 * queued when it started, oldest first, and unlinks each request before
 * its done() runs, so a completion may submit again.  reset(err) completes
 * everything queued with `err`.  No write cache switch.
 *
 * Used by the ordofs tool's file device and the tests' RAM disk: each
 * embeds a struct blk_queue and passes its own `execute`.
 */
#ifndef ORDO_TOOLS_BLK_QUEUE_H
#define ORDO_TOOLS_BLK_QUEUE_H

#include "kernel/block/blkdev.h"

struct blk_queue {
	struct blk_dev dev;
	struct blk_req *head, *tail; /* queued, oldest first */
	/* Carry out one request now: its status (0 or -errno). */
	int (*execute)(struct blk_queue *q, struct blk_req *req);
};

/* Set up `q` as a device with these properties; dev.ctx is `q`. */
void blk_queue_init(struct blk_queue *q, const struct blk_dev_info *info,
		    int (*execute)(struct blk_queue *q, struct blk_req *req));

#endif
