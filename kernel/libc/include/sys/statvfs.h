/*
 * kernel/libc/include/sys/statvfs.h - statvfs() on ordo
 * (POSIX; neither picolibc nor newlib declares them: the OS does).
 */
#ifndef _SYS_STATVFS_H
#define _SYS_STATVFS_H

#include <sys/types.h>

#define ST_RDONLY 0x1
#define ST_NOSUID 0x2

struct statvfs {
	unsigned long f_bsize;	 /* block size */
	unsigned long f_frsize;	 /* fundamental block size (f_blocks' unit) */
	fsblkcnt_t f_blocks;	 /* size in f_frsize units */
	fsblkcnt_t f_bfree;	 /* free blocks */
	fsblkcnt_t f_bavail;	 /* free blocks for an unprivileged user */
	fsfilcnt_t f_files;	 /* inodes */
	fsfilcnt_t f_ffree;	 /* free inodes */
	fsfilcnt_t f_favail;	 /* free inodes for an unprivileged user */
	unsigned long f_fsid;	 /* the mount's index */
	unsigned long f_flag;	 /* ST_RDONLY */
	unsigned long f_namemax; /* longest name */
};

#ifdef __cplusplus
extern "C" {
#endif
int statvfs(const char *__restrict path, struct statvfs *__restrict buf);
#ifdef __cplusplus
}
#endif

#endif
