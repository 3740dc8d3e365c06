/*
 * lib/heap.c - first-fit heap with an address-ordered free list.
 *
 * Every chunk starts with a 16-byte header holding its total size (header
 * included, a multiple of 16).  Free chunks are linked in address order
 * through the header, so kfree() merges a chunk with both neighbours in one
 * pass and fragmentation stays bounded by what is really in use.  O(number
 * of free chunks) per call: the heap serves mounts and caches, not a fast
 * path.  Single-threaded.
 */
#include "lib/heap.h"

#include "lib/printf.h"
#include "lib/string.h"

#define HEAP_ALIGN 16u

struct chunk {
	size_t size;	    /* bytes, header included */
	struct chunk *next; /* next free chunk (free chunks only) */
};
_Static_assert(sizeof(struct chunk) == HEAP_ALIGN, "header keeps payload aligned");

static struct chunk *heap_free_list;
static uintptr_t heap_lo, heap_hi;

void heap_init(void *base, size_t size)
{
	uintptr_t lo = ALIGN_UP((uintptr_t)base, HEAP_ALIGN);
	uintptr_t hi = ((uintptr_t)base + size) & ~(uintptr_t)(HEAP_ALIGN - 1);

	if (hi <= lo + 2 * HEAP_ALIGN)
		return;
	heap_lo = lo;
	heap_hi = hi;
	heap_free_list = (struct chunk *)lo;
	heap_free_list->size = hi - lo;
	heap_free_list->next = NULL;
}

void *kmalloc(size_t size)
{
	size_t need;

	if (size == 0 || size > heap_hi - heap_lo)
		return NULL;
	need = ALIGN_UP(size, HEAP_ALIGN) + sizeof(struct chunk);
	for (struct chunk **pp = &heap_free_list; *pp; pp = &(*pp)->next) {
		struct chunk *c = *pp;

		if (c->size < need)
			continue;
		if (c->size - need >= 2 * sizeof(struct chunk)) {
			/* Split: the tail stays free, in place in the list. */
			struct chunk *rest = (struct chunk *)((u8 *)c + need);

			rest->size = c->size - need;
			rest->next = c->next;
			*pp = rest;
			c->size = need;
		} else {
			*pp = c->next;
		}
		c->next = NULL;
		return memset(c + 1, 0, c->size - sizeof(*c));
	}
	return NULL;
}

void kfree(void *p)
{
	struct chunk *c, *prev = NULL, *next;

	if (!p)
		return;
	c = (struct chunk *)p - 1;
	BUG_ON((uintptr_t)c < heap_lo || (uintptr_t)c + c->size > heap_hi);
	for (next = heap_free_list; next && next < c; next = next->next)
		prev = next;
	BUG_ON(next == c || (prev && (u8 *)prev + prev->size > (u8 *)c)); /* double free */
	c->next = next;
	if (next && (u8 *)c + c->size == (u8 *)next) {
		c->size += next->size;
		c->next = next->next;
	}
	if (prev && (u8 *)prev + prev->size == (u8 *)c) {
		prev->size += c->size;
		prev->next = c->next;
	} else if (prev) {
		prev->next = c;
	} else {
		heap_free_list = c;
	}
}

size_t kmalloc_usable(const void *p)
{
	return ((const struct chunk *)p - 1)->size - sizeof(struct chunk);
}

void *krealloc(void *p, size_t size)
{
	void *q;

	if (!p)
		return kmalloc(size);
	if (size && size <= kmalloc_usable(p))
		return p; /* the slack was zeroed by kmalloc() and stays so */
	q = kmalloc(size);
	if (q) {
		memcpy(q, p, kmalloc_usable(p));
		kfree(p);
	}
	return q;
}

/*
 * Over-allocate, then give the part before the first aligned payload
 * that leaves room for a whole free chunk back to the heap.
 */
void *kmalloc_aligned(size_t size, size_t align)
{
	struct chunk *c, *head;
	uintptr_t p;

	if (align <= HEAP_ALIGN)
		return kmalloc(size);
	if (!IS_POW2(align) || size > heap_hi - heap_lo)
		return NULL;
	head = kmalloc(size + align + 2 * sizeof(struct chunk));
	if (!head)
		return NULL;
	head--;
	p = ALIGN_UP((uintptr_t)(head + 1), align);
	if (p != (uintptr_t)(head + 1)) {
		/* At least one whole chunk before the aligned one. */
		if (p - (uintptr_t)(head + 1) < 2 * sizeof(struct chunk))
			p += align;
		c = (struct chunk *)p - 1;
		c->size = head->size - (size_t)((u8 *)c - (u8 *)head);
		c->next = NULL;
		head->size = (size_t)((u8 *)c - (u8 *)head);
		kfree(head + 1);
		head = c;
	}
	return head + 1;
}

size_t heap_free_bytes(void)
{
	size_t n = 0;

	for (struct chunk *c = heap_free_list; c; c = c->next)
		n += c->size;
	return n;
}
