/*
 * arch/riscv64/head.S - RISC-V Image header and the first instructions.
 *
 * Boot contract (RISC-V SBI firmware -> supervisor, as OpenSBI's fw_dynamic
 * and Linux Documentation/arch/riscv/boot.rst describe it): the image is
 * loaded at RAM base + text_offset (0x80200000 on QEMU virt: OpenSBI owns
 * the first 2 MiB), or wherever a boot loader chose (U-Boot's booti), and
 * entered at its first byte in S-mode with satp = 0 (no translation),
 * sstatus.SIE = 0, a0 = the hart id and a1 = the physical address of the
 * DTB.  QEMU -kernel loads a raw image (or an ELF) there and the default
 * -bios (OpenSBI) jumps to it.
 *
 * What happens here, in order:
 *   1. keep a0/a1 and check that we run in S-mode (not M-mode, see
 *      below);
 *   2. mask every interrupt (sstatus.SIE and sie), turn the FP unit off
 *      (the kernel is soft-float: an FP instruction is a bug and traps),
 *      make sure translation is off;
 *   3. vector traps to early_trap (below: no C, no data);
 *   4. relocate: the image runs wherever it was loaded (4 KiB aligned at
 *      least; boot loaders use 2 MiB), so apply the R_RISCV_RELATIVE
 *      entries of .rela.dyn (linker/riscv64.ld) for the load address;
 *   5. vector every trap to entry.S, whose report exits with status 3;
 *   6. set sp, zero BSS, turn on the MMU (mmu.c: an identity map with the
 *      stack guard page left out) and call riscv_boot(hartid, dtb) in C.
 *
 * C needs no MMU or cache set-up: with satp = 0 memory attributes come
 * from the platform's PMAs (RAM cacheable, devices I/O), and they still do
 * under Sv39 without Svpbmt, so mmu.c's identity map changes nothing but
 * the guard page.  arch.h promises kmain() "FP/SIMD on": that is moot
 * here, as nothing is built for the F/D/V extensions.
 *
 * The Image header (Linux Documentation/arch/riscv/boot-image-header.rst,
 * v0.2) has no flag for "placeable anywhere" (arm64's bit 3): its flags
 * hold only the endianness bit, and a loader may put the image at any
 * suitably aligned address.
 *
 * Why not -bios none (M-mode)?  With -bios none QEMU's reset code jumps
 * to 0x80000000 in M-mode, with a0 = hart id and a1 = DTB.  This image
 * cannot run there, and making one that can is a second build flavour,
 * not a tweak:
 *   - it would have to be linked at 0x80000000 (a raw image is loaded
 *     there, and this one is not position independent; an ELF is loaded at
 *     its link address 0x80200000, but QEMU still jumps to 0x80000000 and
 *     executes empty RAM);
 *   - the kernel would have to be its own firmware: an M-mode trap vector
 *     and the m* CSRs instead of the s* ones used everywhere in this
 *     directory, the timer through the ACLINT's mtimecmp instead of SBI
 *     set_timer, the PLIC's M-mode context (2h, not 2h + 1), exit without
 *     SBI; or an M-mode shim that sets up PMP, delegation and counters and
 *     answers the kernel's SBI calls itself, i.e. a small OpenSBI.
 * Nothing the tests or `make run` need, so it is left out: the default
 * -bios (OpenSBI) costs a few tens of ms of boot time.  Should a raw image
 * be entered in M-mode anyway, step 1 stops it with a message rather than let
 * it fault or hang at its first SBI call.
 *
 * Register use until riscv_boot: s1 = hart id, s2 = DTB pointer, s3 = load
 * offset (run-time minus link address of _start).
 */
#include <asm/boot.h>
#include <asm/csr.h>

/* RISC-V Image header (Linux boot-image-header.rst, version 0.2). */
#define IMAGE_VERSION ((0 << 16) | 2)
#define IMAGE_FLAGS 0 /* bit 0 = 0: little-endian kernel */
#define IMAGE_TEXT_OFFSET 0x200000

/* Elf64_Rela.r_info of the only relocation the image may hold. */
#define R_RISCV_RELATIVE 3
#define RELA_SIZE 24

/* Bounded wait for the UART transmitter (iterations, not time). */
#define EARLY_UART_SPINS 0x100000

	.cfi_sections .debug_frame
	.section .text.head, "ax"
	.globl	_start
_start:
	/* The 64-byte Image header.  code0 jumps over it: a 4-byte j. */
	.option	push
	.option	norvc
	j	primary_entry		/* code0 */
	.option	pop
	.long	0			/* code1 */
	.quad	IMAGE_TEXT_OFFSET	/* text_offset */
	.quad	__kernel_end - _start	/* image_size, including BSS/stacks */
	.quad	IMAGE_FLAGS		/* flags */
	.long	IMAGE_VERSION		/* version */
	.long	0			/* res1 */
	.quad	0			/* res2 */
	.ascii	"RISCV\0\0\0"		/* magic (deprecated, still checked) */
	.ascii	"RSC\x05"		/* magic2, at offset 56 */
	.long	0			/* res3: no PE/COFF header */

primary_entry:
	/*
	 * Unwind information for debuggers only (kept in .debug_frame): the
	 * return address is undefined here, so gdb's backtrace ends cleanly
	 * at this function instead of reporting a corrupt stack.
	 */
	.cfi_startproc
	.cfi_undefined ra
	mv	s1, a0			/* hart id */
	mv	s2, a1			/* DTB */

	/*
	 * S-mode, as we need (see the top)?  mhartid is an M-mode CSR: in
	 * M-mode (-bios none) the read succeeds and we stop with a message;
	 * in S-mode it is an illegal instruction, which the firmware hands
	 * down to stvec (OpenSBI's sbi_trap_redirect()), i.e. to 1: below.
	 */
	lla	t0, 1f
	csrw	stvec, t0
	csrr	t0, mhartid
	lla	a0, msg_m_mode
	j	early_die
	.balign	4			/* stvec targets are 4-byte aligned */
1:

	/*
	 * No interrupt is ever taken as a trap (plic.c wakes from wfi with
	 * sstatus.SIE = 0); sie starts empty, plic.c enables what it waits
	 * for.  FS = Off: no FP state, FP instructions trap.
	 */
	csrci	sstatus, SSTATUS_SIE
	csrw	sie, zero
	li	t0, SSTATUS_FS
	csrc	sstatus, t0
	/* Bare: no translation (the state the firmware promises, stated). */
	csrw	satp, zero
	sfence.vma

	/* Until the data is relocated, a trap gets the bare report. */
	lla	t0, early_trap
	csrw	stvec, t0

	/*
	 * Relocate.  s3 = where we run (lla: pc relative) minus where we were
	 * linked (__kernel_link_base: plain data, not relocated).  Each entry
	 * says: the word at r_offset + s3 holds r_addend + s3.  ld leaves
	 * those words zero in the file, so this runs at the link address too
	 * (s3 = 0).  Anything but R_RISCV_RELATIVE, or a target outside the
	 * image, is a build error: stop with a message.  No relocations at
	 * all: a fixed-address link (a `make APP=` image, see arch.mk), whose
	 * words hold their link-time values and which runs only there.
	 */
	lla	t0, _start
	lla	t1, __kernel_link_base
	ld	t1, 0(t1)
	sub	s3, t0, t1
	slli	t2, s3, 52		/* the offset's low 12 bits */
	lla	a0, msg_misaligned
	bnez	t2, early_die		/* page tables, guard: 4 KiB pages */
	lla	t3, __rela_dyn_start
	lla	t4, __rela_dyn_end
	bne	t3, t4, 3f
	lla	a0, msg_fixed_address
	bnez	s3, early_die
3:	mv	t5, t0			/* image bounds, run-time */
	lla	t6, __kernel_end
	lla	a0, msg_bad_reloc
1:	bgeu	t3, t4, 2f
	ld	t0, 8(t3)		/* r_info: symbol 0, type RELATIVE */
	li	t1, R_RISCV_RELATIVE
	bne	t0, t1, early_die
	ld	t0, 0(t3)		/* r_offset (link-time address) */
	add	t0, t0, s3
	bltu	t0, t5, early_die
	addi	t2, t0, 8
	bgtu	t2, t6, early_die
	ld	t1, 16(t3)		/* r_addend (link-time value) */
	add	t1, t1, s3
	sd	t1, 0(t0)
	addi	t3, t3, RELA_SIZE
	j	1b
2:	fence.i				/* should a word in .text have changed */

	/*
	 * Traps from here on are reported (entry.S, trap.c).  sscratch
	 * first: entry.S reads it to find its stack (0 = nested trap).
	 */
	lla	t0, __trap_stack_top
	csrw	sscratch, t0
	lla	t0, trap_entry
	csrw	stvec, t0		/* direct mode: trap_entry is 4-aligned */

	/* A stack, BSS zeroed (both ends 16-byte aligned, see the script). */
	lla	sp, __stack_top
	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	sd	zero, 8(t0)
	addi	t0, t0, 16
	j	1b
2:
	/* Terminate the frame-pointer chain for backtraces. */
	li	s0, 0
	li	ra, 0
	call	riscv_mmu_init		/* translation on: the stack guard */
	mv	a0, s1
	mv	a1, s2
	call	riscv_boot		/* does not return */
	li	a0, 3
	call	arch_exit
	.cfi_endproc

/*
 * Early console and exit: polled ns16550a output with bounded waits, the
 * sifive,test0 finisher and SBI.  Position independent, no stack, no
 * writable memory, so they work from anywhere; entry.S uses them for nested
 * traps.  A wedged UART costs EARLY_UART_SPINS polls per character, never
 * a hang.
 */

/*
 * early_trap: a trap before the data is relocated (the C report would
 * follow unrelocated pointers).  Print the cause and leave.
 */
	.balign	4			/* stvec targets are 4-byte aligned */
early_trap:
	lla	a0, msg_early_trap
	jal	early_puts
	csrr	a0, sepc
	jal	early_puthex
	lla	a0, msg_early_scause
	jal	early_puts
	csrr	a0, scause
	jal	early_puthex
	lla	a0, msg_early_stval
	jal	early_puts
	csrr	a0, stval
	jal	early_puthex
	lla	a0, msg_newline
	j	early_die

/*
 * early_die(a0 = NUL-terminated message): print it and leave QEMU with
 * status 3 through the finisher.  Each way out first points stvec at the
 * next one, so a way that traps (no such device, no SBI) falls through to
 * the next instead of into the C trap report: finisher, then SBI system
 * reset, then wfi forever.
 */
	.globl	early_die
early_die:
	jal	early_puts
	lla	t0, 1f
	csrw	stvec, t0
	li	t0, SIFIVE_TEST_BASE
	li	t1, (3 << 16) | SIFIVE_TEST_FAIL
	sw	t1, 0(t0)
	.balign	4			/* stvec targets are 4-byte aligned */
1:	lla	t0, 2f
	csrw	stvec, t0
	li	a7, 0x53525354		/* SBI SRST */
	li	a6, 0			/* system_reset */
	li	a0, 0			/* shutdown */
	li	a1, 1			/* reason: system failure */
	ecall
	.balign	4
2:	csrw	sie, zero		/* nothing may end the wfi */
3:	wfi
	j	3b

/* early_puts(a0 = string): '\n' becomes "\r\n".  Clobbers a0, t0-t5. */
	.globl	early_puts
early_puts:
	mv	t4, ra
	mv	t3, a0
1:	lbu	a0, 0(t3)
	beqz	a0, 3f
	addi	t3, t3, 1
	li	t5, '\n'
	bne	a0, t5, 2f
	li	a0, '\r'
	jal	early_putc
	li	a0, '\n'
2:	jal	early_putc
	j	1b
3:	mv	ra, t4
	ret

/* early_puthex(a0): "0x" and 16 hex digits.  Clobbers a0, t0-t6. */
	.globl	early_puthex
early_puthex:
	mv	t4, ra
	mv	t3, a0
	li	a0, '0'
	jal	early_putc
	li	a0, 'x'
	jal	early_putc
	li	t5, 60			/* shift of the top nibble */
1:	srl	a0, t3, t5
	andi	a0, a0, 0xf
	li	t6, 10
	blt	a0, t6, 2f
	addi	a0, a0, 'a' - 10 - '0'
2:	addi	a0, a0, '0'
	jal	early_putc
	addi	t5, t5, -4
	bgez	t5, 1b
	mv	ra, t4
	ret

/* early_putc(a0 = char): clobbers t0-t2. */
early_putc:
	li	t0, UART_BASE
	li	t1, EARLY_UART_SPINS
1:	lbu	t2, UART_LSR(t0)
	andi	t2, t2, UART_LSR_THRE
	bnez	t2, 2f			/* THR empty: room for one */
	addi	t1, t1, -1
	bnez	t1, 1b			/* give up waiting: a wedged UART */
2:	sb	a0, UART_THR(t0)
	ret

msg_m_mode:
	.asciz	"\nordo: entered in M-mode (-bios none?); this image runs in S-mode under SBI firmware (QEMU's default -bios)\n"
msg_misaligned:
	.asciz	"\nordo: loaded at an address that is not 4 KiB aligned\n"
msg_fixed_address:
	.asciz	"\nordo: this image (not position independent: make APP=) runs only at its link address 0x80200000\n"
msg_bad_reloc:
	.asciz	"\nordo: .rela.dyn holds a relocation head.S cannot apply (not R_RISCV_RELATIVE, or outside the image): a bad build\n"
msg_early_trap:
	.asciz	"\nordo: trap before relocation: sepc "
msg_early_scause:
	.asciz	" scause "
msg_early_stval:
	.asciz	" stval "
msg_newline:
	.asciz	"\n"
