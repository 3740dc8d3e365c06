/*
 * arch/generic/dt_uart.h - the polled boot console the device tree names:
 * an Arm PL011 or a 16550 at any address, register spacing and width.
 *
 * For one arch/<arch>/ file (aarch64: console.c, riscv64: uart.c), which
 * defines the port's default console before including this:
 *   #define DT_UART_DEFAULT_KIND  DT_UART_PL011 or DT_UART_NS16550
 *   #define DT_UART_DEFAULT_BASE  its address
 * and calls dt_uart_setup() once the platform is parsed.  Until then, and
 * for good when the tree names no console (DT_UART_NONE), output goes to
 * the default: QEMU virt's UART, documented in the port's asm/boot.h.  A
 * console the tree names but no port drives (DT_UART_OTHER: a SiFive
 * UART, a 16550 with 16-bit registers) silences output rather than write
 * to an address that on this board may be anything; the exit status still
 * reports the result.
 *
 * Registers: PL011 TRM r1p5 3.3 (UARTDR +0x00; UARTFR +0x18, bit 5 TXFF
 * transmit FIFO full, bit 3 BUSY still sending); 16550: uart_16550.h, each
 * register 1 << reg_shift bytes from the last and reg_io_width bytes wide
 * (Linux 8250.yaml; DesignWare APB UARTs want 32-bit accesses 4 bytes
 * apart).  Nothing is programmed: the firmware left the UART at its line
 * settings, as Linux's earlycon assumes.
 *
 * Single CPU, interrupts masked; the FIFO is the only state.  The UART is
 * mapped Device/I-O, so accesses reach it in program order without a
 * barrier, hence the raw_ accessors.
 */
#ifndef ORDO_ARCH_GENERIC_DT_UART_H
#define ORDO_ARCH_GENERIC_DT_UART_H

#include "arch/arch.h"
#include "arch/generic/uart_16550.h"
#include "lib/dt_platform.h"
#include <asm/io.h>

#define DT_UART_PL011_DR 0x00
#define DT_UART_PL011_FR 0x18
#define DT_UART_PL011_FR_BUSY BIT(3)
#define DT_UART_PL011_FR_TXFF BIT(5)

/*
 * Polls of the status register before giving up on one character.  At
 * 115200 baud a character takes ~87 us and a poll at least tens of ns, so
 * this is far beyond any FIFO drain time; it only bounds a wedged or
 * absent UART.  After one such timeout we stop waiting altogether
 * (characters may be lost), so a long report cannot take minutes.
 */
#define DT_UART_TX_SPINS 1000000

static struct {
	u32 kind; /* DT_UART_PL011, DT_UART_NS16550, or OTHER: silent */
	uintptr_t base;
	u32 shift, width;
	bool wedged;
} dt_uart = { DT_UART_DEFAULT_KIND, DT_UART_DEFAULT_BASE, 0, 1, false };

static u32 dt_uart_in(unsigned reg)
{
	uintptr_t a = dt_uart.base + ((uintptr_t)reg << dt_uart.shift);

	return dt_uart.width == 4 ? raw_readl(a) : raw_readb(a);
}

static void dt_uart_out(unsigned reg, u8 v)
{
	uintptr_t a = dt_uart.base + ((uintptr_t)reg << dt_uart.shift);

	if (dt_uart.width == 4)
		raw_writel(a, v);
	else
		raw_writeb(a, v);
}

/* Is there room for a character (busy == false), or is all sent (busy)? */
static bool dt_uart_ready(bool all_sent)
{
	if (dt_uart.kind == DT_UART_PL011)
		return !(raw_readl(dt_uart.base + DT_UART_PL011_FR) &
			 (all_sent ? DT_UART_PL011_FR_BUSY : DT_UART_PL011_FR_TXFF));
	return dt_uart_in(UART_LSR) & (all_sent ? UART_LSR_TEMT : UART_LSR_THRE);
}

static void dt_uart_putc(char c)
{
	unsigned spins = 0;

	if (dt_uart.kind != DT_UART_PL011 && dt_uart.kind != DT_UART_NS16550)
		return;
	while (!dt_uart.wedged && !dt_uart_ready(false)) {
		if (++spins == DT_UART_TX_SPINS)
			dt_uart.wedged = true;
		arch_cpu_relax();
	}
	if (dt_uart.kind == DT_UART_PL011)
		raw_writel(dt_uart.base + DT_UART_PL011_DR, (u8)c);
	else
		dt_uart_out(UART_THR, (u8)c);
}

void arch_console_putc(char c)
{
	if (c == '\n')
		dt_uart_putc('\r');
	dt_uart_putc(c);
}

/* Wait (bounded) until the UART has shifted out its last character. */
static void dt_uart_drain(void)
{
	if (dt_uart.kind != DT_UART_PL011 && dt_uart.kind != DT_UART_NS16550)
		return;
	for (unsigned i = 0; i < DT_UART_TX_SPINS && !dt_uart.wedged; i++) {
		if (dt_uart_ready(true))
			break;
	}
}

/* Switch to the console the tree names (see the top of this file). */
static void dt_uart_setup(const struct dt_console *c)
{
	if (c->kind == DT_UART_NONE)
		return;
	dt_uart_drain(); /* what the default already holds goes out first */
	dt_uart.kind = c->kind;
	dt_uart.base = (uintptr_t)c->base;
	dt_uart.shift = c->reg_shift;
	dt_uart.width = c->reg_io_width;
	dt_uart.wedged = false;
}

#endif
