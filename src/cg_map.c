/*
 * cg_map.c - maps and aggregations to BPF: keys built on the stack,
 * lookups, updates, and the aggregations' per-CPU values.
 *
 * Aggregations are per-CPU maps: an update is a lookup, an insert of
 * zeroes the first time, and a plain add on this CPU's copy, exact
 * under concurrency and without atomic instructions (which 32-bit JITs
 * lack).  A keyless one is a per-CPU array's one entry; a keyed count()
 * or sum() first tries its key's slot in a per-CPU cache of hot keys
 * (ply.h), so the common event costs no hash lookup.  A map read keeps
 * no register of codegen.c's pool while its key is built, so keys may
 * hold map reads as deep as they like.
 */
#include "compile.h"

/* ---------------------------------------------------------------- */
/* keys, lookups, updates                                           */

int cg_key(struct cg *g, struct node *n)
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
	/* a tuple's layout is the key's: stored whole, padding zeroed */
	if (!n->args->next && n->args->type->fmt == FMT_TUPLE) {
		cg_store(g, n->args, off, n->args->type);
		return off;
	}
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

/* an update m dropped, being full: counted for the warning at exit */
static void emit_drop(struct cg *g, struct map *m, struct node *n)
{
	emit_count(g, COUNT_DROPS + m->index, n);
}

/* ---------------------------------------------------------------- */
/* plain maps                                                       */

void cg_map_assign(struct cg *g, struct node *n)
{
	struct map *m = n->lhs->map;
	int key = cg_key(g, n->lhs);
	int val = stack_alloc(g, m->vtype->size, n);
	int ok = label_new(g->p);

	cg_store(g, n->rhs, val, m->vtype);
	emit_fp_addr(g, BPF_REG_3, val);
	emit_update(g, m, key, BPF_ANY);
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), ok);
	emit_drop(g, m, n);
	label_here(g->p, ok);
}

void cg_map_read(struct cg *g, struct node *n, int dst)
{
	int key = cg_key(g, n), miss = label_new(g->p);

	emit_lookup(g, n->map, key);
	emit(g->p, BPF_MOV64_IMM(dst, 0));
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), miss);
	emit_load(g, dst, BPF_REG_0, 0, n->map->vtype);
	label_here(g->p, miss);
}

void cg_map_read_mem(struct cg *g, struct node *n, int off,
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

void cg_map_delete(struct cg *g, struct node *n)
{
	int key = cg_key(g, n);

	emit_ld_map(g->p, BPF_REG_1, n->map, false);
	emit_fp_addr(g, BPF_REG_2, key);
	emit_call(g, BPF_FUNC_map_delete_elem);
}

/* ---------------------------------------------------------------- */
/* aggregations                                                     */

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
 * when the map is full, counts the drop and jumps to out.  A keyless
 * aggregation is the one entry of a per-CPU array, always there. */
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
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 0), have);
	emit_drop(g, m, n);
	emit_jmp(g->p, BPF_JMP_A(0), out);
	label_here(g->p, have);
}

/* v (copied) -> its log2 bucket in idx; negatives to the last slot;
 * bpftrace's (FMT_HIST) has 0 alone in bucket 0, log2 + 1 after */
static void emit_bucket(struct cg *g, int v, int idx, const struct type *t)
{
	int done = label_new(g->p), i;

	emit_comment(g->p, "log2 bucket");
	if (t->base->sign) {
		emit(g->p, BPF_MOV64_IMM(idx, t->len - 1));
		emit_jmp(g->p, BPF_JMP_IMM(BPF_JSLT, v, 0, 0), done);
	}
	emit(g->p, BPF_MOV64_IMM(idx, t->fmt == FMT_HIST));
	if (t->fmt == FMT_HIST) {
		emit(g->p, BPF_JMP_IMM(BPF_JNE, v, 0, 1));
		emit(g->p, BPF_MOV64_IMM(idx, 0));
	}
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

/* *(u64 *)(slot + off) += v (or 1; v < 0: count()) */
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

/* v -> its linear bucket in idx (FMT_LHIST): 0 below min, the last
 * at max and above, else 1 + (v - min) / step */
static void emit_lbucket(struct cg *g, int v, int idx, const struct type *t)
{
	int done = label_new(g->p);

	emit_comment(g->p, "linear bucket");
	emit(g->p, BPF_MOV64_IMM(idx, 0));
	emit_jmp(g->p, BPF_JMP_IMM(t->base->sign ? BPF_JSLT : BPF_JLT, v,
				   (int32_t)t->min, 0), done);
	emit(g->p, BPF_MOV64_IMM(idx, t->len - 1));
	emit_jmp(g->p, BPF_JMP_IMM(t->base->sign ? BPF_JSGE : BPF_JGE, v,
				   (int32_t)t->max, 0), done);
	emit(g->p, BPF_MOV64_REG(idx, v));
	if (t->min)
		emit(g->p, BPF_ALU64_IMM(BPF_SUB, idx, (int32_t)t->min));
	/* v - min < max <= 2^31 here: a 32-bit division (32-bit JITs,
	 * arm's and mips', have no 64-bit one) */
	if (t->step > 1)
		emit(g->p, BPF_ALU32_IMM(BPF_DIV, idx, (int32_t)t->step));
	emit(g->p, BPF_ALU64_IMM(BPF_ADD, idx, 1));
	/* the verifier knows nothing of a quotient: bound it */
	emit(g->p, BPF_JMP_IMM(BPF_JLE, idx, t->len - 1, 1));
	emit(g->p, BPF_MOV64_IMM(idx, t->len - 1));
	label_here(g->p, done);
}

/* r0's { value; set } takes v if it is the first, or below (min) or
 * above (max) the value */
static void emit_minmax(struct cg *g, int v, bool max, bool sign, int out)
{
	int take = label_new(g->p);
	int op = max ? (sign ? BPF_JSLE : BPF_JLE) : (sign ? BPF_JSGE : BPF_JGE);

	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 8));
	emit_jmp(g->p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 0), take);
	emit(g->p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0));
	emit_jmp(g->p, BPF_JMP_REG(op, v, BPF_REG_1, 0), out);
	label_here(g->p, take);
	emit(g->p, BPF_STX_MEM(BPF_DW, BPF_REG_0, v, 0));
	emit(g->p, BPF_ST_MEM(BPF_DW, BPF_REG_0, 8, 1));
}

void cg_aggregate(struct cg *g, struct node *n)
{
	struct node *arg = n->rhs->args;
	enum agg_kind agg = n->rhs->bi->agg;
	const struct type *vt = n->lhs->map->vtype;
	int out = label_new(g->p), v = -1, idx = -1, key;

	emit_comment(g->p, "%s = %s()", n->lhs->map->name, n->rhs->bi->name);
	if (agg != AGG_COUNT) {
		v = reg_get(g, arg);
		cg_expr(g, arg, v);
		emit_convert(g, v, arg->type, arg->type->sign ? &ty_s64 :
			     &ty_u64);
	}
	if (n->lhs->map->hot) {
		key = cg_key(g, n->lhs);
		cg_aggregate_hot(g, n, key, v, out);
		label_here(g->p, out);
		reg_put(g, v);
		return;
	}
	if (agg == AGG_QUANTIZE || agg == AGG_LHIST) {
		idx = reg_get(g, arg);
		if (agg == AGG_QUANTIZE)
			emit_bucket(g, v, idx, vt);
		else
			emit_lbucket(g, v, idx, vt);
		emit(g->p, BPF_ALU64_IMM(BPF_LSH, idx, 3));
	}
	key = cg_key(g, n->lhs);
	emit_agg_value(g, n->lhs, key, out);
	switch (agg) {
	case AGG_QUANTIZE:
	case AGG_LHIST:
		emit(g->p, BPF_ALU64_REG(BPF_ADD, BPF_REG_0, idx));
		emit_slot_add(g, BPF_REG_0, 0, -1);
		break;
	case AGG_MIN:
	case AGG_MAX:
		emit_minmax(g, v, agg == AGG_MAX, vt->base->sign, out);
		break;
	case AGG_AVG:
	case AGG_STATS:
		emit_slot_add(g, BPF_REG_0, 0, -1);
		emit_slot_add(g, BPF_REG_0, 8, v);
		break;
	default:	/* count(), sum() */
		emit_slot_add(g, BPF_REG_0, 0, v);
		break;
	}
	label_here(g->p, out);
	reg_put(g, v);
	reg_put(g, idx);
}
