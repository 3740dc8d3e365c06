/*
 * tests/crash/check.c - recover one crash image and judge what comes back.
 *
 * The image goes onto fresh disks without a volatile cache (every write
 * durable when it completes: recovery's own crashes are tier D's business)
 * and is put through:
 *
 *   1. fs_mount (journal recovery)             CK_MOUNT on failure
 *   2. walk the whole tree (state.h)           CK_WALK
 *   3. fs_unmount                              CK_UNMOUNT
 *   4. fs_fsck: must report 0 problems         CK_FSCK
 *   5. fs_mount + fs_unmount again: the image
 *      must not change (recovery idempotent)   CK_NONIDEM
 *
 * A disk that sees more than CHECK_MAX_REQUESTS requests dies, so a
 * recovery that loops on I/O ends as CK_HANG instead of running forever
 * (main.c also arms a wall-clock alarm for loops without I/O).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/crash/engine.h"
#include "arch/host/host.h"
#include "lib/errno.h"

#define CHECK_MAX_REQUESTS 400000u

/* Fresh disks without a cache over the image, taken over. */
static void ck_open(struct rig *g, const struct rec *r, u8 *img[])
{
	static const char *const names[SIM_MAX_DEVS] = { "ckfs", "ckjnl" };
	const struct simdisk_cfg tmpl = { .seed = 77,
					  .max_requests = CHECK_MAX_REQUESTS,
					  .discard = r->wl->discard };

	rig_open(g, r, &tmpl, names, img, true);
}

static bool ck_hung(const struct rig *g)
{
	for (u32 i = 0; i < g->n; i++) {
		if (g->d[i].hung)
			return true;
	}
	return false;
}

static int ck_mount(struct rig *g, const struct rec *r, struct jnl_recovery *rep, struct fs **fs)
{
	struct fs_mount_opts o = rig_mount_opts(g, r);

	return fs_mount(&g->b[0], &o, rep, fs);
}

static int ck_fail(struct outcome *o, u8 kind, int err)
{
	o->kind = kind;
	o->err = err;
	snprintf(o->msg, sizeof(o->msg), "%.150s", host_console_last);
	o->msg[strcspn(o->msg, "\n")] = '\0';
	return err;
}

/* Steps 1-4. */
static int ck_recover(struct rig *g, struct rec *r, struct outcome *o)
{
	struct jnl_recovery rep = { 0 };
	struct lstate s;
	struct fs *fs;
	int err, n;

	err = ck_mount(g, r, &rep, &fs);
	if (err)
		return ck_fail(o, CK_MOUNT, err);
	o->replayed = rep.transactions;
	err = state_walk(fs, &s);
	if (err) {
		fs_unmount(fs);
		return ck_fail(o, CK_WALK, err);
	}
	o->state = state_intern(&r->states, &s);
	err = fs_unmount(fs);
	if (err)
		return ck_fail(o, CK_UNMOUNT, err);
	n = fs_fsck(&g->b[0], g->n > 1 ? &g->b[1] : NULL, true);
	if (n)
		return ck_fail(o, CK_FSCK, n);
	return 0;
}

/* Step 5: a second recovery of the recovered image changes nothing. */
static void ck_idempotent(struct rig *g, struct rec *r, struct outcome *o)
{
	u8 *copy[SIM_MAX_DEVS];
	struct fs *fs;
	int err;

	for (u32 i = 0; i < g->n; i++) {
		copy[i] = sim_buf_alloc(r->bytes[i]);
		memcpy(copy[i], g->d[i].media, r->bytes[i]);
	}
	err = ck_mount(g, r, NULL, &fs);
	if (!err)
		err = fs_unmount(fs);
	if (err) {
		ck_fail(o, CK_NONIDEM, err);
	} else {
		for (u32 i = 0; i < g->n; i++) {
			if (memcmp(copy[i], g->d[i].media, r->bytes[i])) {
				ck_fail(o, CK_NONIDEM, 0);
				break;
			}
		}
	}
	for (u32 i = 0; i < g->n; i++)
		sim_buf_free(copy[i], r->bytes[i]);
}

void check_image(struct rec *r, u8 *img[], struct outcome *out, u8 **after)
{
	struct rig g;

	memset(out, 0, sizeof(*out));
	host_console_quiet = true;
	host_console_last[0] = '\0';
	ck_open(&g, r, img);
	if (!ck_recover(&g, r, out))
		ck_idempotent(&g, r, out);
	if (ck_hung(&g))
		out->kind = CK_HANG;
	rig_close(&g, after);
}

void check_explain(struct rec *r, u8 *img[])
{
	struct rig g;
	struct fs *fs;

	ck_open(&g, r, img);
	if (!ck_mount(&g, r, NULL, &fs) && !fs_unmount(fs)) {
		printf("#   fs_fsck says:\n");
		fflush(stdout);
		host_console_quiet = false;
		fs_fsck(&g.b[0], g.n > 1 ? &g.b[1] : NULL, false);
		host_console_quiet = true;
	}
	rig_close(&g, NULL);
}

enum vkind outcome_vkind(const struct outcome *o)
{
	switch (o->kind) {
	case CK_MOUNT: return V_MOUNT;
	case CK_WALK: return V_WALK;
	case CK_UNMOUNT: return V_UNMOUNT;
	case CK_FSCK: return V_FSCK;
	case CK_NONIDEM: return V_NONIDEM;
	case CK_HANG: return V_HANG;
	default: return V_NKINDS;
	}
}
