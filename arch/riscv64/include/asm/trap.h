/*
 * arch/riscv64/include/asm/trap.h - trap frame shared by entry.S and trap.c.
 *
 * Every trap is fatal in this kernel: entry.S saves the interrupted context
 * into a struct trap_frame on a dedicated trap stack and calls
 * trap_report(), which prints it and leaves QEMU with status 3.  The offsets
 * are #defines so the assembler can use them; trap.c checks them against the
 * struct with _Static_assert.
 *
 * sscratch is owned by the trap path: it holds the top of the trap stack
 * while no trap is being handled, and 0 while one is (head.S sets it before
 * installing stvec).  A trap that finds 0 there is nested.
 */
#ifndef ORDO_ASM_TRAP_H
#define ORDO_ASM_TRAP_H

#define TRAP_FRAME_X(n) ((n)*8) /* x0 (always 0) .. x31; x2 is the old sp */
#define TRAP_FRAME_SEPC (32 * 8)
#define TRAP_FRAME_SSTATUS (33 * 8)
#define TRAP_FRAME_SCAUSE (34 * 8)
#define TRAP_FRAME_STVAL (35 * 8)
#define TRAP_FRAME_SIZE (36 * 8) /* a multiple of 16: sp stays aligned */

#ifndef __ASSEMBLER__
#include "lib/types.h"

struct trap_frame {
	u64 x[32];   /* x[0] = 0, x[2] = sp at the time of the trap */
	u64 sepc;    /* faulting instruction, or where an interrupt hit */
	u64 sstatus; /* SPP: the mode trapped from; SPIE: SIE before it */
	u64 scause;  /* bit 63: interrupt; the rest: cause code */
	u64 stval;   /* faulting address, or 0 / the instruction bits */
};

/* Print the frame and leave QEMU with status 3.  Called by entry.S only. */
__noreturn void trap_report(const struct trap_frame *f);

/* The trap entry point (entry.S), 4-byte aligned, installed in stvec. */
extern char trap_entry[];

#endif /* !__ASSEMBLER__ */
#endif
