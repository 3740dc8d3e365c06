/*
 * lib/part.h - MBR and GPT partition tables: which byte ranges of a disk
 * are partitions.
 *
 * Interface: part_scan() reads a disk through a struct disk_io
 * (lib/diskio.h) and fills a struct part_table; it never writes.  Pure and
 * portable: the kernel and tools/ordofs.c call the same code.  The on-disk
 * structures are in lib/part_spec.h.
 *
 * Rules (lib/part.c says why):
 *  - LBAs are in units of io->bsize, for MBR and GPT alike.  A GPT made
 *    with another sector size than the disk reports is not found here
 *    (lib/disksig.h still recognises it, so it is never formatted over).
 *  - A plausible MBR (0x55aa, boot flags 0x00/0x80, an entry in use) with a
 *    type 0xee entry means GPT; GPT is not looked for without one.
 *  - Partitions are numbered as Linux does: MBR primaries 1-4 by slot,
 *    logical partitions 5.. in chain order, GPT by entry slot (1-based).
 *    The MBR extended partition itself is not listed.
 */
#ifndef ORDO_LIB_PART_H
#define ORDO_LIB_PART_H

#include "lib/diskio.h"

#define PART_MAX 16

enum part_scheme { PART_NONE, PART_MBR, PART_GPT };

struct part {
	unsigned index;	  /* 1-based, numbered as Linux does (MBR 1-4 primary, 5.. logical) */
	u64 start, len;	  /* bytes, multiples of io->bsize, within the disk */
	u8 mbr_type;	  /* MBR: the partition type byte; GPT: 0 */
	u8 type_guid[16]; /* GPT: on-disk (mixed-endian) bytes; MBR: zeros */
	u8 part_guid[16];
	char name[37]; /* GPT name as ASCII, '?' for anything else; MBR: "" */
};

struct part_table {
	enum part_scheme scheme;
	bool backup_used; /* GPT: primary header or its entries were bad, the backup was used */
	bool truncated;	  /* more than PART_MAX partitions: the first ones were kept */
	unsigned n;
	struct part p[PART_MAX];
};

/*
 * Find the partition table of the disk io describes.
 * 0: *out filled (scheme PART_NONE and n 0 when there is no table);
 * -EBADMSG: a table is present but unusable (GPT with both headers or
 *   arrays bad; an entry beyond the disk's end, overlapping another or the
 *   table itself; header fields out of range; an EBR chain that loops);
 * -EINVAL: io's geometry is not as lib/diskio.h requires;
 * -ENOMEM: no scratch buffer; otherwise the read's -errno.
 * On any error *out is left as "no table".
 */
int part_scan(const struct disk_io *io, struct part_table *out);

/*
 * The 512-byte sector looks like an MBR (or EBR): signature 0xaa55, every
 * boot indicator 0x00 or 0x80, at least one entry with a non-zero type.
 * lib/disksig.c uses the same test.
 */
bool part_mbr_plausible(const void *sector);

/* Parse "e3782515-0da5-48d2-8e3c-68e70f5247ca" into the on-disk GPT byte order; 0 or -EINVAL. */
int guid_parse(const char *s, u8 out[16]);

/* Format on-disk GUID bytes as the usual text form (37 bytes with the NUL). */
void guid_format(const u8 g[16], char out[37]);

#endif
