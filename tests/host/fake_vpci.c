/*
 * tests/host/fake_vpci.c - the PCI side of the fake virtio-pci function:
 * ECAM configuration space with BAR sizing and the capability list, BAR
 * decoding, the modern common configuration, ISR, device configuration
 * and notification area, and the legacy I/O registers (see fake_vpci.h).
 * The device behind them is the model of fake_vblk_model.c.
 *
 * Single-threaded: the driver runs the fake synchronously through its
 * register accesses.
 */
#include "tests/host/fake_vpci.h"

#include <asm/io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/pci/pci_regs.h"
#include "drivers/virtio/virtio_pci_regs.h"
#include "tests/host/fake_vpci_priv.h"

#define COMMON(field) offsetof(struct virtio_pci_common_cfg, field)

_Static_assert(VIRTIO_PCI_ISR_QUEUE == FVB_ISR_QUEUE, "the model's queue interrupt bit");

/* ---- configuration space ------------------------------------------------ */

static void put16(u8 *c, unsigned off, u16 v)
{
	c[off] = (u8)v;
	c[off + 1] = (u8)(v >> 8);
}

static void put32(u8 *c, unsigned off, u32 v)
{
	put16(c, off, (u16)v);
	put16(c, off + 2, (u16)(v >> 16));
}

static u8 fvp_cap_len(const struct fvp_cap *cap)
{
	if (cap->cap_len)
		return cap->cap_len;
	if (cap->id == PCI_CAP_ID_MSIX)
		return 12;
	if (cap->cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG || cap->cfg_type == VIRTIO_PCI_CAP_PCI_CFG)
		return 20;
	return 16;
}

/* Positions of caps[]: explicit, or packed after the highest so far. */
static void fvp_cap_positions(const struct fake_vpci *f, u8 *pos)
{
	unsigned next = 0x40;

	for (unsigned i = 0; i < f->ncaps; i++) {
		if (f->caps[i].pos)
			next = MAX(next, ALIGN_UP(f->caps[i].pos + fvp_cap_len(&f->caps[i]), 4u));
	}
	for (unsigned i = 0; i < f->ncaps; i++) {
		pos[i] = f->caps[i].pos;
		if (!pos[i]) {
			pos[i] = (u8)next;
			next = ALIGN_UP(next + fvp_cap_len(&f->caps[i]), 4u);
		}
	}
}

static void fvp_build_caps(struct fake_vpci *f, u8 *c)
{
	u8 pos[FVP_MAX_CAPS];

	fvp_cap_positions(f, pos);
	c[PCI_CAPABILITY_LIST] = f->ncaps ? pos[0] : 0;
	for (unsigned i = 0; i < f->ncaps; i++) {
		const struct fvp_cap *cap = &f->caps[i];
		u8 p = pos[i], next = i + 1 < f->ncaps ? pos[i + 1] : (f->cap_loop ? pos[0] : 0);
		u8 body[20] = { 0 };

		body[0] = cap->id;
		body[1] = next;
		body[2] = fvp_cap_len(cap);
		if (cap->id == PCI_CAP_ID_MSIX) {
			put16(body, 2, (u16)(f->msix_ctrl | (f->msix_qsize & 0x7ff)));
			put32(body, 4, f->msix_table);
			put32(body, 8, f->msix_pba);
		} else {
			body[3] = cap->cfg_type;
			body[4] = cap->bar;
			put32(body, 8, cap->offset);
			put32(body, 12, cap->length);
			put32(body, 16, cap->mult);
		}
		for (unsigned k = 0; k < fvp_cap_len(cap) && k < sizeof(body) && p + k < 256; k++)
			c[p + k] = body[k];
	}
}

static u32 fvp_bar_reg(const struct fake_vpci *f, unsigned i)
{
	const struct fvp_bar *b = &f->bars[i];

	if (i > 0 && f->bars[i - 1].kind == FVP_BAR_MEM64)
		return (u32)(f->bars[i - 1].addr >> 32);
	switch (b->kind) {
	case FVP_BAR_IO: return (u32)b->addr | PCI_BASE_ADDRESS_SPACE_IO;
	case FVP_BAR_MEM32: return (u32)b->addr | (b->prefetch ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0);
	case FVP_BAR_MEM64:
		return (u32)b->addr | PCI_BASE_ADDRESS_MEM_TYPE_64 |
		       (b->prefetch ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0);
	default: return 0;
	}
}

static void fvp_build_cfg(struct fake_vpci *f)
{
	u8 *c = f->cfg_space;

	memset(c, 0, sizeof(f->cfg_space));
	put16(c, PCI_VENDOR_ID, f->vendor_id);
	put16(c, PCI_DEVICE_ID, f->device_id);
	put16(c, PCI_COMMAND, f->command);
	put16(c, PCI_STATUS, f->ncaps ? PCI_STATUS_CAP_LIST : 0);
	put32(c, PCI_REVISION_ID, f->class_code << 8 | 1);
	for (unsigned i = 0; i < 6; i++)
		put32(c, PCI_BASE_ADDRESS_0 + 4 * i, fvp_bar_reg(f, i));
	put16(c, PCI_SUBSYSTEM_VENDOR_ID, f->subsys_vendor);
	put16(c, PCI_SUBSYSTEM_ID, f->subsys_id);
	c[PCI_INTERRUPT_PIN] = 1;
	if (f->ncaps)
		fvp_build_caps(f, c);
}

/* MSI-X Message Control, if `off` (width 2) is one: the enable bit. */
static bool fvp_msix_ctrl_write(struct fake_vpci *f, unsigned off, u32 val)
{
	u8 pos[FVP_MAX_CAPS];

	fvp_cap_positions(f, pos);
	for (unsigned i = 0; i < f->ncaps; i++) {
		if (f->caps[i].id == PCI_CAP_ID_MSIX && off == pos[i] + 2u) {
			f->msix_ctrl = (u16)(val & 0xc000);
			return true;
		}
	}
	return false;
}

static void fvp_bar_write(struct fake_vpci *f, unsigned i, u32 val)
{
	struct fvp_bar *b = &f->bars[i];

	if (i > 0 && f->bars[i - 1].kind == FVP_BAR_MEM64) {
		b = &f->bars[i - 1];
		b->addr = ((b->addr & 0xffffffffull) | (u64)val << 32) & ~(b->size - 1);
		return;
	}
	if (b->kind == FVP_BAR_NONE)
		return;
	val &= b->kind == FVP_BAR_IO ? ~3u : ~15u;
	b->addr = ((b->addr & ~0xffffffffull) | val) & ~(b->size - 1);
}

static u32 fvp_cfg_read(struct fake_vpci *f, unsigned off, unsigned width)
{
	u32 v = 0;

	if (off % width)
		fvb_violation(f->dev, "misaligned %u-byte config read at 0x%x", width, off);
	if (off >= sizeof(f->cfg_space))
		return 0; /* no extended capabilities */
	fvp_build_cfg(f);
	for (unsigned k = 0; k < width; k++)
		v |= (u32)f->cfg_space[off + k] << (8 * k);
	return v;
}

static void fvp_cfg_write(struct fake_vpci *f, unsigned off, unsigned width, u32 val)
{
	if (off % width)
		fvb_violation(f->dev, "misaligned %u-byte config write at 0x%x", width, off);
	if (off == PCI_COMMAND && width >= 2)
		f->command = (u16)val & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
					 PCI_COMMAND_INTX_DISABLE);
	else if (off >= PCI_BASE_ADDRESS_0 && off < PCI_BASE_ADDRESS_0 + 24 && width == 4)
		fvp_bar_write(f, (off - PCI_BASE_ADDRESS_0) / 4, val);
	else if (width == 2 && fvp_msix_ctrl_write(f, off, val))
		return;
	/* Everything else is read-only or not modelled: ignored. */
}

/* ---- the modern common configuration (4.1.4.3) ---------------------------- */

/* The width of the field at `off`, 4 for each half of a 64-bit one; 0 none. */
static unsigned fvp_common_width(unsigned off)
{
	if (off < COMMON(config_msix_vector))
		return off % 4 ? 0 : 4;
	if (off < COMMON(device_status))
		return off % 2 ? 0 : 2;
	if (off < COMMON(queue_select))
		return 1;
	if (off < COMMON(queue_desc))
		return off % 2 ? 0 : 2;
	if (off < sizeof(struct virtio_pci_common_cfg))
		return off % 4 ? 0 : 4;
	return off < 0x3c && off % 2 == 0 ? 2 : 0; /* 1.2: notify_data, reset */
}

/* The selected queue (the model's) and *regs, the function's registers of it. */
static struct fvb_queue *fvp_selected(struct fake_vpci *f, struct fvp_queue **regs)
{
	struct fvb_queue *q = fvb_queue(f->dev, f->queue_sel);

	if (regs)
		*regs = q ? &f->q[f->queue_sel] : NULL;
	return q;
}

static u64 *fvp_queue_addr(struct fvb_queue *q, unsigned off)
{
	if (off < COMMON(queue_driver))
		return &q->desc;
	return off < COMMON(queue_device) ? &q->avail : &q->used;
}

/*
 * What a vector register keeps: QEMU maps a vector only inside the table
 * (msix_vector_use fails past it) and answers NO_VECTOR otherwise.
 */
static u16 fvp_vector(struct fake_vpci *f, u32 val, bool config)
{
	f->msix_vector_writes++;
	if (val == VIRTIO_MSI_NO_VECTOR || val > f->msix_qsize ||
	    (config ? f->msix_refuse_config : f->msix_refuse_queue))
		return VIRTIO_MSI_NO_VECTOR;
	return (u16)val;
}

void fvp_regs_reset(struct fake_vpci *f)
{
	f->dfselect = f->gfselect = 0;
	f->queue_sel = 0;
	f->config_msix_vector = VIRTIO_MSI_NO_VECTOR;
	for (unsigned i = 0; i < FVB_MAX_QUEUES; i++) {
		f->q[i].msix_vector = VIRTIO_MSI_NO_VECTOR;
		f->q[i].addr_writes = f->q[i].late_writes = 0;
	}
}

static void fvp_status_write(struct fake_vpci *f, u32 val)
{
	if (val == 0)
		fvp_regs_reset(f);
	fvb_status_write(f->dev, val);
}

static u32 fvp_common_read(struct fake_vpci *f, unsigned off)
{
	struct fvp_queue *r;
	struct fvb_queue *q = fvp_selected(f, &r);

	switch (off) {
	case COMMON(device_feature_select): return f->dfselect;
	case COMMON(device_feature): return fvb_device_features(f->dev, f->dfselect);
	case COMMON(driver_feature_select): return f->gfselect;
	case COMMON(driver_feature):
		return f->gfselect > 1 ? 0 : (u32)(f->dev->driver_features >> (32 * f->gfselect));
	case COMMON(config_msix_vector): return f->config_msix_vector;
	case COMMON(num_queues): return f->dev->nqueues;
	case COMMON(device_status): return fvb_status_read(f->dev);
	case COMMON(config_generation): return fvb_generation(f->dev) & 0xff;
	case COMMON(queue_select): return f->queue_sel;
	}
	if (off >= sizeof(struct virtio_pci_common_cfg))
		return 0;
	if (!q)
		return off == COMMON(queue_msix_vector) ? VIRTIO_MSI_NO_VECTOR : 0;
	switch (off) {
	case COMMON(queue_size): return q->num;
	case COMMON(queue_msix_vector): return r->msix_vector;
	case COMMON(queue_enable): return q->ready;
	case COMMON(queue_notify_off): return r->notify_off;
	}
	return (u32)(*fvp_queue_addr(q, off) >> (off % 8 ? 32 : 0));
}

static void fvp_queue_enable(struct fake_vpci *f, const struct fvp_queue *r, u32 val)
{
	if (val != 1) {
		fvb_violation(f->dev, "queue_enable written %u", val);
		return;
	}
	f->enables++;
	if (r->addr_writes < 6) {
		fvb_violation(f->dev, "queue_enable after %u of 6 address halves", r->addr_writes);
		return;
	}
	fvb_queue_enable(f->dev, f->queue_sel);
}

static void fvp_common_queue_write(struct fake_vpci *f, unsigned off, u32 val)
{
	struct fvp_queue *r;
	struct fvb_queue *q = fvp_selected(f, &r);
	u64 *a;

	if (!q) {
		fvb_violation(f->dev, "write 0x%x to queue register 0x%x of missing queue %u", val,
			      off, f->queue_sel);
		return;
	}
	if (q->ready) {
		r->late_writes++;
		fvb_violation(f->dev, "queue %u register 0x%x written after queue_enable",
			      f->queue_sel, off);
	}
	switch (off) {
	case COMMON(queue_size):
		if (val == 0 || val > q->max || !IS_POW2(val))
			fvb_violation(f->dev, "queue_size %u (max %u)", val, q->max);
		q->num = (u16)val;
		return;
	case COMMON(queue_msix_vector): r->msix_vector = fvp_vector(f, val, false); return;
	case COMMON(queue_enable): fvp_queue_enable(f, r, val); return;
	case COMMON(queue_notify_off): fvb_violation(f->dev, "queue_notify_off written"); return;
	}
	a = fvp_queue_addr(q, off);
	if (off % 8)
		*a = (*a & 0xffffffffull) | (u64)val << 32;
	else
		*a = (*a & ~0xffffffffull) | val;
	r->addr_writes++;
}

static void fvp_common_write(struct fake_vpci *f, unsigned off, u32 val)
{
	switch (off) {
	case COMMON(device_feature_select): f->dfselect = val; return;
	case COMMON(driver_feature_select): f->gfselect = val; return;
	case COMMON(driver_feature):
		f->feature_word_writes++;
		fvb_driver_features(f->dev, f->gfselect, val);
		return;
	case COMMON(config_msix_vector): f->config_msix_vector = fvp_vector(f, val, true); return;
	case COMMON(device_status): fvp_status_write(f, val); return;
	case COMMON(queue_select): f->queue_sel = (u16)val; return;
	case COMMON(device_feature):
	case COMMON(num_queues):
	case COMMON(config_generation):
		fvb_violation(f->dev, "write to read-only common field 0x%x", off);
		return;
	}
	if (off >= sizeof(struct virtio_pci_common_cfg)) {
		fvb_violation(f->dev, "write to common offset 0x%x", off);
		return;
	}
	fvp_common_queue_write(f, off, val);
}

/* ---- device configuration, ISR, notification ------------------------------ */

/* A field of the first capability of `type` describing BAR4, as a driver sees it. */
static u32 fvp_cap_field(const struct fake_vpci *f, u8 type, bool mult)
{
	for (unsigned i = 0; i < f->ncaps; i++) {
		const struct fvp_cap *c = &f->caps[i];

		if (c->id == PCI_CAP_ID_VNDR && c->cfg_type == type && c->bar == 4)
			return mult ? c->mult : c->length;
	}
	return 0;
}

static void fvp_doorbell(struct fake_vpci *f, unsigned off, unsigned width, u32 val)
{
	u32 expect;

	if (width != 2 || !fvb_queue(f->dev, val)) {
		fvb_violation(f->dev, "doorbell write of %u bytes, value %u", width, val);
		return;
	}
	expect = f->q[val].notify_off * fvp_cap_field(f, VIRTIO_PCI_CAP_NOTIFY_CFG, true);
	if (off != expect) {
		fvb_violation(f->dev, "doorbell for queue %u at +0x%x, expected +0x%x", val, off,
			      expect);
		return;
	}
	fvb_notify(f->dev, val);
}

static u8 fvp_isr_read(struct fake_vpci *f)
{
	u8 v = (u8)f->dev->isr;

	f->isr_reads++;
	f->dev->isr = 0; /* 4.1.4.5: reading clears */
	return v;
}

/* BAR4: the modern structures at QEMU's offsets. */
static u32 fvp_modern_access(struct fake_vpci *f, u64 off, unsigned width, bool write, u32 val)
{
	unsigned rel = (unsigned)(off % FVP_STRUCT_LEN);

	switch (off / FVP_STRUCT_LEN) {
	case FVP_COMMON_OFF / FVP_STRUCT_LEN:
		if (fvp_common_width(rel) != width) {
			fvb_violation(f->dev, "%u-byte access to common offset 0x%x", width, rel);
			return ~0u;
		}
		if (write)
			fvp_common_write(f, rel, val);
		return write ? 0 : fvp_common_read(f, rel);
	case FVP_ISR_OFF / FVP_STRUCT_LEN:
		if (write || width != 1 || rel != 0) {
			fvb_violation(f->dev, "ISR %s of %u bytes at +0x%x",
				      write ? "write" : "read", width, rel);
			return 0;
		}
		return fvp_isr_read(f);
	case FVP_DEVICE_OFF / FVP_STRUCT_LEN:
		if (write) {
			fvb_config_write(f->dev, rel, width, val);
			return 0;
		}
		return fvb_config_read(f->dev, rel, width,
				       fvp_cap_field(f, VIRTIO_PCI_CAP_DEVICE_CFG, false));
	default:
		if (!write) {
			fvb_violation(f->dev, "read of the notification area");
			return 0;
		}
		fvp_doorbell(f, rel, width, val);
		return 0;
	}
}

/* ---- the legacy registers (4.1.4.10) -------------------------------------- */

static unsigned fvp_legacy_cfg_off(const struct fake_vpci *f)
{
	return VIRTIO_PCI_CONFIG_OFF((f->msix_ctrl & 0x8000) != 0);
}

static unsigned fvp_legacy_width(unsigned reg)
{
	switch (reg) {
	case VIRTIO_MSI_CONFIG_VECTOR: /* only below the configuration: MSI-X on */
	case VIRTIO_MSI_QUEUE_VECTOR: return 2;
	case VIRTIO_PCI_HOST_FEATURES:
	case VIRTIO_PCI_GUEST_FEATURES:
	case VIRTIO_PCI_QUEUE_PFN: return 4;
	case VIRTIO_PCI_QUEUE_NUM:
	case VIRTIO_PCI_QUEUE_SEL:
	case VIRTIO_PCI_QUEUE_NOTIFY: return 2;
	case VIRTIO_PCI_STATUS:
	case VIRTIO_PCI_ISR: return 1;
	default: return 0;
	}
}

static u32 fvp_legacy_read(struct fake_vpci *f, unsigned reg)
{
	struct fvb_queue *q = fvp_selected(f, NULL);

	switch (reg) {
	case VIRTIO_PCI_HOST_FEATURES: return fvb_device_features(f->dev, 0);
	case VIRTIO_PCI_GUEST_FEATURES: return (u32)f->dev->driver_features;
	case VIRTIO_PCI_QUEUE_PFN: return q ? q->pfn : 0;
	case VIRTIO_PCI_QUEUE_NUM: return q ? q->max : 0;
	case VIRTIO_PCI_QUEUE_SEL: return f->queue_sel;
	case VIRTIO_PCI_STATUS: return fvb_status_read(f->dev);
	case VIRTIO_PCI_ISR: return fvp_isr_read(f);
	case VIRTIO_MSI_CONFIG_VECTOR: return f->config_msix_vector;
	case VIRTIO_MSI_QUEUE_VECTOR: return q ? f->q[f->queue_sel].msix_vector : 0xffff;
	}
	fvb_violation(f->dev, "legacy read of register %u", reg);
	return 0;
}

/* QueuePFN: the ring is the device's whole queue, 4096-aligned (2.7.2). */
static void fvp_legacy_pfn(struct fake_vpci *f, u32 pfn)
{
	struct fvb_queue *q = fvp_selected(f, NULL);

	if (q)
		q->num = q->max; /* QUEUE_NUM is read-only on legacy */
	fvb_queue_legacy(f->dev, f->queue_sel, pfn, 4096, 4096);
}

static void fvp_legacy_write(struct fake_vpci *f, unsigned reg, u32 val)
{
	switch (reg) {
	case VIRTIO_PCI_GUEST_FEATURES:
		f->feature_word_writes++;
		if (f->dev->status & VIRTIO_CONFIG_S_DRIVER_OK)
			fvb_violation(f->dev, "guest features written after DRIVER_OK");
		fvb_driver_features(f->dev, 0, val);
		return;
	case VIRTIO_PCI_QUEUE_PFN: fvp_legacy_pfn(f, val); return;
	case VIRTIO_PCI_QUEUE_SEL: f->queue_sel = (u16)val; return;
	case VIRTIO_PCI_QUEUE_NOTIFY: fvb_notify(f->dev, val); return;
	case VIRTIO_PCI_STATUS: fvp_status_write(f, val); return;
	case VIRTIO_MSI_CONFIG_VECTOR: f->config_msix_vector = fvp_vector(f, val, true); return;
	case VIRTIO_MSI_QUEUE_VECTOR:
		if (fvp_selected(f, NULL))
			f->q[f->queue_sel].msix_vector = fvp_vector(f, val, false);
		return;
	}
	fvb_violation(f->dev, "legacy write of read-only register %u", reg);
}

static u32 fvp_legacy_access(struct fake_vpci *f, u64 off, unsigned width, bool write, u32 val)
{
	unsigned cfg = fvp_legacy_cfg_off(f);

	if (off >= cfg) {
		if (write) {
			fvb_config_write(f->dev, (unsigned)off - cfg, width, val);
			return 0;
		}
		return fvb_config_read(f->dev, (unsigned)off - cfg, width, f->device_len);
	}
	if (fvp_legacy_width((unsigned)off) != width) {
		fvb_violation(f->dev, "%u-byte legacy access at %u", width, (unsigned)off);
		return ~0u;
	}
	if (write) {
		fvp_legacy_write(f, (unsigned)off, val);
		return 0;
	}
	return fvp_legacy_read(f, (unsigned)off);
}

/* ---- the MSI-X table (PCI 3.0, 6.8.2.6) ------------------------------------- */

/* BAR `bar` at `off`: the table entries the fake stores, if the table is there. */
static u32 fvp_msix_access(struct fake_vpci *f, unsigned bar, u64 off, unsigned width, bool write,
			   u32 val)
{
	u64 toff = f->msix_table & ~7u, n = (off - toff) / 16;

	if ((f->msix_table & 7) != bar || off < toff || n >= FVP_MSIX_MAX || n > f->msix_qsize) {
		if (write)
			fvb_violation(f->dev, "write 0x%x to BAR%u+0x%llx, outside the MSI-X table",
				      val, bar, (unsigned long long)off);
		return 0; /* the PBA, or nothing: nothing pending */
	}
	if (width != 4 || off % 4) {
		fvb_violation(f->dev, "%u-byte MSI-X table access at +0x%llx", width,
			      (unsigned long long)off);
		return 0;
	}
	if (write)
		f->msix_entry[n][(off - toff) % 16 / 4] = val;
	return write ? 0 : f->msix_entry[n][(off - toff) % 16 / 4];
}

/* ---- address decoding ------------------------------------------------------ */

static u32 fvp_access(struct fake_vpci *f, uintptr_t a, unsigned width, bool write, u32 val)
{
	if (a >= FVP_ECAM && a - FVP_ECAM < FVP_ECAM_SIZE) {
		unsigned devfn = (unsigned)((a - FVP_ECAM) >> 12), off = (unsigned)(a & 0xfff);

		if (devfn != FVP_DEVFN << 3)
			return write ? 0 : 0xffffffffu >> (32 - 8 * width); /* absent */
		if (write) {
			fvp_cfg_write(f, off, width, val);
			return 0;
		}
		return fvp_cfg_read(f, off, width);
	}
	for (unsigned i = 0; i < 6; i++) {
		const struct fvp_bar *b = &f->bars[i];
		bool io = b->kind == FVP_BAR_IO;
		u64 base = io ? FVP_PIO_CPU + b->addr : b->addr;

		if (b->kind == FVP_BAR_NONE ||
		    !(f->command & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)))
			continue;
		if (a < base || a - base >= b->size)
			continue;
		if (a - base + width > b->size)
			fvb_violation(f->dev, "access straddles the end of BAR%u", i);
		if (i == 0 && io)
			return fvp_legacy_access(f, a - base, width, write, val);
		if (i == 4)
			return fvp_modern_access(f, a - base, width, write, val);
		return fvp_msix_access(f, i, a - base, width, write, val);
	}
	fvb_violation(f->dev, "%u-byte %s at unmapped address 0x%lx", width,
		      write ? "write" : "read", (unsigned long)a);
	return ~0u;
}

static u32 fvp_read(void *ctx, uintptr_t a, unsigned width)
{
	return fvp_access(ctx, a, width, false, 0);
}

static void fvp_write(void *ctx, uintptr_t a, u32 val, unsigned width)
{
	fvp_access(ctx, a, width, true, val);
}

void fvp_install(struct fake_vpci *f)
{
	host_io = (struct host_io_ops){ .read = fvp_read, .write = fvp_write, .ctx = f };
}
