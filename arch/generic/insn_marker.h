/*
 * arch/generic/insn_marker.h - instructions that mark where a measured
 * piece of work starts and stops, for the instruction-counting QEMU plugin
 * of `make bench` (tools/bench/insn_count.c).
 *
 * Each marker is an architectural no-op with an encoding nothing else
 * emits, so it costs nothing outside the measurement and the plugin can
 * find it by its bytes.  The same bytes are used by ordo's kernel and by
 * the user-mode marker program run in the Linux guest; user mode may
 * execute them all.
 *
 *   x86_64   nopl 0x4f524430(%rax) / nopl 0x4f524431(%rax)
 *            (0f 1f 80 + disp32 "0DRO"/"1DRO": a long NOP)
 *   aarch64  hint #0x6e / hint #0x6f  (unallocated hints execute as NOP)
 *   riscv64  slti x0, x0, 0x4f0 / 0x4f1  (rd = x0: a HINT, no effect)
 */
#ifndef ORDO_ARCH_GENERIC_INSN_MARKER_H
#define ORDO_ARCH_GENERIC_INSN_MARKER_H

/* The bytes, for the plugin (little-endian, as they sit in memory). */
#define INSN_MARKER_X86_64_START                         \
	{                                                \
		0x0f, 0x1f, 0x80, 0x30, 0x44, 0x52, 0x4f \
	}
#define INSN_MARKER_X86_64_STOP                          \
	{                                                \
		0x0f, 0x1f, 0x80, 0x31, 0x44, 0x52, 0x4f \
	}
#define INSN_MARKER_AARCH64_START 0xd5032ddfu /* hint #0x6e */
#define INSN_MARKER_AARCH64_STOP 0xd5032dffu  /* hint #0x6f */
#define INSN_MARKER_RISCV64_START 0x4f002013u /* slti x0, x0, 0x4f0 */
#define INSN_MARKER_RISCV64_STOP 0x4f102013u  /* slti x0, x0, 0x4f1 */

#if defined(__x86_64__)
#define INSN_MARKER_START_ASM ".byte 0x0f, 0x1f, 0x80, 0x30, 0x44, 0x52, 0x4f"
#define INSN_MARKER_STOP_ASM ".byte 0x0f, 0x1f, 0x80, 0x31, 0x44, 0x52, 0x4f"
#elif defined(__aarch64__)
#define INSN_MARKER_START_ASM "hint #0x6e"
#define INSN_MARKER_STOP_ASM "hint #0x6f"
#elif defined(__riscv)
#define INSN_MARKER_START_ASM "slti x0, x0, 0x4f0"
#define INSN_MARKER_STOP_ASM "slti x0, x0, 0x4f1"
#endif

#ifdef INSN_MARKER_START_ASM
/* The plugin starts counting this vCPU's instructions from here ... */
static inline void insn_marker_start(void)
{
	__asm__ volatile(INSN_MARKER_START_ASM ::: "memory");
}

/* ... and reports the count here (one line per start/stop pair). */
static inline void insn_marker_stop(void)
{
	__asm__ volatile(INSN_MARKER_STOP_ASM ::: "memory");
}
#endif

#endif
