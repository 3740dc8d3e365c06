/*
 * tests/host/test_data.h - test data files (tests/data/) for host tests.
 */
#ifndef ORDO_TESTS_TEST_DATA_H
#define ORDO_TESTS_TEST_DATA_H

#include <stddef.h>

#include "lib/types.h"

/*
 * The whole of tests/data/NAME in a malloc'd buffer (the caller frees it),
 * its size in *lenp.  Looked up in $ORDO_TEST_DATA, next to this source
 * file, then relative to the current directory; a missing or empty file
 * fails the running cmocka test.
 */
u8 *test_data_load(const char *name, size_t *lenp);

#endif
