/*
 * arch/riscv64/ctx.S - the cooperative context switch (arch/arch.h:
 * arch_ctx_switch(), arch_ctx_init()) for lib/sched.c.
 *
 * What a call preserves under the lp64 (soft-float) ABI: ra, sp and
 * s0-s11; the kernel has no FP state (head.S turns the FP unit off).
 * The frame, 112 bytes at the saved sp (16-byte aligned, as the ABI
 * requires of sp): ra at 0, s0..s11 at 8..96, 8 bytes of padding.
 */

#define CTX_FRAME 112

	.text

/* void arch_ctx_switch(void **save_sp, void *load_sp) */
	.globl	arch_ctx_switch
	.type	arch_ctx_switch, @function
arch_ctx_switch:
	addi	sp, sp, -CTX_FRAME
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	sd	s2, 24(sp)
	sd	s3, 32(sp)
	sd	s4, 40(sp)
	sd	s5, 48(sp)
	sd	s6, 56(sp)
	sd	s7, 64(sp)
	sd	s8, 72(sp)
	sd	s9, 80(sp)
	sd	s10, 88(sp)
	sd	s11, 96(sp)
	sd	sp, 0(a0)

	mv	sp, a1
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	ld	s2, 24(sp)
	ld	s3, 32(sp)
	ld	s4, 40(sp)
	ld	s5, 48(sp)
	ld	s6, 56(sp)
	ld	s7, 64(sp)
	ld	s8, 72(sp)
	ld	s9, 80(sp)
	ld	s10, 88(sp)
	ld	s11, 96(sp)
	addi	sp, sp, CTX_FRAME
	ret
	.size	arch_ctx_switch, . - arch_ctx_switch

/*
 * void *arch_ctx_init(void *top, void (*entry)(void))
 * A zeroed frame below `top` whose ra is ctx_trampoline and s1 entry.
 */
	.globl	arch_ctx_init
	.type	arch_ctx_init, @function
arch_ctx_init:
	addi	a0, a0, -CTX_FRAME
	mv	t0, a0
	addi	t1, a0, CTX_FRAME
1:	sd	zero, 0(t0)
	addi	t0, t0, 8
	bltu	t0, t1, 1b
	lla	t0, ctx_trampoline
	sd	t0, 0(a0)		/* ra */
	sd	a1, 16(a0)		/* s1 */
	ret
	.size	arch_ctx_init, . - arch_ctx_init

/*
 * A new thread's first instructions: sp is `top` (16-byte aligned) and
 * the frame pointer s0 is 0, so a backtrace ends here.  entry() never
 * returns; if it did, the ebreak makes the trap report say so.
 */
	.type	ctx_trampoline, @function
ctx_trampoline:
	li	s0, 0
	jalr	s1
	ebreak
	.size	ctx_trampoline, . - ctx_trampoline
