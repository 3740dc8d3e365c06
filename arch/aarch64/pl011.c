/*
 * arch/aarch64/pl011.c - boot console on an Arm PL011 UART, polled.
 *
 * Interface: arch_console_putc() (arch/arch.h).  Registers: Arm PrimeCell
 * UART (PL011) Technical Reference Manual, r1p5, section 3.3: UARTDR at 0x00
 * (write a byte to transmit), UARTFR at 0x18 (bit 5 TXFF: transmit FIFO
 * full).
 *
 * The UART is at 0x09000000 on QEMU virt, which leaves it enabled at 8N1
 * with nothing to program (QEMU ignores the baud rate).  A board port would
 * take the address from the DTB's /chosen/stdout-path and program UARTIBRD/
 * UARTFBRD/UARTLCR_H/UARTCR, or rely on the firmware having done so, as
 * Linux's earlycon does.
 *
 * Concurrency: single CPU, interrupts masked; the FIFO is the only state.
 * The mapping is Device-nGnRE, so the FR read and the DR write reach the
 * UART in program order without a barrier; no ordering against normal
 * memory is needed, hence the raw_ accessors.
 */
#include "arch/arch.h"
#include <asm/boot.h>
#include <asm/io.h>

#define UARTDR 0x00
#define UARTFR 0x18
#define UARTFR_TXFF BIT(5)

/*
 * Polls of UARTFR before giving up on one character.  At 115200 baud a
 * character takes ~87 us and a poll at least tens of ns, so this is far
 * beyond any FIFO drain time; it only bounds a wedged or absent UART.
 * After one such timeout we stop waiting altogether (characters may be
 * lost), so a long report cannot take minutes.
 */
#define PL011_TX_SPINS 1000000

static bool pl011_wedged;

static void pl011_putc(char c)
{
	unsigned spins = 0;

	while (!pl011_wedged && (raw_readl(PL011_BASE + UARTFR) & UARTFR_TXFF)) {
		if (++spins == PL011_TX_SPINS)
			pl011_wedged = true;
		arch_cpu_relax();
	}
	raw_writel(PL011_BASE + UARTDR, (u8)c);
}

void arch_console_putc(char c)
{
	if (c == '\n')
		pl011_putc('\r');
	pl011_putc(c);
}
