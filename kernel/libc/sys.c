/*
 * kernel/libc/sys.c - the system calls the C library (picolibc or newlib)
 * and the program call, on kernel/posix/vfs.h.  Built with the library's
 * headers, so every flag, mode bit and errno value here is the library's;
 * the vfs layer's own values are translated at this boundary.
 *
 * Descriptors 0, 1 and 2 are the console: writes go to it, reads give end
 * of file (ordo has no console input), and it is a terminal (isatty).
 * Paths are absolute; a relative one is taken from "/" (there is no
 * chdir).  O_SYNC and O_DSYNC make every write on that descriptor end
 * with fsync().  Calls ordo does not have (fork, exec, signals beyond
 * raising one at ourselves, links) fail with ENOSYS, never pretend.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "kernel/libc/glue.h"
#include "kernel/posix/vfs.h"
#include "lib/errno_name.h"

#define CONSOLE_FDS 3

/* read() and write() return ssize_t in picolibc, newlib's type in newlib. */
#ifdef _READ_WRITE_RETURN_TYPE
typedef _READ_WRITE_RETURN_TYPE rw_ret_t;
#else
typedef ssize_t rw_ret_t;
#endif

/* Descriptors opened with O_SYNC or O_DSYNC. */
static bool fd_sync[VFS_MAX_FDS];

/*
 * The kernel's -errno (Linux numbering) as the library's errno, by name:
 * neither side needs the other's numbers.  Unknown or library-less codes
 * (EUCLEAN: a corrupt filesystem) are EIO.
 */
static int sys_err(long kerr)
{
	static const struct {
		const char *name;
		int err;
	} map[] = {
		{ "EPERM", EPERM },
		{ "ENOENT", ENOENT },
		{ "EIO", EIO },
		{ "ENXIO", ENXIO },
		{ "E2BIG", E2BIG },
		{ "EBADF", EBADF },
		{ "EAGAIN", EAGAIN },
		{ "ENOMEM", ENOMEM },
		{ "EFAULT", EFAULT },
		{ "EBUSY", EBUSY },
		{ "EEXIST", EEXIST },
		{ "EXDEV", EXDEV },
		{ "ENODEV", ENODEV },
		{ "ENOTDIR", ENOTDIR },
		{ "EISDIR", EISDIR },
		{ "EINVAL", EINVAL },
		{ "EMFILE", EMFILE },
		{ "EFBIG", EFBIG },
		{ "ENOSPC", ENOSPC },
		{ "ESPIPE", ESPIPE },
		{ "EROFS", EROFS },
		{ "EMLINK", EMLINK },
		{ "ERANGE", ERANGE },
		{ "ENAMETOOLONG", ENAMETOOLONG },
		{ "ENOTEMPTY", ENOTEMPTY },
		{ "ENODATA", ENODATA },
		{ "EPROTO", EPROTO },
		{ "EOVERFLOW", EOVERFLOW },
		{ "EBADMSG", EBADMSG },
		{ "EOPNOTSUPP", EOPNOTSUPP },
		{ "ETIMEDOUT", ETIMEDOUT },
		{ "ECANCELED", ECANCELED },
	};
	const char *name = errno_name((int)kerr);

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!strcmp(map[i].name, name))
			return map[i].err;
	}
	return EIO;
}

/* A vfs result: >= 0 passes, -errno becomes -1 and errno. */
static long sys_ret(long r)
{
	if (r >= 0)
		return r;
	errno = sys_err(r);
	return -1;
}

static long sys_fail(int err)
{
	errno = err;
	return -1;
}

/* `path` made absolute in buf (cwd is always "/"); NULL and errno if not. */
static const char *sys_path(const char *path, char *buf)
{
	size_t n;

	if (!path)
		return errno = EFAULT, NULL;
	n = strlen(path);
	if (n == 0)
		return errno = ENOENT, NULL;
	if (path[0] == '/')
		return path;
	if (n + 2 > VFS_PATH_MAX)
		return errno = ENAMETOOLONG, NULL;
	buf[0] = '/';
	memcpy(buf + 1, path, n + 1);
	return buf;
}

static bool sys_console(int fd)
{
	return fd >= 0 && fd < CONSOLE_FDS;
}

int open(const char *path, int flags, ...)
{
	int vflags = 0, fd;
	char pbuf[VFS_PATH_MAX];
	const char *p = sys_path(path, pbuf);

	if (!p)
		return -1;
	switch (flags & O_ACCMODE) {
	case O_RDONLY: vflags = VFS_O_RDONLY; break;
	case O_WRONLY: vflags = VFS_O_WRONLY; break;
	case O_RDWR: vflags = VFS_O_RDWR; break;
	default: return (int)sys_fail(EINVAL);
	}
	if (flags & O_CREAT)
		vflags |= VFS_O_CREAT;
	if (flags & O_EXCL)
		vflags |= VFS_O_EXCL;
	if (flags & O_TRUNC)
		vflags |= VFS_O_TRUNC;
	if (flags & O_APPEND)
		vflags |= VFS_O_APPEND;
#ifdef O_DIRECTORY
	if (flags & O_DIRECTORY)
		vflags |= VFS_O_DIRECTORY;
#endif
	fd = (int)sys_ret(vfs_open(p, vflags));
	if (fd >= 0) {
		fd_sync[fd] = (flags & O_SYNC) != 0;
#ifdef O_DSYNC
		fd_sync[fd] |= (flags & O_DSYNC) != 0;
#endif
	}
	return fd;
}

int creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int close(int fd)
{
	if (sys_console(fd))
		return 0;
	return (int)sys_ret(vfs_close(fd));
}

rw_ret_t read(int fd, void *buf, size_t len)
{
	if (fd == 0)
		return 0; /* no console input: end of file */
	if (sys_console(fd))
		return sys_fail(EBADF);
	return sys_ret(vfs_read(fd, buf, len));
}

/* After a write on an O_SYNC descriptor: make it durable, or fail. */
static long sys_synced(int fd, long n)
{
	int err;

	if (n > 0 && fd >= 0 && fd < VFS_MAX_FDS && fd_sync[fd]) {
		err = vfs_fsync(fd);
		if (err)
			return sys_ret(err);
	}
	return n;
}

rw_ret_t write(int fd, const void *buf, size_t len)
{
	if (fd == 1 || fd == 2) {
		glue_console_write(buf, len);
		return (rw_ret_t)len;
	}
	if (fd == 0)
		return sys_fail(EBADF);
	return sys_synced(fd, sys_ret(vfs_write(fd, buf, len)));
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	if (sys_console(fd))
		return sys_fail(ESPIPE);
	if (off < 0)
		return sys_fail(EINVAL);
	return sys_ret(vfs_pread(fd, buf, len, (u64)off));
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (sys_console(fd))
		return sys_fail(ESPIPE);
	if (off < 0)
		return sys_fail(EINVAL);
	return sys_synced(fd, sys_ret(vfs_pwrite(fd, buf, len, (u64)off)));
}

off_t lseek(int fd, off_t off, int whence)
{
	int w;

	if (sys_console(fd))
		return sys_fail(ESPIPE);
	switch (whence) {
	case SEEK_SET: w = VFS_SEEK_SET; break;
	case SEEK_CUR: w = VFS_SEEK_CUR; break;
	case SEEK_END: w = VFS_SEEK_END; break;
	default: return sys_fail(EINVAL);
	}
	return sys_ret(vfs_lseek(fd, off, w));
}

static void sys_stat_fill(struct stat *st, const struct vfs_stat *v)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = v->dev;
	st->st_ino = v->ino;
	st->st_mode = v->is_dir ? S_IFDIR | 0755 : S_IFREG | 0644;
	st->st_nlink = v->nlink;
	st->st_size = (off_t)v->size;
	st->st_blksize = 4096;
	st->st_blocks = v->blocks * (4096 / 512);
}

int fstat(int fd, struct stat *st)
{
	struct vfs_stat v;
	int err;

	if (sys_console(fd)) {
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFCHR | 0620;
		st->st_nlink = 1;
		return 0;
	}
	err = vfs_fstat(fd, &v);
	if (err)
		return (int)sys_ret(err);
	sys_stat_fill(st, &v);
	return 0;
}

int stat(const char *path, struct stat *st)
{
	struct vfs_stat v;
	int err;
	char pbuf[VFS_PATH_MAX];
	const char *p = sys_path(path, pbuf);

	if (!p)
		return -1;
	err = vfs_stat(p, &v);
	if (err)
		return (int)sys_ret(err);
	sys_stat_fill(st, &v);
	return 0;
}

int isatty(int fd)
{
	if (sys_console(fd))
		return 1;
	errno = fd >= 0 && fd < VFS_MAX_FDS ? ENOTTY : EBADF;
	return 0;
}

int fsync(int fd)
{
	if (sys_console(fd))
		return 0;
	return (int)sys_ret(vfs_fsync(fd));
}

int fdatasync(int fd)
{
	if (sys_console(fd))
		return 0;
	return (int)sys_ret(vfs_fdatasync(fd));
}

int ftruncate(int fd, off_t len)
{
	if (len < 0)
		return (int)sys_fail(EINVAL);
	return (int)sys_ret(vfs_ftruncate(fd, (u64)len));
}

int truncate(const char *path, off_t len)
{
	int fd = open(path, O_WRONLY), err;

	if (fd < 0)
		return -1;
	err = ftruncate(fd, len);
	if (err)
		return close(fd), -1;
	return close(fd);
}

void sync(void)
{
	/* POSIX sync() has no result: a failure is sticky, fsync() reports it. */
	(void)vfs_sync();
}

int unlink(const char *path)
{
	char pbuf[VFS_PATH_MAX];
	const char *p = sys_path(path, pbuf);

	if (!p)
		return -1;
	return (int)sys_ret(vfs_unlink(p));
}

int mkdir(const char *path, mode_t mode)
{
	char pbuf[VFS_PATH_MAX];
	const char *p = sys_path(path, pbuf);

	if (!p)
		return -1;
	(void)mode; /* ordofs keeps no permissions */
	return (int)sys_ret(vfs_mkdir(p));
}

int rmdir(const char *path)
{
	char pbuf[VFS_PATH_MAX];
	const char *p = sys_path(path, pbuf);

	if (!p)
		return -1;
	return (int)sys_ret(vfs_rmdir(p));
}

int rename(const char *from, const char *to)
{
	char fbuf[VFS_PATH_MAX], tbuf[VFS_PATH_MAX];
	const char *f = sys_path(from, fbuf), *t = f ? sys_path(to, tbuf) : NULL;

	if (!t)
		return -1;
	return (int)sys_ret(vfs_rename(f, t));
}

int remove(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	return S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path);
}

int statvfs(const char *path, struct statvfs *buf)
{
	struct vfs_statfs v;
	int err;
	char pbuf[VFS_PATH_MAX];
	const char *p = sys_path(path, pbuf);

	if (!p)
		return -1;
	err = vfs_statfs(p, &v);
	if (err)
		return (int)sys_ret(err);
	memset(buf, 0, sizeof(*buf));
	buf->f_bsize = v.block_size;
	buf->f_frsize = v.block_size;
	buf->f_blocks = v.blocks;
	buf->f_bfree = v.free_blocks;
	buf->f_bavail = v.free_blocks;
	buf->f_files = v.files;
	buf->f_ffree = v.free_files;
	buf->f_favail = v.free_files;
	buf->f_flag = v.read_only ? ST_RDONLY : 0;
	buf->f_namemax = v.name_max;
	return 0;
}

/* ---- directory streams -------------------------------------------------- */

struct __ordo_dir {
	int fd;
	struct dirent ent;
};

DIR *opendir(const char *path)
{
	DIR *d;
	int fd;
	char pbuf[VFS_PATH_MAX];
	const char *p = sys_path(path, pbuf);

	if (!p)
		return NULL;
	fd = vfs_opendir(p);
	if (fd < 0)
		return sys_ret(fd), NULL;
	d = malloc(sizeof(*d));
	if (!d) {
		vfs_close(fd);
		return NULL;
	}
	d->fd = fd;
	return d;
}

struct dirent *readdir(DIR *d)
{
	struct vfs_dirent de;
	int r;

	if (!d)
		return sys_fail(EBADF), NULL;
	r = vfs_readdir(d->fd, &de);
	if (r <= 0)
		return sys_ret(r), NULL; /* 0: the end, errno untouched */
	d->ent.d_ino = de.ino;
	d->ent.d_type = de.is_dir ? DT_DIR : DT_REG;
	memcpy(d->ent.d_name, de.name, sizeof(de.name));
	return &d->ent;
}

int closedir(DIR *d)
{
	int err;

	if (!d)
		return (int)sys_fail(EBADF);
	err = vfs_close(d->fd);
	free(d);
	return (int)sys_ret(err);
}

int dirfd(DIR *d)
{
	return d->fd;
}

/* ---- the process ---------------------------------------------------------- */

void _exit(int status)
{
	glue_exit(status);
}

pid_t getpid(void)
{
	return 1;
}

/*
 * The only process is the program: a signal sent to it (abort(), raise())
 * ends it, with a line saying which, as a default action would.
 */
int kill(pid_t pid, int sig)
{
	if (pid != 1 && pid != 0 && pid != -1)
		return (int)sys_fail(ESRCH);
	if (sig == 0)
		return 0;
	fflush(stdout);
	fprintf(stderr, "app: terminated by signal %d\n", sig);
	glue_exit(1);
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	(void)how;
	(void)set;
	if (old)
		memset(old, 0, sizeof(*old));
	return 0;
}

/* Time: since boot (ordo reads no real-time clock). */
int gettimeofday(struct timeval *tv, void *tz)
{
	unsigned long long ns = glue_time_ns();

	(void)tz;
	if (tv) {
		tv->tv_sec = (time_t)(ns / 1000000000u);
		tv->tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
	}
	return 0;
}

/* Declared by <time.h> only for some feature macros. */
int clock_gettime(clockid_t clock, struct timespec *ts);

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	unsigned long long ns = glue_time_ns();

	/* Both count from boot: ordo reads no real-time clock. */
	if (clock != CLOCK_REALTIME
#ifdef CLOCK_MONOTONIC
	    && clock != CLOCK_MONOTONIC
#endif
	)
		return (int)sys_fail(EINVAL);
	ts->tv_sec = (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
	return 0;
}

clock_t times(struct tms *t)
{
	clock_t c = (clock_t)(glue_time_ns() / (1000000000u / CLOCKS_PER_SEC));

	if (t) {
		t->tms_utime = c;
		t->tms_stime = 0;
		t->tms_cutime = 0;
		t->tms_cstime = 0;
	}
	return c;
}

/* No entropy source: say so rather than hand out predictable bytes. */
int getentropy(void *buf, size_t len)
{
	(void)buf;
	(void)len;
	return (int)sys_fail(ENOSYS);
}
