/*
 * tools/blk_queue.c - queue-then-poll block device core (see blk_queue.h).
 */
#include "tools/blk_queue.h"

#include "lib/errno.h"

static int blk_queue_submit(void *ctx, struct blk_req *req)
{
	struct blk_queue *q = ctx;

	req->drv.next = NULL;
	if (q->tail)
		q->tail->drv.next = req;
	else
		q->head = req;
	q->tail = req;
	return 0;
}

/* Complete what is queued now (done() may queue more: not ours). */
static int blk_queue_complete(struct blk_queue *q, int err)
{
	struct blk_req *req, *last = q->tail;
	int n = 0;

	while ((req = q->head) != NULL) {
		q->head = req->drv.next;
		if (!q->head)
			q->tail = NULL;
		req->drv.next = NULL;
		req->status = err ? err : q->execute(q, req);
		n++;
		if (req->done)
			req->done(req);
		if (req == last)
			break;
	}
	return n;
}

static int blk_queue_poll(void *ctx)
{
	return blk_queue_complete(ctx, 0);
}

static int blk_queue_reset(void *ctx, int err)
{
	blk_queue_complete(ctx, err);
	return 0;
}

static int blk_queue_set_wce(void *ctx, bool writeback)
{
	(void)ctx;
	(void)writeback;
	return -EOPNOTSUPP;
}

static const struct blk_dev_ops blk_queue_ops = {
	.submit = blk_queue_submit,
	.poll = blk_queue_poll,
	.reset = blk_queue_reset,
	.set_write_cache = blk_queue_set_wce,
};

void blk_queue_init(struct blk_queue *q, const struct blk_dev_info *info,
		    int (*execute)(struct blk_queue *q, struct blk_req *req))
{
	*q = (struct blk_queue){
		.dev = { .ops = &blk_queue_ops, .ctx = q, .info = *info },
		.execute = execute,
	};
}
