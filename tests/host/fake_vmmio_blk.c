/*
 * tests/host/fake_vmmio_blk.c - the virtio-blk backend of the fake
 * virtio-mmio device (virtio 1.2, 2.7 and 5.2.6; see fake_vmmio.h).
 *
 * Fetching moves new avail entries onto the pending list (and, with
 * EVENT_IDX, asks for the next notification through avail_event).
 * Completing one walks its chain (header, data segments, status), checks it
 * against what was negotiated (seg_max, size_max, directions, BARRIER),
 * executes IN/OUT/FLUSH/GET_ID against the in-memory disk, writes the status
 * byte last and publishes the used entry with the number of bytes written
 * into device-writable buffers, raising the interrupt unless the driver
 * suppressed it.  Scripted status errors and hostile used entries are
 * applied here.
 *
 * Every index read from shared memory is range-checked before it is used,
 * so nothing the driver writes can make the fake itself misbehave; buffer
 * addresses and lengths are trusted on purpose: a wrong one is a driver bug
 * that ASan reports at the exact access.
 */
#include "tests/host/fake_vmmio.h"

#include <string.h>

#include "drivers/virtio/virtio_mmio_regs.h"
#include "drivers/virtio/virtio_ring.h"

struct fvm_seg {
	u8 *p;
	u32 len;
	bool w; /* device-writable */
};

/* Scratch for the chain being executed (single-threaded). */
static struct fvm_seg fvm_segs[FVM_MAX_QUEUE];

static le16 *fvm_avail_event(const struct fake_vmmio *f)
{
	struct virtq_used *used = fvm_ptr(f->q.used);

	return (le16 *)&used->ring[f->q.num];
}

unsigned fvm_fetch(struct fake_vmmio *f)
{
	struct fvm_queue *q = &f->q;
	struct virtq_avail *avail = fvm_ptr(q->avail);
	unsigned n = 0;
	u16 idx;

	if (!q->ready)
		return 0;
	idx = le16_read_once(&avail->idx);
	if ((u16)(idx - q->last_avail) > q->num - q->npending) {
		fvm_violation(f, "avail idx %u ran %u ahead with %u pending", idx,
			      (u16)(idx - q->last_avail), q->npending);
		return 0;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* idx before entries */
	for (; q->last_avail != idx; q->last_avail++) {
		u16 head = le16_to_cpu(avail->ring[q->last_avail % q->num]);

		if (head >= q->num) {
			fvm_violation(f, "avail head %u out of range", head);
			continue;
		}
		for (unsigned i = 0; i < q->npending; i++) {
			if (q->pending[i] == head)
				fvm_violation(f, "head %u made available twice", head);
		}
		q->pending[q->npending++] = head;
		n++;
	}
	f->max_outstanding = MAX(f->max_outstanding, q->npending);
	/* 2.7.10: with EVENT_IDX, ask to be told once idx passes this. */
	if (fvm_negotiated(f, VIRTIO_F_RING_EVENT_IDX))
		le16_write_once(fvm_avail_event(f), (u16)(q->last_avail + f->avail_event_ahead));
	return n;
}

/* Walk the chain at `head` into fvm_segs.  Returns its length, 0 if bad. */
static unsigned fvm_chain(struct fake_vmmio *f, u16 head, u16 *second)
{
	const struct virtq_desc *desc = fvm_ptr(f->q.desc);
	unsigned n = 0;
	bool seen_w = false;

	for (u16 i = head;;) {
		u16 flags = le16_to_cpu(desc[i].flags);

		if (n == f->q.num || (flags & VIRTQ_DESC_F_INDIRECT)) {
			fvm_violation(f, "chain at %u loops or is indirect", head);
			return 0;
		}
		if (n == 1)
			*second = i;
		fvm_segs[n] = (struct fvm_seg){
			.p = fvm_ptr(le64_to_cpu(desc[i].addr)),
			.len = le32_to_cpu(desc[i].len),
			.w = (flags & VIRTQ_DESC_F_WRITE) != 0,
		};
		if (!fvm_segs[n].w && seen_w)
			fvm_violation(f, "readable descriptor after a writable one");
		seen_w |= fvm_segs[n].w;
		n++;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			break;
		i = le16_to_cpu(desc[i].next);
		if (i >= f->q.num) {
			fvm_violation(f, "chain at %u links to %u", head, i);
			return 0;
		}
	}
	f->max_chain = MAX(f->max_chain, n);
	return n;
}

/* Count and check the data descriptors fvm_segs[1 .. ndata]. */
static u64 fvm_check_data(struct fake_vmmio *f, u32 type, unsigned ndata)
{
	bool want_w = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	u64 total = 0;

	if (fvm_negotiated(f, VIRTIO_BLK_F_SEG_MAX) && ndata > le32_to_cpu(f->cfg.seg_max))
		fvm_violation(f, "%u data segments, seg_max %u", ndata,
			      le32_to_cpu(f->cfg.seg_max));
	if (type == VIRTIO_BLK_T_FLUSH && ndata)
		fvm_violation(f, "FLUSH with %u data segments", ndata);
	f->max_data_segs = MAX(f->max_data_segs, ndata);
	for (unsigned k = 1; k <= ndata; k++) {
		const struct fvm_seg *s = &fvm_segs[k];

		if (fvm_negotiated(f, VIRTIO_BLK_F_SIZE_MAX) &&
		    s->len > le32_to_cpu(f->cfg.size_max))
			fvm_violation(f, "segment of %u bytes, size_max %u", s->len,
				      le32_to_cpu(f->cfg.size_max));
		if (s->w != want_w)
			fvm_violation(f, "data segment direction wrong for type %u", type);
		f->max_seg_len = MAX(f->max_seg_len, s->len);
		total += s->len;
	}
	return total;
}

/* Copy between the disk at byte `off` and the data segments. */
static void fvm_transfer(struct fake_vmmio *f, u64 off, unsigned ndata, bool to_mem)
{
	for (unsigned k = 1; k <= ndata; k++) {
		struct fvm_seg *s = &fvm_segs[k];

		if (to_mem)
			memcpy(s->p, f->disk + off, s->len);
		else
			memcpy(f->disk + off, s->p, s->len);
		off += s->len;
	}
}

/* Execute one command.  Returns its VIRTIO_BLK_S_*; *written: data bytes. */
static unsigned fvm_do(struct fake_vmmio *f, u32 type, u64 sector, unsigned ndata, u64 len,
		       u32 *written)
{
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (len % 512 || sector > f->disk_bytes / 512 ||
		    len > f->disk_bytes - sector * 512) {
			fvm_violation(f, "I/O of %llu bytes at sector %llu outside the disk",
				      (unsigned long long)len, (unsigned long long)sector);
			return VIRTIO_BLK_S_IOERR;
		}
		if (type == VIRTIO_BLK_T_OUT && fvm_negotiated(f, VIRTIO_BLK_F_RO)) {
			fvm_violation(f, "write to a read-only device");
			return VIRTIO_BLK_S_IOERR;
		}
		fvm_transfer(f, sector * 512, ndata, type == VIRTIO_BLK_T_IN);
		if (type == VIRTIO_BLK_T_IN)
			*written = (u32)len;
		else
			f->writes_since_flush++;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		if (!fvm_negotiated(f, VIRTIO_BLK_F_FLUSH)) {
			fvm_violation(f, "FLUSH without the FLUSH feature");
			return VIRTIO_BLK_S_UNSUPP;
		}
		f->writes_since_flush = 0;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		for (unsigned k = 1; k <= ndata && *written < VIRTIO_BLK_ID_BYTES; k++) {
			u32 n = MIN(fvm_segs[k].len, VIRTIO_BLK_ID_BYTES - *written);

			memcpy(fvm_segs[k].p, FVM_SERIAL + *written, n);
			*written += n;
		}
		return VIRTIO_BLK_S_OK;
	default: return VIRTIO_BLK_S_UNSUPP;
	}
}

static void fvm_interrupt(struct fake_vmmio *f, u16 old, u16 idx)
{
	struct virtq_avail *avail = fvm_ptr(f->q.avail);
	bool raise;

	/* 2.7.10: used_event, or the NO_INTERRUPT flag without EVENT_IDX. */
	if (fvm_negotiated(f, VIRTIO_F_RING_EVENT_IDX))
		raise = virtq_need_event(le16_read_once(&avail->ring[f->q.num]), idx, old);
	else
		raise = !(le16_read_once(&avail->flags) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	if (raise) {
		f->isr |= VIRTIO_MMIO_INT_VRING;
		f->irqs++;
	}
}

/* Put (id, len) on the used ring, bent by the armed hostile knob. */
static void fvm_publish(struct fake_vmmio *f, u32 id, u32 len, u16 second, u32 wlen)
{
	struct fvm_queue *q = &f->q;
	struct virtq_used *used = fvm_ptr(q->used);
	enum fvm_hostile h = f->hostile;
	u16 old = q->used_idx, idx = old;
	u32 real_id = id, real_len = len;

	f->hostile = FVM_HOSTILE_NONE;
	if (h == FVM_HOSTILE_ID_RANGE)
		id = q->num;
	else if (h == FVM_HOSTILE_ID_NONHEAD)
		id = second;
	else if (h == FVM_HOSTILE_LEN)
		len = wlen + 1;
	if (h == FVM_HOSTILE_DUPLICATE && q->have_last) {
		used->ring[idx++ % q->num] = (struct virtq_used_elem){ cpu_to_le32(q->last_id),
								       cpu_to_le32(q->last_len) };
	}
	used->ring[idx++ % q->num] = (struct virtq_used_elem){ cpu_to_le32(id), cpu_to_le32(len) };
	if (h == FVM_HOSTILE_DUPLICATE && !q->have_last) {
		used->ring[idx % q->num] = used->ring[(u16)(idx - 1) % q->num];
		idx++;
	}
	if (h == FVM_HOSTILE_IDX_AHEAD)
		idx = (u16)(idx + q->num + 1);
	q->have_last = true;
	q->last_id = real_id;
	q->last_len = real_len;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* entries before idx */
	le16_write_once(&used->idx, idx);
	q->used_idx = idx;
	fvm_interrupt(f, old, idx);
}

static void fvm_execute(struct fake_vmmio *f, u16 head)
{
	u16 second = head;
	unsigned n = fvm_chain(f, head, &second), status;
	struct virtio_blk_outhdr hdr;
	struct fvm_seg *st;
	u32 wlen = 0, written = 0, type;
	u64 no, len;

	for (unsigned i = 0; i < n; i++)
		wlen += fvm_segs[i].w ? fvm_segs[i].len : 0;
	if (n < 2 || fvm_segs[0].w || fvm_segs[0].len != sizeof(hdr) || !fvm_segs[n - 1].w ||
	    fvm_segs[n - 1].len != 1) {
		fvm_violation(f, "malformed request chain at head %u", head);
		fvm_publish(f, head, 0, second, wlen);
		return;
	}
	memcpy(&hdr, fvm_segs[0].p, sizeof(hdr));
	type = le32_to_cpu(hdr.type);
	no = ++f->cmds;
	f->type_log[no % FVM_TYPE_LOG] = type;
	if (type & VIRTIO_BLK_T_BARRIER) {
		f->cmd_barrier++;
		if (!fvm_negotiated(f, VIRTIO_BLK_F_BARRIER))
			fvm_violation(f, "BARRIER flag without the BARRIER feature");
		type &= ~VIRTIO_BLK_T_BARRIER;
	}
	switch (type) {
	case VIRTIO_BLK_T_IN: f->cmd_in++; break;
	case VIRTIO_BLK_T_OUT: f->cmd_out++; break;
	case VIRTIO_BLK_T_FLUSH: f->cmd_flush++; break;
	case VIRTIO_BLK_T_GET_ID: f->cmd_get_id++; break;
	default: f->cmd_other++; break;
	}
	len = fvm_check_data(f, type, n - 2);
	if (type == VIRTIO_BLK_T_FLUSH && le64_to_cpu(hdr.sector))
		fvm_violation(f, "FLUSH with sector %llu, not 0",
			      (unsigned long long)le64_to_cpu(hdr.sector));
	if (no == f->bad_status_cmd) {
		status = f->bad_status; /* scripted: nothing is transferred */
		f->bad_status_cmd = 0;
	} else {
		status = fvm_do(f, type, le64_to_cpu(hdr.sector), n - 2, len, &written);
	}
	st = &fvm_segs[n - 1];
	if (status != FVM_STATUS_NONE) {
		st->p[0] = (u8)status; /* the status byte is written last */
		written++;
	}
	fvm_publish(f, head, written, second, wlen);
}

bool fvm_complete_at(struct fake_vmmio *f, unsigned i)
{
	struct fvm_queue *q = &f->q;
	u16 head;

	if (f->hang || !q->ready || i >= q->npending)
		return false;
	head = q->pending[i];
	memmove(&q->pending[i], &q->pending[i + 1], (q->npending - i - 1) * sizeof(u16));
	q->npending--;
	fvm_execute(f, head);
	return true;
}

unsigned fvm_complete(struct fake_vmmio *f, unsigned n)
{
	unsigned done = 0;

	while (done < n && fvm_complete_at(f, 0))
		done++;
	return done;
}

unsigned fvm_step(struct fake_vmmio *f)
{
	fvm_fetch(f);
	return fvm_complete(f, f->q.npending);
}

u32 fvm_cmd_type(const struct fake_vmmio *f, u64 n)
{
	return f->type_log[n % FVM_TYPE_LOG];
}

void fvm_fail_cmd(struct fake_vmmio *f, unsigned ahead, unsigned status)
{
	f->bad_status_cmd = f->cmds + ahead;
	f->bad_status = status;
}
