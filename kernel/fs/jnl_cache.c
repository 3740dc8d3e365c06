/*
 * kernel/fs/jnl_cache.c - the block cache under the journal.
 *
 * Every filesystem block the fs touches lives in a struct jbuf found by a
 * hash of its block number.  A buffer is pinned while it is referenced,
 * part of the running transaction (in_txn) or committed but not yet written
 * home (committed): the log only holds what those buffers say, so they are
 * the only copy of the newest state.  Everything else is clean and sits on
 * an LRU list, from which the oldest is dropped once more than cache_limit
 * clean buffers are kept.  Single-threaded.
 */
#include "kernel/fs/jnl_priv.h"

#include "lib/errno.h"
#include "lib/heap.h"
#include "lib/printf.h"
#include "lib/string.h"

static u32 jnl_hash(u64 blockno)
{
	return (u32)((blockno * 0x9e3779b97f4a7c15ull) >> 54) % JNL_HASH_BUCKETS;
}

static struct jbuf *jnl_lookup(struct jnl *j, u64 blockno)
{
	for (struct jbuf *b = j->hash[jnl_hash(blockno)]; b; b = b->hash_next) {
		if (b->blockno == blockno)
			return b;
	}
	return NULL;
}

static void jnl_buf_free(struct jnl *j, struct jbuf *b)
{
	struct jbuf **pp = &j->hash[jnl_hash(b->blockno)];

	while (*pp != b)
		pp = &(*pp)->hash_next;
	*pp = b->hash_next;
	kfree(b->data);
	kfree(b);
}

void jnl_lru_remove(struct jnl *j, struct jbuf *b)
{
	if (b->lru_prev)
		b->lru_prev->lru_next = b->lru_next;
	else
		j->lru_first = b->lru_next;
	if (b->lru_next)
		b->lru_next->lru_prev = b->lru_prev;
	else
		j->lru_last = b->lru_prev;
	b->lru_prev = b->lru_next = NULL;
	j->lru_count--;
}

void jnl_lru_add(struct jnl *j, struct jbuf *b)
{
	b->lru_prev = NULL;
	b->lru_next = j->lru_first;
	if (j->lru_first)
		j->lru_first->lru_prev = b;
	else
		j->lru_last = b;
	j->lru_first = b;
	j->lru_count++;
	while (j->lru_count > j->cache_limit) {
		struct jbuf *old = j->lru_last;

		jnl_lru_remove(j, old);
		jnl_buf_free(j, old);
	}
}

static bool jnl_on_lru(const struct jnl *j, const struct jbuf *b)
{
	return b->lru_prev || b->lru_next || j->lru_first == b;
}

/* Find or create the buffer for `blockno`; *fresh says it was created. */
static int jnl_get(struct jnl *j, u64 blockno, struct jbuf **out, bool *fresh)
{
	const struct blk_dev_info *info = blk_info(j->cfg.fsdev);
	struct jbuf *b = jnl_lookup(j, blockno);
	u32 h;

	*fresh = false;
	if (b) {
		if (jnl_on_lru(j, b))
			jnl_lru_remove(j, b);
		b->refs++;
		*out = b;
		return 0;
	}
	if (blockno >= info->capacity / JNL_SECTORS_PER_BLOCK)
		return -ERANGE;
	b = kmalloc(sizeof(*b));
	if (b)
		b->data = kmalloc(OFS_BLOCK_SIZE);
	if (!b || !b->data) {
		kfree(b);
		return -ENOMEM;
	}
	b->blockno = blockno;
	b->refs = 1; /* every other field zero (kmalloc), verified false */
	h = jnl_hash(blockno);
	b->hash_next = j->hash[h];
	j->hash[h] = b;
	*fresh = true;
	*out = b;
	return 0;
}

int jnl_bread(struct jnl *j, u64 blockno, struct jbuf **out)
{
	bool fresh;
	int err = jnl_get(j, blockno, out, &fresh);

	if (err || !fresh)
		return err;
	err = blk_read(j->cfg.fsdev, blockno * JNL_SECTORS_PER_BLOCK, (*out)->data, OFS_BLOCK_SIZE);
	if (err) {
		jnl_buf_free(j, *out);
		*out = NULL;
	}
	return err;
}

int jnl_bget_noread(struct jnl *j, u64 blockno, struct jbuf **out)
{
	bool fresh;

	return jnl_get(j, blockno, out, &fresh);
}

int jnl_bnew(struct jnl *j, u64 blockno, struct jbuf **out)
{
	bool fresh;
	int err = jnl_get(j, blockno, out, &fresh);

	/* A buffer just made is zeroed already (kmalloc). */
	if (!err && !fresh)
		memset((*out)->data, 0, OFS_BLOCK_SIZE);
	if (!err) {
		(*out)->verified = true; /* its contents are the caller's */
		/* Whatever it was before, it is not stamped as that any more. */
		(*out)->meta = false;
	}
	return err;
}

void jnl_bforget(struct jnl *j, struct jbuf *b)
{
	BUG_ON(b->refs == 0);
	if (--b->refs == 0 && !b->in_txn && !b->committed)
		jnl_buf_free(j, b);
}

void jnl_brelse(struct jnl *j, struct jbuf *b)
{
	if (!b)
		return;
	BUG_ON(b->refs == 0);
	if (--b->refs == 0 && !b->in_txn && !b->committed)
		jnl_lru_add(j, b);
}

void jnl_cache_destroy(struct jnl *j)
{
	for (u32 i = 0; i < JNL_HASH_BUCKETS; i++) {
		while (j->hash[i])
			jnl_buf_free(j, j->hash[i]);
	}
	j->lru_first = j->lru_last = NULL;
	j->lru_count = 0;
}
