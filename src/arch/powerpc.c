/*
 * arch/powerpc.c - the PowerPC register tables: "ppc" (32-bit) and
 * "ppc64".
 *
 * struct pt_regs of Linux 6.1 (arch/powerpc/include/asm/ptrace.h)
 * starts with struct user_pt_regs, all unsigned long:
 *
 *	gpr[32], nip, msr, orig_gpr3, ctr, link, xer, ccr,
 *	softe (CONFIG_PPC64) or mq (32-bit), trap,
 *	dar (union with dear), dsisr (union with esr), result;
 *
 * then, on 64-bit or with CONFIG_PPC_KUAP, a 4-word union (ppr,
 * exit_result, kuap/amr, iamr; config-dependent, so not listed), and
 * on 32-bit BookE 12 more words of mas and save/restore registers.
 * regs_size is 44 + 4 words: ppc64 always, and 32-bit with KUAP
 * (default y where the CPU family has it); 32-bit without KUAP is
 * 176 bytes, 32-bit BookE 48 more.
 *
 * gpr21 is gpr21: iovisor/ply named it "gpr12" a second time.  The
 * kernel also accepts r0..r31 for gpr0..gpr31; they are not listed,
 * since every name here is also a field of *regs.  Arguments are in
 * gpr3-gpr10, the return value in gpr3, the stack pointer is gpr1.
 */
#include "ply.h"

#if defined(__powerpc__) && PLY_HAVE_UAPI
#include <asm/ptrace.h>
#endif

#define W(n) ((n) * 4)
#define R(n) ((n) * 8)

static const struct arch_reg ppc_regs[] = {
	{ "gpr0", W(0) }, { "gpr1", W(1) }, { "gpr2", W(2) }, { "gpr3", W(3) },
	{ "gpr4", W(4) }, { "gpr5", W(5) }, { "gpr6", W(6) }, { "gpr7", W(7) },
	{ "gpr8", W(8) }, { "gpr9", W(9) }, { "gpr10", W(10) },
	{ "gpr11", W(11) }, { "gpr12", W(12) }, { "gpr13", W(13) },
	{ "gpr14", W(14) }, { "gpr15", W(15) }, { "gpr16", W(16) },
	{ "gpr17", W(17) }, { "gpr18", W(18) }, { "gpr19", W(19) },
	{ "gpr20", W(20) }, { "gpr21", W(21) }, { "gpr22", W(22) },
	{ "gpr23", W(23) }, { "gpr24", W(24) }, { "gpr25", W(25) },
	{ "gpr26", W(26) }, { "gpr27", W(27) }, { "gpr28", W(28) },
	{ "gpr29", W(29) }, { "gpr30", W(30) }, { "gpr31", W(31) },
	{ "nip", W(32) }, { "msr", W(33) }, { "orig_gpr3", W(34) },
	{ "ctr", W(35) }, { "link", W(36) }, { "xer", W(37) },
	{ "ccr", W(38) }, { "mq", W(39) }, { "trap", W(40) }, { "dar", W(41) },
	{ "dsisr", W(42) }, { "result", W(43) },
};

const struct arch arch_ppc = {
	.name = "ppc",
	.word = 4,
	.big_endian = false,	/* ppc is big-endian, but see arch.c */
	.nargs = 8,
	.arg = { "gpr3", "gpr4", "gpr5", "gpr6",
		 "gpr7", "gpr8", "gpr9", "gpr10" },
	.ret = "gpr3",
	.pc = "nip",
	.sp = "gpr1",
	.regs = ppc_regs,
	.nregs = ARRAY_SIZE(ppc_regs),
	.regs_size = W(48),
	.nr_bpf = 361,
	.nr_perf_event_open = 319,
};

static const struct arch_reg ppc64_regs[] = {
	{ "gpr0", R(0) }, { "gpr1", R(1) }, { "gpr2", R(2) }, { "gpr3", R(3) },
	{ "gpr4", R(4) }, { "gpr5", R(5) }, { "gpr6", R(6) }, { "gpr7", R(7) },
	{ "gpr8", R(8) }, { "gpr9", R(9) }, { "gpr10", R(10) },
	{ "gpr11", R(11) }, { "gpr12", R(12) }, { "gpr13", R(13) },
	{ "gpr14", R(14) }, { "gpr15", R(15) }, { "gpr16", R(16) },
	{ "gpr17", R(17) }, { "gpr18", R(18) }, { "gpr19", R(19) },
	{ "gpr20", R(20) }, { "gpr21", R(21) }, { "gpr22", R(22) },
	{ "gpr23", R(23) }, { "gpr24", R(24) }, { "gpr25", R(25) },
	{ "gpr26", R(26) }, { "gpr27", R(27) }, { "gpr28", R(28) },
	{ "gpr29", R(29) }, { "gpr30", R(30) }, { "gpr31", R(31) },
	{ "nip", R(32) }, { "msr", R(33) }, { "orig_gpr3", R(34) },
	{ "ctr", R(35) }, { "link", R(36) }, { "xer", R(37) },
	{ "ccr", R(38) }, { "softe", R(39) }, { "trap", R(40) },
	{ "dar", R(41) }, { "dsisr", R(42) }, { "result", R(43) },
};

const struct arch arch_ppc64 = {
	.name = "ppc64",
	.word = 8,
	.big_endian = false,	/* ppc64 and ppc64le alike: see arch.c */
	.nargs = 8,
	.arg = { "gpr3", "gpr4", "gpr5", "gpr6",
		 "gpr7", "gpr8", "gpr9", "gpr10" },
	.ret = "gpr3",
	.pc = "nip",
	.sp = "gpr1",
	.regs = ppc64_regs,
	.nregs = ARRAY_SIZE(ppc64_regs),
	.regs_size = R(48),
	.nr_bpf = 361,
	.nr_perf_event_open = 319,
};

/*
 * Native check: user space's struct pt_regs is the kernel's struct
 * user_pt_regs, the first 44 words of its pt_regs.
 */
#if defined(__powerpc64__)
#define N(n) R(n)
#elif defined(__powerpc__)
#define N(n) W(n)
#endif
#if defined(__powerpc__) && PLY_HAVE_UAPI
_Static_assert(offsetof(struct pt_regs, gpr[1]) == N(1), "ppc: gpr1");
_Static_assert(offsetof(struct pt_regs, gpr[21]) == N(21), "ppc: gpr21");
_Static_assert(offsetof(struct pt_regs, nip) == N(32), "ppc: nip");
_Static_assert(offsetof(struct pt_regs, ccr) == N(38), "ppc: ccr");
_Static_assert(offsetof(struct pt_regs, trap) == N(40), "ppc: trap");
_Static_assert(offsetof(struct pt_regs, result) == N(43), "ppc: result");
_Static_assert(sizeof(struct pt_regs) == N(44), "ppc: sizeof");
#endif
