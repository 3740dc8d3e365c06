/*
 * arch/generic/backtrace.h - print a frame-pointer chain for a trap report.
 *
 * For ABIs whose frame pointer points at a two-word record {the caller's
 * frame pointer, the return address}: AAPCS64's frame records (x29), and
 * the SysV x86-64 frame a function with a frame pointer builds (push rbp;
 * mov rsp, rbp: [rbp] the saved rbp, [rbp + 8] the return address).  The
 * tree is built with -fno-omit-frame-pointer.  The walk is bounded: it
 * stops after `max` frames, at a record outside [lo, hi) (the kernel
 * stack) or misaligned, at a zero return address, or when the chain stops
 * moving towards the top of the stack.  It only reads the stack.
 */
#ifndef ORDO_ARCH_GENERIC_BACKTRACE_H
#define ORDO_ARCH_GENERIC_BACKTRACE_H

#include "lib/printf.h"
#include "lib/types.h"

static inline void backtrace_print(u64 pc, u64 fp, uintptr_t lo, uintptr_t hi, u64 align, int max)
{
	kprintf("  backtrace: 0x%llx", (unsigned long long)pc);
	for (int i = 0; i < max && fp % align == 0 && fp >= lo && fp + 16 <= hi; i++) {
		const u64 *rec = (const u64 *)(uintptr_t)fp;

		if (rec[1] == 0)
			break;
		kprintf(" 0x%llx", (unsigned long long)rec[1]);
		if (rec[0] <= fp) /* frames move towards the stack top */
			break;
		fp = rec[0];
	}
	kprintf("\n");
}

#endif
