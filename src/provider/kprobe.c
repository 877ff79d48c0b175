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

#include "ply.h"
#include "bpf_insn.h"

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

static void names_add(struct names *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4096;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v) {
			err_msg("out of memory");
			exit(1);
		}
	}
	l->v[l->n++] = xstrdup(s);
}

/* "func" or "func [mod]" per line -> "func" or "mod:func" */
static void read_filter_functions(struct names *l)
{
	char path[300], line[512], *sp, *mod;
	const char *tfs = tracefs_lookup(false);
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
			mod[strcspn(mod, "]")] = '\0';
			names_add(l, xasprintf("%s:%s", mod + 1, line));
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
		names_add(l, mod ? xasprintf("%s:%s", mod, name) : name);
	}
	fclose(fp);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* traceable functions, sorted; kallsyms when ftrace's list is missing */
static struct names *functions(void)
{
	static struct names l;
	static bool done;

	if (done)
		return &l;
	done = true;
	read_filter_functions(&l);
	if (!l.n)
		read_kallsyms(&l);
	qsort(l.v, l.n, sizeof(*l.v), cmp_str);
	return &l;
}

static bool known(struct names *l, const char *f)
{
	return bsearch(&f, l->v, l->n, sizeof(*l->v), cmp_str) != NULL;
}

/* ---------------------------------------------------------------- */
/* setup                                                            */

static int expand(struct probe *pb, struct kprobe *k, const char *pat)
{
	struct names *l = functions();
	int i;

	for (i = 0; i < l->n; i++) {
		if (!glob_match(pat, l->v[i]))
			continue;
		if (k->nfuncs && !strcmp(k->funcs[k->nfuncs - 1], l->v[i]))
			continue;	/* static functions of the same name */
		k->funcs = realloc(k->funcs, (k->nfuncs + 1) *
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
	struct names *l = functions();
	const char *near;

	if (!l->n || known(l, sym))
		return 0;
	if (!all.n) {		/* not ftrace-able, but maybe kprobe-able */
		read_kallsyms(&all);
		qsort(all.v, all.n, sizeof(*all.v), cmp_str);
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

/* does the kernel have kprobe_multi links?  A link to a function that
 * doesn't exist is ESRCH where it has, EOPNOTSUPP without CONFIG_FPROBE
 * and EINVAL before 5.18.  PLY_KPROBE_EVENTS (below) means no too. */
static bool have_kprobe_multi(void)
{
	static int have = -1;
	static const char *const bogus[] = { "ply_no_such_function" };
	struct bpf_insn prog[] = {
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	int fd, err;

	if (have >= 0)
		return have;
	have = 0;
	if (getenv("PLY_KPROBE_EVENTS"))
		return false;
	fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, prog,
			   ARRAY_SIZE(prog), NULL, 0);
	if (fd < 0)
		return false;
	err = bpf_link_kprobe_multi(fd, bogus, 1, false);
	if (err >= 0)
		close(err);
	close(fd);
	have = err == -ESRCH || err == -ENOENT;
	dbg("kprobe_multi links: %s (%s)", have ? "yes" : "no",
	    strerror(err < 0 ? -err : 0));
	return have;
}

int kprobe_setup(struct probe *pb, bool dry_run)
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
	if (k->glob && arch != arch_native) {
		diag_error(pb->ast->loc, "a glob is expanded on the target "
			   "machine: with --arch, name one function");
		return -1;
	}
	if (k->glob) {
		if (expand(pb, k, sym))
			return -1;
		if (!dry_run && k->nfuncs > 1 && !k->off &&
		    vmlinux_only(k) && have_kprobe_multi()) {
			k->multi = true;
			pb->attach_type = BPF_TRACE_KPROBE_MULTI;
		}
		return 0;
	}
	k->funcs = xcalloc(1, sizeof(*k->funcs));
	k->funcs[k->nfuncs++] = sym;
	/* this machine's functions say nothing of another's */
	return arch == arch_native ? check_symbol(pb, sym) : 0;
}

/* ---------------------------------------------------------------- */
/* provider variables                                               */

static struct type *regs_type(void)
{
	static struct type *t;
	struct field *f;
	struct type *w;
	int i;

	if (t)
		return t;
	w = type_with_fmt(type_int(arch->word, false), FMT_HEX);
	f = xcalloc(arch->nregs, sizeof(*f));
	for (i = 0; i < arch->nregs; i++) {
		f[i].name = arch->regs[i].name;
		f[i].type = w;
		f[i].off = arch->regs[i].off;
	}
	t = type_struct("struct pt_regs", f, arch->nregs);
	t->size = arch->regs_size;
	return t;
}

struct node *kprobe_regs(struct probe *pb, struct node *n)
{
	struct node *r = node_new(N_IDENT, n->loc);

	(void)pb;
	r->name = "ctx";
	r->type = type_ptr(regs_type(), false, true);
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

	r->name = "func_ip";
	r->type = t;
	return r;
}

static struct node *kprobe_ident(struct probe *pb, struct node *n)
{
	static struct type *ulong, *sym;
	struct kprobe *k = pb->priv;
	int i;

	if (!ulong) {
		ulong = type_with_fmt(type_int(arch->word, false), FMT_HEX);
		sym = type_with_fmt(type_int(arch->word, false), FMT_KSYM);
	}
	if (!strcmp(n->name, "regs")) {
		kprobe_whole_regs(pb);
		return kprobe_regs(pb, n);
	}
	if (!strcmp(n->name, "caller"))
		return k->multi ? func_ip(n, sym) :
			kprobe_reg(pb, n, arch->pc, sym);
	if (strncmp(n->name, "arg", 3) || n->name[3] < '0' ||
	    n->name[3] > '9' || n->name[4])
		return NULL;
	i = n->name[3] - '0';
	if (i < arch->nargs)
		return kprobe_reg(pb, n, arch->arg[i], ulong);
	diag_error(n->loc, "%s is not in a register on %s (the first %d "
		   "arguments are); read it from the stack: regs->%s",
		   n->name, arch->name, arch->nargs, arch->sp);
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

/* the PMU's type and its retprobe bit; -1 if the kernel has no PMU */
static int kprobe_pmu(int *retbit)
{
	static int type = -2, bit;
	char buf[64];

	if (type == -2) {
		type = -1;
		if (!getenv("PLY_KPROBE_EVENTS") &&
		    !read_sysfs("/sys/bus/event_source/devices/kprobe/type",
				buf, sizeof(buf)))
			type = atoi(buf);
		if (!read_sysfs("/sys/bus/event_source/devices/kprobe/format/"
				"retprobe", buf, sizeof(buf)))
			bit = atoi(buf + strcspn(buf, "0123456789"));
	}
	*retbit = bit;
	return type;
}

static bool is_retprobe(const struct probe *pb)
{
	return pb->prov == &kretprobe_provider;
}

static int open_pmu(struct probe *pb, struct kprobe *k, int i)
{
	struct perf_event_attr attr;
	int bit, type = kprobe_pmu(&bit);

	memset(&attr, 0, sizeof(attr));
	attr.type = type;
	attr.size = sizeof(attr);
	attr.config = is_retprobe(pb) ? 1ULL << bit : 0;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
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

static int events_write(const char *line)
{
	char path[300];
	const char *tfs = tracefs_path();
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
static void events_clean_stale(void)
{
	static bool done;
	char path[300], line[512], *name;
	const char *tfs = tracefs_path();
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
			events_write(xasprintf("-:%s\n", name));
	}
	fclose(fp);
}

static int open_event(struct probe *pb, struct kprobe *k, int i)
{
	static int seq;
	struct perf_event_attr attr;
	char *name, *def, path[400], buf[32];
	int err;

	events_clean_stale();
	name = xasprintf("ply_%d/p%d", (int)getpid(), seq++);
	if (k->funcs[i])
		def = xasprintf("%c:%s %s+%llu\n", is_retprobe(pb) ? 'r' : 'p',
				name, k->funcs[i], (unsigned long long)k->off);
	else
		def = xasprintf("%c:%s 0x%llx\n", is_retprobe(pb) ? 'r' : 'p',
				name, (unsigned long long)k->addr);
	if ((err = events_write(def)))
		return err == -ENOENT ? -EOPNOTSUPP : err;
	if (!k->events)
		k->events = xcalloc(k->nfuncs, sizeof(*k->events));
	k->events[i] = name;
	snprintf(path, sizeof(path), "%s/events/%s/id", tracefs_path(), name);
	if (read_sysfs(path, buf, sizeof(buf)))
		return -errno;
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = strtoull(buf, NULL, 10);
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	attr.flags = PERF_ATTR_FLAG_DISABLED;
	return perf_event_open(&attr, -1, 0, -1, 0);
}

/* ---------------------------------------------------------------- */

static int attach_one(struct probe *pb, struct kprobe *k, int i)
{
	int bit, fd;

	fd = kprobe_pmu(&bit) >= 0 ? open_pmu(pb, k, i) : open_event(pb, k, i);
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
	fd = bpf_prog_load(pb->prov->prog_type, 0, pb->prog->insn,
			   pb->prog->len, NULL, 0);
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
		free(errs);
		return 0;
	}
	err = errs[bad];
	err_msg("%s: can't attach to %s: %s", pb->spec,
		k->funcs[bad] ? k->funcs[bad] : pb->arg, why(-err));
	free(errs);
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
			events_write(xasprintf("-:%s\n", k->events[i]));
	free(k->events);
	k->events = NULL;
}

const struct provider kprobe_provider = {
	.name = "kprobe",
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.setup = kprobe_setup,
	.ident = kprobe_ident,
	.attach = kprobe_attach,
	.detach = kprobe_detach,
};
