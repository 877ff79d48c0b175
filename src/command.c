/*
 * command.c - the -c command: started before the script is compiled
 * (so that $target is known), let go once every probe is attached,
 * watched until it ends, and never left behind.
 *
 * The command is forked and stops itself with SIGSTOP (rather than
 * waiting in read(), which a traced syscall would show) until run.c
 * lets it go with SIGCONT.  A plain "prog arg ..." is exec'd directly,
 * so that $target is the program's own pid, and a program that can't
 * be found is an error before anything is compiled or attached;
 * anything with shell syntax goes to sh -c.  ply is a child subreaper:
 * whatever the command starts and leaves behind becomes ply's, so
 * cmd_kill() can end all of it.  The command dies with ply even when
 * ply is killed (PR_SET_PDEATHSIG).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ply.h"
#include "run.h"

#ifndef PR_SET_CHILD_SUBREAPER
#define PR_SET_CHILD_SUBREAPER 36
#endif

/* a child of ply's: the signals ply blocks (main.c), unblocked */
static void cmd_signals_default(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* shell syntax, or VAR=value before the program: sh -c runs it */
static bool needs_shell(const char *cmd)
{
	size_t first = strcspn(cmd, " \t");

	return strpbrk(cmd, "|&;<>()$`\\\"'*?[]#~{}\n") ||
		memchr(cmd, '=', first);
}

/* cmd split at blanks, NULL-terminated */
static char **split(const char *cmd)
{
	char *copy = xstrdup(cmd), *tok, *save, **argv;
	int n = 0;

	argv = xcalloc(strlen(cmd) / 2 + 2, sizeof(*argv));
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save))
		argv[n++] = tok;
	return argv;
}

/* can prog be exec'd (as execvp finds it)?  0 and its path in *found,
 * or an errno */
static int findable(const char *prog, char **found)
{
	const char *path = getenv("PATH"), *p, *end;
	char buf[4096];
	struct stat st;
	int err = ENOENT;

	*found = (char *)prog;
	if (strchr(prog, '/'))
		return access(prog, X_OK) ? errno : 0;
	for (p = path ? path : "/bin:/usr/bin"; ; p = end + 1) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p),
			 end > p ? p : ".", prog);
		if (!stat(buf, &st) && S_ISREG(st.st_mode)) {
			if (!access(buf, X_OK)) {
				*found = xstrdup(buf);
				return 0;
			}
			err = EACCES;
		}
		if (!*end)
			return err;
	}
}

int cmd_start(struct run_opts *o)
{
	pid_t parent = getpid(), pid;
	char **argv = NULL, *prog = NULL;
	int st, err;

	if (!needs_shell(o->command)) {
		argv = split(o->command);
		if (!argv[0]) {
			err_msg("-c: no command");
			return -1;
		}
		if ((err = findable(argv[0], &prog))) {
			err_msg("-c: can't run '%s': %s", argv[0],
				strerror(err));
			return -1;
		}
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid = fork();
	if (pid < 0) {
		err_msg("fork: %s", strerror(errno));
		return -1;
	}
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		cmd_signals_default();
		raise(SIGSTOP);
		if (argv)
			execv(prog, argv);
		else
			execl("/bin/sh", "sh", "-c", o->command, (char *)NULL);
		fprintf(stderr, "ply: can't run '%s': %s\n", o->command,
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)) {
		err_msg("-c: the command did not start");
		return -1;
	}
	o->child = pid;
	return 0;
}

void cmd_release(struct run_opts *o)
{
	if (o->child > 0 && kill(o->child, SIGCONT))
		err_msg("can't start the command: %s", strerror(errno));
}

bool cmd_reap(struct run_opts *o)
{
	pid_t pid;
	int st;

	/* the command, and what it left behind (we are their reaper) */
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid != o->child)
			continue;
		o->child = 0;
		o->child_ended = true;
		o->child_status = WIFEXITED(st) ? WEXITSTATUS(st) :
			WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
	}
	return o->child_ended;
}

/* our children's pids (the command's leftovers), into pids[max] */
static int children(pid_t *pids, int max)
{
	char path[300], buf[512], *p;
	struct dirent *d;
	DIR *dp = opendir("/proc");
	FILE *fp;
	int n = 0;

	if (!dp)
		return 0;
	while (n < max && (d = readdir(dp))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		if (!(fp = fopen(path, "re")))
			continue;
		/* "pid (comm) state ppid ...": comm may hold anything */
		if (fgets(buf, sizeof(buf), fp) && (p = strrchr(buf, ')')) &&
		    atoi(p + 4) == (int)getpid())
			pids[n++] = atoi(d->d_name);
		fclose(fp);
	}
	closedir(dp);
	return n;
}

void cmd_kill(struct run_opts *o)
{
	pid_t pids[256];
	int n, i, round;

	if (o->child > 0) {
		kill(o->child, SIGKILL);
		waitpid(o->child, NULL, 0);
		o->child = 0;
	}
	if (!o->command)
		return;
	/* each killed one's children become ours: a few rounds */
	for (round = 0; round < 16 && (n = children(pids, 256)) > 0; round++)
		for (i = 0; i < n; i++) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
}

/* sh -c cmd with its stdout in a pipe (popen's job, without the 2 kB
 * of posix_spawn a static binary would carry); NULL on failure */
FILE *sh_open(const char *cmd, int *pid)
{
	int p[2];
	FILE *fp;

	if (pipe2(p, O_CLOEXEC))
		return NULL;
	*pid = fork();
	if (*pid < 0) {
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	if (!*pid) {
		cmd_signals_default();
		dup2(p[1], 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	fp = fdopen(p[0], "r");
	if (!fp)
		close(p[0]);
	return fp;
}

/* its exit status (-1 if unknown) once it has ended */
int sh_close(FILE *fp, int pid)
{
	int status;

	fclose(fp);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
