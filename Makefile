# ordo - a bare-metal virtio-blk stack that gets write ordering right.
#
#   make [ARCH=aarch64]   build build/$(ARCH)/ordo.img (raw, bootable) and ordo.elf
#                         (ARCH: aarch64, riscv64 or x86_64)
#   make run              build and boot the default configuration under QEMU
#   make test             host unit tests, the crash-state engine, the QEMU test
#                         matrix and kill test; lists each failure with its
#                         log, then ends "N passed, N failed"
#   make host-tests       only the host unit tests
#   make qemu-tests       only the QEMU matrix
#   make format-check     clang-format must agree with every C file
#   make crash-test       the crash-state engine alone (also crash-quick,
#                         crash-mutants, crash-asan: see tests/crash/crash.mk)
#   make help             every target and the variables a user sets
#
# Each build step prints one line ("  CC      kernel/fs/jnl.c"); V=1 prints
# the full commands instead.
#
# Missing Debian packages are installed by tools/deps.sh (as root).

ARCH ?= aarch64
# Every architecture `make test` builds and boots.
TEST_ARCHES ?= aarch64 riscv64 x86_64
BUILD := build
OUT := $(BUILD)/$(ARCH)
HOST_OUT := $(BUILD)/host

# ---- build output: one short line per step, V=1 for the full commands ---
# A rule (here or in an included .mk file) announces its step, then runs
# its command behind $(Q):
#	$(call msg,CC,$<)
#	$(Q)$(CC) ... -c $< -o $@
# `make -s` prints neither.  The compiler's own messages always show.
V ?= 0
ifeq ($(V),1)
Q :=
msg :=
else
Q := @
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
msg :=
else
msg = @printf '  %-7s %s\n' '$(1)' '$(2)'
endif
endif
# Recursive makes (and the test scripts' make calls) never print
# "Entering directory".
MAKEFLAGS += --no-print-directory

include arch/$(ARCH)/arch.mk

CC := $(ARCH_CROSS)gcc

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS := -std=c11 $(WARN) -O2 -g -ffreestanding -fno-pic -fno-stack-protector \
	-fno-tree-loop-distribute-patterns -I. -Iarch/$(ARCH)/include $(ARCH_CFLAGS)
LDFLAGS := $(ARCH_LDFLAGS) -T $(ARCH_LDSCRIPT)

# Portable sources, listed explicitly (layer by layer, bottom up).
LIB_SRCS := lib/string.c lib/printf.c lib/kprintf.c lib/panic.c lib/errno.c lib/boot_alloc.c lib/heap.c \
	lib/sched.c lib/crc32c.c lib/crc32.c lib/fdt.c lib/fdt_boot.c lib/dt_platform.c lib/disksig.c lib/part.c lib/part_gpt.c
VIRTIO_SRCS := drivers/virtio/virtqueue.c drivers/virtio/virtqueue_packed.c drivers/virtio/virtio.c \
	drivers/virtio/virtio_mmio.c drivers/virtio/virtio_pci.c \
	drivers/virtio/virtio_pci_modern.c drivers/virtio/virtio_pci_legacy.c \
	drivers/virtio/virtio_pci_msix.c
PCI_DRV_SRCS := drivers/pci/pci.c drivers/pci/pci_bar.c drivers/pci/pci_bridge.c \
	drivers/pci/pci_cap.c drivers/pci/pci_msix.c
BLOCK_DRV_SRCS := drivers/block/virtio_blk.c drivers/block/virtio_blk_probe.c
BLOCK_SRCS := kernel/block/blk.c
FS_SRCS := kernel/fs/jnl.c kernel/fs/jnl_cache.c kernel/fs/jnl_recover.c kernel/fs/ondisk.c \
	kernel/fs/fs_alloc.c kernel/fs/fs_buf.c kernel/fs/fs_dir.c kernel/fs/fs_file.c \
	kernel/fs/fs_format.c kernel/fs/fs_fsck.c kernel/fs/fs_inode.c kernel/fs/fs_jprobe.c \
	kernel/fs/fs_name.c kernel/fs/fs_op.c kernel/fs/fs_probe.c kernel/fs/fs_super.c
KERNEL_SRCS := kernel/main.c kernel/cmdline.c kernel/bench.c kernel/bench_jobs.c kernel/disks.c \
	kernel/demo.c kernel/posix/vfs.c kernel/app_none.c \
	kernel/ktest/ktap.c kernel/ktest/ktest_blk.c kernel/ktest/ktest_order.c \
	kernel/ktest/ktest_fs.c kernel/ktest/ktest_sched.c

SRCS := $(ARCH_SRCS) $(LIB_SRCS) $(PCI_DRV_SRCS) $(VIRTIO_SRCS) $(BLOCK_DRV_SRCS) $(BLOCK_SRCS) $(FS_SRCS) \
	$(KERNEL_SRCS)
OBJS := $(patsubst %,$(OUT)/obj/%.o,$(SRCS))

.PHONY: all deps run test host-tests qemu-tests clean format-check help
# The empty recipe: an up-to-date tree prints no "Nothing to be done".
all: $(OUT)/ordo.img $(OUT)/ordo.elf $(HOST_OUT)/ordofs
	@:

deps-build:
	@tools/deps.sh build $(ARCH)
.PHONY: deps-build

$(OUT)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(call msg,AS,$<)
	$(Q)$(CC) $(CFLAGS) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

$(OUT)/ordo.elf: $(OBJS) $(ARCH_LDSCRIPT)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(OBJS) -o $@

# $(OUT)/ordo.img (the bootable image) is made by the rule in arch.mk.

# make APP=dir: the same kernel with the user's program and a C library.
include kernel/libc/libc.mk

-include $(OBJS:.o=.d)

# ---- make run: the default configuration, one scratch disk ---------------
# With APP=dir, the program runs with ARGS as its arguments (make run
# APP=apps/kvlog ARGS="put a 1"), on a disk of its own that persists
# from run to run like the demo's.
ARGS ?=
RUN_APPEND ?= $(if $(APP),-- $(ARGS),demo)
# The demo keeps its records on disk.img from run to run.  bench and ktest
# overwrite what they test, and stress fills its disk: each gets a disk of
# its own (fresh each time for bench and ktest, which use only blank
# disks), so no sequence of `make run`s touches the demo's records.
# RUN_DIR: where those disks live (tests/qemu/make-run.sh uses its own).
RUN_DIR ?= $(OUT)
RUN_MODE := $(firstword $(filter bench ktest stress,$(RUN_APPEND)))
RUN_DISK := $(RUN_DIR)/$(if $(APP),app-$(APP_NAME)-)$(if $(RUN_MODE),$(RUN_MODE)-)disk.img
RUN_IMAGE := $(if $(APP),$(APP_IMAGE),$(OUT)/ordo.img)
RUN_FRESH := $(filter bench ktest,$(RUN_MODE))
QEMU_EXTRA ?=
# The disk's transport: virtio-mmio unless the arch (or the user) says
# otherwise, e.g. RUN_DEVICE=virtio-blk-pci with QEMU_MACHINE="-M q35".
RUN_DEVICE ?= virtio-blk-device

run:
	@tools/deps.sh run $(ARCH)
	@$(MAKE) --no-print-directory all
	@mkdir -p $(RUN_DIR); $(if $(RUN_FRESH),rm -f $(RUN_DISK);) test -f $(RUN_DISK) || \
		{ truncate -s 64M $(RUN_DISK) && echo "created scratch disk $(RUN_DISK) (64 MiB)"; }
	$(call msg,QEMU,$(RUN_IMAGE))
	$(Q)$(QEMU_SYSTEM) $(QEMU_MACHINE_ARGS) -kernel $(RUN_IMAGE) -append "$(strip $(QEMU_APPEND) $(RUN_APPEND))" \
		-drive if=none,id=d0,file=$(RUN_DISK),format=raw,cache=writeback \
		-device $(RUN_DEVICE),drive=d0 $(QEMU_EXTRA); \
		$(RUN_DECODE_STATUS) exit $$rc

# The kernel's exit status from QEMU's (see decode_status in
# tests/run-tests.sh): isa-debug-exit reports kernel status s as 2s + 1.
ifeq ($(QEMU_EXIT),debug-exit)
RUN_DECODE_STATUS = rc=$$?; if [ $$((rc % 2)) -eq 1 ]; then rc=$$(((rc - 1) / 2)); else rc=255; fi;
else
RUN_DECODE_STATUS = rc=$$?;
endif

# ---- host unit tests (cmocka, ASan + UBSan) ------------------------------
HOST_CC ?= gcc
HOST_CFLAGS := -std=c11 $(WARN) -Wno-missing-prototypes -O1 -g -D_POSIX_C_SOURCE=200809L \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-I. -Iarch/host/include
HOST_LIBS := -lcmocka
HOST_COMMON := arch/host/host.c arch/host/ctx.c tests/host/host_alloc.c lib/errno.c lib/kprintf.c \
	lib/panic.c lib/sched.c

HOST_TESTS :=
include tests/host/tests.mk
include tests/host/fs.mk
include tests/host/pci.mk
include tests/host/vpci.mk
include tests/crash/crash.mk
include tools/bench/bench.mk

HOST_BINS := $(patsubst %,$(HOST_OUT)/%,$(HOST_TESTS))

# Each test links its own portable sources ($*_SRCS, from tests.mk) in one
# compiler run, so it simply depends on every header of the tree.
HOST_HDRS := $(wildcard arch/arch.h arch/host/*.h arch/host/include/asm/*.h lib/*.h \
	drivers/*/*.h kernel/*.h kernel/*/*.h tests/host/*.h)
.SECONDEXPANSION:
$(HOST_OUT)/%: tests/host/%.c $$($$*_SRCS) $(HOST_COMMON) $(HOST_HDRS) tests/host/tests.mk
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $($*_CFLAGS) $< $($*_SRCS) \
		$(filter-out $($*_EXCLUDE),$(HOST_COMMON)) $(HOST_LIBS) -o $@

# libFuzzer targets (clang): make fuzz, and a short run in make test.
include tests/fuzz/fuzz.mk

# Host-side tools used by the tests.
$(HOST_OUT)/logwrites-stat: tools/logwrites-stat.c
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(HOST_CC) -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -O2 $< -o $@

$(HOST_OUT)/crc32c-file: tools/crc32c-file.c lib/crc32c.c lib/crc32c.h
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(HOST_CC) -std=c11 $(WARN) -O2 -I. -Iarch/host/include $< lib/crc32c.c -o $@

HOST_TOOLS := $(HOST_OUT)/logwrites-stat $(HOST_OUT)/crc32c-file $(HOST_OUT)/ordofs

host-tests: $(HOST_BINS)
	@tools/deps.sh test $(ARCH)
	@tests/run-tests.sh --host $(HOST_BINS)

# The architectures U-Boot boots ordo on in the tests (tests/qemu/uboot.sh),
# and those whose machine comes from a device tree (tests/qemu/moved-dtb.sh).
UBOOT_ARCHES := aarch64 riscv64
DT_ARCHES := aarch64 riscv64

qemu-tests: all $(HOST_TOOLS)
	@tools/deps.sh test $(ARCH)
	@tests/run-tests.sh --qemu $(ARCH) --tap "qemu $(ARCH) kill-test" "tests/qemu/kill-test.sh $(ARCH)" \
		--tap "qemu $(ARCH) apps" "tests/qemu/apps.sh $(ARCH)" \
		--tap "qemu $(ARCH) load-address" "tests/qemu/load-address.sh $(ARCH)" \
		$(if $(filter $(DT_ARCHES),$(ARCH)),--tap "qemu $(ARCH) moved-dtb" "tests/qemu/moved-dtb.sh $(ARCH)") \
		$(if $(filter aarch64,$(ARCH)),--tap "qemu aarch64 relocation" "tests/qemu/relocate.sh") \
		$(if $(filter $(UBOOT_ARCHES),$(ARCH)),--tap "qemu $(ARCH) U-Boot" "tests/qemu/uboot.sh $(ARCH)")

# A plain `make test` builds with every CPU (its tests then run one at a
# time); under `make -jN test` the sub-makes share the caller's jobserver.
TEST_J = $(if $(findstring j,$(filter-out --%,$(MAKEFLAGS)))$(findstring jobserver,$(MAKEFLAGS)),,-j$(shell nproc))

test:
	@tools/deps.sh test $(TEST_ARCHES)
	@for a in $(TEST_ARCHES); do $(MAKE) --no-print-directory $(TEST_J) ARCH=$$a all || exit 1; done
	@$(MAKE) --no-print-directory $(TEST_J) test-bins
	@tests/run-tests.sh --check tools/check-layering.sh --check tools/check-format.sh \
		--check tools/check-addresses.sh \
		--check tests/qemu/check-acks.sh \
		--host $(HOST_BINS) \
		--tap "crash selftest" "$(HOST_OUT)/crash-selftest" \
		--tap "crash engine" "$(HOST_OUT)/crash-engine --jobs 2" \
		--tap "crash engine (ASan, quick)" "$(HOST_OUT)/crash-engine-asan --quick --jobs 2" \
		--tap "crash mutants" "tests/crash/mutants.sh" \
		$(foreach a,$(TEST_ARCHES),--qemu $(a) \
		--tap "qemu $(a) kill-test" "tests/qemu/kill-test.sh $(a)" \
		--tap "qemu $(a) apps" "tests/qemu/apps.sh $(a)" \
		--tap "qemu $(a) load-address" "tests/qemu/load-address.sh $(a)" \
		$(if $(filter $(DT_ARCHES),$(a)),--tap "qemu $(a) moved-dtb" "tests/qemu/moved-dtb.sh $(a)")) \
		--tap "ordofs tool" "tests/host/ordofs-tool.sh" \
		--tap "apps on the host's libc" "tests/host/apps-native.sh" \
		--tap "fuzz (20 s per target)" "tests/fuzz/run.sh --seconds 20" \
		--tap "qemu $(firstword $(TEST_ARCHES)) foreign-disks" \
		"tests/qemu/foreign-disks.sh $(firstword $(TEST_ARCHES))" \
		--tap "qemu $(firstword $(TEST_ARCHES)) errors" \
		"tests/qemu/errors.sh $(firstword $(TEST_ARCHES))" \
		--tap "qemu $(firstword $(TEST_ARCHES)) discard" \
		"tests/qemu/discard.sh $(firstword $(TEST_ARCHES))" \
		--tap "make run sequence" "tests/qemu/make-run.sh $(firstword $(TEST_ARCHES))" \
		$(if $(filter $(UBOOT_ARCHES),$(TEST_ARCHES)),--tap "qemu U-Boot" \
		"tests/qemu/uboot.sh $(filter $(UBOOT_ARCHES),$(TEST_ARCHES))") \
		$(if $(filter aarch64,$(TEST_ARCHES)),--tap "qemu aarch64 relocation" "tests/qemu/relocate.sh") \
		--tap "bench plugin" "tests/bench/plugin-check.sh $(TEST_ARCHES)" \
		--tap "bench smoke ($(lastword $(TEST_ARCHES)))" "tests/bench/smoke.sh $(lastword $(TEST_ARCHES))"

# Every host program make test runs, as one goal: an up-to-date tree then
# prints nothing (several goals would each say "is up to date").
test-bins: $(HOST_BINS) $(HOST_TOOLS) $(CRASH_BINS) $(HOST_OUT)/crash-engine-asan
	@:
.PHONY: test-bins

format-check:
	@tools/check-format.sh

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)

define HELP_TEXT
Targets (ARCH=aarch64 unless given):
  all            build/ARCH/ordo.img (bootable), ordo.elf and build/host/ordofs (default);
                 with APP=dir also build/ARCH/app-NAME/ordo.img, the program's image
  run            build, then boot the default configuration under QEMU with one scratch disk
                 (with APP=dir: the program, ARGS its arguments, on a disk of its own)
  test           everything: tree checks, host unit tests, crash engine and mutants, the
                 QEMU matrix, kill test and apps/ of each of TEST_ARCHES, the ordofs tool, foreign
                 disks, errors and make run (first of TEST_ARCHES), ordo booted by U-Boot
                 (aarch64, riscv64), the bench plugin and a short bench smoke run (no
                 rates checked), each fuzz target for 20 s; lists each failure
                 with its log, then ends "N passed, N failed"
  host-tests     only the host unit tests (cmocka, ASan + UBSan)
  qemu-tests     only the QEMU matrix, kill test, apps/ and U-Boot boots, for ARCH
  crash-test     the crash-state engine's selftest and full run (a few minutes)
  crash-quick    the crash-state engine, --quick (seconds)
  crash-mutants  the engine against each seeded journal bug; all must be caught
  crash-asan     the engine's ASan + UBSan build, --quick
  fuzz           the libFuzzer targets (ring, FDT, partitions, ordofs images, virtio-pci
                 capabilities; tests/fuzz/run.sh), each for FUZZ_SECONDS; needs clang and
                 libclang-rt-14-dev; make test runs each for 20 s
  bench          ordo against a Linux guest on the same QEMU (x86_64 q35, virtio-blk-pci):
                 each job interleaved, exact guest instructions per operation; table,
                 CSV and plot in build/bench/ (tools/bench/run.sh; not part of make test);
                 then group commit, 1 against 8 threads (tools/bench/groupcommit.sh)
  format-check   clang-format must agree with every C file
  deps-build     install the Debian packages that building ARCH needs (tools/deps.sh)
  clean          remove build/
  help           this text

Variables (make VAR=value ...):
  ARCH           aarch64 (default), riscv64 or x86_64: what all, run and qemu-tests build
  TEST_ARCHES    what make test builds and boots (default "aarch64 riscv64 x86_64")
  APP            a directory of .c files (or one .c file) holding main(): linked with the
                 C library into an image of its own (README, "Your program on ordo")
  ARGS           the program's arguments for make run APP=dir (argv[1..])
  APP_CFLAGS     more compiler flags for the program's files
  V              V=1 prints the full commands instead of one "  CC      file" line per step
  RUN_APPEND     kernel command line of make run (default demo; also bench, ktest, stress;
                 with APP, "-- ARGS")
  RUN_DEVICE     make run's disk device (default virtio-blk-device; virtio-blk-pci
                 with a PCI machine, e.g. ARCH=x86_64 QEMU_MACHINE="-M q35")
  RUN_DIR        where make run keeps its scratch disks (default build/ARCH)
  QEMU_EXTRA     more QEMU options for make run (e.g. more -drive/-device pairs)
  QEMU_MACHINE   QEMU's machine for ARCH (default "-M virt"; x86_64 "-M microvm,acpi=off")
  QEMU_MEM       guest memory of make run and the QEMU tests (default 128M)
  HOST_CC        compiler of the host tests and tools (default gcc)
  FUZZ_SECONDS   seconds make fuzz runs each target (default 60)
  BOOT_TIMEOUT   seconds a matrix, foreign-disk or error-test boot may take (default 180)
  UBOOT_TIMEOUT  seconds a boot through U-Boot may take (default 60; tests/qemu/uboot.sh)
  BENCH_ARGS     options of make bench, e.g. "--reps 5 --n 5000 --backends null
                 --jobs randread-qd1,fs-append-4k --arch aarch64 --no-linux"
endef

help:
	@: $(info $(HELP_TEXT))

# ---- make bench: ordo against a Linux guest (tools/bench/run.sh) ---------
BENCH_ARGS ?=
bench:
	@tools/deps.sh bench x86_64 aarch64
	@tools/bench/run.sh $(BENCH_ARGS)
	@tools/bench/groupcommit.sh
.PHONY: bench

# Used by tests/run-tests.sh to learn how to start QEMU for $(ARCH).
print-qemu:
	@echo "QEMU_SYSTEM='$(QEMU_SYSTEM)'; QEMU_MACHINE_ARGS='$(QEMU_MACHINE_ARGS)';" \
		"QEMU_MACHINE='$(QEMU_MACHINE)'; QEMU_EXIT='$(QEMU_EXIT)'; QEMU_APPEND='$(QEMU_APPEND)'"
.PHONY: print-qemu
