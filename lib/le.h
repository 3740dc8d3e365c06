/*
 * lib/le.h - little-endian types the compiler checks.
 *
 * Every device-visible and on-disk field is one of le16/le32/le64: a struct
 * with a single member, so arithmetic or assignment without going through
 * cpu_to_le*() / le*_to_cpu() does not compile.  All supported targets are
 * little-endian; the conversions still byte-swap on a big-endian host so the
 * code stays correct if that ever changes.
 */
#ifndef ORDO_LIB_LE_H
#define ORDO_LIB_LE_H

#include "lib/types.h"

typedef struct {
	u16 v;
} le16;
typedef struct {
	u32 v;
} le32;
typedef struct {
	u64 v;
} le64;

_Static_assert(sizeof(le16) == 2, "le16 size");
_Static_assert(sizeof(le32) == 4, "le32 size");
_Static_assert(sizeof(le64) == 8, "le64 size");

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE_SWAP16(x) __builtin_bswap16(x)
#define LE_SWAP32(x) __builtin_bswap32(x)
#define LE_SWAP64(x) __builtin_bswap64(x)
#else
#define LE_SWAP16(x) (x)
#define LE_SWAP32(x) (x)
#define LE_SWAP64(x) (x)
#endif

static inline le16 cpu_to_le16(u16 x)
{
	return (le16){ LE_SWAP16(x) };
}
static inline le32 cpu_to_le32(u32 x)
{
	return (le32){ LE_SWAP32(x) };
}
static inline le64 cpu_to_le64(u64 x)
{
	return (le64){ LE_SWAP64(x) };
}
static inline u16 le16_to_cpu(le16 x)
{
	return LE_SWAP16(x.v);
}
static inline u32 le32_to_cpu(le32 x)
{
	return LE_SWAP32(x.v);
}
static inline u64 le64_to_cpu(le64 x)
{
	return LE_SWAP64(x.v);
}

/*
 * Shared-memory fields the device updates concurrently (used->idx, the
 * event-index words) must be read exactly once per use.
 */
static inline u16 le16_read_once(const le16 *p)
{
	return LE_SWAP16(READ_ONCE(p->v));
}
static inline void le16_write_once(le16 *p, u16 x)
{
	WRITE_ONCE(p->v, LE_SWAP16(x));
}

/* Big-endian 32/64-bit loads from a byte buffer (the FDT is big-endian). */
static inline u32 be32_load(const void *p)
{
	const u8 *b = p;
	return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}

static inline u64 be64_load(const void *p)
{
	return ((u64)be32_load(p) << 32) | be32_load((const u8 *)p + 4);
}

#endif
