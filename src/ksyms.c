/*
 * ksyms.c - kernel addresses to names, for `stack` and FMT_KSYM values.
 *
 * output.c calls ksym_name() while printing; the first call reads
 * /proc/kallsyms into one array of (address, name offset) pairs,
 * sorted by address, and one blob of names, so a lookup is a binary
 * search.  Only text symbols (t T w W) are kept.  Unlike ply we never
 * write a cache file: reading kallsyms takes a fraction of a second
 * and is only done when a script prints kernel addresses.
 *
 * Without CAP_SYSLOG every address in kallsyms reads as 0; then we
 * have no table and print addresses in hex.
 */
#include <stdlib.h>
#include <string.h>

#include "ply.h"

struct ksym {
	uint64_t addr;
	uint32_t name;		/* offset into names */
};

static struct ksym *syms;
static int nsyms;
static char *names;
static bool loaded;

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	/* aliases: keep kallsyms' order, so the result is stable */
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* append name to the blob; its offset */
static uint32_t add_name(const char *name, size_t *len, size_t *cap)
{
	size_t n = strlen(name) + 1;
	uint32_t off = *len;

	if (*len + n > *cap) {
		*cap = *cap ? 2 * *cap : 1 << 20;
		names = perm_realloc(names, *cap);
	}
	memcpy(names + *len, name, n);
	*len += n;
	return off;
}

/* "ffffffff81234560 T vfs_read\t[mod]": false if it isn't such a line */
bool ksym_parse(char *line, uint64_t *addr, char *type, char **name,
		char **mod)
{
	char *p;

	*addr = strtoull(line, &p, 16);
	if (*p++ != ' ' || !*p || p[1] != ' ')
		return false;
	*type = *p;
	*name = p + 2;
	p = *name + strcspn(*name, " \t\n");
	*mod = NULL;
	if (*p == ' ' || *p == '\t') {
		*p++ = '\0';
		p += strspn(p, " \t");
		if (*p == '[') {
			*mod = p + 1;
			p[strcspn(p, "]\n")] = '\0';
		}
	}
	*p = '\0';
	return **name != '\0';
}

static void ksyms_load(void)
{
	char line[512], type, *name, *mod;
	uint64_t addr;
	size_t len = 0, cap = 0;
	int scap = 0;
	FILE *fp = fopen("/proc/kallsyms", "re");

	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		if (!ksym_parse(line, &addr, &type, &name, &mod) ||
		    !addr || !strchr("tTwW", type))
			continue;
		if (nsyms == scap) {
			scap = scap ? 2 * scap : 1 << 14;
			syms = perm_realloc(syms, scap * sizeof(*syms));
		}
		syms[nsyms].addr = addr;
		syms[nsyms++].name = add_name(name, &len, &cap);
	}
	fclose(fp);
	sort(syms, nsyms, sizeof(*syms), ksym_cmp);
	dbg("%d kernel text symbols", nsyms);
}

/* the last symbol at or below addr, or NULL */
static const struct ksym *ksym_find(uint64_t addr)
{
	int lo = 0, hi = nsyms - 1, mid;

	if (!nsyms || addr < syms[0].addr)
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid - 1;
	}
	return &syms[lo];
}

/* addr as text: how 'n' "sym+off" ("sym" at off 0), 'o' "sym+off"
 * always (bpftrace's stacks), 'f' "sym" and "0" for 0 (its ksym()) */
static const char *ksym_text(uint64_t addr, char *buf, size_t size,
			     char how)
{
	const struct ksym *k;

	if (!loaded) {
		loaded = true;
		ksyms_load();
	}
	k = ksym_find(addr);
	if (how == 'f' && !addr)
		snprintf(buf, size, "0");
	else if (!k)
		snprintf(buf, size, "0x%llx", (unsigned long long)addr);
	else if (how == 'f' || (how == 'n' && addr == k->addr))
		snprintf(buf, size, "%s", names + k->name);
	else
		snprintf(buf, size, "%s+%llu", names + k->name,
			 (unsigned long long)(addr - k->addr));
	return buf;
}

const char *ksym_name(uint64_t addr, char *buf, size_t size)
{
	return ksym_text(addr, buf, size, 'n');
}

const char *ksym_func(uint64_t addr, char *buf, size_t size)
{
	return ksym_text(addr, buf, size, 'f');
}

const char *ksym_offset(uint64_t addr, char *buf, size_t size)
{
	return ksym_text(addr, buf, size, 'o');
}

/* kaddr("sym"): the address of any symbol, text or data, read from
 * kallsyms when asked (once per script); 0 if none */
uint64_t ksym_addr(const char *sym)
{
	char line[512], type, *name, *mod;
	uint64_t addr, found = 0;
	FILE *fp = fopen("/proc/kallsyms", "re");

	if (!fp)
		return 0;
	while (!found && fgets(line, sizeof(line), fp))
		if (ksym_parse(line, &addr, &type, &name, &mod) && !mod &&
		    !strcmp(name, sym))
			found = addr;
	fclose(fp);
	return found;
}
