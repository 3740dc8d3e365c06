/*
 * arch/riscv64/uart.c - boot console on an ns16550a UART, polled.
 *
 * Interface: arch_console_putc() (arch/arch.h) and uart_drain() (used by
 * arch_exit()).  Registers: the PC16550D datasheet (National Semiconductor,
 * 1995), section 8: THR at offset 0 (write a byte to transmit), LSR at
 * offset 5 (bit 5 THRE: transmit holding register empty; bit 6 TEMT:
 * transmitter idle).  QEMU virt's UART has reg-shift 0 (byte registers).
 *
 * The UART is at 0x10000000 on QEMU virt and OpenSBI has already set it to
 * 8N1 (QEMU ignores the baud rate anyway), so there is nothing to program.
 * A board port would take the address from the DTB's /chosen/stdout-path
 * and rely on the firmware's set-up, as Linux's earlycon does.
 *
 * Concurrency: single hart, interrupts masked; the FIFO is the only state.
 * The UART is in an I/O region, whose accesses reach the device in program
 * order without a fence; no ordering against normal memory is needed, hence
 * the raw_ accessors.
 */
#include "arch/arch.h"
#include <asm/boot.h>
#include <asm/io.h>

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

	while (!uart_wedged && !(raw_readb(UART_BASE + UART_LSR) & UART_LSR_THRE)) {
		if (++spins == UART_TX_SPINS)
			uart_wedged = true;
		arch_cpu_relax();
	}
	raw_writeb(UART_BASE + UART_THR, (u8)c);
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
		if (raw_readb(UART_BASE + UART_LSR) & UART_LSR_TEMT)
			break;
	}
}
