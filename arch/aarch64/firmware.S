/*
 * arch/aarch64/firmware.S - calls out of the kernel: Arm semihosting and
 * PSCI.  Assembly so the hlt has one, known address (semihosting_hlt) that
 * the trap report can recognise.
 *
 * Semihosting (Arm "Semihosting for AArch32 and AArch64", v2): hlt #0xf000
 * with the operation number in w0 and a pointer to its parameter block in
 * x1; the result comes back in x0.  QEMU answers only when started with
 * -semihosting; otherwise the hlt is an Undefined Instruction exception.
 *
 * PSCI (Arm DEN 0022) over SMCCC (Arm DEN 0028): function id in w0,
 * result in x0.  The conduit is hvc when a hypervisor (or QEMU's built-in
 * PSCI for a guest entered at EL1) provides it, smc when we came from EL2
 * and PSCI lives at EL3 (QEMU virt,virtualization=on emulates that).
 * SMCCC lets the callee clobber x0-x17: we are a leaf, none is ours.
 */

	.text

/* u64 semihosting_call(u64 op, const void *arg) */
	.globl	semihosting_call, semihosting_hlt
semihosting_call:
semihosting_hlt:
	hlt	#0xf000
	ret

/* u64 psci_call_hvc(u64 fn) */
	.globl	psci_call_hvc
psci_call_hvc:
	hvc	#0
	ret

/* u64 psci_call_smc(u64 fn), u64 smccc_smc(u64 fn, u64 a1, u64 a2, u64 a3) */
	.globl	psci_call_smc, smccc_smc
psci_call_smc:
smccc_smc:
	smc	#0
	ret
