/*
 * apps/posixtest/posixtest.c - a conformance test of the POSIX file calls
 * ordo offers to user programs (and stdio on files), a user program for ordo
 * that also builds and runs on Linux.
 *
 * Interface:
 *   posixtest [--ro DIR] [--full DIR] BASE
 *       Works in a new directory BASE/pt-N (removed at the end) and prints
 *       one TAP line per check, "ok N - what" or "not ok N - what: got X,
 *       expected Y", then "1..N" and last "posixtest: P passed, F failed, S
 *       skipped".  --ro DIR: DIR is on a read-only filesystem and holds a
 *       file; writes there must fail with EROFS and reads must work.  --full
 *       DIR: DIR is on a small filesystem that the test fills until ENOSPC.
 *       Without an option its group prints one "# SKIP" line.  Exit status 0
 *       iff nothing failed.
 *   posixtest --rename-loop N BASE
 *       N times: write BASE/rl.tmp with "version K", a filler that depends on
 *       K and a checksum line, fsync, rename it over BASE/rl.dat, fsync that,
 *       then print "renamed K".
 *   posixtest --rename-check BASE
 *       BASE/rl.dat must be one complete version ("rename-check: version K
 *       intact", status 0); missing or torn is a failure (status 1).  Run
 *       after killing a rename loop: atomic rename means old or new, never
 *       neither.
 *
 * Where POSIX allows two errors (unlink of a directory: EISDIR or EPERM;
 * rename onto or rmdir of a non-empty directory: ENOTEMPTY or EEXIST) either
 * passes and the line says which one came.  Only the calls of ordo's set are
 * used (no fork, time, getcwd, ...): see the checks below for the list.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PATH_BUF 1024
#define CHUNK 65536
#define ENAME(e)      \
	{             \
		e, #e \
	}

/* POSIX (XSI) sync(); glibc declares it only beyond plain _POSIX_C_SOURCE. */
void sync(void);

static unsigned n_test, n_pass, n_fail, n_skip;
static char base[PATH_BUF / 2]; /* BASE/pt-N, where the tests work */
static uint8_t buf[CHUNK], buf2[CHUNK];

static const char *ename(int e)
{
	static char other[32];
	static const struct {
		int e;
		const char *name;
	} names[] = { ENAME(ENOENT),	   ENAME(EEXIST),  ENAME(EBADF),     ENAME(EINVAL),
		      ENAME(EISDIR),	   ENAME(ENOTDIR), ENAME(ENOTEMPTY), ENAME(EROFS),
		      ENAME(ENAMETOOLONG), ENAME(ENOSPC),  ENAME(EPERM),     ENAME(EIO),
		      ENAME(EACCES),	   ENAME(EXDEV),   ENAME(EBUSY),     ENAME(EFBIG),
		      ENAME(ENOMEM) };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

/* Report one check. */
static void check(bool ok, const char *what, const char *got, const char *want)
{
	n_test++;
	if (ok) {
		n_pass++;
		printf("ok %u - %s\n", n_test, what);
	} else {
		n_fail++;
		printf("not ok %u - %s: got %s, expected %s\n", n_test, what, got, want);
	}
	fflush(stdout);
}

static void skip(const char *what, const char *why)
{
	n_test++;
	n_skip++;
	printf("ok %u - %s # SKIP %s\n", n_test, what, why);
	fflush(stdout);
}

/* A call that returned ret (errno err) must return want. */
static void check_eq(long ret, int err, long want, const char *what)
{
	char got[64], exp[32];

	if (ret == -1 && want != -1)
		snprintf(got, sizeof(got), "-1 (%s)", ename(err));
	else
		snprintf(got, sizeof(got), "%ld", ret);
	snprintf(exp, sizeof(exp), "%ld", want);
	check(ret == want, what, got, exp);
}

/* A call that returned ret (errno err) must fail with want or alt (alt 0: none). */
static void check_err(long ret, int err, int want, int alt, const char *what)
{
	char got[64], exp[64], desc[256];
	bool ok = ret == -1 && (err == want || (alt && err == alt));

	if (ret == -1)
		snprintf(got, sizeof(got), "-1 %s", ename(err));
	else
		snprintf(got, sizeof(got), "%ld (success)", ret);
	snprintf(exp, sizeof(exp), "-1 %s%s%s", ename(want), alt ? " or " : "",
		 alt ? ename(alt) : "");
	if (ok && alt) {
		snprintf(desc, sizeof(desc), "%s (%s)", what, ename(err));
		what = desc;
	}
	check(ok, what, got, exp);
}

/* A call that returned ret (errno err) must succeed: ret >= 0. */
static void check_ok(long ret, int err, const char *what)
{
	char got[64];

	snprintf(got, sizeof(got), "%ld (%s)", ret, ename(err));
	check(ret >= 0, what, got, "success");
}

/* Evaluate call with errno cleared, then check its result. */
#define EXPECT_EQ(call, want, what)                  \
	do {                                         \
		errno = 0;                           \
		long r_ = (long)(call);              \
		check_eq(r_, errno, (want), (what)); \
	} while (0)
#define EXPECT_ERR2(call, want, alt, what)                   \
	do {                                                 \
		errno = 0;                                   \
		long r_ = (long)(call);                      \
		check_err(r_, errno, (want), (alt), (what)); \
	} while (0)
#define EXPECT_ERR(call, want, what) EXPECT_ERR2(call, want, 0, what)
#define EXPECT_OK(call, what)                \
	do {                                 \
		errno = 0;                   \
		long r_ = (long)(call);      \
		check_ok(r_, errno, (what)); \
	} while (0)

/* A call returning a pointer (assigned inside call) must succeed. */
#define EXPECT_PTR(call, what)                         \
	do {                                           \
		errno = 0;                             \
		bool ok_ = (call) != NULL;             \
		check_ok(ok_ ? 0 : -1, errno, (what)); \
	} while (0)

/* BASE/pt-N/name in one of four rotating buffers. */
static const char *P(const char *name)
{
	static char paths[4][PATH_BUF];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, PATH_BUF, "%s/%s", base, name);
	return p;
}

/* dir/name into p. */
static const char *join(char *p, const char *dir, const char *name)
{
	snprintf(p, PATH_BUF, "%s/%s", dir, name);
	return p;
}

/* open must fail with want (or alt); a descriptor it returns anyway is closed. */
static void open_err(const char *path, int flags, int want, int alt, const char *what)
{
	int fd, err;

	errno = 0;
	fd = open(path, flags, 0644);
	err = errno;
	check_err(fd, err, want, alt, what);
	if (fd >= 0)
		close(fd);
}

/* fopen must return NULL with errno want; a FILE it returns anyway is closed. */
static void fopen_err(const char *path, const char *mode, int want, const char *what)
{
	FILE *fp;
	int err;

	errno = 0;
	fp = fopen(path, mode);
	err = errno;
	check_err(fp ? 0 : -1, err, want, 0, what);
	if (fp)
		fclose(fp);
}

/* opendir must return NULL with errno want. */
static void opendir_err(const char *path, int want, const char *what)
{
	DIR *d;
	int err;

	errno = 0;
	d = opendir(path);
	err = errno;
	check_err(d ? 0 : -1, err, want, 0, what);
	if (d)
		closedir(d);
}

/* Create path holding len bytes of data, fsynced; 0 or -1. */
static int put_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bool ok = fd >= 0 && write(fd, data, len) == (ssize_t)len && !fsync(fd);

	if (fd >= 0 && close(fd))
		ok = false;
	return ok ? 0 : -1;
}

/* Read up to cap bytes of path into dst; the count, or -1. */
static long get_file(const char *path, void *dst, size_t cap)
{
	int fd = open(path, O_RDONLY);
	size_t done = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -1;
	while (done < cap && (n = read(fd, (char *)dst + done, cap - done)) > 0)
		done += (size_t)n;
	close(fd);
	return n < 0 ? -1 : (long)done;
}

/* Does path hold exactly the len bytes at data? */
static bool file_is(const char *path, const void *data, size_t len)
{
	return get_file(path, buf2, sizeof(buf2)) == (long)len && !memcmp(buf2, data, len);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void fill_pattern(uint8_t *p, size_t n, uint64_t off)
{
	for (size_t i = 0; i < n; i++, off++)
		p[i] = (uint8_t)(off * 31 + (off >> 12) + 7);
}

/* Remove path and everything under it; 0 or -1. */
static int remove_tree(const char *path)
{
	struct stat st;
	char sub[PATH_BUF];
	struct dirent *de;
	DIR *d;
	int err = 0;

	if (stat(path, &st))
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	/* Unlink one entry at a time, reopening: no readdir across removals. */
	for (bool again = true; again && !err;) {
		again = false;
		d = opendir(path);
		if (!d)
			return -1;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			err = remove_tree(join(sub, path, de->d_name));
			again = true;
			break;
		}
		closedir(d);
	}
	return err ? err : rmdir(path);
}

static void test_open(void)
{
	const char *f = P("f1");
	char got[16] = "";
	int fd;

	puts("# open, close, O_* flags");
	EXPECT_OK(fd = open(f, O_CREAT | O_WRONLY, 0644), "open O_CREAT|O_WRONLY creates a file");
	EXPECT_EQ(write(fd, "0123456789", 10), 10, "write of 10 bytes returns 10");
	EXPECT_EQ(close(fd), 0, "close returns 0");
	EXPECT_ERR(close(fd), EBADF, "close of a closed descriptor gives EBADF");
	open_err(f, O_CREAT | O_EXCL | O_WRONLY, EEXIST, 0,
		 "O_CREAT|O_EXCL on an existing file gives EEXIST");
	open_err(P("missing"), O_RDONLY, ENOENT, 0, "open of a missing file gives ENOENT");
	EXPECT_OK(fd = open(P("f-excl"), O_CREAT | O_EXCL | O_WRONLY, 0644),
		  "O_CREAT|O_EXCL creates a new file");
	close(fd);

	fd = open(f, O_RDONLY);
	EXPECT_ERR(write(fd, "x", 1), EBADF, "write on an O_RDONLY descriptor gives EBADF");
	EXPECT_EQ(read(fd, got, 4), 4, "read on an O_RDONLY descriptor works");
	close(fd);
	fd = open(f, O_WRONLY);
	EXPECT_ERR(read(fd, got, 1), EBADF, "read on an O_WRONLY descriptor gives EBADF");
	close(fd);

	fd = open(f, O_WRONLY | O_TRUNC);
	EXPECT_EQ(lseek(fd, 0, SEEK_END), 0, "O_TRUNC empties the file");
	EXPECT_EQ(write(fd, "abc", 3), 3, "write after O_TRUNC");
	close(fd);
	fd = open(f, O_WRONLY | O_APPEND);
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0, "lseek to 0 on an O_APPEND descriptor");
	EXPECT_EQ(write(fd, "def", 3), 3, "write on an O_APPEND descriptor");
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 6, "after an O_APPEND write the offset is the end");
	close(fd);
	EXPECT_EQ(file_is(f, "abcdef", 6), 1, "O_APPEND writes went to the end after lseek");
}

static void test_rw(void)
{
	uint8_t pat[256], got[512];
	struct stat st;
	int fd;

	puts("# read, write, pread, pwrite, lseek, fsync");
	fill_pattern(pat, sizeof(pat), 0);
	fd = open(P("rw"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	EXPECT_EQ(write(fd, pat, 256), 256, "write of 256 bytes");
	EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0, "lseek SEEK_SET 0");
	EXPECT_EQ(read(fd, got, 256), 256, "read of 256 bytes");
	EXPECT_EQ(memcmp(got, pat, 256), 0, "read returns what write wrote");
	EXPECT_EQ(read(fd, got, 16), 0, "read at end of file returns 0");
	EXPECT_EQ(pread(fd, got, 20, 10), 20, "pread of 20 bytes at 10");
	EXPECT_EQ(memcmp(got, pat + 10, 20), 0, "pread returns the bytes at its offset");
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 256, "pread does not move the offset");
	EXPECT_EQ(pwrite(fd, "XYZ", 3, 50), 3, "pwrite of 3 bytes at 50");
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 256, "pwrite does not move the offset");
	EXPECT_EQ(pread(fd, got, 3, 50) == 3 && !memcmp(got, "XYZ", 3), 1,
		  "pread sees what pwrite wrote");
	EXPECT_EQ(pread(fd, got, 100, 200), 56, "pread across the end returns a short count");
	EXPECT_EQ(lseek(fd, 5, SEEK_SET), 5, "lseek SEEK_SET 5");
	EXPECT_EQ(lseek(fd, 3, SEEK_CUR), 8, "lseek SEEK_CUR +3");
	EXPECT_EQ(lseek(fd, -1, SEEK_END), 255, "lseek SEEK_END -1");
	EXPECT_ERR(lseek(fd, -1000, SEEK_CUR), EINVAL, "lseek to a negative offset gives EINVAL");
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 255, "a failed lseek leaves the offset");
	EXPECT_EQ(lseek(fd, 10000, SEEK_SET), 10000, "lseek beyond the end");
	EXPECT_EQ(write(fd, "Q", 1), 1, "write beyond the end");
	EXPECT_EQ(fstat(fd, &st) == 0 && st.st_size == 10001, 1, "the file grew to 10001 bytes");
	EXPECT_EQ(pread(fd, buf, 9744, 256), 9744, "pread of the hole");
	EXPECT_EQ(all_zero(buf, 9744), 1, "the hole reads as zeros");
	EXPECT_EQ(fsync(fd), 0, "fsync returns 0");
	EXPECT_EQ(fdatasync(fd), 0, "fdatasync returns 0");
	close(fd);
	EXPECT_ERR(fsync(fd), EBADF, "fsync of a closed descriptor gives EBADF");
	EXPECT_ERR(fdatasync(-1), EBADF, "fdatasync(-1) gives EBADF");
	EXPECT_ERR(read(fd, got, 1), EBADF, "read of a closed descriptor gives EBADF");
}

static void test_truncate_stat(void)
{
	uint8_t pat[100];
	struct stat st, st2;
	int fd;

	puts("# ftruncate, stat, fstat");
	fill_pattern(pat, sizeof(pat), 0);
	fd = open(P("tr"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	write(fd, pat, sizeof(pat));
	EXPECT_EQ(ftruncate(fd, 10), 0, "ftruncate shrinks to 10");
	EXPECT_EQ(fstat(fd, &st) == 0 && st.st_size == 10, 1, "fstat size is 10 after shrinking");
	EXPECT_EQ(pread(fd, buf, 100, 0), 10, "read after shrinking returns 10 bytes");
	EXPECT_EQ(memcmp(buf, pat, 10), 0, "the kept bytes are intact");
	EXPECT_EQ(ftruncate(fd, 5000), 0, "ftruncate grows to 5000");
	EXPECT_EQ(pread(fd, buf, 6000, 0), 5000, "read after growing returns 5000 bytes");
	EXPECT_EQ(all_zero(buf + 10, 4990), 1, "the grown part reads as zeros, not old data");
	close(fd);
	fd = open(P("tr"), O_RDONLY);
	EXPECT_ERR2(ftruncate(fd, 0), EBADF, EINVAL, "ftruncate on an O_RDONLY descriptor fails");
	close(fd);

	fill_pattern(buf, 8192, 0);
	put_file(P("st"), buf, 8192);
	EXPECT_EQ(stat(P("st"), &st), 0, "stat of a file");
	EXPECT_EQ(st.st_size, 8192, "stat size of an 8192-byte file");
	EXPECT_EQ(S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode), 1, "S_ISREG and not S_ISDIR");
	EXPECT_EQ(st.st_nlink >= 1, 1, "st_nlink is at least 1");
	EXPECT_EQ(st.st_blocks * 512 >= 8192, 1, "st_blocks*512 covers a written, fsynced file");
	fd = open(P("st"), O_RDONLY);
	EXPECT_EQ(fstat(fd, &st2), 0, "fstat of an open file");
	close(fd);
	EXPECT_EQ(st2.st_ino == st.st_ino && st2.st_size == 8192, 1, "fstat agrees with stat");
	stat(P("tr"), &st2);
	EXPECT_EQ(st2.st_ino != st.st_ino, 1, "two files have different st_ino");
	EXPECT_EQ(stat(base, &st) == 0 && S_ISDIR(st.st_mode), 1, "stat of a directory: S_ISDIR");
	EXPECT_ERR(stat(P("missing"), &st), ENOENT, "stat of a missing name gives ENOENT");
}

static void test_unlink_rename(void)
{
	struct stat st;

	puts("# unlink, rename");
	EXPECT_ERR(unlink(P("missing")), ENOENT, "unlink of a missing name gives ENOENT");
	put_file(P("u"), "u", 1);
	EXPECT_EQ(unlink(P("u")), 0, "unlink of a file");
	EXPECT_ERR(stat(P("u"), &st), ENOENT, "an unlinked name is gone");
	mkdir(P("ud"), 0755);
	EXPECT_ERR2(unlink(P("ud")), EISDIR, EPERM, "unlink of a directory fails");

	put_file(P("ra"), "AAA", 3);
	put_file(P("rb"), "BBB", 3);
	EXPECT_EQ(rename(P("ra"), P("rb")), 0, "rename over an existing file");
	EXPECT_ERR(stat(P("ra"), &st), ENOENT, "after rename the old name gives ENOENT");
	EXPECT_EQ(file_is(P("rb"), "AAA", 3), 1, "after rename the target holds the old content");
	EXPECT_ERR(rename(P("missing"), P("rc")), ENOENT, "rename of a missing name gives ENOENT");
	EXPECT_ERR(rename(P("rb"), P("nodir/x")), ENOENT,
		   "rename into a missing directory gives ENOENT");
	mkdir(P("d1"), 0755);
	put_file(P("d1/in"), "in", 2);
	EXPECT_EQ(rename(P("d1"), P("d2")), 0, "rename of a directory");
	EXPECT_EQ(file_is(P("d2/in"), "in", 2), 1, "the renamed directory keeps its file");
	EXPECT_ERR(stat(P("d1"), &st), ENOENT, "the old directory name is gone");
	mkdir(P("d3"), 0755);
	put_file(P("d3/x"), "x", 1);
	EXPECT_ERR2(rename(P("d2"), P("d3")), ENOTEMPTY, EEXIST,
		    "rename onto a non-empty directory fails");
	EXPECT_EQ(file_is(P("d3/x"), "x", 1), 1, "the non-empty target is untouched");
}

/* The longest name BASE's filesystem takes (statvfs), at most 255. */
static size_t name_max(void)
{
	struct statvfs sv;

	if (statvfs(base, &sv) || sv.f_namemax == 0 || sv.f_namemax > 255)
		return 14; /* _POSIX_NAME_MAX */
	return sv.f_namemax;
}

static void test_dirs(void)
{
	static char nmax[256]; /* a name of exactly f_namemax bytes */
	static const char *names[] = { "a", "b", "file-2", "sub", "zz", nmax };
	enum { NNAMES = sizeof(names) / sizeof(names[0]) };
	int seen[NNAMES] = { 0 }, dups = 0, extra = 0, made = 0, missed = 0;
	char p[PATH_BUF];
	struct dirent *de;
	struct stat st;
	DIR *d;

	puts("# mkdir, rmdir, opendir, readdir, closedir");
	memset(nmax, 'n', name_max());
	EXPECT_EQ(mkdir(P("m"), 0755), 0, "mkdir");
	EXPECT_ERR(mkdir(P("m"), 0755), EEXIST, "mkdir of an existing name gives EEXIST");
	EXPECT_ERR(mkdir(P("nodir/x"), 0755), ENOENT, "mkdir under a missing parent gives ENOENT");
	put_file(P("m/f"), "f", 1);
	EXPECT_ERR(mkdir(P("m/f/x"), 0755), ENOTDIR, "mkdir under a file gives ENOTDIR");
	EXPECT_ERR2(rmdir(P("m")), ENOTEMPTY, EEXIST, "rmdir of a non-empty directory fails");
	EXPECT_ERR(rmdir(P("m/f")), ENOTDIR, "rmdir of a file gives ENOTDIR");
	EXPECT_ERR(rmdir(P("missing")), ENOENT, "rmdir of a missing name gives ENOENT");
	unlink(P("m/f"));
	EXPECT_EQ(rmdir(P("m")), 0, "rmdir of an empty directory");
	EXPECT_ERR(stat(P("m"), &st), ENOENT, "a removed directory is gone");

	mkdir(P("ls"), 0755);
	for (int i = 0; i < NNAMES; i++) {
		join(p, P("ls"), names[i]);
		made += !(strcmp(names[i], "sub") ? put_file(p, names[i], 1) : mkdir(p, 0755));
	}
	EXPECT_EQ(made, NNAMES,
		  "create 5 files and a directory to list, one name of f_namemax bytes");
	EXPECT_PTR(d = opendir(P("ls")), "opendir");
	while (d && (de = readdir(d))) {
		int k = 0;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		while (k < NNAMES && strcmp(de->d_name, names[k]))
			k++;
		if (k == NNAMES)
			extra++;
		else if (seen[k]++)
			dups++;
	}
	if (d)
		EXPECT_EQ(closedir(d), 0, "closedir");
	for (int i = 0; i < NNAMES; i++)
		missed += !seen[i];
	EXPECT_EQ(missed, 0, "readdir finds every created name (count of names missed)");
	EXPECT_EQ(extra, 0, "readdir finds nothing else (count of other names)");
	EXPECT_EQ(dups, 0, "readdir returns no name twice");
	opendir_err(P("missing"), ENOENT, "opendir of a missing name gives ENOENT");
	opendir_err(P("ls/a"), ENOTDIR, "opendir of a file gives ENOTDIR");
	unlink(join(p, P("ls"), "a"));
	d = opendir(P("ls"));
	extra = 0;
	while (d && (de = readdir(d)))
		extra += !strcmp(de->d_name, "a");
	if (d)
		closedir(d);
	EXPECT_EQ(extra, 0, "readdir no longer lists an unlinked name");
}

static void test_paths(void)
{
	char longname[301];
	struct statvfs sv;
	struct stat st;

	puts("# path errors, sync, statvfs");
	put_file(P("pf"), "p", 1);
	open_err(P("nodir/x"), O_CREAT | O_WRONLY, ENOENT, 0,
		 "open under a missing parent gives ENOENT");
	open_err(P("pf/x"), O_CREAT | O_WRONLY, ENOTDIR, 0, "open through a file gives ENOTDIR");
	EXPECT_ERR(stat(P("pf/x"), &st), ENOTDIR, "stat through a file gives ENOTDIR");
	open_err(base, O_WRONLY, EISDIR, 0, "open of a directory O_WRONLY gives EISDIR");
	open_err(base, O_RDWR, EISDIR, 0, "open of a directory O_RDWR gives EISDIR");
	memset(longname, 'L', name_max() + 1);
	longname[name_max() + 1] = '\0';
	open_err(P(longname), O_CREAT | O_WRONLY, ENAMETOOLONG, 0,
		 "open O_CREAT of a name of f_namemax + 1 bytes gives ENAMETOOLONG");
	memset(longname, 'L', 300);
	longname[300] = '\0';
	open_err(P(longname), O_CREAT | O_WRONLY, ENAMETOOLONG, 0,
		 "open O_CREAT of a 300-byte name gives ENAMETOOLONG");
	EXPECT_ERR(stat(P(longname), &st), ENAMETOOLONG,
		   "stat of a 300-byte name gives ENAMETOOLONG");
	EXPECT_ERR(mkdir(P(longname), 0755), ENAMETOOLONG,
		   "mkdir of a 300-byte name gives ENAMETOOLONG");
	sync();
	check(true, "sync() returns", "", "");
	EXPECT_EQ(statvfs(base, &sv), 0, "statvfs");
	EXPECT_EQ(sv.f_bsize > 0 && sv.f_blocks > 0 && sv.f_bfree <= sv.f_blocks &&
			  sv.f_bavail <= sv.f_bfree,
		  1, "statvfs: f_bsize, f_blocks > 0; f_bavail <= f_bfree <= f_blocks");
	EXPECT_EQ(sv.f_files >= sv.f_ffree && sv.f_namemax >= 14, 1,
		  "statvfs: f_ffree <= f_files, f_namemax >= 14");
	EXPECT_ERR(statvfs(P("missing"), &sv), ENOENT, "statvfs of a missing name gives ENOENT");
}

static void test_stdio(void)
{
	char got[64];
	FILE *fp;

	puts("# stdio on files");

	EXPECT_PTR(fp = fopen(P("st.txt"), "w"), "fopen \"w\"");
	if (fp) {
		EXPECT_EQ(fprintf(fp, "hello %d %s\n", 42, "stdio"), 15, "fprintf returns 15");
		EXPECT_EQ(fclose(fp), 0, "fclose");
	}
	fp = fopen(P("st.txt"), "a");
	if (fp) {
		EXPECT_EQ(fputs("line2\n", fp) >= 0 && fflush(fp) == 0, 1,
			  "fopen \"a\", fputs, fflush");
		fclose(fp);
	}
	EXPECT_PTR(fp = fopen(P("st.txt"), "r"), "fopen \"r\"");
	if (fp) {
		EXPECT_EQ(fgets(got, sizeof(got), fp) && !strcmp(got, "hello 42 stdio\n"), 1,
			  "fgets reads back the first line");
		EXPECT_EQ(fgets(got, sizeof(got), fp) && !strcmp(got, "line2\n"), 1,
			  "fgets reads the appended line");
		EXPECT_EQ(fgets(got, sizeof(got), fp) == NULL, 1, "fgets at the end returns NULL");
		fclose(fp);
	}
	fopen_err(P("missing"), "r", ENOENT, "fopen \"r\" of a missing file gives NULL, ENOENT");
	fill_pattern(buf, 5000, 3);
	fp = fopen(P("bin"), "wb");
	if (fp) {
		EXPECT_EQ(fwrite(buf, 1, 5000, fp), 5000, "fwrite of 5000 bytes");
		EXPECT_EQ(fclose(fp), 0, "fclose after fwrite");
	}
	fp = fopen(P("bin"), "rb");
	if (fp) {
		EXPECT_EQ(fread(buf2, 1, sizeof(buf2), fp), 5000, "fread returns 5000 bytes");
		EXPECT_EQ(memcmp(buf, buf2, 5000), 0, "fread returns what fwrite wrote");
		fclose(fp);
	}
}

/* A regular file in dir, into p; false if there is none. */
static bool find_file(const char *dir, char *p)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	bool found = false;

	while (d && !found && (de = readdir(d)))
		found = !stat(join(p, dir, de->d_name), &st) && S_ISREG(st.st_mode);
	if (d)
		closedir(d);
	return found;
}

static void test_ro(const char *dir)
{
	char f[PATH_BUF], p[PATH_BUF];
	struct stat st;
	int fd;

	puts("# read-only filesystem");
	if (!find_file(dir, f)) {
		check(false, "the --ro directory holds a regular file", "none", "one");
		return;
	}
	EXPECT_EQ(stat(f, &st), 0, "stat of a file on a read-only filesystem");
	EXPECT_OK(fd = open(f, O_RDONLY), "open O_RDONLY on a read-only filesystem");
	EXPECT_EQ(read(fd, buf, sizeof(buf)), st.st_size < CHUNK ? st.st_size : CHUNK,
		  "read on a read-only filesystem returns the file's bytes");
	close(fd);
	open_err(f, O_WRONLY, EROFS, 0, "open O_WRONLY on a read-only filesystem gives EROFS");
	open_err(f, O_RDWR, EROFS, 0, "open O_RDWR on a read-only filesystem gives EROFS");
	open_err(f, O_WRONLY | O_TRUNC, EROFS, 0,
		 "open O_TRUNC on a read-only filesystem gives EROFS");
	open_err(join(p, dir, "pt-new"), O_CREAT | O_WRONLY, EROFS, 0,
		 "open O_CREAT on a read-only filesystem gives EROFS");
	EXPECT_ERR(unlink(f), EROFS, "unlink on a read-only filesystem gives EROFS");
	EXPECT_ERR(mkdir(join(p, dir, "pt-dir"), 0755), EROFS,
		   "mkdir on a read-only filesystem gives EROFS");
	EXPECT_ERR(rename(f, join(p, dir, "pt-renamed")), EROFS,
		   "rename on a read-only filesystem gives EROFS");
	fopen_err(f, "a", EROFS, "fopen \"a\" on a read-only filesystem gives NULL, EROFS");
	EXPECT_EQ(stat(f, &st) == 0 && S_ISREG(st.st_mode), 1, "the file is still there");
}

/* Fill fd with the pattern until write fails; returns the bytes write() reported. */
static uint64_t fill_up(int fd, uint64_t cap, int *err, ssize_t *partial)
{
	uint64_t total = 0;
	ssize_t n;

	*err = 0;
	*partial = -1;
	while (total < cap) {
		fill_pattern(buf, CHUNK, total);
		errno = 0;
		n = write(fd, buf, CHUNK);
		if (n < 0) {
			*err = errno;
			break;
		}
		if (n < CHUNK)
			*partial = n;
		total += (uint64_t)n;
	}
	return total;
}

/* Does the file at fd hold the fill pattern for [0, size)? */
static bool fill_intact(int fd, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += CHUNK) {
		size_t n = size - off < CHUNK ? (size_t)(size - off) : CHUNK;

		fill_pattern(buf, n, off);
		if (pread(fd, buf2, n, (off_t)off) != (ssize_t)n || memcmp(buf, buf2, n))
			return false;
	}
	return true;
}

static void test_full(const char *dir)
{
	char fill[PATH_BUF], after[PATH_BUF], desc[160], got[64];
	uint64_t total, cap = (uint64_t)1 << 32, avail_full;
	struct statvfs sv;
	struct stat st;
	ssize_t partial;
	int fd, err, r;

	puts("# full filesystem");
	fill_pattern(buf, 8192, 99);
	EXPECT_EQ(put_file(P("keep"), buf, 8192), 0, "an fsynced file in BASE before filling");
	if (!statvfs(dir, &sv))
		cap = (uint64_t)sv.f_blocks * (sv.f_frsize ? sv.f_frsize : sv.f_bsize) +
		      (16u << 20);
	join(fill, dir, "pt-fill");
	EXPECT_OK(fd = open(fill, O_CREAT | O_TRUNC | O_RDWR, 0644),
		  "open a file to fill the disk");
	if (fd < 0)
		return;
	total = fill_up(fd, cap, &err, &partial);
	check_err(err ? -1 : 0, err, ENOSPC, 0, "writing until the disk is full gives ENOSPC");
	snprintf(desc, sizeof(desc),
		 "st_size is the %llu bytes write() reported (last partial %ld)",
		 (unsigned long long)total, (long)partial);
	snprintf(got, sizeof(got), "%lld", fstat(fd, &st) ? -1LL : (long long)st.st_size);
	check(!fstat(fd, &st) && (uint64_t)st.st_size == total, desc, got, "the reported count");
	errno = 0;
	r = fsync(fd);
	err = errno;
	snprintf(desc, sizeof(desc), "fsync after ENOSPC returns 0 or a clear error (%s)",
		 r ? ename(err) : "0");
	check(!r || err == ENOSPC || err == EIO, desc, ename(err), "0, ENOSPC or EIO");
	EXPECT_EQ(fill_intact(fd, total), 1, "every byte written before ENOSPC reads back");
	EXPECT_EQ(close(fd), 0, "close of the full file");
	statvfs(dir, &sv);
	avail_full = sv.f_bavail;
	EXPECT_EQ(unlink(fill), 0, "unlink of the fill file");
	/* Freeing is a change like any other: commit it (ordofs reuses after a checkpoint). */
	sync();
	sync();
	EXPECT_EQ(statvfs(dir, &sv) == 0 && sv.f_bavail > avail_full, 1,
		  "deleting the fill file frees space (f_bavail grows)");
	fill_pattern(buf, 4096, 5);
	EXPECT_EQ(put_file(join(after, dir, "pt-after"), buf, 4096), 0,
		  "after deleting, a new file is written and fsynced");
	EXPECT_EQ(file_is(after, buf, 4096), 1, "the new file reads back");
	unlink(after);
	fill_pattern(buf, 8192, 99);
	EXPECT_EQ(file_is(P("keep"), buf, 8192), 1, "the file fsynced in BASE before is intact");
}

/* The content of rename-loop version k into buf; returns its length. */
static size_t version_content(unsigned long k, char *out)
{
	size_t n = (size_t)snprintf(out, 64, "version %lu\n", k);
	uint32_t sum = 0;

	/* A filler longer than a block, different for every version. */
	for (size_t i = 0; i < 6000; i++)
		out[n++] = (i % 64 == 63) ? '\n' : (char)('a' + (k * 7 + i) % 26);
	for (size_t i = 0; i < n; i++)
		sum = sum * 31 + (uint8_t)out[i];
	n += (size_t)snprintf(out + n, 32, "checksum %08lx\n", (unsigned long)sum);
	return n;
}

static int rename_loop(const char *count, const char *dir)
{
	char tmp[PATH_BUF], dat[PATH_BUF];
	char *end;
	unsigned long n = strtoul(count, &end, 10);

	if (end == count || *end) {
		fprintf(stderr, "posixtest: --rename-loop: '%s' is not a count\n", count);
		return 1;
	}
	join(tmp, dir, "rl.tmp");
	join(dat, dir, "rl.dat");
	for (unsigned long k = 1; k <= n; k++) {
		size_t len = version_content(k, (char *)buf);
		int fd;

		if (put_file(tmp, buf, len) || rename(tmp, dat)) {
			fprintf(stderr, "posixtest: version %lu: %s\n", k, strerror(errno));
			return 1;
		}
		/* On ordofs an fsync commits the whole filesystem, the rename too. */
		fd = open(dat, O_RDONLY);
		if (fd < 0 || fsync(fd)) {
			fprintf(stderr, "posixtest: fsync %s: %s\n", dat, strerror(errno));
			return 1;
		}
		close(fd);
		printf("renamed %lu\n", k);
		fflush(stdout);
	}
	return 0;
}

/* The K of a "version K" first line (versions start at 1), or 0. */
static unsigned long version_of(const char *s)
{
	char *end;
	unsigned long k;

	if (strncmp(s, "version ", 8))
		return 0;
	k = strtoul(s + 8, &end, 10);
	return *end == '\n' ? k : 0;
}

static int rename_check(const char *dir)
{
	char dat[PATH_BUF];
	unsigned long k;
	long len;

	join(dat, dir, "rl.dat");
	len = get_file(dat, buf2, sizeof(buf2));
	if (len < 0) {
		printf("rename-check: %s %s: %s\n", dat, errno == ENOENT ? "missing" : "unreadable",
		       strerror(errno));
		return 1;
	}
	if (len >= (long)sizeof(buf2))
		len = sizeof(buf2) - 1; /* far too long to be a version */
	buf2[len] = '\0';
	k = version_of((char *)buf2);
	if (!k || version_content(k, (char *)buf) != (size_t)len ||
	    memcmp(buf, buf2, (size_t)len)) {
		printf("rename-check: %s torn: %ld bytes, not one complete version\n", dat, len);
		return 1;
	}
	printf("rename-check: version %lu intact\n", k);
	return 0;
}

/* ---- threads: errno and TLS per thread, mutexes, conditions, sleep ---- */

static pthread_mutex_t th_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t th_cond = PTHREAD_COND_INITIALIZER;
static int th_turn, th_count;
static _Thread_local int th_local = 1;

struct th_arg {
	int id, err, local;
	const char *path;
};

/* A failing call in a thread sets that thread's errno only. */
static void *th_errno(void *p)
{
	struct th_arg *a = p;

	th_local = 100 + a->id;
	errno = 0;
	if (open(a->path, O_RDONLY) < 0)
		a->err = errno;
	/* Let the others run, then read our own copies back. */
	nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
	if (errno != a->err)
		a->err = -1;
	a->local = th_local;
	return p;
}

static pthread_once_t th_once = PTHREAD_ONCE_INIT;
static int th_once_runs;

/* Runs once however many threads ask, and waits inside (others must wait). */
static void th_once_fn(void)
{
	nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
	th_once_runs++;
}

static void *th_once_thread(void *p)
{
	pthread_once(&th_once, th_once_fn);
	*(int *)p = th_once_runs; /* the first call must have finished */
	return NULL;
}

/* Threads take turns through one mutex and one condition. */
static void *th_turns(void *p)
{
	int id = *(int *)p;

	for (int i = 0; i < 5; i++) {
		pthread_mutex_lock(&th_lock);
		while (th_turn != id)
			pthread_cond_wait(&th_cond, &th_lock);
		th_count++;
		th_turn = (id + 1) % 3;
		pthread_cond_broadcast(&th_cond);
		pthread_mutex_unlock(&th_lock);
	}
	return NULL;
}

static double th_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec + tv.tv_usec / 1e6;
}

static void test_threads(void)
{
	struct th_arg a[3] = { { .id = 0, .path = P("missing-0") },
			       { .id = 1, .path = base }, /* a directory: opens fine */
			       { .id = 2, .path = P("missing/x") } };
	pthread_t t[3];
	int ids[3] = { 0, 1, 2 }, ok = 0;
	struct timespec ts;
	double t0;

	puts("# threads");
	put_file(P("file-not-dir"), "x", 1);
	a[2].path = P("file-not-dir/x");
	for (int i = 0; i < 3; i++)
		ok += !pthread_create(&t[i], NULL, th_errno, &a[i]);
	EXPECT_EQ(ok, 3, "pthread_create of three threads");
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(a[0].err, ENOENT, "errno is per thread: ENOENT in the first");
	EXPECT_EQ(a[1].err, 0, "errno is per thread: untouched in the second");
	EXPECT_EQ(a[2].err, ENOTDIR, "errno is per thread: ENOTDIR in the third");
	EXPECT_EQ(a[0].local + a[1].local + a[2].local, 303,
		  "each thread has its own copy of a _Thread_local variable");
	EXPECT_EQ(th_local, 1, "the main thread's copy is untouched");

	th_turn = th_count = 0;
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, th_turns, &ids[i]);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(th_count, 15, "three threads took 15 turns through a mutex and a condition");
	EXPECT_EQ(pthread_mutex_trylock(&th_lock), 0, "trylock of a free mutex");
	EXPECT_EQ(pthread_mutex_trylock(&th_lock), EBUSY, "trylock of a held mutex is EBUSY");
	EXPECT_EQ(pthread_mutex_unlock(&th_lock), 0, "unlock");

	pthread_mutex_lock(&th_lock);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	t0 = th_now();
	EXPECT_EQ(pthread_cond_timedwait(&th_cond, &th_lock, &ts), ETIMEDOUT,
		  "a timed wait nobody signals times out");
	EXPECT_EQ(th_now() - t0 >= 0.015, 1, "... after about its 20 ms");
	pthread_mutex_unlock(&th_lock);

	{
		int seen[3] = { 0 };

		for (int i = 0; i < 3; i++)
			pthread_create(&t[i], NULL, th_once_thread, &seen[i]);
		for (int i = 0; i < 3; i++)
			pthread_join(t[i], NULL);
		EXPECT_EQ(th_once_runs * 100 + seen[0] + seen[1] + seen[2], 103,
			  "pthread_once runs once; every caller returns after it finished");
	}

	t0 = th_now();
	ts = (struct timespec){ .tv_nsec = 30 * 1000 * 1000 };
	EXPECT_EQ(nanosleep(&ts, NULL), 0, "nanosleep of 30 ms");
	EXPECT_EQ(th_now() - t0 >= 0.029, 1, "nanosleep slept at least 30 ms");
}

static int usage(void)
{
	fputs("usage: posixtest [--ro DIR] [--full DIR] BASE\n"
	      "       posixtest --rename-loop N BASE\n"
	      "       posixtest --rename-check BASE\n",
	      stderr);
	return 1;
}

int main(int argc, char **argv)
{
	const char *ro = NULL, *full = NULL;
	int i = 1, ret;

	if (argc == 4 && !strcmp(argv[1], "--rename-loop"))
		ret = rename_loop(argv[2], argv[3]);
	else if (argc == 3 && !strcmp(argv[1], "--rename-check"))
		ret = rename_check(argv[2]);
	else
		ret = -1;
	if (ret >= 0) {
		fflush(stdout);
		return ret;
	}
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--ro"))
			ro = argv[i + 1];
		else if (!strcmp(argv[i], "--full"))
			full = argv[i + 1];
		else
			return usage();
	}
	if (i + 1 != argc || argv[i][0] == '-')
		return usage();
	for (int n = 1; n < 1000; n++) {
		snprintf(base, sizeof(base), "%s/pt-%d", argv[i], n);
		if (!mkdir(base, 0755) || errno != EEXIST)
			break;
	}
	puts("TAP version 13");
	EXPECT_EQ(mkdir(base, 0755) == -1 && errno == EEXIST, 1, "mkdir of the work directory");
	test_open();
	test_rw();
	test_truncate_stat();
	test_unlink_rename();
	test_dirs();
	test_paths();
	test_stdio();
	test_threads();
	if (ro)
		test_ro(ro);
	else
		skip("read-only filesystem group", "no --ro DIR given");
	if (full)
		test_full(full);
	else
		skip("full filesystem group", "no --full DIR given");
	EXPECT_EQ(remove_tree(base), 0, "remove the work directory and everything in it");
	printf("1..%u\n", n_test);
	printf("posixtest: %u passed, %u failed, %u skipped\n", n_pass, n_fail, n_skip);
	fflush(stdout);
	return n_fail ? 1 : 0;
}
