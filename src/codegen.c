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
 * argument where perf_event_output sends it from.  Stack is allocated
 * downwards from r10; temporaries are released at the end of each
 * statement, scratch variables ($x) live for the whole probe.
 *
 * Aggregations are per-CPU maps: an update is a lookup, an insert of
 * zeroes the first time, and a plain add on this CPU's copy, exact
 * under concurrency and without atomic instructions (which 32-bit JITs
 * lack).  A keyless one is a per-CPU array's one entry; a keyed count()
 * or sum() first tries its key's slot in a per-CPU cache of hot keys
 * (ply.h), so the common event costs no hash lookup.  Actions (print,
 * printf, exit, clear) send a record through the output map; its first
 * u64 is the action's id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ply.h"
#include "bpf_insn.h"

#define CTX	BPF_REG_6
#define FP	BPF_REG_10

struct cg_var {
	const char *name;
	int off;
	struct type *type;
};

struct cg {
	struct script *s;
	struct probe *pb;
	struct prog *p;
	int sp;			/* bytes of stack in use */
	int max_sp;
	bool busy[BPF_REG_10];	/* the r7-r9 pool */
	int ret;		/* label: return 0 */
	struct cg_var vars[32];
	int nvars;
};

static void cg_expr(struct cg *g, struct node *n, int dst);
static void cg_store(struct cg *g, struct node *n, int off, struct type *to);
static void cg_stmt(struct cg *g, struct node *n);
static void cg_stmts(struct cg *g, struct node *n);

/* ---------------------------------------------------------------- */
/* resources: stack and registers                                   */

static int stack_alloc(struct cg *g, int size, struct node *n)
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

static int reg_get(struct cg *g, struct node *n)
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

static void reg_put(struct cg *g, int r)
{
	if (r >= BPF_REG_7 && r <= BPF_REG_9)
		g->busy[r] = false;
}

/* ---------------------------------------------------------------- */
/* small emitters                                                   */

static void emit_mov_imm(struct cg *g, int dst, uint64_t v)
{
	if ((int64_t)v >= INT32_MIN && (int64_t)v <= INT32_MAX) {
		emit(g->p, BPF_MOV64_IMM(dst, (int32_t)v));
		return;
	}
	emit(g->p, BPF_LD_IMM64_LO(dst, 0, v));
	emit(g->p, BPF_LD_IMM64_HI(v));
}

/* dst = r10 + off */
static void emit_fp_addr(struct cg *g, int dst, int off)
{
	emit(g->p, BPF_MOV64_REG(dst, FP));
	emit(g->p, BPF_ALU64_IMM(BPF_ADD, dst, off));
}

static void emit_call(struct cg *g, int fn)
{
	emit(g->p, BPF_CALL_HELPER(fn));
}

/* make reg hold a value of type t: truncate, then sign/zero-extend */
static void emit_extend(struct cg *g, int reg, const struct type *t)
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
static void emit_convert(struct cg *g, int reg, const struct type *from,
			 const struct type *to)
{
	if (to->size < 8 && (from->size > to->size ||
			     (from->sign && !to->sign)))
		emit_extend(g, reg, to);
}

/* dst = *(t *)(src + off), extended */
static void emit_load(struct cg *g, int dst, int src, int off,
		      const struct type *t)
{
	emit(g->p, BPF_LDX_MEM(bpf_size(t->size), dst, src, off));
	if (t->sign)
		emit_extend(g, dst, t);
}

/* the widest access (8, 4, 2, 1) that is aligned at both offsets and
 * fits: the verifier wants aligned stack accesses */
static int piece(int a, int b, int left)
{
	int w;

	for (w = 8; w > 1; w /= 2)
		if (left >= w && !(a & (w - 1)) && !(b & (w - 1)))
			break;
	return w;
}

/* zero size bytes at r10 + off */
static void emit_zero(struct cg *g, int off, int size)
{
	int i, w;

	for (i = 0; i < size; i += w) {
		w = piece(off + i, 0, size - i);
		emit(g->p, BPF_ST_MEM(bpf_size(w), FP, off + i, 0));
	}
}

/* copy size bytes from [src + soff] to [r10 + doff] through r1 */
static void emit_copy(struct cg *g, int doff, int src, int soff, int size)
{
	int i, w;

	for (i = 0; i < size; i += w) {
		w = piece(doff + i, soff + i, size - i);
		emit(g->p, BPF_LDX_MEM(bpf_size(w), BPF_REG_1, src, soff + i));
		emit(g->p, BPF_STX_MEM(bpf_size(w), FP, BPF_REG_1, doff + i));
	}
}

/* the bytes b[0..size) at r10 + off, as immediates (st takes 32 bits) */
static void emit_bytes(struct cg *g, int off, const uint8_t *b, int size)
{
	int i, w;
	uint32_t v;

	for (i = 0; i < size; i += w) {
		w = piece(off + i, 0, size - i);
		if (w == 8)
			w = 4;
		if (w == 1) {
			v = b[i];
		} else if (w == 2) {
			uint16_t h;

			memcpy(&h, b + i, 2);	/* host order: the target's */
			v = h;
		} else {
			memcpy(&v, b + i, 4);
		}
		emit(g->p, BPF_ST_MEM(bpf_size(w), FP, off + i, (int32_t)v));
	}
}

/* probe_read{,_str}_{kernel,user}(r10 + off, size, src + soff) */
static void emit_read(struct cg *g, int off, int size, int src, int soff,
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
/* maps                                                             */

/* the key of n (N_MAP) built in place; returns its stack offset */
static int cg_key(struct cg *g, struct node *n)
{
	struct map *m = n->map;
	int off = stack_alloc(g, m->ktype->size, n);
	struct node *a;
	int i = 0;

	if (!n->args) {
		emit(g->p, BPF_ST_MEM(BPF_W, FP, off, 0));
		return off;
	}
	emit_comment(g->p, "key of %s", m->name);
	/* every field is written whole; the padding must be 0 */
	for (a = n->args; a; a = a->next, i++) {
		const struct field *f = &m->ktype->fields[i];
		int end = a->next ? f[1].off : m->ktype->size;

		cg_store(g, a, off + f->off, f->type);
		emit_zero(g, off + f->off + f->type->size,
			  end - f->off - f->type->size);
	}
	return off;
}

/* r0 = lookup(m, r10 + key) */
static void emit_lookup(struct cg *g, struct map *m, int key)
{
	emit_ld_map(g->p, BPF_REG_1, m, false);
	emit_fp_addr(g, BPF_REG_2, key);
	emit_call(g, BPF_FUNC_map_lookup_elem);
}

/* update(m, r10 + key, val, flags), val already in r3 */
static void emit_update(struct cg *g, struct map *m, int key, int flags)
{
	emit_ld_map(g->p, BPF_REG_1, m, false);
	emit_fp_addr(g, BPF_REG_2, key);
	emit(g->p, BPF_MOV64_IMM(BPF_REG_4, flags));
	emit_call(g, BPF_FUNC_map_update_elem);
}

static struct map *zeromap(struct cg *g, int size)
{
	struct map *m = g->s->zeromap;

	if (!m) {
		m = g->s->zeromap = xcalloc(1, sizeof(*m));
		m->name = "zero";
		m->fd = -1;
		m->ktype = &ty_u32;
		m->vtype = type_str(8);
		m->max_entries = 1;
	}
	if (size > m->vtype->size)
		m->vtype = type_str(size);
	return m;
}

/* r0 = this CPU's value of the aggregation at key, created as zeroes;
 * jumps to out when the map is full.  A keyless aggregation is the one
 * entry of a per-CPU array, always there. */
static void emit_agg_value(struct cg *g, struct node *n, int key, int out)
{
	struct map *m = n->map;
	int have = label_new(g->p), zero;

	emit_lookup(g, m, key);
	if (m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		/* always there; the check is for the verifier */
		emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), out);
		return;
	}
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 0), have);
	if (m->vtype->size <= 64) {
		zero = stack_alloc(g, m->vtype->size, n);
		emit_zero(g, zero, m->vtype->size);
		emit_fp_addr(g, BPF_REG_3, zero);
	} else {
		emit_ld_map(g->p, BPF_REG_3, zeromap(g, m->vtype->size), true);
	}
	emit_update(g, m, key, BPF_NOEXIST);
	emit_lookup(g, m, key);
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), out);
	label_here(g->p, have);
}

/* v (copied) -> its log2 bucket in idx; negatives to the last slot */
static void emit_bucket(struct cg *g, int v, int idx, const struct type *t)
{
	int done = label_new(g->p), i;

	emit_comment(g->p, "log2 bucket");
	if (t->base->sign) {
		emit(g->p, BPF_MOV64_IMM(idx, t->len - 1));
		emit_jmp(g->p, BPF_JMP_IMM(BPF_JSLT, v, 0, 0), done);
	}
	emit(g->p, BPF_MOV64_IMM(idx, 0));
	if (t->base->size > 4) {
		/* r1 = v >> 32; if (r1) { idx += 32; v = r1; } */
		emit(g->p, BPF_MOV64_REG(BPF_REG_1, v));
		emit(g->p, BPF_ALU64_IMM(BPF_RSH, BPF_REG_1, 32));
		emit(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 2));
		emit(g->p, BPF_ALU64_IMM(BPF_ADD, idx, 32));
		emit(g->p, BPF_MOV64_REG(v, BPF_REG_1));
	}
	for (i = 16; i; i >>= 1) {
		/* if (v > 2^i - 1) { idx += i; v >>= i; } */
		emit(g->p, BPF_JMP_IMM(BPF_JLE, v, (1 << i) - 1, 2));
		emit(g->p, BPF_ALU64_IMM(BPF_ADD, idx, i));
		emit(g->p, BPF_ALU64_IMM(BPF_RSH, v, i));
	}
	label_here(g->p, done);
}

/* r0 = the slot of the key at r10 + key in m's hot-key cache (ply.h),
 * else jump to out (never: the index is in range, but the verifier
 * wants the check)
 *	r1 = k[0] ^ k[1] ^ ...; r1 *= HOT_HASH_MUL; r1 >>= 64 - log2(slots)
 *	*(u32 *)(r10 + idx) = r1; r0 = lookup(hot, r10 + idx)		*/
static void emit_hot_slot(struct cg *g, struct node *n, int key, int out)
{
	struct map *m = n->map;
	int size = m->ktype->size, idx = stack_alloc(g, 4, n), i, w;

	emit_comment(g->p, "hot-key slot of %s", m->name);
	for (i = 0; i < size; i += w) {
		w = piece(key + i, 0, size - i);
		emit(g->p, BPF_LDX_MEM(bpf_size(w), i ? BPF_REG_2 : BPF_REG_1,
				       FP, key + i));
		if (i)
			emit(g->p, BPF_ALU64_REG(BPF_XOR, BPF_REG_1,
						 BPF_REG_2));
	}
	emit_mov_imm(g, BPF_REG_2, HOT_HASH_MUL);
	emit(g->p, BPF_ALU64_REG(BPF_MUL, BPF_REG_1, BPF_REG_2));
	emit(g->p, BPF_ALU64_IMM(BPF_RSH, BPF_REG_1, 64 - HOT_SLOTS_LOG2));
	emit(g->p, BPF_STX_MEM(BPF_W, FP, BPF_REG_1, idx));
	emit_ld_map(g->p, BPF_REG_1, m->hot, false);
	emit_fp_addr(g, BPF_REG_2, idx);
	emit_call(g, BPF_FUNC_map_lookup_elem);
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), out);
}

/* slot.val += v (or 1); v < 0: count() */
static void emit_slot_add(struct cg *g, int slot, int off, int v)
{
	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, slot, off));
	if (v >= 0)
		emit(g->p, BPF_ALU64_REG(BPF_ADD, BPF_REG_1, v));
	else
		emit(g->p, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
	emit(g->p, BPF_STX_MEM(BPF_DW, slot, BPF_REG_1, off));
}

/* @m[k] = count() | sum(v) through the hot-key cache; the key is at
 * r10 + key, v in a register (or -1 for count())
 *	r0 = slot of k
 *	if slot.key != k goto miss		(a word at a time)
 *	slot.val += v; slot.used = 1; goto out
 * miss:					(rS: a pool register)
 *	rS = r0; if !slot.used goto take
 *	r0 = this CPU's hash[slot.key] (created as 0), else goto take
 *	*r0 += slot.val
 * take:
 *	slot.key = k; slot.val = v; slot.used = 1			*/
static void cg_aggregate_hot(struct cg *g, struct node *n, int key, int v,
			     int out)
{
	struct map *m = n->lhs->map;
	int size = m->ktype->size, vo = hot_val_off(m), uo = hot_used_off(m);
	int miss = label_new(g->p), take = label_new(g->p), old, rs, i, w;

	emit_hot_slot(g, n->lhs, key, out);
	for (i = 0; i < size; i += w) {
		w = piece(key + i, 0, size - i);
		emit(g->p, BPF_LDX_MEM(bpf_size(w), BPF_REG_1, BPF_REG_0, i));
		emit(g->p, BPF_LDX_MEM(bpf_size(w), BPF_REG_2, FP, key + i));
		emit_jmp(g->p, BPF_JMP_REG(BPF_JNE, BPF_REG_1, BPF_REG_2, 0),
			 miss);
	}
	emit_slot_add(g, BPF_REG_0, vo, v);
	/* an all-zero key matches a slot never taken */
	emit(g->p, BPF_ST_MEM(BPF_DW, BPF_REG_0, uo, 1));
	emit_jmp(g->p, BPF_JMP_A(0), out);

	label_here(g->p, miss);
	emit_comment(g->p, "the slot's key moves to the hash");
	rs = reg_get(g, n);
	emit(g->p, BPF_MOV64_REG(rs, BPF_REG_0));
	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, rs, uo));
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 0), take);
	old = stack_alloc(g, size, n);
	emit_copy(g, old, rs, 0, size);
	emit_agg_value(g, n->lhs, old, take);
	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0));
	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_2, rs, vo));
	emit(g->p, BPF_ALU64_REG(BPF_ADD, BPF_REG_1, BPF_REG_2));
	emit(g->p, BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0));

	label_here(g->p, take);
	for (i = 0; i < size; i += w) {
		w = piece(key + i, 0, size - i);
		emit(g->p, BPF_LDX_MEM(bpf_size(w), BPF_REG_1, FP, key + i));
		emit(g->p, BPF_STX_MEM(bpf_size(w), rs, BPF_REG_1, i));
	}
	if (v >= 0)
		emit(g->p, BPF_STX_MEM(BPF_DW, rs, v, vo));
	else
		emit(g->p, BPF_ST_MEM(BPF_DW, rs, vo, 1));
	emit(g->p, BPF_ST_MEM(BPF_DW, rs, uo, 1));
	reg_put(g, rs);
}

/* @m[k] = count() | sum(x) | quantize(x) */
static void cg_aggregate(struct cg *g, struct node *n)
{
	struct node *arg = n->rhs->args;
	int out = label_new(g->p), v = -1, idx = -1, key;

	emit_comment(g->p, "%s = %s()", n->lhs->map->name, n->rhs->name);
	if (n->agg != AGG_COUNT) {
		v = reg_get(g, arg);
		cg_expr(g, arg, v);
	}
	if (n->lhs->map->hot) {
		key = cg_key(g, n->lhs);
		cg_aggregate_hot(g, n, key, v, out);
		label_here(g->p, out);
		reg_put(g, v);
		return;
	}
	if (n->agg == AGG_QUANTIZE) {
		idx = reg_get(g, arg);
		emit_bucket(g, v, idx, n->lhs->map->vtype);
		emit(g->p, BPF_ALU64_IMM(BPF_LSH, idx, 3));
	}
	key = cg_key(g, n->lhs);
	emit_agg_value(g, n->lhs, key, out);
	if (n->agg == AGG_QUANTIZE)
		emit(g->p, BPF_ALU64_REG(BPF_ADD, BPF_REG_0, idx));
	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0));
	if (n->agg == AGG_SUM)
		emit(g->p, BPF_ALU64_REG(BPF_ADD, BPF_REG_1, v));
	else
		emit(g->p, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
	emit(g->p, BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0));
	label_here(g->p, out);
	reg_put(g, v);
	reg_put(g, idx);
}

/* m[k] = v */
static void cg_map_assign(struct cg *g, struct node *n)
{
	struct map *m = n->lhs->map;
	int key = cg_key(g, n->lhs);
	int val = stack_alloc(g, m->vtype->size, n);

	cg_store(g, n->rhs, val, m->vtype);
	emit_fp_addr(g, BPF_REG_3, val);
	emit_update(g, m, key, BPF_ANY);
}

/* dst = m[k], 0 when missing */
static void cg_map_read(struct cg *g, struct node *n, int dst)
{
	int key = cg_key(g, n), miss = label_new(g->p);

	emit_lookup(g, n->map, key);
	emit(g->p, BPF_MOV64_IMM(dst, 0));
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), miss);
	emit_load(g, dst, BPF_REG_0, 0, n->map->vtype);
	label_here(g->p, miss);
}

/* r10 + off = m[k], zeroes when missing */
static void cg_map_read_mem(struct cg *g, struct node *n, int off,
			    struct type *to)
{
	int key = cg_key(g, n), miss = label_new(g->p), end = label_new(g->p);
	int size = n->map->vtype->size < to->size ? n->map->vtype->size :
		to->size;

	emit_lookup(g, n->map, key);
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), miss);
	emit_copy(g, off, BPF_REG_0, 0, size);
	emit_jmp(g->p, BPF_JMP_A(0), end);
	label_here(g->p, miss);
	emit_zero(g, off, size);
	label_here(g->p, end);
	if (to->size > size)
		emit_zero(g, off + size, to->size - size);
}

/* ---------------------------------------------------------------- */
/* memory: members and dereferences                                 */

struct addr {
	int reg;	/* base register: CTX, or a pool register */
	int off;
	bool ctx;	/* direct loads allowed */
	bool user;
};

static bool is_ctx(const struct node *n)
{
	return n->kind == N_IDENT && !strcmp(n->name, "ctx");
}

/* where n (a deref or member) lives */
static void cg_addr(struct cg *g, struct node *n, struct addr *a)
{
	struct node *ptr = n->lhs;
	const struct type *st;

	if (n->kind == N_MEMBER && n->op == TOK_DOT) {
		if (ptr->kind != N_MEMBER && ptr->kind != N_UNOP) {
			diag_error(n->loc, "'.' needs a struct in memory; "
				   "use '->' on a pointer");
			a->reg = CTX, a->off = 0, a->ctx = false;
			return;
		}
		cg_addr(g, ptr, a);
		st = ptr->type;
	} else {
		if (is_ctx(ptr)) {
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
	/* the kernel puts a pt_regs pointer over a tracepoint's first
	 * 8 bytes (common_type ... common_pid) before the program runs */
	if (a->ctx && a->off < 8 && n->kind == N_MEMBER &&
	    g->pb->prov->prog_type == BPF_PROG_TYPE_TRACEPOINT)
		diag_error(n->loc, "'%s' is not available to BPF programs "
			   "(the kernel overwrites it); use pid or comm",
			   n->name);
}

/* direct loads from the context; a tracepoint's first 8 bytes are not
 * the event's (the kernel keeps a pt_regs pointer there) */
static bool direct_ok(struct cg *g, const struct addr *a,
		      const struct type *t)
{
	int floor = g->pb->prov->prog_type == BPF_PROG_TYPE_TRACEPOINT ? 8 : 0;

	return a->ctx && a->off >= floor && a->off % t->size == 0;
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

static void cg_strcmp(struct cg *g, struct node *a, struct node *b, int dst);

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

static void cg_ident(struct cg *g, struct node *n, int dst)
{
	const char *s = n->name;

	if (!strcmp(s, "ctx")) {
		emit(g->p, BPF_MOV64_REG(dst, CTX));
		return;
	}
	if (!strcmp(s, "func_ip")) {	/* kprobe.c's caller */
		emit(g->p, BPF_MOV64_REG(BPF_REG_1, CTX));
		emit_call(g, BPF_FUNC_get_func_ip);
		emit(g->p, BPF_MOV64_REG(dst, BPF_REG_0));
		return;
	}
	if (!strcmp(s, "pid") || !strcmp(s, "kpid")) {
		emit_call(g, BPF_FUNC_get_current_pid_tgid);
		if (s[0] == 'p')
			emit(g->p, BPF_ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
		emit(g->p, BPF_MOV32_REG(dst, BPF_REG_0));
	} else if (!strcmp(s, "uid") || !strcmp(s, "gid")) {
		emit_call(g, BPF_FUNC_get_current_uid_gid);
		if (s[0] == 'g')
			emit(g->p, BPF_ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
		emit(g->p, BPF_MOV32_REG(dst, BPF_REG_0));
	} else if (!strcmp(s, "cpu")) {
		emit_call(g, BPF_FUNC_get_smp_processor_id);
		emit(g->p, BPF_MOV32_REG(dst, BPF_REG_0));
	} else if (!strcmp(s, "time") || !strcmp(s, "walltime")) {
		emit_call(g, BPF_FUNC_ktime_get_ns);
		emit(g->p, BPF_MOV64_REG(dst, BPF_REG_0));
	} else if (!strcmp(s, "stack")) {
		struct map *m = g->s->stackmap;

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
}

static struct cg_var *var_slot(struct cg *g, struct node *n)
{
	int i;

	for (i = 0; i < g->nvars; i++)
		if (!strcmp(g->vars[i].name, n->name))
			return &g->vars[i];
	return NULL;
}

/* a string operand in memory: its stack offset */
static int str_operand(struct cg *g, struct node *n)
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
static void cg_strcmp(struct cg *g, struct node *a, struct node *b, int dst)
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

static void cg_call(struct cg *g, struct node *n, int dst)
{
	if (!strcmp(n->name, "strcmp"))
		cg_strcmp(g, n->args, n->args->next, dst);
	else if (!strcmp(n->name, "uptr") || !strcmp(n->name, "kptr"))
		cg_expr(g, n->args, dst);
	else
		diag_error(n->loc, "%s() has no value here", n->name);
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

static void cg_expr(struct cg *g, struct node *n, int dst)
{
	struct cg_var *v;
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
		cg_ident(g, n, dst);
		break;
	case N_VAR:
		v = var_slot(g, n);
		emit_load(g, dst, FP, v->off, v->type);
		break;
	case N_MAP:
		cg_map_read(g, n, dst);
		break;
	case N_CALL:
		cg_call(g, n, dst);
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
		cg_mem_scalar(g, n, dst);
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
	free(b);
}

/* str(p, n), mem(p, n), dyn(field, n) */
static void cg_store_read(struct cg *g, struct node *n, int off, int size)
{
	struct node *a = n->args;
	bool str = strcmp(n->name, "mem") != 0;
	int r;

	if (type_is_str(a->type)) {	/* str() of a string: a copy */
		cg_store(g, a, off, n->type);
		return;
	}
	emit_zero(g, off, size);	/* keys compare every byte */
	r = reg_get(g, a);
	cg_expr(g, a, r);
	if (!strcmp(n->name, "dyn")) {
		/* __data_loc: offset in the low 16 bits, from ctx */
		emit(g->p, BPF_ALU64_IMM(BPF_AND, r, 0xffff));
		emit(g->p, BPF_ALU64_REG(BPF_ADD, r, CTX));
	}
	emit_read(g, off, size, r, 0, a->type->kind == TY_PTR &&
		  a->type->user, str);
	reg_put(g, r);
}

/* r3 = the 0x80 bit of each byte of w that is 0, exactly for the
 * lowest one (higher ones may be wrong), given r4 = 0x0101..01 and
 * r5 = 0x8080..80:  r3 = (w - r4) & ~w & r5				*/
static void emit_nul_bytes(struct cg *g, int w)
{
	emit(g->p, BPF_MOV64_REG(BPF_REG_3, w));
	emit(g->p, BPF_ALU64_REG(BPF_SUB, BPF_REG_3, BPF_REG_4));
	emit(g->p, BPF_MOV64_REG(BPF_REG_0, w));
	emit(g->p, BPF_ALU64_IMM(BPF_XOR, BPF_REG_0, -1));
	emit(g->p, BPF_ALU64_REG(BPF_AND, BPF_REG_3, BPF_REG_0));
	emit(g->p, BPF_ALU64_REG(BPF_AND, BPF_REG_3, BPF_REG_5));
}

/* w keeps its bytes below the lowest flagged in r3 (little-endian):
 * w &= ((r3 & -r3) >> 7) - 1						*/
static void emit_keep_below(struct cg *g, int w)
{
	emit(g->p, BPF_MOV64_REG(BPF_REG_0, BPF_REG_3));
	emit(g->p, BPF_NEG64(BPF_REG_0));
	emit(g->p, BPF_ALU64_REG(BPF_AND, BPF_REG_3, BPF_REG_0));
	emit(g->p, BPF_ALU64_IMM(BPF_RSH, BPF_REG_3, 7));
	emit(g->p, BPF_ALU64_IMM(BPF_SUB, BPF_REG_3, 1));
	emit(g->p, BPF_ALU64_REG(BPF_AND, w, BPF_REG_3));
}

/* the comm in r1, r2 without the bytes after its NUL (kernels that
 * copied names with strlcpy left a longer old name's tail there)
 *	r4 = 0x0101..01; r5 = r4 << 7
 *	r3 = NULs of r1; if (r3) goto cut1
 *	r3 = NULs of r2; if (!r3) goto done; r2 = bytes of r2 below r3
 *	goto done
 * cut1: r1 = bytes of r1 below r3; r2 = 0
 * done:								*/
static void emit_comm_cut(struct cg *g)
{
	int cut1 = label_new(g->p), done = label_new(g->p);

	emit_mov_imm(g, BPF_REG_4, 0x0101010101010101ULL);
	emit(g->p, BPF_MOV64_REG(BPF_REG_5, BPF_REG_4));
	emit(g->p, BPF_ALU64_IMM(BPF_LSH, BPF_REG_5, 7));
	emit_nul_bytes(g, BPF_REG_1);
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JNE, BPF_REG_3, 0, 0), cut1);
	emit_nul_bytes(g, BPF_REG_2);
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, 0), done);
	emit_keep_below(g, BPF_REG_2);
	emit_jmp(g->p, BPF_JMP_A(0), done);
	label_here(g->p, cut1);
	emit_keep_below(g, BPF_REG_1);
	emit(g->p, BPF_MOV64_IMM(BPF_REG_2, 0));
	label_here(g->p, done);
}

/* r10 + off = size bytes of comm.  Where the kernel's BTF says where
 * task_struct.comm is (run.c), it is read in place, two words, and cut
 * at its NUL unless the kernel pads names itself; that is much cheaper
 * than the helper, which this needs on other kernels (and 6.1's doesn't
 * pad).
 *	r0 = get_current_task_btf(); r1 = comm[0..8); r2 = comm[8..16)
 *	[cut r1, r2 at the NUL]; store r1, r2				*/
static void cg_comm(struct cg *g, int off, int size)
{
	if (g->s->comm_off < 0 || size != 16 || (off & 7) ||
	    arch->big_endian) {
		emit_zero(g, off, size);
		emit_fp_addr(g, BPF_REG_1, off);
		emit(g->p, BPF_MOV64_IMM(BPF_REG_2, size));
		emit_call(g, BPF_FUNC_get_current_comm);
		return;
	}
	emit_comment(g->p, "comm from task_struct (BTF)");
	emit_call(g, BPF_FUNC_get_current_task_btf);
	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, g->s->comm_off));
	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_0,
			       g->s->comm_off + 8));
	if (!g->s->comm_padded)
		emit_comm_cut(g);
	emit(g->p, BPF_STX_MEM(BPF_DW, FP, BPF_REG_1, off));
	emit(g->p, BPF_STX_MEM(BPF_DW, FP, BPF_REG_2, off + 8));
}

static void cg_store_mem(struct cg *g, struct node *n, int off,
			 struct type *to)
{
	int size = n->type->size < to->size ? n->type->size : to->size;
	struct cg_var *v;

	switch (n->kind) {
	case N_STR:
		cg_store_str(g, n, off, to->size);
		return;
	case N_IDENT:		/* comm */
		cg_comm(g, off, size);
		break;
	case N_VAR:
		v = var_slot(g, n);
		emit_copy(g, off, FP, v->off, size);
		break;
	case N_MAP:
		cg_map_read_mem(g, n, off, to);
		return;
	case N_CALL:
		cg_store_read(g, n, off, size);
		break;
	case N_MEMBER:
	case N_UNOP:
		cg_mem_store(g, n, off, size);
		break;
	default:
		diag_error(n->loc, "can't store this value");
		return;
	}
	if (to->size > size)
		emit_zero(g, off + size, to->size - size);
}

static void cg_store(struct cg *g, struct node *n, int off, struct type *to)
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
	r = reg_get(g, n);
	cg_expr(g, n, r);
	emit(g->p, BPF_STX_MEM(bpf_size(to->size), FP, r, off));
	reg_put(g, r);
}

/* ---------------------------------------------------------------- */
/* actions                                                          */

static struct action *action_at(struct cg *g, struct node *n)
{
	struct action *a;

	for (a = g->s->actions; a; a = a->next)
		if (a->loc.off == n->loc.off)
			return a;
	return NULL;
}

/* perf_event_output(ctx, outmap, BPF_F_CURRENT_CPU, r10 + off, size) */
static void emit_perf_output(struct cg *g, int off, int size)
{
	emit(g->p, BPF_MOV64_REG(BPF_REG_1, CTX));
	emit_ld_map(g->p, BPF_REG_2, g->s->outmap, false);
	emit(g->p, BPF_ALU32_IMM(BPF_MOV, BPF_REG_3, -1)); /* CURRENT_CPU */
	emit_fp_addr(g, BPF_REG_4, off);
	emit(g->p, BPF_MOV64_IMM(BPF_REG_5, size));
	emit_call(g, BPF_FUNC_perf_event_output);
}

/*
 * ringbuf_output(outmap, r10 + off, size, 0); when the buffer is full
 * the record is dropped and counted:
 *   if (r0) { r1 = &lost; r2 = *r1; r2 += 1; *r1 = r2; }
 * (not atomic: a count for the warning, and 32-bit JITs lack atomics)
 */
static void emit_ringbuf_output(struct cg *g, int off, int size)
{
	emit_ld_map(g->p, BPF_REG_1, g->s->outmap, false);
	emit_fp_addr(g, BPF_REG_2, off);
	emit(g->p, BPF_MOV64_IMM(BPF_REG_3, size));
	emit(g->p, BPF_MOV64_IMM(BPF_REG_4, 0));
	emit_call(g, BPF_FUNC_ringbuf_output);
	emit(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 5));
	emit_ld_map(g->p, BPF_REG_1, g->s->lostmap, true);
	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_1, 0));
	emit(g->p, BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, 1));
	emit(g->p, BPF_STX_MEM(BPF_DW, BPF_REG_1, BPF_REG_2, 0));
}

/* a record { u64 id; args } sent to user space */
static void cg_action(struct cg *g, struct node *n)
{
	struct action *a = action_at(g, n);
	struct node *arg = n->args;
	int size = 8 + a->args->size, off, i;

	if (a->kind == ACT_PRINTF)
		arg = arg->next;
	if (a->kind == ACT_CLEAR || a->kind == ACT_PRINTMAP)
		arg = NULL;
	emit_comment(g->p, "%s()", n->name);
	if (a->kind == ACT_EXIT) {
		emit_ld_map(g->p, BPF_REG_1, g->s->exitmap, true);
		emit(g->p, BPF_ST_MEM(BPF_W, BPF_REG_1, 0, 1));
	}
	off = stack_alloc(g, size, n);
	emit(g->p, BPF_ST_MEM(BPF_DW, FP, off, a->id));
	for (i = 0; arg; arg = arg->next, i++)
		cg_store(g, arg, off + 8 + a->args->fields[i].off,
			 a->args->fields[i].type);
	if (g->s->ringbuf)
		emit_ringbuf_output(g, off, size);
	else
		emit_perf_output(g, off, size);
}

/* ---------------------------------------------------------------- */
/* statements                                                       */

static bool is_action(const struct node *n)
{
	static const char *const names[] = {
		"print", "printf", "exit", "clear",
	};
	size_t i;

	if (n->kind != N_CALL)
		return false;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(n->name, names[i]))
			return true;
	return false;
}

static void cg_discard(struct cg *g, struct node *n)
{
	int r;

	if (is_action(n)) {
		cg_action(g, n);
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
	struct cg_var *v;

	if (n->lhs->kind == N_VAR) {
		v = var_slot(g, n->lhs);
		cg_store(g, n->rhs, v->off, v->type);
	} else if (n->agg) {
		cg_aggregate(g, n);
	} else {
		cg_map_assign(g, n);
	}
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
		if (n->kind == N_RETURN)
			break;
	}
}

static void cg_stmt(struct cg *g, struct node *n)
{
	int sp = g->sp, key;

	switch (n->kind) {
	case N_EXPR:
		cg_discard(g, n->lhs);
		break;
	case N_ASSIGN:
		cg_assign(g, n);
		break;
	case N_DELETE:
		key = cg_key(g, n->lhs);
		emit_ld_map(g->p, BPF_REG_1, n->lhs->map, false);
		emit_fp_addr(g, BPF_REG_2, key);
		emit_call(g, BPF_FUNC_map_delete_elem);
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
	default:
		cg_discard(g, n);
		break;
	}
	g->sp = sp;
}

/* ---------------------------------------------------------------- */
/* the probe                                                        */

static void collect_vars(struct cg *g, struct node *n)
{
	for (; n; n = n->next) {
		if (n->kind == N_ASSIGN && n->lhs->kind == N_VAR &&
		    !var_slot(g, n->lhs) && g->nvars < 32) {
			g->vars[g->nvars].name = n->lhs->name;
			g->vars[g->nvars].type = n->lhs->type;
			g->vars[g->nvars].off = stack_alloc(g,
				n->lhs->type->size, n);
			emit_zero(g, g->vars[g->nvars].off,
				  n->lhs->type->size);
			g->nvars++;
		}
		if (n->kind == N_IF || n->kind == N_BLOCK) {
			collect_vars(g, n->then);
			collect_vars(g, n->els);
			collect_vars(g, n->body);
		}
	}
}

static void cg_prologue(struct cg *g)
{
	emit_comment(g->p, "%s", g->pb->spec);
	emit(g->p, BPF_MOV64_REG(CTX, BPF_REG_1));
	if (g->s->uses_exit && strcmp(g->pb->prov->name, "END")) {
		/* once exit() has run, probes do nothing */
		emit_ld_map(g->p, BPF_REG_1, g->s->exitmap, true);
		emit(g->p, BPF_LDX_MEM(BPF_W, BPF_REG_1, BPF_REG_1, 0));
		emit_jmp(g->p, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 0, 0), g->ret);
	}
	collect_vars(g, g->pb->ast->body);
	if (g->pb->ast->cond) {
		emit_comment(g->p, "predicate");
		cg_branch(g, g->pb->ast->cond, g->ret, false);
	}
}

int codegen_probe(struct script *s, struct probe *pb)
{
	struct cg g = { .s = s, .pb = pb };
	int err, before = diag_nerrors;

	pb->prog = xcalloc(1, sizeof(*pb->prog));
	asm_init(pb->prog);
	g.p = pb->prog;
	g.ret = label_new(g.p);
	cg_prologue(&g);
	cg_stmts(&g, pb->ast->body);
	label_here(g.p, g.ret);
	emit(g.p, BPF_MOV64_IMM(BPF_REG_0, 0));
	emit(g.p, BPF_EXIT_INSN());
	pb->stack_size = g.max_sp;
	err = asm_finish(g.p);
	if (err == -E2BIG)
		diag_error(pb->ast->loc, "the probe is too big: more than %d "
			   "instructions", PROG_MAX_INSNS);
	else if (err)
		diag_error(pb->ast->loc, "the probe is too big: a jump is out "
			   "of range");
	return diag_nerrors > before ? -1 : 0;
}
