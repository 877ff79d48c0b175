/*
 * bpf_vm.c - a small BPF interpreter for the tests: runs a program
 * ply generated, with the memory of a big- or a little-endian machine,
 * so that code for mips or ppc64 can be checked on an x86_64 host.
 *
 * Registers hold host pointers; every load and store goes through
 * vm_mem(), which refuses what is outside the stack, the context, the
 * fake task_struct, the maps' values and the records, and then reads
 * or writes the bytes in the target's order.  The helpers ply's code
 * calls are faked: maps are small tables, output records are kept in
 * vm->rec, bpf_get_current_task_btf() returns vm->task.  A program that
 * does something the kernel's verifier would refuse (an uninitialised
 * read aside) fails here too, with vm->err saying what.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bpf_vm.h"

static int vm_fail(struct vm *vm, int pc, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(vm->err, sizeof(vm->err), "pc %d: ", pc);

	va_start(ap, fmt);
	vsnprintf(vm->err + n, sizeof(vm->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* is [p, p + n) memory the program may touch? */
static bool vm_mem(struct vm *vm, uint64_t p, int n)
{
	const struct { uint8_t *base; size_t size; } r[] = {
		{ vm->stack, sizeof(vm->stack) }, { vm->ctx, sizeof(vm->ctx) },
		{ vm->task, sizeof(vm->task) }, { vm->mapmem, sizeof(vm->mapmem) },
	};
	size_t i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (p >= (uintptr_t)r[i].base &&
		    p + n <= (uintptr_t)r[i].base + r[i].size)
			return true;
	return false;
}

uint64_t vm_get(const struct vm *vm, const void *p, int n)
{
	const uint8_t *b = p;
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)b[i] << 8 * (vm->be ? n - 1 - i : i);
	return v;
}

void vm_put(const struct vm *vm, void *p, int n, uint64_t v)
{
	uint8_t *b = p;
	int i;

	for (i = 0; i < n; i++)
		b[i] = v >> 8 * (vm->be ? n - 1 - i : i);
}

/* ---------------------------------------------------------------- */
/* maps: an array of max_entries values, or a small hash            */

static struct vm_map *vm_map(struct vm *vm, uint64_t fd)
{
	return fd < (uint64_t)vm->nmaps ? &vm->maps[fd] : NULL;
}

int vm_add_map(struct vm *vm, struct map *m, int ksize, int vsize,
	       int entries, bool array)
{
	struct vm_map *vm_m = &vm->maps[vm->nmaps];

	if (vm->nmaps == VM_MAPS ||
	    vm->mapused + (size_t)entries * (ksize + vsize + 1) >
	    sizeof(vm->mapmem))
		return -1;
	vm_m->m = m;
	vm_m->ksize = ksize;
	vm_m->vsize = vsize;
	vm_m->entries = entries;
	vm_m->array = array;
	vm_m->mem = vm->mapmem + vm->mapused;
	vm->mapused += (size_t)entries * (ksize + vsize + 1);
	if (m)
		m->fd = vm->nmaps;
	return vm->nmaps++;
}

/* entry i: a used byte, the key, the value */
static uint8_t *entry(struct vm_map *m, int i)
{
	return m->mem + (size_t)i * (1 + m->ksize + m->vsize);
}

static uint8_t *map_find(struct vm *vm, struct vm_map *m, const void *key)
{
	uint64_t idx;
	int i;

	if (m->array) {
		idx = vm_get(vm, key, 4);
		return idx < (uint64_t)m->entries ?
			entry(m, (int)idx) + 1 + m->ksize : NULL;
	}
	for (i = 0; i < m->entries; i++)
		if (entry(m, i)[0] && !memcmp(entry(m, i) + 1, key, m->ksize))
			return entry(m, i) + 1 + m->ksize;
	return NULL;
}

static int map_update(struct vm *vm, struct vm_map *m, const void *key,
		      const void *val, uint64_t flags)
{
	uint8_t *v = map_find(vm, m, key);
	int i;

	if (v && flags == 1)		/* BPF_NOEXIST */
		return -17;
	if (!v && !m->array) {
		for (i = 0; i < m->entries && entry(m, i)[0]; i++)
			;
		if (i == m->entries)
			return -7;	/* E2BIG: full */
		entry(m, i)[0] = 1;
		memcpy(entry(m, i) + 1, key, m->ksize);
		v = entry(m, i) + 1 + m->ksize;
	}
	if (!v)
		return -7;
	memcpy(v, val, m->vsize);
	return 0;
}

/* ---------------------------------------------------------------- */
/* helpers                                                          */

static int record(struct vm *vm, int pc, uint64_t data, uint64_t size)
{
	if (!vm_mem(vm, data, (int)size) || size > sizeof(vm->rec[0]) ||
	    vm->nrec == VM_RECS)
		return vm_fail(vm, pc, "bad output record");
	memcpy(vm->rec[vm->nrec], (void *)(uintptr_t)data, size);
	vm->reclen[vm->nrec++] = (int)size;
	return 0;
}

static int call(struct vm *vm, int pc, int fn)
{
	uint64_t *r = vm->r;
	struct vm_map *m;
	uint8_t *v;

	switch (fn) {
	case 1:		/* map_lookup_elem(map, key) */
		m = vm_map(vm, r[1]);
		if (!m || !vm_mem(vm, r[2], m->ksize))
			return vm_fail(vm, pc, "bad lookup");
		v = map_find(vm, m, (void *)(uintptr_t)r[2]);
		r[0] = (uintptr_t)v;
		return 0;
	case 2:		/* map_update_elem(map, key, value, flags) */
		m = vm_map(vm, r[1]);
		if (!m || !vm_mem(vm, r[2], m->ksize) ||
		    !vm_mem(vm, r[3], m->vsize))
			return vm_fail(vm, pc, "bad update");
		r[0] = (uint64_t)(int64_t)map_update(vm, m,
			(void *)(uintptr_t)r[2], (void *)(uintptr_t)r[3], r[4]);
		return 0;
	case 5:		/* ktime_get_ns */
		r[0] = vm->time;
		return 0;
	case 8:		/* get_smp_processor_id */
		r[0] = 0;
		return 0;
	case 14:	/* get_current_pid_tgid */
		r[0] = (uint64_t)vm->pid << 32 | vm->tid;
		return 0;
	case 16:	/* get_current_comm(buf, size) */
		if (!vm_mem(vm, r[1], (int)r[2]) || r[2] > 16)
			return vm_fail(vm, pc, "bad get_current_comm");
		memcpy((void *)(uintptr_t)r[1], vm->comm, r[2]);
		r[0] = 0;
		return 0;
	case 25:	/* perf_event_output(ctx, map, flags, data, size) */
		r[0] = 0;
		return record(vm, pc, r[4], r[5]);
	case 130:	/* ringbuf_output(map, data, size, flags) */
		r[0] = 0;
		return record(vm, pc, r[2], r[3]);
	case 158:	/* get_current_task_btf */
		r[0] = (uintptr_t)vm->task;
		return 0;
	default:
		return vm_fail(vm, pc, "helper %d is not faked", fn);
	}
}

/* ---------------------------------------------------------------- */
/* the instructions                                                 */

static uint64_t alu(int op, uint64_t a, uint64_t b, bool is64)
{
	if (!is64) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	switch (op) {
	case BPF_ADD: a += b; break;
	case BPF_SUB: a -= b; break;
	case BPF_MUL: a *= b; break;
	case BPF_DIV: a = b ? a / b : 0; break;
	case BPF_MOD: a = b ? a % b : a; break;
	case BPF_OR: a |= b; break;
	case BPF_AND: a &= b; break;
	case BPF_XOR: a ^= b; break;
	case BPF_LSH: a <<= b & (is64 ? 63 : 31); break;
	case BPF_RSH: a >>= b & (is64 ? 63 : 31); break;
	case BPF_ARSH:
		a = is64 ? (uint64_t)((int64_t)a >> (b & 63)) :
			   (uint32_t)((int32_t)a >> (b & 31));
		break;
	case BPF_NEG: a = -a; break;
	case BPF_MOV: a = b; break;
	}
	return is64 ? a : (uint32_t)a;
}

static bool cond(int op, uint64_t a, uint64_t b)
{
	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSGT: return (int64_t)a > (int64_t)b;
	case BPF_JSGE: return (int64_t)a >= (int64_t)b;
	case BPF_JSLT: return (int64_t)a < (int64_t)b;
	case BPF_JSLE: return (int64_t)a <= (int64_t)b;
	case BPF_JSET: return a & b;
	}
	return false;
}

static int bytes(int code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

int vm_run(struct vm *vm, const struct prog *p)
{
	uint64_t *r = vm->r, addr, src;
	const struct bpf_insn *in;
	int pc, steps = 0, n, op;

	memset(r, 0, sizeof(vm->r));
	r[1] = (uintptr_t)vm->ctx;
	r[10] = (uintptr_t)(vm->stack + sizeof(vm->stack));
	for (pc = 0; pc < p->len; pc++) {
		in = &p->insn[pc];
		if (++steps > 100000)
			return vm_fail(vm, pc, "too many steps");
		op = BPF_OP(in->code);
		src = BPF_SRC(in->code) == BPF_X ? r[in->src_reg] :
			(uint64_t)(int64_t)in->imm;
		switch (BPF_CLASS(in->code)) {
		case BPF_ALU64:
		case BPF_ALU:
			r[in->dst_reg] = alu(op, r[in->dst_reg], src,
					     BPF_CLASS(in->code) == BPF_ALU64);
			break;
		case BPF_LD:	/* ld_imm64: a number, a map, a map's value */
			if (pc + 1 >= p->len)
				return vm_fail(vm, pc, "ld_imm64 at the end");
			if (in->src_reg == BPF_PSEUDO_MAP_FD)
				r[in->dst_reg] = (uint32_t)in->imm;
			else if (in->src_reg == BPF_PSEUDO_MAP_VALUE &&
				 vm_map(vm, (uint32_t)in->imm))
				r[in->dst_reg] = (uintptr_t)
					(entry(vm_map(vm, in->imm), 0) + 1 +
					 vm_map(vm, in->imm)->ksize);
			else
				r[in->dst_reg] = (uint32_t)in->imm |
					(uint64_t)(uint32_t)in[1].imm << 32;
			pc++;
			break;
		case BPF_LDX:
			n = bytes(in->code);
			addr = r[in->src_reg] + in->off;
			if (!vm_mem(vm, addr, n))
				return vm_fail(vm, pc, "load from a bad address");
			r[in->dst_reg] = vm_get(vm, (void *)(uintptr_t)addr, n);
			break;
		case BPF_ST:
		case BPF_STX:
			n = bytes(in->code);
			addr = r[in->dst_reg] + in->off;
			if (!vm_mem(vm, addr, n))
				return vm_fail(vm, pc, "store to a bad address");
			vm_put(vm, (void *)(uintptr_t)addr, n,
			       BPF_CLASS(in->code) == BPF_ST ?
			       (uint64_t)(int64_t)in->imm : r[in->src_reg]);
			break;
		case BPF_JMP:
			if (op == BPF_EXIT)
				return 0;
			if (op == BPF_CALL) {
				if (call(vm, pc, in->imm))
					return -1;
				break;
			}
			if (op == BPF_JA || cond(op, r[in->dst_reg], src))
				pc += in->off;
			break;
		default:
			return vm_fail(vm, pc, "instruction 0x%02x", in->code);
		}
	}
	return vm_fail(vm, pc, "ran off the end");
}

/* the script's maps, in vm's tables, the program relocated to them */
int vm_load(struct vm *vm, struct script *s, struct prog *p)
{
	struct map *m;
	int err = 0;

	for (m = s->maps; m; m = m->next) {
		err |= vm_add_map(vm, m, m->ktype->size, m->vtype->size,
				  m->max_entries > 64 ? 64 : m->max_entries,
				  m->type == BPF_MAP_TYPE_PERCPU_ARRAY) < 0;
		if (m->hot)
			err |= vm_add_map(vm, m->hot, 4, m->hot->vtype->size,
					  HOT_SLOTS, true) < 0;
	}
	err |= vm_add_map(vm, s->outmap, 4, 4, 1, true) < 0;
	err |= vm_add_map(vm, s->countmap, 4, s->countmap->vtype->size, 1,
			  true) < 0;
	if (s->exitmap)
		err |= vm_add_map(vm, s->exitmap, 4, 4, 1, true) < 0;
	if (s->zeromap)
		err |= vm_add_map(vm, s->zeromap, 4, s->zeromap->vtype->size,
				  1, true) < 0;
	asm_relocate(p);
	return err ? -1 : 0;
}
