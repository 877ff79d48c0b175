/*
 * bpf_asm.c - the BPF assembler: an instruction buffer with labels,
 * forward jumps and map relocations.
 *
 * codegen.c emits instructions one at a time.  Errors are sticky (as in
 * libbpf's gen_loader): emitting past PROG_MAX_INSNS sets p->err and
 * later emits do nothing, so the caller checks once, in asm_finish.
 * Jumps name a label; asm_finish patches their offsets and checks that
 * they fit the 16-bit field.  Map references are ld_imm64 pairs whose
 * immediates are patched with the map's fd once the maps exist
 * (asm_relocate), after the kernel's BPF_PSEUDO_MAP_FD convention.
 * asm_dump prints the listing shown by -S and pinned by golden tests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ply.h"
#include "bpf_insn.h"

static void *grow(void *p, int *cap, int need, size_t elem)
{
	if (need <= *cap)
		return p;
	*cap = *cap ? *cap * 2 : 16;
	if (*cap < need)
		*cap = need;
	return xrealloc(p, *cap * elem);
}

void asm_init(struct prog *p)
{
	memset(p, 0, sizeof(*p));
}

void asm_free(struct prog *p)
{
	int i;

	for (i = 0; p->comment && i < p->len; i++)
		xfree((void *)p->comment[i]);
	xfree(p->insn);
	xfree(p->label);
	xfree(p->fix);
	xfree(p->reloc);
	xfree(p->comment);
}

/* room for instruction p->len (and its comment, if comments are kept) */
static void reserve(struct prog *p)
{
	int cap = p->cap;

	if (p->len < p->cap)
		return;
	p->insn = grow(p->insn, &p->cap, p->len + 1, sizeof(*p->insn));
	if (!p->comment)
		return;
	p->comment = grow(p->comment, &cap, p->cap, sizeof(*p->comment));
	memset(p->comment + p->len, 0, (p->cap - p->len) * sizeof(*p->comment));
}

void emit(struct prog *p, struct bpf_insn in)
{
	if (p->err)
		return;
	if (p->len == PROG_MAX_INSNS) {
		p->err = -E2BIG;
		return;
	}
	reserve(p);
	p->insn[p->len++] = in;
}

/* a comment shown above the next instruction in the listing */
void emit_comment(struct prog *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err || p->len == PROG_MAX_INSNS)
		return;
	reserve(p);
	if (!p->comment)
		p->comment = xcalloc(p->cap, sizeof(*p->comment));
	va_start(ap, fmt);
	p->comment[p->len] = xvasprintf(fmt, ap);
	va_end(ap);
}

int label_new(struct prog *p)
{
	p->label = grow(p->label, &p->labels_cap, p->nlabels + 1,
			sizeof(*p->label));
	p->label[p->nlabels] = -1;
	return p->nlabels++;
}

void label_here(struct prog *p, int label)
{
	p->label[label] = p->len;
}

void emit_jmp(struct prog *p, struct bpf_insn in, int label)
{
	if (p->err)
		return;
	p->fix = grow(p->fix, &p->fix_cap, p->nfix + 1, sizeof(*p->fix));
	p->fix[p->nfix].pc = p->len;
	p->fix[p->nfix].label = label;
	p->fix[p->nfix].imm = false;
	p->nfix++;
	emit(p, in);
}

bool label_used(const struct prog *p, int label)
{
	int i;

	for (i = 0; i < p->nfix; i++)
		if (p->fix[i].label == label)
			return true;
	return false;
}

void emit_ld_func(struct prog *p, int dst, int label)
{
	emit_jmp(p, BPF_LD_IMM64_LO(dst, BPF_PSEUDO_FUNC, 0), label);
	if (!p->err)
		p->fix[p->nfix - 1].imm = true;
	emit(p, BPF_LD_IMM64_HI(0));
}

void emit_ld_map(struct prog *p, int dst, struct map *m, bool value)
{
	if (p->err)
		return;
	p->reloc = grow(p->reloc, &p->reloc_cap, p->nreloc + 1,
			sizeof(*p->reloc));
	p->reloc[p->nreloc].pc = p->len;
	p->reloc[p->nreloc].map = m;
	p->reloc[p->nreloc].value = value;
	p->nreloc++;
	emit(p, BPF_LD_IMM64_LO(dst, value ? BPF_PSEUDO_MAP_VALUE :
				BPF_PSEUDO_MAP_FD, 0));
	emit(p, BPF_LD_IMM64_HI(0));
}

int asm_finish(struct prog *p)
{
	int i, off, target;

	if (p->err)
		return p->err;
	for (i = 0; i < p->nfix; i++) {
		target = p->label[p->fix[i].label];
		if (target < 0)
			return -EINVAL;		/* a codegen bug */
		off = target - (p->fix[i].pc + 1);
		if (p->fix[i].imm) {	/* a subprogram: its distance */
			p->insn[p->fix[i].pc].imm = off;
			continue;
		}
		if (off < INT16_MIN || off > INT16_MAX)
			return -ERANGE;
		p->insn[p->fix[i].pc].off = off;
	}
	return 0;
}

void asm_relocate(struct prog *p)
{
	int i;

	for (i = 0; i < p->nreloc; i++)
		p->insn[p->reloc[i].pc].imm = p->reloc[i].map->fd;
}

/* ---------------------------------------------------------------- */
/* the listing                                                      */

static const char *const alu_names[16] = {
	"add", "sub", "mul", "div", "or", "and", "lsh", "rsh",
	"neg", "mod", "xor", "mov", "arsh", "end", "?", "?",
};

static const char *const jmp_names[16] = {
	"ja", "jeq", "jgt", "jge", "jset", "jne", "jsgt", "jsge",
	"call", "exit", "jlt", "jle", "jslt", "jsle", "?", "?",
};

static const char *size_name(int code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return "b";
	case BPF_H: return "h";
	case BPF_W: return "w";
	default: return "dw";
	}
}

static void dump_alu(const struct bpf_insn *in, FILE *fp)
{
	const char *w = BPF_CLASS(in->code) == BPF_ALU64 ? "" : "32";

	fprintf(fp, "%s%s r%d", alu_names[BPF_OP(in->code) >> 4], w,
		in->dst_reg);
	if (BPF_OP(in->code) == BPF_NEG)
		return;
	if (BPF_SRC(in->code) == BPF_X)
		fprintf(fp, ", r%d", in->src_reg);
	else
		fprintf(fp, ", #%s0x%x", in->imm < 0 ? "-" : "",
			in->imm < 0 ? -(unsigned)in->imm : (unsigned)in->imm);
}

static void dump_jmp(const struct bpf_insn *in, FILE *fp)
{
	int op = BPF_OP(in->code);

	if (op == BPF_EXIT) {
		fputs("exit", fp);
		return;
	}
	if (op == BPF_CALL) {
		fprintf(fp, "call %d", in->imm);
		return;
	}
	if (op == BPF_JA) {
		fprintf(fp, "ja %+d", in->off);
		return;
	}
	fprintf(fp, "%s r%d, ", jmp_names[op >> 4], in->dst_reg);
	if (BPF_SRC(in->code) == BPF_X)
		fprintf(fp, "r%d", in->src_reg);
	else
		fprintf(fp, "#%s0x%x", in->imm < 0 ? "-" : "",
			in->imm < 0 ? -(unsigned)in->imm : (unsigned)in->imm);
	fprintf(fp, ", %+d", in->off);
}

/* one instruction; returns how many slots it took (ld_imm64: 2) */
static int dump_insn(const struct prog *p, int pc, FILE *fp)
{
	const struct bpf_insn *in = &p->insn[pc];
	int i;

	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		dump_alu(in, fp);
		return 1;
	case BPF_JMP:
		dump_jmp(in, fp);
		return 1;
	case BPF_LDX:
		fprintf(fp, "ldx%s r%d, [r%d%+d]", size_name(in->code),
			in->dst_reg, in->src_reg, in->off);
		return 1;
	case BPF_STX:
		fprintf(fp, "stx%s [r%d%+d], r%d", size_name(in->code),
			in->dst_reg, in->off, in->src_reg);
		return 1;
	case BPF_ST:
		fprintf(fp, "st%s [r%d%+d], #%d", size_name(in->code),
			in->dst_reg, in->off, in->imm);
		return 1;
	}
	/* ld_imm64 */
	for (i = 0; i < p->nreloc; i++)
		if (p->reloc[i].pc == pc)
			break;
	if (i < p->nreloc)
		fprintf(fp, "ld r%d, %s%s", in->dst_reg,
			p->reloc[i].value ? "&value:" : "map:",
			p->reloc[i].map->name);
	else if (in->src_reg == BPF_PSEUDO_FUNC)
		fprintf(fp, "ld r%d, func:%d", in->dst_reg, pc + in->imm + 1);
	else
		fprintf(fp, "ld r%d, #0x%llx", in->dst_reg,
			(unsigned long long)(uint32_t)in->imm |
			(unsigned long long)(uint32_t)in[1].imm << 32);
	return 2;
}

void asm_dump(const struct prog *p, FILE *fp)
{
	int pc = 0;

	while (pc < p->len) {
		if (p->comment && p->comment[pc])
			fprintf(fp, ";; %s\n", p->comment[pc]);
		fprintf(fp, "%4d\t", pc);
		pc += dump_insn(p, pc, fp);
		fputc('\n', fp);
	}
}
