/*
 * provider/kprobe.h - what kprobe.c shares with kretprobe.c: the
 * setup and attachment of both, and pt_regs as the probe's context.
 */
#ifndef PLY_KPROBE_H
#define PLY_KPROBE_H

#include "ply.h"

int kprobe_setup(struct probe *pb);
int kprobe_attach(struct probe *pb);
void kprobe_detach(struct probe *pb);
void kprobe_describe(const struct probe *pb, FILE *fp);
void kprobe_list(const struct kernel *k, struct plist *l);
/* regs: the context as a struct pt_regs pointer */
struct node *kprobe_regs(struct probe *pb, struct node *n);
/* the probe reads regs itself: no kprobe_multi (partial pt_regs) */
void kprobe_whole_regs(struct probe *pb);
/* regs->reg as an expression of type t */
struct node *kprobe_reg(struct probe *pb, struct node *n, const char *reg,
			struct type *t);

#endif
