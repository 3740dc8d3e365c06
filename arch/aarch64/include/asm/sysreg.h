/*
 * arch/aarch64/include/asm/sysreg.h - AArch64 system register fields.
 *
 * Shared by the assembly start-up code and the C files of arch/aarch64/, so
 * it holds only #defines outside the C section at the bottom.  Names follow
 * the Arm Architecture Reference Manual (DDI 0487), register by register;
 * only the fields this port sets or decodes are listed.  Values assume
 * Armv8.0 (Cortex-A53), where several SCTLR bits that later versions gave a
 * meaning are RES1.
 */
#ifndef ORDO_ASM_SYSREG_H
#define ORDO_ASM_SYSREG_H

/* Unsigned long constants in C, plain numbers for the assembler. */
#ifdef __ASSEMBLER__
#define _UL(x) x
#else
#define __UL(x) x##UL
#define _UL(x) __UL(x) /* expands x first: _UL(MT_NORMAL) is 1UL */
#endif

/* CurrentEL: the exception level in bits [3:2]. */
#define CURRENTEL_EL1 _UL(0x4)
#define CURRENTEL_EL2 _UL(0x8)

/*
 * SCTLR_ELx.  The RES1 bits of Armv8.0 SCTLR_EL1 (11, 20, 22, 23, 28, 29)
 * must be written as 1.  EE = 0 (little-endian data) and A = 0 (no alignment
 * check on Normal memory: C code may do unaligned accesses once the MMU is
 * on) are implied by leaving them clear.
 */
#define SCTLR_M (_UL(1) << 0)  /* stage 1 MMU enable */
#define SCTLR_C (_UL(1) << 2)  /* data and unified caches enable */
#define SCTLR_SA (_UL(1) << 3) /* SP alignment check: catches corrupt SP */
#define SCTLR_I (_UL(1) << 12) /* instruction cache enable */
#define SCTLR_EL1_RES1 _UL(0x30d00800)

/*
 * EL3, when we own it (head.S, el3.S): lower levels non-secure (NS) and
 * AArch64 (RW), HVC enabled if EL2 exists (HCE); bits 5:4 are RES1.
 */
#define CURRENTEL_EL3 _UL(0xc)
#define SCR_EL3_NS (_UL(1) << 0)
#define SCR_EL3_RES1 (_UL(3) << 4)
#define SCR_EL3_HCE (_UL(1) << 8)
#define SCR_EL3_RW (_UL(1) << 10)
#define SCTLR_EL3_RES1 _UL(0x30c50830)
#define SPSR_EL2H_DAIF _UL(0x3c9)
#define ID_AA64PFR0_EL2_SHIFT 8
#define ID_AA64PFR0_GIC_SHIFT 24
/* ICC_SRE_ELx: SRE, DFB, DIB, and (EL2, EL3) Enable: lower levels may use
 * the GICv3 system registers. */
#define ICC_SRE_ALL _UL(0xf)
#define ICC_SRE_EL2_REG s3_4_c12_c9_5
#define ICC_SRE_EL3_REG s3_6_c12_c12_5
/* The one service of our EL3 monitor (el3.S): an SMCCC fast call in the
 * OEM range, x1 = GIC distributor, x2 = GICv3 RD_base or 0 (GICv2). */
#define ORDO_SMC_GIC_NONSECURE _UL(0xc3000001)

/* HCR_EL2: the only bit we want is RW (EL1 runs AArch64); no traps, no VM. */
#define HCR_EL2_RW (_UL(1) << 31)

/* CNTHCTL_EL2: let EL1 read the physical counter and use the EL1 timer. */
#define CNTHCTL_EL1PCTEN (_UL(1) << 0)
#define CNTHCTL_EL1PCEN (_UL(1) << 1)

/*
 * CPTR_EL2 (non-VHE layout): bits 13:12 and 9:0 are RES1; TFP (bit 10),
 * TTA and TCPAC left clear so FP/SIMD, trace and CPACR are not trapped.
 */
#define CPTR_EL2_RES1 _UL(0x33ff)

/*
 * MDCR_EL2.HPMN (bits 4:0): how many PMU event counters EL1 may use.  TPM,
 * TPMCR (bits 6, 5) left clear so EL1 PMU accesses are not trapped to EL2.
 */
#define MDCR_EL2_HPMN_MASK _UL(0x1f)

/*
 * SPSR value for the eret from EL2: return to EL1 using SP_EL1 ("EL1h",
 * M[3:0] = 0b0101) with D, A, I and F masked (bits 9:6).
 */
#define SPSR_EL1H_DAIF _UL(0x3c5)

/* CPACR_EL1.FPEN (bits 21:20) = 0b11: FP/SIMD not trapped at EL0 or EL1. */
#define CPACR_EL1_FPEN (_UL(3) << 20)

/* ID_AA64MMFR0_EL1.PARange (bits 3:0) encodings we care about. */
#define ID_AA64MMFR0_PARANGE_MASK _UL(0xf)
#define ID_AA64MMFR0_PARANGE_48 _UL(0x5)

/* ID_AA64DFR0_EL1.PMUVer (bits 11:8): 0 = no PMU, 0xf = IMP DEF (unusable). */
#define ID_AA64DFR0_PMUVER_SHIFT 8
#define ID_AA64DFR0_PMUVER_MASK _UL(0xf)

/* PMCR_EL0 fields. */
#define PMCR_E (_UL(1) << 0)  /* enable the counters enabled in PMCNTENSET */
#define PMCR_C (_UL(1) << 2)  /* reset PMCCNTR_EL0 to 0 (write-only action) */
#define PMCR_LC (_UL(1) << 6) /* cycle counter overflows at 64 bits, not 32 */
#define PMCR_N_SHIFT 11	      /* number of event counters, bits 15:11 */
#define PMCR_N_MASK _UL(0x1f)
/* PMCNTENSET_EL0.C: enable the cycle counter PMCCNTR_EL0. */
#define PMCNTENSET_C (_UL(1) << 31)

/*
 * MAIR_EL1: attribute index -> memory type.  Index 0 Device-nGnRE (MMIO:
 * no gathering, no reordering, early write ack like PCIe posted writes),
 * index 1 Normal Inner/Outer Write-Back non-transient, Read- and
 * Write-Allocate (RAM).  Page table entries name the index in AttrIndx.
 */
#define MAIR_ATTR_DEVICE_nGnRE _UL(0x04)
#define MAIR_ATTR_NORMAL_WB _UL(0xff)
#define MT_DEVICE_nGnRE 0
#define MT_NORMAL 1
#define MAIR_EL1_VALUE                                       \
	((MAIR_ATTR_DEVICE_nGnRE << (8 * MT_DEVICE_nGnRE)) | \
	 (MAIR_ATTR_NORMAL_WB << (8 * MT_NORMAL)))

/*
 * TCR_EL1 for a TTBR0-only 48-bit identity map with 4 KiB pages.  The walker
 * reads tables through the Inner/Outer Write-Back Write-Allocate cache,
 * Inner Shareable, so page table stores need only a DSB (no cache clean)
 * before the walker sees them.  TTBR1 walks are disabled (EPD1); T1SZ and
 * TG1 get valid values anyway.  IPS is filled in at run time from
 * ID_AA64MMFR0_EL1.PARange.  TBI0 = 0: the top byte is part of the address,
 * so a corrupt pointer faults instead of aliasing.
 */
#define TCR_T0SZ(bits) ((_UL(64) - (bits)) << 0)
#define TCR_IRGN0_WBWA (_UL(1) << 8)
#define TCR_ORGN0_WBWA (_UL(1) << 10)
#define TCR_SH0_INNER (_UL(3) << 12)
#define TCR_TG0_4K (_UL(0) << 14)
#define TCR_T1SZ(bits) ((_UL(64) - (bits)) << 16)
#define TCR_EPD1 (_UL(1) << 23)
#define TCR_TG1_4K (_UL(2) << 30)
#define TCR_IPS_SHIFT 32
#define TCR_EL1_VALUE                                                                  \
	(TCR_T0SZ(48) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K | \
	 TCR_T1SZ(48) | TCR_EPD1 | TCR_TG1_4K)

/* ESR_ELx: exception class and the fields the trap report decodes. */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK _UL(0x3f)
#define ESR_IL (_UL(1) << 25)
#define ESR_ISS_MASK _UL(0x1ffffff)
#define ESR_EC_DABT_LOW _UL(0x24)
#define ESR_EC_DABT_CUR _UL(0x25)
#define ESR_EC_IABT_LOW _UL(0x20)
#define ESR_EC_IABT_CUR _UL(0x21)
#define ESR_ISS_WNR (_UL(1) << 6)  /* data abort caused by a write */
#define ESR_ISS_FNV (_UL(1) << 10) /* FAR not valid */
#define ESR_ISS_FSC_MASK _UL(0x3f) /* DFSC/IFSC: fault status code */

#ifndef __ASSEMBLER__

/* Read or write a system register by name: read_sysreg(sctlr_el1). */
#define read_sysreg(reg)                                      \
	({                                                    \
		u64 _v;                                       \
		__asm__ volatile("mrs %0, " #reg : "=r"(_v)); \
		_v;                                           \
	})
#define write_sysreg(reg, v) __asm__ volatile("msr " #reg ", %x0" ::"rZ"((u64)(v)) : "memory")

/* Make earlier system register writes take effect for later instructions. */
static inline void isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

#endif /* !__ASSEMBLER__ */
#endif
