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
	static const u8 zero[4];
	const struct ofs_tail *t = ofs_tail(block);
	u32 crc = crc32c(block, OFS_PAYLOAD + offsetof(struct ofs_tail, crc));

	crc = crc32c_update(crc, zero, sizeof(zero));
	return crc32c_update(crc, &t->blockno, sizeof(t->blockno));
}

void ofs_tail_restamp(void *block)
{
	ofs_tail(block)->crc = cpu_to_le32(ofs_tail_crc(block));
}
