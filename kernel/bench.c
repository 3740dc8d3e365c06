/*
 * kernel/bench.c - the block-level benchmark ("bench" on the command line,
 * `make run RUN_APPEND=bench`): each disk doing its job, with its figures.
 *
 * Per writable disk: a streaming write with many requests in flight, a
 * barrier, a verified read-back, and a run of small "commits" (a data
 * block, a barrier, a commit block, a barrier) that shows what durability
 * costs in each ordering mode: two FLUSHes per commit with a volatile
 * write cache, none when the cache is write-through; and the doorbells a
 * batch of requests costs.  Figures come from the block layer's counters
 * (blk_stats, blk_dev_stats) and the architected timer.
 * It overwrites the first 8 MiB of every disk it uses, so it uses only
 * blank (or read-only) disks, or those named by bench.disk= (kernel/disks.c).
 */
#include "arch/arch.h"
#include "kernel/bench_jobs.h"
#include "kernel/cmdline.h"
#include "kernel/disks.h"
#include "lib/boot_alloc.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define BENCH_BYTES (8u << 20)
#define BENCH_REQ_BYTES (64u << 10)
#define BENCH_DEPTH 32u
#define BENCH_COMMITS 16u

static u8 *bench_buf, *bench_check;

/* Stream `total` bytes with up to BENCH_DEPTH requests in flight. */
static int bench_stream(struct blk *b, enum blk_op op, u8 *buf, u32 total)
{
	static struct blk_req reqs[BENCH_DEPTH];
	u32 next = 0;
	int err = 0;

	for (unsigned i = 0; next < total; i = (i + 1) % BENCH_DEPTH) {
		struct blk_req *r = &reqs[i];

		/* Reuse slot i once its previous request has finished. */
		if (r->len) {
			err = blk_wait(b, r);
			if (err)
				return err;
		}
		*r = (struct blk_req){
			.op = op,
			.sector = next / BLK_SECTOR_SIZE,
			.buf = buf + next,
			.len = MIN(BENCH_REQ_BYTES, total - next),
		};
		err = blk_submit(b, r);
		if (err)
			return err;
		next += r->len;
	}
	err = blk_drain(b);
	for (unsigned i = 0; i < BENCH_DEPTH && !err; i++)
		err = reqs[i].len ? reqs[i].status : 0;
	memset(reqs, 0, sizeof(reqs));
	return err;
}

static u64 mib_per_s(u64 bytes, u64 ns)
{
	return ns ? bytes * 1000000000ull / ns >> 20 : 0;
}

static int bench_commits(struct kdisk *d, u64 *flushes)
{
	u32 bs = blk_info(&d->blk)->block_size;
	u64 before = blk_stats(&d->blk)->flushes_sent;
	u64 sector = BENCH_BYTES / BLK_SECTOR_SIZE;
	int err = 0;

	for (unsigned i = 0; i < BENCH_COMMITS && !err; i++) {
		memset(bench_buf, (int)i, bs);
		err = blk_write(&d->blk, sector, bench_buf, bs);
		if (!err)
			err = blk_barrier(&d->blk);
		if (!err)
			err = blk_write(&d->blk, sector + bs / BLK_SECTOR_SIZE, bench_buf, bs);
		if (!err)
			err = blk_barrier(&d->blk);
	}
	*flushes = blk_stats(&d->blk)->flushes_sent - before;
	return err;
}

static int bench_commit_report(struct kdisk *d)
{
	const char *name = blk_info(&d->blk)->name;
	u64 flushes;
	int err = bench_commits(d, &flushes);

	if (err) {
		kprintf("%s: commits failed: %s\n", name, errno_name(err));
		return err;
	}
	kprintf("%s: %u commits (block, barrier, commit block, barrier) with cache=%s: "
		"%llu FLUSH commands, %llu.%02llu per commit (order=%s)\n",
		name, BENCH_COMMITS,
		blk_info(&d->blk)->volatile_cache ? "writeback" : "writethrough",
		(unsigned long long)flushes, (unsigned long long)(flushes / BENCH_COMMITS),
		(unsigned long long)(flushes * 100 / BENCH_COMMITS % 100),
		blk_order_name(d->blk.order));
	return 0;
}

/*
 * The device's figures for the streaming workload (what it counted since
 * `before`), and a 32-deep batch's doorbells.
 */
static void bench_doorbell_report(struct kdisk *d, u32 requests, const struct blk_dev_stats *before)
{
	const char *name = blk_info(&d->blk)->name;
	const struct blk_dev_stats *st = blk_dev_stats(&d->blk);
	u64 cmds = st->commands - before->commands, kicks = st->kicks - before->kicks, k0;
	static struct blk_req batch[BENCH_DEPTH];
	u32 bs = blk_info(&d->blk)->block_size;
	int err = 0;

	kprintf("%s: %llu device commands for %u requests, at most %u in flight, %llu doorbells "
		"(%llu.%02llu per command)\n",
		name, (unsigned long long)cmds, requests, st->max_inflight,
		(unsigned long long)kicks, (unsigned long long)(cmds ? kicks / cmds : 0),
		(unsigned long long)(cmds ? kicks * 100 / cmds % 100 : 0));
	k0 = st->kicks;
	for (unsigned i = 0; i < BENCH_DEPTH && !err; i++) {
		batch[i] = (struct blk_req){
			.op = BLK_OP_WRITE,
			.sector = (u64)i * (bs / BLK_SECTOR_SIZE),
			.buf = bench_buf,
			.len = bs,
		};
		err = blk_submit(&d->blk, &batch[i]);
	}
	if (!err)
		err = blk_drain(&d->blk);
	if (!err)
		kprintf("%s: a batch of %u %u-byte writes rang the doorbell %llu times\n", name,
			BENCH_DEPTH, bs, (unsigned long long)(st->kicks - k0));
}

static int bench_disk(struct kdisk *d)
{
	struct blk_dev_stats before;
	const char *name = blk_info(&d->blk)->name;
	u32 total = BENCH_BYTES;
	u64 t0, t1, t2;
	int err;

	if (blk_info(&d->blk)->read_only) {
		kprintf("%s: read-only, reading only\n", name);
		total = (u32)MIN((u64)total, blk_info(&d->blk)->capacity * BLK_SECTOR_SIZE);
		return bench_stream(&d->blk, BLK_OP_READ, bench_check, total);
	}
	if ((u64)BENCH_BYTES * 2 > blk_info(&d->blk)->capacity * BLK_SECTOR_SIZE) {
		kprintf("%s: smaller than %u MiB, skipped\n", name, BENCH_BYTES >> 19);
		return 0;
	}
	for (u32 i = 0; i < total; i++)
		bench_buf[i] = (u8)(i * 7 + (i >> 12));

	before = *blk_dev_stats(&d->blk);
	t0 = arch_time_ns();
	err = bench_stream(&d->blk, BLK_OP_WRITE, bench_buf, total);
	if (!err)
		err = blk_barrier(&d->blk);
	t1 = arch_time_ns();
	if (!err)
		err = bench_stream(&d->blk, BLK_OP_READ, bench_check, total);
	t2 = arch_time_ns();
	if (err) {
		kprintf("%s: workload failed: %s\n", name, errno_name(err));
		return err;
	}
	if (memcmp(bench_buf, bench_check, total) != 0) {
		kprintf("%s: read-back differs from what was written\n", name);
		return -EIO;
	}
	kprintf("%s: wrote %u MiB in %llu ms (%llu MiB/s), barrier, read back and verified "
		"in %llu ms (%llu MiB/s)\n",
		name, total >> 20, (unsigned long long)((t1 - t0) / 1000000),
		(unsigned long long)mib_per_s(total, t1 - t0),
		(unsigned long long)((t2 - t1) / 1000000),
		(unsigned long long)mib_per_s(total, t2 - t1));
	bench_doorbell_report(d, 2 * total / BENCH_REQ_BYTES, &before);

	err = bench_commit_report(d);
	/* Show the other mode through the run-time write-cache switch. */
	if (!err && blk_info(&d->blk)->wce_switchable && !d->blk.ignore_flush) {
		bool was = blk_info(&d->blk)->volatile_cache;

		err = blk_set_write_cache(&d->blk, !was);
		kprintf("%s: write cache switched %s (CONFIG_WCE): %s\n", name, was ? "off" : "on",
			err ? errno_name(err) : "ok");
		if (!err)
			err = bench_commit_report(d);
		if (!err)
			err = blk_set_write_cache(&d->blk, was);
	}
	if (err)
		return err;
	kprintf("%s: flush requests=%llu sent=%llu elided=%llu merged=%llu ignored=%llu\n", name,
		(unsigned long long)d->blk.stats.flush_requests,
		(unsigned long long)d->blk.stats.flushes_sent,
		(unsigned long long)d->blk.stats.flushes_elided,
		(unsigned long long)d->blk.stats.flushes_merged,
		(unsigned long long)d->blk.stats.flushes_ignored);
	return 0;
}

/* bench.job=...: the jobs of make bench, on the first disk bench may use. */
static int bench_run_jobs(const char *list)
{
	char why[96];

	for (unsigned i = 0; i < nkdisks; i++) {
		if (kdisk_scratch(&kdisks[i], "bench", why, sizeof(why)))
			return bench_jobs_run(&kdisks[i], list, bench_buf, BENCH_BYTES);
		kprintf("%s: %s: skipped\n", blk_info(&kdisks[i].blk)->name, why);
	}
	kprintf("bench: no disk to run the jobs on\n");
	return 1;
}

int bench_run(void)
{
	char jobs[128];
	int failed = 0;

	bench_buf = boot_alloc(BENCH_BYTES, 4096);
	bench_check = boot_alloc(BENCH_BYTES, 4096);
	if (!bench_buf || !bench_check) {
		kprintf("bench: not enough memory for %u MiB buffers\n", BENCH_BYTES >> 20);
		return 1;
	}
	if (cmdline_str("bench.job", jobs, sizeof(jobs)) == 0)
		return bench_run_jobs(jobs);
	if (nkdisks == 0)
		kprintf("bench: no virtio-blk disk attached (try: make run)\n");
	for (unsigned i = 0; i < nkdisks; i++) {
		char why[96];

		if (kdisk_scratch(&kdisks[i], "bench", why, sizeof(why)))
			failed += bench_disk(&kdisks[i]) != 0;
		else
			kprintf("%s: %s: skipped\n", blk_info(&kdisks[i].blk)->name, why);
	}
	kprintf("bench: %s\n", failed ? "FAILED" : "done");
	return failed ? 1 : 0;
}
