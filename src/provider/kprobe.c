/*
 * provider/kprobe.c - kprobe:SYM, SYM+OFF, 0xADDR, MOD:SYM and globs;
 * the mechanism shared with kretprobe.c.
 *
 * A glob (vfs_*, SyS_[rw]*, !(...)) is expanded at setup against the
 * functions the kernel can trace (available_filter_functions, else the
 * text symbols of /proc/kallsyms).  Where the kernel has kprobe_multi
 * links (5.18, CONFIG_FPROBE), one link attaches the program to all of
 * them at once.  Otherwise each function gets its own perf event from
 * the kernel's kprobe PMU (/sys/bus/event_source/devices/kprobe).
 * Either way a probe disappears with its file descriptor, even when ply
 * is killed with SIGKILL.  Kernels without that PMU (before 4.17) get
 * kprobe_events lines named ply_<pid>/pN, removed on every exit path;
 * a killed run's leftovers are removed at the next start.
 *
 * Provider variables: regs (the struct pt_regs, from the arch table),
 * argN (the kernel calling convention's argument registers), caller
 * (the probed address, printed as sym+off), and, in kretprobe.c,
 * retval.  A kprobe_multi program's pt_regs hold the arguments, sp and
 * ip only: a probe that reads regs itself gets a perf event per
 * function, and caller comes from bpf_get_func_ip() there.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kprobe.h"

struct kprobe {
	char **funcs;		/* targets; one NULL entry for an address */
	int nfuncs;
	uint64_t addr, off;	/* kprobe:0xADDR, SYM+OFF */
	bool glob;
	bool multi;		/* one kprobe_multi link for all funcs */
	int *fds;		/* a perf event per function, or the link */
	int nfds;
	char **events;		/* kprobe_events names to remove, or NULL */
};

/* ---------------------------------------------------------------- */
/* function lists                                                   */

struct names {
	char **v;
	int n, cap;
};

/* the lists are kept for the process's life: perm_* allocations */
static void names_add(struct names *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4096;
		l->v = perm_realloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = perm_strdup(s);
}

/* "func" or "func [mod]" per line -> "func" or "mod:func" */
static void read_filter_functions(struct names *l, const char *tfs)
{
	char path[300], line[512], *sp, *mod;
	FILE *fp;

	if (!tfs)
		return;
	snprintf(path, sizeof(path), "%s/available_filter_functions", tfs);
	if (!(fp = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		sp = strchr(line, ' ');
		mod = sp ? strchr(sp, '[') : NULL;
		if (sp)
			*sp = '\0';
		if (mod) {
			char buf[600];

			mod[strcspn(mod, "]")] = '\0';
			snprintf(buf, sizeof(buf), "%s:%s", mod + 1, line);
			names_add(l, buf);
		} else {
			names_add(l, line);
		}
	}
	fclose(fp);
}

static void read_kallsyms(struct names *l)
{
	char line[512], type, *name, *mod;
	FILE *fp = fopen("/proc/kallsyms", "re");
	uint64_t addr;

	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		if (!ksym_parse(line, &addr, &type, &name, &mod) ||
		    (type != 't' && type != 'T'))
			continue;
		if (mod) {
			char buf[600];

			snprintf(buf, sizeof(buf), "%s:%s", mod, name);
			names_add(l, buf);
		} else {
			names_add(l, name);
		}
	}
	fclose(fp);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* traceable functions, sorted; kallsyms when ftrace's list is missing */
static struct names *functions(const char *tfs)
{
	static struct names l;
	static bool done;

	if (done)
		return &l;
	done = true;
	read_filter_functions(&l, tfs);
	if (!l.n)
		read_kallsyms(&l);
	sort(l.v, l.n, sizeof(*l.v), cmp_str);
	return &l;
}

/* -l: the functions a kprobe can go on (kretprobe.c's too) */
void kprobe_list(const struct kernel *k, struct plist *l)
{
	struct names *f;
	char *events;
	int i;

	/* a kernel without kprobes has no kprobes to list */
	if (!k->kprobe_pmu) {
		events = xasprintf("%s/kprobe_events", k->tracefs ? k->tracefs :
				   "/sys/kernel/tracing");
		i = access(events, F_OK);
		xfree(events);
		if (i)
			return;
	}
	f = functions(k->tracefs);
	for (i = 0; i < f->n; i++)
		if ((!i || strcmp(f->v[i], f->v[i - 1])) &&
		    plist_want(l, f->v[i]))
			plist_add(l, f->v[i], NULL);
}

static bool known(struct names *l, const char *f)
{
	return bsearch(&f, l->v, l->n, sizeof(*l->v), cmp_str) != NULL;
}

/* ---------------------------------------------------------------- */
/* setup                                                            */

static int expand(struct probe *pb, struct kprobe *k, const char *pat)
{
	struct names *l = functions(pb->k->tracefs);
	int i;

	for (i = 0; i < l->n; i++) {
		if (!glob_match(pat, l->v[i]))
			continue;
		if (k->nfuncs && !strcmp(k->funcs[k->nfuncs - 1], l->v[i]))
			continue;	/* static functions of the same name */
		k->funcs = xrealloc(k->funcs, (k->nfuncs + 1) *
				    sizeof(*k->funcs));
		k->funcs[k->nfuncs++] = l->v[i];
	}
	if (k->nfuncs)
		return 0;
	diag_error(pb->ast->loc, "no traceable function matches '%s'%s", pat,
		   l->n ? "" : " (tracefs and /proc/kallsyms are unreadable)");
	return -1;
}

static int check_symbol(struct probe *pb, const char *sym)
{
	static struct names all;
	struct names *l = functions(pb->k->tracefs);
	const char *near;

	if (!l->n || known(l, sym))
		return 0;
	if (!all.n) {		/* not ftrace-able, but maybe kprobe-able */
		read_kallsyms(&all);
		sort(all.v, all.n, sizeof(*all.v), cmp_str);
	}
	if (known(&all, sym))
		return 0;
	near = nearest_name(sym, (const char *const *)l->v, l->n);
	diag_error(pb->ast->loc, "unknown kernel function '%s'%s%s%s", sym,
		   near ? "; did you mean '" : "", near ? near : "",
		   near ? "'?" : "");
	return -1;
}

/* no MOD:func among the targets (kprobe_multi names vmlinux's) */
static bool vmlinux_only(const struct kprobe *k)
{
	int i;

	for (i = 0; i < k->nfuncs; i++)
		if (strchr(k->funcs[i], ':'))
			return false;
	return true;
}

int kprobe_setup(struct probe *pb)
{
	struct kprobe *k = xcalloc(1, sizeof(*k));
	char *sym = xstrdup(pb->arg), *plus;

	pb->priv = k;
	if (!*sym) {
		diag_error(pb->ast->loc, "%s needs a function: %s:vfs_read",
			   pb->prov->name, pb->prov->name);
		return -1;
	}
	if (sym[0] >= '0' && sym[0] <= '9') {
		k->addr = strtoull(sym, &plus, 0);
		k->nfuncs = 1;
		k->funcs = xcalloc(1, sizeof(*k->funcs));
		if (!*plus)
			return 0;
		diag_error(pb->ast->loc, "bad address '%s'", pb->arg);
		return -1;
	}
	if ((plus = strchr(sym, '+'))) {
		*plus++ = '\0';
		k->off = strtoull(plus, &plus, 0);
		if (*plus) {
			diag_error(pb->ast->loc, "bad offset in '%s'", pb->arg);
			return -1;
		}
	}
	k->glob = is_glob(sym);
	if (k->glob && !pb->k->here) {
		diag_error(pb->ast->loc, "a glob is expanded on the target "
			   "machine: with --arch, name one function");
		return -1;
	}
	if (k->glob) {
		if (expand(pb, k, sym))
			return -1;
		pb->points = k->nfuncs;
		if (pb->k->kprobe_multi && k->nfuncs > 1 && !k->off &&
		    vmlinux_only(k)) {
			k->multi = true;
			pb->attach_type = BPF_TRACE_KPROBE_MULTI;
		}
		return 0;
	}
	k->funcs = xcalloc(1, sizeof(*k->funcs));
	k->funcs[k->nfuncs++] = sym;
	/* this machine's functions say nothing of another's */
	return pb->k->here ? check_symbol(pb, sym) : 0;
}

/* ---------------------------------------------------------------- */
/* provider variables                                               */

/* a register of the kernel's word, printed in hex */
static struct type *reg_type(const struct arch *a, enum printer fmt)
{
	return type_with_fmt(type_int(a->word, false), fmt);
}

/* struct pt_regs: the arch's registers (of its ABI), in its order */
static struct type *regs_type(const struct arch *a)
{
	struct field *f = xcalloc(a->nregs, sizeof(*f));
	struct type *w = reg_type(a, FMT_HEX), *t;
	int i, n = 0;

	for (i = 0; i < a->nregs; i++) {
		if (a->regs[i].only && a->regs[i].only != a->abi)
			continue;
		f[n].name = a->regs[i].name;
		f[n].type = w;
		f[n++].off = (a->base + a->regs[i].slot) * a->word;
	}
	t = type_struct("struct pt_regs", f, n);
	t->size = arch_regs_size(a);
	return t;
}

struct node *kprobe_regs(struct probe *pb, struct node *n)
{
	struct node *r = node_new(N_CTX, n->loc);

	r->type = type_ptr(regs_type(pb->k->arch), false, true);
	return r;
}

struct node *kprobe_reg(struct probe *pb, struct node *n, const char *reg,
			struct type *t)
{
	struct node *m = node_new(N_MEMBER, n->loc);

	m->op = TOK_ARROW;
	m->lhs = kprobe_regs(pb, n);
	m->name = reg;
	m->cast = t;
	return m;
}

/* the probe reads pt_regs itself: it needs them whole, so a perf
 * event per function rather than one kprobe_multi link */
void kprobe_whole_regs(struct probe *pb)
{
	struct kprobe *k = pb->priv;

	k->multi = false;
	pb->attach_type = 0;
}

/* bpf_get_func_ip(ctx): the function's address, also in kprobe_multi
 * programs, whose pt_regs' ip is not quite it */
static struct node *func_ip(struct node *n, struct type *t)
{
	struct node *r = node_new(N_IDENT, n->loc);

	r->name = "caller";
	r->bi = &bi_func_ip;
	r->type = t;
	return r;
}

static struct node *kprobe_ident(struct probe *pb, struct node *n)
{
	const struct arch *a = pb->k->arch;
	struct kprobe *k = pb->priv;
	int i;

	if (!strcmp(n->name, "regs")) {
		kprobe_whole_regs(pb);
		return kprobe_regs(pb, n);
	}
	if (!strcmp(n->name, "caller"))
		return k->multi ? func_ip(n, reg_type(a, FMT_KSYM)) :
			kprobe_reg(pb, n, a->pc, reg_type(a, FMT_KSYM));
	/* bpftrace's func; probe when one program serves several
	 * functions: the function's name from its address */
	if (!strcmp(n->name, "func") ||
	    (!strcmp(n->name, "probe") && k->nfuncs > 1)) {
		enum printer f = n->name[0] == 'f' ? FMT_SYM : FMT_KPROBE;

		if (pb->k->func_ip)
			return func_ip(n, reg_type(a, f));
		return kprobe_reg(pb, n, a->pc, reg_type(a, f));
	}
	if (strncmp(n->name, "arg", 3) || n->name[3] < '0' ||
	    n->name[3] > '9' || n->name[4])
		return NULL;
	i = n->name[3] - '0';
	if (i < a->nargs)
		return kprobe_reg(pb, n, a->arg[i], reg_type(a, FMT_HEX));
	diag_error(n->loc, "%s is not in a register on %s (the first %d "
		   "arguments are); read it from the stack: regs->%s",
		   n->name, a->name, a->nargs, a->sp);
	return kprobe_regs(pb, n);
}

/* ---------------------------------------------------------------- */
/* attaching through the kprobe PMU                                 */

static int read_sysfs(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static bool is_retprobe(const struct probe *pb)
{
	return pb->prov == &kretprobe_provider;
}

static int open_pmu(struct probe *pb, struct kprobe *k, int i)
{
	struct perf_event_attr attr;

	perf_attr_init(&attr, pb->k->kprobe_type, is_retprobe(pb) ?
		       1ULL << pb->k->kprobe_retbit : 0);
	attr.flags = PERF_ATTR_FLAG_DISABLED;
	if (k->funcs[i]) {
		attr.kprobe_func = (uint64_t)(uintptr_t)k->funcs[i];
		attr.probe_offset = k->off;
	} else {
		attr.kprobe_addr = k->addr;
	}
	return perf_event_open(&attr, -1, 0, -1, 0);
}

/* ---------------------------------------------------------------- */
/* attaching through kprobe_events (kernels before 4.17)            */

static int events_write(const char *tfs, const char *line)
{
	char path[300];
	int fd, err = 0;

	if (!tfs)
		return -ENODEV;
	snprintf(path, sizeof(path), "%s/kprobe_events", tfs);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, line, strlen(line)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* remove what killed runs of ply left in kprobe_events */
static void events_clean_stale(const char *tfs)
{
	static bool done;
	char path[300], line[512], *name;
	FILE *fp;

	if (done || !tfs)
		return;
	done = true;
	snprintf(path, sizeof(path), "%s/kprobe_events", tfs);
	if (!(fp = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), fp)) {
		/* "p:ply_1234/p0 vfs_read", "r10:ply_1234/p1 vfs_read": a
		 * kretprobe's line carries its maxactive */
		name = line + 1 + strspn(line + 1, "0123456789");
		if (*name++ != ':')
			continue;
		name[strcspn(name, " \n")] = '\0';
		if (!strncmp(name, "ply_", 4) &&
		    kill(atoi(name + 4), 0) && errno == ESRCH)
			events_write(tfs, xasprintf("-:%s\n", name));
	}
	fclose(fp);
}

static int open_event(struct probe *pb, struct kprobe *k, int i)
{
	static int seq;
	const char *tfs = pb->k->tracefs;
	struct perf_event_attr attr;
	char *name, *def, path[400], buf[32];
	int err;

	events_clean_stale(tfs);
	name = xasprintf("ply_%d/p%d", (int)getpid(), seq++);
	if (k->funcs[i])
		def = xasprintf("%c:%s %s+%llu\n", is_retprobe(pb) ? 'r' : 'p',
				name, k->funcs[i], (unsigned long long)k->off);
	else
		def = xasprintf("%c:%s 0x%llx\n", is_retprobe(pb) ? 'r' : 'p',
				name, (unsigned long long)k->addr);
	if ((err = events_write(tfs, def)))
		return err == -ENOENT ? -EOPNOTSUPP : err;
	if (!k->events)
		k->events = xcalloc(k->nfuncs, sizeof(*k->events));
	k->events[i] = name;
	snprintf(path, sizeof(path), "%s/events/%s/id", tfs, name);
	if (read_sysfs(path, buf, sizeof(buf)))
		return -errno;
	perf_attr_init(&attr, PERF_TYPE_TRACEPOINT, strtoull(buf, NULL, 10));
	attr.flags = PERF_ATTR_FLAG_DISABLED;
	return perf_event_open(&attr, -1, 0, -1, 0);
}

/* ---------------------------------------------------------------- */

static int attach_one(struct probe *pb, struct kprobe *k, int i)
{
	int fd;

	fd = pb->k->kprobe_pmu ? open_pmu(pb, k, i) : open_event(pb, k, i);
	k->fds[i] = fd;
	if (fd < 0)
		return fd;
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, pb->prog_fd) < 0 ||
	    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0)
		return -errno;
	return 0;
}

static const char *why(int err)
{
	switch (err) {
	case ENOENT:
	case EINVAL:
		return "not probeable";
	case EOPNOTSUPP:
	case ENODEV:
		return "the kernel has no kprobes (CONFIG_KPROBES, "
			"CONFIG_KPROBE_EVENTS)";
	case EPERM:
	case EACCES:
		return "not allowed: are you root?";
	case EILSEQ:
		return "the offset is not at an instruction's start";
	default:
		return strerror(err);
	}
}

/* "attached to 54 of 56 functions; skipped a (why), b (why)" */
static void report_glob(struct probe *pb, struct kprobe *k, int *errs,
			int tried)
{
	int i, nbad = k->nfuncs - tried, shown = 0;

	for (i = 0; i < tried; i++)
		nbad += errs[i] != 0;
	fprintf(stderr, "ply: %s: attached to %d of %d functions",
		pb->spec, k->nfuncs - nbad, k->nfuncs);
	for (i = 0; i < tried && shown < 8; i++)
		if (errs[i])
			fprintf(stderr, "%s %s (%s)", shown++ ? "," :
				"; skipped", k->funcs[i], why(-errs[i]));
	fprintf(stderr, "%s\n", nbad > shown ? ", ..." : "");
}

/* with no kprobes at all, trying the other functions is pointless */
static bool fatal(int err)
{
	return err == -EOPNOTSUPP || err == -ENODEV || err == -EPERM ||
		err == -EACCES || err == -EMFILE;
}

/* every function through one kprobe_multi link; else the program is
 * loaded again as a plain kprobe, for a perf event per function */
static int attach_multi(struct probe *pb, struct kprobe *k)
{
	int fd = bpf_link_kprobe_multi(pb->prog_fd,
				       (const char *const *)k->funcs,
				       k->nfuncs, is_retprobe(pb));
	int i, funcs[16];

	if (fd >= 0) {
		k->fds = xcalloc(1, sizeof(*k->fds));
		k->fds[0] = fd;
		k->nfds = 1;
		fprintf(stderr, "ply: %s: attached to %d of %d functions "
			"(kprobe_multi)\n", pb->spec, k->nfuncs, k->nfuncs);
		return 0;
	}
	dbg("%s: kprobe_multi link: %s; a probe per function instead",
	    pb->spec, strerror(-fd));
	k->multi = false;
	pb->attach_type = 0;
	for (i = 0; i < pb->prog->nfuncs; i++)
		funcs[i] = pb->prog->label[pb->prog->func_label[i]];
	fd = bpf_prog_load_funcs(pb->prov->prog_type, 0, pb->prog->insn,
				 pb->prog->len, funcs, pb->prog->nfuncs, NULL,
				 0);
	if (fd < 0) {
		err_msg("the kernel refused the program for '%s' as a "
			"plain kprobe: %s", pb->spec, strerror(-fd));
		return fd;
	}
	close(pb->prog_fd);
	pb->prog_fd = fd;
	return 1;
}

int kprobe_attach(struct probe *pb)
{
	struct kprobe *k = pb->priv;
	int *errs, i, nok = 0, bad = -1, err;

	if (k->multi && (err = attach_multi(pb, k)) <= 0)
		return err;
	errs = xcalloc(k->nfuncs, sizeof(*errs));
	k->fds = xcalloc(k->nfuncs, sizeof(*k->fds));
	k->nfds = k->nfuncs;
	for (i = 0; i < k->nfds; i++)
		k->fds[i] = -1;		/* not tried: nothing to close */
	for (i = 0; i < k->nfuncs; i++) {
		errs[i] = attach_one(pb, k, i);
		if (!errs[i]) {
			nok++;
			continue;
		}
		if (bad < 0)
			bad = i;
		if (!k->glob || fatal(errs[i]))
			break;
	}
	if (k->glob && (nok || debug_on))
		report_glob(pb, k, errs, i);
	if (bad < 0 || (k->glob && nok && i == k->nfuncs)) {
		xfree(errs);
		return 0;
	}
	err = errs[bad];
	err_msg("%s: can't attach to %s: %s", pb->spec,
		k->funcs[bad] ? k->funcs[bad] : pb->arg, why(-err));
	xfree(errs);
	kprobe_detach(pb);
	return err;
}

void kprobe_detach(struct probe *pb)
{
	struct kprobe *k = pb->priv;
	int i;

	if (!k || !k->fds)
		return;
	perf_close_all(k->fds, k->nfds);	/* a glob's: in parallel */
	for (i = 0; i < k->nfuncs; i++)
		if (k->events && k->events[i])
			events_write(pb->k->tracefs,
				     xasprintf("-:%s\n", k->events[i]));
	xfree(k->events);
	k->events = NULL;
}

/* -S: "kprobe PMU: vfs_read", "kprobe_events: r vfs_read+0", ... */
void kprobe_describe(const struct probe *pb, FILE *fp)
{
	const struct kprobe *k = pb->priv;
	int i;

	if (k->multi) {
		fprintf(fp, "kprobe_multi link%s: %d functions\n",
			is_retprobe(pb) ? " (return)" : "", k->nfuncs);
		return;
	}
	for (i = 0; i < k->nfuncs && i < 8; i++) {
		if (pb->k->kprobe_pmu)
			fprintf(fp, "kprobe PMU%s: ", is_retprobe(pb) ?
				" (retprobe bit)" : "");
		else
			fprintf(fp, "kprobe_events: %c ",
				is_retprobe(pb) ? 'r' : 'p');
		if (k->funcs[i])
			fprintf(fp, "%s+%llu\n", k->funcs[i],
				(unsigned long long)k->off);
		else
			fprintf(fp, "0x%llx\n", (unsigned long long)k->addr);
	}
	if (k->nfuncs > i)
		fprintf(fp, "... and %d more functions\n", k->nfuncs - i);
}

const struct provider kprobe_provider = {
	.name = "kprobe",
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.setup = kprobe_setup,
	.ident = kprobe_ident,
	.list = kprobe_list,
	.attach = kprobe_attach,
	.detach = kprobe_detach,
	.describe = kprobe_describe,
};
