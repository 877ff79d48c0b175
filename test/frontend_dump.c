/*
 * frontend_dump.c - run the front end alone (lex.c, parse.c).
 *
 *	frontend_dump tokens|ast FILE-or-SCRIPT
 *
 * prints lex_dump() or ast_dump() of the script, for the golden tests
 * in test/golden before the rest of ply exists.  An argument that is
 * not a readable file is the script itself, named "<cmdline>".
 * Errors go to stderr and exit with status 1, as in ply.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ply.h"

/* the whole file, NUL-terminated, or NULL if it can't be read */
static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t len = 0, cap = 4096, n;
	char *buf;

	if (!fp)
		return NULL;
	buf = xcalloc(1, cap + 1);
	while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			if (!buf)
				abort();
		}
	}
	buf[len] = '\0';
	fclose(fp);
	return buf;
}

int main(int argc, char **argv)
{
	struct src src;
	char *text;

	if (argc != 3 ||
	    (strcmp(argv[1], "tokens") && strcmp(argv[1], "ast"))) {
		fputs("usage: frontend_dump tokens|ast FILE-or-SCRIPT\n",
		      stderr);
		return 2;
	}
	text = read_file(argv[2]);
	memset(&src, 0, sizeof(src));
	src.name = text ? argv[2] : "<cmdline>";
	src.text = text ? text : argv[2];
	/* bpftrace's language for its files, as ply has it */
	src.bt = text && strlen(argv[2]) > 3 &&
		!strcmp(argv[2] + strlen(argv[2]) - 3, ".bt");
	diag_src = &src;
	diag_color = isatty(2);

	if (!strcmp(argv[1], "tokens"))
		lex_dump(&src, stdout);
	else
		ast_dump(parse_script(&src), stdout);
	return 0;
}
