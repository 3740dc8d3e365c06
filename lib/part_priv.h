/*
 * lib/part_priv.h - what lib/part.c (the scan, MBR and EBR chains) and
 * lib/part_gpt.c (GPT) share.  Not for other callers.
 */
#ifndef ORDO_LIB_PART_PRIV_H
#define ORDO_LIB_PART_PRIV_H

#include "lib/part.h"

/* Read `len` bytes (a multiple of bsize) at block `lba`; -EBADMSG past the end. */
int part_read(const struct disk_io *io, u64 lba, void *buf, u32 len);

/*
 * Append *p to t: 0, or 1 when t already holds PART_MAX partitions (then
 * t->truncated is set and the caller stops looking for more).
 */
int part_add(struct part_table *t, const struct part *p);

/* -EBADMSG if any two partitions of t share a byte, else 0. */
int part_check_overlaps(const struct part_table *t);

/*
 * The GPT of a disk whose MBR is protective: 0 with t filled, or as
 * part_scan().  `buf` is a DISKIO_CHUNK-byte scratch buffer.
 */
int part_gpt_scan(const struct disk_io *io, struct part_table *t, u8 *buf);

#endif
