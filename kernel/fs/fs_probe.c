/*
 * kernel/fs/fs_probe.c - the format policy: what a disk holds, and
 * whether ordofs may be laid on it.
 *
 * A disk is formatted only if it is blank: every byte of its first and
 * last MiB zero (the whole disk if it is smaller).  Anything else -- an
 * ordofs, a partition table, another filesystem, swap, an encrypted
 * volume or just data -- is somebody's, and fs_format() refuses it unless
 * the caller says force (the user asked by name: fs.format=force,
 * "ordofs mkfs --force").  ordofs's own superblock is recognised here;
 * everything else by lib/disksig.
 */
#include "kernel/fs/fs_priv.h"

#include "lib/diskio.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"

/* True if block 0 carries the ordofs superblock magic.  0 or -errno. */
static int fs_probe_magic(struct blk *dev, bool *found)
{
	struct ofs_super *sb;
	int err;

	*found = false;
	if (fs_dev_check(dev, "device"))
		return 0; /* cannot be ours; disksig says what it is */
	if (fs_dev_blocks(dev) < 1)
		return -ENOSPC;
	sb = kmalloc(sizeof(*sb));
	if (!sb)
		return -ENOMEM;
	err = blk_read(dev, 0, sb, sizeof(*sb));
	if (!err)
		*found = le64_to_cpu(sb->magic) == OFS_SUPER_MAGIC;
	kfree(sb);
	return err;
}

int fs_disk_probe(struct blk *dev, struct disksig *sig)
{
	struct disk_io io;
	bool ours;
	int err = fs_probe_magic(dev, &ours);

	if (err)
		return err;
	if (ours) {
		*sig = (struct disksig){ .kind = DISKSIG_DATA };
		snprintf(sig->what, sizeof(sig->what), "an ordofs filesystem");
		return FS_DISK_OFS;
	}
	blk_disk_io(dev, &io);
	err = disksig_identify(&io, sig);
	if (err)
		return err;
	return sig->kind == DISKSIG_BLANK ? 0 : -EEXIST;
}
