/*
 * lib/boot_alloc.c - bump allocator over a few RAM regions (see boot_alloc.h).
 */
#include "lib/boot_alloc.h"
#include "lib/string.h"

#define BOOT_ALLOC_MAX_REGIONS 8

static struct {
	uintptr_t next;
	uintptr_t end;
} boot_regions[BOOT_ALLOC_MAX_REGIONS];
static unsigned boot_nregions;

void boot_alloc_add_region(void *base, size_t size)
{
	if (boot_nregions == BOOT_ALLOC_MAX_REGIONS || size == 0)
		return;
	boot_regions[boot_nregions].next = (uintptr_t)base;
	boot_regions[boot_nregions].end = (uintptr_t)base + size;
	boot_nregions++;
}

void *boot_alloc_uninit(size_t size, size_t align)
{
	if (!IS_POW2(align) || size == 0)
		return NULL;
	for (unsigned i = 0; i < boot_nregions; i++) {
		uintptr_t p = ALIGN_UP(boot_regions[i].next, align);

		/* Written to avoid overflow: p may already be past end. */
		if (p < boot_regions[i].next || p > boot_regions[i].end ||
		    boot_regions[i].end - p < size)
			continue;
		boot_regions[i].next = p + size;
		return (void *)p;
	}
	return NULL;
}

void *boot_alloc(size_t size, size_t align)
{
	void *p = boot_alloc_uninit(size, align);

	return p ? memset(p, 0, size) : NULL;
}

size_t boot_alloc_free_bytes(void)
{
	size_t best = 0;

	for (unsigned i = 0; i < boot_nregions; i++)
		best = MAX(best, boot_regions[i].end - boot_regions[i].next);
	return best;
}
