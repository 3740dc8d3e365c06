/*
 * tests/host/fake_vblk_model.c - the fake virtio-blk device behind the
 * virtio-mmio and virtio-pci fakes (see fake_vblk_model.h).
 *
 * Device side: the status state machine and reset (2.1, 3.1.1), feature
 * negotiation, the configuration space with its generation counter
 * (2.5.1, 5.2.4) and queues going live, from addresses or from a legacy
 * PFN with the 2.7.2 layout.  (Rings come from boot_alloc(), which on the host
 * allocates below 4 GiB so legacy queue PFNs fit in 32 bits:
 * tests/host/host_alloc.c.)
 *
 * Backend (2.7, 5.2.6): fetching moves new avail entries onto the pending
 * list (and, with EVENT_IDX, asks for the next notification through
 * avail_event).  Completing one walks its chain (header, data segments,
 * status), checks it against what was negotiated (seg_max, size_max,
 * directions, BARRIER, the DISCARD/WRITE_ZEROES limits), executes
 * IN/OUT/FLUSH/GET_ID/DISCARD/WRITE_ZEROES against the in-memory
 * disk, writes the status byte last and publishes the used entry with the
 * number of bytes written into device-writable buffers, raising the
 * interrupt unless the driver suppressed it.  Scripted status errors and
 * hostile used entries are applied here.
 *
 * Every index read from shared memory is range-checked before it is used,
 * so nothing the driver writes can make the fake itself misbehave; buffer
 * addresses and lengths are trusted on purpose: a wrong one is a driver bug
 * that ASan reports at the exact access.
 */
#include "tests/host/fake_vblk_model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"
#include "drivers/virtio/virtio_ring.h"

void fvb_violation(struct fake_vblk *d, const char *fmt, ...)
{
	va_list ap;

	d->violations++;
	va_start(ap, fmt);
	vsnprintf(d->last_violation, sizeof(d->last_violation), fmt, ap);
	va_end(ap);
}

/* ---- set-up -------------------------------------------------------------- */

void fvb_init(struct fake_vblk *d, bool legacy, u64 features, unsigned nq, u64 sectors)
{
	free(d->disk);
	memset(d, 0, sizeof(*d));
	d->legacy = legacy;
	d->features = features;
	d->nqueues = MIN(nq, FVB_MAX_QUEUES);
	for (unsigned i = 0; i < d->nqueues; i++)
		d->q[i].max = d->q[i].num = 256;
	/* What QEMU 7.2 reports for a 256-entry queue. */
	d->cfg.capacity = cpu_to_le64(sectors);
	d->cfg.seg_max = cpu_to_le32(254);
	d->cfg.geometry = (struct virtio_blk_geometry){ cpu_to_le16(16), 16, 63 };
	d->cfg.blk_size = cpu_to_le32(512);
	d->cfg.writeback = 1;
	d->cfg.num_queues = cpu_to_le16((u16)nq);
	d->cfg.max_discard_sectors = cpu_to_le32(FVB_QEMU_MAX_DWZ_SECTORS);
	d->cfg.max_discard_seg = cpu_to_le32(1);
	d->cfg.discard_sector_alignment = cpu_to_le32(1); /* blk_size >> 9 */
	d->cfg.max_write_zeroes_sectors = cpu_to_le32(FVB_QEMU_MAX_DWZ_SECTORS);
	d->cfg.max_write_zeroes_seg = cpu_to_le32(1);
	d->cfg.write_zeroes_may_unmap = 1;
	d->disk_bytes = sectors * 512;
	d->disk = calloc(1, d->disk_bytes ? d->disk_bytes : 1);
}

void fvb_destroy(struct fake_vblk *d)
{
	free(d->disk);
	d->disk = NULL;
}

/* ---- status and reset (2.1, 3.1.1) --------------------------------------- */

static void fvb_reset(struct fake_vblk *d)
{
	d->resets++;
	d->driver_features = 0;
	d->isr = 0;
	for (unsigned i = 0; i < FVB_MAX_QUEUES; i++) {
		struct fvb_queue *q = &d->q[i];
		unsigned notifies = q->notifies;
		u32 max = q->max;

		memset(q, 0, sizeof(*q));
		q->max = q->num = max;
		q->notifies = notifies;
	}
	if (d->wce_reset_default)
		d->cfg.writeback = d->wce_default;
	if (d->reset_delay)
		d->reset_countdown = d->reset_delay;
	else
		d->status = 0;
}

u8 fvb_status_read(struct fake_vblk *d)
{
	if (d->reset_countdown) {
		u8 old = d->status;

		if (d->reset_countdown != ~0u && --d->reset_countdown == 0)
			d->status = 0;
		return old;
	}
	return d->status;
}

/* FEATURES_OK (modern) or DRIVER_OK (legacy) commits the driver's features. */
static bool fvb_features_acceptable(struct fake_vblk *d)
{
	if (d->driver_features & ~d->features) {
		fvb_violation(d, "driver accepted unoffered features %#llx",
			      (unsigned long long)(d->driver_features & ~d->features));
		return false;
	}
	return d->legacy || fvb_negotiated(d, VIRTIO_F_VERSION_1);
}

void fvb_status_write(struct fake_vblk *d, u32 val)
{
	u8 old = d->status, set;

	if (d->nstatus < FVB_STATUS_LOG)
		d->status_log[d->nstatus] = (u8)val;
	d->nstatus++;
	if (val == 0) {
		fvb_reset(d);
		return;
	}
	if (val > 0xff || (old & ~val & ~VIRTIO_CONFIG_S_NEEDS_RESET))
		fvb_violation(d, "status write %#x over %#x clears bits", val, old);
	set = (u8)(val & ~old);
	if (set & VIRTIO_CONFIG_S_FAILED)
		snprintf(d->console_at_failed, sizeof(d->console_at_failed), "%s",
			 host_console_last);
	if ((set & VIRTIO_CONFIG_S_DRIVER) && !(val & VIRTIO_CONFIG_S_ACKNOWLEDGE))
		fvb_violation(d, "DRIVER before ACKNOWLEDGE");
	if (set & VIRTIO_CONFIG_S_FEATURES_OK) {
		if (d->legacy)
			fvb_violation(d, "FEATURES_OK written to a legacy device");
		if (!(val & VIRTIO_CONFIG_S_DRIVER))
			fvb_violation(d, "FEATURES_OK before DRIVER");
		if (!fvb_features_acceptable(d) || d->refuse_features_ok)
			val &= ~(u32)VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if (set & VIRTIO_CONFIG_S_DRIVER_OK) {
		if (!(val & VIRTIO_CONFIG_S_DRIVER) ||
		    (!d->legacy && !(val & VIRTIO_CONFIG_S_FEATURES_OK)))
			fvb_violation(d, "DRIVER_OK in status %#x", val);
		if (d->legacy)
			fvb_features_acceptable(d);
		if (d->needs_reset)
			val |= VIRTIO_CONFIG_S_NEEDS_RESET;
	}
	d->status = (u8)val;
}

/* ---- features and configuration space ------------------------------------ */

u32 fvb_device_features(const struct fake_vblk *d, u32 sel)
{
	if (sel > 1 || (d->legacy && sel))
		return 0;
	return (u32)(d->features >> (32 * sel));
}

void fvb_driver_features(struct fake_vblk *d, u32 sel, u32 val)
{
	if (d->status & VIRTIO_CONFIG_S_FEATURES_OK)
		fvb_violation(d, "features written after FEATURES_OK");
	if (sel == 0)
		d->driver_features = (d->driver_features & ~0xffffffffull) | val;
	else if (sel == 1 && !d->legacy)
		d->driver_features = (d->driver_features & 0xffffffffull) | (u64)val << 32;
	else
		fvb_violation(d, "driver features with selector %u", sel);
}

u32 fvb_generation(struct fake_vblk *d)
{
	d->gen_reads++;
	return d->generation;
}

u32 fvb_config_read(struct fake_vblk *d, u32 off, unsigned width, u32 limit)
{
	const u8 *c = (const u8 *)&d->cfg;
	u32 v = 0;

	d->cfg_reads++;
	if ((width != 1 && width != 2 && width != 4) || off % width || off > limit ||
	    width > limit - off) {
		fvb_violation(d, "config read of %u bytes at %#x (%#x mapped)", width, off, limit);
		return 0;
	}
	for (unsigned i = 0; i < width; i++) {
		if (off + i < sizeof(d->cfg))
			v |= (u32)c[off + i] << (8 * i);
	}
	/* The device changes its configuration under the driver's feet. */
	if (d->gen_flips) {
		d->generation++;
		if (d->gen_flips != ~0u)
			d->gen_flips--;
	}
	if (d->cfg_unstable)
		d->cfg.capacity = cpu_to_le64(le64_to_cpu(d->cfg.capacity) + 1);
	return v;
}

void fvb_config_write(struct fake_vblk *d, u32 off, unsigned width, u32 val)
{
	if (off != offsetof(struct virtio_blk_config, writeback) || width != 1) {
		fvb_violation(d, "config write of %u bytes at %#x", width, off);
		return;
	}
	d->cfg_writes++;
	/* Checked once the features are settled (FEATURES_OK, legacy DRIVER_OK). */
	if ((d->status & (VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)) &&
	    !fvb_negotiated(d, VIRTIO_BLK_F_CONFIG_WCE))
		fvb_violation(d, "writeback written without CONFIG_WCE");
	if (!d->wce_readonly) {
		d->cfg.writeback = (u8)val;
		d->generation++;
	}
}

/* ---- queue set-up (layout of 2.7.2) -------------------------------------- */

struct fvb_queue *fvb_queue(struct fake_vblk *d, unsigned qi)
{
	return qi < d->nqueues ? &d->q[qi] : NULL;
}

static bool fvb_queue_num_ok(struct fake_vblk *d, const struct fvb_queue *q)
{
	if (q->num == 0 || q->num > q->max || q->num > FVB_MAX_QSIZE || !IS_POW2(q->num)) {
		fvb_violation(d, "queue enabled with size %u (max %u)", q->num, q->max);
		return false;
	}
	return true;
}

static void fvb_queue_live(struct fake_vblk *d, struct fvb_queue *q)
{
	struct virtq_used *used = fvb_ptr(q->used);

	q->ready = true;
	q->last_avail = q->used_idx = 0;
	q->npending = 0;
	q->have_last = false;
	used->flags = cpu_to_le16(d->no_notify ? VIRTQ_USED_F_NO_NOTIFY : 0);
}

bool fvb_queue_enable(struct fake_vblk *d, unsigned qi)
{
	struct fvb_queue *q = fvb_queue(d, qi);

	if (!q) {
		fvb_violation(d, "missing queue %u enabled", qi);
		return false;
	}
	if (!(d->status & VIRTIO_CONFIG_S_FEATURES_OK) || (d->status & VIRTIO_CONFIG_S_DRIVER_OK))
		fvb_violation(d, "queue %u enabled in status %#x", qi, d->status);
	if (!q->desc || !q->avail || !q->used || q->desc % 16 || q->avail % 2 || q->used % 4) {
		fvb_violation(d, "queue %u enabled at rings %#llx/%#llx/%#llx", qi,
			      (unsigned long long)q->desc, (unsigned long long)q->avail,
			      (unsigned long long)q->used);
		return false;
	}
	if (!fvb_queue_num_ok(d, q))
		return false;
	fvb_queue_live(d, q);
	return true;
}

bool fvb_queue_legacy(struct fake_vblk *d, unsigned qi, u32 pfn, u32 page_size, u32 align)
{
	struct fvb_queue *q = fvb_queue(d, qi);

	if (!q) {
		fvb_violation(d, "QueuePFN for missing queue %u", qi);
		return false;
	}
	if (pfn == 0) { /* writing 0 stops the queue */
		q->pfn = 0;
		q->ready = false;
		return true;
	}
	if (!(d->status & VIRTIO_CONFIG_S_DRIVER) || (d->status & VIRTIO_CONFIG_S_DRIVER_OK))
		fvb_violation(d, "QueuePFN in status %#x", d->status);
	if (q->pfn)
		fvb_violation(d, "QueuePFN over a live queue");
	if (!page_size || !IS_POW2(page_size)) {
		fvb_violation(d, "QueuePFN with page size %u", page_size);
		return false;
	}
	if (!align || !IS_POW2(align)) {
		fvb_violation(d, "QueuePFN with alignment %u", align);
		return false;
	}
	if (!fvb_queue_num_ok(d, q))
		return false;
	/* 2.7.2: descriptors, avail (with used_event), used on `align`. */
	q->pfn = pfn;
	q->align = align;
	q->desc = (u64)pfn * page_size;
	q->avail = q->desc + 16ull * q->num;
	q->used = ALIGN_UP(q->avail + 6 + 2ull * q->num, (u64)align);
	fvb_queue_live(d, q);
	return true;
}

/* ---- the virtio-blk backend ---------------------------------------------- */

struct fvb_seg {
	u8 *p;
	u32 len;
	bool w; /* device-writable */
};

/* Scratch for the chain being executed (single-threaded). */
static struct fvb_seg fvb_segs[FVB_MAX_QSIZE];

static le16 *fvb_avail_event(const struct fvb_queue *q)
{
	struct virtq_used *used = fvb_ptr(q->used);

	return (le16 *)&used->ring[q->num];
}

unsigned fvb_fetch(struct fake_vblk *d, unsigned qi)
{
	struct fvb_queue *q = fvb_queue(d, qi);
	struct virtq_avail *avail;
	unsigned n = 0;
	u16 idx;

	if (!q || !q->ready)
		return 0;
	avail = fvb_ptr(q->avail);
	idx = le16_read_once(&avail->idx);
	if ((u16)(idx - q->last_avail) > q->num - q->npending) {
		fvb_violation(d, "avail idx %u ran %u ahead with %u pending", idx,
			      (u16)(idx - q->last_avail), q->npending);
		return 0;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* idx before entries */
	for (; q->last_avail != idx; q->last_avail++) {
		u16 head = le16_to_cpu(avail->ring[q->last_avail % q->num]);

		if (head >= q->num) {
			fvb_violation(d, "avail head %u out of range", head);
			continue;
		}
		for (unsigned i = 0; i < q->npending; i++) {
			if (q->pending[i] == head)
				fvb_violation(d, "head %u made available twice", head);
		}
		q->pending[q->npending++] = head;
		n++;
	}
	d->max_outstanding = MAX(d->max_outstanding, q->npending);
	/* 2.7.10: with EVENT_IDX, ask to be told once idx passes this. */
	if (fvb_negotiated(d, VIRTIO_F_RING_EVENT_IDX))
		le16_write_once(fvb_avail_event(q), (u16)(q->last_avail + d->avail_event_ahead));
	return n;
}

/*
 * An indirect descriptor (2.7.5.3) at `head`: check it as a device must
 * and return its table and entry count in *desc / *max, or false.
 */
static bool fvb_indirect(struct fake_vblk *d, const struct fvb_queue *q, u16 head,
			 const struct virtq_desc **desc, unsigned *max)
{
	const struct virtq_desc *r = &(*desc)[head];
	u16 flags = le16_to_cpu(r->flags);
	u32 len = le32_to_cpu(r->len);

	if (!fvb_negotiated(d, VIRTIO_F_RING_INDIRECT_DESC))
		fvb_violation(d, "INDIRECT descriptor at %u without the feature", head);
	if (flags & VIRTQ_DESC_F_NEXT)
		fvb_violation(d, "INDIRECT descriptor at %u also has NEXT", head);
	if (len == 0 || len % sizeof(struct virtq_desc) ||
	    len / sizeof(struct virtq_desc) > q->num) {
		fvb_violation(d, "indirect table of %u bytes at %u (queue of %u)", len, head,
			      q->num);
		return false;
	}
	*desc = fvb_ptr(le64_to_cpu(r->addr));
	*max = len / sizeof(struct virtq_desc);
	d->indirect_chains++;
	d->last_table = (struct virtq_desc *)*desc;
	d->last_table_len = *max;
	return true;
}

/*
 * Walk the chain at `head` into fvb_segs, through its indirect table if it
 * has one (`second` then stays put: the chain holds no second ring
 * descriptor).  Returns its length, 0 if bad.
 */
static unsigned fvb_chain(struct fake_vblk *d, const struct fvb_queue *q, u16 head, u16 *second)
{
	const struct virtq_desc *desc = fvb_ptr(q->desc);
	unsigned n = 0, max = q->num;
	bool seen_w = false, table = false;
	u16 i = head;

	d->last_table = NULL;
	if (le16_to_cpu(desc[head].flags) & VIRTQ_DESC_F_INDIRECT) {
		if (!fvb_indirect(d, q, head, &desc, &max))
			return 0;
		table = true;
		i = 0;
	}
	for (;;) {
		u16 flags = le16_to_cpu(desc[i].flags);

		if (n == max || (flags & VIRTQ_DESC_F_INDIRECT)) {
			fvb_violation(d, "chain at %u loops or nests INDIRECT", head);
			return 0;
		}
		if (n == 1 && !table)
			*second = i;
		fvb_segs[n] = (struct fvb_seg){
			.p = fvb_ptr(le64_to_cpu(desc[i].addr)),
			.len = le32_to_cpu(desc[i].len),
			.w = (flags & VIRTQ_DESC_F_WRITE) != 0,
		};
		if (!fvb_segs[n].w && seen_w)
			fvb_violation(d, "readable descriptor after a writable one");
		seen_w |= fvb_segs[n].w;
		n++;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			break;
		i = le16_to_cpu(desc[i].next);
		if (i >= max) {
			fvb_violation(d, "chain at %u links to %u", head, i);
			return 0;
		}
	}
	d->max_chain = MAX(d->max_chain, n);
	return n;
}

/* Count and check the data descriptors fvb_segs[1 .. ndata]. */
static u64 fvb_check_data(struct fake_vblk *d, u32 type, unsigned ndata)
{
	bool want_w = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	u64 total = 0;

	if (fvb_negotiated(d, VIRTIO_BLK_F_SEG_MAX) && ndata > le32_to_cpu(d->cfg.seg_max))
		fvb_violation(d, "%u data segments, seg_max %u", ndata,
			      le32_to_cpu(d->cfg.seg_max));
	if (type == VIRTIO_BLK_T_FLUSH && ndata)
		fvb_violation(d, "FLUSH with %u data segments", ndata);
	d->max_data_segs = MAX(d->max_data_segs, ndata);
	for (unsigned k = 1; k <= ndata; k++) {
		const struct fvb_seg *s = &fvb_segs[k];

		if (fvb_negotiated(d, VIRTIO_BLK_F_SIZE_MAX) &&
		    s->len > le32_to_cpu(d->cfg.size_max))
			fvb_violation(d, "segment of %u bytes, size_max %u", s->len,
				      le32_to_cpu(d->cfg.size_max));
		if (s->w != want_w)
			fvb_violation(d, "data segment direction wrong for type %u", type);
		d->max_seg_len = MAX(d->max_seg_len, s->len);
		total += s->len;
	}
	return total;
}

/* Copy between the disk at byte `off` and the data segments. */
static void fvb_transfer(struct fake_vblk *d, u64 off, unsigned ndata, bool to_mem)
{
	for (unsigned k = 1; k <= ndata; k++) {
		struct fvb_seg *s = &fvb_segs[k];

		if (to_mem)
			memcpy(s->p, d->disk + off, s->len);
		else
			memcpy(d->disk + off, s->p, s->len);
		off += s->len;
	}
}

/* One DISCARD/WRITE_ZEROES range: checked, then carried out.  Its status. */
static unsigned fvb_dwz_range(struct fake_vblk *d, bool wz,
			      const struct virtio_blk_discard_write_zeroes *r)
{
	u64 sector = le64_to_cpu(r->sector), n = le32_to_cpu(r->num_sectors);
	u32 flags = le32_to_cpu(r->flags), bsect = le32_to_cpu(d->cfg.blk_size) / 512;
	u32 max = le32_to_cpu(wz ? d->cfg.max_write_zeroes_sectors : d->cfg.max_discard_sectors);
	u32 align = le32_to_cpu(d->cfg.discard_sector_alignment);
	const char *what = wz ? "WRITE_ZEROES" : "DISCARD";

	if (!fvb_negotiated(d, VIRTIO_BLK_F_BLK_SIZE) || bsect == 0)
		bsect = 1;
	/* 5.2.6.2: unknown flags, or unmap on a DISCARD, are UNSUPP. */
	if (flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP || (!wz && flags)) {
		fvb_violation(d, "%s range with flags %#x", what, flags);
		return VIRTIO_BLK_S_UNSUPP;
	}
	if (flags && !d->cfg.write_zeroes_may_unmap)
		fvb_violation(d, "WRITE_ZEROES unmap, write_zeroes_may_unmap 0");
	if (n == 0 || n > max || sector % bsect || n % bsect || sector > d->disk_bytes / 512 ||
	    n > d->disk_bytes / 512 - sector) {
		fvb_violation(d, "%s of %llu sectors at %llu (max %u, block %u sectors, disk %llu)",
			      what, (unsigned long long)n, (unsigned long long)sector, max, bsect,
			      (unsigned long long)(d->disk_bytes / 512));
		return VIRTIO_BLK_S_IOERR;
	}
	d->dwz_ranges++;
	d->dwz_unmap += flags != 0;
	d->dwz_sectors += n;
	if (!wz && align > 1 && (sector % align || (sector + n) % align))
		d->discard_misaligned++;
	if (wz || !d->discard_keeps)
		memset(d->disk + sector * 512, 0, n * 512);
	return VIRTIO_BLK_S_OK;
}

/* DISCARD or WRITE_ZEROES: the data is an array of ranges (5.2.6). */
static unsigned fvb_dwz(struct fake_vblk *d, u32 type, unsigned ndata, u64 len)
{
	static struct virtio_blk_discard_write_zeroes r[FVB_MAX_DWZ_RANGES];
	bool wz = type == VIRTIO_BLK_T_WRITE_ZEROES;
	u32 max_seg = le32_to_cpu(wz ? d->cfg.max_write_zeroes_seg : d->cfg.max_discard_seg);
	unsigned nr = (unsigned)(len / sizeof(r[0])), status = VIRTIO_BLK_S_OK;
	u64 off = 0;

	/* A device that says 0 (a test's hostile value) takes one range. */
	max_seg = max_seg ? max_seg : 1;
	if (!fvb_negotiated(d, wz ? VIRTIO_BLK_F_WRITE_ZEROES : VIRTIO_BLK_F_DISCARD)) {
		fvb_violation(d, "%s without its feature", wz ? "WRITE_ZEROES" : "DISCARD");
		return VIRTIO_BLK_S_UNSUPP;
	}
	if (fvb_negotiated(d, VIRTIO_BLK_F_RO)) {
		fvb_violation(d, "%s to a read-only device", wz ? "WRITE_ZEROES" : "DISCARD");
		return VIRTIO_BLK_S_IOERR;
	}
	if (len == 0 || len % sizeof(r[0]) || nr > max_seg || nr > FVB_MAX_DWZ_RANGES) {
		fvb_violation(d, "%s with %llu bytes of ranges (max %u ranges)",
			      wz ? "WRITE_ZEROES" : "DISCARD", (unsigned long long)len, max_seg);
		return VIRTIO_BLK_S_UNSUPP;
	}
	for (unsigned k = 1; k <= ndata; k++) {
		memcpy((u8 *)r + off, fvb_segs[k].p, fvb_segs[k].len);
		off += fvb_segs[k].len;
	}
	d->max_dwz_ranges = MAX(d->max_dwz_ranges, nr);
	for (unsigned i = 0; i < nr && status == VIRTIO_BLK_S_OK; i++)
		status = fvb_dwz_range(d, wz, &r[i]);
	if (status == VIRTIO_BLK_S_OK)
		d->writes_since_flush++;
	return status;
}

/* Execute one command.  Returns its VIRTIO_BLK_S_*; *written: data bytes. */
static unsigned fvb_do(struct fake_vblk *d, u32 type, u64 sector, unsigned ndata, u64 len,
		       u32 *written)
{
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (len % 512 || sector > d->disk_bytes / 512 ||
		    len > d->disk_bytes - sector * 512) {
			fvb_violation(d, "I/O of %llu bytes at sector %llu outside the disk",
				      (unsigned long long)len, (unsigned long long)sector);
			return VIRTIO_BLK_S_IOERR;
		}
		if (type == VIRTIO_BLK_T_OUT && fvb_negotiated(d, VIRTIO_BLK_F_RO)) {
			fvb_violation(d, "write to a read-only device");
			return VIRTIO_BLK_S_IOERR;
		}
		fvb_transfer(d, sector * 512, ndata, type == VIRTIO_BLK_T_IN);
		if (type == VIRTIO_BLK_T_IN)
			*written = (u32)len;
		else
			d->writes_since_flush++;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		if (!fvb_negotiated(d, VIRTIO_BLK_F_FLUSH)) {
			fvb_violation(d, "FLUSH without the FLUSH feature");
			return VIRTIO_BLK_S_UNSUPP;
		}
		d->writes_since_flush = 0;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		for (unsigned k = 1; k <= ndata && *written < VIRTIO_BLK_ID_BYTES; k++) {
			u32 n = MIN(fvb_segs[k].len, VIRTIO_BLK_ID_BYTES - *written);

			memcpy(fvb_segs[k].p, FVB_SERIAL + *written, n);
			*written += n;
		}
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES: return fvb_dwz(d, type, ndata, len);
	default: return VIRTIO_BLK_S_UNSUPP;
	}
}

static void fvb_interrupt(struct fake_vblk *d, const struct fvb_queue *q, u16 old, u16 idx)
{
	struct virtq_avail *avail = fvb_ptr(q->avail);
	bool raise;

	/* 2.7.10: used_event, or the NO_INTERRUPT flag without EVENT_IDX. */
	if (fvb_negotiated(d, VIRTIO_F_RING_EVENT_IDX))
		raise = virtq_need_event(le16_read_once(&avail->ring[q->num]), idx, old);
	else
		raise = !(le16_read_once(&avail->flags) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	if (raise) {
		d->isr |= FVB_ISR_QUEUE;
		d->irqs++;
	}
}

/* Put (id, len) on the used ring, bent by the armed hostile knob. */
static void fvb_publish(struct fake_vblk *d, struct fvb_queue *q, u32 id, u32 len, u16 second,
			u32 wlen)
{
	struct virtq_used *used = fvb_ptr(q->used);
	enum fvb_hostile h = d->hostile;
	u16 old = q->used_idx, idx = old;
	u32 real_id = id, real_len = len;

	d->hostile = FVB_HOSTILE_NONE;
	if (h == FVB_HOSTILE_ID_RANGE)
		id = q->num;
	else if (h == FVB_HOSTILE_ID_NONHEAD)
		id = second;
	else if (h == FVB_HOSTILE_LEN)
		len = wlen + 1;
	if (h == FVB_HOSTILE_DUPLICATE && q->have_last) {
		used->ring[idx++ % q->num] = (struct virtq_used_elem){ cpu_to_le32(q->last_id),
								       cpu_to_le32(q->last_len) };
	}
	used->ring[idx++ % q->num] = (struct virtq_used_elem){ cpu_to_le32(id), cpu_to_le32(len) };
	if (h == FVB_HOSTILE_DUPLICATE && !q->have_last) {
		used->ring[idx % q->num] = used->ring[(u16)(idx - 1) % q->num];
		idx++;
	}
	if (h == FVB_HOSTILE_IDX_AHEAD)
		idx = (u16)(idx + q->num + 1);
	q->have_last = true;
	q->last_id = real_id;
	q->last_len = real_len;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* entries before idx */
	le16_write_once(&used->idx, idx);
	q->used_idx = idx;
	fvb_interrupt(d, q, old, idx);
}

/*
 * A hostile device overwrites a table it has read: garbage addresses,
 * lengths past any buffer, links that loop.  The driver must never read it.
 */
static void fvb_scribble(struct virtq_desc *t, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		t[k] = (struct virtq_desc){
			.addr = cpu_to_le64(0xdead0000ull + k),
			.len = cpu_to_le32(0xffffffffu),
			.flags = cpu_to_le16(VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE),
			.next = cpu_to_le16(0),
		};
}

/*
 * The id FVB_HOSTILE_ID_NONHEAD names: the chain's second ring descriptor,
 * or for an indirect chain (which has none) the first descriptor that
 * heads no fetched chain.
 */
static u16 fvb_not_head(const struct fake_vblk *d, const struct fvb_queue *q, u16 head, u16 second)
{
	if (second != head || !d->last_table)
		return second;
	for (u16 i = 0; i < q->num; i++) {
		bool busy = i == head;

		for (unsigned k = 0; k < q->npending && !busy; k++)
			busy = q->pending[k] == i;
		if (!busy)
			return i;
	}
	return second;
}

static void fvb_execute(struct fake_vblk *d, struct fvb_queue *q, u16 head)
{
	u16 second = head;
	unsigned n = fvb_chain(d, q, head, &second), status;
	struct virtio_blk_outhdr hdr;
	struct fvb_seg *st;
	u32 wlen = 0, written = 0, type;
	u64 no, len;

	for (unsigned i = 0; i < n; i++)
		wlen += fvb_segs[i].w ? fvb_segs[i].len : 0;
	if (n < 2 || fvb_segs[0].w || fvb_segs[0].len != sizeof(hdr) || !fvb_segs[n - 1].w ||
	    fvb_segs[n - 1].len != 1) {
		fvb_violation(d, "malformed request chain at head %u", head);
		fvb_publish(d, q, head, 0, second, wlen);
		return;
	}
	memcpy(&hdr, fvb_segs[0].p, sizeof(hdr));
	type = le32_to_cpu(hdr.type);
	no = ++d->cmds;
	d->type_log[no % FVB_TYPE_LOG] = type;
	if (type & VIRTIO_BLK_T_BARRIER) {
		d->cmd_barrier++;
		if (!fvb_negotiated(d, VIRTIO_BLK_F_BARRIER))
			fvb_violation(d, "BARRIER flag without the BARRIER feature");
		type &= ~VIRTIO_BLK_T_BARRIER;
	}
	switch (type) {
	case VIRTIO_BLK_T_IN: d->cmd_in++; break;
	case VIRTIO_BLK_T_OUT: d->cmd_out++; break;
	case VIRTIO_BLK_T_FLUSH: d->cmd_flush++; break;
	case VIRTIO_BLK_T_GET_ID: d->cmd_get_id++; break;
	case VIRTIO_BLK_T_DISCARD: d->cmd_discard++; break;
	case VIRTIO_BLK_T_WRITE_ZEROES: d->cmd_write_zeroes++; break;
	default: d->cmd_other++; break;
	}
	len = fvb_check_data(d, type, n - 2);
	if ((type == VIRTIO_BLK_T_FLUSH || type == VIRTIO_BLK_T_DISCARD ||
	     type == VIRTIO_BLK_T_WRITE_ZEROES) &&
	    le64_to_cpu(hdr.sector))
		fvb_violation(d, "type %u with sector %llu, not 0", type,
			      (unsigned long long)le64_to_cpu(hdr.sector));
	if (no == d->bad_status_cmd) {
		status = d->bad_status; /* scripted: nothing is transferred */
		d->bad_status_cmd = 0;
	} else {
		status = fvb_do(d, type, le64_to_cpu(hdr.sector), n - 2, len, &written);
	}
	st = &fvb_segs[n - 1];
	if (status != FVB_STATUS_NONE) {
		st->p[0] = (u8)status; /* the status byte is written last */
		written++;
	}
	if (d->scribble_tables && d->last_table)
		fvb_scribble(d->last_table, d->last_table_len);
	fvb_publish(d, q, head, written, fvb_not_head(d, q, head, second), wlen);
}

bool fvb_complete_at(struct fake_vblk *d, unsigned qi, unsigned i)
{
	struct fvb_queue *q = fvb_queue(d, qi);
	u16 head;

	if (d->hang || !q || !q->ready || i >= q->npending)
		return false;
	head = q->pending[i];
	memmove(&q->pending[i], &q->pending[i + 1], (q->npending - i - 1) * sizeof(u16));
	q->npending--;
	fvb_execute(d, q, head);
	return true;
}

unsigned fvb_complete(struct fake_vblk *d, unsigned qi, unsigned n)
{
	unsigned done = 0;

	while (done < n && fvb_complete_at(d, qi, 0))
		done++;
	return done;
}

unsigned fvb_step(struct fake_vblk *d, unsigned qi)
{
	fvb_fetch(d, qi);
	return fvb_complete(d, qi, qi < d->nqueues ? d->q[qi].npending : 0);
}

void fvb_notify(struct fake_vblk *d, unsigned qi)
{
	struct fvb_queue *q = fvb_queue(d, qi);

	d->notifies++;
	if (!q) {
		fvb_violation(d, "notify for queue %u", qi);
		return;
	}
	q->notifies++;
	if (d->lose_notifies) {
		d->lose_notifies--; /* lost on the way: the device never hears it */
		return;
	}
	if (!(d->status & VIRTIO_CONFIG_S_DRIVER_OK))
		fvb_violation(d, "notify before DRIVER_OK");
	if (!q->ready) {
		fvb_violation(d, "notify for queue %u, which is not live", qi);
		return;
	}
	fvb_fetch(d, qi);
	if (!d->defer && !d->hang)
		fvb_complete(d, qi, q->npending);
}

u32 fvb_cmd_type(const struct fake_vblk *d, u64 n)
{
	return d->type_log[n % FVB_TYPE_LOG];
}

void fvb_fail_cmd(struct fake_vblk *d, unsigned ahead, unsigned status)
{
	d->bad_status_cmd = d->cmds + ahead;
	d->bad_status = status;
}
