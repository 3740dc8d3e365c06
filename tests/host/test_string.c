/*
 * tests/host/test_string.c - the kernel's word-wise memory primitives
 * (lib/string.c, built here as ordo_memcpy & co.) against byte-by-byte
 * references, for every length up to 3 * 64 + 7 and every head alignment
 * of source and destination, in buffers exactly as large as the operation
 * needs, so AddressSanitizer catches any access past either end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/types.h"

void *ordo_memcpy(void *dst, const void *src, size_t n);
void *ordo_memmove(void *dst, const void *src, size_t n);
void *ordo_memset(void *dst, int c, size_t n);
int ordo_memcmp(const void *a, const void *b, size_t n);

#define MAX_LEN (3 * 64 + 7)
#define MAX_OFF 16

/* Deterministic bytes that differ per position and seed. */
static void fill(u8 *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (u8)(seed * 131u + i * 7u + (i >> 3) + 1);
}

/* A heap buffer of exactly off + n bytes (ASan bounds it), filled. */
static u8 *buf(size_t off, size_t n, unsigned seed)
{
	u8 *p = malloc(off + n + 1); /* + 1: malloc(0) may be NULL */

	assert_non_null(p);
	fill(p, off + n, seed);
	return p;
}

static void test_memcpy(void **state)
{
	(void)state;
	for (size_t n = 0; n <= MAX_LEN; n++) {
		for (size_t so = 0; so < MAX_OFF; so++) {
			for (size_t doff = 0; doff < MAX_OFF; doff++) {
				u8 *src = buf(so, n, 1), *dst = buf(doff, n, 2);
				u8 want[MAX_OFF + MAX_LEN];

				memcpy(want, dst, doff + n);
				for (size_t i = 0; i < n; i++)
					want[doff + i] = src[so + i];
				assert_ptr_equal(ordo_memcpy(dst + doff, src + so, n), dst + doff);
				assert_memory_equal(dst, want, doff + n);
				free(src);
				free(dst);
			}
		}
	}
}

static void test_memset(void **state)
{
	static const int values[] = { 0, 0xa5, 0xff, 0x1ff /* only the low byte counts */ };

	(void)state;
	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		for (size_t n = 0; n <= MAX_LEN; n++) {
			for (size_t off = 0; off < MAX_OFF; off++) {
				u8 *d = buf(off, n, 3), want[MAX_OFF + MAX_LEN];

				memcpy(want, d, off + n);
				for (size_t i = 0; i < n; i++)
					want[off + i] = (u8)values[v];
				assert_ptr_equal(ordo_memset(d + off, values[v], n), d + off);
				assert_memory_equal(d, want, off + n);
				free(d);
			}
		}
	}
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void test_memcmp(void **state)
{
	(void)state;
	for (size_t n = 0; n <= MAX_LEN; n++) {
		for (size_t ao = 0; ao < MAX_OFF; ao++) {
			for (size_t bo = 0; bo < MAX_OFF; bo += 3) {
				u8 *a = buf(ao, n, 4), *b = buf(bo, n, 5);

				/* Equal, then one byte differs at each of a few places. */
				memcpy(b + bo, a + ao, n);
				assert_int_equal(ordo_memcmp(a + ao, b + bo, n), 0);
				for (size_t k = 0; k < n; k += 1 + n / 5) {
					b[bo + k] = (u8)(a[ao + k] + 1);
					assert_int_equal(sign(ordo_memcmp(a + ao, b + bo, n)),
							 sign(memcmp(a + ao, b + bo, n)));
					assert_int_equal(sign(ordo_memcmp(b + bo, a + ao, n)),
							 sign(memcmp(b + bo, a + ao, n)));
					b[bo + k] = a[ao + k];
				}
				free(a);
				free(b);
			}
		}
	}
}

static void test_memmove_overlap(void **state)
{
	(void)state;
	for (size_t n = 0; n <= MAX_LEN; n++) {
		for (size_t shift = 0; shift < 2 * MAX_OFF; shift++) {
			size_t size = n + shift;
			u8 *p = buf(0, size, 6), want[2 * MAX_OFF + MAX_LEN];

			/* Forward (dst below src) and backward (dst above src). */
			memcpy(want, p, size);
			memmove(want, want + shift, n);
			ordo_memmove(p, p + shift, n);
			assert_memory_equal(p, want, size);
			fill(p, size, 7);
			memcpy(want, p, size);
			memmove(want + shift, want, n);
			ordo_memmove(p + shift, p, n);
			assert_memory_equal(p, want, size);
			free(p);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy),
		cmocka_unit_test(test_memset),
		cmocka_unit_test(test_memcmp),
		cmocka_unit_test(test_memmove_overlap),
	};

	return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
