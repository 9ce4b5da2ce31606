/* Bridge's fork shim: lets the managed harness fork a child that only copies memory and exits — the child of a
 * .NET process must not run managed code, so the copy is done here, between fork() and _exit(). */
#ifndef BRIDGE_FORK_H
#define BRIDGE_FORK_H

#include <stddef.h>

struct bridge_copy {
	void *dst;
	const void *src;
	size_t len;
};

/* Forks; the child performs the copies (writing into ITS view of dst: a COW copy for private memory, the shared
 * pages otherwise) and exits; the parent waits. Returns 0, -errno when fork/waitpid fail, or -ECHILD when the
 * child did not exit normally with status 0. */
int bridge_fork_copy(const struct bridge_copy *copies, size_t count);

#endif
