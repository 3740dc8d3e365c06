/*
 * arch/aarch64/head.S - arm64 Image header and the first instructions.
 *
 * Boot contract (Linux Documentation/arch/arm64/booting.rst, which QEMU's
 * -kernel and U-Boot's booti implement): the image is loaded text_offset
 * bytes above a 2 MiB aligned base in RAM and entered at its first byte at
 * EL2 or EL1 (non-secure), with the MMU off, D-cache off, the image cleaned
 * to the Point of Coherency, interrupts masked, x0 = physical address of the
 * DTB and x1..x3 = 0.  An ELF loaded by QEMU -kernel is entered with x0 = 0
 * instead: that boots too, without a device tree.
 *
 * Entry at EL3 (no firmware below us: QEMU -M virt,secure=on with a
 * -bios that jumps to us, a board's boot ROM) works too: we are then the
 * secure firmware, and make everything below EL3 non-secure (el3_entry).
 *
 * The image runs wherever the loader put it (booting.rst: a 2 MiB aligned
 * base + text_offset; we need only the link address's offset within a
 * 4 KiB page, which adrp/:lo12: pairs assume): this file and mmu.S reach
 * everything PC-relatively, and step 6 fixes up the absolute addresses in
 * data (linker/aarch64.ld).
 *
 * What happens here, in order:
 *   1. check the load address keeps the 4 KiB page offset and lies in the
 *      boot map's range, and that we run at EL1, EL2 or EL3;
 *   2. at EL3, configure EL3 (non-secure AArch64 lower levels, our small
 *      monitor el3.S for the GIC's security set-up) and drop to EL2 if the
 *      CPU has it, else to EL1;
 *   3. at EL2, configure EL2 to stay out of the way and drop to EL1;
 *   4. at EL1: mask exceptions, put SCTLR_EL1 in a known MMU-off state,
 *      enable FP/SIMD (the C compiler uses it freely, even in printf's
 *      va_list), install the vector table;
 *   5. build the identity map of the run-time image and turn on the MMU
 *      and caches (mmu.S);
 *   6. apply the R_AARCH64_RELATIVE relocations for the run-time address;
 *   7. set SP, zero BSS and call arch_boot(dtb, boot_el) in C.
 *
 * Until step 5 every data access is to Device memory (MMU off), where an
 * unaligned access faults and nothing is cached: only this file and mmu.S
 * run in that window, and they touch memory only with aligned accesses
 * (they do not even use the stack).  All C code runs with the MMU on.
 *
 * Register use until arch_boot: x19 = DTB pointer, x20 = boot EL.
 */
#include <asm/sysreg.h>
#include <asm/boot.h>
#include <asm/mmu.h>

/* arm64 Image header flags (booting.rst): bit 0 = 0 little-endian; bits
 * 2:1 = 1 4 KiB pages; bit 3 = 1 the image may be placed anywhere in RAM
 * (2 MiB aligned base + text_offset): it relocates itself. */
#define IMAGE_FLAGS ((0 << 0) | (1 << 1) | (1 << 3))

/* Elf64_Rela types (ELF for the Arm 64-bit Architecture). */
#define R_AARCH64_NONE 0
#define R_AARCH64_RELATIVE 1027
#define ELF64_RELA_SIZE 24

/* Bounded wait for the PL011 transmit FIFO (iterations, not time). */
#define EARLY_UART_SPINS 0x100000

	.cfi_sections .debug_frame
	.section .text.head, "ax"
	.globl _start
_start:
	/* The 64-byte Image header.  code0 jumps over it. */
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	__image_text_offset	/* text_offset (linker script) */
	.quad	__image_size		/* image_size, including BSS/stacks */
	.quad	IMAGE_FLAGS		/* flags */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic, at offset 56 */
	.long	0			/* res5: no PE/COFF header */

primary_entry:
	/*
	 * Unwind information for debuggers only (kept in .debug_frame): the
	 * return address is undefined here, so gdb's backtrace ends cleanly
	 * at this function instead of reporting a corrupt stack.
	 */
	.cfi_startproc
	.cfi_undefined x30
	mov	x19, x0			/* DTB pointer, kept for arch_boot */

	/*
	 * Loaded at the link address's offset in a 4 KiB page?  adr gives
	 * the run-time address; KERNEL_BASE is an absolute symbol of the
	 * linker script, so its literal is not relocated.  early_die is
	 * position independent, so it can report it from wherever we are.
	 */
	adr	x0, _start
	ldr	x1, =KERNEL_BASE
	eor	x0, x0, x1
	tst	x0, #0xfff
	adr	x0, msg_wrong_address
	b.ne	early_die
	/* And inside the boot identity map (mmu.S has no room beyond). */
	adrp	x0, __kernel_end
	ldr	x1, =MMU_MAP_LIMIT
	cmp	x0, x1
	adr	x0, msg_too_high
	b.hi	early_die

	mrs	x0, CurrentEL
	mov	x20, #3
	cmp	x0, #CURRENTEL_EL3
	b.eq	el3_entry
	mov	x20, #2
	cmp	x0, #CURRENTEL_EL2
	b.eq	el2_entry
	mov	x20, #1
	cmp	x0, #CURRENTEL_EL1
	adr	x0, msg_bad_el
	b.ne	early_die		/* EL0: cannot happen */
	b	el1_entry

el3_entry:
	/*
	 * Entered at EL3: nobody runs in the secure world, so every level
	 * below is non-secure and AArch64, HVC is enabled if there is an
	 * EL2, and no EL3 trap is set.  SMC stays enabled: it reaches our
	 * monitor (el3.S), whose one service puts the GIC's interrupts in
	 * Group 1 non-secure, once the kernel knows from the device tree
	 * where the GIC is (gic_v2.c, gic_v3.c call it when boot EL is 3).
	 * PSCI is not provided: a device tree without /psci (QEMU leaves
	 * it out when it runs firmware) tells the kernel so.
	 */
	ldr	x0, =SCTLR_EL3_RES1	/* MMU, caches off, little-endian */
	msr	sctlr_el3, x0
	mrs	x2, id_aa64pfr0_el1
	ldr	x0, =(SCR_EL3_RES1 | SCR_EL3_NS | SCR_EL3_RW)
	ubfx	x1, x2, #ID_AA64PFR0_EL2_SHIFT, #4
	cbz	x1, 1f
	orr	x0, x0, #SCR_EL3_HCE
1:	msr	scr_el3, x0
	msr	cptr_el3, xzr		/* no FP/SIMD, trace or CPACR traps */
	msr	mdcr_el3, xzr		/* no debug or PMU traps */
	adrp	x0, el3_vectors
	add	x0, x0, :lo12:el3_vectors
	msr	vbar_el3, x0

	/* GICv3 system registers: usable at EL3 and by EL2/EL1 (Enable). */
	ubfx	x0, x2, #ID_AA64PFR0_GIC_SHIFT, #4
	cbz	x0, 2f
	mov	x0, #ICC_SRE_ALL
	msr	ICC_SRE_EL3_REG, x0
2:
	/* "Return" at EL2h if there is an EL2 (el2_entry drops on), else EL1h. */
	mov	x0, #SPSR_EL1H_DAIF
	adr	x3, el1_entry
	cbz	x1, 3f
	mov	x0, #SPSR_EL2H_DAIF
	adr	x3, el2_entry
3:	msr	spsr_el3, x0
	msr	elr_el3, x3
	isb				/* EL3 register writes done before eret */
	eret

el2_entry:
	/*
	 * Entered at EL2 (QEMU -M virt,virtualization=on, U-Boot), or came
	 * down from el3_entry: we do not want a hypervisor, so make EL2
	 * transparent and run at EL1.
	 */

	/* EL1 is AArch64; no stage 2, no traps of EL1 to EL2 (VM, TSC, ... 0). */
	ldr	x0, =HCR_EL2_RW
	msr	hcr_el2, x0
	isb				/* E2H is now 0: the EL2 registers below
					 * have their non-VHE layout */

	/*
	 * Generic timer: let EL1 read CNTPCT and use the EL1 physical timer,
	 * and make the virtual counter equal the physical one (CNTVOFF = 0)
	 * so CNTVCT_EL0, which arch_time_ns() reads, is the real counter.
	 */
	mov	x0, #(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN)
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr

	/* Do not trap FP/SIMD, trace or CPACR accesses from EL1 to EL2. */
	mov	x0, #CPTR_EL2_RES1
	msr	cptr_el2, x0

	/*
	 * PMU: do not trap EL1 PMU accesses (TPM, TPMCR = 0) and give EL1
	 * all event counters (HPMN = PMCR_EL0.N; HPMN = 0 is CONSTRAINED
	 * UNPREDICTABLE before Armv8.5).  PMCR_EL0 exists only with a PMU.
	 */
	mov	x0, #0
	mrs	x1, id_aa64dfr0_el1
	ubfx	x1, x1, #ID_AA64DFR0_PMUVER_SHIFT, #4
	cbz	x1, 1f			/* no PMU */
	cmp	x1, #ID_AA64DFR0_PMUVER_MASK
	b.eq	1f			/* IMPLEMENTATION DEFINED PMU */
	mrs	x0, pmcr_el0
	ubfx	x0, x0, #PMCR_N_SHIFT, #5
1:	msr	mdcr_el2, x0

	/* Stage 2 is off, but give VTTBR a defined VMID 0. */
	msr	vttbr_el2, xzr

	/*
	 * GICv3 system registers (if the CPU has them): EL1 may use them
	 * (Enable) and does not trap to EL2 (ICH_HCR_EL2 is 0 at reset,
	 * and stays 0: no virtual CPU interface).
	 */
	mrs	x0, id_aa64pfr0_el1
	ubfx	x0, x0, #ID_AA64PFR0_GIC_SHIFT, #4
	cbz	x0, 2f
	mov	x0, #ICC_SRE_ALL
	msr	ICC_SRE_EL2_REG, x0
	isb
2:

	/* EL1 starts with its MMU and caches off, little-endian. */
	ldr	x0, =SCTLR_EL1_RES1
	msr	sctlr_el1, x0

	/* "Return" to el1_entry at EL1h with D, A, I, F masked. */
	mov	x0, #SPSR_EL1H_DAIF
	msr	spsr_el2, x0
	adr	x0, el1_entry
	msr	elr_el2, x0
	isb				/* EL2 register writes done before eret */
	eret

el1_entry:
	/* No interrupt or asynchronous abort until the kernel asks for it. */
	msr	daifset, #0xf

	/*
	 * MMU, caches and alignment checks off, little-endian: the state
	 * booting.rst promises, written explicitly so we do not depend on
	 * reset values or on what the boot loader left.
	 */
	ldr	x0, =SCTLR_EL1_RES1
	msr	sctlr_el1, x0

	/* FP/SIMD: do not trap at EL1 (reset value traps every use). */
	mov	x0, #CPACR_EL1_FPEN
	msr	cpacr_el1, x0

	/* Exceptions from here on are reported (vectors.S, trap.c). */
	msr	tpidr_el1, xzr		/* trap nesting depth = 0 */
	adrp	x0, trap_vectors
	add	x0, x0, :lo12:trap_vectors
	msr	vbar_el1, x0
	isb				/* SCTLR, CPACR, VBAR effective now */

	/* Identity map, then MMU + caches on (mmu.S; no stack needed). */
	bl	mmu_early_map
	bl	mmu_enable

	/*
	 * Relocate: for each R_AARCH64_RELATIVE entry {offset, info, addend}
	 * of .rela.dyn, store addend + delta at offset + delta, delta being
	 * run-time minus link-time address.  Done with the MMU on, so the
	 * stores go through the cache (no stale line can shadow them) and
	 * may be unaligned; nothing before this point reads a relocated
	 * word.  A trap report before it may print wrong names (its string
	 * tables are not relocated yet) but still exits.
	 */
	adr	x0, _start
	ldr	x1, =KERNEL_BASE
	sub	x9, x0, x1		/* delta */
	adrp	x2, __rela_start
	add	x2, x2, :lo12:__rela_start
	adrp	x3, __rela_end
	add	x3, x3, :lo12:__rela_end
4:	cmp	x2, x3
	b.hs	6f
	ldp	x4, x5, [x2]		/* r_offset, r_info */
	ldr	x6, [x2, #16]		/* r_addend */
	add	x2, x2, #ELF64_RELA_SIZE
	cmp	x5, #R_AARCH64_RELATIVE
	b.ne	5f
	add	x6, x6, x9
	str	x6, [x4, x9]
	b	4b
5:	cmp	x5, #R_AARCH64_NONE
	adr	x0, msg_bad_reloc
	b.ne	early_die
	b	4b
6:
	/* From here on memory is Normal cacheable: C may run. */
	adrp	x0, __stack_top
	add	x0, x0, :lo12:__stack_top
	mov	sp, x0

	/*
	 * Zero BSS now that the MMU is on: the stores go through the cache,
	 * so no stale line from before can later shadow them.  The linker
	 * script makes both ends 16-byte aligned.
	 */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
2:	cmp	x0, x1
	b.hs	3f
	stp	xzr, xzr, [x0], #16
	b	2b
3:
	/* Terminate the frame-pointer chain for backtraces. */
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x19
	mov	x1, x20
	bl	arch_boot		/* does not return */
	mov	x0, #3
	bl	arch_exit
	.cfi_endproc

/*
 * Early console and exit: polled PL011 output with bounded waits and a
 * semihosting exit.  Position independent, no stack, no writable memory, so
 * they work from anywhere, MMU on or off; vectors.S uses them for nested
 * traps.  A wedged UART costs EARLY_UART_SPINS polls per character, never
 * a hang.
 */

/*
 * early_die(x0 = NUL-terminated message): print it and leave QEMU with
 * status 3 through semihosting.  If semihosting is absent the hlt takes an
 * Undefined Instruction exception (vectors.S bounds what follows); after
 * that, wfe forever.
 */
	.globl	early_die
early_die:
	bl	early_puts
	mov	x0, #0x18		/* SYS_EXIT */
	adr	x1, early_exit_block
	hlt	#0xf000
1:	wfe
	b	1b

/* early_puts(x0 = string): '\n' becomes "\r\n".  Clobbers x0-x7. */
	.globl	early_puts
early_puts:
	mov	x7, x30
	mov	x6, x0
1:	ldrb	w3, [x6], #1
	cbz	w3, 3f
	cmp	w3, #'\n'
	b.ne	2f
	mov	w3, #'\r'
	bl	early_putc
	mov	w3, #'\n'
2:	bl	early_putc
	b	1b
3:	mov	x30, x7
	ret

/* early_puthex(x0): "0x" and 16 hex digits.  Clobbers x0-x7. */
	.globl	early_puthex
early_puthex:
	mov	x7, x30
	mov	x6, x0
	mov	w3, #'0'
	bl	early_putc
	mov	w3, #'x'
	bl	early_putc
	mov	x1, #60			/* shift of the top nibble */
1:	lsr	x3, x6, x1
	and	x3, x3, #0xf
	cmp	x3, #10
	add	x0, x3, #'0'
	add	x3, x3, #('a' - 10)
	csel	x3, x0, x3, lo
	bl	early_putc
	subs	x1, x1, #4
	b.ge	1b
	mov	x30, x7
	ret

/* early_putc(w3 = char): clobbers x2, x4, x5. */
early_putc:
	mov	x2, #PL011_BASE
	mov	x4, #EARLY_UART_SPINS
1:	ldr	w5, [x2, #0x18]		/* UARTFR */
	tbz	w5, #5, 2f		/* TXFF clear: room in the FIFO */
	subs	x4, x4, #1
	b.ne	1b			/* give up waiting: a wedged UART */
2:	str	w3, [x2]		/* UARTDR (32-bit access, as Linux) */
	ret

	.balign	8
early_exit_block:
	.quad	0x20026			/* ADP_Stopped_ApplicationExit */
	.quad	3			/* exit status */

msg_wrong_address:
	.asciz	"\nordo: loaded at a wrong offset (need 2 MiB aligned base + text_offset, as the Image header says)\n"
msg_too_high:
	.asciz	"\nordo: loaded above 1 TiB, beyond the identity map (asm/mmu.h)\n"
msg_bad_reloc:
	.asciz	"\nordo: the image has a relocation other than R_AARCH64_RELATIVE (link error)\n"
msg_bad_el:
	.asciz	"\nordo: entered at EL0; need EL1, EL2 or EL3\n"

	.ltorg
