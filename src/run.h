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
	int unicode;		/* -1: from the locale */
	int pages;		/* output buffer pages per CPU */
};

/* command.c: the -c command, forked and stopped ($target); 0, or -1
 * after err_msg (a program that can't be run: nothing is attached) */
int cmd_start(struct run_opts *o);
void cmd_release(struct run_opts *o);	/* once every probe is attached */
/* reap children (on SIGCHLD); true once the command has ended */
bool cmd_reap(struct run_opts *o);
/* end the command and everything it started */
void cmd_kill(struct run_opts *o);

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
