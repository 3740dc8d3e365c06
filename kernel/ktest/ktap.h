/*
 * kernel/ktest/ktap.h - KTAP version 1 output for the in-kernel tests.
 *
 * The format is the kernel's (Documentation/dev-tools/ktap.rst): a version
 * line, a plan "1..N", then one "ok N name" / "not ok N name" per test,
 * with "# SKIP reason" for skipped tests.  Diagnostics are lines starting
 * with "# ".  tests/qemu/run-ktap parses it on the host.
 */
#ifndef ORDO_KTAP_H
#define ORDO_KTAP_H

#include "lib/printf.h"
#include "lib/types.h"

struct ktap {
	unsigned planned;
	unsigned number; /* results printed so far */
	unsigned failed;
	unsigned skipped;
	/* The test now running. */
	bool cur_failed;
	const char *cur_skip;
};

void ktap_begin(struct ktap *k, unsigned planned);

/* Start a test case: clears the failure and skip state. */
void ktap_case_begin(struct ktap *k);

/* Mark the current case skipped with `reason` (a static string). */
void ktap_skip(struct ktap *k, const char *reason);

/* Record a failed expectation and print it as a diagnostic. */
void ktap_fail(struct ktap *k, const char *file, int line, const char *fmt, ...) __printf(4, 5);

/* Print the result line of the current case, named by a printf format. */
void ktap_case_end(struct ktap *k, const char *fmt, ...) __printf(2, 3);

/* Print the totals; returns the exit status (0 only if all passed). */
int ktap_end(struct ktap *k);

/*
 * Expectations.  KT_EXPECT records a failure and continues; KT_ASSERT also
 * returns from the test function (which must return void).
 */
#define KT_EXPECT(k, cond)                                                        \
	do {                                                                      \
		if (!(cond))                                                      \
			ktap_fail((k), __FILE__, __LINE__, "expected %s", #cond); \
	} while (0)

#define KT_EXPECT_EQ(k, a, b)                                                                     \
	do {                                                                                      \
		long long a_ = (long long)(a), b_ = (long long)(b);                               \
		if (a_ != b_)                                                                     \
			ktap_fail((k), __FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, \
				  a_, #b, b_);                                                    \
	} while (0)

#define KT_ASSERT(k, cond)                                                                \
	do {                                                                              \
		if (!(cond)) {                                                            \
			ktap_fail((k), __FILE__, __LINE__, "assertion %s failed", #cond); \
			return;                                                           \
		}                                                                         \
	} while (0)

#endif
