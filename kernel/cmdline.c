/*
 * kernel/cmdline.c - kernel command line parsing (see cmdline.h).
 */
#include "kernel/cmdline.h"

#include "lib/errno.h"
#include "lib/string.h"

static char cmdline[CMDLINE_MAX];
/* Where the kernel's words end: the "--" word, or the terminating NUL. */
static const char *cmdline_kend = cmdline;

void cmdline_set(const char *line)
{
	size_t n = line ? strnlen(line, CMDLINE_MAX) : 0;

	if (n == CMDLINE_MAX) {
		/*
		 * Too long: drop the word cut by the limit rather than keep
		 * half of it ("blk.timeout_ms=12345" must not become "=12").
		 */
		n = CMDLINE_MAX - 1;
		while (n && line[n] != ' ')
			n--;
	}
	memcpy(cmdline, line ? line : "", n);
	cmdline[n] = '\0';
	for (cmdline_kend = cmdline; *cmdline_kend; cmdline_kend++) {
		if ((cmdline_kend == cmdline || cmdline_kend[-1] == ' ') &&
		    !strncmp(cmdline_kend, "--", 2) &&
		    (cmdline_kend[2] == ' ' || cmdline_kend[2] == '\0'))
			break;
	}
}

const char *cmdline_args(void)
{
	const char *p = cmdline_kend;

	if (!*p)
		return NULL;
	for (p += 2; *p == ' '; p++)
		;
	return p;
}

const char *cmdline_get(void)
{
	return cmdline;
}

/*
 * Find the word starting with `key` of length `klen` followed by `end`
 * ('\0' for a bare word, '=' for an option).  Returns the character after
 * the key, or NULL.
 */
static const char *cmdline_find(const char *key, char end)
{
	size_t klen = strlen(key);

	for (const char *p = cmdline; p < cmdline_kend;) {
		const char *w = p;

		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - w) >= klen && strncmp(w, key, klen) == 0) {
			char c = w[klen];

			if ((end == '\0' && (c == ' ' || c == '\0')) || (end == '=' && c == '='))
				return w + klen;
		}
		while (*p == ' ')
			p++;
	}
	return NULL;
}

bool cmdline_flag(const char *word)
{
	return cmdline_find(word, '\0') != NULL;
}

int cmdline_u64(const char *key, u64 *val)
{
	const char *p = cmdline_find(key, '=');
	unsigned base = 10;
	u64 v = 0;

	if (!p)
		return -ENOENT;
	p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (*p == ' ' || *p == '\0')
		return -EINVAL;
	for (; *p && *p != ' '; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f'))
			d = (unsigned)((*p | 0x20) - 'a' + 10);
		else
			return -EINVAL;
		if (d >= base || v > (~0ull - d) / base)
			return -EINVAL;
		v = v * base + d;
	}
	*val = v;
	return 0;
}

int cmdline_str(const char *key, char *buf, size_t size)
{
	const char *p = cmdline_find(key, '=');
	size_t n = 0;

	if (!p)
		return -ENOENT;
	for (p++; p[n] && p[n] != ' '; n++)
		;
	if (n == 0)
		return -EINVAL;
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}
