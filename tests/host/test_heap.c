/*
 * tests/host/test_heap.c - the kernel heap (lib/heap.c) itself, which the
 * C library's malloc family sits on in application images.  The other
 * host tests map kmalloc() to the C library (host_alloc.c); here heap.c
 * is included under other names and run over a private region, so every
 * test can check the free list returns to one whole chunk: no leak, and
 * neighbours merge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#define heap_init th_heap_init
#define kmalloc th_kmalloc
#define kfree th_kfree
#define kmalloc_aligned th_kmalloc_aligned
#define krealloc th_krealloc
#define kmalloc_usable th_kmalloc_usable
#define heap_free_bytes th_heap_free_bytes
#include "lib/heap.c"

#define REGION (256u << 10)

static _Alignas(4096) u8 region[REGION];

static int setup(void **state)
{
	(void)state;
	memset(region, 0xa5, sizeof(region));
	heap_init(region, sizeof(region));
	return 0;
}

/* Everything freed: one chunk again, and it can be handed out whole. */
static void assert_whole(void)
{
	void *p;

	assert_int_equal(heap_free_bytes(), REGION);
	assert_non_null(heap_free_list);
	assert_null(heap_free_list->next);
	p = kmalloc(REGION - sizeof(struct chunk));
	assert_non_null(p);
	kfree(p);
}

static void test_alloc_free_merge(void **state)
{
	void *a, *b, *c;

	(void)state;
	a = kmalloc(100);
	b = kmalloc(200);
	c = kmalloc(300);
	assert_true(a && b && c);
	assert_int_equal((uintptr_t)a % HEAP_ALIGN, 0);
	for (size_t i = 0; i < 200; i++)
		assert_int_equal(((u8 *)b)[i], 0); /* zeroed */
	assert_true(kmalloc_usable(b) >= 200);
	/* Free the middle one first: it must merge with both later. */
	kfree(b);
	kfree(a);
	kfree(c);
	assert_whole();
	assert_null(kmalloc(0));
	assert_null(kmalloc(REGION));
}

static void test_aligned(void **state)
{
	void *keep[16];
	unsigned n = 0;

	(void)state;
	for (size_t align = 1; align <= 4096; align <<= 1) {
		/* A small block first, so the big one does not start aligned. */
		void *pad = kmalloc(16);
		u8 *p = kmalloc_aligned(1000, align);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % (align < HEAP_ALIGN ? HEAP_ALIGN : align), 0);
		assert_true(kmalloc_usable(p) >= 1000);
		for (size_t i = 0; i < 1000; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0x5a, 1000);
		kfree(pad);
		keep[n++] = p;
	}
	assert_null(kmalloc_aligned(16, 48)); /* not a power of two */
	while (n)
		kfree(keep[--n]);
	assert_whole();
}

static void test_resize(void **state)
{
	u8 *p, *q, *big;

	(void)state;
	p = krealloc(NULL, 40);
	assert_non_null(p);
	memset(p, 7, 40);
	/* Within the chunk: same block. */
	assert_ptr_equal(krealloc(p, 10), p);
	/* Grow: content kept, the new part zeroed. */
	q = krealloc(p, 5000);
	assert_non_null(q);
	for (size_t i = 0; i < 40; i++)
		assert_int_equal(q[i], 7);
	for (size_t i = 48; i < 5000; i++)
		assert_int_equal(q[i], 0);
	/* No room: NULL, and the block is untouched and still ours. */
	big = krealloc(q, REGION);
	assert_null(big);
	assert_int_equal(q[0], 7);
	kfree(q);
	assert_whole();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_alloc_free_merge, setup),
		cmocka_unit_test_setup(test_aligned, setup),
		cmocka_unit_test_setup(test_resize, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
