# arch/riscv64/arch.mk - riscv64 (QEMU virt, S-mode under OpenSBI) part of
# the build.
#
# Included by the top-level Makefile, which compiles ARCH_SRCS (.c and .S
# alike) with its common CFLAGS plus ARCH_CFLAGS, links
# build/riscv64/ordo.elf through the gcc driver ($(ARCH_CROSS)gcc) with
# ARCH_LDFLAGS -T $(ARCH_LDSCRIPT), and runs QEMU as
#   $(QEMU_SYSTEM) $(QEMU_MACHINE_ARGS) -kernel $(ARCH_IMAGE) -append "..."
#
# The raw image (objcopy -O binary, a RISC-V Image with its header) is the
# bootable artefact: QEMU loads it at 0x80200000 and OpenSBI, QEMU's default
# -bios, enters it in S-mode with a0 = hart id, a1 = DTB; it runs at any
# other 4 KiB-aligned address too (head.S relocates it, see
# linker/riscv64.ld).  The ELF (for gdb/addr2line) boots the same way with
# -kernel.
#
# Debian 12 packages: gcc-riscv64-unknown-elf (pulls in
# binutils-riscv64-unknown-elf) and binutils-riscv64-linux-gnu (its ld, see
# ARCH_LDFLAGS) to build; qemu-system-misc to run (its dependency
# qemu-system-data ships the OpenSBI firmware QEMU loads).

ARCH_CROSS := riscv64-unknown-elf-

ARCH_SRCS := \
	arch/riscv64/head.S \
	arch/riscv64/entry.S \
	arch/riscv64/setup.c \
	arch/riscv64/mmu.c \
	arch/riscv64/trap.c \
	arch/riscv64/uart.c \
	arch/riscv64/timer.c \
	arch/riscv64/sbi.c \
	arch/riscv64/plic.c \
	arch/riscv64/imsic.c \
	arch/riscv64/aplic.c \
	arch/riscv64/ctx.S

# -march=rv64imac_zicsr_zifencei -mabi=lp64: integer, multiply/divide,
#   atomics and compressed instructions, soft-float; the CSR and fence.i
#   extensions are separate since ISA spec 20191213 (gcc 12's default), and
#   binutils 2.40 rejects csrr without zicsr.  No F/D: the kernel never
#   touches FP state (head.S turns the FP unit off).
# -mcmodel=medany: pc-relative addressing (auipc), so the image can live at
#   0x80200000 (medlow only reaches the lowest and highest 2 GiB), or
#   anywhere else: code needs no relocation.
# -fno-pic: no GOT; absolute addresses in data (pointers, jump tables)
#   become R_RISCV_RELATIVE relocations of the -pie link, which head.S
#   applies.
# -fno-omit-frame-pointer: the trap report walks the frame-pointer chain.
# -fno-asynchronous-unwind-tables -fno-unwind-tables: no .eh_frame in the
#   image (nothing unwinds at run time); with -g the CFI goes to the
#   non-loaded .debug_frame instead, for gdb.
# -msmall-data-limit=0: no .sdata/.sbss (nothing sets up gp for them).
# No -mstrict-align needed: GCC's default tuning already avoids misaligned
#   accesses, and OpenSBI would emulate one anyway.
ARCH_CFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
	-fno-pic -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-msmall-data-limit=0

# For linking through the gcc driver, plus -T $(ARCH_LDSCRIPT).  libgcc:
# the toolchain's default libgcc is the lp64d (hard-float) multilib, which
# ld refuses to mix with our lp64 objects, and the multilib selection does
# not match the _zicsr_zifencei spelling; so put the soft-float rv64imac
# directory on the search path, and the linker script's INPUT(-lgcc) picks
# libgcc.a from there, after our objects.  --build-id=none: the script
# discards .note sections (ld would warn about a discarded build id).
ARCH_LIBGCC_DIR := $(dir $(shell $(ARCH_CROSS)gcc -march=rv64imac -mabi=lp64 -print-libgcc-file-name 2>/dev/null))
ARCH_LDSCRIPT := linker/riscv64.ld
ARCH_LDFLAGS := -nostdlib -static -no-pie -Wl,--no-warn-rwx-segments \
	-Wl,--build-id=none -Wl,-z,max-page-size=4096 $(if $(ARCH_LIBGCC_DIR),-L$(ARCH_LIBGCC_DIR))

# The C library of `make APP=` images (kernel/libc/libc.mk): Debian's
# picolibc, "release" build, the rv64imac/lp64 multilib (soft float,
# like our code; the default "." one is lp64d and does not link with it).
LIBC_NAME := picolibc
LIBC_DIR := /usr/lib/picolibc/riscv64-unknown-elf
LIBC_CFLAGS := -isystem $(LIBC_DIR)/include/release
LIBC_LIBS = $(LIBC_DIR)/lib/release/rv64imac/lp64/libc.a $(ARCH_LIBGCC_DIR)libgcc.a
LIBC_DEPS := $(LIBC_DIR)/lib/release/rv64imac/lp64/libc.a

ARCH_BUILD := build/riscv64
ARCH_ELF := $(ARCH_BUILD)/ordo.elf
ARCH_IMAGE := $(ARCH_BUILD)/ordo.img

# The kernel image is position independent (head.S relocates it):
# -pie --no-dynamic-linker -z notext give it a .rela.dyn and no loader
# (relocations in read-only sections are fine: nothing is write-protected
# while head.S applies them).  The bare-metal toolchain's ld refuses -pie
# ("not supported": built without shared-library support), so -B points
# gcc at Debian's riscv64-linux-gnu ld, which links these objects the same
# way and can.  `make APP=` images stay linked for 0x80200000 only (head.S
# says so if loaded elsewhere): picolibc's -fno-pic code reaches undefined
# weak symbols (_fini, __call_exitprocs) and kernel/libc/tls.c absolute
# ones (__tls_align) pc-relatively, which only a fixed-address link can
# resolve.
ARCH_LINUX_LD_DIR := /usr/riscv64-linux-gnu/bin/
$(ARCH_ELF): LDFLAGS += -B$(ARCH_LINUX_LD_DIR) -Wl,-pie,--no-dynamic-linker,-z,notext

# ordo.elf -> ordo.img: strip to the loadable bytes from 0x80200000 (the
# NOLOAD BSS/stacks are not in the file; the Image header's image_size tells
# the loader about them).
ARCH_OBJCOPY := $(ARCH_CROSS)objcopy
ARCH_MKIMAGE = $(ARCH_OBJCOPY) -O binary $< $@

# Keep the top Makefile's default goal: this fragment's rule must not
# become it when included before the first rule.
arch_riscv64_saved_goal := $(.DEFAULT_GOAL)
$(ARCH_IMAGE): $(ARCH_ELF)
	$(call msg,OBJCOPY,$@)
	$(Q)$(ARCH_MKIMAGE)
.DEFAULT_GOAL := $(arch_riscv64_saved_goal)

# QEMU: the default -bios (OpenSBI) provides the SBI the kernel calls
# (timer, shutdown) and enters it in S-mode; arch_exit() leaves through the
# sifive,test0 finisher, so no -semihosting.  Override QEMU_MEM on the
# command line (e.g. make ARCH=riscv64 run QEMU_MEM=1G).
QEMU_SYSTEM := qemu-system-riscv64
QEMU_MEM ?= 128M
QEMU_MACHINE ?= -M virt
QEMU_MACHINE_ARGS = $(QEMU_MACHINE) -m $(QEMU_MEM) -nodefaults -display none -serial stdio
QEMU_KERNEL := $(ARCH_IMAGE)
