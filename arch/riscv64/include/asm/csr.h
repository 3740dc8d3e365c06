/*
 * arch/riscv64/include/asm/csr.h - supervisor CSRs and their fields.
 *
 * Shared by the assembly start-up code and the C files of arch/riscv64/, so
 * it holds only #defines outside the C section at the bottom.  Names follow
 * "The RISC-V Instruction Set Manual, Volume II: Privileged Architecture"
 * (version 20211203, chapter 4 "Supervisor-Level ISA"); only the fields this
 * port sets or decodes are listed.
 */
#ifndef ORDO_ASM_CSR_H
#define ORDO_ASM_CSR_H

/* Unsigned long constants in C, plain numbers for the assembler. */
#ifdef __ASSEMBLER__
#define _UL(x) x
#else
#define __UL(x) x##UL
#define _UL(x) __UL(x)
#endif

/*
 * sstatus (4.1.1).  SIE is the global S-mode interrupt enable: the kernel
 * keeps it 0 for its whole life (interrupts are wake-ups only, see plic.c).
 * SPP is the mode a trap came from (1 = S), SPIE the SIE before the trap.
 * FS/VS/XS stay 0 (Off): the kernel is soft-float.
 */
#define SSTATUS_SIE (_UL(1) << 1)
#define SSTATUS_SPIE (_UL(1) << 5)
#define SSTATUS_SPP (_UL(1) << 8)
#define SSTATUS_FS (_UL(3) << 13)

/*
 * sie / sip (4.1.3): the supervisor software (SSIE), timer (STIE) and
 * external (SEIE) interrupt enables and pending bits, by interrupt cause.
 */
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define SIE_SSIE (_UL(1) << IRQ_S_SOFT)
#define SIE_STIE (_UL(1) << IRQ_S_TIMER)
#define SIE_SEIE (_UL(1) << IRQ_S_EXT)
#define SIP_STIP SIE_STIE
#define SIP_SEIP SIE_SEIE

/* scause (4.1.9): bit 63 set for an interrupt; the rest is the cause code. */
#define SCAUSE_INTERRUPT (_UL(1) << 63)
#define SCAUSE_CODE_MASK (~SCAUSE_INTERRUPT)

/* Exception codes (table 4.2) that the trap report treats specially. */
#define EXC_INST_ILLEGAL 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_ACCESS 7
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

#ifndef __ASSEMBLER__
#include "lib/types.h"

/* Read or write a CSR by name: csr_read(sstatus), csr_set(sie, SIE_SEIE). */
#define csr_read(csr)                                          \
	({                                                     \
		u64 _v;                                        \
		__asm__ volatile("csrr %0, " #csr : "=r"(_v)); \
		_v;                                            \
	})
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"rK"((u64)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" ::"rK"((u64)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" ::"rK"((u64)(v)) : "memory")

#endif /* !__ASSEMBLER__ */
#endif
