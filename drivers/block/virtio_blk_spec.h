/*
 * drivers/block/virtio_blk_spec.h - virtio block device, virtio 1.2
 * section 5.2 (and the legacy BARRIER/SCSI bits of 5.2.3.1 / 5.2.6.3).
 */
#ifndef ORDO_VIRTIO_BLK_SPEC_H
#define ORDO_VIRTIO_BLK_SPEC_H

#include "lib/le.h"

/* 5.2.3 Feature bits */
#define VIRTIO_BLK_F_BARRIER 0 /* legacy: request ordering by tag */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_GEOMETRY 4
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_SCSI 7 /* legacy */
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_TOPOLOGY 10
#define VIRTIO_BLK_F_CONFIG_WCE 11
#define VIRTIO_BLK_F_MQ 12
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* 5.2.4 Device configuration layout */
struct virtio_blk_geometry {
	le16 cylinders;
	u8 heads;
	u8 sectors;
};

struct virtio_blk_config {
	le64 capacity; /* in 512-byte sectors, always */
	le32 size_max;
	le32 seg_max;
	struct virtio_blk_geometry geometry;
	le32 blk_size;
	u8 physical_block_exp; /* topology */
	u8 alignment_offset;
	le16 min_io_size;
	le32 opt_io_size;
	u8 writeback; /* CONFIG_WCE */
	u8 unused0;
	le16 num_queues;
	le32 max_discard_sectors;
	le32 max_discard_seg;
	le32 discard_sector_alignment;
	le32 max_write_zeroes_sectors;
	le32 max_write_zeroes_seg;
	u8 write_zeroes_may_unmap;
	u8 unused1[3];
};
_Static_assert(offsetof(struct virtio_blk_config, size_max) == 8, "5.2.4");
_Static_assert(offsetof(struct virtio_blk_config, geometry) == 16, "5.2.4");
_Static_assert(offsetof(struct virtio_blk_config, blk_size) == 20, "5.2.4");
_Static_assert(offsetof(struct virtio_blk_config, physical_block_exp) == 24, "5.2.4");
_Static_assert(offsetof(struct virtio_blk_config, writeback) == 32, "5.2.4");
_Static_assert(offsetof(struct virtio_blk_config, num_queues) == 34, "5.2.4");
_Static_assert(offsetof(struct virtio_blk_config, max_discard_sectors) == 36, "5.2.4");
_Static_assert(offsetof(struct virtio_blk_config, max_write_zeroes_sectors) == 48, "5.2.4");
_Static_assert(offsetof(struct virtio_blk_config, write_zeroes_may_unmap) == 56, "5.2.4");
_Static_assert(offsetof(struct virtio_blk_config, unused1) + 3 == 60, "5.2.4");

/* 5.2.6 Device Operation: request types */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_T_BARRIER 0x80000000u /* legacy flag, 5.2.6.3 */

#define VIRTIO_BLK_ID_BYTES 20

struct virtio_blk_outhdr {
	le32 type;
	le32 ioprio; /* "reserved" in 1.x */
	le64 sector;
};
_Static_assert(sizeof(struct virtio_blk_outhdr) == 16, "5.2.6");

/*
 * 5.2.6: the data of a DISCARD or WRITE_ZEROES command, device-readable:
 * an array of these, at most max_discard_seg / max_write_zeroes_seg, each
 * covering at most max_discard_sectors / max_write_zeroes_sectors.  The
 * header's sector field is unused (0).
 */
struct virtio_blk_discard_write_zeroes {
	le64 sector;
	le32 num_sectors;
	le32 flags; /* VIRTIO_BLK_WRITE_ZEROES_FLAG_*; 0 for DISCARD */
};
_Static_assert(sizeof(struct virtio_blk_discard_write_zeroes) == 16, "5.2.6");

/* WRITE_ZEROES only: the device may deallocate instead of writing zeros. */
#define VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP 0x1u

/* Status byte written by the device last. */
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_SECTOR_SIZE 512

#endif
