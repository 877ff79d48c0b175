/*
 * arch/arch.c - the table of architectures and the native default.
 *
 * Every architecture's table is compiled into every build, so that
 * `ply --arch=NAME -e -S` shows any target's BPF on any host.  Adding
 * an architecture means adding its file and one line here.
 *
 * Byte order is part of an entry: mips and mipsel share a register
 * table (arch/mips.c) but not their code, since a string's bytes, or
 * the NUL in a word of comm, sit at the other end of a word.  The
 * kernel says "mips" for both in uname -m; kernel.c takes the byte
 * order ply itself was built for (a kernel runs programs of its own).
 */
#include <string.h>

#include "ply.h"

extern const struct arch arch_x86_64, arch_aarch64, arch_arm;
extern const struct arch arch_mips, arch_mipsel, arch_mips64, arch_mips64el;
extern const struct arch arch_riscv64, arch_riscv32;
extern const struct arch arch_ppc, arch_ppc64, arch_ppc64le;
extern const struct arch arch_loongarch64;

const struct arch *const arch_all[] = {
	&arch_x86_64,
	&arch_aarch64,
	&arch_arm,
	&arch_mips,
	&arch_mipsel,
	&arch_mips64,
	&arch_mips64el,
	&arch_riscv64,
	&arch_riscv32,
	&arch_ppc,
	&arch_ppc64,
	&arch_ppc64le,
	&arch_loongarch64,
	NULL,
};

/* other names `uname -m` (or a distribution) gives the same ABI */
static const struct { const char *alias, *name; } arch_aliases[] = {
	{ "amd64", "x86_64" },
	{ "arm64", "aarch64" },
	{ "armv5tel", "arm" }, { "armv6l", "arm" }, { "armv7l", "arm" },
	{ "armv8l", "arm" }, { "armhf", "arm" }, { "armel", "arm" },
	{ "powerpc", "ppc" },
	{ "powerpc64", "ppc64" }, { "powerpc64le", "ppc64le" },
	{ "ppc64el", "ppc64le" },
	{ "loong64", "loongarch64" },
};

#if defined(__x86_64__)
#define ARCH_NATIVE arch_x86_64
#elif defined(__aarch64__)
#define ARCH_NATIVE arch_aarch64
#elif defined(__arm__)
#define ARCH_NATIVE arch_arm
#elif defined(__mips__) && _MIPS_SIM == _ABIO32 && defined(__MIPSEB__)
#define ARCH_NATIVE arch_mips
#elif defined(__mips__) && _MIPS_SIM == _ABIO32
#define ARCH_NATIVE arch_mipsel
#elif defined(__mips__) && _MIPS_SIM == _ABI64 && defined(__MIPSEB__)
#define ARCH_NATIVE arch_mips64
#elif defined(__mips__) && _MIPS_SIM == _ABI64
#define ARCH_NATIVE arch_mips64el
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCH_NATIVE arch_riscv64
#elif defined(__riscv) && __riscv_xlen == 32
#define ARCH_NATIVE arch_riscv32
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#define ARCH_NATIVE arch_ppc64le
#elif defined(__powerpc64__)
#define ARCH_NATIVE arch_ppc64
#elif defined(__powerpc__)
#define ARCH_NATIVE arch_ppc
#elif defined(__loongarch64)
#define ARCH_NATIVE arch_loongarch64
#else
/* known: x86_64 aarch64 arm mips(o32) mips64(n64) riscv ppc(64) loongarch64 */
#error "ply: no register table for this CPU: add src/arch/<cpu>.c, list it here"
#endif

const struct arch *const arch_native = &ARCH_NATIVE;

const struct arch *arch_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(arch_aliases); i++)
		if (!strcmp(arch_aliases[i].alias, name))
			name = arch_aliases[i].name;
	for (i = 0; arch_all[i]; i++)
		if (!strcmp(arch_all[i]->name, name))
			return arch_all[i];
	return NULL;
}

/* the same ABI and width, the other byte order, if there is one */
const struct arch *arch_find_order(const char *name, bool big_endian)
{
	const struct arch *a = arch_find(name);
	size_t i;

	if (!a || a->big_endian == big_endian)
		return a;
	for (i = 0; arch_all[i]; i++)
		if (arch_all[i]->regs == a->regs &&
		    arch_all[i]->word == a->word &&
		    arch_all[i]->abi == a->abi &&
		    arch_all[i]->big_endian == big_endian)
			return arch_all[i];
	return a;
}

const struct arch_reg *arch_reg(const struct arch *a, const char *name)
{
	int i;

	for (i = 0; i < a->nregs; i++)
		if ((!a->regs[i].only || a->regs[i].only == a->abi) &&
		    !strcmp(a->regs[i].name, name))
			return &a->regs[i];
	return NULL;
}

int arch_reg_off(const struct arch *a, const char *name)
{
	const struct arch_reg *r = arch_reg(a, name);

	return r ? (a->base + r->slot) * a->word : -1;
}
