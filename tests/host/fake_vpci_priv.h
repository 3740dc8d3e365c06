/*
 * tests/host/fake_vpci_priv.h - shared by fake_vpci.c (the PCI side) and
 * fake_vpci_dev.c (status, queues, the virtio-blk backend) only.
 */
#ifndef ORDO_TESTS_FAKE_VPCI_PRIV_H
#define ORDO_TESTS_FAKE_VPCI_PRIV_H

#include "tests/host/fake_vpci.h"

/* Record a protocol slip of the driver. */
void fvp_violation(struct fake_vpci *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Device status register (2.1) with the delayed reset knob. */
u32 fvp_status_read(struct fake_vpci *f);
void fvp_status_write(struct fake_vpci *f, u32 val);

/* Queue `q` goes live with `num` entries at its addresses. */
void fvp_queue_live(struct fake_vpci *f, struct fvp_queue *q, u16 num);

/* A doorbell for queue `qi`: fetch, and complete unless deferred. */
void fvp_notify(struct fake_vpci *f, unsigned qi);

/* Install `f` as the host_io model. */
void fvp_install(struct fake_vpci *f);

#endif
