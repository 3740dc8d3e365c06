/*
 * lib/printf.c - a small vsnprintf and the console printf built on it.
 *
 * One formatter writes through a sink (buffer or console) so the two entry
 * points cannot drift apart.  Only integer conversions: the kernel never
 * prints floating point.
 */
#include "lib/printf.h"
#include "arch/port.h"

struct sink {
	char *buf; /* NULL: console */
	size_t size;
	size_t len; /* characters produced, including truncated ones */
};

static void sink_put(struct sink *s, char c)
{
	if (!s->buf)
		arch_console_putc(c);
	else if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

struct spec {
	bool left;
	bool zero;
	int width;
	int prec; /* -1: none */
};

static void put_padded(struct sink *s, const char *str, size_t n, const struct spec *sp, char pad)
{
	size_t fill = sp->width > 0 && (size_t)sp->width > n ? sp->width - n : 0;

	if (!sp->left) {
		/* A '-' must precede zero padding: "-0042", not "00-42". */
		if (pad == '0' && n && str[0] == '-') {
			sink_put(s, '-');
			str++;
			n--;
		}
		while (fill--)
			sink_put(s, pad);
	}
	while (n--)
		sink_put(s, *str++);
	if (sp->left)
		while (fill--)
			sink_put(s, ' ');
}

static void put_num(struct sink *s, u64 v, bool neg, unsigned base, bool upper,
		    const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[--i] = '-';
	put_padded(s, tmp + i, sizeof(tmp) - i, sp, sp->zero && !sp->left ? '0' : ' ');
}

/* Fetch an integer argument of the given length modifier. */
static u64 arg_uint(va_list *ap, int lmod)
{
	switch (lmod) {
	case 2: return va_arg(*ap, unsigned long long);
	case 1: return va_arg(*ap, unsigned long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static s64 arg_int(va_list *ap, int lmod)
{
	switch (lmod) {
	case 2: return va_arg(*ap, long long);
	case 1: return va_arg(*ap, long);
	case 3: return (s64)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

/* A field width or precision: '*' (from the arguments) or digits, or none (0). */
static const char *parse_num(const char *f, int *out, va_list *ap)
{
	*out = 0;
	if (*f == '*') {
		*out = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		*out = *out * 10 + (*f++ - '0');
	return f;
}

static const char *parse_spec(const char *f, struct spec *sp, int *lmod, va_list *ap)
{
	*sp = (struct spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	f = parse_num(f, &sp->width, ap);
	if (*f == '.')
		f = parse_num(f + 1, &sp->prec, ap);
	*lmod = 0;
	if (*f == 'h') {
		while (*f == 'h')
			f++; /* promoted to int anyway */
	} else if (*f == 'l') {
		*lmod = f[1] == 'l' ? 2 : 1;
		f += *lmod;
	} else if (*f == 'z') {
		*lmod = 3;
		f++;
	}
	return f;
}

static void format(struct sink *s, const char *f, va_list ap_in)
{
	va_list ap;

	va_copy(ap, ap_in);
	for (; *f; f++) {
		struct spec sp;
		int lmod;

		if (*f != '%') {
			sink_put(s, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp, &lmod, &ap);
		switch (*f) {
		case 'd':
		case 'i': {
			s64 v = arg_int(&ap, lmod);
			put_num(s, v < 0 ? -(u64)v : (u64)v, v < 0, 10, false, &sp);
			break;
		}
		case 'u': put_num(s, arg_uint(&ap, lmod), false, 10, false, &sp); break;
		case 'x': put_num(s, arg_uint(&ap, lmod), false, 16, false, &sp); break;
		case 'X': put_num(s, arg_uint(&ap, lmod), false, 16, true, &sp); break;
		case 'o': put_num(s, arg_uint(&ap, lmod), false, 8, false, &sp); break;
		case 'p':
			sink_put(s, '0');
			sink_put(s, 'x');
			put_num(s, (uintptr_t)va_arg(ap, void *), false, 16, false, &sp);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_padded(s, &c, 1, &sp, ' ');
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			size_t n = 0;

			if (!str)
				str = "(null)";
			while (str[n] && (sp.prec < 0 || n < (size_t)sp.prec))
				n++;
			put_padded(s, str, n, &sp, ' ');
			break;
		}
		case '%': sink_put(s, '%'); break;
		case '\0': f--; break; /* trailing '%': stop at the NUL */
		default:
			sink_put(s, '%');
			sink_put(s, *f);
			break;
		}
	}
	va_end(ap);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	/* A sink with size 0 would print to the console: use a dummy byte. */
	char dummy;
	struct sink s = { .buf = size ? buf : &dummy, .size = size };

	format(&s, fmt, ap);
	if (size)
		buf[MIN(s.len, size - 1)] = '\0';
	return (int)s.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vkprintf(const char *fmt, va_list ap)
{
	struct sink s = { 0 };

	format(&s, fmt, ap);
	return (int)s.len;
}
