/*
 * tests/host/test_cmdline.c - host tests for kernel/cmdline.c.
 *
 * What the rest of the kernel relies on: bare-word flags, key=value numbers
 * (decimal and 0x hex, refusing garbage and overflow instead of wrapping),
 * whole-word matching (a word that merely starts with the key is another
 * option), and a bounded copy of an over-long line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "kernel/cmdline.h"
#include "lib/errno.h"

static void test_flags(void **state)
{
	static const struct {
		const char *line, *word;
		bool want;
	} rows[] = {
		{ "ktest", "ktest", true },
		{ "demo ktest", "ktest", true },
		{ "ktest demo", "ktest", true },
		{ "  ktest  ", "ktest", true },
		{ "a  ktest  b", "ktest", true },
		{ "", "ktest", false },
		{ "ktestx", "ktest", false },  /* longer word */
		{ "xktest", "ktest", false },  /* not at a word start */
		{ "kte", "ktest", false },     /* shorter word */
		{ "ktest=1", "ktest", false }, /* an option is not a flag */
		{ "blk.ignore_flush", "blk.ignore", false },
		{ "blk.ignore blk.ignore_flush", "blk.ignore_flush", true },
		{ "demo", "ktest", false },
	};

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(rows); r++) {
		cmdline_set(rows[r].line);
		if (cmdline_flag(rows[r].word) != rows[r].want)
			fail_msg("\"%s\": flag \"%s\" should be %s", rows[r].line, rows[r].word,
				 rows[r].want ? "set" : "unset");
	}
}

static void test_numbers(void **state)
{
	static const struct {
		const char *line, *key;
		int want;
		u64 val;
	} rows[] = {
		{ "blk.timeout_ms=500", "blk.timeout_ms", 0, 500 },
		{ "a b.c=7 d", "b.c", 0, 7 },
		{ "x=0", "x", 0, 0 },
		{ "x=007", "x", 0, 7 },
		{ "x=0x10", "x", 0, 16 },
		{ "x=0XfF", "x", 0, 255 },
		{ "x=0xdeadBEEF", "x", 0, 0xdeadbeef },
		{ "x=18446744073709551615", "x", 0, UINT64_MAX },
		{ "x=0xffffffffffffffff", "x", 0, UINT64_MAX },
		{ "x=0x0000000000000000001", "x", 0, 1 },
		/* overflow is an error, never a wrapped value */
		{ "x=18446744073709551616", "x", -EINVAL, 0 },
		{ "x=99999999999999999999", "x", -EINVAL, 0 },
		{ "x=0x10000000000000000", "x", -EINVAL, 0 },
		/* not a number */
		{ "x=", "x", -EINVAL, 0 },
		{ "x= y", "x", -EINVAL, 0 },
		{ "x=0x", "x", -EINVAL, 0 },
		{ "x=abc", "x", -EINVAL, 0 },
		{ "x=12abc", "x", -EINVAL, 0 },
		{ "x=-1", "x", -EINVAL, 0 },
		{ "x=+1", "x", -EINVAL, 0 },
		{ "x=1.5", "x", -EINVAL, 0 },
		{ "x=0x1g", "x", -EINVAL, 0 },
		{ "x=1f", "x", -EINVAL, 0 }, /* hex digit without 0x */
		/* missing */
		{ "", "x", -ENOENT, 0 },
		{ "x", "x", -ENOENT, 0 }, /* a flag, not an option */
		{ "y=1", "x", -ENOENT, 0 },
		{ "xx=1", "x", -ENOENT, 0 },
		{ "ax=1", "x", -ENOENT, 0 },
		{ "blk.timeout_ms_extra=1", "blk.timeout_ms", -ENOENT, 0 },
		{ "blk.timeout=1", "blk.timeout_ms", -ENOENT, 0 },
		/* the whole word is the right one even after a near miss */
		{ "blk.timeout_ms_extra=1 blk.timeout_ms=42", "blk.timeout_ms", 0, 42 },
		{ "blk.timeout_ms blk.timeout_ms=43", "blk.timeout_ms", 0, 43 },
	};

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(rows); r++) {
		u64 v = 0x5a5a5a5a5a5a5a5aull;
		int got;

		cmdline_set(rows[r].line);
		got = cmdline_u64(rows[r].key, &v);
		if (got != rows[r].want)
			fail_msg("\"%s\" key %s: got %d, want %d", rows[r].line, rows[r].key, got,
				 rows[r].want);
		if (got == 0 && v != rows[r].val)
			fail_msg("\"%s\": value %llu, want %llu", rows[r].line,
				 (unsigned long long)v, (unsigned long long)rows[r].val);
		/* A failed lookup leaves the caller's default alone. */
		if (got != 0)
			assert_int_equal(v, 0x5a5a5a5a5a5a5a5aull);
	}
}

/* A line longer than CMDLINE_MAX is cut at CMDLINE_MAX - 1 characters. */
static void test_truncation(void **state)
{
	static char line[CMDLINE_MAX + 64];
	size_t head = CMDLINE_MAX - 1 - 6;
	u64 v;

	(void)state;
	/* "aaaa...a ktest lost" with " ktest" ending exactly at the limit. */
	memset(line, 'a', head);
	strcpy(line + head, " ktest lost=1");
	memset(line + strlen(line), 'b', 40);
	cmdline_set(line);
	assert_int_equal(strlen(cmdline_get()), CMDLINE_MAX - 1);
	assert_memory_equal(cmdline_get(), line, CMDLINE_MAX - 1);
	assert_true(cmdline_flag("ktest"));
	assert_false(cmdline_flag("lost=1"));
	assert_int_equal(cmdline_u64("lost", &v), -ENOENT);

	/* Exactly CMDLINE_MAX - 1 characters is kept whole. */
	memset(line, 'c', CMDLINE_MAX - 1);
	line[CMDLINE_MAX - 1] = '\0';
	cmdline_set(line);
	assert_string_equal(cmdline_get(), line);
}

/* The copy is the kernel's own: later changes to the source do not leak in. */
static void test_copy_and_null(void **state)
{
	char src[] = "ktest blk.timeout_ms=5";
	u64 v;

	(void)state;
	cmdline_set(src);
	memset(src, 'z', sizeof(src) - 1);
	assert_true(cmdline_flag("ktest"));
	assert_int_equal(cmdline_u64("blk.timeout_ms", &v), 0);
	assert_int_equal(v, 5);

	cmdline_set(NULL);
	assert_string_equal(cmdline_get(), "");
	assert_false(cmdline_flag("ktest"));
	assert_int_equal(cmdline_u64("blk.timeout_ms", &v), -ENOENT);
}

/* "--" hands the rest to the application: never a kernel flag or option. */
static void test_app_args(void **state)
{
	char buf[16];
	u64 v;

	(void)state;
	cmdline_set("ktest.x blk.timeout_ms=5 -- ktest blk.queue=8 put a--b");
	assert_true(cmdline_flag("ktest.x"));
	assert_false(cmdline_flag("ktest"));
	assert_int_equal(cmdline_u64("blk.queue", &v), -ENOENT);
	assert_int_equal(cmdline_u64("blk.timeout_ms", &v), 0);
	assert_int_equal(v, 5);
	assert_string_equal(cmdline_args(), "ktest blk.queue=8 put a--b");

	/* "--" must be a word of its own; the rest may be empty. */
	cmdline_set("a--b --x");
	assert_null(cmdline_args());
	assert_true(cmdline_flag("--x"));
	cmdline_set("demo --");
	assert_string_equal(cmdline_args(), "");
	assert_true(cmdline_flag("demo"));
	cmdline_set("--   kvlog  scan");
	assert_string_equal(cmdline_args(), "kvlog  scan");
	assert_int_equal(cmdline_str("kvlog", buf, sizeof(buf)), -ENOENT);
	assert_false(cmdline_flag("scan"));
	cmdline_set(NULL);
	assert_null(cmdline_args());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags),	   cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_truncation), cmocka_unit_test(test_copy_and_null),
		cmocka_unit_test(test_app_args),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
