/*
 * tests/fuzz/fs_image.h - the input of the ordofs fuzz target
 * (fuzz_fs.c), as written by the seed generator (fs_seed.c).
 *
 * A filesystem image is mostly zeros, and a fuzzer that mutates a 1 MiB
 * image spends its time on those.  So the input is a sparse image:
 *
 *   header (FSI_HDR bytes):
 *     [0]     flags: bits 0-1 the device's logical block size (512 << n),
 *             FSI_F_* below
 *     [1..2]  le16 device size in 4096-byte blocks (clamped to
 *             FSI_MIN_BLOCKS .. FSI_MAX_BLOCKS)
 *     [3]     n > 0: the n-th write to the device fails (-EIO)
 *   then records, each:
 *     le16 block number (modulo the device size), le16 head, le16 tail,
 *     `head` bytes placed at the start of that block and `tail` bytes
 *     placed at its end (head + tail <= 4096; longer ones are clipped).
 *   Everything not written by a record is zero; a truncated record
 *   writes what it has.  Later records overwrite earlier ones.
 */
#ifndef ORDO_TESTS_FUZZ_FS_IMAGE_H
#define ORDO_TESTS_FUZZ_FS_IMAGE_H

#define FSI_HDR 4u
#define FSI_REC 6u
#define FSI_MIN_BLOCKS 1u
#define FSI_MAX_BLOCKS 1024u

#define FSI_F_BSIZE_MASK 0x03u
#define FSI_F_DATA_JOURNAL 0x04u   /* mount data=journal */
#define FSI_F_CLASSIC_COMMIT 0x08u /* mount with classic commits */
#define FSI_F_READ_ONLY 0x10u	   /* mount read-only */
#define FSI_F_NO_RESTAMP 0x20u	   /* leave every checksum as it is */

#endif
