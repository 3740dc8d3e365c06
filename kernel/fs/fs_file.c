/*
 * kernel/fs/fs_file.c - the fs.h calls on files and directories.
 *
 * Each mutating call is one operation (fs_priv.h): walk and check first,
 * read-only; then fs_op_begin(), the changes (each range declared first),
 * fs_op_end().  A call that allocates and runs out of space while freed
 * blocks wait for a checkpoint (data=ordered, fs_alloc.c) forces that
 * checkpoint and tries once more.
 * Where one call needs more than one journal operation the split is made
 * so that every intermediate state is a consistent filesystem:
 *  - fs_write() cuts the range into chunks of whole blocks that each fit
 *    the journal's largest operation (halving the chunk on -E2BIG); on
 *    -ENOSPC it retries block by block so as much as fits is written;
 *  - shrinking with fs_truncate() frees blocks from the end in steps, each
 *    setting the size down to what is left, the last setting the exact
 *    size and clearing the tail of the last block;
 *  - fs_unlink() and a replacing fs_rename() (fs_name.c) free the victim's
 *    blocks in the same operation that removes its name; only if that
 *    operation is too large for the journal (a file whose blocks touch
 *    more bitmap blocks than one operation holds) is the victim first
 *    truncated in steps, then removed.  A crash in between leaves it
 *    present, shorter.
 */
#include "kernel/fs/fs_priv.h"

#include "lib/errno.h"
#include "lib/string.h"

/* Largest byte count the int returns of read/write can carry. */
#define FS_IO_MAX 0x7ffff000u
/* File blocks the first step of a shrinking truncate covers. */
#define FS_TRUNC_STEP (8u * OFS_PTRS_PER_BLOCK)

/* A live inode from a caller's number: 0, -EINVAL or -ENOENT. */
int fs_iget_user(struct fs *fs, u32 ino, struct ofs_inode *in)
{
	int err;

	if (ino == 0 || ino >= fs->g.ninodes)
		return -EINVAL;
	err = fs_iread(fs, ino, in);
	if (!err && le16_to_cpu(in->type) == OFS_TYPE_FREE)
		err = -ENOENT;
	return err;
}

/*
 * The regular file `ino` from a caller's number, and for `write` a
 * writable filesystem: 0, -EROFS, -EINVAL, -ENOENT, -EISDIR or -errno.
 */
static int fs_file_get(struct fs *fs, u32 ino, bool write, struct ofs_inode *in)
{
	int err = write ? fs_check_writable(fs) : 0;

	if (!err)
		err = fs_iget_user(fs, ino, in);
	if (!err && le16_to_cpu(in->type) != OFS_TYPE_FILE)
		err = -EISDIR;
	return err;
}

static int fs_make(struct fs *fs, const char *path, u8 type)
{
	bool retried = false;
	struct ofs_inode *ip;
	struct fs_path p;
	u32 ino;
	int err = fs_check_writable(fs);

	if (!err)
		err = fs_walk(fs, path, 0, &p);
	if (err)
		return err;
	if (p.ino)
		return -EEXIST;
	if (p.trailing && type == OFS_TYPE_FILE)
		return -EISDIR;
	do {
		fs_op_begin(fs);
		err = fs_ialloc(fs, type, &ino, &ip);
		if (!err)
			err = fs_dir_add(fs, p.dir, &p.free_slot, p.name, p.len, ino, type);
		err = fs_op_end(fs, err);
	} while (fs_enospc_retry(fs, &err, &retried));
	return err;
}

int fs_create(struct fs *fs, const char *path)
{
	return fs_make(fs, path, OFS_TYPE_FILE);
}

int fs_mkdir(struct fs *fs, const char *path)
{
	return fs_make(fs, path, OFS_TYPE_DIR);
}

int fs_open(struct fs *fs, const char *path, u32 *ino)
{
	struct fs_path p;
	int err = fs_lookup(fs, path, &p);

	if (!err)
		*ino = p.ino;
	return err;
}

int fs_fstat(struct fs *fs, u32 ino, struct fs_stat *st)
{
	struct ofs_inode in;
	int err = fs_iget_user(fs, ino, &in);

	if (err)
		return err;
	*st = (struct fs_stat){
		.ino = ino,
		.type = (u8)le16_to_cpu(in.type),
		.nlink = le16_to_cpu(in.nlink),
		.size = le64_to_cpu(in.size),
		.blocks = le32_to_cpu(in.blocks),
	};
	return 0;
}

int fs_stat(struct fs *fs, const char *path, struct fs_stat *st)
{
	u32 ino;
	int err = fs_open(fs, path, &ino);

	return err ? err : fs_fstat(fs, ino, st);
}

int fs_read(struct fs *fs, u32 ino, u64 off, void *buf, u32 len)
{
	struct ofs_inode in;
	u64 size;
	u32 done = 0;
	int err = fs_file_get(fs, ino, false, &in);

	if (err)
		return err;
	size = le64_to_cpu(in.size);
	if (off >= size)
		return 0;
	len = (u32)MIN((u64)MIN(len, FS_IO_MAX), size - off);
	while (done < len) {
		u64 pos = off + done;
		u32 boff = (u32)(pos % OFS_BLOCK_SIZE), n = MIN(len - done, OFS_BLOCK_SIZE - boff);
		struct fs_bref r;
		u32 blk;

		err = fs_bmap(fs, &in, pos / OFS_BLOCK_SIZE, &blk);
		if (!err && blk)
			err = fs_bget(fs, blk, 0, &r);
		if (err)
			return done ? (int)done : err;
		if (blk) {
			memcpy((u8 *)buf + done, r.data + boff, n);
			fs_bput(fs, &r);
		} else {
			memset((u8 *)buf + done, 0, n); /* a hole */
		}
		done += n;
	}
	return (int)done;
}

/* One operation: write [pos, pos + n) of a file from src. */
static int fs_write_chunk(struct fs *fs, u32 ino, u64 pos, const u8 *src, u32 n)
{
	struct ofs_inode *ip;
	u32 done = 0;
	int err;

	fs_op_begin(fs);
	err = fs_imod(fs, ino, &ip);
	while (!err && done < n) {
		u64 at = pos + done;
		u32 boff = (u32)(at % OFS_BLOCK_SIZE), k = MIN(n - done, OFS_BLOCK_SIZE - boff);
		u32 blk;
		bool fresh;
		u8 *data;

		err = fs_bmap_alloc(fs, ip, at / OFS_BLOCK_SIZE, &blk, &fresh);
		if (!err && fresh)
			err = fs_bfresh(fs, blk, 0, &data);
		else if (!err)
			err = fs_bmod(fs, blk, 0, boff, k, &data);
		if (!err)
			memcpy(data + boff, src + done, k);
		done += k;
	}
	if (!err) {
		if (pos + n > le64_to_cpu(ip->size))
			ip->size = cpu_to_le64(pos + n);
		ip->mtime_seq = cpu_to_le64(fs_cur_seq(fs));
	}
	return fs_op_end(fs, err);
}

/* Blocks per write operation to start with: leave room for metadata. */
static u32 fs_write_chunk_blocks(const struct fs *fs)
{
	u32 max = jnl_max_op_blocks(fs->j);

	return max > 10 ? MIN(FS_WRITE_CHUNK, max - 10) : 1;
}

int fs_write(struct fs *fs, u32 ino, u64 off, const void *buf, u32 len)
{
	u32 chunk = fs_write_chunk_blocks(fs), done = 0;
	bool retried = false;
	struct ofs_inode in;
	int err = fs_file_get(fs, ino, true, &in);

	if (err)
		return err;
	if (len == 0)
		return 0;
	if (off >= FS_MAX_FILE_SIZE)
		return -EFBIG;
	len = (u32)MIN((u64)MIN(len, FS_IO_MAX), FS_MAX_FILE_SIZE - off);
	while (done < len) {
		u64 pos = off + done;
		u64 room = (u64)chunk * OFS_BLOCK_SIZE - pos % OFS_BLOCK_SIZE;
		u32 n = (u32)MIN((u64)(len - done), room);

		err = fs_write_chunk(fs, ino, pos, (const u8 *)buf + done, n);
		if (fs_enospc_retry(fs, &err, &retried))
			continue;
		if ((err == -E2BIG || err == -ENOSPC) && chunk > 1) {
			/* Too big for the journal, or for the space left. */
			chunk = err == -E2BIG ? chunk / 2 : 1;
			continue;
		}
		if (err)
			break;
		done += n;
	}
	return done ? (int)done : err;
}

/* One step of a shrinking truncate.  *last says it set the final size. */
static int fs_shrink_step(struct fs *fs, u32 ino, u64 size, u64 step, bool *last)
{
	struct ofs_inode *ip;
	u64 cur, keep, lo, osize, end, tail = size % OFS_BLOCK_SIZE;
	u32 blk;
	u8 *data;
	int err;

	fs_op_begin(fs);
	err = fs_imod(fs, ino, &ip);
	if (err)
		return fs_op_end(fs, err);
	osize = le64_to_cpu(ip->size);
	cur = fs_size_blocks(osize);
	keep = fs_size_blocks(size);
	lo = cur > keep + step ? cur - step : keep;
	*last = lo == keep;
	/* The bytes of the new last block from `size` to the old end. */
	end = tail && osize > size ? MIN(osize - (keep - 1) * OFS_BLOCK_SIZE, (u64)OFS_BLOCK_SIZE)
				   : 0;
	err = fs_free_from(fs, ip, lo);
	if (!err && *last && tail && end > tail) {
		/* Bytes past the end of the last block must read as zero. */
		err = fs_bmap(fs, ip, keep - 1, &blk);
		if (!err && blk)
			err = fs_bmod(fs, blk, 0, (u32)tail, (u32)(end - tail), &data);
		if (!err && blk)
			memset(data + tail, 0, end - tail);
	}
	if (!err) {
		ip->size = cpu_to_le64(*last ? size : lo * OFS_BLOCK_SIZE);
		ip->mtime_seq = cpu_to_le64(fs_cur_seq(fs));
	}
	return fs_op_end(fs, err);
}

int fs_truncate_inode(struct fs *fs, u32 ino, u64 size)
{
	u64 step = FS_TRUNC_STEP;
	bool last = false;

	while (!last) {
		int err = fs_shrink_step(fs, ino, size, step, &last);

		if (err == -E2BIG && step > 1) {
			step /= 2;
			last = false;
			continue;
		}
		if (err)
			return err;
	}
	return 0;
}

int fs_truncate(struct fs *fs, u32 ino, u64 size)
{
	struct ofs_inode in;
	int err = fs_file_get(fs, ino, true, &in);

	if (err)
		return err;
	if (size > FS_MAX_FILE_SIZE)
		return -EFBIG;
	if (size == le64_to_cpu(in.size))
		return 0;
	return fs_truncate_inode(fs, ino, size);
}
