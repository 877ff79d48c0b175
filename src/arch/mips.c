/*
 * arch/mips.c - the MIPS register table: o32 ("mips", "mipsel") and
 * n64 ("mips64", "mips64el"), big- and little-endian.  n32 is not
 * supported.
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
 * Slot 0 is regs[0]; o32's pad0 lies before it (base 8), at slots
 * -8 to -1.  regs[] is named by the ABI, which differs for regs 8-15:
 * o32 has t0-t7 there, n64 has a4-a7, t0-t3.  The kernel's kprobe-event
 * names (r0..r31, c0_status, ...) are not listed as aliases, since
 * every name here is also a field of *regs.  o32 passes four
 * arguments in registers, n64 eight; both return in v0.
 *
 * User space's <asm/ptrace.h> struct pt_regs is the PTRACE_GETREGS
 * layout (64-bit fields; lo, hi, cp0_epc, ...), not the kernel's, so
 * there is no native check here.
 */
#include "ply.h"

static const struct arch_reg mips_regs[] = {
	{ "pad0_0", -8, ABI_O32 }, { "pad0_1", -7, ABI_O32 },
	{ "pad0_2", -6, ABI_O32 }, { "pad0_3", -5, ABI_O32 },
	{ "pad0_4", -4, ABI_O32 }, { "pad0_5", -3, ABI_O32 },
	{ "pad0_6", -2, ABI_O32 }, { "pad0_7", -1, ABI_O32 },
	{ "zero", 0 }, { "at", 1 }, { "v0", 2 }, { "v1", 3 },
	{ "a0", 4 }, { "a1", 5 }, { "a2", 6 }, { "a3", 7 },
	{ "t0", 8, ABI_O32 }, { "t1", 9, ABI_O32 }, { "t2", 10, ABI_O32 },
	{ "t3", 11, ABI_O32 }, { "t4", 12, ABI_O32 }, { "t5", 13, ABI_O32 },
	{ "t6", 14, ABI_O32 }, { "t7", 15, ABI_O32 },
	{ "a4", 8, ABI_N64 }, { "a5", 9, ABI_N64 }, { "a6", 10, ABI_N64 },
	{ "a7", 11, ABI_N64 }, { "t0", 12, ABI_N64 }, { "t1", 13, ABI_N64 },
	{ "t2", 14, ABI_N64 }, { "t3", 15, ABI_N64 },
	{ "s0", 16 }, { "s1", 17 }, { "s2", 18 }, { "s3", 19 },
	{ "s4", 20 }, { "s5", 21 }, { "s6", 22 }, { "s7", 23 },
	{ "t8", 24 }, { "t9", 25 }, { "k0", 26 }, { "k1", 27 },
	{ "gp", 28 }, { "sp", 29 }, { "fp", 30 }, { "ra", 31 },
	{ "cp0_status", 32 }, { "hi", 33 }, { "lo", 34 },
	{ "cp0_badvaddr", 35 }, { "cp0_cause", 36 }, { "cp0_epc", 37 },
};

#define MIPS_COMMON							\
	.ret = "v0", .pc = "cp0_epc", .sp = "sp",			\
	.regs = mips_regs, .nregs = ARRAY_SIZE(mips_regs)

/* o32: 4 arguments in registers, pad0 before regs[] */
#define MIPS_O32(nm, be) {						\
	.name = nm, .word = 4, .big_endian = be, .abi = ABI_O32,	\
	.nargs = 4, .arg = { "a0", "a1", "a2", "a3" },			\
	MIPS_COMMON, .base = 8, .slots = 46,				\
	.nr_bpf = 4000 + 355, .nr_perf_event_open = 4000 + 333,		\
}

/* n64: 8 arguments in registers */
#define MIPS_N64(nm, be) {						\
	.name = nm, .word = 8, .big_endian = be, .abi = ABI_N64,	\
	.nargs = 8,							\
	.arg = { "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7" },	\
	MIPS_COMMON, .slots = 38,					\
	.nr_bpf = 5000 + 315, .nr_perf_event_open = 5000 + 292,		\
}

const struct arch arch_mips = MIPS_O32("mips", true);
const struct arch arch_mipsel = MIPS_O32("mipsel", false);
const struct arch arch_mips64 = MIPS_N64("mips64", true);
const struct arch arch_mips64el = MIPS_N64("mips64el", false);
