/*
 * lib/kprintf.c - kprintf(), the variadic face of vkprintf().
 *
 * Every build links this one; what differs is vkprintf(): the kernel's
 * formatter and console (lib/printf.c), the host tests' capture
 * (arch/host/host.c), the image tool's stderr (tools/ordofs.c).
 */
#include "lib/printf.h"

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}
