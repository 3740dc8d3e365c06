/*
 * tests/host/test_fs_discard.c - ordofs and DISCARD / WRITE_ZEROES.
 *
 * The device (struct ddisk) is a RAM disk over kernel/block/blk_queue.c
 * that offers DISCARD and WRITE_ZEROES with limits of the test's choosing
 * and keeps, besides the store, the image as of its last FLUSH: what a
 * crash would leave.  Each DISCARD it carries out is checked against that
 * image first: recovered (mounted on a copy), the filesystem there must
 * have every discarded block free.  A DISCARD before the free is durable
 * fails this; so does one of a block freed and allocated again.  Every
 * scenario ends with a remount that reads every file back.
 *
 * Covered: online discard (mount option) after the free is durable, in
 * data=ordered and data=journal; none with the option off; runs merged and
 * split by the device's limit; freed blocks reused on a full disk; a
 * device without DISCARD or one whose DISCARD fails (advisory: no error);
 * fs_trim(); mkfs clearing the log with WRITE_ZEROES, or by writing when
 * the device offers none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"
#include "kernel/block/blk.h"
#include "kernel/block/blk_queue.h"
#include "kernel/fs/fs.h"
#include "kernel/fs/fs_priv.h" /* the bitmap of a recovered copy */
#include "lib/errno.h"
#include "tests/host/test_util.h"

#define BS OFS_BLOCK_SIZE
#define DISK_BYTES (4 * MiB)
#define SPB (BS / BLK_SECTOR_SIZE)

struct ddisk {
	struct blk_queue q;
	struct blk blk;
	u8 *store;
	u8 *durable; /* the store as of the last FLUSH */
	u64 bytes;
	bool check;	    /* check each DISCARD against the durable image */
	int discard_status; /* what a DISCARD returns (0: carried out) */
	/* Counters. */
	unsigned discards, wzs, flushes;
	u64 discarded_sectors;
	u32 max_discard; /* longest DISCARD, in sectors */
	unsigned bad;	 /* DISCARDs of blocks the durable state holds */
	char why[160];
};

static bool block_free_after_recovery(struct ddisk *d, u64 blockno);

static int ddisk_do(struct blk_queue *q, struct blk_req *req)
{
	struct ddisk *d = container_of(q, struct ddisk, q);
	u64 off = req->sector * BLK_SECTOR_SIZE;

	if (req->op != BLK_OP_FLUSH && req->op != BLK_OP_GET_ID && off + req->len > d->bytes)
		return -EIO;
	switch (req->op) {
	case BLK_OP_READ: memcpy(req->buf, d->store + off, req->len); return 0;
	case BLK_OP_WRITE: memcpy(d->store + off, req->buf, req->len); return 0;
	case BLK_OP_FLUSH:
		memcpy(d->durable, d->store, d->bytes);
		d->flushes++;
		return 0;
	case BLK_OP_DISCARD:
		if (d->discard_status)
			return d->discard_status;
		d->discards++;
		d->discarded_sectors += req->len / BLK_SECTOR_SIZE;
		d->max_discard = MAX(d->max_discard, req->len / BLK_SECTOR_SIZE);
		for (u64 b = req->sector / SPB; d->check && b * SPB < req->sector + req->len / 512;
		     b++) {
			if (!block_free_after_recovery(d, b) && !d->bad++)
				snprintf(d->why, sizeof(d->why),
					 "DISCARD of block %llu, in use in the durable state",
					 (unsigned long long)b);
		}
		memset(d->store + off, 0, req->len);
		return 0;
	case BLK_OP_WRITE_ZEROES:
		d->wzs++;
		memset(d->store + off, 0, req->len);
		return 0;
	case BLK_OP_GET_ID: return -EOPNOTSUPP;
	default: return -EOPNOTSUPP;
	}
}

/* A disk offering DISCARD of at most `dmax` sectors (0: none), WRITE_ZEROES if wz. */
static struct ddisk *ddisk_new(u32 dmax, bool wz, const u8 *image)
{
	struct ddisk *d = calloc(1, sizeof(*d));

	d->bytes = DISK_BYTES;
	d->store = calloc(1, d->bytes);
	d->durable = calloc(1, d->bytes);
	if (image) {
		memcpy(d->store, image, d->bytes);
		memcpy(d->durable, image, d->bytes);
	}
	blk_queue_init(&d->q,
		       &(struct blk_dev_info){
			       .name = "dd0",
			       .block_size = 512,
			       .capacity = d->bytes / BLK_SECTOR_SIZE,
			       .max_segments = 128,
			       .max_segment_size = 1u << 20,
			       .queue_depth = 128,
			       .has_flush = true,
			       .volatile_cache = true,
			       .discard_max_sectors = dmax,
			       .discard_align = 1,
			       .wz_max_sectors = wz ? 1u << 16 : 0,
			       .wz_may_unmap = wz,
		       },
		       ddisk_do);
	blk_init(&d->blk, &d->q.dev, false);
	return d;
}

static void ddisk_free(struct ddisk *d)
{
	free(d->store);
	free(d->durable);
	free(d);
}

/* Recover a copy of the durable image: is `blockno` free there? */
static bool block_free_after_recovery(struct ddisk *d, u64 blockno)
{
	struct ddisk *c = ddisk_new(0, false, d->durable);
	struct fs *fs = NULL;
	bool free_there = false;

	if (fs_mount(&c->blk, NULL, NULL, &fs) == 0) {
		free_there = blockno >= fs->g.data_start && blockno < fs->g.nblocks &&
			     !fs_bitmap_test(fs->bitmap, blockno);
		fs_unmount(fs);
	}
	ddisk_free(c);
	return free_there;
}

/* ---- helpers ------------------------------------------------------------ */

/* data=ordered or data=journal: the group's mounts. */
static bool data_journal;

static struct fs *dmount(struct ddisk *d, bool discard)
{
	struct fs_mount_opts o = { .data_journal = data_journal, .discard = discard };
	struct fs *fs = NULL;

	OK(fs_mount(&d->blk, &o, NULL, &fs));
	return fs;
}

static struct ddisk *dformatted(u32 dmax)
{
	struct ddisk *d = ddisk_new(dmax, false, NULL);

	OK(fs_format(&d->blk, &(struct fs_mkfs_opts){ .journal_blocks = 64 }));
	d->check = true;
	return d;
}

static void pattern(u8 *buf, u32 len, u32 seed)
{
	for (u32 i = 0; i < len; i++)
		buf[i] = (u8)((i * 131u + seed * 7u + (i >> 12)) ^ (seed >> 3));
}

static u32 dopen(struct fs *fs, const char *path)
{
	u32 ino = 0;

	OK(fs_open(fs, path, &ino));
	return ino;
}

static int dput(struct fs *fs, const char *path, u32 len, u32 seed)
{
	u8 *buf = malloc(len + 1);
	int n;

	pattern(buf, len, seed);
	OK(fs_create(fs, path));
	n = fs_write(fs, dopen(fs, path), 0, buf, len);
	free(buf);
	return n;
}

static void dverify(struct fs *fs, const char *path, u32 len, u32 seed)
{
	u8 *want = malloc(len + 1), *got = malloc(len + 1);

	pattern(want, len, seed);
	assert_int_equal(fs_read(fs, dopen(fs, path), 0, got, len + 1), (int)len);
	assert_memory_equal(want, got, len);
	free(want);
	free(got);
}

static void assert_no_bad_discard(const struct ddisk *d)
{
	if (d->bad)
		print_error("%u bad DISCARDs, first: %s\n", d->bad, d->why);
	assert_int_equal(d->bad, 0);
}

/*
 * The scenario: a big file (contiguous blocks) and two small ones, then
 * the big one unlinked and a small one truncated in the same transaction,
 * a file written and unlinked before any commit, and new files.  Ends
 * unmounted; returns the blocks the unlinks and truncates freed.
 */
static u64 scenario(struct ddisk *d, bool discard)
{
	struct fs *fs = dmount(d, discard);
	u64 freed = 0;

	assert_int_equal(dput(fs, "/big", 40 * BS, 1), 40 * BS);
	assert_int_equal(dput(fs, "/a", 3 * BS, 2), 3 * BS);
	assert_int_equal(dput(fs, "/b", 5 * BS, 3), 5 * BS);
	OK(fs_sync(fs));
	OK(fs_unlink(fs, "/big"));
	OK(fs_truncate(fs, dopen(fs, "/b"), BS));
	freed += 40 + 1 + 4; /* and an indirect block of /big's */
	assert_int_equal(dput(fs, "/tmp", 2 * BS, 4), 2 * BS);
	OK(fs_unlink(fs, "/tmp"));
	freed += 2;
	OK(fs_sync(fs));
	assert_int_equal(dput(fs, "/c", 6 * BS, 5), 6 * BS);
	OK(fs_fsync(fs, dopen(fs, "/c")));
	/* Two checkpoints: the frees may be released (and discarded) now. */
	OK(jnl_checkpoint(fs->j));
	OK(jnl_checkpoint(fs->j));
	assert_int_equal(dput(fs, "/d", 30 * BS, 6), 30 * BS);
	OK(fs_sync(fs));
	OK(fs_unmount(fs));
	return freed;
}

static void verify_scenario(struct ddisk *d)
{
	struct fs *fs = dmount(d, false);

	dverify(fs, "/a", 3 * BS, 2);
	dverify(fs, "/b", BS, 3);
	dverify(fs, "/c", 6 * BS, 5);
	dverify(fs, "/d", 30 * BS, 6);
	assert_int_equal(fs_stat(fs, "/big", &(struct fs_stat){ 0 }), -ENOENT);
	OK(fs_unmount(fs));
	assert_int_equal(fs_fsck(&d->blk, NULL, false), 0);
}

/* ---- tests -------------------------------------------------------------- */

static void test_discard_after_durable(void **state)
{
	struct ddisk *d = dformatted(1u << 16);
	u64 freed;

	(void)state;
	freed = scenario(d, true);
	assert_no_bad_discard(d);
	/* Every freed block discarded, /big's 40 data blocks in one run. */
	assert_true(d->discards > 0);
	assert_true(d->discarded_sectors >= (freed - 1) * SPB);
	assert_true(d->max_discard >= 40 * SPB);
	verify_scenario(d);
	ddisk_free(d);
}

static void test_discard_off(void **state)
{
	struct ddisk *d = dformatted(1u << 16);

	(void)state;
	scenario(d, false);
	assert_int_equal(d->discards, 0);
	verify_scenario(d);
	ddisk_free(d);
}

static void test_discard_limit(void **state)
{
	struct ddisk *d = dformatted(2 * SPB);
	u64 freed;

	(void)state;
	freed = scenario(d, true);
	assert_no_bad_discard(d);
	assert_int_equal(d->max_discard, 2 * SPB);
	assert_true(d->discards >= (freed - 1) / 2);
	verify_scenario(d);
	ddisk_free(d);
}

/* A full disk: the unlinked file's blocks are released, discarded and reused at once. */
static void test_discard_reuse_full(void **state)
{
	struct ddisk *d = dformatted(1u << 16);
	struct fs *fs = dmount(d, true);
	u8 *buf = malloc(BS);
	u32 ino;
	u64 n = 0;
	int w;

	(void)state;
	assert_int_equal(dput(fs, "/u", 8 * BS, 7), 8 * BS);
	OK(fs_create(fs, "/fill"));
	ino = dopen(fs, "/fill");
	pattern(buf, BS, 8);
	while ((w = fs_write(fs, ino, n * BS, buf, BS)) == BS)
		n++;
	assert_int_equal(w, -ENOSPC);
	OK(fs_sync(fs));
	OK(fs_unlink(fs, "/u"));
	assert_int_equal(dput(fs, "/v", 8 * BS, 9), 8 * BS); /* only /u's blocks are free */
	OK(fs_sync(fs));
	assert_true(fs_discard_stats(fs)->blocks >= 8);
	OK(fs_unmount(fs));
	assert_no_bad_discard(d);
	fs = dmount(d, false);
	dverify(fs, "/v", 8 * BS, 9);
	assert_int_equal(fs_stat(fs, "/u", &(struct fs_stat){ 0 }), -ENOENT);
	OK(fs_unmount(fs));
	free(buf);
	ddisk_free(d);
}

static void test_discard_unsupported(void **state)
{
	struct ddisk *d = dformatted(0);
	struct fs *fs;
	u64 n = 1;

	(void)state;
	fs = dmount(d, true);
	assert_false(fs_discard_on(fs));
	assert_console_has("offers no DISCARD: mounted without discard");
	assert_int_equal(fs_trim(fs, &n), -EOPNOTSUPP);
	OK(fs_unmount(fs));
	scenario(d, true);
	assert_int_equal(d->discards, 0);
	verify_scenario(d);
	ddisk_free(d);
}

static void test_discard_fails(void **state)
{
	struct ddisk *d = dformatted(1u << 16);
	struct fs *fs;

	(void)state;
	d->discard_status = -EIO;
	scenario(d, true); /* every call succeeds */
	fs = dmount(d, true);
	OK(fs_unmount(fs));
	assert_console_has("ranges failed");
	d->discard_status = 0;
	verify_scenario(d);
	ddisk_free(d);
}

static void test_trim(void **state)
{
	struct ddisk *d = dformatted(1u << 16);
	struct fs *fs;
	u64 n = 0, free_blocks;
	struct fs_statfs st;

	(void)state;
	scenario(d, false);
	assert_int_equal(d->discards, 0);
	fs = dmount(d, false);
	assert_int_equal(dput(fs, "/e", 3 * BS, 10), 3 * BS);
	OK(fs_unlink(fs, "/a")); /* not durable yet: fs_trim commits first */
	OK(fs_statfs(fs, &st));
	free_blocks = st.free_blocks;
	OK(fs_trim(fs, &n));
	assert_no_bad_discard(d);
	/* Everything free but /a's 3 blocks, which wait for two checkpoints. */
	assert_int_equal(n + (data_journal ? 0 : 3), free_blocks);
	assert_int_equal(fs_discard_stats(fs)->trim_blocks, n);
	OK(fs_unmount(fs));
	fs = dmount(d, false);
	dverify(fs, "/e", 3 * BS, 10);
	dverify(fs, "/c", 6 * BS, 5);
	OK(fs_unmount(fs));
	ddisk_free(d);
}

/* mkfs over a disk full of old bytes: the log reads as zeros. */
static void test_mkfs_write_zeroes(void **state)
{
	for (int wz = 0; wz < 2; wz++) {
		struct ddisk *d = ddisk_new(0, wz, NULL);
		struct fs_geom g;
		u64 js, zero_blocks = 0;

		memset(d->store, 0xa5, d->bytes);
		OK(fs_format(&d->blk,
			     &(struct fs_mkfs_opts){ .journal_blocks = 64, .force = true }));
		assert_int_equal(d->wzs > 0, wz);
		OK(fs_read_super(&d->blk, &g, false));
		js = g.journal_start;
		for (u64 b = js + 1; b < js + 64; b++) {
			const u8 *p = d->store + b * BS;

			zero_blocks += p[0] == 0 && !memcmp(p, p + 1, BS - 1);
		}
		/* Block 1 always; with WRITE_ZEROES the whole log. */
		assert_true(zero_blocks >= 1);
		assert_int_equal(zero_blocks == 63, wz);
		assert_true(
			d->store[(js + 1) * BS] == 0 &&
			!memcmp(d->store + (js + 1) * BS, d->store + (js + 1) * BS + 1, BS - 1));
		ddisk_free(d);
	}
	(void)state;
}

static int group_ordered(void **state)
{
	(void)state;
	data_journal = false;
	return 0;
}

static int group_journal(void **state)
{
	(void)state;
	data_journal = true;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discard_after_durable),
		cmocka_unit_test(test_discard_off),
		cmocka_unit_test(test_discard_limit),
		cmocka_unit_test(test_discard_reuse_full),
		cmocka_unit_test(test_discard_unsupported),
		cmocka_unit_test(test_discard_fails),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_mkfs_write_zeroes),
	};
	int fails = cmocka_run_group_tests_name("data=ordered", tests, group_ordered, NULL);

	return fails + cmocka_run_group_tests_name("data=journal", tests, group_journal, NULL);
}
