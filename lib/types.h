/*
 * lib/types.h - fixed-width types and little helpers shared by every layer.
 *
 * Freestanding: only the compiler's own headers (stdint, stddef, stdbool,
 * stdarg) are used, so the same file builds for the target and the host.
 */
#ifndef ORDO_LIB_TYPES_H
#define ORDO_LIB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

/* Physical (bus) address as seen by a device. */
typedef uint64_t phys_addr_t;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define IS_POW2(x) ((x) != 0 && (((x) & ((x)-1)) == 0))
#define BIT(n) (1u << (n))
#define BIT64(n) (1ull << (n))

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/*
 * A C library's <sys/cdefs.h> (picolibc, newlib) defines some of these
 * too, with the same meaning: a file that includes both keeps the first.
 */
#ifndef __packed
#define __packed __attribute__((packed))
#endif
#ifndef __aligned
#define __aligned(n) __attribute__((aligned(n)))
#endif
#ifndef __noreturn
#define __noreturn __attribute__((noreturn))
#endif
#ifndef __unused
#define __unused __attribute__((unused))
#endif
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Stops the compiler from caching or reordering this access. */
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#endif
