/*
 * list.c - -l [PATTERN]: the probes there are, one per line, as
 * provider:name ("tracepoint:sched:sched_switch", "kprobe:vfs_read"),
 * sorted; -lv adds a tracepoint's fields.  A pattern that starts with
 * a provider's name (or short name) lists that provider's probes whose
 * names match the rest (a glob); any other pattern is matched against
 * the whole "provider:name".  Each provider lists its own (its list
 * callback); this file only filters, sorts and prints.
 */
#include <stdlib.h>
#include <string.h>

#include "ply.h"
#include "run.h"

bool plist_want(const struct plist *l, const char *name)
{
	char *full;
	bool ok;

	full = xasprintf("%s:%s", l->prov->name, name);
	ok = glob_match(l->pattern, full);
	xfree(full);
	return ok;
}

void plist_add(struct plist *l, const char *name, char *detail)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->names = xrealloc(l->names, l->cap * sizeof(*l->names));
		l->details = xrealloc(l->details, l->cap * sizeof(*l->details));
	}
	l->names[l->n] = xasprintf("%s:%s", l->prov->name, name);
	l->details[l->n++] = detail;
}

static const struct plist *sort_list;

static int by_name(const void *a, const void *b)
{
	const struct plist *l = sort_list;
	int i = *(const int *)a, j = *(const int *)b;

	return strcmp(l->names[i], l->names[j]);
}

/* "tracepoint:sched:*" -> the tracepoint provider and "tracepoint:..."
 * as the pattern; "t:sched:*" too; else NULL, matched whole */
static const struct provider *pattern_provider(const char *pattern,
					       const char **rest)
{
	const char *colon = strchr(pattern, ':');
	const struct provider *p;

	*rest = pattern;
	if (!colon)
		return NULL;
	p = provider_find(pattern, colon - pattern);
	if (p)
		*rest = colon + 1;
	return p;
}

int list_probes(const struct kernel *k, const char *pattern, bool verbose,
		FILE *fp)
{
	struct plist l = { .verbose = verbose };
	const struct provider *only;
	const char *rest;
	int i, *order;

	only = pattern && *pattern ? pattern_provider(pattern, &rest) : NULL;
	for (i = 0; providers[i]; i++) {
		if (!providers[i]->list || (only && providers[i] != only))
			continue;
		/* kretprobe's are kprobe's: listed when asked by name */
		if (!only && providers[i] == &kretprobe_provider)
			continue;
		l.prov = providers[i];
		l.pattern = !pattern || !*pattern ? "*" : only ?
			xasprintf("%s:%s", l.prov->name, rest) : pattern;
		providers[i]->list(k, &l);
	}
	order = xcalloc(l.n + 1, sizeof(*order));
	for (i = 0; i < l.n; i++)
		order[i] = i;
	sort_list = &l;
	sort(order, l.n, sizeof(*order), by_name);
	for (i = 0; i < l.n; i++) {
		fprintf(fp, "%s\n", l.names[order[i]]);
		if (verbose && l.details[order[i]])
			fputs(l.details[order[i]], fp);
	}
	xfree(order);
	return fflush(fp) ? 1 : 0;
}
