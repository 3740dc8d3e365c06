/*
 * arch/aarch64/gic_v2.c - the GICv2 registers behind gic.c (gic.h): a
 * memory-mapped distributor (reg[0]) and CPU interface (reg[1]).
 *
 * Group 1 is the non-secure group; with the Security Extensions, Group 0
 * lines are RAZ/WI to our (non-secure) accesses (GICv2 spec 4.3.2 /
 * 4.1.3), so a line secure firmware left in Group 0 reads back disabled:
 * enabled() says no and gic.c polls.  On a GIC without them, and in our
 * own EL3 set-up (head.S, el3.S), every line is made Group 1 and our
 * writes stick.  Single CPU: SPIs go to CPU interface 0.
 */
#include <asm/boot.h>
#include <asm/io.h>

#include "arch/aarch64/gic.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_ISENABLER(n) (0x100 + 4 * (n))
#define GICD_IPRIORITYR(n) (0x400 + (n))
#define GICD_ITARGETSR(n) (0x800 + (n))
#define GICD_ICFGR(n) (0xc00 + 4 * (n))

#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010

#define GIC_IAR_ID(v) ((v)&0x3ffu)

static uintptr_t gicd, gicc;

static int v2_init(const struct dt_region *reg, unsigned nreg)
{
	if (nreg < 2) {
		kprintf("gic: GICv2 at 0x%08llx without CPU interface address: disks are polled\n",
			(unsigned long long)(nreg ? reg[0].base : 0));
		return -EINVAL;
	}
	gicd = (uintptr_t)reg[0].base;
	gicc = (uintptr_t)reg[1].base;
	el3_gic_nonsecure(gicd, 0, gicc);
	writel(gicd + GICD_CTLR, 1);
	/* Any priority above the mask signals; no preemption groups. */
	writel(gicc + GICC_PMR, GIC_PMR);
	writel(gicc + GICC_CTLR, 1);
	/* ITLinesNumber: 32 * (N + 1) interrupt IDs. */
	return (int)(32 * ((readl(gicd + GICD_TYPER) & 0x1f) + 1));
}

static void v2_enable(u32 irq, bool edge)
{
	u32 cfg = readl(gicd + GICD_ICFGR(irq / 16));
	u32 shift = (irq % 16) * 2 + 1;

	writeb(gicd + GICD_IPRIORITYR(irq), GIC_PRIO);
	if (irq >= GIC_SPI_BASE) {
		writeb(gicd + GICD_ITARGETSR(irq), 1); /* CPU 0 */
		/* Int_config bit 1 of the pair: 1 edge, 0 level (SPIs only). */
		cfg = edge ? cfg | (1u << shift) : cfg & ~(1u << shift);
		writel(gicd + GICD_ICFGR(irq / 16), cfg);
	}
	writel(gicd + GICD_ISENABLER(irq / 32), 1u << (irq % 32));
}

static bool v2_enabled(u32 irq)
{
	return readl(gicd + GICD_ISENABLER(irq / 32)) & (1u << (irq % 32));
}

static u32 v2_ack(void)
{
	return GIC_IAR_ID(readl(gicc + GICC_IAR));
}

static void v2_eoi(u32 irq)
{
	writel(gicc + GICC_EOIR, irq);
}

const struct gic_ops gic_v2_ops = {
	.name = "GICv2",
	.init = v2_init,
	.enable = v2_enable,
	.enabled = v2_enabled,
	.ack = v2_ack,
	.eoi = v2_eoi,
};
