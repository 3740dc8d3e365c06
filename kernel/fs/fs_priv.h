/*
 * kernel/fs/fs_priv.h - state shared by the ordofs files (fs_*.c); not for
 * other layers.
 *
 *   fs_super.c  layout, superblock checks, format, mount, unmount, statfs
 *   fs_buf.c    metadata tails, checked reads from the block cache
 *   fs_op.c     the operation layer (undo records), fsync and sync
 *   fs_alloc.c  block bitmap, frees waiting for a checkpoint, inodes
 *   fs_inode.c  inodes and the block map (direct, indirect, double)
 *   fs_dir.c    directory entries and path walks
 *   fs_file.c   create, mkdir, open, stat, read, write, truncate
 *   fs_name.c   unlink, rename, readdir
 *   fs_fsck.c   offline check and the journal-pending probe
 *
 * Operations.  Every mutating call is one journal operation built in two
 * phases.  While it is *prepared*, the fs changes the cache buffers in
 * place, but only bytes it has declared first with fs_bmod(), which saves
 * their old contents in an undo record (blocks the operation allocated are
 * its own whole: fs_bfresh()), and the in-memory bitmap.  Anything that
 * fails here (no space, a corrupt block, an I/O error, a journal that
 * refuses) is undone by putting the saved bytes back, newest first, and
 * clearing the bits it allocated: the journal never saw a thing.
 * fs_op_commit() then opens the journal operation sized to the blocks and
 * ranges declared and hands each range over with jnl_dirty(); no step
 * after jnl_op_begin() can fail for a reason the disk controls.  The
 * journal has no rollback, so this is how "all or nothing" holds even for
 * -ENOSPC or -EIO in the middle of a call.
 *
 * Invariant: between operations no undo record exists, and a cache buffer
 * is changed only inside an operation and handed to the journal before
 * anything can commit (when the running transaction has no room, the
 * operation's bytes are put back for the commit, then redone).
 *
 * Single-threaded: at most one operation is prepared at a time (fs->op).
 */
#ifndef ORDO_FS_FS_PRIV_H
#define ORDO_FS_FS_PRIV_H

#include "kernel/fs/fs.h"

/* File block indexes served by each level of the block map. */
#define FS_IND_FIRST ((u64)OFS_NDIRECT)
#define FS_DIND_FIRST (FS_IND_FIRST + OFS_PTRS_PER_BLOCK)
#define FS_MAX_FBLOCKS (FS_DIND_FIRST + (u64)OFS_PTRS_PER_BLOCK * OFS_PTRS_PER_BLOCK)
#define FS_MAX_FILE_SIZE (FS_MAX_FBLOCKS * OFS_BLOCK_SIZE)

/* Smallest journal fs_format accepts: its largest operation is 13 blocks. */
#define FS_MIN_JOURNAL 32u
/* Default journal: 1/16 of the device within these bounds. */
#define FS_DEF_JOURNAL_MIN 64u
#define FS_DEF_JOURNAL_MAX 4096u
/* Fewest data blocks a filesystem may have. */
#define FS_MIN_DATA 16u
/* Data blocks one write operation carries at most (256 KiB). */
#define FS_WRITE_CHUNK 64u

#define FS_BLK_SECTORS (OFS_BLOCK_SIZE / BLK_SECTOR_SIZE)
/* Block pointers are 32 bits wide. */
#define FS_MAX_BLOCKS 0xffffffffull

/* The superblock's layout in CPU byte order, checked (fs_super_check). */
struct fs_geom {
	u64 nblocks;
	u8 uuid[OFS_UUID_BYTES];
	u32 features;
	u32 journal_blocks;
	u64 journal_start;
	u64 bitmap_start;
	u32 bitmap_blocks;
	u64 inode_start;
	u32 inode_blocks;
	u32 ninodes;
	u64 data_start;
};

/* One block the operation being prepared holds (referenced until it ends). */
struct fs_obuf {
	u64 blockno;
	struct jbuf *jb;
	u32 magic;     /* the tail's kind; 0 for file data */
	bool fresh;    /* allocated by this operation: all of it is the op's */
	u32 last_undo; /* its newest undo record + 1; 0: none */
};

/* Bytes [off, off + len) of one block as they were before the op changed them. */
struct fs_undo {
	u32 buf;  /* index in fs_op.bufs */
	u32 prev; /* the same block's previous record + 1; 0: none */
	u16 off, len;
	u32 at; /* where the old bytes are in fs_op.old */
};

struct fs_op {
	bool active;
	struct fs_obuf *bufs;
	u32 n, cap;
	struct fs_undo *undo;
	u32 nundo, undo_cap;
	u8 *old; /* the undo records' bytes */
	u32 old_len, old_cap;
	u32 *alloc; /* blocks the operation allocated */
	u32 nalloc, alloc_cap;
	u32 *freed; /* ... and freed */
	u32 nfreed, freed_cap;
	int inodes_delta; /* inodes freed minus inodes allocated */
};

/*
 * data=ordered: blocks freed by committed operations, still set in the
 * in-memory bitmap until a checkpoint has taken every transaction that
 * could name them out of the log (jnl.h).  Batches by the checkpoint count
 * their frees were made under; the second checkpoint after releases it.
 */
#define FS_PEND_BATCHES 3
struct fs_pend_batch {
	u32 end;	 /* blocks[previous end, end) */
	u64 checkpoints; /* jnl_stats()->checkpoints when made */
};

struct fs_pending {
	u32 *blocks;
	u32 n, cap;
	u32 nbatches;
	struct fs_pend_batch batch[FS_PEND_BATCHES];
};

struct fs {
	struct blk *dev;
	struct jnl *j;
	struct fs_geom g;
	bool read_only;
	bool data_journal; /* file data through the log too (mount option) */
	bool discard;	   /* online discard (mount option, device offers it) */
	struct fs_discard_stats dstats;
	/*
	 * Copy of the bitmap payloads: the committed state, the prepared op's
	 * allocations, and (data=ordered) frees still pending.
	 */
	u8 *bitmap;
	u64 free_blocks;
	u64 balloc_hint;
	u32 ialloc_hint;
	bool free_inodes_known; /* counted lazily by fs_statfs */
	u32 free_inodes;
	u64 seq_base; /* jnl_recovery.next_seq: commits count from there */
	struct fs_op op;
	struct fs_pending pend;
};

/* A read-only view of a block (the cache buffer: the op's changes are in it). */
struct fs_bref {
	struct jbuf *jb;
	const u8 *data;
};

/* fs_super.c */
/* Fill the derived fields of g from nblocks, journal_blocks, ninodes. */
void fs_layout(struct fs_geom *g, bool external);
/* Check every field of a superblock; g receives the layout.  0 or -errno. */
int fs_super_check(const struct ofs_super *sb, u64 dev_blocks, struct fs_geom *g, bool quiet);
/* Read and check the superblock of `dev`. */
int fs_read_super(struct blk *dev, struct fs_geom *g, bool quiet);
/* crc32c of a superblock with its crc field read as zero. */
u32 fs_super_crc(const struct ofs_super *sb);
/* Capacity in 4096-byte blocks. */
u64 fs_dev_blocks(struct blk *dev);
/* A device must hold whole 4096-byte blocks.  0 or -EINVAL. */
int fs_dev_check(struct blk *dev, const char *what);

/* fs_buf.c */
/* "bitmap", "inode table", "directory", "indirect" or "data". */
const char *fs_magic_name(u32 magic);
/* Set a metadata block's tail: magic, block number, crc. */
void fs_meta_stamp(void *block, u32 magic, u64 blockno);
/* What is wrong with a metadata block's tail, or NULL. */
const char *fs_meta_check(const void *block, u32 magic, u64 blockno);
/* Is blockno inside the data area, [data_start, nblocks)? */
bool fs_data_blkno_ok(const struct fs *fs, u64 blockno);
/*
 * The cache buffer of a block (held; release with jnl_brelse()).  Unless
 * magic is 0 (file data) its tail must name that kind and this block, and
 * the first time after the journal read it from the disk its crc is
 * checked too (jb->verified).  0, -EUCLEAN, -EIO, -ENOMEM.
 */
int fs_bread(struct fs *fs, u64 blockno, u32 magic, struct jbuf **out);

/* fs_op.c */
/* -EROFS if mounted read-only or the journal has aborted, else 0. */
int fs_check_writable(struct fs *fs);
/*
 * `arr` with room for `need` elements of `size` bytes: arr itself, a
 * larger copy (arr freed, *cap updated), or NULL (no memory; arr kept).
 */
void *fs_grow(void *arr, u32 *cap, u32 need, size_t size);
/*
 * Read-only view of a block (magic 0: file data, no tail check), with the
 * running operation's changes.  0, -EUCLEAN, -EIO, -ENOMEM.  Release with
 * fs_bput().
 */
int fs_bget(struct fs *fs, u64 blockno, u32 magic, struct fs_bref *r);
void fs_bput(struct fs *fs, struct fs_bref *r);
/* Begin preparing an operation (none may be in progress). */
void fs_op_begin(struct fs *fs);
/*
 * Declare that the operation changes bytes [off, off + len) of an existing
 * block (len > 0; never a metadata block's tail): their old contents are
 * saved for an abort, the buffer is held until the operation ends, and
 * *data is its first byte (jb->data), to change in place.  Only declared
 * bytes may be changed.  0, -EUCLEAN, -EIO, -ENOMEM.
 */
int fs_bmod(struct fs *fs, u64 blockno, u32 magic, u32 off, u32 len, u8 **data);
/*
 * The zeroed buffer of a block this operation has just allocated (all of
 * it the operation's: no fs_bmod needed); a metadata block gets its tail's
 * magic and block number, the journal computes its crc.
 */
int fs_bfresh(struct fs *fs, u64 blockno, u32 magic, u8 **data);
/* Undo the operation: every declared byte and bit back as it was. */
void fs_op_abort(struct fs *fs);
/*
 * Hand the operation to the journal as one jnl operation, committing the
 * running transaction first if it has no room.  0, -E2BIG (larger than
 * one operation may be: nothing done, split and retry), -EROFS, -EIO
 * (nothing done).
 */
int fs_op_commit(struct fs *fs);
/* Abort if err, else commit: the end of every operation. */
int fs_op_end(struct fs *fs, int err);

/* fs_alloc.c */
/* Mount: copy and check the bitmap, count free blocks. */
int fs_bitmap_load(struct fs *fs);
bool fs_bitmap_test(const u8 *payload, u64 bit);
/* Allocate a data block in the current operation.  0 or -ENOSPC/-errno. */
int fs_balloc(struct fs *fs, u32 *blockno);
/* Free a data block in the current operation (-EUCLEAN: not in use). */
int fs_bfree(struct fs *fs, u32 blockno);
/* The operation ends: its allocations undone, or its frees released/pending. */
void fs_bitmap_op_abort(struct fs *fs);
void fs_bitmap_op_commit(struct fs *fs);
/* Between operations: release pending frees a checkpoint has made safe. */
void fs_pending_release(struct fs *fs);
/*
 * Out of space with frees pending: checkpoint now and release them all.
 * 1 if blocks were released (retry), 0 if none were pending, or -errno.
 */
int fs_reclaim(struct fs *fs);
/*
 * A public call that allocates failed with *err: true if running it again
 * may succeed because fs_reclaim() released blocks (once per call:
 * *retried); a failing checkpoint replaces *err.
 */
bool fs_enospc_retry(struct fs *fs, int *err, bool *retried);
/*
 * Mount: online discard as asked, if the device offers DISCARD.  Unmount:
 * the frees still held, released and discarded (two checkpoints).
 */
void fs_discard_setup(struct fs *fs, bool want);
void fs_discard_unmount(struct fs *fs);
/* After a sync, in the DISCARD_NO_CKPT mutant only (jnl_mutant.h). */
void fs_discard_mutant_synced(struct fs *fs);
/* Blocks the bitmap holds back for a checkpoint (free for statfs). */
u64 fs_pending_count(const struct fs *fs);
/* Allocate an inode of `type` (nlink 1, size 0) in the current operation. */
int fs_ialloc(struct fs *fs, u8 type, u32 *ino, struct ofs_inode **ip);
/* Free inodes (counted once by a scan of the table, then maintained). */
int fs_count_free_inodes(struct fs *fs, u32 *count);

/* fs_inode.c */
/* Sequence number of the running transaction (for mtime_seq). */
u64 fs_cur_seq(const struct fs *fs);
/* Inode `ino`'s table block, and in *slot its index there. */
u64 fs_inode_block(const struct fs *fs, u32 ino, u32 *slot);
/* Validate an inode read from disk (a free one passes).  0 or -EUCLEAN. */
int fs_inode_check(const struct fs *fs, u32 ino, const struct ofs_inode *in);
/* Copy of inode `ino`, checked. */
int fs_iread(struct fs *fs, u32 ino, struct ofs_inode *out);
/* Writable inode `ino` in the current operation (all 128 bytes declared). */
int fs_imod(struct fs *fs, u32 ino, struct ofs_inode **ip);
/* Block holding file block fb (0: a hole).  0, -EFBIG, -EUCLEAN, -EIO. */
int fs_bmap(struct fs *fs, const struct ofs_inode *in, u64 fb, u32 *blockno);
/*
 * The same, allocating it (and pointer blocks) and counting them in
 * ip->blocks; *fresh if just allocated.  `ip` is declared (fs_imod).
 */
int fs_bmap_alloc(struct fs *fs, struct ofs_inode *ip, u64 fb, u32 *blockno, bool *fresh);
/* Free every block mapped at file index >= lo; clear the pointers, count. */
int fs_free_from(struct fs *fs, struct ofs_inode *ip, u64 lo);
/* Data and pointer blocks an inode maps, by walking its map (fsck, tests). */
int fs_count_blocks(struct fs *fs, const struct ofs_inode *in, u64 *count);
/* ceil(size / 4096). */
u64 fs_size_blocks(u64 size);

/* fs_file.c */
/* A live inode from a caller's number: 0, -EINVAL or -ENOENT. */
int fs_iget_user(struct fs *fs, u32 ino, struct ofs_inode *in);
/*
 * Set inode `ino`'s size, freeing blocks from the end in as many
 * operations as needed, each leaving a consistent (shorter) file.
 */
int fs_truncate_inode(struct fs *fs, u32 ino, u64 size);

/* fs_dir.c */
struct fs_dloc {
	bool valid;
	u64 fb; /* directory block index */
	u32 slot;
};

struct fs_path {
	u32 dir;	  /* parent directory; 0 for "/" itself */
	const char *name; /* last component (not NUL-terminated) */
	u32 len;
	u32 ino;		  /* 0: the last component does not exist */
	u8 type;		  /* its type when it exists */
	bool trailing;		  /* the path ended with '/' */
	bool crosses;		  /* the walk descended into directory `avoid` */
	struct fs_dloc at;	  /* its entry, when it exists */
	struct fs_dloc free_slot; /* a free entry in dir; !valid: append */
};

/*
 * Resolve `path` (read-only): its parent, last component, and whether and
 * where that exists.  -ENOENT/-ENOTDIR for a missing or non-directory
 * ancestor, -EINVAL, -ENAMETOOLONG, -EUCLEAN.
 */
int fs_walk(struct fs *fs, const char *path, u32 avoid, struct fs_path *p);
/* fs_walk() to something that exists: -ENOENT if the last component does not. */
int fs_lookup(struct fs *fs, const char *path, struct fs_path *p);
/* Add an entry to `dir` in the current operation (at free_slot or appended). */
int fs_dir_add(struct fs *fs, u32 dir, const struct fs_dloc *free_slot, const char *name, u32 len,
	       u32 ino, u8 type);
/* Point entry `at` of `dir` at ino/type, or clear it (ino 0). */
int fs_dir_set(struct fs *fs, u32 dir, const struct fs_dloc *at, u32 ino, u8 type);
/* 1 if directory `in` has no entries, 0 if it has, -errno. */
int fs_dir_empty(struct fs *fs, const struct ofs_inode *in);
/* What is wrong with a used directory entry, or NULL (free slots pass). */
const char *fs_dirent_why(u32 ninodes, const struct ofs_dirent *de);
/* fs_dirent_why() with a console line: 0 or -EUCLEAN. */
int fs_dirent_check(const struct fs *fs, const struct ofs_dirent *de);
/* fs_readdir() on directory inode `dir`. */
int fs_dir_iterate(struct fs *fs, u32 dir, fs_readdir_fn fn, void *ctx);

#endif
