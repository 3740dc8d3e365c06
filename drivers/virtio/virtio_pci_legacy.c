/*
 * drivers/virtio/virtio_pci_legacy.c - the legacy virtio-pci interface
 * (virtio 1.2, 4.1.4.10 and 4.1.5.1.1.1), for devices that have no modern
 * capabilities (QEMU's disable-modern=on).
 *
 * Every register lives at the start of the I/O BAR (BAR0), reached with
 * ioreadX/iowriteX (<asm/io.h>): port I/O on x86, where the BAR's CPU
 * address is its port number; on machines without port I/O instructions
 * the host bridge maps PCI I/O space into the CPU's memory map (aarch64
 * virt: the PIO window at 0x3eff0000) and the same calls are MMIO.  Features are one 32-bit
 * word and there is no FEATURES_OK (the core knows: vdev->legacy).  A
 * queue is one physically contiguous block named by its page frame number
 * (QueuePFN = address >> 12, a 32-bit register) with the used ring on a
 * 4096-byte boundary, exactly the layout of virtq_ring_size(num, 4096).
 * The queue size is the device's: QUEUE_NUM is read-only here, so the
 * driver must ask for exactly that many entries.  The device configuration
 * follows the registers, at 20, or at 24 while MSI-X is enabled (by
 * vpci_msix_use(), or left so by firmware): vpci_legacy_device_region()
 * follows the enable bit, and queue set-up routes the queue's vector
 * (register 22) and the config vector (20) while it is on
 * (virtio_pci_msix.c).  There is no generation counter: the core reads
 * multi-word fields twice instead.
 *
 * Calls are serialised by the caller (QUEUE_SEL is shared state).
 */
#include "arch/port.h"

#include "drivers/pci/pci_regs.h"
#include "drivers/virtio/virtio_pci_priv.h"
#include "drivers/virtio/virtio_pci_regs.h"
#include "drivers/virtio/virtio_ring.h"
#include "lib/errno.h"
#include "lib/printf.h"

static uintptr_t vpci_io(struct virtio_dev *vdev, unsigned reg)
{
	return to_vpci(vdev)->io + reg;
}

static u8 vpci_legacy_get_status(struct virtio_dev *vdev)
{
	return ioread8(vpci_io(vdev, VIRTIO_PCI_STATUS));
}

static void vpci_legacy_set_status(struct virtio_dev *vdev, u8 status)
{
	iowrite8(vpci_io(vdev, VIRTIO_PCI_STATUS), status);
	if (status == 0)
		to_vpci(vdev)->msix_config_set = false; /* a reset forgets the vectors */
}

static u64 vpci_legacy_get_features(struct virtio_dev *vdev)
{
	return ioread32(vpci_io(vdev, VIRTIO_PCI_HOST_FEATURES)); /* bits 0..31 only */
}

static void vpci_legacy_set_features(struct virtio_dev *vdev, u64 features)
{
	iowrite32(vpci_io(vdev, VIRTIO_PCI_GUEST_FEATURES), (u32)features);
}

static u32 vpci_legacy_config_generation(struct virtio_dev *vdev)
{
	(void)vdev;
	return 0;
}

static unsigned vpci_legacy_queue_max(struct virtio_dev *vdev, unsigned index)
{
	iowrite16(vpci_io(vdev, VIRTIO_PCI_QUEUE_SEL), (u16)index);
	return ioread16(vpci_io(vdev, VIRTIO_PCI_QUEUE_NUM)); /* 0: no such queue */
}

static int vpci_legacy_queue_setup(struct virtio_dev *vdev, unsigned index, unsigned num,
				   phys_addr_t desc, phys_addr_t avail, phys_addr_t used)
{
	unsigned size = vpci_legacy_queue_max(vdev, index); /* also selects it */
	u64 pfn = desc >> VIRTIO_PCI_QUEUE_ADDR_SHIFT;

	if (size == 0)
		return -ENOENT;
	if (num != size) {
		kprintf("%s: queue %u has %u entries (fixed by a legacy device), not %u\n",
			vdev->name, index, size, num);
		return -EINVAL;
	}
	/* One block, page aligned, addressed by a 32-bit frame number. */
	if (desc % VIRTIO_PCI_VRING_ALIGN || pfn > 0xffffffffull ||
	    avail != desc + virtq_avail_offset(num) ||
	    used != desc + virtq_used_offset(num, VIRTIO_PCI_VRING_ALIGN))
		return -EINVAL;
	if (ioread32(vpci_io(vdev, VIRTIO_PCI_QUEUE_PFN)) != 0)
		return -EBUSY;
	vpci_msix_route(to_vpci(vdev), index, vpci_io(vdev, VIRTIO_MSI_CONFIG_VECTOR),
			vpci_io(vdev, VIRTIO_MSI_QUEUE_VECTOR));
	/* The PFN write makes the queue live: the ring is complete by now. */
	iowrite32(vpci_io(vdev, VIRTIO_PCI_QUEUE_PFN), (u32)pfn);
	return 0;
}

static void vpci_legacy_notify(struct virtio_dev *vdev, unsigned index)
{
	iowrite16(vpci_io(vdev, VIRTIO_PCI_QUEUE_NOTIFY), (u16)index);
}

static u32 vpci_legacy_irq_ack(struct virtio_dev *vdev)
{
	return ioread8(vpci_io(vdev, VIRTIO_PCI_ISR)); /* reading clears it */
}

static const struct virtio_transport_ops vpci_legacy_ops = {
	.get_status = vpci_legacy_get_status,
	.set_status = vpci_legacy_set_status,
	.get_features = vpci_legacy_get_features,
	.set_features = vpci_legacy_set_features,
	.config_generation = vpci_legacy_config_generation,
	.config_read = vpci_config_read,
	.config_write = vpci_config_write,
	.queue_max = vpci_legacy_queue_max,
	.queue_setup = vpci_legacy_queue_setup,
	.notify = vpci_legacy_notify,
	.irq_ack = vpci_legacy_irq_ack,
};

void vpci_legacy_device_region(struct vpci_dev *vp)
{
	unsigned cfg = VIRTIO_PCI_CONFIG_OFF(pci_msix_enabled(vp->pdev));

	/* vpci_legacy_setup() checked io_len against the offset of the day. */
	vp->device = (struct vpci_region){ .base = vp->io + cfg,
					   .len = vp->io_len > cfg ? vp->io_len - cfg : 0 };
}

int vpci_legacy_setup(struct vpci_dev *vp)
{
	const struct pci_bar *b = &vp->pdev->bar[0];
	unsigned cfg = VIRTIO_PCI_CONFIG_OFF(pci_msix_enabled(vp->pdev));
	struct vpci_region io;
	int err;

	if (b->type == PCI_BAR_IO && b->size < cfg) {
		kprintf("virtio-pci %s: legacy I/O BAR0 of %llu bytes, registers need %u\n",
			vp->pdev->name, (unsigned long long)b->size, cfg);
		return -EINVAL;
	}
	err = vpci_map_bar(vp, "legacy registers", 0, true, 0, b->size, &io);
	if (err)
		return err;
	vp->io = io.base;
	vp->io_len = io.len;
	vpci_legacy_device_region(vp);
	vp->vdev.intr = VIRTIO_INTR_INTX;
	vp->vdev.ops = &vpci_legacy_ops;
	vp->vdev.transport = "pci-legacy";
	vp->vdev.legacy = true;
	vp->vdev.queue_size_fixed = true;
	vp->vdev.queue_align = VIRTIO_PCI_VRING_ALIGN;
	return 0;
}
