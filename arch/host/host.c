/*
 * arch/host/host.c - the arch layer for host unit tests.
 *
 * The portable layers (lib, drivers, kernel/block) are compiled for the host
 * against this file: register accesses go to the fake installed in
 * host_io, the console goes to stdout (or is silenced), and time is a fake
 * clock the tests control, so timeouts are exercised without sleeping.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <asm/io.h>

#include "arch/arch.h"
#include "arch/host/host.h"
#include "lib/errno.h"
#include "lib/printf.h"

struct host_io_ops host_io;
u64 host_time_ns;
u64 host_time_step_ns = 1000;
bool host_console_quiet;
char host_console_last[256];

u32 host_io_read(uintptr_t a, unsigned width)
{
	if (!host_io.read)
		return ~0u;
	return host_io.read(host_io.ctx, a, width);
}

void host_io_write(uintptr_t a, u32 v, unsigned width)
{
	if (host_io.write)
		host_io.write(host_io.ctx, a, v, width);
}

void arch_console_putc(char c)
{
	if (!host_console_quiet)
		putchar(c);
}

int vkprintf(const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(host_console_last, sizeof(host_console_last), fmt, copy);
	va_end(copy);
	if (!host_console_quiet)
		fputs(host_console_last, stdout);
	return n;
}

__noreturn void arch_exit(int status)
{
	fflush(stdout);
	/* Only panic() reaches this on the host: make it a test failure. */
	fprintf(stderr, "arch_exit(%d) called from host code\n", status);
	abort();
}

u64 arch_time_ns(void)
{
	/* Every reading advances the fake clock: waits make progress. */
	host_time_ns += host_time_step_ns;
	return host_time_ns;
}

u64 arch_cycles(void)
{
	return host_time_ns;
}

const char *arch_cycles_name(void)
{
	return "fake";
}

void arch_cpu_relax(void)
{
}

const char *arch_name(void)
{
	return "host";
}

int arch_map_ram(u64 base, u64 size)
{
	(void)base;
	(void)size;
	return 0;
}

int arch_irq_from_dt(const u32 *cells, unsigned ncells, bool *edge)
{
	(void)cells;
	(void)ncells;
	*edge = false;
	return -EINVAL;
}

int arch_irq_enable(u32 irq, bool edge)
{
	(void)irq;
	(void)edge;
	return -EOPNOTSUPP;
}

int (*host_msi_alloc)(u32 rid, u32 *irq, u64 *addr, u32 *data);

int arch_msi_alloc(u32 rid, u32 *irq, u64 *addr, u32 *data)
{
	return host_msi_alloc ? host_msi_alloc(rid, irq, addr, data) : -EOPNOTSUPP;
}

const char *arch_msi_name(void)
{
	return host_msi_alloc ? "host" : NULL;
}

u32 host_irq_pending;

u32 arch_wait_irq(u64 timeout_ns)
{
	u32 irq = host_irq_pending;

	(void)timeout_ns;
	host_irq_pending = 0;
	return irq;
}

void arch_irq_eoi(u32 irq)
{
	(void)irq;
}
