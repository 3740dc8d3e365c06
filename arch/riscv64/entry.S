/*
 * arch/riscv64/entry.S - the supervisor trap entry (stvec, direct mode).
 *
 * Every trap is fatal (the kernel polls its devices or sleeps in wfi with
 * sstatus.SIE = 0, and never expects one): the entry saves the interrupted
 * context into a struct trap_frame (<asm/trap.h>) and calls trap_report(),
 * which prints it and exits with status 3.  Privileged spec 4.1.2 (stvec):
 * in direct mode every trap, exception or interrupt, comes here; scause
 * tells them apart.
 *
 * Robustness, since the interrupted context may be anything:
 *   - the frame goes on a dedicated trap stack, so a corrupt or exhausted
 *     kernel sp still gets a report;
 *   - the first instruction swaps sp with sscratch, which holds the trap
 *     stack's top, so nothing is stored before we are on a good stack;
 *     sscratch then becomes 0 for as long as the report runs;
 *   - a trap that finds sscratch = 0 is nested (a fault while reporting,
 *     or an exit path that traps): it prints a one-line note with the
 *     position-independent early console and calls arch_exit(3) again on a
 *     fresh trap stack; arch_exit() tries a different way out each time it
 *     is re-entered, and past TRAP_MAX_DEPTH we stop in wfi.  trap_depth
 *     counts them; it lives in .data, valid before BSS is zeroed.
 * So no trap can loop forever.
 */
#include <asm/trap.h>

#define TRAP_MAX_DEPTH 4

	.section .text.trap, "ax"
	.balign	4			/* stvec ignores the low two bits */
	.globl	trap_entry
trap_entry:
	csrrw	sp, sscratch, sp	/* sp = trap stack top (0: nested) */
	beqz	sp, trap_nested
	addi	sp, sp, -TRAP_FRAME_SIZE
	sd	t0, TRAP_FRAME_X(5)(sp)
	csrrw	t0, sscratch, zero	/* t0 = interrupted sp; now "in a trap" */
	sd	t0, TRAP_FRAME_X(2)(sp)
	sd	zero, TRAP_FRAME_X(0)(sp)
	sd	x1, TRAP_FRAME_X(1)(sp)
	sd	x3, TRAP_FRAME_X(3)(sp)
	sd	x4, TRAP_FRAME_X(4)(sp)
	sd	x6, TRAP_FRAME_X(6)(sp)
	sd	x7, TRAP_FRAME_X(7)(sp)
	sd	x8, TRAP_FRAME_X(8)(sp)
	sd	x9, TRAP_FRAME_X(9)(sp)
	sd	x10, TRAP_FRAME_X(10)(sp)
	sd	x11, TRAP_FRAME_X(11)(sp)
	sd	x12, TRAP_FRAME_X(12)(sp)
	sd	x13, TRAP_FRAME_X(13)(sp)
	sd	x14, TRAP_FRAME_X(14)(sp)
	sd	x15, TRAP_FRAME_X(15)(sp)
	sd	x16, TRAP_FRAME_X(16)(sp)
	sd	x17, TRAP_FRAME_X(17)(sp)
	sd	x18, TRAP_FRAME_X(18)(sp)
	sd	x19, TRAP_FRAME_X(19)(sp)
	sd	x20, TRAP_FRAME_X(20)(sp)
	sd	x21, TRAP_FRAME_X(21)(sp)
	sd	x22, TRAP_FRAME_X(22)(sp)
	sd	x23, TRAP_FRAME_X(23)(sp)
	sd	x24, TRAP_FRAME_X(24)(sp)
	sd	x25, TRAP_FRAME_X(25)(sp)
	sd	x26, TRAP_FRAME_X(26)(sp)
	sd	x27, TRAP_FRAME_X(27)(sp)
	sd	x28, TRAP_FRAME_X(28)(sp)
	sd	x29, TRAP_FRAME_X(29)(sp)
	sd	x30, TRAP_FRAME_X(30)(sp)
	sd	x31, TRAP_FRAME_X(31)(sp)
	csrr	t0, sepc
	sd	t0, TRAP_FRAME_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TRAP_FRAME_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TRAP_FRAME_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TRAP_FRAME_STVAL(sp)

	mv	a0, sp			/* a0 = frame */
	li	s0, 0			/* the report's own frame chain ends here */
	call	trap_report		/* does not return */
	j	trap_stop

/*
 * sp = 0, sscratch = the sp of the trap path that trapped.  Make sscratch
 * 0 again so any further trap is nested too, and take a fresh trap stack
 * (the first report's frame is abandoned: we only leave from here).
 */
trap_nested:
	csrw	sscratch, zero
	lla	sp, __trap_stack_top
	lla	t0, trap_depth
	lw	t1, 0(t0)
	addi	t1, t1, 1
	sw	t1, 0(t0)		/* one level deeper */
	li	t2, TRAP_MAX_DEPTH
	bgt	t1, t2, trap_stop
	lla	a0, msg_nested
	call	early_puts
	csrr	a0, sepc
	call	early_puthex
	lla	a0, msg_scause
	call	early_puts
	csrr	a0, scause
	call	early_puthex
	lla	a0, msg_stval
	call	early_puts
	csrr	a0, stval
	call	early_puthex
	lla	a0, msg_exit
	call	early_puts
	li	s0, 0
	li	a0, 3
	call	arch_exit		/* does not return */
trap_stop:
	csrw	sie, zero		/* nothing may end the wfi */
1:	wfi
	j	1b

msg_nested:
	.asciz	"\n*** nested trap while reporting or exiting: sepc "
msg_scause:
	.asciz	" scause "
msg_stval:
	.asciz	" stval "
msg_exit:
	.asciz	"\n*** exiting with status 3\n"

	.section .data
	.balign	4
trap_depth:
	.word	0			/* nested traps so far */
