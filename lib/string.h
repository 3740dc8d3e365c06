/*
 * lib/string.h - the few C string and memory functions the kernel needs.
 *
 * Freestanding: the compiler may emit calls to memcpy/memset/memmove/memcmp
 * itself, so these carry the standard names and contracts.
 */
#ifndef ORDO_LIB_STRING_H
#define ORDO_LIB_STRING_H

#include "lib/types.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif
