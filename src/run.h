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
	pid_t child;		/* its pid, stopped until attached */
	bool keep_going, unbuffer;
	int unicode;		/* -1: from the locale */
	int pages;		/* output buffer pages per CPU */
};

/* load, attach, trace until exit(), the command's end or a signal;
 * then END, the map dump and detach.  Returns the exit status. */
int run_script(struct script *s, struct run_opts *o);
/* create, load and attach, then detach: 0 if all went well */
int run_try_attach(struct script *s);
/* -T, on kernel k (probed) */
int self_test(const struct kernel *k);

#endif
