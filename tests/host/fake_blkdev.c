/*
 * tests/host/fake_blkdev.c - a scriptable struct blk_dev (see fake_blkdev.h).
 *
 * Outstanding requests are a struct blk_fifo (kernel/block/blk_fifo.h).
 * Completion unlinks a request first and only then ends it, so the
 * callback may submit again - even the very same struct blk_req.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tests/host/fake_blkdev.h"

#include "arch/host/host.h"
#include "lib/errno.h"

static const char fake_serial[] = "fake-serial-0001";

static struct fake_ev_rec *fake_log(struct fake_blkdev *f, enum fake_ev ev)
{
	struct fake_ev_rec *r;

	if (f->nlog >= FAKE_LOG_MAX)
		fail_msg("fake_blkdev: event log full");
	r = &f->log[f->nlog++];
	*r = (struct fake_ev_rec){
		.ev = ev,
		.outstanding = f->q.len,
		.outstanding_writes = fake_blkdev_outstanding_op(f, BLK_OP_WRITE) +
				      fake_blkdev_outstanding_op(f, BLK_OP_DISCARD) +
				      fake_blkdev_outstanding_op(f, BLK_OP_WRITE_ZEROES),
	};
	return r;
}

/* Move data for a successful READ/WRITE/GET_ID, as a RAM disk would. */
static void fake_transfer(struct fake_blkdev *f, struct blk_req *req)
{
	size_t off = (size_t)req->sector * BLK_SECTOR_SIZE;

	switch (req->op) {
	case BLK_OP_READ:
	case BLK_OP_WRITE:
		if (!f->store)
			return;
		assert_true(req->sector + req->len / BLK_SECTOR_SIZE <= f->dev.info.capacity);
		if (req->op == BLK_OP_READ)
			memcpy(req->buf, f->store + off, req->len);
		else
			memcpy(f->store + off, req->buf, req->len);
		return;
	case BLK_OP_DISCARD:
	case BLK_OP_WRITE_ZEROES:
		if (f->store) {
			assert_true(req->sector + req->len / BLK_SECTOR_SIZE <=
				    f->dev.info.capacity);
			memset(f->store + off, 0, req->len);
		}
		return;
	case BLK_OP_GET_ID:
		memcpy(req->buf, fake_serial,
		       req->len < sizeof(fake_serial) ? req->len : sizeof(fake_serial));
		return;
	default: return;
	}
}

/* Unlink `req` (outstanding, after `prev` or first) and complete it. */
static void fake_finish(struct fake_blkdev *f, struct blk_req *prev, struct blk_req *req,
			int status)
{
	struct fake_ev_rec *r;

	blk_fifo_unlink(&f->q, prev, req);

	r = fake_log(f, FAKE_EV_COMPLETE);
	r->req = req;
	r->op = req->op;
	r->status = status;
	f->completions++;
	if (status == 0)
		fake_transfer(f, req);
	blk_end_request(req, status);
}

unsigned fake_blkdev_complete_next(struct fake_blkdev *f, int status)
{
	if (!f->q.head)
		return 0;
	fake_finish(f, NULL, f->q.head, status);
	return 1;
}

unsigned fake_blkdev_complete_all(struct fake_blkdev *f, int status)
{
	unsigned n = f->q.len;

	/* Requests submitted by the callbacks join the tail: not ours. */
	for (unsigned i = 0; i < n; i++)
		fake_blkdev_complete_next(f, status);
	return n;
}

void fake_blkdev_complete_req(struct fake_blkdev *f, struct blk_req *req, int status)
{
	struct blk_req *prev = NULL;

	for (struct blk_req *r = f->q.head; r; prev = r, r = blk_fifo_next(r)) {
		if (r == req) {
			fake_finish(f, prev, r, status);
			return;
		}
	}
	fail_msg("fake_blkdev: request %p is not outstanding", (void *)req);
}

unsigned fake_blkdev_outstanding_op(const struct fake_blkdev *f, enum blk_op op)
{
	unsigned n = 0;

	for (const struct blk_req *r = f->q.head; r; r = blk_fifo_next(r))
		n += r->op == op;
	return n;
}

unsigned fake_blkdev_count_submits(const struct fake_blkdev *f, int op)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->nlog; i++) {
		const struct fake_ev_rec *r = &f->log[i];

		n += r->ev == FAKE_EV_SUBMIT && r->status == 0 && (op < 0 || (int)r->op == op);
	}
	return n;
}

int fake_blkdev_find(const struct fake_blkdev *f, enum fake_ev ev, int op, unsigned n)
{
	for (unsigned i = 0; i < f->nlog; i++) {
		const struct fake_ev_rec *r = &f->log[i];
		bool op_ok =
			op < 0 || ev == FAKE_EV_RESET || ev == FAKE_EV_SET_WCE || (int)r->op == op;

		if (r->ev == ev && op_ok && n-- == 0)
			return (int)i;
	}
	return -1;
}

/* ---- the blk_dev_ops ---------------------------------------------------- */

static int fake_submit(void *ctx, struct blk_req *req)
{
	struct fake_blkdev *f = ctx;
	struct fake_ev_rec *r = fake_log(f, FAKE_EV_SUBMIT);

	r->req = req;
	r->op = req->op;
	r->flags = req->flags;
	r->sector = req->sector;
	r->len = req->len;
	r->status = f->submit_err;
	if (f->submit_err)
		return f->submit_err;

	f->submits++;
	blk_fifo_push(&f->q, req);
	return 0;
}

static int fake_poll(void *ctx)
{
	struct fake_blkdev *f = ctx;
	unsigned n = 0, todo;

	f->polls++;
	if (f->hang || f->poll_mode == FAKE_POLL_NONE || !f->q.head)
		return 0;
	if (f->idle_polls < f->poll_delay) {
		f->idle_polls++;
		return 0;
	}
	f->idle_polls = 0;
	todo = f->poll_mode == FAKE_POLL_ONE ? 1 : f->q.len;
	while (n < todo && f->q.head) {
		fake_finish(f, NULL, f->q.head, f->status[f->q.head->op]);
		n++;
	}
	return (int)n;
}

static int fake_reset(void *ctx, int err)
{
	struct fake_blkdev *f = ctx;
	struct fake_ev_rec *r = fake_log(f, FAKE_EV_RESET);

	r->status = err;
	f->resets++;
	/* Only what was outstanding at the reset; resubmissions stay queued. */
	fake_blkdev_complete_all(f, err);
	return f->reset_ret;
}

static int fake_set_write_cache(void *ctx, bool writeback)
{
	struct fake_blkdev *f = ctx;
	struct fake_ev_rec *r = fake_log(f, FAKE_EV_SET_WCE);

	r->writeback = writeback;
	f->set_wce_calls++;
	if (!f->dev.info.wce_switchable)
		return -EOPNOTSUPP;
	f->dev.info.volatile_cache = writeback;
	return 0;
}

static void fake_idle(void *ctx, u64 timeout_ns)
{
	struct fake_blkdev *f = ctx;

	f->idle_max_ns = MAX(f->idle_max_ns, timeout_ns);
	if (f->idle_sleeps)
		host_time_ns += timeout_ns;
}

static void fake_kick(void *ctx)
{
	struct fake_blkdev *f = ctx;

	f->kicks++;
	f->kicked = f->submits;
}

static const struct blk_dev_ops fake_ops = {
	.submit = fake_submit,
	.kick = fake_kick,
	.poll = fake_poll,
	.reset = fake_reset,
	.set_write_cache = fake_set_write_cache,
	.idle = fake_idle,
};

struct blk_dev_info fake_blkdev_default_info(void)
{
	return (struct blk_dev_info){
		.name = "fake0",
		.block_size = 512,
		.capacity = 2048,
		.max_segments = 16,
		.max_segment_size = 65536,
		.queue_depth = 64,
	};
}

void fake_blkdev_init(struct fake_blkdev *f, const struct blk_dev_info *info)
{
	*f = (struct fake_blkdev){
		.dev = { .ops = &fake_ops, .ctx = f, .info = fake_blkdev_default_info() },
	};
	if (info) {
		f->dev.info = *info;
		if (!f->dev.info.name)
			f->dev.info.name = "fake0";
	}
}
