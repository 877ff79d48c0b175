/*
 * util.c - allocation that cannot fail, and "did you mean" lookup.
 *
 * Every stage allocates through the x* wrappers: a compiler for a
 * short script has nothing sensible to do when memory runs out, so
 * they print "ply: out of memory" and abort.  Like chibicc, the front
 * end rarely frees what it allocates; the process is short-lived.
 *
 * nearest_name() serves the diagnostics of sema and the providers: an
 * unknown identifier or provider is reported together with the
 * closest known name (Levenshtein edit distance).
 */
#include <stdlib.h>
#include <string.h>

#include "ply.h"

static _Noreturn void oom(void)
{
	fputs("ply: out of memory\n", stderr);
	abort();
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xcalloc(1, n + 1);

	memcpy(d, s, strnlen(s, n));
	return d;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		oom();

	s = xcalloc(1, (size_t)len + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return s;
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* edit distance (insert, delete, substitute) with two rows */
static size_t levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d;
	size_t *prev = xcalloc(lb + 1, sizeof(*prev));
	size_t *cur = xcalloc(lb + 1, sizeof(*cur));
	size_t *tmp;

	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++)
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1,
				      prev[j - 1] + (a[i - 1] != b[j - 1]));
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	d = prev[lb];
	free(prev);
	free(cur);
	return d;
}

/* the closest name within max(1, len/3) edits; the first one on ties */
const char *nearest_name(const char *name, const char *const *names, int n)
{
	size_t limit = strlen(name) / 3, best_d = (size_t)-1, d;
	const char *best = NULL;
	int i;

	if (limit < 1)
		limit = 1;
	for (i = 0; i < n; i++) {
		if (!names[i])
			continue;
		d = levenshtein(name, names[i]);
		if (d <= limit && d < best_d) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}
