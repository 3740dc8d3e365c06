/*
 * arch/riscv64/trap.c - report an unexpected trap and stop.
 *
 * Interface: trap_report(), called by entry.S on the trap stack with the
 * saved context.  It prints a report through kprintf and leaves QEMU with
 * exit status 3 via arch_exit(); it never returns and never waits for
 * anything but the UART.
 *
 * The report decodes scause (privileged spec 4.1.9, table 4.2), says what
 * stval holds for that cause, and dumps sepc/sstatus, x1-x31 under their ABI
 * names and a frame-pointer backtrace (the tree is built with
 * -fno-omit-frame-pointer).  Feed the addresses to
 * `riscv64-unknown-elf-addr2line -e build/riscv64/ordo.elf` (less the load
 * offset the report prints when the image runs away from its link
 * address).  A page fault in the guard page under the kernel stack
 * (mmu.c) is named as the stack overflow it is.
 *
 * It only reads the frame, the stacks and constant tables; a fault in here
 * is caught as a nested trap by entry.S.
 */
#include "arch/arch.h"
#include "lib/printf.h"
#include <asm/boot.h>
#include <asm/csr.h>
#include <asm/trap.h>

_Static_assert(offsetof(struct trap_frame, x[0]) == TRAP_FRAME_X(0), "frame");
_Static_assert(offsetof(struct trap_frame, sepc) == TRAP_FRAME_SEPC, "frame");
_Static_assert(offsetof(struct trap_frame, sstatus) == TRAP_FRAME_SSTATUS, "frame");
_Static_assert(offsetof(struct trap_frame, scause) == TRAP_FRAME_SCAUSE, "frame");
_Static_assert(offsetof(struct trap_frame, stval) == TRAP_FRAME_STVAL, "frame");
_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "frame");
_Static_assert(TRAP_FRAME_SIZE % 16 == 0, "sp must stay 16-byte aligned");

/* The link address of the image (linker/riscv64.ld; plain data). */
extern const u64 __kernel_link_base;

/* Frames followed by the backtrace before giving up. */
#define TRAP_BACKTRACE_MAX 16

/* Integer register ABI names (psABI, "Integer Register Convention"). */
static const char *const trap_reg_names[32] = {
	"zero", "ra", "sp", "gp", "tp",	 "t0",	"t1", "t2", "s0", "s1", "a0",
	"a1",	"a2", "a3", "a4", "a5",	 "a6",	"a7", "s2", "s3", "s4", "s5",
	"s6",	"s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

/* Exception codes (scause with bit 63 clear). */
static const char *trap_exception_name(u64 code)
{
	switch (code) {
	case 0: return "Instruction address misaligned";
	case 1: return "Instruction access fault";
	case 2: return "Illegal instruction";
	case 3: return "Breakpoint (ebreak, __builtin_trap)";
	case 4: return "Load address misaligned";
	case 5: return "Load access fault";
	case 6: return "Store/AMO address misaligned";
	case 7: return "Store/AMO access fault";
	case 8: return "Environment call from U-mode";
	case 9: return "Environment call from S-mode";
	case 12: return "Instruction page fault";
	case 13: return "Load page fault";
	case 15: return "Store/AMO page fault";
	default: return "reserved or unexpected cause";
	}
}

/* Interrupt codes (scause with bit 63 set). */
static const char *trap_interrupt_name(u64 code)
{
	switch (code) {
	case IRQ_S_SOFT: return "Supervisor software interrupt";
	case IRQ_S_TIMER: return "Supervisor timer interrupt";
	case IRQ_S_EXT: return "Supervisor external interrupt";
	default: return "reserved or unexpected interrupt";
	}
}

/* What stval holds for this cause (privileged spec 4.1.10). */
static const char *trap_stval_meaning(u64 scause)
{
	u64 code = scause & SCAUSE_CODE_MASK;

	if (scause & SCAUSE_INTERRUPT)
		return "not used";
	if (code == EXC_INST_ILLEGAL)
		return "the instruction bits, or 0";
	if (code == EXC_BREAKPOINT)
		return "the ebreak's address, or 0";
	if (code <= 7 || code >= 12)
		return "the faulting address";
	return "not used";
}

static void trap_print_cause(const struct trap_frame *f)
{
	u64 code = f->scause & SCAUSE_CODE_MASK;

	if (f->scause & SCAUSE_INTERRUPT) {
		kprintf("\n*** unexpected interrupt: %s (scause 0x%llx)\n",
			trap_interrupt_name(code), (unsigned long long)f->scause);
		kprintf("  interrupts are wake-ups only: who set sstatus.SIE?\n");
		return;
	}
	kprintf("\n*** unexpected exception: %s (scause %llu) from %s-mode\n",
		trap_exception_name(code), (unsigned long long)code,
		f->sstatus & SSTATUS_SPP ? "S" : "U");
	if (code == EXC_LOAD_ACCESS || code == EXC_STORE_ACCESS)
		kprintf("  (no device or RAM there, or the firmware's PMP forbids it)\n");
	if ((code == EXC_LOAD_PAGE_FAULT || code == EXC_STORE_PAGE_FAULT) &&
	    f->stval >= (uintptr_t)__stack_guard && f->stval < (uintptr_t)__stack_bottom)
		kprintf("  kernel stack overflow: stval 0x%llx is in the guard page under the "
			"%llu KiB stack\n",
			(unsigned long long)f->stval,
			(unsigned long long)((__stack_top - __stack_bottom) >> 10));
}

/* A frame pointer is usable if its record lies inside the kernel stack. */
static bool trap_fp_ok(u64 fp)
{
	u64 lo = (uintptr_t)__stack_bottom, hi = (uintptr_t)__stack_top;

	return (fp & 0xf) == 0 && fp >= lo + 16 && fp <= hi;
}

/*
 * Walk the frame-pointer chain of the interrupted code (bounded).  With
 * -fno-omit-frame-pointer, GCC's RISC-V frames put s0 at the caller's sp
 * (the CFA), the return address at s0 - 8 and the caller's s0 at s0 - 16.
 * A leaf function saves no ra: its caller's s0 is then at s0 - 8, and the
 * return address is still in ra.  As Linux's walk_stackframe(), treat the
 * first frame as a leaf when s0 - 8 holds something that looks like a
 * frame pointer.
 */
static void trap_backtrace(const struct trap_frame *f)
{
	u64 fp = f->x[8];

	kprintf("  backtrace: 0x%llx", (unsigned long long)f->sepc);
	if (trap_fp_ok(fp)) {
		const u64 *rec = (const u64 *)(uintptr_t)fp;

		if (trap_fp_ok(rec[-1]) && rec[-1] > fp) {
			kprintf(" 0x%llx", (unsigned long long)f->x[1]);
			fp = rec[-1];
		}
	}
	for (int i = 0; i < TRAP_BACKTRACE_MAX && trap_fp_ok(fp); i++) {
		const u64 *rec = (const u64 *)(uintptr_t)fp;

		if (rec[-1] == 0)
			break;
		kprintf(" 0x%llx", (unsigned long long)rec[-1]);
		if (rec[-2] <= fp) /* frames move towards the stack top */
			break;
		fp = rec[-2];
	}
	kprintf("\n");
}

__noreturn void trap_report(const struct trap_frame *f)
{
	trap_print_cause(f);
	kprintf("  sepc    0x%016llx  stval 0x%016llx (%s)\n", (unsigned long long)f->sepc,
		(unsigned long long)f->stval, trap_stval_meaning(f->scause));
	kprintf("  sstatus 0x%016llx  scause 0x%016llx\n", (unsigned long long)f->sstatus,
		(unsigned long long)f->scause);
	for (int i = 1; i < 32; i++) {
		kprintf("  %-4s 0x%016llx%s", trap_reg_names[i], (unsigned long long)f->x[i],
			i % 3 == 0 ? "\n" : "");
	}
	kprintf("\n");
	trap_backtrace(f);
	if ((uintptr_t)__kernel_start != __kernel_link_base)
		kprintf("  image at 0x%llx, linked at 0x%llx: subtract 0x%llx for addr2line\n",
			(unsigned long long)(uintptr_t)__kernel_start,
			(unsigned long long)__kernel_link_base,
			(unsigned long long)((uintptr_t)__kernel_start - __kernel_link_base));
	kprintf("*** stopping: exit status 3\n");
	arch_exit(3);
}
