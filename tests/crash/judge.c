/*
 * tests/crash/judge.c - check a crash state against the oracle, and print
 * a minimal counterexample for the first violation of each kind.
 *
 * The oracle (docs/testing.md): a state of epoch e must recover to
 * the state after transaction j for some j between
 *   lo = the last transaction acknowledged before the state can exist, and
 *   hi = the last transaction whose commit record was submitted before
 *        F_(e+1) completed.
 * The spec takes lo at F_e's completion; a state that contains a write
 * submitted later can only exist after that write's submission, so lo is
 * taken there (cstate_earliest): strictly stronger, still sound, and what
 * exposes an acknowledgement that comes before its commit is durable.
 *
 * Minimal counterexample: pieces are dropped one at a time, last first,
 * for as long as the state still shows the same kind of violation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/crash/tiers.h"
#include "lib/errno.h"

static const char tier_names[NTIERS] = { 'A', 'B', 'C', 'D', 'E' };

/* ---- outcome cache -------------------------------------------------------- */

static void ocache_grow(struct ocache *c)
{
	struct ocache n = { .cap = c->cap ? 2 * c->cap : 1024 };

	n.key = calloc(n.cap, sizeof(*n.key));
	n.val = calloc(n.cap, sizeof(*n.val));
	if (!n.key || !n.val)
		abort();
	for (u32 i = 0; i < c->cap; i++) {
		u32 h;

		if (!c->key[i])
			continue;
		for (h = (u32)c->key[i] & (n.cap - 1); n.key[h]; h = (h + 1) & (n.cap - 1))
			;
		n.key[h] = c->key[i];
		n.val[h] = c->val[i];
		n.n++;
	}
	free(c->key);
	free(c->val);
	*c = n;
}

/* The slot for `key` (0 is not a valid key: it is mapped to 1). */
static u32 ocache_slot(struct ocache *c, u64 *key)
{
	u32 h;

	if (*key == 0)
		*key = 1;
	if (2 * (c->n + 1) > c->cap)
		ocache_grow(c);
	for (h = (u32)*key & (c->cap - 1); c->key[h] && c->key[h] != *key;
	     h = (h + 1) & (c->cap - 1))
		;
	return h;
}

/* ---- scopes ------------------------------------------------------------- */

void scope_open(struct scope *s, struct job *j, struct rec *r, enum tier t)
{
	memset(s, 0, sizeof(*s));
	s->j = j;
	s->r = r;
	s->tier = t;
	epochs_compute(r, &s->ep);
	s->b = malloc(sizeof(*s->b));
	s->pend = malloc((r->log.w.n + 1) * sizeof(u32));
	if (!s->b || !s->pend)
		abort();
	imgb_init(s->b, r, &s->ep);
}

void scope_close(struct scope *s)
{
	imgb_free(s->b);
	free(s->b);
	free(s->pend);
	free(s->cache.key);
	free(s->cache.val);
	epochs_free(&s->ep);
	memset(s, 0, sizeof(*s));
}

void scope_epoch(struct scope *s, u32 e)
{
	s->npend = MIN(epoch_pending(s->r, &s->ep, e, s->pend), (u32)CS_MAX);
}

/* ---- the oracle ---------------------------------------------------------- */

static u64 commit_hash(const struct rec *r, int i)
{
	u32 st = i < 0 ? r->init_state : r->log.c.v[i].state;

	return r->states.v[st].hash;
}

static void bounds(const struct scope *s, const struct cstate *cs, int *lo, int *hi)
{
	*lo = oracle_last_acked(s->r, cstate_earliest(s->r, &s->ep, cs));
	*hi = oracle_last_submitted(s->r, s->ep.end[cs->epoch]);
	if (*hi < *lo) /* cannot happen: an ack follows its commit */
		*hi = *lo;
}

static enum vkind classify(const struct scope *s, const struct cstate *cs, const struct outcome *o)
{
	int lo, hi, n = (int)s->r->log.c.n;
	u64 h;

	if (o->kind != CK_OK && o->kind != CK_FSCK)
		return outcome_vkind(o);
	h = s->r->states.v[o->state].hash;
	if (s->expect_hash)
		return h != s->expect_hash ? V_DIVERGE : o->kind == CK_FSCK ? V_FSCK : V_NKINDS;
	bounds(s, cs, &lo, &hi);
	for (int i = lo; i <= hi; i++) {
		if (commit_hash(s->r, i) == h)
			return o->kind == CK_FSCK ? V_FSCK : V_NKINDS;
	}
	for (int i = -1; i < lo; i++) {
		if (commit_hash(s->r, i) == h)
			return V_LOST_ACKED;
	}
	for (int i = hi + 1; i < n; i++) {
		if (commit_hash(s->r, i) == h)
			return V_FUTURE;
	}
	return V_PARTIAL;
}

/* Recover the state's image (or recall what recovering it gave). */
static void outcome_of(struct scope *s, const struct cstate *cs, struct outcome *o, bool count)
{
	u64 key = imgb_hash(s->b, cs);
	u32 slot = ocache_slot(&s->cache, &key);
	u8 *img[SIM_MAX_DEVS];

	if (count)
		s->j->res[s->tier].states++;
	if (s->cache.key[slot]) {
		*o = s->cache.val[slot];
		return;
	}
	imgb_build(s->b, img);
	check_image(s->r, img, o, NULL);
	if (count)
		s->j->res[s->tier].images++;
	s->cache.key[slot] = key;
	s->cache.val[slot] = *o;
	s->cache.n++;
}

/* Keep a few tier-A images whose recovery replays something, for tier D. */
static void keep_for_d(struct scope *s, const struct cstate *cs, const struct outcome *o)
{
	struct job *j = s->j;
	u32 slot = j->ndc;

	if (s->tier != TIER_A || o->kind != CK_OK || !o->replayed || !j->bud.d_images)
		return;
	j->dseen++;
	if (j->ndc >= MIN(j->bud.d_images, (u32)JOB_MAX_D)) {
		slot = (u32)(sim_rand(&j->rng) % j->dseen);
		if (slot >= j->ndc)
			return;
		for (u32 d = 0; d < SIM_MAX_DEVS; d++)
			sim_buf_free(j->dc[slot].img[d], j->rec.bytes[d]);
	} else {
		j->ndc++;
	}
	imgb_hash(s->b, cs); /* the builder holds the last state hashed */
	memset(j->dc[slot].img, 0, sizeof(j->dc[slot].img));
	imgb_build(s->b, j->dc[slot].img);
	j->dc[slot].state_hash = s->r->states.v[o->state].hash;
	j->dc[slot].epoch = cs->epoch;
}

/* ---- counterexamples ---------------------------------------------------- */

static void where(const struct rec *r, const struct sim_write *w, char *buf, size_t len)
{
	u64 blk = w->sector / (OFS_BLOCK_SIZE / BLK_SECTOR_SIZE);
	const struct layout *l = &r->lay;
	bool jdev = w->dev == r->ndev - 1;

	if (!l->valid)
		snprintf(buf, len, "block %llu", (unsigned long long)blk);
	else if (jdev && blk >= l->journal_start && blk < l->journal_start + l->journal_blocks)
		snprintf(buf, len,
			 blk == l->journal_start ? "journal superblock" : "journal block %llu",
			 (unsigned long long)(blk - l->journal_start));
	else if (blk == 0)
		snprintf(buf, len, "superblock");
	else if (blk < l->inode_start)
		snprintf(buf, len, "bitmap block %llu", (unsigned long long)blk);
	else if (blk < l->data_start)
		snprintf(buf, len, "inode-table block %llu", (unsigned long long)blk);
	else
		snprintf(buf, len, "data block %llu", (unsigned long long)blk);
}

static void print_piece(const struct scope *s, const struct piece *p)
{
	const struct sim_write *w = &s->r->log.w.v[p->w];
	char loc[64], how[96] = "whole";

	where(s->r, w, loc, sizeof(loc));
	if (p->how == PC_TORN) {
		int n = snprintf(how, sizeof(how), "torn: sectors");

		for (u32 i = 0; i < w->nsect && n < (int)sizeof(how) - 8; i++) {
			if (piece_has(p, i))
				n += snprintf(how + n, sizeof(how) - (size_t)n, " %u", i);
		}
		snprintf(how + n, sizeof(how) - (size_t)n, " of %u", w->nsect);
	} else if (p->how == PC_GARBAGE) {
		static const char *const g[] = { "zeros", "ones", "random bytes" };

		snprintf(how, sizeof(how), "%s, sector %llu replaced by %s",
			 p->gb & GB_ONLY ? "only one sector" : "whole", (unsigned long long)p->arg,
			 g[p->gb & 3]);
	}
	printf("#     write #%u dev%u sectors %llu+%u (%s), submitted @%u, %s: %s\n", p->w, w->dev,
	       (unsigned long long)w->sector, w->nsect, loc, w->sub,
	       w->done == SIM_NEVER ? "never completed"
	       : w->status	    ? "failed"
				    : "completed",
	       how);
}

static const char *txn_name(const struct rec *r, int i, char *buf, size_t len)
{
	if (i < 0)
		snprintf(buf, len, "the initial state");
	else
		snprintf(buf, len, "txn seq %llu", (unsigned long long)r->log.c.v[i].seq);
	return buf;
}

static void print_states(const struct scope *s, const struct cstate *cs, const struct outcome *o)
{
	const char *found = s->r->states.v[o->state].text;
	char a[48], b[48];
	int lo, hi;

	switch (o->kind) {
	case CK_MOUNT:
	case CK_WALK:
	case CK_HANG:
		printf("#   recovery %s (%s); console: %s\n",
		       o->kind == CK_HANG   ? "did not finish"
		       : o->kind == CK_WALK ? "gave an unreadable tree"
					    : "failed",
		       errno_name(o->err), o->msg);
		return;
	case CK_UNMOUNT:
		printf("#   fs_unmount after recovery failed (%s); console: %s\n",
		       errno_name(o->err), o->msg);
		return;
	case CK_FSCK: {
		u8 *img[SIM_MAX_DEVS];

		printf("#   fs_fsck found %d problem(s)\n", o->err);
		imgb_build(s->b, img); /* the builder holds this state */
		check_explain(s->r, img);
		break;
	}
	case CK_NONIDEM:
		printf("#   recovering the recovered image again %s; console: %s\n",
		       o->err ? errno_name(o->err) : "changed it", o->msg);
		break;
	default: break;
	}
	if (s->expect_hash) {
		printf("#   expected what the uninterrupted recovery gave; found (diff):\n");
		for (u32 i = 0; i < s->r->states.n; i++) {
			if (s->r->states.v[i].hash == s->expect_hash)
				state_print_diff(s->r->states.v[i].text, found, 12);
		}
		return;
	}
	bounds(s, cs, &lo, &hi);
	printf("#   expected: the state after one of %s .. %s; found (recovery replayed %llu "
	       "txns), as a diff against %s:\n",
	       txn_name(s->r, lo, a, sizeof(a)), txn_name(s->r, hi, b, sizeof(b)),
	       (unsigned long long)o->replayed, a);
	state_print_diff(s->r->states.v[lo < 0 ? s->r->init_state : s->r->log.c.v[lo].state].text,
			 found, 12);
}

static void report(struct scope *s, const struct cstate *cs, const struct outcome *o, enum vkind k,
		   u32 orig)
{
	struct tier_res *res = &s->j->res[s->tier];
	u32 e = cs->epoch;

	if (!res->first[0])
		snprintf(res->first, sizeof(res->first), "%s in %s tier %c epoch %u%s%s",
			 vkind_name(k), s->j->wl->name, tier_names[s->tier], e, s->what ? " " : "",
			 s->what ? s->what : "");
	printf("# VIOLATION %s: workload %s, tier %c%s%s\n", vkind_name(k), s->j->wl->name,
	       tier_names[s->tier], s->what ? ", " : "", s->what ? s->what : "");
	printf("#   epoch %u of %u: crash between events %u and %u; %u writes durable before it, "
	       "%u pending\n",
	       e, s->ep.n, s->ep.start[e], s->ep.end[e], s->b->dnext, s->npend);
	if (cs->keep)
		printf("#   every DISCARD left the old data (the device ignored them)\n");
	printf("#   applied on top of the durable image (minimized from %u pieces):%s\n", orig,
	       cs->n ? "" : " nothing");
	for (u32 i = 0; i < cs->n; i++)
		print_piece(s, &cs->p[i]);
	print_states(s, cs, o);
}

/* Drop pieces, last first, while the violation stays the same kind. */
static void minimize(struct scope *s, struct cstate *cs, enum vkind k, struct outcome *o)
{
	struct cstate *t = malloc(sizeof(*t));
	struct outcome to;

	if (!t)
		abort();
	for (u32 i = cs->n; i-- > 0;) {
		*t = *cs;
		memmove(&t->p[i], &t->p[i + 1], (t->n - i - 1) * sizeof(t->p[0]));
		t->n--;
		outcome_of(s, t, &to, false);
		if (classify(s, t, &to) == k) {
			*cs = *t;
			*o = to;
		}
	}
	free(t);
	imgb_hash(s->b, cs);
}

bool judge(struct scope *s, struct cstate *cs)
{
	struct tier_res *res = &s->j->res[s->tier];
	struct outcome o;
	enum vkind k;

	outcome_of(s, cs, &o, true);
	k = classify(s, cs, &o);
	if (k == V_NKINDS) {
		keep_for_d(s, cs, &o);
		return false;
	}
	if (s->tier == TIER_C &&
	    (k == V_LOST_ACKED || k == V_PARTIAL || k == V_FUTURE || k == V_FSCK || k == V_WALK))
		k = V_GARBAGE;
	res->violations++;
	s->j->vcount[k]++;
	s->j->caught = true;
	if (!(res->kinds & BIT(k))) {
		u32 orig = cs->n;

		res->kinds |= BIT(k);
		if (k != V_GARBAGE)
			minimize(s, cs, k, &o);
		report(s, cs, &o, k, orig);
	}
	return true;
}
