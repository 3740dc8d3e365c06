/*
 * arch/aarch64/gic.c - GICv2 as a wake-up source (see arch.h).
 *
 * Interrupts stay masked in PSTATE (DAIF.I) for the whole life of the
 * kernel, so the exception vectors never see one.  WFI still wakes when an
 * interrupt is pending at the CPU interface, whatever PSTATE says (Arm ARM
 * D1.16.2: "WFI wake-up events"; Linux's idle loop relies on the same), so
 * arch_wait_irq() sleeps in WFI, then reads GICC_IAR to acknowledge what
 * woke it.  A deadline is a one-shot of the EL1 virtual timer (PPI 27),
 * enabled as a wake-up source the same way.
 *
 * QEMU virt places the distributor at 0x08000000 and the CPU interface at
 * 0x08010000 (GICv2, the default with -cpu cortex-a53); a board port takes
 * them from the device tree's interrupt-controller node.  Single CPU.
 */
#include <asm/io.h>

#include "arch/arch.h"
#include "lib/errno.h"

#define GICD_BASE 0x08000000ul
#define GICC_BASE 0x08010000ul

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_ISENABLER(n) (0x100 + 4 * (n))
#define GICD_ICPENDR(n) (0x280 + 4 * (n))
#define GICD_IPRIORITYR(n) (0x400 + (n))
#define GICD_ITARGETSR(n) (0x800 + (n))
#define GICD_ICFGR(n) (0xc00 + 4 * (n))

#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010

#define GIC_SPI_BASE 32u
#define GIC_SPURIOUS 1023u
#define GIC_PRIO 0xa0u
#define TIMER_PPI 27u /* EL1 virtual timer */

#define CNTV_CTL_ENABLE 0x1ul
#define CNTV_CTL_IMASK 0x2ul

static bool gic_ready;
static u32 gic_nlines;

static void gic_init(void)
{
	/* ITLinesNumber: 32 * (N + 1) interrupt IDs. */
	gic_nlines = 32 * ((readl(GICD_BASE + GICD_TYPER) & 0x1f) + 1);
	writel(GICD_BASE + GICD_CTLR, 1);
	/* Any priority above the mask signals; no preemption groups. */
	writel(GICC_BASE + GICC_PMR, 0xf0);
	writel(GICC_BASE + GICC_CTLR, 1);
	gic_ready = true;
}

static void gic_enable_line(u32 irq, bool edge)
{
	u32 cfg = readl(GICD_BASE + GICD_ICFGR(irq / 16));
	u32 shift = (irq % 16) * 2 + 1;

	writeb(GICD_BASE + GICD_IPRIORITYR(irq), GIC_PRIO);
	if (irq >= GIC_SPI_BASE) {
		writeb(GICD_BASE + GICD_ITARGETSR(irq), 1); /* CPU 0 */
		/* Int_config bit 1 of the pair: 1 edge, 0 level (SPIs only). */
		cfg = edge ? cfg | (1u << shift) : cfg & ~(1u << shift);
		writel(GICD_BASE + GICD_ICFGR(irq / 16), cfg);
	}
	writel(GICD_BASE + GICD_ISENABLER(irq / 32), 1u << (irq % 32));
}

int arch_irq_from_dt(const u32 *cells, unsigned ncells, bool *edge)
{
	/* GIC binding: <type number flags>, type 0 = SPI, 1 = PPI. */
	if (ncells != 3 || cells[0] > 1 || cells[1] > 1019)
		return -EINVAL;
	*edge = (cells[2] & 0x3) != 0; /* IRQ_TYPE_EDGE_RISING/FALLING */
	return (int)(cells[1] + (cells[0] == 0 ? GIC_SPI_BASE : 16));
}

int arch_irq_enable(u32 irq, bool edge)
{
	if (!gic_ready)
		gic_init();
	if (irq < 16 || irq >= gic_nlines)
		return -EINVAL;
	gic_enable_line(irq, edge);
	return 0;
}

static void timer_arm(u64 timeout_ns)
{
	u64 freq, ticks;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	ticks = timeout_ns / 1000 * freq / 1000000 + 1;
	if (ticks > 0x7fffffffu)
		ticks = 0x7fffffffu; /* TVAL is a signed 32-bit down-counter */
	__asm__ volatile("msr cntv_tval_el0, %0" ::"r"(ticks));
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(CNTV_CTL_ENABLE));
}

static void timer_stop(void)
{
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(CNTV_CTL_IMASK));
}

u32 arch_wait_irq(u64 timeout_ns)
{
	u32 iar;

	if (!gic_ready)
		gic_init();
	gic_enable_line(TIMER_PPI, false);
	timer_arm(timeout_ns);
	for (;;) {
		/* Anything already pending wakes WFI at once: no lost wake-up. */
		__asm__ volatile("dsb sy; wfi" ::: "memory");
		iar = readl(GICC_BASE + GICC_IAR) & 0x3ff;
		if (iar != GIC_SPURIOUS)
			break;
	}
	timer_stop();
	if (iar == TIMER_PPI) {
		writel(GICC_BASE + GICC_EOIR, iar);
		return 0;
	}
	return iar;
}

void arch_irq_eoi(u32 irq)
{
	writel(GICC_BASE + GICC_EOIR, irq);
}
