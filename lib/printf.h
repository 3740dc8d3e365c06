/*
 * lib/printf.h - formatted output for the console and for buffers.
 *
 * Supports %d %i %u %x %X %o %c %s %p %% with the flags '-', '0', a field
 * width (number or '*'), a precision for %s ('.N' or '.*'), and the length
 * modifiers hh h l ll z.  No floating point: figures are printed as scaled
 * integers.
 */
#ifndef ORDO_LIB_PRINTF_H
#define ORDO_LIB_PRINTF_H

#include <stdarg.h>
#include "lib/types.h"

/* Like C's; always NUL-terminates when size > 0; returns the full length. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Print to the boot console.  Returns the number of characters written. */
int vkprintf(const char *fmt, va_list ap);
int kprintf(const char *fmt, ...) __printf(1, 2);

/* Print a message and the caller's location, then stop the machine. */
__noreturn void panic_at(const char *file, int line, const char *fmt, ...) __printf(3, 4);
#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

/* Programmer errors only: never for anything a device or a disk can cause. */
#define BUG_ON(cond)                             \
	do {                                     \
		if (unlikely(cond))              \
			panic("BUG: %s", #cond); \
	} while (0)

#endif
