/*
 * check.h - the unit tests' one assertion: CHECK(cond) counts a pass,
 * or prints "FAIL file:line: cond" and counts a failure; check_done()
 * prints "N passed, N failed" and gives main's exit status.
 */
#ifndef PLY_CHECK_H
#define PLY_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond) do {						\
		if (cond) {						\
			passed++;					\
		} else {						\
			failed++;					\
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}							\
	} while (0)

static inline int check_done(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif
