/*
 * tests/fuzz/fuzz_virtqueue.c - libFuzzer target for the split virtqueue
 * (drivers/virtio/virtqueue.c) against a device that writes anything into
 * the memory it shares with the driver.
 *
 * The queue is set up as tests/host/test_virtqueue.c does it: ring memory
 * of exactly virtq_ring_size() bytes and private state of exactly
 * virtq_priv_size() bytes, both on the heap, so ASan sees every access
 * past them.  The input is a script (the first byte picks the ring size,
 * alignment, event index and legacy length leniency), then one operation
 * per step:
 *  - the driver adds a chain, pops completions, kicks, or resets after
 *    detaching every token (as an owner does once the queue broke);
 *  - the device writes a used entry (any id, any length), used->idx
 *    (absolute or moved), used->flags / avail_event, or scribbles over the
 *    descriptor table and avail ring, or completes what is available
 *    honestly (walking desc[] as a device does), so the fuzzer reaches
 *    long valid runs and index wrap-around as easily as garbage.
 *
 * What must hold, whatever the device wrote (abort() otherwise, which
 * libFuzzer reports as a crash):
 *  - no crash and no access outside the ring or the private state;
 *  - virtq_add() returns exactly what its contract says for the queue's
 *    state (0, -ENOSPC, -EINVAL, -EIO once broken);
 *  - virtq_get_used() only returns a token that is in flight (added, not
 *    yet completed nor detached), with a length no larger than the
 *    chain's writable bytes, and nothing once the queue is broken;
 *  - the driver's count of in-flight chains and free descriptors match
 *    what was added and completed, after every step;
 *  - virtq_detach_unused() returns every in-flight token exactly once.
 */
#define _POSIX_C_SOURCE 200809L /* posix_memalign */
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"
#include "drivers/virtio/virtqueue.h"
#include "lib/errno.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FVQ_MAX_NUM 256u
#define FVQ_MAX_CHAIN 12u

/* Data buffers the chains point at (never dereferenced by the driver). */
static u8 fvq_mem[FVQ_MAX_CHAIN][64];

/* One token per possible in-flight chain; its state is the harness's. */
struct fvq_token {
	bool inflight;
	u16 ndescs;
	u32 in_len;
};

struct fvq {
	struct virtq vq;
	void *ring, *priv;
	u16 num;
	struct fvq_token tok[FVQ_MAX_NUM];
	unsigned inflight, used_descs;
	u16 dev_last_avail; /* the honest device's progress through avail */
	const u8 *in;	    /* the rest of the script */
	size_t left;
};

static u8 fvq_byte(struct fvq *f)
{
	if (!f->left)
		return 0;
	f->left--;
	return *f->in++;
}

static u16 fvq_u16(struct fvq *f)
{
	return (u16)(fvq_byte(f) | fvq_byte(f) << 8);
}

static u32 fvq_u32(struct fvq *f)
{
	return fvq_u16(f) | (u32)fvq_u16(f) << 16;
}

static void fvq_notify(struct virtq *vq)
{
	(void)vq;
}

/* The driver's books must match ours after every step. */
static void fvq_check(const struct fvq *f)
{
	if (f->vq.inflight != f->inflight || f->vq.num_free != f->num - f->used_descs)
		abort();
}

/* A token the driver handed back must be one of ours and in flight. */
static struct fvq_token *fvq_token_of(struct fvq *f, void *token)
{
	struct fvq_token *t = token;

	if ((uintptr_t)t < (uintptr_t)f->tok || (uintptr_t)t >= (uintptr_t)(f->tok + f->num) ||
	    ((uintptr_t)t - (uintptr_t)f->tok) % sizeof(*t) || !t->inflight)
		abort(); /* completed or detached something it did not post */
	return t;
}

static void fvq_retire(struct fvq *f, struct fvq_token *t)
{
	t->inflight = false;
	f->inflight--;
	f->used_descs -= t->ndescs;
}

static void fvq_add(struct fvq *f)
{
	u8 shape = fvq_byte(f);
	unsigned nout = shape & 3, nin = (shape >> 2) % (FVQ_MAX_CHAIN - 3), total = nout + nin;
	struct virtq_buf b[FVQ_MAX_CHAIN];
	struct fvq_token *t = NULL;
	bool zero = false;
	u64 in_len = 0;
	int want, rc;

	for (unsigned k = 0; k < total; k++) {
		u8 l = fvq_byte(f);

		/* Length 0 is an argument error; the rest spread over 1..64 KiB. */
		b[k] = (struct virtq_buf){ .addr = fvq_mem[k], .len = l ? (u32)l * 257u : 0 };
		zero |= l == 0;
		if (k >= nout)
			in_len += b[k].len;
	}
	for (unsigned i = 0; i < f->num && !t; i++)
		if (!f->tok[i].inflight)
			t = &f->tok[i];
	if (!t)
		return; /* every descriptor is a head in flight: the ring is full */
	if (f->vq.broken)
		want = -EIO;
	else if (total == 0 || zero)
		want = -EINVAL;
	else if (total > f->num - f->used_descs)
		want = -ENOSPC;
	else
		want = 0;
	rc = virtq_add(&f->vq, b, nout, nin, t);
	if (rc != want)
		abort();
	if (rc)
		return;
	*t = (struct fvq_token){ .inflight = true, .ndescs = (u16)total, .in_len = (u32)in_len };
	f->inflight++;
	f->used_descs += total;
}

static void fvq_poll(struct fvq *f)
{
	unsigned n = fvq_byte(f) % 8 + 1;

	for (unsigned k = 0; k < n; k++) {
		bool was_broken = f->vq.broken;
		u32 len = 0xdeadbeef;
		void *token = virtq_get_used(&f->vq, &len);
		struct fvq_token *t;

		if (!token)
			return;
		if (was_broken || f->vq.broken)
			abort(); /* a broken queue hands out nothing */
		t = fvq_token_of(f, token);
		if (len > t->in_len)
			abort();
		fvq_retire(f, t);
	}
}

/* Detach everything (each token once), then set the queue up again. */
static void fvq_reset(struct fvq *f)
{
	bool lenient = f->vq.lenient_len; /* the owner's setting, kept */
	void *token;

	while ((token = virtq_detach_unused(&f->vq)) != NULL)
		fvq_retire(f, fvq_token_of(f, token));
	if (f->inflight || f->used_descs)
		abort(); /* a token was never handed back */
	virtq_init(&f->vq, 0, f->num, f->ring, f->vq.align, f->priv, f->vq.event_idx, fvq_notify,
		   f);
	f->vq.lenient_len = lenient;
	f->dev_last_avail = 0;
}

/*
 * An honest device: take up to n available chains, walk each through the
 * shared descriptor table (bounded, as a device must be against a driver
 * bug) and complete it with some of its writable length.
 */
static void fvq_device_honest(struct fvq *f)
{
	struct virtq *vq = &f->vq;
	unsigned n = fvq_byte(f) % 4 + 1;

	for (unsigned k = 0; k < n; k++) {
		u16 avail = le16_to_cpu(vq->avail->idx), head, i, used;
		u64 in_len = 0;

		if (avail == f->dev_last_avail)
			return;
		head = le16_to_cpu(vq->avail->ring[f->dev_last_avail % f->num]);
		f->dev_last_avail++;
		i = head;
		for (unsigned steps = 0; i < f->num && steps < f->num; steps++) {
			const struct virtq_desc *d = &vq->desc[i];
			u16 flags = le16_to_cpu(d->flags);

			if (flags & VIRTQ_DESC_F_WRITE)
				in_len += le32_to_cpu(d->len);
			if (!(flags & VIRTQ_DESC_F_NEXT))
				break;
			i = le16_to_cpu(d->next);
		}
		used = le16_to_cpu(vq->used->idx);
		vq->used->ring[used % f->num] = (struct virtq_used_elem){
			.id = cpu_to_le32(head),
			.len = cpu_to_le32((u32)(in_len * fvq_byte(f) / 255)),
		};
		vq->used->idx = cpu_to_le16((u16)(used + 1));
	}
}

/* The device scribbles over memory only the driver should write. */
static void fvq_device_scribble(struct fvq *f)
{
	size_t avail_end = virtq_avail_offset(f->num) + sizeof(struct virtq_avail) +
			   sizeof(le16) * (f->num + 1u);
	unsigned n = fvq_byte(f) % 16 + 1;
	u16 at = fvq_u16(f);

	for (unsigned k = 0; k < n; k++)
		((u8 *)f->ring)[(at + k) % avail_end] = fvq_byte(f);
}

static void fvq_step(struct fvq *f, u8 op)
{
	struct virtq *vq = &f->vq;

	switch (op % 12) {
	case 0:
	case 1: fvq_add(f); break;
	case 2:
	case 3: fvq_poll(f); break;
	case 4: /* a used entry: any id, any length */
		vq->used->ring[fvq_byte(f) % f->num] = (struct virtq_used_elem){
			.id = cpu_to_le32(fvq_u32(f) % 512),
			.len = cpu_to_le32(fvq_u32(f)),
		};
		break;
	case 5: vq->used->idx = cpu_to_le16(fvq_u16(f)); break;
	case 6:
		vq->used->idx = cpu_to_le16((u16)(le16_to_cpu(vq->used->idx) + fvq_byte(f) % 4));
		break;
	case 7: fvq_device_honest(f); break;
	case 8: fvq_device_scribble(f); break;
	case 9: /* notification suppression: used->flags, avail_event */
		if (fvq_byte(f) & 1)
			vq->used->flags = cpu_to_le16(fvq_u16(f));
		else
			*(le16 *)&vq->used->ring[f->num] = cpu_to_le16(fvq_u16(f));
		break;
	case 10:
		(void)virtq_has_used(vq);
		if (fvq_byte(f) & 1)
			virtq_renotify(vq);
		else
			(void)virtq_kick(vq);
		break;
	case 11:
		/* The owner resets a broken queue; now and then a healthy one. */
		if (vq->broken || fvq_byte(f) == 0xff)
			fvq_reset(f);
		else
			virtq_report(vq, "fuzz");
		break;
	}
	fvq_check(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	host_console_quiet = true; /* "queue marked broken" on most inputs */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fvq *f = calloc(1, sizeof(*f));
	u8 cfg;
	size_t align;

	if (!f)
		abort();
	f->in = data;
	f->left = size;
	cfg = fvq_byte(f);
	f->num = (u16)(1u << (cfg % 9)); /* 1 .. 256 */
	align = cfg & 0x10 ? 4096 : 16;
	if (posix_memalign(&f->ring, align, virtq_ring_size(f->num, align)))
		abort();
	f->priv = malloc(virtq_priv_size(f->num));
	if (!f->priv)
		abort();
	virtq_init(&f->vq, 0, f->num, f->ring, align, f->priv, cfg & 0x20, fvq_notify, f);
	f->vq.lenient_len = cfg & 0x40;
	while (f->left)
		fvq_step(f, fvq_byte(f));
	/* The owner's teardown: every token back exactly once. */
	fvq_reset(f);
	if (virtq_detach_unused(&f->vq))
		abort();
	free(f->priv);
	free(f->ring);
	free(f);
	return 0;
}
