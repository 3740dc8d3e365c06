/*
 * kernel/fs/jnl_recover.c - journal format, open and recovery.
 *
 * Recovery rules (the protocol is at the top of jnl.c):
 *  1. Read the journal superblock; it must verify (magic, version, crc,
 *     length, this filesystem's uuid) or the mount fails.
 *  2. Scan from the tail, expecting sequence tail_seq: a transaction is
 *     complete if its descriptor and commit record verify (magic, own crc,
 *     sequence, uuid, count within limits and the log) and, when the
 *     descriptor says the commit was checksummed, data_crc matches the
 *     descriptor and every image.  Stop at the first that is not complete:
 *     nothing after a gap can be trusted, since it was never acknowledged.
 *  3. Replay complete transactions in order, each one drained before the
 *     next so a later image of a block always lands last; sync the
 *     filesystem device.
 *  4. Move the tail past them; sync the journal device.
 * Every step only rewrites what the log already says, so a crash anywhere
 * in recovery leaves a journal the next recovery replays again: recovery
 * is idempotent.
 */
#include "kernel/fs/jnl_mutant.h"
#include "kernel/fs/jnl_priv.h"

#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Smallest journal that holds one useful transaction (see max_txn). */
#define JNL_MIN_BLOCKS 16u

int jnl_format(struct blk *jdev, u64 jstart, u32 jblocks, const u8 uuid[OFS_UUID_BYTES])
{
	struct ofs_jsuper *js;
	int err;

	if (jblocks < JNL_MIN_BLOCKS)
		return -EINVAL;
	js = kmalloc(sizeof(*js));
	if (!js)
		return -ENOMEM;
	/* Both copies valid and empty; the first is the newer. */
	jnl_copy_fill(&js->copy[0], jblocks, uuid, 1, 1, 1);
	jnl_copy_fill(&js->copy[1], jblocks, uuid, 0, 1, 1);
	err = blk_write(jdev, jstart * JNL_SECTORS_PER_BLOCK, js, OFS_BLOCK_SIZE);
	kfree(js);
	return err;
}

static bool jnl_uuid_ok(const struct jnl *j, const u8 *uuid)
{
	return jnl_mutant(JNL_MUT_STALE_UUID) || memcmp(uuid, j->cfg.uuid, OFS_UUID_BYTES) == 0;
}

static bool jnl_seq_ok(u64 found, u64 want)
{
	if (jnl_mutant(JNL_MUT_SEQ_WRAP))
		return (found & 0xff) == (want & 0xff);
	return found == want;
}

/*
 * A home block must lie on the filesystem device and, with an internal
 * journal, outside the log: replaying over the log would destroy it.
 */
static bool jnl_home_ok(const struct jnl *j, u64 home)
{
	u64 nblocks = blk_info(j->cfg.fsdev)->capacity / JNL_SECTORS_PER_BLOCK;

	if (home >= nblocks)
		return false;
	return j->cfg.jdev != j->cfg.fsdev || home < j->cfg.jstart ||
	       home >= j->cfg.jstart + j->cfg.jblocks;
}

/* Read journal block `pos`; a failure is reported with device and block. */
static int jnl_read_pos(struct jnl *j, u32 pos, void *buf)
{
	int err = blk_read(j->cfg.jdev, jnl_sector(j, pos), buf, OFS_BLOCK_SIZE);

	if (err)
		kprintf("ordofs: %s: cannot read the journal %s (block %llu): %s\n",
			blk_info(j->cfg.jdev)->name, pos ? "log" : "superblock",
			(unsigned long long)(j->cfg.jstart + pos), errno_name(err));
	return err;
}

/*
 * Verify the transaction whose descriptor is at `pos` with sequence `seq`.
 * Returns its image count (> 0) if complete, 0 if not, -errno on I/O error.
 * `buf` is one block of scratch; j->desc receives the descriptor.
 */
static int jnl_verify_txn(struct jnl *j, u32 pos, u64 seq, u8 *buf)
{
	struct ofs_jdesc *d = j->desc;
	struct ofs_jcommit *c = j->commit;
	u32 n, dcrc;
	int err = jnl_read_pos(j, pos, d);

	if (err)
		return err;
	n = le32_to_cpu(d->count);
	if (le64_to_cpu(d->magic) != OFS_JDESC_MAGIC || le32_to_cpu(d->crc) != jnl_record_crc(d) ||
	    !jnl_seq_ok(le64_to_cpu(d->seq), seq) || !jnl_uuid_ok(j, d->uuid) || n == 0 ||
	    n > OFS_JDESC_MAX || n + 2 > j->capacity)
		return 0;
	dcrc = crc32c(d, OFS_BLOCK_SIZE);
	for (u32 k = 0; k < n; k++) {
		pos = jnl_next_pos(j, pos);
		if (!jnl_home_ok(j, le64_to_cpu(d->home[k])))
			return 0; /* an image with no place to go */
		err = jnl_read_pos(j, pos, buf);
		if (err)
			return err;
		if (jnl_mutant(JNL_MUT_CSUM_SKIPS_BLOCK) && k + 1 == n)
			break;
		dcrc = crc32c_update(dcrc, buf, OFS_BLOCK_SIZE);
	}
	err = jnl_read_pos(j, jnl_next_pos(j, pos), c);
	if (err)
		return err;
	if (le64_to_cpu(c->magic) != OFS_JCOMMIT_MAGIC ||
	    le32_to_cpu(c->crc) != jnl_record_crc(c) ||
	    le64_to_cpu(c->seq) != le64_to_cpu(d->seq) || !jnl_uuid_ok(j, c->uuid) ||
	    le32_to_cpu(c->count) != n)
		return 0;
	if ((le32_to_cpu(d->flags) & OFS_JDESC_F_CSUM_COMMIT) && le32_to_cpu(c->data_crc) != dcrc &&
	    !jnl_mutant(JNL_MUT_NO_CSUM_VERIFY))
		return 0;
	return (int)n;
}

/* Write the `n` images of the verified transaction at `pos` home. */
static int jnl_replay_txn(struct jnl *j, u32 pos, u32 n, u8 *buf, struct jnl_recovery *rep)
{
	int err = jnl_read_pos(j, pos, j->desc); /* the descriptor again */

	for (u32 k = 0; k < n && !err; k++) {
		pos = jnl_next_pos(j, pos);
		err = jnl_read_pos(j, pos, buf);
		if (!err)
			err = blk_write(j->cfg.fsdev,
					le64_to_cpu(j->desc->home[k]) * JNL_SECTORS_PER_BLOCK, buf,
					OFS_BLOCK_SIZE);
		rep->blocks++;
	}
	return err;
}

/*
 * Rules 2-4 of the header.  With `dry_run`, only count what would be
 * replayed: nothing is written (fsck, tools on read-only images).
 */
static int jnl_scan(struct jnl *j, bool dry_run, struct jnl_recovery *rep)
{
	u8 *buf = kmalloc(OFS_BLOCK_SIZE);
	u32 pos = j->tail, scanned = 0;
	u64 seq = j->tail_seq;
	int n = 0, err = 0;

	if (!buf)
		return -ENOMEM;
	*rep = (struct jnl_recovery){ 0 };
	/* Verify and replay one transaction at a time, in log order. */
	while (scanned < j->capacity) {
		n = jnl_verify_txn(j, pos, seq, buf);
		if (n <= 0)
			break;
		if (!dry_run)
			err = jnl_replay_txn(j, pos, (u32)n, buf, rep);
		else
			rep->blocks += (u32)n;
		if (err)
			break;
		rep->transactions++;
		scanned += (u32)n + 2;
		for (int k = 0; k < n + 2; k++)
			pos = jnl_next_pos(j, pos);
		seq++;
	}
	if (n < 0)
		err = n;
	rep->stopped_on_bad = n == 0 && scanned > 0;
	if (!err && !dry_run && rep->transactions) {
		/* Replayed blocks durable first, then the tail past them. */
		err = blk_sync(j->cfg.fsdev);
		if (!err)
			err = jnl_move_tail(j, pos, seq);
	}
	kfree(buf);
	j->head = j->tail;
	j->next_seq = j->tail_seq;
	rep->next_seq = dry_run ? seq : j->next_seq;
	return err;
}

int jnl_recover(struct jnl *j, struct jnl_recovery *rep)
{
	return jnl_scan(j, false, rep);
}

int jnl_read_super(struct jnl *j)
{
	const struct ofs_jsuper_copy *best = NULL;
	int err = jnl_read_pos(j, 0, j->jsb);

	if (err)
		return err;
	for (unsigned i = 0; i < 2; i++) {
		const struct ofs_jsuper_copy *c = &j->jsb->copy[i];

		if (!jnl_copy_valid(c, j->cfg.jblocks))
			continue;
		if (!best || le64_to_cpu(c->generation) > le64_to_cpu(best->generation)) {
			best = c;
			j->jsb_cur = i;
		}
	}
	if (!best) {
		if (le64_to_cpu(j->jsb->copy[0].magic) != OFS_JSUPER_MAGIC &&
		    le64_to_cpu(j->jsb->copy[1].magic) != OFS_JSUPER_MAGIC)
			kprintf("ordofs: journal superblock: bad magic\n");
		else
			kprintf("ordofs: journal superblock is corrupt (both copies: checksum, "
				"version or geometry)\n");
		return -EINVAL;
	}
	if (memcmp(best->uuid, j->cfg.uuid, OFS_UUID_BYTES) != 0) {
		kprintf("ordofs: the journal belongs to another filesystem (uuid mismatch)\n");
		return -EINVAL;
	}
	j->tail = le32_to_cpu(best->tail);
	j->tail_seq = le64_to_cpu(best->tail_seq);
	return 0;
}

int jnl_alloc(const struct jnl_config *cfg, struct jnl **out)
{
	struct jnl *j = kmalloc(sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->cfg = *cfg;
	j->capacity = cfg->jblocks - 1;
	/* Half the log per transaction, so one always fits (jnl_commit). */
	j->max_txn = MIN(OFS_JDESC_MAX, j->capacity / 2 - 2);
	j->cache_limit = cfg->cache_blocks ? cfg->cache_blocks : JNL_DEFAULT_CACHE;
	j->nreqs = j->max_txn + 3;
	j->desc = kmalloc(sizeof(*j->desc));
	j->commit = kmalloc(sizeof(*j->commit));
	j->reqs = kmalloc(sizeof(*j->reqs) * j->nreqs);
	j->jsb = kmalloc(sizeof(*j->jsb));
	if (!j->desc || !j->commit || !j->reqs || !j->jsb) {
		jnl_free(j);
		return -ENOMEM;
	}
	*out = j;
	return 0;
}

void jnl_free(struct jnl *j)
{
	kfree(j->jsb);
	kfree(j->desc);
	kfree(j->commit);
	kfree(j->reqs);
	kfree(j);
}

/* Common checks of a configuration against its devices. */
static bool jnl_config_ok(const struct jnl_config *cfg)
{
	return cfg->jblocks >= JNL_MIN_BLOCKS &&
	       OFS_BLOCK_SIZE % blk_info(cfg->jdev)->block_size == 0 &&
	       (cfg->jstart + cfg->jblocks) * JNL_SECTORS_PER_BLOCK <=
		       blk_info(cfg->jdev)->capacity;
}

/* Check the configuration, allocate, read the superblock.  0 or -errno. */
static int jnl_load(const struct jnl_config *cfg, struct jnl **out)
{
	int err;

	if (!jnl_config_ok(cfg))
		return -EINVAL;
	err = jnl_alloc(cfg, out);
	if (err)
		return err;
	err = jnl_read_super(*out);
	if (err)
		jnl_free(*out);
	return err;
}

int jnl_open(const struct jnl_config *cfg, struct jnl_recovery *rep, struct jnl **out)
{
	struct jnl_recovery local;
	struct jnl *j;
	int err = jnl_load(cfg, &j);

	if (err)
		return err;
	err = jnl_recover(j, rep ? rep : &local);
	if (err) {
		kprintf("ordofs: journal recovery failed (%s)\n", errno_name(err));
		jnl_free(j);
		return err;
	}
	*out = j;
	return 0;
}

int jnl_probe(const struct jnl_config *cfg, struct jnl_recovery *rep)
{
	struct jnl *j;
	int err = jnl_load(cfg, &j);

	if (err)
		return err;
	err = jnl_scan(j, true, rep);
	jnl_free(j);
	return err;
}
