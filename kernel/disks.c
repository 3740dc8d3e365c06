/*
 * kernel/disks.c - which disk an application may use, and how.
 *
 * ordo never takes a disk that is somebody else's.  The filesystem demo and
 * stress keep their data in ordofs and choose where it lives:
 *
 *   fs.disk=NAME      exactly that disk or partition ("vblk1", "vblk0p2");
 *   otherwise         the first disk, or GPT partition of ordofs's type
 *                     (OFS_GPT_TYPE), that holds ordofs; failing that the
 *                     first such one that is blank, which is formatted;
 *   fs.format=force   format the disk named by fs.disk= whatever it holds.
 *
 * and how to mount it: fs.data=journal|ordered, fs.discard=on|off
 * (fs_cmdline_mount_opts); fs.trim: fs_trim() it once mounted.
 *
 * bench and the KTAP suite overwrite what they use, so they take only a
 * blank disk, a read-only one (nothing can be written to it), or the disks
 * named by bench.disk= / ktest.disk=.  Every disk passed over gets one
 * console line naming what it holds; blankness and signatures come from
 * the filesystem's format policy (fs_disk_probe, lib/disksig).
 */
#include "kernel/disks.h"

#include "kernel/cmdline.h"
#include "lib/diskio.h"
#include "lib/errno.h"
#include "lib/part.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Per disk, the view of the partition the filesystem may live in. */
static struct blk fs_views[KDISK_MAX];

static struct kdisk *kdisk_by_name(const char *name)
{
	for (unsigned i = 0; i < nkdisks; i++) {
		if (!strcmp(blk_info(&kdisks[i].blk)->name, name))
			return &kdisks[i];
	}
	return NULL;
}

/* Partition `p` of disk `d` as a block device of its own ("vblk0p2"). */
static int part_view(struct kdisk *d, const struct part *p, struct blk *view)
{
	char name[BLK_NAME_MAX];

	snprintf(name, sizeof(name), "%sp%u", blk_info(&d->blk)->name, p->index);
	return blk_init_view(view, &d->blk, p->start >> BLK_SECTOR_SHIFT,
			     p->len >> BLK_SECTOR_SHIFT, name);
}

/* Read the partition table of `d` into *pt.  0 or -errno (reported). */
static int disk_parts(struct kdisk *d, struct part_table *pt)
{
	struct disk_io io;
	int err;

	blk_disk_io(&d->blk, &io);
	err = part_scan(&io, pt);
	if (err)
		kprintf("%s: partition table unusable (%s): not touching it\n",
			blk_info(&d->blk)->name, errno_name(err));
	return err;
}

/* fs.format=force: format the disk fs.disk= names, whatever it holds. */
static bool fs_format_forced(void)
{
	char v[8];

	return cmdline_str("fs.format", v, sizeof(v)) == 0 && !strcmp(v, "force");
}

int fs_cmdline_mount_opts(struct fs_mount_opts *mo)
{
	char v[16];
	int err = cmdline_str("fs.data", v, sizeof(v)), ret = 0;

	mo->data_journal = false;
	if (!err && !strcmp(v, "journal")) {
		mo->data_journal = true;
	} else if (err != -ENOENT && (err || strcmp(v, "ordered"))) {
		kprintf("fs.data: neither journal nor ordered: using ordered\n");
		ret = -EINVAL;
	}
	err = cmdline_str("fs.discard", v, sizeof(v));
	mo->discard = !err && !strcmp(v, "on");
	if (err != -ENOENT && (err || (strcmp(v, "on") && strcmp(v, "off")))) {
		kprintf("fs.discard: neither on nor off: using off\n");
		ret = -EINVAL;
	}
	return ret;
}

/* fs.trim: DISCARD every free block of the mounted `fs` once, and say so. */
static void fs_cmdline_trim(struct fs *fs, const char *name)
{
	u64 n = 0;
	int err;

	if (!cmdline_flag("fs.trim"))
		return;
	err = fs_trim(fs, &n);
	kprintf("%s: fs.trim: %llu blocks discarded: %s\n", name, (unsigned long long)n,
		err ? errno_name(err) : "ok");
}

/* The first GPT partition of ordofs's type on `d`, or NULL. */
static const struct part *ofs_partition(const struct part_table *pt)
{
	u8 type[16];

	if (pt->scheme != PART_GPT || guid_parse(OFS_GPT_TYPE, type))
		return NULL;
	for (unsigned i = 0; i < pt->n; i++) {
		if (!memcmp(pt->p[i].type_guid, type, sizeof(type)))
			return &pt->p[i];
	}
	return NULL;
}

/*
 * Classify `b` for the filesystem from fs_disk_probe()'s answer: FS_HAS_OFS,
 * FS_BLANK, or FS_NOT_OURS after a console line naming what it holds.
 */
static enum fs_target_state fs_state(struct blk *b, int err, const struct disksig *sig)
{
	const char *name = blk_info(b)->name;

	if (err == 0)
		return FS_BLANK;
	if (err == FS_DISK_OFS)
		return FS_HAS_OFS;
	if (err == -EEXIST)
		kprintf("%s: holds %s: not formatting\n", name, sig->what);
	else if (err == -ENOSPC)
		kprintf("%s: too small for ordofs (%llu bytes)\n", name,
			(unsigned long long)(blk_info(b)->capacity << BLK_SECTOR_SHIFT));
	else
		kprintf("%s: cannot be read (%s): skipped\n", name, errno_name(err));
	return FS_NOT_OURS;
}

static enum fs_target_state fs_classify(struct blk *b)
{
	struct disksig sig;

	return fs_state(b, fs_disk_probe(b, &sig), &sig);
}

/*
 * What a partitioned disk offers: its ordofs partition (set up in `view`),
 * classified; FS_NOT_OURS, with a line, if it has none.
 */
static enum fs_target_state fs_classify_parts(struct kdisk *d, struct blk *view)
{
	struct part_table pt;
	const struct part *p;
	enum fs_target_state st;

	if (disk_parts(d, &pt))
		return FS_NOT_OURS;
	p = ofs_partition(&pt);
	if (!p || part_view(d, p, view)) {
		kprintf("%s: holds %s partition table without an ordofs partition: "
			"not formatting\n",
			blk_info(&d->blk)->name, pt.scheme == PART_GPT ? "a GPT" : "an MBR");
		return FS_NOT_OURS;
	}
	st = fs_classify(view);
	if (st != FS_NOT_OURS)
		kprintf("%s: GPT partition %u of type ordofs (%llu MiB)\n", blk_info(view)->name,
			p->index, (unsigned long long)(p->len >> 20));
	return st;
}

/* One writable disk, whole or through its ordofs partition (in `view`). */
static enum fs_target_state fs_classify_disk(struct kdisk *d, struct blk *view, struct blk **b)
{
	struct disksig sig;
	int err = fs_disk_probe(&d->blk, &sig);

	*b = &d->blk;
	if (err == -EEXIST && (sig.kind == DISKSIG_GPT || sig.kind == DISKSIG_MBR)) {
		*b = view;
		return fs_classify_parts(d, view);
	}
	return fs_state(&d->blk, err, &sig);
}

/* fs.disk=NAME: that disk or partition, whatever it holds. */
static int fs_named_target(const char *name, struct fs_target *t)
{
	char disk[BLK_NAME_MAX];
	const char *p = strchr(name, 'p');
	struct part_table pt;
	struct kdisk *d;
	u64 idx = 0;

	snprintf(disk, sizeof(disk), "%.*s", p ? (int)(p - name) : (int)strlen(name), name);
	d = kdisk_by_name(disk);
	if (!d) {
		kprintf("fs.disk=%s: no such disk\n", name);
		return -ENODEV;
	}
	t->kd = d;
	t->blk = &d->blk;
	if (p) {
		for (p++; *p >= '0' && *p <= '9'; p++)
			idx = idx * 10 + (u64)(*p - '0');
		if (*p || disk_parts(d, &pt))
			return -EINVAL;
		for (unsigned i = 0; i < pt.n && t->blk == &d->blk; i++) {
			if (pt.p[i].index == idx && !part_view(d, &pt.p[i], &fs_views[d - kdisks]))
				t->blk = &fs_views[d - kdisks];
		}
		if (t->blk == &d->blk) {
			kprintf("fs.disk=%s: %s has no partition %llu\n", name, disk,
				(unsigned long long)idx);
			return -ENODEV;
		}
	}
	t->state = fs_classify(t->blk);
	if (t->state == FS_NOT_OURS && fs_format_forced()) {
		kprintf("%s: fs.format=force: formatting over it\n", blk_info(t->blk)->name);
		t->state = FS_BLANK;
	}
	return 0;
}

int fs_choose_target(struct fs_target *t)
{
	struct fs_target blank = { 0 };
	char name[BLK_NAME_MAX];
	unsigned writable = 0;
	int err = cmdline_str("fs.disk", name, sizeof(name));

	*t = (struct fs_target){ 0 };
	if (err == -ENOENT && fs_format_forced()) {
		kprintf("fs.format=force needs fs.disk=NAME: not guessing which disk to wipe\n");
		return -EINVAL;
	}
	if (err != -ENOENT) {
		if (err) {
			kprintf("fs.disk: bad value (%s)\n", errno_name(err));
			return err;
		}
		return fs_named_target(name, t);
	}
	for (unsigned i = 0; i < nkdisks; i++) {
		struct kdisk *d = &kdisks[i];
		struct blk *b;
		enum fs_target_state st;

		if (blk_info(&d->blk)->read_only)
			continue;
		writable++;
		st = fs_classify_disk(d, &fs_views[i], &b);
		if (st == FS_HAS_OFS) {
			*t = (struct fs_target){ .kd = d, .blk = b, .state = st };
			break;
		}
		if (st == FS_BLANK && !blank.blk)
			blank = (struct fs_target){ .kd = d, .blk = b, .state = st };
	}
	if (!t->blk)
		*t = blank;
	if (!t->blk && !writable) {
		kprintf("no writable disk (%u found, all read-only): nowhere to keep files\n",
			nkdisks);
		return -ENODEV;
	}
	if (!t->blk) {
		kprintf("no disk holds ordofs and none is blank: nothing formatted "
			"(name one with fs.disk=vblkN fs.format=force to format it anyway)\n");
		return -ENODEV;
	}
	return 0;
}

bool kdisk_scratch(struct kdisk *d, const char *mode, char *why, size_t size)
{
	const char *name = blk_info(&d->blk)->name;
	char key[32], named[BLK_NAME_MAX];
	struct disksig sig;
	int err;

	snprintf(key, sizeof(key), "%s.disk", mode);
	if (cmdline_str(key, named, sizeof(named)) == 0) {
		if (!strcmp(named, name))
			return true;
		snprintf(why, size, "not named by %s=", key);
		return false;
	}
	if (blk_info(&d->blk)->read_only)
		return true; /* nothing can be written to it */
	err = fs_disk_probe(&d->blk, &sig);
	if (!err)
		return true;
	if (err == FS_DISK_OFS || err == -EEXIST)
		snprintf(why, size, "holds %s (name it with %s=%s to overwrite it)",
			 err == FS_DISK_OFS ? "an ordofs filesystem" : sig.what, key, name);
	else
		snprintf(why, size, "cannot check it is blank: %s", errno_name(err));
	return false;
}

/*
 * A blank disk is formatted first.  A disk that holds ordofs but fails to
 * mount (damage, a newer format) is never formatted over: its data may be
 * recoverable.
 */
int fs_mount_chosen(struct fs_target *t, struct mutex *lock, struct fs **fs)
{
	struct fs_mount_opts mo = { 0 };
	struct jnl_recovery rep;
	const char *name;
	int err = fs_choose_target(t);

	if (err)
		return err;
	name = blk_info(t->blk)->name;
	if (t->state == FS_NOT_OURS)
		return -EEXIST; /* named by fs.disk=, holds something else: said so */
	if (t->state == FS_BLANK) {
		kprintf("%s: blank: formatting it as ordofs\n", name);
		err = fs_format(t->blk, &(struct fs_mkfs_opts){ .force = true });
		if (err) {
			kprintf("%s: format failed: %s\n", name, errno_name(err));
			return err;
		}
	}
	fs_cmdline_mount_opts(&mo); /* a bad value is said and ignored */
	mo.lock = lock;
	if (!err)
		err = fs_mount(t->blk, &mo, &rep, fs);
	if (err == -EINVAL && t->state == FS_HAS_OFS)
		kprintf("%s: holds an ordofs that does not mount: not formatting over it "
			"(inspect it with the ordofs tool)\n",
			name);
	if (err) {
		kprintf("%s: mount failed: %s\n", name, errno_name(err));
		return err;
	}
	if (rep.transactions)
		kprintf("%s: mounted; recovery replayed %llu transactions (%llu blocks)\n", name,
			(unsigned long long)rep.transactions, (unsigned long long)rep.blocks);
	else
		kprintf("%s: mounted cleanly (journal empty, next transaction %llu)\n", name,
			(unsigned long long)rep.next_seq);
	fs_cmdline_trim(*fs, name);
	return 0;
}
