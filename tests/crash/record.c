/*
 * tests/crash/record.c - run one workload on recording disks (engine.h).
 *
 * A run has two phases.  The pre-phase formats plain disks (and runs the
 * workload's `pre` step, and reformats for the stale-journal workload);
 * whatever it leaves is the base image, durable by decree.  The recorded
 * phase starts from copies of the base image on disks that share one
 * event log: mount (recovery of a clean image), the workload, unmount.
 *
 * The journal's hooks (jnl_config.on_commit_submit/on_commit_ack, passed
 * through fs_mount_opts) add COMMIT and ACK events to the same log; at
 * COMMIT the model's state is the state after that transaction (model.h)
 * and is interned in the run's state table.
 *
 * After the run, the protocol is checked from the log: FLUSHes per commit
 * (counted from the commit's first log write to its ACK), undrained and
 * redundant FLUSHes (the disks' counters), write buffers changed in
 * flight, and for tier E that nothing was acknowledged or reported done
 * after the injected failure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/crash/workload.h"
#include "arch/host/host.h"
#include "lib/errno.h"

static const char *const vkind_names[V_NKINDS] = {
	[V_LOST_ACKED] = "lost-acked-txn",
	[V_PARTIAL] = "partial-txn",
	[V_FUTURE] = "uncommitted-txn-visible",
	[V_MOUNT] = "recovery-error",
	[V_WALK] = "unreadable-tree",
	[V_UNMOUNT] = "unmount-error",
	[V_FSCK] = "fsck-error",
	[V_NONIDEM] = "non-idempotent-recovery",
	[V_HANG] = "recovery-hang",
	[V_DIVERGE] = "double-crash-divergence",
	[V_GARBAGE] = "garbage-accepted",
	[V_IO_ACKED] = "failed-commit-acked",
	[V_IO_SWALLOWED] = "io-error-swallowed",
	[V_WORKLOAD] = "workload-error",
	[V_MODEL] = "live-tree-differs",
	[V_MOUNT_STATE] = "clean-mount-changed-state",
	[V_UNDRAINED] = "undrained-flush",
	[V_REDUNDANT] = "redundant-flush",
	[V_FLUSH_BUDGET] = "flush-budget",
	[V_BUF_CHANGED] = "buffer-changed-in-flight",
	[V_EARLY_ACK] = "fsync-before-durable",
};

const char *vkind_name(enum vkind k)
{
	return (unsigned)k < V_NKINDS ? vkind_names[k] : "?";
}

void rec_violation(struct rec *r, enum vkind k, const char *fmt, ...)
{
	va_list ap;

	if (r->vmask & BIT(k))
		return;
	r->vmask |= BIT(k);
	va_start(ap, fmt);
	vsnprintf(r->vwhy[k], sizeof(r->vwhy[k]), fmt, ap);
	va_end(ap);
}

/* ---- hooks ----------------------------------------------------------- */

static void hook_commit_submit(void *ctx, u64 seq)
{
	struct wl_ctx *c = ctx;
	struct lstate s;

	struct sim_log *log = &c->r->log;
	u32 i;

	model_state(&c->m, &s);
	i = sim_log_commit(log, seq, state_intern(&c->r->states, &s));
	log->c.v[i].changes = c->changes;
}

static void hook_commit_ack(void *ctx, u64 seq)
{
	struct sim_log *log = &((struct wl_ctx *)ctx)->r->log;

	/* The latest commit with this sequence (a failed one is never acked). */
	for (u32 i = log->c.n; i-- > 0;) {
		if (log->c.v[i].seq == seq) {
			log->c.v[i].ack = sim_log_event(log, SIM_EV_ACK, 0, i);
			return;
		}
	}
	rec_violation(((struct wl_ctx *)ctx)->r, V_WORKLOAD,
		      "on_commit_ack(%llu) without on_commit_submit", (unsigned long long)seq);
}

/* ---- set-up ------------------------------------------------------------ */

void rig_open(struct rig *g, const struct rec *r, const struct simdisk_cfg *tmpl,
	      const char *const names[SIM_MAX_DEVS], u8 *const img[], bool adopt)
{
	g->n = r->ndev;
	for (u32 i = 0; i < g->n; i++) {
		struct simdisk_cfg cfg = *tmpl;

		cfg.name = names[i];
		cfg.block_size = r->wl->block_size;
		cfg.bytes = r->bytes[i];
		cfg.seed = tmpl->seed + i;
		cfg.dev_index = (u8)i;
		if (adopt ? simdisk_init_adopt(&g->d[i], &cfg, img[i])
			  : simdisk_init(&g->d[i], &cfg, img ? img[i] : NULL))
			abort();
		blk_init(&g->b[i], &g->d[i].dev, false);
	}
}

void rig_close(struct rig *g, u8 **keep)
{
	for (u32 i = 0; i < g->n; i++) {
		if (keep)
			keep[i] = simdisk_release(&g->d[i]);
		else
			simdisk_free(&g->d[i]);
	}
}

struct fs_mount_opts rig_mount_opts(struct rig *g, const struct rec *r)
{
	return (struct fs_mount_opts){
		.journal_dev = g->n > 1 ? &g->b[1] : NULL,
		.classic_commit = r->wl->classic,
		.data_journal = r->wl->data_journal,
		.discard = r->wl->discard,
	};
}

/* The recording disks: a run's, and the pre-phase's (blank, seed 1). */
static void rec_rig_open(struct rig *g, struct rec *r, struct sim_log *log, bool vol, u64 seed,
			 u8 *const img[])
{
	static const char *const names[SIM_MAX_DEVS] = { "simfs", "simjnl" };
	const struct simdisk_cfg tmpl = { .volatile_cache = vol,
					  .seed = seed,
					  .log = log,
					  .slow = r->wl->threads,
					  .discard = r->wl->discard };

	rig_open(g, r, &tmpl, names, img, false);
}

static void wl_uuid(const struct wl_def *wl, u32 gen, u8 uuid[OFS_UUID_BYTES])
{
	u64 h = hash64(HASH64_INIT + gen, wl->name, strlen(wl->name));

	memcpy(uuid, &h, 8);
	h = hash64(h, &gen, sizeof(gen));
	memcpy(uuid + 8, &h, 8);
}

static int rig_format(struct rig *g, struct rec *r, u32 gen)
{
	struct fs_mkfs_opts o = {
		.ninodes = r->wl->ninodes,
		.journal_blocks = r->wl->journal_blocks,
		.journal_dev = g->n > 1 ? &g->b[1] : NULL,
		/*
		 * The rig's own simulated disks; workloads such as
		 * stale-journal reformat over an earlier generation on
		 * purpose, which the format policy would refuse.
		 */
		.force = true,
	};
	int err;

	wl_uuid(r->wl, gen, o.uuid);
	err = fs_format(&g->b[0], &o);
	if (err)
		rec_violation(r, V_WORKLOAD, "fs_format = %s", errno_name(err));
	return err;
}

static int rig_mount(struct rig *g, struct rec *r, struct wl_ctx *hooks, struct fs **fs)
{
	struct fs_mount_opts o = rig_mount_opts(g, r);
	int err;

	if (hooks) {
		o.on_commit_submit = hook_commit_submit;
		o.on_commit_ack = hook_commit_ack;
		o.hook_ctx = hooks;
		if (hooks->threaded)
			o.lock = &hooks->lock;
	}
	err = fs_mount(&g->b[0], &o, NULL, fs);
	if (err)
		rec_violation(r, V_MOUNT, "fs_mount = %s: %s", errno_name(err), host_console_last);
	return err;
}

/* The pre-phase: format, optional pre step (and reformat), base image. */
static int rec_prephase(struct rec *r, struct wl_ctx *c)
{
	struct rig g;
	int err;

	rec_rig_open(&g, r, NULL, false, 1, NULL);
	err = rig_format(&g, r, 0);
	if (!err && r->wl->pre) {
		err = rig_mount(&g, r, NULL, &c->fs);
		if (!err) {
			r->wl->pre(c);
			err = fs_unmount(c->fs);
			c->fs = NULL;
			if (err)
				rec_violation(r, V_WORKLOAD, "pre-phase fs_unmount = %s",
					      errno_name(err));
			if (c->stop)
				err = -EIO;
		}
		if (!err && r->wl->reformat) {
			err = rig_format(&g, r, 1);
			model_free(&c->m);
			model_init(&c->m);
		}
	}
	rig_close(&g, r->base);
	return err;
}

static void rec_layout(struct rec *r)
{
	const struct ofs_super *sb = (const struct ofs_super *)r->base[0];

	if (le64_to_cpu(sb->magic) != OFS_SUPER_MAGIC)
		return;
	r->lay = (struct layout){
		.valid = true,
		.journal_start = le64_to_cpu(sb->journal_start),
		.journal_blocks = le32_to_cpu(sb->journal_blocks),
		.bitmap_start = le64_to_cpu(sb->bitmap_start),
		.inode_start = le64_to_cpu(sb->inode_start),
		.data_start = le64_to_cpu(sb->data_start),
	};
}

/* ---- protocol checks after the run ----------------------------------- */

static bool rec_is_log_write(const struct rec *r, const struct sim_write *w)
{
	u32 jdev = r->ndev - 1;
	u64 blk = w->sector / (OFS_BLOCK_SIZE / BLK_SECTOR_SIZE);

	return r->lay.valid && w->dev == jdev && blk > r->lay.journal_start &&
	       blk < r->lay.journal_start + r->lay.journal_blocks;
}

/* FLUSHes from each commit's first log write to its ACK. */
static void rec_flush_figures(struct rec *r)
{
	const struct sim_log *log = &r->log;
	u32 from = 0, total = 0;

	for (u32 i = 0; i < log->c.n; i++) {
		const struct sim_commit *cm = &log->c.v[i];
		u32 start = SIM_NEVER, n = 0;

		if (cm->ack == SIM_NEVER)
			continue;
		for (u32 e = from; e < cm->ack; e++) {
			const struct sim_ev *ev = &log->ev.v[e];

			if (start == SIM_NEVER && ev->kind == SIM_EV_WSUB &&
			    rec_is_log_write(r, &log->w.v[ev->ref]))
				start = e;
			if (start != SIM_NEVER && ev->kind == SIM_EV_FSUB)
				n++;
		}
		from = cm->ack;
		total += n;
		r->commits++;
		r->max_flushes_per_commit = MAX(r->max_flushes_per_commit, n);
	}
	r->commit_flushes = total;
}

static void rec_protocol(struct rec *r)
{
	const struct sim_fault *f = &r->log.fault;
	u32 budget = wl_flush_budget(r->wl);
	u64 undrained = 0, redundant = 0;

	rec_flush_figures(r);
	for (u32 i = 0; i < r->ndev; i++) {
		undrained += r->dc[i].undrained_flushes;
		redundant += r->dc[i].redundant_flushes;
	}
	if (r->max_flushes_per_commit > budget)
		rec_violation(r, V_FLUSH_BUDGET, "a commit sent %u FLUSHes (allowed: %u)",
			      r->max_flushes_per_commit, budget);
	if (undrained)
		rec_violation(r, V_UNDRAINED, "%llu FLUSHes submitted with writes in flight",
			      (unsigned long long)undrained);
	if (redundant && !f->k)
		rec_violation(r, V_REDUNDANT, "%llu FLUSHes with nothing completed since the last",
			      (unsigned long long)redundant);
	if (r->log.buf_changed)
		rec_violation(r, V_BUF_CHANGED, "write #%u: buffer changed before completion",
			      r->log.buf_changed_write);
	if (!sim_fault_live(f))
		return;
	for (u32 i = 0; i < r->log.c.n; i++) {
		if (r->log.c.v[i].ack != SIM_NEVER && r->log.c.v[i].ack > f->done_ev)
			rec_violation(r, V_IO_ACKED, "commit %llu acknowledged after the failed %s",
				      (unsigned long long)r->log.c.v[i].seq,
				      f->op == BLK_OP_WRITE ? "write" : "flush");
	}
	if (!r->errors_after_fault)
		rec_violation(r, V_IO_SWALLOWED, "no call failed after the injected %s error",
			      errno_name(f->err));
}

/* ---- the run ------------------------------------------------------------ */

int rec_run(const struct wl_def *wl, u64 seed, const struct sim_fault *fault, struct rec *r)
{
	struct wl_ctx c = { .r = r, .buf = malloc(WL_BUF_BYTES) };
	struct lstate s;
	struct rig g;
	int err;

	memset(r, 0, sizeof(*r));
	r->wl = wl;
	r->ndev = wl->jdisk_kib ? 2 : 1;
	r->bytes[0] = (u64)wl->disk_kib << 10;
	r->bytes[1] = (u64)wl->jdisk_kib << 10;
	r->vol = wl->cache;
	if (!c.buf)
		abort();
	host_console_quiet = true;
	model_init(&c.m);
	err = rec_prephase(r, &c);
	rec_layout(r);
	model_state(&c.m, &s);
	r->init_state = state_intern(&r->states, &s);
	if (err)
		goto out;

	/* The recorded phase. */
	if (fault && fault->k) {
		r->log.fault = *fault;
		r->log.fault.fired = false;
		r->log.fault.advisory = false;
	}
	r->log.fault.done_ev = SIM_NEVER;
	rec_rig_open(&g, r, &r->log, wl->cache, seed, r->base);
	c.threaded = wl->threads;
	mutex_init(&c.lock);
	err = rig_mount(&g, r, &c, &c.fs);
	if (!err) {
		c.recording = true;
		c.verify = !(fault && fault->k);
		wl_verify(&c, "after mounting the base image");
		if (r->vmask & BIT(V_MODEL)) {
			/* Name it for what it is: the clean mount changed things. */
			rec_violation(r, V_MOUNT_STATE, "%s", r->vwhy[V_MODEL]);
			r->vmask &= ~BIT(V_MODEL);
		}
		wl->run(&c);
		wl_verify(&c, "at the end");
		r->jstats = *fs_jnl_stats(c.fs);
		err = fs_unmount(c.fs);
		c.fs = NULL;
		if (err && !sim_fault_live(&r->log.fault))
			rec_violation(r, V_WORKLOAD, "fs_unmount = %s", errno_name(err));
		else if (err)
			r->errors_after_fault++;
		err = 0;
	}
	for (u32 i = 0; i < g.n; i++)
		r->dc[i] = g.d[i].st;
	rig_close(&g, NULL);
	rec_protocol(r);
out:
	model_free(&c.m);
	free(c.buf);
	return err;
}

void rec_free(struct rec *r)
{
	for (u32 i = 0; i < SIM_MAX_DEVS; i++)
		sim_buf_free(r->base[i], r->bytes[i]);
	sim_log_free(&r->log);
	state_tab_free(&r->states);
	memset(r, 0, sizeof(*r));
}

/*
 * Tier D: record the recovery of `img` (mount, walk, unmount) on disks
 * like the run's, from `img` as the base image.  The state recovery gave
 * is rr->init_state.  0 or the mount's -errno (rr->vwhy says more).
 */
int rec_recovery(const struct rec *parent, u8 *const img[], u64 seed, struct rec *rr)
{
	struct lstate s;
	struct fs *fs;
	struct rig g;
	int err;

	memset(rr, 0, sizeof(*rr));
	rr->wl = parent->wl;
	rr->ndev = parent->ndev;
	rr->vol = parent->vol;
	rr->lay = parent->lay;
	for (u32 i = 0; i < rr->ndev; i++) {
		rr->bytes[i] = parent->bytes[i];
		rr->base[i] = sim_buf_alloc(rr->bytes[i]);
		memcpy(rr->base[i], img[i], rr->bytes[i]);
	}
	host_console_quiet = true;
	rec_rig_open(&g, rr, &rr->log, rr->vol, seed, rr->base);
	err = rig_mount(&g, rr, NULL, &fs);
	if (!err) {
		err = state_walk(fs, &s);
		if (err)
			rec_violation(rr, V_WALK, "walking the recovered tree: %s",
				      errno_name(err));
		else
			rr->init_state = state_intern(&rr->states, &s);
		err = fs_unmount(fs);
		if (err)
			rec_violation(rr, V_UNMOUNT, "fs_unmount after recovery = %s",
				      errno_name(err));
	}
	for (u32 i = 0; i < g.n; i++)
		rr->dc[i] = g.d[i].st;
	rig_close(&g, NULL);
	return err;
}
