/*
 * lib/alloc.c - bump allocator over a few RAM regions (see alloc.h).
 */
#include "lib/alloc.h"
#include "lib/string.h"

#define KALLOC_MAX_REGIONS 8

static struct {
	uintptr_t next;
	uintptr_t end;
} kalloc_regions[KALLOC_MAX_REGIONS];
static unsigned kalloc_nregions;

void kalloc_add_region(void *base, size_t size)
{
	if (kalloc_nregions == KALLOC_MAX_REGIONS || size == 0)
		return;
	kalloc_regions[kalloc_nregions].next = (uintptr_t)base;
	kalloc_regions[kalloc_nregions].end = (uintptr_t)base + size;
	kalloc_nregions++;
}

void *kalloc(size_t size, size_t align)
{
	if (!IS_POW2(align) || size == 0)
		return NULL;
	for (unsigned i = 0; i < kalloc_nregions; i++) {
		uintptr_t p = ALIGN_UP(kalloc_regions[i].next, align);

		/* Written to avoid overflow: p may already be past end. */
		if (p < kalloc_regions[i].next || p > kalloc_regions[i].end ||
		    kalloc_regions[i].end - p < size)
			continue;
		kalloc_regions[i].next = p + size;
		return memset((void *)p, 0, size);
	}
	return NULL;
}

size_t kalloc_free_bytes(void)
{
	size_t best = 0;

	for (unsigned i = 0; i < kalloc_nregions; i++)
		best = MAX(best, kalloc_regions[i].end - kalloc_regions[i].next);
	return best;
}
