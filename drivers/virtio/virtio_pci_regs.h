/*
 * drivers/virtio/virtio_pci_regs.h - virtio over PCI bus, virtio 1.2
 * section 4.1: the PCI identity of 4.1.2, the vendor capabilities and
 * common configuration structure of 4.1.4 (modern interface), and the I/O
 * BAR register layout of 4.1.4.10 (legacy interface).  Names are the
 * spec's (and Linux's uapi virtio_pci.h, where the spec names none).
 *
 * Everything here is read by the driver from the device: the structures
 * are device-visible and little-endian (le types), and their layout is
 * checked at compile time against the offsets the specification gives.
 */
#ifndef ORDO_VIRTIO_PCI_REGS_H
#define ORDO_VIRTIO_PCI_REGS_H

#include "lib/le.h"

/* 4.1.2 PCI Device Discovery */
#define VIRTIO_PCI_VENDOR_ID 0x1af4
#define VIRTIO_PCI_DEVICE_ID_MIN 0x1000
#define VIRTIO_PCI_DEVICE_ID_TRANS_MAX 0x103f /* transitional: type = subsystem id */
#define VIRTIO_PCI_DEVICE_ID_MODERN 0x1040    /* modern: 0x1040 + device type */
#define VIRTIO_PCI_DEVICE_ID_MAX 0x107f

/* 4.1.4 Virtio Structure PCI Capabilities: cfg_type values */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG 5
#define VIRTIO_PCI_CAP_SHARED_MEMORY_CFG 8
#define VIRTIO_PCI_CAP_VENDOR_CFG 9

/* 4.1.4 "bar": values 0x0 to 0x5 name a BAR; others are reserved. */
#define VIRTIO_PCI_CAP_BAR_MAX 5

/* 4.1.4 The capability header, in PCI configuration space. */
struct virtio_pci_cap {
	u8 cap_vndr;   /* PCI_CAP_ID_VNDR */
	u8 cap_next;   /* next capability pointer */
	u8 cap_len;    /* length of this capability, including extra data */
	u8 cfg_type;   /* VIRTIO_PCI_CAP_* */
	u8 bar;	       /* which BAR holds the structure */
	u8 id;	       /* tells apart several capabilities of one type */
	u8 padding[2]; /* pad to a full dword */
	le32 offset;   /* offset of the structure within the BAR */
	le32 length;   /* length of the structure, in bytes */
};
_Static_assert(sizeof(struct virtio_pci_cap) == 16, "4.1.4 virtio_pci_cap size");
_Static_assert(offsetof(struct virtio_pci_cap, cfg_type) == 3, "4.1.4 cfg_type");
_Static_assert(offsetof(struct virtio_pci_cap, bar) == 4, "4.1.4 bar");
_Static_assert(offsetof(struct virtio_pci_cap, offset) == 8, "4.1.4 offset");
_Static_assert(offsetof(struct virtio_pci_cap, length) == 12, "4.1.4 length");

/*
 * 4.1.4.4 Notification structure layout: queue q is notified by a 16-bit
 * write at cap.offset + queue_notify_off(q) * notify_off_multiplier.  The
 * multiplier is an even power of 2, or 0 (every queue shares one address).
 */
struct virtio_pci_notify_cap {
	struct virtio_pci_cap cap;
	le32 notify_off_multiplier;
};
_Static_assert(sizeof(struct virtio_pci_notify_cap) == 20, "4.1.4.4 notify cap size");
_Static_assert(offsetof(struct virtio_pci_notify_cap, notify_off_multiplier) == 16,
	       "4.1.4.4 notify_off_multiplier");

/*
 * 4.1.4.9 PCI configuration access capability: a window through
 * configuration space into any BAR (for firmware that cannot map BARs).
 * The driver writes cap.bar, cap.offset and cap.length, then accesses
 * pci_cfg_data.
 */
struct virtio_pci_cfg_cap {
	struct virtio_pci_cap cap;
	u8 pci_cfg_data[4];
};
_Static_assert(sizeof(struct virtio_pci_cfg_cap) == 20, "4.1.4.9 cfg cap size");

/*
 * 4.1.4.3 Common configuration structure layout, as in virtio 1.0.  Virtio
 * 1.2 appends queue_notify_data (le16, 0x38) and queue_reset (le16, 0x3a);
 * we use neither, and a 1.0 device's structure ends here, so this is the
 * minimum length a COMMON_CFG capability must have.  Accessed only with
 * naturally aligned reads and writes of each field's width (4.1.3.1); the
 * 64-bit queue addresses as two 32-bit halves, low first.
 */
struct virtio_pci_common_cfg {
	/* About the whole device. */
	le32 device_feature_select; /* read-write */
	le32 device_feature;	    /* read-only for driver */
	le32 driver_feature_select; /* read-write */
	le32 driver_feature;	    /* read-write */
	le16 config_msix_vector;    /* read-write */
	le16 num_queues;	    /* read-only for driver */
	u8 device_status;	    /* read-write */
	u8 config_generation;	    /* read-only for driver */

	/* About a specific virtqueue: the one queue_select names. */
	le16 queue_select;	/* read-write */
	le16 queue_size;	/* read-write: max on reset, may be reduced */
	le16 queue_msix_vector; /* read-write */
	le16 queue_enable;	/* read-write: write 1 last */
	le16 queue_notify_off;	/* read-only for driver */
	le64 queue_desc;	/* read-write */
	le64 queue_driver;	/* read-write: the available ring */
	le64 queue_device;	/* read-write: the used ring */
};
_Static_assert(offsetof(struct virtio_pci_common_cfg, device_feature) == 0x04, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, driver_feature_select) == 0x08, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, driver_feature) == 0x0c, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, config_msix_vector) == 0x10, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, num_queues) == 0x12, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, device_status) == 0x14, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, config_generation) == 0x15, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_select) == 0x16, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_size) == 0x18, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_msix_vector) == 0x1a, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_enable) == 0x1c, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_notify_off) == 0x1e, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_desc) == 0x20, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_driver) == 0x28, "4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_device) == 0x30, "4.1.4.3");
_Static_assert(sizeof(struct virtio_pci_common_cfg) == 0x38, "4.1.4.3 (1.0 fields)");

/* 4.1.4.5 ISR status: bit 0 a queue interrupt, bit 1 a configuration change. */
#define VIRTIO_PCI_ISR_QUEUE 0x1
#define VIRTIO_PCI_ISR_CONFIG 0x2

/* 4.1.5.1.2 MSI-X vector value meaning "none". */
#define VIRTIO_MSI_NO_VECTOR 0xffff

/*
 * 4.1.4.10 Legacy Interfaces: the register layout at the start of the I/O
 * BAR (BAR0) of a legacy or transitional device.  Widths in brackets; the
 * device configuration follows at VIRTIO_PCI_CONFIG_OFF.
 */
#define VIRTIO_PCI_HOST_FEATURES 0  /* [32] R: device features 0..31 */
#define VIRTIO_PCI_GUEST_FEATURES 4 /* [32] RW: driver features 0..31 */
#define VIRTIO_PCI_QUEUE_PFN 8	    /* [32] RW: queue address >> 12, 0 = off */
#define VIRTIO_PCI_QUEUE_NUM 12	    /* [16] R: queue size, 0 = no queue */
#define VIRTIO_PCI_QUEUE_SEL 14	    /* [16] RW */
#define VIRTIO_PCI_QUEUE_NOTIFY 16  /* [16] RW: queue index */
#define VIRTIO_PCI_STATUS 18	    /* [8] RW: device status, 0 resets */
#define VIRTIO_PCI_ISR 19	    /* [8] R: reading clears it */
#define VIRTIO_MSI_CONFIG_VECTOR 20 /* [16] RW, only while MSI-X is enabled */
#define VIRTIO_MSI_QUEUE_VECTOR 22  /* [16] RW, only while MSI-X is enabled */
#define VIRTIO_PCI_CONFIG_OFF(msix_enabled) ((msix_enabled) ? 24 : 20)

/* Legacy queues: one contiguous block, used ring on a 4096-byte boundary. */
#define VIRTIO_PCI_QUEUE_ADDR_SHIFT 12
#define VIRTIO_PCI_VRING_ALIGN 4096

#endif
