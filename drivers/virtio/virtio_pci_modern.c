/*
 * drivers/virtio/virtio_pci_modern.c - the modern virtio-pci interface
 * (virtio 1.2, 4.1.4 and 4.1.5).
 *
 * The device describes its structures with vendor capabilities (4.1.4):
 * COMMON_CFG (features, status, queue set-up), NOTIFY_CFG (doorbells),
 * ISR_CFG (interrupt status), DEVICE_CFG (device configuration) and
 * PCI_CFG (a configuration-space window into the BARs, which we record but
 * never need, as our BARs are always mapped).  For each type we use the
 * first capability we can (4.1.4.1): one whose "bar" is reserved (> 5) is
 * ignored as the spec requires, one in an I/O BAR is skipped (QEMU's
 * modern-pio-notify adds such a second NOTIFY_CFG; we drive memory BARs).
 * The chosen ones are validated before any is touched: capability inside
 * configuration space, BAR assigned and of memory type, offset + length
 * inside the BAR, structure long enough and aligned for the accesses we
 * make, notify_off_multiplier even.  COMMON_CFG, NOTIFY_CFG and ISR_CFG
 * are required; without DEVICE_CFG the configuration reads as 0.
 *
 * Common configuration fields are reached through offsetof() on the spec
 * structure with accesses of the field's width (4.1.3.1); the 64-bit queue
 * addresses as two 32-bit halves, low first, which QEMU and the spec
 * accept.  Queue set-up follows 4.1.5.1.3: select, read the size, write a
 * smaller one if wanted, the three addresses, then queue_enable = 1 last.
 * Each queue's doorbell is notify.base + queue_notify_off *
 * notify_off_multiplier, checked against the NOTIFY_CFG length and kept
 * per queue, so a notification is a single 16-bit write of the index.
 *
 * Register accesses go through <asm/io.h>, whose writes are ordered after
 * our earlier stores to ring memory.  Calls are serialised by the caller:
 * queue_select and the feature selectors are shared state.
 */
#include "arch/port.h"

#include "drivers/pci/pci_regs.h"
#include "drivers/virtio/virtio_pci_priv.h"
#include "drivers/virtio/virtio_pci_regs.h"
#include "lib/errno.h"
#include "lib/printf.h"

/* Vendor capabilities that fit in configuration space after 0x40. */
#define VPCI_CAP_WALK_MAX ((PCI_CFG_SPACE_SIZE - 0x40) / 4)

#define VPCI_COMMON(field) offsetof(struct virtio_pci_common_cfg, field)

/* One virtio capability as read from configuration space. */
struct vpci_cap {
	u8 pos; /* offset in configuration space; 0 = none found */
	u8 bar;
	u32 offset, length;
};

static const char *const vpci_cap_name[] = {
	[VIRTIO_PCI_CAP_COMMON_CFG] = "common cfg", [VIRTIO_PCI_CAP_NOTIFY_CFG] = "notify cfg",
	[VIRTIO_PCI_CAP_ISR_CFG] = "ISR cfg",	    [VIRTIO_PCI_CAP_DEVICE_CFG] = "device cfg",
	[VIRTIO_PCI_CAP_PCI_CFG] = "PCI cfg",
};

/* ---- capability discovery (4.1.4) ------------------------------------ */

/*
 * The vendor capability after `pos` (0: the first), -ENOENT at the end,
 * -EINVAL if the list is malformed (pci_find_cap() said why) or loops.
 */
static int vpci_next_vcap(const struct pci_dev *d, int pos, unsigned *steps)
{
	if (++*steps > VPCI_CAP_WALK_MAX) {
		kprintf("virtio-pci %s: capability list loops\n", d->name);
		return -EINVAL;
	}
	pos = pci_find_cap(d, PCI_CAP_ID_VNDR, (u8)pos);
	if (pos < 0 && pos != -ENOENT)
		return -EINVAL;
	return pos;
}

static u8 vpci_cap_type(const struct pci_dev *d, int pos)
{
	return pci_cfg_read8(d, (u16)(pos + offsetof(struct virtio_pci_cap, cfg_type)));
}

int vpci_modern_detect(const struct pci_dev *pdev)
{
	unsigned steps = 0;
	int pos = 0;

	while ((pos = vpci_next_vcap(pdev, pos, &steps)) > 0) {
		if (vpci_cap_type(pdev, pos) == VIRTIO_PCI_CAP_COMMON_CFG)
			return 1;
	}
	return pos == -ENOENT ? 0 : pos;
}

/* Read the capability at `pos`, checking it fits where it claims to. */
static int vpci_read_cap(const struct pci_dev *d, int pos, u8 type, struct vpci_cap *c)
{
	u8 len = pci_cfg_read8(d, (u16)(pos + offsetof(struct virtio_pci_cap, cap_len)));
	u8 need = type == VIRTIO_PCI_CAP_NOTIFY_CFG ? sizeof(struct virtio_pci_notify_cap)
						    : sizeof(struct virtio_pci_cap);

	if (len < need || pos + len > PCI_CFG_SPACE_SIZE) {
		kprintf("virtio-pci %s: %s capability at 0x%x has cap_len %u (need %u, "
			"inside configuration space)\n",
			d->name, vpci_cap_name[type], pos, len, need);
		return -EINVAL;
	}
	c->pos = (u8)pos;
	c->bar = pci_cfg_read8(d, (u16)(pos + offsetof(struct virtio_pci_cap, bar)));
	c->offset = pci_cfg_read32(d, (u16)(pos + offsetof(struct virtio_pci_cap, offset)));
	c->length = pci_cfg_read32(d, (u16)(pos + offsetof(struct virtio_pci_cap, length)));
	return 0;
}

/* Choose the first usable capability of each type into caps[type]. */
static int vpci_find_caps(const struct pci_dev *d, struct vpci_cap *caps)
{
	unsigned steps = 0;
	int pos = 0, err;

	while ((pos = vpci_next_vcap(d, pos, &steps)) > 0) {
		u8 type = vpci_cap_type(d, pos);
		struct vpci_cap c;

		if (type < VIRTIO_PCI_CAP_COMMON_CFG || type > VIRTIO_PCI_CAP_PCI_CFG ||
		    caps[type].pos)
			continue; /* a type we do not use, or a later instance */
		if (type == VIRTIO_PCI_CAP_PCI_CFG) {
			caps[type].pos = (u8)pos; /* its fields are ours to write */
			continue;
		}
		err = vpci_read_cap(d, pos, type, &c);
		if (err)
			return err;
		if (c.bar > VIRTIO_PCI_CAP_BAR_MAX) {
			/* 4.1.4.1: MUST ignore a capability with a reserved bar. */
			kprintf("virtio-pci %s: %s capability at 0x%x names BAR%u: ignored\n",
				d->name, vpci_cap_name[type], pos, c.bar);
			continue;
		}
		if (d->bar[c.bar].type == PCI_BAR_IO)
			continue; /* we use memory BARs; look for another instance */
		caps[type] = c;
	}
	return pos == -ENOENT ? 0 : pos;
}

/* Validate the chosen capability of `type` and map its structure. */
static int vpci_map_cap(struct vpci_dev *vp, const struct vpci_cap *caps, u8 type, u32 min_len,
			u32 align, struct vpci_region *r)
{
	const struct vpci_cap *c = &caps[type];
	const char *what = vpci_cap_name[type];

	if (!c->pos) {
		kprintf("virtio-pci %s: no usable %s capability\n", vp->pdev->name, what);
		return -EINVAL;
	}
	if (c->length < min_len || c->offset % align) {
		kprintf("virtio-pci %s: %s at BAR%u+0x%x length 0x%x (need 0x%x, aligned to %u)\n",
			vp->pdev->name, what, c->bar, c->offset, c->length, min_len, align);
		return -EINVAL;
	}
	return vpci_map_bar(vp, what, c->bar, false, c->offset, c->length, r);
}

/* ---- the common configuration (4.1.4.3) ------------------------------- */

static uintptr_t vpci_common(struct virtio_dev *vdev, size_t off)
{
	return to_vpci(vdev)->common.base + off;
}

static u8 vpci_get_status(struct virtio_dev *vdev)
{
	return readb(vpci_common(vdev, VPCI_COMMON(device_status)));
}

static void vpci_set_status(struct virtio_dev *vdev, u8 status)
{
	/* Writing 0 starts a reset; the core polls until status reads 0. */
	writeb(vpci_common(vdev, VPCI_COMMON(device_status)), status);
	if (status == 0)
		to_vpci(vdev)->msix_config_set = false; /* a reset forgets the vectors */
}

static u64 vpci_get_features(struct virtio_dev *vdev)
{
	u64 f;

	writel(vpci_common(vdev, VPCI_COMMON(device_feature_select)), 0);
	f = readl(vpci_common(vdev, VPCI_COMMON(device_feature)));
	writel(vpci_common(vdev, VPCI_COMMON(device_feature_select)), 1);
	return f | (u64)readl(vpci_common(vdev, VPCI_COMMON(device_feature))) << 32;
}

static void vpci_set_features(struct virtio_dev *vdev, u64 features)
{
	writel(vpci_common(vdev, VPCI_COMMON(driver_feature_select)), 0);
	writel(vpci_common(vdev, VPCI_COMMON(driver_feature)), (u32)features);
	writel(vpci_common(vdev, VPCI_COMMON(driver_feature_select)), 1);
	writel(vpci_common(vdev, VPCI_COMMON(driver_feature)), (u32)(features >> 32));
}

static u32 vpci_config_generation(struct virtio_dev *vdev)
{
	return readb(vpci_common(vdev, VPCI_COMMON(config_generation)));
}

static unsigned vpci_queue_max(struct virtio_dev *vdev, unsigned index)
{
	if (index >= to_vpci(vdev)->nqueues)
		return 0;
	writew(vpci_common(vdev, VPCI_COMMON(queue_select)), (u16)index);
	return readw(vpci_common(vdev, VPCI_COMMON(queue_size))); /* 0: unavailable */
}

static void vpci_write64(struct virtio_dev *vdev, size_t off, u64 v)
{
	writel(vpci_common(vdev, off), (u32)v);
	writel(vpci_common(vdev, off + 4), (u32)(v >> 32));
}

/*
 * The doorbell of the selected queue `index`: notify.base + queue_notify_off
 * * multiplier, which must leave room for the 16-bit write (4.1.4.4).
 */
static int vpci_queue_doorbell(struct virtio_dev *vdev, unsigned index, uintptr_t *addr)
{
	struct vpci_dev *vp = to_vpci(vdev);
	u16 off = readw(vpci_common(vdev, VPCI_COMMON(queue_notify_off)));
	u64 at = (u64)off * vp->notify_mult;

	if (at > vp->notify.len - 2u) {
		kprintf("%s: queue %u doorbell at notify+0x%llx, past its length 0x%x\n",
			vdev->name, index, (unsigned long long)at, vp->notify.len);
		return -EINVAL;
	}
	*addr = vp->notify.base + (uintptr_t)at;
	return 0;
}

static int vpci_queue_setup(struct virtio_dev *vdev, unsigned index, unsigned num, phys_addr_t desc,
			    phys_addr_t avail, phys_addr_t used)
{
	unsigned max = vpci_queue_max(vdev, index); /* also selects it */
	uintptr_t doorbell;
	int err;

	/* 2.7: split rings are a power of two; 2.7.5/6/8: part alignment. */
	if (num == 0 || num > max || !IS_POW2(num) || desc % 16 || avail % 2 || used % 4)
		return -EINVAL;
	if (readw(vpci_common(vdev, VPCI_COMMON(queue_enable))) != 0)
		return -EBUSY;
	err = vpci_queue_doorbell(vdev, index, &doorbell);
	if (err)
		return err;
	writew(vpci_common(vdev, VPCI_COMMON(queue_size)), (u16)num);
	if (readw(vpci_common(vdev, VPCI_COMMON(queue_size))) != num) {
		kprintf("%s: queue %u did not take size %u\n", vdev->name, index, num);
		return -EIO;
	}
	vpci_write64(vdev, VPCI_COMMON(queue_desc), desc);
	vpci_write64(vdev, VPCI_COMMON(queue_driver), avail);
	vpci_write64(vdev, VPCI_COMMON(queue_device), used);
	to_vpci(vdev)->queue_notify[index] = doorbell;
	vpci_msix_route(to_vpci(vdev), index, vpci_common(vdev, VPCI_COMMON(config_msix_vector)),
			vpci_common(vdev, VPCI_COMMON(queue_msix_vector)));
	/* Last: from here on the device may use the ring (4.1.5.1.3). */
	writew(vpci_common(vdev, VPCI_COMMON(queue_enable)), 1);
	return 0;
}

static void vpci_notify(struct virtio_dev *vdev, unsigned index)
{
	struct vpci_dev *vp = to_vpci(vdev);

	/* Only queues we set up are ever notified (virtio_vq_setup). */
	BUG_ON(index >= vp->nqueues || !vp->queue_notify[index]);
	writew(vp->queue_notify[index], (u16)index);
}

static u32 vpci_irq_ack(struct virtio_dev *vdev)
{
	/* 4.1.4.5: reading the ISR acknowledges it (and deasserts INTx). */
	return readb(to_vpci(vdev)->isr.base);
}

static const struct virtio_transport_ops vpci_modern_ops = {
	.get_status = vpci_get_status,
	.set_status = vpci_set_status,
	.get_features = vpci_get_features,
	.set_features = vpci_set_features,
	.config_generation = vpci_config_generation,
	.config_read = vpci_config_read,
	.config_write = vpci_config_write,
	.queue_max = vpci_queue_max,
	.queue_setup = vpci_queue_setup,
	.notify = vpci_notify,
	.irq_ack = vpci_irq_ack,
};

/* ---- set-up ----------------------------------------------------------- */

int vpci_modern_setup(struct vpci_dev *vp)
{
	struct vpci_cap caps[VIRTIO_PCI_CAP_PCI_CFG + 1] = { 0 };
	const struct pci_dev *d = vp->pdev;
	int err;

	err = vpci_find_caps(d, caps);
	if (err)
		return err;
	/* Accessed with 32-bit reads/writes; the doorbells with 16-bit ones. */
	err = vpci_map_cap(vp, caps, VIRTIO_PCI_CAP_COMMON_CFG,
			   sizeof(struct virtio_pci_common_cfg), 4, &vp->common);
	if (!err)
		err = vpci_map_cap(vp, caps, VIRTIO_PCI_CAP_NOTIFY_CFG, 2, 2, &vp->notify);
	if (!err)
		err = vpci_map_cap(vp, caps, VIRTIO_PCI_CAP_ISR_CFG, 1, 1, &vp->isr);
	if (!err && caps[VIRTIO_PCI_CAP_DEVICE_CFG].pos)
		err = vpci_map_cap(vp, caps, VIRTIO_PCI_CAP_DEVICE_CFG, 0, 4, &vp->device);
	if (err)
		return err;

	vp->notify_mult = pci_cfg_read32(
		d, (u16)(caps[VIRTIO_PCI_CAP_NOTIFY_CFG].pos +
			 offsetof(struct virtio_pci_notify_cap, notify_off_multiplier)));
	if (vp->notify_mult % 2) {
		/* Odd: doorbells would be misaligned for the 16-bit write. */
		kprintf("virtio-pci %s: notify_off_multiplier %u is odd\n", d->name,
			vp->notify_mult);
		return -EINVAL;
	}
	vp->pci_cfg_cap = caps[VIRTIO_PCI_CAP_PCI_CFG].pos;
	vp->nqueues = MIN(readw(vp->common.base + VPCI_COMMON(num_queues)), VPCI_MAX_QUEUES);
	vp->vdev.ops = &vpci_modern_ops;
	vp->vdev.transport = "pci-modern";
	vp->vdev.intr = VIRTIO_INTR_INTX;
	vp->vdev.legacy = false;
	vp->vdev.queue_align = 16; /* any placement; 2.7 needs 16 for descriptors */
	return 0;
}
