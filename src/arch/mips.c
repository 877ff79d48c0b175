/*
 * arch/mips.c - the MIPS register tables: o32 ("mips") and n64
 * ("mips64").  n32 is not supported.
 *
 * struct pt_regs of Linux 6.1 (arch/mips/include/asm/ptrace.h):
 *
 *	unsigned long pad0[8];		(CONFIG_32BIT only)
 *	unsigned long regs[32];
 *	unsigned long cp0_status, hi, lo;
 *	unsigned long acx;		(CONFIG_CPU_HAS_SMARTMIPS only)
 *	unsigned long cp0_badvaddr, cp0_cause, cp0_epc;
 *	u64 mpl[6], mtp[6];		(CONFIG_CPU_CAVIUM_OCTEON only)
 *	} __aligned(8);
 *
 * The tables assume no SmartMIPS (a rarely enabled option; with it,
 * cp0_badvaddr onwards move up one word) and leave out Octeon's
 * trailing mpl/mtp, which move nothing but make the real struct 96
 * bytes longer than regs_size.  On o32, pad0 is the caller's
 * argument save area: the syscall entry copies syscall arguments 5-8
 * into pad0_4..pad0_7.
 *
 * regs[] is named by the ABI, which differs for regs 8-15: o32 has
 * t0-t7 there, n64 has a4-a7, t0-t3.  The kernel's kprobe-event
 * names (r0..r31, c0_status, ...) are not listed as aliases, since
 * every name here is also a field of *regs.  o32 passes four
 * arguments in registers, n64 eight; both return in v0.
 *
 * User space's <asm/ptrace.h> struct pt_regs is the PTRACE_GETREGS
 * layout (64-bit fields; lo, hi, cp0_epc, ...), not the kernel's, so
 * there is no native check here.
 */
#include "ply.h"

#define W(n) ((n) * 4)
#define R(n) ((n) * 8)

static const struct arch_reg mips_regs[] = {
	{ "pad0_0", W(0) }, { "pad0_1", W(1) }, { "pad0_2", W(2) },
	{ "pad0_3", W(3) }, { "pad0_4", W(4) }, { "pad0_5", W(5) },
	{ "pad0_6", W(6) }, { "pad0_7", W(7) },
	{ "zero", W(8) }, { "at", W(9) }, { "v0", W(10) }, { "v1", W(11) },
	{ "a0", W(12) }, { "a1", W(13) }, { "a2", W(14) }, { "a3", W(15) },
	{ "t0", W(16) }, { "t1", W(17) }, { "t2", W(18) }, { "t3", W(19) },
	{ "t4", W(20) }, { "t5", W(21) }, { "t6", W(22) }, { "t7", W(23) },
	{ "s0", W(24) }, { "s1", W(25) }, { "s2", W(26) }, { "s3", W(27) },
	{ "s4", W(28) }, { "s5", W(29) }, { "s6", W(30) }, { "s7", W(31) },
	{ "t8", W(32) }, { "t9", W(33) }, { "k0", W(34) }, { "k1", W(35) },
	{ "gp", W(36) }, { "sp", W(37) }, { "fp", W(38) }, { "ra", W(39) },
	{ "cp0_status", W(40) }, { "hi", W(41) }, { "lo", W(42) },
	{ "cp0_badvaddr", W(43) }, { "cp0_cause", W(44) },
	{ "cp0_epc", W(45) },
};

const struct arch arch_mips = {
	.name = "mips",
	.word = 4,
	.big_endian = false,	/* mips and mipsel alike: see arch.c */
	.nargs = 4,
	.arg = { "a0", "a1", "a2", "a3" },
	.ret = "v0",
	.pc = "cp0_epc",
	.sp = "sp",
	.regs = mips_regs,
	.nregs = ARRAY_SIZE(mips_regs),
	.regs_size = W(46),
	.nr_bpf = 4000 + 355,
	.nr_perf_event_open = 4000 + 333,
};

static const struct arch_reg mips64_regs[] = {
	{ "zero", R(0) }, { "at", R(1) }, { "v0", R(2) }, { "v1", R(3) },
	{ "a0", R(4) }, { "a1", R(5) }, { "a2", R(6) }, { "a3", R(7) },
	{ "a4", R(8) }, { "a5", R(9) }, { "a6", R(10) }, { "a7", R(11) },
	{ "t0", R(12) }, { "t1", R(13) }, { "t2", R(14) }, { "t3", R(15) },
	{ "s0", R(16) }, { "s1", R(17) }, { "s2", R(18) }, { "s3", R(19) },
	{ "s4", R(20) }, { "s5", R(21) }, { "s6", R(22) }, { "s7", R(23) },
	{ "t8", R(24) }, { "t9", R(25) }, { "k0", R(26) }, { "k1", R(27) },
	{ "gp", R(28) }, { "sp", R(29) }, { "fp", R(30) }, { "ra", R(31) },
	{ "cp0_status", R(32) }, { "hi", R(33) }, { "lo", R(34) },
	{ "cp0_badvaddr", R(35) }, { "cp0_cause", R(36) },
	{ "cp0_epc", R(37) },
};

const struct arch arch_mips64 = {
	.name = "mips64",
	.word = 8,
	.big_endian = false,	/* mips64 and mips64el alike: see arch.c */
	.nargs = 8,
	.arg = { "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7" },
	.ret = "v0",
	.pc = "cp0_epc",
	.sp = "sp",
	.regs = mips64_regs,
	.nregs = ARRAY_SIZE(mips64_regs),
	.regs_size = R(38),
	.nr_bpf = 5000 + 315,
	.nr_perf_event_open = 5000 + 292,
};
