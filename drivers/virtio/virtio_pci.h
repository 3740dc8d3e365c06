/*
 * drivers/virtio/virtio_pci.h - virtio over PCI bus (virtio 1.2, section
 * 4.1): the modern interface (vendor capabilities, common configuration,
 * per-queue notification addresses) and the legacy one (I/O BAR registers,
 * QueuePFN).
 *
 * Interface: after PCI enumeration (drivers/pci) has assigned and enabled
 * a function's BARs, vpci_probe() recognises a virtio function, picks its
 * interface and returns a struct virtio_dev for the virtio core, exactly
 * as vmmio_probe() does for virtio-mmio.  vdev->transport is "pci-modern"
 * or "pci-legacy"; vdev->device_id is the virtio device type.
 *
 * Which interface: a modern (0x1040..0x107f) or transitional
 * (0x1000..0x103f, e.g. QEMU's default 0x1001) function with virtio
 * capabilities is driven through them; a function without any is driven
 * through the legacy I/O BAR, which only a transitional ID may have (QEMU
 * disable-modern=on).
 *
 * Device configuration: config_read/config_write reach the DEVICE_CFG
 * structure (modern) or the bytes after the legacy registers.  An access
 * that does not lie wholly inside that structure's length is not performed:
 * a read returns 0 (as for a field the device does not have), a write is
 * dropped.  Nothing ever touches memory beyond the BAR.
 */
#ifndef ORDO_VIRTIO_PCI_H
#define ORDO_VIRTIO_PCI_H

#include "drivers/pci/pci.h"
#include "drivers/virtio/virtio.h"

/*
 * Probe PCI function `pdev` as virtio device number `index` (used in its
 * name, "virtio-pci<index>").  `pdev` must outlive the device.  Returns 0
 * and a ready-to-init device in *out (allocated), -ENODEV if the function
 * is not a virtio device (vendor 0x1af4, device 0x1000..0x107f), -EINVAL
 * if it is one but unusable (bad capabilities, BARs unassigned or of the
 * wrong kind, device type 0; with a console message saying why), -ENOMEM.
 */
int vpci_probe(struct pci_dev *pdev, unsigned index, struct virtio_dev **out);

/*
 * Use MSI-X for a device vpci_probe() returned, before virtio_dev_init():
 * validates the function's MSI-X capability, reserves the config-change
 * message (arch_msi_alloc) and enables MSI-X at the function (INTx off);
 * each queue then gets its own message when it is set up (4.1.5.1.2), or
 * shares the last table entry when the table is smaller than the queues
 * plus one, and config changes share entry 0 when it has one entry.  The
 * vectors are programmed again after every reset.  vdev->intr says
 * VIRTIO_INTR_MSIX while it holds, vdev->msi_irq[] the interrupts.
 * Returns 0, or -ENOENT (no MSI-X capability), -EINVAL (unusable, said on
 * the console), -EOPNOTSUPP (the platform has no MSI controller), -ENOSPC:
 * the device then stays on INTx.
 */
int vpci_msix_use(struct virtio_dev *vdev);

#endif
