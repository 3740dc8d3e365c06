/*
 * kernel/fs/fs_buf.c - metadata block tails, and blocks read from the
 * journal's block cache with their tails checked.
 *
 * Tails: every bitmap, inode-table, directory and indirect block ends with
 * struct ofs_tail (ondisk.h): a magic naming its kind, its own block number
 * and a crc32c of the whole block computed with the crc field zero
 * (ofs_tail_crc, ondisk.c).  The journal stamps the crc of every metadata
 * block on its way to the disk (jnl_dirty with JNL_META); fs_format, which
 * writes blocks directly, stamps its own (fs_meta_stamp).  fs_bread checks
 * a block's crc once each time the journal has read it from the disk
 * (jb->verified), and its kind and block number on every use, so a torn,
 * misdirected or scribbled block is reported (-EUCLEAN and a console line
 * naming the block), never trusted.  A buffer in the cache may carry a
 * stale crc while operations change it: only the disk's copy must match.
 */
#include "kernel/fs/fs_priv.h"

#include "lib/errno.h"
#include "lib/printf.h"

const char *fs_magic_name(u32 magic)
{
	switch (magic) {
	case OFS_MAGIC_BITMAP: return "bitmap";
	case OFS_MAGIC_INODES: return "inode table";
	case OFS_MAGIC_DIR: return "directory";
	case OFS_MAGIC_INDIRECT: return "indirect";
	default: return "data";
	}
}

static struct ofs_tail *fs_tail(const void *block)
{
	return (struct ofs_tail *)((uintptr_t)block + OFS_PAYLOAD);
}

void fs_meta_stamp(void *block, u32 magic, u64 blockno)
{
	struct ofs_tail *t = fs_tail(block);

	t->magic = cpu_to_le32(magic);
	t->blockno = cpu_to_le64(blockno);
	ofs_tail_restamp(block);
}

/* The cheap part of fs_meta_check(): kind and place, not the crc. */
static const char *fs_meta_check_kind(const void *block, u32 magic, u64 blockno)
{
	const struct ofs_tail *t = fs_tail(block);

	if (le32_to_cpu(t->magic) != magic)
		return "wrong kind of block (magic)";
	if (le64_to_cpu(t->blockno) != blockno)
		return "written to the wrong place (block number in its tail)";
	return NULL;
}

const char *fs_meta_check(const void *block, u32 magic, u64 blockno)
{
	/* The crc first: a good crc with the wrong magic is a block of
	 * another kind, a bad crc is damage. */
	if (le32_to_cpu(fs_tail(block)->crc) != ofs_tail_crc(block))
		return "bad checksum";
	return fs_meta_check_kind(block, magic, blockno);
}

bool fs_data_blkno_ok(const struct fs *fs, u64 blockno)
{
	return blockno >= fs->g.data_start && blockno < fs->g.nblocks;
}

int fs_bread(struct fs *fs, u64 blockno, u32 magic, struct jbuf **out)
{
	struct jbuf *jb;
	const char *why;
	int err = jnl_bread(fs->j, blockno, out);

	if (err == -ERANGE)
		return -EUCLEAN;
	if (err) {
		kprintf("ordofs: %s: cannot read %s block %llu: %s\n", blk_info(fs->dev)->name,
			fs_magic_name(magic), (unsigned long long)blockno, errno_name(err));
		return err;
	}
	jb = *out;
	if (!magic)
		return 0;
	why = jb->verified ? fs_meta_check_kind(jb->data, magic, blockno)
			   : fs_meta_check(jb->data, magic, blockno);
	if (!why) {
		jb->verified = true;
		return 0;
	}
	kprintf("ordofs: %s block %llu: %s\n", fs_magic_name(magic), (unsigned long long)blockno,
		why);
	jnl_brelse(fs->j, jb);
	*out = NULL;
	return -EUCLEAN;
}
