/*
 * arch/x86_64/entry.S - the 256 interrupt and exception entry stubs.
 *
 * Stub n sits at x86_vectors + 16 * n (trap.c points IDT entry n at it).
 * It pushes a zero where the CPU pushes no error code (every vector but 8,
 * 10-14, 17, 21, 29 and 30: Intel SDM vol. 3A, 6.3 and table 6-1) so that
 * all frames look alike, then the vector number, and joins the common code,
 * which saves the general registers as struct x86_frame (asm/boot.h) and
 * calls x86_interrupt(frame).  If that returns, the registers (and, through
 * IRETQ, RFLAGS: trap.c clears IF in it) are restored.
 *
 * The CPU aligns RSP to 16 before pushing its 5-word frame in 64-bit mode;
 * 2 + 15 more words keep the call below 16-byte aligned, as the ABI wants.
 * Everything runs at ring 0 on the one kernel stack: there is no TSS and no
 * IST, so a kernel stack overflow ends in a triple fault (QEMU resets, or
 * exits with -no-reboot) rather than a report.
 */
#include <asm/boot.h>

	.section .text.vectors, "ax"
	.code64
	.balign 16
	.globl x86_vectors
x86_vectors:
	.set	vec, 0
	.rept	256
	.balign	16
	.if	!((vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30))
	pushq	$0
	.endif
	pushq	$vec
	jmp	x86_int_common
	.set	vec, vec + 1
	.endr

x86_int_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	call	x86_interrupt
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector and error code */
	iretq

	.section .note.GNU-stack, "", @progbits
