/*
 * lib/boot_alloc.h - boot-time memory for rings, request headers and buffers.
 *
 * A bump allocator: memory is handed out once and never freed, which is all
 * a driver that allocates at probe time (and reuses on reset) needs.  The
 * kernel feeds it the RAM after its image; host tests use the C library.
 */
#ifndef ORDO_LIB_BOOT_ALLOC_H
#define ORDO_LIB_BOOT_ALLOC_H

#include "lib/types.h"

/* Give [base, base+size) to the allocator (may be called once per region). */
void boot_alloc_add_region(void *base, size_t size);

/*
 * Zeroed memory of `size` bytes aligned to `align` (a power of two), or NULL
 * when no region has room.  Suitable for DMA: identity-mapped, cacheable,
 * coherent with the devices we drive.
 */
void *boot_alloc(size_t size, size_t align);

/*
 * The same, not zeroed: for a region whose user initialises what it hands
 * out (the heap: kmalloc() zeroes each allocation), so boot does not touch
 * every byte of RAM.
 */
void *boot_alloc_uninit(size_t size, size_t align);

/* Bytes still available in the largest region, for the boot log. */
size_t boot_alloc_free_bytes(void);

#endif
