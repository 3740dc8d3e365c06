/*
 * tests/crash/main.h - the engine's driver: options, one workload per
 * child process, TAP numbering and figures (main.c, driver.c).
 */
#ifndef ORDO_TESTS_CRASH_MAIN_H
#define ORDO_TESTS_CRASH_MAIN_H

#include "tests/crash/tiers.h"

/* Which seeded journal bug this binary was built with, if any. */
#if defined(JNL_MUTANT_NO_DRAIN)
#define CRASH_MUTANT "NO_DRAIN"
#define CRASH_MUTANT_BIT MUT_NO_DRAIN
#elif defined(JNL_MUTANT_NO_FLUSH_BEFORE_COMMIT)
#define CRASH_MUTANT "NO_FLUSH_BEFORE_COMMIT"
#define CRASH_MUTANT_BIT MUT_NO_FLUSH_BEFORE_COMMIT
#elif defined(JNL_MUTANT_NO_FLUSH_AFTER_COMMIT)
#define CRASH_MUTANT "NO_FLUSH_AFTER_COMMIT"
#define CRASH_MUTANT_BIT MUT_NO_FLUSH_AFTER_COMMIT
#elif defined(JNL_MUTANT_COMMIT_FIRST)
#define CRASH_MUTANT "COMMIT_FIRST"
#define CRASH_MUTANT_BIT MUT_COMMIT_FIRST
#elif defined(JNL_MUTANT_NO_CSUM_VERIFY)
#define CRASH_MUTANT "NO_CSUM_VERIFY"
#define CRASH_MUTANT_BIT MUT_NO_CSUM_VERIFY
#elif defined(JNL_MUTANT_CSUM_SKIPS_BLOCK)
#define CRASH_MUTANT "CSUM_SKIPS_BLOCK"
#define CRASH_MUTANT_BIT MUT_CSUM_SKIPS_BLOCK
#elif defined(JNL_MUTANT_TAIL_EARLY)
#define CRASH_MUTANT "TAIL_EARLY"
#define CRASH_MUTANT_BIT MUT_TAIL_EARLY
#elif defined(JNL_MUTANT_REUSE_EARLY)
#define CRASH_MUTANT "REUSE_EARLY"
#define CRASH_MUTANT_BIT MUT_REUSE_EARLY
#elif defined(JNL_MUTANT_SEQ_WRAP)
#define CRASH_MUTANT "SEQ_WRAP"
#define CRASH_MUTANT_BIT MUT_SEQ_WRAP
#elif defined(JNL_MUTANT_STALE_UUID)
#define CRASH_MUTANT "STALE_UUID"
#define CRASH_MUTANT_BIT MUT_STALE_UUID
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
