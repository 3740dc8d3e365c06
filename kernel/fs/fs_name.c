/*
 * kernel/fs/fs_name.c - the fs.h calls that remove and move names, and
 * list directories.
 *
 * fs_unlink() and fs_rename() are each one operation: the entry goes away
 * (or moves, or replaces another) and the inode it leaves behind is freed
 * with all its blocks, together, so a crash shows either the old or the
 * new namespace, never a name without an inode or an inode without a
 * name.  The one exception is described in fs_file.c (a victim too large
 * to free in one journal operation is first truncated in steps).
 */
#include "kernel/fs/fs_priv.h"

#include "lib/errno.h"
#include "lib/string.h"

/* Free inode `ino` and every block it maps (inside an operation). */
static int fs_release(struct fs *fs, u32 ino)
{
	struct ofs_inode *ip;
	le32 gen;
	int err = fs_imod(fs, ino, &ip);

	if (!err)
		err = fs_free_from(fs, ip, 0);
	if (err)
		return err;
	/* The generation survives, so the next owner's is different. */
	gen = ip->generation;
	memset(ip, 0, sizeof(*ip));
	ip->generation = gen;
	fs->op.inodes_delta++;
	return 0;
}

/* 0 if `ino` is a directory with no entries, -ENOTEMPTY, or -errno. */
static int fs_check_empty_dir(struct fs *fs, u32 ino)
{
	struct ofs_inode in;
	int err = fs_iread(fs, ino, &in);

	if (!err)
		err = fs_dir_empty(fs, &in);
	if (err < 0)
		return err;
	return err ? 0 : -ENOTEMPTY;
}

/* The existing entry `path` names, to remove or move: not the root. */
static int fs_walk_entry(struct fs *fs, const char *path, struct fs_path *p)
{
	int err = fs_check_writable(fs);

	if (!err)
		err = fs_walk(fs, path, 0, p);
	if (err)
		return err;
	if (!p->dir)
		return -EBUSY; /* the root */
	return p->ino ? 0 : -ENOENT;
}

int fs_unlink(struct fs *fs, const char *path)
{
	struct fs_path p;
	int err = fs_walk_entry(fs, path, &p);

	if (err)
		return err;
	if (p.type == OFS_TYPE_DIR) {
		err = fs_check_empty_dir(fs, p.ino);
		if (err)
			return err;
	}
	for (int tries = 0;; tries++) {
		fs_op_begin(fs);
		err = fs_dir_set(fs, p.dir, &p.at, 0, 0);
		if (!err)
			err = fs_release(fs, p.ino);
		err = fs_op_end(fs, err);
		if (err != -E2BIG || tries)
			return err;
		err = fs_truncate_inode(fs, p.ino, 0);
		if (err)
			return err;
	}
}

/* The checks of rename(2) on source `a` and destination `b`. */
static int fs_rename_check(struct fs *fs, const struct fs_path *a, const struct fs_path *b)
{
	if (!b->dir)
		return -EBUSY; /* onto the root */
	if (b->crosses)
		return -EINVAL; /* a directory into itself */
	if (b->trailing && a->type != OFS_TYPE_DIR)
		return -ENOTDIR;
	if (!b->ino)
		return 0;
	if (b->type == OFS_TYPE_DIR && a->type != OFS_TYPE_DIR)
		return -EISDIR;
	if (b->type != OFS_TYPE_DIR && a->type == OFS_TYPE_DIR)
		return -ENOTDIR;
	return b->type == OFS_TYPE_DIR ? fs_check_empty_dir(fs, b->ino) : 0;
}

/* One operation: move entry a to b, freeing what b named. */
static int fs_rename_op(struct fs *fs, const struct fs_path *a, const struct fs_path *b)
{
	int err;

	fs_op_begin(fs);
	err = fs_dir_set(fs, a->dir, &a->at, 0, 0);
	if (!err && b->ino) {
		err = fs_dir_set(fs, b->dir, &b->at, a->ino, a->type);
		if (!err)
			err = fs_release(fs, b->ino);
	} else if (!err) {
		err = fs_dir_add(fs, b->dir, &b->free_slot, b->name, b->len, a->ino, a->type);
	}
	return fs_op_end(fs, err);
}

int fs_rename(struct fs *fs, const char *from, const char *to)
{
	bool retried = false;
	struct fs_path a, b;
	int err = fs_walk_entry(fs, from, &a);

	if (err)
		return err;
	/* Walking `to` through a directory being moved means a cycle. */
	err = fs_walk(fs, to, a.type == OFS_TYPE_DIR ? a.ino : 0, &b);
	if (err)
		return err;
	if (b.ino == a.ino)
		return 0; /* no hard links: the very same entry */
	err = fs_rename_check(fs, &a, &b);
	if (err)
		return err;
	/* Within one full directory the source's slot is the one to reuse. */
	if (!b.ino && a.dir == b.dir && !b.free_slot.valid)
		b.free_slot = a.at;
	for (int tries = 0;; tries++) {
		err = fs_rename_op(fs, &a, &b);
		/* A new entry may need a directory block: space held back? */
		if (fs_enospc_retry(fs, &err, &retried))
			continue;
		if (err != -E2BIG || !b.ino || tries)
			return err;
		err = fs_truncate_inode(fs, b.ino, 0);
		if (err)
			return err;
	}
}

int fs_readdir(struct fs *fs, const char *path, fs_readdir_fn fn, void *ctx)
{
	struct fs_path p;
	int err = fs_lookup(fs, path, &p);

	if (err)
		return err;
	if (p.type != OFS_TYPE_DIR)
		return -ENOTDIR;
	return fs_dir_iterate(fs, p.ino, fn, ctx);
}