/*
 * kernel/fs/fs_format.c - fs_format(): lay a new filesystem on a device.
 *
 * Order, so that a crash at any point leaves either no filesystem or a
 * complete one (never the old superblock over half-written new metadata):
 *  1. overwrite the old superblock with zeros; make it durable;
 *  2. write the bitmap (metadata blocks and the padding past the end
 *     marked in use), the inode table (all free but the root directory,
 *     inode 1, empty: size 0, no blocks), every block with a valid tail;
 *  3. clear the first log block and write an empty journal (jnl_format)
 *     whose records must carry this format's new uuid; a device that
 *     offers WRITE_ZEROES clears the whole log with it (the device may
 *     unmap it), one that does not gets that one block written;
 *  4. make all of it durable on both devices at once (blk_sync_many);
 *  5. write the superblock, make it durable.
 * Only a blank device is formatted unless the caller forces it (fs_probe.c).
 * The data area is not touched: the bitmap says it is free.  The device
 * is written directly through the block layer, not through the journal,
 * which does not exist yet.
 */
#include "kernel/fs/fs_priv.h"

#include "arch/port.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Blocks written per request while formatting. */
#define FS_FMT_BATCH 16u

static int fs_write_blocks(struct blk *dev, u64 blockno, const void *buf, u32 n)
{
	return blk_write(dev, blockno * FS_BLK_SECTORS, buf, n * OFS_BLOCK_SIZE);
}

static int fs_fmt_too_small(u64 have, u64 need)
{
	kprintf("ordofs: device too small: %llu blocks, the layout needs at least %llu\n",
		(unsigned long long)have, (unsigned long long)need);
	return -EINVAL;
}

/*
 * Blocks [blockno, blockno + n) must read as zeros: WRITE_ZEROES when the
 * device offers it (it may unmap them), else `must` of them written from
 * the zeroed `buf` (FS_FMT_BATCH blocks).
 */
static int fs_fmt_zero(struct blk *dev, u64 blockno, u32 n, u32 must, u8 *buf)
{
	int err = -EOPNOTSUPP;

	if (blk_info(dev)->wz_max_sectors)
		err = blk_write_zeroes(dev, blockno * FS_BLK_SECTORS, (u64)n * FS_BLK_SECTORS,
				       true);
	if (!err)
		return 0;
	if (err != -EOPNOTSUPP)
		kprintf("ordofs: WRITE_ZEROES failed (%s): writing zeros instead\n",
			errno_name(err));
	memset(buf, 0, (size_t)FS_FMT_BATCH * OFS_BLOCK_SIZE);
	err = 0;
	for (u32 i = 0; i < must && !err; i += FS_FMT_BATCH)
		err = fs_write_blocks(dev, blockno + i, buf, MIN(FS_FMT_BATCH, must - i));
	return err;
}

/* The format policy (fs_probe.c): 0 only for a blank device. */
static int fs_fmt_blank(struct blk *dev, const char *what)
{
	struct disksig sig;
	int err = fs_disk_probe(dev, &sig);

	if (err == FS_DISK_OFS)
		err = -EEXIST;
	if (err == -EEXIST)
		kprintf("ordofs: %s %s holds %s: not formatting\n", what, blk_info(dev)->name,
			sig.what);
	else if (err == -ENOSPC)
		kprintf("ordofs: %s %s is smaller than one block\n", what, blk_info(dev)->name);
	else if (err)
		kprintf("ordofs: %s %s: cannot read it to check it is blank (%s)\n", what,
			blk_info(dev)->name, errno_name(err));
	return err;
}

/*
 * The journal length: as asked; by default 1/16 of the device within
 * [64, 4096] blocks, or all of an external journal device up to 4096.
 */
static int fs_fmt_journal_blocks(struct blk *dev, const struct fs_mkfs_opts *o, u64 nblocks,
				 u32 *jb)
{
	u64 n = o->journal_blocks ? o->journal_blocks
				  : MIN(MAX(nblocks / 16, FS_DEF_JOURNAL_MIN), FS_DEF_JOURNAL_MAX);

	if (o->journal_dev) {
		u64 have = fs_dev_blocks(o->journal_dev);

		/* Default: the whole journal device, up to the usual maximum. */
		if (!o->journal_blocks)
			n = MIN(have, FS_DEF_JOURNAL_MAX);
		if (n > have) {
			kprintf("ordofs: journal device holds %llu blocks, %llu asked for\n",
				(unsigned long long)have, (unsigned long long)n);
			return -EINVAL;
		}
	} else if (n >= nblocks) {
		return fs_fmt_too_small(fs_dev_blocks(dev), n + FS_MIN_DATA);
	}
	if (n < FS_MIN_JOURNAL) {
		kprintf("ordofs: a journal needs at least %u blocks\n", FS_MIN_JOURNAL);
		return -EINVAL;
	}
	*jb = (u32)n;
	return 0;
}

static int fs_fmt_geom(struct blk *dev, const struct fs_mkfs_opts *o, struct fs_geom *g)
{
	u64 nblocks = MIN(fs_dev_blocks(dev), FS_MAX_BLOCKS), ni;
	int err;

	memset(g, 0, sizeof(*g));
	g->nblocks = nblocks;
	err = fs_fmt_journal_blocks(dev, o, nblocks, &g->journal_blocks);
	if (err)
		return err;
	ni = o->ninodes ? o->ninodes : MAX(nblocks / 4, 64);
	/* Fill the last inode-table block; stay within 32 bits. */
	ni = MIN(ni + OFS_INODES_PER_BLOCK - 1, (u64)FS_MAX_BLOCKS);
	ni -= ni % OFS_INODES_PER_BLOCK;
	if (ni / OFS_INODES_PER_BLOCK > nblocks)
		return fs_fmt_too_small(nblocks, ni / OFS_INODES_PER_BLOCK);
	g->ninodes = (u32)ni;
	g->features = o->journal_dev ? OFS_FEAT_EXTERNAL_JOURNAL : 0;
	fs_layout(g, o->journal_dev != NULL);
	if (g->data_start + FS_MIN_DATA > nblocks)
		return fs_fmt_too_small(nblocks, g->data_start + FS_MIN_DATA);
	return 0;
}

/* The uuid asked for, or one made from the clock (never all zero). */
static void fs_fmt_uuid(u8 *uuid, const u8 *given, u64 salt)
{
	static u64 counter;
	u64 x;

	for (u32 i = 0; i < OFS_UUID_BYTES; i++) {
		if (given[i]) {
			memcpy(uuid, given, OFS_UUID_BYTES);
			return;
		}
	}
	x = arch_time_ns() ^ (salt * 0x9e3779b97f4a7c15ull) ^ (++counter << 40);
	for (u32 i = 0; i < OFS_UUID_BYTES; i += 8) {
		/* splitmix64: every output bit depends on every input bit. */
		u64 z = (x += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		for (u32 k = 0; k < 8; k++)
			uuid[i + k] = (u8)(z >> (8 * k));
	}
	uuid[0] |= 1; /* never all zero */
}

/* Set bits [from, to) of bitmap block `idx` (payload in buf). */
static void fs_fmt_set_bits(u8 *buf, u32 idx, u64 from, u64 to)
{
	u64 lo = (u64)idx * OFS_BITS_PER_BITMAP, hi = lo + OFS_BITS_PER_BITMAP;

	for (u64 b = MAX(from, lo); b < MIN(to, hi); b++)
		buf[(b - lo) / 8] |= (u8)(1u << ((b - lo) % 8));
}

static int fs_fmt_bitmap(struct blk *dev, const struct fs_geom *g, u8 *buf)
{
	u64 end = (u64)g->bitmap_blocks * OFS_BITS_PER_BITMAP;
	int err = 0;

	for (u32 i = 0; i < g->bitmap_blocks && !err; i++) {
		memset(buf, 0, OFS_BLOCK_SIZE);
		fs_fmt_set_bits(buf, i, 0, g->data_start);
		fs_fmt_set_bits(buf, i, g->nblocks, end);
		fs_meta_stamp(buf, OFS_MAGIC_BITMAP, g->bitmap_start + i);
		err = fs_write_blocks(dev, g->bitmap_start + i, buf, 1);
	}
	return err;
}

static int fs_fmt_inodes(struct blk *dev, const struct fs_geom *g, u8 *buf)
{
	int err = 0;

	for (u32 i = 0; i < g->inode_blocks && !err; i += FS_FMT_BATCH) {
		u32 n = MIN(FS_FMT_BATCH, g->inode_blocks - i);

		memset(buf, 0, (size_t)n * OFS_BLOCK_SIZE);
		if (i == 0) {
			struct ofs_inode *root = (struct ofs_inode *)buf + OFS_ROOT_INO;

			root->type = cpu_to_le16(OFS_TYPE_DIR);
			root->nlink = cpu_to_le16(1);
			root->generation = cpu_to_le32(1);
		}
		for (u32 k = 0; k < n; k++)
			fs_meta_stamp(buf + (size_t)k * OFS_BLOCK_SIZE, OFS_MAGIC_INODES,
				      g->inode_start + i + k);
		err = fs_write_blocks(dev, g->inode_start + i, buf, n);
	}
	return err;
}

static int fs_fmt_super(struct blk *dev, const struct fs_geom *g, u8 *buf)
{
	struct ofs_super *sb = (struct ofs_super *)buf;

	memset(sb, 0, sizeof(*sb));
	sb->magic = cpu_to_le64(OFS_SUPER_MAGIC);
	sb->version = cpu_to_le32(OFS_VERSION);
	sb->block_size = cpu_to_le32(OFS_BLOCK_SIZE);
	sb->nblocks = cpu_to_le64(g->nblocks);
	memcpy(sb->uuid, g->uuid, OFS_UUID_BYTES);
	sb->features = cpu_to_le32(g->features);
	sb->journal_blocks = cpu_to_le32(g->journal_blocks);
	sb->journal_start = cpu_to_le64(g->journal_start);
	sb->bitmap_start = cpu_to_le64(g->bitmap_start);
	sb->bitmap_blocks = cpu_to_le32(g->bitmap_blocks);
	sb->inode_blocks = cpu_to_le32(g->inode_blocks);
	sb->inode_start = cpu_to_le64(g->inode_start);
	sb->ninodes = cpu_to_le32(g->ninodes);
	sb->root_ino = cpu_to_le32(OFS_ROOT_INO);
	sb->data_start = cpu_to_le64(g->data_start);
	sb->crc = cpu_to_le32(fs_super_crc(sb));
	return fs_write_blocks(dev, 0, sb, 1);
}

/* Steps 1-5 of the header, with the layout decided. */
static int fs_fmt_write(struct blk *dev, struct blk *jdev, const struct fs_geom *g, u8 *buf)
{
	struct blk *const devs[] = { dev, jdev };
	int err;

	memset(buf, 0, OFS_BLOCK_SIZE);
	err = fs_write_blocks(dev, 0, buf, 1);
	if (!err)
		err = blk_sync(dev);
	if (!err)
		err = fs_fmt_bitmap(dev, g, buf);
	if (!err)
		err = fs_fmt_inodes(dev, g, buf);
	/* A stale record of an earlier format must never look like seq 1. */
	if (!err)
		err = fs_fmt_zero(jdev, g->journal_start + 1, g->journal_blocks - 1, 1, buf);
	if (!err)
		err = jnl_format(jdev, g->journal_start, g->journal_blocks, g->uuid);
	if (!err)
		err = blk_sync_many(devs, jdev != dev ? 2 : 1);
	if (!err)
		err = fs_fmt_super(dev, g, buf);
	if (!err)
		err = blk_sync(dev);
	return err;
}

int fs_format(struct blk *dev, const struct fs_mkfs_opts *opts)
{
	static const struct fs_mkfs_opts defaults;
	const struct fs_mkfs_opts *o = opts ? opts : &defaults;
	struct blk *jdev = o->journal_dev ? o->journal_dev : dev;
	struct fs_geom g;
	u8 *buf;
	int err = fs_dev_check(dev, "device");

	if (!err && jdev != dev)
		err = fs_dev_check(jdev, "journal device");
	if (!err && (blk_info(dev)->read_only || blk_info(jdev)->read_only)) {
		kprintf("ordofs: cannot format a read-only device\n");
		err = -EROFS;
	}
	if (!err)
		err = fs_fmt_geom(dev, o, &g);
	if (!err && !o->force)
		err = fs_fmt_blank(dev, "device");
	if (!err && !o->force && jdev != dev)
		err = fs_fmt_blank(jdev, "journal device");
	if (err)
		return err;
	fs_fmt_uuid(g.uuid, o->uuid, g.nblocks);
	buf = kmalloc((size_t)FS_FMT_BATCH * OFS_BLOCK_SIZE);
	if (!buf)
		return -ENOMEM;
	err = fs_fmt_write(dev, jdev, &g, buf);
	if (err)
		kprintf("ordofs: format failed (%s)\n", errno_name(err));
	kfree(buf);
	return err;
}
