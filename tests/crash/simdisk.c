/*
 * tests/crash/simdisk.c - the recording simulated disk (see simdisk.h).
 *
 * Requests wait in an unordered array of slots.  poll() completes between
 * one and half of them, each chosen at random, so completion order is any
 * permutation of submission order and FLUSHes may overtake writes.  A slot
 * is removed before its done() runs, because done() may submit again.  A
 * "slow" disk (threaded workloads) completes nothing on half its polls.
 *
 * Recording: a write's data is copied into the log when it is submitted
 * (that is what the device may transfer at any time until completion) and
 * compared with the caller's buffer again at completion: a journal that
 * changes a buffer in flight is caught (log->buf_changed).
 */
#include <stdlib.h>
#include <string.h>

#include "tests/crash/simdisk.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define SIM_VEC_PUSH(vec, item)                                                           \
	do {                                                                              \
		if ((vec).n == (vec).cap) {                                               \
			(vec).cap = (vec).cap ? (vec).cap * 2 : 64;                       \
			(vec).v = realloc((vec).v, (size_t)(vec).cap * sizeof(*(vec).v)); \
			if (!(vec).v)                                                     \
				abort();                                                  \
		}                                                                         \
		(vec).v[(vec).n++] = (item);                                              \
	} while (0)

u32 sim_log_event(struct sim_log *log, enum sim_ev_kind kind, u8 dev, u32 ref)
{
	struct sim_ev e = { .kind = (u8)kind, .dev = dev, .ref = ref };

	SIM_VEC_PUSH(log->ev, e);
	return log->ev.n - 1;
}

u32 sim_log_commit(struct sim_log *log, u64 seq, u32 state)
{
	struct sim_commit c = { .seq = seq, .ack = SIM_NEVER, .state = state };

	c.sub = sim_log_event(log, SIM_EV_COMMIT, 0, log->c.n);
	SIM_VEC_PUSH(log->c, c);
	return log->c.n - 1;
}

void sim_log_free(struct sim_log *log)
{
	for (u32 i = 0; i < log->w.n; i++)
		free(log->w.v[i].data);
	free(log->ev.v);
	free(log->w.v);
	free(log->f.v);
	free(log->c.v);
	memset(log, 0, sizeof(*log));
}

/* Does the injected fault hit this request?  Its status if so, else 0. */
static int sim_fault_check(struct sim_log *log, enum blk_op op)
{
	struct sim_fault *f = &log->fault;
	bool discard = op == BLK_OP_DISCARD;
	u32 nth;

	/* DISCARD and WRITE_ZEROES are writes here too (blkdev.h). */
	if (blk_op_is_write(op))
		op = BLK_OP_WRITE;
	if (op != BLK_OP_WRITE && op != BLK_OP_FLUSH)
		return 0;
	nth = op == BLK_OP_WRITE ? ++log->writes_seen : ++log->flushes_seen;
	if (f->k == 0)
		return 0;
	if (f->fired && f->sticky) {
		if (f->advisory && !discard) {
			/* The first failure the layers above must report. */
			f->advisory = false;
			f->done_ev = SIM_NEVER;
		}
		return f->err;
	}
	if (!f->fired && op == f->op && nth == f->k) {
		f->fired = true;
		f->advisory = discard;
		return f->err;
	}
	return 0;
}

/* Log the submission of a write or flush; its index in the log. */
static u32 sim_record_submit(struct simdisk *d, const struct blk_req *req)
{
	struct sim_log *log = d->cfg.log;
	u8 dev = d->cfg.dev_index;

	if (blk_op_is_write(req->op)) {
		struct sim_write w = {
			.dev = dev,
			.discard = req->op == BLK_OP_DISCARD,
			.sector = req->sector,
			.nsect = req->len >> BLK_SECTOR_SHIFT,
			.data = req->op == BLK_OP_WRITE ? malloc(req->len) : calloc(1, req->len),
			.done = SIM_NEVER,
		};

		if (!w.data)
			abort();
		if (req->op == BLK_OP_WRITE)
			memcpy(w.data, req->buf, req->len);
		w.sub = sim_log_event(log, SIM_EV_WSUB, dev, log->w.n);
		SIM_VEC_PUSH(log->w, w);
		return log->w.n - 1;
	}
	struct sim_flush f = { .dev = dev, .done = SIM_NEVER };

	f.sub = sim_log_event(log, SIM_EV_FSUB, dev, log->f.n);
	SIM_VEC_PUSH(log->f, f);
	return log->f.n - 1;
}

static void sim_record_done(struct simdisk *d, const struct sim_slot *s, int status)
{
	struct sim_log *log = d->cfg.log;
	u8 dev = d->cfg.dev_index;

	if (blk_op_is_write(s->req->op)) {
		struct sim_write *w = &log->w.v[s->widx];

		w->status = status;
		w->done = sim_log_event(log, SIM_EV_WDONE, dev, s->widx);
		if (s->req->op == BLK_OP_WRITE && memcmp(w->data, s->req->buf, s->req->len) &&
		    !log->buf_changed) {
			log->buf_changed = true;
			log->buf_changed_write = s->widx;
		}
		if (status && log->fault.fired && log->fault.done_ev == SIM_NEVER)
			log->fault.done_ev = w->done;
	} else {
		struct sim_flush *f = &log->f.v[s->widx];

		f->status = status;
		f->done = sim_log_event(log, SIM_EV_FDONE, dev, s->widx);
		if (status && log->fault.fired && log->fault.done_ev == SIM_NEVER)
			log->fault.done_ev = f->done;
	}
}

/* Carry out a request's effect on the media and hand it back. */
static void sim_complete(struct simdisk *d, struct sim_slot s, int status)
{
	struct blk_req *req = s.req;
	size_t off = (size_t)req->sector << BLK_SECTOR_SHIFT;

	if (!status)
		status = s.failure;
	switch (req->op) {
	case BLK_OP_READ:
		if (!status)
			memcpy(req->buf, d->media + off, req->len);
		break;
	case BLK_OP_WRITE:
		d->writes_in_flight--;
		if (!status) {
			memcpy(d->media + off, req->buf, req->len);
			d->completed_since_flush = true;
		}
		break;
	case BLK_OP_DISCARD:
	case BLK_OP_WRITE_ZEROES:
		d->writes_in_flight--;
		if (!status) {
			memset(d->media + off, 0, req->len);
			d->completed_since_flush = true;
		}
		break;
	case BLK_OP_GET_ID: {
		size_t n = strlen(d->cfg.name);

		memcpy(req->buf, d->cfg.name, MIN(n, (size_t)req->len));
		break;
	}
	default: break;
	}
	if (d->cfg.log && s.widx != SIM_NEVER)
		sim_record_done(d, &s, status);
	blk_end_request(req, status);
}

static int sim_submit(void *ctx, struct blk_req *req)
{
	struct simdisk *d = ctx;
	struct sim_slot s = { .req = req, .widx = SIM_NEVER };
	u64 end = req->sector + (req->len >> BLK_SECTOR_SHIFT);

	if (d->hung)
		return -EIO;
	if (d->cfg.max_requests && ++d->st.requests > d->cfg.max_requests) {
		/* Recovery or a workload that never stops: kill the disk. */
		d->hung = true;
		return -EIO;
	}
	if (blk_op_has_range(req->op) && (end << BLK_SECTOR_SHIFT) > d->cfg.bytes)
		panic("simdisk %s: request beyond the end", d->cfg.name);
	if (req->op == BLK_OP_FLUSH) {
		d->st.flushes++;
		if (!d->completed_since_flush)
			d->st.redundant_flushes++;
		if (d->writes_in_flight)
			d->st.undrained_flushes++;
		d->completed_since_flush = false;
	} else if (blk_op_is_write(req->op)) {
		d->st.writes++;
		d->writes_in_flight++;
	} else if (req->op == BLK_OP_READ) {
		d->st.reads++;
	}
	if (d->cfg.log) {
		s.failure = sim_fault_check(d->cfg.log, req->op);
		if (blk_op_is_write(req->op) || req->op == BLK_OP_FLUSH)
			s.widx = sim_record_submit(d, req);
	}
	if (d->nq == d->qcap) {
		d->qcap = d->qcap ? d->qcap * 2 : 64;
		d->q = realloc(d->q, d->qcap * sizeof(*d->q));
		if (!d->q)
			abort();
	}
	d->q[d->nq++] = s;
	return 0;
}

/* Remove slot i (order does not matter: completion order is random). */
static struct sim_slot sim_take(struct simdisk *d, u32 i)
{
	struct sim_slot s = d->q[i];

	d->q[i] = d->q[--d->nq];
	return s;
}

static int sim_poll(void *ctx)
{
	struct simdisk *d = ctx;
	bool reads_only = d->cfg.log && d->cfg.log->reads_only;
	u32 want, done = 0;

	if (!d->nq)
		return 0;
	if (d->cfg.slow && sim_rand(&d->rng) % 2)
		return 0;
	want = 1 + (u32)(sim_rand(&d->rng) % ((d->nq + 1) / 2));
	for (u32 tries = 0; done < want && d->nq && tries < 4 * want; tries++) {
		u32 i = (u32)(sim_rand(&d->rng) % d->nq);

		if (reads_only && d->q[i].req->op != BLK_OP_READ) {
			/* Look for a read instead; writes wait for the walk to end. */
			u32 j;

			for (j = 0; j < d->nq && d->q[j].req->op != BLK_OP_READ; j++)
				;
			if (j == d->nq)
				break;
			i = j;
		}
		sim_complete(d, sim_take(d, i), 0);
		done++;
	}
	return (int)done;
}

static int sim_reset(void *ctx, int err)
{
	struct simdisk *d = ctx;
	int n = 0;

	while (d->nq) {
		sim_complete(d, sim_take(d, d->nq - 1), err);
		n++;
	}
	return d->hung ? -EIO : 0;
}

static const struct blk_dev_ops sim_ops = {
	.submit = sim_submit,
	.poll = sim_poll,
	.reset = sim_reset,
};

int simdisk_init_adopt(struct simdisk *d, const struct simdisk_cfg *cfg, u8 *image)
{
	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->media = image;
	d->rng = cfg->seed ^ 0x5eed5eedull;
	d->dev = (struct blk_dev){
		.ops = &sim_ops,
		.ctx = d,
		.info = {
			.name = cfg->name,
			.block_size = cfg->block_size,
			.capacity = cfg->bytes >> BLK_SECTOR_SHIFT,
			.max_segments = 128,
			.max_segment_size = 1u << 20,
			.queue_depth = 128,
			.has_flush = true,
			.volatile_cache = cfg->volatile_cache,
		},
	};
	if (cfg->discard) {
		d->dev.info.discard_max_sectors = d->dev.info.wz_max_sectors = 1u << 16;
		d->dev.info.discard_align = cfg->block_size / BLK_SECTOR_SIZE;
		d->dev.info.wz_may_unmap = true;
	}
	return 0;
}

#define SIM_POOL 12

static struct {
	u8 *p;
	u64 bytes;
} sim_pool[SIM_POOL];

u8 *sim_buf_alloc(u64 bytes)
{
	u8 *p;

	for (u32 i = 0; i < SIM_POOL; i++) {
		if (sim_pool[i].p && sim_pool[i].bytes == bytes) {
			p = sim_pool[i].p;
			sim_pool[i].p = NULL;
			return p;
		}
	}
	p = malloc(bytes);
	if (!p)
		abort();
	return p;
}

void sim_buf_free(u8 *p, u64 bytes)
{
	for (u32 i = 0; p && i < SIM_POOL; i++) {
		if (!sim_pool[i].p) {
			sim_pool[i].p = p;
			sim_pool[i].bytes = bytes;
			return;
		}
	}
	free(p);
}

int simdisk_init(struct simdisk *d, const struct simdisk_cfg *cfg, const u8 *image)
{
	u8 *m = sim_buf_alloc(cfg->bytes);

	if (image)
		memcpy(m, image, cfg->bytes);
	else
		memset(m, 0, cfg->bytes);
	return simdisk_init_adopt(d, cfg, m);
}

u8 *simdisk_release(struct simdisk *d)
{
	u8 *m = d->media;

	/* Requests still queued belong to a filesystem that is gone: their
	 * done() must not run.  They simply never completed. */
	free(d->q);
	memset(d, 0, sizeof(*d));
	return m;
}

void simdisk_free(struct simdisk *d)
{
	u64 bytes = d->cfg.bytes;

	sim_buf_free(simdisk_release(d), bytes);
}
