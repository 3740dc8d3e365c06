/*
 * tests/host/test_vfs.c - the POSIX file layer (kernel/posix/vfs.c) over
 * two ordofs filesystems on RAM disks, mounted at "/" and "/vblk1": every
 * call, the errors a program sees (ENOENT, EEXIST, ENOTDIR, EISDIR,
 * ENOTEMPTY, EBADF, ENAMETOOLONG, EXDEV, EMFILE, ENOSPC, EROFS, EINVAL),
 * O_APPEND and O_TRUNC, readdir snapshots, replacing rename, and a failed
 * commit that every later fsync keeps reporting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arch/host/host.h"
#include "kernel/fs/fs.h"
#include "kernel/posix/vfs.h"
#include "lib/errno.h"
#include "tests/host/ramdisk.h"

#define MiB (1024u * 1024u)

struct tdisk {
	struct ramdisk rd;
	struct blk blk;
	struct fs *fs;
};

static struct tdisk disks[2];

static void disk_up(struct tdisk *d, u64 bytes, const char *at)
{
	ramdisk_init(&d->rd, bytes, 512);
	blk_init(&d->blk, &d->rd.q.dev, false);
	assert_int_equal(fs_format(&d->blk, &(struct fs_mkfs_opts){ 0 }), 0);
	assert_int_equal(fs_mount(&d->blk, &(struct fs_mount_opts){ 0 }, NULL, &d->fs), 0);
	assert_int_equal(vfs_mount(at, d->fs), 0);
}

static int setup(void **state)
{
	(void)state;
	host_console_quiet = true;
	disk_up(&disks[0], 8 * MiB, "/");
	disk_up(&disks[1], 2 * MiB, "/vblk1");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vfs_reset();
	for (int i = 0; i < 2; i++) {
		fs_unmount(disks[i].fs);
		ramdisk_free(&disks[i].rd);
	}
	host_console_quiet = false;
	return 0;
}

static void test_mounts(void **state)
{
	struct vfs_stat a, b;

	(void)state;
	assert_int_equal(vfs_mount("/", disks[1].fs), -EBUSY);
	assert_int_equal(vfs_mount("relative", disks[1].fs), -EINVAL);
	assert_int_equal(vfs_mount("/a/b", disks[1].fs), -EINVAL);
	assert_int_equal(vfs_stat("/", &a), 0);
	assert_int_equal(vfs_stat("/vblk1", &b), 0);
	assert_true(a.is_dir && b.is_dir);
	assert_int_not_equal(a.dev, b.dev);
	assert_int_equal(vfs_stat("/vblk1/", &b), 0);
	assert_int_equal(vfs_stat("/vblk10", &b), -ENOENT); /* not the mount */
	assert_int_equal(vfs_stat("nope", &b), -EINVAL);
}

static void test_open_read_write_seek(void **state)
{
	char buf[64];
	struct vfs_stat st;
	int fd, fd2;

	(void)state;
	assert_int_equal(vfs_open("/f", VFS_O_RDONLY), -ENOENT);
	fd = vfs_open("/f", VFS_O_RDWR | VFS_O_CREAT);
	assert_true(fd >= VFS_FIRST_FD);
	assert_int_equal(vfs_open("/f", VFS_O_RDWR | VFS_O_CREAT | VFS_O_EXCL), -EEXIST);
	assert_int_equal(vfs_write(fd, "hello world", 11), 11);
	assert_int_equal(vfs_lseek(fd, 0, VFS_SEEK_CUR), 11);
	assert_int_equal(vfs_lseek(fd, 6, VFS_SEEK_SET), 6);
	assert_int_equal(vfs_read(fd, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "world", 5);
	assert_int_equal(vfs_read(fd, buf, sizeof(buf)), 0); /* end of file */
	assert_int_equal(vfs_pwrite(fd, "W", 1, 6), 1);
	assert_int_equal(vfs_pread(fd, buf, 5, 6), 5);
	assert_memory_equal(buf, "World", 5);
	assert_int_equal(vfs_lseek(fd, -5, VFS_SEEK_END), 6);
	assert_int_equal(vfs_lseek(fd, -12, VFS_SEEK_END), -EINVAL);
	assert_int_equal(vfs_lseek(fd, 0, 7), -EINVAL);
	/* A hole past the end reads as zeros. */
	assert_int_equal(vfs_pwrite(fd, "!", 1, 20), 1);
	assert_int_equal(vfs_pread(fd, buf, 21, 0), 21);
	assert_int_equal(buf[15], 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.size, 21);
	assert_int_equal(st.blocks, 1);
	assert_false(st.is_dir);
	assert_int_equal(vfs_fsync(fd), 0);
	assert_int_equal(vfs_fdatasync(fd), 0);

	/* O_APPEND writes at the end whatever the offset; O_TRUNC empties. */
	fd2 = vfs_open("/f", VFS_O_WRONLY | VFS_O_APPEND);
	assert_int_equal(vfs_lseek(fd2, 0, VFS_SEEK_SET), 0);
	assert_int_equal(vfs_write(fd2, "+", 1), 1);
	assert_int_equal(vfs_fstat(fd2, &st), 0);
	assert_int_equal(st.size, 22);
	assert_int_equal(vfs_read(fd2, buf, 1), -EBADF); /* write-only */
	assert_int_equal(vfs_close(fd2), 0);
	assert_int_equal(vfs_close(fd2), -EBADF);
	fd2 = vfs_open("/f", VFS_O_RDONLY);
	assert_int_equal(vfs_write(fd2, "x", 1), -EBADF); /* read-only */
	assert_int_equal(vfs_ftruncate(fd2, 0), -EINVAL);
	assert_int_equal(vfs_close(fd2), 0);
	fd2 = vfs_open("/f", VFS_O_WRONLY | VFS_O_TRUNC);
	assert_int_equal(vfs_fstat(fd2, &st), 0);
	assert_int_equal(st.size, 0);
	assert_int_equal(vfs_ftruncate(fd2, 5000), 0);
	assert_int_equal(vfs_fstat(fd2, &st), 0);
	assert_int_equal(st.size, 5000);
	assert_int_equal(vfs_close(fd2), 0);
	assert_int_equal(vfs_close(fd), 0);
	assert_int_equal(vfs_unlink("/f"), 0);
	assert_int_equal(vfs_read(1, buf, 1), -EBADF); /* the console's, not ours */
	assert_int_equal(vfs_open("/g", VFS_O_RDWR | 0x4000), -EINVAL);
	assert_int_equal(vfs_open("/g", VFS_O_ACCMODE), -EINVAL);
}

static void test_dirs_and_errors(void **state)
{
	char longname[80];
	struct vfs_dirent de;
	int fd, n = 0, seen[3] = { 0 };

	(void)state;
	assert_int_equal(vfs_mkdir("/d"), 0);
	assert_int_equal(vfs_mkdir("/d"), -EEXIST);
	assert_int_equal(vfs_mkdir("/"), -EEXIST);
	assert_int_equal(vfs_mkdir("/x/y"), -ENOENT);
	assert_true(vfs_open("/d/a", VFS_O_WRONLY | VFS_O_CREAT) >= 0);
	assert_true(vfs_open("/d/b", VFS_O_WRONLY | VFS_O_CREAT) >= 0);
	assert_int_equal(vfs_mkdir("/d/c"), 0);
	assert_int_equal(vfs_open("/d/a/z", VFS_O_RDONLY), -ENOTDIR);
	assert_int_equal(vfs_open("/d", VFS_O_WRONLY), -EISDIR);
	assert_int_equal(vfs_open("/d/a", VFS_O_RDONLY | VFS_O_DIRECTORY), -ENOTDIR);
	fd = vfs_open("/d", VFS_O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(vfs_read(fd, &de, 1), -EISDIR);
	assert_int_equal(vfs_close(fd), 0);
	assert_int_equal(vfs_rmdir("/d"), -ENOTEMPTY);
	assert_int_equal(vfs_rmdir("/d/a"), -ENOTDIR);
	assert_int_equal(vfs_unlink("/d/c"), -EISDIR);
	assert_int_equal(vfs_unlink("/d/nope"), -ENOENT);
	assert_int_equal(vfs_rmdir("/vblk1"), -EBUSY);
	memset(longname, 'n', sizeof(longname));
	memcpy(longname, "/d/", 3);
	longname[70] = '\0';
	assert_int_equal(vfs_open(longname, VFS_O_WRONLY | VFS_O_CREAT), -ENAMETOOLONG);

	/* readdir: a snapshot, each entry once, even while the dir changes. */
	fd = vfs_opendir("/d");
	assert_true(fd >= 0);
	assert_int_equal(vfs_unlink("/d/b"), 0);
	assert_true(vfs_open("/d/e", VFS_O_WRONLY | VFS_O_CREAT) >= 0);
	while (vfs_readdir(fd, &de) == 1) {
		n++;
		if (!strcmp(de.name, "a"))
			seen[0]++;
		else if (!strcmp(de.name, "b"))
			seen[1]++;
		else if (!strcmp(de.name, "c"))
			seen[2] += de.is_dir;
	}
	assert_int_equal(n, 3);
	assert_int_equal(seen[0] + seen[1] + seen[2], 3);
	assert_int_equal(vfs_readdir(fd, &de), 0);
	assert_int_equal(vfs_close(fd), 0);
	assert_int_equal(vfs_opendir("/d/a"), -ENOTDIR);
	assert_int_equal(vfs_opendir("/nope"), -ENOENT);
	assert_int_equal(vfs_readdir(fd, &de), -EBADF);

	assert_int_equal(vfs_unlink("/d/a"), 0);
	assert_int_equal(vfs_unlink("/d/e"), 0);
	assert_int_equal(vfs_rmdir("/d/c"), 0);
	assert_int_equal(vfs_rmdir("/d"), 0);
	assert_int_equal(vfs_sync(), 0);
}

static void test_rename(void **state)
{
	char buf[8];
	int fd;

	(void)state;
	fd = vfs_open("/old", VFS_O_WRONLY | VFS_O_CREAT);
	assert_int_equal(vfs_write(fd, "new", 3), 3);
	assert_int_equal(vfs_close(fd), 0);
	fd = vfs_open("/cfg", VFS_O_WRONLY | VFS_O_CREAT);
	assert_int_equal(vfs_write(fd, "old", 3), 3);
	assert_int_equal(vfs_close(fd), 0);
	assert_int_equal(vfs_rename("/old", "/cfg"), 0); /* replaces */
	fd = vfs_open("/cfg", VFS_O_RDONLY);
	assert_int_equal(vfs_read(fd, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "new", 3);
	assert_int_equal(vfs_close(fd), 0);
	assert_int_equal(vfs_stat("/old", &(struct vfs_stat){ 0 }), -ENOENT);
	assert_int_equal(vfs_rename("/cfg", "/vblk1/cfg"), -EXDEV);
	assert_int_equal(vfs_rename("/nope", "/x"), -ENOENT);
	assert_int_equal(vfs_rename("/vblk1", "/x"), -EBUSY);
	assert_int_equal(vfs_unlink("/cfg"), 0);
}

static void test_second_mount_and_full_disk(void **state)
{
	static u8 big[256 * 1024];
	s64 n, total = 0;
	int fd;

	(void)state;
	fd = vfs_open("/vblk1/fill", VFS_O_WRONLY | VFS_O_CREAT);
	assert_true(fd >= 0);
	do {
		n = vfs_write(fd, big, sizeof(big));
		total += n > 0 ? n : 0;
	} while (n == (s64)sizeof(big));
	/* Short, then -ENOSPC: the disk is 2 MiB. */
	assert_true(total > 0 && total < 2 * (s64)MiB);
	assert_int_equal(vfs_write(fd, big, sizeof(big)), -ENOSPC);
	assert_int_equal(vfs_fsync(fd), 0);
	assert_int_equal(vfs_close(fd), 0);
	assert_int_equal(vfs_unlink("/vblk1/fill"), 0);
	assert_int_equal(vfs_sync(), 0);
}

static void test_descriptor_table_full(void **state)
{
	int fds[VFS_MAX_FDS], n = 0, fd;

	(void)state;
	assert_true(vfs_open("/many", VFS_O_WRONLY | VFS_O_CREAT) >= 0);
	vfs_reset();
	assert_int_equal(vfs_mount("/", disks[0].fs), 0);
	assert_int_equal(vfs_mount("/vblk1", disks[1].fs), 0);
	while ((fd = vfs_open("/many", VFS_O_RDONLY)) >= 0)
		fds[n++] = fd;
	assert_int_equal(fd, -EMFILE);
	assert_int_equal(n, VFS_MAX_FDS - VFS_FIRST_FD);
	for (int i = 0; i < n; i++)
		assert_int_equal(vfs_close(fds[i]), 0);
	assert_int_equal(vfs_unlink("/many"), 0);
}

/* A commit whose write fails: that fsync fails, and so does every later one. */
static void test_sticky_commit_error(void **state)
{
	int fd;

	(void)state;
	fd = vfs_open("/vblk1/s", VFS_O_WRONLY | VFS_O_CREAT);
	assert_int_equal(vfs_write(fd, "x", 1), 1);
	disks[1].rd.fail_write_in = 1;
	assert_int_equal(vfs_fsync(fd), -EIO);
	assert_int_equal(vfs_fsync(fd), -EIO);
	assert_int_equal(vfs_write(fd, "y", 1), -EIO);
	assert_int_equal(vfs_sync(), -EIO);
	/* The other filesystem is unaffected. */
	assert_int_equal(vfs_mkdir("/still"), 0);
	assert_int_equal(vfs_rmdir("/still"), 0);
	assert_int_equal(vfs_close(fd), 0);
}

/* A read-only mount: every change is -EROFS, reads work. */
static void test_read_only(void **state)
{
	struct ramdisk rd;
	struct blk b;
	struct fs *fs;
	char buf[4];
	int fd;

	(void)state;
	ramdisk_init(&rd, 2 * MiB, 512);
	blk_init(&b, &rd.q.dev, false);
	assert_int_equal(fs_format(&b, &(struct fs_mkfs_opts){ 0 }), 0);
	assert_int_equal(fs_mount(&b, &(struct fs_mount_opts){ 0 }, NULL, &fs), 0);
	assert_int_equal(fs_create(fs, "/r"), 0);
	assert_int_equal(fs_unmount(fs), 0);
	assert_int_equal(fs_mount(&b, &(struct fs_mount_opts){ .read_only = true }, NULL, &fs), 0);
	assert_int_equal(vfs_mount("/ro", fs), 0);
	assert_int_equal(vfs_open("/ro/n", VFS_O_WRONLY | VFS_O_CREAT), -EROFS);
	assert_int_equal(vfs_mkdir("/ro/d"), -EROFS);
	assert_int_equal(vfs_unlink("/ro/r"), -EROFS);
	fd = vfs_open("/ro/r", VFS_O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(vfs_read(fd, buf, sizeof(buf)), 0);
	assert_int_equal(vfs_close(fd), 0);
	/* POSIX: opening for writing on a read-only filesystem fails. */
	assert_int_equal(vfs_open("/ro/r", VFS_O_RDWR), -EROFS);
	assert_int_equal(vfs_open("/ro/r", VFS_O_WRONLY), -EROFS);
	assert_int_equal(vfs_open("/ro/r", VFS_O_WRONLY | VFS_O_CREAT | VFS_O_EXCL), -EEXIST);
	vfs_reset();
	assert_int_equal(vfs_mount("/", disks[0].fs), 0);
	assert_int_equal(vfs_mount("/vblk1", disks[1].fs), 0);
	assert_int_equal(fs_unmount(fs), 0);
	ramdisk_free(&rd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_open_read_write_seek),
		cmocka_unit_test(test_dirs_and_errors),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_second_mount_and_full_disk),
		cmocka_unit_test(test_descriptor_table_full),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_sticky_commit_error),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
