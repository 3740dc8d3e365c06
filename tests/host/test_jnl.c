/*
 * tests/host/test_jnl.c - the journal against a fake block device with a
 * RAM store: commit protocol (flushes per commit in each mode), group
 * commit, recovery (replay, idempotence, what it refuses), checkpointing
 * across many wraps of the log, an external journal, and I/O errors that
 * must abort the journal rather than report a failed commit as done.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arch/host/host.h"
#include "kernel/fs/jnl.h"
#include "lib/errno.h"
#include "tests/host/fake_blkdev.h"

#define DISK_BLOCKS 256u /* 1 MiB */
#define JSTART 1u
#define JBLOCKS 64u

struct rig {
	struct fake_blkdev fd, jfd;
	struct blk fs, jb;
	struct jnl_config cfg;
};

static const u8 test_uuid[OFS_UUID_BYTES] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
};

static void dev_init(struct fake_blkdev *f, struct blk *b, bool volatile_cache)
{
	struct blk_dev_info info = {
		.name = "fake",
		.block_size = 512,
		.capacity = DISK_BLOCKS * 8,
		.max_segments = 1,
		.max_segment_size = 1u << 20,
		.queue_depth = 256,
		.has_flush = true,
		.volatile_cache = volatile_cache,
	};

	fake_blkdev_init(f, &info);
	f->store = calloc(DISK_BLOCKS, OFS_BLOCK_SIZE);
	f->poll_mode = FAKE_POLL_ALL;
	blk_init(b, &f->dev, false);
}

/* A filesystem device with the journal at blocks 1..64, or external. */
static struct rig *rig_new(bool volatile_cache, bool classic, bool external)
{
	struct rig *r = calloc(1, sizeof(*r));

	host_console_quiet = true;
	dev_init(&r->fd, &r->fs, volatile_cache);
	r->cfg = (struct jnl_config){
		.fsdev = &r->fs,
		.jdev = &r->fs,
		.jstart = JSTART,
		.jblocks = JBLOCKS,
		.classic = classic,
	};
	if (external) {
		dev_init(&r->jfd, &r->jb, volatile_cache);
		r->cfg.jdev = &r->jb;
		r->cfg.jstart = 0;
	}
	memcpy(r->cfg.uuid, test_uuid, OFS_UUID_BYTES);
	assert_int_equal(jnl_format(r->cfg.jdev, r->cfg.jstart, JBLOCKS, test_uuid), 0);
	return r;
}

static void rig_free(struct rig *r)
{
	free(r->fd.store);
	free(r->jfd.store);
	free(r);
	host_console_quiet = false;
}

static u8 *home(struct rig *r, u64 blockno)
{
	return r->fd.store + blockno * OFS_BLOCK_SIZE;
}

/* One operation writing `fill` over block `blockno`. */
static int put_block(struct jnl *j, u64 blockno, u8 fill)
{
	struct jbuf *b;
	int err = jnl_op_begin(j, 1);

	if (err)
		return err;
	err = jnl_bread(j, blockno, &b);
	if (!err) {
		memset(b->data, fill, OFS_BLOCK_SIZE);
		err = jnl_dirty(j, b);
		jnl_brelse(j, b);
	}
	jnl_op_end(j);
	return err;
}

static bool block_is(const u8 *p, u8 fill)
{
	for (u32 i = 0; i < OFS_BLOCK_SIZE; i++) {
		if (p[i] != fill)
			return false;
	}
	return true;
}

static void test_flushes_per_commit(void **state)
{
	static const struct {
		bool volatile_cache, classic;
		u64 flushes;
	} rows[] = {
		{ true, false, 1 },  /* checksummed commit */
		{ true, true, 2 },   /* classic commit */
		{ false, false, 0 }, /* write-through: drains only */
		{ false, true, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct rig *r = rig_new(rows[i].volatile_cache, rows[i].classic, false);
		struct jnl *j;

		assert_int_equal(jnl_open(&r->cfg, NULL, &j), 0);
		for (int c = 0; c < 5; c++) {
			u64 before = r->fs.stats.flushes_sent;

			assert_int_equal(put_block(j, 100 + c, (u8)c), 0);
			assert_int_equal(jnl_commit(j), 0);
			assert_int_equal(r->fs.stats.flushes_sent - before, rows[i].flushes);
		}
		/* Nothing to commit: no writes, no flush. */
		assert_int_equal(jnl_commit(j), 0);
		assert_int_equal(jnl_stats(j)->commits, 5);
		assert_int_equal(jnl_close(j), 0);
		rig_free(r);
	}
}

static void test_group_commit(void **state)
{
	struct rig *r = rig_new(true, false, false);
	struct jnl *j;

	(void)state;
	assert_int_equal(jnl_open(&r->cfg, NULL, &j), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(put_block(j, 100 + i, 0x11), 0);
	/* The same block again joins the transaction once. */
	assert_int_equal(put_block(j, 100, 0x22), 0);
	assert_int_equal(jnl_commit(j), 0);
	assert_int_equal(jnl_stats(j)->commits, 1);
	assert_int_equal(jnl_stats(j)->ops, 4);
	assert_int_equal(jnl_stats(j)->blocks, 3);
	assert_int_equal(jnl_close(j), 0);
	assert_true(block_is(home(r, 100), 0x22));
	assert_true(block_is(home(r, 101), 0x11));
	rig_free(r);
}

/* Commit without closing (a crash), then open again: replayed once. */
static void test_replay_and_idempotence(void **state)
{
	struct rig *r = rig_new(true, false, false);
	struct jnl_recovery rep;
	struct jnl *j, *crashed;

	(void)state;
	assert_int_equal(jnl_open(&r->cfg, &rep, &crashed), 0);
	assert_int_equal(rep.transactions, 0);
	assert_int_equal(put_block(crashed, 200, 0xaa), 0);
	assert_int_equal(jnl_commit(crashed), 0);
	assert_int_equal(put_block(crashed, 201, 0xbb), 0);
	assert_int_equal(jnl_commit(crashed), 0);
	assert_false(block_is(home(r, 200), 0xaa)); /* only in the log so far */

	assert_int_equal(jnl_open(&r->cfg, &rep, &j), 0);
	assert_int_equal(rep.transactions, 2);
	assert_int_equal(rep.blocks, 2);
	assert_int_equal(rep.next_seq, 3);
	assert_true(block_is(home(r, 200), 0xaa));
	assert_true(block_is(home(r, 201), 0xbb));
	assert_int_equal(jnl_close(j), 0);

	/* The tail moved: a second recovery has nothing to replay. */
	assert_int_equal(jnl_open(&r->cfg, &rep, &j), 0);
	assert_int_equal(rep.transactions, 0);
	assert_int_equal(jnl_close(j), 0);
	jnl_discard(crashed);
	rig_free(r);
}

/* A checksummed transaction with a damaged image is not replayed. */
static void test_torn_image_refused(void **state)
{
	struct rig *r = rig_new(true, false, false);
	struct jnl_recovery rep;
	struct jnl *j, *crashed;

	(void)state;
	assert_int_equal(jnl_open(&r->cfg, NULL, &crashed), 0);
	assert_int_equal(put_block(crashed, 150, 0x5a), 0);
	assert_int_equal(jnl_commit(crashed), 0);
	/* Log: descriptor at journal block 1, image at 2, commit at 3. */
	r->fd.store[(JSTART + 2) * OFS_BLOCK_SIZE + 700] ^= 1;
	assert_int_equal(jnl_open(&r->cfg, &rep, &j), 0);
	assert_int_equal(rep.transactions, 0);
	assert_false(block_is(home(r, 150), 0x5a));
	assert_int_equal(jnl_close(j), 0);
	jnl_discard(crashed);
	rig_free(r);
}

/*
 * Garbage in the log (random bytes, zeros, ones over every record after
 * the superblock) is never replayed: the open succeeds with nothing to
 * replay and the home blocks keep what they had.
 */
static void test_garbage_log(void **state)
{
	(void)state;
	for (int kind = 0; kind < 3; kind++) {
		struct rig *r = rig_new(true, false, false);
		struct jnl_recovery rep;
		struct jnl *j, *crashed;
		u32 x = 12345;

		memset(home(r, 150), 0x33, OFS_BLOCK_SIZE);
		assert_int_equal(jnl_open(&r->cfg, NULL, &crashed), 0);
		assert_int_equal(put_block(crashed, 150, 0x5a), 0);
		assert_int_equal(jnl_commit(crashed), 0);
		for (u32 b = JSTART + 1; b < JSTART + JBLOCKS; b++) {
			u8 *p = r->fd.store + b * OFS_BLOCK_SIZE;

			for (u32 i = 0; i < OFS_BLOCK_SIZE; i++) {
				x = x * 1103515245u + 12345u;
				p[i] = kind == 0 ? (u8)(x >> 16) : kind == 1 ? 0 : 0xff;
			}
		}
		assert_int_equal(jnl_open(&r->cfg, &rep, &j), 0);
		assert_int_equal(rep.transactions, 0);
		assert_true(block_is(home(r, 150), 0x33));
		assert_int_equal(jnl_close(j), 0);
		jnl_discard(crashed);
		rig_free(r);
	}
}

/* A journal superblock of another filesystem or a damaged one: refused. */
static void test_bad_super_refused(void **state)
{
	struct rig *r = rig_new(true, false, false);
	struct jnl *j;

	(void)state;
	r->cfg.uuid[0] ^= 1;
	assert_int_equal(jnl_open(&r->cfg, NULL, &j), -EINVAL);
	r->cfg.uuid[0] ^= 1;
	/* One damaged copy: the other still names the tail. */
	r->fd.store[JSTART * OFS_BLOCK_SIZE + 40] ^= 1;
	assert_int_equal(jnl_open(&r->cfg, NULL, &j), 0);
	assert_int_equal(jnl_close(j), 0);
	/* Both damaged: refused. */
	r->fd.store[JSTART * OFS_BLOCK_SIZE + 40] ^= 1;
	r->fd.store[JSTART * OFS_BLOCK_SIZE + 40] ^= 1;
	r->fd.store[JSTART * OFS_BLOCK_SIZE + OFS_JSUPER_COPY_BYTES + 40] ^= 1;
	assert_int_equal(jnl_open(&r->cfg, NULL, &j), -EINVAL);
	rig_free(r);
}

/* Many commits wrap the log many times; content stays right throughout. */
static void test_wrap_and_checkpoint(void **state)
{
	struct rig *r = rig_new(true, false, false);
	struct jnl_recovery rep;
	struct jnl *j, *crashed;

	(void)state;
	assert_int_equal(jnl_open(&r->cfg, NULL, &crashed), 0);
	for (int i = 0; i < 300; i++) {
		r->fd.nlog = 0; /* the fake's event log is bounded; not used here */
		assert_int_equal(put_block(crashed, 100 + i % 7, (u8)i), 0);
		if (i % 3 == 2)
			assert_int_equal(jnl_commit(crashed), 0);
	}
	assert_int_equal(jnl_commit(crashed), 0);
	assert_true(jnl_stats(crashed)->checkpoints > 5);
	/* Crash now, recover: each block holds its last value. */
	assert_int_equal(jnl_open(&r->cfg, &rep, &j), 0);
	for (int b = 0; b < 7; b++) {
		int last = 299 - ((299 - b) % 7);

		assert_true(block_is(home(r, 100 + b), (u8)last));
	}
	assert_int_equal(jnl_close(j), 0);
	jnl_discard(crashed);
	rig_free(r);
}

/*
 * A crash may tear the journal superblock's rewrite at 512-byte sectors,
 * or leave garbage in the sector being written: the copy that was not
 * being written still names a tail from which recovery is right.
 */
static void test_torn_super(void **state)
{
	u8 *jsb_old = malloc(OFS_BLOCK_SIZE);

	(void)state;
	for (int damage = 0; damage < 3; damage++) {
		struct rig *r = rig_new(true, false, false);
		struct jnl_recovery rep;
		struct jnl *j, *crashed;
		u8 *jsb = r->fd.store + JSTART * OFS_BLOCK_SIZE;

		int i = 0;

		assert_int_equal(jnl_open(&r->cfg, NULL, &crashed), 0);
		/* Commit until one of them (after the 40th) rewrote the superblock. */
		do {
			r->fd.nlog = 0;
			memcpy(jsb_old, jsb, OFS_BLOCK_SIZE);
			assert_int_equal(put_block(crashed, 100 + i % 5, (u8)(i + 1)), 0);
			assert_int_equal(jnl_commit(crashed), 0);
			i++;
		} while (i < 40 || memcmp(jsb_old, jsb, OFS_BLOCK_SIZE) == 0);
		/* Undo the last superblock write, sector by sector. */
		for (u32 sec = 0; sec < OFS_BLOCK_SIZE / 512; sec++) {
			u8 *p = jsb + sec * 512;

			if (memcmp(p, jsb_old + sec * 512, 512) == 0)
				continue;
			if (damage == 0)
				memcpy(p, jsb_old + sec * 512, 512); /* not written */
			else
				memset(p, damage == 1 ? 0 : 0xff, 512); /* garbage */
		}
		assert_int_equal(jnl_open(&r->cfg, &rep, &j), 0);
		/* Block 100 + b last got the value of the last i with i % 5 == b. */
		for (int b = 0; b < 5; b++) {
			int last = i - 1 - ((i - 1 - b) % 5);

			assert_true(block_is(home(r, 100 + b), (u8)(last + 1)));
		}
		assert_int_equal(jnl_close(j), 0);
		jnl_discard(crashed);
		rig_free(r);
	}
	free(jsb_old);
}

/* The external journal: log writes and FLUSHes go to its own device. */
static void test_external_journal(void **state)
{
	struct rig *r = rig_new(true, false, true);
	struct jnl *j;
	u64 fs_flushes;

	(void)state;
	assert_int_equal(jnl_open(&r->cfg, NULL, &j), 0);
	assert_int_equal(put_block(j, 100, 0x77), 0);
	fs_flushes = r->fs.stats.flushes_sent;
	assert_int_equal(jnl_commit(j), 0);
	assert_int_equal(r->jb.stats.flushes_sent, 1);
	assert_int_equal(r->fs.stats.flushes_sent, fs_flushes); /* no write there */
	assert_int_equal(jnl_checkpoint(j), 0);
	assert_true(r->fs.stats.flushes_sent > fs_flushes);
	assert_true(block_is(home(r, 100), 0x77));
	assert_int_equal(jnl_close(j), 0);
	rig_free(r);
}

/* A failed FLUSH aborts the journal: never a commit reported as done. */
static void test_commit_error_aborts(void **state)
{
	struct rig *r = rig_new(true, false, false);
	struct jnl *j;

	(void)state;
	assert_int_equal(jnl_open(&r->cfg, NULL, &j), 0);
	assert_int_equal(put_block(j, 100, 1), 0);
	r->fd.status[BLK_OP_FLUSH] = -EIO;
	assert_int_equal(jnl_commit(j), -EIO);
	assert_true(jnl_aborted(j));
	assert_string_not_equal(host_console_last, "");
	assert_non_null(strstr(host_console_last, "read-only"));
	assert_int_equal(jnl_op_begin(j, 1), -EROFS);
	assert_int_equal(jnl_commit(j), -EROFS);
	assert_int_equal(jnl_close(j), -EIO);
	rig_free(r);
}

/* Reservation limits are enforced. */
static void test_op_limits(void **state)
{
	struct rig *r = rig_new(true, false, false);
	struct jbuf *a, *b;
	struct jnl *j;

	(void)state;
	assert_int_equal(jnl_open(&r->cfg, NULL, &j), 0);
	assert_int_equal(jnl_op_begin(j, jnl_max_op_blocks(j) + 1), -E2BIG);
	assert_int_equal(jnl_op_begin(j, 1), 0);
	assert_int_equal(jnl_bread(j, 100, &a), 0);
	assert_int_equal(jnl_bread(j, 101, &b), 0);
	assert_int_equal(jnl_dirty(j, a), 0);
	assert_int_equal(jnl_dirty(j, b), -ENOSPC);
	jnl_brelse(j, a);
	jnl_brelse(j, b);
	jnl_op_end(j);
	assert_int_equal(jnl_bread(j, DISK_BLOCKS, &a), -ERANGE);
	assert_int_equal(jnl_close(j), 0);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flushes_per_commit),
		cmocka_unit_test(test_group_commit),
		cmocka_unit_test(test_replay_and_idempotence),
		cmocka_unit_test(test_torn_image_refused),
		cmocka_unit_test(test_garbage_log),
		cmocka_unit_test(test_bad_super_refused),
		cmocka_unit_test(test_wrap_and_checkpoint),
		cmocka_unit_test(test_torn_super),
		cmocka_unit_test(test_external_journal),
		cmocka_unit_test(test_commit_error_aborts),
		cmocka_unit_test(test_op_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
