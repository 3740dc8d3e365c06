/*
 * arch/riscv64/uart.c - the boot console: the UART the device tree's
 * /chosen stdout-path names (16550 with its reg-shift and reg-io-width, or
 * PL011; arch/generic/dt_uart.h), QEMU virt's ns16550a at 0x10000000 until
 * the tree is read or if it names none.  OpenSBI has set the line up.
 *
 * Interface: arch_console_putc() (arch/arch.h); uart_setup() and
 * uart_drain() (asm/boot.h) for setup.c.
 */
#include <asm/boot.h>

#define DT_UART_DEFAULT_KIND DT_UART_NS16550
#define DT_UART_DEFAULT_BASE UART_BASE
#include "arch/generic/dt_uart.h"

void uart_setup(const struct dt_console *c)
{
	dt_uart_setup(c);
}

void uart_drain(void)
{
	dt_uart_drain();
}
