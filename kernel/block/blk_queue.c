/*
 * kernel/block/blk_queue.c - queue-then-poll block device (see blk_queue.h).
 */
#include "kernel/block/blk_queue.h"

static int blk_queue_submit(void *ctx, struct blk_req *req)
{
	struct blk_queue *q = ctx;

	blk_fifo_push(&q->fifo, req);
	return 0;
}

/* End what is queued now (a completion may queue more: not ours). */
static int blk_queue_complete(struct blk_queue *q, int err)
{
	unsigned n = q->fifo.len;

	for (unsigned i = 0; i < n; i++) {
		struct blk_req *req = blk_fifo_pop(&q->fifo);

		blk_end_request(req, err ? err : q->execute(q, req));
	}
	return (int)n;
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

static const struct blk_dev_ops blk_queue_ops = {
	.submit = blk_queue_submit,
	.poll = blk_queue_poll,
	.reset = blk_queue_reset,
};

void blk_queue_init(struct blk_queue *q, const struct blk_dev_info *info,
		    int (*execute)(struct blk_queue *q, struct blk_req *req))
{
	*q = (struct blk_queue){
		.dev = { .ops = &blk_queue_ops, .ctx = q, .info = *info },
		.execute = execute,
	};
}
