/*
 * drivers/virtio/virtio_pci_msix.c - MSI-X for virtio-pci (virtio 1.2,
 * 4.1.4.3 msix_config / queue_msix_vector, 4.1.4.10 legacy registers 20
 * and 22, 4.1.5.1.2 "MSI-X Vector Configuration").
 *
 * With MSI-X each event has its own message: config changes table entry
 * 0, queue q entry 1 + q.  A table smaller than that (QEMU's vectors=N)
 * is shared: queues past its end use its last entry, and with a single
 * entry config changes and every queue use entry 0.  Sharing costs
 * nothing here, since interrupts are only wake-ups: any message of the
 * device wakes its driver, which polls every queue it owns.  Nothing is
 * acknowledged at the device (no ISR read, 4.1.4.5.1: the ISR is not used
 * with MSI-X), only the end of interrupt at the controller.
 *
 * The device maps an event to an entry when the driver writes the entry
 * number into the vector register, and answers VIRTIO_MSI_NO_VECTOR on
 * reading back when it could not (4.1.5.1.2.1): we read every one back,
 * and on any refusal, or when the platform has no message left, turn
 * MSI-X off at the function and go back to INTx (with a console line), for
 * good.  A device reset forgets the mapping (the registers read
 * NO_VECTOR again), so they are written again as the queues are set up
 * anew; the table entries, which belong to the PCI function, stay.
 *
 * Legacy devices have the two vector registers only while MSI-X is
 * enabled, and their device configuration moves from offset 20 to 24
 * (vpci_legacy_device_region() follows the enable bit).
 *
 * Boot and reset time; calls are serialised by the caller.
 */
#include "drivers/virtio/virtio_pci.h"

#include "arch/port.h"

#include "drivers/virtio/virtio_pci_priv.h"
#include "drivers/virtio/virtio_pci_regs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

_Static_assert(VPCI_MAX_QUEUES + 1 <= VIRTIO_MSI_MAX, "a message per queue and config");

/* The table entry of event `event` (0 config, 1 + q queue q). */
static unsigned vpci_msix_entry(const struct vpci_dev *vp, unsigned event)
{
	return MIN(event, vp->msix.size - 1u);
}

/* Reserve the message of table entry n and program it, once. */
static int vpci_msix_message(struct vpci_dev *vp, unsigned n)
{
	const struct pci_dev *d = vp->pdev;
	u32 rid = (u32)d->bus << 8 | (u32)d->dev << 3 | d->fn, irq = 0, data;
	u64 addr;
	int err;

	if (vp->msix_irq[n])
		return 0;
	err = arch_msi_alloc(rid, &irq, &addr, &data);
	if (err)
		return err;
	if (irq == 0)
		return -EINVAL; /* a port bug: 0 means "timeout" to arch_wait_irq() */
	pci_msix_set(&vp->msix, n, addr, data);
	vp->msix_irq[n] = irq;
	return 0;
}

/* Back to INTx, for good. */
static void vpci_msix_off(struct vpci_dev *vp)
{
	pci_msix_disable(vp->pdev, &vp->msix);
	vp->msix_on = false;
	vp->vdev.intr = VIRTIO_INTR_INTX;
	memset(vp->vdev.msi_irq, 0, sizeof(vp->vdev.msi_irq));
	if (vp->vdev.legacy)
		vpci_legacy_device_region(vp);
}

int vpci_msix_use(struct virtio_dev *vdev)
{
	struct vpci_dev *vp = to_vpci(vdev);
	int err;

	if (vp->msix_on)
		return 0;
	err = pci_msix_find(vp->pdev, &vp->msix);
	if (err) {
		if (err != -ENOENT)
			kprintf("%s: MSI-X unusable: INTx\n", vdev->name);
		vp->msix.cap = 0;
		return err;
	}
	if (!arch_msi_name())
		return -EOPNOTSUPP;
	if (vdev->legacy && vp->io_len < VIRTIO_PCI_CONFIG_OFF(true)) {
		kprintf("%s: legacy I/O BAR0 too small for the MSI-X registers: INTx\n",
			vdev->name);
		return -EINVAL;
	}
	memset(vp->msix_irq, 0, sizeof(vp->msix_irq));
	pci_msix_enable(vp->pdev, &vp->msix); /* every entry masked first */
	err = vpci_msix_message(vp, 0);
	if (err) {
		kprintf("%s: no MSI for MSI-X (%s): INTx\n", vdev->name, errno_name(err));
		pci_msix_disable(vp->pdev, &vp->msix);
		return err;
	}
	vp->msix_on = true;
	vp->msix_config_set = false;
	vdev->intr = VIRTIO_INTR_MSIX;
	if (vdev->legacy)
		vpci_legacy_device_region(vp);
	return 0;
}

/* Map `event` to its entry through the vector register `reg`.  false: MSI-X is off now. */
static bool vpci_msix_vector(struct vpci_dev *vp, unsigned event, uintptr_t reg)
{
	unsigned n = vpci_msix_entry(vp, event);
	int err = vpci_msix_message(vp, n);
	u16 got;

	if (err) {
		kprintf("%s: no MSI for MSI-X entry %u (%s): back to INTx\n", vp->vdev.name, n,
			errno_name(err));
		vpci_msix_off(vp);
		return false;
	}
	iowrite16(reg, (u16)n);
	got = ioread16(reg);
	if (got != n) {
		kprintf("%s: device refused MSI-X vector %u for %s (read back 0x%x): back to "
			"INTx\n",
			vp->vdev.name, n, event ? "a queue" : "config changes", got);
		vpci_msix_off(vp);
		return false;
	}
	vp->vdev.msi_irq[event] = vp->msix_irq[n];
	return true;
}

void vpci_msix_route(struct vpci_dev *vp, unsigned index, uintptr_t config_reg, uintptr_t queue_reg)
{
	if (!vp->msix_on)
		return;
	if (!vp->msix_config_set) {
		if (!vpci_msix_vector(vp, 0, config_reg))
			return;
		vp->msix_config_set = true;
	}
	vpci_msix_vector(vp, MIN(1 + index, VIRTIO_MSI_MAX - 1), queue_reg);
}
