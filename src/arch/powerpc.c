/*
 * arch/powerpc.c - the PowerPC register table: "ppc" (32-bit,
 * big-endian), "ppc64" (big-endian) and "ppc64le".
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
 * Slot 39 is softe on ppc64 and mq on ppc.  gpr21 is gpr21: iovisor/ply named it "gpr12" a second time.  The
 * kernel also accepts r0..r31 for gpr0..gpr31; they are not listed,
 * since every name here is also a field of *regs.  Arguments are in
 * gpr3-gpr10, the return value in gpr3, the stack pointer is gpr1.
 */
#include "ply.h"

#if defined(__powerpc__) && PLY_HAVE_UAPI
#include <asm/ptrace.h>
#endif

static const struct arch_reg ppc_regs[] = {
	{ "gpr0", 0 }, { "gpr1", 1 }, { "gpr2", 2 }, { "gpr3", 3 },
	{ "gpr4", 4 }, { "gpr5", 5 }, { "gpr6", 6 }, { "gpr7", 7 },
	{ "gpr8", 8 }, { "gpr9", 9 }, { "gpr10", 10 }, { "gpr11", 11 },
	{ "gpr12", 12 }, { "gpr13", 13 }, { "gpr14", 14 }, { "gpr15", 15 },
	{ "gpr16", 16 }, { "gpr17", 17 }, { "gpr18", 18 }, { "gpr19", 19 },
	{ "gpr20", 20 }, { "gpr21", 21 }, { "gpr22", 22 }, { "gpr23", 23 },
	{ "gpr24", 24 }, { "gpr25", 25 }, { "gpr26", 26 }, { "gpr27", 27 },
	{ "gpr28", 28 }, { "gpr29", 29 }, { "gpr30", 30 }, { "gpr31", 31 },
	{ "nip", 32 }, { "msr", 33 }, { "orig_gpr3", 34 }, { "ctr", 35 },
	{ "link", 36 }, { "xer", 37 }, { "ccr", 38 },
	{ "mq", 39, ABI_PPC32 }, { "softe", 39, ABI_PPC64 },
	{ "trap", 40 }, { "dar", 41 }, { "dsisr", 42 }, { "result", 43 },
};

/* arguments in gpr3-gpr10, the result in gpr3 */
#define PPC_ARCH(nm, w, be, a) {						\
	.name = nm, .word = w, .big_endian = be, .abi = a,		\
	.nargs = 8,							\
	.arg = { "gpr3", "gpr4", "gpr5", "gpr6",			\
		 "gpr7", "gpr8", "gpr9", "gpr10" },			\
	.ret = "gpr3", .pc = "nip", .sp = "gpr1",			\
	.regs = ppc_regs, .nregs = ARRAY_SIZE(ppc_regs), .slots = 48,	\
	.nr_bpf = 361, .nr_perf_event_open = 319,			\
}

const struct arch arch_ppc = PPC_ARCH("ppc", 4, true, ABI_PPC32);
const struct arch arch_ppc64 = PPC_ARCH("ppc64", 8, true, ABI_PPC64);
const struct arch arch_ppc64le = PPC_ARCH("ppc64le", 8, false, ABI_PPC64);

/*
 * Native check: user space's struct pt_regs is the kernel's struct
 * user_pt_regs, the first 44 words of its pt_regs.
 */
#if defined(__powerpc64__)
#define N(n) ((n) * 8)
#elif defined(__powerpc__)
#define N(n) ((n) * 4)
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
