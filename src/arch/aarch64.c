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
	{ "x0", R(0) }, { "x1", R(1) }, { "x2", R(2) }, { "x3", R(3) },
	{ "x4", R(4) }, { "x5", R(5) }, { "x6", R(6) }, { "x7", R(7) },
	{ "x8", R(8) }, { "x9", R(9) }, { "x10", R(10) }, { "x11", R(11) },
	{ "x12", R(12) }, { "x13", R(13) }, { "x14", R(14) },
	{ "x15", R(15) }, { "x16", R(16) }, { "x17", R(17) },
	{ "x18", R(18) }, { "x19", R(19) }, { "x20", R(20) },
	{ "x21", R(21) }, { "x22", R(22) }, { "x23", R(23) },
	{ "x24", R(24) }, { "x25", R(25) }, { "x26", R(26) },
	{ "x27", R(27) }, { "x28", R(28) }, { "x29", R(29) },
	{ "x30", R(30) },
	{ "sp", R(31) }, { "pc", R(32) }, { "pstate", R(33) },
	{ "orig_x0", R(34) }, { "syscallno", R(35) },
	{ "sdei_ttbr1", R(36) }, { "pmr_save", R(37) },
	{ "stackframe0", R(38) }, { "stackframe1", R(39) },
	{ "lockdep_hardirqs", R(40) }, { "exit_rcu", R(41) },
	/* aliases */
	{ "lr", R(30) },
};

const struct arch arch_aarch64 = {
	.name = "aarch64",
	.word = 8,
	.big_endian = false,	/* a target property: see arch.c */
	.nargs = 8,
	.arg = { "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7" },
	.ret = "x0",
	.pc = "pc",
	.sp = "sp",
	.regs = aarch64_regs,
	.nregs = ARRAY_SIZE(aarch64_regs),
	.regs_size = R(42),
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
