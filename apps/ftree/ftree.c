/*
 * apps/ftree/ftree.c - a small file-tree tool, a user program for ordo
 * (portable C11 + a small POSIX subset; also builds on Linux).
 *
 * Interface: ftree COMMAND [+ COMMAND]...   commands separated by the word "+":
 *   mkdir [-p] DIR...        create directories (-p: parents too, no error if present)
 *   write FILE WORD...       create or truncate FILE, write the words joined by
 *                            spaces plus a newline (no words: empty file), fsync
 *   append FILE WORD...      the same, appended
 *   cp [-r] SRC DST          copy a file (or with -r a tree); DST may be an existing
 *                            directory; every copied file is fsynced
 *   ls [-l] [PATH...]        sorted listing (default /); -l: "TYPE SIZE ALLOC NAME"
 *                            with TYPE d or -, ALLOC = st_blocks * 512
 *   tree PATH                indented recursive listing with sizes, sorted
 *   cat FILE...              copy files to stdout
 *   rm [-r] PATH...          remove files (-r: trees, depth first)
 *   mv SRC DST               rename (into DST if DST is a directory)
 *   df [PATH...]             statvfs in KiB and inodes, one line per path (default /)
 *   stat PATH                type, size, blocks, inode, links
 *   du PATH                  bytes allocated under PATH (st_blocks * 512, recursive)
 * Errors are reported like coreutils ("ftree: cannot remove '/x': No such file
 * or directory") and the next path or command goes on; the exit status is 1 if
 * anything failed, else 0.  Paths are absolute (ordo has no working directory).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define COPY_BUF 65536

static int status;

/* Print "ftree: cannot WHAT 'PATH': strerror(err)" and mark the run failed. */
static void fail_err(const char *what, const char *path, int err)
{
	fflush(stdout);
	fprintf(stderr, "ftree: cannot %s '%s': %s\n", what, path, strerror(err));
	status = 1;
}

static void fail(const char *what, const char *path)
{
	fail_err(what, path, errno);
}

/* Print "ftree: MSG" (no errno) and mark the run failed. */
static void complain(const char *a, const char *b, const char *c)
{
	fflush(stdout);
	fprintf(stderr, "ftree: %s%s%s\n", a, b, c);
	status = 1;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		fputs("ftree: out of memory\n", stderr);
		fflush(stdout);
		exit(1);
	}
	return p;
}

/* dir + "/" + name, without doubling a trailing slash; the caller frees it. */
static char *join(const char *dir, const char *name)
{
	size_t d = strlen(dir), n = strlen(name);
	char *p = xmalloc(d + n + 2);

	memcpy(p, dir, d);
	if (!d || dir[d - 1] != '/')
		p[d++] = '/';
	memcpy(p + d, name, n + 1);
	return p;
}

/* A copy of path without trailing slashes ("/" stays "/"); the caller frees it. */
static char *dup_path(const char *path)
{
	size_t n = strlen(path);
	char *p;

	while (n > 1 && path[n - 1] == '/')
		n--;
	p = xmalloc(n + 1);
	memcpy(p, path, n);
	p[n] = '\0';
	return p;
}

/* The last component of a path without trailing slashes. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The names in dir, sorted, without "." and ".."; NULL with errno set on failure. */
static char **list_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int err;

	if (!d)
		return NULL;
	for (errno = 0; (de = readdir(d)); errno = 0) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv) {
				errno = ENOMEM;
				break;
			}
			v = nv;
		}
		v[n] = xmalloc(strlen(de->d_name) + 1);
		strcpy(v[n++], de->d_name);
	}
	err = errno;
	closedir(d);
	if (err) {
		free_list(v, n);
		errno = err;
		return NULL;
	}
	if (v)
		qsort(v, n, sizeof(*v), cmp_str);
	*count = n;
	return v ? v : xmalloc(sizeof(*v));
}

/* mkdir -p: create each missing component of path. */
static int mkdir_parents(char *path)
{
	if (!path[0] || !strcmp(path, "/"))
		return 0;
	for (char *s = path + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(path, 0777) && (errno != EEXIST || !is_dir(path))) {
			if (errno == EEXIST)
				errno = ENOTDIR;
			*s = c;
			return -1;
		}
		*s = c;
		if (!c || !s[1])
			return 0;
	}
}

static void cmd_mkdir(int argc, char **argv)
{
	bool parents = argc > 0 && !strcmp(argv[0], "-p");

	for (int i = parents; i < argc; i++) {
		char *p = dup_path(argv[i]); /* a private copy to cut at each '/' */

		if (parents ? mkdir_parents(p) : mkdir(p, 0777))
			fail("create directory", argv[i]);
		free(p);
	}
}

/* Write all of buf to fd; 0, or -1 with errno set. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* write / append FILE WORD...: the words joined by spaces plus a newline. */
static void cmd_write(int argc, char **argv, int flags)
{
	size_t len = 0;
	char *buf;
	int fd;

	if (argc < 1) {
		complain(flags == O_APPEND ? "append" : "write", ": missing file operand", "");
		return;
	}
	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	buf = xmalloc(len + 1);
	buf[0] = '\0';
	for (int i = 1; i < argc; i++) {
		strcat(buf, argv[i]);
		strcat(buf, i + 1 < argc ? " " : "\n");
	}
	fd = open(argv[0], O_WRONLY | O_CREAT | flags, 0666);
	if (fd < 0)
		fail("open", argv[0]);
	else if (write_all(fd, buf, len) || fsync(fd))
		fail("write", argv[0]);
	if (fd >= 0 && close(fd))
		fail("close", argv[0]);
	free(buf);
}

/* Copy the file src to dst (created or truncated), then fsync dst. */
static void copy_file(const char *src, const char *dst)
{
	static char buf[COPY_BUF];
	int in, out;
	ssize_t n;

	in = open(src, O_RDONLY);
	if (in < 0) {
		fail("open", src);
		return;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (out < 0) {
		fail("create", dst);
		close(in);
		return;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write_all(out, buf, (size_t)n)) {
			fail("write", dst);
			break;
		}
	if (n < 0)
		fail("read", src);
	if (fsync(out))
		fail("fsync", dst);
	if (close(out))
		fail("close", dst);
	close(in);
}

/* cp -r: copy the tree at src to dst, which must not exist yet or be a directory. */
static void copy_tree(const char *src, const char *dst)
{
	struct stat st;
	size_t n;
	char **names;

	if (stat(src, &st)) {
		fail("stat", src);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		copy_file(src, dst);
		return;
	}
	if (mkdir(dst, 0777) && (errno != EEXIST || !is_dir(dst))) {
		fail("create directory", dst);
		return;
	}
	names = list_dir(src, &n);
	if (!names) {
		fail("read directory", src);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *s = join(src, names[i]), *d = join(dst, names[i]);

		copy_tree(s, d);
		free(s);
		free(d);
	}
	free_list(names, n);
}

/* cp [-r] SRC DST and mv SRC DST: DST may be an existing directory to go into. */
static void cmd_cp_mv(int argc, char **argv, bool move)
{
	bool rec = !move && argc > 0 && !strcmp(argv[0], "-r");
	char *src, *dst;
	size_t slen;

	if (argc - rec != 2) {
		complain(move ? "mv" : "cp", ": needs SRC and DST", "");
		return;
	}
	argv += rec;
	src = dup_path(argv[0]);
	dst = is_dir(argv[1]) ? join(argv[1], base_name(src)) : dup_path(argv[1]);
	slen = strlen(src);
	if (move) {
		if (rename(src, dst)) {
			fflush(stdout);
			fprintf(stderr, "ftree: cannot move '%s' to '%s': %s\n", argv[0], dst,
				strerror(errno));
			status = 1;
		}
	} else if (!rec && is_dir(src)) {
		complain("-r not specified; omitting directory '", argv[0], "'");
	} else if (rec && !strncmp(dst, src, slen) && dst[slen] == '/' && is_dir(src)) {
		complain("cannot copy a directory into itself: '", dst, "'");
	} else {
		copy_tree(src, dst);
	}
	free(src);
	free(dst);
}

/* One ls line for path (shown as name). */
static void ls_entry(const char *path, const char *name, bool longfmt)
{
	struct stat st;

	if (!longfmt) {
		puts(name);
		return;
	}
	if (stat(path, &st)) {
		fail("access", path);
		return;
	}
	printf("%c %10jd %10jd %s\n", S_ISDIR(st.st_mode) ? 'd' : '-', (intmax_t)st.st_size,
	       (intmax_t)st.st_blocks * 512, name);
}

static void cmd_ls(int argc, char **argv)
{
	bool longfmt = argc > 0 && !strcmp(argv[0], "-l");
	int first = longfmt, npaths = argc - first;
	char *def[] = { "/" };

	if (!npaths) {
		argv = def;
		first = 0;
		npaths = 1;
	}
	for (int i = first; i < first + npaths; i++) {
		size_t n;
		char **names;

		if (!is_dir(argv[i])) {
			struct stat st;

			if (stat(argv[i], &st))
				fail("access", argv[i]);
			else
				ls_entry(argv[i], argv[i], longfmt);
			continue;
		}
		names = list_dir(argv[i], &n);
		if (!names) {
			fail("open directory", argv[i]);
			continue;
		}
		if (npaths > 1)
			printf("%s:\n", argv[i]);
		for (size_t k = 0; k < n; k++) {
			char *p = join(argv[i], names[k]);

			ls_entry(p, names[k], longfmt);
			free(p);
		}
		free_list(names, n);
	}
}

/* tree: print dir's entries at depth, counting directories and files. */
static void tree_walk(const char *dir, int depth, unsigned long *ndirs, unsigned long *nfiles)
{
	size_t n;
	char **names = list_dir(dir, &n);

	if (!names) {
		fail("open directory", dir);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *p = join(dir, names[i]);
		struct stat st;

		if (stat(p, &st)) {
			fail("access", p);
		} else if (S_ISDIR(st.st_mode)) {
			printf("%*s%s/\n", 2 * depth, "", names[i]);
			++*ndirs;
			tree_walk(p, depth + 1, ndirs, nfiles);
		} else {
			printf("%*s%s (%jd bytes)\n", 2 * depth, "", names[i],
			       (intmax_t)st.st_size);
			++*nfiles;
		}
		free(p);
	}
	free_list(names, n);
}

static void cmd_tree(int argc, char **argv)
{
	unsigned long ndirs = 0, nfiles = 0;

	if (argc != 1) {
		complain("tree: needs one PATH", "", "");
		return;
	}
	if (!is_dir(argv[0])) {
		struct stat st;

		fail_err("list", argv[0], stat(argv[0], &st) ? errno : ENOTDIR);
		return;
	}
	puts(argv[0]);
	tree_walk(argv[0], 1, &ndirs, &nfiles);
	printf("%lu directories, %lu files\n", ndirs, nfiles);
}

static void cmd_cat(int argc, char **argv)
{
	static char buf[COPY_BUF];

	for (int i = 0; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		ssize_t n;

		if (fd < 0) {
			fail("open", argv[i]);
			continue;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stdout);
		if (n < 0)
			fail("read", argv[i]);
		close(fd);
	}
}

/* Remove path (a whole tree if rec), depth first; 0 or -1 (reported). */
static int remove_path(const char *path, bool rec)
{
	size_t n;
	char **names;
	int err = 0;

	if (!rec || !is_dir(path)) {
		if (unlink(path)) {
			fail_err("remove", path, errno == EPERM && is_dir(path) ? EISDIR : errno);
			return -1;
		}
		return 0;
	}
	names = list_dir(path, &n);
	if (!names) {
		fail("open directory", path);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char *p = join(path, names[i]);

		err |= remove_path(p, true);
		free(p);
	}
	free_list(names, n);
	if (!err && rmdir(path)) {
		fail("remove", path);
		err = -1;
	}
	return err;
}

static void cmd_rm(int argc, char **argv)
{
	bool rec = argc > 0 && !strcmp(argv[0], "-r");

	for (int i = rec; i < argc; i++) {
		if (rec && !strcmp(argv[i], "/"))
			complain("it is dangerous to operate recursively on '", argv[i], "'");
		else
			remove_path(argv[i], rec);
	}
}

static void cmd_df(int argc, char **argv)
{
	char *def[] = { "/" };

	if (!argc) {
		argv = def;
		argc = 1;
	}
	for (int i = 0; i < argc; i++) {
		struct statvfs sv;
		uintmax_t unit;

		if (statvfs(argv[i], &sv)) {
			fail("statvfs", argv[i]);
			continue;
		}
		unit = sv.f_frsize ? sv.f_frsize : sv.f_bsize;
		printf("%s: size %ju KiB, used %ju KiB, avail %ju KiB, inodes %ju, ifree %ju\n",
		       argv[i], (uintmax_t)sv.f_blocks * unit / 1024,
		       (uintmax_t)(sv.f_blocks - sv.f_bfree) * unit / 1024,
		       (uintmax_t)sv.f_bavail * unit / 1024, (uintmax_t)sv.f_files,
		       (uintmax_t)sv.f_ffree);
	}
}

static void cmd_stat(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st)) {
			fail("stat", argv[i]);
			continue;
		}
		printf("%s: %s, size %jd, blocks %jd (alloc %jd), inode %ju, links %ju\n", argv[i],
		       S_ISDIR(st.st_mode) ? "directory" : "regular file", (intmax_t)st.st_size,
		       (intmax_t)st.st_blocks, (intmax_t)st.st_blocks * 512, (uintmax_t)st.st_ino,
		       (uintmax_t)st.st_nlink);
	}
	if (!argc)
		complain("stat: missing operand", "", "");
}

/* Bytes allocated to path and everything under it. */
static uintmax_t du_walk(const char *path)
{
	struct stat st;
	uintmax_t sum;
	size_t n;
	char **names;

	if (stat(path, &st)) {
		fail("access", path);
		return 0;
	}
	sum = (uintmax_t)st.st_blocks * 512;
	if (!S_ISDIR(st.st_mode))
		return sum;
	names = list_dir(path, &n);
	if (!names) {
		fail("read directory", path);
		return sum;
	}
	for (size_t i = 0; i < n; i++) {
		char *p = join(path, names[i]);

		sum += du_walk(p);
		free(p);
	}
	free_list(names, n);
	return sum;
}

static void cmd_du(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		printf("%ju\t%s\n", du_walk(argv[i]), argv[i]);
	if (!argc)
		complain("du: missing operand", "", "");
}

/* Run one command: argv[0] is its name, argc counts it too. */
static void run(int argc, char **argv)
{
	const char *c = argv[0];

	argc--;
	argv++;
	if (!strcmp(c, "mkdir"))
		cmd_mkdir(argc, argv);
	else if (!strcmp(c, "write"))
		cmd_write(argc, argv, O_TRUNC);
	else if (!strcmp(c, "append"))
		cmd_write(argc, argv, O_APPEND);
	else if (!strcmp(c, "cp") || !strcmp(c, "mv"))
		cmd_cp_mv(argc, argv, c[0] == 'm');
	else if (!strcmp(c, "ls"))
		cmd_ls(argc, argv);
	else if (!strcmp(c, "tree"))
		cmd_tree(argc, argv);
	else if (!strcmp(c, "cat"))
		cmd_cat(argc, argv);
	else if (!strcmp(c, "rm"))
		cmd_rm(argc, argv);
	else if (!strcmp(c, "df"))
		cmd_df(argc, argv);
	else if (!strcmp(c, "stat"))
		cmd_stat(argc, argv);
	else if (!strcmp(c, "du"))
		cmd_du(argc, argv);
	else
		complain("unknown command '", c, "'");
}

int main(int argc, char **argv)
{
	int start = 1;

	if (argc < 2) {
		fputs("usage: ftree COMMAND [ARG...] [+ COMMAND [ARG...]]...\n"
		      "commands: mkdir [-p] | write | append | cp [-r] | ls [-l] | tree | cat |\n"
		      "          rm [-r] | mv | df | stat | du\n",
		      stderr);
		return 1;
	}
	for (int i = 1; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], "+"))
			continue;
		if (i > start)
			run(i - start, argv + start);
		start = i + 1;
	}
	fflush(stdout);
	return status;
}
