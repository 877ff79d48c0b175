/*
 * parse.c - tokens to AST.
 *
 * The second stage: a recursive-descent parser in the style of
 * chibicc, one function per rule of grammar/ply.ebnf, each with its
 * rule quoted above it.  Binary operators are parsed by precedence
 * climbing over one table (as Lua's subexpr does) instead of one
 * function per level.  The parser pulls tokens lazily, one token of
 * lookahead, so that it can tell the lexer where a probe may start
 * (lx.spec_ok) before that token is lexed.  The first error is fatal.
 *
 * Nesting is limited (MAX_NESTING): the parser's own recursion, and the
 * height of an expression tree, which a long chain of `a + b + ...`
 * builds without recursing but which the stages after it walk by
 * recursion.
 *
 * The result is a list of N_PROBE nodes, one per spec: `a, b { ... }`
 * becomes two probes, the second with deep copies of the predicate
 * and the body.  A probe's body is its statement list (the braces of
 * a block body are dropped).  Assignments are statements, not
 * expressions: an assignment statement is a bare N_ASSIGN (its rhs may
 * be another N_ASSIGN, a = b = c); any other expression statement is
 * wrapped in an N_EXPR.  Nodes carry the loc of their first token,
 * except operators (N_BINOP, N_UNOP, N_ASSIGN, N_MEMBER): the
 * operator's token.
 *
 * ast_dump() prints S-expressions, two spaces of indent per level:
 *
 *	(probe "kprobe:vfs_read"
 *	  (pred (binop == (ident pid) (num 1)))
 *	  (assign (map @ (ident comm)) (call count))
 *	  (if (binop > (var $x) (num 0))
 *	    (block
 *	      (expr (call print (str "big\n"))))
 *	    (else
 *	      (return)))
 *	  (delete (map @t (ident tid))))
 *
 * A probe, its predicate and each statement start a line; expressions
 * stay on the line of their statement:
 *	(num 16) (str "a\tb") (ident comm) (var $x) (map @) (map t (ident
 *	kpid)) (call count) (binop + A B) (unop - A) (cond C A B)
 *	(member . A name) (member -> A name) (assign L R)
 * Numbers are decimal; strings are C-escaped (\n \t ... else \ooo).
 */
#include <stdlib.h>
#include <string.h>

#include "ply.h"

struct parser {
	struct lexer lx;
	struct token tok;	/* the lookahead, when have_tok */
	bool have_tok;
	struct loc end;		/* just past the last token taken */
	bool in_pred;		/* inside / pred /: '/' ends the expression */
	int depth;		/* open blocks; 0 = a probe's own statement */
	int nest;		/* the recursion: statements, expressions */
};

struct node *node_new(enum node_kind kind, struct loc loc)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->loc = loc;
	return n;
}

struct node *node_clone(const struct node *n)
{
	struct node *head = NULL, **tail = &head, *c;

	for (; n; n = n->next) {
		c = xcalloc(1, sizeof(*c));
		*c = *n;
		c->next = NULL;
		c->lhs = node_clone(n->lhs);
		c->rhs = node_clone(n->rhs);
		c->cond = node_clone(n->cond);
		c->then = node_clone(n->then);
		c->els = node_clone(n->els);
		c->body = node_clone(n->body);
		c->args = node_clone(n->args);
		*tail = c;
		tail = &c->next;
	}
	return head;
}

/* ---------------------------------------------------------------- */
/* limits                                                           */

static int height_of(const struct node *n)
{
	int h = 0;

	for (; n; n = n->next)
		if (n->height > h)
			h = n->height;
	return h;
}

/* n's height from its operands'; too high is an error */
static struct node *grown(struct node *n)
{
	int h = height_of(n->lhs);

	if (height_of(n->rhs) > h)
		h = height_of(n->rhs);
	if (height_of(n->cond) > h)
		h = height_of(n->cond);
	if (height_of(n->then) > h)
		h = height_of(n->then);
	if (height_of(n->els) > h)
		h = height_of(n->els);
	if (height_of(n->args) > h)
		h = height_of(n->args);
	n->height = h + 1;
	if (n->height > MAX_NESTING)
		diag_fatal(n->loc, "the expression is nested deeper than %d "
			   "levels; split it with $variables", MAX_NESTING);
	return n;
}

static struct token *peek(struct parser *p);

/* one level deeper into the parser's recursion */
static void enter(struct parser *p)
{
	if (++p->nest > MAX_NESTING)
		diag_fatal(peek(p)->loc, "nested deeper than %d levels",
			   MAX_NESTING);
}

static void leave(struct parser *p)
{
	p->nest--;
}

/* ---------------------------------------------------------------- */
/* token helpers                                                    */

static struct token *peek(struct parser *p)
{
	if (!p->have_tok) {
		p->tok = lex_next(&p->lx);
		p->have_tok = true;
	}
	return &p->tok;
}

/* peek at a token that may start a probe (a spec) */
static struct token *peek_probe(struct parser *p)
{
	if (!p->have_tok) {
		p->lx.spec_ok = true;
		peek(p);
		p->lx.spec_ok = false;
	}
	return &p->tok;
}

static struct token next(struct parser *p)
{
	struct token t = *peek(p);

	p->have_tok = false;
	p->end = t.loc;
	p->end.col += t.len;
	p->end.off += t.len;
	return t;
}

static bool accept(struct parser *p, enum tok_kind kind)
{
	if (peek(p)->kind != kind)
		return false;
	next(p);
	return true;
}

/* "identifier 'foo'", "'}'", "end of input" */
static const char *tok_desc(const struct token *t)
{
	switch (t->kind) {
	case TOK_IDENT:
	case TOK_MAP:
	case TOK_VAR:
	case TOK_NUM:
	case TOK_SPEC:
		return xasprintf("%s '%.*s'", tok_names[t->kind],
				 t->len > 32 ? 32 : t->len, t->p);
	default:
		return tok_names[t->kind];
	}
}

/* the lookahead is not what we want */
static _Noreturn void error_got(struct parser *p, const char *want)
{
	struct token *t = peek(p);

	if (t->kind == TOK_EOF)
		diag_fatal(p->end, "unexpected end of input, expected %s",
			   want);
	diag_fatal(t->loc, "expected %s, got %s", want, tok_desc(t));
}

static struct token expect(struct parser *p, enum tok_kind kind)
{
	if (peek(p)->kind != kind)
		error_got(p, tok_names[kind]);
	return next(p);
}

static char *tok_text(const struct token *t)
{
	return xstrndup(t->p, (size_t)t->len);
}

/* ---------------------------------------------------------------- */
/* expressions                                                      */

static struct node *parse_expr(struct parser *p);

/* args = expr { "," expr } ; then the closing token */
static struct node *parse_args(struct parser *p, enum tok_kind close)
{
	struct node *head = NULL, **tail = &head;
	bool in_pred = p->in_pred;

	p->in_pred = false;
	do {
		*tail = parse_expr(p);
		tail = &(*tail)->next;
	} while (accept(p, TOK_COMMA));
	p->in_pred = in_pred;
	expect(p, close);
	return head;
}

/*
 * map-ref = MAP [ "[" args "]" ] | IDENT "[" args "]"
 * (the MAP or IDENT is already taken)
 */
static struct node *parse_map(struct parser *p, const struct token *name)
{
	struct node *n = node_new(N_MAP, name->loc);

	n->name = tok_text(name);
	if (accept(p, TOK_LBRACK))
		n->args = parse_args(p, TOK_RBRACK);
	return grown(n);
}

/* ident-expr = IDENT [ "(" [ args ] ")" ]  (IDENT "[" is a map-ref) */
static struct node *parse_ident(struct parser *p)
{
	struct token t = next(p);
	struct node *n;

	if (peek(p)->kind == TOK_LBRACK)
		return parse_map(p, &t);
	if (!accept(p, TOK_LPAREN)) {
		n = node_new(N_IDENT, t.loc);
		n->name = tok_text(&t);
		return n;
	}
	n = node_new(N_CALL, t.loc);
	n->name = tok_text(&t);
	if (!accept(p, TOK_RPAREN))
		n->args = parse_args(p, TOK_RPAREN);
	return grown(n);
}

/* paren = "(" expr ")" */
static struct node *parse_paren(struct parser *p)
{
	bool in_pred = p->in_pred;
	struct node *n;

	next(p);
	p->in_pred = false;
	n = parse_expr(p);
	p->in_pred = in_pred;
	expect(p, TOK_RPAREN);
	return n;
}

/* primary = NUM | STR | VAR | paren | map-ref | ident-expr */
static struct node *parse_primary(struct parser *p)
{
	struct token t = *peek(p);
	struct node *n;

	switch (t.kind) {
	case TOK_NUM:
		n = node_new(N_NUM, next(p).loc);
		n->num = t.num;
		return n;
	case TOK_STR:
		n = node_new(N_STR, next(p).loc);
		n->str = t.str;
		n->slen = t.slen;
		return n;
	case TOK_VAR:
		n = node_new(N_VAR, next(p).loc);
		n->name = tok_text(&t);
		return n;
	case TOK_LPAREN:
		return parse_paren(p);
	case TOK_MAP:
		next(p);
		return parse_map(p, &t);
	case TOK_IDENT:
		return parse_ident(p);
	default:
		error_got(p, "expression");
	}
}

/* postfix = primary { ( "." | "->" ) IDENT } */
static struct node *parse_postfix(struct parser *p)
{
	struct node *n = parse_primary(p), *m;
	struct token op, name;

	while (peek(p)->kind == TOK_DOT || peek(p)->kind == TOK_ARROW) {
		op = next(p);
		name = expect(p, TOK_IDENT);
		m = node_new(N_MEMBER, op.loc);
		m->op = op.kind;
		m->lhs = n;
		m->name = tok_text(&name);
		n = grown(m);
	}
	return n;
}

/* unary = ( "-" | "~" | "!" | "*" ) unary | postfix */
static struct node *parse_unary(struct parser *p)
{
	enum tok_kind k = peek(p)->kind;
	struct node *n;

	if (k != TOK_MINUS && k != TOK_TILDE && k != TOK_NOT && k != TOK_STAR)
		return parse_postfix(p);
	enter(p);
	n = node_new(N_UNOP, next(p).loc);
	n->op = k;
	n->lhs = parse_unary(p);
	leave(p);
	return grown(n);
}

/* binary operators, loosest first; all are left-associative */
static const struct {
	enum tok_kind tok;
	int prec;
} binops[] = {
	{ TOK_OROR, 1 },
	{ TOK_ANDAND, 2 },
	{ TOK_PIPE, 3 },
	{ TOK_CARET, 4 },
	{ TOK_AMP, 5 },
	{ TOK_EQ, 6 }, { TOK_NE, 6 },
	{ TOK_LT, 7 }, { TOK_GT, 7 }, { TOK_LE, 7 }, { TOK_GE, 7 },
	{ TOK_SHL, 8 }, { TOK_SHR, 8 },
	{ TOK_PLUS, 9 }, { TOK_MINUS, 9 },
	{ TOK_STAR, 10 }, { TOK_SLASH, 10 }, { TOK_PERCENT, 10 },
};

/* the precedence of the lookahead as a binary operator, 0 if none */
static int binop_prec(struct parser *p)
{
	enum tok_kind k = peek(p)->kind;
	size_t i;

	if (k == TOK_SLASH && p->in_pred)
		return 0;
	for (i = 0; i < ARRAY_SIZE(binops); i++)
		if (binops[i].tok == k)
			return binops[i].prec;
	return 0;
}

/* binary = unary { binop unary }  (operators binding tighter than min) */
static struct node *parse_binary(struct parser *p, int min)
{
	struct node *lhs = parse_unary(p), *n;
	struct token op;
	int prec;

	while ((prec = binop_prec(p)) > min) {
		op = next(p);
		n = node_new(N_BINOP, op.loc);
		n->op = op.kind;
		n->lhs = lhs;
		n->rhs = parse_binary(p, prec);
		lhs = grown(n);
	}
	return lhs;
}

/* expr = binary [ "?" expr ":" expr ]  (right-associative) */
static struct node *parse_expr(struct parser *p)
{
	struct loc first = peek(p)->loc;
	struct node *c, *n;

	enter(p);
	c = parse_binary(p, 0);
	if (!accept(p, TOK_QUESTION)) {
		leave(p);
		return c;
	}
	n = node_new(N_COND, first);
	n->cond = c;
	n->then = parse_expr(p);
	expect(p, TOK_COLON);
	n->els = parse_expr(p);
	leave(p);
	return grown(n);
}

/* "a number", "'comm'": what an assignment or delete got instead */
static const char *node_desc(const struct node *n)
{
	switch (n->kind) {
	case N_NUM:
		return "a number";
	case N_STR:
		return "a string";
	case N_IDENT:
		return xasprintf("'%s'", n->name);
	case N_CALL:
		return xasprintf("a call to '%s'", n->name);
	case N_MEMBER:
		return xasprintf("member '%s'", n->name);
	default:
		return "an expression";
	}
}

/* assign = expr [ "=" assign ]  (only a map or a $var on the left) */
static struct node *parse_assign(struct parser *p)
{
	struct node *lhs = parse_expr(p), *n;

	if (peek(p)->kind != TOK_ASSIGN)
		return lhs;
	if (lhs->kind != N_MAP && lhs->kind != N_VAR)
		diag_fatal(lhs->loc, "can't assign to %s", node_desc(lhs));
	enter(p);
	n = node_new(N_ASSIGN, next(p).loc);
	n->lhs = lhs;
	n->rhs = parse_assign(p);
	leave(p);
	return grown(n);
}

/* ---------------------------------------------------------------- */
/* statements                                                       */

static struct node *parse_stmt(struct parser *p);

/* end = ";" | (* nothing, right before "}" *) */
static void parse_end(struct parser *p)
{
	if (peek(p)->kind != TOK_RBRACE)
		expect(p, TOK_SEMI);
}

/* block = "{" { stmt } "}" | "<" { stmt } ">" */
static struct node *parse_block(struct parser *p)
{
	struct token open = next(p);
	enum tok_kind close = open.kind == TOK_LT ? TOK_GT : TOK_RBRACE;
	struct node *n = node_new(N_BLOCK, open.loc), **tail = &n->body;

	p->depth++;
	while (!accept(p, close)) {
		if (peek(p)->kind == TOK_EOF)
			diag_fatal(p->end, "%s expected (to close %s at %d:%d)",
				   tok_names[close], tok_names[open.kind],
				   open.loc.line, open.loc.col);
		*tail = parse_stmt(p);
		tail = &(*tail)->next;
	}
	p->depth--;
	return n;
}

/* if-stmt = "if" "(" expr ")" stmt [ "else" stmt ] */
static struct node *parse_if(struct parser *p)
{
	struct node *n = node_new(N_IF, next(p).loc);

	expect(p, TOK_LPAREN);
	n->cond = parse_expr(p);
	expect(p, TOK_RPAREN);
	n->then = parse_stmt(p);
	if (p->depth == 0)	/* a probe's statement: a probe may follow */
		peek_probe(p);
	if (accept(p, TOK_ELSE))
		n->els = parse_stmt(p);
	return n;
}

/* delete-stmt = "delete" map-ref end */
static struct node *parse_delete(struct parser *p)
{
	struct node *n = node_new(N_DELETE, next(p).loc);

	n->lhs = parse_postfix(p);
	if (n->lhs->kind != N_MAP)
		diag_fatal(n->lhs->loc, "can't delete %s", node_desc(n->lhs));
	parse_end(p);
	return n;
}

/*
 * stmt = block | if-stmt | delete-stmt
 *      | "return" end
 *      | assign end
 */
static struct node *parse_stmt(struct parser *p)
{
	struct node *n;

	enter(p);
	switch (peek(p)->kind) {
	case TOK_LBRACE:
	case TOK_LT:
		n = parse_block(p);
		leave(p);
		return n;
	case TOK_IF:
		n = parse_if(p);
		leave(p);
		return n;
	case TOK_DELETE:
		n = parse_delete(p);
		leave(p);
		return n;
	case TOK_RETURN:
		n = node_new(N_RETURN, next(p).loc);
		break;
	default:
		n = parse_assign(p);
		if (n->kind != N_ASSIGN) {
			struct node *e = node_new(N_EXPR, n->loc);

			e->lhs = n;
			n = e;
		}
		break;
	}
	parse_end(p);
	leave(p);
	return n;
}

/* ---------------------------------------------------------------- */
/* probes                                                           */

/* specs = spec { "," spec } ;  spec = SPEC | "BEGIN" | "END" */
static struct node *parse_specs(struct parser *p)
{
	struct node *head = NULL, **tail = &head;
	struct token t;

	do {
		t = *peek_probe(p);
		if (t.kind != TOK_SPEC && t.kind != TOK_BEGIN &&
		    t.kind != TOK_END)
			error_got(p, "probe");
		next(p);
		*tail = node_new(N_PROBE, t.loc);
		(*tail)->name = tok_text(&t);
		tail = &(*tail)->next;
	} while (accept(p, TOK_COMMA));
	return head;
}

/* predicate = "/" expr "/" | "if" "(" expr ")" */
static struct node *parse_predicate(struct parser *p)
{
	struct node *n;

	if (accept(p, TOK_SLASH)) {
		p->in_pred = true;
		n = parse_expr(p);
		p->in_pred = false;
		expect(p, TOK_SLASH);
	} else if (accept(p, TOK_IF)) {
		expect(p, TOK_LPAREN);
		n = parse_expr(p);
		expect(p, TOK_RPAREN);
	} else {
		n = NULL;
	}
	return n;
}

/* probe = specs [ predicate ] stmt */
static struct node *parse_probe(struct parser *p)
{
	struct node *probes = parse_specs(p), *pb, *cond, *body;

	cond = parse_predicate(p);
	body = parse_stmt(p);
	if (body->kind == N_BLOCK)
		body = body->body;
	for (pb = probes; pb; pb = pb->next) {
		pb->cond = pb == probes ? cond : node_clone(cond);
		pb->body = pb == probes ? body : node_clone(body);
	}
	return probes;
}

/* script = { probe } EOF */
struct node *parse_script(const struct src *src)
{
	struct node *head = NULL, **tail = &head;
	struct parser p;

	memset(&p, 0, sizeof(p));
	lex_init(&p.lx, src);
	p.end = p.lx.loc;
	while (peek_probe(&p)->kind != TOK_EOF) {
		*tail = parse_probe(&p);
		while (*tail)
			tail = &(*tail)->next;
	}
	return head;
}

/* ---------------------------------------------------------------- */
/* ast_dump: the format is described at the top of this file        */

static void dump_expr(const struct node *n, FILE *fp);

/* an operator without its quotes: "'=='" -> "==" */
static void dump_op(enum tok_kind op, FILE *fp)
{
	const char *s = tok_names[op];

	fprintf(fp, " %.*s", (int)strlen(s) - 2, s + 1);
}

/* " A B C" */
static void dump_list(const struct node *n, FILE *fp)
{
	for (; n; n = n->next) {
		fputc(' ', fp);
		dump_expr(n, fp);
	}
}

/* the operator forms of dump_expr that are not leaves or lists */
static void dump_expr_rest(const struct node *n, FILE *fp)
{
	switch (n->kind) {
	case N_COND:
		fputs("(cond", fp);
		dump_list(n->cond, fp);
		dump_list(n->then, fp);
		dump_list(n->els, fp);
		break;
	case N_MEMBER:
		fputs("(member", fp);
		dump_op(n->op, fp);
		dump_list(n->lhs, fp);
		fprintf(fp, " %s", n->name);
		break;
	case N_ASSIGN:
		fputs("(assign", fp);
		dump_list(n->lhs, fp);
		dump_list(n->rhs, fp);
		break;
	case N_CTX:
		fputs("(ctx", fp);
		break;
	default:
		fprintf(fp, "(?%d", (int)n->kind);	/* a statement */
		break;
	}
	fputc(')', fp);
}

static void dump_expr(const struct node *n, FILE *fp)
{
	switch (n->kind) {
	case N_NUM:
		fprintf(fp, "(num %llu", (unsigned long long)n->num);
		break;
	case N_STR:
		fputs("(str ", fp);
		lex_quote(fp, n->str, n->slen);
		break;
	case N_IDENT:
	case N_VAR:
	case N_MAP:
	case N_CALL:
		fprintf(fp, "(%s %s", n->kind == N_IDENT ? "ident" :
			n->kind == N_VAR ? "var" :
			n->kind == N_MAP ? "map" : "call", n->name);
		dump_list(n->args, fp);
		break;
	case N_BINOP:
	case N_UNOP:
		fputs(n->kind == N_BINOP ? "(binop" : "(unop", fp);
		dump_op(n->op, fp);
		dump_list(n->lhs, fp);
		if (n->rhs)
			dump_list(n->rhs, fp);
		break;
	default:
		dump_expr_rest(n, fp);
		return;
	}
	fputc(')', fp);
}

static void indent(int ind, FILE *fp)
{
	fprintf(fp, "%*s", ind, "");
}

/* one statement at ind, without the final newline */
static void dump_stmt(const struct node *n, int ind, FILE *fp)
{
	const struct node *s;

	indent(ind, fp);
	switch (n->kind) {
	case N_EXPR:
	case N_DELETE:
		fputs(n->kind == N_EXPR ? "(expr" : "(delete", fp);
		dump_list(n->lhs, fp);
		fputc(')', fp);
		break;
	case N_RETURN:
		fputs("(return)", fp);
		break;
	case N_BLOCK:
		fputs("(block", fp);
		for (s = n->body; s; s = s->next) {
			fputc('\n', fp);
			dump_stmt(s, ind + 2, fp);
		}
		fputc(')', fp);
		break;
	case N_IF:
		fputs("(if ", fp);
		dump_expr(n->cond, fp);
		fputc('\n', fp);
		dump_stmt(n->then, ind + 2, fp);
		if (n->els) {
			fputc('\n', fp);
			indent(ind + 2, fp);
			fputs("(else\n", fp);
			dump_stmt(n->els, ind + 4, fp);
			fputc(')', fp);
		}
		fputc(')', fp);
		break;
	default:
		dump_expr(n, fp);
		break;
	}
}

static void dump_probe(const struct node *n, FILE *fp)
{
	const struct node *s;

	fputs("(probe ", fp);
	lex_quote(fp, n->name, (int)strlen(n->name));
	if (n->cond) {
		fputs("\n  (pred ", fp);
		dump_expr(n->cond, fp);
		fputc(')', fp);
	}
	for (s = n->body; s; s = s->next) {
		fputc('\n', fp);
		dump_stmt(s, 2, fp);
	}
	fputs(")\n", fp);
}

/* a probe list, or any statement or expression list (for debugging) */
void ast_dump(const struct node *n, FILE *fp)
{
	for (; n; n = n->next) {
		if (n->kind == N_PROBE) {
			dump_probe(n, fp);
		} else {
			dump_stmt(n, 0, fp);
			fputc('\n', fp);
		}
	}
}
