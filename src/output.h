/*
 * output.h - between output.c and its neighbours out_printf.c and
 * out_map.c: integers read from records of any alignment, in the
 * host's byte order (the kernel's), and a quantize() bucket.
 */
#ifndef PLY_OUTPUT_H
#define PLY_OUTPUT_H

#include "ply.h"

/* an unsigned integer of size 1, 2, 4 or 8 bytes at d */
uint64_t load_u(const void *d, int size);
/* an integer or pointer of type t, sign-extended if it is signed */
int64_t load_int(const struct type *t, const void *d);
/* bucket i of a quantize() value */
uint64_t bucket(const void *data, int i);

#endif
