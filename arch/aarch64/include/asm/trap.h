/*
 * arch/aarch64/include/asm/trap.h - exception frame shared by vectors.S and
 * trap.c.
 *
 * Every exception is fatal in this kernel: vectors.S saves the interrupted
 * context into a struct trap_frame on a dedicated trap stack and calls
 * trap_report(), which prints it and leaves QEMU with status 3.  The offsets
 * are #defines so the assembler can use them; trap.c checks them against the
 * struct with _Static_assert.
 *
 * Registers owned by the trap path (the kernel never runs at EL0, so these
 * are otherwise unused):
 *   TPIDR_EL1   trap nesting depth, 0 outside a trap (set to 0 by head.S)
 *   TPIDRRO_EL0 the interrupted x0 while the vector stub frees a register
 *   TPIDR_EL0   the interrupted x1, likewise
 *   SP_EL0      the interrupted SP while switching to the trap stack
 */
#ifndef ORDO_ASM_TRAP_H
#define ORDO_ASM_TRAP_H

#define TRAP_FRAME_X(n) ((n)*8) /* x0..x30 */
#define TRAP_FRAME_SP (31 * 8)
#define TRAP_FRAME_ELR (32 * 8)
#define TRAP_FRAME_SPSR (33 * 8)
#define TRAP_FRAME_ESR (34 * 8)
#define TRAP_FRAME_FAR (35 * 8)
#define TRAP_FRAME_SIZE (36 * 8) /* a multiple of 16: SP stays aligned */

/*
 * Vector kinds: the index of the 128-byte vector entry, 0..15 (Arm ARM
 * D1.10.2): group (kind / 4) is current EL with SP_EL0, current EL with
 * SP_ELx, lower EL AArch64, lower EL AArch32; type (kind % 4) is
 * synchronous, IRQ, FIQ, SError.
 */
#define TRAP_KINDS 16
#define TRAP_TYPE_SYNC 0
#define TRAP_TYPE_IRQ 1
#define TRAP_TYPE_FIQ 2
#define TRAP_TYPE_SERROR 3

#ifndef __ASSEMBLER__
#include "lib/types.h"

struct trap_frame {
	u64 x[31];
	u64 sp;	  /* SP at the time of the exception */
	u64 elr;  /* ELR_EL1: faulting or preferred return address */
	u64 spsr; /* SPSR_EL1: PSTATE at the time of the exception */
	u64 esr;  /* ESR_EL1: syndrome (meaningless for IRQ/FIQ) */
	u64 far;  /* FAR_EL1: faulting data/instruction address */
};

/* Print the frame and leave QEMU with status 3.  Called by vectors.S only. */
__noreturn void trap_report(unsigned kind, const struct trap_frame *f);

/* The vector table (vectors.S), 2 KiB aligned, installed in VBAR_EL1. */
extern char trap_vectors[];

#endif /* !__ASSEMBLER__ */
#endif
