/*
 * tests/host/vq_hostile.h - what the split and packed virtqueue tests
 * (test_virtqueue.c, test_virtqueue_packed.c) check after a hostile
 * device's first violation, whatever the ring layout.  Include after
 * <cmocka.h>.
 */
#ifndef ORDO_TESTS_VQ_HOSTILE_H
#define ORDO_TESTS_VQ_HOSTILE_H

#include <stddef.h>
#include <string.h>

#include "arch/host/host.h"
#include "drivers/virtio/virtqueue.h"
#include "lib/errno.h"

/*
 * The driver's next pop finds the violation: the queue is broken, said
 * so, and stays broken (nothing popped, even after `more` has the device
 * complete something else, nothing added or notified, `*notifies`
 * counting notifications); then every chain of tokens tok[0..nch) but
 * `done_ok` (completed before, -1 if none) comes back exactly once, and
 * the ring of `num` is all free.
 */
static inline void vq_hostile_check(struct virtq *vq, const char *tok, int nch, int done_ok,
				    unsigned *notifies, u16 num, void (*more)(void *ctx), void *ctx)
{
	unsigned detached[8] = { 0 }, n = 0;
	u8 b[16];
	struct virtq_buf one = { b, sizeof(b) };
	u32 len = 0x1234;
	void *t;

	assert_true(nch <= 8);
	assert_false(vq->broken); /* nothing checked until the driver pops */
	assert_null(virtq_get_used(vq, &len));
	assert_true(vq->broken);
	assert_non_null(vq->broken_reason);
	assert_int_equal(len, 0x1234);
	assert_non_null(strstr(host_console_last, "broken"));

	/* Stays broken: nothing more is popped, added or kicked. */
	more(ctx);
	assert_false(virtq_has_used(vq));
	assert_null(virtq_get_used(vq, &len));
	assert_int_equal(virtq_add(vq, &one, 1, 0, (void *)&tok[nch]), -EIO);
	*notifies = 0;
	assert_false(virtq_kick(vq));
	assert_int_equal(*notifies, 0);

	/* Every chain still in flight comes back exactly once. */
	while ((t = virtq_detach_unused(vq)) != NULL) {
		ptrdiff_t i = (const char *)t - tok;

		assert_true(i >= 0 && i < nch);
		assert_int_not_equal(i, done_ok);
		detached[i]++;
		assert_true(++n <= (unsigned)nch);
	}
	assert_int_equal(n, nch - (done_ok >= 0));
	for (int i = 0; i < nch; i++)
		assert_int_equal(detached[i], i == done_ok ? 0 : 1);
	assert_null(virtq_detach_unused(vq));
	assert_int_equal(vq->num_free, num);
	assert_int_equal(vq->inflight, 0);
}

#endif
