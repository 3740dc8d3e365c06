/*
 * tools/ordofs.c - the ordofs image tool: make, check, recover, list, read
 * and write filesystem images on the host, using the kernel's own
 * filesystem, journal and block layer (kernel/fs, kernel/block) over a
 * file-backed device (tools/ordofs_filedev.c).
 *
 * ls and cat never write to the image: they open it read-only and refuse
 * (exit 3) when the journal holds transactions that recovery would
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
#include <time.h>
#include <unistd.h>

#include "arch/arch.h"
#include "kernel/block/blk.h"
#include "kernel/fs/fs.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "tools/ordofs_filedev.h"

/* Exit statuses (also in the usage text). */
#define OX_OK 0
#define OX_PROBLEMS 1 /* fsck found inconsistencies */
#define OX_ERROR 2    /* usage, I/O, or the operation failed */
#define OX_RECOVER 3  /* the journal needs recovery first */

static const char usage[] =
	"usage: ordofs COMMAND IMG [ARGS] [--journal JIMG]\n"
	"\n"
	"  mkfs IMG [--size BYTES] [--journal-blocks N] [--inodes N]\n"
	"        make a filesystem on IMG (created or resized to BYTES if --size is\n"
	"        given; K, M, G suffixes); --journal JIMG puts the journal on JIMG\n"
	"        (created or resized to N blocks if --journal-blocks is given)\n"
	"  fsck IMG       check an unmounted image (reads only)\n"
	"  recover IMG    replay the journal (mount, then unmount)\n"
	"  ls IMG [PATH]  list a directory: type, size, inode, name (read-only)\n"
	"  cat IMG PATH   write a file's bytes to stdout (read-only)\n"
	"  put IMG HOSTFILE PATH\n"
	"        create or atomically replace PATH with HOSTFILE's contents\n"
	"\n"
	"--journal JIMG names the external journal of an image made with one.\n"
	"ls and cat refuse an image whose journal needs recovery.\n"
	"\n"
	"exit status: 0 success (fsck: consistent), 1 fsck found problems,\n"
	"2 usage or operational error, 3 the journal needs recovery (fsck, ls, cat):\n"
	"run 'ordofs recover IMG' first.\n";

struct args {
	const char *pos[4];
	int npos;
	const char *jpath;
	unsigned long long size;
	unsigned long journal_blocks, inodes;
};

struct image {
	struct filedev f, jf;
	struct blk blk, jblk;
	bool has_journal;
};

static int image_open(struct image *im, const struct args *a, bool read_only)
{
	int err = filedev_open(&im->f, a->pos[1], read_only);

	if (err)
		return err;
	blk_init(&im->blk, &im->f.q.dev, false);
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

/* OX_RECOVER with a message if recovery would replay something, else 0. */
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
	return OX_RECOVER;
}

static int mount_image(struct image *im, bool read_only, struct fs **fs)
{
	struct fs_mount_opts o = { .journal_dev = image_jdev(im), .read_only = read_only };
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

static int cmd_mkfs(const struct args *a)
{
	struct fs_mkfs_opts o = { .ninodes = (u32)a->inodes,
				  .journal_blocks = (u32)a->journal_blocks };
	struct fs_statfs st;
	struct image im;
	struct fs *fs;
	int err;

	if (a->size && resize_file(a->pos[1], a->size))
		return OX_ERROR;
	if (a->jpath && a->journal_blocks &&
	    resize_file(a->jpath, (unsigned long long)a->journal_blocks * OFS_BLOCK_SIZE))
		return OX_ERROR;
	if (image_open(&im, a, false))
		return OX_ERROR;
	o.journal_dev = image_jdev(&im);
	random_uuid(o.uuid);
	err = fs_format(&im.blk, &o);
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

static int cmd_recover(const struct args *a)
{
	struct jnl_recovery rep = { 0 };
	struct fs_mount_opts o = { 0 };
	struct image im;
	struct fs *fs;
	int err;

	if (image_open(&im, a, false))
		return OX_ERROR;
	o.journal_dev = image_jdev(&im);
	err = fs_mount(&im.blk, &o, &rep, &fs);
	if (!err)
		err = fs_unmount(fs);
	image_close(&im);
	if (err)
		return fail("recover", a->pos[1], err);
	printf("%s: %llu transactions (%llu blocks) replayed\n", a->pos[1],
	       (unsigned long long)rep.transactions, (unsigned long long)rep.blocks);
	return OX_OK;
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
	if (image_open(&im, a, false) || mount_image(&im, false, &fs)) {
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

/* "123", "64K", "16M", "2G" -> bytes; 0 if not a number. */
static unsigned long long parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		v <<= 30;
		end++;
		break;
	default: break;
	}
	return *end ? 0 : v;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "-h") || !strcmp(o, "--help"))
			return 1;
		if (o[0] == '-' && o[1] == '-' && !v)
			return -1;
		if (!strcmp(o, "--size"))
			a->size = parse_size(v);
		else if (!strcmp(o, "--journal-blocks"))
			a->journal_blocks = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--inodes"))
			a->inodes = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--journal"))
			a->jpath = v;
		else if (o[0] == '-' && o[1] == '-')
			return -1;
		else if (a->npos < 4)
			a->pos[a->npos++] = o;
		else
			return -1;
		if (o[0] == '-' && o[1] == '-')
			i++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int npos_min, npos_max;
		int (*fn)(const struct args *a);
	} cmds[] = {
		{ "mkfs", 2, 2, cmd_mkfs },	  { "fsck", 2, 2, cmd_fsck },
		{ "recover", 2, 2, cmd_recover }, { "ls", 2, 3, cmd_ls },
		{ "cat", 3, 3, cmd_cat },	  { "put", 4, 4, cmd_put },
	};
	struct args a;
	int r = parse_args(argc, argv, &a);

	if (r > 0) {
		fputs(usage, stdout);
		return OX_OK;
	}
	for (size_t i = 0; r == 0 && a.npos > 0 && i < ARRAY_SIZE(cmds); i++) {
		if (!strcmp(a.pos[0], cmds[i].name) && a.npos >= cmds[i].npos_min &&
		    a.npos <= cmds[i].npos_max)
			return cmds[i].fn(&a);
	}
	fputs(usage, stderr);
	return OX_ERROR;
}

/* ---- the host shim: what the portable layers ask of arch/ and lib/ ---- */

int vkprintf(const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
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
