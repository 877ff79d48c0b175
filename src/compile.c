/*
 * compile.c - the compile stage's driver: source to loaded-ready BPF,
 * for a kernel that kernel.c described, without touching it.
 *
 * parse.c builds the tree (its first error ends the compile), sema.c
 * types it and collects the maps and actions, the maps every script
 * needs are added (the output channel this kernel has, the exit flag),
 * and codegen.c writes each probe's program.  Errors are reported as
 * they are found; the compile goes on as long as it can find more,
 * but no longer than diag.c's DIAG_MAX_ERRORS, and a fatal one (a
 * syntax error) comes back here through diag_jmp.  Each compile
 * starts with no errors, so -T can compile one script after another.
 */
#include <string.h>

#include "ply.h"

static struct map *map_new(const char *name, int max_entries)
{
	struct map *m = xcalloc(1, sizeof(*m));

	m->name = name;
	m->fd = -1;
	m->max_entries = max_entries;
	return m;
}

/* the maps that are the script's machinery rather than its own: the
 * output (a BPF ring buffer or a perf event array), what was lost
 * (records the ring buffer had no room for, updates each full map
 * dropped), and the flag exit() sets */
static void machinery_maps(struct script *s)
{
	s->outmap = map_new("stdout", 0);
	s->outmap->ktype = &ty_u32;
	s->outmap->vtype = &ty_u32;
	s->countmap = map_new("counts", 1);
	s->countmap->ktype = &ty_u32;
	s->countmap->vtype = type_array(&ty_u64, COUNT_DROPS + s->nmaps);
	if (!s->uses_exit)
		return;
	s->exitmap = map_new("exit", 1);
	s->exitmap->ktype = &ty_u32;
	s->exitmap->vtype = &ty_u32;
}

/* a setting's value: a number, or a word ("warn", "true") */
static bool config_value(const struct node *v, int64_t *num, const char **word)
{
	*word = NULL;
	if (v->kind == N_NUM) {
		*num = (int64_t)v->num;
		return true;
	}
	if (v->kind == N_STR || v->kind == N_IDENT) {
		*word = v->kind == N_STR ? v->str : v->name;
		return true;
	}
	return false;
}

static void config_num(const struct node *n, int64_t v, int64_t max,
		       int *to)
{
	if (v < 1 || v > max)
		diag_error(n->lhs->loc, "%s is 1 to %lld", n->name,
			   (long long)max);
	else
		*to = (int)v;
}

/* bpftrace's config = { name = value; ... }: what it sets here */
static void config(struct script *s, const struct node *n)
{
	static const char *const missing[] = { "error", "warn", "ignore" };
	const char *word;
	int64_t v = 0;
	int i;

	if (!config_value(n->lhs, &v, &word)) {
		diag_error(n->lhs->loc, "a setting is a number or a word");
		return;
	}
	if (word && strcmp(n->name, "missing_probes") &&
	    strcmp(n->name, "print_maps_on_exit")) {
		diag_error(n->lhs->loc, "%s is a number", n->name);
		return;
	}
	if (!strcmp(n->name, "max_map_keys")) {
		config_num(n, v, 1 << 20, &s->map_entries);
	} else if (!strcmp(n->name, "max_strlen") ||
		   !strcmp(n->name, "strlen")) {
		config_num(n, v, 200, &s->strlen);
	} else if (!strcmp(n->name, "perf_rb_pages")) {
		config_num(n, v, 4096, &s->cfg_pages);
	} else if (!strcmp(n->name, "max_probes")) {
		config_num(n, v, 1 << 20, &s->max_probes);
	} else if (!strcmp(n->name, "print_maps_on_exit")) {
		s->no_exit_maps = word ? !strcmp(word, "false") : !v;
	} else if (!strcmp(n->name, "missing_probes")) {
		for (i = 0; i < 3 && (!word || strcmp(word, missing[i])); i++)
			;
		if (i == 3)
			diag_error(n->lhs->loc, "missing_probes is error, warn "
				   "or ignore");
		else
			s->missing = i;
	} else {
		diag_error(n->loc, "the setting '%s' is not supported by ply "
			   "(yet)", n->name);
	}
}

struct script *compile_script(const struct src *src, const struct kernel *k,
			      const struct compile_opts *co)
{
	struct script *volatile s = NULL;
	jmp_buf *volatile outer = diag_jmp;
	struct probe *pb;
	jmp_buf jb;

	diag_reset(src);
	if (setjmp(jb)) {	/* a fatal error, or too many */
		diag_jmp = outer;
		return NULL;
	}
	diag_jmp = &jb;
	s = xcalloc(1, sizeof(*s));
	s->k = k;
	s->bt = src->bt;
	s->src = src;
	s->map_entries = co && co->map_entries > 0 ? co->map_entries : 1024;
	s->strlen = co && co->strlen > 0 ? co->strlen : src->bt ? 64 : 128;
	s->unsafe = co && co->unsafe;
	s->max_probes = co ? co->max_probes : 0;
	s->ast = parse_script(src);
	for (; s->ast && s->ast->kind == N_CONFIG; s->ast = s->ast->next)
		config(s, s->ast);
	if (!s->ast)
		diag_fatal((struct loc){ 1, 1, 0 }, "no probes in the script");
	if (!sema_script(s)) {
		machinery_maps(s);
		for (pb = s->probes; pb; pb = pb->next)
			codegen_probe(s, pb);
	}
	diag_jmp = outer;
	return diag_nerrors ? NULL : s;
}
