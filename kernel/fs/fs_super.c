/*
 * kernel/fs/fs_super.c - layout, superblock, format, mount, unmount, statfs.
 *
 * Layout (docs/ondisk-format.md has the rules in full), in 4096-byte
 * blocks of an N-block device, N capped at 2^32 - 1 (pointers are 32-bit):
 *
 *   0                       superblock
 *   1 .. J                  internal journal (absent with an external one)
 *   bitmap_start            ceil(N / 32640) bitmap blocks
 *   inode_start             ceil(ninodes / 31) inode-table blocks
 *   data_start .. N-1       data
 *
 * J defaults to N / 16 clamped to [64, 4096]; ninodes to N / 4 (at least
 * 64), rounded up to fill the last inode-table block.  The superblock is
 * only ever written by fs_format, last, once everything it describes is
 * durable; mount checks every field against this computation.
 */
#include "kernel/fs/fs_priv.h"

#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "lib/string.h"

u64 fs_dev_blocks(struct blk *dev)
{
	return blk_info(dev)->capacity / FS_BLK_SECTORS;
}

u32 fs_super_crc(const struct ofs_super *sb)
{
	return crc32c_field_zero(sb, sizeof(*sb), offsetof(struct ofs_super, crc));
}

static u64 fs_div_up(u64 a, u64 b)
{
	return (a + b - 1) / b;
}

void fs_layout(struct fs_geom *g, bool external)
{
	g->journal_start = external ? 0 : 1;
	g->bitmap_start = external ? 1 : 1 + (u64)g->journal_blocks;
	g->bitmap_blocks = (u32)fs_div_up(g->nblocks, OFS_BITS_PER_BITMAP);
	g->inode_start = g->bitmap_start + g->bitmap_blocks;
	g->inode_blocks = (u32)fs_div_up(g->ninodes, OFS_INODES_PER_BLOCK);
	g->data_start = g->inode_start + g->inode_blocks;
}

static int fs_super_bad(const char *what, bool quiet)
{
	if (!quiet)
		kprintf("ordofs: superblock is inconsistent: %s\n", what);
	return -EUCLEAN;
}

int fs_super_check(const struct ofs_super *sb, u64 dev_blocks, struct fs_geom *g, bool quiet)
{
	struct fs_geom want;

	if (le64_to_cpu(sb->magic) != OFS_SUPER_MAGIC) {
		if (!quiet)
			kprintf("ordofs: no ordofs filesystem here (bad superblock magic)\n");
		return -EINVAL;
	}
	if (le32_to_cpu(sb->crc) != fs_super_crc(sb)) {
		if (!quiet)
			kprintf("ordofs: bad superblock checksum\n");
		return -EUCLEAN;
	}
	if (le32_to_cpu(sb->version) != OFS_VERSION) {
		if (quiet)
			return -EINVAL;
		if (le32_to_cpu(sb->version) < OFS_VERSION)
			kprintf("ordofs: format version %u is not supported (this build reads "
				"version %u): copy the files off with an older build, then mkfs\n",
				le32_to_cpu(sb->version), OFS_VERSION);
		else
			kprintf("ordofs: format version %u is newer than this build reads "
				"(version %u): mount it with a newer build\n",
				le32_to_cpu(sb->version), OFS_VERSION);
		return -EINVAL;
	}
	if (le32_to_cpu(sb->features) & ~OFS_FEAT_KNOWN) {
		if (!quiet)
			kprintf("ordofs: unsupported feature flags 0x%x\n",
				le32_to_cpu(sb->features) & ~OFS_FEAT_KNOWN);
		return -EINVAL;
	}
	memset(g, 0, sizeof(*g));
	g->nblocks = le64_to_cpu(sb->nblocks);
	memcpy(g->uuid, sb->uuid, OFS_UUID_BYTES);
	g->features = le32_to_cpu(sb->features);
	g->journal_blocks = le32_to_cpu(sb->journal_blocks);
	g->journal_start = le64_to_cpu(sb->journal_start);
	g->bitmap_start = le64_to_cpu(sb->bitmap_start);
	g->bitmap_blocks = le32_to_cpu(sb->bitmap_blocks);
	g->inode_start = le64_to_cpu(sb->inode_start);
	g->inode_blocks = le32_to_cpu(sb->inode_blocks);
	g->ninodes = le32_to_cpu(sb->ninodes);
	g->data_start = le64_to_cpu(sb->data_start);
	if (le32_to_cpu(sb->block_size) != OFS_BLOCK_SIZE)
		return fs_super_bad("block size is not 4096", quiet);
	if (g->nblocks > FS_MAX_BLOCKS || g->journal_blocks < FS_MIN_JOURNAL || g->ninodes < 2 ||
	    (!(g->features & OFS_FEAT_EXTERNAL_JOURNAL) && g->journal_blocks >= g->nblocks))
		return fs_super_bad("size, journal length or inode count out of range", quiet);
	if (le32_to_cpu(sb->root_ino) != OFS_ROOT_INO)
		return fs_super_bad("root inode is not 1", quiet);
	want = *g;
	fs_layout(&want, g->features & OFS_FEAT_EXTERNAL_JOURNAL);
	if (memcmp(&want, g, sizeof(want)) != 0)
		return fs_super_bad("layout does not match its own sizes", quiet);
	if (g->data_start + FS_MIN_DATA > g->nblocks)
		return fs_super_bad("no room for data", quiet);
	if (g->nblocks > dev_blocks) {
		if (!quiet)
			kprintf("ordofs: filesystem has %llu blocks but the device only %llu "
				"(truncated image?)\n",
				(unsigned long long)g->nblocks, (unsigned long long)dev_blocks);
		return -EINVAL;
	}
	return 0;
}

int fs_dev_check(struct blk *dev, const char *what)
{
	const struct blk_dev_info *info = blk_info(dev);

	if (!info->block_size || OFS_BLOCK_SIZE % info->block_size) {
		kprintf("ordofs: %s: logical block size %u does not divide 4096\n", what,
			info->block_size);
		return -EINVAL;
	}
	return 0;
}

int fs_read_super(struct blk *dev, struct fs_geom *g, bool quiet)
{
	struct ofs_super *sb;
	int err = fs_dev_check(dev, "device");

	if (err)
		return err;
	if (fs_dev_blocks(dev) < 1) {
		if (!quiet)
			kprintf("ordofs: device too small to hold a superblock\n");
		return -EINVAL;
	}
	sb = kmalloc(sizeof(*sb));
	if (!sb)
		return -ENOMEM;
	err = blk_read(dev, 0, sb, sizeof(*sb));
	if (err && !quiet)
		kprintf("ordofs: %s: cannot read the superblock (block 0): %s\n",
			blk_info(dev)->name, errno_name(err));
	if (!err)
		err = fs_super_check(sb, fs_dev_blocks(dev), g, quiet);
	kfree(sb);
	return err;
}

int fs_statfs(struct fs *fs, struct fs_statfs *st)
{
	u32 free_inodes;
	int err = fs_count_free_inodes(fs, &free_inodes);

	if (err)
		return err;
	*st = (struct fs_statfs){
		.blocks = fs->g.nblocks,
		/* Frees waiting for a checkpoint are there for the asking. */
		.free_blocks = fs->free_blocks + fs_pending_count(fs),
		.inodes = fs->g.ninodes - 1,
		.free_inodes = free_inodes,
		.block_size = OFS_BLOCK_SIZE,
	};
	return 0;
}

bool fs_read_only(const struct fs *fs)
{
	return fs->read_only;
}

int fs_unmount(struct fs *fs)
{
	int err;

	BUG_ON(fs->op.active);
	fs_discard_unmount(fs);
	/* jnl_close commits and checkpoints; read-only, it has nothing to do. */
	err = jnl_close(fs->j);
	kfree(fs->bitmap);
	kfree(fs->op.bufs);
	kfree(fs->op.undo);
	kfree(fs->op.old);
	kfree(fs->op.alloc);
	kfree(fs->op.freed);
	kfree(fs->pend.blocks);
	kfree(fs);
	return err;
}

/* Which journal device a filesystem with geometry g uses.  0 or -EINVAL. */
static int fs_pick_jdev(struct blk *dev, struct blk *jdev, const struct fs_geom *g,
			struct blk **out)
{
	bool external = g->features & OFS_FEAT_EXTERNAL_JOURNAL;

	if (external && !jdev) {
		kprintf("ordofs: this filesystem has an external journal: give its device\n");
		return -EINVAL;
	}
	if (!external && jdev) {
		kprintf("ordofs: this filesystem has an internal journal, not an external one\n");
		return -EINVAL;
	}
	*out = external ? jdev : dev;
	return external ? fs_dev_check(jdev, "journal device") : 0;
}

/* Refuse a mount that would have to write to a device that cannot be. */
static int fs_mount_ro_check(struct blk *dev, struct blk *jdev, const struct fs_mount_opts *o)
{
	int pending;

	if (!blk_info(dev)->read_only && !blk_info(jdev)->read_only)
		return 0;
	if (!o->read_only) {
		kprintf("ordofs: device is read-only: mount it read-only\n");
		return -EROFS;
	}
	pending = fs_journal_pending(dev, o->journal_dev);
	if (pending > 0) {
		kprintf("ordofs: journal needs recovery but the device is read-only\n");
		return -EROFS;
	}
	return pending < 0 ? pending : 0;
}

/* Everything after jnl_open: the bitmap and the root. */
static int fs_mount_load(struct fs *fs)
{
	struct ofs_inode root;
	int err = fs_bitmap_load(fs);

	if (!err)
		err = fs_iread(fs, OFS_ROOT_INO, &root);
	if (!err && le16_to_cpu(root.type) != OFS_TYPE_DIR) {
		kprintf("ordofs: the root inode is not a directory\n");
		err = -EUCLEAN;
	}
	return err;
}

int fs_mount(struct blk *dev, const struct fs_mount_opts *opts, struct jnl_recovery *rep,
	     struct fs **out)
{
	static const struct fs_mount_opts defaults;
	const struct fs_mount_opts *o = opts ? opts : &defaults;
	struct jnl_recovery rec;
	struct jnl_config cfg;
	struct blk *jdev;
	struct fs *fs;
	int err;

	fs = kmalloc(sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	err = fs_read_super(dev, &fs->g, false);
	if (!err)
		err = fs_pick_jdev(dev, o->journal_dev, &fs->g, &jdev);
	if (!err)
		err = fs_mount_ro_check(dev, jdev, o);
	if (err) {
		kfree(fs);
		return err;
	}
	cfg = (struct jnl_config){
		.fsdev = dev,
		.jdev = jdev,
		.jstart = fs->g.journal_start,
		.jblocks = fs->g.journal_blocks,
		.classic = o->classic_commit,
		.ordered = !o->data_journal,
		.on_commit_submit = o->on_commit_submit,
		.on_commit_ack = o->on_commit_ack,
		.hook_ctx = o->hook_ctx,
		.lock = o->lock,
	};
	memcpy(cfg.uuid, fs->g.uuid, OFS_UUID_BYTES);
	fs->dev = dev;
	fs->read_only = o->read_only;
	fs->data_journal = o->data_journal;
	err = jnl_open(&cfg, &rec, &fs->j);
	if (err) {
		kfree(fs);
		return err;
	}
	if (rec.transactions)
		kprintf("ordofs: recovery replayed %llu transactions (%llu blocks)\n",
			(unsigned long long)rec.transactions, (unsigned long long)rec.blocks);
	fs->seq_base = rec.next_seq;
	fs_discard_setup(fs, o->discard);
	err = fs_mount_load(fs);
	if (err) {
		fs_unmount(fs);
		return err;
	}
	if (rep)
		*rep = rec;
	*out = fs;
	return 0;
}
