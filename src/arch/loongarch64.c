/*
 * arch/loongarch64.c - the LoongArch64 register table.
 *
 * struct pt_regs of Linux 6.1 (arch/loongarch/include/asm/ptrace.h):
 *
 *	unsigned long regs[32];		r0..r31
 *	unsigned long orig_a0;
 *	unsigned long csr_era, csr_badvaddr, csr_crmd, csr_prmd,
 *		      csr_euen, csr_ecfg, csr_estat;	(sizeof: 320)
 *
 * regs[] is named by the ABI (asm/regdef.h): zero ra tp sp a0-a7
 * t0-t8 u0 fp s0-s8, with r21 the kernel's "u0" (its per-CPU base).
 * The kernel also accepts r0..r31; they are not listed, since every
 * name here is also a field of *regs.  The program counter is
 * csr_era: iovisor/ply's "pc" was slot 0, which is $zero.  "pc" is
 * kept as an alias of csr_era.  Arguments are in a0-a7, the return
 * value in a0.
 */
#include "ply.h"

#if defined(__loongarch64) && defined(PLY_CHECK_PTREGS)
#include <asm/ptrace.h>
#endif

#define R(n) ((n) * 8)

static const struct arch_reg loongarch64_regs[] = {
	{ "zero", 0 }, { "ra", 1 }, { "tp", 2 }, { "sp", 3 },
	{ "a0", 4 }, { "a1", 5 }, { "a2", 6 }, { "a3", 7 },
	{ "a4", 8 }, { "a5", 9 }, { "a6", 10 }, { "a7", 11 },
	{ "t0", 12 }, { "t1", 13 }, { "t2", 14 }, { "t3", 15 },
	{ "t4", 16 }, { "t5", 17 }, { "t6", 18 }, { "t7", 19 },
	{ "t8", 20 }, { "u0", 21 }, { "fp", 22 }, { "s0", 23 },
	{ "s1", 24 }, { "s2", 25 }, { "s3", 26 }, { "s4", 27 },
	{ "s5", 28 }, { "s6", 29 }, { "s7", 30 }, { "s8", 31 },
	{ "orig_a0", 32 }, { "csr_era", 33 }, { "csr_badvaddr", 34 },
	{ "csr_crmd", 35 }, { "csr_prmd", 36 }, { "csr_euen", 37 },
	{ "csr_ecfg", 38 }, { "csr_estat", 39 },
	/* aliases */
	{ "pc", 33 },
};

const struct arch arch_loongarch64 = {
	.name = "loongarch64",
	.word = 8,
	.big_endian = false,
	.nargs = 8,
	.arg = { "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7" },
	.ret = "a0",
	.pc = "csr_era",
	.sp = "sp",
	.regs = loongarch64_regs,
	.nregs = ARRAY_SIZE(loongarch64_regs),
	.slots = 40,
	.nr_bpf = 280,
	.nr_perf_event_open = 241,
};

/*
 * Native check: the uapi struct user_pt_regs (regs[32], orig_a0,
 * csr_era, csr_badv, reserved[10]) starts as the kernel's pt_regs.
 * Behind PLY_CHECK_PTREGS because no LoongArch compiler or headers
 * were at hand to try it.
 */
#if defined(__loongarch64) && defined(PLY_CHECK_PTREGS)
_Static_assert(offsetof(struct user_pt_regs, regs[3]) == R(3),
	       "loongarch64: sp");
_Static_assert(offsetof(struct user_pt_regs, regs[21]) == R(21),
	       "loongarch64: u0");
_Static_assert(offsetof(struct user_pt_regs, orig_a0) == R(32),
	       "loongarch64: orig_a0");
_Static_assert(offsetof(struct user_pt_regs, csr_era) == R(33),
	       "loongarch64: csr_era");
_Static_assert(offsetof(struct user_pt_regs, csr_badv) == R(34),
	       "loongarch64: csr_badvaddr");
#endif
