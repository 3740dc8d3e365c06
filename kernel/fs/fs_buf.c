/*
 * kernel/fs/fs_buf.c - metadata block tails, and blocks read from the
 * journal's block cache with their tails checked.
 *
 * Tails: every bitmap, inode-table, directory and indirect block ends with
 * struct ofs_tail (ondisk.h): a magic naming its kind, its own block number
 * and a crc32c of the whole block computed with the crc field zero.  The
 * tail is stamped when a shadow is copied into the cache at commit
 * (fs_op.c), and checked every time a block comes from the cache into the
 * filesystem (fs_bread), so a torn, misdirected or scribbled block is
 * reported (-EUCLEAN and a console line naming the block), never trusted.
 */
#include "kernel/fs/fs_priv.h"

#include "lib/crc32c.h"
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

/* crc32c of the block with the tail's crc field read as zero. */
static u32 fs_tail_crc(const void *block)
{
	static const u8 zero[4];
	const struct ofs_tail *t = fs_tail(block);
	u32 crc = crc32c(block, OFS_PAYLOAD + offsetof(struct ofs_tail, crc));

	crc = crc32c_update(crc, zero, sizeof(zero));
	return crc32c_update(crc, &t->blockno, sizeof(t->blockno));
}

void fs_meta_stamp(void *block, u32 magic, u64 blockno)
{
	struct ofs_tail *t = fs_tail(block);

	t->magic = cpu_to_le32(magic);
	t->blockno = cpu_to_le64(blockno);
	t->crc = cpu_to_le32(fs_tail_crc(block));
}

const char *fs_meta_check(const void *block, u32 magic, u64 blockno)
{
	const struct ofs_tail *t = fs_tail(block);

	/* The crc first: a good crc with the wrong magic is a block of
	 * another kind, a bad crc is damage. */
	if (le32_to_cpu(t->crc) != fs_tail_crc(block))
		return "bad checksum";
	if (le32_to_cpu(t->magic) != magic)
		return "wrong kind of block (magic)";
	if (le64_to_cpu(t->blockno) != blockno)
		return "written to the wrong place (block number in its tail)";
	return NULL;
}

int fs_meta_verify(const void *block, u32 magic, u64 blockno)
{
	const char *why = fs_meta_check(block, magic, blockno);

	if (!why)
		return 0;
	kprintf("ordofs: %s block %llu: %s\n", fs_magic_name(magic), (unsigned long long)blockno,
		why);
	return -EUCLEAN;
}

bool fs_data_blkno_ok(const struct fs *fs, u64 blockno)
{
	return blockno >= fs->g.data_start && blockno < fs->g.nblocks;
}

int fs_bread(struct fs *fs, u64 blockno, u32 magic, struct jbuf **out)
{
	int err = jnl_bread(fs->j, blockno, out);

	if (err == -ERANGE)
		return -EUCLEAN;
	if (err) {
		kprintf("ordofs: %s: cannot read %s block %llu: %s\n", blk_info(fs->dev)->name,
			fs_magic_name(magic), (unsigned long long)blockno, errno_name(err));
		return err;
	}
	if (magic) {
		err = fs_meta_verify((*out)->data, magic, blockno);
		if (err) {
			jnl_brelse(fs->j, *out);
			*out = NULL;
		}
	}
	return err;
}
