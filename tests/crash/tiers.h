/*
 * tests/crash/tiers.h - the tiers of crash states and the oracle.
 *
 * A job is one workload put through every tier:
 *
 *   A  every subset of P_e applied whole (all of them while |P_e| is at
 *      most budget.exh_bits, a structured and random sample beyond), and
 *      for overlapping writes every version that may survive; a subset
 *      that applies a DISCARD is judged twice, with the DISCARDs' blocks
 *      zeroed and with their old data kept (enum.h)
 *   B  torn writes: proper subsets of a pending write's sectors, with none,
 *      all, or the earlier-submitted of the other pending writes
 *   C  garbage: a pending sector replaced by zeros, ones or random bytes
 *   D  double crash: recovery of a tier-A image that replays something is
 *      itself recorded on a volatile disk and crashed; recovering again
 *      must give exactly what the uninterrupted recovery gave
 *   E  I/O errors: the k-th write or flush fails (EIO or ENOSPC, once or
 *      sticky) over a spread of k; no commit may be acknowledged and every
 *      later call must fail; the run's crash states must still recover
 *
 * A scope is one enumeration: a recorded run, its epochs, an image builder
 * and an outcome cache (image hash -> what recovery made of it), so a
 * state whose image was already checked costs only the oracle.
 */
#ifndef ORDO_TESTS_CRASH_TIERS_H
#define ORDO_TESTS_CRASH_TIERS_H

#include "tests/crash/enum.h"

enum tier { TIER_A, TIER_B, TIER_C, TIER_D, TIER_E, NTIERS };

struct budget {
	u32 a, b, c;  /* states per workload in tiers A, B, C */
	u32 exh_bits; /* tier A: all subsets while |P_e| <= this */
	u32 d_images; /* tier D: recoveries crashed */
	u32 d_states; /* tier D: states per recovery */
	u32 e_runs;   /* tier E: fault injections */
	u32 e_states; /* tier E: states per injection */
};

struct tier_res {
	u64 states, images, violations;
	u64 epochs, epochs_total;
	u32 kinds;	 /* V_* bits seen */
	char first[240]; /* the first violation, one line */
	u64 ms;		 /* time spent */
	u32 pmax;	 /* largest pending set met */
	u64 sampled;	 /* epochs too large to enumerate exhaustively */
	u64 keep_states; /* tier A: states where every DISCARD kept the old data */
};

#define JOB_MAX_D 16

struct dcand {
	u8 *img[SIM_MAX_DEVS];
	u64 state_hash; /* what recovering it gave */
	u32 epoch;
};

struct job {
	const struct wl_def *wl;
	struct budget bud;
	bool mutant; /* stop at the first violation */
	u64 seed;
	struct rec rec;
	struct tier_res res[NTIERS];
	struct dcand dc[JOB_MAX_D];
	u32 ndc, dseen;
	u64 rng;
	bool caught;
	u64 vcount[V_NKINDS]; /* violations by kind, all tiers */
};

struct ocache {
	u64 *key;
	struct outcome *val;
	u32 cap, n;
};

struct scope {
	struct job *j;
	struct rec *r;
	struct epochs ep;
	struct imgb *b;
	struct ocache cache;
	enum tier tier;
	u64 expect_hash; /* tier D: the one acceptable state; 0: the oracle */
	u32 *pend;	 /* P_e of the epoch being enumerated */
	u32 npend;
	const char *what; /* tier D/E: which recovery or fault, for reports */
};

void scope_open(struct scope *s, struct job *j, struct rec *r, enum tier t);
void scope_close(struct scope *s);
/* Load P_e (capped at CS_MAX writes) into s->pend. */
void scope_epoch(struct scope *s, u32 e);

/* Check one crash state and report it if it violates the oracle. */
bool judge(struct scope *s, struct cstate *cs);

/* Tiers: tiers_abc.c and tiers_de.c. */
void tier_abc(struct job *j, enum tier t);
void tier_d(struct job *j);
void tier_e(struct job *j);

static inline bool job_done(const struct job *j)
{
	return j->mutant && j->caught;
}

#endif
