/*
 * tests/crash/main.h - the engine's driver: options, one workload per
 * child process, TAP numbering and figures (main.c, driver.c).
 */
#ifndef ORDO_TESTS_CRASH_MAIN_H
#define ORDO_TESTS_CRASH_MAIN_H

#include "tests/crash/tiers.h"

/*
 * Which seeded journal bug this binary was built with, if any: -DJNL_MUTANT=
 * NAME (kernel/fs/jnl_mutant.h) names it, and MUT_NAME is its workload bit.
 */
#ifdef JNL_MUTANT
#define CRASH_STR_(x) #x
#define CRASH_STR(x) CRASH_STR_(x)
#define CRASH_CAT_(a, b) a##b
#define CRASH_CAT(a, b) CRASH_CAT_(a, b)
#define CRASH_MUTANT CRASH_STR(JNL_MUTANT)
#define CRASH_MUTANT_BIT CRASH_CAT(MUT_, JNL_MUTANT)
#endif

struct opts {
	bool quick, list, mutant;
	bool crash_only; /* protocol violations do not count (mutants) */
	u32 jobs;
	const char *only;
	const char *tiers; /* letters of the tiers to run */
	u64 seed;
};

/* Run one workload through the tiers, printing "@@" lines (main.c).
 * Returns 1 if anything was violated, else 0. */
int run_job(const struct wl_def *wl, const struct opts *o, u64 seed);

/* The driver (driver.c): all workloads, or a mutant's.  Exit status. */
int run_all(const struct wl_def *const *sel, u32 n, const struct opts *o);
int run_mutant(const struct wl_def *const *sel, u32 n, const struct opts *o);

#endif
