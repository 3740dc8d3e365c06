/*
 * arch/aarch64/gic.c - GICv2 as a wake-up source (see arch.h).
 *
 * Interrupts stay masked in PSTATE (DAIF.I) for the whole life of the
 * kernel, so the exception vectors never see one.  WFI still wakes when an
 * interrupt is pending at the CPU interface, whatever PSTATE says (Arm ARM
 * D1.16.2: "WFI wake-up events"; Linux's idle loop relies on the same), so
 * arch_wait_irq() sleeps in WFI, then reads GICC_IAR to acknowledge what
 * woke it.  A deadline is a one-shot of the EL1 virtual timer (PPI 27),
 * enabled as a wake-up source the same way: every wait is bounded only as
 * long as that timer interrupt really reaches us.
 *
 * Addresses come from the device tree's interrupt-controller node
 * (arch_irq_setup(): distributor = reg[0], CPU interface = reg[1]); a tree
 * that names none gets QEMU virt's, 0x08000000 and 0x08010000.
 *
 * A controller this file cannot drive leaves the disks polled, with one
 * console line, instead of crashing or hanging (arch_irq_enable() returns
 * -EOPNOTSUPP and arch_wait_irq() is then never used):
 *   - a GICv3 (QEMU -M virt,gic-version=3): its CPU interface is system
 *     registers, and the GICv2 one at reg[1] does not exist;
 *   - any other kind, or a GICv2 node without two reg entries;
 *   - a GICv2 that fails the self-test the first arch_irq_enable() runs:
 *     enable the timer PPI and read the enable bit back, then make the
 *     timer fire at once and spin (not WFI) for up to GIC_SELFTEST_MS of
 *     the counter until GICC_IAR shows it.  This catches a GIC with the
 *     Security Extensions whose secure firmware left every interrupt in
 *     Group 0 (QEMU -M virt,secure=on with U-Boot as -bios): our
 *     non-secure enables are then ignored (GICv2 spec 4.3.2 / 4.1.3,
 *     Group 0 bits are RAZ/WI to non-secure accesses), and a WFI would
 *     never wake.
 *
 * Single CPU; called only from the boot CPU's thread of control.
 */
#include <asm/io.h>

#include "arch/arch.h"
#include "lib/dt_platform.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define GICD_DEFAULT 0x08000000ul /* QEMU virt */
#define GICC_DEFAULT 0x08010000ul

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
#define GIC_IAR_ID(v) ((v)&0x3ffu)
#define GIC_SPECIAL 1020u /* IDs 1020..1023: nothing (or nothing for us) */
#define GIC_SPURIOUS 1023u
#define GIC_PRIO 0xa0u
#define TIMER_PPI 27u /* EL1 virtual timer */

#define GIC_SELFTEST_MS 100u

#define CNTV_CTL_ENABLE 0x1ul
#define CNTV_CTL_IMASK 0x2ul

enum gic_state {
	GIC_UNTESTED, /* nothing touched yet: gic_init() on first use */
	GIC_OK,	      /* initialised, the timer interrupt reaches us */
	GIC_UNUSABLE, /* disks poll; arch_wait_irq() is never entered */
};

static u32 gic_state;
static bool gic_init_done;
static uintptr_t gicd = GICD_DEFAULT, gicc = GICC_DEFAULT;
static u32 gic_nlines;
/* Why arch_irq_setup() refused the controller (printed on first use). */
static const char *gic_refusal;
static u64 gic_refusal_addr;

void arch_irq_setup(const struct dt_intc *intc)
{
	if (!intc || intc->kind == DT_INTC_NONE)
		return; /* keep QEMU virt's addresses */
	gic_refusal_addr = intc->nreg ? intc->reg[0].base : 0;
	switch (intc->kind) {
	case DT_INTC_GICV2:
		if (intc->nreg < 2) {
			gic_refusal = "GICv2 without CPU interface address";
			break;
		}
		gicd = (uintptr_t)intc->reg[0].base;
		gicc = (uintptr_t)intc->reg[1].base;
		return;
	case DT_INTC_GICV3: gic_refusal = "GICv3"; break;
	default: gic_refusal = "interrupt controller of unknown kind"; break;
	}
	gic_state = GIC_UNUSABLE;
}

static void gic_enable_line(u32 irq, bool edge)
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

static u64 timer_count(void)
{
	u64 v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static u64 timer_freq(void)
{
	u64 freq;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	return freq;
}

static void timer_arm(u64 timeout_ns)
{
	u64 ticks = timeout_ns / 1000 * timer_freq() / 1000000 + 1;

	if (ticks > 0x7fffffffu)
		ticks = 0x7fffffffu; /* TVAL is a signed 32-bit down-counter */
	__asm__ volatile("msr cntv_tval_el0, %0" ::"r"(ticks));
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(CNTV_CTL_ENABLE));
}

static void timer_stop(void)
{
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(CNTV_CTL_IMASK));
}

/*
 * Does the timer interrupt reach this CPU interface?  Spins on GICC_IAR
 * (no WFI: a wake-up that never comes is what we are testing for) while
 * the timer's output is asserted.  Returns 0, -EPERM if the distributor
 * ignored the enable, -ETIMEDOUT if IAR never showed the timer.
 */
static int gic_selftest(void)
{
	u64 start, limit;
	u32 id;

	gic_enable_line(TIMER_PPI, false);
	if (!(readl(gicd + GICD_ISENABLER(0)) & (1u << TIMER_PPI)))
		return -EPERM;
	timer_arm(0);
	start = timer_count();
	limit = timer_freq() / 1000 * GIC_SELFTEST_MS;
	do {
		id = GIC_IAR_ID(readl(gicc + GICC_IAR));
		if (id < GIC_SPECIAL)
			writel(gicc + GICC_EOIR, id); /* the timer, or a stray line */
		if (id == TIMER_PPI)
			break;
	} while (timer_count() - start < limit);
	/* Masking the timer drops its (level) output: nothing stays pending. */
	timer_stop();
	return id == TIMER_PPI ? 0 : -ETIMEDOUT;
}

/* First use: set the GIC up and prove the timer wakes us, or give up. */
static void gic_init(void)
{
	int err;

	if (gic_state == GIC_UNUSABLE) {
		kprintf("gic: %s at 0x%08llx not supported yet: disks are polled\n", gic_refusal,
			(unsigned long long)gic_refusal_addr);
		return;
	}
	/* ITLinesNumber: 32 * (N + 1) interrupt IDs. */
	gic_nlines = 32 * ((readl(gicd + GICD_TYPER) & 0x1f) + 1);
	writel(gicd + GICD_CTLR, 1);
	/* Any priority above the mask signals; no preemption groups. */
	writel(gicc + GICC_PMR, 0xf0);
	writel(gicc + GICC_CTLR, 1);
	err = gic_selftest();
	if (err == -EPERM)
		kprintf("gic: distributor at 0x%08llx ignores our enables (secure-only GIC?): "
			"disks are polled\n",
			(unsigned long long)gicd);
	else if (err)
		kprintf("gic: timer interrupt does not reach this CPU (secure-only GIC?): "
			"disks are polled\n");
	gic_state = err ? GIC_UNUSABLE : GIC_OK;
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
	if (!gic_init_done) {
		gic_init_done = true;
		gic_init();
	}
	if (gic_state != GIC_OK)
		return -EOPNOTSUPP;
	if (irq < 16 || irq >= gic_nlines)
		return -EINVAL;
	gic_enable_line(irq, edge);
	return 0;
}

u32 arch_wait_irq(u64 timeout_ns)
{
	u32 iar;

	/* Only reached with a line enabled, i.e. after the self-test passed;
	 * were it not, a WFI could sleep forever: report a timeout instead. */
	if (gic_state != GIC_OK)
		return 0;
	gic_enable_line(TIMER_PPI, false);
	timer_arm(timeout_ns);
	for (;;) {
		/* Anything already pending wakes WFI at once: no lost wake-up. */
		__asm__ volatile("dsb sy; wfi" ::: "memory");
		iar = GIC_IAR_ID(readl(gicc + GICC_IAR));
		if (iar != GIC_SPURIOUS)
			break;
	}
	timer_stop();
	if (iar == TIMER_PPI) {
		writel(gicc + GICC_EOIR, iar);
		return 0;
	}
	return iar;
}

void arch_irq_eoi(u32 irq)
{
	writel(gicc + GICC_EOIR, irq);
}
