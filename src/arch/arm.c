/*
 * arch/arm.c - the 32-bit ARM (EABI) register table.
 *
 * struct pt_regs is `unsigned long uregs[18]` (arch/arm/include/
 * asm/ptrace.h, the same in uapi): r0-r10, fp, ip, sp, lr, pc, cpsr,
 * orig_r0, named as the kernel's regs_query_register_offset names
 * them.  AAPCS passes only the first four arguments in registers
 * (r0-r3; iovisor/ply read arg4-6 from callee-saved r4-r6), and a
 * 64-bit argument takes an even/odd register pair, so argN is simply
 * rN and a 64-bit value spans two of them.
 * Syscall numbers are the EABI ones (no 0x900000 OABI base).
 */
#include "ply.h"

#if defined(__arm__) && PLY_HAVE_UAPI
#include <asm/ptrace.h>
#endif

#define R(n) ((n) * 4)

static const struct arch_reg arm_regs[] = {
	{ "r0", 0 }, { "r1", 1 }, { "r2", 2 }, { "r3", 3 },
	{ "r4", 4 }, { "r5", 5 }, { "r6", 6 }, { "r7", 7 },
	{ "r8", 8 }, { "r9", 9 }, { "r10", 10 },
	{ "fp", 11 }, { "ip", 12 }, { "sp", 13 }, { "lr", 14 },
	{ "pc", 15 }, { "cpsr", 16 }, { "orig_r0", 17 },
};

const struct arch arch_arm = {
	.name = "arm",
	.word = 4,
	.big_endian = false,
	.nargs = 4,
	.arg = { "r0", "r1", "r2", "r3" },
	.ret = "r0",
	.pc = "pc",
	.sp = "sp",
	.regs = arm_regs,
	.nregs = ARRAY_SIZE(arm_regs),
	.slots = 18,
	.nr_bpf = 386,
	.nr_perf_event_open = 364,
};

/* Native check: user space sees the kernel's own struct pt_regs. */
#if defined(__arm__) && PLY_HAVE_UAPI
_Static_assert(offsetof(struct pt_regs, ARM_r0) == R(0), "arm: r0");
_Static_assert(offsetof(struct pt_regs, ARM_fp) == R(11), "arm: fp");
_Static_assert(offsetof(struct pt_regs, ARM_sp) == R(13), "arm: sp");
_Static_assert(offsetof(struct pt_regs, ARM_pc) == R(15), "arm: pc");
_Static_assert(offsetof(struct pt_regs, ARM_ORIG_r0) == R(17),
	       "arm: orig_r0");
_Static_assert(sizeof(struct pt_regs) == R(18), "arm: sizeof");
#endif
