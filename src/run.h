/*
 * run.h - between main.c and run.c: what the command line asks of a
 * run, and the self-test.
 */
#ifndef PLY_RUN_H
#define PLY_RUN_H

#include <sys/types.h>

#include "ply.h"

struct run_opts {
	const char *command;	/* -c */
	pid_t child;		/* its pid, stopped until attached; 0 once
				 * it has ended */
	bool child_ended;
	int child_status;	/* its exit status, or 128 + its signal */
	bool keep_going, unbuffer;
	bool attaching;		/* say "Attaching N probes..." (bpftrace) */
	pid_t watch;		/* bpftrace's -p: end when it ends */
	int unicode;		/* -1: from the locale */
	int pages;		/* output buffer pages per CPU */
};

/* what the command line asks beyond a run (main.c, main_bt.c) */
struct opts {
	struct compile_opts co;
	bool dry_run, dump, self_test;
	const char *dump_what;	/* --dump=tokens,ast,bpf,attach; NULL: all */
	const struct arch *arch;	/* --arch */
	const char *kernel;	/* --kernel */
	const char *list;	/* -l PATTERN ("" for all) */
	bool list_verbose;	/* -lv */
	bool listing;		/* -l given */
	bool info;		/* bpftrace's --info: what the kernel has */
	const char *script;	/* the script (-e's text, or a file name) */
	bool inline_text;	/* script is the program's text (bpftrace -e) */
	int nargs;		/* positional parameters $1 .. */
	char **args;
};

/* main_bt.c: bpftrace's command line (invoked as bpftrace, or --bt
 * first); 0, or the exit status after a message (--help: 0 too, with
 * *done set) */
bool bt_invoked(int argc, char **argv);
int bt_options(int argc, char **argv, struct run_opts *o, struct opts *op,
	       bool *done);

/* list.c: -l [PATTERN]: the probes there are, as
 * provider:category:name lines (-lv: a tracepoint's fields too) */
int list_probes(const struct kernel *k, const char *pattern, bool verbose,
		FILE *fp);

/* command.c: the -c command, forked and stopped ($target); 0, or -1
 * after err_msg (a program that can't be run: nothing is attached) */
int cmd_start(struct run_opts *o);
void cmd_release(struct run_opts *o);	/* once every probe is attached */
/* reap children (on SIGCHLD); true once the command has ended */
bool cmd_reap(struct run_opts *o);
/* end the command and everything it started */
void cmd_kill(struct run_opts *o);

/* SIGINT, SIGTERM, SIGHUP, SIGCHLD to their defaults, and blocked until
 * the run's loop reads them (main calls it first) */
#include <signal.h>
void signals_hold(sigset_t *set);

/* load, attach, trace until exit(), the command's end or a signal;
 * then END, the map dump and detach.  Returns the exit status: 1 if
 * anything was lost (events, map updates, output) and -k was not
 * given; else exit()'s code; else the -c command's own (its exit
 * code, or 128 + the signal that ended it); else 0. */
int run_script(struct script *s, struct run_opts *o);
/* create, load and attach, then detach: 0 if all went well */
int run_try_attach(struct script *s);
/* -T, on kernel k (probed) */
int self_test(const struct kernel *k);

#endif
