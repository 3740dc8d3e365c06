/*
 * tests/host/fake_vmmio.c - the virtio-mmio register window in front of
 * the fake virtio-blk device (see fake_vmmio.h; the device itself is
 * fake_vblk_model.c).
 *
 * The register window of both layouts (virtio 1.2, 4.2.2 modern, 4.2.4
 * legacy): selectors, queue registers of the selected queue, the interrupt
 * status and its ACK, the configuration space at 0x100.  Single-threaded:
 * the driver runs the fake synchronously through its register accesses.
 */
#include "tests/host/fake_vmmio.h"

#include <asm/io.h>
#include <string.h>

#include "drivers/virtio/virtio_mmio_regs.h"

_Static_assert(VIRTIO_MMIO_INT_VRING == FVB_ISR_QUEUE, "the model's queue interrupt bit");

/* The selected queue, for a write to `reg`; NULL (a violation) if none. */
static struct fvb_queue *fvm_selected(struct fake_vmmio *m, const char *reg)
{
	struct fvb_queue *q = fvb_queue(m->dev, m->queue_sel);

	if (!q)
		fvb_violation(m->dev, "%s for missing queue %u", reg, m->queue_sel);
	return q;
}

/* QueueDesc/Avail/Used Low/High: 0x080 - 0x0a4. */
static bool fvm_queue_addr_write(struct fake_vmmio *m, u32 reg, u32 val)
{
	struct fvb_queue *q;
	u64 *slot;

	switch (reg & ~4u) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_USED_LOW: break;
	default: return false;
	}
	q = fvm_selected(m, "queue address");
	if (!q)
		return true;
	slot = (reg & ~4u) == VIRTIO_MMIO_QUEUE_DESC_LOW    ? &q->desc
	       : (reg & ~4u) == VIRTIO_MMIO_QUEUE_AVAIL_LOW ? &q->avail
							    : &q->used;
	if (q->ready)
		fvb_violation(m->dev, "queue address %#x written while live", reg);
	if (reg & 4)
		*slot = (*slot & 0xffffffffull) | (u64)val << 32;
	else
		*slot = (*slot & ~0xffffffffull) | val;
	return true;
}

static u32 fvm_reg_read(struct fake_vmmio *m, u32 reg)
{
	struct fvb_queue *q = fvb_queue(m->dev, m->queue_sel);
	bool legacy = m->version == 1;

	switch (reg) {
	case VIRTIO_MMIO_MAGIC_VALUE: return m->magic;
	case VIRTIO_MMIO_VERSION: return m->version;
	case VIRTIO_MMIO_DEVICE_ID: return m->device_id;
	case VIRTIO_MMIO_VENDOR_ID: return m->vendor_id;
	case VIRTIO_MMIO_DEVICE_FEATURES: return fvb_device_features(m->dev, m->dev_feat_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX: return q ? q->max : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return m->dev->isr;
	case VIRTIO_MMIO_STATUS: return fvb_status_read(m->dev);
	}
	if (legacy && reg == VIRTIO_MMIO_QUEUE_PFN)
		return q ? q->pfn : 0;
	if (!legacy && reg == VIRTIO_MMIO_QUEUE_READY)
		return q ? q->ready : 0;
	if (!legacy && reg == VIRTIO_MMIO_CONFIG_GENERATION)
		return fvb_generation(m->dev);
	fvb_violation(m->dev, "read of write-only or unknown register %#x", reg);
	return 0;
}

static u32 fvm_read(void *ctx, uintptr_t addr, unsigned width)
{
	struct fake_vmmio *m = ctx;
	u32 reg;

	if (addr < FVM_BASE || addr - FVM_BASE >= FVM_WINDOW) {
		fvb_violation(m->dev, "read outside the window at %#lx", (unsigned long)addr);
		return ~0u;
	}
	reg = (u32)(addr - FVM_BASE);
	if (reg >= VIRTIO_MMIO_CONFIG)
		return fvb_config_read(m->dev, reg - VIRTIO_MMIO_CONFIG, width,
				       FVM_WINDOW - VIRTIO_MMIO_CONFIG);
	if (width != 4 || reg % 4) {
		fvb_violation(m->dev, "%u-byte read of register %#x", width, reg);
		return ~0u;
	}
	return fvm_reg_read(m, reg);
}

/* Registers both layouts share.  False if `reg` is not one of them. */
static bool fvm_reg_write_common(struct fake_vmmio *m, u32 reg, u32 val)
{
	struct fvb_queue *q;

	switch (reg) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: m->dev_feat_sel = val; return true;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: m->drv_feat_sel = val; return true;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		fvb_driver_features(m->dev, m->drv_feat_sel, val);
		return true;
	case VIRTIO_MMIO_QUEUE_SEL: m->queue_sel = val; return true;
	case VIRTIO_MMIO_QUEUE_NUM:
		q = fvm_selected(m, "QueueNum");
		if (q)
			q->num = val;
		return true;
	case VIRTIO_MMIO_QUEUE_NOTIFY: fvb_notify(m->dev, val); return true;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		m->irq_acks++;
		m->dev->isr &= ~val;
		return true;
	case VIRTIO_MMIO_STATUS:
		if (val == 0) /* the window's part of the reset */
			m->dev_feat_sel = m->drv_feat_sel = m->queue_sel = 0;
		fvb_status_write(m->dev, val);
		return true;
	}
	return false;
}

static void fvm_reg_write(struct fake_vmmio *m, u32 reg, u32 val)
{
	bool legacy = m->version == 1;
	struct fvb_queue *q;

	if (fvm_reg_write_common(m, reg, val))
		return;
	if (legacy && reg == VIRTIO_MMIO_GUEST_PAGE_SIZE) {
		m->page_size = val;
		m->page_size_writes++;
	} else if (legacy && reg == VIRTIO_MMIO_QUEUE_ALIGN) {
		q = fvm_selected(m, "QueueAlign");
		if (q)
			q->align = val;
	} else if (legacy && reg == VIRTIO_MMIO_QUEUE_PFN) {
		q = fvb_queue(m->dev, m->queue_sel);
		fvb_queue_legacy(m->dev, m->queue_sel, val, m->page_size, q ? q->align : 0);
	} else if (!legacy && reg == VIRTIO_MMIO_QUEUE_READY) {
		q = fvm_selected(m, "QueueReady");
		if (q && val == 0)
			q->ready = false;
		else if (q)
			fvb_queue_enable(m->dev, m->queue_sel);
	} else if (legacy || !fvm_queue_addr_write(m, reg, val)) {
		fvb_violation(m->dev, "write of read-only or unknown register %#x", reg);
	}
}

static void fvm_write(void *ctx, uintptr_t addr, u32 val, unsigned width)
{
	struct fake_vmmio *m = ctx;
	u32 reg;

	if (addr < FVM_BASE || addr - FVM_BASE >= FVM_WINDOW) {
		fvb_violation(m->dev, "write outside the window at %#lx", (unsigned long)addr);
		return;
	}
	reg = (u32)(addr - FVM_BASE);
	if (reg >= VIRTIO_MMIO_CONFIG) {
		fvb_config_write(m->dev, reg - VIRTIO_MMIO_CONFIG, width, val);
		return;
	}
	if (width != 4 || reg % 4) {
		fvb_violation(m->dev, "%u-byte write of register %#x", width, reg);
		return;
	}
	fvm_reg_write(m, reg, val);
}

/* ---- set-up ---------------------------------------------------------- */

void fvm_init(struct fake_vmmio *m, struct fake_vblk *dev, u32 version, u64 features, u64 sectors)
{
	fvb_init(dev, version == 1, features, 1, sectors);
	memset(m, 0, sizeof(*m));
	m->dev = dev;
	m->magic = VIRTIO_MMIO_MAGIC;
	m->version = version;
	m->device_id = VIRTIO_ID_BLOCK;
	m->vendor_id = 0x554d4551; /* "QEMU" */
	host_io = (struct host_io_ops){ .read = fvm_read, .write = fvm_write, .ctx = m };
}

void fvm_destroy(struct fake_vmmio *m)
{
	if (m->dev)
		fvb_destroy(m->dev);
	host_io = (struct host_io_ops){ 0 };
}
