/*
 * codegen.c - from a typed probe to BPF instructions.
 *
 * Registers have fixed roles:
 *   r6      the program's context (ctx arrives in r1 and is saved at once)
 *   r7-r9   temporaries that survive helper calls; a LIFO pool, so an
 *           expression nests at most three deep on its right side
 *           (deeper is diagnosed at the node: "expression too complex")
 *   r0-r5   scratch: helper arguments and results, clobbered by calls
 *   r10     the frame pointer
 * A scalar lives in a register, sign- or zero-extended to 64 bits as its
 * type says.  Strings, structs and map keys live on the stack and are
 * written in place: a key is built where the lookup reads it, a print
 * argument where the output helper sends it from.  Stack is allocated
 * downwards from r10; temporaries are released at the end of each
 * statement, scratch variables ($x) live for the whole probe.
 *
 * A built-in's code is its row's in builtin.c (n->bi), a map's and an
 * aggregation's is cg_map.c's.  Actions (print, printf, exit, clear)
 * send a record through the output map, a BPF ring buffer or a perf
 * event array as the kernel has (struct kernel); its first u64 is the
 * action's id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"

static void cg_stmt(struct cg *g, struct node *n);
static void cg_stmts(struct cg *g, struct node *n);

/* ---------------------------------------------------------------- */
/* resources: stack and registers                                   */

int stack_alloc(struct cg *g, int size, struct node *n)
{
	g->sp += (size + 7) & ~7;
	if (g->sp > MAX_BPF_STACK) {
		diag_error(n->loc, "the probe needs more than %d bytes of "
			   "stack here", MAX_BPF_STACK);
		g->sp = 0;	/* carry on to find other errors */
	}
	if (g->sp > g->max_sp)
		g->max_sp = g->sp;
	return -g->sp;
}

int reg_get(struct cg *g, struct node *n)
{
	int r;

	for (r = BPF_REG_7; r <= BPF_REG_9; r++)
		if (!g->busy[r]) {
			g->busy[r] = true;
			return r;
		}
	diag_error(n->loc, "expression too complex (out of registers): "
		   "split it using $variables");
	return BPF_REG_9;
}

void reg_put(struct cg *g, int r)
{
	if (r >= BPF_REG_7 && r <= BPF_REG_9)
		g->busy[r] = false;
}

/* ---------------------------------------------------------------- */
/* small emitters                                                   */

void emit_mov_imm(struct cg *g, int dst, uint64_t v)
{
	if ((int64_t)v >= INT32_MIN && (int64_t)v <= INT32_MAX) {
		emit(g->p, BPF_MOV64_IMM(dst, (int32_t)v));
		return;
	}
	emit(g->p, BPF_LD_IMM64_LO(dst, 0, v));
	emit(g->p, BPF_LD_IMM64_HI(v));
}

/* dst = r10 + off */
void emit_fp_addr(struct cg *g, int dst, int off)
{
	emit(g->p, BPF_MOV64_REG(dst, FP));
	emit(g->p, BPF_ALU64_IMM(BPF_ADD, dst, off));
}

void emit_call(struct cg *g, int fn)
{
	emit(g->p, BPF_CALL_HELPER(fn));
}

/* make reg hold a value of type t: truncate, then sign/zero-extend */
void emit_extend(struct cg *g, int reg, const struct type *t)
{
	int bits = t->size * 8;

	if (t->kind != TY_INT || t->size >= 8)
		return;
	if (t->sign) {
		emit(g->p, BPF_ALU64_IMM(BPF_LSH, reg, 64 - bits));
		emit(g->p, BPF_ALU64_IMM(BPF_ARSH, reg, 64 - bits));
	} else if (t->size == 4) {
		emit(g->p, BPF_MOV32_REG(reg, reg));
	} else {
		emit(g->p, BPF_ALU64_IMM(BPF_AND, reg, (1 << bits) - 1));
	}
}

/* reg holds a `from` (extended as its type says): make it a `to`.
 * Only narrowing or a signed value becoming unsigned changes bits. */
void emit_convert(struct cg *g, int reg, const struct type *from,
			 const struct type *to)
{
	if (to->size < 8 && (from->size > to->size ||
			     (from->sign && !to->sign)))
		emit_extend(g, reg, to);
}

/* dst = *(t *)(src + off), extended */
void emit_load(struct cg *g, int dst, int src, int off,
		      const struct type *t)
{
	emit(g->p, BPF_LDX_MEM(bpf_size(t->size), dst, src, off));
	if (t->sign)
		emit_extend(g, dst, t);
}

/* the widest access (8, 4, 2, 1) that is aligned at both offsets and
 * fits: the verifier wants aligned stack accesses */
int piece(int a, int b, int left)
{
	int w;

	for (w = 8; w > 1; w /= 2)
		if (left >= w && !(a & (w - 1)) && !(b & (w - 1)))
			break;
	return w;
}

/* zero size bytes at r10 + off */
void emit_zero(struct cg *g, int off, int size)
{
	int i, w;

	for (i = 0; i < size; i += w) {
		w = piece(off + i, 0, size - i);
		emit(g->p, BPF_ST_MEM(bpf_size(w), FP, off + i, 0));
	}
}

/* copy size bytes from [src + soff] to [r10 + doff] through r1 */
void emit_copy(struct cg *g, int doff, int src, int soff, int size)
{
	int i, w;

	for (i = 0; i < size; i += w) {
		w = piece(doff + i, soff + i, size - i);
		emit(g->p, BPF_LDX_MEM(bpf_size(w), BPF_REG_1, src, soff + i));
		emit(g->p, BPF_STX_MEM(bpf_size(w), FP, BPF_REG_1, doff + i));
	}
}

/* the bytes b[0..size) at r10 + off, as immediates (st takes 32
 * bits), each the number the target reads there in its byte order */
static void emit_bytes(struct cg *g, int off, const uint8_t *b, int size)
{
	bool be = g->k->arch->big_endian;
	int i, j, w;
	uint32_t v;

	for (i = 0; i < size; i += w) {
		w = piece(off + i, 0, size - i);
		if (w == 8)
			w = 4;
		for (v = 0, j = 0; j < w; j++)
			v |= (uint32_t)b[i + j] << 8 * (be ? w - 1 - j : j);
		emit(g->p, BPF_ST_MEM(bpf_size(w), FP, off + i, (int32_t)v));
	}
}

/* probe_read{,_str}_{kernel,user}(r10 + off, size, src + soff) */
void emit_read(struct cg *g, int off, int size, int src, int soff,
		      bool user, bool str)
{
	emit(g->p, BPF_MOV64_REG(BPF_REG_3, src));
	if (soff)
		emit(g->p, BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, soff));
	emit_fp_addr(g, BPF_REG_1, off);
	emit(g->p, BPF_MOV64_IMM(BPF_REG_2, size));
	emit_call(g, str ? (user ? BPF_FUNC_probe_read_user_str :
			    BPF_FUNC_probe_read_kernel_str) :
		  (user ? BPF_FUNC_probe_read_user :
		   BPF_FUNC_probe_read_kernel));
}














/* ---------------------------------------------------------------- */
/* memory: members and dereferences                                 */

struct addr {
	int reg;	/* base register: CTX, or a pool register */
	int off;
	bool ctx;	/* direct loads allowed */
	bool user;
};

/* where n (a deref or member) lives */
/* is n read from memory where it is: a dereference, a member through
 * a pointer, or a member or an element of something that is
 * (args->x[2]); else it is part of a value (a tuple's, a string's) */
static bool in_memory(const struct node *n)
{
	if (n->kind == N_UNOP)
		return n->op == TOK_STAR;
	if (n->kind == N_MEMBER && n->op == TOK_ARROW)
		return true;
	if (n->kind == N_MEMBER || n->kind == N_INDEX)
		return in_memory(n->lhs);
	return false;
}

/* where on the stack the value n is: a variable's slot, a part of one
 * ($t.1, $s[2]), or a copy made here */
static int value_off(struct cg *g, struct node *n)
{
	if (n->kind == N_VAR)
		return n->var->off;
	if (n->kind == N_MEMBER && !in_memory(n))
		return value_off(g, n->lhs) +
			type_field(n->lhs->type, n->name)->off;
	if (n->kind == N_INDEX && !in_memory(n))
		return value_off(g, n->lhs) + (int)n->rhs->num * n->type->size;
	return str_operand(g, n);
}

static void cg_addr(struct cg *g, struct node *n, struct addr *a)
{
	struct node *ptr = n->lhs;
	const struct type *st;

	if ((n->kind == N_MEMBER && n->op == TOK_DOT) || n->kind == N_INDEX) {
		if (!in_memory(ptr)) {
			diag_error(n->loc, "'.' needs a struct in memory; "
				   "use '->' on a pointer");
			a->reg = CTX, a->off = 0, a->ctx = false;
			return;
		}
		cg_addr(g, ptr, a);
		st = ptr->type;
	} else {
		if (ptr->kind == N_CTX) {
			a->reg = CTX;
		} else {
			a->reg = reg_get(g, ptr);
			cg_expr(g, ptr, a->reg);
		}
		a->off = 0;
		a->ctx = ptr->type->ctx;
		a->user = ptr->type->user;
		st = ptr->type->base;
	}
	if (n->kind == N_MEMBER)
		a->off += type_field(st, n->name)->off;
	else if (n->kind == N_INDEX)
		a->off += (int)n->rhs->num * st->base->size;
	/* the kernel keeps the first bytes of some contexts for itself
	 * (a pt_regs pointer over a tracepoint's common_type ...
	 * common_pid) before the program runs */
	if (a->ctx && a->off < g->pb->prov->ctx_hidden && n->kind == N_MEMBER)
		diag_error(n->loc, "'%s' is not available to BPF programs "
			   "(the kernel overwrites it); use pid or comm",
			   n->name);
}

/* direct loads from the context, but not from the bytes the kernel
 * keeps (above) */
static bool direct_ok(struct cg *g, const struct addr *a,
		      const struct type *t)
{
	return a->ctx && a->off >= g->pb->prov->ctx_hidden &&
		a->off % t->size == 0;
}

static void cg_mem_scalar(struct cg *g, struct node *n, int dst)
{
	struct addr a;
	int tmp;

	cg_addr(g, n, &a);
	if (direct_ok(g, &a, n->type)) {
		emit_load(g, dst, a.reg, a.off, n->type);
	} else {
		tmp = stack_alloc(g, 8, n);
		emit_read(g, tmp, n->type->size, a.reg, a.off, a.user, false);
		emit_load(g, dst, FP, tmp, n->type);
	}
	if (a.reg != CTX)
		reg_put(g, a.reg);
}

static void cg_mem_store(struct cg *g, struct node *n, int off, int size)
{
	struct addr a;

	cg_addr(g, n, &a);
	emit_read(g, off, size, a.reg, a.off, a.user, false);
	if (a.reg != CTX)
		reg_put(g, a.reg);
}

/* ---------------------------------------------------------------- */
/* conditions                                                       */

static const struct {
	enum tok_kind tok, inv;
	uint8_t u, s;
} cmp_ops[] = {
	{ TOK_EQ, TOK_NE, BPF_JEQ, BPF_JEQ },
	{ TOK_NE, TOK_EQ, BPF_JNE, BPF_JNE },
	{ TOK_LT, TOK_GE, BPF_JLT, BPF_JSLT },
	{ TOK_GE, TOK_LT, BPF_JGE, BPF_JSGE },
	{ TOK_GT, TOK_LE, BPF_JGT, BPF_JSGT },
	{ TOK_LE, TOK_GT, BPF_JLE, BPF_JSLE },
};

static int cmp_index(enum tok_kind op)
{
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(cmp_ops); i++)
		if (cmp_ops[i].tok == op)
			return i;
	return -1;
}

static bool fits_imm(const struct node *n)
{
	return n->kind == N_NUM && n->num <= INT32_MAX;
}

/* a comparison of two numbers; jump to label when (a op b) == when */
static void cg_branch_cmp(struct cg *g, struct node *n, int label, bool when)
{
	struct type *t = type_arith(n->lhs->type, n->rhs->type);
	int i = cmp_index(n->op), a, b;
	uint8_t op;

	if (!when)
		i = cmp_index(cmp_ops[i].inv);
	op = t->sign ? cmp_ops[i].s : cmp_ops[i].u;
	a = reg_get(g, n->lhs);
	cg_expr(g, n->lhs, a);
	emit_convert(g, a, n->lhs->type, t);
	if (fits_imm(n->rhs)) {
		emit_jmp(g->p, BPF_JMP_IMM(op, a, (int32_t)n->rhs->num, 0),
			 label);
	} else {
		b = reg_get(g, n->rhs);
		cg_expr(g, n->rhs, b);
		emit_convert(g, b, n->rhs->type, t);
		emit_jmp(g->p, BPF_JMP_REG(op, a, b, 0), label);
		reg_put(g, b);
	}
	reg_put(g, a);
}

/* jump to label if the truth of n equals when; else fall through */
static void cg_branch(struct cg *g, struct node *n, int label, bool when)
{
	int skip, r;

	if (n->kind == N_UNOP && n->op == TOK_NOT) {
		cg_branch(g, n->lhs, label, !when);
		return;
	}
	if (n->kind == N_BINOP && (n->op == TOK_ANDAND || n->op == TOK_OROR)) {
		bool and = n->op == TOK_ANDAND;

		if (when != and) {	/* && false, || true: either one */
			cg_branch(g, n->lhs, label, when);
			cg_branch(g, n->rhs, label, when);
			return;
		}
		skip = label_new(g->p);
		cg_branch(g, n->lhs, skip, !when);
		cg_branch(g, n->rhs, label, when);
		label_here(g->p, skip);
		return;
	}
	if (n->kind == N_BINOP && cmp_index(n->op) >= 0 &&
	    type_is_scalar(n->lhs->type)) {
		cg_branch_cmp(g, n, label, when);
		return;
	}
	r = reg_get(g, n);
	cg_expr(g, n, r);
	emit_jmp(g->p, BPF_JMP_IMM(when ? BPF_JNE : BPF_JEQ, r, 0, 0), label);
	reg_put(g, r);
}

/* ---------------------------------------------------------------- */
/* scalar expressions: the value in register dst                    */

static const struct {
	enum tok_kind tok;
	uint8_t op;
} alu_ops[] = {
	{ TOK_PLUS, BPF_ADD }, { TOK_MINUS, BPF_SUB }, { TOK_STAR, BPF_MUL },
	{ TOK_SLASH, BPF_DIV }, { TOK_PERCENT, BPF_MOD },
	{ TOK_AMP, BPF_AND }, { TOK_PIPE, BPF_OR }, { TOK_CARET, BPF_XOR },
	{ TOK_SHL, BPF_LSH }, { TOK_SHR, BPF_RSH },
};

/*
 * Signed division and remainder from the unsigned instructions:
 *   r1 = |a|, r2 = |b|, r0 = sign of the result
 *   r1 = r1 / r2 (or %);  if (r0) r1 = -r1;  a = r1
 * The remainder takes the sign of the dividend, as in C.
 */
static void emit_sdiv(struct cg *g, int a, int b, bool mod)
{
	emit(g->p, BPF_MOV64_REG(BPF_REG_1, a));
	emit(g->p, BPF_MOV64_REG(BPF_REG_2, b));
	emit(g->p, BPF_MOV64_IMM(BPF_REG_0, 0));
	emit(g->p, BPF_JMP_IMM(BPF_JSGE, BPF_REG_1, 0, 2));
	emit(g->p, BPF_NEG64(BPF_REG_1));
	emit(g->p, BPF_MOV64_IMM(BPF_REG_0, 1));
	emit(g->p, BPF_JMP_IMM(BPF_JSGE, BPF_REG_2, 0, mod ? 1 : 2));
	emit(g->p, BPF_NEG64(BPF_REG_2));
	if (!mod)	/* a remainder's sign is the dividend's alone */
		emit(g->p, BPF_ALU64_IMM(BPF_XOR, BPF_REG_0, 1));
	emit(g->p, BPF_ALU64_REG(mod ? BPF_MOD : BPF_DIV, BPF_REG_1,
				 BPF_REG_2));
	emit(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 1));
	emit(g->p, BPF_NEG64(BPF_REG_1));
	emit(g->p, BPF_MOV64_REG(a, BPF_REG_1));
}

static void cg_alu(struct cg *g, struct node *n, int dst)
{
	const struct type *t = n->type;
	uint8_t op = 0;
	size_t i;
	int b, scale = 1;

	for (i = 0; i < ARRAY_SIZE(alu_ops); i++)
		if (alu_ops[i].tok == n->op)
			op = alu_ops[i].op;
	if (op == BPF_RSH && t->sign)
		op = BPF_ARSH;
	if (t->kind == TY_PTR && t->base->size > 1)
		scale = t->base->size;	/* pointer arithmetic */
	cg_expr(g, n->lhs, dst);
	b = reg_get(g, n->rhs);
	cg_expr(g, n->rhs, b);
	if (scale > 1)
		emit(g->p, BPF_ALU64_IMM(BPF_MUL, b, scale));
	if (t->sign && (op == BPF_DIV || op == BPF_MOD))
		emit_sdiv(g, dst, b, op == BPF_MOD);
	else
		emit(g->p, BPF_ALU64_REG(op, dst, b));
	reg_put(g, b);
	emit_extend(g, dst, t);
}

static void cg_bool(struct cg *g, struct node *n, int dst);

static void cg_binop(struct cg *g, struct node *n, int dst)
{
	if ((n->op == TOK_EQ || n->op == TOK_NE) && type_is_str(n->lhs->type)) {
		cg_strcmp(g, n->lhs, n->rhs, dst);
		emit(g->p, BPF_MOV64_IMM(BPF_REG_0, 1));
		emit(g->p, BPF_JMP_IMM(n->op == TOK_EQ ? BPF_JEQ : BPF_JNE,
				       dst, 0, 1));
		emit(g->p, BPF_MOV64_IMM(BPF_REG_0, 0));
		emit(g->p, BPF_MOV64_REG(dst, BPF_REG_0));
		return;
	}
	if (cmp_index(n->op) < 0 && n->op != TOK_ANDAND && n->op != TOK_OROR) {
		cg_alu(g, n, dst);
		return;
	}
	cg_bool(g, n, dst);
}

/* dst = n ? 1 : 0, for comparisons, && || and ! */
static void cg_bool(struct cg *g, struct node *n, int dst)
{
	int t, end;

	t = label_new(g->p);
	end = label_new(g->p);
	cg_branch(g, n, t, true);
	emit(g->p, BPF_MOV64_IMM(dst, 0));
	emit_jmp(g->p, BPF_JMP_A(0), end);
	label_here(g->p, t);
	emit(g->p, BPF_MOV64_IMM(dst, 1));
	label_here(g->p, end);
}

static void cg_unop(struct cg *g, struct node *n, int dst)
{
	switch (n->op) {
	case TOK_STAR:
		cg_mem_scalar(g, n, dst);
		return;
	case TOK_NOT:
		cg_bool(g, n, dst);
		return;
	default:
		break;
	}
	cg_expr(g, n->lhs, dst);
	if (n->op == TOK_MINUS)
		emit(g->p, BPF_NEG64(dst));
	else
		emit(g->p, BPF_ALU64_IMM(BPF_XOR, dst, -1));
	emit_extend(g, dst, n->type);
}

static void cg_cond(struct cg *g, struct node *n, int dst)
{
	int els = label_new(g->p), end = label_new(g->p);

	cg_branch(g, n->cond, els, false);
	cg_expr(g, n->then, dst);
	emit_jmp(g->p, BPF_JMP_A(0), end);
	label_here(g->p, els);
	cg_expr(g, n->els, dst);
	label_here(g->p, end);
}

/* a built-in's value, from its row in builtin.c */
static void cg_builtin(struct cg *g, struct node *n, int dst)
{
	if (n->bi && n->bi->emit)
		n->bi->emit(g, n, dst);
	else
		diag_error(n->loc, "%s has no value here", n->name);
}

/* a string operand in memory: its stack offset */
int str_operand(struct cg *g, struct node *n)
{
	int off = stack_alloc(g, n->type->size, n);

	cg_store(g, n, off, n->type);
	return off;
}

/*
 * strcmp, unrolled over the shorter string:
 *   r1 = a[i]; r2 = b[i]; if (r1 != r2) goto diff; if (!r1) goto same
 * dst = r1 - r2 at diff, 0 at same.  A literal side is an immediate.
 */
void cg_strcmp(struct cg *g, struct node *a, struct node *b, int dst)
{
	cg_strncmp(g, a, b, INT32_MAX, dst);
}

void cg_strncmp(struct cg *g, struct node *a, struct node *b, int max,
		int dst)
{
	int diff = label_new(g->p), same = label_new(g->p);
	int end = label_new(g->p), ao, bo = 0, i, len;
	bool swap = a->kind == N_STR;

	if (swap) {			/* the literal goes second */
		struct node *t = a;
		a = b, b = t;
	}
	ao = str_operand(g, a);
	if (b->kind != N_STR)
		bo = str_operand(g, b);
	len = a->type->size < b->type->size ? a->type->size : b->type->size;
	if (b->kind == N_STR && b->slen + 1 < len)
		len = b->slen + 1;
	if (max < len)
		len = max;
	emit_comment(g->p, "strcmp");
	for (i = 0; i < len; i++) {
		emit(g->p, BPF_LDX_MEM(BPF_B, BPF_REG_1, FP, ao + i));
		if (b->kind == N_STR)
			emit(g->p, BPF_MOV64_IMM(BPF_REG_2,
				 i < b->slen ? (uint8_t)b->str[i] : 0));
		else
			emit(g->p, BPF_LDX_MEM(BPF_B, BPF_REG_2, FP, bo + i));
		emit_jmp(g->p, BPF_JMP_REG(BPF_JNE, BPF_REG_1, BPF_REG_2, 0),
			 diff);
		if (i + 1 < len)
			emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 0),
				 same);
	}
	label_here(g->p, same);
	emit(g->p, BPF_MOV64_IMM(dst, 0));
	emit_jmp(g->p, BPF_JMP_A(0), end);
	label_here(g->p, diff);
	emit(g->p, BPF_MOV64_REG(dst, BPF_REG_1));
	emit(g->p, BPF_ALU64_REG(BPF_SUB, dst, BPF_REG_2));
	if (swap)
		emit(g->p, BPF_NEG64(dst));
	label_here(g->p, end);
}

/* the value of a constant expression (literals and operators on them),
 * wrapped to its type; false if n is not constant */
static bool constant(const struct node *n, int64_t *v)
{
	int64_t a, b;

	if (n->kind == N_NUM) {
		*v = n->num;
		return true;
	}
	if (n->kind == N_UNOP && n->op != TOK_STAR && constant(n->lhs, &a)) {
		if (n->op == TOK_MINUS)
			*v = (int64_t)(0 - (uint64_t)a);
		else
			*v = n->op == TOK_TILDE ? ~a : !a;
	} else if (n->kind == N_BINOP && constant(n->lhs, &a) &&
		   constant(n->rhs, &b) && n->type->kind == TY_INT) {
		switch (n->op) {
		case TOK_PLUS: *v = (uint64_t)a + b; break;
		case TOK_MINUS: *v = (uint64_t)a - b; break;
		case TOK_STAR: *v = (uint64_t)a * b; break;
		case TOK_AMP: *v = a & b; break;
		case TOK_PIPE: *v = a | b; break;
		case TOK_CARET: *v = a ^ b; break;
		case TOK_SHL: *v = b >= 0 && b < 64 ? (uint64_t)a << b : 0; break;
		default: return false;
		}
	} else {
		return false;
	}
	if (n->type->size < 8) {		/* C's wrap-around */
		int bits = n->type->size * 8;
		uint64_t m = (1ULL << bits) - 1, u = (uint64_t)*v & m;

		*v = n->type->sign && (u >> (bits - 1)) ? (int64_t)(u | ~m) :
			(int64_t)u;
	}
	return true;
}

void cg_expr(struct cg *g, struct node *n, int dst)
{
	int64_t k;

	if (n->kind != N_NUM && constant(n, &k)) {
		emit_mov_imm(g, dst, k);
		return;
	}

	switch (n->kind) {
	case N_NUM:
		emit_mov_imm(g, dst, n->num);
		break;
	case N_IDENT:
	case N_CALL:
		cg_builtin(g, n, dst);
		break;
	case N_CTX:
		emit(g->p, BPF_MOV64_REG(dst, CTX));
		break;
	case N_VAR:
		emit_load(g, dst, FP, n->var->off, n->var->type);
		break;
	case N_MAP:
		cg_map_read(g, n, dst);
		break;
	case N_BINOP:
		cg_binop(g, n, dst);
		break;
	case N_UNOP:
		cg_unop(g, n, dst);
		break;
	case N_COND:
		cg_cond(g, n, dst);
		break;
	case N_MEMBER:
	case N_INDEX:
		if (in_memory(n))
			cg_mem_scalar(g, n, dst);
		else
			emit_load(g, dst, FP, value_off(g, n), n->type);
		break;
	case N_CAST:
		cg_expr(g, n->lhs, dst);
		emit_convert(g, dst, n->lhs->type, n->type);
		break;
	default:
		diag_error(n->loc, "this has no value");
		break;
	}
}

/* ---------------------------------------------------------------- */
/* values in memory: n written at r10 + off as type `to`            */

static void cg_store_str(struct cg *g, struct node *n, int off, int size)
{
	uint8_t *b = xcalloc(1, size);

	memcpy(b, n->str, n->slen < size ? n->slen : size);
	emit_bytes(g, off, b, size);
	xfree(b);
}

/* (a, b): zeroes (padding in a key must be 0), then each value */
static void cg_store_tuple(struct cg *g, struct node *n, int off)
{
	const struct type *t = n->type;
	struct node *a;
	int i;

	emit_zero(g, off, t->size);
	for (a = n->args, i = 0; a; a = a->next, i++)
		cg_store(g, a, off + t->fields[i].off, t->fields[i].type);
}

static void cg_store_mem(struct cg *g, struct node *n, int off,
			 struct type *to)
{
	int size = n->type->size < to->size ? n->type->size : to->size, r;

	switch (n->kind) {
	case N_STR:
		cg_store_str(g, n, off, to->size);
		return;
	case N_IDENT:		/* comm */
	case N_CALL:		/* str(), mem(), dyn() */
		if (!n->bi || !n->bi->store) {
			diag_error(n->loc, "can't store this value");
			return;
		}
		n->bi->store(g, n, off, size);
		break;
	case N_VAR:
		emit_copy(g, off, FP, n->var->off, size);
		break;
	case N_MAP:
		cg_map_read_mem(g, n, off, to);
		return;
	case N_MEMBER:
	case N_UNOP:
	case N_INDEX:
		if (in_memory(n))
			cg_mem_store(g, n, off, size);
		else
			emit_copy(g, off, FP, value_off(g, n), size);
		break;
	case N_TUPLE:
		cg_store_tuple(g, n, off);
		break;
	case N_CAST:		/* an integer's bytes: (uint8[4])x */
		r = reg_get(g, n->lhs);
		cg_expr(g, n->lhs, r);
		emit(g->p, BPF_STX_MEM(bpf_size(n->type->size), FP, r, off));
		reg_put(g, r);
		break;
	default:
		diag_error(n->loc, "can't store this value");
		return;
	}
	if (to->size > size)
		emit_zero(g, off + size, to->size - size);
}

void cg_store(struct cg *g, struct node *n, int off, struct type *to)
{
	int r, els, end;

	if (n->kind == N_COND && !type_is_scalar(n->type)) {
		els = label_new(g->p);
		end = label_new(g->p);
		cg_branch(g, n->cond, els, false);
		cg_store(g, n->then, off, to);
		emit_jmp(g->p, BPF_JMP_A(0), end);
		label_here(g->p, els);
		cg_store(g, n->els, off, to);
		label_here(g->p, end);
		return;
	}
	if (!type_is_scalar(n->type)) {
		cg_store_mem(g, n, off, to);
		return;
	}
	if (n->kind == N_MAP) {	/* no pool register: keys of keys */
		cg_map_read(g, n, BPF_REG_1);
		emit(g->p, BPF_STX_MEM(bpf_size(to->size), FP, BPF_REG_1, off));
		return;
	}
	r = reg_get(g, n);
	cg_expr(g, n, r);
	emit(g->p, BPF_STX_MEM(bpf_size(to->size), FP, r, off));
	reg_put(g, r);
}

/* ---------------------------------------------------------------- */
/* actions                                                          */

/* perf_event_output(ctx, outmap, BPF_F_CURRENT_CPU, rec, size), rec
 * being r10 + off, or register reg's pointer if reg >= 0 */
static void emit_perf_output(struct cg *g, int reg, int off, int size)
{
	emit(g->p, BPF_MOV64_REG(BPF_REG_1, CTX));
	emit_ld_map(g->p, BPF_REG_2, g->s->outmap, false);
	emit(g->p, BPF_ALU32_IMM(BPF_MOV, BPF_REG_3, -1)); /* CURRENT_CPU */
	if (reg >= 0)
		emit(g->p, BPF_MOV64_REG(BPF_REG_4, reg));
	else
		emit_fp_addr(g, BPF_REG_4, off);
	emit(g->p, BPF_MOV64_IMM(BPF_REG_5, size));
	emit_call(g, BPF_FUNC_perf_event_output);
}

/*
 * The slot of countmap, this CPU's: the programs count what they lose
 * (exactly: each CPU its own), user space sums the CPUs at exit.  Only
 * on the paths where something was lost.
 *	*(u32 *)(r10 + k) = 0; r0 = lookup(countmap, r10 + k)
 *	if (r0) { r1 = r0[slot]; r1 += 1; r0[slot] = r1 }		*/
void emit_count(struct cg *g, int slot, struct node *n)
{
	int key = stack_alloc(g, 4, n), none = label_new(g->p);

	emit(g->p, BPF_ST_MEM(BPF_W, FP, key, 0));
	emit_ld_map(g->p, BPF_REG_1, g->s->countmap, false);
	emit_fp_addr(g, BPF_REG_2, key);
	emit_call(g, BPF_FUNC_map_lookup_elem);
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), none);
	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, slot * 8));
	emit(g->p, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
	emit(g->p, BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, slot * 8));
	label_here(g->p, none);
}

/* ringbuf_output(outmap, rec, size, 0) (rec as emit_perf_output's);
 * when the buffer is full the record is dropped, and counted
 * (COUNT_LOST) */
static void emit_ringbuf_output(struct cg *g, int reg, int off, int size,
				struct node *n)
{
	int ok = label_new(g->p);

	emit_ld_map(g->p, BPF_REG_1, g->s->outmap, false);
	if (reg >= 0)
		emit(g->p, BPF_MOV64_REG(BPF_REG_2, reg));
	else
		emit_fp_addr(g, BPF_REG_2, off);
	emit(g->p, BPF_MOV64_IMM(BPF_REG_3, size));
	emit(g->p, BPF_MOV64_IMM(BPF_REG_4, 0));
	emit_call(g, BPF_FUNC_ringbuf_output);
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), ok);
	emit_count(g, COUNT_LOST, n);
	label_here(g->p, ok);
}

static void emit_output(struct cg *g, int reg, int off, int size,
			struct node *n)
{
	if (g->k->ringbuf)
		emit_ringbuf_output(g, reg, off, size, n);
	else
		emit_perf_output(g, reg, off, size);
}

struct map *global_map(struct cg *g)
{
	struct map *m = g->s->globalmap;

	if (!m) {
		m = g->s->globalmap = xcalloc(1, sizeof(*m));
		m->name = "globals";
		m->fd = -1;
		m->ktype = &ty_u32;
		m->vtype = type_array(&ty_u64, GLOBAL_NSLOTS);
		m->type = BPF_MAP_TYPE_ARRAY;
		m->max_entries = 1;
	}
	return m;
}

/* this CPU's scratch room for a record of size bytes: its address in
 * a pool register, or a jump to out (never taken) */
static int scratch(struct cg *g, struct node *n, int size, int out)
{
	struct map *m = g->s->scratchmap;
	int key = stack_alloc(g, 4, n), r;

	if (!m) {
		m = g->s->scratchmap = xcalloc(1, sizeof(*m));
		m->name = "scratch";
		m->fd = -1;
		m->ktype = &ty_u32;
		m->vtype = type_str(size);
		m->type = BPF_MAP_TYPE_PERCPU_ARRAY;
		m->max_entries = 1;
	}
	if (size > m->vtype->size)
		m->vtype = type_str(size);
	emit(g->p, BPF_ST_MEM(BPF_W, FP, key, 0));
	emit_ld_map(g->p, BPF_REG_1, m, false);
	emit_fp_addr(g, BPF_REG_2, key);
	emit_call(g, BPF_FUNC_map_lookup_elem);
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), out);
	r = reg_get(g, n);
	emit(g->p, BPF_MOV64_REG(r, BPF_REG_0));
	return r;
}

/*
 * join(argv): the strings of a NULL-ended array of pointers, each read
 * into its JOIN_LEN bytes of a record too big for the stack:
 *	rec = scratch; rec.id = id; rec.str[i][0] = 0 for every i
 *	for i: tmp = argv[i] (a kernel word); if (!tmp) goto send;
 *	       read_str(rec.str[i], JOIN_LEN, tmp)
 * send: output(rec)							*/
static void cg_join(struct cg *g, struct node *n)
{
	struct node *arg = n->args;
	int out = label_new(g->p), send = label_new(g->p);
	int word = g->k->arch->word, size = 8 + JOIN_MAX * JOIN_LEN;
	int rec = scratch(g, n, size, out), argv, tmp, i;
	bool user = arg->type->kind == TY_PTR && arg->type->user;

	emit(g->p, BPF_ST_MEM(BPF_DW, rec, 0, n->action->id));
	for (i = 0; i < JOIN_MAX; i++)
		emit(g->p, BPF_ST_MEM(BPF_B, rec, 8 + i * JOIN_LEN, 0));
	argv = reg_get(g, arg);
	cg_expr(g, arg, argv);
	tmp = stack_alloc(g, 8, n);
	for (i = 0; i < JOIN_MAX; i++) {
		emit(g->p, BPF_ST_MEM(BPF_DW, FP, tmp, 0));
		emit_read(g, tmp, word, argv, i * word, user, false);
		emit_load(g, BPF_REG_3, FP, tmp, type_int(word, false));
		emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, 0), send);
		emit(g->p, BPF_MOV64_REG(BPF_REG_1, rec));
		emit(g->p, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 8 + i * JOIN_LEN));
		emit(g->p, BPF_MOV64_IMM(BPF_REG_2, JOIN_LEN));
		emit_call(g, user ? BPF_FUNC_probe_read_user_str :
			  BPF_FUNC_probe_read_kernel_str);
	}
	label_here(g->p, send);
	reg_put(g, argv);
	emit_output(g, rec, 0, size, n);
	reg_put(g, rec);
	label_here(g->p, out);
}

/* a record { u64 id; args } sent to user space */
void cg_action(struct cg *g, struct node *n, int dst)
{
	struct action *a = n->action;
	struct node *arg = n->args;
	int size = 8 + a->args->size, off, i;

	(void)dst;
	emit_comment(g->p, "%s()", n->bi->name);
	switch (a->kind) {
	case ACT_JOIN:
		cg_join(g, n);
		return;
	case ACT_PRINTF:
	case ACT_SYSTEM:
	case ACT_CAT:
		arg = arg->next;
		break;
	case ACT_CLEAR:
	case ACT_PRINTMAP:
	case ACT_ZERO:
	case ACT_TIME:
		arg = NULL;
		break;
	case ACT_EXIT:
		emit_ld_map(g->p, BPF_REG_1, g->s->exitmap, true);
		emit(g->p, BPF_ST_MEM(BPF_W, BPF_REG_1, 0, 1));
		break;
	default:
		break;
	}
	off = stack_alloc(g, size, n);
	emit(g->p, BPF_ST_MEM(BPF_DW, FP, off, a->id));
	for (i = 0; arg; arg = arg->next, i++)
		cg_store(g, arg, off + 8 + a->args->fields[i].off,
			 a->args->fields[i].type);
	emit_output(g, -1, off, size, n);
}

/* ---------------------------------------------------------------- */
/* statements                                                       */

static void cg_discard(struct cg *g, struct node *n)
{
	int r;

	if (n->kind == N_CALL && n->bi->kind == BI_ACTION) {
		n->bi->emit(g, n, -1);
	} else if (type_is_scalar(n->type)) {
		r = reg_get(g, n);
		cg_expr(g, n, r);
		reg_put(g, r);
	} else if (n->type->kind != TY_VOID) {
		str_operand(g, n);
	}
}

static void cg_assign(struct cg *g, struct node *n)
{
	if (n->lhs->kind == N_VAR) {
		cg_store(g, n->rhs, n->lhs->var->off, n->lhs->var->type);
	} else if (n->rhs->kind == N_CALL && n->rhs->bi->kind == BI_AGG) {
		cg_aggregate(g, n);
	} else {
		cg_map_assign(g, n);
	}
}

/*
 * Loops, which the kernel's verifier takes from Linux 5.3 on as long as
 * it can see them end:
 *	while:	top: [cond, else goto end]; body; goto top; end:
 *	for ($i : a..b): $i = a; top: if !($i < b) goto end; body;
 *		next: $i += 1; goto top; end:
 *	unroll(N): the body N times (continue: the next copy)
 * break goes to end, continue to next (top for while).
 */
/* for ($kv : @m): bpf_for_each_map_elem(m, body, ctx, 0), the body a
 * subprogram emitted after the probe (cg_callback) */
static void cg_for_map(struct cg *g, struct node *n)
{
	struct callbacks *cb = g->cbs;
	int label = label_new(g->p), ctx = stack_alloc(g, 8, n);

	if (cb->n == MAX_CALLBACKS || cb->n == 15) {
		diag_error(n->loc, "more than %d for loops over maps in a "
			   "probe", MAX_CALLBACKS);
		return;
	}
	cb->loop[cb->n] = n;
	cb->label[cb->n++] = label;
	emit_comment(g->p, "for over %s", n->rhs->map->name);
	/* the callback's context is on the stack: the probe's context */
	emit(g->p, BPF_STX_MEM(BPF_DW, FP, CTX, ctx));
	emit_ld_map(g->p, BPF_REG_1, n->rhs->map, false);
	emit_ld_func(g->p, BPF_REG_2, label);
	emit_fp_addr(g, BPF_REG_3, ctx);
	emit(g->p, BPF_MOV64_IMM(BPF_REG_4, 0));
	emit_call(g, BPF_FUNC_for_each_map_elem);
}

static void cg_loop(struct cg *g, struct node *n)
{
	int top = label_new(g->p), end = label_new(g->p), next, i;
	struct var *v = n->op == TOK_FOR ? n->lhs->var : NULL;

	if (n->op == TOK_FOR && n->rhs->kind == N_MAP) {
		cg_for_map(g, n);
		return;
	}
	if (g->nloops == MAX_NESTING) {
		diag_error(n->loc, "loops nested too deep");
		return;
	}
	g->brk[g->nloops] = end;
	if (n->op == TOK_UNROLL) {
		for (i = 0; i < (int)n->num; i++) {
			next = label_new(g->p);
			g->cont[g->nloops++] = next;
			cg_stmt(g, n->body);
			g->nloops--;
			label_here(g->p, next);
		}
		label_here(g->p, end);
		return;
	}
	next = n->op == TOK_FOR ? label_new(g->p) : top;
	if (v)
		cg_store(g, n->rhs->lhs, v->off, v->type);
	label_here(g->p, top);
	if (n->op == TOK_WHILE) {
		cg_branch(g, n->cond, end, false);
	} else {
		struct node lt = { .kind = N_BINOP, .op = TOK_LT, .loc = n->loc,
				   .lhs = n->lhs, .rhs = n->rhs->rhs,
				   .type = &ty_int };

		cg_branch(g, &lt, end, false);
	}
	g->cont[g->nloops++] = next;
	cg_stmt(g, n->body);
	g->nloops--;
	if (v) {
		label_here(g->p, next);
		emit_load(g, BPF_REG_1, FP, v->off, v->type);
		emit(g->p, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
		emit(g->p, BPF_STX_MEM(bpf_size(v->type->size), FP, BPF_REG_1,
				       v->off));
	}
	emit_jmp(g->p, BPF_JMP_A(0), top);
	label_here(g->p, end);
}

static bool is_return(const struct node *n)
{
	if (n->kind == N_BLOCK && n->body && !n->body->next)
		n = n->body;
	return n->kind == N_RETURN;
}

static void cg_if(struct cg *g, struct node *n)
{
	int els = label_new(g->p), end = label_new(g->p);

	if (is_return(n->then) && !n->els) {	/* if (c) return; */
		cg_branch(g, n->cond, g->ret, true);
		return;
	}
	cg_branch(g, n->cond, els, false);
	cg_stmt(g, n->then);
	if (n->els)
		emit_jmp(g->p, BPF_JMP_A(0), end);
	label_here(g->p, els);
	if (n->els) {
		cg_stmt(g, n->els);
		label_here(g->p, end);
	}
}

/* statements after a return are never run: the verifier rejects them */
static void cg_stmts(struct cg *g, struct node *n)
{
	for (; n; n = n->next) {
		cg_stmt(g, n);
		if (n->kind == N_RETURN || n->kind == N_BREAK ||
		    n->kind == N_CONTINUE)
			break;
	}
}

static void cg_stmt(struct cg *g, struct node *n)
{
	int sp = g->sp;

	switch (n->kind) {
	case N_EXPR:
		cg_discard(g, n->lhs);
		break;
	case N_ASSIGN:
		cg_assign(g, n);
		break;
	case N_DELETE:
		cg_map_delete(g, n->lhs);
		break;
	case N_IF:
		cg_if(g, n);
		break;
	case N_BLOCK:
		cg_stmts(g, n->body);
		break;
	case N_RETURN:
		emit_jmp(g->p, BPF_JMP_A(0), g->ret);
		break;
	case N_LOOP:
		cg_loop(g, n);
		break;
	case N_BREAK:
		emit_jmp(g->p, BPF_JMP_A(0), g->brk[g->nloops - 1]);
		break;
	case N_CONTINUE:
		emit_jmp(g->p, BPF_JMP_A(0), g->cont[g->nloops - 1]);
		break;
	default:
		cg_discard(g, n);
		break;
	}
	g->sp = sp;
}

/* ---------------------------------------------------------------- */
/* the probe                                                        */

/* the scratch variables' slots, zeroed: the verifier wants every
 * byte written before it is read */
static void cg_vars(struct cg *g, bool cb)
{
	struct var *v;

	for (v = g->pb->vars; v < g->pb->vars + g->pb->nvars; v++) {
		if (!v->type || v->in_cb != cb)
			continue;	/* never given a value: never read; or
					 * in the other frame */
		v->off = stack_alloc(g, v->type->size, g->pb->ast);
		emit_zero(g, v->off, v->type->size);
	}
}

static void cg_prologue(struct cg *g)
{
	emit_comment(g->p, "%s", g->pb->spec);
	emit(g->p, BPF_MOV64_REG(CTX, BPF_REG_1));
	if (g->s->uses_exit && g->pb->prov->when != PROV_END) {
		/* once exit() has run, probes do nothing */
		emit_ld_map(g->p, BPF_REG_1, g->s->exitmap, true);
		emit(g->p, BPF_LDX_MEM(BPF_W, BPF_REG_1, BPF_REG_1, 0));
		emit_jmp(g->p, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 0, 0), g->ret);
	}
	cg_vars(g, false);
	if (g->pb->ast->cond) {
		emit_comment(g->p, "predicate");
		cg_branch(g, g->pb->ast->cond, g->ret, false);
	}
}

/* the kernel takes at most MAX_MAPS_PER_PROG maps in one program */
static void check_maps_used(struct probe *pb)
{
	struct prog *p = pb->prog;
	int i, j, n = 0;

	for (i = 0; i < p->nreloc; i++) {
		for (j = 0; j < i && p->reloc[j].map != p->reloc[i].map; j++)
			;
		n += j == i;
	}
	if (n > MAX_MAPS_PER_PROG)
		diag_error(pb->ast->loc, "the probe uses %d maps; the kernel "
			   "takes at most %d in one program", n,
			   MAX_MAPS_PER_PROG);
}

/*
 * A for-map loop's body, called for each entry with r1 = the map, r2 =
 * the key, r3 = the value, r4 = where the probe's context is (on its
 * stack); it returns 0 to go on, 1 to stop (break).  Its frame is its
 * own: $kv and the variables used only in it live there.
 *	r6 = *r4; [zero the variables]; $kv = (*r2, *r3); body
 * next: r0 = 0; exit
 * stop: r0 = 1; exit							*/
static void cg_callback(struct cg *main, struct node *n, int label)
{
	struct cg g = { .s = main->s, .pb = main->pb, .k = main->k,
			.p = main->p, .cbs = main->cbs };
	struct var *kv = n->lhs->var;
	int next = label_new(g.p), stop = label_new(g.p);
	const struct field *f;

	label_here(g.p, label);
	g.p->func_label[g.p->nfuncs++] = label;
	emit_comment(g.p, "the body of for over %s", n->rhs->map->name);
	emit(g.p, BPF_LDX_MEM(BPF_DW, CTX, BPF_REG_4, 0));
	cg_vars(&g, true);
	if (kv && kv->type) {
		f = kv->type->fields;
		emit_copy(&g, kv->off + f[0].off, BPF_REG_2, 0, f[0].type->size);
		emit_copy(&g, kv->off + f[1].off, BPF_REG_3, 0, f[1].type->size);
	}
	g.ret = stop;
	g.brk[0] = stop;
	g.cont[0] = next;
	g.nloops = 1;
	cg_stmt(&g, n->body);
	label_here(g.p, next);
	emit(g.p, BPF_MOV64_IMM(BPF_REG_0, 0));
	emit(g.p, BPF_EXIT_INSN());
	if (label_used(g.p, stop)) {	/* unreachable code is refused */
		label_here(g.p, stop);
		emit(g.p, BPF_MOV64_IMM(BPF_REG_0, 1));
		emit(g.p, BPF_EXIT_INSN());
	}
	if (g.max_sp > main->cbs->max_sp)
		main->cbs->max_sp = g.max_sp;
}

int codegen_probe(struct script *s, struct probe *pb)
{
	struct callbacks cbs = { .n = 0 };
	struct cg g = { .s = s, .pb = pb, .k = s->k, .cbs = &cbs };
	int err, before = diag_nerrors, i;

	pb->prog = xcalloc(1, sizeof(*pb->prog));
	asm_init(pb->prog);
	g.p = pb->prog;
	g.ret = label_new(g.p);
	cg_prologue(&g);
	cg_stmts(&g, pb->ast->body);
	label_here(g.p, g.ret);
	emit(g.p, BPF_MOV64_IMM(BPF_REG_0, 0));
	emit(g.p, BPF_EXIT_INSN());
	for (i = 0; i < cbs.n; i++)	/* (a body's own loops add more) */
		cg_callback(&g, cbs.loop[i], cbs.label[i]);
	/* the verifier counts the frames of a call chain together */
	if (cbs.n && g.max_sp + cbs.max_sp > 512)
		diag_error(pb->ast->loc, "the probe and its for loops over "
			   "maps need %d bytes of stack together; the kernel "
			   "gives 512", g.max_sp + cbs.max_sp);
	pb->stack_size = g.max_sp;
	check_maps_used(pb);
	err = asm_finish(g.p);
	if (err == -E2BIG)
		diag_error(pb->ast->loc, "the probe is too big: more than %d "
			   "instructions", PROG_MAX_INSNS);
	else if (err)
		diag_error(pb->ast->loc, "the probe is too big: a jump is out "
			   "of range");
	return diag_nerrors > before ? -1 : 0;
}
