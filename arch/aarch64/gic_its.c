/*
 * arch/aarch64/gic_its.c - the GICv3 Interrupt Translation Service (GICv3
 * spec, IHI 0069, chapters 5 "Locality-specific Peripheral Interrupts and
 * the ITS" and 8.19 "The ITS register descriptions"), for msi.c.
 *
 * A PCI function writes an event ID to GITS_TRANSLATER (ITS base +
 * 0x10040); the ITS looks the writer's device ID up in its device table,
 * the event in that device's interrupt translation table (ITT), and makes
 * the LPI it finds there pending at the redistributor of the event's
 * collection.  Set-up, once (its_init()):
 *   - this CPU's redistributor: LPI configuration table (one byte per LPI:
 *     priority, enable) and pending table, GICR_PROPBASER/PENDBASER, then
 *     GICR_CTLR.EnableLPIs.  LPI IDs 8192..8192 + ITS_LPIS - 1 (14 ID bits);
 *   - the ITS, disabled first (waiting for GITS_CTLR.Quiescent): a flat
 *     device table for the device IDs the PCI host can produce (its bus
 *     range) and a collection table, in the GITS_BASER<n> of those types,
 *     with the page size, entry size and type each one reports; the
 *     command queue (GITS_CBASER, one 4 KiB page); then GITS_CTLR.Enabled;
 *   - MAPC of collection 0 to this CPU (GITS_TYPER.PTA: by processor
 *     number or RD_base address), SYNC.
 * Per message (its_alloc()): on a device's first message MAPD with a
 * 32-event ITT, then per event: its LPI enabled in the configuration
 * table, MAPTI event -> LPI in collection 0, INV, SYNC.
 *
 * Every command waits, bounded by ITS_CMD_MS, until GITS_CREADR has
 * passed it; a stalled queue (GITS_CREADR.Stalled) or a timeout fails the
 * call with a console line and the ITS is not used again.  Every field
 * the ITS or the redistributor reports (types, entry and page sizes,
 * ID widths, LPI support, what a BASER write kept) is checked before use.
 *
 * Memory comes from boot_alloc() (zeroed, aligned) and is never freed.
 * The tables are asked for as Inner Shareable write-back; an ITS that
 * keeps them non-shareable gets them non-cacheable instead, and since
 * everything we write for it (commands, configuration bytes, the zeroed
 * tables) is cleaned to the point of coherency, either works.
 *
 * Single CPU, boot and probe time only.
 */
#include <asm/boot.h>
#include <asm/io.h>
#include <asm/sysreg.h>

#include "arch/aarch64/gic.h"
#include "arch/arch.h"
#include "lib/boot_alloc.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* ITS control frame. */
#define GITS_CTLR 0x0000
#define GITS_CTLR_ENABLED BIT(0)
#define GITS_CTLR_QUIESCENT BIT(31)
#define GITS_TYPER 0x0008 /* 64 bits */
#define GITS_TYPER_PHYSICAL BIT(0)
#define GITS_TYPER_ITT_SIZE(v) ((u32)((v) >> 4) & 0xfu)	 /* bytes - 1 */
#define GITS_TYPER_IDBITS(v) ((u32)((v) >> 8) & 0x1fu)	 /* EventID bits - 1 */
#define GITS_TYPER_DEVBITS(v) ((u32)((v) >> 13) & 0x1fu) /* DeviceID bits - 1 */
#define GITS_TYPER_PTA BIT(19)
#define GITS_CBASER 0x0080
#define GITS_CWRITER 0x0088
#define GITS_CREADR 0x0090
#define GITS_CREADR_STALLED BIT(0)
#define GITS_BASER(n) (0x0100 + 8 * (n))
#define GITS_NBASER 8u
#define GITS_TRANSLATER 0x10040 /* in the translation frame, +64 KiB */

/* GITS_BASER<n> and GITS_CBASER fields. */
#define BASER_VALID BIT64(63)
#define BASER_INDIRECT BIT64(62)
#define BASER_TYPE(v) ((u32)((v) >> 56) & 0x7u)
#define BASER_TYPE_DEVICE 1u
#define BASER_TYPE_COLLECTION 4u
#define BASER_ENTRY_SIZE(v) (((u32)((v) >> 48) & 0x1fu) + 1)
#define BASER_PAGE_SIZE(v) ((u32)((v) >> 8) & 0x3u) /* 0 4K, 1 16K, 2 64K */
#define BASER_SIZE_MAX 256u			    /* pages: Size is 8 bits */
/* Memory attributes, the same bits in every *BASER we write except the
 * redistributor's InnerCache ([9:7]). */
#define ITS_INNER_WB (7ull << 59) /* RaWaWb */
#define ITS_INNER_NC (1ull << 59)
#define ITS_INNER_MASK (7ull << 59)
#define ITS_SH_INNER (1ull << 10)
#define ITS_SH_MASK (3ull << 10)

/* Redistributor (RD_base frame). */
#define GICR_CTLR 0x0000
#define GICR_CTLR_ENABLE_LPIS BIT(0)
#define GICR_TYPER 0x0008
#define GICR_TYPER_PLPIS BIT(0)
#define GICR_TYPER_PROCNUM(v) (((v) >> 8) & 0xffffu)
#define GICR_PROPBASER 0x0070
#define GICR_PENDBASER 0x0078
#define GICR_RD_INNER_WB (7ull << 7)
#define GICR_RD_INNER_NC (1ull << 7)
#define GICR_PENDBASER_PTZ BIT64(62)

#define GICD_TYPER 0x0004
#define GICD_TYPER_LPIS BIT(17)
#define GICD_TYPER_IDBITS(v) (((v) >> 19) & 0x1fu) /* ID bits - 1 */

/* Commands: 32 bytes, command number in DW0 [7:0]. */
#define ITS_CMD_SYNC 0x05
#define ITS_CMD_MAPD 0x08
#define ITS_CMD_MAPC 0x09
#define ITS_CMD_MAPTI 0x0a
#define ITS_CMD_INV 0x0c
#define ITS_CMD_VALID BIT64(63)
#define ITS_CMD_SIZE 32u
#define ITS_CMDQ_SIZE 0x1000u /* one 4 KiB page: 128 commands */
#define ITS_CMD_MS 100u

#define ITS_ID_BITS 14u /* LPIs 8192..16383 */
#define ITS_LPIS (BIT(ITS_ID_BITS) - GIC_LPI_BASE)
#define ITS_EVENT_BITS 5u /* 32 messages per device */
#define ITS_MAX_DEVICES 64u
#define ITS_COLLECTION 0u
#define ITS_LPI_PRIO (GIC_PRIO | BIT(1) | BIT(0)) /* bit 1 RES1, bit 0 enable */

#define ITS_PA_LIMIT BIT64(48) /* every table address we encode */

struct its_device {
	u32 devid, events; /* events handed out */
};

static uintptr_t its_base;
static u64 its_typer, its_rdbase; /* MAPC/SYNC target */
static u8 *its_cmdq;
static u32 its_cwriter; /* byte offset of the next command */
static u8 *its_prop;	/* LPI configuration table */
static u32 its_lpis_used, its_devbits, its_itt_entry;
static u64 its_ndevids; /* the device table's entries: IDs 0..its_ndevids - 1 */
static bool its_broken;
static struct its_device its_dev[ITS_MAX_DEVICES];
static unsigned its_ndev;

static u64 read64(uintptr_t a)
{
	return readl(a) | (u64)readl(a + 4) << 32;
}

static void write64(uintptr_t a, u64 v)
{
	writel(a, (u32)v);
	writel(a + 4, (u32)(v >> 32));
}

/* Clean and invalidate [p, p + len) to the point of coherency. */
static void its_clean(const void *p, size_t len)
{
	u64 ctr = read_sysreg(ctr_el0);
	uintptr_t line = 4u << ((ctr >> 16) & 0xf); /* DminLine: log2 words */
	uintptr_t a = (uintptr_t)p & ~(line - 1), end = (uintptr_t)p + len;

	for (; a < end; a += line)
		__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

static bool its_wait_ms(u64 start_ns, u32 ms)
{
	return arch_time_ns() - start_ns < (u64)ms * 1000000u;
}

/* Queue one command and wait until the ITS has read past it. */
static int its_cmd(const u64 cmd[4])
{
	u64 start = arch_time_ns();
	u32 creadr;
	u32 next = (its_cwriter + ITS_CMD_SIZE) % ITS_CMDQ_SIZE;

	if (its_broken)
		return -EIO;
	memcpy(its_cmdq + its_cwriter, cmd, ITS_CMD_SIZE);
	its_clean(its_cmdq + its_cwriter, ITS_CMD_SIZE);
	its_cwriter = next;
	writel(its_base + GITS_CWRITER, next); /* Offset [19:5]; Retry 0 */
	for (;;) {
		creadr = readl(its_base + GITS_CREADR);
		if (creadr & GITS_CREADR_STALLED)
			break;
		if ((creadr & 0xfffe0u) == next)
			return 0;
		if (!its_wait_ms(start, ITS_CMD_MS))
			break;
		arch_cpu_relax();
	}
	kprintf("msi: ITS command 0x%02x %s (GITS_CREADR 0x%x, GITS_CWRITER 0x%x): "
		"ITS not used again\n",
		(unsigned)(cmd[0] & 0xff), creadr & GITS_CREADR_STALLED ? "stalled" : "timed out",
		creadr, next);
	its_broken = true;
	return -EIO;
}

static int its_sync(void)
{
	u64 cmd[4] = { ITS_CMD_SYNC, 0, its_rdbase << 16, 0 };

	return its_cmd(cmd);
}

/* Redistributor: LPI configuration and pending tables, then EnableLPIs. */
static int its_lpis_on(uintptr_t rd, uintptr_t gicd)
{
	u32 dtyper = readl(gicd + GICD_TYPER);
	u64 rtyper = read64(rd + GICR_TYPER), prop, pend, got;
	void *pending;

	if (!(dtyper & GICD_TYPER_LPIS) || GICD_TYPER_IDBITS(dtyper) + 1 < ITS_ID_BITS ||
	    !(rtyper & GICR_TYPER_PLPIS)) {
		kprintf("msi: GICv3 without physical LPIs (GICD_TYPER 0x%08x, GICR_TYPER "
			"0x%llx): PCI stays on INTx\n",
			dtyper, (unsigned long long)rtyper);
		return -EOPNOTSUPP;
	}
	if (readl(rd + GICR_CTLR) & GICR_CTLR_ENABLE_LPIS) {
		/* Its tables are fixed once LPIs are on, and not ours. */
		kprintf("msi: LPIs already enabled by firmware: PCI stays on INTx\n");
		return -EBUSY;
	}
	its_prop = boot_alloc(ITS_LPIS, 0x10000);
	pending = boot_alloc(BIT(ITS_ID_BITS) / 8, 0x10000);
	if (!its_prop || !pending)
		return -ENOMEM;
	its_clean(its_prop, ITS_LPIS);
	its_clean(pending, BIT(ITS_ID_BITS) / 8);
	prop = virt_to_phys(its_prop) | ITS_SH_INNER | GICR_RD_INNER_WB | (ITS_ID_BITS - 1);
	pend = virt_to_phys(pending) | ITS_SH_INNER | GICR_RD_INNER_WB | GICR_PENDBASER_PTZ;
	write64(rd + GICR_PROPBASER, prop);
	got = read64(rd + GICR_PROPBASER);
	if (!(got & ITS_SH_MASK))
		write64(rd + GICR_PROPBASER,
			(prop & ~ITS_SH_MASK & ~(7ull << 7)) | GICR_RD_INNER_NC);
	write64(rd + GICR_PENDBASER, pend);
	got = read64(rd + GICR_PENDBASER);
	if (!(got & ITS_SH_MASK))
		write64(rd + GICR_PENDBASER,
			(pend & ~ITS_SH_MASK & ~(7ull << 7)) | GICR_RD_INNER_NC);
	writel(rd + GICR_CTLR, readl(rd + GICR_CTLR) | GICR_CTLR_ENABLE_LPIS);
	if (!(readl(rd + GICR_CTLR) & GICR_CTLR_ENABLE_LPIS)) {
		kprintf("msi: GICR_CTLR.EnableLPIs does not stick: PCI stays on INTx\n");
		return -EIO;
	}
	return 0;
}

/* The table GITS_BASER<n> asks for, `ids` entries, flat; 0 or -errno. */
static int its_table(unsigned n, u64 baser, u64 ids)
{
	static const u32 page_sizes[] = { 0x1000, 0x4000, 0x10000, 0 /* reserved */ };
	u32 page = page_sizes[BASER_PAGE_SIZE(baser)], esize = BASER_ENTRY_SIZE(baser);
	u64 bytes, pages, val, got;
	void *table;
	u64 pa;

	if (!page) {
		kprintf("msi: ITS GITS_BASER%u 0x%llx: reserved page size: PCI stays on INTx\n", n,
			(unsigned long long)baser);
		return -EIO;
	}
	bytes = ids * esize;
	pages = (bytes + page - 1) / page;
	if (pages == 0)
		pages = 1;
	if (pages > BASER_SIZE_MAX) {
		kprintf("msi: ITS table %u: %llu entries of %u bytes do not fit %u pages of %u\n",
			n, (unsigned long long)ids, esize, BASER_SIZE_MAX, page);
		return -ENOSPC;
	}
	table = boot_alloc(pages * page, page);
	if (!table)
		return -ENOMEM;
	its_clean(table, pages * page);
	pa = virt_to_phys(table);
	if (pa >= ITS_PA_LIMIT)
		return -ERANGE;
	/* Keep the read-only Type and Entry_Size, and the page size it reported. */
	val = (baser & ((7ull << 56) | (0x1full << 48) | (3ull << 8))) | BASER_VALID |
	      ITS_INNER_WB | ITS_SH_INNER | pa | (pages - 1);
	write64(its_base + GITS_BASER(n), val);
	got = read64(its_base + GITS_BASER(n));
	if (!(got & ITS_SH_MASK)) {
		val = (val & ~ITS_SH_MASK & ~ITS_INNER_MASK) | ITS_INNER_NC;
		write64(its_base + GITS_BASER(n), val);
		got = read64(its_base + GITS_BASER(n));
	}
	if ((got & ~(ITS_SH_MASK | ITS_INNER_MASK | (7ull << 53))) !=
	    (val & ~(ITS_SH_MASK | ITS_INNER_MASK | (7ull << 53)))) {
		kprintf("msi: ITS GITS_BASER%u keeps 0x%llx of 0x%llx: PCI stays on INTx\n", n,
			(unsigned long long)got, (unsigned long long)val);
		return -EIO;
	}
	return 0;
}

int its_init(u64 base, u64 size)
{
	const struct platform *p = aarch64_platform;
	uintptr_t gicd, rd = gic_v3_rd(&gicd);
	u64 start, baser, cbaser, devs;
	bool have_dev = false, have_coll = false;
	int err;

	if (size < 0x20000)
		return -EINVAL; /* lib/dt_platform.c checked; never */
	its_base = (uintptr_t)base;
	its_typer = read64(its_base + GITS_TYPER);
	its_devbits = GITS_TYPER_DEVBITS(its_typer) + 1;
	its_itt_entry = GITS_TYPER_ITT_SIZE(its_typer) + 1;
	if (!(its_typer & GITS_TYPER_PHYSICAL) ||
	    GITS_TYPER_IDBITS(its_typer) + 1 < ITS_EVENT_BITS || its_devbits < 8) {
		kprintf("msi: ITS at 0x%08llx: GITS_TYPER 0x%llx (no physical LPIs, or too "
			"few event or device ID bits): PCI stays on INTx\n",
			(unsigned long long)base, (unsigned long long)its_typer);
		return -EOPNOTSUPP;
	}
	err = its_lpis_on(rd, gicd);
	if (err)
		return err;

	/* Disabled and quiescent before the tables change. */
	writel(its_base + GITS_CTLR, readl(its_base + GITS_CTLR) & ~GITS_CTLR_ENABLED);
	start = arch_time_ns();
	while (!(readl(its_base + GITS_CTLR) & GITS_CTLR_QUIESCENT)) {
		if (!its_wait_ms(start, ITS_CMD_MS)) {
			kprintf("msi: ITS at 0x%08llx never quiescent: PCI stays on INTx\n",
				(unsigned long long)base);
			return -ETIMEDOUT;
		}
		arch_cpu_relax();
	}

	/* Device IDs = requester IDs of the host's buses. */
	devs = (u64)(p->pci.present ? p->pci.bus_end + 1 : 256) << 8;
	if (its_devbits < 32 && devs > BIT64(its_devbits))
		devs = BIT64(its_devbits);
	for (unsigned n = 0; n < GITS_NBASER; n++) {
		baser = read64(its_base + GITS_BASER(n));
		if (BASER_TYPE(baser) == BASER_TYPE_DEVICE && !have_dev) {
			err = its_table(n, baser, devs);
			have_dev = true;
		} else if (BASER_TYPE(baser) == BASER_TYPE_COLLECTION && !have_coll) {
			err = its_table(n, baser, ITS_COLLECTION + 1);
			have_coll = true;
		}
		if (err)
			return err;
	}
	if (!have_dev) {
		kprintf("msi: ITS at 0x%08llx has no device table: PCI stays on INTx\n",
			(unsigned long long)base);
		return -EOPNOTSUPP;
	}
	/* No collection table: GITS_TYPER.HCC collections live in the ITS. */
	if (!have_coll && ((its_typer >> 24) & 0xff) <= ITS_COLLECTION) {
		kprintf("msi: ITS at 0x%08llx has no collection table: PCI stays on INTx\n",
			(unsigned long long)base);
		return -EOPNOTSUPP;
	}

	its_cmdq = boot_alloc(ITS_CMDQ_SIZE, 0x10000);
	if (!its_cmdq)
		return -ENOMEM;
	cbaser = virt_to_phys(its_cmdq) | BASER_VALID | ITS_INNER_WB | ITS_SH_INNER |
		 (ITS_CMDQ_SIZE / 0x1000 - 1);
	write64(its_base + GITS_CBASER, cbaser);
	if (!(read64(its_base + GITS_CBASER) & ITS_SH_MASK)) {
		cbaser = (cbaser & ~ITS_SH_MASK & ~ITS_INNER_MASK) | ITS_INNER_NC;
		write64(its_base + GITS_CBASER, cbaser);
	}
	its_cwriter = 0;
	writel(its_base + GITS_CWRITER, 0);
	writel(its_base + GITS_CTLR, readl(its_base + GITS_CTLR) | GITS_CTLR_ENABLED);
	if (!(readl(its_base + GITS_CTLR) & GITS_CTLR_ENABLED)) {
		kprintf("msi: ITS at 0x%08llx does not enable: PCI stays on INTx\n",
			(unsigned long long)base);
		return -EIO;
	}

	/* Collection 0 is this CPU's redistributor. */
	its_rdbase = its_typer & GITS_TYPER_PTA ? (u64)rd >> 16
						: GICR_TYPER_PROCNUM(read64(rd + GICR_TYPER));
	{
		u64 mapc[4] = { ITS_CMD_MAPC, 0, ITS_CMD_VALID | its_rdbase << 16 | ITS_COLLECTION,
				0 };

		err = its_cmd(mapc);
	}
	if (!err)
		err = its_sync();
	if (err)
		return err;
	its_ndevids = devs;
	kprintf("msi: ITS at 0x%08llx, %llu device IDs, LPIs %u..%u\n", (unsigned long long)base,
		(unsigned long long)devs, GIC_LPI_BASE, GIC_LPI_BASE + ITS_LPIS - 1);
	return 0;
}

/* The device's entry, mapped to a new ITT on first use, or NULL. */
static struct its_device *its_device(u32 devid, int *err)
{
	struct its_device *d;
	void *itt;

	for (unsigned i = 0; i < its_ndev; i++) {
		if (its_dev[i].devid == devid)
			return &its_dev[i];
	}
	*err = -ENOSPC;
	if (its_ndev == ITS_MAX_DEVICES)
		return NULL;
	itt = boot_alloc(BIT(ITS_EVENT_BITS) * its_itt_entry, 256);
	if (!itt) {
		*err = -ENOMEM;
		return NULL;
	}
	its_clean(itt, BIT(ITS_EVENT_BITS) * its_itt_entry);
	{
		u64 mapd[4] = { ITS_CMD_MAPD | (u64)devid << 32, ITS_EVENT_BITS - 1,
				ITS_CMD_VALID | virt_to_phys(itt), 0 };

		*err = its_cmd(mapd);
	}
	if (*err)
		return NULL;
	d = &its_dev[its_ndev++];
	*d = (struct its_device){ devid, 0 };
	return d;
}

int its_alloc(u32 devid, u32 *irq, u64 *addr, u32 *data)
{
	struct its_device *d;
	u32 lpi, event;
	int err = 0;

	if (its_broken)
		return -EIO;
	/* Past the flat table the ITS would write beyond our memory. */
	if (devid >= its_ndevids)
		return -EINVAL;
	if (its_lpis_used == ITS_LPIS)
		return -ENOSPC;
	d = its_device(devid, &err);
	if (!d)
		return err;
	if (d->events == BIT(ITS_EVENT_BITS))
		return -ENOSPC;
	event = d->events;
	lpi = GIC_LPI_BASE + its_lpis_used;
	its_prop[lpi - GIC_LPI_BASE] = ITS_LPI_PRIO;
	its_clean(&its_prop[lpi - GIC_LPI_BASE], 1);
	{
		u64 mapti[4] = { ITS_CMD_MAPTI | (u64)devid << 32, event | (u64)lpi << 32,
				 ITS_COLLECTION, 0 };
		u64 inv[4] = { ITS_CMD_INV | (u64)devid << 32, event, 0, 0 };

		err = its_cmd(mapti);
		if (!err)
			err = its_cmd(inv);
	}
	if (!err)
		err = its_sync();
	if (err)
		return err;
	d->events++;
	its_lpis_used++;
	*irq = lpi;
	*addr = (u64)its_base + GITS_TRANSLATER; /* from the tree: a bus address */
	*data = event;
	return 0;
}
