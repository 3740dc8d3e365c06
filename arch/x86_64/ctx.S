/*
 * arch/x86_64/ctx.S - the cooperative context switch (arch/arch.h:
 * arch_ctx_switch(), arch_ctx_init()) for lib/sched.c.
 *
 * What a call preserves under the SysV x86-64 ABI: rbx, rbp, r12-r15,
 * rsp, and the control bits of MXCSR and the x87 control word.  The
 * kernel itself is built -mgeneral-regs-only, but a linked C library
 * uses SSE (head.S enables it), so both control registers go with the
 * thread.  The frame at the saved rsp, pushed below the return address
 * that the call to arch_ctx_switch() left:
 *
 *    0 MXCSR (4 bytes), x87 control word (2), padding (2)
 *    8 r15   16 r14   24 r13   32 r12   40 rbx   48 rbp   56 return address
 */

	.text

/* void arch_ctx_switch(void **save_sp, void *load_sp): rdi, rsi */
	.globl	arch_ctx_switch
	.type	arch_ctx_switch, @function
arch_ctx_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)

	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	arch_ctx_switch, . - arch_ctx_switch

/*
 * void *arch_ctx_init(void *top, void (*entry)(void)): rdi, rsi
 * A 64-byte frame below `top`: the return address is ctx_trampoline, rbx
 * entry, rbp and the rest 0, MXCSR and the control word their reset
 * values (all exceptions masked, round to nearest; 64-bit precision).
 */
	.globl	arch_ctx_init
	.type	arch_ctx_init, @function
arch_ctx_init:
	leaq	-64(%rdi), %rax
	movl	$0x1f80, 0(%rax)	/* MXCSR */
	movl	$0x037f, 4(%rax)	/* x87 control word, padding */
	movq	$0, 8(%rax)		/* r15 */
	movq	$0, 16(%rax)		/* r14 */
	movq	$0, 24(%rax)		/* r13 */
	movq	$0, 32(%rax)		/* r12 */
	movq	%rsi, 40(%rax)		/* rbx */
	movq	$0, 48(%rax)		/* rbp */
	leaq	ctx_trampoline(%rip), %rcx
	movq	%rcx, 56(%rax)		/* return address */
	ret
	.size	arch_ctx_init, . - arch_ctx_init

/*
 * A new thread's first instructions: the ret popped the whole frame, so
 * rsp is `top`, 16-byte aligned as the ABI wants before a call, and rbp
 * is 0, so a backtrace ends here.  entry() never returns; if it did, the
 * ud2 makes the trap report say so.
 */
	.type	ctx_trampoline, @function
ctx_trampoline:
	call	*%rbx
	ud2
	.size	ctx_trampoline, . - ctx_trampoline

	.section .note.GNU-stack, "", @progbits
