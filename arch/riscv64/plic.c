/*
 * arch/riscv64/plic.c - the PLIC, the S-level APLIC domain (aplic.c), the
 * IMSIC's S-level file (imsic.c) and the supervisor timer as wake-up
 * sources (see arch.h).  The wired controller is the PLIC or, when the
 * disks' interrupt parent is an APLIC (-M virt,aia=...), aplic.c, to
 * which the arch_irq_* functions below hand over.
 *
 * sstatus.SIE stays 0 for the whole life of the kernel, so no interrupt is
 * ever taken as a trap.  WFI still wakes when an interrupt is pending and
 * enabled in sie, whatever sstatus.SIE says (privileged spec 3.3.3, "Wait
 * for Interrupt": "WFI is also required to resume execution for locally
 * enabled interrupts pending at any privilege level, regardless of the
 * global interrupt enable at each privilege level"; QEMU's
 * riscv_cpu_has_work() tests mip & mie only).  So arch_wait_irq() enables
 * the supervisor external (SEIE) and timer (STIE) interrupts in sie, sleeps
 * in WFI, and then looks at sip:
 *   SEIP  the IMSIC file (once imsic.c handed out an identity), the APLIC
 *         IDC or the PLIC has an enabled interrupt pending: claim the
 *         IMSIC's first (imsic_claim(), which also ends it; an identity an
 *         MSI-mode APLIC source was given comes back as that source),
 *         else the APLIC's or the PLIC's (the claim is the acknowledge;
 *         the caller quiets the device and arch_irq_eoi() completes it)
 *         and return its number;
 *   else  the deadline, or a spurious wake-up: sleep again until the time
 *         CSR passes the deadline.
 * The deadline is an SBI set_timer() one-shot (OpenSBI programs the Sstc
 * stimecmp or the ACLINT mtimecmp for us); it is disarmed on the way out.
 *
 * PLIC ("RISC-V Platform-Level Interrupt Controller Specification" 1.0.0):
 * source priorities at base + 4 * source (0 = never), per-context enable
 * bits at base + 0x2000 + 0x80 * context, per-context priority threshold at
 * base + 0x200000 + 0x1000 * context and the claim/complete register 4
 * bytes after it.  A source fires for a context when it is pending,
 * enabled there and its priority exceeds the threshold; once claimed it
 * does not fire again until completed.  The base, the number of sources
 * ("riscv,ndev") and our context come from the device tree's PLIC node
 * (arch_irq_setup()): the context is the one whose interrupts-extended
 * entry is the boot hart's supervisor external interrupt.  A tree without
 * a PLIC node gets QEMU virt's: base 0x0c000000, two contexts per hart,
 * M-mode then S-mode, so hart h's is 2h + 1; one without
 * interrupts-extended gets that context numbering.  A tree whose disks use
 * another kind of controller, or whose PLIC has no context for our hart
 * (SiFive boards list only M-mode for their monitor core), leaves the disks
 * polled, with one console line.
 *
 * The PLIC binding has #interrupt-cells = 1, the source number, and no
 * trigger flags: whether a source is edge or level is fixed in its gateway
 * (QEMU's are level).  Single hart.
 */
#include <asm/boot.h>
#include <asm/io.h>

#include "arch/arch.h"
#include "lib/dt_platform.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define PLIC_PRIORITY(src) (4u * (src))
#define PLIC_ENABLE(ctx, word) (0x2000u + 0x80u * (ctx) + 4u * (word))
#define PLIC_THRESHOLD(ctx) (0x200000u + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx) (0x200004u + 0x1000u * (ctx))

/* Source 0 means "none"; the specification allows up to 1023. */
#define PLIC_MAX_SOURCES 1024u
#define PLIC_PRIO 1u /* any priority above threshold 0 */

static bool plic_ready;
static u32 plic_ctx; /* our S-mode context; set by arch_irq_setup() */
static bool plic_ctx_known;
static u32 plic_nsources = PLIC_MAX_SOURCES; /* riscv,ndev + 1 */
static uintptr_t plic_base = PLIC_BASE;
/* Why the disks are polled, if the tree's controller cannot be driven. */
static const char *plic_refusal;
/* The wired controller is the tree's APLIC domain (aplic.c). */
static bool plic_is_aplic;

void arch_irq_setup(const struct dt_intc *intc)
{
	if (!intc || intc->kind == DT_INTC_NONE)
		return; /* QEMU virt's PLIC, context 2h + 1 */
	if (intc->kind == DT_INTC_APLIC) {
		plic_is_aplic = true;
		aplic_setup(intc);
		return;
	}
	if (intc->kind != DT_INTC_PLIC || !intc->nreg) {
		/* A controller no port drives, say: MSIs still work. */
		plic_refusal = "the disks' interrupt controller is not a PLIC";
		return;
	}
	plic_base = (uintptr_t)intc->reg[0].base;
	if (intc->plic_ndev && intc->plic_ndev < PLIC_MAX_SOURCES)
		plic_nsources = intc->plic_ndev + 1;
	for (unsigned i = 0; i < intc->nplic_ctx; i++) {
		if (intc->plic_ctx[i].hartid == riscv_boot_hartid) {
			plic_ctx = intc->plic_ctx[i].context;
			plic_ctx_known = true;
		}
	}
	if (intc->plic_ctx_listed && !plic_ctx_known)
		plic_refusal = "the PLIC has no supervisor context for this hart";
}

static void plic_init(void)
{
	if (!plic_ctx_known)
		plic_ctx = 2 * (u32)riscv_boot_hartid + 1;
	/* Nothing enabled but what the drivers ask for; threshold 0. */
	for (u32 w = 0; w < PLIC_MAX_SOURCES / 32; w++)
		writel(plic_base + PLIC_ENABLE(plic_ctx, w), 0);
	writel(plic_base + PLIC_THRESHOLD(plic_ctx), 0);
	csr_set(sie, SIE_SEIE);
	plic_ready = true;
}

int arch_irq_from_dt(const u32 *cells, unsigned ncells, bool *edge)
{
	if (plic_is_aplic)
		return aplic_irq_from_dt(cells, ncells, edge);
	/* PLIC binding: <source>, 1..1023. */
	if (ncells != 1 || cells[0] == 0 || cells[0] >= PLIC_MAX_SOURCES)
		return -EINVAL;
	*edge = false; /* the binding cannot say; the gateway knows */
	return (int)cells[0];
}

int arch_irq_enable(u32 irq, bool edge)
{
	uintptr_t enable;

	if (imsic_owns(irq))
		return 0; /* a message: enabled when it was handed out */
	if (plic_is_aplic)
		return aplic_enable(irq, edge);
	/* The PLIC has no use for `edge`: its gateway fixes it per source. */
	if (plic_refusal) {
		if (!plic_ready) /* say it once */
			kprintf("plic: %s (hart %llu): disks are polled\n", plic_refusal,
				(unsigned long long)riscv_boot_hartid);
		plic_ready = true;
		return -EOPNOTSUPP;
	}
	if (irq == 0 || irq >= plic_nsources)
		return -EINVAL;
	if (!plic_ready)
		plic_init();
	/*
	 * Priority registers are WARL: one that reads back 0 after we wrote
	 * 1 belongs to a source this PLIC does not have (QEMU virt: riscv,ndev
	 * = 96 in the DTB).
	 */
	writel(plic_base + PLIC_PRIORITY(irq), PLIC_PRIO);
	if (readl(plic_base + PLIC_PRIORITY(irq)) == 0)
		return -EINVAL;
	/* The enable words are read-write, so read-modify-write is safe. */
	enable = plic_base + PLIC_ENABLE(plic_ctx, irq / 32);
	writel(enable, readl(enable) | BIT(irq % 32));
	return 0;
}

/* Deadline in time-CSR ticks, saturating instead of wrapping. */
static u64 plic_deadline(u64 timeout_ns)
{
	u64 now = timer_now(), ticks = timer_ns_to_ticks(timeout_ns);

	return ticks > ~0ull - now ? ~0ull : now + ticks;
}

u32 arch_wait_irq(u64 timeout_ns)
{
	u64 deadline = plic_deadline(timeout_ns);
	bool plic = !plic_refusal && !plic_is_aplic;
	bool aplic = plic_is_aplic && aplic_active();
	u32 irq = 0;

	if (!plic && !aplic && !imsic_active())
		return 0; /* never reached: nothing was enabled */
	if (plic && !plic_ready)
		plic_init();
	sbi_set_timer(deadline);
	csr_set(sie, SIE_STIE);
	for (;;) {
		/*
		 * An interrupt that became pending before the wfi makes it
		 * return at once (it only waits while nothing enabled is
		 * pending), so no wake-up is lost between the checks below
		 * and the next sleep.
		 */
		__asm__ volatile("wfi" ::: "memory");
		if (csr_read(sip) & SIP_SEIP) {
			irq = aplic_from_imsic(imsic_claim());
			if (!irq && aplic)
				irq = aplic_claim();
			if (!irq && plic)
				irq = readl(plic_base + PLIC_CLAIM(plic_ctx));
			if (irq)
				break;
			/* Nothing to claim: the line dropped again meanwhile. */
		}
		if (timer_now() >= deadline)
			break; /* timed out (STIP), or deadline passed anyway */
	}
	/* Disarm: no STIP left pending to cut the next sleep short. */
	sbi_set_timer(~0ull);
	csr_clear(sie, SIE_STIE);
	return irq;
}

void arch_irq_eoi(u32 irq)
{
	/* An IMSIC identity ended with its claim; its numbers are no source. */
	if (irq >= IMSIC_IRQ_BASE)
		return;
	if (plic_is_aplic) {
		aplic_eoi(irq);
		return;
	}
	/* Completion: write the claimed source back to claim/complete. */
	writel(plic_base + PLIC_CLAIM(plic_ctx), irq);
}

/*
 * For the self-tests of imsic.c and aplic.c: wait for interrupt `want`
 * (0: for nothing, within a short time), end what came, and say
 * "<who> selftest: FAILED: <what>: got ..., want ..." if it was not it.
 */
int irq_selftest_fail(const char *who, const char *what, u32 got, u32 want)
{
	kprintf("%s selftest: FAILED: %s: got %u, want %u\n", who, what, got, want);
	return -EIO;
}

int irq_selftest_expect(const char *who, const char *what, u32 want)
{
	u32 got = arch_wait_irq(want ? 1000000000ull : 5000000ull);

	if (got)
		arch_irq_eoi(got);
	return got == want ? 0 : irq_selftest_fail(who, what, got, want);
}
