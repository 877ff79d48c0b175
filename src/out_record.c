/*
 * out_record.c - what the programs' records become on stdout: print()
 * and printf() lines, time(), join(), cat() and system() output, in
 * ply's or bpftrace's text or as bpftrace's JSON objects (one per
 * line: {"type": "printf", "data": "..."}).  run.c hands each record
 * here with its action; maps are out_map.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* {"type": "T", "data": "text"} */
static void json_record(FILE *fp, const char *type, const char *s,
			size_t len)
{
	fprintf(fp, "{\"type\": \"%s\", \"data\": ", type);
	json_str(fp, s, len);
	fputs("}\n", fp);
}

/* text made by a printer, to fp as it is or as a JSON record */
struct text {
	FILE *mem;
	char *buf;
	size_t len;
};

static FILE *text_open(FILE *fp, struct text *t)
{
	if (out_style != STYLE_JSON)
		return fp;
	t->buf = NULL;
	t->len = 0;
	t->mem = open_memstream(&t->buf, &t->len);
	if (!t->mem)
		oom();
	return t->mem;
}

static void text_close(FILE *fp, struct text *t, const char *type)
{
	if (out_style != STYLE_JSON)
		return;
	fclose(t->mem);
	json_record(fp, type, t->buf, t->len);
	free(t->buf);
}

/* print(a, b): the values on a line, ", " between them */
static void rec_print(FILE *fp, const struct type *args, const char *data)
{
	int i;

	if (out_style == STYLE_JSON) {
		for (i = 0; i < args->nfields; i++) {
			fputs("{\"type\": \"value\", \"data\": ", fp);
			out_value(fp, args->fields[i].type,
				  data + args->fields[i].off);
			fputs("}\n", fp);
		}
		return;
	}
	for (i = 0; i < args->nfields; i++) {
		if (i)
			fputs(", ", fp);
		out_value(fp, args->fields[i].type,
			  data + args->fields[i].off);
	}
	fputc('\n', fp);
}

/* join(): up to the first empty string, sep between */
static void rec_join(FILE *fp, const char *sep, const char *data)
{
	struct text t;
	FILE *out = text_open(fp, &t);
	const char *s;
	int i;

	for (i = 0; i < JOIN_MAX; i++) {
		s = data + i * JOIN_LEN;
		if (!*s)
			break;
		if (i)
			fputs(sep, out);
		fwrite(s, 1, strnlen(s, JOIN_LEN), out);
	}
	if (out_style != STYLE_JSON)
		fputc('\n', out);
	text_close(fp, &t, "join");
}

/* printf's text, for cat() and system() */
static char *formatted(const struct action *a, const char *data)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	if (!mem)
		oom();
	out_printf(mem, a->fmt, a->args, data);
	fclose(mem);
	return buf;
}

/* copy what in holds to out */
static void copy(FILE *out, FILE *in)
{
	char buf[4096];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
}

/* cat(fmt, ...): the file's contents */
static void rec_cat(FILE *fp, const struct action *a, const char *data)
{
	char *name = formatted(a, data);
	FILE *in = fopen(name, "re");
	struct text t;
	FILE *out;

	if (!in) {
		err_msg("cat: can't open '%s': %s", name, strerror(errno));
		free(name);
		return;
	}
	out = text_open(fp, &t);
	copy(out, in);
	fclose(in);
	text_close(fp, &t, "cat");
	free(name);
}

/* system(fmt, ...): sh -c, its output copied (--unsafe) */
static void rec_system(FILE *fp, const struct action *a, const char *data)
{
	char *cmd = formatted(a, data);
	struct text t;
	FILE *out, *in;
	int pid;

	fflush(fp);
	in = sh_open(cmd, &pid);
	if (!in) {
		err_msg("system: can't run '%s': %s", cmd, strerror(errno));
		free(cmd);
		return;
	}
	out = text_open(fp, &t);
	copy(out, in);
	sh_close(in, pid);
	text_close(fp, &t, "syscall");
	free(cmd);
}

void out_record(FILE *fp, const struct action *a, const void *data)
{
	struct text t;
	char buf[256];
	FILE *out;

	switch (a->kind) {
	case ACT_PRINT:
		rec_print(fp, a->args, data);
		break;
	case ACT_PRINTF:
		out = text_open(fp, &t);
		out_printf(out, a->fmt, a->args, data);
		text_close(fp, &t, "printf");
		break;
	case ACT_TIME:
		text_now(a->fmt, buf, sizeof(buf));
		if (out_style == STYLE_JSON)
			json_record(fp, "time", buf, strlen(buf));
		else
			fputs(buf, fp);
		break;
	case ACT_JOIN:
		rec_join(fp, a->fmt, data);
		break;
	case ACT_CAT:
		rec_cat(fp, a, data);
		break;
	case ACT_SYSTEM:
		rec_system(fp, a, data);
		break;
	default:	/* run.c's: exit, clear, zero, print(@m) */
		break;
	}
}

void out_attaching(int n)
{
	if (out_style == STYLE_JSON)
		printf("{\"type\": \"attached_probes\", \"data\": "
		       "{\"probes\": %d}}\n", n);
	else
		fprintf(stderr, "Attaching %d probe%s...\n", n,
			n == 1 ? "" : "s");
}

void out_lost(FILE *fp, uint64_t n)
{
	if (out_style == STYLE_JSON)
		fprintf(fp, "{\"type\": \"lost_events\", \"data\": "
			"{\"events\": %llu}}\n", (unsigned long long)n);
	else
		fprintf(fp, "Lost %llu events\n", (unsigned long long)n);
}
