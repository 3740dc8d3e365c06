/*
 * tests/crash/wl_helpers.c - the calls workloads are written in (see
 * workload.h): each checks its result and keeps the model in step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/crash/workload.h"
#include "lib/errno.h"

const u8 *wl_pattern(struct wl_ctx *c, u32 seed, u64 off, u32 len)
{
	for (u32 i = 0; i < len; i++) {
		u64 s = ((u64)seed << 40) ^ ((off + i) >> 3);

		c->buf[i] = (u8)(sim_rand(&s) >> (8 * ((off + i) & 7)));
	}
	return c->buf;
}

/* Threaded workloads: each helper holds the lock (workload.h). */
static void wl_lock(struct wl_ctx *c)
{
	if (c->threaded)
		mutex_lock(&c->lock);
}

static void wl_unlock(struct wl_ctx *c)
{
	if (c->threaded)
		mutex_unlock(&c->lock);
}

/*
 * Judge a call's result; true if it succeeded (the model follows it).
 * `changes`: the call must fail once an injected I/O error has completed.
 */
static bool wl_judge(struct wl_ctx *c, int ret, const char *what, const char *path, bool changes)
{
	struct sim_fault *f = &c->r->log.fault;

	c->calls++;
	if (c->recording && sim_fault_live(f)) {
		if (ret < 0) {
			c->r->errors_after_fault++;
			return false;
		}
		if (changes && f->done_ev != SIM_NEVER)
			rec_violation(c->r, V_IO_SWALLOWED, "%s(%s) = %d after the failed I/O",
				      what, path, ret);
		return true;
	}
	if (ret >= 0)
		return true;
	rec_violation(c->r, V_WORKLOAD, "%s%s(%s) = %s", c->recording ? "" : "pre-phase ", what,
		      path, errno_name(ret));
	c->stop = true;
	return false;
}

/* A call `what` that changes the tree at `path`; the model follows a success. */
static int wl_path_call(struct wl_ctx *c, const char *path, int (*call)(struct fs *, const char *),
			void (*follow)(struct model *, const char *), const char *what)
{
	int ret;

	if (c->stop)
		return -ECANCELED;
	wl_lock(c);
	ret = call(c->fs, path);
	if (wl_judge(c, ret, what, path, true)) {
		follow(&c->m, path);
		c->changes++;
	}
	wl_unlock(c);
	return ret;
}

int wl_create(struct wl_ctx *c, const char *path)
{
	return wl_path_call(c, path, fs_create, model_create, "fs_create");
}

int wl_mkdir(struct wl_ctx *c, const char *path)
{
	return wl_path_call(c, path, fs_mkdir, model_mkdir, "fs_mkdir");
}

/* The inode of `path`, for a call on it: -ECANCELED once the workload stopped. */
static int wl_ino(struct wl_ctx *c, const char *path, u32 *ino)
{
	int ret;

	if (c->stop)
		return -ECANCELED;
	ret = fs_open(c->fs, path, ino);
	wl_judge(c, ret, "fs_open", path, false);
	return ret;
}

/* One fs_write() of at most one block, never crossing a block boundary:
 * ordofs makes that exactly one journal operation. */
static int wl_write_piece(struct wl_ctx *c, const char *path, u32 ino, u64 off, u32 n, u32 seed)
{
	const u8 *data = wl_pattern(c, seed, off, n);
	int ret = fs_write(c->fs, ino, off, data, n);

	if (ret == -ENOSPC && !sim_fault_live(&c->r->log.fault))
		return ret; /* the caller decides */
	if (wl_judge(c, ret, "fs_write", path, true)) {
		model_write(&c->m, path, off, data, (u64)ret);
		c->changes++;
	}
	return ret;
}

/* wl_write(), at the end of the file if `append` (read under the lock). */
static int wl_write_at(struct wl_ctx *c, const char *path, u64 off, u64 len, u32 seed, bool append)
{
	u64 end;
	u32 ino;
	int ret;

	wl_lock(c);
	if (append)
		off = model_size(&c->m, path);
	end = off + len;
	ret = wl_ino(c, path, &ino);
	while (!ret && off < end && !c->stop) {
		u32 n = (u32)MIN(end - off, WL_PIECE - off % WL_PIECE);

		ret = wl_write_piece(c, path, ino, off, n, seed);
		if (ret == -ENOSPC)
			wl_judge(c, ret, "fs_write", path, true);
		ret = ret < 0 ? ret : 0;
		off += n;
	}
	wl_unlock(c);
	return ret;
}

int wl_write(struct wl_ctx *c, const char *path, u64 off, u64 len, u32 seed)
{
	return wl_write_at(c, path, off, len, seed, false);
}

int wl_append(struct wl_ctx *c, const char *path, u64 len, u32 seed)
{
	return wl_write_at(c, path, 0, len, seed, true);
}

u64 wl_fill(struct wl_ctx *c, const char *path, u32 seed)
{
	u64 off = model_size(&c->m, path), start = off;
	u32 ino;
	int ret;

	if (wl_ino(c, path, &ino))
		return 0;
	for (;;) {
		ret = wl_write_piece(c, path, ino, off, WL_PIECE, seed);
		if (ret != (int)WL_PIECE || c->stop)
			break;
		off += WL_PIECE;
	}
	return off - start;
}

int wl_truncate(struct wl_ctx *c, const char *path, u64 size)
{
	u32 ino;
	int ret;

	wl_lock(c);
	ret = wl_ino(c, path, &ino);
	if (!ret) {
		ret = fs_truncate(c->fs, ino, size);
		if (wl_judge(c, ret, "fs_truncate", path, true)) {
			model_truncate(&c->m, path, size);
			c->changes++;
		}
	}
	wl_unlock(c);
	return ret;
}

int wl_unlink(struct wl_ctx *c, const char *path)
{
	return wl_path_call(c, path, fs_unlink, model_unlink, "fs_unlink");
}

int wl_rename(struct wl_ctx *c, const char *from, const char *to)
{
	int ret;

	if (c->stop)
		return -ECANCELED;
	wl_lock(c);
	ret = fs_rename(c->fs, from, to);
	if (wl_judge(c, ret, "fs_rename", from, true)) {
		model_rename(&c->m, from, to);
		c->changes++;
	}
	wl_unlock(c);
	return ret;
}

/*
 * Threaded workloads: fsync or sync returned 0, so every change made
 * before it was called (`need` of them) must be in a commit already
 * acknowledged.  (Single-threaded ones are judged by crash states alone:
 * a call that changed nothing, e.g. truncating to the same size, makes
 * no commit, so the count would not be exact there.)
 */
static void wl_check_durable(struct wl_ctx *c, u32 need, const char *what, const char *path)
{
	const struct sim_log *log = &c->r->log;

	if (!c->threaded || !c->recording || sim_fault_live(&log->fault) || need == 0)
		return;
	for (u32 i = log->c.n; i-- > 0;) {
		if (log->c.v[i].ack != SIM_NEVER && log->c.v[i].changes >= need)
			return;
	}
	rec_violation(c->r, V_EARLY_ACK,
		      "%s(%s) returned 0 before a durable commit held the %u changes before it",
		      what, path, need);
}

int wl_fsync(struct wl_ctx *c, const char *path)
{
	u32 ino, need;
	int ret;

	wl_lock(c);
	need = c->changes;
	ret = wl_ino(c, path, &ino);
	if (!ret) {
		ret = fs_fsync(c->fs, ino);
		if (wl_judge(c, ret, "fs_fsync", path, true)) {
			wl_check_durable(c, need, "fs_fsync", path);
			wl_verify(c, "after fs_fsync");
		}
	}
	wl_unlock(c);
	return ret;
}

int wl_sync(struct wl_ctx *c)
{
	u32 need;
	int ret;

	if (c->stop)
		return -ECANCELED;
	wl_lock(c);
	need = c->changes;
	ret = fs_sync(c->fs);
	if (wl_judge(c, ret, "fs_sync", "", true)) {
		wl_check_durable(c, need, "fs_sync", "");
		wl_verify(c, "after fs_sync");
	}
	wl_unlock(c);
	return ret;
}

static int wl_expect(struct wl_ctx *c, int ret, int err, const char *what, const char *path)
{
	c->calls++;
	if (ret != err && !sim_fault_live(&c->r->log.fault)) {
		rec_violation(c->r, V_WORKLOAD, "%s(%s) = %s, expected %s", what, path,
			      errno_name(ret), errno_name(err));
		c->stop = true;
	}
	return ret;
}

int wl_expect_create(struct wl_ctx *c, const char *path, int err)
{
	return c->stop ? -ECANCELED : wl_expect(c, fs_create(c->fs, path), err, "fs_create", path);
}

int wl_expect_unlink(struct wl_ctx *c, const char *path, int err)
{
	return c->stop ? -ECANCELED : wl_expect(c, fs_unlink(c->fs, path), err, "fs_unlink", path);
}

void wl_verify(struct wl_ctx *c, const char *when)
{
	struct lstate live, want;
	int err;

	if (!c->verify || c->stop)
		return;
	/* Reads only: looking must not change the order writes complete in. */
	c->r->log.reads_only = true;
	err = state_walk(c->fs, &live);
	c->r->log.reads_only = false;
	model_state(&c->m, &want);
	if (err) {
		rec_violation(c->r, V_MODEL, "walking the live tree %s: %s", when, errno_name(err));
	} else if (live.hash != want.hash) {
		rec_violation(c->r, V_MODEL, "the live tree %s is not what the calls did", when);
		printf("# live tree %s differs from the model:\n", when);
		state_print_diff(want.text, live.text, 8);
	}
	if (err || live.hash != want.hash)
		c->verify = false; /* reported once */
	free(live.text);
	free(want.text);
}
