/*
 * kernel/libc/tls.c - thread-local storage blocks for the C library and
 * the program (picolibc keeps errno there; a program may declare
 * _Thread_local variables on any architecture).
 *
 * The linker scripts describe the image's TLS template: __tls_template
 * (the initialised part, __tls_data_size bytes), followed at
 * __tls_bss_offset by __tls_bss_size zeroed bytes, __tls_size in all,
 * aligned to __tls_align.  Code compiled with the local-exec model (all
 * of ours: a static image) reaches a variable at a fixed offset from the
 * thread pointer, in the ABI's layout (arch/arch.h, ARCH_TLS_VARIANT).
 *
 * The boot thread's block is a static array sized at link time, so TLS
 * works before any allocator does.
 */
#include "kernel/libc/tls.h"

#include "arch/arch.h"
#include "lib/printf.h"
#include "lib/string.h"

extern const char __tls_template[];
extern const char __tls_data_size[], __tls_size[], __tls_align[];

/*
 * The sizes are absolute symbols, read from data words the linker fills
 * with their values.  Taken as addresses in code (adrp, auipc: PC-relative)
 * they would move with an image that runs away from its link address
 * (aarch64: head.S relocates it); volatile keeps the compiler from folding
 * the loads back into such address arithmetic.
 */
static const char *const volatile tls_sizes[3] = { __tls_data_size, __tls_size, __tls_align };

#define TLS_DATA_SIZE ((size_t)(uintptr_t)tls_sizes[0])
#define TLS_SIZE ((size_t)(uintptr_t)tls_sizes[1])
#define TLS_ALIGN ((size_t)(uintptr_t)tls_sizes[2])

/* Room for the boot thread's block (checked at boot). */
#define TLS_BOOT_AREA 2048
static _Alignas(64) u8 tls_boot_area[TLS_BOOT_AREA];
static void *tls_boot_tp_value;

/*
 * One initialised and one zeroed thread-local variable: the image always
 * has both TLS sections (so the linker scripts' symbols are defined),
 * and tls_check() proves the layout with them.
 */
static const char tls_check_value[] = "tls";
static _Thread_local const char *tls_check_data = tls_check_value;
static _Thread_local unsigned long tls_check_bss;

static size_t tls_align(void)
{
	return MAX(TLS_ALIGN, (size_t)16);
}

/* Offset of the block from the area's start, and of tp from it. */
static size_t tls_block_off(void)
{
	if (ARCH_TLS_VARIANT == 1)
		return ALIGN_UP((size_t)ARCH_TLS_TCB, tls_align());
	return 0;
}

size_t tls_area_size(void)
{
	size_t size = ALIGN_UP(TLS_SIZE, tls_align());

	if (ARCH_TLS_VARIANT == 1)
		return tls_block_off() + size;
	return size + ARCH_TLS_TCB;
}

size_t tls_area_align(void)
{
	return tls_align();
}

void *tls_area_init(void *area)
{
	u8 *a = area, *block;
	void *tp;

	if (ARCH_TLS_VARIANT == 1) {
		tp = a;
		block = a + tls_block_off();
	} else {
		/* The block ends at tp: the variables sit just below it. */
		tp = a + ALIGN_UP(TLS_SIZE, tls_align());
		block = (u8 *)tp - ALIGN_UP(TLS_SIZE, tls_align());
		*(void **)tp = tp;
	}
	memcpy(block, __tls_template, TLS_DATA_SIZE);
	memset(block + TLS_DATA_SIZE, 0, TLS_SIZE - TLS_DATA_SIZE);
	return tp;
}

/*
 * Through the thread pointer: the template's value, zero, and addresses
 * inside `area`.  Not inlined: GCC reads the thread pointer once per
 * function, so this must not share one with arch_tls_set().
 */
static __attribute__((noinline)) bool tls_check(const u8 *area, size_t size)
{
	const u8 *d = (const u8 *)&tls_check_data, *b = (const u8 *)&tls_check_bss;

	return tls_check_data == tls_check_value && tls_check_bss == 0 && d >= area &&
	       d < area + size && b >= area && b < area + size;
}

void tls_boot_init(void)
{
	/*
	 * Checked at run time, not with a link-time assert: the size is a
	 * linker symbol.  It is checked before anything uses TLS.
	 */
	if (tls_area_size() > TLS_BOOT_AREA || tls_align() > 64) {
		kprintf("ordo: thread-local storage of %zu bytes (align %zu) exceeds the boot "
			"thread's %u\n",
			tls_area_size(), tls_align(), TLS_BOOT_AREA);
		arch_exit(2);
	}
	tls_boot_tp_value = tls_area_init(tls_boot_area);
	arch_tls_set(tls_boot_tp_value);
	if (!tls_check(tls_boot_area, tls_area_size())) {
		kprintf("ordo: thread-local storage is not where the ABI puts it\n");
		arch_exit(2);
	}
}

void *tls_boot_tp(void)
{
	return tls_boot_tp_value;
}
