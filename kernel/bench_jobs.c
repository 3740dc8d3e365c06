/*
 * kernel/bench_jobs.c - fio-like jobs for `make bench` ("bench
 * bench.job=NAME[,NAME...]"), run on the first disk bench may overwrite
 * (kernel/disks.c: blank, read-only for reads, or named by bench.disk=).
 *
 * Each job runs a fixed number of operations (bench.n=, default 2000; the
 * same on every run, so instruction counts compare) between the
 * instruction markers of arch/generic/insn_marker.h, so a counting QEMU
 * plugin sees exactly the job, and then prints one machine-readable line:
 *
 *   BENCH side=ordo job=NAME bs=BYTES qd=DEPTH ops=N ns=ELAPSED
 *         cmds=C flushes=F doorbells=D
 *
 * (device commands, FLUSH commands and doorbells the job cost).  A job
 * that cannot run prints "BENCH side=ordo job=NAME skipped=WHY" and
 * executes no stop marker: every stop marker has its BENCH line, in order.
 * Random offsets come from a fixed-seed generator: every run does the same.
 *
 *   randread-qd1 randread-qd32 randwrite-qd1   4 KiB at random offsets
 *   seqread-qd16 seqwrite-qd16                 128 KiB sequential
 *   write-flush                                4 KiB write, then sync, each
 *   fs-append-4k fs-append-64                  ordofs (formatted afresh):
 *                                              append + fsync, each
 *
 * bench.qd= overrides the queue depth of the block jobs; fs.data= mounts
 * the fs jobs' filesystem as the demo's (data=ordered by default).
 */
#include "kernel/bench_jobs.h"

#include "arch/arch.h"
#include "kernel/cmdline.h"
#include "kernel/disks.h"
#include "kernel/fs/fs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define BENCH_N_DEFAULT 2000u
#define BENCH_QD_MAX 64u
/* Random and sequential offsets stay within the first GiB of the disk. */
#define BENCH_REGION (1ull << 30)

struct bench_job {
	const char *name;
	enum blk_op op;
	u32 bs;
	u32 qd;
	bool random;
	bool sync_each; /* write-flush: every write made durable before the next */
	bool fs;	/* an ordofs append + fsync per operation */
};

static const struct bench_job bench_jobs[] = {
	{ "randread-qd1", BLK_OP_READ, 4096, 1, true, false, false },
	{ "randread-qd32", BLK_OP_READ, 4096, 32, true, false, false },
	{ "randwrite-qd1", BLK_OP_WRITE, 4096, 1, true, false, false },
	{ "seqread-qd16", BLK_OP_READ, 128u << 10, 16, false, false, false },
	{ "seqwrite-qd16", BLK_OP_WRITE, 128u << 10, 16, false, false, false },
	{ "write-flush", BLK_OP_WRITE, 4096, 1, false, true, false },
	{ "fs-append-4k", BLK_OP_WRITE, 4096, 1, false, false, true },
	{ "fs-append-64", BLK_OP_WRITE, 64, 1, false, false, true },
};

/* What a job cost the device, from the block layer's counters. */
struct bench_costs {
	u64 t0, cmds, flushes, kicks;
};

static void bench_costs_start(struct blk *b, struct bench_costs *c)
{
	c->cmds = blk_dev_stats(b)->commands;
	c->flushes = blk_stats(b)->flushes_sent;
	c->kicks = blk_dev_stats(b)->kicks;
	c->t0 = arch_time_ns();
	insn_marker_start();
}

static void bench_report(struct blk *b, const struct bench_job *j, u32 qd, u32 ops,
			 const struct bench_costs *c)
{
	u64 ns;

	insn_marker_stop();
	ns = arch_time_ns() - c->t0;
	kprintf("BENCH side=ordo job=%s bs=%u qd=%u ops=%u ns=%llu cmds=%llu flushes=%llu "
		"doorbells=%llu\n",
		j->name, j->bs, qd, ops, (unsigned long long)ns,
		(unsigned long long)(blk_dev_stats(b)->commands - c->cmds),
		(unsigned long long)(blk_stats(b)->flushes_sent - c->flushes),
		(unsigned long long)(blk_dev_stats(b)->kicks - c->kicks));
}

/* xorshift64: the same offsets on every run. */
static u64 bench_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The sector of operation `i` of a block job over `nblocks` blocks of bs. */
static u64 bench_sector(const struct bench_job *j, u64 *seed, u32 i, u64 nblocks)
{
	u64 block = j->random ? bench_rand(seed) % nblocks : i % nblocks;

	return block * (j->bs / BLK_SECTOR_SIZE);
}

/* `n` requests, at most `qd` at the device, each slot reused once it is done. */
static int bench_block(struct blk *b, const struct bench_job *j, u32 qd, u32 n, u8 *buf)
{
	static struct blk_req reqs[BENCH_QD_MAX];
	u64 nblocks = MIN(blk_info(b)->capacity * BLK_SECTOR_SIZE, BENCH_REGION) / j->bs;
	u64 seed = 0x9e3779b97f4a7c15ull;
	struct bench_costs c;
	u32 submitted = 0, done = 0;
	int err = 0;

	memset(reqs, 0, sizeof(reqs));
	bench_costs_start(b, &c);
	for (u32 slot = 0; done < n && !err; slot = (slot + 1) % qd) {
		struct blk_req *r = &reqs[slot];

		if (r->len) {
			err = blk_wait(b, r);
			r->len = 0;
			done++;
		}
		if (err || submitted == n)
			continue;
		*r = (struct blk_req){
			.op = j->op,
			.sector = bench_sector(j, &seed, submitted, nblocks),
			.buf = buf + (size_t)slot * j->bs,
			.len = j->bs,
		};
		err = blk_submit(b, r);
		submitted++;
	}
	if (err) {
		blk_drain(b);
		return err; /* no stop marker: the next start begins afresh */
	}
	bench_report(b, j, qd, n, &c);
	return 0;
}

/* write-flush: each write is durable (blk_sync) before the next is sent. */
static int bench_write_sync(struct blk *b, const struct bench_job *j, u32 n, u8 *buf)
{
	u64 nblocks = MIN(blk_info(b)->capacity * BLK_SECTOR_SIZE, BENCH_REGION) / j->bs;
	u64 seed = 0;
	struct bench_costs c;
	int err = 0;

	bench_costs_start(b, &c);
	for (u32 i = 0; i < n && !err; i++) {
		err = blk_write(b, bench_sector(j, &seed, i, nblocks), buf, j->bs);
		if (!err)
			err = blk_sync(b);
	}
	if (err)
		return err;
	bench_report(b, j, 1, n, &c);
	return 0;
}

/* Format the disk afresh, then n appends of bs bytes, each fsync'ed. */
static int bench_fs(struct blk *b, const struct bench_job *j, u32 n, u8 *buf, const char **why)
{
	struct fs_mount_opts mo = { 0 };
	struct jnl_recovery rep;
	struct bench_costs c;
	struct fs *fs;
	u32 ino;
	int err, n_done = 0;

	*why = "format";
	err = fs_format(b, &(struct fs_mkfs_opts){ .force = true });
	if (!err) {
		*why = "mount";
		fs_cmdline_mount_opts(&mo); /* fs.data=, as the demo's */
		err = fs_mount(b, &mo, &rep, &fs);
	}
	if (err)
		return err;
	*why = "create";
	err = fs_create(fs, "/bench");
	if (!err)
		err = fs_open(fs, "/bench", &ino);
	if (!err) {
		*why = "append";
		bench_costs_start(b, &c);
		for (u32 i = 0; i < n && !err; i++) {
			int w = fs_write(fs, ino, (u64)i * j->bs, buf, j->bs);

			err = w == (int)j->bs ? fs_fsync(fs, ino) : (w < 0 ? w : -ENOSPC);
			n_done += !err;
		}
		if (!err)
			bench_report(b, j, 1, (u32)n_done, &c);
	}
	if (fs_unmount(fs) && !err)
		err = -EIO;
	return err;
}

static const struct bench_job *bench_find(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(bench_jobs); i++)
		if (strlen(bench_jobs[i].name) == len && !memcmp(bench_jobs[i].name, name, len))
			return &bench_jobs[i];
	return NULL;
}

/* Run one job; 0, or -errno after printing why it was skipped. */
static int bench_one(struct kdisk *d, const struct bench_job *j, u32 n, u8 *buf)
{
	struct blk *b = &d->blk;
	const char *why = NULL;
	u64 qd = j->qd;
	int err;

	if (!j->fs && !j->sync_each && cmdline_u64("bench.qd", &qd) == 0)
		qd = MAX(MIN(qd, (u64)BENCH_QD_MAX), 1ull);
	if (j->op == BLK_OP_WRITE && blk_info(b)->read_only) {
		kprintf("BENCH side=ordo job=%s skipped=read-only\n", j->name);
		return -EROFS;
	}
	if (j->fs)
		err = bench_fs(b, j, n, buf, &why);
	else if (j->sync_each)
		err = bench_write_sync(b, j, n, buf);
	else
		err = bench_block(b, j, (u32)qd, n, buf);
	if (err)
		kprintf("BENCH side=ordo job=%s skipped=%s%s%s\n", j->name, why ? why : "",
			why ? ":" : "", errno_name(err));
	return err;
}

int bench_jobs_run(struct kdisk *d, const char *list, u8 *buf, size_t buf_bytes)
{
	u64 n = BENCH_N_DEFAULT;
	int failed = 0;

	BUG_ON(buf_bytes < (size_t)BENCH_QD_MAX * (128u << 10));
	if (cmdline_u64("bench.n", &n) == 0)
		n = MAX(MIN(n, 1000000ull), 1ull);
	memset(buf, 0x5a, buf_bytes);
	for (const char *p = list; *p;) {
		size_t len = 0;
		bool all;

		while (p[len] && p[len] != ',')
			len++;
		all = len == 3 && !memcmp(p, "all", 3);

		for (size_t i = 0; i < ARRAY_SIZE(bench_jobs); i++) {
			const struct bench_job *j = all ? &bench_jobs[i] : bench_find(p, len);

			if (!j) {
				kprintf("bench: no job '%.*s' (jobs: randread-qd1 randread-qd32 "
					"randwrite-qd1 seqread-qd16 seqwrite-qd16 write-flush "
					"fs-append-4k fs-append-64 all)\n",
					(int)len, p);
				return 1;
			}
			failed += bench_one(d, j, (u32)n, buf) != 0;
			if (!all)
				break;
		}
		p += len + (p[len] == ',');
	}
	kprintf("bench: jobs %s on %s\n", failed ? "FAILED" : "done", blk_info(&d->blk)->name);
	return failed ? 1 : 0;
}
