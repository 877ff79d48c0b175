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

/* edit distance: insert, delete, substitute, swap two neighbours */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, w = lb + 1, d;
	size_t *m = xcalloc((la + 1) * w, sizeof(*m));

	for (i = 0; i <= la; i++)
		m[i * w] = i;
	for (j = 0; j <= lb; j++)
		m[j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			d = min3(m[(i - 1) * w + j] + 1, m[i * w + j - 1] + 1,
				 m[(i - 1) * w + j - 1] +
				 (a[i - 1] != b[j - 1]));
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] &&
			    m[(i - 2) * w + j - 2] + 1 < d)
				d = m[(i - 2) * w + j - 2] + 1;
			m[i * w + j] = d;
		}
	d = m[la * w + lb];
	free(m);
	return d;
}

/* the closest name within a few edits (1 for short names, 2 up to 8
 * characters, a third of the length beyond); the first one on ties */
const char *nearest_name(const char *name, const char *const *names, int n)
{
	size_t len = strlen(name), best_d = (size_t)-1, d;
	size_t limit = len < 4 ? 1 : len <= 8 ? 2 : len / 3;
	const char *best = NULL;
	int i;

	for (i = 0; i < n; i++) {
		if (!names[i])
			continue;
		d = distance(name, names[i]);
		if (d <= limit && d < best_d) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}
