/* Bridge's fork shim: lets the managed harness fork a child that only copies memory and then waits — the child of a
 * .NET process must not run managed code, so everything it does happens here, between fork() and _exit(). */
#ifndef BRIDGE_FORK_H
#define BRIDGE_FORK_H

#include <stddef.h>

struct bridge_copy {
	void *dst;
	const void *src;
	size_t len;
};

/* Forks. The child performs the copies (writing into ITS view of dst: a COW copy for private memory, the shared
 * pages otherwise), reports that it is done, and stays alive — sharing the parent's COW pages, as
 * tools/testing/selftests/mm/cow.c's children do — until bridge_fork_release. The parent returns once the copies
 * are done: 0 with *child and *release set, or -errno. */
int bridge_fork_hold(const struct bridge_copy *copies, size_t count, int *child, int *release);

/* Lets the child exit and reaps it: 0, -errno, or -ECHILD when it did not exit with status 0. */
int bridge_fork_release(int child, int release);

#endif
