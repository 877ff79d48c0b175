/*
 * provider/special.c - BEGIN and END.
 *
 * Their programs attach to nothing: run.c runs BEGIN's once with
 * bpf_prog_test_run() before the -c command starts and events are let
 * in, and END's once at exit, after every other probe has had its last
 * event (it runs also after exit(), which stops the others).
 * BPF_PROG_TEST_RUN runs only some program types; RAW_TRACEPOINT
 * (Linux 5.10, CONFIG_NET) is the one whose helpers suit a tracer, and
 * it needs no context.
 */
#include "ply.h"

static int special_setup(struct probe *pb)
{
	if (pb->arg && pb->arg[0]) {
		diag_error(pb->ast->loc, "%s takes no argument, not '%s'",
			   pb->prov->name, pb->arg);
		return -1;
	}
	return 0;
}

const struct provider begin_provider = {
	.name = "BEGIN",
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.when = PROV_BEGIN,
	.setup = special_setup,
};

const struct provider end_provider = {
	.name = "END",
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.when = PROV_END,
	.setup = special_setup,
};
