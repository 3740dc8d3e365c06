# arch/aarch64/arch.mk - aarch64 (QEMU virt, Cortex-A53) part of the build.
#
# Included by the top-level Makefile, which compiles ARCH_SRCS (.c and .S
# alike) with its common CFLAGS plus ARCH_CFLAGS, links
# build/aarch64/ordo.elf through the gcc driver ($(ARCH_CROSS)gcc) with
# ARCH_LDFLAGS -T $(ARCH_LDSCRIPT), and runs QEMU as
#   $(QEMU_SYSTEM) $(QEMU_MACHINE_ARGS) -kernel $(ARCH_IMAGE) -append "..."
#
# The raw image (objcopy -O binary) is the bootable artefact: QEMU enters it
# with x0 = DTB.  The ELF (for gdb/addr2line) also boots with -kernel, but
# QEMU then passes x0 = 0, i.e. no device tree.

ARCH_CROSS := aarch64-linux-gnu-

ARCH_SRCS := \
	arch/aarch64/head.S \
	arch/aarch64/el3.S \
	arch/aarch64/mmu.S \
	arch/aarch64/vectors.S \
	arch/aarch64/firmware.S \
	arch/aarch64/setup.c \
	arch/aarch64/mmu.c \
	arch/aarch64/trap.c \
	arch/aarch64/console.c \
	arch/aarch64/timer.c \
	arch/aarch64/gic.c \
	arch/aarch64/gic_v2.c \
	arch/aarch64/gic_v3.c \
	arch/aarch64/msi.c \
	arch/aarch64/gic_its.c \
	arch/aarch64/crc32c.c \
	arch/aarch64/ctx.S

# -mcpu: QEMU runs us as a Cortex-A53 (and the errata workarounds below are
#   for that core on real boards; they cost next to nothing).
# -fno-pic -mcmodel=small: addresses from adrp/add (PC-relative, so the
#   code runs anywhere), no GOT; the link (-static-pie) lists the absolute
#   addresses in data as relocations, which head.S applies at boot.
# -mno-outline-atomics: inline LL/SC atomics instead of calls into libgcc's
#   __aarch64_* helpers, which we do not link.
# -fno-omit-frame-pointer: the trap report walks the frame-pointer chain.
# -fno-asynchronous-unwind-tables -fno-unwind-tables: no .eh_frame in the
#   image (nothing unwinds at run time); with -g the CFI goes to the
#   non-loaded .debug_frame instead, for gdb.
# No -mgeneral-regs-only: FP/SIMD is enabled before any C runs.  No
#   -mstrict-align: all C runs with the MMU on (Normal memory), where
#   unaligned accesses are fine; the MMU-off code is assembly.
ARCH_CFLAGS := -mcpu=cortex-a53 -mfix-cortex-a53-835769 -mfix-cortex-a53-843419 \
	-fno-pic -mcmodel=small -mno-outline-atomics -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fno-unwind-tables

# For linking through the gcc driver, plus -T $(ARCH_LDSCRIPT).  No libgcc
# is needed.  -static-pie: a position-independent image with no dynamic
# linker; its R_AARCH64_RELATIVE relocations stay in the image
# (.rela.dyn) for head.S.  -z notext: -fno-pic code keeps its constant
# pointer tables in .rodata, not in a writable .data.rel.ro; head.S
# patches them before any is read (data words only, never an
# instruction, so no I-cache maintenance).  --build-id=none: the script discards .note sections (ld would
# warn about a discarded build id).  --fix-cortex-a53-843419 pairs with the
# -mfix flag above (the linker patches the affected adrp sequences).
ARCH_LDSCRIPT := linker/aarch64.ld
ARCH_LDFLAGS := -nostdlib -static-pie -Wl,-z,notext -Wl,--no-warn-rwx-segments \
	-Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,--fix-cortex-a53-843419

# The C library of `make APP=` images (kernel/libc/libc.mk): Debian's
# picolibc, its "release" build (the default one is built for size: its
# memcpy copies a byte at a time).  libc.a is position-independent code:
# ld fills its GOT at link time (linker/aarch64.ld).  libgcc: the
# library's outline atomics and 128-bit helpers.
LIBC_NAME := picolibc
LIBC_DIR := /usr/lib/picolibc/aarch64-linux-gnu
LIBC_CFLAGS := -isystem $(LIBC_DIR)/include/release
LIBC_LIBS = $(LIBC_DIR)/lib/release/libc.a $(shell $(CC) -print-libgcc-file-name)
LIBC_DEPS := $(LIBC_DIR)/lib/release/libc.a

ARCH_BUILD := build/aarch64
ARCH_ELF := $(ARCH_BUILD)/ordo.elf
ARCH_IMAGE := $(ARCH_BUILD)/ordo.img

# ordo.elf -> ordo.img: strip to the loadable bytes from _start (the
# NOLOAD BSS/page tables/stacks are not in the file; the Image header's
# image_size tells the loader about them).
ARCH_OBJCOPY := $(ARCH_CROSS)objcopy
ARCH_MKIMAGE = $(ARCH_OBJCOPY) -O binary $< $@

# Keep the top Makefile's default goal: this fragment's rule must not
# become it when included before the first rule.
arch_aarch64_saved_goal := $(.DEFAULT_GOAL)
$(ARCH_IMAGE): $(ARCH_ELF)
	$(call msg,OBJCOPY,$@)
	$(Q)$(ARCH_MKIMAGE)
.DEFAULT_GOAL := $(arch_aarch64_saved_goal)

# QEMU: -cpu is mandatory (the default CPU is 32-bit); -semihosting is
# mandatory too, arch_exit() uses it to pass the exit status, when the
# command line asks for it: QEMU_APPEND goes in front of every -append of
# make run and the tests (without it the kernel leaves through PSCI
# SYSTEM_OFF, and QEMU exits with 0 whatever the status).  Override
# QEMU_MEM on the command line (e.g. make run QEMU_MEM=1G).
QEMU_SYSTEM := qemu-system-aarch64
QEMU_MEM ?= 128M
QEMU_APPEND := exit=semihosting
QEMU_MACHINE ?= -M virt
QEMU_MACHINE_ARGS = $(QEMU_MACHINE) -cpu cortex-a53 -m $(QEMU_MEM) -semihosting \
	-nodefaults -display none -serial stdio
QEMU_KERNEL := $(ARCH_IMAGE)
