/*
 * drivers/virtio/virtqueue_priv.h - what virtqueue.c (split rings and the
 * calls both layouts share) and virtqueue_packed.c (packed rings) see of
 * each other.  Not for owners of a queue: they use virtqueue.h.
 *
 * virtqueue.c checks a chain's arguments once, for both layouts, then
 * hands the packed case to virtq_packed_publish(); the other entry points
 * branch on vq->packed the same way.
 */
#ifndef ORDO_VIRTQUEUE_PRIV_H
#define ORDO_VIRTQUEUE_PRIV_H

#include "drivers/virtio/virtqueue.h"

/*
 * What both layouts' init share: zero `ring_size` bytes of ring and the
 * private memory, set the driver's books, link every id as free.
 */
void virtq_init_books(struct virtq *vq, u16 index, u16 num, void *ring, size_t ring_size,
		      void *priv_mem, bool event_idx, void (*notify)(struct virtq *vq), void *priv);

/*
 * Put a checked chain (`total` buffers, the first `nout` readable, `in_len`
 * writable bytes, into one indirect table if `indirect`) on a packed ring
 * that has the room for it.
 * Returns 0.
 */
int virtq_packed_publish(struct virtq *vq, const struct virtq_buf *bufs, unsigned nout,
			 unsigned total, bool indirect, u32 in_len, void *token);

/* virtq_kick() of a packed ring. */
bool virtq_packed_kick(struct virtq *vq);

/* virtq_get_used(), virtq_has_used() and virtq_report() of a packed ring. */
void *virtq_packed_get_used(struct virtq *vq, u32 *len);
bool virtq_packed_has_used(const struct virtq *vq);
void virtq_packed_report(const struct virtq *vq, const char *who);

/* Give back the in-flight chain of buffer `id`: its token. */
void *virtq_packed_free(struct virtq *vq, u16 id);

/*
 * A used element's buffer id and length, against what is in flight (both
 * layouts): the id names an in-flight chain (its head, when split), the
 * length is within the bytes it offered for writing, or clamped to them
 * under lenient_len.  False once it marked the queue broken.
 */
static inline bool virtq_used_valid(struct virtq *vq, u32 id, u32 *len)
{
	if (id >= vq->num) {
		virtq_mark_broken(vq, "used id out of range");
		return false;
	}
	if (!vq->heads[id].token) {
		virtq_mark_broken(vq, "used id is not an in-flight chain head");
		return false;
	}
	if (*len > vq->heads[id].in_len) {
		if (!vq->lenient_len) {
			virtq_mark_broken(vq, "used length exceeds the writable buffers");
			return false;
		}
		*len = vq->heads[id].in_len;
	}
	return true;
}

#endif
