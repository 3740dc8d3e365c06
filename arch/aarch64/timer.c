/*
 * arch/aarch64/timer.c - time and cycle counters.
 *
 * Interface: arch_time_ns(), arch_cycles(), arch_cycles_name() (arch/arch.h)
 * and timer_init() (asm/boot.h), called once by arch_boot().
 *
 * Time comes from the Generic Timer's virtual counter CNTVCT_EL0 (Arm ARM
 * D11), which ticks at CNTFRQ_EL0 Hz (62.5 MHz under QEMU) and is readable
 * at EL1 without set-up; head.S makes CNTVOFF_EL2 = 0 when it came through
 * EL2.  Cycles come from the PMU cycle counter PMCCNTR_EL0 (Arm ARM D12),
 * which counts instructions exactly under QEMU -icount shift=0; without a
 * PMU we fall back to the virtual counter and say so in the name.
 *
 * Single CPU; the globals are written once by timer_init() before kmain().
 */
#include "arch/arch.h"
#include <asm/boot.h>
#include <asm/sysreg.h>

#define NSEC_PER_SEC 1000000000ull

static u64 timer_freq;	    /* CNTFRQ_EL0, Hz; 0 if firmware left it unset */
static bool timer_have_pmu; /* PMCCNTR_EL0 is counting */

/*
 * The counter read must not be hoisted above earlier instructions: reading
 * CNTVCT is not ordered by anything else, so an isb first (as Linux's
 * __arch_counter_get_cntvct()) makes "t0 = now; work; t1 = now" measure the
 * work.
 */
static inline u64 timer_read_cntvct(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

void timer_init(void)
{
	u64 dfr0 = read_sysreg(id_aa64dfr0_el1);
	u64 pmuver = (dfr0 >> ID_AA64DFR0_PMUVER_SHIFT) & ID_AA64DFR0_PMUVER_MASK;

	timer_freq = read_sysreg(cntfrq_el0) & 0xffffffffu; /* 32-bit field */

	/* PMUVer 0: no PMU; 0xf: IMPLEMENTATION DEFINED, not PMUv3. */
	if (pmuver == 0 || pmuver == ID_AA64DFR0_PMUVER_MASK)
		return;
	/*
	 * Count cycles at EL1 (PMCCFILTR_EL0 = 0: no filtering by EL), enable
	 * the cycle counter in PMCNTENSET and globally in PMCR (E), reset it
	 * (C) and make it 64-bit (LC) so it does not wrap after 2^32.
	 */
	write_sysreg(pmccfiltr_el0, 0);
	write_sysreg(pmcntenset_el0, PMCNTENSET_C);
	write_sysreg(pmcr_el0, read_sysreg(pmcr_el0) | PMCR_E | PMCR_C | PMCR_LC);
	isb(); /* counter running before the first arch_cycles() */
	timer_have_pmu = true;
}

u64 arch_time_ns(void)
{
	u64 t = timer_read_cntvct();

	if (timer_freq == 0)
		return 0;
	/*
	 * t * 1e9 would overflow after 2^64 / 1e9 ticks (~5 minutes at
	 * 62.5 MHz), so split: whole seconds, then the remainder, which is
	 * below freq < 2^32 and so times 1e9 < 2^62 fits.
	 */
	return t / timer_freq * NSEC_PER_SEC + t % timer_freq * NSEC_PER_SEC / timer_freq;
}

u64 arch_cycles(void)
{
	if (timer_have_pmu) {
		isb(); /* as for CNTVCT: do not read ahead of earlier work */
		return read_sysreg(pmccntr_el0);
	}
	return timer_read_cntvct();
}

const char *arch_cycles_name(void)
{
	return timer_have_pmu ? "pmccntr" : "cntvct";
}

void arch_cpu_relax(void)
{
	/* A hint for SMT cores and hypervisors; a no-op on Cortex-A53/QEMU. */
	__asm__ volatile("yield" ::: "memory");
}
