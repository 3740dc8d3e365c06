/*
 * kernel/posix/vfs.c - POSIX-style files over ordofs (interface in vfs.h).
 *
 * A descriptor is a slot of vfs_fds: the mount, the inode, the offset and
 * the open flags; a directory descriptor holds a snapshot of the
 * directory's entries taken at vfs_opendir(), so readdir never returns an
 * entry twice however the directory changes meanwhile.  Sizes come from
 * fs_fstat(), which is O(1) (the inode keeps its block count).
 */
#include "kernel/posix/vfs.h"

#include "kernel/fs/fs.h"
#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/sched.h"
#include "lib/string.h"

_Static_assert(VFS_NAME_MAX == OFS_NAME_MAX, "vfs.h's copy of the name limit");

struct vfs_mount {
	char at[OFS_NAME_MAX + 2]; /* "/" or "/name" */
	u32 len;		   /* strlen(at); 1 for "/" */
	struct fs *fs;
};

struct vfs_file {
	bool used;
	u32 mnt;
	u32 ino;
	int flags;
	u64 off;
	/* Directories: the snapshot and how far readdir has got. */
	struct vfs_dirent *ents;
	u32 nents, next;
};

static struct vfs_mount vfs_mounts[VFS_MAX_MOUNTS];
static u32 vfs_nmounts;
static struct vfs_file vfs_fds[VFS_MAX_FDS];
static struct mutex vfs_mutex; /* zeroed: unlocked */

static int vfs_mount_l(const char *at, struct fs *fs)
{
	size_t len = strlen(at);

	if (at[0] != '/' || len > OFS_NAME_MAX + 1 || (len > 1 && strchr(at + 1, '/')) || !fs)
		return -EINVAL;
	for (u32 i = 0; i < vfs_nmounts; i++) {
		if (!strcmp(vfs_mounts[i].at, at))
			return -EBUSY;
	}
	if (vfs_nmounts == VFS_MAX_MOUNTS)
		return -EMFILE;
	memcpy(vfs_mounts[vfs_nmounts].at, at, len + 1);
	vfs_mounts[vfs_nmounts].len = (u32)len;
	vfs_mounts[vfs_nmounts].fs = fs;
	vfs_nmounts++;
	return 0;
}

static void vfs_file_free(struct vfs_file *f)
{
	kfree(f->ents);
	*f = (struct vfs_file){ 0 };
}

static void vfs_reset_l(void)
{
	for (u32 i = 0; i < VFS_MAX_FDS; i++)
		vfs_file_free(&vfs_fds[i]);
	vfs_nmounts = 0;
}

/*
 * The mount `path` lies on and, in *rest, the path inside it ("/" for
 * the mount point itself).  -EINVAL for a relative path, -ENOENT with
 * nothing mounted there.
 */
static int vfs_resolve(const char *path, u32 *mnt, const char **rest)
{
	u32 best = VFS_MAX_MOUNTS, best_len = 0;

	if (path[0] != '/')
		return -EINVAL;
	for (u32 i = 0; i < vfs_nmounts; i++) {
		const struct vfs_mount *m = &vfs_mounts[i];

		/* path[len] is read only once the prefix matched: it exists. */
		if (m->len == 1 || (!strncmp(path, m->at, m->len) &&
				    (path[m->len] == '/' || path[m->len] == '\0'))) {
			if (best == VFS_MAX_MOUNTS || m->len > best_len) {
				best = i;
				best_len = m->len;
			}
		}
	}
	if (best == VFS_MAX_MOUNTS)
		return -ENOENT;
	*mnt = best;
	if (best_len == 1)
		*rest = path; /* the root mount sees the whole path */
	else
		*rest = path[best_len] ? path + best_len : "/";
	return 0;
}

static struct fs *vfs_fs(u32 mnt)
{
	return vfs_mounts[mnt].fs;
}

/*
 * ordofs says -EROFS once its journal has aborted after a failed commit;
 * to the program that is the I/O error it was (fsync, write), and stays.
 */
static int vfs_err(u32 mnt, int err)
{
	if (err == -EROFS && fs_journal_aborted(vfs_fs(mnt)))
		return -EIO;
	return err;
}

static struct vfs_file *vfs_file(int fd)
{
	if (fd < VFS_FIRST_FD || fd >= VFS_MAX_FDS || !vfs_fds[fd].used)
		return NULL;
	return &vfs_fds[fd];
}

static int vfs_new_fd(void)
{
	for (int fd = VFS_FIRST_FD; fd < VFS_MAX_FDS; fd++) {
		if (!vfs_fds[fd].used)
			return fd;
	}
	return -EMFILE;
}

static int vfs_open_l(const char *path, int flags)
{
	int acc = flags & VFS_O_ACCMODE, fd = vfs_new_fd(), err;
	struct fs_stat st;
	const char *rest;
	u32 mnt, ino;
	struct fs *fs;

	if (fd < 0)
		return fd;
	if (acc == VFS_O_ACCMODE || (flags & ~(VFS_O_ACCMODE | VFS_O_CREAT | VFS_O_EXCL |
					       VFS_O_TRUNC | VFS_O_APPEND | VFS_O_DIRECTORY)))
		return -EINVAL;
	err = vfs_resolve(path, &mnt, &rest);
	if (err)
		return err;
	fs = vfs_fs(mnt);
	err = fs_open(fs, rest, &ino);
	if (err == -ENOENT && (flags & VFS_O_CREAT)) {
		err = fs_create(fs, rest);
		if (!err)
			err = fs_open(fs, rest, &ino);
	} else if (!err && (flags & VFS_O_CREAT) && (flags & VFS_O_EXCL)) {
		err = -EEXIST;
	}
	if (!err)
		err = fs_fstat(fs, ino, &st);
	if (err)
		return vfs_err(mnt, err);
	if (st.type == OFS_TYPE_DIR && (acc != VFS_O_RDONLY || (flags & VFS_O_TRUNC)))
		return -EISDIR;
	if (st.type != OFS_TYPE_DIR && (flags & VFS_O_DIRECTORY))
		return -ENOTDIR;
	if (acc != VFS_O_RDONLY && fs_read_only(fs))
		return -EROFS;
	if ((flags & VFS_O_TRUNC) && acc != VFS_O_RDONLY && st.size) {
		err = fs_truncate(fs, ino, 0);
		if (err)
			return vfs_err(mnt, err);
	}
	vfs_fds[fd] = (struct vfs_file){ .used = true, .mnt = mnt, .ino = ino, .flags = flags };
	return fd;
}

static int vfs_close_l(int fd)
{
	struct vfs_file *f = vfs_file(fd);

	if (!f)
		return -EBADF;
	vfs_file_free(f);
	return 0;
}

static bool vfs_readable(const struct vfs_file *f)
{
	return (f->flags & VFS_O_ACCMODE) != VFS_O_WRONLY;
}

static bool vfs_writable(const struct vfs_file *f)
{
	return (f->flags & VFS_O_ACCMODE) != VFS_O_RDONLY;
}

/* fs_read()/fs_write() take at most an int's worth: loop over bigger ones. */
#define VFS_IO_STEP 0x40000000u

static s64 vfs_pread_l(int fd, void *buf, u64 len, u64 off)
{
	struct vfs_file *f = vfs_file(fd);
	u64 done = 0;

	if (!f || !vfs_readable(f))
		return -EBADF;
	if (f->ents)
		return -EISDIR;
	while (done < len) {
		u32 n = (u32)MIN(len - done, (u64)VFS_IO_STEP);
		int got = fs_read(vfs_fs(f->mnt), f->ino, off + done, (u8 *)buf + done, n);

		if (got < 0)
			return done ? (s64)done : vfs_err(f->mnt, got);
		done += (u32)got;
		if ((u32)got < n)
			break;
	}
	return (s64)done;
}

static s64 vfs_pwrite_l(int fd, const void *buf, u64 len, u64 off)
{
	struct vfs_file *f = vfs_file(fd);
	u64 done = 0;

	if (!f || !vfs_writable(f))
		return -EBADF;
	while (done < len) {
		u32 n = (u32)MIN(len - done, (u64)VFS_IO_STEP);
		int put = fs_write(vfs_fs(f->mnt), f->ino, off + done, (const u8 *)buf + done, n);

		if (put < 0)
			return done ? (s64)done : vfs_err(f->mnt, put);
		done += (u32)put;
		if ((u32)put < n)
			break;
	}
	return (s64)done;
}

static s64 vfs_read_l(int fd, void *buf, u64 len)
{
	struct vfs_file *f = vfs_file(fd);
	s64 n;

	if (!f)
		return -EBADF;
	n = vfs_pread_l(fd, buf, len, f->off);
	if (n > 0)
		f->off += (u64)n;
	return n;
}

static s64 vfs_write_l(int fd, const void *buf, u64 len)
{
	struct vfs_file *f = vfs_file(fd);
	struct fs_stat st;
	s64 n;

	if (!f)
		return -EBADF;
	if (f->flags & VFS_O_APPEND) {
		int err = fs_fstat(vfs_fs(f->mnt), f->ino, &st);

		if (err)
			return vfs_err(f->mnt, err);
		f->off = st.size;
	}
	n = vfs_pwrite_l(fd, buf, len, f->off);
	if (n > 0)
		f->off += (u64)n;
	return n;
}

static s64 vfs_lseek_l(int fd, s64 off, int whence)
{
	struct vfs_file *f = vfs_file(fd);
	struct fs_stat st;
	s64 base;
	int err;

	if (!f)
		return -EBADF;
	switch (whence) {
	case VFS_SEEK_SET: base = 0; break;
	case VFS_SEEK_CUR: base = (s64)f->off; break;
	case VFS_SEEK_END:
		err = fs_fstat(vfs_fs(f->mnt), f->ino, &st);
		if (err)
			return vfs_err(f->mnt, err);
		base = (s64)st.size;
		break;
	default: return -EINVAL;
	}
	if ((off < 0 && base + off < 0) || (off > 0 && base > INT64_MAX - off))
		return -EINVAL;
	f->off = (u64)(base + off);
	return (s64)f->off;
}

static void vfs_stat_fill(struct vfs_stat *st, u32 mnt, const struct fs_stat *s)
{
	*st = (struct vfs_stat){
		.dev = mnt,
		.ino = s->ino,
		.is_dir = s->type == OFS_TYPE_DIR,
		.nlink = s->nlink,
		.size = s->size,
		.blocks = s->blocks,
	};
}

static int vfs_fstat_l(int fd, struct vfs_stat *st)
{
	struct vfs_file *f = vfs_file(fd);
	struct fs_stat s;
	int err;

	if (!f)
		return -EBADF;
	err = fs_fstat(vfs_fs(f->mnt), f->ino, &s);
	if (err)
		return vfs_err(f->mnt, err);
	vfs_stat_fill(st, f->mnt, &s);
	return 0;
}

static int vfs_stat_l(const char *path, struct vfs_stat *st)
{
	const char *rest;
	struct fs_stat s;
	u32 mnt;
	int err = vfs_resolve(path, &mnt, &rest);

	if (!err)
		err = fs_stat(vfs_fs(mnt), rest, &s);
	if (err)
		return err;
	vfs_stat_fill(st, mnt, &s);
	return 0;
}

static int vfs_fsync_l(int fd)
{
	struct vfs_file *f = vfs_file(fd);

	if (!f)
		return -EBADF;
	if (fs_journal_aborted(vfs_fs(f->mnt)))
		return -EIO;
	return vfs_err(f->mnt, fs_fsync(vfs_fs(f->mnt), f->ino));
}

/* ordofs has no metadata-only commit to skip: the same as fsync. */
static int vfs_fdatasync_l(int fd)
{
	return vfs_fsync_l(fd);
}

static int vfs_ftruncate_l(int fd, u64 size)
{
	struct vfs_file *f = vfs_file(fd);

	if (!f)
		return -EBADF;
	if (f->ents)
		return -EISDIR;
	if (!vfs_writable(f))
		return -EINVAL; /* POSIX: not open for writing */
	return vfs_err(f->mnt, fs_truncate(vfs_fs(f->mnt), f->ino, size));
}

static int vfs_sync_l(void)
{
	int first = 0;

	for (u32 i = 0; i < vfs_nmounts; i++) {
		int err = fs_journal_aborted(vfs_mounts[i].fs) ? -EIO : fs_sync(vfs_mounts[i].fs);

		if (err && !first)
			first = vfs_err(i, err);
	}
	return first;
}

static int vfs_statfs_l(const char *path, struct vfs_statfs *st)
{
	struct fs_statfs s;
	const char *rest;
	struct fs_stat ls;
	u32 mnt;
	int err = vfs_resolve(path, &mnt, &rest);

	if (err)
		return err;
	/* statvfs() of a path that does not exist is ENOENT, as anywhere. */
	err = fs_stat(vfs_fs(mnt), rest, &ls);
	if (!err)
		err = fs_statfs(vfs_fs(mnt), &s);
	if (err)
		return vfs_err(mnt, err);
	*st = (struct vfs_statfs){
		.block_size = s.block_size,
		.blocks = s.blocks,
		.free_blocks = s.free_blocks,
		.files = s.inodes,
		.free_files = s.free_inodes,
		.name_max = OFS_NAME_MAX,
		.read_only = fs_read_only(vfs_fs(mnt)),
	};
	return 0;
}

/* `path` on its mount, refusing a mount point itself (-EBUSY). */
static int vfs_resolve_entry(const char *path, u32 *mnt, const char **rest)
{
	int err = vfs_resolve(path, mnt, rest);

	if (!err && !strcmp(*rest, "/"))
		err = -EBUSY;
	return err;
}

/*
 * unlink (`dir` false) and rmdir (`dir` true): ordofs removes a file or an
 * empty directory alike; POSIX wants the kind the call names.
 */
static int vfs_remove(const char *path, bool dir)
{
	struct fs_stat st;
	const char *rest;
	u32 mnt;
	int err = vfs_resolve_entry(path, &mnt, &rest);

	if (err)
		return err;
	err = fs_stat(vfs_fs(mnt), rest, &st);
	if (!err && (st.type == OFS_TYPE_DIR) != dir)
		err = dir ? -ENOTDIR : -EISDIR; /* EISDIR: as Linux says for unlink(2) */
	if (!err)
		err = fs_unlink(vfs_fs(mnt), rest);
	return vfs_err(mnt, err);
}

static int vfs_unlink_l(const char *path)
{
	return vfs_remove(path, false);
}

static int vfs_rmdir_l(const char *path)
{
	return vfs_remove(path, true);
}

static int vfs_mkdir_l(const char *path)
{
	const char *rest;
	u32 mnt;
	int err = vfs_resolve(path, &mnt, &rest);

	if (err)
		return err;
	if (!strcmp(rest, "/"))
		return -EEXIST;
	return vfs_err(mnt, fs_mkdir(vfs_fs(mnt), rest));
}

static int vfs_rename_l(const char *from, const char *to)
{
	const char *rf, *rt;
	u32 mf, mt;
	int err = vfs_resolve_entry(from, &mf, &rf);

	if (!err)
		err = vfs_resolve_entry(to, &mt, &rt);
	if (!err && mf != mt)
		err = -EXDEV;
	if (err)
		return err;
	return vfs_err(mf, fs_rename(vfs_fs(mf), rf, rt));
}

struct vfs_snap {
	struct vfs_dirent *ents;
	u32 n, cap;
	int err;
};

static int vfs_snap_add(void *ctx, const char *name, u32 ino, u8 type)
{
	struct vfs_snap *s = ctx;
	size_t len = strlen(name);

	if (s->n == s->cap) {
		u32 cap = s->cap ? s->cap * 2 : 16;
		struct vfs_dirent *e = kmalloc(sizeof(*e) * cap);

		if (!e) {
			s->err = -ENOMEM;
			return 1;
		}
		if (s->n)
			memcpy(e, s->ents, sizeof(*e) * s->n);
		kfree(s->ents);
		s->ents = e;
		s->cap = cap;
	}
	s->ents[s->n].ino = ino;
	s->ents[s->n].is_dir = type == OFS_TYPE_DIR;
	memcpy(s->ents[s->n].name, name, MIN(len, (size_t)OFS_NAME_MAX));
	s->ents[s->n].name[MIN(len, (size_t)OFS_NAME_MAX)] = '\0';
	s->n++;
	return 0;
}

static int vfs_opendir_l(const char *path)
{
	struct vfs_snap s = { 0 };
	struct vfs_stat st;
	int fd = vfs_new_fd(), err;
	const char *rest;
	u32 mnt;

	if (fd < 0)
		return fd;
	err = vfs_resolve(path, &mnt, &rest);
	if (!err)
		err = vfs_stat_l(path, &st);
	if (!err && !st.is_dir)
		err = -ENOTDIR;
	if (!err)
		err = fs_readdir(vfs_fs(mnt), rest, vfs_snap_add, &s);
	if (s.err)
		err = s.err; /* what stopped the walk early */
	if (err) {
		kfree(s.ents);
		return vfs_err(mnt, err);
	}
	/* An empty directory still needs a non-NULL snapshot: it marks a dir. */
	if (!s.ents && !(s.ents = kmalloc(sizeof(*s.ents))))
		return -ENOMEM;
	vfs_fds[fd] = (struct vfs_file){
		.used = true, .mnt = mnt, .ino = st.ino, .ents = s.ents, .nents = s.n
	};
	return fd;
}

static int vfs_readdir_l(int fd, struct vfs_dirent *de)
{
	struct vfs_file *f = vfs_file(fd);

	if (!f)
		return -EBADF;
	if (!f->ents)
		return -ENOTDIR;
	if (f->next == f->nents)
		return 0;
	*de = f->ents[f->next++];
	return 1;
}

/*
 * The interface: each call holds vfs_mutex throughout, so the descriptor
 * table and every mounted filesystem see one call at a time.  The lock is
 * handed to each filesystem (vfs_lock(), fs_mount_opts.lock): an fsync
 * lets go of it while its commit's FLUSH is in flight (group commit).
 */
#define VFS_CALL(call)                    \
	do {                              \
		__typeof__(call) r_;      \
		mutex_lock(&vfs_mutex);   \
		r_ = (call);              \
		mutex_unlock(&vfs_mutex); \
		return r_;                \
	} while (0)

int vfs_mount(const char *at, struct fs *fs)
{
	VFS_CALL(vfs_mount_l(at, fs));
}

void vfs_reset(void)
{
	mutex_lock(&vfs_mutex);
	vfs_reset_l();
	mutex_unlock(&vfs_mutex);
}

int vfs_open(const char *path, int flags)
{
	VFS_CALL(vfs_open_l(path, flags));
}

int vfs_close(int fd)
{
	VFS_CALL(vfs_close_l(fd));
}

s64 vfs_pread(int fd, void *buf, u64 len, u64 off)
{
	VFS_CALL(vfs_pread_l(fd, buf, len, off));
}

s64 vfs_pwrite(int fd, const void *buf, u64 len, u64 off)
{
	VFS_CALL(vfs_pwrite_l(fd, buf, len, off));
}

s64 vfs_read(int fd, void *buf, u64 len)
{
	VFS_CALL(vfs_read_l(fd, buf, len));
}

s64 vfs_write(int fd, const void *buf, u64 len)
{
	VFS_CALL(vfs_write_l(fd, buf, len));
}

s64 vfs_lseek(int fd, s64 off, int whence)
{
	VFS_CALL(vfs_lseek_l(fd, off, whence));
}

int vfs_fstat(int fd, struct vfs_stat *st)
{
	VFS_CALL(vfs_fstat_l(fd, st));
}

int vfs_stat(const char *path, struct vfs_stat *st)
{
	VFS_CALL(vfs_stat_l(path, st));
}

int vfs_fsync(int fd)
{
	VFS_CALL(vfs_fsync_l(fd));
}

int vfs_fdatasync(int fd)
{
	VFS_CALL(vfs_fdatasync_l(fd));
}

int vfs_ftruncate(int fd, u64 size)
{
	VFS_CALL(vfs_ftruncate_l(fd, size));
}

int vfs_sync(void)
{
	VFS_CALL(vfs_sync_l());
}

int vfs_statfs(const char *path, struct vfs_statfs *st)
{
	VFS_CALL(vfs_statfs_l(path, st));
}

int vfs_unlink(const char *path)
{
	VFS_CALL(vfs_unlink_l(path));
}

int vfs_rmdir(const char *path)
{
	VFS_CALL(vfs_rmdir_l(path));
}

int vfs_mkdir(const char *path)
{
	VFS_CALL(vfs_mkdir_l(path));
}

int vfs_rename(const char *from, const char *to)
{
	VFS_CALL(vfs_rename_l(from, to));
}

int vfs_opendir(const char *path)
{
	VFS_CALL(vfs_opendir_l(path));
}

int vfs_readdir(int fd, struct vfs_dirent *de)
{
	VFS_CALL(vfs_readdir_l(fd, de));
}

struct mutex *vfs_lock(void)
{
	return &vfs_mutex;
}
