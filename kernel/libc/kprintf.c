/*
 * kernel/libc/kprintf.c - the console printf of an image with a C
 * library: the library's vsnprintf() formats, so the image has one
 * printf implementation, not two (lib/printf.c is left out).
 *
 * A line longer than the buffer is cut and says so.  The buffer is on
 * the stack: kprintf() works before any allocator does.
 */
#include "arch/arch.h"
#include "lib/printf.h"

#define KPRINTF_BUF 512

int vkprintf(const char *fmt, va_list ap)
{
	static const char cut[] = "[...]\n";
	char buf[KPRINTF_BUF];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return n;
	for (int i = 0; i < n && i < KPRINTF_BUF - 1; i++)
		arch_console_putc(buf[i]);
	if (n >= KPRINTF_BUF) {
		for (const char *p = cut; *p; p++)
			arch_console_putc(*p);
	}
	return n;
}
