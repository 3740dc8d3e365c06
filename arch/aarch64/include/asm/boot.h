/*
 * arch/aarch64/include/asm/boot.h - private interfaces between the files of
 * arch/aarch64/ (start-up, timer, firmware calls) and the symbols that
 * linker/aarch64.ld defines.  Nothing outside arch/aarch64/ includes it.
 */
#ifndef ORDO_ASM_BOOT_H
#define ORDO_ASM_BOOT_H

#include <asm/sysreg.h>

/*
 * PL011 UART of QEMU virt.  A board port would take the address from the
 * DTB (/chosen/stdout-path) instead; the early paths (head.S) need it
 * before any C runs, hence a constant.
 */
#define PL011_BASE _UL(0x09000000)

#ifndef __ASSEMBLER__
#include "lib/types.h"

#include "arch/generic/sections.h"

/* This port's own linker script symbols: the trap stack, the guard page. */
extern char __trap_stack_bottom[], __trap_stack_top[];
extern char __stack_guard[]; /* unmapped page under __stack_bottom */

/*
 * C entry from head.S, MMU and caches on, BSS zeroed, on the kernel stack.
 * fdt is x0 as the boot loader passed it (unchecked); boot_el is 1 or 2.
 */
__noreturn void arch_boot(u64 fdt, u64 boot_el);

/* Exception level the kernel was entered at (1 or 2), set by arch_boot(). */
extern unsigned aarch64_boot_el;

/* Start the PMU cycle counter if there is one (timer.c). */
void timer_init(void);

/*
 * firmware.S.  semihosting_call() issues an Arm semihosting request (hlt
 * #0xf000, op in x0, parameter block pointer in x1) and returns x0; it takes
 * an Undefined Instruction exception if the host is not listening (QEMU
 * without -semihosting).  psci_call_hvc/_smc() issue an SMCCC fast call
 * with function id fn (no arguments) and return x0.
 */
u64 semihosting_call(u64 op, const void *arg);
extern char semihosting_hlt[]; /* address of the hlt, for the trap report */
u64 psci_call_hvc(u64 fn);
u64 psci_call_smc(u64 fn);

#endif /* !__ASSEMBLER__ */
#endif
