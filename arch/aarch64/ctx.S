/*
 * arch/aarch64/ctx.S - the cooperative context switch (arch/arch.h:
 * arch_ctx_switch(), arch_ctx_init()) for lib/sched.c.
 *
 * What a call preserves under AAPCS64: x19-x28, the frame pointer x29,
 * the return address x30, sp, and the low 64 bits of v8-v15 (d8-d15).
 * The kernel runs with FP/SIMD enabled and the C library uses it, so the
 * FP control register (rounding, flush-to-zero: callee-saved by the ABI)
 * and the status flags (per thread) go too.  The frame, 176 bytes at the
 * saved sp (16-byte aligned, as AAPCS64 requires of sp):
 *
 *     0 x19 x20   16 x21 x22   32 x23 x24   48 x25 x26   64 x27 x28
 *    80 x29 x30   96 d8 d9    112 d10 d11  128 d12 d13  144 d14 d15
 *   160 fpcr fpsr
 */

#define CTX_FRAME 176

	.text

/* void arch_ctx_switch(void **save_sp, void *load_sp) */
	.globl	arch_ctx_switch
	.type	arch_ctx_switch, %function
arch_ctx_switch:
	sub	sp, sp, #CTX_FRAME
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mrs	x9, fpcr
	mrs	x10, fpsr
	stp	x9, x10, [sp, #160]
	mov	x9, sp
	str	x9, [x0]

	mov	sp, x1
	ldp	x9, x10, [sp, #160]
	msr	fpcr, x9
	msr	fpsr, x10
	ldp	d14, d15, [sp, #144]
	ldp	d12, d13, [sp, #128]
	ldp	d10, d11, [sp, #112]
	ldp	d8, d9, [sp, #96]
	ldp	x29, x30, [sp, #80]
	ldp	x27, x28, [sp, #64]
	ldp	x25, x26, [sp, #48]
	ldp	x23, x24, [sp, #32]
	ldp	x21, x22, [sp, #16]
	ldp	x19, x20, [sp, #0]
	add	sp, sp, #CTX_FRAME
	ret
	.size	arch_ctx_switch, . - arch_ctx_switch

/*
 * void *arch_ctx_init(void *top, void (*entry)(void))
 * A zeroed frame below `top` whose x30 is ctx_trampoline and x19 entry;
 * FPCR 0 is the architecture's default (round to nearest, no traps).
 */
	.globl	arch_ctx_init
	.type	arch_ctx_init, %function
arch_ctx_init:
	sub	x0, x0, #CTX_FRAME
	mov	x9, #0
1:	str	xzr, [x0, x9]
	add	x9, x9, #8
	cmp	x9, #CTX_FRAME
	b.lo	1b
	str	x1, [x0, #0]		/* x19 */
	adr	x9, ctx_trampoline
	str	x9, [x0, #88]		/* x30 */
	ret
	.size	arch_ctx_init, . - arch_ctx_init

/*
 * A new thread's first instructions: sp is `top` (16-byte aligned) and
 * x29 is 0, so a backtrace ends here.  entry() never returns; if it did,
 * the brk makes the trap report say so.
 */
	.type	ctx_trampoline, %function
ctx_trampoline:
	mov	x29, #0
	blr	x19
	brk	#0x5c
	.size	ctx_trampoline, . - ctx_trampoline
