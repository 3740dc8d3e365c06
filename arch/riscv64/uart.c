/*
 * arch/riscv64/uart.c - boot console on an ns16550a UART, polled.
 *
 * Interface: arch_console_putc() (arch/arch.h) and uart_drain() (used by
 * arch_exit()), from the shared 16550 code (arch/generic/uart_16550.h)
 * over this file's register accessors.  QEMU virt's UART has reg-shift 0
 * (byte registers).
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
#include <asm/boot.h>
#include <asm/io.h>

static u8 uart_in(unsigned reg)
{
	return raw_readb(UART_BASE + reg);
}

static void uart_out(unsigned reg, u8 v)
{
	raw_writeb(UART_BASE + reg, v);
}

#include "arch/generic/uart_16550_console.h"
