/*
 * tests/host/memdisk.h - a RAM disk behind a struct disk_io, for the
 * partition and signature parser tests.
 *
 * Interface: memdisk_init() callocs `size` zero bytes; the read callback
 * fails the test (cmocka) if a parser asks for anything lib/diskio.h does
 * not allow: an offset or length not a multiple of bsize, a read past the
 * end or longer than DISKIO_CHUNK.  A test can make reads that touch one
 * byte offset fail with -EIO.
 */
#ifndef ORDO_TESTS_MEMDISK_H
#define ORDO_TESTS_MEMDISK_H

#include "lib/diskio.h"

struct memdisk {
	struct disk_io io;
	u8 *mem;
	unsigned reads;
	bool fail; /* reads covering fail_at return -EIO */
	u64 fail_at;
};

void memdisk_init(struct memdisk *d, u64 size, u32 bsize);
void memdisk_free(struct memdisk *d);

#endif
