/*
 * tests/crash/tiers_abc.c - tiers A (subsets), B (torn writes) and C
 * (garbage sectors) over the epochs of a recorded run (see tiers.h).
 *
 * Each tier has a state budget for the workload; every epoch gets at
 * least a couple of states and an equal share of what is left, so a long
 * run is sampled evenly instead of exhaustively at its start.  Within an
 * epoch, states are generated in a fixed order (structured choices first,
 * then seeded random ones), so runs are reproducible.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/crash/tiers.h"

/* The order pending writes land in when several are applied. */
static u64 landing_key(const struct rec *r, u32 w)
{
	const struct sim_write *x = &r->log.w.v[w];

	return x->done != SIM_NEVER ? x->done : (u64)r->log.ev.n + x->sub;
}

static const struct rec *sort_r;

static int cmp_landing(const void *a, const void *b)
{
	u64 x = landing_key(sort_r, *(const u32 *)a), y = landing_key(sort_r, *(const u32 *)b);

	return x < y ? -1 : x > y;
}

static bool overlap(const struct rec *r, u32 a, u32 b)
{
	const struct sim_write *x = &r->log.w.v[a], *y = &r->log.w.v[b];

	return x->dev == y->dev && x->sector < y->sector + y->nsect &&
	       y->sector < x->sector + x->nsect;
}

/* The state: the writes of `pick` (indices into s->pend) applied whole. */
static void cs_subset(struct scope *s, struct cstate *cs, u32 e, const bool *pick)
{
	cs->epoch = e;
	cs->keep = false;
	cs->n = 0;
	for (u32 i = 0; i < s->npend; i++) {
		if (pick[i])
			cs->p[cs->n++] = (struct piece){ .w = s->pend[i], .how = PC_WHOLE };
	}
}

/* Does the state apply a DISCARD (a piece, or one durable in D_e)? */
static bool cs_discards(const struct scope *s, const struct cstate *cs)
{
	if (imgb_discarded(s->b))
		return true;
	for (u32 i = 0; i < cs->n; i++) {
		if (s->r->log.w.v[cs->p[i].w].discard)
			return true;
	}
	return false;
}

/*
 * Judge a subset, then every variant in which a write that a later one
 * overlaps lands last instead (its version of the sectors survives), and,
 * if it applies a DISCARD, its twin where every DISCARD kept the old data
 * (enum.h).  Returns the number of states judged.
 */
static u32 judge_subset(struct scope *s, struct cstate *cs, u32 e, const bool *pick)
{
	struct cstate *v = malloc(sizeof(*v));
	u32 n = 1, variants = 0;

	if (!v)
		abort();
	cs_subset(s, cs, e, pick);
	*v = *cs;
	judge(s, cs); /* seeks the builder to epoch e */
	if (cs_discards(s, v) && !job_done(s->j)) {
		*cs = *v;
		cs->keep = true;
		judge(s, cs);
		s->j->res[TIER_A].keep_states++;
		n++;
	}
	for (u32 i = 0; i < v->n && variants < 4 && !job_done(s->j); i++) {
		bool later = false;

		for (u32 k = i + 1; k < v->n && !later; k++)
			later = overlap(s->r, v->p[i].w, v->p[k].w);
		if (!later)
			continue;
		*cs = *v;
		struct piece p = cs->p[i];

		memmove(&cs->p[i], &cs->p[i + 1], (cs->n - i - 1) * sizeof(p));
		cs->p[cs->n - 1] = p;
		judge(s, cs);
		n++;
		variants++;
	}
	free(v);
	return n;
}

static u32 tier_a_epoch(struct scope *s, struct cstate *cs, u32 e, u32 cap)
{
	u32 np = s->npend, done = 0;
	bool pick[CS_MAX];

	s->j->res[TIER_A].pmax = MAX(s->j->res[TIER_A].pmax, np);
	s->j->res[TIER_A].sampled += np > s->j->bud.exh_bits;
	if (np <= s->j->bud.exh_bits) { /* every subset */
		for (u32 m = 0; m < (1u << np) && !job_done(s->j); m++) {
			for (u32 i = 0; i < np; i++)
				pick[i] = (m >> i) & 1;
			done += judge_subset(s, cs, e, pick);
		}
		return done;
	}
	/* Structured: none, all, prefixes, all-but-one, singletons. */
	for (u32 kind = 0; kind < 4 && done < cap && !job_done(s->j); kind++) {
		u32 reps = kind == 0 ? 2 : np;

		for (u32 k = 0; k < reps && done < cap && !job_done(s->j); k++) {
			for (u32 i = 0; i < np; i++) {
				switch (kind) {
				case 0: pick[i] = k == 1; break;
				case 1: pick[i] = i < k; break;
				case 2: pick[i] = i != k; break;
				default: pick[i] = i == k; break;
				}
			}
			done += judge_subset(s, cs, e, pick);
		}
	}
	/* Seeded random subsets, with inclusion odds 1/2, 1/4 and 3/4. */
	for (u32 k = 0; done < cap && !job_done(s->j); k++) {
		for (u32 i = 0; i < np; i++) {
			u32 x = (u32)sim_rand(&s->j->rng) & 3;

			pick[i] = k % 3 == 0 ? x < 2 : k % 3 == 1 ? x == 0 : x != 0;
		}
		done += judge_subset(s, cs, e, pick);
	}
	return done;
}

/* The other pending writes a torn or garbage write is combined with. */
enum others { OTHERS_NONE, OTHERS_ALL, OTHERS_EARLIER, NOTHERS };

static void cs_with(struct scope *s, struct cstate *cs, u32 e, u32 wi, enum others o,
		    struct piece last)
{
	cs->epoch = e;
	cs->keep = false;
	cs->n = 0;
	for (u32 i = 0; i < s->npend && o != OTHERS_NONE; i++) {
		if (i == wi || (o == OTHERS_EARLIER && s->pend[i] > s->pend[wi]))
			continue;
		if (cs->n < CS_MAX - 1)
			cs->p[cs->n++] = (struct piece){ .w = s->pend[i], .how = PC_WHOLE };
	}
	cs->p[cs->n++] = last;
}

/* Tier B candidates per write: proper non-empty masks of its sectors
 * (capped at 8 sectors' worth: 254), times the three kinds of others. */
static u32 torn_masks(u32 nsect)
{
	return nsect < 2 ? 0 : (1u << MIN(nsect, 8u)) - 2;
}

/* Sector mask number m (0-based) of a write of nsect sectors: the first
 * nsect - 1 are prefixes (the torn writes an in-order device makes). */
static u64 torn_mask(u32 nsect, u32 m)
{
	u32 n = MIN(nsect, 8u);

	if (m < n - 1)
		return (1ull << (m + 1)) - 1;
	m -= n - 1;
	/* The rest: every other mask of the first n sectors, in order. */
	for (u64 mask = 1, k = 0; mask < (1ull << n) - 1; mask++) {
		if (!(mask & (mask + 1))) /* a prefix: already had */
			continue;
		if (k++ == m)
			return mask;
	}
	return 1;
}

static void tier_b_state(struct scope *s, struct cstate *cs, u32 e, u32 wi, u32 m, enum others o)
{
	const struct sim_write *w = &s->r->log.w.v[s->pend[wi]];
	u64 mask = torn_mask(w->nsect, m);

	if (w->nsect > 8 && (mask & 0x80)) /* beyond 8 sectors: follow sector 7 */
		mask |= ~0ull << 8;
	cs_with(s, cs, e, wi, o, (struct piece){ .w = s->pend[wi], .how = PC_TORN, .arg = mask });
	judge(s, cs);
}

static u32 tier_b_epoch(struct scope *s, struct cstate *cs, u32 e, u32 cap)
{
	u32 total = 0, done = 0;

	for (u32 i = 0; i < s->npend; i++)
		total += torn_masks(s->r->log.w.v[s->pend[i]].nsect) * NOTHERS;
	if (total <= cap) {
		for (u32 i = 0; i < s->npend && !job_done(s->j); i++) {
			u32 nm = torn_masks(s->r->log.w.v[s->pend[i]].nsect);

			for (u32 m = 0; m < nm * NOTHERS && !job_done(s->j); m++, done++)
				tier_b_state(s, cs, e, i, m / NOTHERS, (enum others)(m % NOTHERS));
		}
		return done;
	}
	/* First the prefix tears of each write alone, then random ones. */
	for (u32 i = 0; i < s->npend && done < cap / 2 && !job_done(s->j); i++) {
		u32 ns = s->r->log.w.v[s->pend[i]].nsect;

		for (u32 m = 0; m + 1 < MIN(ns, 8u) && done < cap / 2; m += 3, done++)
			tier_b_state(s, cs, e, i, m, OTHERS_NONE);
	}
	while (done < cap && !job_done(s->j)) {
		u32 i = (u32)(sim_rand(&s->j->rng) % s->npend);
		u32 nm = torn_masks(s->r->log.w.v[s->pend[i]].nsect);

		if (nm)
			tier_b_state(s, cs, e, i, (u32)(sim_rand(&s->j->rng) % nm),
				     (enum others)(sim_rand(&s->j->rng) % NOTHERS));
		done++;
	}
	return done;
}

/* Tier C: write i with sector `sect` replaced by garbage of kind `gb`. */
static void tier_c_state(struct scope *s, struct cstate *cs, u32 e, u32 i, u32 sect, u8 gb,
			 enum others o)
{
	cs_with(s, cs, e, i, o,
		(struct piece){ .w = s->pend[i], .how = PC_GARBAGE, .gb = gb, .arg = sect });
	judge(s, cs);
}

static u32 tier_c_epoch(struct scope *s, struct cstate *cs, u32 e, u32 cap)
{
	u32 per = 0, done = 0;
	static const u8 kinds[] = { GB_ZEROS, GB_ONES, GB_RANDOM, GB_RANDOM | GB_ONLY };

	for (u32 i = 0; i < s->npend; i++)
		per += s->r->log.w.v[s->pend[i]].nsect * 4 * 2;
	for (u32 i = 0; i < s->npend && !job_done(s->j); i++) {
		u32 ns = s->r->log.w.v[s->pend[i]].nsect;

		for (u32 k = 0; k < ns * 8 && !job_done(s->j); k++) {
			/* All of them if they fit, else a seeded sample. */
			if (per > cap && sim_rand(&s->j->rng) % per >= cap)
				continue;
			tier_c_state(s, cs, e, i, k % ns, kinds[(k / ns) % 4],
				     k / ns >= 4 ? OTHERS_ALL : OTHERS_NONE);
			done++;
		}
	}
	return done;
}

void tier_abc(struct job *j, enum tier t)
{
	struct tier_res *res = &j->res[t];
	struct cstate *cs = malloc(sizeof(*cs));
	u32 budget = t == TIER_A ? j->bud.a : t == TIER_B ? j->bud.b : j->bud.c;
	u64 used = 0;
	struct scope s;

	if (!cs)
		abort();
	scope_open(&s, j, &j->rec, t);
	res->epochs_total += s.ep.n;
	sort_r = &j->rec;
	for (u32 e = 0; e < s.ep.n && !job_done(j); e++) {
		u32 left = s.ep.n - e;
		u32 cap = (u32)MAX(2, (budget > used ? budget - used : 0) / left);
		u32 n;

		scope_epoch(&s, e);
		qsort(s.pend, s.npend, sizeof(u32), cmp_landing);
		if (t == TIER_A)
			n = tier_a_epoch(&s, cs, e, cap);
		else if (t == TIER_B)
			n = tier_b_epoch(&s, cs, e, cap);
		else
			n = tier_c_epoch(&s, cs, e, cap);
		used += n;
		res->epochs += n > 0;
	}
	scope_close(&s);
	free(cs);
}
