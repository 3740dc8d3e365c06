/*
 * drivers/virtio/virtio_ring.h - virtqueue layouts, virtio 1.2 sections
 * 2.7 (split) and 2.8 (packed).
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

/*
 * 2.8 Packed Virtqueues.  One ring of descriptors that the driver makes
 * available and the device overwrites with used elements; each side
 * keeps a wrap counter, flipped when its index passes the end of the ring.
 */
#define VIRTQ_PACKED_DESC_F_AVAIL (1u << 7)
#define VIRTQ_PACKED_DESC_F_USED (1u << 15)

/* 2.8.13 Packed Virtqueue Descriptor (also a used element and a table entry). */
struct virtq_packed_desc {
	le64 addr;
	le32 len;
	le16 id;
	le16 flags;
};
_Static_assert(sizeof(struct virtq_packed_desc) == 16, "2.8.13 descriptor size");

/* 2.8.10 Event Suppression Structure Format: offset (bits 0-14) and wrap (15). */
#define VIRTQ_PACKED_EVENT_F_ENABLE 0
#define VIRTQ_PACKED_EVENT_F_DISABLE 1
#define VIRTQ_PACKED_EVENT_F_DESC 2 /* only with VIRTIO_F_RING_EVENT_IDX */
#define VIRTQ_PACKED_EVENT_WRAP_SHIFT 15

struct virtq_packed_event {
	le16 off_wrap;
	le16 flags;
};
_Static_assert(sizeof(struct virtq_packed_event) == 4, "2.8.10 event suppression size");

/*
 * Our packed layout: the descriptor ring (16-byte aligned, 2.8.10.1), then
 * the driver event suppression structure (the "driver area"), then the
 * device's (the "device area"), each 4-byte aligned.  Modern transports
 * only: they take the three addresses separately.
 */
static inline size_t virtq_packed_driver_offset(unsigned num)
{
	return sizeof(struct virtq_packed_desc) * num;
}

static inline size_t virtq_packed_device_offset(unsigned num)
{
	return virtq_packed_driver_offset(num) + sizeof(struct virtq_packed_event);
}

static inline size_t virtq_packed_ring_size(unsigned num)
{
	return virtq_packed_device_offset(num) + sizeof(struct virtq_packed_event);
}

#endif
