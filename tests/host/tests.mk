# tests/host/tests.mk - host unit tests and the portable sources each links.
# Every test also links HOST_COMMON (see the Makefile).

HOST_TESTS += test_fdt
test_fdt_SRCS := lib/fdt.c lib/fdt_boot.c lib/dt_platform.c tests/host/test_data.c

HOST_TESTS += test_cmdline
test_cmdline_SRCS := kernel/cmdline.c

# x86 platform discovery: the pure parser only (no port I/O).
HOST_TESTS += test_vmmio_cmdline
test_vmmio_cmdline_SRCS := arch/x86_64/vmmio_cmdline.c

HOST_TESTS += test_virtqueue
test_virtqueue_SRCS := drivers/virtio/virtqueue.c drivers/virtio/virtqueue_packed.c

HOST_TESTS += test_virtqueue_packed
test_virtqueue_packed_SRCS := drivers/virtio/virtqueue.c drivers/virtio/virtqueue_packed.c

HOST_TESTS += test_blk
test_blk_SRCS := kernel/block/blk.c tests/host/fake_blkdev.c

VIRTIO_STACK := drivers/virtio/virtio.c drivers/virtio/virtqueue.c drivers/virtio/virtqueue_packed.c \
	drivers/virtio/virtio_mmio.c tests/host/fake_vmmio.c tests/host/fake_vblk_model.c

HOST_TESTS += test_virtio
test_virtio_SRCS := $(VIRTIO_STACK)

HOST_TESTS += test_vblk
test_vblk_SRCS := $(VIRTIO_STACK) drivers/block/virtio_blk.c \
	drivers/block/virtio_blk_probe.c kernel/block/blk.c

JNL_SRCS := kernel/fs/jnl.c kernel/fs/jnl_cache.c kernel/fs/jnl_recover.c kernel/fs/ondisk.c lib/crc32c.c

HOST_TESTS += test_jnl
test_jnl_SRCS := $(JNL_SRCS) kernel/block/blk.c tests/host/fake_blkdev.c

# Partition tables and disk signatures: pure parsers over a RAM disk.
HOST_TESTS += test_part
test_part_SRCS := lib/part.c lib/part_gpt.c lib/crc32.c tests/host/memdisk.c

HOST_TESTS += test_disksig
test_disksig_SRCS := lib/disksig.c lib/part.c lib/part_gpt.c lib/crc32.c tests/host/memdisk.c

# The kernel's memory primitives, renamed so they sit beside the C library's.
HOST_TESTS += test_string
test_string_SRCS := lib/string.c
test_string_CFLAGS := '-DSTRING_NAME(f)=ordo_\#\#f' -fno-builtin

# CRC-32C: the tables, and x86_64's instruction path where the host is x86_64.
HOST_TESTS += test_crc32c
test_crc32c_SRCS := lib/crc32c.c $(if $(filter x86_64,$(shell uname -m)),arch/x86_64/crc32c.c)

# The kernel heap the C library's malloc sits on (included by the test
# under other names: the other tests map kmalloc() to the C library).
HOST_TESTS += test_heap
test_heap_SRCS :=
$(HOST_OUT)/test_heap: lib/heap.c lib/heap.h

# The scheduler (included by the test, which reaches a thread's stack
# canary) on the host's context switch.
HOST_TESTS += test_sched
test_sched_SRCS :=
test_sched_EXCLUDE := lib/sched.c
$(HOST_OUT)/test_sched: lib/sched.c
