/*
 * kernel/ktest/ktest_order.c - KTAP cases for ordering and durability:
 * FLUSH reaches the device exactly when the cache is volatile, redundant
 * flushes are elided and concurrent ones merged, barriers drain, the
 * write-cache switch changes the ordering mode, and several disks work at
 * once.  FLUSH commands are counted in the virtio-blk driver, i.e. what
 * was actually put on the ring.
 */
#include "kernel/ktest/ktest.h"

#include "kernel/cmdline.h"
#include "lib/errno.h"
#include "lib/string.h"

/*
 * "ktest.flush_fails": the host fails every FLUSH (QEMU blkdebug).  The
 * cases then check the error path instead: a failed FLUSH is reported,
 * never counts as done, and is sent again next time.
 */
static bool kt_flush_fails(void)
{
	return cmdline_flag("ktest.flush_fails");
}

static u64 kt_flush_cmds(const struct kdisk *d)
{
	return blk_stats(&d->blk)->flushes_sent;
}

/* The mode the probe table demands for this device's properties. */
static enum blk_order kt_expected_order(const struct kdisk *d)
{
	const struct blk_dev_info *info = blk_info(&d->blk);

	if (d->blk.ignore_flush)
		return BLK_ORDER_NONE;
	if (info->has_flush)
		return info->volatile_cache ? BLK_ORDER_DRAIN_FLUSH : BLK_ORDER_DRAIN;
	return info->has_barrier ? BLK_ORDER_TAG : BLK_ORDER_DRAIN;
}

void kt_flush(struct ktap *k, struct kdisk *d)
{
	const struct blk_dev_info *info = blk_info(&d->blk);
	/* Only a volatile cache needs FLUSH, and only if flushes are honoured. */
	bool sends = info->volatile_cache && !d->blk.ignore_flush;
	u64 before;

	KT_EXPECT_EQ(k, d->blk.order, kt_expected_order(d));
	if (info->read_only)
		return ktap_skip(k, "read-only device");
	KT_ASSERT(k, blk_write(&d->blk, 0, kt_wbuf, kt_bs(d)) == 0);
	before = kt_flush_cmds(d);
	if (kt_flush_fails() && sends) {
		/*
		 * A failed FLUSH covers nothing, and is sticky: the next flush
		 * fails too, without a FLUSH that could wrongly vouch for
		 * writes the host may have dropped.
		 */
		KT_EXPECT_EQ(k, blk_flush(&d->blk), -EIO);
		KT_EXPECT_EQ(k, blk_flush(&d->blk), -EIO);
		KT_EXPECT_EQ(k, kt_flush_cmds(d) - before, 1);
		KT_EXPECT(k, blk_unflushed_writes(&d->blk) != 0);
		return;
	}
	KT_EXPECT_EQ(k, blk_flush(&d->blk), 0);
	/* A volatile cache gets exactly one FLUSH; write-through none. */
	KT_EXPECT_EQ(k, kt_flush_cmds(d) - before, sends ? 1 : 0);
	/* Nothing completed since: the next flush has nothing to cover. */
	KT_EXPECT_EQ(k, blk_flush(&d->blk), 0);
	KT_EXPECT_EQ(k, kt_flush_cmds(d) - before, sends ? 1 : 0);
	kprintf("# %s: cache=%s flushes sent=%llu elided=%llu merged=%llu\n", info->name,
		info->volatile_cache ? "writeback" : "writethrough",
		(unsigned long long)d->blk.stats.flushes_sent,
		(unsigned long long)d->blk.stats.flushes_elided,
		(unsigned long long)d->blk.stats.flushes_merged);
}

void kt_flush_merge(struct ktap *k, struct kdisk *d)
{
	struct blk_req f[4];
	unsigned done = 0;
	u64 before;

	if (blk_info(&d->blk)->read_only)
		return ktap_skip(k, "read-only device");
	if (!blk_info(&d->blk)->volatile_cache || d->blk.ignore_flush)
		return ktap_skip(k, "flushes are not sent in this mode");
	if (kt_flush_fails())
		return ktap_skip(k, "the host fails every flush");
	KT_ASSERT(k, blk_write(&d->blk, 0, kt_wbuf, kt_bs(d)) == 0);
	before = kt_flush_cmds(d);
	for (unsigned i = 0; i < ARRAY_SIZE(f); i++) {
		f[i] = (struct blk_req){ .op = BLK_OP_FLUSH, .done = kt_done_count, .priv = &done };
		KT_ASSERT(k, blk_submit(&d->blk, &f[i]) == 0);
	}
	KT_EXPECT_EQ(k, blk_drain(&d->blk), 0);
	KT_EXPECT_EQ(k, done, ARRAY_SIZE(f));
	for (unsigned i = 0; i < ARRAY_SIZE(f); i++)
		KT_EXPECT_EQ(k, f[i].status, 0);
	/* Four concurrent flushes of the same writes: one FLUSH command. */
	KT_EXPECT_EQ(k, kt_flush_cmds(d) - before, 1);
}

void kt_barrier(struct ktap *k, struct kdisk *d)
{
	struct blk_req reqs[8];
	unsigned done = 0;
	u32 bs = kt_bs(d);

	if (blk_info(&d->blk)->read_only)
		return ktap_skip(k, "read-only device");
	for (unsigned i = 0; i < ARRAY_SIZE(reqs); i++) {
		reqs[i] = (struct blk_req){
			.op = BLK_OP_WRITE,
			.sector = (u64)i * (bs / BLK_SECTOR_SIZE),
			.buf = kt_wbuf,
			.len = bs,
			.done = kt_done_count,
			.priv = &done,
		};
		KT_ASSERT(k, blk_submit(&d->blk, &reqs[i]) == 0);
	}
	/* A barrier whose FLUSH fails must say so. */
	KT_EXPECT_EQ(k, blk_barrier(&d->blk),
		     kt_flush_fails() && d->blk.order == BLK_ORDER_DRAIN_FLUSH ? -EIO : 0);
	/* In the drain modes a barrier returns with nothing in flight. */
	if (d->blk.order == BLK_ORDER_DRAIN || d->blk.order == BLK_ORDER_DRAIN_FLUSH) {
		KT_EXPECT_EQ(k, d->blk.inflight, 0);
		KT_EXPECT_EQ(k, done, ARRAY_SIZE(reqs));
	}
	KT_EXPECT_EQ(k, blk_drain(&d->blk), 0);
	/* A good FLUSH covers every write; a failed one covers nothing new. */
	if (d->blk.order == BLK_ORDER_DRAIN_FLUSH && !kt_flush_fails())
		KT_EXPECT_EQ(k, blk_unflushed_writes(&d->blk), 0);
	if (d->blk.order == BLK_ORDER_DRAIN_FLUSH && kt_flush_fails())
		KT_EXPECT(k, blk_unflushed_writes(&d->blk) != 0);
}

void kt_wce_switch(struct ktap *k, struct kdisk *d)
{
	const struct blk_dev_info *info = blk_info(&d->blk);
	bool was = info->volatile_cache;
	u64 before;

	if (!info->wce_switchable)
		return ktap_skip(k, "CONFIG_WCE not negotiated");
	if (d->blk.ignore_flush)
		return ktap_skip(k, "flushes are ignored (order=none)");
	if (info->read_only)
		return ktap_skip(k, "read-only device");
	if (kt_flush_fails() && was) {
		/* Switching off needs the cache flushed: it must fail, cache on. */
		KT_ASSERT(k, blk_write(&d->blk, 0, kt_wbuf, kt_bs(d)) == 0);
		KT_EXPECT_EQ(k, blk_set_write_cache(&d->blk, false), -EIO);
		KT_EXPECT(k, info->volatile_cache);
		KT_EXPECT_EQ(k, d->blk.order, BLK_ORDER_DRAIN_FLUSH);
		return;
	}
	KT_ASSERT(k, blk_set_write_cache(&d->blk, false) == 0);
	KT_EXPECT(k, !info->volatile_cache);
	KT_EXPECT_EQ(k, d->blk.order, BLK_ORDER_DRAIN);
	before = kt_flush_cmds(d);
	KT_EXPECT(k, kt_roundtrip(k, d, 0, kt_bs(d), 3));
	KT_EXPECT_EQ(k, blk_flush(&d->blk), 0);
	KT_EXPECT_EQ(k, kt_flush_cmds(d) - before, 0);

	KT_ASSERT(k, blk_set_write_cache(&d->blk, true) == 0);
	KT_EXPECT(k, info->volatile_cache);
	KT_EXPECT_EQ(k, d->blk.order, BLK_ORDER_DRAIN_FLUSH);
	before = kt_flush_cmds(d);
	KT_EXPECT(k, kt_roundtrip(k, d, 0, kt_bs(d), 4));
	KT_EXPECT_EQ(k, blk_flush(&d->blk), 0);
	KT_EXPECT_EQ(k, kt_flush_cmds(d) - before, 1);

	KT_EXPECT_EQ(k, blk_set_write_cache(&d->blk, was), 0);
}

/* Every writable disk gets its own pattern, all in flight together. */
void kt_multi_disk(struct ktap *k)
{
	static struct blk_req reqs[KDISK_MAX];
	unsigned writable = 0, done = 0;

	for (unsigned i = 0; i < nkdisks; i++)
		writable += kt_may_write(&kdisks[i]);
	if (writable < 2)
		return ktap_skip(k, "fewer than two writable disks");
	for (unsigned i = 0; i < nkdisks; i++) {
		struct kdisk *d = &kdisks[i];

		if (!kt_may_write(d))
			continue;
		kt_fill(kt_wbuf + i * 65536, kt_bs(d), 8, 1000 + i);
		reqs[i] = (struct blk_req){
			.op = BLK_OP_WRITE,
			.sector = 8,
			.buf = kt_wbuf + i * 65536,
			.len = kt_bs(d),
			.done = kt_done_count,
			.priv = &done,
		};
		KT_ASSERT(k, blk_submit(&d->blk, &reqs[i]) == 0);
	}
	for (unsigned i = 0; i < nkdisks; i++) {
		struct kdisk *d = &kdisks[i];

		if (!kt_may_write(d))
			continue;
		KT_EXPECT_EQ(k, blk_wait(&d->blk, &reqs[i]), 0);
		KT_EXPECT_EQ(k, blk_read(&d->blk, 8, kt_rbuf, kt_bs(d)), 0);
		KT_EXPECT(k, memcmp(kt_rbuf, kt_wbuf + i * 65536, kt_bs(d)) == 0);
	}
	KT_EXPECT_EQ(k, done, writable);
}
