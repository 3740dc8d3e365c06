/*
 * arch/generic/uart_16550_console.h - a 16550 UART as the polled boot
 * console: arch_console_putc() (arch/arch.h) and uart_drain().
 *
 * For one arch/<arch>/uart.c, which defines before including this
 *   static u8 uart_in(unsigned reg);
 *   static void uart_out(unsigned reg, u8 v);
 * for its way to the registers (MMIO on riscv64, port I/O on x86 COM1), and
 * declares uart_drain() in its private header.  Single CPU, interrupts
 * masked; the FIFO is the only state.
 */
#ifndef ORDO_ARCH_GENERIC_UART_16550_CONSOLE_H
#define ORDO_ARCH_GENERIC_UART_16550_CONSOLE_H

#include "arch/generic/uart_16550.h"
#include "arch/arch.h"

/*
 * Polls of LSR before giving up on one character.  At 115200 baud a
 * character takes ~87 us and a poll at least tens of ns, so this is far
 * beyond any FIFO drain time; it only bounds a wedged or absent UART.
 * After one such timeout we stop waiting altogether (characters may be
 * lost), so a long report cannot take minutes.
 */
#define UART_TX_SPINS 1000000

static bool uart_wedged;

static void uart_putc(char c)
{
	unsigned spins = 0;

	while (!uart_wedged && !(uart_in(UART_LSR) & UART_LSR_THRE)) {
		if (++spins == UART_TX_SPINS)
			uart_wedged = true;
		arch_cpu_relax();
	}
	uart_out(UART_THR, (u8)c);
}

void arch_console_putc(char c)
{
	if (c == '\n')
		uart_putc('\r');
	uart_putc(c);
}

/* Wait (bounded) until the UART has shifted out its last character. */
void uart_drain(void)
{
	for (unsigned i = 0; i < UART_TX_SPINS && !uart_wedged; i++) {
		if (uart_in(UART_LSR) & UART_LSR_TEMT)
			break;
	}
}

#endif
