/*
 * arch/x86_64/uart.c - boot console on COM1, a 16550 UART at port 0x3f8,
 * polled.
 *
 * Interface: arch_console_putc() (arch/arch.h), uart_init() and
 * uart_drain() (asm/boot.h).  Registers: the PC16550D datasheet (National
 * Semiconductor, 1995), section 8: THR/DLL at +0, IER/DLM at +1, LCR at +3
 * (bit 7 DLAB selects the divisor latch), MCR at +4, LSR at +5 (bit 5 THRE,
 * bit 6 TEMT).  Unlike the DT machines, nothing guarantees the firmware set
 * the port up (qboot does not), so uart_init() programs 115200 8N1, FIFOs
 * on, interrupts off.  QEMU ignores the rate; a real 16550 needs it.
 *
 * Single CPU, interrupts masked; port I/O is ordered with everything.
 */
#include "arch/arch.h"
#include <asm/boot.h>
#include <asm/io.h>

#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_FCR_ENABLE_CLEAR 0x07 /* FIFO on, both FIFOs cleared */
#define UART_MCR_DTR_RTS 0x03
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_DIVISOR_115200 1 /* 1.8432 MHz / 16 / 115200 */

/* As riscv64: bounds a wedged or absent UART, then stops waiting. */
#define UART_TX_SPINS 1000000

static bool uart_wedged;

void uart_init(void)
{
	raw_outb(COM1_PORT + UART_IER, 0);
	raw_outb(COM1_PORT + UART_LCR, UART_LCR_DLAB);
	raw_outb(COM1_PORT + UART_DLL, UART_DIVISOR_115200);
	raw_outb(COM1_PORT + UART_DLM, 0);
	raw_outb(COM1_PORT + UART_LCR, UART_LCR_8N1);
	raw_outb(COM1_PORT + UART_FCR, UART_FCR_ENABLE_CLEAR);
	raw_outb(COM1_PORT + UART_MCR, UART_MCR_DTR_RTS);
}

static void uart_putc(char c)
{
	unsigned spins = 0;

	while (!uart_wedged && !(raw_inb(COM1_PORT + UART_LSR) & UART_LSR_THRE)) {
		if (++spins == UART_TX_SPINS)
			uart_wedged = true;
		arch_cpu_relax();
	}
	raw_outb(COM1_PORT + UART_THR, (u8)c);
}

void arch_console_putc(char c)
{
	if (c == '\n')
		uart_putc('\r');
	uart_putc(c);
}

void uart_drain(void)
{
	for (unsigned i = 0; i < UART_TX_SPINS && !uart_wedged; i++) {
		if (raw_inb(COM1_PORT + UART_LSR) & UART_LSR_TEMT)
			break;
	}
}
