/*
 * arch/riscv64/include/asm/boot.h - private interfaces between the files of
 * arch/riscv64/ (start-up, console, timer, SBI calls) and the symbols that
 * linker/riscv64.ld defines.  Nothing outside arch/riscv64/ includes it.
 */
#ifndef ORDO_ASM_BOOT_H
#define ORDO_ASM_BOOT_H

#include <asm/csr.h>

/*
 * QEMU virt's devices (hw/riscv/virt.c memmap): the defaults for a device
 * tree that names none of its own (/chosen stdout-path, a sifive,test0 or
 * syscon-poweroff, a PLIC node), and for head.S's early error messages,
 * which come before any tree is read.
 */
#define UART_BASE _UL(0x10000000)	 /* ns16550a, reg-shift 0 */
#define SIFIVE_TEST_BASE _UL(0x00100000) /* sifive,test0 finisher */
#define PLIC_BASE _UL(0x0c000000)	 /* sifive,plic-1.0.0 */

/* ns16550a registers (byte offsets) and the bits we use. */
#include "arch/generic/uart_16550.h"

/*
 * sifive,test0 finisher (QEMU hw/misc/sifive_test.c): a 32-bit write of
 * FAIL | code << 16 makes QEMU exit(code), PASS exit(0), RESET reboots.
 */
#define SIFIVE_TEST_FAIL 0x3333
#define SIFIVE_TEST_PASS 0x5555
#define SIFIVE_TEST_RESET 0x7777

#ifndef __ASSEMBLER__
#include "lib/types.h"

#include "arch/generic/sections.h"

/*
 * This port's own linker script symbols: the trap stack, and the guard
 * page between it and the kernel stack (__stack_guard .. __stack_bottom).
 */
extern char __trap_stack_bottom[], __trap_stack_top[], __stack_guard[];

/*
 * Turn on translation: an identity map without the stack guard page
 * (mmu.c).  Called by head.S before riscv_boot(); without Sv39 the kernel
 * stays untranslated.
 */
void riscv_mmu_init(void);

/*
 * C entry from head.S, BSS zeroed, on the kernel stack, traps vectored.
 * hartid and fdt are a0 and a1 as the SBI firmware passed them (unchecked).
 */
__noreturn void riscv_boot(u64 hartid, u64 fdt);

/* The hart we run on (a0 at entry), set by riscv_boot(). */
extern u64 riscv_boot_hartid;

struct dt_console;

/* uart.c: switch to the tree's console; wait (bounded) until all is sent. */
void uart_setup(const struct dt_console *c);
void uart_drain(void);

/*
 * timer.c.  timer_init() reads the timebase frequency from the DTB (fdt,
 * size bytes; fdt may be NULL: QEMU virt's 10 MHz is kept).  timer_now()
 * reads the time CSR; timer_ns_to_ticks() converts a duration.
 */
void timer_init(const void *fdt, size_t size);
u64 timer_now(void);
u64 timer_ns_to_ticks(u64 ns);

/*
 * imsic.c: the boot hart's S-level IMSIC file, for MSIs.  imsic_setup()
 * records the tree's IMSIC (setup.c, before kmain(); NULL or another kind:
 * none).  Its interrupt numbers are IMSIC_IRQ_BASE + identity, above every
 * PLIC source.  For plic.c's arch_wait_irq() and friends: imsic_active()
 * once an identity was handed out; imsic_claim() claims the top pending
 * identity (the claim ends it) and returns its number, or 0;
 * imsic_owns() says whether a number is an identity handed out;
 * imsic_hart_index() is the boot hart's position among the node's files,
 * its hart index for an APLIC in MSI mode when the files form one group
 * (QEMU virt's, one socket).
 * imsic_selftest() (boot word selftest.imsic) returns 0 or prints why not.
 */
#define IMSIC_IRQ_BASE 1024u
struct dt_msi;
void imsic_setup(const struct dt_msi *msi);
bool imsic_active(void);
u32 imsic_claim(void);
bool imsic_owns(u32 irq);
u32 imsic_hart_index(void);
int imsic_selftest(void);

/*
 * aplic.c: the S-level APLIC domain, for wired interrupts under the AIA
 * (plic.c dispatches to it when the disks' controller is an APLIC).
 * aplic_setup() records the tree's domain and says on the console how it
 * will deliver, or why the disks are polled; aplic_irq_from_dt(),
 * aplic_enable() and aplic_eoi() back arch_irq_from_dt(),
 * arch_irq_enable() and arch_irq_eoi(); aplic_active() once a source is
 * enabled.  In arch_wait_irq(): aplic_claim() claims the top pending
 * source of the hart's IDC (direct mode) and returns it, or 0;
 * aplic_from_imsic() turns an IMSIC identity that an MSI-mode source was
 * given back into the source (any other number comes back unchanged).
 * aplic_selftest() (boot word selftest.aplic) returns 0 or prints why not.
 */
struct dt_intc;
void aplic_setup(const struct dt_intc *intc);
int aplic_irq_from_dt(const u32 *cells, unsigned ncells, bool *edge);
int aplic_enable(u32 source, bool edge);
bool aplic_active(void);
u32 aplic_claim(void);
u32 aplic_from_imsic(u32 irq);
void aplic_eoi(u32 source);
int aplic_selftest(void);

/*
 * plic.c, for the self-tests above: irq_selftest_expect() waits for
 * interrupt `want` (0: none within a short time) and ends it;
 * irq_selftest_fail() says what went wrong.  Both return 0 or -EIO.
 */
int irq_selftest_fail(const char *who, const char *what, u32 got, u32 want);
int irq_selftest_expect(const char *who, const char *what, u32 want);

/*
 * Program the SBI timer (sbi.c): a supervisor timer interrupt becomes
 * pending (sip.STIP) once the time CSR reaches stime_value, and stops being
 * pending when a later value is programmed.  U64_MAX: never.
 */
void sbi_set_timer(u64 stime_value);

/*
 * Ask the SBI firmware to power the system off (SRST extension, or the
 * legacy shutdown call if SRST is absent).  `failure` selects the "system
 * failure" reset reason.  Returns only if the firmware has neither.
 */
void sbi_shutdown(bool failure);

#endif /* !__ASSEMBLER__ */
#endif
