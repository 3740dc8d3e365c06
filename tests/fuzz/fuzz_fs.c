/*
 * tests/fuzz/fuzz_fs.c - libFuzzer target for ordofs: mount (with journal
 * recovery), use, unmount and fsck of arbitrary images.
 *
 * The input is a sparse image (fs_image.h) laid on a RAM disk (as
 * tests/host/ramdisk.c, over kernel/block/blk_queue.c) of the size and
 * logical block size it asks for.
 * Before anything reads it, every checksum is re-computed, so a mutation
 * reaches the semantic checks behind the crc instead of stopping at it
 * (FSI_F_NO_RESTAMP keeps the crcs as they are, for the crc paths):
 *  - the superblock's crc (struct ofs_super, crc over the block);
 *  - both copies of the journal superblock (struct ofs_jsuper_copy);
 *  - the tail of every block whose tail magic is a metadata one (bitmap,
 *    inode table, directory, indirect: struct ofs_tail);
 *  - in the journal, every transaction header found (ORDOJTX2 magic):
 *    the crc of each DATA entry's home block, data_crc over its images in
 *    log order, hdr_crc over its header area, and the commit record after
 *    it (classic commits).
 * Then: fs_journal_pending() and fs_fsck() on the image as it is,
 * fs_mount() (recovery runs there), a walk that reads every file and
 * directory, a few changes, fs_sync(), fs_unmount() and fs_fsck() again.
 *
 * What must hold: no crash, no sanitizer report, no leak (libFuzzer checks
 * after each input), no hang (-timeout), and one property: an image fsck
 * finds consistent with an empty journal is still consistent after being
 * mounted, changed and unmounted (unless a write failed on purpose).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"
#include "kernel/block/blk.h"
#include "kernel/fs/fs.h"
#include "kernel/fs/ondisk.h"
#include "lib/crc32c.h"
#include "kernel/block/blk_queue.h"
#include "lib/errno.h"
#include "tests/fuzz/fs_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define BS OFS_BLOCK_SIZE

struct fimg {
	u8 *mem;
	u64 nblocks;
};

static u8 *fimg_block(const struct fimg *im, u64 b)
{
	return im->mem + b * BS;
}

static u16 fimg_le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

/* Lay the records of the input over the zeroed image. */
static void fimg_fill(struct fimg *im, const u8 *p, size_t left)
{
	while (left >= FSI_REC) {
		u8 *blk = fimg_block(im, fimg_le16(p) % im->nblocks);
		u32 head = MIN(fimg_le16(p + 2), BS), tail = MIN(fimg_le16(p + 4), BS - head);

		p += FSI_REC;
		left -= FSI_REC;
		head = (u32)MIN(head, left);
		memcpy(blk, p, head);
		p += head;
		left -= head;
		tail = (u32)MIN(tail, left);
		memcpy(blk + BS - tail, p, tail);
		p += tail;
		left -= tail;
	}
}

static bool fimg_tail_magic(const u8 *blk)
{
	const struct ofs_tail *t = (const struct ofs_tail *)(blk + OFS_PAYLOAD);

	switch (le32_to_cpu(t->magic)) {
	case OFS_MAGIC_BITMAP:
	case OFS_MAGIC_INODES:
	case OFS_MAGIC_DIR:
	case OFS_MAGIC_INDIRECT: return true;
	default: return false;
	}
}

/* The journal, as the superblock places it (internal only), or false. */
static bool fimg_journal(const struct fimg *im, u64 *start, u32 *blocks)
{
	const struct ofs_super *sb = (const struct ofs_super *)im->mem;

	*start = le64_to_cpu(sb->journal_start);
	*blocks = le32_to_cpu(sb->journal_blocks);
	return !(le32_to_cpu(sb->features) & OFS_FEAT_EXTERNAL_JOURNAL) && *start &&
	       *start < im->nblocks && *blocks >= 2 && *blocks <= im->nblocks - *start;
}

/* Journal position after `pos` (block 0 is the journal superblock). */
static u32 fimg_next(u32 pos, u32 jblocks)
{
	return pos + 1 >= jblocks ? 1 : pos + 1;
}

/*
 * Re-stamp the transaction whose header starts at log position `pos`:
 * DATA entry crcs, data_crc, hdr_crc, and a classic commit record.
 * `hdr` is scratch for OFS_JHDR_MAX_BLOCKS blocks.
 */
static void fimg_restamp_txn(struct fimg *im, u64 jstart, u32 jblocks, u32 pos, u8 *hdr)
{
	struct ofs_jhdr *h = (struct ofs_jhdr *)fimg_block(im, jstart + pos);
	u32 bytes = le32_to_cpu(h->hdr_bytes), nimg = le32_to_cpu(h->nimages);
	u32 hblocks = (u32)(((u64)bytes + BS - 1) / BS), at = sizeof(struct ofs_jhdr), p = pos;
	u32 dcrc = 0;

	/* 64-bit: hdr_bytes near 2^32 must not wrap to a few blocks. */
	if (bytes <= sizeof(struct ofs_jhdr) || bytes > OFS_JHDR_MAX_BLOCKS * BS ||
	    nimg > OFS_JTXN_MAX_IMAGES || hblocks + nimg >= jblocks)
		return;
	for (u32 k = 0; k < hblocks; k++, p = fimg_next(p, jblocks))
		memcpy(hdr + k * BS, fimg_block(im, jstart + p), BS);
	/* DATA entries: the crc of the block at home, as it is now. */
	for (u32 i = 0; i < le32_to_cpu(h->nentries) && bytes - at >= sizeof(struct ofs_jent);
	     i++) {
		struct ofs_jent *e = (struct ofs_jent *)(hdr + at);
		u32 home = le32_to_cpu(e->home);

		at += sizeof(*e);
		if (e->kind == OFS_JENT_DELTA)
			at += MIN((le16_to_cpu(e->len) + 7u) & ~7u, bytes - at);
		else if (e->kind == OFS_JENT_DATA && home < im->nblocks)
			e->crc = cpu_to_le32(crc32c(fimg_block(im, home), BS));
	}
	/* p is now the first image. */
	for (u32 k = 0; k < nimg; k++, p = fimg_next(p, jblocks))
		dcrc = crc32c_update(dcrc, fimg_block(im, jstart + p), BS);
	((struct ofs_jhdr *)hdr)->data_crc = cpu_to_le32(dcrc);
	((struct ofs_jhdr *)hdr)->hdr_crc =
		cpu_to_le32(crc32c_field_zero(hdr, bytes, offsetof(struct ofs_jhdr, hdr_crc)));
	for (u32 k = 0, q = pos; k < hblocks; k++, q = fimg_next(q, jblocks))
		memcpy(fimg_block(im, jstart + q), hdr + k * BS, BS);
	if (!(le32_to_cpu(((struct ofs_jhdr *)hdr)->flags) & OFS_JHDR_F_CSUM)) {
		struct ofs_jcommit *c = (struct ofs_jcommit *)fimg_block(im, jstart + p);

		if (le64_to_cpu(c->magic) == OFS_JCOMMIT_MAGIC)
			c->crc = cpu_to_le32(
				crc32c_field_zero(c, BS, offsetof(struct ofs_jcommit, crc)));
	}
}

static void fimg_restamp_journal(struct fimg *im, u8 *hdr)
{
	struct ofs_jsuper *js;
	u64 jstart;
	u32 jblocks;

	if (!fimg_journal(im, &jstart, &jblocks))
		return;
	for (u32 pos = 1; pos < jblocks; pos++) {
		const struct ofs_jhdr *h = (const struct ofs_jhdr *)fimg_block(im, jstart + pos);

		if (le64_to_cpu(h->magic) == OFS_JHDR_MAGIC)
			fimg_restamp_txn(im, jstart, jblocks, pos, hdr);
	}
	js = (struct ofs_jsuper *)fimg_block(im, jstart);
	for (unsigned i = 0; i < 2; i++)
		js->copy[i].crc = cpu_to_le32(crc32c_field_zero(
			&js->copy[i], sizeof(js->copy[i]), offsetof(struct ofs_jsuper_copy, crc)));
}

/* Every checksum of the image, inner ones first. */
static void fimg_restamp(struct fimg *im, u8 *hdr)
{
	struct ofs_super *sb = (struct ofs_super *)im->mem;

	for (u64 b = 1; b < im->nblocks; b++)
		if (fimg_tail_magic(fimg_block(im, b)))
			ofs_tail_restamp(fimg_block(im, b));
	fimg_restamp_journal(im, hdr);
	sb->crc = cpu_to_le32(crc32c_field_zero(sb, BS, offsetof(struct ofs_super, crc)));
}

/* ---- the device ----------------------------------------------------------- */

/*
 * A RAM disk like tests/host/ramdisk.c (requests carried out from poll()
 * by kernel/block/blk_queue.c), over one store kept from input to input:
 * a fresh 4 MiB allocation each time costs more than the filesystem.
 */
static struct fdisk {
	struct blk_queue q;
	u64 bytes;
	unsigned fail_write_in; /* > 0: the write this many writes from now fails */
	_Alignas(4096) u8 store[FSI_MAX_BLOCKS * OFS_BLOCK_SIZE];
} fdisk;

static int fdisk_do(struct blk_queue *q, struct blk_req *req)
{
	struct fdisk *d = container_of(q, struct fdisk, q);
	u64 off = req->sector * BLK_SECTOR_SIZE;

	switch (req->op) {
	case BLK_OP_READ:
		if (off > d->bytes || req->len > d->bytes - off)
			abort(); /* the block layer checks the capacity */
		memcpy(req->buf, d->store + off, req->len);
		return 0;
	case BLK_OP_WRITE:
		if (off > d->bytes || req->len > d->bytes - off)
			abort();
		if (d->fail_write_in && --d->fail_write_in == 0)
			return -EIO;
		memcpy(d->store + off, req->buf, req->len);
		return 0;
	case BLK_OP_FLUSH: return 0;
	case BLK_OP_GET_ID: return -EOPNOTSUPP;
	default: return -EOPNOTSUPP;
	}
}

static void fdisk_init(u64 bytes, u32 block_size)
{
	memset(fdisk.store, 0, bytes);
	fdisk.bytes = bytes;
	fdisk.fail_write_in = 0;
	blk_queue_init(&fdisk.q,
		       &(struct blk_dev_info){
			       .name = "fuzz0",
			       .block_size = block_size,
			       .capacity = bytes / BLK_SECTOR_SIZE,
			       .max_segments = 128,
			       .max_segment_size = 1u << 20,
			       .queue_depth = 128,
			       .has_flush = true,
			       .volatile_cache = true,
		       },
		       fdisk_do);
}

/* ---- what a user does to a mounted filesystem --------------------------- */

struct fwalk {
	struct fs *fs;
	int depth;
	unsigned visited;
	char path[256];
};

static u8 fbuf[3 * BS];

static int fwalk_visit(void *ctx, const char *name, u32 ino, u8 type)
{
	struct fwalk *w = ctx;
	size_t len = strlen(w->path);
	struct fs_stat st;

	if (len + strlen(name) + 2 >= sizeof(w->path) || w->depth > 8 || ++w->visited > 200)
		return 0;
	snprintf(w->path + len, sizeof(w->path) - len, "/%s", name);
	(void)fs_stat(w->fs, w->path, &st);
	(void)fs_fstat(w->fs, ino, &st);
	if (type == OFS_TYPE_DIR) {
		w->depth++;
		(void)fs_readdir(w->fs, w->path, fwalk_visit, w);
		w->depth--;
	} else {
		(void)fs_read(w->fs, ino, 0, fbuf, sizeof(fbuf));
		(void)fs_read(w->fs, ino, 13 * (u64)BS - 10, fbuf, 100); /* via the indirect */
	}
	w->path[len] = '\0';
	return 0;
}

static void fs_exercise(struct fs *fs)
{
	struct fwalk w = { .fs = fs };
	struct fs_statfs sf;
	u32 ino;

	(void)fs_readdir(fs, "/", fwalk_visit, &w);
	(void)fs_statfs(fs, &sf);
	(void)fs_create(fs, "/d/new");
	(void)fs_mkdir(fs, "/nd");
	(void)fs_rename(fs, "/g", "/d/g2");
	(void)fs_rename(fs, "/d", "/nd/d");
	if (fs_open(fs, "/nd/d/f", &ino) == 0) {
		(void)fs_write(fs, ino, 5, "abc", 3);
		(void)fs_truncate(fs, ino, 1);
		(void)fs_write(fs, ino, 14 * (u64)BS, "x", 1);
	}
	if (fs_open(fs, "/big", &ino) == 0)
		(void)fs_truncate(fs, ino, BS + 7);
	(void)fs_unlink(fs, "/nd/d/f");
	(void)fs_unlink(fs, "/d/new");
	(void)fs_sync(fs);
}

/* ---- the target ----------------------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	host_console_quiet = true; /* every corrupt image is reported */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(16) u8 hdr[OFS_JHDR_MAX_BLOCKS * BS];
	struct blk blk;
	struct fimg im;
	struct fs_mount_opts mo = { 0 };
	struct jnl_recovery rep;
	struct fs *fs;
	u8 flags, fail_write;
	int pending, before, err;

	if (size < FSI_HDR)
		return 0;
	flags = data[0];
	fail_write = data[3];
	im.nblocks = MIN(MAX(fimg_le16(data + 1), FSI_MIN_BLOCKS), FSI_MAX_BLOCKS);
	fdisk_init(im.nblocks * BS, 512u << (flags & FSI_F_BSIZE_MASK));
	im.mem = fdisk.store;
	fimg_fill(&im, data + FSI_HDR, size - FSI_HDR);
	if (!(flags & FSI_F_NO_RESTAMP))
		fimg_restamp(&im, hdr);
	blk_init(&blk, &fdisk.q.dev, false);

	pending = fs_journal_pending(&blk, NULL);
	before = fs_fsck(&blk, NULL, true);
	mo.data_journal = flags & FSI_F_DATA_JOURNAL;
	mo.classic_commit = flags & FSI_F_CLASSIC_COMMIT;
	mo.read_only = flags & FSI_F_READ_ONLY;
	fdisk.fail_write_in = fail_write;
	err = fs_mount(&blk, &mo, &rep, &fs);
	if (err == 0) {
		fs_exercise(fs);
		(void)fs_unmount(fs);
		fdisk.fail_write_in = 0;
		/* A consistent image stays consistent through a clean mount. */
		if (fs_fsck(&blk, NULL, true) != 0 && pending == 0 && before == 0 && !fail_write)
			abort();
	}
	return 0;
}
