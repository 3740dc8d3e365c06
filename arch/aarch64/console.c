/*
 * arch/aarch64/console.c - the boot console: the UART the device tree's
 * /chosen stdout-path names (PL011 or 16550, arch/generic/dt_uart.h),
 * QEMU virt's PL011 until the tree is read or if it names none.
 *
 * Interface: arch_console_putc() (arch/arch.h); console_setup() and
 * console_drain() (asm/boot.h) for setup.c.
 */
#include <asm/boot.h>

#define DT_UART_DEFAULT_KIND DT_UART_PL011
#define DT_UART_DEFAULT_BASE PL011_BASE
#include "arch/generic/dt_uart.h"

void console_setup(const struct dt_console *c)
{
	dt_uart_setup(c);
}

void console_drain(void)
{
	dt_uart_drain();
}
