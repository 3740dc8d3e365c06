/*
 * kernel/fs/jnl.c - ordofs physical redo journal: operations, commit,
 * checkpoint (interface in jnl.h, format in ondisk.h, recovery in
 * jnl_recover.c).
 *
 * The commit protocol.  Each "sync" step is blk_sync() (kernel/block/blk.h):
 * wait for every write submitted so far, then FLUSH if the cache is
 * volatile; a FLUSH covers only writes that completed before it was
 * submitted, hence the wait.
 *
 *  Checksummed commit (default):
 *   1. write the descriptor, every block image and the commit record, all in
 *      flight at once; the commit record carries data_crc, the crc32c of the
 *      descriptor and every image;
 *   2. sync the journal device;
 *   3. only now acknowledge: jnl_commit() returns 0.
 *   Recovery accepts the transaction only if data_crc matches, so a crash
 *   that kept the commit record but lost or tore an image is detected.
 *   One FLUSH per commit with a volatile cache, none without.
 *
 *  Classic commit (mount option):
 *   1. write the descriptor and every block image;
 *   2. sync the journal device;
 *   3. write the commit record;
 *   4. sync the journal device;
 *   5. only now acknowledge.
 *   Here ordering, not the checksum, proves the images are there: recovery
 *   checks the records' own crcs, sequence and uuid but not data_crc, as in
 *   jbd2 without journal checksums.  Two FLUSHes per commit.
 *
 *  Checkpoint (when the log is half full, on jnl_checkpoint(), on close):
 *   6. write every committed block to its home location;
 *   7. sync the filesystem device;
 *   8. write the journal superblock with the tail moved past them;
 *   9. sync the journal device: the log space those transactions used
 *      is reused only after the tail that frees it is durable.
 *
 * Sequence numbers are 64 bits and never wrap; every record carries the
 * filesystem's uuid so records left by an earlier format are never replayed.
 *
 * With an external journal the log and the home blocks are on two devices;
 * each sync names its device, and the block layer skips a FLUSH on a
 * device with no write completed since its last one.
 *
 * Seeded protocol bugs (jnl_mutant(), jnl_mutant.h: the constant 0 outside
 * the crash engine's mutant builds) show that the crash tests can fail.
 */
#include "kernel/fs/jnl_mutant.h"
#include "kernel/fs/jnl_priv.h"

#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "lib/string.h"

u32 jnl_record_crc(const void *block)
{
	static const u8 zero[4];

	return crc32c_update(crc32c(block, OFS_BLOCK_SIZE - 4), zero, 4);
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

int jnl_op_begin(struct jnl *j, u32 nblocks)
{
	int err;

	BUG_ON(j->in_op);
	if (j->aborted)
		return -EROFS;
	if (nblocks > j->max_txn)
		return -E2BIG;
	if (j->txn_blocks + nblocks > j->max_txn) {
		err = jnl_commit(j);
		if (err)
			return err;
	}
	j->in_op = true;
	j->op_reserved = nblocks;
	j->op_dirtied = 0;
	return 0;
}

void jnl_op_end(struct jnl *j)
{
	BUG_ON(!j->in_op);
	j->in_op = false;
	j->txn_ops++;
}

int jnl_dirty(struct jnl *j, struct jbuf *b)
{
	BUG_ON(!j->in_op || b->refs == 0);
	if (b->in_txn)
		return 0;
	if (j->op_dirtied == j->op_reserved)
		return -ENOSPC;
	j->op_dirtied++;
	b->in_txn = true;
	b->txn_next = NULL;
	if (j->txn_last)
		j->txn_last->txn_next = b;
	else
		j->txn_first = b;
	j->txn_last = b;
	j->txn_blocks++;
	return 0;
}

/* Queue a 4096-byte write of `data` at journal position `pos`. */
static int jnl_submit_log(struct jnl *j, u32 *slot, u32 pos, void *data)
{
	struct blk_req *r = &j->reqs[(*slot)++];

	*r = (struct blk_req){
		.op = BLK_OP_WRITE,
		.sector = jnl_sector(j, pos),
		.buf = data,
		.len = OFS_BLOCK_SIZE,
	};
	return blk_submit(j->cfg.jdev, r);
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

/* Fill the descriptor and commit record of the running transaction. */
static void jnl_build_records(struct jnl *j, u64 seq)
{
	struct ofs_jdesc *d = j->desc;
	struct ofs_jcommit *c = j->commit;
	u32 n = 0, dcrc;

	memset(d, 0, sizeof(*d));
	d->magic = cpu_to_le64(OFS_JDESC_MAGIC);
	d->seq = cpu_to_le64(seq);
	memcpy(d->uuid, j->cfg.uuid, OFS_UUID_BYTES);
	d->count = cpu_to_le32(j->txn_blocks);
	d->flags = cpu_to_le32(j->cfg.classic ? 0 : OFS_JDESC_F_CSUM_COMMIT);
	for (struct jbuf *b = j->txn_first; b; b = b->txn_next)
		d->home[n++] = cpu_to_le64(b->blockno);
	d->crc = cpu_to_le32(jnl_record_crc(d));

	dcrc = crc32c(d, OFS_BLOCK_SIZE);
	for (struct jbuf *b = j->txn_first; b; b = b->txn_next) {
		if (jnl_mutant(JNL_MUT_CSUM_SKIPS_BLOCK) && !b->txn_next)
			break;
		dcrc = crc32c_update(dcrc, b->data, OFS_BLOCK_SIZE);
	}
	memset(c, 0, sizeof(*c));
	c->magic = cpu_to_le64(OFS_JCOMMIT_MAGIC);
	c->seq = cpu_to_le64(seq);
	memcpy(c->uuid, j->cfg.uuid, OFS_UUID_BYTES);
	c->count = cpu_to_le32(j->txn_blocks);
	c->data_crc = cpu_to_le32(dcrc);
	c->crc = cpu_to_le32(jnl_record_crc(c));
}

/* Queue the commit record at `pos` and tell the hook it is on its way. */
static int jnl_submit_commit(struct jnl *j, u32 *slot, u32 pos, u64 seq)
{
	int err = jnl_submit_log(j, slot, pos, j->commit);

	if (!err && j->cfg.on_commit_submit)
		j->cfg.on_commit_submit(j->cfg.hook_ctx, seq);
	return err;
}

/* Steps 1-5 of the protocol.  Returns 0 once durable, or -errno. */
static int jnl_write_txn(struct jnl *j, u64 seq, u32 *end)
{
	u32 pos = j->head, slot = 0, commit_pos;
	int err = 0;

	jnl_build_records(j, seq);
	commit_pos = pos;
	for (u32 k = 0; k < j->txn_blocks + 1; k++)
		commit_pos = jnl_next_pos(j, commit_pos);
	if (jnl_mutant(JNL_MUT_COMMIT_FIRST))
		err = jnl_submit_commit(j, &slot, commit_pos, seq);
	if (!err)
		err = jnl_submit_log(j, &slot, pos, j->desc);
	for (struct jbuf *b = j->txn_first; b && !err; b = b->txn_next) {
		pos = jnl_next_pos(j, pos);
		err = jnl_submit_log(j, &slot, pos, b->data);
	}
	if (!err && j->cfg.classic && !jnl_mutant(JNL_MUT_NO_FLUSH_BEFORE_COMMIT))
		err = blk_sync(j->cfg.jdev);
	if (!err)
		err = jnl_reqs_status(j, slot);
	if (!err && !jnl_mutant(JNL_MUT_COMMIT_FIRST))
		err = jnl_submit_commit(j, &slot, commit_pos, seq);
	if (!err && jnl_mutant(JNL_MUT_NO_FLUSH_AFTER_COMMIT))
		err = blk_drain(j->cfg.jdev);
	else if (!err)
		err = jnl_mutant(JNL_MUT_NO_DRAIN) ? blk_flush(j->cfg.jdev) : blk_sync(j->cfg.jdev);
	if (err)
		blk_drain(j->cfg.jdev); /* never leave our requests in flight */
	if (!err)
		err = jnl_reqs_status(j, slot);
	*end = jnl_next_pos(j, commit_pos);
	return err;
}

/* The transaction is durable: its buffers now wait for the checkpoint. */
static void jnl_txn_committed(struct jnl *j)
{
	struct jbuf *b = j->txn_first, *next;

	for (; b; b = next) {
		next = b->txn_next;
		b->txn_next = NULL;
		b->in_txn = false;
		if (!b->committed) {
			b->committed = true;
			b->ckpt_next = j->ckpt_first;
			j->ckpt_first = b;
			j->ckpt_blocks++;
		}
	}
	j->txn_first = j->txn_last = NULL;
	j->stats.commits++;
	j->stats.ops += j->txn_ops;
	j->stats.blocks += j->txn_blocks;
	j->txn_blocks = 0;
	j->txn_ops = 0;
}

static int jnl_checkpoint_committed(struct jnl *j);

int jnl_commit(struct jnl *j)
{
	u64 seq = j->next_seq;
	u32 end;
	int err;

	BUG_ON(j->in_op);
	if (j->aborted)
		return -EROFS;
	if (j->txn_blocks == 0) {
		j->txn_ops = 0; /* operations that changed nothing */
		return 0;
	}
	err = jnl_write_txn(j, seq, &end);
	if (err) {
		jnl_abort(j, "commit", err);
		return -EIO;
	}
	if (j->cfg.on_commit_ack)
		j->cfg.on_commit_ack(j->cfg.hook_ctx, seq);
	j->used += j->txn_blocks + 2;
	j->head = end;
	j->next_seq = seq + 1;
	jnl_txn_committed(j);
	/* Keep room for the next transaction: see jnl_open()'s sizing. */
	if (j->used > j->capacity / 2)
		return jnl_checkpoint_committed(j);
	return 0;
}

static u32 jnl_copy_crc(const struct ofs_jsuper_copy *c)
{
	static const u8 zero[4];

	return crc32c_update(crc32c(c, sizeof(*c) - 4), zero, sizeof(zero));
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
 * Steps 6-7: every committed block home, durably.  The request array is
 * used in rounds (its last slot belongs to the journal superblock).
 */
static int jnl_write_home(struct jnl *j)
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
		j->reqs[slot] = (struct blk_req){
			.op = BLK_OP_WRITE,
			.sector = b->blockno * JNL_SECTORS_PER_BLOCK,
			.buf = b->data,
			.len = OFS_BLOCK_SIZE,
		};
		err = blk_submit(j->cfg.fsdev, &j->reqs[slot++]);
	}
	if (!err && !jnl_mutant(JNL_MUT_TAIL_EARLY))
		err = blk_sync(j->cfg.fsdev);
	if (err)
		blk_drain(j->cfg.fsdev);
	return err ? err : jnl_reqs_status(j, slot);
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

/* Steps 6-9 for everything committed so far (no running transaction). */
static int jnl_checkpoint_committed(struct jnl *j)
{
	struct jbuf *b, *next;
	int err;

	if (j->ckpt_blocks == 0 && j->tail == j->head)
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
	for (b = j->ckpt_first; b; b = next) {
		next = b->ckpt_next;
		b->ckpt_next = NULL;
		b->committed = false;
		if (b->refs == 0 && !b->in_txn)
			jnl_lru_add(j, b);
	}
	j->ckpt_first = NULL;
	j->ckpt_blocks = 0;
	j->used = 0;
	j->stats.checkpoints++;
	return 0;
}

int jnl_checkpoint(struct jnl *j)
{
	int err = jnl_commit(j);

	if (err)
		return err;
	if (j->aborted)
		return -EROFS;
	return jnl_checkpoint_committed(j);
}

void jnl_discard(struct jnl *j)
{
	jnl_cache_destroy(j);
	jnl_free(j);
}

int jnl_close(struct jnl *j)
{
	int err = j->aborted ? -EIO : jnl_checkpoint(j);

	jnl_cache_destroy(j);
	jnl_free(j);
	return err;
}
