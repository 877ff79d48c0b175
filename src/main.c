/*
 * main.c - the command line: options, the script's source, the -c
 * command, and the order of the stages.
 *
 * The script is compiled completely (parse, sema, codegen) before
 * anything touches the kernel, so a script with an error attaches
 * nothing.  With -c the command is forked first, so that $target is
 * known while compiling, but it waits on a pipe until every probe is
 * attached; if anything fails it is killed, never left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ply.h"
#include "run.h"

static const char usage_text[] =
	"usage: ply [options] 'script'\n"
	"       ply [options] FILE\n"
	"\n"
	"options:\n"
	"  -A, --ascii         draw histograms with ASCII characters\n"
	"  -U, --unicode       draw histograms with Unicode box characters\n"
	"  -c, --command=CMD   run CMD (sh -c) with the probes attached; exit\n"
	"                      when it exits; its pid is $target\n"
	"  -d, --debug         debug messages and the verifier's log\n"
	"  -e, --dry-run       compile only; exit 0 if the script is good\n"
	"  -h, --help          this text\n"
	"  -k, --keep-going    warn about lost events instead of exiting\n"
	"  -S, --dump          show the tokens, the tree and the BPF code\n"
	"  -T, --self-test     check that the kernel can run ply\n"
	"  -u, --unbuffer      don't buffer stdout\n"
	"  -v, --version       print the version\n";

static const struct option long_opts[] = {
	{ "ascii", no_argument, NULL, 'A' },
	{ "unicode", no_argument, NULL, 'U' },
	{ "command", required_argument, NULL, 'c' },
	{ "debug", no_argument, NULL, 'd' },
	{ "dry-run", no_argument, NULL, 'e' },
	{ "help", no_argument, NULL, 'h' },
	{ "keep-going", no_argument, NULL, 'k' },
	{ "dump", optional_argument, NULL, 'S' },
	{ "self-test", no_argument, NULL, 'T' },
	{ "unbuffer", no_argument, NULL, 'u' },
	{ "version", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 }
};

/* the script: a readable file (also a #! script), else the text itself */
static struct src *read_src(const char *arg)
{
	struct src *src = xcalloc(1, sizeof(*src));
	struct stat st;
	FILE *fp;
	char *text;

	if (stat(arg, &st) || !S_ISREG(st.st_mode) || !(fp = fopen(arg, "r"))) {
		src->name = "<cmdline>";
		src->text = arg;
		return src;
	}
	text = xcalloc(1, st.st_size + 1);
	if (fread(text, 1, st.st_size, fp) != (size_t)st.st_size) {
		err_msg("can't read %s: %s", arg, strerror(errno));
		exit(1);
	}
	fclose(fp);
	src->name = arg;
	src->text = text;
	return src;
}

/* fork `sh -c cmd`, held until child_release(); $target is its pid */
static void child_start(struct run_opts *o)
{
	int fds[2];
	char go;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		err_msg("pipe: %s", strerror(errno));
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		err_msg("fork: %s", strerror(errno));
		exit(1);
	}
	if (!pid) {
		close(fds[1]);
		/* EOF without the byte: ply failed or died, don't run */
		if (read(fds[0], &go, 1) != 1)
			_exit(127);
		execl("/bin/sh", "sh", "-c", o->command, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	o->child = pid;
	o->child_fd = fds[1];
	setenv("target", xasprintf("%d", pid), 1);
}

static void child_kill(struct run_opts *o)
{
	if (o->child <= 0)
		return;
	kill(o->child, SIGKILL);
	waitpid(o->child, NULL, 0);
	o->child = 0;
}

static void dump(struct script *s, const struct src *src, const char *what)
{
	struct probe *pb;

	if (!what || !strcmp(what, "tokens")) {
		printf(";; tokens\n");
		lex_dump(src, stdout);
	}
	for (pb = s->probes; pb; pb = pb->next) {
		if (!what || !strcmp(what, "ast")) {
			printf(";; ast %s\n", pb->spec);
			ast_dump(pb->ast, stdout);
		}
		if ((!what || !strcmp(what, "bpf")) && pb->prog) {
			printf(";; bpf %s (%d instructions, %d bytes of "
			       "stack)\n", pb->spec, pb->prog->len,
			       pb->stack_size);
			asm_dump(pb->prog, stdout);
		}
	}
}

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "AUc:dehkSTuv", long_opts,
				NULL)) != -1) {
		switch (c) {
		case 'A': o->unicode = 0; break;
		case 'U': o->unicode = 1; break;
		case 'c': o->command = optarg; break;
		case 'd': debug_on = true; o->debug = true; break;
		case 'e': o->dry_run = true; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case 'k': o->keep_going = true; break;
		case 'S':
			o->dump = true;
			o->dump_what = optarg;
			break;
		case 'T': o->self_test = true; break;
		case 'u': o->unbuffer = true; break;
		case 'v':
			printf("ply %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			fputs(usage_text, stderr);
			exit(1);
		}
	}
	return optind;
}

/* UTF-8 locale (LC_ALL, LC_CTYPE, LANG) -> box characters */
static int locale_unicode(void)
{
	const char *l = setlocale(LC_CTYPE, "");

	if (!l)
		return 0;
	return strstr(l, "UTF-8") || strstr(l, "utf8") || strstr(l, "UTF8") ||
		strstr(l, "utf-8");
}

int main(int argc, char **argv)
{
	struct run_opts o = { .unicode = -1, .child_fd = -1 };
	struct script *s;
	struct src *src;
	int i, ret;

	i = parse_opts(argc, argv, &o);
	diag_color = isatty(2);
	if (o.self_test)
		return self_test();
	if (i != argc - 1) {
		err_msg(i == argc ? "no script given" :
			"only one script can be given");
		fputs(usage_text, stderr);
		return 1;
	}
	out_unicode = o.unicode < 0 ? locale_unicode() : o.unicode;
	if (o.unbuffer) {
		setvbuf(stdout, NULL, _IONBF, 0);
		setvbuf(stderr, NULL, _IONBF, 0);
	}
	src = read_src(argv[i]);
	if (o.command && !o.dry_run)
		child_start(&o);
	s = compile_script(src, o.dry_run);
	if (s && o.dump)
		dump(s, src, o.dump_what);
	if (!s || o.dry_run) {
		child_kill(&o);
		return s ? 0 : 1;
	}
	ret = run_script(s, &o);
	child_kill(&o);
	return ret;
}
