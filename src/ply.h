/*
 * ply.h - the one internal header, in pipeline order.
 *
 *   source --lex.c--> tokens --parse.c--> AST --sema.c--> typed AST
 *   --codegen.c + bpf_asm.c--> BPF programs --bpf_sys.c--> loaded
 *   programs and maps --provider/-->  attached probes --perf_ring.c-->
 *   events --output.c--> text on stdout.
 *
 * compile.c runs the first half (source to BPF) for a kernel that
 * kernel.c described beforehand; nothing in it touches the kernel.
 * run.c runs the second half.  Each section below belongs to one file
 * (or one folder); a stage only reads the data of the stages before
 * it.  compile.h is the private interface of the compile stage's
 * files (sema, builtin, codegen, cg_map).
 */
#ifndef PLY_H
#define PLY_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpf_abi.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* fmt.c: printf's family without floating point, for every stage (a
 * libc's would bring 10 kB of float formatting into a static ply) */
int ply_printf(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
int ply_fprintf(FILE *fp, const char *fmt, ...)
	__attribute__((format(__printf__, 2, 3)));
int ply_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));
int ply_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(__printf__, 3, 0)));
int ply_vfprintf(FILE *fp, const char *fmt, va_list ap)
	__attribute__((format(__printf__, 2, 0)));
#define printf ply_printf
#define fprintf ply_fprintf
#define snprintf ply_snprintf
#define vsnprintf ply_vsnprintf
#define vfprintf ply_vfprintf

/* ---------------------------------------------------------------- */
/* diag.c: messages that point at the source                        */

struct loc {
	int line, col;		/* 1-based */
	int off;		/* byte offset into the source text */
};

struct src {
	const char *name;	/* "<cmdline>" or the file name */
	const char *text;	/* NUL-terminated */
	bool bt;		/* bpftrace's language (and output) */
	int argc;		/* positional parameters: $1 .. $N, $# */
	char **argv;
	struct {		/* $NAMEs of the run's (target: -c's
				 * command), before the environment's */
		const char *name, *value;
	} vars[4];
	int nvars;
};

#define DIAG_MAX_ERRORS	20	/* then "too many errors" ends the compile */

extern const struct src *diag_src;	/* the script being compiled */
extern int diag_nerrors;		/* errors since diag_reset */
extern jmp_buf *diag_jmp;	/* where diag_fatal goes; NULL: exit(1) */
extern char diag_last[256];	/* the last error's message (-T) */
extern FILE *diag_file;		/* where messages go; NULL: stderr */
extern bool diag_color;		/* set from isatty(2) by main */
extern bool diag_no_warnings;	/* bpftrace's --no-warnings */
extern bool diag_quiet;		/* errors go to diag_last only */

/* a new compile of src: no errors yet */
void diag_reset(const struct src *src);

/* "ply: <name>:L:C: error: msg", the source line and a caret */
void diag_error(struct loc l, const char *fmt, ...)
	__attribute__((format(__printf__, 2, 3)));
void diag_warn(struct loc l, const char *fmt, ...)
	__attribute__((format(__printf__, 2, 3)));
void diag_note(struct loc l, const char *fmt, ...)
	__attribute__((format(__printf__, 2, 3)));
_Noreturn void diag_fatal(struct loc l, const char *fmt, ...)
	__attribute__((format(__printf__, 2, 3)));
/* "ply: error: msg" / "ply: warning: msg", no location */
void err_msg(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
void warn_msg(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
/* debug output, shown with -d */
extern bool debug_on;
void dbg(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));

/* the nearest of names[] to name (edit distance), or NULL if none is close */
const char *nearest_name(const char *name, const char *const *names, int n);
/* shell-style match: * ? [a-z] [!x], and !(a|b) (anything but a or b) */
bool glob_match(const char *pat, const char *s);
bool is_glob(const char *pat);

/* qsort and strstr in less code (a static binary carries libc's) */
void sort(void *base, size_t n, size_t size,
	  int (*cmp)(const void *, const void *));
char *str_find(const char *s, const char *sub);

/* util.c: getopt_long's job for the command lines, in less code:
 * options anywhere (the arguments that are not go to rest, in order),
 * "--" ends them.  has_arg: 0 none, 1 required, 2 optional (--x=V) */
struct cli_opt {
	const char *name;
	int has_arg;
	int val;
};
struct cli {
	int argc;
	char **argv;
	int i;			/* the next argument */
	const char *next;	/* the rest of a cluster (-lv) */
	bool dashdash;
	char *arg;		/* the option's value, or NULL */
	char **rest;		/* argc of room: what are not options */
	int nrest;
};
int cli_next(struct cli *c, const char *shorts, const struct cli_opt *longs);

/* command.c: sh -c CMD, its stdout to read (popen's job, smaller) */
FILE *sh_open(const char *cmd, int *pid);
int sh_close(FILE *fp, int pid);	/* its exit status, or -1 */

/* allocation that cannot fail: "ply: out of memory" and exit 1 */
_Noreturn void oom(void);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);	/* p from xcalloc or NULL */
void xfree(void *p);			/* p from the x* above */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);
/* free every x* block (a fuzzer compiles many scripts in one process) */
void alloc_release_all(void);
/* for tables kept in static variables for the life of the process */
void *perm_realloc(void *p, size_t size);
char *perm_strdup(const char *s);

/* ---------------------------------------------------------------- */
/* lex.c: source text to tokens                                     */

#define TOKENS(X)						\
	X(TOK_EOF, "end of input")				\
	X(TOK_IDENT, "identifier")	/* comm, count, m */	\
	X(TOK_MAP, "@-name")		/* @, @reads */		\
	X(TOK_VAR, "$-name")		/* $x, $target */	\
	X(TOK_NUM, "number")					\
	X(TOK_STR, "string")					\
	X(TOK_SPEC, "probe")		/* kprobe:vfs_read */	\
	X(TOK_BEGIN, "'BEGIN'")					\
	X(TOK_END, "'END'")					\
	X(TOK_IF, "'if'")					\
	X(TOK_ELSE, "'else'")					\
	X(TOK_RETURN, "'return'")				\
	X(TOK_DELETE, "'delete'")				\
	X(TOK_LBRACE, "'{'")					\
	X(TOK_RBRACE, "'}'")					\
	X(TOK_LPAREN, "'('")					\
	X(TOK_RPAREN, "')'")					\
	X(TOK_LBRACK, "'['")					\
	X(TOK_RBRACK, "']'")					\
	X(TOK_SEMI, "';'")					\
	X(TOK_COMMA, "','")					\
	X(TOK_DOT, "'.'")					\
	X(TOK_ARROW, "'->'")					\
	X(TOK_QUESTION, "'?'")					\
	X(TOK_COLON, "':'")					\
	X(TOK_ASSIGN, "'='")					\
	X(TOK_PLUS, "'+'")					\
	X(TOK_MINUS, "'-'")					\
	X(TOK_STAR, "'*'")					\
	X(TOK_SLASH, "'/'")					\
	X(TOK_PERCENT, "'%'")					\
	X(TOK_AMP, "'&'")					\
	X(TOK_PIPE, "'|'")					\
	X(TOK_CARET, "'^'")					\
	X(TOK_TILDE, "'~'")					\
	X(TOK_NOT, "'!'")					\
	X(TOK_SHL, "'<<'")					\
	X(TOK_SHR, "'>>'")					\
	X(TOK_LT, "'<'")					\
	X(TOK_GT, "'>'")					\
	X(TOK_LE, "'<='")					\
	X(TOK_GE, "'>='")					\
	X(TOK_EQ, "'=='")					\
	X(TOK_NE, "'!='")					\
	X(TOK_ANDAND, "'&&'")					\
	X(TOK_OROR, "'||'")					\
	X(TOK_INC, "'++'")					\
	X(TOK_DEC, "'--'")					\
	X(TOK_ADD_EQ, "'+='")					\
	X(TOK_SUB_EQ, "'-='")					\
	X(TOK_MUL_EQ, "'*='")					\
	X(TOK_DIV_EQ, "'/='")					\
	X(TOK_MOD_EQ, "'%='")					\
	X(TOK_AND_EQ, "'&='")					\
	X(TOK_OR_EQ, "'|='")					\
	X(TOK_XOR_EQ, "'^='")					\
	X(TOK_SHL_EQ, "'<<='")					\
	X(TOK_SHR_EQ, "'>>='")					\
	X(TOK_DOTDOT, "'..'")					\
	X(TOK_LET, "'let'")					\
	X(TOK_FOR, "'for'")					\
	X(TOK_WHILE, "'while'")				\
	X(TOK_BREAK, "'break'")				\
	X(TOK_CONTINUE, "'continue'")				\
	X(TOK_UNROLL, "'unroll'")

enum tok_kind {
#define X(k, s) k,
	TOKENS(X)
#undef X
	TOK_NKINDS
};

extern const char *const tok_names[TOK_NKINDS];	/* "'{'", "number" ... */

struct token {
	enum tok_kind kind;
	struct loc loc;
	const char *p;		/* into the source text */
	int len;		/* bytes at p */
	uint64_t num;		/* TOK_NUM */
	char *str;		/* TOK_STR: unescaped, NUL-terminated */
	int slen;		/* TOK_STR: bytes in str, without the NUL */
};

/* bpftrace: #define NAME body, the body's tokens where NAME stands */
struct define {
	const char *name, *body;	/* into the source */
	int nlen, blen;
	struct loc loc;			/* of the body */
};

#define LEX_MAX_EXPANSION	8	/* defines within defines */
#define LEX_MAX_IFS		16	/* #if... nesting */

struct lexer {
	const struct src *src;
	const char *p;		/* next unread byte */
	struct loc loc;		/* location of p */
	bool spec_ok;		/* parser: an identifier followed by ':' here
				 * starts a probe spec */
	bool bol;		/* p is at the start of a line (blanks
				 * aside): a '#' there is a directive */
	struct define *defs;	/* bpftrace: #define */
	int ndefs;
	struct {		/* a define's body being read */
		const char *p, *end;	/* the body: p runs to end */
		struct loc loc;		/* where the source goes on */
		const char *src_p;
	} exp[LEX_MAX_EXPANSION];
	int nexp;
	int nifs;		/* open #if..., #ifdef, #ifndef */
};

void lex_init(struct lexer *lx, const struct src *src);
/* the next token; errors are fatal (diag_fatal at the offending column) */
struct token lex_next(struct lexer *lx);
/* -S: print every token of src, one per line */
void lex_dump(const struct src *src, FILE *fp);
/* s[0..len) as a C string literal: quotes, \n \" ..., else \ooo */
void lex_quote(FILE *fp, const char *s, int len);

/* ---------------------------------------------------------------- */
/* parse.c: tokens to AST (grammar/ply.ebnf is the reference)       */

enum node_kind {
	N_NUM,		/* num */
	N_STR,		/* str, slen */
	N_IDENT,	/* name: built-in or provider variable (comm, arg0) */
	N_VAR,		/* name: "$x" scratch or environment variable */
	N_MAP,		/* name[args]: name "m" or "@m"; args NULL if keyless */
	N_CALL,		/* name(args) */
	N_BINOP,	/* lhs op rhs; op is the token kind */
	N_UNOP,		/* op lhs: TOK_MINUS, TOK_TILDE, TOK_NOT, TOK_STAR */
	N_COND,		/* cond ? then : els */
	N_MEMBER,	/* lhs.name (op TOK_DOT) or lhs->name (op TOK_ARROW) */
	N_ASSIGN,	/* lhs = rhs; lhs is N_MAP or N_VAR */
	N_DELETE,	/* delete lhs */
	N_EXPR,		/* lhs; (an expression statement) */
	N_IF,		/* if (cond) then [else els] */
	N_BLOCK,	/* { body } */
	N_RETURN,	/* return; */
	N_PROBE,	/* name = spec text; cond = predicate or NULL; body */
	N_CTX,		/* the program's context: what a provider variable
			 * (data, regs) becomes; typed by the provider */
	N_CAST,		/* (name) lhs: name is the type as written */
	N_TUPLE,	/* (args): a tuple of values */
	N_INDEX,	/* lhs[rhs] */
	N_LOOP,		/* op TOK_WHILE: while (cond) body;
			 * op TOK_UNROLL: unroll(num) body;
			 * op TOK_FOR: for (lhs : rhs) body, rhs a map or
			 * an N_BINOP TOK_DOTDOT (a range) */
	N_BREAK,	/* break; */
	N_CONTINUE,	/* continue; */
	N_CONFIG,	/* config = { name = lhs; }: one setting */
};

struct type;
struct map;
struct builtin;
struct var;
struct action;

struct node {
	enum node_kind kind;
	struct loc loc;		/* first token; every diagnostic uses it */
	struct node *next;	/* sibling in a list (args, body, probes) */

	struct node *lhs, *rhs;		/* operands, N_ASSIGN, N_EXPR */
	struct node *cond, *then, *els;	/* N_IF, N_COND, N_PROBE cond */
	struct node *body;		/* N_BLOCK, N_PROBE: statement list */
	struct node *args;		/* N_CALL, N_MAP */
	enum tok_kind op;		/* N_BINOP, N_UNOP, N_MEMBER */
	const char *name;		/* N_IDENT, N_VAR, N_MAP, N_CALL,
					 * N_MEMBER field, N_PROBE spec */
	uint64_t num;			/* N_NUM */
	const char *str;		/* N_STR */
	int slen;			/* N_STR: bytes without the NUL */
	int height;			/* of the expression tree below */

	struct type *cast;		/* its type is this (set by providers:
					 * argN is an unsigned long) */

	/* filled in by sema.c, once; codegen.c dispatches on them */
	struct type *type;		/* the expression's type */
	struct map *map;		/* N_MAP, and map-taking calls */
	const struct builtin *bi;	/* N_IDENT, N_CALL: the built-in */
	struct var *var;		/* N_VAR: the scratch variable */
	struct action *action;		/* N_CALL of print, printf ... */
};

/* builtin.c: the caller of a kprobe_multi program (bpf_get_func_ip);
 * the table itself is compile.h's */
extern const struct builtin bi_func_ip;

#define MAX_NESTING	128	/* blocks, and expressions' depth */
#define MAX_PROGS_PER_EVENT 64	/* the kernel's BPF_TRACE_MAX_PROGS */
#define MAX_MAPS_PER_PROG 64	/* the kernel's MAX_USED_MAPS */
#define MAX_SCRIPT	(1 << 20)	/* bytes of a script */

struct node *node_new(enum node_kind kind, struct loc loc);
struct node *node_clone(const struct node *n);	/* deep, with siblings */
/* parse the whole script: a list of N_PROBE; errors are fatal */
struct node *parse_script(const struct src *src);
/* -S and golden tests: an S-expression dump of the tree */
void ast_dump(const struct node *n, FILE *fp);

/* ---------------------------------------------------------------- */
/* type.c: C-like types, their sizes and their printers             */

enum type_kind { TY_VOID, TY_INT, TY_PTR, TY_ARRAY, TY_STRUCT };

/* How a value of the type is printed (output.c). */
enum printer {
	FMT_DEFAULT,	/* by kind: %d/%u, <hex> pointers, strings, { } */
	FMT_PID,		/* %5u */
	FMT_UID,		/* %4u */
	FMT_CPU,		/* %2u */
	FMT_HEX,		/* %#lx (reg_t) */
	FMT_TIME,		/* a duration: "1.02us" */
	FMT_WALLTIME,	/* a clock time: "03:01:51.417500869" */
	FMT_STACK,	/* stack id: newline, then "\tsym+off\n" per frame */
	FMT_KSYM,		/* kernel address: "sym+off" */
	FMT_DYN,		/* __data_loc: "dynamic(N bytes, offset 0x..)" */
	FMT_QUANTIZE,	/* u64[] log2 buckets; base = argument type */
	FMT_TUPLE,	/* a struct printed "(a, b)" */
	FMT_HIST,		/* u64[] bpftrace's log2 buckets: 0, 1, then
			 * [2^(i-1), 2^i); base = argument type */
	FMT_LHIST,	/* u64[] linear buckets: below min, min..max in
			 * steps, max and above; base = argument type */
	FMT_AVG,		/* { u64 count; s64 total }: total / count */
	FMT_STATS,	/* the same: "count N, average A, total T" */
	FMT_MINMAX,	/* { s64 value; u64 set }: the value */
	FMT_SYM,		/* kernel address: "sym" (bpftrace's ksym) */
	FMT_USYM,		/* user address: hex until uprobes (usym) */
	FMT_USTACK,	/* user stack id: "\t0x...\n" per frame */
	FMT_STRFTIME,	/* { u64 ns } since boot: strftime(strfmt) */
	FMT_NTOP,		/* { u64 af; u8 addr[16] }: IPv4 or IPv6 text */
	FMT_BUF,		/* { u64 len; u8 data[] }: \xNN escapes (%r) */
	FMT_STRERROR,	/* an errno: strerror(3) text */
	FMT_KPROBE,	/* kernel address: "kprobe:sym" (probe) */
};

/* a histogram's buckets (u64[]) */
static inline bool fmt_is_hist(enum printer f)
{
	return f == FMT_QUANTIZE || f == FMT_HIST || f == FMT_LHIST;
}

struct field {
	const char *name;
	struct type *type;
	int off;
};

struct type {
	enum type_kind kind;
	int size;		/* bytes */
	int align;
	bool sign;		/* TY_INT */
	bool user;		/* TY_PTR: points into user space (uptr) */
	bool ctx;		/* TY_PTR: points into the program's context:
				 * read with direct loads */
	enum printer fmt;
	struct type *base;	/* TY_PTR pointee; TY_ARRAY element;
				 * FMT_QUANTIZE: the argument's type */
	int len;		/* TY_ARRAY elements */
	const char *name;	/* "int", "struct sched_switch", "" (anon) */
	struct field *fields;	/* TY_STRUCT */
	int nfields;
	int64_t min, max, step;	/* FMT_LHIST; FMT_STACK/USTACK: max =
				 * frames printed (0: all) */
	const char *strfmt;	/* FMT_STRFTIME: strftime's format */
};

extern struct type ty_void, ty_char, ty_s8, ty_u8, ty_s16, ty_u16,
	ty_s32, ty_u32, ty_s64, ty_u64;
/* the built-in variables' types: integers with their printers */
extern struct type ty_pid, ty_uid, ty_cpu, ty_time, ty_walltime, ty_stack,
	ty_comm;
#define ty_int ty_s32
#define ty_uint ty_u32
#define ty_long ty_s64
#define ty_ulong ty_u64

struct type *type_int(int size, bool sign);	/* one of the ty_* above */
struct type *type_new(enum type_kind kind);	/* zeroed, for variants */
struct type *type_with_fmt(struct type *t, enum printer fmt);	/* copy */
struct type *type_ptr(struct type *base, bool user, bool ctx);
struct type *type_array(struct type *elem, int len);
struct type *type_str(int len);			/* char[len] */
/* a struct from fields with .off < 0 laid out C-like, else as given */
struct type *type_struct(const char *name, struct field *f, int n);
const struct field *type_field(const struct type *t, const char *name);
bool type_is_str(const struct type *t);		/* char[] */
bool type_is_scalar(const struct type *t);	/* int or pointer */
bool type_equal(const struct type *a, const struct type *b);
/* "unsigned int", "char[16]", "struct sched_switch *" */
const char *type_name(const struct type *t);
struct arch;
/* a cast's type as written ("uint8", "unsigned long", "int8 *",
 * "uint8[4]"), long being arch a's; NULL if unknown, *kernel set for
 * a struct, union or enum (a kernel type) */
struct type *type_parse(const char *name, const struct arch *a, bool *kernel);

/* ---------------------------------------------------------------- */
/* sema.c: identifiers resolved, types inferred, maps collected     */

enum agg_kind {
	AGG_NONE, AGG_COUNT, AGG_SUM, AGG_QUANTIZE,
	AGG_LHIST,	/* like quantize, linear buckets */
	AGG_MIN, AGG_MAX,	/* { value, set } per CPU */
	AGG_AVG, AGG_STATS,	/* { count, total } per CPU */
};

struct map {
	const char *name;	/* "@", "@reads", "t" */
	int index;		/* in the script's list (for countmap) */
	struct loc loc;		/* first use */
	struct type *ktype;	/* anonymous struct of the keys; u32 if keyless */
	struct type *vtype;	/* value; FMT_QUANTIZE array for quantize */
	enum agg_kind agg;	/* aggregations live in per-CPU maps */
	bool keyless;		/* "@: 5" instead of "{ key }: 5" */
	bool deleted;		/* a probe deletes from it, or asks
				 * has_key: no hot-key cache */
	bool iterated;		/* for ($kv : @m) walks it (5.13) */
	enum bpf_map_type type;	/* HASH; PERCPU_HASH for an aggregation,
				 * PERCPU_ARRAY (one entry) if keyless */
	struct map *hot;	/* keyed count()/sum(): the hot-key cache in
				 * front of this map, or NULL (below) */
	int max_entries;
	int fd;			/* bpf_sys.c, -1 until created */
	struct map *next;
};

/*
 * The hot-key cache of a keyed count() or sum(): a per-CPU array of
 * HOT_SLOTS slots, direct-mapped by a hash of the key.  A hit is an add
 * in the slot; a miss moves the slot's old key and value into the
 * per-CPU hash and takes the slot.  So the hash is looked up only when
 * a key changes slot, and user space reads the hash, then the slots of
 * every CPU.  A slot is the key (padded to 8 bytes), the value, and a
 * word that is 1 once the slot holds a key.  Maps a probe deletes from
 * have no cache: another CPU's slot can't be reached from BPF.
 */
#define HOT_SLOTS_LOG2	6
#define HOT_SLOTS	(1 << HOT_SLOTS_LOG2)
#define HOT_MAX_KEY	32	/* bytes; larger keys go to the hash */
#define HOT_HASH_MUL	0x9e3779b97f4a7c15ULL	/* 2^64 / golden ratio */
static inline int hot_val_off(const struct map *m)
{
	return (m->ktype->size + 7) & ~7;
}
static inline int hot_used_off(const struct map *m)
{
	return hot_val_off(m) + 8;
}

/* Asynchronous actions: the BPF program sends a record whose first
 * u64 is the action's id; user space acts on it in order. */
enum action_kind {
	ACT_PRINT,	/* print(a, b): the values, one line */
	ACT_PRINTF,
	ACT_EXIT,
	ACT_CLEAR,	/* clear(@m) */
	ACT_PRINTMAP,	/* print(@m[, top[, div]]) */
	ACT_ZERO,	/* zero(@m): every value 0, keys kept */
	ACT_TIME,	/* time([fmt]): the wall clock, strftime(fmt) */
	ACT_JOIN,	/* join(argv[, sep]): strings of a char *[] */
	ACT_SYSTEM,	/* system(fmt, ...): sh -c, --unsafe */
	ACT_CAT,	/* cat(fmt, ...): a file's contents */
};

/* join()'s record: JOIN_MAX strings of JOIN_LEN bytes */
#define JOIN_MAX	16
#define JOIN_LEN	64

struct action {
	int id;
	enum action_kind kind;
	const char *fmt;	/* ACT_PRINTF: the format literal */
	struct type *args;	/* record layout after the id: anon struct */
	struct map *map;	/* ACT_CLEAR, ACT_PRINTMAP, ACT_ZERO */
	int top, div;		/* ACT_PRINTMAP: the top N rows (0: all),
				 * values divided by div (0: 1) */
	struct loc loc;
	struct action *next;
};

/* a scratch variable ($x): one per name and probe */
#define MAX_VARS	32

struct var {
	const char *name;	/* "$x" */
	struct loc loc;		/* its first assignment */
	struct type *type;	/* from its first assignment */
	bool bad;		/* its assignment had an error: its uses
				 * are not errors of their own */
	bool in_cb, out_cb;	/* used inside a for loop over a map (its
				 * own frame, a callback's), outside it */
	int off;		/* codegen.c: its stack slot */
};

/* the u64 slots of globalmap, set by run.c before attaching */
#define GLOBAL_START	0	/* the clock at start (elapsed) */
#define GLOBAL_CPID	1	/* -c's command (cpid) */
#define GLOBAL_NSLOTS	2

/* the slots of countmap's one value (per CPU) */
#define COUNT_LOST	0	/* records the ring buffer had no room for */
#define COUNT_DROPS	1	/* + map->index: updates a full map dropped */

struct probe;
struct kernel;

struct script {
	const struct kernel *k;		/* what it is compiled for */
	bool bt;			/* bpftrace's language and output */
	struct node *ast;		/* the N_PROBE list */
	struct probe *probes;
	struct map *maps;
	struct action *actions;
	int nactions;
	struct map *stackmap;		/* created when `stack` is used */
	struct map *outmap;		/* where actions go: a BPF ring buffer,
					 * or a perf event array per CPU */
	int ring_pages;			/* buffer pages per CPU (-B) */
	struct map *countmap;		/* what was lost, counted by the
					 * programs, per CPU: u64s (below) */
	struct map *zeromap;		/* zeroes to initialise big values */
	struct map *exitmap;		/* one u32: set once exit() ran */
	struct map *globalmap;		/* u64s user space sets: GLOBAL_* */
	struct map *scratchmap;		/* per-CPU room for records too big
					 * for the stack (join) */
	bool uses_exit;
	bool unsafe;			/* signal(), system() allowed */
	const struct src *src;		/* positional parameters */
	int strlen;			/* str()'s default size */
	int cfg_pages;			/* config's perf_rb_pages, or 0 */
	int max_probes;			/* bpftrace's limit, or 0 */
	int missing;			/* missing_probes: 0 error, 1 warn,
					 * 2 ignore */
	bool no_exit_maps;		/* print_maps_on_exit = false */
	int map_entries;		/* of a map (-M) */
	int nmaps;
};

/* resolve every probe (provider setup, identifiers, types, maps);
 * reports all errors, returns their count */
int sema_script(struct script *s);
/* C's usual arithmetic conversions on two integer (or pointer) types */
struct type *type_arith(const struct type *a, const struct type *b);

/* ---------------------------------------------------------------- */
/* bpf_asm.c: an instruction buffer with labels and map relocations */

#define PROG_MAX_INSNS	4096

struct reloc {
	int pc;			/* the ld_imm64 to patch */
	struct map *map;
	bool value;		/* BPF_PSEUDO_MAP_VALUE instead of _FD */
};

struct prog {
	struct bpf_insn *insn;	/* grows as emitted, up to PROG_MAX_INSNS */
	int len, cap;
	int err;		/* sticky: -E2BIG, -ERANGE; checked at the end */
	int *label;		/* label id -> pc, -1 until placed */
	int nlabels, labels_cap;
	struct { int pc, label; bool imm; } *fix;	/* jumps (and, imm,
					 * ld_imm64s of a subprogram)
					 * waiting for a label */
	int nfix, fix_cap;
	struct reloc *reloc;
	int nreloc, reloc_cap;
	const char **comment;	/* per pc (cap of them), for the -S
				 * listing; may be NULL */
	int func_label[16];	/* subprograms (callbacks), by label */
	int nfuncs;
};

void asm_init(struct prog *p);
void asm_free(struct prog *p);
void emit(struct prog *p, struct bpf_insn in);
void emit_comment(struct prog *p, const char *fmt, ...)
	__attribute__((format(__printf__, 2, 3)));
int label_new(struct prog *p);
void label_here(struct prog *p, int label);
/* a jump whose target is a label; resolved by asm_finish */
void emit_jmp(struct prog *p, struct bpf_insn in, int label);
/* ld_imm64 of a map's fd (or of its first value's address) */
void emit_ld_map(struct prog *p, int dst, struct map *m, bool value);
/* does a jump go to label? */
bool label_used(const struct prog *p, int label);
/* ld_imm64 of the subprogram at label (a callback's address) */
void emit_ld_func(struct prog *p, int dst, int label);
/* resolve labels; 0 or -errno (the sticky error) */
int asm_finish(struct prog *p);
/* patch map fds into the ld_imm64s */
void asm_relocate(struct prog *p);
/* "  3  jgt r1, #0x10, +2" per instruction */
void asm_dump(const struct prog *p, FILE *fp);

/* ---------------------------------------------------------------- */
/* codegen.c: a typed probe to BPF                                  */

/* fills pb->prog; user limits (stack, size) are diagnosed at the node */
int codegen_probe(struct script *s, struct probe *pb);

/* compile.c: parse, type and generate code for kernel k, without
 * touching it; NULL after printing the errors */
struct compile_opts {
	int map_entries;	/* entries of each map (-M); 0: 1024 */
	int strlen;		/* str()'s default size; 0: 128 (bpftrace's
				 * language: 64) */
	bool unsafe;		/* signal(), system() */
	int max_probes;		/* bpftrace's limit; 0: none */
};
struct script *compile_script(const struct src *src, const struct kernel *k,
			      const struct compile_opts *co);

/* ---------------------------------------------------------------- */
/* arch/: the target's registers, data not code                     */

/*
 * A family of architectures (mips and mips64, riscv32 and riscv64,
 * ppc, ppc64 and ppc64le) shares one table of pt_regs fields, each
 * field a slot: its offset is (base + slot) * word.  A field that only
 * one ABI of the family has (o32's pad0, n64's a4-a7) names that ABI.
 */
enum arch_abi { ABI_ANY, ABI_O32, ABI_N64, ABI_PPC32, ABI_PPC64 };

struct arch_reg {
	const char *name;	/* "di", "x0", "r0" */
	int16_t slot;		/* words after pt_regs' first register */
	uint8_t only;		/* ABI_ANY, or the one ABI that has it */
};

struct arch {
	const char *name;	/* as uname -m prints it (or Debian's) */
	int word;		/* 4 or 8: the kernel's unsigned long */
	bool big_endian;
	enum arch_abi abi;
	int nargs;		/* arguments passed in registers */
	const char *arg[8];	/* register names of arg0.. (kernel ABI) */
	const char *ret, *pc, *sp;
	const struct arch_reg *regs;	/* the family's pt_regs fields */
	int nregs;
	int base;		/* words of pt_regs before slot 0 */
	int slots;		/* sizeof(struct pt_regs) / word */
	long nr_bpf, nr_perf_event_open;	/* syscall numbers */
};

/* the kernel's <asm/ptrace.h> is there to check the tables against
 * (glibc toolchains; musl-gcc finds another header of that name) */
#if defined(__has_include) && defined(__GLIBC__)
#if __has_include(<asm/ptrace.h>)
#define PLY_HAVE_UAPI 1
#endif
#endif
#ifndef PLY_HAVE_UAPI
#define PLY_HAVE_UAPI 0
#endif

extern const struct arch *const arch_native;	/* the build host's */
extern const struct arch *const arch_all[];	/* NULL-terminated */
const struct arch *arch_find(const char *name);
/* name as uname -m says it, with the byte order given (uname -m says
 * "mips" for mipsel too) */
const struct arch *arch_find_order(const char *name, bool big_endian);
/* does a have a register of that name (of its ABI)? */
const struct arch_reg *arch_reg(const struct arch *a, const char *name);
/* its offset in struct pt_regs, or -1 */
int arch_reg_off(const struct arch *a, const char *name);
static inline int arch_regs_size(const struct arch *a)
{
	return a->slots * a->word;
}

/* ---------------------------------------------------------------- */
/* kernel.c: what the kernel can do, asked once, before compiling   */

/*
 * compile_script() generates code for a kernel described here: the
 * running one (kernel_probe, which asks it with a few bpf() calls),
 * the oldest one ply supports (kernel_baseline, -e), or one described
 * on the command line (--kernel=DESC, kernel_describe), so that the
 * code for other kernels can be seen and tested anywhere.
 */
struct kernel {
	const struct arch *arch;	/* registers, word, byte order */
	bool live;		/* the running kernel: attaching follows */
	bool here;		/* this machine's: its function lists and
				 * CPUs may be read (not with --arch) */
	int page_size;
	bool ringbuf;		/* BPF_MAP_TYPE_RINGBUF (5.8), else perf
				 * buffers */
	int comm_off;		/* task_struct.comm in BTF, read in place
				 * (5.11, BTF); -1: the comm helper */
	bool comm_padded;	/* task names end in NULs (5.17) */
	int task_comm, task_parent, task_tgid;	/* task_struct's comm,
				 * real_parent and tgid in BTF, or -1
				 * (pcomm, ppid) */
	int ncpus;		/* online CPUs (ncpus) */
	bool func_ip;		/* bpf_get_func_ip() in kprobes (5.15) */
	bool kprobe_multi;	/* kprobe_multi links (5.18, CONFIG_FPROBE) */
	bool kprobe_pmu;	/* the perf kprobe PMU (4.17), else
				 * kprobe_events */
	int kprobe_type;	/* its perf type */
	int kprobe_retbit;	/* its retprobe bit in config */
	const char *tracefs;	/* where tracefs is, or NULL */
	int tracefs_err;	/* why not: ENODEV, EACCES (not root) */
};

/* the running kernel; mounts tracefs if it must */
void kernel_probe(struct kernel *k);
/* what every kernel ply runs on has, for arch a */
void kernel_baseline(struct kernel *k, const struct arch *a);
/* apply --kernel=DESC to k: a release ("5.10") for what it has, then
 * +feature / -feature (ringbuf, func_ip, kprobe_multi, kprobe_pmu,
 * padded, comm=OFF), or "host" for the running kernel; 0, or -1
 * after err_msg */
int kernel_describe(struct kernel *k, const char *desc);
/* -T: what the kernel has, and what ply does where it lacks it */
void kernel_report(const struct kernel *k, FILE *fp);

/* ---------------------------------------------------------------- */
/* provider/: where probes attach                                   */

struct plist;

struct probe {
	struct node *ast;	/* N_PROBE */
	bool bt;		/* in bpftrace's language */
	const char *spec;	/* "tracepoint:sched/sched_switch" */
	const char *arg;	/* the text after the first ':' */
	const struct provider *prov;
	const struct kernel *k;	/* what it is compiled for */
	struct type *ctx_type;	/* tracepoint: struct of the event's fields */
	int event;		/* an event other probes may share (a
				 * tracepoint's id), or -1 */
	struct var *vars;	/* sema.c: its scratch variables */
	int nvars;
	struct prog *prog;	/* codegen.c */
	int prog_fd;		/* bpf_sys.c, -1 until loaded */
	int attach_type;	/* expected_attach_type: a provider's
				 * BPF_TRACE_KPROBE_MULTI, else 0 */
	int stack_size;		/* codegen.c: bytes of stack used */
	int points;		/* what it attaches to (a glob's functions);
				 * 0: one */
	void *priv;		/* provider's own state (event fds ...) */
	struct probe *next;
};

/* when a probe's program runs */
enum prov_when {
	PROV_EVENT,	/* when its event fires, once attached */
	PROV_BEGIN,	/* once, before the events are let in */
	PROV_END,	/* once, at exit, also after exit() */
};

struct provider {
	const char *name;	/* matched by prefix: "t", "trace" ... */
	enum bpf_prog_type prog_type;
	enum prov_when when;
	int spec_slashes;	/* '/' its specs hold before a second ':'
				 * (-1: any); the lexer ends a spec there */
	int ctx_hidden;		/* leading context bytes the kernel keeps
				 * for itself (a tracepoint's 8) */
	/* check the spec, look up what it names (tracefs format, cpu ...);
	 * report errors with diag_error at pb->ast->loc; 0 or -1 */
	int (*setup)(struct probe *pb);
	/* optional: a provider variable (data, arg0, regs): its
	 * replacement expression, or NULL if the name is not the
	 * provider's */
	struct node *(*ident)(struct probe *pb, struct node *n);
	/* optional (not for BEGIN, END): attach pb->prog_fd; 0 or -errno,
	 * with err_msg printed */
	int (*attach)(struct probe *pb);
	void (*detach)(struct probe *pb);	/* optional; idempotent */
	/* optional: how it will attach, for -S (--dump=attach) */
	void (*describe)(const struct probe *pb, FILE *fp);
	/* optional: -l: the probes it has, given to plist_add */
	void (*list)(const struct kernel *k, struct plist *l);
	/* optional: the specs a glob in arg stands for ("sched:sched_s*"
	 * -> "sched:sched_switch" ...), each a probe of its own; the
	 * count, the args in *out */
	int (*expand)(const struct kernel *k, const char *arg, char ***out);
};

/* list.c: -l's list, which providers add to */
struct plist {
	const char *pattern;	/* a glob of what the provider has */
	bool verbose;		/* -lv: details wanted */
	const struct provider *prov;
	char **names, **details;
	int n, cap;
};
/* is prov:name wanted? */
bool plist_want(const struct plist *l, const char *name);
/* add prov:name (detail: -lv's lines, allocated, or NULL) */
void plist_add(struct plist *l, const char *name, char *detail);

extern const struct provider *const providers[];	/* NULL-terminated */
extern const struct provider kprobe_provider, kretprobe_provider,
	tracepoint_provider, profile_provider, interval_provider,
	begin_provider, end_provider;
/* by exact name or unambiguous prefix, in table order (as ply does) */
const struct provider *provider_find(const char *name, int len);
/* bpftrace's providers ply lacks: what they need, or NULL */
const char *provider_unsupported(const char *name, int len);
/* the lexer: the spec_slashes of the provider p[0..len) names, -1 if
 * none (an unknown provider's spec runs to the next blank) */
int provider_spec_slashes(const char *p, int len);
/* for the providers: open attr on each of cpus[n] (pid -1), attach
 * pb->prog_fd and enable; fds[n] receives the events (-1 if none).
 * 0, or -errno after err_msg naming the probe; nothing stays open */
int prov_perf_attach(struct probe *pb, struct perf_event_attr *attr,
		     const int *cpus, int n, int *fds);
void prov_perf_detach(int *fds, int n);	/* closes, sets -1 */

/* tracefs.c */
/* where tracefs is: the usual places, then /proc/mounts, then (if
 * may_mount) mounted where it belongs; NULL + errno (EACCES: there,
 * but we may not read it) */
const char *tracefs_lookup(bool may_mount);
/* every event as "sys:event", sorted: the count, the names in *out */
int tracefs_events(const char *root, char ***out);
/* "    DECL\n" for each field but the common_ ones (bpftrace -lv) */
char *tracefs_fields(const char *root, const char *sys, const char *event);
/* ROOT/events/<sys>/<event>/format as a struct type; NULL + errno */
struct type *tracefs_format(const char *root, const char *sys,
			    const char *event, int *id);

/* ---------------------------------------------------------------- */
/* bpf_sys.c: bpf(2) and perf_event_open(2)                         */

int bpf_map_create(struct map *m, enum bpf_map_type type, int key_size,
		   int value_size, int max_entries);	/* fd or -errno */
int bpf_map_lookup(int fd, const void *key, void *val);
int bpf_map_update(int fd, const void *key, const void *val, uint64_t flags);
int bpf_map_delete(int fd, const void *key);
int bpf_map_next_key(int fd, const void *key, void *next);
/* load (attach_type: the expected one, or 0); on failure fills log
 * (if non-NULL) with the verifier's log */
int bpf_prog_load(enum bpf_prog_type type, int attach_type,
		  const struct bpf_insn *insn, int len, char *log,
		  size_t logsz);
/* the same for a program with subprograms, starting at funcs[] (for-map
 * loops' callbacks): with the BTF and func_info the verifier wants */
int bpf_prog_load_funcs(enum bpf_prog_type type, int attach_type,
			const struct bpf_insn *insn, int len,
			const int *funcs, int nfuncs, char *log, size_t logsz);
int bpf_link_kprobe_multi(int prog_fd, const char *const *syms, int n,
			  bool ret);
int bpf_prog_test_run(int prog_fd);
/* attr zeroed, then its type, config and size set, one event per
 * occurrence (sample_period 1, wakeup_events 1) */
void perf_attr_init(struct perf_event_attr *attr, uint32_t type,
		    uint64_t config);
int perf_event_open(struct perf_event_attr *attr, int pid, int cpu,
		    int group_fd, unsigned long flags);
/* close fds[0..n) (the ones >= 0), many at once; each becomes -1 */
void perf_close_all(int *fds, int n);
int ncpus_possible(void);	/* for per-CPU values */
/* online CPUs as a list of ids; returns the count */
int cpus_online(int *cpus, int max);

/* btf.c: the byte offset of member mem of struct name in the BTF at
 * path (/sys/kernel/btf/vmlinux), or -1 */
int btf_member_offset(const char *path, const char *name, const char *mem);

/* ---------------------------------------------------------------- */
/* perf_ring.c: per-CPU output buffers and the event loop           */

struct ring;
/* the BPF ring buffer's bytes for pages per CPU: a power of 2, as many
 * as the per-CPU buffers would have, at most 1 GB */
uint32_t ring_bytes(int pages, int ncpus, long psz);
/* create s->outmap (allocated if NULL), the perf event array that
 * programs output to; before codegen relocates map fds; 0 or -errno */
int ring_map_create(struct script *s);
/* one perf buffer per online CPU, stored in s->outmap (created if it
 * is not yet); pages a power of 2; NULL and errno on failure */
struct ring *ring_open(struct script *s, int pages);
void ring_close(struct ring *r);
/* deliver pending records to cb, at most *budget of them (*budget is
 * what is left: 0 if there may be more); returns lost records seen */
uint64_t ring_drain(struct ring *r,
		    void (*cb)(void *arg, const void *rec, int size),
		    void *arg, int *budget);
/* fds to poll for readability */
int ring_fds(struct ring *r, int **fds);
/* what the programs lost: slot (COUNT_*) of countmap, all CPUs' */
uint64_t count_get(const struct script *s, int slot);

/* ---------------------------------------------------------------- */
/* ksyms.c: kernel addresses to names, read from /proc/kallsyms     */

/* a /proc/kallsyms line, split in place; mod is NULL for vmlinux */
bool ksym_parse(char *line, uint64_t *addr, char *type, char **name,
		char **mod);
/* "sym+off" (or "sym" when off is 0, or hex if unknown) into buf */
const char *ksym_name(uint64_t addr, char *buf, size_t size);
/* "sym+off" with +0 too (bpftrace's stacks) */
const char *ksym_offset(uint64_t addr, char *buf, size_t size);
/* "sym" alone, "0x..." if unknown, "0" for 0 */
const char *ksym_func(uint64_t addr, char *buf, size_t size);
/* the address of symbol name (text or data, vmlinux's), or 0 */
uint64_t ksym_addr(const char *name);

/* ---------------------------------------------------------------- */
/* output.c: values, maps and histograms as text                    */

/* how values, maps and records look: ply's, bpftrace's, or JSON
 * objects (bpftrace's, one per line) */
enum out_style { STYLE_PLY, STYLE_BT, STYLE_JSON };
extern enum out_style out_style;
extern bool out_unicode;	/* histogram bars in box characters */
void out_init(void);		/* wall clock offset for FMT_WALLTIME */
void out_value(FILE *fp, const struct type *t, const void *data);
/* printf(fmt, ...) with the args packed as in `args` */
void out_printf(FILE *fp, const char *fmt, const struct type *args,
		const void *data);
/* "\n@name:\n" and the entries, sorted by value then key (ply's;
 * bpftrace's order and format in its styles); top: only the top N
 * (0: all), values divided by div (0: 1) */
void out_map(FILE *fp, const struct map *m, int top, int div);
void out_map_clear(struct map *m);
/* out_record.c: a record of a (print, printf, time, join, cat, system)
 * as text or JSON */
void out_record(FILE *fp, const struct action *a, const void *data);
/* bpftrace's "Attaching N probes..." (stderr), or its JSON (stdout) */
void out_attaching(int n);
void out_lost(FILE *fp, uint64_t n);	/* "Lost N events" */
void out_map_zero(struct map *m);	/* zero(): values 0, keys kept */
/* out_map's printing half: n rows already read (per-CPU values
 * summed), each ktype->size key bytes then vtype->size value bytes;
 * sorts them in place */
void out_map_rows(FILE *fp, const struct map *m, void *rows, int n);
/* FMT_STACK: the frames of a stack id, set by main (it owns the stack
 * map); frame count or -errno.  NULL prints every stack as an error. */
extern int (*out_stack_frames)(uint32_t id, uint64_t *ips, int max);

#endif
