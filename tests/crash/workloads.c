/*
 * tests/crash/workloads.c - the table of scripted workloads.
 *
 * A workload is a function over the helpers of workload.h plus a table
 * entry saying what it runs on: logical block size, disk and journal
 * sizes, cache on or off, classic or checksummed commits, internal or
 * external journal.  One function appears in several entries to cover
 * those variants.  `mutants` names the seeded journal bugs (jnl_mutant.h)
 * an entry is meant to expose: a mutant binary runs only those entries.
 */
#include <stdio.h>

#include "tests/crash/workload.h"
#include "lib/errno.h"
#include "tests/host/test_util.h"

/* create, append and fsync: the basic durability promise */
static void w_append_fsync(struct wl_ctx *c)
{
	wl_create(c, "/a");
	for (u32 i = 0; i < 3; i++) {
		wl_append(c, "/a", 3000 + 1000 * i, 10 + i);
		wl_fsync(c, "/a");
	}
	wl_create(c, "/b");
	wl_append(c, "/b", 9000, 20);
	wl_append(c, "/a", 500, 21);
	wl_fsync(c, "/b");
}

/* the atomic-replace idiom: write a temporary, fsync, rename over */
static void w_rename_over(struct wl_ctx *c)
{
	wl_create(c, "/cfg");
	wl_write(c, "/cfg", 0, 5000, 1);
	wl_fsync(c, "/cfg");
	for (u32 i = 0; i < 3; i++) {
		wl_create(c, "/cfg.tmp");
		wl_write(c, "/cfg.tmp", 0, 3000 + 2500 * i, 2 + i);
		wl_fsync(c, "/cfg.tmp");
		wl_rename(c, "/cfg.tmp", "/cfg");
		wl_fsync(c, "/cfg");
	}
}

/* truncate down, up (a hole), to zero, and write after each */
static void w_truncate(struct wl_ctx *c)
{
	wl_create(c, "/t");
	wl_write(c, "/t", 0, 40 * KiB, 1);
	wl_fsync(c, "/t");
	wl_truncate(c, "/t", 5000);
	wl_fsync(c, "/t");
	wl_truncate(c, "/t", 70000);
	wl_write(c, "/t", 70000, 3000, 2);
	wl_fsync(c, "/t");
	wl_truncate(c, "/t", 0);
	wl_sync(c);
	wl_append(c, "/t", 6000, 3);
	wl_sync(c);
}

/* unlink files and reuse their inodes and blocks */
static void w_unlink(struct wl_ctx *c)
{
	static const char *const names[] = { "/u0", "/u1", "/u2", "/u3", "/u4" };

	for (u32 i = 0; i < ARRAY_SIZE(names); i++) {
		wl_create(c, names[i]);
		wl_write(c, names[i], 0, 4096 * (i + 1), 30 + i);
	}
	wl_sync(c);
	wl_unlink(c, "/u1");
	wl_unlink(c, "/u3");
	wl_expect_unlink(c, "/u3", -ENOENT);
	wl_expect_create(c, "/u2", -EEXIST);
	wl_sync(c);
	wl_create(c, "/v");
	wl_write(c, "/v", 0, 12000, 40);
	wl_unlink(c, "/u0");
	wl_fsync(c, "/v");
}

/* directory churn: mkdir, fill, rename directories, rmdir */
static void w_dir_churn(struct wl_ctx *c)
{
	wl_mkdir(c, "/d1");
	wl_mkdir(c, "/d1/d2");
	wl_create(c, "/d1/d2/f");
	wl_write(c, "/d1/d2/f", 0, 2000, 1);
	wl_mkdir(c, "/e");
	wl_sync(c);
	wl_rename(c, "/d1", "/e/moved");
	wl_sync(c);
	wl_rename(c, "/e/moved/d2/f", "/f");
	wl_unlink(c, "/e/moved/d2");
	wl_sync(c);
	wl_unlink(c, "/e/moved");
	wl_mkdir(c, "/e/again");
	wl_rename(c, "/e", "/g");
	wl_sync(c);
}

/* fill the disk to -ENOSPC, then delete and write again */
static void w_enospc(struct wl_ctx *c)
{
	wl_create(c, "/keep");
	wl_write(c, "/keep", 0, 8000, 1);
	wl_fsync(c, "/keep");
	wl_create(c, "/big");
	wl_fill(c, "/big", 2);
	wl_fsync(c, "/big");
	wl_create(c, "/x"); /* inodes remain */
	wl_unlink(c, "/big");
	wl_sync(c);
	wl_append(c, "/keep", 20000, 3);
	wl_fsync(c, "/keep");
}

/* many small fsyncs: a log file */
static void w_small_fsyncs(struct wl_ctx *c)
{
	wl_create(c, "/log");
	for (u32 i = 0; i < 40; i++) {
		wl_append(c, "/log", 100 + 37 * (i % 5), 100 + i);
		wl_fsync(c, "/log");
	}
}

/* a sparse file crossing the direct, indirect and double-indirect maps */
static void w_bigfile(struct wl_ctx *c)
{
	const u64 ind = (u64)OFS_NDIRECT * OFS_BLOCK_SIZE;
	const u64 dind = ind + (u64)OFS_PTRS_PER_BLOCK * OFS_BLOCK_SIZE;

	wl_create(c, "/big");
	wl_write(c, "/big", 0, 3 * OFS_BLOCK_SIZE, 1);
	wl_write(c, "/big", ind - 2000, 4000, 2); /* last direct, first indirect */
	wl_fsync(c, "/big");
	wl_write(c, "/big", dind - 3000, 6000, 3); /* last indirect, first double */
	wl_fsync(c, "/big");
	wl_write(c, "/big", dind + 3 * (u64)OFS_PTRS_PER_BLOCK * OFS_BLOCK_SIZE, 5000, 4);
	wl_fsync(c, "/big");
	wl_truncate(c, "/big", dind + 100);
	wl_fsync(c, "/big");
	wl_truncate(c, "/big", ind - 10);
	wl_fsync(c, "/big");
	wl_truncate(c, "/big", 0);
	wl_sync(c);
}

/* overwrite blocks in place */
static void w_overwrite(struct wl_ctx *c)
{
	wl_create(c, "/o");
	wl_write(c, "/o", 0, 64 * KiB, 1);
	wl_fsync(c, "/o");
	for (u32 i = 0; i < 8; i++) {
		wl_write(c, "/o", (u64)(i * 7919) % (60 * KiB), 3000 + 500 * i, 10 + i);
		wl_fsync(c, "/o");
	}
}

/* sync versus fsync: fsync of one file commits everyone's changes */
static void w_sync_fsync(struct wl_ctx *c)
{
	wl_create(c, "/p");
	wl_create(c, "/q");
	wl_write(c, "/p", 0, 5000, 1);
	wl_write(c, "/q", 0, 7000, 2);
	wl_fsync(c, "/p");
	wl_write(c, "/q", 7000, 100, 3);
	wl_create(c, "/r");
	wl_sync(c);
	wl_write(c, "/r", 0, 9000, 4);
	wl_fsync(c, "/q");
}

/* many files in one directory: it grows past one block */
static void w_many_files(struct wl_ctx *c)
{
	char name[32];

	wl_mkdir(c, "/m");
	for (u32 i = 0; i < 140; i++) {
		snprintf(name, sizeof(name), "/m/file-%03u", i);
		wl_create(c, name);
		if (i % 10 == 0)
			wl_write(c, name, 0, 100 + i, i);
		if (i % 35 == 34)
			wl_sync(c);
	}
	for (u32 i = 0; i < 140; i += 3) {
		snprintf(name, sizeof(name), "/m/file-%03u", i);
		wl_unlink(c, name);
	}
	wl_sync(c);
}

/* nested paths */
static void w_nested(struct wl_ctx *c)
{
	static const char *const dirs[] = { "/n",	"/n/a",	      "/n/a/b",
					    "/n/a/b/c", "/n/a/b/c/d", "/n/a/b/c/d/e" };

	for (u32 i = 0; i < ARRAY_SIZE(dirs); i++)
		wl_mkdir(c, dirs[i]);
	wl_create(c, "/n/a/b/c/d/e/leaf");
	wl_write(c, "/n/a/b/c/d/e/leaf", 0, 4500, 1);
	wl_sync(c);
	wl_rename(c, "/n/a/b", "/n/b");
	wl_create(c, "/n/b/c/top");
	wl_sync(c);
	wl_rename(c, "/n/b/c/d/e/leaf", "/n/leaf");
	wl_unlink(c, "/n/b/c/d/e");
	wl_fsync(c, "/n/leaf");
}

/* rename chains, across directories, over files */
static void w_rename_chain(struct wl_ctx *c)
{
	wl_create(c, "/a");
	wl_write(c, "/a", 0, 3000, 1);
	wl_create(c, "/x");
	wl_write(c, "/x", 0, 1000, 2);
	wl_mkdir(c, "/dir");
	wl_sync(c);
	wl_rename(c, "/a", "/b");
	wl_rename(c, "/b", "/c");
	wl_fsync(c, "/c");
	wl_rename(c, "/c", "/dir/d");
	wl_rename(c, "/x", "/dir/d"); /* over a file */
	wl_sync(c);
	wl_rename(c, "/dir/d", "/a");
	wl_fsync(c, "/a");
}

/* interleaved appends to several files, fsync of one per round */
static void w_interleaved(struct wl_ctx *c)
{
	static const char *const f[] = { "/i0", "/i1", "/i2", "/i3" };

	for (u32 i = 0; i < ARRAY_SIZE(f); i++)
		wl_create(c, f[i]);
	for (u32 round = 0; round < 6; round++) {
		for (u32 i = 0; i < ARRAY_SIZE(f); i++)
			wl_append(c, f[i], 700 + 300 * ((round + i) % 4), round * 4 + i);
		wl_fsync(c, f[round % ARRAY_SIZE(f)]);
	}
}

/* enough commits on a small journal that the log wraps, with checkpoints */
static void w_log_wrap(struct wl_ctx *c)
{
	wl_create(c, "/w");
	wl_create(c, "/z");
	for (u32 i = 0; i < 24; i++) {
		wl_write(c, i % 2 ? "/w" : "/z", (u64)(i % 6) * 4096, 2500 + 100 * i, i);
		wl_fsync(c, "/w");
	}
}

/*
 * Many laps of a journal: the record after the live log is often an old
 * header from an earlier lap, with the right uuid and checksums; only its
 * sequence number says it is not the transaction expected next.
 */
static void w_seq_wrap_pre(struct wl_ctx *c)
{
	wl_create(c, "/s");
	wl_write(c, "/s", 0, OFS_BLOCK_SIZE, 1);
}

static void w_seq_wrap(struct wl_ctx *c)
{
	for (u32 i = 0; i < 300; i++) {
		wl_write(c, "/s", 0, OFS_BLOCK_SIZE, 100 + i);
		wl_fsync(c, "/s");
	}
}

/*
 * Free a file's blocks and reuse them at once on a full disk.  With
 * data=ordered the new file's blocks go home with its commit; if they
 * were the ones just freed, by an unlink not yet durable (or named by a
 * transaction still in the log), a crash would show the old file holding
 * the new one's data.  The filesystem must checkpoint first.
 */
/* Fill the disk, unlink /u, and write /v: only /u's blocks are free. */
static void fill_then_reuse(struct wl_ctx *c)
{
	wl_create(c, "/fill");
	wl_fill(c, "/fill", 3);
	wl_sync(c);
	wl_unlink(c, "/u");
	wl_create(c, "/v");
	wl_write(c, "/v", 0, 3 * OFS_BLOCK_SIZE, 4);
	wl_fsync(c, "/v");
}

static void w_reuse_full(struct wl_ctx *c)
{
	wl_create(c, "/u");
	wl_write(c, "/u", 0, 3 * OFS_BLOCK_SIZE - 100, 1);
	wl_fsync(c, "/u");
	wl_append(c, "/u", 100, 2); /* a DELTA of its last block, in the log */
	wl_fsync(c, "/u");
	fill_then_reuse(c);
}

/*
 * Online discard (mount option): unlinked and truncated blocks are
 * DISCARDed when released, after two checkpoints (forced here by a full
 * disk: fs_reclaim), and reused at once; one file is written and unlinked
 * inside one transaction (its data is in that commit's crc list).  A
 * DISCARD before the free is durable zeroes blocks the durable state
 * still holds; the engine also judges every state with the DISCARDs'
 * old data kept (enum.h).
 */
static void w_discard(struct wl_ctx *c)
{
	wl_create(c, "/k");
	wl_write(c, "/k", 0, 4 * OFS_BLOCK_SIZE, 5);
	wl_create(c, "/u");
	wl_write(c, "/u", 0, 3 * OFS_BLOCK_SIZE - 100, 1);
	wl_fsync(c, "/u");
	wl_create(c, "/tmp");
	wl_write(c, "/tmp", 0, 2 * OFS_BLOCK_SIZE, 6);
	wl_unlink(c, "/tmp");
	wl_truncate(c, "/k", 5000);
	wl_fsync(c, "/k");
	fill_then_reuse(c);
	wl_truncate(c, "/fill", 2 * OFS_BLOCK_SIZE);
	wl_append(c, "/k", 3 * OFS_BLOCK_SIZE, 7);
	wl_sync(c);
}

/*
 * Reformat over a used journal: its records must never come back.  The
 * first transaction after the reformat has the same size as the old first
 * one, so the old second transaction's header sits exactly where the
 * next record would go, with the sequence number recovery expects next:
 * only the uuid tells it apart.
 */
static void w_stale_pre(struct wl_ctx *c)
{
	wl_create(c, "/old");
	wl_write(c, "/old", 0, 6000, 1);
	wl_fsync(c, "/old");
	wl_mkdir(c, "/olddir");
	wl_fsync(c, "/old");
	wl_create(c, "/olddir/f");
	wl_sync(c);
}

static void w_stale(struct wl_ctx *c)
{
	wl_create(c, "/new");
	wl_write(c, "/new", 0, 6000, 2);
	wl_fsync(c, "/new");
	wl_append(c, "/new", 100, 3);
	wl_fsync(c, "/new");
}

/*
 * Group commit: four threads each append to a file of their own and fsync
 * it, three times, all at once.  While one fsync's commit has its FLUSH in
 * flight the others' appends join the next transaction and their fsyncs
 * wait for it, so commits hold several threads' changes (the cooperative
 * scheduler of lib/sched.h switches only where a thread waits: the
 * simulated disk completes requests over several polls, so every FLUSH
 * lets the others run).
 */
#define GC_THREADS 4

struct gc_arg {
	struct wl_ctx *c;
	char path[16];
	u32 id, rounds, stagger;
};

static void gc_thread(void *arg)
{
	struct gc_arg *a = arg;

	for (u32 i = 0; i < a->rounds && !a->c->stop; i++) {
		wl_append(a->c, a->path, 1500 + 700 * a->id + 300 * i, 40 + 8 * a->id + i);
		/* Stagger the fsyncs: some come while a commit is in flight. */
		for (u32 k = 0; k < (a->id + i) % a->stagger; k++)
			thread_yield();
		wl_fsync(a->c, a->path);
	}
}

static void gc_run(struct wl_ctx *c, u32 nthreads, u32 rounds, u32 stagger)
{
	struct thread *t[GC_THREADS];
	struct gc_arg a[GC_THREADS];
	u32 n = 0;

	for (u32 i = 0; i < nthreads; i++) {
		a[i] = (struct gc_arg){ .c = c, .id = i, .rounds = rounds, .stagger = stagger };
		snprintf(a[i].path, sizeof(a[i].path), "/g%u", i);
		wl_create(c, a[i].path);
	}
	wl_sync(c);
	if (!sched_running())
		sched_init(NULL);
	for (; n < nthreads; n++) {
		if (thread_create(&t[n], gc_thread, &a[n], 0, NULL)) {
			rec_violation(c->r, V_WORKLOAD, "thread_create failed");
			break;
		}
	}
	while (n)
		thread_join(t[--n]);
	wl_sync(c);
}

static void w_group_commit(struct wl_ctx *c)
{
	gc_run(c, GC_THREADS, 3, GC_THREADS);
}

/*
 * Two threads, no stagger: an fsync follows its own append while the
 * other thread's commit is in flight and nobody else waits for the lock.
 */
static void w_group_commit_pair(struct wl_ctx *c)
{
	gc_run(c, 2, 5, 1);
}

/* Which seeded bugs a kind of workload is meant to expose. */
#define MUT_COMMIT (MUT_NO_DRAIN | MUT_NO_FLUSH_AFTER_COMMIT)
#define MUT_CLASSIC (MUT_COMMIT | MUT_NO_FLUSH_BEFORE_COMMIT | MUT_COMMIT_FIRST)
#define MUT_CSUM (MUT_COMMIT | MUT_NO_CSUM_VERIFY | MUT_CSUM_SKIPS_BLOCK)
#define MUT_CKPT (MUT_TAIL_EARLY | MUT_REUSE_EARLY)
#define MUT_GC (MUT_GC_EARLY_ACK | MUT_GC_RUNNING_LOST | MUT_GC_UNLOCK_EARLY)
/* data=ordered: new blocks home with the commit, deltas, block reuse. */
#define MUT_ORDERED                                                            \
	(MUT_COMMIT_BEFORE_DATA | MUT_NO_DATA_CHECK | MUT_OVERWRITE_IN_PLACE | \
	 MUT_DELTA_NO_RESTAMP | MUT_DELTA_FIRST)
#define MUT_DISCARD (MUT_DISCARD_EARLY | MUT_DISCARD_NO_CKPT)

/* Unless an entry says otherwise: internal journal, checksummed commits,
 * data=ordered, the full state budget (cost 0 = 100%).  The "-dj" entries
 * run the same workloads with data=journal. */
/* clang-format off */
const struct wl_def wl_table[] = {
	{ .name = "group-commit", .run = w_group_commit, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .threads = true,
	  .mutants = MUT_GC | MUT_CSUM | MUT_ORDERED },
	{ .name = "group-commit-pair", .run = w_group_commit_pair, .block_size = 4096,
	  .disk_kib = 2048, .journal_blocks = 64, .cache = true, .threads = true,
	  .mutants = MUT_GC },
	{ .name = "group-commit-dj", .run = w_group_commit, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .threads = true, .data_journal = true,
	  .mutants = MUT_GC },
	{ .name = "group-commit-classic-512", .run = w_group_commit, .block_size = 512,
	  .disk_kib = 2048, .journal_blocks = 64, .cache = true, .threads = true, .classic = true,
	  .mutants = MUT_GC | MUT_CLASSIC },
	{ .name = "group-commit-nocache", .run = w_group_commit, .block_size = 4096,
	  .disk_kib = 2048, .journal_blocks = 64, .threads = true, .mutants = MUT_GC },
	{ .name = "append-fsync", .run = w_append_fsync, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .mutants = MUT_CSUM | MUT_CKPT | MUT_ORDERED },
	{ .name = "append-fsync-dj", .run = w_append_fsync, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .data_journal = true,
	  .mutants = MUT_CSUM | MUT_CKPT },
	{ .name = "append-fsync-classic", .run = w_append_fsync, .block_size = 4096,
	  .disk_kib = 2048, .journal_blocks = 64, .cache = true, .classic = true,
	  .mutants = MUT_CLASSIC },
	{ .name = "append-fsync-512", .run = w_append_fsync, .block_size = 512, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .mutants = MUT_CSUM },
	{ .name = "append-fsync-nocache", .run = w_append_fsync, .block_size = 4096,
	  .disk_kib = 2048, .journal_blocks = 64, .cache = false, .cost = 60 },
	{ .name = "rename-over", .run = w_rename_over, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .mutants = MUT_CSUM },
	{ .name = "rename-over-classic-512", .run = w_rename_over, .block_size = 512,
	  .disk_kib = 2048, .journal_blocks = 64, .cache = true, .classic = true,
	  .mutants = MUT_CLASSIC },
	{ .name = "truncate", .run = w_truncate, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .mutants = MUT_CSUM },
	{ .name = "unlink-reuse", .run = w_unlink, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .classic = true, .mutants = MUT_CLASSIC },
	{ .name = "reuse-full", .run = w_reuse_full, .block_size = 4096, .disk_kib = 1024,
	  .journal_blocks = 64, .cache = true, .mutants = MUT_REUSE_BEFORE_CKPT | MUT_ORDERED },
	{ .name = "discard", .run = w_discard, .block_size = 4096, .disk_kib = 1024,
	  .journal_blocks = 64, .cache = true, .discard = true, .mutants = MUT_DISCARD },
	{ .name = "discard-dj", .run = w_discard, .block_size = 4096, .disk_kib = 1024,
	  .journal_blocks = 64, .cache = true, .data_journal = true, .discard = true,
	  .mutants = MUT_DISCARD },
	{ .name = "discard-nocache-512", .run = w_discard, .block_size = 512, .disk_kib = 1024,
	  .journal_blocks = 64, .discard = true, .cost = 60, .mutants = MUT_DISCARD },
	{ .name = "unlink-reuse-dj", .run = w_unlink, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .classic = true, .data_journal = true,
	  .mutants = MUT_CLASSIC },
	{ .name = "dir-churn", .run = w_dir_churn, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .mutants = MUT_CSUM },
	{ .name = "dir-churn-nocache-512", .run = w_dir_churn, .block_size = 512,
	  .disk_kib = 2048, .journal_blocks = 64, .cache = false, .classic = true, .cost = 60 },
	{ .name = "enospc", .run = w_enospc, .block_size = 4096, .disk_kib = 1024,
	  .journal_blocks = 64, .cache = true },
	{ .name = "small-fsyncs", .run = w_small_fsyncs, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 32, .cache = true,
	  .mutants = MUT_CSUM | MUT_CKPT | MUT_ORDERED | MUT_DATA_CHECK_ALL },
	{ .name = "small-fsyncs-dj", .run = w_small_fsyncs, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 32, .cache = true, .data_journal = true,
	  .mutants = MUT_CSUM | MUT_CKPT },
	{ .name = "small-fsyncs-classic-512", .run = w_small_fsyncs, .block_size = 512,
	  .disk_kib = 2048, .journal_blocks = 32, .cache = true, .classic = true,
	  .mutants = MUT_CLASSIC | MUT_CKPT },
	{ .name = "bigfile", .run = w_bigfile, .block_size = 4096, .disk_kib = 4096,
	  .journal_blocks = 64, .cache = true, .cost = 60 },
	{ .name = "overwrite", .run = w_overwrite, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .mutants = MUT_CSUM | MUT_ORDERED },
	{ .name = "overwrite-dj", .run = w_overwrite, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .data_journal = true, .mutants = MUT_CSUM },
	{ .name = "sync-vs-fsync", .run = w_sync_fsync, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .classic = true, .mutants = MUT_CLASSIC },
	{ .name = "many-files", .run = w_many_files, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .ninodes = 256, .cache = true, .cost = 60 },
	{ .name = "nested", .run = w_nested, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true },
	{ .name = "rename-chain", .run = w_rename_chain, .block_size = 512, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true },
	{ .name = "interleaved", .run = w_interleaved, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 64, .cache = true, .mutants = MUT_CSUM },
	{ .name = "log-wrap", .run = w_log_wrap, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 32, .cache = true,
	  .mutants = MUT_CKPT | MUT_CSUM | MUT_ORDERED | MUT_DATA_CHECK_ALL },
	{ .name = "log-wrap-dj", .run = w_log_wrap, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 32, .cache = true, .data_journal = true,
	  .mutants = MUT_CKPT | MUT_CSUM },
	{ .name = "log-wrap-classic", .run = w_log_wrap, .block_size = 4096, .disk_kib = 2048,
	  .journal_blocks = 32, .cache = true, .classic = true, .mutants = MUT_CKPT | MUT_CLASSIC },
	{ .name = "ext-journal", .run = w_rename_over, .block_size = 4096, .disk_kib = 2048,
	  .jdisk_kib = 512, .journal_blocks = 64, .cache = true,
	  .mutants = MUT_CSUM | MUT_CKPT | MUT_ORDERED },
	{ .name = "ext-journal-dj", .run = w_rename_over, .block_size = 4096, .disk_kib = 2048,
	  .jdisk_kib = 512, .journal_blocks = 64, .cache = true, .data_journal = true,
	  .mutants = MUT_CSUM | MUT_CKPT },
	{ .name = "ext-journal-classic", .run = w_log_wrap, .block_size = 4096, .disk_kib = 2048,
	  .jdisk_kib = 512, .journal_blocks = 32, .cache = true, .classic = true,
	  .mutants = MUT_CLASSIC | MUT_CKPT },
	{ .name = "ext-journal-nocache", .run = w_append_fsync, .block_size = 4096,
	  .disk_kib = 2048, .jdisk_kib = 512, .journal_blocks = 64, .cache = false, .cost = 60 },
	{ .name = "stale-journal", .run = w_stale, .pre = w_stale_pre, .block_size = 4096,
	  .disk_kib = 2048, .journal_blocks = 64, .cache = true, .reformat = true,
	  .mutants = MUT_STALE_UUID },
	{ .name = "seq-wrap", .run = w_seq_wrap, .pre = w_seq_wrap_pre, .block_size = 4096,
	  .disk_kib = 8192, .journal_blocks = 257, .cache = true, .mutants = MUT_SEQ_WRAP,
	  .cost = 40 },
};
/* clang-format on */

const u32 wl_count = ARRAY_SIZE(wl_table);
