/*
 * tests/fuzz/mkseeds.c - writes the seed corpora of the fuzz targets that
 * cannot simply take a file of the tree (`make fuzz-seeds`):
 *
 *   corpus/fs/         ordofs images in the sparse form of fs_image.h,
 *                      made by the real fs_format() and fs_* calls on a
 *                      RAM disk: clean ones, and crash images taken after
 *                      fs_sync() with the journal still holding committed
 *                      transactions (checksummed commits, classic commits,
 *                      data=journal), on 512- and 4096-byte sectors;
 *   corpus/vpci/       configuration spaces and registers of a virtio-blk
 *                      PCI function as QEMU 7.2 lays them out (modern,
 *                      transitional, legacy), in fuzz_vpci.c's form;
 *   corpus/virtqueue/  scripts of fuzz_virtqueue.c: an honest exchange,
 *                      then a few hostile used entries.
 *
 * Usage: mkseeds DIR (DIR is tests/fuzz/corpus).  Output is deterministic
 * (fixed uuid and clock), so re-running it changes no file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"
#include "kernel/block/blk.h"
#include "kernel/fs/fs.h"
#include "kernel/fs/ondisk.h"
#include "tests/fuzz/fs_image.h"
#include "tests/host/ramdisk.h"

#define BS OFS_BLOCK_SIZE

static const char *outdir;

static void put_file(const char *sub, const char *name, const void *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", outdir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
	printf("mkseeds: %s (%zu bytes)\n", path, len);
}

/* ---- ordofs images ---------------------------------------------------- */

struct out {
	u8 *buf;
	size_t len, cap;
};

static void out_put(struct out *o, const void *p, size_t n)
{
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2;
		o->buf = realloc(o->buf, o->cap);
		if (!o->buf)
			abort();
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void out_le16(struct out *o, unsigned v)
{
	u8 b[2] = { (u8)v, (u8)(v >> 8) };

	out_put(o, b, 2);
}

/* One record per non-zero block: around its longest run of zeros. */
static void fsi_write(const char *name, const struct ramdisk *rd, u8 flags)
{
	u64 nblocks = rd->bytes / BS;
	struct out o = { 0 };

	out_put(&o, &flags, 1);
	out_le16(&o, (unsigned)nblocks);
	out_put(&o, &(u8){ 0 }, 1);
	for (u64 b = 0; b < nblocks; b++) {
		const u8 *blk = rd->store + b * BS;
		u32 best = 0, best_at = BS, run = 0;

		for (u32 i = 0; i < BS; i++) {
			run = blk[i] ? 0 : run + 1;
			if (run > best) {
				best = run;
				best_at = i + 1 - run;
			}
		}
		if (best == BS)
			continue; /* all zero: nothing to say */
		out_le16(&o, (unsigned)b);
		out_le16(&o, best_at);
		out_le16(&o, BS - best_at - best);
		out_put(&o, blk, best_at);
		out_put(&o, blk + best_at + best, BS - best_at - best);
	}
	put_file("fs", name, o.buf, o.len);
	free(o.buf);
}

static void must(int err, const char *what)
{
	if (err < 0) {
		fprintf(stderr, "mkseeds: %s failed: %d\n", what, err);
		exit(1);
	}
}

/* The tree fuzz_fs.c's exercise knows: /d, /d/f, /d/sub, /g, /big. */
static void populate(struct fs *fs)
{
	static u8 data[14 * BS];
	u32 ino;

	/* A few bytes at the start of each block: records stay short. */
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = i % BS < 8 ? (u8)(i * 7 + i / BS + 1) : 0;
	must(fs_mkdir(fs, "/d"), "mkdir /d");
	must(fs_mkdir(fs, "/d/sub"), "mkdir /d/sub");
	must(fs_create(fs, "/d/f"), "create /d/f");
	must(fs_open(fs, "/d/f", &ino), "open /d/f");
	must(fs_write(fs, ino, 0, "hello, ordofs\n", 14), "write /d/f");
	must(fs_create(fs, "/g"), "create /g");
	must(fs_open(fs, "/g", &ino), "open /g");
	must(fs_write(fs, ino, 0, data, 2 * BS), "write /g");
	must(fs_create(fs, "/big"), "create /big");
	must(fs_open(fs, "/big", &ino), "open /big");
	must(fs_write(fs, ino, 0, data, sizeof(data)), "write /big"); /* an indirect block */
	must(fs_sync(fs), "sync");
}

/* A second transaction or two on top: renames, an unlink, a truncate. */
static void churn(struct fs *fs)
{
	u32 ino;

	must(fs_rename(fs, "/d/f", "/d/sub/f2"), "rename");
	must(fs_create(fs, "/d/f"), "create /d/f");
	must(fs_unlink(fs, "/d/sub/f2"), "unlink");
	must(fs_open(fs, "/big", &ino), "open /big");
	must(fs_truncate(fs, ino, 5 * BS + 3), "truncate /big");
	must(fs_sync(fs), "sync");
}

static void fs_seed(const char *name, u32 sector, const struct fs_mount_opts *mo, bool crash,
		    u8 flags)
{
	struct fs_mkfs_opts mk = { .ninodes = 64, .journal_blocks = 32 };
	struct ramdisk rd, snap;
	struct blk blk, sblk;
	struct fs *fs;

	memset(mk.uuid, 0x5a, sizeof(mk.uuid));
	ramdisk_init(&rd, 128 * BS, sector);
	blk_init(&blk, &rd.q.dev, false);
	must(fs_format(&blk, &mk), "format");
	must(fs_mount(&blk, mo, NULL, &fs), "mount");
	populate(fs);
	if (crash) {
		churn(fs);
		/* What a power cut now leaves: the log holds the last commits. */
		ramdisk_clone(&snap, &rd, 0);
		blk_init(&sblk, &snap.q.dev, false);
		printf("mkseeds: %s: %d transactions to replay\n", name,
		       fs_journal_pending(&sblk, NULL));
		must(fs_unmount(fs), "unmount");
		fsi_write(name, &snap, flags);
		ramdisk_free(&snap);
	} else {
		must(fs_unmount(fs), "unmount");
		fsi_write(name, &rd, flags);
	}
	ramdisk_free(&rd);
}

static void fs_seeds(void)
{
	fs_seed("clean", 512, &(struct fs_mount_opts){ 0 }, false, 0);
	fs_seed("clean-4k", 4096, &(struct fs_mount_opts){ 0 }, false, 3);
	fs_seed("crash-csum", 512, &(struct fs_mount_opts){ 0 }, true, 0);
	fs_seed("crash-classic", 512, &(struct fs_mount_opts){ .classic_commit = true }, true,
		FSI_F_CLASSIC_COMMIT);
	fs_seed("crash-data-journal", 512, &(struct fs_mount_opts){ .data_journal = true }, true,
		FSI_F_DATA_JOURNAL);
	fs_seed("clean-read-only", 1024, &(struct fs_mount_opts){ 0 }, false, 1 | FSI_F_READ_ONLY);
}

/* ---- virtio-pci functions ---------------------------------------------- */

struct vpci_seed {
	u8 cfg[256];
	u8 bars[6];
	u8 misc;
	u8 regs[16384];
};

static void le16_at(u8 *p, unsigned v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void le32_at(u8 *p, u32 v)
{
	le16_at(p, v & 0xffff);
	le16_at(p + 2, v >> 16);
}

/* A virtio vendor capability at `pos` (struct virtio_pci_cap). */
static void vcap(u8 *cfg, u8 pos, u8 next, u8 type, u8 len, u8 bar, u32 off, u32 size)
{
	cfg[pos] = 0x09; /* PCI_CAP_ID_VNDR */
	cfg[pos + 1] = next;
	cfg[pos + 2] = len;
	cfg[pos + 3] = type;
	cfg[pos + 4] = bar;
	le32_at(cfg + pos + 8, off);
	le32_at(cfg + pos + 12, size);
}

static void vpci_seed(const char *name, unsigned device_id, bool modern, bool legacy_bar)
{
	static struct vpci_seed s;
	size_t len;

	memset(&s, 0, sizeof(s));
	le16_at(s.cfg + 0x00, 0x1af4);
	le16_at(s.cfg + 0x02, device_id);
	le16_at(s.cfg + 0x2c, 0x1af4);
	le16_at(s.cfg + 0x2e, 2); /* virtio-blk */
	s.cfg[0x0b] = 0x01;	  /* mass storage */
	if (modern) {
		le16_at(s.cfg + 0x06, 0x10); /* capability list */
		s.cfg[0x34] = 0x98;
		/* MSI-X first, as QEMU has it, then the virtio structures. */
		s.cfg[0x98] = 0x11;
		s.cfg[0x99] = 0x84;
		vcap(s.cfg, 0x84, 0x70, 5, 20, 0, 0, 0);	   /* PCI cfg */
		vcap(s.cfg, 0x70, 0x60, 2, 20, 4, 0x3000, 0x1000); /* notify */
		le32_at(s.cfg + 0x70 + 16, 4);			   /* notify_off_multiplier */
		vcap(s.cfg, 0x60, 0x50, 4, 16, 4, 0x2000, 0x1000); /* device */
		vcap(s.cfg, 0x50, 0x40, 3, 16, 4, 0x1000, 0x1000); /* ISR */
		vcap(s.cfg, 0x40, 0x00, 1, 16, 4, 0x0000, 0x1000); /* common */
		s.bars[4] = 3 | 11 << 2;			   /* mem64, 16 KiB */
		/* Common configuration: 1 queue of 256; device config: capacity. */
		le32_at(s.regs + 0x04, 0x00000201); /* device_feature: SIZE_MAX, FLUSH */
		le16_at(s.regs + 0x12, 1);
		le16_at(s.regs + 0x18, 256);
	}
	s.bars[1] = 2 | 9 << 2; /* mem32, 4 KiB: the MSI-X table */
	if (legacy_bar) {
		s.bars[0] = 1 | 4 << 2; /* I/O, 128 bytes */
		if (!modern) {
			le32_at(s.regs + 0x00, 0x00000201);
			le16_at(s.regs + 12, 256);  /* QUEUE_NUM */
			le32_at(s.regs + 20, 2048); /* capacity */
		}
	}
	/* The registers past the last non-zero byte read as zero anyway. */
	len = sizeof(s);
	while (len > offsetof(struct vpci_seed, regs) && !((const u8 *)&s)[len - 1])
		len--;
	put_file("vpci", name, &s, len);
}

/* ---- virtqueue scripts (fuzz_virtqueue.c) -------------------------------- */

/* The configuration byte for a ring of 2^lg entries with these flags. */
static u8 vq_cfg(unsigned lg, u8 flags)
{
	for (unsigned c = 0; c < 256; c++)
		if (c % 9 == lg && (c & 0x70) == flags)
			return (u8)c;
	abort();
}

static void vq_seeds(void)
{
	struct out o = { 0 };
	/* add (op 0): shape nout=1 nin=1, lengths; honest device (7); poll (2). */
	static const u8 round[] = { 0, 0x05, 4, 2, 0, 0x09, 4, 2, 2, 7, 1, 200, 200, 2, 3, 10, 0 };
	static const u8 hostile[] = {
		0,  0x05, 4, 2,			    /* add a chain */
		4,  0,	  9, 0, 0, 0, 0,   0, 0, 0, /* used[0] = { id 9, len 0 } */
		6,  1,				    /* used->idx += 1 */
		2,  0,				    /* poll: breaks the queue */
		11, 0,				    /* the owner resets it */
		0,  0x05, 4, 2, 7, 0, 255, 2, 0,    /* and it works again */
	};

	out_put(&o, &(u8){ vq_cfg(3, 0x20) }, 1); /* 8 entries, event index */
	for (int i = 0; i < 40; i++)
		out_put(&o, round, sizeof(round));
	put_file("virtqueue", "honest-8", o.buf, o.len);
	o.len = 0;
	out_put(&o, &(u8){ vq_cfg(2, 0x10) }, 1); /* 4 entries, legacy alignment */
	out_put(&o, hostile, sizeof(hostile));
	put_file("virtqueue", "hostile-4", o.buf, o.len);
	o.len = 0;
	out_put(&o, &(u8){ vq_cfg(0, 0x40) }, 1); /* 1 entry, lenient lengths */
	for (int i = 0; i < 8; i++)
		out_put(&o, round, sizeof(round));
	put_file("virtqueue", "one-lenient", o.buf, o.len);
	free(o.buf);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds CORPUS-DIR\n");
		return 2;
	}
	outdir = argv[1];
	host_console_quiet = true;
	fs_seeds();
	vpci_seed("modern", 0x1042, true, false);
	vpci_seed("transitional", 0x1001, true, true);
	vpci_seed("legacy", 0x1001, false, true);
	vq_seeds();
	return 0;
}
