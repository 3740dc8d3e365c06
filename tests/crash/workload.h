/*
 * tests/crash/workload.h - the vocabulary workloads are written in.
 *
 * Each helper makes one filesystem call (or a few, see wl_write), checks
 * its result and, when it succeeded, applies it to the model (model.h).
 * An unexpected error is a V_WORKLOAD violation and stops the workload;
 * after an injected I/O error (tier E) errors are expected instead, and a
 * call that still succeeds is a V_IO_SWALLOWED violation.
 *
 * Threaded workloads (wl_def.threads) use create, mkdir, unlink, rename,
 * write, append, truncate, fsync and sync, which hold wl_ctx.lock; fsync
 * and sync there also check that they returned only once a commit holding
 * every earlier change was acknowledged (V_EARLY_ACK).
 *
 * Every helper call is at most one journal operation, so that the model is
 * exact at every commit hook: wl_write() splits its data into pieces that
 * never cross a block boundary, because fs_write() may cut anything larger
 * into several operations (chunks sized to the journal, and block by block
 * near -ENOSPC) and a commit between two of them would show half a call.
 */
#ifndef ORDO_TESTS_CRASH_WORKLOAD_H
#define ORDO_TESTS_CRASH_WORKLOAD_H

#include "lib/sched.h"
#include "tests/crash/engine.h"
#include "tests/crash/model.h"

#define WL_PIECE OFS_BLOCK_SIZE
#define WL_BUF_BYTES (1u << 20)

struct wl_ctx {
	struct rec *r;
	struct fs *fs;
	struct model m;
	bool recording; /* false in the pre-phase */
	bool verify;	/* compare the live tree with the model at each sync */
	bool stop;	/* an unexpected error: the rest is skipped */
	u8 *buf;	/* WL_BUF_BYTES of scratch */
	u32 calls;
	u32 changes; /* calls that changed the tree so far */
	u32 last_commit_flushes;
	/*
	 * Threaded workloads (wl_def.threads): every helper holds `lock`
	 * around its filesystem call and the model's step; the filesystem
	 * is mounted with it, so fsync lets other threads in while its
	 * commit's FLUSH is in flight (group commit).
	 */
	bool threaded;
	struct mutex lock;
};

/* Deterministic contents: `len` bytes for (seed, offset) into c->buf. */
const u8 *wl_pattern(struct wl_ctx *c, u32 seed, u64 off, u32 len);

int wl_create(struct wl_ctx *c, const char *path);
int wl_mkdir(struct wl_ctx *c, const char *path);
/* Write `len` bytes of pattern `seed` at `off` (in WL_PIECE pieces). */
int wl_write(struct wl_ctx *c, const char *path, u64 off, u64 len, u32 seed);
int wl_append(struct wl_ctx *c, const char *path, u64 len, u32 seed);
int wl_truncate(struct wl_ctx *c, const char *path, u64 size);
int wl_unlink(struct wl_ctx *c, const char *path);
int wl_rename(struct wl_ctx *c, const char *from, const char *to);
int wl_fsync(struct wl_ctx *c, const char *path);
int wl_sync(struct wl_ctx *c);
/* A call expected to fail with `err` (e.g. -ENOENT): anything else is a
 * violation.  Returns what the call returned. */
int wl_expect_create(struct wl_ctx *c, const char *path, int err);
int wl_expect_unlink(struct wl_ctx *c, const char *path, int err);
/* Append in WL_PIECE pieces until -ENOSPC: the bytes written. */
u64 wl_fill(struct wl_ctx *c, const char *path, u32 seed);

/* Compare the live tree with the model (V_MODEL on a difference). */
void wl_verify(struct wl_ctx *c, const char *when);

#endif
