/*
 * drivers/virtio/virtio_mmio.h - virtio over memory-mapped I/O (virtio 1.2,
 * section 4.2), both the legacy interface (Version 1, QueuePFN) and the
 * modern one (Version 2).
 */
#ifndef ORDO_VIRTIO_MMIO_H
#define ORDO_VIRTIO_MMIO_H

#include "drivers/virtio/virtio.h"

/*
 * Probe the register window at `base` (`size` bytes, from the device tree).
 * Returns 0 and a ready-to-init device in *out (allocated), -ENODEV for an
 * empty slot (DeviceID 0), -EINVAL for a window that is not virtio-mmio
 * (bad magic, unknown version, too small), -ENOMEM.
 */
int vmmio_probe(u64 base, u64 size, unsigned slot, struct virtio_dev **out);

#endif
