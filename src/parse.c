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
	struct token tok2;	/* and the token after it, when have_tok2 */
	bool have_tok2;
	struct loc end;		/* just past the last token taken */
	bool in_pred;		/* inside / pred /: '/' ends the expression */
	int depth;		/* open blocks; 0 = a probe's own statement */
	int nest;		/* the recursion: statements, expressions */
	int loops;		/* open loops: break and continue go there */
	bool bt;		/* bpftrace's language */
	struct node *macros;	/* N_PROBE-like: name, args (params), body */
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

static int nargs_of(const struct node *n)
{
	int i = 0;

	for (; n; n = n->next)
		i++;
	return i;
}

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

/* the token after the lookahead (in expressions only: no spec) */
static struct token *peek2(struct parser *p)
{
	peek(p);
	if (!p->have_tok2) {
		p->tok2 = lex_next(&p->lx);
		p->have_tok2 = true;
	}
	return &p->tok2;
}

static struct token next(struct parser *p)
{
	struct token t = *peek(p);

	p->have_tok = p->have_tok2;
	p->tok = p->tok2;
	p->have_tok2 = false;
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

static bool tok_is(const struct token *t, const char *word)
{
	return t->len == (int)strlen(word) && !strncmp(t->p, word, t->len);
}

/* what ply can't do yet: said where it is, not at the next token */
static _Noreturn void unsupported(struct loc l, const char *what)
{
	diag_fatal(l, "%s is not supported by ply (yet)", what);
}

/* the lookahead is not what we want */
static _Noreturn void error_got(struct parser *p, const char *want)
{
	struct token *t = peek(p);

	if (t->kind == TOK_EOF)
		diag_fatal(p->end, "unexpected end of input, expected %s",
			   want);
	if (t->kind == TOK_INC || t->kind == TOK_DEC)
		unsupported(t->loc, "++ and -- inside an expression (as a "
			    "statement, @x++ is)");
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
/* the words that start a type in a cast: "(uint8)x", "(struct sock *)p" */
static bool type_word(const struct token *t)
{
	static const char *const words[] = {
		"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
		"uint64", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
		"char", "short", "int", "long", "unsigned", "signed", "bool",
		"void", "struct", "union", "enum",
	};
	size_t i;

	if (t->kind != TOK_IDENT)
		return false;
	for (i = 0; i < ARRAY_SIZE(words); i++)
		if ((int)strlen(words[i]) == t->len &&
		    !strncmp(words[i], t->p, t->len))
			return true;
	return false;
}

/* type = word { word } { "*" } [ "[" NUM "]" ]: its spelling */
static char *parse_type(struct parser *p)
{
	char *s = NULL, *o;
	struct token t;

	while (type_word(peek(p)) || (s && peek(p)->kind == TOK_IDENT)) {
		t = next(p);
		o = s;
		s = xasprintf("%s%s%.*s", o ? o : "", o ? " " : "", t.len, t.p);
	}
	if (!s)		/* let $x: = 1 */
		error_got(p, "a type");
	while (accept(p, TOK_STAR)) {
		o = s;
		s = xasprintf("%s%s*", o, o[strlen(o) - 1] == '*' ? "" : " ");
	}
	if (accept(p, TOK_LBRACK)) {
		t = expect(p, TOK_NUM);
		o = s;
		s = xasprintf("%s[%llu]", o, (unsigned long long)t.num);
		expect(p, TOK_RBRACK);
	}
	return s;
}

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

/* ident-expr = IDENT [ "(" [ args ] ")" ]  (IDENT "[" is a map-ref in
 * ply's language, where plain maps have bare names) */
static struct node *parse_ident(struct parser *p)
{
	struct token t = next(p);
	struct node *n;

	if (peek(p)->kind == TOK_LBRACK && !p->bt)
		return parse_map(p, &t);
	if (!accept(p, TOK_LPAREN)) {
		n = node_new(N_IDENT, t.loc);
		n->name = tok_text(&t);
		return n;
	}
	n = node_new(N_CALL, t.loc);
	n->name = tok_text(&t);
	/* sizeof(type), offsetof(struct s, member): a type first */
	if ((!strcmp(n->name, "sizeof") || !strcmp(n->name, "offsetof")) &&
	    type_word(peek(p))) {
		n->args = node_new(N_CAST, peek(p)->loc);
		n->args->name = parse_type(p);
		if (accept(p, TOK_COMMA))
			n->args->next = parse_args(p, TOK_RPAREN);
		else
			expect(p, TOK_RPAREN);
		return grown(n);
	}
	if (!accept(p, TOK_RPAREN))
		n->args = parse_args(p, TOK_RPAREN);
	return grown(n);
}

static struct node *parse_unary(struct parser *p);

/*
 * paren = "(" expr ")"
 *       | "(" expr "," expr { "," expr } ")"	(a tuple)
 *       | "(" type ")" unary			(a cast)
 */
static struct node *parse_paren(struct parser *p)
{
	bool in_pred = p->in_pred;
	struct token open = next(p);
	struct node *n, *t;

	p->in_pred = false;
	if (type_word(peek(p))) {
		n = node_new(N_CAST, open.loc);
		n->name = parse_type(p);
		expect(p, TOK_RPAREN);
		p->in_pred = in_pred;
		n->lhs = parse_unary(p);
		return grown(n);
	}
	n = parse_expr(p);
	if (peek(p)->kind == TOK_COMMA) {
		t = node_new(N_TUPLE, open.loc);
		t->args = n;
		while (accept(p, TOK_COMMA)) {
			n->next = parse_expr(p);
			n = n->next;
		}
		n = grown(t);
	}
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

/*
 * postfix = primary { ( "." | "->" ) IDENT | "." NUM | "[" expr "]" }
 * (a map-ref takes its own "[": here "[" is a subscript, $s[0], and
 * ".0" a tuple's first value)
 */
static struct node *parse_postfix(struct parser *p)
{
	struct node *n = parse_primary(p), *m;
	struct token op, name;
	bool in_pred;

	for (;;) {
		if (peek(p)->kind == TOK_DOT || peek(p)->kind == TOK_ARROW) {
			op = next(p);
			name = peek(p)->kind == TOK_NUM && op.kind == TOK_DOT ?
				next(p) : expect(p, TOK_IDENT);
			m = node_new(N_MEMBER, op.loc);
			m->op = op.kind;
			m->lhs = n;
			m->name = tok_text(&name);
			n = grown(m);
		} else if (peek(p)->kind == TOK_LBRACK && n->kind != N_MAP) {
			op = next(p);
			m = node_new(N_INDEX, op.loc);
			m->lhs = n;
			in_pred = p->in_pred;
			p->in_pred = false;
			m->rhs = parse_expr(p);
			p->in_pred = in_pred;
			expect(p, TOK_RBRACK);
			n = grown(m);
		} else {
			return n;
		}
	}
}

/* unary = ( "-" | "~" | "!" | "*" ) unary | postfix */
static struct node *parse_unary(struct parser *p)
{
	enum tok_kind k = peek(p)->kind;
	struct node *n;

	if (k == TOK_INC || k == TOK_DEC)
		unsupported(peek(p)->loc, "++ and -- inside an expression (as "
			    "a statement, ++@x is)");
	if (k == TOK_AMP)
		unsupported(peek(p)->loc, "the address of a value ('&')");
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

/* the compound assignments and the binary operator each stands for */
static const struct {
	enum tok_kind tok, op;
} compound[] = {
	{ TOK_ADD_EQ, TOK_PLUS }, { TOK_SUB_EQ, TOK_MINUS },
	{ TOK_MUL_EQ, TOK_STAR }, { TOK_DIV_EQ, TOK_SLASH },
	{ TOK_MOD_EQ, TOK_PERCENT }, { TOK_AND_EQ, TOK_AMP },
	{ TOK_OR_EQ, TOK_PIPE }, { TOK_XOR_EQ, TOK_CARET },
	{ TOK_SHL_EQ, TOK_SHL }, { TOK_SHR_EQ, TOK_SHR },
	{ TOK_INC, TOK_PLUS }, { TOK_DEC, TOK_MINUS },
};

static int compound_index(enum tok_kind k)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(compound); i++)
		if (compound[i].tok == k)
			return (int)i;
	return -1;
}

/* lhs op= rhs (or lhs++: rhs 1) as lhs = lhs op rhs */
static struct node *desugar(struct node *lhs, struct token op,
			    struct node *rhs)
{
	struct node *n = node_new(N_ASSIGN, op.loc), *b;

	if (lhs->kind != N_MAP && lhs->kind != N_VAR)
		diag_fatal(lhs->loc, "can't assign to %s", node_desc(lhs));
	if (!rhs) {
		rhs = node_new(N_NUM, op.loc);
		rhs->num = 1;
	}
	b = node_new(N_BINOP, op.loc);
	b->op = compound[compound_index(op.kind)].op;
	b->lhs = node_clone(lhs);
	b->rhs = rhs;
	n->lhs = lhs;
	n->rhs = grown(b);
	return grown(n);
}

/*
 * assign = expr [ "=" assign | op= expr | "++" | "--" ]
 *        | ( "++" | "--" ) expr
 * (only a map or a $var on the left)
 */
static struct node *parse_assign(struct parser *p)
{
	struct node *lhs, *n;
	struct token op;
	int c;

	if (peek(p)->kind == TOK_INC || peek(p)->kind == TOK_DEC) {
		op = next(p);
		return desugar(parse_postfix(p), op, NULL);
	}
	lhs = parse_expr(p);
	c = compound_index(peek(p)->kind);
	if (c >= 0) {
		op = next(p);
		enter(p);
		n = desugar(lhs, op, compound[c].tok == TOK_INC ||
			    compound[c].tok == TOK_DEC ? NULL : parse_expr(p));
		leave(p);
		return n;
	}
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

/*
 * if-stmt = "if" "(" expr ")" stmt [ "else" stmt ]
 *         | "if" expr block [ "else" stmt ]	(bpftrace: if $x { })
 * bpftrace's if (a) && b { } is the second form too.
 */
static struct node *parse_if(struct parser *p)
{
	struct node *n = node_new(N_IF, next(p).loc);

	if (peek(p)->kind == TOK_LPAREN && !p->bt) {
		next(p);
		n->cond = parse_expr(p);
		expect(p, TOK_RPAREN);
		n->then = parse_stmt(p);
	} else {
		n->cond = parse_expr(p);
		if (peek(p)->kind != TOK_LBRACE)
			error_got(p, "'{'");
		n->then = parse_stmt(p);
	}
	if (p->depth == 0)	/* a probe's statement: a probe may follow */
		peek_probe(p);
	if (accept(p, TOK_ELSE))
		n->els = parse_stmt(p);
	return n;
}

/*
 * delete-stmt = "delete" map-ref end
 *             | "delete" "(" map-ref ")" end		(bpftrace)
 *             | "delete" "(" MAP "," expr ")" end	(bpftrace)
 * a tuple as the key stands for the keys it holds
 */
static struct node *parse_delete(struct parser *p)
{
	struct node *n = node_new(N_DELETE, next(p).loc), *k;
	bool paren = accept(p, TOK_LPAREN);

	n->lhs = parse_postfix(p);
	if (n->lhs->kind != N_MAP)
		diag_fatal(n->lhs->loc, "can't delete %s", node_desc(n->lhs));
	if (paren && accept(p, TOK_COMMA)) {
		if (n->lhs->args)
			diag_fatal(n->lhs->loc, "delete(@m, key) takes the "
				   "map without a key");
		k = parse_expr(p);
		n->lhs->args = k->kind == N_TUPLE ? k->args : k;
	}
	if (paren)
		expect(p, TOK_RPAREN);
	parse_end(p);
	return n;
}

/* body = block (a loop's) */
static struct node *parse_loop_body(struct parser *p, struct node *n)
{
	if (peek(p)->kind != TOK_LBRACE)
		error_got(p, "'{'");
	p->loops++;
	n->body = parse_block(p);
	p->loops--;
	return grown(n);
}

/*
 * loop = "while" "(" expr ")" block
 *      | "unroll" "(" NUM ")" block
 *      | "for" "(" VAR ":" ( MAP | expr ".." expr ) ")" block
 */
static struct node *parse_loop(struct parser *p)
{
	struct token t = next(p);
	struct node *n = node_new(N_LOOP, t.loc), *r;
	bool paren = true;

	n->op = t.kind;
	if (t.kind == TOK_FOR && peek(p)->kind == TOK_VAR)
		paren = false;		/* for $i : a..b { } */
	else
		expect(p, TOK_LPAREN);
	if (t.kind == TOK_WHILE) {
		n->cond = parse_expr(p);
	} else if (t.kind == TOK_UNROLL) {
		n->num = expect(p, TOK_NUM).num;
		if (!n->num || n->num > 100)
			diag_fatal(t.loc, "unroll needs a count from 1 to 100");
	} else {
		t = expect(p, TOK_VAR);
		n->lhs = node_new(N_VAR, t.loc);
		n->lhs->name = tok_text(&t);
		expect(p, TOK_COLON);
		n->rhs = parse_expr(p);
		if (accept(p, TOK_DOTDOT)) {
			r = node_new(N_BINOP, n->rhs->loc);
			r->op = TOK_DOTDOT;
			r->lhs = n->rhs;
			r->rhs = parse_expr(p);
			n->rhs = grown(r);
		}
	}
	if (paren)
		expect(p, TOK_RPAREN);
	return parse_loop_body(p, n);
}

/* let-stmt = "let" VAR [ ":" type ] [ "=" expr ] end */
static struct node *parse_let(struct parser *p)
{
	struct token let = next(p), v = expect(p, TOK_VAR);
	struct node *var = node_new(N_VAR, v.loc), *n, *c;

	var->name = tok_text(&v);
	n = node_new(N_BLOCK, let.loc);		/* let $x; declares only */
	c = NULL;
	if (accept(p, TOK_COLON)) {
		c = node_new(N_CAST, peek(p)->loc);
		c->name = parse_type(p);
	}
	if (accept(p, TOK_ASSIGN)) {
		n = node_new(N_ASSIGN, let.loc);
		n->lhs = var;
		n->rhs = parse_expr(p);
		if (c) {
			c->lhs = n->rhs;
			n->rhs = grown(c);
		}
		n = grown(n);
	}
	parse_end(p);
	return n;
}

/*
 * stmt = block | if-stmt | delete-stmt | loop | let-stmt
 *      | "return" end | "break" end | "continue" end
 *      | assign end
 */
static struct node *parse_stmt(struct parser *p)
{
	enum node_kind kind;
	struct node *n;

	enter(p);
	switch (peek(p)->kind) {
	case TOK_WHILE:
	case TOK_FOR:
	case TOK_UNROLL:
		n = parse_loop(p);
		leave(p);
		return n;
	case TOK_LET:
		n = parse_let(p);
		leave(p);
		return n;
	case TOK_BREAK:
	case TOK_CONTINUE:
		if (!p->loops)
			diag_fatal(peek(p)->loc, "%s outside a loop",
				   tok_names[peek(p)->kind]);
		kind = peek(p)->kind == TOK_BREAK ? N_BREAK : N_CONTINUE;
		n = node_new(kind, next(p).loc);
		break;
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
	case TOK_SEMI:		/* an empty statement */
		n = node_new(N_BLOCK, next(p).loc);
		leave(p);
		return n;
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

/* ---------------------------------------------------------------- */
/* bpftrace's top level: config = { ... } and macros                */

/* config = "config" "=" "{" { IDENT "=" expr ";" } "}" */
static struct node *parse_config(struct parser *p)
{
	struct node *head = NULL, **tail = &head;
	struct token t;

	next(p);
	expect(p, TOK_ASSIGN);
	expect(p, TOK_LBRACE);
	while (!accept(p, TOK_RBRACE)) {
		t = expect(p, TOK_IDENT);
		*tail = node_new(N_CONFIG, t.loc);
		(*tail)->name = tok_text(&t);
		expect(p, TOK_ASSIGN);
		(*tail)->lhs = peek(p)->kind == TOK_IDENT ?
			parse_primary(p) : parse_expr(p);
		tail = &(*tail)->next;
		if (peek(p)->kind != TOK_RBRACE)
			expect(p, TOK_SEMI);
	}
	return head;
}

/* macro = "macro" IDENT "(" [ param { "," param } ] ")" block;
 * param = VAR | MAP | IDENT */
static void parse_macro(struct parser *p)
{
	struct node *m = node_new(N_PROBE, next(p).loc), **tail = &m->args;
	struct token t = expect(p, TOK_IDENT);

	m->name = tok_text(&t);
	expect(p, TOK_LPAREN);
	while (!accept(p, TOK_RPAREN)) {
		t = next(p);
		if (t.kind != TOK_VAR && t.kind != TOK_MAP &&
		    t.kind != TOK_IDENT)
			diag_fatal(t.loc, "a macro's parameter is a $var, an "
				   "@map or a name");
		*tail = node_new(t.kind == TOK_VAR ? N_VAR : t.kind == TOK_MAP ?
				 N_MAP : N_IDENT, t.loc);
		(*tail)->name = tok_text(&t);
		tail = &(*tail)->next;
		if (peek(p)->kind != TOK_RPAREN)
			expect(p, TOK_COMMA);
	}
	if (peek(p)->kind != TOK_LBRACE)
		error_got(p, "'{'");
	m->body = parse_block(p)->body;
	m->next = p->macros;
	p->macros = m;
}

static const struct node *macro_find(const struct parser *p, const char *name)
{
	const struct node *m;

	for (m = p->macros; m; m = m->next)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

static void substitute(struct node **np, const struct node *param,
		       const struct node *arg);

/* every slot of n that holds nodes */
#define EACH_SLOT(n, X) do {					\
		X(&(n)->lhs); X(&(n)->rhs); X(&(n)->cond);	\
		X(&(n)->then); X(&(n)->els); X(&(n)->body);	\
		X(&(n)->args);					\
	} while (0)

/* in the list at *np, param (a parameter) becomes arg */
static void substitute(struct node **np, const struct node *param,
		       const struct node *arg)
{
	struct node *n, *next, *c;

#define SUB(slot) substitute(slot, param, arg)
	for (; (n = *np); np = &(*np)->next) {
		EACH_SLOT(n, SUB);
		if (n->kind != param->kind || !n->name ||
		    strcmp(n->name, param->name))
			continue;
		if (param->kind == N_MAP && n->kind == N_MAP) {
			if (arg->kind != N_MAP || arg->args)
				diag_fatal(arg->loc, "'%s' is a map parameter: "
					   "pass a map", param->name);
			n->name = arg->name;
			continue;
		}
		next = n->next;
		c = node_clone(arg);
		c->next = next;
		*np = c;
	}
#undef SUB
}

/* the body of macro m, given the arguments of call */
static struct node *instance(const struct node *m, const struct node *call)
{
	struct node *body = node_clone(m->body);
	const struct node *param, *arg;

	for (param = m->args, arg = call->args; param && arg;
	     param = param->next, arg = arg->next)
		substitute(&body, param, arg);
	if (param || arg)
		diag_fatal(call->loc, "macro '%s' takes %d argument%s",
			   m->name, nargs_of(m->args), nargs_of(m->args) == 1 ?
			   "" : "s");
	return body;
}

static void expand_list(struct parser *p, struct node **np, int depth);

/* macro calls in the tree at *np: a statement becomes the body's
 * statements, a value the body's one expression */
static void expand(struct parser *p, struct node **np, int depth)
{
	struct node *n = *np, *body, *b;
	const struct node *m;

	if (!(n->kind == N_EXPR && n->lhs->kind == N_CALL &&
	      macro_find(p, n->lhs->name))) {
#define EXP(slot) expand_list(p, slot, depth)
		EACH_SLOT(n, EXP);
#undef EXP
	}
	if (n->kind == N_EXPR && n->lhs->kind == N_CALL &&
	    (m = macro_find(p, n->lhs->name))) {
		b = node_new(N_BLOCK, n->loc);
		b->body = instance(m, n->lhs);
		b->next = n->next;
		*np = b;
	} else if (n->kind == N_CALL && (m = macro_find(p, n->name))) {
		body = instance(m, n);
		if (!body || body->next || body->kind != N_EXPR)
			unsupported(n->loc, "a macro of statements used as a "
				    "value");
		body->lhs->next = n->next;
		*np = body->lhs;
	} else {
		return;
	}
	if (depth >= 16)
		diag_fatal(n->loc, "macros call each other too deep");
	expand(p, np, depth + 1);
}

static void expand_list(struct parser *p, struct node **np, int depth)
{
	for (; *np; np = &(*np)->next)
		expand(p, np, depth);
}

/* script = { probe | config | macro } EOF */
struct node *parse_script(const struct src *src)
{
	struct node *head = NULL, **tail = &head, *probes = NULL, **pt = &probes;
	struct parser p;
	struct token *t;

	memset(&p, 0, sizeof(p));
	lex_init(&p.lx, src);
	p.bt = src->bt;
	p.end = p.lx.loc;
	while ((t = peek_probe(&p))->kind != TOK_EOF) {
		if (t->kind == TOK_IDENT && (tok_is(t, "struct") ||
		    tok_is(t, "union") || tok_is(t, "enum") ||
		    tok_is(t, "typedef")))
			unsupported(t->loc, "a type declaration (kernel struct "
				    "types)");
		if (t->kind == TOK_IDENT && t->len == 6 &&
		    !strncmp(t->p, "config", 6) &&
		    peek2(&p)->kind == TOK_ASSIGN) {
			*tail = parse_config(&p);
		} else if (t->kind == TOK_IDENT && t->len == 5 &&
			   !strncmp(t->p, "macro", 5) &&
			   peek2(&p)->kind == TOK_IDENT) {
			parse_macro(&p);
			continue;
		} else {
			*pt = parse_probe(&p);
			while (*pt)
				pt = &(*pt)->next;
			continue;
		}
		while (*tail)
			tail = &(*tail)->next;
	}
	if (p.macros)
		expand_list(&p, &probes, 0);
	*tail = probes;		/* settings first, then the probes */
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
	case N_CAST:
		fprintf(fp, "(cast %s", n->name);
		dump_list(n->lhs, fp);
		break;
	case N_TUPLE:
		fputs("(tuple", fp);
		dump_list(n->args, fp);
		break;
	case N_INDEX:
		fputs("(index", fp);
		dump_list(n->lhs, fp);
		dump_list(n->rhs, fp);
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
	case N_BREAK:
	case N_CONTINUE:
		fputs(n->kind == N_BREAK ? "(break)" : "(continue)", fp);
		break;
	case N_CONFIG:
		fprintf(fp, "(config %s ", n->name);
		dump_expr(n->lhs, fp);
		fputc(')', fp);
		break;
	case N_LOOP:
		fprintf(fp, "(%s", n->op == TOK_WHILE ? "while" :
			n->op == TOK_UNROLL ? "unroll" : "for");
		if (n->op == TOK_UNROLL)
			fprintf(fp, " %llu", (unsigned long long)n->num);
		dump_list(n->cond, fp);
		dump_list(n->lhs, fp);
		dump_list(n->rhs, fp);
		fputc('\n', fp);
		dump_stmt(n->body, ind + 2, fp);
		fputc(')', fp);
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
		if (n->kind == N_CONFIG) {
			dump_stmt(n, 0, fp);
			fputc('\n', fp);
		} else if (n->kind == N_PROBE) {
			dump_probe(n, fp);
		} else {
			dump_stmt(n, 0, fp);
			fputc('\n', fp);
		}
	}
}
