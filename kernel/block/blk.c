/*
 * kernel/block/blk.c - block layer: request checks, accounting, the
 * ordering mode, flush elimination and merging, bounded waits (see blk.h).
 *
 * Flush state machine (DRAIN_FLUSH mode; other modes never send FLUSH), in
 * the device's struct blk_dev_flush, shared by the disk and its views:
 *  - writes_done counts writes that completed successfully;
 *  - at most one FLUSH is at the device (cmd).  When it was sent it
 *    covered `covers` = writes_done (virtio FLUSH covers only writes
 *    that completed before it was submitted);
 *  - a flush request arriving while it is busy joins `waiters` if
 *    covers == writes_done (nothing new to cover), otherwise waits on
 *    `next` for one more FLUSH that all such requests share;
 *  - a successful FLUSH sets flushed_upto = covers; a flush request
 *    finding writes_done == flushed_upto has nothing to make durable and
 *    completes without a command.  A failed FLUSH leaves flushed_upto alone
 *    and fails its waiters with the device's error.
 * Requests that finish without reaching the device (elided or ignored
 * flushes) complete from the next blk_poll(), never inside blk_submit().
 */
#include "kernel/block/blk.h"

#include "arch/port.h"
#include "lib/diskio.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/sched.h"

static const char *const blk_order_names[] = {
	[BLK_ORDER_DRAIN_FLUSH] = "drain-flush",
	[BLK_ORDER_DRAIN] = "drain",
	[BLK_ORDER_TAG] = "tag",
	[BLK_ORDER_NONE] = "none",
};

const char *blk_order_name(enum blk_order order)
{
	return (unsigned)order < ARRAY_SIZE(blk_order_names) ? blk_order_names[order] : "?";
}

enum blk_order blk_order_select(const struct blk_dev_info *info, bool ignore_flush)
{
	if (ignore_flush)
		return BLK_ORDER_NONE;
	if (info->has_flush)
		return info->volatile_cache ? BLK_ORDER_DRAIN_FLUSH : BLK_ORDER_DRAIN;
	if (info->has_barrier)
		return BLK_ORDER_TAG;
	/* No FLUSH: assume no volatile cache, still drain for ordering. */
	return BLK_ORDER_DRAIN;
}

void blk_clear_flush_error(struct blk *b)
{
	b->dev->flush.failed = false;
}

void blk_update_order(struct blk *b)
{
	b->info = b->dev->info;
	if (b->view_sectors) {
		b->info.name = b->name;
		b->info.capacity = b->view_sectors;
	}
	b->order = blk_order_select(&b->dev->info, b->ignore_flush);
	b->info_gen = b->dev->info_gen;
}

/* The device changed its properties on its own (a reset, a cache switch). */
static void blk_refresh(struct blk *b)
{
	if (b->info_gen != b->dev->info_gen)
		blk_update_order(b);
}

void blk_init(struct blk *b, struct blk_dev *dev, bool ignore_flush)
{
	*b = (struct blk){
		.dev = dev,
		.ignore_flush = ignore_flush,
		.timeout_ms = BLK_DEFAULT_TIMEOUT_MS,
	};
	BUG_ON(dev->flush.busy);
	dev->flush = (struct blk_dev_flush){ 0 };
	blk_update_order(b);
}

int blk_init_view(struct blk *view, const struct blk *disk, u64 start, u64 nsectors,
		  const char *name)
{
	const struct blk_dev_info *info = &disk->dev->info;
	u64 spb = info->block_size / BLK_SECTOR_SIZE;

	if (nsectors == 0 || start % spb || nsectors % spb)
		return -EINVAL;
	/* Written so that start + nsectors cannot wrap. */
	if (start > info->capacity || nsectors > info->capacity - start)
		return -ERANGE;
	*view = (struct blk){
		.dev = disk->dev,
		.ignore_flush = disk->ignore_flush,
		.timeout_ms = disk->timeout_ms,
	};
	view->start = start;
	view->view_sectors = nsectors;
	snprintf(view->name, sizeof(view->name), "%s", name);
	blk_update_order(view);
	return 0;
}

static int blk_disk_read(void *ctx, u64 offset, void *buf, u32 len)
{
	return blk_read(ctx, offset >> BLK_SECTOR_SHIFT, buf, len);
}

void blk_disk_io(struct blk *b, struct disk_io *io)
{
	*io = (struct disk_io){
		.read = blk_disk_read,
		.ctx = b,
		.size = blk_info(b)->capacity << BLK_SECTOR_SHIFT,
		.bsize = blk_info(b)->block_size,
	};
}

/* Finish a request that never reached the device: from the next poll. */
static void blk_defer(struct blk *b, struct blk_req *req, int status)
{
	req->status = status;
	req->blk.next = b->deferred;
	b->deferred = req;
}

/* The one place a request's completion is written and its owner called. */
static void blk_finish(struct blk_req *req, int status)
{
	req->status = status;
	req->completed = true;
	if (req->done)
		req->done(req);
}

/* A device hands back a request we gave it: account, then finish it. */
void blk_end_request(struct blk_req *req, int status)
{
	struct blk *b = req->blk.owner;

	b->inflight--;
	if (status) {
		b->stats.errors++;
	} else if (req->op == BLK_OP_READ) {
		b->stats.reads++;
		b->stats.bytes_read += req->len;
	} else if (req->op == BLK_OP_WRITE) {
		/* Volatile until a FLUSH, like any write: the next one covers it. */
		b->dev->flush.writes_done++;
		b->stats.writes++;
		b->stats.bytes_written += req->len;
	} else if (blk_op_is_write(req->op)) {
		/* DISCARD or WRITE_ZEROES: a write too (blkdev.h). */
		b->dev->flush.writes_done++;
		if (req->op == BLK_OP_DISCARD) {
			b->stats.discards++;
			b->stats.bytes_discarded += req->len;
		} else {
			b->stats.write_zeroes++;
			b->stats.bytes_zeroed += req->len;
		}
	}
	if (blk_op_has_range(req->op))
		req->sector -= b->start; /* back to the caller's view */
	if (req->blk.tagged)
		req->flags &= ~BLK_REQ_BARRIER; /* ours, not the caller's */
	blk_finish(req, status);
}

/* Give a checked request to the device.  0 or the device's -errno. */
static int blk_issue(struct blk *b, struct blk_req *req)
{
	int err;

	req->blk.owner = b;
	req->completed = false;
	req->status = 0;
	/* A view's sectors become the device's while the device holds it. */
	if (blk_op_has_range(req->op))
		req->sector += b->start;
	err = b->dev->ops->submit(b->dev->ctx, req);
	if (err) {
		if (blk_op_has_range(req->op))
			req->sector -= b->start;
		return err;
	}
	b->inflight++;
	return 0;
}

static void blk_flush_send(struct blk *b);

/* The struct blk a flush request was submitted to. */
static struct blk *blk_owner(const struct blk_req *req)
{
	return req->blk.owner;
}

/* Finish every request on `list` with `status`. */
static void blk_finish_list(struct blk_req *list, int status)
{
	for (struct blk_req *next; list; list = next) {
		next = list->blk.next;
		blk_finish(list, status);
	}
}

/* The device answered our FLUSH: release everyone it covered. */
static void blk_flush_cmd_done(struct blk_req *cmd)
{
	struct blk_dev *dev = cmd->priv;
	struct blk_dev_flush *fl = &dev->flush;
	struct blk_req *w = fl->waiters, *next_list = fl->next;

	if (cmd->status == 0) {
		fl->flushed_upto = MAX(fl->flushed_upto, fl->covers);
	} else if (!fl->failed) {
		/*
		 * The device may have dropped cached writes (a host that marks
		 * its pages clean after a failed flush, "fsyncgate"): a later
		 * FLUSH that succeeds proves nothing about them.  Every flush
		 * fails from now on until the owner says it rewrote its data.
		 */
		fl->failed = true;
		kprintf("%s: FLUSH failed (%s): cached writes may be lost; flushes fail until "
			"cleared\n",
			dev->info.name, errno_name(cmd->status));
	}
	fl->busy = false;
	fl->waiters = NULL;
	fl->next = NULL;
	blk_finish_list(w, cmd->status);
	if (!next_list)
		return;
	if (cmd->status) {
		/*
		 * Requests waiting for the next FLUSH share this one's fate:
		 * after a failure flushes are sticky-failed (above), and after
		 * a timeout the reset device must not be handed another FLUSH
		 * on their behalf, so every wait stays bounded.
		 */
		blk_finish_list(next_list, cmd->status);
		return;
	}
	if (fl->writes_done == fl->flushed_upto) {
		/* Everything they needed was covered after all. */
		for (struct blk_req *r = next_list; r; r = r->blk.next)
			blk_owner(r)->stats.flushes_elided++;
		blk_finish_list(next_list, 0);
		return;
	}
	fl->waiters = next_list;
	blk_flush_send(blk_owner(next_list));
}

/* Send the device's FLUSH on behalf of fl->waiters, counted for `b`. */
static void blk_flush_send(struct blk *b)
{
	struct blk_dev_flush *fl = &b->dev->flush;
	struct blk_req *w;
	int err;

	fl->cmd = (struct blk_req){
		.op = BLK_OP_FLUSH,
		.done = blk_flush_cmd_done,
		.priv = b->dev,
	};
	fl->covers = fl->writes_done;
	fl->busy = true;
	err = blk_issue(b, &fl->cmd);
	if (!err) {
		b->stats.flushes_sent++;
		return;
	}
	/* Never reached the device: its waiters fail from their next poll. */
	w = fl->waiters;
	fl->busy = false;
	fl->waiters = NULL;
	for (struct blk_req *next; w; w = next) {
		next = w->blk.next;
		blk_defer(blk_owner(w), w, err);
	}
}

static void blk_flush_submit(struct blk *b, struct blk_req *req)
{
	struct blk_dev_flush *fl = &b->dev->flush;

	req->blk.owner = b;
	req->completed = false;
	req->status = 0;
	b->stats.flush_requests++;
	if (fl->failed) {
		blk_defer(b, req, -EIO);
	} else if (b->order == BLK_ORDER_NONE) {
		b->stats.flushes_ignored++;
		blk_defer(b, req, 0);
	} else if (!b->dev->info.volatile_cache || !b->dev->info.has_flush) {
		/* Completed writes are already durable: nothing to send. */
		b->stats.flushes_elided++;
		blk_defer(b, req, 0);
	} else if (fl->busy) {
		struct blk_req **list = fl->covers == fl->writes_done ? &fl->waiters : &fl->next;

		/* Sharing a FLUSH with others: the one at the device or the next. */
		if (*list)
			b->stats.flushes_merged++;
		req->blk.next = *list;
		*list = req;
	} else if (fl->writes_done == fl->flushed_upto) {
		b->stats.flushes_elided++;
		blk_defer(b, req, 0);
	} else {
		req->blk.next = NULL;
		fl->waiters = req;
		blk_flush_send(b);
	}
}

/* Range, alignment and permission checks.  0 or -errno. */
static int blk_check(const struct blk *b, const struct blk_req *req)
{
	const struct blk_dev_info *info = blk_info(b);
	u64 nsect;

	/* Nearly every request is a READ or WRITE: GCC tests those first. */
	switch (__builtin_expect(req->op, BLK_OP_READ)) {
	case BLK_OP_FLUSH: return 0;
	case BLK_OP_GET_ID: return req->buf && req->len ? 0 : -EINVAL;
	case BLK_OP_READ:
	case BLK_OP_WRITE:
		if (!req->buf)
			return -EINVAL;
		break;
	case BLK_OP_DISCARD:
		if (!info->discard_max_sectors)
			return -EOPNOTSUPP;
		if (req->flags & BLK_REQ_UNMAP)
			return -EINVAL; /* WRITE_ZEROES' flag */
		break;
	case BLK_OP_WRITE_ZEROES:
		if (!info->wz_max_sectors)
			return -EOPNOTSUPP;
		break;
	default: return -EOPNOTSUPP;
	}
	if (req->len == 0 || req->len % info->block_size ||
	    (req->sector << BLK_SECTOR_SHIFT) % info->block_size)
		return -EINVAL;
	nsect = req->len >> BLK_SECTOR_SHIFT;
	/* Written so that sector + nsect cannot wrap. */
	if (req->sector > info->capacity || nsect > info->capacity - req->sector)
		return -ERANGE;
	/* read_only first: it is the rare case, and one load to test. */
	if (info->read_only && blk_op_is_write(req->op))
		return -EROFS;
	return 0;
}

int blk_submit(struct blk *b, struct blk_req *req)
{
	int err;

	blk_refresh(b);
	if (req->op == BLK_OP_FLUSH) {
		/* No range, no buffer: nothing for blk_check() to refuse. */
		blk_flush_submit(b, req);
		return 0;
	}
	err = blk_check(b, req);
	if (err)
		return err;
	req->blk.tagged = false;
	if (b->order == BLK_ORDER_TAG && b->barrier_pending && !(req->flags & BLK_REQ_BARRIER)) {
		req->flags |= BLK_REQ_BARRIER;
		req->blk.tagged = true;
	}
	err = blk_issue(b, req);
	if (err && req->blk.tagged)
		req->flags &= ~BLK_REQ_BARRIER;
	else if (!err && b->order == BLK_ORDER_TAG)
		b->barrier_pending = false;
	return err;
}

int blk_poll(struct blk *b)
{
	struct blk_req *d = b->deferred;
	int n;

	b->deferred = NULL;
	for (struct blk_req *next; d; d = next) {
		next = d->blk.next;
		blk_finish(d, d->status);
	}
	n = b->dev->ops->poll(b->dev->ctx);
	/* One doorbell for all submitted since the last, and refilled just now. */
	blk_unplug(b);
	blk_refresh(b);
	return n;
}

void blk_unplug(struct blk *b)
{
	if (b->dev->ops->kick)
		b->dev->ops->kick(b->dev->ctx);
}

/* The device stopped answering: reset it, failing all it holds. */
static void blk_timeout(struct blk *b)
{
	b->stats.timeouts++;
	kprintf("%s: no completion within %u ms: resetting device, %u requests failed\n",
		b->dev->info.name, b->timeout_ms, b->inflight);
	b->dev->ops->reset(b->dev->ctx, -ETIMEDOUT);
	blk_poll(b); /* also sees what the revived device reports (blk_refresh) */
}

/*
 * blk_idle() with threads: let the others run (lib/sched.h), or, when
 * none can, sleep until the device has news or a sleeping thread's time
 * comes, then let every thread polling a device poll again.  Out of line,
 * so the single-threaded path below stays as lean as it was.
 */
static __attribute__((noinline, cold)) void blk_idle_threads(struct blk *b, u64 deadline, u64 now)
{
	u64 timeout = deadline > now ? deadline - now : 0;

	if (sched_io_idle(&timeout))
		return;
	if (b->dev->ops->idle && timeout)
		b->dev->ops->idle(b->dev->ctx, timeout);
	else
		arch_cpu_relax();
	sched_io_woken();
}

/*
 * Nothing completed: let the device sleep until it has news.  Inlined in
 * each wait loop, as it was before threads: it runs once per request.
 */
static inline __attribute__((always_inline)) void blk_idle(struct blk *b, u64 deadline)
{
	u64 now = arch_time_ns();

	if (sched_running())
		blk_idle_threads(b, deadline, now);
	else if (b->dev->ops->idle && deadline > now)
		b->dev->ops->idle(b->dev->ctx, deadline - now);
	else
		arch_cpu_relax();
}

static u64 blk_deadline(const struct blk *b)
{
	return arch_time_ns() + (u64)b->timeout_ms * 1000000ull;
}

int blk_wait(struct blk *b, struct blk_req *req)
{
	u64 deadline = blk_deadline(b);

	while (!req->completed) {
		bool progress = blk_poll(b) != 0;

		if (req->completed)
			break;
		/* Checked even while other requests complete: `req` may not. */
		if (arch_time_ns() > deadline) {
			blk_timeout(b);
			/* The reset completes everything it held (blkdev.h). */
			BUG_ON(!req->completed);
			return -ETIMEDOUT;
		}
		if (!progress)
			blk_idle(b, deadline);
	}
	return req->status;
}

int blk_drain(struct blk *b)
{
	u64 deadline = blk_deadline(b);

	while (b->inflight || b->deferred) {
		bool progress = blk_poll(b) != 0;

		if (!b->inflight && !b->deferred)
			break;
		if (arch_time_ns() > deadline) {
			blk_timeout(b);
			return -ETIMEDOUT;
		}
		if (!progress)
			blk_idle(b, deadline);
	}
	return 0;
}

/*
 * Submit and wait for a request that lives on the caller's stack.  GCC sees
 * the request linked into b->deferred (an elided flush) but not that
 * blk_wait() always unlinks it before returning: silence that one warning.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wdangling-pointer"
static int blk_submit_wait(struct blk *b, struct blk_req *req)
{
	int err = blk_submit(b, req);

	return err ? err : blk_wait(b, req);
}
#pragma GCC diagnostic pop

int blk_flush(struct blk *b)
{
	struct blk_req req = { .op = BLK_OP_FLUSH };

	return blk_submit_wait(b, &req);
}

/* Up to this many devices are flushed at once by one blk_sync_many(). */
#define BLK_SYNC_BATCH 8u

int blk_sync_many(struct blk *const *bs, unsigned n)
{
	struct blk_req reqs[BLK_SYNC_BATCH];
	unsigned i, base, m;
	int err = 0, e;

	/* A FLUSH covers only writes that completed before it was sent. */
	for (i = 0; i < n; i++) {
		e = blk_drain(bs[i]);
		err = err ? err : e;
	}
	if (err)
		return err;
	/* One FLUSH per device that needs it, all at the devices at once. */
	for (base = 0; base < n; base += m) {
		m = MIN(n - base, BLK_SYNC_BATCH);
		for (i = 0; i < m; i++) {
			reqs[i] = (struct blk_req){ .op = BLK_OP_FLUSH };
			e = blk_submit(bs[base + i], &reqs[i]);
			if (e) {
				reqs[i].status = e;
				reqs[i].completed = true;
			}
		}
		for (i = 0; i < m; i++) {
			e = reqs[i].completed ? reqs[i].status : blk_wait(bs[base + i], &reqs[i]);
			err = err ? err : e;
		}
	}
	return err;
}

int blk_barrier(struct blk *b)
{
	blk_refresh(b);
	switch (b->order) {
	case BLK_ORDER_TAG:
		/* The device orders the next request after all earlier ones. */
		b->barrier_pending = true;
		return 0;
	case BLK_ORDER_DRAIN:
	case BLK_ORDER_NONE:
		/* NONE ignores flushes, not ordering: a guest crash still sees it. */
		return blk_drain(b);
	default: return blk_sync(b);
	}
}

int blk_read(struct blk *b, u64 sector, void *buf, u32 len)
{
	struct blk_req req = { .op = BLK_OP_READ, .sector = sector, .buf = buf, .len = len };

	return blk_submit_wait(b, &req);
}

int blk_write(struct blk *b, u64 sector, const void *buf, u32 len)
{
	struct blk_req req = {
		.op = BLK_OP_WRITE,
		.sector = sector,
		.buf = (void *)buf,
		.len = len,
	};

	return blk_submit_wait(b, &req);
}

/*
 * DISCARD or WRITE_ZEROES over [sector, sector + nsectors), in requests of
 * at most `max` sectors (whole blocks) each, one after the other.  A
 * request that stops short of the end stops, when it can, at a multiple of
 * `align` device sectors (the discard alignment), as the device's own
 * splitting does, so only the range's own ends may be unaligned.
 */
static int blk_range_op(struct blk *b, enum blk_op op, u32 flags, u64 sector, u64 nsectors, u32 max,
			u32 align)
{
	u32 spb = blk_info(b)->block_size / BLK_SECTOR_SIZE;
	u64 chunk;
	int err;

	/* One request's len is a u32 of bytes: at most 4 GiB less a block. */
	chunk = MIN((u64)max, (u64)(0xffffffffu >> BLK_SECTOR_SHIFT));
	chunk -= chunk % spb;
	if (nsectors == 0 || chunk == 0) {
		struct blk_req req = { .op = op, .flags = flags, .sector = sector };

		/* Nothing to do or unsupported: blk_check's verdict. */
		return blk_submit_wait(b, &req);
	}
	align = MAX(align, 1u);
	do {
		u32 n = (u32)MIN(nsectors, chunk);
		/* Where it ends on the device (a wrap fails blk_check anyway). */
		u64 dev_end = b->start + sector + n;
		struct blk_req req;

		if (n < nsectors && dev_end % align &&
		    dev_end - dev_end % align > b->start + sector)
			n -= (u32)(dev_end % align);
		req = (struct blk_req){
			.op = op,
			.flags = flags,
			.sector = sector,
			.len = n << BLK_SECTOR_SHIFT,
		};
		err = blk_submit_wait(b, &req);
		sector += n;
		nsectors -= n;
	} while (!err && nsectors);
	return err;
}

int blk_discard(struct blk *b, u64 sector, u64 nsectors)
{
	blk_refresh(b);
	return blk_range_op(b, BLK_OP_DISCARD, 0, sector, nsectors,
			    blk_info(b)->discard_max_sectors, blk_info(b)->discard_align);
}

int blk_write_zeroes(struct blk *b, u64 sector, u64 nsectors, bool unmap)
{
	blk_refresh(b);
	return blk_range_op(b, BLK_OP_WRITE_ZEROES, unmap ? BLK_REQ_UNMAP : 0, sector, nsectors,
			    blk_info(b)->wz_max_sectors, 1);
}

int blk_get_id(struct blk *b, char *buf, u32 len)
{
	struct blk_req req = { .op = BLK_OP_GET_ID, .buf = buf, .len = len };

	return blk_submit_wait(b, &req);
}

int blk_set_write_cache(struct blk *b, bool writeback)
{
	struct blk_dev_info *info = &b->dev->info;
	int err;

	if (!info->wce_switchable || !b->dev->ops->set_write_cache)
		return -EOPNOTSUPP;
	if (!writeback && info->volatile_cache) {
		/* Nothing may stay behind in a cache we stop flushing. */
		err = blk_drain(b);
		if (!err)
			err = blk_flush(b);
		if (err)
			return err;
	}
	if (!info->volatile_cache) {
		/* Writes so far went through: a later FLUSH need not cover them. */
		b->dev->flush.flushed_upto = b->dev->flush.writes_done;
	}
	err = b->dev->ops->set_write_cache(b->dev->ctx, writeback);
	blk_update_order(b);
	return err;
}
