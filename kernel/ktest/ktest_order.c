/*
 * kernel/ktest/ktest_order.c - KTAP cases for ordering and durability:
 * FLUSH reaches the device exactly when the cache is volatile, redundant
 * flushes are elided and concurrent ones merged, barriers drain, the
 * write-cache switch changes the ordering mode, and several disks work at
 * once.  FLUSH commands are counted in the virtio-blk driver, i.e. what
 * was actually put on the ring.
 *
 * DISCARD and WRITE_ZEROES are writes for ordering (blkdev.h): a FLUSH
 * covers them, and what they leave is checked against virtio 1.2, 5.2.6:
 * a discarded block reads back as zeros or as its old data, never anything
 * else; a zeroed one as zeros.  Devices without the op skip those cases.
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

/* ---- DISCARD and WRITE_ZEROES ----------------------------------------- */

/* With a volatile cache (and FLUSH working): is FLUSH bookkeeping checked? */
static bool kt_dwz_flushes(const struct kdisk *d)
{
	return d->blk.order == BLK_ORDER_DRAIN_FLUSH && !kt_flush_fails();
}

/*
 * The region the cases use: up to 1 MiB (and a quarter of the disk) at a
 * quarter of the disk, its start aligned to the discard alignment; filled
 * with a pattern of `salt` in kt_wbuf and on the disk, and with a volatile
 * cache flushed, so nothing is left unflushed.  false (the failure
 * recorded) if that cannot be done.
 */
static bool kt_dwz_prepare(struct ktap *k, struct kdisk *d, u32 salt, u64 *base, u32 *len)
{
	const struct blk_dev_info *info = blk_info(&d->blk);
	u32 bs = kt_bs(d);
	u64 align = MAX(info->discard_align, bs / BLK_SECTOR_SIZE);
	u64 cap_bytes = kt_cap(d) * BLK_SECTOR_SIZE;

	*len = (u32)MIN((u64)1 << 20, cap_bytes / 4);
	*len -= *len % bs;
	*base = kt_cap(d) / 4;
	*base -= *base % align;
	if (*len < 4 * bs) {
		ktap_fail(k, __FILE__, __LINE__, "disk too small: %u-byte region", *len);
		return false;
	}
	kt_fill(kt_wbuf, *len, *base, salt);
	if (blk_write(&d->blk, *base, kt_wbuf, *len) != 0) {
		ktap_fail(k, __FILE__, __LINE__, "writing the pattern failed");
		return false;
	}
	if (kt_dwz_flushes(d) && (blk_flush(&d->blk) != 0 || blk_unflushed_writes(&d->blk))) {
		ktap_fail(k, __FILE__, __LINE__, "flushing the pattern failed");
		return false;
	}
	return true;
}

/*
 * Called between a FLUSH that left nothing unflushed and a DISCARD or
 * WRITE_ZEROES: that op counts as an unflushed write, and the next FLUSH is
 * sent for it alone and covers it.
 */
static void kt_dwz_flush_covers(struct ktap *k, struct kdisk *d)
{
	u64 sent = kt_flush_cmds(d);

	if (!kt_dwz_flushes(d))
		return;
	KT_EXPECT(k, blk_unflushed_writes(&d->blk) > 0);
	KT_EXPECT_EQ(k, blk_flush(&d->blk), 0);
	KT_EXPECT_EQ(k, kt_flush_cmds(d), sent + 1);
	KT_EXPECT_EQ(k, blk_unflushed_writes(&d->blk), 0);
}

/*
 * Write a pattern, discard all of it but the first and last block, read it
 * back: the ends keep the pattern, every block between reads as zeros or
 * as its old data.  The discard is split by the device's limits (a
 * configuration with small max-discard-sectors makes that many commands).
 */
void kt_discard(struct ktap *k, struct kdisk *d)
{
	const struct blk_dev_info *info = blk_info(&d->blk);
	u32 bs = kt_bs(d), spb = bs / BLK_SECTOR_SIZE, len, zeros = 0, old = 0, bad = 0;
	u64 base, first, n, cmds;

	if (!info->discard_max_sectors)
		return ktap_skip(k, "device has no DISCARD");
	if (info->read_only) {
		KT_EXPECT_EQ(k, blk_discard(&d->blk, 0, spb), -EROFS);
		return;
	}
	if (!kt_dwz_prepare(k, d, 51, &base, &len))
		return;
	first = base + spb;
	n = len / BLK_SECTOR_SIZE - 2 * spb;
	cmds = blk_dev_stats(&d->blk)->commands;
	KT_ASSERT(k, blk_discard(&d->blk, first, n) == 0);
	cmds = blk_dev_stats(&d->blk)->commands - cmds;
	KT_EXPECT(k, cmds >= (n + info->discard_max_sectors - 1) / info->discard_max_sectors);
	kt_dwz_flush_covers(k, d);
	memset(kt_rbuf, 0xa5, len);
	KT_ASSERT(k, blk_read(&d->blk, base, kt_rbuf, len) == 0);
	KT_EXPECT(k, memcmp(kt_rbuf, kt_wbuf, bs) == 0);
	KT_EXPECT(k, memcmp(kt_rbuf + len - bs, kt_wbuf + len - bs, bs) == 0);
	for (u32 off = bs; off < len - bs; off += bs) {
		bool z = true;

		for (u32 i = 0; i < bs && z; i++)
			z = kt_rbuf[off + i] == 0;
		if (z)
			zeros++;
		else if (memcmp(kt_rbuf + off, kt_wbuf + off, bs) == 0)
			old++;
		else
			bad++;
	}
	KT_EXPECT_EQ(k, bad, 0);
	kprintf("# %s: discarded %llu sectors in %llu commands: %u blocks read as zeros, "
		"%u as old data\n",
		info->name, (unsigned long long)n, (unsigned long long)cmds, zeros, old);
}

/*
 * Write a pattern, zero all of it but the first and last block (half
 * without unmap, half with it), read it back: zeros between, the pattern
 * at the ends.
 */
void kt_write_zeroes(struct ktap *k, struct kdisk *d)
{
	const struct blk_dev_info *info = blk_info(&d->blk);
	u32 bs = kt_bs(d), spb = bs / BLK_SECTOR_SIZE, len, nonzero = 0;
	u64 base, first, n, half;

	if (!info->wz_max_sectors)
		return ktap_skip(k, "device has no WRITE_ZEROES");
	if (info->read_only) {
		KT_EXPECT_EQ(k, blk_write_zeroes(&d->blk, 0, spb, false), -EROFS);
		return;
	}
	if (!kt_dwz_prepare(k, d, 52, &base, &len))
		return;
	first = base + spb;
	n = len / BLK_SECTOR_SIZE - 2 * spb;
	half = n / 2 - (n / 2) % spb;
	KT_ASSERT(k, blk_write_zeroes(&d->blk, first, half, false) == 0);
	KT_ASSERT(k, blk_write_zeroes(&d->blk, first + half, n - half, true) == 0);
	kt_dwz_flush_covers(k, d);
	memset(kt_rbuf, 0xa5, len);
	KT_ASSERT(k, blk_read(&d->blk, base, kt_rbuf, len) == 0);
	KT_EXPECT(k, memcmp(kt_rbuf, kt_wbuf, bs) == 0);
	KT_EXPECT(k, memcmp(kt_rbuf + len - bs, kt_wbuf + len - bs, bs) == 0);
	for (u32 i = bs; i < len - bs; i++)
		nonzero += kt_rbuf[i] != 0;
	KT_EXPECT_EQ(k, nonzero, 0);
}

/* One of DISCARD/WRITE_ZEROES at [sector, sector + n): blk_discard's result. */
static int kt_dwz(struct kdisk *d, bool wz, u64 sector, u64 n)
{
	return wz ? blk_write_zeroes(&d->blk, sector, n, true) : blk_discard(&d->blk, sector, n);
}

/*
 * Range and support checks, as for writes: past the end -ERANGE (never
 * wrapping), empty or misaligned -EINVAL, a device without the op
 * -EOPNOTSUPP; the device works afterwards.
 */
void kt_dwz_range(struct ktap *k, struct kdisk *d)
{
	const struct blk_dev_info *info = blk_info(&d->blk);
	u32 bs = kt_bs(d), spb = bs / BLK_SECTOR_SIZE;
	u64 cap = kt_cap(d);

	for (int wz = 0; wz < 2; wz++) {
		if (!(wz ? info->wz_max_sectors : info->discard_max_sectors)) {
			KT_EXPECT_EQ(k, kt_dwz(d, wz, 0, spb), -EOPNOTSUPP);
			continue;
		}
		KT_EXPECT_EQ(k, kt_dwz(d, wz, cap, spb), -ERANGE);
		KT_EXPECT_EQ(k, kt_dwz(d, wz, cap - spb, 2 * spb), -ERANGE);
		KT_EXPECT_EQ(k, kt_dwz(d, wz, ~0ull - (spb - 1) - spb, 2 * spb), -ERANGE);
		KT_EXPECT_EQ(k, kt_dwz(d, wz, 0, 0), -EINVAL);
		if (spb > 1)
			KT_EXPECT_EQ(k, kt_dwz(d, wz, 1, spb), -EINVAL);
	}
	/* The device still works: the last block is readable. */
	KT_EXPECT_EQ(k, blk_read(&d->blk, cap - spb, kt_rbuf, bs), 0);
}

/*
 * "ktest.trim": once everything else ran, discard every disk the suite may
 * write, whole, and make it durable, so the host can see the image file
 * shrink (tests/qemu/discard.sh).
 */
void kt_trim_all(void)
{
	if (!cmdline_flag("ktest.trim"))
		return;
	for (unsigned i = 0; i < nkdisks; i++) {
		struct kdisk *d = &kdisks[i];
		int err;

		if (!kt_may_write(d) || !blk_info(&d->blk)->discard_max_sectors)
			continue;
		err = blk_discard(&d->blk, 0, kt_cap(d));
		if (!err)
			err = blk_sync(&d->blk);
		kprintf("# %s: trimmed %llu sectors: %s\n", blk_info(&d->blk)->name,
			(unsigned long long)kt_cap(d), err ? errno_name(err) : "ok");
	}
}
