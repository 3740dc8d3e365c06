/*
 * drivers/virtio/virtio_pci_priv.h - what the files of the virtio-pci
 * transport share: the device structure and the helpers of virtio_pci.c.
 * Not for use outside drivers/virtio/virtio_pci*.c.
 *
 * virtio_pci.c recognises the function and picks the interface;
 * virtio_pci_modern.c parses the capabilities and implements the modern
 * ops; virtio_pci_legacy.c the legacy ones.  Device configuration access is
 * the same for both (a bounded window), so it lives in virtio_pci.c.
 */
#ifndef ORDO_VIRTIO_PCI_PRIV_H
#define ORDO_VIRTIO_PCI_PRIV_H

#include "drivers/pci/pci.h"
#include "drivers/virtio/virtio.h"

/*
 * Queues whose notification address we keep (modern); a device's further
 * queues read as absent (queue_max 0).  Our drivers use one or two.
 */
#define VPCI_MAX_QUEUES 16u

/* A validated stretch of a BAR, where the CPU reaches it. */
struct vpci_region {
	uintptr_t base; /* CPU address of its first byte; 0 = absent */
	u32 len;	/* bytes; every access stays inside */
};

struct vpci_dev {
	struct virtio_dev vdev;
	struct pci_dev *pdev;
	/* Device configuration: DEVICE_CFG (modern) or after the legacy registers. */
	struct vpci_region device;

	/* Modern interface (4.1.4). */
	struct vpci_region common;		 /* struct virtio_pci_common_cfg */
	struct vpci_region isr;			 /* one byte, read to acknowledge */
	struct vpci_region notify;		 /* the notification area */
	u32 notify_mult;			 /* notify_off_multiplier: 0 or even */
	u8 pci_cfg_cap;				 /* PCI_CFG capability offset; 0 none (unused) */
	unsigned nqueues;			 /* MIN(num_queues, VPCI_MAX_QUEUES) */
	uintptr_t queue_notify[VPCI_MAX_QUEUES]; /* per queue; 0 until set up */

	/* Legacy interface (4.1.4.10): the registers at the start of BAR0. */
	uintptr_t io;
	u32 io_len; /* bytes of BAR0 */

	/* MSI-X (virtio_pci_msix.c): the validated capability, msix.cap 0 = none. */
	struct pci_msix msix;
	bool msix_on;		      /* enabled at the function, vectors being routed */
	bool msix_config_set;	      /* config vector routed since the last reset */
	u32 msix_irq[VIRTIO_MSI_MAX]; /* per table entry we use: its interrupt, 0 = none */
};

static inline struct vpci_dev *to_vpci(struct virtio_dev *vdev)
{
	return container_of(vdev, struct vpci_dev, vdev);
}

/*
 * Check that bytes [off, off + len) lie inside BAR `bar` of `vp->pdev`,
 * that the BAR is assigned and of the right kind (I/O if `io`, memory
 * otherwise), and store where the CPU reaches them in *r.  `what` names
 * the structure in the console message printed on failure.  0 or -EINVAL.
 */
int vpci_map_bar(struct vpci_dev *vp, const char *what, unsigned bar, bool io, u64 off, u64 len,
		 struct vpci_region *r);

/* Both interfaces: the config_read/config_write ops, bounded by vp->device. */
u32 vpci_config_read(struct virtio_dev *vdev, unsigned offset, unsigned width);
void vpci_config_write(struct virtio_dev *vdev, unsigned offset, unsigned width, u32 val);

/*
 * 1 if the function has a virtio COMMON_CFG capability (so it speaks the
 * modern interface), 0 if not, -EINVAL if its capability list is broken.
 */
int vpci_modern_detect(const struct pci_dev *pdev);

/*
 * Set up `vp` (pdev filled in) for one interface: validate and map its
 * structures, fill in the ops, transport name, legacy flag and queue
 * alignment of vp->vdev.  0 or -EINVAL, with a console message.
 */
int vpci_modern_setup(struct vpci_dev *vp);
int vpci_legacy_setup(struct vpci_dev *vp);

/* Legacy: where the device configuration is, which moves with MSI-X. */
void vpci_legacy_device_region(struct vpci_dev *vp);

/*
 * MSI-X, for both interfaces (virtio_pci_msix.c).  Call from queue_setup
 * with queue `index` selected, before the queue is enabled: routes config
 * changes (first call since a reset) and the queue to their table entries
 * through the 16-bit vector registers `config_reg` and `queue_reg`, each
 * read back; a refused vector (anything but the entry read back, e.g.
 * VIRTIO_MSI_NO_VECTOR) or no interrupt left turns MSI-X off and the
 * device back to INTx, with a console line.  Nothing if MSI-X is off.
 */
void vpci_msix_route(struct vpci_dev *vp, unsigned index, uintptr_t config_reg,
		     uintptr_t queue_reg);

#endif
