/*
 * kernel/fs/fs_inode.c - inodes and the block map.
 *
 * Inode i lives in slot i % 31 of inode-table block inode_start + i / 31;
 * inode 0 is never used.  A file's block fb is found through
 *
 *   fb < 12                    direct[fb]
 *   fb < 12 + 1020             indirect -> [fb - 12]
 *   fb < 12 + 1020 + 1020^2    dindirect -> [(fb - 1032) / 1020]
 *                                        -> [(fb - 1032) % 1020]
 *
 * A zero pointer is a hole (reads as zeros).  Pointers are block numbers
 * in [data_start, nblocks); pointer blocks are metadata (INDIRECT tail).
 *
 * Invariants kept by every operation and checked on every read:
 *  - no block is mapped at an index >= ceil(size / 4096);
 *  - the bytes of the last block past `size` are zero, so growing a file
 *    (write past the end, truncate up) never needs to clear anything;
 *  - a directory's size is a multiple of 4096 and it has no holes.
 */
#include "kernel/fs/fs_priv.h"

#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

u64 fs_size_blocks(u64 size)
{
	return (size + OFS_BLOCK_SIZE - 1) / OFS_BLOCK_SIZE;
}

u64 fs_cur_seq(const struct fs *fs)
{
	/* The running transaction: every commit since mount took one number. */
	return fs->seq_base + jnl_stats(fs->j)->commits;
}

static int fs_inode_bad(u32 ino, const char *why)
{
	kprintf("ordofs: inode %u is corrupt (%s)\n", ino, why);
	return -EUCLEAN;
}

/* A pointer field: 0 or a data block; `needed` says the level is in use. */
static bool fs_ptr_ok(const struct fs *fs, le32 p, bool needed)
{
	u32 v = le32_to_cpu(p);

	return v == 0 || (needed && fs_data_blkno_ok(fs, v));
}

int fs_inode_check(const struct fs *fs, u32 ino, const struct ofs_inode *in)
{
	u16 type = le16_to_cpu(in->type);
	u64 size = le64_to_cpu(in->size), nb;

	if (type == OFS_TYPE_FREE)
		return 0;
	if (type != OFS_TYPE_FILE && type != OFS_TYPE_DIR)
		return fs_inode_bad(ino, "unknown type");
	if (le16_to_cpu(in->nlink) == 0)
		return fs_inode_bad(ino, "in use with no links");
	if (size > FS_MAX_FILE_SIZE)
		return fs_inode_bad(ino, "size beyond the largest file");
	if (type == OFS_TYPE_DIR && size % OFS_BLOCK_SIZE)
		return fs_inode_bad(ino, "directory size not a whole number of blocks");
	nb = fs_size_blocks(size);
	for (u32 i = 0; i < OFS_NDIRECT; i++) {
		if (!fs_ptr_ok(fs, in->direct[i], i < nb))
			return fs_inode_bad(ino, "bad direct block pointer");
	}
	if (!fs_ptr_ok(fs, in->indirect, nb > FS_IND_FIRST))
		return fs_inode_bad(ino, "bad indirect block pointer");
	if (!fs_ptr_ok(fs, in->dindirect, nb > FS_DIND_FIRST))
		return fs_inode_bad(ino, "bad double-indirect block pointer");
	return 0;
}

u64 fs_inode_block(const struct fs *fs, u32 ino, u32 *slot)
{
	*slot = ino % OFS_INODES_PER_BLOCK;
	return fs->g.inode_start + ino / OFS_INODES_PER_BLOCK;
}

int fs_iread(struct fs *fs, u32 ino, struct ofs_inode *out)
{
	struct fs_bref r;
	u32 slot;
	int err;

	if (ino == 0 || ino >= fs->g.ninodes) {
		kprintf("ordofs: inode number %u out of range\n", ino);
		return -EUCLEAN;
	}
	err = fs_bget(fs, fs_inode_block(fs, ino, &slot), OFS_MAGIC_INODES, &r);
	if (err)
		return err;
	memcpy(out, (const struct ofs_inode *)r.data + slot, sizeof(*out));
	fs_bput(fs, &r);
	return fs_inode_check(fs, ino, out);
}

int fs_imod(struct fs *fs, u32 ino, struct ofs_inode **ip)
{
	u32 slot;
	u8 *data;
	int err;

	if (ino == 0 || ino >= fs->g.ninodes)
		return -EUCLEAN;
	err = fs_bmod(fs, fs_inode_block(fs, ino, &slot), OFS_MAGIC_INODES, &data);
	if (err)
		return err;
	/*
	 * Not checked again: the caller read it with fs_iread() first, and
	 * while an operation changes an inode it may briefly map a block
	 * past the size it is about to set.
	 */
	*ip = (struct ofs_inode *)data + slot;
	return 0;
}

/* Entry `idx` of pointer block `blk`, checked.  0 or -errno. */
static int fs_ptr_read(struct fs *fs, u32 blk, u32 idx, u32 *out)
{
	struct fs_bref r;
	u32 v;
	int err = fs_bget(fs, blk, OFS_MAGIC_INDIRECT, &r);

	if (err)
		return err;
	v = le32_to_cpu(((const le32 *)r.data)[idx]);
	fs_bput(fs, &r);
	if (v && !fs_data_blkno_ok(fs, v)) {
		kprintf("ordofs: indirect block %u: pointer %u out of range\n", blk, v);
		return -EUCLEAN;
	}
	*out = v;
	return 0;
}

int fs_bmap(struct fs *fs, const struct ofs_inode *in, u64 fb, u32 *blockno)
{
	u32 leaf;
	int err;

	*blockno = 0;
	if (fb < FS_IND_FIRST) {
		*blockno = le32_to_cpu(in->direct[fb]);
		return 0;
	}
	if (fb < FS_DIND_FIRST) {
		leaf = le32_to_cpu(in->indirect);
		return leaf ? fs_ptr_read(fs, leaf, (u32)(fb - FS_IND_FIRST), blockno) : 0;
	}
	if (fb >= FS_MAX_FBLOCKS)
		return -EFBIG;
	fb -= FS_DIND_FIRST;
	leaf = le32_to_cpu(in->dindirect);
	if (leaf)
		err = fs_ptr_read(fs, leaf, (u32)(fb / OFS_PTRS_PER_BLOCK), &leaf);
	else
		err = 0;
	if (err || !leaf)
		return err;
	return fs_ptr_read(fs, leaf, (u32)(fb % OFS_PTRS_PER_BLOCK), blockno);
}

/*
 * The pointer block `*slot` points to, allocated (zeroed) if it is a hole.
 * `slot` lies in a shadow of this operation.
 */
static int fs_ptr_block(struct fs *fs, le32 *slot, u32 *blk)
{
	u8 *data;
	int err;

	*blk = le32_to_cpu(*slot);
	if (*blk)
		return fs_data_blkno_ok(fs, *blk) ? 0 : -EUCLEAN;
	err = fs_balloc(fs, blk);
	if (!err)
		err = fs_bfresh(fs, *blk, OFS_MAGIC_INDIRECT, &data);
	if (!err)
		*slot = cpu_to_le32(*blk);
	return err;
}

/* A writable pointer to entry `idx` of pointer block `blk`. */
static int fs_ptr_slot(struct fs *fs, u32 blk, u32 idx, le32 **slot)
{
	u8 *data;
	int err = fs_bmod(fs, blk, OFS_MAGIC_INDIRECT, &data);

	if (!err)
		*slot = (le32 *)data + idx;
	return err;
}

int fs_bmap_alloc(struct fs *fs, struct ofs_inode *ip, u64 fb, u32 *blockno, bool *fresh)
{
	le32 *slot;
	u32 blk;
	int err = 0;

	if (fb < FS_IND_FIRST) {
		slot = &ip->direct[fb];
	} else if (fb < FS_DIND_FIRST) {
		err = fs_ptr_block(fs, &ip->indirect, &blk);
		if (!err)
			err = fs_ptr_slot(fs, blk, (u32)(fb - FS_IND_FIRST), &slot);
	} else if (fb < FS_MAX_FBLOCKS) {
		fb -= FS_DIND_FIRST;
		err = fs_ptr_block(fs, &ip->dindirect, &blk);
		if (!err)
			err = fs_ptr_slot(fs, blk, (u32)(fb / OFS_PTRS_PER_BLOCK), &slot);
		if (!err)
			err = fs_ptr_block(fs, slot, &blk);
		if (!err)
			err = fs_ptr_slot(fs, blk, (u32)(fb % OFS_PTRS_PER_BLOCK), &slot);
	} else {
		return -EFBIG;
	}
	if (err)
		return err;
	*blockno = le32_to_cpu(*slot);
	*fresh = *blockno == 0;
	if (!*fresh)
		return fs_data_blkno_ok(fs, *blockno) ? 0 : -EUCLEAN;
	err = fs_balloc(fs, blockno);
	if (!err)
		*slot = cpu_to_le32(*blockno);
	return err;
}

/* Free every block a whole pointer block maps, then the block itself. */
static int fs_free_leaf(struct fs *fs, u32 leaf)
{
	struct fs_bref r;
	int err = fs_bget(fs, leaf, OFS_MAGIC_INDIRECT, &r);

	for (u32 k = 0; k < OFS_PTRS_PER_BLOCK && !err; k++) {
		u32 v = le32_to_cpu(((const le32 *)r.data)[k]);

		if (v)
			err = fs_bfree(fs, v);
	}
	fs_bput(fs, &r);
	return err ? err : fs_bfree(fs, leaf);
}

/*
 * Free the blocks a pointer block maps from entry `from` on, clearing the
 * entries; if nothing is left in it, free it too and clear `*parent`.
 */
static int fs_free_leaf_from(struct fs *fs, le32 *parent, u32 from)
{
	u32 leaf = le32_to_cpu(*parent);
	bool empty = true;
	le32 *p;
	int err;

	if (!fs_data_blkno_ok(fs, leaf)) {
		kprintf("ordofs: indirect pointer %u out of range\n", leaf);
		return -EUCLEAN;
	}
	if (from == 0) {
		err = fs_free_leaf(fs, leaf);
		if (!err)
			*parent = cpu_to_le32(0);
		return err;
	}
	err = fs_ptr_slot(fs, leaf, 0, &p);
	for (u32 k = from; k < OFS_PTRS_PER_BLOCK && !err; k++) {
		if (le32_to_cpu(p[k]))
			err = fs_bfree(fs, le32_to_cpu(p[k]));
		p[k] = cpu_to_le32(0);
	}
	for (u32 k = 0; k < from && !err; k++)
		empty = empty && le32_to_cpu(p[k]) == 0;
	if (err || !empty)
		return err;
	err = fs_bfree(fs, leaf);
	if (!err)
		*parent = cpu_to_le32(0);
	return err;
}

/* The double-indirect part of fs_free_from(): indexes >= lo. */
static int fs_free_dind_from(struct fs *fs, struct ofs_inode *ip, u64 lo)
{
	u64 rel = lo > FS_DIND_FIRST ? lo - FS_DIND_FIRST : 0;
	u32 first = (u32)(rel / OFS_PTRS_PER_BLOCK), within = (u32)(rel % OFS_PTRS_PER_BLOCK);
	bool empty = true;
	le32 *d;
	int err;

	if (!le32_to_cpu(ip->dindirect) || rel >= (u64)OFS_PTRS_PER_BLOCK * OFS_PTRS_PER_BLOCK)
		return 0;
	if (rel == 0) {
		struct fs_bref r;

		err = fs_bget(fs, le32_to_cpu(ip->dindirect), OFS_MAGIC_INDIRECT, &r);
		for (u32 k = 0; k < OFS_PTRS_PER_BLOCK && !err; k++) {
			u32 leaf = le32_to_cpu(((const le32 *)r.data)[k]);

			if (leaf)
				err = fs_data_blkno_ok(fs, leaf) ? fs_free_leaf(fs, leaf)
								 : -EUCLEAN;
		}
		fs_bput(fs, &r);
		if (!err)
			err = fs_bfree(fs, le32_to_cpu(ip->dindirect));
		if (!err)
			ip->dindirect = cpu_to_le32(0);
		return err;
	}
	err = fs_ptr_slot(fs, le32_to_cpu(ip->dindirect), 0, &d);
	for (u32 k = first; k < OFS_PTRS_PER_BLOCK && !err; k++) {
		if (le32_to_cpu(d[k]))
			err = fs_free_leaf_from(fs, &d[k], k == first ? within : 0);
	}
	for (u32 k = 0; k < OFS_PTRS_PER_BLOCK && !err; k++)
		empty = empty && le32_to_cpu(d[k]) == 0;
	if (err || !empty)
		return err;
	err = fs_bfree(fs, le32_to_cpu(ip->dindirect));
	if (!err)
		ip->dindirect = cpu_to_le32(0);
	return err;
}

int fs_free_from(struct fs *fs, struct ofs_inode *ip, u64 lo)
{
	int err = 0;

	for (u64 i = lo; i < FS_IND_FIRST && !err; i++) {
		if (le32_to_cpu(ip->direct[i]))
			err = fs_bfree(fs, le32_to_cpu(ip->direct[i]));
		ip->direct[i] = cpu_to_le32(0);
	}
	if (!err && le32_to_cpu(ip->indirect) && lo < FS_DIND_FIRST)
		err = fs_free_leaf_from(fs, &ip->indirect,
					lo > FS_IND_FIRST ? (u32)(lo - FS_IND_FIRST) : 0);
	return err ? err : fs_free_dind_from(fs, ip, lo);
}

/* Pointer blocks and the blocks they map, for fs_count_blocks(). */
static int fs_count_leaf(struct fs *fs, u32 leaf, bool dind, u64 *count)
{
	struct fs_bref r;
	int err;

	if (!fs_data_blkno_ok(fs, leaf))
		return -EUCLEAN;
	err = fs_bget(fs, leaf, OFS_MAGIC_INDIRECT, &r);
	if (err)
		return err;
	(*count)++;
	for (u32 k = 0; k < OFS_PTRS_PER_BLOCK && !err; k++) {
		u32 v = le32_to_cpu(((const le32 *)r.data)[k]);

		if (v && dind)
			err = fs_count_leaf(fs, v, false, count);
		else if (v)
			(*count)++;
	}
	fs_bput(fs, &r);
	return err;
}

int fs_count_blocks(struct fs *fs, const struct ofs_inode *in, u64 *count)
{
	int err = 0;

	*count = 0;
	for (u32 i = 0; i < OFS_NDIRECT; i++)
		*count += le32_to_cpu(in->direct[i]) != 0;
	if (le32_to_cpu(in->indirect))
		err = fs_count_leaf(fs, le32_to_cpu(in->indirect), false, count);
	if (!err && le32_to_cpu(in->dindirect))
		err = fs_count_leaf(fs, le32_to_cpu(in->dindirect), true, count);
	return err;
}
