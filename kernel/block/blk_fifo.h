/*
 * kernel/block/blk_fifo.h - a device's queue of requests, oldest first.
 *
 * For block devices that keep the requests they hold in arrival order (the
 * queue-then-poll device of blk_queue.h, the host tests' scriptable fake).
 * The link lives in the request's driver area (blkdev.h), so a device
 * using this queue keeps nothing else there.
 */
#ifndef ORDO_BLK_FIFO_H
#define ORDO_BLK_FIFO_H

#include "kernel/block/blkdev.h"

struct BLK_DRV_STATE blk_fifo_link {
	struct blk_req *next;
};
BLK_DRV_STATE_CHECK(struct blk_fifo_link);

struct blk_fifo {
	struct blk_req *head, *tail;
	unsigned len;
};

/* The request queued after `req`, or NULL. */
static inline struct blk_req *blk_fifo_next(const struct blk_req *req)
{
	return blk_req_drv((struct blk_req *)req, struct blk_fifo_link)->next;
}

static inline void blk_fifo_push(struct blk_fifo *q, struct blk_req *req)
{
	blk_req_drv(req, struct blk_fifo_link)->next = NULL;
	if (q->tail)
		blk_req_drv(q->tail, struct blk_fifo_link)->next = req;
	else
		q->head = req;
	q->tail = req;
	q->len++;
}

/* Unlink `req`, which follows `prev` (NULL: it is the head). */
static inline void blk_fifo_unlink(struct blk_fifo *q, struct blk_req *prev, struct blk_req *req)
{
	struct blk_req *next = blk_fifo_next(req);

	if (prev)
		blk_req_drv(prev, struct blk_fifo_link)->next = next;
	else
		q->head = next;
	if (q->tail == req)
		q->tail = prev;
	blk_req_drv(req, struct blk_fifo_link)->next = NULL;
	q->len--;
}

/* Unlink and return the oldest request, or NULL. */
static inline struct blk_req *blk_fifo_pop(struct blk_fifo *q)
{
	struct blk_req *req = q->head;

	if (req)
		blk_fifo_unlink(q, NULL, req);
	return req;
}

#endif
