/*
 * arch/riscv64/sbi.c - calls into the SBI firmware (OpenSBI under QEMU).
 *
 * Interface: sbi_set_timer() and sbi_shutdown() (asm/boot.h).
 *
 * RISC-V Supervisor Binary Interface specification v1.0: an ecall from
 * S-mode traps to the M-mode firmware with the extension id in a7, the
 * function id in a6 and arguments in a0..a5; it returns an error code in a0
 * (0 = SBI_SUCCESS) and a value in a1, and preserves every other register.
 * Extensions used here:
 *   Base (0x10)       probe_extension (fid 3): is an extension there?
 *   TIME (0x54494d45) set_timer (fid 0)
 *   SRST (0x53525354) system_reset (fid 0): shutdown with a reason
 * and, when the firmware only speaks SBI v0.1, the legacy calls set_timer
 * (eid 0) and shutdown (eid 8).  OpenSBI 1.x, which QEMU ships, has all.
 *
 * Concurrency: single hart; the probe results are written on first use.
 */
#include "arch/arch.h"
#include <asm/boot.h>

#define SBI_EXT_BASE 0x10
#define SBI_BASE_PROBE_EXTENSION 3
#define SBI_EXT_TIME 0x54494d45
#define SBI_TIME_SET_TIMER 0
#define SBI_EXT_SRST 0x53525354
#define SBI_SRST_SYSTEM_RESET 0
#define SBI_SRST_TYPE_SHUTDOWN 0
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1
#define SBI_LEGACY_SET_TIMER 0x00
#define SBI_LEGACY_SHUTDOWN 0x08

struct sbiret {
	long error, value;
};

/* One SBI call with up to two arguments (all we need). */
static struct sbiret sbi_call(long eid, long fid, long arg0, long arg1)
{
	register long a0 __asm__("a0") = arg0;
	register long a1 __asm__("a1") = arg1;
	register long a6 __asm__("a6") = fid;
	register long a7 __asm__("a7") = eid;

	__asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
	return (struct sbiret){ a0, a1 };
}

/*
 * Whether extension eid is implemented.  A v0.1 firmware has no Base
 * extension: the call fails and we answer false for everything.
 */
static bool sbi_probe(long eid)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, eid, 0);

	return r.error == 0 && r.value != 0;
}

/* 0 = not probed yet, 1 = use the TIME extension, 2 = legacy call. */
static unsigned sbi_timer_kind;

void sbi_set_timer(u64 stime_value)
{
	if (sbi_timer_kind == 0)
		sbi_timer_kind = sbi_probe(SBI_EXT_TIME) ? 1 : 2;
	if (sbi_timer_kind == 1)
		sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, (long)stime_value, 0);
	else
		sbi_call(SBI_LEGACY_SET_TIMER, 0, (long)stime_value, 0);
}

void sbi_shutdown(bool failure)
{
	if (sbi_probe(SBI_EXT_SRST))
		sbi_call(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, SBI_SRST_TYPE_SHUTDOWN,
			 failure ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE);
	/* Either SRST is absent or it returned (it must not): try v0.1. */
	sbi_call(SBI_LEGACY_SHUTDOWN, 0, 0, 0);
}
