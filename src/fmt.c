/*
 * fmt.c - printf and its family, for the integers and strings ply
 * prints (no floating point: nothing in ply prints one).
 *
 * A static binary carries the libc code it calls, and a libc's printf
 * brings its floating-point formatting along whether it is used or not:
 * 10 kB of musl's 240 kB ply.  These are a fifth of that.  ply.h
 * points printf, fprintf, snprintf, vsnprintf and vfprintf here, so the
 * whole program (and the scripts' printf, out_printf.c) formats the
 * same way on every libc: glibc's, musl's and uClibc-ng's.
 *
 * Conversions: d i u o x X c s p % with the flags - + space # 0, a
 * width and a precision (or *), and the length modifiers hh h l ll j
 * z t L q.  %p is "(nil)" for NULL, else 0x and hex (glibc's, which
 * bpftrace's output has).  A floating-point conversion prints "?".
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "ply.h"

#undef printf
#undef fprintf
#undef snprintf
#undef vsnprintf
#undef vfprintf

/* where the text goes: a FILE, or a buffer (that may fill up) */
struct out {
	FILE *fp;
	char *buf;
	size_t size, len;	/* len: what was (or would have been) put */
};

static void put(struct out *o, const char *s, size_t n)
{
	size_t room;

	if (o->fp) {
		fwrite(s, 1, n, o->fp);
	} else if (o->len + 1 < o->size) {
		room = o->size - 1 - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void pad(struct out *o, char c, int n)
{
	char b[32];

	memset(b, c, sizeof(b));
	for (; n > 0; n -= (int)sizeof(b))
		put(o, b, n < (int)sizeof(b) ? (size_t)n : sizeof(b));
}

struct spec {
	bool left, plus, space, alt, zero;
	int width, prec;	/* -1: none */
};

/* s[0..n) in the field: padded to the width, on the left or right;
 * pre (a sign, 0x) before the zeros of '0' */
static void field(struct out *o, const struct spec *sp, const char *pre,
		  const char *s, int n, int zeros)
{
	int np = (int)strlen(pre), fill = sp->width - np - zeros - n;

	if (!sp->left && !(sp->zero && sp->prec < 0))
		pad(o, ' ', fill);
	put(o, pre, np);
	if (!sp->left && sp->zero && sp->prec < 0)
		pad(o, '0', fill);
	pad(o, '0', zeros);
	put(o, s, n);
	if (sp->left)
		pad(o, ' ', fill);
}

static void integer(struct out *o, const struct spec *sp, char conv,
		    uint64_t u, bool neg)
{
	char digits[24], *p = digits + sizeof(digits);
	const char *pre = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";
	unsigned base = conv == 'o' ? 8 : strchr("xXp", conv) ? 16 : 10;
	const char *dig = conv == 'X' ? "0123456789ABCDEF" :
		"0123456789abcdef";
	bool zero = !u;
	int n, zeros;

	if (conv == 'p' && !u) {
		field(o, sp, "", "(nil)", 5, 0);
		return;
	}
	if (strchr("ouxXp", conv))
		pre = "";
	do {
		*--p = dig[u % base];
		u /= base;
	} while (u);
	n = (int)(digits + sizeof(digits) - p);
	if (!sp->prec && *p == '0' && n == 1)
		n = 0;		/* "%.0d" of 0 prints nothing */
	zeros = sp->prec > n ? sp->prec - n : 0;
	if ((sp->alt && (conv == 'x' || conv == 'X') && !zero) || conv == 'p')
		pre = conv == 'X' ? "0X" : "0x";
	if (sp->alt && conv == 'o' && !zeros && (!n || *p != '0'))
		zeros = 1;
	field(o, sp, pre, p, n, zeros);
}

/* a number after % (or '*', from the arguments) */
static int number(const char **f, va_list *ap)
{
	int v = 0;

	if (**f == '*') {
		(*f)++;
		return va_arg(*ap, int);
	}
	while (**f >= '0' && **f <= '9')
		v = v * 10 + (*(*f)++ - '0');
	return v;
}

static void vfmt(struct out *o, const char *f, va_list ap0)
{
	struct spec sp;
	const char *s;
	int sz, nl, nh, n;
	uint64_t u;
	int64_t i;
	char c;
	va_list ap;

	va_copy(ap, ap0);
	while (*f) {
		n = (int)strcspn(f, "%");
		put(o, f, n);
		f += n;
		if (!*f++)
			break;
		memset(&sp, 0, sizeof(sp));
		for (;; f++) {
			if (*f == '-') sp.left = true;
			else if (*f == '+') sp.plus = true;
			else if (*f == ' ') sp.space = true;
			else if (*f == '#') sp.alt = true;
			else if (*f == '0') sp.zero = true;
			else if (*f != '\'') break;
		}
		sp.width = number(&f, &ap);
		if (sp.width < 0) {
			sp.left = true;
			sp.width = -sp.width;
		}
		sp.prec = -1;
		if (*f == '.') {
			f++;
			sp.prec = number(&f, &ap);
			if (sp.prec < 0)
				sp.prec = -1;
		}
		/* the argument's size: hh 1, h 2, l long's, ll q L j 8, z t
		 * size_t's (4 on a 32-bit machine), else int's */
		for (nl = nh = sz = 0; *f && strchr("hljztLq", *f); f++) {
			if (*f == 'l')
				nl++;
			else if (*f == 'h')
				nh++;
			else
				sz = *f == 'z' || *f == 't' ?
					(int)sizeof(size_t) : 8;
		}
		if (!sz)
			sz = nl >= 2 ? 8 : nl ? (int)sizeof(long) :
				nh >= 2 ? 1 : nh ? 2 : (int)sizeof(int);
		switch ((c = *f++)) {
		case 'd': case 'i':
			i = sz == 8 ? va_arg(ap, long long) : va_arg(ap, int);
			if (sz == 2)
				i = (short)i;
			else if (sz == 1)
				i = (signed char)i;
			integer(o, &sp, c, i < 0 ? 0 - (uint64_t)i : (uint64_t)i,
				i < 0);
			break;
		case 'o': case 'u': case 'x': case 'X':
			u = sz == 8 ? va_arg(ap, unsigned long long) :
				va_arg(ap, unsigned);
			if (sz == 2)
				u = (unsigned short)u;
			else if (sz == 1)
				u = (unsigned char)u;
			integer(o, &sp, c, u, false);
			break;
		case 'p':
			integer(o, &sp, c, (uintptr_t)va_arg(ap, void *), false);
			break;
		case 'c':
			c = (char)va_arg(ap, int);
			field(o, &sp, "", &c, 1, 0);
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			n = (int)(sp.prec >= 0 ? strnlen(s, sp.prec) : strlen(s));
			field(o, &sp, "", s, n, 0);
			break;
		case '%':
			put(o, "%", 1);
			break;
		case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
		case 'a': case 'A':
			(void)va_arg(ap, double);
			put(o, "?", 1);
			break;
		default:		/* not a conversion: as it is */
			put(o, f - 2, 2);
			if (!c)
				f--;
			break;
		}
	}
	va_end(ap);
}

int ply_vfprintf(FILE *fp, const char *fmt, va_list ap)
{
	struct out o = { .fp = fp };

	vfmt(&o, fmt, ap);
	return ferror(fp) ? -1 : (int)o.len;
}

int ply_fprintf(FILE *fp, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = ply_vfprintf(fp, fmt, ap);
	va_end(ap);
	return n;
}

int ply_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = ply_vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

int ply_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };

	vfmt(&o, fmt, ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ply_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = ply_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
