/*
 * tests/crash/model.h - what the tree should look like: a model a workload
 * updates after every filesystem call that succeeded.
 *
 * Why a model and not a walk of the live filesystem: a call's changes sit
 * in the block cache, where ordofs's own reads already see them, before
 * the journal hears of them, and a commit to make room for the call
 * (fs_op.c) runs in between.  A walk from the hook would see a call that
 * is not in the transaction.  The
 * model changes only when a call returns, so at any hook it is exactly the
 * state the committing transaction carries (workload calls are kept to one
 * journal operation each; see workloads.c).  The live tree is compared
 * with the model at every fsync/sync, so the model cannot drift unseen.
 */
#ifndef ORDO_TESTS_CRASH_MODEL_H
#define ORDO_TESTS_CRASH_MODEL_H

#include "tests/crash/state.h"

struct model_node {
	char *path; /* absolute, no trailing '/'; "/" for the root */
	u8 type;    /* OFS_TYPE_FILE or OFS_TYPE_DIR */
	u8 *data;   /* file contents (size bytes) */
	u64 size, cap;
	u64 hash; /* of the contents, when hash_ok */
	bool hash_ok;
};

struct model {
	struct model_node *v;
	u32 n, cap;
};

/* An empty filesystem: the root directory only. */
void model_init(struct model *m);
void model_free(struct model *m);

/* Apply a call that succeeded.  Paths must be canonical (as the calls). */
void model_create(struct model *m, const char *path);
void model_mkdir(struct model *m, const char *path);
void model_write(struct model *m, const char *path, u64 off, const void *buf, u64 len);
void model_truncate(struct model *m, const char *path, u64 size);
void model_unlink(struct model *m, const char *path);
void model_rename(struct model *m, const char *from, const char *to);

/* Size of a file (0 if it does not exist). */
u64 model_size(const struct model *m, const char *path);

/* The logical state (state.h format). */
void model_state(struct model *m, struct lstate *out);

#endif
