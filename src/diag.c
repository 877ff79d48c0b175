/*
 * diag.c - messages that point at the source.
 *
 * Every stage reports problems in the script through here:
 *
 *	ply: <name>:LINE:COL: error: MESSAGE
 *	<the source line>
 *	<blanks up to COL>^
 *
 * The blanks copy the tabs of the source line, so the caret lines up
 * whatever the terminal's tab width; a line longer than a screen is
 * shown as the part around the column, with "..." where it was cut.
 * The lexer and the parser stop at the first error (diag_fatal); sema
 * and codegen report every error they find (diag_error counts them)
 * and compile.c stops afterwards, or after DIAG_MAX_ERRORS of them.
 * diag_fatal leaves the compile through diag_jmp when compile.c has
 * set it (it always does), so that a failed compile returns instead
 * of ending the process.  Messages without a place (err_msg, warn_msg,
 * dbg) serve the runtime.  The last error's text is kept for -T,
 * which puts the reason on its FAIL line.  Colour is used only when
 * main has set diag_color (stderr is a tty).
 */
#include <stdlib.h>
#include <string.h>

#include "ply.h"

const struct src *diag_src;
int diag_nerrors;
static int nwarnings;
jmp_buf *diag_jmp;
char diag_last[256];
FILE *diag_file;
bool diag_color;
bool diag_no_warnings;
bool diag_quiet;
bool debug_on;

#define C_ERROR		"\033[1;31m"	/* bold red */
#define C_WARNING	"\033[1;35m"	/* bold magenta */
#define C_CARET		"\033[1;32m"	/* bold green */
#define C_RESET		"\033[0m"

#define LINE_MAX_SHOWN	100	/* columns of a long line around the caret */

/* where messages go: stderr, unless diag_file says otherwise */
#define OUT	(diag_file ? diag_file : stderr)

void diag_reset(const struct src *src)
{
	diag_src = src;
	diag_nerrors = 0;
	nwarnings = 0;
	diag_last[0] = '\0';
}

static void put_sev(const char *sev, const char *color)
{
	if (diag_color)
		fprintf(OUT, "%s%s%s: ", color, sev, C_RESET);
	else
		fprintf(OUT, "%s: ", sev);
}

/* the source line of l, then the caret under its column; of a long
 * line only LINE_MAX_SHOWN columns around the caret */
static void show_line(struct loc l)
{
	const char *text = diag_src->text;
	const char *bol = text + l.off - (l.col - 1);
	int len = (int)strcspn(bol, "\n"), first = 0, i;

	if (len > LINE_MAX_SHOWN) {
		first = l.col - 1 - LINE_MAX_SHOWN / 2;
		if (first > len - LINE_MAX_SHOWN)
			first = len - LINE_MAX_SHOWN;
		if (first < 0)
			first = 0;
		len = LINE_MAX_SHOWN;
	}
	fprintf(OUT, "%s%.*s%s\n", first ? "..." : "", len, bol + first,
		first + len < (int)strcspn(bol, "\n") ? "..." : "");
	if (first)
		fputs("   ", OUT);
	for (i = first; i < l.col - 1; i++)
		fputc(i < first + len && bol[i] == '\t' ? '\t' : ' ', OUT);
	fprintf(OUT, "%s^%s\n", diag_color ? C_CARET : "",
		diag_color ? C_RESET : "");
}

/* is l a place in the current source? (defends against stray locs) */
static bool loc_valid(struct loc l)
{
	return diag_src && diag_src->text && l.line > 0 && l.col > 0 &&
	       l.off >= l.col - 1 && l.off <= (int)strlen(diag_src->text);
}

static void vdiag(struct loc l, const char *sev, const char *color,
		  const char *fmt, va_list ap)
{
	bool where = loc_valid(l);
	va_list aq;

	va_copy(aq, ap);
	if (!strcmp(sev, "error"))
		vsnprintf(diag_last, sizeof(diag_last), fmt, aq);
	va_end(aq);
	if (diag_quiet && !strcmp(sev, "error"))
		return;		/* kept in diag_last only */
	fputs("ply: ", OUT);
	if (where)
		fprintf(OUT, "%s:%d:%d: ", diag_src->name, l.line, l.col);
	put_sev(sev, color);
	vfprintf(OUT, fmt, ap);
	fputc('\n', OUT);
	if (where)
		show_line(l);
}

/* the compile cannot go on: back to compile.c, or out */
static _Noreturn void diag_stop(void)
{
	if (diag_jmp)
		longjmp(*diag_jmp, 1);
	exit(1);
}

/* the same error at the same place again (a macro's body, expanded
 * at every call; a probe of a list, cloned): said once */
static bool said_before(struct loc l, const char *fmt, va_list ap)
{
	static struct said { int off; unsigned hash; } seen[64];
	static int nseen;
	char msg[256];
	unsigned h = 5381;
	int i;
	va_list aq;

	if (!diag_nerrors)
		nseen = 0;
	va_copy(aq, ap);
	vsnprintf(msg, sizeof(msg), fmt, aq);
	va_end(aq);
	for (i = 0; msg[i]; i++)
		h = h * 33 + (unsigned char)msg[i];
	for (i = 0; i < nseen; i++)
		if (seen[i].off == l.off && seen[i].hash == h)
			return true;
	if (nseen < 64)
		seen[nseen++] = (struct said){ l.off, h };
	return false;
}

void diag_error(struct loc l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (said_before(l, fmt, ap)) {
		va_end(ap);
		return;
	}
	va_end(ap);
	diag_nerrors++;
	va_start(ap, fmt);
	vdiag(l, "error", C_ERROR, fmt, ap);
	va_end(ap);
	if (diag_nerrors >= DIAG_MAX_ERRORS) {
		fprintf(OUT, "ply: too many errors (%d); stopping\n",
			diag_nerrors);
		diag_stop();
	}
}

void diag_warn(struct loc l, const char *fmt, ...)
{
	va_list ap;

	if (diag_no_warnings)
		return;
	if (++nwarnings > DIAG_MAX_ERRORS) {
		if (nwarnings == DIAG_MAX_ERRORS + 1)
			fprintf(OUT, "ply: too many warnings; not showing "
				"the rest\n");
		return;
	}
	va_start(ap, fmt);
	vdiag(l, "warning", C_WARNING, fmt, ap);
	va_end(ap);
}

void diag_note(struct loc l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(l, "note", C_WARNING, fmt, ap);
	va_end(ap);
}

_Noreturn void diag_fatal(struct loc l, const char *fmt, ...)
{
	va_list ap;

	diag_nerrors++;
	va_start(ap, fmt);
	vdiag(l, "error", C_ERROR, fmt, ap);
	va_end(ap);
	diag_stop();
}

void err_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(diag_last, sizeof(diag_last), fmt, ap);
	va_end(ap);
	fputs("ply: ", OUT);
	put_sev("error", C_ERROR);
	va_start(ap, fmt);
	vfprintf(OUT, fmt, ap);
	va_end(ap);
	fputc('\n', OUT);
}

void warn_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("ply: ", OUT);
	put_sev("warning", C_WARNING);
	va_start(ap, fmt);
	vfprintf(OUT, fmt, ap);
	va_end(ap);
	fputc('\n', OUT);
}

void dbg(const char *fmt, ...)
{
	va_list ap;

	if (!debug_on)
		return;
	fputs("ply: debug: ", OUT);
	va_start(ap, fmt);
	vfprintf(OUT, fmt, ap);
	va_end(ap);
	fputc('\n', OUT);
}
