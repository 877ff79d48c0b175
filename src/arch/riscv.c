/*
 * arch/riscv.c - the RISC-V register table: riscv64 and riscv32.
 *
 * struct pt_regs of Linux 6.1 (arch/riscv/include/asm/ptrace.h), all
 * unsigned long: epc, ra, sp, gp, tp, t0-t2, s0, s1, a0-a7, s2-s11,
 * t3-t6, then status, badaddr, cause, orig_a0.  "pc" is an alias of
 * epc, as the uapi struct user_regs_struct and iovisor/ply call it.
 * Arguments are in a0-a7 (iovisor/ply left out a7), the return value
 * in a0.  riscv32 is the same table with 4-byte words.
 */
#include "ply.h"

#if defined(__riscv) && PLY_HAVE_UAPI
#include <asm/ptrace.h>
#endif

#define R(n) ((n) * (__riscv_xlen / 8))

static const struct arch_reg riscv_regs[] = {
	{ "epc", 0 }, { "ra", 1 }, { "sp", 2 }, { "gp", 3 },
	{ "tp", 4 }, { "t0", 5 }, { "t1", 6 }, { "t2", 7 },
	{ "s0", 8 }, { "s1", 9 }, { "a0", 10 }, { "a1", 11 },
	{ "a2", 12 }, { "a3", 13 }, { "a4", 14 }, { "a5", 15 },
	{ "a6", 16 }, { "a7", 17 }, { "s2", 18 }, { "s3", 19 },
	{ "s4", 20 }, { "s5", 21 }, { "s6", 22 }, { "s7", 23 },
	{ "s8", 24 }, { "s9", 25 }, { "s10", 26 }, { "s11", 27 },
	{ "t3", 28 }, { "t4", 29 }, { "t5", 30 }, { "t6", 31 },
	{ "status", 32 }, { "badaddr", 33 }, { "cause", 34 },
	{ "orig_a0", 35 },
	/* aliases */
	{ "pc", 0 },
};

/* the same calling convention and syscalls at either width */
#define RISCV(nm, w) {							\
	.name = nm, .word = w,						\
	.nargs = 8,							\
	.arg = { "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7" },	\
	.ret = "a0", .pc = "epc", .sp = "sp",				\
	.regs = riscv_regs, .nregs = ARRAY_SIZE(riscv_regs), .slots = 36, \
	.nr_bpf = 280, .nr_perf_event_open = 241,			\
}

const struct arch arch_riscv64 = RISCV("riscv64", 8);
const struct arch arch_riscv32 = RISCV("riscv32", 4);

/*
 * Native check: the uapi struct user_regs_struct (pc .. t6) is the
 * kernel's pt_regs without the four trailing words.
 */
#if defined(__riscv) && PLY_HAVE_UAPI
_Static_assert(offsetof(struct user_regs_struct, pc) == R(0), "riscv: pc");
_Static_assert(offsetof(struct user_regs_struct, sp) == R(2), "riscv: sp");
_Static_assert(offsetof(struct user_regs_struct, a0) == R(10), "riscv: a0");
_Static_assert(offsetof(struct user_regs_struct, a7) == R(17), "riscv: a7");
_Static_assert(offsetof(struct user_regs_struct, t6) == R(31), "riscv: t6");
_Static_assert(sizeof(struct user_regs_struct) == R(32), "riscv: sizeof");
#endif
