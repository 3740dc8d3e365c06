/*
 * kernel/fs/fs_fsck.c - fs_fsck(): offline consistency check.
 *
 * Reads the unmounted device directly (blk_read), never writes, and
 * counts problems instead of stopping at the first:
 *  1. the superblock (fs_read_super) - without it nothing else can be
 *     checked - and the journal: one that still holds committed
 *     transactions is reported and ends the check, since the home blocks
 *     legitimately lag the log until recovery has run;
 *  2. every bitmap and inode-table block: tail (magic, crc, own number);
 *  3. every in-use inode: type, link count, size, and its block tree:
 *     pointers inside the data area, indirect blocks with good tails, no
 *     block mapped past the size, directories without holes, no block
 *     used twice (by one inode or two), and its block count;
 *  4. every directory block: tail, entries (fs_dirent_why), and for each
 *     entry the inode it names: live, of the entry's type;
 *  5. names: each inode other than the root named exactly nlink (= 1)
 *     times, each directory reachable from the root (no cycles);
 *  6. the bitmap against the blocks found in use, padding bits set.
 * Duplicate names within one directory are not looked for.
 */
#include <stdarg.h>

#include "kernel/fs/fs_priv.h"

#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Problems printed in full; the rest are only counted. */
#define FSCK_PRINT_MAX 40u
#define FSCK_UNREAD 0xffu /* itype of an inode whose table block is bad */

struct fsck {
	struct blk *dev;
	struct fs_geom g;
	bool quiet;
	int problems;
	u64 tree;		       /* blocks of the inode being checked */
	u8 *disk_bm;		       /* bitmap payloads as on disk */
	u8 *bm_bad;		       /* per bitmap block: unusable */
	u8 *used;		       /* bitmap of the blocks found in use */
	u8 *itype;		       /* per inode: its type */
	u8 *etype;		       /* per inode: type given by its first entry */
	u8 *reach;		       /* per directory: 0 unknown, 1 reachable, 2 not */
	u16 *nlink;		       /* per inode */
	u32 *refs;		       /* per inode: entries naming it */
	u32 *parent;		       /* per inode: directory of its first entry */
	u8 *ibuf, *dbuf, *lbuf, *ebuf; /* inode, dind, leaf, directory blocks */
};

static void __printf(2, 3) fsck_problem(struct fsck *fc, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (!fc->quiet && (u32)fc->problems < FSCK_PRINT_MAX) {
		va_start(ap, fmt);
		vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		kprintf("ordofs fsck: %s\n", line);
	} else if (!fc->quiet && (u32)fc->problems == FSCK_PRINT_MAX) {
		kprintf("ordofs fsck: (further problems counted, not printed)\n");
	}
	fc->problems++;
}

static int fsck_read(struct fsck *fc, u64 blockno, void *buf)
{
	return blk_read(fc->dev, blockno * FS_BLK_SECTORS, buf, OFS_BLOCK_SIZE);
}

/* Read a metadata block: 0, 1 if its tail is bad (reported), -errno. */
static int fsck_meta(struct fsck *fc, u64 blockno, u32 magic, void *buf, u32 ino)
{
	const char *why;
	int err = fsck_read(fc, blockno, buf);

	if (err)
		return err;
	why = fs_meta_check(buf, magic, blockno);
	if (!why)
		return 0;
	if (ino)
		fsck_problem(fc, "inode %u: %s block %llu: %s", ino, fs_magic_name(magic),
			     (unsigned long long)blockno, why);
	else
		fsck_problem(fc, "%s block %llu: %s", fs_magic_name(magic),
			     (unsigned long long)blockno, why);
	return 1;
}

/* Claim block b for inode ino.  true if it is a new, valid data block. */
static bool fsck_use(struct fsck *fc, u32 ino, u64 b)
{
	if (b < fc->g.data_start || b >= fc->g.nblocks) {
		fsck_problem(fc, "inode %u: pointer to block %llu outside the data area", ino,
			     (unsigned long long)b);
		return false;
	}
	if (fs_bitmap_test(fc->used, b)) {
		fsck_problem(fc, "inode %u: block %llu is already in use elsewhere", ino,
			     (unsigned long long)b);
		return false;
	}
	fc->used[b / 8] |= (u8)(1u << (b % 8));
	return true;
}

/* Check the entries of one directory block of directory `dir`. */
static int fsck_dirblock(struct fsck *fc, u32 dir, u64 b)
{
	const struct ofs_dirent *de = (const struct ofs_dirent *)fc->ebuf;
	int err = fsck_meta(fc, b, OFS_MAGIC_DIR, fc->ebuf, dir);

	if (err)
		return err < 0 ? err : 0;
	for (u32 s = 0; s < OFS_DIRENTS_PER_BLOCK; s++, de++) {
		u32 ino = le32_to_cpu(de->ino);
		const char *why = fs_dirent_why(fc->g.ninodes, de);

		if (why) {
			fsck_problem(fc, "directory %u, block %llu, entry %u: %s", dir,
				     (unsigned long long)b, s, why);
			continue;
		}
		if (!ino)
			continue;
		if (fc->refs[ino]++ == 0) {
			fc->parent[ino] = dir;
			fc->etype[ino] = de->type;
		}
	}
	return 0;
}

/* A data block at file index fb of inode ino (type, nb blocks by size). */
static int fsck_data(struct fsck *fc, u32 ino, u8 type, u64 fb, u64 nb, u64 b, u64 *mapped)
{
	fc->tree++;
	if (!fsck_use(fc, ino, b))
		return 0;
	if (fb >= nb)
		fsck_problem(fc, "inode %u: block %llu mapped past its size", ino,
			     (unsigned long long)fb);
	else
		(*mapped)++;
	return type == OFS_TYPE_DIR ? fsck_dirblock(fc, ino, b) : 0;
}

/*
 * Pointer block b at `depth` (1: indirect, 2: double-indirect), mapping
 * file block indexes from `first`; each depth reads through its own buffer.
 */
static int fsck_ptrs(struct fsck *fc, u32 ino, u8 type, u32 depth, u64 first, u64 nb, u64 b,
		     u64 *mapped)
{
	u8 *buf = depth > 1 ? fc->dbuf : fc->lbuf;
	u64 span = depth > 1 ? OFS_PTRS_PER_BLOCK : 1;
	int err;

	fc->tree++;
	if (!fsck_use(fc, ino, b))
		return 0;
	if (first >= nb)
		fsck_problem(fc, "inode %u: %s block %llu past its size", ino,
			     depth > 1 ? "double-indirect" : "indirect", (unsigned long long)b);
	err = fsck_meta(fc, b, OFS_MAGIC_INDIRECT, buf, ino);
	if (err)
		return err < 0 ? err : 0;
	for (u32 k = 0; k < OFS_PTRS_PER_BLOCK && !err; k++) {
		u32 p = le32_to_cpu(((const le32 *)buf)[k]);
		u64 fb = first + k * span;

		if (p && depth > 1)
			err = fsck_ptrs(fc, ino, type, depth - 1, fb, nb, p, mapped);
		else if (p)
			err = fsck_data(fc, ino, type, fb, nb, p, mapped);
	}
	return err;
}

/* An in-use inode: fields, then its whole block tree. */
static int fsck_inode(struct fsck *fc, u32 ino, const struct ofs_inode *in)
{
	u8 type = (u8)le16_to_cpu(in->type);
	u64 size = le64_to_cpu(in->size), nb = fs_size_blocks(size), mapped = 0;
	int err = 0, before = fc->problems;

	fc->tree = 0;
	if (le16_to_cpu(in->nlink) == 0)
		fsck_problem(fc, "inode %u: in use with link count 0", ino);
	if (size > FS_MAX_FILE_SIZE) {
		fsck_problem(fc, "inode %u: size %llu beyond the largest file", ino,
			     (unsigned long long)size);
		nb = FS_MAX_FBLOCKS;
	}
	if (type == OFS_TYPE_DIR && size % OFS_BLOCK_SIZE)
		fsck_problem(fc, "directory %u: size %llu not a whole number of blocks", ino,
			     (unsigned long long)size);
	for (u32 i = 0; i < OFS_NDIRECT && !err; i++) {
		if (le32_to_cpu(in->direct[i]))
			err = fsck_data(fc, ino, type, i, nb, le32_to_cpu(in->direct[i]), &mapped);
	}
	if (!err && le32_to_cpu(in->indirect))
		err = fsck_ptrs(fc, ino, type, 1, FS_IND_FIRST, nb, le32_to_cpu(in->indirect),
				&mapped);
	if (!err && le32_to_cpu(in->dindirect))
		err = fsck_ptrs(fc, ino, type, 2, FS_DIND_FIRST, nb, le32_to_cpu(in->dindirect),
				&mapped);
	if (!err && type == OFS_TYPE_DIR && mapped != nb && nb <= FS_MAX_FBLOCKS)
		fsck_problem(fc, "directory %u: %llu of its %llu blocks are missing", ino,
			     (unsigned long long)(nb - mapped), (unsigned long long)nb);
	/* Only for an otherwise sound tree: a bad one has been reported. */
	if (!err && fc->problems == before && le32_to_cpu(in->blocks) != fc->tree)
		fsck_problem(fc, "inode %u: block count %u, but it maps %llu blocks", ino,
			     le32_to_cpu(in->blocks), (unsigned long long)fc->tree);
	return err;
}

/* Steps 2-4 for every inode-table block. */
static int fsck_inodes(struct fsck *fc)
{
	for (u32 bi = 0; bi < fc->g.inode_blocks; bi++) {
		int err = fsck_meta(fc, fc->g.inode_start + bi, OFS_MAGIC_INODES, fc->ibuf, 0);

		if (err < 0)
			return err;
		for (u32 s = 0; s < OFS_INODES_PER_BLOCK; s++) {
			u32 ino = bi * OFS_INODES_PER_BLOCK + s;
			struct ofs_inode in;
			u16 type;

			if (ino == 0 || ino >= fc->g.ninodes)
				continue;
			if (err) {
				fc->itype[ino] = FSCK_UNREAD;
				continue;
			}
			memcpy(&in, (const struct ofs_inode *)fc->ibuf + s, sizeof(in));
			type = le16_to_cpu(in.type);
			fc->itype[ino] = (u8)type;
			fc->nlink[ino] = le16_to_cpu(in.nlink);
			if (type == OFS_TYPE_FREE)
				continue;
			if (type != OFS_TYPE_FILE && type != OFS_TYPE_DIR) {
				fsck_problem(fc, "inode %u: unknown type %u", ino, type);
				fc->itype[ino] = FSCK_UNREAD;
				continue;
			}
			err = fsck_inode(fc, ino, &in);
			if (err < 0)
				return err;
		}
	}
	return 0;
}

/* Is directory `ino` reachable from the root through parent links? */
static bool fsck_reachable(struct fsck *fc, u32 ino)
{
	u32 x = ino, steps = 0, n = fc->g.ninodes;
	bool ok;

	while (x != OFS_ROOT_INO && x && fc->reach[x] == 0 && fc->refs[x] && steps++ < n)
		x = fc->parent[x];
	ok = x == OFS_ROOT_INO || (x && fc->reach[x] == 1);
	/* Remember the answer for everything on the way (bounded: cycles). */
	for (u32 y = ino, k = 0; y && y != x && k <= steps; k++, y = fc->parent[y])
		fc->reach[y] = ok ? 1 : 2;
	return ok;
}

/* Step 5 for inode ino. */
static void fsck_names(struct fsck *fc, u32 ino)
{
	u8 type = fc->itype[ino];
	u32 refs = fc->refs[ino], want = refs + (ino == OFS_ROOT_INO);

	if (type == FSCK_UNREAD)
		return;
	if (type == OFS_TYPE_FREE) {
		if (refs)
			fsck_problem(fc, "directory %u has an entry for free inode %u",
				     fc->parent[ino], ino);
		return;
	}
	if (ino == OFS_ROOT_INO && type != OFS_TYPE_DIR)
		fsck_problem(fc, "the root inode is not a directory");
	if (!refs && ino != OFS_ROOT_INO)
		fsck_problem(fc, "inode %u is in use but has no name", ino);
	else if (fc->nlink[ino] != want)
		fsck_problem(fc, "inode %u: link count %u, but %u names", ino, fc->nlink[ino],
			     want);
	if (refs && fc->etype[ino] != type)
		fsck_problem(fc, "inode %u: its entry says type %u, the inode %u", ino,
			     fc->etype[ino], type);
	if (refs && type == OFS_TYPE_DIR && !fsck_reachable(fc, ino))
		fsck_problem(fc, "directory %u is not reachable from the root (cycle)", ino);
}

/* Step 6: the bitmap on disk against what the tree uses. */
static void fsck_bitmap(struct fsck *fc)
{
	u64 end = (u64)fc->g.bitmap_blocks * OFS_BITS_PER_BITMAP;
	bool pad_reported = false;

	for (u64 b = 0; b < end; b++) {
		bool disk = fs_bitmap_test(fc->disk_bm, b);

		if (fc->bm_bad[b / OFS_BITS_PER_BITMAP])
			continue;
		if (b >= fc->g.nblocks) {
			if (!disk && !pad_reported)
				fsck_problem(
					fc, "bitmap bits past the end of the filesystem are clear");
			pad_reported = pad_reported || !disk;
		} else if (fs_bitmap_test(fc->used, b) && !disk) {
			fsck_problem(fc, "block %llu is in use but marked free",
				     (unsigned long long)b);
		} else if (!fs_bitmap_test(fc->used, b) && disk) {
			fsck_problem(fc, "block %llu is marked in use but nothing uses it",
				     (unsigned long long)b);
		}
	}
}

static int fsck_load_bitmap(struct fsck *fc)
{
	for (u32 i = 0; i < fc->g.bitmap_blocks; i++) {
		int err = fsck_meta(fc, fc->g.bitmap_start + i, OFS_MAGIC_BITMAP, fc->ibuf, 0);

		if (err < 0)
			return err;
		fc->bm_bad[i] = (u8)err;
		memcpy(fc->disk_bm + (u64)i * OFS_PAYLOAD, fc->ibuf, OFS_PAYLOAD);
	}
	for (u64 b = 0; b < fc->g.data_start; b++)
		fc->used[b / 8] |= (u8)(1u << (b % 8));
	return 0;
}

/* Step 1 (journal part): 0 to go on, 1 to stop, -errno. */
static int fsck_journal(struct fsck *fc, struct blk *jdev)
{
	int pending;

	if ((fc->g.features & OFS_FEAT_EXTERNAL_JOURNAL) && !jdev) {
		fsck_problem(fc, "external journal device not given: journal not checked");
		return 0;
	}
	pending = fs_journal_pending(fc->dev, jdev);
	if (pending == -EIO || pending == -ENOMEM)
		return pending;
	if (pending < 0) {
		fsck_problem(fc, "journal superblock is invalid (%s)", errno_name(pending));
	} else if (pending > 0) {
		fsck_problem(fc, "journal holds %d committed transactions: run recovery first",
			     pending);
		return 1;
	}
	return 0;
}

static void *fsck_zalloc(size_t n, int *err)
{
	void *p = kmalloc(n ? n : 1);

	if (!p)
		*err = -ENOMEM;
	return p;
}

static void fsck_free(struct fsck *fc)
{
	void *bufs[] = { fc->disk_bm, fc->bm_bad, fc->used, fc->itype,	fc->etype,
			 fc->reach,   fc->nlink,  fc->refs, fc->parent, fc->ibuf,
			 fc->dbuf,    fc->lbuf,	  fc->ebuf };

	for (u32 i = 0; i < ARRAY_SIZE(bufs); i++)
		kfree(bufs[i]);
}

static int fsck_alloc(struct fsck *fc)
{
	u64 n = fc->g.ninodes;
	int err = 0;

	fc->disk_bm = fsck_zalloc((size_t)fc->g.bitmap_blocks * OFS_PAYLOAD, &err);
	fc->bm_bad = fsck_zalloc(fc->g.bitmap_blocks, &err);
	fc->used = fsck_zalloc((size_t)fc->g.bitmap_blocks * OFS_PAYLOAD, &err);
	fc->itype = fsck_zalloc(n, &err);
	fc->etype = fsck_zalloc(n, &err);
	fc->reach = fsck_zalloc(n, &err);
	fc->nlink = fsck_zalloc(n * sizeof(u16), &err);
	fc->refs = fsck_zalloc(n * sizeof(u32), &err);
	fc->parent = fsck_zalloc(n * sizeof(u32), &err);
	fc->ibuf = fsck_zalloc(OFS_BLOCK_SIZE, &err);
	fc->dbuf = fsck_zalloc(OFS_BLOCK_SIZE, &err);
	fc->lbuf = fsck_zalloc(OFS_BLOCK_SIZE, &err);
	fc->ebuf = fsck_zalloc(OFS_BLOCK_SIZE, &err);
	return err;
}

int fs_fsck(struct blk *dev, struct blk *journal_dev, bool quiet)
{
	struct fsck fc = { .dev = dev, .quiet = quiet };
	int err = fs_read_super(dev, &fc.g, quiet);

	if (err == -EIO || err == -ENOMEM)
		return err;
	if (err)
		return 1; /* the superblock is the problem (printed) */
	err = fsck_journal(&fc, journal_dev);
	if (err)
		return err < 0 ? err : fc.problems;
	err = fsck_alloc(&fc);
	if (!err)
		err = fsck_load_bitmap(&fc);
	if (!err)
		err = fsck_inodes(&fc);
	if (!err) {
		for (u32 ino = 1; ino < fc.g.ninodes; ino++)
			fsck_names(&fc, ino);
		fsck_bitmap(&fc);
	}
	fsck_free(&fc);
	return err ? err : fc.problems;
}
