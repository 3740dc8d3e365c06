/*
 * tests/crash/engine.h - the crash-state engine's shared definitions.
 *
 * Data flow (docs/crash-engine.md has the long version):
 *
 *   workloads.c  a table of scripted workloads; each runs against a live
 *                ordofs and keeps a model of the tree (model.h)
 *   record.c     rec_run(): format, mount on recording simdisks, run the
 *                workload, unmount; the journal's hooks stamp each commit
 *                with the model's state -> struct rec
 *   enum.c       epochs, durable and pending sets, crash images (tiers A-C)
 *   check.c      mount an image, walk it, unmount, fsck, remount: outcome
 *   tiers_abc.c  tiers A-C: subsets, torn writes, garbage sectors (tiers.h)
 *   tiers_de.c   tiers D (a crash during recovery) and E (I/O errors)
 *   judge.c      a crash state against the oracle
 *   main.c       workloads x tiers, TAP, mutants, figures
 */
#ifndef ORDO_TESTS_CRASH_ENGINE_H
#define ORDO_TESTS_CRASH_ENGINE_H

#include "tests/crash/simdisk.h"
#include "tests/crash/state.h"

/* ---- mutants (kernel/fs/jnl_mutant.h, one selected per build) -------- */

enum {
	MUT_NO_DRAIN = 1u << 0,
	MUT_NO_FLUSH_BEFORE_COMMIT = 1u << 1,
	MUT_NO_FLUSH_AFTER_COMMIT = 1u << 2,
	MUT_COMMIT_FIRST = 1u << 3,
	MUT_NO_CSUM_VERIFY = 1u << 4,
	MUT_CSUM_SKIPS_BLOCK = 1u << 5,
	MUT_TAIL_EARLY = 1u << 6,
	MUT_REUSE_EARLY = 1u << 7,
	MUT_SEQ_WRAP = 1u << 8,
	MUT_STALE_UUID = 1u << 9,
	MUT_COMMIT_BEFORE_DATA = 1u << 10,
	MUT_NO_DATA_CHECK = 1u << 11,
	MUT_DATA_CHECK_ALL = 1u << 12,
	MUT_OVERWRITE_IN_PLACE = 1u << 13,
	MUT_DELTA_NO_RESTAMP = 1u << 14,
	MUT_REUSE_BEFORE_CKPT = 1u << 15,
	MUT_DELTA_FIRST = 1u << 16,
	MUT_GC_EARLY_ACK = 1u << 17,
	MUT_GC_RUNNING_LOST = 1u << 18,
	MUT_GC_UNLOCK_EARLY = 1u << 19,
	MUT_DISCARD_EARLY = 1u << 20,
	MUT_DISCARD_NO_CKPT = 1u << 21,
};

/* ---- workloads ------------------------------------------------------- */

struct wl_ctx;
typedef void (*wl_fn)(struct wl_ctx *c);

struct wl_def {
	const char *name;
	wl_fn run;	    /* recorded */
	wl_fn pre;	    /* optional: before the base image, not recorded */
	u32 block_size;	    /* logical block size of the disks: 512 or 4096 */
	u32 disk_kib;	    /* filesystem device */
	u32 jdisk_kib;	    /* external journal device; 0: internal journal */
	u32 journal_blocks; /* 0: fs_format's default */
	u32 ninodes;	    /* 0: fs_format's default */
	bool cache;	    /* volatile write cache */
	bool classic;	    /* classic (two-FLUSH) commits */
	bool data_journal;  /* mount with data=journal (default data=ordered) */
	bool reformat;	    /* format again after `pre` (stale journal) */
	bool threads;	    /* several threads (lib/sched.h): fs calls under a lock */
	bool discard;	    /* disks offer DISCARD; mounted with online discard */
	u32 mutants;	    /* MUT_* this workload is meant to expose */
	u32 cost;	    /* share of the state budget, percent (0: 100) */
};

/*
 * FLUSHes one commit may send: one per sync of a device with a volatile
 * cache (two syncs in a classic commit); a data=ordered commit with an
 * external journal syncs the filesystem device too, for the new blocks it
 * wrote home.
 */
static inline u32 wl_flush_budget(const struct wl_def *wl)
{
	if (!wl->cache)
		return 0;
	return (wl->classic ? 2 : 1) + (wl->jdisk_kib && !wl->data_journal ? 1 : 0);
}

extern const struct wl_def wl_table[];
extern const u32 wl_count;

/* ---- violations ------------------------------------------------------ */

enum vkind {
	V_LOST_ACKED,	/* an acknowledged transaction is missing */
	V_PARTIAL,	/* a state that is no transaction's */
	V_FUTURE,	/* a transaction whose commit was never submitted */
	V_MOUNT,	/* recovery (mount) failed */
	V_WALK,		/* the recovered tree cannot be read */
	V_UNMOUNT,	/* unmount after recovery failed */
	V_FSCK,		/* fs_fsck found problems */
	V_NONIDEM,	/* recovering twice changed the image */
	V_HANG,		/* recovery did not finish */
	V_DIVERGE,	/* double crash: not the state recovery gave */
	V_GARBAGE,	/* tier C: a garbage sector made recovery go wrong */
	V_IO_ACKED,	/* a commit acknowledged after its I/O failed */
	V_IO_SWALLOWED, /* an I/O error no call reported */
	V_WORKLOAD,	/* an fs call failed unexpectedly */
	V_MODEL,	/* the live tree is not what the calls said */
	V_MOUNT_STATE,	/* a clean mount changed the logical state */
	V_UNDRAINED,	/* a FLUSH submitted while a write was in flight */
	V_REDUNDANT,	/* a FLUSH with nothing to cover */
	V_FLUSH_BUDGET, /* more FLUSHes per commit than the mode allows */
	V_BUF_CHANGED,	/* a write buffer changed while in flight */
	V_EARLY_ACK,	/* fsync/sync returned before its changes were durable */
	V_NKINDS
};

const char *vkind_name(enum vkind k);

/* ---- a recorded run -------------------------------------------------- */

/* Where things are on the filesystem device (for counterexamples). */
struct layout {
	bool valid;
	u64 journal_start, journal_blocks, bitmap_start, inode_start, data_start;
};

struct rec {
	const struct wl_def *wl;
	u32 ndev; /* 1, or 2 with an external journal */
	u64 bytes[SIM_MAX_DEVS];
	u8 *base[SIM_MAX_DEVS]; /* the images the recording started from */
	bool vol;		/* the disks have a volatile cache */
	struct sim_log log;
	struct state_tab states; /* expected and found states */
	u32 init_state;		 /* before the first recorded commit */
	struct layout lay;
	/* Protocol figures of the run. */
	struct sim_counters dc[SIM_MAX_DEVS];
	u64 commits, commit_flushes;
	u32 max_flushes_per_commit;
	struct jnl_stats jstats; /* the journal's own figures, before unmount */
	/* Problems found while running (not crash states). */
	u32 vmask;		  /* V_* bits */
	char vwhy[V_NKINDS][160]; /* first of each */
	/* Tier E: how the calls fared after the injected fault. */
	u32 errors_after_fault;
	u32 syncs_ok_after_fault;
};

/*
 * Run workload `wl` on recording disks seeded with `seed`, with `fault`
 * injected (NULL or k == 0: none).  0, or -errno if the run could not even
 * start (format or mount of the base image failed: then r->vwhy says so).
 */
int rec_run(const struct wl_def *wl, u64 seed, const struct sim_fault *fault, struct rec *r);
void rec_free(struct rec *r);
/* Tier D: record the recovery of `img` on disks like the run's; the state
 * it gave is rr->init_state.  0 or the mount's -errno. */
int rec_recovery(const struct rec *parent, u8 *const img[], u64 seed, struct rec *rr);
void rec_violation(struct rec *r, enum vkind k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- the simulated disks of a run or a check -------------------------- */

struct rig {
	struct simdisk d[SIM_MAX_DEVS];
	struct blk b[SIM_MAX_DEVS];
	u32 n;
};

/*
 * Open r->ndev disks of the run's sizes and block size, each configured
 * as `tmpl` but named names[i], seeded tmpl->seed + i and numbered i in
 * the log, with a block layer on each.  Their media: a copy of img[i]
 * (blank without `img`), or img[i] itself, taken over, if `adopt`.
 */
void rig_open(struct rig *g, const struct rec *r, const struct simdisk_cfg *tmpl,
	      const char *const names[SIM_MAX_DEVS], u8 *const img[], bool adopt);

/* Free the disks, or hand their media over in keep[i] (malloc'd). */
void rig_close(struct rig *g, u8 **keep);

/* How the run mounts the rig's filesystem: journal device, commit mode. */
struct fs_mount_opts rig_mount_opts(struct rig *g, const struct rec *r);

/* ---- checking one crash image ---------------------------------------- */

enum ck_kind { CK_OK, CK_MOUNT, CK_WALK, CK_UNMOUNT, CK_FSCK, CK_NONIDEM, CK_HANG };

struct outcome {
	u8 kind;       /* CK_* */
	int err;       /* the failing call's -errno, or fsck's count */
	u32 state;     /* found state (index in rec->states) when CK_OK..FSCK */
	u64 replayed;  /* transactions recovery replayed */
	char msg[160]; /* the last console message, for CK_* != OK */
};

/*
 * Recover the image `img` (one buffer per device, malloc'd, taken over and
 * freed) on fresh non-volatile disks: mount, walk, unmount, fsck, then
 * mount and unmount again and compare.  The recovered image is left in
 * *after (malloc'd per device) if `after` is not NULL.
 */
void check_image(struct rec *r, u8 *img[], struct outcome *out, u8 **after);

/* Recover `img` (taken over) again and let fs_fsck print its findings. */
void check_explain(struct rec *r, u8 *img[]);

/* The V_* a non-OK outcome stands for. */
enum vkind outcome_vkind(const struct outcome *o);

#endif
