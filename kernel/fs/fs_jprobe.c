/*
 * kernel/fs/fs_jprobe.c - fs_journal_pending(): would recovery replay
 * anything?  An offline, read-only look at the log for fsck and tools.
 *
 * It applies recovery's rules (jnl_recover.c, docs/ondisk-format.md) to
 * the records from the journal superblock's tail on, without replaying:
 *  - the descriptor at the tail has the descriptor magic, a good crc, the
 *    expected sequence (tail_seq, then +1 per transaction), the
 *    filesystem's uuid, 1 <= count <= OFS_JDESC_MAX, count + 2 log blocks
 *    fit the log, and every home block lies on the device;
 *  - the commit record right after the count images has the commit magic,
 *    a good crc, the descriptor's sequence, the uuid and the same count;
 *  - if the descriptor has OFS_JDESC_F_CSUM_COMMIT, data_crc equals the
 *    crc32c of the descriptor followed by every image in log order.
 * The log wraps from its last block to block 1 (block 0 is its
 * superblock).  Counting stops at the first transaction that fails.
 * It must agree with jnl_recover.c: a test compares the two.
 */
#include "kernel/fs/fs_priv.h"

#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/string.h"

struct fs_jprobe {
	struct blk *jdev;
	u64 jstart;
	u32 jblocks;
	u64 fs_dev_blocks;
	u8 uuid[OFS_UUID_BYTES];
	u8 *desc, *buf;
};

/* crc32c of a whole 4096-byte record with its trailing crc field zero. */
static u32 fs_record_crc(const void *block)
{
	static const u8 zero[4];

	return crc32c_update(crc32c(block, OFS_BLOCK_SIZE - 4), zero, sizeof(zero));
}

static u32 fs_jnext(const struct fs_jprobe *p, u32 pos)
{
	return pos + 1 >= p->jblocks ? 1 : pos + 1;
}

static int fs_jread(const struct fs_jprobe *p, u32 pos, void *buf)
{
	return blk_read(p->jdev, (p->jstart + pos) * FS_BLK_SECTORS, buf, OFS_BLOCK_SIZE);
}

/* The descriptor's own checks.  Its image count, or 0 if it fails. */
static u32 fs_jdesc_ok(const struct fs_jprobe *p, const struct ofs_jdesc *d, u64 seq)
{
	u32 n = le32_to_cpu(d->count);

	if (le64_to_cpu(d->magic) != OFS_JDESC_MAGIC || le32_to_cpu(d->crc) != fs_record_crc(d) ||
	    le64_to_cpu(d->seq) != seq || memcmp(d->uuid, p->uuid, OFS_UUID_BYTES) != 0 || n == 0 ||
	    n > OFS_JDESC_MAX || n + 2 > p->jblocks - 1)
		return 0;
	for (u32 k = 0; k < n; k++) {
		if (le64_to_cpu(d->home[k]) >= p->fs_dev_blocks)
			return 0;
	}
	return n;
}

/* Verify the transaction at `pos`: its image count, 0 if incomplete, -errno. */
static int fs_jverify(const struct fs_jprobe *p, u32 pos, u64 seq)
{
	const struct ofs_jdesc *d = (const struct ofs_jdesc *)p->desc;
	const struct ofs_jcommit *c = (const struct ofs_jcommit *)p->buf;
	u32 n, dcrc;
	int err = fs_jread(p, pos, p->desc);

	if (err)
		return err;
	n = fs_jdesc_ok(p, d, seq);
	if (!n)
		return 0;
	dcrc = crc32c(d, OFS_BLOCK_SIZE);
	for (u32 k = 0; k < n; k++) {
		pos = fs_jnext(p, pos);
		err = fs_jread(p, pos, p->buf);
		if (err)
			return err;
		dcrc = crc32c_update(dcrc, p->buf, OFS_BLOCK_SIZE);
	}
	err = fs_jread(p, fs_jnext(p, pos), p->buf);
	if (err)
		return err;
	if (le64_to_cpu(c->magic) != OFS_JCOMMIT_MAGIC || le32_to_cpu(c->crc) != fs_record_crc(c) ||
	    le64_to_cpu(c->seq) != seq || memcmp(c->uuid, p->uuid, OFS_UUID_BYTES) != 0 ||
	    le32_to_cpu(c->count) != n)
		return 0;
	if ((le32_to_cpu(d->flags) & OFS_JDESC_F_CSUM_COMMIT) && le32_to_cpu(c->data_crc) != dcrc)
		return 0;
	return (int)n;
}

/* Check the journal superblock (in p->buf); its tail and sequence. */
static int fs_jsuper_ok(const struct fs_jprobe *p, u32 *tail, u64 *seq)
{
	const struct ofs_jsuper *js = (const struct ofs_jsuper *)p->buf;

	*tail = le32_to_cpu(js->tail);
	*seq = le64_to_cpu(js->tail_seq);
	if (le64_to_cpu(js->magic) != OFS_JSUPER_MAGIC ||
	    le32_to_cpu(js->crc) != fs_record_crc(js) || le32_to_cpu(js->version) != OFS_VERSION ||
	    le32_to_cpu(js->nblocks) != p->jblocks || *tail == 0 || *tail >= p->jblocks)
		return -EUCLEAN;
	return memcmp(js->uuid, p->uuid, OFS_UUID_BYTES) ? -EINVAL : 0;
}

/* Count complete transactions from the tail, like recovery's scan. */
static int fs_jscan(struct fs_jprobe *p)
{
	u32 pos, scanned = 0;
	u64 seq;
	int count = 0, n;
	int err = fs_jread(p, 0, p->buf);

	if (!err)
		err = fs_jsuper_ok(p, &pos, &seq);
	while (!err && scanned < p->jblocks - 1) {
		n = fs_jverify(p, pos, seq);
		if (n <= 0) {
			err = n;
			break;
		}
		count++;
		scanned += (u32)n + 2;
		for (int k = 0; k < n + 2; k++)
			pos = fs_jnext(p, pos);
		seq++;
	}
	return err ? err : count;
}

int fs_journal_pending(struct blk *dev, struct blk *journal_dev)
{
	struct fs_jprobe p;
	struct fs_geom g;
	bool external;
	int err = fs_read_super(dev, &g, true);

	if (err)
		return err;
	external = g.features & OFS_FEAT_EXTERNAL_JOURNAL;
	if (external && !journal_dev)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	p.jdev = external ? journal_dev : dev;
	p.jstart = g.journal_start;
	p.jblocks = g.journal_blocks;
	p.fs_dev_blocks = fs_dev_blocks(dev);
	memcpy(p.uuid, g.uuid, OFS_UUID_BYTES);
	if (fs_dev_check(p.jdev, "journal device") || p.jstart + p.jblocks > fs_dev_blocks(p.jdev))
		return -EINVAL;
	p.desc = kmalloc(OFS_BLOCK_SIZE);
	p.buf = kmalloc(OFS_BLOCK_SIZE);
	err = p.desc && p.buf ? fs_jscan(&p) : -ENOMEM;
	kfree(p.desc);
	kfree(p.buf);
	return err;
}
