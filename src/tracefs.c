/*
 * tracefs.c - finding tracefs and reading tracepoint formats.
 *
 * kernel.c finds tracefs (and mounts it, for a real run) before
 * compiling.  The tracepoint provider (provider/tracepoint.c) turns
 * events/SYS/EVENT/format into the type of `data` during sema, and
 * attaches by the event's ID.  A format file lists each field of the
 * raw record with its C declaration, offset, size and signedness:
 *
 *   field:char prev_comm[16];  offset:8;  size:16;  signed:0;
 *
 * We trust the offset and size columns, not the declaration: padding
 * and macros in declarations (ply#46, #75) do not matter then.  The
 * common_ fields are kept, so data->common_pid is addressable.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "ply.h"

static bool denied;	/* a tracefs we may not look into: not root */

static bool has_events(const char *dir)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/events", dir);
	if (access(path, F_OK) == 0)
		return true;
	denied |= errno == EACCES || errno == EPERM;
	return false;
}

/* the 2nd and 3rd fields of a /proc/mounts line */
static bool mount_fields(const char *line, char *dir, size_t dsz,
			 char *type, size_t tsz)
{
	const char *p = line + strcspn(line, " ");
	size_t n;

	p += strspn(p, " ");
	n = strcspn(p, " ");
	if (!n || n >= dsz)
		return false;
	memcpy(dir, p, n);
	dir[n] = '\0';
	p += n + strspn(p + n, " ");
	n = strcspn(p, " \n");
	if (!n || n >= tsz)
		return false;
	memcpy(type, p, n);
	type[n] = '\0';
	return true;
}

/* the mount point of a tracefs from /proc/mounts, or NULL */
static char *mounted_tracefs(void)
{
	char line[512], dir[256], fstype[64];
	char *found = NULL;
	FILE *fp = fopen("/proc/mounts", "re");

	if (!fp)
		return NULL;
	while (!found && fgets(line, sizeof(line), fp)) {
		if (mount_fields(line, dir, sizeof(dir), fstype,
				 sizeof(fstype)) &&
		    !strcmp(fstype, "tracefs") && has_events(dir))
			found = perm_strdup(dir);
	}
	fclose(fp);
	return found;
}

/* mount as ply's users would by hand */
static const char *mount_tracefs(const char *const known[2])
{
	if (!mount("nodev", known[0], "tracefs", 0, NULL) &&
	    has_events(known[0]))
		return known[0];
	if (!mount("nodev", "/sys/kernel/debug", "debugfs", 0, NULL) &&
	    has_events(known[1]))
		return known[1];
	return NULL;
}

const char *tracefs_lookup(bool may_mount)
{
	static const char *const known[2] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	static const char *path;
	static bool mount_tried;

	if (!path && has_events(known[0]))
		path = known[0];
	if (!path && has_events(known[1]))
		path = known[1];
	if (!path)
		path = mounted_tracefs();
	if (!path && may_mount && !mount_tried) {
		mount_tried = true;
		path = mount_tracefs(known);
	}
	if (!path)
		errno = denied ? EACCES : ENODEV;
	return path;
}

/* the name of a declaration: its last identifier, after dropping an
 * array suffix ("char comm[16]", but "__data_loc char[] name") */
static char *decl_name(const char *decl)
{
	const char *end = decl + strlen(decl);
	const char *start;

	while (end > decl && end[-1] == ' ')
		end--;
	if (end > decl && end[-1] == ']')
		while (end > decl && *--end != '[')
			;
	while (end > decl && end[-1] == ' ')
		end--;
	start = end;
	while (start > decl && (start[-1] == '_' ||
				isalnum((unsigned char)start[-1])))
		start--;
	return xstrndup(start, end - start);
}

/* an integer of size bytes, or bytes when no integer is that big */
static struct type *int_or_bytes(int size, bool sign)
{
	if (size == 1 || size == 2 || size == 4 || size == 8)
		return type_int(size, sign);
	return type_array(&ty_u8, size);
}

/* a pointer type, sized as the tracepoint has it (4 on 32-bit) */
static struct type *ptr_type(const char *decl, int size)
{
	struct type *t, *c;

	t = type_ptr(str_find(decl, "char") ? &ty_char : &ty_void, false, false);
	if (str_find(decl, "struct ")) {	/* what it points to, said */
		t->name = xstrndup(decl, strrchr(decl, '*') + 1 - decl);
		if (!strncmp(t->name, "const ", 6))
			t->name += 6;
	}
	if (t->size == size)
		return t;
	c = type_new(TY_PTR);
	*c = *t;
	c->size = c->align = size;
	return c;
}

/* the type of one field, from its declaration and columns */
static struct type *field_type(const char *decl, int size, bool sign)
{
	const char *br = strchr(decl, '[');
	int n, elem;

	if (!strncmp(decl, "__data_loc ", 11) ||
	    !strncmp(decl, "__rel_loc ", 10))
		return type_with_fmt(int_or_bytes(size, false), FMT_DYN);
	if (br) {
		/* char name[N] prints as a string; the size column is
		 * right even when N is a macro */
		if (!strncmp(decl, "char ", 5) ||
		    !strncmp(decl, "const char ", 11))
			return type_array(&ty_char, size);
		n = atoi(br + 1);
		elem = n > 0 ? size / n : 0;
		if (!elem || size % n || (elem & (elem - 1)) || elem > 8)
			return type_array(&ty_u8, size);
		return type_array(type_int(elem, sign), n);
	}
	if (strchr(decl, '*'))
		return ptr_type(decl, size);
	return int_or_bytes(size, sign);
}

/* the number after "name" in s */
static bool column(const char *s, const char *name, int *v)
{
	const char *p = str_find(s, name);

	if (!p)
		return false;
	*v = strtol(p + strlen(name), NULL, 10);
	return true;
}

/* "\tfield:DECL;\toffset:N;\tsize:N;\tsigned:N;" into f; kernels
 * before 2.6.31 have no signed column */
static bool parse_field(char *line, struct field *f)
{
	char *decl = line + 7, *semi;
	int off, size, sign = 0;

	if (strncmp(line, "\tfield:", 7))
		return false;
	semi = strchr(decl, ';');
	if (!semi || !column(semi, "offset:", &off) ||
	    !column(semi, "size:", &size) || size <= 0)
		return false;
	column(semi, "signed:", &sign);
	*semi = '\0';
	f->name = decl_name(decl);
	f->off = off;
	f->type = field_type(decl, size, sign);
	return f->name[0] != '\0';
}

static struct type *parse_format(FILE *fp, const char *event, int *id)
{
	struct field *f = NULL;
	int n = 0, cap = 0;
	char line[1024];

	*id = -1;
	while (fgets(line, sizeof(line), fp)) {
		if (!strncmp(line, "ID: ", 4)) {
			*id = atoi(line + 4);
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			f = xrealloc(f, cap * sizeof(*f));
		}
		if (parse_field(line, &f[n]))
			n++;
	}
	if (*id < 0 || !n) {
		errno = EINVAL;
		return NULL;
	}
	return type_struct(xasprintf("struct %s", event), f, n);
}

struct type *tracefs_format(const char *root, const char *sys,
			    const char *event, int *id)
{
	struct type *t;
	char *path;
	FILE *fp;
	int err;

	if (!root) {
		errno = ENODEV;
		return NULL;
	}
	if (strchr(sys, '/') || strchr(event, '/') || !strcmp(sys, "..") ||
	    !strcmp(event, "..")) {
		errno = ENOENT;
		return NULL;
	}
	path = xasprintf("%s/events/%s/%s/format", root, sys, event);
	fp = fopen(path, "re");
	err = errno;
	xfree(path);
	if (!fp) {
		errno = err;
		return NULL;
	}
	t = parse_format(fp, event, id);
	err = errno;
	fclose(fp);
	errno = err;
	return t;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the subdirectories of path, but the dot ones; count, into *out */
static int subdirs(const char *path, char ***out)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **v = NULL;
	int n = 0;

	*out = NULL;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || (e->d_type != DT_DIR &&
					    e->d_type != DT_UNKNOWN))
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	*out = v;
	return n;
}

int tracefs_events(const char *root, char ***out)
{
	char **sys, **ev, *path, **v = NULL;
	int nsys, nev, n = 0, i, j;

	*out = NULL;
	if (!root)
		return 0;
	path = xasprintf("%s/events", root);
	nsys = subdirs(path, &sys);
	xfree(path);
	for (i = 0; i < nsys; i++) {
		/* ftrace's own events take no BPF programs */
		if (!strcmp(sys[i], "ftrace")) {
			xfree(sys[i]);
			continue;
		}
		path = xasprintf("%s/events/%s", root, sys[i]);
		nev = subdirs(path, &ev);
		xfree(path);
		for (j = 0; j < nev; j++) {
			/* an event without an id is not a tracepoint */
			path = xasprintf("%s/events/%s/%s/id", root, sys[i],
					 ev[j]);
			if (!access(path, F_OK)) {
				v = xrealloc(v, (n + 1) * sizeof(*v));
				v[n++] = xasprintf("%s:%s", sys[i], ev[j]);
			}
			xfree(path);
			xfree(ev[j]);
		}
		xfree(ev);
		xfree(sys[i]);
	}
	xfree(sys);
	sort(v, n, sizeof(*v), cmp_str);
	*out = v;
	return n;
}

char *tracefs_fields(const char *root, const char *sys, const char *event)
{
	char *path = xasprintf("%s/events/%s/%s/format", root, sys, event);
	FILE *fp = fopen(path, "re");
	char line[1024], *semi, *out = NULL, *o;

	xfree(path);
	if (!fp)
		return NULL;
	while (fgets(line, sizeof(line), fp)) {
		if (strncmp(line, "\tfield:", 7) ||
		    !strncmp(line + 7, "unsigned short common_", 22) ||
		    str_find(line, " common_") ||
		    !(semi = strchr(line + 7, ';')))
			continue;
		*semi = '\0';
		o = out;
		out = xasprintf("%s    %s\n", o ? o : "", line + 7);
		xfree(o);
	}
	fclose(fp);
	return out;
}
