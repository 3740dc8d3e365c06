/*
 * tests/host/test_blk.c - host tests for kernel/block/blk.c.
 *
 * The block layer runs on top of fake_blkdev, which completes requests only
 * when a test says so (or from poll(), as scripted) and logs every submit,
 * completion, reset and write-cache switch with what was outstanding at
 * that moment.  Ordering is checked from that log after the fact.
 *
 * Groups:
 *  - the ordering-mode table (docs/architecture.md section 6) and its names;
 *  - request checks (-EINVAL, -ERANGE, -EROFS) before the device sees it;
 *  - flush elimination and merging in DRAIN_FLUSH mode, failed writes and
 *    failed FLUSHes, and no FLUSH at all in the other modes;
 *  - blk_barrier() per mode; the write-cache switch;
 *  - bounded waits: a hung device is reset and everything outstanding
 *    fails with -ETIMEDOUT, a slow one is not;
 *  - completions never run inside blk_submit();
 *  - DISCARD and WRITE_ZEROES: checked like writes (and -EOPNOTSUPP without
 *    the device's support), shifted by views, split by the helpers, and
 *    writes for ordering: drained before a FLUSH, which they make needed.
 *
 * Time is the host arch's fake clock (each arch_time_ns() call advances it),
 * so a 5 ms timeout expires after a few thousand idle polls, instantly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arch/host/host.h"
#include "kernel/block/blk.h"
#include "lib/errno.h"
#include "tests/host/fake_blkdev.h"

/* ---- fixture ------------------------------------------------------------ */

static struct fake_blkdev fd;
static struct blk b;
static u8 data[8192];

/* Set while the test is inside blk_submit(): no completion may run then. */
static bool in_blk_submit;

struct done_rec {
	unsigned calls;
	int status;
};

static void rec_done(struct blk_req *req)
{
	struct done_rec *d = req->priv;

	if (in_blk_submit)
		fail_msg("request completed from inside blk_submit()");
	assert_true(req->completed);
	d->calls++;
	d->status = req->status;
}

/* A request with a recording done(); `d` must outlive it. */
static struct blk_req mkreq(enum blk_op op, u64 sector, u32 len, struct done_rec *d)
{
	*d = (struct done_rec){ 0 };
	return (struct blk_req){
		.op = op,
		.sector = sector,
		.buf = op == BLK_OP_FLUSH ? NULL : data,
		.len = op == BLK_OP_FLUSH ? 0 : len,
		.done = rec_done,
		.priv = d,
	};
}

static int submit(struct blk_req *req)
{
	int err;

	in_blk_submit = true;
	err = blk_submit(&b, req);
	in_blk_submit = false;
	return err;
}

enum dev_kind {
	DEV_VOLATILE,	  /* FLUSH + volatile cache, switchable */
	DEV_WRITETHROUGH, /* FLUSH, cache off, switchable */
	DEV_BARRIER,	  /* legacy BARRIER, no FLUSH */
	DEV_PLAIN,	  /* neither */
};

static struct blk_dev_info dev_info(enum dev_kind k)
{
	struct blk_dev_info i = fake_blkdev_default_info();

	switch (k) {
	case DEV_VOLATILE: i.has_flush = i.volatile_cache = i.wce_switchable = true; break;
	case DEV_WRITETHROUGH: i.has_flush = i.wce_switchable = true; break;
	case DEV_BARRIER: i.has_barrier = true; break;
	case DEV_PLAIN: break;
	}
	return i;
}

static void setup_info(const struct blk_dev_info *info, bool ignore_flush)
{
	fake_blkdev_init(&fd, info);
	blk_init(&b, &fd.dev, ignore_flush);
	b.timeout_ms = 5;
}

static void setup_kind(enum dev_kind k, bool ignore_flush, enum fake_poll_mode pm)
{
	struct blk_dev_info i = dev_info(k);

	setup_info(&i, ignore_flush);
	fd.poll_mode = pm;
}

static unsigned nflush(void)
{
	return fake_blkdev_count_submits(&fd, BLK_OP_FLUSH);
}

/* The log record for the submit of `req` (the n-th time it was submitted). */
static int log_submit_of(const struct blk_req *req, unsigned n)
{
	for (unsigned i = 0; i < fd.nlog; i++) {
		if (fd.log[i].ev == FAKE_EV_SUBMIT && fd.log[i].req == req && n-- == 0)
			return (int)i;
	}
	return -1;
}

static int log_complete_of(const struct blk_req *req, unsigned n)
{
	for (unsigned i = 0; i < fd.nlog; i++) {
		if (fd.log[i].ev == FAKE_EV_COMPLETE && fd.log[i].req == req && n-- == 0)
			return (int)i;
	}
	return -1;
}

static int setup_quiet(void **state)
{
	(void)state;
	host_console_quiet = true;
	in_blk_submit = false;
	return 0;
}

/* ---- views (partitions) ------------------------------------------------- */

/* A view checks against its own bounds and reaches the device shifted. */
static void test_view_bounds_and_shift(void **state)
{
	struct done_rec d;
	struct blk_req r;
	struct blk v;

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(blk_init_view(&v, &b, 1024, 512, "fake0p2"), 0);
	assert_string_equal(blk_info(&v)->name, "fake0p2");
	assert_int_equal(blk_info(&v)->capacity, 512);
	assert_true(blk_info(&v)->volatile_cache);
	/* The whole disk still reports its own. */
	assert_int_equal(blk_info(&b)->capacity, 2048);
	r = mkreq(BLK_OP_WRITE, 8, 1024, &d);
	assert_int_equal(blk_submit(&v, &r), 0);
	assert_int_equal(fd.log[fd.nlog - 1].sector, 1024 + 8);
	assert_int_equal(blk_wait(&v, &r), 0);
	/* The caller gets its request back in its own coordinates. */
	assert_int_equal(r.sector, 8);
	assert_int_equal(d.calls, 1);
	/* Its last block is in range; one past it is not, nor is a wrap. */
	assert_int_equal(blk_read(&v, 511, data, 512), 0);
	assert_int_equal(fd.log[fake_blkdev_find(&fd, FAKE_EV_SUBMIT, BLK_OP_READ, 0)].sector,
			 1024 + 511);
	assert_int_equal(blk_read(&v, 512, data, 512), -ERANGE);
	assert_int_equal(blk_read(&v, 511, data, 1024), -ERANGE);
	assert_int_equal(blk_read(&v, ~0ull, data, 512), -ERANGE);
	/* A FLUSH goes to the device, once, after the view's write completed. */
	assert_int_equal(blk_flush(&v), 0);
	assert_int_equal(nflush(), 1);
	assert_int_equal(blk_flush(&v), 0);
	assert_int_equal(nflush(), 1);
}

/* A refused submit leaves the request as the caller made it. */
static void test_view_refused_submit(void **state)
{
	struct done_rec d;
	struct blk_req r;
	struct blk v;

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(blk_init_view(&v, &b, 1024, 512, "fake0p2"), 0);
	fd.submit_err = -EIO;
	r = mkreq(BLK_OP_READ, 4, 512, &d);
	assert_int_equal(blk_submit(&v, &r), -EIO);
	assert_int_equal(r.sector, 4);
	assert_int_equal(d.calls, 0);
}

/* A view must lie within the device, in whole blocks, and not be empty. */
static void test_view_init_checks(void **state)
{
	struct blk_dev_info i = dev_info(DEV_VOLATILE);
	struct blk v;

	(void)state;
	i.block_size = 4096;
	setup_info(&i, false);
	assert_int_equal(blk_init_view(&v, &b, 0, 0, "x"), -EINVAL);
	assert_int_equal(blk_init_view(&v, &b, 4, 8, "x"), -EINVAL);
	assert_int_equal(blk_init_view(&v, &b, 8, 4, "x"), -EINVAL);
	assert_int_equal(blk_init_view(&v, &b, 2048, 8, "x"), -ERANGE);
	assert_int_equal(blk_init_view(&v, &b, 2040, 16, "x"), -ERANGE);
	assert_int_equal(blk_init_view(&v, &b, ~0ull - 7, 16, "x"), -ERANGE);
	assert_int_equal(blk_init_view(&v, &b, 2040, 8, "a-name-longer-than-sixteen"), 0);
	assert_int_equal(strlen(blk_info(&v)->name), BLK_NAME_MAX - 1);
	/* A request not in whole blocks of the device is refused. */
	assert_int_equal(blk_read(&v, 1, data, 4096), -EINVAL);
}

/* ---- ordering mode ------------------------------------------------------ */

/* The ordering table (docs/architecture.md section 6), every combination of the four inputs. */
static void test_order_select_table(void **state)
{
	/* clang-format off */
	static const struct {
		bool flush, vol, barrier, ignore;
		enum blk_order want;
	} rows[] = {
		{ 1, 1, 0, 0, BLK_ORDER_DRAIN_FLUSH },
		{ 1, 1, 1, 0, BLK_ORDER_DRAIN_FLUSH },
		{ 1, 0, 0, 0, BLK_ORDER_DRAIN },
		{ 1, 0, 1, 0, BLK_ORDER_DRAIN },
		{ 0, 0, 1, 0, BLK_ORDER_TAG },
		{ 0, 1, 1, 0, BLK_ORDER_TAG },
		{ 0, 0, 0, 0, BLK_ORDER_DRAIN },
		{ 0, 1, 0, 0, BLK_ORDER_DRAIN },
		{ 1, 1, 0, 1, BLK_ORDER_NONE },
		{ 1, 1, 1, 1, BLK_ORDER_NONE },
		{ 1, 0, 0, 1, BLK_ORDER_NONE },
		{ 1, 0, 1, 1, BLK_ORDER_NONE },
		{ 0, 0, 1, 1, BLK_ORDER_NONE },
		{ 0, 1, 1, 1, BLK_ORDER_NONE },
		{ 0, 0, 0, 1, BLK_ORDER_NONE },
		{ 0, 1, 0, 1, BLK_ORDER_NONE },
	};
	/* clang-format on */

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(rows); r++) {
		struct blk_dev_info i = dev_info(DEV_PLAIN);
		enum blk_order got;

		i.has_flush = rows[r].flush;
		i.volatile_cache = rows[r].vol;
		i.has_barrier = rows[r].barrier;
		got = blk_order_select(&i, rows[r].ignore);
		if (got != rows[r].want)
			fail_msg("row %zu (flush %d volatile %d barrier %d ignore %d): %s, want %s",
				 r, rows[r].flush, rows[r].vol, rows[r].barrier, rows[r].ignore,
				 blk_order_name(got), blk_order_name(rows[r].want));
		/* blk_init() applies the same table. */
		setup_info(&i, rows[r].ignore);
		assert_int_equal(b.order, rows[r].want);
	}
}

static void test_order_names(void **state)
{
	(void)state;
	assert_string_equal(blk_order_name(BLK_ORDER_DRAIN_FLUSH), "drain-flush");
	assert_string_equal(blk_order_name(BLK_ORDER_DRAIN), "drain");
	assert_string_equal(blk_order_name(BLK_ORDER_TAG), "tag");
	assert_string_equal(blk_order_name(BLK_ORDER_NONE), "none");
}

/* ---- request checks ----------------------------------------------------- */

/* Refused requests never reach the device and never complete. */
static void test_request_checks(void **state)
{
	static const struct {
		const char *what;
		u32 bs;
		bool ro;
		enum blk_op op;
		u64 sector;
		u32 len;
		bool null_buf;
		int want;
	} rows[] = {
		{ "len 0", 512, 0, BLK_OP_READ, 0, 0, 0, -EINVAL },
		{ "NULL buf", 512, 0, BLK_OP_READ, 0, 512, 1, -EINVAL },
		{ "write NULL buf", 512, 0, BLK_OP_WRITE, 0, 512, 1, -EINVAL },
		{ "len 100", 512, 0, BLK_OP_WRITE, 0, 100, 0, -EINVAL },
		{ "len 513", 512, 0, BLK_OP_WRITE, 0, 513, 0, -EINVAL },
		{ "len 512 on 4K", 4096, 0, BLK_OP_READ, 0, 512, 0, -EINVAL },
		{ "len 6K on 4K", 4096, 0, BLK_OP_READ, 0, 6144, 0, -EINVAL },
		{ "sector 1 on 4K", 4096, 0, BLK_OP_READ, 1, 4096, 0, -EINVAL },
		{ "sector 4 on 4K", 4096, 0, BLK_OP_WRITE, 4, 4096, 0, -EINVAL },
		{ "sector 8 on 4K", 4096, 0, BLK_OP_WRITE, 8, 4096, 0, 0 },
		{ "sector 1 on 512", 512, 0, BLK_OP_READ, 1, 512, 0, 0 },
		{ "start at capacity", 512, 0, BLK_OP_READ, 2048, 512, 0, -ERANGE },
		{ "start past capacity", 512, 0, BLK_OP_READ, 4096, 512, 0, -ERANGE },
		{ "crossing the end", 512, 0, BLK_OP_WRITE, 2047, 1024, 0, -ERANGE },
		{ "last sector", 512, 0, BLK_OP_WRITE, 2047, 512, 0, 0 },
		{ "last 4K block", 4096, 0, BLK_OP_READ, 2040, 4096, 0, 0 },
		{ "crossing the end 4K", 4096, 0, BLK_OP_READ, 2040, 8192, 0, -ERANGE },
		{ "sector 2^64-1", 512, 0, BLK_OP_READ, UINT64_MAX, 512, 0, -ERANGE },
		{ "sector 2^64-1, 2 sectors", 512, 0, BLK_OP_WRITE, UINT64_MAX, 1024, 0, -ERANGE },
		{ "sector 2^64-8 on 4K", 4096, 0, BLK_OP_READ, UINT64_MAX - 7, 4096, 0, -ERANGE },
		{ "sector 2^55 (byte offset wraps)", 512, 0, BLK_OP_READ, 1ull << 55, 512, 0,
		  -ERANGE },
		{ "write on read-only", 512, 1, BLK_OP_WRITE, 0, 512, 0, -EROFS },
		{ "read on read-only", 512, 1, BLK_OP_READ, 0, 512, 0, 0 },
		{ "GET_ID NULL buf", 512, 0, BLK_OP_GET_ID, 0, 20, 1, -EINVAL },
		{ "GET_ID len 0", 512, 0, BLK_OP_GET_ID, 0, 0, 0, -EINVAL },
	};

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(rows); r++) {
		struct blk_dev_info i = dev_info(DEV_VOLATILE);
		struct done_rec d;
		struct blk_req req;
		int got;

		i.block_size = rows[r].bs;
		i.read_only = rows[r].ro;
		setup_info(&i, false);
		req = mkreq(rows[r].op, rows[r].sector, rows[r].len, &d);
		if (rows[r].null_buf)
			req.buf = NULL;
		got = submit(&req);
		if (got != rows[r].want)
			fail_msg("%s: got %d, want %d", rows[r].what, got, rows[r].want);
		assert_int_equal(fake_blkdev_count_submits(&fd, -1), got ? 0 : 1);
		assert_int_equal(b.inflight, got ? 0 : 1);
		fake_blkdev_complete_all(&fd, 0);
		blk_poll(&b);
		assert_int_equal(d.calls, got ? 0 : 1);
	}
}

/* The synchronous helpers go through the same checks. */
static void test_sync_helpers_checked(void **state)
{
	struct blk_dev_info i = dev_info(DEV_PLAIN);
	char id[BLK_ID_MAX];

	(void)state;
	i.read_only = true;
	setup_info(&i, false);
	fd.poll_mode = FAKE_POLL_ALL;
	assert_int_equal(blk_write(&b, 0, data, 512), -EROFS);
	assert_int_equal(blk_read(&b, 2048, data, 512), -ERANGE);
	assert_int_equal(blk_read(&b, 0, data, 100), -EINVAL);
	assert_int_equal(fake_blkdev_count_submits(&fd, -1), 0);
	assert_int_equal(blk_read(&b, 0, data, 512), 0);
	assert_int_equal(blk_get_id(&b, id, sizeof(id)), 0);
	assert_memory_equal(id, "fake-serial-0001", 16);
}

/* Data goes where the sector says, and accounting follows completions. */
static void test_data_and_stats(void **state)
{
	static u8 store[2048 * 512];
	u8 out[1024], in[1024];

	(void)state;
	setup_kind(DEV_PLAIN, false, FAKE_POLL_ALL);
	fd.store = store;
	for (unsigned k = 0; k < sizeof(out); k++)
		out[k] = (u8)(k * 7 + 1);
	assert_int_equal(blk_write(&b, 100, out, sizeof(out)), 0);
	assert_memory_equal(store + 100 * 512, out, sizeof(out));
	memset(in, 0, sizeof(in));
	assert_int_equal(blk_read(&b, 100, in, sizeof(in)), 0);
	assert_memory_equal(in, out, sizeof(in));
	fd.status[BLK_OP_WRITE] = -EIO;
	assert_int_equal(blk_write(&b, 0, out, 512), -EIO);
	assert_int_equal(b.stats.writes, 1);
	assert_int_equal(b.stats.bytes_written, 1024);
	assert_int_equal(b.stats.reads, 1);
	assert_int_equal(b.stats.bytes_read, 1024);
	assert_int_equal(b.stats.errors, 1);
	assert_int_equal(b.inflight, 0);
}

/* ---- flush elimination -------------------------------------------------- */

static void test_flush_nothing_written(void **state)
{
	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(b.order, BLK_ORDER_DRAIN_FLUSH);
	assert_int_equal(blk_flush(&b), 0);
	/* Reads dirty nothing either. */
	assert_int_equal(blk_read(&b, 0, data, 512), 0);
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 0);
	assert_int_equal(b.stats.flush_requests, 2);
	assert_int_equal(b.stats.flushes_elided, 2);
	assert_int_equal(b.stats.flushes_sent, 0);
}

static void test_flush_after_write(void **state)
{
	struct done_rec d;
	struct blk_req w;
	int wc, fs;

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	w = mkreq(BLK_OP_WRITE, 8, 1024, &d);
	assert_int_equal(submit(&w), 0);
	assert_int_equal(blk_wait(&b, &w), 0);
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 1);
	/* The FLUSH went out after the write had completed. */
	wc = log_complete_of(&w, 0);
	fs = fake_blkdev_find(&fd, FAKE_EV_SUBMIT, BLK_OP_FLUSH, 0);
	assert_true(wc >= 0 && fs > wc);
	/* Nothing new since: the second flush sends nothing. */
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 1);
	assert_int_equal(b.stats.flushes_sent, 1);
	/* A new write needs a new FLUSH. */
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 2);
}

/* A write the device failed made nothing dirty. */
static void test_flush_ignores_failed_write(void **state)
{
	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	fd.status[BLK_OP_WRITE] = -EIO;
	assert_int_equal(blk_write(&b, 0, data, 512), -EIO);
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 0);
	fd.status[BLK_OP_WRITE] = 0;
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 1);
}

/* A failed FLUSH made nothing durable: the next flush sends again. */
/*
 * A failed FLUSH covers nothing and is sticky: the device may have dropped
 * cached writes, so a later FLUSH that succeeds must not be taken as
 * making them durable.  Flushes fail, without a FLUSH, until cleared.
 */
static void test_flush_failure_is_sticky(void **state)
{
	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	fd.status[BLK_OP_FLUSH] = -EIO;
	assert_int_equal(blk_flush(&b), -EIO);
	assert_int_equal(nflush(), 1);
	fd.status[BLK_OP_FLUSH] = 0;
	assert_int_equal(blk_flush(&b), -EIO);
	assert_int_equal(blk_barrier(&b), -EIO);
	assert_int_equal(nflush(), 1);
	blk_clear_flush_error(&b);
	/* The write is still not covered: the next flush goes out. */
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 2);
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 2);
}

/* The device refuses the FLUSH at submit: the waiter gets its error. */
static void test_flush_submit_refused(void **state)
{
	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	fd.submit_err = -EIO;
	assert_int_equal(blk_flush(&b), -EIO);
	assert_int_equal(b.inflight, 0);
	fd.submit_err = 0;
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 1);
}

/* A write the device refuses is not in flight and never completes. */
static void test_write_submit_refused(void **state)
{
	struct done_rec d;
	struct blk_req w;

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	fd.submit_err = -EIO;
	w = mkreq(BLK_OP_WRITE, 0, 512, &d);
	assert_int_equal(submit(&w), -EIO);
	assert_int_equal(b.inflight, 0);
	assert_int_equal(blk_drain(&b), 0);
	assert_int_equal(d.calls, 0);
	fd.submit_err = 0;
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 0);
}

/* The FLUSH request at the device (the oldest outstanding FLUSH). */
static struct blk_req *dev_flush(void)
{
	for (struct blk_req *r = fd.q.head; r; r = blk_fifo_next(r)) {
		if (r->op == BLK_OP_FLUSH)
			return r;
	}
	fail_msg("no FLUSH at the device");
	return NULL;
}

/*
 * Flushes asked for while a FLUSH is at the device, with no write completed
 * since it was sent, are answered by that FLUSH - success or failure.
 */
static void merge_joined(int flush_status)
{
	struct done_rec dw, df[3];
	struct blk_req w, f[3];

	setup_kind(DEV_VOLATILE, false, FAKE_POLL_NONE);
	w = mkreq(BLK_OP_WRITE, 0, 512, &dw);
	assert_int_equal(submit(&w), 0);
	fake_blkdev_complete_all(&fd, 0);
	blk_poll(&b);
	for (int k = 0; k < 3; k++) {
		f[k] = mkreq(BLK_OP_FLUSH, 0, 0, &df[k]);
		assert_int_equal(submit(&f[k]), 0);
		assert_int_equal(nflush(), 1);
	}
	/* A write submitted (not completed) meanwhile changes nothing. */
	w = mkreq(BLK_OP_WRITE, 8, 512, &dw);
	assert_int_equal(submit(&w), 0);
	blk_poll(&b);
	for (int k = 0; k < 3; k++)
		assert_int_equal(df[k].calls, 0);
	fake_blkdev_complete_req(&fd, dev_flush(), flush_status);
	blk_poll(&b);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(df[k].calls, 1);
		assert_int_equal(df[k].status, flush_status);
	}
	assert_int_equal(nflush(), 1);
	assert_int_equal(b.stats.flushes_sent, 1);
	fake_blkdev_complete_all(&fd, 0);
	blk_poll(&b);
}

static void test_flush_merge_joined(void **state)
{
	(void)state;
	merge_joined(0);
	assert_int_equal(b.stats.flushes_merged, 2);
}

static void test_flush_merge_joined_failure(void **state)
{
	(void)state;
	merge_joined(-EIO);
}

/*
 * A flush asked for after a write completed while a FLUSH was at the
 * device is not covered by it: exactly one more FLUSH, sent when the first
 * completes (never two at once), shared by all such flushes - even when
 * the first FLUSH fails.
 */
static void merge_next(int first_status)
{
	struct done_rec dw1, dw2, df[4];
	struct blk_req w1, w2, f[4];
	int w2c, f2s;

	setup_kind(DEV_VOLATILE, false, FAKE_POLL_NONE);
	w1 = mkreq(BLK_OP_WRITE, 0, 512, &dw1);
	assert_int_equal(submit(&w1), 0);
	fake_blkdev_complete_all(&fd, 0);
	f[0] = mkreq(BLK_OP_FLUSH, 0, 0, &df[0]);
	assert_int_equal(submit(&f[0]), 0);
	assert_int_equal(nflush(), 1);

	w2 = mkreq(BLK_OP_WRITE, 8, 512, &dw2);
	assert_int_equal(submit(&w2), 0);
	fake_blkdev_complete_req(&fd, &w2, 0);
	assert_int_equal(dw2.calls, 1);
	f[1] = mkreq(BLK_OP_FLUSH, 0, 0, &df[1]);
	f[2] = mkreq(BLK_OP_FLUSH, 0, 0, &df[2]);
	assert_int_equal(submit(&f[1]), 0);
	assert_int_equal(submit(&f[2]), 0);
	blk_poll(&b);
	assert_int_equal(nflush(), 1); /* one FLUSH at a time */
	assert_int_equal(df[1].calls, 0);

	fake_blkdev_complete_req(&fd, dev_flush(), first_status);
	blk_poll(&b);
	assert_int_equal(df[0].calls, 1);
	assert_int_equal(df[0].status, first_status);
	assert_int_equal(df[1].calls, 0);
	assert_int_equal(df[2].calls, 0);
	assert_int_equal(nflush(), 2);
	/* The second FLUSH went out after w2 completed: it covers w2. */
	w2c = log_complete_of(&w2, 0);
	f2s = fake_blkdev_find(&fd, FAKE_EV_SUBMIT, BLK_OP_FLUSH, 1);
	assert_true(w2c >= 0 && f2s > w2c);

	fake_blkdev_complete_req(&fd, dev_flush(), 0);
	blk_poll(&b);
	for (int k = 1; k <= 2; k++) {
		assert_int_equal(df[k].calls, 1);
		assert_int_equal(df[k].status, 0);
	}
	/* Everything is covered now. */
	f[3] = mkreq(BLK_OP_FLUSH, 0, 0, &df[3]);
	assert_int_equal(submit(&f[3]), 0);
	blk_poll(&b);
	assert_int_equal(df[3].calls, 1);
	assert_int_equal(df[3].status, 0);
	assert_int_equal(nflush(), 2);
	assert_int_equal(fd.q.len, 0);
}

static void test_flush_merge_next(void **state)
{
	(void)state;
	merge_next(0);
}

/* Flushes waiting for the next FLUSH fail with the first one's error. */
static void test_flush_merge_next_first_fails(void **state)
{
	struct done_rec dw1, dw2, df[3];
	struct blk_req w1, w2, f[3];

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_NONE);
	w1 = mkreq(BLK_OP_WRITE, 0, 512, &dw1);
	assert_int_equal(submit(&w1), 0);
	fake_blkdev_complete_all(&fd, 0);
	f[0] = mkreq(BLK_OP_FLUSH, 0, 0, &df[0]);
	assert_int_equal(submit(&f[0]), 0);
	w2 = mkreq(BLK_OP_WRITE, 8, 512, &dw2);
	assert_int_equal(submit(&w2), 0);
	fake_blkdev_complete_req(&fd, &w2, 0);
	f[1] = mkreq(BLK_OP_FLUSH, 0, 0, &df[1]);
	f[2] = mkreq(BLK_OP_FLUSH, 0, 0, &df[2]);
	assert_int_equal(submit(&f[1]), 0);
	assert_int_equal(submit(&f[2]), 0);
	fake_blkdev_complete_req(&fd, dev_flush(), -EIO);
	blk_poll(&b);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(df[k].calls, 1);
		assert_int_equal(df[k].status, -EIO);
	}
	assert_int_equal(nflush(), 1); /* no FLUSH on their behalf */
}

/* Without a volatile cache, or in unsafe mode, FLUSH never reaches the device. */
static void test_flush_never_sent_other_modes(void **state)
{
	static const struct {
		enum dev_kind kind;
		bool ignore;
		enum blk_order order;
	} rows[] = {
		{ DEV_WRITETHROUGH, false, BLK_ORDER_DRAIN },
		{ DEV_BARRIER, false, BLK_ORDER_TAG },
		{ DEV_PLAIN, false, BLK_ORDER_DRAIN },
		{ DEV_VOLATILE, true, BLK_ORDER_NONE },
	};

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(rows); r++) {
		struct done_rec d;
		struct blk_req w;

		setup_kind(rows[r].kind, rows[r].ignore, FAKE_POLL_ALL);
		assert_int_equal(b.order, rows[r].order);
		assert_int_equal(blk_write(&b, 0, data, 512), 0);
		assert_int_equal(blk_flush(&b), 0);
		assert_int_equal(blk_barrier(&b), 0);
		w = mkreq(BLK_OP_WRITE, 8, 512, &d);
		assert_int_equal(submit(&w), 0);
		assert_int_equal(blk_barrier(&b), 0);
		assert_int_equal(blk_flush(&b), 0);
		assert_int_equal(blk_drain(&b), 0);
		if (nflush() != 0)
			fail_msg("mode %s sent %u FLUSH", blk_order_name(b.order), nflush());
		assert_int_equal(b.stats.flushes_sent, 0);
		if (rows[r].ignore)
			assert_int_equal(b.stats.flushes_ignored, 2);
	}
}

/* ---- barriers ----------------------------------------------------------- */

/*
 * DRAIN_FLUSH: every earlier write completes before the FLUSH is sent (the
 * FLUSH covers only completed writes), then the FLUSH completes.
 */
static void test_barrier_drain_flush(void **state)
{
	struct done_rec d[3];
	struct blk_req w[3];
	int fs;

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ONE);
	for (int k = 0; k < 3; k++) {
		w[k] = mkreq(BLK_OP_WRITE, 8 * (u64)k, 512, &d[k]);
		assert_int_equal(submit(&w[k]), 0);
	}
	assert_int_equal(fd.q.len, 3);
	assert_int_equal(blk_barrier(&b), 0);
	assert_int_equal(nflush(), 1);
	fs = fake_blkdev_find(&fd, FAKE_EV_SUBMIT, BLK_OP_FLUSH, 0);
	assert_int_equal(fd.log[fs].outstanding_writes, 0);
	assert_int_equal(fd.log[fs].outstanding, 0);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(d[k].calls, 1);
		assert_true(log_complete_of(&w[k], 0) < fs);
	}
	/* The barrier returned only after the FLUSH completed. */
	assert_true(fake_blkdev_find(&fd, FAKE_EV_COMPLETE, BLK_OP_FLUSH, 0) > fs);
	assert_int_equal(fd.q.len, 0);
	assert_int_equal(b.inflight, 0);
}

/* A barrier whose FLUSH fails reports it. */
static void test_barrier_flush_fails(void **state)
{
	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	fd.status[BLK_OP_FLUSH] = -EIO;
	assert_int_equal(blk_barrier(&b), -EIO);
}

/* DRAIN: the barrier waits for everything, sends nothing. */
static void test_barrier_drain(void **state)
{
	static const enum dev_kind kinds[] = { DEV_WRITETHROUGH, DEV_PLAIN };

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(kinds); r++) {
		struct done_rec d[3];
		struct blk_req w[3];

		setup_kind(kinds[r], false, FAKE_POLL_ONE);
		for (int k = 0; k < 3; k++) {
			w[k] = mkreq(BLK_OP_WRITE, 8 * (u64)k, 512, &d[k]);
			assert_int_equal(submit(&w[k]), 0);
		}
		assert_int_equal(blk_barrier(&b), 0);
		for (int k = 0; k < 3; k++)
			assert_int_equal(d[k].calls, 1);
		assert_int_equal(fd.q.len, 0);
		assert_int_equal(nflush(), 0);
		for (unsigned i = 0; i < fd.nlog; i++)
			assert_int_equal(fd.log[i].flags, 0);
	}
}

/*
 * TAG: the barrier does not wait; it tags the next request sent to the
 * device, and only that one.  An elided FLUSH in between is not "the next
 * request" - it never reaches the device.
 */
static void test_barrier_tag(void **state)
{
	struct done_rec d[5], dfl;
	struct blk_req w[5], fl;

	(void)state;
	setup_kind(DEV_BARRIER, false, FAKE_POLL_NONE);
	assert_int_equal(b.order, BLK_ORDER_TAG);
	w[0] = mkreq(BLK_OP_WRITE, 0, 512, &d[0]);
	assert_int_equal(submit(&w[0]), 0);
	assert_int_equal(blk_barrier(&b), 0);
	assert_int_equal(fd.q.len, 1); /* no drain */
	w[1] = mkreq(BLK_OP_WRITE, 8, 512, &d[1]);
	w[2] = mkreq(BLK_OP_WRITE, 16, 512, &d[2]);
	assert_int_equal(submit(&w[1]), 0);
	assert_int_equal(submit(&w[2]), 0);

	assert_int_equal(blk_barrier(&b), 0);
	fl = mkreq(BLK_OP_FLUSH, 0, 0, &dfl);
	assert_int_equal(submit(&fl), 0);
	w[3] = mkreq(BLK_OP_READ, 24, 512, &d[3]);
	w[4] = mkreq(BLK_OP_WRITE, 32, 512, &d[4]);
	assert_int_equal(submit(&w[3]), 0);
	assert_int_equal(submit(&w[4]), 0);

	assert_int_equal(nflush(), 0);
	assert_int_equal(fd.log[log_submit_of(&w[0], 0)].flags, 0);
	assert_int_equal(fd.log[log_submit_of(&w[1], 0)].flags, BLK_REQ_BARRIER);
	assert_int_equal(fd.log[log_submit_of(&w[2], 0)].flags, 0);
	assert_int_equal(fd.log[log_submit_of(&w[3], 0)].flags, BLK_REQ_BARRIER);
	assert_int_equal(fd.log[log_submit_of(&w[4], 0)].flags, 0);
	fake_blkdev_complete_all(&fd, 0);
	blk_poll(&b);
	assert_int_equal(dfl.calls, 1);
	assert_int_equal(dfl.status, 0);
}

/* NONE: the user asked for no ordering: the barrier does nothing. */
static void test_barrier_none(void **state)
{
	struct done_rec d[2];
	struct blk_req w[2];

	(void)state;
	/* ignore_flush drops flushes, not ordering: the barrier drains. */
	setup_kind(DEV_VOLATILE, true, FAKE_POLL_ALL);
	w[0] = mkreq(BLK_OP_WRITE, 0, 512, &d[0]);
	assert_int_equal(submit(&w[0]), 0);
	assert_int_equal(blk_barrier(&b), 0);
	assert_int_equal(fd.q.len, 0);
	assert_int_equal(d[0].calls, 1);
	w[1] = mkreq(BLK_OP_WRITE, 8, 512, &d[1]);
	assert_int_equal(submit(&w[1]), 0);
	assert_int_equal(fd.log[log_submit_of(&w[1], 0)].flags, 0);
	assert_int_equal(nflush(), 0);
}

/* ---- write cache switch ------------------------------------------------- */

static void test_wce_not_switchable(void **state)
{
	struct blk_dev_info i = dev_info(DEV_VOLATILE);

	(void)state;
	i.wce_switchable = false;
	setup_info(&i, false);
	fd.poll_mode = FAKE_POLL_ALL;
	assert_int_equal(blk_set_write_cache(&b, false), -EOPNOTSUPP);
	assert_int_equal(blk_set_write_cache(&b, true), -EOPNOTSUPP);
	assert_int_equal(fd.set_wce_calls, 0);
	assert_true(fd.dev.info.volatile_cache);
	assert_int_equal(b.order, BLK_ORDER_DRAIN_FLUSH);
}

/*
 * Turning a volatile cache off: drain, FLUSH what completed, only then
 * switch; afterwards the mode is DRAIN and flushes send nothing.
 */
static void test_wce_off_drains_and_flushes(void **state)
{
	struct done_rec d;
	struct blk_req w;
	int wc, fs, fc, sw;

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	w = mkreq(BLK_OP_WRITE, 8, 512, &d);
	assert_int_equal(submit(&w), 0);
	assert_int_equal(blk_set_write_cache(&b, false), 0);
	assert_int_equal(nflush(), 1);
	wc = log_complete_of(&w, 0);
	fs = fake_blkdev_find(&fd, FAKE_EV_SUBMIT, BLK_OP_FLUSH, 0);
	fc = fake_blkdev_find(&fd, FAKE_EV_COMPLETE, BLK_OP_FLUSH, 0);
	sw = fake_blkdev_find(&fd, FAKE_EV_SET_WCE, -1, 0);
	assert_true(wc >= 0 && wc < fs && fs < fc && fc < sw);
	assert_int_equal(fd.log[fs].outstanding, 0);
	assert_false(fd.log[sw].writeback);
	assert_false(fd.dev.info.volatile_cache);
	assert_int_equal(b.order, BLK_ORDER_DRAIN);

	assert_int_equal(blk_write(&b, 16, data, 512), 0);
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(blk_barrier(&b), 0);
	assert_int_equal(nflush(), 1);
}

/* If the FLUSH before switching off fails, the cache stays on. */
static void test_wce_off_flush_fails(void **state)
{
	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	fd.status[BLK_OP_FLUSH] = -EIO;
	assert_int_equal(blk_set_write_cache(&b, false), -EIO);
	assert_int_equal(fd.set_wce_calls, 0);
	assert_true(fd.dev.info.volatile_cache);
	assert_int_equal(b.order, BLK_ORDER_DRAIN_FLUSH);
}

/*
 * Turning the cache on: mode DRAIN_FLUSH, and writes that completed while
 * the cache was write-through are durable already - no FLUSH for them.
 * Writes after the switch do need one.
 */
static void test_wce_on_no_redundant_flush(void **state)
{
	(void)state;
	setup_kind(DEV_WRITETHROUGH, false, FAKE_POLL_ALL);
	assert_int_equal(b.order, BLK_ORDER_DRAIN);
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	assert_int_equal(blk_write(&b, 8, data, 512), 0);
	assert_int_equal(blk_set_write_cache(&b, true), 0);
	assert_true(fd.dev.info.volatile_cache);
	assert_int_equal(b.order, BLK_ORDER_DRAIN_FLUSH);
	assert_int_equal(blk_flush(&b), 0);
	if (nflush() != 0)
		fail_msg("FLUSH sent for writes that completed while the cache was write-through");
	assert_int_equal(blk_write(&b, 16, data, 512), 0);
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 1);
}

/* The same after a round trip volatile -> write-through -> volatile. */
static void test_wce_off_on_no_redundant_flush(void **state)
{
	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	assert_int_equal(blk_set_write_cache(&b, false), 0);
	assert_int_equal(nflush(), 1);
	assert_int_equal(blk_write(&b, 8, data, 512), 0);
	assert_int_equal(blk_set_write_cache(&b, true), 0);
	assert_int_equal(b.order, BLK_ORDER_DRAIN_FLUSH);
	assert_int_equal(blk_flush(&b), 0);
	if (nflush() != 1)
		fail_msg("FLUSH sent for a write that completed while the cache was write-through");
}

/* ---- bounded waits ------------------------------------------------------ */

/*
 * A device that stops answering: blk_wait() gives up after the timeout,
 * resets the device once, and everything outstanding fails -ETIMEDOUT.
 * After the reset the device works again.
 */
static void test_timeout_wait(void **state)
{
	struct done_rec d[3];
	struct blk_req r[3];
	u64 t0;

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	fd.hang = true;
	r[0] = mkreq(BLK_OP_WRITE, 0, 512, &d[0]);
	r[1] = mkreq(BLK_OP_WRITE, 8, 512, &d[1]);
	r[2] = mkreq(BLK_OP_READ, 16, 512, &d[2]);
	for (int k = 0; k < 3; k++)
		assert_int_equal(submit(&r[k]), 0);
	t0 = host_time_ns;
	assert_int_equal(blk_wait(&b, &r[1]), -ETIMEDOUT);
	/* It did wait the timeout (fake clock), and at most 10% more. */
	assert_true(host_time_ns - t0 >= 5000000ull);
	assert_true(host_time_ns - t0 <= 5500000ull);
	assert_int_equal(fd.resets, 1);
	assert_int_equal(fd.log[fake_blkdev_find(&fd, FAKE_EV_RESET, -1, 0)].status, -ETIMEDOUT);
	for (int k = 0; k < 3; k++) {
		assert_true(r[k].completed);
		assert_int_equal(d[k].calls, 1);
		assert_int_equal(d[k].status, -ETIMEDOUT);
	}
	assert_int_equal(b.stats.timeouts, 1);
	assert_int_equal(b.stats.errors, 3);
	assert_int_equal(b.inflight, 0);
	assert_int_equal(fd.q.len, 0);

	fd.hang = false;
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	assert_int_equal(b.stats.timeouts, 1);
}

/*
 * A request the device never completes and whose interrupt never comes:
 * every sleep is bounded by what is left of the timeout, so the wait ends
 * in -ETIMEDOUT within timeout + 10% (fake clock), whatever the device.
 */
static void test_timeout_bound_sleeping(void **state)
{
	struct done_rec d;
	struct blk_req r;
	u64 t0;

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	b.timeout_ms = 1000;
	fd.hang = true;
	fd.idle_sleeps = true;
	r = mkreq(BLK_OP_READ, 0, 512, &d);
	assert_int_equal(submit(&r), 0);
	t0 = host_time_ns;
	assert_int_equal(blk_wait(&b, &r), -ETIMEDOUT);
	assert_true(host_time_ns - t0 >= 1000ull * 1000000);
	assert_true(host_time_ns - t0 <= 1100ull * 1000000);
	assert_true(fd.idle_max_ns <= 1000ull * 1000000);
	assert_int_equal(d.status, -ETIMEDOUT);
	/* The same for a drain. */
	r = mkreq(BLK_OP_WRITE, 0, 512, &d);
	assert_int_equal(submit(&r), 0);
	t0 = host_time_ns;
	assert_int_equal(blk_drain(&b), -ETIMEDOUT);
	assert_true(host_time_ns - t0 <= 1100ull * 1000000);
	assert_int_equal(fd.resets, 2);
}

/* A slow device that answers within the timeout is left alone. */
static void test_slow_device_no_timeout(void **state)
{
	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	/* 5 ms at 1 us per idle poll: 2000 idle polls are well inside. */
	fd.poll_delay = 2000;
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(fd.resets, 0);
	assert_int_equal(b.stats.timeouts, 0);
	assert_true(fd.polls > 4000);
}

static void test_timeout_drain(void **state)
{
	struct done_rec d[2];
	struct blk_req r[2];

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	fd.hang = true;
	for (int k = 0; k < 2; k++) {
		r[k] = mkreq(BLK_OP_WRITE, 8 * (u64)k, 512, &d[k]);
		assert_int_equal(submit(&r[k]), 0);
	}
	assert_int_equal(blk_drain(&b), -ETIMEDOUT);
	assert_int_equal(fd.resets, 1);
	assert_int_equal(b.stats.timeouts, 1);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(d[k].calls, 1);
		assert_int_equal(d[k].status, -ETIMEDOUT);
	}
	assert_int_equal(b.inflight, 0);
	assert_int_equal(fd.q.len, 0);
}

/* A FLUSH that timed out made nothing durable: the next flush re-sends. */
static void test_timeout_flush(void **state)
{
	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	fd.hang = true;
	assert_int_equal(blk_flush(&b), -ETIMEDOUT);
	assert_int_equal(fd.resets, 1);
	assert_int_equal(b.stats.timeouts, 1);
	assert_int_equal(nflush(), 1);
	fd.hang = false;
	/* A FLUSH that timed out failed: sticky like any other failure. */
	assert_int_equal(blk_flush(&b), -EIO);
	assert_int_equal(nflush(), 1);
	blk_clear_flush_error(&b);
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 2);
}

/*
 * Flushes queued behind a FLUSH that is at the device when it stops
 * answering are outstanding requests too: one timeout and one reset fail
 * all of them with -ETIMEDOUT, and nothing is left at the device.
 */
static void queued_flush_setup(struct blk_req *w, struct done_rec *dw, struct blk_req *f,
			       struct done_rec *df)
{
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	fd.poll_mode = FAKE_POLL_NONE;
	f[0] = mkreq(BLK_OP_FLUSH, 0, 0, &df[0]);
	assert_int_equal(submit(&f[0]), 0);
	*w = mkreq(BLK_OP_WRITE, 8, 512, dw);
	assert_int_equal(submit(w), 0);
	fake_blkdev_complete_req(&fd, w, 0);
	f[1] = mkreq(BLK_OP_FLUSH, 0, 0, &df[1]);
	assert_int_equal(submit(&f[1]), 0);
	assert_int_equal(nflush(), 1);
	fd.hang = true;
}

static void test_timeout_wait_queued_flush(void **state)
{
	struct done_rec dw, df[2];
	struct blk_req w, f[2];

	(void)state;
	queued_flush_setup(&w, &dw, f, df);
	assert_int_equal(blk_wait(&b, &f[1]), -ETIMEDOUT);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(df[k].calls, 1);
		assert_int_equal(df[k].status, -ETIMEDOUT);
	}
	if (b.stats.timeouts != 1 || fd.resets != 1)
		fail_msg("one wait cost %llu timeouts and %u resets: the queued flush was re-sent "
			 "to the device that had just timed out",
			 (unsigned long long)b.stats.timeouts, fd.resets);
	assert_int_equal(fd.resets, 1);
	assert_int_equal(fd.q.len, 0);
	assert_int_equal(b.inflight, 0);
}

static void test_timeout_drain_queued_flush(void **state)
{
	struct done_rec dw, df[2];
	struct blk_req w, f[2];

	(void)state;
	queued_flush_setup(&w, &dw, f, df);
	assert_int_equal(blk_drain(&b), -ETIMEDOUT);
	assert_int_equal(b.stats.timeouts, 1);
	/* Nothing may stay at the device, nor wait on it. */
	if (fd.q.len != 0)
		fail_msg("blk_drain() returned -ETIMEDOUT with %u request(s) at the device (a "
			 "FLUSH re-sent after the reset); the queued flush has %u completion(s)",
			 fd.q.len, df[1].calls);
	assert_int_equal(b.inflight, 0);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(df[k].calls, 1);
		assert_int_equal(df[k].status, -ETIMEDOUT);
	}
}

/* ---- one-way seams: completion, doorbells, device changes, sync -------- */

/*
 * Submissions are batched: nothing rings the doorbell in blk_submit(); the
 * first poll rings once for the whole batch, and a poll with nothing new
 * submitted rings nothing (the device's kick() decides; here it counts).
 */
static void test_doorbell_once_per_batch(void **state)
{
	struct done_rec d[32];
	struct blk_req w[32];

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_NONE);
	for (unsigned k = 0; k < 32; k++) {
		w[k] = mkreq(BLK_OP_WRITE, 8 * (u64)k, 512, &d[k]);
		assert_int_equal(submit(&w[k]), 0);
	}
	assert_int_equal(fd.kicks, 0);
	blk_poll(&b);
	assert_int_equal(fd.kicks, 1);
	assert_int_equal(fd.kicked, 32);
	blk_unplug(&b);
	assert_int_equal(fd.kicked, 32);
	fd.poll_mode = FAKE_POLL_ALL;
	assert_int_equal(blk_drain(&b), 0);
	for (unsigned k = 0; k < 32; k++)
		assert_int_equal(d[k].calls, 1);
	/* A flush is its own batch: it went out with the wait for it. */
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(fd.kicked, 33);
}

/* Completion has one owner: the device ends, the block layer finishes. */
static void test_device_ends_block_layer_finishes(void **state)
{
	struct done_rec d;
	struct blk_req r;

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_NONE);
	r = mkreq(BLK_OP_WRITE, 16, 1024, &d);
	r.completed = true; /* stale, from an earlier use */
	r.status = -EIO;
	assert_int_equal(submit(&r), 0);
	assert_false(r.completed);
	assert_int_equal(r.status, 0);
	fake_blkdev_complete_next(&fd, 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.status, 0);
	assert_int_equal(b.stats.writes, 1);
	assert_int_equal(b.stats.bytes_written, 1024);
	assert_int_equal(b.inflight, 0);
	assert_ptr_equal(r.done, rec_done); /* never swapped */
}

/*
 * A device that changes its properties on its own (a reset it started, a
 * cache switched by someone else) bumps info_gen; the block layer and
 * every view of the device notice at their next call.
 */
static void test_device_change_reselects_order(void **state)
{
	struct blk view;

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(blk_init_view(&view, &b, 1024, 512, "fake0p1"), 0);
	assert_int_equal(b.order, BLK_ORDER_DRAIN_FLUSH);
	assert_true(blk_info(&view)->volatile_cache);
	fd.dev.info.volatile_cache = false;
	fd.dev.info_gen++;
	blk_poll(&b);
	assert_int_equal(b.order, BLK_ORDER_DRAIN);
	assert_int_equal(blk_write(&view, 0, data, 512), 0);
	assert_int_equal(view.order, BLK_ORDER_DRAIN);
	assert_false(blk_info(&view)->volatile_cache);
	assert_int_equal(blk_info(&view)->capacity, 512);
	assert_int_equal(blk_sync(&view), 0);
	assert_int_equal(nflush(), 0); /* the cache is off now: nothing to flush */
}

/*
 * The disk and its views share the device's flush bookkeeping: a FLUSH sent
 * for one covers writes completed through another (no second FLUSH), and a
 * failed FLUSH fails every later flush through any of them.
 */
static void test_views_share_flush_state(void **state)
{
	struct blk p1, p2;

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(blk_init_view(&p1, &b, 0, 1024, "fake0p1"), 0);
	assert_int_equal(blk_init_view(&p2, &b, 1024, 1024, "fake0p2"), 0);
	assert_int_equal(blk_write(&p1, 0, data, 512), 0);
	assert_int_equal(blk_write(&p2, 0, data, 512), 0);
	assert_int_equal(blk_sync(&p1), 0);
	assert_int_equal(nflush(), 1);
	assert_int_equal(blk_sync(&p2), 0); /* covered by p1's FLUSH */
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 1);
	assert_int_equal(p2.stats.flushes_elided, 1);
	assert_int_equal(blk_unflushed_writes(&p2), 0);

	/* A FLUSH that fails through p2 taints the disk and p1 too. */
	assert_int_equal(blk_write(&p2, 8, data, 512), 0);
	fd.status[BLK_OP_FLUSH] = -EIO;
	assert_int_equal(blk_flush(&p2), -EIO);
	fd.status[BLK_OP_FLUSH] = 0;
	assert_int_equal(blk_write(&p1, 8, data, 512), 0);
	assert_int_equal(blk_flush(&p1), -EIO);
	assert_int_equal(blk_flush(&b), -EIO);
	assert_int_equal(nflush(), 2);
	blk_clear_flush_error(&b);
	assert_int_equal(blk_flush(&p1), 0);
	assert_int_equal(nflush(), 3);
}

/*
 * blk_sync_many(): drains every device, then flushes only those with a
 * volatile cache and a write completed since their last FLUSH.
 */
static void test_sync_many_flushes_only_what_needs_it(void **state)
{
	struct fake_blkdev fd2, fd3;
	struct blk b2, b3;
	struct blk_dev_info wt = dev_info(DEV_WRITETHROUGH), vol = dev_info(DEV_VOLATILE);
	struct blk *all[] = { &b, &b2, &b3 };
	struct done_rec d;
	struct blk_req w;

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	fake_blkdev_init(&fd2, &vol);
	fake_blkdev_init(&fd3, &wt);
	fd2.poll_mode = fd3.poll_mode = FAKE_POLL_ALL;
	blk_init(&b2, &fd2.dev, false);
	blk_init(&b3, &fd3.dev, false);

	/* Writes in flight on b and b3, none ever on b2. */
	w = mkreq(BLK_OP_WRITE, 0, 512, &d);
	assert_int_equal(submit(&w), 0);
	assert_int_equal(blk_write(&b3, 0, data, 512), 0);
	assert_int_equal(blk_sync_many(all, 3), 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(nflush(), 1);
	assert_int_equal(fake_blkdev_count_submits(&fd2, BLK_OP_FLUSH), 0);
	assert_int_equal(fake_blkdev_count_submits(&fd3, BLK_OP_FLUSH), 0);
	/* The FLUSH went out after the write completed (drain first). */
	assert_true(log_complete_of(&w, 0) <
		    fake_blkdev_find(&fd, FAKE_EV_SUBMIT, BLK_OP_FLUSH, 0));

	/* Nothing new anywhere: no FLUSH at all. */
	assert_int_equal(blk_sync_many(all, 3), 0);
	assert_int_equal(nflush(), 1);

	/* Both volatile devices wrote: both flushed; a failure is reported. */
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	assert_int_equal(blk_write(&b2, 0, data, 512), 0);
	fd2.status[BLK_OP_FLUSH] = -EIO;
	assert_int_equal(blk_sync_many(all, 3), -EIO);
	assert_int_equal(nflush(), 2);
	assert_int_equal(fake_blkdev_count_submits(&fd2, BLK_OP_FLUSH), 1);
	assert_int_equal(blk_unflushed_writes(&b), 0);
}

/* ---- completion context ------------------------------------------------- */

/*
 * Requests finished without the device (elided or ignored flushes) complete
 * from the next blk_poll(), never inside blk_submit() (rec_done() fails the
 * test if called there).
 */
static void test_no_completion_inside_submit(void **state)
{
	static const struct {
		enum dev_kind kind;
		bool ignore;
	} rows[] = {
		{ DEV_VOLATILE, false },     /* nothing written: elided */
		{ DEV_WRITETHROUGH, false }, /* no volatile cache */
		{ DEV_PLAIN, false },
		{ DEV_VOLATILE, true }, /* ignored */
	};

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(rows); r++) {
		struct done_rec d;
		struct blk_req f;

		setup_kind(rows[r].kind, rows[r].ignore, FAKE_POLL_NONE);
		f = mkreq(BLK_OP_FLUSH, 0, 0, &d);
		assert_int_equal(submit(&f), 0);
		assert_false(f.completed);
		assert_int_equal(d.calls, 0);
		blk_poll(&b);
		assert_true(f.completed);
		assert_int_equal(d.calls, 1);
		assert_int_equal(d.status, 0);
		blk_poll(&b);
		assert_int_equal(d.calls, 1);
	}
}

/* A FLUSH the device refuses at submit fails its waiter from the next poll. */
static void test_refused_flush_completes_from_poll(void **state)
{
	struct done_rec d;
	struct blk_req f;

	(void)state;
	setup_kind(DEV_VOLATILE, false, FAKE_POLL_ALL);
	assert_int_equal(blk_write(&b, 0, data, 512), 0);
	fd.submit_err = -EIO;
	f = mkreq(BLK_OP_FLUSH, 0, 0, &d);
	assert_int_equal(submit(&f), 0);
	assert_int_equal(d.calls, 0);
	blk_poll(&b);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.status, -EIO);
}

/* ---- DISCARD and WRITE_ZEROES ------------------------------------------ */

/* A device with both ops, `max` sectors per request. */
static struct blk_dev_info dwz_info(enum dev_kind k, u32 max)
{
	struct blk_dev_info i = dev_info(k);

	i.discard_max_sectors = i.wz_max_sectors = max;
	i.discard_align = 1;
	i.wz_may_unmap = true;
	return i;
}

static struct blk_req mkdwz(enum blk_op op, u64 sector, u32 len, u32 flags, struct done_rec *d)
{
	struct blk_req r = mkreq(op, sector, len, d);

	r.buf = NULL;
	r.flags = flags;
	return r;
}

static void test_dwz_request_checks(void **state)
{
	static const struct {
		const char *what;
		u32 bs;
		bool ro, supported;
		enum blk_op op;
		u64 sector;
		u32 len, flags;
		int want;
	} rows[] = {
		{ "discard", 512, 0, 1, BLK_OP_DISCARD, 8, 1024, 0, 0 },
		{ "write zeroes", 512, 0, 1, BLK_OP_WRITE_ZEROES, 8, 1024, 0, 0 },
		{ "write zeroes unmap", 512, 0, 1, BLK_OP_WRITE_ZEROES, 8, 1024, BLK_REQ_UNMAP, 0 },
		{ "discard unmap", 512, 0, 1, BLK_OP_DISCARD, 8, 1024, BLK_REQ_UNMAP, -EINVAL },
		{ "discard unsupported", 512, 0, 0, BLK_OP_DISCARD, 8, 1024, 0, -EOPNOTSUPP },
		{ "write zeroes unsupported", 512, 0, 0, BLK_OP_WRITE_ZEROES, 8, 1024, 0,
		  -EOPNOTSUPP },
		{ "unsupported beats range", 512, 0, 0, BLK_OP_DISCARD, 4096, 512, 0, -EOPNOTSUPP },
		{ "discard len 0", 512, 0, 1, BLK_OP_DISCARD, 0, 0, 0, -EINVAL },
		{ "discard len 100", 512, 0, 1, BLK_OP_DISCARD, 0, 100, 0, -EINVAL },
		{ "discard sector 1 on 4K", 4096, 0, 1, BLK_OP_DISCARD, 1, 4096, 0, -EINVAL },
		{ "write zeroes 512 on 4K", 4096, 0, 1, BLK_OP_WRITE_ZEROES, 8, 512, 0, -EINVAL },
		{ "discard at capacity", 512, 0, 1, BLK_OP_DISCARD, 2048, 512, 0, -ERANGE },
		{ "discard crossing the end", 512, 0, 1, BLK_OP_DISCARD, 2047, 1024, 0, -ERANGE },
		{ "discard last sector", 512, 0, 1, BLK_OP_DISCARD, 2047, 512, 0, 0 },
		{ "write zeroes wrapping", 512, 0, 1, BLK_OP_WRITE_ZEROES, UINT64_MAX, 1024, 0,
		  -ERANGE },
		{ "discard on read-only", 512, 1, 1, BLK_OP_DISCARD, 0, 512, 0, -EROFS },
		{ "write zeroes on read-only", 512, 1, 1, BLK_OP_WRITE_ZEROES, 0, 512, 0, -EROFS },
		{ "read-only, out of range", 512, 1, 1, BLK_OP_DISCARD, 2048, 512, 0, -ERANGE },
	};

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(rows); r++) {
		struct blk_dev_info i = dwz_info(DEV_VOLATILE, rows[r].supported ? 2048 : 0);
		struct done_rec d;
		struct blk_req req;
		int got;

		i.block_size = rows[r].bs;
		i.read_only = rows[r].ro;
		setup_info(&i, false);
		req = mkdwz(rows[r].op, rows[r].sector, rows[r].len, rows[r].flags, &d);
		got = submit(&req);
		if (got != rows[r].want)
			fail_msg("%s: got %d, want %d", rows[r].what, got, rows[r].want);
		assert_int_equal(fake_blkdev_count_submits(&fd, -1), got ? 0 : 1);
		fake_blkdev_complete_all(&fd, 0);
		blk_poll(&b);
		assert_int_equal(d.calls, got ? 0 : 1);
	}
}

/*
 * A DISCARD or WRITE_ZEROES that completed needs a FLUSH like a write: the
 * next blk_flush() sends one, after it completed; a failed one dirties
 * nothing.
 */
static void test_dwz_needs_flush(void **state)
{
	static const enum blk_op ops[] = { BLK_OP_DISCARD, BLK_OP_WRITE_ZEROES };

	(void)state;
	for (unsigned o = 0; o < ARRAY_SIZE(ops); o++) {
		struct blk_dev_info i = dwz_info(DEV_VOLATILE, 2048);
		struct done_rec d;
		struct blk_req r;
		int rc, fs;

		setup_info(&i, false);
		fd.poll_mode = FAKE_POLL_ALL;
		assert_int_equal(blk_flush(&b), 0);
		assert_int_equal(nflush(), 0);
		r = mkdwz(ops[o], 16, 4096, 0, &d);
		assert_int_equal(submit(&r), 0);
		assert_int_equal(blk_wait(&b, &r), 0);
		assert_int_equal(blk_unflushed_writes(&b), 1);
		assert_int_equal(blk_flush(&b), 0);
		assert_int_equal(nflush(), 1);
		rc = log_complete_of(&r, 0);
		fs = fake_blkdev_find(&fd, FAKE_EV_SUBMIT, BLK_OP_FLUSH, 0);
		assert_true(rc >= 0 && fs > rc);
		assert_int_equal(blk_unflushed_writes(&b), 0);
		/* Covered: nothing more to send. */
		assert_int_equal(blk_flush(&b), 0);
		assert_int_equal(nflush(), 1);
		/* One the device failed changed nothing that needs a FLUSH. */
		fd.status[ops[o]] = -EIO;
		assert_int_equal(ops[o] == BLK_OP_DISCARD ? blk_discard(&b, 0, 8)
							  : blk_write_zeroes(&b, 0, 8, false),
				 -EIO);
		assert_int_equal(blk_flush(&b), 0);
		assert_int_equal(nflush(), 1);
		assert_int_equal(b.stats.errors, 1);
	}
}

/*
 * The durability primitive drains DISCARD and WRITE_ZEROES with the writes
 * before its FLUSH (virtio FLUSH covers only completed commands).
 */
static void test_dwz_sync_drains_first(void **state)
{
	struct blk_dev_info i = dwz_info(DEV_VOLATILE, 2048);
	struct done_rec d[3];
	struct blk_req r[3];
	int fs;

	(void)state;
	setup_info(&i, false);
	fd.poll_mode = FAKE_POLL_ONE;
	r[0] = mkdwz(BLK_OP_DISCARD, 0, 1024, 0, &d[0]);
	r[1] = mkdwz(BLK_OP_WRITE_ZEROES, 64, 1024, BLK_REQ_UNMAP, &d[1]);
	r[2] = mkreq(BLK_OP_WRITE, 128, 512, &d[2]);
	for (int k = 0; k < 3; k++)
		assert_int_equal(submit(&r[k]), 0);
	assert_int_equal(
		fd.log[fake_blkdev_find(&fd, FAKE_EV_SUBMIT, BLK_OP_WRITE, 0)].outstanding_writes,
		2);
	assert_int_equal(blk_sync(&b), 0);
	assert_int_equal(nflush(), 1);
	fs = fake_blkdev_find(&fd, FAKE_EV_SUBMIT, BLK_OP_FLUSH, 0);
	assert_int_equal(fd.log[fs].outstanding_writes, 0);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(d[k].calls, 1);
		assert_true(log_complete_of(&r[k], 0) < fs);
	}
	assert_int_equal(blk_unflushed_writes(&b), 0);
	/* The flag went down as given. */
	assert_int_equal(fd.log[log_submit_of(&r[1], 0)].flags, BLK_REQ_UNMAP);
}

/* A view shifts them and bounds them by its own size, as other requests. */
static void test_dwz_view(void **state)
{
	struct blk_dev_info i = dwz_info(DEV_VOLATILE, 2048);
	struct done_rec d;
	struct blk_req r;
	struct blk v;

	(void)state;
	setup_info(&i, false);
	fd.poll_mode = FAKE_POLL_ALL;
	assert_int_equal(blk_init_view(&v, &b, 1024, 512, "fake0p2"), 0);
	assert_int_equal(blk_info(&v)->discard_max_sectors, 2048);
	assert_int_equal(blk_info(&v)->wz_max_sectors, 2048);
	r = mkdwz(BLK_OP_DISCARD, 8, 1024, 0, &d);
	assert_int_equal(blk_submit(&v, &r), 0);
	assert_int_equal(fd.log[fd.nlog - 1].sector, 1024 + 8);
	assert_int_equal(blk_wait(&v, &r), 0);
	assert_int_equal(r.sector, 8);
	assert_int_equal(blk_write_zeroes(&v, 504, 8, false), 0);
	assert_int_equal(
		fd.log[fake_blkdev_find(&fd, FAKE_EV_SUBMIT, BLK_OP_WRITE_ZEROES, 0)].sector,
		1024 + 504);
	assert_int_equal(blk_discard(&v, 512, 1), -ERANGE);
	assert_int_equal(blk_write_zeroes(&v, 508, 8, true), -ERANGE);
	assert_int_equal(fake_blkdev_count_submits(&fd, -1), 2);
	/* The view's writes need the device's FLUSH. */
	assert_int_equal(blk_flush(&b), 0);
	assert_int_equal(nflush(), 1);
}

/*
 * blk_discard()/blk_write_zeroes() split a long range into requests of at
 * most the device's limit, in order, and count what completed.
 */
static void test_dwz_helpers_split(void **state)
{
	static u8 store[2048 * 512];
	struct blk_dev_info i = dwz_info(DEV_PLAIN, 64);
	static const u32 want[] = { 64, 64, 64, 8 };

	(void)state;
	setup_info(&i, false);
	fd.poll_mode = FAKE_POLL_ALL;
	fd.store = store;
	memset(store, 0xee, sizeof(store));
	assert_int_equal(blk_discard(&b, 100, 200), 0);
	assert_int_equal(fake_blkdev_count_submits(&fd, BLK_OP_DISCARD), 4);
	for (unsigned k = 0, sector = 100; k < 4; k++) {
		int e = fake_blkdev_find(&fd, FAKE_EV_SUBMIT, BLK_OP_DISCARD, k);

		assert_int_equal(fd.log[e].sector, sector);
		assert_int_equal(fd.log[e].len, want[k] * 512);
		sector += want[k];
	}
	assert_int_equal(b.stats.discards, 4);
	assert_int_equal(b.stats.bytes_discarded, 200 * 512);
	assert_int_equal(blk_write_zeroes(&b, 1000, 65, true), 0);
	assert_int_equal(b.stats.write_zeroes, 2);
	assert_int_equal(b.stats.bytes_zeroed, 65 * 512);
	assert_int_equal(store[1000 * 512 - 1], 0xee);
	assert_int_equal(store[1000 * 512], 0);
	assert_int_equal(store[1065 * 512 - 1], 0);
	assert_int_equal(store[1065 * 512], 0xee);
	assert_int_equal(store[100 * 512 - 1], 0xee);
	/* Nothing for an empty range; an error for an unsupported op. */
	assert_int_equal(blk_discard(&b, 0, 0), -EINVAL);
	i.discard_max_sectors = 0;
	setup_info(&i, false);
	assert_int_equal(blk_discard(&b, 0, 8), -EOPNOTSUPP);
	assert_int_equal(blk_discard(&b, 0, 0), -EOPNOTSUPP);
	assert_int_equal(fake_blkdev_count_submits(&fd, -1), 0);
}

#define T(fn) cmocka_unit_test_setup(fn, setup_quiet)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_timeout_bound_sleeping),
		T(test_view_bounds_and_shift),
		T(test_view_refused_submit),
		T(test_view_init_checks),
		T(test_order_select_table),
		T(test_order_names),
		T(test_request_checks),
		T(test_sync_helpers_checked),
		T(test_data_and_stats),
		T(test_flush_nothing_written),
		T(test_flush_after_write),
		T(test_flush_ignores_failed_write),
		T(test_flush_failure_is_sticky),
		T(test_flush_submit_refused),
		T(test_write_submit_refused),
		T(test_flush_merge_joined),
		T(test_flush_merge_joined_failure),
		T(test_flush_merge_next),
		T(test_flush_merge_next_first_fails),
		T(test_flush_never_sent_other_modes),
		T(test_barrier_drain_flush),
		T(test_barrier_flush_fails),
		T(test_barrier_drain),
		T(test_barrier_tag),
		T(test_barrier_none),
		T(test_wce_not_switchable),
		T(test_wce_off_drains_and_flushes),
		T(test_wce_off_flush_fails),
		T(test_wce_on_no_redundant_flush),
		T(test_wce_off_on_no_redundant_flush),
		T(test_timeout_wait),
		T(test_slow_device_no_timeout),
		T(test_timeout_drain),
		T(test_timeout_flush),
		T(test_timeout_wait_queued_flush),
		T(test_timeout_drain_queued_flush),
		T(test_no_completion_inside_submit),
		T(test_refused_flush_completes_from_poll),
		T(test_doorbell_once_per_batch),
		T(test_device_ends_block_layer_finishes),
		T(test_device_change_reselects_order),
		T(test_views_share_flush_state),
		T(test_sync_many_flushes_only_what_needs_it),
		T(test_dwz_request_checks),
		T(test_dwz_needs_flush),
		T(test_dwz_sync_drains_first),
		T(test_dwz_view),
		T(test_dwz_helpers_split),
	};

	return cmocka_run_group_tests_name("blk", tests, NULL, NULL);
}
