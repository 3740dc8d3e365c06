/*
 * drivers/virtio/virtio_ring.h - split virtqueue layout, virtio 1.2 section 2.7.
 *
 * These structures live in memory shared with the device.  Every field is
 * little-endian through the checked le types (legacy devices on the
 * little-endian machines we support are little-endian too).
 */
#ifndef ORDO_VIRTIO_RING_H
#define ORDO_VIRTIO_RING_H

#include "lib/le.h"

/* 2.7.5 The Virtqueue Descriptor Table */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4

struct virtq_desc {
	le64 addr;
	le32 len;
	le16 flags;
	le16 next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "2.7.5 descriptor size");

/* 2.7.6 The Virtqueue Available Ring; used_event follows ring[num]. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_avail {
	le16 flags;
	le16 idx;
	le16 ring[];
};
_Static_assert(sizeof(struct virtq_avail) == 4, "2.7.6 avail header");

/* 2.7.8 The Virtqueue Used Ring; avail_event follows ring[num]. */
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_used_elem {
	le32 id;
	le32 len;
};
_Static_assert(sizeof(struct virtq_used_elem) == 8, "2.7.8 used element");

struct virtq_used {
	le16 flags;
	le16 idx;
	struct virtq_used_elem ring[];
};
_Static_assert(sizeof(struct virtq_used) == 4, "2.7.8 used header");

/* Maximum queue size: 2.7 "Queue Size ... maximum 32768". */
#define VIRTQ_MAX_SIZE 32768

/*
 * 2.7.2 Legacy Interfaces: the three parts are contiguous, the used ring
 * starts on the next `align` boundary (4096 for virtio-mmio v1 and
 * virtio-pci legacy).  Modern transports accept any placement; we use the
 * same layout for both so one allocation serves every transport.
 */
static inline size_t virtq_avail_offset(unsigned num)
{
	return sizeof(struct virtq_desc) * num;
}

static inline size_t virtq_used_offset(unsigned num, size_t align)
{
	size_t end = virtq_avail_offset(num) + sizeof(struct virtq_avail) +
		     sizeof(le16) * (num + 1); /* ring[] + used_event */

	return ALIGN_UP(end, align);
}

static inline size_t virtq_ring_size(unsigned num, size_t align)
{
	return virtq_used_offset(num, align) +
	       ALIGN_UP(sizeof(struct virtq_used) + sizeof(struct virtq_used_elem) * num +
				sizeof(le16), /* avail_event */
			align);
}

/*
 * 2.7.10 Driver and device event suppression: true if the other side asked
 * to be notified when the index moved from `old` past `event` to `new_idx`.
 */
static inline bool virtq_need_event(u16 event, u16 new_idx, u16 old)
{
	return (u16)(new_idx - event - 1) < (u16)(new_idx - old);
}

#endif
