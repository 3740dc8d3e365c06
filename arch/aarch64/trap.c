/*
 * arch/aarch64/trap.c - report an unexpected exception and stop.
 *
 * Interface: trap_report(), called by vectors.S on the trap stack with the
 * saved context.  It prints a report through kprintf and leaves QEMU with
 * exit status 3 via arch_exit(); it never returns and never waits for
 * anything but the UART.
 *
 * The report names the vector (kind), decodes ESR_EL1's exception class
 * (Arm ARM D17.2.37, "ESR_ELx") and, for aborts, the fault status code,
 * reports a data abort in the guard page under the kernel stack as a stack
 * overflow (linker/aarch64.ld, mmu.S), then dumps ELR/FAR/SPSR, x0-x30,
 * SP and a frame-pointer backtrace (the tree is built with
 * -fno-omit-frame-pointer).  Feed the addresses to
 * `aarch64-linux-gnu-addr2line -e build/aarch64/ordo.elf`.
 *
 * May run with the MMU off if head.S itself faults: it only reads the
 * frame and constant tables, and a fault in here is caught as a nested
 * trap by vectors.S.
 */
#include "arch/arch.h"
#include "arch/generic/backtrace.h"
#include "lib/printf.h"
#include <asm/boot.h>
#include <asm/sysreg.h>
#include <asm/trap.h>

_Static_assert(offsetof(struct trap_frame, x[0]) == TRAP_FRAME_X(0), "frame");
_Static_assert(offsetof(struct trap_frame, sp) == TRAP_FRAME_SP, "frame");
_Static_assert(offsetof(struct trap_frame, elr) == TRAP_FRAME_ELR, "frame");
_Static_assert(offsetof(struct trap_frame, spsr) == TRAP_FRAME_SPSR, "frame");
_Static_assert(offsetof(struct trap_frame, esr) == TRAP_FRAME_ESR, "frame");
_Static_assert(offsetof(struct trap_frame, far) == TRAP_FRAME_FAR, "frame");
_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "frame");
_Static_assert(TRAP_FRAME_SIZE % 16 == 0, "SP must stay 16-byte aligned");

/* Frames followed by the backtrace before giving up. */
#define TRAP_BACKTRACE_MAX 16

static const char *const trap_groups[4] = {
	"current EL, SP_EL0",
	"current EL, SP_ELx",
	"lower EL, AArch64",
	"lower EL, AArch32",
};
static const char *const trap_types[4] = {
	"Synchronous",
	"IRQ",
	"FIQ",
	"SError",
};

/* ESR_ELx.EC names (Armv8.0 classes plus a few later ones). */
static const char *esr_class_name(unsigned ec)
{
	switch (ec) {
	case 0x00: return "Unknown reason (undefined instruction?)";
	case 0x01: return "WFI/WFE trapped";
	case 0x07: return "FP/SIMD access trapped";
	case 0x0e: return "Illegal execution state";
	case 0x15: return "SVC from AArch64";
	case 0x16: return "HVC from AArch64";
	case 0x17: return "SMC from AArch64";
	case 0x18: return "MSR/MRS/system instruction trapped";
	case 0x19: return "SVE access trapped";
	case 0x20: return "Instruction Abort from a lower EL";
	case 0x21: return "Instruction Abort (same EL)";
	case 0x22: return "PC alignment fault";
	case 0x24: return "Data Abort from a lower EL";
	case 0x25: return "Data Abort (same EL)";
	case 0x26: return "SP alignment fault";
	case 0x2c: return "Floating-point exception";
	case 0x2f: return "SError interrupt";
	case 0x30: return "Breakpoint from a lower EL";
	case 0x31: return "Breakpoint (same EL)";
	case 0x32: return "Software Step from a lower EL";
	case 0x33: return "Software Step (same EL)";
	case 0x34: return "Watchpoint from a lower EL";
	case 0x35: return "Watchpoint (same EL)";
	case 0x3c: return "BRK instruction";
	default: return "reserved or unexpected class";
	}
}

/*
 * Instruction/Data Fault Status Code (ISS[5:0] of an abort).  Codes of the
 * form 0b0000LL..0b0011LL and 0b0101LL carry the table walk level LL.
 */
static bool esr_fsc_has_level(unsigned fsc)
{
	return fsc < 0x10 || (fsc & 0x3c) == 0x14;
}

static const char *esr_fsc_name(unsigned fsc)
{
	switch (fsc & 0x3c) {
	case 0x00: return "address size fault";
	case 0x04: return "translation fault";
	case 0x08: return "access flag fault";
	case 0x0c: return "permission fault";
	case 0x14: return "synchronous external abort on table walk";
	default: break;
	}
	switch (fsc) {
	case 0x10: return "synchronous external abort";
	case 0x11: return "synchronous tag check fault";
	case 0x18: return "synchronous parity/ECC error";
	case 0x21: return "alignment fault";
	case 0x30: return "TLB conflict abort";
	default: return "other fault status";
	}
}

/* "translation fault at level 0 on read", ... */
static void trap_print_fsc(u64 esr, const char *access)
{
	unsigned fsc = esr & ESR_ISS_FSC_MASK;

	kprintf("           %s", esr_fsc_name(fsc));
	if (esr_fsc_has_level(fsc))
		kprintf(" at level %u", fsc & 3);
	kprintf(" on %s%s\n", access, esr & ESR_ISS_FNV ? " (FAR not valid)" : "");
}

static void trap_print_esr(unsigned type, u64 esr, u64 elr)
{
	unsigned ec = (esr >> ESR_EC_SHIFT) & ESR_EC_MASK;

	if (type == TRAP_TYPE_IRQ || type == TRAP_TYPE_FIQ) {
		/* ESR_EL1 is not written for interrupts: do not decode it. */
		kprintf("  interrupt with no handler (who cleared DAIF.I/F?); ESR_EL1 does not "
			"apply\n");
		return;
	}
	kprintf("  ESR_EL1  0x%08llx  EC 0x%02x %s, IL %u, ISS 0x%07llx\n", (unsigned long long)esr,
		ec, esr_class_name(ec), (unsigned)!!(esr & ESR_IL),
		(unsigned long long)(esr & ESR_ISS_MASK));
	if (ec == ESR_EC_DABT_CUR || ec == ESR_EC_DABT_LOW)
		trap_print_fsc(esr, esr & ESR_ISS_WNR ? "write" : "read");
	else if (ec == ESR_EC_IABT_CUR || ec == ESR_EC_IABT_LOW)
		trap_print_fsc(esr, "instruction fetch");
	else if (ec == 0x00 && elr == (u64)(uintptr_t)semihosting_hlt)
		kprintf("           semihosting is not enabled: run QEMU with -semihosting\n");
}

/*
 * A data abort at EL1 on the guard page under the kernel stack (unmapped by
 * mmu.S): the kernel stack overflowed.  vectors.S got here on the trap
 * stack without touching the exhausted one.
 */
static void trap_print_stack_overflow(unsigned type, u64 esr, u64 far)
{
	unsigned ec = (esr >> ESR_EC_SHIFT) & ESR_EC_MASK;

	if (type != TRAP_TYPE_SYNC || ec != ESR_EC_DABT_CUR || (esr & ESR_ISS_FNV) ||
	    far < (uintptr_t)__stack_guard || far >= (uintptr_t)__stack_bottom)
		return;
	kprintf("  kernel stack overflow: FAR 0x%llx is in the guard page under the %llu KiB "
		"stack\n",
		(unsigned long long)far,
		(unsigned long long)((__stack_top - __stack_bottom) >> 10));
}

/* Walk the AAPCS64 frame-pointer chain of the interrupted code (bounded). */
static void trap_backtrace(const struct trap_frame *f)
{
	backtrace_print(f->elr, f->x[29], (uintptr_t)__stack_bottom, (uintptr_t)__stack_top, 16,
			TRAP_BACKTRACE_MAX);
}

__noreturn void trap_report(unsigned kind, const struct trap_frame *f)
{
	unsigned type = kind % 4;

	kprintf("\n*** unexpected exception: %s, %s (vector %u)\n", trap_types[type],
		trap_groups[(kind / 4) % 4], kind);
	trap_print_esr(type, f->esr, f->elr);
	trap_print_stack_overflow(type, f->esr, f->far);
	kprintf("  ELR_EL1  0x%016llx  FAR_EL1 0x%016llx  SPSR_EL1 0x%08llx\n",
		(unsigned long long)f->elr, (unsigned long long)f->far,
		(unsigned long long)f->spsr);
	for (int i = 0; i < 31; i++) {
		kprintf("  x%-2d 0x%016llx%s", i, (unsigned long long)f->x[i],
			i % 3 == 2 ? "\n" : "");
	}
	kprintf("  sp  0x%016llx\n", (unsigned long long)f->sp);
	trap_backtrace(f);
	kprintf("*** stopping: exit status 3\n");
	arch_exit(3);
}
