/*
 * drivers/virtio/virtqueue_packed.c - packed virtqueue driver side
 * (virtio 1.2, 2.8), behind the interface of virtqueue.h.
 *
 * One ring of num descriptors.  The driver writes chains into consecutive
 * slots from next_avail, marking each slot available with its wrap
 * counter (AVAIL = avail_wrap, USED = !avail_wrap); the device writes one
 * used element per chain (buffer id, bytes written, AVAIL = USED = its
 * wrap counter) in consecutive slots from where the used elements left
 * off, and skips as many slots as the chain it completed held.
 *
 * Invariants:
 *  - descriptors in shared memory are only ever written by the driver,
 *    and of a used element only flags, id and len are read, each once;
 *    every decision rests on heads[] (indexed by buffer id) and the
 *    counters here.  Indirect tables are written, never read.
 *  - heads[id].token != NULL exactly while buffer id is in flight; free
 *    ids are linked through shadow[].next from free_head.
 *  - the in-flight slots are exactly the num - num_free from last_used
 *    (wrap counter used_wrap) to next_avail (avail_wrap): each chain adds
 *    its slot count at one end and gives it back at the other.  So while
 *    anything is in flight, the slot at last_used is one we made
 *    available in this lap (AVAIL = used_wrap, USED = !used_wrap) or the
 *    device's used element (both = used_wrap); anything else is a
 *    violation.  With nothing in flight the slot holds stale data from
 *    the last lap (AVAIL = !used_wrap), which never reads as used.
 *  - an indirect chain (2.8.19) takes one slot flagged INDIRECT pointing
 *    at table id (entries in order, WRITE the only flag); heads[id] keeps
 *    its entry count and writable bytes.
 *
 * Barriers:
 *  - dma_wmb before the flags of a chain's first slot: the rest of the
 *    chain (and its table) must be visible before the device may see it
 *    available (2.8.21.3.1);
 *  - dma_mb (virtq_kick) between that store and reading the device's
 *    event suppression structure;
 *  - dma_rmb after seeing a slot used, before reading its id and length
 *    (and the request data / status the device wrote).
 */
#include "arch/port.h"

#include "drivers/virtio/virtqueue.h"
#include "drivers/virtio/virtqueue_priv.h"

#include "lib/printf.h"
#include "lib/string.h"

/* AVAIL and USED of a slot made available with wrap counter `wrap`. */
static u16 vqp_avail_bits(bool wrap)
{
	return wrap ? VIRTQ_PACKED_DESC_F_AVAIL : VIRTQ_PACKED_DESC_F_USED;
}

/* Where we ask for an interrupt: after the used element at last_used. */
static void vqp_set_used_event(struct virtq *vq)
{
	le16_write_once(&vq->driver_event->off_wrap,
			(u16)(vq->last_used | (u16)vq->used_wrap << VIRTQ_PACKED_EVENT_WRAP_SHIFT));
}

void virtq_init_packed(struct virtq *vq, u16 index, u16 num, void *ring, void *priv_mem,
		       bool event_idx, void (*notify)(struct virtq *vq), void *priv)
{
	u8 *base = ring;

	virtq_init_books(vq, index, num, ring, virtq_packed_ring_size(num), priv_mem, event_idx,
			 notify, priv);
	vq->align = 16;
	vq->packed = true;
	vq->slow_path = true;
	/* 2.8.1: both wrap counters start at 1. */
	vq->avail_wrap = vq->used_wrap = true;
	vq->pdesc = (struct virtq_packed_desc *)base;
	vq->driver_event = (struct virtq_packed_event *)(base + virtq_packed_driver_offset(num));
	vq->device_event = (struct virtq_packed_event *)(base + virtq_packed_device_offset(num));
	/* Flags 0 (ENABLE) asks for every interrupt; with EVENT_IDX, the first. */
	if (event_idx) {
		vqp_set_used_event(vq);
		vq->driver_event->flags = cpu_to_le16(VIRTQ_PACKED_EVENT_F_DESC);
	}
}

/* Write one slot at next_avail but for the first slot's flags; advance. */
static void vqp_put(struct virtq *vq, u64 addr, u32 len, u16 id, u16 flags, bool first)
{
	struct virtq_packed_desc *d = &vq->pdesc[vq->next_avail];

	d->addr = cpu_to_le64(addr);
	d->len = cpu_to_le32(len);
	d->id = cpu_to_le16(id);
	if (!first)
		d->flags = cpu_to_le16(flags | vqp_avail_bits(vq->avail_wrap));
	if (++vq->next_avail == vq->num) {
		vq->next_avail = 0;
		vq->avail_wrap = !vq->avail_wrap;
	}
}

int virtq_packed_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned nout, unsigned nin,
		     void *token)
{
	unsigned total = nout + nin;
	u16 id, first = vq->next_avail, first_flags, ndescs;
	bool indirect;
	u32 in_len;
	int err;

	err = virtq_chain_check(vq, bufs, nout, total, token, &indirect, &in_len);
	if (err)
		return err;
	ndescs = indirect ? 1 : (u16)total;
	id = vq->free_head;
	/* A free id exists: fewer chains than slots are in flight. */
	vq->free_head = vq->shadow[id].next;
	if (indirect) {
		/* 2.8.19: entries in order, WRITE the only flag, id unused. */
		struct virtq_packed_desc *t =
			(struct virtq_packed_desc *)&vq->indirect[(size_t)id * vq->indirect_max];

		for (unsigned k = 0; k < total; k++) {
			t[k] = (struct virtq_packed_desc){
				.addr = cpu_to_le64(virt_to_phys(bufs[k].addr)),
				.len = cpu_to_le32(bufs[k].len),
				.flags = cpu_to_le16(k >= nout ? VIRTQ_DESC_F_WRITE : 0),
			};
		}
		first_flags = VIRTQ_DESC_F_INDIRECT | vqp_avail_bits(vq->avail_wrap);
		vqp_put(vq, virt_to_phys(t), (u32)(total * sizeof(*t)), id, 0, true);
	} else {
		first_flags = (u16)((total > 1 ? VIRTQ_DESC_F_NEXT : 0) |
				    (nout == 0 ? VIRTQ_DESC_F_WRITE : 0) |
				    vqp_avail_bits(vq->avail_wrap));
		for (unsigned k = 0; k < total; k++) {
			u16 flags = (u16)((k + 1 < total ? VIRTQ_DESC_F_NEXT : 0) |
					  (k >= nout ? VIRTQ_DESC_F_WRITE : 0));

			/* 2.8.6: the buffer id in every slot, the last one counts. */
			vqp_put(vq, virt_to_phys(bufs[k].addr), bufs[k].len, id, flags, k == 0);
		}
	}
	vq->heads[id] = (struct virtq_head){
		.token = token,
		.ndescs = ndescs,
		.ntable = indirect ? (u16)total : 0,
		.in_len = in_len,
	};
	/* The rest of the chain and its table before the slot that exposes it. */
	dma_wmb();
	le16_write_once(&vq->pdesc[first].flags, first_flags);
	vq->avail_idx = (u16)(vq->avail_idx + ndescs);
	vq->num_free = (u16)(vq->num_free - ndescs);
	vq->inflight++;
	return 0;
}

/* Whether the device asked to be notified of the slots in [old, avail_idx). */
static bool vqp_need_kick(const struct virtq *vq, u16 old)
{
	u16 flags = le16_read_once(&vq->device_event->flags) & 3;
	u16 off_wrap, event, new_pos = vq->next_avail;

	if (flags == VIRTQ_PACKED_EVENT_F_DISABLE)
		return false;
	/* ENABLE, or values we did not negotiate: a notification is harmless. */
	if (flags != VIRTQ_PACKED_EVENT_F_DESC || !vq->event_idx)
		return true;
	/*
	 * 2.8.10: notify once the slot at the offset, in the lap of the wrap
	 * bit, is made available.  Slot positions of this lap count from 0,
	 * of the last one from -num (mod 2^16), so virtq_need_event's window
	 * arithmetic holds across the end of the ring.
	 */
	off_wrap = le16_read_once(&vq->device_event->off_wrap);
	event = off_wrap & 0x7fff;
	if ((bool)(off_wrap >> VIRTQ_PACKED_EVENT_WRAP_SHIFT) != vq->avail_wrap)
		event = (u16)(event - vq->num);
	return virtq_need_event(event, new_pos, (u16)(new_pos - (u16)(vq->avail_idx - old)));
}

bool virtq_packed_kick(struct virtq *vq)
{
	u16 old = vq->kicked_idx;

	if (old == vq->avail_idx)
		return false;
	/* Our flags store must be visible before we read the device's wish. */
	dma_mb();
	vq->kicked_idx = vq->avail_idx;
	if (!vqp_need_kick(vq, old))
		return false;
	vq->notify(vq);
	return true;
}

bool virtq_packed_has_used(const struct virtq *vq)
{
	u16 flags = le16_read_once(&vq->pdesc[vq->last_used].flags);

	bool avail = flags & VIRTQ_PACKED_DESC_F_AVAIL, used = flags & VIRTQ_PACKED_DESC_F_USED;

	return avail == vq->used_wrap && used == vq->used_wrap;
}

void *virtq_packed_free(struct virtq *vq, u16 id)
{
	void *token = vq->heads[id].token;

	vq->shadow[id].next = vq->free_head;
	vq->free_head = id;
	vq->num_free = (u16)(vq->num_free + vq->heads[id].ndescs);
	vq->heads[id] = (struct virtq_head){ 0 };
	vq->inflight--;
	return token;
}

void *virtq_packed_get_used(struct virtq *vq, u32 *len)
{
	const struct virtq_packed_desc *d = &vq->pdesc[vq->last_used];
	u16 flags = le16_read_once(&d->flags), id;
	bool avail = flags & VIRTQ_PACKED_DESC_F_AVAIL, used = flags & VIRTQ_PACKED_DESC_F_USED;
	u32 ulen;

	if (used != vq->used_wrap || avail != vq->used_wrap) {
		/*
		 * Not used (yet).  With nothing in flight the slot is stale,
		 * from the last lap; otherwise it is still the one we made
		 * available in this lap, or the device wrote bad flags.
		 */
		if (vq->inflight && (avail != vq->used_wrap || used == vq->used_wrap))
			virtq_mark_broken(vq, "used element's wrap counter flags disagree");
		return NULL;
	}
	/* Seeing the slot used must come before reading what it says. */
	dma_rmb();
	id = le16_to_cpu(READ_ONCE(d->id));
	ulen = le32_to_cpu(READ_ONCE(d->len));
	/* Modern only: lenient_len is never set, too long is a violation. */
	if (!virtq_used_valid(vq, id, &ulen))
		return NULL;
	/* The device skips the slots the chain held (2.8.6). */
	vq->last_used = (u16)(vq->last_used + vq->heads[id].ndescs);
	if (vq->last_used >= vq->num) {
		vq->last_used = (u16)(vq->last_used - vq->num);
		vq->used_wrap = !vq->used_wrap;
	}
	if (vq->event_idx)
		vqp_set_used_event(vq);
	*len = ulen;
	return virtq_packed_free(vq, id);
}

void virtq_packed_report(const struct virtq *vq, const char *who)
{
	kprintf("%s: packed ring: next slot %u wrap %u (%u published, kicked at %u), "
		"driver consumed up to slot %u wrap %u, slot flags 0x%x, %u in flight, "
		"device event flags %u off_wrap 0x%x\n",
		who, vq->next_avail, vq->avail_wrap, vq->avail_idx, vq->kicked_idx, vq->last_used,
		vq->used_wrap, le16_read_once(&vq->pdesc[vq->last_used].flags), vq->inflight,
		le16_read_once(&vq->device_event->flags),
		le16_read_once(&vq->device_event->off_wrap));
}
