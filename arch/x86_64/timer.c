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
 * counter-latch command until 11932 ticks (10 ms) have passed.  The BIOS
 * used channel 0 for its tick; its interrupt is masked here (the 8259s
 * and the IOAPIC input both), so reprogramming it disturbs nothing.
 *
 * Under TCG the TSC follows the host clock, and under -icount shift=0 it
 * counts instructions; the PIT follows QEMU's virtual clock either way, so
 * the figures are right in both.  A result outside any plausible range (no
 * PIT: the count never moves) falls back to 1 GHz with a warning.
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

#define CALIBRATE_MS 10u
#define CALIBRATE_TICKS (PIT_HZ * CALIBRATE_MS / 1000u)
/* Count reads before giving up (a stuck or absent PIT). */
#define CALIBRATE_READS 5000000u

#define NSEC_PER_SEC 1000000000ull
#define TSC_FALLBACK_HZ NSEC_PER_SEC

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

/*
 * Measure CALIBRATE_TICKS of the PIT in TSC cycles and local APIC timer
 * ticks.  The count runs down from 65536 and reloads (mode 2), so elapsed
 * ticks are the decrease modulo 2^16 between two reads; reads come far
 * more often than the 55 ms a wrap takes.
 */
static void calibrate(u64 *tsc_cycles, u64 *lapic_ticks)
{
	u32 elapsed = 0, reads = 0;
	u64 t0;
	u16 prev;

	raw_outb(PIT_CMD, PIT_CMD_CH0_LOHI_MODE2);
	raw_outb(PIT_CH0, 0);
	raw_outb(PIT_CH0, 0);
	prev = pit_ch0_read();
	lapic_timer_arm(0xffffffffu);
	t0 = rdtsc();
	while (elapsed < CALIBRATE_TICKS && ++reads < CALIBRATE_READS) {
		u16 now = pit_ch0_read();

		elapsed += (u16)(prev - now);
		prev = now;
	}
	*tsc_cycles = rdtsc() - t0;
	*lapic_ticks = 0xffffffffu - lapic_timer_current();
	lapic_timer_arm(0);
	if (elapsed < CALIBRATE_TICKS)
		*tsc_cycles = *lapic_ticks = 0; /* the PIT never got there */
}

void timer_init(void)
{
	u64 cycles, ticks, scale = 1000u / CALIBRATE_MS;

	calibrate(&cycles, &ticks);
	if (cycles * scale < 50000000ull || cycles > 50000000000ull / scale) {
		kprintf("arch: TSC calibration against the PIT failed (%llu cycles in %u ms): "
			"assuming 1 GHz\n",
			(unsigned long long)cycles, CALIBRATE_MS);
	} else {
		tsc_hz = cycles * scale;
	}
	lapic_hz = ticks * scale;
	if (lapic_hz < 100000u) {
		kprintf("arch: local APIC timer calibration failed: deadlines use 1 MHz\n");
		lapic_hz = 1000000u;
	}
	tsc_mult = (NSEC_PER_SEC << 32) / tsc_hz;
	lapic_mult = (lapic_hz << 24) / NSEC_PER_SEC;
	tsc_base = rdtsc();
	kprintf("arch: TSC %llu.%03llu MHz, local APIC timer %llu.%03llu MHz (PIT calibrated)\n",
		(unsigned long long)(tsc_hz / 1000000), (unsigned long long)(tsc_hz / 1000 % 1000),
		(unsigned long long)(lapic_hz / 1000000),
		(unsigned long long)(lapic_hz / 1000 % 1000));
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
