/*
 * tests/host/test_crc32c.c - CRC-32C: the tables against the standard's
 * check values, and (on an x86_64 host with SSE4.2) the instruction path of
 * arch/x86_64/crc32c.c against the tables, for every length up to 300 at
 * every head alignment, in exact-size buffers under ASan.  The aarch64
 * instruction path is checked the same way inside QEMU (KTAP case
 * crc32c_instruction_matches_tables).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "lib/crc32c.h"

static void test_check_values(void **state)
{
	static const u8 zeros[32], ones[32] = { [0 ... 31] = 0xff };
	u8 inc[32];

	(void)state;
	for (int i = 0; i < 32; i++)
		inc[i] = (u8)i;
	/* RFC 3720 B.4 and the usual "123456789" check value. */
	assert_int_equal(crc32c_sw_update(0, "123456789", 9), 0xe3069283u);
	assert_int_equal(crc32c_sw_update(0, zeros, 32), 0x8a9136aau);
	assert_int_equal(crc32c_sw_update(0, ones, 32), 0x62a8ab43u);
	assert_int_equal(crc32c_sw_update(0, inc, 32), 0x46dd794eu);
	assert_int_equal(crc32c("123456789", 9), 0xe3069283u);
	/* Continuing a CRC is the CRC of the concatenation. */
	assert_int_equal(crc32c_update(crc32c("1234", 4), "56789", 5), 0xe3069283u);
}

static void test_instruction_matches_tables(void **state)
{
	(void)state;
	if (!arch_crc32c_supported())
		skip();
	for (u32 off = 0; off < 8; off++) {
		for (u32 len = 0; len <= 300; len++) {
			u8 *p = malloc(off + len + 1);

			assert_non_null(p);
			for (u32 i = 0; i < off + len; i++)
				p[i] = (u8)(i * 37u + len);
			assert_int_equal(~arch_crc32c_raw(~0x5a5a5a5au, p + off, len),
					 crc32c_sw_update(0x5a5a5a5au, p + off, len));
			assert_int_equal(crc32c_update(7, p + off, len),
					 crc32c_sw_update(7, p + off, len));
			free(p);
		}
	}
}

/*
 * A record's crc over itself with its own field read as zero equals the
 * crc of a copy whose field is zeroed, wherever the field sits (first,
 * last, in between) and whatever it holds.
 */
static void test_field_zero(void **state)
{
	u8 buf[300], copy[300];

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i * 131 + 7);
	for (size_t len = 4; len <= sizeof(buf); len += 37) {
		for (size_t field = 0; field + 4 <= len; field++) {
			memcpy(copy, buf, len);
			memset(copy + field, 0, 4);
			assert_int_equal(crc32c_field_zero(buf, len, field), crc32c(copy, len));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_values),
		cmocka_unit_test(test_instruction_matches_tables),
		cmocka_unit_test(test_field_zero),
	};

	return cmocka_run_group_tests_name("crc32c", tests, NULL, NULL);
}
