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
	bool cross;		/* --arch: another machine's code */
	bool debug, dry_run, keep_going, dump, self_test, unbuffer;
	const char *dump_what;	/* --dump=tokens|ast|bpf, NULL: all */
	int unicode;		/* -1: from the locale */
	int pages;		/* output buffer pages per CPU */
};

/* parse, type and generate code; NULL after printing the errors */
struct script *compile_script(const struct src *src, bool dry_run);
/* the maps every script needs, before codegen refers to them */
void run_prepare_maps(struct script *s);
/* load, attach, trace until exit(), the command's end or a signal;
 * then END, the map dump and detach.  Returns the exit status. */
int run_script(struct script *s, struct run_opts *o);
/* create, load and attach, then detach: 0 if all went well */
int run_try_attach(struct script *s);
/* -T */
int self_test(void);

#endif
