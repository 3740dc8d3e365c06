/*
 * kernel/fs/jnl.c - ordofs redo journal: operations, commit, checkpoint
 * (interface in jnl.h, format in ondisk.h, recovery in jnl_recover.c).
 *
 * What a transaction writes.  Its header area (one block for a small
 * transaction, at most OFS_JHDR_MAX_BLOCKS) lists one entry per change:
 * DELTAs carry the changed bytes of a block inline, IMAGEs name a whole
 * block that follows the header in the log, and in data=ordered mode DATA
 * entries carry the crc32c of a new file block written to its home
 * location by the same commit.  An fsync'ed append of one block is thus
 * two writes, the block and one header, and one FLUSH.
 *
 * The commit protocol.  Each "sync" step is blk_sync_many() on the
 * journal device and, when ordered data went to a separate filesystem
 * device, that one too: wait for every write submitted so far, then FLUSH
 * where the cache is volatile (a FLUSH covers only writes that completed
 * before it was submitted, hence the wait).
 *
 *  Checksummed commit (default):
 *   1. write the ordered data blocks home, the header and every image,
 *      all in flight at once; the header carries hdr_crc (itself) and
 *      data_crc (the images), each DATA entry its block's crc;
 *   2. sync;
 *   3. only now acknowledge: jnl_commit() returns 0.
 *   Recovery accepts the transaction only if both crcs match, and the last
 *   one only if every DATA block at home matches its crc, so a crash that
 *   kept the header but lost or tore anything else is detected.  One FLUSH
 *   per commit with a volatile cache, none without.
 *
 *  Classic commit (mount option):
 *   1. write the ordered data blocks, the header and every image;
 *   2. sync;
 *   3. write the commit record;
 *   4. sync;
 *   5. only now acknowledge.
 *   Here ordering, not the checksums, proves the rest is there: recovery
 *   checks the records' own crcs, sequence and uuid but not data_crc or
 *   the DATA crcs, as in jbd2 without journal checksums.  Two FLUSHes.
 *
 *  Why checking the DATA crcs of the last transaction is enough: commits
 *  are strictly sequential, so a transaction's first write is submitted
 *  only after the previous commit's sync returned; if any transaction after
 *  T verifies, all of T, its data included, was durable before it.
 *
 *  Checkpoint (when the log is half full, on jnl_checkpoint(), on close):
 *   6. write every block changed by a committed DELTA or IMAGE home, its
 *      metadata tail stamped;
 *   7. sync the filesystem device;
 *   8. write the journal superblock with the tail moved past them;
 *   9. sync the journal device: the log space those transactions used
 *      is reused only after the tail that frees it is durable.
 *
 * Sequence numbers are 64 bits and never wrap; every record carries the
 * filesystem's uuid so records left by an earlier format are never replayed.
 *
 * Seeded protocol bugs (jnl_mutant(), jnl_mutant.h: the constant 0 outside
 * the crash engine's mutant builds) show that the crash tests can fail.
 */
#include "kernel/fs/jnl_mutant.h"
#include "kernel/fs/jnl_priv.h"

#include "kernel/fs/ondisk.h"
#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "lib/string.h"

u32 jnl_record_crc(const void *block)
{
	return crc32c_field_zero(block, OFS_BLOCK_SIZE, OFS_BLOCK_SIZE - 4);
}

void jnl_abort(struct jnl *j, const char *what, int err)
{
	if (j->aborted)
		return;
	j->aborted = true;
	kprintf("ordofs: journal aborted: %s failed (%s); the filesystem is now read-only\n", what,
		errno_name(err));
}

u32 jnl_max_op_blocks(const struct jnl *j)
{
	return j->max_txn;
}

bool jnl_aborted(const struct jnl *j)
{
	return j->aborted;
}

const struct jnl_stats *jnl_stats(const struct jnl *j)
{
	return &j->stats;
}

u32 jnl_range_cost(u32 len)
{
	return len > JNL_DELTA_MAX ? JNL_ENT : jnl_delta_bytes(len);
}

/* Header bytes the running transaction may take with `bytes` more. */
static bool jnl_hdr_room(const struct jnl *j, u32 bytes)
{
	return JNL_HDR_FIXED + j->txn_bytes + bytes <= j->hdr_blocks * OFS_BLOCK_SIZE;
}

bool jnl_op_fits(const struct jnl *j, u32 nblocks, u32 bytes)
{
	return j->txn_blocks + nblocks <= j->max_txn && jnl_hdr_room(j, bytes);
}

int jnl_op_begin(struct jnl *j, u32 nblocks, u32 bytes)
{
	BUG_ON(j->in_op);
	if (j->aborted)
		return -EROFS;
	if (nblocks > j->max_txn || JNL_HDR_FIXED + bytes > j->hdr_blocks * OFS_BLOCK_SIZE)
		return -E2BIG;
	BUG_ON(!jnl_op_fits(j, nblocks, bytes));
	j->in_op = true;
	j->op_reserved = nblocks;
	j->op_dirtied = 0;
	j->txn_bytes += bytes;
	return 0;
}

void jnl_op_end(struct jnl *j)
{
	BUG_ON(!j->in_op);
	j->in_op = false;
	j->txn_ops++;
}

/*
 * Add [off, off + len) to the block's ranges, merging any it overlaps or
 * touches.  False if the block should rather be logged whole: too many
 * ranges, or more than JNL_DELTA_MAX bytes.
 */
static bool jnl_range_add(struct jbuf *b, u32 off, u32 len)
{
	u32 end = off + len, total = 0, i = 0, k;
	struct jnl_range *r = b->ranges;

	/* Skip the ranges wholly before, then swallow those that meet it. */
	while (i < b->nranges && (u32)r[i].off + r[i].len < off)
		i++;
	for (k = i; k < b->nranges && r[k].off <= end; k++) {
		off = MIN(off, (u32)r[k].off);
		end = MAX(end, (u32)r[k].off + r[k].len);
	}
	if (k == i) { /* nothing swallowed: insert at i */
		if (b->nranges == JNL_RANGES)
			return false;
		memmove(&r[i + 1], &r[i], (b->nranges - i) * sizeof(*r));
		b->nranges++;
	} else if (k > i + 1) { /* ranges i..k-1 become one */
		memmove(&r[i + 1], &r[k], (b->nranges - k) * sizeof(*r));
		b->nranges -= (u8)(k - i - 1);
	}
	r[i].off = (u16)off;
	r[i].len = (u16)(end - off);
	for (k = 0; k < b->nranges; k++)
		total += r[k].len;
	return total <= JNL_DELTA_MAX;
}

int jnl_dirty(struct jnl *j, struct jbuf *b, u32 off, u32 len, u32 flags)
{
	bool added = !b->in_txn;

	BUG_ON(!j->in_op || b->refs == 0);
	BUG_ON(len == 0 || off + len > OFS_BLOCK_SIZE);
	if (added) {
		if (j->op_dirtied == j->op_reserved)
			return -ENOSPC;
		j->op_dirtied++;
		b->in_txn = true;
		/*
		 * The first time a block is logged after a checkpoint it is
		 * logged whole; later transactions log DELTAs against it.  A
		 * checkpoint's write home may leave garbage in a sector if it
		 * is cut short, and replay must be able to rebuild the whole
		 * block from the log, not only the bytes a DELTA names.
		 */
		b->whole = !b->committed && !jnl_mutant(JNL_MUT_DELTA_FIRST);
		b->new_data = false;
		b->nranges = 0;
		b->txn_next = NULL;
		if (j->txn_last)
			j->txn_last->txn_next = b;
		else
			j->txn_first = b;
		j->txn_last = b;
		j->txn_blocks++;
		/*
		 * Ordered data: a block that enters the transaction as new.
		 * Later operations of the same transaction may change it
		 * again; it stays new (it was free before this transaction).
		 */
		if ((flags & JNL_NEW_DATA) && j->cfg.ordered)
			b->new_data = true;
		else if (jnl_mutant(JNL_MUT_OVERWRITE_IN_PLACE) && j->cfg.ordered &&
			 !(flags & JNL_META))
			b->new_data = true; /* an existing file block rewritten in place */
	}
	b->meta = flags & JNL_META;
	if (b->whole || len == OFS_BLOCK_SIZE || b->new_data || !jnl_range_add(b, off, len))
		b->whole = true;
	return 0;
}

/* Queue a 4096-byte write of `data` at block `blockno` of `dev`. */
static int jnl_submit(struct jnl *j, u32 *slot, struct blk *dev, u64 blockno, void *data)
{
	struct blk_req *r = &j->reqs[(*slot)++];

	BUG_ON(*slot > j->nreqs);
	*r = (struct blk_req){
		.op = BLK_OP_WRITE,
		.sector = blockno * JNL_SECTORS_PER_BLOCK,
		.buf = data,
		.len = OFS_BLOCK_SIZE,
	};
	return blk_submit(dev, r);
}

/* Queue a write of journal block `pos`. */
static int jnl_submit_log(struct jnl *j, u32 *slot, u32 pos, void *data)
{
	j->stats.log_writes++;
	return jnl_submit(j, slot, j->cfg.jdev, j->cfg.jstart + pos, data);
}

/* After a sync: the first error of the requests in reqs[0..n). */
static int jnl_reqs_status(const struct jnl *j, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		if (j->reqs[i].status)
			return j->reqs[i].status;
	}
	return 0;
}

u32 jnl_hdr_crc(const u8 *hdr, u32 bytes)
{
	return crc32c_field_zero(hdr, bytes, offsetof(struct ofs_jhdr, hdr_crc));
}

/* Append one entry (and its payload) at *p. */
static u8 *jnl_put_entry(u8 *p, const struct jbuf *b, u8 kind, u32 off, u32 len, u32 crc)
{
	struct ofs_jent *e = (struct ofs_jent *)p;

	*e = (struct ofs_jent){
		.home = cpu_to_le32((u32)b->blockno),
		.kind = kind,
		.flags = kind == OFS_JENT_DELTA && b->meta ? OFS_JENT_F_META : 0,
		.len = cpu_to_le16((u16)len),
		.off = cpu_to_le16((u16)off),
		.crc = cpu_to_le32(crc),
	};
	p += JNL_ENT;
	if (kind == OFS_JENT_DELTA) {
		u32 padded = (len + 7u) & ~7u;

		memcpy(p, b->data + off, len);
		memset(p + len, 0, padded - len);
		p += padded;
	}
	return p;
}

/*
 * Fill the header area (and the classic commit record) of the running
 * transaction.  Returns the header's length in bytes; *nimages and *ndata
 * count the IMAGE and DATA entries.
 */
static u32 jnl_build_records(struct jnl *j, u64 seq, u32 *nimages, u32 *ndata)
{
	struct ofs_jhdr *h = (struct ofs_jhdr *)j->hdr;
	struct ofs_jcommit *c = j->commit;
	u8 *p = j->hdr + JNL_HDR_FIXED;
	u32 nent = 0, nimg = 0, ndat = 0, dcrc = 0, dcrc_but_last = 0, bytes;

	for (struct jbuf *b = j->txn_first; b; b = b->txn_next) {
		if (b->new_data) {
			u32 crc = crc32c(b->data, OFS_BLOCK_SIZE);

			p = jnl_put_entry(p, b, OFS_JENT_DATA, 0, 0, crc);
			ndat++;
			nent++;
		} else if (b->whole) {
			if (b->meta)
				ofs_tail_restamp(b->data);
			p = jnl_put_entry(p, b, OFS_JENT_IMAGE, 0, 0, 0);
			dcrc_but_last = dcrc;
			dcrc = crc32c_update(dcrc, b->data, OFS_BLOCK_SIZE);
			nimg++;
			nent++;
		} else {
			for (u32 k = 0; k < b->nranges; k++)
				p = jnl_put_entry(p, b, OFS_JENT_DELTA, b->ranges[k].off,
						  b->ranges[k].len, 0);
			nent += b->nranges;
		}
	}
	if (jnl_mutant(JNL_MUT_CSUM_SKIPS_BLOCK))
		dcrc = dcrc_but_last; /* the last image goes unchecked */
	bytes = (u32)(p - j->hdr);
	BUG_ON(bytes > j->hdr_blocks * OFS_BLOCK_SIZE);
	*h = (struct ofs_jhdr){
		.magic = cpu_to_le64(OFS_JHDR_MAGIC),
		.seq = cpu_to_le64(seq),
		.flags = cpu_to_le32(j->cfg.classic ? 0 : OFS_JHDR_F_CSUM),
		.hdr_bytes = cpu_to_le32(bytes),
		.nentries = cpu_to_le32(nent),
		.nimages = cpu_to_le32(nimg),
		.data_crc = cpu_to_le32(dcrc),
	};
	memcpy(h->uuid, j->cfg.uuid, OFS_UUID_BYTES);
	h->hdr_crc = cpu_to_le32(jnl_hdr_crc(j->hdr, bytes));
	if (j->cfg.classic) {
		memset(c, 0, sizeof(*c));
		c->magic = cpu_to_le64(OFS_JCOMMIT_MAGIC);
		c->seq = cpu_to_le64(seq);
		memcpy(c->uuid, j->cfg.uuid, OFS_UUID_BYTES);
		c->count = cpu_to_le32(nimg);
		c->data_crc = cpu_to_le32(dcrc);
		c->crc = cpu_to_le32(jnl_record_crc(c));
	}
	*nimages = nimg;
	*ndata = ndat;
	return bytes;
}

/* The devices a commit writes: the log's, and the fs's for ordered data. */
static u32 jnl_txn_devs(const struct jnl *j, bool data, struct blk *devs[2])
{
	devs[0] = j->cfg.jdev;
	devs[1] = j->cfg.fsdev;
	return data && j->cfg.fsdev != j->cfg.jdev ? 2 : 1;
}

/* Sync them: wait for their writes, FLUSH where the cache is volatile. */
static int jnl_sync_txn(struct jnl *j, bool data)
{
	struct blk *devs[2];

	return blk_sync_many(devs, jnl_txn_devs(j, data, devs));
}

/* Queue the ordered data blocks of the running transaction, home. */
static int jnl_submit_data(struct jnl *j, u32 *slot)
{
	int err = 0;

	for (struct jbuf *b = j->txn_first; b && !err; b = b->txn_next) {
		if (b->new_data)
			err = jnl_submit(j, slot, j->cfg.fsdev, b->blockno, b->data);
	}
	return err;
}

/* Wait for every write of a commit, on the devices jnl_sync_txn() syncs. */
static int jnl_drain_txn(struct jnl *j, bool data)
{
	struct blk *devs[2];
	u32 n = jnl_txn_devs(j, data, devs);
	int err = 0;

	for (u32 i = 0; i < n && !err; i++)
		err = blk_drain(devs[i]);
	return err;
}

/*
 * Steps 1-5 of the protocol but the last FLUSH (jnl_flush_txn()): every
 * write is done when it returns 0.  *end: the log position after the
 * transaction; *nslots: requests used; *data: ordered data was written.
 */
static int jnl_write_txn(struct jnl *j, u64 seq, u32 *end, u32 *nslots, bool *data)
{
	u32 pos = j->head, slot = 0, nimg, ndat, bytes, hblocks;
	bool late_data = jnl_mutant(JNL_MUT_COMMIT_BEFORE_DATA);
	int err = 0;

	bytes = jnl_build_records(j, seq, &nimg, &ndat);
	hblocks = jnl_hdr_blocks(bytes);
	if (ndat && !late_data)
		err = jnl_submit_data(j, &slot);
	for (u32 k = 0; k < hblocks && !err; k++) {
		err = jnl_submit_log(j, &slot, pos, j->hdr + k * OFS_BLOCK_SIZE);
		pos = jnl_next_pos(j, pos);
	}
	for (struct jbuf *b = j->txn_first; b && !err; b = b->txn_next) {
		if (!b->whole || b->new_data)
			continue;
		err = jnl_submit_log(j, &slot, pos, b->data);
		pos = jnl_next_pos(j, pos);
	}
	if (!err && !j->cfg.classic && j->cfg.on_commit_submit)
		j->cfg.on_commit_submit(j->cfg.hook_ctx, seq);
	if (!err && j->cfg.classic && jnl_mutant(JNL_MUT_COMMIT_FIRST)) {
		/* The commit record in flight with the rest, before any sync. */
		err = jnl_submit_log(j, &slot, pos, j->commit);
		if (!err && j->cfg.on_commit_submit)
			j->cfg.on_commit_submit(j->cfg.hook_ctx, seq);
		pos = jnl_next_pos(j, pos);
	} else if (!err && j->cfg.classic) {
		if (!jnl_mutant(JNL_MUT_NO_FLUSH_BEFORE_COMMIT))
			err = jnl_sync_txn(j, ndat);
		if (!err)
			err = jnl_reqs_status(j, slot);
		if (!err)
			err = jnl_submit_log(j, &slot, pos, j->commit);
		if (!err && j->cfg.on_commit_submit)
			j->cfg.on_commit_submit(j->cfg.hook_ctx, seq);
		pos = jnl_next_pos(j, pos);
	}
	/*
	 * Every write done before anything else may run: from here on the
	 * buffers they were made from may change (jnl_commit_group()).
	 */
	if (!err && !jnl_mutant(JNL_MUT_NO_DRAIN))
		err = jnl_drain_txn(j, ndat);
	if (err) { /* never leave our requests in flight */
		blk_drain(j->cfg.jdev);
		blk_drain(j->cfg.fsdev);
	}
	if (!err)
		err = jnl_reqs_status(j, slot);
	j->stats.blocks += nimg;
	j->stats.data_blocks += ndat;
	*end = pos;
	*nslots = slot;
	*data = ndat != 0;
	return err;
}

/*
 * The rest of step 2 (checksummed) or step 4 (classic): the FLUSH that
 * makes the written transaction durable.  `slot`: requests used so far.
 */
static int jnl_flush_txn(struct jnl *j, u32 slot, bool data)
{
	int err;

	if (jnl_mutant(JNL_MUT_NO_FLUSH_AFTER_COMMIT))
		err = blk_drain(j->cfg.jdev);
	else if (jnl_mutant(JNL_MUT_NO_DRAIN))
		err = blk_flush(j->cfg.jdev);
	else
		err = jnl_sync_txn(j, data);
	if (!err && data && jnl_mutant(JNL_MUT_COMMIT_BEFORE_DATA)) {
		/* The data after the commit's FLUSH: only drained. */
		err = jnl_submit_data(j, &slot);
		if (!err)
			err = blk_drain(j->cfg.fsdev);
	}
	if (err) { /* never leave our requests in flight */
		blk_drain(j->cfg.jdev);
		blk_drain(j->cfg.fsdev);
	}
	return err ? err : jnl_reqs_status(j, slot);
}

/* Put a buffer on the checkpoint list. */
void jnl_ckpt_add(struct jnl *j, struct jbuf *b)
{
	if (b->committed)
		return;
	b->committed = true;
	b->ckpt_next = j->ckpt_first;
	j->ckpt_first = b;
	j->ckpt_blocks++;
}

/*
 * The transaction's writes are done: its logged buffers wait for the
 * checkpoint, and the running transaction starts empty.  (Nothing can
 * checkpoint them before the transaction is durable: a checkpoint waits
 * for the commit in flight.)
 */
static void jnl_txn_written(struct jnl *j)
{
	struct jbuf *b = j->txn_first, *next;

	for (; b; b = next) {
		next = b->txn_next;
		b->txn_next = NULL;
		b->in_txn = false;
		if (!b->new_data) {
			j->stats.deltas += b->whole ? 0 : b->nranges;
			jnl_ckpt_add(j, b);
		} else if (b->refs == 0 && !b->committed) {
			jnl_lru_add(j, b); /* home already: clean */
		}
		b->new_data = false;
	}
	j->txn_first = j->txn_last = NULL;
	j->stats.commits++;
	j->stats.ops += j->txn_ops;
	j->txn_blocks = 0;
	j->txn_bytes = 0;
	j->txn_ops = 0;
}

static int jnl_checkpoint_committed(struct jnl *j, bool refresh);

/*
 * Wait until the commit in flight (another thread's) has ended: durable,
 * or the journal aborted.  Only that one: waiting for "no commit in
 * flight" would starve a waiter while others keep committing.  `group`:
 * the caller is between operations and lets go of cfg.lock meanwhile, so
 * other threads' operations go on joining the running transaction.
 */
static void jnl_wait_inflight(struct jnl *j, bool group)
{
	u64 seq = j->committing_seq;

	if (!j->committing)
		return;
	if (group)
		mutex_unlock(j->cfg.lock);
	mutex_lock(&j->wait_lock);
	while (j->durable_seq < seq && !j->aborted)
		cond_wait(&j->commit_done, &j->wait_lock, 0);
	mutex_unlock(&j->wait_lock);
	if (group)
		mutex_lock(j->cfg.lock);
}

/*
 * Commit the running transaction (not empty; nothing in flight).  With
 * `group`, cfg.lock is released for the FLUSH if the log keeps room for
 * the next transaction without a checkpoint (which needs the lock held
 * from the commit through the checkpoint: it writes the cache home).
 */
static int jnl_commit_txn(struct jnl *j, bool group)
{
	u64 seq = j->next_seq;
	u32 end, slots;
	bool data, release = false;
	int err;

	j->committing = true;
	j->committing_seq = seq;
	if (group && j->cfg.lock && jnl_mutant(JNL_MUT_GC_UNLOCK_EARLY)) {
		/* Others may change the buffers the writes are made from. */
		release = true;
		mutex_unlock(j->cfg.lock);
	}
	err = jnl_write_txn(j, seq, &end, &slots, &data);
	if (!err) {
		j->used += end > j->head ? end - j->head : end + j->capacity - j->head;
		j->head = end;
		j->next_seq = seq + 1;
		jnl_txn_written(j);
		if (!release && group && j->cfg.lock && j->used <= j->capacity / 2) {
			release = true;
			mutex_unlock(j->cfg.lock);
		}
		err = jnl_flush_txn(j, slots, data);
	}
	if (err) {
		jnl_abort(j, "commit", err);
	} else {
		if (j->cfg.on_commit_ack)
			j->cfg.on_commit_ack(j->cfg.hook_ctx, seq);
		j->durable_seq = seq;
	}
	j->committing = false;
	cond_broadcast(&j->commit_done);
	if (release)
		mutex_lock(j->cfg.lock);
	return err ? -EIO : 0;
}

/*
 * Until every operation that ended before the call is durable: wait for
 * a commit in flight, commit the running transaction, or both (its
 * operations may have joined while that commit's FLUSH was in flight).
 */
static int jnl_commit_mode(struct jnl *j, bool group)
{
	u64 target;
	int err = 0;

	BUG_ON(j->in_op);
	if (j->aborted)
		return -EROFS;
	if (j->txn_blocks && group && j->committing && jnl_mutant(JNL_MUT_GC_RUNNING_LOST)) {
		target = j->committing_seq; /* its changes are in the running one */
	} else if (j->txn_blocks) {
		target = j->next_seq;
	} else {
		j->txn_ops = 0; /* operations that changed nothing */
		j->txn_bytes = 0;
		if (!j->committing || (group && jnl_mutant(JNL_MUT_GC_EARLY_ACK)))
			return 0;
		target = j->committing_seq;
	}
	while (!err && j->durable_seq < target) {
		if (j->aborted)
			return -EIO;
		if (j->committing)
			jnl_wait_inflight(j, group);
		else
			err = jnl_commit_txn(j, group);
	}
	if (err)
		return err;
	if (j->aborted)
		return -EIO;
	/*
	 * Keep room for the next transaction: see jnl_open()'s sizing.  A
	 * group commit that let go of the lock left room; one that did not
	 * has an empty running transaction and nothing in flight.
	 */
	if (j->used > j->capacity / 2) {
		BUG_ON(j->committing || j->txn_blocks);
		return jnl_checkpoint_committed(j, false);
	}
	return 0;
}

int jnl_commit(struct jnl *j)
{
	return jnl_commit_mode(j, false);
}

int jnl_commit_group(struct jnl *j)
{
	return jnl_commit_mode(j, j->cfg.lock != NULL);
}

static u32 jnl_copy_crc(const struct ofs_jsuper_copy *c)
{
	return crc32c_field_zero(c, sizeof(*c), offsetof(struct ofs_jsuper_copy, crc));
}

bool jnl_copy_valid(const struct ofs_jsuper_copy *c, u32 jblocks)
{
	u32 tail = le32_to_cpu(c->tail);

	return le64_to_cpu(c->magic) == OFS_JSUPER_MAGIC &&
	       le32_to_cpu(c->crc) == jnl_copy_crc(c) && le32_to_cpu(c->version) == OFS_VERSION &&
	       le32_to_cpu(c->nblocks) == jblocks && tail >= 1 && tail < jblocks;
}

void jnl_copy_fill(struct ofs_jsuper_copy *c, u32 jblocks, const u8 *uuid, u64 generation,
		   u64 tail_seq, u32 tail)
{
	memset(c, 0, sizeof(*c));
	c->magic = cpu_to_le64(OFS_JSUPER_MAGIC);
	c->version = cpu_to_le32(OFS_VERSION);
	c->nblocks = cpu_to_le32(jblocks);
	memcpy(c->uuid, uuid, OFS_UUID_BYTES);
	c->generation = cpu_to_le64(generation);
	c->tail_seq = cpu_to_le64(tail_seq);
	c->tail = cpu_to_le32(tail);
	c->crc = cpu_to_le32(jnl_copy_crc(c));
}

/*
 * Steps 6-7: every block on the checkpoint list home, durably, metadata
 * tails stamped first.  The request array is used in rounds (its last
 * slot belongs to the journal superblock).
 */
int jnl_write_home(struct jnl *j)
{
	u32 slot = 0, round = j->nreqs - 1;
	int err = 0;

	for (struct jbuf *b = j->ckpt_first; b && !err; b = b->ckpt_next) {
		if (slot == round) {
			err = blk_drain(j->cfg.fsdev);
			if (!err)
				err = jnl_reqs_status(j, slot);
			slot = 0;
			if (err)
				break;
		}
		if (b->meta)
			ofs_tail_restamp(b->data);
		err = jnl_submit(j, &slot, j->cfg.fsdev, b->blockno, b->data);
	}
	if (!err && !jnl_mutant(JNL_MUT_TAIL_EARLY))
		err = blk_sync(j->cfg.fsdev);
	if (err)
		blk_drain(j->cfg.fsdev);
	return err ? err : jnl_reqs_status(j, slot);
}

void jnl_ckpt_done(struct jnl *j)
{
	struct jbuf *b, *next;

	for (b = j->ckpt_first; b; b = next) {
		next = b->ckpt_next;
		b->ckpt_next = NULL;
		b->committed = false;
		if (b->refs == 0 && !b->in_txn)
			jnl_lru_add(j, b);
	}
	j->ckpt_first = NULL;
	j->ckpt_blocks = 0;
}

/* Steps 8-9, shared with recovery (jnl_priv.h). */
int jnl_move_tail(struct jnl *j, u32 pos, u64 seq)
{
	struct blk_req *r = &j->reqs[j->nreqs - 1];
	unsigned next = 1 - j->jsb_cur;
	u64 gen = le64_to_cpu(j->jsb->copy[j->jsb_cur].generation);
	int err;

	j->tail = pos;
	j->tail_seq = seq;
	/*
	 * Only the older copy changes; the newest stays byte for byte as on
	 * disk, so a torn write of this block still leaves a valid tail.
	 */
	jnl_copy_fill(&j->jsb->copy[next], j->cfg.jblocks, j->cfg.uuid, gen + 1, seq, pos);
	j->jsb_cur = next;
	*r = (struct blk_req){
		.op = BLK_OP_WRITE,
		.sector = jnl_sector(j, 0),
		.buf = j->jsb,
		.len = OFS_BLOCK_SIZE,
	};
	err = blk_submit(j->cfg.jdev, r);
	if (!err)
		err = blk_sync(j->cfg.jdev);
	if (err)
		blk_drain(j->cfg.jdev); /* never leave the request in flight */
	return err ? err : r->status;
}

/* Does the journal superblock's older copy name the current tail too? */
static bool jnl_copies_agree(const struct jnl *j)
{
	const struct ofs_jsuper_copy *c = &j->jsb->copy[1 - j->jsb_cur];

	return le32_to_cpu(c->tail) == j->tail && le64_to_cpu(c->tail_seq) == j->tail_seq;
}

/*
 * Steps 6-9 for everything committed so far (no running transaction).
 * With nothing to write, `refresh` still moves the older copy's tail.
 */
static int jnl_checkpoint_committed(struct jnl *j, bool refresh)
{
	int err;

	if (j->ckpt_blocks == 0 && j->tail == j->head && (!refresh || jnl_copies_agree(j)))
		return 0;
	err = jnl_write_home(j);
	if (!err && jnl_mutant(JNL_MUT_REUSE_EARLY)) {
		/* The space is treated as free without a durable tail. */
		j->tail = j->head;
		j->tail_seq = j->next_seq;
	} else if (!err) {
		err = jnl_move_tail(j, j->head, j->next_seq);
	}
	if (err) {
		jnl_abort(j, "checkpoint", err);
		return -EIO;
	}
	jnl_ckpt_done(j);
	j->used = 0;
	j->stats.checkpoints++;
	return 0;
}

static int jnl_checkpoint_all(struct jnl *j, bool refresh)
{
	int err = jnl_commit(j);

	if (err)
		return err;
	if (j->aborted)
		return -EROFS;
	return jnl_checkpoint_committed(j, refresh);
}

int jnl_checkpoint(struct jnl *j)
{
	return jnl_checkpoint_all(j, true);
}

void jnl_discard(struct jnl *j)
{
	jnl_cache_destroy(j);
	jnl_free(j);
}

int jnl_close(struct jnl *j)
{
	/* A clean unmount writes nothing it does not have to. */
	int err = j->aborted ? -EIO : jnl_checkpoint_all(j, false);

	jnl_cache_destroy(j);
	jnl_free(j);
	return err;
}
