/*
 * tests/crash/enum.c - epochs, oracle bounds and the crash-image builder
 * (see enum.h).
 *
 * Durability: flushes are indexed in submission order, so for each device
 * a suffix minimum over the flushes' completion events answers "the first
 * completion of a good FLUSH submitted after event x" with one binary
 * search per write.
 *
 * Image hashes: the hash of an image is the sum (mod 2^64) of a hash of
 * each sector mixed with its device and position; the builder keeps the
 * per-sector hashes of D_e, so a crash state's hash only needs the sectors
 * its pieces write.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/crash/enum.h"

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

/* ---- epochs -------------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* durable[] for every write of device `dev`. */
static void epochs_durable_dev(const struct rec *r, u8 dev, u32 *durable)
{
	const struct sim_log *log = &r->log;
	u32 nf = log->f.n, *sufmin = xcalloc(nf + 1, sizeof(u32));

	sufmin[nf] = SIM_NEVER;
	for (u32 i = nf; i-- > 0;) {
		const struct sim_flush *f = &log->f.v[i];
		u32 d = f->dev == dev && f->status == 0 ? f->done : SIM_NEVER;

		sufmin[i] = MIN(d, sufmin[i + 1]);
	}
	for (u32 i = 0; i < log->w.n; i++) {
		const struct sim_write *w = &log->w.v[i];
		u32 lo = 0, hi = nf;

		if (w->dev != dev)
			continue;
		if (w->status || w->done == SIM_NEVER) {
			durable[i] = SIM_NEVER;
			continue;
		}
		if (!r->vol) {
			durable[i] = w->done;
			continue;
		}
		while (lo < hi) { /* first flush submitted after the completion */
			u32 mid = (lo + hi) / 2;

			if (log->f.v[mid].sub > w->done)
				hi = mid;
			else
				lo = mid + 1;
		}
		durable[i] = sufmin[lo];
	}
	free(sufmin);
}

void epochs_compute(const struct rec *r, struct epochs *ep)
{
	const struct sim_log *log = &r->log;
	u32 nw = log->w.n, *b = xcalloc(nw, sizeof(u32)), nb = 0;

	memset(ep, 0, sizeof(*ep));
	ep->durable = xcalloc(nw, sizeof(u32));
	for (u32 d = 0; d < r->ndev; d++)
		epochs_durable_dev(r, (u8)d, ep->durable);
	for (u32 i = 0; i < nw; i++) {
		if (ep->durable[i] != SIM_NEVER)
			b[nb++] = ep->durable[i];
	}
	qsort(b, nb, sizeof(u32), cmp_u32);
	ep->start = xcalloc(nb + 1, sizeof(u32));
	ep->end = xcalloc(nb + 1, sizeof(u32));
	ep->start[0] = 0;
	for (u32 i = 0; i < nb; i++) {
		if (ep->start[ep->n] == b[i] && ep->n > 0)
			continue;
		ep->end[ep->n] = b[i];
		ep->start[++ep->n] = b[i];
	}
	ep->end[ep->n++] = log->ev.n;
	free(b);
}

void epochs_free(struct epochs *ep)
{
	free(ep->start);
	free(ep->end);
	free(ep->durable);
	memset(ep, 0, sizeof(*ep));
}

u32 epoch_pending(const struct rec *r, const struct epochs *ep, u32 e, u32 *out)
{
	u32 n = 0;

	for (u32 i = 0; i < r->log.w.n && r->log.w.v[i].sub < ep->end[e]; i++) {
		if (ep->durable[i] == SIM_NEVER || ep->durable[i] > ep->start[e])
			out[n++] = i;
	}
	return n;
}

/* ---- oracle bounds ----------------------------------------------------- */

int oracle_last_acked(const struct rec *r, u32 t)
{
	for (u32 i = r->log.c.n; i-- > 0;) {
		if (r->log.c.v[i].ack != SIM_NEVER && r->log.c.v[i].ack < t)
			return (int)i;
	}
	return -1;
}

int oracle_last_submitted(const struct rec *r, u32 t)
{
	for (u32 i = r->log.c.n; i-- > 0;) {
		if (r->log.c.v[i].sub < t)
			return (int)i;
	}
	return -1;
}

u32 cstate_earliest(const struct rec *r, const struct epochs *ep, const struct cstate *cs)
{
	u32 t = ep->start[cs->epoch] + 1;

	for (u32 i = 0; i < cs->n; i++)
		t = MAX(t, r->log.w.v[cs->p[i].w].sub + 1);
	return t;
}

bool piece_has(const struct piece *p, u32 i)
{
	switch (p->how) {
	case PC_TORN: return (p->arg >> MIN(i, 63u)) & 1;
	case PC_GARBAGE: return !(p->gb & GB_ONLY) || i == p->arg;
	default: return true;
	}
}

/* ---- image builder ------------------------------------------------------ */

static u64 fmix64(u64 h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static u64 sec_hash(u64 key, const u8 *data)
{
	return fmix64(hash64(HASH64_INIT ^ fmix64(key + 1), data, BLK_SECTOR_SIZE));
}

static u64 sec_key(u32 dev, u64 sector)
{
	return (u64)dev << 56 | sector;
}

static const struct rec *sort_rec;
static const u32 *sort_durable;

/* Durable writes land in durability order, then completion order. */
static int cmp_landing(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;
	u32 dx = sort_durable[x], dy = sort_durable[y];

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return cmp_u32(&sort_rec->log.w.v[x].done, &sort_rec->log.w.v[y].done);
}

void imgb_init(struct imgb *b, const struct rec *r, const struct epochs *ep)
{
	u64 dsect = 0;

	memset(b, 0, sizeof(*b));
	b->r = r;
	b->ep = ep;
	for (u32 d = 0; d < r->ndev; d++) {
		u64 ns = r->bytes[d] / BLK_SECTOR_SIZE;

		b->dur[d] = malloc(r->bytes[d]);
		if (!b->dur[d])
			abort();
		memcpy(b->dur[d], r->base[d], r->bytes[d]);
		b->hsec[d] = xcalloc(ns, sizeof(u64));
		for (u64 s = 0; s < ns; s++) {
			b->hsec[d][s] = sec_hash(sec_key(d, s), b->dur[d] + s * BLK_SECTOR_SIZE);
			b->hsum += b->hsec[d][s];
		}
	}
	b->dorder = xcalloc(r->log.w.n, sizeof(u32));
	for (u32 i = 0; i < r->log.w.n; i++) {
		if (ep->durable[i] != SIM_NEVER)
			b->dorder[b->ndorder++] = i;
	}
	sort_rec = r;
	sort_durable = ep->durable;
	qsort(b->dorder, b->ndorder, sizeof(u32), cmp_landing);
	for (u32 i = 0; i < r->log.w.n; i++) {
		if (r->log.w.v[i].discard && ep->durable[i] != SIM_NEVER)
			dsect += r->log.w.v[i].nsect;
	}
	/* Room for every piece's sectors plus every kept one, half full. */
	b->ovcap = 8192;
	while (b->ovcap < 4 * (dsect + CS_MAX * 8u))
		b->ovcap *= 2;
	b->ov = xcalloc(b->ovcap, sizeof(*b->ov));
	b->keepcap = b->ovcap;
	b->keep = xcalloc(b->keepcap, sizeof(*b->keep));
	for (u32 i = 0; i < b->keepcap; i++)
		b->keep[i].key = ~0ull;
	b->keepbuf = xcalloc(dsect + 1, BLK_SECTOR_SIZE);
}

void imgb_free(struct imgb *b)
{
	for (u32 d = 0; d < SIM_MAX_DEVS; d++) {
		free(b->dur[d]);
		free(b->hsec[d]);
	}
	free(b->dorder);
	free(b->ov);
	free(b->keep);
	free(b->keepbuf);
	memset(b, 0, sizeof(*b));
}

/* The keep world's slot of `key`; NULL if it has none and not `add`. */
static struct ov_ent *imgb_keep_slot(struct imgb *b, u64 key, bool add)
{
	u32 h = (u32)fmix64(key) & (b->keepcap - 1);

	while (b->keep[h].key != ~0ull && b->keep[h].key != key)
		h = (h + 1) & (b->keepcap - 1);
	if (b->keep[h].key != key) {
		if (!add)
			return NULL;
		if (++b->keepn * 2 >= b->keepcap)
			abort(); /* sized for every durable DISCARD's sectors */
		b->keep[h] = (struct ov_ent){ .key = key };
	}
	return &b->keep[h];
}

/*
 * Sector `key`, holding `old`, gets a durable write: a DISCARD saves what
 * it held for the keep world (unless an earlier DISCARD already did: that
 * one's old data is what the sector keeps), any other write ends that.
 */
static void imgb_keep_note(struct imgb *b, u64 key, const u8 *old, bool discard)
{
	struct ov_ent *k = imgb_keep_slot(b, key, discard);

	if (!k)
		return;
	if (discard && !k->data) {
		u8 *save = b->keepbuf + (size_t)b->keepbuf_used++ * BLK_SECTOR_SIZE;

		memcpy(save, old, BLK_SECTOR_SIZE);
		k->data = save;
		b->keep_live++;
	} else if (!discard && k->data) {
		k->data = NULL;
		b->keep_live--;
	}
}

/* Apply the writes that are durable at the start of epoch e. */
static void imgb_seek(struct imgb *b, u32 e)
{
	const struct sim_log *log = &b->r->log;

	while (b->dnext < b->ndorder && b->ep->durable[b->dorder[b->dnext]] <= b->ep->start[e]) {
		const struct sim_write *w = &log->w.v[b->dorder[b->dnext++]];

		for (u32 i = 0; i < w->nsect; i++) {
			u64 s = w->sector + i;
			u8 *dst = b->dur[w->dev] + s * BLK_SECTOR_SIZE;

			if (w->discard || b->keep_live)
				imgb_keep_note(b, sec_key(w->dev, s), dst, w->discard);
			memcpy(dst, w->data + (size_t)i * BLK_SECTOR_SIZE, BLK_SECTOR_SIZE);
			b->hsum -= b->hsec[w->dev][s];
			b->hsec[w->dev][s] = sec_hash(sec_key(w->dev, s), dst);
			b->hsum += b->hsec[w->dev][s];
		}
	}
	b->epoch = e;
}

/* Record that `key` ends up holding `data` (a later piece wins). */
static void imgb_put(struct imgb *b, u64 key, const u8 *data)
{
	u32 h = (u32)fmix64(key) & (b->ovcap - 1);

	while (b->ov[h].key != ~0ull && b->ov[h].key != key)
		h = (h + 1) & (b->ovcap - 1);
	if (b->ov[h].key != key)
		b->ovn++;
	b->ov[h] = (struct ov_ent){ .key = key, .data = data };
}

static void imgb_garbage(struct imgb *b, u32 slot, const struct piece *p)
{
	u64 s = (u64)p->w << 20 ^ p->arg;

	for (u32 i = 0; i < BLK_SECTOR_SIZE; i++) {
		u8 kind = p->gb & ~GB_ONLY;

		if (kind == GB_RANDOM)
			b->gbuf[slot][i] = (u8)sim_rand(&s);
		else
			b->gbuf[slot][i] = kind == GB_ONES ? 0xff : 0;
	}
}

u64 imgb_hash(struct imgb *b, const struct cstate *cs)
{
	const struct sim_log *log = &b->r->log;
	u64 h;

	if (cs->epoch < b->epoch)
		abort(); /* callers walk epochs forward */
	imgb_seek(b, cs->epoch);
	for (u32 i = 0; i < b->ovcap; i++)
		b->ov[i].key = ~0ull;
	b->ovn = 0;
	for (u32 i = 0; cs->keep && b->keep_live && i < b->keepcap; i++) {
		if (b->keep[i].key != ~0ull && b->keep[i].data)
			imgb_put(b, b->keep[i].key, b->keep[i].data);
	}
	for (u32 k = 0; k < cs->n; k++) {
		const struct piece *p = &cs->p[k];
		const struct sim_write *w = &log->w.v[p->w];

		if (cs->keep && w->discard)
			continue; /* the device kept the old data */
		if (p->how == PC_GARBAGE)
			imgb_garbage(b, k, p);
		for (u32 i = 0; i < w->nsect; i++) {
			const u8 *d = w->data + (size_t)i * BLK_SECTOR_SIZE;

			if (!piece_has(p, i))
				continue;
			if (p->how == PC_GARBAGE && i == p->arg)
				d = b->gbuf[k];
			if (b->ovn * 2 >= b->ovcap)
				abort(); /* CS_MAX pieces of 4 KiB fit */
			imgb_put(b, sec_key(w->dev, w->sector + i), d);
		}
	}
	h = b->hsum;
	for (u32 i = 0; i < b->ovcap; i++) {
		u64 key = b->ov[i].key;

		if (key == ~0ull)
			continue;
		h -= b->hsec[key >> 56][key & ((1ull << 56) - 1)];
		h += sec_hash(key, b->ov[i].data);
	}
	return h;
}

void imgb_build(struct imgb *b, u8 *img[])
{
	for (u32 d = 0; d < b->r->ndev; d++) {
		img[d] = sim_buf_alloc(b->r->bytes[d]);
		memcpy(img[d], b->dur[d], b->r->bytes[d]);
	}
	for (u32 i = 0; i < b->ovcap; i++) {
		u64 key = b->ov[i].key;

		if (key != ~0ull)
			memcpy(img[key >> 56] + (key & ((1ull << 56) - 1)) * BLK_SECTOR_SIZE,
			       b->ov[i].data, BLK_SECTOR_SIZE);
	}
}
