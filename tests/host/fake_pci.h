/*
 * tests/host/fake_pci.h - a fake ECAM configuration space for host unit
 * tests of drivers/pci (PCI Local Bus 3.0, 6.1; PCI-to-PCI Bridge 1.2,
 * 3.2; PCI Express 4.0, 7.2.2).
 *
 * Interface: fpci_init() installs a struct fake_pci as the host_io model
 * (arch/host), so readb/w/l and writeb/w/l in its ECAM window reach it.
 * The test builds a topology: functions on the root bus and on the buses
 * behind bridges, each with BARs of given sizes and types and raw
 * configuration bytes (capability lists, firmware-assigned BARs).
 *
 * It behaves like hardware where the driver can get it wrong:
 *  - a BAR keeps only the address bits its size allows and its type bits
 *    are read-only, so the all-ones sizing write reads back ~(size - 1)
 *    with the type bits (an I/O BAR made with FPCI_IO16 decodes 16 bits:
 *    its upper half reads 0);
 *  - only writable registers change (command, BARs, interrupt line,
 *    bridge bus numbers and windows; the low type nibbles of the bridge
 *    window registers are read-only), the status register ignores writes;
 *  - type 1 configuration cycles are routed through bridges by their
 *    secondary/subordinate registers as the driver programmed them: a
 *    function behind a bridge is reachable only once the bridge is
 *    numbered, and absent functions read all-ones;
 *  - a single-function device made with `alias` answers as every function
 *    number, like hardware that decodes only the device number.
 *
 * Checks: every access outside the ECAM window, misaligned or of an odd
 * width, a BAR written while its function decodes that space (sizing with
 * decoding on), a 32-bit write over COMMAND that would clear STATUS bits,
 * and a bus number claimed by two bridges bump `violations` and are
 * described in `last_violation`; tests assert there were none.
 */
#ifndef ORDO_TESTS_FAKE_PCI_H
#define ORDO_TESTS_FAKE_PCI_H

#include "lib/types.h"

#define FPCI_ECAM 0x40000000u /* default ECAM base for tests */
#define FPCI_MAX_FNS 80
#define FPCI_MAX_BUSES 16
#define FPCI_CFG_SIZE 4096

/* Fake-only BAR flag: an I/O BAR that decodes 16 address bits. */
#define FPCI_IO16 0x10000u

struct fpci_bus;

struct fpci_fn {
	u8 cfg[FPCI_CFG_SIZE];
	u8 wmask[FPCI_CFG_SIZE]; /* writable bits of each byte */
	u64 bar_size[6];	 /* 0: not implemented (or upper half) */
	u32 bar_flags[6];	 /* PCI_BASE_ADDRESS_* low bits, FPCI_IO16 */
	struct fpci_bus *child;	 /* bridges: the bus behind */
	bool alias;		 /* answers as every function number */
	unsigned bar_writes;	 /* BAR register writes seen */
};

struct fpci_bus {
	struct fpci_fn *fn[32][8];
};

struct fake_pci {
	uintptr_t ecam;
	u32 bus_start, bus_end;
	struct fpci_bus root;
	struct fpci_fn fns[FPCI_MAX_FNS];
	unsigned nfns;
	struct fpci_bus buses[FPCI_MAX_BUSES];
	unsigned nbuses;
	unsigned reads, writes;
	unsigned violations;
	char last_violation[160];
};

/* Reset f to an empty root bus at ecam for buses bus_start..bus_end, and
 * install it as host_io. */
void fpci_init(struct fake_pci *f, uintptr_t ecam, u32 bus_start, u32 bus_end);

/* Uninstall (host_io reads all-ones again). */
void fpci_destroy(struct fake_pci *f);

/*
 * Add a type 0 function at dev.fn of bus (&f->root for the root bus):
 * revision 1, subsystem 1af4:1100, INTA, no BARs, no capabilities.  Adding
 * a function other than 0 marks function 0 multi-function.
 */
struct fpci_fn *fpci_add(struct fake_pci *f, struct fpci_bus *bus, u8 dev, u8 fn, u16 vendor,
			 u16 device, u32 class_code);

/* Add a PCI-to-PCI bridge (QEMU's pci-bridge, 1b36:0001) with an empty
 * bus behind it (->child); pref64/io32: window register widths. */
struct fpci_fn *fpci_add_bridge(struct fake_pci *f, struct fpci_bus *bus, u8 dev, u8 fn,
				bool pref64, bool io32);

/*
 * Give BAR i a size (a power of two) and its type flags: 0 (32-bit mem),
 * PCI_BASE_ADDRESS_SPACE_IO, PCI_BASE_ADDRESS_MEM_TYPE_64 (takes i + 1
 * too), | PCI_BASE_ADDRESS_MEM_PREFETCH, | FPCI_IO16.
 */
void fpci_bar(struct fpci_fn *fn, unsigned i, u64 size, u32 flags);

/* Set BAR i's address as firmware would (low bits are kept). */
void fpci_set_bar(struct fpci_fn *fn, unsigned i, u64 addr);

/* The address BAR i holds (type bits masked). */
u64 fpci_bar_addr(const struct fpci_fn *fn, unsigned i);

/* Raw configuration bytes, bypassing write masks (little-endian). */
void fpci_poke8(struct fpci_fn *fn, u16 off, u8 v);
void fpci_poke16(struct fpci_fn *fn, u16 off, u16 v);
u8 fpci_peek8(const struct fpci_fn *fn, u16 off);
u16 fpci_peek16(const struct fpci_fn *fn, u16 off);
u32 fpci_peek32(const struct fpci_fn *fn, u16 off);

/* Capability entry at off: id and next pointer; sets STATUS_CAP_LIST. */
void fpci_cap(struct fpci_fn *fn, u8 off, u8 id, u8 next);

#endif
