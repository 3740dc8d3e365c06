/*
 * drivers/virtio/virtqueue.c - split virtqueue driver side (virtio 1.2, 2.7),
 * and the bookkeeping packed rings share with it (the packed layout itself
 * is virtqueue_packed.c's).  Each entry point tests vq->slow_path (broken
 * or packed) once and refuses a broken queue or branches to the packed
 * ring there; for virtq_add, virtq_kick and virtq_get_used that test is
 * inline in virtqueue.h, and virtq_split_*() here are their split bodies.
 *
 * Invariants:
 *  - shadow[] is the truth about descriptors; desc[] in shared memory is
 *    only ever written.  Free descriptors are linked through shadow[].next
 *    starting at free_head; num_free counts them.
 *  - heads[h].token != NULL exactly while the chain headed by h is in flight
 *    (added and neither completed nor detached).  Non-head descriptors of a
 *    chain always have a NULL token, so a used id naming one is rejected.
 *  - avail_idx is what we published; used->idx is read once per pop and
 *    may never run more than num entries ahead of last_used.
 *  - an indirect chain (2.7.5.3) holds one ring descriptor h, flagged
 *    INDIRECT and nothing else, pointing at table h; heads[h] records the
 *    table's entry count and writable bytes.  Tables are written, never
 *    read: a device that scribbles on one changes nothing the driver
 *    decides, and the next chain through slot h rewrites what it uses.
 *
 * Barriers (each one also commented where it is issued):
 *  - dma_wmb before publishing avail->idx: descriptors and the ring entry
 *    must be visible to the device before the index that exposes them;
 *  - dma_mb between publishing avail->idx and reading the device's
 *    notification suppression (used->flags / avail_event), otherwise we could
 *    read a stale "don't notify" and the device would sleep on new work;
 *  - dma_rmb after seeing used->idx move, before reading the used entries
 *    it covers (and the request data / status the device wrote).
 */
#include "drivers/virtio/virtqueue.h"
#include "drivers/virtio/virtqueue_priv.h"

#include "arch/port.h"

#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* avail->ring[num] is used_event; used->ring[num] is avail_event (2.7.10). */
static le16 *virtq_used_event(struct virtq *vq)
{
	return &vq->avail->ring[vq->num];
}

static le16 *virtq_avail_event(const struct virtq *vq)
{
	return (le16 *)&vq->used->ring[vq->num];
}

void virtq_init_books(struct virtq *vq, u16 index, u16 num, void *ring, size_t ring_size,
		      void *priv_mem, bool event_idx, void (*notify)(struct virtq *vq), void *priv)
{
	BUG_ON(!IS_POW2(num) || num > VIRTQ_MAX_SIZE);
	memset(ring, 0, ring_size);
	memset(priv_mem, 0, virtq_priv_size(num));

	*vq = (struct virtq){
		.shadow = priv_mem,
		.heads = (struct virtq_head *)((u8 *)priv_mem + sizeof(struct virtq_shadow) * num),
		.num = num,
		.index = index,
		.num_free = num,
		.event_idx = event_idx,
		.notify = notify,
		.priv = priv,
		.ring_mem = ring,
		.priv_mem = priv_mem,
	};
	/* Free descriptors (split) or buffer ids (packed), linked in order. */
	for (u16 i = 0; i < num; i++)
		vq->shadow[i].next = (u16)(i + 1);
}

void virtq_init(struct virtq *vq, u16 index, u16 num, void *ring, size_t align, void *priv_mem,
		bool event_idx, void (*notify)(struct virtq *vq), void *priv)
{
	u8 *base = ring;

	virtq_init_books(vq, index, num, ring, virtq_ring_size(num, align), priv_mem, event_idx,
			 notify, priv);
	vq->desc = (struct virtq_desc *)base;
	vq->avail = (struct virtq_avail *)(base + virtq_avail_offset(num));
	vq->used = (struct virtq_used *)(base + virtq_used_offset(num, align));
	vq->align = align;
}

/* Write one descriptor: the shadow first, then the shared copy. */
static void virtq_set_desc(struct virtq *vq, u16 i, const struct virtq_buf *b, u16 flags, u16 next)
{
	struct virtq_shadow *s = &vq->shadow[i];

	s->addr = virt_to_phys(b->addr);
	s->len = b->len;
	s->flags = flags;
	s->next = next;
	vq->desc[i] = (struct virtq_desc){
		.addr = cpu_to_le64(s->addr),
		.len = cpu_to_le32(s->len),
		.flags = cpu_to_le16(flags),
		.next = cpu_to_le16(next),
	};
}

void virtq_set_indirect(struct virtq *vq, void *tables, unsigned max)
{
	vq->indirect = tables;
	vq->indirect_max = tables && max >= 2 ? (u16)MIN(max, vq->num) : 0;
}

/* Lay `total` buffers out as a direct chain from free_head.  Its head. */
static u16 virtq_add_direct(struct virtq *vq, const struct virtq_buf *bufs, unsigned nout,
			    unsigned total)
{
	u16 head, i, prev = 0;

	head = i = vq->free_head;
	for (unsigned k = 0; k < total; k++) {
		u16 flags = k + 1 < total ? VIRTQ_DESC_F_NEXT : 0;

		if (k >= nout)
			flags |= VIRTQ_DESC_F_WRITE;
		prev = i;
		/* The free link becomes the chain link: keep it as `next`. */
		virtq_set_desc(vq, i, &bufs[k], flags, vq->shadow[i].next);
		i = vq->shadow[i].next;
	}
	/* The last descriptor has no NEXT flag; clear its stale link too. */
	vq->shadow[prev].next = 0;
	vq->desc[prev].next = cpu_to_le16(0);
	vq->free_head = i;
	vq->num_free = (u16)(vq->num_free - total);
	return head;
}

/*
 * Write `total` buffers into the table of the first free descriptor and
 * make that descriptor point at it (2.7.5.3): one ring slot.  Its head.
 */
static u16 virtq_add_indirect(struct virtq *vq, const struct virtq_buf *bufs, unsigned nout,
			      unsigned total)
{
	u16 head = vq->free_head;
	struct virtq_desc *t = &vq->indirect[(size_t)head * vq->indirect_max];
	struct virtq_buf table = { t, (u32)(total * sizeof(*t)) };

	/* Table entries are linked by their index in the table, from 0. */
	for (unsigned k = 0; k < total; k++) {
		u16 flags = k + 1 < total ? VIRTQ_DESC_F_NEXT : 0;

		if (k >= nout)
			flags |= VIRTQ_DESC_F_WRITE;
		t[k] = (struct virtq_desc){
			.addr = cpu_to_le64(virt_to_phys(bufs[k].addr)),
			.len = cpu_to_le32(bufs[k].len),
			.flags = cpu_to_le16(flags),
			.next = cpu_to_le16(k + 1 < total ? (u16)(k + 1) : 0),
		};
	}
	vq->free_head = vq->shadow[head].next;
	/* 2.7.5.3.1: INDIRECT without NEXT (or WRITE, which the device ignores). */
	virtq_set_desc(vq, head, &table, VIRTQ_DESC_F_INDIRECT, 0);
	vq->num_free--;
	return head;
}

/* virtq_add() of a split ring that is not broken. */
int virtq_split_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned nout, unsigned nin,
		    void *token)
{
	unsigned total = nout + nin;
	bool indirect;
	u32 in_len;
	u16 head;
	int err;

	err = virtq_chain_check(vq, bufs, nout, total, token, &indirect, &in_len);
	if (err)
		return err;

	head = indirect ? virtq_add_indirect(vq, bufs, nout, total)
			: virtq_add_direct(vq, bufs, nout, total);
	vq->heads[head] = (struct virtq_head){
		.token = token,
		.ndescs = indirect ? 1 : (u16)total,
		.ntable = indirect ? (u16)total : 0,
		.in_len = in_len,
	};

	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = cpu_to_le16(head);
	/* Descriptors, tables and ring entry before the index that exposes them. */
	dma_wmb();
	vq->avail_idx++;
	le16_write_once(&vq->avail->idx, vq->avail_idx);
	vq->inflight++;
	return 0;
}

/* virtq_kick() of a split ring that is not broken. */
bool virtq_split_kick(struct virtq *vq)
{
	u16 old = vq->kicked_idx, new_idx = vq->avail_idx;
	bool need;

	if (old == new_idx)
		return false;
	/*
	 * Our avail->idx store must be visible before we read whether the
	 * device wants a notification; see the header comment.
	 */
	dma_mb();
	vq->kicked_idx = new_idx;
	if (vq->event_idx)
		need = virtq_need_event(le16_read_once(virtq_avail_event(vq)), new_idx, old);
	else
		need = !(le16_read_once(&vq->used->flags) & VIRTQ_USED_F_NO_NOTIFY);
	if (need)
		vq->notify(vq);
	return need;
}

void virtq_renotify(struct virtq *vq)
{
	if (vq->broken || vq->inflight == 0)
		return;
	dma_mb(); /* everything published is visible before the doorbell */
	vq->kicked_idx = vq->avail_idx;
	vq->notify(vq);
}

bool virtq_has_used(const struct virtq *vq)
{
	/* Broken or packed: one test keeps both off the split path. */
	if (unlikely(vq->slow_path))
		return !vq->broken && virtq_packed_has_used(vq);
	return le16_read_once(&vq->used->idx) != vq->last_used;
}

void virtq_mark_broken(struct virtq *vq, const char *reason)
{
	if (vq->broken)
		return;
	vq->broken = true;
	vq->slow_path = true;
	vq->broken_reason = reason;
	kprintf("virtq%u: device misbehaved (%s): queue marked broken, %u requests failed\n",
		vq->index, reason, vq->inflight);
}

/* Return the chain headed by `head` to the free list; give back its token. */
static void *virtq_free_chain(struct virtq *vq, u16 head)
{
	struct virtq_head *h = &vq->heads[head];
	void *token = h->token;
	u16 i = head;

	/* Walk our shadow links, never the device-visible ones. */
	for (u16 k = 1; k < h->ndescs; k++)
		i = vq->shadow[i].next;
	vq->shadow[i].next = vq->free_head;
	vq->free_head = head;
	vq->num_free = (u16)(vq->num_free + h->ndescs);
	*h = (struct virtq_head){ 0 };
	vq->inflight--;
	return token;
}

/* virtq_get_used() of a split ring that is not broken. */
void *virtq_split_get_used(struct virtq *vq, u32 *len)
{
	const struct virtq_used_elem *e;
	u16 used_idx;
	u32 id, ulen;

	used_idx = le16_read_once(&vq->used->idx);
	if (used_idx == vq->last_used)
		return NULL;
	/* The device may not complete more chains than we have in flight. */
	if ((u16)(used_idx - vq->last_used) > vq->inflight) {
		virtq_mark_broken(vq, "used index ran ahead of in-flight requests");
		return NULL;
	}
	/* Seeing used->idx move must come before reading what it covers. */
	dma_rmb();
	e = &vq->used->ring[vq->last_used & (vq->num - 1)];
	id = le32_to_cpu(READ_ONCE(e->id));
	ulen = le32_to_cpu(READ_ONCE(e->len));
	if (!virtq_used_valid(vq, id, &ulen))
		return NULL;
	vq->last_used++;
	if (vq->event_idx) {
		/*
		 * Ask for an interrupt only after the entry just consumed;
		 * harmless when polling, correct once interrupts are on.
		 */
		le16_write_once(virtq_used_event(vq), vq->last_used);
	}
	*len = ulen;
	return virtq_free_chain(vq, (u16)id);
}

void *virtq_detach_unused(struct virtq *vq)
{
	for (u16 i = 0; i < vq->num; i++) {
		if (vq->heads[i].token)
			return vq->packed ? virtq_packed_free(vq, i) : virtq_free_chain(vq, i);
	}
	return NULL;
}

void virtq_report(const struct virtq *vq, const char *who)
{
	if (vq->packed) {
		virtq_packed_report(vq, who);
		return;
	}
	kprintf("%s: ring: published %u (kicked at %u), device used %u, driver consumed %u, "
		"%u in flight, device wants a kick past %u, used flags 0x%x\n",
		who, vq->avail_idx, vq->kicked_idx, le16_read_once(&vq->used->idx), vq->last_used,
		vq->inflight, vq->event_idx ? le16_read_once(virtq_avail_event(vq)) : 0,
		le16_read_once(&vq->used->flags));
}
