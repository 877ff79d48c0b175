/*
 * lex.c - source text to tokens.
 *
 * The first stage: parse.c pulls one token at a time with lex_next()
 * and keeps a single token of lookahead.  The lexer is hand-written
 * (like chibicc's tokenize.c and Lua's llex.c); every error is fatal
 * and points at the offending column.
 *
 * The one context-dependent token is the probe spec (kprobe:vfs_*,
 * t:sched/sched_switch).  It may contain characters that are
 * operators elsewhere, so the parser sets lx->spec_ok whenever it
 * expects the start of a probe; only then does an identifier directly
 * followed by ':' start a TOK_SPEC.  The spec runs up to the first
 * character that is not a spec character (blank, '{', ',', ';', '<',
 * '#' ...), or up to a '/', which starts a predicate.  A provider says
 * how many '/' its specs hold (provider_spec_slashes): a tracepoint's
 * first '/' separates the subsystem from the event, unless a second
 * ':' did (t:sched:sched_switch/pid == 1/).  A provider that doesn't
 * exist keeps every '/' up to the next blank, so that
 * `tracepiont:sched/sched_switch` and `uretprobe:/bin/sh:main` are
 * unknown providers, not bad predicates.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ply.h"

const char *const tok_names[TOK_NKINDS] = {
#define X(k, s) [k] = s,
	TOKENS(X)
#undef X
};

static const struct {
	const char *word;
	enum tok_kind kind;
} keywords[] = {
	{ "if", TOK_IF }, { "else", TOK_ELSE }, { "return", TOK_RETURN },
	{ "delete", TOK_DELETE }, { "BEGIN", TOK_BEGIN }, { "END", TOK_END },
	{ "let", TOK_LET }, { "for", TOK_FOR }, { "while", TOK_WHILE },
	{ "break", TOK_BREAK }, { "continue", TOK_CONTINUE },
	{ "unroll", TOK_UNROLL },
};

void lex_init(struct lexer *lx, const struct src *src)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->p = src->text;
	lx->loc.line = 1;
	lx->loc.col = 1;
	lx->bol = true;
	if (!diag_src)
		diag_src = src;
}

/* consume n bytes, none of which is a newline, or one newline */
static void advance(struct lexer *lx, int n)
{
	if (*lx->p == '\n') {
		lx->loc.line++;
		lx->loc.col = 1;
		lx->loc.off++;
		lx->p++;
		lx->bol = true;
		return;
	}
	if (!isspace((unsigned char)*lx->p))
		lx->bol = false;
	lx->p += n;
	lx->loc.col += n;
	lx->loc.off += n;
}

/* loc of the byte n ahead of p, which must be on the same line */
static struct loc loc_at(const struct lexer *lx, int n)
{
	struct loc l = lx->loc;

	l.col += n;
	l.off += n;
	return l;
}

static bool is_ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static bool is_ident(int c)
{
	return isalnum(c) || c == '_';
}

/* a character for messages: 'x' if printable, else its hex code */
static const char *char_desc(int c)
{
	if (isprint(c))
		return xasprintf("'%c'", c);
	return xasprintf("'\\x%02x'", (unsigned char)c);
}

/* '/' '*' ... '*' '/'; unterminated is an error at its start */
static void skip_block_comment(struct lexer *lx)
{
	struct loc start = lx->loc;

	advance(lx, 2);
	while (!(lx->p[0] == '*' && lx->p[1] == '/')) {
		if (!*lx->p)
			diag_fatal(start, "unterminated comment");
		advance(lx, 1);
	}
	advance(lx, 2);
}

static void skip_line(struct lexer *lx)
{
	while (*lx->p && *lx->p != '\n')
		advance(lx, 1);
}

static void directive(struct lexer *lx);

/* the end of a define's body: back to where the source goes on */
static bool expansion_over(struct lexer *lx)
{
	if (!lx->nexp || lx->p < lx->exp[lx->nexp - 1].end)
		return false;
	lx->nexp--;
	lx->p = lx->exp[lx->nexp].src_p;
	lx->loc = lx->exp[lx->nexp].loc;
	return true;
}

/* blanks and comments: //..., C comments, and #... in ply's language;
 * bpftrace's has directives (#include, #define ...) instead, and #!
 * on the first line */
static void skip_space(struct lexer *lx)
{
	for (;;) {
		if (lx->nexp && lx->p >= lx->exp[lx->nexp - 1].end) {
			if (!expansion_over(lx))
				return;
		} else if (isspace((unsigned char)*lx->p)) {
			advance(lx, 1);
		} else if (lx->p[0] == '/' && lx->p[1] == '/') {
			skip_line(lx);
		} else if (*lx->p == '#' && (!lx->src->bt || (lx->p[1] == '!' &&
			   lx->loc.line == 1))) {
			skip_line(lx);
		} else if (*lx->p == '#' && lx->bol && !lx->nexp) {
			directive(lx);
		} else if (lx->p[0] == '/' && lx->p[1] == '*') {
			skip_block_comment(lx);
		} else {
			return;
		}
	}
}

static struct token tok_start(const struct lexer *lx, enum tok_kind kind)
{
	struct token t;

	memset(&t, 0, sizeof(t));
	t.kind = kind;
	t.loc = lx->loc;
	t.p = lx->p;
	return t;
}

/* finish t with the len bytes at lx->p */
static struct token tok_take(struct lexer *lx, struct token t, int len)
{
	advance(lx, len);
	t.len = (int)(lx->p - t.p);
	return t;
}

/* may c continue a probe spec? '/' is decided by the caller */
static bool is_spec(int c)
{
	return is_ident(c) || (c && strchr("[]*?!()|+:.-@^", c));
}

/* ident ':' spec-chars, see the comment at the top */
static struct token lex_spec(struct lexer *lx, int ident_len)
{
	struct token t = tok_start(lx, TOK_SPEC);
	int slashes = provider_spec_slashes(lx->p, ident_len);
	bool colon = false;	/* a ':' after the provider's */
	int n = ident_len + 1, c;

	for (;; n++) {
		c = (unsigned char)lx->p[n];
		if (c == '/' && (slashes < 0 || (slashes > 0 && !colon)))
			slashes -= slashes > 0;
		else if (!is_spec(c))
			break;
		else if (c == ':')
			colon = true;
	}
	return tok_take(lx, t, n);
}

/* ---------------------------------------------------------------- */
/* bpftrace's directives: #define NAME tokens, #include (skipped: ply
 * has no C headers), #ifdef/#ifndef NAME ... [#else ...] #endif        */

static struct define *define_find(struct lexer *lx, const char *p, int n)
{
	int i;

	for (i = 0; i < lx->ndefs; i++)
		if (lx->defs[i].nlen == n && !strncmp(lx->defs[i].name, p, n))
			return &lx->defs[i];
	return NULL;
}

/* the identifier p[0..n) is a define: read its body's tokens next */
static bool expand(struct lexer *lx, int n)
{
	struct define *d = define_find(lx, lx->p, n);

	if (!d || !d->blen)
		return false;
	if (lx->nexp == LEX_MAX_EXPANSION)
		diag_fatal(lx->loc, "#define '%.*s' expands too deep (defines "
			   "within defines)", n, lx->p);
	lx->exp[lx->nexp].src_p = lx->p + n;
	lx->exp[lx->nexp].loc = loc_at(lx, n);
	lx->exp[lx->nexp].end = d->body + d->blen;
	lx->nexp++;
	lx->p = d->body;
	lx->loc = d->loc;
	return true;
}

/* the word after a directive's name, or NULL */
static const char *dir_word(struct lexer *lx, int *n)
{
	while (*lx->p == ' ' || *lx->p == '\t')
		advance(lx, 1);
	for (*n = 0; is_ident((unsigned char)lx->p[*n]); ++*n)
		;
	return *n ? lx->p : NULL;
}

static void define(struct lexer *lx, struct loc at)
{
	const char *name;
	struct define *d;
	int n;

	if (!(name = dir_word(lx, &n)))
		diag_fatal(at, "#define needs a name");
	if (lx->p[n] == '(')
		diag_fatal(at, "#define with parameters is not supported by "
			   "ply: use a macro");
	advance(lx, n);
	while (*lx->p == ' ' || *lx->p == '\t')
		advance(lx, 1);
	lx->defs = xrealloc(lx->defs, (lx->ndefs + 1) * sizeof(*lx->defs));
	d = &lx->defs[lx->ndefs++];
	d->name = name;
	d->nlen = n;
	d->body = lx->p;
	d->loc = lx->loc;
	d->blen = (int)strcspn(lx->p, "\n");
	while (d->blen && isspace((unsigned char)d->body[d->blen - 1]))
		d->blen--;
	skip_line(lx);
}

/* skip to the #else or #endif of the #if... just read (else_ok: an
 * #else ends the skipping too) */
static void skip_if(struct lexer *lx, struct loc at, bool else_ok)
{
	int depth = 0, n;
	const char *w;
	bool at_else = false;

	for (;;) {
		skip_line(lx);
		if (!*lx->p)
			diag_fatal(at, "#if... without its #endif");
		advance(lx, 1);
		while (*lx->p == ' ' || *lx->p == '\t')
			advance(lx, 1);
		if (*lx->p != '#')
			continue;
		advance(lx, 1);
		w = dir_word(lx, &n);
		if (!w)
			continue;
		if ((n == 5 && !strncmp(w, "ifdef", 5)) ||
		    (n == 6 && !strncmp(w, "ifndef", 6)) ||
		    (n == 2 && !strncmp(w, "if", 2)))
			depth++;
		else if (n == 5 && !strncmp(w, "endif", 5) && depth-- == 0)
			break;
		else if (n == 4 && !strncmp(w, "else", 4) && !depth &&
			 else_ok) {
			at_else = true;
			break;
		}
	}
	if (at_else)	/* #else: what follows counts, to its #endif */
		lx->nifs++;
	skip_line(lx);
}

static void directive(struct lexer *lx)
{
	struct loc at = lx->loc;
	const char *w, *name;
	int n, m;
	bool want;

	advance(lx, 1);
	w = dir_word(lx, &n);
	if (!w)
		diag_fatal(at, "expected a directive after '#'");
	advance(lx, n);
	if (n == 6 && !strncmp(w, "define", 6)) {
		define(lx, at);
	} else if (n == 7 && !strncmp(w, "include", 7)) {
		while (*lx->p == ' ' || *lx->p == '\t')
			advance(lx, 1);
		diag_note(at, "#include %.*s skipped: ply reads no C headers "
			  "(the kernel's types come from BTF)",
			  (int)strcspn(lx->p, " \t\n"), lx->p);
		skip_line(lx);
	} else if ((n == 5 && !strncmp(w, "ifdef", 5)) ||
		   (n == 6 && !strncmp(w, "ifndef", 6))) {
		if (!(name = dir_word(lx, &m)))
			diag_fatal(at, "#%.*s needs a name", n, w);
		want = (define_find(lx, name, m) != NULL) == (n == 5);
		if (lx->nifs == LEX_MAX_IFS)
			diag_fatal(at, "#if... nested too deep");
		if (want) {
			lx->nifs++;
			skip_line(lx);
		} else {
			skip_if(lx, at, true);
		}
	} else if (n == 4 && !strncmp(w, "else", 4) && lx->nifs) {
		lx->nifs--;	/* the #if... part was taken: skip this */
		skip_if(lx, at, false);
	} else if (n == 5 && !strncmp(w, "endif", 5) && lx->nifs) {
		lx->nifs--;
		skip_line(lx);
	} else {
		diag_fatal(at, "#%.*s is not supported by ply", n, w);
	}
}

/* identifier, keyword or (when spec_ok) probe spec */
static struct token lex_word(struct lexer *lx)
{
	struct token t = tok_start(lx, TOK_IDENT);
	size_t i;
	int n = 1;

	while (is_ident((unsigned char)lx->p[n]))
		n++;
	for (i = 0; i < ARRAY_SIZE(keywords); i++) {
		if (strlen(keywords[i].word) == (size_t)n &&
		    !strncmp(lx->p, keywords[i].word, (size_t)n)) {
			t.kind = keywords[i].kind;
			return tok_take(lx, t, n);
		}
	}
	if (lx->spec_ok && lx->p[n] == ':')
		return lex_spec(lx, n);
	if (lx->ndefs && expand(lx, n))
		return lex_next(lx);
	return tok_take(lx, t, n);
}

/* '@' [_a-zA-Z0-9]*  and  '$' [_a-zA-Z0-9]+ or '$#' */
static struct token lex_sigil(struct lexer *lx)
{
	struct token t = tok_start(lx, *lx->p == '@' ? TOK_MAP : TOK_VAR);
	int n = 1;

	if (t.kind == TOK_VAR && lx->p[1] == '#')
		return tok_take(lx, t, 2);	/* $#: how many parameters */
	while (is_ident((unsigned char)lx->p[n]))
		n++;
	if (t.kind == TOK_VAR && n == 1)
		diag_fatal(lx->loc, "expected a name after '$'");
	return tok_take(lx, t, n);
}

static int digit_value(int c)
{
	if (isdigit(c))
		return c - '0';
	if (isxdigit(c))
		return tolower(c) - 'a' + 10;
	return 99;
}

static const char *base_name(int base)
{
	switch (base) {
	case 2: return "binary";
	case 8: return "octal";
	case 16: return "hexadecimal";
	default: return "decimal";
	}
}

/* the digits from p[n] on, '_' ignored; returns the index past them
 * (a decimal number stops at an 'e' before a digit: 1e6) */
static int scan_digits(struct lexer *lx, struct token *t, int n, int base)
{
	const char *p = lx->p;
	int d, ndigits = 0, first = n;

	for (; is_ident((unsigned char)p[n]); n++) {
		if (p[n] == '_')
			continue;
		if (base == 10 && ndigits && (p[n] == 'e' || p[n] == 'E') &&
		    isdigit((unsigned char)p[n + 1]))
			break;
		d = digit_value((unsigned char)p[n]);
		if (d >= base)
			diag_fatal(loc_at(lx, n),
				   "invalid digit %s in %s number",
				   char_desc((unsigned char)p[n]),
				   base_name(base));
		if (t->num > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			diag_fatal(lx->loc, "number does not fit in 64 bits");
		t->num = t->num * (uint64_t)base + (uint64_t)d;
		ndigits++;
	}
	if (!ndigits && base != 8)
		diag_fatal(loc_at(lx, n), "expected %s digits after '%.*s'",
			   base_name(base), first, p);
	return n;
}

/* t->num times 10 to the power of the digits at p[n]; past them */
static int scale(struct lexer *lx, struct token *t, int n)
{
	struct token e = tok_start(lx, TOK_NUM);
	uint64_t i;

	n = scan_digits(lx, &e, n, 10);
	for (i = 0; i < e.num; i++) {
		if (t->num > UINT64_MAX / 10)
			diag_fatal(lx->loc, "number does not fit in 64 bits");
		t->num *= 10;
	}
	return n;
}

/* decimal, 0x hex, 0b binary, 0 octal; '_' may separate digits; 1e6 */
static struct token lex_number(struct lexer *lx)
{
	struct token t = tok_start(lx, TOK_NUM);
	const char *p = lx->p;
	int n;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		n = scan_digits(lx, &t, 2, 16);
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		n = scan_digits(lx, &t, 2, 2);
	else if (p[0] == '0')
		n = scan_digits(lx, &t, 1, 8);
	else
		n = scan_digits(lx, &t, 0, 10);
	if (p[n] == 'e' || p[n] == 'E')		/* 1e6: a power of ten */
		n = scale(lx, &t, n + 1);
	return tok_take(lx, t, n);
}

/* s[*i] is a backslash: the byte it stands for; *i moves past it */
static int unescape(struct lexer *lx, const char *s, int *i)
{
	static const char from[] = "ntr\\\"'abfve";
	static const char to[] = "\n\t\r\\\"'\a\b\f\v\033";
	struct loc at = loc_at(lx, *i);
	int c = (unsigned char)s[*i + 1], v = 0, n;
	const char *e = c ? strchr(from, c) : NULL;

	if (e) {
		*i += 2;
		return to[e - from];
	}
	if (c == 'x') {
		for (n = 2; n < 4 && isxdigit((unsigned char)s[*i + n]); n++)
			v = v * 16 + digit_value((unsigned char)s[*i + n]);
		if (n == 2)
			diag_fatal(at,
				   "expected hexadecimal digits after '\\x'");
	} else if (c >= '0' && c <= '7') {
		for (n = 1; n < 4 && s[*i + n] >= '0' && s[*i + n] <= '7'; n++)
			v = v * 8 + s[*i + n] - '0';
		if (v > 255)
			diag_fatal(at, "octal escape sequence out of range");
	} else if (isprint(c)) {
		diag_fatal(at, "unknown escape sequence '\\%c'", c);
	} else {
		diag_fatal(at, "unknown escape sequence: '\\' followed by %s",
			   char_desc(c));
	}
	*i += n;
	return v;
}

/* '"' chars '"'; str is unescaped and may contain NULs */
static struct token lex_string(struct lexer *lx)
{
	struct token t = tok_start(lx, TOK_STR);
	const char *s = lx->p;
	char *buf;
	int i, j;

	for (i = 1; s[i] != '"'; i++) {
		if (!s[i] || s[i] == '\n')
			diag_fatal(lx->loc, "unterminated string");
		if (s[i] == '\\' && s[i + 1] && s[i + 1] != '\n')
			i++;
	}
	t.str = buf = xcalloc(1, (size_t)i);
	for (j = 1; j < i;) {
		if (s[j] == '\\')
			buf[t.slen++] = (char)unescape(lx, s, &j);
		else
			buf[t.slen++] = s[j++];
	}
	return tok_take(lx, t, i + 1);
}

/* longest match first */
static const struct {
	const char *s;
	enum tok_kind kind;
} puncts[] = {
	{ "<<=", TOK_SHL_EQ }, { ">>=", TOK_SHR_EQ },
	{ "->", TOK_ARROW }, { "<<", TOK_SHL }, { ">>", TOK_SHR },
	{ "<=", TOK_LE }, { ">=", TOK_GE }, { "==", TOK_EQ },
	{ "!=", TOK_NE }, { "&&", TOK_ANDAND }, { "||", TOK_OROR },
	{ "++", TOK_INC }, { "--", TOK_DEC }, { "+=", TOK_ADD_EQ },
	{ "-=", TOK_SUB_EQ }, { "*=", TOK_MUL_EQ }, { "/=", TOK_DIV_EQ },
	{ "%=", TOK_MOD_EQ }, { "&=", TOK_AND_EQ }, { "|=", TOK_OR_EQ },
	{ "^=", TOK_XOR_EQ }, { "..", TOK_DOTDOT },
	{ "{", TOK_LBRACE }, { "}", TOK_RBRACE }, { "(", TOK_LPAREN },
	{ ")", TOK_RPAREN }, { "[", TOK_LBRACK }, { "]", TOK_RBRACK },
	{ ";", TOK_SEMI }, { ",", TOK_COMMA }, { ".", TOK_DOT },
	{ "?", TOK_QUESTION }, { ":", TOK_COLON }, { "=", TOK_ASSIGN },
	{ "+", TOK_PLUS }, { "-", TOK_MINUS }, { "*", TOK_STAR },
	{ "/", TOK_SLASH }, { "%", TOK_PERCENT }, { "&", TOK_AMP },
	{ "|", TOK_PIPE }, { "^", TOK_CARET }, { "~", TOK_TILDE },
	{ "!", TOK_NOT }, { "<", TOK_LT }, { ">", TOK_GT },
};

static struct token lex_punct(struct lexer *lx)
{
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(puncts); i++) {
		n = strlen(puncts[i].s);
		if (!strncmp(lx->p, puncts[i].s, n))
			return tok_take(lx, tok_start(lx, puncts[i].kind),
					(int)n);
	}
	diag_fatal(lx->loc, "unknown character %s",
		   char_desc((unsigned char)*lx->p));
}

struct token lex_next(struct lexer *lx)
{
	int c;

	skip_space(lx);
	c = (unsigned char)*lx->p;
	if (!c && lx->nifs)
		diag_fatal(lx->loc, "#if... without its #endif");
	if (!c)
		return tok_start(lx, TOK_EOF);
	if (is_ident_start(c))
		return lex_word(lx);
	if (isdigit(c))
		return lex_number(lx);
	if (c == '@' || c == '$')
		return lex_sigil(lx);
	if (c == '"')
		return lex_string(lx);
	return lex_punct(lx);
}

void lex_quote(FILE *fp, const char *s, int len)
{
	static const char from[] = "\n\t\r\\\"\a\b\f\v";
	static const char to[] = "ntr\\\"abfv";
	const char *e;
	int i, c;

	fputc('"', fp);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		e = c ? strchr(from, c) : NULL;
		if (e)
			fprintf(fp, "\\%c", to[e - from]);
		else if (c < 0x80 && isprint(c))
			fputc(c, fp);
		else
			fprintf(fp, "\\%03o", c);
	}
	fputc('"', fp);
}

/*
 * lex_dump has no parser to tell it where probes start, so it guesses:
 * spec_ok is set at the beginning, and after '}', ';', '>' or ',' when
 * no block is open.  '{' always opens a block; '<' opens one when it
 * follows a spec, BEGIN, END, '/', or the start of a statement (';',
 * '{', '}', '<', '>'); a '>' right after ';', '}' or an opening '<'
 * closes the innermost '<' block.  Good scripts dump as they parse.
 */
struct dump_state {
	char stack[64];		/* open blocks: '{' or '<' */
	int depth;
	enum tok_kind prev;
};

static bool starts_stmt(enum tok_kind k)
{
	return k == TOK_SEMI || k == TOK_LBRACE || k == TOK_RBRACE ||
	       k == TOK_LT || k == TOK_GT;
}

static void dump_push(struct dump_state *ds, char c)
{
	if (ds->depth < (int)sizeof(ds->stack))
		ds->stack[ds->depth] = c;
	ds->depth++;
}

/* track blocks after t; returns spec_ok for the next token */
static bool dump_track(struct dump_state *ds, const struct token *t)
{
	enum tok_kind k = t->kind, prev = ds->prev;
	char top = ds->depth > 0 && ds->depth <= (int)sizeof(ds->stack) ?
		   ds->stack[ds->depth - 1] : 0;

	ds->prev = k;
	if (k == TOK_LBRACE)
		dump_push(ds, '{');
	else if (k == TOK_RBRACE && ds->depth > 0)
		ds->depth--;
	else if (k == TOK_LT && (prev == TOK_SPEC || prev == TOK_BEGIN ||
		 prev == TOK_END || prev == TOK_SLASH || starts_stmt(prev)))
		dump_push(ds, '<');
	else if (k == TOK_GT && top == '<' && (prev == TOK_SEMI ||
		 prev == TOK_RBRACE || prev == TOK_LT))
		ds->depth--;
	return ds->depth == 0 && (k == TOK_RBRACE || k == TOK_SEMI ||
				  k == TOK_GT || k == TOK_COMMA);
}

static void dump_token(const struct token *t, FILE *fp)
{
	fprintf(fp, "%d:%d %s", t->loc.line, t->loc.col, tok_names[t->kind]);
	if (t->kind == TOK_NUM) {
		fprintf(fp, " %llu", (unsigned long long)t->num);
	} else if (t->kind == TOK_STR) {
		fputc(' ', fp);
		lex_quote(fp, t->str, t->slen);
	} else if (t->kind != TOK_EOF) {
		fprintf(fp, " %.*s", t->len, t->p);
	}
	fputc('\n', fp);
}

void lex_dump(const struct src *src, FILE *fp)
{
	struct dump_state ds = { .prev = TOK_SEMI };
	struct lexer lx;
	struct token t;

	lex_init(&lx, src);
	lx.spec_ok = true;
	do {
		t = lex_next(&lx);
		dump_token(&t, fp);
		lx.spec_ok = dump_track(&ds, &t);
		xfree(t.str);
	} while (t.kind != TOK_EOF);
}
