/*
 * provider/special.c - BEGIN and END.
 *
 * Their programs attach to nothing: main.c runs BEGIN's once with
 * bpf_prog_test_run() before the other probes are attached, and END's
 * once after they are detached.  BPF_PROG_TEST_RUN runs only some
 * program types; RAW_TRACEPOINT (Linux 5.10, CONFIG_NET) is the one
 * whose helpers suit a tracer, and it needs no context.
 */
#include <string.h>

#include "ply.h"

static int special_setup(struct probe *pb, bool dry_run)
{
	(void)dry_run;
	if (pb->arg && pb->arg[0]) {
		diag_error(pb->ast->loc, "%s takes no argument, not '%s'",
			   pb->prov ? pb->prov->name : pb->spec, pb->arg);
		return -1;
	}
	return 0;
}

static struct node *special_ident(struct probe *pb, struct node *n)
{
	(void)pb;
	(void)n;
	return NULL;
}

/* nothing to attach: main.c runs the program */
static int special_attach(struct probe *pb)
{
	(void)pb;
	return 0;
}

static void special_detach(struct probe *pb)
{
	(void)pb;
}

const struct provider begin_provider = {
	.name = "BEGIN",
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.setup = special_setup,
	.ident = special_ident,
	.attach = special_attach,
	.detach = special_detach,
};

const struct provider end_provider = {
	.name = "END",
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.setup = special_setup,
	.ident = special_ident,
	.attach = special_attach,
	.detach = special_detach,
};
