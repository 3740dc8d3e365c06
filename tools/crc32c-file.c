/*
 * tools/crc32c-file.c - print the CRC-32C of a file's first LEN bytes.
 *
 *   crc32c-file FILE [LEN]    -> "SIZE CRC" (hex crc, as the kernel prints)
 *
 * Exits 1 if the file is shorter than LEN.  Uses the kernel's lib/crc32c.c,
 * so host and guest compute the same function.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/crc32c.h"

int main(int argc, char **argv)
{
	unsigned long long want = ~0ull, total = 0;
	unsigned char buf[65536];
	u32 crc = 0;
	size_t n;
	FILE *f;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s FILE [LEN]\n", argv[0]);
		return 2;
	}
	if (argc == 3)
		want = strtoull(argv[2], NULL, 0);
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	while (total < want && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (n > want - total)
			n = (size_t)(want - total);
		crc = crc32c_update(crc, buf, n);
		total += n;
	}
	fclose(f);
	printf("%llu %08" PRIx32 "\n", total, crc);
	return want != ~0ull && total < want ? 1 : 0;
}
