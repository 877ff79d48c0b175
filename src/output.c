/*
 * output.c - the last stage: bytes from the kernel become text.
 *
 * Everything ply prints goes through here.  perf_ring.c hands print()
 * and printf() records to out_value and out_printf, and main.c calls
 * out_map for every map at exit (and print(@m) calls it on the way).
 * Values are walked by their struct type (type.c): the type's printer
 * (enum printer) chooses "%5u" for a pid, "1.02us" for a duration, a
 * symbol for a kernel address, a histogram for quantize(), and the
 * default by kind prints integers, <hex> pointers, strings or their
 * hexdump, and { } structs.  The formats are iovisor/ply's, byte for
 * byte, so that scripts and their readers carry over.  Reading a map
 * (per-CPU values summed) is kept apart from printing the rows, so the
 * printing half, out_map_rows, is testable without a kernel.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ply.h"

#define NSEC_PER_SEC	1000000000LL
#define MAX_FRAMES	127	/* PERF_MAX_STACK_DEPTH */

bool out_unicode = true;
int (*out_stack_frames)(uint32_t id, uint64_t *ips, int max);

static int64_t walltime_off;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */

static int64_t timespec_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void out_init(void)
{
	walltime_off = timespec_ns(CLOCK_REALTIME) -
		       timespec_ns(CLOCK_MONOTONIC);
}

/* ---------------------------------------------------------------- */
/* integers of any size, in host byte order, at any alignment       */

static uint64_t load_u(const void *d, int size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (size) {
	case 1:
		memcpy(&u8, d, 1);
		return u8;
	case 2:
		memcpy(&u16, d, 2);
		return u16;
	case 4:
		memcpy(&u32, d, 4);
		return u32;
	case 8:
		memcpy(&u64, d, 8);
		return u64;
	}
	return 0;
}

/* the value of an integer or pointer, sign-extended if it is signed */
static int64_t load_int(const struct type *t, const void *d)
{
	uint64_t u = load_u(d, t->size);
	int bits = t->size * 8;

	if (t->kind != TY_INT || !t->sign || bits >= 64 || bits <= 0)
		return (int64_t)u;
	if (u & (1ULL << (bits - 1)))
		u |= ~0ULL << bits;
	return (int64_t)u;
}

static void print_int(FILE *fp, const struct type *t, const void *d)
{
	if (t->sign)
		fprintf(fp, "%" PRId64, load_int(t, d));
	else
		fprintf(fp, "%" PRIu64, load_u(d, t->size));
}

/* ---------------------------------------------------------------- */
/* printers of times and kernel addresses                           */

/* A duration in four or so characters: each row shows values up to
 * its cutoff, larger ones are divided and passed to the next row. */
static const struct time_unit {
	int cutoff, next;
	const char *fmt;
	int radix;		/* 1: whole units, else int.frac */
} time_units[] = {
	{ 999,  10, "%4dns",      1 },
	{ 999,  10, "%1d.%02dus", 100 },
	{ 999,  10, "%2d.%01dus", 10 },
	{ 999,  10, "%4dus",      1 },
	{ 999,  10, "%1d.%02dms", 100 },
	{ 999,  10, "%2d.%01dms", 10 },
	{ 999,  10, "%4dms",      1 },
	{ 999,  10, "%1d.%02d s", 100 },
	{ 999,  10, "%2d.%01d s", 10 },
	{ 999,  60, "%4d s",      1 },
	{ 999,  60, "%4d M",      1 },
	{ 999,  24, "%4d H",      1 },
	{ 999, 365, "%4d D",      1 },
	{ 999,   1, "%4d Y",      1 },
};

static void print_time(FILE *fp, int64_t ns)
{
	const struct time_unit *u = time_units;
	const struct time_unit *last = &time_units[ARRAY_SIZE(time_units) - 1];

	while (u < last && ns > u->cutoff) {
		ns /= u->next;
		u++;
	}
	if (u->radix == 1)
		fprintf(fp, u->fmt, (int)ns);
	else
		fprintf(fp, u->fmt, (int)ns / u->radix, (int)ns % u->radix);
}

/* a CLOCK_MONOTONIC time as local "HH:MM:SS.nnnnnnnnn" */
static void print_walltime(FILE *fp, int64_t ns)
{
	struct tm tm;
	time_t s;

	ns += walltime_off;
	s = (time_t)(ns / NSEC_PER_SEC);
	ns %= NSEC_PER_SEC;
	if (ns < 0) {
		ns += NSEC_PER_SEC;
		s--;
	}
	if (!localtime_r(&s, &tm))
		memset(&tm, 0, sizeof(tm));
	/* strftime("%T") by hand: strftime costs 3 kB in a static binary */
	fprintf(fp, "%02d:%02d:%02d.%09" PRId64, tm.tm_hour, tm.tm_min,
		tm.tm_sec, ns);
}

static void print_ksym(FILE *fp, uint64_t addr)
{
	char buf[256];

	fputs(ksym_name(addr, buf, sizeof(buf)), fp);
}

/* a newline, then "\tsym+off\n" per frame, innermost first */
static void print_stack(FILE *fp, uint32_t id)
{
	uint64_t ips[MAX_FRAMES];
	int i, n;

	/* bpf_get_stackid() failed in the probe: its -errno is the id */
	switch ((int32_t)id) {
	case -EFAULT:
		fputs("<no stack: the kernel could not walk it>", fp);
		return;
	case -EEXIST:
		fputs("<no stack: lost to a hash collision>", fp);
		return;
	case -ENOMEM:
	case -E2BIG:
		fputs("<no stack: the stack map is full>", fp);
		return;
	}
	n = out_stack_frames ? out_stack_frames(id, ips, MAX_FRAMES) : -ENOSYS;
	if (n < 0) {
		fprintf(fp, "<STACKID%u>", id);
		return;
	}
	fputc('\n', fp);
	for (i = 0; i < n && i < MAX_FRAMES && ips[i]; i++) {
		fputc('\t', fp);
		print_ksym(fp, ips[i]);
		fputc('\n', fp);
	}
}

/* ---------------------------------------------------------------- */
/* quantize(): log2 histograms                                      */

static uint64_t bucket(const void *data, int i)
{
	return load_u((const char *)data + i * 8, 8);
}

static uint64_t quantize_total(const struct type *t, const void *data)
{
	uint64_t total = 0;
	int i;

	for (i = 0; i < t->len; i++)
		total += bucket(data, i);
	return total;
}

/* "┤", count/total of 32 cells in eighths, "│" */
static void bar_unicode(FILE *fp, uint64_t count, uint64_t total)
{
	int w = ((float)count / (float)total) * 256.0 + 0.5;
	int space = 32 - ((w + 7) >> 3);
	char block[] = "\xe2\x96\x88";	/* U+2588 full block */

	fputs("\xe2\x94\xa4", fp);
	for (; w > 8; w -= 8)
		fputs(block, fp);
	if (w > 0) {
		block[2] += 8 - w;	/* U+2589.. are 7/8 down to 1/8 */
		fputs(block, fp);
	}
	fprintf(fp, "%*s", space, "");
	fputs("\xe2\x94\x82", fp);
}

static void bar_ascii(FILE *fp, uint64_t count, uint64_t total)
{
	int w = ((float)count / (float)total) * 32.0 + 0.5;
	int i;

	fputc('|', fp);
	for (i = 0; i < 32; i++)
		fputc(i < w ? '#' : ' ', fp);
	fputc('|', fp);
}

static void print_count(FILE *fp, uint64_t count, uint64_t total)
{
	fprintf(fp, "\t%8" PRIu64 " ", count);
	if (out_unicode)
		bar_unicode(fp, count, total);
	else
		bar_ascii(fp, count, total);
	fputc('\n', fp);
}

/* 2^log2 as a number below 1024 and a suffix; 0 for log2 == 0 */
static int normalize(int log2, const char **suffix)
{
	static const char *const s[] = { "", "k", "M", "G", "T", "P", "Z" };
	int i;

	*suffix = s[0];
	if (!log2)
		return 0;
	for (i = 0; log2 >= 10 && i < 6; i++)
		log2 -= 10;
	*suffix = s[i];
	return 1 << log2;
}

/* "[   0,    1]" below 1k, "[ 512,   1k)" and "[  8k,  16k)" above;
 * durations print both bounds as durations: "[2.04us, 4.09us]" */
static void print_bucket(FILE *fp, const struct type *arg, int i)
{
	const char *ls, *hs;
	int lo, hi;

	if (arg && arg->fmt == FMT_TIME) {
		uint64_t ulo = i ? 1ULL << i : 0;
		uint64_t uhi = i >= 63 ? UINT64_MAX : (1ULL << (i + 1)) - 1;

		fputs("\t[", fp);
		print_time(fp, (int64_t)ulo);
		fputs(", ", fp);
		print_time(fp, (int64_t)uhi);
		fputs("]", fp);
		return;
	}
	lo = normalize(i, &ls);
	hi = normalize(i + 1, &hs);
	if (!hs[0])
		fprintf(fp, "\t[%4d, %4d]", lo, hi - 1);
	else
		fprintf(fp, "\t[%*d%s, %*d%s)", ls[0] ? 3 : 4, lo, ls,
			hs[0] ? 3 : 4, hi, hs);
}

/* Bucket i counts [2^i, 2^(i+1) - 1], bucket 0 also 0; for a signed
 * argument the last one counts negative values and is shown first.
 * "\t...\n" stands for empty buckets between shown ones. */
static void print_quantize(FILE *fp, const struct type *t, const void *data)
{
	const struct type *arg = t->base;
	uint64_t total = quantize_total(t, data);
	int i, gap, len = t->len;

	fputc('\n', fp);
	if (arg && arg->kind == TY_INT && arg->sign && len > 0) {
		len--;
		if (bucket(data, len)) {
			fputs("\t         < 0", fp);
			print_count(fp, bucket(data, len), total);
			if (!bucket(data, 0))
				fputs("\t...\n", fp);
		}
	}
	for (i = 0, gap = 0; i < len; i++) {
		if (!bucket(data, i)) {
			gap++;
			continue;
		}
		if (gap && gap != i)
			fputs("\t...\n", fp);
		gap = 0;
		print_bucket(fp, arg, i);
		print_count(fp, bucket(data, i), total);
	}
}

/* ---------------------------------------------------------------- */
/* arrays and structs                                               */

static bool is_print(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;	/* isprint() of the C locale */
}

/* printable up to a NUL, and only NULs after it */
static bool is_string(const unsigned char *d, int len)
{
	int i;

	for (i = 0; i < len && d[i]; i++)
		if (!is_print(d[i]))
			return false;
	for (; i < len; i++)
		if (d[i])
			return false;
	return true;
}

/* "%03zx: " 16 bytes in hex, then as characters */
static void hexdump_line(FILE *fp, size_t off, const unsigned char *d,
			 int n)
{
	int i, pad;

	fprintf(fp, "%03zx: ", off);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s %2.2x", i == 8 ? " " : "", d[i]);
	pad = (16 - n) * 3 + 3 + (n < 8);
	fprintf(fp, "%*c", pad, ' ');
	for (i = 0; i < n; i++)
		fprintf(fp, "%s%c", i == 8 ? " " : "",
			is_print(d[i]) ? d[i] : '.');
	fputc('\n', fp);
}

static void print_chars(FILE *fp, const struct type *t, const void *data)
{
	const unsigned char *d = data;
	int len = t->len, i;

	if (len <= 0)
		return;
	if (is_string(d, len)) {
		fprintf(fp, "%-*.*s", len - 1, len, (const char *)d);
		return;
	}
	fputc('\n', fp);
	for (i = 0; i < len; i += 16)
		hexdump_line(fp, i, d + i, len - i < 16 ? len - i : 16);
}

static void print_array(FILE *fp, const struct type *t, const void *data)
{
	const char *d = data;
	int i;

	if (type_is_str(t)) {
		print_chars(fp, t, data);
		return;
	}
	fputc('[', fp);
	for (i = 0; i < t->len; i++) {
		if (i)
			fputs(", ", fp);
		out_value(fp, t->base, d + i * t->base->size);
	}
	fputc(']', fp);
}

/* anonymous: "{ a, b }"; named: "{\n\tf = a,\n\tg = b\n}" */
static void print_struct(FILE *fp, const struct type *t, const void *data)
{
	bool anon = !t->name || !t->name[0];
	const char *d = data;
	int i;

	fputs(anon ? "{ " : "{\n\t", fp);
	for (i = 0; i < t->nfields; i++) {
		const struct field *f = &t->fields[i];

		if (i)
			fputs(anon ? ", " : ",\n\t", fp);
		if (!anon)
			fprintf(fp, "%s = ", f->name);
		out_value(fp, f->type, d + f->off);
	}
	fputs(anon ? " }" : "\n}", fp);
}

static void print_default(FILE *fp, const struct type *t, const void *data)
{
	switch (t->kind) {
	case TY_VOID:
		fputs("void", fp);
		break;
	case TY_INT:
		print_int(fp, t, data);
		break;
	case TY_PTR:
		fprintf(fp, "<%" PRIx64 ">", load_u(data, 8));
		break;
	case TY_ARRAY:
		print_array(fp, t, data);
		break;
	case TY_STRUCT:
		print_struct(fp, t, data);
		break;
	}
}

void out_value(FILE *fp, const struct type *t, const void *data)
{
	uint64_t u = load_u(data, t->size);

	switch (t->fmt) {
	case FMT_DEFAULT:
		print_default(fp, t, data);
		break;
	case FMT_PID:
		fprintf(fp, "%5" PRIu64, u);
		break;
	case FMT_UID:
		fprintf(fp, "%4" PRIu64, u);
		break;
	case FMT_CPU:
		fprintf(fp, "%2" PRIu64, u);
		break;
	case FMT_HEX:
		fprintf(fp, "%#" PRIx64, (uint64_t)load_int(t, data));
		break;
	case FMT_TIME:
		print_time(fp, load_int(t, data));
		break;
	case FMT_WALLTIME:
		print_walltime(fp, load_int(t, data));
		break;
	case FMT_STACK:
		print_stack(fp, (uint32_t)u);
		break;
	case FMT_KSYM:
		print_ksym(fp, u);
		break;
	case FMT_DYN:
		fprintf(fp, "dynamic(%u bytes, offset %#x)",
			(unsigned)(u >> 16) & 0xffff, (unsigned)u & 0xffff);
		break;
	case FMT_QUANTIZE:
		print_quantize(fp, t, data);
		break;
	}
}

/* ---------------------------------------------------------------- */
/* printf(): C conversions applied to a packed record                */

#define PF_SPEC_CHARS	" #'*+,-.0123456789Lhjlqtz"	/* as ply */
#define PF_CONVS	"aAcdeEfFgGiopsuvxX"
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
};

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
	} else if (type_is_scalar(t)) {
		if (t->kind == TY_INT && t->sign)
			snprintf(num, sizeof(num), "%" PRId64, load_int(t, d));
		else
			snprintf(num, sizeof(num), "%" PRIu64,
				 load_u(d, t->size));
		pf_fmt(fmt, sizeof(fmt), ps, ps->prec, "s");
		fprintf(fp, fmt, num);
	} else {
		out_value(fp, t, d);
	}
}

/* integer conversions at the argument's own size and signedness */
static void pf_scalar(FILE *fp, const struct pspec *ps,
		      const struct type *t, const char *d)
{
	char fmt[48], conv[4] = { 'l', 'l', ps->conv, '\0' };
	uint64_t u = load_u(d, t->size);
	int64_t s = load_int(t, d);

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
		     const char *d)
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
	u = load_u(d, t->size);
	if (conv == 'd' || conv == 'i') {
		int64_t v = load_int(t, d);

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
		if (f && pf_plain(fp, f, spec[1], pf->data + f->off))
			return;
		pf->next = next;
	}
	snprintf(inner, sizeof(inner), "%.*s", n - 1, spec + 1);
	if (!pf_parse(pf, inner, &ps) || !(f = pf_arg(pf))) {
		fwrite(spec, 1, n + 1, fp);	/* too few arguments */
		return;
	}
	ps.conv = spec[n];
	d = pf->data + f->off;
	if (ps.conv == 'v')
		out_value(fp, f->type, d);
	else if (ps.conv == 's')
		pf_string(fp, &ps, f->type, d);
	else if (type_is_scalar(f->type))
		pf_scalar(fp, &ps, f->type, d);
	else if (ps.conv == 'c' && type_is_str(f->type))
		pf_scalar(fp, &ps, &ty_char, d);
	else
		out_value(fp, f->type, d);
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
		fmt += n + 1;
	}
}

/* ---------------------------------------------------------------- */
/* maps: rows sorted by value, then key                             */

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int type_cmp(const struct type *t, const void *a, const void *b);

static int array_cmp(const struct type *t, const char *a, const char *b)
{
	int i, c;

	if (type_is_str(t))
		return memcmp(a, b, t->size);
	/* quantize: bucket by bucket, from bucket 0, as ply does (it
	 * puts { dd } before { cat } in the FEATURES.md sample) */
	if (t->fmt == FMT_QUANTIZE) {
		for (i = 0; i < t->len; i++) {
			c = cmp_u64(bucket(a, i), bucket(b, i));
			if (c)
				return c;
		}
		return 0;
	}
	for (i = 0; i < t->len; i++) {
		c = type_cmp(t->base, a + i * t->base->size,
			     b + i * t->base->size);
		if (c)
			return c;
	}
	return 0;
}

static int type_cmp(const struct type *t, const void *a, const void *b)
{
	int64_t x, y;
	int i, c;

	switch (t->kind) {
	case TY_INT:
	case TY_PTR:
		if (t->kind == TY_PTR || !t->sign)
			return cmp_u64(load_u(a, t->size), load_u(b, t->size));
		x = load_int(t, a);
		y = load_int(t, b);
		return x < y ? -1 : x > y;
	case TY_ARRAY:
		return array_cmp(t, a, b);
	case TY_STRUCT:
		for (i = 0; i < t->nfields; i++) {
			const struct field *f = &t->fields[i];

			c = type_cmp(f->type, (const char *)a + f->off,
				     (const char *)b + f->off);
			if (c)
				return c;
		}
		return 0;
	default:
		return 0;
	}
}

/* qsort has no context argument (and qsort_r is not portable) */
static const struct map *sort_map;

static int row_cmp(const void *a, const void *b)
{
	int ksize = sort_map->ktype->size;
	int c;

	c = type_cmp(sort_map->vtype, (const char *)a + ksize,
		     (const char *)b + ksize);
	return c ? c : type_cmp(sort_map->ktype, a, b);
}

static bool all_zero(const char *p, int size)
{
	int i;

	for (i = 0; i < size; i++)
		if (p[i])
			return false;
	return true;
}

void out_map_rows(FILE *fp, const struct map *m, void *rows, int n)
{
	int ksize = m->ktype->size, stride = ksize + m->vtype->size;
	char *row = rows;
	int i;

	/* a keyless quantize() that saw nothing has no bars to draw */
	if (m->keyless && n > 0 && m->agg == AGG_QUANTIZE &&
	    all_zero(row + ksize, m->vtype->size))
		n = 0;
	if (m->keyless && n > 0) {
		fprintf(fp, "\n%s: ", m->name);
		out_value(fp, m->vtype, row + ksize);
		fputc('\n', fp);
		return;
	}
	fprintf(fp, "\n%s:\n", m->name);
	sort_map = m;
	qsort(rows, n, stride, row_cmp);
	sort_map = NULL;
	for (i = 0; i < n; i++, row += stride) {
		out_value(fp, m->ktype, row);
		fputs(": ", fp);
		out_value(fp, m->vtype, row + ksize);
		fputc('\n', fp);
	}
}

/* per-CPU values come as one 8-byte aligned copy per possible CPU;
 * aggregations are u64 counters, summed word by word */
static void sum_percpu(char *dst, const char *vals, int vsize, int ncpus)
{
	int stride = (vsize + 7) & ~7;
	uint64_t sum, x;
	int w, cpu;

	memcpy(dst, vals, vsize);
	for (w = 0; w + 8 <= vsize; w += 8) {
		for (sum = 0, cpu = 0; cpu < ncpus; cpu++) {
			memcpy(&x, vals + cpu * stride + w, 8);
			sum += x;
		}
		memcpy(dst + w, &sum, 8);
	}
}

struct map_buf {
	char *rows;	/* max rows of key, value */
	char *vals;	/* one lookup: a value per CPU */
	char *spare;	/* a key whose value vanished */
	char *hot;	/* one hot-key slot per CPU */
	int ncpus, max;
};

static int map_read_rows(const struct map *m, struct map_buf *b)
{
	int ksize = m->ktype->size, vsize = m->vtype->size;
	int stride = ksize + vsize, n = 0;
	const void *prev = NULL;
	char *row;

	while (n < b->max) {
		row = b->rows + n * stride;
		if (bpf_map_next_key(m->fd, prev, row))
			break;
		if (bpf_map_lookup(m->fd, row, b->vals)) {
			/* deleted meanwhile: go on from it, drop it */
			memcpy(b->spare, row, ksize);
			prev = b->spare;
			continue;
		}
		if (m->agg != AGG_NONE)
			sum_percpu(row + ksize, b->vals, vsize, b->ncpus);
		else
			memcpy(row + ksize, b->vals, vsize);
		prev = row;
		n++;
	}
	return n;
}

/* add what every CPU's hot-key slots hold (ply.h) to the n rows read
 * from the hash, after them: a count moving from a slot to the hash
 * meanwhile is missed once rather than counted twice */
static int map_read_hot(const struct map *m, struct map_buf *b, int n)
{
	int ksize = m->ktype->size, stride = ksize + 8;
	int ssize = m->hot->vtype->size, cpu, i, j;
	uint64_t v, x;
	char *slot;
	uint32_t idx;

	for (idx = 0; idx < HOT_SLOTS; idx++) {
		if (bpf_map_lookup(m->hot->fd, &idx, b->hot))
			continue;
		for (cpu = 0; cpu < b->ncpus; cpu++) {
			slot = b->hot + (size_t)cpu * ssize;
			memcpy(&x, slot + hot_used_off(m), 8);
			if (!x)
				continue;
			memcpy(&v, slot + hot_val_off(m), 8);
			for (i = 0; i < n; i++)
				if (!memcmp(b->rows + i * stride, slot, ksize))
					break;
			if (i == n) {
				if (n == b->max)
					continue;
				memcpy(b->rows + n++ * stride, slot, ksize);
				memset(b->rows + i * stride + ksize, 0, 8);
			}
			j = i * stride + ksize;
			memcpy(&x, b->rows + j, 8);
			x += v;
			memcpy(b->rows + j, &x, 8);
		}
	}
	return n;
}

void out_map(FILE *fp, struct script *s, struct map *m)
{
	int ksize = m->ktype->size, vsize = m->vtype->size;
	size_t vals, hot = m->hot ? m->hot->vtype->size : 0;
	struct map_buf b;
	int n;

	(void)s;
	b.ncpus = m->agg != AGG_NONE ? ncpus_possible() : 1;
	if (b.ncpus < 1)
		b.ncpus = 1;
	b.max = m->max_entries > 0 ? m->max_entries : 1024;
	vals = (size_t)b.ncpus * ((vsize + 7) & ~7);
	b.rows = xcalloc((size_t)b.max * (ksize + vsize) + vals + ksize + 8 +
			 (size_t)b.ncpus * hot, 1);
	b.vals = b.rows + (size_t)b.max * (ksize + vsize);
	b.spare = b.vals + vals;
	b.hot = b.spare + ksize + 8;
	n = map_read_rows(m, &b);
	if (m->hot)
		n = map_read_hot(m, &b, n);
	out_map_rows(fp, m, b.rows, n);
	free(b.rows);
}

/* an array's entries can't be deleted: they become zeroes */
static void array_clear(const struct map *m)
{
	int ncpus = ncpus_possible();
	size_t size = (size_t)(ncpus > 0 ? ncpus : 1) *
		((m->vtype->size + 7) & ~7);
	char *zero = xcalloc(size, 1);
	uint32_t i;

	for (i = 0; i < (uint32_t)m->max_entries; i++)
		bpf_map_update(m->fd, &i, zero, BPF_ANY);
	free(zero);
}

void out_map_clear(struct map *m)
{
	char *key;

	if (m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		array_clear(m);
		return;
	}
	key = xcalloc(m->ktype->size + 1, 1);
	while (!bpf_map_next_key(m->fd, NULL, key))
		if (bpf_map_delete(m->fd, key))
			break;
	if (m->hot)
		array_clear(m->hot);
	free(key);
}
