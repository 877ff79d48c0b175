/*
 * output.h - between output.c and its neighbours out_printf.c and
 * out_map.c: integers read from records of any alignment, in the
 * host's byte order (the kernel's), and a quantize() bucket.
 */
#ifndef PLY_OUTPUT_H
#define PLY_OUTPUT_H

#include "ply.h"

/* an unsigned integer of size 1, 2, 4 or 8 bytes at d */
uint64_t load_u(const void *d, int size);
/* an integer or pointer of type t, sign-extended if it is signed */
int64_t load_int(const struct type *t, const void *d);
/* bucket i of a quantize() value */
uint64_t bucket(const void *data, int i);

/* output.c: the text of bpftrace's values */
void text_ntop(const void *d, char *buf, size_t size);
void text_strftime(const char *fmt, int64_t ns, char *buf, size_t size);
void text_now(const char *fmt, char *buf, size_t size);
void text_buf(FILE *fp, const void *d, int size, bool all);
uint64_t agg_count(const void *d);		/* avg(), stats() */
int64_t agg_total(const void *d);
int64_t agg_avg(const struct type *t, const void *d);
void print_num(FILE *fp, const struct type *t, int64_t v);
void lhist_bounds(const struct type *t, int i, int64_t *lo, int64_t *hi);
/* the frames of a stack id, at most max (0: all); -1 and *why (or
 * NULL: unknown id) if none */
int stack_ips(uint32_t id, uint64_t *ips, int max, const char **why);
/* FMT_LHIST ... FMT_KPROBE in ply's output */
void out_special_text(FILE *fp, const struct type *t, const void *data);

/* out_bt.c: bpftrace's formats, text or JSON (out_style) */
void bt_value(FILE *fp, const struct type *t, const void *d, bool key);
void bt_map_rows(FILE *fp, const struct map *m, void *rows, int n,
		 int top, int div);
void json_str(FILE *fp, const char *s, size_t len);
/* a value as text, also where the output is JSON (printf's %s) */
void out_text(FILE *fp, const struct type *t, const void *d);

#endif
