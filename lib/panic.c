/*
 * lib/panic.c - stop the machine on a programmer error.
 *
 * Never called for anything a device or a disk image can cause: those get
 * an error code and a console message.
 */
#include <stdarg.h>

#include "arch/port.h"
#include "lib/printf.h"

__noreturn void panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	kprintf("\nPANIC at %s:%d: ", file, line);
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	arch_exit(2);
}
