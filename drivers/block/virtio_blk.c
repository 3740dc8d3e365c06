/*
 * drivers/block/virtio_blk.c - virtio block driver, request path
 * (virtio 1.2, section 5.2.6).
 *
 * A device command is a descriptor chain: the 16-byte request header
 * (device-readable), the data segments (readable for a write, writable for a
 * read), and the one-byte status (writable), which the device writes last.
 * Each command has a slot in a DMA-able table (header, status, owner); the
 * slot's address is the virtqueue token.  DISCARD and WRITE_ZEROES carry,
 * instead of data, one device-readable descriptor over the slot's array of
 * ranges (struct virtio_blk_discard_write_zeroes), within the limits
 * virtio_blk_probe.c validated.
 *
 * Per-request state (struct vblk_rq) lives in the request's driver area.
 *
 * Invariants:
 *  - a block-layer request sits on `queue` until all of its bytes have been
 *    handed to the device (rq->issued == len); rq->parts counts its
 *    commands still at the device; it is ended (blk_end_request) when both
 *    say it is done;
 *  - every command covers whole logical blocks, and a READ/WRITE command at
 *    most max_cmd_bytes (a DISCARD/WRITE_ZEROES command: the device's
 *    limits on ranges);
 *  - the status byte is poisoned (0xff) before each command, so a device
 *    that completes a chain without writing the status cannot pass for
 *    success (vblk_status_to_errno maps anything unknown to -EIO).
 *
 * Error handling: a device status error fails only its request.  A broken
 * ring (see virtqueue.c) or a reset requested by the block layer after a
 * timeout resets the device first (so it can no longer write into our
 * buffers), then fails every outstanding request, then re-initialises the
 * device through the virtio core.  If that fails the device is dead and
 * every later submit gets -EIO.
 *
 * Concurrency: single-threaded, polled.  Completions run from poll/reset.
 */
#include "drivers/block/virtio_blk.h"

#include "drivers/block/virtio_blk_priv.h"
#include "arch/port.h"
#include "lib/errno.h"
#include "lib/printf.h"

/* What the driver keeps in each request it holds (blkdev.h: req->drv). */
struct BLK_DRV_STATE vblk_rq {
	struct blk_req *next; /* on vb->queue */
	u32 issued;	      /* bytes handed to the device so far */
	u32 parts;	      /* device commands still outstanding */
	int err;	      /* first error of any part */
	bool all_issued;      /* nothing left to hand to the device */
};
BLK_DRV_STATE_CHECK(struct vblk_rq);

static struct vblk_rq *vblk_rq(struct blk_req *req)
{
	return blk_req_drv(req, struct vblk_rq);
}

/* Map the device's status byte to an errno, the one place that does. */
static int vblk_status_to_errno(u8 status)
{
	switch (status) {
	case VIRTIO_BLK_S_OK: return 0;
	case VIRTIO_BLK_S_IOERR: return -EIO;
	case VIRTIO_BLK_S_UNSUPP: return -EOPNOTSUPP;
	default: return -EIO; /* includes our 0xff poison: never written */
	}
}

static struct vblk_cmd *vblk_cmd_get(struct vblk *vb)
{
	struct vblk_cmd *c = vb->free_cmds;

	if (c)
		vb->free_cmds = c->next_free;
	return c;
}

static void vblk_cmd_put(struct vblk *vb, struct vblk_cmd *c)
{
	c->req = NULL;
	c->next_free = vb->free_cmds;
	vb->free_cmds = c;
}

static u32 vblk_req_type(const struct vblk *vb, const struct blk_req *req)
{
	u32 type;

	switch (req->op) {
	case BLK_OP_READ: type = VIRTIO_BLK_T_IN; break;
	case BLK_OP_WRITE: type = VIRTIO_BLK_T_OUT; break;
	case BLK_OP_FLUSH: type = VIRTIO_BLK_T_FLUSH; break;
	case BLK_OP_DISCARD: type = VIRTIO_BLK_T_DISCARD; break;
	case BLK_OP_WRITE_ZEROES: type = VIRTIO_BLK_T_WRITE_ZEROES; break;
	default: type = VIRTIO_BLK_T_GET_ID; break;
	}
	/* 5.2.6.3 legacy: tagged ordering rides on the type field. */
	if ((req->flags & BLK_REQ_BARRIER) && vb->tagged)
		type |= VIRTIO_BLK_T_BARRIER;
	return type;
}

/*
 * Bytes the next command of `req` may carry in a chain of at most `free`
 * descriptors (virtq_chain_room: with indirect descriptors a whole table
 * takes one ring slot), or 0 if it must wait for the ring to drain.  Whole
 * logical blocks only.
 */
static u32 vblk_next_part(const struct vblk *vb, struct blk_req *req, unsigned free)
{
	u32 left = req->len - vblk_rq(req)->issued;
	u64 room;

	if (free < 3)
		return 0;
	room = (u64)MIN(free - 2, vb->bdev.info.max_segments) * vb->bdev.info.max_segment_size;
	room = MIN(room, vb->max_cmd_bytes);
	room -= room % vb->bdev.info.block_size;
	return (u32)MIN((u64)left, room);
}

static bool vblk_is_dwz(const struct blk_req *req)
{
	return req->op == BLK_OP_DISCARD || req->op == BLK_OP_WRITE_ZEROES;
}

/*
 * Fill c->dwz with the next ranges of a DISCARD or WRITE_ZEROES request, as
 * many as one command may carry.  Each is whole blocks and at most the
 * device's per-range limit; one that stops short of the request's end stops
 * at a multiple of the discard alignment when it can, so the device gets
 * aligned pieces (5.2.4: discard_sector_alignment is for splitting).
 * Returns the ranges filled (0 if the device no longer has the op, after
 * a reset), *bytes what they cover.
 */
static unsigned vblk_dwz_fill(const struct vblk *vb, const struct blk_req *req, struct vblk_cmd *c,
			      u32 *bytes)
{
	bool wz = req->op == BLK_OP_WRITE_ZEROES;
	u32 max = wz ? vb->wz_seg_sectors : vb->discard_seg_sectors;
	u32 segs = wz ? vb->wz_segs : vb->discard_segs;
	u64 align = wz ? 1 : MAX(vb->bdev.info.discard_align, 1u);
	u32 flags = wz && (req->flags & BLK_REQ_UNMAP) && vb->bdev.info.wz_may_unmap
			    ? VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP
			    : 0;
	u64 start = req->sector + (vblk_rq((struct blk_req *)req)->issued >> BLK_SECTOR_SHIFT);
	u64 end = req->sector + (req->len >> BLK_SECTOR_SHIFT), pos = start;
	unsigned n = 0;

	while (max && n < segs && pos < end) {
		u64 stop = pos + max; /* pos < 2^55 (checked capacity): no wrap */

		if (stop >= end)
			stop = end;
		else if (stop - stop % align > pos)
			stop -= stop % align;
		c->dwz[n++] = (struct virtio_blk_discard_write_zeroes){
			.sector = cpu_to_le64(pos),
			.num_sectors = cpu_to_le32((u32)(stop - pos)),
			.flags = cpu_to_le32(flags),
		};
		pos = stop;
	}
	*bytes = (u32)((pos - start) << BLK_SECTOR_SHIFT);
	return n;
}

/*
 * Fill in the header of command `c`, which carries `bytes` of `req` from
 * `sector` on, and poison its status byte.
 */
static inline void vblk_cmd_init(const struct vblk *vb, struct blk_req *req, struct vblk_cmd *c,
				 u64 sector, u32 bytes)
{
	c->hdr.type = cpu_to_le32(vblk_req_type(vb, req));
	c->hdr.ioprio = cpu_to_le32(0);
	c->hdr.sector = cpu_to_le64(sector);
	c->status = 0xff; /* poison: see the header comment */
	c->req = req;
	c->bytes = bytes;
}

/*
 * Add command `c` of `req` to the ring as the chain `bufs` (nout
 * device-readable buffers, then nin writable ones) and account for it.
 * `ranged`: `req` may need more commands, until all of its bytes are out;
 * otherwise this one is all of it.  0, or virtq_add()'s error (`c` is
 * freed).
 */
static inline int vblk_cmd_add(struct vblk *vb, struct blk_req *req, struct vblk_cmd *c,
			       const struct virtq_buf *bufs, unsigned nout, unsigned nin,
			       bool ranged)
{
	struct vblk_rq *rq = vblk_rq(req);
	int err;

	err = virtq_add(&vb->vq, bufs, nout, nin, c);
	if (err) {
		vblk_cmd_put(vb, c);
		return err;
	}
	rq->issued += c->bytes;
	rq->parts++;
	rq->all_issued = !ranged || rq->issued == req->len;
	vb->bdev.stats.commands++;
	vb->bdev.stats.max_inflight = MAX(vb->bdev.stats.max_inflight, vb->vq.inflight);
	return 0;
}

/*
 * vblk_issue_one() for DISCARD and WRITE_ZEROES: header, the ranges (one
 * descriptor), status.  Out of line and cold, so that the READ/WRITE path
 * stays as short as it was before these ops.
 */
static __attribute__((noinline, cold)) int vblk_issue_dwz(struct vblk *vb, struct blk_req *req)
{
	struct virtq_buf bufs[3];
	struct vblk_cmd *c;
	unsigned nranges;
	u32 part;

	if (virtq_chain_room(&vb->vq) < ARRAY_SIZE(bufs))
		return -ENOSPC;
	c = vblk_cmd_get(vb);
	if (!c)
		return -ENOSPC;
	nranges = vblk_dwz_fill(vb, req, c, &part);
	if (nranges == 0) {
		/* Stays queued: the block layer's timeout fails it. */
		vblk_cmd_put(vb, c);
		return -EIO;
	}
	/* The ranges carry the sectors; the header's is 0 (5.2.6). */
	vblk_cmd_init(vb, req, c, 0, part);
	bufs[0] = (struct virtq_buf){ &c->hdr, sizeof(c->hdr) };
	bufs[1] = (struct virtq_buf){ c->dwz, nranges * (u32)sizeof(c->dwz[0]) };
	bufs[2] = (struct virtq_buf){ &c->status, 1 };
	return vblk_cmd_add(vb, req, c, bufs, 2, 1, true);
}

/* Build and add one command for `req`.  0, -ENOSPC (retry later) or -EIO. */
static int vblk_issue_one(struct vblk *vb, struct blk_req *req)
{
	struct vblk_rq *rq = vblk_rq(req);
	struct virtq_buf bufs[VBLK_MAX_CHAIN];
	unsigned n = 0, nout;
	u32 part = 0, seg_size = vb->bdev.info.max_segment_size;
	bool data = req->op == BLK_OP_READ || req->op == BLK_OP_WRITE;
	struct vblk_cmd *c;

	if (data) {
		part = vblk_next_part(vb, req, virtq_chain_room(&vb->vq));
		if (part == 0)
			return -ENOSPC;
	} else if (vblk_is_dwz(req)) {
		return vblk_issue_dwz(vb, req);
	} else if (req->op == BLK_OP_GET_ID) {
		part = MIN(req->len, VIRTIO_BLK_ID_BYTES);
	}
	/* Header, data, status. */
	if (virtq_chain_room(&vb->vq) < 2 + (part + seg_size - 1) / seg_size)
		return -ENOSPC;
	c = vblk_cmd_get(vb);
	if (!c)
		return -ENOSPC;
	/* FLUSH and GET_ID: sector 0 (5.2.6). */
	vblk_cmd_init(vb, req, c, data ? req->sector + (rq->issued >> BLK_SECTOR_SHIFT) : 0, part);

	bufs[n++] = (struct virtq_buf){ &c->hdr, sizeof(c->hdr) };
	for (u32 off = 0; off < part; off += seg_size)
		bufs[n++] = (struct virtq_buf){ (u8 *)req->buf + rq->issued + off,
						MIN(seg_size, part - off) };
	/* For a write the data is device-readable, otherwise writable. */
	nout = req->op == BLK_OP_WRITE ? n : 1;
	bufs[n++] = (struct virtq_buf){ &c->status, 1 };
	/* Data requests may need several commands; the others need one. */
	return vblk_cmd_add(vb, req, c, bufs, nout, n - nout, data);
}

/*
 * Hand queued requests to the device while it has room.  They are
 * published in the ring; the doorbell waits for vblk_kick().
 */
static void vblk_dispatch(struct vblk *vb)
{
	while (vb->queue) {
		struct blk_req *req = vb->queue;

		if (vblk_issue_one(vb, req))
			break;
		if (vblk_rq(req)->all_issued) {
			vb->queue = vblk_rq(req)->next;
			if (!vb->queue)
				vb->queue_tail = NULL;
		}
	}
}

/* blk_dev_ops.kick: one doorbell for the batch, if the device wants it. */
static void vblk_kick(void *ctx)
{
	struct vblk *vb = ctx;

	if (!vb->dead && !vb->resetting && virtq_kick(&vb->vq))
		vb->bdev.stats.kicks++;
}

static int vblk_submit(void *ctx, struct blk_req *req)
{
	struct vblk *vb = ctx;

	if (vb->dead)
		return -EIO;
	/* Unknown, or FLUSH, DISCARD or WRITE_ZEROES on a device without it. */
	if ((unsigned)req->op >= BLK_OP_COUNT || !((vb->ops >> req->op) & 1))
		return -EOPNOTSUPP;
	*vblk_rq(req) = (struct vblk_rq){ 0 };
	if (vb->queue_tail)
		vblk_rq(vb->queue_tail)->next = req;
	else
		vb->queue = req;
	vb->queue_tail = req;
	if (!vb->resetting)
		vblk_dispatch(vb);
	return 0;
}

/*
 * One command finished with `err`.  Returns its request if that was the
 * request's last outstanding command, else NULL.
 */
static struct blk_req *vblk_cmd_finish(struct vblk *vb, struct vblk_cmd *c, int err)
{
	struct blk_req *req = c->req;
	struct vblk_rq *rq = vblk_rq(req);

	vblk_cmd_put(vb, c);
	if (err && !rq->err)
		rq->err = err;
	rq->parts--;
	return rq->parts == 0 && rq->all_issued ? req : NULL;
}

static void vblk_cmd_done(struct vblk *vb, struct vblk_cmd *c, int err)
{
	struct blk_req *req = vblk_cmd_finish(vb, c, err);

	if (req)
		blk_end_request(req, vblk_rq(req)->err);
}

/*
 * Take back everything the device held and every request queued, and
 * return them as a list (linked through vblk_rq.next) with vblk_rq.err set.  Nobody
 * is called back here: the caller completes the list once the device is in
 * a state that new submissions from those callbacks can use.
 */
static struct blk_req *vblk_take_all(struct vblk *vb, int err)
{
	struct blk_req *failed = NULL, *list = vb->queue, *next, *req;
	struct vblk_cmd *c;

	vb->queue = vb->queue_tail = NULL;
	while ((c = virtq_detach_unused(&vb->vq))) {
		req = vblk_cmd_finish(vb, c, err);
		if (req) {
			vblk_rq(req)->next = failed;
			failed = req;
		}
	}
	/* Requests still queued; their issued parts, if any, just failed. */
	for (; list; list = next) {
		next = vblk_rq(list)->next;
		if (!vblk_rq(list)->err)
			vblk_rq(list)->err = err;
		vblk_rq(list)->next = failed;
		failed = list;
	}
	return failed;
}

static void vblk_complete_list(struct blk_req *list)
{
	for (struct blk_req *next; list; list = next) {
		next = vblk_rq(list)->next;
		blk_end_request(list, vblk_rq(list)->err);
	}
}

/*
 * Reset the device, take back every request, revive the device, and only
 * then complete what was taken back: a completion callback may submit or
 * even wait, and must find a working device (or a dead one), never one in
 * the middle of a reset.
 */
static int vblk_reset(void *ctx, int err)
{
	struct vblk *vb = ctx;
	struct blk_req *failed;
	int ret;

	if (vb->resetting || vb->dead)
		return vb->dead ? -EIO : 0;
	vb->bdev.stats.resets++;
	vb->stall_since = 0;
	if (err == -ETIMEDOUT)
		virtq_report(&vb->vq, vb->bdev.info.name); /* what the device left undone */
	vb->resetting = true;
	/* Stop the device before taking buffers back from it. */
	ret = virtio_dev_reset(vb->vdev);
	failed = vblk_take_all(vb, err);
	if (!ret)
		ret = vblk_reinit(vb);
	vb->resetting = false;
	if (ret) {
		kprintf("%s: device could not be revived (%s): disabled\n", vb->bdev.info.name,
			errno_name(ret));
		virtio_dev_fail(vb->vdev);
		vb->dead = true;
	}
	vblk_complete_list(failed);
	if (vb->dead)
		vblk_complete_list(vblk_take_all(vb, -EIO)); /* submitted meanwhile */
	else
		vblk_dispatch(vb); /* the block layer rings the doorbell */
	return ret;
}

/*
 * A device that hit an internal error sets DEVICE_NEEDS_RESET and stops
 * answering (virtio 1.2, 2.1.2).  Checked every VBLK_STATUS_CHECK idle
 * polls while requests are outstanding, so such a device is reset at once
 * instead of after the block layer's timeout.
 */
#define VBLK_STATUS_CHECK 4096u

static bool vblk_needs_reset(struct vblk *vb)
{
	if (vb->vq.inflight == 0 || ++vb->idle_polls < VBLK_STATUS_CHECK)
		return false;
	vb->idle_polls = 0;
	return virtio_needs_reset(vb->vdev);
}

/*
 * Commands out and nothing completed for VBLK_STALL_NS: notify the device
 * again.  Under a loaded QEMU TCG host a notification was seen to go
 * missing (2-5 % of loaded riscv64 KTAP boots: the device left 85
 * published commands untouched, having asked to be kicked past what it
 * had consumed), and the request waited for the 30 s timeout, a reset and
 * a journal abort.  A second doorbell is always allowed and costs a slow
 * device nothing; a device that really stopped still times out.
 */
#define VBLK_STALL_NS (100ull * 1000 * 1000)

static void vblk_check_stall(struct vblk *vb, int completed)
{
	u64 now;

	if (completed || vb->vq.inflight == 0) {
		vb->stall_since = 0;
		return;
	}
	now = arch_time_ns();
	if (!vb->stall_since) {
		vb->stall_since = now;
	} else if (now - vb->stall_since >= VBLK_STALL_NS) {
		virtq_renotify(&vb->vq);
		vb->bdev.stats.kicks++;
		vb->bdev.stats.renotifies++;
		vb->stall_since = now;
	}
}

static int vblk_poll(void *ctx)
{
	struct vblk *vb = ctx;
	struct vblk_cmd *c;
	int n = 0;
	u32 len;

	if (vb->dead || vb->resetting)
		return 0;
	while ((c = virtq_get_used(&vb->vq, &len))) {
		/* The used entry was validated; the status byte is ours now. */
		vblk_cmd_done(vb, c, vblk_status_to_errno(READ_ONCE(c->status)));
		n++;
	}
	vblk_check_stall(vb, n);
	if (n)
		vb->idle_polls = 0;
	else if (!vb->vq.broken && vblk_needs_reset(vb))
		virtq_mark_broken(&vb->vq, "device set NEEDS_RESET");
	if (vb->vq.broken) {
		kprintf("%s: resetting device after a ring violation\n", vb->bdev.info.name);
		vblk_reset(vb, -EIO);
		return n;
	}
	vblk_dispatch(vb);
	return n;
}

static int vblk_set_write_cache(void *ctx, bool writeback)
{
	struct vblk *vb = ctx;

	if (!vb->bdev.info.wce_switchable)
		return -EOPNOTSUPP;
	/* Remembered: a device reset restores the host's default setting. */
	vb->wce_set = true;
	vb->wce_writeback = writeback;
	return vblk_write_wce(vb, writeback);
}

/*
 * Sleep until the device interrupts (if it can), in slices so a device
 * whose interrupt never comes still gets polled and timed out.
 */
#define VBLK_IRQ_SLICE_NS (10ull * 1000 * 1000)

static void vblk_idle(void *ctx, u64 timeout_ns)
{
	struct vblk *vb = ctx;

	if (!vb->vdev->irq_on || vb->vq.inflight == 0) {
		arch_cpu_relax();
		return;
	}
	virtio_irq_wait(MIN(timeout_ns, VBLK_IRQ_SLICE_NS));
	vb->bdev.stats.irqs = vb->vdev->irqs;
}

const struct blk_dev_ops vblk_ops = {
	.submit = vblk_submit,
	.kick = vblk_kick,
	.poll = vblk_poll,
	.reset = vblk_reset,
	.set_write_cache = vblk_set_write_cache,
	.idle = vblk_idle,
};
