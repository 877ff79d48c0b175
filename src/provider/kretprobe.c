/*
 * provider/kretprobe.c - kretprobe:SYM and globs: the probe fires when
 * the function returns.  Attaching is kprobe.c's (the kprobe PMU's
 * retprobe bit); the variables differ: retval (the return register,
 * a signed long) and regs, but no arguments and no caller.
 */
#include <string.h>

#include "kprobe.h"

static struct node *kretprobe_ident(struct probe *pb, struct node *n)
{
	const struct arch *a = pb->k->arch;

	if (!strcmp(n->name, "regs")) {
		kprobe_whole_regs(pb);
		return kprobe_regs(pb, n);
	}
	if (!strcmp(n->name, "retval"))
		return kprobe_reg(pb, n, a->ret, type_int(a->word, true));
	if (strncmp(n->name, "arg", 3) && strcmp(n->name, "caller"))
		return NULL;
	diag_error(n->loc, "%s is not known when a function returns; save "
		   "it in a map in a kprobe", n->name);
	return kprobe_regs(pb, n);
}

const struct provider kretprobe_provider = {
	.name = "kretprobe",
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.setup = kprobe_setup,
	.ident = kretprobe_ident,
	.attach = kprobe_attach,
	.detach = kprobe_detach,
	.describe = kprobe_describe,
	.list = kprobe_list,
};
