/*
 * kernel/fs/jnl_priv.h - state shared by the journal's files: jnl.c
 * (operations, commit, checkpoint), jnl_cache.c (block cache) and
 * jnl_recover.c (format, open, recovery).  Not for other layers.
 */
#ifndef ORDO_FS_JNL_PRIV_H
#define ORDO_FS_JNL_PRIV_H

#include "kernel/fs/jnl.h"
#include "lib/sched.h"

#define JNL_SECTORS_PER_BLOCK (OFS_BLOCK_SIZE / BLK_SECTOR_SIZE)
#define JNL_HASH_BUCKETS 1024u
#define JNL_DEFAULT_CACHE 1024u

struct jnl {
	struct jnl_config cfg;
	bool aborted;

	/* The log: [tail, head) holds committed, not checkpointed records. */
	u32 capacity; /* log blocks: jblocks - 1 */
	u32 tail;     /* durable tail (as in the journal superblock) */
	u64 tail_seq;
	u32 head; /* where the next transaction's header goes */
	u64 next_seq;
	u32 used;	/* log blocks between tail and head */
	u32 max_txn;	/* blocks one transaction may change */
	u32 hdr_blocks; /* header blocks one transaction may use */

	/* The running transaction and the operation in progress. */
	struct jbuf *txn_first, *txn_last;
	u32 txn_blocks; /* buffers in it */
	u32 txn_bytes;	/* header bytes its operations reserved */
	u32 txn_ops;
	bool in_op;
	u32 op_reserved, op_dirtied;

	/* Committed blocks not yet written home. */
	struct jbuf *ckpt_first;
	u32 ckpt_blocks;

	/*
	 * Group commit (jnl.c): transaction committing_seq has its writes
	 * done and its FLUSH in flight; the caller's lock may be released
	 * meanwhile.  Every transaction up to durable_seq is durable.
	 */
	bool committing;
	u64 committing_seq;
	u64 durable_seq;
	struct mutex wait_lock; /* only to wait on commit_done with */
	struct cond commit_done;

	/* Block cache. */
	struct jbuf *hash[JNL_HASH_BUCKETS];
	struct jbuf *lru_first, *lru_last; /* clean, unreferenced */
	u32 lru_count;
	u32 cache_limit;

	/* The journal superblock as on disk, and which copy is newest. */
	struct ofs_jsuper *jsb;
	unsigned jsb_cur;

	/*
	 * Commit scratch: the header area (hdr_blocks blocks), the classic
	 * commit record, one request per block a commit writes.  Recovery
	 * uses hdr and hdr2 for a transaction and the one after it.
	 */
	u8 *hdr, *hdr2;
	struct ofs_jcommit *commit;
	struct blk_req *reqs;
	u32 nreqs;

	struct jnl_stats stats;
};

/* jnl_cache.c */
void jnl_cache_destroy(struct jnl *j);
/* Take a clean buffer out of the LRU (it is referenced again). */
void jnl_lru_remove(struct jnl *j, struct jbuf *b);
/* A buffer became clean and unreferenced: keep it, evicting the oldest. */
void jnl_lru_add(struct jnl *j, struct jbuf *b);

/* jnl.c */
/* Position after `pos` in the circular log (block 0 is the superblock). */
static inline u32 jnl_next_pos(const struct jnl *j, u32 pos)
{
	return pos + 1 >= j->cfg.jblocks ? 1 : pos + 1;
}

/* First 512-byte sector of journal block `pos` on the journal device. */
static inline u64 jnl_sector(const struct jnl *j, u32 pos)
{
	return (j->cfg.jstart + pos) * JNL_SECTORS_PER_BLOCK;
}

/* Header bytes of a transaction: the fixed part plus its entries. */
#define JNL_HDR_FIXED ((u32)sizeof(struct ofs_jhdr))
#define JNL_ENT ((u32)sizeof(struct ofs_jent))

/* Bytes a DELTA of len bytes takes in the header: entry + padded payload. */
static inline u32 jnl_delta_bytes(u32 len)
{
	return JNL_ENT + ((len + 7u) & ~7u);
}

/*
 * Blocks the header area of hdr_bytes bytes takes in the log.  In 64 bits:
 * hdr_bytes comes from the disk, and a value near 4 GiB must not wrap to
 * a few blocks and pass the caller's size check.
 */
static inline u32 jnl_hdr_blocks(u32 hdr_bytes)
{
	return (u32)(((u64)hdr_bytes + OFS_BLOCK_SIZE - 1) / OFS_BLOCK_SIZE);
}

/* crc32c of a header area of `bytes` bytes with its hdr_crc read as zero. */
u32 jnl_hdr_crc(const u8 *hdr, u32 bytes);

/* Write every buffer on the checkpoint list home and sync: 0 or -errno. */
int jnl_write_home(struct jnl *j);
/* Put a buffer on the checkpoint list (it holds newer data than home). */
void jnl_ckpt_add(struct jnl *j, struct jbuf *b);
/* After jnl_write_home(): empty the list, the buffers are clean again. */
void jnl_ckpt_done(struct jnl *j);

/* jnl_cache.c: the buffer of a block without reading it (contents undefined). */
int jnl_bget_noread(struct jnl *j, u64 blockno, struct jbuf **out);

/* Stop all writing: report once and refuse further operations. */
void jnl_abort(struct jnl *j, const char *what, int err);

/*
 * Steps 8-9 of the protocol (and recovery's last): move the tail to `pos`,
 * sequence `seq`, in the journal superblock's older copy (see ofs_jsuper)
 * and sync the journal device.  The log before `pos` may be reused only
 * once this returns 0.  0 or -errno.
 */
int jnl_move_tail(struct jnl *j, u32 pos, u64 seq);

/* One copy of the journal superblock: build it, check it (not the uuid). */
void jnl_copy_fill(struct ofs_jsuper_copy *c, u32 jblocks, const u8 *uuid, u64 generation,
		   u64 tail_seq, u32 tail);
bool jnl_copy_valid(const struct ofs_jsuper_copy *c, u32 jblocks);

/* jnl_recover.c */
int jnl_recover(struct jnl *j, struct jnl_recovery *rep);
/*
 * Read the journal superblock into j->jsb and pick its newest valid copy:
 * 0 and the tail in j->tail/j->tail_seq, or -EINVAL with a message.
 */
int jnl_read_super(struct jnl *j);
void jnl_free(struct jnl *j);
int jnl_alloc(const struct jnl_config *cfg, struct jnl **out);

/*
 * crc32c of a whole 4096-byte record whose last four bytes are its crc
 * field, computed as if that field were zero.
 */
u32 jnl_record_crc(const void *block);

/* Can `home` take a replayed block (on the fs device, not in the log)? */
bool jnl_home_ok(const struct jnl *j, u64 home);

#endif
