/*
 * arch/x86_64/vmmio_cmdline.c - "virtio_mmio.device=" command-line entries
 * (see vmmio_cmdline.h).  Pure parsing: no register access, so the host
 * tests build it as it is (tests/host/test_vmmio_cmdline.c).
 */
#include "arch/x86_64/vmmio_cmdline.h"
#include "lib/printf.h"
#include "lib/string.h"

#define VMMIO_KEY "virtio_mmio.device="
#define IRQ_TYPE_LEVEL_HIGH 2u
#define DEVICE_SPACE_END (1ull << 32) /* what the boot page tables map */

/*
 * Parse an unsigned C integer at *s (strtoull with base 0): 0x/0X hex,
 * leading 0 octal, else decimal.  Advances *s; false if there are no
 * digits or the value overflows 64 bits.
 */
static bool parse_u64(const char **s, u64 *out)
{
	const char *p = *s;
	unsigned base = 10, digits = 0;
	u64 v = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0') {
		base = 8;
	}
	for (;; p++, digits++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (d >= base)
			break;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (!digits)
		return false;
	*s = p;
	*out = v;
	return true;
}

/* One entry (the text after the key, up to the next space).  0 or -1. */
static int parse_entry(const char *s, const char *end, struct dt_virtio_mmio *m)
{
	u64 size, base, irq, id, shift = 0;

	if (!parse_u64(&s, &size))
		return -1;
	switch (*s) {
	case 'K':
	case 'k':
		shift = 10;
		s++;
		break;
	case 'M':
	case 'm':
		shift = 20;
		s++;
		break;
	case 'G':
	case 'g':
		shift = 30;
		s++;
		break;
	}
	if (size == 0 || size > UINT64_MAX >> shift || *s++ != '@')
		return -1;
	size <<= shift;
	if (!parse_u64(&s, &base) || *s++ != ':' || !parse_u64(&s, &irq))
		return -1;
	if (*s == ':' && (s++, !parse_u64(&s, &id)))
		return -1;
	if (s != end || base > DEVICE_SPACE_END || size > DEVICE_SPACE_END - base || irq == 0 ||
	    irq > 255)
		return -1;
	*m = (struct dt_virtio_mmio){
		.base = base, .size = size, .irq = { (u32)irq, IRQ_TYPE_LEVEL_HIGH }, .irq_cells = 2
	};
	return 0;
}

unsigned vmmio_cmdline_parse(const char *cmdline, struct platform *p)
{
	size_t keylen = strlen(VMMIO_KEY);
	unsigned added = 0;
	const char *s = cmdline;

	while (s && *s) {
		const char *end;

		while (*s == ' ')
			s++;
		end = s;
		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - s) > keylen && memcmp(s, VMMIO_KEY, keylen) == 0) {
			struct dt_virtio_mmio m;

			if (parse_entry(s + keylen, end, &m) != 0) {
				kprintf("platform: malformed \"%.*s\" ignored\n", (int)(end - s),
					s);
			} else if (p->nvmmio == DT_MAX_VIRTIO_MMIO) {
				if (!p->truncated)
					kprintf("platform: more than %u virtio_mmio.device= "
						"entries: "
						"the rest ignored\n",
						DT_MAX_VIRTIO_MMIO);
				p->truncated = true;
			} else {
				p->vmmio[p->nvmmio++] = m;
				added++;
			}
		}
		s = end;
	}
	return added;
}

/* Is [s, end) the word "--"? */
static bool is_separator(const char *s, const char *end)
{
	return end - s == 2 && s[0] == '-' && s[1] == '-';
}

void vmmio_cmdline_hoist(char *cmdline, size_t size)
{
	size_t keylen = strlen(VMMIO_KEY), n = 0, len;
	const char *sep = NULL;
	char out[CMDLINE_HOIST_MAX];

	if (!cmdline)
		return;
	len = strnlen(cmdline, size);
	if (len >= sizeof(out))
		return;
	/*
	 * Three passes over the words: before "--"; the device entries
	 * after it; "--" and the rest.  Each word is copied with a space.
	 */
	for (int pass = 0; pass < 3; pass++) {
		bool after = false;

		for (const char *s = cmdline; *s;) {
			const char *end;
			bool dev;

			while (*s == ' ')
				s++;
			if (!*s)
				break;
			for (end = s; *end && *end != ' '; end++)
				;
			if (!after && is_separator(s, end)) {
				after = true;
				sep = s;
				if (pass == 2) {
					memcpy(out + n, "-- ", 3);
					n += 3;
				}
				s = end;
				continue;
			}
			dev = (size_t)(end - s) > keylen && !memcmp(s, VMMIO_KEY, keylen);
			if ((pass == 0 && !after) || (pass == 1 && after && dev) ||
			    (pass == 2 && after && !dev)) {
				memcpy(out + n, s, (size_t)(end - s));
				n += (size_t)(end - s);
				out[n++] = ' ';
			}
			s = end;
		}
		if (!sep)
			return; /* no "--": nothing to move */
	}
	while (n && out[n - 1] == ' ')
		n--;
	memcpy(cmdline, out, n);
	cmdline[n] = '\0';
}
