/*
 * arch/generic/sections.h - the linker-script symbols every port defines
 * (linker/ARCH.ld): addresses only, never read their "value".
 */
#ifndef ORDO_ARCH_GENERIC_SECTIONS_H
#define ORDO_ARCH_GENERIC_SECTIONS_H

extern char __kernel_start[]; /* first byte of the image */
extern char __bss_start[], __bss_end[];
extern char __stack_bottom[], __stack_top[]; /* the kernel stack */

#endif
