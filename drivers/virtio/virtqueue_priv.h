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

#endif
