/*
 * lib/disksig.c - recognise what is on a disk before ordofs formats it.
 *
 * Implements lib/disksig.h.  Facts used, each from its format's own spec:
 *   LUKS       "LUKS\xba\xbe" at 0, big-endian version at 6 (LUKS1 and
 *              LUKS2 on-disk format specifications);
 *   GPT        "EFI PART" at the start of LBA 1 or of the last LBA (UEFI
 *              2.10 section 5.3.2); only the signature, not the CRC: a
 *              damaged GPT still marks a disk that is in use;
 *   FAT        the BIOS parameter block of the boot sector (Microsoft FAT
 *              specification, section 3), type by its file-system-type
 *              string or else by its cluster count (section 3.5);
 *   MBR        lib/part.c's part_mbr_plausible(); a 0xee entry means GPT;
 *   ext2/3/4   superblock at byte 1024: s_magic 0xef53 at 56,
 *              s_feature_compat at 92, s_feature_incompat at 96;
 *   ISO 9660   "CD001" at byte 1 of the volume descriptor at 32 KiB
 *              (ECMA-119 section 8.1);
 *   swap       "SWAPSPACE2" (or the old "SWAP-SPACE") in the last 10 bytes
 *              of the first page, for each page size Linux uses.
 * Order matters where two can match: GPT before MBR (a GPT disk starts
 * with a protective MBR), FAT before MBR (a FAT boot sector also ends in
 * 0x55aa).
 *
 * Every signature window lies within one 512-byte sector, so within one
 * logical block: sig_peek() reads the block holding it into one
 * DISKIO_CHUNK buffer (kmalloc) and keeps it for the next peek at the same
 * block.  No global state: reentrant.
 */
#include "lib/disksig.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/le.h"
#include "lib/part.h"
#include "lib/part_spec.h"
#include "lib/string.h"

struct sig {
	const struct disk_io *io;
	u8 *buf;    /* DISKIO_CHUNK bytes */
	u64 cached; /* the block in buf (byte offset), when valid */
	bool valid;
	struct disksig *out;
};

/*
 * Point *p at disk bytes [off, off + len), which lie within one block:
 * 0 (*p NULL when they are past the disk's end) or the read's -errno.
 */
static int sig_peek(struct sig *s, u64 off, u32 len, const u8 **p)
{
	const struct disk_io *io = s->io;
	u64 blk = off & ~(u64)(io->bsize - 1);
	int rc;

	*p = NULL;
	if (off >= io->size || len > io->size - off)
		return 0;
	if (!s->valid || s->cached != blk) {
		s->valid = false;
		rc = io->read(io->ctx, blk, s->buf, io->bsize);
		if (rc)
			return rc;
		s->cached = blk;
		s->valid = true;
	}
	*p = s->buf + (off - blk);
	return 0;
}

/* Say what was found; returns 1 ("found") for the checkers below. */
static int sig_found(struct sig *s, enum disksig_kind kind, const char *what)
{
	size_t n = strnlen(what, sizeof(s->out->what) - 1);

	s->out->kind = kind;
	memcpy(s->out->what, what, n);
	s->out->what[n] = '\0';
	return 1;
}

static u16 sig_le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 sig_le32(const u8 *p)
{
	return (u32)sig_le16(p) | (u32)sig_le16(p + 2) << 16;
}

/*
 * Each checker: 1 when its signature is there (s->out filled), 0 when
 * not, or a read's -errno.
 */
static int sig_luks(struct sig *s)
{
	const u8 *b;
	int rc = sig_peek(s, 0, 8, &b);

	if (rc || !b || memcmp(b, "LUKS\xba\xbe", 6))
		return rc;
	switch (b[6] << 8 | b[7]) {
	case 1: return sig_found(s, DISKSIG_LUKS, "a LUKS1 volume");
	case 2: return sig_found(s, DISKSIG_LUKS, "a LUKS2 volume");
	default: return sig_found(s, DISKSIG_LUKS, "a LUKS volume");
	}
}

/* "EFI PART" at the start of LBA 1 (backup: the last LBA) for LBAs of lbsz bytes. */
static int sig_gpt_at(struct sig *s, u32 lbsz, bool backup)
{
	u64 off = backup ? s->io->size - lbsz : lbsz;
	const u8 *b;
	int rc;

	if (s->io->size < 2 * (u64)lbsz)
		return 0;
	rc = sig_peek(s, off, 8, &b);
	if (rc || !b)
		return rc;
	return !memcmp(b, GPT_HEADER_SIGNATURE, 8);
}

static int sig_gpt(struct sig *s)
{
	const u32 lbsz[] = { s->io->bsize, 512, 4096 };
	int rc;

	for (int backup = 0; backup < 2; backup++) {
		for (unsigned i = 0; i < ARRAY_SIZE(lbsz); i++) {
			rc = sig_gpt_at(s, lbsz[i], backup);
			if (rc < 0)
				return rc;
			if (rc && !backup)
				return sig_found(s, DISKSIG_GPT, "a GPT partition table");
			if (rc)
				return sig_found(s, DISKSIG_GPT,
						 "a GPT partition table (backup header only)");
		}
	}
	return 0;
}

/* The FAT type of a sane BIOS parameter block at b (512 bytes), or NULL. */
static const char *sig_fat_type(const u8 *b)
{
	u32 bps = sig_le16(b + 11), spc = b[13], rsvd = sig_le16(b + 14), nfats = b[16];
	u32 fatsz = sig_le16(b + 22) ? sig_le16(b + 22) : sig_le32(b + 36);
	u32 total = sig_le16(b + 19) ? sig_le16(b + 19) : sig_le32(b + 32);
	u64 meta, clusters;

	if (!((b[0] == 0xeb && b[2] == 0x90) || b[0] == 0xe9))
		return NULL; /* no jump to boot code */
	if (bps < 512 || bps > 4096 || !IS_POW2(bps) || !IS_POW2(spc) || rsvd < 1 || nfats < 1 ||
	    nfats > 2)
		return NULL;
	if (!memcmp(b + 54, "FAT12   ", 8))
		return "a FAT12 filesystem";
	if (!memcmp(b + 54, "FAT16   ", 8))
		return "a FAT16 filesystem";
	if (!memcmp(b + 82, "FAT32   ", 8))
		return "a FAT32 filesystem";
	/* No type string: the cluster count decides (FAT spec 3.5). */
	meta = rsvd + (u64)nfats * fatsz + (sig_le16(b + 17) * 32u + bps - 1) / bps;
	if (!fatsz || total <= meta)
		return NULL;
	clusters = (total - meta) / spc;
	if (clusters < 4085)
		return "a FAT12 filesystem";
	return clusters < 65525 ? "a FAT16 filesystem" : "a FAT32 filesystem";
}

static int sig_fat(struct sig *s)
{
	const char *what;
	const u8 *b;
	int rc = sig_peek(s, 0, 512, &b);

	if (rc || !b || !(what = sig_fat_type(b)))
		return rc;
	return sig_found(s, DISKSIG_FAT, what);
}

static int sig_mbr(struct sig *s)
{
	const struct mbr *m;
	const u8 *b;
	int rc = sig_peek(s, 0, 512, &b);

	if (rc || !b || !part_mbr_plausible(b))
		return rc;
	m = (const void *)b;
	for (int i = 0; i < MBR_NPART; i++) {
		if (m->partition_record[i].os_type == MBR_TYPE_GPT_PROTECTIVE)
			return sig_found(s, DISKSIG_GPT,
					 "a GPT partition table (protective MBR only)");
	}
	return sig_found(s, DISKSIG_MBR, "an MBR partition table");
}

#define EXT_SB_OFFSET 1024
#define EXT_MAGIC 0xef53
#define EXT_COMPAT_HAS_JOURNAL 0x4
#define EXT_INCOMPAT_EXTENTS 0x40
#define EXT_INCOMPAT_64BIT 0x80

static int sig_ext(struct sig *s)
{
	u32 compat, incompat;
	const u8 *b;
	int rc = sig_peek(s, EXT_SB_OFFSET, 100, &b);

	if (rc || !b || sig_le16(b + 56) != EXT_MAGIC)
		return rc;
	compat = sig_le32(b + 92);
	incompat = sig_le32(b + 96);
	if (incompat & (EXT_INCOMPAT_EXTENTS | EXT_INCOMPAT_64BIT))
		return sig_found(s, DISKSIG_EXT, "an ext4 filesystem");
	if (compat & EXT_COMPAT_HAS_JOURNAL)
		return sig_found(s, DISKSIG_EXT, "an ext3 filesystem");
	return sig_found(s, DISKSIG_EXT, "an ext2 filesystem");
}

static int sig_iso9660(struct sig *s)
{
	const u8 *b;
	int rc = sig_peek(s, 32768 + 1, 5, &b);

	if (rc || !b || memcmp(b, "CD001", 5))
		return rc;
	return sig_found(s, DISKSIG_ISO9660, "an ISO 9660 filesystem");
}

static int sig_swap(struct sig *s)
{
	static const u32 page[] = { 4096, 8192, 16384, 65536 };
	const u8 *b;
	int rc;

	for (unsigned i = 0; i < ARRAY_SIZE(page); i++) {
		rc = sig_peek(s, page[i] - 10, 10, &b);
		if (rc)
			return rc;
		if (b && (!memcmp(b, "SWAPSPACE2", 10) || !memcmp(b, "SWAP-SPACE", 10)))
			return sig_found(s, DISKSIG_SWAP, "Linux swap");
	}
	return 0;
}

/* In this order: see the file comment. */
static int (*const sig_checks[])(struct sig *) = {
	sig_luks, sig_gpt, sig_fat, sig_mbr, sig_ext, sig_iso9660, sig_swap,
};

/* "non-zero data at byte 0x<hex>" */
static void sig_data(struct sig *s, u64 off)
{
	static const char hex[] = "0123456789abcdef";
	char what[40] = "non-zero data at byte 0x";
	size_t n = strlen(what);
	int shift = 60;

	while (shift > 0 && !(off >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		what[n++] = hex[(off >> shift) & 15];
	what[n] = '\0';
	sig_found(s, DISKSIG_DATA, what);
	s->out->offset = off;
}

/* 1 (DATA, s->out filled) if [start, start + len) holds a non-zero byte. */
static int sig_nonzero(struct sig *s, u64 start, u64 len)
{
	const struct disk_io *io = s->io;
	int rc;

	s->valid = false; /* buf is reused for the scan */
	for (u64 off = start; off < start + len; off += DISKIO_CHUNK) {
		u32 n = (u32)MIN(DISKIO_CHUNK, start + len - off);

		rc = io->read(io->ctx, off, s->buf, n);
		if (rc)
			return rc;
		for (u32 i = 0; i < n; i++) {
			if (s->buf[i]) {
				sig_data(s, off + i);
				return 1;
			}
		}
	}
	return 0;
}

static int sig_blank(struct sig *s)
{
	u64 size = s->io->size;
	int rc;

	if (size <= 2 * DISKSIG_BLANK_ZONE)
		return sig_nonzero(s, 0, size);
	rc = sig_nonzero(s, 0, DISKSIG_BLANK_ZONE);
	if (!rc)
		rc = sig_nonzero(s, size - DISKSIG_BLANK_ZONE, DISKSIG_BLANK_ZONE);
	return rc;
}

int disksig_identify(const struct disk_io *io, struct disksig *out)
{
	struct sig s = { .io = io, .out = out };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (io->size < io->bsize)
		return -ENOSPC;
	if (!diskio_valid(io))
		return -EINVAL;
	s.buf = kmalloc(DISKIO_CHUNK);
	if (!s.buf)
		return -ENOMEM;
	for (unsigned i = 0; i < ARRAY_SIZE(sig_checks) && !rc; i++)
		rc = sig_checks[i](&s);
	if (!rc)
		rc = sig_blank(&s);
	if (!rc)
		sig_found(&s, DISKSIG_BLANK, "nothing (blank)");
	kfree(s.buf);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc < 0 ? rc : 0;
}
