/*
 * arch/aarch64/vectors.S - the EL1 exception vector table.
 *
 * Every exception is fatal (the kernel polls its devices and never expects
 * one): each of the 16 entries saves the interrupted context into a struct
 * trap_frame (<asm/trap.h>) and calls trap_report(), which prints it and
 * exits with status 3.  Layout (Arm ARM D1.10.2): VBAR_EL1 is 2 KiB aligned,
 * one 128-byte entry per {current EL with SP_EL0, current EL with SP_ELx,
 * lower EL AArch64, lower EL AArch32} x {Synchronous, IRQ, FIQ, SError}.
 *
 * Robustness, since the interrupted context may be anything:
 *   - the frame goes on a dedicated trap stack, so a corrupt or exhausted
 *     kernel SP still gets a report;
 *   - the first registers are freed into spare system registers (see
 *     <asm/trap.h>), not memory, so nothing is stored before we know the
 *     stack is good; TPIDR_EL0, the C library's thread pointer, is put
 *     back (aarch64_tls_tp, setup.c) before any C runs;
 *   - TPIDR_EL1 counts the nesting depth.  A trap while reporting one (or
 *     the semihosting hlt trapping because QEMU lacks -semihosting) prints
 *     a one-line note with position-independent code and calls arch_exit(3)
 *     again on a fresh trap stack; arch_exit() tries a different way out
 *     each time it is re-entered, and past TRAP_MAX_DEPTH we stop in wfe.
 *     So no exception can loop forever.
 */
#include <asm/trap.h>

#define TRAP_MAX_DEPTH 4

/* One vector entry: free x0, pass the entry index in it. */
.macro ventry kind
	.balign	0x80
	msr	tpidrro_el0, x0
	mov	x0, #\kind
	b	trap_entry
.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.globl	trap_vectors
trap_vectors:
	ventry	0	/* current EL, SP_EL0: Synchronous */
	ventry	1	/*                     IRQ */
	ventry	2	/*                     FIQ */
	ventry	3	/*                     SError */
	ventry	4	/* current EL, SP_ELx: Synchronous (the kernel's own) */
	ventry	5	/*                     IRQ */
	ventry	6	/*                     FIQ */
	ventry	7	/*                     SError */
	ventry	8	/* lower EL, AArch64 */
	ventry	9
	ventry	10
	ventry	11
	ventry	12	/* lower EL, AArch32 */
	ventry	13
	ventry	14
	ventry	15

/* x0 = entry index; the interrupted x0 is in TPIDRRO_EL0. */
trap_entry:
	msr	tpidr_el0, x1		/* free x1 too */
	mrs	x1, tpidr_el1
	add	x1, x1, #1
	msr	tpidr_el1, x1		/* one level deeper */
	cmp	x1, #1
	b.ne	trap_nested

	/* Switch to the trap stack, parking the interrupted SP in SP_EL0. */
	mov	x1, sp
	msr	sp_el0, x1
	adrp	x1, __trap_stack_top
	add	x1, x1, :lo12:__trap_stack_top
	mov	sp, x1
	sub	sp, sp, #TRAP_FRAME_SIZE

	stp	x2, x3, [sp, #TRAP_FRAME_X(2)]
	stp	x4, x5, [sp, #TRAP_FRAME_X(4)]
	stp	x6, x7, [sp, #TRAP_FRAME_X(6)]
	stp	x8, x9, [sp, #TRAP_FRAME_X(8)]
	stp	x10, x11, [sp, #TRAP_FRAME_X(10)]
	stp	x12, x13, [sp, #TRAP_FRAME_X(12)]
	stp	x14, x15, [sp, #TRAP_FRAME_X(14)]
	stp	x16, x17, [sp, #TRAP_FRAME_X(16)]
	stp	x18, x19, [sp, #TRAP_FRAME_X(18)]
	stp	x20, x21, [sp, #TRAP_FRAME_X(20)]
	stp	x22, x23, [sp, #TRAP_FRAME_X(22)]
	stp	x24, x25, [sp, #TRAP_FRAME_X(24)]
	stp	x26, x27, [sp, #TRAP_FRAME_X(26)]
	stp	x28, x29, [sp, #TRAP_FRAME_X(28)]
	str	x30, [sp, #TRAP_FRAME_X(30)]
	mrs	x1, tpidrro_el0
	mrs	x2, tpidr_el0
	stp	x1, x2, [sp, #TRAP_FRAME_X(0)]
	mrs	x1, sp_el0
	mrs	x2, elr_el1
	stp	x1, x2, [sp, #TRAP_FRAME_SP]	/* sp, elr */
	mrs	x1, spsr_el1
	mrs	x2, esr_el1
	stp	x1, x2, [sp, #TRAP_FRAME_SPSR]	/* spsr, esr */
	mrs	x1, far_el1
	str	x1, [sp, #TRAP_FRAME_FAR]

	/* TPIDR_EL0 held x1 above: give C its thread pointer back. */
	adrp	x2, aarch64_tls_tp
	ldr	x2, [x2, :lo12:aarch64_tls_tp]
	msr	tpidr_el0, x2
	mov	x1, sp			/* x0 = kind, x1 = frame */
	mov	x29, xzr		/* report's backtrace starts here */
	bl	trap_report		/* does not return */
	b	trap_stop

/* x0 = entry index, x1 = depth >= 2. */
trap_nested:
	cmp	x1, #TRAP_MAX_DEPTH
	b.hi	trap_stop
	adr	x0, msg_nested
	bl	early_puts
	mrs	x0, elr_el1
	bl	early_puthex
	adr	x0, msg_esr
	bl	early_puts
	mrs	x0, esr_el1
	bl	early_puthex
	adr	x0, msg_exit
	bl	early_puts
	adrp	x1, __trap_stack_top	/* fresh stack for arch_exit() */
	add	x1, x1, :lo12:__trap_stack_top
	mov	sp, x1
	mov	x29, xzr
	mov	x0, #3
	bl	arch_exit		/* does not return */
trap_stop:
	wfe
	b	trap_stop

msg_nested:
	.asciz	"\n*** nested exception while reporting or exiting: ELR "
msg_esr:
	.asciz	" ESR "
msg_exit:
	.asciz	"\n*** exiting with status 3\n"
