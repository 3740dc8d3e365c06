/*
 * kernel/ktest/ktest_blk.c - KTAP suite for the block stack on real devices.
 *
 * Run with the command line "ktest": every case runs against every disk
 * (tests/qemu/run-matrix boots the configurations: legacy and modern mmio,
 * write cache on/off, config-wce off, 4096-byte blocks, read-only, three
 * disks).  The cases check what a user of the block layer relies on:
 * data round trips, splitting, many requests in flight, range checks,
 * read-only enforcement, that FLUSH reaches the device exactly when the
 * cache is volatile, and the write-cache switch.
 *
 * The suite overwrites the disks it tests, so it tests only blank (or
 * read-only) disks, or those named by ktest.disk=; the others' cases skip
 * with the reason (kernel/disks.c).
 */
#include "kernel/ktest/ktest.h"

#include "arch/arch.h"
#include "kernel/cmdline.h"
#include "kernel/disks.h"

#include "lib/boot_alloc.h"
#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/string.h"

u8 *kt_wbuf, *kt_rbuf;

void kt_fill(u8 *buf, u32 len, u64 sector, u32 salt)
{
	u32 x = (u32)sector * 2654435761u ^ salt;

	for (u32 i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (u8)(x >> 16);
	}
}

bool kt_roundtrip(struct ktap *k, struct kdisk *d, u64 sector, u32 len, u32 salt)
{
	int err;

	kt_fill(kt_wbuf, len, sector, salt);
	memset(kt_rbuf, 0xa5, len);
	err = blk_write(&d->blk, sector, kt_wbuf, len);
	if (err) {
		ktap_fail(k, __FILE__, __LINE__, "write %u@%llu: %s", len,
			  (unsigned long long)sector, errno_name(err));
		return false;
	}
	err = blk_read(&d->blk, sector, kt_rbuf, len);
	if (err || memcmp(kt_wbuf, kt_rbuf, len) != 0) {
		ktap_fail(k, __FILE__, __LINE__, "read-back %u@%llu: %s", len,
			  (unsigned long long)sector, err ? errno_name(err) : "data differs");
		return false;
	}
	return true;
}

static void kt_roundtrips(struct ktap *k, struct kdisk *d)
{
	u32 bs = kt_bs(d), spb = bs / BLK_SECTOR_SIZE;
	const u32 sizes[] = { bs, 2 * bs, 8 * bs, 64 * 1024, 256 * 1024 + bs, 1u << 20 };

	if (blk_info(&d->blk)->read_only)
		return ktap_skip(k, "read-only device");
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		u32 len = sizes[i];
		u64 nsect = len / BLK_SECTOR_SIZE;
		u64 mid = (kt_cap(d) / 2) / spb * spb;

		if (nsect > kt_cap(d))
			continue;
		/* Start, an unaligned-looking middle, and the very last blocks. */
		kt_roundtrip(k, d, 0, len, i);
		kt_roundtrip(k, d, mid + (u64)i * spb, len, i + 100);
		kt_roundtrip(k, d, kt_cap(d) - nsect, len, i + 200);
	}
}

/* A request bigger than one device command can carry must be split. */
static void kt_split(struct ktap *k, struct kdisk *d)
{
	const struct blk_dev_info *info = blk_info(&d->blk);
	u64 per_cmd = MIN((u64)info->max_segments * info->max_segment_size, 1u << 20);
	u32 len = (u32)MIN(2 * per_cmd + info->block_size, (u64)KT_BUF_BYTES);
	u64 before = blk_dev_stats(&d->blk)->commands;

	len -= len % info->block_size;
	if (info->read_only)
		return ktap_skip(k, "read-only device");
	KT_ASSERT(k, len / BLK_SECTOR_SIZE <= kt_cap(d));
	kprintf("# %s: %u-byte request, device command limit %llu bytes\n", info->name, len,
		(unsigned long long)per_cmd);
	kt_roundtrip(k, d, 0, len, 7);
	/* One write and one read, each needing at least three commands. */
	KT_EXPECT(k, blk_dev_stats(&d->blk)->commands - before >= 6);
}

void kt_done_count(struct blk_req *req)
{
	(*(unsigned *)req->priv)++;
}

/* Submit `n` single-block requests at once, then wait for all of them. */
int kt_batch(struct kdisk *d, enum blk_op op, struct blk_req *reqs, unsigned n, u8 *buf,
	     unsigned *done)
{
	u32 bs = kt_bs(d);

	for (unsigned i = 0; i < n; i++) {
		reqs[i] = (struct blk_req){
			.op = op,
			.sector = (u64)i * 2 * (bs / BLK_SECTOR_SIZE),
			.buf = buf + i * bs,
			.len = bs,
			.done = kt_done_count,
			.priv = done,
		};
		int err = blk_submit(&d->blk, &reqs[i]);
		if (err)
			return err;
	}
	return blk_drain(&d->blk);
}

static void kt_inflight(struct ktap *k, struct kdisk *d)
{
	static struct blk_req reqs[KT_INFLIGHT];
	u32 bs = kt_bs(d);
	unsigned done = 0;

	if (blk_info(&d->blk)->read_only)
		return ktap_skip(k, "read-only device");
	KT_ASSERT(k, (u64)KT_INFLIGHT * 2 * bs / BLK_SECTOR_SIZE <= kt_cap(d));
	kt_fill(kt_wbuf, KT_INFLIGHT * bs, 0, 42);
	KT_EXPECT_EQ(k, kt_batch(d, BLK_OP_WRITE, reqs, KT_INFLIGHT, kt_wbuf, &done), 0);
	KT_EXPECT_EQ(k, done, KT_INFLIGHT);
	for (unsigned i = 0; i < KT_INFLIGHT; i++)
		KT_EXPECT_EQ(k, reqs[i].status, 0);
	done = 0;
	memset(kt_rbuf, 0, KT_INFLIGHT * bs);
	KT_EXPECT_EQ(k, kt_batch(d, BLK_OP_READ, reqs, KT_INFLIGHT, kt_rbuf, &done), 0);
	KT_EXPECT_EQ(k, done, KT_INFLIGHT);
	KT_EXPECT(k, memcmp(kt_wbuf, kt_rbuf, KT_INFLIGHT * bs) == 0);
	kprintf("# %s: most commands in flight at once: %u (queue of %u)\n",
		blk_info(&d->blk)->name, blk_dev_stats(&d->blk)->max_inflight,
		blk_info(&d->blk)->queue_depth);
	/* A one-block command takes three descriptors: fill the ring or reach 32. */
	KT_EXPECT(k, blk_dev_stats(&d->blk)->max_inflight >=
			     MIN(32u, blk_info(&d->blk)->queue_depth / 3));
}

/*
 * A ring's worth of one-block requests submitted at once (up to
 * KT_RING_FILL).  With indirect descriptors each takes one ring entry, so
 * all of them are at the device together: 256 in a 256-entry ring.
 * Without, a request takes three entries (header, data, status): a third
 * of the ring.  "ktest.indirect=0|1" on the command line says which the
 * configuration must have negotiated.
 */
#define KT_RING_FILL 256u

static void kt_ring_fill(struct ktap *k, struct kdisk *d)
{
	static struct blk_req reqs[KT_RING_FILL];
	const struct blk_dev_info *info = blk_info(&d->blk);
	bool indirect = (vblk_features(d->bdev) & BIT64(VIRTIO_F_RING_INDIRECT_DESC)) != 0;
	unsigned n = MIN(info->queue_depth, KT_RING_FILL), done = 0, want;
	u32 bs = kt_bs(d), most;
	u64 v;

	if (cmdline_u64("ktest.indirect", &v) == 0)
		KT_EXPECT_EQ(k, indirect, v != 0);
	if (info->read_only)
		return ktap_skip(k, "read-only device");
	KT_ASSERT(k, (u64)n * 2 * bs / BLK_SECTOR_SIZE <= kt_cap(d));
	kt_fill(kt_wbuf, n * bs, 0, 43);
	KT_EXPECT_EQ(k, kt_batch(d, BLK_OP_WRITE, reqs, n, kt_wbuf, &done), 0);
	KT_EXPECT_EQ(k, done, n);
	most = blk_dev_stats(&d->blk)->max_inflight;
	want = indirect ? n : MIN(n, info->queue_depth / 3);
	kprintf("# %s: %u requests at once, most in flight %u (queue of %u, indirect %s)\n",
		info->name, n, most, info->queue_depth, indirect ? "on" : "off");
	KT_EXPECT(k, most >= want);
	KT_EXPECT(k, most <= info->queue_depth);
	done = 0;
	memset(kt_rbuf, 0, n * bs);
	KT_EXPECT_EQ(k, kt_batch(d, BLK_OP_READ, reqs, n, kt_rbuf, &done), 0);
	KT_EXPECT_EQ(k, done, n);
	KT_EXPECT(k, memcmp(kt_wbuf, kt_rbuf, n * bs) == 0);
}

/*
 * The interrupt wakes a sleeping wait -- checked without depending on
 * timing.  (Counting interrupts after a workload did: on a loaded host
 * every completion may be found by polling before the vCPU ever sleeps.)
 * One read is submitted and the driver sleeps at once, without polling:
 * nothing consumes the used entry first, so used_event still asks for an
 * interrupt when the device completes it, and the level stays asserted
 * until the driver acknowledges it.  The sleep must end by this disk's
 * interrupt, however late the device is.  (Polling first is not enough:
 * a driver that pops the entry and moves used_event on before the device
 * checks it has, by the event-index rules, suppressed that interrupt.)
 * With "ktest.irq_lost" the configuration routes the line nowhere: the
 * sleep ends by its timeout, and polling completes the request anyway.
 */
static void kt_irq_wakes(struct ktap *k, struct kdisk *d)
{
	bool lost = cmdline_flag("ktest.irq_lost");
	struct blk_req req = { .op = BLK_OP_READ, .sector = 0, .buf = kt_rbuf, .len = kt_bs(d) };
	u64 timeout_ns = (u64)d->blk.timeout_ms * 1000000ull, deadline;

	if (!vblk_irq(d->bdev))
		return ktap_skip(k, "disk is polled");
	KT_ASSERT(k, blk_drain(&d->blk) == 0);
	/* Acknowledge whatever earlier completions left asserted. */
	vblk_wait_irq(d->bdev, 1000);
	KT_ASSERT(k, blk_submit(&d->blk, &req) == 0);
	blk_unplug(&d->blk); /* the batch ends here: we sleep, not poll */
	if (lost)
		KT_EXPECT(k, !vblk_wait_irq(d->bdev, 50ull * 1000 * 1000));
	else
		KT_EXPECT(k, vblk_wait_irq(d->bdev, timeout_ns));
	deadline = arch_time_ns() + timeout_ns;
	while (!req.completed && arch_time_ns() < deadline)
		blk_poll(&d->blk);
	KT_ASSERT(k, req.completed);
	KT_EXPECT_EQ(k, req.status, 0);
}

static void kt_range(struct ktap *k, struct kdisk *d)
{
	u32 bs = kt_bs(d), spb = bs / BLK_SECTOR_SIZE;
	u64 cap = kt_cap(d);

	KT_EXPECT_EQ(k, blk_read(&d->blk, cap, kt_rbuf, bs), -ERANGE);
	KT_EXPECT_EQ(k, blk_read(&d->blk, cap - spb, kt_rbuf, 2 * bs), -ERANGE);
	/* A start sector near 2^64 must not wrap around to the beginning. */
	KT_EXPECT_EQ(k, blk_read(&d->blk, ~0ull - (spb - 1) - spb, kt_rbuf, 2 * bs), -ERANGE);
	KT_EXPECT_EQ(k, blk_read(&d->blk, 0, kt_rbuf, bs / 2), -EINVAL);
	KT_EXPECT_EQ(k, blk_read(&d->blk, 0, kt_rbuf, 0), -EINVAL);
	if (spb > 1)
		KT_EXPECT_EQ(k, blk_read(&d->blk, 1, kt_rbuf, bs), -EINVAL);
	if (!blk_info(&d->blk)->read_only)
		KT_EXPECT_EQ(k, blk_write(&d->blk, cap, kt_wbuf, bs), -ERANGE);
	/* The device still works: the last block is readable. */
	KT_EXPECT_EQ(k, blk_read(&d->blk, cap - spb, kt_rbuf, bs), 0);
}

static void kt_readonly(struct ktap *k, struct kdisk *d)
{
	u32 bs = kt_bs(d);

	if (!blk_info(&d->blk)->read_only)
		return ktap_skip(k, "device is writable");
	KT_EXPECT_EQ(k, blk_read(&d->blk, 0, kt_rbuf, bs), 0);
	memcpy(kt_wbuf, kt_rbuf, bs);
	kt_wbuf[0] ^= 0xff;
	KT_EXPECT_EQ(k, blk_write(&d->blk, 0, kt_wbuf, bs), -EROFS);
	KT_EXPECT_EQ(k, blk_read(&d->blk, 0, kt_wbuf, bs), 0);
	KT_EXPECT(k, memcmp(kt_wbuf, kt_rbuf, bs) == 0);
}

static void kt_get_id(struct ktap *k, struct kdisk *d)
{
	char id[BLK_ID_MAX + 1] = { 0 };
	int err = blk_get_id(&d->blk, id, BLK_ID_MAX);

	KT_EXPECT_EQ(k, err, 0);
	if (!err)
		kprintf("# %s: serial \"%s\"\n", blk_info(&d->blk)->name, id);
}

/*
 * The CPU's CRC-32C instruction (arch_crc32c_raw, where the port has one)
 * gives what the tables give, for every length up to 300 at every head
 * alignment, and through crc32c() as the filesystem calls it.
 */
static void kt_crc32c(struct ktap *k)
{
	u32 bad = 0;

	if (!arch_crc32c_supported())
		return ktap_skip(k, "no CRC-32C instruction on this CPU");
	kt_fill(kt_wbuf, 512, 0, 11);
	for (u32 off = 0; off < 8; off++) {
		for (u32 len = 0; len <= 300; len++) {
			u32 sw = crc32c_sw_update(0x12345678u, kt_wbuf + off, len);

			bad += ~arch_crc32c_raw(~0x12345678u, kt_wbuf + off, len) != sw;
			bad += crc32c_update(0x12345678u, kt_wbuf + off, len) != sw;
		}
	}
	KT_EXPECT_EQ(k, bad, 0);
	KT_EXPECT_EQ(k, crc32c("123456789", 9), 0xe3069283u);
}

struct kt_case {
	const char *name;
	void (*fn)(struct ktap *k, struct kdisk *d);
};

static const struct kt_case kt_cases[] = {
	{ "roundtrip_sizes_offsets", kt_roundtrips },
	{ "split_large_request", kt_split },
	{ "inflight_64", kt_inflight },
	{ "inflight_ring_full", kt_ring_fill },
	{ "irq_wakes_wait", kt_irq_wakes },
	{ "out_of_range", kt_range },
	{ "read_only", kt_readonly },
	{ "flush_per_cache_mode", kt_flush },
	{ "flush_merge", kt_flush_merge },
	{ "barrier_drains", kt_barrier },
	{ "write_cache_switch", kt_wce_switch },
	{ "get_id", kt_get_id },
	{ "discard_zeros_or_old", kt_discard },
	{ "write_zeroes_reads_zeros", kt_write_zeroes },
	{ "discard_write_zeroes_range", kt_dwz_range },
};

/* Disks the suite may overwrite (kdisk_scratch), and why not the others. */
static bool kt_scratch[KDISK_MAX];
static char kt_why[KDISK_MAX][96];

bool kt_may_write(const struct kdisk *d)
{
	return !blk_info(&d->blk)->read_only && kt_scratch[d - kdisks];
}

int ktest_run(void)
{
	struct ktap k;

	kt_wbuf = boot_alloc(KT_BUF_BYTES, 4096);
	kt_rbuf = boot_alloc(KT_BUF_BYTES, 4096);
	if (!kt_wbuf || !kt_rbuf) {
		kprintf("ktest: cannot allocate test buffers\n");
		return 1;
	}
	/* Decided before any case writes: "blank" means blank at boot. */
	for (unsigned i = 0; i < nkdisks; i++) {
		kt_scratch[i] = kdisk_scratch(&kdisks[i], "ktest", kt_why[i], sizeof(kt_why[i]));
		if (!kt_scratch[i])
			kprintf("ktest: %s %s: not testing it\n", blk_info(&kdisks[i].blk)->name,
				kt_why[i]);
	}
	ktap_begin(&k, (unsigned)ARRAY_SIZE(kt_cases) * nkdisks + 3 + ktest_fs_count() +
			       ktest_sched_count());
	ktap_case_begin(&k);
	KT_EXPECT(&k, nkdisks > 0);
	ktap_case_end(&k, "disks_found");
	ktap_case_begin(&k);
	kt_crc32c(&k);
	ktap_case_end(&k, "crc32c_instruction_matches_tables");
	ktest_sched_run(&k);
	for (unsigned i = 0; i < nkdisks; i++) {
		for (unsigned c = 0; c < ARRAY_SIZE(kt_cases); c++) {
			ktap_case_begin(&k);
			if (kt_scratch[i])
				kt_cases[c].fn(&k, &kdisks[i]);
			else
				ktap_skip(&k, kt_why[i]);
			ktap_case_end(&k, "%s_%s", blk_info(&kdisks[i].blk)->name,
				      kt_cases[c].name);
		}
	}
	ktap_case_begin(&k);
	kt_multi_disk(&k);
	ktap_case_end(&k, "multi_disk_in_flight");
	ktest_fs_run(&k);
	kt_trim_all();
	/* Read by the test runner, e.g. to match the host's write log. */
	for (unsigned i = 0; i < nkdisks; i++)
		kprintf("# %s: totals commands=%llu flush_commands=%llu resets=%llu irqs=%llu "
			"renotifies=%llu\n",
			blk_info(&kdisks[i].blk)->name,
			(unsigned long long)blk_dev_stats(&kdisks[i].blk)->commands,
			(unsigned long long)blk_stats(&kdisks[i].blk)->flushes_sent,
			(unsigned long long)blk_dev_stats(&kdisks[i].blk)->resets,
			(unsigned long long)blk_dev_stats(&kdisks[i].blk)->irqs,
			(unsigned long long)blk_dev_stats(&kdisks[i].blk)->renotifies);
	return ktap_end(&k);
}
