/*
 * tests/fuzz/fuzz_fdt.c - libFuzzer target for lib/fdt.c and
 * lib/dt_platform.c: whatever the boot loader hands us must yield an error
 * or a parse, never an out-of-bounds read or a hang.
 *
 * Built and run by `make fuzz` (tests/fuzz/fuzz.mk, tests/fuzz/run.sh)
 * with the host port, seeded from tests/fuzz/corpus/fdt (QEMU's trees from
 * tests/data).  The host libc provides the string functions.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/dt_platform.h"
#include "lib/fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Query the tree the way the rest of the kernel might, checked or not. */
static void fuzz_walk(const struct fdt *fdt)
{
	int node, depth;
	u32 len, ac, sc;
	u64 a, s;

	(void)fdt_path_offset(fdt, "/chosen");
	(void)fdt_node_by_phandle(fdt, 1);
	(void)fdt_mem_rsv(fdt, 1, &a, &s);
	if (fdt_check(fdt))
		return;
	for (node = fdt_next_node(fdt, -1, &depth); node >= 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		const char *name = fdt_node_name(fdt, node);
		const char *compat = fdt_getprop(fdt, node, "compatible", &len);

		if (!name || depth < 0 || depth >= FDT_MAX_DEPTH)
			abort();
		(void)strlen(name);
		if (compat)
			(void)fdt_stringlist_contains(compat, len, "virtio,mmio");
		if (!fdt_reg_cells(fdt, node, &ac, &sc))
			(void)fdt_reg(fdt, node, ac, sc, 0, &a, &s);
		if (depth > 0 && fdt_parent_offset(fdt, node) < 0)
			abort();
	}
}

/* PCI INTx routing: any answer is an entry of the parsed map. */
static void fuzz_intx(const struct dt_pci_host *pci)
{
	for (u32 dev = 0; dev < 4; dev++) {
		for (u32 pin = 1; pin <= 4; pin++) {
			const struct dt_pci_intmap *m = dt_pci_intx(pci, 0, dev, 0, pin);

			if (m && (pci->nintmap > DT_MAX_PCI_INTMAP || m < pci->intmap ||
				  m >= pci->intmap + pci->nintmap))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so ASan sees any read past the end. */
	uint8_t *blob = malloc(size ? size : 1);
	struct platform *p = malloc(sizeof(*p));
	struct fdt fdt;

	if (!blob || !p)
		abort();
	memcpy(blob, data, size);
	if (dt_platform_parse(blob, size, p) == 0) {
		if (p->bootargs)
			(void)strlen(p->bootargs);
		fuzz_intx(&p->pci);
	}
	if (fdt_init(&fdt, blob, size) == 0)
		fuzz_walk(&fdt);
	free(p);
	free(blob);
	return 0;
}
