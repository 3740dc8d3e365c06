/*
 * tests/host/fake_vmmio.c - the register side of the fake virtio-mmio
 * device (see fake_vmmio.h for the interface and the knobs).
 *
 * The register window of both layouts (virtio 1.2, 4.2.2 modern, 4.2.4
 * legacy) with the status state machine of 2.1/3.1.1, the configuration
 * space with its generation counter (2.5.1), queue set-up with the legacy
 * ring layout of 2.7.2 computed independently of the driver.  (Rings come
 * from boot_alloc(), which on the host allocates below 4 GiB so legacy queue
 * PFNs fit in 32 bits: tests/host/host_alloc.c.)  The virtio-blk backend behind QueueNotify is fake_vmmio_blk.c.
 *
 * Single-threaded: the driver runs the fake synchronously through its
 * register accesses, the test through fvm_fetch()/fvm_complete().
 */
#include "tests/host/fake_vmmio.h"

#include <asm/io.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"
#include "drivers/virtio/virtio_mmio_regs.h"
#include "drivers/virtio/virtio_ring.h"

/* ---- helpers --------------------------------------------------------- */

void fvm_violation(struct fake_vmmio *f, const char *fmt, ...)
{
	va_list ap;

	f->violations++;
	va_start(ap, fmt);
	vsnprintf(f->last_violation, sizeof(f->last_violation), fmt, ap);
	va_end(ap);
}

/* ---- status and reset (2.1, 3.1.1) ----------------------------------- */

static void fvm_reset(struct fake_vmmio *f)
{
	f->resets++;
	f->driver_features = 0;
	f->dev_feat_sel = f->drv_feat_sel = f->queue_sel = 0;
	f->isr = 0;
	memset(&f->q, 0, sizeof(f->q));
	if (f->wce_reset_default)
		f->cfg.writeback = f->wce_default;
	if (f->reset_delay)
		f->reset_countdown = f->reset_delay;
	else
		f->status = 0;
}

static u32 fvm_status_read(struct fake_vmmio *f)
{
	if (f->reset_countdown) {
		u8 old = f->status;

		if (f->reset_countdown != ~0u && --f->reset_countdown == 0)
			f->status = 0;
		return old;
	}
	return f->status;
}

/* FEATURES_OK (modern) or DRIVER_OK (legacy) commits the driver's features. */
static bool fvm_features_acceptable(struct fake_vmmio *f)
{
	if (f->driver_features & ~f->features) {
		fvm_violation(f, "driver accepted unoffered features %#llx",
			      (unsigned long long)(f->driver_features & ~f->features));
		return false;
	}
	return true;
}

static void fvm_status_write(struct fake_vmmio *f, u32 val)
{
	u8 old = f->status, set;

	if (f->nstatus < FVM_STATUS_LOG)
		f->status_log[f->nstatus] = (u8)val;
	f->nstatus++;
	if (val == 0) {
		fvm_reset(f);
		return;
	}
	if (val > 0xff || (old & ~val & ~VIRTIO_CONFIG_S_NEEDS_RESET))
		fvm_violation(f, "status write %#x over %#x clears bits", val, old);
	set = (u8)(val & ~old);
	if (set & VIRTIO_CONFIG_S_FAILED)
		snprintf(f->console_at_failed, sizeof(f->console_at_failed), "%s",
			 host_console_last);
	if ((set & VIRTIO_CONFIG_S_DRIVER) && !(val & VIRTIO_CONFIG_S_ACKNOWLEDGE))
		fvm_violation(f, "DRIVER before ACKNOWLEDGE");
	if (set & VIRTIO_CONFIG_S_FEATURES_OK) {
		if (f->version == 1)
			fvm_violation(f, "FEATURES_OK written to a legacy device");
		if (!(val & VIRTIO_CONFIG_S_DRIVER))
			fvm_violation(f, "FEATURES_OK before DRIVER");
		if (!fvm_features_acceptable(f) || f->refuse_features_ok)
			val &= ~(u32)VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if (set & VIRTIO_CONFIG_S_DRIVER_OK) {
		if (!(val & VIRTIO_CONFIG_S_DRIVER) ||
		    (f->version == 2 && !(val & VIRTIO_CONFIG_S_FEATURES_OK)))
			fvm_violation(f, "DRIVER_OK in status %#x", val);
		if (f->version == 1)
			fvm_features_acceptable(f);
		if (f->needs_reset)
			val |= VIRTIO_CONFIG_S_NEEDS_RESET;
	}
	f->status = (u8)val;
}

/* ---- configuration space (4.2.2 offset 0x100, 5.2.4) ------------------ */

static u32 fvm_config_read(struct fake_vmmio *f, u32 off, unsigned width)
{
	const u8 *c = (const u8 *)&f->cfg;
	u32 v = 0;

	if ((width != 1 && width != 2 && width != 4) || off % width)
		fvm_violation(f, "config read of %u bytes at %#x", width, off);
	f->cfg_reads++;
	for (unsigned i = 0; i < width && i < 4; i++) {
		if (off + i < sizeof(f->cfg))
			v |= (u32)c[off + i] << (8 * i);
	}
	/* The device changes its configuration under the driver's feet. */
	if (f->gen_flips) {
		f->generation++;
		if (f->gen_flips != ~0u)
			f->gen_flips--;
	}
	if (f->cfg_unstable)
		f->cfg.capacity = cpu_to_le64(le64_to_cpu(f->cfg.capacity) + 1);
	return v;
}

static void fvm_config_write(struct fake_vmmio *f, u32 off, u32 val, unsigned width)
{
	if (off != offsetof(struct virtio_blk_config, writeback) || width != 1) {
		fvm_violation(f, "config write of %u bytes at %#x", width, off);
		return;
	}
	f->cfg_writes++;
	if (!fvm_negotiated(f, VIRTIO_BLK_F_CONFIG_WCE))
		fvm_violation(f, "writeback written without CONFIG_WCE");
	if (!f->wce_readonly) {
		f->cfg.writeback = (u8)val;
		f->generation++;
	}
}

/* ---- queue set-up (4.2.2 / 4.2.4, layout of 2.7.2) -------------------- */

static bool fvm_queue_num_ok(struct fake_vmmio *f)
{
	u32 num = f->q.num;

	if (num == 0 || num > f->queue_num_max || num > FVM_MAX_QUEUE || !IS_POW2(num)) {
		fvm_violation(f, "queue enabled with QueueNum %u (max %u)", num, f->queue_num_max);
		return false;
	}
	return true;
}

static void fvm_queue_live(struct fake_vmmio *f)
{
	struct virtq_used *used = fvm_ptr(f->q.used);

	f->q.ready = true;
	f->q.last_avail = f->q.used_idx = 0;
	f->q.npending = 0;
	f->q.have_last = false;
	used->flags = cpu_to_le16(f->no_notify ? VIRTQ_USED_F_NO_NOTIFY : 0);
}

static void fvm_legacy_pfn(struct fake_vmmio *f, u32 pfn)
{
	struct fvm_queue *q = &f->q;

	if (pfn == 0) { /* 4.2.4: writing 0 stops the queue */
		q->pfn = 0;
		q->ready = false;
		return;
	}
	if (!f->page_size || !IS_POW2(f->page_size)) {
		fvm_violation(f, "QueuePFN with GuestPageSize %u", f->page_size);
		return;
	}
	if (!q->align || !IS_POW2(q->align)) {
		fvm_violation(f, "QueuePFN with QueueAlign %u", q->align);
		return;
	}
	if (!fvm_queue_num_ok(f))
		return;
	/* 2.7.2: descriptors, avail (with used_event), used on `align`. */
	q->pfn = pfn;
	q->desc = (u64)pfn * f->page_size;
	q->avail = q->desc + 16ull * q->num;
	q->used = ALIGN_UP(q->avail + 6 + 2ull * q->num, (u64)q->align);
	fvm_queue_live(f);
}

static void fvm_modern_ready(struct fake_vmmio *f, u32 val)
{
	struct fvm_queue *q = &f->q;

	if (val == 0) {
		q->ready = false;
		return;
	}
	if (!(f->status & VIRTIO_CONFIG_S_FEATURES_OK) || (f->status & VIRTIO_CONFIG_S_DRIVER_OK))
		fvm_violation(f, "QueueReady in status %#x", f->status);
	if (q->desc % 16 || q->avail % 2 || q->used % 4) {
		fvm_violation(f, "misaligned ring %#llx/%#llx/%#llx", (unsigned long long)q->desc,
			      (unsigned long long)q->avail, (unsigned long long)q->used);
		return;
	}
	if (fvm_queue_num_ok(f))
		fvm_queue_live(f);
}

/* QueueDesc/Avail/Used Low/High: 0x080 - 0x0a4. */
static bool fvm_queue_addr_write(struct fake_vmmio *f, u32 reg, u32 val)
{
	u64 *slot;

	switch (reg & ~4u) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW: slot = &f->q.desc; break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW: slot = &f->q.avail; break;
	case VIRTIO_MMIO_QUEUE_USED_LOW: slot = &f->q.used; break;
	default: return false;
	}
	if (f->q.ready)
		fvm_violation(f, "queue address %#x written while live", reg);
	if (reg & 4)
		*slot = (*slot & 0xffffffffull) | (u64)val << 32;
	else
		*slot = (*slot & ~0xffffffffull) | val;
	return true;
}

/* ---- the register window --------------------------------------------- */

static void fvm_notify(struct fake_vmmio *f, u32 queue)
{
	f->notifies++;
	if (f->lose_notifies) {
		f->lose_notifies--; /* lost on the way: the device never hears it */
		return;
	}
	if (queue != 0)
		fvm_violation(f, "notify for queue %u", queue);
	if (!(f->status & VIRTIO_CONFIG_S_DRIVER_OK))
		fvm_violation(f, "notify before DRIVER_OK");
	if (!f->q.ready) {
		fvm_violation(f, "notify for a queue that is not live");
		return;
	}
	fvm_fetch(f);
	if (!f->defer && !f->hang)
		fvm_complete(f, f->q.npending);
}

static u32 fvm_reg_read(struct fake_vmmio *f, u32 reg)
{
	bool legacy = f->version == 1;

	switch (reg) {
	case VIRTIO_MMIO_MAGIC_VALUE: return f->magic;
	case VIRTIO_MMIO_VERSION: return f->version;
	case VIRTIO_MMIO_DEVICE_ID: return f->device_id;
	case VIRTIO_MMIO_VENDOR_ID: return f->vendor_id;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (f->dev_feat_sel > 1 || (legacy && f->dev_feat_sel))
			return 0;
		return (u32)(f->features >> (32 * f->dev_feat_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX: return f->queue_sel ? 0 : f->queue_num_max;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return f->isr;
	case VIRTIO_MMIO_STATUS: return fvm_status_read(f);
	}
	if (legacy && reg == VIRTIO_MMIO_QUEUE_PFN)
		return f->queue_sel ? 0 : f->q.pfn;
	if (!legacy && reg == VIRTIO_MMIO_QUEUE_READY)
		return f->queue_sel ? 0 : f->q.ready;
	if (!legacy && reg == VIRTIO_MMIO_CONFIG_GENERATION) {
		f->gen_reads++;
		return f->generation;
	}
	fvm_violation(f, "read of write-only or unknown register %#x", reg);
	return 0;
}

static u32 fvm_read(void *ctx, uintptr_t addr, unsigned width)
{
	struct fake_vmmio *f = ctx;
	u32 reg;

	if (addr < FVM_BASE || addr - FVM_BASE >= FVM_WINDOW) {
		fvm_violation(f, "read outside the window at %#lx", (unsigned long)addr);
		return ~0u;
	}
	reg = (u32)(addr - FVM_BASE);
	if (reg >= VIRTIO_MMIO_CONFIG)
		return fvm_config_read(f, reg - VIRTIO_MMIO_CONFIG, width);
	if (width != 4 || reg % 4) {
		fvm_violation(f, "%u-byte read of register %#x", width, reg);
		return ~0u;
	}
	return fvm_reg_read(f, reg);
}

static void fvm_driver_features(struct fake_vmmio *f, u32 val)
{
	if (f->status & VIRTIO_CONFIG_S_FEATURES_OK)
		fvm_violation(f, "features written after FEATURES_OK");
	if (f->drv_feat_sel == 0)
		f->driver_features = (f->driver_features & ~0xffffffffull) | val;
	else if (f->drv_feat_sel == 1 && f->version == 2)
		f->driver_features = (f->driver_features & 0xffffffffull) | (u64)val << 32;
	else
		fvm_violation(f, "DriverFeatures with selector %u", f->drv_feat_sel);
}

/* Registers both layouts share.  False if `reg` is not one of them. */
static bool fvm_reg_write_common(struct fake_vmmio *f, u32 reg, u32 val)
{
	switch (reg) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: f->dev_feat_sel = val; return true;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: f->drv_feat_sel = val; return true;
	case VIRTIO_MMIO_DRIVER_FEATURES: fvm_driver_features(f, val); return true;
	case VIRTIO_MMIO_QUEUE_SEL: f->queue_sel = val; return true;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (f->queue_sel)
			fvm_violation(f, "QueueNum for missing queue %u", f->queue_sel);
		else
			f->q.num = val;
		return true;
	case VIRTIO_MMIO_QUEUE_NOTIFY: fvm_notify(f, val); return true;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		f->irq_acks++;
		f->isr &= ~val;
		return true;
	case VIRTIO_MMIO_STATUS: fvm_status_write(f, val); return true;
	}
	return false;
}

static void fvm_reg_write(struct fake_vmmio *f, u32 reg, u32 val)
{
	bool legacy = f->version == 1;

	if (fvm_reg_write_common(f, reg, val))
		return;
	if (legacy && reg == VIRTIO_MMIO_GUEST_PAGE_SIZE) {
		f->page_size = val;
		f->page_size_writes++;
	} else if (legacy && reg == VIRTIO_MMIO_QUEUE_ALIGN) {
		f->q.align = val;
	} else if (legacy && reg == VIRTIO_MMIO_QUEUE_PFN) {
		fvm_legacy_pfn(f, val);
	} else if (!legacy && reg == VIRTIO_MMIO_QUEUE_READY) {
		fvm_modern_ready(f, val);
	} else if (legacy || !fvm_queue_addr_write(f, reg, val)) {
		fvm_violation(f, "write of read-only or unknown register %#x", reg);
	}
}

static void fvm_write(void *ctx, uintptr_t addr, u32 val, unsigned width)
{
	struct fake_vmmio *f = ctx;
	u32 reg;

	if (addr < FVM_BASE || addr - FVM_BASE >= FVM_WINDOW) {
		fvm_violation(f, "write outside the window at %#lx", (unsigned long)addr);
		return;
	}
	reg = (u32)(addr - FVM_BASE);
	if (reg >= VIRTIO_MMIO_CONFIG) {
		fvm_config_write(f, reg - VIRTIO_MMIO_CONFIG, val, width);
		return;
	}
	if (width != 4 || reg % 4) {
		fvm_violation(f, "%u-byte write of register %#x", width, reg);
		return;
	}
	fvm_reg_write(f, reg, val);
}

/* ---- set-up ---------------------------------------------------------- */

void fvm_init(struct fake_vmmio *f, u32 version, u64 features, u64 sectors)
{
	free(f->disk);
	memset(f, 0, sizeof(*f));
	f->magic = VIRTIO_MMIO_MAGIC;
	f->version = version;
	f->device_id = VIRTIO_ID_BLOCK;
	f->vendor_id = 0x554d4551; /* "QEMU" */
	f->features = features;
	f->queue_num_max = 256;
	/* What QEMU 7.2 reports for a 256-entry queue. */
	f->cfg.capacity = cpu_to_le64(sectors);
	f->cfg.seg_max = cpu_to_le32(254);
	f->cfg.geometry = (struct virtio_blk_geometry){ cpu_to_le16(16), 16, 63 };
	f->cfg.blk_size = cpu_to_le32(512);
	f->cfg.writeback = 1;
	f->cfg.num_queues = cpu_to_le16(1);
	f->disk_bytes = sectors * 512;
	f->disk = calloc(1, f->disk_bytes ? f->disk_bytes : 1);
	host_io = (struct host_io_ops){ .read = fvm_read, .write = fvm_write, .ctx = f };
}

void fvm_destroy(struct fake_vmmio *f)
{
	free(f->disk);
	f->disk = NULL;
	host_io = (struct host_io_ops){ 0 };
}
