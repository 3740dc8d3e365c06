/*
 * tools/ordofs_filedev.h - a struct blk_dev over a host file, for the
 * ordofs image tool.
 *
 * Interface: implements kernel/block/blkdev.h on a file descriptor with
 * 512-byte logical blocks.  submit() only queues; poll() carries out every
 * queued request in order with pread()/pwrite(), and a FLUSH is fsync(),
 * so the block layer's ordering and durability rules (it sees a volatile
 * write cache with FLUSH) map onto the host's.  DISCARD and WRITE_ZEROES
 * punch holes in the file (fallocate), so a trimmed image is sparse.  A file opened read-only is
 * a read-only device: the block layer then refuses every write.
 */
#ifndef ORDO_TOOLS_ORDOFS_FILEDEV_H
#define ORDO_TOOLS_ORDOFS_FILEDEV_H

#include "kernel/block/blk_queue.h"

struct filedev {
	struct blk_queue q; /* q.dev is the device */
	int fd;
	char name[32];
};

/*
 * Open `path` as a device of its current size (rounded down to 512
 * bytes).  0 or -errno (the host's errno, negated; a message on stderr).
 */
int filedev_open(struct filedev *f, const char *path, bool read_only);
void filedev_close(struct filedev *f);

#endif
