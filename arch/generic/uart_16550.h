/*
 * arch/generic/uart_16550.h - the 16550 UART registers.
 *
 * Registers: the PC16550D datasheet (National Semiconductor, 1995),
 * section 8, as byte offsets (reg-shift 0): THR/DLL at +0, IER/DLM at +1,
 * FCR at +2, LCR at +3 (bit 7 DLAB selects the divisor latch), MCR at +4,
 * LSR at +5 (bit 5 THRE: room for a character; bit 6 TEMT: all sent).  The
 * register names are usable from assembler (riscv64's head.S prints early).
 *
 * The polled console on top is arch/generic/uart_16550_console.h.
 */
#ifndef ORDO_ARCH_GENERIC_UART_16550_H
#define ORDO_ARCH_GENERIC_UART_16550_H

#define UART_THR 0 /* transmit holding register (write) */
#define UART_DLL 0 /* divisor latch, low byte (DLAB = 1) */
#define UART_IER 1
#define UART_DLM 1 /* divisor latch, high byte (DLAB = 1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5	       /* line status register */
#define UART_LSR_THRE (1 << 5) /* THR empty: room for a character */
#define UART_LSR_TEMT (1 << 6) /* transmitter empty: everything sent */

#endif
