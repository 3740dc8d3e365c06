/*
 * drivers/block/virtio_blk.h - virtio block device driver (virtio 1.2, 5.2).
 *
 * Interface: vblk_probe() takes a virtio device from any transport, brings
 * it up and returns a struct blk_dev (blkdev.h) for the block layer.  Many
 * requests are kept in flight; a request larger than one device command may
 * carry (SEG_MAX x SIZE_MAX, and the ring) is split into several commands
 * and completes when the last one does, with the first error seen.
 */
#ifndef ORDO_VIRTIO_BLK_H
#define ORDO_VIRTIO_BLK_H

#include "drivers/virtio/virtio.h"
#include "kernel/block/blkdev.h"

struct vblk;

/* Ring entries asked for when the caller has no preference. */
#define VBLK_DEFAULT_QUEUE_SIZE 256u

/*
 * Initialise the virtio-blk device `vdev` as disk number `index`, with a
 * request ring of at most `queue_size` entries (rounded down to a power of
 * two and to what the device supports; at least 4).  Returns 0
 * and the block device in *out, or -errno (the device is then FAILED):
 * -ENODEV (not a block device), -EINVAL (nonsensical configuration such as
 * a block size that is not a power of two), -ENOMEM, -EIO.
 */
int vblk_probe(struct virtio_dev *vdev, unsigned index, unsigned queue_size, struct blk_dev **out);

/*
 * Describe the device for its probe line: "transport=... capacity=...
 * bsize=... features=...".  Returns the length as snprintf does.
 */
int vblk_describe(const struct blk_dev *bdev, char *buf, size_t size);

/* The interrupt line that wakes waits for this disk, or 0 if it polls. */
u32 vblk_irq(const struct blk_dev *bdev);

/*
 * Sleep until this disk's interrupt arrives (true) or `timeout_ns` passed
 * (false), acknowledging it as every wait does; sleeps at least once.  False
 * without sleeping for a polled disk.  For tests of the interrupt path.
 */
bool vblk_wait_irq(struct blk_dev *bdev, u64 timeout_ns);

/* The virtio feature bits negotiated with the device. */
u64 vblk_features(const struct blk_dev *bdev);

#endif
