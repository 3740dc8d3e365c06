# tests/crash/crash.mk - the crash-state engine (docs/crash-engine.md).
#
# Included from the top-level Makefile, after HOST_CC, WARN, HOST_CFLAGS,
# HOST_COMMON and HOST_OUT (and the $(call msg,...)/$(Q) output helpers)
# are defined.
#
#   $(HOST_OUT)/crash-engine          the engine: all workloads x tiers A-E, TAP
#   $(HOST_OUT)/crash-mutant-NAME     the same, built with -DJNL_MUTANT=NAME
#                                     (NAME: NO_DRAIN, TAIL_EARLY, ...;
#                                     kernel/fs/jnl_mutant.h)
#   $(HOST_OUT)/crash-selftest        simulated disk, epochs, image hashes (TAP)
#   $(HOST_OUT)/crash-engine-asan     the engine with ASan + UBSan (HOST_CFLAGS)
#   CRASH_BINS                        all of the above but the ASan build
#
#   make crash-test       full run of the engine (a few minutes)
#   make crash-quick      quick run (--quick)
#   make crash-mutants    every mutant binary; prints "# mutants caught: K/N"
#   make crash-asan       quick run of the sanitizer build
#
# The engine itself is built -O2 without sanitizers: it checks tens of
# thousands of crash images and ASan makes that several times slower.  The
# sanitizer build runs the same code in --quick mode.

CRASH_SRCS := tests/crash/main.c tests/crash/driver.c tests/crash/simdisk.c \
	tests/crash/state.c tests/crash/model.c tests/crash/record.c \
	tests/crash/wl_helpers.c tests/crash/workloads.c tests/crash/check.c \
	tests/crash/enum.c tests/crash/judge.c tests/crash/tiers_abc.c \
	tests/crash/tiers_de.c

# The code under test: block layer, journal, filesystem.
CRASH_FS_SRCS := kernel/block/blk.c lib/crc32c.c \
	kernel/fs/jnl.c kernel/fs/jnl_cache.c kernel/fs/jnl_recover.c kernel/fs/ondisk.c \
	kernel/fs/fs_super.c kernel/fs/fs_format.c kernel/fs/fs_buf.c \
	kernel/fs/fs_alloc.c kernel/fs/fs_inode.c kernel/fs/fs_dir.c \
	kernel/fs/fs_file.c kernel/fs/fs_name.c kernel/fs/fs_op.c kernel/fs/fs_fsck.c \
	kernel/fs/fs_jprobe.c kernel/fs/fs_probe.c lib/disksig.c \
	lib/part.c lib/part_gpt.c lib/crc32.c

CRASH_SELFTEST_SRCS := tests/crash/selftest.c tests/crash/simdisk.c tests/crash/state.c \
	tests/crash/enum.c

CRASH_MUTANTS := NO_DRAIN NO_FLUSH_BEFORE_COMMIT NO_FLUSH_AFTER_COMMIT COMMIT_FIRST \
	NO_CSUM_VERIFY CSUM_SKIPS_BLOCK TAIL_EARLY REUSE_EARLY SEQ_WRAP STALE_UUID \
	COMMIT_BEFORE_DATA NO_DATA_CHECK DATA_CHECK_ALL OVERWRITE_IN_PLACE DELTA_NO_RESTAMP \
	REUSE_BEFORE_CKPT DELTA_FIRST GC_EARLY_ACK GC_RUNNING_LOST GC_UNLOCK_EARLY DISCARD_EARLY \
	DISCARD_NO_CKPT

CRASH_CFLAGS := -std=c11 $(WARN) -Wno-missing-prototypes -O2 -g -D_POSIX_C_SOURCE=200809L \
	-I. -Iarch/host/include
CRASH_HDRS := $(wildcard tests/crash/*.h kernel/fs/*.h kernel/block/*.h lib/*.h arch/*.h \
	arch/host/*.h arch/host/include/asm/*.h) tests/host/test_util.h
CRASH_DEPS := $(CRASH_SRCS) $(CRASH_FS_SRCS) $(HOST_COMMON) $(CRASH_HDRS) tests/crash/crash.mk

CRASH_BINS := $(HOST_OUT)/crash-engine $(HOST_OUT)/crash-selftest \
	$(patsubst %,$(HOST_OUT)/crash-mutant-%,$(CRASH_MUTANTS))

$(HOST_OUT)/crash-engine: $(CRASH_DEPS)
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(HOST_CC) $(CRASH_CFLAGS) $(CRASH_SRCS) $(CRASH_FS_SRCS) $(HOST_COMMON) -o $@

$(HOST_OUT)/crash-engine-asan: $(CRASH_DEPS)
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(CRASH_SRCS) $(CRASH_FS_SRCS) $(HOST_COMMON) -o $@

# crash-mutant-NO_DRAIN is built with -DJNL_MUTANT=NO_DRAIN, and so on.
$(HOST_OUT)/crash-mutant-%: $(CRASH_DEPS)
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(HOST_CC) $(CRASH_CFLAGS) -DJNL_MUTANT=$* $(CRASH_SRCS) $(CRASH_FS_SRCS) $(HOST_COMMON) -o $@

$(HOST_OUT)/crash-selftest: $(CRASH_SELFTEST_SRCS) $(CRASH_FS_SRCS) $(HOST_COMMON) $(CRASH_HDRS) \
		tests/crash/crash.mk
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(CRASH_SELFTEST_SRCS) $(CRASH_FS_SRCS) $(HOST_COMMON) -o $@

.PHONY: crash-test crash-quick crash-mutants crash-asan
crash-test: $(HOST_OUT)/crash-engine $(HOST_OUT)/crash-selftest
	$(HOST_OUT)/crash-selftest
	$(HOST_OUT)/crash-engine

crash-quick: $(HOST_OUT)/crash-engine
	$(HOST_OUT)/crash-engine --quick

crash-mutants: $(patsubst %,$(HOST_OUT)/crash-mutant-%,$(CRASH_MUTANTS))
	@caught=0; for m in $(CRASH_MUTANTS); do \
		if $(HOST_OUT)/crash-mutant-$$m | tee $(HOST_OUT)/crash-mutant-$$m.log | grep '^ok 1 '; \
		then caught=$$((caught + 1)); \
		else grep '^not ok' $(HOST_OUT)/crash-mutant-$$m.log; fi; \
	done; echo "# mutants caught: $$caught/$(words $(CRASH_MUTANTS))"; \
	test $$caught -eq $(words $(CRASH_MUTANTS))

crash-asan: $(HOST_OUT)/crash-engine-asan
	$(HOST_OUT)/crash-engine-asan --quick
