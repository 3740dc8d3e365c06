/*
 * arch/x86_64/apic.c - the local APIC and the IOAPIC as wake-up sources
 * (see arch.h), and the 8259s put out of the way.
 *
 * The kernel runs with RFLAGS.IF = 0.  Unlike WFI on arm64 and RISC-V, HLT
 * only wakes for an interrupt the CPU can take, so arch_wait_irq() opens
 * the window for exactly one instruction: "sti; hlt".  STI delays
 * interrupt recognition until after the next instruction (Intel SDM vol.
 * 2B, STI), so an interrupt already pending, or arriving between the two,
 * ends the HLT instead of being missed.  The handler (trap.c) only records
 * the vector and returns with IF clear; no driver code runs at interrupt
 * time, as on the other ports.
 *
 *   device interrupt   IOAPIC input n is programmed (arch_irq_enable) to
 *                      raise vector VEC_IRQ_BASE + n at this CPU's local
 *                      APIC.  arch_wait_irq() returns n with the vector
 *                      still in service; the caller quiets the device and
 *                      arch_irq_eoi() writes the local APIC's EOI, which
 *                      (for a level-triggered input) the IOAPIC also sees:
 *                      if the line is still asserted it fires again.
 *   MSI                a PCI function writes vector VEC_MSI_BASE + k to
 *                      this CPU's local APIC (msi.c); arch_wait_irq()
 *                      returns vector - VEC_IRQ_BASE, so IOAPIC inputs and
 *                      MSIs share one numbering without overlapping; edge
 *                      triggered, ended by the same EOI.
 *   deadline           the local APIC timer, one-shot, on VEC_TIMER; its
 *                      EOI is immediate.  timer.c measured its rate.
 *
 * Interrupt specifiers ("interrupts" cells, as platform discovery writes
 * them) follow the device-tree binding of the x86 IOAPIC (Linux's
 * intel,ce4100-ioapic): two cells, <GSI type>, type 0 edge rising, 1 level
 * low, 2 level high, 3 edge falling.  The IOAPIC input is the GSI (one
 * IOAPIC, GSI base 0: PC and QEMU's q35 and microvm); GSI 0 (the legacy
 * timer) and active-low inputs are refused (the driver then polls).
 *
 * Addresses: the IOAPIC at 0xfec00000 is the PC default (an ACPI MADT or MP
 * table would say otherwise; this port reads neither); the local APIC base
 * comes from IA32_APIC_BASE, in xAPIC (memory-mapped) mode: a firmware that
 * left x2APIC mode on is undone through the disabled state (Intel SDM vol.
 * 3A, 10.12.5: x2APIC to xAPIC directly is not allowed).  The page tables
 * map both UC.  Single CPU.
 */
#include "arch/arch.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include <asm/boot.h>
#include <asm/io.h>

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_ENABLE (1u << 11)
#define APIC_BASE_X2APIC (1u << 10)
#define APIC_BASE_MASK 0xffffff000ull

/* Local APIC registers (Intel SDM vol. 3A, table 11-1). */
#define LAPIC_ID 0x020
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_SVR_ENABLE 0x100
#define LAPIC_ISR(n) (0x100 + 0x10 * (n)) /* in-service bits 32n..32n+31 */
#define LAPIC_ESR 0x280
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define LAPIC_TIMER_DIV_16 0x3
#define LVT_MASKED (1u << 16)

/* The PC default (see the top of this file): no MADT or MP table is read. */
#define IOAPIC_BASE 0xfec00000u
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))
#define IOREDTBL_LEVEL (1u << 15)
#define IOREDTBL_ACTIVE_LOW (1u << 13)
#define IOREDTBL_MASKED (1u << 16)

/* 8259 pair (Intel 8259A datasheet): ICW1-4, then the interrupt masks. */
#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

/* The binding's trigger types (see the top of the file). */
#define IRQ_TYPE_EDGE_RISING 0
#define IRQ_TYPE_LEVEL_HIGH 2

static uintptr_t lapic;
static unsigned ioapic_pins; /* 0: no IOAPIC */
static volatile u32 apic_taken;

static u32 lapic_read(unsigned reg)
{
	return readl(lapic + reg);
}

static void lapic_write(unsigned reg, u32 v)
{
	writel(lapic + reg, v);
}

static u32 ioapic_read(unsigned reg)
{
	writel(IOAPIC_BASE + IOAPIC_REGSEL, reg);
	return readl(IOAPIC_BASE + IOAPIC_WIN);
}

static void ioapic_write(unsigned reg, u32 v)
{
	writel(IOAPIC_BASE + IOAPIC_REGSEL, reg);
	writel(IOAPIC_BASE + IOAPIC_WIN, v);
}

static bool lapic_in_service(void)
{
	for (unsigned n = 0; n < 8; n++)
		if (lapic_read(LAPIC_ISR(n)))
			return true;
	return false;
}

/* Remap the 8259s off the exception vectors, then mask every input. */
static void pic_disable(void)
{
	raw_outb(PIC1_CMD, 0x11); /* ICW1: initialise, ICW4 follows */
	raw_outb(PIC2_CMD, 0x11);
	raw_outb(PIC1_DATA, VEC_PIC_BASE); /* ICW2: vector base */
	raw_outb(PIC2_DATA, VEC_PIC_BASE + 8);
	raw_outb(PIC1_DATA, 0x04); /* ICW3: slave on IR2 */
	raw_outb(PIC2_DATA, 0x02);
	raw_outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
	raw_outb(PIC2_DATA, 0x01);
	raw_outb(PIC1_DATA, 0xff);
	raw_outb(PIC2_DATA, 0xff);
}

void apic_init(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);
	u32 ver;

	pic_disable();
	if (base & APIC_BASE_X2APIC) {
		kprintf("arch: firmware left the local APIC in x2APIC mode: back to xAPIC\n");
		wrmsr(MSR_APIC_BASE, base & ~(u64)(APIC_BASE_ENABLE | APIC_BASE_X2APIC));
		base &= ~(u64)APIC_BASE_X2APIC;
	}
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic = (uintptr_t)(base & APIC_BASE_MASK);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED); /* the 8259s' ExtINT path */
	lapic_write(LAPIC_LVT_ERROR, VEC_APIC_ERROR);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	/* Complete whatever firmware left in service (one vector per EOI). */
	for (unsigned i = 0; i < 256 && lapic_in_service(); i++)
		lapic_write(LAPIC_EOI, 0);

	ver = ioapic_read(IOAPIC_VER);
	if (ver == 0xffffffffu || ver == 0) {
		kprintf("arch: no IOAPIC at 0x%x: devices are polled\n", IOAPIC_BASE);
		return;
	}
	ioapic_pins = ((ver >> 16) & 0xff) + 1;
	for (unsigned i = 0; i < ioapic_pins; i++) {
		ioapic_write(IOAPIC_REDTBL(i) + 1, 0);
		ioapic_write(IOAPIC_REDTBL(i), IOREDTBL_MASKED);
	}
}

u32 lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_timer_arm(u32 count)
{
	lapic_write(LAPIC_LVT_TIMER, (count ? 0 : LVT_MASKED) | VEC_TIMER); /* one-shot */
	lapic_write(LAPIC_TIMER_INIT, count);				    /* 0 stops it */
}

u32 lapic_timer_current(void)
{
	return lapic_read(LAPIC_TIMER_CUR);
}

void apic_interrupt(u32 vector)
{
	apic_taken = vector;
	if (vector == VEC_APIC_ERROR) {
		lapic_write(LAPIC_ESR, 0); /* latches the errors into ESR */
		kprintf("arch: local APIC error, ESR 0x%x\n", lapic_read(LAPIC_ESR));
	}
	/* Device vectors (IOAPIC and MSI) stay in service until arch_irq_eoi(). */
	if (vector < VEC_IRQ_BASE || vector > VEC_MSI_LAST)
		lapic_write(LAPIC_EOI, 0);
}

int arch_irq_from_dt(const u32 *cells, unsigned ncells, bool *edge)
{
	if (ncells != 2 || cells[0] == 0 || cells[0] > VEC_IRQ_LAST - VEC_IRQ_BASE)
		return -EINVAL;
	switch (cells[1]) {
	case IRQ_TYPE_EDGE_RISING: *edge = true; break;
	case IRQ_TYPE_LEVEL_HIGH: *edge = false; break;
	default: return -EINVAL; /* active low: not wired so on PCs */
	}
	return (int)cells[0];
}

/* No device tree on x86: platform discovery names no controller, and the
 * IOAPIC and local APIC are found as described above. */
void arch_irq_setup(const struct dt_intc *intc)
{
	(void)intc;
}

int arch_irq_enable(u32 irq, bool edge)
{
	if (!ioapic_pins)
		return -EOPNOTSUPP;
	if (irq == 0 || irq > VEC_IRQ_LAST - VEC_IRQ_BASE)
		return -EINVAL;
	if (irq >= ioapic_pins) {
		kprintf("arch: GSI %u is beyond the IOAPIC's %u inputs (a second IOAPIC, e.g. "
			"microvm's ioapic2, is not supported): polled\n",
			irq, ioapic_pins);
		return -EINVAL;
	}
	/* Physical destination: this CPU's local APIC ID (bits 24-31). */
	ioapic_write(IOAPIC_REDTBL(irq) + 1, lapic_read(LAPIC_ID) & 0xff000000u);
	ioapic_write(IOAPIC_REDTBL(irq), (edge ? 0 : IOREDTBL_LEVEL) | (VEC_IRQ_BASE + irq));
	return 0;
}

u32 arch_wait_irq(u64 timeout_ns)
{
	u64 start = arch_time_ns();

	for (;;) {
		u64 waited = arch_time_ns() - start;
		u32 v;

		if (waited >= timeout_ns)
			return 0;
		apic_taken = 0;
		lapic_timer_arm(timer_ns_to_lapic(timeout_ns - waited));
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		lapic_timer_arm(0);
		v = apic_taken;
		if (v >= VEC_IRQ_BASE && v <= VEC_MSI_LAST)
			return v - VEC_IRQ_BASE; /* an IOAPIC input or an MSI */
		/* The deadline, or a spurious wake-up: check the time again. */
	}
}

void arch_irq_eoi(u32 irq)
{
	(void)irq; /* the local APIC completes its highest in-service vector */
	lapic_write(LAPIC_EOI, 0);
}
