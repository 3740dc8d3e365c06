/*
 * tests/host/host_alloc.c - kalloc() for host tests, from the C library.
 *
 * Memory is never freed, as on the target; LeakSanitizer is told so by
 * keeping every block reachable from a list.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"

struct host_block {
	struct host_block *next;
};

static struct host_block *host_blocks;

void kalloc_add_region(void *base, size_t size)
{
	(void)base;
	(void)size;
}

void *kalloc(size_t size, size_t align)
{
	struct host_block *b;
	size_t hdr = align < sizeof(*b) ? sizeof(*b) : align;
	char *p;

	if (size == 0 || align == 0 || (align & (align - 1)))
		return NULL;
	if (posix_memalign((void **)&p, align < sizeof(void *) ? sizeof(void *) : align,
			   hdr + size))
		return NULL;
	b = (struct host_block *)p;
	b->next = host_blocks;
	host_blocks = b;
	memset(p + hdr, 0, size);
	return p + hdr;
}

size_t kalloc_free_bytes(void)
{
	return 0;
}
