/*
 * drivers/virtio/virtio_mmio.c - virtio-mmio transport (virtio 1.2, 4.2).
 *
 * One ops table serves both register layouts; the few places they differ
 * (feature words, queue set-up, config generation) branch on vdev->legacy.
 * Legacy (Version 1, 4.2.4): the guest page size is announced once, each
 * queue is one physically contiguous block given by page frame number, the
 * used ring aligned to QueueAlign; there is no FEATURES_OK and no config
 * generation.  Modern (Version 2, 4.2.2): three 64-bit ring addresses and
 * QueueReady.  QEMU 7.2 defaults to legacy (-global
 * virtio-mmio.force-legacy=false for modern).
 *
 * Registers are touched only through readl/writel, which order them after
 * our earlier stores to ring memory (see asm/io.h).
 */
#include "drivers/virtio/virtio_mmio.h"

#include "arch/port.h"

#include "drivers/virtio/virtio_mmio_regs.h"
#include "lib/boot_alloc.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define VMMIO_PAGE_SIZE 4096u
/* Registers (0x100) and the largest device configuration we read. */
#define VMMIO_MIN_WINDOW 0x200u

struct vmmio_dev {
	struct virtio_dev vdev;
	uintptr_t base;
	u64 size;
};

static inline struct vmmio_dev *to_vmmio(struct virtio_dev *vdev)
{
	return container_of(vdev, struct vmmio_dev, vdev);
}

static u32 vmmio_read(struct virtio_dev *vdev, unsigned reg)
{
	return readl(to_vmmio(vdev)->base + reg);
}

static void vmmio_write(struct virtio_dev *vdev, unsigned reg, u32 val)
{
	writel(to_vmmio(vdev)->base + reg, val);
}

static u8 vmmio_get_status(struct virtio_dev *vdev)
{
	return (u8)vmmio_read(vdev, VIRTIO_MMIO_STATUS);
}

static void vmmio_set_status(struct virtio_dev *vdev, u8 status)
{
	vmmio_write(vdev, VIRTIO_MMIO_STATUS, status);
	/* A legacy device needs the page size before any queue is set up. */
	if (vdev->legacy && status == VIRTIO_CONFIG_S_ACKNOWLEDGE)
		vmmio_write(vdev, VIRTIO_MMIO_GUEST_PAGE_SIZE, VMMIO_PAGE_SIZE);
}

static u64 vmmio_get_features(struct virtio_dev *vdev)
{
	u64 f;

	vmmio_write(vdev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = vmmio_read(vdev, VIRTIO_MMIO_DEVICE_FEATURES);
	if (vdev->legacy)
		return f; /* legacy feature space is 32 bits */
	vmmio_write(vdev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (u64)vmmio_read(vdev, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

static void vmmio_set_features(struct virtio_dev *vdev, u64 features)
{
	vmmio_write(vdev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vmmio_write(vdev, VIRTIO_MMIO_DRIVER_FEATURES, (u32)features);
	if (vdev->legacy)
		return;
	vmmio_write(vdev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vmmio_write(vdev, VIRTIO_MMIO_DRIVER_FEATURES, (u32)(features >> 32));
}

static u32 vmmio_config_generation(struct virtio_dev *vdev)
{
	return vdev->legacy ? 0 : vmmio_read(vdev, VIRTIO_MMIO_CONFIG_GENERATION);
}

static u32 vmmio_config_read(struct virtio_dev *vdev, unsigned offset, unsigned width)
{
	uintptr_t a = to_vmmio(vdev)->base + VIRTIO_MMIO_CONFIG + offset;

	switch (width) {
	case 1: return readb(a);
	case 2: return readw(a);
	default: return readl(a);
	}
}

static void vmmio_config_write(struct virtio_dev *vdev, unsigned offset, unsigned width, u32 val)
{
	uintptr_t a = to_vmmio(vdev)->base + VIRTIO_MMIO_CONFIG + offset;

	switch (width) {
	case 1: writeb(a, (u8)val); break;
	case 2: writew(a, (u16)val); break;
	default: writel(a, val); break;
	}
}

static unsigned vmmio_queue_max(struct virtio_dev *vdev, unsigned index)
{
	vmmio_write(vdev, VIRTIO_MMIO_QUEUE_SEL, index);
	return vmmio_read(vdev, VIRTIO_MMIO_QUEUE_NUM_MAX);
}

static int vmmio_queue_setup_legacy(struct virtio_dev *vdev, unsigned num, phys_addr_t desc,
				    phys_addr_t avail, phys_addr_t used)
{
	/* 4.2.4: one block, page aligned, addressed by a 32-bit frame number. */
	if (desc % VMMIO_PAGE_SIZE || desc / VMMIO_PAGE_SIZE > 0xffffffffull ||
	    avail != desc + virtq_avail_offset(num) ||
	    used != desc + virtq_used_offset(num, VMMIO_PAGE_SIZE))
		return -EINVAL;
	if (vmmio_read(vdev, VIRTIO_MMIO_QUEUE_PFN) != 0)
		return -EBUSY;
	vmmio_write(vdev, VIRTIO_MMIO_QUEUE_NUM, num);
	vmmio_write(vdev, VIRTIO_MMIO_QUEUE_ALIGN, VMMIO_PAGE_SIZE);
	vmmio_write(vdev, VIRTIO_MMIO_QUEUE_PFN, (u32)(desc / VMMIO_PAGE_SIZE));
	return 0;
}

static void vmmio_write64(struct virtio_dev *vdev, unsigned lo, u64 v)
{
	vmmio_write(vdev, lo, (u32)v);
	vmmio_write(vdev, lo + 4, (u32)(v >> 32));
}

static int vmmio_queue_setup(struct virtio_dev *vdev, unsigned index, unsigned num,
			     phys_addr_t desc, phys_addr_t avail, phys_addr_t used)
{
	unsigned max = vmmio_queue_max(vdev, index); /* also selects it */

	if (num == 0 || num > max)
		return -EINVAL;
	if (vdev->legacy)
		return vmmio_queue_setup_legacy(vdev, num, desc, avail, used);
	if (vmmio_read(vdev, VIRTIO_MMIO_QUEUE_READY) != 0)
		return -EBUSY;
	vmmio_write(vdev, VIRTIO_MMIO_QUEUE_NUM, num);
	vmmio_write64(vdev, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	vmmio_write64(vdev, VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail);
	vmmio_write64(vdev, VIRTIO_MMIO_QUEUE_USED_LOW, used);
	vmmio_write(vdev, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

static void vmmio_notify(struct virtio_dev *vdev, unsigned index)
{
	vmmio_write(vdev, VIRTIO_MMIO_QUEUE_NOTIFY, index);
}

static u32 vmmio_irq_ack(struct virtio_dev *vdev)
{
	u32 isr = vmmio_read(vdev, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (isr)
		vmmio_write(vdev, VIRTIO_MMIO_INTERRUPT_ACK, isr);
	return isr;
}

static const struct virtio_transport_ops vmmio_ops = {
	.get_status = vmmio_get_status,
	.set_status = vmmio_set_status,
	.get_features = vmmio_get_features,
	.set_features = vmmio_set_features,
	.config_generation = vmmio_config_generation,
	.config_read = vmmio_config_read,
	.config_write = vmmio_config_write,
	.queue_max = vmmio_queue_max,
	.queue_setup = vmmio_queue_setup,
	.notify = vmmio_notify,
	.irq_ack = vmmio_irq_ack,
};

int vmmio_probe(u64 base, u64 size, unsigned slot, struct virtio_dev **out)
{
	struct vmmio_dev *m;
	uintptr_t b = (uintptr_t)base;
	u32 version, device_id;

	if (size < VMMIO_MIN_WINDOW || readl(b + VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
		return -EINVAL;
	version = readl(b + VIRTIO_MMIO_VERSION);
	if (version != 1 && version != 2) {
		kprintf("virtio-mmio@%llx: unsupported version %u\n", (unsigned long long)base,
			version);
		return -EINVAL;
	}
	device_id = readl(b + VIRTIO_MMIO_DEVICE_ID);
	if (device_id == 0)
		return -ENODEV; /* 4.2.3.1.1: an empty slot */

	m = boot_alloc(sizeof(*m), 16);
	if (!m)
		return -ENOMEM;
	m->base = b;
	m->size = size;
	m->vdev = (struct virtio_dev){
		.ops = &vmmio_ops,
		.transport_priv = m,
		.transport = version == 1 ? "mmio-v1" : "mmio-v2",
		.device_id = device_id,
		.vendor_id = readl(b + VIRTIO_MMIO_VENDOR_ID),
		.legacy = version == 1,
		.queue_align = version == 1 ? VMMIO_PAGE_SIZE : 16,
	};
	snprintf(m->vdev.name, sizeof(m->vdev.name), "virtio-mmio%u", slot);
	*out = &m->vdev;
	return 0;
}
