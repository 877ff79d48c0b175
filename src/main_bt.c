/*
 * main_bt.c - bpftrace's command line, for the same binary invoked as
 * bpftrace (or with --bt first): -e PROGRAM or a script file, then
 * positional parameters ($1 .. $N, $#), -l [PATTERN], -p PID, -c CMD,
 * -o FILE, -f text|json, -q, -v, -d, --unsafe, -k, -B MODE, --info and
 * the BPFTRACE_* limits of the environment.  The language and the
 * output are bpftrace's then.  What it asks is put in main.c's terms
 * (struct run_opts, struct opts); main.c does the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ply.h"
#include "run.h"

static const char usage_text[] =
	"USAGE: bpftrace [options] (-e 'program' | filename) [arguments]\n"
	"(ply in bpftrace's language; bpftrace's options:) -e PROGRAM,\n"
	"-l [PATTERN], -lv, -c CMD, -p PID, -f text|json, -o FILE, -q, -v,\n"
	"-B full|line|none, -d, -k, --unsafe, --dry-run, --info,\n"
	"--no-warnings, -V, -h; BPFTRACE_STRLEN, BPFTRACE_MAP_KEYS_MAX,\n"
	"BPFTRACE_PERF_RB_PAGES and BPFTRACE_MAX_PROBES in the environment\n";

enum { OPT_UNSAFE = 256, OPT_INFO, OPT_NO_WARN, OPT_DRY_RUN, OPT_BT,
       OPT_INCLUDE };

static const struct cli_opt long_opts[] = {
	{ "help", 0, 'h' },
	{ "version", 0, 'V' },
	{ "unsafe", 0, OPT_UNSAFE },
	{ "info", 0, OPT_INFO },
	{ "no-warnings", 0, OPT_NO_WARN },
	{ "dry-run", 0, OPT_DRY_RUN },
	{ "bt", 0, OPT_BT },
	{ "include", 1, OPT_INCLUDE },
	{ NULL, 0, 0 }
};

bool bt_invoked(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	return !strcmp(base, "bpftrace") ||
		(argc > 1 && !strcmp(argv[1], "--bt"));
}

/* BPFTRACE_NAME as a number from 1 to max, else def */
static int env_num(const char *name, int def, int max)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v)
		return def;
	n = strtol(v, &end, 0);
	if (*end || n < 1 || n > max) {
		err_msg("%s: expected a number from 1 to %d, not '%s'", name,
			max, v);
		exit(1);
	}
	return (int)n;
}

/* the power of 2 at or above n */
static int pow2(int n)
{
	int p = 1;

	while (p < n && p < (1 << 30))
		p <<= 1;
	return p;
}

static int bt_pid(const char *arg, pid_t *pid)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || v < 1 || v > 1 << 22 || (kill((pid_t)v, 0) &&
					     errno == ESRCH)) {
		err_msg("-p: no process %s", arg);
		return 1;
	}
	*pid = (pid_t)v;
	return 0;
}

int bt_options(int argc, char **argv, struct run_opts *o, struct opts *op,
	       bool *done)
{
	const char *format = "text";
	struct cli cl;
	bool quiet = false;
	char *arg;
	int c, i;

	o->keep_going = true;		/* bpftrace says "Lost N events" */
	op->co.strlen = env_num("BPFTRACE_STRLEN", 64, 200);
	op->co.map_entries = env_num("BPFTRACE_MAP_KEYS_MAX", 4096, 1 << 20);
	o->pages = pow2(env_num("BPFTRACE_PERF_RB_PAGES", 64, 4096));
	op->co.max_probes = env_num("BPFTRACE_MAX_PROBES", 512, 1 << 20);
	if (argc > 1 && !strcmp(argv[1], "--bt")) {	/* ply --bt ... */
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	for (i = 1; i < argc; i++)		/* -lv: -l, verbose */
		if (!strcmp(argv[i], "-lv")) {
			argv[i] = "-l";
			op->list_verbose = true;
		}
	cl = (struct cli){ argc, argv, 1 };
	cl.rest = xcalloc(argc + 1, sizeof(*cl.rest));
	while ((c = cli_next(&cl, "B:f:o:e:hlI:p:c:qkdvV", long_opts)) != -1) {
		arg = cl.arg;
		switch (c) {
		case 'B':
			if (strcmp(arg, "full") && strcmp(arg, "line") &&
			    strcmp(arg, "none")) {
				err_msg("-B: 'full', 'line' or 'none', not "
					"'%s'", arg);
				return 1;
			}
			o->unbuffer = strcmp(arg, "full");
			break;
		case 'f':
			format = arg;
			break;
		case 'o':
			i = open(arg, O_WRONLY | O_CREAT | O_TRUNC |
				 O_CLOEXEC, 0644);
			if (i < 0 || dup2(i, 1) < 0) {
				err_msg("-o %s: %s", arg, strerror(errno));
				return 1;
			}
			close(i);
			break;
		case 'e':
			op->script = arg;
			op->inline_text = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			*done = true;
			return 0;
		case 'l':
			op->listing = true;
			break;
		case 'I':
		case OPT_INCLUDE:	/* #include lines are skipped */
			break;
		case 'p':
			if (bt_pid(arg, &o->watch))
				return 1;
			break;
		case 'c':
			o->command = arg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'k':
			o->keep_going = true;
			break;
		case 'd':
			op->dry_run = op->dump = true;
			op->kernel = "host";
			break;
		case 'v':
			debug_on = true;
			break;
		case 'V':
			printf("bpftrace v0.17.0 (ply %s)\n", PACKAGE_VERSION);
			*done = true;
			return 0;
		case OPT_UNSAFE:
			op->co.unsafe = true;
			break;
		case OPT_INFO:
			op->info = true;
			break;
		case OPT_NO_WARN:
			diag_no_warnings = true;
			break;
		case OPT_DRY_RUN:
			op->dry_run = true;
			op->kernel = "host";
			break;
		case OPT_BT:
			break;
		default:
			fputs(usage_text, stderr);
			return 1;
		}
	}
	if (!strcmp(format, "json")) {
		out_style = STYLE_JSON;
	} else if (!strcmp(format, "text")) {
		out_style = STYLE_BT;
	} else {
		err_msg("-f: 'text' or 'json', not '%s'", format);
		return 1;
	}
	o->attaching = !quiet;
	argc = cl.nrest;	/* what is left: script, arguments */
	argv = cl.rest;
	i = 0;
	/* -l [search], -lv: "v" comes as a pattern of -l's own */
	if (op->listing) {
		op->list = i < argc ? argv[i++] : "";
		return 0;
	}
	if (!op->script) {
		if (i == argc) {
			fputs(usage_text, stderr);
			return 1;
		}
		op->script = argv[i++];
	}
	op->nargs = argc - i;
	op->args = argv + i;
	return 0;
}
