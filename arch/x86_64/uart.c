/*
 * arch/x86_64/uart.c - boot console on COM1, a 16550 UART at port 0x3f8,
 * polled.
 *
 * Interface: uart_init() (asm/boot.h); arch_console_putc() (arch/arch.h)
 * and uart_drain() come from the shared 16550 code
 * (arch/generic/uart_16550.h) over this file's port accessors.  Unlike the
 * DT machines, nothing guarantees the firmware set the port up (qboot does
 * not), so uart_init() programs 115200 8N1, FIFOs on, interrupts off.  QEMU
 * ignores the rate; a real 16550 needs it.
 *
 * Single CPU, interrupts masked; port I/O is ordered with everything.
 */
#include <asm/boot.h>
#include <asm/io.h>

static u8 uart_in(unsigned reg)
{
	return raw_inb((u16)(COM1_PORT + reg));
}

static void uart_out(unsigned reg, u8 v)
{
	raw_outb((u16)(COM1_PORT + reg), v);
}

#include "arch/generic/uart_16550_console.h"

#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_FCR_ENABLE_CLEAR 0x07 /* FIFO on, both FIFOs cleared */
#define UART_MCR_DTR_RTS 0x03
#define UART_DIVISOR_115200 1 /* 1.8432 MHz / 16 / 115200 */

void uart_init(void)
{
	uart_out(UART_IER, 0);
	uart_out(UART_LCR, UART_LCR_DLAB);
	uart_out(UART_DLL, UART_DIVISOR_115200);
	uart_out(UART_DLM, 0);
	uart_out(UART_LCR, UART_LCR_8N1);
	uart_out(UART_FCR, UART_FCR_ENABLE_CLEAR);
	uart_out(UART_MCR, UART_MCR_DTR_RTS);
}
