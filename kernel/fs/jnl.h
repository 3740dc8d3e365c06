/*
 * kernel/fs/jnl.h - block cache and physical redo journal (ordofs).
 *
 * Interface: the filesystem reads and changes its blocks only through this
 * layer.  A change is an *operation*: jnl_op_begin() reserves room for the
 * blocks it may dirty, the fs reads blocks with jnl_bread()/jnl_bnew(),
 * changes b->data, calls jnl_dirty(), releases with jnl_brelse(), and ends
 * with jnl_op_end().  Operations join the *running transaction*; nothing
 * reaches the disk until jnl_commit() (fsync, sync, or a full transaction),
 * which writes the transaction to the log and returns once it is durable.
 * Every operation that ended before a commit is in that commit (group
 * commit): an operation is never split across transactions.
 *
 * Committed blocks are written to their home locations later, by a
 * checkpoint (when the log is half full, on jnl_checkpoint() and on close),
 * and only after that is durable does the log tail move past them.
 *
 * The commit protocol and the recovery rules are written out at the top of
 * jnl.c; the format is in ondisk.h and docs/ondisk-format.md.
 *
 * Errors: an I/O error while committing or checkpointing *aborts* the
 * journal: the failing call returns -EIO, a console message says the
 * filesystem is now read-only, and every later jnl_op_begin() returns
 * -EROFS.  A commit that failed is never reported as done.
 *
 * Single-threaded; the caller serialises all calls.
 */
#ifndef ORDO_FS_JNL_H
#define ORDO_FS_JNL_H

#include "kernel/block/blk.h"
#include "kernel/fs/ondisk.h"

/* A cached filesystem block. */
struct jbuf {
	u64 blockno; /* home block number */
	u8 *data;    /* OFS_BLOCK_SIZE bytes */
	/* Private to jnl.c. */
	struct jbuf *hash_next;
	struct jbuf *lru_prev, *lru_next;
	struct jbuf *txn_next;	/* running transaction, in jnl_dirty() order */
	struct jbuf *ckpt_next; /* committed, waiting for the checkpoint */
	u32 refs;
	bool in_txn;	/* changed by the running transaction */
	bool committed; /* in a committed transaction, not yet home */
};

struct jnl_config {
	struct blk *fsdev;	 /* home of every filesystem block */
	struct blk *jdev;	 /* the log: fsdev itself, or an external device */
	u64 jstart;		 /* first journal block on jdev (4096-byte units) */
	u32 jblocks;		 /* journal length, its superblock included */
	u8 uuid[OFS_UUID_BYTES]; /* the filesystem's: records must match */
	bool classic;		 /* two FLUSHes per commit, not one */
	u32 cache_blocks;	 /* clean blocks kept in memory; 0 = default */
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
	u64 next_seq;	     /* sequence of the next transaction */
	bool stopped_on_bad; /* the scan ended on a record that did not verify */
};

struct jnl_stats {
	u64 commits; /* transactions made durable */
	u64 ops;     /* operations they carried */
	u64 blocks;  /* block images written to the log */
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

/* The largest number of blocks one operation may reserve. */
u32 jnl_max_op_blocks(const struct jnl *j);

/*
 * Start an operation that dirties at most `nblocks` blocks.  Commits the
 * running transaction first when it has no room left.  0, -E2BIG (more than
 * jnl_max_op_blocks()), -EROFS (journal aborted), or a commit's -EIO.
 */
int jnl_op_begin(struct jnl *j, u32 nblocks);
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
 * Make `b` part of the running transaction (inside an operation).  0, or
 * -ENOSPC if the operation dirties more blocks than it reserved (a bug in
 * the caller: the operation must then be abandoned).
 */
int jnl_dirty(struct jnl *j, struct jbuf *b);

/*
 * Make every ended operation durable.  Returns 0 once the transaction is on
 * stable storage (nothing to do is 0 too), -EIO (journal aborted), -EROFS.
 */
int jnl_commit(struct jnl *j);

/* Commit, then write every committed block home and empty the log. */
int jnl_checkpoint(struct jnl *j);

bool jnl_aborted(const struct jnl *j);
const struct jnl_stats *jnl_stats(const struct jnl *j);

#endif
