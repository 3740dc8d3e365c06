/*
 * arch/x86_64/trap.c - the IDT, interrupt dispatch, and the report of an
 * unexpected exception.
 *
 * Interface (asm/boot.h): trap_init() loads a GDT with a TSS and an IDT
 * whose 256 entries are interrupt gates to the stubs of entry.S;
 * x86_interrupt() is where every stub lands.
 *
 * The TSS only provides IST1, a separate stack for the double fault: a
 * kernel stack overflow hits the unmapped guard page under the stack
 * (linker/x86_64.ld, head.S), the CPU cannot push the page fault's frame
 * there either and raises #DF, which switches to IST1 and is reported
 * (CR2 in the guard page: "kernel stack overflow") instead of ending in a
 * triple fault.
 *
 *   vectors 0-31        CPU exceptions: a report (vector name, error code,
 *                       CR2 for a page fault, the registers and a frame-
 *                       pointer backtrace), then exit status 3;
 *   VEC_PIC_BASE + 0-15 the 8259s, remapped and fully masked by apic.c: only
 *                       their spurious IRQ 7/15 can arrive; ignored;
 *   VEC_SPURIOUS        the local APIC's spurious vector: ignored (no EOI);
 *   everything else     a wake-up (arch_wait_irq, apic.c).
 *
 * Interrupts are enabled only inside arch_wait_irq()'s "sti; hlt" (see
 * apic.c), so a wake-up interrupt always lands there, with no driver code
 * on the stack below it: the handler only records the vector and clears IF
 * in the saved RFLAGS, so the IRETQ returns with interrupts masked again
 * and nothing can be taken between the HLT and the CLI after it.
 *
 * Feed the report's addresses to `addr2line -e build/x86_64/ordo.elf`.
 */
#include "arch/arch.h"
#include "arch/generic/backtrace.h"
#include "lib/printf.h"
#include <asm/boot.h>

_Static_assert(offsetof(struct x86_frame, vector) == 15 * 8, "entry.S frame layout");
_Static_assert(sizeof(struct x86_frame) == 22 * 8, "entry.S frame layout");

#define TRAP_BACKTRACE_MAX 16
#define IDT_GATE_INTR 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define VEC_DOUBLE_FAULT 8
#define VEC_PAGE_FAULT 14
#define IST_DOUBLE_FAULT 1
#define TSS_AVAILABLE_64 0x89 /* present, DPL 0, available 64-bit TSS */

/* The 64-bit TSS (Intel SDM vol. 3A, 8.7): only IST1 is used. */
struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3, iomap_base;
} __attribute__((packed));

static struct tss64 tss __attribute__((aligned(16)));

/* head.S's three segments (accessed bits preset), then the TSS. */
static u64 gdt[6] __attribute__((aligned(16))) = {
	0, 0x00af9b000000ffffull, /* GDT_CODE64 */
	0x00cf93000000ffffull,	  /* GDT_DATA */
	0x00cf9b000000ffffull,	  /* GDT_CODE32 */
};

struct idt_entry {
	u16 off_lo, sel;
	u8 ist, type;
	u16 off_mid;
	u32 off_hi, zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));

void trap_init(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uintptr_t)gdt };
	u64 tb = (uintptr_t)&tss, tl = sizeof(tss) - 1;

	tss.ist[IST_DOUBLE_FAULT - 1] = (uintptr_t)__ist_stack_top;
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
	gdt[GDT_TSS / 8] = (tl & 0xffff) | (tb & 0xffffff) << 16 | (u64)TSS_AVAILABLE_64 << 40 |
			   (tl >> 16 & 0xf) << 48 | (tb >> 24 & 0xff) << 56;
	gdt[GDT_TSS / 8 + 1] = tb >> 32;
	/* Same selectors as head.S's table: the loaded segments stay valid. */
	__asm__ volatile("lgdt %0" ::"m"(gdtr) : "memory");
	__asm__ volatile("ltr %w0" ::"r"(GDT_TSS) : "memory");

	for (unsigned v = 0; v < 256; v++) {
		uintptr_t a = (uintptr_t)x86_vectors + (uintptr_t)v * X86_VECTOR_STUB;

		idt[v] = (struct idt_entry){ .off_lo = (u16)a,
					     .sel = GDT_CODE64,
					     .ist = v == VEC_DOUBLE_FAULT ? IST_DOUBLE_FAULT : 0,
					     .type = IDT_GATE_INTR,
					     .off_mid = (u16)(a >> 16),
					     .off_hi = (u32)(a >> 32) };
	}
	__asm__ volatile("lidt %0" ::"m"(idtr) : "memory");
}

/* Intel SDM vol. 3A, table 6-1. */
static const char *const trap_names[32] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range",
	[6] = "#UD invalid opcode (ud2, __builtin_trap)",
	[7] = "#NM device not available (FPU/SSE use in the kernel?)",
	[8] = "#DF double fault",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack-segment fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 floating-point error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD floating-point exception",
	[20] = "#VE virtualization exception",
	[21] = "#CP control protection",
};

static u64 read_cr2(void)
{
	u64 v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* The SysV frame chain: [rbp] = caller's rbp, [rbp + 8] = return address. */
static void trap_backtrace(const struct x86_frame *f)
{
	backtrace_print(f->rip, f->rbp, (uintptr_t)__stack_bottom, (uintptr_t)__stack_top, 8,
			TRAP_BACKTRACE_MAX);
}

static __noreturn void trap_report(const struct x86_frame *f)
{
	const char *name =
		f->vector < 32 && trap_names[f->vector] ? trap_names[f->vector] : "reserved vector";

	kprintf("\n*** unexpected exception: %s (vector %llu, error code 0x%llx)\n", name,
		(unsigned long long)f->vector, (unsigned long long)f->error);
	if (f->vector == VEC_PAGE_FAULT)
		kprintf("  CR2 0x%016llx (the faulting address; %s %s)\n",
			(unsigned long long)read_cr2(), f->error & 2 ? "write" : "read",
			f->error & 1 ? "protection violation" : "to an unmapped page");
	if ((f->vector == VEC_PAGE_FAULT || f->vector == VEC_DOUBLE_FAULT) &&
	    read_cr2() >= (uintptr_t)__stack_guard && read_cr2() < (uintptr_t)__stack_bottom)
		kprintf("  kernel stack overflow: CR2 0x%llx is in the guard page under the "
			"%llu KiB stack\n",
			(unsigned long long)read_cr2(),
			(unsigned long long)((__stack_top - __stack_bottom) >> 10));
	kprintf("  rip 0x%016llx  cs %llx  rflags 0x%llx  rsp 0x%016llx  ss %llx\n",
		(unsigned long long)f->rip, (unsigned long long)f->cs,
		(unsigned long long)f->rflags, (unsigned long long)f->rsp,
		(unsigned long long)f->ss);
	kprintf("  rax 0x%016llx  rbx 0x%016llx  rcx 0x%016llx\n", (unsigned long long)f->rax,
		(unsigned long long)f->rbx, (unsigned long long)f->rcx);
	kprintf("  rdx 0x%016llx  rsi 0x%016llx  rdi 0x%016llx\n", (unsigned long long)f->rdx,
		(unsigned long long)f->rsi, (unsigned long long)f->rdi);
	kprintf("  rbp 0x%016llx  r8  0x%016llx  r9  0x%016llx\n", (unsigned long long)f->rbp,
		(unsigned long long)f->r8, (unsigned long long)f->r9);
	kprintf("  r10 0x%016llx  r11 0x%016llx  r12 0x%016llx\n", (unsigned long long)f->r10,
		(unsigned long long)f->r11, (unsigned long long)f->r12);
	kprintf("  r13 0x%016llx  r14 0x%016llx  r15 0x%016llx\n", (unsigned long long)f->r13,
		(unsigned long long)f->r14, (unsigned long long)f->r15);
	trap_backtrace(f);
	kprintf("*** stopping: exit status 3\n");
	arch_exit(3);
}

void x86_interrupt(struct x86_frame *f)
{
	if (f->vector < 32)
		trap_report(f);
	/* Spurious: no EOI.  Either way, back to arch_wait_irq() masked. */
	if (f->vector != VEC_SPURIOUS &&
	    (f->vector < VEC_PIC_BASE || f->vector >= VEC_PIC_BASE + 16))
		apic_interrupt((u32)f->vector);
	f->rflags &= ~(u64)RFLAGS_IF;
}
