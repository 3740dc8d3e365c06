/*
 * drivers/pci/pci_msix.c - the MSI-X capability (PCI Local Bus 3.0, 6.8.2).
 *
 * The capability (id 0x11, 12 bytes) holds Message Control (enable, the
 * function mask, table size - 1 in bits 0-10) and two BAR references: the
 * table (16 bytes per entry: message address low and high, data, vector
 * control with its mask bit) and the pending-bit array (one bit per entry,
 * in 64-bit words).  Each reference is a BAR indicator (BIR, bits 0-2) and
 * an 8-byte aligned offset in that BAR (the other bits).
 *
 * The device is untrusted: pci_msix_find() checks, before anything is
 * touched, that the capability lies inside configuration space, that both
 * BIRs name an assigned memory BAR (not I/O, not the upper half of a
 * 64-bit BAR, not one enumeration left unplaced), that table and PBA each
 * fit inside their BAR (arithmetic that cannot overflow) and do not
 * overlap.  Any failure leaves the function on INTx.  The BARs are already
 * mapped as device memory by the port (the host bridge windows), so the
 * table is reached with the ordered readl/writel of <asm/io.h> at the
 * BAR's CPU address.  Boot time, single-threaded.
 */
#include "drivers/pci/pci_priv.h"

#include "arch/port.h"

#include "lib/errno.h"
#include "lib/printf.h"

/* A BAR reference of the capability (table or PBA), validated. */
static int pci_msix_where(const struct pci_dev *d, u32 reg, u64 len, const char *what,
			  unsigned *bir, u64 *off)
{
	const struct pci_bar *b;

	*bir = reg & PCI_MSIX_BIR_MASK;
	*off = reg & ~(u32)PCI_MSIX_BIR_MASK;
	if (*bir > 5) {
		kprintf("pci %s: MSI-X %s in BAR%u, which does not exist\n", d->name, what, *bir);
		return -EINVAL;
	}
	b = &d->bar[*bir];
	if (b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64) {
		kprintf("pci %s: MSI-X %s in BAR%u, which is not a memory BAR\n", d->name, what,
			*bir);
		return -EINVAL;
	}
	if (!b->assigned || b->size == 0) {
		kprintf("pci %s: MSI-X %s in BAR%u, which is not assigned\n", d->name, what, *bir);
		return -EINVAL;
	}
	/* Written so that nothing overflows: off and len come from the device. */
	if (*off > b->size || len > b->size - *off) {
		kprintf("pci %s: MSI-X %s at BAR%u+0x%llx, 0x%llx bytes, overruns the BAR "
			"(0x%llx bytes)\n",
			d->name, what, *bir, (unsigned long long)*off, (unsigned long long)len,
			(unsigned long long)b->size);
		return -EINVAL;
	}
	return 0;
}

int pci_msix_find(const struct pci_dev *d, struct pci_msix *m)
{
	int pos = pci_find_cap(d, PCI_CAP_ID_MSIX, 0);
	unsigned tbir, pbir;
	u64 toff, poff, tlen, plen;
	u16 ctrl;
	int err;

	if (pos < 0)
		return pos;
	if (pos + PCI_MSIX_CAP_LEN > PCI_CFG_SPACE_SIZE) {
		kprintf("pci %s: MSI-X capability at 0x%x runs past configuration space\n", d->name,
			pos);
		return -EINVAL;
	}
	ctrl = pci_cfg_read16(d, (u16)(pos + PCI_MSIX_FLAGS));
	m->size = (u16)((ctrl & PCI_MSIX_FLAGS_QSIZE) + 1);
	tlen = (u64)m->size * PCI_MSIX_ENTRY_SIZE;
	plen = ALIGN_UP((u64)m->size, 64) / 8;
	err = pci_msix_where(d, pci_cfg_read32(d, (u16)(pos + PCI_MSIX_TABLE)), tlen, "table",
			     &tbir, &toff);
	if (!err)
		err = pci_msix_where(d, pci_cfg_read32(d, (u16)(pos + PCI_MSIX_PBA)), plen,
				     "pending-bit array", &pbir, &poff);
	if (err)
		return err;
	if (tbir == pbir && toff < poff + plen && poff < toff + tlen) {
		kprintf("pci %s: MSI-X table (BAR%u+0x%llx) and pending-bit array (+0x%llx) "
			"overlap\n",
			d->name, tbir, (unsigned long long)toff, (unsigned long long)poff);
		return -EINVAL;
	}
	m->cap = (u8)pos;
	m->table = (uintptr_t)(d->bar[tbir].cpu_addr + toff);
	return 0;
}

static uintptr_t pci_msix_entry(const struct pci_msix *m, unsigned n, unsigned field)
{
	return m->table + (uintptr_t)n * PCI_MSIX_ENTRY_SIZE + field;
}

void pci_msix_set(const struct pci_msix *m, unsigned n, u64 addr, u32 data)
{
	BUG_ON(n >= m->size);
	/* Masked while the message changes, so no half-written one is sent. */
	writel(pci_msix_entry(m, n, PCI_MSIX_ENTRY_VECTOR_CTRL), PCI_MSIX_ENTRY_CTRL_MASKBIT);
	writel(pci_msix_entry(m, n, PCI_MSIX_ENTRY_LOWER_ADDR), (u32)addr);
	writel(pci_msix_entry(m, n, PCI_MSIX_ENTRY_UPPER_ADDR), (u32)(addr >> 32));
	writel(pci_msix_entry(m, n, PCI_MSIX_ENTRY_DATA), data);
	writel(pci_msix_entry(m, n, PCI_MSIX_ENTRY_VECTOR_CTRL), 0);
}

void pci_msix_enable(const struct pci_dev *d, const struct pci_msix *m)
{
	u16 ctrl = pci_cfg_read16(d, (u16)(m->cap + PCI_MSIX_FLAGS));

	/* Whatever firmware left in the table: nothing fires until we program it. */
	for (unsigned n = 0; n < m->size; n++)
		writel(pci_msix_entry(m, n, PCI_MSIX_ENTRY_VECTOR_CTRL),
		       PCI_MSIX_ENTRY_CTRL_MASKBIT);
	pci_cfg_write16(d, PCI_COMMAND, pci_cfg_read16(d, PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
	ctrl = (u16)((ctrl | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL);
	pci_cfg_write16(d, (u16)(m->cap + PCI_MSIX_FLAGS), ctrl);
}

void pci_msix_disable(const struct pci_dev *d, const struct pci_msix *m)
{
	u16 ctrl = pci_cfg_read16(d, (u16)(m->cap + PCI_MSIX_FLAGS));

	pci_cfg_write16(d, (u16)(m->cap + PCI_MSIX_FLAGS), ctrl & ~PCI_MSIX_FLAGS_ENABLE);
	pci_cfg_write16(d, PCI_COMMAND, pci_cfg_read16(d, PCI_COMMAND) & ~PCI_COMMAND_INTX_DISABLE);
}

bool pci_msix_enabled(const struct pci_dev *d)
{
	int pos = pci_find_cap(d, PCI_CAP_ID_MSIX, 0);

	return pos > 0 && pos + PCI_MSIX_CAP_LEN <= PCI_CFG_SPACE_SIZE &&
	       (pci_cfg_read16(d, (u16)(pos + PCI_MSIX_FLAGS)) & PCI_MSIX_FLAGS_ENABLE) != 0;
}

u16 pci_requester_id(const struct pci_dev *d)
{
	u16 rid = (u16)(d->bus << 8 | d->dev << 3 | d->fn);

	for (const struct pci_dev *b = d->parent; b; b = b->parent) {
		int exp = pci_find_cap(b, PCI_CAP_ID_EXP, 0);

		if (exp == -ENOENT) {
			rid = (u16)(b->bus << 8 | b->dev << 3 | b->fn);
		} else if (exp > 0) {
			u16 flags = pci_cfg_read16(b, (u16)(exp + PCI_EXP_FLAGS));

			if ((flags & PCI_EXP_FLAGS_TYPE) >> 4 == PCI_EXP_TYPE_PCI_BRIDGE)
				rid = (u16)(b->secondary << 8);
		}
		/* A broken capability list (-EBADMSG, said): leave the ID. */
	}
	return rid;
}
