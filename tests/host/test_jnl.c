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
#include "lib/crc32c.h"
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

/*
 * One operation writing `fill` over bytes [off, off + len) of block
 * `blockno`, with jnl_dirty() flags `flags`: committing first if the
 * running transaction has no room, as the filesystem does.
 */
static int put_range(struct jnl *j, u64 blockno, u32 off, u32 len, u8 fill, u32 flags)
{
	u32 cost = jnl_range_cost(len);
	struct jbuf *b;
	int err = 0;

	if (!jnl_op_fits(j, 1, cost))
		err = jnl_commit(j);
	if (!err)
		err = jnl_bread(j, blockno, &b);
	if (err)
		return err;
	memset(b->data + off, fill, len);
	err = jnl_op_begin(j, 1, cost);
	if (!err) {
		err = jnl_dirty(j, b, off, len, flags);
		jnl_op_end(j);
	}
	jnl_brelse(j, b);
	return err;
}

/* One operation writing `fill` over the whole of block `blockno`. */
static int put_block(struct jnl *j, u64 blockno, u8 fill)
{
	return put_range(j, blockno, 0, OFS_BLOCK_SIZE, fill, 0);
}

/* hdr_crc of a one-block header at `log`, computed here independently. */
static u32 jnl_hdr_crc_for_test(const u8 *log)
{
	const struct ofs_jhdr *h = (const struct ofs_jhdr *)log;
	u8 copy[OFS_BLOCK_SIZE];
	u32 bytes = le32_to_cpu(h->hdr_bytes);

	memcpy(copy, log, bytes);
	((struct ofs_jhdr *)copy)->hdr_crc = cpu_to_le32(0);
	return crc32c(copy, bytes);
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
	/* Log: header at journal block 1, image at 2 (no commit record). */
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
	assert_int_equal(jnl_op_begin(j, 1, 0), -EROFS);
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
	assert_int_equal(jnl_op_begin(j, jnl_max_op_blocks(j) + 1, 0), -E2BIG);
	assert_int_equal(jnl_op_begin(j, 1, 16 * OFS_BLOCK_SIZE), -E2BIG);
	assert_false(jnl_op_fits(j, jnl_max_op_blocks(j) + 1, 0));
	assert_int_equal(jnl_op_begin(j, 1, 0), 0);
	assert_int_equal(jnl_bread(j, 100, &a), 0);
	assert_int_equal(jnl_bread(j, 101, &b), 0);
	assert_int_equal(jnl_dirty(j, a, 0, OFS_BLOCK_SIZE, 0), 0);
	assert_int_equal(jnl_dirty(j, b, 0, OFS_BLOCK_SIZE, 0), -ENOSPC);
	jnl_brelse(j, a);
	jnl_brelse(j, b);
	jnl_op_end(j);
	assert_int_equal(jnl_bread(j, DISK_BLOCKS, &a), -ERANGE);
	assert_int_equal(jnl_close(j), 0);
	rig_free(r);
}

/* A fake metadata block: payload `fill`, a tail with magic, number, crc. */
static void meta_fill(u8 *block, u64 blockno, u8 fill)
{
	struct ofs_tail *t = (struct ofs_tail *)(block + OFS_PAYLOAD);

	memset(block, fill, OFS_PAYLOAD);
	t->magic = cpu_to_le32(OFS_MAGIC_DIR);
	t->blockno = cpu_to_le64(blockno);
	ofs_tail_restamp(block);
}

static bool meta_tail_ok(const u8 *block)
{
	const struct ofs_tail *t = (const struct ofs_tail *)(block + OFS_PAYLOAD);

	return le32_to_cpu(t->crc) == ofs_tail_crc(block);
}

/*
 * Log blocks [first, first + n) once, unchanged: the first time a block
 * is logged after a checkpoint it is logged whole, later changes as DELTAs.
 */
static void log_once(struct jnl *j, u64 first, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		struct jbuf *b;

		assert_true(jnl_op_fits(j, 1, jnl_range_cost(1)));
		assert_int_equal(jnl_bread(j, first + i, &b), 0);
		assert_int_equal(jnl_op_begin(j, 1, jnl_range_cost(1)), 0);
		assert_int_equal(jnl_dirty(j, b, 0, 1, 0), 0);
		jnl_op_end(j);
		jnl_brelse(j, b);
	}
	assert_int_equal(jnl_commit(j), 0);
}

/*
 * Small changes are logged as DELTAs in the header block: a commit of a
 * few ranges is one log write and one FLUSH; ranges of one block merge;
 * recovery patches the home block (and re-stamps a metadata tail).
 */
static void test_delta_commit_and_replay(void **state)
{
	struct rig *r = rig_new(true, false, false);
	struct jnl_recovery rep;
	struct jnl *j, *crashed;
	u64 writes, flushes;

	(void)state;
	memset(home(r, 120), 0x11, OFS_BLOCK_SIZE);
	meta_fill(home(r, 121), 121, 0x22);
	assert_int_equal(jnl_open(&r->cfg, NULL, &crashed), 0);
	log_once(crashed, 120, 2);
	assert_int_equal(jnl_stats(crashed)->blocks, 2); /* logged whole */
	writes = r->fs.stats.writes;
	flushes = r->fs.stats.flushes_sent;
	assert_int_equal(put_range(crashed, 120, 100, 28, 0xa1, 0), 0);
	assert_int_equal(put_range(crashed, 120, 128, 4, 0xa2, 0), 0);	 /* touches: merged */
	assert_int_equal(put_range(crashed, 120, 4000, 96, 0xa3, 0), 0); /* up to the end */
	assert_int_equal(put_range(crashed, 121, 256, 64, 0xb1, JNL_META), 0);
	assert_int_equal(jnl_commit(crashed), 0);
	assert_int_equal(r->fs.stats.writes - writes, 1); /* one header block */
	assert_int_equal(r->fs.stats.flushes_sent - flushes, 1);
	assert_int_equal(jnl_stats(crashed)->blocks, 2);
	assert_int_equal(jnl_stats(crashed)->deltas, 3);
	assert_int_equal(home(r, 120)[100], 0x11); /* only in the log so far */

	assert_int_equal(jnl_open(&r->cfg, &rep, &j), 0);
	assert_int_equal(rep.transactions, 2);
	assert_int_equal(rep.deltas, 3);
	assert_int_equal(home(r, 120)[99], 0x11);
	assert_int_equal(home(r, 120)[100], 0xa1);
	assert_int_equal(home(r, 120)[131], 0xa2);
	assert_int_equal(home(r, 120)[132], 0x11);
	assert_int_equal(home(r, 120)[3999], 0x11);
	assert_int_equal(home(r, 120)[4095], 0xa3);
	assert_int_equal(home(r, 121)[255], 0x22);
	assert_int_equal(home(r, 121)[256], 0xb1);
	assert_int_equal(home(r, 121)[320], 0x22);
	assert_true(meta_tail_ok(home(r, 121)));
	assert_int_equal(jnl_close(j), 0);
	jnl_discard(crashed);
	rig_free(r);
}

/* Many ranges, or many bytes, of one block: it is logged whole. */
static void test_delta_becomes_image(void **state)
{
	struct rig *r = rig_new(true, false, false);
	struct jnl *j;

	(void)state;
	assert_int_equal(jnl_open(&r->cfg, NULL, &j), 0);
	log_once(j, 130, 3);
	assert_int_equal(jnl_stats(j)->blocks, 3);
	for (u32 k = 0; k <= JNL_RANGES; k++)
		assert_int_equal(put_range(j, 130, k * 100, 8, 0x40, 0), 0);
	assert_int_equal(put_range(j, 131, 0, JNL_DELTA_MAX + 1, 0x41, 0), 0);
	assert_int_equal(put_range(j, 132, 0, JNL_DELTA_MAX, 0x42, 0), 0);
	assert_int_equal(jnl_commit(j), 0);
	assert_int_equal(jnl_stats(j)->blocks, 3 + 2);
	assert_int_equal(jnl_stats(j)->deltas, 1);
	assert_int_equal(jnl_checkpoint(j), 0);
	assert_int_equal(home(r, 130)[400], 0x40);
	assert_int_equal(home(r, 131)[JNL_DELTA_MAX], 0x41);
	assert_int_equal(home(r, 132)[JNL_DELTA_MAX - 1], 0x42);
	assert_int_equal(jnl_close(j), 0);
	rig_free(r);
}

/*
 * data=ordered: a new file block goes home with the commit (with a
 * volatile cache: one header, the block, one FLUSH), only its crc is
 * logged; it is not written again at checkpoint.
 */
static void test_ordered_data_commit(void **state)
{
	struct rig *r = rig_new(true, false, false);
	struct jnl *j;
	u64 writes, flushes;

	(void)state;
	r->cfg.ordered = true;
	assert_int_equal(jnl_open(&r->cfg, NULL, &j), 0);
	log_once(j, 121, 1);
	writes = r->fs.stats.writes;
	flushes = r->fs.stats.flushes_sent;
	assert_int_equal(put_range(j, 140, 0, OFS_BLOCK_SIZE, 0x5e, JNL_NEW_DATA), 0);
	assert_int_equal(put_range(j, 121, 64, 128, 0x01, JNL_META), 0);
	assert_int_equal(jnl_commit(j), 0);
	assert_int_equal(r->fs.stats.writes - writes, 2);
	assert_int_equal(r->fs.stats.flushes_sent - flushes, 1);
	assert_true(block_is(home(r, 140), 0x5e)); /* home already */
	assert_int_equal(jnl_stats(j)->data_blocks, 1);
	assert_int_equal(jnl_stats(j)->blocks, 1); /* log_once's */
	writes = r->fs.stats.writes;
	assert_int_equal(jnl_checkpoint(j), 0);
	/* Block 121 and the journal superblock; not 140 again. */
	assert_int_equal(r->fs.stats.writes - writes, 2);
	assert_int_equal(jnl_close(j), 0);

	/* Without ordered mode the same block is logged whole. */
	r->cfg.ordered = false;
	assert_int_equal(jnl_open(&r->cfg, NULL, &j), 0);
	assert_int_equal(put_range(j, 141, 0, OFS_BLOCK_SIZE, 0x5f, JNL_NEW_DATA), 0);
	assert_int_equal(jnl_commit(j), 0);
	assert_int_equal(jnl_stats(j)->data_blocks, 0);
	assert_int_equal(jnl_stats(j)->blocks, 1);
	assert_false(block_is(home(r, 141), 0x5f));
	assert_int_equal(jnl_close(j), 0);
	assert_true(block_is(home(r, 141), 0x5f));
	rig_free(r);
}

/*
 * Recovery checks the ordered data of the last transaction only: if its
 * block is not at home (lost in a crash), that transaction is dropped
 * with its metadata; if a later transaction verifies, the data of the
 * earlier ones was durable before it and is not read again.
 */
static void test_ordered_data_recovery(void **state)
{
	(void)state;
	for (int later = 0; later < 2; later++) {
		struct rig *r = rig_new(true, false, false);
		struct jnl_recovery rep;
		struct jnl *j, *crashed;

		r->cfg.ordered = true;
		memset(home(r, 150), 0x33, OFS_BLOCK_SIZE);
		assert_int_equal(jnl_open(&r->cfg, NULL, &crashed), 0);
		assert_int_equal(put_range(crashed, 160, 0, 8, 0x01, 0), 0);
		assert_int_equal(jnl_commit(crashed), 0); /* transaction 1 */
		assert_int_equal(put_range(crashed, 150, 0, OFS_BLOCK_SIZE, 0x5a, JNL_NEW_DATA), 0);
		assert_int_equal(put_range(crashed, 160, 8, 8, 0x02, 0), 0);
		assert_int_equal(jnl_commit(crashed), 0); /* transaction 2 */
		if (later) {
			assert_int_equal(put_range(crashed, 160, 16, 8, 0x03, 0), 0);
			assert_int_equal(jnl_commit(crashed), 0); /* transaction 3 */
		}
		/* The data block of transaction 2 never reached the disk. */
		memset(home(r, 150), 0x33, OFS_BLOCK_SIZE);
		assert_int_equal(jnl_open(&r->cfg, &rep, &j), 0);
		assert_int_equal(rep.transactions, later ? 3 : 1);
		assert_int_equal(rep.dropped_data, !later);
		assert_int_equal(home(r, 160)[0], 0x01);
		assert_int_equal(home(r, 160)[8], later ? 0x02 : 0);
		assert_int_equal(jnl_close(j), 0);
		jnl_discard(crashed);
		rig_free(r);
	}
}

/*
 * A checkpoint cut short may leave garbage in the sectors of a block it
 * was writing home.  Replay rebuilds the whole block: the log holds it
 * whole from the first time it was logged after the last checkpoint, and
 * DELTAs after that.
 */
static void test_garbage_home_rebuilt(void **state)
{
	struct rig *r = rig_new(true, false, false);
	struct jnl *j, *crashed;
	u8 *want = malloc(OFS_BLOCK_SIZE);

	(void)state;
	meta_fill(home(r, 180), 180, 0x44);
	assert_int_equal(jnl_open(&r->cfg, NULL, &crashed), 0);
	assert_int_equal(put_range(crashed, 180, 8, 8, 0x01, JNL_META), 0);
	assert_int_equal(jnl_commit(crashed), 0);
	assert_int_equal(put_range(crashed, 180, 16, 8, 0x02, JNL_META), 0);
	assert_int_equal(jnl_commit(crashed), 0);
	assert_int_equal(jnl_stats(crashed)->blocks, 1);
	assert_int_equal(jnl_stats(crashed)->deltas, 1);
	meta_fill(want, 180, 0x44);
	memset(want + 8, 0x01, 8);
	memset(want + 16, 0x02, 8);
	ofs_tail_restamp(want);
	/* The checkpoint's write of block 180: two sectors of garbage. */
	memset(home(r, 180), 0x5a, 512);
	memset(home(r, 180) + 3072, 0xa5, 512);
	assert_int_equal(jnl_open(&r->cfg, NULL, &j), 0);
	assert_memory_equal(home(r, 180), want, OFS_BLOCK_SIZE);
	assert_int_equal(jnl_close(j), 0);
	jnl_discard(crashed);
	free(want);
	rig_free(r);
}

/*
 * jnl_checkpoint() twice leaves both journal superblock copies naming the
 * current tail (what data=ordered's block reuse waits for); a third call,
 * and a close, write nothing.
 */
static void test_checkpoint_refreshes_both_copies(void **state)
{
	struct rig *r = rig_new(true, false, false);
	const struct ofs_jsuper *js =
		(const struct ofs_jsuper *)(r->fd.store + JSTART * OFS_BLOCK_SIZE);
	struct jnl *j;
	u64 writes, cps;

	(void)state;
	assert_int_equal(jnl_open(&r->cfg, NULL, &j), 0);
	assert_int_equal(put_block(j, 190, 0x19), 0);
	cps = jnl_stats(j)->checkpoints;
	assert_int_equal(jnl_checkpoint(j), 0);
	assert_int_not_equal(le32_to_cpu(js->copy[0].tail), le32_to_cpu(js->copy[1].tail));
	assert_int_equal(jnl_checkpoint(j), 0); /* nothing to write: the other copy */
	assert_int_equal(le32_to_cpu(js->copy[0].tail), le32_to_cpu(js->copy[1].tail));
	assert_int_equal(le64_to_cpu(js->copy[0].tail_seq), le64_to_cpu(js->copy[1].tail_seq));
	assert_int_equal(jnl_stats(j)->checkpoints, cps + 2);
	writes = r->fs.stats.writes;
	assert_int_equal(jnl_checkpoint(j), 0);
	assert_int_equal(jnl_close(j), 0);
	assert_int_equal(r->fs.stats.writes, writes);
	rig_free(r);
}

/*
 * A header naming a home block inside the log, or a delta past the end of
 * its block, is refused even with every crc right.
 */
static void test_bad_entries_refused(void **state)
{
	struct rig *r = rig_new(true, false, false);
	struct jnl_recovery rep;
	struct jnl *j, *crashed;
	u8 *log = r->fd.store + (JSTART + 1) * OFS_BLOCK_SIZE;
	struct ofs_jhdr *h = (struct ofs_jhdr *)log;
	struct ofs_jent *e = (struct ofs_jent *)(log + sizeof(*h));

	(void)state;
	assert_int_equal(jnl_open(&r->cfg, NULL, &crashed), 0);
	assert_int_equal(put_range(crashed, 170, 10, 8, 0x7e, 0), 0);
	assert_int_equal(jnl_commit(crashed), 0);
	for (int bad = 0; bad < 3; bad++) {
		struct ofs_jent saved = *e;

		if (bad == 0)
			e->home = cpu_to_le32(JSTART + 3); /* in the log */
		else if (bad == 1)
			e->off = cpu_to_le16(OFS_BLOCK_SIZE - 4); /* past the end */
		else
			e->kind = 9;
		h->hdr_crc = cpu_to_le32(jnl_hdr_crc_for_test(log));
		assert_int_equal(jnl_probe(&r->cfg, &rep), 0);
		assert_int_equal(rep.transactions, 0);
		*e = saved;
		h->hdr_crc = cpu_to_le32(jnl_hdr_crc_for_test(log));
	}
	assert_int_equal(jnl_open(&r->cfg, &rep, &j), 0);
	assert_int_equal(rep.transactions, 1);
	assert_int_equal(home(r, 170)[10], 0x7e);
	assert_int_equal(jnl_close(j), 0);
	jnl_discard(crashed);
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
		cmocka_unit_test(test_delta_commit_and_replay),
		cmocka_unit_test(test_delta_becomes_image),
		cmocka_unit_test(test_ordered_data_commit),
		cmocka_unit_test(test_ordered_data_recovery),
		cmocka_unit_test(test_bad_entries_refused),
		cmocka_unit_test(test_garbage_home_rebuilt),
		cmocka_unit_test(test_checkpoint_refreshes_both_copies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
