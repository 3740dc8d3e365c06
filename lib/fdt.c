/*
 * lib/fdt.c - bounds-checked flattened device tree reader.
 *
 * Implements the DTB format of the Devicetree Specification v0.4, chapter 5:
 *
 *   +---------------------------+ 0
 *   | header (5.2), 40 bytes    |
 *   | memory reservation (5.3)  |  (addr, size) u64 pairs up to (0, 0)
 *   | structure block (5.4)     |  tokens, each 4-byte aligned
 *   | strings block (5.5)       |  property names, NUL-terminated
 *   +---------------------------+ totalsize
 *
 * The blob comes from the boot loader and is trusted for nothing.  The
 * invariant every function keeps is that a read happens only after a check
 * that it lies inside the block it belongs to, written so the check itself
 * cannot overflow (fdt_range_ok()).  Walks only ever move forward by at
 * least one token (4 bytes) through a block of bounded size, so they end.
 * fdt_init() guarantees totalsize <= INT32_MAX, which keeps node offsets
 * positive ints and lets offset + 3 round up without wrapping.
 *
 * No state, no allocation, no locking: the blob is read-only and all
 * functions may run concurrently.
 */
#include "lib/fdt.h"
#include "lib/errno.h"
#include "lib/le.h"
#include "lib/string.h"

/* Header field offsets (5.2); size_dt_struct exists from version 17. */
#define FDT_HDR_MAGIC 0
#define FDT_HDR_TOTALSIZE 4
#define FDT_HDR_OFF_STRUCT 8
#define FDT_HDR_OFF_STRINGS 12
#define FDT_HDR_OFF_RSVMAP 16
#define FDT_HDR_VERSION 20
#define FDT_HDR_LAST_COMP 24
#define FDT_HDR_SIZE_STRINGS 32
#define FDT_HDR_SIZE_STRUCT 36
#define FDT_HDR_V16_SIZE 36u
#define FDT_HDR_V17_SIZE 40u

#define FDT_TAGSIZE 4u
#define FDT_RSV_ENTRY 16u /* struct fdt_reserve_entry (5.3.2) */

/* Is [off, off + len) inside [0, size)?  Cannot overflow. */
static bool fdt_range_ok(u32 off, u32 len, u32 size)
{
	return off <= size && len <= size - off;
}

/* Do two non-empty ranges share a byte?  64-bit sums cannot wrap. */
static bool fdt_overlap(u32 a, u32 alen, u32 b, u32 blen)
{
	if (!alen || !blen)
		return false;
	return (u64)a < (u64)b + blen && (u64)b < (u64)a + alen;
}

/*
 * Layout checks of fdt_init(), after the header itself was found sane.
 * Each block must start after the header (or the header fields would be
 * read twice with two meanings), end inside totalsize, and be aligned as
 * 5.6 requires so that tokens and cells fall on their boundaries.
 */
static int fdt_check_layout(const struct fdt *fdt, u32 hdr_size)
{
	if (fdt->off_struct % FDT_TAGSIZE || fdt->off_rsvmap % 8)
		return -EBADMSG;
	if (fdt->off_struct < hdr_size || fdt->off_strings < hdr_size || fdt->off_rsvmap < hdr_size)
		return -EBADMSG;
	if (!fdt_range_ok(fdt->off_struct, fdt->size_struct, fdt->size) ||
	    !fdt_range_ok(fdt->off_strings, fdt->size_strings, fdt->size) ||
	    !fdt_range_ok(fdt->off_rsvmap, FDT_RSV_ENTRY, fdt->size))
		return -EBADMSG;
	if (fdt_overlap(fdt->off_struct, fdt->size_struct, fdt->off_strings, fdt->size_strings))
		return -EBADMSG;
	return 0;
}

int fdt_init(struct fdt *fdt, const void *blob, size_t avail)
{
	const u8 *b = blob;
	u32 total, last_comp, hdr_size;

	/* Every real blob is larger than a v17 header plus one rsv entry. */
	if (!fdt || !b || avail < FDT_HDR_V17_SIZE)
		return -EINVAL;
	if (be32_load(b + FDT_HDR_MAGIC) != FDT_MAGIC)
		return -EINVAL;

	/*
	 * 5.1: we understand 16 and 17; a later version is fine as long as
	 * it declares itself backwards compatible with one of those.
	 */
	fdt->version = be32_load(b + FDT_HDR_VERSION);
	last_comp = be32_load(b + FDT_HDR_LAST_COMP);
	if (fdt->version < FDT_VERSION_MIN || last_comp > FDT_VERSION_CUR)
		return -EOPNOTSUPP;

	total = be32_load(b + FDT_HDR_TOTALSIZE);
	if (total > avail)
		return -EOVERFLOW;
	if (total > INT32_MAX)
		return -EFBIG;
	/* Blocks start after the header, so this also bounds totalsize. */
	hdr_size = fdt->version >= 17 ? FDT_HDR_V17_SIZE : FDT_HDR_V16_SIZE;

	fdt->blob = b;
	fdt->size = total;
	fdt->off_struct = be32_load(b + FDT_HDR_OFF_STRUCT);
	fdt->off_strings = be32_load(b + FDT_HDR_OFF_STRINGS);
	fdt->off_rsvmap = be32_load(b + FDT_HDR_OFF_RSVMAP);
	fdt->size_strings = be32_load(b + FDT_HDR_SIZE_STRINGS);
	if (fdt->off_struct > total)
		return -EBADMSG;
	if (fdt->version >= 17) {
		fdt->size_struct = be32_load(b + FDT_HDR_SIZE_STRUCT);
	} else {
		/*
		 * v16 has no size_dt_struct: let the block run to the
		 * strings block if that follows it, else to totalsize.  The
		 * walk finds the real end at FDT_END.
		 */
		u32 end = total;

		if (fdt->off_strings > fdt->off_struct && fdt->off_strings < end)
			end = fdt->off_strings;
		fdt->size_struct = end - fdt->off_struct;
	}
	return fdt_check_layout(fdt, hdr_size);
}

/*
 * Property name at @nameoff in the strings block, or NULL unless it is
 * NUL-terminated inside the block (5.5) -- otherwise a later strcmp()
 * would run past it.
 */
static const char *fdt_string(const struct fdt *fdt, u32 nameoff)
{
	const char *s;
	u32 room;

	if (nameoff >= fdt->size_strings)
		return NULL;
	s = (const char *)fdt->blob + fdt->off_strings + nameoff;
	room = fdt->size_strings - nameoff;
	return strnlen(s, room) < room ? s : NULL;
}

static const u8 *fdt_sb(const struct fdt *fdt)
{
	return fdt->blob + fdt->off_struct;
}

/*
 * Decode the token at @off of the structure block (5.4.1): its tag, and in
 * *@next the offset of the token after it.  Checks everything the token
 * carries: a node name ends inside the block, a property's len/nameoff
 * header and value fit, and its name is a valid string.
 * Returns 0 or -EBADMSG.  *@next may be past the block; the next call
 * then fails.
 */
static int fdt_next_tag(const struct fdt *fdt, u32 off, u32 *tag, u32 *next)
{
	const u8 *sb = fdt_sb(fdt);
	u32 size = fdt->size_struct, len;

	if (off % FDT_TAGSIZE || !fdt_range_ok(off, FDT_TAGSIZE, size))
		return -EBADMSG;
	*tag = be32_load(sb + off);
	off += FDT_TAGSIZE;

	switch (*tag) {
	case FDT_BEGIN_NODE:
		len = (u32)strnlen((const char *)sb + off, size - off);
		if (len == size - off)
			return -EBADMSG; /* name runs off the block */
		off += len + 1;
		break;
	case FDT_PROP:
		if (!fdt_range_ok(off, 8, size))
			return -EBADMSG;
		len = be32_load(sb + off);
		if (!fdt_string(fdt, be32_load(sb + off + 4)))
			return -EBADMSG;
		off += 8;
		if (!fdt_range_ok(off, len, size))
			return -EBADMSG; /* value past the block */
		off += len;
		break;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END: break;
	default: return -EBADMSG;
	}
	/* off <= size <= INT32_MAX, so rounding up cannot wrap. */
	*next = ALIGN_UP(off, FDT_TAGSIZE);
	return 0;
}

/*
 * Offset just past the FDT_BEGIN_NODE token and name of @node, where its
 * properties start.  -EINVAL if @node does not point at a node.
 */
static int fdt_node_body(const struct fdt *fdt, int node, u32 *body)
{
	u32 tag;

	if (node < 0 || (u32)node % FDT_TAGSIZE ||
	    !fdt_range_ok((u32)node, FDT_TAGSIZE, fdt->size_struct) ||
	    be32_load(fdt_sb(fdt) + node) != FDT_BEGIN_NODE)
		return -EINVAL;
	return fdt_next_tag(fdt, (u32)node, &tag, body);
}

/*
 * Walk the memory reservation block (5.3) to entry @index.  Returns 0 with
 * the entry; -ENOENT at the (0, 0) terminator, with the number of entries
 * before it in *@count; -EBADMSG if the list runs off the blob (it has no
 * size field) or a region wraps around.
 */
static int fdt_rsv_walk(const struct fdt *fdt, u32 index, u64 *addr, u64 *size, u32 *count)
{
	const u8 *p = fdt->blob + fdt->off_rsvmap;
	u32 room = fdt->size - fdt->off_rsvmap;

	for (u32 i = 0;; i++, p += FDT_RSV_ENTRY, room -= FDT_RSV_ENTRY) {
		if (room < FDT_RSV_ENTRY)
			return -EBADMSG;
		*addr = be64_load(p);
		*size = be64_load(p + 8);
		if (!*addr && !*size) {
			*count = i;
			return -ENOENT;
		}
		if (*addr + *size < *addr)
			return -EBADMSG;
		if (i == index)
			return 0;
	}
}

/*
 * One pass over the structure block enforcing 5.4.2: a single root node,
 * properties of a node before its subnodes, FDT_BEGIN_NODE/FDT_END_NODE
 * balanced and nested at most FDT_MAX_DEPTH deep, then FDT_END.
 */
static int fdt_check_struct(const struct fdt *fdt)
{
	u32 off = 0, tag, next;
	int depth = 0, err;
	bool seen_root = false, after_child = false;

	for (;; off = next) {
		err = fdt_next_tag(fdt, off, &tag, &next);
		if (err)
			return err;
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (depth == 0 && seen_root)
				return -EBADMSG; /* second root */
			if (++depth > FDT_MAX_DEPTH)
				return -EBADMSG; /* bounds our walkers */
			seen_root = true;
			after_child = false;
			break;
		case FDT_END_NODE:
			if (depth-- == 0)
				return -EBADMSG;
			after_child = true; /* back in the parent */
			break;
		case FDT_PROP:
			/* Lookups stop at the first subnode (5.4.2). */
			if (depth == 0 || after_child)
				return -EBADMSG;
			break;
		case FDT_NOP: break;
		case FDT_END:
			if (depth != 0 || !seen_root)
				return -EBADMSG;
			/* v17: FDT_END is the last token, ending the block. */
			if (fdt->version >= 17 && next != fdt->size_struct)
				return -EBADMSG;
			return 0;
		}
	}
}

int fdt_check(const struct fdt *fdt)
{
	u32 rsv_size;
	u64 addr, size;
	int err;

	/* Index ~0 is never reached: the blob holds < 2^27 entries. */
	err = fdt_rsv_walk(fdt, ~0u, &addr, &size, &rsv_size);
	if (err != -ENOENT)
		return -EBADMSG;
	rsv_size = (rsv_size + 1) * FDT_RSV_ENTRY; /* with terminator */
	if (fdt_overlap(fdt->off_rsvmap, rsv_size, fdt->off_struct, fdt->size_struct) ||
	    fdt_overlap(fdt->off_rsvmap, rsv_size, fdt->off_strings, fdt->size_strings))
		return -EBADMSG;
	return fdt_check_struct(fdt);
}

int fdt_mem_rsv(const struct fdt *fdt, u32 index, u64 *addr, u64 *size)
{
	u32 count;

	return fdt_rsv_walk(fdt, index, addr, size, &count);
}

int fdt_next_node(const struct fdt *fdt, int node, int *depth)
{
	u32 off, tag, next;
	int lvl = 0, err;

	if (node == -1) {
		off = 0; /* the first FDT_BEGIN_NODE is the root */
		lvl = -1;
	} else {
		err = fdt_node_body(fdt, node, &off);
		if (err)
			return err;
		if (depth)
			lvl = *depth;
	}

	for (;; off = next) {
		err = fdt_next_tag(fdt, off, &tag, &next);
		if (err)
			return err;
		if (tag == FDT_BEGIN_NODE) {
			if (depth)
				*depth = lvl + 1;
			return (int)off;
		}
		if (tag == FDT_END)
			return -ENOENT;
		/* Only a depth-tracking walk can leave its subtree. */
		if (tag == FDT_END_NODE && --lvl < 0 && (depth || node == -1))
			return -ENOENT;
	}
}

int fdt_first_subnode(const struct fdt *fdt, int node)
{
	int depth = 0;

	if (node < 0)
		return -EINVAL;
	return fdt_next_node(fdt, node, &depth);
}

int fdt_next_subnode(const struct fdt *fdt, int node)
{
	int depth = 1; /* @node is one level below the parent */

	if (node < 0)
		return -EINVAL;
	do {
		node = fdt_next_node(fdt, node, &depth);
		if (node < 0)
			return node;
	} while (depth > 1); /* skip @node's own descendants */
	return node;
}

const char *fdt_node_name(const struct fdt *fdt, int node)
{
	u32 body;

	/* fdt_node_body() checked the name ends inside the block. */
	if (fdt_node_body(fdt, node, &body))
		return NULL;
	return (const char *)fdt_sb(fdt) + node + FDT_TAGSIZE;
}

const void *fdt_getprop(const struct fdt *fdt, int node, const char *name, u32 *lenp)
{
	const u8 *sb = fdt_sb(fdt);
	u32 off, tag, next;

	if (fdt_node_body(fdt, node, &off))
		return NULL;
	/* Properties come first (5.4.2); stop at a subnode or the end. */
	for (;; off = next) {
		if (fdt_next_tag(fdt, off, &tag, &next))
			return NULL;
		if (tag == FDT_NOP)
			continue;
		if (tag != FDT_PROP)
			return NULL;
		/* fdt_next_tag() validated len, nameoff and the name. */
		if (strcmp(fdt_string(fdt, be32_load(sb + off + 8)), name))
			continue;
		if (lenp)
			*lenp = be32_load(sb + off + 4);
		return sb + off + 12;
	}
}

int fdt_getprop_u32(const struct fdt *fdt, int node, const char *name, u32 *val)
{
	const void *p;
	u32 len;

	p = fdt_getprop(fdt, node, name, &len);
	if (!p)
		return -ENOENT;
	if (len != 4)
		return -EBADMSG;
	*val = be32_load(p);
	return 0;
}

/*
 * Does path component @comp (@len bytes, no NUL) name node @name (2.2.3)?
 * "memory" matches "memory@40000000"; "memory@4" does not, since a name
 * holds only one '@'.
 */
static bool fdt_name_matches(const char *name, const char *comp, size_t len)
{
	if (strncmp(name, comp, len))
		return false;
	/* name has at least len non-NUL bytes, so name[len] is in bounds. */
	return name[len] == '\0' || name[len] == '@';
}

int fdt_path_offset(const struct fdt *fdt, const char *path)
{
	const char *comp, *name;
	size_t len;
	int node;

	if (!path || path[0] != '/')
		return -EINVAL; /* aliases are not supported */
	node = fdt_next_node(fdt, -1, NULL);
	while (node >= 0) {
		while (*path == '/')
			path++;
		if (!*path)
			return node;
		comp = path;
		for (len = 0; comp[len] && comp[len] != '/'; len++)
			;
		path += len;
		for (node = fdt_first_subnode(fdt, node); node >= 0;
		     node = fdt_next_subnode(fdt, node)) {
			name = fdt_node_name(fdt, node);
			if (name && fdt_name_matches(name, comp, len))
				break;
		}
	}
	return node;
}

int fdt_parent_offset(const struct fdt *fdt, int node)
{
	int stack[FDT_MAX_DEPTH];
	int depth, cur;
	u32 body;

	cur = fdt_node_body(fdt, node, &body);
	if (cur)
		return cur;
	/* The format has no parent links: walk from the root, keeping the
	 * current ancestry. */
	for (cur = fdt_next_node(fdt, -1, &depth); cur >= 0;
	     cur = fdt_next_node(fdt, cur, &depth)) {
		if (depth >= FDT_MAX_DEPTH)
			return -EBADMSG;
		stack[depth] = cur;
		if (cur == node)
			return depth ? stack[depth - 1] : -ENOENT;
	}
	/* Not met on the walk: @node only looked like a node. */
	return cur == -ENOENT ? -EINVAL : cur;
}

int fdt_node_by_phandle(const struct fdt *fdt, u32 phandle)
{
	u32 val;
	int node;

	/* 2.3.3: 0 and 0xffffffff are never valid phandles. */
	if (phandle == 0 || phandle == ~0u)
		return -EINVAL;
	for (node = fdt_next_node(fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL)) {
		if ((!fdt_getprop_u32(fdt, node, "phandle", &val) ||
		     !fdt_getprop_u32(fdt, node, "linux,phandle", &val)) &&
		    val == phandle)
			return node;
	}
	return node;
}

bool fdt_stringlist_contains(const char *list, u32 len, const char *str)
{
	size_t slen = strlen(str), n;

	while (len > 0) {
		n = strnlen(list, len);
		if (n == len)
			return false; /* unterminated tail */
		if (n == slen && !memcmp(list, str, n))
			return true;
		list += n + 1;
		len -= (u32)n + 1; /* n < len */
	}
	return false;
}

bool fdt_node_is_compatible(const struct fdt *fdt, int node, const char *compat)
{
	const char *list;
	u32 len;

	list = fdt_getprop(fdt, node, "compatible", &len);
	return list && fdt_stringlist_contains(list, len, compat);
}

/* A #...-cells property: one cell, at most FDT_MAX_NCELLS, @dflt if absent. */
static int fdt_ncells(const struct fdt *fdt, int node, const char *name, u32 dflt, u32 *val)
{
	int err = fdt_getprop_u32(fdt, node, name, val);

	if (err == -ENOENT) {
		*val = dflt;
		return 0;
	}
	if (err)
		return err;
	return *val > FDT_MAX_NCELLS ? -EBADMSG : 0;
}

int fdt_bus_cells(const struct fdt *fdt, int bus, u32 *addr_cells, u32 *size_cells)
{
	int err;

	if (!fdt_node_name(fdt, bus))
		return -EINVAL;
	/* 2.3.5: not inherited; defaults 2 and 1 when missing. */
	err = fdt_ncells(fdt, bus, "#address-cells", 2, addr_cells);
	if (err)
		return err;
	return fdt_ncells(fdt, bus, "#size-cells", 1, size_cells);
}

int fdt_reg_cells(const struct fdt *fdt, int node, u32 *addr_cells, u32 *size_cells)
{
	int parent = fdt_parent_offset(fdt, node);

	if (parent < 0)
		return parent;
	return fdt_bus_cells(fdt, parent, addr_cells, size_cells);
}

int fdt_read_cells(const void *p, u32 ncells, u64 *val)
{
	const u8 *b = p;
	u64 v = 0;

	for (u32 i = 0; i < ncells; i++) {
		if (v >> 32)
			return -ERANGE; /* the next shift would lose bits */
		v = (v << 32) | be32_load(b + 4 * i);
	}
	*val = v;
	return 0;
}

int fdt_reg(const struct fdt *fdt, int node, u32 ac, u32 sc, u32 index, u64 *addr, u64 *size)
{
	const u8 *p;
	u32 len, entry;
	int err;

	if (ac == 0 || ac > FDT_MAX_NCELLS || sc > FDT_MAX_NCELLS)
		return -EBADMSG;
	p = fdt_getprop(fdt, node, "reg", &len);
	if (!p)
		return -ENOENT;
	entry = (ac + sc) * 4;
	if (len % entry)
		return -EBADMSG;
	if (index >= len / entry)
		return -ENOENT;
	p += (size_t)index * entry;
	err = fdt_read_cells(p, ac, addr);
	if (err)
		return err;
	return fdt_read_cells(p + 4 * ac, sc, size);
}
