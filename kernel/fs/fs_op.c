/*
 * kernel/fs/fs_op.c - the operation layer: every change the filesystem
 * makes goes through one operation (fs_priv.h), and fsync/sync make the
 * operations so far durable.
 *
 * fs_op_begin(), then fs_bmod()/fs_bfresh() hand out shadow copies that
 * the caller changes at will; fs_bget() sees those shadows, so an
 * operation always reads its own changes.  fs_op_commit() compares each
 * shadow with its buffer, opens a journal operation for exactly the blocks
 * that changed, copies and dirties them; fs_op_abort() drops everything;
 * fs_op_end() is one or the other.  The in-memory bitmap follows along
 * through fs_bitmap_op_done().
 *
 * Invariant: between operations no shadow exists and the cache holds only
 * what the journal was told about; a cache buffer is written only inside a
 * journal operation, so a checkpoint (which writes buffers home) can never
 * see a change that is not committed.
 */
#include "kernel/fs/fs_priv.h"

#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "lib/string.h"

int fs_check_writable(struct fs *fs)
{
	if (fs->read_only || jnl_aborted(fs->j))
		return -EROFS;
	return 0;
}

void fs_op_begin(struct fs *fs)
{
	BUG_ON(fs->op.active);
	fs->op.active = true;
	fs->op.n = 0;
	fs->op.inodes_delta = 0;
}

static struct fs_obuf *fs_op_find(struct fs *fs, u64 blockno)
{
	for (u32 i = 0; i < fs->op.n; i++) {
		if (fs->op.bufs[i].blockno == blockno)
			return &fs->op.bufs[i];
	}
	return NULL;
}

/* A new slot in the operation's buffer list (zeroed), or NULL. */
static struct fs_obuf *fs_op_slot(struct fs *fs)
{
	struct fs_op *op = &fs->op;

	if (op->n == op->cap) {
		u32 cap = op->cap ? op->cap * 2 : 16;
		struct fs_obuf *nb = kmalloc(sizeof(*nb) * cap);

		if (!nb)
			return NULL;
		if (op->n)
			memcpy(nb, op->bufs, sizeof(*nb) * op->n);
		kfree(op->bufs);
		op->bufs = nb;
		op->cap = cap;
	}
	memset(&op->bufs[op->n], 0, sizeof(op->bufs[0]));
	return &op->bufs[op->n++];
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
	int err;

	r->jb = NULL;
	r->data = NULL;
	if (fs->op.active) {
		struct fs_obuf *ob = fs_op_find(fs, blockno);

		if (ob) {
			err = fs_op_same_kind(ob, magic);
			if (!err)
				r->data = ob->data;
			return err;
		}
	}
	err = fs_bread(fs, blockno, magic, &jb);
	if (err)
		return err;
	r->jb = jb;
	r->data = jb->data;
	return 0;
}

void fs_bput(struct fs *fs, struct fs_bref *r)
{
	if (r->jb)
		jnl_brelse(fs->j, r->jb);
	r->jb = NULL;
	r->data = NULL;
}

int fs_bmod(struct fs *fs, u64 blockno, u32 magic, u8 **data)
{
	struct fs_obuf *ob = fs_op_find(fs, blockno);
	struct fs_bref r;
	u8 *shadow;
	int err;

	BUG_ON(!fs->op.active);
	if (ob) {
		err = fs_op_same_kind(ob, magic);
		*data = err ? NULL : ob->data;
		return err;
	}
	err = fs_bget(fs, blockno, magic, &r);
	if (err)
		return err;
	shadow = kmalloc(OFS_BLOCK_SIZE);
	ob = shadow ? fs_op_slot(fs) : NULL;
	if (!ob) {
		kfree(shadow);
		fs_bput(fs, &r);
		return -ENOMEM;
	}
	memcpy(shadow, r.data, OFS_BLOCK_SIZE);
	*ob = (struct fs_obuf){ .blockno = blockno, .magic = magic, .jb = r.jb, .data = shadow };
	*data = shadow;
	return 0;
}

int fs_bfresh(struct fs *fs, u64 blockno, u32 magic, u8 **data)
{
	struct fs_obuf *ob = fs_op_find(fs, blockno);
	u8 *shadow;

	BUG_ON(!fs->op.active);
	if (ob) {
		/* Only a bitmap that lies about a block in use gets here. */
		kprintf("ordofs: block %llu allocated while in use (bitmap is wrong)\n",
			(unsigned long long)blockno);
		return -EUCLEAN;
	}
	shadow = kmalloc(OFS_BLOCK_SIZE); /* zeroed */
	ob = shadow ? fs_op_slot(fs) : NULL;
	if (!ob) {
		kfree(shadow);
		return -ENOMEM;
	}
	*ob = (struct fs_obuf){ .blockno = blockno, .magic = magic, .fresh = true, .data = shadow };
	*data = shadow;
	return 0;
}

/* Drop every shadow and reference; `committed` says how the bitmap ends. */
static void fs_op_release(struct fs *fs, bool committed)
{
	struct fs_op *op = &fs->op;

	for (u32 i = 0; i < op->n; i++) {
		struct fs_obuf *ob = &op->bufs[i];

		if (!committed)
			fs_bitmap_op_done(fs, ob, false);
		if (ob->jb)
			jnl_brelse(fs->j, ob->jb);
		kfree(ob->data);
	}
	op->n = 0;
	op->active = false;
}

void fs_op_abort(struct fs *fs)
{
	fs_op_release(fs, false);
}

/* Which shadows differ from their buffers: the blocks to journal. */
static u32 fs_op_count_changed(struct fs *fs, bool *changed)
{
	u32 n = 0;

	for (u32 i = 0; i < fs->op.n; i++) {
		struct fs_obuf *ob = &fs->op.bufs[i];

		changed[i] = ob->fresh || memcmp(ob->data, ob->jb->data, OFS_BLOCK_SIZE) != 0;
		n += changed[i];
	}
	return n;
}

/* Inside the journal operation: buffers for the blocks this op allocated. */
static int fs_op_get_fresh(struct fs *fs)
{
	for (u32 i = 0; i < fs->op.n; i++) {
		struct fs_obuf *ob = &fs->op.bufs[i];
		int err;

		if (!ob->fresh)
			continue;
		/*
		 * Called only now: zeroing the cached copy of a block is
		 * harmless for a block free in every state the journal can
		 * still checkpoint, which is what the bitmap promises.
		 */
		err = jnl_bnew(fs->j, ob->blockno, &ob->jb);
		if (err)
			return err;
	}
	return 0;
}

int fs_op_commit(struct fs *fs)
{
	struct fs_op *op = &fs->op;
	bool *changed = kmalloc(op->n ? op->n : 1);
	u32 n;
	int err = 0;

	if (!changed) {
		fs_op_abort(fs);
		return -ENOMEM;
	}
	n = fs_op_count_changed(fs, changed);
	if (n == 0)
		goto out_release;
	if (n > jnl_max_op_blocks(fs->j)) {
		err = -E2BIG; /* callers split the work and retry */
		goto out_abort;
	}
	err = jnl_op_begin(fs->j, n);
	if (err)
		goto out_abort;
	err = fs_op_get_fresh(fs);
	if (err) {
		jnl_op_end(fs->j); /* nothing dirtied: an empty operation */
		goto out_abort;
	}
	/* From here on nothing can fail but a reservation bug. */
	for (u32 i = 0; i < op->n; i++) {
		struct fs_obuf *ob = &op->bufs[i];
		int e;

		if (!changed[i])
			continue;
		fs_bitmap_op_done(fs, ob, true);
		if (ob->magic)
			fs_meta_stamp(ob->data, ob->magic, ob->blockno);
		memcpy(ob->jb->data, ob->data, OFS_BLOCK_SIZE);
		e = jnl_dirty(fs->j, ob->jb);
		if (e && !err)
			err = e;
	}
	jnl_op_end(fs->j);
	if (err)
		kprintf("ordofs: BUG: operation dirtied more than it reserved (%s)\n",
			errno_name(err));
out_release:
	if (fs->free_inodes_known)
		fs->free_inodes += op->inodes_delta;
	fs_op_release(fs, true);
	kfree(changed);
	return err;
out_abort:
	fs_op_abort(fs);
	kfree(changed);
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
	return fs->read_only ? 0 : jnl_commit(fs->j);
}

int fs_sync(struct fs *fs)
{
	return fs->read_only ? 0 : jnl_commit(fs->j);
}

const struct jnl_stats *fs_jnl_stats(const struct fs *fs)
{
	return jnl_stats(fs->j);
}
