/*
 * drivers/virtio/virtqueue.h - virtqueues, driver side: split (virtio 1.2,
 * 2.7, virtqueue.c) and packed (2.8, virtqueue_packed.c).
 *
 * Interface: a transport-agnostic ring.  The owner gives it ring memory and
 * a notify callback; it never touches a register.  Chains of buffers are
 * added with an opaque caller token, the device is kicked when event
 * suppression says so, and completed tokens are popped from the used ring.
 *
 * The device is not trusted: every used entry is validated (index movement,
 * id in range, id is the head of a chain we issued and have not yet seen
 * completed, used length within what the chain offered for writing).  The
 * first violation marks the queue broken; from then on nothing is added or
 * popped, and the owner collects every in-flight token with
 * virtq_detach_unused() to fail it, then resets the device.
 *
 * Indirect descriptors (VIRTIO_F_RING_INDIRECT_DESC, 2.7.5.3), when the
 * owner gives the queue tables with virtq_set_indirect(): a chain of 2 or
 * more buffers that fits a table takes one ring descriptor, which points at
 * the table (so a 3-buffer block request takes one slot, not three); a
 * longer chain, or a single buffer, stays direct.  The caller does not
 * choose: virtq_chain_room() says how long a chain may be right now.
 *
 * Packed rings (VIRTIO_F_RING_PACKED, modern transports only) are set up
 * with virtq_init_packed() instead of virtq_init(); every other call is
 * the same and gives the same guarantees, so the owner does not care
 * which it has.  For them, "descriptor" below means a ring slot and a
 * chain's head its buffer id; see virtqueue_packed.c.
 *
 * Concurrency: single-threaded; callers serialise all calls on one queue.
 */
#ifndef ORDO_VIRTQUEUE_H
#define ORDO_VIRTQUEUE_H

#include "lib/errno.h"
#include "lib/types.h"
#include "drivers/virtio/virtio_ring.h"

/* One buffer of a chain, by kernel address (identity-mapped to the bus). */
struct virtq_buf {
	void *addr;
	u32 len;
};

/* Driver-private copy of a descriptor: never read back from shared memory. */
struct virtq_shadow {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

/*
 * Per chain head: who owns it and what the device may write into it.  For
 * an indirect chain this is all the driver keeps of its table: the table
 * itself is device-visible and never read back (the device may overwrite
 * it), so completion checks and freeing use only these numbers.
 */
struct virtq_head {
	void *token; /* NULL: this descriptor is not an in-flight head */
	u16 ndescs;  /* ring descriptors the chain holds (1 if indirect) */
	u16 ntable;  /* entries written to its indirect table, 0 if direct */
	u32 in_len;  /* bytes the device may write (WRITE descriptors) */
};

struct virtq {
	/* Shared with the device. */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;

	/* Driver private. */
	struct virtq_shadow *shadow;
	struct virtq_head *heads;
	u16 num;   /* ring size, a power of two */
	u16 index; /* queue number on the device */
	u16 free_head;
	u16 num_free;
	u16 avail_idx;	/* value we last published in avail->idx */
	u16 kicked_idx; /* avail_idx at the last notification decision */
	u16 last_used;	/* next used entry we will consume */
	u16 inflight;	/* chains issued and not yet completed */
	bool event_idx; /* VIRTIO_F_RING_EVENT_IDX negotiated */
	/*
	 * Legacy interface: some devices report the whole chain's length as
	 * the used length, so drivers SHOULD ignore it (virtio 1.2, 5.2.6.3).
	 * Too large a length is then clamped to what was offered instead of
	 * breaking the queue.  Set by the owner after virtq_init().
	 */
	bool lenient_len;
	/*
	 * Indirect tables (virtq_set_indirect), shared with the device and
	 * only ever written: table h, of indirect_max entries, belongs to
	 * ring descriptor h and is in use exactly while h heads an indirect
	 * chain in flight.  indirect_max 0: every chain is direct.
	 */
	struct virtq_desc *indirect;
	u16 indirect_max;
	bool broken;
	/*
	 * broken || packed: the one flag each entry point tests before the
	 * split ring's path, set with either of the two.
	 */
	bool slow_path;
	const char *broken_reason;

	/*
	 * Packed ring (virtq_init_packed; false: split).  shadow[].next links
	 * the free buffer ids from free_head; heads[] is indexed by buffer
	 * id; num_free counts free ring slots; avail_idx and kicked_idx count
	 * slots made available, modulo 2^16; last_used is the ring slot of
	 * the next used element.
	 */
	bool packed;
	bool avail_wrap; /* driver's wrap counter for next_avail */
	bool used_wrap;	 /* wrap counter of the slot at last_used */
	u16 next_avail;	 /* next ring slot we write */
	struct virtq_packed_desc *pdesc;
	struct virtq_packed_event *driver_event; /* ours: when to interrupt us */
	struct virtq_packed_event *device_event; /* the device's: when to notify it */

	void (*notify)(struct virtq *vq);
	void *priv; /* for the owner (transport/device) */

	/* Memory given to virtq_init(), kept so a reset can reuse it. */
	void *ring_mem;
	void *priv_mem;
	size_t align;
};

/* Bytes of driver-private state virtq_init() needs for a ring of `num`. */
static inline size_t virtq_priv_size(unsigned num)
{
	return (sizeof(struct virtq_shadow) + sizeof(struct virtq_head)) * num;
}

/*
 * Set up a queue of `num` entries (a power of two) over `ring`, laid out as
 * virtq_ring_size(num, align) bytes (zeroed here), with `priv_mem` of
 * virtq_priv_size(num) bytes.  Also used to re-initialise after a device
 * reset, once every token has been detached.
 */
void virtq_init(struct virtq *vq, u16 index, u16 num, void *ring, size_t align, void *priv_mem,
		bool event_idx, void (*notify)(struct virtq *vq), void *priv);

/*
 * The same for a packed ring (virtio 1.2, 2.8) over `ring` of
 * virtq_packed_ring_size(num) bytes; `num` a power of two here too.
 */
void virtq_init_packed(struct virtq *vq, u16 index, u16 num, void *ring, void *priv_mem,
		       bool event_idx, void (*notify)(struct virtq *vq), void *priv);

/* Bytes of indirect tables for a ring of `num` with `max` entries per table. */
static inline size_t virtq_indirect_size(unsigned num, unsigned max)
{
	return sizeof(struct virtq_desc) * num * max;
}

/*
 * Use indirect descriptors (the owner negotiated VIRTIO_F_RING_INDIRECT_DESC)
 * with `tables` of virtq_indirect_size(num, max) bytes, DMA-able; `max` is
 * clamped to the ring size (2.7.5.3.1: no chain longer than the queue).
 * NULL or max < 2 turns them off.  Call after virtq_init(), before adding.
 */
void virtq_set_indirect(struct virtq *vq, void *tables, unsigned max);

/*
 * The longest chain virtq_add() accepts now (0 while the ring is full):
 * the free descriptors, or a whole indirect table if one ring slot is free.
 */
static inline unsigned virtq_chain_room(const struct virtq *vq)
{
	if (vq->num_free == 0)
		return 0;
	return MAX(vq->num_free, vq->indirect_max);
}

/*
 * The bodies of virtq_add(), virtq_kick() and virtq_get_used() for each
 * layout (virtqueue.c, virtqueue_packed.c); owners call those three, not
 * these.  The three are inline so that their one test, vq->slow_path
 * (broken or packed), is made in the caller: out of line, that test cost
 * the split path a frame (riscv64) or register copies (aarch64) per call.
 */
int virtq_split_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned nout, unsigned nin,
		    void *token);
int virtq_packed_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned nout, unsigned nin,
		     void *token);
bool virtq_split_kick(struct virtq *vq);
bool virtq_packed_kick(struct virtq *vq);
void *virtq_split_get_used(struct virtq *vq, u32 *len);
void *virtq_packed_get_used(struct virtq *vq, u32 *len);

/*
 * Add a chain: `nout` device-readable buffers then `nin` device-writable
 * ones, identified by `token` (non-NULL) when it completes.  It goes into
 * an indirect table when it has 2 or more buffers and fits one.
 * Returns 0, -ENOSPC if the chain does not fit (more than
 * virtq_chain_room(); retry after completions), -EINVAL for an empty
 * chain, a zero-length or NULL buffer or a chain longer than 2^32 bytes,
 * or -EIO if the queue is broken.
 */
static inline int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned nout,
			    unsigned nin, void *token)
{
	if (unlikely(vq->slow_path))
		return vq->broken ? -EIO : virtq_packed_add(vq, bufs, nout, nin, token);
	return virtq_split_add(vq, bufs, nout, nin, token);
}

/*
 * Publish what was added and notify the device if it asked for it (event
 * index or the NO_NOTIFY flag).  Returns true if it notified.
 */
static inline bool virtq_kick(struct virtq *vq)
{
	if (unlikely(vq->slow_path))
		return !vq->broken && virtq_packed_kick(vq);
	return virtq_split_kick(vq);
}

/*
 * Notify the device whatever it asked for.  The driver may always notify
 * (virtio 1.2, 2.7.13): a stalled ring is poked again instead of waiting
 * for a timeout if a notification was lost on the way.
 */
void virtq_renotify(struct virtq *vq);

/*
 * Pop one completed chain.  Returns its token and stores the number of bytes
 * the device wrote in *len, or returns NULL when nothing is pending or the
 * queue is (or has just been found) broken: check vq->broken.
 */
static inline void *virtq_get_used(struct virtq *vq, u32 *len)
{
	if (unlikely(vq->slow_path))
		return vq->broken ? NULL : virtq_packed_get_used(vq, len);
	return virtq_split_get_used(vq, len);
}

/* True if the used ring has entries we have not consumed (no validation). */
bool virtq_has_used(const struct virtq *vq);

/*
 * Take back one in-flight chain without a completion (after the queue broke
 * or the device was reset).  Returns its token, or NULL when none is left.
 */
void *virtq_detach_unused(struct virtq *vq);

/* Mark the queue broken (e.g. the device reported NEEDS_RESET). */
void virtq_mark_broken(struct virtq *vq, const char *reason);

/*
 * Print the ring's indices, prefixed by `who`: what the driver published
 * and kicked, what the device used and the driver consumed, where the
 * device asked for its next kick.  For a device that stopped answering.
 */
void virtq_report(const struct virtq *vq, const char *who);

#endif
