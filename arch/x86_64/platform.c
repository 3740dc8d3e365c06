/*
 * arch/x86_64/platform.c - x86 platform discovery: what the device tree
 * says on the other ports, from the PVH start info and the chipset.
 *
 * Interface: x86_platform_discover() and x86_machine_name() (asm/boot.h).
 * The result is the same plain-data struct platform kmain() gets from
 * dt_platform_parse() elsewhere; nothing above arch/ knows the difference.
 *
 *   RAM           the PVH memory map's RAM entries (struct hvm_start_info
 *                 version >= 1, Xen's public/arch-x86/hvm/start_info.h),
 *                 clipped to start at 1 MiB: below that are the real-mode
 *                 area, the BIOS data areas and ROMs, and the start info
 *                 itself.  Without a map (version 0): the CMOS extended
 *                 memory registers, as QEMU fills them.
 *   command line  copied out of the start info (so the memory it sits in
 *                 needs no reservation); "" if there is none.
 *   virtio-mmio   "virtio_mmio.device=" entries of the command line
 *                 (vmmio_cmdline.c): QEMU's microvm appends one per device
 *                 when booted with acpi=off.
 *   PCI           the q35 (ICH9/MCH) host bridge, found at 00:00.0 through
 *                 configuration mechanism #1 (ports 0xcf8/0xcfc, PCI Local
 *                 Bus 3.0, 3.2.2.3.2).  Its PCIEXBAR register (MCH config
 *                 0x60, 64-bit: enable bit 0, length bits 2:1 = 256/128/64
 *                 MiB, base above them) says where ECAM is: that is the
 *                 MCFG table's content, read from the chipset rather than
 *                 ACPI.  SeaBIOS enables it at 0xb0000000; if the firmware
 *                 left it off (qboot), we enable it there ourselves.
 *                 Windows: all 64 KiB of port I/O (a BAR's CPU address is
 *                 its port number: asm/io.h), and the 32-bit memory hole
 *                 between the top of low RAM and the IOAPIC at 0xfec00000,
 *                 or only its part above ECAM when ECAM lies in it (ECAM
 *                 at 0xb0000000: 0xc0000000-0xfebfffff).  SeaBIOS puts
 *                 BARs there (top down from 0xfec00000), so pci.c keeps
 *                 them; under qboot pci.c places them there itself.  No
 *                 64-bit window: 64-bit BARs go below 4 GiB too.
 *                 INTx: the IOAPIC sees PIRQ A..H as GSI 16..23, level,
 *                 active high.  Slots 25-31 route each pin to a PIRQ
 *                 through their D25IR..D31IR registers in the chipset
 *                 configuration block (ICH9 datasheet, "Chipset
 *                 Configuration Registers": its base is RCBA, LPC config
 *                 0xf0; D31IR is at +0x3140; nibble n of DxIR names pin
 *                 n + 1's PIRQ), which we read.  The other slots have no such register:
 *                 QEMU's q35 wires INTA..D of slot s to PIRQ E..H as
 *                 (s + pin - 1) mod 4 (its ICH9 LPC default routing,
 *                 which its ACPI _PRT describes), so GSI 20 + (s + pin -
 *                 1) mod 4.  The result is an interrupt-map with one
 *                 entry per slot and pin (mask <0xf800 0 0 7>).  If RCBA
 *                 is off (qboot), we enable it at 0xfed1c000 as SeaBIOS
 *                 does; if it is elsewhere (not below 4 GiB UC for
 *                 certain), slots 25-31 get no entry and are polled.  ECAM above 4 GiB (beyond the boot page tables)
 *                 is refused.
 *
 * The i440fx "pc" machine has no ECAM: it is recognised and refused with a
 * message (its devices stay unused).
 */
#include "arch/arch.h"
#include "arch/x86_64/vmmio_cmdline.h"
#include "lib/dt_platform.h"
#include "lib/printf.h"
#include "lib/string.h"
#include <asm/boot.h>
#include <asm/io.h>

/* struct hvm_start_info and its memory map (version 1). */
struct hvm_start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	u32 memmap_entries, reserved;
};
struct hvm_memmap_entry {
	u64 addr, size;
	u32 type, reserved;
};
#define HVM_MEMMAP_TYPE_RAM 1
#define HVM_MEMMAP_MAX 128

#define CMDLINE_MAX 2048
#define LOW_RAM_END 0x100000ull /* 1 MiB */
#define FOUR_GIB (1ull << 32)

/* CMOS: extended memory in KiB above 1 MiB, and in 64 KiB above 16 MiB. */
#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define CMOS_EXT_KB_LO 0x30
#define CMOS_EXT_KB_HI 0x31
#define CMOS_EXT64K_LO 0x34
#define CMOS_EXT64K_HI 0x35

/* PCI configuration mechanism #1. */
#define PCI_CONF1_ADDR 0xcf8
#define PCI_CONF1_DATA 0xcfc
#define PCI_CONF1_ENABLE 0x80000000u

#define Q35_MCH_ID 0x29c08086u /* vendor 8086, device 29c0 */
#define I440FX_ID 0x12378086u  /* the "pc" machine's host bridge */
#define Q35_PCIEXBAR 0x60      /* low dword; high dword at 0x64 */
#define Q35_PCIEXBAR_EN 0x1u
#define Q35_ECAM_DEFAULT 0xb0000000u  /* where SeaBIOS puts it, 256 MiB */
#define X86_IOAPIC_BASE 0xfec00000ull /* the 32-bit hole ends here */
#define Q35_PIRQA_GSI 16u
#define Q35_PIRQE_GSI 20u
#define Q35_LPC_DEV 31u	  /* 00:1f.0, the ICH9 LPC bridge */
#define Q35_LPC_RCBA 0xf0 /* root complex base address, bit 0 enable */
#define Q35_RCBA_EN 0x1u
#define Q35_RCBA_MASK 0xffffc000u
#define Q35_RCBA_DEFAULT 0xfed1c000u /* where SeaBIOS (and PC firmware) put it */
#define Q35_FIRST_DXIR_SLOT 25u
#define IRQ_TYPE_LEVEL_HIGH 2u

/* Offsets of D25IR..D31IR in the chipset configuration block. */
static const u16 q35_dxir[7] = { 0x3150, 0x314c, 0x3148, 0x3146, 0x3144, 0x3142, 0x3140 };

static char cmdline_buf[CMDLINE_MAX];
static const char *machine = "(unknown machine)";

const char *x86_machine_name(void)
{
	return machine;
}

/* Point the data port at a dword of (bus, dev, fn)'s configuration. */
static void conf1_select(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	raw_outl(PCI_CONF1_ADDR, PCI_CONF1_ENABLE | bus << 16 | dev << 11 | fn << 8 | (off & 0xfc));
}

static u32 conf1_read(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	conf1_select(bus, dev, fn, off);
	return raw_inl(PCI_CONF1_DATA);
}

static void conf1_write(unsigned bus, unsigned dev, unsigned fn, unsigned off, u32 v)
{
	conf1_select(bus, dev, fn, off);
	raw_outl(PCI_CONF1_DATA, v);
}

static void add_ram(struct platform *p, u64 base, u64 size)
{
	u64 end = base + size;

	if (end < base)
		end = UINT64_MAX; /* a map entry that wraps: up to the top */
	if (end <= LOW_RAM_END)
		return;
	base = MAX(base, LOW_RAM_END);
	if (p->nmem == DT_MAX_MEM) {
		p->truncated = true;
		kprintf("platform: more than %u RAM regions: 0x%llx+0x%llx ignored\n", DT_MAX_MEM,
			(unsigned long long)base, (unsigned long long)(end - base));
		return;
	}
	p->mem[p->nmem++] = (struct dt_region){ base, end - base };
}

static u8 cmos_read(u8 reg)
{
	raw_outb(CMOS_INDEX, reg);
	return raw_inb(CMOS_DATA);
}

/* No PVH memory map: the CMOS registers QEMU (and PC BIOSes) fill in. */
static void ram_from_cmos(struct platform *p)
{
	u64 ext64k = cmos_read(CMOS_EXT64K_LO) | (u64)cmos_read(CMOS_EXT64K_HI) << 8;
	u64 extkb = cmos_read(CMOS_EXT_KB_LO) | (u64)cmos_read(CMOS_EXT_KB_HI) << 8;

	if (ext64k)
		add_ram(p, LOW_RAM_END, (16ull << 20) - LOW_RAM_END + (ext64k << 16));
	else if (extkb)
		add_ram(p, LOW_RAM_END, extkb << 10);
	kprintf("platform: RAM from CMOS (no PVH memory map)\n");
}

/* RAM regions and command line from the start info. */
static void from_start_info(const struct hvm_start_info *si, struct platform *p)
{
	if (si->version >= 1 && si->memmap_paddr && si->memmap_entries &&
	    si->memmap_paddr < FOUR_GIB - HVM_MEMMAP_MAX * sizeof(struct hvm_memmap_entry)) {
		const struct hvm_memmap_entry *e =
			(const struct hvm_memmap_entry *)(uintptr_t)si->memmap_paddr;
		u32 n = si->memmap_entries;

		if (n > HVM_MEMMAP_MAX) {
			kprintf("platform: PVH memory map of %u entries: first %u used\n", n,
				HVM_MEMMAP_MAX);
			n = HVM_MEMMAP_MAX;
		}
		for (u32 i = 0; i < n; i++)
			if (e[i].type == HVM_MEMMAP_TYPE_RAM && e[i].size)
				add_ram(p, e[i].addr, e[i].size);
	} else {
		ram_from_cmos(p);
	}
	if (si->cmdline_paddr && si->cmdline_paddr < FOUR_GIB - CMDLINE_MAX) {
		const char *c = (const char *)(uintptr_t)si->cmdline_paddr;
		size_t n = 0;

		while (n < CMDLINE_MAX - 1 && c[n])
			n++;
		if (c[n])
			kprintf("platform: command line longer than %u bytes: truncated\n",
				CMDLINE_MAX - 1);
		memcpy(cmdline_buf, c, n);
		cmdline_buf[n] = '\0';
	}
}

/* Top of the RAM below 4 GiB (end of the highest region starting there). */
static u64 low_ram_top(const struct platform *p)
{
	u64 top = LOW_RAM_END;

	for (unsigned i = 0; i < p->nmem; i++)
		if (p->mem[i].base < FOUR_GIB)
			top = MAX(top, MIN(p->mem[i].base + p->mem[i].size, FOUR_GIB));
	return top;
}

static void add_range(struct dt_pci_host *h, u32 space, u64 base, u64 size)
{
	if (size && h->nranges < DT_MAX_PCI_RANGES)
		h->ranges[h->nranges++] = (struct dt_pci_range){
			.space = space, .pci_addr = base, .cpu_addr = base, .size = size
		};
}

static void intmap_add(struct dt_pci_host *h, u32 dev, u32 pin, u32 gsi)
{
	if (h->nintmap < DT_MAX_PCI_INTMAP)
		h->intmap[h->nintmap++] = (struct dt_pci_intmap){
			.child_hi = dev << 11,
			.pin = pin,
			.irq = { gsi, IRQ_TYPE_LEVEL_HIGH },
			.irq_cells = 2,
		};
}

/* INTx routing of every root-bus slot and pin (see the top of the file). */
static void q35_intmap(struct dt_pci_host *h)
{
	u32 rcba = conf1_read(0, Q35_LPC_DEV, 0, Q35_LPC_RCBA);

	h->intmap_mask_hi = 0xf800; /* the device number */
	h->intmap_mask_pin = 7;
	for (u32 dev = 0; dev < Q35_FIRST_DXIR_SLOT; dev++)
		for (u32 pin = 1; pin <= 4; pin++)
			intmap_add(h, dev, pin, Q35_PIRQE_GSI + (dev + pin - 1) % 4);
	if (!(rcba & Q35_RCBA_EN) || !(rcba & Q35_RCBA_MASK)) {
		kprintf("pci: q35 chipset configuration (RCBA) off: enabling it at 0x%x\n",
			Q35_RCBA_DEFAULT);
		conf1_write(0, Q35_LPC_DEV, 0, Q35_LPC_RCBA, Q35_RCBA_DEFAULT | Q35_RCBA_EN);
		rcba = conf1_read(0, Q35_LPC_DEV, 0, Q35_LPC_RCBA);
	}
	if (!(rcba & Q35_RCBA_EN) || (rcba & Q35_RCBA_MASK) != Q35_RCBA_DEFAULT) {
		kprintf("pci: q35 chipset configuration (RCBA 0x%x) unusable: slots %u-31 are "
			"polled\n",
			rcba, Q35_FIRST_DXIR_SLOT);
		return;
	}
	for (u32 dev = Q35_FIRST_DXIR_SLOT; dev < 32; dev++) {
		u16 dxir = readw((rcba & Q35_RCBA_MASK) + q35_dxir[dev - Q35_FIRST_DXIR_SLOT]);

		for (u32 pin = 1; pin <= 4; pin++)
			intmap_add(h, dev, pin, Q35_PIRQA_GSI + (dxir >> (4 * (pin - 1)) & 7));
	}
}

/* The q35 host bridge: ECAM from PCIEXBAR, the windows and INTx routing. */
static void q35_pci(struct platform *p)
{
	struct dt_pci_host *h = &p->pci;
	u32 lo = conf1_read(0, 0, 0, Q35_PCIEXBAR), hi = conf1_read(0, 0, 0, Q35_PCIEXBAR + 4);
	u64 size, base, ecam_end, hole = ALIGN_UP(low_ram_top(p), 1ull << 20);
	unsigned len = (lo >> 1) & 3;

	if (!(lo & Q35_PCIEXBAR_EN)) {
		kprintf("pci: q35 ECAM (PCIEXBAR) off: enabling it at 0x%x\n", Q35_ECAM_DEFAULT);
		conf1_write(0, 0, 0, Q35_PCIEXBAR + 4, 0);
		conf1_write(0, 0, 0, Q35_PCIEXBAR, Q35_ECAM_DEFAULT | Q35_PCIEXBAR_EN);
		lo = Q35_ECAM_DEFAULT | Q35_PCIEXBAR_EN;
		hi = 0;
		len = 0;
	}
	if (len == 3) {
		kprintf("pci: q35 PCIEXBAR 0x%08x%08x: reserved length: no PCI\n", hi, lo);
		return;
	}
	size = (256ull << 20) >> len;
	base = ((u64)hi << 32 | lo) & ~(size - 1) & ((1ull << 36) - 1);
	ecam_end = base + size;
	if (ecam_end > FOUR_GIB) {
		kprintf("pci: q35 ECAM at 0x%llx is above 4 GiB, which is not mapped: no PCI\n",
			(unsigned long long)base);
		return;
	}
	h->present = true;
	h->ecam_base = base;
	h->ecam_size = size;
	h->bus_start = 0;
	h->bus_end = (u32)(size >> 20) - 1;
	add_range(h, DT_PCI_SPACE_IO, 0, 0x10000);
	/*
	 * The 32-bit hole; if ECAM lies in it, the part above ECAM (SeaBIOS
	 * allocates top down from 0xfec00000, so its BARs are there), or the
	 * part below if ECAM reaches the top.  The window never holds ECAM.
	 */
	if (hole >= X86_IOAPIC_BASE)
		kprintf("pci: no 32-bit memory hole below 0x%llx: BARs cannot be placed\n",
			(unsigned long long)X86_IOAPIC_BASE);
	else if (ecam_end <= hole || base >= X86_IOAPIC_BASE)
		add_range(h, DT_PCI_SPACE_MEM32, hole, X86_IOAPIC_BASE - hole);
	else if (ecam_end < X86_IOAPIC_BASE)
		add_range(h, DT_PCI_SPACE_MEM32, ecam_end, X86_IOAPIC_BASE - ecam_end);
	else if (base > hole)
		add_range(h, DT_PCI_SPACE_MEM32, hole, base - hole);
	q35_intmap(h);
}

const char *x86_platform_discover(const void *start_info, struct platform *p)
{
	u32 id;

	memset(p, 0, sizeof(*p));
	if (start_info)
		from_start_info(start_info, p);
	else
		ram_from_cmos(p);
	p->bootargs = cmdline_buf;
	vmmio_cmdline_hoist(cmdline_buf, sizeof(cmdline_buf));
	vmmio_cmdline_parse(cmdline_buf, p);

	id = conf1_read(0, 0, 0, 0);
	if (id == Q35_MCH_ID) {
		machine = "q35";
		q35_pci(p);
	} else if (id == I440FX_ID) {
		machine = "pc (i440fx)";
		kprintf("pci: i440fx host bridge has no ECAM: PCI devices unused "
			"(boot with -M q35 or microvm)\n");
	} else if (p->nvmmio) {
		machine = "microvm";
	} else {
		machine = "(no PCI host bridge, no virtio-mmio)";
		kprintf("platform: no PCI host bridge and no virtio_mmio.device= on the command "
			"line: no devices (ACPI is not read: boot microvm with acpi=off)\n");
	}
	return cmdline_buf;
}
