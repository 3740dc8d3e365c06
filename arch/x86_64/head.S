/*
 * arch/x86_64/head.S - PVH entry, the switch to long mode, and the boot
 * page tables.
 *
 * PVH boot (Xen's "x86/HVM direct boot ABI", which QEMU's -kernel speaks for
 * an ELF carrying the XEN_ELFNOTE_PHYS32_ENTRY note): the loader enters
 * pvh_start32 in 32-bit protected mode, paging off, CS a flat 32-bit code
 * segment, DS/ES/SS flat data segments, interrupts disabled, EBX = the
 * physical address of struct hvm_start_info.  The GDTR and IDTR may be
 * garbage and there is no stack.  (QEMU's qboot leaves the multiboot magic
 * in EAX even here: setup.c goes by the start info's own magic.)
 *
 * Steps: save EBX and EAX; load our GDT; set up a stack; check that the CPU
 * has long mode (else say so on COM1 and leave through isa-debug-exit);
 * zero BSS; build page tables that map [0, 4 GiB) 1:1 with 2 MiB pages,
 * writeback up to the end of the image and uncached (PCD|PWT) above, where
 * the devices are (arch_map_ram() turns RAM writeback later), except the
 * first 2 MiB, which hold the image: 4 KiB pages there, all writeback but
 * the guard page under the kernel stack, which stays unmapped; enable PAE,
 * load CR3, set EFER.LME, enable paging (and CR0.WP); far jump into the
 * 64-bit code segment; call x86_boot() on the kernel stack.
 */
#include <asm/boot.h>

	.section .note.Xen, "a", @note
	.balign 4
	.long 2f - 1f			/* namesz */
	.long 4f - 3f			/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
1:	.asciz "Xen"
2:	.balign 4
3:	.quad pvh_start32		/* 64-bit, as Linux: QEMU reads either */
4:	.balign 4

	.section .text.head, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	movl	%ebx, x86_boot_ebx
	movl	%eax, x86_boot_eax
	lgdt	gdt_ptr
	ljmp	$GDT_CODE32, $1f
1:	movl	$GDT_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	$__stack_top, %esp

	/* Long mode: CPUID.80000001h:EDX.LM (bit 29). */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	btl	$29, %edx
	jnc	no_long_mode

	/* Zero BSS (page tables included). */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb

	/* PML4[0] -> PDPT; PDPT[0..3] -> the four page directories. */
	movl	$x86_pdpt, %eax
	orl	$(PTE_P | PTE_RW), %eax
	movl	%eax, x86_pml4
	movl	$x86_pd, %eax
	orl	$(PTE_P | PTE_RW), %eax
	movl	$x86_pdpt, %edi
	movl	$4, %ecx
2:	movl	%eax, (%edi)
	addl	$4096, %eax
	addl	$8, %edi
	loop	2b

	/* 2048 2 MiB pages: writeback below __kernel_end, uncached above. */
	movl	$x86_pd, %edi
	xorl	%edx, %edx
	movl	$2048, %ecx
3:	movl	%edx, %eax
	orl	$(PTE_P | PTE_RW | PTE_PS), %eax
	cmpl	$__kernel_end, %edx
	jb	4f
	orl	$PTE_UC, %eax
4:	movl	%eax, (%edi)
	addl	$PAGE_2M, %edx
	addl	$8, %edi
	loop	3b

	/* The first 2 MiB in 4 KiB pages, without the stack guard page. */
	movl	$x86_pt0, %edi
	xorl	%edx, %edx
	movl	$512, %ecx
10:	movl	%edx, %eax
	orl	$(PTE_P | PTE_RW), %eax
	cmpl	$__stack_guard, %edx
	jne	11f
	xorl	%eax, %eax
11:	movl	%eax, (%edi)
	addl	$4096, %edx
	addl	$8, %edi
	loop	10b
	movl	$x86_pt0, %eax
	orl	$(PTE_P | PTE_RW), %eax
	movl	%eax, x86_pd

	/*
	 * SSE on: the kernel itself is built -mgeneral-regs-only, but a
	 * linked C library (newlib) and the program keep floating-point
	 * values and struct copies in XMM registers.  Without OSFXSR every
	 * SSE instruction raises #UD.
	 */
	movl	%cr4, %eax
	orl	$(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl	%eax, %cr4
	movl	$x86_pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	andl	$~CR0_EM, %eax
	orl	$(CR0_PG | CR0_WP | CR0_MP), %eax
	movl	%eax, %cr0
	ljmp	$GDT_CODE64, $start64

/* No long mode: say so on COM1 (polled, no set-up needed on QEMU), exit. */
no_long_mode:
	movl	$msg_no_lm, %esi
5:	lodsb
	testb	%al, %al
	jz	7f
	movb	%al, %bl
	movw	$(COM1_PORT + 5), %dx
6:	inb	%dx, %al
	testb	$0x20, %al
	jz	6b
	movb	%bl, %al
	movw	$COM1_PORT, %dx
	outb	%al, %dx
	jmp	5b
7:	movl	$1, %eax		/* host status 3: see setup.c */
	movw	$DEBUG_EXIT_PORT, %dx
	outl	%eax, %dx
8:	hlt
	jmp	8b

	.code64
start64:
	movl	$GDT_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	movq	$__stack_top, %rsp
	xorl	%ebp, %ebp		/* ends the trap report's frame walk */
	call	x86_boot
9:	hlt
	jmp	9b

	.section .rodata
msg_no_lm:
	.asciz "ordo: this CPU has no long mode (x86-64): cannot boot\r\n"

	.balign 8
gdt:
	.quad	0
	/* Accessed bits preset: the CPU never writes to this table. */
	.quad	0x00af9b000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad	0x00cf93000000ffff	/* 0x10: flat data */
	.quad	0x00cf9b000000ffff	/* 0x18: flat 32-bit code */
gdt_end:
	.balign 8
	.word	0
gdt_ptr:
	.word	gdt_end - gdt - 1
	.quad	gdt

	/* In .data, not BSS: written before BSS is zeroed. */
	.section .data
	.globl x86_boot_eax, x86_boot_ebx
	.balign 4
x86_boot_eax:
	.long	0
x86_boot_ebx:
	.long	0

	.section .bss.pgtable, "aw", @nobits
	.globl x86_pml4, x86_pdpt, x86_pd, x86_pt0
	.balign 4096
x86_pml4:
	.skip	4096
x86_pdpt:
	.skip	4096
x86_pd:
	.skip	4 * 4096
x86_pt0:
	.skip	4096

	.section .note.GNU-stack, "", @progbits
