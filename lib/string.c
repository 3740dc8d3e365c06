/*
 * lib/string.c - memory and string primitives for the freestanding kernel.
 *
 * memcpy, memset and memcmp move machine words where they can: once the
 * destination (and, for copy and compare, the source at the same offset)
 * is word-aligned, four words per step, with byte loops for the unaligned
 * head and the tail.  Only aligned word accesses, never past either end,
 * so they stay correct on any memory an aligned load or store may touch.
 * Buffers whose two addresses differ in alignment go byte by byte.
 *
 * The host unit tests (tests/host/test_string.c) build this file with
 * STRING_NAME(f) = ordo_##f, beside the C library's own functions.
 */
#include "lib/string.h"

#ifndef STRING_NAME
#define STRING_NAME(f) f
#endif

/* A machine word that may alias any object (the kernel's buffers are u8). */
typedef unsigned long __attribute__((may_alias)) str_word;

#define WSIZE sizeof(str_word)
#define WMASK ((uintptr_t)WSIZE - 1)

/* Both pointers are as far from word alignment as each other. */
static inline bool co_aligned(const void *a, const void *b)
{
	return (((uintptr_t)a ^ (uintptr_t)b) & WMASK) == 0;
}

void *STRING_NAME(memcpy)(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (n >= 2 * WSIZE && co_aligned(d, s)) {
		for (; (uintptr_t)d & WMASK; n--)
			*d++ = *s++;
		for (; n >= 4 * WSIZE; n -= 4 * WSIZE, d += 4 * WSIZE, s += 4 * WSIZE) {
			str_word w0 = ((const str_word *)s)[0], w1 = ((const str_word *)s)[1];
			str_word w2 = ((const str_word *)s)[2], w3 = ((const str_word *)s)[3];

			((str_word *)d)[0] = w0;
			((str_word *)d)[1] = w1;
			((str_word *)d)[2] = w2;
			((str_word *)d)[3] = w3;
		}
		for (; n >= WSIZE; n -= WSIZE, d += WSIZE, s += WSIZE)
			*(str_word *)d = *(const str_word *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *STRING_NAME(memmove)(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (d == s || n == 0)
		return dst;
	if (d + n <= s || s + n <= d)
		return STRING_NAME(memcpy)(dst, src, n); /* no overlap */
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *STRING_NAME(memset)(void *dst, int c, size_t n)
{
	u8 *d = dst;
	str_word w = (str_word)(u8)c * (~(str_word)0 / 0xff); /* c in every byte */

	if (n >= 2 * WSIZE) {
		for (; (uintptr_t)d & WMASK; n--)
			*d++ = (u8)c;
		for (; n >= 4 * WSIZE; n -= 4 * WSIZE, d += 4 * WSIZE) {
			((str_word *)d)[0] = w;
			((str_word *)d)[1] = w;
			((str_word *)d)[2] = w;
			((str_word *)d)[3] = w;
		}
		for (; n >= WSIZE; n -= WSIZE, d += WSIZE)
			*(str_word *)d = w;
	}
	while (n--)
		*d++ = (u8)c;
	return dst;
}

int STRING_NAME(memcmp)(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	if (n >= 2 * WSIZE && co_aligned(x, y)) {
		for (; (uintptr_t)x & WMASK; n--, x++, y++) {
			if (*x != *y)
				return *x < *y ? -1 : 1;
		}
		/* Equal words are skipped; the first unequal one is compared by bytes. */
		for (; n >= WSIZE && *(const str_word *)x == *(const str_word *)y;
		     n -= WSIZE, x += WSIZE, y += WSIZE)
			;
	}
	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
	}
	return 0;
}

size_t STRING_NAME(strlen)(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t STRING_NAME(strnlen)(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int STRING_NAME(strcmp)(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (int)(u8)*a - (int)(u8)*b;
}

int STRING_NAME(strncmp)(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (int)(u8)*a - (int)(u8)*b;
	}
	return 0;
}

char *STRING_NAME(strchr)(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
