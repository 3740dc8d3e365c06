/*
 * tests/host/fake_vmmio.h - a fake virtio-mmio register window (virtio 1.2
 * section 4.2) in front of the fake virtio-blk device of fake_vblk_model.h.
 *
 * Interface: fvm_init() resets a struct fake_vmmio and the device behind
 * it and installs the window as the host_io model (arch/host), so
 * readl()/writel() at FVM_BASE reach it.  It decodes the register window
 * of both the legacy interface (Version 1: GuestPageSize, QueueNum,
 * QueueAlign, QueuePFN; 4.2.4) and the modern one (Version 2: 64-bit
 * feature words, QueueDesc/Avail/Used, QueueReady, ConfigGeneration;
 * 4.2.2), InterruptStatus/ACK and the configuration space at 0x100, and
 * hands everything the device does (status, features, configuration,
 * queues, QueueNotify) to the model.  Tests drive and script the device
 * through the model (fvb_step(), its knobs); a slip the window sees (a
 * read of a write-only register, a wrong width, ...) is a violation
 * recorded in the model like the device's own.
 */
#ifndef ORDO_TESTS_FAKE_VMMIO_H
#define ORDO_TESTS_FAKE_VMMIO_H

#include "lib/types.h"
#include "tests/host/fake_vblk_model.h"

#define FVM_BASE 0x0a000000u
#define FVM_WINDOW 0x200u

struct fake_vmmio {
	struct fake_vblk *dev; /* the device behind the window */

	/* Identity: set by fvm_init(), change before probing. */
	u32 magic, version, device_id, vendor_id;

	/* Register state. */
	u32 dev_feat_sel, drv_feat_sel;
	u32 page_size; /* legacy GuestPageSize */
	u32 queue_sel;

	/* What the driver did. */
	unsigned irq_acks;
	u32 page_size_writes;
};

/*
 * Reset `m` to a virtio-mmio window of `version` (1 or 2) in front of
 * `dev`, itself reset (fvb_init()) to a device offering `features` with
 * one queue of 256 entries (QueueNumMax) and a zeroed disk of `sectors`
 * 512-byte sectors; install `m` as host_io.
 */
void fvm_init(struct fake_vmmio *m, struct fake_vblk *dev, u32 version, u64 features, u64 sectors);

/* Free the device's disk and uninstall. */
void fvm_destroy(struct fake_vmmio *m);

#endif
