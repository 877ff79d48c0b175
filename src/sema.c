/*
 * sema.c - from AST to typed AST: identifiers resolved, types inferred,
 * maps and asynchronous actions collected.
 *
 * For each probe the provider is looked up and set up (a tracepoint
 * reads its format file), then every expression gets a C-like type.
 * Provider variables (data, arg0, regs) are replaced by the
 * expressions the provider gives; environment variables ($NAME) by
 * their values.  Both replacements are idempotent.  A built-in is
 * looked up in builtin.c's table once, and the row is left on the node
 * (n->bi), as the scratch variable (n->var) and the action (n->action)
 * are: codegen.c works from those.
 *
 * A map's key and value types are fixed by its first assignment, which
 * may come after a read (`n[0] = n[0] + 1`, or a read in one probe and
 * the write in a later one).  So the probes are typed repeatedly, with
 * errors silenced, until no map's type changes; a last pass reports
 * every error.  Nothing else is stateful between passes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"

#define expr sema_expr

static void stmt(struct sema *se, struct node *n);

/* ---------------------------------------------------------------- */
/* maps                                                             */

static struct map *map_get(struct sema *se, const char *name,
			   struct loc loc)
{
	struct map *m, **tail = &se->s->maps;

	for (m = se->s->maps; m; m = m->next) {
		if (!strcmp(m->name, name))
			return m;
		tail = &m->next;
	}
	m = xcalloc(1, sizeof(*m));
	m->name = name;
	m->loc = loc;
	m->fd = -1;
	m->max_entries = se->s->map_entries;
	*tail = m;
	return m;
}

/* the key type of `args`: an anonymous struct, or u32 when keyless */
static struct type *key_type(struct sema *se, struct node *args)
{
	struct field f[16];
	struct node *a;
	int n = 0;

	if (!args)
		return &ty_u32;
	/* @m[$t], $t a tuple, is @m[a, b] (as bpftrace has it) */
	if (!args->next && expr(se, args) &&
	    args->type->fmt == FMT_TUPLE) {
		struct type *t = args->type;

		for (n = 0; n < t->nfields && n < 16; n++) {
			f[n].name = xasprintf("k%d", n);
			f[n].type = t->fields[n].type;
			f[n].off = -1;
		}
		return type_struct("", f, n);
	}
	for (a = args; a; a = a->next) {
		if (n == 16) {
			serr(se, a, "too many keys (at most 16)");
			break;
		}
		f[n].name = xasprintf("k%d", n);
		f[n].type = expr(se, a);
		f[n].off = -1;
		if (!f[n].type)
			return NULL;
		if (f[n].type->kind == TY_VOID) {
			serr(se, a, "a key can't be void");
			return NULL;
		}
		n++;
	}
	return type_struct("", f, n);
}

/* integers of any size convert into each other; strings of any length */
static bool assignable(const struct type *to, const struct type *from)
{
	if (type_is_scalar(to) && type_is_scalar(from))
		return true;
	if (type_is_str(to) && type_is_str(from))
		return true;
	return type_equal(to, from);
}

static bool keys_fit(const struct type *want, const struct type *got)
{
	int i;

	if (want->kind != TY_STRUCT || got->kind != TY_STRUCT)
		return type_equal(want, got);
	if (want->nfields != got->nfields)
		return false;
	for (i = 0; i < want->nfields; i++)
		if (!assignable(want->fields[i].type, got->fields[i].type))
			return false;
	return true;
}

/* check the map's key against this use, fixing it on first use */
struct map *sema_map_use(struct sema *se, struct node *n)
{
	struct map *m = map_get(se, n->name, n->loc);
	struct type *kt = key_type(se, n->args);

	n->map = m;
	if (!kt)
		return m;
	if (!m->ktype) {
		m->ktype = kt;
		m->keyless = !n->args;
		se->changed = true;
	} else if (m->keyless != !n->args) {
		serr(se, n, "map '%s' is used both with and without a key",
		     m->name);
	} else if (!keys_fit(m->ktype, kt)) {
		serr(se, n, "map '%s' is keyed by %s here but by %s at %d:%d",
		     m->name, type_name(kt), type_name(m->ktype),
		     m->loc.line, m->loc.col);
	}
	return m;
}

/* two aggregations' values are the same (types are made anew in
 * every pass): buckets, their argument's type, lhist's bounds */
static bool agg_same(const struct type *a, const struct type *b)
{
	if (a->kind != b->kind || a->size != b->size || a->fmt != b->fmt)
		return false;
	if (!a->base || !b->base)
		return type_equal(a, b);
	return a->len == b->len && a->base->fmt == b->base->fmt &&
		a->base->sign == b->base->sign && a->min == b->min &&
		a->max == b->max && a->step == b->step;
}

static void map_set_value(struct sema *se, struct node *n, struct map *m,
			  struct type *vt, enum agg_kind agg)
{
	if (!m->vtype) {
		m->vtype = vt;
		m->agg = agg;
		se->changed = true;
		return;
	}
	if (m->agg != agg)
		serr(se, n, "map '%s' holds %s%s here but %s%s elsewhere",
		     m->name, agg ? "an aggregation of " : "",
		     type_name(vt), m->agg ? "an aggregation of " : "",
		     type_name(m->vtype));
	else if (!assignable(m->vtype, vt) ||
		 (agg != AGG_NONE && !agg_same(m->vtype, vt)))
		serr(se, n, "can't assign %s to map '%s' of %s",
		     type_name(vt), m->name, type_name(m->vtype));
}

struct map *sema_whole_map(struct sema *se, struct node *n)
{
	struct map *m;

	if (n->kind == N_MAP && !n->args) {
		m = map_get(se, n->name, n->loc);
		n->map = m;
		return m;
	}
	if (n->kind == N_IDENT) {
		for (m = se->s->maps; m; m = m->next)
			if (!strcmp(m->name, n->name)) {
				n->map = m;
				return m;
			}
	}
	return NULL;
}

/* ---------------------------------------------------------------- */
/* actions and calls                                                */

struct action *sema_action(struct sema *se, struct node *n,
			   enum action_kind kind)
{
	struct action *a, **tail = &se->s->actions;

	/* one per call site, kept over the passes; print(m) becomes a
	 * map's print once m is known to be a map */
	if (n->action) {
		n->action->kind = kind;
		return n->action;
	}
	while (*tail)
		tail = &(*tail)->next;
	a = xcalloc(1, sizeof(*a));
	a->id = se->s->nactions++;
	a->kind = kind;
	a->loc = n->loc;
	*tail = a;
	n->action = a;
	return a;
}

struct type *sema_args_type(struct sema *se, struct node *args)
{
	struct field f[16];
	struct node *a;
	int n = 0;

	for (a = args; a; a = a->next) {
		if (n == 16) {
			serr(se, a, "too many arguments (at most 16)");
			break;
		}
		f[n].name = xasprintf("a%d", n);
		f[n].type = expr(se, a);
		f[n].off = -1;
		if (!f[n].type)
			return NULL;
		if (f[n].type->kind == TY_VOID) {
			serr(se, a, "can't print a void value");
			return NULL;
		}
		n++;
	}
	return type_struct("", f, n);
}

int nargs(const struct node *n)
{
	int i = 0;

	for (n = n->args; n; n = n->next)
		i++;
	return i;
}

/* the built-in means something in this probe's provider */
static bool builtin_here(struct sema *se, struct node *n,
			 const struct builtin *bi)
{
	const struct provider *p = se->pb->prov;

	if (!bi->kprobes_only || p == &kprobe_provider ||
	    p == &kretprobe_provider)
		return true;
	serr(se, n, "'%s' means nothing in %s probes", bi->name, p->name);
	return false;
}

static bool check_arity(struct sema *se, struct node *n)
{
	const struct builtin *bi = n->bi;
	int k = nargs(n);

	if (k >= bi->min && k <= bi->max)
		return true;
	if (bi->min == bi->max)
		serr(se, n, "%s takes %d argument%s, not %d", bi->name,
		     bi->min, bi->min == 1 ? "" : "s", k);
	else
		serr(se, n, "%s takes %d to %d arguments, not %d", bi->name,
		     bi->min, bi->max, k);
	return false;
}

/* the row of a call to a built-in function, found once */
static const struct builtin *func_of(struct sema *se, struct node *n)
{
	if (!n->bi)
		n->bi = builtin_find(n->name, false, se->s->bt);
	return n->bi;
}

/* a name of bpftrace's that ply lacks (or spells otherwise): said so;
 * true if it was */
static bool other_lang(struct sema *se, struct node *n, const char *what)
{
	const char *needs = builtin_unsupported(n->name);
	const char *ply = se->s->bt ? NULL : builtin_ply_name(n->name);

	if (ply) {
		serr(se, n, "unknown %s '%s': ply's language calls it '%s' "
		     "(bpftrace's language is ply's with --bt, or in a .bt "
		     "file)", what, n->name, ply);
		return true;
	}
	if (needs) {
		serr(se, n, "'%s' is not supported by ply (yet): it needs %s",
		     n->name, needs);
		return true;
	}
	return false;
}

static struct type *call(struct sema *se, struct node *n)
{
	const struct builtin *bi = func_of(se, n);
	const char *names[96], *near;

	if (!bi) {
		if (other_lang(se, n, "function"))
			return NULL;
		near = nearest_name(n->name, names,
				    builtin_names(false, se->s->bt, names,
						  96));
		if (near)
			serr(se, n, "unknown function '%s'; did you mean "
			     "'%s'?", n->name, near);
		else
			serr(se, n, "unknown function '%s'", n->name);
		return NULL;
	}
	if (!check_arity(se, n) || !builtin_here(se, n, bi))
		return NULL;
	if (bi->kind == BI_AGG) {
		serr(se, n, "%s() must be assigned to a map: @[key] = %s(...)",
		     bi->name, bi->name);
		return NULL;
	}
	return bi->type ? bi->type(se, n) : bi->rtype;
}

/* ---------------------------------------------------------------- */
/* expressions                                                      */

/* C's usual arithmetic conversions, on our integer types */
struct type *type_arith(const struct type *a, const struct type *b)
{
	struct type *pa, *pb;

	pa = type_int(a->size < 4 ? 4 : a->size, a->size < 4 || a->sign);
	pb = type_int(b->size < 4 ? 4 : b->size, b->size < 4 || b->sign);
	if (a->kind == TY_PTR || b->kind == TY_PTR)
		return &ty_u64;
	if (pa->sign == pb->sign)
		return pa->size >= pb->size ? pa : pb;
	if (!pa->sign && pa->size >= pb->size)
		return pa;
	if (!pb->sign && pb->size >= pa->size)
		return pb;
	return pa->sign ? pa : pb;
}

/* NAME_LIKE_THIS: a C constant, an enum's or a header's */
static bool is_upper(const char *s)
{
	for (; *s; s++)
		if (islower((unsigned char)*s))
			return false;
	return true;
}

/* a built-in variable, or one of the probe's provider */
static struct type *ident(struct sema *se, struct node *n)
{
	const char *names[96], *near;
	const struct builtin *bi;
	struct node *r;

	if (n->bi)	/* found before, or put there by the provider */
		return n->bi->rtype ? n->bi->rtype : n->type;
	if (se->pb->prov->ident && (r = se->pb->prov->ident(se->pb, n))) {
		r->next = n->next;
		*n = *r;
		return expr(se, n);
	}
	bi = builtin_find(n->name, true, se->s->bt);
	if (bi) {
		if (!builtin_here(se, n, bi))
			return NULL;
		n->bi = bi;
		return bi->type ? bi->type(se, n) : bi->rtype;
	}
	if (other_lang(se, n, "identifier"))
		return NULL;
	if (se->s->bt && is_upper(n->name)) {
		serr(se, n, "unknown identifier '%s': ply skips #include, so "
		     "constants of kernel headers and enums are not supported "
		     "by ply (yet); #define it", n->name);
		return NULL;
	}
	near = nearest_name(n->name, names,
			    builtin_names(true, se->s->bt, names, 96));
	if (near)
		serr(se, n, "unknown identifier '%s'; did you mean '%s'?",
		     n->name, near);
	else
		serr(se, n, "unknown identifier '%s'", n->name);
	return NULL;
}

static struct var *var_find(struct probe *pb, const char *name)
{
	int i;

	for (i = 0; i < pb->nvars; i++)
		if (!strcmp(pb->vars[i].name, name))
			return &pb->vars[i];
	return NULL;
}

/* $NAME: an environment variable, read at compile time as ply does;
 * $target: -c's command */
static struct type *env(struct sema *se, struct node *n)
{
	const char *v = NULL;
	char *end;
	int i;

	/* the script's own first ($target), then the environment */
	for (i = 0; se->s->src && i < se->s->src->nvars; i++)
		if (!strcmp(se->s->src->vars[i].name, n->name + 1))
			v = se->s->src->vars[i].value;
	if (!v)
		v = getenv(n->name + 1);
	if (!v) {
		diag_warn(n->loc, "'%s' is neither assigned nor set "
			  "in the environment; it reads as \"\"", n->name);
		v = "";
	}
	n->num = strtoull(v, &end, 0);
	if (*v && !*end && isdigit((unsigned char)*v)) {
		n->kind = N_NUM;
		return expr(se, n);
	}
	n->kind = N_STR;
	n->str = v;
	n->slen = strlen(v);
	return expr(se, n);
}

/* $1 .. $N: the script's arguments, numbers or strings (missing: 0,
 * as bpftrace has it); $#: how many */
static struct type *positional(struct sema *se, struct node *n)
{
	const struct src *src = se->s->src;
	const char *v;
	char *end;
	long i;

	if (n->name[1] == '#') {
		n->kind = N_NUM;
		n->num = src ? src->argc : 0;
		return expr(se, n);
	}
	i = strtol(n->name + 1, &end, 10);
	v = src && i >= 1 && i <= src->argc ? src->argv[i - 1] : "0";
	n->num = strtoull(v, &end, 0);
	if (*v && !*end && (isdigit((unsigned char)*v) || *v == '-')) {
		if (*v == '-')
			n->num = (uint64_t)strtoll(v, &end, 0);
		n->kind = N_NUM;
		if (*v == '-') {	/* -5: a negation, as written */
			n->kind = N_UNOP;
			n->op = TOK_MINUS;
			n->lhs = node_new(N_NUM, n->loc);
			n->lhs->num = 0 - n->num;
		}
		return expr(se, n);
	}
	n->kind = N_STR;
	n->str = v;
	n->slen = strlen(v);
	return expr(se, n);
}

static void var_where(struct sema *se, struct var *v);

/* $x: a scratch variable (collect_vars found it), else $NAME */
static struct type *var(struct sema *se, struct node *n)
{
	if (!n->var)
		n->var = var_find(se->pb, n->name);
	var_where(se, n->var);
	if (!n->var && (n->name[1] == '#' || isdigit((unsigned char)n->name[1])))
		return positional(se, n);
	if (!n->var)
		return env(se, n);
	if (!n->var->type && !n->var->bad)
		serr(se, n, "'%s' is used before it has a value", n->name);
	return n->var->type;
}

static struct type *map_read(struct sema *se, struct node *n)
{
	struct map *m = sema_map_use(se, n);

	if (m->agg) {
		serr(se, n, "'%s' is an aggregation: print() it or clear() "
		     "it, it can't be read", m->name);
		return NULL;
	}
	/* m[k] = m[k] + 1 before m has a type: a long, to begin with */
	if (!m->vtype && m == se->assigning)
		return &ty_long;
	if (!m->vtype)
		serr(se, n, "map '%s' is read but never assigned", m->name);
	return m->vtype;
}

static bool is_cmp(enum tok_kind op)
{
	return op == TOK_EQ || op == TOK_NE || op == TOK_LT ||
		op == TOK_GT || op == TOK_LE || op == TOK_GE;
}

/* a number written in the script (42, -1): its value */
bool sema_literal(const struct node *n, int64_t *v)
{
	if (n->kind == N_UNOP && n->op == TOK_MINUS && n->lhs->kind == N_NUM) {
		*v = (int64_t)(0 - n->lhs->num);
		return true;
	}
	*v = (int64_t)n->num;
	return n->kind == N_NUM;
}

/* x / 0, x % 0 and shifts by more than x's bits are errors when the
 * script says so in numbers (BPF would give 0, x, and x shifted by the
 * count modulo 64); a count known only at run time gets BPF's answer */
static bool divisor_ok(struct sema *se, struct node *n, struct type *a)
{
	int bits = type_arith(a, a)->size * 8;
	int64_t v;

	if (!sema_literal(n->rhs, &v))
		return true;
	if ((n->op == TOK_SLASH || n->op == TOK_PERCENT) && v == 0) {
		serr(se, n->rhs, "division by zero");
		return false;
	}
	if ((n->op == TOK_SHL || n->op == TOK_SHR) && (v < 0 || v >= bits)) {
		serr(se, n->rhs, "can't shift %s (%d bits) by %lld",
		     type_name(type_arith(a, a)), bits, (long long)v);
		return false;
	}
	return true;
}

static struct type *binop(struct sema *se, struct node *n)
{
	struct type *a = expr(se, n->lhs), *b = expr(se, n->rhs);

	if (!a || !b)
		return NULL;
	if ((n->op == TOK_EQ || n->op == TOK_NE) &&
	    type_is_str(a) && type_is_str(b))
		return &ty_int;		/* string comparison */
	if (!type_is_scalar(a) || !type_is_scalar(b)) {
		serr(se, n, "%s needs numbers, not %s and %s",
		     tok_names[n->op], type_name(a), type_name(b));
		return NULL;
	}
	if (is_cmp(n->op) || n->op == TOK_ANDAND || n->op == TOK_OROR)
		return &ty_int;
	if (!divisor_ok(se, n, a))
		return NULL;
	if (n->op == TOK_SHL || n->op == TOK_SHR)
		return type_arith(a, a);
	if ((n->op == TOK_PLUS || n->op == TOK_MINUS) && a->kind == TY_PTR &&
	    b->kind == TY_INT)
		return a;
	if ((n->op == TOK_PLUS || n->op == TOK_MINUS) &&
	    (a->fmt == FMT_TIME || b->fmt == FMT_TIME))
		return &ty_time;	/* durations stay durations */
	return type_arith(a, b);
}

static struct type *deref(struct sema *se, struct node *n, struct type *t)
{
	if (t->kind != TY_PTR) {
		serr(se, n, "can't dereference %s", type_name(t));
		return NULL;
	}
	if (t->base->kind == TY_VOID && t->name && str_find(t->name, "struct ")) {
		serr(se, n, "%s: kernel struct types are not supported by ply "
		     "(yet)", t->name);
		return NULL;
	}
	if (t->base->kind == TY_VOID) {
		serr(se, n, "can't dereference a void pointer");
		return NULL;
	}
	return t->base;
}

static struct type *unop(struct sema *se, struct node *n)
{
	struct type *t = expr(se, n->lhs);

	if (!t)
		return NULL;
	if (n->op == TOK_STAR)
		return deref(se, n, t);
	if (!type_is_scalar(t)) {
		serr(se, n, "%s needs a number, not %s", tok_names[n->op],
		     type_name(t));
		return NULL;
	}
	if (n->op == TOK_NOT)
		return &ty_int;
	return type_arith(t, t);
}

static struct type *member(struct sema *se, struct node *n)
{
	struct type *t = expr(se, n->lhs);
	const struct field *f;
	const char *names[64];
	const char *near;
	int i;

	if (!t)
		return NULL;
	if (t->kind == TY_PTR && t->base->kind == TY_VOID && t->name &&
	    str_find(t->name, "struct ")) {
		serr(se, n, "%s: kernel struct types are not supported by ply "
		     "(yet)", t->name);
		return NULL;
	}
	/* bpftrace's args.x: '.' through a pointer to a struct */
	if (n->op == TOK_DOT && se->s->bt && t->kind == TY_PTR &&
	    t->base->kind == TY_STRUCT)
		n->op = TOK_ARROW;
	if (n->op == TOK_ARROW && !(t = deref(se, n, t)))
		return NULL;
	if (t->kind != TY_STRUCT) {
		if (t->kind == TY_PTR && t->base->kind == TY_STRUCT)
			serr(se, n, "%s is a pointer: use '->'", type_name(t));
		else
			serr(se, n, "%s is not a struct", type_name(t));
		return NULL;
	}
	f = type_field(t, n->name);
	if (f)
		return f->type;
	for (i = 0; i < t->nfields && i < 64; i++)
		names[i] = t->fields[i].name;
	near = nearest_name(n->name, names, i);
	if (near)
		serr(se, n, "%s has no field '%s'; did you mean '%s'?",
		     type_name(t), n->name, near);
	else
		serr(se, n, "%s has no field '%s'", type_name(t), n->name);
	return NULL;
}

/* (type) x: integers to integers (truncated or extended as C does),
 * pointers and integers to pointers, an integer to bytes */
static struct type *cast(struct sema *se, struct node *n)
{
	struct type *t = expr(se, n->lhs), *to;
	bool kernel_type;

	if (!t)
		return NULL;
	to = type_parse(n->name, se->s->k->arch, &kernel_type);
	if (kernel_type) {
		serr(se, n, "casts to kernel types (%s) are not supported by "
		     "ply (yet)", n->name);
		return NULL;
	}
	if (!to || to->kind == TY_VOID) {
		serr(se, n, "unknown type '%s'", n->name);
		return NULL;
	}
	if (type_is_scalar(to) && type_is_scalar(t))
		return to;
	/* (uint8[4])x: the bytes of x's low 4 (1, 2, 4 or 8) */
	if (to->kind == TY_ARRAY && type_is_scalar(t) && to->size <= 8 &&
	    !(to->size & (to->size - 1)) && to->size <= t->size)
		return to;
	serr(se, n, "can't cast %s to %s", type_name(t), type_name(to));
	return NULL;
}

/* (a, b, ...): an anonymous struct whose fields are named 0, 1 ... */
static struct type *tuple(struct sema *se, struct node *n)
{
	struct field f[16];
	struct node *a;
	int i = 0;

	for (a = n->args; a; a = a->next) {
		if (i == 16) {
			serr(se, a, "a tuple holds at most 16 values");
			return NULL;
		}
		f[i].name = xasprintf("%d", i);
		f[i].type = expr(se, a);
		f[i].off = -1;
		if (!f[i].type)
			return NULL;
		if (f[i].type->kind == TY_VOID) {
			serr(se, a, "a tuple can't hold a void value");
			return NULL;
		}
		i++;
	}
	return type_with_fmt(type_struct("", f, i), FMT_TUPLE);
}

/* a[i]: *(a + i) of a pointer; an array's element, at a constant */
static struct type *subscript(struct sema *se, struct node *n)
{
	struct type *t = expr(se, n->lhs), *it = expr(se, n->rhs);
	struct node *sum;
	int64_t i;

	if (!t || !it)
		return NULL;
	if (t->kind == TY_PTR) {	/* p[i] is *(p + i) */
		sum = node_new(N_BINOP, n->loc);
		sum->op = TOK_PLUS;
		sum->lhs = n->lhs;
		sum->rhs = n->rhs;
		n->kind = N_UNOP;
		n->op = TOK_STAR;
		n->lhs = sum;
		n->rhs = NULL;
		return expr(se, n);
	}
	if (t->kind != TY_ARRAY || fmt_is_hist(t->fmt)) {
		serr(se, n, "%s can't be subscripted", type_name(t));
		return NULL;
	}
	if (!sema_literal(n->rhs, &i)) {
		serr(se, n->rhs, "a subscript that is not a number is not "
		     "supported by ply (yet)");
		return NULL;
	}
	if (i < 0 || i >= t->len) {
		serr(se, n->rhs, "%lld is outside %s", (long long)i,
		     type_name(t));
		return NULL;
	}
	return t->base;
}

static struct type *cond(struct sema *se, struct node *n)
{
	struct type *c = expr(se, n->cond);
	struct type *a = expr(se, n->then), *b = expr(se, n->els);

	if (!c || !a || !b)
		return NULL;
	if (!type_is_scalar(c)) {
		serr(se, n->cond, "the condition must be a number, not %s",
		     type_name(c));
		return NULL;
	}
	if (type_is_scalar(a) && type_is_scalar(b))
		return a->kind == TY_PTR ? a : type_arith(a, b);
	if (type_is_str(a) && type_is_str(b))
		return a->size >= b->size ? a : b;
	if (type_equal(a, b))
		return a;
	serr(se, n, "the branches of '?:' differ: %s and %s", type_name(a),
	     type_name(b));
	return NULL;
}

struct type *sema_expr(struct sema *se, struct node *n)
{
	struct type *t = NULL;

	switch (n->kind) {
	case N_NUM:	/* bpftrace's numbers are all 64-bit */
		t = n->num <= INT32_MAX && !se->s->bt ? &ty_int :
			n->num <= UINT32_MAX && !se->s->bt ? &ty_uint :
			n->num <= INT64_MAX ? &ty_long : &ty_ulong;
		break;
	case N_STR:
		t = type_str((n->slen + 1 + 7) & ~7);
		break;
	case N_IDENT: t = ident(se, n); break;
	case N_CTX: t = n->type; break;
	case N_VAR: t = var(se, n); break;
	case N_MAP: t = map_read(se, n); break;
	case N_CALL: t = call(se, n); break;
	case N_BINOP: t = binop(se, n); break;
	case N_UNOP: t = unop(se, n); break;
	case N_COND: t = cond(se, n); break;
	case N_MEMBER: t = member(se, n); break;
	case N_CAST: t = cast(se, n); break;
	case N_TUPLE: t = tuple(se, n); break;
	case N_INDEX: t = subscript(se, n); break;
	default:
		serr(se, n, "this is a statement, not an expression");
		break;
	}
	if (t && n->cast)
		t = n->cast;
	n->type = t;
	return t;
}

/* ---------------------------------------------------------------- */
/* statements                                                       */

/* @m[k] = count() | sum(x) | quantize(x) ...: the map holds its values */
static void assign_agg(struct sema *se, struct node *n, struct map *m)
{
	struct node *c = n->rhs;
	const struct builtin *bi = c->bi;
	struct type *vt;

	if (!check_arity(se, c))
		return;
	vt = bi->type ? bi->type(se, c) : bi->rtype;
	if (!vt)
		return;
	c->type = vt;
	if (m->vtype && m->agg == bi->agg && agg_same(m->vtype, vt))
		return;		/* the same aggregation as before */
	map_set_value(se, n, m, vt, bi->agg);
}

static bool is_agg_call(struct sema *se, struct node *n)
{
	return n->kind == N_CALL && func_of(se, n) && n->bi->kind == BI_AGG;
}

static void assign_var(struct sema *se, struct node *n)
{
	struct var *v = n->lhs->var;
	struct type *t = expr(se, n->rhs);

	if (v && !t)
		v->bad = true;
	var_where(se, v);
	if (!v || !t)	/* v: one too many, reported by collect_vars */
		return;
	if (t->kind == TY_VOID) {
		serr(se, n->rhs, "can't assign a void value");
		return;
	}
	if (!v->type)
		v->type = t;
	else if (!assignable(v->type, t))
		serr(se, n, "'%s' holds %s, not %s", v->name,
		     type_name(v->type), type_name(t));
	n->lhs->type = v->type;
}

static void assign(struct sema *se, struct node *n)
{
	struct map *m;
	struct type *t;

	if (n->lhs->kind == N_VAR) {
		assign_var(se, n);
		return;
	}
	m = sema_map_use(se, n->lhs);
	if (is_agg_call(se, n->rhs)) {
		assign_agg(se, n, m);
		n->lhs->type = m->vtype;
		return;
	}
	se->assigning = m;
	t = expr(se, n->rhs);
	se->assigning = NULL;
	if (!t)
		return;
	if (t->kind == TY_VOID) {
		serr(se, n->rhs, "can't assign a void value");
		return;
	}
	map_set_value(se, n, m, t, AGG_NONE);
	n->lhs->type = m->vtype;
}

/* while (c), unroll (N), for ($v : a..b) */
/* where a variable is used: in a for-map loop's callback or not */
static void var_where(struct sema *se, struct var *v)
{
	if (!v || !se->final)
		return;
	if (se->in_cb)
		v->in_cb = true;
	else
		v->out_cb = true;
}

/* for ($kv : @m): $kv is (key, value) of each entry, the body a
 * callback of bpf_for_each_map_elem (5.13) with a frame of its own */
static void for_map(struct sema *se, struct node *n)
{
	struct map *m = sema_whole_map(se, n->rhs);
	struct type *kt;
	struct var *v = n->lhs->var;

	if (!m || !m->vtype || !m->ktype) {
		serr(se, n->rhs, "for ($kv : @m) needs a map that is "
		     "assigned somewhere");
		return;
	}
	if (m->agg != AGG_NONE) {
		serr(se, n->rhs, "for over an aggregation (%s) is not "
		     "supported by ply (yet)", m->name);
		return;
	}
	kt = m->ktype;
	if (kt->kind == TY_STRUCT && kt->nfields == 1)
		kt = kt->fields[0].type;
	else if (kt->kind == TY_STRUCT)
		kt = type_with_fmt(kt, FMT_TUPLE);
	if (v) {
		v->type = type_with_fmt(type_struct("", (struct field[]){
			{ "0", kt, -1 }, { "1", m->vtype, -1 } }, 2), FMT_TUPLE);
		n->lhs->type = v->type;
	}
	m->iterated = true;
	se->in_cb++;
	var_where(se, v);
	stmt(se, n->body);
	se->in_cb--;
}

static void loop(struct sema *se, struct node *n)
{
	struct type *t;

	if (n->op == TOK_FOR && n->rhs->kind == N_MAP && !n->rhs->args) {
		for_map(se, n);
		return;
	}
	if (n->op == TOK_FOR) {
		if (n->rhs->kind != N_BINOP || n->rhs->op != TOK_DOTDOT) {
			serr(se, n->rhs, "for needs a map (for ($kv : @m)) or a "
			     "range (for ($i : 0..10))");
			return;
		}
		t = expr(se, n->rhs->lhs);
		if (t && !expr(se, n->rhs->rhs))
			return;
		if (t && n->lhs->var) {
			n->lhs->var->type = t->kind == TY_INT ?
				type_arith(t, t) : NULL;
			n->lhs->type = n->lhs->var->type;
		}
		if (t && t->kind != TY_INT)
			serr(se, n->rhs, "a range is of integers, not %s",
			     type_name(t));
	} else if (n->op == TOK_WHILE) {
		t = expr(se, n->cond);
		if (t && !type_is_scalar(t))
			serr(se, n->cond, "the condition must be a number, "
			     "not %s", type_name(t));
	}
	stmt(se, n->body);
}

static void stmts(struct sema *se, struct node *n)
{
	for (; n; n = n->next)
		stmt(se, n);
}

static void stmt(struct sema *se, struct node *n)
{
	struct type *t;

	switch (n->kind) {
	case N_EXPR:
		expr(se, n->lhs);
		break;
	case N_ASSIGN:
		assign(se, n);
		break;
	case N_DELETE:
		sema_map_use(se, n->lhs)->deleted = true;
		break;
	case N_IF:
		t = expr(se, n->cond);
		if (t && !type_is_scalar(t))
			serr(se, n->cond, "the condition must be a number, "
			     "not %s", type_name(t));
		stmt(se, n->then);
		if (n->els)
			stmt(se, n->els);
		break;
	case N_BLOCK:
		stmts(se, n->body);
		break;
	case N_LOOP:
		loop(se, n);
		break;
	case N_RETURN:
	case N_BREAK:
	case N_CONTINUE:
		break;
	default:
		expr(se, n);
		break;
	}
}

/* every $x assigned somewhere in the probe is a scratch variable, in
 * the order of their first assignments; once, before the passes */
static void collect_vars(struct probe *pb, struct node *n)
{
	struct var *v;

	for (; n; n = n->next) {
		if ((n->kind == N_ASSIGN && n->lhs->kind == N_VAR) ||
		    (n->kind == N_LOOP && n->op == TOK_FOR)) {
			v = var_find(pb, n->lhs->name);
			if (!v && pb->nvars == MAX_VARS)
				diag_error(n->lhs->loc, "too many variables in "
					   "one probe (at most %d)", MAX_VARS);
			if (!v && pb->nvars < MAX_VARS) {
				v = &pb->vars[pb->nvars++];
				v->name = n->lhs->name;
				v->loc = n->lhs->loc;
			}
			n->lhs->var = v;
		}
		if (n->kind == N_IF || n->kind == N_BLOCK ||
		    n->kind == N_LOOP) {
			collect_vars(pb, n->then);
			collect_vars(pb, n->els);
			collect_vars(pb, n->body);
		}
	}
}

/* ---------------------------------------------------------------- */
/* probes                                                           */

static struct probe *probe_new(struct script *s, struct node *n)
{
	struct probe *pb = xcalloc(1, sizeof(*pb));
	const char *colon = strchr(n->name, ':');
	int len = colon ? colon - n->name : (int)strlen(n->name);
	const char *names[16];
	const char *near;
	int i;

	pb->ast = n;
	pb->bt = s->bt;
	pb->spec = n->name;
	pb->arg = colon ? colon + 1 : "";
	pb->k = s->k;
	pb->prog_fd = -1;
	pb->event = -1;
	pb->prov = provider_find(n->name, len);
	if (pb->prov)
		return pb;
	if ((near = provider_unsupported(n->name, len))) {
		diag_error(n->loc, "%.*s probes are not supported by ply (yet): "
			   "they need %s", len, n->name, near);
		return NULL;
	}
	for (i = 0; providers[i] && i < 16; i++)
		names[i] = providers[i]->name;
	near = nearest_name(xstrndup(n->name, len), names, i);
	diag_error(n->loc, "unknown provider '%.*s'%s%s%s", len, n->name,
		   near ? "; did you mean '" : "", near ? near : "",
		   near ? "'?" : "");
	return NULL;
}

/* a for-map loop's body runs in a frame of its own: a variable lives
 * in one frame or the other */
static void cb_vars(struct probe *pb)
{
	struct var *v;

	for (v = pb->vars; v < pb->vars + pb->nvars; v++)
		if (v->in_cb && v->out_cb)
			diag_error(v->loc, "'%s' is used both in a for loop over "
				   "a map and outside it: not supported by ply "
				   "(yet)", v->name);
}

static void probe_pass(struct sema *se, struct probe *pb)
{
	struct node *n = pb->ast;
	int i;

	se->pb = pb;
	for (i = 0; i < pb->nvars; i++) {
		pb->vars[i].type = NULL;	/* typed in program order */
		pb->vars[i].bad = false;
	}
	if (n->cond) {
		struct type *t = expr(se, n->cond);

		if (t && !type_is_scalar(t))
			serr(se, n->cond, "the predicate must be a number, "
			     "not %s", type_name(t));
	}
	stmts(se, n->body);
}

/* where each map lives (ply.h: struct map, the hot-key cache) */
static void map_storage(struct map *m)
{
	struct map *h;

	if (m->agg == AGG_NONE) {
		m->type = BPF_MAP_TYPE_HASH;
		return;
	}
	if (m->keyless) {
		m->type = BPF_MAP_TYPE_PERCPU_ARRAY;
		m->max_entries = 1;
		return;
	}
	m->type = BPF_MAP_TYPE_PERCPU_HASH;
	if ((m->agg != AGG_COUNT && m->agg != AGG_SUM) || m->deleted ||
	    m->ktype->size > HOT_MAX_KEY)
		return;
	h = m->hot = xcalloc(1, sizeof(*h));
	h->name = xasprintf("%s (hot keys)", m->name);
	h->loc = m->loc;
	h->ktype = &ty_u32;
	h->vtype = type_str(hot_used_off(m) + 8);
	h->type = BPF_MAP_TYPE_PERCPU_ARRAY;
	h->max_entries = HOT_SLOTS;
	h->fd = -1;
}

static void check_maps(struct script *s)
{
	struct map *m;

	for (m = s->maps; m; m = m->next) {
		m->index = s->nmaps++;
		if (!m->vtype)
			diag_error(m->loc, "map '%s' is never assigned",
				   m->name);
		else
			map_storage(m);
	}
}

/* the kernel runs at most so many programs on one event */
static void check_events(struct script *s)
{
	struct probe *pb, *q;
	int n;

	for (pb = s->probes; pb; pb = pb->next) {
		if (pb->event < 0)
			continue;
		for (n = 0, q = s->probes; q != pb; q = q->next)
			n += q->prov == pb->prov && q->event == pb->event;
		if (n == MAX_PROGS_PER_EVENT)
			diag_error(pb->ast->loc, "more than %d probes on %s: "
				   "the kernel runs at most %d programs on one "
				   "event", MAX_PROGS_PER_EVENT, pb->arg,
				   MAX_PROGS_PER_EVENT);
	}
}

/* the provider's setup; with missing_probes = warn or ignore, a probe
 * whose event or function is not there is left out (with a warning) */
static int probe_setup(struct script *s, struct probe *pb)
{
	int before = diag_nerrors, err;

	if (!s->missing)
		return pb->prov->setup(pb);
	diag_quiet = true;
	err = pb->prov->setup(pb);
	diag_quiet = false;
	if (!err)
		return 0;
	diag_nerrors = before;
	if (s->missing == 1)
		diag_warn(pb->ast->loc, "%s left out (missing_probes): %s",
			  pb->spec, diag_last);
	return err;
}

/* a provider's glob (tracepoint:syscalls:sys_enter_*) becomes a probe
 * per match, each with its own program, in place of the one */
static void expand_globs(struct script *s)
{
	struct node **np, *n, *c, *next;
	const struct provider *prov;
	const char *colon;
	char **args;
	int i, m;

	for (np = &s->ast; (n = *np); ) {
		colon = strchr(n->name, ':');
		prov = colon ? provider_find(n->name, colon - n->name) : NULL;
		if (!prov || !prov->expand || !is_glob(colon + 1) ||
		    !s->k->tracefs) {
			np = &n->next;
			continue;
		}
		m = prov->expand(s->k, colon + 1, &args);
		if (!m && s->missing < 2)
			(s->missing ? diag_warn : diag_error)(n->loc,
				"no %s matches '%s'", prov->name, colon + 1);
		next = n->next;
		for (i = 0; i < m; i++) {
			c = i ? node_clone(n) : n;
			c->name = xasprintf("%s:%s", prov->name, args[i]);
			*np = c;
			np = &c->next;
		}
		*np = next;
		xfree(args);
	}
}

int sema_script(struct script *s)
{
	struct sema se = { .s = s };
	struct probe *pb, **tail = &s->probes;
	struct node *n;
	int pass, npoints = 0;

	expand_globs(s);
	for (n = s->ast; n; n = n->next) {
		pb = probe_new(s, n);
		if (!pb || probe_setup(s, pb))
			continue;
		pb->vars = xcalloc(MAX_VARS, sizeof(*pb->vars));
		collect_vars(pb, n->body);
		*tail = pb;
		tail = &pb->next;
		npoints += pb->points > 0 ? pb->points : 1;
	}
	if (s->max_probes && npoints > s->max_probes)
		diag_error(s->ast->loc, "%d probes, more than the %d allowed "
			   "(BPFTRACE_MAX_PROBES, config max_probes)", npoints,
			   s->max_probes);
	check_events(s);
	if (diag_nerrors)
		return diag_nerrors;
	for (pass = 0; pass < 8; pass++) {
		se.changed = false;
		for (pb = s->probes; pb; pb = pb->next)
			probe_pass(&se, pb);
		if (!se.changed)
			break;
	}
	se.final = true;
	for (pb = s->probes; pb; pb = pb->next) {
		probe_pass(&se, pb);
		cb_vars(pb);
	}
	if (!diag_nerrors)
		check_maps(s);
	return diag_nerrors;
}
