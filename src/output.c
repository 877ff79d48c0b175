/*
 * output.c - the last stage: bytes from the kernel become text.
 *
 * Everything ply prints goes through here or through its two
 * neighbours, out_printf.c (printf's formats) and out_map.c (maps:
 * read, summed over the CPUs, sorted and printed).  run.c hands each
 * print() record to out_value, printf() records to out_printf, and
 * calls out_map for every map at exit (and where print(@m) asks).
 * Values are walked by their struct type (type.c): the type's printer
 * (enum printer) chooses "%5u" for a pid, "1.02us" for a duration, a
 * symbol for a kernel address, a histogram for quantize(), and the
 * default by kind prints integers, <hex> pointers, strings or their
 * hexdump, and { } structs.  The formats are iovisor/ply's, byte for
 * byte, so that scripts and their readers carry over.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"

#define NSEC_PER_SEC	1000000000LL
#define MAX_FRAMES	127	/* PERF_MAX_STACK_DEPTH */

enum out_style out_style = STYLE_PLY;
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

uint64_t load_u(const void *d, int size)
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
int64_t load_int(const struct type *t, const void *d)
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

/* the frames of stack id (innermost first), at most max; or -1 and
 * why not in *why */
int stack_ips(uint32_t id, uint64_t *ips, int max, const char **why)
{
	int n;

	/* bpf_get_stackid() failed in the probe: its -errno is the id */
	switch ((int32_t)id) {
	case -EFAULT:
		*why = "<no stack: the kernel could not walk it>";
		return -1;
	case -EEXIST:
		*why = "<no stack: lost to a hash collision>";
		return -1;
	case -ENOMEM:
	case -E2BIG:
		*why = "<no stack: the stack map is full>";
		return -1;
	}
	if (max > MAX_FRAMES || max <= 0)
		max = MAX_FRAMES;
	n = out_stack_frames ? out_stack_frames(id, ips, max) : -ENOSYS;
	if (n < 0) {
		*why = NULL;
		return -1;
	}
	return n;
}

/* a newline, then "\tsym+off\n" per frame, innermost first (user
 * stacks: addresses) */
static void print_stack(FILE *fp, const struct type *t, uint32_t id)
{
	uint64_t ips[MAX_FRAMES];
	const char *why;
	int i, n = stack_ips(id, ips, (int)t->max, &why);

	if (n < 0) {
		if (why)
			fputs(why, fp);
		else
			fprintf(fp, "<STACKID%u>", id);
		return;
	}
	fputc('\n', fp);
	for (i = 0; i < n && ips[i]; i++) {
		fputc('\t', fp);
		if (t->fmt == FMT_USTACK)
			fprintf(fp, "%#" PRIx64, ips[i]);
		else
			print_ksym(fp, ips[i]);
		fputc('\n', fp);
	}
}

/* ---------------------------------------------------------------- */
/* quantize(): log2 histograms                                      */

uint64_t bucket(const void *data, int i)
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

/* lhist(): "\t< min", "\t[lo, hi)", "\t>= max" and the bars of the
 * buckets that counted something */
static void print_lhist(FILE *fp, const struct type *t, const void *data)
{
	uint64_t total = quantize_total(t, data);
	int64_t lo, hi;
	char label[64];
	int i;

	fputc('\n', fp);
	for (i = 0; i < t->len; i++) {
		if (!bucket(data, i))
			continue;
		lhist_bounds(t, i, &lo, &hi);
		if (!i)
			snprintf(label, sizeof(label), "< %" PRId64, t->min);
		else if (i == t->len - 1)
			snprintf(label, sizeof(label), ">= %" PRId64, t->max);
		else
			snprintf(label, sizeof(label), "[%" PRId64 ", %" PRId64
				 ")", lo, hi);
		fprintf(fp, "\t%14s", label);
		print_count(fp, bucket(data, i), total);
	}
}

/* ---------------------------------------------------------------- */
/* values of bpftrace's functions, as text (out_bt.c prints them too) */

void text_ntop(const void *d, char *buf, size_t size)
{
	const unsigned char *a = (const unsigned char *)d + 8;
	uint64_t af = load_u(d, 8);
	int i, best = -1, blen = 0, run;
	size_t n = 0;

	if (af != 10) {		/* AF_INET6 */
		snprintf(buf, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	/* ::ffff:a.b.c.d */
	if (!memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
		snprintf(buf, size, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14],
			 a[15]);
		return;
	}
	/* the longest run of zero words (two or more) becomes "::" */
	for (i = 0; i < 8; i += run ? run : 1) {
		for (run = 0; i + run < 8 && !a[2 * (i + run)] &&
		     !a[2 * (i + run) + 1]; run++)
			;
		if (run > blen && run > 1) {
			best = i;
			blen = run;
		}
	}
	buf[0] = '\0';
	for (i = 0; i < 8 && n < size; i++) {
		if (i == best) {
			n += snprintf(buf + n, size - n, "::");
			i += blen - 1;
			continue;
		}
		n += snprintf(buf + n, size - n, "%s%x",
			      i && i != best + blen ? ":" : "",
			      a[2 * i] << 8 | a[2 * i + 1]);
	}
}

/* strftime's conversions that timestamps use, the C locale's (libc's
 * strftime would cost a static binary 3.5 kB): a A b B c d D e F H I m
 * M n p r R s S t T y Y z Z %, and bpftrace's %f, the microseconds;
 * another is printed as it is */
static size_t fmt_time(char *buf, size_t size, const char *fmt,
		       const struct tm *tm, int64_t secs, long us)
{
	static const char *const day[] = { "Sunday", "Monday", "Tuesday",
		"Wednesday", "Thursday", "Friday", "Saturday" };
	static const char *const mon[] = { "January", "February", "March",
		"April", "May", "June", "July", "August", "September",
		"October", "November", "December" };
	/* the conversions that are others together */
	static const char *const composite[] = { "c%a %b %e %T %Y",
		"D%m/%d/%y", "F%Y-%m-%d", "r%I:%M:%S %p", "R%H:%M",
		"T%H:%M:%S" };
	size_t n = 0, i;
	int h12 = tm->tm_hour % 12 ? tm->tm_hour % 12 : 12;
	long off;

	for (; *fmt && n + 1 < size; fmt++) {
		if (*fmt != '%' || !fmt[1]) {
			buf[n++] = *fmt;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(composite); i++)
			if (composite[i][0] == fmt[1])
				break;
		if (i < ARRAY_SIZE(composite)) {
			n += fmt_time(buf + n, size - n, composite[i] + 1, tm,
				      secs, us);
			fmt++;
			continue;
		}
		switch (*++fmt) {
#define PUT(...) n += snprintf(buf + n, size - n, __VA_ARGS__)
		case 'a': PUT("%.3s", day[tm->tm_wday % 7]); break;
		case 'A': PUT("%s", day[tm->tm_wday % 7]); break;
		case 'b': case 'h': PUT("%.3s", mon[tm->tm_mon % 12]); break;
		case 'B': PUT("%s", mon[tm->tm_mon % 12]); break;
		case 'd': PUT("%02d", tm->tm_mday); break;
		case 'e': PUT("%2d", tm->tm_mday); break;
		case 'f': PUT("%06ld", us); break;
		case 'H': PUT("%02d", tm->tm_hour); break;
		case 'I': PUT("%02d", h12); break;
		case 'm': PUT("%02d", tm->tm_mon + 1); break;
		case 'M': PUT("%02d", tm->tm_min); break;
		case 'n': PUT("\n"); break;
		case 'p': PUT("%s", tm->tm_hour < 12 ? "AM" : "PM"); break;
		case 's': PUT("%lld", (long long)secs); break;
		case 'S': PUT("%02d", tm->tm_sec); break;
		case 't': PUT("\t"); break;
		case 'y': PUT("%02d", tm->tm_year % 100); break;
		case 'Y': PUT("%d", tm->tm_year + 1900); break;
		case 'z':
			off = tm->tm_gmtoff / 60;
			PUT("%c%02ld%02ld", off < 0 ? '-' : '+',
			    (off < 0 ? -off : off) / 60,
			    (off < 0 ? -off : off) % 60);
			break;
		case 'Z': PUT("%s", tm->tm_zone ? tm->tm_zone : ""); break;
		case '%': PUT("%%"); break;
		default: PUT("%%%c", *fmt); break;
#undef PUT
		}
		if (n >= size)
			n = size - 1;
	}
	buf[n < size ? n : size - 1] = '\0';
	return n;
}

/* ns since boot (CLOCK_MONOTONIC's) as a local time in strftime's fmt */
void text_strftime(const char *fmt, int64_t ns, char *buf, size_t size)
{
	struct tm tm;
	time_t s;

	ns += walltime_off;
	s = (time_t)(ns / NSEC_PER_SEC);
	if (!localtime_r(&s, &tm))
		memset(&tm, 0, sizeof(tm));
	fmt_time(buf, size, fmt, &tm, s, (long)(ns % NSEC_PER_SEC / 1000));
}

/* the wall clock now */
void text_now(const char *fmt, char *buf, size_t size)
{
	text_strftime(fmt, timespec_ns(CLOCK_MONOTONIC), buf, size);
}

/* buf(): printable bytes as they are, others \xNN (all: every byte) */
void text_buf(FILE *fp, const void *d, int size, bool all)
{
	const unsigned char *b = (const unsigned char *)d + 8;
	uint64_t len = load_u(d, 8);
	uint64_t i;

	if (len > (uint64_t)size - 8)
		len = size - 8;
	for (i = 0; i < len; i++) {
		if (!all && b[i] >= 0x20 && b[i] < 0x7f)
			fputc(b[i], fp);
		else
			fprintf(fp, "\\x%02x", b[i]);
	}
}

/* avg() and stats(): { count; total }; the average truncates as C's
 * division does */
uint64_t agg_count(const void *d)
{
	return load_u(d, 8);
}

int64_t agg_total(const void *d)
{
	return (int64_t)load_u((const char *)d + 8, 8);
}

int64_t agg_avg(const struct type *t, const void *d)
{
	uint64_t n = agg_count(d), tot = load_u((const char *)d + 8, 8);

	if (!n)
		return 0;
	if (t->base && t->base->sign)
		return (int64_t)tot / (int64_t)n;
	return (int64_t)(tot / n);
}

/* a total or an average: signed if the argument was */
void print_num(FILE *fp, const struct type *t, int64_t v)
{
	if (t->base && t->base->sign)
		fprintf(fp, "%" PRId64, v);
	else
		fprintf(fp, "%" PRIu64, (uint64_t)v);
}

/* lhist bucket i of t: its bounds ([lo, hi), the first below min, the
 * last max and above) */
void lhist_bounds(const struct type *t, int i, int64_t *lo, int64_t *hi)
{
	*lo = i ? t->min + (i - 1) * t->step : INT64_MIN;
	*hi = i == t->len - 1 ? INT64_MAX : t->min + i * t->step;
	if (i == t->len - 1)
		*lo = t->max;
	if (*hi > t->max && i)
		*hi = t->max;
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

/* (a, b) */
static void print_tuple(FILE *fp, const struct type *t, const void *data)
{
	const char *d = data;
	int i;

	fputc('(', fp);
	for (i = 0; i < t->nfields; i++) {
		if (i)
			fputs(", ", fp);
		out_value(fp, t->fields[i].type, d + t->fields[i].off);
	}
	fputc(')', fp);
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
	if (out_style != STYLE_PLY) {
		bt_value(fp, t, data, false);
		return;
	}
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
		print_stack(fp, t, (uint32_t)u);
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
	case FMT_TUPLE:
		print_tuple(fp, t, data);
		break;
	default:
		out_special_text(fp, t, data);
		break;
	}
}

/* the printers of bpftrace's values, in ply's output */
void out_special_text(FILE *fp, const struct type *t, const void *data)
{
	uint64_t u = load_u(data, t->size < 8 ? t->size : 8);
	char buf[256];

	switch (t->fmt) {
	case FMT_LHIST:
		print_lhist(fp, t, data);
		break;
	case FMT_HIST:
		bt_value(fp, t, data, false);
		break;
	case FMT_AVG:
		print_num(fp, t, agg_avg(t, data));
		break;
	case FMT_STATS:
		fprintf(fp, "count %" PRIu64 ", average ", agg_count(data));
		print_num(fp, t, agg_avg(t, data));
		fputs(", total ", fp);
		print_num(fp, t, agg_total(data));
		break;
	case FMT_MINMAX:
		print_num(fp, t, (int64_t)u);
		break;
	case FMT_SYM:
	case FMT_KPROBE:
		fputs(t->fmt == FMT_KPROBE ? "kprobe:" : "", fp);
		fputs(ksym_func(u, buf, sizeof(buf)), fp);
		break;
	case FMT_USYM:
		fprintf(fp, "%#" PRIx64, u);
		break;
	case FMT_USTACK:
		print_stack(fp, t, (uint32_t)u);
		break;
	case FMT_STRFTIME:
		text_strftime(t->strfmt, (int64_t)u, buf, sizeof(buf));
		fputs(buf, fp);
		break;
	case FMT_NTOP:
		text_ntop(data, buf, sizeof(buf));
		fputs(buf, fp);
		break;
	case FMT_BUF:
		text_buf(fp, data, t->size, false);
		break;
	case FMT_STRERROR:
		fputs(strerror((int)load_int(t, data)), fp);
		break;
	default:
		print_default(fp, t, data);
		break;
	}
}

