/*
 * drivers/virtio/virtio_pci.c - virtio-pci transport: recognising the
 * function and choosing its interface (virtio 1.2, 4.1.2), bounded BAR
 * mapping, and device configuration access shared by both interfaces.
 *
 * A function is a virtio device if its vendor is 0x1af4 and its device ID
 * lies in 0x1000..0x107f.  The device type is device ID - 0x1040 for a
 * modern ID, and the PCI subsystem ID for a transitional one (0x1000 ..
 * 0x103f, 4.1.2.3).  If it has a COMMON_CFG vendor capability it is driven
 * through the modern interface (virtio_pci_modern.c), even when it is
 * transitional and also offers the legacy one (4.1.2.3: a driver that can
 * do both SHOULD use modern); otherwise a transitional ID is driven through
 * the legacy I/O BAR (virtio_pci_legacy.c).
 *
 * Everything is validated before the device is handed out; the structure
 * is built on the stack and allocated only on success, because boot_alloc()
 * memory is never freed.  Boot time, single-threaded.
 */
#include "drivers/virtio/virtio_pci.h"

#include "arch/port.h"

#include "drivers/pci/pci_regs.h"
#include "drivers/virtio/virtio_pci_priv.h"
#include "drivers/virtio/virtio_pci_regs.h"
#include "lib/boot_alloc.h"
#include "lib/errno.h"
#include "lib/printf.h"

int vpci_map_bar(struct vpci_dev *vp, const char *what, unsigned bar, bool io, u64 off, u64 len,
		 struct vpci_region *r)
{
	const struct pci_dev *d = vp->pdev;
	const struct pci_bar *b;
	bool is_io;

	if (bar > VIRTIO_PCI_CAP_BAR_MAX) {
		kprintf("virtio-pci %s: %s in BAR%u, which does not exist\n", d->name, what, bar);
		return -EINVAL;
	}
	b = &d->bar[bar];
	is_io = b->type == PCI_BAR_IO;
	if (b->type == PCI_BAR_NONE || b->size == 0 || is_io != io) {
		kprintf("virtio-pci %s: %s in BAR%u, which is not %s BAR\n", d->name, what, bar,
			io ? "an I/O" : "a memory");
		return -EINVAL;
	}
	if (!b->assigned) {
		kprintf("virtio-pci %s: %s in BAR%u, which is not assigned\n", d->name, what, bar);
		return -EINVAL;
	}
	/* Written so that nothing overflows: off and len come from the device. */
	if (off > b->size || len > b->size - off || len > 0xffffffffu) {
		kprintf("virtio-pci %s: %s at BAR%u+0x%llx length 0x%llx overruns the BAR "
			"(0x%llx bytes)\n",
			d->name, what, bar, (unsigned long long)off, (unsigned long long)len,
			(unsigned long long)b->size);
		return -EINVAL;
	}
	r->base = (uintptr_t)(b->cpu_addr + off);
	r->len = (u32)len;
	return 0;
}

/* True if `width` bytes at `offset` lie wholly inside the device config. */
static bool vpci_config_inside(const struct vpci_dev *vp, unsigned offset, unsigned width)
{
	return vp->device.base && offset <= vp->device.len && width <= vp->device.len - offset;
}

u32 vpci_config_read(struct virtio_dev *vdev, unsigned offset, unsigned width)
{
	struct vpci_dev *vp = to_vpci(vdev);
	uintptr_t a = vp->device.base + offset;

	/* Past the structure the device has no such field: read as 0. */
	if (!vpci_config_inside(vp, offset, width))
		return 0;
	switch (width) {
	case 1: return ioread8(a);
	case 2: return ioread16(a);
	default: return ioread32(a);
	}
}

void vpci_config_write(struct virtio_dev *vdev, unsigned offset, unsigned width, u32 val)
{
	struct vpci_dev *vp = to_vpci(vdev);
	uintptr_t a = vp->device.base + offset;

	if (!vpci_config_inside(vp, offset, width))
		return; /* no such field: nothing to write */
	switch (width) {
	case 1: iowrite8(a, (u8)val); break;
	case 2: iowrite16(a, (u16)val); break;
	default: iowrite32(a, val); break;
	}
}

/* The virtio device type of a virtio function (4.1.2.1, 4.1.2.3). */
static u32 vpci_device_type(const struct pci_dev *pdev)
{
	if (pdev->device_id >= VIRTIO_PCI_DEVICE_ID_MODERN)
		return pdev->device_id - VIRTIO_PCI_DEVICE_ID_MODERN;
	return pdev->subsys_id;
}

/* Fill `vp` for the interface the function speaks.  0 or -EINVAL. */
static int vpci_setup(struct vpci_dev *vp)
{
	struct pci_dev *pdev = vp->pdev;
	int modern = vpci_modern_detect(pdev);

	if (modern < 0)
		return modern;
	if (modern)
		return vpci_modern_setup(vp);
	if (pdev->device_id <= VIRTIO_PCI_DEVICE_ID_TRANS_MAX)
		return vpci_legacy_setup(vp);
	kprintf("virtio-pci %s: modern device ID 0x%x without virtio capabilities\n", pdev->name,
		pdev->device_id);
	return -EINVAL;
}

int vpci_probe(struct pci_dev *pdev, unsigned index, struct virtio_dev **out)
{
	struct vpci_dev tmp = { .pdev = pdev }, *vp;
	u32 type;
	int err;

	if (pdev->vendor_id != VIRTIO_PCI_VENDOR_ID || pdev->device_id < VIRTIO_PCI_DEVICE_ID_MIN ||
	    pdev->device_id > VIRTIO_PCI_DEVICE_ID_MAX ||
	    (pdev->header_type & PCI_HEADER_TYPE_MASK) != PCI_HEADER_TYPE_NORMAL)
		return -ENODEV;
	type = vpci_device_type(pdev);
	if (type == 0) {
		kprintf("virtio-pci %s: device type 0 (reserved)\n", pdev->name);
		return -EINVAL;
	}
	if (!pdev->enabled) {
		/* Enumeration could not place its BARs: decoding is off. */
		kprintf("virtio-pci %s: function not enabled (BARs unassigned)\n", pdev->name);
		return -EINVAL;
	}
	err = vpci_setup(&tmp);
	if (err)
		return err;

	vp = boot_alloc(sizeof(*vp), 16);
	if (!vp)
		return -ENOMEM;
	*vp = tmp;
	vp->vdev.transport_priv = vp;
	vp->vdev.device_id = type;
	vp->vdev.vendor_id = pdev->subsys_vendor;
	snprintf(vp->vdev.name, sizeof(vp->vdev.name), "virtio-pci%u", index);
	*out = &vp->vdev;
	return 0;
}
