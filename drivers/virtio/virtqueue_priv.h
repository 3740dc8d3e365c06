/*
 * drivers/virtio/virtqueue_priv.h - what virtqueue.c (split rings and the
 * calls both layouts share) and virtqueue_packed.c (packed rings) see of
 * each other.  Not for owners of a queue: they use virtqueue.h.
 *
 * Each entry point (virtq_add, virtq_kick and virtq_get_used inline in
 * virtqueue.h, the rest in virtqueue.c) tests vq->slow_path once: a
 * broken queue of either layout is refused there, and a packed one handed
 * to virtq_packed_*(), which may therefore assume it is neither split nor
 * broken.  A chain's arguments are checked the same way for both layouts,
 * by virtq_chain_check().
 */
#ifndef ORDO_VIRTQUEUE_PRIV_H
#define ORDO_VIRTQUEUE_PRIV_H

#include "drivers/virtio/virtqueue.h"

#include "lib/errno.h"

/*
 * What both layouts' init share: zero `ring_size` bytes of ring and the
 * private memory, set the driver's books, link every id as free.
 */
void virtq_init_books(struct virtq *vq, u16 index, u16 num, void *ring, size_t ring_size,
		      void *priv_mem, bool event_idx, void (*notify)(struct virtq *vq), void *priv);

/*
 * virtq_add()'s checks of a chain of `total` buffers, the first `nout`
 * readable, for both layouts: not empty, a token, no NULL or empty buffer,
 * at most 2^32 bytes in all (2.7.5.2), and room for it now.  Sets
 * *indirect (the chain goes into one table) and *in_len (its writable
 * bytes; a used length is 32 bits, so 2^32 - 1 or more admits any).
 * Returns 0, -EINVAL or -ENOSPC.
 */
static inline int virtq_chain_check(const struct virtq *vq, const struct virtq_buf *bufs,
				    unsigned nout, unsigned total, const void *token,
				    bool *indirect, u32 *in_len)
{
	u64 chain_len = 0, writable = 0;

	if (total == 0 || !token)
		return -EINVAL;
	for (unsigned k = 0; k < total; k++) {
		if (!bufs[k].addr || bufs[k].len == 0)
			return -EINVAL;
		chain_len += bufs[k].len;
		if (k >= nout)
			writable += bufs[k].len;
	}
	/* 2.7.5.2: no chain describes more than 2^32 bytes. */
	if (chain_len > (1ull << 32))
		return -EINVAL;
	/* A single buffer gains nothing from a table: it stays direct. */
	*indirect = total >= 2 && total <= vq->indirect_max;
	if (vq->num_free < (*indirect ? 1 : total))
		return -ENOSPC;
	*in_len = (u32)MIN(writable, 0xffffffffull);
	return 0;
}

/* virtq_has_used() and virtq_report() of a packed ring. */
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
