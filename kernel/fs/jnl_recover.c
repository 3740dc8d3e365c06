/*
 * kernel/fs/jnl_recover.c - journal format, open and recovery.
 *
 * Recovery rules (the protocol is at the top of jnl.c):
 *  1. Read the journal superblock; it must verify (magic, version, crc,
 *     length, this filesystem's uuid) or the mount fails.
 *  2. Scan from the tail, expecting sequence tail_seq.  A transaction is
 *     complete if its header verifies (magic, hdr_crc, sequence, uuid,
 *     sizes within limits and the log, every entry well formed with a home
 *     block on the filesystem device outside the log) and then, for a
 *     checksummed commit, data_crc matches its images, or, for a classic
 *     one, its commit record verifies.  Stop at the first that is not
 *     complete: nothing after a gap was ever acknowledged.
 *  3. The last complete transaction is also checked against the disk: each
 *     of its DATA blocks must have its crc at home (checksummed commits).
 *     If one does not, that transaction was never acknowledged (see
 *     jnl.c: commits are sequential) and is dropped; its data blocks are
 *     free in the state before it.
 *  4. Replay complete transactions in order through the block cache: an
 *     IMAGE replaces the block, a DELTA patches the block as it is at home
 *     (then its metadata tail crc is recomputed), a DATA needs nothing.
 *     Write the replayed blocks home and sync the filesystem device.
 *  5. Move the tail past them; sync the journal device.
 * Every step only rewrites what the log already says, and a DELTA sets
 * bytes to values rather than changing them, so a crash anywhere in
 * recovery (or in a checkpoint) leaves a journal the next recovery
 * replays again to the same result: recovery is idempotent.
 */
#include "kernel/fs/jnl_mutant.h"
#include "kernel/fs/jnl_priv.h"

#include "kernel/fs/ondisk.h"
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
		return (found & 0) == (want & 0); /* a counter with no bits left */
	return found == want;
}

/*
 * A home block must lie on the filesystem device and, with an internal
 * journal, outside the log: replaying over the log would destroy it.
 */
bool jnl_home_ok(const struct jnl *j, u64 home)
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

/* A verified transaction: where it is and what it holds. */
struct jnl_txn {
	u32 pos;     /* its first header block */
	u32 hblocks; /* header blocks */
	u32 nimages;
	u32 length; /* log blocks in all, commit record included */
	u8 *hdr;    /* its header area */
};

/* Walk the entries of a header area; false if any is malformed. */
static bool jnl_entries_ok(const struct jnl *j, const u8 *hdr, u32 bytes, u32 nent, u32 nimg)
{
	u32 at = JNL_HDR_FIXED, images = 0;

	for (u32 i = 0; i < nent; i++) {
		const struct ofs_jent *e;
		u32 off, len;

		if (bytes - at < JNL_ENT)
			return false;
		e = (const struct ofs_jent *)(hdr + at);
		off = le16_to_cpu(e->off);
		len = le16_to_cpu(e->len);
		at += JNL_ENT;
		if ((e->flags & ~OFS_JENT_F_KNOWN) || e->reserved.v ||
		    !jnl_home_ok(j, le32_to_cpu(e->home)))
			return false;
		switch (e->kind) {
		case OFS_JENT_IMAGE:
		case OFS_JENT_DATA:
			if (off || len)
				return false;
			images += e->kind == OFS_JENT_IMAGE;
			break;
		case OFS_JENT_DELTA:
			if (len == 0 || off + len > OFS_BLOCK_SIZE ||
			    bytes - at < ((len + 7u) & ~7u))
				return false;
			at += (len + 7u) & ~7u;
			break;
		default: return false;
		}
	}
	return at == bytes && images == nimg;
}

/*
 * Verify the transaction at `pos` with sequence `seq` into *t (its header
 * into t->hdr).  1 if complete, 0 if not, -errno on an I/O error.  `buf`
 * is one block of scratch.
 */
static int jnl_verify_txn(struct jnl *j, u32 pos, u64 seq, u8 *buf, struct jnl_txn *t)
{
	const struct ofs_jhdr *h = (const struct ofs_jhdr *)t->hdr;
	struct ofs_jcommit *c = j->commit;
	u32 bytes, flags, dcrc = 0, dcrc_but_last = 0;
	int err = jnl_read_pos(j, pos, t->hdr);

	if (err)
		return err;
	bytes = le32_to_cpu(h->hdr_bytes);
	flags = le32_to_cpu(h->flags);
	t->pos = pos;
	t->hblocks = jnl_hdr_blocks(bytes);
	t->nimages = le32_to_cpu(h->nimages);
	t->length = t->hblocks + t->nimages + !(flags & OFS_JHDR_F_CSUM);
	if (le64_to_cpu(h->magic) != OFS_JHDR_MAGIC || !jnl_seq_ok(le64_to_cpu(h->seq), seq) ||
	    !jnl_uuid_ok(j, h->uuid) || (flags & ~OFS_JHDR_F_KNOWN) || bytes <= JNL_HDR_FIXED ||
	    t->hblocks > j->hdr_blocks || t->nimages > OFS_JTXN_MAX_IMAGES ||
	    t->length > j->capacity / 2 + 1)
		return 0;
	for (u32 k = 1; k < t->hblocks; k++) {
		pos = jnl_next_pos(j, pos);
		err = jnl_read_pos(j, pos, t->hdr + k * OFS_BLOCK_SIZE);
		if (err)
			return err;
	}
	if (le32_to_cpu(h->hdr_crc) != jnl_hdr_crc(t->hdr, bytes) ||
	    !jnl_entries_ok(j, t->hdr, bytes, le32_to_cpu(h->nentries), t->nimages))
		return 0;
	for (u32 k = 0; k < t->nimages; k++) {
		pos = jnl_next_pos(j, pos);
		err = jnl_read_pos(j, pos, buf);
		if (err)
			return err;
		dcrc_but_last = dcrc;
		dcrc = crc32c_update(dcrc, buf, OFS_BLOCK_SIZE);
	}
	if (jnl_mutant(JNL_MUT_CSUM_SKIPS_BLOCK))
		dcrc = dcrc_but_last;
	if (flags & OFS_JHDR_F_CSUM)
		return le32_to_cpu(h->data_crc) == dcrc || jnl_mutant(JNL_MUT_NO_CSUM_VERIFY);
	err = jnl_read_pos(j, jnl_next_pos(j, pos), c);
	if (err)
		return err;
	return le64_to_cpu(c->magic) == OFS_JCOMMIT_MAGIC &&
	       le32_to_cpu(c->crc) == jnl_record_crc(c) && le64_to_cpu(c->seq) == seq &&
	       jnl_uuid_ok(j, c->uuid) && le32_to_cpu(c->count) == t->nimages;
}

/*
 * Rule 3: are the DATA blocks of checksummed transaction t at home?
 * 1 yes, 0 no, -errno.
 */
static int jnl_data_home(struct jnl *j, const struct jnl_txn *t, u8 *buf)
{
	const struct ofs_jhdr *h = (const struct ofs_jhdr *)t->hdr;
	u32 at = JNL_HDR_FIXED, nent = le32_to_cpu(h->nentries);

	if (!(le32_to_cpu(h->flags) & OFS_JHDR_F_CSUM) || jnl_mutant(JNL_MUT_NO_DATA_CHECK))
		return 1;
	for (u32 i = 0; i < nent; i++) {
		const struct ofs_jent *e = (const struct ofs_jent *)(t->hdr + at);
		int err;

		at += JNL_ENT;
		if (e->kind == OFS_JENT_DELTA)
			at += (le16_to_cpu(e->len) + 7u) & ~7u;
		if (e->kind != OFS_JENT_DATA)
			continue;
		err = blk_read(j->cfg.fsdev, (u64)le32_to_cpu(e->home) * JNL_SECTORS_PER_BLOCK, buf,
			       OFS_BLOCK_SIZE);
		if (err)
			return err;
		if (crc32c(buf, OFS_BLOCK_SIZE) != le32_to_cpu(e->crc))
			return 0;
	}
	return 1;
}

/* Rule 4 for one verified transaction: its changes into the cache. */
static int jnl_replay_txn(struct jnl *j, const struct jnl_txn *t, struct jnl_recovery *rep)
{
	const struct ofs_jhdr *h = (const struct ofs_jhdr *)t->hdr;
	u32 at = JNL_HDR_FIXED, nent = le32_to_cpu(h->nentries), pos = t->pos;
	int err = 0;

	for (u32 k = 0; k < t->hblocks; k++)
		pos = jnl_next_pos(j, pos); /* the first image */
	for (u32 i = 0; i < nent && !err; i++) {
		const struct ofs_jent *e = (const struct ofs_jent *)(t->hdr + at);
		u64 home = le32_to_cpu(e->home);
		u32 off = le16_to_cpu(e->off), len = le16_to_cpu(e->len);
		struct jbuf *b = NULL;

		at += JNL_ENT;
		if (e->kind == OFS_JENT_IMAGE) {
			err = jnl_bget_noread(j, home, &b);
			if (!err)
				err = jnl_read_pos(j, pos, b->data);
			pos = jnl_next_pos(j, pos);
			rep->blocks++;
		} else if (e->kind == OFS_JENT_DELTA) {
			err = jnl_bread(j, home, &b);
			if (!err) {
				memcpy(b->data + off, t->hdr + at, len);
				if ((e->flags & OFS_JENT_F_META) &&
				    !jnl_mutant(JNL_MUT_DELTA_NO_RESTAMP))
					ofs_tail_restamp(b->data);
			}
			at += (len + 7u) & ~7u;
			rep->deltas++;
		}
		if (b) {
			b->meta = false; /* as it must reach home */
			b->verified = false;
			if (!err)
				jnl_ckpt_add(j, b);
			jnl_brelse(j, b);
		}
	}
	return err;
}

/*
 * Rules 2-5.  With `dry_run`, only count what would be replayed: nothing
 * is written (fsck, tools on read-only images).
 */
static int jnl_scan(struct jnl *j, bool dry_run, struct jnl_recovery *rep)
{
	u8 *buf = kmalloc(OFS_BLOCK_SIZE);
	struct jnl_txn cur = { .hdr = j->hdr }, next = { .hdr = j->hdr2 };
	u32 pos = j->tail, scanned = 0;
	u64 seq = j->tail_seq;
	int ok, err = 0;

	if (!buf)
		return -ENOMEM;
	*rep = (struct jnl_recovery){ 0 };
	ok = jnl_verify_txn(j, pos, seq, buf, &cur);
	/* Verify the next one before replaying this: is this the last? */
	while (ok > 0) {
		u32 after = pos;
		bool last;

		for (u32 k = 0; k < cur.length; k++)
			after = jnl_next_pos(j, after);
		last = scanned + cur.length >= j->capacity;
		ok = last ? 0 : jnl_verify_txn(j, after, seq + 1, buf, &next);
		if (ok < 0)
			break;
		if (ok == 0 || jnl_mutant(JNL_MUT_DATA_CHECK_ALL)) {
			int home = jnl_data_home(j, &cur, buf);

			if (home < 0) {
				ok = home;
				break;
			}
			if (home == 0) {
				ok = 0;
				rep->dropped_data = true;
				break;
			}
		}
		if (!dry_run)
			err = jnl_replay_txn(j, &cur, rep);
		else
			rep->blocks += cur.nimages;
		if (err)
			break;
		rep->transactions++;
		scanned += cur.length;
		pos = after;
		seq++;
		if (ok > 0) { /* the next becomes the current */
			u8 *hdr = cur.hdr;

			cur = next;
			next.hdr = hdr;
		}
	}
	if (ok < 0)
		err = ok;
	rep->stopped_on_bad = ok == 0 && (scanned > 0 || rep->dropped_data);
	if (!err && !dry_run && rep->transactions) {
		/* Replayed blocks durable first, then the tail past them. */
		err = jnl_write_home(j);
		if (!err)
			err = jnl_move_tail(j, pos, seq);
	}
	if (!dry_run)
		jnl_ckpt_done(j);
	kfree(buf);
	j->head = j->tail;
	j->next_seq = j->tail_seq;
	j->durable_seq = j->next_seq - 1;
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
	mutex_init(&j->wait_lock);
	cond_init(&j->commit_done);
	/*
	 * Half the log per transaction, so one always fits (jnl_commit): its
	 * header blocks, one block per buffer it changes, a commit record.
	 */
	j->hdr_blocks = MAX(1u, MIN(OFS_JHDR_MAX_BLOCKS, j->capacity / 16));
	j->max_txn = MIN(OFS_JTXN_MAX_IMAGES, j->capacity / 2 - j->hdr_blocks - 1);
	j->cache_limit = cfg->cache_blocks ? cfg->cache_blocks : JNL_DEFAULT_CACHE;
	j->nreqs = j->hdr_blocks + j->max_txn + 2;
	j->hdr = kmalloc((size_t)j->hdr_blocks * OFS_BLOCK_SIZE);
	j->hdr2 = kmalloc((size_t)j->hdr_blocks * OFS_BLOCK_SIZE);
	j->commit = kmalloc(sizeof(*j->commit));
	j->reqs = kmalloc(sizeof(*j->reqs) * j->nreqs);
	j->jsb = kmalloc(sizeof(*j->jsb));
	if (!j->hdr || !j->hdr2 || !j->commit || !j->reqs || !j->jsb) {
		jnl_free(j);
		return -ENOMEM;
	}
	*out = j;
	return 0;
}

void jnl_free(struct jnl *j)
{
	kfree(j->jsb);
	kfree(j->hdr);
	kfree(j->hdr2);
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
		jnl_discard(j); /* with the blocks the replay cached */
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
