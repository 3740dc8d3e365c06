# tests/fuzz/fuzz.mk - libFuzzer targets (clang, ASan + UBSan), built with
# the host port like the host tests.  Included by the top-level Makefile
# after tests/host/*.mk (it uses their source lists) and HOST_COMMON.
#
#   $(FUZZ_OUT)/fuzz_NAME  one target per NAME of FUZZ_TARGETS, from
#                          tests/fuzz/fuzz_NAME.c and fuzz_NAME_SRCS
#   make fuzz              tests/fuzz/run.sh: builds them (when clang can
#                          link libFuzzer) and runs each for FUZZ_SECONDS
#   make fuzz-seeds        re-writes the generated seeds of
#                          tests/fuzz/corpus (mkseeds.c)
#
# Needs clang and libFuzzer's runtime: on Debian 12, clang and
# libclang-rt-14-dev (only recommended by clang, so name it).

FUZZ_CC ?= clang
FUZZ_OUT := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
# -Wno-unknown-warning-option: kernel/block/blk.c silences a GCC-only warning.
FUZZ_CFLAGS := -std=c11 $(WARN) -Wno-missing-prototypes -Wno-unknown-warning-option -O1 -g \
	-D_POSIX_C_SOURCE=200809L \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-I. -Iarch/host/include

FUZZ_TARGETS := virtqueue virtqueue_packed fdt part fs vpci

VQ_SRCS := drivers/virtio/virtqueue.c drivers/virtio/virtqueue_packed.c
fuzz_virtqueue_SRCS := $(VQ_SRCS)
fuzz_virtqueue_packed_SRCS := $(VQ_SRCS)
fuzz_fdt_SRCS := lib/fdt.c lib/fdt_boot.c lib/dt_platform.c
fuzz_part_SRCS := lib/part.c lib/part_gpt.c lib/disksig.c lib/crc32.c
# The crc32 instruction where the host has it: crcs are most of the time.
fuzz_fs_SRCS := $(OFS_SRCS) $(OFS_JNL_SRCS) kernel/block/blk.c kernel/block/blk_queue.c \
	lib/crc32c.c $(if $(filter x86_64,$(shell uname -m)),arch/x86_64/crc32c.c)
# The transport through the real PCI accessors and capability walk, driven
# by the real virtio core; its own boot_alloc() arena instead of host_alloc.c.
fuzz_vpci_SRCS := $(VPCI_SRCS) $(PCI_SRCS) drivers/virtio/virtio.c $(VQ_SRCS)
fuzz_vpci_EXCLUDE := tests/host/host_alloc.c

FUZZ_BINS := $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_TARGETS))
FUZZ_HDRS := $(HOST_HDRS) $(wildcard tests/fuzz/*.h)

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $$(fuzz_$$*_SRCS) $(HOST_COMMON) $(FUZZ_HDRS) \
		tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(call msg,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(fuzz_$*_SRCS) \
		$(filter-out $(fuzz_$*_EXCLUDE),$(HOST_COMMON)) -o $@

fuzz-bins: $(FUZZ_BINS)
	@:

fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

# The seed generator: plain host build (gcc), the real filesystem.
MKSEEDS_SRCS := tests/fuzz/mkseeds.c $(fuzz_fs_SRCS) tests/host/ramdisk.c $(HOST_COMMON)

$(FUZZ_OUT)/mkseeds: $(MKSEEDS_SRCS) $(FUZZ_HDRS) tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(MKSEEDS_SRCS) -o $@

fuzz-seeds: $(FUZZ_OUT)/mkseeds
	@mkdir -p tests/fuzz/corpus/fs tests/fuzz/corpus/vpci tests/fuzz/corpus/virtqueue
	@$(FUZZ_OUT)/mkseeds tests/fuzz/corpus

.PHONY: fuzz fuzz-bins fuzz-seeds
