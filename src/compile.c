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
	s->map_entries = co && co->map_entries > 0 ? co->map_entries : 1024;
	s->ast = parse_script(src);
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
