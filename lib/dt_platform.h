/*
 * lib/dt_platform.h - what the kernel needs to know about the machine
 * (struct platform), and how it is read from a device tree.
 *
 * Interface: dt_platform_parse() validates the blob the boot loader passed
 * (lib/fdt.h) and collects, in one pass, the RAM regions, the kernel
 * command line, the virtio-mmio transports, the generic ECAM PCI host and
 * the interrupt controller their interrupts go to.  The result is plain
 * data; nothing else in the kernel touches the blob.  Machines without a
 * device tree (x86_64: arch/x86_64/platform.c) fill the same struct from
 * their own firmware tables; its parts keep the device tree's vocabulary.
 *
 * All addresses are CPU physical addresses: reg and ranges values are
 * translated through every ancestor's "ranges" (Devicetree Specification
 * v0.4, 2.3.8), and an item a bus does not map is left out.
 */
#ifndef ORDO_LIB_DT_PLATFORM_H
#define ORDO_LIB_DT_PLATFORM_H

#include "lib/types.h"

#define DT_MAX_MEM 8
#define DT_MAX_RESERVED 16
#define DT_MAX_VIRTIO_MMIO 64
#define DT_MAX_PCI_RANGES 8
#define DT_MAX_IRQ_CELLS 3

/* One RAM region (a pair of a /memory node's reg, 3.4). */
struct dt_region {
	u64 base, size;
};

/*
 * A node compatible with "virtio,mmio" whose status is okay.  irq[] is the
 * first specifier of "interrupts" (2.4.1.1), raw, in the interrupt
 * parent's format (GIC: type, number, flags).  irq_cells is the number of
 * valid cells; 0 if the node has no interrupts or the parent's
 * #interrupt-cells exceeds DT_MAX_IRQ_CELLS, in which case a driver has to
 * poll.  The transport may still be empty (device ID 0): the tree lists
 * every slot, the driver probes.
 */
struct dt_virtio_mmio {
	u64 base, size;
	u32 irq[DT_MAX_IRQ_CELLS];
	u32 irq_cells;
};

/* Address space of a PCI window: phys.hi bits 24-25 (PCI bus binding). */
#define DT_PCI_SPACE_IO 1
#define DT_PCI_SPACE_MEM32 2
#define DT_PCI_SPACE_MEM64 3

/* One window of a PCI host's "ranges": PCI bus addresses pci_addr..+size
 * appear to the CPU at cpu_addr. */
struct dt_pci_range {
	u32 space;     /* DT_PCI_SPACE_* */
	bool prefetch; /* phys.hi bit 30 */
	u64 pci_addr, cpu_addr, size;
};

/*
 * One entry of the host's "interrupt-map" (IEEE 1275 PCI binding; Linux
 * pci/pci.txt): a function whose masked phys.hi (bus << 16 | dev << 11 |
 * fn << 8) and pin match raises irq[] at its interrupt parent (raw cells).
 */
#define DT_MAX_PCI_INTMAP 128 /* one per slot and pin: x86 q35 */

struct dt_pci_intmap {
	u32 child_hi, pin;
	u32 irq[DT_MAX_IRQ_CELLS];
	u32 irq_cells;
};

/* The first available node compatible with "pci-host-ecam-generic". */
struct dt_pci_host {
	bool present;
	u64 ecam_base, ecam_size; /* 1 MiB of config space per bus */
	u32 bus_start, bus_end;	  /* "bus-range", default 0..255 */
	struct dt_pci_range ranges[DT_MAX_PCI_RANGES];
	unsigned nranges;
	/* INTx routing; nintmap = 0 if absent or not understood. */
	u32 intmap_mask_hi, intmap_mask_pin;
	struct dt_pci_intmap intmap[DT_MAX_PCI_INTMAP];
	unsigned nintmap;
};

/*
 * The interrupt of pin `pin` (1..4) of the function at bus/dev/fn on the
 * host's own bus (functions behind bridges must be swizzled to their root
 * port first), or NULL if the map has no entry.
 */
const struct dt_pci_intmap *dt_pci_intx(const struct dt_pci_host *pci, u32 bus, u32 dev, u32 fn,
					u32 pin);

/* Interrupt controllers the ports know, by compatible string. */
enum dt_intc_kind {
	DT_INTC_NONE,  /* the tree names none: the port uses its default */
	DT_INTC_OTHER, /* a controller of a kind no port drives */
	DT_INTC_GICV2, /* arm,gic-400, arm,cortex-a15-gic, ... (arm,gic.yaml) */
	DT_INTC_GICV3, /* arm,gic-v3 (arm,gic-v3.yaml; GICv4 too) */
	DT_INTC_PLIC,  /* sifive,plic-1.0.0, riscv,plic0 */
	DT_INTC_APLIC, /* riscv,aplic, qemu,aplic (riscv,aplic.yaml): one domain */
};

/* How an APLIC domain delivers its interrupts (AIA 1.0, 4.5.1 domaincfg.DM). */
enum dt_aplic_mode {
	DT_APLIC_NONE,	 /* refused: see dt_intc.aplic_refusal */
	DT_APLIC_DIRECT, /* by wire to each hart's IDC ("interrupts-extended") */
	DT_APLIC_MSI,	 /* as MSIs to the S-level IMSIC ("msi-parent") */
};

#define DT_MAX_INTC_REGS 4

/*
 * The interrupt controller the disks' interrupts go to: the interrupt
 * parent (2.4.1) of the first virtio-mmio node with interrupts, else the
 * parent the PCI host's interrupt-map names first, else the root's
 * interrupt-parent; the node must carry "interrupt-controller" and be
 * available.  reg[] holds its register regions in DT order, in CPU
 * addresses, up to the first one the buses do not map:
 *   GICv2  distributor, CPU interface (then hypervisor, virtual CPU)
 *   GICv3  distributor, redistributor region(s), ...
 *   PLIC   the whole register block
 *   APLIC  the domain's control region
 */
#define DT_MAX_PLIC_CONTEXTS 32

/*
 * A PLIC context that takes a hart's supervisor external interrupt: entry
 * `context` of the controller's "interrupts-extended" names interrupt 9
 * (S-mode external) of the "riscv,cpu-intc" of the cpu node whose reg is
 * `hartid` (sifive,plic-1.0.0.yaml; riscv/cpus.yaml).
 */
struct dt_plic_context {
	u32 hartid, context;
};

/*
 * An APLIC domain in direct mode: entry `idc` of its "interrupts-extended"
 * names hart `hartid`'s supervisor external interrupt, so interrupt
 * delivery control structure `idc` (registers at 0x4000 + 32 * idc) and
 * hart index `idc` in the target registers are that hart's.
 */
#define DT_MAX_APLIC_IDCS 32

struct dt_aplic_idc {
	u32 hartid, idc;
};

struct dt_intc {
	u32 kind; /* enum dt_intc_kind */
	struct dt_region reg[DT_MAX_INTC_REGS];
	unsigned nreg;
	/*
	 * PLIC only: "riscv,ndev" (0 if absent) and the S-mode contexts;
	 * plic_ctx_listed says the node has "interrupts-extended" at all
	 * (a list without S-mode contexts for a hart means it has none).
	 */
	u32 plic_ndev;
	struct dt_plic_context plic_ctx[DT_MAX_PLIC_CONTEXTS];
	unsigned nplic_ctx;
	bool plic_ctx_listed;
	/*
	 * APLIC only (riscv,aplic.yaml; AIA 1.0 chapter 4), the S-level
	 * domain: "riscv,num-sources" (1..1023), the delivery mode, and in
	 * direct mode every hart's IDC.  A node the kernel cannot drive has
	 * aplic_mode DT_APLIC_NONE and aplic_refusal saying why (reg not
	 * 4 KiB aligned or too small for the registers and IDCs, num-sources
	 * missing or out of range, neither interrupts-extended naming
	 * supervisor external interrupts nor msi-parent naming the S-level
	 * IMSIC: the M-level domain is firmware's); the port then polls.
	 * The parser does not know which hart boots: the port picks its IDC.
	 */
	u32 aplic_nsources;
	u32 aplic_mode; /* enum dt_aplic_mode */
	struct dt_aplic_idc aplic_idc[DT_MAX_APLIC_IDCS];
	unsigned naplic_idc;
	const char *aplic_refusal; /* static text; NULL when aplic_mode is set */
};

/*
 * The MSI controller PCI functions write to (kinds a port may drive).
 * Exactly one is kept: the first okay node of a known kind.
 */
enum dt_msi_kind {
	DT_MSI_NONE,
	DT_MSI_GICV2M, /* arm,gic-v2m-frame (arm,gic.yaml): writes set SPIs */
	DT_MSI_ITS,    /* arm,gic-v3-its (arm,gic-v3.yaml): writes become LPIs */
	DT_MSI_IMSIC,  /* riscv,imsics (riscv,imsics.yaml): S-level file */
};

/*
 * IMSIC: one hart's S-level interrupt file (one 4 KiB page; its first
 * word is seteipnum_le), by the hart ID of the cpu node that
 * "interrupts-extended" names at the file's position.
 */
#define DT_MAX_IMSIC_FILES 32

struct dt_imsic_file {
	u32 hartid;
	u64 base;
};

struct dt_msi {
	u32 kind; /* enum dt_msi_kind */
	/* GICv2m: the frame; ITS: its registers; IMSIC: unused (imsic[]). */
	struct dt_region reg;
	u32 base;  /* GICv2m: "arm,msi-base-spi" (0: read MSI_TYPER) */
	u32 count; /* GICv2m: "arm,msi-num-spis"; IMSIC: "riscv,num-ids" */
	/*
	 * IMSIC only: the S-level file of every hart the node serves, worked
	 * out of its reg groups.  The parser does not know which hart boots:
	 * the port picks its own here (as from dt_intc.plic_ctx[]).
	 */
	struct dt_imsic_file imsic[DT_MAX_IMSIC_FILES];
	unsigned nimsic;
};

/* UARTs the ports can write to, by compatible string. */
enum dt_uart_kind {
	DT_UART_NONE,	 /* no usable stdout-path: the port's default */
	DT_UART_OTHER,	 /* a console of a kind no port drives */
	DT_UART_PL011,	 /* arm,pl011 (arm,pl011.yaml) */
	DT_UART_NS16550, /* ns16550a, ns16550, ns16450, snps,dw-apb-uart (8250.yaml) */
};

/*
 * The console: the node /chosen "stdout-path" (3.6) names, either as a
 * path or as an alias of /aliases, with any ":options" suffix ignored.
 * 16550 registers are 1 << reg_shift bytes apart and reg_io_width bytes
 * wide (1 or 4; "reg-shift", "reg-io-width", defaults 0 and 1).  Values
 * the tree gets wrong (a width of 3, a shift above 4) leave kind
 * DT_UART_OTHER: no port guesses.
 */
struct dt_console {
	u32 kind; /* enum dt_uart_kind */
	u64 base, size;
	u32 reg_shift, reg_io_width;
};

/*
 * The Arm architected timer (arm,armv8-timer; arm,arch_timer.yaml): the
 * raw specifier of its virtual timer interrupt (the third of its
 * "interrupts": secure phys, non-secure phys, virtual, hypervisor),
 * irq_cells 0 if absent; "clock-frequency" (only firmware that fails to
 * program CNTFRQ sets it), 0 if absent.  On RISC-V: /cpus
 * "timebase-frequency" in freq, no interrupt.
 */
struct dt_timer {
	u32 virt_irq[DT_MAX_IRQ_CELLS];
	u32 virt_irq_cells;
	u64 freq;
};

/* How to reach PSCI (arm,psci.yaml "method"). */
enum dt_psci_method { DT_PSCI_NONE, DT_PSCI_HVC, DT_PSCI_SMC };

/*
 * Power-off register: a "sifive,test0" device (write 0x5555 to power off,
 * (code << 16) | 0x3333 to report a failure), or "syscon-poweroff"
 * (syscon-poweroff.yaml: write `value` under `mask` at regmap + offset).
 * sifive,test0 wins when both are present (it can carry a status).
 */
enum dt_poweroff_kind { DT_POWEROFF_NONE, DT_POWEROFF_SIFIVE_TEST, DT_POWEROFF_SYSCON };

struct dt_poweroff {
	u32 kind; /* enum dt_poweroff_kind */
	u64 base; /* the register (CPU address) */
	u32 value, mask;
};

struct platform {
	struct dt_region mem[DT_MAX_MEM];
	unsigned nmem;
	/*
	 * RAM that is not ours: the memory reservation block (5.3) and every
	 * statically placed child of /reserved-memory (3.5.2; firmware such
	 * as OpenSBI lists its own region there).  Never to be allocated.
	 */
	struct dt_region reserved[DT_MAX_RESERVED];
	unsigned nreserved;
	/* /chosen "bootargs" (3.6), pointing into the blob; NULL if absent. */
	const char *bootargs;
	struct dt_virtio_mmio vmmio[DT_MAX_VIRTIO_MMIO]; /* in DT order */
	unsigned nvmmio;
	struct dt_pci_host pci;
	struct dt_intc intc;
	struct dt_msi msi; /* kind DT_MSI_NONE: none found */
	struct dt_console console;
	struct dt_timer timer;
	u32 psci; /* enum dt_psci_method; DT_PSCI_NONE without a /psci node */
	struct dt_poweroff poweroff;
	/* The root's "model" (3.2), pointing into the blob; NULL if absent. */
	const char *model;
	/* More memory regions, virtio-mmio nodes, PCI windows or PCI hosts
	 * than fit: the first ones were kept, the rest dropped. */
	bool truncated;
};

/*
 * Parse the device tree at @blob, of which @avail bytes are readable, into
 * *@out.  The blob must stay in place while out->bootargs is used.
 * Returns 0; on error *@out is zeroed and the result is a negative errno:
 * those of fdt_init() and fdt_check() for a malformed blob, -EBADMSG for
 * malformed content the platform depends on (a reg or interrupts of the
 * wrong length, unterminated bootargs, a region that wraps past 2^64, an
 * ECAM window smaller than its bus range), -ERANGE for an address wider
 * than 64 bits.
 */
int dt_platform_parse(const void *blob, size_t avail, struct platform *out);

#endif
