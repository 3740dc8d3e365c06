/*
 * lib/disksig.h - what is on a disk: a partition table, another
 * filesystem's signature, other data, or nothing.
 *
 * Interface: disksig_identify() reads a disk through a struct disk_io
 * (lib/diskio.h) and says what it found, for the decision "may ordofs
 * format this?" (only if BLANK) and for the message when it may not.  It
 * never writes.  Pure and portable.  ordofs's own superblock is recognised
 * by the filesystem before this is asked.
 *
 * Signatures are looked for first, so a known one wins over DATA:
 * LUKS, GPT (header "EFI PART" at LBA 1 or the last LBA, for io->bsize,
 * 512- and 4096-byte LBAs), FAT12/16/32, MBR, ext2/3/4, ISO 9660, Linux
 * swap.  Then the disk is BLANK only if its first and last MiB are zero
 * (all of it when it is at most 2 MiB); otherwise DATA.
 */
#ifndef ORDO_LIB_DISKSIG_H
#define ORDO_LIB_DISKSIG_H

#include "lib/diskio.h"

enum disksig_kind {
	DISKSIG_BLANK,
	DISKSIG_MBR,
	DISKSIG_GPT,
	DISKSIG_EXT,
	DISKSIG_FAT,
	DISKSIG_ISO9660,
	DISKSIG_SWAP,
	DISKSIG_LUKS,
	DISKSIG_DATA
};

/* Each zone disksig_identify() checks for blankness (at either end of the disk). */
#define DISKSIG_BLANK_ZONE (1ull << 20)

struct disksig {
	enum disksig_kind kind;
	char what[64]; /* for messages: "an MBR partition table", "a GPT partition table
	                  (backup header only)", "an ext4 filesystem", "a FAT32 filesystem",
	                  "an ISO 9660 filesystem", "Linux swap", "a LUKS2 volume",
	                  "non-zero data at byte 0x1234", "nothing (blank)" */
	u64 offset;    /* DISKSIG_DATA: first non-zero byte found */
};

/*
 * Identify what the disk io describes holds.
 * 0 and *out filled; -ENOSPC when the disk is smaller than one block (the
 * caller says "too small"); -EINVAL when io's geometry is not as
 * lib/diskio.h requires; -ENOMEM; or the read's -errno.
 */
int disksig_identify(const struct disk_io *io, struct disksig *out);

#endif
