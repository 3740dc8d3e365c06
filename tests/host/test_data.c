/*
 * tests/host/test_data.c - load a file of tests/data/ (see test_data.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/host/test_data.h"

u8 *test_data_load(const char *name, size_t *lenp)
{
	char path[512], dir[400];
	const char *env = getenv("ORDO_TEST_DATA");
	const char *slash;
	FILE *f;
	long n;
	u8 *buf;

	if (env) {
		snprintf(dir, sizeof(dir), "%s", env);
	} else {
		/* __FILE__ is .../tests/host/test_data.c */
		slash = strrchr(__FILE__, '/');
		snprintf(dir, sizeof(dir), "%.*s/../data", slash ? (int)(slash - __FILE__) : 1,
			 slash ? __FILE__ : ".");
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f) {
		snprintf(path, sizeof(path), "tests/data/%s", name);
		f = fopen(path, "rb");
	}
	if (!f)
		fail_msg("cannot open test data %s", name);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	assert_true(n > 0);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*lenp = (size_t)n;
	return buf;
}
