/*
 * kernel/libc/malloc.c - the C library's allocator is the kernel heap
 * (lib/heap.c): one allocator in the image, not a second one fed by
 * sbrk().  Blocks come zeroed (kmalloc() zeroes), which C allows.
 *
 * newlib calls the reentrant names (_malloc_r ...) internally: they are
 * the same functions.  Single-threaded, like the heap.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

#include "lib/heap.h"

void *malloc(size_t size)
{
	void *p = kmalloc(size ? size : 1);

	if (!p)
		errno = ENOMEM;
	return p;
}

void free(void *p)
{
	kfree(p);
}

void *calloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size) {
		errno = ENOMEM;
		return NULL;
	}
	return malloc(n * size); /* already zeroed */
}

void *realloc(void *p, size_t size)
{
	void *q;

	if (p && !size) {
		kfree(p);
		return NULL;
	}
	q = krealloc(p, size ? size : 1);
	if (!q)
		errno = ENOMEM;
	return q;
}

void *memalign(size_t align, size_t size)
{
	void *p;

	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	p = kmalloc_aligned(size ? size : 1, align);
	if (!p)
		errno = ENOMEM;
	return p;
}

void *aligned_alloc(size_t align, size_t size)
{
	return memalign(align, size);
}

/* memalign() with POSIX's extra rule and its result in the return value. */
int posix_memalign(void **out, size_t align, size_t size)
{
	int saved = errno;
	void *p;

	if (align % sizeof(void *))
		return EINVAL;
	p = memalign(align, size);
	if (!p) {
		int err = errno;

		errno = saved; /* posix_memalign() leaves errno alone */
		return err;
	}
	*out = p;
	return 0;
}

size_t malloc_usable_size(void *p)
{
	return p ? kmalloc_usable(p) : 0;
}

#ifndef __PICOLIBC__
struct _reent;

void *_malloc_r(struct _reent *r, size_t size);
void _free_r(struct _reent *r, void *p);
void *_calloc_r(struct _reent *r, size_t n, size_t size);
void *_realloc_r(struct _reent *r, void *p, size_t size);
void *_memalign_r(struct _reent *r, size_t align, size_t size);
size_t _malloc_usable_size_r(struct _reent *r, void *p);

void *_malloc_r(struct _reent *r, size_t size)
{
	(void)r;
	return malloc(size);
}

void _free_r(struct _reent *r, void *p)
{
	(void)r;
	free(p);
}

void *_calloc_r(struct _reent *r, size_t n, size_t size)
{
	(void)r;
	return calloc(n, size);
}

void *_realloc_r(struct _reent *r, void *p, size_t size)
{
	(void)r;
	return realloc(p, size);
}

void *_memalign_r(struct _reent *r, size_t align, size_t size)
{
	(void)r;
	return memalign(align, size);
}

size_t _malloc_usable_size_r(struct _reent *r, void *p)
{
	(void)r;
	return malloc_usable_size(p);
}
#endif
