/*
 * lib/heap.h - general-purpose allocation with free, for state that comes
 * and goes at run time (a mounted filesystem, its block cache).
 *
 * Boot-time driver state uses boot_alloc() (alloc.h) and is never freed.  The
 * kernel gives the heap one region at boot; the host tests map these calls
 * to the C library so AddressSanitizer checks every use.
 */
#ifndef ORDO_LIB_HEAP_H
#define ORDO_LIB_HEAP_H

#include "lib/types.h"

/* Give the heap [base, base + size).  Called once. */
void heap_init(void *base, size_t size);

/* `size` bytes aligned to 16, zeroed; NULL when the heap has no room. */
void *kmalloc(size_t size);

/* Return memory from kmalloc(); NULL is ignored. */
void kfree(void *p);

/*
 * For a C library's malloc family (kernel/libc):
 *   kmalloc_aligned()  like kmalloc(), the payload aligned to `align` (a
 *                      power of two; at most a page is sensible);
 *   krealloc()         resize, keeping the first min(old, new) bytes; the
 *                      grown part is zeroed; NULL (p untouched) when the
 *                      heap has no room; krealloc(NULL, n) = kmalloc(n);
 *   kmalloc_usable()   bytes usable at p (at least what was asked for).
 * Every block of these is freed with kfree().
 */
void *kmalloc_aligned(size_t size, size_t align);
void *krealloc(void *p, size_t size);
size_t kmalloc_usable(const void *p);

/* Bytes free in the heap (for the boot log and leak checks). */
size_t heap_free_bytes(void);

#endif
