/*
 * type.c - the C-like types that sema.c gives every expression.
 *
 * Types sit between the front end and everything after it: sema.c
 * infers one per node, codegen.c takes sizes and offsets from them to
 * lay out the BPF stack and map records, and output.c walks them to
 * turn the bytes that come back from the kernel into text.  Integers
 * are shared singletons (ty_int, ty_u64 ...); everything else is
 * allocated here and never freed, as a compiler's types live as long
 * as the run.  A type also carries its printer (enum printer), so
 * `pid` is a u32 printed "%5u" and `time` an s64 printed "1.02us".
 */
#include <stdlib.h>
#include <string.h>

#include "ply.h"

#define TY_INT_INIT(sz, sg, nm) { .kind = TY_INT, .size = (sz),	\
	.align = (sz), .sign = (sg), .name = (nm) }

struct type ty_void = { .kind = TY_VOID, .size = 0, .align = 1,
			.name = "void" };
struct type ty_char = TY_INT_INIT(1, true, "char");
struct type ty_s8 = TY_INT_INIT(1, true, "s8");
struct type ty_u8 = TY_INT_INIT(1, false, "u8");
struct type ty_s16 = TY_INT_INIT(2, true, "short");
struct type ty_u16 = TY_INT_INIT(2, false, "unsigned short");
struct type ty_s32 = TY_INT_INIT(4, true, "int");
struct type ty_u32 = TY_INT_INIT(4, false, "unsigned int");
struct type ty_s64 = TY_INT_INIT(8, true, "long");
struct type ty_u64 = TY_INT_INIT(8, false, "unsigned long");

#define TY_FMT_INIT(sz, sg, nm, f) { .kind = TY_INT, .size = (sz),	\
	.align = (sz), .sign = (sg), .name = (nm), .fmt = (f) }

struct type ty_pid = TY_FMT_INIT(4, false, "unsigned int", FMT_PID);
struct type ty_uid = TY_FMT_INIT(4, false, "unsigned int", FMT_UID);
struct type ty_cpu = TY_FMT_INIT(4, false, "unsigned int", FMT_CPU);
struct type ty_time = TY_FMT_INIT(8, true, "long", FMT_TIME);
struct type ty_walltime = TY_FMT_INIT(8, true, "long", FMT_WALLTIME);
struct type ty_stack = TY_FMT_INIT(4, false, "unsigned int", FMT_STACK);
struct type ty_comm = { .kind = TY_ARRAY, .size = 16, .align = 1,
			.base = &ty_char, .len = 16 };

struct type *type_int(int size, bool sign)
{
	switch (size) {
	case 1:
		return sign ? &ty_s8 : &ty_u8;
	case 2:
		return sign ? &ty_s16 : &ty_u16;
	case 4:
		return sign ? &ty_s32 : &ty_u32;
	case 8:
		return sign ? &ty_s64 : &ty_u64;
	}
	return NULL;
}

struct type *type_new(enum type_kind kind)
{
	struct type *t = xcalloc(1, sizeof(*t));

	t->kind = kind;
	t->align = 1;
	return t;
}

struct type *type_with_fmt(struct type *t, enum printer fmt)
{
	struct type *c = xcalloc(1, sizeof(*c));

	*c = *t;
	c->fmt = fmt;
	return c;
}

/* BPF pointers are 64-bit, also when the kernel is 32-bit */
struct type *type_ptr(struct type *base, bool user, bool ctx)
{
	struct type *t = type_new(TY_PTR);

	t->size = 8;
	t->align = 8;
	t->base = base;
	t->user = user;
	t->ctx = ctx;
	return t;
}

struct type *type_array(struct type *elem, int len)
{
	struct type *t = type_new(TY_ARRAY);

	t->size = elem->size * len;
	t->align = elem->align > 0 ? elem->align : 1;
	t->base = elem;
	t->len = len;
	return t;
}

struct type *type_str(int len)
{
	return type_array(&ty_char, len);
}

static int align_up(int n, int align)
{
	return align > 1 ? (n + align - 1) / align * align : n;
}

/* Fields with off < 0 follow the previous one at their natural
 * alignment; others keep the offset they came with (tracefs formats). */
struct type *type_struct(const char *name, struct field *f, int n)
{
	struct type *t = type_new(TY_STRUCT);
	int i, cur = 0, end = 0;

	t->name = name ? xstrdup(name) : NULL;
	t->fields = xcalloc(n ? n : 1, sizeof(*f));
	t->nfields = n;
	for (i = 0; i < n; i++) {
		struct field *d = &t->fields[i];
		int falign = f[i].type->align > 0 ? f[i].type->align : 1;

		*d = f[i];
		if (d->off < 0)
			d->off = align_up(cur, falign);
		cur = d->off + d->type->size;
		if (cur > end)
			end = cur;
		if (falign > t->align)
			t->align = falign;
	}
	t->size = align_up(end, t->align);
	return t;
}

const struct field *type_field(const struct type *t, const char *name)
{
	int i;

	if (!t || t->kind != TY_STRUCT)
		return NULL;
	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].name && !strcmp(t->fields[i].name, name))
			return &t->fields[i];
	return NULL;
}

bool type_is_str(const struct type *t)
{
	const struct type *b;

	if (!t || t->kind != TY_ARRAY || t->fmt != FMT_DEFAULT)
		return false;
	b = t->base;
	return b && b->kind == TY_INT && b->size == 1 && b->name &&
	       !strcmp(b->name, "char");
}

bool type_is_scalar(const struct type *t)
{
	return t && (t->kind == TY_INT || t->kind == TY_PTR);
}

static bool str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static bool struct_equal(const struct type *a, const struct type *b)
{
	int i;

	if (!str_eq(a->name, b->name) || a->nfields != b->nfields)
		return false;
	for (i = 0; i < a->nfields; i++) {
		const struct field *fa = &a->fields[i], *fb = &b->fields[i];

		if (fa->off != fb->off || !str_eq(fa->name, fb->name) ||
		    !type_equal(fa->type, fb->type))
			return false;
	}
	return true;
}

/* structural: same layout and meaning; printers other than quantize
 * do not matter (a pid is still a u32) */
bool type_equal(const struct type *a, const struct type *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind || a->size != b->size)
		return false;
	if (fmt_is_hist(a->fmt) != fmt_is_hist(b->fmt))
		return false;

	switch (a->kind) {
	case TY_VOID:
		return true;
	case TY_INT:
		return a->sign == b->sign;
	case TY_PTR:
		return a->user == b->user && type_equal(a->base, b->base);
	case TY_ARRAY:
		if (a->len != b->len)
			return false;
		return fmt_is_hist(a->fmt) || type_equal(a->base, b->base);
	case TY_STRUCT:
		return struct_equal(a, b);
	}
	return false;
}

static const char *int_name(const struct type *t)
{
	static const char *const names[2][9] = {
		{ [1] = "u8", [2] = "unsigned short", [4] = "unsigned int",
		  [8] = "unsigned long" },
		{ [1] = "s8", [2] = "short", [4] = "int", [8] = "long" },
	};

	if (t->name)
		return t->name;
	if (t->size > 0 && t->size <= 8 && names[t->sign][t->size])
		return names[t->sign][t->size];
	return t->sign ? "int?" : "unsigned?";
}

/* "{ int, char[16] }" */
static const char *anon_struct_name(const struct type *t)
{
	char *s = xstrdup("{ ");
	char *n;
	int i;

	for (i = 0; i < t->nfields; i++) {
		n = xasprintf("%s%s%s", s, i ? ", " : "",
			      type_name(t->fields[i].type));
		xfree(s);
		s = n;
	}
	n = xasprintf("%s }", s);
	xfree(s);
	return n;
}

static const char *ptr_name(const struct type *t)
{
	const char *b = t->base ? type_name(t->base) : "void";
	size_t len = strlen(b);

	/* "char **", not "char * *" */
	return xasprintf("%s%s*", b, len && b[len - 1] == '*' ? "" : " ");
}

/* static strings, or malloc'd ones that are never freed */
const char *type_name(const struct type *t)
{
	if (!t)
		return "(none)";

	switch (t->kind) {
	case TY_VOID:
		return "void";
	case TY_INT:
		return int_name(t);
	case TY_PTR:
		return ptr_name(t);
	case TY_ARRAY:
		if (fmt_is_hist(t->fmt))
			return xasprintf("unsigned long[%d]", t->len);
		return xasprintf("%s[%d]", type_name(t->base), t->len);
	case TY_STRUCT:
		if (t->name && t->name[0])
			return t->name;
		return anon_struct_name(t);
	}
	return "?";
}

/* the integer types a cast may name, by their spellings */
static const struct {
	const char *name;
	int size;		/* 0: the arch's word */
	bool sign;
} int_names[] = {
	{ "int8", 1, true }, { "int16", 2, true }, { "int32", 4, true },
	{ "int64", 8, true }, { "uint8", 1, false }, { "uint16", 2, false },
	{ "uint32", 4, false }, { "uint64", 8, false },
	{ "s8", 1, true }, { "s16", 2, true }, { "s32", 4, true },
	{ "s64", 8, true }, { "u8", 1, false }, { "u16", 2, false },
	{ "u32", 4, false }, { "u64", 8, false }, { "bool", 1, false },
	{ "char", 1, true }, { "signed char", 1, true },
	{ "unsigned char", 1, false }, { "short", 2, true },
	{ "short int", 2, true }, { "signed short", 2, true },
	{ "unsigned short", 2, false }, { "unsigned short int", 2, false },
	{ "int", 4, true }, { "signed", 4, true }, { "signed int", 4, true },
	{ "unsigned", 4, false }, { "unsigned int", 4, false },
	{ "long", 0, true }, { "long int", 0, true }, { "signed long", 0, true },
	{ "unsigned long", 0, false }, { "unsigned long int", 0, false },
	{ "long long", 8, true }, { "long long int", 8, true },
	{ "unsigned long long", 8, false },
	{ "unsigned long long int", 8, false },
};

struct type *type_parse(const char *name, const struct arch *a, bool *kernel)
{
	size_t n = strcspn(name, "*["), i, len = n;
	struct type *t = NULL;
	const char *p;

	*kernel = !strncmp(name, "struct ", 7) || !strncmp(name, "union ", 6) ||
		!strncmp(name, "enum ", 5);
	if (*kernel)
		return NULL;
	while (len && name[len - 1] == ' ')
		len--;
	if (len == 4 && !strncmp(name, "void", 4))
		t = &ty_void;
	for (i = 0; !t && i < ARRAY_SIZE(int_names); i++)
		if (strlen(int_names[i].name) == len &&
		    !strncmp(int_names[i].name, name, len))
			t = type_int(int_names[i].size ? int_names[i].size :
				     a->word, int_names[i].sign);
	if (!t)
		return NULL;
	for (p = name + n; *p == '*' || *p == ' '; p++)
		if (*p == '*')
			t = type_ptr(t, false, false);
	if (*p == '[')
		t = t->kind == TY_INT ? type_array(t, atoi(p + 1)) : NULL;
	return t;
}
