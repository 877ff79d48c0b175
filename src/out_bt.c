/*
 * out_bt.c - values and maps as bpftrace prints them: as text
 * (STYLE_BT), or as the JSON objects of its -f json (STYLE_JSON).
 *
 * Text: "@name[k1, k2]: value" lines, keys sorted by value (count,
 * sum, min, max, plain integers), by average (avg, stats), by total
 * count (hist, lhist), else by key; hist and lhist as bpftrace's bars
 * of '@', 52 columns wide; a blank line after each histogram and
 * after avg and stats maps.  JSON: {"type": "map", "data": {"@name":
 * {"k1,k2": value}}} on one line, hist buckets as objects, strings
 * escaped.  The formats are bpftrace 0.17's; where it prints invalid
 * JSON (strftime and strerror values unquoted) or loses information
 * (ksym values run together, hist stops at 2G, a negative first max()
 * is dropped) we print what it meant to.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

#define BAR_WIDTH	52

static bool json(void)
{
	return out_style == STYLE_JSON;
}

/* ---------------------------------------------------------------- */
/* JSON strings                                                     */

void json_str(FILE *fp, const char *s, size_t len)
{
	size_t i;

	fputc('"', fp);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '"': fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\t': fputs("\\t", fp); break;
		default:
			if (c < 0x20)
				fprintf(fp, "\\u%04x", c);
			else
				fputc(c, fp);
		}
	}
	fputc('"', fp);
}

/* what print(fp) would write, as a JSON string */
static void json_text(FILE *fp, void (*print)(FILE *, const struct type *,
					      const void *, bool),
		      const struct type *t, const void *d, bool key)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	if (!mem)
		oom();
	print(mem, t, d, key);
	fclose(mem);
	json_str(fp, buf, len);
	free(buf);
}

/* ---------------------------------------------------------------- */
/* values                                                           */

/* "\n" and the frames, "sym+off" indented 4 spaces in a key, 8 in a
 * value; kstack(perf): "\taddr sym+off" */
static void bt_stack(FILE *fp, const struct type *t, uint32_t id, bool key)
{
	uint64_t ips[128];
	const char *why;
	char name[256];
	bool perf = t->strfmt && !strcmp(t->strfmt, "perf");
	int i, n = stack_ips(id, ips, (int)t->max, &why);

	fputc('\n', fp);
	if (n < 0) {
		if (why)
			fprintf(fp, "%s\n", why);
		return;
	}
	for (i = 0; i < n && ips[i]; i++) {
		if (perf)
			fprintf(fp, "\t%" PRIx64 " ", ips[i]);
		else
			fputs(key ? "    " : "        ", fp);
		if (t->fmt == FMT_USTACK)
			fprintf(fp, "0x%" PRIx64 "\n", ips[i]);
		else
			fprintf(fp, "%s\n", ksym_offset(ips[i], name,
							 sizeof(name)));
	}
}

static void bt_int(FILE *fp, const struct type *t, const void *d)
{
	if (t->kind == TY_INT && t->sign)
		fprintf(fp, "%" PRId64, load_int(t, d));
	else
		fprintf(fp, "%" PRIu64, load_u(d, t->size < 8 ? t->size : 8));
}

/* is it a number in JSON? */
static bool numeric(const struct type *t)
{
	switch (t->fmt) {
	case FMT_DEFAULT:
		return t->kind == TY_INT || t->kind == TY_PTR;
	case FMT_PID: case FMT_UID: case FMT_CPU: case FMT_HEX:
	case FMT_TIME: case FMT_WALLTIME: case FMT_MINMAX: case FMT_AVG:
		return true;
	default:
		return false;
	}
}

static void bt_text(FILE *fp, const struct type *t, const void *d, bool key);
static void bt_hist(FILE *fp, const struct type *t, const void *d, int div);

static void bt_fields(FILE *fp, const struct type *t, const void *d,
		      const char *open, const char *sep, const char *close)
{
	int i;

	fputs(open, fp);
	for (i = 0; i < t->nfields; i++) {
		if (i)
			fputs(sep, fp);
		bt_value(fp, t->fields[i].type,
			 (const char *)d + t->fields[i].off, false);
	}
	fputs(close, fp);
}

/* the text of a value: what bpftrace prints for it */
static void bt_text(FILE *fp, const struct type *t, const void *d, bool key)
{
	uint64_t u = load_u(d, t->size > 0 && t->size < 8 ? t->size : 8);
	char buf[256];
	int i;

	switch (t->fmt) {
	case FMT_STACK:
	case FMT_USTACK:
		bt_stack(fp, t, (uint32_t)u, key);
		return;
	case FMT_KSYM:
		fputs(ksym_offset(u, buf, sizeof(buf)), fp);
		return;
	case FMT_AVG:
		print_num(fp, t, agg_avg(t, d));
		return;
	case FMT_MINMAX:
	case FMT_STATS:
	case FMT_SYM:
	case FMT_KPROBE:
	case FMT_USYM:
	case FMT_STRFTIME:
	case FMT_NTOP:
	case FMT_BUF:
	case FMT_STRERROR:
	case FMT_DYN:
		out_special_text(fp, t, d);
		return;
	case FMT_QUANTIZE:
	case FMT_HIST:
	case FMT_LHIST:
		bt_hist(fp, t, d, 0);
		return;
	case FMT_TUPLE:
		bt_fields(fp, t, d, "(", ", ", ")");
		return;
	default:
		break;
	}
	switch (t->kind) {
	case TY_INT:
	case TY_PTR:
		bt_int(fp, t, d);
		break;
	case TY_ARRAY:
		if (type_is_str(t)) {
			fwrite(d, 1, strnlen(d, t->size), fp);
			break;
		}
		fputc('[', fp);
		for (i = 0; i < t->len; i++) {
			if (i)
				fputs(", ", fp);
			bt_value(fp, t->base, (const char *)d +
				 i * t->base->size, false);
		}
		fputc(']', fp);
		break;
	case TY_STRUCT:
		bt_fields(fp, t, d, "{ ", ", ", " }");
		break;
	case TY_VOID:
		break;
	}
}

void out_text(FILE *fp, const struct type *t, const void *d)
{
	if (out_style == STYLE_PLY)
		out_value(fp, t, d);
	else
		bt_text(fp, t, d, false);
}

void bt_value(FILE *fp, const struct type *t, const void *d, bool key)
{
	int i;

	if (!json()) {
		bt_text(fp, t, d, key);
		return;
	}
	if (t->fmt == FMT_TUPLE) {
		fputc('[', fp);
		for (i = 0; i < t->nfields; i++) {
			if (i)
				fputc(',', fp);
			bt_value(fp, t->fields[i].type,
				 (const char *)d + t->fields[i].off, false);
		}
		fputc(']', fp);
	} else if (t->fmt == FMT_STATS) {
		fprintf(fp, "{\"count\": %" PRIu64 ", \"average\": ",
			agg_count(d));
		print_num(fp, t, agg_avg(t, d));
		fputs(", \"total\": ", fp);
		print_num(fp, t, agg_total(d));
		fputc('}', fp);
	} else if (numeric(t)) {
		bt_text(fp, t, d, key);
	} else {
		json_text(fp, bt_text, t, d, key);
	}
}

/* ---------------------------------------------------------------- */
/* histograms                                                       */

/* hist(): bucket 0 counts 0, bucket i 2^(i-1) to 2^i - 1; a signed
 * argument's negative values are in the last */
static int64_t hist_lo(int i)
{
	return i <= 1 ? i : (int64_t)(1ULL << (i - 1));
}

/* "512", "1K", "64M": powers of 2 of 1024 and above with a suffix */
static void pow2_label(char *buf, size_t size, int64_t v)
{
	static const char suffix[] = "KMGTPE";
	int s = -1;

	while (v >= 1024 && s < 5) {
		v >>= 10;
		s++;
	}
	if (s < 0)
		snprintf(buf, size, "%" PRId64, v);
	else
		snprintf(buf, size, "%" PRId64 "%c", v, suffix[s]);
}

/* lhist labels: 0, "3K" and "2M" for exact multiples, else decimal */
static void lin_label(char *buf, size_t size, int64_t v)
{
	if (v && !(v % (1 << 20)))
		snprintf(buf, size, "%" PRId64 "M", v >> 20);
	else if (v && !(v % 1024))
		snprintf(buf, size, "%" PRId64 "K", v >> 10);
	else
		snprintf(buf, size, "%" PRId64, v);
}

struct hbucket {
	int i;			/* in the value */
	bool under, over;	/* below 0 (hist) or min (lhist); max+ */
	int64_t lo, hi;		/* [lo, hi) */
};

/* the buckets of t in the order printed: negative ones first */
static int hist_order(const struct type *t, struct hbucket *b)
{
	int n = 0, i, len = t->len;

	if (t->fmt == FMT_LHIST) {
		for (i = 0; i < len; i++, n++) {
			b[n] = (struct hbucket){ .i = i, .under = !i,
						 .over = i == len - 1 };
			lhist_bounds(t, i, &b[n].lo, &b[n].hi);
		}
		return n;
	}
	if (t->base && t->base->sign) {
		len--;
		b[n++] = (struct hbucket){ .i = len, .under = true };
	}
	for (i = 0; i < len; i++, n++) {
		b[n] = (struct hbucket){ .i = i, .lo = hist_lo(i),
					 .hi = i ? (int64_t)(2ULL * hist_lo(i))
						 : 1 };
		if (t->fmt == FMT_QUANTIZE)	/* ply's: [0, 1], [2, 3] .. */
			b[n] = (struct hbucket){ .i = i, .lo = i ? 1LL << i : 0,
				.hi = i < 63 ? 1LL << (i + 1) : INT64_MAX };
	}
	return n;
}

static void bucket_label(char *buf, size_t size, const struct type *t,
			 const struct hbucket *b)
{
	char lo[32], hi[32];

	if (t->fmt == FMT_LHIST) {
		lin_label(lo, sizeof(lo), b->under ? t->min : b->lo);
		lin_label(hi, sizeof(hi), b->hi);
		if (b->under)
			snprintf(buf, size, "(..., %s)", lo);
		else if (b->over)
			snprintf(buf, size, "[%s, ...)", lo);
		else
			snprintf(buf, size, "[%s, %s)", lo, hi);
		return;
	}
	if (b->under) {
		snprintf(buf, size, "(..., 0)");
		return;
	}
	if (t->fmt == FMT_HIST && b->i <= 1) {
		snprintf(buf, size, "[%d]", b->i);
		return;
	}
	pow2_label(lo, sizeof(lo), b->lo);
	pow2_label(hi, sizeof(hi), b->hi);
	snprintf(buf, size, "[%s, %s)", lo, hi);
}

/* counts divided by div; the bars are of the counts as they are */
static void bt_hist(FILE *fp, const struct type *t, const void *d, int div)
{
	struct hbucket b[2100];
	int n = hist_order(t, b), first = -1, last = -1, i, w;
	uint64_t max = 0, c;
	char label[96], bar[BAR_WIDTH + 1];

	for (i = 0; i < n; i++) {
		c = bucket(d, b[i].i);
		if (!c)
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (c > max)
			max = c;
	}
	if (json()) {
		fputc('[', fp);
		for (i = first; first >= 0 && i <= last; i++) {
			c = bucket(d, b[i].i) / (div > 1 ? div : 1);
			fputs(i > first ? ", {" : "{", fp);
			if (b[i].under)
				fprintf(fp, "\"max\": %" PRId64, t->fmt ==
					FMT_LHIST ? t->min - 1 : -1);
			else if (b[i].over)
				fprintf(fp, "\"min\": %" PRId64, b[i].lo);
			else
				fprintf(fp, "\"min\": %" PRId64 ", \"max\": %"
					PRId64, b[i].lo, b[i].hi - 1);
			fprintf(fp, ", \"count\": %" PRIu64 "}", c);
		}
		fputc(']', fp);
		return;
	}
	for (i = first; first >= 0 && i <= last; i++) {
		c = bucket(d, b[i].i);
		w = (int)(c * BAR_WIDTH / max);
		memset(bar, '@', w);
		bar[w] = '\0';
		bucket_label(label, sizeof(label), t, &b[i]);
		fprintf(fp, "%-16s%8" PRIu64 " |%-*s|\n", label,
			c / (div > 1 && t->fmt != FMT_LHIST ? div : 1),
			BAR_WIDTH, bar);
	}
}

/* ---------------------------------------------------------------- */
/* maps                                                             */

static uint64_t hist_total(const struct type *t, const void *d)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < t->len; i++)
		n += bucket(d, i);
	return n;
}

static const struct map *sort_map;

/* keys: field by field, integers as unsigned 64-bit numbers (so -1
 * comes last, as bpftrace has it), strings byte by byte */
static int key_cmp(const struct type *t, const char *a, const char *b)
{
	uint64_t x, y;
	int i, c;

	if (t->kind == TY_STRUCT && t->fmt != FMT_NTOP && t->fmt != FMT_BUF) {
		for (i = 0; i < t->nfields; i++) {
			c = key_cmp(t->fields[i].type, a + t->fields[i].off,
				    b + t->fields[i].off);
			if (c)
				return c;
		}
		return 0;
	}
	if (t->kind == TY_INT || t->kind == TY_PTR) {
		x = (uint64_t)load_int(t, a);
		y = (uint64_t)load_int(t, b);
		return x < y ? -1 : x > y;
	}
	return memcmp(a, b, t->size);
}

/* the number a row sorts by, if its values sort by one */
static bool sort_value(const struct map *m, const char *v, int64_t *n,
		       bool *sign)
{
	const struct type *t = m->vtype;

	*sign = true;
	switch (t->fmt) {
	case FMT_AVG:
	case FMT_STATS:
		*n = agg_avg(t, v);
		*sign = t->base->sign;
		return true;
	case FMT_QUANTIZE:
	case FMT_HIST:
	case FMT_LHIST:
		*n = (int64_t)hist_total(t, v);
		*sign = false;
		return true;
	case FMT_MINMAX:
		*n = (int64_t)load_u(v, 8);
		*sign = t->base->sign;
		return true;
	case FMT_DEFAULT:
	case FMT_PID:
	case FMT_UID:
	case FMT_CPU:
	case FMT_HEX:
	case FMT_TIME:
		if (t->kind != TY_INT)
			return false;
		*n = load_int(t, v);
		*sign = t->sign;
		return true;
	default:
		return false;
	}
}

static int row_cmp(const void *a, const void *b)
{
	const struct map *m = sort_map;
	int ksize = m->ktype->size;
	int64_t x, y;
	bool sign;

	if (sort_value(m, (const char *)a + ksize, &x, &sign)) {
		sort_value(m, (const char *)b + ksize, &y, &sign);
		if (x != y)
			return sign ? (x < y ? -1 : 1) :
				((uint64_t)x < (uint64_t)y ? -1 : 1);
	}
	return key_cmp(m->ktype, a, b);
}

/* "k1, k2" (text) or "k1,k2" (a JSON key's text) */
static void bt_key(FILE *fp, const struct type *t, const void *d, bool j)
{
	int i;

	if (t->kind != TY_STRUCT || t->fmt) {
		bt_text(fp, t, d, true);
		return;
	}
	for (i = 0; i < t->nfields; i++) {
		if (i)
			fputs(j ? "," : ", ", fp);
		bt_text(fp, t->fields[i].type,
			(const char *)d + t->fields[i].off, true);
	}
}

static void json_key(FILE *fp, const struct type *t, const void *d, bool k)
{
	(void)k;
	bt_key(fp, t, d, true);
}

/* a row's value, divided by div where bpftrace divides it */
static void row_value(FILE *fp, const struct map *m, const char *v, int div)
{
	const struct type *t = m->vtype;

	if (fmt_is_hist(t->fmt)) {
		bt_hist(fp, t, v, div);
		return;
	}
	if (div > 1 && t->fmt == FMT_AVG) {
		print_num(fp, t, agg_avg(t, v) / div);
		return;
	}
	if (div > 1 && t->fmt == FMT_MINMAX) {
		print_num(fp, t, (int64_t)load_u(v, 8) / div);
		return;
	}
	if (div > 1 && t->kind == TY_INT && t->fmt == FMT_DEFAULT) {
		if (t->sign)
			fprintf(fp, "%" PRId64, load_int(t, v) / div);
		else
			fprintf(fp, "%" PRIu64, load_u(v, t->size) / div);
		return;
	}
	bt_value(fp, t, v, false);
}

/* has the keyless aggregation seen anything?  (a per-CPU array's one
 * entry is always there; bpftrace prints count() as 0 nonetheless) */
static bool keyless_empty(const struct map *m, const char *v)
{
	switch (m->agg) {
	case AGG_MIN:
	case AGG_MAX:
		return !load_u(v + 8, 8);
	case AGG_AVG:
	case AGG_STATS:
		return !agg_count(v);
	case AGG_QUANTIZE:
	case AGG_LHIST:
		return !hist_total(m->vtype, v);
	default:
		return false;
	}
}

static const char *json_type(const struct map *m)
{
	switch (m->vtype->fmt) {
	case FMT_QUANTIZE:
	case FMT_HIST:
	case FMT_LHIST:
		return "hist";
	case FMT_AVG:
	case FMT_STATS:
		return "stats";
	default:
		return "map";
	}
}

void bt_map_rows(FILE *fp, const struct map *m, void *rows, int n,
		 int top, int div)
{
	int ksize = m->ktype->size, stride = ksize + m->vtype->size, i;
	bool hist = fmt_is_hist(m->vtype->fmt);
	bool stats = m->vtype->fmt == FMT_STATS;
	bool stack = m->vtype->fmt == FMT_STACK || m->vtype->fmt == FMT_USTACK;
	char *row = rows;

	if (m->keyless && n > 0 && keyless_empty(m, row + ksize))
		n = 0;
	if (stats)	/* bpftrace: "top and div are ignored" for stats */
		top = div = 0;
	sort_map = m;
	sort(rows, n, stride, row_cmp);
	sort_map = NULL;
	i = top > 0 && top < n ? n - top : 0;	/* the top N: the last */
	row += i * stride;
	if (json()) {
		if (i == n)
			return;		/* an empty map: nothing */
		fprintf(fp, "{\"type\": \"%s\", \"data\": {", json_type(m));
		json_str(fp, m->name, strlen(m->name));
		fputs(": ", fp);
		if (!m->keyless)
			fputc('{', fp);
		for (; i < n; i++, row += stride) {
			if (!m->keyless) {
				json_text(fp, json_key, m->ktype, row, true);
				fputs(": ", fp);
			}
			row_value(fp, m, row + ksize, div);
			if (i + 1 < n)
				fputs(", ", fp);
		}
		fputs(m->keyless ? "}}\n" : "}}}\n", fp);
		return;
	}
	/* each entry ends its line (a stack ends in its own newline);
	 * a blank line follows each histogram, an avg or stats map and a
	 * map of stacks, and stands for an empty map */
	for (; i < n; i++, row += stride) {
		fputs(m->name, fp);
		if (!m->keyless) {
			fputc('[', fp);
			bt_key(fp, m->ktype, row, false);
			fputc(']', fp);
		}
		fputs(hist ? ": \n" : ": ", fp);
		row_value(fp, m, row + ksize, div);
		if (!stack)
			fputc('\n', fp);
	}
	if (!n || stack || stats || m->vtype->fmt == FMT_AVG)
		fputc('\n', fp);
	if (!n && (stats || m->vtype->fmt == FMT_AVG))
		fputc('\n', fp);
}
