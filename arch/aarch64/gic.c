/*
 * arch/aarch64/gic.c - the GIC as a wake-up source (see arch.h): what GICv2
 * and GICv3 share; their registers are in gic_v2.c and gic_v3.c (gic.h).
 *
 * Interrupts stay masked in PSTATE (DAIF.I) for the whole life of the
 * kernel, so the exception vectors never see one.  WFI still wakes when an
 * interrupt is pending at the CPU interface, whatever PSTATE says (Arm ARM
 * D1.16.2: "WFI wake-up events"; Linux's idle loop relies on the same), so
 * arch_wait_irq() sleeps in WFI, then acknowledges (GICC_IAR, ICC_IAR1_EL1)
 * what woke it.  A deadline is a one-shot of the EL1 virtual timer, whose
 * PPI is the device tree's (/timer, third interrupt; 27 without one),
 * enabled as a wake-up source the same way: every wait is bounded only as
 * long as that timer interrupt really reaches us.
 *
 * The controller comes from the device tree's interrupt-controller node
 * (arch_irq_setup(): GICv2 distributor = reg[0], CPU interface = reg[1];
 * GICv3 distributor = reg[0], redistributor regions after it); a tree that
 * names none gets QEMU virt's GICv2, 0x08000000 and 0x08010000.
 *
 * A controller we cannot drive leaves the disks polled, with one console
 * line, instead of crashing or hanging (arch_irq_enable() returns
 * -EOPNOTSUPP and arch_wait_irq() is then never used):
 *   - any other kind, or a node without the regions its kind needs;
 *   - a set-up that fails (gic_v3.c: no redistributor for this CPU, no
 *     system register interface, ...);
 *   - a GIC that fails the self-test the first arch_irq_enable() runs:
 *     enable the timer PPI and read the enable back, then make the timer
 *     fire at once and spin (not WFI) for up to GIC_SELFTEST_MS of the
 *     counter until an acknowledge shows it.  This catches a GIC with two
 *     security states whose secure firmware left every interrupt in Group
 *     0 (QEMU -M virt,secure=on with U-Boot as -bios): our non-secure
 *     writes are then ignored, and a WFI would never wake.
 *
 * Single CPU; called only from the boot CPU's thread of control.
 */
#include <asm/boot.h>
#include <asm/io.h>
#include <asm/sysreg.h>

#include "arch/aarch64/gic.h"
#include "arch/arch.h"
#include "lib/dt_platform.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define GICD_DEFAULT 0x08000000ul /* QEMU virt, when the tree names no GIC */
#define GICC_DEFAULT 0x08010000ul
#define TIMER_PPI_DEFAULT 27u	       /* EL1 virtual timer, when the tree has no /timer */
#define TIMER_FREQ_DEFAULT 62500000ull /* QEMU's, if neither CNTFRQ nor the tree has one */

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
static const struct gic_ops *gic = &gic_v2_ops;
static struct dt_region gic_reg[DT_MAX_INTC_REGS] = { { GICD_DEFAULT, 0x10000 },
						      { GICC_DEFAULT, 0x10000 } };
static unsigned gic_nreg = 2;
static u32 gic_nlines;
static u32 timer_ppi = TIMER_PPI_DEFAULT;
/* Why arch_irq_setup() refused the controller (printed on first use). */
static const char *gic_refusal;
static u64 gic_refusal_addr;

void arch_irq_setup(const struct dt_intc *intc)
{
	if (!intc || intc->kind == DT_INTC_NONE)
		return; /* keep QEMU virt's GICv2 */
	gic_refusal_addr = intc->nreg ? intc->reg[0].base : 0;
	switch (intc->kind) {
	case DT_INTC_GICV2: gic = &gic_v2_ops; break;
	case DT_INTC_GICV3: gic = &gic_v3_ops; break;
	default:
		gic_refusal = "interrupt controller of unknown kind";
		gic_state = GIC_UNUSABLE;
		return;
	}
	gic_nreg = MIN(intc->nreg, (unsigned)DT_MAX_INTC_REGS);
	for (unsigned i = 0; i < gic_nreg; i++)
		gic_reg[i] = intc->reg[i];
}

static u64 timer_count(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

static u64 timer_freq(void)
{
	u64 freq = read_sysreg(cntfrq_el0);

	if (!freq && aarch64_platform && aarch64_platform->timer.freq)
		freq = aarch64_platform->timer.freq;
	return freq ? freq : TIMER_FREQ_DEFAULT;
}

static void timer_arm(u64 timeout_ns)
{
	u64 ticks = timeout_ns / 1000 * timer_freq() / 1000000 + 1;

	if (ticks > 0x7fffffffu)
		ticks = 0x7fffffffu; /* TVAL is a signed 32-bit down-counter */
	write_sysreg(cntv_tval_el0, ticks);
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
}

static void timer_stop(void)
{
	write_sysreg(cntv_ctl_el0, CNTV_CTL_IMASK);
	isb();
}

bool gic_wait_clear(uintptr_t addr, u32 mask, u32 ms)
{
	u64 start = timer_count(), limit = timer_freq() / 1000 * ms;

	while (readl(addr) & mask) {
		if (timer_count() - start >= limit)
			return !(readl(addr) & mask);
		arch_cpu_relax();
	}
	return true;
}

/* The virtual timer's PPI from the device tree, or the default. */
static u32 gic_timer_ppi(void)
{
	const struct platform *p = aarch64_platform;
	bool edge;
	int irq;

	if (!p || !p->timer.virt_irq_cells)
		return TIMER_PPI_DEFAULT;
	irq = arch_irq_from_dt(p->timer.virt_irq, p->timer.virt_irq_cells, &edge);
	if (irq < (int)GIC_PPI_BASE || irq >= (int)GIC_SPI_BASE) {
		kprintf("gic: the device tree's virtual timer interrupt is not a PPI: using %u\n",
			TIMER_PPI_DEFAULT);
		return TIMER_PPI_DEFAULT;
	}
	return (u32)irq;
}

bool gic_wait_for(u32 irq, u32 ms)
{
	u64 start = timer_count(), limit = timer_freq() / 1000 * ms;
	u32 id;

	do {
		id = gic->ack();
		if (id != GIC_SPURIOUS && (id < GIC_SPECIAL || id >= GIC_LPI_BASE))
			gic->eoi(id); /* `irq`, or a stray line */
		if (id == irq)
			return true;
	} while (timer_count() - start < limit);
	return false;
}

/*
 * Does the timer interrupt reach this CPU interface?  Spins on the
 * acknowledge (no WFI: a wake-up that never comes is what we are testing
 * for) while the timer's output is asserted.  Returns 0, -EPERM if the
 * controller ignored the enable, -ETIMEDOUT if it never showed the timer.
 */
static int gic_selftest(void)
{
	bool came;

	gic->enable(timer_ppi, false);
	if (!gic->enabled(timer_ppi))
		return -EPERM;
	timer_arm(0);
	came = gic_wait_for(timer_ppi, GIC_SELFTEST_MS);
	/* Masking the timer drops its (level) output: nothing stays pending. */
	timer_stop();
	return came ? 0 : -ETIMEDOUT;
}

/* First use: set the GIC up and prove the timer wakes us, or give up. */
static void gic_init(void)
{
	int n, err;

	if (gic_state == GIC_UNUSABLE) {
		kprintf("gic: %s at 0x%08llx not supported: disks are polled\n", gic_refusal,
			(unsigned long long)gic_refusal_addr);
		return;
	}
	timer_ppi = gic_timer_ppi();
	n = gic->init(gic_reg, gic_nreg);
	if (n < 0) {
		gic_state = GIC_UNUSABLE; /* init() said why */
		return;
	}
	gic_nlines = (u32)n;
	err = gic_selftest();
	if (err == -EPERM)
		kprintf("gic: %s at 0x%08llx ignores our enables (secure-only GIC?): "
			"disks are polled\n",
			gic->name, (unsigned long long)gic_reg[0].base);
	else if (err)
		kprintf("gic: timer interrupt does not reach this CPU (secure-only GIC?): "
			"disks are polled\n");
	gic_state = err ? GIC_UNUSABLE : GIC_OK;
}

bool gic_usable(void)
{
	if (!gic_init_done) {
		gic_init_done = true;
		gic_init();
	}
	return gic_state == GIC_OK;
}

u32 gic_lines(void)
{
	return gic_nlines;
}

int arch_irq_from_dt(const u32 *cells, unsigned ncells, bool *edge)
{
	/* GIC binding: <type number flags>, type 0 = SPI, 1 = PPI. */
	if (ncells != 3 || cells[0] > 1 || cells[1] > 1019 || (cells[0] == 1 && cells[1] > 15))
		return -EINVAL;
	*edge = (cells[2] & 0x3) != 0; /* IRQ_TYPE_EDGE_RISING/FALLING */
	return (int)(cells[1] + (cells[0] == 0 ? GIC_SPI_BASE : GIC_PPI_BASE));
}

int arch_irq_enable(u32 irq, bool edge)
{
	if (!gic_usable())
		return -EOPNOTSUPP;
	if (irq < GIC_PPI_BASE || irq >= gic_nlines)
		return -EINVAL;
	gic->enable(irq, edge);
	return 0;
}

u32 arch_wait_irq(u64 timeout_ns)
{
	u32 id;

	/* Only reached with a line enabled, i.e. after the self-test passed;
	 * were it not, a WFI could sleep forever: report a timeout instead. */
	if (gic_state != GIC_OK)
		return 0;
	gic->enable(timer_ppi, false);
	timer_arm(timeout_ns);
	for (;;) {
		/* Anything already pending wakes WFI at once: no lost wake-up. */
		__asm__ volatile("dsb sy; wfi" ::: "memory");
		id = gic->ack();
		if (id != GIC_SPURIOUS)
			break;
	}
	timer_stop();
	if (id == timer_ppi) {
		gic->eoi(id);
		return 0;
	}
	return id;
}

void arch_irq_eoi(u32 irq)
{
	gic->eoi(irq);
}
