/*
 * tests/host/test_fs.c - ordofs over a RAM disk (tests/host/ramdisk.c).
 *
 * Format and mount, files (odd offsets, indirect and double-indirect
 * blocks, holes, truncate), directories, unlink, rename (atomic replace,
 * cycles), names, running out of blocks and inodes, remount, read-only
 * mounts, crash images (a copy of the device after a commit) that need
 * recovery, an external journal, fsck against planted corruption, mounts
 * of corrupt images, and a fuzz loop over images whose metadata is
 * scrambled but re-checksummed, so every semantic check is exercised.
 * Operations that fail half-way must leave every block as it was (undo),
 * inodes count their blocks, and freed blocks wait for a checkpoint in
 * data=ordered mode.  The whole suite runs twice, data=ordered (default)
 * and data=journal: every mount here takes the group's options.
 * Runs under ASan/UBSan; every mount is unmounted (leak-free).
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
#include "kernel/fs/fs.h"
#include "kernel/fs/fs_priv.h" /* fs_count_blocks, the journal of a mount */
#include "lib/crc32c.h"
#include "lib/errno.h"
#include "tests/host/ramdisk.h"
#include "tests/host/test_util.h"

#define BS OFS_BLOCK_SIZE
/* One byte more than the largest file (12 + 1020 + 1020^2 blocks). */
#define FS_MAX_TEST_SIZE ((12ull + 1020 + 1020ull * 1020) * BS + 1)

struct tdisk {
	struct ramdisk rd;
	struct blk blk;
};

static struct tdisk *tdisk_new(u64 bytes, u32 block_size)
{
	struct tdisk *d = calloc(1, sizeof(*d));

	ramdisk_init(&d->rd, bytes, block_size);
	blk_init(&d->blk, &d->rd.q.dev, false);
	return d;
}

/* The device as it stands: what a crash right now would leave. */
static struct tdisk *tdisk_clone(const struct tdisk *src, u64 bytes)
{
	struct tdisk *d = calloc(1, sizeof(*d));

	ramdisk_clone(&d->rd, &src->rd, bytes);
	blk_init(&d->blk, &d->rd.q.dev, false);
	return d;
}

static void tdisk_free(struct tdisk *d)
{
	ramdisk_free(&d->rd);
	free(d);
}

static void tformat(struct tdisk *d, u32 jblocks, u32 ninodes)
{
	struct fs_mkfs_opts o = { .ninodes = ninodes, .journal_blocks = jblocks };

	assert_int_equal(fs_format(&d->blk, &o), 0);
}

/* The mount options of the group running (data=ordered or data=journal). */
static struct fs_mount_opts mopts;

static struct fs *tmount(struct tdisk *d)
{
	struct fs *fs = NULL;

	assert_int_equal(fs_mount(&d->blk, &mopts, NULL, &fs), 0);
	return fs;
}

static void tcheck(struct tdisk *d)
{
	assert_int_equal(fs_journal_pending(&d->blk, NULL), 0);
	assert_int_equal(fs_fsck(&d->blk, NULL, false), 0);
}

static void pattern(u8 *buf, u32 len, u32 seed)
{
	for (u32 i = 0; i < len; i++)
		buf[i] = (u8)((i * 131u + seed * 7u + (i >> 12)) ^ (seed >> 3));
}

static u32 topen(struct fs *fs, const char *path)
{
	u32 ino = 0;

	assert_int_equal(fs_open(fs, path, &ino), 0);
	return ino;
}

/* Create `path` holding len bytes of pattern(seed). */
static void tput(struct fs *fs, const char *path, u32 len, u32 seed)
{
	u8 *buf = malloc(len + 1);

	pattern(buf, len, seed);
	assert_int_equal(fs_create(fs, path), 0);
	assert_int_equal(fs_write(fs, topen(fs, path), 0, buf, len), (int)len);
	free(buf);
}

/* `path` holds exactly len bytes of pattern(seed). */
static void tverify(struct fs *fs, const char *path, u32 len, u32 seed)
{
	u8 *want = malloc(len + 1), *got = malloc(len + 1);
	struct fs_stat st;

	pattern(want, len, seed);
	assert_int_equal(fs_stat(fs, path, &st), 0);
	assert_int_equal(st.size, len);
	assert_int_equal(fs_read(fs, topen(fs, path), 0, got, len + 1), (int)len);
	assert_memory_equal(want, got, len);
	free(want);
	free(got);
}

static u64 tfree_blocks(struct fs *fs)
{
	struct fs_statfs st;

	assert_int_equal(fs_statfs(fs, &st), 0);
	return st.free_blocks;
}

static u32 tfree_inodes(struct fs *fs)
{
	struct fs_statfs st;

	assert_int_equal(fs_statfs(fs, &st), 0);
	return st.free_inodes;
}

/* fstat's block count, which must be what a walk of the inode's map finds. */
static u64 tblocks(struct fs *fs, u32 ino)
{
	struct ofs_inode in;
	struct fs_stat st;
	u64 walked;

	assert_int_equal(fs_fstat(fs, ino, &st), 0);
	assert_int_equal(fs_iread(fs, ino, &in), 0);
	assert_int_equal(fs_count_blocks(fs, &in, &walked), 0);
	assert_int_equal(st.blocks, walked);
	return st.blocks;
}

/*
 * Every block from the bitmap on as the mounted filesystem sees it: its
 * cache buffers, where operations change blocks in place.
 */
static u8 *tsnap(struct fs *fs, size_t *len)
{
	u64 first = fs->g.bitmap_start;
	u8 *buf;

	*len = (size_t)(fs->g.nblocks - first) * BS;
	buf = malloc(*len);
	for (u64 b = first; b < fs->g.nblocks; b++) {
		struct jbuf *jb;

		assert_int_equal(jnl_bread(fs->j, b, &jb), 0);
		memcpy(buf + (b - first) * BS, jb->data, BS);
		jnl_brelse(fs->j, jb);
	}
	return buf;
}

static void tsame_statfs(const struct fs_statfs *a, const struct fs_statfs *b)
{
	assert_int_equal(a->free_blocks, b->free_blocks);
	assert_int_equal(a->free_inodes, b->free_inodes);
}

/* Nothing changed since `before` (from tsnap): every byte of every block. */
static void tsame(struct fs *fs, u8 *before, size_t len)
{
	size_t now_len;
	u8 *now = tsnap(fs, &now_len);

	assert_int_equal(now_len, len);
	assert_memory_equal(now, before, len);
	free(now);
	free(before);
}

/* ---- raw access to an image, for planting corruption ----------------- */

static const struct ofs_super *rsuper(struct tdisk *d)
{
	return (const struct ofs_super *)d->rd.store;
}

static u8 *rblock(struct tdisk *d, u64 b)
{
	return d->rd.store + b * BS;
}

static void restamp(u8 *block)
{
	struct ofs_tail *t = (struct ofs_tail *)(block + OFS_PAYLOAD);

	t->crc = cpu_to_le32(0);
	t->crc = cpu_to_le32(crc32c(block, BS));
}

static u64 rinode_block(struct tdisk *d, u32 ino)
{
	return le64_to_cpu(rsuper(d)->inode_start) + ino / OFS_INODES_PER_BLOCK;
}

static struct ofs_inode *rinode(struct tdisk *d, u32 ino)
{
	return (struct ofs_inode *)rblock(d, rinode_block(d, ino)) + ino % OFS_INODES_PER_BLOCK;
}

/* ---- readdir collection ---------------------------------------------- */

struct names {
	int count;
	char name[512][OFS_NAME_MAX + 1];
	u8 type[512];
};

static int collect(void *ctx, const char *name, u32 ino, u8 type)
{
	struct names *n = ctx;

	assert_true(ino != 0);
	if (n->count < 512) {
		strcpy(n->name[n->count], name);
		n->type[n->count] = type;
	}
	n->count++;
	return 0;
}

static struct names *tlist(struct fs *fs, const char *path)
{
	struct names *n = calloc(1, sizeof(*n));

	assert_int_equal(fs_readdir(fs, path, collect, n), 0);
	return n;
}

static bool has_name(const struct names *n, const char *name)
{
	for (int i = 0; i < n->count && i < 512; i++) {
		if (!strcmp(n->name[i], name))
			return true;
	}
	return false;
}

/* ---- tests ------------------------------------------------------------ */

static void test_format_mount(void **state)
{
	struct tdisk *d = tdisk_new(8 * MiB, 512);
	struct fs_statfs st;
	struct fs_stat rs;
	struct names *n;
	struct fs *fs;

	(void)state;
	tformat(d, 0, 0);
	assert_int_equal(le64_to_cpu(rsuper(d)->nblocks), 2048);
	assert_int_equal(le32_to_cpu(rsuper(d)->journal_blocks), 128);
	fs = tmount(d);
	assert_int_equal(fs_statfs(fs, &st), 0);
	assert_int_equal(st.blocks, 2048);
	assert_int_equal(st.block_size, 4096);
	assert_int_equal(st.free_blocks, 2048 - le64_to_cpu(rsuper(d)->data_start));
	assert_int_equal(st.free_inodes, st.inodes - 1);
	assert_int_equal(fs_stat(fs, "/", &rs), 0);
	assert_int_equal(rs.type, OFS_TYPE_DIR);
	assert_int_equal(rs.ino, OFS_ROOT_INO);
	assert_int_equal(rs.size, 0);
	n = tlist(fs, "/");
	assert_int_equal(n->count, 0);
	free(n);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	tdisk_free(d);
}

static void test_format_refuses(void **state)
{
	struct tdisk *big = tdisk_new(16 * 8192, 8192), *tiny = tdisk_new(64 * 1024, 512);
	struct fs_mkfs_opts o = { .journal_blocks = 16 };
	struct tdisk *d = tdisk_new(8 * MiB, 512);

	(void)state;
	host_console_quiet = true;
	assert_int_equal(fs_format(&big->blk, NULL), -EINVAL);
	assert_int_equal(fs_format(&tiny->blk, NULL), -EINVAL);
	assert_int_equal(fs_format(&d->blk, &o), -EINVAL);
	host_console_quiet = false;
	tdisk_free(big);
	tdisk_free(tiny);
	tdisk_free(d);
}

static void test_rw_odd_offsets(void **state)
{
	struct tdisk *d = tdisk_new(8 * MiB, 512);
	u8 model[20000] = { 0 }, got[20000], buf[6000];
	struct fs *fs;
	u32 ino;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	assert_int_equal(fs_create(fs, "/f"), 0);
	assert_int_equal(fs_create(fs, "/f"), -EEXIST);
	ino = topen(fs, "/f");
	pattern(buf, sizeof(buf), 1);
	assert_int_equal(fs_write(fs, ino, 0, buf, 100), 100);
	memcpy(model, buf, 100);
	assert_int_equal(fs_write(fs, ino, 3000, buf, 5000), 5000);
	memcpy(model + 3000, buf, 5000);
	pattern(buf, sizeof(buf), 2);
	assert_int_equal(fs_write(fs, ino, 4090, buf, 10), 10);
	memcpy(model + 4090, buf, 10);
	assert_int_equal(fs_write(fs, ino, 12345, buf, 777), 777);
	memcpy(model + 12345, buf, 777);
	assert_int_equal(fs_read(fs, ino, 0, got, sizeof(got)), 13122);
	assert_memory_equal(got, model, 13122);
	assert_int_equal(fs_read(fs, ino, 13122, got, 10), 0);
	assert_int_equal(fs_read(fs, ino, 99999, got, 10), 0);
	assert_int_equal(fs_read(fs, ino, 13120, got, 100), 2);
	assert_int_equal(fs_read(fs, ino, 4095, got, 2), 2);
	assert_memory_equal(got, model + 4095, 2);
	assert_int_equal(fs_write(fs, ino, 0, buf, 0), 0);
	assert_int_equal(fs_fsync(fs, ino), 0);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	fs = tmount(d);
	assert_int_equal(fs_read(fs, topen(fs, "/f"), 0, got, sizeof(got)), 13122);
	assert_memory_equal(got, model, 13122);
	assert_int_equal(fs_unmount(fs), 0);
	tdisk_free(d);
}

static void test_large_file(void **state)
{
	/* 6 MiB: past 12 direct + 1020 indirect blocks into the double. */
	const u32 size = 6 * MiB + 123;
	struct tdisk *d = tdisk_new(16 * MiB, 512);
	u8 *buf = malloc(size), *got = malloc(size);
	struct fs_stat st;
	u64 free0;
	struct fs *fs;
	u32 ino;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	free0 = tfree_blocks(fs);
	pattern(buf, size, 3);
	assert_int_equal(fs_create(fs, "/big"), 0);
	ino = topen(fs, "/big");
	for (u32 off = 0; off < size; off += 100003) {
		u32 n = size - off < 100003 ? size - off : 100003;

		assert_int_equal(fs_write(fs, ino, off, buf + off, n), (int)n);
	}
	assert_int_equal(fs_fstat(fs, ino, &st), 0);
	assert_int_equal(st.size, size);
	/* 1537 data blocks + indirect + double-indirect + 1 leaf. */
	assert_int_equal(st.blocks, 1537 + 3);
	/* ... and the root directory's first block. */
	assert_int_equal(free0 - tfree_blocks(fs), 1540 + 1);
	assert_int_equal(fs_read(fs, ino, 0, got, size), (int)size);
	assert_memory_equal(got, buf, size);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	fs = tmount(d);
	tverify(fs, "/big", size, 3);
	ino = topen(fs, "/big");
	assert_int_equal(fs_truncate(fs, ino, 50000), 0);
	assert_int_equal(fs_fstat(fs, ino, &st), 0);
	assert_int_equal(st.size, 50000);
	assert_int_equal(st.blocks, 13 + 1);
	assert_int_equal(free0 - tfree_blocks(fs), 14 + 1);
	assert_int_equal(fs_read(fs, ino, 0, got, size), 50000);
	assert_memory_equal(got, buf, 50000);
	assert_int_equal(fs_unlink(fs, "/big"), 0);
	assert_int_equal(tfree_blocks(fs), free0 - 1);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	free(buf);
	free(got);
	tdisk_free(d);
}

static void test_truncate_holes(void **state)
{
	struct tdisk *d = tdisk_new(8 * MiB, 4096);
	u8 buf[20000], got[200000];
	struct fs_stat st;
	struct fs *fs;
	u32 ino;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	assert_int_equal(fs_create(fs, "/t"), 0);
	ino = topen(fs, "/t");
	memset(buf, 0xab, sizeof(buf));
	assert_int_equal(fs_write(fs, ino, 0, buf, 10000), 10000);
	assert_int_equal(fs_truncate(fs, ino, 5000), 0);
	assert_int_equal(fs_truncate(fs, ino, 20000), 0);
	assert_int_equal(fs_read(fs, ino, 0, got, sizeof(got)), 20000);
	for (u32 i = 0; i < 20000; i++)
		assert_int_equal(got[i], i < 5000 ? 0xab : 0);
	assert_int_equal(fs_fstat(fs, ino, &st), 0);
	assert_int_equal(st.blocks, 2);
	/* A hole far out: one data block and the indirect block. */
	assert_int_equal(fs_write(fs, ino, 100000, buf, 1), 1);
	assert_int_equal(fs_fstat(fs, ino, &st), 0);
	assert_int_equal(st.size, 100001);
	assert_int_equal(st.blocks, 4);
	assert_int_equal(fs_read(fs, ino, 0, got, sizeof(got)), 100001);
	for (u32 i = 5000; i < 100000; i++)
		assert_int_equal(got[i], 0);
	assert_int_equal(got[100000], 0xab);
	/* Shrink into the middle of a block, grow again: zeros, not old data. */
	assert_int_equal(fs_truncate(fs, ino, 4000), 0);
	assert_int_equal(fs_truncate(fs, ino, 9000), 0);
	assert_int_equal(fs_read(fs, ino, 0, got, sizeof(got)), 9000);
	for (u32 i = 0; i < 9000; i++)
		assert_int_equal(got[i], i < 4000 ? 0xab : 0);
	assert_int_equal(fs_truncate(fs, ino, 0), 0);
	assert_int_equal(fs_fstat(fs, ino, &st), 0);
	assert_int_equal(st.size, 0);
	assert_int_equal(st.blocks, 0);
	assert_int_equal(fs_truncate(fs, ino, FS_MAX_TEST_SIZE), -EFBIG);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	tdisk_free(d);
}

static void test_dirs(void **state)
{
	struct tdisk *d = tdisk_new(8 * MiB, 512);
	struct fs_stat st;
	struct names *n;
	struct fs *fs;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	assert_int_equal(fs_mkdir(fs, "/a"), 0);
	assert_int_equal(fs_mkdir(fs, "/a/b"), 0);
	assert_int_equal(fs_mkdir(fs, "/a/b/c"), 0);
	assert_int_equal(fs_mkdir(fs, "/a"), -EEXIST);
	assert_int_equal(fs_mkdir(fs, "/"), -EEXIST);
	tput(fs, "/a/b/c/f", 5000, 4);
	assert_int_equal(fs_create(fs, "/a/b/c/f/x"), -ENOTDIR);
	assert_int_equal(fs_create(fs, "/nope/x"), -ENOENT);
	assert_int_equal(fs_mkdir(fs, "/nope/x/y"), -ENOENT);
	assert_int_equal(fs_readdir(fs, "/a/b/c/f", collect, NULL), -ENOTDIR);
	assert_int_equal(fs_readdir(fs, "/zz", collect, NULL), -ENOENT);
	assert_int_equal(fs_stat(fs, "/a/b/", &st), 0);
	assert_int_equal(st.type, OFS_TYPE_DIR);
	assert_int_equal(fs_stat(fs, "/a/b/c/f/", &st), -ENOTDIR);
	assert_int_equal(fs_create(fs, "/a/x/"), -EISDIR);
	assert_int_equal(fs_mkdir(fs, "/a/d/"), 0);
	assert_int_equal(fs_stat(fs, "//a///b//c/f", &st), 0);
	assert_int_equal(st.size, 5000);
	assert_int_equal(st.nlink, 1);
	n = tlist(fs, "/a");
	assert_int_equal(n->count, 2);
	assert_true(has_name(n, "b") && has_name(n, "d"));
	free(n);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	fs = tmount(d);
	tverify(fs, "/a/b/c/f", 5000, 4);
	assert_int_equal(fs_unmount(fs), 0);
	tdisk_free(d);
}

/* 200 entries: four directory blocks, then freed slots refilled. */
static void test_dir_many(void **state)
{
	struct tdisk *d = tdisk_new(8 * MiB, 512);
	struct fs_stat st;
	struct names *n;
	char path[64];
	struct fs *fs;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	assert_int_equal(fs_mkdir(fs, "/many"), 0);
	for (int i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "/many/file-%03d", i);
		assert_int_equal(fs_create(fs, path), 0);
	}
	assert_int_equal(fs_stat(fs, "/many", &st), 0);
	assert_int_equal(st.size, 4 * BS);
	n = tlist(fs, "/many");
	assert_int_equal(n->count, 200);
	assert_true(has_name(n, "file-000") && has_name(n, "file-199"));
	free(n);
	for (int i = 0; i < 200; i += 2) {
		snprintf(path, sizeof(path), "/many/file-%03d", i);
		assert_int_equal(fs_unlink(fs, path), 0);
	}
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/many/new-%03d", i);
		assert_int_equal(fs_create(fs, path), 0);
	}
	assert_int_equal(fs_stat(fs, "/many", &st), 0);
	assert_int_equal(st.size, 4 * BS);
	n = tlist(fs, "/many");
	assert_int_equal(n->count, 200);
	assert_false(has_name(n, "file-000"));
	assert_true(has_name(n, "file-001") && has_name(n, "new-099"));
	free(n);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	fs = tmount(d);
	assert_int_equal(fs_stat(fs, "/many/new-050", &st), 0);
	assert_int_equal(fs_unmount(fs), 0);
	tdisk_free(d);
}

static void test_unlink(void **state)
{
	struct tdisk *d = tdisk_new(8 * MiB, 512);
	u64 free0;
	u32 ifree0;
	struct fs *fs;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	free0 = tfree_blocks(fs);
	ifree0 = tfree_inodes(fs);
	tput(fs, "/f", 100000, 5);
	assert_true(tfree_blocks(fs) < free0);
	assert_int_equal(fs_unlink(fs, "/f"), 0);
	assert_int_equal(fs_unlink(fs, "/f"), -ENOENT);
	/* The root directory keeps its one block. */
	assert_int_equal(tfree_blocks(fs), free0 - 1);
	assert_int_equal(tfree_inodes(fs), ifree0);
	assert_int_equal(fs_mkdir(fs, "/d"), 0);
	tput(fs, "/d/x", 10, 6);
	assert_int_equal(fs_unlink(fs, "/d"), -ENOTEMPTY);
	assert_int_equal(fs_unlink(fs, "/d/x"), 0);
	assert_int_equal(fs_unlink(fs, "/d"), 0);
	assert_int_equal(fs_unlink(fs, "/"), -EBUSY);
	assert_int_equal(fs_unlink(fs, "/nope/x"), -ENOENT);
	assert_int_equal(tfree_blocks(fs), free0 - 1);
	assert_int_equal(tfree_inodes(fs), ifree0);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	tdisk_free(d);
}

static void test_rename(void **state)
{
	struct tdisk *d = tdisk_new(8 * MiB, 512);
	struct fs_stat st;
	u64 free0;
	u32 ifree0;
	struct fs *fs;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	tput(fs, "/a", 3000, 7);
	assert_int_equal(fs_mkdir(fs, "/d1"), 0);
	assert_int_equal(fs_mkdir(fs, "/d2"), 0);
	assert_int_equal(fs_rename(fs, "/a", "/b"), 0);
	assert_int_equal(fs_stat(fs, "/a", &st), -ENOENT);
	assert_int_equal(fs_rename(fs, "/b", "/d1/b"), 0);
	assert_int_equal(fs_rename(fs, "/d1/b", "/d2/c"), 0);
	tverify(fs, "/d2/c", 3000, 7);
	assert_int_equal(fs_rename(fs, "/nope", "/x"), -ENOENT);
	assert_int_equal(fs_rename(fs, "/d2/c", "/nope/x"), -ENOENT);
	/* Atomic replace: the old target's inode and blocks go. */
	tput(fs, "/x", 50000, 8);
	free0 = tfree_blocks(fs);
	ifree0 = tfree_inodes(fs);
	assert_int_equal(fs_rename(fs, "/d2/c", "/x"), 0);
	tverify(fs, "/x", 3000, 7);
	assert_int_equal(fs_stat(fs, "/d2/c", &st), -ENOENT);
	assert_int_equal(tfree_blocks(fs), free0 + 13 + 1);
	assert_int_equal(tfree_inodes(fs), ifree0 + 1);
	assert_int_equal(fs_rename(fs, "/x", "/x"), 0);
	assert_int_equal(fs_rename(fs, "/x", "//x/"), -ENOTDIR);
	tverify(fs, "/x", 3000, 7);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	tdisk_free(d);
}

static void test_rename_dirs(void **state)
{
	struct tdisk *d = tdisk_new(8 * MiB, 512);
	char path[64], path2[64];
	struct fs_stat st;
	struct fs *fs;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	assert_int_equal(fs_mkdir(fs, "/d1"), 0);
	assert_int_equal(fs_mkdir(fs, "/d2"), 0);
	tput(fs, "/x", 10, 8);
	/* Directories: never into themselves. */
	assert_int_equal(fs_rename(fs, "/d1", "/d1/sub"), -EINVAL);
	assert_int_equal(fs_mkdir(fs, "/d1/e"), 0);
	assert_int_equal(fs_rename(fs, "/d1", "/d1/e/f"), -EINVAL);
	assert_int_equal(fs_rename(fs, "/d1/e", "/d2/e"), 0);
	assert_int_equal(fs_rename(fs, "/x", "/d2"), -EISDIR);
	tput(fs, "/y", 10, 9);
	assert_int_equal(fs_rename(fs, "/d2", "/y"), -ENOTDIR);
	assert_int_equal(fs_mkdir(fs, "/e1"), 0);
	assert_int_equal(fs_mkdir(fs, "/e2"), 0);
	tput(fs, "/e1/z", 10, 10);
	assert_int_equal(fs_rename(fs, "/e1", "/e2"), 0);
	tverify(fs, "/e2/z", 10, 10);
	assert_int_equal(fs_stat(fs, "/e1", &st), -ENOENT);
	assert_int_equal(fs_mkdir(fs, "/m"), 0);
	assert_int_equal(fs_rename(fs, "/m", "/e2"), -ENOTEMPTY);
	assert_int_equal(fs_rename(fs, "/", "/q"), -EBUSY);
	assert_int_equal(fs_rename(fs, "/y", "/"), -EBUSY);
	/* In a full directory block the source's slot is reused. */
	assert_int_equal(fs_mkdir(fs, "/full"), 0);
	for (int i = 0; i < 63; i++) {
		snprintf(path, sizeof(path), "/full/%d", i);
		assert_int_equal(fs_create(fs, path), 0);
	}
	for (int i = 0; i < 63; i++) {
		snprintf(path, sizeof(path), "/full/%d", i);
		snprintf(path2, sizeof(path2), "/full/renamed-%d", i);
		assert_int_equal(fs_rename(fs, path, path2), 0);
	}
	assert_int_equal(fs_stat(fs, "/full", &st), 0);
	assert_int_equal(st.size, BS);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	tdisk_free(d);
}

static void test_names(void **state)
{
	struct tdisk *d = tdisk_new(8 * MiB, 512);
	char name[80];
	struct names *n;
	struct fs *fs;
	u32 ino;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	name[0] = '/';
	memset(name + 1, 'n', 56);
	name[57] = '\0';
	assert_int_equal(fs_create(fs, name), 0);
	n = tlist(fs, "/");
	assert_int_equal(n->count, 1);
	assert_string_equal(n->name[0], name + 1);
	free(n);
	name[57] = 'n';
	name[58] = '\0';
	assert_int_equal(fs_create(fs, name), -ENAMETOOLONG);
	assert_int_equal(fs_open(fs, name, &ino), -ENAMETOOLONG);
	assert_int_equal(fs_mkdir(fs, "/."), -EINVAL);
	assert_int_equal(fs_mkdir(fs, "/.."), -EINVAL);
	assert_int_equal(fs_open(fs, "/./x", &ino), -EINVAL);
	assert_int_equal(fs_create(fs, ""), -ENOENT);
	assert_int_equal(fs_create(fs, "relative"), -EINVAL);
	assert_int_equal(fs_create(fs, NULL), -EINVAL);
	assert_int_equal(fs_mkdir(fs, "//a//"), 0);
	assert_int_equal(fs_create(fs, "/a/...hidden"), 0);
	assert_int_equal(fs_create(fs, "/a/.x"), 0);
	assert_int_equal(fs_open(fs, "/a/...hidden", &ino), 0);
	assert_int_equal(fs_open(fs, "/", &ino), 0);
	assert_int_equal(ino, OFS_ROOT_INO);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	tdisk_free(d);
}

static void test_enospc(void **state)
{
	struct tdisk *d = tdisk_new(4 * MiB, 512);
	u8 *buf = malloc(64 * 1024);
	u64 total = 0;
	u32 ifree, ino;
	struct fs_stat st;
	char path[32];
	struct fs *fs;
	int ret, i;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	assert_int_equal(fs_create(fs, "/big"), 0);
	ino = topen(fs, "/big");
	pattern(buf, 64 * 1024, 11);
	for (;;) {
		ret = fs_write(fs, ino, total, buf, 64 * 1024);
		if (ret <= 0)
			break;
		total += (u32)ret;
	}
	assert_int_equal(ret, -ENOSPC);
	assert_int_equal(tfree_blocks(fs), 0);
	assert_int_equal(fs_fstat(fs, ino, &st), 0);
	assert_int_equal(st.size, total);
	/* An inode and a free slot in the root: a create still works. */
	assert_int_equal(fs_create(fs, "/small"), 0);
	assert_int_equal(fs_write(fs, topen(fs, "/small"), 0, buf, 1), -ENOSPC);
	/* Fill the root's only block; the next create needs a block. */
	for (i = 0; i < 61; i++) {
		snprintf(path, sizeof(path), "/f%d", i);
		assert_int_equal(fs_create(fs, path), 0);
	}
	ifree = tfree_inodes(fs);
	assert_int_equal(fs_create(fs, "/one-too-many"), -ENOSPC);
	assert_int_equal(fs_mkdir(fs, "/one-too-many"), -ENOSPC);
	assert_int_equal(tfree_inodes(fs), ifree);
	assert_int_equal(fs_stat(fs, "/one-too-many", &st), -ENOENT);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	fs = tmount(d);
	assert_int_equal(fs_fstat(fs, topen(fs, "/big"), &st), 0);
	assert_int_equal(st.size, total);
	assert_int_equal(fs_unlink(fs, "/big"), 0);
	assert_int_equal(fs_create(fs, "/one-too-many"), 0);
	assert_int_equal(fs_write(fs, topen(fs, "/small"), 0, buf, 64 * 1024), 64 * 1024);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	free(buf);
	tdisk_free(d);
}

static void test_inodes_exhausted(void **state)
{
	struct tdisk *d = tdisk_new(8 * MiB, 512);
	char path[32];
	struct fs *fs;
	int i, ret;

	(void)state;
	tformat(d, 0, 40); /* rounded up to 62: inodes 1..61, the root is 1 */
	fs = tmount(d);
	assert_int_equal(tfree_inodes(fs), 60);
	for (i = 0;; i++) {
		snprintf(path, sizeof(path), "/f%d", i);
		ret = fs_create(fs, path);
		if (ret)
			break;
	}
	assert_int_equal(ret, -ENOSPC);
	assert_int_equal(i, 60);
	assert_int_equal(tfree_inodes(fs), 0);
	assert_int_equal(fs_mkdir(fs, "/d"), -ENOSPC);
	assert_int_equal(fs_unlink(fs, "/f7"), 0);
	assert_int_equal(fs_mkdir(fs, "/d"), 0);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	tdisk_free(d);
}

/* A small tree used by the corruption tests: /d/f (10000 B), /g (10 B). */
static struct tdisk *tree_image(void)
{
	struct tdisk *d = tdisk_new(8 * MiB, 512);
	struct fs *fs;

	tformat(d, 0, 0);
	fs = tmount(d);
	assert_int_equal(fs_mkdir(fs, "/d"), 0);
	tput(fs, "/d/f", 10000, 12);
	tput(fs, "/g", 10, 13);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	return d;
}

static u32 raw_ino(struct tdisk *d, const char *path)
{
	struct fs *fs = tmount(d);
	u32 ino = topen(fs, path);

	assert_int_equal(fs_unmount(fs), 0);
	return ino;
}

/* fsck must find something wrong with this image, and say so. */
static void expect_fsck_problem(struct tdisk *d)
{
	int n;

	host_console_quiet = true;
	n = fs_fsck(&d->blk, NULL, false);
	host_console_quiet = false;
	assert_true(n > 0);
	assert_true(strstr(host_console_last, "ordofs") != NULL);
}

static void test_remount(void **state)
{
	struct tdisk *d = tree_image();
	struct names *n;
	struct fs *fs;

	(void)state;
	for (int round = 0; round < 3; round++) {
		fs = tmount(d);
		tverify(fs, "/d/f", 10000, 12);
		tverify(fs, "/g", 10, 13);
		n = tlist(fs, "/");
		assert_int_equal(n->count, 2 + round);
		free(n);
		if (round == 0)
			assert_int_equal(fs_mkdir(fs, "/r0"), 0);
		if (round == 1)
			assert_int_equal(fs_create(fs, "/r1"), 0);
		assert_int_equal(fs_unmount(fs), 0);
		tcheck(d);
	}
	tdisk_free(d);
}

/* Where things are in tree_image(), for planting corruption. */
struct tree_info {
	u32 dino, fino, gino;
	u64 bstart, dblk, fblk;
};

static void flip_inode_block(struct tdisk *d, const struct tree_info *t)
{
	rblock(d, rinode_block(d, t->fino))[100] ^= 0x40;
}

static void flip_dir_block(struct tdisk *d, const struct tree_info *t)
{
	rblock(d, t->dblk)[70] ^= 1;
}

static void flip_bitmap(struct tdisk *d, const struct tree_info *t)
{
	rblock(d, t->bstart)[4000] ^= 0x10;
}

static void used_marked_free(struct tdisk *d, const struct tree_info *t)
{
	rblock(d, t->bstart)[t->fblk / 8] &= (u8) ~(1u << (t->fblk % 8));
	restamp(rblock(d, t->bstart));
}

static void free_marked_used(struct tdisk *d, const struct tree_info *t)
{
	rblock(d, t->bstart)[2000 / 8] |= 1u << (2000 % 8);
	restamp(rblock(d, t->bstart));
}

/* /g's inode freed behind the directory's back: a dangling entry. */
static void dangling_entry(struct tdisk *d, const struct tree_info *t)
{
	memset(rinode(d, t->gino), 0, sizeof(struct ofs_inode));
	restamp(rblock(d, rinode_block(d, t->gino)));
}

static void entry_to_unused_inode(struct tdisk *d, const struct tree_info *t)
{
	((struct ofs_dirent *)rblock(d, t->dblk))->ino = cpu_to_le32(40);
	restamp(rblock(d, t->dblk));
}

/* More blocks than the size allows: also refused when the inode is read. */
static void too_many_blocks(struct tdisk *d, const struct tree_info *t)
{
	rinode(d, t->fino)->blocks = cpu_to_le32(le32_to_cpu(rinode(d, t->fino)->blocks) + 1);
	restamp(rblock(d, rinode_block(d, t->fino)));
}

static void too_few_blocks(struct tdisk *d, const struct tree_info *t)
{
	rinode(d, t->fino)->blocks = cpu_to_le32(le32_to_cpu(rinode(d, t->fino)->blocks) - 1);
	restamp(rblock(d, rinode_block(d, t->fino)));
}

static void wrong_nlink(struct tdisk *d, const struct tree_info *t)
{
	rinode(d, t->fino)->nlink = cpu_to_le16(2);
	restamp(rblock(d, rinode_block(d, t->fino)));
}

/* /d also named from inside itself: two names, one a cycle. */
static void dir_cycle(struct tdisk *d, const struct tree_info *t)
{
	struct ofs_dirent *de = (struct ofs_dirent *)rblock(d, t->dblk) + 1;

	memset(de, 0, sizeof(*de));
	de->ino = cpu_to_le32(t->dino);
	de->name_len = 4;
	de->type = OFS_TYPE_DIR;
	memcpy(de->name, "loop", 4);
	restamp(rblock(d, t->dblk));
}

static void test_fsck_finds_corruption(void **state)
{
	static const struct {
		void (*plant)(struct tdisk *d, const struct tree_info *t);
		const char *euclean_path; /* a mounted lookup that must fail */
	} cases[] = {
		{ flip_inode_block, NULL },
		{ flip_dir_block, "/d/f" },
		{ flip_bitmap, NULL },
		{ used_marked_free, NULL },
		{ free_marked_used, NULL },
		{ dangling_entry, "/g" },
		{ entry_to_unused_inode, NULL },
		{ wrong_nlink, NULL },
		{ too_many_blocks, "/d/f" },
		{ too_few_blocks, NULL },
		{ dir_cycle, NULL },
	};
	struct tdisk *base = tree_image();
	struct tree_info t = {
		.dino = raw_ino(base, "/d"),
		.fino = raw_ino(base, "/d/f"),
		.gino = raw_ino(base, "/g"),
		.bstart = le64_to_cpu(rsuper(base)->bitmap_start),
	};

	(void)state;
	t.dblk = le32_to_cpu(rinode(base, t.dino)->direct[0]);
	t.fblk = le32_to_cpu(rinode(base, t.fino)->direct[1]);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct tdisk *d = tdisk_clone(base, 0);
		struct fs_stat st;
		struct fs *fs;

		cases[i].plant(d, &t);
		expect_fsck_problem(d);
		if (cases[i].euclean_path) {
			fs = tmount(d);
			host_console_quiet = true;
			assert_int_equal(fs_stat(fs, cases[i].euclean_path, &st), -EUCLEAN);
			assert_int_equal(fs_create(fs, "/d/new"),
					 cases[i].plant == flip_dir_block ? -EUCLEAN : 0);
			host_console_quiet = false;
			assert_int_equal(fs_unmount(fs), 0);
		}
		tdisk_free(d);
	}
	tdisk_free(base);
}

static int mount_err(struct tdisk *d)
{
	struct fs *fs = NULL;
	int err;

	host_console_quiet = true;
	err = fs_mount(&d->blk, &mopts, NULL, &fs);
	host_console_quiet = false;
	if (!err)
		fs_unmount(fs);
	return err;
}

static void test_mount_corrupt(void **state)
{
	struct tdisk *base = tree_image(), *d;
	struct ofs_super *sb;

	(void)state;
	d = tdisk_clone(base, 0);
	memset(rblock(d, 0), 0, BS);
	assert_int_equal(mount_err(d), -EINVAL);
	assert_true(strstr(host_console_last, "bad superblock magic") != NULL);
	tdisk_free(d);

	d = tdisk_clone(base, 0);
	rblock(d, 0)[200] ^= 1;
	assert_int_equal(mount_err(d), -EUCLEAN);
	assert_true(strstr(host_console_last, "bad superblock checksum") != NULL);
	tdisk_free(d);

	d = tdisk_clone(base, 4 * MiB);
	assert_int_equal(mount_err(d), -EINVAL);
	assert_true(strstr(host_console_last, "truncated") != NULL);
	tdisk_free(d);

	d = tdisk_clone(base, 2048);
	assert_int_equal(mount_err(d), -EINVAL);
	tdisk_free(d);

	/* Fields that disagree, under a valid checksum. */
	d = tdisk_clone(base, 0);
	sb = (struct ofs_super *)rblock(d, 0);
	sb->data_start = cpu_to_le64(le64_to_cpu(sb->data_start) + 1);
	sb->crc = cpu_to_le32(0);
	sb->crc = cpu_to_le32(crc32c(sb, BS));
	assert_int_equal(mount_err(d), -EUCLEAN);
	assert_true(strstr(host_console_last, "superblock is inconsistent") != NULL);
	tdisk_free(d);

	/* Garbage in the root's inode-table block, in the bitmap. */
	d = tdisk_clone(base, 0);
	memset(rblock(d, le64_to_cpu(rsuper(d)->inode_start)), 0x5a, BS);
	assert_int_equal(mount_err(d), -EUCLEAN);
	assert_true(strstr(host_console_last, "inode table block") != NULL);
	tdisk_free(d);
	d = tdisk_clone(base, 0);
	memset(rblock(d, le64_to_cpu(rsuper(d)->bitmap_start)) + 10, 0xff, 100);
	assert_int_equal(mount_err(d), -EUCLEAN);
	tdisk_free(d);

	/* A journal superblock damaged in both copies (one is survivable). */
	d = tdisk_clone(base, 0);
	rblock(d, 1)[40] ^= 1;
	rblock(d, 1)[OFS_JSUPER_COPY_BYTES + 40] ^= 1;
	assert_true(mount_err(d) < 0);
	tdisk_free(d);
	tdisk_free(base);
}

/* ---- fuzz: scrambled metadata with valid checksums -------------------- */

#ifndef FS_FUZZ_ITERS
#define FS_FUZZ_ITERS 300 /* -DFS_FUZZ_ITERS=100000 for a long run */
#endif

static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct walk {
	struct fs *fs;
	int depth;
	char path[512];
};

static int fuzz_visit(void *ctx, const char *name, u32 ino, u8 type)
{
	struct walk *w = ctx;
	size_t len = strlen(w->path);
	static u8 buf[70000];
	struct fs_stat st;

	if (len + strlen(name) + 2 >= sizeof(w->path) || w->depth > 6)
		return 0;
	snprintf(w->path + len, sizeof(w->path) - len, "/%s", name);
	fs_stat(w->fs, w->path, &st);
	fs_fstat(w->fs, ino, &st);
	if (type == OFS_TYPE_DIR) {
		w->depth++;
		fs_readdir(w->fs, w->path, fuzz_visit, w);
		w->depth--;
	} else {
		fs_read(w->fs, ino, 0, buf, sizeof(buf));
		fs_read(w->fs, ino, 5 * MiB, buf, 100);
		fs_write(w->fs, ino, 3, "abc", 3);
	}
	w->path[len] = '\0';
	return 0;
}

/* Everything a user might do to a mounted, possibly corrupt image. */
static void fuzz_exercise(struct fs *fs)
{
	struct walk w = { .fs = fs };
	struct fs_statfs sf;
	u32 ino;

	fs_readdir(fs, "/", fuzz_visit, &w);
	fs_statfs(fs, &sf);
	fs_create(fs, "/d/new");
	fs_mkdir(fs, "/nd");
	fs_rename(fs, "/g", "/d/g2");
	fs_rename(fs, "/d", "/nd/d");
	if (fs_open(fs, "/nd/d/f", &ino) == 0) {
		fs_truncate(fs, ino, 1);
		fs_write(fs, ino, 100000, "x", 1);
	}
	fs_unlink(fs, "/nd/d/f");
	fs_unlink(fs, "/d/f");
	fs_unlink(fs, "/g");
	fs_sync(fs);
}

static void test_fuzz_metadata(void **state)
{
	struct tdisk *base = tree_image(), *d;
	u64 dstart = le64_to_cpu(rsuper(base)->data_start);
	int mounted = 0;
	struct fs *fs;

	(void)state;
	for (int iter = 0; iter < FS_FUZZ_ITERS; iter++) {
		u64 b = 1 + le32_to_cpu(rsuper(base)->journal_blocks) + rng() % (dstart + 6 - 129);
		u8 *blk;

		d = tdisk_clone(base, 0);
		blk = rblock(d, b);
		for (int k = 0, n = 1 + (int)(rng() % 16); k < n; k++) {
			u32 at = (u32)(rng() % OFS_PAYLOAD);

			blk[at] = iter % 3 ? (u8)rng() : (u8)(blk[at] ^ (1u << (rng() % 8)));
		}
		if (iter % 5)
			restamp(blk); /* let it pass the checksum: semantic checks */
		host_console_quiet = true;
		fs_fsck(&d->blk, NULL, false);
		if (fs_mount(&d->blk, &mopts, NULL, &fs) == 0) {
			mounted++;
			fuzz_exercise(fs);
			fs_unmount(fs);
			fs_fsck(&d->blk, NULL, true);
		}
		host_console_quiet = false;
		tdisk_free(d);
	}
	print_message("fuzz: %d of %d scrambled images mounted and exercised\n", mounted,
		      FS_FUZZ_ITERS);
	assert_true(mounted > FS_FUZZ_ITERS / 3);
	tdisk_free(base);
}

static void test_read_only(void **state)
{
	struct tdisk *d = tree_image();
	struct fs_mount_opts ro = { .read_only = true, .data_journal = mopts.data_journal };
	unsigned writes;
	struct fs *fs;
	u32 ino;

	(void)state;
	assert_int_equal(fs_mount(&d->blk, &ro, NULL, &fs), 0);
	writes = d->rd.writes;
	ino = topen(fs, "/d/f");
	tverify(fs, "/d/f", 10000, 12);
	assert_int_equal(fs_create(fs, "/n"), -EROFS);
	assert_int_equal(fs_mkdir(fs, "/n"), -EROFS);
	assert_int_equal(fs_write(fs, ino, 0, "x", 1), -EROFS);
	assert_int_equal(fs_truncate(fs, ino, 0), -EROFS);
	assert_int_equal(fs_unlink(fs, "/g"), -EROFS);
	assert_int_equal(fs_rename(fs, "/g", "/h"), -EROFS);
	assert_int_equal(fs_sync(fs), 0);
	assert_int_equal(fs_fsync(fs, ino), 0);
	assert_int_equal(fs_unmount(fs), 0);
	assert_int_equal(d->rd.writes, writes);
	/* A read-only device: only a read-only mount. */
	d->rd.q.dev.info.read_only = true;
	host_console_quiet = true;
	assert_int_equal(fs_mount(&d->blk, &mopts, NULL, &fs), -EROFS);
	host_console_quiet = false;
	assert_int_equal(fs_mount(&d->blk, &ro, NULL, &fs), 0);
	tverify(fs, "/g", 10, 13);
	assert_int_equal(fs_unmount(fs), 0);
	assert_int_equal(fs_fsck(&d->blk, NULL, false), 0);
	tdisk_free(d);
}

static void test_recovery(void **state)
{
	struct tdisk *d = tdisk_new(8 * MiB, 512), *crash, *early;
	struct jnl_recovery rep;
	struct fs_stat st;
	struct fs *fs;
	int pending;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	tput(fs, "/keep", 3000, 20);
	assert_int_equal(fs_sync(fs), 0);
	tput(fs, "/f", 20000, 21);
	assert_int_equal(fs_mkdir(fs, "/dir"), 0);
	assert_int_equal(fs_rename(fs, "/keep", "/dir/kept"), 0);
	early = tdisk_clone(d, 0); /* crash before the second commit */
	assert_int_equal(fs_sync(fs), 0);
	crash = tdisk_clone(d, 0); /* crash right after it */
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);

	pending = fs_journal_pending(&crash->blk, NULL);
	assert_int_equal(pending, 2);
	expect_fsck_problem(crash);
	assert_true(strstr(host_console_last, "recovery") != NULL);
	host_console_quiet = true;
	assert_int_equal(fs_mount(&crash->blk, &mopts, &rep, &fs), 0);
	host_console_quiet = false;
	assert_true(strstr(host_console_last, "recovery replayed 2 transactions") != NULL);
	assert_int_equal(rep.transactions, (u64)pending);
	tverify(fs, "/f", 20000, 21);
	tverify(fs, "/dir/kept", 3000, 20);
	assert_int_equal(fs_stat(fs, "/keep", &st), -ENOENT);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(crash);

	/* Only the first transaction was durable: the rename never happened. */
	assert_int_equal(fs_journal_pending(&early->blk, NULL), 1);
	host_console_quiet = true;
	fs = tmount(early);
	host_console_quiet = false;
	tverify(fs, "/keep", 3000, 20);
	assert_int_equal(fs_stat(fs, "/f", &st), -ENOENT);
	assert_int_equal(fs_stat(fs, "/dir", &st), -ENOENT);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(early);
	tdisk_free(early);
	tdisk_free(crash);
	tdisk_free(d);
}

/*
 * The format policy: only a blank device (first and last MiB zero) is
 * formatted unless forced; anything else is left byte for byte as it was.
 */
static void test_format_policy(void **state)
{
	struct tdisk *d = tdisk_new(8 * MiB, 512);
	struct fs_mkfs_opts force = { .force = true };
	struct disksig sig;
	unsigned writes;

	(void)state;
	host_console_quiet = true;
	/* Data in the middle of the disk only: still blank by the rule. */
	d->rd.store[4 * MiB] = 1;
	assert_int_equal(fs_disk_probe(&d->blk, &sig), 0);
	/* A byte in the last MiB, then an ext2 superblock: not blank. */
	d->rd.store[8 * MiB - 1] = 1;
	writes = d->rd.writes;
	assert_int_equal(fs_format(&d->blk, NULL), -EEXIST);
	assert_non_null(strstr(host_console_last, "non-zero data"));
	d->rd.store[8 * MiB - 1] = 0;
	d->rd.store[1024 + 56] = 0x53;
	d->rd.store[1024 + 57] = 0xef;
	assert_int_equal(fs_disk_probe(&d->blk, &sig), -EEXIST);
	assert_int_equal(sig.kind, DISKSIG_EXT);
	assert_int_equal(fs_format(&d->blk, NULL), -EEXIST);
	assert_non_null(strstr(host_console_last, "ext2"));
	assert_int_equal(d->rd.writes, writes);
	assert_int_equal(d->rd.store[1024 + 56], 0x53);
	/* Forced: formatted; then it holds ordofs, which is not blank either. */
	assert_int_equal(fs_format(&d->blk, &force), 0);
	assert_int_equal(fs_disk_probe(&d->blk, &sig), FS_DISK_OFS);
	writes = d->rd.writes;
	assert_int_equal(fs_format(&d->blk, NULL), -EEXIST);
	assert_non_null(strstr(host_console_last, "ordofs"));
	assert_int_equal(d->rd.writes, writes);
	host_console_quiet = false;
	tdisk_free(d);
}

static void test_external_journal(void **state)
{
	struct tdisk *d = tdisk_new(8 * MiB, 512), *jd = tdisk_new(MiB, 512);
	struct tdisk *other = tdisk_new(8 * MiB, 512), *ojd = tdisk_new(MiB, 512);
	struct tdisk *crash, *jcrash;
	struct fs_mkfs_opts o = { .journal_dev = &jd->blk };
	struct fs_mount_opts mo = { .journal_dev = &jd->blk, .data_journal = mopts.data_journal };
	struct fs_mount_opts wrong = { .journal_dev = &ojd->blk };
	struct fs *fs;

	(void)state;
	assert_int_equal(fs_format(&d->blk, &o), 0);
	assert_int_equal(le32_to_cpu(rsuper(d)->features), OFS_FEAT_EXTERNAL_JOURNAL);
	assert_int_equal(le32_to_cpu(rsuper(d)->journal_blocks), 256);
	assert_int_equal(le64_to_cpu(rsuper(d)->bitmap_start), 1);
	assert_int_equal(mount_err(d), -EINVAL);
	o.journal_dev = &ojd->blk;
	assert_int_equal(fs_format(&other->blk, &o), 0);
	host_console_quiet = true;
	assert_int_equal(fs_mount(&d->blk, &wrong, NULL, &fs), -EINVAL);
	host_console_quiet = false;
	assert_true(strstr(host_console_last, "uuid") != NULL);
	assert_int_equal(fs_mount(&d->blk, &mo, NULL, &fs), 0);
	tput(fs, "/x", 50000, 30);
	assert_int_equal(fs_sync(fs), 0);
	crash = tdisk_clone(d, 0);
	jcrash = tdisk_clone(jd, 0);
	assert_int_equal(fs_unmount(fs), 0);
	assert_int_equal(fs_fsck(&d->blk, &jd->blk, false), 0);

	assert_int_equal(fs_journal_pending(&crash->blk, &jcrash->blk), 1);
	mo.journal_dev = &jcrash->blk;
	host_console_quiet = true;
	assert_int_equal(fs_mount(&crash->blk, &mo, NULL, &fs), 0);
	host_console_quiet = false;
	tverify(fs, "/x", 50000, 30);
	assert_int_equal(fs_unmount(fs), 0);
	assert_int_equal(fs_journal_pending(&crash->blk, &jcrash->blk), 0);
	assert_int_equal(fs_fsck(&crash->blk, &jcrash->blk, false), 0);
	tdisk_free(crash);
	tdisk_free(jcrash);
	tdisk_free(d);
	tdisk_free(jd);
	tdisk_free(other);
	tdisk_free(ojd);
}

static void test_small_journal(void **state)
{
	const u32 size = MiB + 4321;
	struct tdisk *d = tdisk_new(8 * MiB, 512);
	u8 *buf = malloc(size);
	struct fs *fs;

	(void)state;
	tformat(d, 32, 0); /* the largest operation is 13 blocks */
	fs = tmount(d);
	assert_int_equal(fs_mkdir(fs, "/a"), 0);
	assert_int_equal(fs_mkdir(fs, "/a/b"), 0);
	pattern(buf, size, 40);
	assert_int_equal(fs_create(fs, "/a/b/f"), 0);
	assert_int_equal(fs_write(fs, topen(fs, "/a/b/f"), 0, buf, size), (int)size);
	assert_true(fs_jnl_stats(fs)->commits > 10);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	fs = tmount(d);
	tverify(fs, "/a/b/f", size, 40);
	assert_int_equal(fs_truncate(fs, topen(fs, "/a/b/f"), 100), 0);
	tverify(fs, "/a/b/f", 100, 40);
	assert_int_equal(fs_rename(fs, "/a/b/f", "/g"), 0);
	assert_int_equal(fs_unlink(fs, "/g"), 0);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	free(buf);
	tdisk_free(d);
}

static void test_bad_calls(void **state)
{
	struct tdisk *d = tree_image();
	struct fs_stat st;
	struct fs *fs = tmount(d);
	u32 dino = topen(fs, "/d"), fino = topen(fs, "/d/f");
	u8 buf[16];

	(void)state;
	assert_int_equal(fs_read(fs, dino, 0, buf, 16), -EISDIR);
	assert_int_equal(fs_write(fs, dino, 0, buf, 16), -EISDIR);
	assert_int_equal(fs_truncate(fs, dino, 0), -EISDIR);
	assert_int_equal(fs_fstat(fs, 0, &st), -EINVAL);
	assert_int_equal(fs_fstat(fs, 1u << 30, &st), -EINVAL);
	assert_int_equal(fs_fstat(fs, 200, &st), -ENOENT);
	assert_int_equal(fs_read(fs, 200, 0, buf, 16), -ENOENT);
	assert_int_equal(fs_fsync(fs, 200), -ENOENT);
	assert_int_equal(fs_write(fs, fino, FS_MAX_TEST_SIZE - 1, buf, 16), -EFBIG);
	assert_int_equal(fs_write(fs, fino, FS_MAX_TEST_SIZE - 2, buf, 16), 1);
	assert_int_equal(fs_fstat(fs, fino, &st), 0);
	assert_int_equal(st.size, FS_MAX_TEST_SIZE - 1);
	assert_int_equal(st.blocks, 3 + 3); /* its 3 blocks + dind, leaf, data */
	assert_int_equal(fs_truncate(fs, fino, 0), 0);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	tdisk_free(d);
}

static void test_io_error_aborts(void **state)
{
	struct tdisk *d = tree_image();
	struct fs *fs = tmount(d);

	(void)state;
	tput(fs, "/n", 5000, 50);
	d->rd.fail_write_in = 1;
	host_console_quiet = true;
	assert_int_equal(fs_sync(fs), -EIO);
	assert_int_equal(fs_create(fs, "/m"), -EROFS);
	assert_true(fs_unmount(fs) < 0);
	host_console_quiet = false;
	/* What was durable before is intact. */
	fs = tmount(d);
	tverify(fs, "/g", 10, 13);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	tdisk_free(d);
}

/* Past the first bitmap block (32640 blocks = 127.5 MiB): two of them. */
static void test_two_bitmap_blocks(void **state)
{
	const u32 chunk = MiB;
	struct tdisk *d = tdisk_new(160 * MiB, 4096);
	u8 *buf = malloc(chunk), *got = malloc(chunk);
	u64 free0;
	struct fs *fs;
	u32 ino;

	(void)state;
	tformat(d, 0, 0);
	assert_int_equal(le32_to_cpu(rsuper(d)->bitmap_blocks), 2);
	fs = tmount(d);
	free0 = tfree_blocks(fs);
	assert_int_equal(fs_create(fs, "/huge"), 0);
	ino = topen(fs, "/huge");
	for (u32 i = 0; i < 130; i++) {
		pattern(buf, chunk, i);
		assert_int_equal(fs_write(fs, ino, (u64)i * chunk, buf, chunk), (int)chunk);
	}
	assert_true(free0 - tfree_blocks(fs) > OFS_BITS_PER_BITMAP);
	for (u32 i = 0; i < 130; i += 23) {
		pattern(buf, chunk, i);
		assert_int_equal(fs_read(fs, ino, (u64)i * chunk, got, chunk), (int)chunk);
		assert_memory_equal(got, buf, chunk);
	}
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	fs = tmount(d);
	assert_int_equal(fs_unlink(fs, "/huge"), 0);
	assert_int_equal(tfree_blocks(fs), free0 - 1);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	free(buf);
	free(got);
	tdisk_free(d);
}

/* The inode's block count through appends, holes, truncates and unlink. */
static void test_block_count(void **state)
{
	struct tdisk *d = tdisk_new(16 * MiB, 512);
	u8 buf[3000];
	char path[32];
	u64 free0;
	struct fs *fs;
	u32 ino, dino;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	free0 = tfree_blocks(fs);
	assert_int_equal(fs_create(fs, "/f"), 0);
	ino = topen(fs, "/f");
	assert_int_equal(tblocks(fs, ino), 0);
	pattern(buf, sizeof(buf), 60);
	for (u32 i = 0; i < 10; i++) {
		assert_int_equal(fs_write(fs, ino, i * sizeof(buf), buf, sizeof(buf)),
				 (int)sizeof(buf));
		assert_int_equal(tblocks(fs, ino), fs_size_blocks((i + 1) * sizeof(buf)));
	}
	/* Holes: block 12 needs the indirect block, 1032 + 5 dind and a leaf. */
	assert_int_equal(fs_write(fs, ino, 12 * BS, buf, 1), 1);
	assert_int_equal(tblocks(fs, ino), 8 + 2);
	assert_int_equal(fs_write(fs, ino, (1032 + 5) * BS + 7, buf, 100), 100);
	assert_int_equal(tblocks(fs, ino), 10 + 3);
	/* Counted in the inode, not walked: it survives a remount. */
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	fs = tmount(d);
	assert_int_equal(tblocks(fs, ino), 13);
	assert_int_equal(fs_truncate(fs, ino, 1032 * BS), 0);
	assert_int_equal(tblocks(fs, ino), 10);
	assert_int_equal(fs_truncate(fs, ino, 12 * BS + 1), 0);
	assert_int_equal(tblocks(fs, ino), 10);
	assert_int_equal(fs_truncate(fs, ino, 12 * BS), 0);
	assert_int_equal(tblocks(fs, ino), 8);
	assert_int_equal(fs_truncate(fs, ino, 5000), 0);
	assert_int_equal(tblocks(fs, ino), 2);
	assert_int_equal(fs_truncate(fs, ino, 100000), 0);
	assert_int_equal(tblocks(fs, ino), 2);
	/* Directories count their blocks too. */
	assert_int_equal(fs_mkdir(fs, "/d"), 0);
	dino = topen(fs, "/d");
	assert_int_equal(tblocks(fs, dino), 0);
	for (int i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/d/%d", i);
		assert_int_equal(fs_create(fs, path), 0);
	}
	assert_int_equal(tblocks(fs, dino), 2);
	assert_int_equal(tblocks(fs, OFS_ROOT_INO), 1);
	assert_int_equal(fs_unlink(fs, "/f"), 0);
	assert_int_equal(tfree_blocks(fs), free0 - 1 - 2);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	tdisk_free(d);
}

/*
 * Operations that fail half-way, after changing blocks in place: each is
 * undone to the byte, in the cache and in the free counts.
 */
static void test_undo_half_way(void **state)
{
	struct tdisk *d = tdisk_new(4 * MiB, 512);
	u8 *buf = malloc(64 * 1024), *snap;
	struct fs_statfs sf0, sf;
	u32 ino, leaf;
	char path[32];
	size_t len;
	struct fs *fs;
	int i;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	pattern(buf, 64 * 1024, 61);
	assert_int_equal(fs_create(fs, "/f"), 0);
	ino = topen(fs, "/f");
	assert_int_equal(fs_write(fs, ino, 0, buf, BS), BS);
	assert_int_equal(fs_write(fs, ino, 12 * BS, buf, 10), 10);
	assert_int_equal(fs_unmount(fs), 0);
	/* A corrupt indirect block, found after the op allocated two blocks. */
	leaf = le32_to_cpu(rinode(d, ino)->indirect);
	rblock(d, leaf)[8] ^= 1;
	fs = tmount(d);
	assert_int_equal(fs_statfs(fs, &sf0), 0);
	snap = tsnap(fs, &len);
	host_console_quiet = true;
	assert_int_equal(fs_write(fs, ino, 10 * BS, buf, 3 * BS), -EUCLEAN);
	tsame(fs, snap, len);
	/* ... found after freeing direct blocks: truncate, unlink. */
	snap = tsnap(fs, &len);
	assert_int_equal(fs_truncate(fs, ino, 0), -EUCLEAN);
	tsame(fs, snap, len);
	snap = tsnap(fs, &len);
	assert_int_equal(fs_unlink(fs, "/f"), -EUCLEAN);
	host_console_quiet = false;
	tsame(fs, snap, len);
	assert_int_equal(fs_statfs(fs, &sf), 0);
	tsame_statfs(&sf, &sf0);
	assert_int_equal(fs_unmount(fs), 0);

	/* No space for a directory block, after an inode was taken. */
	tdisk_free(d);
	d = tdisk_new(4 * MiB, 512);
	tformat(d, 0, 0);
	fs = tmount(d);
	assert_int_equal(fs_mkdir(fs, "/d"), 0);
	assert_int_equal(fs_create(fs, "/d/x"), 0);
	for (i = 0; i < 61; i++) {
		snprintf(path, sizeof(path), "/%d", i);
		assert_int_equal(fs_create(fs, path), 0);
	}
	assert_int_equal(fs_create(fs, "/big"), 0);
	ino = topen(fs, "/big");
	for (u64 off = 0;; off += 64 * 1024) {
		if (fs_write(fs, ino, off, buf, 64 * 1024) <= 0)
			break;
	}
	assert_int_equal(tfree_blocks(fs), 0);
	assert_int_equal(fs_statfs(fs, &sf0), 0);
	snap = tsnap(fs, &len);
	assert_int_equal(fs_create(fs, "/one-more"), -ENOSPC);
	assert_int_equal(fs_mkdir(fs, "/one-more"), -ENOSPC);
	/* The source's entry is cleared before the target needs a block. */
	assert_int_equal(fs_rename(fs, "/d/x", "/one-more"), -ENOSPC);
	tsame(fs, snap, len);
	assert_int_equal(fs_statfs(fs, &sf), 0);
	tsame_statfs(&sf, &sf0);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	free(buf);
	tdisk_free(d);
}

/*
 * data=ordered: blocks freed by a committed operation are reused only
 * after a checkpoint; when the disk is full without them, the call forces
 * one.  data=journal reuses them at once.
 */
static void test_freed_reuse(void **state)
{
	struct tdisk *d = tdisk_new(4 * MiB, 512), *crash;
	u8 *buf = malloc(64 * 1024);
	u64 total = 0, ckpt;
	struct fs *fs, *cfs;
	u32 ino;
	int ret;

	(void)state;
	tformat(d, 0, 0);
	fs = tmount(d);
	assert_int_equal(fs_create(fs, "/a"), 0);
	ino = topen(fs, "/a");
	pattern(buf, 64 * 1024, 62);
	while ((ret = fs_write(fs, ino, total, buf, 64 * 1024)) > 0)
		total += (u32)ret;
	assert_int_equal(ret, -ENOSPC);
	assert_int_equal(fs_unmount(fs), 0);
	fs = tmount(d); /* an empty log: no checkpoint pending */
	assert_int_equal(tfree_blocks(fs), 0);
	assert_int_equal(fs_truncate(fs, ino, 100 * BS), 0);
	/* Free for statfs either way; held back only with data=ordered. */
	assert_true(tfree_blocks(fs) > 16);
	assert_int_equal(fs_pending_count(fs) > 0, !mopts.data_journal);
	ckpt = fs_jnl_stats(fs)->checkpoints;
	assert_int_equal(fs_create(fs, "/b"), 0);
	assert_int_equal(fs_write(fs, topen(fs, "/b"), 0, buf, 64 * 1024), 64 * 1024);
	assert_int_equal(fs_jnl_stats(fs)->checkpoints > ckpt, !mopts.data_journal);
	assert_int_equal(fs_pending_count(fs), 0);
	/* What a crash right after the next commit leaves. */
	assert_int_equal(fs_sync(fs), 0);
	crash = tdisk_clone(d, 0);
	host_console_quiet = true;
	cfs = tmount(crash);
	host_console_quiet = false;
	tverify(cfs, "/b", 64 * 1024, 62);
	assert_int_equal(fs_unmount(cfs), 0);
	tcheck(crash);
	tdisk_free(crash);
	assert_int_equal(fs_unmount(fs), 0);
	tcheck(d);
	fs = tmount(d);
	tverify(fs, "/b", 64 * 1024, 62);
	assert_int_equal(fs_unmount(fs), 0);
	free(buf);
	tdisk_free(d);
}

/* A format version this build does not read is refused, with a reason. */
static void test_version(void **state)
{
	struct tdisk *base = tree_image(), *d;
	struct ofs_super *sb;

	(void)state;
	for (u32 v = 1; v <= 3; v += 2) {
		d = tdisk_clone(base, 0);
		sb = (struct ofs_super *)rblock(d, 0);
		sb->version = cpu_to_le32(v);
		sb->crc = cpu_to_le32(0);
		sb->crc = cpu_to_le32(crc32c(sb, BS));
		assert_int_equal(mount_err(d), -EINVAL);
		assert_console_has(v == 1 ? "format version 1 is not supported" : "is newer");
		host_console_quiet = true;
		assert_int_equal(fs_fsck(&d->blk, NULL, false), 1);
		host_console_quiet = false;
		tdisk_free(d);
	}
	tdisk_free(base);
}

/* ---- random operations against a model -------------------------------- */

#ifndef FS_MODEL_STEPS
#define FS_MODEL_STEPS 1500
#endif
#ifndef FS_MODEL_JOURNAL
#define FS_MODEL_JOURNAL 64
#endif
#define M_SLOTS 40
#define M_MAX_SIZE (400u * 1024)

static int model_full; /* operations run with the disk (nearly) full */

struct mfile {
	bool used;
	u32 size;
	u8 *data;
};

/* Slot k is the path /d(k%4)/fk, or /fk for k%4 == 3. */
static void mpath(char *buf, size_t len, int k)
{
	if (k % 4 == 3)
		snprintf(buf, len, "/f%d", k);
	else
		snprintf(buf, len, "/d%d/f%d", k % 4, k);
}

static void model_compare(struct fs *fs, struct mfile *m)
{
	u8 *got = malloc(M_MAX_SIZE + 1);
	struct fs_stat st;
	char path[32];

	for (int k = 0; k < M_SLOTS; k++) {
		mpath(path, sizeof(path), k);
		if (!m[k].used) {
			assert_int_equal(fs_stat(fs, path, &st), -ENOENT);
			continue;
		}
		assert_int_equal(fs_stat(fs, path, &st), 0);
		assert_int_equal(st.size, m[k].size);
		assert_int_equal(fs_read(fs, st.ino, 0, got, M_MAX_SIZE + 1), (int)m[k].size);
		assert_memory_equal(got, m[k].data, m[k].size);
	}
	free(got);
}

/* Rename slot k to slot k2 (which may exist: replaced). */
static void model_rename(struct fs *fs, struct mfile *m, int k, int k2)
{
	char path[32], path2[32];
	int ret;

	mpath(path, sizeof(path), k);
	mpath(path2, sizeof(path2), k2);
	ret = fs_rename(fs, path, path2);
	if (!m[k].used) {
		assert_int_equal(ret, -ENOENT);
		return;
	}
	/* Only a move into a full directory can run out of space. */
	assert_true(ret == 0 || (ret == -ENOSPC && !m[k2].used));
	if (ret || k == k2)
		return;
	m[k2].used = true;
	m[k2].size = m[k].size;
	memcpy(m[k2].data, m[k].data, m[k].size);
	m[k].used = false;
	m[k].size = 0;
}

/* One random operation on fs and the model. */
static void model_step(struct fs *fs, struct mfile *m, u8 *buf)
{
	int k = (int)(rng() % M_SLOTS), k2 = (int)(rng() % M_SLOTS), ret;
	char path[32];
	u32 off, len;

	mpath(path, sizeof(path), k);
	model_full += tfree_blocks(fs) < 16;
	switch (rng() % 10) {
	case 0:
		ret = fs_create(fs, path);
		assert_true(ret == (m[k].used ? -EEXIST : 0) || (!m[k].used && ret == -ENOSPC));
		m[k].used = m[k].used || ret == 0;
		return;
	case 1:
	case 2:
	case 6:
	case 7:
	case 8:
		if (!m[k].used)
			return;
		/* Mostly dense files, so the disk fills up; sometimes a hole. */
		off = (u32)(rng() % 4 ? rng() % (m[k].size + 1) : rng() % (M_MAX_SIZE - 1));
		if (off >= M_MAX_SIZE - 1)
			return;
		len = 1 + (u32)(rng() % 150000); /* not inside MIN(): one call */
		len = MIN(len, M_MAX_SIZE - off);
		pattern(buf, len, (u32)rng());
		ret = fs_write(fs, topen(fs, path), off, buf, len);
		assert_true(ret == (int)len || (ret >= 0 && ret < (int)len) || ret == -ENOSPC);
		if (ret <= 0)
			return;
		if (off > m[k].size)
			memset(m[k].data + m[k].size, 0, off - m[k].size);
		memcpy(m[k].data + off, buf, (u32)ret);
		m[k].size = MAX(m[k].size, off + (u32)ret);
		return;
	case 3:
		if (!m[k].used)
			return;
		len = (u32)(rng() % M_MAX_SIZE);
		assert_int_equal(fs_truncate(fs, topen(fs, path), len), 0);
		if (len > m[k].size)
			memset(m[k].data + m[k].size, 0, len - m[k].size);
		m[k].size = len;
		return;
	case 4:
		assert_int_equal(fs_unlink(fs, path), m[k].used ? 0 : -ENOENT);
		m[k].used = false;
		m[k].size = 0;
		return;
	default: model_rename(fs, m, k, k2);
	}
}

static void test_model_random(void **state)
{
	struct tdisk *d = tdisk_new(2 * MiB, 512);
	struct mfile m[M_SLOTS] = { 0 };
	u8 *buf = malloc(M_MAX_SIZE);
	struct fs *fs;

	(void)state;
	for (int k = 0; k < M_SLOTS; k++)
		m[k].data = calloc(1, M_MAX_SIZE);
	tformat(d, FS_MODEL_JOURNAL, 0);
	fs = tmount(d);
	for (int i = 0; i < 3; i++) {
		char path[16];

		snprintf(path, sizeof(path), "/d%d", i);
		assert_int_equal(fs_mkdir(fs, path), 0);
	}
	for (int step = 1; step <= FS_MODEL_STEPS; step++) {
		model_step(fs, m, buf);
		if (step % 37 == 0) {
			/* Power cut right after a sync: recovery gives exactly this. */
			struct tdisk *crash;
			struct fs *cfs;

			assert_int_equal(fs_sync(fs), 0);
			crash = tdisk_clone(d, 0);
			host_console_quiet = true;
			cfs = tmount(crash);
			host_console_quiet = false;
			model_compare(cfs, m);
			assert_int_equal(fs_unmount(cfs), 0);
			tcheck(crash);
			tdisk_free(crash);
		}
		if (step % 100 == 0) {
			assert_int_equal(fs_unmount(fs), 0);
			tcheck(d);
			fs = tmount(d);
			model_compare(fs, m);
		}
	}
	assert_int_equal(fs_unmount(fs), 0);
	print_message("model: %d operations, %d with the disk nearly full\n", FS_MODEL_STEPS,
		      model_full);
	for (int k = 0; k < M_SLOTS; k++)
		free(m[k].data);
	free(buf);
	tdisk_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_mount),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_rw_odd_offsets),
		cmocka_unit_test(test_large_file),
		cmocka_unit_test(test_truncate_holes),
		cmocka_unit_test(test_dirs),
		cmocka_unit_test(test_dir_many),
		cmocka_unit_test(test_unlink),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_rename_dirs),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_inodes_exhausted),
		cmocka_unit_test(test_remount),
		cmocka_unit_test(test_fsck_finds_corruption),
		cmocka_unit_test(test_mount_corrupt),
		cmocka_unit_test(test_fuzz_metadata),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_recovery),
		cmocka_unit_test(test_format_policy),
		cmocka_unit_test(test_external_journal),
		cmocka_unit_test(test_small_journal),
		cmocka_unit_test(test_bad_calls),
		cmocka_unit_test(test_io_error_aborts),
		cmocka_unit_test(test_two_bitmap_blocks),
		cmocka_unit_test(test_block_count),
		cmocka_unit_test(test_undo_half_way),
		cmocka_unit_test(test_freed_reuse),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_model_random),
	};
	int failed;

	print_message("data=ordered\n");
	failed = cmocka_run_group_tests_name("data=ordered", tests, NULL, NULL);
	print_message("data=journal\n");
	mopts.data_journal = true;
	return failed + cmocka_run_group_tests_name("data=journal", tests, NULL, NULL);
}
