/*
 * arch/arch.c - the table of architectures and the native default.
 *
 * Every architecture's table is compiled into every build, so that
 * `ply --arch=NAME -S` shows any target's BPF on any host.  Adding an
 * architecture means adding its file and one line here.
 */
#include <string.h>

#include "ply.h"

extern const struct arch arch_x86_64;

const struct arch *const arch_all[] = {
	&arch_x86_64,
	NULL,
};

#if defined(__x86_64__)
const struct arch *arch = &arch_x86_64;
#else
#error "ply: no register table for this architecture yet"
#endif

const struct arch *arch_find(const char *name)
{
	int i;

	for (i = 0; arch_all[i]; i++)
		if (!strcmp(arch_all[i]->name, name))
			return arch_all[i];
	return NULL;
}

const struct arch_reg *arch_reg(const struct arch *a, const char *name)
{
	int i;

	for (i = 0; i < a->nregs; i++)
		if (!strcmp(a->regs[i].name, name))
			return &a->regs[i];
	return NULL;
}
