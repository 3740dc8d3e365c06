/*
 * tests/host/test_util.h - the small helpers the host unit tests and the
 * crash engine (tests/crash) share, instead of each file defining its own.
 *
 * The assertion shorthands expand to cmocka calls: a file using them
 * includes <cmocka.h> (with what it needs) first.  Nothing here is cmocka
 * until used, so the crash engine, which is not a cmocka program, can
 * include it for the rest.
 */
#ifndef ORDO_TESTS_TEST_UTIL_H
#define ORDO_TESTS_TEST_UTIL_H

#include <string.h>
#include <time.h>

#include "arch/host/host.h"
#include "lib/types.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* `expr` succeeds: returns 0. */
#define OK(expr) assert_int_equal((expr), 0)

/* The string `text` contains `want`; if not, both are printed. */
#define assert_text_has(text, want)                                                   \
	do {                                                                          \
		if (!strstr((text), (want)))                                          \
			print_error("text: \"%s\", wanted \"%s\"\n", (text), (want)); \
		assert_non_null(strstr((text), (want)));                              \
	} while (0)

/* The last console line (arch/host) contains `want`. */
#define assert_console_has(want) assert_text_has(host_console_last, (want))

/* A fake that records protocol slips (`violations`, `last_violation`) saw none. */
#define assert_no_violations(fake)                                                         \
	do {                                                                               \
		if ((fake)->violations)                                                    \
			print_error("fake: %u violations, last: %s\n", (fake)->violations, \
				    (fake)->last_violation);                               \
		assert_int_equal((fake)->violations, 0);                                   \
	} while (0)

/* Milliseconds on the monotonic clock (the real one, not arch/host's). */
static inline u64 now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (u64)t.tv_sec * 1000 + (u64)t.tv_nsec / 1000000;
}

#endif
