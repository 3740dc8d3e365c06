/*
 * lib/fdt.h - bounds-checked reader for flattened device trees (DTB).
 *
 * Interface: fdt_init() checks the header of a blob the boot loader handed
 * us, fdt_check() walks the structure block once and rejects anything
 * malformed; the lookup functions then answer questions about nodes and
 * properties.  Nodes are named by their offset (an int >= 0) into the
 * structure block, like libfdt; negative values are -errno.
 *
 * Format: Devicetree Specification v0.4, chapter 5 (header 5.2, memory
 * reservation block 5.3, structure block 5.4, strings block 5.5).  All
 * multi-byte fields are big-endian and read a byte at a time, so the blob
 * may sit at any address.
 *
 * Safety contract: every function stays inside the first fdt->size bytes of
 * the blob and terminates on any input, checked or not.  fdt_check() adds
 * the structural guarantees (balanced nodes, bounded depth, properties
 * before subnodes, one FDT_END) that make the answers of the lookups
 * meaningful; callers should run it once before trusting the tree.
 * The blob is never written.
 */
#ifndef ORDO_LIB_FDT_H
#define ORDO_LIB_FDT_H

#include "lib/types.h"

/* Header magic and structure block tokens (spec 5.2, 5.4.1). */
#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 0x1u
#define FDT_END_NODE 0x2u
#define FDT_PROP 0x3u
#define FDT_NOP 0x4u
#define FDT_END 0x9u

/* Versions we read: 17 is current, 16 lacks only size_dt_struct (5.1). */
#define FDT_VERSION_MIN 16u
#define FDT_VERSION_CUR 17u

/* Deepest node nesting fdt_check() accepts; real trees use about 5. */
#define FDT_MAX_DEPTH 32

/* Largest #address-cells / #size-cells value accepted (PCI uses 3). */
#define FDT_MAX_NCELLS 4u

/*
 * A validated view of one blob.  Offsets are from the start of the blob;
 * only fdt_init() fills this in.
 */
struct fdt {
	const u8 *blob;
	u32 size; /* totalsize, <= the caller's buffer */
	u32 version;
	u32 off_rsvmap;		       /* memory reservation block (5.3) */
	u32 off_struct, size_struct;   /* structure block (5.4) */
	u32 off_strings, size_strings; /* strings block (5.5) */
};

/*
 * Check the header of @blob, of which @avail bytes are readable, and fill
 * in @fdt.  Nothing past the header is examined.
 * Returns 0; -EINVAL if @blob is NULL, shorter than a header or the magic
 * is wrong; -EOPNOTSUPP for an incompatible version; -EOVERFLOW if the
 * header claims more than @avail bytes; -EFBIG above 2 GiB (offsets must
 * fit an int); -EBADMSG if the blocks overlap the header or each other,
 * are misaligned or leave totalsize.
 */
int fdt_init(struct fdt *fdt, const void *blob, size_t avail);

/* Largest DTB a boot loader may hand us, as Linux (arm64 MAX_FDT_SIZE). */
#define FDT_BOOT_MAX_SIZE (2u << 20)
/* Smallest blob that can hold the v17 header (Devicetree spec 5.2). */
#define FDT_BOOT_MIN_SIZE 40u

/*
 * First look at a DTB a boot loader says is at physical address `addr`:
 * 8-byte aligned, below `limit`, the FDT magic and a total size between
 * FDT_BOOT_MIN_SIZE and FDT_BOOT_MAX_SIZE.  Reads only the first eight
 * bytes, with byte loads (the blob may still be in Device memory).
 * Returns the blob's total size, or 0 after printing why it is ignored;
 * `reg` names the register it came in ("x0", "a1") for that message.
 * fdt_init() and fdt_check() do the real validation later.
 */
u32 fdt_boot_check(u64 addr, u64 limit, const char *reg);

/*
 * For an @fdt that fdt_init() accepted:
 * walk the whole structure block once and validate every token, name and
 * property, nesting (at most FDT_MAX_DEPTH, balanced, a single root) and
 * the final FDT_END, as well as the memory reservation block.
 * Returns 0 or -EBADMSG.
 */
int fdt_check(const struct fdt *fdt);

/*
 * The node after @node in document order; @node == -1 yields the root.
 * If @depth is not NULL it is set to 0 for the root and otherwise moved by
 * the levels descended (+1 for the first child) or climbed; the walk stops
 * with -ENOENT when *depth would drop below 0, so starting at a node with
 * *depth == 0 visits exactly its descendants.
 * Returns a node offset, -ENOENT at the end of the tree, -EINVAL if @node
 * is not a node, -EBADMSG on a malformed token.
 */
int fdt_next_node(const struct fdt *fdt, int node, int *depth);

/* First child of @node / next sibling of @node: offset, -ENOENT if none,
 * -EINVAL or -EBADMSG as fdt_next_node(). */
int fdt_first_subnode(const struct fdt *fdt, int node);
int fdt_next_subnode(const struct fdt *fdt, int node);

/* Unit name of @node ("" for the root, "memory@40000000"), NULL if @node
 * is not a node. */
const char *fdt_node_name(const struct fdt *fdt, int node);

/*
 * Value of property @name of @node, and its length in *@lenp (optional).
 * The value lies wholly inside the blob but is not aligned and not
 * necessarily NUL-terminated.  Returns NULL if the property is absent or
 * @node is not a node.
 */
const void *fdt_getprop(const struct fdt *fdt, int node, const char *name, u32 *lenp);

/* A property that must be exactly one cell (2.2.4.1 <u32>): 0, -ENOENT if
 * absent, -EBADMSG if its length is not 4. */
int fdt_getprop_u32(const struct fdt *fdt, int node, const char *name, u32 *val);

/*
 * Node at absolute path @path ("/", "/chosen", "/soc/uart@1000"; 2.2.3).
 * A component without '@' also matches a name with any unit address
 * ("memory" finds "memory@40000000"); the first match in document order
 * wins.  Returns a node offset, -ENOENT if not found,
 * -EINVAL if @path does not start with '/', -EBADMSG if malformed.
 */
int fdt_path_offset(const struct fdt *fdt, const char *path);

/* Parent of @node: offset, -ENOENT for the root, -EINVAL if @node is not
 * a node, -EBADMSG if the tree is malformed or nested too deeply. */
int fdt_parent_offset(const struct fdt *fdt, int node);

/* Node whose "phandle" (or legacy "linux,phandle") is @phandle (2.3.3).
 * Returns an offset, -ENOENT, -EINVAL for phandle 0 or ~0, -EBADMSG. */
int fdt_node_by_phandle(const struct fdt *fdt, u32 phandle);

/*
 * Whether the string list @list of @len bytes (2.2.4.1 <stringlist>:
 * NUL-separated, NUL-terminated) contains @str.  An unterminated last
 * entry is ignored rather than matched, so a truncated value never
 * matches a prefix.
 */
bool fdt_stringlist_contains(const char *list, u32 len, const char *str);

/* Whether @node's "compatible" (2.3.1) lists @compat. */
bool fdt_node_is_compatible(const struct fdt *fdt, int node, const char *compat);

/*
 * #address-cells / #size-cells of @bus, the node whose children they
 * describe (2.3.5): the property value, or the spec's defaults 2 and 1
 * when absent (they are not inherited).  Returns 0, -EINVAL if @bus is
 * not a node, -EBADMSG if a property is not one cell or exceeds
 * FDT_MAX_NCELLS.
 */
int fdt_bus_cells(const struct fdt *fdt, int bus, u32 *addr_cells, u32 *size_cells);

/* Same, for the bus @node sits on (its parent); fails as
 * fdt_parent_offset() does, so -ENOENT for the root. */
int fdt_reg_cells(const struct fdt *fdt, int node, u32 *addr_cells, u32 *size_cells);

/*
 * Decode @ncells big-endian cells at @p as one number.  Returns 0, or
 * -ERANGE if a non-zero value does not fit in 64 bits.
 */
int fdt_read_cells(const void *p, u32 ncells, u64 *val);

/*
 * Entry @index of @node's "reg" (2.3.6), with @ac address and @sc size
 * cells (see fdt_reg_cells()).  @sc may be 0 (size reads as 0).
 * Returns 0; -ENOENT if there is no reg or fewer entries; -EBADMSG if the
 * length is not a whole number of entries, or for @ac == 0 or cell counts
 * above FDT_MAX_NCELLS (both come from the tree); -ERANGE if a value needs
 * more than 64 bits.
 */
int fdt_reg(const struct fdt *fdt, int node, u32 ac, u32 sc, u32 index, u64 *addr, u64 *size);

/*
 * Entry @index of the memory reservation block (5.3).  Returns 0, -ENOENT
 * past the terminating (0, 0) entry, -EBADMSG if the list runs off the
 * blob or an entry wraps past 2^64.
 */
int fdt_mem_rsv(const struct fdt *fdt, u32 index, u64 *addr, u64 *size);

#endif
