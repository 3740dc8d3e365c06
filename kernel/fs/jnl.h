/*
 * kernel/fs/jnl.h - block cache and redo journal (ordofs).
 *
 * Interface: the filesystem reads and changes its blocks only through this
 * layer.  It gets blocks with jnl_bread()/jnl_bnew() and changes
 * b->data *in place*; an *operation* (jnl_op_begin() .. jnl_op_end())
 * then tells the journal which bytes of which blocks it changed, with
 * jnl_dirty().  Operations join the *running transaction*; nothing reaches
 * the disk until jnl_commit() (fsync, sync, or a full transaction), which
 * writes the transaction and returns once it is durable.  Every operation
 * that ended before a commit is in that commit (group commit): an
 * operation is never split across transactions.
 *
 * What a transaction logs for each block it changed:
 *  - a DELTA, the changed byte ranges (a few, small: an inode, a bitmap
 *    byte, a directory entry, a block pointer, the end of a file);
 *  - an IMAGE, the whole block (a new block, or more than
 *    JNL_DELTA_MAX bytes changed);
 *  - in data=ordered mode (cfg.ordered), for file data in a block the
 *    operation allocated (JNL_NEW_DATA): nothing in the log but its crc;
 *    the block itself goes to its home location in the same commit, and
 *    recovery checks that crc before it accepts the transaction, so a
 *    crash can never expose a block that was allocated but not written.
 * Committed DELTAs and IMAGEs reach their home locations later, by a
 * checkpoint (when the log is half full, on jnl_checkpoint() and on close),
 * and only once that is durable does the log tail move past them.
 *
 * The caller's duties, because changes are made in place:
 *  - no jnl_commit()/jnl_checkpoint() while an operation's changes are in
 *    the buffers but not yet handed over with jnl_dirty(): a commit would
 *    write them.  Before jnl_op_begin(), jnl_op_fits() says whether the
 *    running transaction has room; if not, the caller puts the old bytes
 *    back, calls jnl_commit(), and redoes its changes;
 *  - a block written with JNL_NEW_DATA must be free in the committed state
 *    and not named by any transaction recovery could replay: in
 *    data=ordered mode a block freed by a transaction is not allocated
 *    again before two more checkpoints (jnl_stats()->checkpoints moves on
 *    by 2; jnl_checkpoint() called twice forces them).  One is not enough:
 *    the journal superblock holds the tail twice and rewrites the older
 *    copy at each checkpoint, and a crash that garbles the newer copy's
 *    sector during that write leaves recovery the older tail.  A new
 *    block is always dirtied whole.
 *
 * The commit protocol and the recovery rules are written out at the top of
 * jnl.c and jnl_recover.c; the format is in ondisk.h and
 * docs/ondisk-format.md.
 *
 * Errors: an I/O error while committing or checkpointing *aborts* the
 * journal: the failing call returns -EIO, a console message says the
 * filesystem is now read-only, and every later jnl_op_begin() returns
 * -EROFS.  A commit that failed is never reported as done.
 *
 * Threads: the caller serialises all calls with one lock (cfg.lock).
 * Only jnl_commit_group() ever lets go of it, and only between the
 * commit's writes and its acknowledgement, so the rules above hold for
 * every thread: a buffer never changes while the device may read it.
 */
#ifndef ORDO_FS_JNL_H
#define ORDO_FS_JNL_H

#include "kernel/block/blk.h"
#include "kernel/fs/ondisk.h"

struct mutex;

/* Byte ranges of one block a transaction logs before it logs the block whole. */
#define JNL_RANGES 4
/* A DELTA larger than this (all ranges of a block together) becomes an IMAGE. */
#define JNL_DELTA_MAX 1024u

struct jnl_range {
	u16 off, len;
};

/* A cached filesystem block. */
struct jbuf {
	u64 blockno; /* home block number */
	u8 *data;    /* OFS_BLOCK_SIZE bytes */
	/*
	 * For the caller: false whenever the journal has (re)read the block
	 * from the disk; the filesystem sets it once it has checked the
	 * contents (a metadata tail), so a block is checked once per read.
	 */
	bool verified;
	/* Private to the journal. */
	struct jbuf *hash_next;
	struct jbuf *lru_prev, *lru_next;
	struct jbuf *txn_next;	/* running transaction, in jnl_dirty() order */
	struct jbuf *ckpt_next; /* committed, waiting for the checkpoint */
	u32 refs;
	bool in_txn;	/* changed by the running transaction */
	bool committed; /* in a committed transaction, not yet home */
	bool meta;	/* ends in an ofs_tail (last jnl_dirty() said so) */
	/* What the running transaction logs for it (valid while in_txn). */
	bool new_data; /* data=ordered: goes home at commit, crc in the log */
	bool whole;    /* an IMAGE, not ranges */
	u8 nranges;
	struct jnl_range ranges[JNL_RANGES]; /* sorted, disjoint */
};

/* jnl_dirty() flags. */
#define JNL_META 0x1u	  /* the block ends in an ofs_tail: the journal stamps its crc */
#define JNL_NEW_DATA 0x2u /* file data in a block this operation allocated */

struct jnl_config {
	struct blk *fsdev;	 /* home of every filesystem block */
	struct blk *jdev;	 /* the log: fsdev itself, or an external device */
	u64 jstart;		 /* first journal block on jdev (4096-byte units) */
	u32 jblocks;		 /* journal length, its superblock included */
	u8 uuid[OFS_UUID_BYTES]; /* the filesystem's: records must match */
	bool classic;		 /* two FLUSHes per commit, not one */
	bool ordered;		 /* data=ordered: JNL_NEW_DATA goes home, not to the log */
	u32 cache_blocks;	 /* clean blocks kept in memory; 0 = default */
	/*
	 * The lock the caller holds around every call when several threads
	 * use the filesystem, or NULL.  jnl_commit_group() releases it while
	 * its commit's FLUSH is in flight (see there).
	 */
	struct mutex *lock;
	/*
	 * Hooks for the crash-state engine, may be NULL: the commit record of
	 * transaction `seq` has just been submitted / the transaction is
	 * durable and about to be acknowledged.
	 */
	void (*on_commit_submit)(void *ctx, u64 seq);
	void (*on_commit_ack)(void *ctx, u64 seq);
	void *hook_ctx;
};

/* What recovery found at jnl_open(), for the mount message. */
struct jnl_recovery {
	u64 transactions;    /* complete transactions replayed */
	u64 blocks;	     /* block images written home */
	u64 deltas;	     /* DELTA entries applied */
	u64 next_seq;	     /* sequence of the next transaction */
	bool stopped_on_bad; /* the scan ended on a record that did not verify */
	bool dropped_data;   /* ... on a last transaction whose data never landed */
};

struct jnl_stats {
	u64 commits;	 /* transactions made durable */
	u64 ops;	 /* operations they carried */
	u64 blocks;	 /* block images written to the log */
	u64 deltas;	 /* DELTA entries written to the log */
	u64 data_blocks; /* data=ordered blocks written home by commits */
	u64 log_writes;	 /* log blocks written by commits (headers, images, records) */
	u64 checkpoints;
};

struct jnl;

/*
 * Write an empty journal: a superblock at `jstart` on `jdev` whose tail is
 * block 1 with sequence 1.  0 or -errno.
 */
int jnl_format(struct blk *jdev, u64 jstart, u32 jblocks, const u8 uuid[OFS_UUID_BYTES]);

/*
 * Open the journal and run recovery: replay every complete transaction
 * from the tail, stop at the first that does not verify, write the replayed
 * blocks home, make them durable, then move the tail past them.  Idempotent:
 * a crash during recovery leaves a journal the next open replays again.
 * Returns 0 and the journal in *out (report in *rep, may be NULL), or
 * -EINVAL (bad journal superblock or a uuid that is not this filesystem's),
 * -ENOMEM, -EIO.
 */
int jnl_open(const struct jnl_config *cfg, struct jnl_recovery *rep, struct jnl **out);

/*
 * What jnl_open() would replay, without writing anything: 0 and the count
 * in rep->transactions / rep->blocks, or jnl_open()'s errors.  The same
 * code as recovery decides, so the two always agree.
 */
int jnl_probe(const struct jnl_config *cfg, struct jnl_recovery *rep);

/*
 * Commit what is pending, checkpoint everything, free the journal.
 * Returns 0 or the error of that final commit/checkpoint (freed anyway).
 */
int jnl_close(struct jnl *j);

/*
 * Free the journal without writing anything, as if power had been cut:
 * for tests and the crash-state engine.  Outstanding requests must have
 * completed (blk_drain) or been dropped by the device first.
 */
void jnl_discard(struct jnl *j);

/* The largest number of blocks one operation may dirty. */
u32 jnl_max_op_blocks(const struct jnl *j);

/* Log header bytes one jnl_dirty() of `len` bytes may need. */
u32 jnl_range_cost(u32 len);

/*
 * Can the running transaction take an operation that dirties at most
 * `nblocks` blocks in ranges whose jnl_range_cost() add up to `bytes`?
 * If not, the caller must commit first (see the caller's duties above).
 */
bool jnl_op_fits(const struct jnl *j, u32 nblocks, u32 bytes);

/*
 * Start the operation that hands over those changes.  Never commits:
 * BUG if !jnl_op_fits().  0, -E2BIG (larger than any transaction can
 * hold: split it), -EROFS (journal aborted).
 */
int jnl_op_begin(struct jnl *j, u32 nblocks, u32 bytes);
void jnl_op_end(struct jnl *j);

/*
 * Get block `blockno` (read from the fs device unless cached): 0 and a
 * referenced buffer in *out, or -EIO / -ENOMEM / -ERANGE (beyond the device).
 * jnl_bnew() skips the read and returns the block zeroed, for a block the
 * caller will overwrite completely.  It zeroes the cached copy in place,
 * so it is only for blocks that are free in every state a pending
 * checkpoint could still write (e.g. just allocated, not freed in the
 * running or a committed transaction).
 */
int jnl_bread(struct jnl *j, u64 blockno, struct jbuf **out);
int jnl_bnew(struct jnl *j, u64 blockno, struct jbuf **out);
void jnl_brelse(struct jnl *j, struct jbuf *b);

/*
 * Inside an operation: bytes [off, off + len) of `b` (referenced) were
 * changed; b->data holds the new bytes.  len = OFS_BLOCK_SIZE (off 0) for
 * the whole block, which a block the operation allocated must be.
 * `flags`: JNL_META, JNL_NEW_DATA.  0, or -ENOSPC if the operation dirties
 * more than it reserved (a bug in the caller).
 */
int jnl_dirty(struct jnl *j, struct jbuf *b, u32 off, u32 len, u32 flags);

/*
 * Release `b` and, unless a transaction holds it, drop it from the cache:
 * for a block an abandoned operation got from jnl_bnew() and wrote into.
 */
void jnl_bforget(struct jnl *j, struct jbuf *b);

/*
 * Make every ended operation durable.  Returns 0 once the transaction is on
 * stable storage (nothing to do is 0 too), -EIO (journal aborted), -EROFS.
 * If another thread's commit is in flight, it waits for that one first,
 * keeping cfg.lock: callable in the middle of an operation.
 */
int jnl_commit(struct jnl *j);

/*
 * jnl_commit() for fsync and sync, between operations: group commit, as
 * jbd2 does it.  While a commit's FLUSH is in flight cfg.lock is released:
 * other threads' operations join the next transaction, and their fsyncs
 * wait for that one, which one of them then commits for all: concurrent
 * fsyncs share one commit and one FLUSH.  Returns, with cfg.lock held
 * again, once the transaction holding every operation that ended before
 * the call is durable.  Without cfg.lock it is jnl_commit().
 */
int jnl_commit_group(struct jnl *j);

/*
 * Commit, then write every committed block home and empty the log: the
 * tail moves in the journal superblock's older copy.  With nothing to
 * write it still moves that copy if it names an older tail, so two calls
 * leave both copies naming the current one.
 */
int jnl_checkpoint(struct jnl *j);

bool jnl_aborted(const struct jnl *j);
const struct jnl_stats *jnl_stats(const struct jnl *j);

#endif
