/*
 * kernel/ktest/ktest_fs.c - KTAP cases for ordofs on a real disk.
 *
 * They run once, on the first writable disk, after the block cases (which
 * leave the disk full of test patterns): format, files of every size class
 * (direct, indirect, double indirect), directories, rename and unlink, a
 * remount that must find everything, fsck, FLUSHes per commit measured at
 * the driver in every commit mode the device allows, and a full disk.
 */
#include "kernel/ktest/ktest.h"

#include "kernel/cmdline.h"
#include "kernel/fs/fs.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/string.h"

static struct kdisk *ktfs_disk(void)
{
	for (unsigned i = 0; i < nkdisks; i++) {
		if (kt_may_write(&kdisks[i]))
			return &kdisks[i];
	}
	return NULL;
}

static int ktfs_mount_opts(struct kdisk *d, const struct fs_mount_opts *mo, struct fs **fs)
{
	return fs_mount(&d->blk, mo, NULL, fs);
}

static int ktfs_mount(struct kdisk *d, bool classic, struct fs **fs)
{
	return ktfs_mount_opts(d, &(struct fs_mount_opts){ .classic_commit = classic }, fs);
}

static u32 ktfs_ino(struct fs *fs, const char *path)
{
	u32 ino = 0;

	fs_open(fs, path, &ino);
	return ino;
}

/* Write `len` pattern bytes to a new file, read them back, compare. */
static void ktfs_file(struct ktap *k, struct fs *fs, const char *path, u32 len, u32 salt)
{
	struct fs_stat st;
	u32 ino;
	int n;

	KT_ASSERT(k, fs_create(fs, path) == 0);
	KT_ASSERT(k, fs_open(fs, path, &ino) == 0);
	kt_fill(kt_wbuf, len, 0, salt);
	n = fs_write(fs, ino, 0, kt_wbuf, len);
	KT_EXPECT_EQ(k, n, len);
	KT_EXPECT_EQ(k, fs_fsync(fs, ino), 0);
	memset(kt_rbuf, 0, len);
	KT_EXPECT_EQ(k, fs_read(fs, ino, 0, kt_rbuf, len), len);
	KT_EXPECT(k, memcmp(kt_wbuf, kt_rbuf, len) == 0);
	KT_EXPECT_EQ(k, fs_stat(fs, path, &st), 0);
	KT_EXPECT_EQ(k, st.size, len);
}

/* Sizes: inside the direct blocks, into the indirect and dindirect ones. */
static const u32 ktfs_sizes[] = { 1, 4096, 12 * 4096 + 17, 1u << 20, (12 + 1020) * 4096 + 4096 };

static void ktfs_basic(struct ktap *k, struct kdisk *d)
{
	struct fs *fs;
	char path[32];

	KT_ASSERT(k, fs_format(&d->blk, &(struct fs_mkfs_opts){ .force = true }) == 0);
	KT_ASSERT(k, ktfs_mount(d, false, &fs) == 0);
	KT_EXPECT_EQ(k, fs_mkdir(fs, "/t"), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(ktfs_sizes); i++) {
		if (ktfs_sizes[i] > KT_BUF_BYTES)
			continue;
		snprintf(path, sizeof(path), "/t/f%u", i);
		ktfs_file(k, fs, path, ktfs_sizes[i], i);
	}
	KT_EXPECT_EQ(k, fs_rename(fs, "/t/f0", "/t/f1"), 0); /* replaces f1 */
	KT_EXPECT_EQ(k, fs_unlink(fs, "/t/f2"), 0);
	KT_EXPECT_EQ(k, fs_unlink(fs, "/t"), -ENOTEMPTY);
	KT_EXPECT_EQ(k, fs_create(fs, "/t/f1"), -EEXIST);
	KT_EXPECT_EQ(k, fs_sync(fs), 0);
	KT_EXPECT_EQ(k, fs_unmount(fs), 0);
}

static int ktfs_count(void *ctx, const char *name, u32 ino, u8 type)
{
	(void)name;
	(void)ino;
	(void)type;
	(*(unsigned *)ctx)++;
	return 0;
}

/* Everything ktfs_basic left must be there after a remount; fsck clean. */
static void ktfs_remount(struct ktap *k, struct kdisk *d)
{
	struct fs_stat st;
	unsigned entries = 0;
	struct fs *fs;
	u32 ino;

	KT_ASSERT(k, ktfs_mount(d, false, &fs) == 0);
	KT_EXPECT_EQ(k, fs_readdir(fs, "/t", ktfs_count, &entries), 0);
	KT_EXPECT_EQ(k, entries, 3); /* f1 (was f0), f3, f4 */
	KT_EXPECT_EQ(k, fs_stat(fs, "/t/f1", &st), 0);
	KT_EXPECT_EQ(k, st.size, ktfs_sizes[0]);
	KT_EXPECT_EQ(k, fs_stat(fs, "/t/f2", &st), -ENOENT);
	if (fs_open(fs, "/t/f3", &ino) == 0) {
		kt_fill(kt_wbuf, ktfs_sizes[3], 0, 3);
		KT_EXPECT_EQ(k, fs_read(fs, ino, 0, kt_rbuf, ktfs_sizes[3]), ktfs_sizes[3]);
		KT_EXPECT(k, memcmp(kt_wbuf, kt_rbuf, ktfs_sizes[3]) == 0);
	} else {
		KT_EXPECT(k, false);
	}
	KT_EXPECT_EQ(k, fs_unmount(fs), 0);
	KT_EXPECT_EQ(k, fs_fsck(&d->blk, NULL, false), 0);
}

/* FLUSH commands per commit, as the block layer sent them, in both commit modes. */
static void ktfs_flushes(struct ktap *k, struct kdisk *d)
{
	bool volatile_cache = blk_info(&d->blk)->volatile_cache && !d->blk.ignore_flush;

	for (int classic = 0; classic < 2; classic++) {
		struct fs *fs;
		u64 f0, c0, flushes, commits;
		u32 ino;

		KT_ASSERT(k, ktfs_mount(d, classic, &fs) == 0);
		KT_ASSERT(k, fs_create(fs, classic ? "/c1" : "/c0") == 0);
		KT_ASSERT(k, fs_open(fs, classic ? "/c1" : "/c0", &ino) == 0);
		f0 = blk_stats(&d->blk)->flushes_sent;
		c0 = fs_jnl_stats(fs)->commits;
		for (u32 i = 0; i < 20; i++) {
			KT_EXPECT_EQ(k, fs_write(fs, ino, i * 100, kt_wbuf, 100), 100);
			KT_EXPECT_EQ(k, fs_fsync(fs, ino), 0);
		}
		flushes = blk_stats(&d->blk)->flushes_sent - f0;
		commits = fs_jnl_stats(fs)->commits - c0;
		kprintf("# %s: %s commit: %llu commits, %llu FLUSH commands\n",
			blk_info(&d->blk)->name, classic ? "classic" : "checksummed",
			(unsigned long long)commits, (unsigned long long)flushes);
		KT_EXPECT(k, commits >= 20);
		/* Checkpoints may add FLUSHes of their own, counted separately. */
		KT_EXPECT(k, flushes <= commits * (volatile_cache ? (classic ? 2u : 1u) : 0u) +
						2 * fs_jnl_stats(fs)->checkpoints);
		if (volatile_cache)
			KT_EXPECT(k, flushes >= commits * (classic ? 2u : 1u));
		else
			KT_EXPECT_EQ(k, flushes, 0);
		KT_EXPECT_EQ(k, fs_unmount(fs), 0);
	}
}

/*
 * Doorbells per durable 4 KiB append: the commit's writes go out as one
 * batch and its FLUSH as another, so at most two per commit (renotifies of
 * a stalled ring aside) when the ring holds the commit; a checkpoint adds
 * at most four (home writes, their FLUSH, the tail, its FLUSH).
 */
/* Ring entries that hold a 4 KiB append's whole commit, with room to spare. */
#define KTFS_BATCH_RING 64u

static void ktfs_doorbells(struct ktap *k, struct kdisk *d)
{
	const struct blk_dev_stats *st = blk_dev_stats(&d->blk);
	u64 k0, c0, p0, kicks, commits, checkpoints;
	struct fs *fs;
	u32 ino, bs = 4096;

	KT_ASSERT(k, ktfs_mount(d, false, &fs) == 0);
	KT_ASSERT(k, fs_create(fs, "/db") == 0);
	KT_ASSERT(k, fs_open(fs, "/db", &ino) == 0);
	KT_ASSERT(k, fs_fsync(fs, ino) == 0);
	k0 = st->kicks - st->renotifies;
	c0 = fs_jnl_stats(fs)->commits;
	p0 = fs_jnl_stats(fs)->checkpoints;
	for (u32 i = 0; i < 16; i++) {
		KT_EXPECT_EQ(k, fs_write(fs, ino, i * bs, kt_wbuf, bs), (int)bs);
		KT_EXPECT_EQ(k, fs_fsync(fs, ino), 0);
	}
	kicks = st->kicks - st->renotifies - k0;
	commits = fs_jnl_stats(fs)->commits - c0;
	checkpoints = fs_jnl_stats(fs)->checkpoints - p0;
	kprintf("# %s: 16 appends of 4 KiB, each fsync'ed: %llu commits, %llu checkpoints, "
		"%llu doorbells\n",
		blk_info(&d->blk)->name, (unsigned long long)commits,
		(unsigned long long)checkpoints, (unsigned long long)kicks);
	KT_EXPECT(k, commits >= 16);
	/*
	 * A ring too small for a commit's writes (a 4 KiB write takes three
	 * entries) rings again each time completions make room: correct, and
	 * not what this case measures.
	 */
	if (blk_info(&d->blk)->queue_depth >= KTFS_BATCH_RING)
		KT_EXPECT(k, kicks <= 2 * commits + 4 * checkpoints);
	KT_EXPECT_EQ(k, fs_unmount(fs), 0);
}

/*
 * Device writes and FLUSHes per fsync'ed 4 KiB append, as the journal
 * counted its commits' writes: data=ordered writes the block home and one
 * header (2), data=journal one header and the block's image (2, and the
 * block again at the checkpoint, which is not counted here).  On top of
 * that, whole images: the 13th append's new indirect block, and a block
 * logged for the first time since the last checkpoint (the bitmap block
 * on the first append, the inode and bitmap blocks again after each
 * checkpoint).  One FLUSH per commit with a volatile write cache, none
 * without.  Also: fstat's block count follows the appends.
 */
static void ktfs_writes_per_append(struct ktap *k, struct kdisk *d)
{
	bool volatile_cache = blk_info(&d->blk)->volatile_cache && !d->blk.ignore_flush;

	for (int dj = 0; dj < 2; dj++) {
		const struct jnl_stats *js;
		u64 w0, f0, c0, p0, i0, d0, commits, writes, flushes, extra;
		struct fs_stat st;
		struct fs *fs;
		u32 ino, bs = 4096, n = 16;

		KT_ASSERT(k, ktfs_mount_opts(d, &(struct fs_mount_opts){ .data_journal = dj },
					     &fs) == 0);
		js = fs_jnl_stats(fs);
		KT_ASSERT(k, fs_create(fs, dj ? "/wj" : "/wo") == 0);
		KT_ASSERT(k, fs_open(fs, dj ? "/wj" : "/wo", &ino) == 0);
		KT_ASSERT(k, fs_fsync(fs, ino) == 0);
		w0 = js->log_writes + js->data_blocks;
		f0 = blk_stats(&d->blk)->flushes_sent;
		c0 = js->commits;
		p0 = js->checkpoints;
		i0 = js->blocks;
		d0 = js->data_blocks;
		for (u32 i = 0; i < n; i++) {
			KT_EXPECT_EQ(k, fs_write(fs, ino, i * bs, kt_wbuf, bs), (int)bs);
			KT_EXPECT_EQ(k, fs_fsync(fs, ino), 0);
		}
		commits = js->commits - c0;
		writes = js->log_writes + js->data_blocks - w0;
		flushes = blk_stats(&d->blk)->flushes_sent - f0;
		kprintf("# %s: data=%s: %u appends of 4 KiB, each fsync'ed: %llu commits, %llu "
			"commit writes, %llu FLUSH commands, %llu checkpoints\n",
			blk_info(&d->blk)->name, dj ? "journal" : "ordered", n,
			(unsigned long long)commits, (unsigned long long)writes,
			(unsigned long long)flushes, (unsigned long long)(js->checkpoints - p0));
		extra = 2 + 2 * (js->checkpoints - p0); /* whole images, see above */
		KT_EXPECT_EQ(k, commits, n);
		KT_EXPECT(k, writes > 2 * commits && writes <= 2 * commits + extra);
		KT_EXPECT_EQ(k, js->data_blocks - d0, dj ? 0 : n);
		KT_EXPECT_EQ(k, js->blocks - i0, writes - 2 * commits + (dj ? n : 0));
		if (volatile_cache)
			KT_EXPECT(k, flushes >= commits &&
					     flushes <= commits + 2 * (js->checkpoints - p0));
		else
			KT_EXPECT_EQ(k, flushes, 0);
		KT_EXPECT_EQ(k, fs_fstat(fs, ino, &st), 0);
		KT_EXPECT_EQ(k, st.size, (u64)n * bs);
		KT_EXPECT_EQ(k, st.blocks, n + 1); /* 12 direct, then the indirect block */
		KT_EXPECT_EQ(k, fs_unlink(fs, dj ? "/wj" : "/wo"), 0);
		KT_EXPECT_EQ(k, fs_unmount(fs), 0);
	}
	KT_EXPECT_EQ(k, fs_fsck(&d->blk, NULL, false), 0);
}

/* A full disk gives -ENOSPC, stays consistent, and recovers space. */
static void ktfs_enospc(struct ktap *k, struct kdisk *d)
{
	struct fs_statfs sf;
	struct fs *fs;
	u64 written = 0;
	u32 ino;
	int n = 0;

	KT_ASSERT(k, ktfs_mount(d, false, &fs) == 0);
	KT_ASSERT(k, fs_create(fs, "/big") == 0);
	KT_ASSERT(k, fs_open(fs, "/big", &ino) == 0);
	while ((n = fs_write(fs, ino, written, kt_wbuf, 1u << 20)) > 0)
		written += (u64)n;
	KT_EXPECT_EQ(k, n, -ENOSPC);
	KT_EXPECT_EQ(k, fs_sync(fs), 0);
	KT_EXPECT_EQ(k, fs_statfs(fs, &sf), 0);
	kprintf("# %s: disk full after %llu bytes, %llu blocks free\n", blk_info(&d->blk)->name,
		(unsigned long long)written, (unsigned long long)sf.free_blocks);
	KT_EXPECT_EQ(k, fs_create(fs, "/after"), 0); /* an inode, no data: fits */
	KT_EXPECT_EQ(k, fs_unlink(fs, "/big"), 0);
	KT_EXPECT_EQ(k, fs_unmount(fs), 0);
	KT_EXPECT_EQ(k, fs_fsck(&d->blk, NULL, false), 0);
}

/*
 * Online discard and fs_trim: a file's blocks, unlinked, are DISCARDed
 * by unmount at the latest (after the free is durable and two
 * checkpoints); a trim discards the free space; files and fsck stay good.
 * Without DISCARD the option is ignored and fs_trim() says -EOPNOTSUPP.
 */
static void ktfs_discard(struct ktap *k, struct kdisk *d)
{
	struct fs_mount_opts mo = { .discard = true };
	bool can = blk_info(&d->blk)->discard_max_sectors != 0;
	u64 before = blk_stats(&d->blk)->discards, trimmed = 0;
	struct fs *fs;

	KT_ASSERT(k, ktfs_mount_opts(d, &mo, &fs) == 0);
	KT_EXPECT_EQ(k, fs_discard_on(fs), can);
	ktfs_file(k, fs, "/keep", 5000, 7);
	ktfs_file(k, fs, "/gone", 1u << 20, 8);
	KT_EXPECT_EQ(k, fs_unlink(fs, "/gone"), 0);
	KT_EXPECT_EQ(k, fs_unmount(fs), 0);
	KT_EXPECT_EQ(k, blk_stats(&d->blk)->discards > before, can);
	KT_ASSERT(k, ktfs_mount(d, false, &fs) == 0);
	KT_EXPECT_EQ(k, fs_trim(fs, &trimmed), can ? 0 : -EOPNOTSUPP);
	KT_EXPECT_EQ(k, trimmed > 0, can);
	kt_fill(kt_wbuf, 5000, 0, 7);
	KT_EXPECT_EQ(k, fs_read(fs, ktfs_ino(fs, "/keep"), 0, kt_rbuf, 5000), 5000);
	KT_EXPECT(k, memcmp(kt_wbuf, kt_rbuf, 5000) == 0);
	KT_EXPECT_EQ(k, fs_unlink(fs, "/keep"), 0);
	KT_EXPECT_EQ(k, fs_unmount(fs), 0);
	KT_EXPECT_EQ(k, fs_fsck(&d->blk, NULL, false), 0);
	kprintf("# %s: fs discard: %llu DISCARDs, %llu blocks trimmed\n", blk_info(&d->blk)->name,
		(unsigned long long)(blk_stats(&d->blk)->discards - before),
		(unsigned long long)trimmed);
}

static const struct {
	const char *name;
	void (*fn)(struct ktap *k, struct kdisk *d);
} ktfs_cases[] = {
	{ "fs_format_files_dirs", ktfs_basic },
	{ "fs_remount_persists_fsck_clean", ktfs_remount },
	{ "fs_flushes_per_commit", ktfs_flushes },
	{ "fs_doorbells_per_append", ktfs_doorbells },
	{ "fs_writes_per_append", ktfs_writes_per_append },
	{ "fs_full_disk_enospc", ktfs_enospc },
	{ "fs_discard_trim", ktfs_discard },
};

unsigned ktest_fs_count(void)
{
	return ARRAY_SIZE(ktfs_cases);
}

/*
 * With a host that fails every FLUSH ("ktest.flush_fails"), formatting must
 * report the failure instead of leaving a filesystem that only looks
 * durable; nothing else can run.
 */
static void ktfs_format_fails(struct ktap *k, struct kdisk *d)
{
	KT_EXPECT_EQ(k, fs_format(&d->blk, &(struct fs_mkfs_opts){ .force = true }), -EIO);
}

void ktest_fs_run(struct ktap *k)
{
	struct kdisk *d = ktfs_disk();
	bool flush_fails = cmdline_flag("ktest.flush_fails");

	for (unsigned c = 0; c < ARRAY_SIZE(ktfs_cases); c++) {
		ktap_case_begin(k);
		if (!d)
			ktap_skip(k, "no writable disk");
		else if (flush_fails && c == 0)
			ktfs_format_fails(k, d);
		else if (flush_fails)
			ktap_skip(k, "the host fails every flush");
		else
			ktfs_cases[c].fn(k, d);
		ktap_case_end(k, "%s%s%s", d ? blk_info(&d->blk)->name : "", d ? "_" : "",
			      ktfs_cases[c].name);
	}
}
