/*
 * compile.h - the private interface of the compile stage.
 *
 *	compile.c	the driver: parse, sema, codegen for a kernel
 *	sema.c		identifiers resolved, types inferred, maps and
 *			actions collected
 *	builtin.c	the table of built-ins: for each its name, its
 *			arguments, its type and its code
 *	codegen.c	expressions and statements to BPF
 *	cg_map.c	maps and aggregations to BPF
 *
 * sema resolves every built-in once and leaves the table entry on the
 * node (n->bi), as it leaves the variable (n->var) and the action
 * (n->action); codegen dispatches on those, never on a name.
 */
#ifndef PLY_COMPILE_H
#define PLY_COMPILE_H

#include "ply.h"
#include "bpf_insn.h"

/* ---------------------------------------------------------------- */
/* sema.c                                                           */

struct sema {
	struct script *s;
	struct probe *pb;
	bool final;		/* report errors (the last pass) */
	bool changed;		/* a map's type was fixed in this pass */
	struct map *assigning;	/* m in m[k] = ..., while its value is typed */
	int in_cb;		/* inside a for loop over a map: a callback */
};

/* an error, reported in the last pass only (sema.c's header says why) */
#define serr(se, n, ...) do {					\
		if ((se)->final)				\
			diag_error((n)->loc, __VA_ARGS__);	\
	} while (0)

/* the type of an expression; NULL after an error */
struct type *sema_expr(struct sema *se, struct node *n);
/* m[k]: the map, its key checked (and fixed on first use) */
struct map *sema_map_use(struct sema *se, struct node *n);
/* a number written in the script (42, -1): its value */
bool sema_literal(const struct node *n, int64_t *v);
/* a bare map name where a whole map is meant: print(@x), clear(m) */
struct map *sema_whole_map(struct sema *se, struct node *n);
/* the action of call n, made at its first pass */
struct action *sema_action(struct sema *se, struct node *n,
			   enum action_kind kind);
/* a record of the values of args: an anonymous struct */
struct type *sema_args_type(struct sema *se, struct node *args);
int nargs(const struct node *n);

/* ---------------------------------------------------------------- */
/* builtin.c                                                        */

struct cg;

enum bi_kind {
	BI_VAR,		/* comm, pid ...: an identifier */
	BI_FUNC,	/* str(p), strcmp(a, b) ...: a value */
	BI_ACTION,	/* print, printf, exit, clear: a record to user space */
	BI_AGG,		/* count, sum, quantize: @m[k] = f(...) only */
};

struct builtin {
	const char *name;		/* "comm" (another name: another row,
					 * "execname") */
	uint8_t kind;			/* enum bi_kind */
	uint8_t min, max;		/* arguments a function takes */
	uint8_t agg;			/* BI_AGG: enum agg_kind */
	bool ply_only;			/* ply's only (bpftrace's time is
					 * something else) */
	bool kprobes_only;		/* means something in kprobes only */
	struct type *rtype;		/* its type, if always the same */
	/* else its type, after checking the arguments; NULL on error */
	struct type *(*type)(struct sema *se, struct node *n);
	/* the code: a scalar's value in register dst (actions: dst -1) */
	void (*emit)(struct cg *g, struct node *n, int dst);
	/* or, for a value kept in memory, its size bytes at r10 + off */
	void (*store)(struct cg *g, struct node *n, int off, int size);
	const char *ply;		/* bpftrace's only: ply's name for it
					 * (nsecs: time), for the hint */
};

/* a variable (vars) or a function of that name in ply's language (or
 * bpftrace's, bt), or NULL */
const struct builtin *builtin_find(const char *name, bool vars, bool bt);
/* the names of the variables or of the functions, for suggestions */
int builtin_names(bool vars, bool bt, const char **names, int max);
/* bpftrace's name, in ply's language: ply's name for it, or NULL */
const char *builtin_ply_name(const char *name);
/* bpftrace's built-ins ply lacks: "kernel struct types" ..., or NULL */
const char *builtin_unsupported(const char *name);

/* probe: the probe's name, as a string of this size */
#define PROBE_NAME_LEN	64

/* ---------------------------------------------------------------- */
/* codegen.c                                                        */

#define CTX	BPF_REG_6
#define FP	BPF_REG_10

struct cg {
	struct script *s;
	struct probe *pb;
	const struct kernel *k;
	struct prog *p;
	int sp;			/* bytes of stack in use */
	int max_sp;
	bool busy[BPF_REG_10];	/* the r7-r9 pool */
	int ret;		/* label: return 0 */
	int brk[MAX_NESTING], cont[MAX_NESTING];	/* loops' labels */
	int nloops;
	struct callbacks *cbs;	/* for-map bodies, emitted after the probe */
};

/* the bodies of for ($kv : @m) loops: subprograms after the program */
#define MAX_CALLBACKS	16
struct callbacks {
	struct node *loop[MAX_CALLBACKS];
	int label[MAX_CALLBACKS];
	int n;
	int max_sp;		/* the deepest callback frame */
};

int stack_alloc(struct cg *g, int size, struct node *n);
int reg_get(struct cg *g, struct node *n);
void reg_put(struct cg *g, int r);

void emit_mov_imm(struct cg *g, int dst, uint64_t v);
void emit_fp_addr(struct cg *g, int dst, int off);	/* dst = r10 + off */
void emit_call(struct cg *g, int fn);
void emit_extend(struct cg *g, int reg, const struct type *t);
void emit_convert(struct cg *g, int reg, const struct type *from,
		  const struct type *to);
void emit_load(struct cg *g, int dst, int src, int off,
	       const struct type *t);
int piece(int a, int b, int left);
void emit_zero(struct cg *g, int off, int size);
void emit_copy(struct cg *g, int doff, int src, int soff, int size);
void emit_read(struct cg *g, int off, int size, int src, int soff,
	       bool user, bool str);

/* n's value in register dst (scalars) */
void cg_expr(struct cg *g, struct node *n, int dst);
/* n's value at r10 + off, as a `to` */
void cg_store(struct cg *g, struct node *n, int off, struct type *to);
/* a string operand in memory: its stack offset */
int str_operand(struct cg *g, struct node *n);
/* dst = strcmp(a, b), strncmp(a, b, n) */
void cg_strcmp(struct cg *g, struct node *a, struct node *b, int dst);
void cg_strncmp(struct cg *g, struct node *a, struct node *b, int n,
		int dst);
/* print, printf, exit, clear: a record { u64 id; args } to user space */
void cg_action(struct cg *g, struct node *n, int dst);
/* the u64s user space sets (GLOBAL_*), made when first used */
struct map *global_map(struct cg *g);
/* something lost: this CPU's slot of countmap += 1 (COUNT_*) */
void emit_count(struct cg *g, int slot, struct node *n);

/* ---------------------------------------------------------------- */
/* cg_map.c                                                         */

/* the key of n (N_MAP) built in place; returns its stack offset */
int cg_key(struct cg *g, struct node *n);
/* @m[k] = count() | sum(x) | quantize(x) */
void cg_aggregate(struct cg *g, struct node *n);
/* m[k] = v */
void cg_map_assign(struct cg *g, struct node *n);
/* dst = m[k], 0 when missing */
void cg_map_read(struct cg *g, struct node *n, int dst);
/* r10 + off = m[k] as a `to`, zeroes when missing */
void cg_map_read_mem(struct cg *g, struct node *n, int off,
		     struct type *to);
/* delete m[k] */
void cg_map_delete(struct cg *g, struct node *n);

#endif
