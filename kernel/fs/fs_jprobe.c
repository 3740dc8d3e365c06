/*
 * kernel/fs/fs_jprobe.c - fs_journal_pending(): would recovery replay
 * anything?  An offline, read-only look at the log for fsck and tools.
 *
 * The journal itself answers (jnl_probe): the very code recovery runs,
 * without writing, so fsck and recovery can never disagree about what a
 * log holds.
 */
#include "kernel/fs/fs_priv.h"

#include "lib/errno.h"
#include "lib/string.h"

int fs_journal_pending(struct blk *dev, struct blk *journal_dev)
{
	struct jnl_recovery rep;
	struct jnl_config cfg;
	struct fs_geom g;
	bool external;
	int err = fs_read_super(dev, &g, true);

	if (err)
		return err;
	external = g.features & OFS_FEAT_EXTERNAL_JOURNAL;
	if (external && !journal_dev)
		return -EINVAL;
	cfg = (struct jnl_config){
		.fsdev = dev,
		.jdev = external ? journal_dev : dev,
		.jstart = g.journal_start,
		.jblocks = g.journal_blocks,
	};
	memcpy(cfg.uuid, g.uuid, OFS_UUID_BYTES);
	if (fs_dev_check(cfg.jdev, "journal device"))
		return -EINVAL;
	err = jnl_probe(&cfg, &rep);
	return err ? err : (int)rep.transactions;
}
