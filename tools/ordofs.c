/*
 * tools/ordofs.c - the ordofs image tool: make, check, recover, list, read
 * and write filesystem images on the host, using the kernel's own
 * filesystem, journal and block layer (kernel/fs, kernel/block) over a
 * file-backed device (tools/ordofs_filedev.c).
 *
 * ls and cat never write to the image: they open it read-only and refuse
 * (exit 1) when the journal holds transactions that recovery would
 * replay, since what they would show is not what a mount would; run
 * "ordofs recover IMG" first.  put and recover mount read-write, so they
 * replay the journal as every mount does.
 *
 * The bottom of this file is the arch/heap shim the portable code needs
 * on the host: console on stderr, a monotonic clock, malloc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arch/arch.h"
#include "kernel/block/blk.h"
#include "kernel/fs/fs.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/diskio.h"
#include "lib/part.h"
#include "lib/printf.h"
#include "tools/ordofs_filedev.h"

/* Exit statuses, as e2fsck's (also in the usage text and the README). */
#define OX_OK 0
#define OX_FIXABLE 1  /* the journal holds transactions: 'ordofs recover' */
#define OX_PROBLEMS 4 /* fsck found inconsistencies it cannot fix */
#define OX_ERROR 8    /* operational error: not ordofs, I/O, refused, failed */
#define OX_USAGE 16   /* usage or syntax error */

static const char usage[] =
	"usage: ordofs COMMAND IMG[@PART] [ARGS] [--partition N] [--journal JIMG]\n"
	"\n"
	"  mkfs IMG [--size BYTES] [--journal-blocks N] [--inodes N] [--force]\n"
	"        make a filesystem on IMG (created or resized to BYTES if --size is\n"
	"        given; K, M, G suffixes); --journal JIMG puts the journal on JIMG\n"
	"        (created or resized to N blocks if --journal-blocks is given).\n"
	"        Only a blank image or partition is formatted (its first and last\n"
	"        MiB all zero); --force formats over whatever it holds\n"
	"  fsck IMG       check an unmounted image (reads only)\n"
	"  recover IMG    replay the journal (mount, then unmount)\n"
	"  ls IMG [PATH]  list a directory: type, size, inode, name (read-only)\n"
	"  cat IMG PATH   write a file's bytes to stdout (read-only)\n"
	"  trim IMG       discard every free block (fs_trim): the image file gets\n"
	"        holes where they were, so a sparse image shrinks\n"
	"  put IMG HOSTFILE PATH [--data journal|ordered]\n"
	"        create or atomically replace PATH with HOSTFILE's contents; --data\n"
	"        journal sends the file's data through the journal as well (the\n"
	"        default, ordered, writes new blocks home with their crc logged)\n"
	"\n"
	"IMG@N or --partition N: partition N (1-based, as Linux numbers them) of\n"
	"IMG's MBR or GPT partition table.  --journal JIMG names the external\n"
	"journal of an image made with one.  ls and cat refuse an image whose\n"
	"journal needs recovery.\n"
	"\n"
	"exit status (as e2fsck's):\n"
	"  0  success (fsck: consistent)\n"
	"  1  problems that 'ordofs recover IMG' fixes: the journal holds committed\n"
	"     transactions (fsck, ls, cat)\n"
	"  4  fsck found problems it leaves uncorrected\n"
	"  8  operational error: not an ordofs filesystem, I/O error, mkfs refused\n"
	"     a disk that is not blank, or the operation failed\n"
	" 16  usage or syntax error\n";

struct args {
	const char *pos[4];
	int npos;
	const char *jpath;
	char path[4096];    /* IMG without its @PART */
	unsigned partition; /* 0: the whole image */
	unsigned long long size;
	unsigned long journal_blocks, inodes;
	bool force;
	const char *data; /* --data MODE, NULL if not given */
};

struct image {
	struct filedev f, jf;
	struct blk disk, blk, jblk; /* blk: the whole disk or a partition view */
	bool has_journal;
	bool data_journal; /* --data journal */
};

/* Make im->blk partition a->partition of the image.  0 or OX_ERROR. */
static int image_partition(struct image *im, const struct args *a)
{
	struct part_table pt;
	struct disk_io io;
	char name[BLK_NAME_MAX];
	int err;

	blk_disk_io(&im->disk, &io);
	err = part_scan(&io, &pt);
	if (err) {
		fprintf(stderr, "ordofs: %s: partition table unusable: %s\n", a->path,
			errno_name(err));
		return OX_ERROR;
	}
	for (unsigned i = 0; i < pt.n; i++) {
		if (pt.p[i].index != a->partition)
			continue;
		snprintf(name, sizeof(name), "%.10s@%u", im->f.name, a->partition);
		err = blk_init_view(&im->blk, &im->disk, pt.p[i].start >> BLK_SECTOR_SHIFT,
				    pt.p[i].len >> BLK_SECTOR_SHIFT, name);
		if (err) {
			fprintf(stderr, "ordofs: %s: partition %u: %s\n", a->path, a->partition,
				errno_name(err));
			return OX_ERROR;
		}
		return 0;
	}
	fprintf(stderr, "ordofs: %s: %s, which has no partition %u\n", a->path,
		pt.scheme == PART_NONE	? "no partition table"
		: pt.scheme == PART_GPT ? "a GPT partition table"
					: "an MBR partition table",
		a->partition);
	return OX_ERROR;
}

static int image_open(struct image *im, const struct args *a, bool read_only)
{
	int err = filedev_open(&im->f, a->path, read_only);

	if (err)
		return err;
	blk_init(&im->disk, &im->f.q.dev, false);
	im->blk = im->disk;
	im->data_journal = a->data && !strcmp(a->data, "journal");
	if (a->partition && image_partition(im, a)) {
		filedev_close(&im->f);
		return -EINVAL;
	}
	im->has_journal = a->jpath != NULL;
	if (!im->has_journal)
		return 0;
	err = filedev_open(&im->jf, a->jpath, read_only);
	if (err) {
		filedev_close(&im->f);
		return err;
	}
	blk_init(&im->jblk, &im->jf.q.dev, false);
	return 0;
}

static void image_close(struct image *im)
{
	filedev_close(&im->f);
	if (im->has_journal)
		filedev_close(&im->jf);
}

static struct blk *image_jdev(struct image *im)
{
	return im->has_journal ? &im->jblk : NULL;
}

static int fail(const char *what, const char *arg, int err)
{
	fprintf(stderr, "ordofs: %s %s: %s\n", what, arg, errno_name(err));
	return OX_ERROR;
}

/* OX_FIXABLE with a message if recovery would replay something, else 0. */
static int need_clean_journal(struct image *im)
{
	int n = fs_journal_pending(&im->blk, image_jdev(im));

	/* n < 0: no usable superblock or journal; the mount will say why. */
	if (n <= 0)
		return 0;
	fprintf(stderr,
		"ordofs: the journal holds %d committed transaction%s: run 'ordofs recover "
		"IMG' first\n",
		n, n == 1 ? "" : "s");
	return OX_FIXABLE;
}

/* OX_ERROR and a message unless the image holds ordofs; else 0. */
static int need_ordofs(struct image *im, const char *path)
{
	struct disksig sig;
	int err = fs_disk_probe(&im->blk, &sig);

	if (err == FS_DISK_OFS)
		return 0;
	if (err == 0 || err == -EEXIST)
		fprintf(stderr, "ordofs: %s: not an ordofs filesystem (it holds %s)\n", path,
			err ? sig.what : "nothing: it is blank");
	else if (err == -ENOSPC)
		fprintf(stderr, "ordofs: %s: not an ordofs filesystem (smaller than one block)\n",
			path);
	else
		fprintf(stderr, "ordofs: %s: cannot read it: %s\n", path, errno_name(err));
	return OX_ERROR;
}

static int mount_image(struct image *im, bool read_only, struct fs **fs)
{
	struct fs_mount_opts o = { .journal_dev = image_jdev(im),
				   .read_only = read_only,
				   .data_journal = im->data_journal };
	int err = fs_mount(&im->blk, &o, NULL, fs);

	return err ? fail("cannot mount", "image", err) : 0;
}

/* Whole host file, or the image's, resized to `size`; 0 or OX_ERROR. */
static int resize_file(const char *path, unsigned long long size)
{
	int fd = open(path, O_RDWR | O_CREAT, 0644);

	if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
		fprintf(stderr, "ordofs: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return OX_ERROR;
	}
	close(fd);
	return 0;
}

/* A fresh uuid from the host's random source (else fs_format's own). */
static void random_uuid(u8 *uuid)
{
	int fd = open("/dev/urandom", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, uuid, OFS_UUID_BYTES) != OFS_UUID_BYTES)
			memset(uuid, 0, OFS_UUID_BYTES);
		close(fd);
	}
}

/* True, with a message, unless `b` is blank (the format policy). */
static bool not_blank(struct blk *b, const char *path)
{
	struct disksig sig;
	int err = fs_disk_probe(b, &sig);

	if (err == FS_DISK_OFS || err == -EEXIST)
		fprintf(stderr, "ordofs: %s holds %s: not formatting\n", path, sig.what);
	else if (err == -ENOSPC)
		fprintf(stderr, "ordofs: %s is smaller than one block\n", path);
	else if (err)
		fprintf(stderr, "ordofs: %s: cannot read it: %s\n", path, errno_name(err));
	return err != 0;
}

/*
 * Before --size changes an existing image: would fs_format refuse it?
 * True (with a message) if the image or its journal is not blank; a
 * missing or empty file is blank.
 */
static bool mkfs_refuses(const struct args *a)
{
	struct stat st;
	struct image im;
	bool refuse;

	if (stat(a->path, &st) != 0 || (S_ISREG(st.st_mode) && st.st_size == 0))
		return false;
	if (a->jpath && (stat(a->jpath, &st) != 0 || st.st_size == 0))
		return false; /* the journal is made below: fs_format checks the image */
	if (image_open(&im, a, true))
		return true;
	refuse = not_blank(&im.blk, a->pos[1]) || (a->jpath && not_blank(&im.jblk, a->jpath));
	if (refuse)
		fprintf(stderr, "ordofs: mkfs %s: nothing written (--force formats over it)\n",
			a->pos[1]);
	image_close(&im);
	return refuse;
}

static int cmd_mkfs(const struct args *a)
{
	struct fs_mkfs_opts o = { .ninodes = (u32)a->inodes,
				  .journal_blocks = (u32)a->journal_blocks };
	struct fs_statfs st;
	struct image im;
	struct fs *fs;
	int err;

	/* Never resize what we would refuse to format (the check reads it). */
	if (!a->force && mkfs_refuses(a))
		return OX_ERROR;
	if (a->size && resize_file(a->path, a->size))
		return OX_ERROR;
	if (a->jpath && a->journal_blocks &&
	    resize_file(a->jpath, (unsigned long long)a->journal_blocks * OFS_BLOCK_SIZE))
		return OX_ERROR;
	if (image_open(&im, a, false))
		return OX_ERROR;
	o.journal_dev = image_jdev(&im);
	o.force = a->force;
	random_uuid(o.uuid);
	err = fs_format(&im.blk, &o);
	if (err == -EEXIST) {
		fprintf(stderr,
			"ordofs: mkfs %s: not blank: nothing written "
			"(--force formats over it)\n",
			a->pos[1]);
		image_close(&im);
		return OX_ERROR;
	}
	if (!err)
		err = mount_image(&im, true, &fs) ? -EIO : fs_statfs(fs, &st);
	if (!err) {
		printf("%s: ordofs, %llu blocks of 4096 bytes (%llu free), %u inodes, %s journal\n",
		       a->pos[1], (unsigned long long)st.blocks, (unsigned long long)st.free_blocks,
		       st.inodes, a->jpath ? "external" : "internal");
		fs_unmount(fs);
	}
	image_close(&im);
	return err ? fail("mkfs", a->pos[1], err) : OX_OK;
}

static int cmd_fsck(const struct args *a)
{
	struct image im;
	int n, ret;

	if (image_open(&im, a, true))
		return OX_ERROR;
	ret = need_ordofs(&im, a->pos[1]);
	if (!ret)
		ret = need_clean_journal(&im);
	if (!ret) {
		n = fs_fsck(&im.blk, image_jdev(&im), false);
		if (n < 0)
			ret = fail("fsck", a->pos[1], n);
		else if (n > 0)
			fprintf(stderr, "%s: %d problem%s found\n", a->pos[1], n,
				n == 1 ? "" : "s");
		else
			printf("%s: clean\n", a->pos[1]);
		if (n > 0)
			ret = OX_PROBLEMS;
	}
	image_close(&im);
	return ret;
}

/*
 * Mount the image read-write (recovery runs), run `op` on it (NULL: nothing
 * more), unmount.  OX_OK, or OX_ERROR with a message.
 */
static int run_mounted(const struct args *a, const char *what, struct jnl_recovery *rep,
		       int (*op)(struct fs *fs, u64 *n), u64 *n)
{
	struct fs_mount_opts o = { 0 };
	struct image im;
	struct fs *fs;
	int err;

	if (image_open(&im, a, false))
		return OX_ERROR;
	if (need_ordofs(&im, a->pos[1])) {
		image_close(&im);
		return OX_ERROR;
	}
	o.journal_dev = image_jdev(&im);
	err = fs_mount(&im.blk, &o, rep, &fs);
	if (!err) {
		int uerr;

		if (op)
			err = op(fs, n);
		uerr = fs_unmount(fs);
		err = err ? err : uerr;
	}
	image_close(&im);
	return err ? fail(what, a->pos[1], err) : OX_OK;
}

static int cmd_recover(const struct args *a)
{
	struct jnl_recovery rep = { 0 };
	int ret = run_mounted(a, "recover", &rep, NULL, NULL);

	if (!ret)
		printf("%s: %llu transactions (%llu blocks) replayed\n", a->pos[1],
		       (unsigned long long)rep.transactions, (unsigned long long)rep.blocks);
	return ret;
}

static int cmd_trim(const struct args *a)
{
	u64 n = 0;
	int ret = run_mounted(a, "trim", NULL, fs_trim, &n);

	if (!ret)
		printf("%s: %llu free blocks discarded\n", a->pos[1], (unsigned long long)n);
	return ret;
}

struct ls_ctx {
	struct fs *fs;
};

static void ls_line(struct fs *fs, const char *name, u32 ino)
{
	struct fs_stat st;

	if (fs_fstat(fs, ino, &st)) {
		printf("?    %12s %8u  %s\n", "?", ino, name);
		return;
	}
	printf("%-4s %12llu %8u  %s\n", st.type == OFS_TYPE_DIR ? "dir" : "file",
	       (unsigned long long)st.size, ino, name);
}

static int ls_one(void *ctx, const char *name, u32 ino, u8 type)
{
	(void)type;
	ls_line(((struct ls_ctx *)ctx)->fs, name, ino);
	return 0;
}

/* Mount an image read-only for ls/cat.  0 or an exit status. */
static int open_ro(const struct args *a, struct image *im, struct fs **fs)
{
	int ret;

	if (image_open(im, a, true))
		return OX_ERROR;
	ret = need_ordofs(im, a->pos[1]);
	if (!ret)
		ret = need_clean_journal(im);
	if (!ret)
		ret = mount_image(im, true, fs);
	if (ret)
		image_close(im);
	return ret;
}

static int cmd_ls(const struct args *a)
{
	const char *path = a->npos > 2 ? a->pos[2] : "/";
	struct ls_ctx ctx;
	struct fs_stat st;
	struct image im;
	int err, ret = open_ro(a, &im, &ctx.fs);

	if (ret)
		return ret;
	err = fs_stat(ctx.fs, path, &st);
	if (!err && st.type == OFS_TYPE_DIR)
		err = fs_readdir(ctx.fs, path, ls_one, &ctx);
	else if (!err)
		ls_line(ctx.fs, path, st.ino);
	fs_unmount(ctx.fs);
	image_close(&im);
	return err ? fail("ls", path, err) : OX_OK;
}

static int cmd_cat(const struct args *a)
{
	static u8 buf[1 << 16];
	struct image im;
	struct fs *fs;
	u64 off = 0;
	u32 ino;
	int n, ret = open_ro(a, &im, &fs);

	if (ret)
		return ret;
	n = fs_open(fs, a->pos[2], &ino);
	while (n == 0 && (n = fs_read(fs, ino, off, buf, sizeof(buf))) > 0) {
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n) {
			n = -EIO;
			break;
		}
		off += (u64)n;
		n = 0;
	}
	fs_unmount(fs);
	image_close(&im);
	return n < 0 ? fail("cat", a->pos[2], n) : OX_OK;
}

/* Copy host file descriptor `hfd` into the (empty) file `path`. */
static int put_copy(struct fs *fs, int hfd, const char *path)
{
	static u8 buf[1 << 20];
	u64 off = 0;
	u32 ino;
	ssize_t n;
	int err = fs_open(fs, path, &ino);

	while (!err && (n = read(hfd, buf, sizeof(buf))) != 0) {
		int w;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -EIO;
		}
		w = fs_write(fs, ino, off, buf, (u32)n);
		if (w < 0)
			return w;
		if (w != n)
			return -ENOSPC;
		off += (u64)n;
	}
	return err ? err : fs_fsync(fs, ino);
}

static int cmd_put(const struct args *a)
{
	const char *path = a->pos[3], *slash = strrchr(path, '/');
	char tmp[1024];
	struct image im;
	struct fs *fs;
	int hfd, err;

	if (path[0] != '/' || !slash || (size_t)(slash - path) + 20 > sizeof(tmp))
		return fail("put: not an absolute path:", path, -EINVAL);
	/* Written beside the target, then renamed over it: all or nothing. */
	snprintf(tmp, sizeof(tmp), "%.*s/.ordofs-put.tmp", (int)(slash - path), path);
	hfd = open(a->pos[2], O_RDONLY);
	if (hfd < 0) {
		fprintf(stderr, "ordofs: %s: %s\n", a->pos[2], strerror(errno));
		return OX_ERROR;
	}
	if (image_open(&im, a, false)) {
		close(hfd);
		return OX_ERROR;
	}
	if (need_ordofs(&im, a->pos[1]) || mount_image(&im, false, &fs)) {
		image_close(&im);
		close(hfd);
		return OX_ERROR;
	}
	err = fs_unlink(fs, tmp);
	err = err == -ENOENT ? 0 : err;
	if (!err)
		err = fs_create(fs, tmp);
	if (!err)
		err = put_copy(fs, hfd, tmp);
	if (!err)
		err = fs_rename(fs, tmp, path);
	if (err)
		fs_unlink(fs, tmp);
	if (fs_unmount(fs) && !err)
		err = -EIO;
	image_close(&im);
	close(hfd);
	return err ? fail("put", path, err) : OX_OK;
}

/* "123", "64K", "16M", "2G" -> bytes in *v: 0, or -EINVAL if not a size. */
static int parse_size(const char *s, unsigned long long *v)
{
	unsigned shift = 0;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	*v = strtoull(s, &end, 0);
	switch (*end) {
	case 'k':
	case 'K': shift = 10; break;
	case 'm':
	case 'M': shift = 20; break;
	case 'g':
	case 'G': shift = 30; break;
	default: break;
	}
	end += shift != 0;
	if (errno || *end || *v == 0 || *v > (~0ull >> shift))
		return -EINVAL;
	*v <<= shift;
	return 0;
}

/* A whole number for a count option: 0 or -EINVAL. */
static int parse_count(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	*v = strtoul(s, &end, 0);
	return errno || *end || *v > 0xffffffffu ? -EINVAL : 0;
}

static int bad_usage(const char *fmt, const char *what)
{
	fputs("ordofs: ", stderr);
	fprintf(stderr, fmt, what);
	fputs(" ('ordofs --help' for usage)\n", stderr);
	return OX_USAGE;
}

/* One --option VALUE.  0 or OX_USAGE (said why). */
static int parse_option(const char *o, const char *v, struct args *a)
{
	unsigned long n;

	if (!strcmp(o, "--size"))
		return parse_size(v, &a->size) ? bad_usage("--size: '%s' is not a size", v) : 0;
	if (!strcmp(o, "--journal-blocks") || !strcmp(o, "--inodes")) {
		if (parse_count(v, &n))
			return bad_usage("%s needs a number", o);
		*(o[2] == 'j' ? &a->journal_blocks : &a->inodes) = n;
		return 0;
	}
	if (!strcmp(o, "--partition")) {
		if (parse_count(v, &n) || n == 0)
			return bad_usage("--partition: '%s' is not a partition number (1, 2, ...)",
					 v);
		a->partition = (unsigned)n;
		return 0;
	}
	if (!strcmp(o, "--journal")) {
		a->jpath = v;
		return 0;
	}
	if (!strcmp(o, "--data")) {
		if (strcmp(v, "journal") && strcmp(v, "ordered"))
			return bad_usage("--data: '%s' is neither journal nor ordered", v);
		a->data = v;
		return 0;
	}
	return bad_usage("unknown option '%s'", o);
}

/* IMG@N: the image's path and partition N.  0 or OX_USAGE. */
static int parse_image(struct args *a)
{
	const char *img = a->pos[1], *at = strrchr(img, '@');
	unsigned long n;

	if (strlen(img) >= sizeof(a->path))
		return bad_usage("image path too long: %s", img);
	snprintf(a->path, sizeof(a->path), "%s", img);
	if (!at || access(img, F_OK) == 0)
		return 0; /* no @, or a file whose name has one */
	if (parse_count(at + 1, &n) || n == 0)
		return bad_usage("%s: after '@' comes a partition number", img);
	if (a->partition && a->partition != n)
		return bad_usage("%s: --partition names another partition", img);
	a->partition = (unsigned)n;
	a->path[at - img] = '\0';
	return 0;
}

/* 0, 1 for --help, or OX_USAGE (said why). */
static int parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		int err;

		if (!strcmp(o, "-h") || !strcmp(o, "--help"))
			return 1;
		if (!strcmp(o, "--force")) {
			a->force = true;
			continue;
		}
		if (o[0] == '-' && o[1] == '-') {
			if (i + 1 == argc)
				return bad_usage("%s needs a value", o);
			err = parse_option(o, argv[++i], a);
			if (err)
				return err;
		} else if (o[0] == '-' && o[1]) {
			return bad_usage("unknown option '%s'", o);
		} else if (a->npos < 4) {
			a->pos[a->npos++] = o;
		} else {
			return bad_usage("too many arguments ('%s')", o);
		}
	}
	if (a->npos == 0)
		return bad_usage("%s", "no command given");
	return a->npos > 1 ? parse_image(a) : 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name, *args;
		int npos_min, npos_max;
		int (*fn)(const struct args *a);
	} cmds[] = {
		{ "mkfs", "IMG", 2, 2, cmd_mkfs },
		{ "fsck", "IMG", 2, 2, cmd_fsck },
		{ "recover", "IMG", 2, 2, cmd_recover },
		{ "trim", "IMG", 2, 2, cmd_trim },
		{ "ls", "IMG [PATH]", 2, 3, cmd_ls },
		{ "cat", "IMG PATH", 3, 3, cmd_cat },
		{ "put", "IMG HOSTFILE PATH", 4, 4, cmd_put },
	};
	struct args a;
	int r = parse_args(argc, argv, &a);

	if (r == 1) {
		fputs(usage, stdout);
		return OX_OK;
	}
	if (r)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(a.pos[0], cmds[i].name))
			continue;
		if (a.npos < cmds[i].npos_min || a.npos > cmds[i].npos_max) {
			fprintf(stderr, "ordofs: usage: ordofs %s %s ('ordofs --help' for more)\n",
				cmds[i].name, cmds[i].args);
			return OX_USAGE;
		}
		if (a.force && cmds[i].fn != cmd_mkfs)
			return bad_usage("--force is for mkfs only, not %s", a.pos[0]);
		if (a.data && cmds[i].fn != cmd_put)
			return bad_usage("--data is for put only, not %s", a.pos[0]);
		return cmds[i].fn(&a);
	}
	return bad_usage("unknown command '%s'", a.pos[0]);
}

/* ---- the host shim: what the portable layers ask of arch/ and lib/ ---- */

int vkprintf(const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

void arch_console_putc(char c)
{
	fputc(c, stderr);
}

__noreturn void arch_exit(int status)
{
	fflush(stdout);
	exit(status ? OX_ERROR : OX_OK);
}

u64 arch_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

/* One thread: lib/sched.c never waits for an interrupt here. */
u32 arch_wait_irq(u64 timeout_ns)
{
	(void)timeout_ns;
	return 0;
}

void arch_irq_eoi(u32 irq)
{
	(void)irq;
}

void arch_cpu_relax(void)
{
}

void *kmalloc(size_t size)
{
	return size ? calloc(1, size) : NULL;
}

void kfree(void *p)
{
	free(p);
}
