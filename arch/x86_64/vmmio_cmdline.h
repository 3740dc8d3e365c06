/*
 * arch/x86_64/vmmio_cmdline.h - virtio-mmio devices named on the kernel
 * command line (x86 platform discovery; also built into the host tests).
 */
#ifndef ORDO_X86_VMMIO_CMDLINE_H
#define ORDO_X86_VMMIO_CMDLINE_H

#include "lib/dt_platform.h"

/*
 * Add to p->vmmio every "virtio_mmio.device=<size>@<base>:<irq>[:<id>]"
 * entry of `cmdline` (Linux's virtio_mmio module parameter, the form QEMU's
 * microvm appends with acpi=off): size and base are C integers (0x: hex, 0:
 * octal), size may end in K, M or G; the interrupt becomes the IOAPIC
 * specifier <irq 2> (level, active high: how QEMU wires virtio-mmio).  The
 * optional platform-device id is ignored.  A malformed entry, a zero size,
 * a region that wraps or ends above 4 GiB (the x86 port maps device space
 * only there), or an interrupt outside 1..255 is reported on the console
 * and skipped; entries past DT_MAX_VIRTIO_MMIO are reported once and set
 * p->truncated.
 * Returns the number of devices added.
 */
unsigned vmmio_cmdline_parse(const char *cmdline, struct platform *p);

/*
 * QEMU appends its entries after whatever the user gave, so after a "--"
 * they would become the program's arguments (kernel/cmdline.h).  Move
 * every entry that follows "--" to just before it, in order, in place
 * (the line, of at most `size` bytes, keeps its length or shrinks: runs
 * of spaces become one).  A line with no "--" is left as it is.
 */
#define CMDLINE_HOIST_MAX 2048
void vmmio_cmdline_hoist(char *cmdline, size_t size);

#endif
