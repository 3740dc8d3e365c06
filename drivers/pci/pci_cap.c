/*
 * drivers/pci/pci_cap.c - capability list walk (PCI Local Bus 3.0, 6.7).
 *
 * The list starts at the byte at PCI_CAPABILITY_LIST (valid only while
 * PCI_STATUS_CAP_LIST is set); each entry is an id byte and a next-pointer
 * byte, and a pointer of 0 ends it.  Capabilities live after the 64-byte
 * header, dword aligned: the two low bits of a pointer are reserved and
 * masked, and a pointer below 0x40 is malformed.  After masking a pointer
 * is at most 0xfc, so an entry's two bytes always lie inside the 256-byte
 * space.  At most (256 - 64) / 4 = 48 entries fit: a 49th means the list
 * loops, which would otherwise spin the walk forever.  The device is
 * untrusted: every malformed list ends the walk with a message, never a
 * hang or an access outside its configuration space.
 */
#include "drivers/pci/pci_priv.h"

#include "lib/errno.h"
#include "lib/printf.h"

#define PCI_CAP_FIRST 0x40
#define PCI_CAP_MAX_ENTRIES ((PCI_CFG_SPACE_SIZE - PCI_CAP_FIRST) / 4)

/* Follow the pointer read at `at`; 0 at the end, -EBADMSG if malformed. */
static int pci_cap_next(const struct pci_dev *d, u8 at)
{
	u8 pos = pci_cfg_read8(d, at) & 0xfc;

	if (pos && pos < PCI_CAP_FIRST) {
		kprintf("pci %s: capability pointer 0x%02x at 0x%02x out of range\n", d->name, pos,
			at);
		return -EBADMSG;
	}
	return pos;
}

int pci_find_cap(const struct pci_dev *d, u8 cap_id, u8 after)
{
	int pos;

	if (!(pci_cfg_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return -ENOENT;
	if (after && (after < PCI_CAP_FIRST || (after & 3)))
		return -EINVAL; /* not something this function returned */
	pos = pci_cap_next(d, after ? (u8)(after + PCI_CAP_LIST_NEXT) : PCI_CAPABILITY_LIST);
	for (unsigned n = 0; pos > 0; n++) {
		u8 id;

		if (n == PCI_CAP_MAX_ENTRIES) {
			kprintf("pci %s: capability list loops (more than %u entries)\n", d->name,
				PCI_CAP_MAX_ENTRIES);
			return -EBADMSG;
		}
		id = pci_cfg_read8(d, (u16)(pos + PCI_CAP_LIST_ID));
		if (id == 0xff) {
			kprintf("pci %s: capability at 0x%02x reads all-ones\n", d->name, pos);
			return -EBADMSG;
		}
		if (id == cap_id)
			return pos;
		pos = pci_cap_next(d, (u8)(pos + PCI_CAP_LIST_NEXT));
	}
	return pos < 0 ? pos : -ENOENT;
}
