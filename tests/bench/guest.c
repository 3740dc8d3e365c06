/*
 * tests/bench/guest.c - a bare guest for tests/bench/plugin-check.sh: runs
 * marker pairs around work of a known instruction count, then makes QEMU
 * exit.  One source for the three boot paths:
 *
 *   aarch64  -M virt -kernel (ELF, entered at EL1, MMU off) at 0x40080000;
 *            exits by semihosting SYS_EXIT (needs -semihosting).
 *   riscv64  -M virt -bios none -kernel (ELF, M-mode) at 0x80000000;
 *            exits through the virt board's test device (0x100000).
 *   x86_64   -kernel of a multiboot ELF32 at 0x100000 (32-bit protected
 *            mode; the marker bytes decode as the same long NOP there as
 *            in long mode); exits through isa-debug-exit at port 0xf4
 *            (QEMU's exit status is then 1).
 *
 * The pairs, in order, and the count each must give (K = GUEST_K):
 *
 *   a STOP with no START                    (the trailer's unpaired_stops=1)
 *   START; STOP                             0
 *   START; 10 nops; STOP                    10
 *   START; loop of 1 iteration; STOP        2
 *   START; loop of K iterations; STOP       2K
 *   START; loop of 2K iterations; STOP      4K
 *   aarch64 only: START; svc #0; STOP       4 (svc, and the handler's
 *                                           nop, nop, eret)
 *
 * Each loop iteration is two instructions (decrement, branch if not zero);
 * each pair is one asm statement, so the compiler puts nothing between
 * the markers.
 */
#include "arch/generic/insn_marker.h"

#ifndef GUEST_K
#define GUEST_K 1000
#endif

#if defined(__i386__)
/* insn_marker.h only speaks of x86_64; the bytes are the same. */
#define INSN_MARKER_START_ASM ".byte 0x0f, 0x1f, 0x80, 0x30, 0x44, 0x52, 0x4f"
#define INSN_MARKER_STOP_ASM ".byte 0x0f, 0x1f, 0x80, 0x31, 0x44, 0x52, 0x4f"
#define LOOP_ASM "1: dec %0\n\tjnz 1b\n\t"
#elif defined(__aarch64__)
#define LOOP_ASM "1: subs %0, %0, #1\n\tb.ne 1b\n\t"
#elif defined(__riscv)
#define LOOP_ASM "1: addi %0, %0, -1\n\tbnez %0, 1b\n\t"
#endif

#define START INSN_MARKER_START_ASM "\n\t"
#define STOP INSN_MARKER_STOP_ASM "\n\t"

void guest_main(void);
void guest_exit(void) __attribute__((noreturn));

static unsigned char stack[16384] __attribute__((aligned(16), used));

static void spin(unsigned long n)
{
	__asm__ volatile(START LOOP_ASM STOP : "+r"(n) : : "cc", "memory");
}

void guest_main(void)
{
	__asm__ volatile(STOP ::: "memory");
	__asm__ volatile(START STOP ::: "memory");
	__asm__ volatile(START ".rept 10\n\tnop\n\t.endr\n\t" STOP ::: "memory");
	spin(1);
	spin(GUEST_K);
	spin(2 * GUEST_K);
#if defined(__aarch64__)
	__asm__ volatile(START "svc #0\n\t" STOP ::: "memory");
#endif
	guest_exit();
}

#if defined(__aarch64__)
/* Vector table: only "synchronous, current EL, SP_ELx" (the svc) is used. */
__asm__(".section .text.boot, \"ax\"\n"
	".global _start\n"
	"_start:\n"
	"	ldr x0, =stack + 16384\n"
	"	mov sp, x0\n"
	"	ldr x0, =vectors\n"
	"	msr vbar_el1, x0\n"
	"	isb\n"
	"	bl guest_main\n"
	"	b .\n"
	".balign 2048\n"
	"vectors:\n"
	".fill 0x200 / 4, 4, 0xd4200000\n" /* brk #0: unexpected */
	"	nop\n"
	"	nop\n"
	"	eret\n"
	".text\n");

void guest_exit(void)
{
	/* SYS_EXIT, ADP_Stopped_ApplicationExit, status 0 */
	static const unsigned long block[2] = { 0x20026, 0 };
	register unsigned long op __asm__("x0") = 0x18;
	register const unsigned long *arg __asm__("x1") = block;

	for (;;)
		__asm__ volatile("hlt #0xf000" : : "r"(op), "r"(arg) : "memory");
}
#elif defined(__riscv)
__asm__(".section .text.boot, \"ax\"\n"
	".global _start\n"
	"_start:\n"
	"	la sp, stack + 16384\n"
	"	call guest_main\n"
	"1:	j 1b\n"
	".text\n");

void guest_exit(void)
{
	for (;;)
		*(volatile unsigned int *)0x100000 = 0x5555; /* virt test device: pass */
}
#elif defined(__i386__)
/* Multiboot header (magic, flags 0, checksum), then the entry. */
__asm__(".section .text.boot, \"ax\"\n"
	".balign 4\n"
	".long 0x1badb002, 0, -0x1badb002\n"
	".global _start\n"
	"_start:\n"
	"	mov $stack + 16384, %esp\n"
	"	call guest_main\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	".text\n");

void guest_exit(void)
{
	for (;;)
		__asm__ volatile("outb %b0, $0xf4" : : "a"(0));
}
#endif
