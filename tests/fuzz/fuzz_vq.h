/*
 * tests/fuzz/fuzz_vq.h - what the virtqueue fuzz targets (fuzz_virtqueue.c
 * for split rings, fuzz_virtqueue_packed.c for packed ones) share: the
 * reader of the input script, and the harness's own books of what is in
 * flight, against which every answer of the driver is checked (abort()
 * on any difference, which libFuzzer reports as a crash).
 */
#ifndef ORDO_FUZZ_VQ_H
#define ORDO_FUZZ_VQ_H

#include <stdlib.h>

#include "drivers/virtio/virtqueue.h"
#include "lib/errno.h"

#define FVQ_MAX_NUM 256u
#define FVQ_MAX_CHAIN 12u

/* The rest of the input: each read takes bytes off the front, 0 past the end. */
struct fvq_script {
	const u8 *in;
	size_t left;
};

static inline u8 fvq_byte(struct fvq_script *s)
{
	if (!s->left)
		return 0;
	s->left--;
	return *s->in++;
}

static inline u16 fvq_u16(struct fvq_script *s)
{
	return (u16)(fvq_byte(s) | fvq_byte(s) << 8);
}

static inline u32 fvq_u32(struct fvq_script *s)
{
	return fvq_u16(s) | (u32)fvq_u16(s) << 16;
}

/* One token per possible in-flight chain; its state is the harness's. */
struct fvq_token {
	bool inflight;
	u16 ndescs; /* ring descriptors (split) or slots (packed) it holds */
	u32 in_len;
};

struct fvq_books {
	struct fvq_token tok[FVQ_MAX_NUM];
	u16 num; /* the ring's size */
	unsigned inflight, used_descs;
};

static inline void fvq_notify(struct virtq *vq)
{
	(void)vq;
}

/* The driver's books must match ours after every step. */
static inline void fvq_check(const struct virtq *vq, const struct fvq_books *b)
{
	if (vq->inflight != b->inflight || vq->num_free != b->num - b->used_descs)
		abort();
}

/* A free token, or NULL when every one is in flight (the ring is full). */
static inline struct fvq_token *fvq_free_token(struct fvq_books *b)
{
	for (unsigned i = 0; i < b->num; i++)
		if (!b->tok[i].inflight)
			return &b->tok[i];
	return NULL;
}

/* A token the driver handed back must be one of ours and in flight. */
static inline struct fvq_token *fvq_token_of(struct fvq_books *b, void *token)
{
	struct fvq_token *t = token;

	if ((uintptr_t)t < (uintptr_t)b->tok || (uintptr_t)t >= (uintptr_t)(b->tok + b->num) ||
	    ((uintptr_t)t - (uintptr_t)b->tok) % sizeof(*t) || !t->inflight)
		abort(); /* completed or detached something it did not post */
	return t;
}

static inline void fvq_retire(struct fvq_books *b, struct fvq_token *t)
{
	t->inflight = false;
	b->inflight--;
	b->used_descs -= t->ndescs;
}

/* Record a chain virtq_add() accepted. */
static inline void fvq_issued(struct fvq_books *b, struct fvq_token *t, unsigned ndescs, u64 in_len)
{
	*t = (struct fvq_token){ .inflight = true, .ndescs = (u16)ndescs, .in_len = (u32)in_len };
	b->inflight++;
	b->used_descs += ndescs;
}

/* Data buffers the chains point at (never dereferenced by the driver). */
static u8 fvq_mem[FVQ_MAX_CHAIN][64];

/*
 * The driver adds a chain the script describes (a shape byte, then a
 * length byte per buffer): virtq_add() must answer exactly what its
 * contract says for the queue's state, a chain holding one descriptor
 * when it fits an indirect table and one per buffer otherwise.
 */
static inline void fvq_add(struct virtq *vq, struct fvq_books *b, struct fvq_script *s)
{
	u8 shape = fvq_byte(s);
	unsigned nout = shape & 3, nin = (shape >> 2) % (FVQ_MAX_CHAIN - 3), total = nout + nin;
	unsigned ndescs = total >= 2 && total <= vq->indirect_max ? 1 : total;
	struct virtq_buf bufs[FVQ_MAX_CHAIN];
	struct fvq_token *t;
	bool zero = false;
	u64 in_len = 0;
	int want, rc;

	for (unsigned k = 0; k < total; k++) {
		u8 l = fvq_byte(s);

		/* Length 0 is an argument error; the rest spread over 1..64 KiB. */
		bufs[k] = (struct virtq_buf){ .addr = fvq_mem[k], .len = l ? (u32)l * 257u : 0 };
		zero |= l == 0;
		if (k >= nout)
			in_len += bufs[k].len;
	}
	t = fvq_free_token(b);
	if (!t)
		return; /* every token in flight: the ring is full */
	if (vq->broken)
		want = -EIO;
	else if (total == 0 || zero)
		want = -EINVAL;
	else if (ndescs > b->num - b->used_descs)
		want = -ENOSPC;
	else
		want = 0;
	rc = virtq_add(vq, bufs, nout, nin, t);
	if (rc != want)
		abort();
	if (rc == 0)
		fvq_issued(b, t, ndescs, in_len);
}

/*
 * Pop up to `n` completions: each an in-flight token with a length within
 * its writable bytes, and nothing from a broken queue.
 */
static inline void fvq_poll_n(struct virtq *vq, struct fvq_books *b, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		bool was_broken = vq->broken;
		u32 len = 0xdeadbeef;
		void *token = virtq_get_used(vq, &len);
		struct fvq_token *t;

		if (!token)
			return;
		if (was_broken || vq->broken)
			abort(); /* a broken queue hands out nothing */
		t = fvq_token_of(b, token);
		if (len > t->in_len)
			abort();
		fvq_retire(b, t);
	}
}

/* The driver looks for completions, then kicks or pokes the device. */
static inline void fvq_driver_kick(struct virtq *vq, struct fvq_script *s)
{
	(void)virtq_has_used(vq);
	if (fvq_byte(s) & 1)
		virtq_renotify(vq);
	else
		(void)virtq_kick(vq);
}

/* Detach everything: each in-flight token exactly once. */
static inline void fvq_detach_all(struct virtq *vq, struct fvq_books *b)
{
	void *token;

	while ((token = virtq_detach_unused(vq)) != NULL)
		fvq_retire(b, fvq_token_of(b, token));
	if (b->inflight || b->used_descs)
		abort(); /* a token was never handed back */
}

#endif
