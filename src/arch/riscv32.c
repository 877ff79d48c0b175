/*
 * arch/riscv32.c - the 32-bit RISC-V register table.
 *
 * struct pt_regs of Linux 6.1 (arch/riscv/include/asm/ptrace.h), all
 * unsigned long: epc, ra, sp, gp, tp, t0-t2, s0, s1, a0-a7, s2-s11,
 * t3-t6, then status, badaddr, cause, orig_a0.  "pc" is an alias of
 * epc, as the uapi struct user_regs_struct and iovisor/ply call it.
 * Arguments are in a0-a7 (iovisor/ply left out a7), the return value
 * in a0.  riscv64.c is the same table with 8-byte words.
 */
#include "ply.h"

#if defined(__riscv) && __riscv_xlen == 32 && PLY_HAVE_UAPI
#include <asm/ptrace.h>
#endif

#define R(n) ((n) * 4)

static const struct arch_reg riscv32_regs[] = {
	{ "epc", R(0) }, { "ra", R(1) }, { "sp", R(2) }, { "gp", R(3) },
	{ "tp", R(4) }, { "t0", R(5) }, { "t1", R(6) }, { "t2", R(7) },
	{ "s0", R(8) }, { "s1", R(9) }, { "a0", R(10) }, { "a1", R(11) },
	{ "a2", R(12) }, { "a3", R(13) }, { "a4", R(14) }, { "a5", R(15) },
	{ "a6", R(16) }, { "a7", R(17) }, { "s2", R(18) }, { "s3", R(19) },
	{ "s4", R(20) }, { "s5", R(21) }, { "s6", R(22) }, { "s7", R(23) },
	{ "s8", R(24) }, { "s9", R(25) }, { "s10", R(26) }, { "s11", R(27) },
	{ "t3", R(28) }, { "t4", R(29) }, { "t5", R(30) }, { "t6", R(31) },
	{ "status", R(32) }, { "badaddr", R(33) }, { "cause", R(34) },
	{ "orig_a0", R(35) },
	/* aliases */
	{ "pc", R(0) },
};

const struct arch arch_riscv32 = {
	.name = "riscv32",
	.word = 4,
	.big_endian = false,
	.nargs = 8,
	.arg = { "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7" },
	.ret = "a0",
	.pc = "epc",
	.sp = "sp",
	.regs = riscv32_regs,
	.nregs = ARRAY_SIZE(riscv32_regs),
	.regs_size = R(36),
	.nr_bpf = 280,
	.nr_perf_event_open = 241,
};

/*
 * Native check: the uapi struct user_regs_struct (pc .. t6) is the
 * kernel's pt_regs without the four trailing words.
 */
#if defined(__riscv) && __riscv_xlen == 32 && PLY_HAVE_UAPI
_Static_assert(offsetof(struct user_regs_struct, pc) == R(0), "riscv: pc");
_Static_assert(offsetof(struct user_regs_struct, sp) == R(2), "riscv: sp");
_Static_assert(offsetof(struct user_regs_struct, a0) == R(10), "riscv: a0");
_Static_assert(offsetof(struct user_regs_struct, a7) == R(17), "riscv: a7");
_Static_assert(offsetof(struct user_regs_struct, t6) == R(31), "riscv: t6");
_Static_assert(sizeof(struct user_regs_struct) == R(32), "riscv: sizeof");
#endif
