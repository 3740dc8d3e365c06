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

/* Bytes free in the heap (for the boot log and leak checks). */
size_t heap_free_bytes(void);

#endif
