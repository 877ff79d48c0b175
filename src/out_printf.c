/*
 * out_printf.c - printf(): a script's format applied to a record.
 *
 * The arguments come packed as the action's anonymous struct says
 * (sema.c); each conversion takes the next field at its own size and
 * signedness, whatever length modifier the format has.  The plain
 * conversions (%d %i %u %x %s without flags) skip building a C format:
 * per-event printf output can run at a million lines a second.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

#define PF_SPEC_CHARS	" #'*+,-.0123456789Lhjlqtz"	/* as ply */
#define PF_CONVS	"aAcdeEfFgGiopsuvxXr"
#define PF_MAX_WIDTH	4096

struct pf {
	const struct type *args;	/* anon struct, or NULL */
	const char *data;
	int next;			/* the next field to use */
};

struct pspec {
	char flags[8];		/* of "#'+ -0", each once */
	int width, prec;	/* -1: not given */
	char conv;
	int bits;		/* bpftrace's: the length modifier's (C's
				 * int: 32), or 0: the argument's own */
};

/* bpftrace formats each value as C would, at the length modifier's
 * size (%d: an int, %ld: a long); ply at the argument's own size */
static int pf_bits(const char *mods)
{
	if (out_style == STYLE_PLY)
		return 0;
	if (strpbrk(mods, "ljztqL"))
		return 64;
	if (!strncmp(mods, "hh", 2))
		return 8;
	return strchr(mods, 'h') ? 16 : 32;
}

/* v cut to bits (0: as it is), sign-extended if sign */
static uint64_t pf_cut(uint64_t v, int bits, bool sign)
{
	uint64_t m;

	if (!bits || bits >= 64)
		return v;
	m = (1ULL << bits) - 1;
	v &= m;
	if (sign && (v >> (bits - 1)))
		v |= ~m;
	return v;
}

/* the next argument, or NULL when they ran out */
static const struct field *pf_arg(struct pf *pf)
{
	if (!pf->args || pf->next >= pf->args->nfields)
		return NULL;
	return &pf->args->fields[pf->next++];
}

static void pf_flag(struct pspec *ps, char c)
{
	size_t n = strlen(ps->flags);

	if (!strchr(ps->flags, c) && n < sizeof(ps->flags) - 1)
		ps->flags[n] = c;
}

/* a width or precision at s: digits, or '*' taking an argument;
 * returns the characters used, or -1 if the argument is missing */
static int pf_number(struct pf *pf, const char *s, int *val)
{
	const struct field *f;
	int i = 0;

	if (*s == '*') {
		f = pf_arg(pf);
		if (!f)
			return -1;
		*val = type_is_scalar(f->type) ?
		       (int)load_int(f->type, pf->data + f->off) : 0;
		return 1;
	}
	for (*val = 0; s[i] >= '0' && s[i] <= '9'; i++)
		if (*val < PF_MAX_WIDTH)
			*val = *val * 10 + (s[i] - '0');
	return i;
}

/* s: the text between '%' and the conversion; false if out of args */
static bool pf_parse(struct pf *pf, const char *s, struct pspec *ps)
{
	int n;

	memset(ps, 0, sizeof(*ps));
	ps->width = ps->prec = -1;
	for (; *s && strchr("#'+ -0", *s); s++)
		pf_flag(ps, *s);
	n = pf_number(pf, s, &ps->width);
	if (n < 0)
		return false;
	if (n == 0)
		ps->width = -1;
	else if (ps->width < 0) {	/* "*" with a negative argument */
		pf_flag(ps, '-');
		ps->width = -ps->width > PF_MAX_WIDTH ? PF_MAX_WIDTH :
			    -ps->width;
	}
	s += n;
	if (*s == '.') {
		n = pf_number(pf, ++s, &ps->prec);
		if (n < 0)
			return false;
		if (ps->prec < 0)
			ps->prec = -1;
	}
	/* length modifiers are ignored: we know each argument's size */
	return true;
}

/* a C format for one value: "%" flags width .prec conv */
static void pf_fmt(char *buf, size_t sz, const struct pspec *ps, int prec,
		   const char *conv)
{
	int n = snprintf(buf, sz, "%%%s", ps->flags);

	if (ps->width >= 0)
		n += snprintf(buf + n, sz - n, "%d", ps->width);
	if (prec >= 0)
		n += snprintf(buf + n, sz - n, ".%d", prec);
	snprintf(buf + n, sz - n, "%s", conv);
}

/* %s: strings as strings, numbers as their decimal text */
static void pf_string(FILE *fp, const struct pspec *ps,
		      const struct type *t, const char *d)
{
	char fmt[48], num[32];
	int n;

	if (type_is_str(t)) {
		n = (int)strnlen(d, t->size);
		if (ps->prec >= 0 && ps->prec < n)
			n = ps->prec;
		pf_fmt(fmt, sizeof(fmt), ps, n, "s");
		fprintf(fp, fmt, d);
	} else if (type_is_scalar(t) && (t->fmt == FMT_DEFAULT ||
		   t->fmt == FMT_PID || t->fmt == FMT_UID ||
		   t->fmt == FMT_CPU || t->fmt == FMT_HEX)) {
		if (t->kind == TY_INT && t->sign)
			snprintf(num, sizeof(num), "%" PRId64, load_int(t, d));
		else
			snprintf(num, sizeof(num), "%" PRIu64,
				 load_u(d, t->size));
		pf_fmt(fmt, sizeof(fmt), ps, ps->prec, "s");
		fprintf(fp, fmt, num);
	} else {		/* ksym(), ntop(), strftime() ...: its text */
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);

		if (!mem)
			oom();
		out_text(mem, t, d);
		fclose(mem);
		n = (int)len;
		if (ps->prec >= 0 && ps->prec < n)
			n = ps->prec;
		pf_fmt(fmt, sizeof(fmt), ps, n, "s");
		fprintf(fp, fmt, buf);
		free(buf);
	}
}

/* integer conversions at the argument's own size and signedness */
static void pf_scalar(FILE *fp, const struct pspec *ps,
		      const struct type *t, const char *d)
{
	char fmt[48], conv[4] = { 'l', 'l', ps->conv, '\0' };
	uint64_t u = pf_cut(load_u(d, t->size), ps->bits, false);
	int64_t s = (int64_t)pf_cut((uint64_t)load_int(t, d), ps->bits, true);

	switch (ps->conv) {
	case 'd': case 'i':
		pf_fmt(fmt, sizeof(fmt), ps, ps->prec, conv);
		fprintf(fp, fmt, (long long)s);
		break;
	case 'o': case 'u': case 'x': case 'X':
		pf_fmt(fmt, sizeof(fmt), ps, ps->prec, conv);
		fprintf(fp, fmt, (unsigned long long)u);
		break;
	case 'c':
		pf_fmt(fmt, sizeof(fmt), ps, -1, "c");
		fprintf(fp, fmt, (int)(unsigned char)u);
		break;
	case 'p':
		pf_fmt(fmt, sizeof(fmt), ps, -1, "p");
		fprintf(fp, fmt, (void *)(uintptr_t)u);
		break;
	default:	/* no floats: sema refuses them */
		fprintf(fp, "%lld", (long long)s);
		break;
	}
}

/* plain %d %i %u %x %s (no flags, width or precision), the common
 * case, without building a C format: printf output can run at a
 * million lines a second, and this is its hot path */
static bool pf_plain(FILE *fp, const struct field *f, char conv,
		     const char *d, int bits)
{
	const struct type *t = f->type;
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u;
	bool neg = false;

	if (conv == 's' && type_is_str(t)) {
		fwrite(d, 1, strnlen(d, t->size), fp);
		return true;
	}
	if (!type_is_scalar(t) || !strchr("diux", conv))
		return false;
	u = pf_cut(load_u(d, t->size), bits, false);
	if (conv == 'd' || conv == 'i') {
		int64_t v = (int64_t)pf_cut((uint64_t)load_int(t, d), bits,
					    true);

		neg = v < 0;
		u = neg ? -(uint64_t)v : (uint64_t)v;
	}
	do {
		*--p = conv == 'x' ? "0123456789abcdef"[u & 15] :
				     (char)('0' + u % 10);
		u = conv == 'x' ? u >> 4 : u / 10;
	} while (u);
	if (neg)
		*--p = '-';
	fwrite(p, 1, buf + sizeof(buf) - p, fp);
	return true;
}

/* one conversion, spec[0] == '%', spec[n] the conversion character */
static void pf_conv(FILE *fp, struct pf *pf, const char *spec, int n)
{
	char inner[64];
	const struct field *f;
	struct pspec ps;
	const char *d;

	if (n == 1) {		/* "%d": nothing between % and d */
		int next = pf->next;

		f = pf_arg(pf);
		if (f && pf_plain(fp, f, spec[1], pf->data + f->off,
				  pf_bits("")))
			return;
		pf->next = next;
	}
	snprintf(inner, sizeof(inner), "%.*s", n - 1, spec + 1);
	if (!pf_parse(pf, inner, &ps) || !(f = pf_arg(pf))) {
		fwrite(spec, 1, n + 1, fp);	/* too few arguments */
		return;
	}
	ps.conv = spec[n];
	ps.bits = strchr("diouxX", ps.conv) ? pf_bits(inner) : 0;
	d = pf->data + f->off;
	if (ps.conv == 'r' && f->type->fmt == FMT_BUF)	/* %r, %rx */
		text_buf(fp, d, f->type->size, spec[n + 1] == 'x');
	else if (ps.conv == 'v')
		out_text(fp, f->type, d);
	else if (ps.conv == 's')
		pf_string(fp, &ps, f->type, d);
	else if (type_is_scalar(f->type))
		pf_scalar(fp, &ps, f->type, d);
	else if (ps.conv == 'c' && type_is_str(f->type))
		pf_scalar(fp, &ps, &ty_char, d);
	else
		out_text(fp, f->type, d);
}

void out_printf(FILE *fp, const char *fmt, const struct type *args,
		const void *data)
{
	struct pf pf = { .args = args, .data = data };
	size_t n;

	while (*fmt) {
		n = strcspn(fmt, "%");
		fwrite(fmt, 1, n, fp);
		fmt += n;
		if (!*fmt)
			break;
		if (fmt[1] == '\0' || fmt[1] == '%') {	/* "%" or "%%" */
			fputc('%', fp);
			fmt += fmt[1] ? 2 : 1;
			continue;
		}
		n = strspn(fmt + 1, PF_SPEC_CHARS) + 1;
		if (!fmt[n]) {		/* "100%5": unterminated */
			fputs(fmt, fp);
			break;
		}
		if (strchr(PF_CONVS, fmt[n]))
			pf_conv(fp, &pf, fmt, (int)n);
		else			/* unknown: printed verbatim */
			fwrite(fmt, 1, n + 1, fp);
		fmt += n + 1 + (fmt[n] == 'r' && fmt[n + 1] == 'x');
	}
}

