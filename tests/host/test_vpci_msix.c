/*
 * tests/host/test_vpci_msix.c - host tests for MSI-X on virtio-pci
 * (drivers/pci/pci_msix.c, drivers/virtio/virtio_pci_msix.c) against the
 * fake function of fake_vpci*.c (FN) and the device model behind it (F),
 * with a fake MSI controller (host_msi_alloc).
 *
 * Groups: MSI-X used on every interface (entries programmed and unmasked,
 * enable on with the function mask clear, INTx disabled, config vector 0
 * and queue q's 1 + q read back, the legacy configuration at 24, a
 * wake-up without an ISR read); vectors written again after a reset;
 * smaller tables shared; a hostile capability (table or PBA outside its
 * BAR, an I/O, absent or unassigned BAR, overlap, a table too big) refused
 * before anything is touched; a device refusing a vector, or no MSI left,
 * back to INTx cleanly.  Every case ends with the device working and no
 * protocol slip recorded by the fake.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "arch/host/host.h"
#include "drivers/block/virtio_blk.h"
#include "drivers/pci/pci.h"
#include "drivers/pci/pci_regs.h"
#include "drivers/virtio/virtio_pci.h"
#include "drivers/virtio/virtio_pci_regs.h"
#include "kernel/block/blk.h"
#include "lib/errno.h"
#include "tests/host/fake_vpci.h"
#include "tests/host/test_util.h"

#define SECTORS 2048u
#define OFFER                                                         \
	(BIT64(VIRTIO_BLK_F_FLUSH) | BIT64(VIRTIO_F_RING_EVENT_IDX) | \
	 BIT64(VIRTIO_BLK_F_SEG_MAX) | BIT64(VIRTIO_BLK_F_BLK_SIZE) | BIT64(VIRTIO_F_VERSION_1))

/* The fake MSI controller's messages: interrupt IRQ0 + k, address, data. */
#define IRQ0 200u
#define MSI_ADDR(k) (0xfee00000ull | (u64)(k) << 12 | 0x100000000ull)
#define MSI_DATA(k) (0x40u + (k))

static struct fake_vblk F;
static struct fake_vpci FN;
static struct pci_host H;
static struct pci_dev P;
static struct virtio_dev *V;
static struct blk B;
static struct blk_dev *BD;
static unsigned msi_allocs, msi_left;
static u32 msi_rid;

static int fake_msi_alloc(u32 rid, u32 *irq, u64 *addr, u32 *data)
{
	if (!msi_left)
		return -ENOSPC;
	msi_left--;
	msi_rid = rid;
	*irq = IRQ0 + msi_allocs;
	*addr = MSI_ADDR(msi_allocs);
	*data = MSI_DATA(msi_allocs);
	msi_allocs++;
	return 0;
}

static int t_setup(void **state)
{
	(void)state;
	host_console_quiet = true;
	host_console_last[0] = '\0';
	host_time_step_ns = 1000;
	host_msi_alloc = fake_msi_alloc;
	msi_allocs = 0;
	msi_left = 100;
	V = NULL;
	BD = NULL;
	return 0;
}

static int t_teardown(void **state)
{
	(void)state;
	host_msi_alloc = NULL;
	fvp_destroy(&FN);
	return 0;
}

static const enum fvp_kind all_kinds[] = { FVP_TRANSITIONAL, FVP_MODERN, FVP_LEGACY };

/* A fresh function of `kind`, assigned as firmware would, probed. */
static void fresh(enum fvp_kind kind)
{
	fvp_init(&FN, &F, kind, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
	F.cfg.capacity = cpu_to_le64(SECTORS);
	fvp_firmware_assign(&FN, &H, &P);
	OK(vpci_probe(&P, 0, &V));
}

/* virtio-blk and a block layer on V; its interrupts registered. */
static void vblk_on(void)
{
	OK(vblk_probe(V, 0, VBLK_DEFAULT_QUEUE_SIZE, &BD));
	blk_init(&B, BD, false);
	/* The host has no interrupt lines: on INTx the disk is polled. */
	assert_int_equal(virtio_irq_register(V), V->intr == VIRTIO_INTR_MSIX ? 0 : -ENODEV);
}

/* The disk works: a write read back, the capacity the device says. */
static void works(void)
{
	static u8 out[4096], in[4096];

	assert_int_equal(blk_info(&B)->capacity, SECTORS);
	for (unsigned k = 0; k < sizeof(out); k++)
		out[k] = (u8)(k * 13 + msi_allocs);
	OK(blk_write(&B, 8, out, sizeof(out)));
	memset(in, 0, sizeof(in));
	OK(blk_read(&B, 8, in, sizeof(in)));
	assert_memory_equal(in, out, sizeof(out));
	assert_no_violations(&F);
}

static bool msix_enabled(void)
{
	return (FN.msix_ctrl & PCI_MSIX_FLAGS_ENABLE) != 0;
}

static bool intx_disabled(void)
{
	return (FN.command & PCI_COMMAND_INTX_DISABLE) != 0;
}

/* Table entry n holds message k, unmasked. */
static void assert_entry(unsigned n, unsigned k)
{
	assert_int_equal(FN.msix_entry[n][0], (u32)MSI_ADDR(k));
	assert_int_equal(FN.msix_entry[n][1], (u32)(MSI_ADDR(k) >> 32));
	assert_int_equal(FN.msix_entry[n][2], MSI_DATA(k));
	assert_int_equal(FN.msix_entry[n][3], 0);
}

/* INTx, cleanly: MSI-X off at the function, INTx on, no vector kept. */
static void assert_intx(void)
{
	assert_false(msix_enabled());
	assert_false(intx_disabled());
	assert_int_equal(V->intr, VIRTIO_INTR_INTX);
	for (unsigned i = 0; i < VIRTIO_MSI_MAX; i++)
		assert_int_equal(V->msi_irq[i], 0);
}

static void describe_has(const char *want)
{
	char desc[512];

	vblk_describe(BD, desc, sizeof(desc));
	assert_text_has(desc, want);
}

/* ---- MSI-X used ----------------------------------------------------------------- */

static void test_msix_used(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(all_kinds); i++) {
		fvp_destroy(&FN);
		msi_allocs = 0;
		fresh(all_kinds[i]);
		assert_int_equal(V->intr, VIRTIO_INTR_INTX);
		OK(vpci_msix_use(V));
		assert_int_equal(V->intr, VIRTIO_INTR_MSIX);
		assert_true(msix_enabled());
		assert_false(FN.msix_ctrl & PCI_MSIX_FLAGS_MASKALL);
		assert_true(intx_disabled());
		assert_int_equal(msi_rid, FVP_DEVFN << 3);
		vblk_on(); /* legacy: the configuration (capacity) read at 24 */
		assert_int_equal(FN.config_msix_vector, 0);
		assert_int_equal(FN.q[0].msix_vector, 1);
		assert_int_equal(msi_allocs, 2);
		assert_entry(0, 0);
		assert_entry(1, 1);
		assert_int_equal(V->msi_irq[0], IRQ0);
		assert_int_equal(V->msi_irq[1], IRQ0 + 1);
		describe_has("irq=201 intr=msix");
		works();
		/* A message wakes the driver without an ISR read. */
		FN.isr_reads = 0;
		host_irq_pending = IRQ0 + 1;
		assert_true(vblk_wait_irq(BD, 1000));
		assert_int_equal(FN.isr_reads, 0);
		host_irq_pending = IRQ0 + 77; /* someone else's */
		assert_false(vblk_wait_irq(BD, 1000));
		assert_no_violations(&F);
	}
}

/* A device reset forgets the vectors: written again, same messages. */
static void test_msix_after_reset(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(all_kinds); i++) {
		fvp_destroy(&FN);
		msi_allocs = 0;
		fresh(all_kinds[i]);
		OK(vpci_msix_use(V));
		vblk_on();
		OK(BD->ops->reset(BD->ctx, -EIO));
		assert_int_equal(blk_dev_stats(&B)->resets, 1);
		assert_int_equal(FN.config_msix_vector, 0);
		assert_int_equal(FN.q[0].msix_vector, 1);
		assert_int_equal(msi_allocs, 2); /* nothing new reserved */
		assert_true(msix_enabled());
		assert_int_equal(V->intr, VIRTIO_INTR_MSIX);
		works();
	}
}

/* Smaller tables: one entry shared by config and queue; queues past the end share the last. */
static void test_msix_shared(void **state)
{
	(void)state;
	fvp_init(&FN, &F, FVP_MODERN, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
	F.cfg.capacity = cpu_to_le64(SECTORS);
	FN.msix_qsize = 0; /* one entry */
	fvp_firmware_assign(&FN, &H, &P);
	OK(vpci_probe(&P, 0, &V));
	OK(vpci_msix_use(V));
	vblk_on();
	assert_int_equal(FN.config_msix_vector, 0);
	assert_int_equal(FN.q[0].msix_vector, 0);
	assert_int_equal(msi_allocs, 1);
	assert_entry(0, 0);
	assert_int_equal(V->msi_irq[1], IRQ0);
	describe_has("irq=200 intr=msix");
	works();
}

/* ---- a hostile capability: INTx, nothing touched ------------------------------------ */

struct cap_case {
	enum fvp_kind kind;
	u16 qsize;
	u32 table, pba;	    /* 0: the default */
	int bar_unassigned; /* 1 + index */
	u8 pos;
	const char *msg;
};

static void test_msix_cap_hostile(void **state)
{
	static const struct cap_case cases[] = {
		{ FVP_MODERN, 1, 0x1000 | 1, 0, 0, 0, "overruns the BAR" }, /* table past BAR1 */
		{ FVP_MODERN, 1, 0xff8 | 1, 0, 0, 0, "overruns the BAR" },  /* straddles its end */
		{ FVP_MODERN, 0x7ff, 0, 0x100 | 4, 0, 0,
		  "overruns the BAR" },					    /* 2048 x 16 > 4 KiB */
		{ FVP_MODERN, 1, 0, 0x1000 | 1, 0, 0, "overruns the BAR" }, /* PBA past BAR1 */
		{ FVP_MODERN, 1, 0, 0x10 | 1, 0, 0, "overlap" },
		{ FVP_TRANSITIONAL, 1, 0x40 | 0, 0, 0, 0, "not a memory BAR" }, /* BAR0: I/O */
		{ FVP_MODERN, 1, 2, 0, 0, 0, "not a memory BAR" },		/* BAR2 absent */
		{ FVP_MODERN, 1, 5, 0, 0, 0, "not a memory BAR" }, /* BAR4's upper half */
		{ FVP_MODERN, 1, 7, 0, 0, 0, "does not exist" },
		{ FVP_MODERN, 1, 0, 6, 0, 0, "does not exist" }, /* the PBA's BIR */
		{ FVP_MODERN, 1, 0, 0, 2, 0, "not assigned" },
		{ FVP_MODERN, 1, 0, 0, 0, 0xf8, "past configuration space" },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct cap_case *c = &cases[i];
		struct pci_msix m;

		fvp_destroy(&FN);
		fvp_init(&FN, &F, c->kind, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
		F.cfg.capacity = cpu_to_le64(SECTORS);
		FN.msix_qsize = c->qsize;
		if (c->table)
			FN.msix_table = c->table;
		if (c->pba)
			FN.msix_pba = c->pba;
		if (c->pos)
			FN.caps[0].pos = c->pos; /* the MSI-X capability is first */
		fvp_firmware_assign(&FN, &H, &P);
		OK(vpci_probe(&P, 0, &V));
		if (c->bar_unassigned) /* modern: the device itself needs only BAR4 */
			P.bar[c->bar_unassigned - 1].assigned = false;
		host_console_last[0] = '\0';
		assert_int_equal(pci_msix_find(&P, &m), -EINVAL);
		assert_console_has(c->msg);
		assert_int_equal(vpci_msix_use(V), -EINVAL);
		assert_console_has("MSI-X unusable: INTx");
		assert_int_equal(msi_allocs, 0);
		assert_int_equal(FN.msix_ctrl, 0);
		assert_int_equal(FN.msix_vector_writes, 0);
		assert_intx();
		vblk_on();
		assert_intx();
		assert_int_equal(FN.msix_vector_writes, 0);
		works();
	}
}

/* No MSI controller: -EOPNOTSUPP, nothing touched. */
static void test_msix_no_controller(void **state)
{
	(void)state;
	host_msi_alloc = NULL;
	fresh(FVP_LEGACY);
	assert_int_equal(vpci_msix_use(V), -EOPNOTSUPP);
	assert_int_equal(FN.msix_ctrl, 0);
	vblk_on();
	assert_intx();
	describe_has("irq=poll intr=poll"); /* the host has no line either */
	works();
}

/* No capability at all (QEMU vectors=0): -ENOENT, silently INTx. */
static void test_msix_absent(void **state)
{
	(void)state;
	fvp_init(&FN, &F, FVP_MODERN, VIRTIO_ID_BLOCK, OFFER, 1, SECTORS);
	F.cfg.capacity = cpu_to_le64(SECTORS);
	memmove(&FN.caps[0], &FN.caps[1], sizeof(FN.caps[0]) * (FN.ncaps - 1));
	FN.ncaps--;
	fvp_firmware_assign(&FN, &H, &P);
	OK(vpci_probe(&P, 0, &V));
	assert_int_equal(vpci_msix_use(V), -ENOENT);
	vblk_on();
	assert_intx();
	works();
}

/* ---- the device refuses a vector, or no MSI left: back to INTx ---------------------- */

static void test_msix_refused(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 2 * ARRAY_SIZE(all_kinds); i++) {
		fvp_destroy(&FN);
		msi_allocs = 0;
		fresh(all_kinds[i / 2]);
		if (i % 2)
			FN.msix_refuse_queue = true;
		else
			FN.msix_refuse_config = true;
		OK(vpci_msix_use(V));
		host_console_last[0] = '\0';
		OK(vblk_probe(V, 0, VBLK_DEFAULT_QUEUE_SIZE, &BD));
		assert_console_has(i % 2 ? "refused MSI-X vector 1 for a queue (read back 0xffff)"
					 : "refused MSI-X vector 0 for config changes");
		blk_init(&B, BD, false);
		assert_intx();
		assert_int_equal(virtio_irq_register(V), -ENODEV); /* no line on the host */
		works(); /* legacy: the configuration back at 20 */
		/* And it stays on INTx through a reset. */
		OK(BD->ops->reset(BD->ctx, -EIO));
		assert_intx();
		works();
	}
}

static void test_msix_none_left(void **state)
{
	(void)state;
	/* None at all: refused before MSI-X is enabled. */
	msi_left = 0;
	fresh(FVP_MODERN);
	assert_int_equal(vpci_msix_use(V), -ENOSPC);
	assert_intx();
	assert_int_equal(FN.msix_ctrl, 0);
	/* One: the queue finds none and the device goes back to INTx. */
	fvp_destroy(&FN);
	msi_left = 1;
	fresh(FVP_MODERN);
	OK(vpci_msix_use(V));
	host_console_last[0] = '\0';
	OK(vblk_probe(V, 0, VBLK_DEFAULT_QUEUE_SIZE, &BD));
	assert_console_has("no MSI for MSI-X entry 1");
	blk_init(&B, BD, false);
	assert_intx();
	works();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(fn) cmocka_unit_test_setup_teardown(fn, t_setup, t_teardown)
		T_(test_msix_used),	   T_(test_msix_after_reset),	T_(test_msix_shared),
		T_(test_msix_cap_hostile), T_(test_msix_no_controller), T_(test_msix_absent),
		T_(test_msix_refused),	   T_(test_msix_none_left),
#undef T_
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
