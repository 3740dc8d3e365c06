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
 * state plus the operation being prepared: fs_balloc() sets a bit there
 * at once (so the operation cannot hand the block out twice) and in the
 * bitmap block; fs_bfree() clears the bit only in the bitmap block.  The
 * operation lists both (fs_op.alloc, fs_op.freed): an abort clears its
 * allocations again (the bitmap block's bytes come back with the undo
 * records), a commit releases its frees in memory.
 *
 * When: with data=journal at once, as every block then goes through the
 * log.  With data=ordered (the default) a new file block goes straight
 * home at commit, so it must not be one that a transaction still in the
 * log names: a block freed by a committed operation stays set in memory,
 * pending, until two checkpoints have emptied the log (jnl.h): the
 * journal superblock keeps the tail in two copies, rewriting the older at
 * each checkpoint, and a crash that garbles the newer one while the older
 * is being written makes recovery start from the older tail.  Each batch
 * of pending frees remembers the checkpoint count it was made under;
 * fs_op_begin() releases the batches two checkpoints have passed, and a
 * call that runs out of space with frees pending checkpoints twice at once
 * (fs_reclaim) and tries again.
 *
 * Free blocks are found a 64-bit word at a time from a next-fit hint:
 * full words are skipped whole, then the first zero bit is taken.
 *
 * Inodes have no bitmap: an inode is free when its type is OFS_TYPE_FREE.
 * Allocation scans the table from a rotating hint.
 */
#include "kernel/fs/fs_priv.h"
#include "kernel/fs/jnl_mutant.h"

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

/* The bitmap read a word at a time; bit b is bit b % 64 of word b / 64. */
typedef u64 __attribute__((may_alias)) fs_bmword;
_Static_assert(OFS_PAYLOAD % sizeof(fs_bmword) == 0, "bitmap copy is whole words");

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

/*
 * The bitmap block holding block b's bit, with the byte of that bit
 * declared to the operation, and the bit's number in that block.
 */
static int fs_bitmap_bit(struct fs *fs, u64 b, u8 **payload, u64 *bit)
{
	*bit = b % OFS_BITS_PER_BITMAP;
	return fs_bmod(fs, fs->g.bitmap_start + b / OFS_BITS_PER_BITMAP, OFS_MAGIC_BITMAP,
		       (u32)(*bit / 8), 1, payload);
}

/*
 * First clear bit in [from, to) of the in-memory bitmap, or `to`.  The
 * copy is a whole number of words (OFS_PAYLOAD is a multiple of 8).
 */
static u64 fs_bitmap_find(const struct fs *fs, u64 from, u64 to)
{
	const fs_bmword *w = (const fs_bmword *)fs->bitmap;

	for (u64 b = from; b < to; b = (b | 63) + 1) {
		/* Bits below `from` in the first word count as taken. */
		u64 used = LE_SWAP64(w[b / 64]) | ((1ull << (b % 64)) - 1);

		if (~used) {
			b = (b & ~63ull) + (u64)__builtin_ctzll(~used);
			return MIN(b, to);
		}
	}
	return to;
}

int fs_balloc(struct fs *fs, u32 *blockno)
{
	struct fs_op *op = &fs->op;
	u32 *alloc;
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
	alloc = fs_grow(op->alloc, &op->alloc_cap, op->nalloc + 1, sizeof(*alloc));
	if (!alloc)
		return -ENOMEM;
	op->alloc = alloc;
	err = fs_bitmap_bit(fs, b, &payload, &bit);
	if (err)
		return err;
	if (fs_bitmap_test(payload, bit)) {
		kprintf("ordofs: bitmap block for block %llu disagrees with memory\n",
			(unsigned long long)b);
		return -EUCLEAN;
	}
	fs_bit_set(payload, bit);
	fs_bit_set(fs->bitmap, b);
	alloc[op->nalloc++] = (u32)b;
	fs->free_blocks--;
	fs->balloc_hint = b + 1;
	*blockno = (u32)b;
	return 0;
}

int fs_bfree(struct fs *fs, u32 blockno)
{
	struct fs_op *op = &fs->op;
	u32 *freed;
	u8 *payload;
	u64 bit;
	int err;

	if (!fs_data_blkno_ok(fs, blockno)) {
		kprintf("ordofs: freeing block %u outside the data area\n", blockno);
		return -EUCLEAN;
	}
	freed = fs_grow(op->freed, &op->freed_cap, op->nfreed + 1, sizeof(*freed));
	if (!freed)
		return -ENOMEM;
	op->freed = freed;
	err = fs_bitmap_bit(fs, blockno, &payload, &bit);
	if (err)
		return err;
	if (!fs_bitmap_test(payload, bit)) {
		kprintf("ordofs: block %u freed twice (the bitmap says it is free)\n", blockno);
		return -EUCLEAN;
	}
	fs_bit_clear(payload, bit);
	freed[op->nfreed++] = blockno;
	return 0;
}

void fs_bitmap_op_abort(struct fs *fs)
{
	const struct fs_op *op = &fs->op;

	for (u32 i = 0; i < op->nalloc; i++)
		fs_bit_clear(fs->bitmap, op->alloc[i]);
	fs->free_blocks += op->nalloc;
}

/* Blocks [0, end) of the pending list are free in memory again. */
static void fs_pending_drop(struct fs *fs, u32 end, u32 nbatches)
{
	struct fs_pending *p = &fs->pend;

	for (u32 i = 0; i < end; i++)
		fs_bit_clear(fs->bitmap, p->blocks[i]);
	fs->free_blocks += end;
	memmove(p->blocks, p->blocks + end, (size_t)(p->n - end) * sizeof(*p->blocks));
	p->n -= end;
	for (u32 k = nbatches; k < p->nbatches; k++) {
		p->batch[k - nbatches] = p->batch[k];
		p->batch[k - nbatches].end -= end;
	}
	p->nbatches -= nbatches;
}

void fs_pending_release(struct fs *fs)
{
	const struct fs_pending *p = &fs->pend;
	u64 now = jnl_stats(fs->j)->checkpoints;
	u32 k = 0;

	/*
	 * Batches are in checkpoint order: release those two checkpoints
	 * have passed (see the header: both journal superblock copies).
	 */
	while (k < p->nbatches && now - p->batch[k].checkpoints >= 2)
		k++;
	if (k)
		fs_pending_drop(fs, p->batch[k - 1].end, k);
}

int fs_reclaim(struct fs *fs)
{
	int err;

	BUG_ON(fs->op.active);
	if (!fs->pend.n)
		return 0;
	/* Two: each moves the tail in one of the superblock's two copies. */
	err = jnl_checkpoint(fs->j);
	if (!err)
		err = jnl_checkpoint(fs->j);
	if (err)
		return err;
	fs_pending_drop(fs, fs->pend.n, fs->pend.nbatches);
	return 1;
}

bool fs_enospc_retry(struct fs *fs, int *err, bool *retried)
{
	int ret;

	if (*err != -ENOSPC || *retried)
		return false;
	*retried = true;
	ret = fs_reclaim(fs);
	if (ret < 0)
		*err = ret;
	return ret > 0;
}

u64 fs_pending_count(const struct fs *fs)
{
	return fs->pend.n;
}

void fs_bitmap_op_commit(struct fs *fs)
{
	const struct fs_op *op = &fs->op;
	struct fs_pending *p = &fs->pend;
	u64 now = jnl_stats(fs->j)->checkpoints;
	bool now_free = fs->data_journal || jnl_mutant(JNL_MUT_REUSE_BEFORE_CKPT);
	u32 *blocks;

	if (!op->nfreed)
		return;
	blocks = now_free ? NULL : fs_grow(p->blocks, &p->cap, p->n + op->nfreed, 4);
	if (!blocks) {
		/*
		 * data=journal, or no memory to remember them: two
		 * checkpoints (none with data=journal) make them safe at once.
		 */
		if (!now_free && (jnl_checkpoint(fs->j) || jnl_checkpoint(fs->j)))
			return; /* aborted: the blocks stay taken until unmount */
		for (u32 i = 0; i < op->nfreed; i++)
			fs_bit_clear(fs->bitmap, op->freed[i]);
		fs->free_blocks += op->nfreed;
		return;
	}
	p->blocks = blocks;
	memcpy(blocks + p->n, op->freed, (size_t)op->nfreed * sizeof(*blocks));
	p->n += op->nfreed;
	if (p->nbatches && p->batch[p->nbatches - 1].checkpoints == now) {
		p->batch[p->nbatches - 1].end = p->n;
	} else if (p->nbatches < FS_PEND_BATCHES) {
		p->batch[p->nbatches++] = (struct fs_pend_batch){ .end = p->n, .checkpoints = now };
	} else {
		/* Never more than FS_PEND_BATCHES: the last batch waits longer. */
		p->batch[p->nbatches - 1] =
			(struct fs_pend_batch){ .end = p->n, .checkpoints = now };
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
		u64 blk;

		err = fs_inode_is_free(fs, cand);
		if (err < 0)
			return err;
		if (!err)
			continue;
		blk = fs_inode_block(fs, cand, &slot);
		err = fs_bmod(fs, blk, OFS_MAGIC_INODES, slot * (u32)sizeof(*in), sizeof(*in),
			      &data);
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
