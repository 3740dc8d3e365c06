/*
 * kernel/fs/ondisk.c - the metadata tail's checksum (ondisk.h, struct
 * ofs_tail), shared by the filesystem, which checks tails, and the
 * journal, which stamps them on their way to the disk.
 */
#include "kernel/fs/ondisk.h"

#include "lib/crc32c.h"

static struct ofs_tail *ofs_tail(const void *block)
{
	return (struct ofs_tail *)((uintptr_t)block + OFS_PAYLOAD);
}

u32 ofs_tail_crc(const void *block)
{
	return crc32c_field_zero(block, OFS_BLOCK_SIZE,
				 OFS_PAYLOAD + offsetof(struct ofs_tail, crc));
}

void ofs_tail_restamp(void *block)
{
	ofs_tail(block)->crc = cpu_to_le32(ofs_tail_crc(block));
}
