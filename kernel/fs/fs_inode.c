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
 *  - `blocks` counts the data and pointer blocks mapped, so fstat need not
 *    walk the map; a read checks only that it fits the size (fsck counts);
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

/* The most data and pointer blocks a file of nb blocks can map. */
static u64 fs_blocks_bound(u64 nb)
{
	u64 max = nb;

	if (nb > FS_IND_FIRST)
		max++;
	if (nb > FS_DIND_FIRST)
		max += 1 + (nb - FS_DIND_FIRST + OFS_PTRS_PER_BLOCK - 1) / OFS_PTRS_PER_BLOCK;
	return max;
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
	if (le32_to_cpu(in->blocks) > fs_blocks_bound(nb))
		return fs_inode_bad(ino, "block count larger than its size allows");
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
	u64 blk;
	u32 slot;
	u8 *data;
	int err;

	if (ino == 0 || ino >= fs->g.ninodes)
		return -EUCLEAN;
	blk = fs_inode_block(fs, ino, &slot);
	err = fs_bmod(fs, blk, OFS_MAGIC_INODES, slot * (u32)sizeof(**ip), sizeof(**ip), &data);
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

/* Set entry `idx` of pointer block `blk` to v (declaring those 4 bytes). */
static int fs_ptr_set(struct fs *fs, u32 blk, u32 idx, u32 v)
{
	u8 *data;
	int err =
		fs_bmod(fs, blk, OFS_MAGIC_INDIRECT, idx * (u32)sizeof(le32), sizeof(le32), &data);

	if (!err)
		((le32 *)data)[idx] = cpu_to_le32(v);
	return err;
}

/*
 * One level of the map: the block named by the inode's field `*field`, or
 * with field NULL by entry idx of pointer block blk.  A hole gets a new
 * block, counted in ip->blocks: a zeroed pointer block if `ptrs`, else a
 * data block for the caller to fill (*fresh).
 */
static int fs_map_step(struct fs *fs, struct ofs_inode *ip, le32 *field, u32 blk, u32 idx,
		       bool ptrs, u32 *out, bool *fresh)
{
	u32 v;
	u8 *data;
	int err = 0;

	*fresh = false;
	if (field)
		v = le32_to_cpu(*field);
	else
		err = fs_ptr_read(fs, blk, idx, &v);
	if (err || v) {
		*out = v;
		return err ? err : fs_data_blkno_ok(fs, v) ? 0 : -EUCLEAN;
	}
	err = fs_balloc(fs, &v);
	if (!err && ptrs)
		err = fs_bfresh(fs, v, OFS_MAGIC_INDIRECT, &data);
	if (!err && field)
		*field = cpu_to_le32(v);
	else if (!err)
		err = fs_ptr_set(fs, blk, idx, v);
	if (err)
		return err;
	ip->blocks = cpu_to_le32(le32_to_cpu(ip->blocks) + 1);
	*out = v;
	*fresh = true;
	return 0;
}

int fs_bmap_alloc(struct fs *fs, struct ofs_inode *ip, u64 fb, u32 *blockno, bool *fresh)
{
	u32 blk;
	bool f;
	int err;

	if (fb < FS_IND_FIRST)
		return fs_map_step(fs, ip, &ip->direct[fb], 0, 0, false, blockno, fresh);
	if (fb < FS_DIND_FIRST) {
		err = fs_map_step(fs, ip, &ip->indirect, 0, 0, true, &blk, &f);
		return err ? err
			   : fs_map_step(fs, ip, NULL, blk, (u32)(fb - FS_IND_FIRST), false,
					 blockno, fresh);
	}
	if (fb >= FS_MAX_FBLOCKS)
		return -EFBIG;
	fb -= FS_DIND_FIRST;
	err = fs_map_step(fs, ip, &ip->dindirect, 0, 0, true, &blk, &f);
	if (!err)
		err = fs_map_step(fs, ip, NULL, blk, (u32)(fb / OFS_PTRS_PER_BLOCK), true, &blk,
				  &f);
	return err ? err
		   : fs_map_step(fs, ip, NULL, blk, (u32)(fb % OFS_PTRS_PER_BLOCK), false, blockno,
				 fresh);
}

/* Free one block of an inode's map, counting it in *freed. */
static int fs_free_one(struct fs *fs, u32 blk, u64 *freed)
{
	int err = fs_bfree(fs, blk);

	*freed += !err;
	return err;
}

/*
 * Free the blocks pointer block `leaf` maps from entry `from` on and clear
 * those entries; if nothing is left in it, free it too instead, unchanged
 * (*gone: the caller clears the pointer to it).
 */
static int fs_free_leaf_from(struct fs *fs, u32 leaf, u32 from, u64 *freed, bool *gone)
{
	u32 lo = OFS_PTRS_PER_BLOCK, hi = 0;
	bool keep = false;
	struct fs_bref r;
	const le32 *p;
	u8 *data;
	int err;

	*gone = false;
	if (!fs_data_blkno_ok(fs, leaf)) {
		kprintf("ordofs: indirect pointer %u out of range\n", leaf);
		return -EUCLEAN;
	}
	err = fs_bget(fs, leaf, OFS_MAGIC_INDIRECT, &r);
	if (err)
		return err;
	p = (const le32 *)r.data;
	for (u32 k = 0; k < OFS_PTRS_PER_BLOCK; k++) {
		if (!le32_to_cpu(p[k]))
			continue;
		keep = keep || k < from;
		lo = k < from ? lo : MIN(lo, k);
		hi = k < from ? hi : k + 1;
	}
	for (u32 k = lo; k < hi && !err; k++) {
		if (le32_to_cpu(p[k]))
			err = fs_free_one(fs, le32_to_cpu(p[k]), freed);
	}
	fs_bput(fs, &r);
	if (err)
		return err;
	if (!keep) {
		err = fs_free_one(fs, leaf, freed);
		*gone = !err;
		return err;
	}
	if (lo >= hi)
		return 0;
	err = fs_bmod(fs, leaf, OFS_MAGIC_INDIRECT, lo * (u32)sizeof(le32),
		      (hi - lo) * (u32)sizeof(le32), &data);
	if (!err)
		memset(data + lo * sizeof(le32), 0, (hi - lo) * sizeof(le32));
	return err;
}

/* The double-indirect part of fs_free_from(): indexes >= lo. */
static int fs_free_dind_from(struct fs *fs, struct ofs_inode *ip, u64 lo, u64 *freed)
{
	u64 rel = lo > FS_DIND_FIRST ? lo - FS_DIND_FIRST : 0;
	u32 first = (u32)(rel / OFS_PTRS_PER_BLOCK), within = (u32)(rel % OFS_PTRS_PER_BLOCK);
	u32 dind = le32_to_cpu(ip->dindirect), clo = OFS_PTRS_PER_BLOCK, chi = 0;
	bool keep = false, gone;
	struct fs_bref r;
	u8 *data;
	int err;

	if (!dind || rel >= (u64)OFS_PTRS_PER_BLOCK * OFS_PTRS_PER_BLOCK)
		return 0;
	if (!fs_data_blkno_ok(fs, dind)) {
		kprintf("ordofs: double-indirect pointer %u out of range\n", dind);
		return -EUCLEAN;
	}
	err = fs_bget(fs, dind, OFS_MAGIC_INDIRECT, &r);
	for (u32 k = 0; k < OFS_PTRS_PER_BLOCK && !err; k++) {
		u32 leaf = le32_to_cpu(((const le32 *)r.data)[k]);

		if (!leaf)
			continue;
		if (k < first) {
			keep = true;
			continue;
		}
		err = fs_free_leaf_from(fs, leaf, k == first ? within : 0, freed, &gone);
		/* Only the first leaf can stay: the entries cleared are a run. */
		keep = keep || !gone;
		clo = gone ? MIN(clo, k) : clo;
		chi = gone ? k + 1 : chi;
	}
	fs_bput(fs, &r);
	if (err)
		return err;
	if (!keep) {
		err = fs_free_one(fs, dind, freed);
		if (!err)
			ip->dindirect = cpu_to_le32(0);
		return err;
	}
	if (clo >= chi)
		return 0;
	err = fs_bmod(fs, dind, OFS_MAGIC_INDIRECT, clo * (u32)sizeof(le32),
		      (chi - clo) * (u32)sizeof(le32), &data);
	if (!err)
		memset(data + clo * sizeof(le32), 0, (chi - clo) * sizeof(le32));
	return err;
}

int fs_free_from(struct fs *fs, struct ofs_inode *ip, u64 lo)
{
	u32 blocks = le32_to_cpu(ip->blocks);
	u64 freed = 0;
	bool gone;
	int err = 0;

	for (u64 i = lo; i < FS_IND_FIRST && !err; i++) {
		if (le32_to_cpu(ip->direct[i]))
			err = fs_free_one(fs, le32_to_cpu(ip->direct[i]), &freed);
		ip->direct[i] = cpu_to_le32(0);
	}
	if (!err && le32_to_cpu(ip->indirect) && lo < FS_DIND_FIRST) {
		err = fs_free_leaf_from(fs, le32_to_cpu(ip->indirect),
					lo > FS_IND_FIRST ? (u32)(lo - FS_IND_FIRST) : 0, &freed,
					&gone);
		if (!err && gone)
			ip->indirect = cpu_to_le32(0);
	}
	if (!err)
		err = fs_free_dind_from(fs, ip, lo, &freed);
	/* A count too small is corruption fsck reports; never wrap it. */
	ip->blocks = cpu_to_le32(freed < blocks ? blocks - (u32)freed : 0);
	return err;
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
