/*
 * kernel/posix/vfs.h - POSIX-style files over ordofs: a mount table, a
 * file descriptor table and the calls a C library's system-call layer
 * maps onto (open, read, write, lseek, fsync, rename, readdir, ...).
 *
 * Interface: every call returns a non-negative result or a negative
 * errno value of lib/errno.h (Linux numbering); a C library's glue turns
 * that into -1 and its own errno.  Flags and whence values are this
 * layer's own (VFS_O_*, VFS_SEEK_*), translated by the glue too.
 *
 * Paths are absolute.  A path belongs to the mount whose point is its
 * longest prefix at a component boundary ("/" matches everything); the
 * rest is handed to ordofs ("/vblk1/a/b" on a mount at "/vblk1" is "/a/b"
 * there).  Mount points are not listed by readdir of their parent, and a
 * rename between two mounts is -EXDEV.
 *
 * Durability is the filesystem's: vfs_fsync()/vfs_fdatasync() return once
 * every change to that filesystem so far is durable (ordofs commits all
 * of them together), vfs_sync() for every mount.  After a failed commit
 * the journal is aborted and every later fsync, write or sync on that
 * filesystem fails with -EIO: the error is sticky, never swallowed.
 *
 * Descriptors 0, 1 and 2 are the console's and are never handed out here.
 * Threads (lib/sched.h): every call holds one lock, vfs_lock(), which
 * each filesystem must be mounted with (fs_mount_opts.lock) so that an
 * fsync can let other threads in while its commit's FLUSH is in flight:
 * their changes join the next commit, and their fsyncs share it.
 *
 * This header needs nothing but lib/types.h, so a C library's glue
 * (kernel/libc), compiled against the library's own headers, can use it.
 */
#ifndef ORDO_KERNEL_POSIX_VFS_H
#define ORDO_KERNEL_POSIX_VFS_H

#include "lib/types.h"

struct fs;
struct mutex;

#define VFS_MAX_MOUNTS 8
#define VFS_MAX_FDS 64
#define VFS_FIRST_FD 3
#define VFS_PATH_MAX 256
/* Longest name of one path component (OFS_NAME_MAX, checked in vfs.c). */
#define VFS_NAME_MAX 56

/* vfs_open() flags: one access mode, then any of the others. */
#define VFS_O_RDONLY 0x0
#define VFS_O_WRONLY 0x1
#define VFS_O_RDWR 0x2
#define VFS_O_ACCMODE 0x3
#define VFS_O_CREAT 0x10
#define VFS_O_EXCL 0x20
#define VFS_O_TRUNC 0x40
#define VFS_O_APPEND 0x80
#define VFS_O_DIRECTORY 0x100

#define VFS_SEEK_SET 0
#define VFS_SEEK_CUR 1
#define VFS_SEEK_END 2

struct vfs_stat {
	u32 dev; /* index of the mount */
	u32 ino;
	bool is_dir;
	u32 nlink;
	u64 size;
	u64 blocks; /* 4096-byte blocks mapped */
};

struct vfs_dirent {
	u32 ino;
	bool is_dir;
	char name[VFS_NAME_MAX + 1];
};

/* The filesystem a path lies on, as statvfs() reports it. */
struct vfs_statfs {
	u32 block_size;
	u64 blocks, free_blocks;
	u64 files, free_files;
	u32 name_max;
	bool read_only;
};

/*
 * Mount `fs` at `at` ("/" or "/name": one component, for now).  0,
 * -EBUSY (something is mounted there), -EMFILE (table full), -EINVAL.
 */
int vfs_mount(const char *at, struct fs *fs);
/* The lock around every call, for fs_mount_opts.lock. */
struct mutex *vfs_lock(void);
/* Forget every mount and close every descriptor (the filesystems stay). */
void vfs_reset(void);

int vfs_open(const char *path, int flags);
int vfs_close(int fd);
s64 vfs_read(int fd, void *buf, u64 len);
s64 vfs_write(int fd, const void *buf, u64 len);
s64 vfs_pread(int fd, void *buf, u64 len, u64 off);
s64 vfs_pwrite(int fd, const void *buf, u64 len, u64 off);
s64 vfs_lseek(int fd, s64 off, int whence);
int vfs_fstat(int fd, struct vfs_stat *st);
int vfs_stat(const char *path, struct vfs_stat *st);
int vfs_fsync(int fd);
int vfs_fdatasync(int fd);
int vfs_ftruncate(int fd, u64 size);
int vfs_sync(void);
int vfs_statfs(const char *path, struct vfs_statfs *st);
int vfs_unlink(const char *path);
int vfs_mkdir(const char *path);
int vfs_rmdir(const char *path);
int vfs_rename(const char *from, const char *to);

/*
 * Directories: vfs_opendir() gives a descriptor (close it with
 * vfs_close()), vfs_readdir() the next entry: 1 and *de, 0 at the end, or
 * -errno.  Entries added or removed while a directory is being read may
 * or may not be seen; no entry is returned twice.
 */
int vfs_opendir(const char *path);
int vfs_readdir(int fd, struct vfs_dirent *de);

#endif
