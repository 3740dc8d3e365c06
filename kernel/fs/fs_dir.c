/*
 * kernel/fs/fs_dir.c - directory entries and path walks.
 *
 * A directory is an inode of type OFS_TYPE_DIR whose blocks (through the
 * same block map as a file) are metadata blocks with a DIR tail, each
 * holding 63 struct ofs_dirent slots; ino 0 marks a free slot.  Its size
 * is 4096 times its number of blocks and it has no holes.  An empty
 * directory has no blocks at all (the root, right after fs_format, too).
 * Slots are reused first-fit; a block is appended only when every slot is
 * taken, and blocks are never given back while the directory exists.
 *
 * There are no "." or ".." entries on disk.  Every inode, directory or
 * file, is named by exactly one entry (no hard links), so nlink is 1 for
 * everything, the root included (the superblock names it).  Without ".."
 * a rename that would move a directory under itself is caught by the walk
 * of the destination: it passes through the directory being moved.
 *
 * Paths are absolute; runs of '/' separate components, a trailing '/'
 * requires a directory.  "." and ".." are refused (-EINVAL) and so are
 * relative paths; a component longer than OFS_NAME_MAX is -ENAMETOOLONG.
 */
#include "kernel/fs/fs_priv.h"

#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "lib/string.h"

static bool fs_name_dots(const char *name, u32 len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

const char *fs_dirent_why(u32 ninodes, const struct ofs_dirent *de)
{
	u32 ino = le32_to_cpu(de->ino);

	if (ino == 0)
		return NULL;
	if (ino >= ninodes || ino == OFS_ROOT_INO)
		return "inode number out of range";
	if (de->name_len == 0 || de->name_len > OFS_NAME_MAX)
		return "bad name length";
	if (de->type != OFS_TYPE_FILE && de->type != OFS_TYPE_DIR)
		return "bad type";
	if (fs_name_dots(de->name, de->name_len))
		return "name is . or ..";
	for (u32 i = 0; i < de->name_len; i++) {
		if (de->name[i] == '/' || de->name[i] == '\0')
			return "'/' or NUL in name";
	}
	return NULL;
}

int fs_dirent_check(const struct fs *fs, const struct ofs_dirent *de)
{
	const char *why = fs_dirent_why(fs->g.ninodes, de);

	if (!why)
		return 0;
	kprintf("ordofs: corrupt directory entry for inode %u (%s)\n", le32_to_cpu(de->ino), why);
	return -EUCLEAN;
}

/* Block `fb` of directory `in`, which must exist.  0 or -errno. */
static int fs_dir_block(struct fs *fs, u32 dir, const struct ofs_inode *in, u64 fb, u32 *blk)
{
	int err = fs_bmap(fs, in, fb, blk);

	if (!err && !*blk) {
		kprintf("ordofs: directory %u: block %llu is missing\n", dir,
			(unsigned long long)fb);
		err = -EUCLEAN;
	}
	return err;
}

/*
 * Look p->name up in directory `dir`: set p->ino, p->type and p->at if it
 * is there, and p->free_slot to the first free slot seen.
 */
static int fs_dir_lookup(struct fs *fs, u32 dir, const struct ofs_inode *in, struct fs_path *p)
{
	u64 nb = le64_to_cpu(in->size) / OFS_BLOCK_SIZE;
	int err = 0;

	p->ino = 0;
	p->at.valid = p->free_slot.valid = false;
	for (u64 fb = 0; fb < nb && !err && !p->ino; fb++) {
		const struct ofs_dirent *de;
		struct fs_bref r;
		u32 blk;

		err = fs_dir_block(fs, dir, in, fb, &blk);
		if (!err)
			err = fs_bget(fs, blk, OFS_MAGIC_DIR, &r);
		if (err)
			break;
		de = (const struct ofs_dirent *)r.data;
		for (u32 s = 0; s < OFS_DIRENTS_PER_BLOCK && !err; s++, de++) {
			if (!le32_to_cpu(de->ino)) {
				if (!p->free_slot.valid)
					p->free_slot = (struct fs_dloc){ true, fb, s };
				continue;
			}
			err = fs_dirent_check(fs, de);
			if (err || de->name_len != p->len || memcmp(de->name, p->name, p->len))
				continue;
			p->ino = le32_to_cpu(de->ino);
			p->type = de->type;
			p->at = (struct fs_dloc){ true, fb, s };
			break;
		}
		fs_bput(fs, &r);
	}
	return err;
}

/* The entry found must name a live inode of the entry's type. */
static int fs_walk_check_child(struct fs *fs, const struct fs_path *p)
{
	struct ofs_inode in;
	int err = fs_iread(fs, p->ino, &in);

	if (err)
		return err;
	if (le16_to_cpu(in.type) != p->type) {
		kprintf("ordofs: entry '%.*s' in directory %u names inode %u of type %u, not %u\n",
			(int)p->len, p->name, p->dir, p->ino, le16_to_cpu(in.type), p->type);
		return -EUCLEAN;
	}
	return 0;
}

/* One step of the walk: look component [c, c+len) up in p->ino. */
static int fs_walk_step(struct fs *fs, const char *c, u32 len, u32 avoid, struct fs_path *p)
{
	struct ofs_inode in;
	int err;

	if (!p->ino)
		return -ENOENT;
	if (p->type != OFS_TYPE_DIR)
		return -ENOTDIR;
	if (len > OFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (fs_name_dots(c, len))
		return -EINVAL;
	p->dir = p->ino;
	p->name = c;
	p->len = len;
	if (p->dir == avoid)
		p->crosses = true;
	err = fs_iread(fs, p->dir, &in);
	if (!err && le16_to_cpu(in.type) != OFS_TYPE_DIR) {
		kprintf("ordofs: inode %u is named as a directory but is not one\n", p->dir);
		err = -EUCLEAN;
	}
	if (!err)
		err = fs_dir_lookup(fs, p->dir, &in, p);
	if (!err && p->ino)
		err = fs_walk_check_child(fs, p);
	return err;
}

int fs_walk(struct fs *fs, const char *path, u32 avoid, struct fs_path *p)
{
	const char *s = path;
	size_t plen;
	int err;

	memset(p, 0, sizeof(*p));
	if (!path || path[0] != '/')
		return path && !path[0] ? -ENOENT : -EINVAL;
	p->ino = OFS_ROOT_INO;
	p->type = OFS_TYPE_DIR;
	for (;;) {
		const char *c;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		for (c = s; *s && *s != '/'; s++)
			;
		err = fs_walk_step(fs, c, (u32)MIN((size_t)(s - c), (size_t)OFS_NAME_MAX + 1),
				   avoid, p);
		if (err)
			return err;
	}
	plen = strlen(path);
	p->trailing = p->dir != 0 && path[plen - 1] == '/';
	if (p->trailing && p->ino && p->type != OFS_TYPE_DIR)
		return -ENOTDIR;
	return 0;
}

int fs_lookup(struct fs *fs, const char *path, struct fs_path *p)
{
	int err = fs_walk(fs, path, 0, p);

	if (!err && !p->ino)
		err = -ENOENT;
	return err;
}

/* Entry `at` of directory `ip`, declared: writable. */
static int fs_dir_slot(struct fs *fs, u32 dir, struct ofs_inode *ip, const struct fs_dloc *at,
		       struct ofs_dirent **de)
{
	u32 blk;
	u8 *data;
	int err = fs_dir_block(fs, dir, ip, at->fb, &blk);

	if (!err)
		err = fs_bmod(fs, blk, OFS_MAGIC_DIR, at->slot * (u32)sizeof(**de), sizeof(**de),
			      &data);
	if (!err)
		*de = (struct ofs_dirent *)data + at->slot;
	return err;
}

int fs_dir_add(struct fs *fs, u32 dir, const struct fs_dloc *free_slot, const char *name, u32 len,
	       u32 ino, u8 type)
{
	struct ofs_inode *ip;
	struct ofs_dirent *de;
	u32 blk;
	bool fresh;
	u8 *data;
	int err = fs_imod(fs, dir, &ip);

	if (err)
		return err;
	if (free_slot->valid) {
		err = fs_dir_slot(fs, dir, ip, free_slot, &de);
		if (!err && le32_to_cpu(de->ino))
			err = -EUCLEAN; /* the walk said it was free */
	} else {
		/* Every slot is taken: append a block. */
		err = fs_bmap_alloc(fs, ip, le64_to_cpu(ip->size) / OFS_BLOCK_SIZE, &blk, &fresh);
		if (!err && !fresh) {
			kprintf("ordofs: directory %u maps a block past its end\n", dir);
			err = -EUCLEAN;
		}
		if (!err)
			err = fs_bfresh(fs, blk, OFS_MAGIC_DIR, &data);
		if (!err) {
			de = (struct ofs_dirent *)data;
			ip->size = cpu_to_le64(le64_to_cpu(ip->size) + OFS_BLOCK_SIZE);
		}
	}
	if (err)
		return err;
	memset(de, 0, sizeof(*de));
	de->ino = cpu_to_le32(ino);
	de->name_len = (u8)len;
	de->type = type;
	memcpy(de->name, name, len);
	ip->mtime_seq = cpu_to_le64(fs_cur_seq(fs));
	return 0;
}

int fs_dir_set(struct fs *fs, u32 dir, const struct fs_dloc *at, u32 ino, u8 type)
{
	struct ofs_inode *ip;
	struct ofs_dirent *de;
	int err = fs_imod(fs, dir, &ip);

	if (!err)
		err = fs_dir_slot(fs, dir, ip, at, &de);
	if (err)
		return err;
	if (ino) {
		de->ino = cpu_to_le32(ino);
		de->type = type;
	} else {
		memset(de, 0, sizeof(*de));
	}
	ip->mtime_seq = cpu_to_le64(fs_cur_seq(fs));
	return 0;
}

int fs_dir_empty(struct fs *fs, const struct ofs_inode *in)
{
	u64 nb = le64_to_cpu(in->size) / OFS_BLOCK_SIZE;
	int ret = 1;

	for (u64 fb = 0; fb < nb && ret == 1; fb++) {
		struct fs_bref r;
		u32 blk;

		ret = fs_dir_block(fs, 0, in, fb, &blk);
		if (!ret)
			ret = fs_bget(fs, blk, OFS_MAGIC_DIR, &r);
		if (ret)
			return ret;
		ret = 1;
		for (u32 s = 0; s < OFS_DIRENTS_PER_BLOCK; s++) {
			if (le32_to_cpu(((const struct ofs_dirent *)r.data)[s].ino))
				ret = 0;
		}
		fs_bput(fs, &r);
	}
	return ret;
}

/* Call fn for the used entries of one (copied) directory block. */
static int fs_dir_emit(struct fs *fs, const u8 *block, fs_readdir_fn fn, void *ctx)
{
	const struct ofs_dirent *de = (const struct ofs_dirent *)block;
	char name[OFS_NAME_MAX + 1];

	for (u32 s = 0; s < OFS_DIRENTS_PER_BLOCK; s++, de++) {
		int ret = fs_dirent_check(fs, de);

		if (ret || !le32_to_cpu(de->ino)) {
			if (ret)
				return ret;
			continue;
		}
		memcpy(name, de->name, de->name_len);
		name[de->name_len] = '\0';
		ret = fn(ctx, name, le32_to_cpu(de->ino), de->type);
		if (ret)
			return ret;
	}
	return 0;
}

int fs_dir_iterate(struct fs *fs, u32 dir, fs_readdir_fn fn, void *ctx)
{
	struct ofs_inode in;
	u8 *copy;
	int ret = fs_iread(fs, dir, &in);

	if (ret)
		return ret;
	copy = kmalloc(OFS_BLOCK_SIZE);
	if (!copy)
		return -ENOMEM;
	/*
	 * Each block is copied before fn runs, so fn may call back into the
	 * filesystem; entries it changes may or may not be reported.
	 */
	for (u64 fb = 0; fb < le64_to_cpu(in.size) / OFS_BLOCK_SIZE && !ret; fb++) {
		struct fs_bref r;
		u32 blk;

		ret = fs_dir_block(fs, dir, &in, fb, &blk);
		if (!ret)
			ret = fs_bget(fs, blk, OFS_MAGIC_DIR, &r);
		if (ret)
			break;
		memcpy(copy, r.data, OFS_BLOCK_SIZE);
		fs_bput(fs, &r);
		ret = fs_dir_emit(fs, copy, fn, ctx);
	}
	kfree(copy);
	return ret;
}
