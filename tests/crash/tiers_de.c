/*
 * tests/crash/tiers_de.c - tier D (a crash during recovery) and tier E
 * (injected I/O errors), see tiers.h.
 *
 * Tier D takes the images tier A kept (recovery replayed at least one
 * transaction from them), records their recovery (mount and unmount) on
 * disks like the workload's, and enumerates that recording's crash states
 * as tiers A and B do.  Recovering any of them must give exactly the state
 * the uninterrupted recovery gave.
 *
 * Tier E reruns the workload with the k-th write or flush failing, for k
 * spread over the run, cycling through EIO once, EIO sticky and ENOSPC
 * once.  record.c checks the calls (nothing acknowledged after the
 * failure, every later call fails); here the crash states from the failure
 * on are checked with the usual oracle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/crash/tiers.h"
#include "lib/errno.h"

/* States of one epoch of a tier D/E scope: none, all, prefixes, random. */
static u32 sample_epoch(struct scope *s, struct cstate *cs, u32 e, u32 cap, bool torn)
{
	u32 done = 0;

	scope_epoch(s, e);
	if (s->npend < 10) /* a few per subset is plenty: they repeat */
		cap = MIN(cap, 3u << s->npend);
	for (u32 k = 0; k < cap && !job_done(s->j); k++) {
		u32 np = s->npend, cut = k < 2 ? k * np : (u32)(sim_rand(&s->j->rng) % (np + 1));

		cs->epoch = e;
		cs->keep = false;
		cs->n = 0;
		for (u32 i = 0; i < np; i++) {
			/* k = 0: none; 1: all; even: a prefix; odd: random. */
			bool in = k < 2 || k % 2 == 0 ? i < cut : (sim_rand(&s->j->rng) & 1);

			if (in)
				cs->p[cs->n++] = (struct piece){ .w = s->pend[i], .how = PC_WHOLE };
		}
		if (torn && cs->n && k % 3 == 2) { /* tear the last one */
			cs->p[cs->n - 1].how = PC_TORN;
			cs->p[cs->n - 1].arg = (1ull << (1 + sim_rand(&s->j->rng) % 7)) - 1;
		}
		judge(s, cs);
		done++;
	}
	return done;
}

/* ---- tier D ------------------------------------------------------------- */

static void tier_d_one(struct job *j, struct dcand *d, u32 idx, struct cstate *cs)
{
	struct tier_res *res = &j->res[TIER_D];
	char what[96];
	struct scope s;
	struct rec rr;
	int err;

	snprintf(what, sizeof(what), "recovery of a tier-A image of epoch %u (#%u)", d->epoch, idx);
	err = rec_recovery(&j->rec, d->img, j->seed + 1000 + idx, &rr);
	if (!err && !rr.vmask && rr.states.v[rr.init_state].hash != d->state_hash)
		rec_violation(&rr, V_DIVERGE, "recovery on a volatile disk gave another state");
	if (err || rr.vmask) {
		enum vkind k = err ? V_MOUNT : (enum vkind)__builtin_ctz(rr.vmask);

		res->violations++;
		j->vcount[k]++;
		res->kinds |= BIT(k);
		j->caught = true;
		printf("# VIOLATION %s: workload %s, tier D, %s: %s\n", vkind_name(k), j->wl->name,
		       what, rr.vwhy[k]);
		if (!res->first[0])
			snprintf(res->first, sizeof(res->first), "%s in %s tier D", vkind_name(k),
				 j->wl->name);
		rec_free(&rr);
		return;
	}
	scope_open(&s, j, &rr, TIER_D);
	s.expect_hash = d->state_hash;
	s.what = what;
	res->epochs_total += s.ep.n;
	for (u32 e = 0; e < s.ep.n && !job_done(j); e++) {
		u32 cap = MAX(2u, j->bud.d_states / s.ep.n);

		res->epochs += sample_epoch(&s, cs, e, cap, true) > 0;
	}
	scope_close(&s);
	rec_free(&rr);
}

void tier_d(struct job *j)
{
	struct cstate *cs = malloc(sizeof(*cs));

	if (!cs)
		abort();
	for (u32 i = 0; i < j->ndc && !job_done(j); i++)
		tier_d_one(j, &j->dc[i], i, cs);
	free(cs);
}

/* ---- tier E ------------------------------------------------------------- */

/* The violations of a fault run that are tier E's (the rest are the
 * protocol line's, already counted on the clean run). */
#define TIER_E_KINDS (BIT(V_IO_ACKED) | BIT(V_IO_SWALLOWED) | BIT(V_WORKLOAD) | BIT(V_MODEL))

static void tier_e_calls(struct job *j, struct rec *re, const char *what)
{
	struct tier_res *res = &j->res[TIER_E];
	u32 bad = re->vmask & TIER_E_KINDS;

	if (!bad)
		return;
	res->violations++;
	j->caught = true;
	for (u32 k = 0; k < V_NKINDS; k++) {
		if (!(bad & BIT(k)) || (res->kinds & BIT(k)))
			continue;
		res->kinds |= BIT(k);
		j->vcount[k]++;
		printf("# VIOLATION %s: workload %s, tier E, %s: %s\n", vkind_name((enum vkind)k),
		       j->wl->name, what, re->vwhy[k]);
		if (!res->first[0])
			snprintf(res->first, sizeof(res->first), "%s in %s tier E (%s)",
				 vkind_name((enum vkind)k), j->wl->name, what);
	}
}

static void tier_e_one(struct job *j, const struct sim_fault *f, struct cstate *cs)
{
	struct tier_res *res = &j->res[TIER_E];
	char what[96];
	struct scope s;
	struct rec re;
	u32 first = 0;

	snprintf(what, sizeof(what), "%s #%u fails with %s%s",
		 f->op == BLK_OP_WRITE ? "write" : "flush", f->k, errno_name(f->err),
		 f->sticky ? " (and all later)" : "");
	rec_run(j->wl, j->seed, f, &re);
	if (!re.log.fault.fired) {
		rec_free(&re);
		return;
	}
	if (re.log.fault.advisory) /* the write it hit was a DISCARD */
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " (a DISCARD)");
	tier_e_calls(j, &re, what);
	scope_open(&s, j, &re, TIER_E);
	s.what = what;
	/* From the epoch in which the failure completed. */
	while (first + 1 < s.ep.n && s.ep.end[first] <= re.log.fault.done_ev)
		first++;
	res->epochs_total += s.ep.n - first;
	for (u32 e = first, left = j->bud.e_states; e < s.ep.n && left && !job_done(j); e++) {
		u32 n = sample_epoch(&s, cs, e, MAX(1u, left / (s.ep.n - e)), false);

		res->epochs += n > 0;
		left -= MIN(left, n);
	}
	scope_close(&s);
	rec_free(&re);
}

void tier_e(struct job *j)
{
	static const int errs[] = { -EIO, -EIO, -ENOSPC };
	u32 nw = j->rec.log.writes_seen, nf = j->rec.log.flushes_seen;
	u32 runs_w = j->bud.e_runs * 2 / 3, runs_f = j->bud.e_runs - runs_w, i = 0;
	struct cstate *cs = malloc(sizeof(*cs));

	if (!cs)
		abort();
	for (u32 k = 1; nw && k <= nw && !job_done(j); k += MAX(1u, nw / MAX(runs_w, 1u)), i++) {
		struct sim_fault f = {
			.op = BLK_OP_WRITE, .k = k, .err = errs[i % 3], .sticky = i % 3 == 1
		};

		tier_e_one(j, &f, cs);
	}
	for (u32 k = 1; nf && k <= nf && !job_done(j); k += MAX(1u, nf / MAX(runs_f, 1u)), i++) {
		struct sim_fault f = { .op = BLK_OP_FLUSH, .k = k, .err = -EIO, .sticky = i % 2 };

		tier_e_one(j, &f, cs);
	}
	free(cs);
}
