/*
 * arch_test.c - every register table is self-consistent, and the
 * facts iovisor/ply got wrong are right here.
 */
#include <stdio.h>
#include <string.h>

#include "../src/ply.h"

#include "check.h"

/* a table prints which arch a failing check was about */
#define CHECK_A(a, cond) do {						\
		int before = failed;					\
		CHECK(cond);						\
		if (failed != before)					\
			printf("     (arch %s)\n", (a)->name);		\
	} while (0)

/* second names for a field; they alone may repeat an offset */
static const struct { const char *arch, *name; } aliases[] = {
	{ "aarch64", "lr" },
	{ "riscv64", "pc" },
	{ "riscv32", "pc" },
	{ "loongarch64", "pc" },
};

/* the registers of a's ABI */
static bool has(const struct arch *a, const struct arch_reg *r)
{
	return !r->only || r->only == a->abi;
}

static bool is_alias(const struct arch *a, const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(aliases); i++)
		if (!strcmp(aliases[i].arch, a->name) &&
		    !strcmp(aliases[i].name, name))
			return true;
	return false;
}

static int reg_off(const struct arch *a, const char *name)
{
	return arch_reg_off(a, name);
}

static int off(const struct arch *a, const struct arch_reg *r)
{
	return (a->base + r->slot) * a->word;
}

static void test_table(const struct arch *a)
{
	int i, j, last = -1;
	bool unique = true, inside = true;
	bool increasing = true, aliased = true;

	CHECK_A(a, a->word == 4 || a->word == 8);
	CHECK_A(a, a->nargs >= 1 && a->nargs <= 8);
	CHECK_A(a, a->slots > 0 && arch_regs_size(a) == a->slots * a->word);
	CHECK_A(a, a->nr_bpf > 0 && a->nr_perf_event_open > 0);
	for (i = 0; i < a->nregs; i++) {
		const struct arch_reg *r = &a->regs[i];

		if (!has(a, r))
			continue;
		for (j = 0; j < i; j++)
			if (has(a, &a->regs[j]) &&
			    !strcmp(a->regs[j].name, r->name))
				unique = false;
		if (off(a, r) < 0 || off(a, r) >= arch_regs_size(a))
			inside = false;
		if (is_alias(a, r->name)) {
			/* an alias names a field listed before it */
			for (j = 0; j < i; j++)
				if (has(a, &a->regs[j]) &&
				    a->regs[j].slot == r->slot &&
				    !is_alias(a, a->regs[j].name))
					break;
			if (j == i)
				aliased = false;
			continue;
		}
		if (off(a, r) <= last)
			increasing = false;
		last = off(a, r);
	}
	CHECK_A(a, unique);
	CHECK_A(a, inside);
	CHECK_A(a, increasing);
	CHECK_A(a, aliased);
	for (i = 0; i < 8; i++)
		CHECK_A(a, i < a->nargs ? arch_reg(a, a->arg[i]) != NULL
					: a->arg[i] == NULL);
	CHECK_A(a, arch_reg(a, a->ret));
	CHECK_A(a, arch_reg(a, a->pc));
	CHECK_A(a, arch_reg(a, a->sp));
	CHECK_A(a, !arch_reg(a, "no_such_register"));
	CHECK_A(a, arch_find(a->name) == a);
}

/* what each table must say, from the kernel's headers */
static const struct {
	const char *name;
	int word, nargs, regs_size;
	long nr_bpf, nr_perf_event_open;
	bool big_endian;
} expect[] = {
	{ "x86_64", 8, 6, 168, 321, 298, false },
	{ "aarch64", 8, 8, 336, 280, 241, false },
	{ "arm", 4, 4, 72, 386, 364, false },
	{ "mips", 4, 4, 184, 4355, 4333, true },
	{ "mipsel", 4, 4, 184, 4355, 4333, false },
	{ "mips64", 8, 8, 304, 5315, 5292, true },
	{ "mips64el", 8, 8, 304, 5315, 5292, false },
	{ "riscv64", 8, 8, 288, 280, 241, false },
	{ "riscv32", 4, 8, 144, 280, 241, false },
	{ "ppc", 4, 8, 192, 361, 319, true },
	{ "ppc64", 8, 8, 384, 361, 319, true },
	{ "ppc64le", 8, 8, 384, 361, 319, false },
	{ "loongarch64", 8, 8, 320, 280, 241, false },
};

static void test_expect(void)
{
	size_t i;
	int n = 0;

	for (i = 0; arch_all[i]; i++)
		n++;
	CHECK(n == (int)ARRAY_SIZE(expect));
	for (i = 0; i < ARRAY_SIZE(expect); i++) {
		const struct arch *a = arch_find(expect[i].name);

		CHECK(a != NULL);
		if (!a)
			continue;
		CHECK_A(a, a->word == expect[i].word);
		CHECK_A(a, a->nargs == expect[i].nargs);
		CHECK_A(a, arch_regs_size(a) == expect[i].regs_size);
		CHECK_A(a, a->big_endian == expect[i].big_endian);
		CHECK_A(a, a->nr_bpf == expect[i].nr_bpf);
		CHECK_A(a, a->nr_perf_event_open ==
			   expect[i].nr_perf_event_open);
	}
}

/* the defects of iovisor/ply's tables (FEATURES.md 1.11), and more */
static void test_facts(void)
{
	const struct arch *x86 = arch_find("x86_64");
	const struct arch *a64 = arch_find("aarch64");
	const struct arch *arm = arch_find("arm");
	const struct arch *mips = arch_find("mipsel");
	const struct arch *mips64 = arch_find("mips64");
	const struct arch *rv64 = arch_find("riscv64");
	const struct arch *ppc = arch_find("ppc");
	const struct arch *ppc64 = arch_find("ppc64");
	const struct arch *la = arch_find("loongarch64");

	CHECK(x86 && a64 && arm && mips && mips64 && rv64 && ppc && ppc64 &&
	      la);
	if (!(x86 && a64 && arm && mips && mips64 && rv64 && ppc && ppc64 &&
	      la))
		return;
	CHECK(!strcmp(x86->arg[3], "rcx") && reg_off(x86, "rcx") == 88);
	CHECK(reg_off(x86, "rdi") == 112 && reg_off(x86, "rip") == 128);
	CHECK(reg_off(a64, "x21") == 168 && reg_off(a64, "x12") == 96);
	CHECK(reg_off(a64, "pc") == 256 && reg_off(a64, "lr") == 240);
	CHECK(arm->nargs == 4 && !strcmp(arm->arg[3], "r3") && !arm->arg[4]);
	CHECK(reg_off(arm, "pc") == 60 && reg_off(arm, "orig_r0") == 68);
	CHECK(reg_off(mips, "a0") == 48 && reg_off(mips, "cp0_epc") == 180);
	CHECK(reg_off(mips, "pad0_4") == 16 && reg_off(mips, "t0") == 64);
	CHECK(!strcmp(mips64->arg[4], "a4") && reg_off(mips64, "a4") == 64);
	CHECK(reg_off(mips64, "cp0_epc") == 296 && reg_off(mips64, "t0") == 96);
	CHECK(!arch_reg(mips64, "pad0_0") && !arch_reg(mips, "a4"));
	CHECK(!strcmp(rv64->arg[7], "a7") && reg_off(rv64, "a7") == 136);
	CHECK(reg_off(rv64, "pc") == 0 && !strcmp(rv64->pc, "epc"));
	CHECK(reg_off(ppc64, "gpr21") == 168 && reg_off(ppc64, "gpr12") == 96);
	CHECK(reg_off(ppc64, "softe") == 312 && reg_off(ppc64, "nip") == 256);
	CHECK(reg_off(ppc, "gpr21") == 84 && reg_off(ppc, "mq") == 156);
	CHECK(!arch_reg(ppc, "softe") && !arch_reg(ppc64, "mq"));
	CHECK(!strcmp(ppc->arg[7], "gpr10") && !strcmp(ppc->sp, "gpr1"));
	CHECK(!strcmp(la->pc, "csr_era") && reg_off(la, "csr_era") == 264);
	CHECK(reg_off(la, "pc") == 264 && reg_off(la, "zero") == 0);
	CHECK(reg_off(la, "u0") == 168 && reg_off(la, "a7") == 88);
}

static void test_find(void)
{
	CHECK(arch_find("armv7l") == arch_find("arm"));
	CHECK(arch_find("armv6l") == arch_find("arm"));
	CHECK(arch_find("mipsel") != arch_find("mips"));
	CHECK(arch_find("mips64el") != arch_find("mips64"));
	CHECK(arch_find("powerpc") == arch_find("ppc"));
	CHECK(arch_find("ppc64el") == arch_find("ppc64le"));
	CHECK(arch_find("arm64") == arch_find("aarch64"));
	CHECK(arch_find("arm") && arch_find("mips") && arch_find("ppc"));
	CHECK(arch_find("vax") == NULL);
	CHECK(arch_find("") == NULL);
	/* uname -m says "mips" whatever the byte order */
	CHECK(arch_find_order("mips", false) == arch_find("mipsel"));
	CHECK(arch_find_order("mips", true) == arch_find("mips"));
	CHECK(arch_find_order("mips64", false) == arch_find("mips64el"));
	CHECK(arch_find_order("ppc64", false) == arch_find("ppc64le"));
	CHECK(arch_find_order("x86_64", true) == arch_find("x86_64"));
	CHECK(arch_native != NULL);
	CHECK(arch_find(arch_native->name) == arch_native);
#if defined(__x86_64__)
	CHECK(arch_native == arch_find("x86_64"));
#endif
}

int main(void)
{
	int i;

	for (i = 0; arch_all[i]; i++)
		test_table(arch_all[i]);
	test_expect();
	test_facts();
	test_find();
	return check_done();
}
