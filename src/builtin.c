/*
 * builtin.c - the table of built-ins: what each name means, what it
 * takes, what type it has and the code it becomes.
 *
 * A row of builtins[] is a variable (comm, pid ...), a function with
 * a value (str, strcmp ...), an action (print, printf, exit, clear:
 * a record sent to user space) or an aggregation (count, sum,
 * quantize: only as @m[k] = f(...)).  sema.c finds the row once per
 * node and leaves it in n->bi; it checks the arity, then asks the row
 * for the type (rtype, or the type function, which checks the
 * arguments); codegen.c calls the row's emitter: emit for a scalar,
 * store for a value kept in memory (a string).  Adding a built-in is
 * a row here and its functions.  Provider variables (data, arg0,
 * regs) are the providers' own; only the caller of a kprobe_multi
 * program is here (bi_func_ip), since kprobe.c hands it out.
 */
#include <string.h>

#include "compile.h"

/* ---------------------------------------------------------------- */
/* variables                                                        */

/* pid: the process (thread group) id, the high half */
static void pid_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	emit_call(g, BPF_FUNC_get_current_pid_tgid);
	emit(g->p, BPF_ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
	emit(g->p, BPF_MOV32_REG(dst, BPF_REG_0));
}

/* kpid: the thread id, the low half */
static void kpid_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	emit_call(g, BPF_FUNC_get_current_pid_tgid);
	emit(g->p, BPF_MOV32_REG(dst, BPF_REG_0));
}

static void uid_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	emit_call(g, BPF_FUNC_get_current_uid_gid);
	emit(g->p, BPF_MOV32_REG(dst, BPF_REG_0));
}

static void gid_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	emit_call(g, BPF_FUNC_get_current_uid_gid);
	emit(g->p, BPF_ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
	emit(g->p, BPF_MOV32_REG(dst, BPF_REG_0));
}

static void cpu_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	emit_call(g, BPF_FUNC_get_smp_processor_id);
	emit(g->p, BPF_MOV32_REG(dst, BPF_REG_0));
}

/* time and walltime: the same clock, printed differently */
static void time_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	emit_call(g, BPF_FUNC_ktime_get_ns);
	emit(g->p, BPF_MOV64_REG(dst, BPF_REG_0));
}

/* a stack's id in the script's stack map: the kernel's, or with
 * BPF_F_USER_STACK the user's */
static void stack_id_emit(struct cg *g, struct node *n, int dst, int flags)
{
	struct map *m = g->s->stackmap;

	(void)n;
	if (!m) {
		m = g->s->stackmap = xcalloc(1, sizeof(*m));
		m->name = "stack";
		m->fd = -1;
		m->max_entries = 1024;
	}
	emit(g->p, BPF_MOV64_REG(BPF_REG_1, CTX));
	emit_ld_map(g->p, BPF_REG_2, m, false);
	emit(g->p, BPF_MOV64_IMM(BPF_REG_3, flags));
	emit_call(g, BPF_FUNC_get_stackid);
	emit(g->p, BPF_MOV32_REG(dst, BPF_REG_0));
}

static void stack_emit(struct cg *g, struct node *n, int dst)
{
	stack_id_emit(g, n, dst, 0);
}

/* a kprobe_multi program's caller: bpf_get_func_ip(ctx) */
static void func_ip_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	emit(g->p, BPF_MOV64_REG(BPF_REG_1, CTX));
	emit_call(g, BPF_FUNC_get_func_ip);
	emit(g->p, BPF_MOV64_REG(dst, BPF_REG_0));
}

/*
 * comm, read in place from task_struct, must end at its NUL: kernels
 * that copied names with strlcpy (before 5.17) left a longer old
 * name's tail after it.  comm is two words, r1 and r2.  Little-endian,
 * the first NUL is the lowest zero byte of a word:
 *	r3 = (w - 0x0101..01) & ~w & 0x8080..80	(exact for the lowest
 *						 zero byte; r4, r5 hold
 *						 the constants)
 *	w &= ((r3 & -r3) >> 7) - 1		(the bytes below it)
 * Big-endian, it is the highest zero byte, and every zero byte must be
 * found exactly:
 *	r3 = ~(((w & 0x7f..7f) + 0x7f..7f) | w | 0x7f..7f)	(r5: 0x7f..)
 *	r3 |= r3 >> 8; r3 |= r3 >> 16; r3 |= r3 >> 32	(it, and below)
 *	w &= ~((r3 >> 7) * 0xff)		(the bytes above it)
 */
static void emit_nul_bytes(struct cg *g, int w, bool be)
{
	emit(g->p, BPF_MOV64_REG(BPF_REG_3, w));
	if (be) {
		emit(g->p, BPF_ALU64_REG(BPF_AND, BPF_REG_3, BPF_REG_5));
		emit(g->p, BPF_ALU64_REG(BPF_ADD, BPF_REG_3, BPF_REG_5));
		emit(g->p, BPF_ALU64_REG(BPF_OR, BPF_REG_3, w));
		emit(g->p, BPF_ALU64_REG(BPF_OR, BPF_REG_3, BPF_REG_5));
		emit(g->p, BPF_ALU64_IMM(BPF_XOR, BPF_REG_3, -1));
		return;
	}
	emit(g->p, BPF_ALU64_REG(BPF_SUB, BPF_REG_3, BPF_REG_4));
	emit(g->p, BPF_MOV64_REG(BPF_REG_0, w));
	emit(g->p, BPF_ALU64_IMM(BPF_XOR, BPF_REG_0, -1));
	emit(g->p, BPF_ALU64_REG(BPF_AND, BPF_REG_3, BPF_REG_0));
	emit(g->p, BPF_ALU64_REG(BPF_AND, BPF_REG_3, BPF_REG_5));
}

/* w keeps the bytes before the first NUL flagged in r3 */
static void emit_keep_before(struct cg *g, int w, bool be)
{
	int sh;

	if (be) {
		for (sh = 8; sh <= 32; sh *= 2) {
			emit(g->p, BPF_MOV64_REG(BPF_REG_0, BPF_REG_3));
			emit(g->p, BPF_ALU64_IMM(BPF_RSH, BPF_REG_0, sh));
			emit(g->p, BPF_ALU64_REG(BPF_OR, BPF_REG_3, BPF_REG_0));
		}
		emit(g->p, BPF_ALU64_IMM(BPF_RSH, BPF_REG_3, 7));
		emit(g->p, BPF_ALU64_IMM(BPF_MUL, BPF_REG_3, 0xff));
		emit(g->p, BPF_ALU64_IMM(BPF_XOR, BPF_REG_3, -1));
	} else {
		emit(g->p, BPF_MOV64_REG(BPF_REG_0, BPF_REG_3));
		emit(g->p, BPF_NEG64(BPF_REG_0));
		emit(g->p, BPF_ALU64_REG(BPF_AND, BPF_REG_3, BPF_REG_0));
		emit(g->p, BPF_ALU64_IMM(BPF_RSH, BPF_REG_3, 7));
		emit(g->p, BPF_ALU64_IMM(BPF_SUB, BPF_REG_3, 1));
	}
	emit(g->p, BPF_ALU64_REG(BPF_AND, w, BPF_REG_3));
}

/* the comm in r1, r2 cut at its NUL
 *	[constants in r4, r5]
 *	r3 = NULs of r1; if (r3) goto cut1
 *	r3 = NULs of r2; if (!r3) goto done; r2 = bytes of r2 before r3
 *	goto done
 * cut1: r1 = bytes of r1 before r3; r2 = 0
 * done:								*/
static void emit_comm_cut(struct cg *g)
{
	int cut1 = label_new(g->p), done = label_new(g->p);
	bool be = g->k->arch->big_endian;

	if (be) {
		emit_mov_imm(g, BPF_REG_5, 0x7f7f7f7f7f7f7f7fULL);
	} else {
		emit_mov_imm(g, BPF_REG_4, 0x0101010101010101ULL);
		emit(g->p, BPF_MOV64_REG(BPF_REG_5, BPF_REG_4));
		emit(g->p, BPF_ALU64_IMM(BPF_LSH, BPF_REG_5, 7));
	}
	emit_nul_bytes(g, BPF_REG_1, be);
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JNE, BPF_REG_3, 0, 0), cut1);
	emit_nul_bytes(g, BPF_REG_2, be);
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, 0), done);
	emit_keep_before(g, BPF_REG_2, be);
	emit_jmp(g->p, BPF_JMP_A(0), done);
	label_here(g->p, cut1);
	emit_keep_before(g, BPF_REG_1, be);
	emit(g->p, BPF_MOV64_IMM(BPF_REG_2, 0));
	label_here(g->p, done);
}

/* r10 + off = size bytes of comm.  Where the kernel's BTF says where
 * task_struct.comm is (kernel.c), it is read in place, two words, and
 * cut at its NUL unless the kernel pads names itself; that is much
 * cheaper than the helper, which this needs on other kernels.
 *	r0 = get_current_task_btf(); r1 = comm[0..8); r2 = comm[8..16)
 *	[cut r1, r2 at the NUL]; store r1, r2				*/
static void comm_store(struct cg *g, struct node *n, int off, int size)
{
	int at = g->k->comm_off;

	(void)n;
	if (at < 0 || size != 16 || (off & 7)) {
		emit_zero(g, off, size);
		emit_fp_addr(g, BPF_REG_1, off);
		emit(g->p, BPF_MOV64_IMM(BPF_REG_2, size));
		emit_call(g, BPF_FUNC_get_current_comm);
		return;
	}
	emit_comment(g->p, "comm from task_struct (BTF)");
	emit_call(g, BPF_FUNC_get_current_task_btf);
	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, at));
	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_0, at + 8));
	if (!g->k->comm_padded)
		emit_comm_cut(g);
	emit(g->p, BPF_STX_MEM(BPF_DW, FP, BPF_REG_1, off));
	emit(g->p, BPF_STX_MEM(BPF_DW, FP, BPF_REG_2, off + 8));
}

/* ---------------------------------------------------------------- */
/* functions                                                        */

/* a size argument: a constant from 1 to max, else def */
static int const_arg(struct sema *se, struct node *a, int def, int max)
{
	if (!a)
		return def;
	if (a->kind != N_NUM || !a->num || a->num > (uint64_t)max) {
		serr(se, a, "the size must be a constant from 1 to %d", max);
		return def;
	}
	return a->num;
}

/* str(p[, n]) and mem(p[, n]): n bytes read from p */
static struct type *read_type(struct sema *se, struct node *n, bool mem)
{
	struct type *t = sema_expr(se, n->args);
	int len;

	if (!t)
		return NULL;
	if (t->fmt == FMT_DYN && !mem) {	/* bpftrace: str(args.x) */
		n->bi = builtin_find("dyn", false, se->s->bt);
		return n->bi->type(se, n);
	}
	len = const_arg(se, n->args->next, se->s->strlen, 256);
	if (type_is_str(t) && !mem)
		return t;
	if (!type_is_scalar(t)) {
		serr(se, n->args, "%s needs a pointer, not %s", n->bi->name,
		     type_name(t));
		return NULL;
	}
	return type_str(len);
}

static struct type *str_type(struct sema *se, struct node *n)
{
	return read_type(se, n, false);
}

static struct type *mem_type(struct sema *se, struct node *n)
{
	return read_type(se, n, true);
}

/* dyn(field[, n]): a __data_loc field's string */
static struct type *dyn_type(struct sema *se, struct node *n)
{
	struct type *t = sema_expr(se, n->args);

	if (!t)
		return NULL;
	if (t->fmt != FMT_DYN) {
		serr(se, n->args, "dyn needs a __data_loc field, not %s",
		     type_name(t));
		return NULL;
	}
	return type_str(const_arg(se, n->args->next, se->s->strlen, 256));
}

/* size bytes read from the pointer a into r10 + off (str: up to and
 * with the NUL); dyn: a is a __data_loc, an offset from ctx in its low
 * 16 bits */
static void read_store(struct cg *g, struct node *n, int off, int size,
		       bool str, bool dyn)
{
	struct node *a = n->args;
	int r;

	if (type_is_str(a->type)) {	/* str() of a string: a copy */
		cg_store(g, a, off, n->type);
		return;
	}
	emit_zero(g, off, size);	/* keys compare every byte */
	r = reg_get(g, a);
	cg_expr(g, a, r);
	if (dyn) {
		emit(g->p, BPF_ALU64_IMM(BPF_AND, r, 0xffff));
		emit(g->p, BPF_ALU64_REG(BPF_ADD, r, CTX));
	}
	emit_read(g, off, size, r, 0, a->type->kind == TY_PTR &&
		  a->type->user, str);
	reg_put(g, r);
}

static void str_store(struct cg *g, struct node *n, int off, int size)
{
	read_store(g, n, off, size, true, false);
}

static void mem_store(struct cg *g, struct node *n, int off, int size)
{
	read_store(g, n, off, size, false, false);
}

static void dyn_store(struct cg *g, struct node *n, int off, int size)
{
	read_store(g, n, off, size, true, true);
}

/* uptr(p), kptr(p): p, as a pointer into user or kernel memory */
static struct type *ptr_type(struct sema *se, struct node *n, bool user)
{
	struct type *t = sema_expr(se, n->args);

	if (!t)
		return NULL;
	if (!type_is_scalar(t)) {
		serr(se, n->args, "%s needs a pointer or an integer, not %s",
		     n->bi->name, type_name(t));
		return NULL;
	}
	return type_ptr(t->kind == TY_PTR ? t->base : &ty_char, user, false);
}

static struct type *uptr_type(struct sema *se, struct node *n)
{
	return ptr_type(se, n, true);
}

static struct type *kptr_type(struct sema *se, struct node *n)
{
	return ptr_type(se, n, false);
}

static void ptr_emit(struct cg *g, struct node *n, int dst)
{
	cg_expr(g, n->args, dst);
}

static struct type *strcmp_type(struct sema *se, struct node *n)
{
	struct type *a = sema_expr(se, n->args);
	struct type *b = sema_expr(se, n->args->next);

	if (!a || !b)
		return NULL;
	if (!type_is_str(a) || !type_is_str(b)) {
		serr(se, n, "strcmp needs two strings, not %s and %s",
		     type_name(a), type_name(b));
		return NULL;
	}
	return &ty_int;
}

static void strcmp_emit(struct cg *g, struct node *n, int dst)
{
	cg_strcmp(g, n->args, n->args->next, dst);
}

/* ---------------------------------------------------------------- */
/* actions: a record to user space, acted on in order (run.c)       */

static struct type *print_type(struct sema *se, struct node *n)
{
	struct action *a;
	struct map *m;

	if (n->args && (m = sema_whole_map(se, n->args)) &&
	    nargs(n) <= 3) {
		struct node *top = n->args->next;
		struct node *div = top ? top->next : NULL;
		int64_t v;

		a = sema_action(se, n, ACT_PRINTMAP);
		a->map = m;
		n->map = m;
		a->args = type_struct("", NULL, 0);
		if (top && (!sema_literal(top, &v) || v < 0 || v > INT32_MAX)) {
			serr(se, top, "print(@m, N): N must be a number");
			return NULL;
		}
		a->top = top ? (int)v : 0;
		if (div && (!sema_literal(div, &v) || v < 1 ||
			    v > INT32_MAX)) {
			serr(se, div, "print(@m, N, div): div must be a "
			     "positive number");
			return NULL;
		}
		a->div = div ? (int)v : 0;
		return &ty_void;
	}
	a = sema_action(se, n, ACT_PRINT);
	a->args = sema_args_type(se, n->args);
	return a->args ? &ty_void : NULL;
}

/* a value printed as text (ksym(), ntop(), kstack ...): a %s */
static bool text_value(const struct type *t)
{
	switch (t->fmt) {
	case FMT_KSYM: case FMT_SYM: case FMT_KPROBE: case FMT_USYM:
	case FMT_STACK: case FMT_USTACK: case FMT_STRFTIME: case FMT_NTOP:
	case FMT_BUF: case FMT_STRERROR: case FMT_TUPLE: case FMT_WALLTIME:
		return true;
	default:
		return false;
	}
}

/* does argument i (of args) suit conversion c?  '*' wants an int */
static bool printf_arg(struct sema *se, struct node *n, const char *pct,
		       int len, char c, const struct type *args, int i)
{
	const struct type *t;

	if (i >= args->nfields)
		return true;	/* too few: said after */
	t = args->fields[i].type;
	if (c == 'v' || (c == 's' && (type_is_str(t) || text_value(t))) ||
	    (c == 'r' && t->fmt == FMT_BUF) ||
	    (c == 'c' && type_is_str(t)) ||
	    (c != 's' && c != '*' && type_is_scalar(t)) ||
	    (c == '*' && t->kind == TY_INT))
		return true;
	serr(se, n, "'%.*s' wants %s, but argument %d is %s", len, pct,
	     c == 's' ? "a string" : c == '*' ? "an integer (for the '*')" :
	     c == 'r' ? "a buffer (buf())" : "a number", i + 1,
	     type_name(t));
	return false;
}

/* the conversions of fmt against the arguments, in number and type */
static bool printf_check(struct sema *se, struct node *n, const char *fmt,
			 const struct type *args)
{
	const char *p, *pct;
	int want = 0;
	bool ok = true;

	for (p = fmt; (p = strchr(p, '%')); p++) {
		pct = p;
		if (*++p == '%')
			continue;
		for (; *p && strchr("#0- +'", *p); p++)
			;
		for (; *p == '*' || (*p >= '0' && *p <= '9') || *p == '.';
		     p++)
			if (*p == '*')
				ok &= printf_arg(se, n, pct, p - pct + 1, '*',
						 args, want++);
		for (; *p && strchr("hljztLq", *p); p++)
			;
		if (!*p || !strchr("diouxXcspvr", *p)) {
			serr(se, n->args, "unknown conversion '%.*s' in the "
			     "format", (int)(p - pct) + (*p > ' '), pct);
			return false;
		}
		ok &= printf_arg(se, n, pct, p - pct + 1, *p, args, want++);
	}
	if (want != args->nfields) {
		serr(se, n, "the format wants %d argument%s, printf has %d",
		     want, want == 1 ? "" : "s", args->nfields);
		return false;
	}
	return ok;
}

static struct type *printf_type(struct sema *se, struct node *n)
{
	struct action *a;

	if (!n->args || n->args->kind != N_STR) {
		serr(se, n, "printf needs a format string literal first");
		return NULL;
	}
	a = sema_action(se, n, ACT_PRINTF);
	a->fmt = n->args->str;
	a->args = sema_args_type(se, n->args->next);
	if (a->args && !printf_check(se, n, a->fmt, a->args))
		return NULL;
	return a->args ? &ty_void : NULL;
}

static struct type *exit_type(struct sema *se, struct node *n)
{
	struct action *a;
	struct type *t;
	struct node *c;
	uint64_t v;

	if (!n->args)		/* exit(): exit(0) */
		n->args = node_new(N_NUM, n->loc);
	c = n->args;
	t = sema_expr(se, c);
	if (!t)
		return NULL;
	if (t->kind != TY_INT) {
		serr(se, n->args, "exit needs an integer, not %s",
		     type_name(t));
		return NULL;
	}
	/* exit(-1) is a negation of 1 */
	v = c->kind == N_UNOP && c->op == TOK_MINUS && c->lhs->kind == N_NUM ?
		0 - c->lhs->num : c->num;
	if ((c->kind == N_NUM || (c->kind == N_UNOP && c->op == TOK_MINUS &&
				  c->lhs->kind == N_NUM)) && v > 255) {
		serr(se, n->args, "an exit status is 0 to 255, not %lld",
		     (long long)(int64_t)v);
		return NULL;
	}
	a = sema_action(se, n, ACT_EXIT);
	a->args = type_struct("", (struct field[]){
			{ "code", &ty_s64, -1 } }, 1);
	se->s->uses_exit = true;
	return &ty_void;
}

static struct type *clear_type(struct sema *se, struct node *n)
{
	struct action *a;
	struct map *m = sema_whole_map(se, n->args);

	if (!m) {
		serr(se, n->args, "clear needs a map");
		return NULL;
	}
	a = sema_action(se, n, ACT_CLEAR);
	a->map = m;
	n->map = m;
	a->args = type_struct("", NULL, 0);
	return &ty_void;
}

/* ---------------------------------------------------------------- */
/* aggregations: their type is the map's value                      */

/* the integer argument of sum() and quantize() */
static struct type *agg_arg(struct sema *se, struct node *n)
{
	struct type *t = sema_expr(se, n->args);

	if (t && t->kind != TY_INT) {
		serr(se, n->args, "%s needs an integer, not %s", n->bi->name,
		     type_name(t));
		return NULL;
	}
	return t;
}

static struct type *sum_type(struct sema *se, struct node *n)
{
	struct type *t = agg_arg(se, n);

	return t ? (t->sign ? &ty_s64 : &ty_u64) : NULL;
}

/* a u64 per log2 bucket of the argument's type (and one for negative
 * values if it is signed), printed as a histogram of the argument */
static struct type *quantize_type(struct sema *se, struct node *n)
{
	struct type *t = agg_arg(se, n), *vt;

	if (!t)
		return NULL;
	/* bpftrace's hist() counts 0 and 1 apart: one bucket more */
	vt = type_array(&ty_u64, t->size * 8 + t->sign + se->s->bt);
	vt = type_with_fmt(vt, se->s->bt ? FMT_HIST : FMT_QUANTIZE);
	vt->base = t->fmt == FMT_TIME ? &ty_time : type_int(t->size, t->sign);
	return vt;
}

/* ---------------------------------------------------------------- */
/* bpftrace's variables                                             */

/* elapsed: the clock less its value at start (globalmap, run.c) */
static void elapsed_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	emit_call(g, BPF_FUNC_ktime_get_ns);
	emit_ld_map(g->p, BPF_REG_1, global_map(g), true);
	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_1,
			       GLOBAL_START * 8));
	emit(g->p, BPF_ALU64_REG(BPF_SUB, BPF_REG_0, BPF_REG_1));
	emit(g->p, BPF_MOV64_REG(dst, BPF_REG_0));
}

/* cpid: -c's command, which run.c writes before attaching */
static void cpid_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	emit_ld_map(g->p, dst, global_map(g), true);
	emit(g->p, BPF_LDX_MEM(BPF_DW, dst, dst, GLOBAL_CPID * 8));
}

static void helper_emit(struct cg *g, int fn, int dst, bool u32)
{
	emit_call(g, fn);
	if (u32)
		emit(g->p, BPF_MOV32_REG(dst, BPF_REG_0));
	else
		emit(g->p, BPF_MOV64_REG(dst, BPF_REG_0));
}

static void curtask_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	helper_emit(g, BPF_FUNC_get_current_task, dst, false);
}

/* a struct task_struct *, whose members need kernel types */
static struct type *curtask_type(struct sema *se, struct node *n)
{
	struct type *t = type_ptr(&ty_void, false, false);

	(void)se;
	(void)n;
	t->name = "struct task_struct *";
	return t;
}

static void rand_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	helper_emit(g, BPF_FUNC_get_prandom_u32, dst, true);
}

static void cgroup_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	helper_emit(g, BPF_FUNC_get_current_cgroup_id, dst, false);
}

static void jiffies_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	helper_emit(g, BPF_FUNC_jiffies64, dst, false);
}

static void numaid_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	helper_emit(g, BPF_FUNC_get_numa_node_id, dst, true);
}

static void ncpus_emit(struct cg *g, struct node *n, int dst)
{
	(void)n;
	emit_mov_imm(g, dst, g->k->ncpus);
}

/* ppid and pcomm walk current->real_parent, where the kernel's BTF
 * says these members are (kernel.c) */
static struct type *parent_type(struct sema *se, struct node *n,
				struct type *t)
{
	const struct kernel *k = se->s->k;

	if (k->task_parent < 0 || k->task_tgid < 0 || k->task_comm < 0) {
		serr(se, n, "'%s' needs the kernel's BTF "
		     "(/sys/kernel/btf/vmlinux) to find task_struct's "
		     "real_parent", n->name);
		return NULL;
	}
	return t;
}

static struct type *ppid_type(struct sema *se, struct node *n)
{
	return parent_type(se, n, &ty_pid);
}

static struct type *pcomm_type(struct sema *se, struct node *n)
{
	return parent_type(se, n, &ty_comm);
}

/* r10 + tmp = current->real_parent (a kernel word) */
static int emit_parent(struct cg *g, struct node *n)
{
	int word = g->k->arch->word, tmp = stack_alloc(g, 8, n);

	emit(g->p, BPF_ST_MEM(BPF_DW, FP, tmp, 0));
	emit_call(g, BPF_FUNC_get_current_task);
	emit_read(g, tmp, word, BPF_REG_0, g->k->task_parent, false, false);
	emit_load(g, BPF_REG_3, FP, tmp, type_int(word, false));
	return tmp;
}

static void ppid_emit(struct cg *g, struct node *n, int dst)
{
	int tmp = emit_parent(g, n);

	emit(g->p, BPF_ST_MEM(BPF_DW, FP, tmp, 0));
	emit(g->p, BPF_MOV64_REG(BPF_REG_0, BPF_REG_3));
	emit_read(g, tmp, 4, BPF_REG_0, g->k->task_tgid, false, false);
	emit(g->p, BPF_LDX_MEM(BPF_W, dst, FP, tmp));
}

static void pcomm_store(struct cg *g, struct node *n, int off, int size)
{
	emit_parent(g, n);
	emit_zero(g, off, size);
	emit(g->p, BPF_MOV64_REG(BPF_REG_0, BPF_REG_3));
	emit_read(g, off, size, BPF_REG_0, g->k->task_comm, false, true);
}

/* ustack: a user stack's id in the stack map */
static void ustack_emit(struct cg *g, struct node *n, int dst)
{
	stack_id_emit(g, n, dst, BPF_F_USER_STACK);
}

/* probe: the probe's name, as bpftrace writes it */
static struct type *probe_type(struct sema *se, struct node *n)
{
	(void)se;
	(void)n;
	return type_str(PROBE_NAME_LEN);
}

static void probe_store(struct cg *g, struct node *n, int off, int size)
{
	const struct probe *pb = g->pb;
	struct node s = { .kind = N_STR, .loc = n->loc };
	char *name = xasprintf("%s%s%s", pb->prov->name, *pb->arg ? ":" : "",
			       pb->arg), *p;

	for (p = name + strlen(pb->prov->name); *p; p++)
		if (*p == '/')
			*p = ':';
	s.str = name;
	s.slen = strlen(name);
	s.type = type_str(size);
	cg_store(g, &s, off, s.type);
	xfree(name);
}

/* ---------------------------------------------------------------- */
/* bpftrace's functions                                             */

/* kstack(N), ustack(N), kstack(bpftrace|perf[, N]): frames printed */
static struct type *stack_type(struct sema *se, struct node *n)
{
	struct type *t = type_with_fmt(&ty_stack, !strcmp(n->name, "ustack") ?
				       FMT_USTACK : FMT_STACK);
	struct node *a = n->args;

	if (a && a->kind == N_IDENT && (!strcmp(a->name, "bpftrace") ||
					!strcmp(a->name, "perf"))) {
		t->strfmt = a->name;
		a = a->next;
	}
	if (a && (a->kind != N_NUM || a->num < 1 || a->num > 127)) {
		serr(se, a, "a stack's depth is a number from 1 to 127");
		return NULL;
	}
	t->max = a ? (int64_t)a->num : 0;
	return t;
}

static void stackf_emit(struct cg *g, struct node *n, int dst)
{
	stack_id_emit(g, n, dst, n->type->fmt == FMT_USTACK ?
		      BPF_F_USER_STACK : 0);
}

/* an integer argument (of bswap, ksym ...) */
static struct type *int_arg(struct sema *se, struct node *n, struct node *a)
{
	struct type *t = sema_expr(se, a);

	if (t && !type_is_scalar(t)) {
		serr(se, a, "%s needs an integer, not %s", n->bi->name,
		     type_name(t));
		return NULL;
	}
	return t;
}

static struct type *bswap_type(struct sema *se, struct node *n)
{
	struct type *t = int_arg(se, n, n->args);

	return t ? type_int(t->size, false) : NULL;
}

/* the bytes reversed: BPF's byte-order conversion to the other order
 * than the target's */
static void bswap_emit(struct cg *g, struct node *n, int dst)
{
	int size = n->type->size;

	cg_expr(g, n->args, dst);
	if (size > 1)
		emit(g->p, BPF_ENDIAN(g->k->arch->big_endian ? BPF_TO_LE :
				      BPF_TO_BE, dst, size * 8));
}

/* an argument, printed another way */
static struct type *printer_type(struct sema *se, struct node *n,
				 enum printer fmt, struct type *as)
{
	struct type *t = int_arg(se, n, n->args);

	return t ? type_with_fmt(as ? as : type_int(t->size, t->sign), fmt)
		: NULL;
}

static struct type *ksym_type(struct sema *se, struct node *n)
{
	return printer_type(se, n, FMT_SYM, &ty_u64);
}

static struct type *usym_type(struct sema *se, struct node *n)
{
	return printer_type(se, n, FMT_USYM, &ty_u64);
}

static struct type *strerror_type(struct sema *se, struct node *n)
{
	return printer_type(se, n, FMT_STRERROR, &ty_s32);
}

static void arg_emit(struct cg *g, struct node *n, int dst)
{
	cg_expr(g, n->args, dst);
	emit_convert(g, dst, n->args->type, n->type);
}

/* kaddr("sym"): the address, from kallsyms at compile time */
static struct type *kaddr_type(struct sema *se, struct node *n)
{
	struct node *a = n->args;

	if (a->kind != N_STR) {
		serr(se, a, "kaddr needs a symbol's name in quotes");
		return NULL;
	}
	if (!se->s->k->here) {
		serr(se, n, "kaddr needs the kernel's symbols: not when "
		     "compiling for another machine");
		return NULL;
	}
	if (!n->num)
		n->num = ksym_addr(a->str);
	if (!n->num) {
		serr(se, a, "kaddr: no symbol '%s' in /proc/kallsyms (or no "
		     "addresses there: ply needs root)", a->str);
		return NULL;
	}
	return type_with_fmt(&ty_u64, FMT_HEX);
}

static void num_emit(struct cg *g, struct node *n, int dst)
{
	emit_mov_imm(g, dst, n->num);
}

/* strftime(fmt, ns): ns since boot, printed as a wall clock time */
static struct type *strftime_type(struct sema *se, struct node *n)
{
	struct type *t;

	if (n->args->kind != N_STR) {
		serr(se, n->args, "strftime needs a format string literal");
		return NULL;
	}
	if (!int_arg(se, n, n->args->next))
		return NULL;
	t = type_with_fmt(&ty_u64, FMT_STRFTIME);
	t->strfmt = n->args->str;
	return t;
}

static void strftime_emit(struct cg *g, struct node *n, int dst)
{
	cg_expr(g, n->args->next, dst);
	emit_convert(g, dst, n->args->next->type, &ty_u64);
}

/* ntop([af,] addr): { u64 af; u8 addr[16] }; addr is an IPv4 address
 * as a 4-byte integer or array, or an IPv6 one as a 16-byte array */
static struct type *ntop_type(struct sema *se, struct node *n)
{
	struct node *a = n->args->next ? n->args->next : n->args;
	struct type *t = sema_expr(se, a), *nt;

	if (n->args->next && !int_arg(se, n, n->args))
		return NULL;
	if (!t)
		return NULL;
	if (!(t->kind == TY_INT ||
	      (t->kind == TY_ARRAY && (t->size == 4 || t->size == 16)))) {
		serr(se, a, "ntop needs an IPv4 address (an integer or 4-byte "
		     "array) or an IPv6 one (16 bytes), not %s",
		     type_name(t));
		return NULL;
	}
	nt = type_with_fmt(type_str(24), FMT_NTOP);
	nt->name = "inet";
	return nt;
}

#define AF_INET_NUM	2
#define AF_INET6_NUM	10

static void ntop_store(struct cg *g, struct node *n, int off, int size)
{
	struct node *a = n->args->next ? n->args->next : n->args;
	int r;

	(void)size;
	emit_zero(g, off, 24);
	if (n->args->next) {
		r = reg_get(g, n->args);
		cg_expr(g, n->args, r);
		emit(g->p, BPF_STX_MEM(BPF_DW, FP, r, off));
		reg_put(g, r);
	} else {
		emit(g->p, BPF_ST_MEM(BPF_DW, FP, off, a->type->size == 16 ?
				      AF_INET6_NUM : AF_INET_NUM));
	}
	if (a->type->kind == TY_INT) {		/* its low 32 bits */
		r = reg_get(g, a);
		cg_expr(g, a, r);
		emit(g->p, BPF_STX_MEM(BPF_W, FP, r, off + 8));
		reg_put(g, r);
		return;
	}
	cg_store(g, a, off + 8, a->type);
}

/* buf(p, n): { u64 len; u8 data[N] }, printed with \xNN escapes */
static struct type *buf_type(struct sema *se, struct node *n)
{
	struct type *t = sema_expr(se, n->args), *bt;
	struct node *len = n->args->next;
	int max = 64;

	if (!t)
		return NULL;
	if (!type_is_scalar(t) && t->kind != TY_ARRAY) {
		serr(se, n->args, "buf needs a pointer or an array, not %s",
		     type_name(t));
		return NULL;
	}
	if (len && !int_arg(se, n, len))
		return NULL;
	if (len && len->kind == N_NUM)
		max = const_arg(se, len, 64, 256);
	else if (t->kind == TY_ARRAY)
		max = t->size < 256 ? t->size : 256;
	bt = type_with_fmt(type_str(8 + ((max + 7) & ~7)), FMT_BUF);
	bt->name = "buffer";
	return bt;
}

static void buf_store(struct cg *g, struct node *n, int off, int size)
{
	struct node *a = n->args, *len = a->next;
	int max = size - 8, r;

	emit_zero(g, off, size);
	if (a->type->kind == TY_ARRAY) {
		int k = a->type->size < max ? a->type->size : max;

		if (len && len->kind == N_NUM && (int)len->num < k)
			k = (int)len->num;
		cg_store(g, a, off + 8, type_str(max));
		emit(g->p, BPF_ST_MEM(BPF_DW, FP, off, k));
		return;
	}
	/* len = min(n, max) */
	r = reg_get(g, n);
	if (len) {
		cg_expr(g, len, r);
		emit(g->p, BPF_JMP_IMM(BPF_JLE, r, max, 1));
		emit(g->p, BPF_MOV64_IMM(r, max));
	} else {
		emit(g->p, BPF_MOV64_IMM(r, max));
	}
	emit(g->p, BPF_STX_MEM(BPF_DW, FP, r, off));
	reg_put(g, r);
	r = reg_get(g, a);
	cg_expr(g, a, r);
	emit_read(g, off + 8, max, r, 0, a->type->kind == TY_PTR &&
		  a->type->user, false);
	reg_put(g, r);
}

/* strncmp(a, b, n): strcmp of the first n bytes */
static struct type *strncmp_type(struct sema *se, struct node *n)
{
	struct node *len = n->args->next->next;

	if (!strcmp_type(se, n))
		return NULL;
	if (len->kind != N_NUM) {
		serr(se, len, "strncmp's length must be a number");
		return NULL;
	}
	return &ty_int;
}

static void strncmp_emit(struct cg *g, struct node *n, int dst)
{
	cg_strncmp(g, n->args, n->args->next, (int)n->args->next->next->num,
		   dst);
}

/* strcontains(s, "needle"): 1 if needle is in s, else 0 */
static struct type *strcontains_type(struct sema *se, struct node *n)
{
	struct node *nd = n->args->next;

	if (!strcmp_type(se, n))
		return NULL;
	if (nd->kind != N_STR) {
		serr(se, nd, "strcontains: a needle that is not a string "
		     "literal is not supported by ply (yet)");
		return NULL;
	}
	if (n->args->type->size * (nd->slen + 1) > 2048) {
		serr(se, n, "strcontains: a %d-byte string and a %d-byte "
		     "needle make too big a program", n->args->type->size,
		     nd->slen);
		return NULL;
	}
	return &ty_int;
}

/*	for each start i: for each j: if (s[i+j] != nd[j]) goto next_i
 *	  found: dst = 1; goto end
 *	next_i: if (!s[i]) goto none					*/
static void strcontains_emit(struct cg *g, struct node *n, int dst)
{
	struct node *nd = n->args->next;
	int off = str_operand(g, n->args), size = n->args->type->size;
	int found = label_new(g->p), none = label_new(g->p);
	int end = label_new(g->p), i, j, next;

	emit_comment(g->p, "strcontains");
	if (!nd->slen) {
		emit(g->p, BPF_MOV64_IMM(dst, 1));
		return;
	}
	for (i = 0; i + nd->slen <= size; i++) {
		next = label_new(g->p);
		for (j = 0; j < nd->slen; j++) {
			emit(g->p, BPF_LDX_MEM(BPF_B, BPF_REG_1, FP,
					       off + i + j));
			emit_jmp(g->p, BPF_JMP_IMM(BPF_JNE, BPF_REG_1,
					(uint8_t)nd->str[j], 0), next);
		}
		emit_jmp(g->p, BPF_JMP_A(0), found);
		label_here(g->p, next);
		emit(g->p, BPF_LDX_MEM(BPF_B, BPF_REG_1, FP, off + i));
		emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 0), none);
	}
	label_here(g->p, none);
	emit(g->p, BPF_MOV64_IMM(dst, 0));
	emit_jmp(g->p, BPF_JMP_A(0), end);
	label_here(g->p, found);
	emit(g->p, BPF_MOV64_IMM(dst, 1));
	label_here(g->p, end);
}

/* has_key(@m, k...): 1 if m has the key */
static struct type *has_key_type(struct sema *se, struct node *n)
{
	struct node *m = n->args;

	if (m->kind != N_MAP || m->args) {
		serr(se, m, "has_key needs a map and a key: "
		     "has_key(@m, key)");
		return NULL;
	}
	if (!n->lhs) {		/* @m[key], built once */
		n->lhs = node_new(N_MAP, m->loc);
		n->lhs->name = m->name;
		n->lhs->args = m->next;
	}
	/* a key in a hot-key slot is not in the hash: no cache */
	sema_map_use(se, n->lhs)->deleted = true;
	return &ty_int;
}

static void has_key_emit(struct cg *g, struct node *n, int dst)
{
	int key = cg_key(g, n->lhs);

	emit_ld_map(g->p, BPF_REG_1, n->lhs->map, false);
	emit_fp_addr(g, BPF_REG_2, key);
	emit_call(g, BPF_FUNC_map_lookup_elem);
	emit(g->p, BPF_MOV64_IMM(dst, 1));
	emit(g->p, BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 1));
	emit(g->p, BPF_MOV64_IMM(dst, 0));
}

/* sizeof(type or expression): a number */
static struct type *sizeof_type(struct sema *se, struct node *n)
{
	struct node *a = n->args;
	struct type *t;
	bool kernel;

	if (a->kind == N_CAST && !a->lhs) {
		t = type_parse(a->name, se->s->k->arch, &kernel);
		if (kernel) {
			serr(se, a, "sizeof(%s): kernel types are not "
			     "supported by ply (yet)", a->name);
			return NULL;
		}
		if (!t) {
			serr(se, a, "unknown type '%s'", a->name);
			return NULL;
		}
	} else if (!(t = sema_expr(se, a))) {
		return NULL;
	}
	n->num = t->size;
	return &ty_u64;
}

/* signal(sig): sent to the current task (bpf_send_signal, 5.3) */
/* the signals by name, SIGHUP (1) to SIGTSTP (20), each 4 letters */
static const char signals[] = "HUP INT QUITILL TRAPABRTBUS FPE KILLUSR1"
	"SEGVUSR2PIPEALRMTERM    CHLDCONTSTOPTSTP";

static bool unsafe_ok(struct sema *se, struct node *n)
{
	if (se->s->unsafe)
		return true;
	serr(se, n, "%s() changes the system: it needs --unsafe",
	     n->bi->name);
	return false;
}

static struct type *signal_type(struct sema *se, struct node *n)
{
	struct node *a = n->args;
	size_t i;

	if (!unsafe_ok(se, n))
		return NULL;
	if (a->kind == N_STR) {
		const char *name = a->str + (strncmp(a->str, "SIG", 3) ? 0 : 3);

		for (i = 0; i < sizeof(signals) / 4; i++)
			if (strlen(name) <= 4 && *name &&
			    !strncmp(signals + 4 * i, name, strlen(name)) &&
			    (strlen(name) == 4 || signals[4 * i + strlen(name)]
			     == ' '))
				break;
		if (i == sizeof(signals) / 4) {
			serr(se, a, "unknown signal '%s'", a->str);
			return NULL;
		}
		a->kind = N_NUM;
		a->num = i + 1;
	}
	if (!int_arg(se, n, a))
		return NULL;
	if (a->kind == N_NUM && (a->num < 1 || a->num > 64)) {
		serr(se, a, "a signal is 1 to 64, not %llu",
		     (unsigned long long)a->num);
		return NULL;
	}
	return &ty_void;
}

static void signal_emit(struct cg *g, struct node *n, int dst)
{
	(void)dst;
	cg_expr(g, n->args, BPF_REG_1);
	emit_call(g, BPF_FUNC_send_signal);
}

/* zero(@m): every value 0 */
static struct type *zero_type(struct sema *se, struct node *n)
{
	struct type *t = clear_type(se, n);

	if (t)
		n->action->kind = ACT_ZERO;
	return t;
}

/* time([fmt]): the wall clock when user space sees the record */
static struct type *time_type(struct sema *se, struct node *n)
{
	struct action *a;

	if (n->args && n->args->kind != N_STR) {
		serr(se, n->args, "time needs a format string literal");
		return NULL;
	}
	a = sema_action(se, n, ACT_TIME);
	a->fmt = n->args ? n->args->str : "%H:%M:%S\n";
	a->args = type_struct("", NULL, 0);
	return &ty_void;
}

/* join(argv[, sep]): up to JOIN_MAX strings of a NULL-ended array */
static struct type *join_type(struct sema *se, struct node *n)
{
	struct type *t = sema_expr(se, n->args);
	struct action *a;
	struct node *sep = n->args->next;

	if (!t)
		return NULL;
	if (!type_is_scalar(t)) {
		serr(se, n->args, "join needs an array of strings (char **), "
		     "not %s", type_name(t));
		return NULL;
	}
	if (sep && sep->kind != N_STR) {
		serr(se, sep, "join's separator must be a string literal");
		return NULL;
	}
	a = sema_action(se, n, ACT_JOIN);
	a->fmt = sep ? sep->str : " ";
	a->args = type_str(JOIN_MAX * JOIN_LEN);
	return &ty_void;
}

/* system(fmt, ...) and cat(fmt, ...): printf's record, acted on by
 * user space */
static struct type *fmt_action(struct sema *se, struct node *n,
			       enum action_kind kind)
{
	struct type *t = printf_type(se, n);

	if (t)
		n->action->kind = kind;
	return t;
}

static struct type *system_type(struct sema *se, struct node *n)
{
	return unsafe_ok(se, n) ? fmt_action(se, n, ACT_SYSTEM) : NULL;
}

static struct type *cat_type(struct sema *se, struct node *n)
{
	return fmt_action(se, n, ACT_CAT);
}

/* ---------------------------------------------------------------- */
/* bpftrace's aggregations                                          */

/* lhist(v, min, max, step): a u64 per bucket: below min, then
 * [min + i*step, min + (i+1)*step), then max and above */
static struct type *lhist_type(struct sema *se, struct node *n)
{
	struct type *t = agg_arg(se, n), *vt;
	struct node *a;
	int64_t v[3];
	int i;

	if (!t)
		return NULL;
	for (a = n->args->next, i = 0; a; a = a->next, i++) {
		if (!sema_literal(a, &v[i])) {
			serr(se, a, "lhist's min, max and step must be "
			     "numbers");
			return NULL;
		}
	}
	if (v[0] < 0 || v[1] <= v[0] || v[2] < 1 || v[1] > INT32_MAX ||
	    v[2] > INT32_MAX) {
		serr(se, n, "lhist needs 0 <= min < max < 2^31 and step >= 1");
		return NULL;
	}
	if ((v[1] - v[0]) / v[2] > 1000) {
		serr(se, n, "lhist: more than 1000 buckets");
		return NULL;
	}
	vt = type_array(&ty_u64, (v[1] - v[0] + v[2] - 1) / v[2] + 2);
	vt = type_with_fmt(vt, FMT_LHIST);
	vt->base = type_int(t->size, t->sign);
	vt->min = v[0];
	vt->max = v[1];
	vt->step = v[2];
	return vt;
}

/* min(v), max(v): { value; set }, the value with the argument's sign */
static struct type *minmax_type(struct sema *se, struct node *n)
{
	struct type *t = agg_arg(se, n), *vt;

	if (!t)
		return NULL;
	vt = type_struct("", (struct field[]){
			{ "value", t->sign ? &ty_s64 : &ty_u64, -1 },
			{ "set", &ty_u64, -1 } }, 2);
	vt = type_with_fmt(vt, FMT_MINMAX);
	vt->base = type_int(t->size, t->sign);
	return vt;
}

/* avg(v), stats(v): { count; total } */
static struct type *avg_type(struct sema *se, struct node *n)
{
	struct type *t = agg_arg(se, n), *vt;

	if (!t)
		return NULL;
	vt = type_struct("", (struct field[]){
			{ "count", &ty_u64, -1 },
			{ "total", t->sign ? &ty_s64 : &ty_u64, -1 } }, 2);
	vt = type_with_fmt(vt, n->bi->agg == AGG_AVG ? FMT_AVG : FMT_STATS);
	vt->base = type_int(t->size, t->sign);
	return vt;
}

/* ---------------------------------------------------------------- */
/* the table                                                        */

/* ORDER: the first of equally near names is suggested */
static const struct builtin builtins[] = {
	{ "comm", BI_VAR, .rtype = &ty_comm, .store = comm_store },
	{ "execname", BI_VAR, .rtype = &ty_comm, .store = comm_store },
	{ "pid", BI_VAR, .rtype = &ty_pid, .emit = pid_emit },
	{ "kpid", BI_VAR, .rtype = &ty_pid, .emit = kpid_emit },
	{ "uid", BI_VAR, .rtype = &ty_uid, .emit = uid_emit },
	{ "gid", BI_VAR, .rtype = &ty_uid, .emit = gid_emit },
	{ "cpu", BI_VAR, .rtype = &ty_cpu, .emit = cpu_emit },
	{ "time", BI_VAR, .rtype = &ty_time, .emit = time_emit,
	  .ply_only = true },
	{ "walltime", BI_VAR, .rtype = &ty_walltime,
	  .emit = time_emit },
	{ "stack", BI_VAR, .rtype = &ty_stack, .emit = stack_emit },
	{ "nsecs", BI_VAR, .rtype = &ty_u64, .emit = time_emit,
	  .ply = "time" },
	{ "tid", BI_VAR, .rtype = &ty_pid, .emit = kpid_emit,
	  .ply = "kpid" },
	{ "elapsed", BI_VAR, .rtype = &ty_u64, .emit = elapsed_emit },
	{ "cpid", BI_VAR, .rtype = &ty_pid, .emit = cpid_emit },
	{ "ppid", BI_VAR, .type = ppid_type, .emit = ppid_emit },
	{ "pcomm", BI_VAR, .type = pcomm_type, .store = pcomm_store },
	{ "curtask", BI_VAR, .type = curtask_type, .emit = curtask_emit },
	{ "rand", BI_VAR, .rtype = &ty_u32, .emit = rand_emit },
	{ "cgroup", BI_VAR, .rtype = &ty_u64, .emit = cgroup_emit },
	{ "ncpus", BI_VAR, .rtype = &ty_u32, .emit = ncpus_emit },
	{ "jiffies", BI_VAR, .rtype = &ty_u64, .emit = jiffies_emit },
	{ "numaid", BI_VAR, .rtype = &ty_u32, .emit = numaid_emit },
	{ "kstack", BI_VAR, .rtype = &ty_stack, .emit = stack_emit },
	{ "ustack", BI_VAR, .type = stack_type, .emit = ustack_emit },
	{ "probe", BI_VAR, .type = probe_type, .store = probe_store },

	{ "str", BI_FUNC, 1, 2, .type = str_type, .store = str_store },
	{ "mem", BI_FUNC, 1, 2, .type = mem_type, .store = mem_store },
	{ "uptr", BI_FUNC, 1, 1, .type = uptr_type, .emit = ptr_emit },
	{ "kptr", BI_FUNC, 1, 1, .type = kptr_type, .emit = ptr_emit },
	{ "strcmp", BI_FUNC, 2, 2, .type = strcmp_type,
	  .emit = strcmp_emit },
	{ "print", BI_ACTION, 0, 16, .type = print_type,
	  .emit = cg_action },
	{ "printf", BI_ACTION, 1, 17, .type = printf_type,
	  .emit = cg_action },
	{ "exit", BI_ACTION, 0, 1, .type = exit_type,
	  .emit = cg_action },
	{ "clear", BI_ACTION, 1, 1, .type = clear_type,
	  .emit = cg_action },
	{ "count", BI_AGG, 0, 0, .rtype = &ty_u64, .agg = AGG_COUNT },
	{ "sum", BI_AGG, 1, 1, .type = sum_type, .agg = AGG_SUM },
	{ "quantize", BI_AGG, 1, 1, .type = quantize_type,
	  .agg = AGG_QUANTIZE },
	{ "hist", BI_AGG, 1, 1, .type = quantize_type, .agg = AGG_QUANTIZE },
	{ "dyn", BI_FUNC, 1, 2, .type = dyn_type, .store = dyn_store },

	{ "lhist", BI_AGG, 4, 4, .type = lhist_type, .agg = AGG_LHIST },
	{ "min", BI_AGG, 1, 1, .type = minmax_type, .agg = AGG_MIN },
	{ "max", BI_AGG, 1, 1, .type = minmax_type, .agg = AGG_MAX },
	{ "avg", BI_AGG, 1, 1, .type = avg_type, .agg = AGG_AVG },
	{ "stats", BI_AGG, 1, 1, .type = avg_type, .agg = AGG_STATS },
	{ "kstack", BI_FUNC, 1, 2, .type = stack_type,
	  .emit = stackf_emit },
	{ "ustack", BI_FUNC, 1, 2, .type = stack_type,
	  .emit = stackf_emit },
	{ "has_key", BI_FUNC, 2, 17, .type = has_key_type,
	  .emit = has_key_emit },
	{ "zero", BI_ACTION, 1, 1, .type = zero_type,
	  .emit = cg_action },
	{ "time", BI_ACTION, 0, 1, .type = time_type,
	  .emit = cg_action },
	{ "strftime", BI_FUNC, 2, 2, .type = strftime_type,
	  .emit = strftime_emit },
	{ "ntop", BI_FUNC, 1, 2, .type = ntop_type,
	  .store = ntop_store },
	{ "bswap", BI_FUNC, 1, 1, .type = bswap_type,
	  .emit = bswap_emit },
	{ "ksym", BI_FUNC, 1, 1, .type = ksym_type, .emit = arg_emit },
	{ "usym", BI_FUNC, 1, 1, .type = usym_type, .emit = arg_emit },
	{ "kaddr", BI_FUNC, 1, 1, .type = kaddr_type, .emit = num_emit },
	{ "join", BI_ACTION, 1, 2, .type = join_type,
	  .emit = cg_action },
	{ "buf", BI_FUNC, 1, 2, .type = buf_type, .store = buf_store },
	{ "strerror", BI_FUNC, 1, 1, .type = strerror_type,
	  .emit = arg_emit },
	{ "strncmp", BI_FUNC, 3, 3, .type = strncmp_type,
	  .emit = strncmp_emit },
	{ "strcontains", BI_FUNC, 2, 2, .type = strcontains_type,
	  .emit = strcontains_emit },
	{ "sizeof", BI_FUNC, 1, 1, .type = sizeof_type,
	  .emit = num_emit },
	{ "signal", BI_ACTION, 1, 1, .type = signal_type,
	  .emit = signal_emit },
	{ "system", BI_ACTION, 1, 17, .type = system_type,
	  .emit = cg_action },
	{ "cat", BI_ACTION, 1, 17, .type = cat_type,
	  .emit = cg_action },
};

/* bpftrace's, that ply does not have yet: what they need */
static const struct { const char *name, *needs; } unsupported[] = {
	{ "offsetof", "kernel struct types" },
	{ "cgroup_path", "cgroup paths" },
	{ "cgroupid", "cgroup paths" },
	{ "uaddr", "user-space probes" },
	{ "path", "kernel struct types (BTF)" },
	{ "getopt", "named options" },
	{ "macaddr", "MAC addresses" },
	{ "override", "error injection" },
	{ "reg", "register names in bpftrace's spelling" },
	{ "skboutput", "packet capture" },
	{ "pton", "address parsing" },
	{ "debugf", "the trace pipe" },
	{ "unwatch", "watchpoints" },
	{ "percpu_kaddr", "per-CPU addresses" },
	{ "socket_cookie", "socket cookies" },
};

/* what bpftrace's name needs that ply lacks, or NULL */
const char *builtin_unsupported(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unsupported); i++)
		if (!strcmp(unsupported[i].name, name))
			return unsupported[i].needs;
	return NULL;
}


/* not in the table: kprobe.c puts it where `caller` was */
const struct builtin bi_func_ip = {
	"caller", BI_VAR, .kprobes_only = true, .emit = func_ip_emit,
};

/* a row means something in the language (bt: bpftrace's) */
static bool in_lang(const struct builtin *b, bool bt)
{
	return bt ? !b->ply_only : !b->ply;
}

const struct builtin *builtin_find(const char *name, bool vars, bool bt)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(builtins); i++)
		if ((builtins[i].kind == BI_VAR) == vars &&
		    in_lang(&builtins[i], bt) &&
		    !strcmp(builtins[i].name, name))
			return &builtins[i];
	return NULL;
}

const char *builtin_ply_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(builtins); i++)
		if (builtins[i].ply && !strcmp(builtins[i].name, name))
			return builtins[i].ply;
	/* a tracepoint's provider variable, by its other name */
	return !strcmp(name, "args") ? "data" : NULL;
}

int builtin_names(bool vars, bool bt, const char **names, int max)
{
	size_t i;
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(builtins) && n < max; i++) {
		if ((builtins[i].kind == BI_VAR) != vars ||
		    !in_lang(&builtins[i], bt))
			continue;
		names[n++] = builtins[i].name;
	}
	return n;
}
