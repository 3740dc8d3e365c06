/*
 * kernel/fs/fs_op.c - the operation layer: every change the filesystem
 * makes goes through one operation (fs_priv.h), and fsync/sync make the
 * operations so far durable.
 *
 * fs_op_begin(), then the caller declares each byte range before it
 * changes it in the cache buffer (fs_bmod: the old bytes go into an undo
 * record) or takes a block it allocated whole (fs_bfresh).  Reads see the
 * buffers, so an operation always reads its own changes.  fs_op_commit()
 * opens a journal operation for exactly the declared ranges and dirties
 * them; fs_op_abort() puts the undo records back, newest first, so every
 * byte is as before even where records overlap; fs_op_end() is one or the
 * other.  The in-memory bitmap follows along (fs_alloc.c).
 *
 * Undo records of one block: a range inside an earlier record of the same
 * block needs none (the earlier one holds the older bytes); one that
 * touches or nearly touches that block's newest record extends it, so a
 * run of bitmap bits or block pointers stays one range.  Extending the
 * block's newest record is the same as adding a record right after it:
 * the bytes it adds have not been changed since that record was made, or
 * only under older records, which are put back after it.
 *
 * Invariant: between operations no undo record exists and the cache holds
 * only what the journal was told about; a cache buffer changes only inside
 * an operation whose changes are handed over before anything can commit.
 * The one commit during an operation, for room in the journal, sees the
 * buffers with the operation's changes taken out again (fs_op_swap).
 */
#include "kernel/fs/fs_priv.h"

#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Undo ranges of one block this close together become one range. */
#define FS_UNDO_GAP 16u

int fs_check_writable(struct fs *fs)
{
	if (fs->read_only || jnl_aborted(fs->j))
		return -EROFS;
	return 0;
}

void *fs_grow(void *arr, u32 *cap, u32 need, size_t size)
{
	u32 ncap;
	void *p;

	if (need <= *cap)
		return arr;
	ncap = MAX(MAX(*cap * 2, need), 16u);
	p = kmalloc((size_t)ncap * size);
	if (!p)
		return NULL;
	if (*cap)
		memcpy(p, arr, (size_t)*cap * size);
	kfree(arr);
	*cap = ncap;
	return p;
}

void fs_op_begin(struct fs *fs)
{
	struct fs_op *op = &fs->op;

	BUG_ON(op->active);
	fs_pending_release(fs);
	op->active = true;
	op->n = op->nundo = op->old_len = op->nalloc = op->nfreed = 0;
	op->inodes_delta = 0;
}

static struct fs_obuf *fs_op_find(struct fs *fs, u64 blockno)
{
	for (u32 i = 0; i < fs->op.n; i++) {
		if (fs->op.bufs[i].blockno == blockno)
			return &fs->op.bufs[i];
	}
	return NULL;
}

/* Hold `jb` for the rest of the operation: its new entry, or NULL. */
static struct fs_obuf *fs_op_add(struct fs *fs, struct jbuf *jb, u32 magic, bool fresh)
{
	struct fs_op *op = &fs->op;
	struct fs_obuf *bufs = fs_grow(op->bufs, &op->cap, op->n + 1, sizeof(*bufs));

	if (!bufs)
		return NULL;
	op->bufs = bufs;
	bufs[op->n] = (struct fs_obuf){
		.blockno = jb->blockno, .jb = jb, .magic = magic, .fresh = fresh
	};
	return &bufs[op->n++];
}

/* A block already in the operation must be used as the same kind. */
static int fs_op_same_kind(const struct fs_obuf *ob, u32 magic)
{
	if (ob->magic == magic)
		return 0;
	kprintf("ordofs: block %llu used both as %s and as %s block\n",
		(unsigned long long)ob->blockno, fs_magic_name(ob->magic), fs_magic_name(magic));
	return -EUCLEAN;
}

int fs_bget(struct fs *fs, u64 blockno, u32 magic, struct fs_bref *r)
{
	struct jbuf *jb;
	int err = fs_bread(fs, blockno, magic, &jb);

	r->jb = err ? NULL : jb;
	r->data = err ? NULL : jb->data;
	return err;
}

void fs_bput(struct fs *fs, struct fs_bref *r)
{
	if (r->jb)
		jnl_brelse(fs->j, r->jb);
	r->jb = NULL;
	r->data = NULL;
}

/* Room for `len` more old bytes and, with `record`, one more record. */
static int fs_undo_room(struct fs_op *op, u32 len, bool record)
{
	u8 *old = len ? fs_grow(op->old, &op->old_cap, op->old_len + len, 1) : op->old;
	struct fs_undo *undo;

	if (len && !old)
		return -ENOMEM;
	op->old = old;
	if (!record)
		return 0;
	undo = fs_grow(op->undo, &op->undo_cap, op->nundo + 1, sizeof(*undo));
	if (!undo)
		return -ENOMEM;
	op->undo = undo;
	return 0;
}

/* Grow record `u` (block bi's newest) to [lo, hi), saving the added bytes. */
static int fs_undo_extend(struct fs *fs, u32 bi, struct fs_undo *u, u32 lo, u32 hi)
{
	struct fs_op *op = &fs->op;
	const u8 *cur = op->bufs[bi].jb->data;
	u32 uend = (u32)u->off + u->len, before = u->off - lo, at;
	/* At the end of the byte store it grows in place, else it moves there. */
	bool in_place = u->at + u->len == op->old_len;
	int err = fs_undo_room(op, in_place ? hi - lo - u->len : hi - lo, false);

	if (err)
		return err;
	at = in_place ? u->at : op->old_len;
	memmove(op->old + at + before, op->old + u->at, u->len);
	memcpy(op->old + at, cur + lo, before);
	memcpy(op->old + at + before + u->len, cur + uend, hi - uend);
	u->at = at;
	u->off = (u16)lo;
	u->len = (u16)(hi - lo);
	op->old_len = at + u->len;
	return 0;
}

/* Save bytes [off, off + len) of block bi before the op changes them. */
static int fs_undo_save(struct fs *fs, u32 bi, u32 off, u32 len)
{
	struct fs_op *op = &fs->op;
	struct fs_obuf *ob = &op->bufs[bi];
	u32 end = off + len;
	struct fs_undo *u;
	int err;

	for (u32 r = ob->last_undo; r; r = op->undo[r - 1].prev) {
		u = &op->undo[r - 1];
		if (u->off <= off && end <= (u32)u->off + u->len)
			return 0; /* the older bytes are saved already */
	}
	if (ob->last_undo) {
		u = &op->undo[ob->last_undo - 1];
		if (off <= (u32)u->off + u->len + FS_UNDO_GAP && u->off <= end + FS_UNDO_GAP)
			return fs_undo_extend(fs, bi, u, MIN(off, (u32)u->off),
					      MAX(end, (u32)u->off + u->len));
	}
	err = fs_undo_room(op, len, true);
	if (err)
		return err;
	op->undo[op->nundo] = (struct fs_undo){ .buf = bi,
						.prev = ob->last_undo,
						.off = (u16)off,
						.len = (u16)len,
						.at = op->old_len };
	memcpy(op->old + op->old_len, ob->jb->data + off, len);
	op->old_len += len;
	ob->last_undo = ++op->nundo;
	return 0;
}

int fs_bmod(struct fs *fs, u64 blockno, u32 magic, u32 off, u32 len, u8 **data)
{
	struct fs_obuf *ob = fs_op_find(fs, blockno);
	struct jbuf *jb;
	u32 bi;
	int err;

	BUG_ON(!fs->op.active);
	BUG_ON(len == 0 || off + len > (magic ? OFS_PAYLOAD : OFS_BLOCK_SIZE));
	*data = NULL;
	if (ob) {
		err = fs_op_same_kind(ob, magic);
		if (err)
			return err;
	} else {
		err = fs_bread(fs, blockno, magic, &jb);
		if (err)
			return err;
		ob = fs_op_add(fs, jb, magic, false);
		if (!ob) {
			jnl_brelse(fs->j, jb);
			return -ENOMEM;
		}
	}
	bi = (u32)(ob - fs->op.bufs);
	if (!ob->fresh) {
		err = fs_undo_save(fs, bi, off, len);
		if (err)
			return err;
	}
	*data = fs->op.bufs[bi].jb->data;
	return 0;
}

int fs_bfresh(struct fs *fs, u64 blockno, u32 magic, u8 **data)
{
	struct fs_obuf *ob = fs_op_find(fs, blockno);
	struct jbuf *jb;
	int err;

	BUG_ON(!fs->op.active);
	*data = NULL;
	if (ob) {
		/* Only a bitmap that lies about a block in use gets here. */
		kprintf("ordofs: block %llu allocated while in use (bitmap is wrong)\n",
			(unsigned long long)blockno);
		return -EUCLEAN;
	}
	/*
	 * Zeroing the cached copy now is harmless.  With data=ordered the
	 * block is free in every state a checkpoint could still write (freed
	 * blocks wait for one); with data=journal a transaction not yet
	 * checkpointed may still name it, but only as a block that is free
	 * after it, so what reaches home there is never read (its tail: see
	 * jnl_bnew() stops the journal stamping a metadata tail into it).
	 */
	err = jnl_bnew(fs->j, blockno, &jb);
	if (err)
		return err == -ERANGE ? -EUCLEAN : err;
	ob = fs_op_add(fs, jb, magic, true);
	if (!ob) {
		jnl_bforget(fs->j, jb);
		return -ENOMEM;
	}
	if (magic) {
		struct ofs_tail *t = (struct ofs_tail *)(jb->data + OFS_PAYLOAD);

		t->magic = cpu_to_le32(magic);
		t->blockno = cpu_to_le64(blockno);
	} else {
		/* Read as metadata through a bad pointer, it must fail the crc. */
		jb->verified = false;
	}
	*data = jb->data;
	return 0;
}

/* Release every buffer and forget the records: the operation is over. */
static void fs_op_release(struct fs *fs, bool committed)
{
	struct fs_op *op = &fs->op;

	for (u32 i = 0; i < op->n; i++) {
		struct fs_obuf *ob = &op->bufs[i];

		if (ob->fresh && !committed)
			jnl_bforget(fs->j, ob->jb);
		else
			jnl_brelse(fs->j, ob->jb);
	}
	op->n = op->nundo = op->old_len = op->nalloc = op->nfreed = 0;
	op->active = false;
}

void fs_op_abort(struct fs *fs)
{
	struct fs_op *op = &fs->op;

	BUG_ON(!op->active);
	for (u32 k = op->nundo; k-- > 0;) {
		const struct fs_undo *u = &op->undo[k];

		memcpy(op->bufs[u->buf].jb->data + u->off, op->old + u->at, u->len);
	}
	fs_bitmap_op_abort(fs);
	fs_op_release(fs, false);
}

/*
 * Exchange each record's bytes with the buffer's: newest first takes the
 * operation's changes out of the buffers, oldest first puts them back.
 */
static void fs_op_swap(struct fs *fs, bool out)
{
	struct fs_op *op = &fs->op;

	for (u32 i = 0; i < op->nundo; i++) {
		const struct fs_undo *u = &op->undo[out ? op->nundo - 1 - i : i];
		u8 *a = op->bufs[u->buf].jb->data + u->off, *b = op->old + u->at;

		for (u32 k = 0; k < u->len; k++) {
			u8 t = a[k];

			a[k] = b[k];
			b[k] = t;
		}
	}
}

/* Blocks and log header bytes the operation needs (jnl_op_fits()). */
static u32 fs_op_cost(const struct fs_op *op, u32 *bytes)
{
	u32 n = 0;

	*bytes = 0;
	for (u32 i = 0; i < op->n; i++) {
		if (op->bufs[i].fresh)
			*bytes += jnl_range_cost(OFS_BLOCK_SIZE);
		n += op->bufs[i].fresh || op->bufs[i].last_undo;
	}
	for (u32 k = 0; k < op->nundo; k++)
		*bytes += jnl_range_cost(op->undo[k].len);
	return n;
}

/* Make room in the running transaction: commit it without this op's changes. */
static int fs_op_make_room(struct fs *fs, u32 n, u32 bytes)
{
	int err;

	/*
	 * Blocks the operation allocated have no records: the commit may
	 * log or checkpoint one only as a block free after its transaction
	 * (data=journal reuses a freed block at once), where what it holds
	 * is never read, and jnl_bnew() dropped any tail stamping it had.
	 */
	fs_op_swap(fs, true);
	err = jnl_commit(fs->j);
	fs_op_swap(fs, false);
	if (!err && !jnl_op_fits(fs->j, n, bytes))
		err = -E2BIG; /* not even an empty transaction takes it */
	return err;
}

/* Inside the journal operation: every declared range, every new block. */
static int fs_op_dirty(struct fs *fs)
{
	struct fs_op *op = &fs->op;
	int err = 0;

	for (u32 i = 0; i < op->n; i++) {
		const struct fs_obuf *ob = &op->bufs[i];
		int e;

		if (!ob->fresh)
			continue;
		e = jnl_dirty(fs->j, ob->jb, 0, OFS_BLOCK_SIZE,
			      ob->magic ? JNL_META : JNL_NEW_DATA);
		err = err ? err : e;
	}
	for (u32 k = 0; k < op->nundo; k++) {
		const struct fs_undo *u = &op->undo[k];
		const struct fs_obuf *ob = &op->bufs[u->buf];
		int e = jnl_dirty(fs->j, ob->jb, u->off, u->len, ob->magic ? JNL_META : 0);

		err = err ? err : e;
	}
	return err;
}

int fs_op_commit(struct fs *fs)
{
	struct fs_op *op = &fs->op;
	u32 bytes, n = fs_op_cost(op, &bytes);
	int err = 0;

	if (n == 0)
		goto out_release;
	if (n > jnl_max_op_blocks(fs->j)) {
		err = -E2BIG; /* callers split the work and retry */
		goto out_abort;
	}
	if (!jnl_op_fits(fs->j, n, bytes))
		err = fs_op_make_room(fs, n, bytes);
	if (!err)
		err = jnl_op_begin(fs->j, n, bytes);
	if (err)
		goto out_abort;
	/* From here on nothing can fail but a reservation bug. */
	err = fs_op_dirty(fs);
	jnl_op_end(fs->j);
	if (err)
		kprintf("ordofs: BUG: operation dirtied more than it reserved (%s)\n",
			errno_name(err));
out_release:
	fs_bitmap_op_commit(fs);
	if (fs->free_inodes_known)
		fs->free_inodes += op->inodes_delta;
	fs_op_release(fs, true);
	return err;
out_abort:
	fs_op_abort(fs);
	return err;
}

int fs_op_end(struct fs *fs, int err)
{
	if (err) {
		fs_op_abort(fs);
		return err;
	}
	return fs_op_commit(fs);
}

/*
 * Durability: every operation since the last commit is in the journal's
 * running transaction; committing it makes them all durable at once.
 */
int fs_fsync(struct fs *fs, u32 ino)
{
	struct ofs_inode in;
	int err = fs_iget_user(fs, ino, &in);

	if (err)
		return err;
	/* One running transaction holds every file's changes: commit it. */
	return fs_sync(fs);
}

int fs_sync(struct fs *fs)
{
	int err = fs->read_only ? 0 : jnl_commit_group(fs->j);

	if (!err && !fs->read_only)
		fs_discard_mutant_synced(fs);
	return err;
}

bool fs_journal_aborted(const struct fs *fs)
{
	return jnl_aborted(fs->j);
}

const struct jnl_stats *fs_jnl_stats(const struct fs *fs)
{
	return jnl_stats(fs->j);
}
