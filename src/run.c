/*
 * run.c - from BPF programs to text: maps created, programs loaded and
 * attached, records turned into output, and everything torn down.
 *
 * Order of a run: maps, programs, output buffers, BEGIN runs, then the
 * probes are attached and the -c command is let go.  The loop waits
 * in poll() on the output buffers and a signalfd (SIGINT, SIGTERM,
 * SIGHUP, SIGCHLD) and never busy-waits; it takes at most DRAIN_BUDGET
 * records between two looks at the signals, so that Ctrl-C or the
 * command's end is seen at once whatever the event rate.  It ends on
 * exit(), on the command's end, on a signal, on lost records (unless
 * -k), or when stdout's reader has gone.  Then END runs, the buffers
 * are drained, every map is printed, what was lost is said (records,
 * updates a full map dropped, output that could not be written), and
 * every probe detached.  A failure on the way undoes what was done, so
 * nothing is left attached.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ply.h"
#include "run.h"

#define STACK_DEPTH 32
#define DRAIN_BUDGET 4096	/* records between two looks at signals */

struct run {
	struct script *s;
	struct run_opts *o;
	struct ring *ring;
	struct action **acts;	/* by id */
	bool done;
	bool exited;		/* exit() ran: its code */
	int exit_code;
	uint64_t lost;		/* records the output buffers had no room for */
	uint64_t write_fails;	/* times the output could not be written */
	int write_err;		/* why, the last time */
};

static struct script *stack_script;	/* for out_stack_frames */

/* ---------------------------------------------------------------- */
/* maps and programs                                                */

static const char *hint(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		return "; ply needs root (CAP_BPF, CAP_PERFMON and "
			"CAP_SYS_ADMIN on older kernels)";
	case ENOSYS:
		return "; the kernel lacks CONFIG_BPF_SYSCALL";
	case ENOMEM:
		return "; out of memory or of locked memory (ulimit -l)? "
			"-B makes the output buffers smaller";
	default:
		return "";
	}
}

static int map_create(struct map *m, enum bpf_map_type type, int ksize,
		      int vsize)
{
	int fd = bpf_map_create(m, type, ksize, vsize, m->max_entries);

	if (fd < 0) {
		err_msg("can't create map '%s': %s%s", m->name,
			strerror(-fd), hint(-fd));
		return -1;
	}
	m->fd = fd;
	return 0;
}

static int create_maps(struct script *s)
{
	struct map *m;

	for (m = s->maps; m; m = m->next) {
		if (map_create(m, m->type, m->ktype->size, m->vtype->size))
			return -1;
		if (m->hot && map_create(m->hot, m->hot->type, 4,
					 m->hot->vtype->size))
			return -1;
	}
	if (s->stackmap && map_create(s->stackmap, BPF_MAP_TYPE_STACK_TRACE,
				      4, STACK_DEPTH * 8))
		return -1;
	if (s->zeromap && map_create(s->zeromap, BPF_MAP_TYPE_ARRAY, 4,
				     s->zeromap->vtype->size))
		return -1;
	if (s->exitmap && map_create(s->exitmap, BPF_MAP_TYPE_ARRAY, 4, 4))
		return -1;
	if (s->globalmap && map_create(s->globalmap, BPF_MAP_TYPE_ARRAY, 4,
				       s->globalmap->vtype->size))
		return -1;
	if (s->scratchmap && map_create(s->scratchmap,
					BPF_MAP_TYPE_PERCPU_ARRAY, 4,
					s->scratchmap->vtype->size))
		return -1;
	if (map_create(s->countmap, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
		       s->countmap->vtype->size))
		return -1;
	if (ring_map_create(s) < 0) {
		err_msg("can't create the output map: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int load_probe(struct probe *pb, bool debug)
{
	size_t logsz = debug ? 16 << 20 : 0;
	char *log = logsz ? xcalloc(1, logsz) : NULL;
	int fd, i, funcs[16];

	if (log)
		log[0] = '\0';
	asm_relocate(pb->prog);
	for (i = 0; i < pb->prog->nfuncs; i++)	/* where subprograms start */
		funcs[i] = pb->prog->label[pb->prog->func_label[i]];
	fd = bpf_prog_load_funcs(pb->prov->prog_type, pb->attach_type,
				 pb->prog->insn, pb->prog->len, funcs,
				 pb->prog->nfuncs, log, logsz);
	if (fd < 0) {
		err_msg("the kernel refused the program for '%s': %s%s",
			pb->spec, strerror(-fd), hint(-fd));
		if (log && log[0])
			fprintf(stderr, "ply: the verifier's log:\n%s\n", log);
		else if (-fd == EINVAL || -fd == EACCES)
			fprintf(stderr, "ply: run with -d to see the "
				"verifier's log\n");
	}
	xfree(log);
	pb->prog_fd = fd;
	return fd < 0 ? -1 : 0;
}

static void run_once(struct script *s, enum prov_when when);

/* every program loaded, BEGIN run, then the probes attached: BEGIN
 * comes before any event (as bpftrace's and iovisor/ply's do) */
static int attach_all(struct script *s)
{
	struct probe *pb;

	for (pb = s->probes; pb; pb = pb->next)
		if (load_probe(pb, debug_on))
			return -1;
	run_once(s, PROV_BEGIN);
	for (pb = s->probes; pb; pb = pb->next) {
		if (pb->prov->attach && pb->prov->attach(pb))
			return -1;
		dbg("attached %s", pb->spec);
	}
	return 0;
}

static void detach_all(struct script *s)
{
	struct probe *pb;

	for (pb = s->probes; pb; pb = pb->next) {
		if (pb->prov->detach)
			pb->prov->detach(pb);
		if (pb->prog_fd >= 0)
			close(pb->prog_fd);
		pb->prog_fd = -1;
	}
}

/* the programs of BEGIN or END, once */
static void run_once(struct script *s, enum prov_when when)
{
	struct probe *pb;
	int err;

	for (pb = s->probes; pb; pb = pb->next) {
		if (pb->prov->when != when || pb->prog_fd < 0)
			continue;
		err = bpf_prog_test_run(pb->prog_fd);
		if (err)
			err_msg("can't run %s: %s (it needs Linux 5.10 and "
				"CONFIG_NET)", pb->prov->name, strerror(-err));
	}
}

/* ---------------------------------------------------------------- */
/* records                                                          */

static void on_record(void *arg, const void *rec, int size)
{
	struct run *r = arg;
	const char *data = (const char *)rec + 8;
	struct action *a;
	uint64_t id;

	if (size < 8 || r->done)
		return;
	memcpy(&id, rec, 8);
	if (id >= (uint64_t)r->s->nactions)
		return;
	a = r->acts[id];
	switch (a->kind) {
	case ACT_EXIT:
		memcpy(&id, data, 8);
		if ((int64_t)id < 0 || id > 255) {
			warn_msg("exit(%lld): an exit status is 0 to 255; "
				 "exiting with 255", (long long)(int64_t)id);
			id = 255;
		}
		r->exit_code = (int)id;
		r->exited = r->done = true;
		break;
	case ACT_CLEAR:
		out_map_clear(a->map);
		break;
	case ACT_ZERO:
		out_map_zero(a->map);
		break;
	case ACT_PRINTMAP:
		out_map(stdout, a->map, a->top, a->div);
		break;
	default:
		out_record(stdout, a, data);
		break;
	}
}

/* a failed write to stdout: counted, and said at exit; its reader
 * gone (EPIPE: ply ... | head) ends the run */
static void check_output(struct run *r)
{
	int err = errno;

	if (!ferror(stdout))
		return;
	clearerr(stdout);
	if (err == EPIPE) {
		r->done = true;
		return;
	}
	r->write_fails++;
	r->write_err = err ? err : EIO;
}

/* a round of records: at most DRAIN_BUDGET; true if more may wait */
static bool drain(struct run *r)
{
	int budget = DRAIN_BUDGET;
	uint64_t lost = ring_drain(r->ring, on_record, r, &budget);

	check_output(r);
	if (lost) {
		r->lost += lost;
		if (out_style != STYLE_PLY)
			out_lost(stdout, lost);
		else if (r->o->keep_going)
			warn_msg("lost %llu events",
				 (unsigned long long)lost);
		if (!r->o->keep_going)
			r->done = true;
	}
	return budget == 0;
}

static int stack_frames(uint32_t id, uint64_t *ips, int max)
{
	uint64_t frames[STACK_DEPTH] = { 0 };
	int n;

	if (!stack_script || !stack_script->stackmap ||
	    bpf_map_lookup(stack_script->stackmap->fd, &id, frames))
		return -ENOENT;
	for (n = 0; n < STACK_DEPTH && n < max && frames[n]; n++)
		ips[n] = frames[n];
	return n;
}

/* ---------------------------------------------------------------- */
/* the loop                                                         */

/* SIGINT, SIGTERM, SIGHUP and SIGCHLD come through a signalfd; main
 * blocked them first thing (signals_hold), so one sent while ply
 * starts waits for the loop */
static int signals_block(sigset_t *set)
{
	signals_hold(set);
	return signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* An ignored signal is dropped, and a shell starts `ply ... &` with
 * SIGINT ignored (POSIX's rule for asynchronous lists): back to the
 * defaults, and blocked, so that kill -INT at any moment after this
 * ends such a ply too, cleanly */
void signals_hold(sigset_t *set)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
	size_t i;

	sigemptyset(set);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(set, sigs[i]);
	sigprocmask(SIG_BLOCK, set, NULL);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], SIG_DFL);
}

static void on_signal(struct run *r, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGCHLD)
			r->done = true;
		else if (cmd_reap(r->o))
			r->done = true;
	}
}

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434	/* the same number on every arch */
#endif

/* bpftrace's -p PID: a pidfd (5.3) that polls readable when PID ends;
 * -1 where the kernel has none (then the run ends as any other) */
static int watch_fd(pid_t pid)
{
	int fd = pid > 0 ? (int)syscall(__NR_pidfd_open, pid, 0) : -1;

	if (pid > 0 && fd < 0)
		dbg("-p %d: no pidfd (%s): the run does not end with it",
		    (int)pid, strerror(errno));
	return fd;
}

static void loop(struct run *r, int sfd)
{
	struct pollfd pfd[1025];
	bool more = false;
	int *fds, n, i, np;

	n = ring_fds(r->ring, &fds);
	if (n > 1023)
		n = 1023;
	for (i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	pfd[n] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[n + 1] = (struct pollfd){ .fd = watch_fd(r->o->watch),
				      .events = POLLIN };
	np = n + 1 + (pfd[n + 1].fd >= 0);
	while (!r->done) {
		/* records left from the last round: just a look */
		if (poll(pfd, np, more ? 0 : -1) < 0 && errno != EINTR)
			break;
		if (pfd[n].revents)
			on_signal(r, sfd);
		if (np > n + 1 && pfd[n + 1].revents)
			r->done = true;		/* -p's process ended */
		if (!r->done)
			more = drain(r);
	}
	if (np > n + 1)
		close(pfd[n + 1].fd);
}

/* the updates each full map dropped (cg_map.c counts them) */
static uint64_t report_drops(struct script *s)
{
	uint64_t n, total = 0;
	struct map *m;

	for (m = s->maps; m; m = m->next) {
		n = count_get(s, COUNT_DROPS + m->index);
		if (!n)
			continue;
		warn_msg("map '%s' was full (%d entries): %llu updates were "
			 "dropped; -M sets the entries", m->name,
			 m->max_entries, (unsigned long long)n);
		total += n;
	}
	return total;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp((*(struct map *const *)a)->name,
		      (*(struct map *const *)b)->name);
}

/* bpftrace prints its maps in the order of their names */
static void maps_by_name(struct script *s)
{
	struct map **v = xcalloc(s->nmaps + 1, sizeof(*v)), *m;
	int n = 0, i;

	for (m = s->maps; m; m = m->next)
		v[n++] = m;
	sort(v, n, sizeof(*v), name_cmp);
	for (i = 0; i < n; i++)
		out_map(stdout, v[i], 0, 0);
	xfree(v);
}

/* END, the last records, the maps, and what was lost; the status */
static int finish(struct run *r)
{
	bool lossy = false;
	struct map *m;

	r->done = false;	/* let END's output through */
	run_once(r->s, PROV_END);
	while (drain(r))
		;
	r->done = true;
	if (out_style == STYLE_BT)	/* bpftrace's two newlines */
		fputs("\n\n", stdout);
	for (m = r->s->maps; m; m = m->next)
		if (out_style == STYLE_PLY)
			out_map(stdout, m, 0, 0);
	if (out_style != STYLE_PLY)
		maps_by_name(r->s);
	if (fflush(stdout))
		check_output(r);
	if (r->lost) {
		lossy = true;
		if (!r->o->keep_going)
			err_msg("lost %llu events: the output buffers were "
				"full; print less, use a bigger -B, or -k to "
				"keep going", (unsigned long long)r->lost);
	}
	if (r->write_fails) {
		lossy = true;
		warn_msg("the output could not be written (%s), %llu time%s: "
			 "some of it is missing", strerror(r->write_err),
			 (unsigned long long)r->write_fails,
			 r->write_fails == 1 ? "" : "s");
	}
	lossy |= report_drops(r->s) > 0;
	if (lossy && !r->o->keep_going)
		return 1;
	if (r->exited)
		return r->exit_code;
	return r->o->child_ended ? r->o->child_status : 0;
}

/* what the programs read from user space: the start (elapsed) and
 * the -c command's pid (cpid) */
static void set_globals(struct script *s, const struct run_opts *o)
{
	uint64_t g[GLOBAL_NSLOTS] = { 0 };
	struct timespec ts;
	uint32_t zero = 0;

	if (!s->globalmap)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	g[GLOBAL_START] = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	g[GLOBAL_CPID] = o->child > 0 ? (uint64_t)o->child : 0;
	bpf_map_update(s->globalmap->fd, &zero, g, BPF_ANY);
}

/* what bpftrace counts as probes: every function of a glob, BEGIN and
 * END once each */
static int attach_points(const struct script *s)
{
	const struct probe *pb;
	int n = 0;

	for (pb = s->probes; pb; pb = pb->next)
		n += pb->points > 0 ? pb->points : 1;
	return n;
}

/* -T: load and attach, then take it all down again */
int run_try_attach(struct script *s)
{
	int err = create_maps(s) || attach_all(s);

	detach_all(s);
	return err ? -1 : 0;
}

/* close every fd from `from` on but `keep` (close_range: Linux 5.9) */
static void close_from(int from, int keep)
{
	struct rlimit rl;
	int fd, max = getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur > 65536 ?
		65536 : (int)rl.rlim_cur;

#ifdef __NR_close_range
	if ((keep <= from || syscall(__NR_close_range, from, keep - 1, 0) == 0) &&
	    syscall(__NR_close_range, keep < from ? from : keep + 1, ~0U, 0) == 0)
		return;
#endif
	for (fd = from; fd < max && fd < 65536; fd++)
		if (fd != keep)
			close(fd);
}

/*
 * Closing a perf event that has a BPF program waits for an RCU grace
 * period: 80 ms here, most of a short run.  A child inherits the fds
 * and closes them while ply exits.  Whoever drops a file's last
 * reference pays, so ply first drops all of its own (the child's keep
 * the files open, so that costs nothing) and only then, told by the
 * pipe's end, does the child close its.  The child lets go of stdio
 * too, so a pipe reading ply's output ends when ply does.  Killed ply:
 * the kernel closes all.
 */
static void detach_in_background(struct script *s)
{
	int p[2], fd;
	char c;

	fflush(stdout);
	fflush(stderr);
	if (pipe(p))
		return;		/* exit closes them */
	switch (fork()) {
	case -1:
		close(p[0]);
		close(p[1]);
		return;
	case 0:
		break;
	default:
		close_from(3, p[1]);
		close(p[1]);	/* now the child's are the last */
		return;
	}
	close(p[1]);
	while (read(p[0], &c, 1) < 0 && errno == EINTR)
		;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	setsid();
	detach_all(s);
	_exit(0);
}

int run_script(struct script *s, struct run_opts *o)
{
	struct run r = { .s = s, .o = o };
	struct action *a;
	sigset_t set;
	int sfd, status;

	r.acts = xcalloc(s->nactions + 1, sizeof(*r.acts));
	for (a = s->actions; a; a = a->next)
		r.acts[a->id] = a;
	stack_script = s;
	out_stack_frames = stack_frames;
	out_init();
	sfd = signals_block(&set);
	signal(SIGPIPE, SIG_IGN);	/* EPIPE instead: check_output */
	/* the output buffers' size: a script that never sends a record
	 * (only aggregations, printed at exit) needs the smallest */
	s->ring_pages = s->nactions ? o->pages : 1;
	if (create_maps(s))
		goto fail;
	r.ring = ring_open(s, s->ring_pages);
	if (!r.ring) {
		err_msg("can't make the output buffers (%d pages per CPU): "
			"%s%s", s->ring_pages, strerror(errno), hint(errno));
		goto fail;
	}
	set_globals(s, o);
	if (o->attaching)
		out_attaching(attach_points(s));
	if (attach_all(s))
		goto fail;
	cmd_release(o);
	loop(&r, sfd);
	status = finish(&r);
	cmd_kill(o);
	detach_in_background(s);
	return status;
fail:
	detach_all(s);
	cmd_kill(o);
	return 1;
}
