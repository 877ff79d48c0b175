/*
 * arch/x86_64.c - the x86_64 register table.
 *
 * pt_regs in the kernel's order (arch/x86/include/asm/ptrace.h), named
 * as in <sys/user.h>.  Kernel functions take their arguments in rdi,
 * rsi, rdx, rcx, r8, r9: the 4th is rcx, not r10 (r10 is the syscall
 * ABI's, which iovisor/ply wrongly uses for kprobes).
 */
#include "ply.h"

#if defined(__x86_64__) && PLY_HAVE_UAPI
#include <asm/ptrace.h>
#endif

#define R(n) ((n) * 8)

static const struct arch_reg x86_64_regs[] = {
	{ "r15", 0 }, { "r14", 1 }, { "r13", 2 }, { "r12", 3 },
	{ "rbp", 4 }, { "rbx", 5 }, { "r11", 6 }, { "r10", 7 },
	{ "r9", 8 }, { "r8", 9 }, { "rax", 10 }, { "rcx", 11 },
	{ "rdx", 12 }, { "rsi", 13 }, { "rdi", 14 },
	{ "orig_rax", 15 }, { "rip", 16 }, { "cs", 17 },
	{ "eflags", 18 }, { "rsp", 19 }, { "ss", 20 },
};

const struct arch arch_x86_64 = {
	.name = "x86_64",
	.word = 8,
	.nargs = 6,
	.arg = { "rdi", "rsi", "rdx", "rcx", "r8", "r9" },
	.ret = "rax",
	.pc = "rip",
	.sp = "rsp",
	.regs = x86_64_regs,
	.nregs = ARRAY_SIZE(x86_64_regs),
	.slots = 21,
	.nr_bpf = 321,
	.nr_perf_event_open = 298,
};

/* Native check: user space sees the kernel's own struct pt_regs. */
#if defined(__x86_64__) && PLY_HAVE_UAPI
_Static_assert(offsetof(struct pt_regs, rcx) == R(11), "x86_64: rcx");
_Static_assert(offsetof(struct pt_regs, rdi) == R(14), "x86_64: rdi");
_Static_assert(offsetof(struct pt_regs, rip) == R(16), "x86_64: rip");
_Static_assert(offsetof(struct pt_regs, rsp) == R(19), "x86_64: rsp");
_Static_assert(sizeof(struct pt_regs) == R(21), "x86_64: sizeof");
#endif
