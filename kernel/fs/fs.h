/*
 * kernel/fs/fs.h - ordofs, a tiny journaling filesystem.
 *
 * Interface: format a block device, mount it (which runs journal recovery),
 * then work with paths ("/dir/file", absolute, '/'-separated, components of
 * at most OFS_NAME_MAX bytes) and inode numbers returned by fs_open().
 * Every change is one journal operation (jnl.h), so after a crash the
 * filesystem comes back exactly as it was after some transaction: each
 * call is all or nothing.  fs_fsync()/fs_sync() return once everything
 * done before them is durable (they commit the shared running transaction).
 *
 * Errors are negative errno values: -ENOENT, -EEXIST, -ENOTDIR, -EISDIR,
 * -ENOTEMPTY, -ENAMETOOLONG, -EINVAL, -ENOSPC (the filesystem is left
 * consistent and unchanged by the failed call), -EFBIG, -EROFS (mounted
 * read-only or journal aborted), -EIO, -EUCLEAN (corrupt metadata found),
 * -EBUSY (unlink or rename of the root directory).
 *
 * Conventions (docs/ondisk-format.md): no hard links, so every inode has
 * nlink 1; no "." or ".." entries ("." and ".." components are -EINVAL);
 * runs of '/' separate components and a trailing '/' requires a directory.
 *
 * Single-threaded; the caller serialises all calls on one filesystem.
 */
#ifndef ORDO_FS_FS_H
#define ORDO_FS_FS_H

#include "kernel/block/blk.h"
#include "kernel/fs/jnl.h"
#include "lib/disksig.h"

struct fs;

struct fs_mkfs_opts {
	u32 ninodes;		 /* 0: one per 4 blocks, at least 64 */
	u32 journal_blocks;	 /* 0: a default sized for the device */
	struct blk *journal_dev; /* NULL: journal inside the filesystem */
	u8 uuid[OFS_UUID_BYTES]; /* all zero: derived from the timer */
	bool force;		 /* format even a disk that is not blank */
};

struct fs_mount_opts {
	struct blk *journal_dev; /* required iff formatted with one */
	bool classic_commit;	 /* two FLUSHes per commit instead of one */
	/*
	 * data=journal: new file blocks go through the log like everything
	 * else.  Default, data=ordered: they go home in the commit that
	 * allocates them, only their crc in the log (one write less per
	 * block); a freed block is then reused only after a checkpoint.
	 */
	bool data_journal;
	bool read_only;
	/*
	 * discard (Linux's mount option): DISCARD each freed block once it
	 * is free for good: when it may be allocated again, two checkpoints
	 * after the transaction that freed it is durable (fs_alloc.c).  Off
	 * by default, as in Linux: a DISCARD is synchronous and some devices
	 * are slow at it; fs_trim() does the same in one batch on request.
	 * Ignored (a console line) when the device offers no DISCARD.
	 */
	bool discard;
	/* Passed to the journal (jnl_config), for the crash-state engine. */
	void (*on_commit_submit)(void *ctx, u64 seq);
	void (*on_commit_ack)(void *ctx, u64 seq);
	void *hook_ctx;
	/*
	 * Threads: the lock every caller holds around every fs_* call on
	 * this filesystem (NULL: one thread).  fs_fsync() and fs_sync()
	 * release it while their commit's FLUSH is in flight, so other
	 * threads' changes join the next commit (jnl_commit_group()).
	 */
	struct mutex *lock;
};

/*
 * What `dev` holds, for the format policy (fs_probe.c): 0 if it is blank
 * (its first and last MiB all zero, or the whole device if smaller),
 * FS_DISK_OFS if it holds ordofs (its superblock magic), -EEXIST if it
 * holds a partition table, another filesystem or any other data (sig->what
 * names it, e.g. "an ext4 filesystem"), -ENOSPC if it is smaller than one
 * 4096-byte block, or the read's -errno.
 */
#define FS_DISK_OFS 1
int fs_disk_probe(struct blk *dev, struct disksig *sig);

/*
 * Format `dev` (and the journal device).  Unless opts->force, only a
 * blank device (fs_disk_probe): anything else is left untouched with a
 * console line naming what it holds, and -EEXIST.  0, -EEXIST, -EINVAL
 * (too small), -EROFS, -EIO.
 */
int fs_format(struct blk *dev, const struct fs_mkfs_opts *opts);

/*
 * Mount: check the superblock, run recovery, load the bitmap.  0 and the
 * filesystem in *out (recovery report in *rep, may be NULL), or -EINVAL /
 * -EUCLEAN (not ordofs or corrupt: a console message says what), -EIO,
 * -ENOMEM.  A corrupt image never crashes the mount.
 */
int fs_mount(struct blk *dev, const struct fs_mount_opts *opts, struct jnl_recovery *rep,
	     struct fs **out);

/* Sync, checkpoint and free.  0 or the error of the final sync (freed). */
int fs_unmount(struct fs *fs);

struct fs_statfs {
	u64 blocks, free_blocks;
	u32 inodes, free_inodes;
	u32 block_size;
};
int fs_statfs(struct fs *fs, struct fs_statfs *st);
/* Mounted read-only (fs_mount_opts.read_only): every change is -EROFS. */
bool fs_read_only(const struct fs *fs);

struct fs_stat {
	u32 ino;
	u8 type; /* OFS_TYPE_FILE or OFS_TYPE_DIR */
	u16 nlink;
	u64 size;
	u64 blocks; /* allocated data and indirect blocks */
};

int fs_create(struct fs *fs, const char *path);
int fs_mkdir(struct fs *fs, const char *path);
/* Look a file up: 0 and its inode number in *ino. */
int fs_open(struct fs *fs, const char *path, u32 *ino);
int fs_stat(struct fs *fs, const char *path, struct fs_stat *st);
int fs_fstat(struct fs *fs, u32 ino, struct fs_stat *st);

/* Bytes read (short at end of file, 0 at or past it) or -errno. */
int fs_read(struct fs *fs, u32 ino, u64 off, void *buf, u32 len);
/*
 * Bytes written or -errno.  Writes larger than one operation can carry are
 * split into several operations (each all or nothing); on -ENOSPC part of
 * the data may have been written and the return value says how much.
 */
int fs_write(struct fs *fs, u32 ino, u64 off, const void *buf, u32 len);
int fs_truncate(struct fs *fs, u32 ino, u64 size);

/* Remove a file or an empty directory. */
int fs_unlink(struct fs *fs, const char *path);
/* Atomic: `to` is replaced if it is a file; -EISDIR/-ENOTEMPTY for dirs. */
int fs_rename(struct fs *fs, const char *from, const char *to);

/* Calls fn for each entry of a directory, in on-disk order; stops early
 * and returns fn's value if it is non-zero. */
typedef int (*fs_readdir_fn)(void *ctx, const char *name, u32 ino, u8 type);
int fs_readdir(struct fs *fs, const char *path, fs_readdir_fn fn, void *ctx);

int fs_fsync(struct fs *fs, u32 ino);
int fs_sync(struct fs *fs);

const struct jnl_stats *fs_jnl_stats(const struct fs *fs);

/* What the discard mount option and fs_trim() sent (DISCARD is advisory). */
struct fs_discard_stats {
	u64 ranges;	 /* DISCARD ranges the device accepted */
	u64 blocks;	 /* blocks they covered */
	u64 failed;	 /* ranges the device failed: counted, otherwise ignored */
	u64 dropped;	 /* freed blocks not discarded (no memory to hold them) */
	u64 trim_blocks; /* of `blocks`, those fs_trim() sent */
};
const struct fs_discard_stats *fs_discard_stats(const struct fs *fs);
/* Is online discard on (asked for, and the device offers DISCARD)? */
bool fs_discard_on(const struct fs *fs);

/*
 * fstrim: commit, then DISCARD every block that is free and not waiting
 * for a checkpoint, in runs of contiguous blocks.  Between operations.
 * 0 and the blocks discarded in *trimmed (may be NULL), -EOPNOTSUPP (the
 * device offers no DISCARD), -EROFS, or the commit's -errno.  A range the
 * device fails is counted (fs_discard_stats) and skipped, not an error.
 */
int fs_trim(struct fs *fs, u64 *trimmed);

/*
 * Has a failed commit or checkpoint aborted the journal?  Then every
 * change fails with -EROFS from now on, until the next mount.
 */
bool fs_journal_aborted(const struct fs *fs);

/*
 * Offline consistency check of an unmounted filesystem whose journal is
 * empty (run fs_mount/fs_unmount or recovery first): superblock, every
 * metadata checksum and self-location, bitmap against reachable blocks,
 * link counts, directory structure (names, no cycles, every entry points to
 * a live inode of its type).  Returns the number of problems found (0 =
 * consistent), each printed to the console unless quiet, or -errno if the
 * device could not be read.
 */
int fs_fsck(struct blk *dev, struct blk *journal_dev, bool quiet);

/*
 * Does the journal of this unmounted filesystem hold committed
 * transactions that recovery would replay?  Reads only.  Returns their
 * number (0: clean, nothing to replay; > 0: run recovery - fs_mount() or
 * "ordofs recover" - before fs_fsck()), or -errno: -EINVAL/-EUCLEAN (bad
 * superblock, a journal superblock that is not this filesystem's), -EIO.
 * The acceptance rules are recovery's (jnl_recover.c): from the tail, a
 * header that verifies (magic, own crc, sequence, uuid, well-formed
 * entries with every home block inside the device), then a data_crc
 * matching the images (checksummed) or a commit record (classic), and for
 * the last one its ordered data blocks at home.
 */
int fs_journal_pending(struct blk *dev, struct blk *journal_dev);

#endif
