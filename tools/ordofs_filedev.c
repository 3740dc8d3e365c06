/*
 * tools/ordofs_filedev.c - a struct blk_dev over a host file (see
 * ordofs_filedev.h).  The queue is kernel/block/blk_queue.c; this file carries
 * requests out with pread/pwrite/fsync, and DISCARD and WRITE_ZEROES by
 * punching a hole (fallocate), which frees the file's space and reads back
 * as zeros; WRITE_ZEROES writes zeros where the file system cannot.
 */
#define _GNU_SOURCE /* fallocate */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/ordofs_filedev.h"

/* pread/pwrite all of it, or -errno (-EIO for a short transfer). */
static int filedev_rw(struct filedev *f, struct blk_req *req)
{
	off_t off = (off_t)req->sector * BLK_SECTOR_SIZE;
	size_t done = 0;

	while (done < req->len) {
		ssize_t n = req->op == BLK_OP_READ ? pread(f->fd, (char *)req->buf + done,
							   req->len - done, off + done)
						   : pwrite(f->fd, (char *)req->buf + done,
							    req->len - done, off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

/* DISCARD or WRITE_ZEROES: a hole, or (WRITE_ZEROES only) written zeros. */
static int filedev_zero(struct filedev *f, struct blk_req *req)
{
	static const char zeros[64 * 1024];
	off_t off = (off_t)req->sector * BLK_SECTOR_SIZE;
	struct blk_req w = { .op = BLK_OP_WRITE, .buf = (void *)zeros };

	if (!fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, req->len))
		return 0;
	if (req->op == BLK_OP_DISCARD)
		return errno == EOPNOTSUPP ? -EOPNOTSUPP : -EIO;
	for (u32 done = 0; done < req->len; done += w.len) {
		int err;

		w.sector = req->sector + done / BLK_SECTOR_SIZE;
		w.len = req->len - done < sizeof(zeros) ? req->len - done : (u32)sizeof(zeros);
		err = filedev_rw(f, &w);
		if (err)
			return err;
	}
	return 0;
}

static int filedev_do(struct blk_queue *q, struct blk_req *req)
{
	struct filedev *f = container_of(q, struct filedev, q);

	switch (req->op) {
	case BLK_OP_READ:
	case BLK_OP_WRITE: return filedev_rw(f, req);
	case BLK_OP_DISCARD:
	case BLK_OP_WRITE_ZEROES: return filedev_zero(f, req);
	case BLK_OP_FLUSH: return fsync(f->fd) ? -EIO : 0;
	case BLK_OP_GET_ID:
		memcpy(req->buf, f->name, req->len < sizeof(f->name) ? req->len : sizeof(f->name));
		return 0;
	default: return -EOPNOTSUPP;
	}
}

int filedev_open(struct filedev *f, const char *path, bool read_only)
{
	struct stat st;

	const char *base = strrchr(path, '/');
	off_t size;

	memset(f, 0, sizeof(*f));
	f->fd = open(path, read_only ? O_RDONLY : O_RDWR);
	if (f->fd < 0 || fstat(f->fd, &st) != 0) {
		int err = -errno;

		fprintf(stderr, "ordofs: %s: %s\n", path, strerror(errno));
		if (f->fd >= 0)
			close(f->fd);
		return err;
	}
	/* A regular file or a block device (whose st_size is 0: ask lseek). */
	size = S_ISBLK(st.st_mode) ? lseek(f->fd, 0, SEEK_END) : st.st_size;
	if ((!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) || size < 0) {
		fprintf(stderr, "ordofs: %s: %s\n", path,
			S_ISDIR(st.st_mode) ? "is a directory" : "not a file or block device");
		close(f->fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -ENODEV;
	}
	snprintf(f->name, sizeof(f->name), "%s", base ? base + 1 : path);
	blk_queue_init(&f->q,
		       &(struct blk_dev_info){
			       .name = f->name,
			       .block_size = BLK_SECTOR_SIZE,
			       .capacity = (u64)size / BLK_SECTOR_SIZE,
			       .max_segments = 1,
			       .max_segment_size = 1u << 30,
			       .queue_depth = 1024,
			       .read_only = read_only,
			       .has_flush = true,
			       .volatile_cache = true,
			       /* A hole is 4 KiB-aligned on most file systems. */
			       .discard_max_sectors = read_only ? 0 : 1u << 22,
			       .discard_align = 8,
			       .wz_max_sectors = read_only ? 0 : 1u << 22,
			       .wz_may_unmap = true,
		       },
		       filedev_do);
	return 0;
}

void filedev_close(struct filedev *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
