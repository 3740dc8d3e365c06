/*
 * arch/host/ctx.c - arch_ctx_switch(), arch_ctx_init() and arch_tls_set()
 * for the host unit tests of lib/sched.c (arch/arch.h has the contract).
 *
 * The same frames as the kernel ports (arch/x86_64/ctx.S,
 * arch/aarch64/ctx.S; see those for the layout and why each register is
 * there), as top-level assembly for the two hosts we build on: x86_64
 * and aarch64 Linux.  AddressSanitizer is told about each switch by
 * lib/sched.c, which knows the stacks' bounds; nothing here is
 * instrumented.
 *
 * arch_tls_set() only records the pointer in host_tls_tp (arch/host/host.h)
 * for the tests to check: the host C library owns the real thread pointer.
 */
#include "arch/arch.h"
#include "arch/host/host.h"

void *host_tls_tp;

void arch_tls_set(void *tp)
{
	host_tls_tp = tp;
}

#if defined(__x86_64__)
__asm__(".text\n"
	".globl arch_ctx_switch\n"
	".type arch_ctx_switch, @function\n"
	"arch_ctx_switch:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	subq $8, %rsp\n"
	"	stmxcsr (%rsp)\n"
	"	fnstcw 4(%rsp)\n"
	"	movq %rsp, (%rdi)\n"
	"	movq %rsi, %rsp\n"
	"	ldmxcsr (%rsp)\n"
	"	fldcw 4(%rsp)\n"
	"	addq $8, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".size arch_ctx_switch, . - arch_ctx_switch\n"
	"\n"
	".globl arch_ctx_init\n"
	".type arch_ctx_init, @function\n"
	"arch_ctx_init:\n"
	"	leaq -64(%rdi), %rax\n"
	"	movl $0x1f80, 0(%rax)\n"
	"	movl $0x037f, 4(%rax)\n"
	"	movq $0, 8(%rax)\n"
	"	movq $0, 16(%rax)\n"
	"	movq $0, 24(%rax)\n"
	"	movq $0, 32(%rax)\n"
	"	movq %rsi, 40(%rax)\n"
	"	movq $0, 48(%rax)\n"
	"	leaq host_ctx_trampoline(%rip), %rcx\n"
	"	movq %rcx, 56(%rax)\n"
	"	ret\n"
	".size arch_ctx_init, . - arch_ctx_init\n"
	"\n"
	".type host_ctx_trampoline, @function\n"
	"host_ctx_trampoline:\n"
	"	call *%rbx\n"
	"	ud2\n"
	".size host_ctx_trampoline, . - host_ctx_trampoline\n");
#elif defined(__aarch64__)
__asm__(".text\n"
	".globl arch_ctx_switch\n"
	".type arch_ctx_switch, %function\n"
	"arch_ctx_switch:\n"
	"	sub sp, sp, #176\n"
	"	stp x19, x20, [sp, #0]\n"
	"	stp x21, x22, [sp, #16]\n"
	"	stp x23, x24, [sp, #32]\n"
	"	stp x25, x26, [sp, #48]\n"
	"	stp x27, x28, [sp, #64]\n"
	"	stp x29, x30, [sp, #80]\n"
	"	stp d8, d9, [sp, #96]\n"
	"	stp d10, d11, [sp, #112]\n"
	"	stp d12, d13, [sp, #128]\n"
	"	stp d14, d15, [sp, #144]\n"
	"	mrs x9, fpcr\n"
	"	mrs x10, fpsr\n"
	"	stp x9, x10, [sp, #160]\n"
	"	mov x9, sp\n"
	"	str x9, [x0]\n"
	"	mov sp, x1\n"
	"	ldp x9, x10, [sp, #160]\n"
	"	msr fpcr, x9\n"
	"	msr fpsr, x10\n"
	"	ldp d14, d15, [sp, #144]\n"
	"	ldp d12, d13, [sp, #128]\n"
	"	ldp d10, d11, [sp, #112]\n"
	"	ldp d8, d9, [sp, #96]\n"
	"	ldp x29, x30, [sp, #80]\n"
	"	ldp x27, x28, [sp, #64]\n"
	"	ldp x25, x26, [sp, #48]\n"
	"	ldp x23, x24, [sp, #32]\n"
	"	ldp x21, x22, [sp, #16]\n"
	"	ldp x19, x20, [sp, #0]\n"
	"	add sp, sp, #176\n"
	"	ret\n"
	".size arch_ctx_switch, . - arch_ctx_switch\n"
	"\n"
	".globl arch_ctx_init\n"
	".type arch_ctx_init, %function\n"
	"arch_ctx_init:\n"
	"	sub x0, x0, #176\n"
	"	mov x9, #0\n"
	"1:	str xzr, [x0, x9]\n"
	"	add x9, x9, #8\n"
	"	cmp x9, #176\n"
	"	b.lo 1b\n"
	"	str x1, [x0, #0]\n"
	"	adr x9, host_ctx_trampoline\n"
	"	str x9, [x0, #88]\n"
	"	ret\n"
	".size arch_ctx_init, . - arch_ctx_init\n"
	"\n"
	".type host_ctx_trampoline, %function\n"
	"host_ctx_trampoline:\n"
	"	mov x29, #0\n"
	"	blr x19\n"
	"	brk #0x5c\n"
	".size host_ctx_trampoline, . - host_ctx_trampoline\n");
#else
#error "arch/host/ctx.c: no context switch for this host (x86_64 and aarch64 only)"
#endif
