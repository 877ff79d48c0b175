/*
 * asm_test.c - the BPF encoder and assembler against known bytes.
 *
 * The encodings are the kernel's (checked against <linux/bpf.h> when
 * this test was written); the listing format is what -S shows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../src/ply.h"
#include "../src/bpf_insn.h"

static int passed, failed;

#define CHECK(cond) check(cond, #cond, __LINE__)

static void check(int ok, const char *what, int line)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL asm_test.c:%d: %s\n", line, what);
}

static int bytes_are(const void *p, const char *hex)
{
	const unsigned char *b = p;
	char buf[8];
	size_t i;

	for (i = 0; *hex; i++, hex += 3) {
		snprintf(buf, sizeof(buf), "%02x", b[i]);
		if (strncmp(buf, hex, 2))
			return 0;
		if (!hex[2])
			break;
	}
	return 1;
}

static void test_encoding(void)
{
	struct bpf_insn prog[] = { BPF_MOV64_IMM(0, 0), BPF_EXIT_INSN() };
	struct bpf_insn ld = BPF_LD_IMM64_LO(1, BPF_PSEUDO_MAP_FD, 7);
	struct bpf_insn ldx = BPF_LDX_MEM(BPF_W, 2, 10, -8);
	struct bpf_insn jmp = BPF_JMP_IMM(BPF_JSGT, 3, 5, -2);
	struct bpf_insn st = BPF_ST_MEM(BPF_DW, 10, -16, 0x11223344);

	CHECK(sizeof(struct bpf_insn) == 8);
	CHECK(bytes_are(prog, "b7 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00"));
	CHECK(ld.code == 0x18);
	CHECK(bytes_are(&ld, "18 11 00 00 07 00 00 00"));
	CHECK(bytes_are(&ldx, "61 a2 f8 ff 00 00 00 00"));
	CHECK(bytes_are(&jmp, "65 03 fe ff 05 00 00 00"));
	CHECK(bytes_are(&st, "7a 0a f0 ff 44 33 22 11"));
	CHECK(BPF_ALU32_REG(BPF_MOV, 1, 2).code == 0xbc);
	CHECK(BPF_CALL_HELPER(BPF_FUNC_map_lookup_elem).code == 0x85);
}

static void test_labels(void)
{
	static struct prog p;
	int l1, l2;

	asm_init(&p);
	l1 = label_new(&p);
	l2 = label_new(&p);
	emit_jmp(&p, BPF_JMP_IMM(BPF_JEQ, 1, 0, 0), l2);	/* 0 */
	label_here(&p, l1);
	emit(&p, BPF_MOV64_IMM(0, 1));				/* 1 */
	emit_jmp(&p, BPF_JMP_A(0), l1);				/* 2 */
	label_here(&p, l2);
	emit(&p, BPF_EXIT_INSN());				/* 3 */
	CHECK(asm_finish(&p) == 0);
	CHECK(p.insn[0].off == 2);
	CHECK(p.insn[2].off == -2);
	asm_free(&p);
}

static void test_errors(void)
{
	static struct prog p;
	int i, l;

	asm_init(&p);
	for (i = 0; i < PROG_MAX_INSNS + 3; i++)
		emit(&p, BPF_EXIT_INSN());
	CHECK(p.len == PROG_MAX_INSNS);
	CHECK(asm_finish(&p) == -E2BIG);
	asm_free(&p);

	asm_init(&p);
	l = label_new(&p);
	emit_jmp(&p, BPF_JMP_A(0), l);
	CHECK(asm_finish(&p) == -EINVAL);	/* never placed */
	asm_free(&p);
}

static void test_reloc_and_listing(void)
{
	static struct prog p;
	struct map m = { .name = "@reads", .fd = 42 };
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	asm_init(&p);
	emit_comment(&p, "lookup");
	emit_ld_map(&p, BPF_REG_1, &m, false);
	emit(&p, BPF_ALU64_IMM(BPF_ADD, 2, -8));
	emit(&p, BPF_JMP_REG(BPF_JGT, 1, 2, 1));
	emit(&p, BPF_STX_MEM(BPF_DW, 10, 1, -8));
	emit(&p, BPF_EXIT_INSN());
	CHECK(asm_finish(&p) == 0);
	asm_relocate(&p);
	CHECK(p.insn[0].imm == 42 && p.insn[0].src_reg == BPF_PSEUDO_MAP_FD);

	fp = open_memstream(&out, &len);
	asm_dump(&p, fp);
	fclose(fp);
	CHECK(!strcmp(out,
		";; lookup\n"
		"   0\tld r1, map:@reads\n"
		"   2\tadd r2, #-0x8\n"
		"   3\tjgt r1, r2, +1\n"
		"   4\tstxdw [r10-8], r1\n"
		"   5\texit\n"));
	if (failed)
		printf("%s", out);
	free(out);
	asm_free(&p);
}

int main(void)
{
	test_encoding();
	test_labels();
	test_errors();
	test_reloc_and_listing();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
