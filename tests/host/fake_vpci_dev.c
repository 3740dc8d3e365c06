/*
 * tests/host/fake_vpci_dev.c - the device side of the fake virtio-pci
 * function (see fake_vpci.h): the status state machine and reset (2.1,
 * 3.1.1), queues going live, and behind each doorbell a small virtio-blk
 * device (5.2.6) over an in-memory disk.  Also set-up: the QEMU-shaped
 * identity, BARs and capability list, and the "firmware" BAR assignment.
 *
 * Every index read from shared memory is range-checked before use, so the
 * driver cannot make the fake misbehave; buffer addresses and lengths are
 * trusted on purpose, a wrong one is a driver bug ASan reports.
 */
#include "tests/host/fake_vpci.h"

#include <asm/io.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/pci/pci_regs.h"
#include "drivers/virtio/virtio_pci_regs.h"
#include "drivers/virtio/virtio_ring.h"
#include "tests/host/fake_vpci_priv.h"

void fvp_violation(struct fake_vpci *f, const char *fmt, ...)
{
	va_list ap;

	f->violations++;
	va_start(ap, fmt);
	vsnprintf(f->last_violation, sizeof(f->last_violation), fmt, ap);
	va_end(ap);
}

static bool fvp_legacy_if(const struct fake_vpci *f)
{
	return f->kind == FVP_LEGACY;
}

/* ---- status and reset ------------------------------------------------------ */

static void fvp_reset(struct fake_vpci *f)
{
	f->resets++;
	f->driver_features = 0;
	f->dfselect = f->gfselect = 0;
	f->queue_sel = 0;
	f->isr = 0;
	f->config_msix_vector = VIRTIO_MSI_NO_VECTOR;
	for (unsigned i = 0; i < FVP_MAX_QUEUES; i++) {
		struct fvp_queue *q = &f->q[i];
		unsigned notifies = q->notifies;
		u16 max = q->max, noff = q->notify_off;

		memset(q, 0, sizeof(*q));
		q->max = q->size = max;
		q->notify_off = noff;
		q->notifies = notifies;
		q->msix_vector = VIRTIO_MSI_NO_VECTOR;
	}
	if (f->reset_delay)
		f->reset_countdown = f->reset_delay;
	else
		f->status = 0;
}

u32 fvp_status_read(struct fake_vpci *f)
{
	if (f->reset_countdown) {
		u8 old = f->status;

		if (--f->reset_countdown == 0)
			f->status = 0;
		return old;
	}
	return f->status;
}

static bool fvp_features_ok(struct fake_vpci *f)
{
	if (f->driver_features & ~f->features) {
		fvp_violation(f, "driver accepted unoffered features 0x%llx",
			      (unsigned long long)(f->driver_features & ~f->features));
		return false;
	}
	return fvp_legacy_if(f) || (f->driver_features & BIT64(VIRTIO_F_VERSION_1));
}

void fvp_status_write(struct fake_vpci *f, u32 val)
{
	u8 old = f->status, set;

	if (f->nstatus < FVP_STATUS_LOG)
		f->status_log[f->nstatus] = (u8)val;
	f->nstatus++;
	if (val == 0) {
		fvp_reset(f);
		return;
	}
	if (val > 0xff || (old & ~val & ~VIRTIO_CONFIG_S_NEEDS_RESET))
		fvp_violation(f, "status write 0x%x over 0x%x clears bits", val, old);
	set = (u8)(val & ~old);
	if ((set & VIRTIO_CONFIG_S_DRIVER) && !(val & VIRTIO_CONFIG_S_ACKNOWLEDGE))
		fvp_violation(f, "DRIVER before ACKNOWLEDGE");
	if (set & VIRTIO_CONFIG_S_FEATURES_OK) {
		if (fvp_legacy_if(f))
			fvp_violation(f, "FEATURES_OK written to a legacy device");
		if (!fvp_features_ok(f) || f->refuse_features_ok)
			val &= ~(u32)VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if (set & VIRTIO_CONFIG_S_DRIVER_OK) {
		if (!(val & VIRTIO_CONFIG_S_DRIVER) ||
		    (!fvp_legacy_if(f) && !(val & VIRTIO_CONFIG_S_FEATURES_OK)))
			fvp_violation(f, "DRIVER_OK in status 0x%x", val);
		if (fvp_legacy_if(f))
			fvp_features_ok(f);
	}
	f->status = (u8)val;
}

/* ---- queues and the virtio-blk backend ------------------------------------- */

static void *fvp_ptr(u64 addr)
{
	return (void *)(uintptr_t)addr;
}

void fvp_queue_live(struct fake_vpci *f, struct fvp_queue *q, u16 num)
{
	struct virtq_used *used = fvp_ptr(q->device_area);

	(void)f;
	q->size = num;
	q->enabled = true;
	q->last_avail = q->used_idx = 0;
	q->npending = 0;
	used->flags = cpu_to_le16(0);
}

static bool fvp_negotiated(const struct fake_vpci *f, unsigned bit)
{
	return (f->driver_features & BIT64(bit)) != 0;
}

static void fvp_fetch(struct fake_vpci *f, struct fvp_queue *q)
{
	struct virtq_avail *avail = fvp_ptr(q->driver_area);
	struct virtq_used *used = fvp_ptr(q->device_area);
	u16 idx = le16_read_once(&avail->idx);

	if ((u16)(idx - q->last_avail) > q->size - q->npending) {
		fvp_violation(f, "avail idx %u ran ahead", idx);
		return;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* idx before entries */
	for (; q->last_avail != idx; q->last_avail++) {
		u16 head = le16_to_cpu(avail->ring[q->last_avail % q->size]);

		if (head >= q->size)
			fvp_violation(f, "avail head %u out of range", head);
		else
			q->pending[q->npending++] = head;
	}
	/* 2.7.10: with EVENT_IDX, ask to be told about every new entry. */
	if (fvp_negotiated(f, VIRTIO_F_RING_EVENT_IDX))
		le16_write_once((le16 *)&used->ring[q->size], q->last_avail);
}

struct fvp_seg {
	u8 *p;
	u32 len;
	bool w;
};

/* Execute one request of segs[0..n).  Returns bytes written to the driver. */
static u32 fvp_blk(struct fake_vpci *f, struct fvp_seg *segs, unsigned n)
{
	struct virtio_blk_outhdr hdr;
	u64 off, len = 0;
	u32 written = 0;
	u8 status = VIRTIO_BLK_S_OK;

	if (n < 2 || segs[0].w || segs[0].len != sizeof(hdr) || !segs[n - 1].w ||
	    segs[n - 1].len != 1) {
		fvp_violation(f, "malformed request chain");
		return 0;
	}
	memcpy(&hdr, segs[0].p, sizeof(hdr));
	off = le64_to_cpu(hdr.sector) * 512;
	for (unsigned k = 1; k + 1 < n; k++)
		len += segs[k].len;
	f->cmds++;
	switch (le32_to_cpu(hdr.type)) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (off > f->disk_bytes || len > f->disk_bytes - off) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		for (unsigned k = 1; k + 1 < n; off += segs[k].len, k++) {
			if (le32_to_cpu(hdr.type) == VIRTIO_BLK_T_IN)
				memcpy(segs[k].p, f->disk + off, segs[k].len);
			else
				memcpy(f->disk + off, segs[k].p, segs[k].len);
		}
		if (le32_to_cpu(hdr.type) == VIRTIO_BLK_T_IN) {
			f->cmd_in++;
			written = (u32)len;
		} else {
			f->cmd_out++;
		}
		break;
	case VIRTIO_BLK_T_FLUSH: f->cmd_flush++; break;
	case VIRTIO_BLK_T_GET_ID:
		f->cmd_get_id++;
		for (unsigned k = 1; k + 1 < n && written < VIRTIO_BLK_ID_BYTES; k++) {
			u32 c = MIN(segs[k].len, VIRTIO_BLK_ID_BYTES - written);

			memcpy(segs[k].p, FVP_SERIAL + written, c);
			written += c;
		}
		break;
	default: status = VIRTIO_BLK_S_UNSUPP; break;
	}
	segs[n - 1].p[0] = status; /* written last */
	return written + 1;
}

static struct fvp_seg fvp_segs[FVP_MAX_QSIZE];

static void fvp_execute(struct fake_vpci *f, struct fvp_queue *q, u16 head)
{
	const struct virtq_desc *desc = fvp_ptr(q->desc);
	struct virtq_used *used = fvp_ptr(q->device_area);
	unsigned n = 0;
	u32 written;

	for (u16 i = head;;) {
		u16 flags = le16_to_cpu(desc[i].flags);

		if (n == q->size) {
			fvp_violation(f, "chain at %u loops", head);
			return;
		}
		fvp_segs[n++] = (struct fvp_seg){ fvp_ptr(le64_to_cpu(desc[i].addr)),
						  le32_to_cpu(desc[i].len),
						  (flags & VIRTQ_DESC_F_WRITE) != 0 };
		if (!(flags & VIRTQ_DESC_F_NEXT))
			break;
		i = le16_to_cpu(desc[i].next);
		if (i >= q->size) {
			fvp_violation(f, "chain at %u links to %u", head, i);
			return;
		}
	}
	written = fvp_blk(f, fvp_segs, n);
	q->cmds++;
	used->ring[q->used_idx % q->size] =
		(struct virtq_used_elem){ cpu_to_le32(head), cpu_to_le32(written) };
	__atomic_thread_fence(__ATOMIC_RELEASE); /* entry before idx */
	le16_write_once(&used->idx, ++q->used_idx);
	f->isr |= VIRTIO_PCI_ISR_QUEUE;
}

static unsigned fvp_complete_all(struct fake_vpci *f, struct fvp_queue *q)
{
	unsigned n = q->npending;

	for (unsigned i = 0; i < n; i++)
		fvp_execute(f, q, q->pending[i]);
	q->npending = 0;
	return n;
}

void fvp_notify(struct fake_vpci *f, unsigned qi)
{
	struct fvp_queue *q = &f->q[qi];

	f->notifies++;
	q->notifies++;
	if (!(f->status & VIRTIO_CONFIG_S_DRIVER_OK))
		fvp_violation(f, "notify before DRIVER_OK");
	if (!q->enabled) {
		fvp_violation(f, "notify for queue %u, which is not live", qi);
		return;
	}
	fvp_fetch(f, q);
	if (!f->defer)
		fvp_complete_all(f, q);
}

unsigned fvp_step(struct fake_vpci *f, unsigned qi)
{
	struct fvp_queue *q = &f->q[qi];

	if (!q->enabled)
		return 0;
	fvp_fetch(f, q);
	return fvp_complete_all(f, q);
}

/* ---- set-up ------------------------------------------------------------------ */

int fvp_cap_index(const struct fake_vpci *f, u8 cfg_type)
{
	for (unsigned i = 0; i < f->ncaps; i++) {
		if (f->caps[i].id == PCI_CAP_ID_VNDR && f->caps[i].cfg_type == cfg_type)
			return (int)i;
	}
	return -1;
}

/* QEMU 7.2's list: MSI-X at 0x98, then the virtio caps downwards. */
static void fvp_default_caps(struct fake_vpci *f)
{
	static const struct fvp_cap modern[] = {
		{ .id = PCI_CAP_ID_MSIX, .pos = 0x98 },
		{ .id = PCI_CAP_ID_VNDR, .cfg_type = VIRTIO_PCI_CAP_PCI_CFG, .pos = 0x84 },
		{ .id = PCI_CAP_ID_VNDR,
		  .cfg_type = VIRTIO_PCI_CAP_NOTIFY_CFG,
		  .bar = 4,
		  .pos = 0x70,
		  .offset = FVP_NOTIFY_OFF,
		  .length = FVP_STRUCT_LEN,
		  .mult = 4 },
		{ .id = PCI_CAP_ID_VNDR,
		  .cfg_type = VIRTIO_PCI_CAP_DEVICE_CFG,
		  .bar = 4,
		  .pos = 0x60,
		  .offset = FVP_DEVICE_OFF,
		  .length = FVP_STRUCT_LEN },
		{ .id = PCI_CAP_ID_VNDR,
		  .cfg_type = VIRTIO_PCI_CAP_ISR_CFG,
		  .bar = 4,
		  .pos = 0x50,
		  .offset = FVP_ISR_OFF,
		  .length = FVP_STRUCT_LEN },
		{ .id = PCI_CAP_ID_VNDR,
		  .cfg_type = VIRTIO_PCI_CAP_COMMON_CFG,
		  .bar = 4,
		  .pos = 0x40,
		  .offset = FVP_COMMON_OFF,
		  .length = FVP_STRUCT_LEN },
	};

	if (f->kind == FVP_LEGACY) {
		f->caps[0] = (struct fvp_cap){ .id = PCI_CAP_ID_MSIX, .pos = 0x40 };
		f->ncaps = 1;
		return;
	}
	memcpy(f->caps, modern, sizeof(modern));
	f->ncaps = ARRAY_SIZE(modern);
}

void fvp_init(struct fake_vpci *f, enum fvp_kind kind, u32 type, u64 features, unsigned nq,
	      u64 sectors)
{
	free(f->disk);
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->vendor_id = VIRTIO_PCI_VENDOR_ID;
	/* 4.1.2.3: transitional IDs are 0x1000 + type - 1 (net 0x1000, blk 0x1001). */
	f->device_id = (u16)(kind == FVP_MODERN ? VIRTIO_PCI_DEVICE_ID_MODERN + type
						: VIRTIO_PCI_DEVICE_ID_MIN + type - 1);
	f->subsys_vendor = VIRTIO_PCI_VENDOR_ID;
	f->subsys_id = (u16)(kind == FVP_MODERN ? 0x1100 : type); /* QEMU: 0x1100 if modern */
	f->class_code = 0x010000;
	f->features = kind == FVP_LEGACY ? (u32)features : features;
	f->num_queues = (u16)nq;
	if (kind != FVP_MODERN)
		f->bars[0] = (struct fvp_bar){ .kind = FVP_BAR_IO, .size = FVP_BAR0_SIZE };
	f->bars[1] = (struct fvp_bar){ .kind = FVP_BAR_MEM32, .size = FVP_BAR1_SIZE };
	if (kind != FVP_LEGACY)
		f->bars[4] = (struct fvp_bar){ .kind = FVP_BAR_MEM64,
					       .prefetch = true,
					       .size = FVP_BAR4_SIZE };
	fvp_default_caps(f);
	for (unsigned i = 0; i < FVP_MAX_QUEUES; i++)
		f->q[i].notify_off = (u16)i;
	for (unsigned i = 0; i < nq && i < FVP_MAX_QUEUES; i++)
		f->q[i].max = 256;
	f->cfg.capacity = cpu_to_le64(sectors);
	f->cfg.seg_max = cpu_to_le32(254);
	f->cfg.blk_size = cpu_to_le32(512);
	f->cfg.writeback = 1;
	f->cfg.num_queues = cpu_to_le16((u16)nq);
	f->device_len = sizeof(f->cfg);
	f->disk_bytes = sectors * 512;
	f->disk = calloc(1, f->disk_bytes ? f->disk_bytes : 1);
	fvp_reset(f);
	f->resets = 0;
	fvp_install(f);
}

void fvp_destroy(struct fake_vpci *f)
{
	free(f->disk);
	f->disk = NULL;
	host_io = (struct host_io_ops){ 0 };
}

static enum pci_bar_type fvp_pci_type(enum fvp_bar_kind k)
{
	switch (k) {
	case FVP_BAR_IO: return PCI_BAR_IO;
	case FVP_BAR_MEM32: return PCI_BAR_MEM32;
	case FVP_BAR_MEM64: return PCI_BAR_MEM64;
	default: return PCI_BAR_NONE;
	}
}

void fvp_firmware_assign(struct fake_vpci *f, struct pci_host *host, struct pci_dev *pdev)
{
	u64 io = 0x1000, mem32 = FVP_MEM32, mem64 = FVP_MEM64;

	memset(host, 0, sizeof(*host));
	host->ecam = FVP_ECAM;
	host->ecam_size = FVP_ECAM_SIZE;
	*pdev = (struct pci_dev){
		.host = host,
		.dev = FVP_DEVFN,
		.vendor_id = f->vendor_id,
		.device_id = f->device_id,
		.class_code = f->class_code,
		.revision = 1,
		.subsys_vendor = f->subsys_vendor,
		.subsys_id = f->subsys_id,
		.irq_pin = 1,
		.enabled = true,
	};
	snprintf(pdev->name, sizeof(pdev->name), "00:%02x.0", FVP_DEVFN);
	for (unsigned i = 0; i < 6; i++) {
		struct fvp_bar *b = &f->bars[i];
		u64 *next = b->kind == FVP_BAR_IO      ? &io
			    : b->kind == FVP_BAR_MEM64 ? &mem64
						       : &mem32;

		if (b->kind == FVP_BAR_NONE)
			continue;
		b->addr = ALIGN_UP(*next, b->size);
		*next = b->addr + b->size;
		pdev->bar[i] = (struct pci_bar){
			.type = fvp_pci_type(b->kind),
			.prefetch = b->prefetch,
			.size = b->size,
			.pci_addr = b->addr,
			.cpu_addr = b->kind == FVP_BAR_IO ? FVP_PIO_CPU + b->addr : b->addr,
			.assigned = true,
		};
	}
	f->command = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
}

void fvp_dt_host(const struct fake_vpci *f, struct dt_pci_host *dt, bool mem64)
{
	(void)f;
	memset(dt, 0, sizeof(*dt));
	dt->present = true;
	dt->ecam_base = FVP_ECAM;
	dt->ecam_size = FVP_ECAM_SIZE;
	dt->ranges[0] =
		(struct dt_pci_range){ DT_PCI_SPACE_IO, false, 0, FVP_PIO_CPU, FVP_PIO_SIZE };
	dt->ranges[1] = (struct dt_pci_range){ DT_PCI_SPACE_MEM32, false, FVP_MEM32, FVP_MEM32,
					       FVP_MEM32_SIZE };
	dt->ranges[2] = (struct dt_pci_range){ DT_PCI_SPACE_MEM64, false, FVP_MEM64, FVP_MEM64,
					       FVP_MEM64_SIZE };
	dt->nranges = mem64 ? 3 : 2;
}
