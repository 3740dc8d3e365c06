/*
 * drivers/virtio/virtio.h - virtio core: transports, devices, drivers.
 *
 * Interface: a transport (virtio-mmio, virtio-pci) fills a struct
 * virtio_dev with its ops table and hands it to the core; a device driver
 * (virtio-blk) declares a struct virtio_driver.  virtio_dev_init() runs the
 * initialisation sequence of virtio 1.2 section 3.1.1 exactly once, here:
 * reset and wait, ACKNOWLEDGE, DRIVER, feature negotiation, FEATURES_OK
 * re-checked (modern only), the driver's queue and config set-up, DRIVER_OK;
 * FAILED on any error.  It always resets first, because firmware (U-Boot,
 * SeaBIOS) may have left the device running.
 */
#ifndef ORDO_VIRTIO_H
#define ORDO_VIRTIO_H

#include "lib/types.h"
#include "drivers/virtio/virtio_spec.h"
#include "drivers/virtio/virtqueue.h"

struct virtio_dev;

/*
 * Transport operations.  Every member is required.  Calls are serialised by
 * the caller; none sleeps except where noted.
 */
struct virtio_transport_ops {
	/* Device status register (2.1); writing 0 starts a reset. */
	u8 (*get_status)(struct virtio_dev *vdev);
	void (*set_status)(struct virtio_dev *vdev, u8 status);
	/* All 64 offered feature bits (legacy transports: the low 32). */
	u64 (*get_features)(struct virtio_dev *vdev);
	/* Write the driver's accepted feature bits. */
	void (*set_features)(struct virtio_dev *vdev, u64 features);
	/* Configuration generation counter (2.5.1); legacy: always 0. */
	u32 (*config_generation)(struct virtio_dev *vdev);
	/*
	 * Read `width` (1, 2 or 4) bytes of device configuration at `offset`,
	 * which is a multiple of `width`; returns the value in CPU order.
	 */
	u32 (*config_read)(struct virtio_dev *vdev, unsigned offset, unsigned width);
	/* Write `width` bytes of device configuration (e.g. writeback). */
	void (*config_write)(struct virtio_dev *vdev, unsigned offset, unsigned width, u32 val);
	/* Largest size queue `index` supports; 0 if the queue does not exist. */
	unsigned (*queue_max)(struct virtio_dev *vdev, unsigned index);
	/*
	 * Give the device queue `index` of `num` entries at the ring's three
	 * parts and enable it.  Legacy transports require the single-block
	 * layout of virtq_ring_size() with `vdev->queue_align`.  0 or -errno.
	 */
	int (*queue_setup)(struct virtio_dev *vdev, unsigned index, unsigned num, phys_addr_t desc,
			   phys_addr_t avail, phys_addr_t used);
	/* Tell the device queue `index` has new buffers. */
	void (*notify)(struct virtio_dev *vdev, unsigned index);
	/* Read and acknowledge the interrupt status (bit 0 ring, bit 1 config). */
	u32 (*irq_ack)(struct virtio_dev *vdev);
};

/*
 * How a device's interrupts reach us (the probe line's "intr=").  The
 * transport sets it (and may change it while it sets up queues, e.g. back
 * to INTx when the device refuses a vector).
 */
enum virtio_intr {
	VIRTIO_INTR_LINE, /* a wired line (virtio-mmio): irq, ISR read to acknowledge */
	VIRTIO_INTR_INTX, /* PCI INTx: the same, through the PCI interrupt routing */
	VIRTIO_INTR_MSIX, /* PCI MSI-X: a message per event, nothing to acknowledge */
};

/* Messages a device may have: config changes and one per queue (16). */
#define VIRTIO_MSI_MAX 17u

struct virtio_dev {
	const struct virtio_transport_ops *ops;
	void *transport_priv;
	const char *transport; /* "mmio-v1", "mmio-v2", ... for probe lines */
	char name[24];	       /* e.g. "virtio0", set by the transport */
	u32 device_id;
	u32 vendor_id;
	bool legacy;	       /* legacy interface: no FEATURES_OK, no VERSION_1 */
	size_t queue_align;    /* ring alignment the transport needs */
	bool queue_size_fixed; /* legacy PCI: a queue's size is what the device says */
	u64 device_features;   /* as offered, recorded at init */
	u64 features;	       /* negotiated */
	u64 features_off;      /* never accepted, whatever is offered (command line) */
	/*
	 * Interrupt line (arch_irq_from_dt numbering), 0 = none: set by whoever
	 * found the device; used once virtio_irq_register() succeeded.
	 */
	u32 irq;
	bool irq_edge;
	bool irq_on;
	u64 irqs; /* interrupts that woke us for this device */
	enum virtio_intr intr;
	/*
	 * intr == VIRTIO_INTR_MSIX: the interrupt numbers (arch_msi_alloc) of
	 * config changes [0] and of queue q [1 + q], as the transport routed
	 * them (several may share one); 0 = none.  Each wakes the driver.
	 */
	u32 msi_irq[VIRTIO_MSI_MAX];
};

/* A feature a driver knows, with its name for the probe line. */
struct virtio_feature {
	u8 bit;
	const char *name;
};

struct virtio_driver {
	const char *name;
	u32 device_id;
	/*
	 * Features the driver can use; the rest are never acknowledged, but
	 * for those of the rings the core handles for every driver
	 * (VIRTIO_F_RING_INDIRECT_DESC, see virtio_vq_setup).
	 */
	const struct virtio_feature *features;
	unsigned nfeatures;
	/*
	 * Optional: adjust the set to accept, given what the device offers
	 * (e.g. CONFIG_WCE only together with FLUSH).  Returns the new set.
	 */
	u64 (*fixup_features)(struct virtio_dev *vdev, u64 accept);
	/*
	 * Required: read configuration and set up queues after FEATURES_OK,
	 * before DRIVER_OK.  0 or -errno (the core then sets FAILED).
	 */
	int (*setup)(struct virtio_dev *vdev, void *ctx);
};

/*
 * Bring the device up for `drv` (section 3.1.1).  On success the device is
 * DRIVER_OK and vdev->features holds the negotiated set.  Returns 0,
 * -ENODEV (wrong device or a modern device without VERSION_1), -EIO (device
 * refused FEATURES_OK, or did not reset), or the error of drv->setup.
 */
int virtio_dev_init(struct virtio_dev *vdev, const struct virtio_driver *drv, void *ctx);

/* Reset the device (write 0, wait until it reads back 0). 0 or -ETIMEDOUT. */
int virtio_dev_reset(struct virtio_dev *vdev);

/* Set FAILED: the driver gave up on the device. */
void virtio_dev_fail(struct virtio_dev *vdev);

static inline bool virtio_has_feature(const struct virtio_dev *vdev, unsigned bit)
{
	return (vdev->features & BIT64(bit)) != 0;
}

/*
 * Read `len` bytes of configuration at `offset` consistently: retried while
 * the generation counter changes (2.5.1; legacy devices: until two reads
 * agree).  Returns 0 or -EIO if it never stabilises.
 */
int virtio_cread(struct virtio_dev *vdev, unsigned offset, void *buf, unsigned len);

/* Write a 1, 2 or 4-byte configuration field at `offset` (little-endian). */
void virtio_cwrite(struct virtio_dev *vdev, unsigned offset, unsigned len, u32 val);

/*
 * The device hit an internal error and waits for a reset
 * (DEVICE_NEEDS_RESET, 2.1.2); it may stop answering until then.
 */
bool virtio_needs_reset(struct virtio_dev *vdev);

/* Entries per indirect table: a chain longer than this stays direct. */
#define VIRTIO_INDIRECT_MAX 32u

/*
 * Give queue `index` to the device with at most `max_num` entries (rounded
 * down to a power of two and to what the device supports).  The first call
 * allocates the ring, and with VIRTIO_F_RING_INDIRECT_DESC negotiated one
 * indirect table per ring entry (VIRTIO_INDIRECT_MAX entries, at most the
 * ring size); later calls (after a reset) reuse them, same size.
 * Returns 0, -ENOENT (no such queue), -ENOMEM, or the transport's error.
 */
int virtio_vq_setup(struct virtio_dev *vdev, unsigned index, struct virtq *vq, unsigned max_num);

/*
 * Use the device's interrupts as wake-ups (arch.h), once virtio_dev_init()
 * has set it up: with MSI-X its messages (already enabled by
 * arch_msi_alloc()), else its line, which this enables at the interrupt
 * controller (also under MSI-X when there is one, so a device that falls
 * back to INTx at a later reset still wakes us).  Records the device for
 * virtio_irq_wait().  0, or -errno when the device has neither or the
 * platform cannot (then the driver polls).
 */
int virtio_irq_register(struct virtio_dev *vdev);

/*
 * Sleep until an interrupt or `timeout_ns`; acknowledge every registered
 * device on the line that fired (a shared line may serve several; an MSI-X
 * message needs no acknowledgement, and no ISR read), then end the
 * interrupt.  Returns true if a virtio interrupt woke us.
 */
bool virtio_irq_wait(u64 timeout_ns);

/* The wake-up interrupt for boot lines: with MSI-X the first queue's
 * message, else the line; 0 while the device is polled. */
u32 virtio_irq_number(const struct virtio_dev *vdev);

/* "msix", "intx", "line", or "poll" while the device is polled. */
const char *virtio_intr_name(const struct virtio_dev *vdev);

/* Format the negotiated features by name ("flush,seg_max,...") into buf. */
void virtio_features_str(const struct virtio_dev *vdev, const struct virtio_driver *drv, char *buf,
			 size_t size);

#endif
