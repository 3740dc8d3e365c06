# arch/x86_64/arch.mk - x86_64 (QEMU microvm and q35, PVH boot) part of the
# build.
#
# Included by the top-level Makefile, which compiles ARCH_SRCS (.c and .S
# alike) with its common CFLAGS plus ARCH_CFLAGS, links
# build/x86_64/ordo.elf through the gcc driver with ARCH_LDFLAGS
# -T $(ARCH_LDSCRIPT), and runs QEMU as
#   $(QEMU_SYSTEM) $(QEMU_MACHINE_ARGS) -kernel $(ARCH_IMAGE) -append "..."
#
# The bootable artefact is an ELF: QEMU's -kernel finds the PVH note
# (XEN_ELFNOTE_PHYS32_ENTRY) and enters head.S in 32-bit protected mode;
# ordo.img is ordo.elf without its debug sections.  The host's own gcc
# builds it (the kernel is freestanding, the host is x86_64).
#
# Debian 12 packages: gcc and binutils (the native toolchain) to build;
# qemu-system-x86 to run (it pulls in seabios and qemu-system-data, which
# ships qboot.rom and microvm's firmware).

ARCH_CROSS :=

ARCH_SRCS := \
	arch/x86_64/head.S \
	arch/x86_64/entry.S \
	arch/x86_64/setup.c \
	arch/x86_64/trap.c \
	arch/x86_64/uart.c \
	arch/x86_64/timer.c \
	arch/x86_64/apic.c \
	arch/x86_64/msi.c \
	arch/x86_64/platform.c \
	arch/x86_64/vmmio_cmdline.c \
	arch/x86_64/crc32c.c \
	arch/x86_64/ctx.S

# -m64 -march=x86-64: the baseline every x86-64 CPU (and QEMU's qemu64) has.
# -mgeneral-regs-only: no x87/SSE/AVX code at all, so no FPU state to set
#   up or save (the interrupt stubs save only the general registers).
# -mno-red-zone: an interrupt (taken in arch_wait_irq) pushes its frame
#   right below RSP, where the SysV red zone would keep live data.
# -mcmodel=small -fno-pic -fno-pie: the image is linked at 1 MiB and runs
#   there; absolute 32-bit addresses suffice.  Debian's gcc defaults to PIE.
# -fno-omit-frame-pointer: the trap report walks the RBP chain.
# -fno-asynchronous-unwind-tables -fno-unwind-tables: no .eh_frame.
# -fcf-protection=none: no ENDBR64 (nothing enables CET).
ARCH_CFLAGS := -m64 -march=x86-64 -mgeneral-regs-only -mno-red-zone -mcmodel=small \
	-fno-pic -fno-pie -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -fcf-protection=none

# --build-id=none: the script keeps only the PVH note; -z noexecstack with
# the .note.GNU-stack sections of the .S files keeps ld quiet.
ARCH_LDSCRIPT := linker/x86_64.ld
ARCH_LDFLAGS := -nostdlib -static -no-pie -Wl,--no-warn-rwx-segments \
	-Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack

# The C library of `make APP=` images (kernel/libc/libc.mk): Debian has
# no freestanding C library for x86_64, so newlib is built once from the
# newlib-source package (tools/build-newlib.sh, about two minutes) into
# build/newlib-x86_64.  It uses SSE (head.S enables it); programs are
# built without -mgeneral-regs-only (libc.mk).
LIBC_NAME := newlib
LIBC_DIR := build/newlib-x86_64/install/x86_64-elf
LIBC_CFLAGS := -nostdinc -isystem $(LIBC_DIR)/include -isystem $(shell gcc -print-file-name=include)
LIBC_LIBS = $(LIBC_DIR)/lib/libc.a $(LIBC_DIR)/lib/libm.a $(shell gcc -print-libgcc-file-name)
LIBC_DEPS := build/newlib-x86_64/stamp

ARCH_BUILD := build/x86_64
ARCH_ELF := $(ARCH_BUILD)/ordo.elf
ARCH_IMAGE := $(ARCH_BUILD)/ordo.img

ARCH_OBJCOPY := objcopy
ARCH_MKIMAGE = $(ARCH_OBJCOPY) --strip-debug $< $@

arch_x86_64_saved_goal := $(.DEFAULT_GOAL)
build/newlib-x86_64/stamp:
	$(Q)tools/build-newlib.sh build/newlib-x86_64

$(ARCH_IMAGE): $(ARCH_ELF)
	$(call msg,OBJCOPY,$@)
	$(Q)$(ARCH_MKIMAGE)
.DEFAULT_GOAL := $(arch_x86_64_saved_goal)

# QEMU: microvm with acpi=off is the default machine (virtio-mmio devices,
# named on the command line QEMU appends); configurations that need PCI
# give their own -M q35 (tests/run-tests.sh then drops QEMU_MACHINE).
# isa-debug-exit carries the exit status (setup.c: host status 2s + 1);
# -no-reboot turns a triple fault into an exit instead of a reboot loop.
# Override QEMU_MEM on the command line (e.g. make ARCH=x86_64 run
# QEMU_MEM=1G), or the machine, e.g. QEMU_MACHINE="-M q35" with
# RUN_DEVICE=virtio-blk-pci.
QEMU_SYSTEM := qemu-system-x86_64
QEMU_MEM ?= 128M
QEMU_MACHINE ?= -M microvm,acpi=off
QEMU_MACHINE_ARGS = $(QEMU_MACHINE) -m $(QEMU_MEM) -nodefaults -display none -serial stdio \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04
QEMU_EXIT := debug-exit
QEMU_KERNEL := $(ARCH_IMAGE)
