/*
 * diag.c - messages that point at the source.
 *
 * Every stage reports problems in the script through here:
 *
 *	ply: <name>:LINE:COL: error: MESSAGE
 *	<the whole source line>
 *	<blanks up to COL>^
 *
 * The blanks copy the tabs of the source line, so the caret lines up
 * whatever the terminal's tab width.  The lexer and the parser stop at
 * the first error (diag_fatal); sema reports every error it finds
 * (diag_error counts them in diag_nerrors) and main stops afterwards.
 * Messages without a place (err_msg, warn_msg, dbg) serve the runtime.
 * Colour is used only when main has set diag_color (stderr is a tty).
 */
#include <stdlib.h>
#include <string.h>

#include "ply.h"

const struct src *diag_src;
int diag_nerrors;
bool diag_color;
bool debug_on;

#define C_ERROR		"\033[1;31m"	/* bold red */
#define C_WARNING	"\033[1;35m"	/* bold magenta */
#define C_CARET		"\033[1;32m"	/* bold green */
#define C_RESET		"\033[0m"

static void put_sev(const char *sev, const char *color)
{
	if (diag_color)
		fprintf(stderr, "%s%s%s: ", color, sev, C_RESET);
	else
		fprintf(stderr, "%s: ", sev);
}

/* the source line of l, then the caret under its column */
static void show_line(struct loc l)
{
	const char *text = diag_src->text;
	const char *bol = text + l.off - (l.col - 1);
	int len = (int)strcspn(bol, "\n"), i;

	fprintf(stderr, "%.*s\n", len, bol);
	for (i = 0; i < l.col - 1; i++)
		fputc(i < len && bol[i] == '\t' ? '\t' : ' ', stderr);
	fprintf(stderr, "%s^%s\n", diag_color ? C_CARET : "",
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

	fputs("ply: ", stderr);
	if (where)
		fprintf(stderr, "%s:%d:%d: ", diag_src->name, l.line, l.col);
	put_sev(sev, color);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (where)
		show_line(l);
}

void diag_error(struct loc l, const char *fmt, ...)
{
	va_list ap;

	diag_nerrors++;
	va_start(ap, fmt);
	vdiag(l, "error", C_ERROR, fmt, ap);
	va_end(ap);
}

void diag_warn(struct loc l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(l, "warning", C_WARNING, fmt, ap);
	va_end(ap);
}

_Noreturn void diag_fatal(struct loc l, const char *fmt, ...)
{
	va_list ap;

	diag_nerrors++;
	va_start(ap, fmt);
	vdiag(l, "error", C_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("ply: ", stderr);
	put_sev("error", C_ERROR);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void warn_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("ply: ", stderr);
	put_sev("warning", C_WARNING);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void dbg(const char *fmt, ...)
{
	va_list ap;

	if (!debug_on)
		return;
	fputs("ply: debug: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
