/*
 * provider/tracepoint.c - tracepoint:subsys/event (or subsys:event).
 *
 * During sema, setup reads the event's format from tracefs (tracefs.c)
 * and makes it the type of `data`, which ident rewrites into the
 * program's context pointer: the raw record the kernel hands a
 * BPF_PROG_TYPE_TRACEPOINT program starts with the fields of the
 * format file, at the offsets it lists.  After loading, attach opens
 * one PERF_TYPE_TRACEPOINT event with the event's ID and gives it the
 * program.
 *
 * One event on one CPU is enough: the kernel runs a tracepoint's BPF
 * programs from the tracepoint itself, on whichever CPU hits it, not
 * per perf event (libbpf does the same; test/kernel.test counts the
 * events of two CPUs exactly).
 *
 * The kernel keeps a pt_regs pointer in the record's first 8 bytes
 * (common_type .. common_pid) before the program runs: ctx_hidden.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ply.h"

struct tp {
	int id;			/* events/SYS/EVENT/id */
	int fd;			/* the perf event, -1 when detached */
};

/* the names of the subdirectories of dir, for suggestions */
static const char **dir_names(const char *dir, int *n)
{
	const char **names = NULL;
	int cap = 0;
	struct dirent *d;
	DIR *dp = opendir(dir);

	*n = 0;
	if (!dp)
		return NULL;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.' ||
		    (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[(*n)++] = xstrdup(d->d_name);
	}
	closedir(dp);
	return names;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* the entry of dir nearest to name, or NULL; sorted first, so that
 * ties go the same way whatever order readdir() has */
static const char *nearest_entry(const char *root, const char *dir,
				 const char *name)
{
	const char **names;
	const char *best;
	char *path = xasprintf("%s/events/%s", root, dir);
	int n;

	names = dir_names(path, &n);
	if (names)
		sort(names, n, sizeof(*names), name_cmp);
	best = nearest_name(name, names, n);
	xfree(path);
	return best;		/* names leak: once, on an error */
}

/* "unknown tracepoint 'sys/evnt'; did you mean 'sys/event'?" */
static void unknown_tp(struct probe *pb, const char *sys, const char *ev,
		       char sep)
{
	const char *root = pb->k->tracefs;
	char *path = xasprintf("%s/events/%s", root, sys);
	const char *s = NULL, *e = NULL;
	int id;

	if (access(path, F_OK) == 0) {
		s = sys;
		e = nearest_entry(root, sys, ev);
	} else {
		s = nearest_entry(root, "", sys);
		if (s && tracefs_format(root, s, ev, &id))
			e = ev;
	}
	xfree(path);
	if (s && e)
		diag_error(pb->ast->loc, "unknown tracepoint '%s'; did you "
			   "mean '%s%c%s'?", pb->arg, s, sep, e);
	else if (s && s != sys)
		diag_error(pb->ast->loc, "unknown tracepoint '%s'; did you "
			   "mean subsystem '%s'?", pb->arg, s);
	else
		diag_error(pb->ast->loc, "unknown tracepoint '%s'", pb->arg);
}

static void user_pointers(struct type *t)
{
	struct type *u;
	int i;

	for (i = 0; i < t->nfields; i++) {
		if (t->fields[i].type->kind != TY_PTR)
			continue;
		u = type_new(TY_PTR);
		*u = *t->fields[i].type;
		u->user = true;
		t->fields[i].type = u;
	}
}

/* the event's format as pb->ctx_type, its id in the priv */
static int tp_format(struct probe *pb, const char *sys, const char *ev,
		     char sep)
{
	struct tp *tp;
	int id;

	pb->ctx_type = tracefs_format(pb->k->tracefs, sys, ev, &id);
	if (!pb->ctx_type) {
		if (errno == ENOENT)
			unknown_tp(pb, sys, ev, sep);
		else
			diag_error(pb->ast->loc, "tracepoint '%s': cannot "
				   "read its format: %s", pb->arg,
				   strerror(errno));
		return -1;
	}
	/* a syscall's pointer arguments point into user memory */
	if (!strcmp(sys, "syscalls"))
		user_pointers(pb->ctx_type);
	tp = xcalloc(1, sizeof(*tp));
	tp->id = id;
	tp->fd = -1;
	pb->priv = tp;
	pb->event = id;
	return 0;
}

static int tp_setup(struct probe *pb)
{
	const char *arg = pb->arg ? pb->arg : "";
	size_t n = strcspn(arg, "/:");
	char *sys;
	int err;

	if (!arg[n] || !n || !arg[n + 1] || strpbrk(arg + n + 1, "/:")) {
		diag_error(pb->ast->loc, "tracepoint '%s': expected "
			   "'subsystem/event'", arg);
		return -1;
	}
	/* kernel.c found tracefs, and mounted it for a real run */
	if (!pb->k->tracefs) {
		if (pb->k->tracefs_err == EACCES)
			diag_error(pb->ast->loc, "tracefs is there, but not "
				   "readable: ply needs root");
		else
			diag_error(pb->ast->loc, "tracefs not found; mount "
				   "it with 'mount -t tracefs nodev "
				   "/sys/kernel/tracing'");
		return -1;
	}
	sys = xstrndup(arg, n);
	err = tp_format(pb, sys, arg + n + 1, arg[n]);
	xfree(sys);
	return err;
}

/* data -> ctx, typed as a pointer to the event's record */
static struct node *tp_ident(struct probe *pb, struct node *n)
{
	struct node *ctx;

	if ((strcmp(n->name, "data") && (!pb->bt || strcmp(n->name, "args"))) ||
	    !pb->ctx_type)
		return NULL;
	ctx = node_new(N_CTX, n->loc);
	ctx->type = type_ptr(pb->ctx_type, false, true);
	return ctx;
}

static int tp_attach(struct probe *pb)
{
	struct tp *tp = pb->priv;
	struct perf_event_attr attr;
	int cpu;

	/* any online CPU will do, see the top of the file */
	if (cpus_online(&cpu, 1) < 1)
		cpu = 0;
	perf_attr_init(&attr, PERF_TYPE_TRACEPOINT, tp->id);
	return prov_perf_attach(pb, &attr, &cpu, 1, &tp->fd);
}

static void tp_detach(struct probe *pb)
{
	struct tp *tp = pb->priv;

	if (tp)
		prov_perf_detach(&tp->fd, 1);
}

static void tp_describe(const struct probe *pb, FILE *fp)
{
	const struct tp *tp = pb->priv;

	fprintf(fp, "perf event: tracepoint %s, id %d, one CPU\n", pb->arg,
		tp->id);
}

/* -l: every event, "sys:event" (-lv: its fields) */
static void tp_list(const struct kernel *k, struct plist *l)
{
	char **ev, *colon;
	int n = tracefs_events(k->tracefs, &ev), i;

	for (i = 0; i < n; i++) {
		if (plist_want(l, ev[i])) {
			colon = strchr(ev[i], ':');
			*colon = '\0';
			plist_add(l, xasprintf("%s:%s", ev[i], colon + 1),
				  l->verbose ? tracefs_fields(k->tracefs, ev[i],
							      colon + 1) : NULL);
		}
		xfree(ev[i]);
	}
	xfree(ev);
}

/* sched:sched_s* -> the events it names; '/' as ply writes it too */
static int tp_expand(const struct kernel *k, const char *arg, char ***out)
{
	char **ev, *pat = xstrdup(arg), *p;
	int n = tracefs_events(k->tracefs, &ev), i, m = 0;

	p = pat + strcspn(pat, "/:");
	if (*p)
		*p = ':';
	*out = NULL;
	for (i = 0; i < n; i++) {
		if (glob_match(pat, ev[i])) {
			*out = xrealloc(*out, (m + 1) * sizeof(**out));
			(*out)[m++] = ev[i];
		} else {
			xfree(ev[i]);
		}
	}
	xfree(ev);
	xfree(pat);
	return m;
}

const struct provider tracepoint_provider = {
	.name = "tracepoint",
	.prog_type = BPF_PROG_TYPE_TRACEPOINT,
	.spec_slashes = 1,	/* subsys/event */
	.ctx_hidden = 8,
	.setup = tp_setup,
	.ident = tp_ident,
	.attach = tp_attach,
	.detach = tp_detach,
	.describe = tp_describe,
	.list = tp_list,
	.expand = tp_expand,
};
