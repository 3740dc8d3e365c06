/*
 * kernel/disks.h - which disk an application may use (kernel/disks.c).
 */
#ifndef ORDO_KERNEL_DISKS_H
#define ORDO_KERNEL_DISKS_H

#include "kernel/disk.h"
#include "kernel/fs/fs.h"

enum fs_target_state {
	FS_NOT_OURS, /* holds something else: never formatted unasked */
	FS_HAS_OFS,  /* holds ordofs: mount it */
	FS_BLANK,    /* blank: may be formatted */
};

/* Where the filesystem lives: a whole disk or a partition of it. */
struct fs_target {
	struct kdisk *kd; /* the disk */
	struct blk *blk;  /* kd->blk, or a view of its partition */
	enum fs_target_state state;
};

/*
 * Choose the filesystem's disk as the command line says (fs.disk=,
 * fs.format=force) or, by default, the first disk or ordofs-typed GPT
 * partition holding ordofs, else the first blank one.  Prints a line for
 * every disk passed over.  0 and *t, or -ENODEV (nothing usable; said
 * why), -EINVAL (a bad fs.disk= value).  With fs.disk= a disk that is not
 * ours is returned as FS_NOT_OURS, unless fs.format=force made it FS_BLANK.
 */
int fs_choose_target(struct fs_target *t);

/*
 * fs_choose_target(), then mount it (as the command line's mount options
 * say, with `lock` as fs_mount_opts.lock), formatting it first if it is
 * blank; with fs.trim on the command line, fs_trim() it then.  Each step says what it did on the console.  0 and the
 * filesystem in *fs, or -errno (said why).
 */
int fs_mount_chosen(struct fs_target *t, struct mutex *lock, struct fs **fs);

/*
 * The mount options the command line asks for: fs.data=journal (file data
 * through the log) or fs.data=ordered (the default); fs.discard=on (online
 * discard) or off (the default).  0, or -EINVAL for another value (said
 * so; that option keeps its default).
 */
int fs_cmdline_mount_opts(struct fs_mount_opts *mo);

/*
 * May `mode` ("bench", "ktest") overwrite disk `d`?  Only if MODE.disk=
 * names it, or (when nothing is named) it is blank or read-only.  If not,
 * `why` says why, for a skip message.
 */
bool kdisk_scratch(struct kdisk *d, const char *mode, char *why, size_t size);

#endif
