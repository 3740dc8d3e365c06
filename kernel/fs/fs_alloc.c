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
 * Discard (mount option "discard"): a freed block is DISCARDed when it is
 * released, just before it may be allocated again, and never earlier.  By
 * then the transaction that freed it is durable and two checkpoints have
 * taken every transaction that names it out of the log, so no state a
 * crash can leave needs its contents: a DISCARD before the free is durable
 * would lose them (the committed state still points at the block), and
 * one while a transaction in the log still names the block could fail
 * recovery's crc check of a data=ordered block that transaction wrote
 * home (allocated and freed in the same transaction).  So with discard on
 * data=journal holds its frees back too.  The DISCARD completes before
 * the block is free in memory, so any later write of it is submitted
 * after it.  Blocks are sorted and merged into runs; the block layer
 * splits a run by the device's limits.  A DISCARD that fails is counted
 * and reported once; -EOPNOTSUPP turns online discard off.  fs_trim()
 * discards every free, released block the same way, on request.
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
 * First clear bit (set bit with `set`) in [from, to) of the in-memory
 * bitmap, or `to`.  The copy is a whole number of words (OFS_PAYLOAD is a
 * multiple of 8).
 */
static u64 fs_bitmap_scan(const struct fs *fs, u64 from, u64 to, bool set)
{
	const fs_bmword *w = (const fs_bmword *)fs->bitmap;

	for (u64 b = from; b < to; b = (b | 63) + 1) {
		u64 word = LE_SWAP64(w[b / 64]);
		/* Bits below `from` in the first word count as not wanted. */
		u64 used = (set ? ~word : word) | ((1ull << (b % 64)) - 1);

		if (~used) {
			b = (b & ~63ull) + (u64)__builtin_ctzll(~used);
			return MIN(b, to);
		}
	}
	return to;
}

static u64 fs_bitmap_find(const struct fs *fs, u64 from, u64 to)
{
	return fs_bitmap_scan(fs, from, to, false);
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

/* ---- discard -------------------------------------------------------- */

void fs_discard_setup(struct fs *fs, bool want)
{
	fs->discard = want && !fs->read_only;
	if (fs->discard && !blk_info(fs->dev)->discard_max_sectors) {
		kprintf("ordofs: %s offers no DISCARD: mounted without discard\n",
			blk_info(fs->dev)->name);
		fs->discard = false;
	}
}

bool fs_discard_on(const struct fs *fs)
{
	return fs->discard;
}

const struct fs_discard_stats *fs_discard_stats(const struct fs *fs)
{
	return &fs->dstats;
}

/*
 * DISCARD blocks [b, b + n).  Advisory: a failure is counted, reported
 * once per mount, and otherwise ignored; -EOPNOTSUPP (the device stopped
 * offering it) also turns online discard off.  0 or that -errno.
 */
static int fs_discard_range(struct fs *fs, u64 b, u64 n)
{
	struct fs_discard_stats *st = &fs->dstats;
	int err = blk_discard(fs->dev, b * FS_BLK_SECTORS, n * FS_BLK_SECTORS);

	if (!err) {
		st->ranges++;
		st->blocks += n;
		return 0;
	}
	if (!st->failed++ || err == -EOPNOTSUPP)
		kprintf("ordofs: DISCARD of blocks %llu..%llu failed (%s): ignored%s\n",
			(unsigned long long)b, (unsigned long long)(b + n - 1), errno_name(err),
			err == -EOPNOTSUPP ? ", discard off" : " (advisory)");
	if (err == -EOPNOTSUPP)
		fs->discard = false;
	return err;
}

/* Heapsort: in place, no recursion, no allocation. */
static void fs_sift(u32 *a, u32 i, u32 n)
{
	for (u32 c; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && a[c + 1] > a[c])
			c++;
		if (a[i] >= a[c])
			return;
		u32 t = a[i];

		a[i] = a[c];
		a[c] = t;
	}
}

static void fs_sort_u32(u32 *a, u32 n)
{
	for (u32 i = n / 2; i-- > 0;)
		fs_sift(a, i, n);
	for (u32 k = n; k-- > 1;) {
		u32 t = a[0];

		a[0] = a[k];
		a[k] = t;
		fs_sift(a, 0, k);
	}
}

/* DISCARD blocks[0, n) (sorted here), each run of consecutive blocks at once. */
static void fs_discard_blocks(struct fs *fs, u32 *blocks, u32 n)
{
	fs_sort_u32(blocks, n);
	for (u32 i = 0, k; i < n && fs->discard; i = k) {
		for (k = i + 1; k < n && blocks[k] <= blocks[k - 1] + 1; k++)
			;
		fs_discard_range(fs, blocks[i], (u64)blocks[k - 1] - blocks[i] + 1);
	}
}

int fs_trim(struct fs *fs, u64 *trimmed)
{
	u64 n = 0, end;
	int err;

	BUG_ON(fs->op.active);
	err = fs_check_writable(fs);
	if (err)
		return err;
	if (!blk_info(fs->dev)->discard_max_sectors)
		return -EOPNOTSUPP;
	/* Only a durable free may be discarded (data=journal frees at once). */
	err = jnl_commit(fs->j);
	if (err)
		return err;
	fs_pending_release(fs);
	for (u64 b = fs_bitmap_find(fs, fs->g.data_start, fs->g.nblocks); b < fs->g.nblocks;
	     b = fs_bitmap_find(fs, end, fs->g.nblocks)) {
		end = fs_bitmap_scan(fs, b, fs->g.nblocks, true);
		err = fs_discard_range(fs, b, end - b);
		if (err == -EOPNOTSUPP)
			return err;
		if (!err)
			n += end - b;
	}
	fs->dstats.trim_blocks += n;
	if (trimmed)
		*trimmed = n;
	return 0;
}

/* The mutants' early DISCARD of blocks[0, n), which stay as they are. */
static void fs_discard_copy(struct fs *fs, const u32 *blocks, u32 n)
{
	u32 *copy = kmalloc((size_t)n * sizeof(*copy));

	if (!copy)
		return;
	memcpy(copy, blocks, (size_t)n * sizeof(*copy));
	fs_discard_blocks(fs, copy, n);
	kfree(copy);
}

void fs_discard_mutant_synced(struct fs *fs)
{
	/* Every pending free is durable now; two checkpoints have not passed. */
	if (jnl_mutant(JNL_MUT_DISCARD_NO_CKPT) && fs->discard && fs->pend.n)
		fs_discard_copy(fs, fs->pend.blocks, fs->pend.n);
}

void fs_discard_unmount(struct fs *fs)
{
	const struct fs_discard_stats *st = &fs->dstats;

	/* A failing checkpoint aborts the journal: jnl_close() reports it. */
	if (fs->discard && fs->pend.n && !jnl_aborted(fs->j))
		fs_reclaim(fs);
	if (fs->discard || st->ranges || st->failed)
		kprintf("ordofs: %s: discarded %llu blocks in %llu ranges (%llu by trim), "
			"%llu ranges failed, %llu blocks not discarded\n",
			blk_info(fs->dev)->name, (unsigned long long)st->blocks,
			(unsigned long long)st->ranges, (unsigned long long)st->trim_blocks,
			(unsigned long long)st->failed, (unsigned long long)st->dropped);
}

/* ---- frees waiting for a checkpoint ----------------------------------- */

/*
 * Blocks [0, end) of the pending list are free in memory again, DISCARDed
 * first with online discard.
 */
static void fs_pending_drop(struct fs *fs, u32 end, u32 nbatches)
{
	struct fs_pending *p = &fs->pend;

	if (fs->discard)
		fs_discard_blocks(fs, p->blocks, end);
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
	/* With discard, data=journal holds them back too (see the header). */
	bool now_free = (fs->data_journal && !fs->discard) || jnl_mutant(JNL_MUT_REUSE_BEFORE_CKPT);
	u32 *blocks;

	if (!op->nfreed)
		return;
	/* Before the transaction freeing them is even committed. */
	if (fs->discard && jnl_mutant(JNL_MUT_DISCARD_EARLY))
		fs_discard_copy(fs, op->freed, op->nfreed);
	blocks = now_free ? NULL : fs_grow(p->blocks, &p->cap, p->n + op->nfreed, 4);
	if (!blocks) {
		/*
		 * data=journal, or no memory to remember them: two
		 * checkpoints (none with data=journal) make them safe at once.
		 */
		if (!now_free && (jnl_checkpoint(fs->j) || jnl_checkpoint(fs->j)))
			return; /* aborted: the blocks stay taken until unmount */
		if (fs->discard)
			fs->dstats.dropped += op->nfreed;
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
