/*
 * arch/aarch64/el3.S - the smallest EL3 monitor, for when the kernel was
 * entered at EL3 (head.S el3_entry) and so is its own secure firmware.
 *
 * A GIC with two security states (GICv2 Security Extensions, GICv3 with
 * GICD_CTLR.DS = 0) comes out of reset with every interrupt in Group 0,
 * secure; only secure accesses can move them to Group 1 non-secure, and
 * on a GICv3 only they can wake the redistributor.  The kernel runs at
 * non-secure EL1 and learns where the GIC is from the device tree only in
 * C, so this monitor offers one service, called by gic_v2.c / gic_v3.c
 * when the boot EL was 3 (an SMCCC fast call in the OEM range):
 *
 *   ORDO_SMC_GIC_NONSECURE  x1 = distributor base, x2 = the GICv3
 *   redistributor (RD_base) of this CPU, or 0 for a GICv2, x3 = the
 *   GICv2 CPU interface, or 0 for a GICv3.
 *   Puts every interrupt in Group 1 non-secure (GICD_IGROUPRn = ~0; GICv3:
 *   also GICD_IGRPMODRn = 0, the SGI/PPI bank in the redistributor's SGI
 *   frame, and the redistributor woken through GICR_WAKER), enables Group 1
 *   non-secure in the secure view of GICD_CTLR (GICv3: with ARE_S and
 *   ARE_NS set, the affinity routing the kernel uses), and on a GICv2 opens
 *   the priority mask (secure GICC_PMR = 0xff: a non-secure write to the
 *   mask is ignored while the secure value is below 0x80, GICv2 spec
 *   3.6.2; the GICv3 system register has the same rule only with
 *   SCR_EL3.FIQ set, which we leave clear).  Returns 0.
 *
 * Every other SMC returns SMCCC NOT_SUPPORTED (-1): there is no PSCI here
 * (arch_exit() then halts, or uses semihosting if asked).  Any other
 * exception taken to EL3 is a bug: reported on the early console, then
 * QEMU is left through semihosting (early_die).
 *
 * Runs with the EL3 MMU off (Device memory), no stack, only x0-x4 and
 * x9-x12 (SMCCC lets the callee clobber x0-x17; x30 is left alone).
 */
#include <asm/sysreg.h>

#define ESR_EC_SMC64 0x17
#define SMCCC_NOT_SUPPORTED -1

#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP (1 << 31)
#define GICD_CTLR_S_ENABLE_G1NS (1 << 1) /* v2: EnableGrp1 */
#define GICD_CTLR_S_ARE_S (1 << 4)
#define GICD_CTLR_S_ARE_NS (1 << 5)
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_IGRPMODR 0x0d00
#define GICC_PMR 0x0004
#define GICR_WAKER 0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1 << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1 << 2)
#define GICR_SGI_IGROUPR0 (0x10000 + 0x0080)
#define GICR_SGI_IGRPMODR0 (0x10000 + 0x0d00)

/* Bound of every register poll (iterations: no timer at EL3 here). */
#define EL3_SPINS 0x100000

/* Bounded wait for GICD_CTLR.RWP (RES0 on a GICv2).  Clobbers x3, x12;
 * a macro, not a call: x30 is the caller's, which SMCCC preserves. */
	.macro	gicd_wait_rwp
	mov	x12, #EL3_SPINS
9:	ldr	w3, [x1, #GICD_CTLR]
	tbz	w3, #31, 8f
	subs	x12, x12, #1
	b.ne	9b
8:
	.endm

	.text
	.balign	2048
	.globl	el3_vectors
el3_vectors:
	.rept	8			/* current EL, SP0 and SPx: a bug */
	.balign	128
	b	el3_unexpected
	.endr
	.balign	128			/* lower EL, AArch64, synchronous */
	b	el3_sync_lower
	.rept	7			/* the rest: IRQ/FIQ are not routed here */
	.balign	128
	b	el3_unexpected
	.endr

el3_unexpected:
	adr	x0, msg_el3_unexpected
	b	early_die

el3_sync_lower:
	mrs	x9, esr_el3
	lsr	x9, x9, #ESR_EC_SHIFT
	cmp	x9, #ESR_EC_SMC64
	b.ne	el3_unexpected
	ldr	x9, =ORDO_SMC_GIC_NONSECURE
	cmp	w0, w9
	b.eq	el3_gic_nonsecure
	mov	x0, #SMCCC_NOT_SUPPORTED
	eret				/* ELR_EL3 is the instruction after the smc */

el3_gic_nonsecure:
	mov	x4, x3			/* GICC (x3 is a scratch register below) */
	/* Distributor: groups off, then (GICv3) affinity routing on. */
	ldr	w9, [x1, #GICD_CTLR]
	bic	w9, w9, #0xff		/* every group enable */
	str	w9, [x1, #GICD_CTLR]
	gicd_wait_rwp
	cbz	x2, 1f
	orr	w9, w9, #(GICD_CTLR_S_ARE_S | GICD_CTLR_S_ARE_NS)
	str	w9, [x1, #GICD_CTLR]
	gicd_wait_rwp
1:
	/* Every SPI (GICv2: and the banked SGIs/PPIs) Group 1 non-secure. */
	ldr	w10, [x1, #GICD_TYPER]
	and	w10, w10, #0x1f		/* ITLinesNumber: N + 1 registers */
	mov	w11, #0
2:	add	x12, x1, #GICD_IGROUPR
	mov	w3, #-1
	str	w3, [x12, x11, lsl #2]
	cbz	x2, 3f
	add	x12, x1, #GICD_IGRPMODR
	str	wzr, [x12, x11, lsl #2]
3:	add	w11, w11, #1
	cmp	w11, w10
	b.ls	2b

	cbz	x4, 7f
	mov	w3, #0xff		/* GICv2: open the priority mask */
	str	w3, [x4, #GICC_PMR]
7:	cbz	x2, 5f
	/* GICv3 redistributor: wake it, its SGIs and PPIs Group 1 NS. */
	ldr	w9, [x2, #GICR_WAKER]
	bic	w9, w9, #GICR_WAKER_PROCESSOR_SLEEP
	str	w9, [x2, #GICR_WAKER]
	mov	x10, #EL3_SPINS
4:	ldr	w9, [x2, #GICR_WAKER]
	tbz	w9, #2, 6f		/* ChildrenAsleep clear */
	subs	x10, x10, #1
	b.ne	4b
6:	ldr	x12, =GICR_SGI_IGROUPR0
	mov	w3, #-1
	str	w3, [x2, x12]
	ldr	x12, =GICR_SGI_IGRPMODR0
	str	wzr, [x2, x12]
5:
	/* Group 1 non-secure on (secure view of GICD_CTLR; ARE kept). */
	ldr	w9, [x1, #GICD_CTLR]
	orr	w9, w9, #GICD_CTLR_S_ENABLE_G1NS
	str	w9, [x1, #GICD_CTLR]
	gicd_wait_rwp
	mov	x0, #0
	eret

msg_el3_unexpected:
	.asciz	"\nordo: unexpected exception at EL3\n"
	.ltorg
