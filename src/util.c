/*
 * util.c - allocation, and "did you mean" lookup.
 *
 * Every stage allocates through the x* wrappers, and running out of
 * memory is handled here, one way: "ply: out of memory" and exit 1.
 * Like chibicc, the compiler rarely frees what it allocates (a script
 * is small and ply is short-lived), but every block remembers that it
 * came from here, so that a caller that compiles many scripts in one
 * process (the fuzzer) can release them all at once with
 * alloc_release_all().  The few tables kept for the life of the
 * process in static variables (kprobe.c's function list, tracefs.c's
 * mount point) come from perm_* instead, which alloc_release_all()
 * leaves alone.
 *
 * nearest_name() serves the diagnostics of sema and the providers: an
 * unknown identifier or provider is reported together with the
 * closest known name (Levenshtein edit distance).
 */
#include <stdlib.h>
#include <string.h>

#include "ply.h"

/* the header of every x* block: the list of live blocks, and room
 * enough that the block after it is aligned for anything */
union ahdr {
	struct {
		union ahdr *prev, *next;
	} l;
	long double ld;
	uint64_t u64;
};

static union ahdr live = { .l = { &live, &live } };

_Noreturn void oom(void)
{
	fputs("ply: out of memory\n", stderr);
	exit(1);
}

static void link_block(union ahdr *h)
{
	h->l.prev = &live;
	h->l.next = live.l.next;
	live.l.next->l.prev = h;
	live.l.next = h;
}

static void unlink_block(union ahdr *h)
{
	h->l.prev->l.next = h->l.next;
	h->l.next->l.prev = h->l.prev;
}

void *xcalloc(size_t n, size_t size)
{
	union ahdr *h;

	if (!n)
		n = 1;
	if (!size)
		size = 1;
	if (n > (SIZE_MAX - sizeof(*h)) / size)
		oom();
	h = calloc(1, sizeof(*h) + n * size);
	if (!h)
		oom();
	link_block(h);
	return h + 1;
}

void *xrealloc(void *p, size_t size)
{
	union ahdr *h;

	if (!p)
		return xcalloc(1, size);
	if (size > SIZE_MAX - sizeof(*h))
		oom();
	h = (union ahdr *)p - 1;
	unlink_block(h);
	h = realloc(h, sizeof(*h) + (size ? size : 1));
	if (!h)
		oom();
	link_block(h);
	return h + 1;
}

void xfree(void *p)
{
	union ahdr *h;

	if (!p)
		return;
	h = (union ahdr *)p - 1;
	unlink_block(h);
	free(h);
}

void alloc_release_all(void)
{
	union ahdr *h, *next;

	for (h = live.l.next; h != &live; h = next) {
		next = h->l.next;
		free(h);
	}
	live.l.prev = live.l.next = &live;
}

void *perm_realloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		oom();
	return p;
}

char *perm_strdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		oom();
	return d;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = xcalloc(1, len + 1);

	memcpy(d, s, len);
	return d;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;
	char *s;
	int len;

	va_copy(aq, ap);
	len = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (len < 0)
		oom();
	s = xcalloc(1, (size_t)len + 1);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
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
	size_t *m;

	if (la > 256 || lb > 256)	/* names, not essays */
		return (size_t)-1;
	m = xcalloc((la + 1) * w, sizeof(*m));
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
	xfree(m);
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

bool is_glob(const char *pat)
{
	return strpbrk(pat, "*?[") || str_find(pat, "!(");
}

/* the alternatives of "!(a|b)" starting at p: their end, or NULL */
static const char *extglob_end(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && !--depth)
			return p;
	}
	return NULL;
}

/* does s[0..n) match one of the '|'-separated patterns in [alt, end)? */
static bool match_alts(const char *alt, const char *end, const char *s,
		       size_t n)
{
	char *pat, *str, *tok, *save;
	bool m = false;

	pat = xstrndup(alt, end - alt);
	str = xstrndup(s, n);
	for (tok = strtok_r(pat, "|", &save); tok && !m;
	     tok = strtok_r(NULL, "|", &save))
		m = glob_match(tok, str);
	xfree(pat);
	xfree(str);
	return m;
}

/* [abc], [a-z], [!x] at p against c; the end of the class in *end */
static bool match_class(const char *p, char c, const char **end)
{
	bool neg = p[1] == '!' || p[1] == '^', m = false;
	const char *q = p + 1 + neg;

	for (; *q && (*q != ']' || q == p + 1 + neg); q++) {
		if (q[1] == '-' && q[2] && q[2] != ']') {
			m |= c >= q[0] && c <= q[2];
			q += 2;
		} else {
			m |= c == *q;
		}
	}
	*end = *q ? q + 1 : q;
	return m != neg;
}

bool glob_match(const char *p, const char *s)
{
	const char *end, *close;
	size_t i;

	for (; *p; p++, s++) {
		if (p[0] == '!' && p[1] == '(' && (close = extglob_end(p + 1))) {
			for (i = 0; i <= strlen(s); i++)
				if (!match_alts(p + 2, close, s, i) &&
				    glob_match(close + 1, s + i))
					return true;
			return false;
		}
		if (*p == '*') {
			for (i = 0; i <= strlen(s); i++)
				if (glob_match(p + 1, s + i))
					return true;
			return false;
		}
		if (!*s)
			return false;
		if (*p == '[') {
			if (!match_class(p, *s, &end))
				return false;
			p = end - 1;
		} else if (*p != '?' && *p != *s) {
			return false;
		}
	}
	return !*s;
}

/* ---------------------------------------------------------------- */
/* smaller than libc's: a static binary carries what it calls        */

/* qsort's contract (not stable), as a shell sort with Knuth's gaps
 * (1, 4, 13, 40 ...): a tenth of musl's smoothsort in code */
void sort(void *base, size_t n, size_t size,
	  int (*cmp)(const void *, const void *))
{
	unsigned char *b = base, *x, *y, t;
	size_t h = 1, i, j, k;

	while (h < n / 3)
		h = 3 * h + 1;
	for (; h; h /= 3)
		for (i = h; i < n; i++)
			for (j = i; j >= h; j -= h) {
				x = b + (j - h) * size;
				y = b + j * size;
				if (cmp(x, y) <= 0)
					break;
				for (k = 0; k < size; k++) {
					t = x[k];
					x[k] = y[k];
					y[k] = t;
				}
			}
}

/* strstr, byte by byte: the strings here are short */
char *str_find(const char *s, const char *sub)
{
	size_t n = strlen(sub);

	for (; *s; s++)
		if (!strncmp(s, sub, n))
			return (char *)s;
	return *sub ? NULL : (char *)s;
}

/* getopt_long's job, permuting as GNU's does (options may come after
 * the script): the next option, -1 at the end, '?' after a message */
int cli_next(struct cli *c, const char *shorts, const struct cli_opt *longs)
{
	const struct cli_opt *o;
	const char *a, *eq, *s;
	size_t n;

	c->arg = NULL;
	while (!c->next || !*c->next) {
		c->next = NULL;
		if (c->i >= c->argc)
			return -1;
		a = c->argv[c->i++];
		if (c->dashdash || a[0] != '-' || !a[1]) {
			c->rest[c->nrest++] = (char *)a;
			continue;
		}
		if (!strcmp(a, "--")) {
			c->dashdash = true;
			continue;
		}
		if (a[1] != '-') {
			c->next = a + 1;
			continue;
		}
		/* --name, --name=value, --name value */
		eq = strchr(a + 2, '=');
		n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (o = longs; o && o->name; o++)
			if (strlen(o->name) == n && !strncmp(o->name, a + 2, n))
				break;
		if (!o || !o->name) {
			err_msg("unknown option '%s'", a);
			return '?';
		}
		if (eq && !o->has_arg) {
			err_msg("option '--%s' takes no value", o->name);
			return '?';
		}
		c->arg = eq ? (char *)eq + 1 : NULL;
		if (!eq && o->has_arg == 1) {
			if (c->i >= c->argc) {
				err_msg("option '--%s' needs a value", o->name);
				return '?';
			}
			c->arg = c->argv[c->i++];
		}
		return o->val;
	}
	s = strchr(shorts, *c->next);
	if (*c->next == ':' || !s) {
		err_msg("unknown option '-%c'", *c->next);
		c->next = NULL;
		return '?';
	}
	c->next++;
	if (s[1] == ':') {		/* -cVALUE, -c VALUE */
		if (*c->next) {
			c->arg = (char *)c->next;
		} else if (c->i < c->argc) {
			c->arg = c->argv[c->i++];
		} else {
			err_msg("option '-%c' needs a value", *s);
			return '?';
		}
		c->next = NULL;
	}
	return *s;
}
