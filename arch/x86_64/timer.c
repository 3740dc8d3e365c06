/*
 * arch/x86_64/timer.c - time from the TSC, deadlines on the local APIC
 * timer, both measured against the PIT.
 *
 * Interface: arch_time_ns(), arch_cycles(), arch_cycles_name() and
 * arch_cpu_relax() (arch/arch.h); timer_init() and timer_ns_to_lapic()
 * (asm/boot.h).
 *
 * Neither the TSC nor the local APIC timer has an architected frequency
 * the kernel could read on every CPU QEMU models (CPUID leaf 15h is absent
 * on qemu64), so timer_init() measures both against the PIT (i8254, 1.193182
 * MHz, present on q35 and on microvm under TCG).  Channel 2, the usual
 * choice (Linux's pit_calibrate_tsc()), needs port 0x61 for its gate and
 * output, and microvm has no port 0x61; so this uses channel 0 (whose gate
 * is always on): mode 2 with the full 65536 count, read back with the
 * counter-latch command until at least 11932 ticks (10 ms) have passed.
 * Each rate is computed from the ticks that really elapsed (a read may
 * come late), three such runs are made and the median run is kept: under
 * TCG the PIT follows the host clock, and a vCPU thread descheduled in the
 * middle of one run (or for longer than the 55 ms a 16-bit count takes to
 * wrap, which hides ticks) spoils that run only.  The BIOS used channel 0
 * for its tick; its interrupt is masked here (the 8259s and the IOAPIC
 * input both), so reprogramming it disturbs nothing, and it is stopped
 * afterwards.
 *
 * Under -icount shift=0 the TSC counts instructions and the PIT follows
 * QEMU's virtual clock, so the figures are right there too.  A result
 * outside any plausible range (no PIT: the count never moves) falls back
 * to 1 GHz and 62.5 MHz (QEMU's APIC timer at divide-by-16) with a
 * warning: timeouts then run at the wrong speed.
 *
 * arch_time_ns() scales the TSC by a 32.32 fixed-point factor through a
 * 128-bit product, so it cannot overflow for centuries.  The TSC is
 * constant-rate on every CPU QEMU models and on x86 hardware since ~2008
 * (CPUID 8000_0007h:EDX.8 invariant TSC); a single CPU reads it.
 */
#include "arch/arch.h"
#include "lib/printf.h"
#include <asm/boot.h>
#include <asm/io.h>

#define PIT_HZ 1193182u
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_CMD_CH0_LOHI_MODE2 0x34
#define PIT_CMD_CH0_LATCH 0x00
#define PIT_CMD_CH0_LOHI_MODE0 0x30 /* no count follows: the counter stops */

#define CALIBRATE_MS 10u
#define CALIBRATE_TICKS (PIT_HZ * CALIBRATE_MS / 1000u)
/* Count reads before giving up (a stuck or absent PIT). */
#define CALIBRATE_READS 5000000u
#define CALIBRATE_RUNS 3

#define NSEC_PER_SEC 1000000000ull
#define TSC_FALLBACK_HZ NSEC_PER_SEC
#define LAPIC_FALLBACK_HZ 62500000ull

static u64 tsc_hz = TSC_FALLBACK_HZ, tsc_mult = 1ull << 32, tsc_base;
static u64 lapic_hz, lapic_mult; /* ticks per ns, 40.24 fixed point */

static u16 pit_ch0_read(void)
{
	u8 lo, hi;

	raw_outb(PIT_CMD, PIT_CMD_CH0_LATCH);
	lo = raw_inb(PIT_CH0);
	hi = raw_inb(PIT_CH0);
	return (u16)(hi << 8 | lo);
}

/* What one calibration run measured. */
struct rates {
	u64 tsc, lapic; /* per second */
};

/*
 * One run: the TSC and local APIC timer rates (per second) over at least
 * CALIBRATE_TICKS of the PIT, or false if the PIT did not get there.  The
 * count runs down from 65536 and reloads (mode 2), so elapsed ticks are
 * the decrease modulo 2^16 between two reads.  The first read waits for
 * the count to move: a freshly written count is loaded on the next PIT
 * clock edge.
 */
static bool calibrate_once(struct rates *r)
{
	u32 elapsed = 0, reads = 0;
	u64 t0, cycles, ticks;
	u16 prev, first;

	raw_outb(PIT_CMD, PIT_CMD_CH0_LOHI_MODE2);
	raw_outb(PIT_CH0, 0);
	raw_outb(PIT_CH0, 0);
	first = pit_ch0_read();
	do {
		prev = pit_ch0_read();
	} while (prev == first && ++reads < CALIBRATE_READS);
	lapic_timer_arm(0xffffffffu);
	t0 = rdtsc();
	while (elapsed < CALIBRATE_TICKS && ++reads < CALIBRATE_READS) {
		u16 now = pit_ch0_read();

		elapsed += (u16)(prev - now);
		prev = now;
	}
	cycles = rdtsc() - t0;
	ticks = 0xffffffffu - lapic_timer_current();
	lapic_timer_arm(0);
	if (elapsed < CALIBRATE_TICKS)
		return false;
	r->tsc = cycles * PIT_HZ / elapsed;
	r->lapic = ticks * PIT_HZ / elapsed;
	return true;
}

void timer_init(void)
{
	struct rates run[CALIBRATE_RUNS];
	int n = 0;

	/* A run that fails means no PIT: do not wait for it twice more. */
	while (n < CALIBRATE_RUNS && calibrate_once(&run[n]))
		n++;
	raw_outb(PIT_CMD, PIT_CMD_CH0_LOHI_MODE0);
	/* The median run by TSC rate (insertion sort of at most three). */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && run[j - 1].tsc > run[j].tsc; j--) {
			struct rates t = run[j];

			run[j] = run[j - 1];
			run[j - 1] = t;
		}
	if (n && run[n / 2].tsc >= 50000000ull && run[n / 2].tsc <= 50000000000ull &&
	    run[n / 2].lapic >= 100000u) {
		tsc_hz = run[n / 2].tsc;
		lapic_hz = run[n / 2].lapic;
		kprintf("arch: TSC %llu.%03llu MHz, local APIC timer %llu.%03llu MHz "
			"(measured against the PIT)\n",
			(unsigned long long)(tsc_hz / 1000000),
			(unsigned long long)(tsc_hz / 1000 % 1000),
			(unsigned long long)(lapic_hz / 1000000),
			(unsigned long long)(lapic_hz / 1000 % 1000));
	} else {
		tsc_hz = TSC_FALLBACK_HZ;
		lapic_hz = LAPIC_FALLBACK_HZ;
		kprintf("arch: no usable PIT to measure the TSC and the local APIC timer against: "
			"assuming 1 GHz and 62.5 MHz (timeouts may run at the wrong speed)\n");
	}
	tsc_mult = (NSEC_PER_SEC << 32) / tsc_hz;
	lapic_mult = (lapic_hz << 24) / NSEC_PER_SEC;
	tsc_base = rdtsc();
}

u64 arch_time_ns(void)
{
	return (u64)((unsigned __int128)(rdtsc() - tsc_base) * tsc_mult >> 32);
}

u32 timer_ns_to_lapic(u64 ns)
{
	/* A product and a shift: no 128-bit division (no libgcc here). */
	unsigned __int128 t = (unsigned __int128)ns * lapic_mult >> 24;

	return t == 0 ? 1 : t > 0xffffffffu ? 0xffffffffu : (u32)t;
}

u64 arch_cycles(void)
{
	return rdtsc();
}

const char *arch_cycles_name(void)
{
	return "tsc";
}

void arch_cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}
