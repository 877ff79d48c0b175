/*
 * main.c - the command line: options, the environment, the script's
 * source, the -c command, and the order of the stages.
 *
 * The kernel is asked what it can do first (kernel.c), then the script
 * is compiled completely for it (compile.c: parse, sema, codegen)
 * before anything is loaded or attached, so a script with an error
 * attaches nothing.  With -c the command is forked first, so that
 * $target is known while compiling, but it stays stopped until every
 * probe is attached; if anything fails it is killed, never left
 * behind.  The environment knobs (PLY_*) are read here and nowhere
 * else: they amend the kernel's description.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ply.h"
#include "run.h"

static const char usage_text[] =
	"usage: ply [options] 'script' | FILE [arguments: $1 .. $N, $#]\n"
	"       ply --bt [bpftrace's options]  (or invoked as bpftrace)\n"
	"A FILE ending in .bt is in bpftrace's language and output.\n"
	"  -A, --ascii         histograms in ASCII (-U: in Unicode)\n"
	"      --arch=NAME     compile for another architecture (with -e)\n"
	"      --kernel=DESC   compile for another kernel (with -e): 5.10,\n"
	"                      [+-]ringbuf,func_ip,kprobe_multi,kprobe_pmu,\n"
	"                      padded,comm=OFF\n"
	"  -B, --buffer-pages=N  output pages per CPU (1..4096, default 8)\n"
	"  -c, --command=CMD   run CMD with the probes attached, until it\n"
	"                      ends; its pid is $target\n"
	"  -d, --debug         debug messages, the verifier's log\n"
	"  -e, --dry-run       compile only\n"
	"  -f, --format=F      output: text (default) or json\n"
	"  -k, --keep-going    losses are warnings, not a failure\n"
	"  -l, --list[=PATTERN] list probes (-lv: tracepoints' fields)\n"
	"  -M, --map-entries=N entries of each map (default 1024)\n"
	"  -S, --dump[=WHAT]   show tokens,ast,bpf,attach (WHAT: some)\n"
	"  -T, --self-test     check that the kernel can run ply\n"
	"  -u, --unbuffer      unbuffered stdout\n"
	"  -h, --help; -v, --version\n";

static const struct cli_opt long_opts[] = {
	{ "ascii", 0, 'A' },
	{ "arch", 1, 'a' },
	{ "kernel", 1, 'K' },
	{ "unicode", 0, 'U' },
	{ "buffer-pages", 1, 'B' },
	{ "command", 1, 'c' },
	{ "debug", 0, 'd' },
	{ "dry-run", 0, 'e' },
	{ "help", 0, 'h' },
	{ "format", 1, 'f' },
	{ "keep-going", 0, 'k' },
	{ "list", 2, 'l' },
	{ "map-entries", 1, 'M' },
	{ "dump", 2, 'S' },
	{ "self-test", 0, 'T' },
	{ "unbuffer", 0, 'u' },
	{ "version", 0, 'v' },
	{ NULL, 0, 0 }
};

/* the script: a readable file (also a #! script), else the text
 * itself (always for bpftrace's -e) */
static struct src *read_src(const char *arg, bool inline_text)
{
	struct src *src = xcalloc(1, sizeof(*src));
	struct stat st;
	const char *nul;
	size_t len;
	FILE *fp;
	char *text;

	if (inline_text || stat(arg, &st) || !S_ISREG(st.st_mode) ||
	    !(fp = fopen(arg, "r"))) {
		src->name = "<cmdline>";
		src->text = arg;
		len = strlen(arg);
	} else {
		if (st.st_size > MAX_SCRIPT) {
			err_msg("%s: a script may have at most %d bytes, not "
				"%lld", arg, MAX_SCRIPT,
				(long long)st.st_size);
			exit(1);
		}
		len = st.st_size;
		text = xcalloc(1, len + 1);
		if (fread(text, 1, len, fp) != len) {
			err_msg("can't read %s: %s", arg, strerror(errno));
			exit(1);
		}
		fclose(fp);
		src->name = arg;
		src->text = text;
		/* a .bt file is bpftrace's language */
		src->bt = strlen(arg) > 3 && !strcmp(arg + strlen(arg) - 3, ".bt");
	}
	if (len > MAX_SCRIPT) {
		err_msg("a script may have at most %d bytes, not %zu",
			MAX_SCRIPT, len);
		exit(1);
	}
	/* the text ends at its first NUL: anything after it would be lost */
	if ((nul = memchr(src->text, '\0', len))) {
		struct loc l = { 1, 1, (int)(nul - src->text) };
		const char *p;

		for (p = src->text; p < nul; p++, l.col++)
			if (*p == '\n') {
				l.line++;
				l.col = 0;
			}
		diag_src = src;
		diag_fatal(l, "a NUL byte in the script");
	}
	return src;
}

#define MAX_PAGES	4096	/* -B: 16 MB a CPU with 4 kB pages */
#define MAX_ENTRIES	(1 << 20)	/* -M */

/* is `what` in the comma list `list` (NULL: everything)? */
static bool dump_has(const char *list, const char *what)
{
	size_t n = strlen(what);
	const char *p;

	if (!list)
		return true;
	for (p = list; (p = str_find(p, what)); p += n)
		if ((p == list || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
	return false;
}

static void dump(struct script *s, const struct src *src, const char *what)
{
	struct probe *pb;

	if (dump_has(what, "tokens")) {
		printf(";; tokens\n");
		lex_dump(src, stdout);
	}
	for (pb = s->probes; pb; pb = pb->next) {
		if (dump_has(what, "ast")) {
			printf(";; ast %s\n", pb->spec);
			ast_dump(pb->ast, stdout);
		}
		if (dump_has(what, "attach") && pb->prov->describe) {
			printf(";; attach %s\n", pb->spec);
			pb->prov->describe(pb, stdout);
		}
		if (dump_has(what, "bpf") && pb->prog) {
			printf(";; bpf %s (%d instructions, %d bytes of "
			       "stack)\n", pb->spec, pb->prog->len,
			       pb->stack_size);
			asm_dump(pb->prog, stdout);
		}
	}
}

/* a decimal number from 0 to max, or -1 */
static int number(const char *s, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return *s && !*end && !errno && v >= 0 && v <= max ? (int)v : -1;
}

static int parse_opts(int argc, char **argv, struct run_opts *o,
		      struct opts *op)
{
	struct cli cl = { argc, argv, 1 };
	char *arg;
	int c, ai = 0;

	cl.rest = xcalloc(argc + 1, sizeof(*cl.rest));
	while ((c = cli_next(&cl, "AB:Uc:def:hklM:STuv", long_opts)) != -1) {
		arg = cl.arg;
		switch (c) {
		case 'A': o->unicode = 0; break;
		case 'a':
			if (!(op->arch = arch_find(arg))) {
				err_msg("unknown architecture '%s'", arg);
				exit(1);
			}
			break;
		case 'K': op->kernel = arg; break;
		case 'U': o->unicode = 1; break;
		case 'B':
			o->pages = number(arg, MAX_PAGES);
			if (o->pages < 1 || (o->pages & (o->pages - 1))) {
				err_msg("-B needs a power of 2 from 1 to %d, "
					"not '%s'", MAX_PAGES, arg);
				exit(1);
			}
			break;
		case 'M':
			op->co.map_entries = number(arg, MAX_ENTRIES);
			if (op->co.map_entries < 1) {
				err_msg("-M needs a number from 1 to %d, not "
					"'%s'", MAX_ENTRIES, arg);
				exit(1);
			}
			break;
		case 'c': o->command = arg; break;
		case 'd': debug_on = true; break;
		case 'e': op->dry_run = true; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case 'f':
			if (!strcmp(arg, "json"))
				out_style = STYLE_JSON;
			else if (strcmp(arg, "text")) {
				err_msg("-f: 'text' or 'json', not '%s'",
					arg);
				exit(1);
			}
			break;
		case 'k': o->keep_going = true; break;
		case 'l':
			op->listing = true;
			op->list = arg;
			break;
		case 'S':
			op->dump = true;
			op->dump_what = arg;
			break;
		case 'T': op->self_test = true; break;
		case 'u': o->unbuffer = true; break;
		case 'v':
			if (op->listing) {	/* -lv */
				op->list_verbose = true;
				break;
			}
			printf("ply %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			fputs(usage_text, stderr);
			exit(1);
		}
	}
	argc = cl.nrest;	/* what is left: script, arguments */
	argv = cl.rest;
	if (op->listing) {
		if (!op->list)
			op->list = ai < argc ? argv[ai++] : "";
		return 0;
	}
	if (op->self_test && ai == argc)
		return 0;
	if (ai == argc) {
		err_msg("no script given");
		fputs(usage_text, stderr);
		exit(1);
	}
	op->script = argv[ai++];
	op->nargs = argc - ai;
	op->args = argv + ai;
	return 0;
}

/* UTF-8 locale (LC_ALL, LC_CTYPE, LANG, the first set, as setlocale
 * would choose) -> box characters */
static int locale_unicode(void)
{
	const char *l = getenv("LC_ALL");

	if (!l || !*l)
		l = getenv("LC_CTYPE");
	if (!l || !*l)
		l = getenv("LANG");
	if (!l)
		return 0;
	return str_find(l, "UTF-8") || str_find(l, "utf8") || str_find(l, "UTF8") ||
		str_find(l, "utf-8");
}

/* the PLY_* knobs, to work around a kernel or to test other paths */
static void kernel_env(struct kernel *k)
{
	const char *v;
	char path[300];

	if (getenv("PLY_PERF_BUFFERS"))
		k->ringbuf = false;
	if (getenv("PLY_KPROBE_EVENTS"))
		k->kprobe_pmu = k->kprobe_multi = false;
	if (getenv("PLY_COMM_HELPER"))
		k->comm_off = -1;
	if ((v = getenv("PLY_COMM_OFF"))) {	/* and cut at the NUL */
		k->comm_off = atoi(v);
		k->comm_padded = false;
	}
	if ((v = getenv("PLY_TRACEFS"))) {	/* saved formats (tests) */
		snprintf(path, sizeof(path), "%s/events", v);
		k->tracefs = access(path, F_OK) ? NULL : v;
		k->tracefs_err = k->tracefs ? 0 : ENODEV;
	}
}

/* what the script is compiled for: the running kernel, or with -e
 * the oldest one ply supports, or the one --kernel describes */
static int kernel_setup(struct kernel *k, const struct opts *op)
{
	if (!op->dry_run && !op->self_test && (op->arch || op->kernel)) {
		err_msg("--arch and --kernel compile for another machine: "
			"use them with -e");
		return -1;
	}
	if (op->dry_run)
		kernel_baseline(k, op->arch ? op->arch : arch_native);
	else
		kernel_probe(k);
	if (op->kernel && kernel_describe(k, op->kernel))
		return -1;
	kernel_env(k);
	return 0;
}

int main(int argc, char **argv)
{
	struct run_opts o = { .unicode = -1, .pages = 8 };
	struct opts op = { 0 };
	bool bt = bt_invoked(argc, argv), done = false;
	struct kernel k;
	sigset_t held;
	struct script *s;
	struct src *src;
	int err;

	if (bt) {
		err = bt_options(argc, argv, &o, &op, &done);
		if (err || done)
			return err;
	} else {
		parse_opts(argc, argv, &o, &op);
	}
	diag_color = isatty(2);
	signals_hold(&held);	/* a Ctrl-C while starting: a clean end */
	if (kernel_setup(&k, &op))
		return 1;
	if (op.self_test)
		return self_test(&k);
	if (op.info) {
		kernel_report(&k, stdout);
		return 0;
	}
	if (op.listing)
		return list_probes(&k, op.list, op.list_verbose, stdout);
	out_unicode = o.unicode < 0 ? locale_unicode() : o.unicode;
	if (o.unbuffer) {
		setvbuf(stdout, NULL, _IONBF, 0);
		setvbuf(stderr, NULL, _IONBF, 0);
	}
	src = read_src(op.script, op.inline_text);
	src->bt |= bt;
	src->argc = op.nargs;
	src->argv = op.args;
	/* a .bt file prints as bpftrace does */
	if (src->bt && out_style == STYLE_PLY)
		out_style = STYLE_BT;
	if (o.command && !op.dry_run && cmd_start(&o))
		return 1;
	if (o.child > 0) {		/* $target */
		src->vars[src->nvars].name = "target";
		src->vars[src->nvars++].value = xasprintf("%d", (int)o.child);
	}
	s = compile_script(src, &k, &op.co);
	if (s && op.dump)
		dump(s, src, op.dump_what);
	if (!s || op.dry_run) {
		cmd_kill(&o);
		return s ? 0 : 1;
	}
	/* per-event output into a file or a pipe: write in big chunks
	 * (musl's stdio buffer is 1 kB, a write(2) every dozen lines) */
	if (!o.unbuffer && s->nactions && !isatty(1))
		setvbuf(stdout, NULL, _IOFBF, 32 << 10);
	return run_script(s, &o);
}
