/*
 * output_test.c - unit tests of type.c and output.c.
 *
 * Every printer is checked against the text iovisor/ply prints (the
 * samples in FEATURES.md 1.8 and 1.10), byte for byte.  Output goes to
 * an open_memstream buffer.  The kernel is faked: bpf_map_* serve one
 * in-memory per-CPU map, ksym_name names an address "sym<hex>", and
 * the x* allocators are plain; all are weak, so linking the real ones
 * instead also works (the fake-map test then skips itself).
 *
 *   cc -std=gnu11 -Isrc test/output_test.c src/type.c src/output.c
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ply.h"

static int passed, failed;

/* types live as long as the run, like a compiler's (no free) */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static void put_escaped(const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n')
			fputs("\\n", stderr);
		else if (*s == '\t')
			fputs("\\t", stderr);
		else
			fputc(*s, stderr);
	}
}

static void check_str(const char *want, const char *got, const char *expr,
		      int line)
{
	if (got && !strcmp(want, got)) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "line %d: %s\n  want \"", line, expr);
	put_escaped(want);
	fputs("\"\n  got  \"", stderr);
	put_escaped(got ? got : "(null)");
	fputs("\"\n", stderr);
}

static void check_int(long long want, long long got, const char *expr,
		      int line)
{
	if (want == got) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "line %d: %s: want %lld, got %lld\n", line, expr,
		want, got);
}

#define ASSERT(x, y) check_int((x), (y), #y, __LINE__)
#define ASSERT_STR(x, y) check_str((x), (y), #y, __LINE__)

/* ---------------------------------------------------------------- */
/* stand-ins for the rest of ply                                    */

__attribute__((weak)) void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

__attribute__((weak)) char *xstrdup(const char *s)
{
	char *p = xcalloc(strlen(s) + 1, 1);

	return strcpy(p, s);
}

__attribute__((weak)) char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	p = xcalloc(n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(p, n + 1, fmt, ap);
	va_end(ap);
	return p;
}

__attribute__((weak)) const char *ksym_name(uint64_t addr, char *buf,
					    size_t size)
{
	snprintf(buf, size, "sym%" PRIx64, addr);
	return buf;
}

__attribute__((weak)) const char *ksym_offset(uint64_t addr, char *buf,
					      size_t size)
{
	snprintf(buf, size, "sym%" PRIx64 "+0", addr);
	return buf;
}

__attribute__((weak)) const char *ksym_func(uint64_t addr, char *buf,
					    size_t size)
{
	snprintf(buf, size, "sym%" PRIx64, addr);
	return buf;
}

/* one per-CPU hash map { u32 } -> u64 on two CPUs */
#define FAKE_FD		77
#define FAKE_CPUS	2
static struct {
	uint32_t key;
	uint64_t val[FAKE_CPUS];
	bool used;
} fake[4];
static int fake_calls;

__attribute__((weak)) int ncpus_possible(void)
{
	return FAKE_CPUS;
}

static int fake_find(const void *key)
{
	uint32_t k;
	int i;

	memcpy(&k, key, 4);
	for (i = 0; i < (int)ARRAY_SIZE(fake); i++)
		if (fake[i].used && fake[i].key == k)
			return i;
	return -1;
}

__attribute__((weak)) int bpf_map_next_key(int fd, const void *key,
					   void *next)
{
	int i = key ? fake_find(key) + 1 : 0;

	fake_calls++;
	if (fd != FAKE_FD)
		return -EBADF;
	for (; i < (int)ARRAY_SIZE(fake); i++) {
		if (fake[i].used) {
			memcpy(next, &fake[i].key, 4);
			return 0;
		}
	}
	return -ENOENT;
}

/* and its hot-key cache (ply.h): a per-CPU array of slots */
#define FAKE_HOT_FD	78
static struct fake_slot {
	uint32_t key, pad;
	uint64_t val, used;
} fake_hot[HOT_SLOTS][FAKE_CPUS];

__attribute__((weak)) int bpf_map_lookup(int fd, const void *key, void *val)
{
	int i = fake_find(key);
	uint32_t idx;

	memcpy(&idx, key, 4);
	if (fd == FAKE_HOT_FD && idx < HOT_SLOTS) {
		memcpy(val, fake_hot[idx], sizeof(fake_hot[idx]));
		return 0;
	}
	if (fd != FAKE_FD || i < 0)
		return -ENOENT;
	memcpy(val, fake[i].val, sizeof(fake[i].val));
	return 0;
}

__attribute__((weak)) int bpf_map_update(int fd, const void *key,
					const void *val, uint64_t flags)
{
	uint32_t idx;

	(void)flags;
	memcpy(&idx, key, 4);
	if (fd != FAKE_HOT_FD || idx >= HOT_SLOTS)
		return -EINVAL;
	memcpy(fake_hot[idx], val, sizeof(fake_hot[idx]));
	return 0;
}

__attribute__((weak)) int bpf_map_delete(int fd, const void *key)
{
	int i = fake_find(key);

	if (fd != FAKE_FD || i < 0)
		return -ENOENT;
	fake[i].used = false;
	return 0;
}

static int fake_stack(uint32_t id, uint64_t *ips, int max)
{
	if (id != 3 || max < 3)
		return -ENOENT;
	ips[0] = 0xffff1000;
	ips[1] = 0xffff2000;
	ips[2] = 0;
	return 3;
}

/* ---------------------------------------------------------------- */
/* capture                                                          */

static char *cap_buf;
static size_t cap_len;

static FILE *cap(void)
{
	free(cap_buf);
	cap_buf = NULL;
	return open_memstream(&cap_buf, &cap_len);
}

static const char *done(FILE *fp)
{
	fclose(fp);
	return cap_buf;
}

static const char *show(const struct type *t, const void *data)
{
	FILE *fp = cap();

	out_value(fp, t, data);
	return done(fp);
}

static const char *show_int(struct type *t, int64_t v)
{
	/* host-order bytes of v at t's size */
	union { int8_t s8; int16_t s16; int32_t s32; int64_t s64; } u;

	switch (t->size) {
	case 1: u.s8 = (int8_t)v; break;
	case 2: u.s16 = (int16_t)v; break;
	case 4: u.s32 = (int32_t)v; break;
	default: u.s64 = v; break;
	}
	return show(t, &u);
}

static const char *show_time(int64_t ns)
{
	return show_int(type_with_fmt(&ty_s64, FMT_TIME), ns);
}

static const char *show_printf(const char *fmt, const struct type *args,
			       const void *data)
{
	FILE *fp = cap();

	out_printf(fp, fmt, args, data);
	return done(fp);
}

/* ---------------------------------------------------------------- */
/* type.c                                                           */

static void test_types(void)
{
	struct field f1[] = {
		{ "c", &ty_char, -1 }, { "i", &ty_s32, -1 },
		{ "s", type_str(3), -1 },
	};
	struct field f2[] = { { "a", &ty_u16, 0 }, { "b", &ty_u64, 8 } };
	struct field f3[] = { { "", &ty_s32, -1 }, { "", type_str(16), -1 } };
	struct type *s1 = type_struct(NULL, f1, 3);
	struct type *s2 = type_struct("struct given", f2, 2);
	struct type *a = type_struct("", f3, 2), *b = type_struct(NULL, f3, 2);

	ASSERT(1, type_int(8, true) == &ty_s64);
	ASSERT(1, type_int(4, false) == &ty_u32);
	ASSERT(1, type_int(1, true) == &ty_s8);
	ASSERT(0, type_int(3, true) != NULL);
	ASSERT(0, s1->fields[0].off);
	ASSERT(4, s1->fields[1].off);
	ASSERT(8, s1->fields[2].off);
	ASSERT(12, s1->size);
	ASSERT(4, s1->align);
	ASSERT(8, s2->fields[1].off);
	ASSERT(16, s2->size);
	ASSERT(8, type_ptr(&ty_char, false, false)->size);
	ASSERT(64, type_array(&ty_u32, 16)->size);
	ASSERT(1, type_field(s1, "s") == &s1->fields[2]);
	ASSERT(1, type_field(s1, "nope") == NULL);
	ASSERT(1, type_is_str(type_str(16)));
	ASSERT(0, type_is_str(type_array(&ty_u8, 16)));
	ASSERT(1, type_is_scalar(&ty_u8));
	ASSERT(1, type_is_scalar(type_ptr(&ty_void, true, false)));
	ASSERT(0, type_is_scalar(s1));
	ASSERT(1, type_equal(a, b));
	ASSERT(1, type_equal(type_str(16), type_str(16)));
	ASSERT(0, type_equal(type_str(16), type_str(8)));
	ASSERT(0, type_equal(&ty_s32, &ty_u32));
	ASSERT(1, type_equal(&ty_u32, type_with_fmt(&ty_u32, FMT_PID)));
	ASSERT(0, type_equal(a, s1));
	ASSERT_STR("char[16]", type_name(type_str(16)));
	ASSERT_STR("unsigned int", type_name(&ty_u32));
	ASSERT_STR("long", type_name(&ty_s64));
	ASSERT_STR("struct sched_switch *",
		   type_name(type_ptr(type_struct("struct sched_switch",
						  f2, 2), false, false)));
	ASSERT_STR("char **", type_name(type_ptr(type_ptr(&ty_char, 0, 0),
						 0, 0)));
	ASSERT_STR("{ int, char[16] }", type_name(a));
	ASSERT_STR("struct given", type_name(s2));
}

/* ---------------------------------------------------------------- */
/* integers and printers                                            */

static void test_ints(void)
{
	ASSERT_STR("-1", show_int(&ty_s8, -1));
	ASSERT_STR("-128", show_int(&ty_s8, -128));
	ASSERT_STR("255", show_int(&ty_u8, 255));
	ASSERT_STR("65", show_int(&ty_char, 'A'));
	ASSERT_STR("-32768", show_int(&ty_s16, -32768));
	ASSERT_STR("65535", show_int(&ty_u16, 65535));
	ASSERT_STR("-2147483648", show_int(&ty_s32, INT_MIN));
	ASSERT_STR("4294967295", show_int(&ty_u32, -1));
	ASSERT_STR("-9223372036854775808", show_int(&ty_s64, INT64_MIN));
	ASSERT_STR("18446744073709551615", show_int(&ty_u64, -1));
	ASSERT_STR("42", show_int(&ty_s64, 42));
}

static void test_printers(void)
{
	uint32_t u32;

	ASSERT_STR("   42", show_int(type_with_fmt(&ty_u32, FMT_PID), 42));
	ASSERT_STR("31453", show_int(type_with_fmt(&ty_u32, FMT_PID), 31453));
	ASSERT_STR("   0", show_int(type_with_fmt(&ty_u32, FMT_UID), 0));
	ASSERT_STR(" 3", show_int(type_with_fmt(&ty_u32, FMT_CPU), 3));
	ASSERT_STR("0xff", show_int(type_with_fmt(&ty_u64, FMT_HEX), 255));
	ASSERT_STR("0", show_int(type_with_fmt(&ty_u64, FMT_HEX), 0));
	ASSERT_STR("0xffffffffffffffff",
		   show_int(type_with_fmt(&ty_u64, FMT_HEX), -1));
	ASSERT_STR("symffffffff81000000",
		   show_int(type_with_fmt(&ty_u64, FMT_KSYM),
			    (int64_t)0xffffffff81000000ULL));
	u32 = 12 << 16 | 0x20;
	ASSERT_STR("dynamic(12 bytes, offset 0x20)",
		   show(type_with_fmt(&ty_u32, FMT_DYN), &u32));
	ASSERT_STR("<ffff888001234000>",
		   show_int(type_ptr(&ty_void, false, false),
			    (int64_t)0xffff888001234000ULL));

	out_stack_frames = NULL;
	ASSERT_STR("<STACKID3>", show_int(type_with_fmt(&ty_u32, FMT_STACK), 3));
	out_stack_frames = fake_stack;
	ASSERT_STR("\n\tsymffff1000\n\tsymffff2000\n",
		   show_int(type_with_fmt(&ty_u32, FMT_STACK), 3));
	ASSERT_STR("<no stack: lost to a hash collision>",
		   show_int(type_with_fmt(&ty_u32, FMT_STACK), -17));
	ASSERT_STR("<no stack: the kernel could not walk it>",
		   show_int(type_with_fmt(&ty_u32, FMT_STACK), -14));
	ASSERT_STR("<STACKID4294967294>",	/* -ENOENT: no such id */
		   show_int(type_with_fmt(&ty_u32, FMT_STACK), -2));
}

static void test_time(void)
{
	ASSERT_STR("   0ns", show_time(0));
	ASSERT_STR(" 256ns", show_time(256));
	ASSERT_STR(" 999ns", show_time(999));
	ASSERT_STR("1.00us", show_time(1000));
	ASSERT_STR("1.02us", show_time(1023));
	ASSERT_STR("2.04us", show_time(2048));
	ASSERT_STR("4.09us", show_time(4095));
	ASSERT_STR("10.2us", show_time(10240));
	ASSERT_STR(" 102us", show_time(102400));
	ASSERT_STR("1.00ms", show_time(1000000));
	ASSERT_STR("12.3ms", show_time(12345678));
	ASSERT_STR(" 123ms", show_time(123456789));
	ASSERT_STR("1.23 s", show_time(1234567890));
	ASSERT_STR("12.3 s", show_time(12345678901LL));
	ASSERT_STR(" 529 s", show_time(529000000000LL));
	ASSERT_STR("  35 M", show_time(35 * 60 * 1000000000LL));
	ASSERT_STR("  60 M", show_time(3600 * 1000000000LL));
	ASSERT_STR("  48 H", show_time(2 * 86400 * 1000000000LL));
	ASSERT_STR("  -5ns", show_time(-5));
}

static void test_walltime(void)
{
	struct timespec ts;
	const char *s;
	int i;

	out_init();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s = show_int(type_with_fmt(&ty_s64, FMT_WALLTIME),
		     (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
	ASSERT(18, (long long)strlen(s));
	for (i = 0; i < 18 && s[i]; i++) {
		bool sep = i == 2 || i == 5 || i == 8;

		if (sep ? s[i] != (i == 8 ? '.' : ':') :
			  (s[i] < '0' || s[i] > '9'))
			break;
	}
	ASSERT(18, i);
}

/* ---------------------------------------------------------------- */
/* arrays and structs                                               */

static void test_arrays(void)
{
	char comm[16] = "sleep", empty[4] = "", bad1[8] = "abc\x01";
	char bad2[6] = { 'a', 'b', 0, 'c', 0, 0 };
	unsigned char bytes[20];
	int32_t ints[3] = { 1, -2, 3 };
	int i;

	ASSERT_STR("sleep          ", show(type_str(16), comm));
	ASSERT_STR("   ", show(type_str(4), empty));
	for (i = 0; i < 20; i++)
		bytes[i] = (unsigned char)(i == 17 ? 'A' : i);
	ASSERT_STR("\n"
		   "000:  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f"
		   "   ........ ........\n"
		   "010:  10 41 12 13"
		   "                                        .A..\n",
		   show(type_str(20), bytes));
	/* ply pads an 8-byte line one short; so do we */
	ASSERT_STR("\n000:  61 62 63 01 00 00 00 00"
		   "                           abc.....\n",
		   show(type_str(8), bad1));
	ASSERT_STR("\n000:  61 62 00 63 00 00"
		   "                                  ab.c..\n",
		   show(type_str(6), bad2));
	ASSERT_STR("[1, -2, 3]", show(type_array(&ty_s32, 3), ints));
}

static void test_structs(void)
{
	struct field kf[] = {
		{ "", type_str(16), -1 },
		{ "", type_with_fmt(&ty_u32, FMT_PID), -1 },
	};
	struct field nf[] = {
		{ "prev_pid", &ty_s32, -1 }, { "comm", type_str(4), -1 },
		{ "inner", NULL, -1 },
	};
	struct field inf[] = { { "x", &ty_u8, -1 } };
	struct { char comm[16]; uint32_t pid; } key = { "cat", 31453 };
	struct { int32_t pid; char comm[4]; uint8_t x; } rec = { 7, "xy", 9 };
	struct type *k = type_struct(NULL, kf, 2), *n;

	ASSERT_STR("{ cat            , 31453 }", show(k, &key));
	nf[2].type = type_struct("struct in", inf, 1);
	n = type_struct("struct rec", nf, 3);
	ASSERT(12, n->size);
	ASSERT_STR("{\n\tprev_pid = 7,\n\tcomm = xy ,\n"
		   "\tinner = {\n\tx = 9\n}\n}",
		   show(n, &rec));
}

static void test_stack_key(void)
{
	struct field kf[] = {
		{ "", type_with_fmt(&ty_u32, FMT_STACK), -1 },
		{ "", type_str(16), -1 },
	};
	struct { uint32_t id; char comm[16]; } key = { 3, "sleep" };

	out_stack_frames = fake_stack;
	ASSERT_STR("{ \n\tsymffff1000\n\tsymffff2000\n, sleep           }",
		   show(type_struct(NULL, kf, 2), &key));
}

/* ---------------------------------------------------------------- */
/* printf                                                           */

static void test_printf(void)
{
	struct field f[] = {
		{ "", &ty_s32, -1 }, { "", type_str(4), -1 },
		{ "", &ty_s32, -1 }, { "", &ty_s32, -1 },
	};
	struct field g[] = {
		{ "", &ty_u64, -1 }, { "", &ty_s32, -1 }, { "", &ty_u8, -1 },
	};
	struct { int32_t a; char s[4]; int32_t b, c; } d = {
		42, "lit", 7, 255 };
	struct { uint64_t big; int32_t neg; uint8_t c; } e = {
		0x100000000ULL, -1, 'A' };
	struct type *t = type_struct(NULL, f, 4), *u = type_struct(NULL, g, 3);

	ASSERT_STR("42 lit 7|%|ff\n",
		   show_printf("%d %s %v|%%|%x\n", t, &d));
	ASSERT_STR("   42|lit  |", show_printf("%5d|%-5s|", t, &d));
	ASSERT_STR("42|li|", show_printf("%d|%.2s|", t, &d));
	ASSERT_STR("42 %d %s\n", show_printf("%d %d %s\n", type_struct(
		NULL, f, 1), &d));
	ASSERT_STR("no args %d 100%", show_printf("no args %d 100%", NULL,
						  NULL));
	ASSERT_STR("%y 42", show_printf("%y %d", t, &d));
	ASSERT_STR("42 100%5", show_printf("%d 100%5", t, &d));
	ASSERT_STR("4294967296 -1 4294967295 ffffffff A",
		   show_printf("%d %d %u %x %c", type_struct(NULL,
		   (struct field[]){ { "", &ty_u64, -1 }, { "", &ty_s32, -1 },
				     { "", &ty_s32, -1 }, { "", &ty_s32, -1 },
				     { "", &ty_u8, -1 } }, 5),
		   &(struct { uint64_t a; int32_t b, c, d; uint8_t e; })
		   { 0x100000000ULL, -1, -1, -1, 'A' }));
	ASSERT_STR("4294967296|   -1|A|0x100000000",
		   show_printf("%lu|%5s|%c|%#llx", type_struct(NULL,
		   (struct field[]){ { "", &ty_u64, -1 }, { "", &ty_s32, -1 },
				     { "", &ty_u8, -1 }, { "", &ty_u64, -1 } },
		   4), &(struct { uint64_t a; int32_t b; uint8_t c;
				  uint64_t d; })
		   { 0x100000000ULL, -1, 'A', 0x100000000ULL }));
	ASSERT_STR("    42|42  |", show_printf("%*d|%-*d|",
		   type_struct(NULL, (struct field[]){ { "", &ty_s32, -1 },
		   { "", &ty_s32, -1 }, { "", &ty_s32, -1 },
		   { "", &ty_s32, -1 } }, 4),
		   (int32_t[]){ 6, 42, -4, 42 }));
	ASSERT_STR("18446744073709551615 255 0377 3",
		   show_printf("%u %u %#o %d", type_struct(NULL,
		   (struct field[]){ { "", &ty_u64, -1 }, { "", &ty_u8, -1 },
				     { "", &ty_u8, -1 }, { "", &ty_s32, -1 } },
		   4), &(struct { uint64_t a; uint8_t b, c; int32_t d; })
		   { UINT64_MAX, 255, 255, 3 }));
	ASSERT_STR("00042|+42|0x2a|2A", show_printf("%05d|%+d|%#x|%X",
		   type_struct(NULL, (struct field[]){ { "", &ty_s32, -1 },
		   { "", &ty_s32, -1 }, { "", &ty_s32, -1 },
		   { "", &ty_s32, -1 } }, 4), (int32_t[]){ 42, 42, 42, 42 }));
	ASSERT_STR("-9223372036854775808 0 0 -7 s",	/* the plain fast path */
		   show_printf("%d %x %u %i %s", type_struct(NULL,
		   (struct field[]){ { "", &ty_s64, -1 }, { "", &ty_u16, -1 },
				     { "", &ty_u32, -1 }, { "", &ty_s8, -1 },
				     { "", type_array(&ty_char, 4), -1 } }, 5),
		   &(struct { int64_t a; uint16_t b; uint32_t c; int8_t d;
			      char e[4]; })
		   { INT64_MIN, 0, 0, -7, "s" }));
	ASSERT_STR("x=4294967296 y=-1|A|", show_printf("x=%v y=%d|%c|", u,
						       &e));
}

/* ---------------------------------------------------------------- */
/* quantize and maps                                                */

static struct type *quantize_type(struct type *arg)
{
	struct type *q = type_new(TY_ARRAY);

	q->fmt = FMT_QUANTIZE;
	q->len = arg->size * 8;
	q->size = q->len * 8;
	q->align = 8;
	q->base = arg;
	return q;
}

static struct map *map_new(const char *name, struct type *k, struct type *v)
{
	struct map *m = xcalloc(1, sizeof(*m));

	m->name = name;
	m->ktype = k;
	m->vtype = v;
	m->max_entries = 1024;
	m->fd = -1;
	return m;
}

static const char dd_cat[] =
	"\n"
	"@:\n"
	"{ dd              }: \n"
	"\t[   0,    1]\t       1 ┤██▌                             │\n"
	"\t...\n"
	"\t[ 512,   1k)\t       1 ┤██▌                             │\n"
	"\t...\n"
	"\t[  2k,   4k)\t       1 ┤██▌                             │\n"
	"\t...\n"
	"\t[  8k,  16k)\t      10 ┤████████████████████████▋       │\n"
	"\n"
	"{ cat             }: \n"
	"\t         < 0\t       2 ┤████████                        │\n"
	"\t[   0,    1]\t       2 ┤████████                        │\n"
	"\t...\n"
	"\t[ 512,   1k)\t       2 ┤████████                        │\n"
	"\t...\n"
	"\t[  2k,   4k)\t       2 ┤████████                        │\n"
	"\n";

static const char dd_ascii[] =
	"\n"
	"\t[   0,    1]\t       1 |##                              |\n"
	"\t...\n"
	"\t[ 512,   1k)\t       1 |##                              |\n"
	"\t...\n"
	"\t[  2k,   4k)\t       1 |##                              |\n"
	"\t...\n"
	"\t[  8k,  16k)\t      10 |#########################       |\n";

/* @[comm] = quantize(data->ret), ret a long: rows of char[16], u64[64] */
static void test_quantize(void)
{
	struct field kf[] = { { "", type_str(16), -1 } };
	struct type *q = quantize_type(&ty_s64);
	struct map *m = map_new("@", type_struct(NULL, kf, 1), q);
	struct { char k[16]; uint64_t b[64]; } rows[2];
	FILE *fp;

	memset(rows, 0, sizeof(rows));
	strcpy(rows[0].k, "cat");	/* sorted after dd */
	rows[0].b[63] = rows[0].b[0] = rows[0].b[9] = rows[0].b[11] = 2;
	strcpy(rows[1].k, "dd");
	rows[1].b[0] = rows[1].b[9] = rows[1].b[11] = 1;
	rows[1].b[13] = 10;
	ASSERT(16 + 512, (long long)sizeof(rows[0]));

	out_unicode = true;
	fp = cap();
	out_map_rows(fp, m, rows, 2);
	ASSERT_STR(dd_cat, done(fp));
	out_unicode = false;
	ASSERT_STR(dd_ascii, show(q, rows[0].k[0] == 'd' ? rows[0].b :
				  rows[1].b));
	out_unicode = true;
	memset(rows[0].b, 0, sizeof(rows[0].b));
	rows[0].b[63] = 3;
	rows[0].b[2] = 1;
	ASSERT_STR("\n\t         < 0\t       3 ┤████████████████████████        │\n"
		   "\t...\n"
		   "\t[   4,    7]\t       1 ┤████████                        │\n",
		   show(q, rows[0].b));
}

static const char lat[] =
	"\n"
	"@lat:\n"
	"{ ply             }: \n"
	"\t[2.04us, 4.09us]\t       1 ┤████████████████████████████████│\n"
	"\n"
	"{ sh              }: \n"
	"\t[2.04us, 4.09us]\t       1 ┤████████████████████████████████│\n"
	"\n"
	"{ as              }: \n"
	"\t[ 256ns,  511ns]\t       5 ┤███████                         │\n"
	"\t[ 512ns, 1.02us]\t       3 ┤████▏                           │\n"
	"\t[1.02us, 2.04us]\t       3 ┤████▏                           │\n"
	"\t[2.04us, 4.09us]\t       3 ┤████▏                           │\n"
	"\t[4.09us, 8.19us]\t       3 ┤████▏                           │\n"
	"\t...\n"
	"\t[16.3us, 32.7us]\t       6 ┤████████▍                       │\n"
	"\n";

/* @lat[comm] = quantize(time - t[kpid]) */
static void test_quantize_time(void)
{
	struct field kf[] = { { "", type_str(16), -1 } };
	struct type *q = quantize_type(type_with_fmt(&ty_s64, FMT_TIME));
	struct map *m = map_new("@lat", type_struct(NULL, kf, 1), q);
	struct { char k[16]; uint64_t b[64]; } rows[3];
	FILE *fp;
	int i;

	memset(rows, 0, sizeof(rows));
	strcpy(rows[0].k, "as");
	rows[0].b[8] = 5;
	for (i = 9; i <= 12; i++)
		rows[0].b[i] = 3;
	rows[0].b[14] = 6;
	strcpy(rows[1].k, "sh");
	rows[1].b[11] = 1;
	strcpy(rows[2].k, "ply");
	rows[2].b[11] = 1;
	fp = cap();
	out_map_rows(fp, m, rows, 3);
	ASSERT_STR(lat, done(fp));
}

static void test_map_rows(void)
{
	struct field kf[] = { { "", type_with_fmt(&ty_u32, FMT_CPU), -1 } };
	struct field sf[] = { { "", type_str(8), -1 }, { "", &ty_s32, -1 } };
	struct map *m = map_new("@", type_struct(NULL, kf, 1), &ty_u64);
	struct map *s = map_new("@s", type_struct(NULL, sf, 2), &ty_s64);
	struct { uint32_t k; uint64_t v; } __attribute__((packed)) r[3] = {
		{ 2, 100 }, { 1, 100 }, { 0, 7 } };
	struct { char c[8]; int32_t n; int64_t v; } __attribute__((packed))
		sr[3] = { { "b", -1, -5 }, { "b", -2, -5 }, { "a", 5, 3 } };
	FILE *fp;

	fp = cap();
	out_map_rows(fp, m, r, 3);
	ASSERT_STR("\n@:\n{  0 }: 7\n{  1 }: 100\n{  2 }: 100\n", done(fp));
	fp = cap();
	out_map_rows(fp, s, sr, 3);
	ASSERT_STR("\n@s:\n{ b      , -2 }: -5\n{ b      , -1 }: -5\n"
		   "{ a      , 5 }: 3\n", done(fp));
	fp = cap();
	out_map_rows(fp, m, r, 0);
	ASSERT_STR("\n@:\n", done(fp));
	m->keyless = true;
	fp = cap();
	out_map_rows(fp, m, (struct { uint32_t k; uint64_t v; }
		     __attribute__((packed))[]){ { 0, 42 } }, 1);
	ASSERT_STR("\n@: 42\n", done(fp));
}

/* out_map(m) into cap_buf; false when the real bpf_map_* are linked */
static bool map_through_fake(struct map *m)
{
	FILE *fp;

	fake_calls = 0;
	fp = cap();
	out_map(fp, m, 0, 0);
	done(fp);
	if (fake_calls)
		return true;
	fprintf(stderr, "skipped: real bpf_map_* linked\n");
	return false;
}

/* out_map through the fake per-CPU map, then out_map_clear */
static void test_map_kernel(void)
{
	struct field kf[] = { { "", &ty_u32, -1 } };
	struct map *m = map_new("@n", type_struct(NULL, kf, 1), &ty_u64);
	FILE *fp;

	m->fd = FAKE_FD;
	m->agg = AGG_COUNT;
	fake[0].used = fake[1].used = fake[3].used = true;
	fake[0].key = 10, fake[0].val[0] = 1, fake[0].val[1] = 5;
	fake[1].key = 20, fake[1].val[0] = 2, fake[1].val[1] = 1;
	fake[3].key = 30, fake[3].val[0] = 0, fake[3].val[1] = 0;
	if (!map_through_fake(m))
		return;
	ASSERT_STR("\n@n:\n{ 30 }: 0\n{ 20 }: 3\n{ 10 }: 6\n", cap_buf);
	out_map_clear(m);
	ASSERT(0, fake[0].used || fake[1].used || fake[3].used);
	fp = cap();
	out_map(fp, m, 0, 0);
	ASSERT_STR("\n@n:\n", done(fp));
}

/* a keyed count() with a hot-key cache: the hash's counts plus what
 * every CPU's slots hold; clear() empties both */
static void test_map_hot(void)
{
	struct field kf[] = { { "", &ty_u32, -1 } };
	struct map *m = map_new("@c", type_struct(NULL, kf, 1), &ty_u64);
	struct map hot = { .name = "@c (hot keys)", .fd = FAKE_HOT_FD,
			   .ktype = &ty_u32, .max_entries = HOT_SLOTS };
	FILE *fp;

	hot.vtype = type_str(hot_used_off(m) + 8);
	ASSERT(24, hot.vtype->size);		/* key, pad, value, used */
	m->fd = FAKE_FD;
	m->agg = AGG_COUNT;
	m->hot = &hot;
	memset(fake, 0, sizeof(fake));
	fake[0].used = fake[1].used = true;
	fake[0].key = 10, fake[0].val[0] = 1, fake[0].val[1] = 5;
	fake[1].key = 20, fake[1].val[0] = 2, fake[1].val[1] = 1;
	/* 10 on CPU 0 and 40 on both CPUs are hot; an unused slot's
	 * leftovers count for nothing */
	fake_hot[3][0] = (struct fake_slot){ .key = 10, .val = 4, .used = 1 };
	fake_hot[5][1] = (struct fake_slot){ .key = 40, .val = 7, .used = 1 };
	fake_hot[9][0] = (struct fake_slot){ .key = 40, .val = 1, .used = 1 };
	fake_hot[6][1] = (struct fake_slot){ .key = 20, .val = 99 };
	if (!map_through_fake(m))
		return;
	ASSERT_STR("\n@c:\n{ 20 }: 3\n{ 40 }: 8\n{ 10 }: 10\n", cap_buf);
	out_map_clear(m);
	ASSERT(0, fake[0].used || fake[1].used);
	ASSERT(0, fake_hot[3][0].used || fake_hot[5][1].used ||
	       fake_hot[9][0].used);
	fp = cap();
	out_map(fp, m, 0, 0);
	ASSERT_STR("\n@c:\n", done(fp));
}

int main(void)
{
	test_types();
	test_ints();
	test_printers();
	test_time();
	test_walltime();
	test_arrays();
	test_structs();
	test_stack_key();
	test_printf();
	test_quantize();
	test_quantize_time();
	test_map_rows();
	test_map_kernel();
	test_map_hot();
	free(cap_buf);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
