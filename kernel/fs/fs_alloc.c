/*
 * kernel/fs/fs_alloc.c - block bitmap and inode allocation.
 *
 * The bitmap has one bit per filesystem block (1 = in use), OFS_PAYLOAD
 * bytes of bits per bitmap block, so block b is bit b % 8 of byte b / 8 of
 * the payloads laid end to end.  Blocks before data_start (superblock,
 * internal journal, bitmap, inode table) and the padding bits past the end
 * of the filesystem are always set.
 *
 * Mount copies the payloads into fs->bitmap.  That copy is the committed
 * state plus the operation being prepared: fs_balloc() sets a bit there at
 * once (so the operation cannot hand the block out twice) and in the
 * shadow of the bitmap block; fs_bfree() clears the bit only in the shadow,
 * so a block freed by an operation cannot be reused before that operation
 * has committed.  fs_bitmap_op_done() reconciles the copy from the
 * difference between shadow and buffer: freed bits are cleared at commit,
 * allocated bits are cleared again on abort.
 *
 * Inodes have no bitmap: an inode is free when its type is OFS_TYPE_FREE.
 * Allocation scans the table from a rotating hint.
 */
#include "kernel/fs/fs_priv.h"

#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "lib/string.h"

bool fs_bitmap_test(const u8 *payload, u64 bit)
{
	return payload[bit / 8] & (1u << (bit % 8));
}

static void fs_bit_set(u8 *payload, u64 bit)
{
	payload[bit / 8] |= (u8)(1u << (bit % 8));
}

static void fs_bit_clear(u8 *payload, u64 bit)
{
	payload[bit / 8] &= (u8) ~(1u << (bit % 8));
}

static u32 fs_popcount8(u8 x)
{
	u32 n = 0;

	for (; x; x &= (u8)(x - 1))
		n++;
	return n;
}

int fs_bitmap_load(struct fs *fs)
{
	u64 bytes = (u64)fs->g.bitmap_blocks * OFS_PAYLOAD;
	u64 used = 0;

	fs->bitmap = kmalloc(bytes);
	if (!fs->bitmap)
		return -ENOMEM;
	for (u32 i = 0; i < fs->g.bitmap_blocks; i++) {
		struct fs_bref r;
		int err = fs_bget(fs, fs->g.bitmap_start + i, OFS_MAGIC_BITMAP, &r);

		if (err)
			return err;
		memcpy(fs->bitmap + (u64)i * OFS_PAYLOAD, r.data, OFS_PAYLOAD);
		fs_bput(fs, &r);
	}
	for (u64 b = 0; b < fs->g.data_start; b++) {
		if (!fs_bitmap_test(fs->bitmap, b)) {
			kprintf("ordofs: bitmap marks metadata block %llu free\n",
				(unsigned long long)b);
			return -EUCLEAN;
		}
	}
	for (u64 b = fs->g.data_start; b < fs->g.nblocks; b++)
		used += fs_bitmap_test(fs->bitmap, b);
	fs->free_blocks = fs->g.nblocks - fs->g.data_start - used;
	fs->balloc_hint = fs->g.data_start;
	return 0;
}

/* The shadow of the bitmap block holding `b`'s bit, and the bit in it. */
static int fs_bitmap_shadow(struct fs *fs, u64 b, u8 **payload, u64 *bit)
{
	*bit = b % OFS_BITS_PER_BITMAP;
	return fs_bmod(fs, fs->g.bitmap_start + b / OFS_BITS_PER_BITMAP, OFS_MAGIC_BITMAP, payload);
}

/* First clear bit in [from, to) of the in-memory bitmap, or `to`. */
static u64 fs_bitmap_find(const struct fs *fs, u64 from, u64 to)
{
	u64 b = from;

	while (b < to) {
		/* Skip whole full bytes: the common case on a busy disk. */
		if (b % 8 == 0 && fs->bitmap[b / 8] == 0xff) {
			b += 8;
			continue;
		}
		if (!fs_bitmap_test(fs->bitmap, b))
			return b;
		b++;
	}
	return to;
}

int fs_balloc(struct fs *fs, u32 *blockno)
{
	u64 b, bit;
	u8 *payload;
	int err;

	if (fs->free_blocks == 0)
		return -ENOSPC;
	if (fs->balloc_hint < fs->g.data_start || fs->balloc_hint >= fs->g.nblocks)
		fs->balloc_hint = fs->g.data_start;
	/* Next fit: from the hint to the end, then wrap round to it. */
	b = fs_bitmap_find(fs, fs->balloc_hint, fs->g.nblocks);
	if (b >= fs->g.nblocks) {
		b = fs_bitmap_find(fs, fs->g.data_start, fs->balloc_hint);
		if (b >= fs->balloc_hint)
			return -ENOSPC;
	}
	err = fs_bitmap_shadow(fs, b, &payload, &bit);
	if (err)
		return err;
	if (fs_bitmap_test(payload, bit)) {
		kprintf("ordofs: bitmap block for block %llu disagrees with memory\n",
			(unsigned long long)b);
		return -EUCLEAN;
	}
	fs_bit_set(payload, bit);
	fs_bit_set(fs->bitmap, b);
	fs->free_blocks--;
	fs->balloc_hint = b + 1;
	*blockno = (u32)b;
	return 0;
}

int fs_bfree(struct fs *fs, u32 blockno)
{
	u64 bit;
	u8 *payload;
	int err;

	if (!fs_data_blkno_ok(fs, blockno)) {
		kprintf("ordofs: freeing block %u outside the data area\n", blockno);
		return -EUCLEAN;
	}
	err = fs_bitmap_shadow(fs, blockno, &payload, &bit);
	if (err)
		return err;
	if (!fs_bitmap_test(payload, bit)) {
		kprintf("ordofs: block %u freed twice (the bitmap says it is free)\n", blockno);
		return -EUCLEAN;
	}
	fs_bit_clear(payload, bit);
	return 0;
}

void fs_bitmap_op_done(struct fs *fs, const struct fs_obuf *ob, bool committed)
{
	u64 first;

	if (ob->magic != OFS_MAGIC_BITMAP || ob->fresh || !ob->jb)
		return;
	first = (ob->blockno - fs->g.bitmap_start) * OFS_PAYLOAD;
	for (u32 k = 0; k < OFS_PAYLOAD; k++) {
		u8 old = ob->jb->data[k], now = ob->data[k];
		/* Commit: bits the op cleared.  Abort: bits it set. */
		u8 drop = committed ? (u8)(old & ~now) : (u8)(now & ~old);

		if (!drop)
			continue;
		fs->bitmap[first + k] &= (u8)~drop;
		fs->free_blocks += fs_popcount8(drop);
	}
}

/* Is inode `ino` free?  1, 0 or -errno (table block unreadable). */
static int fs_inode_is_free(struct fs *fs, u32 ino)
{
	const struct ofs_inode *in;
	struct fs_bref r;
	u32 slot;
	int err = fs_bget(fs, fs_inode_block(fs, ino, &slot), OFS_MAGIC_INODES, &r);

	if (err)
		return err;
	in = (const struct ofs_inode *)r.data + slot;
	err = le16_to_cpu(in->type) == OFS_TYPE_FREE;
	fs_bput(fs, &r);
	return err;
}

int fs_ialloc(struct fs *fs, u8 type, u32 *ino, struct ofs_inode **ip)
{
	u32 n = fs->g.ninodes - 1, start = fs->ialloc_hint, gen;
	struct ofs_inode *in;
	u8 *data;
	int err;

	if (start < 1 || start >= fs->g.ninodes)
		start = 1;
	for (u32 k = 0; k < n; k++) {
		u32 cand = 1 + (start - 1 + k) % n, slot;

		err = fs_inode_is_free(fs, cand);
		if (err < 0)
			return err;
		if (!err)
			continue;
		err = fs_bmod(fs, fs_inode_block(fs, cand, &slot), OFS_MAGIC_INODES, &data);
		if (err)
			return err;
		in = (struct ofs_inode *)data + slot;
		/* The generation tells this file from the number's last owner. */
		gen = le32_to_cpu(in->generation) + 1;
		memset(in, 0, sizeof(*in));
		in->type = cpu_to_le16(type);
		in->nlink = cpu_to_le16(1);
		in->generation = cpu_to_le32(gen);
		in->mtime_seq = cpu_to_le64(fs_cur_seq(fs));
		fs->op.inodes_delta--;
		fs->ialloc_hint = cand + 1;
		*ino = cand;
		*ip = in;
		return 0;
	}
	return -ENOSPC;
}

int fs_count_free_inodes(struct fs *fs, u32 *count)
{
	u32 n = 0;

	if (!fs->free_inodes_known) {
		for (u32 b = 0; b < fs->g.inode_blocks; b++) {
			struct fs_bref r;
			const struct ofs_inode *in;
			int err = fs_bget(fs, fs->g.inode_start + b, OFS_MAGIC_INODES, &r);

			if (err)
				return err;
			in = (const struct ofs_inode *)r.data;
			for (u32 s = 0; s < OFS_INODES_PER_BLOCK; s++) {
				u32 ino = b * OFS_INODES_PER_BLOCK + s;

				if (ino >= 1 && ino < fs->g.ninodes &&
				    le16_to_cpu(in[s].type) == OFS_TYPE_FREE)
					n++;
			}
			fs_bput(fs, &r);
		}
		fs->free_inodes = n;
		fs->free_inodes_known = true;
	}
	*count = fs->free_inodes;
	return 0;
}
