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

/* the kernel stack's id in the script's stack map */
static void stack_emit(struct cg *g, struct node *n, int dst)
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
	emit(g->p, BPF_MOV64_IMM(BPF_REG_3, 0));
	emit_call(g, BPF_FUNC_get_stackid);
	emit(g->p, BPF_MOV32_REG(dst, BPF_REG_0));
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
	len = const_arg(se, n->args->next, 128, 256);
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
	return type_str(const_arg(se, n->args->next, 128, 256));
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

	if (n->args && !n->args->next && (m = sema_whole_map(se, n->args))) {
		a = sema_action(se, n, ACT_PRINTMAP);
		a->map = m;
		n->map = m;
		a->args = type_struct("", NULL, 0);
		return &ty_void;
	}
	a = sema_action(se, n, ACT_PRINT);
	a->args = sema_args_type(se, n->args);
	return a->args ? &ty_void : NULL;
}

/* does argument i (of args) suit conversion c?  '*' wants an int */
static bool printf_arg(struct sema *se, struct node *n, const char *pct,
		       int len, char c, const struct type *args, int i)
{
	const struct type *t;

	if (i >= args->nfields)
		return true;	/* too few: said after */
	t = args->fields[i].type;
	if (c == 'v' || (c == 's' && type_is_str(t)) ||
	    (c == 'c' && type_is_str(t)) ||
	    (c != 's' && c != '*' && type_is_scalar(t)) ||
	    (c == '*' && t->kind == TY_INT))
		return true;
	serr(se, n, "'%.*s' wants %s, but argument %d is %s", len, pct,
	     c == 's' ? "a string" : c == '*' ? "an integer (for the '*')" :
	     "a number", i + 1, type_name(t));
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
		if (!*p || !strchr("diouxXcspv", *p)) {
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
	vt = type_array(&ty_u64, t->size * 8 + t->sign);
	vt = type_with_fmt(vt, FMT_QUANTIZE);
	vt->base = t->fmt == FMT_TIME ? &ty_time : type_int(t->size, t->sign);
	return vt;
}

/* ---------------------------------------------------------------- */
/* the table                                                        */

/* ORDER: the first of equally near names is suggested */
static const struct builtin builtins[] = {
	{ "comm", "execname", BI_VAR, .rtype = &ty_comm, .store = comm_store },
	{ "pid", NULL, BI_VAR, .rtype = &ty_pid, .emit = pid_emit },
	{ "kpid", NULL, BI_VAR, .rtype = &ty_pid, .emit = kpid_emit },
	{ "uid", NULL, BI_VAR, .rtype = &ty_uid, .emit = uid_emit },
	{ "gid", NULL, BI_VAR, .rtype = &ty_uid, .emit = gid_emit },
	{ "cpu", NULL, BI_VAR, .rtype = &ty_cpu, .emit = cpu_emit },
	{ "time", NULL, BI_VAR, .rtype = &ty_time, .emit = time_emit },
	{ "walltime", NULL, BI_VAR, .rtype = &ty_walltime,
	  .emit = time_emit },
	{ "stack", NULL, BI_VAR, .rtype = &ty_stack, .emit = stack_emit },

	{ "str", NULL, BI_FUNC, 1, 2, .type = str_type, .store = str_store },
	{ "mem", NULL, BI_FUNC, 1, 2, .type = mem_type, .store = mem_store },
	{ "uptr", NULL, BI_FUNC, 1, 1, .type = uptr_type, .emit = ptr_emit },
	{ "kptr", NULL, BI_FUNC, 1, 1, .type = kptr_type, .emit = ptr_emit },
	{ "strcmp", NULL, BI_FUNC, 2, 2, .type = strcmp_type,
	  .emit = strcmp_emit },
	{ "print", NULL, BI_ACTION, 0, 16, .type = print_type,
	  .emit = cg_action, .act = ACT_PRINT },
	{ "printf", NULL, BI_ACTION, 1, 17, .type = printf_type,
	  .emit = cg_action, .act = ACT_PRINTF },
	{ "exit", NULL, BI_ACTION, 0, 1, .type = exit_type,
	  .emit = cg_action, .act = ACT_EXIT },
	{ "clear", NULL, BI_ACTION, 1, 1, .type = clear_type,
	  .emit = cg_action, .act = ACT_CLEAR },
	{ "count", NULL, BI_AGG, 0, 0, .rtype = &ty_u64, .agg = AGG_COUNT },
	{ "sum", NULL, BI_AGG, 1, 1, .type = sum_type, .agg = AGG_SUM },
	{ "quantize", NULL, BI_AGG, 1, 1, .type = quantize_type,
	  .agg = AGG_QUANTIZE },
	{ "dyn", NULL, BI_FUNC, 1, 2, .type = dyn_type, .store = dyn_store },
};

static const struct provider *const kprobes_only[] = {
	&kprobe_provider, &kretprobe_provider, NULL,
};

/* not in the table: kprobe.c puts it where `caller` was */
const struct builtin bi_func_ip = {
	"caller", NULL, BI_VAR, .only = kprobes_only, .emit = func_ip_emit,
};

const struct builtin *builtin_find(const char *name, bool vars)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(builtins); i++)
		if ((builtins[i].kind == BI_VAR) == vars &&
		    (!strcmp(builtins[i].name, name) ||
		     (builtins[i].alias && !strcmp(builtins[i].alias, name))))
			return &builtins[i];
	return NULL;
}

int builtin_names(bool vars, const char **names, int max)
{
	size_t i;
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(builtins) && n + 2 <= max; i++) {
		if ((builtins[i].kind == BI_VAR) != vars)
			continue;
		names[n++] = builtins[i].name;
		if (builtins[i].alias)
			names[n++] = builtins[i].alias;
	}
	return n;
}
