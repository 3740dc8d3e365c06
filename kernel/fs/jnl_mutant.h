/*
 * kernel/fs/jnl_mutant.h - seeded journal protocol bugs, for the crash
 * engine only (tests/crash/, docs/crash-engine.md "Mutants").
 *
 * Each names one way the protocol of jnl.c, the recovery rules of
 * jnl_recover.c or the block reuse rule of fs_alloc.c could be wrong; the
 * crash engine must catch every one.
 * jnl_mutant(JNL_MUT_X) is true only in a binary built with
 * -DJNL_MUTANT=X (tests/crash/crash.mk: crash-mutant-X).  In every other
 * build it is the constant 0, so the compiler drops each branch that uses
 * it and the journal's object code carries no trace of the mutants.
 */
#ifndef ORDO_FS_JNL_MUTANT_H
#define ORDO_FS_JNL_MUTANT_H

enum jnl_mut {
	JNL_MUT_NONE,
	JNL_MUT_NO_DRAIN,		/* commit: FLUSH without draining first */
	JNL_MUT_NO_FLUSH_BEFORE_COMMIT, /* classic: no sync before the commit record */
	JNL_MUT_NO_FLUSH_AFTER_COMMIT,	/* acknowledge after a drain, no FLUSH */
	JNL_MUT_COMMIT_FIRST,		/* commit record submitted before the rest */
	JNL_MUT_NO_CSUM_VERIFY,		/* recovery ignores data_crc */
	JNL_MUT_CSUM_SKIPS_BLOCK,	/* data_crc leaves out the last image */
	JNL_MUT_TAIL_EARLY,		/* checkpoint: tail moved before homes are durable */
	JNL_MUT_REUSE_EARLY,		/* log space reused without a durable tail */
	JNL_MUT_SEQ_WRAP,		/* recovery compares none of seq (a wrapped counter) */
	JNL_MUT_STALE_UUID,		/* recovery accepts another format's records */
	/* data=ordered and deltas (format 2) */
	JNL_MUT_COMMIT_BEFORE_DATA, /* ordered data sent after the commit's FLUSH */
	JNL_MUT_NO_DATA_CHECK,	    /* recovery ignores the DATA crcs */
	JNL_MUT_DATA_CHECK_ALL,	    /* recovery checks DATA crcs of every transaction */
	JNL_MUT_OVERWRITE_IN_PLACE, /* existing file blocks rewritten in place */
	JNL_MUT_DELTA_NO_RESTAMP,   /* replayed metadata deltas keep a stale tail crc */
	JNL_MUT_REUSE_BEFORE_CKPT,  /* fs: a freed block reused before the checkpoint */
	JNL_MUT_DELTA_FIRST,	    /* a block's first logging after a checkpoint a DELTA */
	/* group commit (threads) */
	JNL_MUT_GC_EARLY_ACK, /* fsync returns while the commit holding its changes is in flight */
	JNL_MUT_GC_RUNNING_LOST, /* fsync waits for the commit in flight, not for the next one */
	JNL_MUT_GC_UNLOCK_EARLY, /* the lock released before the commit's writes are done */
	/* discard (fs_alloc.c) */
	JNL_MUT_DISCARD_EARLY,	 /* freed blocks discarded before their transaction commits */
	JNL_MUT_DISCARD_NO_CKPT, /* ... once it is durable, not two checkpoints later */
};

#ifdef JNL_MUTANT
#define JNL_MUT_CAT_(a, b) a##b
#define JNL_MUT_CAT(a, b) JNL_MUT_CAT_(a, b)
#define JNL_MUT_SELECTED JNL_MUT_CAT(JNL_MUT_, JNL_MUTANT)
#else
#define JNL_MUT_SELECTED JNL_MUT_NONE
#endif

/* Is seeded bug `m` built in?  A constant: 0 outside mutant builds. */
#define jnl_mutant(m) ((m) == JNL_MUT_SELECTED)

#endif
