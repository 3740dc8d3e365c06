# tests/host/fs.mk - ordofs: its host unit test and the ordofs image tool.
# Included by the top-level Makefile after tests/host/tests.mk.
#
# OFS_SRCS is the filesystem proper (kernel/fs/fs_*.c); the kernel build
# needs it next to the journal's sources too.

# The disk parsers the format policy uses (fs_probe.c).
DISK_LIB_SRCS := lib/disksig.c lib/part.c lib/part_gpt.c lib/crc32.c
OFS_SRCS := kernel/fs/fs_alloc.c kernel/fs/fs_buf.c kernel/fs/fs_dir.c \
	kernel/fs/fs_file.c kernel/fs/fs_format.c kernel/fs/fs_fsck.c \
	kernel/fs/fs_inode.c kernel/fs/fs_jprobe.c kernel/fs/fs_name.c \
	kernel/fs/fs_op.c kernel/fs/fs_probe.c kernel/fs/fs_super.c $(DISK_LIB_SRCS)
OFS_JNL_SRCS ?= kernel/fs/jnl.c kernel/fs/jnl_cache.c kernel/fs/jnl_recover.c kernel/fs/ondisk.c

HOST_TESTS += test_fs
test_fs_SRCS := $(OFS_SRCS) $(OFS_JNL_SRCS) kernel/block/blk.c lib/crc32c.c \
	tests/host/ramdisk.c kernel/block/blk_queue.c

# The image tool: plain -O2, no sanitizers, its own arch shim (stderr
# console, real clock, malloc heap) instead of arch/host and host_alloc.
ORDOFS_TOOL_SRCS := tools/ordofs.c tools/ordofs_filedev.c kernel/block/blk_queue.c $(OFS_SRCS) $(OFS_JNL_SRCS) \
	kernel/block/blk.c lib/crc32c.c lib/errno.c lib/kprintf.c lib/panic.c lib/sched.c arch/host/ctx.c
ORDOFS_TOOL_HDRS := $(wildcard kernel/fs/*.h kernel/block/*.h lib/*.h arch/arch.h tools/*.h)

$(HOST_OUT)/ordofs: $(ORDOFS_TOOL_SRCS) $(ORDOFS_TOOL_HDRS) tests/host/fs.mk
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(HOST_CC) -std=c11 $(WARN) -O2 -D_POSIX_C_SOURCE=200809L -I. -Iarch/host/include \
		$(ORDOFS_TOOL_SRCS) -o $@

# The POSIX file layer over ordofs (kernel/posix/vfs.c).
HOST_TESTS += test_vfs
test_vfs_SRCS := kernel/posix/vfs.c $(test_fs_SRCS)

# ordofs with DISCARD and WRITE_ZEROES: when online discard and fs_trim
# discard, checked against the durable image (tests/host/test_fs_discard.c).
HOST_TESTS += test_fs_discard
test_fs_discard_SRCS := $(OFS_SRCS) $(OFS_JNL_SRCS) kernel/block/blk.c lib/crc32c.c \
	kernel/block/blk_queue.c
