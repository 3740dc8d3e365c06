/*
 * drivers/virtio/virtio.c - the virtio initialisation sequence and the
 * helpers every driver shares (virtio 1.2 sections 2.1, 2.2, 2.5, 3.1).
 *
 * This is the only place that walks the device status state machine, so
 * every transport and every driver gets the same, spec-ordered sequence and
 * the same error handling: any failure after ACKNOWLEDGE sets FAILED.
 */
#include "drivers/virtio/virtio.h"

#include "arch/port.h"
#include "lib/boot_alloc.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* How long a device may take to finish a reset (2.1.2 / 4.2.3.1.1). */
#define VIRTIO_RESET_TIMEOUT_NS (1000ull * 1000 * 1000)
#define VIRTIO_CREAD_TRIES 64

int virtio_dev_reset(struct virtio_dev *vdev)
{
	u64 deadline = arch_time_ns() + VIRTIO_RESET_TIMEOUT_NS;

	vdev->ops->set_status(vdev, 0);
	/* The device has reset only once status reads back as 0. */
	while (vdev->ops->get_status(vdev) != 0) {
		if (arch_time_ns() > deadline)
			return -ETIMEDOUT;
		arch_cpu_relax();
	}
	return 0;
}

static void virtio_add_status(struct virtio_dev *vdev, u8 bits)
{
	vdev->ops->set_status(vdev, vdev->ops->get_status(vdev) | bits);
}

void virtio_dev_fail(struct virtio_dev *vdev)
{
	virtio_add_status(vdev, VIRTIO_CONFIG_S_FAILED);
}

/*
 * Ring features the core (virtqueue.c) handles the same for every driver,
 * accepted when offered unless the command line turned them off.  INDIRECT
 * (2.7.5.3) lets a chain of several buffers take one ring slot; PACKED
 * (2.8) puts each queue in one ring (modern devices only).
 */
static const struct virtio_feature virtio_core_features[] = {
	{ VIRTIO_F_RING_INDIRECT_DESC, "indirect_desc" },
	{ VIRTIO_F_RING_PACKED, "ring_packed" },
};

static u64 virtio_driver_mask(const struct virtio_driver *drv, bool legacy)
{
	u64 mask = 0;

	for (unsigned i = 0; i < drv->nfeatures; i++)
		mask |= BIT64(drv->features[i].bit);
	for (unsigned i = 0; i < ARRAY_SIZE(virtio_core_features); i++)
		mask |= BIT64(virtio_core_features[i].bit);
	/*
	 * 6.1: a modern driver must accept VERSION_1; legacy never sees it.
	 * ACCESS_PLATFORM (6.1): the device's DMA goes through the platform's
	 * translation, which every address we give it already went through:
	 * virt_to_phys() is that one hook (identity where no IOMMU is in the
	 * path).  A device that offers it fails FEATURES_OK without it.
	 */
	if (!legacy)
		mask |= BIT64(VIRTIO_F_VERSION_1) | BIT64(VIRTIO_F_ACCESS_PLATFORM);
	else
		mask &= ~(BIT64(VIRTIO_F_VERSION_1) | BIT64(VIRTIO_F_ACCESS_PLATFORM) |
			  BIT64(VIRTIO_F_RING_PACKED));
	return mask;
}

/* Feature negotiation (3.1.1 steps 4-6).  0, -ENODEV or -EIO. */
static int virtio_negotiate(struct virtio_dev *vdev, const struct virtio_driver *drv)
{
	u64 offered = vdev->ops->get_features(vdev);
	u64 accept = offered & virtio_driver_mask(drv, vdev->legacy);

	vdev->device_features = offered;
	if (!vdev->legacy && !(offered & BIT64(VIRTIO_F_VERSION_1))) {
		kprintf("%s: modern transport but device lacks VERSION_1\n", vdev->name);
		return -ENODEV;
	}
	if (drv->fixup_features)
		accept = drv->fixup_features(vdev, accept) & offered;
	accept &= ~vdev->features_off;
	vdev->ops->set_features(vdev, accept);
	vdev->features = accept;
	if (vdev->legacy)
		return 0; /* legacy devices have no FEATURES_OK step */

	virtio_add_status(vdev, VIRTIO_CONFIG_S_FEATURES_OK);
	/* 3.1.1 step 6: the device may refuse our subset by clearing it. */
	if (!(vdev->ops->get_status(vdev) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		kprintf("%s: device refused features 0x%llx (FEATURES_OK not kept)\n", vdev->name,
			(unsigned long long)accept);
		return -EIO;
	}
	return 0;
}

int virtio_dev_init(struct virtio_dev *vdev, const struct virtio_driver *drv, void *ctx)
{
	int err;

	if (vdev->device_id != drv->device_id)
		return -ENODEV;
	err = virtio_dev_reset(vdev);
	if (err) {
		kprintf("%s: device did not complete reset\n", vdev->name);
		goto fail;
	}
	virtio_add_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	virtio_add_status(vdev, VIRTIO_CONFIG_S_DRIVER);

	err = virtio_negotiate(vdev, drv);
	if (err)
		goto fail;
	err = drv->setup(vdev, ctx);
	if (err)
		goto fail;

	virtio_add_status(vdev, VIRTIO_CONFIG_S_DRIVER_OK);
	if (vdev->ops->get_status(vdev) & VIRTIO_CONFIG_S_NEEDS_RESET) {
		kprintf("%s: device needs reset right after DRIVER_OK\n", vdev->name);
		err = -EIO;
		goto fail;
	}
	return 0;

fail:
	virtio_dev_fail(vdev);
	return err;
}

/* Read config with the widest naturally aligned accesses available. */
static void virtio_cread_raw(struct virtio_dev *vdev, unsigned offset, u8 *buf, unsigned len)
{
	while (len) {
		unsigned w = 1;
		u32 v;

		if (len >= 4 && offset % 4 == 0)
			w = 4;
		else if (len >= 2 && offset % 2 == 0)
			w = 2;
		v = vdev->ops->config_read(vdev, offset, w);
		/* Store little-endian: config fields are le types. */
		for (unsigned i = 0; i < w; i++)
			buf[i] = (u8)(v >> (8 * i));
		buf += w;
		offset += w;
		len -= w;
	}
}

int virtio_cread(struct virtio_dev *vdev, unsigned offset, void *buf, unsigned len)
{
	u8 check[64];

	for (unsigned tries = 0; tries < VIRTIO_CREAD_TRIES; tries++) {
		u32 gen = vdev->ops->config_generation(vdev);

		virtio_cread_raw(vdev, offset, buf, len);
		if (vdev->legacy) {
			/*
			 * No generation counter: a multi-word field is only
			 * trustworthy if a second read agrees.
			 */
			if (len <= 4)
				return 0;
			virtio_cread_raw(vdev, offset, check, MIN(len, sizeof(check)));
			if (memcmp(check, buf, MIN(len, sizeof(check))) == 0)
				return 0;
		} else if (vdev->ops->config_generation(vdev) == gen) {
			return 0;
		}
	}
	kprintf("%s: configuration space never stabilised\n", vdev->name);
	return -EIO;
}

void virtio_cwrite(struct virtio_dev *vdev, unsigned offset, unsigned len, u32 val)
{
	BUG_ON(len != 1 && len != 2 && len != 4);
	vdev->ops->config_write(vdev, offset, len, val);
}

bool virtio_needs_reset(struct virtio_dev *vdev)
{
	return (vdev->ops->get_status(vdev) & VIRTIO_CONFIG_S_NEEDS_RESET) != 0;
}

static void virtio_vq_notify(struct virtq *vq)
{
	struct virtio_dev *vdev = vq->priv;

	vdev->ops->notify(vdev, vq->index);
}

/*
 * Indirect tables for `vq` if INDIRECT was negotiated: allocated once
 * (`tables`, from before a reset, is reused).  Without memory for them the
 * queue stays direct, which every device accepts.
 */
static void virtio_vq_indirect(struct virtio_dev *vdev, struct virtq *vq, void *tables)
{
	unsigned max = MIN(VIRTIO_INDIRECT_MAX, vq->num);

	if (!virtio_has_feature(vdev, VIRTIO_F_RING_INDIRECT_DESC))
		max = 0;
	if (max && !tables) {
		tables = boot_alloc(virtq_indirect_size(vq->num, max), 16);
		if (!tables)
			kprintf("%s: no memory for indirect tables: queue %u stays direct\n",
				vdev->name, vq->index);
	}
	virtq_set_indirect(vq, tables, max);
}

int virtio_vq_setup(struct virtio_dev *vdev, unsigned index, struct virtq *vq, unsigned max_num)
{
	void *ring = vq->ring_mem, *priv = vq->priv_mem, *tables = vq->indirect;
	const void *driver_area, *device_area;
	unsigned num = vq->num;
	bool packed = virtio_has_feature(vdev, VIRTIO_F_RING_PACKED);
	bool event_idx = virtio_has_feature(vdev, VIRTIO_F_RING_EVENT_IDX);

	if (!ring) {
		unsigned qmax = vdev->ops->queue_max(vdev, index);

		if (qmax == 0)
			return -ENOENT;
		num = MIN(MIN(qmax, max_num), VIRTQ_MAX_SIZE);
		/* Legacy PCI has no writable queue size (4.1.4.10): take it whole. */
		if (vdev->queue_size_fixed)
			num = qmax;
		if (num == 0 || num > VIRTQ_MAX_SIZE || (vdev->queue_size_fixed && !IS_POW2(num)))
			return -EINVAL;
		while (!IS_POW2(num))
			num &= num - 1; /* round down to a power of two */
		/*
		 * Room for a split ring, which holds a packed one too (26
		 * bytes an entry against 16): after a reset the device may
		 * offer, and we negotiate, the other kind.
		 */
		ring = boot_alloc(virtq_ring_size(num, vdev->queue_align), 4096);
		priv = boot_alloc(virtq_priv_size(num), 16);
		if (!ring || !priv)
			return -ENOMEM;
	}
	if (packed) {
		virtq_init_packed(vq, (u16)index, (u16)num, ring, priv, event_idx, virtio_vq_notify,
				  vdev);
		/* 2.8.10: descriptor ring, driver area, device area. */
		driver_area = vq->driver_event;
		device_area = vq->device_event;
	} else {
		virtq_init(vq, (u16)index, (u16)num, ring, vdev->queue_align, priv, event_idx,
			   virtio_vq_notify, vdev);
		vq->lenient_len = vdev->legacy;
		driver_area = vq->avail;
		device_area = vq->used;
	}
	virtio_vq_indirect(vdev, vq, tables);
	return vdev->ops->queue_setup(vdev, index, num, virt_to_phys(ring),
				      virt_to_phys(driver_area), virt_to_phys(device_area));
}

void virtio_features_str(const struct virtio_dev *vdev, const struct virtio_driver *drv, char *buf,
			 size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < drv->nfeatures + ARRAY_SIZE(virtio_core_features); i++) {
		const struct virtio_feature *f =
			i < drv->nfeatures ? &drv->features[i]
					   : &virtio_core_features[i - drv->nfeatures];

		if (!virtio_has_feature(vdev, f->bit))
			continue;
		len += (size_t)snprintf(buf + MIN(len, size), size - MIN(len, size), "%s%s",
					len ? "," : "", f->name);
	}
}

/* Devices whose interrupt lines are wake-up sources. */
#define VIRTIO_MAX_IRQ_DEVS 32

static struct virtio_dev *virtio_irq_devs[VIRTIO_MAX_IRQ_DEVS];
static unsigned virtio_nirq_devs;

int virtio_irq_register(struct virtio_dev *vdev)
{
	int err = -ENODEV;

	if (vdev->irq_on)
		return 0;
	if (virtio_nirq_devs == VIRTIO_MAX_IRQ_DEVS)
		return -ENOSPC;
	if (vdev->irq)
		err = arch_irq_enable(vdev->irq, vdev->irq_edge);
	/* MSI-X: the messages are enabled; the line is only the fallback's. */
	if (err && vdev->intr != VIRTIO_INTR_MSIX)
		return err;
	virtio_irq_devs[virtio_nirq_devs++] = vdev;
	vdev->irq_on = true;
	return 0;
}

/*
 * Whether `irq` is one of the device's messages.  The transport routes
 * config changes first, then queues 0, 1, ... in order, so the routed ones
 * are a prefix of msi_irq[]: the queue's message, the usual one, is
 * found second, and the search stops at the first hole.
 */
static bool virtio_msi_owns(const struct virtio_dev *vdev, u32 irq)
{
	for (unsigned i = 0; i < VIRTIO_MSI_MAX && vdev->msi_irq[i]; i++)
		if (vdev->msi_irq[i] == irq)
			return true;
	return false;
}

bool virtio_irq_wait(u64 timeout_ns)
{
	u32 irq = arch_wait_irq(timeout_ns);
	bool ours = false;

	if (!irq)
		return false;
	/*
	 * Quiet every device on the line before ending the interrupt.  A
	 * message is an edge with nothing to acknowledge at the device: no
	 * ISR read (it saves that MMIO read per interrupt).
	 */
	for (unsigned i = 0; i < virtio_nirq_devs; i++) {
		struct virtio_dev *vdev = virtio_irq_devs[i];
		bool hit;

		if (vdev->intr == VIRTIO_INTR_MSIX)
			hit = virtio_msi_owns(vdev, irq);
		else
			hit = vdev->irq == irq && vdev->ops->irq_ack(vdev);
		if (hit) {
			vdev->irqs++;
			ours = true;
		}
	}
	arch_irq_eoi(irq);
	return ours;
}

u32 virtio_irq_number(const struct virtio_dev *vdev)
{
	if (!vdev->irq_on)
		return 0;
	return vdev->intr == VIRTIO_INTR_MSIX ? vdev->msi_irq[1] : vdev->irq;
}

const char *virtio_intr_name(const struct virtio_dev *vdev)
{
	static const char *const names[] = {
		[VIRTIO_INTR_LINE] = "line",
		[VIRTIO_INTR_INTX] = "intx",
		[VIRTIO_INTR_MSIX] = "msix",
	};

	return vdev->irq_on ? names[vdev->intr] : "poll";
}
