/*
 * arch/aarch64.c - the arm64 register table.
 *
 * struct pt_regs of Linux 6.1 (arch/arm64/include/asm/ptrace.h):
 *
 *	u64 regs[31], sp, pc, pstate;	(= struct user_pt_regs)
 *	u64 orig_x0;
 *	s32 syscallno; u32 unused2;	(swapped on big-endian)
 *	u64 sdei_ttbr1, pmr_save, stackframe[2];
 *	u64 lockdep_hardirqs, exit_rcu;	(sizeof: 336)
 *
 * Field 21 is x21: iovisor/ply named it "x12" a second time.  The
 * kernel's own names (regs_query_register_offset) are x0..x30, lr,
 * sp, pc and pstate; "lr" is kept as an alias of x30, at the end so
 * that *regs prints in the kernel's order.  "syscallno" names the
 * 8-byte slot at 280: its low 32 bits are syscallno on either
 * endianness, because 6.1 swaps the two halves on big-endian.
 * Functions take arguments in x0-x7 and return in x0.
 */
#include "ply.h"

#if defined(__aarch64__) && PLY_HAVE_UAPI
#include <asm/ptrace.h>
#endif

#define R(n) ((n) * 8)

static const struct arch_reg aarch64_regs[] = {
	{ "x0", 0 }, { "x1", 1 }, { "x2", 2 }, { "x3", 3 },
	{ "x4", 4 }, { "x5", 5 }, { "x6", 6 }, { "x7", 7 },
	{ "x8", 8 }, { "x9", 9 }, { "x10", 10 }, { "x11", 11 },
	{ "x12", 12 }, { "x13", 13 }, { "x14", 14 },
	{ "x15", 15 }, { "x16", 16 }, { "x17", 17 },
	{ "x18", 18 }, { "x19", 19 }, { "x20", 20 },
	{ "x21", 21 }, { "x22", 22 }, { "x23", 23 },
	{ "x24", 24 }, { "x25", 25 }, { "x26", 26 },
	{ "x27", 27 }, { "x28", 28 }, { "x29", 29 },
	{ "x30", 30 },
	{ "sp", 31 }, { "pc", 32 }, { "pstate", 33 },
	{ "orig_x0", 34 }, { "syscallno", 35 },
	{ "sdei_ttbr1", 36 }, { "pmr_save", 37 },
	{ "stackframe0", 38 }, { "stackframe1", 39 },
	{ "lockdep_hardirqs", 40 }, { "exit_rcu", 41 },
	/* aliases */
	{ "lr", 30 },
};

const struct arch arch_aarch64 = {
	.name = "aarch64",
	.word = 8,
	.big_endian = false,
	.nargs = 8,
	.arg = { "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7" },
	.ret = "x0",
	.pc = "pc",
	.sp = "sp",
	.regs = aarch64_regs,
	.nregs = ARRAY_SIZE(aarch64_regs),
	.slots = 42,
	.nr_bpf = 280,
	.nr_perf_event_open = 241,
};

/*
 * Native check: the uapi struct user_pt_regs is, by the kernel's own
 * comment, a prefix of its struct pt_regs.
 */
#if defined(__aarch64__) && PLY_HAVE_UAPI
_Static_assert(offsetof(struct user_pt_regs, regs[21]) == R(21),
	       "aarch64: x21");
_Static_assert(offsetof(struct user_pt_regs, sp) == R(31), "aarch64: sp");
_Static_assert(offsetof(struct user_pt_regs, pc) == R(32), "aarch64: pc");
_Static_assert(offsetof(struct user_pt_regs, pstate) == R(33),
	       "aarch64: pstate");
#endif
