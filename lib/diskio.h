/*
 * lib/diskio.h - how the disk parsers (lib/disksig.h, lib/part.h) see a
 * disk: one read callback and the disk's geometry, nothing else.
 *
 * Interface: the caller fills a struct disk_io; the parsers only read
 * through it and never keep it.  The kernel backs it with the block layer,
 * tools/ordofs.c with a file, the host tests with a RAM buffer.
 */
#ifndef ORDO_LIB_DISKIO_H
#define ORDO_LIB_DISKIO_H

#include "lib/types.h"

/*
 * Read `len` bytes at byte `offset` of the disk into buf: 0 or -errno.
 * The parsers only ask for offsets and lengths that are multiples of
 * io->bsize, within io->size.
 */
typedef int (*disk_read_fn)(void *ctx, u64 offset, void *buf, u32 len);

struct disk_io {
	disk_read_fn read;
	void *ctx;
	u64 size;  /* bytes; a multiple of bsize */
	u32 bsize; /* logical block size: a power of two, 512..4096 */
};

/* The largest read a parser issues, and the size of its scratch buffers. */
#define DISKIO_CHUNK 4096u

/* io describes a disk the parsers can work with (geometry as above). */
static inline bool diskio_valid(const struct disk_io *io)
{
	return io->read && io->bsize >= 512 && io->bsize <= DISKIO_CHUNK && IS_POW2(io->bsize) &&
	       io->size % io->bsize == 0;
}

#endif
