/*
 * out_map.c - maps as text: every entry read, per-CPU values summed,
 * the hot-key cache's slots added in, rows sorted by value then key,
 * and printed as "{ key }: value" under the map's name.
 *
 * Reading (map_read_rows, map_read_hot) is kept apart from printing
 * (out_map_rows), so the printing half is testable without a kernel.
 * clear() empties a map the same way from user space.
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"

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
	if (fmt_is_hist(t->fmt)) {
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

/* print(@m, N, div): an integer value divided */
static void print_divided(FILE *fp, const struct type *t, const char *d,
			  int div)
{
	if (div > 1 && t->kind == TY_INT && t->fmt == FMT_DEFAULT) {
		if (t->sign)
			fprintf(fp, "%lld", (long long)(load_int(t, d) / div));
		else
			fprintf(fp, "%llu",
				(unsigned long long)(load_u(d, t->size) / div));
		return;
	}
	out_value(fp, t, d);
}

static void ply_rows(FILE *fp, const struct map *m, void *rows, int n,
		     int top, int div)
{
	int ksize = m->ktype->size, stride = ksize + m->vtype->size;
	char *row = rows;
	int i;

	/* a keyless quantize() that saw nothing has no bars to draw */
	if (m->keyless && n > 0 && fmt_is_hist(m->vtype->fmt) &&
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
	sort(rows, n, stride, row_cmp);
	sort_map = NULL;
	i = top > 0 && top < n ? n - top : 0;	/* the top N: the last */
	for (row += i * stride; i < n; i++, row += stride) {
		out_value(fp, m->ktype, row);
		fputs(": ", fp);
		print_divided(fp, m->vtype, row + ksize, div);
		fputc('\n', fp);
	}
}

void out_map_rows(FILE *fp, const struct map *m, void *rows, int n)
{
	ply_rows(fp, m, rows, n, 0, 0);
}

/* min() and max(): the least (most) of the CPUs' { value; set } */
static void minmax_percpu(const struct map *m, char *dst, const char *vals,
			  int stride, int ncpus)
{
	bool sign = m->vtype->base->sign, max = m->agg == AGG_MAX;
	uint64_t v, set, best = 0, any = 0;
	int cpu;

	for (cpu = 0; cpu < ncpus; cpu++) {
		memcpy(&v, vals + cpu * stride, 8);
		memcpy(&set, vals + cpu * stride + 8, 8);
		if (!set)
			continue;
		if (!any || (sign ? ((int64_t)v > (int64_t)best) == max :
			     (v > best) == max))
			best = v;
		any = 1;
	}
	memcpy(dst, &best, 8);
	memcpy(dst + 8, &any, 8);
}

/* per-CPU values come as one 8-byte aligned copy per possible CPU;
 * aggregations are u64 counters, summed word by word, but for min()
 * and max() */
static void sum_percpu(const struct map *m, char *dst, const char *vals,
		       int ncpus)
{
	int vsize = m->vtype->size, stride = (vsize + 7) & ~7;
	uint64_t sum, x;
	int w, cpu;

	if (m->agg == AGG_MIN || m->agg == AGG_MAX) {
		minmax_percpu(m, dst, vals, stride, ncpus);
		return;
	}
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
			sum_percpu(m, row + ksize, b->vals, b->ncpus);
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

void out_map(FILE *fp, const struct map *m, int top, int div)
{
	int ksize = m->ktype->size, vsize = m->vtype->size;
	size_t vals, hot = m->hot ? m->hot->vtype->size : 0;
	struct map_buf b;
	int n;

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
	if (out_style == STYLE_PLY)
		ply_rows(fp, m, b.rows, n, top, div);
	else
		bt_map_rows(fp, m, b.rows, n, top, div);
	xfree(b.rows);
}

/* a value of 0 for every CPU (min(), max(): a value that is set) */
static char *zero_value(const struct map *m, bool set, bool percpu,
			size_t *size)
{
	int ncpus = percpu ? ncpus_possible() : 1, cpu;
	int stride = (m->vtype->size + 7) & ~7;
	uint64_t one = 1;
	char *zero;

	if (ncpus < 1)
		ncpus = 1;
	*size = (size_t)ncpus * stride;
	zero = xcalloc(*size, 1);
	if (set && (m->agg == AGG_MIN || m->agg == AGG_MAX))
		for (cpu = 0; cpu < ncpus; cpu++)
			memcpy(zero + cpu * stride + 8, &one, 8);
	return zero;
}

/* an array's entries can't be deleted: they become zeroes */
static void array_clear(const struct map *m, bool set)
{
	size_t size;
	char *zero = zero_value(m, set, true, &size);
	uint32_t i;

	for (i = 0; i < (uint32_t)m->max_entries; i++)
		bpf_map_update(m->fd, &i, zero, BPF_ANY);
	xfree(zero);
}

/* zero(): keys stay, values become 0; keys in hot-key slots move to
 * the hash first (as zeroes), the slots are emptied */
void out_map_zero(struct map *m)
{
	int ksize = m->ktype->size, ncpus = ncpus_possible(), cpu;
	char *a, *b, *cur, *prev = NULL, *zero, *slots;
	size_t size, ssize;
	uint64_t used;
	uint32_t i;

	zero = zero_value(m, true, m->agg != AGG_NONE, &size);
	if (m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		array_clear(m, true);
		xfree(zero);
		return;
	}
	if (m->hot) {
		ssize = m->hot->vtype->size;
		slots = xcalloc((size_t)(ncpus > 0 ? ncpus : 1), ssize);
		for (i = 0; i < HOT_SLOTS; i++) {
			if (bpf_map_lookup(m->hot->fd, &i, slots))
				continue;
			for (cpu = 0; cpu < ncpus; cpu++) {
				memcpy(&used, slots + cpu * ssize +
				       hot_used_off(m), 8);
				if (used)
					bpf_map_update(m->fd, slots +
						       cpu * ssize, zero,
						       BPF_NOEXIST);
			}
		}
		xfree(slots);
		array_clear(m->hot, false);
	}
	a = xcalloc(2, ksize + 8);
	b = a + ksize + 8;
	for (cur = a; !bpf_map_next_key(m->fd, prev, cur);
	     prev = cur, cur = cur == a ? b : a)
		bpf_map_update(m->fd, cur, zero, BPF_EXIST);
	xfree(a);
	xfree(zero);
}

void out_map_clear(struct map *m)
{
	char *key;

	if (m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		array_clear(m, false);
		return;
	}
	key = xcalloc(m->ktype->size + 1, 1);
	while (!bpf_map_next_key(m->fd, NULL, key))
		if (bpf_map_delete(m->fd, key))
			break;
	if (m->hot)
		array_clear(m->hot, false);
	xfree(key);
}
