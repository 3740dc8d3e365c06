/*
 * tests/host/host_alloc.c - boot_alloc() for host tests.
 *
 * As on the target, memory is handed out once and never freed.  It comes
 * from one arena mapped low (MAP_32BIT: below 2 GiB), because legacy
 * virtio addresses a ring by a 32-bit page frame number and the normal
 * (ASan) heap lies far above that; virtio_mmio.c rightly refuses such a
 * ring.  The arena starts poisoned for AddressSanitizer and each block is
 * unpoisoned with a poisoned gap before it, so an overflow of any boot_alloc()
 * block is still reported.
 */
#define _GNU_SOURCE /* MAP_32BIT */
#include <string.h>
#include <sys/mman.h>

#include "lib/boot_alloc.h"

#if defined(__has_include)
#if __has_include(<sanitizer/asan_interface.h>)
#include <sanitizer/asan_interface.h>
#endif
#endif
#ifndef ASAN_POISON_MEMORY_REGION
#define ASAN_POISON_MEMORY_REGION(a, s) ((void)(a), (void)(s))
#define ASAN_UNPOISON_MEMORY_REGION(a, s) ((void)(a), (void)(s))
#endif

#define HOST_ARENA_SIZE (256ul << 20)
#define HOST_ARENA_HINT ((void *)0x40000000ul) /* where MAP_32BIT does not exist */
#define HOST_REDZONE 64u
#ifndef MAP_32BIT
#define MAP_32BIT 0
#endif

static uintptr_t arena_next, arena_end;

static int host_arena_init(void)
{
	void *m = mmap(HOST_ARENA_HINT, HOST_ARENA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

	if (m == MAP_FAILED)
		return -1;
	ASAN_POISON_MEMORY_REGION(m, HOST_ARENA_SIZE);
	arena_next = (uintptr_t)m;
	arena_end = arena_next + HOST_ARENA_SIZE;
	return 0;
}

void boot_alloc_add_region(void *base, size_t size)
{
	(void)base;
	(void)size;
}

void *boot_alloc(size_t size, size_t align)
{
	uintptr_t p;

	if (size == 0 || !IS_POW2(align))
		return NULL;
	if (!arena_end && host_arena_init())
		return NULL;
	p = ALIGN_UP(arena_next + HOST_REDZONE, (uintptr_t)align);
	if (p > arena_end || size > arena_end - p)
		return NULL;
	arena_next = p + size;
	ASAN_UNPOISON_MEMORY_REGION((void *)p, size);
	return memset((void *)p, 0, size);
}

size_t boot_alloc_free_bytes(void)
{
	return arena_end - arena_next;
}

/*
 * kmalloc()/kfree() (lib/heap.h) map to the C library on the host, so
 * AddressSanitizer sees every use-after-free, overflow and leak of the
 * filesystem's run-time state.
 */
#include <stdlib.h>

#include "lib/heap.h"

void heap_init(void *base, size_t size)
{
	(void)base;
	(void)size;
}

void *kmalloc(size_t size)
{
	return size ? calloc(1, size) : NULL;
}

void kfree(void *p)
{
	free(p);
}

size_t heap_free_bytes(void)
{
	return 0;
}
