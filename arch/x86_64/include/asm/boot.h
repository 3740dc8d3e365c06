/*
 * arch/x86_64/include/asm/boot.h - private interfaces between the files of
 * arch/x86_64/ (start-up, traps, console, timer, interrupt controllers,
 * platform discovery) and the symbols linker/x86_64.ld defines.  Nothing
 * outside arch/x86_64/ includes it.
 */
#ifndef ORDO_ASM_BOOT_H
#define ORDO_ASM_BOOT_H

/* GDT selectors (head.S builds the table). */
#define GDT_CODE64 0x08
#define GDT_DATA 0x10
#define GDT_CODE32 0x18
#define GDT_TSS 0x20 /* 16 bytes: trap.c adds it (for the IST) */

/* Control registers, EFER and page table entry bits (Intel SDM vol. 3A). */
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xc0000080
#define MSR_FS_BASE 0xc0000100
#define EFER_LME (1 << 8)
#define PTE_P 0x001
#define PTE_RW 0x002
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_PS 0x080 /* 2 MiB page in a page directory */
#define PTE_UC (PTE_PCD | PTE_PWT)
#define PAGE_2M 0x200000

/* XEN_ELFNOTE_PHYS32_ENTRY (Xen's public/elfnote.h): the PVH entry point. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18
/* hvm_start_info.magic (Xen's public/arch-x86/hvm/start_info.h). */
#define PVH_START_MAGIC 0x336ec578

/* Fixed PC devices: the first serial port and QEMU's isa-debug-exit. */
#define COM1_PORT 0x3f8
#define DEBUG_EXIT_PORT 0xf4

/* Interrupt vectors (trap.c dispatches, apic.c programs). */
#define VEC_PIC_BASE 0x20   /* the 8259s, remapped and masked */
#define VEC_IRQ_BASE 0x30   /* IOAPIC input (GSI) n raises 0x30 + n */
#define VEC_IRQ_LAST 0x8f   /* GSIs 0..95 */
#define VEC_MSI_BASE 0x90   /* MSIs (msi.c): interrupt number vector - 0x30 */
#define VEC_MSI_LAST 0xdf   /* 80 of them */
#define VEC_TIMER 0xf0	    /* the local APIC timer (wait deadline) */
#define VEC_APIC_ERROR 0xfe /* local APIC error */
#define VEC_SPURIOUS 0xff   /* local APIC spurious vector */

#ifndef __ASSEMBLER__
#include "lib/types.h"

struct platform;

#include "arch/generic/sections.h"

/* This port's own linker script symbols: the stack guard page, the IST stack. */
extern char __stack_guard[];
extern char __ist_stack_bottom[], __ist_stack_top[];
/* The 256 interrupt entry stubs, X86_VECTOR_STUB bytes apart (entry.S). */
extern char x86_vectors[];
#define X86_VECTOR_STUB 16

/* The boot page tables (head.S): one PML4, one PDPT, four page directories
 * mapping [0, 4 GiB) with 2 MiB pages, but the first 2 MiB with the 4 KiB
 * pages of x86_pt0 (PD entry 0 points at it). */
extern u64 x86_pml4[512], x86_pdpt[512], x86_pd[4][512], x86_pt0[512];

/* EAX and EBX at the 32-bit entry (EBX: the PVH start info). */
extern u32 x86_boot_eax, x86_boot_ebx;

/* Register state the entry stubs save (entry.S pushes it in this order). */
struct x86_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
#define RFLAGS_IF (1u << 9)

/* C entry from head.S: long mode, BSS zeroed, on the kernel stack. */
__noreturn void x86_boot(void);

/* trap.c: load our GDT (with a TSS for the double-fault stack) and the
 * IDT; x86_interrupt() is called by every entry stub. */
void trap_init(void);
void x86_interrupt(struct x86_frame *f);

/* uart.c: COM1. */
void uart_init(void);
void uart_drain(void);

/* apic.c: mask the 8259s, enable the local APIC, find the IOAPIC. */
void apic_init(void);
/* An interrupt came in on `vector` (trap.c, interrupts masked again). */
void apic_interrupt(u32 vector);
/* This CPU's local APIC ID (bits 24-31 of the ID register, xAPIC). */
u32 lapic_id(void);
/* Local APIC timer: one-shot `count` ticks, or stop it (count 0); and
 * the ticks left (timer.c measures its rate against the PIT). */
void lapic_timer_arm(u32 count);
u32 lapic_timer_current(void);

/* timer.c: calibrate the TSC and the local APIC timer against the PIT. */
void timer_init(void);
/* Local APIC timer ticks for `ns` nanoseconds, clamped to 1..2^32-1. */
u32 timer_ns_to_lapic(u64 ns);

/*
 * platform.c: fill *p from the PVH start info at `start_info` (NULL: none)
 * and what the machine answers (PCI host bridge), and return the kernel
 * command line (copied out of the start info; "" if none).
 */
const char *x86_platform_discover(const void *start_info, struct platform *p);
/* "q35", "microvm", ...: the machine platform discovery recognised. */
const char *x86_machine_name(void);

/* Model-specific registers and the time-stamp counter. */
static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}
static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

#endif /* !__ASSEMBLER__ */
#endif
